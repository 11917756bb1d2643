-- Products: what quotes and orders sell (capability 3).
CREATE TABLE products (
    id VARCHAR(36) PRIMARY KEY,
    sku VARCHAR(64) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    unit VARCHAR(40) NOT NULL,
    list_price BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    tax_rate_bps INTEGER NOT NULL,
    category VARCHAR(100),
    description TEXT,
    active BOOLEAN NOT NULL,
    external_id VARCHAR(128) UNIQUE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    created_by VARCHAR(36)
);
CREATE INDEX products_category_idx ON products (category, id);
