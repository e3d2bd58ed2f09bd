//! The change log (操作记录), hash-chained: each row stores the SHA-256 of
//! the previous row's hash and its own content, so a row edited or deleted
//! with another tool breaks the chain and `jianguan check` finds it. Since
//! schema version 8 each entry also records the rows its write left behind
//! (`change_log_rows`: a hash of each row's image, see `store::logged`) and
//! its hash covers a digest of them, so `check` can replay the log against
//! the tables (`store::replay`).

use super::StoreError;
use super::logged::{self, LOGGED};
use crate::domain::{ChangeLogEntry, Id, Timestamp};

use super::db::{Connection, OptionalExtension, params};
use super::db::{Value, ValueRef};
use sha2::{Digest, Sha256};

/// The hash of the (empty) chain before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The entry that records the rows a database held when it was brought to
/// schema version 8 (or when the logged tables' list changed): the
/// baseline the replay starts from.
pub const SEAL: &str = "seal_existing";

/// The entry that takes in rows written by another tool (noted by the
/// triggers, with no entry of their own), found by the next write:
/// `check` reports it for good.
pub const UNLOGGED: &str = "unlogged_rows";

/// The entry that records rows a jianguan write left after its own entry
/// (or a write that appended none): the rows of the same transaction.
pub const MORE_ROWS: &str = "rows_of_write";

/// The entry that records rows a schema migration changed.
pub const MIGRATE: &str = "migrate";

/// How far back a log time may be from the one before it without being
/// reported. A write reads the clock once it holds the write lock, so on
/// one server's clock times only go back when the clock is set back; this
/// lets a small NTP step pass.
pub const CLOCK_TOLERANCE_SECS: i64 = 2;

/// What a write records about itself.
pub struct NewEntry<'a> {
    pub at: Timestamp,
    pub account_id: Option<Id>,
    pub acting_as: Option<Id>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

fn opt(v: Option<Id>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 over the previous hash and every field, separated by a unit
/// separator and tagged so that a missing value differs from an empty one.
/// Entries from before schema version 8 have no rows digest and keep the
/// formula they were written with.
fn content_hash(prev: &str, e: &NewEntry<'_>, rows_digest: Option<&str>) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update(s.as_bytes());
        h.update([0x1f]);
    };
    field(prev);
    field(&e.at.to_string());
    field(&opt(e.account_id));
    field(&opt(e.acting_as));
    field(e.action);
    field(e.entity);
    field(e.entity_id);
    for v in [e.before, e.after] {
        match v {
            Some(s) => {
                field("1");
                field(s);
            }
            None => field("0"),
        }
    }
    if let Some(d) = rows_digest {
        field("rows");
        field(d);
    }
    hex(&h.finalize())
}

/// One row of an entry into its digest: table, typed key, image hash (or
/// its absence: deleted). `line` is scratch space.
fn digest_row(
    h: &mut Sha256,
    line: &mut Vec<u8>,
    tbl: &str,
    k1: ValueRef<'_>,
    k2: ValueRef<'_>,
    hash: Option<&[u8]>,
) {
    line.clear();
    line.extend_from_slice(tbl.as_bytes());
    line.push(0x1f);
    logged::encode(line, k1);
    logged::encode(line, k2);
    match hash {
        Some(x) => {
            line.push(b'1');
            line.extend_from_slice(x);
        }
        None => line.push(b'0'),
    }
    line.push(0x1e);
    h.update(&line[..]);
}

/// The last row of the chain, read leniently: a row malformed by another
/// tool is `check`'s to report, not a reason to stop every write.
struct Last {
    id: Id,
    hash: String,
    at: Timestamp,
}

fn last(conn: &Connection) -> Result<Last, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, hash, at FROM change_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| {
            Ok(Last {
                id: r.get(0)?,
                hash: text_of(logged::value(r, 1)?),
                at: match logged::value(r, 2)? {
                    Value::Integer(i) => i,
                    _ => 0,
                },
            })
        })
        .optional()?
        .unwrap_or(Last {
            id: 0,
            hash: GENESIS.to_string(),
            at: 0,
        }))
}

fn text_of(v: Value) -> String {
    match v {
        Value::Text(s) => s,
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Null => String::new(),
        Value::Blob(b) => hex(&b),
    }
}

/// Appends one row, with the images of the rows written since the last
/// entry. Must run inside the write transaction it describes, so the chain
/// is extended by one writer at a time and the rows commit with it.
pub fn append(conn: &Connection, e: &NewEntry<'_>) -> Result<Id, StoreError> {
    if conn.is_postgres() {
        // The server appends it, as it does for every role
        // (`store::postgres::log`): no group may write the log itself.
        return Ok(conn
            .prepare_cached("SELECT jg_append_log(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
            .query_row(
                params![
                    e.at,
                    e.account_id,
                    e.acting_as,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.before,
                    e.after
                ],
                |r| r.get(0),
            )?);
    }
    let last = last(conn)?;
    let id = last.id + 1;
    let digest = record_pending(conn, id)?;
    insert(conn, id, &last.hash, e, &digest)?;
    Ok(id)
}

fn insert(
    conn: &Connection,
    id: Id,
    prev: &str,
    e: &NewEntry<'_>,
    digest: &str,
) -> Result<(), StoreError> {
    let hash = content_hash(prev, e, Some(digest));
    conn.prepare_cached(
        "INSERT INTO change_log (id, at, account_id, acting_as, action, entity, entity_id, before,
                                 after, prev_hash, hash, rows_digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        e.at,
        e.account_id,
        e.acting_as,
        e.action,
        e.entity,
        e.entity_id,
        e.before,
        e.after,
        prev,
        hash,
        digest
    ])?;
    Ok(())
}

/// Moves the rows noted by the triggers into `change_log_rows` under entry
/// `id`, each with the hash of its image as it stands now (none: deleted),
/// and returns their digest. One query a table, in key order, so a bulk
/// write's rows are looked up in the order they lie in the table.
fn record_pending(conn: &Connection, id: Id) -> Result<String, StoreError> {
    let tables: Vec<String> = conn
        .prepare_cached("SELECT DISTINCT tbl FROM pending_rows ORDER BY tbl")?
        .query_map([], |r| logged::value(r, 0))?
        .map(|v| v.map(text_of))
        .collect::<Result<_, _>>()?;
    let mut h = Sha256::new();
    if tables.is_empty() {
        return Ok(hex(&h.finalize()));
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO change_log_rows (log_id, tbl, k1, k2, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let (mut buf, mut line) = (Vec::new(), Vec::new());
    for tbl in &tables {
        match logged::find(tbl) {
            Some(t) => {
                let mut stmt = conn.prepare(&t.select_pending())?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let (k1, k2) = (r.get_ref(0)?, r.get_ref(1)?);
                    let hash = if r.get(2)? {
                        Some(logged::row_hash(&mut buf, &r, 3, t.image.len())?)
                    } else {
                        None
                    };
                    let hash = hash.as_ref().map(|x| &x[..]);
                    insert.execute(params![id, tbl, k1, k2, hash])?;
                    digest_row(&mut h, &mut line, tbl, k1, k2, hash);
                }
            }
            // Not a logged table (written into `pending_rows` by hand):
            // kept, as nothing that exists.
            None => {
                let mut stmt = conn.prepare_cached(
                    "SELECT k1, k2 FROM pending_rows WHERE tbl = ?1 ORDER BY k1, k2",
                )?;
                let mut rows = stmt.query([tbl])?;
                while let Some(r) = rows.next()? {
                    let (k1, k2) = (r.get_ref(0)?, r.get_ref(1)?);
                    insert.execute(params![id, tbl, k1, k2, None::<&[u8]>])?;
                    digest_row(&mut h, &mut line, tbl, k1, k2, None);
                }
            }
        }
    }
    conn.prepare_cached("DELETE FROM pending_rows")?
        .execute([])?;
    Ok(hex(&h.finalize()))
}

/// Records every row of every logged table under entry `id` (the noted
/// ones are among them) and returns their digest.
fn record_all(conn: &Connection, id: Id) -> Result<String, StoreError> {
    let mut h = Sha256::new();
    let mut insert = conn.prepare_cached(
        "INSERT INTO change_log_rows (log_id, tbl, k1, k2, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let (mut buf, mut line) = (Vec::new(), Vec::new());
    for t in LOGGED {
        let mut stmt = conn.prepare(&t.select_all())?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (k1, k2) = (r.get_ref(0)?, r.get_ref(1)?);
            let hash = logged::row_hash(&mut buf, &r, 2, t.image.len())?;
            insert.execute(params![id, t.table, k1, k2, &hash[..]])?;
            digest_row(&mut h, &mut line, t.table, k1, k2, Some(&hash));
        }
    }
    conn.execute("DELETE FROM pending_rows", [])?;
    Ok(hex(&h.finalize()))
}

fn pending_count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM pending_rows")?
        .query_row([], |r| r.get(0))?)
}

/// An entry of the database itself: no account, about the whole file.
fn system_entry<'a>(action: &'a str, after: &'a str, at: Timestamp) -> NewEntry<'a> {
    NewEntry {
        at,
        account_id: None,
        acting_as: None,
        action,
        entity: "database",
        entity_id: "main",
        before: None,
        after: Some(after),
    }
}

/// Now, by the database server's clock where there is one (PostgreSQL
/// holds a role's entries to it), else this machine's.
fn clock(conn: &Connection) -> Result<Timestamp, StoreError> {
    if let Some(t) = conn.server_clock()? {
        return Ok(t);
    }
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0))
}

/// At the start of each write: rows noted by the triggers outside any
/// jianguan write were written by another tool. They are taken into an
/// entry of their own, which `check` reports for good, rather than into
/// this write's entry, which would vouch for them.
pub fn take_unlogged(conn: &Connection) -> Result<(), StoreError> {
    let n = pending_count(conn)?;
    if n == 0 {
        return Ok(());
    }
    let last = last(conn)?;
    let after = serde_json::json!({ "rows": n }).to_string();
    let e = system_entry(UNLOGGED, &after, clock(conn)?.max(last.at));
    append(conn, &e)?;
    Ok(())
}

/// Before each write commits: rows written after the write's last entry
/// (or by a write that appended none) are recorded in an entry of their
/// own, so the rows that commit are always in the log.
pub fn log_leftover(conn: &Connection) -> Result<(), StoreError> {
    let n = pending_count(conn)?;
    if n == 0 {
        return Ok(());
    }
    let last = last(conn)?;
    let after = serde_json::json!({ "rows": n }).to_string();
    // The write's own time; on PostgreSQL the server's now when the write
    // appended nothing (a role's entries must bear it).
    let at = match conn.server_clock()? {
        Some(now) => now.max(last.at),
        None => last.at,
    };
    append(conn, &system_entry(MORE_ROWS, &after, at))?;
    Ok(())
}

/// Called by the migration runner, in its transaction, once migrations
/// were applied (`from` is the version the file had). Brings the logging
/// triggers in line with `store::logged`; when they were missing (a file
/// from before version 8) or differ (the list changed), records every
/// current row as the baseline the replay starts from. Rows a later
/// migration changed are recorded in an entry of their own.
pub fn after_migrations(conn: &Connection, from: i64) -> Result<(), StoreError> {
    let stale = stale_triggers(conn)?;
    if !stale.is_empty() {
        logged::create_triggers(conn)?;
    }
    if from == 0 {
        // A new file: empty, and its first write records all it writes.
        return Ok(());
    }
    let last = last(conn)?;
    let at = clock(conn)?.max(last.at);
    if !stale.is_empty() {
        let id = last.id + 1;
        let digest = record_all(conn, id)?;
        let after = serde_json::json!({ "from_version": from }).to_string();
        insert(
            conn,
            id,
            &last.hash,
            &system_entry(SEAL, &after, at),
            &digest,
        )?;
    } else if pending_count(conn)? > 0 {
        let after = serde_json::json!({ "from_version": from }).to_string();
        append(conn, &system_entry(MIGRATE, &after, at))?;
    }
    Ok(())
}

/// Logging triggers missing from the file or different from the list
/// (names), and triggers named like them that the list does not have.
pub fn stale_triggers(conn: &Connection) -> Result<Vec<String>, StoreError> {
    if conn.is_postgres() {
        return super::postgres::schema::missing_noting_triggers(conn);
    }
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, 4) = 'log_'",
    )?;
    let found: std::collections::HashMap<String, Option<String>> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let wanted = logged::all_triggers();
    let mut stale: Vec<String> = wanted
        .iter()
        .filter(|(name, ddl)| found.get(name).and_then(|s| s.as_deref()) != Some(ddl.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    stale.extend(
        found
            .keys()
            .filter(|name| !wanted.iter().any(|(w, _)| w == *name))
            .cloned(),
    );
    stale.sort();
    Ok(stale)
}

/// The hash the chain's `n`-th row (from 1) holds now, if it has that
/// many: what a head noted down as `n:hash` must still find. A head is
/// printed by `check`, each 通报 and each backup, and proves with
/// `check --head` that the log was not cut or rewritten up to that row.
pub fn hash_at(conn: &Connection, n: i64) -> Result<Option<String>, StoreError> {
    if n < 1 {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT hash FROM change_log ORDER BY id LIMIT 1 OFFSET ?1",
            [n - 1],
            |r| logged::value(r, 0),
        )
        .optional()?
        .map(text_of))
}

fn from_row(r: &super::db::Row<'_>) -> super::db::Result<ChangeLogEntry> {
    Ok(ChangeLogEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        account_id: r.get(2)?,
        acting_as: r.get(3)?,
        action: r.get(4)?,
        entity: r.get(5)?,
        entity_id: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

const COLUMNS: &str =
    "id, at, account_id, acting_as, action, entity, entity_id, before, after, prev_hash, hash";

/// The most recent rows, newest first.
pub fn recent(conn: &Connection, limit: i64) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One row by id.
pub fn entry(conn: &Connection, id: Id) -> Result<Option<ChangeLogEntry>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM change_log WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// Whether a later row records the undoing of row `id` (its `after` holds
/// `"undoes": id`).
pub fn is_undone(conn: &Connection, id: Id) -> Result<bool, StoreError> {
    let undoes = if conn.is_postgres() {
        "CAST(CAST(after AS jsonb) ->> 'undoes' AS BIGINT)"
    } else {
        "json_extract(after, '$.undoes')"
    };
    Ok(conn.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM change_log
                            WHERE id > ?1 AND action LIKE 'undo%' AND {undoes} = ?1)"
        ),
        [id],
        |r| r.get(0),
    )?)
}

pub fn count(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?)
}

/// The rows written after `at`, oldest first.
pub fn after(conn: &Connection, at: Timestamp) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log WHERE at > ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([at], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every row about one kind of entity, oldest first.
/// The log rows of one row of an entity (a unit, a checklist…), oldest first.
pub fn of_row(
    conn: &Connection,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY id"
    ))?;
    let rows = stmt.query_map([entity, entity_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The rows of table `tbl` an entry recorded, by key: what its write
/// really changed, whatever its words say. None for an entry from before
/// row records (schema version 8), which cannot be checked so.
pub fn recorded_keys(
    conn: &Connection,
    log_id: Id,
    tbl: &str,
) -> Result<Option<std::collections::HashSet<(i64, i64)>>, StoreError> {
    // One query: the entry (whether it has row records at all) and its
    // records of `tbl`, if any.
    let rows: Vec<(bool, Option<i64>, Option<i64>)> = conn
        .prepare_cached(
            "SELECT l.rows_digest IS NOT NULL, r.k1, r.k2 FROM change_log l
               LEFT JOIN change_log_rows r ON r.log_id = l.id AND r.tbl = ?2
              WHERE l.id = ?1",
        )?
        .query_map(params![log_id, tbl], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    if !rows.first().is_some_and(|(recorded, _, _)| *recorded) {
        return Ok(None);
    }
    Ok(Some(
        rows.into_iter()
            .filter_map(|(_, k1, k2)| Some((k1?, k2?)))
            .collect(),
    ))
}

/// The entries about one kind of entity whose write recorded that
/// entity's row in `tbl` (or that come from before row records), oldest
/// first: an entry's words about a row it did not write are not taken.
pub fn of_entity(
    conn: &Connection,
    entity: &str,
    tbl: &str,
) -> Result<Vec<ChangeLogEntry>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM change_log l WHERE entity = ?1
            AND (rows_digest IS NULL OR EXISTS (
                 SELECT 1 FROM change_log_rows r
                  WHERE r.log_id = l.id AND r.tbl = ?2 AND CAST(r.k1 AS TEXT) = l.entity_id))
          ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![entity, tbl], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The head of the chain: how many rows, and the hash of the last (the
/// genesis hash when there are none).
pub fn head(conn: &Connection) -> Result<(i64, String), StoreError> {
    Ok((count(conn)?, last(conn)?.hash))
}

/// One change-log row as stored, each column whatever type it holds.
struct Stored {
    id: Id,
    values: Vec<Value>,
}

/// The columns `verify` reads, with what each must hold.
const STORED: &[(&str, Want)] = &[
    ("at", Want::Integer),
    ("account_id", Want::IntegerOrNull),
    ("acting_as", Want::IntegerOrNull),
    ("action", Want::Text),
    ("entity", Want::Text),
    ("entity_id", Want::Text),
    ("before", Want::TextOrNull),
    ("after", Want::TextOrNull),
    ("prev_hash", Want::Text),
    ("hash", Want::Text),
    ("rows_digest", Want::TextOrNull),
];

#[derive(Clone, Copy)]
enum Want {
    Integer,
    IntegerOrNull,
    Text,
    TextOrNull,
}

impl Want {
    fn admits(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (Want::Integer | Want::IntegerOrNull, Value::Integer(_))
                | (Want::IntegerOrNull | Want::TextOrNull, Value::Null)
                | (Want::Text | Want::TextOrNull, Value::Text(_))
        )
    }

    fn label(self) -> &'static str {
        match self {
            Want::Integer => "整数",
            Want::IntegerOrNull => "整数或空",
            Want::Text => "文本",
            Want::TextOrNull => "文本或空",
        }
    }
}

/// What a value is, for a report.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "空值",
        Value::Integer(_) => "整数",
        Value::Real(_) => "小数",
        Value::Text(_) => "文本",
        Value::Blob(_) => "二进制数据",
    }
}

impl Stored {
    fn int(&self, i: usize) -> Option<i64> {
        match self.values[i] {
            Value::Integer(x) => Some(x),
            _ => None,
        }
    }

    fn text(&self, i: usize) -> Option<&str> {
        match &self.values[i] {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The entry as written, when every column holds what it must.
    fn entry(&self) -> Option<NewEntry<'_>> {
        Some(NewEntry {
            at: self.int(0)?,
            account_id: self.int(1),
            acting_as: self.int(2),
            action: self.text(3)?,
            entity: self.text(4)?,
            entity_id: self.text(5)?,
            before: self.text(6),
            after: self.text(7),
        })
    }
}

/// One row of `change_log_rows`, read leniently.
struct RowRecord {
    log_id: Value,
    tbl: Value,
    k1: Value,
    k2: Value,
    hash: Value,
}

impl RowRecord {
    fn log_id(&self) -> Option<i64> {
        match self.log_id {
            Value::Integer(i) => Some(i),
            _ => None,
        }
    }
}

/// Walks the whole chain; returns one line per problem: a missing or
/// malformed row (reported, then the walk goes on), a broken link, a row
/// whose content or recorded rows no longer match its hash, row records
/// whose entry is gone, and times that go backwards by more than
/// `CLOCK_TOLERANCE_SECS`.
pub fn verify(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let columns: Vec<&str> = STORED.iter().map(|(c, _)| *c).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT id, {} FROM change_log ORDER BY id",
        columns.join(", ")
    ))?;
    let mut rows = stmt.query([])?;
    let mut recs = conn.prepare(
        "SELECT log_id, tbl, k1, k2, hash FROM change_log_rows ORDER BY log_id, tbl, k1, k2",
    )?;
    let mut recs = recs.query([])?;
    let mut next_rec = || -> Result<Option<RowRecord>, StoreError> {
        Ok(match recs.next()? {
            None => None,
            Some(r) => Some(RowRecord {
                log_id: logged::value(&r, 0)?,
                tbl: logged::value(&r, 1)?,
                k1: logged::value(&r, 2)?,
                k2: logged::value(&r, 3)?,
                hash: logged::value(&r, 4)?,
            }),
        })
    };
    let mut rec = next_rec()?;
    let mut orphans = Orphans::default();
    let mut malformed_recs = 0usize;
    let mut prev = GENESIS.to_string();
    let mut prev_id: Option<Id> = None;
    let mut prev_at: Option<(Id, Timestamp)> = None;
    let mut first_with_rows: Option<Id> = None;
    let mut line = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(STORED.len());
        for i in 0..STORED.len() {
            values.push(logged::value(&row, 1 + i)?);
        }
        let e = Stored {
            id: row.get(0)?,
            values,
        };
        if let Some(p) = prev_id
            && e.id != p + 1
        {
            problems.push(format!(
                "操作记录第 {} 至 {} 条缺失（被删除）",
                p + 1,
                e.id - 1
            ));
        }
        // This entry's recorded rows; those of entries that are gone first.
        let mut digest = Sha256::new();
        let mut recorded = 0usize;
        while let Some(r) = &rec {
            match r.log_id() {
                Some(l) if l > e.id => break,
                Some(l) if l < e.id => orphans.add(l),
                Some(_) => match (&r.tbl, &r.hash) {
                    (Value::Text(tbl), Value::Blob(h)) => {
                        digest_row(
                            &mut digest,
                            &mut line,
                            tbl,
                            (&r.k1).into(),
                            (&r.k2).into(),
                            Some(h),
                        );
                        recorded += 1;
                    }
                    (Value::Text(tbl), Value::Null) => {
                        digest_row(
                            &mut digest,
                            &mut line,
                            tbl,
                            (&r.k1).into(),
                            (&r.k2).into(),
                            None,
                        );
                        recorded += 1;
                    }
                    _ => {
                        malformed_recs += 1;
                        recorded += 1;
                    }
                },
                None => malformed_recs += 1,
            }
            rec = next_rec()?;
        }
        let bad: Vec<String> = STORED
            .iter()
            .zip(&e.values)
            .filter(|((_, want), v)| !want.admits(v))
            .map(|((col, want), v)| {
                format!(
                    "{col} 应为{}，实为{} {}",
                    want.label(),
                    kind_of(v),
                    logged::show_value(v)
                )
            })
            .collect();
        let stored_hash = text_of(e.values[9].clone());
        if !bad.is_empty() {
            problems.push(format!(
                "操作记录第 {} 条格式有误（{}），无法核对：被 jianguan 以外的工具改动过",
                e.id,
                bad.join("；")
            ));
        } else if let Some(entry) = e.entry() {
            let prev_hash = e.text(8).unwrap_or_default();
            if prev_hash != prev {
                problems.push(format!(
                    "操作记录第 {} 条的前序哈希与上一条不符：链条在此断开",
                    e.id
                ));
            }
            let rows_digest = e.text(10);
            match rows_digest {
                Some(d) => {
                    first_with_rows.get_or_insert(e.id);
                    if hex(&digest.finalize()) != d {
                        problems.push(format!(
                            "操作记录第 {} 条（{} {} {}）所记的 {recorded} 行数据（change_log_rows）被 jianguan 以外的工具改动过",
                            e.id, entry.action, entry.entity, entry.entity_id
                        ));
                    }
                }
                None => {
                    if let Some(first) = first_with_rows {
                        problems.push(format!(
                            "操作记录第 {} 条没有行摘要（第 {first} 条起每条都应有）：被 jianguan 以外的工具改动过",
                            e.id
                        ));
                    }
                    if recorded > 0 {
                        problems.push(format!(
                            "操作记录第 {} 条没有行摘要，却有 {recorded} 行数据记录：被 jianguan 以外的工具添加",
                            e.id
                        ));
                    }
                }
            }
            if content_hash(prev_hash, &entry, rows_digest) != stored_hash {
                problems.push(format!(
                    "操作记录第 {} 条（{} {} {}）的内容被 jianguan 以外的工具修改过",
                    e.id, entry.action, entry.entity, entry.entity_id
                ));
            }
            if let Some((pid, pat)) = prev_at
                && entry.at < pat - CLOCK_TOLERANCE_SECS
            {
                problems.push(format!(
                    "操作记录第 {} 条的时间 {} 早于第 {pid} 条的 {}（相差 {} 秒，允许 {CLOCK_TOLERANCE_SECS} 秒）：时钟被调回，或记录被改动",
                    e.id,
                    crate::domain::format_time(entry.at),
                    crate::domain::format_time(pat),
                    pat - entry.at
                ));
            }
            prev_at = Some((e.id, entry.at));
        }
        prev = stored_hash;
        prev_id = Some(e.id);
    }
    while let Some(r) = &rec {
        match r.log_id() {
            Some(l) => orphans.add(l),
            None => malformed_recs += 1,
        }
        rec = next_rec()?;
    }
    problems.extend(orphans.report());
    if malformed_recs > 0 {
        problems.push(format!(
            "{malformed_recs} 行数据记录（change_log_rows）格式有误（log_id 应为整数，tbl 应为文本，hash 应为二进制或空）：被 jianguan 以外的工具改动过"
        ));
    }
    Ok(problems)
}

/// Row records whose entry is not in the log, by entry.
#[derive(Default)]
struct Orphans(Vec<(Id, usize)>);

impl Orphans {
    fn add(&mut self, log_id: Id) {
        match self.0.last_mut() {
            Some((l, n)) if *l == log_id => *n += 1,
            _ => self.0.push((log_id, 1)),
        }
    }

    fn report(&self) -> Vec<String> {
        let shown = 10;
        let mut out: Vec<String> = self
            .0
            .iter()
            .take(shown)
            .map(|(l, n)| format!("操作记录中没有第 {l} 条，却有它所记的 {n} 行数据：该条被删除"))
            .collect();
        if self.0.len() > shown {
            out.push(format!(
                "……另有 {} 条被删除的操作记录留下了数据记录",
                self.0.len() - shown
            ));
        }
        out
    }
}
