//! Saved scenarios in an embedded SQLite database (rusqlite, SQLite compiled in).
//!
//! - nabij's own: the file carries nabij's mark (`PRAGMA application_id`, [`APPLICATION_ID`])
//!   and schema version (`PRAGMA user_version`), checked on a read-only connection before
//!   anything is written or its journal mode changed ([`Store::check`]). A file of another
//!   application, of a newer nabij, a damaged one, a folder or a device is refused with one
//!   line and left as it was. A file without write permission serves reads; writes get
//!   [`StoreError::ReadOnly`].
//! - Created on first write, and only in a folder that exists (the default location's folder
//!   is made); a read of a database that does not exist yet sees no scenarios.
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

mod check;
use check::read_only;

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// nabij's mark in the SQLite header: "nabj" in ASCII.
pub const APPLICATION_ID: i64 = 0x6e61_626a;

/// How long an `Idempotency-Key` names its first answer.
pub const IDEMPOTENCY_WINDOW_S: i64 = 24 * 3600;

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
    // 2: idempotency keys of scenario writes (a retried POST returns the first answer).
    "CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        request TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        created_s INTEGER NOT NULL
    );",
];

/// The tables a nabij database may hold (SQLite's own aside).
const OUR_TABLES: &[&str] = &["scenarios", "idempotency"];

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
    /// The database cannot be used at all (not nabij's, newer, damaged, not a file).
    #[error("scenario database {path}: {message}")]
    Refused { path: String, message: String },
    #[error(
        "scenario database {path} is read-only (no write permission): saved scenarios can be read, not saved or deleted"
    )]
    ReadOnly { path: String },
    /// An idempotency key given again with another request.
    #[error(
        "this Idempotency-Key was used within the last day for another request; use a new key for a new request"
    )]
    KeyReused,
}

/// What the store is like: for the start-up line and `/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreState {
    /// A nabij database that can be read and written.
    Ready,
    /// No file yet: it is created on the first save.
    New,
    /// A nabij database without write permission: reads only.
    ReadOnly,
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
    conn: Mutex<Option<(Connection, StoreState)>>,
    /// Whether a missing folder is made (the default location), or must exist (a path the
    /// user gave: a typo should not start an empty database somewhere unexpected).
    make_folder: bool,
    /// The last state found (0: not checked yet), for [`Store::last_state`].
    last: std::sync::atomic::AtomicU8,
}

impl Store {
    /// A store at a path the user named; nothing is opened or created until it is used, and
    /// the database is created only in a folder that exists.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Store {
            path: path.into(),
            conn: Mutex::new(None),
            make_folder: false,
            last: std::sync::atomic::AtomicU8::new(0),
        }
    }

    /// A store at the default location, whose folder is made when needed.
    pub fn at_default(path: impl Into<PathBuf>) -> Self {
        Store {
            make_folder: true,
            ..Self::new(path)
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

    fn refused(&self, message: impl Into<String>) -> StoreError {
        StoreError::Refused {
            path: self.path.display().to_string(),
            message: message.into(),
        }
    }

    /// Runs `f` on the open connection; `create` opens (and creates) the database if needed,
    /// otherwise `Ok(None)` is returned when it does not exist yet. `write` refuses a
    /// read-only database before `f` runs.
    fn with<T>(
        &self,
        create: bool,
        write: bool,
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
            Some((_, StoreState::ReadOnly)) if write => Err(StoreError::ReadOnly {
                path: self.path.display().to_string(),
            }),
            Some((c, _)) => f(c).map(Some),
            None => Ok(None),
        }
    }

    /// Opens, retrying while another connection holds the lock: switching a new database to
    /// WAL and migrating it need it exclusively, and SQLite does not wait for that itself.
    fn open_retrying(&self) -> Result<(Connection, StoreState), StoreError> {
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

    /// Opens after [`Store::check`]: a read-only database on a read-only connection (its
    /// journal mode untouched); otherwise in WAL mode, migrated and marked as nabij's.
    fn open(&self) -> Result<(Connection, StoreState), StoreError> {
        let state = self.check()?;
        if state == StoreState::ReadOnly {
            let c = read_only(&self.path).map_err(|e| self.err(e))?;
            c.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
            return Ok((c, state));
        }
        if state == StoreState::New
            && let Some(dir) = self.path.parent()
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
        self.remember(StoreState::Ready);
        Ok((c, StoreState::Ready))
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
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        // A database of a nabij from before the mark: marked now.
        let app: i64 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if app != APPLICATION_ID {
            c.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| self.err(e))?;
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
        Ok(self
            .save_once(scenario, need, baseline, created_at, None)?
            .0)
    }

    /// Saves a scenario whole, in one transaction. With an idempotency key that names a
    /// scenario saved within [`IDEMPOTENCY_WINDOW_S`], nothing is saved and that scenario's
    /// id is returned with `true` (a retried request gets its first answer).
    pub fn save_once(
        &self,
        scenario: &Scenario,
        need: &NeedProfile,
        baseline: &str,
        created_at: &str,
        key: Option<&str>,
    ) -> Result<(String, bool), StoreError> {
        let body = serde_json::to_string(scenario).map_err(|e| self.other(e.to_string()))?;
        let need_json = serde_json::to_string(need).map_err(|e| self.other(e.to_string()))?;
        let id = new_id(&body);
        let request = request_print(&body, &need_json);
        let now_s = unix_now_s();
        let saved = self.with(true, true, |c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| self.err(e))?;
            if let Some(key) = key {
                // Keys past the window are forgotten here, where writes happen anyway.
                tx.execute(
                    "DELETE FROM idempotency WHERE created_s <= ?1",
                    params![now_s - IDEMPOTENCY_WINDOW_S],
                )
                .map_err(|e| self.err(e))?;
                if let Some(first) = self.first_for(&tx, key, &request, now_s)? {
                    return Ok((first, true));
                }
                tx.execute(
                    "INSERT OR REPLACE INTO idempotency (key, request, scenario_id, created_s) VALUES (?1, ?2, ?3, ?4)",
                    params![key, request, id, now_s],
                )
                .map_err(|e| self.err(e))?;
            }
            tx.execute(
                "INSERT INTO scenarios (id, name, scenario, need, baseline, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, scenario.name, body, need_json, baseline, created_at],
            )
            .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
            Ok((id.clone(), false))
        })?;
        saved.ok_or_else(|| self.other("the database could not be opened"))
    }

    /// The scenario an idempotency key named within the window for this same request, if
    /// any; the key used for another request is [`StoreError::KeyReused`].
    pub fn id_for_key(
        &self,
        key: &str,
        scenario: &Scenario,
        need: &NeedProfile,
    ) -> Result<Option<String>, StoreError> {
        let body = serde_json::to_string(scenario).map_err(|e| self.other(e.to_string()))?;
        let need_json = serde_json::to_string(need).map_err(|e| self.other(e.to_string()))?;
        let request = request_print(&body, &need_json);
        let now_s = unix_now_s();
        Ok(self
            .with(false, false, |c| self.first_for(c, key, &request, now_s))?
            .flatten())
    }

    /// The scenario `key` named for `request` within the window.
    fn first_for(
        &self,
        c: &Connection,
        key: &str,
        request: &str,
        now_s: i64,
    ) -> Result<Option<String>, StoreError> {
        match key_in(c, key, now_s).map_err(|e| self.err(e))? {
            Some((id, first)) if first == request => Ok(Some(id)),
            Some(_) => Err(StoreError::KeyReused),
            None => Ok(None),
        }
    }

    pub fn list(&self) -> Result<Vec<Listed>, StoreError> {
        Ok(self
            .with(false, false, |c| {
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
            .with(false, false, |c| {
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
            .with(false, true, |c| {
                c.execute("DELETE FROM scenarios WHERE id = ?1", params![id])
                    .map(|n| n > 0)
                    .map_err(|e| self.err(e))
            })?
            .unwrap_or(false))
    }

    /// The number of saved scenarios.
    pub fn count(&self) -> Result<usize, StoreError> {
        Ok(self
            .with(false, false, |c| {
                c.query_row("SELECT COUNT(*) FROM scenarios", [], |r| r.get::<_, i64>(0))
                    .map(|n| n as usize)
                    .map_err(|e| self.err(e))
            })?
            .unwrap_or(0))
    }
}

fn unix_now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The scenario `key` named within the window, and the request it named it for.
fn key_in(c: &Connection, key: &str, now_s: i64) -> rusqlite::Result<Option<(String, String)>> {
    c.query_row(
        "SELECT scenario_id, request FROM idempotency WHERE key = ?1 AND created_s > ?2",
        params![key, now_s - IDEMPOTENCY_WINDOW_S],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// What a request asked: its scenario and need, hashed.
fn request_print(scenario_json: &str, need_json: &str) -> String {
    format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(format!("{scenario_json}\n{need_json}").as_bytes())
    )
}

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
        let s = Store::at_default(&path);
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
        assert_eq!(s.check().expect("check"), StoreState::Ready);
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
        c.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("mark");
        c.pragma_update(None, "user_version", 99).expect("set");
        drop(c);
        let e = Store::new(&path)
            .save(&scenario("a"), &NeedProfile::default(), "b", "t")
            .expect_err("newer schema");
        assert!(e.to_string().contains("newer than this nabij knows"), "{e}");
    }

    /// Every refused file is left byte for byte as it was, and the refusal is one line.
    fn refused_unchanged(path: &Path, what: &str) {
        let before = std::fs::read(path).ok();
        let s = Store::new(path);
        let e = s.check().expect_err(what);
        assert!(matches!(e, StoreError::Refused { .. }), "{what}: {e}");
        assert!(!e.to_string().contains('\n'), "{what}: {e}");
        let e = s
            .save(&scenario("a"), &NeedProfile::default(), "b", "t")
            .expect_err(what);
        assert!(matches!(e, StoreError::Refused { .. }), "{what}: {e}");
        assert!(s.list().is_err(), "{what}: a read is refused too");
        assert_eq!(std::fs::read(path).ok(), before, "{what}: the file changed");
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        assert!(!wal.exists(), "{what}: a write-ahead log was started");
    }

    #[test]
    fn a_database_of_another_application_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("other.sqlite");
        let c = Connection::open(&path).expect("open");
        c.execute_batch("CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1);")
            .expect("foreign");
        drop(c);
        refused_unchanged(&path, "foreign");
        let e = Store::new(&path).check().expect_err("foreign").to_string();
        assert!(
            e.contains("not a nabij scenario database") && e.contains("customers"),
            "{e}"
        );
        // Another application's mark, even on an empty database.
        let marked = dir.path().join("marked.sqlite");
        let c = Connection::open(&marked).expect("open");
        c.pragma_update(None, "application_id", 0x1234)
            .expect("mark");
        drop(c);
        refused_unchanged(&marked, "another mark");
    }

    #[test]
    fn a_newer_damaged_or_special_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let newer = dir.path().join("newer.sqlite");
        let c = Connection::open(&newer).expect("open");
        c.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("mark");
        c.pragma_update(None, "user_version", 99).expect("set");
        drop(c);
        refused_unchanged(&newer, "newer");
        let damaged = dir.path().join("damaged.sqlite");
        std::fs::write(
            &damaged,
            b"SQLite format 3\0 this is no database at all, only text".repeat(100),
        )
        .expect("write");
        refused_unchanged(&damaged, "damaged");
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "scenario notes\n").expect("write");
        refused_unchanged(&text, "a text file");
        let e = Store::new(dir.path()).check().expect_err("a folder");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = Store::new("/dev/null").check().expect_err("a device");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        // A truncated nabij database.
        let whole = dir.path().join("whole.sqlite");
        let s = Store::new(&whole);
        for i in 0..50 {
            s.save(
                &scenario(&format!("s{i}")),
                &NeedProfile::default(),
                "b",
                "t",
            )
            .expect("save");
        }
        drop(s);
        let bytes = std::fs::read(&whole).expect("read");
        let truncated = dir.path().join("truncated.sqlite");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
        let e = Store::new(&truncated).check();
        assert!(
            matches!(e, Err(StoreError::Refused { .. })),
            "a truncated database: {e:?}"
        );
    }

    #[test]
    fn a_read_only_database_serves_reads_and_refuses_writes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite");
        let s = Store::new(&path);
        let id = s
            .save(&scenario("kept"), &NeedProfile::default(), "b", "t")
            .expect("save");
        drop(s);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        let s = Store::new(&path);
        assert_eq!(s.check().expect("check"), StoreState::ReadOnly);
        assert_eq!(
            s.get(&id).expect("read").map(|x| x.name).as_deref(),
            Some("kept")
        );
        assert_eq!(s.list().expect("list").len(), 1);
        let e = s
            .save(&scenario("new"), &NeedProfile::default(), "b", "t")
            .expect_err("read-only");
        assert!(matches!(e, StoreError::ReadOnly { .. }), "{e}");
        assert!(matches!(s.delete(&id), Err(StoreError::ReadOnly { .. })));
    }

    #[test]
    fn a_missing_database_is_created_only_in_a_folder_that_exists() {
        let dir = tempfile::tempdir().expect("tempdir");
        let typo = dir.path().join("no-such-folder/s.sqlite");
        let e = Store::new(&typo).check().expect_err("missing folder");
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(
            Store::new(&typo)
                .save(&scenario("a"), &NeedProfile::default(), "b", "t")
                .is_err()
        );
        assert!(!typo.parent().expect("parent").exists());
        let here = dir.path().join("s.sqlite");
        assert_eq!(Store::new(&here).check().expect("check"), StoreState::New);
        assert_eq!(
            Store::at_default(&typo).check().expect("default"),
            StoreState::New
        );
    }

    #[test]
    fn a_database_is_marked_as_nabijs_and_an_unmarked_one_of_nabij_is_adopted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sqlite");
        Store::new(&path)
            .save(&scenario("a"), &NeedProfile::default(), "b", "t")
            .expect("save");
        let c = Connection::open(&path).expect("open");
        let app: i64 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .expect("id");
        assert_eq!(app, APPLICATION_ID);
        // As an earlier nabij left it: version 1, no mark.
        c.pragma_update(None, "application_id", 0).expect("unmark");
        c.execute_batch("DROP TABLE idempotency").expect("drop");
        c.pragma_update(None, "user_version", 1).expect("v1");
        drop(c);
        let s = Store::new(&path);
        assert_eq!(s.check().expect("adopted"), StoreState::Ready);
        assert_eq!(s.list().expect("list").len(), 1);
        s.save(&scenario("b"), &NeedProfile::default(), "b", "t")
            .expect("save after migration");
        let c = Connection::open(&path).expect("open");
        let (app, version): (i64, i64) = c
            .query_row("SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version)", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("header");
        assert_eq!((app, version), (APPLICATION_ID, MIGRATIONS.len() as i64));
    }

    #[test]
    fn an_idempotency_key_returns_the_first_save() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Store::new(dir.path().join("s.sqlite"));
        let need = NeedProfile::default();
        let (a, replayed) = s
            .save_once(&scenario("a"), &need, "b", "t", Some("k1"))
            .expect("save");
        assert!(!replayed);
        let (again, replayed) = s
            .save_once(&scenario("a"), &need, "b", "t", Some("k1"))
            .expect("retry");
        assert_eq!((again.as_str(), replayed), (a.as_str(), true));
        assert_eq!(
            s.id_for_key("k1", &scenario("a"), &need).expect("key"),
            Some(a.clone())
        );
        // The same key for another request is an error, not the first answer.
        assert!(matches!(
            s.save_once(&scenario("other"), &need, "b", "t", Some("k1")),
            Err(StoreError::KeyReused)
        ));
        let (other, _) = s
            .save_once(&scenario("a"), &need, "b", "t", Some("k2"))
            .expect("another key");
        assert_ne!(other, a);
        assert_eq!(s.count().expect("count"), 2);
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
