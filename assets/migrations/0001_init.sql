-- itam schema, version 1. Plain names so that a person can query it with the sqlite3 shell.
-- Names that people type are compared case-insensitively (COLLATE NOCASE) and stored trimmed.
-- Money is decimal text (e.g. '1299.00'); dates are ISO-8601 text; times are UTC ('...Z').

CREATE TABLE manufacturers (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE categories (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE suppliers (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE models (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    manufacturer_id INTEGER REFERENCES manufacturers(id),
    category_id     INTEGER REFERENCES categories(id),
    model_number    TEXT
);

CREATE TABLE locations (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE COLLATE NOCASE,   -- what the location's label scans as
    name       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES locations(id),
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    username   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name  TEXT NOT NULL,
    email      TEXT,
    badge      TEXT UNIQUE COLLATE NOCASE,            -- what the person's badge scans as
    team_id    INTEGER REFERENCES teams(id),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
);

CREATE TABLE assets (
    id              INTEGER PRIMARY KEY,
    tag             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    serial          TEXT UNIQUE COLLATE NOCASE,
    name            TEXT,
    model_id        INTEGER REFERENCES models(id),
    manufacturer_id INTEGER REFERENCES manufacturers(id),
    category_id     INTEGER REFERENCES categories(id),
    status          TEXT NOT NULL CHECK (status IN
                      ('ordered','in_stock','deployed','in_repair','lost','retired','disposed')),
    condition       TEXT NOT NULL DEFAULT 'good' CHECK (condition IN
                      ('new','good','fair','poor','broken')),
    condition_note  TEXT,
    location_id     INTEGER REFERENCES locations(id),
    assignee_id     INTEGER REFERENCES people(id),   -- who has it now (deployed only)
    assigned_at     TEXT,
    due_date        TEXT,
    owner_person_id INTEGER REFERENCES people(id),   -- who is responsible for it: a person ...
    owner_team_id   INTEGER REFERENCES teams(id),    -- ... or a team, never both
    supplier_id     INTEGER REFERENCES suppliers(id),
    order_number    TEXT,
    purchase_date   TEXT,
    purchase_cost   TEXT,
    currency        TEXT,
    warranty_until  TEXT,
    eol_date        TEXT,
    notes           TEXT,
    last_seen_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,      -- bumped by every write; lets a UI detect a lost race
    CHECK (owner_person_id IS NULL OR owner_team_id IS NULL),
    CHECK ((status = 'deployed') = (assignee_id IS NOT NULL))
);
CREATE INDEX assets_status ON assets(status);
CREATE INDEX assets_location ON assets(location_id);
CREATE INDEX assets_assignee ON assets(assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX assets_model ON assets(model_id);

CREATE TABLE disposals (
    asset_id    INTEGER PRIMARY KEY REFERENCES assets(id),
    method      TEXT NOT NULL CHECK (method IN ('recycle','resale','donate','destroy','return_to_lessor')),
    disposed_on TEXT NOT NULL,
    wipe        TEXT NOT NULL CHECK (wipe IN ('none','clear','purge','destroy')),
    certificate TEXT,
    proceeds    TEXT,
    recipient   TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL
);

-- The history: append-only. Every write to the tables above appends here in the same transaction.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    asset_id INTEGER REFERENCES assets(id),   -- NULL for events about people or locations
    subject  TEXT,                            -- e.g. 'person:jdoe' when asset_id is NULL
    kind     TEXT NOT NULL,                   -- create, checkout, checkin, move, condition, status, ...
    actor    TEXT NOT NULL,                   -- the OS user of the process that wrote it
    at       TEXT NOT NULL,                   -- UTC, ISO-8601
    before   TEXT,                            -- JSON object of the fields as they were
    after    TEXT,                            -- JSON object of the fields as they became
    note     TEXT
);
CREATE INDEX events_asset ON events(asset_id, id) WHERE asset_id IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the events table is append-only: history cannot be changed');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the events table is append-only: history cannot be deleted');
END;
