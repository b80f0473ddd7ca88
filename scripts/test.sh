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
# Redis hangs at start under libfaketime (`faketime … bash scripts/test.sh`): it keeps the real clock.
env -u LD_PRELOAD -u FAKETIME redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log"

export DB=postgres DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_USER=postgres
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" TEST_REDIS_PORT=$REDIS_PORT
export TEST_PG_BIN="$PGBIN" TEST_PG_DATA="$work/pg"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$PWD/test-artifacts/screenshots}"
mkdir -p "$SCREENSHOT_DIR"

# LINT=0 skips it for a quick targeted run while other work in the tree is half-way (CI always lints).
if [ "${LINT:-1}" != 0 ]; then echo "==> ruff"; ruff check --quiet .; fi
echo "==> pytest on PostgreSQL :$PG_PORT and Redis :$REDIS_PORT"
if [ $# -gt 0 ]; then
  pytest "$@"
else
  # Two processes (pytest-xdist, one per core; each has its own test database), then the load and
  # restart tests alone, so that their live servers do not compete with the other tests for the CPU.
  pytest -n "${TEST_PROCESSES:-2}" -q -m "not slow"
  pytest -q -m slow
fi

# Tests own their clock: what reads the calendar (-m clock, see tests/conftest.py) runs again with the
# system clock shifted, so that a test leaning on the real date fails here and not on a user's machine.
# Only pytest runs under faketime; PostgreSQL and Redis keep the real clock. CALENDAR_SHIFTS="" skips.
# Two shifts: each reruns ~130 seed-heavy tests (about 2 minutes in two processes).
CALENDAR_SHIFTS=${CALENDAR_SHIFTS-"+200d|@$(date -u +%F) 15:30:00"}  # the last: 23:30 in Asia/Shanghai
if [ $# -eq 0 ] && [ -n "$CALENDAR_SHIFTS" ]; then
  IFS='|' read -r -a shifts <<< "$CALENDAR_SHIFTS"
  for shift in "${shifts[@]}"; do
    echo "==> pytest -m clock with the clock at $shift"
    TZ=UTC faketime -f "$shift" pytest -n "${TEST_PROCESSES:-2}" -q -m "clock and not slow" \
      --ignore-glob='*test_permissions.py' tests/
  done
fi

echo "==> SQLite default: migrate, seed_demo twice, smoke tests"
unset DB DB_HOST DB_PORT DB_USER
export DB_NAME="$work/smoke.sqlite3"
python manage.py migrate --noinput -v0
python manage.py seed_demo >/dev/null
python manage.py seed_demo >/dev/null
pytest -m smoke -q "tests/test_smoke.py"
