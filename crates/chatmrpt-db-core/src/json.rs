//! The "JSON-ish" legacy columns: kept as exact text, parsed leniently on demand.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The text of a legacy JSON-ish column, byte for byte.
///
/// The legacy application writes `json.dumps(dict)` for dicts but `str(x)`
/// for anything else, so these columns hold JSON, Python reprs (`{'a': 1}`,
/// `True`, `None`), JSON with `NaN`, or JSON string literals. The stores keep
/// the text unchanged; [`JsonText::parse_lenient`] gives a structured view.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonText(String);

/// What [`JsonText::parse_lenient`] made of the text.
#[derive(Clone, Debug, PartialEq)]
pub enum Lenient<'a> {
    /// Valid JSON (with `NaN`/`Infinity` read as `null`).
    Json(Value),
    /// A Python literal (`repr` of a dict, list, str, bool or None), converted.
    Python(Value),
    /// Neither: the raw text.
    Raw(&'a str),
}

impl JsonText {
    /// Keeps `text` exactly as given.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Serialises a value as JSON text, the way `json.dumps` would store it.
    pub fn from_value(value: &Value) -> Self {
        Self(value.to_string())
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stored text, by value.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Parses JSON, then a Python literal, falling back to the raw text.
    pub fn parse_lenient(&self) -> Lenient<'_> {
        if let Ok(value) = serde_json::from_str(&self.0) {
            return Lenient::Json(value);
        }
        let translated = translate(&self.0, false);
        if let Some(value) = translated.and_then(|t| serde_json::from_str(&t).ok()) {
            return Lenient::Json(value);
        }
        let translated = translate(&self.0, true);
        match translated.and_then(|t| serde_json::from_str(&t).ok()) {
            Some(value) => Lenient::Python(value),
            None => Lenient::Raw(&self.0),
        }
    }
}

impl From<String> for JsonText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for JsonText {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

/// Rewrites the tokens JSON lacks into JSON: `NaN`/`Infinity` to `null`, and
/// with `python` also single-quoted strings and `True`/`False`/`None`.
/// Returns `None` when the text has no such token (nothing to retry).
fn translate(text: &str, python: bool) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    let mut changed = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => copy_double_quoted(&mut chars, &mut out),
            '\'' if python => {
                copy_single_quoted(&mut chars, &mut out);
                changed = true;
            }
            c if c.is_ascii_alphabetic() || c == '-' => {
                let mut word = String::from(c);
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphanumeric()) {
                    word.push(n);
                    chars.next();
                }
                let replacement = match word.as_str() {
                    "NaN" | "Infinity" | "-Infinity" => Some("null"),
                    "True" if python => Some("true"),
                    "False" if python => Some("false"),
                    "None" if python => Some("null"),
                    _ => None,
                };
                changed |= replacement.is_some();
                out.push_str(replacement.unwrap_or(&word));
            }
            c => out.push(c),
        }
    }
    changed.then_some(out)
}

fn copy_double_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    out.push('"');
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '\\' => out.extend(chars.next()),
            '"' => return,
            _ => {}
        }
    }
}

fn copy_single_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    out.push('"');
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\'') => out.push('\''),
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => {}
            },
            '"' => out.push_str("\\\""),
            '\'' => break,
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(text: &str) -> Lenient<'_> {
        // Leak is fine in a test: the view borrows the JsonText.
        Box::leak(Box::new(JsonText::new(text))).parse_lenient()
    }

    #[test]
    fn json_parses_as_json() {
        assert_eq!(
            parse(r#"{"a": [1, "x"]}"#),
            Lenient::Json(json!({"a": [1, "x"]}))
        );
        assert_eq!(
            parse(r#""the system prompt""#),
            Lenient::Json(json!("the system prompt"))
        );
    }

    #[test]
    fn nan_inside_json_becomes_null() {
        assert_eq!(
            parse(r#"{"score": NaN, "s": "NaN"}"#),
            Lenient::Json(json!({"score": null, "s": "NaN"}))
        );
    }

    #[test]
    fn python_reprs_are_converted() {
        assert_eq!(
            parse("{'a': 1, 'ok': True, 'n': None}"),
            Lenient::Python(json!({"a": 1, "ok": true, "n": null}))
        );
        assert_eq!(
            parse("['x', \"it's\"]"),
            Lenient::Python(json!(["x", "it's"]))
        );
        assert_eq!(parse("True"), Lenient::Python(json!(true)));
    }

    #[test]
    fn anything_else_stays_raw_and_text_is_kept_exactly() {
        assert_eq!(parse("not json {"), Lenient::Raw("not json {"));
        let text = JsonText::new("{'a': 1}");
        assert_eq!(text.as_str(), "{'a': 1}");
    }
}
