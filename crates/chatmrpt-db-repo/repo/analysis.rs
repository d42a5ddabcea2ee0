use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisStep, AnalysisStepDetail, AnalysisStepRepository, Calculation,
    Result, SessionId, StepId,
};
use diesel::prelude::*;

use super::{Child, SessionEffect, require_parent, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::{Conn, Store};
use crate::error::TxError;
use crate::rows::{AlgorithmDecisionRow, AnalysisStepRow, CalculationRow};
use crate::schema::{algorithm_decisions, analysis_steps, calculations};

fn require_step(conn: &mut Conn, step: Option<&StepId>) -> Result<(), TxError> {
    let Some(step) = step else { return Ok(()) };
    let found = diesel::select(diesel::dsl::exists(
        analysis_steps::table.find(step.as_str()),
    ))
    .get_result(conn)?;
    require_parent(found, "analysis step", step.as_str())
}

/// Whose decisions or calculations to read.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// Every row logged under the session.
    Session(&'a str),
    /// Every row of these steps, whatever session it was logged under.
    Steps(&'a [String]),
}

fn decisions(conn: &mut Conn, owner: Owner<'_>) -> Result<Vec<AlgorithmDecision>, TxError> {
    let query = algorithm_decisions::table.into_boxed::<crate::backend::Db>();
    let query = match owner {
        Owner::Session(id) => query.filter(algorithm_decisions::session_id.eq(id)),
        Owner::Steps(ids) => query.filter(algorithm_decisions::step_id.eq_any(ids)),
    };
    let rows = query
        .order((
            algorithm_decisions::timestamp.is_null().desc(),
            algorithm_decisions::timestamp.asc(),
            algorithm_decisions::decision_id.asc(),
        ))
        .select(AlgorithmDecisionRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(AlgorithmDecisionRow::into_domain)
        .collect::<Result<_>>()?)
}

fn calculations(conn: &mut Conn, owner: Owner<'_>) -> Result<Vec<Calculation>, TxError> {
    let query = calculations::table.into_boxed::<crate::backend::Db>();
    let query = match owner {
        Owner::Session(id) => query.filter(calculations::session_id.eq(id)),
        Owner::Steps(ids) => query.filter(calculations::step_id.eq_any(ids)),
    };
    let rows = query
        .order((
            calculations::timestamp.is_null().desc(),
            calculations::timestamp.asc(),
            calculations::calculation_id.asc(),
        ))
        .select(CalculationRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(CalculationRow::into_domain)
        .collect::<Result<_>>()?)
}

impl AnalysisStepRepository for Store {
    fn log_analysis_step(&self, step: &AnalysisStep) -> Result<()> {
        log_analysis_step(self, step, &WriteCtx::now()).map(drop)
    }

    fn log_algorithm_decision(&self, decision: &AlgorithmDecision) -> Result<()> {
        log_algorithm_decision(self, decision, &WriteCtx::now()).map(drop)
    }

    fn log_calculation(&self, calculation: &Calculation) -> Result<()> {
        log_calculation(self, calculation, &WriteCtx::now()).map(drop)
    }

    fn list_analysis_steps(&self, session: &SessionId) -> Result<Vec<AnalysisStepDetail>> {
        self.read(|conn| {
            let rows = analysis_steps::table
                .filter(analysis_steps::session_id.eq(session.as_str()))
                .order((
                    analysis_steps::timestamp.is_null().desc(),
                    analysis_steps::timestamp.asc(),
                    analysis_steps::step_id.asc(),
                ))
                .select(AnalysisStepRow::as_select())
                .load(conn)?;
            let ids: Vec<String> = rows.iter().map(|r| r.step_id.clone()).collect();
            let decisions = decisions(conn, Owner::Steps(&ids))?;
            let calcs = calculations(conn, Owner::Steps(&ids))?;
            let steps = rows
                .into_iter()
                .map(AnalysisStepRow::into_domain)
                .collect::<Result<Vec<_>>>()?;
            Ok(AnalysisStepDetail::nest(steps, &decisions, &calcs))
        })
    }

    fn list_algorithm_decisions(&self, session: &SessionId) -> Result<Vec<AlgorithmDecision>> {
        self.read(|conn| decisions(conn, Owner::Session(session.as_str())))
    }

    fn list_calculations(&self, session: &SessionId) -> Result<Vec<Calculation>> {
        self.read(|conn| calculations(conn, Owner::Session(session.as_str())))
    }
}

/// The write of the trait method `log_analysis_step`, under `ctx`.
pub(crate) fn log_analysis_step(
    store: &Store,
    step: &AnalysisStep,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    step.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = AnalysisStepRow::from(step);
    write_child(
        store,
        ctx,
        Child {
            entity: "analysis step",
            key: step.step_id.as_str(),
            session: step.session_id.as_ref(),
            at: step.timestamp,
            effect: SessionEffect::Touch,
        },
        |conn| {
            diesel::insert_into(analysis_steps::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}

/// The write of the trait method `log_algorithm_decision`, under `ctx`.
pub(crate) fn log_algorithm_decision(
    store: &Store,
    decision: &AlgorithmDecision,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    decision.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = AlgorithmDecisionRow::from(decision);
    let key = decision.decision_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "algorithm decision",
            key,
            session: decision.session_id.as_ref(),
            at: decision.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            require_step(conn, decision.step_id.as_ref())?;
            diesel::insert_into(algorithm_decisions::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}

/// The write of the trait method `log_calculation`, under `ctx`.
pub(crate) fn log_calculation(
    store: &Store,
    calculation: &Calculation,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    calculation.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = CalculationRow::from(calculation);
    let key = calculation.calculation_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "calculation",
            key,
            session: calculation.session_id.as_ref(),
            at: calculation.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            require_step(conn, calculation.step_id.as_ref())?;
            diesel::insert_into(calculations::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
