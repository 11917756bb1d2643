-- Every sort a lead list allows reads its pages from an index on (key, id), the
-- keyset the cursor carries: created_at already has one (leads_created_at_idx).
CREATE INDEX leads_updated_at_idx ON leads (updated_at, id);
CREATE INDEX leads_name_idx ON leads (name, id);
CREATE INDEX leads_score_idx ON leads (score, id);
