-- Load :leads leads into a migrated salesops database on PostgreSQL, in one statement.
--
-- Usage: psql -v leads=100000 -v admin_email=bench@example.com -f scripts/bench/seed_leads.pg.sql <url>
--
-- Deterministic, so that wrk's Lua scripts and pgbench compute the same rows from a row number n:
--   id          0190a000-0000-7000-8000-<n as 12 decimal digits>   (a valid UUID; sorts like n)
--   created_at  2025-01-01 + n * 300 s + (n * 7919) % 300 s        (strictly increasing with n,
--                                                                    irregular gaps, ~1 year at 100k)
-- Every tenth lead sits in the pool (no owner); the others belong to the bootstrap admin.
-- The *_normalized columns hold what salesops_domain::contact_info would compute:
-- lower-cased email, digits-only phone without +86, company lower-cased without spaces.
\set ON_ERROR_STOP on

INSERT INTO leads (id, name, company, company_normalized, title, email, email_normalized, phone,
    phone_normalized, source, industry, region, status, owner_id, score, next_follow_up_at,
    last_activity_at, disqualify_reason, converted_account_id, converted_contact_id,
    converted_opportunity_id, converted_at, external_id, notes, version, created_at, updated_at,
    created_by, deleted_at)
SELECT format('0190a000-0000-7000-8000-%s', lpad(n::text, 12, '0')),
       CASE WHEN n % 3 = 0 THEN format('王%s', n) ELSE format('Lead %s', n) END,
       format('Company %s Ltd', n % 5000),
       format('company%sltd', n % 5000),
       (ARRAY['Buyer', 'CTO', 'Procurement manager', NULL])[1 + n % 4],
       format('Lead%s@Example.com', n),
       format('lead%s@example.com', n),
       format('+86 138 %s', lpad(n::text, 8, '0')),
       format('138%s', lpad(n::text, 8, '0')),
       (ARRAY['web', 'referral', 'event', 'cold_call', 'partner', 'advertisement', 'other'])[1 + n % 7],
       (ARRAY['manufacturing', 'retail', 'software', NULL])[1 + n % 4],
       (ARRAY['East China', 'North China', 'South China', NULL, 'West China'])[1 + n % 5],
       (ARRAY['new', 'new', 'new', 'new', 'working', 'working', 'working', 'qualified', 'qualified',
              'disqualified'])[1 + n % 10],
       CASE WHEN n % 10 = 0 THEN NULL ELSE a.id END,
       n % 101,
       CASE WHEN n % 2 = 0 THEN c.created_at + make_interval(days => 7) END,
       CASE WHEN n % 4 = 0 THEN c.created_at + make_interval(days => 1) END,
       CASE WHEN n % 10 = 9 THEN 'no budget' END,
       NULL, NULL, NULL, NULL, NULL,
       CASE WHEN n % 5 = 0 THEN 'Met at the trade fair' END,
       1, c.created_at, c.created_at + make_interval(hours => n % 48), a.id, NULL
FROM generate_series(1, :leads) AS n
CROSS JOIN (SELECT id FROM users WHERE email = :'admin_email') AS a
CROSS JOIN LATERAL (SELECT timestamp '2025-01-01 00:00:00'
                           + make_interval(secs => n * 300 + (n * 7919) % 300) AS created_at) AS c;

ANALYZE leads;
ANALYZE users;
SELECT count(*) AS leads FROM leads;
