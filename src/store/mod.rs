//! Saved scenarios in an embedded SQLite database (rusqlite, SQLite compiled in).
//!
//! - Created on first write; a read of a database that does not exist yet sees no scenarios.
//! - The schema is versioned (`PRAGMA user_version`) and migrated forward on open, in one
//!   transaction per step.
//! - Write-ahead log with `synchronous = FULL`: a write is acknowledged only after it is on
//!   disk, so `kill -9` (or a power cut) loses no acknowledged scenario, and readers never
//!   see half a write. Every save is one transaction: a scenario is saved whole or not at all.
//! - Several connections (threads or processes) may write at once; SQLite serialises them
//!   and a writer waits up to `BUSY_TIMEOUT` for the lock.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::analysis::NeedProfile;
use crate::analysis::scenario::Scenario;

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one step per version: step `i` brings version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: scenarios with their need profile and the baseline they were computed against.
    "CREATE TABLE scenarios (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scenario TEXT NOT NULL,
        need TEXT NOT NULL,
        baseline TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX scenarios_created ON scenarios (created_at);",
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("scenario database {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("scenario database {path}: {message}")]
    Other { path: String, message: String },
}

/// A saved scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    pub id: String,
    pub name: String,
    pub scenario: Scenario,
    pub need: NeedProfile,
    /// The baseline fingerprint when it was saved.
    pub baseline: String,
    pub created_at: String,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub changes: usize,
    pub baseline: String,
    pub created_at: String,
}

pub struct Store {
    path: PathBuf,
    conn: Mutex<Option<Connection>>,
}

impl Store {
    /// A store at `path`; nothing is opened or created until it is used.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Store {
            path: path.into(),
            conn: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn other(&self, message: impl Into<String>) -> StoreError {
        StoreError::Other {
            path: self.path.display().to_string(),
            message: message.into(),
        }
    }

    /// Runs `f` on the open connection; `create` opens (and creates) the database if needed,
    /// otherwise `Ok(None)` is returned when it does not exist yet.
    fn with<T>(
        &self,
        create: bool,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| self.other("the connection lock is poisoned"))?;
        if guard.is_none() {
            if !create && !self.path.exists() {
                return Ok(None);
            }
            *guard = Some(self.open_retrying()?);
        }
        match guard.as_mut() {
            Some(c) => f(c).map(Some),
            None => Ok(None),
        }
    }

    /// Opens, retrying while another connection holds the lock: switching a new database to
    /// WAL and migrating it need it exclusively, and SQLite does not wait for that itself.
    fn open_retrying(&self) -> Result<Connection, StoreError> {
        let start = std::time::Instant::now();
        loop {
            match self.open() {
                Err(StoreError::Sqlite {
                    source: rusqlite::Error::SqliteFailure(e, _),
                    ..
                }) if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        if let Some(dir) = self.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| self.other(format!("cannot create its folder: {e}")))?;
        }
        let mut c = Connection::open(&self.path).map_err(|e| self.err(e))?;
        c.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
        c.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| self.err(e))?;
        c.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.err(e))?;
        self.migrate(&mut c)?;
        Ok(c)
    }

    fn migrate(&self, c: &mut Connection) -> Result<(), StoreError> {
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let version = usize::try_from(version).unwrap_or(0);
        if version > MIGRATIONS.len() {
            return Err(self.other(format!(
                "it has schema version {version}, newer than this nabij knows ({}); use a newer nabij or another --database",
                MIGRATIONS.len()
            )));
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| self.err(e))?;
            // Another process may have migrated meanwhile.
            let now: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if usize::try_from(now).unwrap_or(0) > i {
                continue;
            }
            tx.execute_batch(step).map_err(|e| self.err(e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Saves a scenario whole, in one transaction, and returns its new id.
    pub fn save(
        &self,
        scenario: &Scenario,
        need: &NeedProfile,
        baseline: &str,
        created_at: &str,
    ) -> Result<String, StoreError> {
        let body = serde_json::to_string(scenario).map_err(|e| self.other(e.to_string()))?;
        let need_json = serde_json::to_string(need).map_err(|e| self.other(e.to_string()))?;
        let id = new_id(&body);
        self.with(true, |c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| self.err(e))?;
            tx.execute(
                "INSERT INTO scenarios (id, name, scenario, need, baseline, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, scenario.name, body, need_json, baseline, created_at],
            )
            .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))
        })?;
        Ok(id)
    }

    /// Every saved scenario, newest first.
    pub fn list(&self) -> Result<Vec<Listed>, StoreError> {
        Ok(self
            .with(false, |c| {
                let mut st = c
                    .prepare(
                        "SELECT id, name, scenario, baseline, created_at FROM scenarios ORDER BY created_at DESC, id",
                    )
                    .map_err(|e| self.err(e))?;
                let rows = st
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                        ))
                    })
                    .map_err(|e| self.err(e))?;
                let mut out = Vec::new();
                for row in rows {
                    let (id, name, body, baseline, created_at) = row.map_err(|e| self.err(e))?;
                    let changes = serde_json::from_str::<Scenario>(&body)
                        .map(|s| s.changes.len())
                        .unwrap_or(0);
                    out.push(Listed {
                        id,
                        name,
                        changes,
                        baseline,
                        created_at,
                    });
                }
                Ok(out)
            })?
            .unwrap_or_default())
    }

    /// One saved scenario, `None` if there is none with this id.
    pub fn get(&self, id: &str) -> Result<Option<Saved>, StoreError> {
        Ok(self
            .with(false, |c| {
                let row = c
                    .query_row(
                        "SELECT id, name, scenario, need, baseline, created_at FROM scenarios WHERE id = ?1",
                        params![id],
                        |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                                r.get::<_, String>(3)?,
                                r.get::<_, String>(4)?,
                                r.get::<_, String>(5)?,
                            ))
                        },
                    )
                    .optional()
                    .map_err(|e| self.err(e))?;
                let Some((id, name, body, need, baseline, created_at)) = row else {
                    return Ok(None);
                };
                let scenario = serde_json::from_str(&body)
                    .map_err(|e| self.other(format!("scenario {id} cannot be read: {e}")))?;
                let need = serde_json::from_str(&need)
                    .map_err(|e| self.other(format!("scenario {id}'s need cannot be read: {e}")))?;
                Ok(Some(Saved {
                    id,
                    name,
                    scenario,
                    need,
                    baseline,
                    created_at,
                }))
            })?
            .flatten())
    }

    /// Deletes a scenario; `false` if there was none with this id.
    pub fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .with(false, |c| {
                c.execute("DELETE FROM scenarios WHERE id = ?1", params![id])
                    .map(|n| n > 0)
                    .map_err(|e| self.err(e))
            })?
            .unwrap_or(false))
    }

    /// The number of saved scenarios.
    pub fn count(&self) -> Result<usize, StoreError> {
        Ok(self
            .with(false, |c| {
                c.query_row("SELECT COUNT(*) FROM scenarios", [], |r| r.get::<_, i64>(0))
                    .map(|n| n as usize)
                    .map_err(|e| self.err(e))
            })?
            .unwrap_or(0))
    }
}

/// A new id: 16 hex digits from the body, the time and a process-wide counter (unique
/// without coordination; the primary key catches the impossible clash).
fn new_id(body: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let h =
        xxhash_rust::xxh3::xxh3_64(format!("{body}|{nanos}|{n}|{}", std::process::id()).as_bytes());
    format!("{h:016x}")
}

/// Whether a string could be a scenario id (so a path like `/scenarios/../x` is a 404 at once).
pub fn is_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str) -> Scenario {
        serde_json::from_str(&format!(
            r#"{{"name": "{name}", "changes": [{{"op": "close", "id": "F1"}}]}}"#
        ))
        .expect("json")
    }

    #[test]
    fn save_list_read_delete_and_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/scenarios.sqlite");
        let need = NeedProfile::default();
        let s = Store::new(&path);
        assert_eq!(s.list().expect("list"), vec![]);
        assert!(!path.exists(), "a read does not create the database");
        let a = s
            .save(&scenario("a"), &need, "base1", "2026-12-02T10:00:00Z")
            .expect("save");
        let b = s
            .save(&scenario("b"), &need, "base1", "2026-12-02T11:00:00Z")
            .expect("save");
        assert!(is_id(&a) && is_id(&b) && a != b);
        let listed: Vec<String> = s
            .list()
            .expect("list")
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(listed, ["b", "a"]);
        drop(s);
        let s = Store::new(&path);
        let got = s.get(&a).expect("get").expect("there");
        assert_eq!(got.scenario, scenario("a"));
        assert_eq!(got.need, need);
        assert!(s.delete(&a).expect("delete"));
        assert!(!s.delete(&a).expect("delete again"));
        assert_eq!(s.get(&a).expect("get"), None);
        assert_eq!(s.count().expect("count"), 1);
    }

    #[test]
    fn a_newer_schema_is_refused_with_advice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite");
        let c = Connection::open(&path).expect("open");
        c.pragma_update(None, "user_version", 99).expect("set");
        drop(c);
        let e = Store::new(&path)
            .save(&scenario("a"), &NeedProfile::default(), "b", "t")
            .expect_err("newer schema");
        assert!(e.to_string().contains("newer than this nabij knows"), "{e}");
    }

    #[test]
    fn concurrent_writers_all_land() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite");
        std::thread::scope(|t| {
            for w in 0..4 {
                let path = &path;
                t.spawn(move || {
                    // One store (connection) per writer, as separate processes would have.
                    let s = Store::new(path);
                    for i in 0..10 {
                        s.save(
                            &scenario(&format!("w{w}-{i}")),
                            &NeedProfile::default(),
                            "b",
                            "t",
                        )
                        .expect("save");
                    }
                });
            }
        });
        assert_eq!(Store::new(&path).count().expect("count"), 40);
    }
}
