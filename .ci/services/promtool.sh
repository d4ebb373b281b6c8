# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): provides promtool (Debian/Ubuntu package
# `prometheus`) for prediction-service/test/metrics-exposition.integ.test.ts, which runs
# `promtool check metrics` on the service's /metrics output.
# Only the binary is wanted: the .deb is unpacked into the cache instead of installed, so no
# Prometheus server gets started on this machine. A warm cache costs nothing.
PROMTOOL_DEB_DIR="$CACHE/promtool-deb"
if command -v promtool >/dev/null 2>&1; then
  PROMTOOL_BIN=$(command -v promtool)
elif [ -x "$PROMTOOL_DEB_DIR/root/usr/bin/promtool" ]; then
  PROMTOOL_BIN="$PROMTOOL_DEB_DIR/root/usr/bin/promtool"
else
  echo "unpacking promtool from the prometheus package into $PROMTOOL_DEB_DIR"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  rm -rf "$PROMTOOL_DEB_DIR" && mkdir -p "$PROMTOOL_DEB_DIR"
  (cd "$PROMTOOL_DEB_DIR" && apt-get download -qq prometheus)
  dpkg-deb -x "$PROMTOOL_DEB_DIR"/prometheus_*.deb "$PROMTOOL_DEB_DIR/root"
  PROMTOOL_BIN="$PROMTOOL_DEB_DIR/root/usr/bin/promtool"
fi
export PROMTOOL_BIN
echo "$("$PROMTOOL_BIN" --version 2>&1 | head -1) at $PROMTOOL_BIN"
