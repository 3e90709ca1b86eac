-- itam schema, version 8, for PostgreSQL: a person's job title, phone and the location they sit
-- at (Snipe-IT's user jobtitle, phone and location_id).
ALTER TABLE people ADD COLUMN title TEXT COLLATE "C";
ALTER TABLE people ADD COLUMN phone TEXT COLLATE "C";
ALTER TABLE people ADD COLUMN location_id BIGINT REFERENCES locations(id);
