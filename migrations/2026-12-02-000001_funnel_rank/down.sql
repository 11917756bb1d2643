ALTER TABLE opportunities DROP COLUMN furthest_rank;
