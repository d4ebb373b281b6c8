# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): the Python that generates the drift
# golden cases (packages/drift/golden/generate_cases.py) with the pinned scipy/numpy, so the
# test that re-runs the generator and compares with the committed JSON runs under CI.
# Idempotent: a stamp file records the pinned requirement set, so a warm cache costs ~0 s.
SCIPY_REQS="numpy==2.4.6 scipy==1.17.1"
SCIPY_VENV="$CACHE/venv-scipy"
if [ ! -x "$SCIPY_VENV/bin/python" ] || [ "$(cat "$SCIPY_VENV/.wine-reqs" 2>/dev/null)" != "$SCIPY_REQS" ]; then
  echo "installing $SCIPY_REQS into $SCIPY_VENV"
  python3 -m venv "$SCIPY_VENV"
  # shellcheck disable=SC2086 # the requirement list is meant to split into words
  "$SCIPY_VENV/bin/pip" install --quiet --disable-pip-version-check $SCIPY_REQS >"$CACHE/pip-scipy.log" 2>&1 \
    || { cat "$CACHE/pip-scipy.log"; exit 1; }
  printf '%s' "$SCIPY_REQS" >"$SCIPY_VENV/.wine-reqs"
fi
export SCIPY_PYTHON="$SCIPY_VENV/bin/python"
echo "scipy $("$SCIPY_PYTHON" -c 'import importlib.metadata as m; print(m.version("scipy"))') at $SCIPY_PYTHON"
