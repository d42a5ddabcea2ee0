use chatmrpt_db_core::{JsonText, Message, MessageId, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::messages;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = messages, check_for_backend(crate::backend::Db))]
pub(crate) struct MessageRow {
    pub message_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub sender: Option<String>,
    pub content: Option<String>,
    pub intent: Option<String>,
    pub entities: Option<String>,
}

impl From<&Message> for MessageRow {
    fn from(r: &Message) -> Self {
        Self {
            message_id: r.message_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            sender: r.sender.clone(),
            content: r.content.clone(),
            intent: r.intent.clone(),
            entities: r.entities.as_ref().map(|j| j.as_str().to_owned()),
        }
    }
}

impl MessageRow {
    pub(crate) fn into_domain(self) -> Result<Message> {
        Ok(Message {
            timestamp: ts_from_sql("messages", &self.message_id, "timestamp", self.timestamp)?,
            message_id: MessageId::new(self.message_id),
            session_id: self.session_id.map(SessionId::new),
            sender: self.sender,
            content: self.content,
            intent: self.intent,
            entities: self.entities.map(JsonText::new),
        })
    }
}
