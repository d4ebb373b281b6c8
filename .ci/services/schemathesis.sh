# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): provisions schemathesis (PyPI) for
# prediction-service/test/openapi-conformance.integ.test.ts, which runs every schemathesis
# check against both ports' /openapi.json of the built service.
# Idempotent: a stamp file records the pinned version, so a warm cache costs well under 1 s.
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV="$CACHE/venv-schemathesis"
if [ ! -x "$SCHEMATHESIS_VENV/bin/st" ] || [ "$(cat "$SCHEMATHESIS_VENV/.wine-version" 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ]; then
  echo "installing schemathesis==$SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    >"$CACHE/pip-schemathesis.log" 2>&1 || { cat "$CACHE/pip-schemathesis.log"; exit 1; }
  printf '%s' "$SCHEMATHESIS_VERSION" >"$SCHEMATHESIS_VENV/.wine-version"
fi
export SCHEMATHESIS_BIN="$SCHEMATHESIS_VENV/bin/st"
echo "schemathesis $SCHEMATHESIS_VERSION at $SCHEMATHESIS_BIN"
