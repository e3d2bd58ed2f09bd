//! Legal bases (设定依据): their status (现行有效 / 修订中 / 已废止) and what
//! rests on each one.

use super::{Actor, AppError, write};
use crate::domain::permission::WriteAction;
use crate::domain::text::rules;
use crate::domain::{BasisStatus, Category, Id, LegalBasis, NOT_STARTED};
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::HashMap;

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
    let conn = store.conn();
    let basis = store::catalogue::basis(conn, basis_id)?;
    let mut hidden = super::views::hidden_local(store, actor)?;
    hidden.extend(super::views::hidden_classified(store, actor)?);
    let names: HashMap<Id, String> = store::units::list_units(conn)?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect();
    let mut rows = store::catalogue::basis_impact(conn, basis_id)?;
    rows.retain(|r| !hidden.contains(&r.sub_item_id));
    let mut subs: Vec<Id> = rows.iter().map(|r| r.sub_item_id).collect();
    subs.sort_unstable();
    subs.dedup();
    let lines: Vec<ImpactLine> = rows
        .into_iter()
        .map(|r| ImpactLine {
            unit: r
                .unit_id
                .and_then(|u| names.get(&u).cloned())
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
    Ok(Impact {
        sub_items: subs.len(),
        claims: lines.iter().filter(|l| !l.exercised.is_empty()).count(),
        checklists: lines
            .iter()
            .filter(|l| !l.checklist.is_empty() && l.checklist != NOT_STARTED)
            .count(),
        basis,
        lines,
    })
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
