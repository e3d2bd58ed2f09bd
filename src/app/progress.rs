//! The progress table (进度): each unit's claims, local items and
//! checklists against the milestones, ranked; and the same summed per
//! county (区县) and for the whole city.

use super::AppError;
use crate::domain::progress::{
    MilestoneKind, MilestoneState, MilestoneStatus, RankKey, per_mille, ranks,
};
use crate::domain::{Id, Level, Milestone, ReviewState, Timestamp};
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::HashMap;

mod as_of;

/// The rule, as the README and the help overlay say it.
pub const RANKING_RULE: &str = "排名规则：市直单位一起排名，县（市、区）作为区划排名（其单位之和），区划内的单位在本区划内排名。\
先比逾期的时间节点个数（逾期完成或已逾期未完成，少者在前），再比已到期节点要求的工作完成度（高者在前），\
最后比已到期节点全部完成的时间（早者在前）；完全相同者并列。没有任何要求的单位列在有工作的单位之后；\
协调机构和县（市、区）政府办公室本身不参加排名。";

/// Counts that add up over units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub claimed: i64,
    pub exercised: i64,
    /// Units whose claiming is finished (1 or 0 for one unit).
    pub claims_finished: i64,
    /// Local items by review state: 草稿, 待审核, 审核通过, 退回修改, 已录入.
    pub local: [i64; 5],
    /// Local items reported (submitted for review) by the 5/18 milestone
    /// (or by now, before it), and entered in the national system by 5/20.
    pub local_reported_by_due: i64,
    pub local_entered_by_due: i64,
    pub required: i64,
    pub draft: i64,
    pub complete: i64,
    pub filed: i64,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.claimed += o.claimed;
        self.exercised += o.exercised;
        self.claims_finished += o.claims_finished;
        for (a, b) in self.local.iter_mut().zip(o.local) {
            *a += b;
        }
        self.local_reported_by_due += o.local_reported_by_due;
        self.local_entered_by_due += o.local_entered_by_due;
        self.required += o.required;
        self.draft += o.draft;
        self.complete += o.complete;
        self.filed += o.filed;
    }

    /// 已填报 over required, per mille.
    pub fn per_mille(&self) -> u32 {
        per_mille(self.filed, self.required)
    }

    /// Checklists not started: required minus those begun.
    pub fn not_started(&self) -> i64 {
        (self.required - self.draft - self.complete - self.filed).max(0)
    }
}

pub(crate) const REVIEW_ORDER: [ReviewState; 5] = [
    ReviewState::Draft,
    ReviewState::Submitted,
    ReviewState::Approved,
    ReviewState::Returned,
    ReviewState::Entered,
];

/// One unit's line.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub unit_id: Id,
    pub unit: String,
    pub region_id: Id,
    pub region: String,
    pub level: Level,
    pub figures: Figures,
    /// Every milestone of the notice, in order, with its state (“—” for
    /// what is not asked of this unit).
    pub milestones: Vec<MilestoneStatus>,
    pub claims_finished_at: Option<Timestamp>,
    pub claims_state: Option<MilestoneState>,
    /// When every required checklist was filed.
    pub checklists_done_at: Option<Timestamp>,
    pub checklists_state: Option<MilestoneState>,
    /// Share of the work due so far that is done, per mille (None: none
    /// asked).
    pub share: Option<u32>,
    /// A unit with duties in the notice (not a coordinating office or a
    /// county government office as such): only these are ranked.
    pub duty: bool,
    /// Its rank among the city's units, or among its county's units.
    pub rank: Option<usize>,
    /// What is wrong beyond dates (认领完成但未认领任何事项).
    pub problems: Vec<String>,
}

impl Standing {
    /// A milestone passed with its work not done (shown with “!”).
    pub fn is_overdue(&self) -> bool {
        self.milestones
            .iter()
            .any(|m| m.state == Some(MilestoneState::Overdue))
    }

    /// The rank as printed: “—” for a unit not ranked.
    pub fn rank_text(&self) -> String {
        self.rank.map_or("—".into(), |r| r.to_string())
    }

    /// For sorting: unranked units last.
    pub fn rank_order(&self) -> usize {
        self.rank.unwrap_or(usize::MAX)
    }
}

/// A county ranked as a region (县区排名): its units' sums.
#[derive(Debug, Clone, Serialize)]
pub struct RegionStanding {
    pub region_id: Id,
    pub name: String,
    /// Units with duties in the county.
    pub units: usize,
    pub figures: Figures,
    pub milestones: Vec<MilestoneStatus>,
    pub share: Option<u32>,
    pub rank: usize,
}

/// A county's (or the city's own units') sum.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub region_id: Id,
    pub name: String,
    pub units: usize,
    pub figures: Figures,
    /// Units overdue on either milestone.
    pub overdue: usize,
}

/// The deadline of the milestone whose key starts with `prefix` for a
/// unit of this level (市直 or 县区).
fn due(milestones: &[Milestone], prefix: &str, level: Level) -> Option<Timestamp> {
    milestones
        .iter()
        .find(|m| m.key.starts_with(prefix) && m.audience.covers(level))
        .map(|m| m.due_at)
}

/// A unit's local items against the 上报 and 录入 milestones.
#[derive(Debug, Clone, Copy, Default)]
struct LocalTimes {
    /// Items ever submitted for review, and when the last was first.
    reported: i64,
    last_reported: Option<Timestamp>,
    /// Items entered, and when the last was.
    entered: i64,
    last_entered: Option<Timestamp>,
    /// Of those, the ones in time (each capped at `now`).
    reported_by_due: i64,
    entered_by_due: i64,
}

/// Per unit, its local items' first submission and entry, from the
/// review history, as of `now`.
fn local_on_time(
    conn: &crate::store::Connection,
    milestones: &[Milestone],
    now: Timestamp,
) -> Result<HashMap<Id, LocalTimes>, AppError> {
    let cap = |key: &str| {
        milestones
            .iter()
            .find(|m| m.key == key)
            .map_or(now, |m| m.due_at.min(now))
    };
    let (reported_by, entered_by) = (cap("catalogue_reported"), cap("catalogue_entered"));
    // Item → (unit, first submitted, entered).
    let mut firsts: HashMap<Id, (Id, Option<Timestamp>, Option<Timestamp>)> = HashMap::new();
    for (unit, item, at, state) in store::local_items::all_history(conn)? {
        if at > now {
            continue;
        }
        let e = firsts.entry(item).or_insert((unit, None, None));
        match state {
            ReviewState::Submitted => e.1 = Some(e.1.map_or(at, |t| t.min(at))),
            ReviewState::Entered => e.2 = Some(e.2.map_or(at, |t| t.min(at))),
            _ => {}
        }
    }
    let mut out: HashMap<Id, LocalTimes> = HashMap::new();
    for (unit, submitted, entered) in firsts.into_values() {
        let c = out.entry(unit).or_default();
        if let Some(t) = submitted {
            c.reported += 1;
            c.last_reported = Some(c.last_reported.map_or(t, |l| l.max(t)));
            c.reported_by_due += (t <= reported_by) as i64;
        }
        if let Some(t) = entered {
            c.entered += 1;
            c.last_entered = Some(c.last_entered.map_or(t, |l| l.max(t)));
            c.entered_by_due += (t <= entered_by) as i64;
        }
    }
    Ok(out)
}

/// Every unit's standing as of `now`, ranked.
pub fn standings(store: &Store, now: Timestamp) -> Result<Vec<Standing>, AppError> {
    let conn = store.conn();
    let mut local: HashMap<Id, [i64; 5]> = HashMap::new();
    for (unit, state, n) in store::local_items::counts_by_unit(conn)? {
        if let Some(i) = REVIEW_ORDER.iter().position(|s| *s == state) {
            local.entry(unit).or_default()[i] = n;
        }
    }
    standings_from(store, store::claims::unit_figures(conn)?, &local, now)
}

/// The standings as they were at `at`, rebuilt from the rows and the
/// change log (see `as_of`).
pub fn standings_at(store: &Store, at: Timestamp) -> Result<Vec<Standing>, AppError> {
    let (figures, local) = as_of::figures(store, at)?;
    standings_from(store, figures, &local, at)
}

fn standings_from(
    store: &Store,
    figures: Vec<store::claims::UnitFigures>,
    local: &HashMap<Id, [i64; 5]>,
    now: Timestamp,
) -> Result<Vec<Standing>, AppError> {
    let conn = store.conn();
    let units: HashMap<Id, crate::domain::Unit> = store::units::list_units(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let milestones = store::milestones::list(conn)?;
    let on_time = local_on_time(conn, &milestones, now)?;
    let staffing: HashMap<Id, (Option<i64>, Option<i64>)> =
        store::accounts::unit_staffing(conn, now)?
            .into_iter()
            .map(|(u, a, l)| (u, (a, l)))
            .collect();
    let mut out: Vec<Standing> = Vec::new();
    for f in figures {
        let Some(u) = units.get(&f.unit_id) else {
            continue;
        };
        let l = local.get(&u.id).copied().unwrap_or_default();
        let lt = on_time.get(&u.id).copied().unwrap_or_default();
        let figures = Figures {
            claimed: f.claimed,
            exercised: f.exercised,
            claims_finished: f.finished_at.is_some() as i64,
            local: l,
            local_reported_by_due: lt.reported_by_due,
            local_entered_by_due: lt.entered_by_due,
            required: f.required,
            draft: f.draft,
            complete: f.complete,
            filed: f.filed,
        };
        // Done when every required checklist is filed: at the last filing.
        let checklists_done_at = match (f.required, f.filed >= f.required) {
            (0, _) => None,
            (_, true) => f.last_filed_at,
            (_, false) => None,
        };
        let due_of = |kind: MilestoneKind| due(&milestones, kind.milestone_key(), u.region_level);
        let status = |kind, required, done, at| {
            MilestoneStatus::new(kind, required, done, at, due_of(kind), now)
        };
        let mut problems = Vec::new();
        // 认领完成 with nothing claimed is not claiming done.
        let claims_done = f.finished_at.filter(|_| f.claimed > 0);
        if f.finished_at.is_some() && f.claimed == 0 {
            problems.push("认领完成但未认领任何事项".to_string());
        }
        let (admin, liaison) = staffing.get(&u.id).copied().unwrap_or_default();
        let city = u.region_level == Level::City;
        let items: i64 = l.iter().sum();
        let approved = l[2] + l[4];
        let ms = vec![
            status(
                MilestoneKind::Accounts,
                2,
                admin.is_some() as i64 + liaison.is_some() as i64,
                admin.zip(liaison).map(|(a, b)| a.max(b)),
            ),
            status(
                MilestoneKind::Claims,
                1,
                claims_done.is_some() as i64,
                claims_done,
            ),
            // Compiling local items is a city unit's, and only of the
            // items it has: none compiled asks nothing here.
            status(
                MilestoneKind::Reported,
                if city { items } else { 0 },
                lt.reported,
                lt.last_reported,
            ),
            status(
                MilestoneKind::Entered,
                if city { approved } else { 0 },
                lt.entered,
                lt.last_entered,
            ),
            status(
                MilestoneKind::Checklists,
                f.required,
                f.filed,
                f.last_filed_at,
            ),
        ];
        // The notice asks nothing of an office without duties in it: its
        // line is shown, with “—” everywhere, and not ranked.
        let duty = u.category != crate::domain::UnitCategory::Other;
        let ms: Vec<MilestoneStatus> = if duty {
            ms
        } else {
            ms.into_iter()
                .map(|m| MilestoneStatus::new(m.kind, 0, 0, None, m.due, now))
                .collect()
        };
        let key = RankKey::of(&ms, now);
        out.push(Standing {
            unit_id: u.id,
            unit: u.full_name(),
            region_id: u.region_id,
            region: u.region_name.clone(),
            level: u.region_level,
            claims_state: ms[1].state,
            checklists_state: ms[4].state,
            share: key.share,
            milestones: ms,
            figures,
            claims_finished_at: f.finished_at,
            checklists_done_at,
            duty,
            rank: None,
            problems,
        });
    }
    // 市直单位 ranked together; a county's units within the county.
    let mut groups: HashMap<Option<Id>, Vec<usize>> = HashMap::new();
    for (i, s) in out.iter().enumerate().filter(|(_, s)| s.duty) {
        let group = (s.level == Level::County).then_some(s.region_id);
        groups.entry(group).or_default().push(i);
    }
    for members in groups.values() {
        let keys: Vec<RankKey> = members
            .iter()
            .map(|&i| RankKey::of(&out[i].milestones, now))
            .collect();
        for (&i, r) in members.iter().zip(ranks(&keys)) {
            out[i].rank = Some(r);
        }
    }
    Ok(out)
}

/// The counties ranked as regions (县区排名): each county's units with
/// duties summed, milestone by milestone.
pub fn region_standings(standings: &[Standing], now: Timestamp) -> Vec<RegionStanding> {
    let mut out: Vec<RegionStanding> = Vec::new();
    for s in standings
        .iter()
        .filter(|s| s.duty && s.level == Level::County)
    {
        let r = match out.iter_mut().position(|r| r.region_id == s.region_id) {
            Some(i) => &mut out[i],
            None => {
                out.push(RegionStanding {
                    region_id: s.region_id,
                    name: s.region.clone(),
                    units: 0,
                    figures: Figures::default(),
                    milestones: s
                        .milestones
                        .iter()
                        .map(|m| MilestoneStatus {
                            required: 0,
                            done: 0,
                            done_at: Some(0),
                            state: None,
                            ..m.clone()
                        })
                        .collect(),
                    share: None,
                    rank: 0,
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        r.units += 1;
        r.figures.add(&s.figures);
        for (sum, m) in r.milestones.iter_mut().zip(&s.milestones) {
            sum.required += m.required;
            sum.done += m.done;
            // The county met a milestone when its last unit did.
            sum.done_at = match (sum.done_at, m.done_at, m.required) {
                (_, _, 0) => sum.done_at,
                (Some(a), Some(b), _) => Some(a.max(b)),
                _ => None,
            };
        }
    }
    for r in &mut out {
        r.milestones = r
            .milestones
            .iter()
            .map(|m| {
                MilestoneStatus::new(
                    m.kind,
                    m.required,
                    m.done,
                    m.done_at.filter(|t| *t > 0),
                    m.due,
                    now,
                )
            })
            .collect();
        r.share = RankKey::of(&r.milestones, now).share;
    }
    let keys: Vec<RankKey> = out
        .iter()
        .map(|r| RankKey::of(&r.milestones, now))
        .collect();
    for (r, rank) in out.iter_mut().zip(ranks(&keys)) {
        r.rank = rank;
    }
    out.sort_by_key(|r| (r.rank, r.region_id));
    out
}

/// The standings summed per region (each county, and the city's own
/// units), in the order the regions first appear; then the whole.
pub fn totals(standings: &[Standing]) -> (Vec<Total>, Figures) {
    let mut totals: Vec<Total> = Vec::new();
    let mut all = Figures::default();
    for s in standings {
        all.add(&s.figures);
        let overdue = s.is_overdue();
        match totals.iter_mut().find(|t| t.region_id == s.region_id) {
            Some(t) => {
                t.units += 1;
                t.figures.add(&s.figures);
                t.overdue += overdue as usize;
            }
            None => totals.push(Total {
                region_id: s.region_id,
                name: s.region.clone(),
                units: 1,
                figures: s.figures.clone(),
                overdue: overdue as usize,
            }),
        }
    }
    (totals, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_add_up_and_count_what_is_not_started() {
        let mut a = Figures {
            claimed: 3,
            required: 4,
            draft: 1,
            filed: 1,
            local: [1, 0, 0, 0, 0],
            ..Default::default()
        };
        assert_eq!(a.not_started(), 2);
        assert_eq!(a.per_mille(), 250);
        a.add(&Figures {
            claimed: 1,
            required: 4,
            filed: 4,
            local: [0, 2, 0, 0, 0],
            ..Default::default()
        });
        assert_eq!((a.claimed, a.required, a.filed), (4, 8, 5));
        assert_eq!(a.local, [1, 2, 0, 0, 0]);
        assert_eq!(a.per_mille(), 625);
    }
}

/// The city's completion (已填报 over required, per mille) at the end of
/// each of the last `days` days up to `now`.
pub fn daily_completion(
    store: &Store,
    now: Timestamp,
    days: usize,
    required: i64,
) -> Result<Vec<u32>, AppError> {
    let per_day = store::checklists::filed_per_day(store.conn())?;
    let day = |t: Timestamp| {
        crate::domain::format_time(t)
            .get(..10)
            .unwrap_or_default()
            .to_string()
    };
    let mut out = Vec::with_capacity(days);
    for back in (0..days as i64).rev() {
        let end = day(now - back * 86_400);
        let filed: i64 = per_day
            .iter()
            .filter(|(d, _)| *d <= end)
            .map(|(_, n)| n)
            .sum();
        out.push(per_mille(filed, required));
    }
    Ok(out)
}

/// What a unit still has to do, for the drill-down.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// The unit's 统一社会信用代码 is not set: no checklist can be complete.
    pub code_missing: bool,
    pub claims_finished_at: Option<Timestamp>,
    /// (code, name, 未开始/草稿/完整) of checklists not yet filed.
    pub checklists: Vec<(String, String, String)>,
    /// (code, name, state) of local items not yet submitted.
    pub local_items: Vec<(String, String, String)>,
}

pub fn missing(
    store: &Store,
    actor: Option<&super::Actor>,
    unit_id: Id,
) -> Result<Missing, AppError> {
    // The unit claims all of these: its own people and a platform_admin
    // see its 涉密 ones, nobody else.
    let sees_classified = actor
        .map(super::Actor::effective)
        .is_some_and(|v| crate::domain::permission::sees_classified(v.role, v.unit_id == unit_id));
    let checklists = super::views::required_checklists(store, unit_id)?
        .into_iter()
        .filter(|r| sees_classified || !r.classified)
        .filter(|r| {
            r.checklist.as_ref().map(|c| c.state) != Some(crate::domain::ChecklistState::Filed)
        })
        .map(|r| {
            let state = crate::domain::ChecklistState::label_of(r.checklist.map(|c| c.state));
            (r.sub_code, r.sub_name, state.to_string())
        })
        .collect();
    let local_items = super::views::local_items(store, actor, Some(unit_id), None)?
        .into_iter()
        .filter(|r| matches!(r.state, ReviewState::Draft | ReviewState::Returned))
        .map(|r| (r.code, r.name, r.state.label().to_string()))
        .collect();
    Ok(Missing {
        code_missing: store::units::unit(store.conn(), unit_id)?.uscc.is_none(),
        claims_finished_at: store::claims::finished_at(store.conn(), unit_id)?,
        checklists,
        local_items,
    })
}

/// A unit's change since the previous report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Places gained (positive: moved up).
    pub rank: i64,
    /// Share of the due work done gained, per mille.
    pub per_mille: i64,
}

/// The daily report (通报): the standings as of `as_of`, each with its
/// change since the baseline — the latest report recorded for an earlier
/// calendar day, so a second report of the day compares with yesterday
/// too.
pub struct Report {
    pub as_of: Timestamp,
    /// When the baseline was as of (None: no earlier report).
    pub previous: Option<Timestamp>,
    pub rows: Vec<(Standing, Option<Change>)>,
}

/// The report as of `as_of` (rebuilt from the change log when `rebuild`),
/// compared with its baseline; nothing is written.
pub fn report(store: &Store, as_of: Timestamp, rebuild: bool) -> Result<Report, AppError> {
    let mut rows = if rebuild {
        standings_at(store, as_of)?
    } else {
        standings(store, as_of)?
    };
    rows.sort_by_key(|s| (s.level, s.region_id, s.rank_order(), s.unit_id));
    let previous =
        store::reports::last_report_before(store.conn(), crate::domain::time::day_start(as_of))?;
    let (before, map) = match previous {
        Some((t, m)) => (Some(t), m),
        None => (None, HashMap::new()),
    };
    Ok(Report {
        as_of,
        previous: before,
        rows: rows
            .into_iter()
            .map(|s| {
                // Both ranked (an unranked unit has rank 0 in a report).
                let change = match (map.get(&s.unit_id), s.rank) {
                    (Some((rank, pm)), Some(now)) if *rank > 0 => Some(Change {
                        rank: rank - now as i64,
                        per_mille: s.share.unwrap_or(0) as i64 - pm,
                    }),
                    _ => None,
                };
                (s, change)
            })
            .collect(),
    })
}

/// Refuses early who may not record a report (before its file is written).
pub fn may_record(store: &mut Store, actor: &super::Actor) -> Result<(), AppError> {
    super::write_or_roll_back(store, actor, false, |w| {
        w.authorize(crate::domain::permission::WriteAction::RecordReport)
    })
}

/// Records a report that was sent (its file written) as the baseline of
/// later days' reports (coordinators and platform admins). A report
/// rebuilt for a past time (`--as-of`) is never recorded.
pub fn record_report(
    store: &mut Store,
    actor: &super::Actor,
    report: &Report,
) -> Result<Id, AppError> {
    super::write(store, actor, |w| {
        w.authorize(crate::domain::permission::WriteAction::RecordReport)?;
        let snapshot: Vec<(Id, i64, i64)> = report
            .rows
            .iter()
            .map(|(s, _)| {
                let rank = s.rank.map_or(0, |r| r as i64);
                (s.unit_id, rank, s.share.unwrap_or(0) as i64)
            })
            .collect();
        let id =
            store::reports::record_report(w.tx, report.as_of, w.at, w.actor.account_id, &snapshot)?;
        w.log(
            "record_progress_report",
            "progress_report",
            id,
            None::<&()>,
            Some(&serde_json::json!({ "as_of": report.as_of, "units": snapshot.len() })),
        )?;
        Ok(id)
    })
}
