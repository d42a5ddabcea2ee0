//! The analysis trail: steps, the algorithm decisions and calculations inside them.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{CalculationId, DecisionId, SessionId, StepId};
use crate::json::JsonText;
use crate::time::Timestamp;
use crate::validate;

/// An `analysis_steps` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisStep {
    /// Primary key.
    pub step_id: StepId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When the step ran.
    pub timestamp: Option<Timestamp>,
    /// The step's name.
    pub step_name: Option<String>,
    /// What went in.
    pub input_summary: Option<String>,
    /// What came out.
    pub output_summary: Option<String>,
    /// The algorithm used.
    pub algorithm: Option<String>,
    /// Its parameters (JSON-ish).
    pub parameters: Option<JsonText>,
    /// Run time in seconds.
    #[serde(default, with = "crate::number::opt_f64")]
    pub execution_time: Option<f64>,
    /// The error, if the step failed.
    pub error: Option<String>,
}

impl AnalysisStep {
    /// A new step, with a fresh id, stamped now.
    pub fn new(session_id: impl Into<SessionId>, step_name: impl Into<String>) -> Self {
        Self {
            step_id: StepId::generate(),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            step_name: Some(step_name.into()),
            input_summary: None,
            output_summary: None,
            algorithm: None,
            parameters: None,
            execution_time: None,
            error: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("analysis_steps.step_id", Some(self.step_id.as_str()))?;
        validate::id(
            "analysis_steps.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("analysis_steps.step_name", self.step_name.as_deref())?;
        validate::text(
            "analysis_steps.input_summary",
            self.input_summary.as_deref(),
        )?;
        validate::text(
            "analysis_steps.output_summary",
            self.output_summary.as_deref(),
        )?;
        validate::text("analysis_steps.algorithm", self.algorithm.as_deref())?;
        validate::text(
            "analysis_steps.parameters",
            self.parameters.as_ref().map(JsonText::as_str),
        )?;
        validate::number("analysis_steps.execution_time", self.execution_time)?;
        validate::text("analysis_steps.error", self.error.as_deref())
    }
}

/// An `algorithm_decisions` row: a choice made inside a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmDecision {
    /// Primary key.
    pub decision_id: DecisionId,
    /// The step; must exist when given.
    pub step_id: Option<StepId>,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was decided.
    pub timestamp: Option<Timestamp>,
    /// The kind of decision.
    pub decision_type: Option<String>,
    /// The options weighed.
    pub options: Option<String>,
    /// The criteria used.
    pub criteria: Option<String>,
    /// The option taken.
    pub selected_option: Option<String>,
    /// Confidence, 0 to 1.
    #[serde(default, with = "crate::number::opt_f64")]
    pub confidence: Option<f64>,
}

impl AlgorithmDecision {
    /// A new decision of `step_id`, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        step_id: StepId,
        decision_type: impl Into<String>,
    ) -> Self {
        Self {
            decision_id: DecisionId::generate(),
            step_id: Some(step_id),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            decision_type: Some(decision_type.into()),
            options: None,
            criteria: None,
            selected_option: None,
            confidence: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "algorithm_decisions.decision_id",
            Some(self.decision_id.as_str()),
        )?;
        validate::id(
            "algorithm_decisions.step_id",
            self.step_id.as_ref().map(StepId::as_str),
        )?;
        validate::id(
            "algorithm_decisions.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text(
            "algorithm_decisions.decision_type",
            self.decision_type.as_deref(),
        )?;
        validate::text("algorithm_decisions.options", self.options.as_deref())?;
        validate::text("algorithm_decisions.criteria", self.criteria.as_deref())?;
        validate::text(
            "algorithm_decisions.selected_option",
            self.selected_option.as_deref(),
        )?;
        validate::number("algorithm_decisions.confidence", self.confidence)
    }
}

/// A `calculations` row: one computed value inside a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calculation {
    /// Primary key.
    pub calculation_id: CalculationId,
    /// The step; must exist when given.
    pub step_id: Option<StepId>,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was computed.
    pub timestamp: Option<Timestamp>,
    /// The variable computed.
    pub variable: Option<String>,
    /// The operation.
    pub operation: Option<String>,
    /// Its inputs.
    pub input_values: Option<String>,
    /// Its result.
    pub output_value: Option<String>,
    /// Where it was computed.
    pub context: Option<String>,
}

impl Calculation {
    /// A new calculation of `step_id`, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        step_id: StepId,
        variable: impl Into<String>,
    ) -> Self {
        Self {
            calculation_id: CalculationId::generate(),
            step_id: Some(step_id),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            variable: Some(variable.into()),
            operation: None,
            input_values: None,
            output_value: None,
            context: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "calculations.calculation_id",
            Some(self.calculation_id.as_str()),
        )?;
        validate::id(
            "calculations.step_id",
            self.step_id.as_ref().map(StepId::as_str),
        )?;
        validate::id(
            "calculations.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("calculations.variable", self.variable.as_deref())?;
        validate::text("calculations.operation", self.operation.as_deref())?;
        validate::text("calculations.input_values", self.input_values.as_deref())?;
        validate::text("calculations.output_value", self.output_value.as_deref())?;
        validate::text("calculations.context", self.context.as_deref())
    }
}

/// A step with the decisions and calculations recorded under it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisStepDetail {
    /// The step.
    #[serde(flatten)]
    pub step: AnalysisStep,
    /// Its decisions, oldest first.
    pub algorithm_decisions: Vec<AlgorithmDecision>,
    /// Its calculations, oldest first.
    pub calculations: Vec<Calculation>,
}

impl AnalysisStepDetail {
    /// Puts each decision and calculation under its step, keeping their order.
    /// Rows whose step is not among `steps` are left out.
    pub fn nest(
        steps: Vec<AnalysisStep>,
        decisions: &[AlgorithmDecision],
        calculations: &[Calculation],
    ) -> Vec<Self> {
        steps
            .into_iter()
            .map(|step| Self {
                algorithm_decisions: decisions
                    .iter()
                    .filter(|d| d.step_id.as_ref() == Some(&step.step_id))
                    .cloned()
                    .collect(),
                calculations: calculations
                    .iter()
                    .filter(|c| c.step_id.as_ref() == Some(&step.step_id))
                    .cloned()
                    .collect(),
                step,
            })
            .collect()
    }
}
