use chatmrpt_db_core::{FileUpload, FileUploadRepository, Result, SessionId};
use diesel::prelude::*;

use super::{SessionEffect, write_child};
use crate::backend::Store;
use crate::rows::FileUploadRow;
use crate::schema::file_uploads;

impl FileUploadRepository for Store {
    fn log_file_upload(&self, upload: &FileUpload) -> Result<()> {
        upload.validate()?;
        let row = FileUploadRow::from(upload);
        let key = upload.upload_id.as_str();
        write_child(
            self,
            "file upload",
            key,
            upload.session_id.as_ref(),
            upload.timestamp,
            SessionEffect::TouchUploaded,
            |conn| {
                diesel::insert_into(file_uploads::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
    }

    fn list_file_uploads(&self, session: &SessionId) -> Result<Vec<FileUpload>> {
        self.read(|conn| {
            let rows = file_uploads::table
                .filter(file_uploads::session_id.eq(session.as_str()))
                .order((
                    file_uploads::timestamp.is_null().desc(),
                    file_uploads::timestamp.asc(),
                    file_uploads::upload_id.asc(),
                ))
                .select(FileUploadRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(FileUploadRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}
