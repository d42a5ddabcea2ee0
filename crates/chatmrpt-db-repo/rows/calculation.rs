use chatmrpt_db_core::{Calculation, CalculationId, Result, SessionId, StepId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::calculations;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = calculations, check_for_backend(crate::backend::Db))]
pub(crate) struct CalculationRow {
    pub calculation_id: String,
    pub step_id: Option<String>,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub variable: Option<String>,
    pub operation: Option<String>,
    pub input_values: Option<String>,
    pub output_value: Option<String>,
    pub context: Option<String>,
}

impl From<&Calculation> for CalculationRow {
    fn from(r: &Calculation) -> Self {
        Self {
            calculation_id: r.calculation_id.as_str().to_owned(),
            step_id: r.step_id.as_ref().map(|id| id.as_str().to_owned()),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            variable: r.variable.clone(),
            operation: r.operation.clone(),
            input_values: r.input_values.clone(),
            output_value: r.output_value.clone(),
            context: r.context.clone(),
        }
    }
}

impl CalculationRow {
    pub(crate) fn into_domain(self) -> Result<Calculation> {
        Ok(Calculation {
            timestamp: ts_from_sql(
                "calculations",
                &self.calculation_id,
                "timestamp",
                self.timestamp,
            )?,
            calculation_id: CalculationId::new(self.calculation_id),
            step_id: self.step_id.map(StepId::new),
            session_id: self.session_id.map(SessionId::new),
            variable: self.variable,
            operation: self.operation,
            input_values: self.input_values,
            output_value: self.output_value,
            context: self.context,
        })
    }
}
