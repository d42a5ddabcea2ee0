"""Type stubs of chatmrpt_db: a drop-in for ChatMRPT's InteractionLogger."""

from typing import Any, Dict, List, Optional

class Error(Exception):
    """Base class of every chatmrpt_db error."""

class InvalidInput(Error):
    """A value that cannot be stored faithfully."""

class Conflict(Error):
    """A row with this primary key is already stored."""

class NotFound(Error):
    """The row the call needs is not stored."""

class Unavailable(Error):
    """The store cannot be reached, or was not opened."""

class EventLogger:
    """The legacy ``event_logger``: the model arena's writer."""
    def log_arena_battle(
        self,
        battle_id: str,
        session_id: Optional[str],
        user_message: Any,
        model_a: Any,
        model_b: Any,
        response_a: Any = ...,
        response_b: Any = ...,
        latency_a: Any = ...,
        latency_b: Any = ...,
        tokens_a: Any = ...,
        tokens_b: Any = ...,
        user_preference: Any = ...,
        elo_before_a: Any = ...,
        elo_before_b: Any = ...,
        elo_after_a: Any = ...,
        elo_after_b: Any = ...,
        view_index: Any = ...,
    ) -> bool:
        """Inserts a battle, or updates the fields given of a stored one."""

class InteractionLogger:
    """A drop-in for ChatMRPT's legacy InteractionLogger."""
    db_path: str
    strict: bool
    event_logger: EventLogger
    def __init__(self, db_path: Optional[str] = ..., *, strict: bool = ..., adopt: bool = ...) -> None: ...
    def log_session_start(
        self, session_id: str, browser_info: Any = ..., ip_address: Any = ..., language: Any = ...
    ) -> bool:
        """Creates or refreshes the session; never resets start_time or flags."""
    def update_session_language(self, session_id: str, language: Any) -> bool:
        """Sets the language, moves last_activity."""
    def update_session_status(
        self, session_id: str, analysis_complete: Any = ..., files_uploaded: Any = ...
    ) -> bool:
        """Sets the flags given, moves last_activity."""
    def log_message(
        self, session_id: Any, sender: Any, content: Any, intent: Any = ..., entities: Any = ...
    ) -> Optional[str]:
        """Stores a message; returns its id."""
    def log_error(
        self, session_id: Any, error_type: Any, error_message: Any, stack_trace: Any = ...
    ) -> Optional[str]:
        """Stores an application error; returns its id."""
    def log_file_upload(
        self, session_id: Any, file_type: Any, file_name: Any, file_size: Any, metadata: Any = ...
    ) -> Optional[str]:
        """Stores an upload; returns its id."""
    def log_analysis_event(
        self, session_id: Any, event_type: Any, details: Any, success: Any = ...
    ) -> Optional[str]:
        """Stores an analysis event; returns its id."""
    def log_analysis_step(
        self,
        session_id: Any,
        step_name: Any,
        input_summary: Any = ...,
        output_summary: Any = ...,
        algorithm: Any = ...,
        parameters: Any = ...,
        execution_time: Any = ...,
        error: Any = ...,
    ) -> Optional[str]:
        """Stores an analysis step; returns its id."""
    def log_algorithm_decision(
        self,
        session_id: Any,
        step_id: Any,
        decision_type: Any,
        options: Any = ...,
        criteria: Any = ...,
        selected_option: Any = ...,
        confidence: Any = ...,
    ) -> Optional[str]:
        """Stores a decision; returns its id."""
    def log_calculation(
        self,
        session_id: Any,
        step_id: Any,
        variable: Any,
        operation: Any,
        input_values: Any = ...,
        output_value: Any = ...,
        context: Any = ...,
    ) -> Optional[str]:
        """Stores a calculation; returns its id."""
    def log_anomaly(
        self,
        session_id: Any,
        entity_name: Any,
        anomaly_type: Any,
        expected_value: Any = ...,
        actual_value: Any = ...,
        significance: Any = ...,
        context: Any = ...,
    ) -> Optional[str]:
        """Stores an anomaly; returns its id."""
    def log_variable_relationship(
        self,
        session_id: Any,
        variable_name: Any,
        relationship_type: Any,
        evidence: Any = ...,
        confidence_score: Any = ...,
    ) -> Optional[str]:
        """Stores a variable relationship; returns its id."""
    def log_ward_ranking(
        self,
        session_id: Any,
        ward_name: Any,
        overall_rank: Any,
        median_score: Any,
        vulnerability_category: Any,
        contributing_factors: Any = ...,
        anomaly_flags: Any = ...,
    ) -> Optional[str]:
        """Stores a ward ranking; returns its id."""
    def log_visualization_metadata(
        self,
        session_id: Any,
        viz_type: Any,
        variables_used: Any = ...,
        data_summary: Any = ...,
        visual_elements: Any = ...,
        patterns_detected: Any = ...,
    ) -> Optional[str]:
        """Stores visualization metadata; returns its id."""
    def log_llm_interaction(
        self,
        session_id: Any,
        prompt_type: Any,
        prompt: Any,
        prompt_context: Any = ...,
        response: Any = ...,
        tokens_used: Any = ...,
        latency: Any = ...,
        enhanced_timing: Any = ...,
    ) -> Optional[str]:
        """Stores an LLM call; returns its id."""
    def log_explanation(
        self,
        session_id: Any,
        entity_type: Any,
        entity_name: Any,
        question_type: Any,
        question: Any,
        explanation: Any,
        context_used: Any = ...,
        llm_interaction_id: Any = ...,
    ) -> Optional[str]:
        """Stores an explanation; returns its id."""
    def log_routing_decision(
        self,
        session_id: Any,
        user_message: Any,
        routing_decision: Any,
        routing_method: Any,
        keywords_matched: Any = ...,
        confidence: Any = ...,
        ollama_reasoning: Any = ...,
        session_context: Any = ...,
        message_id: Any = ...,
    ) -> Optional[str]:
        """Stores a routing decision; returns its id."""
    def get_session_history(self, session_id: str) -> List[Dict[str, Any]]:
        """The session's messages, oldest first."""
    def get_analysis_metadata(self, session_id: str) -> Dict[str, Any]:
        """The session's analysis trail."""
    def get_visualization_context(
        self, session_id: str, viz_id: Optional[str] = ..., viz_type: Optional[str] = ...
    ) -> Any:
        """Visualizations, newest first (one dict or None with viz_id)."""
    def get_explanations(
        self, session_id: str, entity_type: Optional[str] = ..., entity_name: Optional[str] = ...
    ) -> List[Dict[str, Any]]:
        """Explanations, newest first."""
    def get_ward_data(self, session_id: str, ward_name: str) -> Dict[str, Any]:
        """The ward's latest ranking with its anomalies and explanations."""
    def get_conversation_training_data(self, *args: Any, **kwargs: Any) -> List[Any]:
        """Stub: []."""
    def generate_explanation_context(self, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        """Stub: {}."""
    def export_to_json(
        self,
        session_id: Optional[str] = ...,
        include_llm_data: bool = ...,
        compact: bool = ...,
        output_file: Optional[str] = ...,
    ) -> Dict[str, Any]:
        """The legacy JSON export."""
    def export_to_csv(
        self,
        session_id: Optional[str] = ...,
        start_date: Any = ...,
        end_date: Any = ...,
        output_dir: Optional[str] = ...,
    ) -> Dict[str, Any]:
        """One CSV per table."""
    def metrics(self) -> Dict[str, Any]:
        """This process's figures."""
    def stage(self) -> Optional[str]:
        """The stage this process follows."""
    def set_stage(self, stage: str, by: Optional[str] = ..., force: bool = ...) -> bool:
        """Moves the dual store's stage."""
    def drain(self, timeout_s: float = ...) -> bool:
        """Delivers the dual store's outboxes; True when empty."""
