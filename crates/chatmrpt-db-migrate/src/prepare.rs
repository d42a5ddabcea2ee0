//! Turns a batch of source rows into COPY data, in Rust, before anything
//! reaches PostgreSQL: every value is converted and validated here, so the
//! COPY cannot fail on data, and a bad row is set aside instead of sinking
//! its batch.

use std::collections::HashSet;

use crate::catalog;
use crate::convert::{Cell, convert};
use crate::source::{SourceTable, key_bytes};
use crate::staging::encode_cells;
use crate::summary::{Action, ReportEvent};
use crate::value::{LegacyValue, SourceRow};
use chatmrpt_db_core::LegacyZone;

/// A row that cannot be loaded faithfully.
#[derive(Clone, Debug)]
pub(crate) struct Rejection {
    /// Its index in the batch.
    pub index: usize,
    /// The column at fault, if one.
    pub column: Option<&'static str>,
    /// Why.
    pub reason: String,
}

/// A batch read from the source, converted and encoded.
#[derive(Debug)]
pub(crate) struct Batch {
    /// Every row read (the originals of quarantined rows come from here).
    pub rows: Vec<SourceRow>,
    /// The good rows encoded for COPY, the table's own columns in catalog
    /// order: binary tuples ([`crate::binary`], no header) for the straight
    /// path, or text lines ([`crate::staging::encode_cells`]) when every
    /// batch is staged.
    pub copy: Vec<u8>,
    /// Whether `copy` is binary (prepared for the straight path).
    pub binary: bool,
    /// Where each good row ends in `copy`.
    pub ends: Vec<usize>,
    /// The index in `rows` of each good row (its `seq` when staged).
    pub seqs: Vec<usize>,
    /// The values the good rows (in `seqs` order) hold in the key and in
    /// each column a straight COPY must check first
    /// ([`crate::direct::checked_columns`]), by column position.
    pub refs: Vec<(usize, Vec<Option<String>>)>,
    /// The rows refused before loading.
    pub rejected: Vec<Rejection>,
    /// "converted" events of the good rows.
    pub notes: Vec<ReportEvent>,
    /// The rowid of the last row (the resume point once committed).
    pub last_rowid: i64,
    /// The primary key of the last row, when it is storable text.
    pub last_key: Option<String>,
}

impl Batch {
    /// The encoded bytes of the good row at `position` (an index into the
    /// good rows).
    pub(crate) fn row(&self, position: usize) -> &[u8] {
        let start = position.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.copy[start..self.ends[position]]
    }
}

/// The rowid of a read row (always its first value).
pub(crate) fn rowid(row: &SourceRow) -> i64 {
    match row.0.first() {
        Some(LegacyValue::Integer(r)) => *r,
        _ => 0,
    }
}

/// A key as PostgreSQL text, when it can be one (valid UTF-8 without NUL).
pub(crate) fn storable_key(value: &LegacyValue) -> Option<String> {
    value
        .as_text()
        .filter(|k| !k.contains('\0'))
        .map(str::to_owned)
}

/// Converts and encodes `rows`: for the straight path when `straight`
/// (binary tuples, and the values its checks need), else text lines for
/// the stage. Rows whose key is in `duplicates` (held by several rows) are
/// refused, every one of them.
pub(crate) fn prepare(
    t: &SourceTable,
    rows: Vec<SourceRow>,
    duplicates: &HashSet<Vec<u8>>,
    zone: LegacyZone,
    straight: bool,
) -> Batch {
    let mut batch = Batch {
        copy: Vec::with_capacity(
            rows.iter()
                .map(|r| r.0.iter().map(LegacyValue::weight).sum::<usize>())
                .sum(),
        ),
        binary: straight,
        ends: Vec::new(),
        seqs: Vec::new(),
        refs: Vec::new(),
        rejected: Vec::new(),
        notes: Vec::new(),
        last_rowid: rows.last().map_or(0, rowid),
        last_key: rows
            .last()
            .and_then(|r| key_of(t, r))
            .and_then(storable_key),
        rows: Vec::new(),
    };
    let checked = if straight {
        crate::direct::checked_columns(t.table)
    } else {
        Vec::new()
    };
    let mut refs: Vec<Vec<Option<String>>> = vec![Vec::new(); checked.len()];
    for (index, row) in rows.iter().enumerate() {
        match convert_row(t, row, duplicates, zone) {
            Ok((cells, notes)) => {
                if straight {
                    crate::binary::encode_row(&mut batch.copy, &cells);
                } else {
                    encode_cells(&mut batch.copy, &cells);
                }
                batch.ends.push(batch.copy.len());
                batch.seqs.push(index);
                for (values, column) in refs.iter_mut().zip(&checked) {
                    values.push(match cells.get(*column) {
                        Some(Cell::Text(value)) => Some(value.to_string()),
                        _ => None,
                    });
                }
                let key = key_of(t, row).and_then(|k| k.as_text()).map(str::to_owned);
                batch
                    .notes
                    .extend(notes.into_iter().map(|(column, reason)| ReportEvent {
                        table: t.table.name().to_owned(),
                        key: key.clone(),
                        action: Action::Converted,
                        column: Some(column.to_owned()),
                        reason: reason.to_owned(),
                    }));
            }
            Err((column, reason)) => batch.rejected.push(Rejection {
                index,
                column,
                reason,
            }),
        }
    }
    batch.refs = checked.into_iter().zip(refs).collect();
    batch.rows = rows;
    batch
}

/// The cells of a row [`prepare`] found good, converted again (the same
/// cells: conversion depends on nothing else), for the staged path of a
/// batch encoded in binary.
pub(crate) fn cells_of<'a>(
    t: &SourceTable,
    row: &'a SourceRow,
    zone: LegacyZone,
) -> Result<Vec<Cell<'a>>, String> {
    convert_row(t, row, &HashSet::new(), zone)
        .map(|(cells, _)| cells)
        .map_err(|(_, reason)| reason)
}

fn key_of<'a>(t: &SourceTable, row: &'a SourceRow) -> Option<&'a LegacyValue> {
    t.layout[0].and_then(|i| row.0.get(i))
}

type RowResult<'a> =
    Result<(Vec<Cell<'a>>, Vec<(&'static str, &'static str)>), (Option<&'static str>, String)>;

fn convert_row<'a>(
    t: &SourceTable,
    row: &'a SourceRow,
    duplicates: &HashSet<Vec<u8>>,
    zone: LegacyZone,
) -> RowResult<'a> {
    let key_column = Some(t.table.primary_key());
    if key_of(t, row)
        .and_then(key_bytes)
        .is_some_and(|k| duplicates.contains(&k))
    {
        return Err((
            key_column,
            "duplicate primary key (every row holding it is quarantined)".into(),
        ));
    }
    match key_of(t, row) {
        None | Some(LegacyValue::Null) => return Err((key_column, "NULL primary key".into())),
        Some(LegacyValue::Text(_)) => {}
        Some(other) => {
            return Err((
                key_column,
                format!("primary key stored as {}, not text", other.storage_class()),
            ));
        }
    }
    let mut cells = Vec::with_capacity(t.layout.len());
    let mut notes = Vec::new();
    for (column, position) in catalog::columns(t.table).iter().zip(&t.layout) {
        let value = position
            .and_then(|p| row.0.get(p))
            .unwrap_or(&LegacyValue::Null);
        let (cell, note) =
            convert(value, column.kind, zone).map_err(|reason| (Some(column.name), reason))?;
        if let Some(note) = note {
            notes.push((column.name, note));
        }
        cells.push(cell);
    }
    Ok((cells, notes))
}

/// The original bytes of every column of a source row, for quarantine:
/// `[{"column", "storage_class", "hex"}, ...]` (see [`LegacyValue::original_bytes`]).
pub(crate) fn original(t: &SourceTable, row: &SourceRow) -> serde_json::Value {
    let columns = std::iter::once("rowid").chain(t.columns.iter().map(String::as_str));
    columns
        .zip(&row.0)
        .map(|(name, value)| {
            serde_json::json!({
                "column": name,
                "storage_class": value.storage_class(),
                "hex": hex(&value.original_bytes()),
            })
        })
        .collect()
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
