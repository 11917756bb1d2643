-- Quotes with discount approval (capability 3), and the configuration they read:
-- the discount each role may give, and the numbering rule of each document type.

-- 折扣权限: a role's largest line discount without approval; NULL is unlimited.
-- A role without a row has the domain default (rep 1000, manager 2000, finance 0, admin unlimited).
CREATE TABLE discount_authorities (
    role VARCHAR(16) PRIMARY KEY,
    max_discount_bps INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR(36) REFERENCES users (id)
);

-- A document type's number format; a type without a row has the default prefix and width.
CREATE TABLE numbering_rules (
    document_type VARCHAR(16) PRIMARY KEY,
    prefix VARCHAR(16) NOT NULL,
    counter_width INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR(36) REFERENCES users (id)
);

-- The last number handed out per document type and business day. Taking the next one
-- updates this row in the document's own transaction, so concurrent writers queue on it.
CREATE TABLE document_counters (
    document_type VARCHAR(16) NOT NULL,
    day DATE NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (document_type, day)
);

CREATE TABLE quotes (
    id VARCHAR(36) PRIMARY KEY,
    number VARCHAR(64) NOT NULL UNIQUE,
    opportunity_id VARCHAR(36) NOT NULL REFERENCES opportunities (id),
    currency VARCHAR(3) NOT NULL,
    status VARCHAR(24) NOT NULL,
    valid_until DATE NOT NULL,
    subtotal BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL,
    max_discount_bps INTEGER NOT NULL,
    approval_request_id VARCHAR(36),
    rejection_reason TEXT,
    notes TEXT,
    submitted_at TIMESTAMP,
    sent_at TIMESTAMP,
    accepted_at TIMESTAMP,
    rejected_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id),
    deleted_at TIMESTAMP
);
CREATE INDEX quotes_opportunity_idx ON quotes (opportunity_id, id);

CREATE TABLE quote_lines (
    id VARCHAR(36) PRIMARY KEY,
    quote_id VARCHAR(36) NOT NULL REFERENCES quotes (id),
    position INTEGER NOT NULL,
    product_id VARCHAR(36) NOT NULL REFERENCES products (id),
    description VARCHAR(200) NOT NULL,
    unit VARCHAR(40) NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    discount_bps INTEGER NOT NULL,
    tax_rate_bps INTEGER NOT NULL,
    gross BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    net BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL,
    UNIQUE (quote_id, position)
);

-- One submission of a document for approval; its steps climb the submitter's reporting line.
CREATE TABLE approval_requests (
    id VARCHAR(36) PRIMARY KEY,
    document_type VARCHAR(16) NOT NULL,
    document_id VARCHAR(36) NOT NULL,
    status VARCHAR(16) NOT NULL,
    submitted_by VARCHAR(36) NOT NULL REFERENCES users (id),
    discount_bps INTEGER NOT NULL,
    total BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    current_step INTEGER NOT NULL,
    current_approver_id VARCHAR(36) REFERENCES users (id),
    decided_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX approval_requests_document_idx ON approval_requests (document_type, document_id);
-- The approver's inbox: requests waiting on them (set only while pending).
CREATE INDEX approval_requests_inbox_idx ON approval_requests (current_approver_id, id);

CREATE TABLE approval_steps (
    request_id VARCHAR(36) NOT NULL REFERENCES approval_requests (id),
    position INTEGER NOT NULL,
    approver_id VARCHAR(36) NOT NULL REFERENCES users (id),
    decision VARCHAR(16),
    decided_by VARCHAR(36) REFERENCES users (id),
    decided_at TIMESTAMP,
    comment TEXT,
    PRIMARY KEY (request_id, position)
);
-- Who may read a request: its approvers, found by approver.
CREATE INDEX approval_steps_approver_idx ON approval_steps (approver_id, request_id);
