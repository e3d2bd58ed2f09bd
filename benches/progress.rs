//! The progress table on the province-scale database:
//! `cargo bench --bench progress`. Prints figures; asserts nothing.
//!
//! The whole table (every unit's standing, ranked, and the county sums)
//! beside the bare SQL aggregate it rests on, in the same run; targets
//! ≤ 500 ms and ≤ 1.5× the bare query.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{open, percentile, province_db};
use jianguan::app::progress;
use jianguan::store;
use std::time::Instant;

const ROUNDS: usize = 7;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = province_db(dir.path());
    let s = open(&db);
    let now = jianguan::app::now();
    let (mut table, mut bare) = (Vec::new(), Vec::new());
    let mut units = 0;
    // Alternating, so drift on a noisy machine hits both alike.
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let figures = store::claims::unit_figures(s.conn()).unwrap();
        bare.push(t.elapsed().as_secs_f64() * 1e3);
        units = figures.len();
        let t = Instant::now();
        let rows = progress::standings(&s, now).unwrap();
        let _ = progress::totals(&rows);
        table.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (t, b) = (
        percentile(&mut table.clone(), 0.5),
        percentile(&mut bare.clone(), 0.5),
    );
    println!(
        "progress table of {units} units: median {t:.0} ms (target ≤ 500 ms); bare aggregate query median {b:.0} ms; ratio {:.2}× (target ≤ 1.5×)",
        t / b
    );
}
