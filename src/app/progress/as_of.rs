//! Progress as it was at a past time (“截至昨天17:00”), rebuilt from the
//! rows as they are and the change log written since: claims added since
//! are left out and claims removed since put back, 是否行使 and 认领完成
//! changes undone, each checklist taken at its last logged state before
//! the time, each local item at its last review step before it.
//!
//! Rows written without a log entry (the demo and scale generators) count
//! from the time they carry.

use super::REVIEW_ORDER;
use crate::app::AppError;
use crate::domain::{ChecklistState, Claim, Id, Timestamp};
use crate::store::claims::UnitFigures;
use crate::store::{self, Store};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Deserialize)]
struct Exercised {
    sub_items: Vec<Id>,
    exercised: bool,
}

#[derive(Deserialize)]
struct Restored {
    sub_items: Vec<Id>,
}

#[derive(Deserialize)]
struct Saved {
    state: ChecklistState,
}

type Figures = (Vec<UnitFigures>, HashMap<Id, [i64; 5]>);

pub fn figures(store: &Store, at: Timestamp) -> Result<Figures, AppError> {
    let conn = store.conn();
    let later = store::changelog::after(conn, at)?;
    let inspection: HashSet<Id> = store::catalogue::inspection_sub_item_ids(conn)?
        .into_iter()
        .collect();

    // Claims: (unit, sub) → exercised, as at `at`.
    let mut claims: HashMap<(Id, Id), bool> = HashMap::new();
    for (unit, sub, exercised, claimed_at, _) in store::claims::all_for_progress(conn)? {
        if claimed_at <= at {
            claims.insert((unit, sub), exercised);
        }
    }
    let mut finished: HashMap<Id, Timestamp> = store::claims::all_finished(conn)?
        .into_iter()
        .filter(|(_, t)| *t <= at)
        .collect();
    // Undo what was done since, newest first. An entry's words count for
    // the rows its write recorded only (`recorded_keys`): an entry written
    // by hand on PostgreSQL, naming claims it never touched, moves nothing.
    for e in later.iter().rev() {
        let unit: Option<Id> = e.entity_id.parse().ok();
        let (action, Some(unit)) = (e.action.as_str(), unit) else {
            continue;
        };
        let table = match action {
            "undo_finish_claiming" => "claim_finished",
            "unclaim" | "undo_claim" | "undo_unclaim" | "set_exercised" | "undo_set_exercised" => {
                "claims"
            }
            _ => continue,
        };
        let recorded = store::changelog::recorded_keys(conn, e.id, table)?;
        let wrote = |k: (Id, Id)| recorded.as_ref().is_none_or(|keys| keys.contains(&k));
        match action {
            "unclaim" | "undo_claim" => {
                let removed: Vec<Claim> =
                    serde_json::from_str(e.before.as_deref().unwrap_or("[]")).unwrap_or_default();
                for c in removed.into_iter().filter(|c| c.claimed_at <= at) {
                    if wrote((c.unit_id, c.sub_item_id)) {
                        claims.insert((c.unit_id, c.sub_item_id), c.exercised);
                    }
                }
            }
            "undo_unclaim" => {
                // Put back after `at`: absent before.
                if let Ok(x) = serde_json::from_str::<Restored>(e.after.as_deref().unwrap_or("")) {
                    for sub in x.sub_items.into_iter().filter(|s| wrote((unit, *s))) {
                        claims.remove(&(unit, sub));
                    }
                }
            }
            "set_exercised" | "undo_set_exercised" => {
                if let Ok(x) = serde_json::from_str::<Exercised>(e.after.as_deref().unwrap_or("")) {
                    for sub in x.sub_items.into_iter().filter(|s| wrote((unit, *s))) {
                        if let Some(v) = claims.get_mut(&(unit, sub)) {
                            *v = !x.exercised;
                        }
                    }
                }
            }
            _ => {
                if let Ok(t) = serde_json::from_str::<Timestamp>(e.before.as_deref().unwrap_or(""))
                    && t <= at
                    && wrote((unit, crate::store::logged::NO_SECOND))
                {
                    finished.insert(unit, t);
                }
            }
        }
    }

    // Checklists: the state of the last logged save at or before `at`.
    // Per checklist, oldest first: (when, state before, state after).
    type Step = (Timestamp, Option<ChecklistState>, Option<ChecklistState>);
    let state_in = |json: Option<&str>| {
        serde_json::from_str::<Saved>(json.unwrap_or(""))
            .ok()
            .map(|s| s.state)
    };
    let mut logged: HashMap<Id, Vec<Step>> = HashMap::new();
    for e in store::changelog::of_entity(conn, "checklist", "checklists")? {
        if let Ok(id) = e.entity_id.parse::<Id>() {
            let step = (
                e.at,
                state_in(e.before.as_deref()),
                state_in(e.after.as_deref()),
            );
            logged.entry(id).or_default().push(step);
        }
    }
    let mut lists: HashMap<Id, [i64; 3]> = HashMap::new();
    let mut last_filed: HashMap<Id, Timestamp> = HashMap::new();
    for (id, unit, sub, state, updated_at) in store::checklists::all_states(conn)? {
        // Only checklists the unit then needed count (claimed, exercised).
        if !(inspection.contains(&sub) && claims.get(&(unit, sub)) == Some(&true)) {
            continue;
        }
        let steps = logged.get(&id).map(Vec::as_slice).unwrap_or_default();
        let then = if updated_at <= at {
            Some((state, updated_at))
        } else if let Some((t, _, after)) = steps.iter().rev().find(|(t, _, _)| *t <= at) {
            // The last save at or before the time.
            after.map(|s| (s, *t))
        } else if let Some((_, before, _)) = steps.iter().find(|(t, _, _)| *t > at) {
            // Saved only since: as it was before the first of those saves
            // (none: created since). The time of that state is not logged.
            before.map(|s| (s, at))
        } else {
            None
        };
        if let Some((state, t)) = then {
            let i = match state {
                ChecklistState::Draft => 0,
                ChecklistState::Complete => 1,
                ChecklistState::Filed => 2,
            };
            lists.entry(unit).or_default()[i] += 1;
            if state == ChecklistState::Filed {
                let e = last_filed.entry(unit).or_insert(t);
                *e = (*e).max(t);
            }
        }
    }

    // Local items: the last review step at or before `at`.
    let mut local_state: HashMap<Id, (Id, crate::domain::ReviewState)> = HashMap::new();
    for (unit, item, t, state) in store::local_items::all_history(conn)? {
        if t <= at {
            local_state.insert(item, (unit, state));
        }
    }
    let mut local: HashMap<Id, [i64; 5]> = HashMap::new();
    for (unit, state) in local_state.into_values() {
        if let Some(i) = REVIEW_ORDER.iter().position(|s| *s == state) {
            local.entry(unit).or_default()[i] += 1;
        }
    }

    let mut per_unit: HashMap<Id, UnitFigures> = HashMap::new();
    let blank = |unit_id| UnitFigures {
        unit_id,
        claimed: 0,
        exercised: 0,
        finished_at: None,
        required: 0,
        draft: 0,
        complete: 0,
        filed: 0,
        last_filed_at: None,
    };
    for ((unit, sub), exercised) in claims {
        let f = per_unit.entry(unit).or_insert_with(|| blank(unit));
        f.claimed += 1;
        f.exercised += exercised as i64;
        f.required += (exercised && inspection.contains(&sub)) as i64;
    }
    let units = store::units::list_units(conn)?;
    let out = units
        .iter()
        .map(|u| {
            let mut f = per_unit.remove(&u.id).unwrap_or_else(|| blank(u.id));
            f.finished_at = finished.get(&u.id).copied();
            let [d, c, fl] = lists.get(&u.id).copied().unwrap_or_default();
            (f.draft, f.complete, f.filed) = (d, c, fl);
            f.last_filed_at = last_filed.get(&u.id).copied();
            f
        })
        .collect();
    Ok((out, local))
}
