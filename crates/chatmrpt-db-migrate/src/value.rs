//! Values read from the legacy file as SQLite stored them, whatever the
//! declared column type said (SQLite's affinity is only a suggestion).

use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::row::{Field, NamedRow, Row};
use diesel::sql_types::Binary;
use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};

/// One stored value, by its SQLite storage class.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LegacyValue {
    /// SQL NULL.
    Null,
    /// INTEGER.
    Integer(i64),
    /// REAL.
    Real(f64),
    /// TEXT that is valid UTF-8.
    Text(String),
    /// TEXT whose bytes are not valid UTF-8.
    Bytes(Vec<u8>),
    /// BLOB.
    Blob(Vec<u8>),
}

impl LegacyValue {
    /// The storage class, as SQLite's `typeof()` names it.
    pub(crate) fn storage_class(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Integer(_) => "integer",
            Self::Real(_) => "real",
            Self::Text(_) | Self::Bytes(_) => "text",
            Self::Blob(_) => "blob",
        }
    }

    /// The original bytes: text and blob bytes, the decimal text of an
    /// integer, the 8 big-endian IEEE-754 bytes of a real, nothing for NULL.
    pub(crate) fn original_bytes(&self) -> Vec<u8> {
        match self {
            Self::Null => Vec::new(),
            Self::Integer(i) => i.to_string().into_bytes(),
            Self::Real(r) => r.to_bits().to_be_bytes().to_vec(),
            Self::Text(s) => s.as_bytes().to_vec(),
            Self::Bytes(b) | Self::Blob(b) => b.clone(),
        }
    }

    /// About how many bytes the value holds (for batch sizing).
    pub(crate) fn weight(&self) -> usize {
        match self {
            Self::Text(s) => s.len() + 16,
            Self::Bytes(b) | Self::Blob(b) => b.len() + 16,
            _ => 16,
        }
    }

    /// A text value as a key, when it is one: valid UTF-8 TEXT.
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl FromSql<Binary, Sqlite> for LegacyValue {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Ok(match value.value_type() {
            None => Self::Null,
            Some(SqliteType::Long | SqliteType::Integer | SqliteType::SmallInt) => {
                Self::Integer(value.read_long())
            }
            Some(SqliteType::Double | SqliteType::Float) => Self::Real(value.read_double()),
            // Text is read as its raw bytes: invalid UTF-8 must be kept, not replaced.
            Some(SqliteType::Text) => match String::from_utf8(value.read_blob().to_vec()) {
                Ok(text) => Self::Text(text),
                Err(e) => Self::Bytes(e.into_bytes()),
            },
            Some(SqliteType::Binary) => Self::Blob(value.read_blob().to_vec()),
        })
    }

    fn from_nullable_sql(value: Option<SqliteValue<'_, '_, '_>>) -> deserialize::Result<Self> {
        value.map_or(Ok(Self::Null), Self::from_sql)
    }
}

/// A row of any width: every selected column as a [`LegacyValue`].
#[derive(Clone, Debug)]
pub(crate) struct SourceRow(pub Vec<LegacyValue>);

impl QueryableByName<Sqlite> for SourceRow {
    fn build<'a>(row: &impl NamedRow<'a, Sqlite>) -> deserialize::Result<Self> {
        (0..row.field_count())
            .map(|i| {
                let field = Row::get(row, i).ok_or("column index out of range")?;
                <LegacyValue as FromSql<Binary, Sqlite>>::from_nullable_sql(field.value())
            })
            .collect::<deserialize::Result<Vec<_>>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;

    #[test]
    fn every_storage_class_is_read_as_stored() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let rows: Vec<SourceRow> = diesel::sql_query(
            "SELECT NULL, 42, 1.5, 'héllo', CAST(x'ff00fe' AS TEXT), x'0001', 'a' || char(0) || 'b'",
        )
        .load(&mut conn)
        .unwrap();
        assert_eq!(
            rows[0].0,
            vec![
                LegacyValue::Null,
                LegacyValue::Integer(42),
                LegacyValue::Real(1.5),
                LegacyValue::Text("héllo".into()),
                LegacyValue::Bytes(vec![0xff, 0x00, 0xfe]),
                LegacyValue::Blob(vec![0, 1]),
                LegacyValue::Text("a\0b".into()),
            ]
        );
    }

    #[test]
    fn original_bytes_keep_reals_bit_for_bit() {
        let v = LegacyValue::Real(0.1);
        assert_eq!(v.original_bytes(), 0.1f64.to_bits().to_be_bytes().to_vec());
        assert_eq!(LegacyValue::Integer(-7).original_bytes(), b"-7".to_vec());
    }
}
