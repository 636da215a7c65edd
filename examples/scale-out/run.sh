#!/bin/sh
# One machine, a real scheduler and two worker processes: run.sh ORGS.ndjson STANDARD AS_OF
set -eu
here=$(cd "$(dirname "$0")" && pwd)
file=$(readlink -f "$1")
port=${PORT:-8786}
tmp=$(mktemp -d)
dask-scheduler --port "$port" --dashboard-address :0 >"$tmp/scheduler.log" 2>&1 &
sched=$!
dask-worker "tcp://127.0.0.1:$port" --nworkers 2 --nthreads 1 --local-directory "$tmp" >"$tmp/workers.log" 2>&1 &
workers=$!
trap 'kill $workers $sched 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 3
/usr/bin/python3 "$here/run.py" "tcp://127.0.0.1:$port" "$file" --standard "$2" --as-of "$3" --cache-dir "$tmp/cache"
