//! Names for lease holders that say whether the holder still runs.
//!
//! A holder is `HOST/PID/START/UUID`: the host name, the process id, the
//! process's start time (clock ticks since boot, `/proc/PID/stat` field
//! 22, so a pid reused by a new process does not pass for the old one) and
//! a random part. A lease whose holder ran on this host and no longer runs
//! can be taken over at once instead of after its time to live. Elsewhere
//! than Linux, or for a holder of another host or an older format, nothing
//! is known and the lease expires as before.

/// A holder name for this process (one per opened store: the random part
/// tells two stores of one process apart).
pub fn holder_name() -> String {
    let pid = std::process::id();
    format!(
        "{}/{pid}/{}/{}",
        host_name().unwrap_or_else(|| "unknown-host".to_owned()),
        start_time(pid).unwrap_or(0),
        uuid::Uuid::new_v4()
    )
}

/// This host's name (`unknown-host` when it cannot be read).
pub fn this_host() -> String {
    host_name().unwrap_or_else(|| "unknown-host".to_owned())
}

/// Whether `holder` names a process of this host that no longer runs (its
/// pid is gone, or belongs to a process started at another time).
pub fn holder_is_dead(holder: &str) -> bool {
    let mut parts = holder.split('/');
    let (Some(host), Some(pid), Some(start), Some(_)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(pid), Ok(start)) = (pid.parse::<u32>(), start.parse::<u64>()) else {
        return false;
    };
    if start == 0 || host_name().as_deref() != Some(host) {
        return false;
    }
    if !std::path::Path::new("/proc/self/stat").exists() {
        return false;
    }
    start_time(pid) != Some(start)
}

fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim();
    (!name.is_empty() && !name.contains('/')).then(|| name.to_owned())
}

/// Field 22 of `/proc/PID/stat` (after the parenthesised command name,
/// which may hold spaces: fields are counted from its closing parenthesis).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_child_is_dead() {
        let me = holder_name();
        assert!(!holder_is_dead(&me), "{me}");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let start = start_time(pid).unwrap_or(1);
        child.wait().unwrap();
        let gone = format!("{}/{pid}/{start}/x", host_name().unwrap());
        assert!(holder_is_dead(&gone), "{gone}");
    }

    #[test]
    fn other_hosts_and_old_formats_are_never_judged() {
        assert!(!holder_is_dead("1234:5b0c"));
        assert!(!holder_is_dead("another-host/1/2/x"));
        assert!(!holder_is_dead(""));
        let pid = std::process::id();
        let reused = format!("{}/{pid}/1/x", host_name().unwrap());
        assert!(holder_is_dead(&reused), "same pid, another start time");
    }
}
