//! The command line: parse, call `app/`, print text or `--json`.

mod account;
mod backup;
mod basis;
mod check;
mod checklist;
mod claim;
pub(crate) mod export;
mod import;
mod init;
mod local;
mod migrate_to;
mod milestone;
mod output;
mod pg_roles;
mod progress;
mod search;
mod server_setup;
mod standings;
mod unit;
mod usage;
mod vocab;
mod whoami;

use crate::app::{Actor, AppError};
use crate::store::{self, OpenOptions, Store, StoreError};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jianguan",
    version,
    about = "监管事项目录清单与检查实施清单编制工具（互联网+监管）",
    long_about = "jianguan（监管）：各部门认领国家级、省级监管事项，编制地方监管事项，\n\
                  填报检查实施清单，协调员跟踪进度。数据保存在一个 SQLite 文件中，\n\
                  可以是个人文件，也可以是服务器上多人共享的文件；\n\
                  或保存在 PostgreSQL 数据库中（--db postgres://用户@主机/库名，见 README）。\n\n\
                  不带子命令运行时，打开默认数据库（首次运行自动创建演示数据库）并显示概况。",
    after_help = "示例：\n  jianguan init --demo --db demo.db      创建演示数据库\n  \
                  jianguan --db demo.db                  打开终端界面（按 ? 查看按键）\n  \
                  jianguan --db demo.db whoami           查看当前账号\n  \
                  jianguan --db demo.db claim --help     批量认领\n  \
                  jianguan --db demo.db checklist list   本单位的检查实施清单\n  \
                  jianguan --db demo.db progress         进度与排名\n  \
                  jianguan --db demo.db backup 备份.db   备份（他人可照常使用）\n  \
                  jianguan --db demo.db check            检查数据库与操作记录链\n\n\
                  退出码：0 成功，1 出错，2 用法错误。"
)]
pub struct Cli {
    /// 数据库文件，或 PostgreSQL 数据库地址 postgres://用户@主机/库名（默认：服务器上为 /etc/jianguan.toml 配置的共享数据库，否则在用户数据目录下；也可用环境变量 JIANGUAN_DB）
    #[arg(long, global = true, env = "JIANGUAN_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// 允许打开网络文件系统（NFS/SMB/FUSE）上的数据库（改用回滚日志，较慢）
    #[arg(long, global = true)]
    network_db: bool,

    /// 以另一账号的身份操作（仅平台管理员；操作记录中会注明）
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    as_login: Option<String>,

    /// 以 JSON 输出数据
    #[arg(long, global = true)]
    json: bool,

    /// 终端界面不用颜色（只用粗体、下划线、反显；也可设环境变量 NO_COLOR）
    #[arg(long = "no-color", global = true)]
    no_color: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// 创建数据库：空库，或 --demo 演示库（运行者成为平台管理员）
    Init(init::InitArgs),
    /// 显示当前系统用户对应的账号、单位和角色
    Whoami,
    /// 单位管理：新建、修改（统一社会信用代码、名称、对口上级部门）、列出
    #[command(subcommand)]
    Unit(unit::UnitCommand),
    /// 账号管理
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// 时间节点：列出，或调整截止时间（新库沿用通知的2019年日期，请先改为本次的日期）
    #[command(subcommand)]
    Milestone(milestone::MilestoneCommand),
    /// 检查数据库完整性、操作记录哈希链，并按操作记录核对各表的每一行；正常时第一行输出 ok
    Check(check::CheckArgs),
    /// 从电子表格导入（目录、权责清单、账号、检查实施清单）
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// 导出为政府样表格式的电子表格（附件2、附件4、附件5）
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// 批量认领（或取消认领）本单位的监管事项：按编码文件、搜索词或监管部门
    #[command(after_help = "示例：\n  \
        jianguan claim --department 国家市场监督管理总局        认领该部门的全部在用子项\n  \
        jianguan claim --codes 编码.txt --not-exercised         认领但标记为不行使\n  \
        jianguan claim --search spaq --unclaim --dry-run        先看看会取消多少项\n  \
        jianguan claim --finished                               记录本单位认领完成\n  \
        jianguan --as lina claim --codes 编码.txt               平台管理员代某账号认领\n\n\
        重复认领已认领的事项不会改动它；每次操作是一个事务，失败时不作任何改动。")]
    Claim(claim::ClaimArgs),
    /// 搜索监管事项和设定依据（支持拼音首字母、全拼、编码前缀）；没有结果时退出码为 1
    Search(search::SearchArgs),
    /// 检查实施清单：列出单位需填报的清单及状态，或显示一份
    #[command(
        subcommand,
        after_help = "示例：\n  \
        jianguan checklist list --state 草稿                  本单位的草稿\n  \
        jianguan checklist list --unit 金水区市场监督管理局   某单位的全部清单\n  \
        jianguan checklist show 10100100100000               一份清单的全部字段"
    )]
    Checklist(checklist::ChecklistCommand),
    /// 设定依据：依据某部法律法规的事项、认领和清单（影响范围），及其状态
    #[command(
        subcommand,
        after_help = "示例：\n  \
        jianguan basis impact 《中华人民共和国食品安全法》第一百一十条 -o 影响.xlsx\n  \
        jianguan basis set-status 食品安全法 修订中 --id 12"
    )]
    Basis(basis::BasisCommand),
    /// 地方监管事项：列出及其审核状态
    #[command(subcommand)]
    Local(local::LocalCommand),
    /// 合法性审核：待审核队列、查看、通过、退回修改
    #[command(
        subcommand,
        after_help = "示例：\n  \
        jianguan --as wangfang review list\n  \
        jianguan review show DF410100-0002\n  \
        jianguan review return DF410100-0002 --reason \"设定依据应引用地方性法规的具体条款\""
    )]
    Review(local::ReviewCommand),
    /// 进度与排名：各单位的认领、清单填报和时间节点状态，或按县（市、区）汇总
    #[command(after_help = "示例：\n  \
        jianguan progress                          各单位进度与排名\n  \
        jianguan progress --county                 按县（市、区）汇总\n  \
        jianguan progress --as-of \"2019-05-16 17:00\"  当时的进度\n\
        每日通报（电子表格，并记下供次日比较）：jianguan export progress -o 通报.xlsx")]
    Progress(standings::ProgressArgs),
    /// 备份数据库（仅平台管理员）：其他操作员可照常工作，得到一致的副本，检查通过后才以该文件名出现
    #[command(
        after_help = "恢复：让所有人退出 jianguan，把原文件改名留存（连同 -wal、-shm 文件），\n\
        再把备份复制为原文件名，运行 jianguan check 确认。"
    )]
    Backup(backup::BackupArgs),
    /// 把 SQLite 数据库文件迁入一个空的 PostgreSQL 数据库（一个事务：逐表行数相同、检查通过才提交）
    #[command(
        name = "migrate-to",
        after_help = "示例：\n  \
        jianguan migrate-to postgres://jianguan@db.example/jianguan --from /srv/jianguan/jianguan.db\n\n\
        源库先经 jianguan check 检查；迁移时其他人可照常使用源库，但迁移开始后的修改不会带过去，\n\
        因此请在大家停止写入后运行。目标库由数据库管理员建好（createdb），须为空。"
    )]
    MigrateTo(migrate_to::MigrateToArgs),
    /// 打印 PostgreSQL 角色脚本（仅平台管理员）：每个账号一个同名登录角色，按 jianguan 角色分组授权，行级安全由数据库执行
    #[command(
        name = "pg-roles",
        after_help = "示例：\n  \
        jianguan --db postgres://管理员@主机/库名 pg-roles > 角色.sql\n  \
        psql postgres://管理员@主机/库名 -f 角色.sql\n\n\
        之后每人用自己的角色连接：jianguan --db postgres://登录名@主机/库名。\n\
        账号增减或角色变动后请重新生成并执行。"
    )]
    PgRoles,
    /// 服务器模式（root 运行）：建立数据组、共享目录和数据库，写 /etc/jianguan.toml，使本程序 setgid
    #[command(name = "server-setup")]
    ServerSetup(server_setup::ServerSetupArgs),
}

/// Everything a command needs: the options, the OS login.
pub struct Context {
    pub db: PathBuf,
    pub network_db: bool,
    pub as_login: Option<String>,
    pub json: bool,
    pub login: String,
    /// `--db` (or JIANGUAN_DB) was given.
    pub db_given: bool,
}

impl Context {
    /// The database as messages show it: a file's path, or a PostgreSQL
    /// URL without its password.
    pub fn db_shown(&self) -> String {
        match store::postgres::url_of(&self.db) {
            Some(url) => store::postgres::shown(url),
            None => self.db.display().to_string(),
        }
    }

    /// The database, after checking that a login given with `--as` is an
    /// account one may act as (an unknown one is a usage error).
    pub fn open(&self) -> anyhow::Result<Store> {
        let store = self.open_store()?;
        if self.as_login.is_some() {
            match self.actor(&store) {
                Ok(_) => {}
                Err(e @ AppError::UnknownLogin { .. }) => {
                    return Err(usage::UsageError(e.to_string()).into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(store)
    }

    fn open_store(&self) -> Result<Store, StoreError> {
        let store = store::open(
            &self.db,
            &OpenOptions {
                create: false,
                allow_network_fs: self.network_db,
            },
        )?;
        if let Some(fs) = store.network_filesystem() {
            eprintln!("警告：数据库位于网络文件系统（{fs}）上，已改用回滚日志模式");
        }
        Ok(store)
    }

    /// The account of the OS user (and `--as`), for writes.
    pub fn actor(&self, store: &Store) -> Result<Actor, AppError> {
        Actor::resolve(store, &self.login, self.as_login.as_deref())
    }
}

/// A unit named on the command line: “市场监督管理局” (a city unit) or
/// “金水区市场监督管理局”; an ambiguous name lists the candidates.
pub fn resolve_unit(store: &Store, name: &str) -> anyhow::Result<crate::domain::Unit> {
    let units = store::units::find_units(store.conn(), name)?;
    match units.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            anyhow::bail!("没有名为“{name}”的单位（可写“市场监督管理局”或“金水区市场监督管理局”）")
        }
        many => {
            // A bare name means the city's own unit when one exists.
            if let Some(city) = many
                .iter()
                .find(|u| u.region_level == crate::domain::Level::City)
            {
                return Ok(city.clone());
            }
            anyhow::bail!(
                "“{name}”对应多个单位：{}；请写出带区划的全称",
                many.iter()
                    .map(|u| u.full_name())
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
    }
}

/// The OS login of this process (the SSH user): the name in the passwd
/// entry of the real uid, never `$USER` or `$LOGNAME`, which anyone sets.
pub fn real_login() -> anyhow::Result<String> {
    // In a user namespace (`unshare -U --map-user=…`) any uid can be made to
    // look like another's: who this is cannot be known there.
    if let Ok(map) = std::fs::read_to_string("/proc/self/uid_map")
        && map.split_whitespace().collect::<Vec<_>>() != ["0", "0", "4294967295"]
    {
        anyhow::bail!(
            "jianguan 在用户命名空间中运行（uid 映射：{}），无法确认你是谁，未作任何操作：请在服务器的登录会话中直接运行",
            map.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => Ok(user.name),
        _ => anyhow::bail!(
            "当前系统用户（uid {uid}）在系统用户表（/etc/passwd 或目录服务）中没有条目，无法确定你是谁，未作任何操作：请联系服务器管理员为 uid {uid} 建立系统账号（useradd），再用该账号登录运行 jianguan"
        ),
    }
}

/// `real_login`, for callers after `run` has checked that there is one.
pub fn os_login() -> String {
    real_login().unwrap_or_default()
}

/// An error and its causes, each cause once: most messages already quote
/// the cause they wrap.
fn error_text(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push('：');
            text.push_str(&cause);
        }
    }
    text
}

/// Where the database lives when `--db` is not given.
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("cn", "jianguan", "jianguan")
        .map(|d| d.data_dir().join("jianguan.db"))
        .unwrap_or_else(|| PathBuf::from("jianguan.db"))
}

pub fn run() -> ExitCode {
    let cli = match usage::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let login = match real_login() {
        Ok(login) => login,
        Err(e) => {
            eprintln!("错误：{}", output::plain_text(&error_text(&e)));
            return ExitCode::from(1);
        }
    };
    // Says now, before any screen is drawn, when a test switch is ignored.
    crate::app::now();
    if cli.no_color {
        crate::tui::theme::disable_colour();
    }
    let explicit_db = cli.db.is_some();
    let server_db = crate::privilege::server_db();
    // A setgid binary whose configuration was refused: the default must
    // not quietly become a private (demo) file the operator then works in.
    if !explicit_db
        && server_db.is_none()
        && crate::privilege::started_setgid()
        && !matches!(cli.command, Some(Command::ServerSetup(_)))
    {
        eprintln!(
            "错误：没有打开任何数据库：服务器配置不可信（见上一行），请联系管理员修正；\
             在此之前，可以用 --db 指定你自己的数据库文件"
        );
        return ExitCode::from(1);
    }
    let ctx = Context {
        db: cli
            .db
            .or_else(|| server_db.map(Path::to_path_buf))
            .unwrap_or_else(default_db_path),
        network_db: cli.network_db,
        as_login: cli.as_login,
        json: cli.json,
        login,
        db_given: explicit_db,
    };
    // The first-run demo is for a private default file, never the server's.
    let first_run_default = !explicit_db && server_db.is_none();
    // A command says on standard error when a write waits for another's;
    // the TUI says it on its status line (`tui::run`).
    if cli.command.is_some() {
        crate::store::waiting::on_wait(|| {
            eprintln!("正在等待其他人的写入完成（最多 15 秒）……");
        });
    }
    let result = match cli.command {
        Some(Command::Init(args)) => init::run(&ctx, &args),
        Some(Command::Whoami) => whoami::run(&ctx),
        Some(Command::Unit(cmd)) => unit::run(&ctx, cmd),
        Some(Command::Account(cmd)) => account::run(&ctx, cmd),
        Some(Command::Milestone(cmd)) => milestone::run(&ctx, cmd),
        Some(Command::Check(args)) => check::run(&ctx, &args),
        Some(Command::Import(cmd)) => import::run(&ctx, cmd),
        Some(Command::Export(cmd)) => export::run(&ctx, cmd),
        Some(Command::Search(args)) => search::run(&ctx, &args),
        Some(Command::Claim(args)) => claim::run(&ctx, &args),
        Some(Command::Checklist(cmd)) => checklist::run(&ctx, &cmd),
        Some(Command::Basis(cmd)) => basis::run(&ctx, &cmd),
        Some(Command::Local(cmd)) => local::run_local(&ctx, &cmd),
        Some(Command::Review(cmd)) => local::run_review(&ctx, &cmd),
        Some(Command::Progress(args)) => standings::run(&ctx, &args),
        Some(Command::Backup(args)) => backup::run(&ctx, &args),
        Some(Command::ServerSetup(args)) => server_setup::run(&ctx, &args),
        Some(Command::MigrateTo(args)) => migrate_to::run(&ctx, &args),
        Some(Command::PgRoles) => pg_roles::run(&ctx),
        None => whoami::overview(&ctx, first_run_default),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.is::<usage::UsageError>() => {
            eprintln!("错误：{}", output::plain_text(&error_text(&e)));
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("错误：{}", output::plain_text(&error_text(&e)));
            ExitCode::from(1)
        }
    }
}
