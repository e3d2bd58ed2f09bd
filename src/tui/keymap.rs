//! Key bindings: the defaults in `assets/keymap.toml`, with the user's
//! `keymap.toml` (in the config directory) merged over them action by action.

use super::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DEFAULTS: &str = include_str!("../../assets/keymap.toml");

#[derive(Debug, Clone)]
pub struct Keymap {
    /// For each action, its keys as written (for hints) and as events.
    bindings: BTreeMap<Action, Vec<(String, KeyEvent)>>,
}

#[derive(serde::Deserialize)]
struct File {
    #[serde(default)]
    keys: BTreeMap<String, Vec<String>>,
}

/// Parses “Ctrl-c”, “Enter”, “F1”, “?”.
pub fn parse_key(spec: &str) -> Result<KeyEvent, String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = spec;
    loop {
        if let Some(r) = rest.strip_prefix("Ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("Alt-") {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "BackTab" => KeyCode::BackTab,
        "Backspace" => KeyCode::Backspace,
        "Delete" => KeyCode::Delete,
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PageUp" => KeyCode::PageUp,
        "PageDown" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Space" => KeyCode::Char(' '),
        f if f.starts_with('F') && f.len() > 1 => {
            let n: u8 = f[1..]
                .parse()
                .map_err(|_| format!("不认识的按键“{spec}”"))?;
            if !(1..=12).contains(&n) {
                return Err(format!("不认识的按键“{spec}”"));
            }
            KeyCode::F(n)
        }
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
        _ => return Err(format!("不认识的按键“{spec}”")),
    };
    Ok(KeyEvent::new(code, mods))
}

/// A key as `parse_key` reads it: “a”, “Ctrl-a”, “Enter”, “Space”.
pub fn key_name(code: KeyCode, mods: KeyModifiers) -> String {
    let name = match code {
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "BackTab".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Delete => "Delete".to_string(),
        KeyCode::Up => "Up".to_string(),
        KeyCode::Down => "Down".to_string(),
        KeyCode::Left => "Left".to_string(),
        KeyCode::Right => "Right".to_string(),
        KeyCode::PageUp => "PageUp".to_string(),
        KeyCode::PageDown => "PageDown".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let mut out = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        out.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        out.push_str("Alt-");
    }
    out.push_str(&name);
    out
}

/// The same key whatever the terminal reports: shifted letters come as
/// upper case with or without SHIFT, BackTab with or without it.
fn normalise(k: KeyEvent) -> KeyEvent {
    let mut mods = k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    if let KeyCode::Char(c) = k.code
        && mods.contains(KeyModifiers::CONTROL)
    {
        return KeyEvent::new(KeyCode::Char(c.to_ascii_lowercase()), mods);
    }
    if k.code == KeyCode::BackTab {
        mods = KeyModifiers::NONE;
    }
    KeyEvent::new(k.code, mods)
}

fn action_named(name: &str) -> Result<Action, String> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| format!("不认识的操作“{name}”"))
}

/// The 1-based line where `action = …` is written in `text`.
fn line_of(text: &str, action: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(action)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

fn parse(text: &str, origin: &str) -> Result<BTreeMap<Action, Vec<(String, KeyEvent)>>, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        format!("{origin} 第{line}行：{}", e.message())
    })?;
    let mut out = BTreeMap::new();
    for (name, keys) in file.keys {
        let at = |why: String| format!("{origin} 第{}行：{why}", line_of(text, &name));
        let action = action_named(&name).map_err(at)?;
        let mut parsed = Vec::new();
        for k in keys {
            let event = parse_key(&k).map_err(at)?;
            parsed.push((k, normalise(event)));
        }
        out.insert(action, parsed);
    }
    Ok(out)
}

impl Keymap {
    /// The built-in bindings.
    pub fn defaults() -> Keymap {
        Keymap {
            bindings: parse(DEFAULTS, "assets/keymap.toml").unwrap_or_default(),
        }
    }

    /// Defaults with the user's file merged over them. A bad file leaves the
    /// defaults in force and returns the message saying what and where.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Option<String>) {
        let mut map = Keymap::defaults();
        let Some(path) = user_file.filter(|p| p.exists()) else {
            return (map, None);
        };
        let text = match crate::files::read_user_text(path) {
            Ok(t) => t,
            Err(e) => return (map, Some(format!("无法读取 {}：{e}", path.display()))),
        };
        match parse(&text, &path.display().to_string()) {
            Ok(user) => {
                // A key the user gives to an action is taken from the
                // default that had it, so one key never means two things.
                for (action, keys) in &user {
                    for (other, theirs) in map.bindings.iter_mut() {
                        if other != action {
                            theirs.retain(|(_, k)| keys.iter().all(|(_, u)| u != k));
                        }
                    }
                }
                map.bindings.extend(user);
                (map, None)
            }
            Err(e) => (map, Some(format!("{e}；已使用默认按键"))),
        }
    }

    /// `keymap.toml` in the platform config directory.
    pub fn user_file() -> Option<PathBuf> {
        directories::ProjectDirs::from("cn", "jianguan", "jianguan")
            .map(|d| d.config_dir().join("keymap.toml"))
    }

    pub fn action_for(&self, key: KeyEvent) -> Option<Action> {
        let key = normalise(key);
        self.bindings
            .iter()
            .find(|(_, keys)| keys.iter().any(|(_, k)| *k == key))
            .map(|(a, _)| *a)
    }

    /// The keys of an action as written, e.g. “q/Ctrl-c”.
    pub fn keys_of(&self, action: Action) -> String {
        self.bindings
            .get(&action)
            .map(|keys| {
                keys.iter()
                    .map(|(s, _)| if s == " " { "Space" } else { s.as_str() })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn defaults_cover_every_action_and_parse() {
        let map = Keymap::defaults();
        assert_eq!(map.action_for(key('q')), Some(Action::Quit));
        assert_eq!(
            map.action_for(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action_for(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(map.keys_of(Action::Help), "?/F1");
        assert_eq!(map.keys_of(Action::Toggle), "Enter");
        assert_eq!(map.keys_of(Action::Pick), "Space");
        assert_eq!(map.action_for(key(' ')), Some(Action::Pick));
    }

    #[test]
    fn key_names_read_back_as_the_same_key() {
        for spec in [
            "a", "Ctrl-a", "Enter", "Space", "F1", "?", "Esc", "PageDown", "Alt-x",
        ] {
            let k = parse_key(spec).unwrap();
            assert_eq!(key_name(k.code, k.modifiers), spec);
        }
    }

    #[test]
    fn no_default_key_means_two_actions() {
        let map = Keymap::defaults();
        let mut seen = std::collections::HashMap::new();
        for (action, keys) in &map.bindings {
            for (text, k) in keys {
                if let Some(first) = seen.insert(*k, *action) {
                    panic!("{text} is bound to {first:?} and {action:?}");
                }
            }
        }
        assert!(seen.len() > 40);
    }

    #[test]
    fn a_key_taken_by_the_user_leaves_its_default_action() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keymap.toml");
        std::fs::write(&file, "[keys]\nfilter_unclaimed = [\"u\"]\n").unwrap();
        let (map, warning) = Keymap::load(Some(&file));
        assert!(warning.is_none());
        assert_eq!(map.action_for(key('u')), Some(Action::FilterUnclaimed));
        assert_eq!(map.keys_of(Action::Undo), "");
        assert_eq!(map.action_for(key('n')), None);
    }

    #[test]
    fn a_user_file_replaces_only_the_actions_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keymap.toml");
        std::fs::write(&file, "[keys]\nquit = [\"Ctrl-q\"]\n").unwrap();
        let (map, warning) = Keymap::load(Some(&file));
        assert!(warning.is_none());
        assert_eq!(map.action_for(key('q')), None);
        assert_eq!(
            map.action_for(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(map.action_for(key('?')), Some(Action::Help));
    }

    #[test]
    fn a_bad_file_names_its_line_and_the_defaults_stay() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keymap.toml");
        std::fs::write(&file, "[keys]\nhelp = [\"?\"]\nquit = [\"Hyper-q\"]\n").unwrap();
        let (map, warning) = Keymap::load(Some(&file));
        let w = warning.unwrap();
        assert!(w.contains("第3行") && w.contains("Hyper-q"), "{w}");
        assert_eq!(map.action_for(key('q')), Some(Action::Quit));
        std::fs::write(&file, "[keys]\nfly = [\"f\"]\n").unwrap();
        let w = Keymap::load(Some(&file)).1.unwrap();
        assert!(w.contains("第2行") && w.contains("fly"), "{w}");
        std::fs::write(&file, "[keys\n").unwrap();
        assert!(Keymap::load(Some(&file)).1.unwrap().contains("第1行"));
    }
}
