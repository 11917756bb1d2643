-- Capability 2: accounts and contacts, the customer pool, activities, the
-- opportunity pipeline and its dictionaries. Portable SQL, as in the foundation.

-- A customer pool (公海) and the rules that recall accounts into it.
-- A NULL rule is switched off.
CREATE TABLE account_pools (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL UNIQUE,
    department_id VARCHAR(36) REFERENCES departments (id),
    is_default BOOLEAN NOT NULL,
    recall_after_days_without_activity INTEGER,
    recall_after_days_without_won_deal INTEGER,
    exempt_with_open_opportunity BOOLEAN NOT NULL,
    warn_days_before_recall INTEGER NOT NULL,
    max_claims_per_rep_per_day INTEGER,
    max_owned_accounts_per_rep INTEGER,
    previous_owner_cooldown_days INTEGER,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);

INSERT INTO account_pools (id, name, department_id, is_default, recall_after_days_without_activity,
    recall_after_days_without_won_deal, exempt_with_open_opportunity, warn_days_before_recall,
    max_claims_per_rep_per_day, max_owned_accounts_per_rep, previous_owner_cooldown_days,
    version, created_at, updated_at, created_by, deleted_at)
VALUES ('01900000-0000-7000-8000-000000000001', 'Public pool', NULL, TRUE, NULL, NULL, TRUE, 3,
    NULL, NULL, NULL, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00', NULL, NULL);

-- A customer. `pool_id` is the pool whose rules govern it; with no owner it sits in that pool.
CREATE TABLE accounts (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    name_normalized VARCHAR(200) NOT NULL,
    uscc VARCHAR(18),
    industry VARCHAR(100),
    region VARCHAR(100),
    address VARCHAR(500),
    parent_account_id VARCHAR(36) REFERENCES accounts (id),
    tier VARCHAR(20) NOT NULL,
    lifecycle VARCHAR(20) NOT NULL,
    owner_id VARCHAR(36) REFERENCES users (id),
    pool_id VARCHAR(36) REFERENCES account_pools (id),
    owned_since TIMESTAMP,
    last_activity_at TIMESTAMP,
    first_won_at TIMESTAMP,
    last_won_at TIMESTAMP,
    external_id VARCHAR(128) UNIQUE,
    notes TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX accounts_uscc_live_idx ON accounts (uscc) WHERE deleted_at IS NULL;
CREATE INDEX accounts_owner_id_idx ON accounts (owner_id, id);
CREATE INDEX accounts_pool_id_idx ON accounts (pool_id, owner_id);
CREATE INDEX accounts_parent_account_id_idx ON accounts (parent_account_id);
CREATE INDEX accounts_name_normalized_idx ON accounts (name_normalized);
CREATE INDEX accounts_last_activity_at_idx ON accounts (last_activity_at);

-- Every change of an account's owner: who had it, who has it, why.
CREATE TABLE account_owner_changes (
    id VARCHAR(36) PRIMARY KEY,
    account_id VARCHAR(36) NOT NULL REFERENCES accounts (id),
    from_owner_id VARCHAR(36) REFERENCES users (id),
    to_owner_id VARCHAR(36) REFERENCES users (id),
    pool_id VARCHAR(36) REFERENCES account_pools (id),
    reason VARCHAR(20) NOT NULL,
    detail VARCHAR(500),
    actor_id VARCHAR(36),
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX account_owner_changes_account_idx ON account_owner_changes (account_id, occurred_at);
CREATE INDEX account_owner_changes_to_owner_idx ON account_owner_changes (to_owner_id, reason, occurred_at);

CREATE TABLE contacts (
    id VARCHAR(36) PRIMARY KEY,
    account_id VARCHAR(36) NOT NULL REFERENCES accounts (id),
    name VARCHAR(200) NOT NULL,
    name_normalized VARCHAR(200) NOT NULL,
    title VARCHAR(100),
    email VARCHAR(254),
    email_normalized VARCHAR(254),
    phone VARCHAR(40),
    phone_normalized VARCHAR(40),
    is_primary BOOLEAN NOT NULL,
    last_activity_at TIMESTAMP,
    external_id VARCHAR(128) UNIQUE,
    notes TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);
CREATE INDEX contacts_account_id_idx ON contacts (account_id, id);
CREATE UNIQUE INDEX contacts_one_primary_idx ON contacts (account_id) WHERE is_primary AND deleted_at IS NULL;
CREATE INDEX contacts_email_normalized_idx ON contacts (email_normalized);
CREATE INDEX contacts_phone_normalized_idx ON contacts (phone_normalized);

-- The configurable pipeline. `kind` is open, won or lost; `required_fields` is a JSON array of field names.
CREATE TABLE pipeline_stages (
    key VARCHAR(40) PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    position INTEGER NOT NULL,
    kind VARCHAR(10) NOT NULL,
    probability_bps INTEGER NOT NULL,
    forecast_category VARCHAR(20) NOT NULL,
    required_fields TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

INSERT INTO pipeline_stages (key, name, position, kind, probability_bps, forecast_category, required_fields, active, version, created_at, updated_at) VALUES
    ('qualification', 'Qualification', 10, 'open', 1000, 'pipeline', '[]', TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('needs_analysis', 'Needs analysis', 20, 'open', 2500, 'pipeline', '[]', TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('proposal', 'Proposal', 30, 'open', 5000, 'best_case', '["amount","expected_close_date"]', TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('negotiation', 'Negotiation', 40, 'open', 7500, 'commit', '["amount","expected_close_date","account_id"]', TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('closed_won', 'Closed won', 50, 'won', 10000, 'closed', '["account_id","amount"]', TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('closed_lost', 'Closed lost', 60, 'lost', 0, 'omitted', '["loss_reason"]', TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00');

-- Why deals are lost: a dictionary an admin maintains.
CREATE TABLE loss_reasons (
    code VARCHAR(40) PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

INSERT INTO loss_reasons (code, name, position, active, version, created_at, updated_at) VALUES
    ('price', 'Price too high', 10, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('competitor', 'Lost to a competitor', 20, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('product_fit', 'Product does not fit', 30, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('no_budget', 'No budget', 40, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('no_decision', 'No decision', 50, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('timing', 'Timing', 60, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('relationship', 'Relationship', 70, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00'),
    ('other', 'Other', 80, TRUE, 1, '2026-11-28 00:00:00', '2026-11-28 00:00:00');

CREATE TABLE competitors (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL UNIQUE,
    website VARCHAR(500),
    notes TEXT,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36)
);

CREATE TABLE opportunities (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    account_id VARCHAR(36) REFERENCES accounts (id),
    contact_id VARCHAR(36) REFERENCES contacts (id),
    owner_id VARCHAR(36) NOT NULL REFERENCES users (id),
    amount BIGINT,
    currency VARCHAR(3) NOT NULL,
    expected_close_date DATE,
    stage VARCHAR(40) NOT NULL REFERENCES pipeline_stages (key),
    probability_bps INTEGER NOT NULL,
    forecast_category VARCHAR(20) NOT NULL,
    status VARCHAR(20) NOT NULL,
    loss_reason VARCHAR(40) REFERENCES loss_reasons (code),
    loss_note VARCHAR(1000),
    won_by_competitor_id VARCHAR(36) REFERENCES competitors (id),
    next_step VARCHAR(500),
    source_lead_id VARCHAR(36) REFERENCES leads (id),
    stage_entered_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    last_activity_at TIMESTAMP,
    external_id VARCHAR(128) UNIQUE,
    notes TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);
CREATE INDEX opportunities_owner_id_idx ON opportunities (owner_id, id);
CREATE INDEX opportunities_account_id_idx ON opportunities (account_id, status);
CREATE INDEX opportunities_stage_idx ON opportunities (stage, status);
CREATE INDEX opportunities_expected_close_date_idx ON opportunities (expected_close_date);
CREATE INDEX opportunities_closed_at_idx ON opportunities (closed_at);

CREATE TABLE opportunity_competitors (
    opportunity_id VARCHAR(36) NOT NULL REFERENCES opportunities (id),
    competitor_id VARCHAR(36) NOT NULL REFERENCES competitors (id),
    PRIMARY KEY (opportunity_id, competitor_id)
);
CREATE INDEX opportunity_competitors_competitor_idx ON opportunity_competitors (competitor_id);

-- Every stage or status change, with the amount and probability at that moment.
CREATE TABLE opportunity_stage_changes (
    id VARCHAR(36) PRIMARY KEY,
    opportunity_id VARCHAR(36) NOT NULL REFERENCES opportunities (id),
    action VARCHAR(20) NOT NULL,
    from_stage VARCHAR(40),
    to_stage VARCHAR(40) NOT NULL,
    from_status VARCHAR(20),
    to_status VARCHAR(20) NOT NULL,
    amount BIGINT,
    currency VARCHAR(3) NOT NULL,
    probability_bps INTEGER NOT NULL,
    actor_id VARCHAR(36),
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX opportunity_stage_changes_opportunity_idx ON opportunity_stage_changes (opportunity_id, occurred_at);
CREATE INDEX opportunity_stage_changes_to_stage_idx ON opportunity_stage_changes (to_stage, opportunity_id);

-- A follow-up (跟进记录). It links to any of a lead, account, contact and opportunity.
CREATE TABLE activities (
    id VARCHAR(36) PRIMARY KEY,
    kind VARCHAR(20) NOT NULL,
    subject VARCHAR(200) NOT NULL,
    body TEXT,
    occurred_at TIMESTAMP NOT NULL,
    next_follow_up_at TIMESTAMP,
    owner_id VARCHAR(36) NOT NULL REFERENCES users (id),
    lead_id VARCHAR(36) REFERENCES leads (id),
    account_id VARCHAR(36) REFERENCES accounts (id),
    contact_id VARCHAR(36) REFERENCES contacts (id),
    opportunity_id VARCHAR(36) REFERENCES opportunities (id),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    location_name VARCHAR(200),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);
CREATE INDEX activities_owner_id_idx ON activities (owner_id, occurred_at);
CREATE INDEX activities_lead_id_idx ON activities (lead_id);
CREATE INDEX activities_account_id_idx ON activities (account_id, occurred_at);
CREATE INDEX activities_contact_id_idx ON activities (contact_id);
CREATE INDEX activities_opportunity_id_idx ON activities (opportunity_id);
