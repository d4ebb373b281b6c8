# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): Graphviz's `dot` from the distribution's
# packages for stack/test/diagrams.test.ts, which renders images/architecture.dot and compares
# the result with the committed pictures (`pnpm run diagrams`). A fresh machine has no `dot`, and
# with REQUIRE_REAL_SERVICES=1 the test fails instead of skipping. Idempotent.
if ! command -v "${DOT_BIN:-dot}" >/dev/null 2>&1; then
  echo "installing graphviz (no dot on PATH)"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$CACHE/apt-graphviz.log" 2>&1 || true
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    graphviz >>"$CACHE/apt-graphviz.log" 2>&1 || cat "$CACHE/apt-graphviz.log"
fi
if ! command -v "${DOT_BIN:-dot}" >/dev/null 2>&1; then
  echo "missing dot — install the Debian/Ubuntu package graphviz (or set DOT_BIN)"
  exit 1
fi
echo "$("${DOT_BIN:-dot}" -V 2>&1 | head -1)"
