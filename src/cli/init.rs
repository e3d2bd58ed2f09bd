//! `jianguan init`: a new database, empty, demo, or generated at scale.

use super::{Context, os_login, output};
use crate::app::generate::{Scale, generate};
use crate::app::init::{AdminInput, init};
use crate::store::{self, OpenOptions};
use anyhow::{Context as _, bail};
use clap::Args;
use std::os::unix::fs::PermissionsExt;
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
    /// 准备多人共享的文件：目录设 setgid（2770），文件 0660
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
        output::json(&summary)?;
    } else {
        println!("已创建数据库 {}", ctx.db.display());
        println!(
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
        println!("平台管理员：{}（当前系统用户）", ctx.login);
        if summary.milestone_shift_days != 0 {
            println!(
                "演示库的时间节点已整体顺延 {} 天，使今天处于认领截止与清单截止之间",
                summary.milestone_shift_days
            );
        }
    }
    Ok(ExitCode::SUCCESS)
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

fn create_with(
    ctx: &Context,
    demo: bool,
    scale: Option<Scale>,
    shared: Option<Option<&str>>,
    name: Option<String>,
    mobile: Option<String>,
) -> anyhow::Result<crate::app::init::InitSummary> {
    let path = &ctx.db;
    if path.exists() && std::fs::metadata(path)?.len() > 0 {
        bail!(
            "{} 已存在，未作修改；如需重建，请先移走或删除该文件",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let existed = dir.exists();
        std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
        if let Some(group) = shared {
            prepare_shared_dir(dir, group, existed)?;
        }
    }
    let mut store = store::open(
        path,
        &OpenOptions {
            create: true,
            allow_network_fs: ctx.network_db,
        },
    )?;
    let now = crate::app::now();
    let login = os_login();
    let admin = AdminInput {
        name: name.unwrap_or_else(|| login.clone()),
        login,
        mobile: mobile.unwrap_or_default(),
    };
    let result = init(&mut store, &admin, demo, now).and_then(|mut summary| {
        if let Some(scale) = scale {
            let g = generate(&mut store, scale, now, &mut |msg| eprintln!("{msg}"))?;
            summary.regions += g.regions;
            summary.units += g.units;
            summary.accounts += g.accounts;
            summary.main_items += g.main_items;
            summary.sub_items += g.sub_items;
            summary.claims += g.claims;
            summary.checklists += g.checklists;
        }
        Ok(summary)
    });
    drop(store);
    match result {
        Ok(summary) => {
            if shared.is_some() {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
                if let Some(Some(group)) = shared {
                    chgrp(path, group)?;
                }
            }
            Ok(summary)
        }
        Err(e) => {
            // Nothing half-made stays behind.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(Path::new(&p));
            }
            Err(e.into())
        }
    }
}

fn group_id(name: &str) -> anyhow::Result<nix::unistd::Gid> {
    Ok(nix::unistd::Group::from_name(name)?
        .with_context(|| format!("系统中没有用户组“{name}”"))?
        .gid)
}

fn chgrp(path: &Path, group: &str) -> anyhow::Result<()> {
    nix::unistd::chown(path, None, Some(group_id(group)?))
        .with_context(|| format!("无法把 {} 的用户组改为 {group}", path.display()))
}

/// setgid directory (2770) so that files created in it, including SQLite's
/// -wal and -shm, belong to the group.
fn prepare_shared_dir(dir: &Path, group: Option<&str>, existed: bool) -> anyhow::Result<()> {
    if let Some(group) = group {
        chgrp(dir, group)?;
    }
    let mode = if existed {
        std::fs::metadata(dir)?.permissions().mode() | 0o2070
    } else {
        0o2770
    };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("无法设置目录 {} 的权限", dir.display()))
}
