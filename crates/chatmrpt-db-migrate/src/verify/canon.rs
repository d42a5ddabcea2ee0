//! The canonical form of a row, the same on both sides.
//!
//! Each column, in catalog order, is `0x00` for NULL or `0x01`, a 4-byte
//! big-endian length and the value's PostgreSQL binary send form: text as
//! its UTF-8 bytes, `timestamptz` as big-endian microseconds since
//! 2000-01-01 UTC, boolean as one byte, bigint as 8 big-endian bytes,
//! double as its 8 big-endian IEEE-754 bytes (bit for bit). A row's digest
//! is the SHA-256 of that; a chunk's digest is the SHA-256 of its rows'
//! digests in key order. SHA-256 because it is the same in every process
//! and inside PostgreSQL (`sha256()`), so PostgreSQL digests its own chunks
//! and sends 32 bytes instead of the rows.

use chatmrpt_db_core::Table;
use sha2::{Digest, Sha256};

use crate::catalog::{self, Kind, quote};
use crate::convert::Cell;

/// A SHA-256 digest.
pub(crate) type Hash = [u8; 32];

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// Appends the canonical form of one value.
pub(crate) fn encode(out: &mut Vec<u8>, cell: &Cell<'_>) {
    let mut value = |bytes: &[u8]| {
        out.push(1);
        out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    match cell {
        Cell::Null => out.push(0),
        Cell::Text(t) => value(t.as_bytes()),
        Cell::Timestamp(m) => value(&(m - PG_EPOCH_MICROS).to_be_bytes()),
        Cell::Bool(b) => value(&[u8::from(*b)]),
        Cell::BigInt(i) => value(&i.to_be_bytes()),
        Cell::Double(d) => value(&d.to_bits().to_be_bytes()),
    }
}

/// The digest of a row given as its cells.
pub(crate) fn row_digest(cells: &[Cell<'_>], buffer: &mut Vec<u8>) -> Hash {
    buffer.clear();
    for cell in cells {
        encode(buffer, cell);
    }
    Sha256::digest(buffer.as_slice()).into()
}

/// The digest of a chunk: SHA-256 over its rows' digests in key order.
pub(crate) fn chunk_digest<'a>(rows: impl Iterator<Item = &'a Hash>) -> Hash {
    let mut hasher = Sha256::new();
    for digest in rows {
        hasher.update(digest);
    }
    hasher.finalize().into()
}

/// The same canonical form computed by PostgreSQL, for `t` aliased `t`.
pub(crate) fn pg_row_expression(table: Table) -> String {
    let parts: Vec<String> = catalog::columns(table)
        .iter()
        .map(|c| {
            let col = format!("t.{}", quote(c.name));
            let send = match c.kind {
                Kind::Text => "textsend",
                Kind::Timestamp => "timestamptz_send",
                Kind::Bool => "boolsend",
                Kind::BigInt => "int8send",
                Kind::Double => "float8send",
            };
            let x = format!("{send}({col})");
            format!(r"CASE WHEN {col} IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || int4send(octet_length({x})) || {x} END")
        })
        .collect();
    parts.join(" || ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn encoding_is_tagged_and_length_prefixed() {
        let mut out = Vec::new();
        encode(&mut out, &Cell::Null);
        encode(&mut out, &Cell::Text(Cow::Borrowed("ab")));
        encode(&mut out, &Cell::Bool(true));
        assert_eq!(out, vec![0, 1, 0, 0, 0, 2, b'a', b'b', 1, 0, 0, 0, 1, 1]);
        let mut ts = Vec::new();
        encode(&mut ts, &Cell::Timestamp(PG_EPOCH_MICROS + 1));
        assert_eq!(ts, vec![1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn chunk_digest_of_nothing_is_sha256_of_nothing() {
        let empty: Hash = Sha256::digest([]).into();
        assert_eq!(chunk_digest(std::iter::empty()), empty);
    }
}
