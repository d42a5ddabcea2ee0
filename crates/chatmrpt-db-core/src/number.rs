//! Floating-point columns: what every store keeps, and how an outbox
//! payload carries it.
//!
//! Both stores hold IEEE doubles: SQLite's REAL and PostgreSQL's `double
//! precision` keep infinities, and the legacy file holds them (Python's
//! `float('inf')` bound as is). NaN is the exception: SQLite stores it as
//! NULL, so a write with NaN is refused ([`crate::validate::number`]) and
//! the Python drop-in stores it as NULL, as the legacy file does.
//!
//! JSON has no infinity (`serde_json` writes `null`, which would turn into
//! NULL on replay), so records carry their floats through [`opt_f64`]:
//! finite numbers as JSON numbers, infinities as the strings `"Infinity"`
//! and `"-Infinity"`. Payloads written before this accept as before.

/// `#[serde(with = "crate::number::opt_f64")]` for `Option<f64>` fields.
pub mod opt_f64 {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serializes finite values as numbers and infinities as strings.
    ///
    /// # Errors
    ///
    /// The serializer's.
    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) if *v == f64::INFINITY => serializer.serialize_some("Infinity"),
            Some(v) if *v == f64::NEG_INFINITY => serializer.serialize_some("-Infinity"),
            other => other.serialize(serializer),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }

    /// Reads what [`serialize`] wrote (or a plain number).
    ///
    /// # Errors
    ///
    /// A string other than `Infinity`/`-Infinity`, or the deserializer's.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f64>, D::Error> {
        match Option::<Repr>::deserialize(deserializer)? {
            None => Ok(None),
            Some(Repr::Number(v)) => Ok(Some(v)),
            Some(Repr::Text(t)) if t == "Infinity" => Ok(Some(f64::INFINITY)),
            Some(Repr::Text(t)) if t == "-Infinity" => Ok(Some(f64::NEG_INFINITY)),
            Some(Repr::Text(_)) => Err(serde::de::Error::custom(
                "expected a number, \"Infinity\" or \"-Infinity\"",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(default, with = "super::opt_f64")]
        x: Option<f64>,
    }

    #[test]
    fn infinities_survive_a_json_round_trip() {
        for x in [
            None,
            Some(0.1 + 0.2),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(-0.0),
        ] {
            let text = serde_json::to_string(&Row { x }).unwrap();
            let back: Row = serde_json::from_str(&text).unwrap();
            assert_eq!(back.x.map(f64::to_bits), x.map(f64::to_bits), "{text}");
        }
        assert_eq!(
            serde_json::to_string(&Row {
                x: Some(f64::INFINITY)
            })
            .unwrap(),
            r#"{"x":"Infinity"}"#
        );
    }

    #[test]
    fn payloads_without_the_field_or_with_plain_numbers_still_read() {
        let old: Row = serde_json::from_str(r#"{"x": 1.5}"#).unwrap();
        assert_eq!(old.x, Some(1.5));
        let missing: Row = serde_json::from_str("{}").unwrap();
        assert_eq!(missing.x, None);
        assert!(serde_json::from_str::<Row>(r#"{"x": "NaN"}"#).is_err());
    }
}
