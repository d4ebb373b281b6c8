/**
 * Shell scripts and the systemd unit the VM runs. Kept as plain text (not templated with
 * values): everything deployment-specific is read from /etc/wine/*.env and secrets.map at
 * run time, so this file can be reviewed as ordinary shell.
 */

/** Overridable (env WINE_ETC) only so tests can run the scripts against a scratch folder. */
const WINE_ETC = '/etc/wine';

export const PATHS = {
  bootstrapEnv: `${WINE_ETC}/bootstrap.env`,
  stackSettings: `${WINE_ETC}/stack-settings.env`,
  secretsMap: `${WINE_ETC}/secrets.map`,
  fetchRelease: '/usr/local/sbin/wine-fetch-release',
  fetchSecrets: '/usr/local/sbin/wine-fetch-secrets',
  unit: '/etc/systemd/system/wine-stack.service',
  stackRoot: '/opt/wine',
} as const;

export const UNIT_NAME = 'wine-stack.service';

/** IMDS token request for Key Vault; documented at learn.microsoft.com "how-to-use-vm-token". */
export const IMDS_TOKEN_URL =
  'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net';

export const KEY_VAULT_API_VERSION = '7.4';

export const FETCH_RELEASE_SCRIPT = `#!/bin/bash
# Installs the pinned release once (download over HTTPS only, verify, unpack), then points
# "current" at it. Refuses to run without a checksum: root executes what the release holds.
set -euo pipefail
WINE_ETC=\${WINE_ETC:-${WINE_ETC}}
. "$WINE_ETC/bootstrap.env"
if ! [[ "\${RELEASE_SHA256:-}" =~ ^[0-9a-f]{64}$ ]]; then
  echo "refusing to install release $RELEASE_VERSION: RELEASE_SHA256 in $WINE_ETC/bootstrap.env is not a sha256" >&2
  exit 1
fi
dest="$STACK_ROOT/releases/$RELEASE_VERSION"
if [ ! -f "$dest/.installed" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # HTTPS only, redirects included: a redirect to http:// (or any other scheme) fails the download.
  curl -fsSL --proto '=https' --proto-redir '=https' --tlsv1.2 \\
    --retry "\${RELEASE_DOWNLOAD_RETRIES:-10}" --retry-delay 5 --retry-all-errors --max-time 600 \\
    -o "$work/release.tar.gz" "$RELEASE_URL"
  if ! echo "$RELEASE_SHA256  $work/release.tar.gz" | sha256sum --check --quiet - >/dev/null 2>&1; then
    echo "release $RELEASE_VERSION from $RELEASE_URL does not match RELEASE_SHA256; nothing installed" >&2
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$work/release.tar.gz" -C "$dest" --no-same-owner
  required=\${RELEASE_REQUIRED_FILES:-}
  for file in "$COMPOSE_FILE" \${required//,/ }; do
    if [ ! -f "$dest/$file" ]; then
      echo "release $RELEASE_VERSION has no $file at its root; see infrastructure/README.md, \\"The release\\"" >&2
      rm -rf "$dest"
      exit 1
    fi
  done
  touch "$dest/.installed"
fi
ln -sfn "$dest" "$STACK_ROOT/current"
`;

export const FETCH_SECRETS_SCRIPT = `#!/bin/bash
# Writes the stack's .env from Key Vault with the VM's managed identity, so no secret value
# passes through custom_data. Retries for a while: the identity's role assignment is created
# after the VM, and Azure RBAC needs minutes to propagate.
set -euo pipefail
WINE_ETC=\${WINE_ETC:-${WINE_ETC}}
. "$WINE_ETC/bootstrap.env"
imds_url=\${IMDS_TOKEN_URL:-'${IMDS_TOKEN_URL}'}
umask 077
deadline=$(( $(date +%s) + \${SECRETS_TIMEOUT_S:-1800} ))
private=$(mktemp -d)
trap 'rm -rf "$private"' EXIT

with_retry() {
  local delay=\${RETRY_DELAY_S:-5}
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "giving up after retries: $*" >&2
      return 1
    fi
    sleep "$delay"
    delay=$(( delay < 60 ? delay * 2 : 60 ))
  done
}

# The bearer token goes into a header file, not argv, so other local users cannot read it in ps.
fetch_token() {
  local token
  token=$(curl -fsS --max-time 10 -H 'Metadata: true' "$imds_url" | jq -er .access_token) || return 1
  printf 'Authorization: Bearer %s\\n' "$token" > "$private/auth-header"
}

# $2 is a jq filter on the value: "." as is, "@uri" to embed it in a URL. HTTPS only: the
# bearer token must never travel in clear.
fetch_secret() {
  curl -fsS --proto '=https' --max-time 10 -H @"$private/auth-header" \\
    "\${KEY_VAULT_URL%/}/secrets/$1?api-version=${KEY_VAULT_API_VERSION}" \\
    | jq -er ".value | $2" > "$private/value"
}

with_retry fetch_token
env_file="$STACK_ROOT/current/.env"
tmp=$(mktemp "$env_file.XXXXXX")
cat "$WINE_ETC/stack-settings.env" > "$tmp"
# Each line: VARIABLE secret-name [URL template whose {} takes the URL-encoded value].
while read -r env_var secret_name template <&3; do
  [ -n "$env_var" ] || continue
  if [ -n "\${template:-}" ]; then
    with_retry fetch_secret "$secret_name" @uri
    value="\${template%%"{}"*}$(cat "$private/value")\${template#*"{}"}"
  else
    with_retry fetch_secret "$secret_name" .
    value=$(cat "$private/value")
    # Written unquoted into .env, where compose would interpolate "$" and cut at " #".
    if ! [[ "$value" =~ ^[A-Za-z0-9._~+/=-]*$ ]]; then
      echo "secret $secret_name holds characters a .env cannot carry unquoted; use letters and digits (infrastructure/README.md, \\"Secrets\\")" >&2
      exit 1
    fi
  fi
  printf '%s=%s\\n' "$env_var" "$value" >> "$tmp"
done 3< "$WINE_ETC/secrets.map"
chmod 600 "$tmp"
mv -f "$tmp" "$env_file"
`;

export const STACK_UNIT = `[Unit]
Description=Wine quality MLOps stack (docker compose)
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
EnvironmentFile=${PATHS.bootstrapEnv}
ExecStartPre=${PATHS.fetchRelease}
ExecStartPre=${PATHS.fetchSecrets}
ExecStart=/usr/bin/docker compose --project-name wine --project-directory \${STACK_ROOT}/current -f \${STACK_ROOT}/current/\${COMPOSE_FILE} up --detach --remove-orphans
ExecStop=/usr/bin/docker compose --project-name wine --project-directory \${STACK_ROOT}/current -f \${STACK_ROOT}/current/\${COMPOSE_FILE} down
TimeoutStartSec=45min

[Install]
WantedBy=multi-user.target
`;
