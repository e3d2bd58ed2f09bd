//! Reading spreadsheets (.xlsx, .xls, .ods) with calamine: find a layout's
//! columns by their header text, fill merged cells, skip blank rows, and
//! turn every cell into the text a person sees.

use super::layouts::Column;
use crate::domain::text::header_key;
use calamine::{
    Data, DataRef, Dimensions, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto,
};
use std::collections::HashMap;
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

/// A cell of either calamine range type, as the text a person sees.
trait CellText {
    /// `Err` holds the error value (#REF! …).
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
            Data::Error(e) => return Err(e.to_string()),
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
            DataRef::Error(e) => return Err(e.to_string()),
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
type CellValue = Option<Result<String, String>>;

/// One row of a sheet with merged cells already filled from their region's
/// top-left cell. `cells` is indexed by absolute column.
struct RowCells {
    /// 0-based absolute row.
    index: u32,
    cells: Vec<CellValue>,
}

impl RowCells {
    fn text(&self, c: usize) -> &str {
        match self.cells.get(c) {
            Some(Some(Ok(s))) => s,
            _ => "",
        }
    }
}

/// Fills the cells of each merged region from its top-left cell. Rows must
/// come in order: an origin is always met before the cells it covers.
struct MergeFill {
    covered: HashMap<(u32, u32), (u32, u32)>,
    origins: HashMap<(u32, u32), CellValue>,
    /// One past the rightmost covered column.
    width: usize,
}

impl MergeFill {
    fn new(merges: &[Dimensions]) -> Self {
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
        }
    }

    fn apply(&mut self, row: &mut RowCells) {
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

/// Fills every row's merged cells (rows in sheet order).
fn fill_merges(rows: &mut [RowCells], merges: &[Dimensions]) {
    let mut fill = MergeFill::new(merges);
    for row in rows {
        fill.apply(row);
    }
}

fn owned(v: Result<std::borrow::Cow<'_, str>, String>) -> CellValue {
    Some(v.map(std::borrow::Cow::into_owned))
}

/// The rows of a calamine range (any format).
fn range_rows<T: CellText + calamine::CellType>(
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

/// The rows of an .xlsx sheet as they are parsed, with merged cells filled:
/// rows are read ahead while the merge scan (on another thread) runs, then
/// filled and handed on in order.
struct XlsxRows<'a, RS: std::io::Read + std::io::Seek> {
    reader: calamine::XlsxCellReader<'a, RS>,
    pending: Option<RowCells>,
    ahead: std::collections::VecDeque<RowCells>,
    merges: MergeSource<'a>,
    fill: Option<MergeFill>,
    error: Option<calamine::XlsxError>,
    /// The reader has reached the end of the sheet.
    done: bool,
}

/// Where a sheet's merged regions come from.
enum MergeSource<'a> {
    Scan(
        &'a mut Option<std::thread::JoinHandle<MergeMap>>,
        &'a mut MergeMap,
        String,
    ),
    Known(Vec<Dimensions>),
}

type MergeMap = Option<HashMap<String, Vec<Dimensions>>>;

impl<RS: std::io::Read + std::io::Seek> XlsxRows<'_, RS> {
    /// The next row as parsed, without merge filling.
    fn raw_next(&mut self) -> Option<RowCells> {
        while !self.done {
            let cell = match self.reader.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.error = Some(e);
                    self.done = true;
                    break;
                }
            };
            let (r, c) = cell.get_position();
            let done = match &self.pending {
                Some(row) if row.index != r => self.pending.take(),
                _ => None,
            };
            let row = self.pending.get_or_insert_with(|| RowCells {
                index: r,
                cells: Vec::new(),
            });
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, None);
            }
            row.cells[c] = owned(cell.get_value().text());
            if done.is_some() {
                return done;
            }
        }
        self.pending.take()
    }

    /// The merge fill, once the regions are known; reads ahead meanwhile.
    fn fill(&mut self) -> &mut MergeFill {
        if self.fill.is_none() {
            while matches!(&self.merges, MergeSource::Scan(Some(h), _, _) if !h.is_finished()) {
                match self.raw_next() {
                    Some(row) => self.ahead.push_back(row),
                    None => break,
                }
            }
            let regions = match &mut self.merges {
                MergeSource::Known(m) => std::mem::take(m),
                MergeSource::Scan(handle, scanned, name) => {
                    if let Some(h) = handle.take() {
                        **scanned = h.join().ok().flatten();
                    }
                    scanned
                        .as_ref()
                        .and_then(|all| all.get(name.as_str()).cloned())
                        .unwrap_or_default()
                }
            };
            self.fill = Some(MergeFill::new(&regions));
        }
        self.fill.as_mut().expect("set above")
    }
}

impl<RS: std::io::Read + std::io::Seek> Iterator for XlsxRows<'_, RS> {
    type Item = RowCells;

    fn next(&mut self) -> Option<RowCells> {
        self.fill();
        let mut row = match self.ahead.pop_front() {
            Some(row) => row,
            None => self.raw_next()?,
        };
        self.fill().apply(&mut row);
        Some(row)
    }
}

fn names_of(col: &Column) -> Vec<String> {
    std::iter::once(col.header)
        .chain(col.synonyms.iter().copied())
        .map(header_key)
        .collect()
}

/// Maps layout columns to sheet columns using header row `row` (and the
/// row above it, `above`): a column's label is its own cell or, where that
/// is empty, the (group) cell above.
fn map_columns(
    row: &RowCells,
    above: Option<&RowCells>,
    names: &[Vec<String>],
) -> Vec<Option<usize>> {
    let width = row.cells.len().max(above.map_or(0, |a| a.cells.len()));
    let labels: Vec<String> = (0..width)
        .map(|c| {
            let own = header_key(row.text(c));
            match above {
                Some(a) if own.is_empty() => header_key(a.text(c)),
                _ => own,
            }
        })
        .collect();
    let mut taken = vec![false; width];
    let mut out = vec![None; names.len()];
    for (k, col_names) in names.iter().enumerate() {
        if let Some(c) = (0..width)
            .find(|&c| !taken[c] && !labels[c].is_empty() && col_names.contains(&labels[c]))
        {
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

/// Why a sheet did not fit the layout: how close it came, what it lacks.
type Miss = (usize, Vec<&'static str>);

/// Finds the header among the first rows, then hands every non-blank data
/// row to `emit`. Returns which layout columns the sheet has.
fn read_sheet(
    name: &str,
    rows: impl Iterator<Item = RowCells>,
    layout: &[Column],
    names: &[Vec<String>],
    on_header: &mut dyn FnMut(&str, &[bool]),
    emit: &mut dyn FnMut(Record),
) -> Result<(), Option<Miss>> {
    let mut rows = rows;
    let head: Vec<RowCells> = rows.by_ref().take(HEADER_SEARCH_ROWS).collect();
    let mut best: Option<(usize, usize, Vec<Option<usize>>)> = None;
    for i in 0..head.len() {
        let above = i
            .checked_sub(1)
            .map(|p| &head[p])
            .filter(|p| p.index + 1 == head[i].index);
        let mapping = map_columns(&head[i], above, names);
        let s = score(layout, &mapping);
        if s > 0 && best.as_ref().is_none_or(|b| s > b.0) {
            best = Some((s, i, mapping));
        }
    }
    let (s, header_row, mapping) = best.ok_or(None)?;
    let missing: Vec<&'static str> = layout
        .iter()
        .zip(&mapping)
        .filter(|(c, m)| c.required && m.is_none())
        .map(|(c, _)| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(Some((s, missing)));
    }
    let present: Vec<bool> = mapping.iter().map(Option::is_some).collect();
    on_header(name, &present);
    for mut row in head.into_iter().skip(header_row + 1).chain(rows) {
        let mut values = Vec::with_capacity(layout.len());
        let mut errors = Vec::new();
        let mut blank = true;
        for (k, m) in mapping.iter().enumerate() {
            match m.and_then(|c| row.cells.get_mut(c)).and_then(Option::take) {
                Some(Ok(t)) => {
                    blank &= t.trim().is_empty();
                    values.push(t);
                }
                Some(Err(e)) => {
                    blank = false;
                    errors.push((k, e));
                    values.push(String::new());
                }
                None => values.push(String::new()),
            }
        }
        if blank {
            continue;
        }
        emit(Record {
            sheet: name.to_string(),
            row: row.index + 1,
            values,
            errors,
        });
    }
    Ok(())
}

/// Reads every visible worksheet that has the layout's required columns.
pub fn read(path: &Path, layout: &[Column]) -> Result<Vec<SheetRows>, ReadError> {
    let sheets = std::cell::RefCell::new(Vec::<SheetRows>::new());
    read_each(
        path,
        layout,
        &mut |name, present| {
            sheets.borrow_mut().push(SheetRows {
                name: name.to_string(),
                present: present.to_vec(),
                records: Vec::new(),
            })
        },
        &mut |rec| {
            if let Some(s) = sheets.borrow_mut().last_mut() {
                s.records.push(rec);
            }
        },
    )?;
    Ok(sheets.into_inner())
}

/// Reads every visible worksheet that has the layout's required columns,
/// row by row: `sheet` is told each fitting sheet (and which columns it
/// has) before its rows go to `each`. For .xlsx the rows stream as calamine
/// parses them.
pub fn read_each(
    path: &Path,
    layout: &[Column],
    sheet: &mut dyn FnMut(&str, &[bool]),
    each: &mut dyn FnMut(Record),
) -> Result<(), ReadError> {
    let file = path.display().to_string();
    let not_sheet = |detail: String| ReadError::NotASpreadsheet {
        file: file.clone(),
        detail,
    };
    // For .xlsx, merged regions are scanned on another core meanwhile.
    let scan_path = path.to_path_buf();
    let mut scan = Some(std::thread::spawn(move || {
        super::merges::xlsx_merges(&scan_path)
    }));
    let mut scanned: MergeMap = None;
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
    let mut fitting = 0;
    // The closest miss, to say what is missing if no sheet fits.
    let mut best_miss: Option<(usize, String, Vec<&'static str>)> = None;
    for name in sheets {
        let result = match &mut wb {
            Sheets::Xlsx(x) => {
                // The scan reads the same parts of the file calamine does;
                // should it fail where calamine succeeds, ask calamine.
                let merges = if scan.is_none() && scanned.is_none() {
                    MergeSource::Known(x.merge_cells_by_sheet_name(&name).unwrap_or_default())
                } else {
                    MergeSource::Scan(&mut scan, &mut scanned, name.clone())
                };
                let reader = x
                    .worksheet_cells_reader(&name)
                    .map_err(|e| not_sheet(e.to_string()))?;
                let mut rows = XlsxRows {
                    reader,
                    pending: None,
                    ahead: std::collections::VecDeque::new(),
                    merges,
                    fill: None,
                    error: None,
                    done: false,
                };
                let r = read_sheet(&name, &mut rows, layout, &names, sheet, each);
                if let Some(e) = rows.error {
                    return Err(not_sheet(e.to_string()));
                }
                r
            }
            Sheets::Xls(x) => {
                let merges = x.merge_cells_by_sheet_name(&name).unwrap_or_default();
                let range = x
                    .worksheet_range(&name)
                    .map_err(|e| not_sheet(e.to_string()))?;
                read_sheet(
                    &name,
                    range_rows(&range, &merges).into_iter(),
                    layout,
                    &names,
                    sheet,
                    each,
                )
            }
            other => {
                let range = other
                    .worksheet_range(&name)
                    .map_err(|e| not_sheet(e.to_string()))?;
                read_sheet(
                    &name,
                    range_rows(&range, &[]).into_iter(),
                    layout,
                    &names,
                    sheet,
                    each,
                )
            }
        };
        match result {
            Ok(()) => fitting += 1,
            Err(Some((s, missing))) => {
                if best_miss.as_ref().is_none_or(|b| s > b.0) {
                    best_miss = Some((s, name.clone(), missing));
                }
            }
            Err(None) => {}
        }
    }
    if let Some(handle) = scan {
        let _ = handle.join();
    }
    if fitting == 0 {
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
    Ok(())
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
