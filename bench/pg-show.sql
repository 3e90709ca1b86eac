-- The statements `itam show TAG` runs on PostgreSQL, in order, as the server log shows them
-- (log_min_duration_statement = 0), with the tag as psql variable :tag. bench/pg-bench.sh times
-- psql running this file against `itam show` on the same database. The store's `col = ?` on
-- a case-insensitive column reaches the server as `lower(col) = lower($1)` (served by the
-- schema's lower() unique indexes), so this file says the same; ids the store reads first and
-- passes on are subqueries here.
SELECT pg_is_in_recovery(), session_user::text;
SELECT to_regclass('schema_version') IS NOT NULL;
SELECT version FROM schema_version;
SELECT to_regclass('chain_lock') IS NULL OR has_table_privilege('chain_lock', 'UPDATE');
SELECT 1 FROM locations WHERE lower(code) = lower(:'tag');
SELECT p.username, p.full_name, p.email, p.badge, t.name, p.active,
       (SELECT count(*) FROM assets a WHERE a.assignee_id = p.id),
       p.title, p.phone, lo.code
FROM people p LEFT JOIN teams t ON t.id = p.team_id
LEFT JOIN locations lo ON lo.id = p.location_id WHERE lower(p.badge) = lower(:'tag');
SELECT id FROM assets WHERE lower(tag) = lower(:'tag');
SELECT a.id, a.tag, a.serial, a.name, m.name, mf.name, c.name, a.status, a.condition,
       l.code, l.name, p.username, p.full_name, a.assigned_at, a.due_date,
       COALESCE(op.username, ot.name), s.name, a.order_number, a.purchase_date, a.purchase_cost,
       a.currency, a.warranty_until, a.eol_date, a.notes, a.last_seen_at, a.created_at,
       a.updated_at, a.version
FROM assets a
LEFT JOIN models m ON m.id = a.model_id
LEFT JOIN manufacturers mf ON mf.id = a.manufacturer_id
LEFT JOIN categories c ON c.id = a.category_id
LEFT JOIN locations l ON l.id = a.location_id
LEFT JOIN people p ON p.id = a.assignee_id
LEFT JOIN people op ON op.id = a.owner_person_id
LEFT JOIN teams ot ON ot.id = a.owner_team_id
LEFT JOIN suppliers s ON s.id = a.supplier_id
WHERE a.id = (SELECT id FROM assets WHERE lower(tag) = lower(:'tag'));
SELECT method, disposed_on, wipe, certificate, proceeds, recipient, note
FROM disposals WHERE asset_id = (SELECT id FROM assets WHERE lower(tag) = lower(:'tag'));
SELECT f.id, f.name, f.kind, f.format, v.value
FROM asset_field_values v JOIN custom_fields f ON f.id = v.field_id
WHERE v.asset_id = (SELECT id FROM assets WHERE lower(tag) = lower(:'tag')) ORDER BY lower(f.name);
SELECT id FROM assets WHERE lower(tag) = lower(:'tag');
SELECT l.code, l.name FROM assets a JOIN locations l ON l.id = a.home_location_id
WHERE a.id = (SELECT id FROM assets WHERE lower(tag) = lower(:'tag'));
