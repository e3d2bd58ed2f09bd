//! Reading spreadsheets (.xlsx, .xls, .ods) with calamine: find a layout's
//! columns by their header text, fill merged cells, skip blank rows, and
//! turn every cell into the text a person sees.

use super::layouts::Column;
use crate::domain::text::header_key;
use calamine::{Data, Dimensions, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto};
use std::path::Path;

/// One data row: the values of the layout's columns ("" where absent).
#[derive(Debug, Clone)]
pub struct Record {
    pub sheet: String,
    /// 1-based row number as the spreadsheet program shows it.
    pub row: u32,
    pub values: Vec<String>,
    /// Columns whose cell holds an error value (#REF! …), by layout index.
    pub errors: Vec<(usize, String)>,
}

impl Record {
    /// The value of a layout column by key.
    pub fn get(&self, layout: &[Column], key: &str) -> &str {
        layout
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| self.values.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The rows found in one sheet, and which layout columns it has.
#[derive(Debug, Clone)]
pub struct SheetRows {
    pub name: String,
    pub present: Vec<bool>,
    pub records: Vec<Record>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "无法读取 {file}：不是可识别的电子表格（支持 .xlsx、.xls、.ods），或文件已损坏（{detail}）"
    )]
    NotASpreadsheet { file: String, detail: String },
    #[error("{file}：没有找到表头。工作表“{sheet}”缺少必需的列：{missing}")]
    MissingColumns {
        file: String,
        sheet: String,
        missing: String,
    },
    #[error("{file}：没有可见的工作表")]
    NoSheets { file: String },
}

/// How many rows from the top a header may start at.
const HEADER_SEARCH_ROWS: usize = 15;

/// The text a person sees in a cell; `Err` for an error value.
pub fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => serial_date_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(e.to_string()),
    })
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

/// A sheet as a grid of text with merged cells filled from their top-left.
struct Grid {
    first_row: u32,
    cells: Vec<Vec<Result<String, String>>>,
}

impl Grid {
    fn get(&self, r: usize, c: usize) -> &str {
        match self.cells.get(r).and_then(|row| row.get(c)) {
            Some(Ok(s)) => s,
            _ => "",
        }
    }
}

fn grid(range: &calamine::Range<Data>, merges: &[Dimensions]) -> Grid {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut cells: Vec<Vec<Result<String, String>>> = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    // Work in absolute columns from A: pad the left.
    if first_col > 0 {
        for row in &mut cells {
            let mut padded = vec![Ok(String::new()); first_col as usize];
            padded.append(row);
            *row = padded;
        }
    }
    for m in merges {
        let (r0, c0) = (m.start.0 as i64 - first_row as i64, m.start.1 as usize);
        if r0 < 0 {
            continue;
        }
        let value = cells
            .get(r0 as usize)
            .and_then(|row| row.get(c0))
            .cloned()
            .unwrap_or(Ok(String::new()));
        for r in m.start.0..=m.end.0 {
            let r = (r - first_row) as usize;
            if r >= cells.len() {
                break;
            }
            for c in m.start.1..=m.end.1 {
                let c = c as usize;
                if cells[r].len() <= c {
                    cells[r].resize(c + 1, Ok(String::new()));
                }
                cells[r][c] = value.clone();
            }
        }
    }
    Grid { first_row, cells }
}

fn names_of(col: &Column) -> Vec<String> {
    std::iter::once(col.header)
        .chain(col.synonyms.iter().copied())
        .map(header_key)
        .collect()
}

/// Maps layout columns to sheet columns using header row `r`; a column's
/// label is its own cell or, where that is empty, the (group) cell above.
fn map_columns(g: &Grid, r: usize, layout: &[Column], names: &[Vec<String>]) -> Vec<Option<usize>> {
    let width = g.cells.get(r).map_or(0, Vec::len);
    let labels: Vec<String> = (0..width)
        .map(|c| {
            let own = header_key(g.get(r, c));
            if own.is_empty() && r > 0 {
                header_key(g.get(r - 1, c))
            } else {
                own
            }
        })
        .collect();
    let mut taken = vec![false; width];
    let mut out = vec![None; layout.len()];
    for (k, col_names) in names.iter().enumerate() {
        if let Some(c) = (0..width).find(|&c| !taken[c] && col_names.contains(&labels[c])) {
            taken[c] = true;
            out[k] = Some(c);
        }
    }
    out
}

fn score(layout: &[Column], mapping: &[Option<usize>]) -> usize {
    layout
        .iter()
        .zip(mapping)
        .map(|(c, m)| match m {
            Some(_) if c.required => 3,
            Some(_) => 1,
            None => 0,
        })
        .sum()
}

fn merges_of(wb: &mut Sheets<std::io::BufReader<std::fs::File>>, sheet: &str) -> Vec<Dimensions> {
    match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Reads every visible worksheet that has the layout's required columns.
pub fn read(path: &Path, layout: &[Column]) -> Result<Vec<SheetRows>, ReadError> {
    let file = path.display().to_string();
    let not_sheet = |detail: String| ReadError::NotASpreadsheet {
        file: file.clone(),
        detail,
    };
    let mut wb = open_workbook_auto(path).map_err(|e| not_sheet(e.to_string()))?;
    let sheets: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    if sheets.is_empty() {
        return Err(ReadError::NoSheets { file });
    }
    let names: Vec<Vec<String>> = layout.iter().map(names_of).collect();
    let mut found = Vec::new();
    // The closest miss, to say what is missing if no sheet fits.
    let mut best_miss: Option<(usize, String, Vec<&'static str>)> = None;
    for sheet in sheets {
        let range = wb
            .worksheet_range(&sheet)
            .map_err(|e| not_sheet(e.to_string()))?;
        let merges = merges_of(&mut wb, &sheet);
        let g = grid(&range, &merges);
        let mut best: Option<(usize, usize, Vec<Option<usize>>)> = None;
        for r in 0..g.cells.len().min(HEADER_SEARCH_ROWS) {
            let mapping = map_columns(&g, r, layout, &names);
            let s = score(layout, &mapping);
            if s > 0 && best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, r, mapping));
            }
        }
        let Some((s, header_row, mapping)) = best else {
            continue;
        };
        let missing: Vec<&'static str> = layout
            .iter()
            .zip(&mapping)
            .filter(|(c, m)| c.required && m.is_none())
            .map(|(c, _)| c.header)
            .collect();
        if !missing.is_empty() {
            if best_miss.as_ref().is_none_or(|b| s > b.0) {
                best_miss = Some((s, sheet.clone(), missing));
            }
            continue;
        }
        let mut records = Vec::new();
        for r in header_row + 1..g.cells.len() {
            let mut values = Vec::with_capacity(layout.len());
            let mut errors = Vec::new();
            for (k, m) in mapping.iter().enumerate() {
                match m.and_then(|c| g.cells[r].get(c)) {
                    Some(Ok(s)) => values.push(s.clone()),
                    Some(Err(e)) => {
                        errors.push((k, e.clone()));
                        values.push(String::new());
                    }
                    None => values.push(String::new()),
                }
            }
            if values.iter().all(|v| v.trim().is_empty()) && errors.is_empty() {
                continue; // blank row
            }
            records.push(Record {
                sheet: sheet.clone(),
                row: g.first_row + r as u32 + 1,
                values,
                errors,
            });
        }
        found.push(SheetRows {
            name: sheet,
            present: mapping.iter().map(Option::is_some).collect(),
            records,
        });
    }
    if found.is_empty() {
        let (sheet, missing) = match best_miss {
            Some((_, sheet, missing)) => (sheet, missing),
            None => (
                String::from("（全部）"),
                layout
                    .iter()
                    .filter(|c| c.required)
                    .map(|c| c.header)
                    .collect(),
            ),
        };
        return Err(ReadError::MissingColumns {
            file,
            sheet,
            missing: missing.join("、"),
        });
    }
    Ok(found)
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
