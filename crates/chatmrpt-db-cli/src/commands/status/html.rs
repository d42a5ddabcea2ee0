//! `status --html FILE`: the status as one self-contained page for people.
//!
//! Inline CSS, no script, no external resource: it opens from disk in any
//! browser. Every text is HTML-escaped. Each figure carries a stable `id`
//! (e.g. `count-postgres-messages`, `outbox-sqlite-pending`,
//! `verify-verdict`, `quarantine-0-rows`) so tools and tests can read it.

use chatmrpt_db::Table;
use std::fmt::Write as _;

use super::{DualStatus, Recorded, Status, StoreRows};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#1b1b1b;background:#fff}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d0d0;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#666}.error{color:#a40000}.ok{color:#116611;font-weight:bold}.bad{color:#a40000;font-weight:bold}
tr.differ td.num{background:#fff3cd}code{font-size:.95em}";

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole page.
pub(super) fn render(status: &Status) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>chatmrpt-db status: {backend}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n\
         <h1>chatmrpt-db status</h1>\n\
         <p class=\"muted\">Written <span id=\"generated-at\">{at}</span> UTC by chatmrpt-db {version}.</p>\n",
        backend = esc(status.backend),
        at = esc(&chatmrpt_db::Timestamp::now().to_string()),
        version = esc(env!("CARGO_PKG_VERSION")),
    );
    store_section(&mut h, status);
    match &status.dual {
        Some(dual) => {
            stage_section(&mut h, dual);
            super::processes::html_section(&mut h, dual);
            outbox_section(&mut h, dual);
            counts_section(&mut h, &dual.stores);
        }
        None => {
            h.push_str(
                "<section id=\"stage-section\">\n<h2>Migration stage</h2>\n\
                 <p id=\"stage-none\" class=\"muted\">Not a dual store: no stage, no outboxes.</p>\n</section>\n",
            );
            let single = StoreRows {
                store: status.backend,
                rows: status.rows.clone(),
                error: status
                    .applied_migrations
                    .is_empty()
                    .then(|| "no migrations applied (run `chatmrpt-db migrate`)".to_owned()),
            };
            counts_section(&mut h, std::slice::from_ref(&single));
        }
    }
    verify_section(&mut h, status.recorded.as_ref());
    quarantine_section(&mut h, status.recorded.as_ref());
    h.push_str("</body>\n</html>\n");
    h
}

fn store_section(h: &mut String, status: &Status) {
    let migrations = if status.applied_migrations.is_empty() {
        "none applied (run <code>chatmrpt-db migrate</code>)".to_owned()
    } else {
        esc(&status.applied_migrations.join(", "))
    };
    let _ = write!(
        h,
        "<section id=\"store\">\n<h2>Store</h2>\n<table>\n\
         <tr><th>backend</th><td id=\"backend\">{}</td></tr>\n\
         <tr><th>target</th><td id=\"target\"><code>{}</code></td></tr>\n\
         <tr><th>migrations</th><td id=\"migrations\">{migrations}</td></tr>\n\
         </table>\n</section>\n",
        esc(status.backend),
        esc(&status.target),
    );
}

fn stage_section(h: &mut String, dual: &DualStatus) {
    let stored = dual.stored_stage.map_or_else(
        || "none (the configured default applies)".to_owned(),
        |s| s.to_string(),
    );
    let _ = write!(
        h,
        "<section id=\"stage-section\">\n<h2>Migration stage</h2>\n\
         <p>Current stage: <strong id=\"stage\">{}</strong>; stored: <span id=\"stored-stage\">{}</span>.</p>\n\
         <h3>History (newest first)</h3>\n",
        esc(&dual.stage.to_string()),
        esc(&stored),
    );
    if let Some(e) = &dual.stage_history_error {
        let _ = writeln!(
            h,
            "<p id=\"stage-history-error\" class=\"error\">unreadable: {}</p>",
            esc(e)
        );
    } else if dual.stage_history.is_empty() {
        h.push_str("<p id=\"stage-history-none\" class=\"muted\">No stage change recorded.</p>\n");
    } else {
        h.push_str(
            "<table id=\"stage-history\">\n<thead><tr><th>when (UTC)</th><th>from</th><th>to</th>\
             <th>by</th><th>forced</th></tr></thead>\n<tbody>\n",
        );
        for (i, c) in dual.stage_history.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr class=\"stage-change\" id=\"stage-change-{i}\"><td id=\"stage-change-{i}-at\">{}</td>\
                 <td id=\"stage-change-{i}-from\">{}</td><td id=\"stage-change-{i}-to\">{}</td>\
                 <td id=\"stage-change-{i}-by\">{}</td><td id=\"stage-change-{i}-forced\">{}</td></tr>",
                esc(&c.changed_at.to_string()),
                esc(&c.from.to_string()),
                esc(&c.to.to_string()),
                esc(&c.changed_by),
                if c.forced { "yes" } else { "no" },
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
}

fn outbox_section(h: &mut String, dual: &DualStatus) {
    h.push_str(
        "<section id=\"outboxes\">\n<h2>Outboxes</h2>\n\
         <p class=\"muted\">Each store keeps the writes it owes the other until they are delivered.</p>\n\
         <table>\n<thead><tr><th>outbox in</th><th>owed to</th><th>pending</th><th>dead</th>\
         <th>oldest pending</th></tr></thead>\n<tbody>\n",
    );
    for o in &dual.outboxes {
        let name = esc(o.outbox);
        let _ = write!(
            h,
            "<tr id=\"outbox-{name}\"><td>{name}</td><td>{}</td>",
            esc(o.owed_to)
        );
        match (&o.error, o.pending, o.dead) {
            (None, Some(pending), Some(dead)) => {
                let age = match o.oldest_age_seconds {
                    Some(a) => format!(
                        "<td id=\"outbox-{name}-oldest-age\" data-seconds=\"{a}\" class=\"num\">{a} s ago</td>"
                    ),
                    None => format!(
                        "<td id=\"outbox-{name}-oldest-age\" data-seconds=\"\">nothing pending</td>"
                    ),
                };
                let _ = writeln!(
                    h,
                    "<td id=\"outbox-{name}-pending\" class=\"num\">{pending}</td>\
                     <td id=\"outbox-{name}-dead\" class=\"num\">{dead}</td>{age}</tr>"
                );
            }
            (error, ..) => {
                let _ = writeln!(
                    h,
                    "<td colspan=\"3\" id=\"outbox-{name}-error\" class=\"error\">unreadable: {}</td></tr>",
                    esc(error.as_deref().unwrap_or("-"))
                );
            }
        }
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// One column per store; a store that cannot be read says why in its column.
fn counts_section(h: &mut String, stores: &[StoreRows]) {
    h.push_str(
        "<section id=\"counts\">\n<h2>Rows per table</h2>\n<table>\n<thead><tr><th>table</th>",
    );
    for s in stores {
        let _ = write!(h, "<th>{}</th>", esc(s.store));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    if stores.iter().any(|s| s.error.is_some()) {
        h.push_str("<tr class=\"error\"><td>store</td>");
        for s in stores {
            match &s.error {
                Some(e) => {
                    let _ = write!(
                        h,
                        "<td id=\"store-error-{}\" class=\"error\">unreadable: {}</td>",
                        esc(s.store),
                        esc(e)
                    );
                }
                None => h.push_str("<td class=\"muted\">readable</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    for table in Table::ALL {
        let counts: Vec<Option<u64>> = stores
            .iter()
            .map(|s| s.rows.get(table.name()).copied())
            .collect();
        let known: Vec<u64> = counts.iter().flatten().copied().collect();
        let differ = known.len() > 1 && known.iter().any(|n| *n != known[0]);
        let _ = write!(
            h,
            "<tr{}><td>{}</td>",
            if differ { " class=\"differ\"" } else { "" },
            esc(table.name())
        );
        for (s, n) in stores.iter().zip(&counts) {
            let id = format!("count-{}-{}", esc(s.store), esc(table.name()));
            match n {
                Some(n) => {
                    let _ = write!(h, "<td id=\"{id}\" class=\"num\">{n}</td>");
                }
                None => {
                    let _ = write!(h, "<td id=\"{id}\" class=\"num muted\">?</td>");
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn verify_section(h: &mut String, recorded: Option<&Recorded>) {
    h.push_str("<section id=\"verify\">\n<h2>Last verify</h2>\n");
    let Some(recorded) = recorded else {
        h.push_str(
            "<p id=\"verify-none\" class=\"muted\">no verify run recorded \
             (no PostgreSQL store configured: runs are recorded in PostgreSQL)</p>\n</section>\n",
        );
        return;
    };
    if let Some(e) = &recorded.verify_error {
        let _ = writeln!(
            h,
            "<p id=\"verify-error\" class=\"error\">unreadable: {}</p>\n</section>",
            esc(e)
        );
        return;
    }
    let Some(run) = &recorded.last_verify else {
        h.push_str(
            "<p id=\"verify-none\" class=\"muted\">no verify run recorded \
             (<code>chatmrpt-db verify --target</code> this store records one)</p>\n</section>\n",
        );
        return;
    };
    let (class, verdict) = if run.equal {
        ("ok", "stores agree")
    } else {
        ("bad", "stores differ")
    };
    let _ = write!(
        h,
        "<p>Verdict: <strong id=\"verify-verdict\" class=\"{class}\" data-equal=\"{}\">{verdict}</strong> \
         (run <span id=\"verify-id\">{}</span>, finished <span id=\"verify-finished-at\">{}</span>, \
         <span id=\"verify-elapsed-ms\">{}</span> ms; source <code id=\"verify-source\">{}</code>).</p>\n\
         <table>\n<thead><tr><th>table</th><th>verdict</th><th>source rows</th><th>target rows</th>\
         <th>missing</th><th>extra</th><th>differing</th><th>known differences</th></tr></thead>\n<tbody>\n",
        run.equal,
        run.id,
        esc(&run.finished_at.to_rfc3339()),
        run.elapsed_ms,
        esc(&run.source),
    );
    for t in &run.tables {
        let name = esc(&t.table);
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td id=\"verify-{name}-equal\" data-equal=\"{}\">{}</td>\
             <td id=\"verify-{name}-source-rows\" class=\"num\">{}</td>\
             <td id=\"verify-{name}-target-rows\" class=\"num\">{}</td>\
             <td id=\"verify-{name}-missing\" class=\"num\">{}</td>\
             <td id=\"verify-{name}-extra\" class=\"num\">{}</td>\
             <td id=\"verify-{name}-differing\" class=\"num\">{}</td>\
             <td id=\"verify-{name}-known\" class=\"num\">{}</td></tr>",
            t.equal,
            if t.equal { "equal" } else { "DIFFERENT" },
            t.source_rows,
            t.target_rows,
            t.missing,
            t.extra,
            t.differing,
            t.known,
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn quarantine_section(h: &mut String, recorded: Option<&Recorded>) {
    h.push_str("<section id=\"quarantine\">\n<h2>Quarantined rows</h2>\n");
    let Some(recorded) = recorded else {
        h.push_str(
            "<p id=\"quarantine-none\" class=\"muted\">no quarantined rows \
             (no PostgreSQL store configured: the backfill quarantines in PostgreSQL)</p>\n</section>\n",
        );
        return;
    };
    if let Some(e) = &recorded.quarantine_error {
        let _ = writeln!(
            h,
            "<p id=\"quarantine-error\" class=\"error\">unreadable: {}</p>\n</section>",
            esc(e)
        );
        return;
    }
    if recorded.quarantine.is_empty() {
        h.push_str(
            "<p id=\"quarantine-none\" class=\"muted\">no quarantined rows</p>\n</section>\n",
        );
        return;
    }
    h.push_str(
        "<p class=\"muted\">Source rows the backfill could not load faithfully; their original \
         bytes are kept in <code>backfill_quarantine</code>.</p>\n\
         <table>\n<thead><tr><th>table</th><th>reason</th><th>rows</th></tr></thead>\n<tbody>\n",
    );
    for (i, q) in recorded.quarantine.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr class=\"quarantine\" id=\"quarantine-{i}\"><td id=\"quarantine-{i}-table\">{}</td>\
             <td id=\"quarantine-{i}-reason\">{}</td><td id=\"quarantine-{i}-rows\" class=\"num\">{}</td></tr>",
            esc(&q.table),
            esc(&q.reason),
            q.rows,
        );
    }
    let total: u64 = recorded.quarantine.iter().map(|q| q.rows).sum();
    let _ = write!(
        h,
        "</tbody>\n<tfoot><tr><th colspan=\"2\">total</th>\
         <td id=\"quarantine-total\" class=\"num\">{total}</td></tr></tfoot>\n</table>\n</section>\n"
    );
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
