-- itam schema, version 2: room audits, purchase orders and receiving, tag sequences.

CREATE TABLE audits (
    id          INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    started_at  TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    closed_at   TEXT,
    closed_by   TEXT,
    note        TEXT
);

-- What was recorded at the location when the audit started: the audit's "expected" list.
CREATE TABLE audit_expected (
    audit_id INTEGER NOT NULL REFERENCES audits(id),
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    PRIMARY KEY (audit_id, asset_id)
) WITHOUT ROWID;

-- Every scan in an audit, in order. result: found (expected and seen), unexpected (recorded
-- elsewhere), moved (unexpected, then moved here), unknown (no asset has the code).
CREATE TABLE audit_scans (
    id       INTEGER PRIMARY KEY,
    audit_id INTEGER NOT NULL REFERENCES audits(id),
    code     TEXT NOT NULL,
    asset_id INTEGER REFERENCES assets(id),
    result   TEXT NOT NULL CHECK (result IN ('found', 'unexpected', 'moved', 'unknown')),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL
);
CREATE INDEX audit_scans_audit ON audit_scans(audit_id, asset_id);

CREATE TABLE purchase_orders (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    supplier_id INTEGER REFERENCES suppliers(id),
    ordered_on  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE po_lines (
    id        INTEGER PRIMARY KEY,
    po_id     INTEGER NOT NULL REFERENCES purchase_orders(id),
    model_id  INTEGER NOT NULL REFERENCES models(id),
    qty       INTEGER NOT NULL CHECK (qty > 0),
    unit_cost TEXT NOT NULL,
    currency  TEXT NOT NULL DEFAULT 'USD',
    UNIQUE (po_id, model_id)
);

-- Which purchase-order line an asset was received against (received = count of these).
ALTER TABLE assets ADD COLUMN po_line_id INTEGER REFERENCES po_lines(id);
CREATE INDEX assets_po_line ON assets(po_line_id) WHERE po_line_id IS NOT NULL;
CREATE INDEX assets_last_seen ON assets(COALESCE(last_seen_at, created_at)) WHERE status IN ('in_stock', 'deployed', 'in_repair');

-- Counters for generated tags (receiving), by pattern.
CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
