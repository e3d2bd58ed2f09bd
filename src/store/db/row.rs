//! A row of either engine, read column by column as SQLite's value kinds.

use super::{Error, Result, Value, ValueRef};

/// One row of a result.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// The column's value as SQLite sees it: a PostgreSQL integer of any
    /// width, a boolean or a whole NUMERIC (what `sum` of BIGINT returns)
    /// is an Integer; text and bytea are borrowed.
    pub fn get_ref(&self, idx: usize) -> Result<ValueRef<'_>> {
        match self {
            Row::Sqlite(r) => Ok(r.get_ref(idx)?),
            Row::Postgres(r) => super::pg::value_at(r, idx),
        }
    }

    /// The column's value converted to `T`; `I` is always `usize`, there
    /// so that rusqlite's `r.get::<_, T>(i)` reads the same.
    pub fn get<I: RowIndex, T: FromColumn>(&self, idx: I) -> Result<T> {
        let idx = idx.index(self)?;
        T::from_column(self.get_ref(idx)?).map_err(|message| Error::Column {
            index: idx,
            message,
        })
    }

    /// The column's value, owned.
    pub fn value(&self, idx: usize) -> Result<Value> {
        Ok(owned(self.get_ref(idx)?))
    }

    /// How many columns the row has.
    pub fn len(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Postgres(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A column by place, in rusqlite's shape (`r.get::<_, T>(i)`).
pub trait RowIndex {
    fn index(&self, row: &Row<'_>) -> Result<usize>;
}

impl RowIndex for usize {
    fn index(&self, _: &Row<'_>) -> Result<usize> {
        Ok(*self)
    }
}

/// A type a column's value converts to.
pub trait FromColumn: Sized {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String>;
}

fn wrong(v: ValueRef<'_>, want: &str) -> String {
    format!("应为{want}，实为{}", kind(v))
}

fn kind(v: ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "空值",
        ValueRef::Integer(_) => "整数",
        ValueRef::Real(_) => "小数",
        ValueRef::Text(_) => "文本",
        ValueRef::Blob(_) => "二进制",
    }
}

impl FromColumn for i64 {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Integer(i) => Ok(i),
            v => Err(wrong(v, "整数")),
        }
    }
}

macro_rules! narrow {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
                let i = i64::from_column(v)?;
                <$t>::try_from(i).map_err(|_| format!("整数 {i} 超出范围"))
            }
        }
    )*};
}
narrow!(i32, u32, u16, u8, usize, u64);

impl FromColumn for bool {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        Ok(i64::from_column(v)? != 0)
    }
}

impl FromColumn for f64 {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(i) => Ok(i as f64),
            v => Err(wrong(v, "数值")),
        }
    }
}

impl FromColumn for String {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).map_err(|e| e.to_string()),
            v => Err(wrong(v, "文本")),
        }
    }
}

impl FromColumn for Vec<u8> {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b.to_vec()),
            v => Err(wrong(v, "二进制")),
        }
    }
}

impl FromColumn for Value {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        Ok(owned(v))
    }
}

impl<T: FromColumn> FromColumn for Option<T> {
    fn from_column(v: ValueRef<'_>) -> Result<Self, String> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::from_column(v).map(Some),
        }
    }
}

/// A value, owned (text that is not UTF-8 is read lossily).
pub fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}
