//! Killed mid-way (SIGKILL, as a dropped server or an impatient operator
//! would): a bulk claim of 10,000 items is either wholly in the file or not
//! at all, and the file stays sound.

mod common;

use common::*;
use jianguan::domain::{ItemStatus, Role};
use jianguan::store;
use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

const ITEMS: usize = 10_000;
const KILLS: usize = 20;

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
        let mine: HashSet<i64> = store::claims::claims_of_unit(s.conn(), op.unit_id)
            .unwrap()
            .iter()
            .map(|c| c.sub_item_id)
            .collect();
        let codes: Vec<String> = store::catalogue::tree_rows(s.conn())
            .unwrap()
            .into_iter()
            .filter(|r| r.status == ItemStatus::InUse && !mine.contains(&r.sub_id))
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
    let (mut all, mut none) = (0, 0);
    for _ in 0..KILLS {
        // The opposite of what is there now, killed at a random moment.
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Anywhere from the start to a little past the usual end.
        let whole = if present { whole_unclaim } else { whole_claim };
        let at = whole.mul_f64(1.3 * (seed >> 33) as f64 / (1u64 << 31) as f64);
        let mut child = run(present).spawn().unwrap();
        std::thread::sleep(at.min(Duration::from_secs(10)));
        let _ = child.kill();
        let _ = child.wait();
        let s = open(&db);
        assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
        assert!(store::changelog::verify(s.conn()).unwrap().is_empty());
        match claimed_of(&s) {
            0 => {
                none += 1;
                present = false;
            }
            n if n == ITEMS => {
                all += 1;
                present = true;
            }
            n => panic!("a killed claim left {n} of {ITEMS} items claimed"),
        }
    }
    println!(
        "{KILLS} kills (a claim takes {:.0} ms, an unclaim {:.0} ms): {all} times all {ITEMS} claimed, {none} times none",
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
    let db = dir.path().join("full.db");
    assert!(
        Command::new(bin())
            .arg("--db")
            .arg(&db)
            .args(["init", "--demo"])
            .output()
            .unwrap()
            .status
            .success()
    );
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
