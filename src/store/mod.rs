//! The only place that speaks SQL. Functions take a `&Connection`
//! (`db::Connection`: SQLite or PostgreSQL, inside a write's transaction or
//! not), return domain types, and keep no statement open once they return. What only one engine has stays behind small
//! functions here (`sqlite()`, `postgres()`).

pub mod accounts;
pub mod catalogue;
pub mod changelog;
pub mod checklists;
pub mod claims;
pub mod db;
pub mod local_items;
pub mod logged;
pub mod milestones;
pub mod postgres;
pub mod replay;
pub mod reports;
pub mod sqlite;
pub mod units;
pub mod waiting;

pub use db::Connection;
use sqlite::open as open_file;
pub use sqlite::open::{APPLICATION_ID, OpenOptions, open};
pub use sqlite::schema;

use crate::domain::{Account, Checklist, Keyed, LocalItem, Milestone, Timestamp};

use std::path::{Path, PathBuf};

/// An open database.
pub struct Store {
    conn: db::Connection,
    path: PathBuf,
    network_fs: Option<&'static str>,
    migrations_applied: i64,
    /// The file's metadata read while opening it: in the server mode the
    /// user's own ids may not even see it afterwards.
    file_meta: Option<std::fs::Metadata>,
}

impl Store {
    fn new(
        conn: rusqlite::Connection,
        path: PathBuf,
        network_fs: Option<&'static str>,
        migrations_applied: i64,
    ) -> Self {
        Store {
            conn: db::Connection::from_sqlite(conn),
            path,
            network_fs,
            migrations_applied,
            file_meta: None,
        }
    }

    /// A store over a PostgreSQL connection; `shown` is the URL without
    /// its password, what messages name.
    pub(crate) fn from_postgres(conn: db::Connection, shown: String, applied: i64) -> Self {
        Store {
            conn,
            path: PathBuf::from(shown),
            network_fs: None,
            migrations_applied: applied,
            file_meta: None,
        }
    }

    /// The database's short name for a title: the file's name, or a
    /// PostgreSQL database's name.
    pub fn short_name(&self) -> String {
        if self.is_postgres() {
            return postgres::database_name(&self.path.to_string_lossy());
        }
        self.path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// True for a PostgreSQL database (`--db postgres://…`).
    pub fn is_postgres(&self) -> bool {
        self.conn.is_postgres()
    }

    /// The database file's metadata (owner, group, mode), as it was when
    /// opened: a backup takes its mode and group from it.
    pub fn file_metadata(&self) -> std::io::Result<std::fs::Metadata> {
        match &self.file_meta {
            Some(m) => Ok(m.clone()),
            None => std::fs::metadata(&self.path),
        }
    }

    /// How many schema migrations opening this connection applied (0 when
    /// another process had already brought the file up to date).
    pub fn migrations_applied(&self) -> i64 {
        self.migrations_applied
    }

    /// For reads. Each read function finishes its statements before returning.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The SQLite connection of a file database (`None` on PostgreSQL).
    fn sqlite(&self) -> Result<&rusqlite::Connection, StoreError> {
        self.conn.sqlite().ok_or(StoreError::NotOnPostgres)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The network filesystem the file sits on, when the operator opted in.
    pub fn network_filesystem(&self) -> Option<&'static str> {
        self.network_fs
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed if `f`
    /// returns Ok, rolled back otherwise.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.transaction(true, f)
    }

    /// Like `write`, but with `commit == false` everything is rolled back
    /// even on success: a dry run that sees exactly what a real run would.
    pub fn transaction<T, E>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let Some(sqlite) = self.conn.sqlite() else {
            return Self::transaction_in(&self.conn, commit, f);
        };
        // Statement journals in memory while writing: the change log's row
        // triggers (store::logged) make each insert keep one, and on disk
        // that cost a bulk write a syscall a page. Only while writing, as
        // sorts then stay in memory too.
        sqlite
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(StoreError::from)?;
        let result = Self::transaction_in(&self.conn, commit, f);
        if let Some(sqlite) = self.conn.sqlite() {
            let _ = sqlite.pragma_update(None, "temp_store", "DEFAULT");
        }
        result
    }

    /// The transaction itself: rolled back unless `f` succeeds and
    /// `commit` is asked for, whatever `f` returned (or if it panicked).
    fn transaction_in<T, E>(
        conn: &Connection,
        commit: bool,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        struct Guard<'c>(&'c Connection);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                if self.0.in_transaction() {
                    let _ = self.0.rollback();
                }
            }
        }
        conn.begin().map_err(StoreError::from)?;
        let guard = Guard(conn);
        // One writer at a time on PostgreSQL too, as SQLite's BEGIN
        // IMMEDIATE makes it: the change log is a chain whose every entry
        // hashes the one before, so entries must be appended in commit
        // order. An explicit lock waits where SERIALIZABLE would abort
        // one of two writers and leave it to retry; readers never wait.
        lock_until_commit(conn, WRITE_LOCK)?;
        changelog::take_unlogged(conn)?;
        let value = f(conn)?;
        if commit {
            changelog::log_leftover(conn)?;
            conn.commit().map_err(StoreError::from)?;
        }
        drop(guard);
        Ok(value)
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    /// On PostgreSQL, how many others' commits this session has heard of.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        if let Some(mut pg) = self.conn.postgres() {
            return Ok(pg.data_version()?);
        }
        Ok(self
            .sqlite()?
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems found. PostgreSQL
    /// keeps its own pages (checksums, WAL): nothing to ask there.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        if self.is_postgres() {
            return Ok(vec!["ok".to_string()]);
        }
        let mut stmt = self.sqlite()?.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `PRAGMA foreign_key_check`, as readable lines. PostgreSQL enforces
    /// foreign keys on every write, whoever writes: none to find there.
    pub fn foreign_key_check(&self) -> Result<Vec<String>, StoreError> {
        if self.is_postgres() {
            return Ok(Vec::new());
        }
        let mut stmt = self.sqlite()?.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "{} 第{}行引用了不存在的 {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                r.get::<_, String>(2)?
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A consistent copy of the whole file at `dest` (created if need be).
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        self.backup(dest, true, || true)
    }

    /// A consistent copy of the whole file into `dest`, an empty file the
    /// caller created exclusively: never created here, never opened through
    /// a symlink, and `opened` is asked — once SQLite has the file open,
    /// before anything is written — whether it is the caller's file. No
    /// journal is made beside it (a copy that fails is thrown away whole).
    pub fn backup_into(
        &self,
        dest: &Path,
        opened: impl FnOnce() -> bool,
    ) -> Result<(), StoreError> {
        self.backup(dest, false, opened)
    }

    /// SQLite's online backup in one step: it reads one snapshot while
    /// other processes go on committing (WAL readers do not block writers),
    /// where small steps would start over at every commit of theirs.
    fn backup(
        &self,
        dest: &Path,
        create: bool,
        opened: impl FnOnce() -> bool,
    ) -> Result<(), StoreError> {
        use rusqlite::OpenFlags;
        use rusqlite::backup::{Backup, StepResult};
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NOFOLLOW
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let mut to =
            rusqlite::Connection::open_with_flags(dest, flags).map_err(|e| StoreError::Open {
                path: dest.to_path_buf(),
                source: e,
            })?;
        if !opened() {
            return Err(StoreError::Io {
                path: dest.to_path_buf(),
                source: std::io::Error::other("临时文件被他人替换，已放弃"),
            });
        }
        to.pragma_update(None, "journal_mode", "OFF")?;
        {
            let backup = Backup::new_with_names(
                self.sqlite()?,
                rusqlite::MAIN_DB,
                &mut to,
                rusqlite::MAIN_DB,
            )?;
            match backup.step(-1)? {
                StepResult::Done => {}
                _ => return Err(StoreError::Busy),
            }
        }
        to.close().map_err(|(_, e)| StoreError::from(e))
    }

    /// A copy (a backup just made) opened read-only as it stands on disk:
    /// no lock, no -wal or -shm made beside it, never through a symlink.
    pub fn open_copy(path: &Path) -> Result<Store, StoreError> {
        use rusqlite::OpenFlags;
        let mut uri = String::from("file:");
        for c in path.to_string_lossy().chars() {
            match c {
                '%' => uri.push_str("%25"),
                '?' => uri.push_str("%3f"),
                '#' => uri.push_str("%23"),
                c => uri.push(c),
            }
        }
        uri.push_str("?immutable=1");
        let conn = rusqlite::Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NOFOLLOW
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(Store::new(conn, path.to_path_buf(), None, 0))
    }

    /// Closes a database no other process has open (one `init` has just
    /// built under a temporary name) so that the file stands alone:
    /// everything checkpointed into it, in rollback-journal mode, no -wal
    /// or -shm left beside it. The next open switches it back to WAL.
    pub fn close_standalone(self) -> Result<(), StoreError> {
        // The background checkpointer may hold its own connection for a
        // moment; switching the journal mode waits for it.
        let mut last = None;
        let conn = self.sqlite()?;
        for _ in 0..500 {
            match conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
            {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(e) if open_file::is_busy(&e) => {
                    last = Some(e);
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(e) = last {
            return Err(e.into());
        }
        match self.conn.into_sqlite() {
            Some(c) => c.close().map_err(|(_, e)| StoreError::from(e)),
            None => Ok(()),
        }
    }
}

/// The lock every write on PostgreSQL takes first ("jgwrite").
pub const WRITE_LOCK: i64 = 0x006a_6777_7269_7465;

/// Makes the rest of this transaction wait for any other that asked for
/// the same `key`, until it ends. SQLite's writes (`BEGIN IMMEDIATE`) are
/// one at a time already; PostgreSQL takes a transaction-scoped advisory
/// lock.
pub fn lock_until_commit(conn: &Connection, key: i64) -> Result<(), StoreError> {
    if conn.is_postgres() {
        // Free at once, or said to be waited for, then waited for.
        let free: bool =
            conn.query_row("SELECT pg_try_advisory_xact_lock(?1)", [key], |r| r.get(0))?;
        if free {
            return Ok(());
        }
        waiting::waiting();
        let taken = conn.query_row("SELECT pg_advisory_xact_lock(?1)", [key], |_| Ok(()));
        match taken.map_err(StoreError::from) {
            Ok(()) => {}
            // The transaction is aborted: ended first, so that the server
            // can be asked who holds the lock.
            Err(StoreError::Busy) => {
                conn.rollback()?;
                return Err(StoreError::BusyOnServer(postgres::lock_holders(conn, key)?));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Who holds PostgreSQL's write lock, and what an administrator can do.
fn holders_text(holders: &[postgres::LockHolder]) -> String {
    if holders.is_empty() {
        return "；若一直如此，请数据库管理员在 pg_stat_activity 中查看长时间未结束的事务".into();
    }
    let listed: Vec<String> = holders.iter().map(|h| h.to_string()).collect();
    let pids: Vec<String> = holders.iter().map(|h| h.pid.to_string()).collect();
    format!(
        "；持有写锁的会话：{}。若它已卡住，数据库管理员可运行 SELECT pg_terminate_backend({}) 结束它",
        listed.join("、"),
        pids.join(")、pg_terminate_backend(")
    )
}

/// Marks a point inside the current transaction that `rollback_to` can
/// return to (an import undoes one bad row and goes on).
pub fn savepoint(conn: &Connection, name: &str) -> Result<(), StoreError> {
    Ok(conn.execute_batch(&format!("SAVEPOINT {name}"))?)
}

/// Keeps what was done since the savepoint.
pub fn release(conn: &Connection, name: &str) -> Result<(), StoreError> {
    Ok(conn.execute_batch(&format!("RELEASE {name}"))?)
}

/// Undoes what was done since the savepoint.
pub fn rollback_to(conn: &Connection, name: &str) -> Result<(), StoreError> {
    Ok(conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?)
}

/// A row that another operator changed between read and write.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub expected_version: i64,
    pub current: ConflictRow,
    /// Unit and name of whoever saved the current version.
    pub saved_by: String,
    pub saved_at: Timestamp,
}

/// The current state of the row the conflict is about.
#[derive(Debug, Clone)]
pub enum ConflictRow {
    Checklist(Box<Checklist>),
    LocalItem(Box<LocalItem>),
    Milestone(Milestone),
    Account(Box<Account>),
}

impl ConflictRow {
    pub fn version(&self) -> i64 {
        match self {
            ConflictRow::Checklist(c) => c.version,
            ConflictRow::LocalItem(l) => l.version,
            ConflictRow::Milestone(m) => m.version,
            ConflictRow::Account(a) => a.version,
        }
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} 已于 {} 保存了此记录（当前版本 {}），你的修改基于版本 {}，未保存；请查看对方的修改后再保存",
            self.saved_by,
            crate::domain::format_time(self.saved_at),
            self.current.version(),
            self.expected_version
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Not a `source`: the description already says what an operator can
    /// act on, and names SQLite's own message where it does not.
    #[error("{}", describe_sqlite(.0))]
    Sqlite(rusqlite::Error),
    #[error("无法打开数据库 {}：{source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("数据库 {} 不存在（或是空文件）；请先运行 `jianguan init`（或 `jianguan init --demo`）创建", .0.display())]
    Missing(PathBuf),
    /// PostgreSQL's own message, with what was being done.
    #[error("PostgreSQL：{doing}：{message}")]
    Postgres {
        doing: &'static str,
        message: String,
    },
    /// A statement PostgreSQL refused, in its own words.
    #[error("PostgreSQL：{}", db::describe_pg(.0))]
    Pg(::postgres::Error),
    #[error("数据库中第 {} 列的值不符：{message}", index + 1)]
    Column { index: usize, message: String },
    #[error(
        "PostgreSQL 数据库 {0} 还没有 jianguan 的数据：请先运行 jianguan init --db '{0}'（或 init --demo）"
    )]
    PostgresEmpty(String),
    #[error(
        "PostgreSQL 数据库的结构版本为 {found}，本程序只支持到 {supported}：请升级 jianguan 后再连接"
    )]
    PostgresTooNew { found: i64, supported: i64 },
    #[error("服务器数据库 {} 不存在；请联系管理员（root 可从备份恢复，或运行 jianguan server-setup 重建）", .0.display())]
    ServerMissing(PathBuf),
    #[error("{} 不是 jianguan 数据库（application_id 不符），未作任何修改", .0.display())]
    NotOurs(PathBuf),
    #[error("{}", too_new_text(path, *found, *supported, needed.as_deref()))]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
        /// The jianguan version that wrote this schema, when it says.
        needed: Option<String>,
    },
    #[error("数据库 {} 位于网络文件系统（{fs}）上，多人同时写入可能损坏文件；如确需使用，请加 --network-db（将改用回滚日志模式）", path.display())]
    NetworkFilesystem { path: PathBuf, fs: &'static str },
    #[error("服务器数据库 {} 位于网络文件系统（{fs}）上：服务器模式只支持本地文件系统（回滚日志每次写入都要新建文件），请把数据库移到本地磁盘并重新运行 jianguan server-setup", path.display())]
    ServerNetworkFilesystem { path: PathBuf, fs: &'static str },
    #[error("服务器数据库 {} 只能由 root 运行 jianguan server-setup 创建", .0.display())]
    ServerCreate(PathBuf),
    #[error("无法打开数据库 {}：{reason}", path.display())]
    Unopenable { path: PathBuf, reason: String },
    #[error("{} 不是数据库文件（可能是别的文件，或已严重损坏），未作任何修改：请检查 --db 指定的路径；若它原是 jianguan 数据库，请从备份恢复", .0.display())]
    NotADatabase(PathBuf),
    #[error("数据库 {} 可以写入，但 {} 是只读的（权限 {mode:04o}，属主 {owner}），多半是数据库只读期间留下的，写入会一直失败：请由 {fixer} 运行 chmod {want:o} '{}'（与数据库文件的权限一致）", database_of(file).display(), file.display(), file.display())]
    StaleCompanion {
        file: PathBuf,
        mode: u32,
        owner: String,
        /// Who may fix it: the owner, or root.
        fixer: String,
        want: u32,
    },
    #[error("数据库结构升级到版本 {version} 失败：{source}")]
    Migration {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("{}", locked_text())]
    Busy,
    /// PostgreSQL's write lock held past the wait by another session:
    /// who holds it, as the server shows it.
    #[error(
        "数据库正被另一个会话写入，等了 15 秒仍未释放，这次操作没有写入任何内容；请稍后重试{}",
        holders_text(.0)
    )]
    BusyOnServer(Vec<postgres::LockHolder>),
    #[error("无法写入 {}：{source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Conflict(Box<Conflict>),
    #[error("这项操作只适用于 SQLite 数据库文件，PostgreSQL 数据库不支持")]
    NotOnPostgres,
    #[error("未找到{0}")]
    NotFound(String),
}

impl From<db::Error> for StoreError {
    fn from(e: db::Error) -> Self {
        match e {
            db::Error::Sqlite(e) => StoreError::Sqlite(e),
            db::Error::NoRows => StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
            db::Error::Postgres(e)
                if e.code() == Some(&::postgres::error::SqlState::LOCK_NOT_AVAILABLE) =>
            {
                StoreError::Busy
            }
            db::Error::Postgres(e) => StoreError::Pg(e),
            db::Error::Column { index, message } => StoreError::Column { index, message },
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

/// SQLite's errors in words an operator can act on; a failed write has
/// been rolled back whole, so it says nothing was written.
fn describe_sqlite(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode::*;
    let file =
        || open_file::named_database().map_or_else(String::new, |p| format!(" {}", p.display()));
    match e.sqlite_error_code() {
        Some(DiskFull) => {
            "磁盘已满（或文件大小受限），这次操作没有写入任何内容；请腾出空间后重试".to_string()
        }
        Some(ReadOnly) => format!(
            "数据库文件{} 只读（权限或磁盘只读），这次操作没有写入任何内容；请联系管理员检查文件权限",
            file()
        ),
        Some(SystemIoFailure) => {
            "读写数据库文件时出错（磁盘故障、空间不足或文件大小受限），这次操作没有写入任何内容"
                .to_string()
        }
        Some(DatabaseBusy | DatabaseLocked) => locked_text(),
        Some(NotADatabase) => format!(
            "文件{}不是数据库（或已严重损坏）：请检查 --db 指定的路径；若它原是 jianguan 数据库，请从备份恢复",
            file()
        ),
        Some(DatabaseCorrupt) => format!(
            "数据库{}已损坏（{e}）：请运行 jianguan check 查看，并从最近的备份恢复",
            file()
        ),
        _ => format!("数据库出错：{e}"),
    }
}

/// A lock held past the busy timeout: who has the file open when this
/// process may see it, and what to do.
fn locked_text() -> String {
    let Some(path) = open_file::named_database() else {
        // PostgreSQL (a table, or rows, locked by another session): who
        // holds what is the server's to show.
        return "数据库中要用的数据正被另一个会话锁住，等了 15 秒仍未释放，已放弃，没有写入任何内容；请稍后重试。\
                若一直如此，请数据库管理员在 pg_locks 与 pg_stat_activity 中查看长时间未结束的事务"
            .into();
    };
    let holders = holders(path);
    let who = if holders.is_empty() {
        format!(
            "；若一直如此，请检查是否有卡住的 jianguan 或 sqlite3 进程（root 可运行 fuser -v '{}' 查看是谁）",
            path.display()
        )
    } else {
        format!(
            "；打开着它的进程：{}，若某个已卡住，可让其退出（或 kill 进程号）",
            holders.join("、")
        )
    };
    format!(
        "数据库 {} 正被另一个进程写入，等了 15 秒仍未释放，这次操作没有写入任何内容；请稍后重试{who}",
        path.display()
    )
}

/// Other processes that have `path` (or its -wal) open, as far as /proc
/// lets this process see (its own user's; all of them for root). Run only
/// when a lock was held too long; at most 10 listed.
fn holders(path: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    // /proc shows absolute, resolved paths.
    let targets = [
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        std::fs::canonicalize(&wal).unwrap_or(wal),
    ];
    let me = std::process::id();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let open = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| targets.contains(&t)));
        if !open {
            continue;
        }
        let command = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        let user = std::fs::metadata(entry.path())
            .ok()
            .and_then(|m| nix::unistd::User::from_uid(m.uid().into()).ok().flatten())
            .map(|u| u.name)
            .unwrap_or_default();
        found.push(format!("{pid}（{user}，{}）", command.trim()));
        if found.len() == 10 {
            break;
        }
    }
    found
}

fn too_new_text(path: &Path, found: i64, supported: i64, needed: Option<&str>) -> String {
    let ours = env!("CARGO_PKG_VERSION");
    let needed = match needed {
        Some(v) => format!(" jianguan {v} 或更新的版本"),
        None => format!("支持结构版本 {found} 的新版 jianguan "),
    };
    format!(
        "数据库 {} 的结构版本为 {found}，是较新的 jianguan 建立或升级的；本程序（jianguan {ours}）只支持到结构版本 {supported}，未作任何修改：请安装{needed}后再打开",
        path.display()
    )
}

/// The database a -wal or -shm belongs to.
fn database_of(companion: &Path) -> PathBuf {
    let s = companion.as_os_str().to_string_lossy();
    PathBuf::from(
        s.strip_suffix("-wal")
            .or_else(|| s.strip_suffix("-shm"))
            .unwrap_or(&s),
    )
}

impl StoreError {
    /// Names `path` in what SQLite reported without it.
    fn naming(self, path: &Path) -> StoreError {
        match &self {
            StoreError::Sqlite(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) =>
            {
                StoreError::NotADatabase(path.to_path_buf())
            }
            _ => self,
        }
    }

    /// True when another process held the write lock past the busy timeout.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Busy | StoreError::BusyOnServer(_) => true,
            StoreError::Sqlite(e) => open_file::is_busy(e),
            _ => false,
        }
    }
}

/// A column holding an enum by its key.
pub(crate) struct Key<T>(pub T);

impl<T: Keyed> db::FromColumn for Key<T> {
    fn from_column(value: db::ValueRef<'_>) -> Result<Self, String> {
        let s = String::from_column(value)?;
        T::from_key(&s)
            .map(Key)
            .ok_or_else(|| format!("“{s}”不是有效的{}", T::WHAT))
    }
}

/// Reads an enum column.
pub(crate) fn key<T: Keyed>(row: &db::Row<'_>, idx: usize) -> db::Result<T> {
    Ok(row.get::<_, Key<T>>(idx)?.0)
}

/// Reads a nullable enum column.
pub(crate) fn opt_key<T: Keyed>(row: &db::Row<'_>, idx: usize) -> db::Result<Option<T>> {
    Ok(row.get::<_, Option<Key<T>>>(idx)?.map(|k| k.0))
}
