-- make bench (commission): :users reps, each with a booking target of 1,000,000.00 CNY a month
-- in :year and on plan :'plan' from :'quarter_start'; then :orders active orders of account
-- :'account' booked in the quarter starting :'quarter_start', owned round-robin by the reps,
-- with totals from 100.00 to 10,099.99 CNY, so that every rep crosses tier edges; every 100th
-- order is split 50/50 between its owner and the next rep. Deterministic ids keep reruns identical.
INSERT INTO users (id, email, name, password_hash, role, active, version, created_at, updated_at)
SELECT '0190c000-0000-7000-8000-' || lpad(u::text, 12, '0'), 'bench-rep-' || u || '@bench.local',
       'Bench rep ' || u, 'x', 'rep', true, 1, now(), now()
FROM generate_series(1, :users) AS u;

INSERT INTO targets (id, subject_type, subject_id, subject_key, year, metric, currency, total, version,
                     created_at, updated_at)
SELECT '0190c001-0000-7000-8000-' || lpad(u::text, 12, '0'), 'user',
       '0190c000-0000-7000-8000-' || lpad(u::text, 12, '0'), '0190c000-0000-7000-8000-' || lpad(u::text, 12, '0'),
       :year, 'booking', 'CNY', 1200000000, 1, now(), now()
FROM generate_series(1, :users) AS u;

INSERT INTO target_months (target_id, month, amount)
SELECT '0190c001-0000-7000-8000-' || lpad(u::text, 12, '0'), m, 100000000
FROM generate_series(1, :users) AS u, generate_series(1, 12) AS m;

INSERT INTO commission_assignments (id, plan_id, user_id, basis, valid_from, created_at)
SELECT '0190c002-0000-7000-8000-' || lpad(u::text, 12, '0'), :'plan',
       '0190c000-0000-7000-8000-' || lpad(u::text, 12, '0'), 'booking', DATE :'quarter_start', now()
FROM generate_series(1, :users) AS u;

INSERT INTO orders (id, number, account_id, owner_id, currency, status, subtotal, discount, tax, total,
                    max_discount_bps, collected, refunded, booked_at, version, created_at, updated_at)
SELECT '0190c003-0000-7000-8000-' || lpad(n::text, 12, '0'), 'BENCH-SO-' || lpad(n::text, 8, '0'), :'account',
       '0190c000-0000-7000-8000-' || lpad((n % :users + 1)::text, 12, '0'), 'CNY', 'active',
       10000 + (n::bigint * 7919) % 1000000, 0, 0, 10000 + (n::bigint * 7919) % 1000000, 0, 0, 0,
       DATE :'quarter_start' + (n % 90), 1, now(), now()
FROM generate_series(1, :orders) AS n;

INSERT INTO credit_splits (order_id, position, user_id, share_bps)
SELECT '0190c003-0000-7000-8000-' || lpad(n::text, 12, '0'), k,
       '0190c000-0000-7000-8000-' || lpad(((n + k - 1) % :users + 1)::text, 12, '0'), 5000
FROM generate_series(100, :orders, 100) AS n, generate_series(1, 2) AS k;

ANALYZE users;
ANALYZE targets;
ANALYZE target_months;
ANALYZE commission_assignments;
ANALYZE orders;
ANALYZE credit_splits;
