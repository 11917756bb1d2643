//! Opportunities: status, forecast category and stage kinds.

use crate::text_enum;

text_enum! {
    /// Whether an opportunity is still being worked, and how it ended.
    OpportunityStatus {
        /// Being worked.
        Open => "open",
        /// Closed won.
        Won => "won",
        /// Closed lost.
        Lost => "lost",
        /// Closed without a decision.
        Abandoned => "abandoned",
    }
}

text_enum! {
    /// How an opportunity counts in the forecast.
    ForecastCategory {
        /// Early; counted weighted.
        Pipeline => "pipeline",
        /// Could close this period.
        BestCase => "best_case",
        /// Expected to close this period.
        Commit => "commit",
        /// Left out of the forecast.
        Omitted => "omitted",
        /// Already closed.
        Closed => "closed",
    }
}

text_enum! {
    /// What entering a pipeline stage means.
    StageKind {
        /// The opportunity is still open.
        Open => "open",
        /// Entering it wins the opportunity.
        Won => "won",
        /// Entering it loses the opportunity.
        Lost => "lost",
    }
}
