//! The local catalogue end to end: suggestions by 系统一条线 and 谁审批谁监管,
//! annex 4 per unit and for the city, entering national codes from a file,
//! a repealed basis, and `check` on claims the rules now refuse.

mod common;

use common::*;
use jianguan::app::{bases, local_items, suggest, views};
use jianguan::domain::{BasisStatus, ReviewState};
use jianguan::store;
use jianguan::tui::app::App;
use jianguan::tui::keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

/// The cells of a spreadsheet's first sheet as text, row by row.
fn cells(path: &Path) -> Vec<Vec<String>> {
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn the_market_regulator_is_offered_its_lines_unclaimed_items_and_claims_them_with_g_a_c() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "g.db");
    let s = open(&db);
    let zhangwei = actor(&s, "zhangwei");
    let unit = zhangwei.effective().unit_id;
    let list = suggest::suggestions(&s, unit).unwrap();
    assert_eq!(list.len(), 6, "{list:#?}");
    assert!(
        list.iter()
            .all(|x| x.reason == "对口部门 国家市场监督管理总局")
    );
    // The garden bureau approves felling permits: 谁审批、谁监管.
    let yangmin = actor(&s, "yangmin");
    let garden = suggest::suggestions(&s, yangmin.effective().unit_id).unwrap();
    assert!(
        garden
            .iter()
            .any(|x| x.reason == "本单位审批 林木采伐许可" && x.code == "11500100100000"),
        "{garden:#?}"
    );

    // The shell: a dry run lists each with its reason and claims nothing.
    let before = content_dump(&s);
    let (code, out, err) = run_on(
        &db,
        &["--as", "zhangwei", "claim", "--suggested", "--dry-run"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "10101100100000 对经营者明码标价情况的监督检查（对口部门 国家市场监督管理总局）"
        ),
        "{out}"
    );
    assert!(out.contains("将认领 6 项"), "{out}");
    assert!(content_dump(&open(&db)) == before);

    // The TUI: g shows them, a marks them, c claims them.
    let mut a = App::new(
        open(&db),
        Some(zhangwei.clone()),
        Keymap::defaults(),
        "张伟".into(),
    )
    .unwrap();
    a.finish_loading();
    let key = |a: &mut App, c: char| a.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    key(&mut a, 'g');
    assert!(a.status.contains("建议认领（6 个子项）"), "{}", a.status);
    key(&mut a, 'a');
    assert_eq!(a.tree.picked_count(), 6);
    key(&mut a, 'c');
    // Several rows: the question states the count, y answers it.
    assert!(a.confirm.is_some(), "{}", a.status);
    key(&mut a, 'y');
    assert!(
        a.status.starts_with("已认领 6 项（其中 0 项原已认领）"),
        "{}",
        a.status
    );
    assert!(suggest::suggestions(&a.store, unit).unwrap().is_empty());
    // Off and on again: nothing left to suggest.
    key(&mut a, 'g');
    key(&mut a, 'g');
    assert!(a.status.starts_with("没有建议认领的事项"), "{}", a.status);
}

#[test]
fn annex_4_for_a_unit_and_for_the_city() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "a4.db");
    let file = dir.path().join("lina.xlsx");
    // An operator's annex 4: its own unit's items, every state, its 联络人's phone.
    let (code, out, err) = run_on(
        &db,
        &[
            "--as",
            "lina",
            "export",
            "catalogue",
            "--local",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已导出 4 个子项"), "{out}");
    let rows = cells(&file);
    assert_eq!(rows[0][0], "郑州市城市管理局市级监管事项目录清单");
    let s = open(&db);
    let lina = actor(&s, "lina");
    assert_eq!(
        rows[1][0],
        format!(
            "填报单位：郑州市城市管理局        电话：{}",
            lina.effective().mobile
        )
    );
    assert_eq!(rows[2].last().map(String::as_str), Some("状态"));
    assert!(rows[3..].iter().all(|r| r[1] == "郑州市城市管理局"));
    let states: Vec<&str> = rows[3..].iter().map(|r| r[13].as_str()).collect();
    assert!(
        states.contains(&"审核通过") && states.contains(&"待审核"),
        "{states:?}"
    );

    // The city's: only what has been reported, with the coordinator's unit.
    let city = dir.path().join("city.xlsx");
    let (code, _, err) = run_on(
        &db,
        &[
            "--as",
            "liuyang",
            "export",
            "catalogue",
            "--local",
            "-o",
            city.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let rows = cells(&city);
    assert_eq!(rows[0][0], "郑州市市级监管事项目录清单");
    let states: Vec<&str> = rows[3..].iter().map(|r| r[13].as_str()).collect();
    assert!(!states.is_empty());
    assert!(
        states
            .iter()
            .all(|s| ["待审核", "审核通过", "已录入"].contains(s)),
        "{states:?}"
    );
    // --state chooses.
    let (code, out, err) = run_on(
        &db,
        &[
            "--as",
            "liuyang",
            "export",
            "catalogue",
            "--local",
            "--state",
            "草稿",
            "-o",
            city.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已导出 2 个子项"), "{out}");
}

/// A codes file: 地方编码, 国家系统编码.
fn write_codes(path: &Path, rows: &[(&str, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "地方编码").unwrap();
    ws.write_string(0, 1, "国家系统编码").unwrap();
    for (i, (a, b)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *a).unwrap();
        ws.write_string(i as u32 + 1, 1, *b).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn codes_entered_from_a_file_replace_the_df_codes_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "e.db");
    let file = dir.path().join("codes.xlsx");
    // 城乡建设局's approved item DF410100-0006 has two sub-items.
    write_codes(
        &file,
        &[
            ("DF410100-0006", "41100100000006"),
            ("DF410100-0006-01", "41100100100006"),
        ],
    );
    let before = content_dump(&open(&db));
    let (code, out, _) = run_on(
        &db,
        &["--as", "xutao", "import", "entered", file.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("缺少子项 DF410100-0006-02"), "{out}");
    assert!(
        content_dump(&open(&db)) == before,
        "a refused file wrote something"
    );

    write_codes(
        &file,
        &[
            ("DF410100-0006", "41100100000006"),
            ("DF410100-0006-01", "41100100100006"),
            ("DF410100-0006-02", "41100100200006"),
        ],
    );
    let (code, out, err) = run_on(
        &db,
        &["--as", "xutao", "import", "entered", file.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}{err}");
    let s = open(&db);
    let main = store::catalogue::main_item_by_code(s.conn(), "DF410100-0006")
        .unwrap()
        .expect("the DF code still finds it");
    assert_eq!(main.code, "41100100000006");
    let d = views::local_item(&s, None, main.id).unwrap();
    assert_eq!(d.row.state, ReviewState::Entered);
    let codes: Vec<&str> = d.subs.iter().map(|(x, _)| x.code.as_str()).collect();
    assert_eq!(codes, ["41100100100006", "41100100200006"]);
    // Search finds it by either code.
    let (_, out, _) = run_on(&db, &["search", "DF410100-0006-02"]);
    assert!(
        out.contains("41100100200006（原 DF410100-0006-02）"),
        "{out}"
    );
    let (_, out, _) = run_on(&db, &["search", "41100100200006"]);
    assert!(out.contains("41100100200006"), "{out}");
    // The 录入 figure counts it.
    let (_, out, _) = run_on(&db, &["progress", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v
        .as_array()
        .or_else(|| v["units"].as_array())
        .unwrap()
        .clone();
    let row = rows
        .iter()
        .find(|r| r["unit"] == "郑州市城乡建设局")
        .unwrap();
    assert_eq!(row["figures"]["local_reported_by_due"], 1, "{row}");
}

#[test]
fn a_repealed_basis_is_refused_on_an_item_and_named_where_one_rests_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "r.db"));
    let lina = actor(&s, "lina");
    let admin = actor(&s, ADMIN);
    // The basis of 城市管理局's approved item DF410100-0001.
    let main = store::catalogue::main_item_by_code(s.conn(), "DF410100-0001")
        .unwrap()
        .unwrap();
    let sub = store::catalogue::sub_items_of(s.conn(), main.id).unwrap()[0].clone();
    let basis = store::catalogue::bases_of_sub_item(s.conn(), sub.id).unwrap()[0].clone();
    bases::set_status(
        &mut s,
        &admin,
        basis.id,
        BasisStatus::Repealed,
        basis.version,
    )
    .unwrap();
    let row = views::local_items(&s, None, None, None)
        .unwrap()
        .into_iter()
        .find(|r| r.main_item_id == main.id)
        .unwrap();
    assert!(row.basis_repealed, "the review queue says 依据已废止");
    assert!(
        local_items::problems(s.conn(), main.id)
            .unwrap()
            .iter()
            .any(|p| p.starts_with("依据已废止")),
    );
    let impact = bases::impact(&s, None, basis.id).unwrap();
    assert!(
        impact
            .lines
            .iter()
            .any(|l| l.note == "地方事项，依据已废止")
    );
    // A new item cannot take it.
    let unit = lina.effective().unit_id;
    let (_, powers) = views::local_item_choices(&s, unit).unwrap();
    let input = local_items::LocalItemInput {
        name: "对某事项的行政检查".into(),
        permit_name: String::new(),
        permit_type: None,
        permit_code: String::new(),
        power_entry_id: Some(powers[0].id),
        sub_items: vec![local_items::LocalSubItemInput {
            id: None,
            name: "对某事项的监督检查".into(),
            category: jianguan::domain::Category::Inspection,
            target: String::new(),
            measures: String::new(),
            process: String::new(),
            result: String::new(),
            levels: vec![jianguan::domain::Level::City],
            basis_ids: vec![basis.id],
        }],
    };
    let before = content_dump(&s);
    let e = local_items::create_local_item(&mut s, &lina, &input).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}已废止，不能作为子项“对某事项的监督检查”的设定依据",
            basis.citation()
        )
    );
    assert!(content_dump(&s) == before);
}

#[test]
fn check_lists_claims_on_items_not_yet_approved_and_outside_their_levels() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "c.db");
    assert_eq!(run_on(&db, &["check"]).0, 0);
    let s = open(&db);
    let draft = store::catalogue::sub_item_by_code(s.conn(), "DF410100-0007-01")
        .unwrap()
        .unwrap();
    let zhaolei = actor(&s, "zhaolei").effective().clone();
    let county_only_refused = store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .find(|r| !r.levels.admits(jianguan::domain::Level::County))
        .unwrap();
    // Claims made with another tool, as before the rules.
    for sub in [draft.id, county_only_refused.sub_id] {
        s.conn()
            .execute(
                "INSERT INTO claims (unit_id, sub_item_id, exercised, claimed_by, claimed_at)
                 VALUES (?1, ?2, 1, ?3, 0)",
                [zhaolei.unit_id, sub, zhaolei.id],
            )
            .unwrap();
    }
    drop(s);
    let (code, out, _) = run_on(&db, &["check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "金水区市场监督管理局认领了尚未审核通过（草稿）的地方监管事项子项 DF410100-0007-01"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "金水区市场监督管理局认领了监管层级不含本级的子项 {}",
            county_only_refused.sub_code
        )),
        "{out}"
    );
}

#[test]
fn other_units_cannot_read_an_item_before_approval_by_any_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "v.db");
    // DF410100-0003 is 园林局's draft; 0004 水利局's returned item.
    let (code, _, err) = run_on(&db, &["--as", "zhaolei", "review", "show", "DF410100-0003"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("没有主项编码为 DF410100-0003 的地方监管事项"),
        "{err}"
    );
    let (_, out, _) = run_on(
        &db,
        &["--as", "zhaolei", "local", "list", "--unit", "园林局"],
    );
    assert!(!out.contains("DF410100-0003"), "{out}");
    let (_, out, _) = run_on(&db, &["--as", "zhangwei", "review", "list"]);
    assert!(!out.contains("DF410100-0002"), "{out}");
    let (_, out, _) = run_on(
        &db,
        &["--as", "zhaolei", "basis", "impact", "郑州市城市绿化条例"],
    );
    assert!(!out.contains("DF410100-0003"), "{out}");
    let codes = dir.path().join("codes.txt");
    std::fs::write(&codes, "DF410100-0003-01\n").unwrap();
    let (code, _, err) = run_on(
        &db,
        &[
            "--as",
            "zhaolei",
            "claim",
            "--codes",
            codes.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("没有这些子项编码"), "{err}");
    assert!(!err.contains("绿线"), "the name is not given away: {err}");
    // Its own unit and the reviewer do see it.
    let (code, out, _) = run_on(&db, &["--as", "yangmin", "review", "show", "DF410100-0003"]);
    assert_eq!(code, 0);
    assert!(out.contains("对城市绿线管理的行政检查"), "{out}");
    let (code, _, _) = run_on(
        &db,
        &["--as", "wangfang", "review", "show", "DF410100-0003"],
    );
    assert_eq!(code, 0);
}

#[test]
fn approval_waits_for_sound_bases_and_the_owner_keeps_its_claim() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "w.db"));
    let admin = actor(&s, ADMIN);
    let wangfang = actor(&s, "wangfang");
    let lina = actor(&s, "lina");
    // DF410100-0002 waits for review; its basis is repealed meanwhile.
    let main = store::catalogue::main_item_by_code(s.conn(), "DF410100-0002")
        .unwrap()
        .unwrap();
    let sub = store::catalogue::sub_items_of(s.conn(), main.id).unwrap()[0].clone();
    let basis = store::catalogue::bases_of_sub_item(s.conn(), sub.id).unwrap()[0].clone();
    bases::set_status(
        &mut s,
        &admin,
        basis.id,
        BasisStatus::Repealed,
        basis.version,
    )
    .unwrap();
    let item = store::local_items::get(s.conn(), main.id).unwrap();
    let e = local_items::approve(&mut s, &wangfang, main.id, item.version).unwrap_err();
    assert!(e.to_string().starts_with("不能审核通过：依据已废止"), "{e}");
    // An approved item's own unit cannot drop its claim.
    let approved = store::catalogue::main_item_by_code(s.conn(), "DF410100-0001")
        .unwrap()
        .unwrap();
    let own = store::catalogue::sub_items_of(s.conn(), approved.id).unwrap()[0].id;
    let e = jianguan::app::claims::unclaim_many(&mut s, &lina, &[own]).unwrap_err();
    assert!(
        e.to_string().contains("不能取消认领本单位编制并已审核通过"),
        "{e}"
    );
}

#[test]
fn entered_codes_files_are_checked_row_by_row_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "d.db");
    let file = dir.path().join("codes.xlsx");
    write_codes(
        &file,
        &[
            ("DF410100-0006", "41100100000006"),
            ("DF410100-0006-01", "41100100100006"),
            ("DF410100-0006-02", "41100100200006"),
            ("DF410100-0006-02", "4110010020000X"),
        ],
    );
    let before = content_dump(&open(&db));
    let (code, out, _) = run_on(
        &db,
        &["--as", "xutao", "import", "entered", file.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Sheet1!5: 地方编码: “DF410100-0006-02”与第4行重复"),
        "{out}"
    );
    assert!(
        out.contains("Sheet1!5: 国家系统编码: “4110010020000X”应为14位数字"),
        "{out}"
    );
    assert!(content_dump(&open(&db)) == before);
    write_codes(
        &file,
        &[
            ("DF410100-0006", "41100100000006"),
            ("DF410100-0006-01", "41100100100006"),
            ("DF410100-0006-02", "41100100200006"),
        ],
    );
    let args = ["--as", "xutao", "import", "entered", file.to_str().unwrap()];
    assert_eq!(run_on(&db, &args).0, 0);
    let (code, out, _) = run_on(&db, &args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("未变 1"), "{out}");
    // A mistyped code is corrected by entering again, by the DF codes.
    let (code, out, err) = run_on(
        &db,
        &[
            "--as",
            "xutao",
            "local",
            "enter",
            "DF410100-0006",
            "--official",
            "41100100000016",
            "--sub",
            "01=41100100100016",
            "--sub",
            "DF410100-0006-02=41100100200016",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("41100100100006 → 41100100100016"), "{out}");
    assert_eq!(run_on(&db, &["check"]).0, 0);
}
