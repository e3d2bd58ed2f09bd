//! Text that must not be stored or shown as it is (issue 17): control
//! characters and bidi overrides refused on every way in and escaped on
//! the way out, every field within its limit, and 涉密 sub-items kept from
//! those who may not see them — all through the real binary.

mod common;

use common::{content_dump, demo_by_binary, open, run_on};
use jianguan::xlsx::layouts;
use std::io::{Read, Write};
use std::path::Path;

/// An OSC 52 sequence: it writes the reader's clipboard (“hi”).
const OSC52: &str = "\u{1b}]52;c;aGk=\u{7}";

/// Writes one sheet: the layout's headers, then the rows (cells in the
/// layout's order, "" where empty).
fn write_sheet(path: &Path, sheet: &str, layout: &[layouts::Column], rows: &[Vec<String>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (c, col) in layout.iter().enumerate() {
        ws.write_string(0, c as u16, col.header).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

/// A layout row with these (key, value) cells.
fn cells(layout: &[layouts::Column], values: &[(&str, &str)]) -> Vec<String> {
    layout
        .iter()
        .map(|c| {
            values
                .iter()
                .find(|(k, _)| *k == c.key)
                .map_or(String::new(), |(_, v)| v.to_string())
        })
        .collect()
}

/// Replaces `from` by `to` in every part of a zip (xlsx) file: Excel itself
/// writes at most 32,767 characters to a cell and rust_xlsxwriter refuses
/// more, but a file made by other tools may hold anything.
fn replace_in_zip(path: &Path, from: &str, to: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut replaced = false;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if let Ok(text) = String::from_utf8(data.clone())
            && text.contains(from)
        {
            data = text.replace(from, to).into_bytes();
            replaced = true;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(replaced, "{from} not found in {}", path.display());
    let data = out.finish().unwrap().into_inner();
    std::fs::write(path, data).unwrap();
}

fn no_raw_escapes(out: &str) {
    assert!(!out.as_bytes().contains(&0x1b), "raw ESC printed: {out:?}");
    assert!(!out.contains('\u{7}'), "raw BEL printed: {out:?}");
    assert!(!out.contains('\u{202E}'), "raw U+202E printed: {out:?}");
}

#[test]
fn an_accounts_import_with_a_name_of_a_million_characters_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let file = dir.path().join("accounts.xlsx");
    let row = |login: &str, name: &str, mobile: &str| {
        cells(
            layouts::ACCOUNTS,
            &[
                ("login", login),
                ("name", name),
                ("unit", "市场监督管理局"),
                ("mobile", mobile),
                ("role", "operator"),
            ],
        )
    };
    write_sheet(
        &file,
        "账号",
        layouts::ACCOUNTS,
        &[
            row("goodrow", "王五", "13838000101"),
            row("longname", "PLACEHOLDER_NAME", "13838000102"),
        ],
    );
    replace_in_zip(&file, "PLACEHOLDER_NAME", &"名".repeat(1_048_576));
    let before = content_dump(&open(&db));
    let (code, out, err) = run_on(&db, &["import", "accounts", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("账号!3: 姓名: 过长：1048576 字，最多 50 字"),
        "{out}"
    );
    assert!(out.contains("未导入任何内容"), "{out}");
    // The message does not repeat the cell.
    assert!(out.len() < 10_000, "{} bytes", out.len());
    assert!(
        content_dump(&open(&db)) == before,
        "the good row was imported"
    );
    let (_, list, _) = run_on(&db, &["account", "list"]);
    assert!(!list.contains("goodrow") && !list.contains("longname"));
}

#[test]
fn an_imported_checklist_cell_with_an_osc52_sequence_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let (code, json, err) = run_on(&db, &["--as", "zhangwei", "--json", "checklist", "list"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let item = list["checklists"][0]["sub_item_code"]
        .as_str()
        .unwrap()
        .to_string();
    let file = dir.path().join("checklists.xlsx");
    let content = format!("检查进货查验记录{OSC52}");
    write_sheet(
        &file,
        "检查实施清单",
        layouts::CHECKLIST,
        &[cells(
            layouts::CHECKLIST,
            &[
                ("item_code", &item),
                ("level", "市级"),
                ("target_main", "食品经营者"),
                ("inspection_kind", "现场检查"),
                ("methods", "实地检查"),
                ("random_included", "否"),
                ("content", &content),
                ("sampling", "否"),
                ("cooperation", "否"),
            ],
        )],
    );
    let before = content_dump(&open(&db));
    let (code, out, err) = run_on(
        &db,
        &[
            "--as",
            "zhangwei",
            "import",
            "checklists",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("检查实施清单!2: 检查内容（日常）: 含有控制字符 U+001B"),
        "{out}"
    );
    no_raw_escapes(&out);
    no_raw_escapes(&err);
    assert!(content_dump(&open(&db)) == before);
}

#[test]
fn a_return_reason_with_a_bidi_override_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let (code, json, err) = run_on(&db, &["--as", "wangfang", "--json", "review", "list"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let item = list[0]["code"].as_str().unwrap().to_string();
    let before = content_dump(&open(&db));
    let (code, out, err) = run_on(
        &db,
        &[
            "--as",
            "wangfang",
            "review",
            "return",
            &item,
            "--reason",
            "依据条款\u{202E}已废止",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("退回理由：含有双向文字控制字符 U+202E"),
        "{err}"
    );
    assert!(content_dump(&open(&db)) == before);
    // A line break is a line break in a reason; a lone carriage return is not.
    let (code, _, err) = run_on(
        &db,
        &[
            "--as",
            "wangfang",
            "review",
            "return",
            &item,
            "--reason",
            "第一\r第二",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("U+000D"), "{err}");
    let (code, out, err) = run_on(
        &db,
        &[
            "--as",
            "wangfang",
            "review",
            "return",
            &item,
            "--reason",
            "第一，依据已废止\n第二，请关联权责清单",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn unit_and_account_arguments_are_checked_like_the_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let before = content_dump(&open(&db));
    for (args, says) in [
        (
            vec![
                "account",
                "add",
                "--login",
                "wangwu",
                "--name",
                "王\u{1b}[2J五",
                "--unit",
                "市场监督管理局",
                "--role",
                "operator",
                "--mobile",
                "13838000111",
            ],
            "姓名：含有控制字符 U+001B",
        ),
        (
            vec![
                "account",
                "add",
                "--login",
                "wangwu",
                "--name",
                "王五",
                "--unit",
                "市场监督管理局",
                "--role",
                "operator",
                "--mobile",
                "13838000111",
                "--post",
                "科长\u{2066}",
            ],
            "处室及职务：含有双向文字控制字符 U+2066",
        ),
        (
            vec![
                "unit",
                "add",
                "--name",
                "金水区\u{9b}教育局",
                "--region",
                "金水区",
            ],
            "单位名称：含有控制字符 U+009B",
        ),
        (
            vec![
                "unit",
                "set",
                "市场监督管理局",
                "--counterpart",
                "国家市场监督管理总局\u{202D}",
            ],
            "对口上级部门：含有双向文字控制字符 U+202D",
        ),
    ] {
        let (code, out, err) = run_on(&db, &args);
        assert_eq!(code, 1, "{args:?}: {out}");
        assert!(err.contains(says), "{args:?}: {err}");
        no_raw_escapes(&err);
    }
    let long = "国".repeat(51);
    let (code, _, err) = run_on(&db, &["unit", "add", "--name", &long, "--region", "金水区"]);
    assert_eq!(code, 1);
    assert!(err.contains("单位名称：过长：51 字，最多 50 字"), "{err}");
    assert!(content_dump(&open(&db)) == before);
}

#[test]
fn control_characters_already_stored_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    // Written with another tool, as an operator with sqlite3 could have.
    let s = open(&db);
    let c = s.conn();
    c.execute(
        "UPDATE accounts SET name = ?1, office_post = ?2 WHERE login = 'zhangwei'",
        [format!("张伟{OSC52}"), "科长\u{202E}长科".to_string()],
    )
    .unwrap();
    let (sub_code, checklist_id): (String, i64) = c
        .query_row(
            "SELECT s.code, k.id FROM checklists k JOIN sub_items s ON s.id = k.sub_item_id
             JOIN accounts a ON a.unit_id = k.unit_id WHERE a.login = 'zhangwei' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.execute(
        "UPDATE checklists SET content = ?1, target_main = ?2 WHERE id = ?3",
        jianguan::store::db::params![
            format!("第一条\n第二条{OSC52}"),
            "食品\u{9b}31m经营者",
            checklist_id
        ],
    )
    .unwrap();
    let (item, item_id): (String, i64) = c
        .query_row(
            "SELECT m.code, m.id FROM local_items l JOIN main_items m ON m.id = l.main_item_id
             WHERE l.state = 'returned' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    c.execute(
        "UPDATE local_items SET return_reason = ?1 WHERE main_item_id = ?2",
        jianguan::store::db::params![format!("请修改{OSC52}"), item_id],
    )
    .unwrap();
    c.execute(
        "UPDATE local_item_history SET reason = ?1 WHERE main_item_id = ?2 AND reason IS NOT NULL",
        jianguan::store::db::params!["理由\u{1b}[31m红", item_id],
    )
    .unwrap();
    drop(s);

    let (code, out, err) = run_on(&db, &["account", "list"]);
    assert_eq!(code, 0, "{err}");
    no_raw_escapes(&out);
    assert!(out.contains("张伟\\u{1b}]52;c;aGk=\\u{7}"), "{out}");
    assert!(out.contains("科长\\u{202e}长科"), "{out}");

    let (code, out, err) = run_on(&db, &["--as", "zhangwei", "checklist", "show", &sub_code]);
    assert_eq!(code, 0, "{err}");
    no_raw_escapes(&out);
    assert!(
        out.contains("检查内容（日常）：第一条\n第二条\\u{1b}]52;c;aGk=\\u{7}"),
        "{out}"
    );
    assert!(out.contains("食品\\u{9b}31m经营者"), "{out}");

    let (code, out, err) = run_on(&db, &["--as", "wangfang", "review", "show", &item]);
    assert_eq!(code, 0, "{err}");
    no_raw_escapes(&out);
    assert!(
        out.contains("退回理由：请修改\\u{1b}]52;c;aGk=\\u{7}"),
        "{out}"
    );
    assert!(out.contains("理由\\u{1b}[31m红"), "{out}");

    // JSON: the same text, every control and bidi character as \uXXXX.
    for args in [
        vec!["--json", "account", "list"],
        vec!["--as", "zhangwei", "--json", "checklist", "show", &sub_code],
    ] {
        let (code, out, err) = run_on(&db, &args);
        assert_eq!(code, 0, "{err}");
        no_raw_escapes(&out);
        assert!(!out.contains('\u{9b}'), "{out}");
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(holds(&value, OSC52), "{args:?}: {out}");
    }
}

/// Whether some string in the JSON value contains `text`.
fn holds(value: &serde_json::Value, text: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(text),
        serde_json::Value::Array(a) => a.iter().any(|v| holds(v, text)),
        serde_json::Value::Object(o) => o.values().any(|v| holds(v, text)),
        _ => false,
    }
}

/// Classified sub-items citing the basis, with the units claiming each.
fn classified_citing(db: &Path, basis_like: &str) -> Vec<(String, String, Vec<i64>)> {
    let s = open(db);
    let units = if s.conn().is_postgres() {
        "string_agg(CAST(c.unit_id AS TEXT), ',')"
    } else {
        "group_concat(c.unit_id)"
    };
    let mut stmt = s
        .conn()
        .prepare(&format!(
            "SELECT s.code, s.name, (SELECT {units} FROM claims c WHERE c.sub_item_id = s.id)
             FROM sub_items s JOIN sub_item_bases sb ON sb.sub_item_id = s.id
             JOIN legal_bases b ON b.id = sb.basis_id
             WHERE s.classified <> 0 AND b.title LIKE ?1"
        ))
        .unwrap();
    stmt.query_map([format!("%{basis_like}%")], |r| {
        let units: Option<String> = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            units
                .unwrap_or_default()
                .split(',')
                .filter_map(|u| u.parse().ok())
                .collect(),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn basis_impact_hides_classified_sub_items_from_an_operator_not_from_the_admin() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let secret = classified_citing(&db, "易制毒");
    assert!(!secret.is_empty(), "the demo has a 涉密 item citing 易制毒");
    // An operator of a unit claiming none of them.
    let claimers: Vec<i64> = secret.iter().flat_map(|(_, _, u)| u.clone()).collect();
    let operator = [
        "zhangwei",
        "lina",
        "yangmin",
        "zhouqiang",
        "wuhui",
        "xutao",
        "zhaolei",
    ]
    .into_iter()
    .find(|login| {
        let unit: i64 = open(&db)
            .conn()
            .query_row(
                "SELECT unit_id FROM accounts WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .unwrap();
        !claimers.contains(&unit)
    })
    .unwrap();

    let (code, admin, err) = run_on(&db, &["basis", "impact", "易制毒"]);
    assert_eq!(code, 0, "{err}");
    for (code, name, _) in &secret {
        assert!(
            admin.contains(code.as_str()) && admin.contains(name.as_str()),
            "{admin}"
        );
    }
    for args in [
        vec!["--as", operator, "basis", "impact", "易制毒"],
        vec!["--as", operator, "--json", "basis", "impact", "易制毒"],
    ] {
        let (code, out, err) = run_on(&db, &args);
        assert_eq!(code, 0, "{err}");
        for (code, name, _) in &secret {
            assert!(
                !out.contains(code.as_str()) && !out.contains(name.as_str()),
                "{args:?} shows {code} {name}:\n{out}"
            );
        }
    }
    // The counts leave them out too.
    let first = |out: &str| out.lines().next().unwrap_or_default().to_string();
    let (_, op, _) = run_on(&db, &["--as", operator, "basis", "impact", "易制毒"]);
    assert_ne!(first(&admin), first(&op));
}

/// The TUI draws through ratatui, which drops control characters and
/// zero-width ones (the bidi controls) from every cell: stored text cannot
/// reach the terminal as an escape sequence there.
#[test]
fn the_tui_buffer_never_holds_a_control_or_bidi_character() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Wrap};
    let mut terminal = Terminal::new(TestBackend::new(40, 4)).unwrap();
    let stored = format!("张伟{OSC52}\u{202E}科长\u{9b}31m");
    terminal
        .draw(|f| {
            f.render_widget(
                Paragraph::new(vec![Line::from(stored.clone()), Line::from(stored.clone())])
                    .wrap(Wrap { trim: false }),
                f.area(),
            );
            f.buffer_mut()
                .set_string(0, 3, &stored, ratatui::style::Style::new());
        })
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    for cell in buffer.content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || jianguan::domain::text::is_bidi_control(c)),
            "{:?}",
            cell.symbol()
        );
    }
}

#[test]
fn claiming_a_whole_department_leaves_out_the_classified_items_one_cannot_see() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "demo.db");
    let (department, code, name): (String, String, String) = open(&db)
        .conn()
        .query_row(
            "SELECT m.department, s.code, s.name FROM sub_items s
             JOIN main_items m ON m.id = s.main_item_id
             WHERE s.classified <> 0 AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.sub_item_id = s.id)
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    for extra in [&["--dry-run"][..], &[]] {
        let mut args = vec!["--as", "lina", "claim", "--department", &department];
        args.extend_from_slice(extra);
        let (_, out, err) = run_on(&db, &args);
        assert!(
            !out.contains(&code) && !out.contains(&name) && !err.contains(&name),
            "{out}{err}"
        );
    }
    let claimed: i64 = open(&db)
        .conn()
        .query_row(
            "SELECT count(*) FROM claims c JOIN sub_items s ON s.id = c.sub_item_id
             WHERE s.code = ?1",
            [&code],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(claimed, 0, "{code} {name} was claimed unseen");
}
