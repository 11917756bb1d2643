-- Commissions (capability 4): plans and their rule versions, assignments of plans to
-- users, credit splits on orders, and runs with a statement per user and its lines.

CREATE TABLE commission_plans (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    -- booking | collection
    basis VARCHAR(16) NOT NULL,
    -- month | quarter | year
    period VARCHAR(16) NOT NULL,
    -- The currency of its cap, targets and credits.
    currency VARCHAR(3) NOT NULL,
    -- The last day the plan pays, if it ends.
    effective_to DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id),
    deleted_at TIMESTAMP
);

-- A plan's paying rules from a day on; the latest version starting on or before a
-- period's first day pays that period. Frozen (never changed again) once a run used it.
CREATE TABLE commission_plan_versions (
    id VARCHAR(36) PRIMARY KEY,
    plan_id VARCHAR(36) NOT NULL REFERENCES commission_plans (id),
    effective_from DATE NOT NULL,
    -- marginal | flat
    tier_mode VARCHAR(16) NOT NULL,
    cap BIGINT,
    frozen_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id),
    UNIQUE (plan_id, effective_from)
);

CREATE TABLE commission_tiers (
    plan_version_id VARCHAR(36) NOT NULL REFERENCES commission_plan_versions (id),
    position INTEGER NOT NULL,
    from_bps INTEGER NOT NULL,
    to_bps INTEGER,
    rate_bps INTEGER NOT NULL,
    PRIMARY KEY (plan_version_id, position)
);

-- A user on a plan for a range of days; at most one plan per basis on any day.
CREATE TABLE commission_assignments (
    id VARCHAR(36) PRIMARY KEY,
    plan_id VARCHAR(36) NOT NULL REFERENCES commission_plans (id),
    user_id VARCHAR(36) NOT NULL REFERENCES users (id),
    basis VARCHAR(16) NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id)
);
CREATE INDEX commission_assignments_plan_idx ON commission_assignments (plan_id, valid_from);
CREATE INDEX commission_assignments_user_idx ON commission_assignments (user_id, basis);

-- Who an order credits, when not only its owner: shares summing to 10000 bps.
CREATE TABLE credit_splits (
    order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    user_id VARCHAR(36) NOT NULL REFERENCES users (id),
    share_bps INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
);
CREATE INDEX credit_splits_user_idx ON credit_splits (user_id, order_id);

CREATE TABLE commission_runs (
    id VARCHAR(36) PRIMARY KEY,
    plan_id VARCHAR(36) NOT NULL REFERENCES commission_plans (id),
    plan_version_id VARCHAR(36) NOT NULL REFERENCES commission_plan_versions (id),
    -- "2027-01", "2027-Q1" or "2027", by the plan's period.
    period VARCHAR(8) NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    -- draft | approved | paid
    status VARCHAR(16) NOT NULL,
    currency VARCHAR(3) NOT NULL,
    total BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    approved_at TIMESTAMP,
    approved_by VARCHAR(36) REFERENCES users (id),
    paid_at TIMESTAMP,
    paid_by VARCHAR(36) REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id)
);
-- One run per plan and period.
CREATE UNIQUE INDEX commission_runs_period_idx ON commission_runs (plan_id, period);

CREATE TABLE commission_statements (
    id VARCHAR(36) PRIMARY KEY,
    run_id VARCHAR(36) NOT NULL REFERENCES commission_runs (id),
    user_id VARCHAR(36) NOT NULL REFERENCES users (id),
    -- The user's target for the period, the credits in it, and credits ÷ target.
    target BIGINT NOT NULL,
    credited BIGINT NOT NULL,
    attainment_bps BIGINT NOT NULL,
    total BIGINT NOT NULL,
    UNIQUE (run_id, user_id)
);
CREATE INDEX commission_statements_user_idx ON commission_statements (user_id, run_id);

-- A run writes its lines only with their statements, in one transaction (one function,
-- `persistence::commission_runs::insert_statements`), so they carry no foreign keys: checking
-- them cost 40% of a run of a million lines. Lookups go by statement (the primary key).
CREATE TABLE commission_lines (
    statement_id VARCHAR(36) NOT NULL,
    position INTEGER NOT NULL,
    -- order | payment | refund
    source_type VARCHAR(16) NOT NULL,
    source_id VARCHAR(36) NOT NULL,
    source_number VARCHAR(64) NOT NULL,
    credit_date DATE NOT NULL,
    credited_amount BIGINT NOT NULL,
    split_bps INTEGER NOT NULL,
    -- The band and its rate; NULL on a clawback line.
    tier INTEGER,
    rate_bps INTEGER,
    earning BIGINT NOT NULL,
    -- NULL, capped, cap_reached or clawback
    reason VARCHAR(16),
    corrects_statement_id VARCHAR(36),
    PRIMARY KEY (statement_id, position)
);
-- A correction is carried once: by one clawback line of one run.
CREATE UNIQUE INDEX commission_lines_corrects_idx ON commission_lines (corrects_statement_id, source_id)
    WHERE corrects_statement_id IS NOT NULL;

-- Which paid statement counted which order or payment, written when a run is paid: their
-- credit splits are final from then on, and a run looks here for the paid statements a
-- cancellation or a refund has corrected.
CREATE TABLE commission_paid_sources (
    source_id VARCHAR(36) NOT NULL,
    statement_id VARCHAR(36) NOT NULL,
    PRIMARY KEY (source_id, statement_id)
);
-- The few cancelled orders and refunded payments, which those lookups start from.
CREATE INDEX orders_cancelled_idx ON orders (id) WHERE status = 'cancelled';
CREATE INDEX payments_refunded_idx ON payments (id) WHERE refunded > 0;
