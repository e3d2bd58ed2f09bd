//! The schema, as an ordered list of migrations. Migration N brings a file
//! from `user_version` N-1 to N. Never edit a released migration: add one.

/// Schema version this binary writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8];

const V1: &str = r#"
CREATE TABLE regions (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    level     TEXT NOT NULL,
    parent_id INTEGER REFERENCES regions(id)
);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    category     TEXT NOT NULL,
    region_id    INTEGER NOT NULL REFERENCES regions(id),
    uscc         TEXT,
    counterparts TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (region_id, name)
);

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    office_post TEXT NOT NULL DEFAULT '',
    mobile      TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,
    is_liaison  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES accounts(id)
);
CREATE UNIQUE INDEX accounts_one_liaison ON accounts(unit_id) WHERE is_liaison = 1 AND active = 1;
CREATE INDEX accounts_unit ON accounts(unit_id);

CREATE TABLE main_items (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    department    TEXT NOT NULL,
    permit_name   TEXT NOT NULL DEFAULT '',
    permit_type   TEXT,
    permit_code   TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'in_use',
    owner_unit_id INTEGER REFERENCES units(id),
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX main_items_department ON main_items(department, code);
CREATE INDEX main_items_owner ON main_items(owner_unit_id);

CREATE TABLE sub_items (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    main_item_id INTEGER NOT NULL REFERENCES main_items(id),
    name         TEXT NOT NULL,
    category     TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    measures     TEXT NOT NULL DEFAULT '',
    basis_text   TEXT NOT NULL DEFAULT '',
    process      TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    levels       TEXT NOT NULL DEFAULT '',
    classified   INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'in_use',
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX sub_items_main ON sub_items(main_item_id);

CREATE TABLE legal_bases (
    id      INTEGER PRIMARY KEY,
    title   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    article TEXT NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    status  TEXT NOT NULL DEFAULT 'in_force',
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (title, article)
);

CREATE TABLE sub_item_bases (
    sub_item_id INTEGER NOT NULL REFERENCES sub_items(id) ON DELETE CASCADE,
    basis_id    INTEGER NOT NULL REFERENCES legal_bases(id),
    PRIMARY KEY (sub_item_id, basis_id)
) WITHOUT ROWID;
CREATE INDEX sub_item_bases_basis ON sub_item_bases(basis_id);

CREATE TABLE power_list (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind    TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, code)
);

CREATE TABLE claims (
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    sub_item_id INTEGER NOT NULL REFERENCES sub_items(id),
    exercised   INTEGER NOT NULL DEFAULT 1,
    note        TEXT NOT NULL DEFAULT '',
    claimed_by  INTEGER NOT NULL REFERENCES accounts(id),
    claimed_at  INTEGER NOT NULL,
    PRIMARY KEY (unit_id, sub_item_id)
) WITHOUT ROWID;
CREATE INDEX claims_sub_item ON claims(sub_item_id);

CREATE TABLE claim_finished (
    unit_id     INTEGER PRIMARY KEY REFERENCES units(id),
    finished_at INTEGER NOT NULL,
    finished_by INTEGER NOT NULL REFERENCES accounts(id)
);

CREATE TABLE local_items (
    main_item_id   INTEGER PRIMARY KEY REFERENCES main_items(id),
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    state          TEXT NOT NULL,
    power_entry_id INTEGER REFERENCES power_list(id),
    official_code  TEXT UNIQUE,
    return_reason  TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     INTEGER NOT NULL,
    updated_by     INTEGER NOT NULL REFERENCES accounts(id)
);
CREATE INDEX local_items_state ON local_items(state, updated_at);

CREATE TABLE local_item_history (
    id           INTEGER PRIMARY KEY,
    main_item_id INTEGER NOT NULL REFERENCES local_items(main_item_id),
    at           INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    reason       TEXT,
    item_version INTEGER NOT NULL
);
CREATE INDEX local_item_history_item ON local_item_history(main_item_id, id);

CREATE TABLE checklists (
    id               INTEGER PRIMARY KEY,
    sub_item_id      INTEGER NOT NULL REFERENCES sub_items(id),
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    level            TEXT NOT NULL,
    item_code        TEXT NOT NULL DEFAULT '',
    subject_name     TEXT NOT NULL DEFAULT '',
    subject_code     TEXT NOT NULL DEFAULT '',
    entrust_name     TEXT NOT NULL DEFAULT '',
    entrust_code     TEXT NOT NULL DEFAULT '',
    target_main      TEXT NOT NULL DEFAULT '',
    target_sub       TEXT NOT NULL DEFAULT '',
    inspection_kind  TEXT,
    methods          TEXT NOT NULL DEFAULT '[]',
    random_included  INTEGER,
    random_ratio     TEXT NOT NULL DEFAULT '',
    random_frequency TEXT NOT NULL DEFAULT '',
    content          TEXT NOT NULL DEFAULT '',
    sampling         INTEGER,
    sampling_content TEXT NOT NULL DEFAULT '',
    cooperation      INTEGER,
    cooperation_org  TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL,
    source_id        INTEGER REFERENCES checklists(id),
    source_version   INTEGER,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       INTEGER NOT NULL,
    updated_by       INTEGER NOT NULL REFERENCES accounts(id),
    UNIQUE (sub_item_id, unit_id, level)
);
CREATE INDEX checklists_unit ON checklists(unit_id, state);
CREATE INDEX checklists_source ON checklists(source_id);

CREATE TABLE milestones (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    audience   TEXT NOT NULL,
    due_at     INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES accounts(id)
);

CREATE TABLE change_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    account_id INTEGER,
    acting_as  INTEGER,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX change_log_entity ON change_log(entity, entity_id);
"#;

/// Full-text search over legal-basis titles, articles and excerpts. The
/// trigram tokenizer works for Chinese (no word breaks needed) but only for
/// queries of three characters or more; shorter ones fall back to LIKE.
const V2: &str = r#"
CREATE VIRTUAL TABLE basis_fts USING fts5(
    title, article, excerpt,
    content = 'legal_bases', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO basis_fts (basis_fts) VALUES ('rebuild');
CREATE TRIGGER legal_bases_fts_insert AFTER INSERT ON legal_bases BEGIN
    INSERT INTO basis_fts (rowid, title, article, excerpt)
    VALUES (new.id, new.title, new.article, new.excerpt);
END;
CREATE TRIGGER legal_bases_fts_delete AFTER DELETE ON legal_bases BEGIN
    INSERT INTO basis_fts (basis_fts, rowid, title, article, excerpt)
    VALUES ('delete', old.id, old.title, old.article, old.excerpt);
END;
CREATE TRIGGER legal_bases_fts_update AFTER UPDATE ON legal_bases BEGIN
    INSERT INTO basis_fts (basis_fts, rowid, title, article, excerpt)
    VALUES ('delete', old.id, old.title, old.article, old.excerpt);
    INSERT INTO basis_fts (rowid, title, article, excerpt)
    VALUES (new.id, new.title, new.article, new.excerpt);
END;
"#;

/// The progress table counts each unit's claimed 行政检查 items without
/// joining 1.5M claims to the catalogue: each claim carries its item's
/// “is an inspection” flag, set when the claim is written and kept right by
/// a trigger if an item's category changes; `jianguan check` verifies it.
/// The checklist figures read a covering index. Daily reports keep a
/// snapshot of ranks and completion.
const V3: &str = r#"
ALTER TABLE claims ADD COLUMN inspection INTEGER NOT NULL DEFAULT 0;
UPDATE claims SET inspection = 1
 WHERE sub_item_id IN (SELECT id FROM sub_items WHERE category = 'inspection');
CREATE TRIGGER sub_items_category AFTER UPDATE OF category ON sub_items
WHEN old.category <> new.category BEGIN
    UPDATE claims SET inspection = (new.category = 'inspection') WHERE sub_item_id = new.id;
END;
DROP INDEX checklists_unit;
CREATE INDEX checklists_unit ON checklists(unit_id, state, updated_at);

-- Each daily report (通报) keeps what it said, so the next one shows the change.
CREATE TABLE progress_reports (
    id       INTEGER PRIMARY KEY,
    as_of    INTEGER NOT NULL,
    taken_at INTEGER NOT NULL,
    taken_by INTEGER NOT NULL REFERENCES accounts(id)
);
CREATE TABLE progress_report_rows (
    report_id INTEGER NOT NULL REFERENCES progress_reports(id),
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    rank      INTEGER NOT NULL,
    per_mille INTEGER NOT NULL,
    PRIMARY KEY (report_id, unit_id)
) WITHOUT ROWID;
"#;

/// Facts about the database itself: `demo` = 1 when `init --demo` made it,
/// so generated 统一社会信用代码 and people are never taken for real ones.
const V4: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"#;

/// A local item entered in the national system (已录入) carries the codes
/// that system gave, for the main item and each sub-item: they become the
/// items' codes (trees, exports, checklists), and the provisional DF codes
/// stay findable beside them. Items entered before this version had only
/// the main item's code recorded: it moves in now.
const V5: &str = r#"
ALTER TABLE main_items ADD COLUMN provisional_code TEXT;
ALTER TABLE sub_items ADD COLUMN provisional_code TEXT;
CREATE UNIQUE INDEX main_items_provisional ON main_items(provisional_code)
    WHERE provisional_code IS NOT NULL;
CREATE UNIQUE INDEX sub_items_provisional ON sub_items(provisional_code)
    WHERE provisional_code IS NOT NULL;
UPDATE main_items
   SET provisional_code = code,
       code = (SELECT l.official_code FROM local_items l WHERE l.main_item_id = main_items.id)
 WHERE id IN (SELECT main_item_id FROM local_items WHERE official_code IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM main_items o, local_items l
                    WHERE l.main_item_id = main_items.id AND o.code = l.official_code);
"#;

/// A checklist counts in the progress figures only while its unit claims
/// the item, exercises it (不行使 needs none) and the item is an
/// inspection. Joining 600k checklists to 1.5M claims on every read of the
/// table cost half a second. The flag is set when a checklist is written
/// (trigger) or an item changes category (trigger), and by the claim
/// writes for the unit they touch (`claims::recount`: a trigger on each
/// claim row would probe the checklists 10,000 times in a bulk claim);
/// `jianguan check` verifies it.
const V6: &str = r#"
ALTER TABLE checklists ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
UPDATE checklists SET counted = EXISTS (
    SELECT 1 FROM claims c
     WHERE c.unit_id = checklists.unit_id AND c.sub_item_id = checklists.sub_item_id
       AND c.exercised AND c.inspection);
CREATE TRIGGER checklists_counted_insert AFTER INSERT ON checklists BEGIN
    UPDATE checklists SET counted = EXISTS (
        SELECT 1 FROM claims c
         WHERE c.unit_id = new.unit_id AND c.sub_item_id = new.sub_item_id
           AND c.exercised AND c.inspection)
     WHERE id = new.id;
END;
CREATE TRIGGER claims_counted_category AFTER UPDATE OF inspection ON claims BEGIN
    UPDATE checklists SET counted = (new.exercised AND new.inspection)
     WHERE sub_item_id = new.sub_item_id AND unit_id = new.unit_id;
END;
DROP INDEX checklists_unit;
CREATE INDEX checklists_unit ON checklists(unit_id, counted, state, updated_at);
"#;

/// Each unit's progress counts, kept as the rows change rather than
/// aggregated from 1.5M claims and 600k checklists at every read of the
/// progress table (many coordinators re-read it on every commit). One
/// small row a unit: the claim writes add their deltas once per statement
/// (`store::claims`; a trigger on each of 10,000 claim rows cost a bulk
/// claim a third more), triggers do it for checklists and for an item's
/// change of category; `jianguan check` compares it with the rows.
const V7: &str = r#"
CREATE TABLE unit_progress (
    unit_id   INTEGER PRIMARY KEY REFERENCES units(id),
    claimed   INTEGER NOT NULL DEFAULT 0,
    exercised INTEGER NOT NULL DEFAULT 0,
    required  INTEGER NOT NULL DEFAULT 0,
    draft     INTEGER NOT NULL DEFAULT 0,
    complete  INTEGER NOT NULL DEFAULT 0,
    filed     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO unit_progress (unit_id, claimed, exercised, required)
SELECT unit_id, count(*), sum(exercised), sum(exercised AND inspection)
  FROM claims GROUP BY unit_id;
INSERT OR IGNORE INTO unit_progress (unit_id) SELECT DISTINCT unit_id FROM checklists;
UPDATE unit_progress SET
    draft = (SELECT count(*) FROM checklists k
              WHERE k.unit_id = unit_progress.unit_id AND k.counted AND k.state = 'draft'),
    complete = (SELECT count(*) FROM checklists k
              WHERE k.unit_id = unit_progress.unit_id AND k.counted AND k.state = 'complete'),
    filed = (SELECT count(*) FROM checklists k
              WHERE k.unit_id = unit_progress.unit_id AND k.counted AND k.state = 'filed');

CREATE TRIGGER claims_progress_category AFTER UPDATE OF inspection ON claims BEGIN
    UPDATE unit_progress SET
           required = required + (new.exercised AND new.inspection)
                               - (old.exercised AND old.inspection)
     WHERE unit_id = new.unit_id;
END;
CREATE TRIGGER checklists_progress_insert AFTER INSERT ON checklists BEGIN
    INSERT OR IGNORE INTO unit_progress (unit_id) VALUES (new.unit_id);
    UPDATE unit_progress SET
           draft = draft + (new.counted AND new.state = 'draft'),
           complete = complete + (new.counted AND new.state = 'complete'),
           filed = filed + (new.counted AND new.state = 'filed')
     WHERE unit_id = new.unit_id;
END;
CREATE TRIGGER checklists_progress_update AFTER UPDATE OF counted, state ON checklists BEGIN
    UPDATE unit_progress SET
           draft = draft - (old.counted AND old.state = 'draft')
                         + (new.counted AND new.state = 'draft'),
           complete = complete - (old.counted AND old.state = 'complete')
                               + (new.counted AND new.state = 'complete'),
           filed = filed - (old.counted AND old.state = 'filed')
                         + (new.counted AND new.state = 'filed')
     WHERE unit_id = new.unit_id;
END;
CREATE TRIGGER checklists_progress_delete AFTER DELETE ON checklists BEGIN
    UPDATE unit_progress SET
           draft = draft - (old.counted AND old.state = 'draft'),
           complete = complete - (old.counted AND old.state = 'complete'),
           filed = filed - (old.counted AND old.state = 'filed')
     WHERE unit_id = old.unit_id;
END;
"#;

/// The change log vouches for the rows themselves, not only for its own
/// entries: triggers on every logged table (`store::logged`, created from
/// its list by `changelog::after_migrations`, which also records the rows
/// already there) note the key of each row written in `pending_rows` (once
/// per row); the entry that
/// describes the write stores a hash of each such row's image in
/// `change_log_rows` and chains a digest of them (`rows_digest`, NULL for
/// entries written before this version, whose hash did not cover it).
/// `jianguan check` replays these hashes against the current rows.
/// A key is two columns without affinity (the second 0 for one-column
/// keys), so that both sort in the table's own key order.
const V8: &str = r#"
ALTER TABLE change_log ADD COLUMN rows_digest TEXT;
CREATE TABLE pending_rows (
    tbl TEXT NOT NULL,
    k1  NOT NULL,
    k2  NOT NULL,
    PRIMARY KEY (tbl, k1, k2)
) WITHOUT ROWID;
CREATE TABLE change_log_rows (
    log_id INTEGER NOT NULL,
    tbl    TEXT NOT NULL,
    k1     NOT NULL,
    k2     NOT NULL,
    hash   BLOB,
    PRIMARY KEY (log_id, tbl, k1, k2)
) WITHOUT ROWID;
"#;
