//! jianguan (监管): compile the “互联网+监管” supervision catalogues of a
//! city and its counties. See README.md for the layers.

pub mod app;
pub mod cli;
pub mod domain;
pub mod files;
pub mod privilege;
pub mod search;
pub mod seed;
pub mod store;
pub mod tui;
pub mod xlsx;
