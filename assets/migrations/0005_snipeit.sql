-- Moving from Snipe-IT: custom fields (MAC address, IMEI, RAM, OS, ...) and an asset's home.
-- A field is defined once and holds text; its kind says how values are checked (a number, a
-- date as YYYY-MM-DD, a yes/no), its optional format narrows text (e.g. 'mac').
CREATE TABLE custom_fields (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('text','number','date','boolean')),
    format     TEXT,
    created_at TEXT NOT NULL
);

-- One value per asset and field; no row means no value. Changes are events (kind 'field').
CREATE TABLE asset_field_values (
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    field_id INTEGER NOT NULL REFERENCES custom_fields(id),
    value    TEXT NOT NULL,
    PRIMARY KEY (asset_id, field_id)
);
CREATE INDEX asset_field_values_field ON asset_field_values(field_id, value);

-- Where the asset lives when nobody has it (Snipe-IT's rtd_location, "Default Location"): a
-- check-in puts it there unless another place is scanned.
ALTER TABLE assets ADD COLUMN home_location_id INTEGER REFERENCES locations(id);
