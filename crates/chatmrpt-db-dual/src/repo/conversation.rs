//! Sessions and the conversation log through the dual store.

use chatmrpt_db_core::{
    AnalysisEvent, AnalysisEventRepository, ErrorEntry, ErrorLogRepository, FileUpload,
    FileUploadRepository, LlmInteraction, LlmInteractionRepository, Message, MessageRepository,
    Page, Result, Session, SessionId, SessionRepository, SessionStart, Timestamp, WriteOp,
};

use crate::store::{DualStore, Member};

impl<L: Member, T: Member> SessionRepository for DualStore<L, T> {
    fn start_session(&self, start: &SessionStart) -> Result<Session> {
        self.write(
            |s| s.start_session(start),
            || WriteOp::StartSession(start.clone()),
        )
    }

    fn get_session(&self, id: &SessionId) -> Result<Option<Session>> {
        self.read("sessions", id.as_str(), |s| s.get_session(id))
    }

    fn touch_session(&self, id: &SessionId, at: Timestamp) -> Result<()> {
        self.write(
            |s| s.touch_session(id, at),
            || WriteOp::TouchSession(id.clone(), at),
        )
    }

    fn set_user_language(&self, id: &SessionId, language: &str) -> Result<()> {
        self.write(
            |s| s.set_user_language(id, language),
            || WriteOp::SetUserLanguage(id.clone(), language.to_owned()),
        )
    }

    fn set_analysis_complete(&self, id: &SessionId, complete: bool) -> Result<()> {
        self.write(
            |s| s.set_analysis_complete(id, complete),
            || WriteOp::SetAnalysisComplete(id.clone(), complete),
        )
    }

    fn set_files_uploaded(&self, id: &SessionId, uploaded: bool) -> Result<()> {
        self.write(
            |s| s.set_files_uploaded(id, uploaded),
            || WriteOp::SetFilesUploaded(id.clone(), uploaded),
        )
    }

    fn list_sessions(&self, page: Page) -> Result<Vec<Session>> {
        let key = format!("offset {}", page.offset);
        self.read("sessions", &key, |s| s.list_sessions(page))
    }
}

impl<L: Member, T: Member> MessageRepository for DualStore<L, T> {
    fn log_message(&self, message: &Message) -> Result<()> {
        self.write(
            |s| s.log_message(message),
            || WriteOp::Message(message.clone()),
        )
    }

    fn list_messages(&self, session: &SessionId) -> Result<Vec<Message>> {
        self.read("messages", session.as_str(), |s| s.list_messages(session))
    }
}

impl<L: Member, T: Member> FileUploadRepository for DualStore<L, T> {
    fn log_file_upload(&self, upload: &FileUpload) -> Result<()> {
        self.write(
            |s| s.log_file_upload(upload),
            || WriteOp::FileUpload(upload.clone()),
        )
    }

    fn list_file_uploads(&self, session: &SessionId) -> Result<Vec<FileUpload>> {
        self.read("file_uploads", session.as_str(), |s| {
            s.list_file_uploads(session)
        })
    }
}

impl<L: Member, T: Member> AnalysisEventRepository for DualStore<L, T> {
    fn log_analysis_event(&self, event: &AnalysisEvent) -> Result<()> {
        self.write(
            |s| s.log_analysis_event(event),
            || WriteOp::AnalysisEvent(event.clone()),
        )
    }

    fn list_analysis_events(&self, session: &SessionId) -> Result<Vec<AnalysisEvent>> {
        self.read("analysis_events", session.as_str(), |s| {
            s.list_analysis_events(session)
        })
    }
}

impl<L: Member, T: Member> ErrorLogRepository for DualStore<L, T> {
    fn log_error(&self, error: &ErrorEntry) -> Result<()> {
        self.write(|s| s.log_error(error), || WriteOp::Error(error.clone()))
    }

    fn list_errors(&self, session: &SessionId) -> Result<Vec<ErrorEntry>> {
        self.read("errors", session.as_str(), |s| s.list_errors(session))
    }
}

impl<L: Member, T: Member> LlmInteractionRepository for DualStore<L, T> {
    fn log_llm_interaction(&self, interaction: &LlmInteraction) -> Result<()> {
        self.write(
            |s| s.log_llm_interaction(interaction),
            || WriteOp::LlmInteraction(interaction.clone()),
        )
    }

    fn list_llm_interactions(&self, session: &SessionId) -> Result<Vec<LlmInteraction>> {
        self.read("llm_interactions", session.as_str(), |s| {
            s.list_llm_interactions(session)
        })
    }
}
