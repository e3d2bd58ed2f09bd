//! The only place that speaks SQL. Functions take a `&Connection` (a
//! transaction derefs to one), return domain types, and keep no statement
//! open once they return. SQLite-only features stay behind small functions
//! here so that another backend can sit behind the same interface.

pub mod accounts;
pub mod catalogue;
pub mod changelog;
pub mod checklists;
mod checkpoint;
pub mod claims;
pub mod local_items;
pub mod milestones;
mod open;
pub mod reports;
pub mod schema;
pub mod units;

pub use open::{APPLICATION_ID, OpenOptions, open};

use crate::domain::{Account, Checklist, Keyed, LocalItem, Milestone, Timestamp};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    network_fs: Option<&'static str>,
    migrations_applied: i64,
}

impl Store {
    fn new(
        conn: Connection,
        path: PathBuf,
        network_fs: Option<&'static str>,
        migrations_applied: i64,
    ) -> Self {
        Store {
            conn,
            path,
            network_fs,
            migrations_applied,
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

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The network filesystem the file sits on, when the operator opted in.
    pub fn network_filesystem(&self) -> Option<&'static str> {
        self.network_fs
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed if `f`
    /// returns Ok, rolled back otherwise.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Transaction) -> Result<T, E>) -> Result<T, E>
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
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        if commit {
            tx.commit().map_err(StoreError::from)?;
        }
        Ok(value)
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems found.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `PRAGMA foreign_key_check`, as readable lines.
    pub fn foreign_key_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
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

    /// Copies the whole database to `dest` with SQLite's online backup API,
    /// consistent even while other processes write.
    /// A consistent copy of the whole file at `dest`, by SQLite's online
    /// backup in one step: it reads one snapshot while other processes go
    /// on committing (WAL readers do not block writers), where small steps
    /// would start over at every commit of theirs. Written next to `dest`
    /// and renamed into place, so `dest` is whole or absent.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        use rusqlite::backup::{Backup, StepResult};
        let tmp = dest.with_extension("backup-tmp");
        let _ = std::fs::remove_file(&tmp);
        let copied = (|| -> Result<(), StoreError> {
            let mut to = Connection::open(&tmp)?;
            let backup =
                Backup::new_with_names(&self.conn, rusqlite::MAIN_DB, &mut to, rusqlite::MAIN_DB)?;
            match backup.step(-1)? {
                StepResult::Done => Ok(()),
                _ => Err(StoreError::Busy),
            }
        })();
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, dest).map_err(|e| StoreError::Io {
            path: dest.to_path_buf(),
            source: e,
        })
    }
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
    #[error("{} 不是 jianguan 数据库（application_id 不符），未作任何修改", .0.display())]
    NotOurs(PathBuf),
    #[error("数据库 {} 的结构版本为 {found}，本程序只支持到 {supported}：请升级 jianguan 后再打开", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("数据库 {} 位于网络文件系统（{fs}）上，多人同时写入可能损坏文件；如确需使用，请加 --network-db（将改用回滚日志模式）", path.display())]
    NetworkFilesystem { path: PathBuf, fs: &'static str },
    #[error("数据库结构升级到版本 {version} 失败：{source}")]
    Migration {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("数据库正被其他操作员长时间占用，请稍后重试")]
    Busy,
    #[error("无法写入 {}：{source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Conflict(Box<Conflict>),
    #[error("未找到{0}")]
    NotFound(String),
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
    match e.sqlite_error_code() {
        Some(DiskFull) => {
            "磁盘已满（或文件大小受限），这次操作没有写入任何内容；请腾出空间后重试".to_string()
        }
        Some(ReadOnly) => {
            "数据库文件只读（权限或磁盘只读），这次操作没有写入任何内容；请联系管理员检查文件权限"
                .to_string()
        }
        Some(SystemIoFailure) => {
            "读写数据库文件时出错（磁盘故障、空间不足或文件大小受限），这次操作没有写入任何内容"
                .to_string()
        }
        _ => format!("数据库出错：{e}"),
    }
}

impl StoreError {
    /// True when another process held the write lock past the busy timeout.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Busy => true,
            StoreError::Sqlite(e) => open::is_busy(e),
            _ => false,
        }
    }
}

/// A column holding an enum by its key.
pub(crate) struct Key<T>(pub T);

impl<T: Keyed> FromSql for Key<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        T::from_key(s)
            .map(Key)
            .ok_or_else(|| FromSqlError::Other(format!("“{s}”不是有效的{}", T::WHAT).into()))
    }
}

/// Reads an enum column.
pub(crate) fn key<T: Keyed>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T> {
    Ok(row.get::<_, Key<T>>(idx)?.0)
}

/// Reads a nullable enum column.
pub(crate) fn opt_key<T: Keyed>(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    Ok(row.get::<_, Option<Key<T>>>(idx)?.map(|k| k.0))
}
