//! Opening a database file safely for many processes at once (SPEC §6):
//! filesystem check, pragmas, and the migration runner.

use super::schema::{LATEST, MIGRATIONS};
use super::{Store, StoreError};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a jianguan file: "JIAN" in ASCII.
pub const APPLICATION_ID: i64 = 0x4A49_414E;

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// A waiting writer sleeps a random 1–10 ms between tries.
const BUSY_SLEEP_MICROS: (u64, u64) = (1_000, 10_000);

/// The busy handler. SQLite's own sleeps ever longer between tries (up to
/// 100 ms each), so under many writers one that has waited long keeps
/// losing the lock to newcomers that try more often (the stress test saw
/// 12 s). Short random sleeps keep every waiter in the race alike.
fn busy_wait(attempt: i32) -> bool {
    let (low, high) = BUSY_SLEEP_MICROS;
    let tries = BUSY_TIMEOUT.as_micros() as u64 / ((low + high) / 2);
    if attempt as u64 >= tries {
        return false;
    }
    std::thread::sleep(Duration::from_micros(low + next_random() % (high - low)));
    true
}

/// A per-thread xorshift generator seeded from the process and the clock:
/// enough to keep waiting processes out of step.
fn next_random() -> u64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos() as u64);
            (u64::from(std::process::id()) << 32 | nanos) | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Create the file if it does not exist.
    pub create: bool,
    /// The operator accepts a network filesystem: use a rollback journal,
    /// since WAL needs shared memory that NFS/SMB cannot provide.
    pub allow_network_fs: bool,
}

/// Filesystems on which WAL's shared-memory index is unsafe, by statfs magic.
const NETWORK_FILESYSTEMS: &[(i64, &str)] = &[
    (0x6969, "NFS"),
    (0x517B, "SMB"),
    (0xFF53_4D42, "CIFS"),
    (0xFE53_4D42, "SMB2"),
    (0x6573_5546, "FUSE"),
    (0x0102_1997, "9P"),
    (0x5346_414F, "AFS"),
    (0x00C3_6400, "Ceph"),
];

/// The name of the network filesystem holding `dir`, if it is one.
fn network_filesystem(dir: &Path) -> Option<&'static str> {
    let st = nix::sys::statfs::statfs(dir).ok()?;
    #[allow(clippy::unnecessary_cast)] // the field's type differs by platform
    let magic = st.filesystem_type().0 as i64;
    NETWORK_FILESYSTEMS
        .iter()
        .find(|(m, _)| *m == magic)
        .map(|(_, name)| *name)
}

fn existing_dir_of(path: &Path) -> PathBuf {
    let mut dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    while !dir.exists() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => return PathBuf::from("."),
        }
    }
    dir
}

/// Opens (and if asked, creates) a database, brings its schema up to date
/// and returns the store. Safe to call from many processes at once.
pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store, StoreError> {
    let network = network_filesystem(&existing_dir_of(path));
    if let Some(fs) = network
        && !opts.allow_network_fs
    {
        return Err(StoreError::NetworkFilesystem {
            path: path.to_path_buf(),
            fs,
        });
    }
    if !opts.create && !path.exists() {
        return Err(StoreError::Missing(path.to_path_buf()));
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if opts.create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        source: e,
    })?;
    conn.busy_handler(Some(busy_wait))?;
    check_application_id(&conn, path, opts.create)?;
    let journal = if network.is_some() { "DELETE" } else { "WAL" };
    set_journal_mode(&conn, journal)?;
    if network.is_none() {
        super::checkpoint::install(&mut conn, path)?;
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let applied = migrate(&conn, path)?;
    Ok(Store::new(conn, path.to_path_buf(), network, applied))
}

/// A file of ours, or an empty one that `create` allows us to claim (an
/// empty file given by mistake is not turned into a database).
fn check_application_id(conn: &Connection, path: &Path, create: bool) -> Result<(), StoreError> {
    let id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if id == 0 && tables == 0 {
        // A new, empty file: the first migration claims it.
        return if create {
            Ok(())
        } else {
            Err(StoreError::Missing(path.to_path_buf()))
        };
    }
    Err(StoreError::NotOurs(path.to_path_buf()))
}

/// Switching to WAL needs a moment of exclusive access; when several
/// processes open a new file together, the busy handler is not consulted
/// for it, so retry here.
fn set_journal_mode(conn: &Connection, mode: &str) -> Result<(), StoreError> {
    let mut last = None;
    for attempt in 0..200 {
        match conn.pragma_update_and_check(None, "journal_mode", mode, |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(e) if is_busy(&e) => {
                last = Some(e);
                std::thread::sleep(Duration::from_millis(5 + attempt % 20));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(last.map(StoreError::from).unwrap_or(StoreError::Busy))
}

pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Applies the missing migrations in one `BEGIN IMMEDIATE` transaction,
/// reading the version again once the write lock is held, so that of
/// several processes opening a new file only the first applies them.
/// Returns how many migrations this call applied.
fn migrate(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let seen = user_version(conn)?;
    if seen > LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: seen,
            supported: LATEST,
        });
    }
    if seen == LATEST {
        return Ok(0);
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let current = user_version(&tx)?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            supported: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql).map_err(|e| StoreError::Migration {
            version: i as i64 + 1,
            source: e,
        })?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", LATEST)?;
    tx.commit()?;
    Ok(LATEST - current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_handler_waits_within_bounds_and_gives_up_at_the_timeout() {
        let (low, high) = BUSY_SLEEP_MICROS;
        let tries = (BUSY_TIMEOUT.as_micros() as u64 / ((low + high) / 2)) as i32;
        assert!(
            !busy_wait(tries),
            "gives up after the timeout's worth of tries"
        );
        let t = std::time::Instant::now();
        assert!(busy_wait(0));
        assert!(t.elapsed() >= Duration::from_micros(low));
        let draws: std::collections::HashSet<u64> = (0..20).map(|_| next_random() % 1000).collect();
        assert!(draws.len() > 10, "sleeps differ: {draws:?}");
    }
}
