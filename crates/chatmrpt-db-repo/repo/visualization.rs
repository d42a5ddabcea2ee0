use chatmrpt_db_core::{
    Result, SessionId, VisualizationFilter, VisualizationMetadata, VisualizationRepository,
};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::VisualizationMetadataRow;
use crate::schema::visualization_metadata as viz;

impl VisualizationRepository for Store {
    fn log_visualization(&self, v: &VisualizationMetadata) -> Result<()> {
        log_visualization(self, v, &WriteCtx::now()).map(drop)
    }

    fn list_visualizations(
        &self,
        session: &SessionId,
        filter: &VisualizationFilter,
    ) -> Result<Vec<VisualizationMetadata>> {
        self.read(|conn| {
            let mut query = viz::table
                .filter(viz::session_id.eq(session.as_str()))
                .into_boxed();
            if let Some(id) = &filter.viz_id {
                query = query.filter(viz::viz_id.eq(id.as_str()));
            }
            if let Some(kind) = &filter.viz_type {
                query = query.filter(viz::viz_type.eq(kind));
            }
            let rows = query
                .order((
                    viz::timestamp.is_null().desc(),
                    viz::timestamp.asc(),
                    viz::viz_id.asc(),
                ))
                .select(VisualizationMetadataRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(VisualizationMetadataRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_visualization`, under `ctx`.
pub(crate) fn log_visualization(
    store: &Store,
    v: &VisualizationMetadata,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    v.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = VisualizationMetadataRow::from(v);
    write_child(
        store,
        ctx,
        Child {
            entity: "visualization",
            key: v.viz_id.as_str(),
            session: v.session_id.as_ref(),
            at: v.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(viz::table).values(&row).execute(conn)?;
            Ok(())
        },
    )
}
