-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Ids are application-generated UUIDv7 strings; timestamps are UTC, set by the application.

CREATE TABLE settings (
    key VARCHAR(100) PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE departments (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    parent_id VARCHAR(36) REFERENCES departments (id),
    head_user_id VARCHAR(36),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);
CREATE INDEX departments_parent_id_idx ON departments (parent_id);

CREATE TABLE users (
    id VARCHAR(36) PRIMARY KEY,
    email VARCHAR(254) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    phone VARCHAR(40),
    password_hash TEXT NOT NULL,
    role VARCHAR(20) NOT NULL,
    department_id VARCHAR(36) REFERENCES departments (id),
    manager_id VARCHAR(36) REFERENCES users (id),
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36)
);
CREATE INDEX users_department_id_idx ON users (department_id);
CREATE INDEX users_manager_id_idx ON users (manager_id);

CREATE TABLE role_scopes (
    role VARCHAR(20) PRIMARY KEY,
    scope VARCHAR(40) NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR(36)
);

CREATE TABLE refresh_tokens (
    id VARCHAR(36) PRIMARY KEY,
    family_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL REFERENCES users (id),
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);

CREATE TABLE revoked_access_tokens (
    jti VARCHAR(36) PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE login_throttles (
    email VARCHAR(254) PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE leads (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    company VARCHAR(200),
    company_normalized VARCHAR(200),
    title VARCHAR(100),
    email VARCHAR(254),
    email_normalized VARCHAR(254),
    phone VARCHAR(40),
    phone_normalized VARCHAR(40),
    source VARCHAR(20) NOT NULL,
    industry VARCHAR(100),
    region VARCHAR(100),
    status VARCHAR(20) NOT NULL,
    owner_id VARCHAR(36) REFERENCES users (id),
    score INTEGER NOT NULL,
    next_follow_up_at TIMESTAMP,
    last_activity_at TIMESTAMP,
    disqualify_reason VARCHAR(500),
    converted_account_id VARCHAR(36),
    converted_contact_id VARCHAR(36),
    converted_opportunity_id VARCHAR(36),
    converted_at TIMESTAMP,
    external_id VARCHAR(128) UNIQUE,
    notes TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36),
    deleted_at TIMESTAMP
);
CREATE INDEX leads_owner_id_idx ON leads (owner_id, created_at, id);
CREATE INDEX leads_created_at_idx ON leads (created_at, id);
CREATE INDEX leads_status_idx ON leads (status);
CREATE INDEX leads_email_normalized_idx ON leads (email_normalized);
CREATE INDEX leads_phone_normalized_idx ON leads (phone_normalized);
CREATE INDEX leads_company_normalized_idx ON leads (company_normalized);

CREATE TABLE audit_events (
    id VARCHAR(36) PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_id VARCHAR(36),
    action VARCHAR(40) NOT NULL,
    entity_type VARCHAR(40) NOT NULL,
    entity_id VARCHAR(36) NOT NULL,
    changes TEXT NOT NULL,
    request_id VARCHAR(128)
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, occurred_at);
