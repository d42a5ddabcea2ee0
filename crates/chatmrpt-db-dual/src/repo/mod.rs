//! The repository traits on the dual store: every write through
//! `DualStore::write`, every read through `DualStore::read`.

mod analysis;
mod conversation;
