-- Reports: the funnel's cohort is the opportunities created in a period.
CREATE INDEX opportunities_created_at_idx ON opportunities (created_at);
