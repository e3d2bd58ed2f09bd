//! Progress against the milestones (时间节点) and the daily ranking (排名):
//! the state of one piece of work against its deadline, the completion
//! percentage, and ranks that ties share.

use super::Timestamp;
use serde::Serialize;

/// Where a piece of work stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Done by the deadline.
    OnTime,
    /// Not done, deadline still ahead.
    Pending,
    /// Done after the deadline.
    Late,
    /// Not done, deadline passed.
    Overdue,
}

impl MilestoneState {
    pub fn label(self) -> &'static str {
        match self {
            MilestoneState::OnTime => "按时",
            MilestoneState::Pending => "未到期",
            MilestoneState::Late => "逾期完成",
            MilestoneState::Overdue => "已逾期未完成",
        }
    }

    /// Better first, for ranking and sorting.
    pub fn order(self) -> u8 {
        match self {
            MilestoneState::OnTime => 0,
            MilestoneState::Pending => 1,
            MilestoneState::Late => 2,
            MilestoneState::Overdue => 3,
        }
    }
}

/// The state of work done at `done_at` (None: not done) due at `due`
/// (None: no deadline), as of `now`.
pub fn milestone_state(
    done_at: Option<Timestamp>,
    due: Option<Timestamp>,
    now: Timestamp,
) -> MilestoneState {
    match (done_at, due) {
        (Some(_), None) => MilestoneState::OnTime,
        (None, None) => MilestoneState::Pending,
        (Some(d), Some(due)) if d <= due => MilestoneState::OnTime,
        (Some(_), Some(_)) => MilestoneState::Late,
        (None, Some(due)) if now <= due => MilestoneState::Pending,
        (None, Some(_)) => MilestoneState::Overdue,
    }
}

/// Per mille of `done` over `required`; nothing required is complete.
pub fn per_mille(done: i64, required: i64) -> u32 {
    if required <= 0 {
        1000
    } else {
        ((done.clamp(0, required) * 1000) / required) as u32
    }
}

/// What a unit is ranked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankKey {
    pub claims: MilestoneState,
    pub checklists: MilestoneState,
    /// Completion of the checklists, per mille.
    pub per_mille: u32,
    /// When the work was completed (None: not yet): earlier ranks higher.
    pub completed_at: Option<Timestamp>,
}

impl RankKey {
    fn tuple(&self) -> (u8, u8, std::cmp::Reverse<u32>, Timestamp) {
        (
            self.claims.order(),
            self.checklists.order(),
            std::cmp::Reverse(self.per_mille),
            self.completed_at.unwrap_or(Timestamp::MAX),
        )
    }
}

/// The rank of each key (1 = best): by milestone states, then completion,
/// then time of completion; equal keys share a rank (1, 2, 2, 4).
pub fn ranks(keys: &[RankKey]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|i| keys[*i].tuple());
    let mut out = vec![0; keys.len()];
    for (pos, &i) in order.iter().enumerate() {
        out[i] = if pos > 0 && keys[order[pos - 1]].tuple() == keys[i].tuple() {
            out[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use MilestoneState::*;

    #[test]
    fn each_milestone_state() {
        let due = Some(100);
        assert_eq!(milestone_state(Some(90), due, 200), OnTime);
        assert_eq!(
            milestone_state(Some(100), due, 200),
            OnTime,
            "at the minute"
        );
        assert_eq!(milestone_state(Some(101), due, 200), Late);
        assert_eq!(milestone_state(None, due, 99), Pending);
        assert_eq!(milestone_state(None, due, 100), Pending);
        assert_eq!(milestone_state(None, due, 101), Overdue);
        assert_eq!(milestone_state(None, None, 101), Pending);
        assert_eq!(milestone_state(Some(5), None, 101), OnTime);
    }

    #[test]
    fn per_mille_is_clamped_and_nothing_required_is_complete() {
        assert_eq!(per_mille(1, 3), 333);
        assert_eq!(per_mille(3, 3), 1000);
        assert_eq!(per_mille(5, 3), 1000);
        assert_eq!(per_mille(0, 0), 1000);
    }

    fn key(claims: MilestoneState, pm: u32, at: Option<Timestamp>) -> RankKey {
        RankKey {
            claims,
            checklists: Pending,
            per_mille: pm,
            completed_at: at,
        }
    }

    #[test]
    fn ranks_by_states_then_completion_then_time_and_ties_share() {
        let keys = [
            key(Overdue, 1000, Some(1)), // worst state despite being complete
            key(OnTime, 500, None),
            key(OnTime, 900, Some(50)),
            key(OnTime, 900, Some(40)), // same completion, earlier
            key(OnTime, 500, None),     // tie with the second
            key(Late, 1000, Some(1)),
        ];
        assert_eq!(ranks(&keys), vec![6, 3, 2, 1, 3, 5]);
        assert!(ranks(&[]).is_empty());
    }
}
