//! The catalogue of planted rows: one row per bad (or merely unusual) case
//! of issue 3, in the table where legacy data holds it.

use diesel::sqlite::SqliteConnection;

use super::FixtureError;
use super::corrupt::Defect;
use super::ddl::{ARENA, BASE, ROUTING};
use super::insert::Value;
use super::plant::{EPOCH_AT, Planter, Session, at};
use super::py::{Py, dict, s, strs};
use super::text;

type Case = (&'static str, Value, Defect, &'static str);

const AGENT: &str = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36";

impl Planter {
    /// Every planted row but the exact-twin duplicate (see `duplicate`).
    pub(crate) fn plant_all(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        self.sessions(conn)?;
        self.single_value_cases(conn)?;
        self.key_twins(conn)?;
        self.llm_cases(conn)?;
        self.orphans(conn)
    }

    /// Writes one row per case, each holding one planted value.
    fn cases(
        &mut self,
        conn: &mut SqliteConnection,
        table: &'static str,
        cases: Vec<Case>,
    ) -> Result<(), FixtureError> {
        for (i, (column, value, defect, detail)) in cases.into_iter().enumerate() {
            self.row(
                conn,
                table,
                i as i64 + 1,
                vec![(column, value)],
                &[(Some(column), defect, detail)],
            )?;
        }
        Ok(())
    }

    fn sessions(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        let host = vec![
            ("session_id", Value::from(self.host.clone())),
            ("start_time", Value::time(at(0))),
            ("last_activity", Value::time(at(3_600))),
            ("user_language", "ha".into()),
            ("browser_info", AGENT.into()),
            ("ip_address", "102.89.34.5".into()),
            ("analysis_complete", Value::Int(0)),
            ("files_uploaded", Value::Int(1)),
        ];
        let (columns, values): (Vec<_>, Vec<_>) = host.into_iter().unzip();
        self.plant(conn, "sessions", &columns, values, Session::Host, &[])?;
        let epoch = vec![
            ("start_time", Value::Real(EPOCH_AT as f64 + 0.25)),
            ("last_activity", Value::Int(EPOCH_AT)),
        ];
        self.row(
            conn,
            "sessions",
            0,
            epoch,
            &[
                (
                    Some("start_time"),
                    Defect::EpochTimestamp,
                    "REAL 1753697700.25: 2025-07-28 10:15:00.25 UTC",
                ),
                (
                    Some("last_activity"),
                    Defect::EpochTimestamp,
                    "INTEGER 1753697700: 2025-07-28 10:15:00 UTC",
                ),
            ],
        )?;
        let flags = vec![
            ("analysis_complete", "true".into()),
            ("files_uploaded", "false".into()),
        ];
        self.row(
            conn,
            "sessions",
            10,
            flags,
            &[
                (
                    Some("analysis_complete"),
                    Defect::TextBoolean,
                    "TEXT 'true'",
                ),
                (Some("files_uploaded"), Defect::TextBoolean, "TEXT 'false'"),
            ],
        )?;
        for id in ["Ward-Visit", "ward-visit"] {
            let mark = (
                Some("session_id"),
                Defect::CaseVariantKey,
                "'Ward-Visit' and 'ward-visit' are two sessions",
            );
            self.row(
                conn,
                "sessions",
                30,
                vec![("session_id", id.into())],
                &[mark],
            )?;
        }
        Ok(())
    }

    fn single_value_cases(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        let unicode = "Ẹ káàárọ̀! Ƙofar Mata, Ɗan Agundi 👩🏾‍⚕️🦟 — ìwọ̀n ewu ibà?";
        let repr = "{'wards': ['Dala', \"Yan'awaki\"], 'confidence': 0.93, 'validated': True, 'lga': None}";
        self.cases(
            conn,
            "messages",
            vec![
                (
                    "content",
                    "Sannu\0 da zuwa".into(),
                    Defect::NulInText,
                    "NUL byte after 'Sannu'",
                ),
                (
                    "content",
                    Value::RawText(b"Sannu \xff\xfe da zuwa".to_vec()),
                    Defect::InvalidUtf8,
                    "bytes FF FE after 'Sannu '",
                ),
                (
                    "message_id",
                    Value::Null,
                    Defect::NullPrimaryKey,
                    "NULL message_id",
                ),
                (
                    "timestamp",
                    "2025-07-28 10:15:04.123456+01:00".into(),
                    Defect::UnparseableTimestamp,
                    "zone suffix '+01:00'",
                ),
                (
                    "timestamp",
                    "None".into(),
                    Defect::UnparseableTimestamp,
                    "str(None)",
                ),
                (
                    "timestamp",
                    Value::Int(EPOCH_AT + 5),
                    Defect::EpochTimestamp,
                    "INTEGER 1753697705",
                ),
                (
                    "timestamp",
                    "2025-07-28 10:15:06".into(),
                    Defect::TimestampWithoutFraction,
                    "'2025-07-28 10:15:06'",
                ),
                (
                    "timestamp",
                    "2025-07-28 10:15:07.000001".into(),
                    Defect::TimestampWithFraction,
                    "'2025-07-28 10:15:07.000001'",
                ),
                (
                    "content",
                    unicode.into(),
                    Defect::Unicode,
                    "Yoruba tone marks, Hausa hooked letters, ZWJ emoji",
                ),
                ("entities", repr.into(), Defect::PythonReprJson, "str(dict)"),
            ],
        )?;
        self.cases(
            conn,
            "file_uploads",
            vec![
                (
                    "file_size",
                    "12kb".into(),
                    Defect::NonNumericInteger,
                    "TEXT '12kb'",
                ),
                (
                    "file_size",
                    Value::Real(12.5),
                    Defect::FractionalInteger,
                    "REAL 12.5",
                ),
            ],
        )?;
        self.cases(
            conn,
            "analysis_events",
            vec![
                (
                    "session_id",
                    Value::Null,
                    Defect::NullSessionId,
                    "endpoint_response_timing row",
                ),
                (
                    "event_id",
                    Value::Null,
                    Defect::NullPrimaryKey,
                    "NULL event_id",
                ),
                (
                    "success",
                    "false".into(),
                    Defect::TextBoolean,
                    "TEXT 'false'",
                ),
                (
                    "details",
                    "['composite', 'pca']".into(),
                    Defect::PythonReprJson,
                    "str(list)",
                ),
                (
                    "details",
                    "True".into(),
                    Defect::PythonReprJson,
                    "str(True)",
                ),
                (
                    "details",
                    "None".into(),
                    Defect::PythonReprJson,
                    "str(None)",
                ),
            ],
        )?;
        let params = dict([
            ("threshold", Py::Float(f64::NAN)),
            ("variables", strs(&["tpr", "evi"])),
        ])
        .dumps();
        self.cases(
            conn,
            "analysis_steps",
            vec![(
                "parameters",
                params.into(),
                Defect::NanInJson,
                "{\"threshold\": NaN, ...}",
            )],
        )?;
        self.cases(
            conn,
            "ward_rankings",
            vec![
                (
                    "overall_rank",
                    Value::Real(12.5),
                    Defect::FractionalInteger,
                    "REAL 12.5",
                ),
                (
                    "overall_rank",
                    "3rd".into(),
                    Defect::NonNumericInteger,
                    "TEXT '3rd'",
                ),
            ],
        )
    }

    fn llm_cases(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        let gzip = Value::Blob(vec![0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]);
        self.row(
            conn,
            "llm_interactions",
            40,
            vec![("response", gzip)],
            &[(
                Some("response"),
                Defect::BlobInText,
                "BLOB of 6 bytes (gzip header)",
            )],
        )?;
        let system = s(text::system_prompt(&mut self.rng)).dumps();
        let long = text::report_of_size(&mut self.rng, 2 * 1024 * 1024);
        self.row(
            conn,
            "llm_interactions",
            41,
            vec![
                ("prompt_context", system.into()),
                ("response", long.into()),
                ("latency", Value::Real(3.417_238_950_729_37)),
            ],
            &[
                (
                    Some("response"),
                    Defect::VeryLongText,
                    "2 MiB markdown report",
                ),
                (
                    Some("prompt_context"),
                    Defect::JsonStringLiteral,
                    "json.dumps(system prompt)",
                ),
            ],
        )?;
        let nan = dict([
            ("time_to_first_token", Py::Float(f64::NAN)),
            ("llm_time", Py::Float(2.5)),
        ])
        .dumps();
        self.row(
            conn,
            "llm_interactions",
            42,
            vec![
                ("timestamp", Value::Real(EPOCH_AT as f64 + 42.5)),
                ("enhanced_timing", nan.into()),
            ],
            &[
                (
                    Some("timestamp"),
                    Defect::EpochTimestamp,
                    "REAL 1753697742.5",
                ),
                (
                    Some("enhanced_timing"),
                    Defect::NanInJson,
                    "NaN in json.dumps output",
                ),
            ],
        )?;
        Ok(())
    }

    /// One orphan row in every table with a `session_id`; one orphan id is
    /// shared by `messages` (earlier) and `llm_interactions` (later), so the
    /// synthesized session spans both.
    fn orphans(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        let shared = self.rng.uuid4();
        let tables = BASE
            .iter()
            .chain(ARENA.iter())
            .chain(std::iter::once(&ROUTING));
        let children =
            tables.filter(|t| t.name != "sessions" && t.name != "arena_training_exports");
        for table in children {
            let (id, seconds, detail) = match table.name {
                "messages" => (
                    shared.clone(),
                    100,
                    "shared with llm_interactions; earliest child time 2025-07-28 10:16:40",
                ),
                "llm_interactions" => (
                    shared.clone(),
                    700,
                    "shared with messages; latest child time 2025-07-28 10:26:40",
                ),
                _ => (self.rng.uuid4(), 200, "no sessions row for this session_id"),
            };
            let cells = vec![
                ("session_id", Value::from(id)),
                ("timestamp", Value::time(at(seconds))),
            ];
            self.row(
                conn,
                table.name,
                seconds,
                cells,
                &[(Some("session_id"), Defect::OrphanSession, detail)],
            )?;
        }
        Ok(())
    }
}
