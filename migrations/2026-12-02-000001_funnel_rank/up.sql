-- The funnel reads how far each opportunity got from one stored column instead
-- of its whole stage history: the highest rank among the stages it has been in
-- (its history's to_stage and its current stage), where an open stage ranks by
-- its position and a won stage by 2147483647 (salesops_domain::reports::WON_RANK);
-- lost stages have no rank. Each stage-history row keeps it up to date, and a
-- change to a stage's position recomputes it with this same statement.
ALTER TABLE opportunities ADD COLUMN furthest_rank INTEGER;

UPDATE opportunities SET furthest_rank = (
    SELECT MAX(CASE WHEN ps.kind = 'won' THEN 2147483647 WHEN ps.kind = 'open' THEN ps.position END)
    FROM pipeline_stages ps
    WHERE ps.key = opportunities.stage
       OR ps.key IN (SELECT sc.to_stage FROM opportunity_stage_changes sc WHERE sc.opportunity_id = opportunities.id)
);

