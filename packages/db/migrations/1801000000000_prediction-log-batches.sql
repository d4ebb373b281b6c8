-- Up Migration
-- The prediction log is stored in batches: one row per written batch (up to 65,536
-- predictions of one endpoint and model), its per-prediction values in arrays. One row per
-- prediction cost PostgreSQL a heap tuple, an identity value and three index entries per
-- prediction, on the service's own cores: ~4.4 µs of CPU per prediction, which held the
-- service to 0.8× its rate with the log off (bench/profiles/service-prediction-log.md). A
-- batch row costs that once per batch; the arrays are stored uncompressed (STORAGE
-- EXTERNAL: random floats do not compress, and compressing them cost CPU for nothing).
--
-- `prediction_log` stays as a view with its old columns (one row per prediction), so ad-hoc
-- SQL, dashboards and INSERTs of single rows keep working. A prediction's id is
-- (batch id << 16) | its position in the batch.
--
-- Finding a request id (POST /feedback) needs no index entry per prediction: the service's
-- ids are version 7 UUIDs, which carry the time they were made, so a batch records the span
-- of those times and a GiST index on the span finds the batch. Ids that do not carry a time
-- close to the prediction's (a client's own X-Request-Id) are listed once per batch in
-- other_request_ids, under a GIN index.

-- The time in a version 7 UUID, when it is within 2 s of the prediction's time; else NULL.
-- The writer computes the same in TypeScript (request-id-time.ts; a test compares the two).
CREATE FUNCTION prediction_log_request_id_time(request_id text, predicted_at timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT t FROM (
    SELECT to_timestamp(('x' || substr(request_id, 1, 8) || substr(request_id, 10, 4))::bit(48)::bigint / 1000.0) AS t
    WHERE request_id ~ '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-7[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$'
  ) s
  WHERE abs(extract(epoch FROM predicted_at - t)) <= 2
$$;

CREATE TABLE prediction_log_batch (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint text NOT NULL,
  model_name text NOT NULL,
  model_version text NOT NULL,
  model_source text NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  rows integer NOT NULL CHECK (rows BETWEEN 1 AND 65536),
  -- The span of the request-id times (prediction_log_request_id_time) of the batch's rows.
  request_id_from timestamptz,
  request_id_to timestamptz,
  request_id_span tstzrange GENERATED ALWAYS AS (
    CASE WHEN request_id_from IS NULL THEN NULL ELSE tstzrange(request_id_from, request_id_to, '[]') END
  ) STORED,
  -- The batch's distinct request ids without such a time.
  other_request_ids text[] NOT NULL DEFAULT '{}',
  request_id text[] NOT NULL,
  row_index integer[] NOT NULL,
  predicted_at timestamptz[] NOT NULL,
  fixed_acidity double precision[] NOT NULL,
  volatile_acidity double precision[] NOT NULL,
  citric_acid double precision[] NOT NULL,
  residual_sugar double precision[] NOT NULL,
  chlorides double precision[] NOT NULL,
  free_sulfur_dioxide double precision[] NOT NULL,
  total_sulfur_dioxide double precision[] NOT NULL,
  density double precision[] NOT NULL,
  ph double precision[] NOT NULL,
  sulphates double precision[] NOT NULL,
  alcohol double precision[] NOT NULL,
  wine_type text[] NOT NULL,
  prediction double precision[] NOT NULL,
  CHECK (first_at <= last_at),
  CHECK (
    cardinality(request_id) = rows AND cardinality(row_index) = rows AND cardinality(predicted_at) = rows
    AND cardinality(fixed_acidity) = rows AND cardinality(volatile_acidity) = rows AND cardinality(citric_acid) = rows
    AND cardinality(residual_sugar) = rows AND cardinality(chlorides) = rows AND cardinality(free_sulfur_dioxide) = rows
    AND cardinality(total_sulfur_dioxide) = rows AND cardinality(density) = rows AND cardinality(ph) = rows
    AND cardinality(sulphates) = rows AND cardinality(alcohol) = rows AND cardinality(wine_type) = rows
    AND cardinality(prediction) = rows
  ),
  CHECK (0 <= ALL (row_index)),
  CHECK (wine_type <@ ARRAY['red', 'white'])
);
COMMENT ON TABLE prediction_log_batch IS 'Every answered prediction, in the batches the prediction service wrote (one row per batch, values in arrays); read through the prediction_log view or by the model monitor.';
ALTER TABLE prediction_log_batch
  ALTER request_id SET STORAGE EXTERNAL, ALTER row_index SET STORAGE EXTERNAL,
  ALTER predicted_at SET STORAGE EXTERNAL, ALTER fixed_acidity SET STORAGE EXTERNAL,
  ALTER volatile_acidity SET STORAGE EXTERNAL, ALTER citric_acid SET STORAGE EXTERNAL,
  ALTER residual_sugar SET STORAGE EXTERNAL, ALTER chlorides SET STORAGE EXTERNAL,
  ALTER free_sulfur_dioxide SET STORAGE EXTERNAL, ALTER total_sulfur_dioxide SET STORAGE EXTERNAL,
  ALTER density SET STORAGE EXTERNAL, ALTER ph SET STORAGE EXTERNAL,
  ALTER sulphates SET STORAGE EXTERNAL, ALTER alcohol SET STORAGE EXTERNAL,
  ALTER wine_type SET STORAGE EXTERNAL, ALTER prediction SET STORAGE EXTERNAL;

-- Monitor windows (newest batches of a version, last T minutes) and coverage per version.
CREATE INDEX prediction_log_batch_version_time_idx ON prediction_log_batch (model_version, last_at);
-- Retention: batches whose newest prediction is before the cutoff.
CREATE INDEX prediction_log_batch_last_at_idx ON prediction_log_batch (last_at);
-- POST /feedback: the batches whose request ids may include a given id.
CREATE INDEX prediction_log_batch_request_span_idx ON prediction_log_batch USING gist (request_id_span);
CREATE INDEX prediction_log_batch_other_ids_idx ON prediction_log_batch USING gin (other_request_ids);

-- Move the rows: runs of up to 2,000 rows (by id) of one endpoint and model become a batch.
CREATE TEMP TABLE prediction_log_moved ON COMMIT DROP AS
  SELECT l.*, (row_number() OVER w - 1) / 2000 AS chunk, ((row_number() OVER w - 1) % 2000)::int AS k,
    prediction_log_request_id_time(l.request_id, l.predicted_at) AS id_time
  FROM prediction_log l
  WINDOW w AS (PARTITION BY endpoint, model_name, model_version, model_source ORDER BY id);
CREATE TEMP TABLE prediction_log_moved_batch ON COMMIT DROP AS
  SELECT endpoint, model_name, model_version, model_source, chunk, row_number() OVER (ORDER BY min(id)) AS batch_id
  FROM prediction_log_moved GROUP BY endpoint, model_name, model_version, model_source, chunk;
-- Each row's new id by its old one. Temp tables have no statistics until analysed: without
-- them the planner joined feedback to a million moved rows by nested loop (minutes).
CREATE TEMP TABLE prediction_log_moved_id ON COMMIT DROP AS
  SELECT m.id AS old_id, (b.batch_id << 16) | m.k AS new_id
  FROM prediction_log_moved m
  JOIN prediction_log_moved_batch b USING (endpoint, model_name, model_version, model_source, chunk);
ANALYZE prediction_log_moved;
ANALYZE prediction_log_moved_batch;
ANALYZE prediction_log_moved_id;
INSERT INTO prediction_log_batch (id, endpoint, model_name, model_version, model_source, first_at, last_at, rows,
  request_id_from, request_id_to, other_request_ids, request_id, row_index, predicted_at,
  fixed_acidity, volatile_acidity, citric_acid, residual_sugar, chlorides, free_sulfur_dioxide,
  total_sulfur_dioxide, density, ph, sulphates, alcohol, wine_type, prediction)
OVERRIDING SYSTEM VALUE
SELECT b.batch_id, m.endpoint, m.model_name, m.model_version, m.model_source, min(m.predicted_at), max(m.predicted_at), count(*),
  min(m.id_time), max(m.id_time), coalesce(array_agg(DISTINCT m.request_id) FILTER (WHERE m.id_time IS NULL), '{}'),
  array_agg(m.request_id ORDER BY m.k), array_agg(m.row_index ORDER BY m.k), array_agg(m.predicted_at ORDER BY m.k),
  array_agg(m.fixed_acidity ORDER BY m.k), array_agg(m.volatile_acidity ORDER BY m.k), array_agg(m.citric_acid ORDER BY m.k),
  array_agg(m.residual_sugar ORDER BY m.k), array_agg(m.chlorides ORDER BY m.k), array_agg(m.free_sulfur_dioxide ORDER BY m.k),
  array_agg(m.total_sulfur_dioxide ORDER BY m.k), array_agg(m.density ORDER BY m.k), array_agg(m.ph ORDER BY m.k),
  array_agg(m.sulphates ORDER BY m.k), array_agg(m.alcohol ORDER BY m.k), array_agg(m.wine_type ORDER BY m.k),
  array_agg(m.prediction ORDER BY m.k)
FROM prediction_log_moved m
JOIN prediction_log_moved_batch b USING (endpoint, model_name, model_version, model_source, chunk)
GROUP BY b.batch_id, m.endpoint, m.model_name, m.model_version, m.model_source;
SELECT setval(pg_get_serial_sequence('prediction_log_batch', 'id'), coalesce(max(id), 0) + 1, false)
FROM prediction_log_batch;

-- Feedback keeps the labelled row's features, so retraining reads labelled rows from this
-- table alone, and its prediction ids move to the new ids.
ALTER TABLE prediction_feedback DROP CONSTRAINT prediction_feedback_prediction_id_fkey;
ALTER TABLE prediction_feedback DROP CONSTRAINT prediction_feedback_pkey;
ALTER TABLE prediction_feedback
  ADD COLUMN fixed_acidity double precision, ADD COLUMN volatile_acidity double precision,
  ADD COLUMN citric_acid double precision, ADD COLUMN residual_sugar double precision,
  ADD COLUMN chlorides double precision, ADD COLUMN free_sulfur_dioxide double precision,
  ADD COLUMN total_sulfur_dioxide double precision, ADD COLUMN density double precision,
  ADD COLUMN ph double precision, ADD COLUMN sulphates double precision,
  ADD COLUMN alcohol double precision, ADD COLUMN wine_type text;
UPDATE prediction_feedback f SET prediction_id = x.new_id,
  fixed_acidity = m.fixed_acidity, volatile_acidity = m.volatile_acidity, citric_acid = m.citric_acid,
  residual_sugar = m.residual_sugar, chlorides = m.chlorides, free_sulfur_dioxide = m.free_sulfur_dioxide,
  total_sulfur_dioxide = m.total_sulfur_dioxide, density = m.density, ph = m.ph, sulphates = m.sulphates,
  alcohol = m.alcohol, wine_type = m.wine_type
FROM prediction_log_moved_id x JOIN prediction_log_moved m ON m.id = x.old_id
WHERE x.old_id = f.prediction_id;
ALTER TABLE prediction_feedback
  ADD PRIMARY KEY (prediction_id),
  ALTER fixed_acidity SET NOT NULL, ALTER volatile_acidity SET NOT NULL, ALTER citric_acid SET NOT NULL,
  ALTER residual_sugar SET NOT NULL, ALTER chlorides SET NOT NULL, ALTER free_sulfur_dioxide SET NOT NULL,
  ALTER total_sulfur_dioxide SET NOT NULL, ALTER density SET NOT NULL, ALTER ph SET NOT NULL,
  ALTER sulphates SET NOT NULL, ALTER alcohol SET NOT NULL, ALTER wine_type SET NOT NULL,
  ADD COLUMN batch_id bigint GENERATED ALWAYS AS (prediction_id >> 16) STORED
    REFERENCES prediction_log_batch (id) ON DELETE CASCADE;
CREATE INDEX prediction_feedback_batch_idx ON prediction_feedback (batch_id);
COMMENT ON TABLE prediction_feedback IS 'True quality for earlier predictions (POST /feedback), with the labelled row''s model, time, prediction and features; read by the model monitor (live RMSE/MAE) and the retraining pipeline.';

DROP TABLE prediction_log;

CREATE VIEW prediction_log AS
SELECT (b.id << 16) | (u.k - 1) AS id, u.request_id, u.row_index, u.predicted_at,
  b.endpoint, b.model_name, b.model_version, b.model_source,
  u.fixed_acidity, u.volatile_acidity, u.citric_acid, u.residual_sugar, u.chlorides,
  u.free_sulfur_dioxide, u.total_sulfur_dioxide, u.density, u.ph, u.sulphates, u.alcohol,
  u.wine_type, u.prediction
FROM prediction_log_batch b
CROSS JOIN LATERAL unnest(b.request_id, b.row_index, b.predicted_at, b.fixed_acidity, b.volatile_acidity,
  b.citric_acid, b.residual_sugar, b.chlorides, b.free_sulfur_dioxide, b.total_sulfur_dioxide,
  b.density, b.ph, b.sulphates, b.alcohol, b.wine_type, b.prediction)
  WITH ORDINALITY AS u(request_id, row_index, predicted_at, fixed_acidity, volatile_acidity, citric_acid,
    residual_sugar, chlorides, free_sulfur_dioxide, total_sulfur_dioxide, density, ph, sulphates, alcohol,
    wine_type, prediction, k);
COMMENT ON VIEW prediction_log IS 'Every answered prediction, one row per scored record (prediction_log_batch unnested). An INSERT stores each row as a batch of its own.';

-- A row inserted into the view becomes a batch of one (backfills, fixtures; the service
-- writes whole batches to prediction_log_batch).
CREATE FUNCTION prediction_log_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  id_time timestamptz := prediction_log_request_id_time(NEW.request_id, NEW.predicted_at);
  batch bigint;
BEGIN
  INSERT INTO prediction_log_batch (endpoint, model_name, model_version, model_source, first_at, last_at, rows,
    request_id_from, request_id_to, other_request_ids, request_id, row_index, predicted_at,
    fixed_acidity, volatile_acidity, citric_acid, residual_sugar, chlorides, free_sulfur_dioxide,
    total_sulfur_dioxide, density, ph, sulphates, alcohol, wine_type, prediction)
  VALUES (NEW.endpoint, NEW.model_name, NEW.model_version, NEW.model_source, NEW.predicted_at, NEW.predicted_at, 1,
    id_time, id_time, CASE WHEN id_time IS NULL THEN ARRAY[NEW.request_id] ELSE '{}' END,
    ARRAY[NEW.request_id], ARRAY[NEW.row_index], ARRAY[NEW.predicted_at],
    ARRAY[NEW.fixed_acidity], ARRAY[NEW.volatile_acidity], ARRAY[NEW.citric_acid], ARRAY[NEW.residual_sugar],
    ARRAY[NEW.chlorides], ARRAY[NEW.free_sulfur_dioxide], ARRAY[NEW.total_sulfur_dioxide], ARRAY[NEW.density],
    ARRAY[NEW.ph], ARRAY[NEW.sulphates], ARRAY[NEW.alcohol], ARRAY[NEW.wine_type], ARRAY[NEW.prediction])
  RETURNING id INTO batch;
  NEW.id := batch << 16;
  RETURN NEW;
END
$$;
CREATE TRIGGER prediction_log_insert_row INSTEAD OF INSERT ON prediction_log
  FOR EACH ROW EXECUTE FUNCTION prediction_log_insert_row();

-- Down Migration
-- Back to one row per prediction, keeping every prediction's id (so feedback keeps pointing
-- at its row); the features copied into feedback go.
CREATE TABLE prediction_log_rows AS SELECT * FROM prediction_log;
DROP VIEW prediction_log;
DROP FUNCTION prediction_log_insert_row();
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
INSERT INTO prediction_log OVERRIDING SYSTEM VALUE SELECT * FROM prediction_log_rows ORDER BY id;
SELECT setval(pg_get_serial_sequence('prediction_log', 'id'), coalesce(max(id), 0) + 1, false) FROM prediction_log;
DROP TABLE prediction_log_rows;
CREATE INDEX prediction_log_request_idx ON prediction_log (request_id, row_index);
CREATE INDEX prediction_log_version_time_idx ON prediction_log (model_version, predicted_at);
CREATE INDEX prediction_log_predicted_at_brin ON prediction_log USING brin (predicted_at);
ALTER TABLE prediction_feedback
  DROP COLUMN batch_id,
  DROP COLUMN fixed_acidity, DROP COLUMN volatile_acidity, DROP COLUMN citric_acid,
  DROP COLUMN residual_sugar, DROP COLUMN chlorides, DROP COLUMN free_sulfur_dioxide,
  DROP COLUMN total_sulfur_dioxide, DROP COLUMN density, DROP COLUMN ph, DROP COLUMN sulphates,
  DROP COLUMN alcohol, DROP COLUMN wine_type,
  ADD CONSTRAINT prediction_feedback_prediction_id_fkey FOREIGN KEY (prediction_id)
    REFERENCES prediction_log (id) ON DELETE CASCADE;
COMMENT ON TABLE prediction_feedback IS 'True quality for earlier predictions (POST /feedback); read by the model monitor for live RMSE/MAE.';
DROP TABLE prediction_log_batch;
DROP FUNCTION prediction_log_request_id_time(text, timestamptz);
