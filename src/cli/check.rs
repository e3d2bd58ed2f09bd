//! `jianguan check`: integrity, foreign keys and the change-log chain.

use super::{Context, output};
use crate::store::changelog;
use std::process::ExitCode;

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    let mut problems: Vec<String> = store
        .integrity_check()?
        .into_iter()
        .filter(|l| l != "ok")
        .map(|l| format!("完整性检查：{l}"))
        .collect();
    problems.extend(store.foreign_key_check()?);
    problems.extend(changelog::verify(store.conn())?);
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
    let entries = changelog::count(store.conn())?;
    if ctx.json {
        output::json(&serde_json::json!({
            "ok": problems.is_empty(),
            "change_log_entries": entries,
            "problems": problems,
        }))?;
    } else if problems.is_empty() {
        println!("ok");
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

/// Claims the rules would refuse today: listed, not deleted (the unit or an
/// administrator decides what to do with them).
fn claim_problems(conn: &rusqlite::Connection) -> anyhow::Result<Vec<String>> {
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
