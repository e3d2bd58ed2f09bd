//! Opening a database file safely for many processes at once (SPEC §6):
//! filesystem check, pragmas, and the migration runner.

use super::schema::{LATEST, MIGRATIONS};
use crate::store::{Store, StoreError};
use rusqlite::{Connection, OpenFlags};
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
    // A quarter of a second: long enough that it is worth saying.
    if attempt as u64 == 250_000 / ((low + high) / 2) {
        crate::store::waiting::waiting();
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

/// The database named in messages that carry no path of their own (a
/// lock held too long, a file that turns out not to be a database): the
/// first one this process opened, which is the one its command is about.
static NAMED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

pub(in crate::store) fn named_database() -> Option<&'static Path> {
    NAMED.get().map(PathBuf::as_path)
}

/// Opens (and if asked, creates) a database, brings its schema up to date
/// and returns the store. Safe to call from many processes at once.
///
/// Every connection to a database a command works on is made here (the
/// store's other openings are of the user's own backup copies): the server
/// database (see `privilege`) by its configured path with the data group's
/// privilege, raised on this thread only while SQLite opens its files;
/// every other path with the user's own ids.
pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store, StoreError> {
    if let Some(url) = crate::store::postgres::url_of(path) {
        return crate::store::postgres::open(url, opts.create);
    }
    let server = crate::privilege::server_database(path);
    let path = server.unwrap_or(path);
    let _ = NAMED.set(path.to_path_buf());
    if server.is_some() && opts.create && !nix::unistd::getuid().is_root() {
        return Err(StoreError::ServerCreate(path.to_path_buf()));
    }
    let (mut conn, network, meta) =
        with_access(server.is_some(), || connect(path, opts, server.is_some()))
            .map_err(|e| e.naming(path))?;
    if network.is_none() {
        super::checkpoint::install(&mut conn, path, server.is_some())?;
    }
    let mut store = Store::new(conn, path.to_path_buf(), network, 0);
    store.migrations_applied = migrate(store.conn(), path).map_err(|e| e.naming(path))?;
    store.file_meta = meta;
    Ok(store)
}

/// Runs `f` with the data group's privilege when `server` (the only call of
/// `privilege::with_data_group`): `f` opens the server database's files and
/// does nothing else — no thread, no other file.
fn with_access<T>(server: bool, f: impl FnOnce() -> T) -> T {
    if server {
        crate::privilege::with_data_group(f)
    } else {
        f()
    }
}

/// The part of `open` that makes SQLite open the files: the database, and
/// by the last read its -wal and -shm, which in the server directory only
/// the data group may create.
fn connect(
    path: &Path,
    opts: &OpenOptions,
    server: bool,
) -> Result<(Connection, Option<&'static str>, Option<std::fs::Metadata>), StoreError> {
    let network = network_filesystem(&existing_dir_of(path));
    if let Some(fs) = network {
        if server {
            // A rollback journal is a new file at every write, which only
            // the data group could create: never in the server mode.
            return Err(StoreError::ServerNetworkFilesystem {
                path: path.to_path_buf(),
                fs,
            });
        }
        if !opts.allow_network_fs {
            return Err(StoreError::NetworkFilesystem {
                path: path.to_path_buf(),
                fs,
            });
        }
    }
    match std::fs::metadata(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !opts.create {
                return Err(missing(path));
            }
        }
        Err(e) => {
            return Err(StoreError::Unopenable {
                path: path.to_path_buf(),
                reason: unreachable_reason(path, &e),
            });
        }
    }
    if network.is_none() {
        repair_companions(path)?;
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if opts.create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    if server {
        flags |= OpenFlags::SQLITE_OPEN_NOFOLLOW;
    }
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::Unopenable {
            path: path.to_path_buf(),
            reason: open_failure(path, &e),
        })?;
    conn.busy_handler(Some(busy_wait))?;
    check_application_id(&conn, path, opts.create)?;
    let journal = if network.is_some() { "DELETE" } else { "WAL" };
    set_journal_mode(&conn, journal)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if server {
        keep_wal(&conn)?;
    }
    // A read opens the -wal and -shm now, while this thread may.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
    if server {
        crate::privilege::remember_server_files(path);
    }
    Ok((conn, network, std::fs::metadata(path).ok()))
}

/// The server database keeps its -wal and -shm when the last connection
/// closes: deleting them needs the privilege, which closing has not. Each
/// is kept within a bound so that a bulk import's WAL does not stay large.
fn keep_wal(conn: &Connection) -> Result<(), StoreError> {
    let mut persist: std::ffi::c_int = 1;
    conn.file_control(
        Some(rusqlite::MAIN_DB),
        rusqlite::FileControl::PersistWal(&mut persist),
    )?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    Ok(())
}

/// Another connection to a database already open (the background
/// checkpoint's), with the privilege when it is the server database, and
/// its -wal and -shm opened before the privilege is lowered.
pub(super) fn reconnect(path: &Path, server: bool) -> rusqlite::Result<Connection> {
    with_access(server, || {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if server {
            flags |= OpenFlags::SQLITE_OPEN_NOFOLLOW;
        }
        let conn = Connection::open_with_flags(path, flags)?;
        if server {
            let mut persist: std::ffi::c_int = 1;
            conn.file_control(
                Some(rusqlite::MAIN_DB),
                rusqlite::FileControl::PersistWal(&mut persist),
            )?;
        }
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        Ok(conn)
    })
}

/// A missing file; the server's own is the administrator's to restore,
/// not something an operator could `init`.
fn missing(path: &Path) -> StoreError {
    if crate::privilege::server_database(path).is_some() {
        StoreError::ServerMissing(path.to_path_buf())
    } else {
        StoreError::Missing(path.to_path_buf())
    }
}

/// Why `path` cannot be reached, in words: the directory it is in may not
/// be entered, or the file may not be read and written.
fn unreachable_reason(path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        // A link: the directory that cannot be entered is the target's.
        let (shown, via) = match std::fs::read_link(path) {
            Ok(target) => {
                let base = path.parent().unwrap_or(Path::new("."));
                (
                    base.join(&target),
                    format!("{} 指向 {}，", path.display(), target.display()),
                )
            }
            Err(_) => (path.to_path_buf(), String::new()),
        };
        let dir = shown
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        format!(
            "{via}没有进入目录 {} 的权限{}",
            dir.display(),
            server_hint()
        )
    } else {
        e.to_string()
    }
}

/// Why SQLite could not open `path`, in words, when the file system says.
fn open_failure(path: &Path, e: &rusqlite::Error) -> String {
    use nix::unistd::{AccessFlags, eaccess};
    if eaccess(path, AccessFlags::R_OK | AccessFlags::W_OK).err() == Some(nix::errno::Errno::EACCES)
    {
        return format!("没有读写这个文件的权限{}", server_hint());
    }
    e.to_string()
}

/// What a user who names the server's file (or a copy of its group's) by
/// hand should do instead.
fn server_hint() -> &'static str {
    if crate::privilege::started_setgid() && crate::privilege::server_db().is_none() {
        "（服务器配置不可信，本次没有数据组权限，见上面的提示）"
    } else {
        "（服务器上的共享数据库请直接运行 jianguan，不要加 --db；其他文件请联系它的属主）"
    }
}

/// A -wal or -shm this process may not write while the database file is
/// writable: left by a read-only period (SQLite gives them the database's
/// mode when it makes them), after which every write would fail as
/// “只读”. Fixed when the file is ours; otherwise the error names it and
/// says what to run. Never deleted: other processes may have it mapped.
fn repair_companions(path: &Path) -> Result<(), StoreError> {
    use nix::unistd::{AccessFlags, eaccess};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let rw = AccessFlags::R_OK | AccessFlags::W_OK;
    let Ok(db) = std::fs::metadata(path) else {
        return Ok(());
    };
    if eaccess(path, rw).is_err() {
        // A read-only database: reads work, writes say so themselves.
        return Ok(());
    }
    let want = db.mode() & 0o666;
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        let Ok(meta) = std::fs::symlink_metadata(&file) else {
            continue;
        };
        if !meta.is_file() || eaccess(&file, rw).is_ok() {
            continue;
        }
        let mode = meta.mode() & 0o7777;
        if meta.uid() == nix::unistd::geteuid().as_raw()
            && std::fs::set_permissions(&file, std::fs::Permissions::from_mode(want)).is_ok()
        {
            eprintln!(
                "已把 {} 的权限从 {mode:04o} 改为 {want:04o}（数据库只读期间留下的，否则写入会一直失败）",
                file.display()
            );
            continue;
        }
        let owner = nix::unistd::User::from_uid(meta.uid().into())
            .ok()
            .flatten()
            .map_or_else(|| format!("uid {}", meta.uid()), |u| u.name);
        let fixer = if owner == "root" {
            owner.clone()
        } else {
            format!("{owner} 或 root")
        };
        return Err(StoreError::StaleCompanion {
            file,
            mode,
            owner,
            fixer,
            want,
        });
    }
    Ok(())
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
        return if create { Ok(()) } else { Err(missing(path)) };
    }
    Err(StoreError::NotOurs(path.to_path_buf()))
}

/// Switching to WAL needs a moment of exclusive access; when several
/// processes open a new file together, the busy handler is not consulted
/// for it, so retry here.
fn set_journal_mode(conn: &Connection, mode: &str) -> Result<(), StoreError> {
    // Setting the mode a file already has still waits for the write lock:
    // a writer holding it would make this open fail after the retries
    // below rather than wait the busy timeout where the write is.
    let current: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if current.eq_ignore_ascii_case(mode) {
        return Ok(());
    }
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

pub(in crate::store) fn is_busy(e: &rusqlite::Error) -> bool {
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
fn migrate(db: &crate::store::Connection, path: &Path) -> Result<i64, StoreError> {
    let conn = db.sqlite().ok_or(StoreError::NotOnPostgres)?;
    let seen = user_version(conn)?;
    if seen > LATEST {
        return Err(too_new(conn, path, seen));
    }
    if seen == LATEST {
        return Ok(0);
    }
    db.begin()?;
    let applied = apply_migrations(db, conn, path);
    if applied.is_err() {
        let _ = db.rollback();
    }
    applied
}

fn apply_migrations(
    db: &crate::store::Connection,
    tx: &Connection,
    path: &Path,
) -> Result<i64, StoreError> {
    let current = user_version(tx)?;
    if current > LATEST {
        return Err(too_new(tx, path, current));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql).map_err(|e| StoreError::Migration {
            version: i as i64 + 1,
            source: e,
        })?;
    }
    crate::store::changelog::after_migrations(db, current)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", LATEST)?;
    // An older jianguan that finds this schema can then say which version
    // it needs (the `meta` table exists from V4 on).
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SCHEMA_WRITTEN_BY, env!("CARGO_PKG_VERSION")],
    )?;
    db.commit()?;
    Ok(LATEST - current)
}

/// The `meta` key naming the jianguan version that brought the schema to
/// its current version: the oldest that can open the file.
const SCHEMA_WRITTEN_BY: &str = "schema_written_by";

fn too_new(conn: &Connection, path: &Path, found: i64) -> StoreError {
    let needed = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [SCHEMA_WRITTEN_BY],
            |r| r.get::<_, String>(0),
        )
        .ok();
    StoreError::TooNew {
        path: path.to_path_buf(),
        found,
        supported: LATEST,
        needed,
    }
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
