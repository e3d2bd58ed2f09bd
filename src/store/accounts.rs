//! Accounts (账号).

use super::db::{Connection, OptionalExtension, params};
use super::{Conflict, ConflictRow, StoreError, key};
use crate::domain::permission::ActorCtx;
use crate::domain::{Account, Id, NewAccount, Role, Timestamp};

pub fn insert_account(conn: &Connection, a: &NewAccount, at: Timestamp) -> Result<Id, StoreError> {
    Ok(conn.insert(
        "INSERT INTO accounts (login, name, unit_id, office_post, mobile, role, is_liaison,
                               created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            a.login,
            a.name,
            a.unit_id,
            a.office_post,
            a.mobile,
            a.role.key(),
            a.is_liaison,
            at
        ],
    )?)
}

const COLUMNS: &str = "id, login, name, unit_id, office_post, mobile, role, is_liaison, active, version FROM accounts";

fn from_row(r: &super::db::Row<'_>) -> super::db::Result<Account> {
    Ok(Account {
        id: r.get(0)?,
        login: r.get(1)?,
        name: r.get(2)?,
        unit_id: r.get(3)?,
        office_post: r.get(4)?,
        mobile: r.get(5)?,
        role: key(r, 6)?,
        is_liaison: r.get(7)?,
        active: r.get(8)?,
        version: r.get(9)?,
    })
}

pub fn by_login(conn: &Connection, login: &str) -> Result<Option<Account>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} WHERE login = ?1"),
            [login],
            from_row,
        )
        .optional()?)
}

pub fn by_id(conn: &Connection, id: Id) -> Result<Account, StoreError> {
    conn.query_row(&format!("SELECT {COLUMNS} WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("账号（编号 {id}）")))
}

pub fn list(conn: &Connection) -> Result<Vec<Account>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.login, a.name, a.unit_id, a.office_post, a.mobile, a.role, a.is_liaison,
                a.active, a.version
         FROM accounts a JOIN units u ON u.id = a.unit_id JOIN regions r ON r.id = u.region_id
         ORDER BY r.code, a.unit_id, a.is_liaison DESC, a.id",
    )?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count_by_role(conn: &Connection, role: Role) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM accounts WHERE role = ?1 AND active = 1",
        [role.key()],
        |r| r.get(0),
    )?)
}

/// What permission checks need of an account, read in the caller's
/// transaction.
pub fn actor_ctx(conn: &Connection, account_id: Id) -> Result<ActorCtx, StoreError> {
    conn.query_row(
        "SELECT a.id, a.role, a.unit_id, u.region_id, r.level
         FROM accounts a JOIN units u ON u.id = a.unit_id JOIN regions r ON r.id = u.region_id
         WHERE a.id = ?1 AND a.active = 1",
        [account_id],
        |r| {
            Ok(ActorCtx {
                account_id: r.get(0)?,
                role: key(r, 1)?,
                unit_id: r.get(2)?,
                unit_region_id: r.get(3)?,
                unit_level: key(r, 4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("有效账号（编号 {account_id}），可能已停用")))
}

/// Who saved something: “郑州市市场监督管理局 张三”.
pub fn describe(conn: &Connection, account_id: Id) -> Result<String, StoreError> {
    let account = by_id(conn, account_id)?;
    let unit = super::units::unit(conn, account.unit_id)?;
    Ok(format!("{} {}", unit.full_name(), account.name))
}

/// Compare-and-swap update of the editable fields.
pub fn update(
    conn: &Connection,
    a: &Account,
    expected_version: i64,
    by: Id,
    at: Timestamp,
) -> Result<Account, StoreError> {
    let n = conn.execute(
        "UPDATE accounts SET name = ?2, unit_id = ?3, office_post = ?4, mobile = ?5, role = ?6,
                is_liaison = ?7, active = ?8, version = version + 1, updated_at = ?10,
                updated_by = ?11
         WHERE id = ?1 AND version = ?9",
        params![
            a.id,
            a.name,
            a.unit_id,
            a.office_post,
            a.mobile,
            a.role.key(),
            a.is_liaison,
            a.active,
            expected_version,
            at,
            by
        ],
    )?;
    let current = by_id(conn, a.id)?;
    if n == 0 {
        let (saved_at, saved_by): (i64, Option<Id>) = conn.query_row(
            "SELECT updated_at, updated_by FROM accounts WHERE id = ?1",
            [a.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        return Err(StoreError::Conflict(Box::new(Conflict {
            expected_version,
            saved_by: match saved_by {
                Some(id) => describe(conn, id)?,
                None => "另一位管理员".into(),
            },
            saved_at,
            current: ConflictRow::Account(Box::new(current)),
        })));
    }
    Ok(current)
}

/// A unit, since when it has an active 管理员, since when a 联络人.
pub type Staffing = (Id, Option<i64>, Option<i64>);

/// When each unit got its first active 管理员 (an operator or county
/// admin) and its first active 联络人, as far as `at`.
pub fn unit_staffing(
    conn: &Connection,
    at: crate::domain::Timestamp,
) -> Result<Vec<Staffing>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT unit_id,
                min(CASE WHEN role IN ('operator', 'county_admin') THEN created_at END),
                min(CASE WHEN is_liaison = 1 THEN created_at END)
         FROM accounts WHERE active = 1 AND created_at <= ?1 GROUP BY unit_id",
    )?;
    let rows = stmt.query_map([at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
