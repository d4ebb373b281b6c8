# Sourced by .ci/run (set -Eeuo pipefail): provides `cloud-init schema` for
# infrastructure/src/cloud-init/cloud-config.schema.integ.test.ts (Debian package cloud-init).
if ! command -v cloud-init >/dev/null 2>&1; then
  echo "installing Debian package cloud-init"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cloud-init >/dev/null
  # Only its schema checker is wanted: keep cloud-init from configuring this machine at boot.
  "${as_root[@]}" touch /etc/cloud/cloud-init.disabled
fi
CLOUD_INIT_BIN=$(command -v cloud-init)
export CLOUD_INIT_BIN
echo "cloud-init $("$CLOUD_INIT_BIN" --version 2>&1 | awk '{print $NF}') at $CLOUD_INIT_BIN"
