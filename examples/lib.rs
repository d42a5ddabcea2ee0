//! Home of the runnable examples; see the `[[example]]` entries in `Cargo.toml`.
