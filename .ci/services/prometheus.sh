# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): Prometheus and Alertmanager from the
# distribution's packages for prometheus/test (promtool test rules, amtool check-config) and
# the monitoring end-to-end tests, which start both on ephemeral ports. Debian/Ubuntu name the
# Alertmanager binary prometheus-alertmanager. Idempotent: nothing to do when all four exist.
PROM_TOOLS="prometheus promtool prometheus-alertmanager amtool"
prom_missing() {
  local m=""
  for tool in $PROM_TOOLS; do command -v "$tool" >/dev/null 2>&1 || m="$m $tool"; done
  printf '%s' "$m"
}
if [ -n "$(prom_missing)" ]; then
  echo "installing prometheus prometheus-alertmanager (missing:$(prom_missing))"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  # The packages' own services are not needed (tests start their own instances).
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$CACHE/apt-prometheus.log" 2>&1 || true
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    prometheus prometheus-alertmanager >>"$CACHE/apt-prometheus.log" 2>&1 || cat "$CACHE/apt-prometheus.log"
fi
if [ -n "$(prom_missing)" ]; then
  echo "missing:$(prom_missing) — install the Debian/Ubuntu packages prometheus and prometheus-alertmanager"
  exit 1
fi
echo "$(prometheus --version 2>&1 | head -1); $(prometheus-alertmanager --version 2>&1 | head -1)"
