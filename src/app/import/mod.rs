//! Spreadsheet imports. Each reads every row first, checks every rule, and
//! then writes in one transaction: nothing unless the whole file is valid,
//! or with `skip_bad_rows` only the good rows. A dry run does all of it and
//! rolls back.

pub mod accounts;
pub mod catalogue;
pub mod checklists;
pub mod entered;
pub mod power_list;
pub mod units;

use crate::domain::Keyed;
use crate::domain::enums::UnknownLabel;
use crate::domain::text::TextRule;
use crate::xlsx::Record;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_bad_rows: bool,
}

/// A problem with one row: `sheet!row: column: reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{}: {}: {}",
            self.sheet, self.row, self.column, self.reason
        )
    }
}

impl RowError {
    pub fn at(rec: &Record, column: &str, reason: impl Into<String>) -> Self {
        RowError {
            sheet: rec.sheet.clone(),
            row: rec.row,
            column: column.to_string(),
            reason: reason.into(),
        }
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Catalogue items absent from a newer file, now 取消.
    pub cancelled: usize,
    /// Claims and checklists that point at cancelled items and were kept.
    pub kept_claims: usize,
    pub kept_checklists: usize,
    pub rejected: Vec<RowError>,
    /// Rows saved as 草稿 because they do not yet pass every filling rule:
    /// what each still lacks (these do not stop the import).
    pub incomplete: Vec<RowError>,
    /// Saved rows with text worth a second look (a 检查比例 naming no
    /// number): accepted, listed.
    pub warnings: Vec<RowError>,
    /// Rows changed in the database since the file was exported.
    pub conflicts: Vec<RowError>,
    /// False for a dry run, or when bad rows stopped the import.
    pub written: bool,
}

impl ImportReport {
    /// True when bad rows (or rows changed since the export) must stop the
    /// whole import.
    pub fn blocked(&self, opts: &ImportOptions) -> bool {
        (!self.rejected.is_empty() || !self.conflicts.is_empty()) && !opts.skip_bad_rows
    }
}

/// Reports each layout column's unreadable cells (#REF!, formulas without
/// a saved value) as row errors.
pub(crate) fn cell_errors(rec: &Record, layout: &[crate::xlsx::layouts::Column]) -> Vec<RowError> {
    rec.errors
        .iter()
        .map(|(k, reason)| RowError::at(rec, layout[*k].header, reason.clone()))
        .collect()
}

/// A row's errors without those a cell error explains: a #REF! cell or a
/// formula without a value reads as empty, and “必填” on it says nothing new.
pub(crate) fn without_shadowed(
    mut errors: Vec<RowError>,
    rec: &Record,
    layout: &[crate::xlsx::layouts::Column],
) -> Vec<RowError> {
    errors.retain(|e| {
        rec.errors
            .iter()
            .all(|(k, reason)| layout[*k].header != e.column || *reason == e.reason)
    });
    errors
}

/// Sorts row errors by sheet (in the file's order), then row; a row's own
/// errors keep their order.
pub(crate) fn in_sheet_order(errors: &mut [RowError], sheets: &[crate::xlsx::SheetRows]) {
    let sheet_index = |name: &str| sheets.iter().position(|s| s.name == name);
    errors.sort_by_key(|e| (sheet_index(&e.sheet), e.row));
}

/// Parses an enum cell; empty gives None.
pub(crate) fn parse_opt<T: Keyed>(
    value: &str,
    parse: fn(&str) -> Result<T, UnknownLabel>,
) -> Result<Option<T>, String> {
    let v = crate::domain::text::half_width(value);
    if v.trim().is_empty() {
        Ok(None)
    } else {
        parse(&v).map(Some).map_err(|e| e.to_string())
    }
}

pub(crate) use crate::domain::checklist_text::parse_yes_no;

/// Every cell of a row against its column's row of the text table
/// (control and bidi characters, line breaks in one-line fields, length),
/// each as `sheet!row: 列: 原因`. Checked on the value as the import keeps
/// it (a code's spaces dropped, text trimmed), before anything else reads
/// the row, so no other message quotes a refused cell.
pub(crate) fn text_errors(
    rec: &Record,
    layout: &[crate::xlsx::layouts::Column],
    rule_of: fn(&str) -> TextRule,
) -> Vec<RowError> {
    layout
        .iter()
        .zip(&rec.values)
        .filter_map(|(col, value)| {
            let rule = rule_of(col.key);
            rule.check_raw(value)
                .err()
                .map(|e| RowError::at(rec, col.header, e.reason()))
        })
        .collect()
}
