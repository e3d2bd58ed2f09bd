//! Legal bases (设定依据): their status (现行有效 / 修订中 / 已废止) and what
//! rests on each one.

use super::{Actor, AppError, write};
use crate::domain::numerals;
use crate::domain::permission::WriteAction;
use crate::domain::text::rules;
use crate::domain::{BasisStatus, Category, Id, LegalBasis, NOT_STARTED, SubItem};
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Sets a basis's status (platform_admin or legal_reviewer), compare-and-
/// swap on its version.
pub fn set_status(
    store: &mut Store,
    actor: &Actor,
    basis_id: Id,
    status: BasisStatus,
    expected_version: i64,
) -> Result<LegalBasis, AppError> {
    write(store, actor, |w| {
        w.authorize(WriteAction::SetBasisStatus)?;
        let before = store::catalogue::basis(w.tx, basis_id)?;
        if !store::catalogue::set_basis_status(w.tx, basis_id, status, expected_version)? {
            return Err(AppError::Invalid(format!(
                "{}已被别人改过（现为第 {} 版、{}），请重新查看后再改",
                before.citation(),
                before.version,
                before.status.label()
            )));
        }
        let after = store::catalogue::basis(w.tx, basis_id)?;
        w.log(
            "set_basis_status",
            "legal_basis",
            basis_id,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}

/// One line of the impact view, by unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImpactLine {
    /// Which sub-item and claim the line is, so a law's totals count each
    /// once however many of its articles the sub-item cites.
    #[serde(skip)]
    pub sub_item_id: Id,
    #[serde(skip)]
    pub unit_id: Option<Id>,
    /// The claiming unit's full name, or “（无单位认领）”.
    pub unit: String,
    pub sub_code: String,
    pub sub_name: String,
    /// 是 / 否, empty when nobody claims it.
    pub exercised: String,
    /// The unit's checklist: 未开始 / 草稿 / 完整 / 已填报; empty when no
    /// checklist is needed or nobody claims it.
    pub checklist: String,
    /// “地方事项，依据已废止” for a local item resting on a repealed basis:
    /// it must be amended (or withdrawn) before it is entered.
    pub note: String,
}

/// What rests on a basis: every sub-item citing it, each claim of those,
/// and the claimer's checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub basis: LegalBasis,
    pub sub_items: usize,
    pub claims: usize,
    pub checklists: usize,
    pub lines: Vec<ImpactLine>,
}

/// What rests on a basis, as the viewer may see it: local items not yet
/// approved of other units, and 涉密 sub-items the viewer may not see
/// (`permission::sees_classified`), are left out, counts included.
pub fn impact(store: &Store, actor: Option<&Actor>, basis_id: Id) -> Result<Impact, AppError> {
    Viewer::new(store, actor)?.impact(store, basis_id)
}

/// What one viewer may see, read once for all the articles of a law.
struct Viewer {
    hidden: HashSet<Id>,
    names: HashMap<Id, String>,
}

impl Viewer {
    fn new(store: &Store, actor: Option<&Actor>) -> Result<Self, AppError> {
        let mut hidden = super::views::hidden_local(store, actor)?;
        hidden.extend(super::views::hidden_classified(store, actor)?);
        let names = store::units::list_units(store.conn())?
            .into_iter()
            .map(|u| (u.id, u.full_name()))
            .collect();
        Ok(Viewer { hidden, names })
    }

    fn impact(&self, store: &Store, basis_id: Id) -> Result<Impact, AppError> {
        let conn = store.conn();
        let basis = store::catalogue::basis(conn, basis_id)?;
        let mut rows = store::catalogue::basis_impact(conn, basis_id)?;
        rows.retain(|r| !self.hidden.contains(&r.sub_item_id));
        let lines: Vec<ImpactLine> = rows
            .into_iter()
            .map(|r| ImpactLine {
                sub_item_id: r.sub_item_id,
                unit_id: r.unit_id,
                unit: r
                    .unit_id
                    .and_then(|u| self.names.get(&u).cloned())
                    .unwrap_or_else(|| "（无单位认领）".into()),
                sub_code: r.sub_code,
                sub_name: r.sub_name,
                exercised: match r.exercised {
                    Some(true) => "是".into(),
                    Some(false) => "否".into(),
                    None => String::new(),
                },
                checklist: match (r.checklist, r.unit_id, r.category) {
                    (Some(s), _, _) => s.label().into(),
                    (None, Some(_), Category::Inspection) => NOT_STARTED.into(),
                    _ => String::new(),
                },
                note: if r.local && basis.status == crate::domain::BasisStatus::Repealed {
                    "地方事项，依据已废止".into()
                } else {
                    String::new()
                },
            })
            .collect();
        let (sub_items, claims, checklists) = counts(lines.iter());
        Ok(Impact {
            sub_items,
            claims,
            checklists,
            basis,
            lines,
        })
    }
}

/// Distinct sub-items, claims (sub-item and unit) and checklists begun
/// among `lines`.
fn counts<'a>(lines: impl Iterator<Item = &'a ImpactLine>) -> (usize, usize, usize) {
    let mut subs = HashSet::new();
    let mut claims = HashSet::new();
    let mut lists = HashSet::new();
    for l in lines {
        subs.insert(l.sub_item_id);
        if !l.exercised.is_empty() {
            claims.insert((l.sub_item_id, l.unit_id));
        }
        if !l.checklist.is_empty() && l.checklist != NOT_STARTED {
            lists.insert((l.sub_item_id, l.unit_id));
        }
    }
    (subs.len(), claims.len(), lists.len())
}

/// A law or regulation (法律法规) as `basis impact` names it: every basis
/// row of one title.
#[derive(Debug, Clone)]
pub struct Law {
    /// As written in the catalogue: 《中华人民共和国食品安全法》.
    pub title: String,
    /// As it is called and compared: 食品安全法 (`numerals::law_key`).
    pub name: String,
    /// Its rows: the whole document (no article) first, then its articles
    /// by number (第八十七条 before 第一百一十条).
    pub bases: Vec<LegalBasis>,
}

/// What a query names: a law, and the one row of it asked for (an article
/// typed in the query, `--article`, or `--id`), if any.
#[derive(Debug, Clone)]
pub struct Named {
    pub law: Law,
    pub basis: Option<LegalBasis>,
    /// The rows the query matched when they are some of the law's, not
    /// all (words found in two articles' excerpts): what the report
    /// covers. Empty when it covers the whole law or `basis`.
    pub articles: Vec<LegalBasis>,
    /// How the query was read, said in the report's heading: the article
    /// counted for a 款 the catalogue does not cite, or the articles
    /// matched and the command for the whole law.
    pub note: Option<String>,
}

impl Named {
    /// The one basis row named: the one asked for or matched, or the
    /// law's only row.
    pub fn one(&self) -> Option<&LegalBasis> {
        match (
            &self.basis,
            self.articles.as_slice(),
            self.law.bases.as_slice(),
        ) {
            (Some(b), _, _) | (None, [b], _) | (None, [], [b]) => Some(b),
            _ => None,
        }
    }

    /// What the report covers: the rows matched, or the whole law.
    pub fn scope(&self) -> Law {
        if self.articles.is_empty() {
            return self.law.clone();
        }
        Law {
            bases: self.articles.clone(),
            ..self.law.clone()
        }
    }
}

/// What rests on a whole law, article by article.
#[derive(Debug, Clone)]
pub struct LawImpact {
    pub law: Law,
    /// One per basis row, in the law's order.
    pub articles: Vec<Impact>,
    /// Over the whole law, each counted once: a sub-item citing two of its
    /// articles is one sub-item (and its claims one claim each).
    pub sub_items: usize,
    pub claims: usize,
    pub checklists: usize,
}

/// What rests on each article of a law, with the law's totals; what the
/// viewer may not see is left out as `impact` does.
pub fn law_impact(store: &Store, actor: Option<&Actor>, law: &Law) -> Result<LawImpact, AppError> {
    let viewer = Viewer::new(store, actor)?;
    let articles = law
        .bases
        .iter()
        .map(|b| viewer.impact(store, b.id))
        .collect::<Result<Vec<_>, _>>()?;
    let (sub_items, claims, checklists) = counts(articles.iter().flat_map(|a| a.lines.iter()));
    Ok(LawImpact {
        law: law.clone(),
        articles,
        sub_items,
        claims,
        checklists,
    })
}

/// The sub-items citing each row of the law `basis_id` belongs to, as the
/// viewer may see them (the TUI's whole-law view), in the law's order.
pub fn law_sub_items(
    store: &Store,
    actor: Option<&Actor>,
    basis_id: Id,
) -> Result<Vec<(LegalBasis, Vec<SubItem>)>, AppError> {
    let conn = store.conn();
    let basis = store::catalogue::basis(conn, basis_id)?;
    let law = law_of(
        &store::catalogue::all_bases(conn)?,
        &numerals::law_key(&basis.title),
    );
    let mut hidden = super::views::hidden_local(store, actor)?;
    hidden.extend(super::views::hidden_classified(store, actor)?);
    law.bases
        .into_iter()
        .map(|b| {
            let mut items = store::catalogue::sub_items_citing(conn, b.id)?;
            items.retain(|s| !hidden.contains(&s.id));
            Ok((b, items))
        })
        .collect()
}

/// Every row of the law called `name`, in the law's order.
fn law_of(all: &[LegalBasis], name: &str) -> Law {
    let mut bases: Vec<LegalBasis> = all
        .iter()
        .filter(|b| numerals::law_key(&b.title) == name)
        .cloned()
        .collect();
    bases.sort_by_cached_key(|b| numerals::article_order(&b.article));
    Law {
        title: bases.first().map(|b| b.title.clone()).unwrap_or_default(),
        name: name.to_string(),
        bases,
    }
}

/// How `--article` names the row citing the whole document, as the lists
/// show it.
const WHOLE: &str = "全文";

/// The law (and article) a query names. The law is the one whose title is
/// the query's (食品安全法, 中华人民共和国食品安全法 and
/// 《中华人民共和国食品安全法》 alike); else what `jianguan search` finds for
/// it among the bases the viewer may search (危化品, 87, words of an
/// excerpt), grouped by law — one law is that law, narrowed to the
/// articles matched when they are not all of it. The article is typed after
/// the law (第87条, 第八十七条, 87条, 八十七 after a space) or given as
/// `article` (87, 八十七, 第八十七条, 全文); a 款 or 项 the catalogue does not
/// cite is counted by its article. `id` picks one row among those the
/// query finds. Several laws, or none, is an error that says which were
/// found, what was looked for, or what is one character away.
pub fn resolve(
    store: &Store,
    actor: Option<&Actor>,
    query: &str,
    article: Option<&str>,
    id: Option<Id>,
) -> Result<Named, AppError> {
    let all = store::catalogue::all_bases(store.conn())?;
    let (typed_law, typed_article) = numerals::split_law_and_article(query);
    let asked = article.map(|a| {
        if a.trim() == WHOLE {
            WHOLE.to_string()
        } else {
            numerals::article_key(a)
        }
    });
    if let (Some(a), Some(t)) = (&asked, &typed_article)
        && a != t
    {
        return Err(AppError::Invalid(format!(
            "“{}”里写的是{t}，--article 又写了{a}：请只写一处",
            query.trim()
        )));
    }
    // With the article typed, the law is what comes before it.
    let searched = if typed_article.is_some() {
        typed_law.clone()
    } else {
        query.trim().to_string()
    };
    let wanted = asked.or(typed_article);
    let found = find_laws(store, actor, &all, &searched, &typed_law, wanted.as_deref())?;
    if let Some(id) = id {
        return by_id(&all, query, &found, wanted.as_deref(), id);
    }
    let Some(w) = wanted else {
        return match <[(Law, Vec<Id>); 1]>::try_from(found.laws) {
            Ok([(law, hit)]) => Ok(narrowed(law, &hit, &searched)),
            Err(laws) if laws.is_empty() => Err(AppError::Invalid(nothing_found(
                query,
                &typed_law,
                None,
                &found.near,
            ))),
            Err(laws) => Err(AppError::Invalid(several_laws(
                query,
                &laws.into_iter().map(|(l, _)| l).collect::<Vec<_>>(),
            ))),
        };
    };
    // The article narrows the laws to those that have it, in the catalogue
    // as asked if any does, else by its article.
    let mut with: Vec<(Law, LegalBasis, Option<String>)> = found
        .laws
        .iter()
        .filter_map(|(l, _)| find_article(l, &w).map(|(b, note)| (l.clone(), b, note)))
        .collect();
    if with.iter().any(|(_, _, note)| note.is_none()) {
        with.retain(|(_, _, note)| note.is_none());
    }
    match <[(Law, LegalBasis, Option<String>); 1]>::try_from(with) {
        Ok([(law, basis, note)]) => Ok(Named {
            law,
            basis: Some(basis),
            articles: Vec::new(),
            note,
        }),
        Err(with) if with.is_empty() => Err(AppError::Invalid(
            if typed_law.is_empty() || found.laws.is_empty() {
                nothing_found(query, &typed_law, Some(&w), &found.near)
            } else {
                without_article(query, &w, &found.laws)
            },
        )),
        Err(with) => Err(AppError::Invalid(several_laws(
            query,
            &with.into_iter().map(|(l, ..)| l).collect::<Vec<_>>(),
        ))),
    }
}

/// The laws a query finds, before an article narrows them.
#[derive(Default)]
struct Found {
    /// Each law with the ids of its rows the query matched (all of them
    /// when it named the law), best first.
    laws: Vec<(Law, Vec<Id>)>,
    /// Laws only one character away (近似结果): offered, never taken.
    near: Vec<Law>,
}

/// The laws `text` finds: the one it names exactly; with only an article
/// (第五十七条), every law (the article picks); else the search engine's
/// hits among the bases, grouped by law — those matching as typed (a run,
/// a number, an excerpt) when there are any, else those matching apart.
fn find_laws(
    store: &Store,
    actor: Option<&Actor>,
    all: &[LegalBasis],
    text: &str,
    law: &str,
    article: Option<&str>,
) -> Result<Found, AppError> {
    let whole = |l: Law| {
        let ids = l.bases.iter().map(|b| b.id).collect();
        (l, ids)
    };
    if law.is_empty() {
        return Ok(Found {
            laws: match article {
                Some(_) => laws_of(all).into_iter().map(whole).collect(),
                None => Vec::new(),
            },
            near: Vec::new(),
        });
    }
    let exact = law_of(all, law);
    if !exact.bases.is_empty() {
        return Ok(Found {
            laws: vec![whole(exact)],
            near: Vec::new(),
        });
    }
    use crate::search::engine::{How, Index, Kind};
    // Only the bases are searched: the answer is the same for them, and
    // the index a fraction of the catalogue's.
    let mut entries = super::views::search_entries(store, actor)?;
    entries.retain(|e| e.kind == Kind::Basis);
    let index = Index::new(entries);
    let hits = crate::search::worker::answer(&index, Some(store), text)?;
    let as_typed = hits.iter().any(|h| !h.is_near() && h.how != How::Fuzzy);
    let title: HashMap<Id, &str> = all.iter().map(|b| (b.id, b.title.as_str())).collect();
    let mut laws: Vec<(String, Vec<Id>)> = Vec::new();
    let mut near: Vec<String> = Vec::new();
    for h in &hits {
        let e = index.entry(h.entry);
        let Some(t) = title.get(&e.id).filter(|_| e.kind == Kind::Basis) else {
            continue;
        };
        let name = numerals::law_key(t);
        if h.is_near() {
            if !near.contains(&name) {
                near.push(name);
            }
        } else if !as_typed || h.how != How::Fuzzy {
            match laws.iter_mut().find(|(n, _)| *n == name) {
                Some((_, ids)) => ids.push(e.id),
                None => laws.push((name, vec![e.id])),
            }
        }
    }
    near.retain(|n| !laws.iter().any(|(l, _)| l == n));
    Ok(Found {
        laws: laws
            .into_iter()
            .map(|(n, ids)| (law_of(all, &n), ids))
            .collect(),
        near: near.iter().map(|n| law_of(all, n)).collect(),
    })
}

/// Every law of the catalogue, in the order its rows come.
fn laws_of(all: &[LegalBasis]) -> Vec<Law> {
    let mut names: Vec<String> = Vec::new();
    for b in all {
        let n = numerals::law_key(&b.title);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.iter().map(|n| law_of(all, n)).collect()
}

/// The law found, narrowed to the rows the query matched when they are
/// not all of it (a number, words of some excerpts), saying so.
fn narrowed(law: Law, hit: &[Id], searched: &str) -> Named {
    let rows: Vec<LegalBasis> = law
        .bases
        .iter()
        .filter(|b| hit.contains(&b.id))
        .cloned()
        .collect();
    if rows.is_empty() || rows.len() == law.bases.len() {
        return Named {
            law,
            basis: None,
            articles: Vec::new(),
            note: None,
        };
    }
    let which = match rows.as_slice() {
        [_] => "此条".to_string(),
        _ => format!(
            "其中的{}",
            rows.iter()
                .map(article_label)
                .collect::<Vec<_>>()
                .join("、")
        ),
    };
    let note = format!(
        "按“{searched}”找到{which}；整部法律法规：jianguan basis impact {}",
        law.name
    );
    let (basis, articles) = match <[LegalBasis; 1]>::try_from(rows) {
        Ok([one]) => (Some(one), Vec::new()),
        Err(rows) => (None, rows),
    };
    Named {
        law,
        basis,
        articles,
        note: Some(note),
    }
}

/// The row of `law` for the article `wanted` (`article_key` form, or
/// 全文); when the catalogue cites no row for a 款 or 项 asked but does
/// for its article (or 款), that one, with a note saying so.
fn find_article(law: &Law, wanted: &str) -> Option<(LegalBasis, Option<String>)> {
    let row = |w: &str| {
        law.bases
            .iter()
            .find(|b| {
                if w == WHOLE {
                    b.article.trim().is_empty()
                } else {
                    numerals::article_key(&b.article) == w
                }
            })
            .cloned()
    };
    if let Some(b) = row(wanted) {
        return Some((b, None));
    }
    let mut w = wanted.to_string();
    while let Some(outer) = numerals::enclosing(&w) {
        if let Some(b) = row(&outer) {
            let unit = outer.chars().last().unwrap_or('条');
            let note = format!("目录只到{unit}：按{}统计", b.article);
            return Some((b, Some(note)));
        }
        w = outer;
    }
    None
}

/// `--id`: one row of the laws found (with the article, if one is named,
/// its own).
fn by_id(
    all: &[LegalBasis],
    query: &str,
    found: &Found,
    wanted: Option<&str>,
    id: Id,
) -> Result<Named, AppError> {
    let rows: Vec<&LegalBasis> = found.laws.iter().flat_map(|(l, _)| &l.bases).collect();
    let Some(b) = rows.iter().find(|b| b.id == id) else {
        return Err(AppError::Invalid(format!(
            "“{}”的结果中没有编号 {id}{}",
            query.trim(),
            id_list(&rows)
        )));
    };
    if let Some(w) = wanted {
        let same = if w == WHOLE {
            b.article.trim().is_empty()
        } else {
            numerals::article_key(&b.article) == w
        };
        if !same {
            return Err(AppError::Invalid(format!(
                "编号 {id} 是{}，不是{w}：--id 与条款请只写一处",
                b.citation()
            )));
        }
    }
    Ok(Named {
        basis: Some((*b).clone()),
        law: law_of(all, &numerals::law_key(&b.title)),
        articles: Vec::new(),
        note: None,
    })
}

/// Rows to pick from with `--id`, up to ten.
fn id_list(bases: &[&LegalBasis]) -> String {
    if bases.is_empty() {
        return String::new();
    }
    let mut out = String::from("；可选：");
    for b in bases.iter().take(10) {
        out.push_str(&format!("\n  --id {}  {}", b.id, b.citation()));
    }
    if bases.len() > 10 {
        out.push_str(&format!("\n  ……另有 {} 条", bases.len() - 10));
    }
    out
}

/// A law's rows as a list: 全文、第八十七条.
fn articles_of(law: &Law) -> String {
    law.bases
        .iter()
        .map(article_label)
        .collect::<Vec<_>>()
        .join("、")
}

/// Laws were found, none with the article asked.
fn without_article(query: &str, article: &str, laws: &[(Law, Vec<Id>)]) -> String {
    if let [(l, _)] = laws {
        return format!(
            "{}没有{article}；目录中它的依据有：{}",
            l.title,
            articles_of(l)
        );
    }
    let list: Vec<String> = laws
        .iter()
        .take(10)
        .map(|(l, _)| format!("  {}（目录中的依据：{}）", l.title, articles_of(l)))
        .collect();
    format!(
        "“{}”对应 {} 部法律法规，目录中都没有{article}：\n{}\n可写其中一部的名称查看它的全部依据（如 jianguan basis impact {}）",
        query.trim(),
        laws.len(),
        list.join("\n"),
        laws.first()
            .map(|(l, _)| l.name.as_str())
            .unwrap_or_default()
    )
}

/// Nothing matched: what was looked for, and the laws one character away
/// as commands to run.
fn nothing_found(query: &str, law: &str, article: Option<&str>, near: &[Law]) -> String {
    let q = query.trim();
    let said = match article {
        Some(a) if law.is_empty() => format!("没有找到写有{a}的设定依据（按条款“{q}”查找）"),
        Some(a) => format!(
            "没有找到设定依据“{law}”{a}：没有名称为“{law}”的法律法规，按名称、拼音和摘录也找不到有{a}的"
        ),
        None => format!(
            "没有找到设定依据“{q}”：没有名称为“{law}”的法律法规，按名称、拼音、条款号和摘录也找不到"
        ),
    };
    if near.is_empty() {
        return format!("{said}；可写法律法规的名称（如 食品安全法）或其中的词句");
    }
    let article = article.unwrap_or_default();
    let list: Vec<String> = near
        .iter()
        .take(10)
        .map(|l| {
            let command = if article.is_empty() {
                format!("jianguan basis impact {}", l.name)
            } else if find_article(l, article).is_some() {
                format!("jianguan basis impact {} --article {article}", l.name)
            } else {
                format!(
                    "jianguan basis impact {}（它没有{article}；目录中的依据：{}）",
                    l.name,
                    articles_of(l)
                )
            };
            format!("  {}：{command}", l.title)
        })
        .collect();
    format!("{said}。是不是要找：\n{}", list.join("\n"))
}

fn several_laws(query: &str, laws: &[Law]) -> String {
    let list: Vec<String> = laws
        .iter()
        .take(10)
        .map(|l| format!("  {}（{} 条依据）", l.title, l.bases.len()))
        .collect();
    let more = if laws.len() > 10 {
        format!("\n  ……另有 {} 部", laws.len() - 10)
    } else {
        String::new()
    };
    format!(
        "“{}”对应 {} 部法律法规，请写出其中一部的名称（如 {}），要看一条再加条款（第…条或 --article）：\n{}{more}",
        query.trim(),
        laws.len(),
        laws.first().map(|l| l.name.as_str()).unwrap_or_default(),
        list.join("\n")
    )
}

/// How an article is called in a list: 第八十七条, or 全文 for the row
/// citing the whole document.
pub fn article_label(b: &LegalBasis) -> String {
    if b.article.trim().is_empty() {
        WHOLE.into()
    } else {
        b.article.clone()
    }
}

/// Bases a query names: the exact citation (《…》第…条) first, else those
/// whose title, article or excerpt contain it.
pub fn find(store: &Store, query: &str) -> Result<Vec<LegalBasis>, AppError> {
    let conn = store.conn();
    let q = query.trim();
    let all = store::catalogue::all_bases(conn)?;
    let exact: Vec<LegalBasis> = all
        .iter()
        .filter(|b| b.citation() == q || b.title == q)
        .cloned()
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    let ids = store::catalogue::bases_containing(conn, q)?;
    Ok(all.into_iter().filter(|b| ids.contains(&b.id)).collect())
}

/// Adds a local basis (地方性法规 or 地方政府规章) while compiling a local
/// item: whoever may compile for their unit may add one. An existing one
/// with the same title and article is returned instead.
pub fn add_local(
    store: &mut Store,
    actor: &Actor,
    title: &str,
    kind: crate::domain::BasisKind,
    article: &str,
    excerpt: &str,
) -> Result<LegalBasis, AppError> {
    write(store, actor, |w| {
        let unit = store::units::unit_ref(w.tx, w.actor.unit_id)?;
        w.authorize(WriteAction::CompileLocalItem { unit })?;
        if !kind.is_local() {
            return Err(AppError::Invalid(format!(
                "这里只能新增地方性法规或地方政府规章，{}应由平台管理员随国家目录导入",
                kind.label()
            )));
        }
        let clean = |rule: crate::domain::text::TextRule, value: &str| {
            rule.clean(value)
                .map_err(|e| AppError::Invalid(e.to_string()))
        };
        let title = clean(rules::BASIS_TITLE, title)?;
        let article = clean(rules::BASIS_ARTICLE, article)?;
        let excerpt = clean(rules::BASIS_EXCERPT, excerpt)?;
        let t = title.trim_matches(['《', '》']);
        if t.is_empty() {
            return Err(AppError::Invalid("依据标题不能为空".into()));
        }
        let title = format!("《{t}》");
        let id = store::catalogue::upsert_basis(w.tx, &title, kind, &article, &excerpt)?;
        let basis = store::catalogue::basis(w.tx, id)?;
        w.log(
            "add_local_basis",
            "legal_basis",
            id,
            None::<&()>,
            Some(&basis),
        )?;
        Ok(basis)
    })
}
