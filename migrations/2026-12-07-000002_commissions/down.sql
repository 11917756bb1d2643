DROP TABLE commission_lines;
DROP TABLE commission_statements;
DROP TABLE commission_runs;
DROP TABLE credit_splits;
DROP TABLE commission_assignments;
DROP TABLE commission_tiers;
DROP TABLE commission_plan_versions;
DROP TABLE commission_plans;
