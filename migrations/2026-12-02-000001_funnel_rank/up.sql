-- The funnel reads how far each opportunity got from two stored columns instead
-- of its whole stage history, in one pass over the period's opportunities:
--   furthest_rank  the highest rank among the stages it has been in (its history's
--                  to_stage and its current stage), where an open stage ranks by its
--                  position and a won stage by 2147483647 (salesops_domain::reports::WON_RANK);
--                  lost stages have no rank;
--   lost_stage     the lost stage it entered last, if it ever entered one.
-- Each stage-history row keeps them up to date, and a change to a stage's position
-- recomputes them, with this same statement.
ALTER TABLE opportunities ADD COLUMN furthest_rank INTEGER;
ALTER TABLE opportunities ADD COLUMN lost_stage VARCHAR(40);

UPDATE opportunities SET
    furthest_rank = (
        SELECT MAX(CASE WHEN ps.kind = 'won' THEN 2147483647 WHEN ps.kind = 'open' THEN ps.position END)
        FROM pipeline_stages ps
        WHERE ps.key = opportunities.stage
           OR ps.key IN (SELECT sc.to_stage FROM opportunity_stage_changes sc WHERE sc.opportunity_id = opportunities.id)
    ),
    lost_stage = COALESCE(
        (SELECT ps.key FROM pipeline_stages ps WHERE ps.key = opportunities.stage AND ps.kind = 'lost'),
        (SELECT sc.to_stage FROM opportunity_stage_changes sc JOIN pipeline_stages ps ON ps.key = sc.to_stage
         WHERE sc.opportunity_id = opportunities.id AND ps.kind = 'lost' ORDER BY sc.id DESC LIMIT 1)
    );

-- The funnel's cohort, readable from the index alone: live opportunities by creation time.
CREATE INDEX opportunities_funnel_idx ON opportunities (created_at, currency, owner_id, stage, furthest_rank, lost_stage, amount, probability_bps)
    WHERE deleted_at IS NULL;
