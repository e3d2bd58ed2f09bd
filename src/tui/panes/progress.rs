//! 进度: one row per unit (ranked), or per county summed; milestone states
//! marked in text so they survive NO_COLOR; sortable; the city's daily
//! completion as an ASCII trend; a unit's missing work on Enter; the
//! milestones, which coordinators move from here.

use crate::app::progress::{Figures, Missing, Standing, Total};
use crate::domain::progress::{MilestoneKind, MilestoneState, MilestoneStatus};
use crate::domain::{Id, Milestone, Timestamp, format_time, parse_time};
use crate::tui::action::Action;
use crate::tui::draw::{block, colour, fit, overlay, row as highlighted, table_row};
use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
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

    fn label(self) -> &'static str {
        match self {
            SortBy::Rank => "排名",
            SortBy::Unit => "单位（拼音）",
            SortBy::Milestone(k) => k.label(),
            SortBy::Share => "完成度",
            SortBy::Claimed => "认领数",
            SortBy::Required => "应填清单",
            SortBy::Filed => "已填报",
        }
    }
}

/// A name as pinyin, for sorting Chinese names as people look them up
/// (code point order puts 郑 before 二).
fn pinyin_key(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .map(|c| {
            c.to_pinyin()
                .map_or_else(|| c.to_string(), |p| p.plain().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
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

/// A completion bar drawn with ASCII, so it survives every terminal.
fn bar(per_mille: u32, width: usize) -> String {
    let filled = (per_mille as usize * width + 500) / 1000;
    format!(
        "{}{}",
        "#".repeat(filled.min(width)),
        ".".repeat(width - filled.min(width))
    )
}

/// A trend in ASCII, one character a day (Unicode blocks have ambiguous
/// width in CJK terminals).
fn trend_line(values: &[u32]) -> String {
    const LEVELS: &[u8] = b" .:-=+*#%@";
    values
        .iter()
        .map(|v| LEVELS[(*v as usize * (LEVELS.len() - 1)) / 1000] as char)
        .collect()
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
        // Worst first for states (those to chase), most first for counts;
        // ties in rank order. `O` turns any of them the other way.
        let state_order = |s: &Standing, k: MilestoneKind| {
            s.milestones
                .iter()
                .find(|m| m.kind == k)
                .and_then(|m| m.state)
                .map_or(0, |st| st.order() + 1)
        };
        let group = |s: &Standing| (!s.duty, s.level, s.region_id);
        match by {
            // 市直 first, then each county's units; unranked last.
            SortBy::Rank => self
                .rows
                .sort_by_key(|s| (group(s), s.rank_order(), s.unit_id)),
            SortBy::Unit => self.rows.sort_by_cached_key(|s| pinyin_key(&s.unit)),
            SortBy::Milestone(k) => self.rows.sort_by_key(|s| {
                (
                    std::cmp::Reverse(state_order(s, k)),
                    group(s),
                    s.rank_order(),
                )
            }),
            SortBy::Share => self.rows.sort_by_key(|s| {
                (
                    s.share.is_none(),
                    std::cmp::Reverse(s.share.unwrap_or(0)),
                    group(s),
                    s.rank_order(),
                )
            }),
            SortBy::Claimed => self
                .rows
                .sort_by_key(|s| (std::cmp::Reverse(s.figures.claimed), s.rank_order())),
            SortBy::Required => self
                .rows
                .sort_by_key(|s| (std::cmp::Reverse(s.figures.required), s.rank_order())),
            SortBy::Filed => self
                .rows
                .sort_by_key(|s| (std::cmp::Reverse(s.figures.filed), s.rank_order())),
        }
        if self.reversed {
            self.rows.reverse();
        }
        // Each county's units, in one pass over the sorted rows.
        let mut units: HashMap<Id, Vec<usize>> = HashMap::new();
        for (i, r) in self.rows.iter().enumerate() {
            units.entry(r.region_id).or_default().push(i);
        }
        self.county_lines = self
            .totals
            .iter()
            .enumerate()
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
                let i = SortBy::ALL
                    .iter()
                    .position(|s| Some(*s) == self.sort)
                    .map_or(1, |i| (i + 1) % SortBy::ALL.len());
                self.sort = Some(SortBy::ALL[i]);
                self.reversed = false;
                self.sort_rows();
                Outcome::Say(format!("按{}排序", SortBy::ALL[i].label()))
            }
            Action::SortReverse => {
                self.reversed = !self.reversed;
                self.sort_rows();
                let by = self.sort.unwrap_or(SortBy::Rank).label();
                Outcome::Say(if self.reversed {
                    format!("按{by}倒序排序")
                } else {
                    format!("按{by}排序")
                })
            }
            Action::ByCounty => {
                self.by_county = !self.by_county;
                self.cursor = 0;
                Outcome::Say(if self.by_county {
                    "按区划汇总（县区按区划排名）".into()
                } else {
                    format!(
                        "按单位列出，按{}{}",
                        self.sort.unwrap_or(SortBy::Rank).label(),
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

    pub fn hints() -> &'static [Action] {
        &[
            Action::Toggle,
            Action::SortBy,
            Action::SortReverse,
            Action::ByCounty,
            Action::Milestones,
        ]
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
        let bar_w = if wide { 16 } else { 7 };
        let inner_height = b.inner(area).height.saturating_sub(1) as usize;
        self.page = inner_height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if inner_height > 0 && self.cursor >= self.offset + inner_height {
            self.offset = self.cursor + 1 - inner_height;
        }
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let table = if self.by_county {
            let header = Row::new([
                "区划",
                "单位",
                "认领",
                "认领完成",
                "应填",
                "已填报",
                "完成率",
                "逾期单位",
            ])
            .style(bold);
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
                                Cell::from(format!("  {}", s.unit)),
                                Cell::from(""),
                                Cell::from(f.claimed.to_string()),
                                Cell::from(state_text(s.claims_state, false)),
                                Cell::from(f.required.to_string()),
                                Cell::from(f.filed.to_string()),
                                Cell::from(completion(f, wide)),
                                Cell::from(if overdue { "!" } else { "" }),
                            ])
                            .style(if overdue && colour() {
                                Style::new().fg(ratatui::style::Color::Red)
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
                    Constraint::Length(4),
                    Constraint::Length(6),
                    Constraint::Length(8),
                    Constraint::Length(6),
                    Constraint::Length(6),
                    Constraint::Length(bar_w),
                    Constraint::Length(8),
                ],
            )
            .header(header)
        } else {
            let mut head = vec!["排名", "单位"];
            head.extend(
                MilestoneKind::ALL
                    .iter()
                    .map(|k| if wide { k.label() } else { k.short_label() }),
            );
            head.push("完成度");
            if wide {
                head.extend(["认领数", "应填", "已填报"]);
            }
            let header = Row::new(head).style(bold);
            // What the fixed columns leave the name (and their gaps).
            let fixed = if wide {
                5 + 5 * 8 + 13 + 3 * 6 + 10
            } else {
                5 + 5 * 6 + 6 + 7
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
                        Cell::from(milestone_cell(
                            s.milestones.iter().find(|m| m.kind == *k),
                            wide,
                        ))
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
                        row = row.style(if colour() {
                            bold.fg(ratatui::style::Color::Red)
                        } else {
                            bold
                        });
                    }
                    table_row(row, i == self.cursor)
                });
            let mut widths = vec![Constraint::Length(5), Constraint::Min(10)];
            widths.extend([Constraint::Length(if wide { 8 } else { 6 }); 5]);
            widths.push(Constraint::Length(if wide { 13 } else { 6 }));
            if wide {
                widths.extend([Constraint::Length(6); 3]);
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
            lines.extend(
                m.checklists
                    .iter()
                    .map(|(code, name, state)| Line::from(format!("  [{state}] {code} {name}"))),
            );
            lines.push(Line::from(format!(
                "地方监管事项：{} 项未提交审核",
                m.local_items.len()
            )));
            lines.extend(
                m.local_items
                    .iter()
                    .map(|(code, name, state)| Line::from(format!("  [{state}] {code} {name}"))),
            );
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
        assert_eq!(bar(500, 10), "#####.....");
        assert_eq!(bar(0, 4), "....");
        assert_eq!(bar(1000, 4), "####");
        assert_eq!(trend_line(&[0, 500, 1000]), " =@");
    }
}
