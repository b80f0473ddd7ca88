#!/usr/bin/env bash
# Runs the whole test suite: against a real PostgreSQL and a real Redis that this script starts on free
# ports (and stops afterwards), then a smoke test of the SQLite default. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"

free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
work=$(mktemp -d /tmp/branchlife-test.XXXXXX)
chmod 755 "$work"
chown postgres "$work"
PG_PORT=$(free_port)
REDIS_PORT=$(free_port)

cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
  -o "-p $PG_PORT -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log"

export DB=postgres DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_USER=postgres
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" TEST_REDIS_PORT=$REDIS_PORT
export TEST_PG_BIN="$PGBIN" TEST_PG_DATA="$work/pg"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/test-artifacts/screenshots}"
mkdir -p "$SCREENSHOT_DIR"

echo "==> ruff"
ruff check --quiet .
echo "==> pytest on PostgreSQL :$PG_PORT and Redis :$REDIS_PORT"
pytest "$@"

echo "==> SQLite default: migrate, seed_demo twice, smoke tests"
unset DB DB_HOST DB_PORT DB_USER
export DB_NAME="$work/smoke.sqlite3"
python manage.py migrate --noinput -v0
python manage.py seed_demo >/dev/null
python manage.py seed_demo >/dev/null
pytest -m smoke -q "tests/test_smoke.py"
