//! `jianguan server-setup` (as root): the server mode. A data group that no
//! person is in; the database's directory (root:G 2770) and file (root:G
//! 0660) that only that group may open; `/etc/jianguan.toml` naming both;
//! and the installed binary setgid to the group, so that operators reach
//! the file only through jianguan. Checks what exists, changes only what it
//! created or what is already root's and the group's, and prints every
//! check and every action. Running it again changes nothing.

use super::{Context, init};
use crate::files::{Replace, TempFile};
use crate::privilege::{CONFIG_PATH, ServerConfig, read_config};
use anyhow::{Context as _, bail};
use clap::Args;
use nix::unistd::{Gid, Group, Uid, User};
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ServerSetupArgs {
    /// 数据组：本程序 setgid 到这个组，只有它能打开数据库；组里不能有任何人（没有则创建）
    #[arg(long, value_name = "G")]
    data_group: String,
    /// 操作员组：记录哪些系统用户使用 jianguan（没有则创建）；程序单独放在一个目录时，只有组员能运行它
    #[arg(long, value_name = "G2")]
    operators_group: Option<String>,
    /// 新建数据库时的平台管理员（一个系统用户的登录名）；数据库已存在时不用
    #[arg(long, value_name = "LOGIN")]
    admin: Option<String>,
    /// 设为 setgid 的 jianguan 程序文件（默认：正在运行的这个）
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
}

const DIR_MODE: u32 = 0o2770;
const DB_MODE: u32 = 0o660;
const BINARY_MODE: u32 = 0o2755;

pub fn run(ctx: &Context, args: &ServerSetupArgs) -> anyhow::Result<ExitCode> {
    if !nix::unistd::getuid().is_root() || !nix::unistd::geteuid().is_root() {
        bail!(
            "jianguan server-setup 需要以 root 身份运行（例如 sudo jianguan server-setup --db … --data-group …），未作任何修改"
        );
    }
    if !ctx.db_given {
        bail!("请用 --db 指定服务器数据库的路径（如 --db /srv/jianguan/city.db），未作任何修改");
    }
    let db = check_db_path(&ctx.db)?;
    let dir = db.parent().context("数据库路径没有目录")?.to_path_buf();
    if args.operators_group.as_deref() == Some(args.data_group.as_str()) {
        bail!("操作员组不能就是数据组：数据组里不能有任何人，未作任何修改");
    }
    for name in std::iter::once(&args.data_group).chain(&args.operators_group) {
        check_group_name(name)?;
    }
    let binary = binary_path(args.binary.as_deref())?;
    check_binary(&binary)?;
    let creating = std::fs::symlink_metadata(&db).is_err();
    let admin = match (&args.admin, creating) {
        (Some(login), _) => {
            let user = User::from_name(login).ok().flatten().with_context(|| {
                format!("--admin：系统中没有用户“{login}”（平台管理员必须是能登录本机的系统用户）")
            })?;
            Some(user.name)
        }
        (None, true) => bail!(
            "数据库 {} 还不存在：请用 --admin LOGIN 指定平台管理员（一个系统用户），未作任何修改",
            db.display()
        ),
        (None, false) => None,
    };
    check_ancestors(&dir)?;

    let data = ensure_group(&args.data_group, "数据组")?;
    let members = group_members(&data);
    if !members.is_empty() {
        bail!(
            "数据组 {} 中有用户：{}。数据组里不能有任何人（组员可以绕过 jianguan 直接读写数据库）。请用 gpasswd -d 用户 {} 把他们移出（主组是它的要改主组），或另选一个组名；未作其他修改",
            data.name,
            members.join("、"),
            data.name
        );
    }
    say("已符合", &format!("数据组 {} 中没有任何用户", data.name));

    ensure_dir(&dir, &data)?;
    if creating {
        create_db(&db, &data, admin.as_deref().unwrap_or_default())?;
    } else {
        check_db(&db, &data)?;
        if let Some(admin) = &admin {
            say(
                "未改动",
                &format!("数据库已存在，--admin {admin} 不起作用（账号请用 jianguan account add）"),
            );
        }
    }
    let db = std::fs::canonicalize(&db).unwrap_or(db);
    write_config(&ServerConfig {
        db: db.clone(),
        data_group: data.name.clone(),
    })?;
    set_binary(&binary, &data)?;
    if let Some(name) = &args.operators_group {
        operators(name, &binary)?;
    }
    println!();
    println!("服务器模式已就绪：");
    println!(
        "  操作员用自己的系统账号 SSH 登录后直接运行 jianguan，即打开 {}（不必加 --db）；",
        db.display()
    );
    println!(
        "  他们在 jianguan 里能做什么，由 jianguan 账号决定（登录名 = 系统用户名，用 jianguan account add 或 import accounts 建立）；"
    );
    println!(
        "  没有 jianguan 账号的系统用户只能浏览和搜索；任何人都不能用 sqlite3、cat、cp 直接读写 {} 中的文件。",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn say(what: &str, text: &str) {
    println!("{what}：{text}");
}

/// An absolute path of UTF-8 text (it goes into TOML), naming a file.
fn check_db_path(path: &Path) -> anyhow::Result<PathBuf> {
    if !path.is_absolute() {
        bail!(
            "--db 必须是绝对路径（如 /srv/jianguan/city.db），现为 {}",
            path.display()
        );
    }
    if path.to_str().is_none() || path.file_name().is_none() {
        bail!("--db {} 不是可用的文件路径", path.display());
    }
    let dir = path.parent().filter(|d| *d != Path::new("/"));
    if dir.is_none() {
        bail!("数据库应放在专用目录中（如 /srv/jianguan/city.db），不能直接放在 /");
    }
    Ok(path.to_path_buf())
}

fn check_group_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        bail!("用户组名“{name}”不可用：只用英文字母、数字、- _ .，不超过 32 个字符");
    }
    if name == "root" {
        bail!("不能用 root 组");
    }
    Ok(())
}

fn binary_path(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => std::fs::read_link("/proc/self/exe").context("无法确定正在运行的程序文件")?,
    };
    std::fs::canonicalize(&path)
        .with_context(|| format!("找不到程序文件 {}（请用 --binary 指定）", path.display()))
}

/// The binary becomes setgid to the data group: only one that nobody but
/// root can change may.
fn check_binary(path: &Path) -> anyhow::Result<()> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("无法读取程序文件 {}", path.display()))?;
    if !meta.is_file() {
        bail!("{} 不是普通文件", path.display());
    }
    if meta.uid() != 0 || meta.mode() & 0o022 != 0 {
        bail!(
            "程序文件 {} 除 root 外还有人可以改写（属主 {}，权限 {:04o}），不能设为 setgid，未作任何修改：请先以 root 安装一份，例如 install -o root -g root -m 0755 {} /usr/local/bin/jianguan，再用 --binary /usr/local/bin/jianguan",
            path.display(),
            user_name(meta.uid()),
            meta.mode() & 0o7777,
            path.display()
        );
    }
    let nosuid = nix::sys::statvfs::statvfs(path)
        .map(|s| s.flags().contains(nix::sys::statvfs::FsFlags::ST_NOSUID))
        .unwrap_or(false);
    if nosuid {
        bail!(
            "程序文件 {} 所在的文件系统以 nosuid 挂载，setgid 不起作用：请把程序安装到别处（如 /usr/local/bin），未作任何修改",
            path.display()
        );
    }
    Ok(())
}

/// Whoever may rename a directory above the database's could put another
/// in its place: each must be root's and writable by no one else (a sticky
/// directory such as /tmp lets no one rename root's entries).
fn check_ancestors(dir: &Path) -> anyhow::Result<()> {
    let mut cur = dir.parent();
    while let Some(d) = cur {
        if let Ok(meta) = std::fs::metadata(d) {
            let sticky = meta.mode() & 0o1000 != 0;
            if meta.uid() != 0 || (meta.mode() & 0o022 != 0 && !sticky) {
                bail!(
                    "上级目录 {} 可被 root 以外的人改动（属主 {}，权限 {:04o}），他们可以把数据库目录换掉，未作任何修改：请选用只有 root 能改动的位置（如 /srv）",
                    d.display(),
                    user_name(meta.uid()),
                    meta.mode() & 0o7777
                );
            }
        }
        cur = d.parent();
    }
    Ok(())
}

fn user_name(uid: u32) -> String {
    User::from_uid(Uid::from_raw(uid))
        .ok()
        .flatten()
        .map_or_else(|| format!("uid {uid}"), |u| u.name)
}

fn group_name(gid: u32) -> String {
    Group::from_gid(Gid::from_raw(gid))
        .ok()
        .flatten()
        .map_or_else(|| format!("gid {gid}"), |g| g.name)
}

fn ensure_group(name: &str, what: &str) -> anyhow::Result<Group> {
    if let Some(g) = Group::from_name(name)? {
        say("已存在", &format!("{what} {name}（gid {}）", g.gid));
        return Ok(g);
    }
    let status = std::process::Command::new("groupadd")
        .args(["--system", name])
        .status()
        .context("无法运行 groupadd")?;
    if !status.success() {
        bail!("groupadd --system {name} 失败（{status}）");
    }
    let g =
        Group::from_name(name)?.with_context(|| format!("groupadd 之后仍找不到用户组 {name}"))?;
    say("已创建", &format!("{what} {name}（gid {}）", g.gid));
    Ok(g)
}

/// The users in a group: listed in it, or having it as their primary group.
fn group_members(group: &Group) -> Vec<String> {
    let mut members = group.mem.clone();
    for user in all_users() {
        if user.1 == group.gid.as_raw() && !members.contains(&user.0) {
            members.push(user.0);
        }
    }
    members
}

/// (login, primary gid) of every user the system knows.
fn all_users() -> Vec<(String, u32)> {
    let mut users = Vec::new();
    // SAFETY: getpwent walks the passwd database; this command runs on one
    // thread and copies each entry before the next call.
    unsafe {
        libc::setpwent();
        loop {
            let p = libc::getpwent();
            if p.is_null() {
                break;
            }
            let name = std::ffi::CStr::from_ptr((*p).pw_name)
                .to_string_lossy()
                .into_owned();
            users.push((name, (*p).pw_gid));
        }
        libc::endpwent();
    }
    users
}

fn describe(meta: &std::fs::Metadata) -> String {
    format!(
        "{}:{} {:04o}",
        user_name(meta.uid()),
        group_name(meta.gid()),
        meta.mode() & 0o7777
    )
}

fn ensure_dir(dir: &Path, data: &Group) -> anyhow::Result<()> {
    let gid = data.gid.as_raw();
    let want = format!("root:{} {DIR_MODE:04o}", data.name);
    match std::fs::symlink_metadata(dir) {
        Err(_) => {
            if let Some(parent) = dir.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("无法创建目录 {}", parent.display()))?;
            }
            // Nobody but root may enter it until its group and mode are set.
            std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
                .create(dir)
                .with_context(|| format!("无法创建目录 {}", dir.display()))?;
            set_owner_mode(dir, gid, DIR_MODE)?;
            say("已创建", &format!("目录 {}（{want}）", dir.display()));
        }
        Ok(meta) if !meta.is_dir() => {
            bail!("{} 不是目录（符号链接也不行），未作改动", dir.display())
        }
        Ok(meta) if meta.uid() == 0 && meta.gid() == gid => {
            if meta.mode() & 0o7777 == DIR_MODE {
                say("已符合", &format!("目录 {}（{want}）", dir.display()));
            } else {
                set_owner_mode(dir, gid, DIR_MODE)?;
                say(
                    "已修正",
                    &format!("目录 {}：{} → {want}", dir.display(), describe(&meta)),
                );
            }
        }
        Ok(meta) => bail!(
            "目录 {} 已存在且属于 {}（应为 {want}）。本命令只改动它自己建立的、或已属于 root:{} 的目录，未作改动：若确定它专用于 jianguan，请运行 chown root:{} '{}' && chmod {DIR_MODE:o} '{}' 后重试；或换一个新目录",
            dir.display(),
            describe(&meta),
            data.name,
            data.name,
            dir.display(),
            dir.display()
        ),
    }
    Ok(())
}

/// root:gid and `mode`; chown first, since it clears the set-id bits.
fn set_owner_mode(path: &Path, gid: u32, mode: u32) -> anyhow::Result<()> {
    std::os::unix::fs::lchown(path, Some(0), Some(gid))
        .with_context(|| format!("无法设置 {} 的属主", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("无法设置 {} 的权限", path.display()))
}

fn create_db(db: &Path, data: &Group, admin: &str) -> anyhow::Result<()> {
    let as_admin = Context {
        db: db.to_path_buf(),
        network_db: false,
        as_login: None,
        json: false,
        login: admin.to_string(),
        db_given: true,
    };
    init::create(&as_admin, false, None, Some(Some(&data.name)))?;
    let meta = std::fs::symlink_metadata(db)?;
    if meta.uid() != 0 || meta.gid() != data.gid.as_raw() || meta.mode() & 0o7777 != DB_MODE {
        set_owner_mode(db, data.gid.as_raw(), DB_MODE)?;
    }
    // Opened once now, so the switch to WAL (a change of the file's header)
    // happens here and a second run of this command changes nothing.
    crate::store::open(
        db,
        &crate::store::OpenOptions {
            create: false,
            allow_network_fs: false,
        },
    )?;
    say(
        "已创建",
        &format!(
            "数据库 {}（空库，root:{} {DB_MODE:04o}；平台管理员：{admin}）",
            db.display(),
            data.name
        ),
    );
    Ok(())
}

fn check_db(db: &Path, data: &Group) -> anyhow::Result<()> {
    let gid = data.gid.as_raw();
    let want = format!("root:{} {DB_MODE:04o}", data.name);
    let meta = std::fs::symlink_metadata(db)?;
    if !meta.is_file() {
        bail!("{} 不是普通文件（符号链接也不行），未作改动", db.display());
    }
    // A jianguan database (brought up to date if this version is newer).
    crate::store::open(
        db,
        &crate::store::OpenOptions {
            create: false,
            allow_network_fs: false,
        },
    )?;
    if meta.uid() != 0 || meta.gid() != gid {
        bail!(
            "数据库 {} 属于 {}（应为 {want}）。本命令只改动已属于 root:{} 的文件，未作改动：确认后请运行 chown root:{} '{}' && chmod {DB_MODE:o} '{}'（及同目录的 -wal、-shm 文件）后重试",
            db.display(),
            describe(&meta),
            data.name,
            data.name,
            db.display(),
            db.display()
        );
    }
    if meta.mode() & 0o7777 == DB_MODE {
        say("已符合", &format!("数据库 {}（{want}）", db.display()));
    } else {
        set_owner_mode(db, gid, DB_MODE)?;
        say(
            "已修正",
            &format!("数据库 {}：{} → {want}", db.display(), describe(&meta)),
        );
    }
    // SQLite's files beside it: whoever made them owns them; the group and
    // mode must let every operator's jianguan use them.
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        let Ok(m) = std::fs::symlink_metadata(&file) else {
            continue;
        };
        if !m.is_file() {
            bail!("{} 不是普通文件，请检查后删除", file.display());
        }
        if m.gid() == gid && m.mode() & 0o7777 == DB_MODE {
            continue;
        }
        std::os::unix::fs::lchown(&file, None, Some(gid))
            .with_context(|| format!("无法设置 {} 的用户组", file.display()))?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(DB_MODE))?;
        say(
            "已修正",
            &format!(
                "{}：{} → {}:{} {DB_MODE:04o}",
                file.display(),
                describe(&m),
                user_name(m.uid()),
                data.name
            ),
        );
    }
    Ok(())
}

fn write_config(config: &ServerConfig) -> anyhow::Result<()> {
    let path = Path::new(CONFIG_PATH);
    let text = config.to_toml();
    if text.is_empty() {
        bail!("无法把配置写成 TOML");
    }
    let old = std::fs::symlink_metadata(path)
        .ok()
        .map(|_| read_config(path));
    match &old {
        Some(Ok(c)) if c == config => {
            // Trusted and the same: nothing to do.
            say(
                "已符合",
                &format!("{CONFIG_PATH}（root 0644；db 与 data_group 一致）"),
            );
            return Ok(());
        }
        _ => {}
    }
    let mut tmp = TempFile::create(path, "tmp")?;
    tmp.file()
        .write_all(
            format!("# jianguan 服务器模式，由 jianguan server-setup 写入\n{text}").as_bytes(),
        )
        .with_context(|| format!("无法写入 {CONFIG_PATH}"))?;
    tmp.set_mode(0o644)?;
    tmp.persist(Replace::Atomically)?;
    let what = match old {
        None => "已写入".to_string(),
        Some(Ok(c)) => format!(
            "已更新（原为 db = {}，data_group = {}）",
            c.db.display(),
            c.data_group
        ),
        Some(Err(why)) => format!("已重写（原文件不可用：{why}）"),
    };
    say(
        &what,
        &format!(
            "{CONFIG_PATH}（root 0644）：db = {}，data_group = {}",
            config.db.display(),
            config.data_group
        ),
    );
    Ok(())
}

fn set_binary(binary: &Path, data: &Group) -> anyhow::Result<()> {
    let meta = std::fs::metadata(binary)?;
    let want = format!("root:{} {BINARY_MODE:04o}", data.name);
    if meta.uid() == 0 && meta.gid() == data.gid.as_raw() && meta.mode() & 0o7777 == BINARY_MODE {
        say(
            "已符合",
            &format!("程序 {}（{want}，setgid）", binary.display()),
        );
        return Ok(());
    }
    set_owner_mode(binary, data.gid.as_raw(), BINARY_MODE)?;
    say(
        "已设置",
        &format!(
            "程序 {}：{} → {want}（setgid 到数据组）",
            binary.display(),
            describe(&meta)
        ),
    );
    Ok(())
}

/// The operators group says who is meant to use jianguan. setgid needs the
/// binary's group to be the data group, so running it is restricted by its
/// directory instead: a directory holding only the binary becomes root:G2
/// 0750; for a shared one (/usr/local/bin) the commands are printed.
fn operators(name: &str, binary: &Path) -> anyhow::Result<()> {
    let group = ensure_group(name, "操作员组")?;
    let members = group_members(&group);
    if members.is_empty() {
        say(
            "提示",
            &format!("操作员组 {name} 暂无成员；用 usermod -aG {name} 用户名 加入"),
        );
    } else {
        say("成员", &format!("操作员组 {name}：{}", members.join("、")));
    }
    let dir = binary.parent().context("程序文件没有目录")?;
    let alone = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().count() == 1)
        .unwrap_or(false);
    let meta = std::fs::metadata(dir)?;
    let want = format!("root:{name} 0750");
    if meta.uid() == 0 && meta.gid() == group.gid.as_raw() && meta.mode() & 0o7777 == 0o750 {
        say(
            "已符合",
            &format!(
                "程序目录 {}（{want}）：只有 {name} 的成员能运行 jianguan",
                dir.display()
            ),
        );
    } else if alone {
        set_owner_mode(dir, group.gid.as_raw(), 0o750)?;
        say(
            "已设置",
            &format!(
                "程序目录 {}：{} → {want}：只有 {name} 的成员能运行 jianguan",
                dir.display(),
                describe(&meta)
            ),
        );
    } else {
        say(
            "未改动",
            &format!(
                "程序目录 {} 里还有其他文件，任何能登录本机的用户都能运行 jianguan（没有 jianguan 账号只能浏览）。如要只让 {name} 的成员运行：install -d -o root -g {name} -m 0750 /usr/local/lib/jianguan && mv '{}' /usr/local/lib/jianguan/jianguan && ln -s /usr/local/lib/jianguan/jianguan /usr/local/bin/jianguan，再运行 jianguan server-setup … --binary /usr/local/lib/jianguan/jianguan",
                dir.display(),
                binary.display()
            ),
        );
    }
    Ok(())
}
