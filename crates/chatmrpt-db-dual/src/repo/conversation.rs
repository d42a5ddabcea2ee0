//! Sessions and the conversation log through the dual store.

use chatmrpt_db_core::{
    AnalysisEvent, AnalysisEventRepository, ErrorEntry, ErrorLogRepository, FileUpload,
    FileUploadRepository, LlmInteraction, LlmInteractionRepository, Message, MessageRepository,
    Page, Result, Session, SessionId, SessionRepository, SessionStart, Timestamp, WriteOp,
};

use crate::store::{DualStore, Member};

impl<L: Member, T: Member> SessionRepository for DualStore<L, T> {
    fn start_session(&self, start: &SessionStart) -> Result<Session> {
        self.write(WriteOp::StartSession(start.clone()))?
            .into_session()
    }

    fn get_session(&self, id: &SessionId) -> Result<Option<Session>> {
        self.read("sessions", id.as_str(), |s| s.get_session(id))
    }

    fn touch_session(&self, id: &SessionId, at: Timestamp) -> Result<()> {
        self.write(WriteOp::TouchSession(id.clone(), at)).map(drop)
    }

    fn set_user_language(&self, id: &SessionId, language: &str) -> Result<()> {
        self.write(WriteOp::SetUserLanguage(id.clone(), language.to_owned()))
            .map(drop)
    }

    fn set_analysis_complete(&self, id: &SessionId, complete: bool) -> Result<()> {
        self.write(WriteOp::SetAnalysisComplete(id.clone(), complete))
            .map(drop)
    }

    fn set_files_uploaded(&self, id: &SessionId, uploaded: bool) -> Result<()> {
        self.write(WriteOp::SetFilesUploaded(id.clone(), uploaded))
            .map(drop)
    }

    fn list_sessions(&self, page: Page) -> Result<Vec<Session>> {
        let key = format!("offset {}", page.offset);
        self.read("sessions", &key, |s| s.list_sessions(page))
    }
}

impl<L: Member, T: Member> MessageRepository for DualStore<L, T> {
    fn log_message(&self, message: &Message) -> Result<()> {
        self.write(WriteOp::Message(message.clone())).map(drop)
    }

    fn list_messages(&self, session: &SessionId) -> Result<Vec<Message>> {
        self.read("messages", session.as_str(), |s| s.list_messages(session))
    }
}

impl<L: Member, T: Member> FileUploadRepository for DualStore<L, T> {
    fn log_file_upload(&self, upload: &FileUpload) -> Result<()> {
        self.write(WriteOp::FileUpload(upload.clone())).map(drop)
    }

    fn list_file_uploads(&self, session: &SessionId) -> Result<Vec<FileUpload>> {
        self.read("file_uploads", session.as_str(), |s| {
            s.list_file_uploads(session)
        })
    }
}

impl<L: Member, T: Member> AnalysisEventRepository for DualStore<L, T> {
    fn log_analysis_event(&self, event: &AnalysisEvent) -> Result<()> {
        self.write(WriteOp::AnalysisEvent(event.clone())).map(drop)
    }

    fn list_analysis_events(&self, session: &SessionId) -> Result<Vec<AnalysisEvent>> {
        self.read("analysis_events", session.as_str(), |s| {
            s.list_analysis_events(session)
        })
    }
}

impl<L: Member, T: Member> ErrorLogRepository for DualStore<L, T> {
    fn log_error(&self, error: &ErrorEntry) -> Result<()> {
        self.write(WriteOp::Error(error.clone())).map(drop)
    }

    fn list_errors(&self, session: &SessionId) -> Result<Vec<ErrorEntry>> {
        self.read("errors", session.as_str(), |s| s.list_errors(session))
    }
}

impl<L: Member, T: Member> LlmInteractionRepository for DualStore<L, T> {
    fn log_llm_interaction(&self, interaction: &LlmInteraction) -> Result<()> {
        self.write(WriteOp::LlmInteraction(interaction.clone()))
            .map(drop)
    }

    fn list_llm_interactions(&self, session: &SessionId) -> Result<Vec<LlmInteraction>> {
        self.read("llm_interactions", session.as_str(), |s| {
            s.list_llm_interactions(session)
        })
    }
}
