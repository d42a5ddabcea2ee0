use super::*;

fn ok(value: LegacyValue, kind: Kind) -> Cell<'static> {
    let (cell, _) = convert(&value, kind, SourceZone::UTC).unwrap();
    match cell {
        Cell::Text(t) => Cell::Text(Cow::Owned(t.into_owned())),
        Cell::Null => Cell::Null,
        Cell::Timestamp(m) => Cell::Timestamp(m),
        Cell::Bool(b) => Cell::Bool(b),
        Cell::BigInt(i) => Cell::BigInt(i),
        Cell::Double(d) => Cell::Double(d),
    }
}

fn refused(value: LegacyValue, kind: Kind) -> String {
    convert(&value, kind, SourceZone::UTC).unwrap_err()
}

fn micros(text: &str) -> i64 {
    Timestamp::parse_legacy(text)
        .unwrap()
        .as_datetime()
        .timestamp_micros()
}

#[test]
fn legacy_timestamps_with_and_without_fraction_are_exact() {
    for text in [
        "2025-07-28 10:15:00",
        "2025-07-28 10:15:00.000001",
        "2025-07-28 10:15:00.5",
    ] {
        assert_eq!(
            ok(LegacyValue::Text(text.into()), Kind::Timestamp),
            Cell::Timestamp(micros(text))
        );
    }
}

#[test]
fn naive_timestamps_are_read_in_the_source_zone() {
    let zone: SourceZone = "+01:00".parse().unwrap();
    let value = LegacyValue::Text("2025-07-28 10:00:00".into());
    let (cell, _) = convert(&value, Kind::Timestamp, zone).unwrap();
    assert_eq!(cell, Cell::Timestamp(micros("2025-07-28 09:00:00")));
    assert_eq!(
        "-05:30".parse::<SourceZone>().unwrap().offset_seconds(),
        -19_800
    );
    assert!("Europe/Paris".parse::<SourceZone>().is_err());
}

#[test]
fn epoch_numbers_are_timestamps_with_a_note() {
    let (cell, note) = convert(
        &LegacyValue::Integer(1_722_160_500),
        Kind::Timestamp,
        SourceZone::UTC,
    )
    .unwrap();
    assert_eq!(cell, Cell::Timestamp(micros("2024-07-28 09:55:00")));
    assert!(note.is_some());
    assert_eq!(
        ok(LegacyValue::Real(1_722_160_500.25), Kind::Timestamp),
        Cell::Timestamp(micros("2024-07-28 09:55:00.25"))
    );
    assert_eq!(
        ok(LegacyValue::Text("1722160500".into()), Kind::Timestamp),
        Cell::Timestamp(micros("2024-07-28 09:55:00"))
    );
}

#[test]
fn garbage_timestamps_are_refused() {
    assert_eq!(
        refused(LegacyValue::Text("yesterday".into()), Kind::Timestamp),
        "unparseable timestamp"
    );
    assert!(
        convert(
            &LegacyValue::Integer(i64::MAX),
            Kind::Timestamp,
            SourceZone::UTC
        )
        .is_err()
    );
}

#[test]
fn booleans_accept_zero_one_and_true_false_text() {
    assert_eq!(ok(LegacyValue::Integer(1), Kind::Bool), Cell::Bool(true));
    assert_eq!(ok(LegacyValue::Integer(0), Kind::Bool), Cell::Bool(false));
    assert_eq!(
        ok(LegacyValue::Text("true".into()), Kind::Bool),
        Cell::Bool(true)
    );
    assert_eq!(
        ok(LegacyValue::Text("False".into()), Kind::Bool),
        Cell::Bool(false)
    );
    refused(LegacyValue::Integer(2), Kind::Bool);
    refused(LegacyValue::Text("yes".into()), Kind::Bool);
}

#[test]
fn integers_must_be_exactly_integral() {
    assert_eq!(ok(LegacyValue::Integer(12), Kind::BigInt), Cell::BigInt(12));
    assert_eq!(ok(LegacyValue::Real(12.0), Kind::BigInt), Cell::BigInt(12));
    assert_eq!(
        ok(LegacyValue::Text("-12".into()), Kind::BigInt),
        Cell::BigInt(-12)
    );
    refused(LegacyValue::Text("12kb".into()), Kind::BigInt);
    refused(LegacyValue::Real(12.5), Kind::BigInt);
    refused(LegacyValue::Real(1e300), Kind::BigInt);
    refused(LegacyValue::Text(" 12".into()), Kind::BigInt);
}

#[test]
fn reals_keep_their_bits() {
    for r in [0.1 + 0.2, 5e-324, f64::MAX, -1.5, 1.0 / 3.0, f64::INFINITY] {
        assert_eq!(ok(LegacyValue::Real(r), Kind::Double), Cell::Double(r));
    }
    assert_eq!(ok(LegacyValue::Integer(3), Kind::Double), Cell::Double(3.0));
    refused(LegacyValue::Integer(i64::MAX), Kind::Double);
    refused(LegacyValue::Text("fast".into()), Kind::Double);
}

#[test]
fn text_must_be_utf8_without_nul_and_not_a_blob() {
    assert_eq!(
        ok(LegacyValue::Text("{'a': 1}".into()), Kind::Text),
        Cell::Text("{'a': 1}".into())
    );
    assert_eq!(
        refused(LegacyValue::Text("a\0b".into()), Kind::Text),
        "NUL byte in text"
    );
    assert_eq!(
        refused(LegacyValue::Bytes(vec![0xff]), Kind::Text),
        "text is not valid UTF-8"
    );
    assert_eq!(
        refused(LegacyValue::Blob(vec![1]), Kind::Text),
        "BLOB in a text column"
    );
    refused(LegacyValue::Real(1.5), Kind::Text);
    assert_eq!(
        ok(LegacyValue::Integer(7), Kind::Text),
        Cell::Text("7".into())
    );
}
