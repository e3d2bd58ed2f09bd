//! Real OS processes sharing one file (SPEC §6).

mod common;

use common::*;
use jianguan::app::AppError;
use jianguan::app::checklists::{SaveRequest, save_checklist};
use jianguan::app::claims::claim_many;
use jianguan::domain::Category;
use jianguan::store;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const WORKERS: usize = 8;

#[test]
#[ignore = "worker process of eight_processes_open_a_fresh_file_together"]
fn worker_open() {
    let db = PathBuf::from(std::env::var("JG_DB").expect("JG_DB"));
    wait_for_go(&go_dir(&db));
    let store = open(&db);
    println!("RESULT {{\"applied\": {}}}", store.migrations_applied());
}

#[test]
fn eight_processes_open_a_fresh_file_together() {
    if only_on_sqlite(
        "it races opening a new SQLite file; tests/postgres.rs races the schema's migrations",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| spawn_worker("worker_open", &[("JG_DB", db.display().to_string())]))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), "").unwrap();
    let applied: Vec<i64> = workers
        .into_iter()
        .map(|w| worker_result(w)["applied"].as_i64().unwrap())
        .collect();
    assert_eq!(applied.len(), WORKERS, "every process opened the file");
    assert_eq!(
        applied.iter().filter(|&&a| a > 0).count(),
        1,
        "schema applied by exactly one process: {applied:?}"
    );
    let store = open(&db);
    assert_eq!(store.migrations_applied(), 0);
    let version: i64 = store
        .conn()
        .sqlite()
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, store::schema::LATEST);
    let mode: String = store
        .conn()
        .sqlite()
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

const SAVES_PER_WORKER: usize = 200;

#[test]
#[ignore = "worker process of compare_and_swap_saves_from_eight_processes_lose_nothing"]
fn worker_cas() {
    let db = PathBuf::from(std::env::var("JG_DB").expect("JG_DB"));
    let sub_item_id: i64 = std::env::var("JG_SUB").unwrap().parse().unwrap();
    let me: usize = std::env::var("JG_WORKER").unwrap().parse().unwrap();
    let mut store = open(&db);
    let actor = actor(&store, "zhangwei");
    wait_for_go(&go_dir(&db));
    let (mut ok, mut conflicts, mut saved_versions) = (0, 0, Vec::new());
    for i in 0..SAVES_PER_WORKER {
        let current = store::checklists::find(store.conn(), sub_item_id, actor.effective().unit_id)
            .unwrap()
            .expect("checklist exists");
        let mut fields = current.fields.clone();
        fields.content = format!("worker {me} save {i}");
        match save_checklist(
            &mut store,
            &actor,
            SaveRequest {
                sub_item_id,
                fields,
                expected_version: Some(current.version),
                submit: false,
            },
        ) {
            Ok(saved) => {
                ok += 1;
                saved_versions.push(saved.checklist.version);
            }
            Err(AppError::Conflict(c)) => {
                assert!(c.current.version() > current.version);
                conflicts += 1;
            }
            Err(e) => panic!("unexpected failure: {e}"),
        }
    }
    println!(
        "RESULT {}",
        serde_json::json!({ "ok": ok, "conflicts": conflicts, "versions": saved_versions })
    );
}

#[test]
fn compare_and_swap_saves_from_eight_processes_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "cas.db");
    let (sub_item_id, start_version) = {
        let store = open(&db);
        let actor = actor(&store, "zhangwei");
        let list =
            store::checklists::list_for_unit(store.conn(), actor.effective().unit_id).unwrap();
        let c = list.first().expect("demo has checklists").clone();
        let sub = store::catalogue::sub_item(store.conn(), c.sub_item_id).unwrap();
        assert_eq!(sub.category, Category::Inspection);
        (c.sub_item_id, c.version)
    };
    let workers: Vec<_> = (0..WORKERS)
        .map(|i| {
            spawn_worker(
                "worker_cas",
                &[
                    ("JG_DB", db.display().to_string()),
                    ("JG_DIR", dir.path().display().to_string()),
                    ("JG_SUB", sub_item_id.to_string()),
                    ("JG_WORKER", i.to_string()),
                ],
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), "").unwrap();
    let results: Vec<_> = workers.into_iter().map(worker_result).collect();
    let ok: i64 = results.iter().map(|r| r["ok"].as_i64().unwrap()).sum();
    let conflicts: i64 = results
        .iter()
        .map(|r| r["conflicts"].as_i64().unwrap())
        .sum();
    assert_eq!(ok + conflicts, (WORKERS * SAVES_PER_WORKER) as i64);
    assert!(ok > 0);

    let store = open(&db);
    let unit = actor(&store, "zhangwei").effective().unit_id;
    let final_row = store::checklists::find(store.conn(), sub_item_id, unit)
        .unwrap()
        .unwrap();
    assert_eq!(
        final_row.version,
        start_version + ok,
        "every success bumped the version once"
    );
    // No two processes were told they saved the same version: no lost update.
    let mut versions: Vec<i64> = results
        .iter()
        .flat_map(|r| {
            r["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
        })
        .collect();
    versions.sort();
    versions.dedup();
    assert_eq!(versions.len() as i64, ok);
    // Every success is in the change log, and the chain is intact.
    let logged: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM change_log WHERE action = 'save_checklist' AND entity_id = ?1",
            [final_row.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, ok);
    assert!(store::changelog::verify(store.conn()).unwrap().is_empty());
}

#[test]
#[ignore = "worker process of processes_claiming_overlapping_sets_give_the_union"]
fn worker_claim() {
    let db = PathBuf::from(std::env::var("JG_DB").expect("JG_DB"));
    let login = std::env::var("JG_LOGIN").unwrap();
    let ids: Vec<i64> = std::env::var("JG_IDS")
        .unwrap()
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let mut store = open(&db);
    let actor = actor(&store, &login);
    wait_for_go(&go_dir(&db));
    // In small bulk actions, so the processes interleave.
    let mut changed = Vec::new();
    for chunk in ids.chunks(7) {
        let r = claim_many(&mut store, &actor, chunk, true)
            .unwrap_or_else(|e| panic!("{login} failed to claim: {e}"));
        changed.extend(r.changed);
    }
    println!("RESULT {}", serde_json::json!({ "changed": changed }));
}

#[test]
fn processes_claiming_overlapping_sets_give_the_union() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "claims.db");
    let (free, lina_unit, zhangwei_unit, lina_before, zhangwei_before) = {
        let s = open(&db);
        let lina = actor(&s, "lina").effective().unit_id;
        let zhangwei = actor(&s, "zhangwei").effective().unit_id;
        let claimed = |unit| -> Vec<i64> {
            store::claims::claims_of_unit(s.conn(), unit)
                .unwrap()
                .iter()
                .map(|c| c.sub_item_id)
                .collect()
        };
        let (a, b) = (claimed(lina), claimed(zhangwei));
        let free: Vec<i64> = store::catalogue::tree_rows(s.conn())
            .unwrap()
            .into_iter()
            .filter(|r| !r.classified && !a.contains(&r.sub_id) && !b.contains(&r.sub_id))
            .filter(|r| r.levels.admits(jianguan::domain::Level::City))
            .map(|r| r.sub_id)
            .collect();
        (free, lina, zhangwei, a, b)
    };
    assert!(free.len() >= 100);
    // Six processes of one unit over sliding, overlapping windows, and two
    // of another unit on the same items (共同实施).
    let plan: Vec<(&str, Vec<i64>)> = (0..WORKERS)
        .map(|i| {
            let login = if i < 6 { "lina" } else { "zhangwei" };
            let start = (i % 6) * 10;
            (login, free[start..start + 40].to_vec())
        })
        .collect();
    let workers: Vec<_> = plan
        .iter()
        .map(|(login, ids)| {
            let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            spawn_worker(
                "worker_claim",
                &[
                    ("JG_DB", db.display().to_string()),
                    ("JG_DIR", dir.path().display().to_string()),
                    ("JG_LOGIN", login.to_string()),
                    ("JG_IDS", ids.join(",")),
                ],
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), "").unwrap();
    let results: Vec<Vec<i64>> = workers
        .into_iter()
        .map(|w| {
            worker_result(w)["changed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect()
        })
        .collect();

    let s = open(&db);
    for (login, unit, before) in [
        ("lina", lina_unit, &lina_before),
        ("zhangwei", zhangwei_unit, &zhangwei_before),
    ] {
        let mut union: Vec<i64> = plan
            .iter()
            .filter(|(l, _)| *l == login)
            .flat_map(|(_, ids)| ids.clone())
            .collect();
        union.sort();
        union.dedup();
        // Each item was added by exactly one process.
        let mut added: Vec<i64> = plan
            .iter()
            .zip(&results)
            .filter(|((l, _), _)| *l == login)
            .flat_map(|(_, r)| r.clone())
            .collect();
        added.sort();
        assert_eq!(added, union, "{login}: every item added once");
        let mut now: Vec<i64> = store::claims::claims_of_unit(s.conn(), unit)
            .unwrap()
            .iter()
            .map(|c| c.sub_item_id)
            .collect();
        let mut expected: Vec<i64> = before.iter().copied().chain(union).collect();
        expected.sort();
        now.sort();
        assert_eq!(now, expected, "{login}: the claims are the union");
    }
    assert!(store::changelog::verify(s.conn()).unwrap().is_empty());
    assert_eq!(s.integrity_check().unwrap(), vec!["ok".to_string()]);
}

#[test]
#[ignore = "worker process of a_backup_taken_while_others_write_is_consistent"]
fn worker_churn() {
    let db = PathBuf::from(std::env::var("JG_DB").expect("JG_DB"));
    let mut store = open(&db);
    let lina = actor(&store, "lina");
    let ids: Vec<i64> = store::catalogue::tree_rows(store.conn())
        .unwrap()
        .into_iter()
        .filter(|r| !r.classified && r.levels.admits(jianguan::domain::Level::City))
        .map(|r| r.sub_id)
        .take(60)
        .collect();
    wait_for_go(&go_dir(&db));
    let until = Instant::now() + Duration::from_secs(3);
    let mut commits = 0;
    while Instant::now() < until {
        for chunk in ids.chunks(6) {
            claim_many(&mut store, &lina, chunk, true).unwrap();
            jianguan::app::claims::unclaim_many(&mut store, &lina, chunk).unwrap();
            commits += 2;
        }
    }
    println!("RESULT {}", serde_json::json!({ "commits": commits }));
}

#[test]
fn a_backup_taken_while_others_write_is_consistent() {
    if only_on_sqlite("it takes SQLite's online backup; PostgreSQL's is pg_dump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Made by the binary: its OS user is the platform admin, who may back up.
    let db = common::demo_by_binary(dir.path(), "busy.db");
    let workers: Vec<_> = (0..2)
        .map(|_| spawn_worker("worker_churn", &[("JG_DB", db.display().to_string())]))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(dir.path().join("go"), "").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut copies = Vec::new();
    for i in 0..3 {
        let copy = dir.path().join(format!("copy{i}.db"));
        let o = std::process::Command::new(bin())
            .arg("--db")
            .arg(&db)
            .arg("backup")
            .arg(&copy)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("副本检查通过"));
        copies.push(copy);
        std::thread::sleep(Duration::from_millis(400));
    }
    let commits: i64 = workers
        .into_iter()
        .map(|w| worker_result(w)["commits"].as_i64().unwrap())
        .sum();
    assert!(commits > 20, "the writers were busy: {commits}");
    // Each copy is a moment of the file: its change log is a prefix of the
    // final one, row for row and hash for hash.
    let last = open(&db);
    let final_log = store::changelog::recent(last.conn(), i64::MAX).unwrap();
    let mut lengths = Vec::new();
    for copy in &copies {
        let c = open(copy);
        assert_eq!(c.integrity_check().unwrap(), vec!["ok".to_string()]);
        let log = store::changelog::recent(c.conn(), i64::MAX).unwrap();
        let newest = log.first().unwrap();
        let same = final_log.iter().find(|e| e.id == newest.id).unwrap();
        assert_eq!(same.hash, newest.hash, "{}", copy.display());
        lengths.push(log.len());
    }
    assert!(
        lengths.windows(2).all(|w| w[0] <= w[1]) && lengths[0] < final_log.len(),
        "later copies hold more: {lengths:?} of {}",
        final_log.len()
    );
}

/// Where the parent writes `go`: the directory it says (a PostgreSQL
/// database has none of its own), else the file's.
fn go_dir(db: &std::path::Path) -> std::path::PathBuf {
    match std::env::var_os("JG_DIR") {
        Some(d) => d.into(),
        None => db.parent().unwrap().to_path_buf(),
    }
}
