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

    /// Checks the string before it reaches libpq: a `postgres://` or
    /// `postgresql://` URI, or a libpq `key=value` string, that names the
    /// host and the database itself. libpq fills what is missing from its
    /// defaults (the local socket, the user's name as database), so an
    /// empty or partial string would reach whatever server the machine
    /// has. The password, `sslrootcert` and the like may still come from
    /// the environment (`PGPASSWORD`, `PGSSLROOTCERT`) or `~/.pgpass`, as
    /// libpq reads them; `PGHOST` and `PGDATABASE` are never relied on.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Config`] saying what is missing, the password hidden.
    pub fn check(&self) -> crate::Result<()> {
        let text = self.0.trim();
        let refuse = |why: &str| {
            crate::Error::Config(format!("connection string `{}`: {why}", redact(text)))
        };
        if text.is_empty() {
            return Err(crate::Error::Config(
                "the PostgreSQL connection string is empty: give postgres://USER@HOST/DATABASE"
                    .into(),
            ));
        }
        let (host, database) = if let Some(rest) = text
            .strip_prefix("postgres://")
            .or_else(|| text.strip_prefix("postgresql://"))
        {
            uri_parts(rest)
        } else if text.contains("://") {
            return Err(refuse(
                "not a PostgreSQL URI: expected postgres://USER@HOST/DATABASE",
            ));
        } else if text.contains('=') {
            let has = |key: &str| keyword_value(text, key).is_some_and(|v| !v.is_empty());
            (has("host") || has("hostaddr"), has("dbname"))
        } else {
            return Err(refuse(
                "expected postgres://USER@HOST/DATABASE or key=value pairs",
            ));
        };
        match (host, database) {
            (true, true) => Ok(()),
            (false, _) => Err(refuse("names no host (libpq's default would be used)")),
            (true, false) => Err(refuse("names no database (libpq's default would be used)")),
        }
    }
}

/// Whether a URI (after its scheme) names a host and a database, in its
/// authority and path or as `host=`/`dbname=` parameters.
fn uri_parts(rest: &str) -> (bool, bool) {
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let named_host = hosts
        .split(',')
        .any(|h| !h.split(':').next().unwrap_or("").is_empty() || h.starts_with('['));
    let param = |key: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .any(|(k, v)| k == key && !v.is_empty())
    };
    (
        named_host || param("host") || param("hostaddr"),
        !path.is_empty() || param("dbname"),
    )
}

/// The value of `key` in a libpq `key=value` string (unquoted values only
/// need be told apart from absent ones here).
fn keyword_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.split_whitespace().find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == key).then(|| v.trim_matches('\''))
    })
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
    fn connection_strings_must_name_host_and_database() {
        for good in [
            "postgres://app@db.internal:5432/chatmrpt?sslmode=verify-full",
            "postgresql://app:pw@10.0.0.1/chat",
            "postgres://app@/chat?host=/var/run/postgresql",
            "postgres://app@h1,h2:5433/chat",
            "host=db dbname=chat user=app",
        ] {
            assert!(DatabaseUrl::new(good).check().is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("postgres://", "no host"),
            ("postgres://app@db.internal:5432", "no database"),
            ("postgres://app:hunter2@:5432/chat", "no host"),
            ("sqlite://x.db", "not a PostgreSQL URI"),
            ("mysql://u:hunter2@h/d", "not a PostgreSQL URI"),
            ("dbname=chat", "no host"),
            ("host=db user=app", "no database"),
            ("interactions.db", "expected"),
        ] {
            let err = DatabaseUrl::new(bad).check().unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

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
