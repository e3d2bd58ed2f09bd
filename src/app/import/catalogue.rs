//! `import catalogue`: the national (or provincial) catalogue file. Items
//! are matched by code; changed ones get a new version, ones missing from a
//! newer file become 取消 with their claims and checklists kept.

use super::{
    ImportOptions, ImportReport, RowError, cell_errors, parse_opt, parse_yes_no, text_errors,
    without_shadowed,
};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::basis_text::{Citation, guess_kind, parse_citations, title_variants};
use crate::domain::local_item::is_national_code;
use crate::domain::permission::WriteAction;
use crate::domain::text::{Shape, TextRule, code, rules, text};
use crate::domain::{Category, Id, ItemStatus, Level, MainItem, PermitType, Source, SubItem};
use crate::store::{self, Store};
use crate::xlsx::layouts::CATALOGUE;
use crate::xlsx::{Record, SheetRows};
use std::collections::{HashMap, HashSet};

struct Row {
    sheet: String,
    line: u32,
    main: MainItem,
    sub: SubItem,
    citations: Vec<Citation>,
}

impl Row {
    fn error(&self, key: &str, reason: impl Into<String>) -> RowError {
        RowError {
            sheet: self.sheet.clone(),
            row: self.line,
            column: header(key).to_string(),
            reason: reason.into(),
        }
    }
}

fn header(key: &str) -> &'static str {
    CATALOGUE
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.header)
}

/// “国家级、省级、市级、县级”, “省、市、县”, “省市县”.
fn parse_levels(s: &str) -> Result<Vec<Level>, String> {
    let s = crate::domain::text::half_width(s);
    let parts: Vec<&str> = s
        .split(['、', ',', '，', ';', '；', '/', ' ', '\n'])
        .filter(|p| !p.trim().is_empty())
        .collect();
    let mut levels = Vec::new();
    for p in parts {
        match Level::parse(p) {
            Ok(l) => levels.push(l),
            // “省市县” written together.
            Err(_) if p.chars().all(|c| "国省市县级".contains(c)) => {
                for c in p.chars().filter(|c| *c != '级') {
                    levels.push(Level::parse(&c.to_string()).map_err(|e| e.to_string())?);
                }
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    levels.sort();
    levels.dedup();
    if levels.is_empty() {
        return Err("必填，如“省级、市级、县级”".into());
    }
    Ok(levels)
}

/// Why `c` is not a 14-digit code; a number Excel showed in scientific
/// notation (and saved so, losing digits) gets its own advice.
fn not_a_code(c: &str) -> String {
    let scientific = c.contains(['E', 'e'])
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | 'E' | 'e' | '+'));
    if scientific {
        format!("“{c}”是科学计数法，编码的后几位已丢失；请把该列设为文本格式后按原编码重新填写")
    } else {
        format!("“{c}”不是14位数字的事项编码")
    }
}

fn parse_category(s: &str) -> Result<Category, String> {
    let v = code(s);
    if let Ok(n) = v.parse::<u8>() {
        return Category::from_exchange_code(n).ok_or_else(|| {
            format!("类别编号“{v}”应为0（行政检查）、1（行政处罚）、2（行政强制）或3（其他）")
        });
    }
    Category::parse(s).map_err(|e| e.to_string())
}

/// The text table's row for each column.
fn rule_of(key: &str) -> TextRule {
    match key {
        "department" => rules::DEPARTMENT,
        "main_code" | "sub_code" => rules::ITEM_CODE,
        "main_name" => rules::MAIN_NAME,
        "permit_name" => rules::PERMIT_NAME,
        "permit_code" => rules::PERMIT_CODE,
        "sub_name" => rules::SUB_NAME,
        "target" => rules::TARGET,
        "measures" => rules::MEASURES,
        "basis" => rules::BASIS_TEXT,
        "process" => rules::PROCESS,
        "result" => rules::RESULT,
        // “省级\n市级\n县级”: one level a line is read too.
        "levels" => TextRule {
            shape: Shape::Lines,
            ..rules::CHOICE
        },
        _ => rules::CHOICE,
    }
}

fn parse_row(rec: &Record) -> Result<Row, Vec<RowError>> {
    let unstorable = text_errors(rec, CATALOGUE, rule_of);
    if !unstorable.is_empty() {
        return Err(unstorable);
    }
    let mut errors = cell_errors(rec, CATALOGUE);
    let get = |k: &str| rec.get(CATALOGUE, k);
    let need = |k: &str, v: String, errors: &mut Vec<RowError>| {
        if v.is_empty() {
            errors.push(RowError::at(rec, header(k), "必填"));
        }
        v
    };
    let main_code = need("main_code", code(get("main_code")), &mut errors);
    let sub_code = need("sub_code", code(get("sub_code")), &mut errors);
    for (k, c) in [("main_code", &main_code), ("sub_code", &sub_code)] {
        if !c.is_empty() && !is_national_code(c) {
            errors.push(RowError::at(rec, header(k), not_a_code(c)));
        }
    }
    let department = need("department", text(get("department")), &mut errors);
    let main_name = need("main_name", text(get("main_name")), &mut errors);
    let sub_name = need("sub_name", text(get("sub_name")), &mut errors);
    let category = parse_category(get("category")).unwrap_or_else(|e| {
        errors.push(RowError::at(rec, header("category"), e));
        Category::Other
    });
    let levels = parse_levels(get("levels")).unwrap_or_else(|e| {
        errors.push(RowError::at(rec, header("levels"), e));
        Vec::new()
    });
    let source = match parse_opt(get("source"), Source::parse) {
        Ok(Some(Source::City)) => {
            errors.push(RowError::at(
                rec,
                header("source"),
                "市级地方监管事项请在本系统中编制，不从目录文件导入",
            ));
            Source::City
        }
        Ok(s) => s.unwrap_or(Source::National),
        Err(e) => {
            errors.push(RowError::at(rec, header("source"), e));
            Source::National
        }
    };
    let status = parse_opt(get("status"), ItemStatus::parse).unwrap_or_else(|e| {
        errors.push(RowError::at(rec, header("status"), e));
        None
    });
    let permit_type = parse_opt(get("permit_type"), PermitType::parse).unwrap_or_else(|e| {
        errors.push(RowError::at(rec, header("permit_type"), e));
        None
    });
    let classified = parse_yes_no(get("classified")).unwrap_or_else(|e| {
        errors.push(RowError::at(rec, header("classified"), e));
        None
    });
    let basis_text = text(get("basis"));
    let citations = parse_citations(&basis_text);
    if !errors.is_empty() {
        return Err(without_shadowed(errors, rec, CATALOGUE));
    }
    let status = status.unwrap_or(ItemStatus::InUse);
    Ok(Row {
        sheet: rec.sheet.clone(),
        line: rec.row,
        main: MainItem {
            id: 0,
            code: main_code,
            name: main_name,
            department,
            permit_name: text(get("permit_name")),
            permit_type,
            permit_code: code(get("permit_code")),
            source,
            status: ItemStatus::InUse,
            owner_unit_id: None,
            version: 1,
        },
        sub: SubItem {
            id: 0,
            code: sub_code,
            main_item_id: 0,
            name: sub_name,
            category,
            target: text(get("target")),
            measures: text(get("measures")),
            basis_text,
            process: text(get("process")),
            result: text(get("result")),
            levels,
            classified: classified.unwrap_or(false),
            status,
            version: 1,
        },
        citations,
    })
}

/// The ids of the bases a row cites, creating bases seen for the first time.
fn resolve_bases(
    tx: &crate::store::Connection,
    known: &mut HashMap<(String, String), Id>,
    citations: &[Citation],
) -> Result<Vec<Id>, AppError> {
    let mut ids = Vec::new();
    for c in citations {
        let found = title_variants(&c.title)
            .into_iter()
            .find_map(|t| known.get(&(t, c.article.clone())).copied());
        let id = match found {
            Some(id) => id,
            None => {
                let id = store::catalogue::upsert_basis(
                    tx,
                    &c.title,
                    guess_kind(&c.title),
                    &c.article,
                    &c.excerpt,
                )?;
                known.insert((c.title.clone(), c.article.clone()), id);
                id
            }
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.sort();
    Ok(ids)
}

fn same_main(a: &MainItem, b: &MainItem) -> bool {
    (
        &a.name,
        &a.department,
        &a.permit_name,
        a.permit_type,
        &a.permit_code,
        a.source,
        a.status,
    ) == (
        &b.name,
        &b.department,
        &b.permit_name,
        b.permit_type,
        &b.permit_code,
        b.source,
        b.status,
    )
}

fn same_sub(a: &SubItem, b: &SubItem) -> bool {
    (
        a.main_item_id,
        &a.name,
        a.category,
        &a.target,
        &a.measures,
        &a.basis_text,
    ) == (
        b.main_item_id,
        &b.name,
        b.category,
        &b.target,
        &b.measures,
        &b.basis_text,
    ) && (&a.process, &a.result, &a.levels, a.classified, a.status)
        == (&b.process, &b.result, &b.levels, b.classified, b.status)
}

/// Checks rows against the ones before them: a sub-item code twice, one
/// main code under two names.
#[derive(Default)]
struct CrossCheck {
    /// Where each sub-item code was first seen: (sheet, row).
    subs: HashMap<String, (String, u32)>,
    mains: HashMap<String, (String, String, u32)>,
}

impl Row {
    /// “第6行”, or “工作表“国家目录”第6行” when on another sheet than this row.
    fn place(&self, sheet: &str, line: u32) -> String {
        if sheet == self.sheet {
            format!("第{line}行")
        } else {
            format!("工作表“{sheet}”第{line}行")
        }
    }
}

impl CrossCheck {
    fn check(&mut self, r: &Row) -> Option<RowError> {
        if let Some((sheet, line)) = self.subs.get(&r.sub.code) {
            let first = r.place(sheet, *line);
            return Some(r.error("sub_code", format!("“{}”与{first}重复", r.sub.code)));
        }
        if let Some((name, dept, first)) = self.mains.get(&r.main.code)
            && (*name != r.main.name || *dept != r.main.department)
        {
            return Some(r.error(
                "main_name",
                format!(
                    "主项“{}”在第{}行是“{}”（{}），此行不一致",
                    r.main.code, first, name, dept
                ),
            ));
        }
        self.subs
            .insert(r.sub.code.clone(), (r.sheet.clone(), r.line));
        self.mains
            .entry(r.main.code.clone())
            .or_insert_with(|| (r.main.name.clone(), r.main.department.clone(), r.line));
        None
    }
}

/// What the reading side hands the writing side: rows, then how reading ended.
#[allow(clippy::large_enum_variant)] // one per row, moved once through a channel
enum Item {
    Row(Result<Row, Vec<RowError>>),
    Record(Record),
    End(Result<(), crate::xlsx::ReadError>),
}

/// Imports a catalogue file. Reading and parsing run on another thread and
/// hand rows over as they come, so the file is read while the database is
/// written; a bad row still means nothing is kept (the transaction is
/// rolled back), unless `skip_bad_rows`.
pub fn import_catalogue_file(
    store: &mut Store,
    actor: &Actor,
    path: &std::path::Path,
    opts: ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, AppError> {
    let (send, receive) = std::sync::mpsc::sync_channel::<Item>(4096);
    let path = path.to_path_buf();
    let reader = std::thread::spawn(move || {
        let ended = crate::xlsx::read::read_each(&path, CATALOGUE, &mut |_, _| {}, &mut |rec| {
            // A closed channel means the writer gave up; stop quietly.
            // Parsed on the writing side: calamine keeps this core busy.
            let _ = send.send(Item::Record(rec));
        });
        let _ = send.send(Item::End(ended));
    });
    let result = import_rows(store, actor, &mut receive.into_iter(), opts, progress);
    let _ = reader.join();
    result
}

/// Imports rows already read (see `xlsx::read`).
pub fn import_catalogue(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, AppError> {
    let mut rows = sheets
        .iter()
        .flat_map(|s| &s.records)
        .map(|r| Item::Row(parse_row(r)))
        .chain(std::iter::once(Item::End(Ok(()))));
    import_rows(store, actor, &mut rows, opts, progress)
}

fn import_rows(
    store: &mut Store,
    actor: &Actor,
    rows: &mut dyn Iterator<Item = Item>,
    opts: ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        w.authorize(WriteAction::ImportCatalogue)?;
        let tx = w.tx;
        let mains: HashMap<String, MainItem> = store::catalogue::all_main_items(tx)?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        let subs: HashMap<String, SubItem> = store::catalogue::all_sub_items(tx)?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        let links = store::catalogue::all_links(tx)?;
        let mut bases: HashMap<(String, String), Id> = store::catalogue::basis_keys(tx)?
            .into_iter()
            .map(|(id, t, a)| ((t, a), id))
            .collect();
        let (mut added, mut changed) = (Vec::new(), Vec::new());
        let mut cross = CrossCheck::default();
        // What the file lists, for cancelling what it no longer does. Only
        // departments the file covers count: a file of one ministry's
        // items says nothing about another's.
        let mut in_file: HashSet<String> = HashSet::new();
        let mut mains_in_file: HashSet<String> = HashSet::new();
        let mut covered: HashSet<(Source, String)> = HashSet::new();
        // Main items already written by this import, by code.
        let mut done_mains: HashMap<String, Id> = HashMap::new();
        // Many rows cite the same bases in the same words.
        let mut resolved: HashMap<String, Vec<Id>> = HashMap::new();
        let mut ended = false;
        for item in rows {
            let parsed = match item {
                Item::Row(parsed) => parsed,
                Item::Record(rec) => parse_row(&rec),
                Item::End(result) => {
                    // An unreadable file rolls back whatever was written.
                    result?;
                    ended = true;
                    break;
                }
            };
            report.rows += 1;
            if report.rows % 1000 == 0 {
                progress(report.rows, 0);
            }
            let row = match parsed {
                Ok(row) => row,
                Err(errors) => {
                    report.rejected.extend(errors);
                    continue;
                }
            };
            if let Some(e) = cross.check(&row) {
                report.rejected.push(e);
                continue;
            }
            if !report.rejected.is_empty() && !opts.skip_bad_rows {
                continue; // all will be rolled back: just keep checking
            }
            if let Some(existing) = mains.get(&row.main.code)
                && existing.source == Source::City
            {
                report.rejected.push(row.error(
                    "main_code",
                    "此编码属于本市地方监管事项，不能被目录文件覆盖",
                ));
                continue;
            }
            in_file.insert(row.sub.code.clone());
            if !mains_in_file.contains(&row.main.code) {
                mains_in_file.insert(row.main.code.clone());
                covered.insert((row.main.source, row.main.department.clone()));
            }
            let Row {
                main: mut m,
                mut sub,
                citations,
                ..
            } = row;
            // The main item, once per code.
            let main_id = match (done_mains.get(&m.code), mains.get(&m.code)) {
                (Some(id), _) => *id,
                (None, Some(existing)) => {
                    m.id = existing.id;
                    if !same_main(existing, &m) {
                        store::catalogue::replace_main_item(tx, &m, w.at)?;
                    }
                    done_mains.insert(m.code, m.id);
                    existing.id
                }
                (None, None) => {
                    let id = store::catalogue::insert_main_item(tx, &m, w.at)?;
                    done_mains.insert(m.code, id);
                    id
                }
            };
            sub.main_item_id = main_id;
            let basis_ids = match resolved.get(&sub.basis_text) {
                Some(ids) => ids.clone(),
                None => {
                    let ids = resolve_bases(tx, &mut bases, &citations)?;
                    resolved.insert(sub.basis_text.clone(), ids.clone());
                    ids
                }
            };
            match subs.get(&sub.code) {
                Some(existing) => {
                    sub.id = existing.id;
                    let old_links = links.get(&sub.id).map(Vec::as_slice).unwrap_or(&[]);
                    if same_sub(existing, &sub) && old_links == basis_ids.as_slice() {
                        report.unchanged += 1;
                    } else {
                        store::catalogue::replace_sub_item(tx, &sub, w.at)?;
                        store::catalogue::set_bases(tx, sub.id, &basis_ids)?;
                        changed.push(sub.code);
                    }
                }
                None => {
                    let id = store::catalogue::insert_sub_item(tx, &sub, w.at)?;
                    for b in &basis_ids {
                        store::catalogue::link_basis(tx, id, *b)?;
                    }
                    added.push(sub.code);
                }
            }
        }
        if !ended {
            return Err(AppError::Invalid(
                "读取文件时意外中断，未导入任何内容".into(),
            ));
        }
        progress(report.rows, report.rows);
        if report.blocked(&opts) {
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
        // What a newer file no longer lists is cancelled, not deleted.
        let scoped: HashSet<Id> = mains
            .values()
            .filter(|m| covered.contains(&(m.source, m.department.clone())))
            .map(|m| m.id)
            .collect();
        let mut cancelled = Vec::new();
        for s in subs.values() {
            if scoped.contains(&s.main_item_id)
                && !in_file.contains(&s.code)
                && s.status != ItemStatus::Cancelled
            {
                let mut c = s.clone();
                c.status = ItemStatus::Cancelled;
                store::catalogue::replace_sub_item(tx, &c, w.at)?;
                cancelled.push(c);
            }
        }
        for m in mains.values() {
            if scoped.contains(&m.id)
                && !mains_in_file.contains(&m.code)
                && m.status != ItemStatus::Cancelled
            {
                let mut c = m.clone();
                c.status = ItemStatus::Cancelled;
                store::catalogue::replace_main_item(tx, &c, w.at)?;
            }
        }
        let ids: Vec<Id> = cancelled.iter().map(|s| s.id).collect();
        let (claims, lists) = store::catalogue::references(tx, &ids)?;
        report.added = added.len();
        report.changed = changed.len();
        report.cancelled = cancelled.len();
        report.kept_claims = claims;
        report.kept_checklists = lists;
        let cancelled_codes: Vec<&str> = cancelled.iter().map(|s| s.code.as_str()).collect();
        w.log(
            "import_catalogue",
            "catalogue",
            "sub_items",
            None::<&()>,
            Some(&serde_json::json!({
                "added": added,
                "changed": changed,
                "cancelled": cancelled_codes,
                "rows": report.rows,
            })),
        )?;
        report.written = !opts.dry_run;
        Ok(std::mem::take(&mut report))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_in_the_forms_files_use() {
        use Level::*;
        assert_eq!(
            parse_levels("国家级、省级、市级、县级").unwrap(),
            vec![National, Province, City, County]
        );
        assert_eq!(
            parse_levels("省，市，县").unwrap(),
            vec![Province, City, County]
        );
        assert_eq!(parse_levels("市县").unwrap(), vec![City, County]);
        assert!(parse_levels("").is_err());
        assert!(parse_levels("乡级").unwrap_err().contains("乡级"));
    }

    #[test]
    fn categories_by_label_or_exchange_number() {
        assert_eq!(parse_category("行政检查"), Ok(Category::Inspection));
        assert_eq!(parse_category("2"), Ok(Category::Enforcement));
        assert!(parse_category("9").unwrap_err().contains("0（行政检查）"));
    }
}
