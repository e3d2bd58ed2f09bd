//! Units (单位) through the services: who may create and change them, the
//! checklists that follow a new code, claims within 监管层级, 不行使 needing
//! no checklist, and 实施主体 always the unit's own.

mod common;

use common::*;
use jianguan::app::checklists::{SaveRequest, save_checklist};
use jianguan::app::units::{UnitInput, UnitUpdate, create_unit, update_unit};
use jianguan::app::{AppError, claims, views};
use jianguan::domain::{
    Category, ChecklistField, ChecklistState, Id, Level, UnitCategory, subject,
};
use jianguan::store::{self, Store};

fn unit_named(s: &Store, name: &str) -> jianguan::domain::Unit {
    let found = store::units::find_units(s.conn(), name).unwrap();
    assert_eq!(found.len(), 1, "{name}");
    found[0].clone()
}

fn new_unit(name: &str, region: &str) -> UnitInput {
    UnitInput {
        name: name.into(),
        category: UnitCategory::GovernmentDepartment,
        region: region.into(),
        uscc: None,
        counterparts: vec!["郑州市应急管理局".into()],
    }
}

#[test]
fn a_county_admin_creates_and_changes_only_its_own_countys_units() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "u.db"));
    let chenjing = actor(&s, "chenjing"); // 金水区's county admin
    let before = content_dump(&s);
    for (name, region) in [("应急管理局", "郑州市"), ("中牟县应急管理局", "中牟县")]
    {
        let e = create_unit(&mut s, &chenjing, &new_unit(name, region)).unwrap_err();
        assert!(
            matches!(&e, AppError::Denied(d) if d.0.contains("本县（市、区）")),
            "{e}"
        );
    }
    let city_unit = unit_named(&s, "市场监督管理局");
    let e = update_unit(
        &mut s,
        &chenjing,
        city_unit.id,
        &UnitUpdate {
            uscc: Some("91350100M000100Y43".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, AppError::Denied(_)), "{e}");
    assert!(content_dump(&s) == before, "a refusal wrote something");

    let made = create_unit(&mut s, &chenjing, &new_unit("金水区应急管理局", "410105")).unwrap();
    assert_eq!(
        (
            made.region_name.as_str(),
            made.region_level,
            made.uscc.as_deref()
        ),
        ("金水区", Level::County, None)
    );
    assert_eq!(made.counterparts, vec!["郑州市应急管理局".to_string()]);
    let log = store::changelog::recent(s.conn(), 1).unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].entity.as_str()),
        ("create_unit", "unit")
    );
    // The same name twice in a region, and a bad or taken code, are refused.
    let e = create_unit(&mut s, &chenjing, &new_unit("金水区应急管理局", "金水区")).unwrap_err();
    assert!(e.to_string().contains("已有单位"), "{e}");
    let bad = update_unit(
        &mut s,
        &chenjing,
        made.id,
        &UnitUpdate {
            uscc: Some("91350100M000100Y44".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(bad.to_string().contains("校验"), "{bad}");
    let taken = unit_named(&s, "金水区市场监督管理局").uscc.unwrap();
    let e = update_unit(
        &mut s,
        &chenjing,
        made.id,
        &UnitUpdate {
            uscc: Some(taken),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("已是“金水区市场监督管理局”的代码"),
        "{e}"
    );
    // An operator may do neither.
    let zhaolei = actor(&s, "zhaolei");
    assert!(matches!(
        create_unit(&mut s, &zhaolei, &new_unit("金水区水利局", "金水区")),
        Err(AppError::Denied(_))
    ));
}

#[test]
fn a_new_code_reaches_every_checklist_of_the_unit_and_completes_what_lacked_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "c.db"));
    let zhangwei = actor(&s, "zhangwei");
    let unit = unit_named(&s, "市场监督管理局");
    // The unit's code is cleared by hand, as on a database made by `init`.
    s.conn()
        .execute("UPDATE units SET uscc = NULL WHERE id = ?1", [unit.id])
        .unwrap();
    let sub = views::required_checklists(&s, unit.id)
        .unwrap()
        .into_iter()
        .find(|r| r.checklist.is_none())
        .expect("an unstarted checklist");
    let complete = jianguan::app::init::demo_fields(
        &unit,
        Level::City,
        &store::catalogue::sub_item(s.conn(), sub.sub_item_id).unwrap(),
    );
    let saved = save_checklist(
        &mut s,
        &zhangwei,
        SaveRequest {
            sub_item_id: sub.sub_item_id,
            fields: complete.clone(),
            expected_version: None,
            submit: false,
        },
    )
    .unwrap();
    // Everything filled but the code, which is not the operator's to type.
    assert_eq!(saved.checklist.state, ChecklistState::Draft);
    assert_eq!(saved.checklist.fields.subject_code, "");
    assert_eq!(saved.errors.len(), 1);
    assert_eq!(saved.errors[0].field, ChecklistField::SubjectCode);
    assert!(saved.errors[0].reason.starts_with(subject::CODE_MISSING));
    let filed = save_checklist(
        &mut s,
        &zhangwei,
        SaveRequest {
            sub_item_id: sub.sub_item_id,
            fields: complete,
            expected_version: Some(saved.checklist.version),
            submit: true,
        },
    )
    .unwrap_err();
    assert!(filed.to_string().contains(subject::CODE_MISSING), "{filed}");

    let admin = actor(&s, ADMIN);
    let code = "11410100MB00012347";
    let theirs = store::checklists::list_for_unit(s.conn(), unit.id).unwrap();
    let done = update_unit(
        &mut s,
        &admin,
        unit.id,
        &UnitUpdate {
            uscc: Some(code.to_lowercase()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(done.changed);
    assert_eq!(done.unit.uscc.as_deref(), Some(code));
    assert_eq!(done.checklists_followed, theirs.len());
    for c in store::checklists::list_for_unit(s.conn(), unit.id).unwrap() {
        assert_eq!(c.fields.subject_code, code);
        assert_eq!(c.fields.subject_name, "郑州市市场监督管理局");
        let was = theirs.iter().find(|t| t.id == c.id).unwrap();
        assert_eq!(c.version, was.version, "open forms and files stay current");
        if was.state == ChecklistState::Filed {
            assert_eq!(c.state, ChecklistState::Filed, "filed stays filed");
        }
    }
    let now_complete = store::checklists::find(s.conn(), sub.sub_item_id, unit.id)
        .unwrap()
        .unwrap();
    assert_eq!(now_complete.state, ChecklistState::Complete);
    let follows = store::changelog::recent(s.conn(), theirs.len() as i64 + 1).unwrap();
    assert_eq!(
        follows
            .iter()
            .filter(|e| e.action == "follow_unit" && e.entity == "checklist")
            .count(),
        theirs.len()
    );
    assert!(follows.iter().any(|e| e.action == "update_unit"));
    // The same code again changes nothing.
    let again = update_unit(
        &mut s,
        &admin,
        unit.id,
        &UnitUpdate {
            uscc: Some(code.into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!again.changed);
}

/// A 行政检查 sub-item whose 监管层级 leaves out 县级, and one that admits it,
/// neither claimed by the unit yet.
fn items_for_county(s: &Store, unit: Id) -> (Id, Id) {
    let mine: Vec<Id> = store::claims::claims_of_unit(s.conn(), unit)
        .unwrap()
        .iter()
        .map(|c| c.sub_item_id)
        .collect();
    let rows: Vec<_> = store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.category == Category::Inspection && !r.classified && !mine.contains(&r.sub_id)
        })
        .collect();
    let out = rows
        .iter()
        .find(|r| !r.levels.admits(Level::County))
        .expect("a city-only item")
        .sub_id;
    let open = rows
        .iter()
        .find(|r| r.levels.admits(Level::County))
        .expect("a county item")
        .sub_id;
    (out, open)
}

#[test]
fn a_county_unit_claims_only_within_the_items_levels() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "l.db"));
    let sunli = actor(&s, "sunli"); // 中牟县市场监督管理局
    let unit = sunli.effective().unit_id;
    let (out, open_item) = items_for_county(&s, unit);
    let before = content_dump(&s);
    let e = claims::claim_many(&mut s, &sunli, &[out, open_item], true).unwrap_err();
    let sub = store::catalogue::sub_item(s.conn(), out).unwrap();
    let levels: Vec<&str> = sub.levels.iter().map(|l| l.label()).collect();
    assert_eq!(
        e.to_string(),
        format!(
            "不能认领：子项 {}（{}）的监管层级为{}，县级单位不能认领",
            sub.name,
            sub.code,
            levels.join("、")
        )
    );
    assert!(content_dump(&s) == before, "nothing claimed");
    let left_out = claims::left_out(&s, unit, &[out, open_item]).unwrap();
    assert_eq!(left_out.len(), 1);
    assert_eq!(left_out[0].sub_item_id, out);
    let r = claims::claim_many(&mut s, &sunli, &[open_item], true).unwrap();
    assert_eq!(r.changed, vec![open_item]);
}

#[test]
fn a_claim_not_exercised_needs_no_checklist_until_it_is_exercised_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "x.db"));
    let zhaolei = actor(&s, "zhaolei"); // 金水区市场监督管理局
    let unit = zhaolei.effective().unit_id;
    let required = |s: &Store| views::required_checklists(s, unit).unwrap().len();
    let figures = |s: &Store| {
        store::claims::unit_figures(s.conn())
            .unwrap()
            .into_iter()
            .find(|f| f.unit_id == unit)
            .unwrap()
    };
    let n = required(&s);
    assert_eq!(figures(&s).required as usize, n);
    // One with a checklist already started.
    let with_list = views::required_checklists(&s, unit)
        .unwrap()
        .into_iter()
        .find(|r| r.checklist.is_some())
        .unwrap();
    let started = figures(&s);
    claims::set_exercised(&mut s, &zhaolei, &[with_list.sub_item_id], false).unwrap();
    assert_eq!(required(&s), n - 1);
    let idle = figures(&s);
    assert_eq!(idle.required as usize, n - 1);
    assert_eq!(
        idle.draft + idle.complete + idle.filed,
        started.draft + started.complete + started.filed - 1,
        "its checklist is no longer counted"
    );
    let e = save_checklist(
        &mut s,
        &zhaolei,
        SaveRequest {
            sub_item_id: with_list.sub_item_id,
            fields: with_list.checklist.clone().unwrap().fields,
            expected_version: with_list.checklist.as_ref().map(|c| c.version),
            submit: false,
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("不行使"), "{e}");
    // Exercised again: required again, with the old checklist as it was.
    claims::set_exercised(&mut s, &zhaolei, &[with_list.sub_item_id], true).unwrap();
    assert_eq!(required(&s), n);
    assert_eq!(
        figures(&s).draft + figures(&s).complete + figures(&s).filed,
        started.draft + started.complete + started.filed
    );
    // The checklists' “counted” flags followed every change of the claims.
    claims::unclaim_many(&mut s, &zhaolei, &[with_list.sub_item_id]).unwrap();
    assert_eq!(store::claims::counted_flag_mismatches(s.conn()).unwrap(), 0);
    claims::claim_many(&mut s, &zhaolei, &[with_list.sub_item_id], true).unwrap();
    assert_eq!(store::claims::counted_flag_mismatches(s.conn()).unwrap(), 0);
    // The kept progress counts followed too; an edit made around jianguan
    // is found.
    assert_eq!(
        store::claims::progress_count_mismatches(s.conn()).unwrap(),
        0
    );
    s.conn()
        .execute(
            "UPDATE unit_progress SET filed = filed + 1 WHERE unit_id = ?1",
            [unit],
        )
        .unwrap();
    assert_eq!(
        store::claims::progress_count_mismatches(s.conn()).unwrap(),
        1
    );
    let back = store::checklists::find(s.conn(), with_list.sub_item_id, unit)
        .unwrap()
        .unwrap();
    assert_eq!(Some(back), with_list.checklist);
}

#[test]
fn the_subject_is_the_units_own_whatever_the_fields_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "s.db"));
    let sunli = actor(&s, "sunli");
    let unit = store::units::unit(s.conn(), sunli.effective().unit_id).unwrap();
    let row = views::required_checklists(&s, unit.id)
        .unwrap()
        .into_iter()
        .find(|r| r.checklist.is_none())
        .expect("an unstarted checklist");
    let city = unit_named(&s, "市场监督管理局");
    let mut fields = jianguan::app::init::demo_fields(
        &city,
        Level::City,
        &store::catalogue::sub_item(s.conn(), row.sub_item_id).unwrap(),
    );
    fields.level = Some(Level::City);
    let saved = save_checklist(
        &mut s,
        &sunli,
        SaveRequest {
            sub_item_id: row.sub_item_id,
            fields,
            expected_version: None,
            submit: true,
        },
    )
    .unwrap();
    let f = &saved.checklist.fields;
    assert_eq!(f.subject_name, "中牟县市场监督管理局");
    assert_eq!(Some(&f.subject_code), unit.uscc.as_ref());
    assert_eq!(f.level, Some(Level::County));
    assert_eq!(saved.checklist.state, ChecklistState::Filed);
}

/// A units file: the header, then the rows (单位名称, 所属区划, 单位类别,
/// 统一社会信用代码, 对口上级部门).
fn write_units(path: &std::path::Path, rows: &[[&str; 5]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("单位").unwrap();
    for (c, h) in jianguan::xlsx::layouts::UNITS.iter().enumerate() {
        ws.write_string(0, c as u16, h.header).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn units_from_the_shell_and_from_a_file_on_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let (code, _, err) = run_on(&db, &["init"]);
    assert_eq!(code, 0, "{err}");
    // No made-up codes: every unit lacks one, and the listing names them.
    let (_, out, _) = run_on(&db, &["unit", "list"]);
    assert!(out.contains("44 个单位未设置统一社会信用代码"), "{out}");
    assert!(out.contains("郑州市市场监督管理局"), "{out}");
    let s = open(&db);
    let coded: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM units WHERE uscc IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(coded, 0);
    drop(s);

    let file = dir.path().join("units.xlsx");
    write_units(
        &file,
        &[
            [
                "市场监督管理局",
                "郑州市",
                "政府工作部门",
                "11410100MB00012347",
                "",
            ],
            [
                "金水区市场监督管理局",
                "金水区",
                "政府工作部门",
                "",
                "郑州市市场监督管理局",
            ],
            ["金水区城市管理局", "410105", "", "91350100M000100Y44", ""],
            ["中牟县人民政府办公室", "中牟", "其他", "", ""],
            ["金水区市场监督管理局", "金水区", "", "", ""],
            ["城市管理局", "郑州市", "委员会", "", ""],
        ],
    );
    let before = content_dump(&open(&db));
    let (code, out, _) = run_on(&db, &["import", "units", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "单位!4: 统一社会信用代码: 统一社会信用代码校验位错误：第18位应为“3”，实为“4”",
            "单位!5: 所属区划: 没有区划“中牟”（写区划名称或6位代码，如“金水区”“410105”）",
            "单位!6: 单位名称: “金水区市场监督管理局”与第3行重复",
            "单位!7: 单位类别: “委员会”不是有效的单位分类，应为：政府工作部门、直属事业单位、其他",
        ],
        "{out}"
    );
    assert!(
        content_dump(&open(&db)) == before,
        "a refused file wrote something"
    );

    // Fixed, it goes in whole: one unit changed, three created.
    write_units(
        &file,
        &[
            [
                "市场监督管理局",
                "郑州市",
                "政府工作部门",
                "11410100MB00012347",
                "",
            ],
            [
                "金水区市场监督管理局",
                "金水区",
                "政府工作部门",
                "",
                "郑州市市场监督管理局",
            ],
            ["金水区城市管理局", "410105", "", "", ""],
            ["中牟县人民政府办公室", "中牟县", "其他", "", ""],
        ],
    );
    let (code, out, _) = run_on(
        &db,
        &["import", "units", file.to_str().unwrap(), "--dry-run"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("将新增 3，将修改 1"), "{out}");
    assert!(
        content_dump(&open(&db)) == before,
        "a dry run wrote something"
    );
    let (code, out, _) = run_on(&db, &["import", "units", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("已新增 3，已修改 1"), "{out}");
    let (_, out, _) = run_on(&db, &["unit", "list", "--region", "金水区", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{out}");
    assert_eq!(listed[0]["counterparts"][0], "郑州市市场监督管理局");
    // Again: nothing changes.
    let (_, out, _) = run_on(&db, &["import", "units", file.to_str().unwrap()]);
    assert!(out.contains("已新增 0，已修改 0，未变 4"), "{out}");

    // unit set: a code, a new name; a bad code is refused in words.
    let (code, _, err) = run_on(&db, &["unit", "set", "金水区城市管理局", "--code", "123"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("未修改单位：统一社会信用代码应为18位，实为3位"),
        "{err}"
    );
    let (code, out, _) = run_on(
        &db,
        &[
            "unit",
            "set",
            "金水区城市管理局",
            "--name",
            "金水区城市管理和综合执法局",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("已修改单位 金水区城市管理和综合执法局"),
        "{out}"
    );
    let (code, out, err) = run_on(
        &db,
        &[
            "unit",
            "add",
            "--name",
            "二七区应急管理局",
            "--region",
            "二七区",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("统一社会信用代码 未设置"), "{out}");
}

#[test]
fn names_that_would_make_a_unit_unreachable_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "n.db"));
    let admin = actor(&s, ADMIN);
    let before = content_dump(&s);
    for (name, region, why) in [
        // A city unit named like a county's unit, and the reverse.
        ("金水区市场监督管理局", "郑州市", "重名或混淆"),
        ("郑州市市场监督管理局", "郑州市", "重名或混淆"),
        // Spaces and invisible characters make no second unit.
        ("金水区 市场监督管理局", "金水区", "重名或混淆"),
        ("金水区\u{200B}教育局", "金水区", "不可见字符"),
        // Units live in a city or a county, not at the province.
        ("河南省体育局", "河南省", "只能建在市或县"),
    ] {
        let e = create_unit(&mut s, &admin, &new_unit(name, region)).unwrap_err();
        assert!(e.to_string().contains(why), "{name}: {e}");
    }
    let jinshui = unit_named(&s, "金水区城市管理局");
    let e = update_unit(
        &mut s,
        &admin,
        jinshui.id,
        &UnitUpdate {
            name: Some("金水区市场监督管理局".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("重名或混淆"), "{e}");
    assert!(content_dump(&s) == before, "a refusal wrote something");
    // A placeholder code that passes its check character is still refused.
    let e = update_unit(
        &mut s,
        &admin,
        jinshui.id,
        &UnitUpdate {
            uscc: Some("000000000000000000".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("全零"), "{e}");
}

#[test]
fn a_bulk_set_refuses_a_value_that_breaks_the_rule_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "b.db"));
    let zhaolei = actor(&s, "zhaolei");
    let unit = zhaolei.effective().unit_id;
    let ids: Vec<Id> = views::required_checklists(&s, unit)
        .unwrap()
        .iter()
        .map(|r| r.sub_item_id)
        .collect();
    let before = content_dump(&s);
    for bad in ["", "120%"] {
        let e = jianguan::app::checklists::set_field_many(
            &mut s,
            &zhaolei,
            &ids,
            ChecklistField::RandomRatio,
            bad,
        )
        .unwrap_err();
        assert!(e.to_string().contains("检查比例"), "{bad:?}: {e}");
        assert!(content_dump(&s) == before, "{bad:?} changed something");
    }
    let ok = jianguan::app::checklists::set_field_many(
        &mut s,
        &zhaolei,
        &ids,
        ChecklistField::RandomRatio,
        "3%-5%",
    )
    .unwrap();
    assert_eq!(ok.changed + ok.unchanged, ids.len());
}

#[test]
fn milestones_are_moved_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    assert_eq!(run_on(&db, &["init"]).0, 0);
    let (code, out, _) = run_on(
        &db,
        &["milestone", "set", "claims_city", "2026-12-14 17:00"],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.trim(),
        "市直部门完成事项认领：截止时间由 2019-05-14 17:00 改为 2026-12-14 17:00"
    );
    let (_, out, _) = run_on(&db, &["milestone", "list"]);
    assert!(
        out.contains(
            "claims_city         市直部门完成事项认领      市直单位      2026-12-14 17:00"
        ),
        "{out}"
    );
    let (code, _, err) = run_on(&db, &["milestone", "set", "claims", "2026-12-14"]);
    assert_eq!(code, 1);
    assert!(err.contains("没有时间节点“claims”"), "{err}");
}
