//! The first program to run: `cargo run --example quickstart`.
//!
//! With no configuration it uses the embedded SQLite default
//! (`interactions.db` in the working directory); set `DATABASE_URL` and
//! `CHATMRPT_DB_BACKEND=postgres` to run the same code on PostgreSQL. It
//! migrates the store, logs one chat session the way ChatMRPT does, and
//! prints the session's export as JSON.

use chatmrpt_db::{
    AnalysisEvent, Config, FileUpload, JsonText, LlmInteraction, Message, SessionId, SessionStart,
    Store,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load(None)?;
    let store = Store::open(&config)?;
    store.run_migrations()?;
    eprintln!("store: {} at {}", store.backend_name(), store.location());

    let session_id = SessionId::generate();
    let mut start = SessionStart::new(session_id.clone());
    start.user_language = Some("en".into());
    start.browser_info = Some("Mozilla/5.0 (X11; Linux x86_64) quickstart".into());
    store.start_session(&start)?;

    store.log_message(&Message::new(
        session_id.clone(),
        "user",
        "Which wards in Kano have the highest malaria risk?",
    ))?;
    let mut upload = FileUpload::new(session_id.clone(), "csv", "kano_wards.csv", 48_213);
    upload.metadata = Some(JsonText::new(r#"{"rows": 484, "columns": 12}"#));
    store.log_file_upload(&upload)?;

    let mut event = AnalysisEvent::new(Some(session_id.clone()), "composite_score_analysis", true);
    event.details = Some(JsonText::new(
        r#"{"method": "composite", "variables": ["evi", "rainfall"]}"#,
    ));
    store.log_analysis_event(&event)?;

    let mut llm = LlmInteraction::new(
        session_id.clone(),
        "Rank the wards by risk.",
        "Dala, Fagge and Gwale rank highest.",
    );
    llm.prompt_type = Some("analysis_summary".into());
    llm.tokens_used = Some(312);
    llm.latency = Some(1.742);
    store.log_llm_interaction(&llm)?;
    store.log_message(&Message::new(
        session_id.clone(),
        "assistant",
        "Dala, Fagge and Gwale rank highest.",
    ))?;

    let export = store
        .export_session(&session_id)?
        .ok_or("the session just written is missing")?;
    println!("{}", serde_json::to_string_pretty(&export)?);
    Ok(())
}
