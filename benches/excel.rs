//! Excel import and export against the bare libraries, in one run:
//! `cargo bench --bench excel`. Prints figures; asserts nothing.
//!
//! - import of a generated catalogue of ~30,000 sub-items vs a bare calamine
//!   parse of the same file (target: ≤ 2×);
//! - export of ~40,000 checklists (annex 5) vs a bare rust_xlsxwriter write
//!   of the same cells (target: ≤ 1.5×).

// The same allocator as the jianguan binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use calamine::{Reader, open_workbook_auto};
use jianguan::app::export::{checklist_rows, export_checklists};
use jianguan::app::generate::{Scale, generate};
use jianguan::app::import::{ImportOptions, catalogue::import_catalogue_file};
use jianguan::app::init::{AdminInput, init};
use jianguan::app::{Actor, now};
use jianguan::store::checklists::Scope;
use jianguan::store::{self, OpenOptions, Store};
use jianguan::xlsx::layouts;
use jianguan::xlsx::write::checklist_cells;
use rust_xlsxwriter::Workbook;
use std::path::Path;
use std::time::Instant;

fn fresh(path: &Path, scale: Option<Scale>) -> Store {
    let mut s = store::open(
        path,
        &OpenOptions {
            create: true,
            allow_network_fs: false,
        },
    )
    .unwrap();
    let admin = AdminInput {
        login: "bench".into(),
        name: "基准".into(),
        mobile: String::new(),
    };
    init(&mut s, &admin, true, now()).unwrap();
    if let Some(scale) = scale {
        generate(&mut s, scale, now(), &mut |_| {}).unwrap();
    }
    s
}

/// The catalogue of a store as a national catalogue file (one row per sub-item).
fn write_catalogue_file(s: &Store, path: &Path) -> usize {
    let conn = s.conn();
    let mains: std::collections::HashMap<i64, jianguan::domain::MainItem> =
        store::catalogue::all_main_items(conn)
            .unwrap()
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let cols: Vec<&str> = layouts::CATALOGUE.iter().map(|c| c.header).collect();
    for (c, h) in cols.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut n = 0;
    for sub in store::catalogue::all_sub_items(conn).unwrap() {
        let m = &mains[&sub.main_item_id];
        if m.source == jianguan::domain::Source::City {
            continue;
        }
        n += 1;
        let levels: Vec<&str> = sub.levels.iter().map(|l| l.label()).collect();
        let cells = [
            m.department.clone(),
            m.code.clone(),
            m.name.clone(),
            m.permit_name.clone(),
            m.permit_type
                .map(|t| t.label().to_string())
                .unwrap_or_default(),
            m.permit_code.clone(),
            sub.code.clone(),
            sub.name.clone(),
            sub.category.label().to_string(),
            sub.target.clone(),
            sub.measures.clone(),
            sub.basis_text.clone(),
            sub.process.clone(),
            sub.result.clone(),
            levels.join("、"),
            m.source.label().to_string(),
            if sub.classified { "是" } else { "否" }.to_string(),
            sub.status.label().to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(n as u32, c as u16, v).unwrap();
        }
    }
    wb.save(path).unwrap();
    n
}

fn bare_parse(path: &Path) -> usize {
    let mut wb = open_workbook_auto(path).unwrap();
    let mut cells = 0;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            for c in row {
                cells += c.to_string().len().min(1);
            }
        }
    }
    cells
}

/// Runs `bare` and `ours` alternately `pairs` times, so that drift in the
/// machine's speed hits both alike; returns the median of each and the
/// median of the per-pair ratios.
fn paired(pairs: usize, mut bare: impl FnMut(), mut ours: impl FnMut()) -> (f64, f64, f64) {
    let (mut b, mut o, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..pairs {
        let t = Instant::now();
        bare();
        let tb = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        ours();
        let to = t.elapsed().as_secs_f64() * 1e3;
        b.push(tb);
        o.push(to);
        r.push(to / tb);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|x, y| x.total_cmp(y));
        v[v.len() / 2]
    };
    (median(&mut b), median(&mut o), median(&mut r))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    eprintln!("generating the city-scale database …");
    let big = fresh(&dir.path().join("city.db"), Some(Scale::City));
    let file = dir.path().join("catalogue.xlsx");
    let subs = write_catalogue_file(&big, &file);

    // Each import goes into a fresh demo database, made beforehand.
    const PAIRS: usize = 7;
    let mut targets: Vec<Store> = (0..PAIRS)
        .map(|i| fresh(&dir.path().join(format!("import-{i}.db")), None))
        .collect();
    let mut imported = 0;
    let (t_parse, t_import, r_import) = paired(
        PAIRS,
        || {
            bare_parse(&file);
        },
        || {
            let s = targets.pop().unwrap();
            let mut s = s;
            let actor = Actor::resolve(&s, "bench", None).unwrap();
            let r = import_catalogue_file(
                &mut s,
                &actor,
                &file,
                ImportOptions::default(),
                &mut |_, _| {},
            )
            .unwrap();
            imported = r.added + r.changed + r.unchanged;
        },
    );
    println!(
        "import catalogue: {subs} sub-items ({imported} imported), median of {PAIRS} alternating runs"
    );
    println!("  bare calamine parse   {t_parse:>8.1} ms");
    println!("  jianguan import       {t_import:>8.1} ms");
    println!("  ratio                 {r_import:>8.2}×  (target ≤ 2×)");

    let out = dir.path().join("checklists.xlsx");
    let (_, rows) = checklist_rows(&big, Scope::All, false).unwrap();
    let bare = dir.path().join("bare.xlsx");
    let mut n = 0;
    let (t_bare, t_export, r_export) = paired(
        PAIRS,
        || {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            for (i, row) in rows.iter().enumerate() {
                for (c, v) in checklist_cells(&row.fields).iter().enumerate() {
                    ws.write_string(i as u32, c as u16, v).unwrap();
                }
                ws.write_string(i as u32, 18, &row.version_tag).unwrap();
            }
            wb.save(&bare).unwrap();
        },
        || {
            n = export_checklists(
                &big,
                Scope::All,
                false,
                std::fs::File::create(&out).unwrap(),
            )
            .unwrap()
        },
    );
    println!("export checklists: {n} rows (annex 5), median of {PAIRS} alternating runs");
    println!("  bare rust_xlsxwriter  {t_bare:>8.1} ms");
    println!("  jianguan export       {t_export:>8.1} ms");
    println!("  ratio                 {r_export:>8.2}×  (target ≤ 1.5×)");
}
