#!/usr/bin/env bash
# Starts a throw-away PostgreSQL (durable: fsync on) and Redis, migrates, collects the static files, and runs
# bench_ballots.py (or BENCH_SCRIPT=benchmarks/bench_purge.py / benchmarks/bench_blank_page.py) with
# production settings: DEBUG=False, the Redis cache and cached_db sessions. Stops both at the end.
# For bench_blank_page.py, BENCH_BEFORE=<commit> (default HEAD) unpacks that commit with `git archive`
# (read-only) so that the same run measures the code before and after; BENCH_BEFORE= skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
work=$(mktemp -d /tmp/branchlife-bench.XXXXXX)
chmod 755 "$work"; chown postgres "$work"
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)
cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
# Durable settings (fsync on), unlike the test database: the numbers should mean something.
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
  -o "-p $PG_PORT -k $work -c listen_addresses=127.0.0.1 -c max_connections=100" >/dev/null
runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE bench" >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log"
export DB=postgres DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_USER=postgres DB_NAME=bench AXES_ENABLED=False
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" CACHE_BACKEND=redis
# Production settings on plain HTTP (as scripts/run.sh with DEBUG off): no HTTPS redirect, no Secure cookies.
export DEBUG=False SECRET_KEY="bench-$(python -c 'import secrets; print(secrets.token_hex(24))')"
export SECURE_SSL_REDIRECT=False SECURE_COOKIES=False STATIC_ROOT="$work/static" RATELIMIT_ENABLE=False
python manage.py migrate --noinput -v0
python manage.py collectstatic --noinput -v0
script="${BENCH_SCRIPT:-benchmarks/bench_ballots.py}"
extra=()
if [ "$script" = benchmarks/bench_blank_page.py ] && [ -n "${BENCH_BEFORE-HEAD}" ]; then
  mkdir "$work/before"
  git archive "${BENCH_BEFORE:-HEAD}" | tar -x -C "$work/before"
  extra=(--before "$work/before")
fi
BENCH_PG_PID_FILE="$work/pg/postmaster.pid" python "$script" "${extra[@]}" "$@"
