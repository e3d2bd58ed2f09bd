//! Roles the database enforces (issue #20). Each person connects as a
//! PostgreSQL role named like their jianguan login; `jianguan pg-roles`
//! prints the script that makes those roles members of the group role of
//! their jianguan role. The groups get table privileges (the change log:
//! read and append only), and row-level security limits every write to
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

/// The group role of a jianguan role.
pub fn group_of(role: Role) -> String {
    format!("jianguan_{}", role.key())
}

/// Every group, and the base group all of them are in.
pub const BASE_GROUP: &str = "jianguan_user";

/// The tables every group may only read.
const READ_ONLY: &[&str] = &["meta", "jianguan_schema"];

/// The tables whose columns are granted one by one below.
const BY_COLUMN: &[&str] = &["local_items", "checklists", "claims"];

/// A checklist's columns an operator writes: all but `counted`, kept by
/// trigger.
const CHECKLIST_COLUMNS: &str = "sub_item_id, unit_id, level, item_code, subject_name, subject_code, \
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
        sql.push_str(&format!(
            "ALTER FUNCTION {f}() SECURITY DEFINER SET search_path FROM CURRENT;\n"
        ));
    }
    for (table, write) in POLICIES {
        sql.push_str(&format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY jg_read ON {table} FOR SELECT USING (true);\n"
        ));
        for (command, rule) in *write {
            let clause = match *command {
                "INSERT" => format!("WITH CHECK ({rule})"),
                "DELETE" => format!("USING ({rule})"),
                _ => format!("USING ({rule}) WITH CHECK ({rule})"),
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
    SET search_path FROM CURRENT
    AS $$ SELECT role FROM accounts WHERE login = session_user AND active = 1 $$;
CREATE FUNCTION jg_unit() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path FROM CURRENT
    AS $$ SELECT unit_id FROM accounts WHERE login = session_user AND active = 1 $$;
CREATE FUNCTION jg_region() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path FROM CURRENT
    AS $$ SELECT u.region_id FROM accounts a JOIN units u ON u.id = a.unit_id
          WHERE a.login = session_user AND a.active = 1 $$;
CREATE FUNCTION jg_unit_in_my_county(unit bigint) RETURNS boolean LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT EXISTS (SELECT 1 FROM units u JOIN regions r ON r.id = u.region_id
                          WHERE u.id = unit AND r.level = 'county' AND u.region_id = jg_region()) $$;
CREATE FUNCTION jg_local_of_my_unit(main bigint) RETURNS boolean LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT EXISTS (SELECT 1 FROM main_items WHERE id = main AND owner_unit_id = jg_unit()) $$;
CREATE FUNCTION jg_is_local(main bigint) RETURNS boolean LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT EXISTS (SELECT 1 FROM main_items WHERE id = main AND owner_unit_id IS NOT NULL) $$;
CREATE FUNCTION jg_main_of(sub bigint) RETURNS bigint LANGUAGE sql STABLE
    SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT main_item_id FROM sub_items WHERE id = sub $$;
"#;

/// The claim figures the store keeps in Rust on SQLite (`claims::count`,
/// `claims::recount`, which do nothing on PostgreSQL).
const DERIVED: &str = r#"
CREATE FUNCTION jg_claims_inspection() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
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
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
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
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
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
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
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

const ADMIN: &str = "jg_role() = 'platform_admin'";

/// Each table's write policies: (command, who may). A table not listed
/// has no row-level security (the change log, read and append only by
/// privilege; `pending_rows`, emptied by every write).
const POLICIES: &[(&str, &[(&str, &str)])] = &[
    (
        "claims",
        &[
            (
                "INSERT",
                "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND unit_id = jg_unit())
                 OR (jg_role() = 'legal_reviewer'
                     AND (SELECT owner_unit_id FROM main_items WHERE id = jg_main_of(sub_item_id)) = unit_id)",
            ),
            ("UPDATE", OWN_UNIT),
            ("DELETE", OWN_UNIT),
        ],
    ),
    ("claim_finished", &[("ALL", OWN_UNIT)]),
    (
        "checklists",
        &[
            ("INSERT", OWN_UNIT),
            ("UPDATE", OWN_UNIT),
            ("DELETE", OWN_UNIT),
        ],
    ),
    // Written by the triggers alone.
    ("unit_progress", &[]),
    (
        "local_items",
        &[
            ("INSERT", OWN_UNIT),
            (
                "UPDATE",
                "jg_role() IN ('platform_admin', 'legal_reviewer') OR (jg_role() = 'operator' AND unit_id = jg_unit())",
            ),
            ("DELETE", OWN_UNIT),
        ],
    ),
    (
        "local_item_history",
        &[(
            "INSERT",
            "jg_role() IN ('platform_admin', 'legal_reviewer')
             OR (jg_role() = 'operator' AND jg_local_of_my_unit(main_item_id))",
        )],
    ),
    (
        "main_items",
        &[(
            "ALL",
            "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND owner_unit_id = jg_unit())
             OR (jg_role() = 'legal_reviewer' AND owner_unit_id IS NOT NULL)",
        )],
    ),
    (
        "sub_items",
        &[(
            "ALL",
            "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND jg_local_of_my_unit(main_item_id))
             OR (jg_role() = 'legal_reviewer' AND jg_is_local(main_item_id))",
        )],
    ),
    (
        "sub_item_bases",
        &[(
            "ALL",
            "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND jg_local_of_my_unit(jg_main_of(sub_item_id)))",
        )],
    ),
    (
        "legal_bases",
        &[
            ("INSERT", "jg_role() IN ('platform_admin', 'operator', 'legal_reviewer')"),
            ("UPDATE", "jg_role() IN ('platform_admin', 'legal_reviewer')"),
            ("DELETE", ADMIN),
        ],
    ),
    ("power_list", &[("ALL", ADMIN)]),
    (
        "accounts",
        &[(
            "ALL",
            "jg_role() = 'platform_admin' OR (jg_role() = 'county_admin' AND role = 'operator' AND jg_unit_in_my_county(unit_id))",
        )],
    ),
    (
        "units",
        &[(
            "ALL",
            "jg_role() = 'platform_admin' OR (jg_role() = 'county_admin' AND region_id = jg_region())",
        )],
    ),
    ("regions", &[("ALL", ADMIN)]),
    ("milestones", &[("ALL", ADMIN_OR_COORDINATOR)]),
    ("progress_reports", &[("ALL", ADMIN_OR_COORDINATOR)]),
    ("progress_report_rows", &[("ALL", ADMIN_OR_COORDINATOR)]),
];

const OWN_UNIT: &str =
    "jg_role() = 'platform_admin' OR (jg_role() = 'operator' AND unit_id = jg_unit())";
const ADMIN_OR_COORDINATOR: &str = "jg_role() IN ('platform_admin', 'coordinator')";

/// The script `pg-roles` prints: the group roles (made if missing), their
/// privileges on this database's tables, and for each account a login role
/// of its name in its group (active) or without login (deactivated). Safe
/// to run again after accounts change.
pub fn grant_script(database: &str, accounts: &[(String, Role, bool)]) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "-- jianguan pg-roles：数据库 {database} 的角色与权限。由数据库管理员（库的属主）执行：\n\
         --   jianguan --db … pg-roles | psql …\n\
         -- 账号增减或角色变动后请重新生成并执行。新建的登录角色没有密码：按本单位的做法设置\n\
         -- （ALTER ROLE … PASSWORD …，或在 pg_hba.conf 中用 peer/证书认证）。\n\
         SET client_min_messages = error;\n\
         BEGIN;\n"
    ));
    let mut groups: Vec<String> = vec![BASE_GROUP.to_string()];
    groups.extend(Role::ALL.iter().map(|r| group_of(*r)));
    for g in &groups {
        s.push_str(&format!(
            "DO $$ BEGIN CREATE ROLE {g} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
        ));
    }
    for r in Role::ALL {
        s.push_str(&format!("GRANT {BASE_GROUP} TO {};\n", group_of(*r)));
    }
    s.push_str(&format!(
        "GRANT CONNECT ON DATABASE {} TO {BASE_GROUP};\n\
         GRANT USAGE ON SCHEMA public TO {BASE_GROUP};\n\
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {BASE_GROUP};\n\
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {BASE_GROUP};\n\
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {BASE_GROUP};\n\
         -- The change log: appended to, never changed.\n\
         GRANT INSERT ON change_log, change_log_rows TO {BASE_GROUP};\n\
         GRANT DELETE ON pending_rows TO {BASE_GROUP};\n",
        quote_ident(database)
    ));
    let writable: Vec<&str> = POLICIES
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| !READ_ONLY.contains(t) && !BY_COLUMN.contains(t) && *t != "unit_progress")
        .collect();
    s.push_str(&format!(
        "GRANT INSERT, UPDATE, DELETE ON {} TO {BASE_GROUP};\n",
        writable.join(", ")
    ));
    // A claim's figures and a checklist's `counted` are the triggers'; the
    // reviewer changes a local item's review columns only (and inserts the
    // claim an approval makes).
    let op = group_of(Role::Operator);
    let admin = group_of(Role::PlatformAdmin);
    let reviewer = group_of(Role::LegalReviewer);
    s.push_str(&format!(
        "GRANT INSERT, UPDATE, DELETE ON local_items TO {op}, {admin};\n\
         GRANT INSERT, DELETE ON checklists, claims TO {op}, {admin};\n\
         GRANT UPDATE ({CHECKLIST_COLUMNS}) ON checklists TO {op}, {admin};\n\
         GRANT UPDATE (exercised, note) ON claims TO {op}, {admin};\n\
         GRANT INSERT ON claims TO {reviewer};\n\
         GRANT UPDATE (state, return_reason, version, updated_at, updated_by) ON local_items TO {reviewer};\n"
    ));
    for (login, role, active) in accounts {
        let name = quote_ident(login);
        let login_or_not = if *active { "LOGIN" } else { "NOLOGIN" };
        s.push_str(&format!(
            "DO $$ BEGIN CREATE ROLE {name} {login_or_not}; EXCEPTION WHEN duplicate_object THEN ALTER ROLE {name} {login_or_not}; END $$;\n"
        ));
        for r in Role::ALL {
            let g = group_of(*r);
            if r == role {
                s.push_str(&format!("GRANT {g} TO {name};\n"));
            } else {
                s.push_str(&format!("REVOKE {g} FROM {name};\n"));
            }
        }
    }
    s.push_str("COMMIT;\n");
    s
}

/// A name as an SQL identifier: quoted, inner quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
