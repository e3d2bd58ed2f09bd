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

/// Per mille of `done` over `required`, rounded (2/3 is 667), but never
/// 1000 unless all is done; nothing required is complete.
pub fn per_mille(done: i64, required: i64) -> u32 {
    if required <= 0 {
        return 1000;
    }
    let done = done.clamp(0, required);
    let rounded = ((done * 1000 + required / 2) / required) as u32;
    if done < required {
        rounded.min(999)
    } else {
        1000
    }
}

/// The notice's milestones (时间节点) a unit is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// 分配管理员账号: an active 管理员 and a 联络人.
    Accounts,
    /// 事项认领: 认领完成 recorded, with something claimed.
    Claims,
    /// 市级目录上报 (city units): local items submitted for review.
    Reported,
    /// 市级目录录入 (city units): approved local items entered.
    Entered,
    /// 检查实施清单填报: every required checklist filed.
    Checklists,
}

impl MilestoneKind {
    pub const ALL: [MilestoneKind; 5] = [
        MilestoneKind::Accounts,
        MilestoneKind::Claims,
        MilestoneKind::Reported,
        MilestoneKind::Entered,
        MilestoneKind::Checklists,
    ];

    /// A short column title.
    pub fn label(self) -> &'static str {
        match self {
            MilestoneKind::Accounts => "账号",
            MilestoneKind::Claims => "认领",
            MilestoneKind::Reported => "目录上报",
            MilestoneKind::Entered => "目录录入",
            MilestoneKind::Checklists => "清单填报",
        }
    }

    /// Two characters, for narrow columns.
    pub fn short_label(self) -> &'static str {
        match self {
            MilestoneKind::Accounts => "账号",
            MilestoneKind::Claims => "认领",
            MilestoneKind::Reported => "上报",
            MilestoneKind::Entered => "录入",
            MilestoneKind::Checklists => "清单",
        }
    }

    /// The key prefix of its milestone row (时间节点).
    pub fn milestone_key(self) -> &'static str {
        match self {
            MilestoneKind::Accounts => "accounts",
            MilestoneKind::Claims => "claims",
            MilestoneKind::Reported => "catalogue_reported",
            MilestoneKind::Entered => "catalogue_entered",
            MilestoneKind::Checklists => "checklists",
        }
    }
}

/// One milestone of one unit (or a county's sum): the work it asks, the
/// work done, when it was all done, and its state then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneStatus {
    pub kind: MilestoneKind,
    /// Pieces of work it asks (0: nothing asked of this unit: “—”).
    pub required: i64,
    pub done: i64,
    /// When the last piece was done (all of it), if it is.
    pub done_at: Option<Timestamp>,
    pub due: Option<Timestamp>,
    /// None when nothing is asked.
    pub state: Option<MilestoneState>,
}

impl MilestoneStatus {
    /// The status of `done` of `required` pieces, all done at `done_at`.
    pub fn new(
        kind: MilestoneKind,
        required: i64,
        done: i64,
        done_at: Option<Timestamp>,
        due: Option<Timestamp>,
        now: Timestamp,
    ) -> Self {
        let complete = required > 0 && done >= required;
        MilestoneStatus {
            kind,
            required,
            done: done.min(required).max(0),
            done_at: if complete { done_at } else { None },
            due,
            state: (required > 0).then(|| milestone_state(done_at.filter(|_| complete), due, now)),
        }
    }

    /// Due by `now`: it counts for the ranking.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.due.is_some_and(|d| d <= now)
    }

    /// Its deadline passed before it was done (逾期完成 or 已逾期未完成).
    pub fn missed(&self) -> bool {
        matches!(
            self.state,
            Some(MilestoneState::Late | MilestoneState::Overdue)
        )
    }

    /// “按时”, “已逾期未完成”…, or “—” when nothing is asked.
    pub fn label(&self) -> &'static str {
        self.state.map_or("—", MilestoneState::label)
    }
}

/// What a unit (or a county) is ranked on, in the notice's order: missed
/// milestones first, then the share of the work asked by the milestones
/// due so far that is done, then when the last due milestone was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankKey {
    /// Milestones missed (done late or not done after the deadline).
    pub missed: u32,
    /// Work done over work asked, per mille, across the milestones due so
    /// far (all milestones before the first is due); None: nothing asked,
    /// which never ranks above work done.
    pub share: Option<u32>,
    /// When the last due milestone was met (None: not all met).
    pub last_met: Option<Timestamp>,
}

impl RankKey {
    /// The key of a set of milestones as of `now`.
    pub fn of(milestones: &[MilestoneStatus], now: Timestamp) -> RankKey {
        let due: Vec<&MilestoneStatus> = milestones.iter().filter(|m| m.is_due(now)).collect();
        let counted: Vec<&MilestoneStatus> = if due.is_empty() {
            milestones.iter().collect()
        } else {
            due.clone()
        };
        let (done, required) = counted
            .iter()
            .fold((0, 0), |(d, r), m| (d + m.done, r + m.required));
        let met: Vec<Option<Timestamp>> = due
            .iter()
            .filter(|m| m.required > 0)
            .map(|m| m.done_at)
            .collect();
        RankKey {
            missed: milestones.iter().filter(|m| m.missed()).count() as u32,
            share: (required > 0).then(|| per_mille(done, required)),
            last_met: if met.iter().all(Option::is_some) {
                met.into_iter().flatten().max()
            } else {
                None
            },
        }
    }

    /// A unit asked nothing comes after every unit that did work, even
    /// late; then missed milestones, share done, time met.
    fn tuple(&self) -> (u8, u32, std::cmp::Reverse<u32>, Timestamp) {
        (
            self.share.is_none() as u8,
            self.missed,
            std::cmp::Reverse(self.share.unwrap_or(0)),
            self.last_met.unwrap_or(Timestamp::MAX),
        )
    }
}

/// The rank of each key (1 = best); equal keys share a rank (1, 2, 2, 4).
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
        assert_eq!(per_mille(2, 3), 667, "rounded");
        assert_eq!(per_mille(1999, 2000), 999, "not complete is not 100%");
        assert_eq!(per_mille(3, 3), 1000);
        assert_eq!(per_mille(5, 3), 1000);
        assert_eq!(per_mille(0, 0), 1000);
    }

    fn status(
        kind: MilestoneKind,
        required: i64,
        done: i64,
        at: Option<i64>,
        due: i64,
    ) -> MilestoneStatus {
        MilestoneStatus::new(kind, required, done, at, Some(due), 1000)
    }

    #[test]
    fn a_milestone_with_nothing_asked_shows_a_dash_and_never_misses() {
        let m = status(MilestoneKind::Checklists, 0, 0, None, 500);
        assert_eq!((m.state, m.label(), m.missed()), (None, "—", false));
        let m = status(MilestoneKind::Checklists, 4, 2, Some(100), 500);
        assert_eq!(m.state, Some(Overdue), "half done is not done");
        assert_eq!(m.done_at, None);
        let m = status(MilestoneKind::Checklists, 4, 4, Some(600), 500);
        assert_eq!(m.state, Some(Late));
        assert!(m.missed());
    }

    #[test]
    fn ranks_by_missed_then_share_of_due_work_then_when_met_and_ties_share() {
        use MilestoneKind::*;
        let key = |ms: &[MilestoneStatus]| RankKey::of(ms, 1000);
        let keys = [
            // Everything done, one milestone late: ranks after any on time.
            key(&[
                status(Claims, 1, 1, Some(600), 500),
                status(Checklists, 2, 2, Some(700), 800),
            ]),
            // On time, half the work of what is due.
            key(&[
                status(Claims, 1, 1, Some(400), 500),
                status(Checklists, 2, 1, None, 800),
            ]),
            // On time, all done, met at 700.
            key(&[
                status(Claims, 1, 1, Some(400), 500),
                status(Checklists, 2, 2, Some(700), 800),
            ]),
            // The same work met earlier ranks higher.
            key(&[
                status(Claims, 1, 1, Some(300), 500),
                status(Checklists, 2, 2, Some(650), 800),
            ]),
            // Nothing asked at all: below every unit with work done.
            key(&[
                status(Claims, 0, 0, None, 500),
                status(Checklists, 0, 0, None, 800),
            ]),
            // A tie with the second.
            key(&[
                status(Claims, 1, 1, Some(400), 500),
                status(Checklists, 2, 1, None, 800),
            ]),
        ];
        assert_eq!(keys[4].share, None);
        assert_eq!(keys[1].share, Some(667));
        // The half-done units are overdue on checklists (missed 1) and
        // rank after the late but complete one; nothing asked comes last.
        assert_eq!(ranks(&keys), vec![3, 4, 2, 1, 6, 4]);
        assert!(ranks(&[]).is_empty());
    }
}
