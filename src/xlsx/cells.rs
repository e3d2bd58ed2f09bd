//! Cells as the text a person sees, rows of cells, and the filling of
//! merged regions (and marking of formulas saved without a value).

use super::scan::SheetScan;
use calamine::{Data, DataRef, Dimensions};
use std::collections::HashMap;

/// Why a cell holding an error value (#REF! …) cannot be read.
fn error_value_reason(e: &calamine::CellErrorType) -> String {
    format!("单元格是错误值 {e}，请改为实际内容")
}

/// A cell of either calamine range type, as the text a person sees.
pub(super) trait CellText {
    /// `Err` says why the cell cannot be read (an error value such as #REF!).
    fn text(&self) -> Result<std::borrow::Cow<'_, str>, String>;
}

impl CellText for Data {
    fn text(&self) -> Result<std::borrow::Cow<'_, str>, String> {
        Ok(match self {
            Data::Empty => "".into(),
            Data::String(s) => s.as_str().into(),
            Data::Int(i) => i.to_string().into(),
            Data::Float(f) => number_text(*f).into(),
            Data::Bool(b) => if *b { "是" } else { "否" }.into(),
            Data::DateTime(dt) => serial_date_text(dt.as_f64()).into(),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.as_str().into(),
            Data::Error(e) => return Err(error_value_reason(e)),
        })
    }
}

impl CellText for DataRef<'_> {
    fn text(&self) -> Result<std::borrow::Cow<'_, str>, String> {
        Ok(match self {
            DataRef::Empty => "".into(),
            DataRef::SharedString(s) => (*s).into(),
            DataRef::String(s) => s.as_str().into(),
            DataRef::Int(i) => i.to_string().into(),
            DataRef::Float(f) => number_text(*f).into(),
            DataRef::Bool(b) => if *b { "是" } else { "否" }.into(),
            DataRef::DateTime(dt) => serial_date_text(dt.as_f64()).into(),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.as_str().into(),
            DataRef::Error(e) => return Err(error_value_reason(e)),
        })
    }
}

/// Integral values keep every digit (a 14-digit code stored as a number);
/// others print as the shortest decimal.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A date serial of the 1900 system as “2019-05-14” (or with a time).
fn serial_date_text(serial: f64) -> String {
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    match base.checked_add_signed(chrono::TimeDelta::days(days)) {
        Some(d) if secs == 0 => d.format("%Y-%m-%d").to_string(),
        Some(d) => {
            let t = d.and_hms_opt(0, 0, 0).expect("midnight") + chrono::TimeDelta::seconds(secs);
            t.format("%Y-%m-%d %H:%M").to_string()
        }
        None => number_text(serial),
    }
}

/// A cell's text, or the error value it holds; None when there is no cell.
pub(super) type CellValue = Option<Result<String, String>>;

/// One row of a sheet with merged cells already filled from their region's
/// top-left cell. `cells` is indexed by absolute column.
pub(super) struct RowCells {
    /// 0-based absolute row.
    pub(super) index: u32,
    pub(super) cells: Vec<CellValue>,
}

impl RowCells {
    pub(super) fn text(&self, c: usize) -> &str {
        match self.cells.get(c) {
            Some(Some(Ok(s))) => s,
            _ => "",
        }
    }
}

/// Fills the cells of each merged region from its top-left cell, and marks
/// formula cells saved without a value. Rows must come in order: an origin
/// is always met before the cells it covers.
pub(super) struct MergeFill {
    covered: HashMap<(u32, u32), (u32, u32)>,
    origins: HashMap<(u32, u32), CellValue>,
    /// One past the rightmost covered column.
    width: usize,
    uncached: HashMap<(u32, u32), String>,
}

impl MergeFill {
    pub(super) fn new(scan: SheetScan) -> Self {
        let SheetScan { merges, uncached } = scan;
        let merges = &merges;
        let mut covered = HashMap::new();
        let mut origins = HashMap::new();
        for m in merges {
            origins.insert(m.start, None);
            for r in m.start.0..=m.end.0 {
                for c in m.start.1..=m.end.1 {
                    if (r, c) != m.start {
                        covered.insert((r, c), m.start);
                    }
                }
            }
        }
        let width = covered.keys().map(|k| k.1 as usize + 1).max().unwrap_or(0);
        MergeFill {
            covered,
            origins,
            width,
            uncached,
        }
    }

    pub(super) fn apply(&mut self, row: &mut RowCells) {
        if !self.uncached.is_empty() {
            for (c, cell) in row.cells.iter_mut().enumerate() {
                let blank = match cell {
                    None => true,
                    Some(Ok(t)) => t.is_empty(),
                    Some(Err(_)) => false,
                };
                if blank && let Some(f) = self.uncached.get(&(row.index, c as u32)) {
                    *cell = Some(Err(uncached_reason(f)));
                }
            }
        }
        if self.covered.is_empty() {
            return;
        }
        for (c, cell) in row.cells.iter().enumerate() {
            if let Some(slot) = self.origins.get_mut(&(row.index, c as u32)) {
                *slot = cell.clone();
            }
        }
        if self.width > row.cells.len() {
            row.cells.resize(self.width, None);
        }
        for c in 0..row.cells.len() {
            if let Some(origin) = self.covered.get(&(row.index, c as u32))
                && let Some(v) = self.origins.get(origin)
            {
                row.cells[c] = v.clone();
            }
        }
    }
}

/// Why a formula cell without a saved value cannot be read.
fn uncached_reason(formula: &str) -> String {
    let shown: String = formula.chars().take(40).collect();
    let formula = if shown.is_empty() {
        String::new()
    } else {
        format!(" ={shown}")
    };
    format!("单元格是公式{formula}，文件里没有保存计算结果；请在 Excel 或 WPS 中打开、保存后再导入")
}

/// Fills every row's merged cells (rows in sheet order).
fn fill_merges(rows: &mut [RowCells], merges: &[Dimensions]) {
    let mut fill = MergeFill::new(SheetScan {
        merges: merges.to_vec(),
        uncached: HashMap::new(),
    });
    for row in rows {
        fill.apply(row);
    }
}

pub(super) fn owned(v: Result<std::borrow::Cow<'_, str>, String>) -> CellValue {
    Some(v.map(std::borrow::Cow::into_owned))
}

/// The rows of a calamine range (any format).
pub(super) fn range_rows<T: CellText + calamine::CellType>(
    range: &calamine::Range<T>,
    merges: &[Dimensions],
) -> Vec<RowCells> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut out = Vec::with_capacity(range.height());
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<CellValue> = vec![None; first_col as usize];
        cells.extend(row.iter().map(|d| owned(d.text())));
        out.push(RowCells {
            index: first_row + i as u32,
            cells,
        });
    }
    fill_merges(&mut out, merges);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_every_digit_and_dates_read_as_dates() {
        assert_eq!(number_text(11410100000001.0), "11410100000001");
        assert_eq!(number_text(0.05), "0.05");
        assert_eq!(serial_date_text(43599.0), "2019-05-14");
        assert_eq!(serial_date_text(43599.708333333336), "2019-05-14 17:00");
    }
}
