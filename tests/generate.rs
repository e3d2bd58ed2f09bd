//! `init --demo --scale city`: sizes of SPEC §7, realistic text, determinism.

mod common;

use common::*;
use jianguan::app::generate::{Scale, generate};
use jianguan::app::init::{AdminInput, init};
use std::path::Path;

const NOW: i64 = 1_780_000_000;

fn city(dir: &Path, name: &str) -> jianguan::store::Store {
    let mut store = open(&dir.join(name));
    init(
        &mut store,
        &AdminInput {
            login: ADMIN.into(),
            name: "管理员".into(),
            mobile: String::new(),
        },
        true,
        NOW,
    )
    .unwrap();
    generate(&mut store, Scale::City, NOW, &mut |_| {}).unwrap();
    store
}

fn one(store: &jianguan::store::Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn city_scale_has_the_sizes_of_the_spec_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = city(dir.path(), "a.db");
    let units = one(&a, "SELECT count(*) FROM units");
    let regions_with_units = one(&a, "SELECT count(DISTINCT region_id) FROM units");
    let mains = one(&a, "SELECT count(*) FROM main_items");
    let subs = one(&a, "SELECT count(*) FROM sub_items");
    let claims = one(&a, "SELECT count(*) FROM claims");
    let checklists = one(&a, "SELECT count(*) FROM checklists");
    assert!(
        (13..=20).contains(&regions_with_units),
        "{regions_with_units}"
    );
    assert!((600..=800).contains(&units), "{units}");
    assert!((4_500..=5_500).contains(&mains), "{mains}");
    assert!((27_000..=33_000).contains(&subs), "{subs}");
    assert!((80_000..=120_000).contains(&claims), "{claims}");
    assert!((30_000..=50_000).contains(&checklists), "{checklists}");
    // Every state is present, and names read like a catalogue.
    assert_eq!(one(&a, "SELECT count(DISTINCT state) FROM checklists"), 3);
    assert_eq!(
        one(
            &a,
            "SELECT count(*) FROM sub_items WHERE code LIKE '9%' AND name NOT LIKE '对%' AND name NOT LIKE '查封%'"
        ),
        0
    );
    assert_eq!(
        one(
            &a,
            "SELECT count(*) FROM sub_items WHERE basis_text NOT LIKE '《%'"
        ),
        0
    );
    assert!(
        jianguan::store::changelog::verify(a.conn())
            .unwrap()
            .is_empty()
    );

    let b = city(dir.path(), "b.db");
    assert!(content_dump(&a) == content_dump(&b), "two runs differ");
}
