//! Files written for the user — exports, backups, new databases — through
//! the real binary: they cannot be turned against their user by names
//! planted in the directory, leave nothing half-made at the target name,
//! and never replace or delete what they did not create.

mod common;

use common::{bin, run_on};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A demo database made by the binary, its OS user the platform admin.
fn demo(dir: &Path) -> PathBuf {
    common::demo_by_binary(dir, "city.db")
}

fn jianguan(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_export_replaces_a_symlink_at_its_target_and_never_writes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("shadow");
    std::fs::write(&secret, "root's own\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = dir.path().join("通报.xlsx");
    std::os::unix::fs::symlink(&secret, &out).unwrap();

    let (code, stdout, stderr) = run_on(&db, &["export", "accounts", "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let meta = std::fs::symlink_metadata(&out).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the symlink itself was replaced"
    );
    assert_eq!(&std::fs::read(&out).unwrap()[..2], b"PK", "an xlsx (zip)");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "root's own\n");
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(names(dir.path()), ["city.db", "通报.xlsx"], "no debris");
}

#[test]
fn symlinks_planted_at_predictable_temporary_names_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("target-of-the-plant");
    std::fs::write(&secret, "untouched\n").unwrap();
    // The names the old export used (NAME.tmp-PID.xlsx) for the pids the
    // next processes will likely get, and the obvious guesses.
    let mut planted = vec![
        "a.xlsx.tmp".to_string(),
        ".a.xlsx.tmp".to_string(),
        "a.tmp.xlsx".to_string(),
    ];
    let me = std::process::id();
    planted.extend((me..me + 400).map(|pid| format!("a.tmp-{pid}.xlsx")));
    for name in &planted {
        std::os::unix::fs::symlink(&secret, dir.path().join(name)).unwrap();
    }
    let out = dir.path().join("a.xlsx");
    let (code, stdout, stderr) = run_on(
        &db,
        &[
            "export",
            "catalogue",
            "--local",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "untouched\n");
    for name in &planted {
        let p = dir.path().join(name);
        assert_eq!(
            std::fs::read_link(&p).unwrap(),
            secret,
            "{name} left as planted"
        );
    }
    assert!(std::fs::symlink_metadata(&out).unwrap().is_file());
    assert_eq!(
        names(dir.path()).len(),
        planted.len() + 2,
        "only a.xlsx added"
    );
}

#[test]
fn a_failing_export_leaves_no_file_in_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let out = dir.path().join("清单.xlsx");
    let o = run_on(
        &db,
        &[
            "export",
            "checklists",
            "--unit",
            "没有这个单位",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.0, 1, "{}{}", o.1, o.2);
    assert!(o.2.contains("没有这个单位"), "{}", o.2);
    // A directory of that name: refused before any work, named.
    std::fs::create_dir(dir.path().join("目录.xlsx")).unwrap();
    let o = run_on(
        &db,
        &[
            "export",
            "accounts",
            "-o",
            dir.path().join("目录.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(o.0, 1);
    assert!(o.2.contains("目录.xlsx") && o.2.contains("目录"), "{}", o.2);
    // A directory that does not exist is named as such.
    let missing = dir.path().join("无此目录").join("x.xlsx");
    let o = run_on(
        &db,
        &["export", "accounts", "-o", missing.to_str().unwrap()],
    );
    assert_eq!(o.0, 1);
    assert!(
        o.2.contains("不存在") && o.2.contains("无此目录"),
        "{}",
        o.2
    );
    assert_eq!(names(dir.path()), ["city.db", "目录.xlsx"]);
}

#[test]
fn a_backup_never_replaces_an_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let copy = dir.path().join("copy.db");
    std::fs::write(&copy, "an earlier file\n").unwrap();
    let (code, out, err) = run_on(&db, &["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("copy.db") && err.contains("已存在"), "{err}");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "an earlier file\n");
    // With --force: replaced whole, the copy checked and its head printed.
    let (code, out, err) = run_on(&db, &["backup", "--force", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("副本检查通过"), "{out}");
    let head = out
        .split("链头 ")
        .nth(1)
        .and_then(|s| s.split('（').next())
        .unwrap_or_else(|| panic!("no head in {out}"));
    let (count, hash) = head.split_once(':').unwrap();
    assert_eq!(names(dir.path()), ["city.db", "copy.db"]);
    let c = common::open(&copy);
    assert_eq!(
        jianguan::store::changelog::head(c.conn()).unwrap(),
        (count.parse().unwrap(), hash.to_string())
    );
}

#[test]
fn backup_force_refuses_a_database_that_another_process_has_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let other = common::demo_db(dir.path(), "other.db");
    // Open in this process, in WAL mode, with a write of its own pending
    // in the WAL: replacing the file would replay it onto the backup.
    let store = common::open(&other);
    store
        .conn()
        .execute_batch(
            "PRAGMA wal_autocheckpoint=0; CREATE TABLE scratch(x); INSERT INTO scratch VALUES (1);",
        )
        .unwrap();
    let before = common::content_dump(&store);
    let (code, out, err) = run_on(&db, &["backup", "--force", other.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("other.db") && err.contains("正在使用"),
        "{err}"
    );
    assert_eq!(common::content_dump(&store), before);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    drop(store);

    // A rollback-journal database read by another process: its lock says so.
    let journal = dir.path().join("journal.db");
    std::fs::copy(dir.path().join("city.db"), &journal).unwrap();
    let conn = rusqlite::Connection::open(&journal).unwrap();
    conn.execute_batch("PRAGMA journal_mode=DELETE; BEGIN; SELECT count(*) FROM accounts;")
        .unwrap();
    let (code, out, err) = run_on(&db, &["backup", "--force", journal.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("journal.db") && err.contains("进程"), "{err}");
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);
    assert!(!names(dir.path()).iter().any(|n| n.starts_with('.')));
}

#[test]
fn a_backup_gets_the_live_files_mode_and_group() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    if is_root() {
        // A group other than root's own.
        nix::unistd::chown(&db, None, Some(nix::unistd::Gid::from_raw(65534))).unwrap();
    }
    let copy = dir.path().join("copy.db");
    let (code, out, err) = run_on(&db, &["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let live = std::fs::metadata(&db).unwrap();
    let backup = std::fs::metadata(&copy).unwrap();
    assert_eq!(backup.mode() & 0o7777, 0o640);
    assert_eq!(backup.gid(), live.gid());
    assert_eq!(backup.uid(), nix::unistd::geteuid().as_raw());
}

#[test]
fn a_backup_that_fails_its_check_is_left_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Someone edits a change-log row with another tool.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE change_log SET entity_id = 'edited' WHERE id = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let copy = dir.path().join("copy.db");
    let (code, out, err) = run_on(&db, &["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("未通过检查") && err.contains("copy.db"),
        "{err}"
    );
    assert_eq!(names(dir.path()), ["city.db"], "no copy, no temporary file");
}

#[test]
fn only_the_platform_admin_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let copy = dir.path().join("copy.db");
    let (code, out, err) = run_on(&db, &["--as", "lina", "backup", copy.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("只有平台管理员"), "{err}");
    assert!(!copy.exists());
    let help = text(&jianguan(&["backup", "--help"]));
    assert!(help.contains("仅平台管理员"), "{help}");
}

#[test]
fn eight_concurrent_inits_make_one_database_and_tell_the_others_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(bin())
                .arg("--db")
                .arg(&db)
                .arg("init")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won: Vec<_> = outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        outputs.iter().map(text).collect::<Vec<_>>()
    );
    assert!(text(won[0]).contains("已创建"));
    for o in outputs.iter().filter(|o| !o.status.success()) {
        assert!(text(o).contains("已存在"), "{}", text(o));
    }
    assert_eq!(names(dir.path()), ["new.db"]);
    let (code, out, err) = run_on(&db, &["check"]);
    assert_eq!((code, out.lines().next()), (0, Some("ok")), "{err}");
}

#[test]
fn a_killed_init_leaves_nothing_at_the_target_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let start = || {
        Command::new(bin())
            .arg("--db")
            .arg(&db)
            .args(["init", "--demo", "--scale", "city"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // SIGTERM: the temporary files go with it.
    let mut child = start();
    std::thread::sleep(Duration::from_millis(1500));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "still building after 1.5 s");
    assert!(!db.exists());
    assert_eq!(names(dir.path()), Vec::<String>::new(), "SIGTERM cleans up");

    // SIGKILL: only the hidden temporary name may stay.
    let mut child = start();
    std::thread::sleep(Duration::from_secs(2));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        std::fs::symlink_metadata(&db).is_err(),
        "nothing at the target"
    );
    assert!(
        names(dir.path())
            .iter()
            .all(|n| n.starts_with(".big.db.init-")),
        "{:?}",
        names(dir.path())
    );
    let (code, out, err) = run_on(&db, &["init"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已创建"));
    let (code, out, _) = run_on(&db, &["check"]);
    assert_eq!((code, out.lines().next()), (0, Some("ok")));
}

#[test]
fn init_claims_an_empty_file_of_the_users_but_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let (code, out, err) = run_on(&empty, &["init"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(std::fs::metadata(&empty).unwrap().len() > 0);
    let full = dir.path().join("notes.db");
    std::fs::write(&full, "my notes\n").unwrap();
    let (code, _, err) = run_on(&full, &["init"]);
    assert_eq!(code, 1);
    assert!(err.contains("已存在") && err.contains("notes.db"), "{err}");
    assert_eq!(std::fs::read_to_string(&full).unwrap(), "my notes\n");
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(dir.path().join("nowhere.db"), &link).unwrap();
    let (code, _, err) = run_on(&link, &["init"]);
    assert_eq!(code, 1, "a dangling symlink is not followed");
    assert!(err.contains("已存在"), "{err}");
    assert!(!dir.path().join("nowhere.db").exists());
}

#[test]
fn init_shared_never_changes_a_directory_it_did_not_create() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o750)).unwrap();
    let before = std::fs::metadata(&home).unwrap();
    let group = nix::unistd::Group::from_gid(nix::unistd::getegid())
        .unwrap()
        .unwrap()
        .name;
    let db = home.join("city.db");
    let (code, out, err) = run_on(&db, &["init", "--shared", "--group", &group]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("chmod 2770"), "says what to run: {err}");
    let after = std::fs::metadata(&home).unwrap();
    assert_eq!(
        (after.mode(), after.uid(), after.gid()),
        (before.mode(), before.uid(), before.gid())
    );
    assert!(names(&home).is_empty(), "nothing created");
    // A directory it creates is set up for sharing, the file 0660.
    let new = dir.path().join("srv").join("city.db");
    let (code, out, err) = run_on(&new, &["init", "--shared", "--group", &group]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::metadata(new.parent().unwrap()).unwrap().mode() & 0o7777,
        0o2770
    );
    assert_eq!(std::fs::metadata(&new).unwrap().mode() & 0o777, 0o660);
    // An existing directory already set up is used as it is.
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let (code, out, err) = run_on(&db, &["init", "--shared", "--group", &group]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::metadata(&home).unwrap().mode() & 0o7777, 0o2770);
}

/// A real OS user of a demo account's login (created when root).
fn os_user(login: &str) -> Option<()> {
    if !is_root() {
        eprintln!("skipped: needs root to create the OS user {login}");
        return None;
    }
    if nix::unistd::User::from_name(login).ok().flatten().is_none() {
        let ok = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/usr/sbin/nologin", login])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: useradd {login} failed");
            return None;
        }
    }
    Some(())
}

#[test]
fn init_demo_works_when_the_os_login_is_a_demo_login() {
    // zhoujie: the demo's 金水区城市管理局 operator.
    if os_user("zhoujie").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let exe = dir.path().join("jianguan");
    std::fs::copy(bin(), &exe).unwrap();
    let db = dir.path().join("demo.db");
    let as_zhoujie = |args: &[&str]| {
        Command::new("runuser")
            .args(["-u", "zhoujie", "--"])
            .arg(&exe)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("HOME", dir.path())
            .output()
            .unwrap()
    };
    let o = as_zhoujie(&["init", "--demo"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("zhoujie.demo"), "{}", text(&o));
    let o = as_zhoujie(&["whoami"]);
    assert!(text(&o).contains("平台管理员"), "{}", text(&o));
    let o = as_zhoujie(&["--as", "zhoujie.demo", "whoami"]);
    assert!(text(&o).contains("金水区城市管理局"), "{}", text(&o));
    let o = as_zhoujie(&["check"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().next(),
        Some("ok"),
        "{}",
        text(&o)
    );
}
