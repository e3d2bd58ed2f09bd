//! The progress table on the province-scale database:
//! `cargo bench --bench progress`. Prints figures; asserts nothing.
//!
//! The whole table (every unit's standing with every milestone, ranked,
//! the county sums and the counties as regions) beside, in the same run,
//! the aggregate over every claim and checklist it was read from before
//! the counts were kept per unit; target ≤ 150 ms.

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
    let (mut table, mut old) = (Vec::new(), Vec::new());
    let mut units = 0;
    // Alternating, so drift on a noisy machine hits both alike.
    for _ in 0..ROUNDS {
        let t = Instant::now();
        units = old_aggregate(&s);
        old.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let rows = progress::standings(&s, now).unwrap();
        let _ = progress::totals(&rows);
        let _ = progress::region_standings(&rows, now);
        table.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (t, o) = (
        percentile(&mut table.clone(), 0.5),
        percentile(&mut old.clone(), 0.5),
    );
    println!(
        "progress table of {units} units, every milestone, both rankings: median {t:.0} ms (target ≤ 150 ms); \
         the aggregate over all claims and checklists it used to read: median {o:.0} ms alone; ratio {:.2}×",
        t / o
    );
    println!(
        "consistency: {} units whose kept counts differ from their rows",
        store::claims::progress_count_mismatches(s.conn()).unwrap()
    );
}

/// The query the table read before the counts were kept per unit: every
/// claim and every counted checklist, grouped by unit.
fn old_aggregate(s: &store::Store) -> usize {
    let mut stmt = s
        .conn()
        .prepare(
            "SELECT u.id, c.claimed, c.exercised, c.required, k.draft, k.complete, k.filed
             FROM units u
             LEFT JOIN (SELECT unit_id, count(*) AS claimed, sum(exercised) AS exercised,
                               sum(inspection AND exercised) AS required
                          FROM claims GROUP BY unit_id) c ON c.unit_id = u.id
             LEFT JOIN (SELECT unit_id, sum(state = 'draft') AS draft,
                               sum(state = 'complete') AS complete, sum(state = 'filed') AS filed
                          FROM checklists WHERE counted GROUP BY unit_id) k ON k.unit_id = u.id",
        )
        .unwrap();
    stmt.query_map([], |_| Ok(())).unwrap().count()
}
