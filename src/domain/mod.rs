//! The business model: types, enumerations and rules. No I/O, no SQL, no
//! terminal.

pub mod account;
pub mod basis_text;
pub mod checklist;
pub mod checklist_text;
pub mod entities;
pub mod enums;
pub mod local_item;
pub mod numerals;
pub mod permission;
pub mod prefill;
pub mod progress;
pub mod subject;
pub mod text;
pub mod time;
pub mod uscc;

pub use checklist::{ChecklistField, ChecklistFields, FieldError, validate_checklist};
pub use checklist_text::FieldKind;
pub use entities::*;
pub use enums::*;
pub use time::{format_time, parse_time};
pub use uscc::{Uscc, UsccError};
