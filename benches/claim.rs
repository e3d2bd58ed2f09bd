//! Bulk claiming on the province-scale database: `cargo bench --bench claim`.
//! Prints figures; asserts nothing.
//!
//! - one transaction claiming 10,000 sub-items for one unit, and the
//!   matching unclaim (target: claim ≤ 200 ms), median of several rounds,
//!   for neighbouring items and for items spread over the catalogue;
//! - the same through the binary: `jianguan claim --codes FILE`, end to end.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{admin, open, percentile, province_db};
use jianguan::app::{Actor, claims};
use jianguan::domain::{ItemStatus, Role};
use jianguan::store;
use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

const ITEMS: usize = 10_000;
const ROUNDS: usize = 5;
const PAUSE: Duration = Duration::from_secs(1);

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = province_db(dir.path());
    let mut s = open(&db);

    // A city operator and 10,000 in-use sub-items its unit does not claim.
    let operator = store::accounts::list(s.conn())
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Operator)
        .expect("the generator makes operators");
    let actor = Actor::resolve(&s, &admin(), Some(&operator.login)).unwrap();
    let mine: HashSet<_> = store::claims::claims_of_unit(s.conn(), operator.unit_id)
        .unwrap()
        .into_iter()
        .map(|c| c.sub_item_id)
        .collect();
    let rows = store::catalogue::tree_rows(s.conn()).unwrap();
    let total = rows.len();
    let free: Vec<_> = rows
        .into_iter()
        .filter(|r| r.status == ItemStatus::InUse && !mine.contains(&r.sub_id))
        .collect();
    println!(
        "unit of {} ({} claims already); {total} sub-items in the catalogue",
        operator.login,
        mine.len()
    );
    // Marking all in a filter gives neighbours in tree order; a search
    // gives items from all over the catalogue, the expensive case (every
    // row of the sub-item index is touched).
    let neighbours: Vec<_> = free.iter().take(ITEMS).collect();
    let spread: Vec<_> = free.iter().step_by(7).take(ITEMS).collect();
    for (what, chosen) in [
        ("neighbours in tree order", &neighbours),
        ("spread over the catalogue (every 7th)", &spread),
    ] {
        assert_eq!(chosen.len(), ITEMS);
        let ids: Vec<_> = chosen.iter().map(|r| r.sub_id).collect();
        let mut claim = Vec::new();
        let mut unclaim = Vec::new();
        for _ in 0..ROUNDS {
            // A user reads the result before the next action: the
            // background checkpoint of the previous one is done by then.
            std::thread::sleep(PAUSE);
            let t = Instant::now();
            let r = claims::claim_many(&mut s, &actor, &ids, true).unwrap();
            claim.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(r.changed.len(), ITEMS);
            std::thread::sleep(PAUSE);
            let t = Instant::now();
            let r = claims::unclaim_many(&mut s, &actor, &ids).unwrap();
            unclaim.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(r.changed.len(), ITEMS);
        }
        println!(
            "claim {ITEMS} sub-items, {what}, one transaction: median {:.0} ms, max {:.0} ms (target ≤ 200 ms); unclaim them: median {:.0} ms",
            percentile(&mut claim.clone(), 0.5),
            percentile(&mut claim, 1.0),
            percentile(&mut unclaim, 0.5),
        );
    }

    // End to end from the shell, codes read from a file.
    let codes = dir.path().join("codes.txt");
    let text: String = spread.iter().map(|r| format!("{}\n", r.sub_code)).collect();
    std::fs::write(&codes, text).unwrap();
    drop(s);
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_jianguan"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "--as",
            &operator.login,
            "claim",
        ])
        .arg("--codes")
        .arg(&codes)
        .output()
        .unwrap();
    let took = t.elapsed().as_secs_f64() * 1e3;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "jianguan claim --codes ({ITEMS} codes) from start to exit: {took:.0} ms; it said: {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    // Leave a given database as it was found.
    let ids: Vec<_> = spread.iter().map(|r| r.sub_id).collect();
    claims::unclaim_many(&mut open(&db), &actor, &ids).unwrap();
}
