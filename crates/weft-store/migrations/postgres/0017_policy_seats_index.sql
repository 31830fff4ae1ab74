-- What a license policy reads: every paid seat of a connection, in id order, with the
-- latest activity by each signal. One index holds it all, so the read is one walk of one
-- index (the table's rows put these columns after the whole contact as Wrike sent it).
CREATE INDEX wrike_users_policy_seats ON wrike_users (connection_id, id)
    INCLUDE (first_name, last_name, email, company_name, title, user_type_id, owner, last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, last_integration_at, seated_since)
    WHERE kind = 'Person' AND seated AND paid;
