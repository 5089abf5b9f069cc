-- Which plan run a read of a plan read (store/audit.go, AuditReadPlan):
-- its number, or 0 for the other actions and for the reads written
-- before this column, which did not say.

ALTER TABLE audit_log ADD COLUMN plan_run INTEGER NOT NULL DEFAULT 0;
