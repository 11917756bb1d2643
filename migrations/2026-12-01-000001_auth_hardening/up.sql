-- The access token issued with each refresh token, so that revoking a family
-- (on refresh-token reuse) also revokes the access tokens it handed out.
ALTER TABLE refresh_tokens ADD COLUMN access_jti VARCHAR(36);
ALTER TABLE refresh_tokens ADD COLUMN access_expires_at TIMESTAMP;

-- Login throttles are kept per client address and per (email, address) as
-- well as per email, and count attempts as they start (so parallel attempts
-- cannot overrun the limit): the key names what is throttled.
DELETE FROM login_throttles;
ALTER TABLE login_throttles RENAME COLUMN email TO throttle_key;
ALTER TABLE login_throttles RENAME COLUMN failures TO attempts;
