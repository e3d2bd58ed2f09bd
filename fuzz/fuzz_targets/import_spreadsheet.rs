//! Any bytes as a spreadsheet: reading them for every layout, and a dry-run
//! import of what was read, must end in a result (rows, row errors or a
//! read error), never a panic, a hang or unbounded memory.

#![no_main]

use jianguan::app::import::{ImportOptions, accounts, catalogue, checklists, power_list, units};
use jianguan::app::init::{AdminInput, init};
use jianguan::app::{Actor, now};
use jianguan::store::{self, OpenOptions, Store};
use jianguan::xlsx::{self, layouts};
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};

/// One demo database for the whole run; every import is a dry run.
struct Setup {
    dir: tempfile::TempDir,
    store: Mutex<Store>,
    admin: Actor,
    operator: Actor,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = OpenOptions {
            create: true,
            allow_network_fs: false,
        };
        let mut store = store::open(&dir.path().join("fuzz.db"), &opts).expect("open");
        let admin = AdminInput {
            login: "admin".into(),
            name: "模糊测试".into(),
            mobile: "13900000000".into(),
        };
        init(&mut store, &admin, true, now()).expect("demo");
        let admin = Actor::resolve(&store, "admin", None).expect("admin");
        let operator = Actor::resolve(&store, "zhangwei", None).expect("operator");
        Setup {
            dir,
            store: Mutex::new(store),
            admin,
            operator,
        }
    })
}

const DRY_RUN: ImportOptions = ImportOptions {
    dry_run: true,
    skip_bad_rows: false,
};

fuzz_target!(|data: &[u8]| {
    let s = setup();
    // calamine reads files; the name does not matter (files are recognised
    // by their content).
    let path = s.dir.path().join("input.xlsx");
    std::fs::write(&path, data).expect("write input");
    let mut store = s.store.lock().expect("store");
    let store = &mut *store;
    let mut tick = |_, _| {};
    if let Ok(sheets) = xlsx::read(&path, layouts::CATALOGUE) {
        let _ = catalogue::import_catalogue(store, &s.admin, &sheets, DRY_RUN, &mut tick);
    }
    if let Ok(sheets) = xlsx::read(&path, layouts::CHECKLIST) {
        let _ = checklists::import_checklists(store, &s.operator, &sheets, DRY_RUN, &mut tick);
    }
    if let Ok(sheets) = xlsx::read(&path, layouts::ACCOUNTS) {
        let _ = accounts::import_accounts(store, &s.admin, &sheets, DRY_RUN);
    }
    if let Ok(sheets) = xlsx::read(&path, layouts::POWER_LIST) {
        let _ = power_list::import_power_list(store, &s.admin, &sheets, DRY_RUN);
    }
    if let Ok(sheets) = xlsx::read(&path, layouts::UNITS) {
        let _ = units::import_units(store, &s.admin, &sheets, DRY_RUN);
    }
});
