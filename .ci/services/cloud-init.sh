# Sourced by .ci/run (set -Eeuo pipefail): provides `cloud-init schema` for
# infrastructure/src/cloud-init/cloud-config.schema.integ.test.ts (Debian package cloud-init)
# and jq (plus curl) for bootstrap-scripts.integ.test.ts, which runs the VM's scripts.
missing=()
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" cloud-init "* ]]; then
    # Only the schema checker is wanted: keep cloud-init from configuring this machine at boot.
    "${as_root[@]}" touch /etc/cloud/cloud-init.disabled
  fi
fi
CLOUD_INIT_BIN=$(command -v cloud-init)
export CLOUD_INIT_BIN
echo "cloud-init $("$CLOUD_INIT_BIN" --version 2>&1 | awk '{print $NF}') at $CLOUD_INIT_BIN"
