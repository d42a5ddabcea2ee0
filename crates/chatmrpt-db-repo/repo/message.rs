use chatmrpt_db_core::{Message, MessageRepository, Result, SessionId};
use diesel::prelude::*;

use super::{SessionEffect, write_child};
use crate::backend::Store;
use crate::rows::MessageRow;
use crate::schema::messages;

impl MessageRepository for Store {
    fn log_message(&self, message: &Message) -> Result<()> {
        message.validate()?;
        let row = MessageRow::from(message);
        write_child(
            self,
            "message",
            message.message_id.as_str(),
            message.session_id.as_ref(),
            message.timestamp,
            SessionEffect::Touch,
            |conn| {
                diesel::insert_into(messages::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
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
