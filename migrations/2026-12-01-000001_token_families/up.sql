-- The access token issued with each refresh token, so that revoking a family
-- (on refresh-token reuse) also revokes the access tokens it handed out.
ALTER TABLE refresh_tokens ADD COLUMN access_jti VARCHAR(36);
ALTER TABLE refresh_tokens ADD COLUMN access_expires_at TIMESTAMP;
