//! The terminal interface: an Elm-like loop. A terminal event becomes an
//! `Action` through the keymap, `App::update` applies it (calling `app/`
//! services for writes), and `draw` renders the state.

pub mod action;
pub mod app;
pub mod commands;
pub mod draw;
pub mod form;
pub mod help;
pub mod keymap;
pub mod panes;
mod run;
pub mod terminal;
pub mod theme;
pub mod wake;
pub mod widgets;

pub use run::run;
