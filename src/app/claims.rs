//! Claiming (认领): for the actor's own unit only.

use super::{Actor, AppError, Write, write, write_or_roll_back};
use crate::domain::permission::{UnitRef, WriteAction};
use crate::domain::{Claim, Id, Level, ReviewState, Timestamp};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

/// What a bulk action did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClaimReport {
    /// Rows changed by this action.
    pub changed: Vec<Id>,
    /// Rows that already were as asked.
    pub unchanged: usize,
    /// The change-log row of the action (none when nothing changed): what
    /// `undo` takes.
    pub log_id: Option<Id>,
    /// Claims that were exercised and are now 不行使 (a claim “not
    /// exercised” of items already claimed).
    pub made_idle: Vec<Id>,
}

impl ClaimReport {
    /// Logs the action when it changed something.
    fn logged(
        w: &Write<'_>,
        action: &str,
        unit: Id,
        before: Option<&impl Serialize>,
        after: Option<&impl Serialize>,
        changed: Vec<Id>,
        asked: usize,
    ) -> Result<ClaimReport, AppError> {
        let log_id = if changed.is_empty() {
            None
        } else {
            Some(w.log(action, "unit", unit, before, after)?)
        };
        Ok(ClaimReport {
            unchanged: asked - changed.len(),
            changed,
            log_id,
            made_idle: Vec::new(),
        })
    }
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
    let bad: Vec<String> = store::catalogue::unusable_sub_items(w.tx, ids)?
        .into_iter()
        .map(|(id, what)| match what {
            None => format!("编号 {id} 的子项不存在"),
            Some((status, name, code)) => format!("{name}（{code}）已{}", status.label()),
        })
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(format!("不能认领：{}", bad.join("；"))))
    }
}

/// A sub-item the unit may not claim, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub sub_item_id: Id,
    pub code: String,
    pub name: String,
    pub why: Why,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Its 监管层级 leaves out the unit's level.
    Level {
        levels: Vec<Level>,
        unit_level: Level,
    },
    /// A local item not yet 审核通过 (its state).
    Unreleased { state: ReviewState },
}

impl LeftOut {
    /// The refusal in a sentence.
    pub fn reason(&self) -> String {
        let (name, code) = (&self.name, &self.code);
        match &self.why {
            Why::Level { levels, unit_level } => format!(
                "子项 {name}（{code}）的监管层级为{}，{}单位不能认领",
                labels(levels),
                unit_level.label()
            ),
            Why::Unreleased { state } => format!(
                "地方监管事项子项 {name}（{code}）{}，审核通过后才能认领",
                state.label()
            ),
        }
    }

    /// The name with why in brackets, for lists.
    pub fn short(&self) -> String {
        match &self.why {
            Why::Level { levels, .. } => format!("{}（{}）", self.name, labels(levels)),
            Why::Unreleased { state } => format!("{}（{}）", self.name, state.label()),
        }
    }
}

fn labels(levels: &[Level]) -> String {
    levels
        .iter()
        .map(|l| l.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// The sub-items among `ids` that a unit of `unit` may not claim: outside
/// its level (监管层级), or local items not yet 审核通过.
fn left_out_in(
    conn: &crate::store::Connection,
    unit: UnitRef,
    ids: &[Id],
) -> Result<Vec<LeftOut>, AppError> {
    let mut out: Vec<LeftOut> = store::catalogue::outside_level(conn, ids, unit.level)?
        .into_iter()
        .map(|(id, code, name, levels)| LeftOut {
            sub_item_id: id,
            code,
            name,
            why: Why::Level {
                levels,
                unit_level: unit.level,
            },
        })
        .collect();
    let wanted: std::collections::HashSet<Id> = ids.iter().copied().collect();
    for u in store::local_items::unreleased_sub_items(conn)? {
        if wanted.contains(&u.sub_item_id) && !out.iter().any(|o| o.sub_item_id == u.sub_item_id) {
            out.push(LeftOut {
                sub_item_id: u.sub_item_id,
                code: u.code,
                name: u.name,
                why: Why::Unreleased { state: u.state },
            });
        }
    }
    Ok(out)
}

/// What a bulk claim leaves out and names before it asks.
pub fn left_out(store: &Store, unit_id: Id, ids: &[Id]) -> Result<Vec<LeftOut>, AppError> {
    let unit = store::units::unit_ref(store.conn(), unit_id)?;
    left_out_in(store.conn(), unit, ids)
}

/// Refuses sub-items the unit may not claim, naming the first few.
fn check_claimable(w: &Write<'_>, unit: UnitRef, ids: &[Id]) -> Result<(), AppError> {
    let out = left_out_in(w.tx, unit, ids)?;
    if out.is_empty() {
        return Ok(());
    }
    let mut reasons: Vec<String> = out.iter().take(5).map(LeftOut::reason).collect();
    if out.len() > 5 {
        reasons.push(format!("等共 {} 项", out.len()));
    }
    Err(AppError::Invalid(format!(
        "不能认领：{}",
        reasons.join("；")
    )))
}

/// A 涉密 sub-item is visible only to the platform admin and to units that
/// claim it, so only the platform admin (acting for the unit with `--as`)
/// may claim one first: otherwise a guessed code would be a way to see it.
/// Refused in the same words as a code that does not exist.
fn refuse_unseen_classified(w: &Write<'_>, unit: Id, ids: &[Id]) -> Result<(), AppError> {
    let real = store::accounts::actor_ctx(w.tx, w.real_id)?;
    if real.role == crate::domain::Role::PlatformAdmin {
        return Ok(());
    }
    let unseen = store::catalogue::classified_unclaimed_among(w.tx, unit, ids)?.len();
    if unseen > 0 {
        return Err(AppError::Invalid(format!(
            "不能认领：{unseen} 个子项不存在"
        )));
    }
    Ok(())
}

/// The ids in ascending order, each once: rows are then written in index
/// order (far fewer pages touched than in tree order), and counts are of
/// distinct items.
fn distinct(ids: &[Id]) -> Vec<Id> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Claims the sub-items for the actor's unit in one transaction. Claimed
/// “not exercised” (不行使), items the unit already claims as exercised
/// become not exercised too (logged as such): that is what was asked.
pub fn claim_many(
    store: &mut Store,
    actor: &Actor,
    ids: &[Id],
    exercised: bool,
) -> Result<ClaimReport, AppError> {
    let ids = &distinct(ids);
    write(store, actor, |w| claim_in(w, ids, exercised))
}

fn claim_in(w: &Write<'_>, ids: &[Id], exercised: bool) -> Result<ClaimReport, AppError> {
    let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
    refuse_unseen_classified(w, unit, ids)?;
    let added = store::claims::claim(w.tx, unit, ids, exercised, w.actor.account_id, w.at)?;
    // Some were not added: already claimed, or not claimable (which
    // refuses the whole action, rolled back, naming them).
    if added.len() < ids.len() {
        check_items(w, ids)?;
        check_claimable(w, store::units::unit_ref(w.tx, unit)?, ids)?;
    }
    let idle_now = if exercised {
        Vec::new()
    } else {
        let was_claimed: Vec<Id> = ids.iter().copied().filter(|i| !added.contains(i)).collect();
        let changed = store::claims::set_exercised(w.tx, unit, &was_claimed, false)?;
        if !changed.is_empty() {
            let after = serde_json::json!({ "sub_items": changed, "exercised": false });
            w.log("set_exercised", "unit", unit, None::<&()>, Some(&after))?;
        }
        changed
    };
    let after = serde_json::json!({ "sub_items": added, "exercised": exercised });
    let mut report = ClaimReport::logged(
        w,
        "claim",
        unit,
        None::<&()>,
        Some(&after),
        added,
        ids.len(),
    )?;
    report.made_idle = idle_now;
    Ok(report)
}

/// Removes the actor's unit's claims on the sub-items.
pub fn unclaim_many(store: &mut Store, actor: &Actor, ids: &[Id]) -> Result<ClaimReport, AppError> {
    let ids = &distinct(ids);
    write(store, actor, |w| unclaim_in(w, ids))
}

fn unclaim_in(w: &Write<'_>, ids: &[Id]) -> Result<ClaimReport, AppError> {
    let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
    // The unit that compiled an approved local item carries it out: its
    // claim came with the approval and stays.
    let own = store::local_items::own_released(w.tx, unit, ids)?;
    if !own.is_empty() {
        let names: Vec<String> = own
            .iter()
            .take(5)
            .map(|(code, name)| format!("{name}（{code}）"))
            .collect();
        return Err(AppError::Invalid(format!(
            "不能取消认领本单位编制并已审核通过的地方监管事项：{}",
            names.join("、")
        )));
    }
    let removed = store::claims::unclaim(w.tx, unit, ids)?;
    let changed = removed.iter().map(|c| c.sub_item_id).collect();
    ClaimReport::logged(
        w,
        "unclaim",
        unit,
        Some(&removed),
        None::<&()>,
        changed,
        ids.len(),
    )
}

/// What a claim (or an unclaim) would do: the same checks and writes as
/// the real one, rolled back. A dry run says no where the real one would.
pub fn preview(
    store: &mut Store,
    actor: &Actor,
    ids: &[Id],
    unclaim: bool,
    exercised: bool,
) -> Result<ClaimReport, AppError> {
    let ids = &distinct(ids);
    write_or_roll_back(store, actor, false, |w| {
        if unclaim {
            unclaim_in(w, ids)
        } else {
            claim_in(w, ids, exercised)
        }
    })
}

/// Sets 是否行使 on claims of the actor's unit (unclaimed ones are skipped).
pub fn set_exercised(
    store: &mut Store,
    actor: &Actor,
    ids: &[Id],
    exercised: bool,
) -> Result<ClaimReport, AppError> {
    let ids = &distinct(ids);
    write(store, actor, |w| {
        let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
        let changed = store::claims::set_exercised(w.tx, unit, ids, exercised)?;
        let after = serde_json::json!({ "sub_items": changed, "exercised": exercised });
        ClaimReport::logged(
            w,
            "set_exercised",
            unit,
            None::<&()>,
            Some(&after),
            changed,
            ids.len(),
        )
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
        // Acting for another account (--as) is checked to be a
        // platform_admin already: it may withdraw the unit's 认领完成 too.
        if w.acting_as.is_none() {
            w.authorize(WriteAction::UndoFinishClaiming)?;
        }
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

/// What the logged claim actions record in `after`.
#[derive(Deserialize)]
struct Logged {
    sub_items: Vec<Id>,
    exercised: bool,
}

/// What `undo` did.
#[derive(Debug, Clone, Serialize)]
pub struct Undone {
    /// The undone action, as the user knows it (认领, 取消认领, …).
    pub action: &'static str,
    /// The rows put back as they were.
    pub report: ClaimReport,
}

/// Undoes one claim, unclaim or exercised action of the actor's own
/// (identified by its change-log row) as a new logged action: claims it
/// added are removed, claims it removed come back exactly as they were,
/// 是否行使 flips back. Rows changed since by others stay as they are now.
pub fn undo(store: &mut Store, actor: &Actor, log_id: Id) -> Result<Undone, AppError> {
    write(store, actor, |w| {
        let unit = own_unit(w, |unit| WriteAction::Claim { unit })?;
        let entry = store::changelog::entry(w.tx, log_id)?
            .ok_or_else(|| AppError::Invalid(format!("没有第 {log_id} 条操作记录")))?;
        if entry.account_id != Some(w.real_id)
            || entry.acting_as != w.acting_as
            || entry.entity != "unit"
            || entry.entity_id != unit.to_string()
        {
            return Err(AppError::Invalid(
                "只能撤销本人为本单位所做的认领操作".into(),
            ));
        }
        if store::changelog::is_undone(w.tx, log_id)? {
            return Err(AppError::Invalid("这项操作已经撤销过".into()));
        }
        let unreadable = || AppError::Invalid(format!("第 {log_id} 条操作记录无法读取"));
        let after = || -> Result<Logged, AppError> {
            serde_json::from_str(entry.after.as_deref().unwrap_or("")).map_err(|_| unreadable())
        };
        let undoes = serde_json::json!({ "undoes": log_id });
        let (action, report) = match entry.action.as_str() {
            "claim" => {
                let logged = after()?;
                let removed = store::claims::unclaim(w.tx, unit, &logged.sub_items)?;
                let changed = removed.iter().map(|c| c.sub_item_id).collect();
                let report = ClaimReport::logged(
                    w,
                    "undo_claim",
                    unit,
                    Some(&removed),
                    Some(&undoes),
                    changed,
                    logged.sub_items.len(),
                )?;
                ("认领", report)
            }
            "unclaim" => {
                let claims: Vec<Claim> =
                    serde_json::from_str(entry.before.as_deref().unwrap_or(""))
                        .map_err(|_| unreadable())?;
                let restored = store::claims::insert_claims(w.tx, &claims)?;
                store::claims::recount(w.tx, unit)?;
                let after = serde_json::json!({ "undoes": log_id, "sub_items": restored });
                let report = ClaimReport::logged(
                    w,
                    "undo_unclaim",
                    unit,
                    None::<&()>,
                    Some(&after),
                    restored,
                    claims.len(),
                )?;
                ("取消认领", report)
            }
            "set_exercised" => {
                let logged = after()?;
                let back = !logged.exercised;
                let changed = store::claims::set_exercised(w.tx, unit, &logged.sub_items, back)?;
                let after = serde_json::json!({
                    "undoes": log_id, "sub_items": changed, "exercised": back
                });
                let report = ClaimReport::logged(
                    w,
                    "undo_set_exercised",
                    unit,
                    None::<&()>,
                    Some(&after),
                    changed,
                    logged.sub_items.len(),
                )?;
                (
                    if logged.exercised {
                        "设为行使"
                    } else {
                        "设为不行使"
                    },
                    report,
                )
            }
            other => {
                return Err(AppError::Invalid(format!(
                    "“{other}”不是认领操作，不能在这里撤销"
                )));
            }
        };
        if report.log_id.is_none() {
            // Nothing to put back; still record that the undo was asked, so
            // it is not offered again.
            w.log(
                &format!("undo_{}", entry.action),
                "unit",
                unit,
                None::<&()>,
                Some(&undoes),
            )?;
        }
        Ok(Undone { action, report })
    })
}
