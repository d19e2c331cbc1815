-- Production privileges for the audit trail (run as the database owner after migrating).
-- The application's role may read and append audit entries, never change, delete or truncate
-- them. Replace front_door_app with the role the application connects as.
REVOKE UPDATE, DELETE, TRUNCATE ON accounts_auditentry FROM front_door_app;
GRANT SELECT, INSERT ON accounts_auditentry TO front_door_app;
GRANT USAGE, SELECT ON SEQUENCE accounts_auditentry_id_seq TO front_door_app;
