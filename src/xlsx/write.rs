//! Writing the annex layouts with rust_xlsxwriter: merged header groups,
//! frozen headers, widths fit for Chinese, drop-downs on enum columns.
//!
//! Every data sheet is written in constant-memory mode: each row goes to a
//! temporary file as soon as the next one starts, so an export of the whole
//! province holds one row in memory, not 760,000. Rows are therefore
//! written strictly in order and never revisited; what depends on the rows
//! (column widths, the drop-downs' extent) is sheet metadata set at the end,
//! which rust_xlsxwriter writes apart from the rows.
//!
//! The temporary files go to the OS temp dir (`$TMPDIR`, else /tmp; the
//! loader drops `$TMPDIR` for a setgid binary): the tempfile crate creates
//! them without a name (O_TMPFILE), or where that is not supported under a
//! random name, exclusively, 0600, unlinked at once; nothing can be planted
//! in their place, and a kill leaves nothing behind. About 850 bytes a
//! checklist row pass through them (580 MB for a province's 684,000 rows).

use super::layouts::{ANNEX2_CITY, ANNEX2_COUNTY, ANNEX4_HEADERS, CHECKLIST, checklist_groups};
use crate::domain::{ChecklistFields, InspectionKind, Level};
use rust_xlsxwriter::{
    DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::io::{Seek, Write};
use unicode_width::UnicodeWidthStr;

/// Why a spreadsheet could not be written, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "无法在临时目录 {dir} 中建立临时文件（{source}）；导出时表格逐行写入临时文件，请确认该目录存在且可写，或用环境变量 TMPDIR 指定另一个目录"
    )]
    TempDir { dir: String, source: std::io::Error },
    #[error(
        "写入临时目录 {dir} 中的临时文件失败（{detail}）；导出时表格逐行写入临时文件（全省的检查实施清单约需 600 MB），请腾出空间，或用环境变量 TMPDIR 指定空间足够的目录"
    )]
    TempWrite { dir: String, detail: String },
    #[error("写入电子表格时程序内部出错（{0}）；请把这一情况报告平台管理员")]
    Internal(String),
    #[error("写入电子表格出错：{0}")]
    Xlsx(XlsxError),
}

impl From<XlsxError> for WriteError {
    fn from(e: XlsxError) -> Self {
        match e {
            XlsxError::TempFileError(dir, source) => WriteError::TempDir {
                dir: dir.display().to_string(),
                source,
            },
            e => WriteError::Xlsx(e),
        }
    }
}

/// Runs a workbook writer. In constant-memory mode rust_xlsxwriter panics
/// when a row cannot be written to its temporary file (a full temp dir):
/// that becomes an error naming the directory, not a crash.
fn guarded<T>(write: impl FnOnce() -> Result<T, XlsxError>) -> Result<T, WriteError> {
    match super::guard::guarded(write) {
        Ok(written) => Ok(written?),
        // “Couldn't write to xml file: Os { code: 28, kind: StorageFull,
        // message: "No space left on device" }”: the OS's words.
        Err(panic) if panic.contains("Os {") => Err(WriteError::TempWrite {
            dir: std::env::temp_dir().display().to_string(),
            detail: panic
                .split_once("message: \"")
                .and_then(|(_, m)| m.split_once('"'))
                .map_or(panic.clone(), |(m, _)| m.to_string()),
        }),
        Err(panic) => Err(WriteError::Internal(panic)),
    }
}

fn title_format() -> Format {
    Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xD9E1F2)
}

fn wrap_format() -> Format {
    Format::new().set_text_wrap().set_align(FormatAlign::Top)
}

fn cell_format() -> Format {
    Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top)
}

/// Printed as the annexes are: A4 landscape (paper size 9), one page wide,
/// the header rows repeated on every page.
fn print_setup(ws: &mut Worksheet, header_rows_end: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(0, header_rows_end)?;
    Ok(())
}

/// Column widths from the widest line of any cell (a Chinese character is
/// two units), within bounds that keep long texts wrapping. Applied after
/// the rows: widths are column metadata, which rust_xlsxwriter keeps apart
/// from the rows already flushed in constant-memory mode.
struct Widths(Vec<usize>);

impl Widths {
    fn new(headers: &[&str]) -> Self {
        Widths(headers.iter().map(|h| h.width()).collect())
    }

    fn see(&mut self, col: usize, text: &str) {
        let w = text.lines().map(|l| l.width()).max().unwrap_or(0);
        if let Some(slot) = self.0.get_mut(col) {
            *slot = (*slot).max(w);
        }
    }

    fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).clamp(8.0, 48.0))?;
        }
        Ok(())
    }
}

/// One checklist as annex 5 prints it, in the order of `CHECKLIST`.
pub fn checklist_cells(f: &ChecklistFields) -> [String; 18] {
    use crate::domain::ChecklistField;
    std::array::from_fn(|i| f.text_of(ChecklistField::ALL[i]))
}

/// A checklist row to export, with its round-trip tag (“单位编号:版本”).
#[derive(Debug, Clone)]
pub struct ChecklistRow {
    pub fields: ChecklistFields,
    pub version_tag: String,
}

/// Column widths of annex 5 are judged from this many rows (measuring
/// every cell of a province's export would cost more than writing it).
const WIDTH_SAMPLE_ROWS: usize = 500;

/// Rows of drop-down validation added below the data, for filling offline.
const SPARE_ROWS: u32 = 200;

/// 附件5: a title row, two header rows with merged groups, the data.
/// Rows may come from a slice or stream in from another thread; returns how
/// many were written.
pub fn write_checklists<R: std::borrow::Borrow<ChecklistRow>>(
    out: impl Write + Seek + Send,
    title: &str,
    rows: impl IntoIterator<Item = R>,
) -> Result<usize, WriteError> {
    guarded(|| checklists_workbook(out, title, rows))
}

fn checklists_workbook<R: std::borrow::Borrow<ChecklistRow>>(
    out: impl Write + Seek + Send,
    title: &str,
    rows: impl IntoIterator<Item = R>,
) -> Result<usize, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("检查实施清单")?;
    let (hf, cf) = (header_format(), wrap_format());
    let data_cols = CHECKLIST.len() - 1;
    ws.merge_range(0, 0, 0, data_cols as u16 - 1, title, &title_format())?;
    ws.set_row_height(0, 30)?;
    // Grouped columns get the group above their own header; the others
    // span both header rows. All of row 1 (a merge down reaches into row 2
    // without leaving row 1) comes before any of row 2.
    for (name, first, last) in &checklist_groups() {
        if first == last {
            ws.write_string_with_format(1, *first as u16, *name, &hf)?;
        } else {
            ws.merge_range(1, *first as u16, 1, *last as u16, name, &hf)?;
        }
    }
    for (c, col) in CHECKLIST.iter().enumerate() {
        if col.group.is_none() {
            ws.merge_range(1, c as u16, 2, c as u16, col.header, &hf)?;
        }
    }
    for (c, col) in CHECKLIST.iter().enumerate() {
        if col.group.is_some() {
            ws.write_string_with_format(2, c as u16, col.header, &hf)?;
        }
    }
    let headers: Vec<&str> = CHECKLIST.iter().map(|c| c.header).collect();
    let mut widths = Widths::new(&headers);
    // Only the long free-text columns wrap; a format on every cell of tens
    // of thousands of rows would double the time to write them.
    let wraps: Vec<bool> = CHECKLIST
        .iter()
        .map(|c| matches!(c.key, "content" | "sampling_content" | "methods"))
        .collect();
    let mut count = 0;
    for (i, row) in rows.into_iter().enumerate() {
        let row = row.borrow();
        count += 1;
        let r = 3 + i as u32;
        for (c, text) in checklist_cells(&row.fields).iter().enumerate() {
            if wraps[c] {
                ws.write_string_with_format(r, c as u16, text, &cf)?;
            } else {
                ws.write_string(r, c as u16, text)?;
            }
            if i < WIDTH_SAMPLE_ROWS {
                widths.see(c, text);
            }
        }
        ws.write_string(r, data_cols as u16, &row.version_tag)?;
    }
    widths.apply(ws)?;
    ws.set_column_hidden(data_cols as u16)?;
    ws.set_freeze_panes(3, 0)?;
    print_setup(ws, 2)?;
    let last = 3 + count as u32 + SPARE_ROWS;
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.label()).collect();
    let kinds: Vec<&str> = InspectionKind::ALL.iter().map(|k| k.label()).collect();
    let yes_no = ["是", "否"];
    for (key, list) in [
        ("level", &levels[..]),
        ("inspection_kind", &kinds[..]),
        ("random_included", &yes_no[..]),
        ("sampling", &yes_no[..]),
        ("cooperation", &yes_no[..]),
    ] {
        let c = CHECKLIST.iter().position(|col| col.key == key).unwrap_or(0) as u16;
        let v = DataValidation::new()
            .allow_list_strings(list)?
            .set_error_message(format!("请从下拉列表中选择：{}", list.join("、")))?;
        ws.add_data_validation(3, c, last, c, &v)?;
    }
    wb.save_to_writer(out)?;
    Ok(count)
}

/// A sub-item row of annex 4.
pub struct CatalogueRow {
    pub department: String,
    pub main_name: String,
    pub permit: String,
    pub sub_name: String,
    pub target: String,
    pub measures: String,
    pub basis: String,
    pub process: String,
    pub result: String,
    pub levels: String,
    /// A local item's main and sub-item codes (the national ones once
    /// 已录入) and review state: 主项编码, 子项编码 and 状态 columns after the
    /// ten fields, in local-item exports only (what the 5/18 report and the
    /// 5/20 entry need to match rows).
    pub local: Option<(String, String, String)>,
}

/// 附件4: “<单位>监管事项清单”, the “填报单位： 电话：” line, the ten fields.
pub fn write_catalogue(
    out: impl Write + Seek + Send,
    title: &str,
    filler: &str,
    phone: &str,
    rows: &[CatalogueRow],
) -> Result<(), WriteError> {
    guarded(|| catalogue_workbook(out, title, filler, phone, rows))
}

fn catalogue_workbook(
    out: impl Write + Seek + Send,
    title: &str,
    filler: &str,
    phone: &str,
    rows: &[CatalogueRow],
) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("监管事项清单")?;
    let local = rows.iter().any(|r| r.local.is_some());
    let headers: Vec<&str> = ANNEX4_HEADERS
        .iter()
        .copied()
        .chain(
            local
                .then_some(["主项编码", "子项编码", "状态"])
                .into_iter()
                .flatten(),
        )
        .collect();
    let last_col = headers.len() as u16 - 1;
    ws.merge_range(0, 0, 0, last_col, title, &title_format())?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(
        1,
        0,
        1,
        last_col,
        &format!("填报单位：{filler}        电话：{phone}"),
        &Format::new(),
    )?;
    let hf = header_format();
    let cf = cell_format();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &hf)?;
    }
    let mut widths = Widths::new(&headers);
    let no_state = String::new();
    for (i, row) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_number_with_format(r, 0, (i + 1) as f64, &cf)?;
        let cells = [
            &row.department,
            &row.main_name,
            &row.permit,
            &row.sub_name,
            &row.target,
            &row.measures,
            &row.basis,
            &row.process,
            &row.result,
            &row.levels,
            row.local.as_ref().map_or(&no_state, |l| &l.0),
            row.local.as_ref().map_or(&no_state, |l| &l.1),
            row.local.as_ref().map_or(&no_state, |l| &l.2),
        ];
        for (c, text) in cells.iter().enumerate().take(headers.len() - 1) {
            ws.write_string_with_format(r, c as u16 + 1, text.as_str(), &cf)?;
            widths.see(c + 1, text);
        }
    }
    widths.apply(ws)?;
    ws.set_column_width(0, 6)?;
    ws.set_freeze_panes(3, 0)?;
    print_setup(ws, 2)?;
    wb.save_to_writer(out)
}

/// A person of annex 2: (单位或地区, 处室及职务或单位及职务, 姓名, 电话).
pub struct AccountRow {
    pub place: String,
    pub post: String,
    pub name: String,
    pub mobile: String,
}

/// 附件2: 表1 for city units, 表2 for counties.
pub fn write_accounts(
    out: impl Write + Seek + Send,
    city: &[AccountRow],
    county: &[AccountRow],
) -> Result<(), WriteError> {
    guarded(|| accounts_workbook(out, city, county))
}

fn accounts_workbook(
    out: impl Write + Seek + Send,
    city: &[AccountRow],
    county: &[AccountRow],
) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    for (sheet, title, headers, rows) in [
        ("表1 市直部门", "表1：市直部门填报", ANNEX2_CITY, city),
        (
            "表2 县（市、区）",
            "表2：各县（市、区）填报",
            ANNEX2_COUNTY,
            county,
        ),
    ] {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.place.clone(),
                    r.post.clone(),
                    r.name.clone(),
                    r.mobile.clone(),
                ]
            })
            .collect();
        table_sheet(&mut wb, sheet, title, headers, &cells)?;
    }
    wb.save_to_writer(out)
}

/// A plain report: a title over the columns, one row per line, a 序号
/// column first; frozen header, widths for Chinese, A4 landscape.
pub fn write_report(
    out: impl Write + Seek + Send,
    sheet: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), WriteError> {
    guarded(|| {
        let mut wb = Workbook::new();
        let mut all = vec!["序号"];
        all.extend_from_slice(headers);
        table_sheet(&mut wb, sheet, title, &all, rows)?;
        wb.save_to_writer(out)
    })
}

/// One sheet: a title over the columns (the first being 序号, numbered
/// here), one row per line; frozen header, widths for Chinese, A4
/// landscape.
fn table_sheet(
    wb: &mut Workbook,
    sheet: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(sheet)?;
    ws.merge_range(0, 0, 0, headers.len() as u16 - 1, title, &title_format())?;
    let hf = header_format();
    let cf = cell_format();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &hf)?;
    }
    let mut widths = Widths::new(headers);
    for (i, row) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_number_with_format(r, 0, (i + 1) as f64, &cf)?;
        for (c, text) in row.iter().enumerate() {
            ws.write_string_with_format(r, c as u16 + 1, text.as_str(), &cf)?;
            widths.see(c + 1, text);
        }
    }
    widths.apply(ws)?;
    ws.set_column_width(0, 6)?;
    ws.set_freeze_panes(2, 0)?;
    print_setup(ws, 1)?;
    Ok(())
}

/// A cell of a report: text, or a number Excel and WPS can sum and sort.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count.
    Int(i64),
    /// A signed change of a count (名次变化): shown “+2”, “-1”, “0”.
    Change(i64),
    /// A share, 0.0 to 1.0, shown as a percentage (47.0%).
    Percent(f64),
    /// A change of a share in points, shown “+5.3%”.
    PercentChange(f64),
    /// Nothing to show (no work required, no earlier report): “—”.
    None,
}

impl Cell {
    /// The cell as the terminal shows it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Change(n) => format!("{n:+}"),
            Cell::Percent(p) => format!("{:.1}%", p * 100.0),
            Cell::PercentChange(p) => format!("{:+.1}%", p * 100.0),
            Cell::None => "—".into(),
        }
    }
}

/// A chart beside a sheet's table: the rows' labels in one column and
/// their values in another (columns counted from the 序号 column, 0).
pub struct ChartSpec {
    pub title: String,
    /// Bar (completion by unit) or line (a trend over days).
    pub line: bool,
    pub label_col: u16,
    pub value_col: u16,
    /// Rows at the top of the table the chart leaves out.
    pub skip_rows: u32,
}

/// One sheet of a report: its name, title, columns (序号 first) and rows.
pub struct Sheet<'a> {
    pub name: String,
    pub title: String,
    pub headers: Vec<&'a str>,
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<ChartSpec>,
}

/// A workbook of several report sheets: the daily progress report's
/// rankings, overdue units and one sheet per county. Numbers are written
/// as numbers with a number format, so they can be summed and sorted.
pub fn write_sheets(out: impl Write + Seek + Send, sheets: &[Sheet<'_>]) -> Result<(), WriteError> {
    guarded(|| sheets_workbook(out, sheets))
}

fn sheets_workbook(out: impl Write + Seek + Send, sheets: &[Sheet<'_>]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let cf = cell_format();
    let count = cell_format().set_num_format("0");
    let change = cell_format().set_num_format("+0;-0;0");
    let share = cell_format().set_num_format("0.0%");
    let share_change = cell_format().set_num_format("+0.0%;-0.0%;0.0%");
    for s in sheets {
        // A chart's cached values (what a viewer that does not recalculate
        // draws) are taken from rows held in memory, so a sheet with a
        // chart is written in the normal mode: its rows are the units of
        // the city or of one county, or 14 days, never claims or checklists.
        let ws = if s.chart.is_some() {
            wb.add_worksheet()
        } else {
            wb.add_worksheet_with_constant_memory()?
        };
        ws.set_name(&s.name)?;
        ws.merge_range(
            0,
            0,
            0,
            s.headers.len() as u16 - 1,
            &s.title,
            &title_format(),
        )?;
        let hf = header_format();
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, *h, &hf)?;
        }
        let mut widths = Widths::new(&s.headers);
        for (i, row) in s.rows.iter().enumerate() {
            let r = 2 + i as u32;
            ws.write_number_with_format(r, 0, (i + 1) as f64, &count)?;
            for (c, cell) in row.iter().enumerate() {
                let col = c as u16 + 1;
                match cell {
                    Cell::Text(t) => ws.write_string_with_format(r, col, t.as_str(), &cf)?,
                    Cell::Int(n) => ws.write_number_with_format(r, col, *n as f64, &count)?,
                    Cell::Change(n) => ws.write_number_with_format(r, col, *n as f64, &change)?,
                    Cell::Percent(p) => ws.write_number_with_format(r, col, *p, &share)?,
                    Cell::PercentChange(p) => {
                        ws.write_number_with_format(r, col, *p, &share_change)?
                    }
                    Cell::None => ws.write_string_with_format(r, col, "—", &cf)?,
                };
                widths.see(c + 1, &cell.text());
            }
        }
        widths.apply(ws)?;
        ws.set_column_width(0, 6)?;
        ws.set_freeze_panes(2, 0)?;
        print_setup(ws, 1)?;
        if let (Some(spec), false) = (&s.chart, s.rows.is_empty()) {
            let last = 1 + s.rows.len() as u32;
            let mut chart = rust_xlsxwriter::Chart::new(if spec.line {
                rust_xlsxwriter::ChartType::Line
            } else {
                rust_xlsxwriter::ChartType::Bar
            });
            chart
                .add_series()
                .set_categories((
                    s.name.as_str(),
                    2 + spec.skip_rows,
                    spec.label_col,
                    last,
                    spec.label_col,
                ))
                .set_values((
                    s.name.as_str(),
                    2 + spec.skip_rows,
                    spec.value_col,
                    last,
                    spec.value_col,
                ))
                .set_name(
                    s.headers
                        .get(spec.value_col as usize)
                        .copied()
                        .unwrap_or(""),
                );
            chart.title().set_name(&spec.title);
            // The values are shares: the axis reads in percent.
            if spec.line {
                chart.y_axis().set_num_format("0%");
            } else {
                chart.x_axis().set_num_format("0%");
            }
            chart.legend().set_hidden();
            // Tall enough for one bar a unit to stay readable.
            let height = if spec.line {
                288
            } else {
                (s.rows.len() as u32 * 18).clamp(288, 1600)
            };
            chart.set_width(520).set_height(height);
            ws.insert_chart(2, s.headers.len() as u16 + 1, &chart)?;
        }
    }
    wb.save_to_writer(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_temp_file_write_names_the_directory_and_other_panics_say_internal() {
        let full: Result<(), WriteError> = guarded(|| {
            // As `expect` in rust_xlsxwriter's XML writer words it.
            let e = std::io::Error::from_raw_os_error(28);
            panic!("Couldn't write to xml file: {e:?}")
        });
        let Err(WriteError::TempWrite { dir, detail }) = full else {
            panic!("{full:?}")
        };
        assert_eq!(dir, std::env::temp_dir().display().to_string());
        assert_eq!(detail, "No space left on device");
        let bug: Result<(), WriteError> = guarded(|| panic!("index out of bounds"));
        assert_eq!(
            bug.unwrap_err().to_string(),
            "写入电子表格时程序内部出错（index out of bounds）；请把这一情况报告平台管理员"
        );
        let missing = guarded(|| -> Result<(), XlsxError> {
            Err(XlsxError::TempFileError(
                "/nonexistent".into(),
                std::io::Error::from_raw_os_error(2),
            ))
        });
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .starts_with("无法在临时目录 /nonexistent 中建立临时文件（No such file"),
        );
    }
}
