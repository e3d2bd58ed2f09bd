//! `jianguan init`: a new database, empty, demo, or generated at scale.

use super::output::{say, say_err};
use super::{Context, output, vocab};
use crate::app::generate::{Scale, generate};
use crate::app::init::{AdminInput, init};
use crate::files::{self, Replace, TempFile};
use crate::store::{self, OpenOptions};
use anyhow::{Context as _, bail};
use clap::Args;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::ExitCode;

#[derive(Args)]
pub struct InitArgs {
    /// 填入演示数据（真实法规名称的目录、各状态的认领、清单和地方事项）
    #[arg(long)]
    demo: bool,
    /// 生成基准测试规模的合成数据（city：约3万子项/10万认领；province：约21万子项/150万认领/60万清单）
    #[arg(long, requires = "demo", value_name = "city|province")]
    scale: Option<Scale>,
    /// 准备多人共享的文件（0660）：新建的目录设为 setgid（2770）；已有的目录不作改动，须已是这样设置（否则提示应运行的命令）
    #[arg(long)]
    shared: bool,
    /// 共享文件所属的系统用户组（与 --shared 一起用）
    #[arg(long, requires = "shared")]
    group: Option<String>,
    /// 平台管理员（运行者）的姓名，默认为登录名
    #[arg(long)]
    name: Option<String>,
    /// 平台管理员的手机号
    #[arg(long)]
    mobile: Option<String>,
}

pub fn run(ctx: &Context, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let shared = args.shared.then_some(args.group.as_deref());
    let summary = create_with(
        ctx,
        args.demo,
        args.scale,
        shared,
        args.name.clone(),
        args.mobile.clone(),
    )?;
    if ctx.json {
        output::json(&summary_json(ctx, &summary, args.demo))?;
    } else {
        say!("已创建数据库 {}", ctx.db_shown());
        say!(
            "区划 {}，单位 {}，账号 {}，主项 {}，子项 {}，设定依据 {}，认领 {}，检查实施清单 {}，地方事项 {}",
            summary.regions,
            summary.units,
            summary.accounts,
            summary.main_items,
            summary.sub_items,
            summary.legal_bases,
            summary.claims,
            summary.checklists,
            summary.local_items
        );
        say!("平台管理员：{}（当前系统用户）", ctx.login);
        if let Some((login, instead)) = &summary.renamed_demo_login {
            say!(
                "演示账号 {login} 与当前系统用户同名：登录名 {login} 归平台管理员，该演示账号改用 {instead}（如 --as {instead}）"
            );
        }
        if summary.milestone_shift_days != 0 {
            say!(
                "演示库的时间节点已整体顺延 {} 天，使今天处于认领截止与清单截止之间",
                summary.milestone_shift_days
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `init --json` prints.
fn summary_json(ctx: &Context, s: &crate::app::init::InitSummary, demo: bool) -> vocab::Obj {
    vocab::Obj::new()
        .put("database", ctx.db_shown())
        .put("demo", demo)
        .put("region_count", s.regions)
        .put("unit_count", s.units)
        .put("account_count", s.accounts)
        .put("main_item_count", s.main_items)
        .put("sub_item_count", s.sub_items)
        .put("legal_basis_count", s.legal_bases)
        .put("claim_count", s.claims)
        .put("checklist_count", s.checklists)
        .put("local_item_count", s.local_items)
        .put("milestone_shift_days", s.milestone_shift_days)
        .opt_obj(
            "renamed_demo_login",
            s.renamed_demo_login.as_ref().map(|(login, instead)| {
                vocab::Obj::new()
                    .put("login", login)
                    .put("instead", instead)
            }),
        )
}

/// Creates the database of `ctx.db` (used by `init` and first run).
pub fn create(
    ctx: &Context,
    demo: bool,
    scale: Option<Scale>,
    shared: Option<Option<&str>>,
) -> anyhow::Result<crate::app::init::InitSummary> {
    create_with(ctx, demo, scale, shared, None, None)
}

/// Builds the whole database under a temporary name beside the target and
/// links it into place only when complete: the target is never replaced
/// (an empty file of the user's excepted), and nothing this run did not
/// create is deleted. Of several `init` on one path exactly one wins; a
/// killed one leaves only its `.NAME.init-…` file, never the target name.
fn create_with(
    ctx: &Context,
    demo: bool,
    scale: Option<Scale>,
    shared: Option<Option<&str>>,
    name: Option<String>,
    mobile: Option<String>,
) -> anyhow::Result<crate::app::init::InitSummary> {
    let admin = |login: String| AdminInput {
        name: name.clone().unwrap_or_else(|| login.clone()),
        login,
        mobile: mobile.clone().unwrap_or_default(),
    };
    if let Some(url) = store::postgres::url_of(&ctx.db) {
        if shared.is_some() {
            bail!(
                "--shared 只用于 SQLite 数据库文件；PostgreSQL 的权限由服务器上的角色决定（见 jianguan pg-roles）"
            );
        }
        return create_postgres(url, &admin(ctx.login.clone()), demo, scale);
    }
    let path = &ctx.db;
    let dir = files::dir_of(path);
    let empty = claim_empty_target(path)?;
    let gid = match shared {
        Some(Some(group)) => Some(group_id(group)?),
        _ => None,
    };
    if shared.is_some() && dir.exists() {
        check_shared_dir(dir, gid)?;
    }
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
        if shared.is_some() {
            prepare_new_shared_dir(dir, gid)?;
        }
    }
    let mut tmp = TempFile::create(path, "init")?;
    tmp.remove_on_signal();
    let mut store = store::open(
        tmp.path(),
        &OpenOptions {
            create: true,
            allow_network_fs: ctx.network_db,
        },
    )?;
    // SQLite opened the name: it must have opened the file made above.
    if !tmp.is_still_ours() || tmp.opened_elsewhere_here() == Some(false) {
        bail!(
            "临时文件 {} 被他人改动，已放弃；{} 未创建",
            tmp.path().display(),
            path.display()
        );
    }
    let summary = fill(&mut store, &admin(ctx.login.clone()), demo, scale)?;
    store.close_standalone()?;
    if shared.is_some() {
        if let Some(gid) = gid {
            tmp.set_group(gid.as_raw()).with_context(|| {
                format!("无法把 {} 的用户组改为 {}", path.display(), group_name(gid))
            })?;
        }
        tmp.set_mode(0o660)?;
    } else {
        // What SQLite gives a file it creates.
        tmp.set_mode(0o644 & !files::umask())?;
    }
    match empty {
        None => tmp.persist(Replace::Never)?,
        Some(claim) => {
            // Still the empty file we hold the lock on: nobody else's.
            if !claim.still_at(path) {
                bail!("{} 已存在，未作修改", path.display());
            }
            tmp.persist(Replace::Atomically)?;
        }
    }
    Ok(summary)
}

/// The content of a new database: the platform admin, the demo, the scale.
fn fill(
    store: &mut store::Store,
    admin: &AdminInput,
    demo: bool,
    scale: Option<Scale>,
) -> anyhow::Result<crate::app::init::InitSummary> {
    let now = crate::app::now();
    let mut summary = init(store, admin, demo, now)?;
    if let Some(scale) = scale {
        let g = generate(store, scale, now, &mut |msg| say_err!("{msg}"))?;
        summary.regions += g.regions;
        summary.units += g.units;
        summary.accounts += g.accounts;
        summary.main_items += g.main_items;
        summary.sub_items += g.sub_items;
        summary.claims += g.claims;
        summary.checklists += g.checklists;
    }
    Ok(summary)
}

/// A PostgreSQL database the administrator created (empty, or already
/// holding jianguan's tables from an `init` that stopped before its data):
/// the schema under the migration lock, then the content in one
/// transaction that first takes `app::init`'s lock — of several `init` at
/// once one fills it and the others find it filled.
fn create_postgres(
    url: &str,
    admin: &AdminInput,
    demo: bool,
    scale: Option<Scale>,
) -> anyhow::Result<crate::app::init::InitSummary> {
    let mut store = store::open(
        Path::new(url),
        &OpenOptions {
            create: true,
            allow_network_fs: false,
        },
    )?;
    fill(&mut store, admin, demo, scale)
}

fn already_exists(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{} 已存在，未作修改；如需重建，请先移走或删除该文件",
        path.display()
    )
}

/// An empty regular file of the user's at the target (made by `touch` or
/// `mktemp`) that this run may replace. Its flock keeps a second `init`
/// from claiming it too.
struct EmptyClaim {
    _file: std::fs::File,
    id: (u64, u64),
}

impl EmptyClaim {
    fn still_at(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == self.id && m.len() == 0)
    }
}

/// None when nothing is at `path`; the claim of an empty file of the
/// user's; otherwise refuses: whatever exists is left alone.
fn claim_empty_target(path: &Path) -> anyhow::Result<Option<EmptyClaim>> {
    use nix::libc;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(None);
    };
    let mine = meta.uid() == nix::unistd::geteuid().as_raw();
    if !meta.is_file() || meta.len() > 0 || !mine {
        return Err(already_exists(path));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|_| already_exists(path))?;
    // SAFETY: flock(2) on a descriptor we own.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        bail!(
            "{} 已存在，未作修改（另一个 jianguan init 正在创建它）",
            path.display()
        );
    }
    let claim = EmptyClaim {
        id: (file.metadata()?.dev(), file.metadata()?.ino()),
        _file: file,
    };
    if !claim.still_at(path) {
        return Err(already_exists(path));
    }
    Ok(Some(claim))
}

fn group_id(name: &str) -> anyhow::Result<nix::unistd::Gid> {
    Ok(nix::unistd::Group::from_name(name)?
        .with_context(|| format!("系统中没有用户组“{name}”"))?
        .gid)
}

fn group_name(gid: nix::unistd::Gid) -> String {
    nix::unistd::Group::from_gid(gid)
        .ok()
        .flatten()
        .map_or_else(|| gid.to_string(), |g| g.name)
}

/// A directory that exists is someone's: it is used as it is when it is
/// already set up for sharing (setgid, group rwx, the group asked for),
/// otherwise nothing is created and the commands to run are printed.
fn check_shared_dir(dir: &Path, gid: Option<nix::unistd::Gid>) -> anyhow::Result<()> {
    let meta = std::fs::metadata(dir).with_context(|| format!("无法读取目录 {}", dir.display()))?;
    if !meta.is_dir() {
        bail!("{} 不是目录", dir.display());
    }
    let mode_ok = meta.mode() & 0o2070 == 0o2070;
    let group_ok = gid.is_none_or(|g| g.as_raw() == meta.gid());
    if mode_ok && group_ok {
        return Ok(());
    }
    let shown = shell_quote(&dir.display().to_string());
    let fix = match gid {
        Some(g) if !group_ok => format!("chgrp {} {shown} && chmod 2770 {shown}", group_name(g)),
        _ => format!("chmod 2770 {shown}"),
    };
    bail!(
        "目录 {} 不是共享目录（需设 setgid 且用户组可读写{}），本程序不改动已有目录的属主和权限，未创建任何文件。\n\
         如这个目录专用于 jianguan，请由其所有者运行：\n  {fix}\n然后重新运行 init；否则请换一个新目录（init 会自己创建并设置好）",
        dir.display(),
        gid.map(|g| format!("，用户组为 {}", group_name(g)))
            .unwrap_or_default()
    )
}

/// The directory this run created: setgid (2770) so that files created in
/// it, SQLite's -wal and -shm included, belong to the group.
fn prepare_new_shared_dir(dir: &Path, gid: Option<nix::unistd::Gid>) -> anyhow::Result<()> {
    if let Some(g) = gid {
        nix::unistd::chown(dir, None, Some(g)).with_context(|| {
            format!(
                "无法把目录 {} 的用户组改为 {}",
                dir.display(),
                group_name(g)
            )
        })?;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o2770))
        .with_context(|| format!("无法设置目录 {} 的权限", dir.display()))
}

fn shell_quote(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
