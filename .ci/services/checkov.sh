# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): provisions checkov (PyPI) for
# infrastructure/src/checkov.integ.test.ts, which scans the synthesized Terraform JSON.
# Idempotent: a stamp file records the pinned version, so a warm cache costs well under 1 s.
CHECKOV_VERSION=3.3.30
CHECKOV_VENV="$CACHE/venv-checkov"
if [ ! -x "$CHECKOV_VENV/bin/checkov" ] || [ "$(cat "$CHECKOV_VENV/.wine-version" 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
  echo "installing checkov==$CHECKOV_VERSION into $CHECKOV_VENV"
  python3 -m venv "$CHECKOV_VENV"
  "$CHECKOV_VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" \
    >"$CACHE/pip-checkov.log" 2>&1 || { cat "$CACHE/pip-checkov.log"; exit 1; }
  printf '%s' "$CHECKOV_VERSION" >"$CHECKOV_VENV/.wine-version"
fi
export CHECKOV_BIN="$CHECKOV_VENV/bin/checkov"
echo "checkov $CHECKOV_VERSION at $CHECKOV_BIN"
