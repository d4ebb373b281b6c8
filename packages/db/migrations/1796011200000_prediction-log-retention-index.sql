-- Up Migration
-- Retention (`pnpm run db:prune`, PREDICTION_LOG_RETENTION_DAYS) deletes the rows predicted
-- before a cutoff, in batches. A BRIN index on predicted_at finds them by block range: rows
-- arrive in time order, so each 128-page range holds a narrow span of times and the index
-- stays a few pages for millions of rows, costing next to nothing per logged row (unlike
-- the B-tree on predicted_at that 1767312000001 dropped).
CREATE INDEX prediction_log_predicted_at_brin ON prediction_log USING brin (predicted_at);

-- Down Migration
DROP INDEX prediction_log_predicted_at_brin;
