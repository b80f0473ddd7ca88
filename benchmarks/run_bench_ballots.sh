#!/usr/bin/env bash
# Starts a throw-away PostgreSQL (as scripts/test.sh does), migrates it, runs bench_ballots.py (or
# BENCH_SCRIPT=benchmarks/bench_purge.py), stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
work=$(mktemp -d /tmp/branchlife-bench.XXXXXX)
chmod 755 "$work"; chown postgres "$work"
PG_PORT=$(free_port)
cleanup() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
# Durable settings (fsync on), unlike the test database: the numbers should mean something.
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
  -o "-p $PG_PORT -k $work -c listen_addresses=127.0.0.1 -c max_connections=100" >/dev/null
runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE bench" >/dev/null
export DB=postgres DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_USER=postgres DB_NAME=bench AXES_ENABLED=False
python manage.py migrate --noinput -v0
BENCH_PG_PID_FILE="$work/pg/postmaster.pid" python "${BENCH_SCRIPT:-benchmarks/bench_ballots.py}" "$@"
