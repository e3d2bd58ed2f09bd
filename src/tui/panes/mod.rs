//! The four panes of the window.

pub mod details;
pub mod progress;
pub mod tree;
