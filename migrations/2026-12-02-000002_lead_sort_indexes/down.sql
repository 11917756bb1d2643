DROP INDEX leads_score_idx;
DROP INDEX leads_name_idx;
DROP INDEX leads_updated_at_idx;
