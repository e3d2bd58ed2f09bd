//! What the benchmarks share: the province-scale database and its opening.

use jianguan::app::generate::{Scale, generate};
use jianguan::app::init::{AdminInput, init};
use jianguan::app::now;
use jianguan::store::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The platform_admin of the generated database: the OS user, as
/// `jianguan init` makes it, so the binary can be run on the file too.
pub fn admin() -> String {
    jianguan::cli::os_login()
}

pub fn open(path: &Path) -> store::Store {
    store::open(
        path,
        &OpenOptions {
            create: false,
            allow_network_fs: false,
        },
    )
    .unwrap()
}

/// Generates the province-scale database in `dir` (about half a minute in
/// release) and says how long it took. `BENCH_DB=path` uses that file
/// instead (made with `jianguan init --demo --scale province` by the same
/// OS user); the benchmarks leave its content as they found it.
pub fn province_db(dir: &Path) -> PathBuf {
    if let Some(given) = std::env::var_os("BENCH_DB") {
        println!("using {}", PathBuf::from(&given).display());
        return given.into();
    }
    let db = dir.join("province.db");
    eprintln!("generating the province-scale database (about half a minute) …");
    let t = Instant::now();
    let mut s = store::open(
        &db,
        &OpenOptions {
            create: true,
            allow_network_fs: false,
        },
    )
    .unwrap();
    let admin = AdminInput {
        login: admin(),
        name: "基准".into(),
        mobile: String::new(),
    };
    init(&mut s, &admin, true, now()).unwrap();
    generate(&mut s, Scale::Province, now(), &mut |_| {}).unwrap();
    println!(
        "province database generated in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    db
}

/// The p-th percentile (0.0–1.0) of the values.
pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}
