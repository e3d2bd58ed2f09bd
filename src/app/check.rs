//! What `jianguan check` finds: the file's integrity, the change log's
//! chain and its replay against the tables, the kept counts and flags, and
//! claims the rules would refuse today. `migrate-to` asks the same of both
//! databases before it commits.

use super::AppError;
use crate::store::{self, Store, changelog, replay};

/// Every problem found, as a line an operator reads; none in a sound
/// database. `heads` are `COUNT:HASH` pairs noted down earlier.
pub fn problems(store: &Store, heads: &[(i64, String)]) -> Result<Vec<String>, AppError> {
    let mut problems: Vec<String> = store
        .integrity_check()?
        .into_iter()
        .filter(|l| l != "ok")
        .map(|l| format!("完整性检查：{l}"))
        .collect();
    problems.extend(store.foreign_key_check()?);
    problems.extend(content_problems(store.conn(), heads)?);
    Ok(problems)
}

/// What `problems` finds through a connection alone (inside a transaction
/// too): all but the file's own checks.
pub fn content_problems(
    conn: &store::Connection,
    heads: &[(i64, String)],
) -> Result<Vec<String>, AppError> {
    let mut problems = changelog::verify(conn)?;
    for (n, hash) in heads {
        match changelog::hash_at(conn, *n)? {
            Some(h) if &h == hash => {}
            Some(h) => problems.push(format!(
                "链头 {n}:{hash} 与操作记录不符：第 {n} 条的哈希现为 {h}（该条或它之前的记录被改写过）"
            )),
            None => problems.push(format!(
                "链头 {n}:{hash} 不在操作记录中：操作记录已不足 {n} 条（被截断）"
            )),
        }
    }
    problems.extend(replay::problems(conn)?);
    let flags = store::claims::inspection_flag_mismatches(conn)?;
    if flags > 0 {
        problems.push(format!(
            "{flags} 条认领的“行政检查”标记与事项类别不一致（进度统计会因此出错）"
        ));
    }
    let counted = store::claims::counted_flag_mismatches(conn)?;
    if counted > 0 {
        problems.push(format!(
            "{counted} 份检查实施清单的“计入进度”标记与其认领不一致（进度统计会因此出错）"
        ));
    }
    let kept = store::claims::progress_count_mismatches(conn)?;
    if kept > 0 {
        problems.push(format!(
            "{kept} 个单位的进度计数与其认领和检查实施清单不一致（进度表会因此出错）"
        ));
    }
    problems.extend(claim_problems(conn)?);
    Ok(problems)
}

/// Claims the rules would refuse today: listed, not deleted (the unit or an
/// administrator decides what to do with them).
fn claim_problems(conn: &store::Connection) -> Result<Vec<String>, AppError> {
    let unit_name = |id| {
        store::units::unit(conn, id)
            .map(|u| u.full_name())
            .unwrap_or_else(|_| format!("单位{id}"))
    };
    let mut out = Vec::new();
    for (unit, code, state) in store::local_items::claims_on_unreleased(conn)? {
        out.push(format!(
            "{}认领了尚未审核通过（{}）的地方监管事项子项 {code}",
            unit_name(unit),
            state.label()
        ));
    }
    for (unit, code) in store::claims::outside_level(conn)? {
        out.push(format!(
            "{}认领了监管层级不含本级的子项 {code}",
            unit_name(unit)
        ));
    }
    Ok(out)
}
