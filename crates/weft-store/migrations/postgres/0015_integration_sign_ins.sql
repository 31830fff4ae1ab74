-- Sign-ins through an API client with OAuth (audit `Login Type: Oauth2`) are their own
-- signal, "integration" (bit 32), apart from sign-ins to Wrike itself (bit 1): someone who
-- works only through an integration is active, and reports say that this is why.
ALTER TABLE wrike_users ADD COLUMN last_integration_at BIGINT;

-- The audit records already stored are read again for it: each person's latest sign-in
-- through an integration; a last sign-in that was one of them becomes the latest UI
-- sign-in stored (none: NULL); days that had only such sign-ins lose the sign-in bit.
UPDATE wrike_users SET last_integration_at = x.at
FROM (SELECT connection_id, user_id, MAX(event_at) AS at FROM wrike_audit_records
      WHERE operation IN ('UserLoggedIn', 'UserLogout') AND user_id IS NOT NULL AND COALESCE(LOWER(TRIM(details::jsonb ->> 'Login Type')), '') = 'oauth2'
      GROUP BY connection_id, user_id) x
WHERE wrike_users.connection_id = x.connection_id AND wrike_users.id = x.user_id;

UPDATE wrike_users SET last_login_at = x.ui
FROM (SELECT connection_id, user_id, MAX(CASE WHEN NOT COALESCE(LOWER(TRIM(details::jsonb ->> 'Login Type')), '') = 'oauth2' THEN event_at END) AS ui
      FROM wrike_audit_records WHERE operation IN ('UserLoggedIn', 'UserLogout') AND user_id IS NOT NULL
      GROUP BY connection_id, user_id) x
WHERE wrike_users.connection_id = x.connection_id AND wrike_users.id = x.user_id
  AND wrike_users.last_login_at = wrike_users.last_integration_at;

UPDATE usage_days SET signals = (usage_days.signals | 32) - (CASE WHEN x.ui = 0 THEN usage_days.signals & 1 ELSE 0 END)
FROM (SELECT connection_id, event_at / 86400 AS day, user_id, MAX(CASE WHEN COALESCE(LOWER(TRIM(details::jsonb ->> 'Login Type')), '') = 'oauth2' THEN 0 ELSE 1 END) AS ui
      FROM wrike_audit_records WHERE operation IN ('UserLoggedIn', 'UserLogout') AND user_id IS NOT NULL
      GROUP BY connection_id, event_at / 86400, user_id
      HAVING MAX(CASE WHEN COALESCE(LOWER(TRIM(details::jsonb ->> 'Login Type')), '') = 'oauth2' THEN 1 ELSE 0 END) = 1) x
WHERE usage_days.connection_id = x.connection_id AND usage_days.day = x.day AND usage_days.user_id = x.user_id;

-- The kept period counts are recounted from the days on the next read.
DELETE FROM usage_period_state;
