//! Roles the database enforces (issue #20). Each person connects as a
//! PostgreSQL role named like their jianguan login; `jianguan pg-roles`
//! prints the script that makes those roles members of the group role of
//! their jianguan role. The groups get table privileges (the change log:
//! read only — the server appends it, `postgres::log`), and row-level security limits every write to
//! the rows jianguan's own rules (`domain::permission`) allow that role:
//! an operator its own unit's claims, checklists and local items, the
//! legal reviewer the review columns of local items, and so on. The
//! schema's owner (who ran `init` or `migrate-to`) is not subject to it.
//!
//! Who a session is comes from `accounts` by `session_user`, through
//! SECURITY DEFINER functions; the triggers that keep counts and note rows
//! for the change log run as the owner too, so that no group needs to
//! write those tables itself. What SQLite's store adds in Rust on a claim
//! (`unit_progress`' claim counts, a checklist's `counted`, a claim's
//! `inspection`) is kept here by trigger instead — whatever an operator's
//! role may write, psql can write too, so derived figures must not be
//! among it.

use crate::domain::Role;

/// The group role of a jianguan role in `database`: roles belong to the
/// whole cluster, and one person may hold different jianguan roles in two
/// databases of it, so each database has groups of its own.
pub fn group_of(database: &str, role: Role) -> String {
    quote_ident(&format!("jg_{database}_{}", role.key()))
}

/// The group every group of `database` is in.
pub fn base_group(database: &str) -> String {
    quote_ident(&format!("jg_{database}_user"))
}

/// The tables every group may only read.
const READ_ONLY: &[&str] = &["meta", "jianguan_schema"];

/// The tables whose columns are granted one by one below.
const BY_COLUMN: &[&str] = &[
    "local_items",
    "checklists",
    "claims",
    "accounts",
    "milestones",
    "legal_bases",
];

/// A local item's columns its unit and the review change (never which item
/// or unit it is).
const LOCAL_ITEM_COLUMNS: &str =
    "state, power_entry_id, official_code, return_reason, version, updated_at, updated_by";

/// An account's columns an administrator changes: all but its id, its
/// login (which names the database role that is the account) and when it
/// was made.
const ACCOUNT_COLUMNS: &str = "name, unit_id, office_post, mobile, role, is_liaison, active, \
    version, updated_at, updated_by";

/// A checklist's columns an operator changes: all but which checklist it
/// is (sub-item, unit, level) and `counted`, kept by trigger.
const CHECKLIST_COLUMNS: &str = "item_code, subject_name, subject_code, \
    entrust_name, entrust_code, target_main, target_sub, inspection_kind, methods, random_included, \
    random_ratio, random_frequency, content, sampling, sampling_content, cooperation, cooperation_org, \
    state, source_id, source_version, version, updated_at, updated_by";

/// The migration that turns row-level security on: functions, policies.
/// Privileges are granted by `pg-roles`' script, not here, since the
/// group roles belong to the cluster, not to one database.
pub fn migration() -> String {
    let mut sql = String::from(FUNCTIONS);
    sql.push_str(DERIVED);
    for f in [
        "jg_sub_items_category",
        "jg_claims_category",
        "jg_checklists_insert",
        "jg_checklists_update",
        "jg_checklists_delete",
        "jg_note_row",
    ] {
        sql.push_str(&format!("ALTER FUNCTION {f}() SECURITY DEFINER;\n"));
    }
    sql.push_str(STEPS);
    sql.push_str(&known_values());
    // Every function of ours looks up names in this schema only, then in
    // pg_temp: never a session's temporary table named like ours first
    // (SECURITY DEFINER functions would read it with the owner's rights).
    sql.push_str(
        "DO $$ DECLARE f record; BEGIN
           FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                     WHERE p.pronamespace = current_schema()::regnamespace
                       AND p.proname LIKE 'jg\\_%'
           LOOP
             EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f.sig, current_schema());
           END LOOP;
         END $$;\n",
    );
    for (table, write) in POLICIES {
        sql.push_str(&format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY jg_read ON {table} FOR SELECT USING (true);\n"
        ));
        // An UPDATE may be seen by one rule (whose row it may change) and
        // checked by another (what the row may become: in one's own name).
        for (command, rule, check) in *write {
            let check = if check.is_empty() { rule } else { check };
            let clause = match *command {
                "INSERT" => format!("WITH CHECK ({rule})"),
                "DELETE" => format!("USING ({rule})"),
                _ => format!("USING ({rule}) WITH CHECK ({check})"),
            };
            sql.push_str(&format!(
                "CREATE POLICY jg_{} ON {table} FOR {command} {clause};\n",
                command.to_lowercase()
            ));
        }
    }
    sql
}

const FUNCTIONS: &str = r#"
CREATE FUNCTION jg_role() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT role FROM accounts WHERE login = session_user AND active = 1 $$;
CREATE FUNCTION jg_account() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT id FROM accounts WHERE login = session_user AND active = 1 $$;
CREATE FUNCTION jg_unit() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT unit_id FROM accounts WHERE login = session_user AND active = 1 $$;
CREATE FUNCTION jg_region() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT u.region_id FROM accounts a JOIN units u ON u.id = a.unit_id
          WHERE a.login = session_user AND a.active = 1 $$;
CREATE FUNCTION jg_unit_in_my_county(unit bigint) RETURNS boolean LANGUAGE sql STABLE
    SECURITY DEFINER
    AS $$ SELECT EXISTS (SELECT 1 FROM units u JOIN regions r ON r.id = u.region_id
                          WHERE u.id = unit AND r.level = 'county' AND u.region_id = jg_region()) $$;
CREATE FUNCTION jg_local_of_my_unit(main bigint) RETURNS boolean LANGUAGE sql STABLE
    SECURITY DEFINER
    AS $$ SELECT EXISTS (SELECT 1 FROM main_items WHERE id = main AND owner_unit_id = jg_unit()) $$;
CREATE FUNCTION jg_is_local(main bigint) RETURNS boolean LANGUAGE sql STABLE
    SECURITY DEFINER
    AS $$ SELECT EXISTS (SELECT 1 FROM main_items WHERE id = main AND owner_unit_id IS NOT NULL) $$;
CREATE FUNCTION jg_main_of(sub bigint) RETURNS bigint LANGUAGE sql STABLE
    SECURITY DEFINER
    AS $$ SELECT main_item_id FROM sub_items WHERE id = sub $$;
CREATE FUNCTION jg_owner_of(main bigint) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT owner_unit_id FROM main_items WHERE id = main $$;
-- Whether this claim, exactly so, was recorded by the change log before:
-- a claim given up and put back (撤销) returns with its first time and
-- claimer, which a role could not otherwise write. (PL/pgSQL: `jg_enc`
-- comes with migration 5.)
CREATE FUNCTION jg_claim_was_logged(unit bigint, sub bigint, exercised bigint, note text,
                                    claimed_by bigint, claimed_at bigint)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER AS $fn$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM change_log_rows
         WHERE tbl = 'claims' AND k1 = unit AND k2 = sub
           AND hash = sha256(jg_enc(unit) || jg_enc(sub) || jg_enc(exercised) || jg_enc(note)
                             || jg_enc(claimed_by) || jg_enc(claimed_at)));
END $fn$;
CREATE FUNCTION jg_local_state(main bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT state FROM local_items WHERE main_item_id = main $$;
CREATE FUNCTION jg_unit_level(unit bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT r.level FROM units u JOIN regions r ON r.id = u.region_id WHERE u.id = unit $$;
CREATE FUNCTION jg_classified(sub bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT COALESCE((SELECT classified <> 0 FROM sub_items WHERE id = sub), false) $$;
"#;

/// The claim figures the store keeps in Rust on SQLite (`claims::count`,
/// `claims::recount`, which do nothing on PostgreSQL).
const DERIVED: &str = r#"
CREATE FUNCTION jg_claims_inspection() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER AS $$
BEGIN
    NEW.inspection := COALESCE(
        (SELECT (category = 'inspection')::int FROM sub_items WHERE id = NEW.sub_item_id), 0);
    RETURN NEW;
END $$;
CREATE TRIGGER claims_inspection BEFORE INSERT ON claims
    FOR EACH ROW EXECUTE FUNCTION jg_claims_inspection();

-- Statement by statement, from the rows each statement wrote: a bulk
-- claim of ten thousand items updates its unit's figures once, not ten
-- thousand times over.
CREATE FUNCTION jg_claims_inserted() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER AS $$
BEGIN
    INSERT INTO unit_progress (unit_id) SELECT DISTINCT unit_id FROM new_rows
        ON CONFLICT DO NOTHING;
    UPDATE unit_progress p SET claimed = p.claimed + d.n, exercised = p.exercised + d.e,
           required = p.required + d.r
      FROM (SELECT unit_id, count(*) AS n, sum((exercised <> 0)::int) AS e,
                   sum((exercised <> 0 AND inspection <> 0)::int) AS r
              FROM new_rows GROUP BY unit_id) d
     WHERE p.unit_id = d.unit_id;
    UPDATE checklists k SET counted = 1 FROM new_rows c
     WHERE k.unit_id = c.unit_id AND k.sub_item_id = c.sub_item_id
       AND c.exercised <> 0 AND c.inspection <> 0 AND k.counted <> 1;
    RETURN NULL;
END $$;
CREATE TRIGGER claims_inserted AFTER INSERT ON claims
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jg_claims_inserted();

CREATE FUNCTION jg_claims_deleted() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER AS $$
BEGIN
    UPDATE unit_progress p SET claimed = p.claimed - d.n, exercised = p.exercised - d.e,
           required = p.required - d.r
      FROM (SELECT unit_id, count(*) AS n, sum((exercised <> 0)::int) AS e,
                   sum((exercised <> 0 AND inspection <> 0)::int) AS r
              FROM old_rows GROUP BY unit_id) d
     WHERE p.unit_id = d.unit_id;
    UPDATE checklists k SET counted = 0 FROM old_rows c
     WHERE k.unit_id = c.unit_id AND k.sub_item_id = c.sub_item_id AND k.counted <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER claims_deleted AFTER DELETE ON claims
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jg_claims_deleted();

-- 是否行使 changed (a change of `inspection` is `claims_category`'s).
CREATE FUNCTION jg_claims_exercised() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER AS $$
BEGIN
    UPDATE unit_progress p SET exercised = p.exercised + d.e, required = p.required + d.r
      FROM (SELECT n.unit_id,
                   sum((n.exercised <> 0)::int - (o.exercised <> 0)::int) AS e,
                   sum((n.exercised <> 0 AND n.inspection <> 0)::int
                       - (o.exercised <> 0 AND n.inspection <> 0)::int) AS r
              FROM new_rows n JOIN old_rows o USING (unit_id, sub_item_id)
             WHERE n.exercised <> o.exercised AND n.inspection = o.inspection
             GROUP BY n.unit_id) d
     WHERE p.unit_id = d.unit_id;
    UPDATE checklists k SET counted = (n.exercised <> 0 AND n.inspection <> 0)::int
      FROM new_rows n JOIN old_rows o USING (unit_id, sub_item_id)
     WHERE n.exercised <> o.exercised AND n.inspection = o.inspection
       AND k.unit_id = n.unit_id AND k.sub_item_id = n.sub_item_id
       AND k.counted <> (n.exercised <> 0 AND n.inspection <> 0)::int;
    RETURN NULL;
END $$;
CREATE TRIGGER claims_exercised AFTER UPDATE ON claims
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION jg_claims_exercised();
"#;

/// Every column holding an enumeration holds one of its keys: a value
/// jianguan cannot read, written with `psql`, would stop every screen that
/// reads the row, for everyone.
fn known_values() -> String {
    use crate::domain::{
        Audience, BasisKind, BasisStatus, Category, ChecklistState, InspectionKind, ItemStatus,
        Level, PermitType, ReviewState, Role, Source, UnitCategory,
    };
    fn keys<T: Copy>(all: &[T], key: fn(T) -> &'static str) -> String {
        all.iter()
            .map(|v| format!("'{}'", key(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    }
    let columns: [(&str, &str, String); 17] = [
        ("regions", "level", keys(Level::ALL, Level::key)),
        (
            "units",
            "category",
            keys(UnitCategory::ALL, UnitCategory::key),
        ),
        ("accounts", "role", keys(Role::ALL, Role::key)),
        ("main_items", "source", keys(Source::ALL, Source::key)),
        (
            "main_items",
            "status",
            keys(ItemStatus::ALL, ItemStatus::key),
        ),
        (
            "main_items",
            "permit_type",
            keys(PermitType::ALL, PermitType::key),
        ),
        ("sub_items", "category", keys(Category::ALL, Category::key)),
        (
            "sub_items",
            "status",
            keys(ItemStatus::ALL, ItemStatus::key),
        ),
        ("legal_bases", "kind", keys(BasisKind::ALL, BasisKind::key)),
        (
            "legal_bases",
            "status",
            keys(BasisStatus::ALL, BasisStatus::key),
        ),
        (
            "local_items",
            "state",
            keys(ReviewState::ALL, ReviewState::key),
        ),
        (
            "local_item_history",
            "from_state",
            keys(ReviewState::ALL, ReviewState::key),
        ),
        (
            "local_item_history",
            "to_state",
            keys(ReviewState::ALL, ReviewState::key),
        ),
        (
            "checklists",
            "state",
            keys(ChecklistState::ALL, ChecklistState::key),
        ),
        ("checklists", "level", keys(Level::ALL, Level::key)),
        (
            "checklists",
            "inspection_kind",
            keys(InspectionKind::ALL, InspectionKind::key),
        ),
        ("milestones", "audience", keys(Audience::ALL, Audience::key)),
    ];
    columns
        .iter()
        .map(|(table, column, keys)| {
            format!(
                "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_known CHECK ({column} IN ({keys}));\n"
            )
        })
        .collect()
}

/// A local item's review state moves only as `domain::local_item`'s steps
/// let the role move it.
const STEPS: &str = r#"
CREATE FUNCTION jg_local_items_step() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    r text := jg_role();
    step text := OLD.state || '>' || NEW.state;
BEGIN
    IF r IS NULL OR r = 'platform_admin' OR OLD.state = NEW.state THEN
        RETURN NEW;
    END IF;
    IF r = 'operator' AND step IN ('draft>submitted', 'returned>submitted', 'submitted>draft',
                                   'approved>entered') THEN
        RETURN NEW;
    END IF;
    IF r = 'legal_reviewer' AND step IN ('submitted>approved', 'submitted>returned') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'jianguan：% 不能把地方事项从 % 改为 %', r, OLD.state, NEW.state
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER local_items_step BEFORE UPDATE OF state ON local_items
    FOR EACH ROW EXECUTE FUNCTION jg_local_items_step();
"#;

const ADMIN: &str = "jg_role() = 'platform_admin'";

/// Each table's write policies: (command, who may, and for an UPDATE what
/// the row may become when that differs). A table not listed
/// has no row-level security (the change log and `pending_rows`: read
/// only by privilege, written by `jg_append_log`).
/// (command, who may, what the row may become — empty: the same).
type Policy = (&'static str, &'static str, &'static str);

const POLICIES: &[(&str, &[Policy])] = &[
    (
        "claims",
        &[
            // A 涉密 sub-item is claimed first by the platform admin. A claim
            // given up and put back (撤销) returns as it was logged, in its
            // first claimer's name.
            ("INSERT", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit()
                     AND (claimed_by = jg_account()
                          OR jg_claim_was_logged(unit_id, sub_item_id, exercised, note,
                                                 claimed_by, claimed_at))
                     AND (jg_local_state(jg_main_of(sub_item_id)) IS NULL
                          OR jg_local_state(jg_main_of(sub_item_id)) IN ('approved', 'entered'))
                     AND (NOT jg_classified(sub_item_id)
                          OR EXISTS (SELECT 1 FROM claims c WHERE c.sub_item_id = claims.sub_item_id)))
                 OR (jg_role() = 'legal_reviewer' AND claimed_by = jg_account()
                     AND EXISTS (SELECT 1 FROM local_items l
                                  WHERE l.main_item_id = jg_main_of(sub_item_id)
                                    AND l.unit_id = claims.unit_id AND l.state = 'approved'))", ""),
            ("UPDATE", OWN_UNIT, ""),
            // Not the claims of the unit's own approved local items.
            ("DELETE", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit()
                     AND jg_owner_of(jg_main_of(sub_item_id)) IS DISTINCT FROM unit_id)", ""),
        ],
    ),
    (
        "claim_finished",
        &[
            ("INSERT", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit() AND finished_by = jg_account())", ""),
            // 撤销“认领完成” is the platform admin's alone.
            ("UPDATE", ADMIN, ""),
            ("DELETE", ADMIN, ""),
        ],
    ),
    (
        "checklists",
        &[
            // At the unit's own level, for a sub-item it claims.
            ("INSERT", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit() AND updated_by = jg_account()
                     AND level = jg_unit_level(unit_id)
                     AND EXISTS (SELECT 1 FROM claims c WHERE c.unit_id = checklists.unit_id
                                   AND c.sub_item_id = checklists.sub_item_id))", ""),
            ("UPDATE", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit())
                 OR (jg_role() = 'county_admin' AND jg_unit_in_my_county(unit_id))", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit() AND updated_by = jg_account())
                 OR (jg_role() = 'county_admin' AND jg_unit_in_my_county(unit_id))"),
            ("DELETE", OWN_UNIT, ""),
        ],
    ),
    // Written by the triggers alone.
    ("unit_progress", &[]),
    (
        "local_items",
        &[
            // A local item begins as a draft; the review moves it on.
            ("INSERT", "state = 'draft' AND jg_owner_of(main_item_id) = unit_id
                 AND (power_entry_id IS NULL
                      OR (SELECT p.unit_id FROM power_list p WHERE p.id = power_entry_id) = unit_id)
                 AND (jg_role() = 'platform_admin'
                      OR (jg_role() = 'operator' AND unit_id = jg_unit() AND updated_by = jg_account()))", ""),
            ("UPDATE", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit())
                 OR (jg_role() = 'legal_reviewer')", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'operator' AND unit_id = jg_unit() AND updated_by = jg_account())
                 OR (jg_role() = 'legal_reviewer' AND updated_by = jg_account())"),
            ("DELETE", ADMIN, ""),
        ],
    ),
    // Written by a trigger at each change of state (`jg_local_items_history`):
    // a role records no step it did not take.
    ("local_item_history", &[]),
    (
        "main_items",
        &[("ALL", "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND owner_unit_id = jg_unit())", "")],
    ),
    (
        "sub_items",
        &[("ALL", "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND jg_local_of_my_unit(main_item_id))", "")],
    ),
    (
        "sub_item_bases",
        &[("ALL", "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND jg_local_of_my_unit(jg_main_of(sub_item_id)))", "")],
    ),
    (
        "legal_bases",
        &[
            // Others add local bases only; national ones come with the
            // catalogue the admin imports.
            ("INSERT", "jg_role() = 'platform_admin'
                 OR (jg_role() IN ('operator', 'legal_reviewer')
                     AND kind IN ('local_regulation', 'local_government_rule'))", ""),
            ("UPDATE", "jg_role() IN ('platform_admin', 'legal_reviewer')", ""),
            ("DELETE", ADMIN, ""),
        ],
    ),
    ("power_list", &[("ALL", ADMIN, "")]),
    (
        "accounts",
        &[("ALL", "jg_role() = 'platform_admin' OR (jg_role() = 'county_admin' AND role = 'operator' AND jg_unit_in_my_county(unit_id))", "")],
    ),
    (
        "units",
        &[
            ("INSERT", COUNTY_UNITS, ""),
            ("UPDATE", COUNTY_UNITS, ""),
            ("DELETE", ADMIN, ""),
        ],
    ),
    ("regions", &[("ALL", ADMIN, "")]),
    // The coordinator moves deadlines; the milestones themselves are the
    // admin's.
    (
        "milestones",
        &[
            ("INSERT", ADMIN, ""),
            ("UPDATE", ADMIN_OR_COORDINATOR, "jg_role() = 'platform_admin'
                 OR (jg_role() = 'coordinator' AND updated_by = jg_account())"),
            ("DELETE", ADMIN, ""),
        ],
    ),
    (
        "progress_reports",
        &[
            ("INSERT", "jg_role() = 'platform_admin' OR (jg_role() = 'coordinator' AND taken_by = jg_account())", ""),
            ("UPDATE", ADMIN, ""),
            ("DELETE", ADMIN, ""),
        ],
    ),
    (
        "progress_report_rows",
        &[
            // Rows of the 通报 one is taking (in this transaction).
            ("INSERT", "jg_role() = 'platform_admin'
                 OR (jg_role() = 'coordinator' AND EXISTS (SELECT 1 FROM progress_reports r
                      WHERE r.id = report_id AND r.taken_by = jg_account()
                        AND r.taken_at >= CAST(floor(extract(epoch FROM now())) AS bigint)))", ""),
            ("UPDATE", ADMIN, ""),
            ("DELETE", ADMIN, ""),
        ],
    ),
];

const OWN_UNIT: &str =
    "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND unit_id = jg_unit())";
const ADMIN_OR_COORDINATOR: &str = "jg_role() IN ('platform_admin', 'coordinator')";
const COUNTY_UNITS: &str =
    "jg_role() = 'platform_admin' OR (jg_role() = 'county_admin' AND region_id = jg_region())";

/// The script `pg-roles` prints: the group roles of this database (made
/// if missing), their privileges on its tables, and for each account a
/// login role of its name in its group (active) or out of every group of
/// this database (deactivated). Safe to run again after accounts change.
/// `reserved` are role names no account may take over (superusers, the
/// tables' owner): such accounts are left out, with a comment saying so.
pub fn grant_script(
    database: &str,
    accounts: &[(String, Role, bool)],
    reserved: &[String],
) -> String {
    let base = base_group(database);
    let mut s = format!(
        "-- jianguan pg-roles：数据库 {database} 的角色与权限。请由超级用户（或有 CREATEROLE 的库属主）执行：\n\
         --   psql -v ON_ERROR_STOP=1 -f 本文件 …\n\
         -- 账号增减或角色变动后请重新生成并执行。新建的登录角色没有密码：按本单位的做法设置\n\
         -- （ALTER ROLE … PASSWORD …，或在 pg_hba.conf 中用 peer/证书认证）。\n\
         -- 停用账号后，其已连接的会话仍在：请用 pg_terminate_backend 结束它们。\n\
         \\set ON_ERROR_STOP on\n\
         SET client_min_messages = error;\n\
         BEGIN;\n"
    );
    let groups: Vec<String> = std::iter::once(base.clone())
        .chain(Role::ALL.iter().map(|r| group_of(database, *r)))
        .collect();
    for g in &groups {
        s.push_str(&format!(
            "DO $$ BEGIN CREATE ROLE {g} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
        ));
    }
    for r in Role::ALL {
        s.push_str(&format!("GRANT {base} TO {};\n", group_of(database, *r)));
    }
    s.push_str(&format!(
        "-- 只有 jianguan 的账号可以连接、调用其函数（默认人人可以）。\n\
         REVOKE CONNECT, TEMPORARY ON DATABASE {0} FROM PUBLIC;\n\
         REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n\
         GRANT CONNECT ON DATABASE {0} TO {base};\n\
         GRANT USAGE ON SCHEMA public TO {base};\n\
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {base};\n\
         -- 新行的编号由序列给出，不能自取（nextval）。\n\
         REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {base};\n\
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {base};\n\
         -- 操作记录只由服务器写入（jg_append_log）；收回旧版脚本曾授予的写权限。\n\
         REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON change_log, change_log_rows, pending_rows, \
         unlogged_writes FROM {base};\n\
         -- 只有属主可以在此建对象（PostgreSQL 14 默认人人可建）：不让任何人用同名函数冒充内置函数。\n\
         REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n",
        quote_ident(database)
    ));
    let writable: Vec<&str> = POLICIES
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| !READ_ONLY.contains(t) && !BY_COLUMN.contains(t))
        // Tables with no write policy are written by triggers alone.
        .filter(|t| POLICIES.iter().any(|(p, w)| p == t && !w.is_empty()))
        .collect();
    s.push_str(&format!(
        "GRANT INSERT, UPDATE, DELETE ON {} TO {base};\n",
        writable.join(", ")
    ));
    // A claim's figures and a checklist's `counted` are the triggers'; the
    // reviewer changes a local item's review columns only (and inserts the
    // claim an approval makes); a county admin's change of a unit's name
    // or code reaches its checklists' 实施主体.
    let op = group_of(database, Role::Operator);
    let admin = group_of(database, Role::PlatformAdmin);
    let reviewer = group_of(database, Role::LegalReviewer);
    let county = group_of(database, Role::CountyAdmin);
    let coordinator = group_of(database, Role::Coordinator);
    s.push_str(&format!(
        "GRANT INSERT, UPDATE ({LOCAL_ITEM_COLUMNS}) ON local_items TO {op}, {admin};\n\
         GRANT DELETE ON local_items TO {admin};\n\
         GRANT INSERT, UPDATE, DELETE ON milestones TO {admin};\n\
         GRANT INSERT, UPDATE, DELETE ON legal_bases TO {admin};\n\
         GRANT INSERT ON legal_bases TO {op}, {reviewer};\n\
         GRANT UPDATE (status, version) ON legal_bases TO {reviewer};\n\
         GRANT UPDATE (due_at, version, updated_at, updated_by) ON milestones TO {coordinator};\n\
         GRANT INSERT, DELETE ON checklists, claims TO {op}, {admin};\n\
         GRANT UPDATE ({CHECKLIST_COLUMNS}) ON checklists TO {op}, {admin};\n\
         GRANT UPDATE (exercised, note) ON claims TO {op}, {admin};\n\
         GRANT UPDATE (subject_name, subject_code, state) ON checklists TO {county};\n\
         GRANT INSERT, DELETE, UPDATE ({ACCOUNT_COLUMNS}) ON accounts TO {admin}, {county};\n\
         GRANT INSERT ON claims TO {reviewer};\n\
         GRANT UPDATE (state, return_reason, version, updated_at, updated_by) ON local_items TO {reviewer};\n"
    ));
    for (login, role, active) in accounts {
        let name = quote_ident(login);
        // Only a plain name goes into the script (a login is text another
        // role may have written: a line break in it would end a comment).
        if !plain_role_name(login) {
            s.push_str(&format!(
                "-- 未处理账号 {login:?}：登录名含字母、数字、_ . - 以外的字符，不能作为数据库角色\n"
            ));
            continue;
        }
        if reserved.contains(login) || login.starts_with("jg_") || login.starts_with("pg_") {
            s.push_str(&format!(
                "-- 未处理账号 {name}：同名的数据库角色是超级用户、库属主或保留名，不能作为操作员登录\n"
            ));
            continue;
        }
        if *active {
            s.push_str(&format!(
                "DO $$ BEGIN CREATE ROLE {name} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
            ));
        }
        for r in Role::ALL {
            let g = group_of(database, *r);
            if *active && r == role {
                s.push_str(&format!("GRANT {g} TO {name};\n"));
            } else {
                s.push_str(&format!(
                    "DO $$ BEGIN REVOKE {g} FROM {name}; EXCEPTION WHEN undefined_object THEN NULL; END $$;\n"
                ));
            }
        }
    }
    s.push_str("COMMIT;\n");
    s
}

/// A login the script may name: letters, digits, `_`, `.`, `-`, as an OS
/// login is, at most 32.
fn plain_role_name(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 32
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A name as an SQL identifier: quoted, inner quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What the adversarial testing of migration 4 found row-level security
/// let through, closed (part of migration 5): flags that are only 0 or 1;
/// a local item's catalogue rows changed only while it may be edited; a
/// review step that bumps the version, names its author and leaves its
/// history row; a county admin who files no checklist; ids that are the
/// sequence's, not a role's own guess at the next one; no text longer than
/// a spreadsheet cell.
pub fn guards() -> String {
    let mut sql = GUARDS.replace("{WINDOW}", &super::log::WINDOW.to_string());
    for (table, column) in FLAGS {
        sql.push_str(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_flag CHECK ({column} IN (0, 1));\n"
        ));
    }
    for table in IDENTIFIED {
        sql.push_str(&format!(
            "CREATE POLICY jg_fresh_id ON {table} AS RESTRICTIVE FOR INSERT
                 WITH CHECK (id <= jg_last_id('{table}_id_seq'));
             CREATE POLICY jg_fresh_id_update ON {table} AS RESTRICTIVE FOR UPDATE
                 USING (true) WITH CHECK (id <= jg_last_id('{table}_id_seq'));\n"
        ));
    }
    // No text longer than a spreadsheet cell takes (32,767 characters):
    // jianguan's own limits are far below it (`domain::text::rules`), and
    // one such value, written with `psql`, would stop every export of it.
    sql.push_str(
        "DO $$ DECLARE c record; BEGIN
           FOR c IN SELECT table_name, column_name FROM information_schema.columns
                     WHERE table_schema = current_schema() AND data_type = 'text'
                       AND table_name NOT IN ('change_log', 'change_log_rows', 'pending_rows',
                                              'meta', 'jianguan_schema')
           LOOP
             EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (char_length(%I) <= 32767)',
                            c.table_name, c.table_name || '_' || c.column_name || '_cell',
                            c.column_name);
           END LOOP;
         END $$;\n",
    );
    sql.push_str(&pin_search_path(&[
        "jg_last_id(text)",
        "jg_unit_names(bigint)",
        "jg_official_code(bigint)",
        "jg_owner_code(bigint)",
        "jg_local_items_history()",
    ]));
    sql
}

/// SQL that makes the functions named (with their argument types) look up
/// names in this schema only, then pg_temp, as migration 4's are: never a
/// session's own object named like one of ours.
pub fn pin_search_path(functions: &[&str]) -> String {
    let list: Vec<String> = functions.iter().map(|f| format!("'{f}'")).collect();
    format!(
        "DO $$ DECLARE f text; BEGIN
           FOREACH f IN ARRAY ARRAY[{}] LOOP
             EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
           END LOOP;
         END $$;\n",
        list.join(", ")
    )
}

/// Columns that hold a yes or no: whatever else, written with `psql`,
/// would count wrongly everywhere (`exercised <> 0` in one place, a sum in
/// another).
const FLAGS: &[(&str, &str)] = &[
    ("accounts", "is_liaison"),
    ("accounts", "active"),
    ("sub_items", "classified"),
    ("claims", "exercised"),
    ("claims", "inspection"),
    ("checklists", "random_included"),
    ("checklists", "sampling"),
    ("checklists", "cooperation"),
    ("checklists", "counted"),
];

/// Tables with an identity `id` a role inserts into.
const IDENTIFIED: &[&str] = &[
    "accounts",
    "checklists",
    "legal_bases",
    "local_item_history",
    "main_items",
    "progress_reports",
    "sub_items",
    "units",
];

const GUARDS: &str = r#"
CREATE FUNCTION jg_official_code(main bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT official_code FROM local_items WHERE main_item_id = main $$;
-- The last id a sequence handed out, to anyone: an id above it is a guess
-- at someone else's next row.
CREATE FUNCTION jg_last_id(seq text) RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT COALESCE(pg_sequence_last_value(seq::regclass), 0) $$;

-- A local item's main item, sub-items and their bases change only while
-- the item may be edited (草稿, 退回修改: `domain::local_item::editable`);
-- once approved, its unit enters the official codes and nothing else.
-- Not SECURITY DEFINER: `row_security_active` asks about the session's
-- own role (false for the owner and superusers).
CREATE FUNCTION jg_local_catalogue_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
    old_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
    r jsonb;
    main bigint;
    st text;
BEGIN
    IF NOT row_security_active(TG_RELID) THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    -- The item a row belongs to before the write and after it: both must
    -- be open to editing (a sub-item moved out of an approved item too).
    FOREACH r IN ARRAY ARRAY[old_row, new_row] LOOP
        CONTINUE WHEN r IS NULL;
        main := CASE TG_ARGV[0]
            WHEN 'self' THEN CAST(r ->> 'id' AS bigint)
            WHEN 'main' THEN CAST(r ->> 'main_item_id' AS bigint)
            ELSE jg_main_of(CAST(r ->> 'sub_item_id' AS bigint)) END;
        st := jg_local_state(main);
        CONTINUE WHEN st IS NULL OR st IN ('draft', 'returned');
        -- Entering: the main item takes its local item's official code,
        -- a sub-item one of 14 digits.
        CONTINUE WHEN st IN ('approved', 'entered') AND TG_OP = 'UPDATE'
            AND TG_ARGV[0] IN ('self', 'main')
            AND new_row - 'code' - 'provisional_code' = old_row - 'code' - 'provisional_code'
            AND CASE TG_ARGV[0]
                    WHEN 'self' THEN new_row ->> 'code' = jg_official_code(main)
                    ELSE new_row ->> 'code' ~ '^[0-9]{14}$' END;
        RAISE EXCEPTION 'jianguan：地方事项的目录内容只能在草稿或退回修改时修改（现为 %）', st
            USING ERRCODE = 'insufficient_privilege';
    END LOOP;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER main_items_local_guard BEFORE INSERT OR UPDATE OR DELETE ON main_items
    FOR EACH ROW EXECUTE FUNCTION jg_local_catalogue_guard('self');
CREATE TRIGGER sub_items_local_guard BEFORE INSERT OR UPDATE OR DELETE ON sub_items
    FOR EACH ROW EXECUTE FUNCTION jg_local_catalogue_guard('main');
CREATE TRIGGER sub_item_bases_local_guard BEFORE INSERT OR UPDATE OR DELETE ON sub_item_bases
    FOR EACH ROW EXECUTE FUNCTION jg_local_catalogue_guard('sub');

-- A main item of a unit's own is a local item: its `local_items` row is
-- there by the commit (one without would be claimable, never reviewed).
CREATE FUNCTION jg_main_items_local_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF row_security_active(TG_RELID) AND jg_local_state(NEW.id) IS NULL THEN
        RAISE EXCEPTION 'jianguan：本单位的监管事项须作为地方监管事项编制（缺少 local_items）'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER main_items_local_row_at_commit AFTER INSERT OR UPDATE OF owner_unit_id
    ON main_items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.owner_unit_id IS NOT NULL)
    EXECUTE FUNCTION jg_main_items_local_row();

-- A role's change of a row is a whole one, as jianguan makes it: the
-- version moves on by one, the row names its author (the platform admin
-- may act for another, `--as`) and the server's time. TG_ARGV[0]: a role
-- whose changes of this table keep them (a county admin's unit change
-- reaching its checklists' 实施主体, `store::checklists::set_subject`).
CREATE FUNCTION jg_whole_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    IF NOT row_security_active(TG_RELID) THEN
        RETURN NEW;
    END IF;
    r := jg_role();
    IF r = 'platform_admin' OR r = TG_ARGV[0] THEN
        RETURN NEW;
    END IF;
    -- (The same second as the change before is the same time, if that
    -- change was just now: two steps of one minute, not a late one.)
    IF NEW.version <> OLD.version + 1 OR NEW.updated_by IS DISTINCT FROM jg_account()
       OR (NEW.updated_at = OLD.updated_at
           AND OLD.updated_at < floor(extract(epoch FROM clock_timestamp())) - {WINDOW}) THEN
        RAISE EXCEPTION 'jianguan：%的每次修改须使版本加一，并记下操作人和时间', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER local_items_whole_change BEFORE UPDATE ON local_items
    FOR EACH ROW EXECUTE FUNCTION jg_whole_change('');
CREATE TRIGGER checklists_whole_change BEFORE UPDATE ON checklists
    FOR EACH ROW EXECUTE FUNCTION jg_whole_change('county_admin');
CREATE TRIGGER accounts_whole_change BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION jg_whole_change('');
CREATE TRIGGER milestones_whole_change BEFORE UPDATE ON milestones
    FOR EACH ROW EXECUTE FUNCTION jg_whole_change('');

-- What a local item's columns may do at each step, as `app::local_items`
-- moves them: its power-list entry (its unit's own) changes while it is
-- edited, its official code (14 digits) when it is entered or corrected
-- after, a return's reason (never empty) with the return, and stays until
-- the item moves on; the reviewer only takes steps.
CREATE FUNCTION jg_local_items_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    IF NOT row_security_active(TG_RELID) THEN
        RETURN NEW;
    END IF;
    r := jg_role();
    IF r = 'platform_admin' THEN
        RETURN NEW;
    END IF;
    IF (NEW.power_entry_id IS DISTINCT FROM OLD.power_entry_id
            AND OLD.state NOT IN ('draft', 'returned'))
       OR (NEW.official_code IS DISTINCT FROM OLD.official_code
            AND NOT (OLD.state IN ('approved', 'entered') AND NEW.state = 'entered'))
       OR (NEW.state = 'entered' AND (NEW.official_code IS NULL
            OR NEW.official_code !~ '^[0-9]{14}$'))
       OR (NEW.state = 'returned' AND OLD.state <> 'returned'
            AND COALESCE(btrim(NEW.return_reason), '') = '')
       OR (NEW.state = OLD.state AND NEW.return_reason IS DISTINCT FROM OLD.return_reason)
       OR (NEW.state <> OLD.state AND NEW.state <> 'returned' AND NEW.return_reason IS NOT NULL)
       OR (r = 'legal_reviewer' AND NEW.state = OLD.state)
       OR (NEW.power_entry_id IS DISTINCT FROM OLD.power_entry_id AND NEW.power_entry_id IS NOT NULL
           AND (SELECT unit_id FROM power_list WHERE id = NEW.power_entry_id) <> NEW.unit_id) THEN
        RAISE EXCEPTION 'jianguan：地方事项的这项改动不是审核流程中的一步'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER local_items_columns BEFORE UPDATE ON local_items
    FOR EACH ROW EXECUTE FUNCTION jg_local_items_columns();

-- An approval claims the item's sub-items for its unit in the same
-- transaction (`app::local_items::claim_for_owner`): by the commit.
CREATE FUNCTION jg_local_items_owner_claims() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF row_security_active(TG_RELID) AND NEW.state = 'approved' AND EXISTS (
        SELECT 1 FROM sub_items s WHERE s.main_item_id = NEW.main_item_id
           AND NOT EXISTS (SELECT 1 FROM claims c
                            WHERE c.unit_id = NEW.unit_id AND c.sub_item_id = s.id)) THEN
        RAISE EXCEPTION 'jianguan：地方事项审核通过时，须为编制单位认领其全部子项'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER local_items_owner_claims_at_commit AFTER UPDATE OF state ON local_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'approved')
    EXECUTE FUNCTION jg_local_items_owner_claims();

-- An entered item's catalogue carries its national codes by the commit:
-- the main item its official code, every sub-item one of 14 digits (as
-- `app::local_items::enter_in` writes them, entering or correcting).
CREATE FUNCTION jg_local_items_entered_codes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF row_security_active(TG_RELID) AND (
        jg_owner_code(NEW.main_item_id) IS DISTINCT FROM NEW.official_code
        OR EXISTS (SELECT 1 FROM sub_items WHERE main_item_id = NEW.main_item_id
                     AND code !~ '^[0-9]{14}$')) THEN
        RAISE EXCEPTION 'jianguan：已录入的地方事项，主项和每个子项都须带国家系统的14位编码'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION jg_owner_code(main bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT code FROM main_items WHERE id = main $$;
CREATE CONSTRAINT TRIGGER local_items_entered_codes_at_commit AFTER UPDATE ON local_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'entered')
    EXECUTE FUNCTION jg_local_items_entered_codes();

-- Each change of a local item's state is in its history, written here
-- (`store::local_items::add_history` on SQLite): from the row itself, so a
-- history line is always a step that was taken.
CREATE FUNCTION jg_local_items_history() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO local_item_history (main_item_id, at, account_id, from_state, to_state, reason,
                                    item_version)
    VALUES (NEW.main_item_id, NEW.updated_at, NEW.updated_by,
            CASE WHEN TG_OP = 'UPDATE' THEN OLD.state END, NEW.state,
            CASE WHEN NEW.state = 'returned' THEN NEW.return_reason END, NEW.version);
    RETURN NULL;
END $$;
CREATE TRIGGER local_items_history_on_insert AFTER INSERT ON local_items
    FOR EACH ROW EXECUTE FUNCTION jg_local_items_history();
CREATE TRIGGER local_items_history_on_step AFTER UPDATE OF state ON local_items
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION jg_local_items_history();

-- A county admin's change of a unit puts its name and code into the
-- unit's checklists, with the state they earn: the 实施主体 becomes the
-- unit's own, and she files none.
CREATE FUNCTION jg_unit_names(unit bigint) RETURNS TABLE (name text, uscc text)
    LANGUAGE sql STABLE SECURITY DEFINER
    -- `domain::Unit::full_name`: the region's name before the unit's,
    -- unless the unit's name begins with it (its 区/县/市 left off).
    AS $$ SELECT CASE WHEN starts_with(u.name, regexp_replace(r.name, '(回族区|区|县|市)$', ''))
                      THEN u.name ELSE r.name || u.name END,
                 COALESCE(u.uscc, '')
            FROM units u JOIN regions r ON r.id = u.region_id WHERE u.id = unit $$;
CREATE FUNCTION jg_checklists_county_follows_unit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    u record;
BEGIN
    IF row_security_active(TG_RELID) AND jg_role() = 'county_admin' THEN
        SELECT * INTO u FROM jg_unit_names(NEW.unit_id);
        -- The state moves only as the code's coming or going moves it:
        -- down when it is gone, up to 完整 at most when it comes.
        IF (NEW.subject_name, NEW.subject_code) = (OLD.subject_name, OLD.subject_code)
           OR NEW.subject_name <> u.name OR NEW.subject_code <> u.uscc
           OR (NEW.state <> OLD.state AND NOT (
                (OLD.subject_code <> '' AND NEW.subject_code = '' AND NEW.state = 'draft')
                OR (OLD.subject_code = '' AND NEW.subject_code <> '' AND OLD.state = 'draft'
                    AND NEW.state = 'complete'))) THEN
            RAISE EXCEPTION 'jianguan：县区管理员只能把单位的新名称和代码带入其检查实施清单'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER checklists_county_follows_unit BEFORE UPDATE ON checklists
    FOR EACH ROW EXECUTE FUNCTION jg_checklists_county_follows_unit();

-- A login names a database role: no spaces or control characters.
ALTER TABLE accounts ADD CONSTRAINT accounts_login_plain
    CHECK (char_length(login) BETWEEN 1 AND 32 AND login !~ '[[:space:][:cntrl:]$"]');

-- A unit's code (统一社会信用代码): 18 characters, one unit's, and once
-- given never taken away (jianguan's `unit set` refuses all three).
CREATE UNIQUE INDEX units_uscc_once ON units (uscc) WHERE uscc IS NOT NULL AND uscc <> '';
ALTER TABLE units ADD CONSTRAINT units_uscc_shape
    CHECK (uscc IS NULL OR uscc = '' OR uscc ~ '^[0-9A-Z]{18}$');
CREATE FUNCTION jg_units_code_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF row_security_active(TG_RELID) AND COALESCE(OLD.uscc, '') <> ''
       AND COALESCE(NEW.uscc, '') = '' THEN
        RAISE EXCEPTION 'jianguan：单位的统一社会信用代码不能清除'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER units_code_kept BEFORE UPDATE OF uscc ON units
    FOR EACH ROW EXECUTE FUNCTION jg_units_code_kept();

-- A deadline is a time jianguan can show.
ALTER TABLE milestones ADD CONSTRAINT milestones_due_at_sane
    CHECK (due_at BETWEEN 0 AND 4102444800);
"#;
