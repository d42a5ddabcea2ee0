//! Analysis steps, insights, routing, the arena and store facts through the
//! dual store.

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisStep, AnalysisStepDetail, AnalysisStepRepository, Anomaly,
    AnomalyRepository, ArenaBattle, ArenaBattleUpdate, ArenaRepository, ArenaTrainingExport,
    Calculation, Explanation, ExplanationFilter, ExplanationRepository, Record, Result,
    RoutingDecision, RoutingDecisionRepository, SessionId, StoreInfo, Table, TableScan, TimeRange,
    VariableRelationship, VariableRelationshipRepository, VisualizationFilter,
    VisualizationMetadata, VisualizationRepository, WardRanking, WardRankingRepository, WriteOp,
};

use crate::store::{DualStore, Member};

impl<L: Member, T: Member> AnalysisStepRepository for DualStore<L, T> {
    fn log_analysis_step(&self, step: &AnalysisStep) -> Result<()> {
        self.write(WriteOp::AnalysisStep(step.clone())).map(drop)
    }

    fn log_algorithm_decision(&self, decision: &AlgorithmDecision) -> Result<()> {
        self.write(WriteOp::AlgorithmDecision(decision.clone()))
            .map(drop)
    }

    fn log_calculation(&self, calculation: &Calculation) -> Result<()> {
        self.write(WriteOp::Calculation(calculation.clone()))
            .map(drop)
    }

    fn list_analysis_steps(&self, session: &SessionId) -> Result<Vec<AnalysisStepDetail>> {
        self.read("analysis_steps", session.as_str(), |s| {
            s.list_analysis_steps(session)
        })
    }

    fn list_algorithm_decisions(&self, session: &SessionId) -> Result<Vec<AlgorithmDecision>> {
        self.read("algorithm_decisions", session.as_str(), |s| {
            s.list_algorithm_decisions(session)
        })
    }

    fn list_calculations(&self, session: &SessionId) -> Result<Vec<Calculation>> {
        self.read("calculations", session.as_str(), |s| {
            s.list_calculations(session)
        })
    }
}

impl<L: Member, T: Member> AnomalyRepository for DualStore<L, T> {
    fn log_anomaly(&self, anomaly: &Anomaly) -> Result<()> {
        self.write(WriteOp::Anomaly(anomaly.clone())).map(drop)
    }

    fn list_anomalies(&self, session: &SessionId) -> Result<Vec<Anomaly>> {
        self.read("anomalies", session.as_str(), |s| s.list_anomalies(session))
    }
}

impl<L: Member, T: Member> VariableRelationshipRepository for DualStore<L, T> {
    fn log_variable_relationship(&self, relationship: &VariableRelationship) -> Result<()> {
        self.write(WriteOp::VariableRelationship(relationship.clone()))
            .map(drop)
    }

    fn list_variable_relationships(
        &self,
        session: &SessionId,
    ) -> Result<Vec<VariableRelationship>> {
        self.read("variable_relationships", session.as_str(), |s| {
            s.list_variable_relationships(session)
        })
    }
}

impl<L: Member, T: Member> WardRankingRepository for DualStore<L, T> {
    fn log_ward_ranking(&self, ranking: &WardRanking) -> Result<()> {
        self.write(WriteOp::WardRanking(ranking.clone())).map(drop)
    }

    fn list_ward_rankings(&self, session: &SessionId) -> Result<Vec<WardRanking>> {
        self.read("ward_rankings", session.as_str(), |s| {
            s.list_ward_rankings(session)
        })
    }

    fn latest_ward_ranking(
        &self,
        session: &SessionId,
        ward_name: &str,
    ) -> Result<Option<WardRanking>> {
        self.read("ward_rankings", session.as_str(), |s| {
            s.latest_ward_ranking(session, ward_name)
        })
    }
}

impl<L: Member, T: Member> VisualizationRepository for DualStore<L, T> {
    fn log_visualization(&self, viz: &VisualizationMetadata) -> Result<()> {
        self.write(WriteOp::Visualization(viz.clone())).map(drop)
    }

    fn list_visualizations(
        &self,
        session: &SessionId,
        filter: &VisualizationFilter,
    ) -> Result<Vec<VisualizationMetadata>> {
        self.read("visualization_metadata", session.as_str(), |s| {
            s.list_visualizations(session, filter)
        })
    }
}

impl<L: Member, T: Member> ExplanationRepository for DualStore<L, T> {
    fn log_explanation(&self, explanation: &Explanation) -> Result<()> {
        self.write(WriteOp::Explanation(explanation.clone()))
            .map(drop)
    }

    fn list_explanations(
        &self,
        session: &SessionId,
        filter: &ExplanationFilter,
    ) -> Result<Vec<Explanation>> {
        self.read("explanations", session.as_str(), |s| {
            s.list_explanations(session, filter)
        })
    }
}

impl<L: Member, T: Member> RoutingDecisionRepository for DualStore<L, T> {
    fn log_routing_decision(&self, decision: &RoutingDecision) -> Result<()> {
        self.write(WriteOp::RoutingDecision(decision.clone()))
            .map(drop)
    }

    fn list_routing_decisions(&self, session: &SessionId) -> Result<Vec<RoutingDecision>> {
        self.read("routing_decisions", session.as_str(), |s| {
            s.list_routing_decisions(session)
        })
    }
}

impl<L: Member, T: Member> ArenaRepository for DualStore<L, T> {
    fn log_arena_battle(&self, battle: &ArenaBattle) -> Result<()> {
        self.write(WriteOp::ArenaBattle(battle.clone())).map(drop)
    }

    fn list_arena_battles(&self, session: &SessionId) -> Result<Vec<ArenaBattle>> {
        self.read("arena_battles", session.as_str(), |s| {
            s.list_arena_battles(session)
        })
    }

    fn update_arena_battle(&self, update: &ArenaBattleUpdate) -> Result<()> {
        self.write(WriteOp::ArenaBattleUpdate(update.clone()))
            .map(drop)
    }

    fn log_training_export(&self, export: &ArenaTrainingExport) -> Result<()> {
        self.write(WriteOp::TrainingExport(export.clone()))
            .map(drop)
    }

    fn list_training_exports(&self) -> Result<Vec<ArenaTrainingExport>> {
        self.read("arena_training_exports", "*", |s| s.list_training_exports())
    }
}

impl<L: Member, T: Member> StoreInfo for DualStore<L, T> {
    fn backend_name(&self) -> &'static str {
        crate::STORE
    }

    /// Rows in the store that serves reads in the current stage.
    fn count_rows(&self, table: Table) -> Result<u64> {
        self.reader().count_rows(table)
    }
}

impl<L: Member, T: Member> TableScan for DualStore<L, T> {
    /// Scans the store that serves reads in the current stage (not compared:
    /// scans are for tools, which compare with `verify`).
    fn scan_table(
        &self,
        table: Table,
        range: &TimeRange,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>> {
        self.reader().scan_table(table, range, after, limit)
    }
}
