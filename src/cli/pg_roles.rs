//! `jianguan pg-roles`: the script that gives each account its own
//! PostgreSQL role in the group of its jianguan role (`store::postgres::roles`).

use super::Context;
use crate::app::AppError;
use crate::domain::Role;
use crate::domain::permission::Denied;
use crate::store::{self, postgres::roles};
use anyhow::bail;
use std::process::ExitCode;

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let store = ctx.open()?;
    if !store.is_postgres() {
        bail!(
            "pg-roles 只用于 PostgreSQL 数据库（--db postgres://…）；SQLite 文件的权限见 jianguan server-setup"
        );
    }
    let actor = ctx.actor(&store)?;
    if actor.effective().role != Role::PlatformAdmin {
        return Err(AppError::Denied(Denied("只有平台管理员可以生成数据库角色脚本".into())).into());
    }
    let accounts: Vec<(String, Role, bool)> = store::accounts::list(store.conn())?
        .into_iter()
        .map(|a| (a.login, a.role, a.active))
        .collect();
    let name = store::postgres::database_name(&store.path().to_string_lossy());
    let reserved = store::postgres::reserved_roles(store.conn())?;
    print!("{}", roles::grant_script(&name, &accounts, &reserved));
    Ok(ExitCode::SUCCESS)
}

/// What `account add` and `import accounts` say on PostgreSQL: a new
/// account logs in as its own role only once the script is run again.
pub fn rerun_hint(who: &str) -> String {
    format!(
        "数据库为 PostgreSQL：请平台管理员重新生成并执行 jianguan pg-roles 的脚本，{who}才能以自己的数据库角色登录"
    )
}
