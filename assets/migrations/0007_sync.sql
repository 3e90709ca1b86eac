-- itam schema: inventory feeds (MDM and agent exports), installed software, licence match rules.
-- Serials are matched case-insensitively with spaces ignored; times are UTC ISO-8601 text.

-- What each feed last said about a device. One row per asset and source; the register's own
-- fields (status, assignee, location) are never written by a feed: differences are drift.
CREATE TABLE sync_devices (
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    source      TEXT NOT NULL CHECK (source IN ('intune','jamf','kandji','osquery','csv')),
    source_id   TEXT,                     -- the product's own device id
    hostname    TEXT,
    os          TEXT,
    os_version  TEXT,
    mdm_enrolled INTEGER CHECK (mdm_enrolled IN (0, 1)),
    mdm_user    TEXT,                     -- the MDM's primary user (UPN, email or username)
    seen_at     TEXT NOT NULL,            -- the device's last check-in, as the feed reports it
    PRIMARY KEY (asset_id, source)
) WITHOUT ROWID;

-- Serials a feed reported that no asset has (until one is added or created with --create-unknown).
CREATE TABLE sync_unknown (
    source     TEXT NOT NULL,
    serial     TEXT NOT NULL COLLATE NOCASE,   -- normalised: no spaces, upper case
    hostname   TEXT,
    mdm_user   TEXT,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (source, serial)
) WITHOUT ROWID;

-- Software titles, as the feeds name them. publisher is '' when a feed does not say.
CREATE TABLE software (
    id        INTEGER PRIMARY KEY,
    product   TEXT NOT NULL COLLATE NOCASE,
    publisher TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    UNIQUE (product, publisher)
);

-- What is installed where. A title no longer reported keeps its row with removed_at set, so
-- "seen in the last 90 days" and first-seen survive an uninstall and a reinstall.
CREATE TABLE installs (
    asset_id    INTEGER NOT NULL REFERENCES assets(id),
    software_id INTEGER NOT NULL REFERENCES software(id),
    source      TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    removed_at  TEXT,
    PRIMARY KEY (asset_id, source, software_id, version)
) WITHOUT ROWID;
-- No index by title: a sync of a fleet writes millions of these, and an index by title would
-- double that; the compliance report reads them in one pass instead.

-- Which installed titles a licence covers: case-insensitive globs (`Adobe Acrobat*`).
CREATE TABLE licence_matches (
    id             INTEGER PRIMARY KEY,
    licence_id     INTEGER NOT NULL REFERENCES licences(id),
    product_glob   TEXT NOT NULL,
    publisher_glob TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (licence_id, product_glob, publisher_glob)
);
