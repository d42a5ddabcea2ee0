use chatmrpt_db_core::{Anomaly, AnomalyRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::AnomalyRow;
use crate::schema::anomalies;

impl AnomalyRepository for Store {
    fn log_anomaly(&self, anomaly: &Anomaly) -> Result<()> {
        log_anomaly(self, anomaly, &WriteCtx::now()).map(drop)
    }

    fn list_anomalies(&self, session: &SessionId) -> Result<Vec<Anomaly>> {
        self.read(|conn| {
            let rows = anomalies::table
                .filter(anomalies::session_id.eq(session.as_str()))
                .order((
                    anomalies::timestamp.is_null().desc(),
                    anomalies::timestamp.asc(),
                    anomalies::anomaly_id.asc(),
                ))
                .select(AnomalyRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(AnomalyRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_anomaly`, under `ctx`.
pub(crate) fn log_anomaly(
    store: &Store,
    anomaly: &Anomaly,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    anomaly.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = AnomalyRow::from(anomaly);
    let key = anomaly.anomaly_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "anomaly",
            key,
            session: anomaly.session_id.as_ref(),
            at: anomaly.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(anomalies::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
