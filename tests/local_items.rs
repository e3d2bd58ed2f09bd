//! Local items through the services: the rules on submit, edits refused
//! under review, the round of return and resubmission with its history.

mod common;

use common::*;
use jianguan::app::local_items::{self, LocalItemInput, LocalSubItemInput};
use jianguan::app::{AppError, bases, claims, views};
use jianguan::domain::{BasisKind, Category, Level, ReviewState};
use jianguan::store;

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
    let d = views::local_item(&s, Some(&lina), id).unwrap();
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
    // Before approval another unit neither sees nor claims it.
    let zhaolei = actor(&s, "zhaolei");
    let sub = views::local_item(&s, Some(&lina), id).unwrap().subs[0]
        .0
        .clone();
    let tree = views::tree(&s, Some(&zhaolei)).unwrap();
    assert!(
        !tree.rows.iter().any(|r| r.sub_id == sub.id),
        "hidden before approval"
    );
    let e = claims::claim_many(&mut s, &zhaolei, &[sub.id], true).unwrap_err();
    assert!(e.to_string().contains("审核通过后才能认领"), "{e}");
    let item = local_items::approve(&mut s, &wangfang, id, v).unwrap();
    assert_eq!(item.state, ReviewState::Approved);
    // Approval claimed it for the unit that compiled it, in the same write.
    let own = store::claims::claim_of(s.conn(), unit, sub.id)
        .unwrap()
        .unwrap();
    assert!(own.exercised);
    let log = store::changelog::recent(s.conn(), 2).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[1].action.as_str()),
        ("claim", "approve_local_item")
    );
    assert!(
        views::required_checklists(&s, unit)
            .unwrap()
            .iter()
            .any(|r| r.sub_item_id == sub.id),
        "its 行政检查 sub-item now needs the unit's checklist"
    );
    // Approved: the county unit sees it and may claim it.
    assert!(
        views::tree(&s, Some(&zhaolei))
            .unwrap()
            .rows
            .iter()
            .any(|r| r.sub_id == sub.id)
    );
    claims::claim_many(&mut s, &zhaolei, &[sub.id], true).unwrap();
    // 已录入 takes the main item's and every sub-item's 14-digit code.
    let codes = |main: &str, sub_code: &str| local_items::EnteredCodes {
        main: main.into(),
        subs: vec![(sub.id, sub_code.into())],
    };
    let e = local_items::mark_entered(&mut s, &lina, id, item.version, &codes("DF12", "1"))
        .unwrap_err();
    assert!(e.to_string().contains("14位数字"), "{e}");
    let e = local_items::mark_entered(
        &mut s,
        &lina,
        id,
        item.version,
        &local_items::EnteredCodes {
            main: "12345600000001".into(),
            subs: vec![],
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("缺少子项"), "{e}");
    let taken = store::catalogue::tree_rows(s.conn()).unwrap()[0]
        .sub_code
        .clone();
    let e = local_items::mark_entered(
        &mut s,
        &lina,
        id,
        item.version,
        &codes("12345600000001", &taken),
    )
    .unwrap_err();
    assert!(e.to_string().contains("已是"), "{e}");
    let item = local_items::mark_entered(
        &mut s,
        &lina,
        id,
        item.version,
        &codes("12345600000001", "12345600100001"),
    )
    .unwrap();
    assert_eq!(item.official_code.as_deref(), Some("12345600000001"));
    // The official codes are the items' codes now; the DF codes still find them.
    let entered = store::catalogue::sub_item(s.conn(), sub.id).unwrap();
    assert_eq!(entered.code, "12345600100001");
    assert_eq!(
        store::catalogue::sub_item_by_code(s.conn(), &sub.code)
            .unwrap()
            .map(|x| x.id),
        Some(sub.id)
    );
    assert_eq!(
        views::local_item(&s, Some(&lina), id).unwrap().row.code,
        "12345600000001"
    );
    let (_, annex5) = jianguan::app::export::checklist_rows(
        &s,
        jianguan::store::checklists::Scope::Unit(unit),
        false,
    )
    .unwrap();
    assert!(
        annex5
            .iter()
            .any(|r| r.fields.item_code == "12345600100001")
    );
    assert!(!annex5.iter().any(|r| r.fields.item_code == sub.code));
    let steps: Vec<(Option<ReviewState>, ReviewState)> = views::local_item(&s, Some(&lina), id)
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
    let reasons: Vec<_> = views::local_item(&s, Some(&lina), id)
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
