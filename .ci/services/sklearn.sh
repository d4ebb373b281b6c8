# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): the Python that generates the
# scikit-learn golden trees (packages/model/test/golden/make_sklearn_fixtures.py), pinned, so
# the test that re-runs the generator and compares with the committed JSON runs under CI.
# Idempotent: a stamp file records the pinned requirement set, so a warm cache costs ~0 s.
# The fixture records the scikit-learn and numpy versions; change them together.
SKLEARN_REQS="scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1 joblib==1.6.0 threadpoolctl==3.8.0 narwhals==2.29.0"
SKLEARN_VENV="$CACHE/venv-sklearn"
if [ ! -x "$SKLEARN_VENV/bin/python" ] || [ "$(cat "$SKLEARN_VENV/.wine-reqs" 2>/dev/null)" != "$SKLEARN_REQS" ]; then
  echo "installing $SKLEARN_REQS into $SKLEARN_VENV"
  python3 -m venv "$SKLEARN_VENV"
  # shellcheck disable=SC2086 # the requirement list is meant to split into words
  "$SKLEARN_VENV/bin/pip" install --quiet --disable-pip-version-check $SKLEARN_REQS >"$CACHE/pip-sklearn.log" 2>&1 \
    || { cat "$CACHE/pip-sklearn.log"; exit 1; }
  printf '%s' "$SKLEARN_REQS" >"$SKLEARN_VENV/.wine-reqs"
fi
export SKLEARN_PYTHON="$SKLEARN_VENV/bin/python"
echo "scikit-learn $("$SKLEARN_PYTHON" -c 'import importlib.metadata as m; print(m.version("scikit-learn"))') at $SKLEARN_PYTHON"
