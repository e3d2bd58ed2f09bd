//! `jianguan check`: integrity, foreign keys, the change-log chain, the
//! replay of the log against the tables, and heads noted down earlier.

use super::{Context, output};
use crate::store::{changelog, replay};
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
    let mut problems: Vec<String> = store
        .integrity_check()?
        .into_iter()
        .filter(|l| l != "ok")
        .map(|l| format!("完整性检查：{l}"))
        .collect();
    problems.extend(store.foreign_key_check()?);
    problems.extend(changelog::verify(store.conn())?);
    for (n, hash) in &args.heads {
        match changelog::hash_at(store.conn(), *n)? {
            Some(h) if &h == hash => {}
            Some(h) => problems.push(format!(
                "链头 {n}:{hash} 与操作记录不符：第 {n} 条的哈希现为 {h}（该条或它之前的记录被改写过）"
            )),
            None => problems.push(format!(
                "链头 {n}:{hash} 不在操作记录中：操作记录已不足 {n} 条（被截断）"
            )),
        }
    }
    problems.extend(replay::problems(store.conn())?);
    let flags = crate::store::claims::inspection_flag_mismatches(store.conn())?;
    if flags > 0 {
        problems.push(format!(
            "{flags} 条认领的“行政检查”标记与事项类别不一致（进度统计会因此出错）"
        ));
    }
    let counted = crate::store::claims::counted_flag_mismatches(store.conn())?;
    if counted > 0 {
        problems.push(format!(
            "{counted} 份检查实施清单的“计入进度”标记与其认领不一致（进度统计会因此出错）"
        ));
    }
    let kept = crate::store::claims::progress_count_mismatches(store.conn())?;
    if kept > 0 {
        problems.push(format!(
            "{kept} 个单位的进度计数与其认领和检查实施清单不一致（进度表会因此出错）"
        ));
    }
    problems.extend(claim_problems(store.conn())?);
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

/// Claims the rules would refuse today: listed, not deleted (the unit or an
/// administrator decides what to do with them).
fn claim_problems(conn: &crate::store::Connection) -> anyhow::Result<Vec<String>> {
    let unit_name = |id| {
        crate::store::units::unit(conn, id)
            .map(|u| u.full_name())
            .unwrap_or_else(|_| format!("单位{id}"))
    };
    let mut out = Vec::new();
    for (unit, code, state) in crate::store::local_items::claims_on_unreleased(conn)? {
        out.push(format!(
            "{}认领了尚未审核通过（{}）的地方监管事项子项 {code}",
            unit_name(unit),
            state.label()
        ));
    }
    for (unit, code) in crate::store::claims::outside_level(conn)? {
        out.push(format!(
            "{}认领了监管层级不含本级的子项 {code}",
            unit_name(unit)
        ));
    }
    Ok(out)
}
