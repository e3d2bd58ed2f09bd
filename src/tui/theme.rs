//! The look, chosen once: semantic styles (what a thing means, not which
//! colour it is), the border set and the bar and trend glyphs. Widgets ask
//! the theme; no colour is named anywhere else in the TUI.
//!
//! Colour is off under `NO_COLOR` (no-color.org) and `--no-color`: every
//! style then falls back to a plain attribute (bold, underline, reverse),
//! and what colour says is also said in text (“!” before an overdue unit or
//! an error, the state's name on every row), so nothing is lost.
//!
//! Box drawing, block bars and the sparkline have East-Asian “ambiguous”
//! width, which some CJK terminals draw two columns wide: `borders =
//! "ascii"` in `config.toml` (beside `keymap.toml`) draws everything in
//! ASCII instead, as does a locale that is not UTF-8.

use crate::domain::progress::MilestoneState;
use crate::domain::{ChecklistState, ReviewState};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a status message is: it decides how long it stays and its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Something was done (saved, filed, claimed).
    Done,
    /// Something needs attention before going on (unsaved edits).
    Warning,
    /// Something failed or was refused: nothing was changed.
    Error,
}

impl Tone {
    /// A message's tone from its words. The TUI's messages follow a few
    /// forms (“保存失败，未做任何改动：…”, “无法读取…”, “不能填报：…”,
    /// “已填报”); this is the one place that reads them.
    pub fn of(message: &str) -> Tone {
        let m = message.trim_start();
        if m.starts_with("已取消") || m.is_empty() {
            return Tone::Plain;
        }
        const ERROR: [&str; 7] = [
            "失败",
            "无法",
            "未做任何改动",
            "不能",
            "冲突",
            "项未通过",
            "出错",
        ];
        let refused = ERROR.iter().any(|w| m.contains(w));
        // Done, with a part left undone (“已认领 114 项；4 项不能认领”).
        if m.starts_with('已') {
            return if refused || m.contains("还有") {
                Tone::Warning
            } else {
                Tone::Done
            };
        }
        if m.starts_with("未添加") || refused {
            return Tone::Error;
        }
        if m.starts_with("有未保存的修改") || m.starts_with("先") || m.starts_with("只能浏览")
        {
            return Tone::Warning;
        }
        Tone::Plain
    }
}

/// The whole look. Copy: every draw asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Colours on (off: attributes only).
    pub colour: bool,
    /// Unicode box drawing, block bars and sparkline (off: ASCII).
    pub unicode: bool,
}

/// Borders drawn with ASCII, for terminals that draw box-drawing
/// characters two columns wide.
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    pub const fn new(colour: bool, unicode: bool) -> Theme {
        Theme { colour, unicode }
    }

    /// `--no-color`, `NO_COLOR`, the config file's `borders` and the locale.
    pub fn from_environment() -> Theme {
        let config = config();
        Theme {
            colour: !NO_COLOUR_FLAG.load(Ordering::Relaxed) && !no_color_env(),
            unicode: config.unicode.unwrap_or_else(locale_is_utf8),
        }
    }

    fn paint(&self, colour: Color, plain: Style) -> Style {
        if self.colour { plain.fg(colour) } else { plain }
    }

    /// Failed, refused, invalid.
    pub fn error(&self) -> Style {
        self.paint(Color::Red, Style::new().add_modifier(Modifier::BOLD))
    }

    /// Needs attention: unsaved edits, a due date near, a warning on a field.
    pub fn warning(&self) -> Style {
        if self.colour {
            Style::new().fg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    /// Filed, approved, finished.
    pub fn done(&self) -> Style {
        self.paint(Color::Green, Style::new())
    }

    /// A unit or milestone past its deadline.
    pub fn overdue(&self) -> Style {
        self.paint(Color::Red, Style::new().add_modifier(Modifier::BOLD))
    }

    /// Rows marked for a bulk action, 涉密 items, things to be noticed.
    pub fn marked(&self) -> Style {
        self.paint(Color::Magenta, Style::new().add_modifier(Modifier::BOLD))
    }

    /// Section headings, the item's name, column headers.
    pub fn heading(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// A field that does not apply, a note in passing.
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// A remark that is not an error (a field's warning, a hint).
    pub fn note(&self) -> Style {
        self.paint(Color::Yellow, Style::new().add_modifier(Modifier::ITALIC))
    }

    /// Matched characters in a search hit.
    pub fn matched(&self) -> Style {
        self.paint(
            Color::Cyan,
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// The selected row: reversed, readable with or without colour.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A pane's border: the focused one stands out.
    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.colour) {
            (true, true) => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => Style::new(),
        }
    }

    /// A pane's title.
    pub fn title(&self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// A key in the key hints and the help.
    pub fn key(&self) -> Style {
        self.paint(Color::Cyan, Style::new().add_modifier(Modifier::BOLD))
    }

    /// A pane's tab in the switcher.
    pub fn tab(&self, active: bool) -> Style {
        if active {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// The program's name at the left of the title line.
    pub fn brand(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// 演示数据: nobody should take it for real data.
    pub fn demo(&self) -> Style {
        if self.colour {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A status message by its tone.
    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Plain => Style::new().add_modifier(Modifier::BOLD),
            Tone::Done => self.done().add_modifier(Modifier::BOLD),
            Tone::Warning => self.warning().add_modifier(Modifier::BOLD),
            Tone::Error => self.error(),
        }
    }

    /// A checklist's state: filed green, complete plain, draft a warning.
    pub fn checklist(&self, state: Option<ChecklistState>) -> Style {
        match state {
            Some(ChecklistState::Filed) => self.done(),
            Some(ChecklistState::Draft) => self.warning(),
            _ => Style::new(),
        }
    }

    /// A local item's review state.
    pub fn review(&self, state: ReviewState) -> Style {
        match state {
            ReviewState::Approved | ReviewState::Entered => self.done(),
            ReviewState::Returned => self.error(),
            ReviewState::Submitted => self.warning(),
            ReviewState::Draft => Style::new(),
        }
    }

    /// A milestone's state in the progress table.
    pub fn milestone(&self, state: Option<MilestoneState>) -> Style {
        match state {
            Some(MilestoneState::Overdue) => self.overdue(),
            Some(MilestoneState::Late) => self.warning(),
            Some(MilestoneState::OnTime) => self.done(),
            Some(MilestoneState::Pending) | None => Style::new(),
        }
    }

    pub fn border_set(&self) -> border::Set<'static> {
        if self.unicode {
            border::PLAIN
        } else {
            ASCII_BORDER
        }
    }

    /// The sorted column's mark: ascending (smallest, or A, first) or not.
    pub fn sort_mark(&self, ascending: bool) -> &'static str {
        match (self.unicode, ascending) {
            (true, true) => "▲",
            (true, false) => "▼",
            (false, true) => "^",
            (false, false) => "v",
        }
    }

    /// What ends a cut text.
    pub fn ellipsis(&self) -> &'static str {
        if self.unicode { "…" } else { "..." }
    }

    /// A completion bar `width` columns wide: block eighths, or `#` and `.`.
    pub fn bar(&self, per_mille: u32, width: usize) -> String {
        let per_mille = per_mille.min(1000) as usize;
        if !self.unicode {
            let filled = ((per_mille * width + 500) / 1000).min(width);
            return format!("{}{}", "#".repeat(filled), ".".repeat(width - filled));
        }
        const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
        let eighths = ((per_mille * width * 8 + 500) / 1000).min(width * 8);
        let mut out = "█".repeat(eighths / 8);
        if !eighths.is_multiple_of(8) {
            out.push(EIGHTHS[eighths % 8]);
        }
        let used = eighths.div_ceil(8);
        out.push_str(&" ".repeat(width - used));
        out
    }

    /// A trend, one character per value (per mille): ▁…█, or ASCII levels.
    pub fn sparkline(&self, values: &[u32]) -> String {
        let levels: &[char] = if self.unicode {
            &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']
        } else {
            &[' ', '.', ':', '-', '=', '+', '*', '#', '%', '@']
        };
        let top = levels.len() - 1;
        values
            .iter()
            .map(|v| levels[(*v.min(&1000) as usize * top + 500) / 1000])
            .collect()
    }
}

static NO_COLOUR_FLAG: AtomicBool = AtomicBool::new(false);

/// `--no-color`: colours off for the rest of the process.
pub fn disable_colour() {
    NO_COLOUR_FLAG.store(true, Ordering::Relaxed);
    CURRENT.with(|c| c.set(None));
}

/// NO_COLOR set to anything but the empty string (no-color.org).
fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The locale's character set is UTF-8: the first of LC_ALL, LC_CTYPE and
/// LANG that is set decides; none set is the C locale, which is not.
pub fn locale_is_utf8() -> bool {
    locale_says_utf8(|name| std::env::var(name).ok())
}

fn locale_says_utf8(var: impl Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|n| var(n).filter(|v| !v.is_empty()))
        .next()
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

/// What `config.toml` says about the look.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// `borders = "ascii"` / `"unicode"`; None: by the locale.
    pub unicode: Option<bool>,
    /// A bad file: what and where (the defaults stay in force).
    pub warning: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    borders: Option<String>,
}

/// `config.toml` beside `keymap.toml` in the platform config directory.
pub fn config_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "jianguan", "jianguan")
        .map(|d| d.config_dir().join("config.toml"))
}

/// Reads the look's part of a config file; a missing file is no setting.
pub fn read_config(path: &Path) -> Config {
    let text = match crate::files::read_user_text(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Config::default(),
        Err(e) => {
            return Config {
                unicode: None,
                warning: Some(format!("无法读取 {}：{e}", path.display())),
            };
        }
    };
    let bad = |why: String| Config {
        unicode: None,
        warning: Some(format!("{}{why}；已按默认外观显示", path.display())),
    };
    match toml::from_str::<ConfigFile>(&text) {
        Ok(ConfigFile { borders: None }) => Config::default(),
        Ok(ConfigFile { borders: Some(b) }) => match b.as_str() {
            "ascii" => Config {
                unicode: Some(false),
                warning: None,
            },
            "unicode" => Config {
                unicode: Some(true),
                warning: None,
            },
            other => bad(format!(
                "：borders 只能是 \"ascii\" 或 \"unicode\"，不能是 \"{other}\""
            )),
        },
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            bad(format!(" 第{line}行：{}", e.message().trim()))
        }
    }
}

/// The config file, read once per process.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| config_file().map(|p| read_config(&p)).unwrap_or_default())
}

thread_local! {
    /// The theme in force on this thread (the UI thread; each test its own).
    static CURRENT: Cell<Option<Theme>> = const { Cell::new(None) };
}

/// The theme in force: the environment's, unless `set` chose another.
pub fn current() -> Theme {
    CURRENT.with(|c| match c.get() {
        Some(t) => t,
        None => {
            let t = Theme::from_environment();
            c.set(Some(t));
            t
        }
    })
}

/// Uses this theme from now on, on this thread (tests, snapshots).
pub fn set(theme: Theme) {
    CURRENT.with(|c| c.set(Some(theme)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_by_eighths_and_keep_their_width() {
        let t = Theme::new(true, true);
        assert_eq!(t.bar(0, 4), "    ");
        assert_eq!(t.bar(1000, 4), "████");
        assert_eq!(t.bar(500, 4), "██  ");
        assert_eq!(t.bar(530, 4), "██▏ ");
        assert_eq!(t.bar(2000, 3), "███");
        for pm in (0..=1000).step_by(7) {
            assert_eq!(t.bar(pm, 8).chars().count(), 8, "{pm}");
        }
        let ascii = Theme::new(true, false);
        assert_eq!(ascii.bar(500, 10), "#####.....");
        assert_eq!(ascii.bar(0, 4), "....");
        assert_eq!(ascii.bar(1000, 4), "####");
    }

    #[test]
    fn sparklines_rise_with_the_values() {
        assert_eq!(Theme::new(true, true).sparkline(&[0, 500, 1000]), "▁▅█");
        assert_eq!(Theme::new(true, false).sparkline(&[0, 500, 1000]), " +@");
    }

    #[test]
    fn the_locale_decides_unless_set() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(locale_says_utf8(env(&[("LANG", "zh_CN.UTF-8")])));
        assert!(locale_says_utf8(env(&[
            ("LANG", "C"),
            ("LC_CTYPE", "en_US.utf8")
        ])));
        assert!(!locale_says_utf8(env(&[
            ("LC_ALL", "C"),
            ("LANG", "zh_CN.UTF-8")
        ])));
        assert!(!locale_says_utf8(env(&[("LANG", "zh_CN.GB18030")])));
        assert!(!locale_says_utf8(env(&[])));
        assert!(locale_says_utf8(env(&[
            ("LC_ALL", ""),
            ("LANG", "C.UTF-8")
        ])));
    }

    #[test]
    fn the_config_file_chooses_the_borders_and_says_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        assert_eq!(read_config(&file).unicode, None);
        std::fs::write(&file, "borders = \"ascii\"\n").unwrap();
        assert_eq!(read_config(&file).unicode, Some(false));
        std::fs::write(&file, "borders = \"unicode\"\n").unwrap();
        assert_eq!(read_config(&file).unicode, Some(true));
        std::fs::write(&file, "\nborders = \"round\"\n").unwrap();
        let c = read_config(&file);
        assert_eq!(c.unicode, None);
        assert!(c.warning.unwrap().contains("\"round\""));
        std::fs::write(&file, "\nborder = \"ascii\"\n").unwrap();
        assert!(read_config(&file).warning.unwrap().contains("第2行"));
    }

    #[test]
    fn without_colour_every_meaning_keeps_an_attribute() {
        let plain = Theme::new(false, true);
        for s in [
            plain.error(),
            plain.warning(),
            plain.overdue(),
            plain.marked(),
            plain.selected(),
        ] {
            assert_eq!(s.fg, None);
            assert!(!s.add_modifier.is_empty(), "{s:?}");
        }
        assert_eq!(Theme::new(true, true).error().fg, Some(Color::Red));
        assert_eq!(Theme::new(true, true).done().fg, Some(Color::Green));
        assert_eq!(Theme::new(true, true).warning().fg, Some(Color::Yellow));
    }

    #[test]
    fn messages_are_told_apart_by_their_words() {
        assert_eq!(Tone::of("保存失败，未做任何改动：磁盘已满"), Tone::Error);
        assert_eq!(Tone::of("不能提交审核：缺少设定依据"), Tone::Error);
        assert_eq!(Tone::of("无法读取进度：x"), Tone::Error);
        assert_eq!(Tone::of("已取消，未做任何改动"), Tone::Plain);
        assert_eq!(Tone::of("有未保存的修改：先保存"), Tone::Warning);
        assert_eq!(Tone::of("已填报"), Tone::Done);
        assert_eq!(Tone::of("已认领 114 项；4 项不能认领（…）"), Tone::Warning);
        assert_eq!(Tone::of("已保存为草稿：还有 3 项未通过"), Tone::Warning);
        assert_eq!(Tone::of("按排名排序"), Tone::Plain);
    }
}
