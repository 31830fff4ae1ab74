-- Schema 5: Otto was disabled; Ana's token got an expiry; a sign-in lockout is on record;
-- the consent was begun with PKCE.
UPDATE users SET disabled_at = 1788600000 WHERE id = 'usr_otto';
UPDATE api_tokens SET expires_at = 4102444800, last_used_at = 1788600100 WHERE id = 'tok_ana01';
INSERT INTO sign_in_failures (key, failures, last_failure_at, locked_until) VALUES
    ('account:mallory', 7, 1788600200, 1788600500);
INSERT INTO trail (at, actor, action, target, before_json, after_json) VALUES
    (1788600000, 'ada', 'user.disable', 'otto', NULL, NULL);
