//! SQLite and PostgreSQL side by side on the province-scale data (issue
//! #20): `BENCH_DB=province.db BENCH_PG=postgres://… cargo bench --bench
//! backends`, where BENCH_PG is the same data moved there with
//! `jianguan migrate-to`. Prints figures and PostgreSQL ÷ SQLite ratios
//! measured in the same run, the two alternating; asserts nothing.
//!
//! - claim 10,000 sub-items spread over the catalogue for one unit in one
//!   transaction, and unclaim them;
//! - the progress table (every unit, every milestone, both rankings);
//!   target on PostgreSQL ≤ 1 s;
//! - building the search index from the catalogue.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[allow(dead_code)]
mod common;

use common::{admin, open, percentile};
use jianguan::app::{Actor, claims, progress, views};
use jianguan::domain::{ItemStatus, Role};
use jianguan::store::{self, Store};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

const ITEMS: usize = 10_000;
const ROUNDS: usize = 5;

fn main() {
    let (Some(file), Some(url)) = (std::env::var_os("BENCH_DB"), std::env::var("BENCH_PG").ok())
    else {
        println!(
            "backends: needs BENCH_DB (a province-scale file, `jianguan init --demo --scale province`) and \
             BENCH_PG (the same moved with `jianguan migrate-to postgres://… --from FILE`); skipped"
        );
        return;
    };
    let mut engines = [
        ("SQLite", open(&PathBuf::from(file))),
        ("PostgreSQL", open(&PathBuf::from(url))),
    ];
    let mut figures: Vec<(&str, [Vec<f64>; 2])> = vec![
        ("claim 10,000", [vec![], vec![]]),
        ("unclaim them", [vec![], vec![]]),
        ("progress table", [vec![], vec![]]),
        ("search index build", [vec![], vec![]]),
    ];
    let work: Vec<(Actor, Vec<i64>)> = engines.iter().map(|(_, s)| choose(s)).collect();
    for round in 0..ROUNDS {
        for (e, (_, s)) in engines.iter_mut().enumerate() {
            let (actor, ids) = &work[e];
            let t = Instant::now();
            let r = claims::claim_many(s, actor, ids, true).unwrap();
            figures[0].1[e].push(ms(t));
            assert_eq!(r.changed.len(), ITEMS);
            let t = Instant::now();
            let r = claims::unclaim_many(s, actor, ids).unwrap();
            figures[1].1[e].push(ms(t));
            assert_eq!(r.changed.len(), ITEMS);
            let t = Instant::now();
            let rows = progress::standings(s, jianguan::app::now()).unwrap();
            let _ = progress::totals(&rows);
            let _ = progress::region_standings(&rows, jianguan::app::now());
            figures[2].1[e].push(ms(t));
            if round < 3 {
                let t = Instant::now();
                let index = views::search_index(s, Some(actor)).unwrap();
                figures[3].1[e].push(ms(t));
                drop(index);
            }
        }
    }
    for (what, [sqlite, pg]) in &mut figures {
        let (a, b) = (percentile(sqlite, 0.5), percentile(pg, 0.5));
        let target = if *what == "progress table" {
            " (target on PostgreSQL ≤ 1000 ms)"
        } else {
            ""
        };
        println!(
            "{what}: SQLite median {a:.0} ms, PostgreSQL median {b:.0} ms{target}; ratio {:.2}×",
            b / a
        );
    }
    for (name, s) in &engines {
        println!(
            "{name}: {} units whose kept counts differ from their rows",
            store::claims::progress_count_mismatches(s.conn()).unwrap()
        );
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// A city operator and 10,000 in-use sub-items spread over the catalogue
/// that its unit does not claim (the same on both engines: the same data).
fn choose(s: &Store) -> (Actor, Vec<i64>) {
    let operator = store::accounts::list(s.conn())
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Operator)
        .expect("the generator makes operators");
    let actor = Actor::resolve(s, &admin(), Some(&operator.login)).unwrap();
    let mine: HashSet<_> = store::claims::claims_of_unit(s.conn(), operator.unit_id)
        .unwrap()
        .into_iter()
        .map(|c| c.sub_item_id)
        .collect();
    let ids = store::catalogue::tree_rows(s.conn())
        .unwrap()
        .into_iter()
        .filter(|r| r.status == ItemStatus::InUse && !mine.contains(&r.sub_id))
        .step_by(7)
        .take(ITEMS)
        .map(|r| r.sub_id)
        .collect();
    (actor, ids)
}
