-- Schema 16: the 120-day renewal reminder went out; Ana takes the weekly digest.
INSERT INTO usage_renewal_reminders (connection_id, renewal_date, days_before, sent_at, channels) VALUES
    ('conn_acme01', '2027-03-01', 120, 1793491200, '["email"]');
INSERT INTO usage_digest_subscriptions (user_id, email, subscribed_at) VALUES
    ('usr_ana', 'ana@acme.example', 1793491300);
INSERT INTO usage_digests_sent (user_id, week, sent_at) VALUES
    ('usr_ana', '2026-W45', 1793577600);
