use chatmrpt_db_core::{ArenaTrainingExport, ExportId, JsonText, Result};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::arena_training_exports;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = arena_training_exports, check_for_backend(crate::backend::Db))]
pub(crate) struct ArenaTrainingExportRow {
    pub export_id: String,
    pub export_timestamp: Option<SqlTime>,
    pub export_type: Option<String>,
    pub format: Option<String>,
    pub file_path: Option<String>,
    pub metadata: Option<String>,
    pub battles_included: Option<i64>,
}

impl From<&ArenaTrainingExport> for ArenaTrainingExportRow {
    fn from(r: &ArenaTrainingExport) -> Self {
        Self {
            export_id: r.export_id.as_str().to_owned(),
            export_timestamp: ts_to_sql(r.export_timestamp),
            export_type: r.export_type.clone(),
            format: r.format.clone(),
            file_path: r.file_path.clone(),
            metadata: r.metadata.as_ref().map(|j| j.as_str().to_owned()),
            battles_included: r.battles_included,
        }
    }
}

impl ArenaTrainingExportRow {
    pub(crate) fn into_domain(self) -> Result<ArenaTrainingExport> {
        Ok(ArenaTrainingExport {
            export_timestamp: ts_from_sql(
                "arena_training_exports",
                &self.export_id,
                "export_timestamp",
                self.export_timestamp,
            )?,
            export_id: ExportId::new(self.export_id),
            export_type: self.export_type,
            format: self.format,
            file_path: self.file_path,
            metadata: self.metadata.map(JsonText::new),
            battles_included: self.battles_included,
        })
    }
}
