//! Store round trips and compare-and-swap conflicts.

mod common;

use common::*;
use jianguan::app::AppError;
use jianguan::app::checklists::{SaveRequest, save_checklist};
use jianguan::domain::{ChecklistFields, ChecklistState, InspectionKind, Level};
use jianguan::store::{self, ConflictRow};

fn every_field_set(code: &str) -> ChecklistFields {
    ChecklistFields {
        item_code: code.into(),
        level: Some(Level::City),
        subject_name: "郑州市市场监督管理局".into(),
        subject_code: "91350100M000100Y43".into(),
        entrust_name: "郑州市市场监管综合行政执法支队".into(),
        entrust_code: "91310000775785552L".into(),
        target_main: "食品生产企业".into(),
        target_sub: "婴幼儿配方食品生产企业".into(),
        inspection_kind: Some(InspectionKind::OffSite),
        methods: vec!["网络监测".into(), "视频巡查".into()],
        random_included: Some(true),
        random_ratio: "不低于5%".into(),
        random_frequency: "每半年不少于1次".into(),
        content: "检查生产记录\n检查出厂检验".into(),
        sampling: Some(true),
        sampling_content: "抽检营养成分".into(),
        cooperation: Some(true),
        cooperation_org: "郑州市卫生健康委员会".into(),
    }
}

#[test]
fn a_saved_checklist_reads_back_field_for_field_and_a_stale_save_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "rt.db");
    let mut s = open(&db);
    let op = actor(&s, "zhangwei");
    let unit = op.effective().unit_id;
    // A claimed inspection item of the unit that has no checklist yet (未开始).
    let sub = store::claims::claims_of_unit(s.conn(), unit)
        .unwrap()
        .into_iter()
        .map(|c| store::catalogue::sub_item(s.conn(), c.sub_item_id).unwrap())
        .find(|x| {
            x.category == jianguan::domain::Category::Inspection
                && store::checklists::find(s.conn(), x.id, unit)
                    .unwrap()
                    .is_none()
        })
        .expect("an unstarted checklist");
    let mut fields = every_field_set(&sub.code);
    // 实施主体 is always the unit's own (the save puts it in).
    let own = store::units::unit(s.conn(), unit).unwrap();
    fields.subject_name = own.full_name();
    fields.subject_code = own.uscc.clone().unwrap();
    let saved = save_checklist(
        &mut s,
        &op,
        SaveRequest {
            sub_item_id: sub.id,
            fields: fields.clone(),
            expected_version: None,
            submit: true,
        },
    )
    .unwrap();
    assert!(saved.errors.is_empty());
    let back = store::checklists::get(s.conn(), saved.checklist.id).unwrap();
    assert_eq!(back.fields, fields);
    assert_eq!(back.state, ChecklistState::Filed);
    assert_eq!(back.version, 1);

    // Someone else saves version 1 first.
    let mut theirs = fields.clone();
    theirs.content = "他人的修改".into();
    save_checklist(
        &mut s,
        &op,
        SaveRequest {
            sub_item_id: sub.id,
            fields: theirs,
            expected_version: Some(1),
            submit: false,
        },
    )
    .unwrap();
    let mut mine = fields;
    mine.content = "我的修改".into();
    let err = save_checklist(
        &mut s,
        &op,
        SaveRequest {
            sub_item_id: sub.id,
            fields: mine,
            expected_version: Some(1),
            submit: false,
        },
    )
    .unwrap_err();
    let AppError::Conflict(c) = err else {
        panic!("expected a conflict, got {err:?}")
    };
    assert_eq!(c.expected_version, 1);
    assert!(c.saved_by.contains("郑州市市场监督管理局") && c.saved_by.contains("张伟"));
    let ConflictRow::Checklist(current) = &c.current else {
        panic!("conflict about a checklist")
    };
    assert_eq!(current.version, 2);
    assert_eq!(current.fields.content, "他人的修改");
    assert!(c.to_string().contains("未保存"), "{c}");
    // A complete draft is 完整; an incomplete submit is refused with the fields named.
    let mut incomplete = current.fields.clone();
    incomplete.content.clear();
    let err = save_checklist(
        &mut s,
        &op,
        SaveRequest {
            sub_item_id: sub.id,
            fields: incomplete,
            expected_version: Some(2),
            submit: true,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("检查内容（日常）：必填"), "{err}");
    assert_eq!(
        store::checklists::get(s.conn(), current.id)
            .unwrap()
            .version,
        2
    );
}

#[test]
fn a_checklist_needs_a_claimed_inspection_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "rules.db");
    let mut s = open(&db);
    let op = actor(&s, "sunli");
    let unit = op.effective().unit_id;
    let claimed: Vec<i64> = store::claims::claims_of_unit(s.conn(), unit)
        .unwrap()
        .iter()
        .map(|c| c.sub_item_id)
        .collect();
    let unclaimed = (1..300)
        .find(|id| {
            !claimed.contains(id)
                && store::catalogue::sub_item(s.conn(), *id).unwrap().category
                    == jianguan::domain::Category::Inspection
        })
        .unwrap();
    let err = save_checklist(
        &mut s,
        &op,
        SaveRequest {
            sub_item_id: unclaimed,
            fields: ChecklistFields::default(),
            expected_version: None,
            submit: false,
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("尚未认领"), "{err}");
}

#[test]
fn basis_excerpts_are_found_by_full_text_or_like_and_stay_in_sync() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "fts.db");
    let s = open(&db);
    let citation = |id| store::catalogue::basis(s.conn(), id).unwrap().citation();
    // Three characters or more: FTS5 trigram over excerpts.
    let ids = store::catalogue::bases_containing(s.conn(), "抽样检验").unwrap();
    let found: Vec<String> = ids.iter().map(|i| citation(*i)).collect();
    assert!(
        found.contains(&"《中华人民共和国食品安全法》第八十七条".to_string()),
        "{found:?}"
    );
    // Fewer: LIKE.
    let ids = store::catalogue::bases_containing(s.conn(), "查封").unwrap();
    assert!(
        ids.iter()
            .any(|i| citation(*i) == "《中华人民共和国环境保护法》第二十五条")
    );
    // Quotes and wildcards are taken literally.
    assert!(
        store::catalogue::bases_containing(s.conn(), "\"%_")
            .unwrap()
            .is_empty()
    );
    // A new basis is searchable at once (the triggers keep the index).
    s.conn()
        .execute(
            "INSERT INTO legal_bases (title, kind, article, excerpt) VALUES ('《测试条例》', 'other', '', '关于电梯维保记录的要求')",
            [],
        )
        .unwrap();
    let ids = store::catalogue::bases_containing(s.conn(), "电梯维保").unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(citation(ids[0]), "《测试条例》");
}

#[test]
fn a_version_1_file_is_upgraded_once_and_gains_full_text_search() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(store::schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "application_id", store::APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO legal_bases (title, kind, article, excerpt) VALUES ('《旧条例》', 'other', '', '旧文件中的依据摘录')",
            [],
        )
        .unwrap();
    }
    let s = open(&path);
    assert_eq!(s.migrations_applied(), store::schema::LATEST - 1);
    assert_eq!(
        store::catalogue::bases_containing(s.conn(), "依据摘录")
            .unwrap()
            .len(),
        1
    );
    drop(s);
    assert_eq!(open(&path).migrations_applied(), 0);
}

#[test]
fn a_version_2_file_gains_the_inspection_flag_of_its_claims() {
    let dir = tempfile::tempdir().unwrap();
    // A demo file taken back to version 2: the flag column and index gone.
    let path = demo_db(dir.path(), "v2.db");
    let expected: i64 = {
        let s = open(&path);
        s.conn()
            .query_row(
                "SELECT count(*) FROM claims c JOIN sub_items s ON s.id = c.sub_item_id
                 WHERE s.category = 'inspection'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (name, _) in store::logged::all_triggers() {
            conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
        }
        conn.execute_batch(
            "DROP TABLE pending_rows;
             DROP TABLE change_log_rows;
             ALTER TABLE change_log DROP COLUMN rows_digest;
             DROP TRIGGER claims_progress_category;
             DROP TRIGGER checklists_progress_insert;
             DROP TRIGGER checklists_progress_update;
             DROP TRIGGER checklists_progress_delete;
             DROP TABLE unit_progress;
             DROP TRIGGER checklists_counted_insert;
             DROP TRIGGER claims_counted_category;
             DROP INDEX checklists_unit;
             ALTER TABLE checklists DROP COLUMN counted;
             DROP TABLE progress_report_rows;
             DROP TABLE progress_reports;
             DROP TRIGGER sub_items_category;
             ALTER TABLE claims DROP COLUMN inspection;
             CREATE INDEX checklists_unit ON checklists(unit_id, state);
             DROP TABLE meta;
             DROP INDEX main_items_provisional;
             DROP INDEX sub_items_provisional;
             ALTER TABLE main_items DROP COLUMN provisional_code;
             ALTER TABLE sub_items DROP COLUMN provisional_code;
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let s = open(&path);
    assert_eq!(s.migrations_applied(), store::schema::LATEST - 2);
    let flagged: i64 = s
        .conn()
        .query_row("SELECT sum(inspection) FROM claims", [], |r| r.get(0))
        .unwrap();
    assert_eq!(flagged, expected);
    assert_eq!(
        store::claims::inspection_flag_mismatches(s.conn()).unwrap(),
        0
    );
    // An item changing category carries its claims along.
    let (sub, before): (i64, i64) = s
        .conn()
        .query_row(
            "SELECT sub_item_id, count(*) FROM claims WHERE inspection = 1
             GROUP BY sub_item_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    s.conn()
        .execute(
            "UPDATE sub_items SET category = 'penalty' WHERE id = ?1",
            [sub],
        )
        .unwrap();
    let after: i64 = s
        .conn()
        .query_row("SELECT sum(inspection) FROM claims", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, expected - before);
    assert_eq!(
        store::claims::inspection_flag_mismatches(s.conn()).unwrap(),
        0
    );
}
