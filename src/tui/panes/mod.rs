//! The four panes of the window.

pub mod basis;
pub mod checklists;
pub mod details;
pub mod local;
pub mod progress;
pub mod search;
pub mod tree;
pub mod units;

use crate::tui::action::Action;

/// Where a list's cursor goes for a movement action over `len` rows with
/// `page` rows on screen; None when the action is not a movement.
pub fn moved(action: Action, cursor: usize, len: usize, page: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (cursor + 1).min(last),
        Action::PageUp => cursor.saturating_sub(page.max(1)),
        Action::PageDown => (cursor + page.max(1)).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}
