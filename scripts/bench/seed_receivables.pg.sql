-- make bench (aging): :orders active or fulfilled orders of the account :'account', owned by
-- :'owner', each with four instalments of 1,000.00 CNY due 30 days apart, so that 4 × :orders
-- instalments spread over every aging bucket: the first one paid, the second 40% paid, the rest open.
-- Deterministic ids (a row number in the last group) keep reruns identical.
INSERT INTO orders (id, number, account_id, owner_id, currency, status, subtotal, discount, tax, total,
                    max_discount_bps, collected, refunded, booked_at, version, created_at, updated_at)
SELECT '0190b000-0000-7000-8000-' || lpad(n::text, 12, '0'), 'BENCH-' || lpad(n::text, 8, '0'),
       :'account', :'owner', 'CNY', CASE WHEN n % 5 = 0 THEN 'fulfilled' ELSE 'active' END,
       400000, 0, 0, 400000, 0, 140000, 0, current_date - (n % 400), 1, now(), now()
FROM generate_series(1, :orders) AS n;

INSERT INTO instalments (id, order_id, position, due_date, amount, paid)
SELECT '0190b001-0000-7000-8000-' || lpad((n * 4 + k)::text, 12, '0'),
       '0190b000-0000-7000-8000-' || lpad(n::text, 12, '0'), k + 1,
       current_date - (n % 400) + k * 30, 100000,
       CASE k WHEN 0 THEN 100000 WHEN 1 THEN 40000 ELSE 0 END
FROM generate_series(1, :orders) AS n, generate_series(0, 3) AS k;

ANALYZE orders;
ANALYZE instalments;
