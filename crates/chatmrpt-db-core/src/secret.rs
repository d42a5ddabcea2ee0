//! Connection strings that never print their password.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A PostgreSQL connection string (URI or libpq `key=value` form), passed to
/// libpq untouched so every libpq option works (`sslmode=verify-full`,
/// `sslrootcert=...`, `target_session_attrs`, ...). `Debug` and `Display`
/// show it with `password` and `sslpassword` replaced by `***`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a connection string.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The full string, password included: hand it to the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The string with every password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

const SECRET_KEYS: [&str; 2] = ["password", "sslpassword"];

/// Replaces every password in a connection string (URI or `key=value` form,
/// or any text that embeds one) with `***`.
pub fn redact(text: &str) -> String {
    let text = redact_userinfo(text);
    redact_keywords(&text)
}

/// `scheme://user:secret@host` -> `scheme://user:***@host`, for every URI in the text.
///
/// libpq takes the user information to run up to an `@` met before the
/// first `/`, whatever comes between (a `?` or `#` in a password is not
/// special to it), so the search for the `@` stops only at `/` or at what
/// ends a URI inside other text (whitespace, a quote). The last such `@`
/// is taken: hiding too much is the safe side.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c == '\'' || c == '"' || c.is_whitespace())
            .unwrap_or(tail.len());
        let segment = &tail[..end];
        match (segment.rfind('@'), segment.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&segment[..=colon]);
                out.push_str("***");
                out.push_str(&segment[at..]);
            }
            _ => out.push_str(segment),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `password=secret` / `password='a b'` -> `password=***`, in URIs' query
/// strings and in `key=value` strings alike.
fn redact_keywords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let key = SECRET_KEYS.iter().find(|key| {
            text[i..].starts_with(*key)
                && (i == 0 || matches!(bytes[i - 1], b' ' | b'?' | b'&' | b'\t'))
                && text[i + key.len()..].trim_start().starts_with('=')
        });
        let Some(key) = key else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        };
        let after_key = i + key.len();
        let eq = after_key + text[after_key..].find('=').unwrap_or(0);
        out.push_str(key);
        out.push_str("=***");
        i = skip_value(text, eq + 1);
    }
    out
}

/// The index just past a `key=value` value starting at `start` (quoted or not).
fn skip_value(text: &str, start: usize) -> usize {
    let value = &text[start..];
    let trimmed = value.trim_start();
    let start = start + (value.len() - trimmed.len());
    if let Some(quoted) = trimmed.strip_prefix('\'') {
        let mut escaped = false;
        for (n, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => return start + 1 + n + 1,
                _ => escaped = false,
            }
        }
        return text.len();
    }
    start + trimmed.find([' ', '&', '\t', '#']).unwrap_or(trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_password_is_hidden_everywhere() {
        let url = DatabaseUrl::new(
            "postgres://app:s3cr3t@db.example.com:5432/chat?sslmode=verify-full&sslrootcert=/etc/rds.pem",
        );
        for shown in [format!("{url}"), format!("{url:?}"), url.redacted()] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("app:***@db.example.com"), "{shown}");
            assert!(shown.contains("sslmode=verify-full"), "{shown}");
        }
        assert_eq!(
            url.expose(),
            "postgres://app:s3cr3t@db.example.com:5432/chat?sslmode=verify-full&sslrootcert=/etc/rds.pem"
        );
    }

    #[test]
    fn query_and_keyword_passwords_are_hidden() {
        assert_eq!(
            redact("postgres://h/db?user=a&password=xyz&sslmode=require"),
            "postgres://h/db?user=a&password=***&sslmode=require"
        );
        assert_eq!(
            redact("host=h password='a b\\' c' dbname=x"),
            "host=h password=*** dbname=x"
        );
        assert_eq!(
            redact("host=h password = pw sslpassword=k"),
            "host=h password=*** sslpassword=***"
        );
    }

    #[test]
    fn passwordless_strings_are_unchanged() {
        for s in [
            "postgres://postgres@127.0.0.1:5432/test",
            "host=/tmp dbname=x",
            "sqlite://interactions.db",
        ] {
            assert_eq!(redact(s), s);
        }
    }

    #[test]
    fn passwords_holding_uri_delimiters_are_hidden() {
        // libpq reads user:password up to the `@`, `?` and `#` included.
        for (url, secret) in [
            ("postgres://app:pa?ss@db/chat", "pa?ss"),
            ("postgres://app:pa#ss@db:5432/chat?sslmode=require", "pa#ss"),
            ("postgresql://app:p@ss@db/chat", "p@ss"),
            ("postgres://app:x?y#z@db?sslmode=verify-full", "x?y#z"),
        ] {
            let shown = redact(url);
            assert!(!shown.contains(secret), "{shown}");
            assert!(shown.starts_with("postgres"), "{shown}");
            assert!(shown.contains("app:***@"), "{shown}");
        }
        assert_eq!(
            redact("postgres://app:pa?ss@db/chat?sslmode=require"),
            "postgres://app:***@db/chat?sslmode=require"
        );
    }

    #[test]
    fn error_text_embedding_a_url_is_redacted() {
        let msg = "could not connect with postgresql://u:hunter2@h/db: refused";
        assert!(!redact(msg).contains("hunter2"));
    }
}
