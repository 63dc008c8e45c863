//! Whether a database is nabij's and usable, found without changing it: nabij's mark
//! (`application_id`) and schema version, read with its tables in one read transaction on a
//! read-only connection, SQLite's own quick check, and whether this process may write the
//! file and its folder. Refused files are left as they were.

use std::path::Path;

use rusqlite::Connection;

use super::{APPLICATION_ID, BUSY_TIMEOUT, MIGRATIONS, OUR_TABLES, Store, StoreError, StoreState};

impl Store {
    /// Checks the database without changing it: nabij's, of a schema this nabij knows,
    /// whole, writable or not; or missing, to be created in a folder that exists.
    pub fn check(&self) -> Result<StoreState, StoreError> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return self.check_new();
            }
            Err(e) => return Err(self.refused(format!("cannot be read: {e}"))),
        };
        if !meta.is_file() {
            return Err(self.refused(
                "is not a regular file (a folder or a device); give a file path, e.g. scenarios.sqlite",
            ));
        }
        self.inspect()?;
        let state = if self.writable(&meta) {
            StoreState::Ready
        } else {
            StoreState::ReadOnly
        };
        self.remember(state);
        Ok(state)
    }

    /// Whether saving can work: the file has a write permission bit and this process may
    /// write it (another owner's 0644 file, a read-only mount), and its folder takes the
    /// write-ahead log files.
    pub(super) fn writable(&self, meta: &std::fs::Metadata) -> bool {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        let may_write = |p: &Path| {
            std::ffi::CString::new(p.as_os_str().as_bytes())
                // SAFETY: access() reads a NUL-terminated path we own.
                .is_ok_and(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0)
        };
        let folder = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        meta.permissions().mode() & 0o222 != 0 && may_write(&self.path) && may_write(folder)
    }

    /// The state found by the last check, without touching the file (for `/health`, which
    /// must stay cheap): `None` before any check.
    pub fn last_state(&self) -> Option<StoreState> {
        match self.last.load(std::sync::atomic::Ordering::Relaxed) {
            1 => Some(StoreState::Ready),
            2 => Some(StoreState::New),
            3 => Some(StoreState::ReadOnly),
            _ => None,
        }
    }

    pub(super) fn remember(&self, state: StoreState) {
        let n = match state {
            StoreState::Ready => 1,
            StoreState::New => 2,
            StoreState::ReadOnly => 3,
        };
        self.last.store(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// A database that does not exist yet: its folder must exist, unless it is the default.
    pub(super) fn check_new(&self) -> Result<StoreState, StoreError> {
        let folder = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !self.make_folder && !folder.is_dir() {
            return Err(self.refused(format!(
                "its folder {} does not exist (a typo? create the folder or give another --database)",
                folder.display()
            )));
        }
        self.remember(StoreState::New);
        Ok(StoreState::New)
    }

    /// Reads the header and checks the file on a read-only connection.
    pub(super) fn inspect(&self) -> Result<(), StoreError> {
        // Another connection creating or migrating the database holds its lock for a
        // moment: that is worth waiting for (`open_retrying`), not a refusal.
        let damaged = |e: rusqlite::Error| {
            match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                self.err(e)
            }
            _ => self.refused(format!(
                "is not a readable SQLite database ({e}); it is left as it is: give another --database"
            )),
        }
        };
        let c = read_only(&self.path).map_err(damaged)?;
        c.busy_timeout(BUSY_TIMEOUT).map_err(damaged)?;
        // One read transaction: the header and the tables of one moment, not of a writer's
        // migration half-way.
        c.execute_batch("BEGIN").map_err(damaged)?;
        c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(damaged)?;
        let app: i64 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(damaged)?;
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(damaged)?;
        let tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
            .map_err(damaged)?;
        let ours = tables.iter().all(|t| OUR_TABLES.contains(&t.as_str()));
        // Before the mark was written, nabij's databases had version 1 and its one table.
        let unmarked_nabij =
            app == 0 && version >= 1 && ours && tables.iter().any(|t| t == "scenarios");
        let empty = app == 0 && version == 0 && tables.is_empty();
        if app != APPLICATION_ID && !unmarked_nabij && !empty {
            return Err(self.refused(format!(
                "is not a nabij scenario database (application id {app:#x}, tables: {}); it is left as it is: give another --database",
                if tables.is_empty() { "none".to_string() } else { tables.join(", ") }
            )));
        }
        if usize::try_from(version).unwrap_or(usize::MAX) > MIGRATIONS.len() {
            return Err(self.refused(format!(
                "it has schema version {version}, newer than this nabij knows ({}); use a newer nabij or another --database",
                MIGRATIONS.len()
            )));
        }
        let verdict: String = c
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(damaged)?;
        if verdict != "ok" {
            return Err(self.refused(format!(
                "is damaged (SQLite's check: {verdict}); it is left as it is: restore a backup or give another --database"
            )));
        }
        Ok(())
    }
}

/// A new id: 16 hex digits from the body, the time and a process-wide counter (unique
/// without coordination; the primary key catches the impossible clash).
/// A read-only connection; a database in write-ahead-log mode whose folder cannot take the
/// log's shared-memory file is opened as immutable (nobody can write it there anyway).
pub(super) fn read_only(path: &Path) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let c = Connection::open_with_flags(path, flags)?;
    match c.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(c),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) => {
            let uri = format!("file:{}?immutable=1", path.display());
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
        }
        Err(e) => Err(e),
    }
}
