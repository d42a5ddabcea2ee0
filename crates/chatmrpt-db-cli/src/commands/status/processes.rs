//! The processes of the application, by their last heartbeat: in the text
//! output and on the status page.

use std::fmt::Write;

use chatmrpt_db::StageSource;

use super::DualStatus;
use super::html::esc;

pub(super) fn print_text(dual: &DualStatus) {
    if let Some(e) = &dual.processes_error {
        outln!("processes: unreadable: {e}");
        return;
    }
    outln!(
        "processes: {} (by their last heartbeat)",
        dual.processes.len()
    );
    for p in &dual.processes {
        let beat = &p.beat;
        let mut notes = Vec::new();
        if !p.follows {
            notes.push("NOT FOLLOWING".to_owned());
        }
        if beat.stage_source != StageSource::Shared {
            notes.push(format!("{} stage", beat.stage_source.name()));
        }
        if p.stale {
            notes.push("stale".to_owned());
        }
        outln!(
            "  {:<40} {:<10} owes {} ({} dead)  seen {} s ago  release {}{}",
            beat.process,
            beat.stage.name(),
            beat.outbox_depth,
            beat.outbox_dead,
            p.seen_seconds_ago,
            beat.release,
            if notes.is_empty() {
                String::new()
            } else {
                format!("  [{}]", notes.join(", "))
            }
        );
    }
}

/// The status page's processes section.
pub(super) fn html_section(h: &mut String, dual: &DualStatus) {
    let source = dual.stage_source.describe();
    let _ = write!(
        h,
        "<section id=\"processes\">\n<h2>Processes</h2>\n\
         <p>The stage here is <span id=\"stage-source\">{}</span>. Each process of the \
         application records a heartbeat every few seconds.</p>\n",
        esc(source)
    );
    if let Some(e) = &dual.processes_error {
        let _ = writeln!(
            h,
            "<p id=\"processes-error\" class=\"error\">unreadable: {}</p>\n</section>",
            esc(e)
        );
        return;
    }
    if dual.processes.is_empty() {
        h.push_str(
            "<p id=\"processes-none\" class=\"muted\">No heartbeat recorded.</p>\n</section>\n",
        );
        return;
    }
    h.push_str(
        "<table id=\"process-list\">\n<thead><tr><th>process</th><th>stage</th><th>from</th>\
         <th>follows</th><th>owes PostgreSQL</th><th>dead</th><th>seen</th><th>release</th></tr></thead>\n<tbody>\n",
    );
    for (i, p) in dual.processes.iter().enumerate() {
        let beat = &p.beat;
        let stale = if p.stale { " class=\"error\"" } else { "" };
        let _ = writeln!(
            h,
            "<tr class=\"process\" id=\"process-{i}\"><td id=\"process-{i}-name\"><code>{}</code></td>\
             <td id=\"process-{i}-stage\">{}</td><td id=\"process-{i}-source\">{}</td>\
             <td id=\"process-{i}-follows\"{}>{}</td><td id=\"process-{i}-owes\" class=\"num\">{}</td>\
             <td id=\"process-{i}-dead\" class=\"num\">{}</td>\
             <td id=\"process-{i}-seen\" data-seconds=\"{}\"{stale}>{} s ago</td><td>{}</td></tr>",
            esc(&beat.process),
            esc(beat.stage.name()),
            esc(beat.stage_source.name()),
            if p.follows { "" } else { " class=\"error\"" },
            if p.follows { "yes" } else { "no" },
            beat.outbox_depth,
            beat.outbox_dead,
            p.seen_seconds_ago,
            p.seen_seconds_ago,
            esc(&beat.release),
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}
