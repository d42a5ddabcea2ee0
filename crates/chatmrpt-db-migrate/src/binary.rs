//! PostgreSQL's binary COPY format, for rows COPYed straight into their
//! table: the server reads each value as the bytes of its type instead of
//! parsing text (a sixth of its work on sessions, BENCHMARKS.md). Every
//! value means exactly what its text form in [`crate::staging`] means:
//! timestamps as microseconds since 2000-01-01 UTC, doubles bit for bit
//! (NaN as PostgreSQL's one NaN, as `float8in` reads "NaN"), text as its
//! UTF-8 bytes.

use chrono::DateTime;

use crate::convert::Cell;

/// The file header: signature, flags (none), header extension length (0).
pub(crate) const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The file trailer: a field count of -1.
pub(crate) const TRAILER: &[u8] = &[0xff, 0xff];

/// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// Appends one tuple: the field count, then each field's length (-1 for
/// NULL) and bytes.
pub(crate) fn encode_row(out: &mut Vec<u8>, cells: &[Cell<'_>]) {
    let count = i16::try_from(cells.len()).unwrap_or(i16::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for cell in cells {
        match cell {
            Cell::Null => null(out),
            Cell::Text(text) => field(out, text.as_bytes()),
            // The converter only produces instants within years 1..=9999;
            // the text form writes NULL for any other, and so does this.
            Cell::Timestamp(micros) if DateTime::from_timestamp_micros(*micros).is_none() => {
                null(out);
            }
            Cell::Timestamp(micros) => field(out, &(micros - PG_EPOCH_MICROS).to_be_bytes()),
            Cell::Bool(b) => field(out, &[u8::from(*b)]),
            Cell::BigInt(i) => field(out, &i.to_be_bytes()),
            Cell::Double(d) => {
                let d = if d.is_nan() { f64::NAN } else { *d };
                field(out, &d.to_bits().to_be_bytes());
            }
        }
    }
}

fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(&(-1_i32).to_be_bytes());
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    // A value is at most SQLite's 1 GB limit, below i32::MAX.
    let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn the_header_is_the_documented_nineteen_bytes() {
        assert_eq!(HEADER.len(), 19);
        assert_eq!(&HEADER[..11], b"PGCOPY\n\xff\r\n\0");
    }

    #[test]
    fn each_type_is_written_as_its_binary_form() {
        let mut out = Vec::new();
        encode_row(
            &mut out,
            &[
                Cell::Text(Cow::Borrowed("ab")),
                Cell::Null,
                Cell::Timestamp(PG_EPOCH_MICROS + 1),
                Cell::Bool(true),
                Cell::BigInt(-2),
                Cell::Double(f64::from_bits(0x7ff8_0000_0000_0001)),
            ],
        );
        let mut expected = vec![0, 6];
        expected.extend([0, 0, 0, 2, b'a', b'b']);
        expected.extend([0xff, 0xff, 0xff, 0xff]);
        expected.extend([0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]);
        expected.extend([0, 0, 0, 1, 1]);
        expected.extend([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
        expected.extend([0, 0, 0, 8, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]);
        assert_eq!(out, expected);
    }
}
