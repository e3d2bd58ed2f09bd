//! The help overlay and the status line's key hints, both built from what
//! the focused pane (or the open overlay) says it answers, then the keys
//! that work everywhere. An action the pane does not answer is explained
//! instead of silently doing nothing.

use super::action::Action;
use super::app::{App, Pane};
use super::commands::{self, Command, Commands};
use super::theme;
use super::widgets::{block, centered, clear_wide_edges, wrap};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// What has the keys now: a pane, or an overlay over it.
pub struct Context {
    /// “事项目录（1）”, “地方监管事项”.
    pub title: String,
    pub commands: Vec<Command>,
    /// An overlay takes every key: the global ones do not work under it.
    pub modal: bool,
}

fn has_account(app: &App) -> bool {
    app.actor.is_some()
}

/// Claims are made by a unit's own 部门管理员 (the permission rule of
/// `WriteAction::Claim`): other roles are not offered the keys.
fn claims_for_unit(app: &App) -> bool {
    app.actor
        .as_ref()
        .is_some_and(|a| a.effective().role == crate::domain::Role::Operator)
}

/// 单位与账号 is for those who look after units (the rule of
/// `views::unit_overview`); others are not offered the key.
fn sees_units(app: &App) -> bool {
    use crate::domain::Role;
    app.actor.as_ref().is_some_and(|a| {
        matches!(
            a.effective().role,
            Role::PlatformAdmin | Role::Coordinator | Role::CountyAdmin
        )
    })
}

fn pane_title(app: &App, pane: Pane) -> String {
    format!(
        "{}（{}）",
        pane.title(),
        app.keymap.keys_of(pane.focus_action())
    )
}

/// The context that receives the next key, in the order `App::on_key`
/// hands keys out.
pub fn context(app: &App) -> Context {
    let k = &app.keymap;
    let overlay = |title: &str, commands: Vec<Command>| Context {
        title: title.to_string(),
        commands,
        modal: true,
    };
    // A question takes the next key as its answer: it says which itself.
    if app.confirm.is_some() {
        return overlay("请确认", Vec::new());
    }
    if let Some(u) = &app.units {
        return overlay("单位与账号", u.commands(k));
    }
    if let Some(b) = &app.basis {
        return overlay("设定依据", b.commands(k));
    }
    if let Some(e) = &app.editor {
        return overlay(e.help_title(), e.commands(k));
    }
    if let Some(l) = &app.local {
        return overlay(l.help_title(), l.commands(k));
    }
    if let Some(c) = &app.choose {
        return overlay("逐项选择", c.commands(k));
    }
    if let Some(p) = &app.reuse {
        return overlay("复用上级清单", p.commands(k));
    }
    if let Some(b) = &app.bulk {
        return overlay("批量设置", b.commands(k));
    }
    if app.focus == Pane::Checklist
        && let Some(f) = &app.form
        && f.editing()
    {
        return overlay("编辑字段", f.commands(k));
    }
    if app.focus == Pane::Progress
        && let Some(p) = &app.progress
        && let Some((title, list)) = p.overlay_commands(k, may_set_milestones(app))
    {
        return overlay(title, list);
    }
    if app.search_open
        && let Some(s) = &app.search
    {
        return overlay("搜索", s.commands(k));
    }
    let title = pane_title(app, app.focus);
    let commands = match app.focus {
        Pane::Tree => app.tree.commands(k, claims_for_unit(app)),
        Pane::Item => item_commands(app),
        Pane::Checklist => match (&app.form, &app.checklists) {
            (Some(f), _) => f.commands(k),
            (None, Some(l)) => l.commands(k),
            (None, None) => item_commands(app),
        },
        Pane::Progress => match &app.progress {
            Some(p) => p.commands(k),
            None => Vec::new(),
        },
    };
    Context {
        title,
        commands,
        modal: false,
    }
}

fn may_set_milestones(app: &App) -> bool {
    app.actor.as_ref().is_some_and(|a| {
        matches!(
            a.effective().role,
            crate::domain::Role::Coordinator | crate::domain::Role::PlatformAdmin
        )
    })
}

/// The item pane (and the checklist pane without an account): it scrolls;
/// Enter edits the unit's own local item; claims act on the tree's row.
fn item_commands(app: &App) -> Vec<Command> {
    let item = app.focus == Pane::Item;
    Commands::new(&app.keymap)
        .when(item && has_account(app), |c| {
            c.action_as(
                Action::Toggle,
                "修改本单位的地方监管事项（草稿或退回修改）",
                "修改地方事项",
            )
        })
        .when(item && claims_for_unit(app), |c| {
            c.action_as(Action::Claim, "认领标记的子项，或这一项", "认领")
                .action(Action::Unclaim)
                .action(Action::ToggleExercised)
        })
        .actions(&[Action::Up, Action::Down], "上下滚动")
        .actions(&[Action::PageUp, Action::PageDown], "上下翻页")
        .action_as(Action::Top, "回到开头", "到顶")
        .build()
}

/// Keys that work in every pane.
pub fn global(app: &App) -> Vec<Command> {
    use Action::*;
    Commands::new(&app.keymap)
        .actions(
            &[FocusTree, FocusItem, FocusChecklist, FocusProgress],
            "切换到窗格：事项目录、事项详情、检查实施清单、进度",
        )
        .actions(&[NextPane, PrevPane], "下一窗格、上一窗格")
        .action(Search)
        .action(LocalItems)
        .when(sees_units(app), |c| c.action(Units))
        .when(claims_for_unit(app), |c| {
            c.action(Undo).action(FinishClaiming)
        })
        .action(ToggleMouse)
        .action(Help)
        .action(Quit)
        .build()
}

/// Actions that need an account, explained as such to a reader.
fn needs_account(a: Action) -> bool {
    use Action::*;
    matches!(
        a,
        Claim
            | Unclaim
            | ToggleExercised
            | Undo
            | FinishClaiming
            | Save
            | Submit
            | NextUnfinished
            | ReuseUpper
            | BulkSet
    )
}

/// Why an action does nothing in the focused pane, or None when it does
/// something there.
pub fn why_not(app: &App, action: Action) -> Option<String> {
    // 单位与账号 answers for itself who may see it.
    if action == Action::Units {
        return None;
    }
    if commands::answers(&global(app), action) {
        return None;
    }
    let ctx = context(app);
    if commands::answers(&ctx.commands, action) {
        return None;
    }
    if !has_account(app) && needs_account(action) {
        return Some(format!("只能浏览：没有账号，不能{}", action.short()));
    }
    if has_account(app)
        && !claims_for_unit(app)
        && matches!(
            action,
            Action::Claim
                | Action::Unclaim
                | Action::ToggleExercised
                | Action::Undo
                | Action::FinishClaiming
        )
    {
        return Some(format!(
            "不能{}：认领由各单位的部门管理员操作（平台管理员可用 --as 代某账号操作）",
            action.short()
        ));
    }
    // The checklist pane explains its own (“先打开一份清单”).
    if app.focus == Pane::Checklist
        && matches!(
            action,
            Action::Save
                | Action::Submit
                | Action::NextUnfinished
                | Action::ReuseUpper
                | Action::BulkSet
        )
    {
        return None;
    }
    let what = action.short();
    if app.focus == Pane::Checklist
        && app.form.is_some()
        && matches!(action, Action::Pick | Action::PickAll | Action::ClearPicks)
    {
        return Some(format!("“{what}”在清单列表中使用：按 Esc 回到列表"));
    }
    let home = home_of(app, action);
    Some(match home {
        Some(p) if action == Action::Milestones => format!(
            "时间节点在{}窗格（{}）中查看和调整",
            p.title(),
            app.keymap.keys_of(p.focus_action())
        ),
        Some(p) => format!(
            "“{what}”在{}窗格（{}）中使用",
            p.title(),
            app.keymap.keys_of(p.focus_action())
        ),
        None => format!(
            "“{what}”在{}中不可用（按 {} 查看这里可用的按键）",
            pane_title(app, app.focus),
            app.keymap.keys_of(Action::Help)
        ),
    })
}

/// The pane where an action is used, for “use it there”.
fn home_of(app: &App, action: Action) -> Option<Pane> {
    use Action::*;
    match action {
        SortBy | SortReverse | ByCounty | Milestones => Some(Pane::Progress),
        Save | Submit | ReuseUpper | BulkSet | NextUnfinished => Some(Pane::Checklist),
        a if commands::is_movement(a) => None,
        a if commands::answers(&app.tree.commands(&app.keymap, has_account(app)), a) => {
            Some(Pane::Tree)
        }
        _ => None,
    }
}

/// True when the focused input takes characters, so `?` is typed, not help.
pub fn typing(app: &App) -> bool {
    app.search_open
        || app.editor.as_ref().is_some_and(|e| e.typing())
        || app.local.as_ref().is_some_and(|l| l.typing())
        || app.bulk.is_some()
        || (app.focus == Pane::Checklist && app.form.as_ref().is_some_and(|f| f.typing()))
        || (app.focus == Pane::Progress && app.progress.as_ref().is_some_and(|p| p.typing()))
}

/// Whether this key opens the help now: a help key, but while typing only
/// one that is not a character (F1).
pub fn opens_help(app: &App, key: KeyEvent) -> bool {
    app.keymap.action_for(key) == Some(Action::Help)
        && !(typing(app) && matches!(key.code, KeyCode::Char(_)))
}

/// The status line's key hints: help first, then what the context answers,
/// then moving on and leaving.
pub fn hints(app: &App) -> Vec<(String, String)> {
    if app.confirm.is_some() {
        return Vec::new();
    }
    let ctx = context(app);
    let k = &app.keymap;
    let reviewer = app
        .actor
        .as_ref()
        .is_some_and(|a| a.effective().role == crate::domain::Role::LegalReviewer);
    let mut lead = Commands::new(k).action(Action::Help);
    if !ctx.modal {
        lead = lead.action(Action::Search);
        if reviewer {
            lead = lead.action(Action::LocalItems);
        }
    }
    let tail = if ctx.modal {
        Vec::new()
    } else {
        Commands::new(k)
            .action(Action::NextPane)
            .action(Action::Quit)
            .build()
    };
    let mut lead = lead.build();
    // While typing, a character key types itself: only F1 and its like help.
    if typing(app) {
        for c in lead.iter_mut().filter(|c| c.action == Some(Action::Help)) {
            c.keys = c
                .keys
                .split('/')
                .filter(|k| k.chars().count() > 1 && !k.contains('-'))
                .collect::<Vec<_>>()
                .join("/");
        }
    }
    lead.into_iter()
        .chain(ctx.commands)
        .chain(tail)
        .filter(|c| c.hint && !c.keys.is_empty())
        .map(|c| (c.keys, c.short))
        .collect()
}

impl App {
    /// Keys while the help is open: scroll; Esc, a help key or a quit key
    /// closes it; nothing else acts under it.
    pub fn help_key(&mut self, key: KeyEvent) {
        let action = self.keymap.action_for(key);
        if key.code == KeyCode::Esc || matches!(action, Some(Action::Help | Action::Quit)) {
            self.help = false;
            self.help_scroll = 0;
            return;
        }
        let page = 10;
        self.help_scroll = match action {
            Some(Action::Up) => self.help_scroll.saturating_sub(1),
            Some(Action::Down) => self.help_scroll + 1,
            Some(Action::PageUp) => self.help_scroll.saturating_sub(page),
            Some(Action::PageDown) => self.help_scroll + page,
            Some(Action::Top) => 0,
            Some(Action::Bottom) => usize::MAX / 2,
            _ => self.help_scroll,
        };
    }
}

/// The help's lines for a width: the context's keys, then the global ones
/// (under an overlay only how to get help), each description wrapped
/// beside its keys.
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = theme::current();
    let ctx = context(app);
    let width = width as usize;
    let mut out: Vec<Line<'static>> = Vec::new();
    if !app.status.is_empty() {
        out.push(Line::styled("当前消息".to_string(), t.heading()));
        let tone = theme::Tone::of(&app.status);
        for l in wrap(&app.status, width.saturating_sub(2)) {
            out.push(Line::from(vec![
                Span::raw(" "),
                Span::styled(l, t.tone(tone)),
            ]));
        }
        out.push(Line::from(""));
    }
    let section = |title: String, list: &[Command], out: &mut Vec<Line<'static>>| {
        let shown: Vec<&Command> = commands::shown(list).collect();
        if shown.is_empty() {
            return;
        }
        out.push(Line::styled(title, t.heading()));
        let key_w = shown
            .iter()
            .map(|c| c.keys.width())
            .max()
            .unwrap_or(0)
            .min(width / 3)
            .max(4);
        for c in shown {
            let what_w = width.saturating_sub(key_w + 3).max(8);
            // Keys wider than their column take a line of their own.
            let mut rows = wrap(&c.what, what_w).into_iter();
            if c.keys.width() > key_w {
                out.push(Line::from(Span::styled(format!(" {}", c.keys), t.key())));
                for r in rows {
                    out.push(Line::from(format!(" {}  {r}", " ".repeat(key_w))));
                }
                continue;
            }
            let pad = " ".repeat(key_w - c.keys.width());
            let first = rows.next().unwrap_or_default();
            out.push(Line::from(vec![
                Span::raw(" "),
                Span::styled(c.keys.clone(), t.key()),
                Span::raw(format!("{pad}  {first}")),
            ]));
            for r in rows {
                out.push(Line::from(format!(" {}  {r}", " ".repeat(key_w))));
            }
        }
        out.push(Line::from(""));
    };
    section(ctx.title.clone(), &ctx.commands, &mut out);
    if ctx.modal {
        let help = Commands::new(&app.keymap).action(Action::Help).build();
        section("任何时候".into(), &help, &mut out);
    } else {
        section("全局（任何窗格）".into(), &global(app), &mut out);
    }
    if app.focus == Pane::Progress && !ctx.modal {
        out.push(Line::styled("排名规则".to_string(), t.heading()));
        for l in wrap(crate::app::progress::RANKING_RULE, width.saturating_sub(2)) {
            out.push(Line::from(format!(" {l}")));
        }
        out.push(Line::from(""));
    }
    let dir = super::keymap::Keymap::user_file()
        .and_then(|f| f.parent().map(|d| d.display().to_string()))
        .unwrap_or_else(|| "配置目录".into());
    let note = format!(
        "按键可在 {dir}/keymap.toml 中修改；边框画成双倍宽时，在同一目录的 config.toml 中写 borders = \"ascii\""
    );
    out.extend(wrap(&note, width).into_iter().map(Line::from));
    out
}

/// The help overlay: as wide as reads well, as tall as needed, scrolling
/// when taller than the screen.
pub fn draw(frame: &mut Frame, area: Rect, app: &mut App) {
    let width = area.width.saturating_sub(4).clamp(20, 96);
    let inner_w = width.saturating_sub(2);
    let lines = lines(app, inner_w);
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    clear_wide_edges(frame, rect);
    let rows = height.saturating_sub(2) as usize;
    let total = lines.len();
    let max_scroll = total.saturating_sub(rows);
    app.help_scroll = app.help_scroll.min(max_scroll);
    // ? and q close it too; Esc is the one every overlay shares.
    let close = "Esc 关闭";
    let title = if total > rows {
        format!(
            " 帮助 {}–{}/{} 行（{}/{} 滚动，{close}） ",
            app.help_scroll + 1,
            (app.help_scroll + rows).min(total),
            total,
            app.keymap.keys_of(Action::Up),
            app.keymap.keys_of(Action::Down),
        )
    } else {
        format!(" 帮助（{close}） ")
    };
    let b = block(super::widgets::fit(&title, inner_w as usize), true);
    let inner = b.inner(rect);
    frame.render_widget(b, rect);
    let [body] = Layout::vertical([Constraint::Min(1)]).areas(inner);
    let shown: Vec<Line> = lines.into_iter().skip(app.help_scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), body);
}
