//! 进度: one row per unit (ranked), or per county summed; milestone states
//! marked in text so they survive NO_COLOR; sortable; the city's daily
//! completion as an ASCII trend; a unit's missing work on Enter; the
//! milestones, which coordinators move from here.

use crate::app::progress::{Figures, Missing, Standing, Total};
use crate::domain::progress::{MilestoneKind, MilestoneState, MilestoneStatus};
use crate::domain::{Id, Milestone, Timestamp, format_time, parse_time};
use crate::search::pinyin::sort_key;
use crate::tui::action::Action;
use crate::tui::draw::{block, fit, overlay, row as highlighted, table_row};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use std::collections::HashMap;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// What the table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Rank,
    Unit,
    Milestone(MilestoneKind),
    Share,
    Claimed,
    Required,
    Filed,
    /// The county view's count of units.
    Units,
    /// The county view's count of overdue units.
    Overdue,
}

impl SortBy {
    const ALL: [SortBy; 11] = [
        SortBy::Rank,
        SortBy::Unit,
        SortBy::Milestone(MilestoneKind::Accounts),
        SortBy::Milestone(MilestoneKind::Claims),
        SortBy::Milestone(MilestoneKind::Reported),
        SortBy::Milestone(MilestoneKind::Entered),
        SortBy::Milestone(MilestoneKind::Checklists),
        SortBy::Share,
        SortBy::Claimed,
        SortBy::Required,
        SortBy::Filed,
    ];

    /// The county view's columns in the order `o` steps through them.
    const COUNTY: [SortBy; 8] = [
        SortBy::Unit,
        SortBy::Units,
        SortBy::Claimed,
        SortBy::Milestone(MilestoneKind::Claims),
        SortBy::Required,
        SortBy::Filed,
        SortBy::Share,
        SortBy::Overdue,
    ];

    /// The column's header as the view shows it, for the status line
    /// (names say they sort by pinyin).
    fn label(self, by_county: bool) -> &'static str {
        match (self, by_county) {
            (SortBy::Rank, _) => "排名",
            (SortBy::Unit, false) => "单位（拼音）",
            (SortBy::Unit, true) => "区划（拼音）",
            (SortBy::Milestone(MilestoneKind::Claims), true) => "认领完成",
            (SortBy::Milestone(k), _) => k.label(),
            (SortBy::Share, false) => "完成度",
            (SortBy::Share, true) => "完成率",
            (SortBy::Claimed, false) => "认领数",
            (SortBy::Claimed, true) => "认领",
            (SortBy::Required, _) => "应填",
            (SortBy::Filed, _) => "已填报",
            (SortBy::Units, _) => "单位",
            (SortBy::Overdue, _) => "逾期单位",
        }
    }

    /// The first way a column sorts: names and ranks A→Z and 1→n, states
    /// the worst first (those to chase), shares and counts the most first.
    fn descending(self) -> bool {
        !matches!(self, SortBy::Rank | SortBy::Unit)
    }

    /// Whether the table shows this column (a column out of sight is
    /// skipped by `o`: sorting by it would look like no order at all).
    fn shown(self, by_county: bool, narrow: bool) -> bool {
        match self {
            SortBy::Claimed | SortBy::Required | SortBy::Filed => by_county || !narrow,
            SortBy::Milestone(k) if by_county => k == MilestoneKind::Claims,
            SortBy::Rank if by_county => false,
            SortBy::Units | SortBy::Overdue => by_county,
            _ => true,
        }
    }
}

/// Sorts by a column whose value may be missing (“—”): missing values last
/// whichever way; ties in rank order.
fn sort_by_column<K: Ord>(
    rows: &mut Vec<Standing>,
    key: impl Fn(&Standing) -> Option<K>,
    descending: bool,
) {
    let mut keyed: Vec<(Option<K>, Standing)> = std::mem::take(rows)
        .into_iter()
        .map(|s| (key(&s), s))
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| {
        let by = match (ka, kb) {
            (Some(x), Some(y)) if descending => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
            (x, y) => x.is_none().cmp(&y.is_none()),
        };
        by.then_with(|| rank_key(a).cmp(&rank_key(b)))
    });
    *rows = keyed.into_iter().map(|(_, s)| s).collect();
}

/// The counties' order by a column whose value may be missing: missing
/// last whichever way; ties keep the counties' own order.
fn order_counties<K: Ord>(
    totals: &[Total],
    key: impl Fn(&Total) -> Option<K>,
    descending: bool,
) -> Vec<usize> {
    let mut order: Vec<(Option<K>, usize)> = totals
        .iter()
        .enumerate()
        .map(|(i, t)| (key(t), i))
        .collect();
    order.sort_by(|(ka, _), (kb, _)| match (ka, kb) {
        (Some(x), Some(y)) if descending => y.cmp(x),
        (Some(x), Some(y)) => x.cmp(y),
        (x, y) => x.is_none().cmp(&y.is_none()),
    });
    order.into_iter().map(|(_, i)| i).collect()
}

/// 市直 first, then each county's units, each group by rank.
fn rank_key(s: &Standing) -> (bool, crate::domain::Level, Id, usize, Id) {
    (!s.duty, s.level, s.region_id, s.rank_order(), s.unit_id)
}

/// A header label with the sort's arrow when the table is sorted by it:
/// ▲ smallest (or A) first, ▼ largest first.
fn sorted_label(label: &str, column: SortBy, by: SortBy, ascending: bool) -> String {
    match (column == by, ascending) {
        (false, _) => label.to_string(),
        (true, true) => format!("{label}{}", crate::tui::theme::current().sort_mark(true)),
        (true, false) => format!("{label}{}", crate::tui::theme::current().sort_mark(false)),
    }
}

/// A milestone's state, short enough for a column: the full words where
/// there is room.
fn milestone_cell(m: Option<&MilestoneStatus>, wide: bool) -> String {
    match m.and_then(|m| m.state) {
        None => "—".into(),
        Some(MilestoneState::Overdue) if wide => "!已逾期".into(),
        Some(MilestoneState::Overdue) => "!逾期".into(),
        Some(MilestoneState::Late) => "迟完成".into(),
        Some(s) => s.label().to_string(),
    }
}

/// What the pane asks of the app.
pub enum Outcome {
    Stay,
    Say(String),
    /// Read this unit's missing work.
    Drill(crate::domain::Id, String),
    /// Move a milestone (key, new due time, expected version).
    SetDue(String, Timestamp, i64),
}

pub struct MilestoneList {
    pub items: Vec<Milestone>,
    cursor: usize,
    input: Option<Input>,
}

#[derive(Default)]
pub struct ProgressView {
    pub rows: Vec<Standing>,
    totals: Vec<Total>,
    /// Each county's rank as a region.
    region_ranks: HashMap<Id, usize>,
    all: Figures,
    /// The city's completion per day, per mille, oldest first.
    trend: Vec<u32>,
    pub by_county: bool,
    /// Each county's sum with its units below it, in the current sort.
    county_lines: Vec<CountyLine>,
    /// Others committed since it was read: read again when next shown.
    pub stale: bool,
    sort: Option<SortBy>,
    /// The sort turned the other way (`O`).
    reversed: bool,
    /// Drawn below 100 columns the last time (the count columns hidden).
    narrow: bool,
    cursor: usize,
    offset: usize,
    page: usize,
    /// A unit's missing work, shown over the table.
    pub drill: Option<(String, Missing)>,
    pub milestones: Option<MilestoneList>,
}

/// A share per mille as a whole percentage, rounded, 100 only when done.
fn whole_percent(pm: u32) -> u32 {
    if pm >= 1000 {
        100
    } else {
        ((pm + 5) / 10).min(99)
    }
}

/// A completion bar in the theme's glyphs (block eighths, or ASCII).
fn bar(per_mille: u32, width: usize) -> String {
    crate::tui::theme::current().bar(per_mille, width)
}

/// The trend, one character a day, in the theme's glyphs.
fn trend_line(values: &[u32]) -> String {
    crate::tui::theme::current().sparkline(values)
}

fn percent(f: &Figures) -> String {
    if f.required == 0 {
        return "  —  ".into();
    }
    let pm = f.per_mille();
    format!("{:>3}.{}%", pm / 10, pm % 10)
}

/// A row of the county view: a county's sum, or one of its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CountyLine {
    Total(usize),
    Unit(usize),
}

/// The bar (when there is room) and the percentage; no bar when nothing
/// is required yet.
fn completion(f: &Figures, wide: bool) -> String {
    match (wide, f.required) {
        (false, _) => percent(f),
        (true, 0) => format!("{} {}", " ".repeat(8), percent(f)),
        (true, _) => format!("{} {}", bar(f.per_mille(), 8), percent(f)),
    }
}

/// “!” before an overdue state: readable without colour. Narrow: shorter.
fn state_text(s: Option<MilestoneState>, wide: bool) -> String {
    match (s, wide) {
        (None, _) => "—".into(),
        (Some(MilestoneState::Overdue), true) => format!("!{}", MilestoneState::Overdue.label()),
        (Some(MilestoneState::Overdue), false) => "!逾期".into(),
        (Some(s), _) => s.label().to_string(),
    }
}

impl ProgressView {
    pub fn new(rows: Vec<Standing>, trend: Vec<u32>) -> Self {
        let (totals, all) = crate::app::progress::totals(&rows);
        // The counties ranked as regions (县区排名), for the county view.
        let region_ranks = crate::app::progress::region_standings(&rows, crate::app::now())
            .into_iter()
            .map(|r| (r.region_id, r.rank))
            .collect();
        let mut v = ProgressView {
            rows,
            totals,
            all,
            region_ranks,
            trend,
            page: 10,
            ..Default::default()
        };
        v.sort_rows();
        v
    }

    /// Fresh figures, keeping the view's mode and sort.
    pub fn refresh(&mut self, rows: Vec<Standing>, trend: Vec<u32>) {
        let fresh = ProgressView::new(rows, trend);
        self.rows = fresh.rows;
        self.totals = fresh.totals;
        self.region_ranks = fresh.region_ranks;
        self.all = fresh.all;
        self.trend = fresh.trend;
        self.stale = false;
        self.sort_rows();
    }

    fn sort_rows(&mut self) {
        let by = self.sort.unwrap_or(SortBy::Rank);
        let descending = by.descending() != self.reversed;
        let state_order = |s: &Standing, k: MilestoneKind| {
            s.milestones
                .iter()
                .find(|m| m.kind == k)
                .and_then(|m| m.state)
                .map(MilestoneState::order)
        };
        let rows = &mut self.rows;
        match by {
            SortBy::Rank => sort_by_column(
                rows,
                |s| s.rank.filter(|_| s.duty).map(|_| rank_key(s)),
                descending,
            ),
            SortBy::Unit => {
                sort_by_column(rows, |s| Some(sort_key(&s.unit)), descending);
            }
            SortBy::Milestone(k) => sort_by_column(rows, |s| state_order(s, k), descending),
            // The county view shows what is filed of what is required.
            SortBy::Share if self.by_county => sort_by_column(
                rows,
                |s| (s.figures.required > 0).then(|| s.figures.per_mille()),
                descending,
            ),
            SortBy::Share => sort_by_column(rows, |s| s.share, descending),
            SortBy::Claimed => sort_by_column(rows, |s| Some(s.figures.claimed), descending),
            SortBy::Required => sort_by_column(rows, |s| Some(s.figures.required), descending),
            SortBy::Filed => sort_by_column(rows, |s| Some(s.figures.filed), descending),
            // A unit is one unit: its county's units stay in rank order.
            SortBy::Units => sort_by_column(rows, |_| None::<u8>, descending),
            SortBy::Overdue => sort_by_column(rows, |s| Some(s.is_overdue()), descending),
        }
        // The counties sorted the same way as the units within them.
        let totals = &self.totals;
        let order = match by {
            SortBy::Unit => order_counties(totals, |t| Some(sort_key(&t.name)), descending),
            // Worst first: the most units yet to finish claiming.
            SortBy::Milestone(_) => order_counties(
                totals,
                |t| {
                    let units = t.units as i64;
                    let left = units - t.figures.claims_finished.clamp(0, units);
                    Some(left * 1000 / units.max(1))
                },
                descending,
            ),
            SortBy::Share => order_counties(
                totals,
                |t| (t.figures.required > 0).then(|| t.figures.per_mille()),
                descending,
            ),
            SortBy::Claimed => order_counties(totals, |t| Some(t.figures.claimed), descending),
            SortBy::Required => order_counties(totals, |t| Some(t.figures.required), descending),
            SortBy::Filed => order_counties(totals, |t| Some(t.figures.filed), descending),
            SortBy::Units => order_counties(totals, |t| Some(t.units), descending),
            SortBy::Overdue => order_counties(totals, |t| Some(t.overdue), descending),
            SortBy::Rank => (0..totals.len()).collect(),
        };
        // Each county's units, in one pass over the sorted rows.
        let mut units: HashMap<Id, Vec<usize>> = HashMap::new();
        for (i, r) in self.rows.iter().enumerate() {
            units.entry(r.region_id).or_default().push(i);
        }
        self.county_lines = order
            .into_iter()
            .map(|t| (t, &self.totals[t]))
            .flat_map(|(t, total)| {
                std::iter::once(CountyLine::Total(t)).chain(
                    units
                        .remove(&total.region_id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(CountyLine::Unit),
                )
            })
            .collect();
    }

    fn len(&self) -> usize {
        if self.by_county {
            self.county_lines.len()
        } else {
            self.rows.len()
        }
    }

    /// The unit under the cursor, in either view.
    fn unit_at_cursor(&self) -> Option<&Standing> {
        if self.by_county {
            match self.county_lines.get(self.cursor) {
                Some(CountyLine::Unit(i)) => self.rows.get(*i),
                _ => None,
            }
        } else {
            self.rows.get(self.cursor)
        }
    }

    pub fn handle(&mut self, action: Action) -> Outcome {
        if let Some(c) = super::moved(action, self.cursor, self.len(), self.page) {
            self.cursor = c;
            return Outcome::Stay;
        }
        match action {
            Action::SortBy => {
                let list: &[SortBy] = if self.by_county {
                    &SortBy::COUNTY
                } else {
                    &SortBy::ALL
                };
                // From the column sorted by (the rank when none, or before
                // the first where there is no rank), the next shown.
                let by = self.sort.unwrap_or(SortBy::Rank);
                let at = list.iter().position(|s| *s == by).unwrap_or(list.len() - 1);
                let next = (1..=list.len())
                    .map(|k| list[(at + k) % list.len()])
                    .find(|s| s.shown(self.by_county, self.narrow))
                    .unwrap_or(SortBy::Rank);
                self.sort = Some(next);
                self.reversed = false;
                self.sort_rows();
                Outcome::Say(format!("按{}排序", next.label(self.by_county)))
            }
            Action::SortReverse => {
                self.reversed = !self.reversed;
                self.sort_rows();
                let by = self.sort.unwrap_or(SortBy::Rank).label(self.by_county);
                Outcome::Say(if self.reversed {
                    format!("按{by}倒序排序")
                } else {
                    format!("按{by}排序")
                })
            }
            Action::ByCounty => {
                self.by_county = !self.by_county;
                self.cursor = 0;
                // A column the other view does not show sorts no more.
                if self
                    .sort
                    .is_some_and(|s| !s.shown(self.by_county, self.narrow))
                {
                    self.sort = None;
                    self.reversed = false;
                }
                // 完成率 there is what is filed of what is required.
                self.sort_rows();
                Outcome::Say(if self.by_county {
                    "按区划汇总（县区按区划排名）".into()
                } else {
                    format!(
                        "按单位列出，按{}{}",
                        self.sort.unwrap_or(SortBy::Rank).label(false),
                        if self.reversed { "倒序" } else { "排序" }
                    )
                })
            }
            Action::Toggle => match self.unit_at_cursor() {
                Some(s) => Outcome::Drill(s.unit_id, s.unit.clone()),
                None => Outcome::Say("区划合计行：移到其下的单位再查看明细".into()),
            },
            _ => Outcome::Stay,
        }
    }

    pub fn open_milestones(&mut self, items: Vec<Milestone>) {
        self.milestones = Some(MilestoneList {
            items,
            cursor: 0,
            input: None,
        });
    }

    /// Keys while the drill-down or the milestones are open: true when taken.
    pub fn on_key(&mut self, key: KeyEvent, may_edit: bool) -> (bool, Outcome) {
        if self.drill.is_some() {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                self.drill = None;
            }
            return (true, Outcome::Stay);
        }
        let Some(m) = &mut self.milestones else {
            return (false, Outcome::Stay);
        };
        if let Some(input) = &mut m.input {
            match key.code {
                KeyCode::Esc => m.input = None,
                KeyCode::Enter => {
                    let text = input.value().to_string();
                    return match (parse_time(&text), m.items.get(m.cursor)) {
                        (Ok(t), Some(ms)) => {
                            m.input = None;
                            (true, Outcome::SetDue(ms.key.clone(), t, ms.version))
                        }
                        (Err(e), _) => (true, Outcome::Say(e)),
                        _ => (true, Outcome::Stay),
                    };
                }
                _ => {
                    input.handle_event(&Event::Key(key));
                }
            }
            return (true, Outcome::Stay);
        }
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => self.milestones = None,
            KeyCode::Up | KeyCode::Char('k') => m.cursor = m.cursor.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                m.cursor = (m.cursor + 1).min(m.items.len().saturating_sub(1))
            }
            KeyCode::Enter if may_edit => {
                if let Some(ms) = m.items.get(m.cursor) {
                    m.input = Some(Input::new(format_time(ms.due_at)));
                }
            }
            KeyCode::Enter => {
                return (
                    true,
                    Outcome::Say("只有协调员和平台管理员可以调整时间节点".into()),
                );
            }
            _ => {}
        }
        (true, Outcome::Stay)
    }

    /// Pasted text into the due time being typed: true when taken.
    pub fn on_paste(&mut self, text: &str) -> bool {
        match self.milestones.as_mut().and_then(|m| m.input.as_mut()) {
            Some(input) => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    input.handle(tui_input::InputRequest::InsertChar(c));
                }
                true
            }
            None => false,
        }
    }

    /// The table's keys, for the help and the key hints.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .action_as(Action::Toggle, "该单位未完成的工作", "未完成明细")
            .action(Action::SortBy)
            .action(Action::SortReverse)
            .action(Action::ByCounty)
            .action_as(
                Action::Milestones,
                "时间节点（协调员可调整截止时间）",
                "时间节点",
            )
            .moves()
            .build()
    }

    /// True while a due time is being typed.
    pub fn typing(&self) -> bool {
        self.milestones.as_ref().is_some_and(|m| m.input.is_some())
    }

    /// The keys of the drill-down or the milestones, when one is open (the
    /// same keys `on_key` reads).
    pub fn overlay_commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
        may_edit: bool,
    ) -> Option<(&'static str, Vec<crate::tui::commands::Command>)> {
        use crate::tui::commands::Commands;
        if self.drill.is_some() {
            let list = Commands::new(keymap).text("Esc/Enter/q", "返回进度表", true);
            return Some(("未完成的工作", list.build()));
        }
        let m = self.milestones.as_ref()?;
        let list = if m.input.is_some() {
            Commands::new(keymap)
                .text("字符", "输入新的截止时间（如 2026-12-01 17:00）", false)
                .key(KeyCode::Enter, "改为这个时间", "确定")
                .key(KeyCode::Esc, "不改", "取消")
        } else {
            Commands::new(keymap)
                .when(may_edit, |c| {
                    c.key(KeyCode::Enter, "调整所选时间节点的截止时间", "调整")
                })
                .text("Up/k  Down/j", "上移、下移", false)
                .text("Esc/q", "关闭", true)
        };
        Some(("时间节点", list.build()))
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect, focused: bool) {
        let title = format!(
            " 进度（{} 个单位，全市已填报 {}，近 {} 天：[{}]） ",
            self.rows.len(),
            percent(&self.all).trim(),
            self.trend.len(),
            trend_line(&self.trend)
        );
        let b = block(title, focused);
        // Below 100 columns: no bars, short states, so names stay readable.
        let wide = area.width >= 100;
        self.narrow = !wide;
        let bar_w = if wide { 16 } else { 7 };
        let by = self.sort.unwrap_or(SortBy::Rank);
        let ascending = by.descending() == self.reversed;
        let head = |label: &str, column: SortBy| sorted_label(label, column, by, ascending);
        let inner_height = b.inner(area).height.saturating_sub(1) as usize;
        self.page = inner_height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if inner_height > 0 && self.cursor >= self.offset + inner_height {
            self.offset = self.cursor + 1 - inner_height;
        }
        let bold = crate::tui::theme::current().heading();
        let table = if self.by_county {
            let header = Row::new([
                head("区划", SortBy::Unit),
                head("单位", SortBy::Units),
                head("认领", SortBy::Claimed),
                head("认领完成", SortBy::Milestone(MilestoneKind::Claims)),
                head("应填", SortBy::Required),
                head("已填报", SortBy::Filed),
                head("完成率", SortBy::Share),
                head("逾期单位", SortBy::Overdue),
            ])
            .style(bold);
            // What the fixed columns (and the gaps and borders) leave the
            // names: cut with an ellipsis rather than at the column's edge.
            let name_w = (area.width as usize).saturating_sub(42 + bar_w as usize + 7 + 2);
            let rows = self
                .county_lines
                .iter()
                .enumerate()
                .skip(self.offset)
                .take(inner_height)
                .map(|(i, line)| {
                    let row = match *line {
                        CountyLine::Total(t) => {
                            let t = &self.totals[t];
                            let f = &t.figures;
                            // A county's rank as a region; the city's own units have none.
                            let name = match self.region_ranks.get(&t.region_id) {
                                Some(r) => format!("{r} {}", t.name),
                                None => t.name.clone(),
                            };
                            let name = fit(&name, name_w);
                            Row::new([
                                Cell::from(name),
                                Cell::from(t.units.to_string()),
                                Cell::from(f.claimed.to_string()),
                                Cell::from(format!("{}/{}", f.claims_finished, t.units)),
                                Cell::from(f.required.to_string()),
                                Cell::from(f.filed.to_string()),
                                Cell::from(completion(f, wide)),
                                Cell::from(if t.overdue > 0 {
                                    format!("!{}", t.overdue)
                                } else {
                                    "0".into()
                                }),
                            ])
                            .style(bold)
                        }
                        CountyLine::Unit(u) => {
                            let s = &self.rows[u];
                            let f = &s.figures;
                            let overdue = s.is_overdue();
                            Row::new([
                                Cell::from(format!("  {}", fit(&s.unit, name_w.saturating_sub(2)))),
                                Cell::from(""),
                                Cell::from(f.claimed.to_string()),
                                Cell::from(state_text(s.claims_state, false)),
                                Cell::from(f.required.to_string()),
                                Cell::from(f.filed.to_string()),
                                Cell::from(completion(f, wide)),
                                Cell::from(if overdue { "!" } else { "" }),
                            ])
                            .style(if overdue {
                                crate::tui::theme::current().overdue()
                            } else {
                                Style::new()
                            })
                        }
                    };
                    table_row(row, i == self.cursor)
                });
            Table::new(
                rows,
                [
                    Constraint::Min(16),
                    // Room for the arrows: “单位▼”, “逾期单位▼”.
                    Constraint::Length(5),
                    Constraint::Length(6),
                    Constraint::Length(9),
                    Constraint::Length(6),
                    Constraint::Length(7),
                    Constraint::Length(bar_w),
                    Constraint::Length(9),
                ],
            )
            .header(header)
        } else {
            let mut labels = vec![head("排名", SortBy::Rank), head("单位", SortBy::Unit)];
            labels.extend(MilestoneKind::ALL.iter().map(|k| {
                // Four characters and an arrow do not fit in 8 columns.
                let label = if wide && by != SortBy::Milestone(*k) {
                    k.label()
                } else {
                    k.short_label()
                };
                head(label, SortBy::Milestone(*k))
            }));
            labels.push(head("完成度", SortBy::Share));
            if wide {
                labels.extend([
                    head("认领数", SortBy::Claimed),
                    head("应填", SortBy::Required),
                    head("已填报", SortBy::Filed),
                ]);
            }
            let header = Row::new(labels).style(bold);
            // What the fixed columns leave the name (and their gaps); 完成度
            // is 7 wide when narrow, for its arrow.
            let fixed = if wide {
                5 + 5 * 8 + 13 + 3 * 7 + 10
            } else {
                5 + 5 * 6 + 7 + 7
            };
            let name_w = (area.width as usize).saturating_sub(fixed + 2).max(8);
            let rows = self
                .rows
                .iter()
                .enumerate()
                .skip(self.offset)
                .take(inner_height)
                .map(|(i, s)| {
                    let f = &s.figures;
                    let overdue = s.is_overdue();
                    let mut cells = vec![
                        Cell::from(format!(
                            "{}{}",
                            if overdue { "!" } else { " " },
                            s.rank_text()
                        )),
                        Cell::from(fit(&s.unit, name_w)),
                    ];
                    cells.extend(MilestoneKind::ALL.iter().map(|k| {
                        let m = s.milestones.iter().find(|m| m.kind == *k);
                        Cell::from(milestone_cell(m, wide))
                            .style(crate::tui::theme::current().milestone(m.and_then(|m| m.state)))
                    }));
                    cells.push(Cell::from(match (s.share, wide) {
                        (None, _) => "—".to_string(),
                        (Some(pm), true) => format!("{} {:>3}%", bar(pm, 8), whole_percent(pm)),
                        (Some(pm), false) => format!("{:>3}%", whole_percent(pm)),
                    }));
                    if wide {
                        cells.extend([
                            Cell::from(f.claimed.to_string()),
                            Cell::from(f.required.to_string()),
                            Cell::from(f.filed.to_string()),
                        ]);
                    }
                    let mut row = Row::new(cells);
                    if overdue {
                        // Red where colour is on; “!” and bold either way.
                        row = row.style(crate::tui::theme::current().overdue());
                    }
                    table_row(row, i == self.cursor)
                });
            let mut widths = vec![Constraint::Length(5), Constraint::Min(10)];
            widths.extend([Constraint::Length(if wide { 8 } else { 6 }); 5]);
            widths.push(Constraint::Length(if wide { 13 } else { 7 }));
            if wide {
                widths.extend([Constraint::Length(7); 3]);
            }
            Table::new(rows, widths).header(header)
        };
        frame.render_widget(table.block(b), area);
    }

    /// The drill-down and the milestones, over the whole window.
    pub fn draw_overlays(&self, frame: &mut Frame, area: Rect) {
        if let Some((unit, m)) = &self.drill {
            let rect = overlay(frame, area);
            let b = block(format!(" {unit}：未完成的工作（Esc 返回） "), true);
            let inner = b.inner(rect);
            frame.render_widget(b, rect);
            let mut lines = Vec::new();
            if m.code_missing {
                lines.push(Line::from(format!(
                    "{}：检查实施清单不能完整，请管理员用 jianguan unit set 设置",
                    crate::domain::subject::CODE_MISSING
                )));
            }
            lines.push(Line::from(match m.claims_finished_at {
                Some(t) => format!("认领：已于 {} 完成", format_time(t)),
                None => "认领：尚未确认认领完成".into(),
            }));
            lines.push(Line::from(format!(
                "检查实施清单：{} 份未填报",
                m.checklists.len()
            )));
            // Tags of one width, as pane 3 has them, so the codes line up.
            lines.extend(m.checklists.iter().map(|(code, name, state)| {
                let tag = super::checklists::tag_label(state);
                Line::from(format!("  {tag} {code} {name}"))
            }));
            lines.push(Line::from(format!(
                "地方监管事项：{} 项未提交审核",
                m.local_items.len()
            )));
            let widest = m
                .local_items
                .iter()
                .map(|(_, _, state)| unicode_width::UnicodeWidthStr::width(state.as_str()))
                .max()
                .unwrap_or(0);
            lines.extend(m.local_items.iter().map(|(code, name, state)| {
                let pad = widest - unicode_width::UnicodeWidthStr::width(state.as_str());
                Line::from(format!("  [{state}]{} {code} {name}", " ".repeat(pad)))
            }));
            // Long names end in an ellipsis rather than at the border.
            let lines: Vec<Line> = lines
                .into_iter()
                .map(|l| Line::from(fit(&l.to_string(), inner.width as usize)))
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }
        if let Some(m) = &self.milestones {
            let rect = overlay(frame, area);
            let b = block(" 时间节点（Enter 调整截止时间，Esc 关闭） ".into(), true);
            let inner = b.inner(rect);
            frame.render_widget(b, rect);
            let [list, input] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            let lines: Vec<Line> = m
                .items
                .iter()
                .enumerate()
                .map(|(i, ms)| {
                    highlighted(
                        Line::from(format!(
                            "{}  {}（{}）",
                            format_time(ms.due_at),
                            ms.name,
                            ms.audience.label()
                        )),
                        i == m.cursor,
                    )
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
            if let Some(field) = &m.input {
                let prompt = "新的截止时间：";
                frame.render_widget(Paragraph::new(format!("{prompt}{}", field.value())), input);
                let x = input.x
                    + unicode_width::UnicodeWidthStr::width(prompt) as u16
                    + field.visual_cursor() as u16;
                if x < input.right() {
                    frame.set_cursor_position((x, input.y));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_trends_are_ascii_and_proportional() {
        crate::tui::theme::set(crate::tui::theme::Theme::new(true, false));
        assert_eq!(bar(500, 10), "#####.....");
        assert_eq!(bar(0, 4), "....");
        assert_eq!(bar(1000, 4), "####");
        assert_eq!(trend_line(&[0, 500, 1000]), " +@");
    }
}
