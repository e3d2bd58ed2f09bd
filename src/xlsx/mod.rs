//! Spreadsheets in (calamine) and out (rust_xlsxwriter), in the layouts of
//! the notice's annexes.

mod cells;
mod error;
mod guard;
pub mod layouts;
pub mod read;
mod scan;
mod sniff;
pub mod write;

pub use error::ReadError;
pub use read::{Record, SheetRows, read};
