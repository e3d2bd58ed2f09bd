//! Excel import and export against the bare libraries, in one run:
//! `cargo bench --bench excel`. Prints figures; asserts nothing.
//!
//! - import of a generated catalogue of ~30,000 sub-items vs a bare calamine
//!   parse of the same file (target: ≤ 2×);
//! - export of ~40,000 checklists (annex 5) vs a bare rust_xlsxwriter write
//!   of the same cells (target: ≤ 1.5×);
//! - peak memory of the real binary's `export checklists` of the whole
//!   province database (target: ≤ 200 MB whatever the row count), beside
//!   the figure from before the export streamed into constant-memory
//!   sheets. `BENCH_DB=FILE` reuses a province database (see
//!   benches/common/mod.rs).

// The same allocator as the jianguan binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Only `province_db` is used here; the rest serves the other benchmarks.
#[allow(dead_code)]
mod common;

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
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `export checklists` of the province database at commit ea78250 (rows
/// kept in memory until the workbook was saved), on the machine these
/// benchmarks were written on: rows, seconds, peak RSS in MB (10⁶ bytes;
/// `/usr/bin/time -v`: 2,330,796 KiB).
const BEFORE: (usize, f64, f64) = (684_277, 30.4, 2386.7);

/// What one run of the binary cost: rows written, seconds, peak RSS in MB,
/// and how the peak was read.
struct Run {
    rows: usize,
    seconds: f64,
    peak_mb: f64,
    how: &'static str,
    stdout: String,
}

/// Runs the real binary with `args`, measuring its peak resident set: by
/// GNU time (the kernel's figure, from wait4) when installed, else by
/// reading the child's VmHWM (its high-water mark) every 10 ms until it
/// exits.
fn measure(args: &[&std::ffi::OsStr], scratch: &Path) -> Run {
    let bin = env!("CARGO_BIN_EXE_jianguan");
    let time = Path::new("/usr/bin/time");
    let (out, err, report) = (
        scratch.join("stdout.txt"),
        scratch.join("stderr.txt"),
        scratch.join("time.txt"),
    );
    let gnu_time = time.exists();
    let mut command = if gnu_time {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&report).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    // To files, not pipes: nothing blocks the child while it is sampled.
    command
        .args(args)
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()));
    let t = Instant::now();
    let mut child = command.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut sampled_kib = 0.0f64;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if !gnu_time {
            let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            });
            sampled_kib = sampled_kib.max(hwm.unwrap_or(0.0));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let seconds = t.elapsed().as_secs_f64();
    let stdout = std::fs::read_to_string(&out).unwrap();
    assert!(
        status.success(),
        "{}",
        std::fs::read_to_string(&err).unwrap()
    );
    let (peak_kib, how) = if gnu_time {
        let kib = std::fs::read_to_string(&report)
            .unwrap()
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(f64::NAN);
        (kib, "GNU time")
    } else {
        (sampled_kib, "VmHWM sampled")
    };
    // “已导出 N 份检查实施清单到 …”: the first number.
    let rows = stdout
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
        .unwrap_or(0);
    Run {
        rows,
        seconds,
        peak_mb: peak_kib * 1024.0 / 1e6,
        how,
        stdout,
    }
}

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

    let province = common::province_db(dir.path());
    let file = dir.path().join("province-checklists.xlsx");
    let run = measure(
        &[
            "export".as_ref(),
            "checklists".as_ref(),
            "--db".as_ref(),
            province.as_os_str(),
            "-o".as_ref(),
            file.as_os_str(),
        ],
        dir.path(),
    );
    let size = std::fs::metadata(&file).map_or(0, |m| m.len());
    println!(
        "export checklists of the province, the real binary ({}): {}",
        run.how,
        run.stdout.trim()
    );
    println!("                 rows   seconds   peak RSS");
    println!(
        "  before    {:>10}  {:>8.1}  {:>6.0} MB  (ea78250, rows held until saved)",
        BEFORE.0, BEFORE.1, BEFORE.2
    );
    println!(
        "  now       {:>10}  {:>8.1}  {:>6.0} MB  (target ≤ 200 MB); file {:.1} MB",
        run.rows,
        run.seconds,
        run.peak_mb,
        size as f64 / 1e6
    );
}
