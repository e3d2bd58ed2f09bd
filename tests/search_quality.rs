//! What search finds on the demo catalogue, query by query: the first hits
//! an operator expects for what they type (article numbers in either
//! writing, short law names, pinyin apart, departments and main items,
//! several words, one wrong character), and queries that must find nothing.

mod common;

use common::{actor, demo_db, open};
use jianguan::app::views;
use jianguan::search::engine::{Index, Kind};
use jianguan::search::worker::answer;
use jianguan::store::Store;

/// What a query must give.
enum Expect {
    /// These texts are the first hits, in this order.
    First(&'static [&'static str]),
    /// This text is among the first `n` hits.
    Among(usize, &'static str),
    /// Each of the first ten hits' texts contains each of these, and there
    /// is one at least (the later ones may match apart).
    AllContain(&'static [&'static str]),
    /// No hit matches as typed; this text is the first of the 近似结果.
    NearFirst(&'static str),
    /// No hit matches as typed; this text is among the first `n` 近似结果.
    NearAmong(usize, &'static str),
    /// The first hit is of this kind, with this text.
    Kind(Kind, &'static str),
    Nothing,
}

use Expect::*;

const FOOD_87: &str = "《中华人民共和国食品安全法》第八十七条";
const FOOD_110: &str = "《中华人民共和国食品安全法》第一百一十条";
const FOOD_122: &str = "《中华人民共和国食品安全法》第一百二十二条";
const SPECIAL: &str = "《中华人民共和国特种设备安全法》";
const SPECIAL_57: &str = "《中华人民共和国特种设备安全法》第五十七条";

const TABLE: &[(&str, Expect)] = &[
    // Article numbers in either writing, with or without the law.
    ("87", First(&[FOOD_87])),
    ("第87条", First(&[FOOD_87])),
    ("八十七", First(&[FOOD_87])),
    ("第八十七条", First(&[FOOD_87])),
    ("87条", First(&[FOOD_87])),
    ("食品安全法第87条", First(&[FOOD_87])),
    ("食品安全法 八十七", First(&[FOOD_87])),
    ("《中华人民共和国食品安全法》第八十七条", First(&[FOOD_87])),
    ("中华人民共和国食品安全法第87条", First(&[FOOD_87])),
    ("食品安全法第110条", First(&[FOOD_110])),
    ("一百二十二", First(&[FOOD_122])),
    (
        "药品管理法 99",
        First(&["《中华人民共和国药品管理法》第九十九条"]),
    ),
    ("spaq 87", First(&[FOOD_87])),
    ("第88条", Nothing),
    // A law's short name; a short title holding the query first.
    ("食品安全法", First(&[FOOD_87, FOOD_110, FOOD_122])),
    ("特种设备", First(&[SPECIAL, SPECIAL_57])),
    ("特种设备安全法", First(&[SPECIAL, SPECIAL_57])),
    ("tzsb", First(&[SPECIAL, SPECIAL_57])),
    // Pinyin initials and syllables, apart as well as in a run.
    ("spjdjc", Among(5, "对食品生产企业的监督检查")),
    ("spjd", Among(10, "对食品生产企业的监督检查")),
    ("shipin", AllContain(&[])),
    (
        "shipinshengchan",
        Kind(Kind::MainItem, "对食品生产活动的行政检查"),
    ),
    ("cyfw", Among(3, "对餐饮服务提供者的监督检查")),
    // Heteronyms: every reading counts (重 zhòng/chóng, 调 diào/tiáo,
    // 处 chǔ/chù, 行 xíng/háng).
    ("zdpw", First(&["对重点排污单位自动监测数据的非现场检查"])),
    (
        "tjdc",
        Among(3, "对统计调查对象提供统计资料情况的统计执法检查"),
    ),
    ("qzjx", First(&["对建筑起重机械使用情况的监督检查"])),
    ("xzcf", AllContain(&["行政处罚"])),
    // Departments, main items, local items by code.
    (
        "国家市场监督管理总局",
        Kind(Kind::Department, "国家市场监督管理总局"),
    ),
    ("gjscjdglzj", Kind(Kind::Department, "国家市场监督管理总局")),
    (
        "食品经营活动",
        Kind(Kind::MainItem, "对食品经营活动的行政检查"),
    ),
    (
        "10100200000000",
        Kind(Kind::MainItem, "对食品经营活动的行政检查"),
    ),
    ("1010", Kind(Kind::MainItem, "对食品生产活动的行政检查")),
    (
        "DF410100-0005",
        Kind(Kind::LocalItem, "对嵩山历史建筑群保护的行政检查"),
    ),
    (
        "df410100-0001",
        Kind(Kind::LocalItem, "对城市生活垃圾分类的行政检查"),
    ),
    (
        "41100100000001",
        Kind(Kind::LocalItem, "对嵩山历史建筑群保护的行政检查"),
    ),
    // Several words, all matching, in any order.
    ("食品 jc", AllContain(&["食品", "检"])),
    ("jc 食品", AllContain(&["食品", "检"])),
    ("特种设备 行政处罚", AllContain(&["特种设备", "行政处罚"])),
    ("行政处罚 特种设备", AllContain(&["特种设备", "行政处罚"])),
    ("食品 银行", Nothing),
    // One wrong character, below the exact results.
    ("餐钦服务", NearFirst("对餐饮服务提供者的监督检查")),
    ("食品销售着", NearFirst("对食品销售者的监督检查")),
    ("特种设被", NearFirst(SPECIAL)),
    (
        "对食品生产企业的监督减查",
        NearFirst("对食品生产企业的监督检查"),
    ),
    ("tezhongshebai", NearFirst(SPECIAL)),
    ("减查", Nothing),
    // Characters strewn one by one are no better than one wrong: below the
    // line, after the near runs.
    ("食品经管", NearFirst("对食品经营者的监督抽检")),
    // Pinyin one letter off, apart.
    ("spjdjx", NearAmong(5, "对食品销售者的监督检查")),
    ("shipin jiamcha", NearAmong(5, "对食品销售者的监督检查")),
    ("shipinjiamcha", NearAmong(10, "对食品销售者的监督检查")),
    ("spjdjcc", NearAmong(5, "对食品生产企业的监督检查")),
    // Scattered Chinese still matches; the shorter text first.
    ("食品检查", Among(3, "对食品销售者的监督检查")),
    // Basis excerpts (full-text search).
    ("定期或者不定期的抽样检验", First(&[FOOD_87])),
    // Copied citations: quotes and commas part words.
    ("“食品安全法”，87", First(&[FOOD_87])),
    // A wrong article number finds no other article (10 is not in 110).
    ("第10条", Nothing),
    ("食品安全法第10条", Nothing),
    // Marks alone match nothing (and do not fail).
    ("《", Nothing),
    ("《》", Nothing),
    ("*", Nothing),
    ("-", Nothing),
    // Nothing to find.
    ("没有这种事项", Nothing),
    ("qqqq", Nothing),
];

fn texts(index: &Index, store: &Store, q: &str) -> (Vec<String>, Vec<bool>, Vec<Kind>) {
    let hits = answer(index, Some(store), q).unwrap();
    let texts = hits
        .iter()
        .map(|h| index.entry(h.entry).text.to_string())
        .collect();
    let near = hits.iter().map(|h| h.is_near()).collect();
    let kinds = hits.iter().map(|h| index.entry(h.entry).kind).collect();
    (texts, near, kinds)
}

#[test]
fn what_operators_type_finds_what_they_mean() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "demo.db");
    let store = open(&db);
    let admin = actor(&store, common::ADMIN);
    let index = Index::new(views::search_entries(&store, Some(&admin)).unwrap());
    assert!(TABLE.len() >= 40);
    let mut failures = Vec::new();
    for (q, expect) in TABLE {
        let (texts, near, kinds) = texts(&index, &store, q);
        let exact: Vec<&String> = texts
            .iter()
            .zip(&near)
            .filter(|(_, n)| !**n)
            .map(|(t, _)| t)
            .collect();
        let top: Vec<&str> = texts.iter().take(5).map(String::as_str).collect();
        let ok = match expect {
            First(want) => {
                texts.len() >= want.len() && want.iter().zip(&texts).all(|(w, t)| w == t)
            }
            Among(n, want) => texts.iter().take(*n).any(|t| t == want),
            AllContain(parts) => {
                !exact.is_empty()
                    && exact.len() == texts.len()
                    && exact
                        .iter()
                        .take(10)
                        .all(|t| parts.iter().all(|p| t.contains(p)))
            }
            NearFirst(want) => {
                let first_near = texts.iter().zip(&near).find(|(_, n)| **n).map(|(t, _)| t);
                exact.is_empty() && first_near.is_some_and(|t| t == want)
            }
            NearAmong(n, want) => {
                exact.is_empty()
                    && texts
                        .iter()
                        .zip(&near)
                        .filter(|(_, n)| **n)
                        .take(*n)
                        .any(|(t, _)| t == want)
            }
            Kind(kind, want) => {
                kinds.first() == Some(kind) && texts.first().is_some_and(|t| t == want)
            }
            Nothing => texts.is_empty(),
        };
        if !ok {
            failures.push(format!(
                "{q}: got {top:?} (near {:?})",
                &near[..near.len().min(5)]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        TABLE.len(),
        failures.join("\n")
    );
}

#[test]
fn an_operator_does_not_find_what_they_may_not_see() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "demo.db");
    let store = open(&db);
    // 涉密 sub-items their unit does not claim, and other units' local
    // items not yet approved.
    let lina = actor(&store, "lina");
    let index = Index::new(views::search_entries(&store, Some(&lina)).unwrap());
    for q in [
        "对易制毒化学品购销情况的监督检查",
        "DF410100-0003",
        "对城市绿线管理的行政检查",
    ] {
        let (texts, _, _) = texts(&index, &store, q);
        assert!(
            texts.iter().all(|t| t != q && !t.contains("城市绿线")),
            "{q}: {texts:?}"
        );
    }
    // Nor a local basis only another unit's draft cites (its title would
    // tell of the draft).
    let (found, _, _) = texts(&index, &store, "文明行为促进条例");
    assert!(
        found.iter().all(|t| !t.contains("文明行为促进条例")),
        "{found:?}"
    );
    let admin = actor(&store, common::ADMIN);
    let index = Index::new(views::search_entries(&store, Some(&admin)).unwrap());
    let (found, _, _) = texts(&index, &store, "文明行为促进条例");
    assert!(
        found.iter().any(|t| t.contains("文明行为促进条例")),
        "{found:?}"
    );
    let (texts, _, _) = texts(&index, &store, "DF410100-0003");
    assert_eq!(
        texts.first().map(String::as_str),
        Some("对城市绿线管理的行政检查")
    );
}
