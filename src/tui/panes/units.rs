//! 单位与账号 (overlay): the units a platform_admin, coordinator or
//! county_admin looks after — 区划, 统一社会信用代码, whether each has an
//! admin and a liaison — and, expanded, a unit's accounts. Read-only: the
//! footer says which shell commands make the changes.

use crate::app::views::{UnitAccount, UnitOverview};
use crate::domain::Id;
use crate::search::pinyin::sort_key;
use crate::tui::action::Action;
use crate::tui::draw::fit;
use crate::tui::draw::{block, overlay, row};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::HashSet;
use unicode_width::UnicodeWidthStr;

/// Widths of the fixed columns; the unit name takes what is left.
const REGION_W: usize = 8;
const CODE_W: usize = 18;
const MARK_W: usize = 6;
const COUNT_W: usize = 4;
/// The name column never narrower than this, even on a tiny screen.
const NAME_MIN: usize = 10;

const FOOTER: &str = "修改用命令 jianguan unit set / account add（见 --help）";

/// A screen line of the list: a unit, or one of its accounts under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Unit(usize),
    Account(usize, usize),
    /// An expanded unit that has no account.
    Empty(usize),
}

/// What the list is sorted by (`o` switches, `O` turns it around).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Order {
    /// 区划 in code order (市直 first), each region's units by name.
    #[default]
    Region,
    /// Units by name, whatever their region.
    Name,
}

pub struct UnitsView {
    rows: Vec<UnitOverview>,
    order: Order,
    reversed: bool,
    /// The selected unit (accounts are shown, not selected).
    cursor: usize,
    /// Expanded units, by id so that a re-read keeps them.
    expanded: HashSet<Id>,
    /// First screen line shown, and how many fit (set when drawn).
    offset: usize,
    page: usize,
}

impl UnitsView {
    /// `rows` in region code order, as the store lists them.
    pub fn new(rows: Vec<UnitOverview>) -> Self {
        let mut v = UnitsView {
            rows: Vec::new(),
            order: Order::default(),
            reversed: false,
            cursor: 0,
            expanded: HashSet::new(),
            offset: 0,
            page: 10,
        };
        v.rows = v.sorted(rows);
        v
    }

    /// The rows in the view's order; names by pinyin (the one key every
    /// table sorts names by).
    fn sorted(&self, rows: Vec<UnitOverview>) -> Vec<UnitOverview> {
        use std::collections::HashMap;
        let mut regions: HashMap<String, usize> = HashMap::new();
        for r in &rows {
            let next = regions.len();
            regions.entry(r.region.clone()).or_insert(next);
        }
        let mut keyed: Vec<((usize, String), UnitOverview)> = rows
            .into_iter()
            .map(|r| {
                let region = match self.order {
                    Order::Region => regions.get(&r.region).copied().unwrap_or(0),
                    Order::Name => 0,
                };
                ((region, sort_key(&r.name)), r)
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| a.cmp(b));
        if self.reversed {
            keyed.reverse();
        }
        keyed.into_iter().map(|(_, r)| r).collect()
    }

    /// Sorts again, the same unit staying selected.
    fn resort(&mut self) {
        let selected = self.rows.get(self.cursor).map(|r| r.unit_id);
        let rows = std::mem::take(&mut self.rows);
        self.rows = self.sorted(rows);
        self.cursor = selected
            .and_then(|id| self.rows.iter().position(|r| r.unit_id == id))
            .unwrap_or(0);
    }

    /// Fresh rows after others' commits: the same unit stays selected.
    pub fn reload(&mut self, rows: Vec<UnitOverview>) {
        let selected = self.rows.get(self.cursor).map(|r| r.unit_id);
        self.rows = self.sorted(rows);
        self.cursor = selected
            .and_then(|id| self.rows.iter().position(|r| r.unit_id == id))
            .unwrap_or(self.cursor)
            .min(self.rows.len().saturating_sub(1));
    }

    pub fn rows(&self) -> &[UnitOverview] {
        &self.rows
    }

    /// “共 44 个单位：12 个未设置统一社会信用代码，40 个无管理员，41 个无联络人”
    pub fn summary(&self) -> String {
        let count = |f: fn(&UnitOverview) -> bool| self.rows.iter().filter(|r| f(r)).count();
        format!(
            "共 {} 个单位：{} 个未设置统一社会信用代码，{} 个无管理员，{} 个无联络人",
            self.rows.len(),
            count(|r| r.uscc.is_none()),
            count(|r| !r.has_admin),
            count(|r| !r.has_liaison),
        )
    }

    /// Movement over the units, and expanding; the caller closes.
    pub fn handle(&mut self, action: Action) {
        if let Some(c) = super::moved(action, self.cursor, self.rows.len(), self.page) {
            self.cursor = c;
            return;
        }
        let Some(id) = self.rows.get(self.cursor).map(|r| r.unit_id) else {
            return;
        };
        match action {
            Action::SortBy => {
                self.order = match self.order {
                    Order::Region => Order::Name,
                    Order::Name => Order::Region,
                };
                self.reversed = false;
                self.resort();
            }
            Action::SortReverse => {
                self.reversed = !self.reversed;
                self.resort();
            }
            Action::Toggle => {
                let was_open = self.expanded.remove(&id);
                if !was_open {
                    self.expanded.insert(id);
                }
            }
            Action::Expand => {
                self.expanded.insert(id);
            }
            Action::Collapse => {
                self.expanded.remove(&id);
            }
            Action::ExpandAll => self.expanded = self.rows.iter().map(|r| r.unit_id).collect(),
            Action::CollapseAll => self.expanded.clear(),
            _ => {}
        }
    }

    fn items(&self) -> Vec<Item> {
        let mut out = Vec::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            out.push(Item::Unit(i));
            if self.expanded.contains(&r.unit_id) {
                if r.accounts.is_empty() {
                    out.push(Item::Empty(i));
                }
                out.extend((0..r.accounts.len()).map(|j| Item::Account(i, j)));
            }
        }
        out
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect) {
        let rect = overlay(frame, area);
        let b = block(
            " 单位与账号（Enter 展开/收起账号，o/O 排序，Esc 关闭） ".into(),
            true,
        );
        let inner = b.inner(rect);
        frame.render_widget(b, rect);
        let width = inner.width as usize;
        let bold = crate::tui::theme::current().heading();
        let summary = self.summary();
        // A summary wider than the overlay goes on two lines, cut after the
        // total, so that each count stays whole where it can.
        let head: Vec<Line> = match summary.split_once('：') {
            Some((total, rest)) if summary.width() > width => vec![
                Line::styled(fit(&format!("{total}："), width), bold),
                Line::styled(fit(rest, width), bold),
            ],
            _ => vec![Line::styled(fit(&summary, width), bold)],
        };
        let [top, header, list, foot] = Layout::vertical([
            Constraint::Length(head.len() as u16),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(head), top);
        let name_w = width
            .saturating_sub(REGION_W + CODE_W + 2 * MARK_W + COUNT_W + 5)
            .max(NAME_MIN);
        let columns = |name: &str, region: &str, code: &str, admin: &str, liaison: &str| {
            format!(
                "{} {} {} {} {} ",
                pad(name, name_w),
                pad(region, REGION_W),
                pad(code, CODE_W),
                pad(admin, MARK_W),
                pad(liaison, MARK_W),
            )
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    "{}{}",
                    columns(
                        &self.header(Order::Name, "单位"),
                        &self.header(Order::Region, "区划"),
                        "统一社会信用代码",
                        "管理员",
                        "联络人"
                    ),
                    right("账号", COUNT_W)
                ),
                bold,
            )),
            header,
        );
        if self.rows.is_empty() {
            frame.render_widget(Paragraph::new("没有单位"), list);
        } else {
            let items = self.items();
            let height = list.height as usize;
            self.page = height.max(1);
            self.scroll_into_view(&items, height);
            let yes_no = |b: bool| if b { "有" } else { "无" };
            let lines: Vec<Line> = items
                .iter()
                .skip(self.offset)
                .take(height)
                .map(|item| match *item {
                    Item::Unit(i) => {
                        let r = &self.rows[i];
                        let text = columns(
                            &r.name,
                            &r.region,
                            r.uscc.as_deref().unwrap_or("未设置"),
                            yes_no(r.has_admin),
                            yes_no(r.has_liaison),
                        );
                        let count = right(&r.accounts.len().to_string(), COUNT_W);
                        // What is missing stands out, without colour too.
                        let missing = r.uscc.is_none() || !r.has_admin || !r.has_liaison;
                        let line = if missing {
                            Line::from(vec![Span::raw(text), Span::styled(count, bold)])
                        } else {
                            Line::from(format!("{text}{count}"))
                        };
                        row(line, i == self.cursor)
                    }
                    Item::Account(i, j) => {
                        Line::from(fit(&account_line(&self.rows[i].accounts[j]), width))
                    }
                    Item::Empty(_) => Line::from("    （没有账号）"),
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
        }
        frame.render_widget(Paragraph::new(fit(FOOTER, width)), foot);
    }

    /// A column's name with ▲ (▼ turned around) when the list is sorted by it.
    fn header(&self, order: Order, label: &str) -> String {
        match (self.order == order, self.reversed) {
            (false, _) => label.to_string(),
            (true, false) => format!("{label}{}", crate::tui::theme::current().sort_mark(true)),
            (true, true) => format!("{label}{}", crate::tui::theme::current().sort_mark(false)),
        }
    }

    /// Keeps the selected unit on screen and, when it is expanded, as many
    /// of its accounts as fit below it.
    fn scroll_into_view(&mut self, items: &[Item], height: usize) {
        let at = items
            .iter()
            .position(|it| *it == Item::Unit(self.cursor))
            .unwrap_or(0);
        let end = items[at..]
            .iter()
            .skip(1)
            .position(|it| matches!(it, Item::Unit(_)))
            .map_or(items.len(), |n| at + 1 + n);
        if at < self.offset {
            self.offset = at;
        }
        if height > 0 && end > self.offset + height {
            self.offset = (end - height).min(at);
        }
        self.offset = self.offset.min(items.len().saturating_sub(height.max(1)));
    }
}

/// “    zhaolei      赵磊     部门管理员   联络人 有效 13838000010”
fn account_line(a: &UnitAccount) -> String {
    format!(
        "    {} {} {} {} {} {}",
        pad(&a.login, 12),
        pad(&a.name, 8),
        pad(a.role.label(), 12),
        pad(if a.is_liaison { "联络人" } else { "" }, MARK_W),
        pad(if a.active { "有效" } else { "已停用" }, MARK_W),
        a.mobile
    )
}

/// The text cut to `width` columns and aligned right (`{:>n}` counts
/// characters, not columns).
fn right(text: &str, width: usize) -> String {
    let s = fit(text, width);
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

/// The text cut or padded with spaces to exactly `width` columns.
fn pad(text: &str, width: usize) -> String {
    let mut s = fit(text, width);
    let w = s.width();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    s
}

impl UnitsView {
    /// The overlay's keys (the app closes it on Esc, quit or its own key).
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .action_as(Action::Toggle, "展开或收起该单位的账号", "展开/收起")
            .actions(&[Action::Expand, Action::Collapse], "展开、收起")
            .action(Action::ExpandAll)
            .action(Action::CollapseAll)
            .action_as(Action::SortBy, "按区划或按单位名称（拼音）排序", "排序")
            .action(Action::SortReverse)
            .moves()
            .text(
                &format!(
                    "Esc/{}/{}",
                    keymap.keys_of(Action::Quit),
                    keymap.keys_of(Action::Units)
                ),
                "关闭",
                true,
            )
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_pad_count_chinese_twice() {
        crate::tui::theme::set(crate::tui::theme::Theme::new(true, false));
        assert_eq!(fit("郑州市市场监督管理局", 20), "郑州市市场监督管理局");
        assert_eq!(fit("郑州市市场监督管理局", 11), "郑州市市...");
        assert_eq!(fit("郑州市市场监督管理局", 12), "郑州市市...");
        assert_eq!(fit("郑州市", 2), "..");
        assert_eq!(pad("区划", 8), "区划    ");
        assert_eq!(pad("管城回族区", 8).width(), 8);
        assert_eq!(right("账号", 4), "账号");
        assert_eq!(right("7", 4), "   7");
    }
}
