//! The server mode as operators meet it: the real binary, made setgid to a
//! data group by `jianguan server-setup`, run by real non-root OS users.
//! Needs root (it creates groups, users and /etc/jianguan.toml, and puts
//! back what it found): skipped, saying why, otherwise. One test function
//! drives every step, since /etc/jianguan.toml is one file for the machine.

mod common;

use nix::unistd::{Gid, Group, Uid, User};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CONFIG: &str = "/etc/jianguan.toml";

/// The groups, users and configuration this test made, removed (and the
/// configuration put back) when it ends, whether it passed or not.
struct Machine {
    groups: Vec<String>,
    users: Vec<String>,
    saved_config: Option<Vec<u8>>,
}

impl Machine {
    /// Any configuration already there is kept aside until the end.
    fn new() -> Machine {
        let saved_config = std::fs::read(CONFIG).ok();
        let _ = std::fs::remove_file(CONFIG);
        Machine {
            groups: Vec::new(),
            users: Vec::new(),
            saved_config,
        }
    }

    fn group(&mut self, name: &str) {
        run_ok(Command::new("groupadd").arg(name));
        self.groups.push(name.into());
    }

    /// A user with its own group and a home directory of its own.
    fn user(&mut self, name: &str, home: &Path, extra_groups: &[&str]) {
        let mut cmd = Command::new("useradd");
        cmd.args(["-M", "-U", "-s", "/bin/sh", "-d"]).arg(home);
        if !extra_groups.is_empty() {
            cmd.args(["-G", &extra_groups.join(",")]);
        }
        run_ok(cmd.arg(name));
        self.users.push(name.into());
        std::fs::create_dir_all(home).unwrap();
        let u = User::from_name(name).unwrap().unwrap();
        nix::unistd::chown(home, Some(u.uid), Some(u.gid)).unwrap();
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        for u in &self.users {
            let _ = Command::new("userdel").arg(u).output();
            let _ = Command::new("groupdel").arg(u).output();
        }
        for g in &self.groups {
            let _ = Command::new("groupdel").arg(g).output();
        }
        match &self.saved_config {
            Some(bytes) => {
                let _ = std::fs::write(CONFIG, bytes);
                let _ = std::fs::set_permissions(CONFIG, std::fs::Permissions::from_mode(0o644));
            }
            None => {
                let _ = std::fs::remove_file(CONFIG);
            }
        }
    }
}

fn run_ok(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("run");
    assert!(o.status.success(), "{cmd:?}: {}", text(&o));
    o
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `bin args…` as `user`, in its home, with a clean environment plus `env`.
fn as_user(user: &str, home: &Path, bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("runuser");
    cmd.args(["-u", user, "--", "env", "-i"])
        .arg(format!("HOME={}", home.display()))
        .arg("PATH=/usr/local/bin:/usr/bin:/bin");
    for (k, v) in env {
        cmd.arg(format!("{k}={v}"));
    }
    cmd.arg(bin).args(args).current_dir(home).output().unwrap()
}

fn meta(p: &Path) -> std::fs::Metadata {
    std::fs::symlink_metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn mode(p: &Path) -> u32 {
    meta(p).mode() & 0o7777
}

fn companion(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A uid with no passwd entry.
fn unknown_uid() -> u32 {
    (4242..60000)
        .find(|&u| User::from_uid(Uid::from_raw(u)).ok().flatten().is_none())
        .unwrap()
}

#[test]
fn operators_reach_the_server_database_only_through_jianguan() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!(
            "skipped: the server mode needs root to create a data group, OS users and {CONFIG}"
        );
        return;
    }
    for tool in ["useradd", "groupadd", "runuser", "setpriv"] {
        if Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true)
        {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let pid = std::process::id();
    let data = format!("jgt{pid}d");
    let ops = format!("jgt{pid}o");
    let admin = format!("jgt{pid}a");
    let op = format!("jgt{pid}b");
    let mut machine = Machine::new();

    let root = tempfile::tempdir().unwrap();
    let top = root.path();
    std::fs::set_permissions(top, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin_dir = top.join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    let bin = bin_dir.join("jianguan");
    std::fs::copy(common::bin(), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let srv = top.join("srv");
    let db = srv.join("city.db");
    let admin_home = top.join("home-a");
    let op_home = top.join("home-b");

    machine.group(&ops);
    machine.user(&admin, &admin_home, &[&ops]);
    machine.user(&op, &op_home, &[&ops]);

    // As root: everything made, every action said.
    let setup = |extra: &[&str]| {
        let mut cmd = Command::new(&bin);
        cmd.arg("server-setup")
            .arg("--db")
            .arg(&db)
            .args(["--data-group", &data])
            .arg("--binary")
            .arg(&bin)
            .args(extra)
            .env_remove("JIANGUAN_DB");
        cmd.output().unwrap()
    };
    let o = setup(&["--admin", &admin]);
    machine.groups.push(data.clone());
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    for line in [
        format!("已创建：数据组 {data}"),
        format!("已符合：数据组 {data} 中没有任何用户"),
        format!("已创建：目录 {}（root:{data} 2770）", srv.display()),
        format!(
            "已创建：数据库 {}（空库，root:{data} 0660；平台管理员：{admin}）",
            db.display()
        ),
        format!(
            "已写入：{CONFIG}（root 0644）：db = {}，data_group = {data}",
            db.display()
        ),
        format!(
            "已设置：程序 {}：root:root 0755 → root:{data} 2755（setgid 到数据组）",
            bin.display()
        ),
    ] {
        assert!(out.contains(&line), "missing “{line}” in:\n{out}");
    }
    let gid = Group::from_name(&data).unwrap().unwrap().gid.as_raw();
    assert_eq!(
        (meta(&srv).uid(), meta(&srv).gid(), mode(&srv)),
        (0, gid, 0o2770)
    );
    assert_eq!(
        (meta(&db).uid(), meta(&db).gid(), mode(&db)),
        (0, gid, 0o660)
    );
    assert_eq!(
        (meta(&bin).uid(), meta(&bin).gid(), mode(&bin)),
        (0, gid, 0o2755)
    );
    let config = Path::new(CONFIG);
    assert_eq!((meta(config).uid(), mode(config)), (0, 0o644));
    assert_eq!(
        jianguan::privilege::read_config(config).unwrap(),
        jianguan::privilege::ServerConfig {
            db: db.clone(),
            data_group: data.clone()
        }
    );

    // Again: nothing to do, and it says so.
    let o = setup(&[]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(!out.contains("已创建") && !out.contains("已设置"), "{out}");
    for line in [
        format!("已存在：数据组 {data}"),
        format!("已符合：目录 {}（root:{data} 2770）", srv.display()),
        format!("已符合：数据库 {}（root:{data} 0660）", db.display()),
        format!("已符合：{CONFIG}"),
        format!("已符合：程序 {}（root:{data} 2755，setgid）", bin.display()),
    ] {
        assert!(out.contains(&line), "missing “{line}” in:\n{out}");
    }

    // A person in the data group is refused, by name.
    run_ok(Command::new("gpasswd").args(["-a", &op, &data]));
    let o = setup(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("数据组 {data} 中有用户：{op}")),
        "{}",
        text(&o)
    );
    run_ok(Command::new("gpasswd").args(["-d", &op, &data]));

    // Not as root: refused.
    let o = as_user(
        &admin,
        &admin_home,
        &bin,
        &["server-setup", "--db", "/x/y.db", "--data-group", &data],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("需要以 root 身份运行"), "{}", text(&o));

    // The file itself is out of reach for operators.
    let o = as_user(
        &op,
        &op_home,
        Path::new("/bin/cat"),
        &[db.to_str().unwrap()],
        &[],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("Permission denied"), "{}", text(&o));
    let o = as_user(
        &op,
        &op_home,
        Path::new("/usr/bin/sqlite3"),
        &[
            db.to_str().unwrap(),
            "UPDATE accounts SET role = 'platform_admin'",
        ],
        &[],
    );
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("unable to open database"), "{}", text(&o));

    // Through jianguan, with no --db: the configured database, and the
    // identity is the passwd entry's whatever USER and LOGNAME say.
    for env in [&[][..], &[("USER", "root"), ("LOGNAME", "root")][..]] {
        let o = as_user(&admin, &admin_home, &bin, &["whoami"], env);
        assert!(o.status.success(), "{}", text(&o));
        let out = text(&o);
        assert!(out.contains(&format!("系统用户：{admin}")), "{out}");
        assert!(out.contains("角色：平台管理员"), "{out}");
        assert!(out.contains(&format!("数据库：{}", db.display())), "{out}");
    }
    let o = as_user(
        &admin,
        &admin_home,
        &bin,
        &[
            "account",
            "add",
            "--login",
            &op,
            "--name",
            "张三",
            "--unit",
            "市场监督管理局",
            "--role",
            "operator",
            "--mobile",
            "13800000001",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = as_user(&op, &op_home, &bin, &["whoami"], &[("USER", &admin)]);
    assert!(
        text(&o).contains(&format!("系统用户：{op}")),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("角色：部门管理员"), "{}", text(&o));

    // A write with JIANGUAN_NOW set: ignored (and said), the real time logged.
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["claim", "--finished"],
        &[("JIANGUAN_NOW", "2019-01-01 09:00")],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("不使用测试用的环境变量 JIANGUAN_NOW"),
        "{}",
        text(&o)
    );
    // SQLite's own files were made by the operator's jianguan, with the
    // privilege, in the group's directory; they stay when everyone closes.
    let shm = companion(&db, "-shm");
    let wal = companion(&db, "-wal");
    for f in [&shm, &wal] {
        assert_eq!((meta(f).gid(), mode(f)), (gid, 0o660), "{}", f.display());
    }
    // (root's connection, the last to close, removes them.)
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (action, at): (String, i64) = conn
        .query_row(
            "SELECT action, at FROM change_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    assert_eq!(action, "finish_claiming");
    assert!(
        (before - 60..=before + 600).contains(&at),
        "logged at {at}, ran at {before}"
    );

    let _ = std::fs::remove_file(&shm);
    let _ = std::fs::remove_file(&wal);
    let o = as_user(&op, &op_home, &bin, &["whoami"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    let op_uid = User::from_name(&op).unwrap().unwrap().uid.as_raw();
    assert_eq!(
        (meta(&shm).uid(), meta(&shm).gid(), mode(&shm)),
        (op_uid, gid, 0o660)
    );

    // A -shm left read-only: its owner's jianguan fixes it; anyone else's
    // names it and says what to run.
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o440)).unwrap();
    let o = as_user(&admin, &admin_home, &bin, &["whoami"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(&format!(
            "但 {} 是只读的（权限 0440，属主 {op}）",
            shm.display()
        )) && text(&o).contains("chmod 660"),
        "{}",
        text(&o)
    );
    let o = as_user(&op, &op_home, &bin, &["whoami"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("已把 {} 的权限从 0440 改为 0660", shm.display())),
        "{}",
        text(&o)
    );
    assert_eq!(mode(&shm), 0o660);

    // Exports land in the operator's own files…
    let mine = op_home.join("账号.xlsx");
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["export", "accounts", "-o", mine.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let op_gid = User::from_name(&op).unwrap().unwrap().gid.as_raw();
    assert_eq!((meta(&mine).uid(), meta(&mine).gid()), (op_uid, op_gid));
    // …never in the server's directory, which the OS refuses them.
    let there = srv.join("通报.xlsx");
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["export", "accounts", "-o", there.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("权限"), "{}", text(&o));
    assert!(!there.exists());
    let entries = |d: &Path| {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(entries(&srv), ["city.db", "city.db-shm", "city.db-wal"]);
    // Imports likewise read only what the user may read.
    let planted = srv.join("accounts.xlsx");
    std::fs::copy(&mine, &planted).unwrap();
    nix::unistd::chown(&planted, None, Some(Gid::from_raw(gid))).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o660)).unwrap();
    let o = as_user(
        &admin,
        &admin_home,
        &bin,
        &["import", "accounts", planted.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("没有读取这个文件的权限"), "{}", text(&o));
    std::fs::remove_file(&planted).unwrap();
    // Nor through the process's own descriptors of the server's files
    // (/proc/self/fd ignores the directory's permissions).
    // As when an operator's run made them: the -wal and -shm are theirs.
    let admin_uid = User::from_name(&admin).unwrap().unwrap().uid;
    for suffix in ["-wal", "-shm"] {
        nix::unistd::chown(&companion(&db, suffix), Some(admin_uid), None).unwrap();
    }
    let mut refused = 0;
    for fd in 3..12 {
        let name = format!("/proc/self/fd/{fd}");
        let o = as_user(
            &admin,
            &admin_home,
            &bin,
            &["claim", "--codes", &name, "--dry-run"],
            &[],
        );
        let t = text(&o);
        assert!(
            !t.contains("UTF-8") && !t.contains("没有这些子项编码"),
            "{name}: {t}"
        );
        refused += usize::from(t.contains("是服务器数据库的文件"));
    }
    assert!(refused >= 2, "the -wal and -shm were not refused");
    for suffix in ["-wal", "-shm"] {
        nix::unistd::chown(&companion(&db, suffix), Some(Uid::from_raw(0)), None).unwrap();
    }

    // Another --db is opened as the user: a data-group file elsewhere is
    // out of reach, the user's own file is theirs.
    let other_dir = top.join("other");
    std::fs::create_dir(&other_dir).unwrap();
    std::fs::set_permissions(&other_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = other_dir.join("secret.db");
    std::fs::copy(&db, &secret).unwrap();
    nix::unistd::chown(&secret, None, Some(Gid::from_raw(gid))).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o660)).unwrap();
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["--db", secret.to_str().unwrap(), "whoami"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("没有读写这个文件的权限"), "{}", text(&o));
    let own = op_home.join("own.db");
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["--db", own.to_str().unwrap(), "init"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!((meta(&own).uid(), meta(&own).gid()), (op_uid, op_gid));
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["--db", own.to_str().unwrap(), "whoami"],
        &[],
    );
    assert!(text(&o).contains("角色：平台管理员"), "{}", text(&o));
    // An operator cannot make the server database anew either.
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["--db", db.to_str().unwrap(), "init"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(meta(&db).uid(), 0);

    // A uid that has no passwd entry is refused, naming it.
    let uid = unknown_uid();
    let o = Command::new("setpriv")
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .arg("--clear-groups")
        .args(["env", "-i", "USER=root", "LOGNAME=root", "HOME=/tmp"])
        .arg(&bin)
        .arg("whoami")
        .current_dir("/")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("当前系统用户（uid {uid}）在系统用户表")),
        "{}",
        text(&o)
    );

    // A configuration others could write is not trusted: the privilege is
    // dropped, and the database is out of reach.
    std::fs::set_permissions(config, std::fs::Permissions::from_mode(0o666)).unwrap();
    let o = as_user(
        &op,
        &op_home,
        &bin,
        &["--db", db.to_str().unwrap(), "whoami"],
        &[],
    );
    std::fs::set_permissions(config, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("除 root 外还有人可以写入（权限 0666）")
            && text(&o).contains("本次以普通用户身份运行"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("没有读写这个文件的权限") || text(&o).contains("无法"),
        "{}",
        text(&o)
    );

    // The operators group: a binary alone in its directory becomes
    // runnable by its members only.
    let bin2_dir = top.join("bin2");
    std::fs::create_dir(&bin2_dir).unwrap();
    let bin2 = bin2_dir.join("jianguan");
    std::fs::copy(common::bin(), &bin2).unwrap();
    std::fs::set_permissions(&bin2, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = Command::new(&bin)
        .arg("server-setup")
        .arg("--db")
        .arg(&db)
        .args(["--data-group", &data, "--operators-group", &ops])
        .arg("--binary")
        .arg(&bin2)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains(&format!("已存在：操作员组 {ops}")), "{out}");
    assert!(
        out.contains(&format!("成员：操作员组 {ops}：{admin}、{op}"))
            || out.contains(&format!("成员：操作员组 {ops}：{op}、{admin}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("已设置：程序目录 {}", bin2_dir.display())),
        "{out}"
    );
    let ops_gid = Group::from_name(&ops).unwrap().unwrap().gid.as_raw();
    assert_eq!(
        (
            meta(&bin2_dir).uid(),
            meta(&bin2_dir).gid(),
            mode(&bin2_dir)
        ),
        (0, ops_gid, 0o750)
    );
    let o = as_user(&op, &op_home, &bin2, &["whoami"], &[]);
    assert!(
        text(&o).contains(&format!("系统用户：{op}")),
        "{}",
        text(&o)
    );
    let o = Command::new("setpriv")
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .arg("--clear-groups")
        // setpriv itself keeps root's capabilities until its exec: a shell
        // started by it looks the binary up as the uid alone would.
        .args(["sh", "-c", "exec \"$0\" whoami"])
        .arg(&bin2)
        .current_dir("/")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(text(&o).contains("Permission denied"), "{}", text(&o));

    drop(machine);
    assert!(Group::from_name(&data).unwrap().is_none(), "cleaned up");
}
