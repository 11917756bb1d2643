DELETE FROM login_throttles;
ALTER TABLE login_throttles RENAME COLUMN attempts TO failures;
ALTER TABLE login_throttles RENAME COLUMN throttle_key TO email;

ALTER TABLE refresh_tokens DROP COLUMN access_expires_at;
ALTER TABLE refresh_tokens DROP COLUMN access_jti;
