//! `jianguan backup FILE`: a consistent copy of the database, taken while
//! others keep working, and checked.

use super::Context;
use crate::store::{self, OpenOptions, changelog};
use anyhow::{Context as _, bail};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct BackupArgs {
    /// 备份文件（不能是正在使用的数据库本身）
    file: PathBuf,
    /// 覆盖已有的备份文件
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Context, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let same = match (args.file.canonicalize(), store.path().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        bail!("备份文件不能是数据库本身：{}", args.file.display());
    }
    if args.file.exists() && !args.force {
        bail!(
            "{} 已存在；换一个文件名，或加 --force 覆盖",
            args.file.display()
        );
    }
    let t = Instant::now();
    store.backup_to(&args.file)?;
    let took = t.elapsed().as_secs_f64();
    // The copy must stand on its own: open it and check it.
    let copy = store::open(
        &args.file,
        &OpenOptions {
            create: false,
            allow_network_fs: true,
        },
    )
    .with_context(|| format!("无法打开备份 {}", args.file.display()))?;
    let mut problems: Vec<String> = copy
        .integrity_check()?
        .into_iter()
        .filter(|l| l != "ok")
        .collect();
    problems.extend(changelog::verify(copy.conn())?);
    if !problems.is_empty() {
        bail!(
            "备份 {} 未通过检查：{}",
            args.file.display(),
            problems.join("；")
        );
    }
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    println!(
        "已备份到 {}：{:.1} MB，用时 {took:.1} 秒，{} 条操作记录，副本检查通过",
        args.file.display(),
        size as f64 / 1_048_576.0,
        changelog::count(copy.conn())?
    );
    Ok(ExitCode::SUCCESS)
}
