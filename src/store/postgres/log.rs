//! The change log written by the server itself (schema migration 5).
//!
//! On SQLite the store appends each entry in Rust (`store::changelog`);
//! nobody but jianguan can open the file in server mode. On PostgreSQL
//! every operator holds a role and may run `psql`, so an entry an operator
//! could INSERT herself — with a hash anyone can compute — would vouch for
//! whatever she wrote. Here no group may write `change_log`,
//! `change_log_rows` or `pending_rows`: `jg_append_log` (SECURITY DEFINER)
//! appends each entry, taking its account from the session's role, its
//! rows from what the noting triggers recorded, and computing the image
//! hashes, the rows digest and the entry hash exactly as
//! `store::logged::encode`, `changelog::digest_row` and
//! `changelog::content_hash` do, so `check` verifies both engines' entries
//! alike. A deferred trigger refuses any commit that wrote logged rows
//! without an entry for them, and the times a role writes must be the
//! server's now (within `WINDOW`): nobody backdates a claim from `psql`.

use crate::store::logged::{LOGGED, Logged};

/// How long before now a time a role writes may be, in seconds: a bulk
/// write's rows carry the time it began, and jianguan's longest take
/// seconds. Holding a transaction open longer buys no earlier time.
pub const WINDOW: i64 = 120;

/// The most an entry's before or after may hold, in bytes, from a role: a
/// bulk claim of a whole catalogue lists a few hundred kilobytes of ids.
const MAX_TEXT: i64 = 8 << 20;

/// The SQL of migration 5. `write_lock` is the advisory lock every write
/// takes (`store::lock_until_commit`): entries are appended one writer at
/// a time, in commit order, whoever calls.
pub fn migration(write_lock: i64) -> String {
    // The transaction that noted each row, so that a role cannot pass its
    // own rows off as left by another tool (`unlogged_rows`).
    let mut sql = String::from(
        "ALTER TABLE pending_rows ADD COLUMN txid BIGINT NOT NULL DEFAULT txid_current();
         CREATE INDEX change_log_rows_key ON change_log_rows (tbl, k1, k2);\n",
    );
    sql.push_str(ENCODING);
    // A key noted before by a transaction that did not commit its entry
    // is this one's too.
    sql.push_str(&super::schema::note_row_function(
        "CREATE OR REPLACE FUNCTION",
        " SECURITY DEFINER",
        "ON CONFLICT (tbl, k1, k2) DO UPDATE SET txid = EXCLUDED.txid
            WHERE pending_rows.txid <> EXCLUDED.txid",
    ));
    sql.push_str(&append_function(write_lock));
    sql.push_str(UNLOGGED_COMMITS);
    for t in LOGGED {
        sql.push_str(&format!(
            "CREATE TRIGGER log_{0}_mark AFTER INSERT OR UPDATE OR DELETE ON {0}
                 FOR EACH STATEMENT EXECUTE FUNCTION jg_mark_write();\n",
            t.table
        ));
    }
    sql.push_str(&times());
    for (table, columns) in TIMED {
        let args: Vec<String> = columns.iter().map(|c| format!("'{c}'")).collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {table}_times BEFORE INSERT OR UPDATE ON {table}
                 FOR EACH ROW EXECUTE FUNCTION jg_times_now({});\n",
            args.join(", ")
        ));
    }
    sql.push_str(&super::roles::pin_search_path(&[
        "jg_trusted()",
        "jg_mark_write()",
        "jg_check_logged()",
        "jg_note_row()",
        "jg_append_log(bigint, bigint, bigint, text, text, text, text, text)",
    ]));
    sql
}

/// `store::logged::encode` for the two kinds of value logged columns hold
/// (integers and text), in SQL: a tag byte, then eight little-endian bytes
/// (an integer, or a text's length in bytes) and the text's UTF-8 bytes.
/// Plain SQL functions the planner inlines (arithmetic, not text: a bulk
/// claim hashes ten thousand rows); PostgreSQL picks the one for each
/// column's type.
const ENCODING: &str = r#"
CREATE FUNCTION jg_le8(x bigint) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT int8send(((x & 255) << 56) | (((x >> 8) & 255) << 48) | (((x >> 16) & 255) << 40)
                    | (((x >> 24) & 255) << 32) | (((x >> 32) & 255) << 24)
                    | (((x >> 40) & 255) << 16) | (((x >> 48) & 255) << 8) | ((x >> 56) & 255)) $$;
CREATE FUNCTION jg_enc(x bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN x IS NULL THEN '\x6e'::bytea ELSE '\x69'::bytea || jg_le8(x) END $$;
CREATE FUNCTION jg_enc(x text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN x IS NULL THEN '\x6e'::bytea
                ELSE '\x74'::bytea || jg_le8(octet_length(convert_to(x, 'UTF8')))
                     || convert_to(x, 'UTF8') END $$;

-- A superuser's session, or one of the owner of jianguan's tables: the
-- administrator's own, which names its account itself (as a file's does).
CREATE FUNCTION jg_trusted() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
        OR pg_has_role(session_user, (SELECT relowner FROM pg_class
                                       WHERE oid = 'jianguan_schema'::regclass), 'MEMBER') $$;
"#;

/// Records the noted rows of one logged table under entry `v_id`, each
/// with the hash of its image (NULL: the row is gone). A join, not a
/// lookup a row: ten thousand rows of a bulk claim are read in key order.
fn record_table(t: &Logged) -> String {
    let on = t.pending_join();
    let image: Vec<String> = t.image.iter().map(|c| format!("jg_enc(t.{c})")).collect();
    format!(
        "INSERT INTO change_log_rows (log_id, tbl, k1, k2, hash)
    SELECT v_id, p.tbl, p.k1, p.k2, CASE WHEN t.{key} IS NULL THEN NULL ELSE sha256({image}) END
      FROM pending_rows p LEFT JOIN {table} t ON {on} WHERE p.tbl = '{table}';",
        key = t.key[0],
        image = image.join(" || "),
        table = t.table,
    )
}

fn append_function(write_lock: i64) -> String {
    let tables: Vec<String> = LOGGED.iter().map(record_table).collect();
    let names: Vec<String> = LOGGED.iter().map(|t| format!("'{}'", t.table)).collect();
    format!(
        r#"
-- Appends one entry to the change log with the rows written since the
-- last (`store::changelog::append`, computed here). Returns its id.
CREATE FUNCTION jg_append_log(p_at bigint, p_account bigint, p_acting_as bigint, p_action text,
                              p_entity text, p_entity_id text, p_before text, p_after text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $fn$
DECLARE
    v_last record;
    v_id bigint;
    v_prev text;
    v_account bigint := p_account;
    v_digest text;
    v_fields text;
    sep constant text := chr(31);
BEGIN
    PERFORM pg_advisory_xact_lock({write_lock});
    IF NOT jg_trusted() THEN
        -- A role writes in its own name, now, and only an active account's.
        v_account := jg_account();
        IF v_account IS NULL THEN
            RAISE EXCEPTION 'jianguan：数据库角色 % 不是启用的账号，不能写入', session_user
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_account IS NOT NULL AND p_account <> v_account THEN
            RAISE EXCEPTION 'jianguan：不能以他人（账号 %）的名义记录操作', p_account
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- Rows an earlier transaction left unrecorded (`unlogged_rows`,
        -- taken at the start of a write) are nobody's: `check` reports them
        -- for good. Never this transaction's own.
        IF p_action = 'unlogged_rows' AND p_account IS NULL THEN
            IF EXISTS (SELECT 1 FROM pending_rows WHERE txid = txid_current())
               OR NOT EXISTS (SELECT 1 FROM pending_rows) THEN
                RAISE EXCEPTION 'jianguan：本事务写入的数据不能记为他人留下的'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            v_account := NULL;
        END IF;
        IF octet_length(p_before) > {MAX_TEXT} OR octet_length(p_after) > {MAX_TEXT}
           OR octet_length(p_action) > 200 OR octet_length(p_entity) > 200
           OR octet_length(p_entity_id) > 200 THEN
            RAISE EXCEPTION 'jianguan：操作记录的内容过长（每项至多 {MAX_TEXT} 字节）'
                USING ERRCODE = 'program_limit_exceeded';
        END IF;
        -- `--as`: the platform admin's alone, as jianguan allows it.
        IF p_acting_as IS NOT NULL AND jg_role() IS DISTINCT FROM 'platform_admin' THEN
            RAISE EXCEPTION 'jianguan：只有平台管理员可以代他人操作（--as）'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- (The platform admin's imports may run longer than the window.)
        IF jg_role() IS DISTINCT FROM 'platform_admin'
           AND (p_at < floor(extract(epoch FROM clock_timestamp())) - {WINDOW}
                OR p_at > ceil(extract(epoch FROM clock_timestamp())) + 1) THEN
            RAISE EXCEPTION 'jianguan：操作记录的时间（%）不是数据库服务器的当前时间', to_timestamp(p_at)
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    SELECT id, hash INTO v_last FROM change_log ORDER BY id DESC LIMIT 1;
    v_id := COALESCE(v_last.id, 0) + 1;
    v_prev := COALESCE(v_last.hash, repeat('0', 64));
    {tables}
    -- Not a logged table (noted by hand): kept, as nothing that exists.
    INSERT INTO change_log_rows (log_id, tbl, k1, k2, hash)
    SELECT v_id, tbl, k1, k2, NULL FROM pending_rows WHERE tbl NOT IN ({names});
    SELECT encode(sha256(COALESCE(string_agg(
               convert_to(tbl, 'UTF8') || '\x1f'::bytea || jg_enc(k1) || jg_enc(k2)
               || CASE WHEN hash IS NULL THEN '\x30'::bytea ELSE '\x31'::bytea || hash END
               || '\x1e'::bytea, ''::bytea ORDER BY tbl, k1, k2), ''::bytea)), 'hex')
      INTO v_digest FROM change_log_rows WHERE log_id = v_id;
    DELETE FROM pending_rows;
    DELETE FROM unlogged_writes;
    v_fields := v_prev || sep || p_at::text || sep || COALESCE(v_account::text, '') || sep
        || COALESCE(p_acting_as::text, '') || sep || p_action || sep || p_entity || sep
        || p_entity_id || sep
        || CASE WHEN p_before IS NULL THEN '0' || sep ELSE '1' || sep || p_before || sep END
        || CASE WHEN p_after IS NULL THEN '0' || sep ELSE '1' || sep || p_after || sep END
        || 'rows' || sep || v_digest || sep;
    INSERT INTO change_log (id, at, account_id, acting_as, action, entity, entity_id, before,
                            after, prev_hash, hash, rows_digest)
    VALUES (v_id, p_at, v_account, p_acting_as, p_action, p_entity, p_entity_id, p_before,
            p_after, v_prev, encode(sha256(convert_to(v_fields, 'UTF8')), 'hex'), v_digest);
    RETURN v_id;
END $fn$;
"#,
        tables = tables.join("\n    "),
        MAX_TEXT = MAX_TEXT,
        WINDOW = WINDOW,
        names = names.join(", ")
    )
}

/// A role's transaction that wrote logged rows must append their entry
/// before it commits: each statement on a logged table marks its
/// transaction, and a trigger deferred to the commit refuses it if rows
/// are still unrecorded.
/// (One mark a transaction, not a check a row: a bulk claim writes ten
/// thousand.)
const UNLOGGED_COMMITS: &str = r#"
CREATE TABLE unlogged_writes (
    txid BIGINT PRIMARY KEY
);
CREATE FUNCTION jg_mark_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO unlogged_writes (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION jg_check_logged() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    -- The owner's and superusers' sessions may leave rows unrecorded, as
    -- another tool on a SQLite file does: the next write takes them into
    -- an `unlogged_rows` entry, which `check` reports for good.
    IF NOT jg_trusted() AND EXISTS (SELECT 1 FROM unlogged_writes WHERE txid = NEW.txid)
       AND EXISTS (SELECT 1 FROM pending_rows) THEN
        RAISE EXCEPTION 'jianguan：本事务写入的数据没有记入操作记录，不能提交'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = '请通过 jianguan 修改数据（它在同一事务中追加操作记录）';
    END IF;
    DELETE FROM unlogged_writes WHERE txid = NEW.txid;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER unlogged_writes_at_commit AFTER INSERT ON unlogged_writes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jg_check_logged();
"#;

/// The columns that record when a row was written, by table: what a role
/// writes there (a new row, or a changed value) must be the server's now,
/// at most `WINDOW` seconds ago. The owner's and superusers' sessions are
/// not held to it (imports of old data, `JIANGUAN_NOW` in tests), nor the
/// platform admin's role (an import of a whole catalogue outlasts it).
const TIMED: &[(&str, &[&str])] = &[
    ("accounts", &["created_at", "updated_at"]),
    ("checklists", &["updated_at"]),
    ("claim_finished", &["finished_at"]),
    ("claims", &["claimed_at"]),
    ("local_item_history", &["at"]),
    ("local_items", &["updated_at"]),
    ("main_items", &["updated_at"]),
    ("milestones", &["updated_at"]),
    ("progress_reports", &["as_of", "taken_at"]),
    ("sub_items", &["updated_at"]),
];

/// Not SECURITY DEFINER: `row_security_active` is asked for the session's
/// own role, false for the owner and superusers. Its search path is left
/// as it is (a pinned one costs every row of a bulk claim): it names
/// built-in functions only, which no role can shadow — none may create
/// functions in a schema (`pg-roles` revokes CREATE), and pg_temp is never
/// searched for functions.
fn times() -> String {
    r#"
CREATE FUNCTION jg_times_now() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c text;
    v bigint;
    new_row jsonb;
    old_row jsonb;
BEGIN
    -- The owner's and superusers' sessions are not held to it, nor the
    -- platform admin's, whose imports may take longer than the window.
    IF NOT row_security_active(TG_RELID) OR jg_role() = 'platform_admin' THEN
        RETURN NEW;
    END IF;
    -- A claim put back as it was logged keeps its first time.
    -- (Nested: only a claim's row has these fields.)
    IF TG_TABLE_NAME = 'claims' AND TG_OP = 'INSERT' THEN
        IF jg_claim_was_logged(NEW.unit_id, NEW.sub_item_id, NEW.exercised, NEW.note,
                               NEW.claimed_by, NEW.claimed_at) THEN
            RETURN NEW;
        END IF;
    END IF;
    new_row := to_jsonb(NEW);
    old_row := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    FOREACH c IN ARRAY TG_ARGV LOOP
        v := CAST(new_row ->> c AS bigint);
        CONTINUE WHEN old_row IS NOT NULL AND v IS NOT DISTINCT FROM CAST(old_row ->> c AS bigint);
        IF v IS NULL OR v < floor(extract(epoch FROM clock_timestamp())) - {WINDOW}
           OR v > ceil(extract(epoch FROM clock_timestamp())) + 1 THEN
            RAISE EXCEPTION 'jianguan：%.% 只能是数据库服务器的当前时间', TG_TABLE_NAME, c
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
"#
    .replace("{WINDOW}", &WINDOW.to_string())
}
