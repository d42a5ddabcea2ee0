//! Which store decides and which is mirrored or compared, per stage.

use chatmrpt_db_core::Stage;

/// One of the two stores of the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The store the application starts on (SQLite).
    Legacy,
    /// The store it moves to (PostgreSQL).
    Target,
}

impl Side {
    /// The other store.
    pub fn other(self) -> Side {
        match self {
            Side::Legacy => Side::Target,
            Side::Target => Side::Legacy,
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Side::Legacy => 0,
            Side::Target => 1,
        }
    }
}

/// Where a stage sends writes and reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routing {
    /// The store whose write decides success and whose reads are served.
    pub authoritative: Side,
    /// Whether the other store is written too (through the outbox).
    pub mirrored: bool,
    /// Whether reads are repeated on the other store and compared.
    pub compared: bool,
}

impl Routing {
    /// The routing of `stage` (the table of [`Stage`]).
    pub fn of(stage: Stage) -> Routing {
        let (authoritative, mirrored, compared) = match stage {
            Stage::Off => (Side::Legacy, false, false),
            Stage::DualWrite => (Side::Legacy, true, false),
            Stage::Shadow => (Side::Legacy, true, true),
            Stage::Live => (Side::Target, true, true),
            Stage::Rampdown => (Side::Target, true, false),
            Stage::Complete => (Side::Target, false, false),
        };
        Routing {
            authoritative,
            mirrored,
            compared,
        }
    }
}
