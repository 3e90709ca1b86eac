-- API tokens for `itam serve`. Only a SHA-256 of each token is kept; the token itself is shown
-- once, when created. Revoked tokens stay (with revoked_at) so the history can still name them.

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL,                 -- history actor for writes: 'api:' || username
    hash       TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the token
    read_only  INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    expires_on TEXT,                          -- YYYY-MM-DD: valid through that day (UTC)
    note       TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);
