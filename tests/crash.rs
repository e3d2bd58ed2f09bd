//! Killed mid-way (SIGKILL, as a dropped server or an impatient operator
//! would): a bulk claim of 10,000 items and a catalogue import are either
//! wholly in the file or not at all, and the file stays sound. A full disk
//! or a read-only file: the write fails with a clear message, nothing lost.

mod common;

use common::*;
use jianguan::domain::{ItemStatus, Role};
use jianguan::store;
use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

const ITEMS: usize = 10_000;
const KILLS: usize = 20;

/// True when the WAL beside a database holds frames. Closing the last
/// connection removes it, so after a kill frames show the killed process
/// had begun writing pages.
fn wal_frames(wal: &std::path::Path) -> bool {
    std::fs::metadata(wal).map_or(0, |m| m.len()) > 32
}

/// Kills `child` at the `k`th of KILLS moments. Half fall anywhere from its
/// start to a little past its usual end (`whole`); the other half while the
/// commit writes its pages to the WAL (a transaction this size stays in
/// SQLite's page cache until then): as soon as the WAL grows, after a
/// random delay of up to 20 ms. `unit` is a random number in [0, 1).
fn kill_at(
    mut child: std::process::Child,
    k: usize,
    whole: Duration,
    unit: f64,
    wal: &std::path::Path,
) {
    if k < KILLS / 2 {
        std::thread::sleep(whole.mul_f64(1.3 * unit).min(Duration::from_secs(20)));
    } else {
        let deadline = Instant::now() + whole * 5;
        while !wal_frames(wal) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(50));
        }
        std::thread::sleep(Duration::from_micros((20_000.0 * unit) as u64));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The next of a series of pseudo-random numbers in [0, 1).
fn next_unit(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 33) as f64 / (1u64 << 31) as f64
}

#[test]
fn a_bulk_claim_killed_at_any_point_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("city.db");
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["init", "--demo", "--scale", "city"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // An operator of a generated unit, and 10,000 items it does not claim.
    let (login, unit, codes) = {
        let s = open(&db);
        let op = store::accounts::list(s.conn())
            .unwrap()
            .into_iter()
            .find(|a| a.role == Role::Operator && a.login.starts_with('u'))
            .unwrap();
        let level = store::units::unit_ref(s.conn(), op.unit_id).unwrap().level;
        let mine: HashSet<i64> = store::claims::claims_of_unit(s.conn(), op.unit_id)
            .unwrap()
            .iter()
            .map(|c| c.sub_item_id)
            .collect();
        let codes: Vec<String> = store::catalogue::tree_rows(s.conn())
            .unwrap()
            .into_iter()
            .filter(|r| r.status == ItemStatus::InUse && !mine.contains(&r.sub_id))
            .filter(|r| r.levels.admits(level))
            .map(|r| r.sub_code)
            .take(ITEMS)
            .collect();
        (op.login, op.unit_id, codes)
    };
    assert_eq!(codes.len(), ITEMS);
    let file = dir.path().join("codes.txt");
    std::fs::write(&file, codes.join("\n")).unwrap();
    let claimed_of = |s: &store::Store| -> usize {
        let mine: HashSet<String> = store::claims::claims_of_unit(s.conn(), unit)
            .unwrap()
            .iter()
            .map(|c| {
                store::catalogue::sub_item(s.conn(), c.sub_item_id)
                    .unwrap()
                    .code
            })
            .collect();
        codes.iter().filter(|c| mine.contains(*c)).count()
    };
    let run = |unclaim: bool| {
        let mut cmd = Command::new(bin());
        cmd.arg("--db")
            .arg(&db)
            .args(["--as", &login, "claim", "--codes"])
            .arg(&file);
        if unclaim {
            cmd.arg("--unclaim");
        }
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    // How long each whole action takes here, to kill within it.
    let timed = |unclaim: bool| {
        let t = Instant::now();
        assert!(run(unclaim).status().unwrap().success());
        t.elapsed()
    };
    let whole_claim = timed(false);
    let whole_unclaim = timed(true);
    assert_eq!(claimed_of(&open(&db)), 0);
    let mut present = false;
    let mut seed: u64 = 0x9e37_79b9;
    let (mut all, mut none, mut mid_write) = (0, 0, 0);
    let wal = dir.path().join("city.db-wal");
    for k in 0..KILLS {
        // The opposite of what is there now, killed at a random moment.
        let whole = if present { whole_unclaim } else { whole_claim };
        assert!(!wal_frames(&wal));
        let child = run(present).spawn().unwrap();
        kill_at(child, k, whole, next_unit(&mut seed), &wal);
        let wrote = wal_frames(&wal);
        let s = open(&db);
        assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
        assert!(store::changelog::verify(s.conn()).unwrap().is_empty());
        match claimed_of(&s) {
            0 => {
                none += 1;
                mid_write += usize::from(wrote && !present);
                present = false;
            }
            n if n == ITEMS => {
                all += 1;
                mid_write += usize::from(wrote && present);
                present = true;
            }
            n => panic!("a killed claim left {n} of {ITEMS} items claimed"),
        }
    }
    println!(
        "{KILLS} kills (a claim takes {:.0} ms, an unclaim {:.0} ms): {all} times all {ITEMS} claimed, \
         {none} times none; {mid_write} times the killed action had written pages to the WAL and \
         left nothing",
        whole_claim.as_secs_f64() * 1e3,
        whole_unclaim.as_secs_f64() * 1e3
    );
}

#[test]
fn a_write_that_cannot_grow_its_files_fails_clearly_and_changes_nothing() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: bash is needed to set a file-size limit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "full.db");
    let before = content_dump(&open(&db));
    // A file-size limit stands for a full disk: writes past it fail with
    // EFBIG (the signal that would kill the process is ignored).
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 12; exec {} --db {} --as lina claim --department 国家市场监督管理总局",
            bin(),
            db.display()
        ))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("这次操作没有写入任何内容"), "{err}");
    let s = open(&db);
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
    assert_eq!(content_dump(&s), before, "nothing written");
    // Without the limit the same claim goes through.
    let o = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args([
            "--as",
            "lina",
            "claim",
            "--department",
            "国家市场监督管理总局",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("已认领 39 项"));
}

/// A national catalogue file of `mains` × 10 new sub-items under one
/// department, every sub-item's name ending in `mark`.
fn write_catalogue(path: &std::path::Path, mains: usize, mark: &str) -> usize {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let layout = jianguan::xlsx::layouts::CATALOGUE;
    let col = |key: &str| layout.iter().position(|c| c.key == key).unwrap() as u16;
    for (c, h) in layout.iter().enumerate() {
        ws.write_string(0, c as u16, h.header).unwrap();
    }
    let mut r = 0;
    for m in 0..mains {
        for s in 1..=10 {
            r += 1;
            let cells = [
                ("department", "测试监管部".to_string()),
                ("main_code", format!("4990{m:04}000000")),
                ("main_name", format!("对第{m}类对象的行政检查")),
                ("sub_code", format!("4990{m:04}{s:03}000")),
                ("sub_name", format!("对第{m}类对象第{s}项的监督检查{mark}")),
                ("category", "行政检查".to_string()),
                ("target", "生产经营单位".to_string()),
                ("measures", "现场检查".to_string()),
                (
                    "basis",
                    "《中华人民共和国食品安全法》第一百一十条".to_string(),
                ),
                ("levels", "省级、市级、县级".to_string()),
            ];
            for (key, v) in cells {
                ws.write_string(r, col(key), v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
    r as usize
}

#[test]
fn a_large_import_killed_at_any_point_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_by_binary(dir.path(), "import.db");
    // Two versions of one catalogue: each import changes every sub-item.
    let files = [dir.path().join("甲.xlsx"), dir.path().join("乙.xlsx")];
    let rows = write_catalogue(&files[0], 600, "（甲）");
    write_catalogue(&files[1], 600, "（乙）");
    let run = |file: &std::path::Path| {
        let mut cmd = Command::new(bin());
        cmd.arg("--db")
            .arg(&db)
            .args(["import", "catalogue"])
            .arg(file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    let wal = dir.path().join("import.db-wal");
    // Which version the file holds: (甲 rows, 乙 rows).
    let versions = || -> (usize, usize) {
        let s = open(&db);
        assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
        assert!(store::changelog::verify(s.conn()).unwrap().is_empty());
        s.conn()
            .query_row(
                "SELECT count(*) FILTER (WHERE name LIKE '%（甲）'),
                        count(*) FILTER (WHERE name LIKE '%（乙）')
                 FROM sub_items WHERE code LIKE '4990%'",
                [],
                |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
            )
            .unwrap()
    };
    let timed = |file: &std::path::Path| {
        let t = Instant::now();
        assert!(run(file).status().unwrap().success());
        t.elapsed()
    };
    let whole_add = timed(&files[0]);
    let whole_change = timed(&files[1]);
    assert_eq!(versions(), (0, rows));
    let mut holds = 1; // index of the file whose names are in the database
    let mut seed: u64 = 0x2545_f491;
    let (mut finished, mut mid_write) = (0, 0);
    for k in 0..KILLS {
        let other = 1 - holds;
        assert!(!wal_frames(&wal));
        let child = run(&files[other]).spawn().unwrap();
        kill_at(child, k, whole_change, next_unit(&mut seed), &wal);
        let wrote = wal_frames(&wal);
        holds = match versions() {
            (n, 0) if n == rows => 0,
            (0, n) if n == rows => 1,
            (a, b) => panic!("a killed import left {a} rows of 甲 and {b} of 乙 of {rows}"),
        };
        if holds == other {
            finished += 1;
        } else if wrote {
            mid_write += 1;
        }
    }
    println!(
        "{KILLS} kills of an import of {rows} rows (adding takes {:.0} ms, changing {:.0} ms), \
         {finished} times wholly in, {} times wholly out ({mid_write} of them after pages of the \
         transaction had reached the WAL)",
        whole_add.as_secs_f64() * 1e3,
        whole_change.as_secs_f64() * 1e3,
        KILLS - finished
    );
}

#[test]
fn a_read_only_file_can_be_read_and_a_write_fails_clearly_changing_nothing() {
    // Root writes through file modes: drop to `nobody` for the runs, with
    // an account of that name, or run as oneself (the demo's admin).
    let root = nix::unistd::geteuid().is_root();
    if root && Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: running as root, and setpriv (util-linux) is needed to drop to nobody");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ro.db");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    // A copy of the binary beside the file, where nobody can reach it even
    // if the build directory is private.
    let exe = dir.path().join("jianguan");
    std::fs::copy(bin(), &exe).unwrap();
    let as_nobody = |program: &std::path::Path| {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(program);
        c
    };
    // The file's directory must be reachable by nobody (not so under a
    // private TMPDIR).
    let reachable = as_nobody(std::path::Path::new("test"))
        .arg("-w")
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if root && !reachable {
        eprintln!(
            "skipped: nobody cannot reach {} (a private parent directory)",
            dir.path().display()
        );
        return;
    }
    let jianguan = |as_other: bool, args: &[&str]| {
        let mut cmd = if as_other {
            as_nobody(&exe)
        } else {
            Command::new(bin())
        };
        cmd.arg("--db")
            .arg(&db)
            .args(args)
            .env("HOME", dir.path())
            .output()
            .unwrap()
    };
    assert!(jianguan(false, &["init", "--demo"]).status.success());
    if root {
        let o = jianguan(
            false,
            &[
                "account",
                "add",
                "--login",
                "nobody",
                "--name",
                "值班员",
                "--unit",
                "郑州市大数据管理局",
                "--role",
                "platform_admin",
                "--mobile",
                "13900000001",
            ],
        );
        assert!(o.status.success(), "{o:?}");
    }
    let before = content_dump(&open(&db));
    // The file cannot be written; its directory can (for the WAL's files).
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();

    let o = jianguan(root, &["--as", "lina", "checklist", "list"]);
    assert!(o.status.success(), "reading works: {o:?}");
    let o = jianguan(
        root,
        &[
            "--as",
            "lina",
            "claim",
            "--department",
            "国家市场监督管理总局",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.trim(),
        format!(
            "错误：数据库文件 {} 只读（权限或磁盘只读），这次操作没有写入任何内容；请联系管理员检查文件权限",
            db.display()
        )
    );
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let s = open(&db);
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
    assert!(content_dump(&s) == before, "nothing written");
}
