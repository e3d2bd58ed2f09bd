//! `jianguan check`: integrity, foreign keys, the change-log chain, the
//! replay of the log against the tables, and heads noted down earlier.

use super::{Context, output};
use crate::store::changelog;
use clap::Args;
use std::process::ExitCode;

#[derive(Args)]
pub struct CheckArgs {
    /// 核对此前记下的链头（check、通报、备份输出的“条数:哈希”）仍在操作记录中；可给多次
    #[arg(long = "head", value_name = "COUNT:HASH", value_parser = parse_head)]
    heads: Vec<(i64, String)>,
}

pub fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let problems = crate::app::check::problems(&store, &args.heads)?;
    let (entries, head) = changelog::head(store.conn())?;
    let problems: Vec<String> = problems
        .iter()
        .map(|p| output::plain(p).into_owned())
        .collect();
    if ctx.json {
        output::json(&serde_json::json!({
            "ok": problems.is_empty(),
            "change_log_entries": entries,
            "head": format!("{entries}:{head}"),
            "problems": problems,
        }))?;
    } else if problems.is_empty() {
        println!("ok");
        println!(
            "操作记录 {entries} 条，链头 {entries}:{head}（请记下；日后可用 jianguan check --head {entries}:{head} 证明此前的记录未被改写或截断）"
        );
    } else {
        for p in &problems {
            println!("{p}");
        }
        eprintln!(
            "发现 {} 个问题（共检查 {} 条操作记录）",
            problems.len(),
            entries
        );
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `COUNT:HASH` as `check`, the 通报 and backups print it.
fn parse_head(text: &str) -> Result<(i64, String), String> {
    let bad = || {
        "应为“条数:哈希”，如 1234:3f5a…（64 位十六进制），即 check、通报或备份输出的链头"
            .to_string()
    };
    let (n, hash) = text.trim().split_once(':').ok_or_else(bad)?;
    let n: i64 = n.trim().parse().map_err(|_| bad())?;
    let hash = hash.trim().to_ascii_lowercase();
    if n < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((n, hash))
}
