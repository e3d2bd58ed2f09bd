//! `migrate-to`: a SQLite database moved into an empty PostgreSQL database
//! in one transaction. The source is checked first (a database with
//! problems is not moved: they would travel unseen), read in one snapshot
//! while others may go on working, and the target is checked inside the
//! transaction before it commits — table by table the same counts, the
//! log's chain and replay sound — so a failure anywhere leaves the target
//! as empty as it was.

use super::{AppError, check};
use crate::domain::Role;
use crate::store::postgres::transfer;
use crate::store::{Store, changelog};

/// What was moved: each table's rows, and the log's head (the same on both
/// sides).
#[derive(Debug, Clone)]
pub struct Moved {
    pub tables: Vec<(String, i64)>,
    pub head: (i64, String),
}

/// Moves `source` (a SQLite file) into the empty PostgreSQL database
/// `open_target` opens (making its schema), for `actor`, a platform admin
/// of the source. The target is opened only once the source has passed
/// its check: a refused move leaves no schema behind. `say` hears
/// progress: a line per table, and counts on the large ones.
pub fn migrate_to(
    source: &Store,
    open_target: impl FnOnce() -> Result<Store, AppError>,
    actor: &super::Actor,
    say: &mut dyn FnMut(String),
) -> Result<(Store, Moved), AppError> {
    if actor.effective().role != Role::PlatformAdmin {
        return Err(AppError::Denied(crate::domain::permission::Denied(
            "迁移数据库仅限平台管理员".into(),
        )));
    }
    if source.is_postgres() {
        return Err(AppError::Invalid(
            "migrate-to 把 SQLite 数据库文件迁入 PostgreSQL：--from 应为数据库文件".into(),
        ));
    }
    // One snapshot of the source for the check and the copy alike.
    let src = source.conn();
    src.begin_snapshot()?;
    let result = (|| {
        let problems = check::problems(source, &[])?;
        if !problems.is_empty() {
            return Err(AppError::Invalid(format!(
                "源数据库 {} 检查未通过，未迁移（请先运行 jianguan check 查看并处理）：\n{}",
                source.path().display(),
                problems.join("\n")
            )));
        }
        let mut target = open_target()?;
        if !target.is_postgres() {
            return Err(AppError::Invalid(
                "migrate-to 的目标应为 postgres:// 地址".into(),
            ));
        }
        if !transfer::is_empty(target.conn())? {
            return Err(AppError::Invalid(format!(
                "目标数据库 {} 已有 jianguan 的数据，未作任何修改：请指定一个新建的空数据库",
                target.path().display()
            )));
        }
        let tables = transfer::tables(src)?;
        let mut counts = Vec::new();
        for t in &tables {
            counts.push((t.name.clone(), transfer::count(src, &t.name)?));
        }
        let head = changelog::head(src)?;
        target.write(|pg| {
            // Triggers off before the first row (PostgreSQL will not alter
            // a table with foreign-key checks pending), on again once the
            // deferred checks have run.
            transfer::defer_foreign_keys(pg)?;
            for t in &tables {
                transfer::set_triggers(pg, &t.name, false)?;
            }
            for (t, (_, expected)) in tables.iter().zip(&counts) {
                say(format!("复制 {}（{expected} 行）…", t.name));
                let name = t.name.clone();
                let copied =
                    transfer::copy(src, pg, t, &mut |n| say(format!("  {name}：已复制 {n} 行")))?;
                if copied as i64 != *expected {
                    return Err(AppError::Invalid(format!(
                        "{}：源库 {expected} 行，只复制了 {copied} 行；已全部撤销",
                        t.name
                    )));
                }
            }
            say("核对外键…".into());
            transfer::check_foreign_keys_now(pg)?;
            for (t, (_, expected)) in tables.iter().zip(&counts) {
                transfer::set_triggers(pg, &t.name, true)?;
                transfer::reset_identities(pg, t)?;
                let found = transfer::count(pg, &t.name)?;
                if found != *expected {
                    return Err(AppError::Invalid(format!(
                        "{}：源库 {expected} 行，目标库有 {found} 行；已全部撤销",
                        t.name
                    )));
                }
            }
            say("检查目标数据库…".into());
            let problems = check::content_problems(pg, &[])?;
            if !problems.is_empty() {
                return Err(AppError::Invalid(format!(
                    "迁入的数据检查未通过，已全部撤销：\n{}",
                    problems.join("\n")
                )));
            }
            let target_head = changelog::head(pg)?;
            if target_head != head {
                return Err(AppError::Invalid(format!(
                    "目标库的操作记录链头 {}:{} 与源库的 {}:{} 不同，已全部撤销",
                    target_head.0, target_head.1, head.0, head.1
                )));
            }
            Ok(())
        })?;
        Ok((
            target,
            Moved {
                tables: counts,
                head,
            },
        ))
    })();
    let _ = src.commit();
    result
}
