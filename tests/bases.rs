//! Legal bases: the impact view over the demo database, status changes by
//! role, and the impact export.

mod common;

use common::*;
use jianguan::app::{AppError, bases};
use jianguan::domain::BasisStatus;
use std::process::Command;

fn food_safety_110(s: &jianguan::store::Store) -> jianguan::domain::LegalBasis {
    let found = bases::find(s, "《中华人民共和国食品安全法》第一百一十条").unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn the_impact_lists_every_sub_item_claim_and_checklist_by_unit() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    let basis = food_safety_110(&s);
    let i = bases::impact(&s, None, basis.id).unwrap();
    // The same figures counted another way, straight from the tables.
    let count = |sql: &str| -> usize {
        s.conn()
            .query_row(sql, [basis.id], |r| r.get::<_, i64>(0))
            .unwrap() as usize
    };
    let subs = count("SELECT count(*) FROM sub_item_bases WHERE basis_id = ?1");
    let claims = count(
        "SELECT count(*) FROM claims WHERE sub_item_id IN
         (SELECT sub_item_id FROM sub_item_bases WHERE basis_id = ?1)",
    );
    let lists = count(
        "SELECT count(*) FROM checklists k JOIN claims c
           ON c.sub_item_id = k.sub_item_id AND c.unit_id = k.unit_id
         WHERE k.sub_item_id IN (SELECT sub_item_id FROM sub_item_bases WHERE basis_id = ?1)",
    );
    assert_eq!((i.sub_items, i.claims, i.checklists), (subs, claims, lists));
    assert!(
        subs > 0 && claims > subs,
        "claimed by city and county: {claims}"
    );
    // By unit: the rows of one unit are together, unclaimed items last.
    let units: Vec<&str> = i.lines.iter().map(|l| l.unit.as_str()).collect();
    let mut seen = Vec::new();
    for u in &units {
        if seen.last() != Some(u) {
            assert!(!seen.contains(u), "{u} appears in two runs");
            seen.push(u);
        }
    }
    assert!(units.contains(&"郑州市市场监督管理局"));
    assert!(units.contains(&"金水区市场监督管理局"));
    let states: Vec<&str> = i.lines.iter().map(|l| l.checklist.as_str()).collect();
    assert!(states.contains(&"已填报"), "{states:?}");
}

#[test]
fn only_the_admin_and_the_legal_reviewer_set_a_status_and_a_stale_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&demo_db(dir.path(), "i.db"));
    let basis = food_safety_110(&s);
    let before = content_dump(&s);
    for login in ["zhangwei", "liuyang", "chenjing"] {
        let a = actor(&s, login);
        let r = bases::set_status(&mut s, &a, basis.id, BasisStatus::Repealed, basis.version);
        assert!(matches!(r, Err(AppError::Denied(_))), "{login}: {r:?}");
    }
    assert_eq!(content_dump(&s), before);
    let wangfang = actor(&s, "wangfang");
    let after = bases::set_status(
        &mut s,
        &wangfang,
        basis.id,
        BasisStatus::UnderRevision,
        basis.version,
    )
    .unwrap();
    assert_eq!(after.status, BasisStatus::UnderRevision);
    assert_eq!(after.version, basis.version + 1);
    // Someone working from the old version is told, and nothing changes.
    let admin = actor(&s, ADMIN);
    let e = bases::set_status(
        &mut s,
        &admin,
        basis.id,
        BasisStatus::Repealed,
        basis.version,
    )
    .unwrap_err();
    assert!(e.to_string().contains("已被别人改过"), "{e}");
    let log = jianguan::store::changelog::recent(s.conn(), 1).unwrap();
    assert_eq!(log[0].action, "set_basis_status");
}

#[test]
fn the_impact_exports_to_a_spreadsheet_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "i.db");
    let out = dir.path().join("影响.xlsx");
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["basis", "impact", "食品安全法", "--id", "2", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range("依据影响范围").unwrap();
    let title = range.get_value((0, 0)).unwrap().to_string();
    assert!(
        title.contains("《中华人民共和国食品安全法》第一百一十条"),
        "{title}"
    );
    assert_eq!(range.get_value((1, 1)).unwrap().to_string(), "单位");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines = stdout.lines().count() - 2; // title and header
    assert_eq!(range.height() - 2, lines, "every line exported");
    // The whole law exports its articles in one sheet, an 条款 column first.
    let (code, stdout, err) = run_on(
        &db,
        &["basis", "impact", "食品安全法", "-o", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let mut wb = open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range("依据影响范围").unwrap();
    let title = range.get_value((0, 0)).unwrap().to_string();
    assert!(
        title.starts_with("《中华人民共和国食品安全法》（法律）影响范围：3 条依据"),
        "{title}"
    );
    assert!(title.contains("只计一次"), "{title}");
    assert_eq!(range.get_value((1, 1)).unwrap().to_string(), "条款");
    assert_eq!(range.get_value((1, 3)).unwrap().to_string(), "单位");
    let articles: Vec<String> = (2..range.height() as u32)
        .map(|r| range.get_value((r, 1)).unwrap().to_string())
        .collect();
    let mut runs = articles.clone();
    runs.dedup();
    assert_eq!(runs, ["第八十七条", "第一百一十条", "第一百二十二条"]);
    // As many rows as the text lists under its articles.
    let listed = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c != '《' && c != '合' && c != '单') && !l.is_empty())
        .count();
    assert_eq!(articles.len(), listed, "{stdout}");
}

fn resolve(s: &jianguan::store::Store, q: &str, article: Option<&str>) -> bases::Named {
    bases::resolve(s, Some(&actor(s, ADMIN)), q, article, None)
        .unwrap_or_else(|e| panic!("{q} {article:?}: {e}"))
}

fn articles(n: &bases::Named) -> Vec<String> {
    n.law.bases.iter().map(|b| b.article.clone()).collect()
}

#[test]
fn a_law_is_named_by_its_short_name_or_full_title_its_articles_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    for q in [
        "食品安全法",
        "中华人民共和国食品安全法",
        "《中华人民共和国食品安全法》",
        " 《食品安全法》 ",
    ] {
        let n = resolve(&s, q, None);
        assert_eq!(n.law.title, "《中华人民共和国食品安全法》", "{q}");
        assert_eq!(n.law.name, "食品安全法");
        assert!(n.basis.is_none() && n.one().is_none(), "{q}");
        // By number, not by text: 八十七 before 一百一十.
        assert_eq!(
            articles(&n),
            ["第八十七条", "第一百一十条", "第一百二十二条"],
            "{q}"
        );
    }
    // The row citing the whole document comes first.
    let n = resolve(&s, "特种设备安全法", None);
    assert_eq!(articles(&n), ["", "第五十七条"]);
    // Words of one law only: that law, whole.
    let n = resolve(&s, "特种设备", None);
    assert_eq!(n.law.title, "《中华人民共和国特种设备安全法》");
    assert_eq!(n.law.bases.len(), 2);
    // A law of one row is that row.
    let n = resolve(&s, "计量法", None);
    assert_eq!(
        n.one().map(|b| b.citation()),
        Some("《中华人民共和国计量法》".into())
    );
    // 城市绿化条例 is not 郑州市城市绿化条例, though one contains the other.
    let n = resolve(&s, "城市绿化条例", None);
    assert_eq!(n.law.title, "《城市绿化条例》");
}

#[test]
fn an_article_in_digits_or_chinese_in_the_query_or_by_option() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    let cases: [(&str, Option<&str>); 11] = [
        ("食品安全法第87条", None),
        ("食品安全法第八十七条", None),
        ("食品安全法 八十七", None),
        ("食品安全法 87", None),
        ("食品安全法87条", None),
        ("《中华人民共和国食品安全法》第八十七条", None),
        ("中华人民共和国食品安全法 第87条", None),
        ("食品安全法", Some("第八十七条")),
        ("食品安全法", Some("87")),
        ("食品安全法", Some("八十七")),
        ("《中华人民共和国食品安全法》", Some("87条")),
    ];
    for (q, article) in cases {
        let n = resolve(&s, q, article);
        let b = n
            .one()
            .unwrap_or_else(|| panic!("{q} {article:?}: no one article"));
        assert_eq!(
            b.citation(),
            "《中华人民共和国食品安全法》第八十七条",
            "{q} {article:?}"
        );
        assert_eq!(n.law.bases.len(), 3, "the law comes with it");
    }
    // 第一百一十条 as 110, and an article alone when one law has it.
    let n = resolve(&s, "食品安全法", Some("110"));
    assert_eq!(n.one().unwrap().article, "第一百一十条");
    let n = resolve(&s, "第57条", None);
    assert_eq!(
        n.one().unwrap().citation(),
        "《中华人民共和国特种设备安全法》第五十七条"
    );
    // Two different articles, or one the law does not have: said so.
    let e = bases::resolve(&s, None, "食品安全法第87条", Some("110"), None).unwrap_err();
    assert!(
        e.to_string().contains("第87条") && e.to_string().contains("第110条"),
        "{e}"
    );
    let e = bases::resolve(&s, None, "食品安全法第99条", None, None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("没有第99条") && e.contains("第八十七条、第一百一十条、第一百二十二条"),
        "{e}"
    );
    // --id picks a row of what the query names, and only of it.
    let n = bases::resolve(&s, None, "食品安全法", None, Some(2)).unwrap();
    assert_eq!(n.one().unwrap().article, "第一百一十条");
    let e = bases::resolve(&s, None, "食品安全法", None, Some(9))
        .unwrap_err()
        .to_string();
    assert!(e.contains("没有编号 9") && e.contains("--id 1"), "{e}");
}

#[test]
fn several_laws_are_listed_by_law_and_nothing_found_says_what_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    let e = bases::resolve(&s, None, "安全法", None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("部法律法规"), "{e}");
    assert!(
        e.contains("《中华人民共和国食品安全法》（3 条依据）"),
        "{e}"
    );
    assert!(
        e.contains("《中华人民共和国特种设备安全法》（2 条依据）"),
        "{e}"
    );
    assert!(!e.contains("第八十七条"), "laws, not every article: {e}");
    // An article narrows the laws to those that have it.
    let n = resolve(&s, "安全法第五十七条", None);
    assert_eq!(
        n.one().unwrap().citation(),
        "《中华人民共和国特种设备安全法》第五十七条"
    );
    let e = bases::resolve(&s, None, "宇宙航行法", None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("没有找到") && e.contains("宇宙航行法"), "{e}");
}

/// The figures of one basis, straight from the tables.
fn table_counts(s: &jianguan::store::Store, where_: &str) -> (usize, usize, usize) {
    let count = |sql: String| -> usize {
        s.conn()
            .query_row(&sql, [], |r| r.get::<_, i64>(0))
            .unwrap() as usize
    };
    let subs = format!("SELECT DISTINCT sub_item_id FROM sub_item_bases WHERE {where_}");
    (
        count(format!("SELECT count(*) FROM ({subs}) AS cited")),
        count(format!(
            "SELECT count(*) FROM claims WHERE sub_item_id IN ({subs})"
        )),
        count(format!(
            "SELECT count(*) FROM checklists k JOIN claims c
               ON c.sub_item_id = k.sub_item_id AND c.unit_id = k.unit_id
             WHERE k.sub_item_id IN ({subs})"
        )),
    )
}

#[test]
fn the_whole_law_counts_a_sub_item_citing_two_articles_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    // 对食品生产企业的监督抽检 cites 第八十七条; let it cite 第一百一十条 too.
    s.conn()
        .execute(
            "INSERT INTO sub_item_bases (sub_item_id, basis_id)
             SELECT id, 2 FROM sub_items WHERE code = '10100100300000'",
            [],
        )
        .unwrap();
    let n = resolve(&s, "食品安全法", None);
    let l = bases::law_impact(&s, None, &n.law).unwrap();
    let per: Vec<(String, usize)> = l
        .articles
        .iter()
        .map(|a| (a.basis.article.clone(), a.sub_items))
        .collect();
    assert_eq!(
        per,
        [
            ("第八十七条".into(), 2),
            ("第一百一十条".into(), 10),
            ("第一百二十二条".into(), 3)
        ]
    );
    // Each article as `impact` gives it.
    for a in &l.articles {
        let one = bases::impact(&s, None, a.basis.id).unwrap();
        assert_eq!(one.lines, a.lines);
        assert_eq!(
            table_counts(&s, &format!("basis_id = {}", a.basis.id)),
            (a.sub_items, a.claims, a.checklists)
        );
    }
    assert_eq!(l.sub_items, 14, "15 citations, 14 sub-items");
    assert_eq!(
        table_counts(&s, "basis_id IN (1, 2, 3)"),
        (l.sub_items, l.claims, l.checklists)
    );
    let summed: usize = l.articles.iter().map(|a| a.claims).sum();
    assert!(
        summed > l.claims,
        "the shared sub-item's claims once: {summed} {}",
        l.claims
    );

    // From the shell: per-article headings in order, then the totals.
    let db = db_at(&dir.path().join("i.db"));
    let (code, out, err) = run_on(&db, &["basis", "impact", "食品安全法"]);
    assert_eq!(code, 0, "{err}");
    let headings: Vec<&str> = out.lines().filter(|l| l.starts_with('《')).collect();
    assert_eq!(headings.len(), 4, "{out}");
    assert!(headings[0].contains("3 条依据，合计 14 个子项"), "{out}");
    assert!(
        headings[1].starts_with("《中华人民共和国食品安全法》第八十七条（现行有效）：2 个子项"),
        "{out}"
    );
    assert!(
        headings[2].contains("第一百一十条（现行有效）：10 个子项"),
        "{out}"
    );
    assert!(headings[3].contains("第一百二十二条"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("合计：14 个子项") && last.contains("只计一次"),
        "{last}"
    );
    // --article narrows to one, as the one-article report always was.
    let (_, one, _) = run_on(&db, &["basis", "impact", "食品安全法", "--article", "87"]);
    assert!(
        one.starts_with(
            "《中华人民共和国食品安全法》第八十七条（法律，现行有效）影响范围：2 个子项"
        ),
        "{one}"
    );
    // JSON: the law, its articles with their lines, the totals.
    let (_, json, _) = run_on(&db, &["--json", "basis", "impact", "食品安全法"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["law"]["title"], "《中华人民共和国食品安全法》");
    assert_eq!(v["law"]["name"], "食品安全法");
    assert_eq!(v["articles"].as_array().unwrap().len(), 3);
    assert_eq!(v["articles"][1]["basis"]["article"], "第一百一十条");
    assert_eq!(v["articles"][1]["sub_item_count"], 10);
    assert_eq!(
        v["articles"][1]["lines"].as_array().unwrap().len(),
        l.articles[1].lines.len()
    );
    assert_eq!(v["totals"]["sub_item_count"], 14);
    assert_eq!(v["totals"]["claim_count"], l.claims);
    assert_eq!(v["totals"]["article_count"], 3);
}

#[test]
fn a_classified_sub_item_stays_hidden_in_the_whole_law() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    s.conn()
        .execute(
            "UPDATE sub_items SET classified = 1 WHERE code = '10100300100000'",
            [],
        )
        .unwrap();
    let n = resolve(&s, "食品安全法", None);
    let admin = actor(&s, ADMIN);
    let seen = bases::law_impact(&s, Some(&admin), &n.law).unwrap();
    let anonymous = bases::law_impact(&s, None, &n.law).unwrap();
    let has = |l: &bases::LawImpact| {
        l.articles
            .iter()
            .flat_map(|a| &a.lines)
            .any(|x| x.sub_code == "10100300100000")
    };
    assert!(has(&seen));
    assert!(!has(&anonymous));
    assert_eq!(anonymous.sub_items, seen.sub_items - 1);
    assert_eq!(
        anonymous.articles[2].sub_items,
        seen.articles[2].sub_items - 1
    );
    // The TUI's whole-law list leaves it out too.
    let law = bases::law_sub_items(&s, None, n.law.bases[0].id).unwrap();
    assert!(
        law.iter()
            .all(|(_, items)| items.iter().all(|i| i.code != "10100300100000"))
    );
    let law = bases::law_sub_items(&s, Some(&admin), n.law.bases[0].id).unwrap();
    assert!(law[2].1.iter().any(|i| i.code == "10100300100000"));
}

#[test]
fn a_status_is_set_on_one_article_never_on_a_whole_law() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "i.db");
    let before = content_dump(&open(&db));
    let (code, _, err) = run_on(&db, &["basis", "set-status", "食品安全法", "修订中"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("《中华人民共和国食品安全法》有 3 条依据"),
        "{err}"
    );
    assert!(err.contains("不能对整部法律法规设置"), "{err}");
    assert!(
        err.contains("--id 1  《中华人民共和国食品安全法》第八十七条  --article 第八十七条"),
        "{err}"
    );
    assert!(err.contains("--id 3"), "{err}");
    let (code, _, err) = run_on(&db, &["basis", "set-status", "特种设备安全法", "修订中"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("《中华人民共和国特种设备安全法》  --article 全文"),
        "{err}"
    );
    assert_eq!(content_dump(&open(&db)), before, "nothing changed");
    // One article, however written, is set.
    let (code, out, err) = run_on(&db, &["basis", "set-status", "食品安全法第87条", "修订中"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("《中华人民共和国食品安全法》第八十七条：现行有效 → 修订中"),
        "{out}"
    );
    let (code, _, err) = run_on(
        &db,
        &[
            "basis",
            "set-status",
            "食品安全法",
            "已废止",
            "--article",
            "一百一十",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let s = open(&db);
    let status = |id: i64| -> String {
        s.conn()
            .query_row("SELECT status FROM legal_bases WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(
        (status(1), status(2), status(3)),
        (
            "under_revision".into(),
            "repealed".into(),
            "in_force".into()
        )
    );
}

fn resolve_err(s: &jianguan::store::Store, q: &str, article: Option<&str>) -> String {
    match bases::resolve(s, Some(&actor(s, ADMIN)), q, article, None) {
        Ok(n) => panic!("{q} {article:?}: found {:?}", n.law.title),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_query_that_is_no_laws_name_is_read_as_jianguan_search_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    // Characters of the name apart: the laws search finds, listed.
    let e = resolve_err(&s, "危化品", None);
    assert!(
        e.contains("“危化品”对应 2 部法律法规")
            && e.contains("《危险化学品安全管理条例》（1 条依据）")
            && e.contains("《危险化学品经营许可证管理办法》（1 条依据）"),
        "{e}"
    );
    // As a run, of one law only: that law (its only row).
    let n = resolve(&s, "危险化学品安全", None);
    assert_eq!(n.law.title, "《危险化学品安全管理条例》");
    assert!(n.note.is_none() && n.one().is_some());
    // A number alone is the article it names, the whole law said in the note.
    let n = resolve(&s, "87", None);
    assert_eq!(
        n.one().map(|b| b.citation()).as_deref(),
        Some("《中华人民共和国食品安全法》第八十七条")
    );
    assert_eq!(n.law.bases.len(), 3);
    assert_eq!(
        n.note.as_deref(),
        Some("按“87”找到此条；整部法律法规：jianguan basis impact 食品安全法")
    );
    // Words found only in two articles' excerpts: those two, not the law.
    let n = resolve(&s, "抽样检验", None);
    assert!(n.one().is_none());
    let scope: Vec<String> = n.scope().bases.iter().map(|b| b.article.clone()).collect();
    assert_eq!(scope, ["第八十七条", "第一百一十条"]);
    assert_eq!(n.law.bases.len(), 3, "the law is still the whole law");
    let note = n.note.clone().unwrap();
    assert!(
        note.contains("第八十七条、第一百一十条")
            && note.ends_with("jianguan basis impact 食品安全法"),
        "{note}"
    );
    // Words in every row of one law: the whole law.
    let n = resolve(&s, "特种设备", None);
    assert!(n.articles.is_empty() && n.note.is_none() && n.one().is_none());
    // Two laws, and the article asked in neither: both listed with theirs.
    let e = resolve_err(&s, "市容条例", None);
    assert!(
        e.contains("对应 2 部法律法规") && e.contains("《郑州市城市市容和环境卫生管理条例》"),
        "{e}"
    );
    for (q, article) in [("市容条例", Some("20")), ("市容条例 20", None)] {
        let e = resolve_err(&s, q, article);
        assert!(
            e.contains("目录中都没有第20条")
                && e.contains("《城市市容和环境卫生管理条例》（目录中的依据：全文）"),
            "{q}: {e}"
        );
    }
    // One wrong character: nothing is guessed, the law is offered.
    let e = resolve_err(&s, "食品安全发", None);
    assert!(e.starts_with("没有找到设定依据“食品安全发”"), "{e}");
    assert!(
        e.contains(
            "是不是要找：\n  《中华人民共和国食品安全法》：jianguan basis impact 食品安全法"
        ),
        "{e}"
    );
    let e = resolve_err(&s, "食品安全发第87条", None);
    assert!(
        e.contains("jianguan basis impact 食品安全法 --article 第87条"),
        "{e}"
    );
    // Words that are nowhere stay nothing.
    let e = resolve_err(&s, "宇宙航行法", None);
    assert!(!e.contains("是不是要找"), "{e}");
    // --id picks among what the search found.
    let n = bases::resolve(&s, None, "抽样检验", None, Some(2)).unwrap();
    assert_eq!(n.one().unwrap().article, "第一百一十条");

    // From the shell: the matched articles only, the whole law in the heading.
    let db = db_at(&dir.path().join("i.db"));
    let (code, out, err) = run_on(&db, &["basis", "impact", "抽样检验"]);
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with(
            "《中华人民共和国食品安全法》（法律）影响范围：其中 2 条（共 3 条）依据，合计 11 个子项"
        ),
        "{first}"
    );
    assert!(
        first.contains("jianguan basis impact 食品安全法"),
        "{first}"
    );
    assert!(!out.contains("第一百二十二条"), "{out}");
    let (code, out, _) = run_on(&db, &["basis", "impact", "87"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "《中华人民共和国食品安全法》第八十七条（法律，现行有效）影响范围：2 个子项"
        ) && out
            .lines()
            .next()
            .unwrap()
            .ends_with("（按“87”找到此条；整部法律法规：jianguan basis impact 食品安全法）"),
        "{out}"
    );
    let (_, json, _) = run_on(&db, &["--json", "basis", "impact", "87"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["note"].as_str().unwrap().contains("整部法律法规"), "{v}");
    let (code, _, err) = run_on(&db, &["basis", "impact", "食品安全发"]);
    assert_eq!(code, 1);
    assert!(err.contains("是不是要找"), "{err}");
}

#[test]
fn the_whole_document_is_named_by_quanwen() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    let n = resolve(&s, "广告法", Some("全文"));
    let b = n.one().unwrap();
    assert_eq!(
        (b.title.as_str(), b.article.as_str()),
        ("《中华人民共和国广告法》", "")
    );
    let n = resolve(&s, "广告法", Some(" 全文 "));
    assert_eq!(n.one().unwrap().article, "");
    // A law with no such row says what it has.
    let e = resolve_err(&s, "食品安全法", Some("全文"));
    assert!(e.contains("没有全文"), "{e}");
    // --id and --article 全文 agree, or are refused.
    let e = bases::resolve(&s, None, "广告法", Some("全文"), Some(11))
        .unwrap_err()
        .to_string();
    assert!(e.contains("不是全文"), "{e}");
    // The status of the whole document is set by it too.
    let db = demo_by_binary(dir.path(), "b.db");
    let (code, out, err) = run_on(
        &db,
        &[
            "basis",
            "set-status",
            "广告法",
            "修订中",
            "--article",
            "全文",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("《中华人民共和国广告法》：现行有效 → 修订中"),
        "{out}"
    );
}

#[test]
fn a_clause_the_catalogue_does_not_cite_is_counted_by_its_article() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(&demo_db(dir.path(), "i.db"));
    for (q, article) in [
        ("食品安全法第87条第一款", None),
        ("食品安全法第八十七条第一款第二项", None),
        ("食品安全法", Some("第八十七条第一款")),
        ("食品安全法", Some("87条1款")),
    ] {
        let n = resolve(&s, q, article);
        assert_eq!(n.one().unwrap().article, "第八十七条", "{q} {article:?}");
        assert_eq!(
            n.note.as_deref(),
            Some("目录只到条：按第八十七条统计"),
            "{q} {article:?}"
        );
    }
    let e = resolve_err(&s, "食品安全法第99条第一款", None);
    assert!(e.contains("没有第99条第1款"), "{e}");
    // A row for the 款 is that row; for the 款 and not its 项, the 款.
    s.conn()
        .execute(
            "INSERT INTO legal_bases (title, kind, article) VALUES
             ('《中华人民共和国食品安全法》', 'law', '第八十七条第一款'),
             ('《中华人民共和国特种设备安全法》', 'law', '第六十五条')",
            [],
        )
        .unwrap();
    let n = resolve(&s, "食品安全法第87条第一款", None);
    assert_eq!(n.one().unwrap().article, "第八十七条第一款");
    assert!(n.note.is_none());
    let n = resolve(&s, "食品安全法第87条第一款第三项", None);
    assert_eq!(n.one().unwrap().article, "第八十七条第一款");
    assert_eq!(
        n.note.as_deref(),
        Some("目录只到款：按第八十七条第一款统计")
    );
    // An article alone, as written by any law.
    let n = resolve(&s, "第六十五条第一款", None);
    assert_eq!(
        n.one().unwrap().citation(),
        "《中华人民共和国特种设备安全法》第六十五条"
    );
    // From the shell, the heading says it.
    let db = db_at(&dir.path().join("i.db"));
    let (code, out, err) = run_on(&db, &["basis", "impact", "食品安全法第87条第二款"]);
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with(
            "《中华人民共和国食品安全法》第八十七条（法律，现行有效）影响范围：2 个子项"
        ) && first.ends_with("（目录只到条：按第八十七条统计）"),
        "{first}"
    );
}

#[test]
fn an_article_nobody_cites_reads_the_same_alone_and_in_its_law() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "i.db");
    open(&db)
        .conn()
        .execute(
            "INSERT INTO legal_bases (title, kind, article) VALUES
             ('《中华人民共和国食品安全法》', 'law', '第一百条')",
            [],
        )
        .unwrap();
    let (code, out, err) = run_on(&db, &["basis", "impact", "食品安全法第100条"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "《中华人民共和国食品安全法》第一百条（法律，现行有效）影响范围：0 个子项，0 个认领，0 份检查实施清单",
            "（没有引用此条的子项）"
        ]
    );
    let (_, out, _) = run_on(&db, &["basis", "impact", "食品安全法"]);
    let at = out
        .lines()
        .position(|l| l.starts_with("《中华人民共和国食品安全法》第一百条（现行有效）：0 个子项"))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(out.lines().nth(at + 1), Some("（没有引用此条的子项）"));
}
