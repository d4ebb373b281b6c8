-- Up Migration
-- Every index is paid for on each logged row, on the service's machine. The monitor only
-- reads windows of the version served now (the newest rows): (model_version, predicted_at)
-- serves both "last N" and "last T minutes", and coverage counts per version through it.
-- The by-id and by-time-alone indexes were redundant.
DROP INDEX prediction_log_version_id_idx;
DROP INDEX prediction_log_time_idx;

-- Down Migration
CREATE INDEX prediction_log_version_id_idx ON prediction_log (model_version, id);
CREATE INDEX prediction_log_time_idx ON prediction_log (predicted_at);
