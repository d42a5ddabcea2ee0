//! Python values as the legacy application serialised them: `json.dumps`
//! for dicts (default separators, `ensure_ascii=True`, `NaN` allowed) and
//! `str(x)` for everything else (the repr: `{'a': 1}`, `True`, `None`).

use std::fmt::Write;

/// A Python value, enough of it for the legacy "JSON" columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Py {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Vec<(String, Py)>),
}

/// A dict from `(key, value)` pairs, in insertion order like Python 3.7+.
pub(crate) fn dict<const N: usize>(pairs: [(&str, Py); N]) -> Py {
    Py::Dict(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A string value.
pub(crate) fn s(text: impl Into<String>) -> Py {
    Py::Str(text.into())
}

/// A list of strings.
pub(crate) fn strs(items: &[&str]) -> Py {
    Py::List(items.iter().map(|i| s(*i)).collect())
}

impl Py {
    /// `json.dumps(self)` with Python's defaults.
    pub(crate) fn dumps(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// `str(self)`: the repr Python writes when a non-dict reached `str(x)`.
    pub(crate) fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Py::None => out.push_str("null"),
            Py::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Py::Int(i) => push(out, format_args!("{i}")),
            Py::Float(f) => out.push_str(&float_repr(*f)),
            Py::Str(text) => json_string(out, text),
            Py::List(items) => seq(out, '[', ']', items, |o, v| v.write_json(o)),
            Py::Dict(pairs) => seq(out, '{', '}', pairs, |o, (k, v)| {
                json_string(o, k);
                o.push_str(": ");
                v.write_json(o);
            }),
        }
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Py::None => out.push_str("None"),
            Py::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Py::Int(i) => push(out, format_args!("{i}")),
            Py::Float(f) if f.is_nan() => out.push_str("nan"),
            Py::Float(f) => out.push_str(&float_repr(*f)),
            Py::Str(text) => repr_string(out, text),
            Py::List(items) => seq(out, '[', ']', items, |o, v| v.write_repr(o)),
            Py::Dict(pairs) => seq(out, '{', '}', pairs, |o, (k, v)| {
                repr_string(o, k);
                o.push_str(": ");
                v.write_repr(o);
            }),
        }
    }
}

fn push(out: &mut String, args: std::fmt::Arguments<'_>) {
    // Writing to a String cannot fail.
    let _ = out.write_fmt(args);
}

fn seq<T>(out: &mut String, open: char, close: char, items: &[T], f: impl Fn(&mut String, &T)) {
    out.push(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        f(out, item);
    }
    out.push(close);
}

/// Python's `repr(float)` for the values fixtures use: shortest round-trip
/// digits, always a `.0` on whole numbers, `NaN`/`Infinity` as json.dumps
/// writes them.
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let text = format!("{f}");
    if text.contains('.') || f.abs() >= 1e16 {
        text
    } else {
        format!("{text}.0")
    }
}

/// A JSON string with `ensure_ascii=True`: non-ASCII as `\uXXXX` (surrogate
/// pairs above the BMP), lowercase hex.
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    push(out, format_args!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(str)`: single quotes unless the text holds one and no
/// double quote; non-ASCII printable characters kept as they are.
fn repr_string(out: &mut String, text: &str) {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_matches_python_defaults() {
        let v = dict([
            ("ward", s("Ƙofar Mata")),
            ("score", Py::Float(0.5)),
            ("rank", Py::Int(3)),
            ("ok", Py::Bool(true)),
            ("x", Py::Float(f64::NAN)),
            ("emoji", s("🦟")),
            ("none", Py::None),
            ("whole", Py::Float(2.0)),
        ]);
        assert_eq!(
            v.dumps(),
            r#"{"ward": "\u0198ofar Mata", "score": 0.5, "rank": 3, "ok": true, "x": NaN, "emoji": "\ud83e\udd9f", "none": null, "whole": 2.0}"#
        );
    }

    #[test]
    fn repr_matches_python_str() {
        let v = dict([
            ("a", Py::Int(1)),
            ("b", Py::List(vec![s("x"), s("it's")])),
            ("c", Py::Bool(false)),
            ("d", Py::None),
        ]);
        assert_eq!(
            v.repr(),
            r#"{'a': 1, 'b': ['x', "it's"], 'c': False, 'd': None}"#
        );
        assert_eq!(Py::Bool(true).repr(), "True");
        assert_eq!(strs(&["x"]).repr(), "['x']");
    }
}
