#!/usr/bin/env bash
# Installs everything, builds the demo and serves Branchlife at http://127.0.0.1:8000 with SQLite,
# a local Redis, a Celery worker and Celery beat. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"
source scripts/run_env.sh  # DEBUG off unless BRANCHLIFE_DEBUG=1; the secret key in .secret_key
export REDIS_PORT="${REDIS_PORT:-6379}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}/0}"
export CACHE_BACKEND="${CACHE_BACKEND:-redis}"
export BIND="${BIND:-127.0.0.1:8000}"
export WEB_WORKERS="${WEB_WORKERS:-2}"
export WORKER_CONCURRENCY="${WORKER_CONCURRENCY:-1}"
mkdir -p .run

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$PWD/.run/redis.pid" --logfile "$PWD/.run/redis.log"
  started_redis=1
fi

scripts/proc release
# Without DEBUG the pages need the collected, hashed static files (the image collects them when it is built).
[ "$DEBUG" = True ] || python manage.py collectstatic --noinput -v0
python manage.py seed_demo

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${started_redis:-}" ] && [ -f .run/redis.pid ]; then kill "$(cat .run/redis.pid)" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

scripts/proc worker > .run/worker.log 2>&1 & pids+=($!)
scripts/proc beat > .run/beat.log 2>&1 & pids+=($!)
scripts/proc web > .run/web.log 2>&1 & pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://${BIND}/accounts/login/" 2>/dev/null && break
  sleep 1
done
# Beat's first scan is up to 15 minutes away: hand today's demo reminders to the worker now.
python manage.py scan_reminders || true
cat <<MSG

Branchlife is running at http://${BIND}/  (DEBUG=${DEBUG}; BRANCHLIFE_DEBUG=1 for Django's debug pages)
  (worker and beat logs: .run/worker.log, .run/beat.log; web log: .run/web.log)
Demo accounts, all with password branchlife-demo:
  secretary   水阜镇机关党支部 书记
  member      水阜镇机关党支部 党员
  county      皋兰县委组织部 干部
  anyue       安岳县青少年宫支部 书记
  supervisor  县派督导(联系水阜镇各支部)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
