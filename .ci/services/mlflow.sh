# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): provisions the real MLflow tracking
# server that packages/mlflow-client's integration tests start, plus PostgreSQL for its backend.
# Idempotent: a stamp file records the pinned requirement set, so a warm cache costs ~1 s.
MLFLOW_VERSION=3.17.2
# [auth] brings Flask-WTF for `--app-name basic-auth`; [azure] brings azure-storage-blob and
# azure-identity for wasbs:// artifact destinations (the Azurite test); psycopg2 for postgres.
MLFLOW_REQS="mlflow[auth,azure]==$MLFLOW_VERSION psycopg2-binary==2.9.*"
MLFLOW_VENV="$CACHE/venv-mlflow"
if [ ! -x "$MLFLOW_VENV/bin/mlflow" ] || [ "$(cat "$MLFLOW_VENV/.wine-reqs" 2>/dev/null)" != "$MLFLOW_REQS" ]; then
  echo "installing $MLFLOW_REQS into $MLFLOW_VENV"
  python3 -m venv "$MLFLOW_VENV"
  # shellcheck disable=SC2086 # the requirement list is meant to split into words
  "$MLFLOW_VENV/bin/pip" install --quiet --disable-pip-version-check $MLFLOW_REQS >"$CACHE/pip-mlflow.log" 2>&1 \
    || { cat "$CACHE/pip-mlflow.log"; exit 1; }
  printf '%s' "$MLFLOW_REQS" >"$MLFLOW_VENV/.wine-reqs"
fi
export MLFLOW_BIN="$MLFLOW_VENV/bin/mlflow"
# importlib.metadata, not `mlflow --version`: importing mlflow costs seconds.
echo "mlflow $("$MLFLOW_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("mlflow"))') at $MLFLOW_BIN"

# PostgreSQL backend store: the tests create one fresh database per server start.
if ! pg_isready -q -h 127.0.0.1; then
  echo "starting PostgreSQL"
  for pg_ver in /etc/postgresql/*; do
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$pg_ver")" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  pg_isready -h 127.0.0.1
fi

# Azurite (Azure Blob emulator) is a devDependency of @wine/azure (packages/azure), installed by pnpm;
# every az:// test starts its own on an ephemeral port.
AZURITE_BLOB_BIN="$ROOT/packages/azure/node_modules/azurite/dist/src/blob/main.js"
if [ -f "$AZURITE_BLOB_BIN" ]; then
  export AZURITE_BLOB_BIN
else
  echo "azurite-blob not found at $AZURITE_BLOB_BIN (is the devDependency of @wine/azure installed?)"
  exit 1
fi
