-- The SQLite twin of seed_leads.pg.sql: the same rows, through the sqlite3 CLI.
--
-- Usage: sqlite3 -cmd '.parameter set :leads 100000' \
--                -cmd ".parameter set :admin_email 'bench@example.com'" bench.db < seed_leads.sqlite.sql
--
-- Timestamps are written the way diesel writes a NaiveDateTime on SQLite ('%F %T%.f', so
-- 'YYYY-MM-DD HH:MM:SS' for whole seconds): keyset cursors compare them as text.
.bail on
BEGIN;
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :leads),
rows AS (
    SELECT n, datetime('2025-01-01 00:00:00', format('+%d seconds', n * 300 + (n * 7919) % 300)) AS created_at
    FROM seq
)
INSERT INTO leads (id, name, company, company_normalized, title, email, email_normalized, phone,
    phone_normalized, source, industry, region, status, owner_id, score, next_follow_up_at,
    last_activity_at, disqualify_reason, converted_account_id, converted_contact_id,
    converted_opportunity_id, converted_at, external_id, notes, version, created_at, updated_at,
    created_by, deleted_at)
SELECT format('0190a000-0000-7000-8000-%012d', n),
       CASE WHEN n % 3 = 0 THEN format('王%d', n) ELSE format('Lead %d', n) END,
       format('Company %d Ltd', n % 5000),
       format('company%dltd', n % 5000),
       CASE n % 4 WHEN 0 THEN 'Buyer' WHEN 1 THEN 'CTO' WHEN 2 THEN 'Procurement manager' END,
       format('Lead%d@Example.com', n),
       format('lead%d@example.com', n),
       format('+86 138 %08d', n),
       format('138%08d', n),
       CASE n % 7 WHEN 0 THEN 'web' WHEN 1 THEN 'referral' WHEN 2 THEN 'event' WHEN 3 THEN 'cold_call'
                  WHEN 4 THEN 'partner' WHEN 5 THEN 'advertisement' ELSE 'other' END,
       CASE n % 4 WHEN 0 THEN 'manufacturing' WHEN 1 THEN 'retail' WHEN 2 THEN 'software' END,
       CASE n % 5 WHEN 0 THEN 'East China' WHEN 1 THEN 'North China' WHEN 2 THEN 'South China'
                  WHEN 4 THEN 'West China' END,
       CASE WHEN n % 10 < 4 THEN 'new' WHEN n % 10 < 7 THEN 'working' WHEN n % 10 < 9 THEN 'qualified'
            ELSE 'disqualified' END,
       CASE WHEN n % 10 = 0 THEN NULL ELSE a.id END,
       n % 101,
       CASE WHEN n % 2 = 0 THEN datetime(created_at, '+7 days') END,
       CASE WHEN n % 4 = 0 THEN datetime(created_at, '+1 days') END,
       CASE WHEN n % 10 = 9 THEN 'no budget' END,
       NULL, NULL, NULL, NULL, NULL,
       CASE WHEN n % 5 = 0 THEN 'Met at the trade fair' END,
       1, created_at, datetime(created_at, format('+%d hours', n % 48)), a.id, NULL
FROM rows
CROSS JOIN (SELECT id FROM users WHERE email = :admin_email) AS a;
COMMIT;
-- No ANALYZE: a SQLite file in production has no sqlite_stat1 unless someone runs it, and the server does not.
SELECT count(*) AS leads FROM leads;
