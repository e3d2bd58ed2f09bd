//! PostgreSQL (issue #20): connecting, opening a database as a store, and
//! the schema's migrations applied once however many processes start
//! together — each takes a transaction-scoped advisory lock first, so the
//! second waits for the first's commit and then finds nothing left to do.
//! The store's statements are shared with SQLite through `store::db`;
//! `schema` holds the tables and triggers, `roles` the row-level security
//! and `pg-roles`' script, `transfer` what `migrate-to` copies with.

pub mod log;
pub mod roles;
pub mod schema;
pub mod tls;
pub mod transfer;

use super::db::params;
use super::{Connection, Store, StoreError};
use crate::domain::text::{is_bidi_control, is_control};
use postgres::{Client, NoTls};

/// The advisory lock migrations take: "jgschema" read as a number.
const MIGRATION_LOCK: i64 = 0x6a67_7363_6865_6d61;

/// The schema version this build writes.
pub fn latest() -> i64 {
    schema::migrations().len() as i64
}

fn failed(doing: &'static str) -> impl Fn(postgres::Error) -> StoreError {
    move |e| StoreError::Postgres {
        doing,
        message: describe(&e),
    }
}

use super::db::describe_pg as describe;

/// The connection string when `--db` names a PostgreSQL database rather
/// than a file: a URL (`postgres://…`), or `key=value` pairs naming at
/// least a `dbname` (`host=/run/postgresql dbname=jianguan user=lina`).
pub fn url_of(db: &std::path::Path) -> Option<&str> {
    let s = db.to_str()?;
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return Some(s);
    }
    let pairs = s.contains('=')
        && s.split_whitespace()
            .all(|p| p.split_once('=').is_some_and(|(k, _)| !k.is_empty()));
    (pairs && s.split_whitespace().any(|p| p.starts_with("dbname="))).then_some(s)
}

/// The URL as messages show it: any password left out.
pub fn shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // key=value pairs: every pair but the password.
        return url
            .split_whitespace()
            .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
            .collect::<Vec<_>>()
            .join(" ");
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let mut out = match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}@{host}")
        }
        None => format!("{scheme}://{rest}"),
    };
    if let Some(q) = query {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out
}

/// `psql`-style options for the server of `url` alone (`-h HOST -p PORT`).
pub fn server_options(url: &str) -> String {
    let Ok(config) = tls::split_root_cert(url).0.parse::<postgres::Config>() else {
        return String::new();
    };
    let mut out = Vec::new();
    for host in config.get_hosts() {
        match host {
            postgres::config::Host::Tcp(h) => out.push(format!("-h {h}")),
            postgres::config::Host::Unix(p) => out.push(format!("-h {}", p.display())),
        }
    }
    if let Some(port) = config.get_ports().first().filter(|p| **p != 5432) {
        out.push(format!("-p {port}"));
    }
    out.join(" ")
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    if !url.contains("://") {
        return url
            .split_whitespace()
            .map(|p| match p.strip_prefix("dbname=") {
                Some(_) => format!("dbname={name}"),
                None => p.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (path, query) = match rest.find(['?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = path.split_once('/').map_or(path, |(a, _)| a);
    format!("{scheme}://{authority}/{name}{query}")
}

/// The role that owns jianguan's tables.
pub fn owner(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn.query_row(
        "SELECT tableowner::text FROM pg_tables
          WHERE tablename = 'jianguan_schema' AND schemaname = current_schema()",
        (),
        |r| r.get(0),
    )?)
}

/// The database a URL names (`postgres://u@h/NAME?…`, or `dbname=NAME`),
/// or the URL.
pub fn database_name(url: &str) -> String {
    if let Some(name) = url
        .split_whitespace()
        .find_map(|p| p.strip_prefix("dbname="))
    {
        return name.to_string();
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    match path.split_once('/') {
        Some((_, db)) if !db.is_empty() => db.to_string(),
        _ => url.to_string(),
    }
}

/// The role this session logged in as, and whether it may bypass the
/// database's rules anyway (a superuser, or the owner of jianguan's
/// tables): such a session is the administrator's own, and takes its
/// account from the OS login as a file would.
pub fn session(conn: &Connection) -> Result<(String, bool), StoreError> {
    Ok(conn.query_row(
        "SELECT session_user::text,
                (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
                OR pg_has_role(session_user, (SELECT tableowner FROM pg_tables
                                               WHERE tablename = 'jianguan_schema'
                                                 AND schemaname = current_schema()), 'MEMBER')",
        (),
        |r| Ok((r.get(0)?, r.get::<_, Option<bool>>(1)?.unwrap_or(false))),
    )?)
}

/// A session holding an advisory lock, as `pg_stat_activity` shows it to
/// this session (another role's sessions: their role and process only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    pub role: String,
    pub pid: i32,
    pub application: String,
    /// Seconds since its transaction began, where the server shows it.
    pub for_secs: Option<i64>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "角色 {}（进程 {}", self.role, self.pid)?;
        if !self.application.is_empty() {
            // Any client names itself: nothing it names may steer a terminal.
            let name: String = self
                .application
                .chars()
                .filter(|c| !is_control(*c) && !is_bidi_control(*c))
                .collect();
            write!(f, "，{name}")?;
        }
        if let Some(s) = self.for_secs {
            write!(f, "，事务已进行 {s} 秒")?;
        }
        write!(f, "）")
    }
}

/// The sessions holding advisory lock `key` (a bigint lock: its high and
/// low halves, `objsubid` 1).
pub fn lock_holders(conn: &Connection, key: i64) -> Result<Vec<LockHolder>, StoreError> {
    let (high, low) = ((key >> 32) & 0xffff_ffff, key & 0xffff_ffff);
    Ok(conn
        .prepare(
            "SELECT COALESCE(a.usename::text, ''), a.pid, COALESCE(a.application_name, ''),
                    CAST(floor(extract(epoch FROM now() - a.xact_start)) AS BIGINT)
               FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                AND CAST(l.classid AS BIGINT) = ?1 AND CAST(l.objid AS BIGINT) = ?2
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              ORDER BY a.pid",
        )?
        .query_map(params![high, low], |r| {
            Ok(LockHolder {
                role: r.get(0)?,
                pid: r.get::<_, i64>(1)? as i32,
                application: r.get(2)?,
                for_secs: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// Roles no account may take over: superusers, roles that bypass
/// row-level security, and the owner of jianguan's tables (and whoever is
/// a member of it).
pub fn reserved_roles(conn: &Connection) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .prepare(
            "SELECT rolname::text FROM pg_roles
              WHERE rolsuper OR rolbypassrls
                 OR pg_has_role(rolname, (SELECT tableowner FROM pg_tables
                                           WHERE tablename = 'jianguan_schema'
                                             AND schemaname = current_schema()), 'MEMBER')",
        )?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Opens the database at `url` as a store. With `create` its schema is
/// made (or brought up to date); without, a database jianguan has not
/// set up is refused with what to run, and an older schema is upgraded.
pub fn open(url: &str, create: bool) -> Result<Store, StoreError> {
    let mut client = connect(url)?;
    let applied = if create {
        let m = migrate(&mut client)?;
        m.to - m.from
    } else {
        match version(&mut client)? {
            None => return Err(StoreError::PostgresEmpty(shown(url))),
            Some(v) if v > latest() => {
                return Err(StoreError::PostgresTooNew {
                    found: v,
                    supported: latest(),
                });
            }
            Some(v) if v < latest() => {
                let m = migrate(&mut client)?;
                m.to - m.from
            }
            Some(_) => 0,
        }
    };
    Ok(Store::from_postgres(
        Connection::from_postgres(client),
        shown(url),
        applied,
    ))
}

/// The schema version recorded, or None where jianguan has made nothing.
fn version(client: &mut Client) -> Result<Option<i64>, StoreError> {
    let exists = client
        .query_one("SELECT to_regclass('jianguan_schema') IS NOT NULL", &[])
        .map_err(failed("读取结构版本"))?
        .get::<_, bool>(0);
    if !exists {
        return Ok(None);
    }
    Ok(client
        .query_opt("SELECT version FROM jianguan_schema", &[])
        .map_err(failed("读取结构版本"))?
        .map(|r| r.get(0)))
}

/// Connects to `url` (`postgres://user@host/db`, or `host=… dbname=…`),
/// through TLS over TCP (`tls`).
pub fn connect(url: &str) -> Result<Client, StoreError> {
    let (url, root_cert) = tls::split_root_cert(url);
    let config: postgres::Config = url.parse().map_err(failed("连接失败"))?;
    let connected = if tls::wanted(&config) {
        config.connect(tls::connector(root_cert.as_deref())?)
    } else {
        config.connect(NoTls)
    };
    let mut client = connected.map_err(failed("连接失败"))?;
    // A write waits for another's as long as SQLite's busy timeout, then
    // gives up whole (`StoreError::Busy`).
    client
        .batch_execute("SET lock_timeout = '15s'")
        .map_err(failed("设置等待时限"))?;
    Ok(client)
}

/// What `migrate` found and left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    pub from: i64,
    pub to: i64,
}

/// Brings the database's schema to `latest()` in one transaction under the
/// advisory lock; a database already there is left as it is.
pub fn migrate(client: &mut Client) -> Result<Migrated, StoreError> {
    let mut tx = client.transaction().map_err(failed("开始事务"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(failed("等待结构升级锁"))?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS jianguan_schema (version BIGINT NOT NULL)")
        .map_err(failed("建立版本表"))?;
    let from: i64 = match tx
        .query_opt("SELECT version FROM jianguan_schema", &[])
        .map_err(failed("读取结构版本"))?
    {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO jianguan_schema (version) VALUES (0)", &[])
                .map_err(failed("记录结构版本"))?;
            0
        }
    };
    let migrations = schema::migrations();
    let latest = migrations.len() as i64;
    if from > latest {
        return Err(StoreError::PostgresTooNew {
            found: from,
            supported: latest,
        });
    }
    for migration in &migrations[from as usize..] {
        tx.batch_execute(migration)
            .map_err(failed("升级数据库结构"))?;
    }
    tx.execute("UPDATE jianguan_schema SET version = $1", &[&latest])
        .map_err(failed("记录结构版本"))?;
    tx.commit().map_err(failed("提交结构升级"))?;
    Ok(Migrated { from, to: latest })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_passwords_and_named_by_their_database() {
        assert_eq!(shown("postgres://op:secret@db/jg"), "postgres://op@db/jg");
        assert_eq!(shown("postgres://op@db/jg"), "postgres://op@db/jg");
        assert_eq!(
            shown("postgres://op@/jg?host=/run&password=x"),
            "postgres://op@/jg?host=/run"
        );
        assert_eq!(
            database_name("postgres://op@/jg?host=/run/postgresql"),
            "jg"
        );
        assert_eq!(database_name("postgresql://db:5432/city"), "city");
        assert!(url_of(std::path::Path::new("postgresql://x/y")).is_some());
        assert!(url_of(std::path::Path::new("/srv/postgres/x.db")).is_none());
        let kv = "host=/run/postgresql dbname=city user=lina password=secret";
        assert_eq!(url_of(std::path::Path::new(kv)), Some(kv));
        assert!(url_of(std::path::Path::new("my db=1.db")).is_none());
        assert_eq!(shown(kv), "host=/run/postgresql dbname=city user=lina");
        assert_eq!(database_name(kv), "city");
        assert_eq!(
            with_database("postgres://op@/jg?host=/run/pg", "jg2"),
            "postgres://op@/jg2?host=/run/pg"
        );
        assert_eq!(
            with_database("postgres://db:5432/city", "c2"),
            "postgres://db:5432/c2"
        );
        assert_eq!(
            with_database(kv, "c2"),
            "host=/run/postgresql dbname=c2 user=lina password=secret"
        );
        assert_eq!(
            server_options("postgres://op@/jg?host=/run/pg"),
            "-h /run/pg"
        );
    }
}
