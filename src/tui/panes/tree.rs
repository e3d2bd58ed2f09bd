//! 事项目录: 监管部门 → 主项 → 子项, with the current unit's marks, filters
//! that combine, and rendering of only the rows on screen.

use crate::app::views::TreeRow;
use crate::domain::{Category, ChecklistState, Id, ItemStatus, Source};
use crate::tui::action::Action;
use crate::tui::draw::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::HashSet;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone)]
pub struct Sub {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub category: Category,
    pub classified: bool,
    pub status: ItemStatus,
}

#[derive(Debug, Clone)]
pub struct Main {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub source: Source,
    pub subs: Vec<Sub>,
}

#[derive(Debug, Clone)]
pub struct Department {
    pub name: String,
    pub mains: Vec<Main>,
    /// Sub-items in it (known before the items themselves are loaded).
    pub total: usize,
}

/// A visible row: indices into departments, main items, sub-items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Department(usize),
    Main(usize, usize),
    Sub(usize, usize, usize),
}

/// Filters, all of which must hold for a sub-item to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Claimed by the current unit.
    pub mine: bool,
    /// Not claimed by the current unit.
    pub unclaimed: bool,
    pub category: Option<Category>,
    pub source: Option<Source>,
    pub department: Option<String>,
    /// Suggested for the unit (建议认领) and not claimed yet.
    pub suggested: bool,
}

impl Filter {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.mine {
            parts.push("本单位已认领".to_string());
        }
        if self.unclaimed {
            parts.push("未认领".to_string());
        }
        if let Some(c) = self.category {
            parts.push(c.label().to_string());
        }
        if let Some(s) = self.source {
            parts.push(format!("{}事项", s.label()));
        }
        if let Some(d) = &self.department {
            parts.push(d.clone());
        }
        if self.suggested {
            parts.push("建议认领".to_string());
        }
        parts.join(" + ")
    }
}

pub use crate::app::views::Marks;

#[derive(Debug, Clone, Default)]
pub struct CatalogueTree {
    pub departments: Vec<Department>,
    pub marks: Marks,
    pub filter: Filter,
    expanded_departments: HashSet<usize>,
    expanded_mains: HashSet<Id>,
    visible: Vec<Node>,
    cursor: usize,
    offset: usize,
    /// Rows on screen at the last draw, for paging.
    page: usize,
    /// Rows under the cursor to bring on screen at the next draw (a
    /// department or main item just opened by a search).
    reveal: usize,
    /// Only the departments are known yet; the items are being read.
    pub loading: bool,
    /// Sub-items marked for the next bulk action (标记).
    picked: HashSet<Id>,
    /// The row last marked: one end of a range mark.
    anchor: Option<(u8, String)>,
    /// Suggested claims of the unit → why (read when the filter is turned
    /// on: a scan of the whole catalogue, not worth doing on every commit).
    suggestions: std::collections::HashMap<Id, String>,
}

fn category_char(c: Category) -> &'static str {
    match c {
        Category::Inspection => "检",
        Category::Penalty => "罚",
        Category::Enforcement => "强",
        Category::Other => "他",
    }
}

impl CatalogueTree {
    /// Builds the tree. `show_classified` decides for 涉密 sub-items the
    /// unit does not claim (shown only to a platform_admin).
    pub fn new(rows: Vec<TreeRow>, marks: Marks, show_classified: bool) -> Self {
        let mut departments: Vec<Department> = Vec::new();
        for r in rows {
            if r.classified && !show_classified && !marks.claims.contains_key(&r.sub_id) {
                continue;
            }
            if departments.last().is_none_or(|d| d.name != r.department) {
                departments.push(Department {
                    name: r.department.clone(),
                    mains: Vec::new(),
                    total: 0,
                });
            }
            let dept = departments.last_mut().expect("pushed above");
            dept.total += 1;
            if dept.mains.last().is_none_or(|m| m.id != r.main_id) {
                dept.mains.push(Main {
                    id: r.main_id,
                    code: r.main_code,
                    name: r.main_name,
                    source: r.source,
                    subs: Vec::new(),
                });
            }
            dept.mains.last_mut().expect("pushed above").subs.push(Sub {
                id: r.sub_id,
                code: r.sub_code,
                name: r.sub_name,
                category: r.category,
                classified: r.classified,
                status: r.status,
            });
        }
        let mut tree = CatalogueTree {
            departments,
            marks,
            page: 10,
            ..Default::default()
        };
        tree.rebuild();
        tree
    }

    /// New marks of the current unit (another process claimed, say),
    /// keeping everything else.
    pub fn set_marks(&mut self, marks: Marks) {
        let selected = self.selected_key();
        self.marks = marks;
        self.rebuild();
        if let Some(key) = selected
            && let Some(pos) = self.visible.iter().position(|n| self.key_of(*n) == key)
        {
            self.cursor = pos;
        }
    }

    /// The top of the tree only, for the first frame while the items load.
    pub fn departments_only(counts: Vec<(String, i64)>) -> Self {
        let departments = counts
            .into_iter()
            .map(|(name, n)| Department {
                name,
                mains: Vec::new(),
                total: n as usize,
            })
            .collect();
        let mut tree = CatalogueTree {
            departments,
            page: 10,
            loading: true,
            ..Default::default()
        };
        tree.rebuild();
        tree
    }

    /// Replaces the data (another operator committed), keeping filters,
    /// expansion and the selected item where it still exists.
    pub fn reload(&mut self, fresh: CatalogueTree) {
        let selected = self.selected_key();
        let offset_from_cursor = self.cursor.saturating_sub(self.offset);
        let dept_names: HashSet<String> = self
            .expanded_departments
            .iter()
            .filter_map(|i| self.departments.get(*i).map(|d| d.name.clone()))
            .collect();
        self.departments = fresh.departments;
        self.marks = fresh.marks;
        self.loading = fresh.loading;
        self.expanded_departments = self
            .departments
            .iter()
            .enumerate()
            .filter(|(_, d)| dept_names.contains(&d.name))
            .map(|(i, _)| i)
            .collect();
        self.rebuild();
        if let Some(key) = selected
            && let Some(pos) = self.visible.iter().position(|n| self.key_of(*n) == key)
        {
            self.cursor = pos;
            self.offset = pos.saturating_sub(offset_from_cursor);
        }
    }

    /// A stable identity of a row across reloads.
    fn key_of(&self, n: Node) -> (u8, String) {
        match n {
            Node::Department(d) => (0, self.departments[d].name.clone()),
            Node::Main(d, m) => (1, self.departments[d].mains[m].code.clone()),
            Node::Sub(d, m, s) => (2, self.departments[d].mains[m].subs[s].code.clone()),
        }
    }

    fn selected_key(&self) -> Option<(u8, String)> {
        self.visible.get(self.cursor).map(|n| self.key_of(*n))
    }

    fn sub_passes(&self, dept: &Department, main: &Main, sub: &Sub) -> bool {
        let f = &self.filter;
        let claimed = self.marks.claims.contains_key(&sub.id);
        (!f.mine || claimed)
            && (!f.unclaimed || !claimed)
            && f.category.is_none_or(|c| c == sub.category)
            && f.source.is_none_or(|s| s == main.source)
            && f.department.as_ref().is_none_or(|d| *d == dept.name)
            && (!f.suggested || (!claimed && self.suggestions.contains_key(&sub.id)))
    }

    /// Turns the 建议认领 filter on with these suggestions, or off.
    pub fn filter_suggested(
        &mut self,
        suggestions: Option<std::collections::HashMap<Id, String>>,
    ) -> String {
        match suggestions {
            Some(s) => {
                self.suggestions = s;
                self.filter.suggested = true;
                self.filter.mine = false;
            }
            None => self.filter.suggested = false,
        }
        self.after_filter()
    }

    /// Puts filters back (a jump cleared them and found nothing after all).
    pub fn set_filter(&mut self, filter: Filter) -> String {
        self.filter = filter;
        self.after_filter()
    }

    fn filtering(&self) -> bool {
        self.filter != Filter::default()
    }

    /// Recomputes the visible rows after a change of data, filter or expansion.
    fn rebuild(&mut self) {
        let filtering = self.filtering();
        let mut visible = Vec::new();
        if self.loading {
            self.visible = (0..self.departments.len()).map(Node::Department).collect();
            self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
            return;
        }
        for (di, d) in self.departments.iter().enumerate() {
            let mains: Vec<(usize, Vec<usize>)> = d
                .mains
                .iter()
                .enumerate()
                .map(|(mi, m)| {
                    let subs = m
                        .subs
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| self.sub_passes(d, m, s))
                        .map(|(si, _)| si)
                        .collect::<Vec<_>>();
                    (mi, subs)
                })
                .filter(|(_, subs)| !subs.is_empty())
                .collect();
            if mains.is_empty() {
                continue;
            }
            visible.push(Node::Department(di));
            // While filtering, the matches show without expanding by hand.
            if !filtering && !self.expanded_departments.contains(&di) {
                continue;
            }
            for (mi, subs) in mains {
                visible.push(Node::Main(di, mi));
                if filtering || self.expanded_mains.contains(&d.mains[mi].id) {
                    visible.extend(subs.into_iter().map(|si| Node::Sub(di, mi, si)));
                }
            }
        }
        self.visible = visible;
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    pub fn selected(&self) -> Option<Node> {
        self.visible.get(self.cursor).copied()
    }

    pub fn selected_sub(&self) -> Option<&Sub> {
        match self.selected()? {
            Node::Sub(d, m, s) => Some(&self.departments[d].mains[m].subs[s]),
            _ => None,
        }
    }

    pub fn selected_main(&self) -> Option<&Main> {
        match self.selected()? {
            Node::Main(d, m) | Node::Sub(d, m, _) => Some(&self.departments[d].mains[m]),
            Node::Department(_) => None,
        }
    }

    pub fn selected_department(&self) -> Option<&Department> {
        match self.selected()? {
            Node::Department(d) | Node::Main(d, _) | Node::Sub(d, _, _) => self.departments.get(d),
        }
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The sub-items under a row that pass the filters (a sub-item row:
    /// itself), whether or not the row is expanded.
    fn subs_under(&self, node: Node) -> Vec<Id> {
        let passing = |d: usize, m: usize| {
            let dept = &self.departments[d];
            let main = &dept.mains[m];
            main.subs
                .iter()
                .filter(move |s| self.sub_passes(dept, main, s))
                .map(|s| s.id)
        };
        match node {
            Node::Sub(d, m, s) => vec![self.departments[d].mains[m].subs[s].id],
            Node::Main(d, m) => passing(d, m).collect(),
            Node::Department(d) => (0..self.departments[d].mains.len())
                .flat_map(|m| passing(d, m))
                .collect(),
        }
    }

    pub fn picked_count(&self) -> usize {
        self.picked.len()
    }

    /// What a bulk action acts on: the marked sub-items if any, else the
    /// sub-items under the cursor (filtered). True when they are the marks.
    pub fn targets(&self) -> (Vec<Id>, bool) {
        if !self.picked.is_empty() {
            let mut ids: Vec<Id> = self.picked.iter().copied().collect();
            ids.sort_unstable();
            return (ids, true);
        }
        let ids = match self.selected() {
            Some(n) if !self.loading => self.subs_under(n),
            _ => Vec::new(),
        };
        (ids, false)
    }

    /// Marks the sub-items (present in the tree) with these ids; returns
    /// how many are marked now that were not.
    pub fn pick_ids(&mut self, ids: impl IntoIterator<Item = Id>) -> usize {
        let known: HashSet<Id> = self
            .departments
            .iter()
            .flat_map(|d| d.mains.iter().flat_map(|m| m.subs.iter().map(|s| s.id)))
            .collect();
        ids.into_iter()
            .filter(|id| known.contains(id) && self.picked.insert(*id))
            .count()
    }

    /// Of these sub-items, the ones the filters let through, and how many
    /// others are in the tree but filtered out (a search's Ctrl-A marks
    /// only what the tree shows).
    pub fn passing(&self, ids: &[Id]) -> (Vec<Id>, usize) {
        let wanted: HashSet<Id> = ids.iter().copied().collect();
        let mut shown = Vec::new();
        let mut hidden = 0;
        for d in &self.departments {
            for m in &d.mains {
                for s in m.subs.iter().filter(|s| wanted.contains(&s.id)) {
                    if self.sub_passes(d, m, s) {
                        shown.push(s.id);
                    } else {
                        hidden += 1;
                    }
                }
            }
        }
        (shown, hidden)
    }

    /// Of these sub-items, how many have no row on screen now: (filtered
    /// out or not in the tree, under a collapsed row).
    pub fn unseen(&self, ids: &[Id]) -> (usize, usize) {
        let rows: HashSet<Id> = self
            .visible
            .iter()
            .filter_map(|n| match *n {
                Node::Sub(d, m, s) => Some(self.departments[d].mains[m].subs[s].id),
                _ => None,
            })
            .collect();
        let (passing, _) = self.passing(ids);
        let passing: HashSet<Id> = passing.into_iter().collect();
        ids.iter()
            .filter(|id| !rows.contains(id))
            .fold((0, 0), |(filtered, collapsed), id| {
                if passing.contains(id) {
                    (filtered, collapsed + 1)
                } else {
                    (filtered + 1, collapsed)
                }
            })
    }

    /// Of these sub-items, the ones not in use (取消, 停用): they cannot be
    /// claimed. Names for the status line.
    pub fn not_in_use(&self, ids: &[Id]) -> Vec<(Id, String)> {
        let wanted: HashSet<Id> = ids.iter().copied().collect();
        self.departments
            .iter()
            .flat_map(|d| d.mains.iter().flat_map(|m| m.subs.iter()))
            .filter(|s| s.status != ItemStatus::InUse && wanted.contains(&s.id))
            .map(|s| (s.id, format!("{}（已{}）", s.name, s.status.label())))
            .collect()
    }

    pub fn clear_picks(&mut self) {
        self.picked.clear();
        self.anchor = None;
    }

    /// Space: marks the row (a main item or department: its filtered
    /// sub-items), or unmarks it when all of them were marked.
    fn pick(&mut self) -> String {
        let Some(node) = self.selected().filter(|_| !self.loading) else {
            return "事项尚未读完，稍后再标记".into();
        };
        let ids = self.subs_under(node);
        let all = ids.iter().all(|id| self.picked.contains(id));
        for id in &ids {
            if all {
                self.picked.remove(id);
            } else {
                self.picked.insert(*id);
            }
        }
        self.anchor = Some(self.key_of(node));
        self.cursor = (self.cursor + 1).min(self.visible.len().saturating_sub(1));
        let verb = if all { "取消标记" } else { "标记" };
        format!(
            "{verb} {} 个子项，共标记 {} 项",
            ids.len(),
            self.picked.len()
        )
    }

    /// Marks every row from the last marked one to the cursor.
    fn pick_range(&mut self) -> String {
        let from = self
            .anchor
            .as_ref()
            .and_then(|a| self.visible.iter().position(|n| self.key_of(*n) == *a));
        let Some(from) = from else {
            return "请先用 Space 标记范围的起点，再移到终点按此键".into();
        };
        let (lo, hi) = (from.min(self.cursor), from.max(self.cursor));
        let ids: Vec<Id> = self.visible[lo..=hi]
            .iter()
            .flat_map(|n| self.subs_under(*n))
            .collect();
        let added = ids.into_iter().filter(|id| self.picked.insert(*id)).count();
        self.anchor = self.selected_key();
        format!(
            "标记第 {}-{} 行：新增 {added} 项，共标记 {} 项",
            lo + 1,
            hi + 1,
            self.picked.len()
        )
    }

    /// Marks every sub-item that passes the filters, expanded or not.
    fn pick_all(&mut self) -> String {
        if self.loading {
            return "事项尚未读完，稍后再标记".into();
        }
        let ids: Vec<Id> = (0..self.departments.len())
            .flat_map(|d| self.subs_under(Node::Department(d)))
            .collect();
        let n = ids.len();
        self.picked.extend(ids);
        let scope = if self.filtering() {
            format!("筛选（{}）出的", self.filter.describe())
        } else {
            "目录中".to_string()
        };
        format!(
            "已标记{scope}全部 {n} 个子项，共标记 {} 项",
            self.picked.len()
        )
    }

    /// `>` all sub-items under the row are marked, `~` some, ` ` none.
    fn pick_sign(&self, node: Node) -> char {
        if self.picked.is_empty() {
            return ' ';
        }
        let ids = self.subs_under(node);
        let n = ids.iter().filter(|id| self.picked.contains(id)).count();
        match n {
            0 => ' ',
            n if n == ids.len() => '>',
            _ => '~',
        }
    }

    /// Moves the cursor to a sub-item by id, expanding its parents.
    pub fn select_sub(&mut self, sub_id: Id) -> bool {
        for (di, d) in self.departments.iter().enumerate() {
            for m in &d.mains {
                if m.subs.iter().any(|s| s.id == sub_id) {
                    self.expanded_departments.insert(di);
                    self.expanded_mains.insert(m.id);
                    self.rebuild();
                    if let Some(pos) = self.visible.iter().position(|n| {
                        matches!(n, Node::Sub(a, b, c) if self.departments[*a].mains[*b].subs[*c].id == sub_id)
                    }) {
                        self.cursor = pos;
                        return true;
                    }
                    return false;
                }
            }
        }
        false
    }

    /// Moves the cursor to a department by name and expands it, scrolled
    /// so that its main items show below it. False when no row shows it
    /// (not in the tree, or filtered out).
    pub fn select_department(&mut self, name: &str) -> bool {
        let Some(d) = self.departments.iter().position(|x| x.name == name) else {
            return false;
        };
        self.expanded_departments.insert(d);
        self.rebuild();
        self.select_node(Node::Department(d))
    }

    /// Moves the cursor to a main item by id, expanded, its department
    /// open, scrolled so that its sub-items show below it. False when no
    /// row shows it (not in the tree, not read yet, or filtered out).
    pub fn select_main(&mut self, main_id: Id) -> bool {
        let found = self.departments.iter().enumerate().find_map(|(d, dept)| {
            dept.mains
                .iter()
                .position(|m| m.id == main_id)
                .map(|m| (d, m))
        });
        let Some((d, m)) = found else {
            return false;
        };
        self.expanded_departments.insert(d);
        self.expanded_mains.insert(main_id);
        self.rebuild();
        self.select_node(Node::Main(d, m))
    }

    /// The cursor on a row, with as many of the rows under it on screen as
    /// fit at the next draw (the row itself first).
    fn select_node(&mut self, node: Node) -> bool {
        let Some(pos) = self.visible.iter().position(|n| *n == node) else {
            return false;
        };
        self.cursor = pos;
        self.reveal = self.visible[pos + 1..]
            .iter()
            .take_while(|n| Self::depth(**n) > Self::depth(node))
            .count();
        true
    }

    fn depth(node: Node) -> u8 {
        match node {
            Node::Department(_) => 0,
            Node::Main(..) => 1,
            Node::Sub(..) => 2,
        }
    }

    fn set_expanded(&mut self, node: Node, open: bool) {
        match node {
            Node::Department(d) => {
                if open {
                    self.expanded_departments.insert(d);
                } else {
                    self.expanded_departments.remove(&d);
                }
            }
            Node::Main(d, m) => {
                let id = self.departments[d].mains[m].id;
                if open {
                    self.expanded_mains.insert(id);
                } else {
                    self.expanded_mains.remove(&id);
                }
            }
            Node::Sub(..) => {}
        }
        self.rebuild();
    }

    fn is_expanded(&self, node: Node) -> bool {
        match node {
            Node::Department(d) => self.filtering() || self.expanded_departments.contains(&d),
            Node::Main(d, m) => {
                self.filtering()
                    || self
                        .expanded_mains
                        .contains(&self.departments[d].mains[m].id)
            }
            Node::Sub(..) => false,
        }
    }

    fn parent(node: Node) -> Option<Node> {
        match node {
            Node::Department(_) => None,
            Node::Main(d, _) => Some(Node::Department(d)),
            Node::Sub(d, m, _) => Some(Node::Main(d, m)),
        }
    }

    fn cycle<T: Copy + PartialEq>(current: Option<T>, all: &[T]) -> Option<T> {
        match current {
            None => all.first().copied(),
            Some(c) => all
                .iter()
                .position(|x| *x == c)
                .and_then(|i| all.get(i + 1))
                .copied(),
        }
    }

    /// Applies an action; returns a status message when there is one to give.
    pub fn handle(&mut self, action: Action) -> Option<String> {
        let last = self.visible.len().saturating_sub(1);
        if let Some(c) = super::moved(action, self.cursor, self.visible.len(), self.page) {
            self.cursor = c;
            return None;
        }
        match action {
            Action::Expand => {
                if let Some(n) = self.selected() {
                    if self.is_expanded(n) {
                        self.cursor = (self.cursor + 1).min(last);
                    } else {
                        self.set_expanded(n, true);
                    }
                }
            }
            Action::Collapse => {
                if let Some(n) = self.selected() {
                    if self.is_expanded(n) && !self.filtering() {
                        self.set_expanded(n, false);
                    } else if let Some(p) = Self::parent(n)
                        && let Some(pos) = self.visible.iter().position(|v| *v == p)
                    {
                        self.cursor = pos;
                    }
                }
            }
            Action::Toggle => {
                if let Some(n) = self.selected() {
                    let open = !self.is_expanded(n);
                    self.set_expanded(n, open);
                }
            }
            Action::ExpandAll => {
                self.expanded_departments = (0..self.departments.len()).collect();
                self.expanded_mains = self
                    .departments
                    .iter()
                    .flat_map(|d| d.mains.iter().map(|m| m.id))
                    .collect();
                self.rebuild();
            }
            Action::CollapseAll => {
                let dept = self.selected().map(|n| match n {
                    Node::Department(d) | Node::Main(d, _) | Node::Sub(d, _, _) => d,
                });
                self.expanded_departments.clear();
                self.expanded_mains.clear();
                self.rebuild();
                if let Some(d) = dept {
                    self.cursor = self
                        .visible
                        .iter()
                        .position(|n| *n == Node::Department(d))
                        .unwrap_or(0);
                }
            }
            Action::FilterMine => {
                self.filter.mine = !self.filter.mine;
                self.filter.unclaimed &= !self.filter.mine;
                return Some(self.after_filter());
            }
            Action::FilterUnclaimed => {
                self.filter.unclaimed = !self.filter.unclaimed;
                self.filter.mine &= !self.filter.unclaimed;
                return Some(self.after_filter());
            }
            Action::FilterCategory => {
                self.filter.category = Self::cycle(self.filter.category, Category::ALL);
                return Some(self.after_filter());
            }
            Action::FilterSource => {
                self.filter.source = Self::cycle(self.filter.source, Source::ALL);
                return Some(self.after_filter());
            }
            Action::FilterDepartment => {
                self.filter.department = match &self.filter.department {
                    Some(_) => None,
                    None => self.selected_department().map(|d| d.name.clone()),
                };
                return Some(self.after_filter());
            }
            Action::ClearFilters => {
                self.filter = Filter::default();
                return Some(self.after_filter());
            }
            Action::Pick => return Some(self.pick()),
            Action::PickRange => return Some(self.pick_range()),
            Action::PickAll => return Some(self.pick_all()),
            Action::ClearPicks => {
                let n = self.picked.len();
                self.clear_picks();
                return Some(format!("已清除 {n} 个标记"));
            }
            _ => {}
        }
        None
    }

    fn after_filter(&mut self) -> String {
        let selected = self.selected_key();
        self.rebuild();
        if let Some(key) = selected
            && let Some(pos) = self.visible.iter().position(|n| self.key_of(*n) == key)
        {
            self.cursor = pos;
        }
        let shown: usize = self
            .visible
            .iter()
            .filter(|n| matches!(n, Node::Sub(..)))
            .count();
        if self.filtering() {
            format!("筛选：{}（{} 个子项）", self.filter.describe(), shown)
        } else {
            "已清除筛选".into()
        }
    }

    /// The actions this pane answers, most used first, for the help and
    /// the key hints; claiming needs an account.
    pub fn commands(
        &self,
        keymap: &crate::tui::keymap::Keymap,
        may_claim: bool,
    ) -> Vec<crate::tui::commands::Command> {
        crate::tui::commands::Commands::new(keymap)
            .action(Action::Pick)
            .when(may_claim, |c| {
                c.action_as(Action::Claim, "认领标记的子项，或光标所在的事项", "认领")
                    .action(Action::Unclaim)
                    .action(Action::ToggleExercised)
            })
            .action(Action::PickRange)
            .action(Action::PickAll)
            .action(Action::ClearPicks)
            .action(Action::Toggle)
            .action(Action::FilterMine)
            .action(Action::FilterUnclaimed)
            .action(Action::FilterCategory)
            .action(Action::FilterSource)
            .action(Action::FilterDepartment)
            .action(Action::FilterSuggested)
            .action(Action::ClearFilters)
            .action(Action::ExpandAll)
            .action(Action::CollapseAll)
            .actions(
                &[Action::Expand, Action::Collapse],
                "展开、收起（已收起时回到上一级）",
            )
            .moves()
            .build()
    }

    fn line(&self, node: Node, width: usize) -> Line<'static> {
        let pick = self.pick_sign(node);
        let theme = crate::tui::theme::current();
        let picked_style = if pick == ' ' {
            Style::new()
        } else {
            theme.marked()
        };
        match node {
            Node::Department(d) => {
                let dept = &self.departments[d];
                let subs = dept.total;
                let claimed = dept
                    .mains
                    .iter()
                    .flat_map(|m| &m.subs)
                    .filter(|s| self.marks.claims.contains_key(&s.id))
                    .count();
                let sign = if self.is_expanded(node) { "-" } else { "+" };
                Line::from(vec![
                    Span::styled(format!("{pick}{sign} "), picked_style),
                    Span::styled(dept.name.clone(), theme.heading()),
                    Span::raw(format!("  {claimed}/{subs}")),
                ])
            }
            Node::Main(d, m) => {
                let main = &self.departments[d].mains[m];
                let sign = if self.is_expanded(node) { "-" } else { "+" };
                Line::from(vec![
                    Span::styled(format!("{pick} {sign} "), picked_style),
                    Span::raw(format!("{} {}", main.code, main.name)),
                ])
            }
            Node::Sub(d, m, s) => {
                let sub = &self.departments[d].mains[m].subs[s];
                let mark = match self.marks.claims.get(&sub.id) {
                    Some(true) => "[*]",
                    Some(false) => "[-]",
                    None => "[ ]",
                };
                // What follows the name stays visible: the name gives way.
                let mut notes: Vec<Span<'static>> = Vec::new();
                // A claimed, exercised 行政检查 needs its checklist: 未开始
                // until one is saved.
                let required = sub.category == Category::Inspection
                    && self.marks.claims.get(&sub.id) == Some(&true);
                let state = self.marks.checklists.get(&sub.id).copied();
                if required || state.is_some() {
                    notes.push(Span::styled(
                        format!("  清单:{}", ChecklistState::label_of(state)),
                        theme.checklist(state),
                    ));
                }
                if let Some(others) = self.marks.others.get(&sub.id) {
                    notes.push(Span::raw(format!("  共同实施:{}", co_claimers(others))));
                }
                if self.filter.suggested
                    && let Some(why) = self.suggestions.get(&sub.id)
                {
                    notes.push(Span::raw(format!("  建议:{why}")));
                }
                if sub.classified {
                    notes.push(Span::styled("  涉密", theme.marked()));
                }
                if sub.status != ItemStatus::InUse {
                    notes.push(Span::raw(format!("  ({})", sub.status.label())));
                }
                let head = format!("{pick}     {mark} {} ", category_char(sub.category));
                let used = head.width() + notes.iter().map(|n| n.width()).sum::<usize>();
                let mark_style = match self.marks.claims.get(&sub.id) {
                    Some(true) => theme.done(),
                    _ => Style::new(),
                };
                let mut spans = vec![
                    Span::styled(format!("{pick}     "), picked_style),
                    Span::styled(mark.to_string(), picked_style.patch(mark_style)),
                    Span::styled(format!(" {} ", category_char(sub.category)), picked_style),
                    Span::raw(fit(&sub.name, width.saturating_sub(used).max(8))),
                ];
                spans.extend(notes);
                Line::from(spans)
            }
        }
    }

    pub fn draw(&mut self, frame: &mut Frame, area: Rect, focused: bool) {
        let mut title = match (self.loading, self.filtering()) {
            (true, _) => " 事项目录（正在读取事项…） ".to_string(),
            (false, true) => format!(" 事项目录 - {} ", self.filter.describe()),
            (false, false) => " 事项目录 ".to_string(),
        };
        if !self.picked.is_empty() {
            title.push_str(&format!("- 已标记 {} 项 ", self.picked.len()));
        }
        let block = crate::tui::draw::block(title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let height = inner.height as usize;
        self.page = height.saturating_sub(1);
        if self.reveal > 0 && height > 0 {
            let last = (self.cursor + self.reveal.min(height - 1))
                .min(self.visible.len().saturating_sub(1));
            if last >= self.offset + height {
                self.offset = last + 1 - height;
            }
            self.reveal = 0;
        }
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if height > 0 && self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        if self.visible.is_empty() {
            let msg = if self.filtering() {
                "没有符合筛选条件的事项（按 x 清除筛选）"
            } else {
                "目录为空：请先导入监管事项目录"
            };
            frame.render_widget(Paragraph::new(msg), inner);
            return;
        }
        // Only the rows on screen are turned into text.
        let lines: Vec<Line> = self.visible
            [self.offset..(self.offset + height).min(self.visible.len())]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let line = self.line(*n, inner.width as usize);
                crate::tui::draw::row(line, self.offset + i == self.cursor)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// “城市管理局、住房保障局等5家”: at most two names, then the count.
fn co_claimers(names: &[std::sync::Arc<str>]) -> String {
    let shown: Vec<&str> = names.iter().take(2).map(|n| n.as_ref()).collect();
    if names.len() > 2 {
        format!("{}等{}家", shown.join("、"), names.len())
    } else {
        shown.join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(dept: &str, main: i64, sub: i64, cat: Category) -> TreeRow {
        TreeRow {
            department: dept.into(),
            main_id: main,
            main_code: format!("M{main:03}"),
            main_name: format!("主项{main}"),
            source: Source::National,
            sub_id: sub,
            sub_code: format!("S{sub:03}"),
            sub_name: format!("子项{sub}"),
            category: cat,
            classified: sub == 6,
            status: ItemStatus::InUse,
            levels: Default::default(),
        }
    }

    fn tree() -> CatalogueTree {
        let rows = vec![
            row("甲部", 1, 1, Category::Inspection),
            row("甲部", 1, 2, Category::Penalty),
            row("甲部", 2, 3, Category::Inspection),
            row("乙部", 3, 4, Category::Enforcement),
            row("乙部", 3, 5, Category::Inspection),
            row("乙部", 3, 6, Category::Inspection),
        ];
        let mut marks = Marks::default();
        marks.claims.insert(1, true);
        marks.claims.insert(5, false);
        CatalogueTree::new(rows, marks, false)
    }

    #[test]
    fn starts_collapsed_expands_and_hides_unclaimed_classified_items() {
        let mut t = tree();
        assert_eq!(t.visible_len(), 2);
        t.handle(Action::Toggle);
        assert_eq!(t.visible_len(), 4);
        t.handle(Action::ExpandAll);
        assert_eq!(t.visible_len(), 2 + 3 + 5, "sub 6 is 涉密 and unclaimed");
    }

    #[test]
    fn filters_combine_and_show_matches_expanded() {
        let mut t = tree();
        let msg = t.handle(Action::FilterCategory).unwrap();
        assert!(
            msg.contains("行政检查") && msg.contains("3 个子项"),
            "{msg}"
        );
        let msg = t.handle(Action::FilterMine).unwrap();
        assert!(msg.contains("2 个子项"), "{msg}");
        t.handle(Action::FilterUnclaimed);
        assert!(!t.filter.mine);
        assert_eq!(
            t.visible
                .iter()
                .filter(|n| matches!(n, Node::Sub(..)))
                .count(),
            1
        );
        assert_eq!(t.handle(Action::ClearFilters).unwrap(), "已清除筛选");
        assert_eq!(t.visible_len(), 2);
    }

    #[test]
    fn select_sub_expands_its_parents_and_reload_keeps_the_selection() {
        let mut t = tree();
        assert!(t.select_sub(5));
        assert_eq!(t.selected_sub().unwrap().code, "S005");
        let mut fresh = tree();
        fresh.marks.claims.insert(4, true);
        t.reload(fresh);
        assert_eq!(t.selected_sub().unwrap().code, "S005");
        assert_eq!(t.marks.claims.get(&4), Some(&true));
    }

    #[test]
    fn a_department_or_main_item_selected_by_search_opens_expanded() {
        let mut t = tree();
        assert!(t.select_department("乙部"));
        assert_eq!(t.selected(), Some(Node::Department(1)));
        assert_eq!(t.visible_len(), 2 + 1, "乙部's main item shows");
        assert!(t.select_main(1));
        assert_eq!(t.selected(), Some(Node::Main(0, 0)));
        // 甲部 open with its two main items, 主项1 with its two sub-items.
        assert_eq!(t.visible_len(), 2 + 2 + 2 + 1);
        assert!(!t.select_department("丙部"));
        assert!(!t.select_main(99));
        // A filter hiding it: not shown (the app clears the filter).
        t.handle(Action::FilterCategory);
        t.handle(Action::FilterCategory);
        assert_eq!(t.filter.category, Some(Category::Penalty));
        assert!(!t.select_department("乙部"));
        t.set_filter(Filter::default());
        assert!(t.select_department("乙部"));
    }
}
