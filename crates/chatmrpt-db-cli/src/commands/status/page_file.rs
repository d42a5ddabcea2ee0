//! Writing the status page to disk atomically.

use std::io::Write as _;
use std::path::Path;

use super::Status;

/// Writes the page to `path`: a temporary file in the same directory,
/// renamed over `path`, so a reader never sees half a page.
///
/// # Errors
///
/// A one-line cause (the directory is missing, not writable, ...).
pub(super) fn write(path: &Path, status: &Status) -> Result<(), String> {
    let page = super::html::render(status);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let cannot = |why: String| format!("cannot write the status page {}: {why}", path.display());
    if !dir.is_dir() {
        return Err(cannot(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    let mut file = tempfile::Builder::new()
        .prefix(".chatmrpt-db-status")
        .suffix(".html.tmp")
        .tempfile_in(dir)
        .map_err(|e| cannot(e.to_string()))?;
    file.write_all(page.as_bytes())
        .and_then(|()| file.as_file().metadata())
        .and_then(|meta| {
            file.as_file()
                .set_permissions(readable(path, meta.permissions()))
        })
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| cannot(e.to_string()))?;
    file.persist(path)
        .map_err(|e| cannot(e.error.to_string()))?;
    Ok(())
}

/// The page's permissions: those of the file it replaces, else readable by
/// all on Unix (a page for people, often served as is; it holds no secret),
/// where the temporary file would be private to its owner.
fn readable(path: &Path, fresh: std::fs::Permissions) -> std::fs::Permissions {
    if let Ok(meta) = std::fs::metadata(path) {
        return meta.permissions();
    }
    #[cfg(unix)]
    let fresh = {
        use std::os::unix::fs::PermissionsExt as _;
        let mut fresh = fresh;
        fresh.set_mode(0o644);
        fresh
    };
    fresh
}
