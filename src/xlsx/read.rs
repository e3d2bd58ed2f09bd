//! Reading spreadsheets (.xlsx, .xls, .ods) with calamine: find a layout's
//! columns by their header text, fill merged cells, skip blank rows, and
//! turn every cell into the text a person sees.

use super::guard::guarded;
use super::layouts::Column;
use super::scan::SheetScan;
use super::sniff::{Kind, plain_zip, sniff};
use crate::domain::text::header_key;
use calamine::{
    Data, DataRef, Dimensions, OdsError, Reader, SheetType, SheetVisible, Sheets, Xls, XlsError,
    Xlsx, XlsxError, open_workbook,
};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// One data row: the values of the layout's columns ("" where absent).
#[derive(Debug, Clone)]
pub struct Record {
    pub sheet: String,
    /// 1-based row number as the spreadsheet program shows it.
    pub row: u32,
    pub values: Vec<String>,
    /// Columns whose cell cannot be read (an error value such as #REF!, a
    /// formula without a saved value), by layout index, with the reason.
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
    #[error("无法读取 {file}：{detail}")]
    Unreadable { file: String, detail: String },
    #[error("{file} 是空文件（0 字节），请确认文件已完整复制")]
    Empty { file: String },
    #[error("无法读取 {file}：这是{what}，不是 Excel 表格；{advice}")]
    NotASpreadsheet {
        file: String,
        what: &'static str,
        advice: &'static str,
    },
    #[error(
        "无法读取 {file}：文件设有打开密码；请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入"
    )]
    Encrypted { file: String },
    #[error(
        "无法读取 {file}：文件已损坏或不完整（{detail}）；请重新导出或重新复制该文件，或在 Excel 或 WPS 中打开后另存为 .xlsx"
    )]
    Corrupt { file: String, detail: String },
    #[error(
        "无法读取 {file}：表格展开后有 {cells} 个单元格（多为一直排到表尾的空行空列），超出可读取的范围；请删除多余的行列，或另存为 .xlsx 后再导入"
    )]
    TooLarge { file: String, cells: usize },
    #[error("{file}：没有找到表头。工作表“{sheet}”缺少必需的列：{missing}{hidden}")]
    MissingColumns {
        file: String,
        sheet: String,
        missing: String,
        /// A note naming hidden sheets (which are not read), or "".
        hidden: String,
    },
    #[error(
        "{file}：每个工作表的前 {rows} 行中都没有找到表头，表头应包含这些列：{expected}{hidden}"
    )]
    NoHeader {
        file: String,
        rows: usize,
        expected: String,
        hidden: String,
    },
    #[error("{file}：没有可见的工作表{hidden}")]
    NoSheets { file: String, hidden: String },
    #[error("{file}：工作表“{sheets}”只有表头，没有数据行")]
    NoRows { file: String, sheets: String },
}

const RESAVE: &str = "请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入";

/// The note on hidden sheets added to “not found” errors.
fn hidden_note(hidden: &[String]) -> String {
    if hidden.is_empty() {
        return String::new();
    }
    let names: Vec<String> = hidden.iter().map(|h| format!("“{h}”")).collect();
    format!(
        "（隐藏的工作表不读取：{}；如要导入，请先在 Excel 或 WPS 中取消隐藏）",
        names.join("、")
    )
}

/// How many rows from the top a header may start at.
const HEADER_SEARCH_ROWS: usize = 15;

/// Why a cell holding an error value (#REF! …) cannot be read.
fn error_value_reason(e: &calamine::CellErrorType) -> String {
    format!("单元格是错误值 {e}，请改为实际内容")
}

/// A cell of either calamine range type, as the text a person sees.
trait CellText {
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

/// Fills the cells of each merged region from its top-left cell, and marks
/// formula cells saved without a value. Rows must come in order: an origin
/// is always met before the cells it covers.
struct MergeFill {
    covered: HashMap<(u32, u32), (u32, u32)>,
    origins: HashMap<(u32, u32), CellValue>,
    /// One past the rightmost covered column.
    width: usize,
    uncached: HashMap<(u32, u32), String>,
}

impl MergeFill {
    fn new(scan: SheetScan) -> Self {
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

    fn apply(&mut self, row: &mut RowCells) {
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
    /// Why reading stopped early, if it did.
    error: Option<String>,
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

type MergeMap = Option<HashMap<String, SheetScan>>;

impl<RS: std::io::Read + std::io::Seek> XlsxRows<'_, RS> {
    /// The next row as parsed, without merge filling.
    fn raw_next(&mut self) -> Option<RowCells> {
        while !self.done {
            let cell = match guarded(|| self.reader.next_cell()) {
                Ok(Ok(Some(cell))) => cell,
                Ok(Ok(None)) => {
                    self.done = true;
                    break;
                }
                Ok(Err(e)) => {
                    self.error = Some(e.to_string());
                    self.done = true;
                    break;
                }
                Err(panic) => {
                    self.error = Some(panic_detail(&panic));
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
            let scan = match &mut self.merges {
                MergeSource::Known(m) => SheetScan {
                    merges: std::mem::take(m),
                    uncached: HashMap::new(),
                },
                MergeSource::Scan(handle, scanned, name) => {
                    if let Some(h) = handle.take() {
                        **scanned = h.join().ok().flatten();
                    }
                    scanned
                        .as_mut()
                        .and_then(|all| all.remove(name.as_str()))
                        .unwrap_or_default()
                }
            };
            self.fill = Some(MergeFill::new(scan));
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
    let corrupt = |detail: String| corrupt_file(&file, detail);
    let kind = sniff(path).map_err(|e| ReadError::Unreadable {
        file: file.clone(),
        detail: match e.kind() {
            std::io::ErrorKind::NotFound => "文件不存在，请检查路径".to_string(),
            std::io::ErrorKind::PermissionDenied => "没有读取这个文件的权限".to_string(),
            std::io::ErrorKind::IsADirectory => "这是一个文件夹，请给出其中的表格文件".to_string(),
            _ => e.to_string(),
        },
    })?;
    // For .xlsx, merged regions are scanned on another core meanwhile.
    let mut scan = (kind == Kind::Xlsx).then(|| {
        let scan_path = path.to_path_buf();
        std::thread::spawn(move || super::scan::xlsx_scan(&scan_path))
    });
    let mut scanned: MergeMap = None;
    let mut wb =
        guarded(|| open_by_kind(path, kind, &file)).map_err(|p| corrupt(panic_detail(&p)))??;
    let (sheets, hidden): (Vec<_>, Vec<_>) = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .partition(|s| s.visible == SheetVisible::Visible);
    let sheets: Vec<String> = sheets.into_iter().map(|s| s.name.clone()).collect();
    let hidden: Vec<String> = hidden.into_iter().map(|s| s.name.clone()).collect();
    if sheets.is_empty() {
        return Err(ReadError::NoSheets {
            file,
            hidden: hidden_note(&hidden),
        });
    }
    let names: Vec<Vec<String>> = layout.iter().map(names_of).collect();
    let mut fitting = Vec::new();
    let mut emitted = 0usize;
    let each = &mut |rec: Record| {
        emitted += 1;
        each(rec)
    };
    // The closest miss, to say what is missing if no sheet fits.
    let mut best_miss: Option<(usize, String, Vec<&'static str>)> = None;
    for name in sheets {
        let result = match &mut wb {
            Sheets::Xlsx(x) => {
                // The scan reads the same parts of the file calamine does;
                // should it fail where calamine succeeds, ask calamine.
                let merges = if scan.is_none() && scanned.is_none() {
                    MergeSource::Known(
                        guarded(|| x.merge_cells_by_sheet_name(&name).unwrap_or_default())
                            .unwrap_or_default(),
                    )
                } else {
                    MergeSource::Scan(&mut scan, &mut scanned, name.clone())
                };
                let reader = guarded(|| x.worksheet_cells_reader(&name))
                    .map_err(|p| corrupt(panic_detail(&p)))?
                    .map_err(|e| corrupt(e.to_string()))?;
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
                    return Err(corrupt(e));
                }
                r
            }
            Sheets::Xls(x) => {
                let merges = guarded(|| x.merge_cells_by_sheet_name(&name).unwrap_or_default())
                    .unwrap_or_default();
                let range = guarded(|| x.worksheet_range(&name))
                    .map_err(|p| corrupt(panic_detail(&p)))?
                    .map_err(|e| corrupt(e.to_string()))?;
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
                let range = guarded(|| other.worksheet_range(&name))
                    .map_err(|p| corrupt(panic_detail(&p)))?
                    .map_err(|e| corrupt(e.to_string()))?;
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
            Ok(()) => fitting.push(name),
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
    if fitting.is_empty() {
        let hidden = hidden_note(&hidden);
        return Err(match best_miss {
            Some((_, sheet, missing)) => ReadError::MissingColumns {
                file,
                sheet,
                missing: missing.join("、"),
                hidden,
            },
            None => ReadError::NoHeader {
                file,
                rows: HEADER_SEARCH_ROWS,
                expected: layout
                    .iter()
                    .filter(|c| c.required)
                    .map(|c| c.header)
                    .collect::<Vec<_>>()
                    .join("、"),
                hidden,
            },
        });
    }
    if emitted == 0 {
        return Err(ReadError::NoRows {
            file,
            sheets: fitting.join("”“"),
        });
    }
    Ok(())
}

/// Opens `path` as the kind its first bytes say it is.
fn open_by_kind(path: &Path, kind: Kind, file: &str) -> Result<Sheets<BufReader<File>>, ReadError> {
    Ok(match kind {
        Kind::Empty => {
            return Err(ReadError::Empty {
                file: file.to_string(),
            });
        }
        Kind::Other(what) => {
            return Err(ReadError::NotASpreadsheet {
                file: file.to_string(),
                what,
                advice: RESAVE,
            });
        }
        Kind::Xlsx => match open_workbook(path) {
            Ok(x) => Sheets::Xlsx(x),
            Err(_) if plain_zip(path) => {
                return Err(ReadError::NotASpreadsheet {
                    file: file.to_string(),
                    what: "ZIP 压缩包",
                    advice: "请解压后导入其中的表格文件",
                });
            }
            Err(e) => return Err(corrupt_file(file, XlsxError::to_string(&e))),
        },
        // calamine reads every sheet of an .ods when opening it.
        Kind::Ods => match open_workbook(path) {
            Ok(x) => Sheets::Ods(x),
            Err(OdsError::CellLimitExceeded { requested, .. }) => {
                return Err(ReadError::TooLarge {
                    file: file.to_string(),
                    cells: requested,
                });
            }
            Err(e) => return Err(corrupt_file(file, OdsError::to_string(&e))),
        },
        Kind::Ole => match open_workbook::<Xls<_>, _>(path) {
            Ok(x) => Sheets::Xls(x),
            Err(XlsError::Password) => {
                return Err(ReadError::Encrypted {
                    file: file.to_string(),
                });
            }
            // A password-protected .xlsx is an OLE file holding the package.
            Err(e) => match open_workbook::<Xlsx<_>, _>(path) {
                Err(XlsxError::Password) => {
                    return Err(ReadError::Encrypted {
                        file: file.to_string(),
                    });
                }
                _ => return Err(corrupt_file(file, e.to_string())),
            },
        },
    })
}

fn corrupt_file(file: &str, detail: String) -> ReadError {
    ReadError::Corrupt {
        file: file.to_string(),
        detail,
    }
}

/// A panic inside calamine, as the detail of a “corrupt file” error.
fn panic_detail(message: &str) -> String {
    format!("解析时出错：{message}")
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
