use std::process::ExitCode;

use chatmrpt_db::{Result, Store};

/// `chatmrpt-db migrate`.
pub fn run(store: &Store) -> Result<ExitCode> {
    let applied = store.run_migrations()?;
    if applied.is_empty() {
        outln!(
            "{}: schema up to date ({})",
            store.backend_name(),
            store.location()
        );
    } else {
        for version in &applied {
            outln!("{}: applied {version}", store.backend_name());
        }
    }
    Ok(ExitCode::SUCCESS)
}
