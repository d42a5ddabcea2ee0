//! Bound-parameter inserts, batched: many rows per statement, every value
//! bound with the storage class Python's `sqlite3` would give it.

use chrono::{Datelike, NaiveDateTime, Timelike};
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Binary, Double, Nullable, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};

use super::FixtureError;

/// A value as Python binds it: `None`, `str`, `int`, `float`, `bytes`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `None` → NULL.
    Null,
    /// `str` → TEXT (a `datetime` too: Python binds `str(datetime)`).
    Text(String),
    /// `int` or `bool` → INTEGER.
    Int(i64),
    /// `float` → REAL.
    Real(f64),
    /// `bytes` → BLOB.
    Blob(Vec<u8>),
    /// Bytes stored as TEXT without UTF-8 validation (`CAST(? AS TEXT)`):
    /// what a non-Python writer or a damaged page can leave behind.
    RawText(Vec<u8>),
}

impl Value {
    /// `str(datetime)`: `YYYY-MM-DD HH:MM:SS`, `.ffffff` only when the
    /// microsecond is not zero.
    pub(crate) fn time(at: NaiveDateTime) -> Self {
        Value::Text(py_datetime(at))
    }

    /// A text value, or NULL.
    pub(crate) fn opt(text: Option<String>) -> Self {
        text.map_or(Value::Null, Value::Text)
    }

    /// A Python bool (an int to sqlite3).
    pub(crate) fn bool(b: bool) -> Self {
        Value::Int(i64::from(b))
    }

    fn placeholder(&self) -> &'static str {
        match self {
            Value::RawText(_) => "CAST(? AS TEXT)",
            _ => "?",
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

/// Python's `str(datetime)`.
pub(crate) fn py_datetime(at: NaiveDateTime) -> String {
    let (date, time) = (at.date(), at.time());
    let seconds = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    match at.nanosecond() / 1_000 {
        0 => seconds,
        micros => format!("{seconds}.{micros:06}"),
    }
}

/// Rows of one table waiting to be written, flushed in multi-row
/// `INSERT ... VALUES (...), (...)` statements.
pub(crate) struct Batch {
    table: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Vec<Value>>,
    rows_per_statement: usize,
    written: u64,
}

impl Batch {
    /// A batch for `table` with `columns` in this order.
    pub(crate) fn new(table: &'static str, columns: Vec<&'static str>) -> Self {
        // SQLite allows 32,766 parameters per statement (3.32+); stay well below.
        let rows_per_statement = (4_000 / columns.len().max(1)).clamp(1, 256);
        Self {
            table,
            columns,
            rows: Vec::with_capacity(rows_per_statement),
            rows_per_statement,
            written: 0,
        }
    }

    /// Queues one row; writes a statement when the batch is full.
    pub(crate) fn push(
        &mut self,
        conn: &mut SqliteConnection,
        row: Vec<Value>,
    ) -> Result<(), FixtureError> {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.rows.push(row);
        if self.rows.len() >= self.rows_per_statement {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes the queued rows; returns the rows written by this batch so far.
    pub(crate) fn finish(mut self, conn: &mut SqliteConnection) -> Result<u64, FixtureError> {
        self.flush(conn)?;
        Ok(self.written)
    }

    fn flush(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let tuples: Vec<String> = rows
            .iter()
            .map(|row| {
                let marks: Vec<&str> = row.iter().map(Value::placeholder).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.columns.join(", "),
            tuples.join(", ")
        );
        let count = rows.len() as u64;
        let mut query = diesel::sql_query(sql).into_boxed::<Sqlite>();
        for value in rows.into_iter().flatten() {
            query = bind(query, value);
        }
        query.execute(conn)?;
        self.written += count;
        self.rows = Vec::with_capacity(self.rows_per_statement);
        Ok(())
    }
}

type Boxed<'f> = diesel::query_builder::BoxedSqlQuery<'f, Sqlite, diesel::query_builder::SqlQuery>;

/// Binds one value with the storage class Python would have used.
pub(crate) fn bind(query: Boxed<'_>, value: Value) -> Boxed<'_> {
    match value {
        Value::Null => query.bind::<Nullable<Text>, _>(None::<String>),
        Value::Text(text) => query.bind::<Text, _>(text),
        Value::Int(i) => query.bind::<BigInt, _>(i),
        Value::Real(f) => query.bind::<Double, _>(f),
        Value::Blob(bytes) | Value::RawText(bytes) => query.bind::<Binary, _>(bytes),
    }
}

/// Inserts one row right away (planted rows, whose rowid the summary names).
pub(crate) fn insert_one(
    conn: &mut SqliteConnection,
    table: &'static str,
    columns: &[&'static str],
    row: Vec<Value>,
) -> Result<i64, FixtureError> {
    let mut batch = Batch::new(table, columns.to_vec());
    batch.push(conn, row)?;
    batch.finish(conn)?;
    last_rowid(conn)
}

/// `last_insert_rowid()` of this connection.
pub(crate) fn last_rowid(conn: &mut SqliteConnection) -> Result<i64, FixtureError> {
    #[derive(diesel::QueryableByName)]
    struct Rowid {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let row: Rowid = diesel::sql_query("SELECT last_insert_rowid() AS id").get_result(conn)?;
    Ok(row.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn datetimes_are_written_like_python_str() {
        let day = NaiveDate::from_ymd_opt(2025, 7, 28).unwrap();
        let whole = day.and_hms_opt(10, 15, 0).unwrap();
        let micro = day.and_hms_micro_opt(10, 15, 0, 1).unwrap();
        assert_eq!(py_datetime(whole), "2025-07-28 10:15:00");
        assert_eq!(py_datetime(micro), "2025-07-28 10:15:00.000001");
    }
}
