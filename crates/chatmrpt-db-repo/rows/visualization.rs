use chatmrpt_db_core::{Result, SessionId, VisualizationMetadata, VizId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::visualization_metadata;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = visualization_metadata, check_for_backend(crate::backend::Db))]
pub(crate) struct VisualizationMetadataRow {
    pub viz_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub viz_type: Option<String>,
    pub variables_used: Option<String>,
    pub data_summary: Option<String>,
    pub visual_elements: Option<String>,
    pub patterns_detected: Option<String>,
}

impl From<&VisualizationMetadata> for VisualizationMetadataRow {
    fn from(r: &VisualizationMetadata) -> Self {
        Self {
            viz_id: r.viz_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            viz_type: r.viz_type.clone(),
            variables_used: r.variables_used.clone(),
            data_summary: r.data_summary.clone(),
            visual_elements: r.visual_elements.clone(),
            patterns_detected: r.patterns_detected.clone(),
        }
    }
}

impl VisualizationMetadataRow {
    pub(crate) fn into_domain(self) -> Result<VisualizationMetadata> {
        Ok(VisualizationMetadata {
            timestamp: ts_from_sql(
                "visualization_metadata",
                &self.viz_id,
                "timestamp",
                self.timestamp,
            )?,
            viz_id: VizId::new(self.viz_id),
            session_id: self.session_id.map(SessionId::new),
            viz_type: self.viz_type,
            variables_used: self.variables_used,
            data_summary: self.data_summary,
            visual_elements: self.visual_elements,
            patterns_detected: self.patterns_detected,
        })
    }
}
