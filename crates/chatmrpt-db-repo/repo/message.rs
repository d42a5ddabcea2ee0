use chatmrpt_db_core::{Message, MessageRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::MessageRow;
use crate::schema::messages;

impl MessageRepository for Store {
    fn log_message(&self, message: &Message) -> Result<()> {
        log_message(self, message, &WriteCtx::now()).map(drop)
    }

    fn list_messages(&self, session: &SessionId) -> Result<Vec<Message>> {
        self.read(|conn| {
            let rows = messages::table
                .filter(messages::session_id.eq(session.as_str()))
                .order((
                    messages::timestamp.is_null().desc(),
                    messages::timestamp.asc(),
                    messages::message_id.asc(),
                ))
                .select(MessageRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(MessageRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_message`, under `ctx`.
pub(crate) fn log_message(
    store: &Store,
    message: &Message,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    message.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = MessageRow::from(message);
    write_child(
        store,
        ctx,
        Child {
            entity: "message",
            key: message.message_id.as_str(),
            session: message.session_id.as_ref(),
            at: message.timestamp,
            effect: SessionEffect::Touch,
        },
        |conn| {
            diesel::insert_into(messages::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
