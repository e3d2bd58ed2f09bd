//! `jianguan account add|list`.

use super::output::say;
use super::{Context, output, vocab};
use crate::app::accounts::create_account;
use crate::domain::NewAccount;
use crate::domain::Role;
use crate::store;
use anyhow::Context as _;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AccountCommand {
    /// 新建账号（平台管理员：任意角色；县级管理员：本县单位的部门管理员）
    Add {
        /// 登录名：系统登录名（SSH 用户名）；PostgreSQL 数据库上即此人的数据库角色名
        #[arg(long)]
        login: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 单位名称，如“市场监督管理局”或“金水区市场监督管理局”
        #[arg(long)]
        unit: String,
        /// 角色：platform_admin、county_admin、operator、legal_reviewer、coordinator（或中文）
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// 手机号（11位）
        #[arg(long)]
        mobile: String,
        /// 处室及职务
        #[arg(long, default_value = "", hide_default_value = true)]
        post: String,
        /// 设为本单位联络人
        #[arg(long)]
        liaison: bool,
    },
    /// 列出账号（附件2格式的信息）
    List,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

pub fn run(ctx: &Context, cmd: AccountCommand) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open()?;
    match cmd {
        AccountCommand::Add {
            login,
            name,
            unit,
            role,
            mobile,
            post,
            liaison,
        } => {
            let target = super::resolve_unit(&store, &unit)?;
            let actor = ctx.actor(&store)?;
            let account = create_account(
                &mut store,
                &actor,
                &NewAccount {
                    login,
                    name,
                    unit_id: target.id,
                    office_post: post,
                    mobile,
                    role,
                    is_liaison: liaison,
                },
            )
            .context("未创建账号")?;
            if ctx.json {
                output::json(&vocab::account(&account, &target))?;
            } else {
                say!(
                    "已创建账号 {}（{}，{}，{}）",
                    account.login,
                    account.name,
                    target.full_name(),
                    account.role.label()
                );
                if store.is_postgres() {
                    say!(
                        "{}",
                        super::pg_roles::rerun_hint(&format!("{} ", account.login))
                    );
                }
            }
        }
        AccountCommand::List => {
            let conn = store.conn();
            let accounts = store::accounts::list(conn)?;
            if ctx.json {
                let mut out = Vec::new();
                for a in &accounts {
                    out.push(vocab::account(a, &store::units::unit(conn, a.unit_id)?));
                }
                output::json(&out)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut rows = Vec::new();
            for a in &accounts {
                let unit = store::units::unit(conn, a.unit_id)?;
                rows.push(vec![
                    a.login.clone(),
                    a.name.clone(),
                    unit.full_name(),
                    a.office_post.clone(),
                    a.mobile.clone(),
                    a.role.label().to_string(),
                    if a.is_liaison { "是" } else { "" }.to_string(),
                    if a.active { "" } else { "已停用" }.to_string(),
                ]);
            }
            output::table(
                &[
                    "登录名",
                    "姓名",
                    "单位",
                    "处室及职务",
                    "手机",
                    "角色",
                    "联络人",
                    "状态",
                ],
                &rows,
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
