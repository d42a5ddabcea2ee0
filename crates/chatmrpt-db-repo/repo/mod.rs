//! The repository trait implementations, one file per aggregate, for the
//! backend this tree is compiled into (`crate::backend`).

mod analysis;
mod analysis_event;
mod anomaly;
mod apply;
mod arena;
mod child;
mod error_entry;
mod explanation;
mod file_upload;
pub(crate) mod info;
mod llm_interaction;
mod message;
mod routing_decision;
mod scan;
pub(crate) mod session;
mod stage;
mod variable_relationship;
mod visualization;
mod ward_ranking;
mod write;

pub(crate) use apply::apply_recorded;
pub(crate) use child::{Child, SessionEffect, require_parent, write_child};
pub(crate) use write::{Recorded, WriteCtx, transact};
