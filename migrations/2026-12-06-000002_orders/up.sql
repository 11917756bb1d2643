-- Orders and contracts (订单/合同), their deliveries, payment plans (回款计划),
-- payments (回款) and refunds (capability 3).

CREATE TABLE orders (
    id VARCHAR(36) PRIMARY KEY,
    number VARCHAR(64) NOT NULL UNIQUE,
    account_id VARCHAR(36) NOT NULL REFERENCES accounts (id),
    opportunity_id VARCHAR(36) REFERENCES opportunities (id),
    quote_id VARCHAR(36) REFERENCES quotes (id),
    owner_id VARCHAR(36) NOT NULL REFERENCES users (id),
    currency VARCHAR(3) NOT NULL,
    status VARCHAR(24) NOT NULL,
    subtotal BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL,
    max_discount_bps INTEGER NOT NULL,
    -- Confirmed payments and refunds so far, kept with every confirmation and refund.
    collected BIGINT NOT NULL,
    refunded BIGINT NOT NULL,
    approval_request_id VARCHAR(36),
    signed_at DATE,
    start_date DATE,
    end_date DATE,
    -- The booking date (业绩 by booking): the activation's business day, or a back-dated one.
    booked_at DATE,
    submitted_at TIMESTAMP,
    fulfilled_at TIMESTAMP,
    completed_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    notes TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id),
    deleted_at TIMESTAMP
);
CREATE INDEX orders_owner_idx ON orders (owner_id, id);
CREATE INDEX orders_account_idx ON orders (account_id, id);
CREATE INDEX orders_booked_idx ON orders (booked_at, owner_id);
-- A quote becomes at most one (live) order.
CREATE UNIQUE INDEX orders_quote_idx ON orders (quote_id) WHERE deleted_at IS NULL AND quote_id IS NOT NULL;

CREATE TABLE order_lines (
    id VARCHAR(36) PRIMARY KEY,
    order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
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
    -- Thousandths shipped so far.
    delivered BIGINT NOT NULL,
    UNIQUE (order_id, position)
);

CREATE TABLE deliveries (
    id VARCHAR(36) PRIMARY KEY,
    order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
    shipped_at DATE NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id)
);
CREATE INDEX deliveries_order_idx ON deliveries (order_id, id);

CREATE TABLE delivery_lines (
    delivery_id VARCHAR(36) NOT NULL REFERENCES deliveries (id),
    order_line_id VARCHAR(36) NOT NULL REFERENCES order_lines (id),
    quantity BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, order_line_id)
);

CREATE TABLE instalments (
    id VARCHAR(36) PRIMARY KEY,
    order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    due_date DATE NOT NULL,
    amount BIGINT NOT NULL,
    -- Confirmed money settled on it, net of refunds.
    paid BIGINT NOT NULL,
    note VARCHAR(500),
    UNIQUE (order_id, position)
);
-- The aging report reads open instalments by due date.
CREATE INDEX instalments_due_idx ON instalments (due_date, order_id);

CREATE TABLE payments (
    id VARCHAR(36) PRIMARY KEY,
    order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
    instalment_id VARCHAR(36) REFERENCES instalments (id),
    amount BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    received_at DATE NOT NULL,
    method VARCHAR(24) NOT NULL,
    reference VARCHAR(128),
    status VARCHAR(16) NOT NULL,
    -- The collection date (业绩 by collection): the business day of the confirmation.
    confirmed_on DATE,
    confirmed_at TIMESTAMP,
    confirmed_by VARCHAR(36) REFERENCES users (id),
    refunded BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id)
);
CREATE INDEX payments_order_idx ON payments (order_id, id);

-- How a confirmed payment settled instalments; refunds take back from these.
CREATE TABLE payment_allocations (
    payment_id VARCHAR(36) NOT NULL REFERENCES payments (id),
    instalment_id VARCHAR(36) NOT NULL REFERENCES instalments (id),
    amount BIGINT NOT NULL,
    PRIMARY KEY (payment_id, instalment_id)
);

CREATE TABLE refunds (
    id VARCHAR(36) PRIMARY KEY,
    payment_id VARCHAR(36) NOT NULL REFERENCES payments (id),
    order_id VARCHAR(36) NOT NULL REFERENCES orders (id),
    amount BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    reason TEXT NOT NULL,
    refunded_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36) REFERENCES users (id)
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, id);
