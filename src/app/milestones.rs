//! Milestones (时间节点): coordinators and platform admins move due times.

use super::{Actor, AppError, write};
use crate::domain::permission::WriteAction;
use crate::domain::text::rules;
use crate::domain::{Milestone, Timestamp};
use crate::store::{self, Store};

/// Moves a milestone's due time, compare-and-swap on its version.
pub fn set_due(
    store: &mut Store,
    actor: &Actor,
    key: &str,
    due_at: Timestamp,
    expected_version: i64,
) -> Result<Milestone, AppError> {
    rules::MILESTONE_KEY
        .check(key)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    write(store, actor, |w| {
        w.authorize(WriteAction::EditMilestone)?;
        let before = store::milestones::by_key(w.tx, key)?;
        let after = store::milestones::set_due(
            w.tx,
            before.id,
            due_at,
            expected_version,
            w.actor.account_id,
            w.at,
        )?;
        w.log(
            "set_milestone",
            "milestone",
            &before.key,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    })
}
