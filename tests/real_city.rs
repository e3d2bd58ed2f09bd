//! A real city from an empty database (issue 14): the notice's timeline —
//! units and their 统一社会信用代码, the admins of annex 2, the national
//! catalogue, claims within 监管层级, a checklist filed by the city and
//! reused by a county, an offline annex-5 file, annexes 2 and 5 exported,
//! the progress table — played on the real binary with the files a city
//! would use (tests/data/real_city, made by tests/data/make_fixtures.py).

mod common;

use common::*;
use jianguan::app::checklists::{SaveRequest, reusable, reuse, save_checklist};
use jianguan::domain::{
    ChecklistField, ChecklistFields, ChecklistState, Id, InspectionKind, Level, Uscc,
};
use jianguan::store::{self, Store};
use jianguan::xlsx::write::{ChecklistRow, write_checklists};
use jianguan::xlsx::{self, layouts};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// Sub-items of catalogue.xlsx.
/// 行政检查, 省级、市级、县级: filed by the city, reused by 金水区.
const FOOD: &str = "30100100100000";
/// 行政检查, 市级、县级: filled completely in 金水区's offline file.
const TRACE: &str = "30100100200000";
/// 行政检查, 市级、县级: filled partly in 金水区's offline file.
const LABEL: &str = "30100100300000";
/// 行政检查, 省级、市级 only: no county may claim it.
const HEALTH_FOOD: &str = "30100300100000";
/// 行政检查, 市级、县级: 金水区 claims it as 不行使.
const METER: &str = "30100400100000";
/// 行政处罚: claimed, no checklist.
const PENALTY: &str = "30100200100000";
/// 住房和城乡建设部's item: not in a claim of 国家市场监督管理总局.
const WASTE: &str = "30300100100000";

// Logins of accounts.xlsx and jinshui_accounts.xlsx; ZM_SCJ is made by
// `account add`.
const CITY_SCJ: &str = "scj_wangmin";
const JS_ADMIN: &str = "js_chenjing";
const JS_SCJ: &str = "jsscj_zhaolei";
const ZM_SCJ: &str = "zm_qianer";

const CITY_SCJ_UNIT: &str = "郑州市市场监督管理局";
const JS_SCJ_UNIT: &str = "金水区市场监督管理局";
const ZM_SCJ_UNIT: &str = "中牟县市场监督管理局";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/real_city")
        .join(name)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The binary on the city's file, as the OS user running the test, or for
/// another account with `--as`.
fn jg(db: &Path, as_login: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.arg("--db").arg(db).env_remove("JIANGUAN_DB");
    if let Some(login) = as_login {
        cmd.args(["--as", login]);
    }
    cmd.args(args).output().expect("run jianguan")
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs and expects exit 0; returns stdout.
fn ok(db: &Path, as_login: Option<&str>, args: &[&str]) -> String {
    let o = jg(db, as_login, args);
    assert!(o.status.success(), "jianguan {args:?}: {}", show(&o));
    String::from_utf8(o.stdout).expect("UTF-8 stdout")
}

/// Runs with `--json` and expects exit 0.
fn json(db: &Path, as_login: Option<&str>, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = ok(db, as_login, &all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// The counts of an import report (`--json`), after checking that nothing
/// was rejected and nothing conflicted.
fn import_counts(report: &Value) -> (u64, u64, u64) {
    assert_eq!(report["rejected"], Value::Array(vec![]), "{report}");
    assert_eq!(report["conflicts"], Value::Array(vec![]), "{report}");
    let n = |k: &str| {
        report[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k}: {report}"))
    };
    (n("added"), n("changed"), n("unchanged"))
}

fn dump(db: &Path) -> Vec<String> {
    content_dump(&open(db))
}

/// Maximal runs of ASCII letters and digits of exactly 18 characters: what
/// a 统一社会信用代码 looks like in a cell or a column.
fn eighteen_char_runs(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| run.len() == 18)
        .map(str::to_string)
        .collect()
}

/// Every cell of every sheet of a workbook, as text.
fn all_cells(file: &Path) -> Vec<String> {
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        out.extend(
            range
                .used_cells()
                .map(|(_, _, v)| v.to_string())
                .filter(|v| !v.is_empty()),
        );
    }
    out
}

/// The rows of an annex-5 file as the writer takes them.
fn read_annex5(file: &Path) -> Vec<(u32, ChecklistRow)> {
    let sheets =
        xlsx::read(file, layouts::CHECKLIST).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out = Vec::new();
    for rec in sheets.iter().flat_map(|s| &s.records) {
        let mut fields = ChecklistFields::default();
        for (i, field) in ChecklistField::ALL.iter().enumerate() {
            assert_eq!(layouts::CHECKLIST[i].header, field.label());
            fields
                .set_text(*field, &rec.values[i])
                .unwrap_or_else(|e| panic!("{} row {}: {e}", file.display(), rec.row));
        }
        let version_tag = rec.get(layouts::CHECKLIST, "version_tag").to_string();
        out.push((
            rec.row,
            ChecklistRow {
                fields,
                version_tag,
            },
        ));
    }
    out
}

/// The unit a row of an export belongs to, from its hidden “单位:版本” tag.
fn tag_unit(tag: &str) -> Id {
    tag.split_once(':')
        .and_then(|(u, _)| u.parse().ok())
        .unwrap_or_else(|| panic!("version tag “{tag}”"))
}

/// Every field of annex 5 filled so that every rule passes.
fn complete_fields(content: &str) -> ChecklistFields {
    ChecklistFields {
        target_main: "食品生产企业".into(),
        target_sub: "食品生产许可证持证企业".into(),
        inspection_kind: Some(InspectionKind::OnSite),
        methods: vec!["实地检查".into(), "查阅资料".into()],
        random_included: Some(true),
        random_ratio: "不低于5%".into(),
        random_frequency: "每年1次".into(),
        content: content.into(),
        sampling: Some(false),
        cooperation: Some(false),
        ..Default::default()
    }
}

fn sub_id(s: &Store, code: &str) -> Id {
    store::catalogue::sub_item_by_code(s.conn(), code)
        .unwrap()
        .unwrap_or_else(|| panic!("no sub-item {code}"))
        .id
}

fn unit_named(s: &Store, full_name: &str) -> jianguan::domain::Unit {
    let found = store::units::find_units(s.conn(), full_name).unwrap();
    assert_eq!(found.len(), 1, "{full_name}: {found:?}");
    found.into_iter().next().unwrap()
}

/// `checklist list --json` of an operator's unit: code → state key.
fn checklist_states(db: &Path, login: &str) -> HashMap<String, String> {
    let v = json(db, Some(login), &["checklist", "list"]);
    v["checklists"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|c| {
            (
                c["sub_item_code"].as_str().unwrap().to_string(),
                c["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The codes of units.xlsx: (所属区划, 单位名称) → code, each checked.
fn fixture_codes() -> HashMap<(String, String), String> {
    let sheets = xlsx::read(&fixture("units.xlsx"), layouts::UNITS).expect("units.xlsx");
    let mut out = HashMap::new();
    for rec in sheets.iter().flat_map(|s| &s.records) {
        let get = |k: &str| rec.get(layouts::UNITS, k).trim().to_string();
        let code = get("uscc");
        assert_eq!(
            Uscc::parse(&code).map(|c| c.as_str().to_string()),
            Ok(code.clone()),
            "units.xlsx row {}: the code must be a valid 统一社会信用代码",
            rec.row
        );
        assert!(
            ["11410100MB", "11410105MB", "11410122MB"]
                .iter()
                .any(|p| code.starts_with(p)),
            "{code}: plainly artificial codes only"
        );
        assert!(
            out.insert((get("region"), get("name")), code).is_none(),
            "row {} twice",
            rec.row
        );
    }
    let distinct: BTreeSet<&String> = out.values().collect();
    assert_eq!(distinct.len(), out.len(), "codes are distinct");
    assert_eq!(out.len(), 44 + 5, "the 44 city units and 5 county units");
    out
}

#[test]
fn a_city_starts_from_an_empty_database_and_files_its_checklists() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = db_at(&dir.path().join("city.db"));
    let file = |name: &str| dir.path().join(name);

    // --- 1. init, no demo: 44 units, no code anywhere ----------------------
    ok(&db, None, &["init"]);
    let me = json(&db, None, &["whoami"]);
    assert_eq!(me["account"]["role"], "platform_admin", "{me}");
    // The notice's 2019 schedule, moved to this round's dates.
    for (key, due) in [
        ("accounts", "2026-12-10"),
        ("claims_city", "2026-12-14 17:00"),
        ("claims_county", "2026-12-15 17:00"),
        ("catalogue_reported", "2026-12-18"),
        ("catalogue_entered", "2026-12-20"),
        ("checklists", "2026-12-25 17:00"),
    ] {
        ok(&db, None, &["milestone", "set", key, due]);
    }
    let schedule = ok(&db, None, &["milestone", "list"]);
    assert!(!schedule.contains("2019-"), "{schedule}");
    let list = ok(&db, None, &["unit", "list"]);
    assert!(list.contains("共 44 个单位"), "{list}");
    assert!(
        list.contains("44 个单位未设置统一社会信用代码"),
        "every unit lacks its code: {list}"
    );
    assert!(!list.contains("演示数据库"), "not a demo: {list}");
    {
        let s = open(&db);
        let (units, with_code): (i64, i64) = s
            .conn()
            .query_row("SELECT count(*), count(uscc) FROM units", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((units, with_code), (44, 0), "init makes up no code");
        let json_units = json(&db, None, &["unit", "list"]);
        let json_units = json_units.as_array().unwrap();
        assert_eq!(json_units.len(), 44);
        assert!(json_units.iter().all(|u| u["code"].is_null()));
    }

    // --- 2. units.xlsx: codes for the city, the units of two counties ------
    let codes = fixture_codes();
    let all_codes: BTreeSet<String> = codes.values().cloned().collect();
    let units_xlsx = fixture("units.xlsx");
    let before = dump(&db);
    let dry = json(
        &db,
        None,
        &["import", "units", path_str(&units_xlsx), "--dry-run"],
    );
    assert_eq!(import_counts(&dry), (5, 44, 0), "{dry}");
    assert_eq!(dry["written"], false);
    assert!(dump(&db) == before, "--dry-run wrote to the database");
    let out = ok(&db, None, &["import", "units", path_str(&units_xlsx)]);
    assert!(out.contains("已新增 5，已修改 44，未变 0"), "{out}");
    // Each unit carries the code of its row, and only that.
    let code_of: HashMap<Id, String> = {
        let s = open(&db);
        let units = store::units::list_units(s.conn()).unwrap();
        assert_eq!(units.len(), 49);
        units
            .iter()
            .map(|u| {
                let want = codes
                    .get(&(u.region_name.clone(), u.name.clone()))
                    .unwrap_or_else(|| panic!("{} is not in units.xlsx", u.full_name()));
                assert_eq!(u.uscc.as_ref(), Some(want), "{}", u.full_name());
                (u.id, want.clone())
            })
            .collect()
    };
    let list = ok(&db, None, &["unit", "list"]);
    assert!(list.contains("共 49 个单位"), "{list}");
    assert!(!list.contains("未设置统一社会信用代码"), "{list}");
    {
        let s = open(&db);
        let office = unit_named(&s, "金水区人民政府办公室");
        assert_eq!(office.category.label(), "其他");
        assert_eq!(office.region_level, Level::County);
        assert_eq!(unit_named(&s, "中牟县市场监督管理局").region_name, "中牟县");
    }

    // --- 3. accounts: the city's admins, then each county's own ------------
    let r = json(
        &db,
        None,
        &["import", "accounts", path_str(&fixture("accounts.xlsx"))],
    );
    assert_eq!(import_counts(&r), (6, 0, 0), "{r}");
    let before = dump(&db);
    let o = jg(
        &db,
        Some(JS_ADMIN),
        &["unit", "add", "--name", "测试局", "--region", "郑州市"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("县级管理员只能创建和修改本县（市、区）的单位"),
        "{}",
        show(&o)
    );
    assert!(dump(&db) == before, "a refused unit add wrote");
    let r = json(
        &db,
        Some(JS_ADMIN),
        &[
            "import",
            "accounts",
            path_str(&fixture("jinshui_accounts.xlsx")),
        ],
    );
    assert_eq!(import_counts(&r), (2, 0, 0), "{r}");
    ok(
        &db,
        None,
        &[
            "account",
            "add",
            "--login",
            ZM_SCJ,
            "--name",
            "钱二",
            "--unit",
            ZM_SCJ_UNIT,
            "--role",
            "operator",
            "--mobile",
            "13700003002",
            "--post",
            "法规股 科员",
            "--liaison",
        ],
    );
    {
        let accounts = json(&db, None, &["account", "list"]);
        let role_unit: HashMap<&str, (&str, String)> = accounts
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["login"].as_str().unwrap(),
                    (
                        a["role"].as_str().unwrap(),
                        a["unit"].as_str().unwrap().to_string(),
                    ),
                )
            })
            .collect();
        for (login, role, unit) in [
            (CITY_SCJ, "operator", CITY_SCJ_UNIT),
            ("cgj_liqiang", "operator", "郑州市城市管理局"),
            ("sfj_zhaoli", "legal_reviewer", "郑州市司法局"),
            (
                "zwb_liuyang",
                "coordinator",
                "郑州市人民政府办公厅（政务服务办公室）",
            ),
            (JS_ADMIN, "county_admin", "金水区人民政府办公室"),
            ("zm_sunlei", "county_admin", "中牟县人民政府办公室"),
            (JS_SCJ, "operator", JS_SCJ_UNIT),
            ("jscg_zhoujie", "operator", "金水区城市管理局"),
            (ZM_SCJ, "operator", ZM_SCJ_UNIT),
        ] {
            assert_eq!(
                role_unit.get(login),
                Some(&(role, unit.to_string())),
                "{login}"
            );
        }
        assert_eq!(role_unit.len(), 10, "nine accounts and the admin");
    }

    // --- 4. the national catalogue -----------------------------------------
    let r = json(
        &db,
        None,
        &["import", "catalogue", path_str(&fixture("catalogue.xlsx"))],
    );
    assert_eq!(import_counts(&r), (7, 0, 0), "{r}");

    // --- 5. claims: the city takes its department; a county within 监管层级 -
    let r = json(
        &db,
        Some(CITY_SCJ),
        &["claim", "--department", "国家市场监督管理总局"],
    );
    assert_eq!((&r["count"], &r["changed"]), (&6.into(), &6.into()), "{r}");
    assert_eq!(r["left_out"], Value::Array(vec![]), "{r}");
    let out = ok(
        &db,
        Some(JS_SCJ),
        &["claim", "--department", "国家市场监督管理总局"],
    );
    assert!(
        out.lines().any(|l| l.trim()
            == format!(
                "子项 对保健食品生产企业生产质量管理体系的检查（{HEALTH_FOOD}）的监管层级为省级、市级，县级单位不能认领"
            )),
        "the item outside 县级 is named: {out}"
    );
    assert!(
        out.contains("已认领 5 项（其中 0 项原已认领）"),
        "the rest is claimed: {out}"
    );
    // Claimed, but 金水区 does not exercise it.
    let not_exercised = file("不行使.txt");
    std::fs::write(&not_exercised, format!("# 本单位不行使\n{METER}\n")).unwrap();
    let r = json(
        &db,
        Some(JS_SCJ),
        &[
            "claim",
            "--codes",
            path_str(&not_exercised),
            "--not-exercised",
        ],
    );
    assert_eq!(
        (&r["changed"], &r["made_not_exercised"]),
        (&0.into(), &1.into()),
        "{r}"
    );
    let only_food = file("中牟县.txt");
    std::fs::write(&only_food, format!("{FOOD}\n")).unwrap();
    let r = json(
        &db,
        Some(ZM_SCJ),
        &["claim", "--codes", path_str(&only_food)],
    );
    assert_eq!(r["changed"], 1, "{r}");
    {
        let s = open(&db);
        let claims = |unit: &str| -> HashMap<String, bool> {
            let u = unit_named(&s, unit);
            store::claims::claims_of_unit(s.conn(), u.id)
                .unwrap()
                .into_iter()
                .map(|c| {
                    let code = store::catalogue::sub_item(s.conn(), c.sub_item_id)
                        .unwrap()
                        .code;
                    (code, c.exercised)
                })
                .collect()
        };
        let city = claims(CITY_SCJ_UNIT);
        let want_city: HashMap<String, bool> = [FOOD, TRACE, LABEL, HEALTH_FOOD, METER, PENALTY]
            .iter()
            .map(|c| (c.to_string(), true))
            .collect();
        assert_eq!(city, want_city, "the department's items, not {WASTE}");
        let county = claims(JS_SCJ_UNIT);
        let want_county: HashMap<String, bool> = [
            (FOOD, true),
            (TRACE, true),
            (LABEL, true),
            (METER, false),
            (PENALTY, true),
        ]
        .iter()
        .map(|(c, e)| (c.to_string(), *e))
        .collect();
        assert_eq!(
            county, want_county,
            "{HEALTH_FOOD} left out, {METER} not exercised"
        );
    }
    let states = checklist_states(&db, JS_SCJ);
    assert_eq!(
        states.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        BTreeSet::from([FOOD, TRACE, LABEL]),
        "不行使 and 行政处罚 need no checklist: {states:?}"
    );

    // --- 6. the city files a checklist through the form service ------------
    let (city_checklist, city_content) = {
        let mut s = open(&db);
        let a = actor(&s, CITY_SCJ);
        let other = unit_named(&s, "郑州市城市管理局");
        let mut fields =
            complete_fields("检查食品生产企业的生产环境、进货查验、生产过程控制和出厂检验记录");
        // Another unit's name, code and level typed in: the unit's own are saved.
        fields.subject_name = other.full_name();
        fields.subject_code = other.uscc.clone().unwrap();
        fields.level = Some(Level::County);
        let food = sub_id(&s, FOOD);
        let saved = save_checklist(
            &mut s,
            &a,
            SaveRequest {
                sub_item_id: food,
                fields,
                expected_version: None,
                submit: true,
            },
        )
        .unwrap_or_else(|e| panic!("the city's checklist: {e}"));
        let c = &saved.checklist;
        assert!(saved.errors.is_empty(), "{:?}", saved.errors);
        assert_eq!(c.state, ChecklistState::Filed);
        let own = unit_named(&s, CITY_SCJ_UNIT);
        assert_eq!(c.fields.subject_name, CITY_SCJ_UNIT);
        assert_eq!(c.fields.subject_code, code_of[&own.id]);
        assert_eq!(c.fields.level, Some(Level::City));
        assert_eq!(c.fields.item_code, FOOD);
        (c.id, c.fields.content.clone())
    };
    assert_eq!(
        checklist_states(&db, CITY_SCJ)
            .get(FOOD)
            .map(String::as_str),
        Some("filed")
    );

    // --- 7. 金水区 reuses the city's checklist and files it ----------------
    {
        let mut s = open(&db);
        let a = actor(&s, JS_SCJ);
        let own = unit_named(&s, JS_SCJ_UNIT);
        let food = sub_id(&s, FOOD);
        let offered: Vec<Id> = reusable(&s, own.id, food)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(offered, vec![city_checklist], "the city's filed checklist");
        let copied = reuse(&mut s, &a, food, city_checklist, None).unwrap();
        assert_eq!(copied.checklist.state, ChecklistState::Complete);
        let filed = save_checklist(
            &mut s,
            &a,
            SaveRequest {
                sub_item_id: food,
                fields: copied.checklist.fields.clone(),
                expected_version: Some(copied.checklist.version),
                submit: true,
            },
        )
        .unwrap_or_else(|e| panic!("filing the reused checklist: {e}"))
        .checklist;
        assert_eq!(filed.state, ChecklistState::Filed);
        assert_eq!(filed.fields.subject_name, JS_SCJ_UNIT);
        assert_eq!(filed.fields.subject_code, code_of[&own.id]);
        assert_eq!(
            &code_of[&own.id],
            &codes[&("金水区".to_string(), JS_SCJ_UNIT.to_string())]
        );
        assert_eq!(filed.fields.level, Some(Level::County));
        assert_eq!(filed.fields.content, city_content, "the city's text");
        assert_eq!(filed.source_id, Some(city_checklist));
    }

    // --- 8. 金水区's offline file: one row complete, one partly ------------
    let offline = file("金水区市场监督管理局.xlsx");
    ok(
        &db,
        Some(JS_SCJ),
        &["export", "checklists", "-o", path_str(&offline)],
    );
    let mut rows = read_annex5(&offline);
    let codes_in_file: BTreeSet<&str> = rows
        .iter()
        .map(|(_, r)| r.fields.item_code.as_str())
        .collect();
    assert_eq!(
        codes_in_file,
        BTreeSet::from([FOOD, TRACE, LABEL]),
        "the rows to fill: not {METER} (不行使), {PENALTY} (处罚) or {HEALTH_FOOD} (not claimed)"
    );
    let mut partial_row = 0;
    for (sheet_row, row) in rows.iter_mut() {
        let prefilled = row.fields.clone();
        if prefilled.item_code == TRACE {
            row.fields = complete_fields("检查食品生产企业建立和落实食品安全追溯制度的情况");
        } else if prefilled.item_code == LABEL {
            row.fields = complete_fields("");
            partial_row = *sheet_row;
        } else {
            continue;
        }
        // The prefilled code, level and 实施主体 stay as exported.
        row.fields.item_code = prefilled.item_code;
        row.fields.level = prefilled.level;
        row.fields.subject_name = prefilled.subject_name;
        row.fields.subject_code = prefilled.subject_code;
    }
    assert!(partial_row > 0);
    let filled = file("金水区市场监督管理局-已填.xlsx");
    let filled_rows: Vec<ChecklistRow> = rows.into_iter().map(|(_, r)| r).collect();
    write_checklists(
        std::fs::File::create(&filled).unwrap(),
        "金水区市场监督管理局监管事项—检查实施清单",
        &filled_rows,
    )
    .unwrap();
    let out = ok(
        &db,
        Some(JS_SCJ),
        &["import", "checklists", path_str(&filled)],
    );
    assert!(
        out.contains("已新增 2，已修改 0，未变 1"),
        "two new checklists, the filed one unchanged: {out}"
    );
    let draft_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.ends_with("（存为草稿）"))
        .collect();
    assert_eq!(
        draft_lines,
        vec![format!("检查实施清单!{partial_row}: 检查内容（日常）: 必填（存为草稿）").as_str()],
        "what the partial row lacks: {out}"
    );
    assert!(out.contains("其中 1 行尚未填完整"), "{out}");
    let states = checklist_states(&db, JS_SCJ);
    let want: HashMap<String, String> = [(FOOD, "filed"), (TRACE, "complete"), (LABEL, "draft")]
        .iter()
        .map(|(c, s)| (c.to_string(), s.to_string()))
        .collect();
    assert_eq!(states, want);

    // --- 9. annexes 2 and 5: only the units' own codes, the units' levels --
    let annex2 = file("管理员信息表.xlsx");
    ok(&db, None, &["export", "accounts", "-o", path_str(&annex2)]);
    let annex2_cells = all_cells(&annex2);
    for who in [
        "王敏", "赵丽", "刘洋", "陈静", "孙磊", "赵磊", "周杰", "钱二",
    ] {
        assert!(annex2_cells.iter().any(|c| c == who), "{who} in annex 2");
    }
    let city_annex5 = file("市场监督管理局-附件5.xlsx");
    let county_annex5 = file("金水区-附件5.xlsx");
    let zm_annex5 = file("中牟县-附件5.xlsx");
    ok(
        &db,
        None,
        &[
            "export",
            "checklists",
            "--unit",
            "市场监督管理局",
            "-o",
            path_str(&city_annex5),
        ],
    );
    for (county, path) in [("金水区", &county_annex5), ("中牟县", &zm_annex5)] {
        ok(
            &db,
            None,
            &[
                "export",
                "checklists",
                "--county",
                county,
                "-o",
                path_str(path),
            ],
        );
    }
    {
        let s = open(&db);
        for (path, unit, rows_expected) in [
            (&city_annex5, CITY_SCJ_UNIT, 5),
            (&county_annex5, JS_SCJ_UNIT, 3),
            (&zm_annex5, ZM_SCJ_UNIT, 1),
        ] {
            let rows = read_annex5(path);
            assert_eq!(rows.len(), rows_expected, "{}", path.display());
            for (sheet_row, row) in &rows {
                let f = &row.fields;
                let u = store::units::unit(s.conn(), tag_unit(&row.version_tag)).unwrap();
                let at = format!("{} row {sheet_row}", path.display());
                assert_eq!(u.full_name(), unit, "{at}");
                assert_eq!(f.subject_name, unit, "{at}");
                if !f.subject_code.is_empty() {
                    assert_eq!(f.subject_code, code_of[&u.id], "{at}");
                }
                let level = if u.region_level == Level::City {
                    "市级"
                } else {
                    "县级"
                };
                assert_eq!(f.level.map(Level::label), Some(level), "{at}");
            }
            // Every row is prefilled with the unit's code, started or not.
            assert!(rows.iter().all(|(_, r)| !r.fields.subject_code.is_empty()));
        }
        let mut seen_in_files = BTreeSet::new();
        for path in [&annex2, &city_annex5, &county_annex5, &zm_annex5] {
            for cell in all_cells(path) {
                for run in eighteen_char_runs(&cell) {
                    assert!(
                        all_codes.contains(&run),
                        "{}: “{run}” in “{cell}” is not a code of units.xlsx",
                        path.display()
                    );
                    seen_in_files.insert(run);
                }
            }
        }
        // The scan sees codes where they are: the three units' own.
        let own_codes: BTreeSet<String> = [CITY_SCJ_UNIT, JS_SCJ_UNIT, ZM_SCJ_UNIT]
            .iter()
            .map(|u| code_of[&unit_named(&s, u).id].clone())
            .collect();
        assert_eq!(seen_in_files, own_codes);
        // The database: the columns that hold codes, then every row of every table.
        for sql in [
            "SELECT uscc FROM units WHERE uscc IS NOT NULL",
            "SELECT subject_code FROM checklists WHERE subject_code <> ''",
            "SELECT entrust_code FROM checklists WHERE entrust_code <> ''",
        ] {
            let mut stmt = s.conn().prepare(sql).unwrap();
            let found: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for code in found {
                assert!(all_codes.contains(&code), "{sql}: {code}");
            }
        }
        let subject_codes: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM checklists WHERE subject_code <> ''",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(subject_codes, 4, "the four saved checklists");
        let mut seen_in_db = BTreeSet::new();
        for row in content_dump(&s) {
            for run in eighteen_char_runs(&row) {
                assert!(all_codes.contains(&run), "“{run}” in {row}");
                seen_in_db.insert(run);
            }
        }
        assert_eq!(seen_in_db, all_codes, "the scan sees every unit's code");
    }

    // --- 10. progress: what was done, unit by unit -------------------------
    let progress = json(&db, None, &["progress"]);
    let units = progress["units"]
        .as_array()
        .unwrap_or_else(|| panic!("{progress}"));
    assert_eq!(units.len(), 49);
    let figures = |unit: &str| -> [u64; 6] {
        let row = units
            .iter()
            .find(|u| u["unit"] == unit)
            .unwrap_or_else(|| panic!("{unit} not in progress"));
        let f = &row["figures"];
        [
            "claimed",
            "exercised",
            "required",
            "draft",
            "complete",
            "filed",
        ]
        .map(|k| f[k].as_u64().unwrap_or_else(|| panic!("{k}: {row}")))
    };
    // claimed, exercised, required (行政检查 exercised), draft, complete, filed
    assert_eq!(figures(CITY_SCJ_UNIT), [6, 6, 5, 0, 0, 1]);
    assert_eq!(
        figures(JS_SCJ_UNIT),
        [5, 4, 3, 1, 1, 1],
        "不行使 not required"
    );
    assert_eq!(figures(ZM_SCJ_UNIT), [1, 1, 1, 0, 0, 0]);
    assert_eq!(figures("郑州市城市管理局"), [0; 6]);
    assert_eq!(figures("金水区城市管理局"), [0; 6]);
    let total = |k: &str| -> u64 {
        units
            .iter()
            .map(|u| u["figures"][k].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        ["claimed", "required", "filed"].map(total),
        [12, 9, 2],
        "no other unit has work"
    );

    assert_eq!(ok(&db, None, &["check"]).lines().next(), Some("ok"));
    eprintln!("real city: {:.1} s", started.elapsed().as_secs_f64());
}
