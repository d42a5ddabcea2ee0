use chatmrpt_db_core::{FileUpload, FileUploadRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::FileUploadRow;
use crate::schema::file_uploads;

impl FileUploadRepository for Store {
    fn log_file_upload(&self, upload: &FileUpload) -> Result<()> {
        log_file_upload(self, upload, &WriteCtx::now()).map(drop)
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

/// The write of the trait method `log_file_upload`, under `ctx`.
pub(crate) fn log_file_upload(
    store: &Store,
    upload: &FileUpload,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    upload.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = FileUploadRow::from(upload);
    let key = upload.upload_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "file upload",
            key,
            session: upload.session_id.as_ref(),
            at: upload.timestamp,
            effect: SessionEffect::TouchUploaded,
        },
        |conn| {
            diesel::insert_into(file_uploads::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
