# Sourced by .ci/run (set -Eeuo pipefail, $CACHE set): Redis for the pipeline's BullMQ tests.
# They use the Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379) under unique key
# prefixes, and the fault tests start private redis-server instances on ephemeral ports, so
# redis-server and redis-cli must be installed. Idempotent: a Redis that answers is used as
# it is (this machine's, or the GitHub Actions service); otherwise one is started here.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "installing redis-server (Debian/Ubuntu package redis-server)"
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$CACHE/apt-redis.log" 2>&1 || true
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    redis-server >>"$CACHE/apt-redis.log" 2>&1 || cat "$CACHE/apt-redis.log"
fi
command -v redis-server >/dev/null 2>&1 || { echo "redis-server missing: install the redis-server package"; exit 1; }
REDIS_TEST_HOST=127.0.0.1
REDIS_TEST_PORT=6379
if ! redis-cli -h "$REDIS_TEST_HOST" -p "$REDIS_TEST_PORT" ping >/dev/null 2>&1; then
  mkdir -p "$CACHE/redis"
  # AOF on and no eviction: what BullMQ needs of a Redis (see pipeline/README.md).
  redis-server --port "$REDIS_TEST_PORT" --bind "$REDIS_TEST_HOST" --daemonize yes \
    --dir "$CACHE/redis" --appendonly yes --maxmemory-policy noeviction \
    --logfile "$CACHE/redis/redis.log" --pidfile "$CACHE/redis/redis.pid"
  for _ in $(seq 1 50); do
    redis-cli -h "$REDIS_TEST_HOST" -p "$REDIS_TEST_PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
fi
echo "redis $(redis-cli -h "$REDIS_TEST_HOST" -p "$REDIS_TEST_PORT" info server | grep -m1 redis_version | tr -d '\r')"
