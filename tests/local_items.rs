//! Local items through the services: the rules on submit, edits refused
//! under review, the round of return and resubmission with its history.

mod common;

use common::*;
use jianguan::app::local_items::{self, LocalItemInput, LocalSubItemInput};
use jianguan::app::{AppError, bases, views};
use jianguan::domain::{BasisKind, Category, Level, ReviewState};

fn input(basis_ids: Vec<i64>, power: Option<i64>) -> LocalItemInput {
    LocalItemInput {
        name: "对户外招牌设置的行政检查".into(),
        permit_name: String::new(),
        permit_type: None,
        permit_code: String::new(),
        power_entry_id: power,
        sub_items: vec![LocalSubItemInput {
            id: None,
            name: "对户外招牌设置的监督检查".into(),
            category: Category::Inspection,
            target: "招牌设置人".into(),
            measures: String::new(),
            process: String::new(),
            result: String::new(),
            levels: vec![Level::City, Level::County],
            basis_ids,
        }],
    }
}

#[test]
fn submit_checks_the_rules_and_review_goes_round_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "l.db"));
    let lina = actor(&s, "lina");
    let wangfang = actor(&s, "wangfang");
    let unit = lina.effective().unit_id;
    let (all, powers) = views::local_item_choices(&s, unit).unwrap();
    let national = all.iter().find(|b| b.kind == BasisKind::Law).unwrap().id;
    // A national basis and no power-list entry: saved as a draft, refused on submit.
    let id = local_items::create_local_item(&mut s, &lina, &input(vec![national], None)).unwrap();
    let d = views::local_item(&s, id).unwrap();
    assert!(d.row.code.starts_with("DF410100-"));
    let e = local_items::submit(&mut s, &lina, id, d.row.version).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("应从国家目录认领") && msg.contains("权责清单"),
        "{msg}"
    );
    // A new local basis and the unit's own entry: it goes.
    let local = bases::add_local(
        &mut s,
        &lina,
        "郑州市户外广告设置管理办法",
        BasisKind::LocalGovernmentRule,
        "第十条",
        "",
    )
    .unwrap();
    assert_eq!(local.title, "《郑州市户外广告设置管理办法》");
    let v = local_items::edit_local_item(
        &mut s,
        &lina,
        id,
        &input(vec![local.id], Some(powers[0].id)),
        d.row.version,
    )
    .unwrap()
    .version;
    let v = local_items::submit(&mut s, &lina, id, v).unwrap().version;
    // Under review: no edits, no second submit.
    let e = local_items::edit_local_item(
        &mut s,
        &lina,
        id,
        &input(vec![local.id], Some(powers[0].id)),
        v,
    )
    .unwrap_err();
    assert!(e.to_string().contains("审核中"), "{e}");
    assert!(matches!(
        local_items::approve(&mut s, &lina, id, v),
        Err(AppError::Denied(_))
    ));
    let v = local_items::return_for_changes(&mut s, &wangfang, id, v, "请补充监管措施")
        .unwrap()
        .version;
    let v = local_items::submit(&mut s, &lina, id, v).unwrap().version;
    let item = local_items::approve(&mut s, &wangfang, id, v).unwrap();
    assert_eq!(item.state, ReviewState::Approved);
    let e = local_items::mark_entered(&mut s, &lina, id, item.version, "DF12").unwrap_err();
    assert!(e.to_string().contains("14位数字"), "{e}");
    let item =
        local_items::mark_entered(&mut s, &lina, id, item.version, "12345600000001").unwrap();
    assert_eq!(item.official_code.as_deref(), Some("12345600000001"));
    let steps: Vec<(Option<ReviewState>, ReviewState)> = views::local_item(&s, id)
        .unwrap()
        .history
        .iter()
        .map(|h| (h.from, h.to))
        .collect();
    use ReviewState::*;
    assert_eq!(
        steps,
        vec![
            (None, Draft),
            (Some(Draft), Submitted),
            (Some(Submitted), Returned),
            (Some(Returned), Submitted),
            (Some(Submitted), Approved),
            (Some(Approved), Entered),
        ]
    );
    let reasons: Vec<_> = views::local_item(&s, id)
        .unwrap()
        .history
        .into_iter()
        .filter_map(|h| h.reason)
        .collect();
    assert_eq!(reasons, vec!["请补充监管措施".to_string()]);
}

#[test]
fn only_city_operators_add_local_bases_and_only_local_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "l.db"));
    let lina = actor(&s, "lina");
    let zhaolei = actor(&s, "zhaolei");
    let before = content_dump(&s);
    let e = bases::add_local(&mut s, &lina, "某法", BasisKind::Law, "", "").unwrap_err();
    assert!(
        e.to_string().contains("只能新增地方性法规或地方政府规章"),
        "{e}"
    );
    let e = bases::add_local(
        &mut s,
        &zhaolei,
        "某条例",
        BasisKind::LocalRegulation,
        "",
        "",
    )
    .unwrap_err();
    assert!(matches!(e, AppError::Denied(_)), "{e:?}");
    assert_eq!(content_dump(&s), before);
}
