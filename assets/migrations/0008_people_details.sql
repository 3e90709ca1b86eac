-- A person's job title, phone and the location they sit at (Snipe-IT's user jobtitle, phone
-- and location_id), so an import from Snipe-IT keeps them.
ALTER TABLE people ADD COLUMN title TEXT;
ALTER TABLE people ADD COLUMN phone TEXT;
ALTER TABLE people ADD COLUMN location_id INTEGER REFERENCES locations(id);
