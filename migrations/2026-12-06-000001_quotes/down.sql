DROP TABLE approval_steps;
DROP TABLE approval_requests;
DROP TABLE quote_lines;
DROP TABLE quotes;
DROP TABLE document_counters;
DROP TABLE numbering_rules;
DROP TABLE discount_authorities;
