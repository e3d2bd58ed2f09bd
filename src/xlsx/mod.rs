//! Spreadsheets in (calamine) and out (rust_xlsxwriter), in the layouts of
//! the notice's annexes.

pub mod layouts;
mod merges;
pub mod read;
pub mod write;

pub use read::{ReadError, Record, SheetRows, read};
