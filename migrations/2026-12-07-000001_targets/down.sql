DROP TABLE target_months;
DROP TABLE targets;
