//! `import catalogue`: the national (or provincial) catalogue file. Items
//! are matched by code; changed ones get a new version, ones missing from a
//! newer file become 取消 with their claims and checklists kept.

use super::{
    ImportOptions, ImportReport, RowError, cell_errors, check_length, parse_opt, parse_yes_no,
};
use crate::app::{Actor, AppError, write_or_roll_back};
use crate::domain::basis_text::{Citation, guess_kind, parse_citations, title_variants};
use crate::domain::local_item::is_national_code;
use crate::domain::permission::WriteAction;
use crate::domain::text::{code, text};
use crate::domain::{Category, Id, ItemStatus, Level, MainItem, PermitType, Source, SubItem};
use crate::store::{self, Store};
use crate::xlsx::layouts::CATALOGUE;
use crate::xlsx::{Record, SheetRows};
use std::collections::{HashMap, HashSet};

struct Row<'a> {
    rec: &'a Record,
    main: MainItem,
    sub: SubItem,
    citations: Vec<Citation>,
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

fn parse_category(s: &str) -> Result<Category, String> {
    let v = code(s);
    if let Ok(n) = v.parse::<u8>() {
        return Category::from_exchange_code(n).ok_or_else(|| {
            format!("类别编号“{v}”应为0（行政检查）、1（行政处罚）、2（行政强制）或3（其他）")
        });
    }
    Category::parse(s).map_err(|e| e.to_string())
}

fn parse_row(rec: &Record) -> Result<Row<'_>, Vec<RowError>> {
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
            errors.push(RowError::at(
                rec,
                header(k),
                format!("“{c}”不是14位数字的事项编码"),
            ));
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
    for col in CATALOGUE {
        if let Some(e) = check_length(rec, col.header, rec.get(CATALOGUE, col.key)) {
            errors.push(e);
        }
    }
    let basis_text = text(get("basis"));
    let citations = parse_citations(&basis_text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let status = status.unwrap_or(ItemStatus::InUse);
    Ok(Row {
        rec,
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

/// Rows that contradict each other: a sub-item code twice, one main code
/// with two names.
fn cross_check(rows: &[Row<'_>], report: &mut ImportReport) -> Vec<bool> {
    let mut ok = vec![true; rows.len()];
    let mut subs: HashMap<&str, u32> = HashMap::new();
    let mut mains: HashMap<&str, (&str, &str, u32)> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(first) = subs.insert(&r.sub.code, r.rec.row) {
            report.rejected.push(RowError::at(
                r.rec,
                header("sub_code"),
                format!("“{}”与第{}行重复", r.sub.code, first),
            ));
            ok[i] = false;
        }
        match mains.get(r.main.code.as_str()) {
            Some((name, dept, first)) if *name != r.main.name || *dept != r.main.department => {
                report.rejected.push(RowError::at(
                    r.rec,
                    header("main_name"),
                    format!(
                        "主项“{}”在第{}行是“{}”（{}），此行不一致",
                        r.main.code, first, name, dept
                    ),
                ));
                ok[i] = false;
            }
            Some(_) => {}
            None => {
                mains.insert(&r.main.code, (&r.main.name, &r.main.department, r.rec.row));
            }
        }
    }
    ok
}

/// The ids of the bases a row cites, creating bases seen for the first time.
fn resolve_bases(
    tx: &rusqlite::Connection,
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

pub fn import_catalogue(
    store: &mut Store,
    actor: &Actor,
    sheets: &[SheetRows],
    opts: ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    let mut rows = Vec::new();
    for rec in sheets.iter().flat_map(|s| &s.records) {
        report.rows += 1;
        match parse_row(rec) {
            Ok(r) => rows.push(r),
            Err(e) => report.rejected.extend(e),
        }
    }
    let ok = cross_check(&rows, &mut report);
    let rows: Vec<Row<'_>> = rows
        .into_iter()
        .zip(ok)
        .filter(|(_, ok)| *ok)
        .map(|(r, _)| r)
        .collect();
    write_or_roll_back(store, actor, !opts.dry_run, |w| {
        w.authorize(WriteAction::ImportCatalogue)?;
        if report.blocked(&opts) {
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
        let tx = w.tx;
        let mut mains: HashMap<String, MainItem> = store::catalogue::all_main_items(tx)?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        let mut subs: HashMap<String, SubItem> = store::catalogue::all_sub_items(tx)?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        let mut links = store::catalogue::all_links(tx)?;
        let mut bases: HashMap<(String, String), Id> = store::catalogue::basis_keys(tx)?
            .into_iter()
            .map(|(id, t, a)| ((t, a), id))
            .collect();
        let (mut added, mut changed) = (Vec::new(), Vec::new());
        let mut seen_mains: HashSet<String> = HashSet::new();
        for (i, row) in rows.iter().enumerate() {
            if i % 1000 == 0 {
                progress(i, rows.len());
            }
            // The main item, once per code.
            let main_id = match mains.get(&row.main.code) {
                Some(existing) if existing.source == Source::City => {
                    report.rejected.push(RowError::at(
                        row.rec,
                        header("main_code"),
                        "此编码属于本市地方监管事项，不能被目录文件覆盖",
                    ));
                    continue;
                }
                Some(existing) => {
                    let mut m = row.main.clone();
                    m.id = existing.id;
                    if seen_mains.insert(m.code.clone()) && !same_main(existing, &m) {
                        store::catalogue::replace_main_item(tx, &m, w.at)?;
                        mains.insert(m.code.clone(), m.clone());
                    }
                    m.id
                }
                None => {
                    let mut m = row.main.clone();
                    m.id = store::catalogue::insert_main_item(tx, &m, w.at)?;
                    seen_mains.insert(m.code.clone());
                    let id = m.id;
                    mains.insert(m.code.clone(), m);
                    id
                }
            };
            let mut sub = row.sub.clone();
            sub.main_item_id = main_id;
            let basis_ids = resolve_bases(tx, &mut bases, &row.citations)?;
            match subs.get(&sub.code) {
                Some(existing) => {
                    sub.id = existing.id;
                    let old_links = links.get(&sub.id).cloned().unwrap_or_default();
                    if same_sub(existing, &sub) && old_links == basis_ids {
                        report.unchanged += 1;
                    } else {
                        store::catalogue::replace_sub_item(tx, &sub, w.at)?;
                        store::catalogue::set_bases(tx, sub.id, &basis_ids)?;
                        links.insert(sub.id, basis_ids);
                        changed.push(sub.code.clone());
                        subs.insert(sub.code.clone(), sub);
                    }
                }
                None => {
                    sub.id = store::catalogue::insert_sub_item(tx, &sub, w.at)?;
                    for b in &basis_ids {
                        store::catalogue::link_basis(tx, sub.id, *b)?;
                    }
                    added.push(sub.code.clone());
                    subs.insert(sub.code.clone(), sub);
                }
            }
        }
        progress(rows.len(), rows.len());
        // What a newer file no longer lists is cancelled, not deleted.
        let in_file: HashSet<&str> = rows.iter().map(|r| r.sub.code.as_str()).collect();
        // Only departments the file covers: a file of one ministry's items
        // says nothing about another's.
        let covered: HashSet<(Source, &str)> = rows
            .iter()
            .map(|r| (r.main.source, r.main.department.as_str()))
            .collect();
        let main_scope: HashMap<Id, (Source, String)> = mains
            .values()
            .map(|m| (m.id, (m.source, m.department.clone())))
            .collect();
        let in_scope = |main_id: Id| {
            main_scope
                .get(&main_id)
                .is_some_and(|(s, d)| covered.contains(&(*s, d.as_str())))
        };
        let mut cancelled = Vec::new();
        for s in subs.values() {
            if in_scope(s.main_item_id)
                && !in_file.contains(s.code.as_str())
                && s.status != ItemStatus::Cancelled
            {
                let mut c = s.clone();
                c.status = ItemStatus::Cancelled;
                store::catalogue::replace_sub_item(tx, &c, w.at)?;
                cancelled.push(c);
            }
        }
        let mains_in_file: HashSet<&str> = rows.iter().map(|r| r.main.code.as_str()).collect();
        for m in mains.values() {
            if in_scope(m.id)
                && !mains_in_file.contains(m.code.as_str())
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
        if report.blocked(&opts) {
            return Err(AppError::Rejected(Box::new(std::mem::take(&mut report))));
        }
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
