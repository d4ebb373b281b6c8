-- Run once by the compose `postgres` service on its first start (docker-entrypoint-initdb.d),
-- as the stack user `wine`, after the image created the database `wine`: MLflow's backend
-- store (and its basic-auth users) lives in its own database beside the application's.
CREATE DATABASE mlflow;
