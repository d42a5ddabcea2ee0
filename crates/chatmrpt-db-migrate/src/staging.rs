//! The staging table and the COPY text encoding of converted rows.
//!
//! One temporary table (`pg_temp.backfill_stage`) of text columns serves
//! every table: `seq` (the row's index in its batch), then one column per
//! target column (`c00` = primary key, ...), NULL past the table's width. The
//! batch is COPYed in, checked, then moved into the real table with a typed
//! `INSERT ... SELECT ... ON CONFLICT`, so a row already in PostgreSQL is
//! never overwritten and a conflict never fails the COPY. Values reach the
//! stage in an exact text form: timestamps as ISO text with an explicit
//! `+00` offset, doubles in Rust's shortest round-trip form (PostgreSQL's
//! `float8in` reads them back to the same bits), booleans as `t`/`f`.

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::catalog::MAX_COLUMNS;
use crate::convert::Cell;
use crate::prepare::{Batch, cells_of};
use crate::source::SourceTable;
use chatmrpt_db_core::LegacyZone;

diesel::table! {
    /// The per-connection staging table (see the module docs).
    pg_temp.backfill_stage (seq) {
        seq -> BigInt,
        c00 -> Nullable<Text>,
        c01 -> Nullable<Text>,
        c02 -> Nullable<Text>,
        c03 -> Nullable<Text>,
        c04 -> Nullable<Text>,
        c05 -> Nullable<Text>,
        c06 -> Nullable<Text>,
        c07 -> Nullable<Text>,
        c08 -> Nullable<Text>,
        c09 -> Nullable<Text>,
        c10 -> Nullable<Text>,
        c11 -> Nullable<Text>,
        c12 -> Nullable<Text>,
        c13 -> Nullable<Text>,
        c14 -> Nullable<Text>,
        c15 -> Nullable<Text>,
        c16 -> Nullable<Text>,
        c17 -> Nullable<Text>,
    }
}

/// Creates the staging table for this connection (rows vanish at commit).
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn create(conn: &mut PgConnection) -> QueryResult<()> {
    let columns: Vec<String> = (0..MAX_COLUMNS)
        .map(|i| format!("{} text", column(i)))
        .collect();
    diesel::sql_query(format!(
        "CREATE TEMP TABLE IF NOT EXISTS backfill_stage (seq bigint NOT NULL, {}) ON COMMIT DELETE ROWS",
        columns.join(", ")
    ))
    .execute(conn)
    .map(drop)
}

/// The staging column holding target column `index`.
pub(crate) fn column(index: usize) -> String {
    format!("c{index:02}")
}

/// COPYs pre-encoded rows (see [`staged`]) into the staging table.
///
/// # Errors
///
/// The server's refusal (never expected: every value was validated).
pub(crate) fn copy_in(conn: &mut PgConnection, data: &[u8]) -> QueryResult<usize> {
    diesel::copy_from(backfill_stage::table)
        .from_raw_data(backfill_stage::table, |out| {
            out.write_all(data)
                .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
        })
        .execute(conn)
}

/// Appends one row's cells in COPY text format, tab-separated, one line:
/// the table's own columns, ready for a straight COPY into it. Escaping
/// leaves no raw newline inside a line.
pub(crate) fn encode_cells(out: &mut Vec<u8>, cells: &[Cell<'_>]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        encode_cell(out, cell);
    }
    out.push(b'\n');
}

/// The lines of [`encode_cells`] (each `width` cells wide) as rows of the
/// staging table: `seq` first, NULL padding up to the stage's width.
fn staged(lines: &[u8], seqs: &[usize], width: usize) -> Vec<u8> {
    let padding = MAX_COLUMNS.saturating_sub(width);
    let mut out = Vec::with_capacity(lines.len() + seqs.len() * (12 + 3 * padding));
    for (line, seq) in lines.split(|b| *b == b'\n').zip(seqs) {
        let _ = write!(out, "{seq}\t");
        out.extend_from_slice(line);
        for _ in 0..padding {
            out.extend_from_slice(b"\t\\N");
        }
        out.push(b'\n');
    }
    out
}

/// The staging rows of the good rows of `batch` at `positions` (indexes
/// into its good rows; every one when `None`). A batch encoded in binary
/// for the straight path has its rows converted again and written as text.
///
/// # Errors
///
/// A row that no longer converts (never expected: conversion depends on
/// the row alone).
pub(crate) fn stage_rows(
    t: &SourceTable,
    zone: LegacyZone,
    batch: &Batch,
    positions: Option<&[usize]>,
) -> Result<Vec<u8>, String> {
    let width = crate::catalog::columns(t.table).len();
    if !batch.binary && positions.is_none() {
        return Ok(staged(&batch.copy, &batch.seqs, width));
    }
    let every: Vec<usize>;
    let positions = match positions {
        Some(p) => p,
        None => {
            every = (0..batch.seqs.len()).collect();
            &every
        }
    };
    let mut lines = Vec::new();
    let mut seqs = Vec::with_capacity(positions.len());
    for &i in positions {
        let seq = *batch.seqs.get(i).ok_or("no such row in the batch")?;
        if batch.binary {
            let row = batch.rows.get(seq).ok_or("no such row in the batch")?;
            encode_cells(&mut lines, &cells_of(t, row, zone)?);
        } else {
            lines.extend_from_slice(batch.row(i));
        }
        seqs.push(seq);
    }
    Ok(staged(&lines, &seqs, width))
}

fn encode_cell(out: &mut Vec<u8>, cell: &Cell<'_>) {
    // Writing to a Vec cannot fail.
    match cell {
        Cell::Null => out.extend_from_slice(b"\\N"),
        Cell::Text(text) => escape_text(out, text.as_bytes()),
        Cell::Timestamp(micros) => encode_timestamp(out, *micros),
        Cell::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Cell::BigInt(i) => {
            let _ = write!(out, "{i}");
        }
        Cell::Double(d) if d.is_infinite() => {
            out.extend_from_slice(if *d > 0.0 { b"Infinity" } else { b"-Infinity" });
        }
        // `{}` prints the shortest text that parses back to the same bits.
        Cell::Double(d) => {
            let _ = write!(out, "{d}");
        }
    }
}

/// COPY text escaping: backslash, tab, newline and carriage return.
fn escape_text(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `YYYY-MM-DD HH:MM:SS.ffffff+00`, exact to the microsecond.
fn encode_timestamp(out: &mut Vec<u8>, micros: i64) {
    // The converter only produces instants within years 1..=9999.
    let Some(at) = DateTime::from_timestamp_micros(micros) else {
        out.extend_from_slice(b"\\N");
        return;
    };
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond() / 1_000
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn text_is_escaped_for_copy() {
        let mut out = Vec::new();
        escape_text(&mut out, b"a\\b\tc\nd\re");
        assert_eq!(out, b"a\\\\b\\tc\\nd\\re");
    }

    #[test]
    fn rows_are_padded_to_the_stage_width() {
        let mut lines = Vec::new();
        let cells = [
            Cell::Text(Cow::Borrowed("id")),
            Cell::Bool(true),
            Cell::Null,
            Cell::Double(0.1),
        ];
        encode_cells(&mut lines, &cells);
        encode_cells(
            &mut lines,
            &[
                Cell::Text(Cow::Borrowed("a\nb")),
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
        );
        assert_eq!(lines, b"id\tt\t\\N\t0.1\na\\nb\t\\N\t\\N\t\\N\n");
        let staged = String::from_utf8(staged(&lines, &[7, 9], cells.len())).unwrap();
        let rows: Vec<&str> = staged.lines().collect();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].starts_with("7\tid\tt\t\\N\t0.1\t\\N"), "{staged}");
        assert!(rows[1].starts_with("9\ta\\nb\t\\N"), "{staged}");
        for row in rows {
            assert_eq!(row.matches('\t').count(), MAX_COLUMNS);
        }
    }

    #[test]
    fn timestamps_carry_an_explicit_utc_offset() {
        let mut out = Vec::new();
        encode_timestamp(&mut out, 1_722_160_500_000_001);
        assert_eq!(out, b"2024-07-28 09:55:00.000001+00");
    }
}
