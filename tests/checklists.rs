//! Checklists through the services: reuse from the upper level, the
//! upstream change and re-sync, the bulk set of one field.

mod common;

use common::*;
use jianguan::app::checklists::{self, SaveRequest};
use jianguan::app::{AppError, views};
use jianguan::domain::{ChecklistField, ChecklistState, Id};
use jianguan::store::{self, Store};

/// A sub-item the county unit must fill whose city checklist it may reuse.
fn reusable_item(s: &Store, county_unit: Id) -> (Id, jianguan::domain::Checklist) {
    views::required_checklists(s, county_unit)
        .unwrap()
        .into_iter()
        .find_map(|r| {
            let found = checklists::reusable(s, county_unit, r.sub_item_id).unwrap();
            found
                .into_iter()
                .find(|c| c.state == ChecklistState::Filed)
                .map(|c| (r.sub_item_id, c))
        })
        .expect("the demo has a filed city checklist the county can reuse")
}

#[test]
fn a_county_reuses_the_city_checklist_keeping_its_own_subject() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "r.db"));
    let zhaolei = actor(&s, "zhaolei");
    let unit = zhaolei.effective().unit_id;
    let (sub, city) = reusable_item(&s, unit);
    let own = store::checklists::find(s.conn(), sub, unit).unwrap();
    let saved = checklists::reuse(&mut s, &zhaolei, sub, city.id, own.map(|c| c.version)).unwrap();
    let copy = saved.checklist;
    assert_eq!(copy.fields.content, city.fields.content);
    assert_eq!(copy.fields.methods, city.fields.methods);
    assert_eq!(copy.fields.subject_name, "金水区市场监督管理局");
    assert_ne!(copy.fields.subject_code, city.fields.subject_code);
    assert_eq!(copy.fields.level, Some(jianguan::domain::Level::County));
    assert_eq!(
        (copy.source_id, copy.source_version),
        (Some(city.id), Some(city.version))
    );
    assert_eq!(checklists::upper_update(&s, &copy).unwrap(), None);
}

#[test]
fn only_upper_levels_complete_or_filed_checklists_can_be_reused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "r.db"));
    let zhaolei = actor(&s, "zhaolei");
    let zhangwei = actor(&s, "zhangwei");
    let (sub, city) = reusable_item(&s, zhaolei.effective().unit_id);
    // A city unit cannot reuse a county's, nor its own.
    let county_list = store::checklists::find(s.conn(), sub, zhaolei.effective().unit_id)
        .unwrap()
        .map(|c| c.id);
    let before = content_dump(&s);
    for source in [Some(city.id), county_list].into_iter().flatten() {
        let e = checklists::reuse(&mut s, &zhangwei, sub, source, Some(city.version));
        assert!(matches!(e, Err(AppError::Invalid(_))), "{e:?}");
    }
    // A draft of the city's is not offered and cannot be copied.
    let draft = store::checklists::list_for_unit(s.conn(), zhangwei.effective().unit_id)
        .unwrap()
        .into_iter()
        .find(|c| c.state == ChecklistState::Draft)
        .unwrap();
    let unit = zhaolei.effective().unit_id;
    assert!(
        checklists::reusable(&s, unit, draft.sub_item_id)
            .unwrap()
            .iter()
            .all(|c| c.state != ChecklistState::Draft)
    );
    assert_eq!(content_dump(&s), before);
}

#[test]
fn an_upstream_change_is_seen_and_chosen_fields_re_synced() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "r.db"));
    let zhaolei = actor(&s, "zhaolei");
    let zhangwei = actor(&s, "zhangwei");
    let unit = zhaolei.effective().unit_id;
    let (sub, city) = reusable_item(&s, unit);
    let own = store::checklists::find(s.conn(), sub, unit).unwrap();
    let copy = checklists::reuse(&mut s, &zhaolei, sub, city.id, own.map(|c| c.version))
        .unwrap()
        .checklist;
    // The city changes two fields and files again.
    let mut changed = city.fields.clone();
    changed.content = format!("{}\n（市级补充）", city.fields.content);
    changed.target_sub = "新增的监管对象子项".into();
    checklists::save_checklist(
        &mut s,
        &zhangwei,
        SaveRequest {
            sub_item_id: sub,
            fields: changed,
            expected_version: Some(city.version),
            submit: true,
        },
    )
    .unwrap();
    let upper = checklists::upper_update(&s, &copy)
        .unwrap()
        .expect("上级已更新");
    assert_eq!(
        copy.fields.differing(&upper.fields),
        vec![
            ChecklistField::Level,
            ChecklistField::SubjectName,
            ChecklistField::SubjectCode,
            ChecklistField::TargetSub,
            ChecklistField::Content,
        ]
    );
    // Take only the content.
    let synced = checklists::resync(
        &mut s,
        &zhaolei,
        sub,
        &[ChecklistField::Content],
        copy.version,
    )
    .unwrap()
    .checklist;
    assert_eq!(synced.fields.content, upper.fields.content);
    assert_eq!(synced.fields.target_sub, copy.fields.target_sub);
    assert_eq!(synced.fields.subject_name, "金水区市场监督管理局");
    assert_eq!(synced.source_version, Some(upper.version));
    assert_eq!(checklists::upper_update(&s, &synced).unwrap(), None);
}

#[test]
fn a_bulk_set_changes_one_field_on_many_in_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "b.db"));
    let zhangwei = actor(&s, "zhangwei");
    let unit = zhangwei.effective().unit_id;
    let rows = views::required_checklists(&s, unit).unwrap();
    let not_started = rows.iter().find(|r| r.checklist.is_none()).unwrap();
    let drafts: Vec<Id> = rows
        .iter()
        .filter(|r| r.checklist.as_ref().map(|c| c.state) == Some(ChecklistState::Draft))
        .map(|r| r.sub_item_id)
        .take(2)
        .collect();
    let mut ids = drafts.clone();
    ids.push(not_started.sub_item_id);
    // A value the field cannot take refuses all, naming the field.
    let before = content_dump(&s);
    let e = checklists::set_field_many(
        &mut s,
        &zhangwei,
        &ids,
        ChecklistField::InspectionKind,
        "飞行检查",
    )
    .unwrap_err();
    assert!(e.to_string().contains("检查类别"), "{e}");
    assert_eq!(content_dump(&s), before);

    let r = checklists::set_field_many(
        &mut s,
        &zhangwei,
        &ids,
        ChecklistField::InspectionKind,
        "非现场检查",
    )
    .unwrap();
    assert_eq!(r.changed + r.unchanged, 3);
    for id in &ids {
        let c = store::checklists::find(s.conn(), *id, unit)
            .unwrap()
            .unwrap();
        assert_eq!(
            c.fields.text_of(ChecklistField::InspectionKind),
            "非现场检查"
        );
    }
    // The one not started is now a draft with the subject still to fill.
    let started = store::checklists::find(s.conn(), not_started.sub_item_id, unit)
        .unwrap()
        .unwrap();
    assert_eq!(started.state, ChecklistState::Draft);
    // Again: nothing to change.
    let r = checklists::set_field_many(
        &mut s,
        &zhangwei,
        &ids,
        ChecklistField::InspectionKind,
        "非现场检查",
    )
    .unwrap();
    assert_eq!((r.changed, r.unchanged), (0, 3));
}
