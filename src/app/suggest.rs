//! Suggested claims (建议认领): what a unit most likely must claim, by the
//! notice's principles — 系统一条线 (items of its counterpart upper-level
//! departments) and 谁审批、谁监管 (items whose 对应的许可事项 the unit
//! itself approves, per its power list). Only items it may claim and has
//! not claimed are suggested.

use super::{Actor, AppError};
use crate::domain::{Id, ItemStatus, squeeze};
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A sub-item suggested to a unit, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub sub_item_id: Id,
    pub code: String,
    pub name: String,
    pub department: String,
    /// 对口部门 国家市场监督管理总局 / 本单位审批 食品经营许可
    pub reason: String,
}

/// True when a power-list entry of the unit approves the permit: the same
/// name, or one naming the other (权责清单 “食品经营许可（含…）”).
fn approves(entry: &str, permit: &str) -> bool {
    let (e, p) = (squeeze(entry), squeeze(permit));
    !e.is_empty() && !p.is_empty() && (e.contains(&p) || p.contains(&e))
}

/// The unit's suggestions, in catalogue order.
pub fn suggestions(store: &Store, unit_id: Id) -> Result<Vec<Suggestion>, AppError> {
    let conn = store.conn();
    let unit = store::units::unit(conn, unit_id)?;
    let claimed: HashSet<Id> = store::claims::claims_of_unit(conn, unit_id)?
        .iter()
        .map(|c| c.sub_item_id)
        .collect();
    let unreleased: HashSet<Id> = store::local_items::unreleased_sub_items(conn)?
        .iter()
        .map(|u| u.sub_item_id)
        .collect();
    // 行政许可 entries of the unit's power list (a power list that gives
    // no kind counts too: it is the unit's own list).
    let approved: Vec<String> = store::catalogue::power_entries_of_unit(conn, unit_id)?
        .into_iter()
        .filter(|p| p.kind.is_empty() || p.kind.contains("许可"))
        .map(|p| p.name)
        .collect();
    let permits: HashMap<Id, String> = store::catalogue::permits(conn)?.into_iter().collect();
    let mut out = Vec::new();
    for r in store::catalogue::tree_rows(conn)? {
        if r.status != ItemStatus::InUse
            || claimed.contains(&r.sub_id)
            || unreleased.contains(&r.sub_id)
            || !r.levels.admits(unit.region_level)
            // 涉密 items are not shown to operators who have not claimed
            // them: no suggestion may name one either.
            || r.classified
        {
            continue;
        }
        let reason = if unit.counterparts.contains(&r.department) {
            Some(format!("对口部门 {}", r.department))
        } else {
            permits
                .get(&r.main_id)
                .filter(|permit| approved.iter().any(|e| approves(e, permit)))
                .map(|permit| format!("本单位审批 {permit}"))
        };
        if let Some(reason) = reason {
            out.push(Suggestion {
                sub_item_id: r.sub_id,
                code: r.sub_code,
                name: r.sub_name,
                department: r.department,
                reason,
            });
        }
    }
    Ok(out)
}

/// The suggestions of the actor's unit (none without an account).
pub fn for_actor(store: &Store, actor: Option<&Actor>) -> Result<Vec<Suggestion>, AppError> {
    match actor {
        Some(a) => suggestions(store, a.effective().unit_id),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::approves;

    #[test]
    fn a_power_list_entry_approves_a_permit_of_the_same_name() {
        assert!(approves("食品经营许可", "食品经营许可"));
        assert!(approves("食品经营许可（含食品摊贩登记）", "食品经营许可"));
        assert!(approves("食品 经营许可", "食品经营许可"));
        assert!(!approves("食品生产许可", "食品经营许可"));
        assert!(!approves("", "食品经营许可"));
    }
}
