use super::*;

fn utc(text: &str) -> Timestamp {
    Timestamp::parse_legacy(text).unwrap()
}

fn zone(text: &str) -> LegacyZone {
    text.parse().unwrap()
}

#[test]
fn names_offsets_and_utc_read_back_as_written() {
    for text in ["UTC", "+01:00", "-05:30", "Europe/London", "Africa/Lagos"] {
        assert_eq!(zone(text).to_string(), text);
    }
    assert_eq!(zone("Z"), LegacyZone::UTC);
    for name in ["Etc/UTC", "GMT", "Etc/GMT", "UCT", "Zulu", "Universal"] {
        assert_eq!(zone(name), LegacyZone::UTC, "{name} is UTC by another name");
    }
    assert_eq!(zone("+00:00"), LegacyZone::UTC);
    assert_eq!(zone("-0530").to_string(), "-05:30");
    for bad in [
        "",
        "Mars/Olympus",
        "+25:00",
        "+01:60",
        "01:00",
        "CET-1CEST,M3.5.0",
    ] {
        let err = bad.parse::<LegacyZone>().unwrap_err().to_string();
        assert!(err.contains("IANA"), "{bad}: {err}");
    }
}

#[test]
fn a_named_zone_writes_the_wall_clock_of_each_season() {
    let london = zone("Europe/London");
    // Winter: GMT; summer: BST, one hour ahead.
    assert_eq!(
        london.to_legacy_string(utc("2025-01-15 12:00:00")),
        "2025-01-15 12:00:00"
    );
    assert_eq!(
        london.to_legacy_string(utc("2025-07-15 12:00:00.250000")),
        "2025-07-15 13:00:00.250000"
    );
    assert_eq!(
        zone("-05:30").to_legacy_string(utc("2025-07-15 02:00:00")),
        "2025-07-14 20:30:00"
    );
}

#[test]
fn every_instant_of_a_year_round_trips_except_the_repeated_hour() {
    let paris = zone("Europe/Paris");
    let mut at = utc("2025-01-01 00:00:00");
    let mut ambiguous = 0;
    while at < utc("2026-01-01 00:00:00") {
        let text = paris.to_legacy_string(at);
        let naive = Timestamp::parse_legacy(&text)
            .unwrap()
            .as_datetime()
            .naive_utc();
        let (back, reading) = paris.instant(naive).unwrap();
        match reading {
            LocalReading::Exact => assert_eq!(back, at, "{text}"),
            LocalReading::Ambiguous => {
                ambiguous += 1;
                assert!(back <= at, "{text}: the earlier reading");
            }
            LocalReading::Skipped => panic!("{text}: written text is never skipped"),
        }
        at = at.add_millis(15 * 60 * 1000);
    }
    // 2025-10-26 02:00-03:00 local happens twice: 8 quarter hours written.
    assert_eq!(ambiguous, 8);
}

#[test]
fn a_skipped_time_reads_with_the_offset_before_the_change() {
    let paris = zone("Europe/Paris");
    let naive = Timestamp::parse_legacy("2025-03-30 02:30:00")
        .unwrap()
        .as_datetime()
        .naive_utc();
    let (at, reading) = paris.instant(naive).unwrap();
    assert_eq!(reading, LocalReading::Skipped);
    assert!(reading.note().unwrap().contains("forward"));
    // Before the change Paris is +01:00.
    assert_eq!(at, utc("2025-03-30 01:30:00"));
}

#[test]
fn epoch_numbers_are_instants_whatever_the_zone() {
    let lagos = zone("Africa/Lagos");
    assert_eq!(lagos.parse_stored("0").unwrap(), utc("1970-01-01 00:00:00"));
    assert_eq!(
        lagos.parse_stored("1970-01-01 01:00:00").unwrap(),
        utc("1970-01-01 00:00:00")
    );
    assert!(lagos.parse_legacy("0").is_err());
}
