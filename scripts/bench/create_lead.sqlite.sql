-- POST /api/v1/leads on SQLite: create_lead.pg.sql as the server runs it on SQLite: a write
-- transaction begun IMMEDIATE (crates/persistence/src/connection.rs, write_transaction), the
-- duplicate checks, the lead (every column, NULL where it has no value, as diesel writes it) and
-- its audit event, with a new person each time and fresh UUIDv7 ids.
\set s1 new
\set s2 working
\set s3 qualified
\set fifty 50
\set name Reference person
\set company Reference Company 1 Ltd
\set company_normalized referencecompany1ltd
\set source web
\set status new
\set zero 0
\set one 1
\set action create
\set entity_type lead
\set request_id 01a23453-3a15-762d-8046-268de6a5aef0
\set changes {"company":{"before":null,"after":"Reference Company 1 Ltd"},"created_at":{"before":null,"after":"2026-12-02T01:16:39.324444Z"},"created_by":{"before":null,"after":"01a23452-fab6-7726-b443-9b3645ea66d5"},"email":{"before":null,"after":"Ref-1-1@Example.com"},"id":{"before":null,"after":"01a23453-3a1c-725f-9b95-e79ecd173dfa"},"name":{"before":null,"after":"Reference person 1-1"},"owner_id":{"before":null,"after":"01a23452-fab6-7726-b443-9b3645ea66d5"},"phone":{"before":null,"after":"+86 13710000001"},"score":{"before":null,"after":0},"source":{"before":null,"after":"web"},"status":{"before":null,"after":"new"}}
BEGIN IMMEDIATE;
SELECT `leads`.`id`, `leads`.`name`, `leads`.`company`, `leads`.`owner_id`, `leads`.`status`, `leads`.`email_normalized`, `leads`.`phone_normalized`, `leads`.`company_normalized` FROM `leads` WHERE (((`leads`.`deleted_at` IS NULL) AND (`leads`.`status` IN (:s1, :s2, :s3))) AND ((`leads`.`email_normalized` = :email_normalized) OR (`leads`.`phone_normalized` = :phone_normalized))) ORDER BY `leads`.`id` LIMIT :fifty;
SELECT `contacts`.`id`, `contacts`.`name`, `contacts`.`account_id`, `contacts`.`email_normalized`, `contacts`.`phone_normalized`, `accounts`.`name`, `accounts`.`owner_id` FROM (`contacts` INNER JOIN `accounts` ON (`contacts`.`account_id` = `accounts`.`id`)) WHERE (((`contacts`.`deleted_at` IS NULL) AND (`accounts`.`deleted_at` IS NULL)) AND ((`contacts`.`email_normalized` = :email_normalized) OR (`contacts`.`phone_normalized` = :phone_normalized))) ORDER BY `contacts`.`id` LIMIT :fifty;
INSERT INTO `leads` (`id`, `name`, `company`, `company_normalized`, `title`, `email`, `email_normalized`, `phone`, `phone_normalized`, `source`, `industry`, `region`, `status`, `owner_id`, `score`, `next_follow_up_at`, `last_activity_at`, `disqualify_reason`, `converted_account_id`, `converted_contact_id`, `converted_opportunity_id`, `converted_at`, `external_id`, `notes`, `version`, `created_at`, `updated_at`, `created_by`, `deleted_at`) VALUES (:new_id, :name, :company, :company_normalized, NULL, :email, :email_normalized, :phone, :phone_normalized, :source, NULL, NULL, :status, :admin, :zero, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, :one, :now, :now, :admin, NULL);
INSERT INTO `audit_events` (`id`, `occurred_at`, `actor_id`, `action`, `entity_type`, `entity_id`, `changes`, `request_id`) VALUES (:new_id2, :now, :admin, :action, :entity_type, :new_id, :changes, :request_id);
COMMIT;
