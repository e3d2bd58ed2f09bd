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
}

impl Named {
    /// The one basis row named: the one asked for, or the law's only row.
    pub fn one(&self) -> Option<&LegalBasis> {
        match (&self.basis, self.law.bases.as_slice()) {
            (Some(b), _) => Some(b),
            (None, [only]) => Some(only),
            _ => None,
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

/// The law (and article) a query names. The law is the one whose title is
/// the query's (食品安全法, 中华人民共和国食品安全法 and
/// 《中华人民共和国食品安全法》 alike), else the one law whose bases contain
/// the query's words; the article is typed after it (第87条, 第八十七条,
/// 87条, 八十七 after a space) or given as `article` (87, 八十七, 第八十七条).
/// `id` picks one row among those the query finds. Several laws, or none,
/// is an error that says which were found or what was looked for.
pub fn resolve(
    store: &Store,
    query: &str,
    article: Option<&str>,
    id: Option<Id>,
) -> Result<Named, AppError> {
    let conn = store.conn();
    let all = store::catalogue::all_bases(conn)?;
    let (typed_law, typed_article) = numerals::split_law_and_article(query);
    let asked = article.map(numerals::article_key);
    if let (Some(a), Some(t)) = (&asked, &typed_article)
        && a != t
    {
        return Err(AppError::Invalid(format!(
            "“{}”里写的是{t}，--article 又写了{a}：请只写一处",
            query.trim()
        )));
    }
    let wanted = asked.or(typed_article);
    let hits = candidates(conn, &all, query, &typed_law, wanted.as_deref())?;
    if let Some(id) = id {
        let Some(b) = hits.iter().find(|b| b.id == id) else {
            return Err(AppError::Invalid(format!(
                "“{}”的结果中没有编号 {id}{}",
                query.trim(),
                id_list(&hits)
            )));
        };
        if let Some(w) = &wanted
            && numerals::article_key(&b.article) != *w
        {
            return Err(AppError::Invalid(format!(
                "编号 {id} 是{}，不是{w}：--id 与条款请只写一处",
                b.citation()
            )));
        }
        let law = law_of(&all, &numerals::law_key(&b.title));
        return Ok(Named {
            basis: Some(b.clone()),
            law,
        });
    }
    let mut names: Vec<String> = Vec::new();
    for b in &hits {
        let n = numerals::law_key(&b.title);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let laws: Vec<Law> = names.iter().map(|n| law_of(&all, n)).collect();
    // An article typed narrows the laws to those that have it.
    let laws: Vec<Law> = match &wanted {
        Some(w) => laws
            .into_iter()
            .filter(|l| {
                l.bases
                    .iter()
                    .any(|b| numerals::article_key(&b.article) == *w)
            })
            .collect(),
        None => laws,
    };
    let law = match <[Law; 1]>::try_from(laws) {
        Ok([law]) => law,
        Err(laws) if laws.is_empty() => {
            return Err(AppError::Invalid(not_found(
                query,
                &typed_law,
                wanted.as_deref(),
                &all,
            )));
        }
        Err(laws) => return Err(AppError::Invalid(several_laws(query, &laws))),
    };
    let basis = match &wanted {
        None => None,
        Some(w) => law
            .bases
            .iter()
            .find(|b| numerals::article_key(&b.article) == *w)
            .cloned(),
    };
    Ok(Named { law, basis })
}

/// The bases a query finds before they are grouped by law: every row of
/// the law it names exactly; with only an article (第五十七条), the rows
/// of that article; else those containing the query (or, with an article,
/// the law's part of it).
fn candidates(
    conn: &rusqlite::Connection,
    all: &[LegalBasis],
    query: &str,
    law: &str,
    article: Option<&str>,
) -> Result<Vec<LegalBasis>, AppError> {
    if law.is_empty() {
        return Ok(match article {
            Some(a) => all
                .iter()
                .filter(|b| numerals::article_key(&b.article) == a)
                .cloned()
                .collect(),
            None => Vec::new(),
        });
    }
    let exact: Vec<LegalBasis> = all
        .iter()
        .filter(|b| numerals::law_key(&b.title) == law)
        .cloned()
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    let mut ids = store::catalogue::bases_containing(conn, query)?;
    if ids.is_empty() && article.is_some() {
        ids = store::catalogue::bases_containing(conn, law)?;
    }
    Ok(all
        .iter()
        .filter(|b| ids.contains(&b.id))
        .cloned()
        .collect())
}

/// Rows to pick from with `--id`, up to ten.
fn id_list(bases: &[LegalBasis]) -> String {
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

fn not_found(query: &str, law: &str, article: Option<&str>, all: &[LegalBasis]) -> String {
    let q = query.trim();
    match article {
        Some(a) if !law.is_empty() && all.iter().any(|b| numerals::law_key(&b.title) == law) => {
            let l = law_of(all, law);
            format!(
                "{}没有{a}；目录中它的依据有：{}",
                l.title,
                l.bases
                    .iter()
                    .map(article_label)
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
        Some(a) if law.is_empty() => format!("没有找到写有{a}的设定依据（按条款“{q}”查找）"),
        Some(a) => format!(
            "没有找到设定依据“{law}”{a}：标题中含“{law}”且有{a}的法律法规都没有；可只写名称（如 食品安全法）查看它的全部条款"
        ),
        None => format!(
            "没有找到设定依据“{q}”：没有名称为“{law}”的法律法规，标题、条款和摘录中也没有这几个字；可写法律法规的名称（如 食品安全法）或其中的词句"
        ),
    }
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
        "全文".into()
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
