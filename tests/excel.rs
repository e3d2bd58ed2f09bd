//! Excel in and out (SPEC §5): annex layouts, foreign files, bad input,
//! the offline round trip of checklists.

mod common;

use common::*;
use jianguan::app::export::checklist_rows;
use jianguan::app::import::{
    ImportOptions, ImportReport, accounts, catalogue, checklists, power_list,
};
use jianguan::app::{Actor, AppError};
use jianguan::domain::{InspectionKind, ItemStatus};
use jianguan::store::checklists::Scope;
use jianguan::store::{self, Store};
use jianguan::xlsx::write::{ChecklistRow, checklist_cells, write_checklists};
use jianguan::xlsx::{self, layouts};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

const REAL: ImportOptions = ImportOptions {
    dry_run: false,
    skip_bad_rows: false,
};

fn import_checklist_file(
    s: &mut Store,
    a: &Actor,
    file: &Path,
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    let sheets = xlsx::read(file, layouts::CHECKLIST).expect("readable");
    checklists::import_checklists(s, a, &sheets, opts, &mut |_, _| {})
}

fn import_catalogue_file(
    s: &mut Store,
    a: &Actor,
    file: &Path,
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    let sheets = xlsx::read(file, layouts::CATALOGUE).expect("readable");
    catalogue::import_catalogue(s, a, &sheets, opts, &mut |_, _| {})
}

fn export_own(s: &Store, a: &Actor, file: &Path) -> Vec<ChecklistRow> {
    let (title, rows) = checklist_rows(s, Scope::Unit(a.effective().unit_id), false).unwrap();
    write_checklists(std::fs::File::create(file).unwrap(), &title, &rows).unwrap();
    rows
}

fn messages(r: &[jianguan::app::import::RowError]) -> Vec<String> {
    r.iter().map(|e| e.to_string()).collect()
}

#[test]
fn exported_checklists_come_back_unchanged_for_every_unit_with_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "rt.db");
    let mut s = open(&db);
    for login in ["zhangwei", "zhaolei", "sunli", "lina"] {
        let a = actor(&s, login);
        let file = dir.path().join(format!("{login}.xlsx"));
        let rows = export_own(&s, &a, &file);
        let before = content_dump(&s);
        let r = import_checklist_file(&mut s, &a, &file, REAL).unwrap();
        assert_eq!(r.rows, rows.len(), "{login}");
        assert_eq!(
            r.unchanged,
            rows.len(),
            "{login}: {:?}",
            messages(&r.rejected)
        );
        assert!(r.rejected.is_empty() && r.conflicts.is_empty());
        assert!(
            content_dump(&s) == before,
            "{login}: a no-op import changed data"
        );
    }
}

#[test]
fn edited_rows_are_saved_invalid_rows_reported_and_stale_rows_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "edit.db");
    let mut s = open(&db);
    let a = actor(&s, "zhangwei");
    let file = dir.path().join("export.xlsx");
    let mut rows = export_own(&s, &a, &file);
    // Row indices in the sheet: data starts at row 4.
    let started: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].version_tag.ends_with(":0"))
        .collect();
    let (edit, bad_code, bad_kind, stale) = (started[0], started[1], started[2], started[3]);
    rows[edit].fields.content = "离线修改：检查进货查验记录".into();
    rows[bad_code].fields.subject_code = "91350100M000100Y44".into();
    rows[bad_kind].fields.inspection_kind = Some(InspectionKind::OffSite);
    // Someone saves the `stale` row in the database after the export.
    let stale_sub = store::catalogue::sub_item_by_code(s.conn(), &rows[stale].fields.item_code)
        .unwrap()
        .unwrap();
    let current = store::checklists::find(s.conn(), stale_sub.id, a.effective().unit_id)
        .unwrap()
        .unwrap();
    let mut theirs = current.fields.clone();
    theirs.content = "在系统中修改".into();
    jianguan::app::checklists::save_checklist(
        &mut s,
        &a,
        jianguan::app::checklists::SaveRequest {
            sub_item_id: stale_sub.id,
            fields: theirs,
            expected_version: Some(current.version),
            submit: false,
        },
    )
    .unwrap();
    rows[stale].fields.content = "离线的旧修改".into();
    let edited = dir.path().join("edited.xlsx");
    write_checklists(std::fs::File::create(&edited).unwrap(), "编辑后", &rows).unwrap();
    let before = content_dump(&s);

    let err = import_checklist_file(&mut s, &a, &edited, REAL).unwrap_err();
    let AppError::Rejected(report) = err else {
        panic!("expected rejection")
    };
    let sheet_row = |i: usize| 4 + i as u32;
    // 实施主体 is the unit's own: another code is not saved.
    let own_code = store::units::unit(s.conn(), a.effective().unit_id)
        .unwrap()
        .uscc
        .unwrap();
    assert_eq!(
        messages(&report.rejected),
        vec![format!(
            "检查实施清单!{}: 实施主体编码: 应为本单位的统一社会信用代码“{own_code}”",
            sheet_row(bad_code)
        )]
    );
    assert_eq!(report.conflicts.len(), 1, "the stale row blocks too");
    assert!(content_dump(&s) == before, "a rejected file changed data");

    let r = import_checklist_file(
        &mut s,
        &a,
        &edited,
        ImportOptions {
            dry_run: false,
            skip_bad_rows: true,
        },
    )
    .unwrap();
    assert_eq!(
        r.changed,
        2,
        "the edited row and the 检查类别 change: {:?}",
        messages(&r.rejected)
    );
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.conflicts.len(), 1);
    assert!(r.conflicts[0].to_string().starts_with(&format!(
        "检查实施清单!{}: 监管事项目录编码: 导出后",
        sheet_row(stale)
    )));
    let saved = store::checklists::find(
        s.conn(),
        store::catalogue::sub_item_by_code(s.conn(), &rows[edit].fields.item_code)
            .unwrap()
            .unwrap()
            .id,
        a.effective().unit_id,
    )
    .unwrap()
    .unwrap();
    assert_eq!(saved.fields.content, "离线修改：检查进货查验记录");
    let kept = store::checklists::find(s.conn(), stale_sub.id, a.effective().unit_id)
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.fields.content, "在系统中修改",
        "the conflict did not overwrite"
    );
}

#[test]
fn a_libreoffice_saved_export_round_trips() {
    if std::process::Command::new("libreoffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: libreoffice is not installed (apt-get install libreoffice-calc-nogui)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "lo.db");
    let mut s = open(&db);
    let a = actor(&s, "zhangwei");
    let src = dir.path().join("ours.xlsx");
    let rows = export_own(&s, &a, &src);
    // Save it again as LibreOffice would after an edit: to .ods, and back.
    let out = dir.path().join("lo");
    for (from, fmt) in [(src.clone(), "ods"), (out.join("ours.ods"), "xlsx")] {
        let status = std::process::Command::new("libreoffice")
            .args(["--headless", "--convert-to", fmt, "--outdir"])
            .arg(&out)
            .arg(&from)
            .output()
            .unwrap();
        assert!(status.status.success());
    }
    for file in [out.join("ours.ods"), out.join("ours.xlsx")] {
        let r = import_checklist_file(&mut s, &a, &file, REAL).unwrap();
        assert_eq!(
            r.unchanged,
            rows.len(),
            "{}: {:?}",
            file.display(),
            messages(&r.rejected)
        );
    }
}

#[test]
fn our_annex5_export_has_the_merged_headers_of_the_notice() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "merge.db");
    let s = open(&db);
    let a = actor(&s, "zhangwei");
    let file = dir.path().join("annex5.xlsx");
    export_own(&s, &a, &file);
    let mut wb: Xlsx<_> = open_workbook(&file).unwrap();
    let merges = wb.merge_cells_by_sheet_name("检查实施清单").unwrap();
    let range = wb.worksheet_range("检查实施清单").unwrap();
    let text = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let merged = |r0, c0, r1, c1| {
        merges
            .iter()
            .any(|m| m.start == (r0, c0) && m.end == (r1, c1))
    };
    // Single columns span both header rows.
    for (c, name) in [
        (0, "监管事项目录编码"),
        (1, "行使层级"),
        (8, "检查类别"),
        (9, "检查方式"),
    ] {
        assert!(merged(1, c, 2, c), "{name} not merged down");
        assert_eq!(text(1, c), name);
    }
    // Groups span their sub-columns.
    for (c0, c1, name) in [
        (2, 3, "实施主体"),
        (4, 5, "委托部门"),
        (6, 7, "监管对象"),
        (10, 12, "双随机信息"),
        (14, 15, "监督抽检"),
        (16, 17, "协同机构"),
    ] {
        assert!(merged(1, c0, 1, c1), "{name} not merged across");
        assert_eq!(text(1, c0), name);
    }
    assert_eq!(text(1, 13), "检查内容");
    let subs: Vec<String> = (2..18)
        .map(|c| text(2, c))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(
        subs,
        [
            "实施主体名称",
            "实施主体编码",
            "委托部门名称",
            "委托部门编码",
            "监管对象主项",
            "监管对象子项",
            "是否纳入双随机",
            "检查比例",
            "检查频次",
            "检查内容（日常）",
            "是否抽检",
            "监督抽检内容",
            "是否协同",
            "协同机构"
        ]
    );
    assert!(text(0, 0).ends_with("监管事项—检查实施清单"));
}

#[test]
fn a_foreign_catalogue_file_imports_and_a_newer_one_updates_cancels_and_keeps_claims() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "cat.db");
    let mut s = open(&db);
    let admin = actor(&s, ADMIN);
    let bases_before = store::catalogue::counts(s.conn()).unwrap().legal_bases;
    let r = import_catalogue_file(&mut s, &admin, &data("catalogue_v1.xlsx"), REAL).unwrap();
    assert_eq!(
        (r.rows, r.added, r.rejected.len()),
        (6, 6, 0),
        "{:?}",
        messages(&r.rejected)
    );
    // The number-typed and full-width codes kept every digit.
    let two = store::catalogue::sub_item_by_code(s.conn(), "30100100200000")
        .unwrap()
        .expect("full-width code");
    assert!(
        store::catalogue::sub_item_by_code(s.conn(), "30100100100000")
            .unwrap()
            .is_some()
    );
    // Merged main-item cells were filled down; the basis text became links
    // to the bases the demo already has.
    assert_eq!(
        store::catalogue::main_item(s.conn(), two.main_item_id)
            .unwrap()
            .name,
        "对食品生产活动的行政检查"
    );
    let cited: Vec<String> = store::catalogue::bases_of_sub_item(s.conn(), two.id)
        .unwrap()
        .iter()
        .map(|b| b.citation())
        .collect();
    assert_eq!(cited.len(), 2);
    assert!(cited.contains(&"《中华人民共和国食品安全法》第八十七条".to_string()));
    assert_eq!(
        store::catalogue::counts(s.conn()).unwrap().legal_bases,
        bases_before,
        "every cited basis matched an existing one"
    );

    // A unit claims the item that the next file drops.
    let op = actor(&s, "zhangwei");
    jianguan::app::claims::claim_many(&mut s, &op, &[two.id], true).unwrap();

    let dry = import_catalogue_file(
        &mut s,
        &admin,
        &data("catalogue_v2.xlsx"),
        ImportOptions {
            dry_run: true,
            skip_bad_rows: false,
        },
    )
    .unwrap();
    // The CLI's path: reading and writing overlap.
    let r = catalogue::import_catalogue_file(
        &mut s,
        &admin,
        &data("catalogue_v2.xlsx"),
        REAL,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(
        (dry.added, dry.changed, dry.cancelled),
        (r.added, r.changed, r.cancelled)
    );
    assert!(!dry.written && r.written);
    assert_eq!((r.added, r.changed, r.unchanged, r.cancelled), (1, 1, 4, 1));
    assert_eq!((r.kept_claims, r.kept_checklists), (1, 0));
    let gone = store::catalogue::sub_item(s.conn(), two.id).unwrap();
    assert_eq!(gone.status, ItemStatus::Cancelled);
    assert_eq!(gone.version, 2);
    assert!(
        store::claims::claim_of(s.conn(), op.effective().unit_id, two.id)
            .unwrap()
            .is_some()
    );
    let renamed = store::catalogue::sub_item_by_code(s.conn(), "30200100300000")
        .unwrap()
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.version),
        ("对违法排放污染物企业的约谈警示", 2)
    );
    // Departments the file does not cover are left alone.
    let other = store::catalogue::sub_item_by_code(s.conn(), "10400100100000")
        .unwrap()
        .unwrap();
    assert_eq!(other.status, ItemStatus::InUse);
    assert!(store::changelog::verify(s.conn()).unwrap().is_empty());
}

#[test]
fn bad_catalogue_rows_are_located_exactly_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "bad.db");
    let mut s = open(&db);
    let admin = actor(&s, ADMIN);
    let before = content_dump(&s);
    let err =
        import_catalogue_file(&mut s, &admin, &data("catalogue_bad_rows.xlsx"), REAL).unwrap_err();
    let AppError::Rejected(r) = err else {
        panic!("expected rejection")
    };
    assert_eq!(
        messages(&r.rejected),
        [
            "Sheet!3: 子项编码: “3010010010000”不是14位数字的事项编码",
            "Sheet!4: 子项类别: “行政检验”不是有效的子项类别，应为：行政检查、行政处罚、行政强制、其他",
            "Sheet!5: 监管层级: 必填，如“省级、市级、县级”",
            "Sheet!7: 子项编码: “30100100400000”与第6行重复",
        ]
    );
    assert!(content_dump(&s) == before);
    let err = catalogue::import_catalogue_file(
        &mut s,
        &admin,
        &data("catalogue_bad_rows.xlsx"),
        REAL,
        &mut |_, _| {},
    )
    .unwrap_err();
    let AppError::Rejected(streamed) = err else {
        panic!("expected rejection")
    };
    assert_eq!(messages(&streamed.rejected), messages(&r.rejected));
    let err = catalogue::import_catalogue_file(
        &mut s,
        &admin,
        &data("truncated.xlsx"),
        REAL,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, AppError::Read(_)), "{err}");
    assert!(content_dump(&s) == before);
    // With --skip-bad-rows the one good row goes in.
    let r = import_catalogue_file(
        &mut s,
        &admin,
        &data("catalogue_bad_rows.xlsx"),
        ImportOptions {
            dry_run: false,
            skip_bad_rows: true,
        },
    )
    .unwrap();
    assert_eq!((r.added, r.rejected.len()), (1, 4));
}

#[test]
fn hand_made_annex5_with_bad_enum_values_names_cell_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "enum.db");
    let mut s = open(&db);
    let a = actor(&s, "zhangwei");
    let before = content_dump(&s);
    let err =
        import_checklist_file(&mut s, &a, &data("checklists_bad_enums.xlsx"), REAL).unwrap_err();
    let AppError::Rejected(r) = err else {
        panic!("expected rejection")
    };
    assert_eq!(
        messages(&r.rejected),
        [
            "清单!3: 检查类别: “随机检查”不是有效的检查类别，应为：现场检查、非现场检查",
            "清单!4: 是否纳入双随机: “可能”应为“是”或“否”",
        ]
    );
    assert!(content_dump(&s) == before);
}

#[test]
fn unreadable_files_fail_with_one_clear_message() {
    let e = xlsx::read(&data("not_a_spreadsheet.xlsx"), layouts::CATALOGUE).unwrap_err();
    assert!(e.to_string().contains("不是 Excel 表格"), "{e}");
    let e = xlsx::read(&data("truncated.xlsx"), layouts::CATALOGUE).unwrap_err();
    assert!(e.to_string().contains("已损坏"), "{e}");
    let e = xlsx::read(&data("catalogue_missing_column.xlsx"), layouts::CATALOGUE).unwrap_err();
    assert!(e.to_string().ends_with("缺少必需的列：子项类别"), "{e}");
    let e = xlsx::read(&data("no_such_file.xlsx"), layouts::CATALOGUE).unwrap_err();
    assert!(e.to_string().ends_with("文件不存在，请检查路径"), "{e}");
    let e = xlsx::read(&data("bad"), layouts::CATALOGUE).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("这是一个文件夹，请给出其中的表格文件"),
        "{e}"
    );
}

#[test]
fn power_list_from_ods_and_accounts_from_xls() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "pl.db");
    let mut s = open(&db);
    let admin = actor(&s, ADMIN);
    let sheets = xlsx::read(&data("power_list.ods"), layouts::POWER_LIST).unwrap();
    let r = power_list::import_power_list(&mut s, &admin, &sheets, REAL).unwrap();
    assert_eq!(
        (r.added, r.rejected.len()),
        (4, 0),
        "{:?}",
        messages(&r.rejected)
    );
    let again = power_list::import_power_list(&mut s, &admin, &sheets, REAL).unwrap();
    assert_eq!(again.unchanged, 4);

    let sheets = xlsx::read(&data("accounts.xls"), layouts::ACCOUNTS).unwrap();
    // A county admin may add only its county's operator: the city row is refused.
    let county = actor(&s, "chenjing");
    let before = content_dump(&s);
    let err = accounts::import_accounts(&mut s, &county, &sheets, REAL).unwrap_err();
    let AppError::Rejected(r) = err else {
        panic!("expected rejection")
    };
    assert_eq!(r.rejected.len(), 1);
    assert!(
        r.rejected[0]
            .to_string()
            .starts_with("accounts!2: 角色: 无权操作"),
        "{}",
        r.rejected[0]
    );
    assert!(content_dump(&s) == before);
    let r = accounts::import_accounts(&mut s, &admin, &sheets, REAL).unwrap();
    assert_eq!(r.added, 2);
    let qian = store::accounts::by_login(s.conn(), "qianer")
        .unwrap()
        .unwrap();
    assert!(qian.is_liaison);
    assert_eq!(qian.mobile, "13700000001");
}

#[test]
fn only_the_platform_admin_imports_catalogues_and_operators_only_their_own_checklists() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "perm.db");
    let mut s = open(&db);
    let op = actor(&s, "zhangwei");
    let err = import_catalogue_file(&mut s, &op, &data("catalogue_v1.xlsx"), REAL).unwrap_err();
    assert!(matches!(err, AppError::Denied(_)), "{err}");
    // 金水区's export imported by 市场监督管理局: every started row is refused.
    let county = actor(&s, "zhaolei");
    let file = dir.path().join("county.xlsx");
    let rows = export_own(&s, &county, &file);
    let before = content_dump(&s);
    let err = import_checklist_file(&mut s, &op, &file, REAL).unwrap_err();
    let AppError::Rejected(r) = err else {
        panic!("expected rejection")
    };
    assert_eq!(r.rejected.len(), rows.len());
    assert!(
        r.rejected[0].reason.contains("只能导入本单位"),
        "{}",
        r.rejected[0]
    );
    assert!(content_dump(&s) == before);
}

fn cells(file: &Path, sheet: &str) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(file).unwrap();
    wb.worksheet_range(sheet).unwrap()
}

fn text_at(r: &calamine::Range<calamine::Data>, row: u32, col: u32) -> String {
    r.get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[test]
fn annex4_has_title_filler_line_headers_and_classified_items_only_on_request() {
    use jianguan::app::export::{CatalogueScope, catalogue_rows, classified_allowed};
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "a4.db");
    let mut s = open(&db);
    let op = actor(&s, "zhangwei");
    let secret: i64 = s
        .conn()
        .query_row(
            "SELECT id FROM sub_items WHERE classified = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Only the platform admin, acting for the unit, claims a 涉密 item first.
    let admin_as_op = jianguan::app::Actor::resolve(&s, ADMIN, Some("zhangwei")).unwrap();
    jianguan::app::claims::claim_many(&mut s, &admin_as_op, &[secret], true).unwrap();
    let unit = op.effective().unit_id;
    let claimed = store::claims::claims_of_unit(s.conn(), unit).unwrap().len();

    let plain = catalogue_rows(&s, Some(&op), CatalogueScope::Unit(unit), false).unwrap();
    assert_eq!(plain.rows.len(), claimed - 1, "the 涉密 item is left out");
    assert!(
        classified_allowed(Some(&op), true).is_err(),
        "only a platform_admin may ask"
    );
    let admin = actor(&s, ADMIN);
    assert!(classified_allowed(Some(&admin), true).unwrap());
    let all = catalogue_rows(&s, Some(&admin), CatalogueScope::Unit(unit), true).unwrap();
    assert_eq!(all.rows.len(), claimed);

    let file = dir.path().join("annex4.xlsx");
    jianguan::xlsx::write::write_catalogue(
        std::fs::File::create(&file).unwrap(),
        &plain.title,
        &plain.filler,
        &plain.phone,
        &plain.rows,
    )
    .unwrap();
    let r = cells(&file, "监管事项清单");
    assert_eq!(text_at(&r, 0, 0), "郑州市市场监督管理局监管事项清单");
    let line = text_at(&r, 1, 0);
    assert!(
        line.starts_with("填报单位：郑州市市场监督管理局") && line.ends_with("电话：13838000001"),
        "{line}"
    );
    let headers: Vec<String> = (0..11).map(|c| text_at(&r, 2, c)).collect();
    assert_eq!(headers, layouts::ANNEX4_HEADERS);
    assert_eq!(text_at(&r, 3, 0), "1");
    assert_eq!(r.height() as usize, 3 + plain.rows.len());
}

#[test]
fn annex2_splits_city_units_and_counties() {
    use jianguan::app::export::account_rows;
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "a2.db");
    let s = open(&db);
    let (city, county) = account_rows(&s).unwrap();
    let file = dir.path().join("annex2.xlsx");
    jianguan::xlsx::write::write_accounts(std::fs::File::create(&file).unwrap(), &city, &county)
        .unwrap();
    let t1 = cells(&file, "表1 市直部门");
    let t2 = cells(&file, "表2 县（市、区）");
    assert_eq!(
        (0..5).map(|c| text_at(&t1, 1, c)).collect::<Vec<_>>(),
        layouts::ANNEX2_CITY
    );
    assert_eq!(
        (0..5).map(|c| text_at(&t2, 1, c)).collect::<Vec<_>>(),
        layouts::ANNEX2_COUNTY
    );
    // 9 city accounts (admin included) and 4 county accounts in the demo.
    assert_eq!((city.len(), county.len()), (9, 4));
    let zhao = (2..t2.height() as u32)
        .find(|&r| text_at(&t2, r, 3) == "赵磊")
        .unwrap();
    assert_eq!(text_at(&t2, zhao, 1), "金水区");
    assert_eq!(text_at(&t2, zhao, 2), "金水区市场监督管理局 法规股 股长");
    assert_eq!(text_at(&t2, zhao, 4), "13838000010");
}

#[test]
fn a_file_exported_before_a_new_code_still_imports_and_duplicates_and_warnings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "code.db");
    let mut s = open(&db);
    let a = actor(&s, "zhaolei");
    let file = dir.path().join("before.xlsx");
    let mut rows = export_own(&s, &a, &file);
    let unit = a.effective().unit_id;
    // The admin gives the unit its real code after the export.
    let admin = actor(&s, ADMIN);
    jianguan::app::units::update_unit(
        &mut s,
        &admin,
        unit,
        &jianguan::app::units::UnitUpdate {
            uscc: Some("11410105MB0000000D".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let started: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].version_tag.ends_with(":0"))
        .collect();
    let (edit, warn) = (started[0], started[1]);
    rows[edit].fields.content = "离线修改：检查进货查验记录".into();
    rows[warn].fields.random_included = Some(true);
    rows[warn].fields.random_ratio = "按年度抽查计划确定".into();
    rows[warn].fields.random_frequency = "每年1次".into();
    let edited = dir.path().join("edited.xlsx");
    write_checklists(std::fs::File::create(&edited).unwrap(), "编辑后", &rows).unwrap();
    let r = import_checklist_file(&mut s, &a, &edited, REAL).unwrap();
    assert!(
        r.rejected.is_empty() && r.conflicts.is_empty(),
        "{:?}",
        messages(&r.rejected)
    );
    assert_eq!(r.changed, 2);
    assert_eq!(
        messages(&r.warnings),
        vec![format!(
            "检查实施清单!{}: 检查比例: 未写明比例，请确认“按年度抽查计划确定”符合要求",
            4 + warn
        )]
    );
    let saved = store::checklists::list_for_unit(s.conn(), unit).unwrap();
    assert!(
        saved
            .iter()
            .all(|c| c.fields.subject_code == "11410105MB0000000D")
    );

    // The same item twice in one file: the second is refused, naming the first.
    let mut twice = export_own(&s, &a, &file);
    let copy = twice[started[0]].clone();
    twice.push(copy);
    write_checklists(std::fs::File::create(&edited).unwrap(), "重复", &twice).unwrap();
    let before = content_dump(&s);
    let AppError::Rejected(report) = import_checklist_file(&mut s, &a, &edited, REAL).unwrap_err()
    else {
        panic!("expected rejection")
    };
    assert_eq!(
        messages(&report.rejected),
        vec![format!(
            "检查实施清单!{}: 监管事项目录编码: “{}”与第{}行重复",
            4 + twice.len() - 1,
            twice[started[0]].fields.item_code,
            4 + started[0]
        )]
    );
    assert!(content_dump(&s) == before);
}

#[test]
fn a_row_naming_another_unit_as_its_subject_is_refused_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "subject.db");
    let mut s = open(&db);
    let a = actor(&s, "sunli"); // 中牟县市场监督管理局
    let file = dir.path().join("zm.xlsx");
    let mut rows = export_own(&s, &a, &file);
    rows[0].fields.subject_name = "郑州市市场监督管理局".into();
    rows[0].fields.content = "检查生产经营活动".into();
    write_checklists(std::fs::File::create(&file).unwrap(), "改了实施主体", &rows).unwrap();
    let before = content_dump(&s);
    let AppError::Rejected(report) = import_checklist_file(&mut s, &a, &file, REAL).unwrap_err()
    else {
        panic!("expected rejection")
    };
    assert_eq!(
        messages(&report.rejected),
        vec!["检查实施清单!4: 实施主体名称: 应为本单位“中牟县市场监督管理局”".to_string()]
    );
    assert!(content_dump(&s) == before);
}

/// The text of one part of an .xlsx file.
fn zip_part(file: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_streamed_annex5_keeps_every_row_in_order_with_its_widths_drop_downs_and_hidden_tag() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "stream.db");
    let s = open(&db);
    let file = dir.path().join("all.xlsx");
    let n = jianguan::app::export::export_checklists(
        &s,
        Scope::All,
        false,
        std::fs::File::create(&file).unwrap(),
    )
    .unwrap();
    assert_eq!(n, 60, "the demo's required checklists");
    let (_, mut expected) = checklist_rows(&s, Scope::All, false).unwrap();
    expected.sort_by_key(|r| (r.version_tag.clone(), r.fields.item_code.clone()));
    let r = cells(&file, "检查实施清单");
    assert_eq!(r.height(), 3 + n);
    let written: Vec<Vec<String>> = (3..3 + n as u32)
        .map(|row| (0..19).map(|c| text_at(&r, row, c)).collect())
        .collect();
    // Rows come by unit, then by code.
    let key = |w: &Vec<String>| {
        let unit: i64 = w[18].split(':').next().unwrap().parse().unwrap();
        (unit, w[0].clone())
    };
    assert!(written.windows(2).all(|p| key(&p[0]) < key(&p[1])));
    let mut written = written;
    written.sort_by_key(|w| (w[18].clone(), w[0].clone()));
    for (w, e) in written.iter().zip(&expected) {
        let mut want = checklist_cells(&e.fields).to_vec();
        want.push(e.version_tag.clone());
        assert_eq!(w, &want);
    }

    let xml = zip_part(&file, "xl/worksheets/sheet1.xml");
    // Constant-memory mode writes its strings inline, row by row.
    assert!(xml.contains(r#"<c r="A4" t="inlineStr"><is><t>"#));
    assert_eq!(
        xml.matches("<mergeCell ").count(),
        12,
        "the title, 6 groups across, 5 columns down"
    );
    for merge in ["A1:R1", "C2:D2", "K2:M2", "A2:A3", "S2:S3"] {
        assert!(
            xml.contains(&format!(r#"<mergeCell ref="{merge}"/>"#)),
            "{merge}"
        );
    }
    assert!(xml.contains(r#"<pane ySplit="3" topLeftCell="A4""#));
    // Widths judged from the rows, set after them; the tag column hidden.
    assert!(xml.contains(r#"<col min="1" max="1" width="18.7109375" customWidth="1"/>"#));
    assert!(xml.contains(r#"<col min="19" max="19" width="22.7109375" hidden="1""#));
    // The drop-downs reach 200 spare rows below the data (row 3 + 60 + 200).
    assert_eq!(xml.matches("<dataValidation ").count(), 5);
    assert!(xml.contains(r#"sqref="B4:B264"><formula1>"国家级,省级,市级,县级"</formula1>"#));
}

#[test]
fn an_export_that_cannot_make_its_temporary_file_says_where_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "tmp.db");
    let out = dir.path().join("out.xlsx");
    for args in [
        &["export", "checklists", "-o"][..],
        &["export", "accounts", "-o"][..],
    ] {
        let o = std::process::Command::new(bin())
            .arg("--db")
            .arg(&db)
            .args(args)
            .arg(&out)
            .env("TMPDIR", dir.path().join("no-such-dir"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "无法在临时目录 {} 中建立临时文件",
                dir.path().join("no-such-dir").display()
            )) && stderr.contains("TMPDIR"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists());
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("tmp.db"))
        .collect();
    assert!(names.is_empty(), "debris: {names:?}");
}
