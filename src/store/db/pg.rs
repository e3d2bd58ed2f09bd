//! The PostgreSQL side of `db::Connection`: statements rewritten from the
//! SQLite dialect, parameters sent as the types the server inferred, and
//! values read back as SQLite's kinds.

use super::{Error, Result, ValueRef};
use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use std::cell::RefCell;
use std::collections::HashMap;

/// A PostgreSQL client with its prepared statements.
pub struct PgConn {
    client: postgres::Client,
    cache: HashMap<String, postgres::Statement>,
    in_transaction: bool,
    /// This session's server process, once it listens for others' commits.
    listening: Option<i32>,
    /// Others' commits heard so far.
    heard: i64,
    /// Cursors opened so far, to name each anew.
    cursors: u64,
}

impl PgConn {
    pub(super) fn new(client: postgres::Client) -> Self {
        PgConn {
            client,
            cache: HashMap::new(),
            in_transaction: false,
            listening: None,
            heard: 0,
            cursors: 0,
        }
    }

    /// Changes whenever another session commits a write to a logged table
    /// (the noting trigger's `pg_notify`): PostgreSQL's counterpart of
    /// SQLite's `data_version`. Never waits: it takes what has arrived.
    pub fn data_version(&mut self) -> Result<i64> {
        // A round trip first: the server hands this session the notices
        // of commits made before it answers, so a commit another process
        // has just returned from is heard now, not at the next call.
        self.client.batch_execute("")?;
        let me = match self.listening {
            Some(pid) => pid,
            None => {
                self.client.batch_execute("LISTEN jianguan")?;
                let pid: i32 = self
                    .client
                    .query_one("SELECT pg_backend_pid()", &[])?
                    .get(0);
                self.listening = Some(pid);
                pid
            }
        };
        let mut notices = self.client.notifications();
        let mut iter = notices.iter();
        while let Some(n) = iter.next()? {
            if n.process_id() != me {
                self.heard += 1;
            }
        }
        Ok(self.heard)
    }

    pub(super) fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    pub(super) fn prepare(&mut self, sql: &str, cached: bool) -> Result<postgres::Statement> {
        if cached && let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let translated = translate(sql);
        let stmt = self
            .client
            .prepare(&translated)
            .inspect_err(|e| trace(&translated, e))?;
        if cached {
            self.cache.insert(sql.to_string(), stmt.clone());
        }
        Ok(stmt)
    }

    pub(super) fn execute(
        &mut self,
        stmt: &postgres::Statement,
        values: &[ValueRef<'_>],
    ) -> Result<usize> {
        let params: Vec<Param<'_>> = values.iter().map(|v| Param(*v)).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.client.execute(stmt, &refs)? as usize)
    }

    pub(super) fn query(
        &mut self,
        stmt: &postgres::Statement,
        values: &[ValueRef<'_>],
    ) -> Result<Vec<postgres::Row>> {
        let params: Vec<Param<'_>> = values.iter().map(|v| Param(*v)).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.client.query(stmt, &refs)?)
    }

    /// Writes `rows` into `table`'s `columns` with COPY (binary): what
    /// moving a database over takes, a million rows a minute or better
    /// where one INSERT each would take an hour. `each` hears the count
    /// every 100,000 rows. Returns how many rows went in.
    pub fn copy_in(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &mut dyn Iterator<Item = Result<Vec<super::Value>>>,
        each: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        use postgres::binary_copy::BinaryCopyInWriter;
        let list = columns.join(", ");
        let types: Vec<Type> = self
            .client
            .prepare(&format!("SELECT {list} FROM {table}"))?
            .columns()
            .iter()
            .map(|c| c.type_().clone())
            .collect();
        let sink = self
            .client
            .copy_in(&format!("COPY {table} ({list}) FROM STDIN (FORMAT binary)"))?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        let mut n = 0u64;
        for row in rows {
            let row = row?;
            let params: Vec<Param<'_>> = row.iter().map(|v| Param(v.into())).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
            writer.write(&refs)?;
            n += 1;
            if n.is_multiple_of(100_000) {
                each(n);
            }
        }
        writer.finish()?;
        Ok(n)
    }

    pub(super) fn batch(&mut self, sql: &str) -> Result<()> {
        let result = self.client.batch_execute(&translate(sql));
        let head = sql.trim_start().to_ascii_uppercase();
        if head.starts_with("BEGIN") {
            self.in_transaction = result.is_ok();
        } else if head == "COMMIT" || head == "ROLLBACK" || head == "END" {
            self.in_transaction = false;
        }
        Ok(result?)
    }
}

/// A statement PostgreSQL would not prepare, on stderr when
/// `JIANGUAN_TRACE_SQL` is set (debug builds): what a developer porting a
/// statement needs and an operator never sees.
fn trace(sql: &str, e: &postgres::Error) {
    if cfg!(debug_assertions) && std::env::var_os("JIANGUAN_TRACE_SQL").is_some() {
        eprintln!("-- {}\n{sql}", describe(e));
    }
}

/// The server's own message where there is one (`Display` alone says only
/// "db error"), else the client's and its cause.
pub fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("{}（{detail}）", db.message()),
            None => db.message().to_string(),
        };
    }
    match std::error::Error::source(e) {
        // rustls' words for a certificate it does not trust (see
        // `store::postgres::tls`).
        Some(cause) if cause.to_string().contains("certificate") => format!(
            "{e}：{cause}——服务器的证书不受信任，或与地址中的主机名不符：请在地址中用 sslrootcert=CA证书文件 \
             指定签发它的 CA（例如 ?sslrootcert=/etc/ssl/jianguan-ca.pem），并用证书上的主机名连接"
        ),
        Some(cause) if cause.downcast_ref::<std::io::Error>().is_some() => format!(
            "{e}：{cause}——请检查地址中的主机、端口或 host= 套接字目录，以及服务器是否在运行"
        ),
        Some(cause) => format!("{e}：{cause}"),
        None => e.to_string(),
    }
}

/// Rows read through a server-side cursor, a batch at a time: what SQLite
/// does stepping through a statement. WITH HOLD, so it needs no transaction
/// of its own (the server keeps the rows of its snapshot); closed once read
/// to the end, or when dropped.
pub struct Cursor<'c> {
    conn: &'c RefCell<PgConn>,
    name: String,
    fetch: postgres::Statement,
    batch: std::vec::IntoIter<postgres::Row>,
    open: bool,
}

/// Rows a FETCH brings: enough to make round trips rare, few enough that a
/// batch of the widest rows (checklists) stays a few megabytes.
const BATCH: usize = 1000;

impl<'c> Cursor<'c> {
    pub(super) fn open(
        conn: &'c RefCell<PgConn>,
        sql: &str,
        values: &[ValueRef<'_>],
    ) -> Result<Self> {
        let mut pg = conn.borrow_mut();
        pg.cursors += 1;
        let name = format!("jg_cursor_{}", pg.cursors);
        let declare = format!(
            "DECLARE {name} NO SCROLL CURSOR WITH HOLD FOR {}",
            translate(sql)
        );
        let stmt = pg
            .client
            .prepare(&declare)
            .inspect_err(|e| trace(&declare, e))?;
        pg.execute(&stmt, values)?;
        let fetch = pg.client.prepare(&format!("FETCH {BATCH} FROM {name}"))?;
        Ok(Cursor {
            conn,
            name,
            fetch,
            batch: Vec::new().into_iter(),
            open: true,
        })
    }

    pub(super) fn next(&mut self) -> Result<Option<postgres::Row>> {
        if let Some(row) = self.batch.next() {
            return Ok(Some(row));
        }
        if !self.open {
            return Ok(None);
        }
        let rows = self.conn.borrow_mut().client.query(&self.fetch, &[])?;
        if rows.len() < BATCH {
            self.close()?;
        }
        self.batch = rows.into_iter();
        Ok(self.batch.next())
    }

    fn close(&mut self) -> Result<()> {
        self.open = false;
        self.conn
            .borrow_mut()
            .client
            .batch_execute(&format!("CLOSE {}", self.name))?;
        Ok(())
    }
}

impl Drop for Cursor<'_> {
    fn drop(&mut self) {
        // Left before its end (an error, an early return): the server
        // would keep its rows until the session ends. Nothing to do if the
        // connection is busy or broken.
        if self.open
            && let Ok(mut pg) = self.conn.try_borrow_mut()
        {
            self.open = false;
            let _ = pg.client.batch_execute(&format!("CLOSE {}", self.name));
        }
    }
}

/// A statement in SQLite's dialect as PostgreSQL writes it: `?N` is `$N`,
/// `INSERT OR IGNORE` is `ON CONFLICT DO NOTHING`, a JSON list of ids
/// (`json_each(?N)`) is unnested, `instr` is `strpos`, and `IS NOT 'x'` is
/// `IS DISTINCT FROM 'x'`. Nothing inside quotes is touched.
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 1;
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = if digits.is_empty() {
                    next
                } else {
                    digits.parse().unwrap_or(next)
                };
                next = next.max(n + 1);
                out.push('$');
                out.push_str(&n.to_string());
            }
            None => out.push(c),
        }
    }
    let mut sql = out;
    if sql.contains("INSERT OR IGNORE INTO") {
        sql = sql.replace("INSERT OR IGNORE INTO", "INSERT INTO");
        let body = sql.trim_end().trim_end_matches(';').to_string();
        sql = match body.rfind("RETURNING") {
            Some(at) => format!(
                "{} ON CONFLICT DO NOTHING {}",
                body[..at].trim_end(),
                &body[at..]
            ),
            None => format!("{body} ON CONFLICT DO NOTHING"),
        };
    }
    while let Some(at) = sql.find("json_each(") {
        let open = at + "json_each(".len();
        let Some(len) = sql[open..].find(')') else {
            break;
        };
        let arg = sql[open..open + len].to_string();
        sql.replace_range(
            at..open + len + 1,
            &format!(
                "(SELECT CAST(value AS BIGINT) AS value FROM json_array_elements_text(CAST({arg} AS json)))"
            ),
        );
    }
    sql.replace("instr(", "strpos(")
        .replace(" IS NOT '", " IS DISTINCT FROM '")
}

/// A parameter as the type PostgreSQL inferred for it.
#[derive(Debug)]
struct Param<'a>(ValueRef<'a>);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                _ => i.to_string().to_sql(&Type::TEXT, out),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::FLOAT8 => f.to_sql(ty, out),
                _ => f.to_string().to_sql(&Type::TEXT, out),
            },
            ValueRef::Text(t) => match *ty {
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(t);
                    Ok(IsNull::No)
                }
                Type::INT8 | Type::INT4 | Type::INT2 => {
                    Err(format!("“{}”不是整数", String::from_utf8_lossy(t)).into())
                }
                _ => {
                    out.extend_from_slice(t);
                    Ok(IsNull::No)
                }
            },
            ValueRef::Blob(b) => {
                out.extend_from_slice(b);
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A column's raw bytes and type, read without conversion.
struct Raw<'a> {
    ty: Type,
    bytes: Option<&'a [u8]>,
}

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Raw {
            ty: ty.clone(),
            bytes: Some(raw),
        })
    }

    fn from_sql_null(ty: &Type) -> Result<Self, BoxError> {
        Ok(Raw {
            ty: ty.clone(),
            bytes: None,
        })
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// The value at `idx` as SQLite's kinds.
pub(super) fn value_at(row: &postgres::Row, idx: usize) -> Result<ValueRef<'_>> {
    let raw: Raw<'_> = row.try_get(idx)?;
    let Some(b) = raw.bytes else {
        return Ok(ValueRef::Null);
    };
    let column = |message: String| Error::Column {
        index: idx,
        message,
    };
    let fixed = |n: usize| -> Result<&[u8]> {
        (b.len() == n)
            .then_some(b)
            .ok_or_else(|| column(format!("{} 的长度不是 {n}", raw.ty)))
    };
    Ok(match raw.ty {
        Type::INT8 => ValueRef::Integer(i64::from_be_bytes(fixed(8)?.try_into().unwrap())),
        Type::INT4 => ValueRef::Integer(i32::from_be_bytes(fixed(4)?.try_into().unwrap()) as i64),
        Type::INT2 => ValueRef::Integer(i16::from_be_bytes(fixed(2)?.try_into().unwrap()) as i64),
        Type::OID => ValueRef::Integer(u32::from_be_bytes(fixed(4)?.try_into().unwrap()) as i64),
        Type::BOOL => ValueRef::Integer((fixed(1)?[0] != 0) as i64),
        Type::FLOAT8 => ValueRef::Real(f64::from_be_bytes(fixed(8)?.try_into().unwrap())),
        Type::FLOAT4 => ValueRef::Real(f32::from_be_bytes(fixed(4)?.try_into().unwrap()) as f64),
        Type::NUMERIC => numeric(b).map_err(column)?,
        Type::BYTEA => ValueRef::Blob(b),
        // Text of every kind, JSON included; jsonb carries a version byte.
        Type::JSONB => ValueRef::Text(b.get(1..).unwrap_or_default()),
        _ => ValueRef::Text(b),
    })
}

/// NUMERIC's binary form (base-10000 digits): a whole number is an Integer,
/// anything else a Real.
fn numeric(b: &[u8]) -> Result<ValueRef<'static>, String> {
    let word = |i: usize| -> Result<i16, String> {
        b.get(i..i + 2)
            .map(|w| i16::from_be_bytes([w[0], w[1]]))
            .ok_or_else(|| "NUMERIC 的数据不完整".to_string())
    };
    let (ndigits, weight, sign) = (word(0)?, word(2)?, word(4)? as u16);
    if sign == 0xC000 {
        return Err("NUMERIC 为 NaN".into());
    }
    let mut whole: i128 = 0;
    let mut value: f64 = 0.0;
    let mut exact = true;
    for i in 0..ndigits.max(0) as usize {
        let d = word(8 + 2 * i)? as i128;
        let power = weight as i32 - i as i32;
        value += d as f64 * 10000f64.powi(power);
        if power >= 0 {
            whole = whole.saturating_add(d.saturating_mul(10000i128.saturating_pow(power as u32)));
        } else if d != 0 {
            exact = false;
        }
    }
    let negative = sign == 0x4000;
    if exact && let Ok(i) = i64::try_from(whole) {
        return Ok(ValueRef::Integer(if negative { -i } else { i }));
    }
    Ok(ValueRef::Real(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_rewritten_outside_quotes_only() {
        assert_eq!(
            translate("SELECT a FROM t WHERE b = ?2 AND c = '?1' AND d = ?"),
            "SELECT a FROM t WHERE b = $2 AND c = '?1' AND d = $3"
        );
        assert_eq!(
            translate("INSERT OR IGNORE INTO t (a) VALUES (?1) RETURNING a"),
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING a"
        );
        assert_eq!(
            translate("INSERT OR IGNORE INTO t (a) VALUES (?1)"),
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING"
        );
        assert_eq!(
            translate("SELECT j.value FROM json_each(?1) j WHERE x IS NOT 'y'"),
            "SELECT j.value FROM (SELECT CAST(value AS BIGINT) AS value FROM \
             json_array_elements_text(CAST($1 AS json))) j WHERE x IS DISTINCT FROM 'y'"
        );
    }

    #[test]
    fn numeric_reads_as_an_integer_when_whole() {
        // 12345678 = 1234 * 10000 + 5678: two digits, weight 1.
        let whole = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xD2, 0x16, 0x2E];
        assert_eq!(numeric(&whole).unwrap(), ValueRef::Integer(12_345_678));
        // -1.5: digits 1 and 5000, weight 0, negative, scale 1.
        let half = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert_eq!(numeric(&half).unwrap(), ValueRef::Real(-1.5));
        assert_eq!(
            numeric(&[0, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
            ValueRef::Integer(0)
        );
    }
}
