//! Services: the only way data changes. Each use case is one function that,
//! in one `BEGIN IMMEDIATE` transaction, re-reads the actor, checks the
//! permission, validates with `domain/`, writes with `store/`, and appends a
//! change-log row. The TUI, the CLI and imports all call these.

pub mod accounts;
pub mod bases;
pub mod check;
pub mod checklists;
pub mod claims;
pub mod export;
pub mod generate;
pub mod import;
pub mod init;
pub mod local_items;
pub mod logins;
pub mod migrate;
pub mod milestones;
pub mod progress;
pub mod suggest;
pub mod units;
pub mod views;

use crate::domain::permission::{ActorCtx, Denied, WriteAction, authorize};
use crate::domain::{Account, FieldError, Id, Role, Timestamp};
use crate::store::Connection;
use crate::store::changelog::{self, NewEntry};
use crate::store::{self, Conflict, Store, StoreError};
use serde::Serialize;

/// Who is writing: the logged-in account, and the account it acts for when a
/// platform_admin uses `--as`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub real: Account,
    pub acting_as: Option<Account>,
}

impl Actor {
    /// The account whose permissions apply.
    pub fn effective(&self) -> &Account {
        self.acting_as.as_ref().unwrap_or(&self.real)
    }

    /// Finds the account of an OS login, and the `--as` account if given.
    /// A login after `--as` that names no account is `UnknownLogin`, with
    /// the closest ones (for a platform_admin only: nobody else may use
    /// `--as`, nor read the list of accounts).
    pub fn resolve(store: &Store, login: &str, as_login: Option<&str>) -> Result<Actor, AppError> {
        let login = &database_login(store, login)?;
        let conn = store.conn();
        let real = store::accounts::by_login(conn, login)?.filter(|a| a.active);
        let Some(real) = real else {
            return Err(match as_login {
                Some(_) => AppError::Denied(Denied(format!(
                    "--as 仅供平台管理员使用，系统用户“{login}”没有 jianguan 账号"
                ))),
                None => AppError::NoAccount(login.to_string()),
            });
        };
        let acting_as = match as_login.map(str::trim) {
            None => None,
            Some(other) if other == login => None,
            Some(other) => {
                if real.role != Role::PlatformAdmin {
                    return Err(AppError::Denied(Denied(format!(
                        "--as 仅供平台管理员使用，{}的角色是{}",
                        real.login,
                        real.role.label()
                    ))));
                }
                match store::accounts::by_login(conn, other)? {
                    Some(a) if a.active => Some(a),
                    Some(a) => {
                        return Err(AppError::Invalid(format!(
                            "账号“{}”（{}）已停用，不能以其身份操作",
                            a.login, a.name
                        )));
                    }
                    None => return Err(unknown_login(store, other)?),
                }
            }
        };
        Ok(Actor { real, acting_as })
    }
}

/// Whose account a session is. A file's is the OS login's; on PostgreSQL
/// it is the role the database let in (the roles are the boundary
/// there), except for the administrator's own session — a superuser or
/// the tables' owner — which takes the OS login's as a file would.
fn database_login(store: &Store, os_login: &str) -> Result<String, AppError> {
    if !store.is_postgres() {
        return Ok(os_login.to_string());
    }
    // An account named like the owner or a superuser never takes over
    // that session (a county admin could otherwise name one so).
    let (role, bypasses) = store::postgres::session(store.conn())?;
    if bypasses {
        return Ok(os_login.to_string());
    }
    Ok(role)
}

/// `UnknownLogin` for `typed`, naming the closest accounts with their
/// names, units and roles.
fn unknown_login(store: &Store, typed: &str) -> Result<AppError, AppError> {
    let conn = store.conn();
    let accounts = store::accounts::list(conn)?;
    let mut closest = Vec::new();
    for a in logins::closest(typed, &accounts) {
        let unit = store::units::unit(conn, a.unit_id)?.full_name();
        closest.push(format!(
            "{}（{}，{}，{}）",
            a.login,
            a.name,
            unit,
            a.role.label()
        ));
    }
    Ok(AppError::UnknownLogin {
        login: typed.to_string(),
        closest,
    })
}

fn unknown_login_text(login: &str, closest: &[String]) -> String {
    let near = if closest.is_empty() {
        "也没有相近的登录名".to_string()
    } else {
        format!("相近的有：{}", closest.join("、"))
    };
    format!(
        "没有登录名为“{login}”的账号（--as {login}），{near}。jianguan account list 列出全部账号"
    )
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"))]
    InvalidFields(Vec<FieldError>),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(Box<Conflict>),
    #[error(
        "系统用户“{0}”没有 jianguan 账号：可以浏览和搜索，但不能修改。请联系平台管理员（市大数据管理局）或本县（市、区）的县级管理员创建账号"
    )]
    NoAccount(String),
    /// `--as` named no account.
    #[error("{}", unknown_login_text(.login, .closest))]
    UnknownLogin { login: String, closest: Vec<String> },
    #[error("{0}")]
    Store(StoreError),
    #[error(
        "文件中有 {} 处问题，未导入任何内容（修改后重新导入，或加 --skip-bad-rows 只导入无误的行）",
        .0.rejected.len() + .0.conflicts.len()
    )]
    Rejected(Box<import::ImportReport>),
    #[error(transparent)]
    Read(#[from] crate::xlsx::ReadError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => AppError::Conflict(c),
            other => AppError::Store(other),
        }
    }
}

impl From<store::db::Error> for AppError {
    fn from(e: store::db::Error) -> Self {
        AppError::Store(StoreError::from(e))
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Store(StoreError::from(e))
    }
}

/// The current time; `JIANGUAN_NOW` (a time as `parse_time` reads it)
/// overrides it, for demos and tests of deadlines — in debug builds only,
/// and never with the data group's privilege: there it would let anyone
/// backdate their writes.
pub fn now() -> Timestamp {
    if let Some(t) = test_clock() {
        return t;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// When a write happens: the database server's clock where there is one
/// (PostgreSQL), else this machine's; `JIANGUAN_NOW` as `now` allows.
fn write_time(tx: &store::Connection) -> Result<Timestamp, AppError> {
    if let Some(t) = test_clock() {
        return Ok(t);
    }
    Ok(tx
        .server_clock()
        .map_err(StoreError::from)?
        .unwrap_or_else(now))
}

fn test_clock() -> Option<Timestamp> {
    let s = std::env::var("JIANGUAN_NOW").ok()?;
    if !cfg!(debug_assertions) || crate::privilege::started_setgid() {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            let why = if cfg!(debug_assertions) {
                "以数据组权限运行时"
            } else {
                "正式版本"
            };
            eprintln!("提示：{why}不使用测试用的环境变量 JIANGUAN_NOW，时间按系统时钟记录");
        });
        return None;
    }
    crate::domain::parse_time(&s).ok()
}

/// A write in progress: the transaction, the re-read actor, and the time.
pub(crate) struct Write<'t> {
    pub tx: &'t Connection,
    pub actor: ActorCtx,
    real_id: Id,
    acting_as: Option<Id>,
    pub at: Timestamp,
}

impl Write<'_> {
    /// Refuses the write unless the actor may do `action`.
    pub fn authorize(&self, action: WriteAction) -> Result<(), AppError> {
        Ok(authorize(&self.actor, action)?)
    }

    /// Appends the change-log row of this write; returns its id.
    pub fn log<B: Serialize, A: Serialize>(
        &self,
        action: &str,
        entity: &str,
        entity_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<Id, AppError> {
        let before = before.map(to_json).transpose()?;
        let after = after.map(to_json).transpose()?;
        changelog::append(
            self.tx,
            &NewEntry {
                at: self.at,
                account_id: Some(self.real_id),
                acting_as: self.acting_as,
                action,
                entity,
                entity_id: &entity_id.to_string(),
                before: before.as_deref(),
                after: after.as_deref(),
            },
        )
        .map_err(AppError::from)
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Invalid(format!("无法记录操作：{e}")))
}

/// Runs a use case in one `BEGIN IMMEDIATE` transaction. The actor is read
/// again inside it, so a deactivated account or a changed role takes effect
/// at once, and `--as` is allowed only while the real account is still a
/// platform_admin.
pub(crate) fn write<T>(
    store: &mut Store,
    actor: &Actor,
    f: impl FnOnce(&Write<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    write_or_roll_back(store, actor, true, f)
}

/// `write`, or with `commit == false` a dry run rolled back at the end.
pub(crate) fn write_or_roll_back<T>(
    store: &mut Store,
    actor: &Actor,
    commit: bool,
    f: impl FnOnce(&Write<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    store.transaction(commit, |tx| {
        let real = store::accounts::actor_ctx(tx, actor.real.id)
            .map_err(|_| AppError::NoAccount(actor.real.login.clone()))?;
        let (ctx, acting_as) = match &actor.acting_as {
            None => (real, None),
            Some(other) => {
                if real.role != Role::PlatformAdmin {
                    return Err(AppError::Denied(Denied("--as 仅供平台管理员使用".into())));
                }
                let ctx = store::accounts::actor_ctx(tx, other.id)
                    .map_err(|_| AppError::NoAccount(other.login.clone()))?;
                (ctx, Some(other.id))
            }
        };
        let w = Write {
            tx,
            actor: ctx,
            real_id: actor.real.id,
            acting_as,
            at: write_time(tx)?,
        };
        f(&w)
    })
}
