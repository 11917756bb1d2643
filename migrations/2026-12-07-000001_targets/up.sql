-- Sales targets (业绩目标, capability 4): one per subject (the company, a department or a
-- user), year and metric, with twelve monthly amounts; quarters and the year are sums.

CREATE TABLE targets (
    id VARCHAR(36) PRIMARY KEY,
    -- company | department | user
    subject_type VARCHAR(16) NOT NULL,
    -- The department or user; NULL for the company.
    subject_id VARCHAR(36),
    -- subject_id, or 'company': what the uniqueness rule keys on.
    subject_key VARCHAR(36) NOT NULL,
    year INTEGER NOT NULL,
    -- booking | collection
    metric VARCHAR(16) NOT NULL,
    currency VARCHAR(3) NOT NULL,
    -- The sum of the twelve months.
    total BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id),
    deleted_at TIMESTAMP
);
-- One live target per subject, year and metric (409 duplicate).
CREATE UNIQUE INDEX targets_subject_idx ON targets (subject_key, year, metric) WHERE deleted_at IS NULL;
CREATE INDEX targets_year_idx ON targets (year, metric, subject_type);

-- A target's amount for one month (1-12), in the target's currency.
CREATE TABLE target_months (
    target_id VARCHAR(36) NOT NULL REFERENCES targets (id),
    month INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (target_id, month)
);
