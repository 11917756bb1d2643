-- Load the funnel benchmark's data into a migrated salesops database on PostgreSQL:
-- :opportunities opportunities (CNY, created in the current UTC quarter) spread over
-- 50 reps and every stage and status, with a stage history consistent with each path
-- (about three rows per opportunity).
--
-- Usage: psql -v opportunities=100000 -f scripts/bench_funnel.sql <database url>
-- Deterministic: every value is arithmetic on the row number.
\set ON_ERROR_STOP on

BEGIN;

INSERT INTO users (id, email, name, phone, password_hash, role, department_id, manager_id, active,
                   version, created_at, updated_at, created_by)
SELECT format('01900000-0000-7000-9000-%s', lpad(to_hex(u), 12, '0')),
       format('bench-rep-%s@example.com', u), format('Bench rep %s', u), NULL,
       'not-a-password-hash', 'rep', NULL, NULL, TRUE, 1,
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', NULL
FROM generate_series(1, 50) AS u;

-- Each opportunity's plan: how far along the open stages it got (k, 1-based), and how it ended.
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
SELECT i,
       CASE WHEN i % 20 BETWEEN 12 AND 15 THEN 4
            ELSE (ARRAY[1, 1, 1, 2, 2, 2, 3, 3, 4, 4])[1 + (i * 7) % 10] END AS k,
       CASE WHEN i % 20 <= 11 THEN 'open'
            WHEN i % 20 <= 15 THEN 'won'
            WHEN i % 20 <= 18 THEN 'lost'
            ELSE 'abandoned' END AS status,
       date_trunc('quarter', now() AT TIME ZONE 'UTC')
           + make_interval(days => i % 80, secs => i % 86400) AS created
FROM generate_series(1, :opportunities) AS i;

INSERT INTO opportunities (id, name, account_id, contact_id, owner_id, amount, currency,
    expected_close_date, stage, probability_bps, forecast_category, status, loss_reason, loss_note,
    won_by_competitor_id, next_step, source_lead_id, stage_entered_at, closed_at, last_activity_at,
    external_id, notes, version, created_at, updated_at, created_by, deleted_at, furthest_rank, lost_stage)
SELECT format('01900000-0001-7000-8000-%s', lpad(to_hex(p.i), 12, '0')),
       'Bench deal ' || p.i, NULL, NULL,
       format('01900000-0000-7000-9000-%s', lpad(to_hex(1 + p.i % 50), 12, '0')),
       CASE WHEN p.i % 11 = 0 THEN NULL ELSE (1 + p.i % 500) * 100000 END, 'CNY',
       (p.created + make_interval(days => 10 + p.i % 60))::date,
       s.key, CASE WHEN p.status = 'abandoned' THEN 0 ELSE s.probability_bps END,
       CASE WHEN p.status = 'abandoned' THEN 'omitted' ELSE s.forecast_category END,
       p.status,
       CASE WHEN p.status = 'lost' THEN 'price' END, NULL, NULL, NULL, NULL,
       p.created + make_interval(hours => p.k + 1),
       CASE WHEN p.status <> 'open' THEN p.created + make_interval(hours => p.k + 1) END,
       NULL, NULL, NULL, 1, p.created, p.created, NULL, NULL,
       -- What the stage commands keep for the funnel: the furthest stage's rank (a won deal
       -- outranks every open stage), and the lost stage a lost deal entered.
       CASE WHEN p.status = 'won' THEN 2147483647 ELSE (SELECT position FROM pipeline_stages
           WHERE key = (ARRAY['qualification', 'needs_analysis', 'proposal', 'negotiation'])[p.k]) END,
       CASE WHEN p.status = 'lost' THEN 'closed_lost' END
FROM bench_plan p
JOIN pipeline_stages s ON s.key = CASE p.status
        WHEN 'won' THEN 'closed_won'
        WHEN 'lost' THEN 'closed_lost'
        ELSE (ARRAY['qualification', 'needs_analysis', 'proposal', 'negotiation'])[p.k] END;

-- Step 1 is the creation in qualification, steps 2..k the moves up the open stages,
-- and step k + 1 the win or loss.
INSERT INTO opportunity_stage_changes (id, opportunity_id, action, from_stage, to_stage,
    from_status, to_status, amount, currency, probability_bps, actor_id, occurred_at)
SELECT format('01900000-0002-7000-8%s-%s', lpad(to_hex(step), 3, '0'), lpad(to_hex(p.i), 12, '0')),
       format('01900000-0001-7000-8000-%s', lpad(to_hex(p.i), 12, '0')),
       CASE WHEN step = 1 THEN 'create' WHEN step <= p.k THEN 'move'
            WHEN p.status = 'won' THEN 'win' ELSE 'lose' END,
       CASE WHEN step > 1 THEN (ARRAY['qualification', 'needs_analysis', 'proposal', 'negotiation'])[step - 1] END,
       CASE WHEN step <= p.k THEN (ARRAY['qualification', 'needs_analysis', 'proposal', 'negotiation'])[step]
            WHEN p.status = 'won' THEN 'closed_won' ELSE 'closed_lost' END,
       CASE WHEN step > 1 THEN 'open' END,
       CASE WHEN step <= p.k THEN 'open' ELSE p.status END,
       NULL, 'CNY', 0, NULL, p.created + make_interval(hours => step)
FROM bench_plan p
CROSS JOIN LATERAL generate_series(1, p.k + CASE WHEN p.status IN ('won', 'lost') THEN 1 ELSE 0 END) AS step;

COMMIT;

-- After a bulk load autovacuum would soon do this; the funnel's index-only scan needs the
-- visibility map it writes.
VACUUM ANALYZE users;
VACUUM ANALYZE opportunities;
VACUUM ANALYZE opportunity_stage_changes;

SELECT (SELECT count(*) FROM opportunities) AS opportunities,
       (SELECT count(*) FROM opportunity_stage_changes) AS stage_changes;
