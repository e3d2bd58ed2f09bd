//! The four panes of the window.

pub mod basis;
pub mod details;
pub mod progress;
pub mod search;
pub mod tree;
