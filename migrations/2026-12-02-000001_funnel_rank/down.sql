DROP INDEX opportunities_funnel_idx;
ALTER TABLE opportunities DROP COLUMN lost_stage;
ALTER TABLE opportunities DROP COLUMN furthest_rank;
