//! `jianguan migrate-to postgres://… --from FILE.db`: a SQLite database
//! moved into an empty PostgreSQL database in one transaction.

use super::Context;
use super::output::{say, say_err};
use crate::app::{Actor, migrate};
use crate::store::{self, OpenOptions};
use anyhow::bail;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct MigrateToArgs {
    /// 目标 PostgreSQL 数据库（postgres://用户@主机/库名），须已由数据库管理员建好且为空
    url: String,
    /// 要迁移的 SQLite 数据库文件（默认：--db 指定的文件）
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: &MigrateToArgs) -> anyhow::Result<ExitCode> {
    if store::postgres::url_of(Path::new(&args.url)).is_none() {
        bail!(
            "目标应为 PostgreSQL 数据库地址（postgres://用户@主机/库名），而不是“{}”",
            args.url
        );
    }
    let from = args.from.clone().unwrap_or_else(|| ctx.db.clone());
    if store::postgres::url_of(&from).is_some() {
        bail!("--from 应为 SQLite 数据库文件；PostgreSQL 之间请用 pg_dump 和 pg_restore");
    }
    let source = store::open(
        &from,
        &OpenOptions {
            create: false,
            allow_network_fs: ctx.network_db,
        },
    )?;
    let actor = Actor::resolve(&source, &ctx.login, ctx.as_login.as_deref())?;
    let open_target = || {
        Ok(store::open(
            Path::new(&args.url),
            &OpenOptions {
                create: true,
                allow_network_fs: false,
            },
        )?)
    };
    let (target, moved) =
        migrate::migrate_to(&source, open_target, &actor, &mut |line| say_err!("{line}"))?;
    if ctx.json {
        let tables: serde_json::Map<String, serde_json::Value> = moved
            .tables
            .iter()
            .map(|(t, n)| (t.clone(), (*n).into()))
            .collect();
        super::output::json(&serde_json::json!({
            "from": from,
            "to": target.path(),
            "tables": tables,
            "head": format!("{}:{}", moved.head.0, moved.head.1),
        }))?;
    } else {
        let rows: i64 = moved.tables.iter().map(|(_, n)| n).sum();
        say!(
            "已把 {} 迁入 {}：{} 张表，共 {rows} 行，两边逐表行数相同，检查通过",
            from.display(),
            target.path().display(),
            moved.tables.len()
        );
        say!(
            "操作记录 {} 条，链头 {}:{}（两边相同；请记下，日后可用 jianguan check --head 核对）",
            moved.head.0,
            moved.head.0,
            moved.head.1
        );
        say!(
            "之后请所有人改用 --db '{}'（或设环境变量 JIANGUAN_DB），并把原文件留作备份、不再写入",
            target.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
