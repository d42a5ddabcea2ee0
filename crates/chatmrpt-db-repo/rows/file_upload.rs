use chatmrpt_db_core::{FileUpload, JsonText, Result, SessionId, UploadId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::file_uploads;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = file_uploads, check_for_backend(crate::backend::Db))]
pub(crate) struct FileUploadRow {
    pub upload_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub file_type: Option<String>,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
    pub metadata: Option<String>,
}

impl From<&FileUpload> for FileUploadRow {
    fn from(r: &FileUpload) -> Self {
        Self {
            upload_id: r.upload_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            file_type: r.file_type.clone(),
            file_name: r.file_name.clone(),
            file_size: r.file_size,
            metadata: r.metadata.as_ref().map(|j| j.as_str().to_owned()),
        }
    }
}

impl FileUploadRow {
    pub(crate) fn into_domain(self) -> Result<FileUpload> {
        Ok(FileUpload {
            timestamp: ts_from_sql("file_uploads", &self.upload_id, "timestamp", self.timestamp)?,
            upload_id: UploadId::new(self.upload_id),
            session_id: self.session_id.map(SessionId::new),
            file_type: self.file_type,
            file_name: self.file_name,
            file_size: self.file_size,
            metadata: self.metadata.map(JsonText::new),
        })
    }
}
