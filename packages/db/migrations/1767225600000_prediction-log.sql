-- Up Migration
-- The prediction log: one row per scored record (a batch of n records is n rows sharing a
-- request id). Written by the prediction service in batches (COPY), read by the model monitor.
CREATE TABLE prediction_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id text NOT NULL,
  row_index integer NOT NULL CHECK (row_index >= 0),
  predicted_at timestamptz NOT NULL,
  endpoint text NOT NULL,
  model_name text NOT NULL,
  model_version text NOT NULL,
  model_source text NOT NULL,
  fixed_acidity double precision NOT NULL,
  volatile_acidity double precision NOT NULL,
  citric_acid double precision NOT NULL,
  residual_sugar double precision NOT NULL,
  chlorides double precision NOT NULL,
  free_sulfur_dioxide double precision NOT NULL,
  total_sulfur_dioxide double precision NOT NULL,
  density double precision NOT NULL,
  ph double precision NOT NULL,
  sulphates double precision NOT NULL,
  alcohol double precision NOT NULL,
  wine_type text NOT NULL CHECK (wine_type IN ('red', 'white')),
  prediction double precision NOT NULL
);
COMMENT ON TABLE prediction_log IS 'Every answered prediction (one row per scored record); written by the prediction service, read by the model monitor.';

-- Feedback lookups by the id a client got back (not unique: clients may send X-Request-Id).
CREATE INDEX prediction_log_request_idx ON prediction_log (request_id, row_index);
-- Monitor windows: the newest N rows of a version (backward scan), and the last T minutes.
CREATE INDEX prediction_log_version_id_idx ON prediction_log (model_version, id);
CREATE INDEX prediction_log_version_time_idx ON prediction_log (model_version, predicted_at);
CREATE INDEX prediction_log_time_idx ON prediction_log (predicted_at);

-- Ground truth, one row per labelled prediction row. The model version, prediction time and
-- prediction are copied from the log when the label arrives so live error by version is an
-- index range scan on this (much smaller) table.
CREATE TABLE prediction_feedback (
  prediction_id bigint PRIMARY KEY REFERENCES prediction_log (id) ON DELETE CASCADE,
  model_version text NOT NULL,
  predicted_at timestamptz NOT NULL,
  prediction double precision NOT NULL,
  quality double precision NOT NULL CHECK (quality >= 0 AND quality <= 10),
  labelled_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE prediction_feedback IS 'True quality for earlier predictions (POST /feedback); read by the model monitor for live RMSE/MAE.';
CREATE INDEX prediction_feedback_version_time_idx ON prediction_feedback (model_version, predicted_at);

-- Down Migration
DROP TABLE prediction_feedback;
DROP TABLE prediction_log;
