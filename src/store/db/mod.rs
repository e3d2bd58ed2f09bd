//! One connection type over both engines (issue #20): the store's
//! functions take a `&Connection` and speak through it, whichever engine is
//! behind. Its calls have rusqlite's shape (`prepare_cached`, `query_map`,
//! `query_row`, `params!`, `r.get::<_, T>(i)`), so the statements read the
//! same as before; values go in and out as SQLite's five kinds (`Value`),
//! which is also what the change log hashes — a row read from PostgreSQL
//! hashes as the same row read from SQLite.
//!
//! A statement is written once, in SQLite's dialect with numbered `?N`
//! parameters; `postgres::translate` rewrites the few forms PostgreSQL says
//! otherwise. What only one engine has (pragmas, the online backup) goes
//! through `sqlite()` and `postgres()`.

mod params;
mod pg;
mod row;

pub use params::{Params, ParamsFromIter, ToValue, params_from_iter};
pub use pg::{PgConn, describe as describe_pg, translate};
pub use row::{FromColumn, Row, RowIndex, owned};
pub use rusqlite::types::{Value, ValueRef};

use std::cell::RefCell;

/// An error from either engine, or a value that did not fit.
#[derive(Debug)]
pub enum Error {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// `query_row` found nothing.
    NoRows,
    /// A column's value is not what the reader asked for.
    Column {
        index: usize,
        message: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Sqlite(e) => write!(f, "{e}"),
            Error::Postgres(e) => write!(f, "{}", pg::describe(e)),
            Error::NoRows => write!(f, "查询没有结果"),
            Error::Column { index, message } => write!(f, "第 {} 列：{message}", index + 1),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::Postgres(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which engine a connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// An open connection to either engine. A transaction is a state of the
/// connection (`begin`, `commit`, `rollback`), so a write hands its
/// functions the same `&Connection` a read does.
pub struct Connection {
    inner: Inner,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    /// `RefCell`: the `postgres` client wants `&mut` for every call, and
    /// the store's functions share one `&Connection`. Rows are fetched
    /// whole before a caller sees them, so no borrow outlives a call.
    Postgres(Box<RefCell<PgConn>>),
}

impl Connection {
    pub fn from_sqlite(conn: rusqlite::Connection) -> Self {
        Connection {
            inner: Inner::Sqlite(conn),
        }
    }

    pub fn from_postgres(client: postgres::Client) -> Self {
        Connection {
            inner: Inner::Postgres(Box::new(RefCell::new(PgConn::new(client)))),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Postgres(_) => Dialect::Postgres,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.dialect() == Dialect::Postgres
    }

    /// SQL for the length of `expr`'s text in bytes (UTF-8).
    pub fn byte_length(&self, expr: &str) -> String {
        match self.dialect() {
            Dialect::Sqlite => format!("length(CAST({expr} AS BLOB))"),
            Dialect::Postgres => format!("octet_length({expr})"),
        }
    }

    /// SQL for the Beijing-time day (`YYYY-MM-DD`) of a Unix time.
    pub fn local_day(&self, expr: &str) -> String {
        match self.dialect() {
            Dialect::Sqlite => format!("date({expr}, 'unixepoch', '+8 hours')"),
            Dialect::Postgres => {
                format!("to_char(to_timestamp({expr} + 8 * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
            }
        }
    }

    /// The database server's clock in Unix seconds, where there is one:
    /// operators' desktops share a PostgreSQL server but not their clocks,
    /// and the server holds a role's writes to its own time
    /// (`store::postgres::log`). A SQLite file has no clock of its own.
    pub fn server_clock(&self) -> Result<Option<i64>> {
        match self.dialect() {
            Dialect::Sqlite => Ok(None),
            Dialect::Postgres => self
                .query_row(
                    "SELECT CAST(floor(extract(epoch FROM clock_timestamp())) AS BIGINT)",
                    (),
                    |r| r.get(0),
                )
                .map(Some),
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, backup).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    /// The PostgreSQL client, for what only PostgreSQL has (LISTEN, COPY).
    pub fn postgres(&self) -> Option<std::cell::RefMut<'_, PgConn>> {
        match &self.inner {
            Inner::Sqlite(_) => None,
            Inner::Postgres(c) => Some(c.borrow_mut()),
        }
    }

    pub fn into_sqlite(self) -> Option<rusqlite::Connection> {
        match self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    /// A statement prepared once per connection and kept.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        self.statement(sql, true)
    }

    /// A statement prepared for this use only (one built at run time).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        self.statement(sql, false)
    }

    fn statement(&self, sql: &str, cached: bool) -> Result<Statement<'_>> {
        let kind = match &self.inner {
            Inner::Sqlite(c) if cached => Kind::Cached(c.prepare_cached(sql)?),
            Inner::Sqlite(c) => Kind::Plain(c.prepare(sql)?),
            Inner::Postgres(c) => Kind::Postgres {
                stmt: c.borrow_mut().prepare(sql, cached)?,
                conn: c,
                sql: sql.to_string(),
            },
        };
        Ok(Statement { kind })
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Runs an INSERT into a table with an `id` column; returns the new
    /// row's id (`RETURNING id`, which both engines understand).
    pub fn insert<P: Params>(&self, sql: &str, params: P) -> Result<i64> {
        self.prepare_cached(&format!("{sql} RETURNING id"))?
            .query_row(params, |r| r.get(0))
    }

    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Statements without parameters, separated by semicolons.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(c) => c.borrow_mut().batch(sql),
        }
    }

    /// Starts a transaction that writes: SQLite takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so a write never fails half-way on a
    /// lock another writer took first.
    pub fn begin(&self) -> Result<()> {
        self.execute_batch(match self.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        })
    }

    /// Starts a transaction that only reads: one snapshot for all its
    /// statements, no write lock taken.
    pub fn begin_snapshot(&self) -> Result<()> {
        self.execute_batch("BEGIN")
    }

    pub fn commit(&self) -> Result<()> {
        self.execute_batch("COMMIT")
    }

    pub fn rollback(&self) -> Result<()> {
        self.execute_batch("ROLLBACK")
    }

    /// True inside a transaction.
    pub fn in_transaction(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(c) => !c.is_autocommit(),
            Inner::Postgres(c) => c.borrow().in_transaction(),
        }
    }
}

/// A prepared statement of either engine.
pub struct Statement<'c> {
    kind: Kind<'c>,
}

enum Kind<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Plain(rusqlite::Statement<'c>),
    Postgres {
        conn: &'c RefCell<PgConn>,
        stmt: postgres::Statement,
        sql: String,
    },
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        match &mut self.kind {
            Kind::Cached(s) => Ok(s.execute(params::sqlite(&values))?),
            Kind::Plain(s) => Ok(s.execute(params::sqlite(&values))?),
            Kind::Postgres { conn, stmt, .. } => conn.borrow_mut().execute(stmt, &values),
        }
    }

    /// The rows, each mapped by `f` as it is reached.
    pub fn query_map<T, P, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        let values = params.values();
        let rows = match &mut self.kind {
            Kind::Cached(s) => Rows::Sqlite(s.query(params::sqlite(&values))?),
            Kind::Plain(s) => Rows::Sqlite(s.query(params::sqlite(&values))?),
            Kind::Postgres { conn, stmt, .. } => {
                Rows::Postgres(conn.borrow_mut().query(stmt, &values)?.into_iter())
            }
        };
        Ok(MappedRows { rows, f })
    }

    /// The rows, to step through with `next()`.
    pub fn query<P: Params>(&mut self, params: P) -> Result<RowCursor<'_>> {
        let values = params.values();
        let rows = match &mut self.kind {
            Kind::Cached(s) => Rows::Sqlite(s.query(params::sqlite(&values))?),
            Kind::Plain(s) => Rows::Sqlite(s.query(params::sqlite(&values))?),
            // Read a batch at a time through a cursor: these are the reads
            // of whole tables (exports, `check`), which would otherwise be
            // held in memory whole.
            Kind::Postgres { conn, sql, .. } => Rows::Cursor(pg::Cursor::open(conn, sql, &values)?),
        };
        Ok(RowCursor {
            rows,
            current: None,
        })
    }

    /// The first row mapped by `f`; `Error::NoRows` when there is none.
    pub fn query_row<T, P: Params>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut f = Some(f);
        let mut rows = self.query_map(params, |r| (f.take().expect("one row"))(r))?;
        rows.next().unwrap_or(Err(Error::NoRows))
    }

    /// True when the statement returns at least one row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        Ok(self
            .query_map(params, |_| Ok(()))?
            .next()
            .transpose()?
            .is_some())
    }
}

enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres(std::vec::IntoIter<postgres::Row>),
    Cursor(pg::Cursor<'s>),
}

/// The rows of `query`, one at a time.
pub struct RowCursor<'s> {
    rows: Rows<'s>,
    current: Option<postgres::Row>,
}

impl RowCursor<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.rows {
            Rows::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            Rows::Postgres(rows) => {
                self.current = rows.next();
                Ok(self.current.as_ref().map(Row::Postgres))
            }
            Rows::Cursor(rows) => {
                self.current = rows.next()?;
                Ok(self.current.as_ref().map(Row::Postgres))
            }
        }
    }
}

/// The rows of `query_map`, mapped one by one.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match &mut self.rows {
            Rows::Sqlite(rows) => match rows.next() {
                Ok(Some(r)) => Some((self.f)(&Row::Sqlite(r))),
                Ok(None) => None,
                Err(e) => Some(Err(e.into())),
            },
            Rows::Postgres(rows) => rows.next().map(|r| (self.f)(&Row::Postgres(&r))),
            Rows::Cursor(rows) => match rows.next() {
                Ok(Some(r)) => Some((self.f)(&Row::Postgres(&r))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            },
        }
    }
}

/// `.optional()` on a single-row result, as rusqlite has it.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Parameters in rusqlite's `params!` form: `params![a, b, c]`.
#[macro_export]
macro_rules! db_params {
    () => {
        &[] as &[&dyn $crate::store::db::ToValue]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::db::ToValue),+] as &[&dyn $crate::store::db::ToValue]
    };
}
pub use crate::db_params as params;
