//! What a pane or overlay answers, as it says so itself (gitui's
//! `commands()`): the help overlay and the status line's key hints are
//! built from these lists, and an action a pane does not list is not
//! carried out there but explained, so the help cannot drift from what the
//! keys do.

use super::action::Action;
use super::keymap::{Keymap, key_name};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// One line of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// As the user types them: “Space”, “Ctrl-s/F2”, “a”.
    pub keys: String,
    /// What they do, for the help.
    pub what: String,
    /// A word or two for the status line.
    pub short: String,
    /// The keymap's action, when it is one (a key of the overlay's own has
    /// none).
    pub action: Option<Action>,
    /// Shown on the status line (movement keys are not: everyone knows them).
    pub hint: bool,
}

/// Builds a pane's list from the live keymap: an action without a key is
/// left out (nothing to press).
pub struct Commands<'k> {
    keymap: &'k Keymap,
    list: Vec<Command>,
}

impl<'k> Commands<'k> {
    pub fn new(keymap: &'k Keymap) -> Self {
        Commands {
            keymap,
            list: Vec::new(),
        }
    }

    /// An action, described as `Action` describes it.
    pub fn action(self, action: Action) -> Self {
        self.action_as(action, action.describe(), action.short())
    }

    /// An action that means something particular here (“Enter 填写”).
    pub fn action_as(mut self, action: Action, what: &str, short: &str) -> Self {
        let keys = self.keymap.keys_of(action);
        if !keys.is_empty() {
            self.list.push(Command {
                keys,
                what: what.to_string(),
                short: short.to_string(),
                action: Some(action),
                hint: !is_movement(action),
            });
        }
        self
    }

    /// Several actions on one line (“Up/k  Down/j  上移、下移”); each keeps
    /// its own entry for the question “does this pane answer it”.
    pub fn actions(mut self, actions: &[Action], what: &str) -> Self {
        let keys: Vec<String> = actions
            .iter()
            .map(|a| self.keymap.keys_of(*a))
            .filter(|k| !k.is_empty())
            .collect();
        if keys.is_empty() {
            return self;
        }
        self.list.push(Command {
            keys: keys.join("  "),
            what: what.to_string(),
            short: what.to_string(),
            action: actions.first().copied(),
            // Pairs are long for the status line: the help lists them.
            hint: false,
        });
        // The rest are recorded silently (no help line of their own).
        for a in actions.iter().skip(1) {
            self.list.push(Command {
                keys: String::new(),
                what: String::new(),
                short: String::new(),
                action: Some(*a),
                hint: false,
            });
        }
        self
    }

    /// The usual movement over a list.
    pub fn moves(self) -> Self {
        self.actions(&[Action::Up, Action::Down], "上移、下移")
            .actions(&[Action::PageUp, Action::PageDown], "上翻页、下翻页")
            .actions(&[Action::Top, Action::Bottom], "到顶、到底")
    }

    /// A key of the pane's own, not in the keymap.
    pub fn key(self, code: KeyCode, what: &str, short: &str) -> Self {
        self.key_with(code, KeyModifiers::NONE, what, short)
    }

    pub fn key_with(mut self, code: KeyCode, mods: KeyModifiers, what: &str, short: &str) -> Self {
        self.list.push(Command {
            keys: key_name(code, mods),
            what: what.to_string(),
            short: short.to_string(),
            action: None,
            hint: true,
        });
        self
    }

    /// Keys written out (“字符”, “Up/Down”) for what has no single key.
    pub fn text(mut self, keys: &str, what: &str, hint: bool) -> Self {
        self.list.push(Command {
            keys: keys.to_string(),
            what: what.to_string(),
            short: what.to_string(),
            action: None,
            hint,
        });
        self
    }

    /// Keys written out, with a shorter word for the status line.
    pub fn named(mut self, keys: &str, what: &str, short: &str) -> Self {
        self.list.push(Command {
            keys: keys.to_string(),
            what: what.to_string(),
            short: short.to_string(),
            action: None,
            hint: true,
        });
        self
    }

    /// Adds what `more` adds only when `cond` holds.
    pub fn when(self, cond: bool, more: impl FnOnce(Self) -> Self) -> Self {
        if cond { more(self) } else { self }
    }

    pub fn build(self) -> Vec<Command> {
        self.list
    }
}

/// Up, down, a page, the ends: every list has them.
pub fn is_movement(a: Action) -> bool {
    matches!(
        a,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    )
}

/// Whether a list answers an action.
pub fn answers(list: &[Command], action: Action) -> bool {
    list.iter().any(|c| c.action == Some(action))
}

/// The help lines of a list (the silent entries of `actions` left out).
pub fn shown(list: &[Command]) -> impl Iterator<Item = &Command> {
    list.iter().filter(|c| !c.keys.is_empty())
}
