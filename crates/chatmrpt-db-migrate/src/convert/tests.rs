use super::*;

fn ok(value: LegacyValue, kind: Kind) -> Cell<'static> {
    let (cell, _) = convert(&value, kind, LegacyZone::UTC).unwrap();
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
    convert(&value, kind, LegacyZone::UTC).unwrap_err()
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
    let zone: LegacyZone = "+01:00".parse().unwrap();
    let value = LegacyValue::Text("2025-07-28 10:00:00".into());
    let (cell, _) = convert(&value, Kind::Timestamp, zone).unwrap();
    assert_eq!(cell, Cell::Timestamp(micros("2025-07-28 09:00:00")));
}

#[test]
fn a_named_zone_reads_each_season_and_notes_the_repeated_hour() {
    let paris: LegacyZone = "Europe/Paris".parse().unwrap();
    let read = |text: &str| match convert(&LegacyValue::Text(text.into()), Kind::Timestamp, paris) {
        Ok((Cell::Timestamp(at), note)) => (at, note),
        other => panic!("{text}: {other:?}"),
    };
    // Winter +01:00, summer +02:00.
    assert_eq!(
        read("2025-01-15 10:00:00"),
        (micros("2025-01-15 09:00:00"), None)
    );
    assert_eq!(
        read("2025-07-15 10:00:00"),
        (micros("2025-07-15 08:00:00"), None)
    );
    // 02:30 on 2025-10-26 happened twice: the first (+02:00), with a note.
    let (at, note) = read("2025-10-26 02:30:00");
    assert_eq!(at, micros("2025-10-26 00:30:00"));
    assert!(note.unwrap().contains("repeated"), "{note:?}");
}

#[test]
fn epoch_numbers_are_timestamps_with_a_note() {
    let (cell, note) = convert(
        &LegacyValue::Integer(1_722_160_500),
        Kind::Timestamp,
        LegacyZone::UTC,
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
            LegacyZone::UTC
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

mod properties {
    //! The legacy value parsers never panic, whatever the bytes, and every
    //! value the legacy application can write comes back exactly.
    use proptest::prelude::*;

    use super::super::*;

    const KINDS: [Kind; 5] = [
        Kind::Text,
        Kind::Timestamp,
        Kind::Bool,
        Kind::BigInt,
        Kind::Double,
    ];

    fn legacy_text(bytes: Vec<u8>) -> LegacyValue {
        match String::from_utf8(bytes) {
            Ok(text) => LegacyValue::Text(text),
            Err(e) => LegacyValue::Bytes(e.into_bytes()),
        }
    }

    fn any_value() -> impl Strategy<Value = LegacyValue> {
        prop_oneof![
            Just(LegacyValue::Null),
            any::<i64>().prop_map(LegacyValue::Integer),
            any::<f64>().prop_map(LegacyValue::Real),
            proptest::collection::vec(any::<u8>(), 0..64).prop_map(legacy_text),
            "[0-9 :.TZ+-]{0,40}".prop_map(LegacyValue::Text),
            proptest::collection::vec(any::<u8>(), 0..32).prop_map(LegacyValue::Blob),
        ]
    }

    /// Microseconds in the range the legacy text can hold (years 1..=9999).
    fn legacy_micros() -> impl Strategy<Value = i64> {
        -62_135_596_800_000_000_i64..253_402_300_799_999_999_i64
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn conversion_never_panics_and_never_echoes_the_value(value in any_value()) {
            for kind in KINDS {
                for zone in [LegacyZone::UTC, "+01:00".parse().unwrap(), "-05:30".parse().unwrap()] {
                    if let Err(reason) = convert(&value, kind, zone) {
                        // A refusal names the problem, never user text.
                        if let LegacyValue::Text(t) = &value {
                            if t.len() > 12 {
                                prop_assert!(!reason.contains(t.as_str()), "{reason}");
                            }
                        }
                    }
                }
            }
        }

        #[test]
        fn timestamps_written_by_the_legacy_application_round_trip(micros in legacy_micros()) {
            let at = chrono::DateTime::from_timestamp_micros(micros).unwrap();
            let text = Timestamp::from_datetime(at).unwrap().to_legacy_string();
            let value = LegacyValue::Text(text);
            let cell = convert(&value, Kind::Timestamp, LegacyZone::UTC);
            prop_assert_eq!(cell.unwrap().0, Cell::Timestamp(micros));
        }

        #[test]
        fn integers_booleans_and_doubles_round_trip(i in any::<i64>(), b in any::<bool>(), d in any::<f64>()) {
            let (int, flag, real) = (
                LegacyValue::Integer(i),
                LegacyValue::Integer(i64::from(b)),
                LegacyValue::Real(d),
            );
            prop_assert_eq!(convert(&int, Kind::BigInt, LegacyZone::UTC).unwrap().0, Cell::BigInt(i));
            prop_assert_eq!(convert(&flag, Kind::Bool, LegacyZone::UTC).unwrap().0, Cell::Bool(b));
            if d.is_finite() {
                match convert(&real, Kind::Double, LegacyZone::UTC).unwrap().0 {
                    Cell::Double(back) => prop_assert_eq!(back.to_bits(), d.to_bits()),
                    other => prop_assert!(false, "{other:?}"),
                }
            }
        }

        #[test]
        fn text_without_nul_is_kept_byte_for_byte(text in "[^\u{0}]{0,200}") {
            let value = LegacyValue::Text(text.clone());
            let cell = convert(&value, Kind::Text, LegacyZone::UTC);
            prop_assert_eq!(cell.unwrap().0, Cell::Text(Cow::Owned(text)));
        }

        #[test]
        fn core_parsers_never_panic(text in "\\PC{0,60}", bytes in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = Timestamp::parse_legacy(&text);
            let _ = Timestamp::parse_stored(&text);
            let lossy = String::from_utf8_lossy(&bytes);
            let _ = Timestamp::parse_legacy(&lossy);
            let _ = chatmrpt_db_core::JsonText::new(lossy.as_ref()).parse_lenient();
        }
    }
}
