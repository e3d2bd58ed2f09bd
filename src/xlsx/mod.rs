//! Spreadsheets in (calamine) and out (rust_xlsxwriter), in the layouts of
//! the notice's annexes.

mod guard;
pub mod layouts;
pub mod read;
mod scan;
mod sniff;
pub mod write;

pub use read::{ReadError, Record, SheetRows, read};
