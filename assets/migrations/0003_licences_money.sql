-- itam schema, version 3: software licences and their seats, depreciation rules, maintenance.
-- Money is decimal text with its ISO 4217 currency beside it; dates are ISO-8601 text.

CREATE TABLE licences (
    id           INTEGER PRIMARY KEY,
    product      TEXT NOT NULL,
    vendor       TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('per_user','per_device','site','subscription')),
    seats        INTEGER CHECK (seats IS NULL OR seats >= 0),     -- NULL: unlimited
    cost         TEXT,                                            -- decimal text
    currency     TEXT,
    cost_basis   TEXT NOT NULL DEFAULT 'total' CHECK (cost_basis IN ('per_seat','total')),
    cost_period  TEXT NOT NULL DEFAULT 'one_time' CHECK (cost_period IN ('one_time','monthly','annual')),
    starts_on    TEXT,
    renews_on    TEXT,                                            -- the next renewal, if it renews
    expires_on   TEXT,                                            -- the end, if it expires
    licence_key  TEXT,                                            -- shown masked unless --reveal
    notes        TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX licences_product ON licences(product COLLATE NOCASE);

-- One row per seat in use: to a person or to an asset, never both. Unassigning deletes the row
-- (the events table keeps the history). `breach` marks a seat forced past the seats owned.
CREATE TABLE licence_seats (
    id          INTEGER PRIMARY KEY,
    licence_id  INTEGER NOT NULL REFERENCES licences(id),
    person_id   INTEGER REFERENCES people(id),
    asset_id    INTEGER REFERENCES assets(id),
    assigned_at TEXT NOT NULL,
    breach      INTEGER NOT NULL DEFAULT 0 CHECK (breach IN (0, 1)),
    note        TEXT,
    CHECK ((person_id IS NULL) <> (asset_id IS NULL))
);
CREATE UNIQUE INDEX licence_seats_person ON licence_seats(licence_id, person_id) WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX licence_seats_asset ON licence_seats(licence_id, asset_id) WHERE asset_id IS NOT NULL;
CREATE INDEX licence_seats_by_person ON licence_seats(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX licence_seats_by_asset ON licence_seats(asset_id) WHERE asset_id IS NOT NULL;

-- How assets lose value. One rule per asset, per model or per category; an asset uses its own
-- rule, else its model's, else its category's, else the built-in default (straight-line,
-- 36 months, no salvage, full-month convention).
CREATE TABLE depreciation_rules (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER UNIQUE REFERENCES assets(id),
    model_id    INTEGER UNIQUE REFERENCES models(id),
    category_id INTEGER UNIQUE REFERENCES categories(id),
    method      TEXT NOT NULL CHECK (method IN ('straight_line','declining_150','declining_200','sum_of_years')),
    life_months INTEGER NOT NULL CHECK (life_months > 0),
    salvage     TEXT,                                             -- '100.00' (amount) or '10%'
    convention  TEXT NOT NULL DEFAULT 'full_month' CHECK (convention IN ('full_month','half_year')),
    updated_at  TEXT NOT NULL,
    CHECK ((asset_id IS NOT NULL) + (model_id IS NOT NULL) + (category_id IS NOT NULL) = 1)
);

CREATE TABLE maintenance (
    id           INTEGER PRIMARY KEY,
    asset_id     INTEGER NOT NULL REFERENCES assets(id),
    kind         TEXT NOT NULL CHECK (kind IN ('repair','upgrade','warranty','calibration','other')),
    started_on   TEXT NOT NULL,
    completed_on TEXT,
    cost         TEXT,
    currency     TEXT,
    vendor       TEXT,
    note         TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX maintenance_asset ON maintenance(asset_id);
