//! Reading spreadsheets (.xlsx, .xls, .ods) with calamine: open a file as
//! what it is, find a layout's columns by their header text, stream the
//! rows with merged cells filled, skip blank rows.

use super::cells::{CellText, MergeFill, RowCells, owned, range_rows};
use super::error::{ReadError, corrupt_file, hidden_note, panic_detail};
use super::guard::guarded;
use super::layouts::Column;
use super::scan::SheetScan;
use super::sniff::{Kind, open_by_kind, sniff};
use crate::domain::text::header_key;
use calamine::{Dimensions, Reader, SheetType, SheetVisible, Sheets};
use std::collections::HashMap;
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

/// How many rows from the top a header may start at.
const HEADER_SEARCH_ROWS: usize = 15;

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
