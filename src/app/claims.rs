//! Claiming (认领): for the actor's own unit only.

use super::{Actor, AppError, Write, write};
use crate::domain::permission::WriteAction;
use crate::domain::{Id, ItemStatus, Timestamp};
use crate::store::{self, Store};
use serde::Serialize;

/// What a bulk action did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClaimReport {
    /// Rows changed by this action.
    pub changed: Vec<Id>,
    /// Rows that already were as asked.
    pub unchanged: usize,
}

fn own_unit(
    w: &Write<'_>,
    action: fn(crate::domain::permission::UnitRef) -> WriteAction,
) -> Result<Id, AppError> {
    let unit = store::units::unit_ref(w.tx, w.actor.unit_id)?;
    w.authorize(action(unit))?;
    Ok(unit.id)
}

/// Refuses unknown and cancelled sub-items, naming them.
fn check_items(w: &Write<'_>, ids: &[Id]) -> Result<(), AppError> {
    let mut bad = Vec::new();
    for &id in ids {
        match store::catalogue::sub_item_status(w.tx, id)? {
            None => bad.push(format!("编号 {id} 的子项不存在")),
            Some(ItemStatus::InUse) => {}
            Some(s) => {
                let item = store::catalogue::sub_item(w.tx, id)?;
                bad.push(format!("{}（{}）已{}", item.name, item.code, s.label()));
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(format!("不能认领：{}", bad.join("；"))))
    }
}

/// Claims the sub-items for the actor's unit in one transaction.
pub fn claim_many(
    store: &mut Store,
    actor: &Actor,
    ids: &[Id],
    exercised: bool,
) -> Result<ClaimReport, AppError> {
    write(store, actor, |w| {
        let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
        check_items(w, ids)?;
        let added = store::claims::claim(w.tx, unit, ids, exercised, w.actor.account_id, w.at)?;
        w.log(
            "claim",
            "unit",
            unit,
            None::<&()>,
            Some(&serde_json::json!({ "sub_items": added, "exercised": exercised })),
        )?;
        Ok(ClaimReport {
            unchanged: ids.len() - added.len(),
            changed: added,
        })
    })
}

/// Removes the actor's unit's claims on the sub-items.
pub fn unclaim_many(store: &mut Store, actor: &Actor, ids: &[Id]) -> Result<ClaimReport, AppError> {
    write(store, actor, |w| {
        let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
        let removed = store::claims::unclaim(w.tx, unit, ids)?;
        w.log("unclaim", "unit", unit, Some(&removed), None::<&()>)?;
        Ok(ClaimReport {
            unchanged: ids.len() - removed.len(),
            changed: removed.into_iter().map(|c| c.sub_item_id).collect(),
        })
    })
}

/// Sets 是否行使 on claims of the actor's unit (unclaimed ones are skipped).
pub fn set_exercised(
    store: &mut Store,
    actor: &Actor,
    ids: &[Id],
    exercised: bool,
) -> Result<ClaimReport, AppError> {
    write(store, actor, |w| {
        let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
        let changed = store::claims::set_exercised(w.tx, unit, ids, exercised)?;
        w.log(
            "set_exercised",
            "unit",
            unit,
            None::<&()>,
            Some(&serde_json::json!({ "sub_items": changed, "exercised": exercised })),
        )?;
        Ok(ClaimReport {
            unchanged: ids.len() - changed.len(),
            changed,
        })
    })
}

/// Records 认领完成 for the actor's unit; returns its time (the earlier one
/// if it was already recorded).
pub fn finish_claiming(store: &mut Store, actor: &Actor) -> Result<Timestamp, AppError> {
    write(store, actor, |w| {
        let unit = own_unit(w, |unit| WriteAction::FinishClaiming { unit })?;
        if store::claims::finish(w.tx, unit, w.actor.account_id, w.at)? {
            w.log("finish_claiming", "unit", unit, None::<&()>, Some(&w.at))?;
        }
        Ok(store::claims::finished_at(w.tx, unit)?.unwrap_or(w.at))
    })
}

/// Withdraws a unit's 认领完成 (platform_admin only).
pub fn undo_finish_claiming(
    store: &mut Store,
    actor: &Actor,
    unit_id: Id,
) -> Result<bool, AppError> {
    write(store, actor, |w| {
        w.authorize(WriteAction::UndoFinishClaiming)?;
        let was = store::claims::unfinish(w.tx, unit_id)?;
        if let Some(at) = was {
            w.log(
                "undo_finish_claiming",
                "unit",
                unit_id,
                Some(&at),
                None::<&()>,
            )?;
        }
        Ok(was.is_some())
    })
}
