-- Single sign-on (OpenID Connect). A user signs in with a password or through the identity
-- provider, never both: `sign_in` says which. An identity (the provider's issuer and its
-- subject, which never changes for a person) is linked to one hub user at the first sign-in.
-- A sign-in in progress is a state row: single use, short-lived, shared by every instance.
ALTER TABLE users ADD COLUMN sign_in TEXT NOT NULL DEFAULT 'password' CHECK (sign_in IN ('password', 'sso'));

CREATE TABLE sso_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    linked_at INTEGER NOT NULL,
    last_sign_in_at INTEGER,
    PRIMARY KEY (issuer, subject)
);
-- A user has one identity per provider: two first sign-ins racing for one user cannot
-- both link.
CREATE UNIQUE INDEX sso_identities_one_per_user ON sso_identities (issuer, user_id);

CREATE TABLE sso_states (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
