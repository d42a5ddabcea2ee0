//! Embeds the migrations; rebuild when they change.

// Without this, a new migration is silently not embedded until something
// else in the crate changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations_sqlite");
}
