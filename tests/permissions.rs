//! Every role × every write use case, allowed or denied as SPEC §1 says. A
//! denied call must leave the database content exactly as it was.

mod common;

use common::*;
use jianguan::app::accounts::{create_account, update_account};
use jianguan::app::checklists::{SaveRequest, save_checklist};
use jianguan::app::local_items::{
    LocalItemInput, LocalSubItemInput, approve, create_local_item, edit_local_item, mark_entered,
    return_for_changes, submit,
};
use jianguan::app::units::{UnitInput, create_unit};
use jianguan::app::{Actor, AppError, claims, milestones};
use jianguan::domain::{Category, Id, Level, ReviewState, Role, UnitCategory};
use jianguan::store::{self, Store};
use std::path::{Path, PathBuf};

/// The accounts the matrix runs as: one per role, plus a county operator.
const ACTORS: &[(&str, &str)] = &[
    ("platform_admin", ADMIN),
    ("county_admin", "chenjing"),
    ("city_operator", "zhangwei"),
    ("county_operator", "zhaolei"),
    ("legal_reviewer", "wangfang"),
    ("coordinator", "liuyang"),
];

/// Local items of 市场监督管理局 prepared in each state the use cases need.
struct Fixture {
    draft: Id,
    submitted: Id,
    approved: Id,
}

fn local_input(s: &Store, power_entry: Id) -> LocalItemInput {
    let basis: Id = s
        .conn()
        .query_row(
            "SELECT id FROM legal_bases WHERE title = '《郑州市文明行为促进条例》'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    LocalItemInput {
        name: "对经营场所文明经营的行政检查".into(),
        permit_name: String::new(),
        permit_type: None,
        permit_code: String::new(),
        power_entry_id: Some(power_entry),
        sub_items: vec![LocalSubItemInput {
            id: None,
            name: "对经营场所门前文明经营情况的监督检查".into(),
            category: Category::Inspection,
            target: "经营者".into(),
            measures: "现场检查".into(),
            process: "检查→记录→处理".into(),
            result: "检查记录".into(),
            levels: vec![Level::City, Level::County],
            basis_ids: vec![basis],
        }],
    }
}

fn version(s: &Store, id: Id) -> i64 {
    store::local_items::get(s.conn(), id).unwrap().version
}

fn prepare(dir: &Path) -> (PathBuf, Fixture) {
    let db = demo_db(dir, "template.db");
    let mut s = open(&db);
    let op = actor(&s, "zhangwei");
    let reviewer = actor(&s, "wangfang");
    let admin = actor(&s, ADMIN);
    // So that finishing claiming has something to record.
    assert!(claims::undo_finish_claiming(&mut s, &admin, op.effective().unit_id).unwrap());
    let county_op = actor(&s, "zhaolei");
    assert!(claims::undo_finish_claiming(&mut s, &admin, county_op.effective().unit_id).unwrap());
    // …and so that withdrawing it has something to withdraw.
    let lina = actor(&s, "lina");
    claims::finish_claiming(&mut s, &lina).unwrap();
    let power = s
        .write(|tx| {
            store::catalogue::insert_power_entry(
                tx,
                "QZ-T-1",
                "对文明经营的行政检查",
                op.effective().unit_id,
                "行政检查",
            )
        })
        .unwrap();
    let input = local_input(&s, power);
    let draft = create_local_item(&mut s, &op, &input).unwrap();
    let submitted = create_local_item(&mut s, &op, &input).unwrap();
    let v = version(&s, submitted);
    submit(&mut s, &op, submitted, v).unwrap();
    let approved = create_local_item(&mut s, &op, &input).unwrap();
    let v = version(&s, approved);
    submit(&mut s, &op, approved, v).unwrap();
    let v = version(&s, approved);
    approve(&mut s, &reviewer, approved, v).unwrap();
    assert_eq!(
        store::local_items::get(s.conn(), approved).unwrap().state,
        ReviewState::Approved
    );
    (
        db,
        Fixture {
            draft,
            submitted,
            approved,
        },
    )
}

/// A claimed 行政检查 sub-item of the actor's unit, or any sub-item.
fn inspection_item(s: &Store, a: &Actor) -> Id {
    let unit = a.effective().unit_id;
    store::claims::claims_of_unit(s.conn(), unit)
        .unwrap()
        .into_iter()
        .map(|c| c.sub_item_id)
        .find(|id| {
            store::catalogue::sub_item(s.conn(), *id).unwrap().category == Category::Inspection
        })
        .unwrap_or(1)
}

fn unit_id(s: &Store, name: &str) -> Id {
    store::units::find_units(s.conn(), name).unwrap()[0].id
}

/// Runs use case `case` as `a`; Ok(()) when it succeeded.
fn run(case: &str, s: &mut Store, a: &Actor, f: &Fixture) -> Result<(), AppError> {
    match case {
        "create_unit" => create_unit(
            s,
            a,
            &UnitInput {
                name: "金水区应急管理局".into(),
                category: UnitCategory::GovernmentDepartment,
                region: "金水区".into(),
                uscc: None,
                counterparts: vec![],
            },
        )
        .map(drop),
        "create_account" => create_account(
            s,
            a,
            &jianguan::domain::NewAccount {
                login: "newop".into(),
                name: "新操作员".into(),
                unit_id: unit_id(s, "金水区城市管理局"),
                office_post: "科员".into(),
                mobile: "13912345678".into(),
                role: Role::Operator,
                is_liaison: false,
            },
        )
        .map(drop),
        "update_account" => {
            let mut target = store::accounts::by_login(s.conn(), "zhoujie")
                .unwrap()
                .unwrap();
            let v = target.version;
            target.office_post = "法规股 股长".into();
            update_account(s, a, &target, v).map(drop)
        }
        "claim" => {
            // Items the unit does not claim yet, so an allowed claim changes something.
            let mine = store::claims::claims_of_unit(s.conn(), a.effective().unit_id).unwrap();
            let level = store::units::unit_ref(s.conn(), a.effective().unit_id)
                .map(|u| u.level)
                .unwrap_or(Level::City);
            let fresh: Vec<Id> = store::catalogue::tree_rows(s.conn())
                .unwrap()
                .into_iter()
                .filter(|r| !mine.iter().any(|c| c.sub_item_id == r.sub_id))
                .filter(|r| r.levels.admits(level) && !r.classified)
                .map(|r| r.sub_id)
                .take(5)
                .collect();
            assert!(!fresh.is_empty(), "{} claims all", a.effective().login);
            claims::claim_many(s, a, &fresh, true).map(drop)
        }
        "unclaim" => {
            let id = inspection_item(s, a);
            claims::unclaim_many(s, a, &[id]).map(drop)
        }
        "set_exercised" => {
            let id = inspection_item(s, a);
            claims::set_exercised(s, a, &[id], false).map(drop)
        }
        "finish_claiming" => claims::finish_claiming(s, a).map(drop),
        "undo_finish_claiming" => {
            let unit = unit_id(s, "城市管理局");
            claims::undo_finish_claiming(s, a, unit).map(drop)
        }
        "save_checklist" => {
            let sub = inspection_item(s, a);
            let existing = store::checklists::find(s.conn(), sub, a.effective().unit_id).unwrap();
            save_checklist(
                s,
                a,
                SaveRequest {
                    sub_item_id: sub,
                    fields: existing
                        .as_ref()
                        .map(|c| c.fields.clone())
                        .unwrap_or_default(),
                    expected_version: existing.map(|c| c.version),
                    submit: false,
                },
            )
            .map(drop)
        }
        "create_local_item" => {
            let power = store::local_items::get(s.conn(), f.draft)
                .unwrap()
                .power_entry_id
                .unwrap();
            let input = local_input(s, power);
            create_local_item(s, a, &input).map(drop)
        }
        "edit_local_item" => {
            let power = store::local_items::get(s.conn(), f.draft)
                .unwrap()
                .power_entry_id
                .unwrap();
            let mut input = local_input(s, power);
            input.name = "对经营场所文明经营行为的行政检查".into();
            let v = version(s, f.draft);
            edit_local_item(s, a, f.draft, &input, v).map(drop)
        }
        "submit_local_item" => {
            let v = version(s, f.draft);
            submit(s, a, f.draft, v).map(drop)
        }
        "approve_local_item" => {
            let v = version(s, f.submitted);
            approve(s, a, f.submitted, v).map(drop)
        }
        "return_local_item" => {
            let v = version(s, f.submitted);
            return_for_changes(s, a, f.submitted, v, "依据条款需写明").map(drop)
        }
        "mark_entered" => {
            let v = version(s, f.approved);
            let subs = store::catalogue::sub_items_of(s.conn(), f.approved)
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, x)| (x.id, format!("411001001{i:02}099")))
                .collect();
            let codes = jianguan::app::local_items::EnteredCodes {
                main: "41100100000099".into(),
                subs,
            };
            mark_entered(s, a, f.approved, v, &codes).map(drop)
        }
        "set_milestone" => {
            let m = store::milestones::by_key(s.conn(), "checklists").unwrap();
            milestones::set_due(s, a, "checklists", m.due_at + 86_400, m.version).map(drop)
        }
        "record_report" => {
            let r = jianguan::app::progress::report(s, jianguan::app::now(), false).unwrap();
            jianguan::app::progress::record_report(s, a, &r).map(drop)
        }
        other => panic!("unknown case {other}"),
    }
}

/// Which actors each use case allows (SPEC §1).
const MATRIX: &[(&str, &[&str])] = &[
    ("create_unit", &["platform_admin", "county_admin"]),
    ("create_account", &["platform_admin", "county_admin"]),
    ("update_account", &["platform_admin", "county_admin"]),
    ("claim", &["city_operator", "county_operator"]),
    ("unclaim", &["city_operator", "county_operator"]),
    ("set_exercised", &["city_operator", "county_operator"]),
    ("finish_claiming", &["city_operator", "county_operator"]),
    ("undo_finish_claiming", &["platform_admin"]),
    ("save_checklist", &["city_operator", "county_operator"]),
    ("create_local_item", &["city_operator"]),
    ("edit_local_item", &["city_operator"]),
    ("submit_local_item", &["city_operator"]),
    ("approve_local_item", &["legal_reviewer"]),
    ("return_local_item", &["legal_reviewer"]),
    ("mark_entered", &["platform_admin", "city_operator"]),
    ("set_milestone", &["platform_admin", "coordinator"]),
    ("record_report", &["platform_admin", "coordinator"]),
];

#[test]
fn every_role_against_every_write_use_case() {
    let dir = tempfile::tempdir().unwrap();
    let (template, fixture) = prepare(dir.path());
    let mut checked = 0;
    for (case, allowed) in MATRIX {
        for (role, login) in ACTORS {
            let db = dir.path().join(format!("{case}-{role}.db"));
            open(&template).backup_to(&db).unwrap();
            let mut s = open(&db);
            let a = actor(&s, login);
            let before = content_dump(&s);
            let result = run(case, &mut s, &a, &fixture);
            if allowed.contains(role) {
                assert!(
                    result.is_ok(),
                    "{case} as {role} should be allowed: {:?}",
                    result.err()
                );
                assert!(
                    content_dump(&s) != before,
                    "{case} as {role} changed nothing"
                );
            } else {
                match result {
                    Err(AppError::Denied(_)) => {}
                    other => panic!("{case} as {role} should be denied, got {other:?}"),
                }
                assert!(
                    content_dump(&s) == before,
                    "{case} as {role}: a denial changed data"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, MATRIX.len() * ACTORS.len());
}

#[test]
fn platform_admin_acts_for_an_operator_with_as_and_the_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "as.db");
    let mut s = open(&db);
    let admin_as = Actor::resolve(&s, ADMIN, Some("lina")).unwrap();
    let report = claims::claim_many(&mut s, &admin_as, &[1, 2], true).unwrap();
    assert_eq!(report.changed.len() + report.unchanged, 2);
    let (account, acting): (Id, Id) = s
        .conn()
        .query_row(
            "SELECT account_id, acting_as FROM change_log WHERE action = 'claim' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(account, admin_as.real.id);
    assert_eq!(acting, admin_as.effective().id);
    // Only a platform_admin may use --as.
    let e = Actor::resolve(&s, "zhangwei", Some("lina")).unwrap_err();
    assert!(matches!(e, AppError::Denied(_)), "{e}");
}

#[test]
fn a_login_without_an_account_is_told_who_creates_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "noacct.db");
    let s = open(&db);
    let e = Actor::resolve(&s, "stranger", None).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("stranger") && msg.contains("平台管理员"),
        "{msg}"
    );
}
