#!/bin/sh
# One machine, a real scheduler and worker processes: run.sh ORGS.ndjson STANDARD AS_OF [run.py options]
# WORKERS (default 2) worker processes of one thread each; PORT (default 8786).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
file=$(readlink -f "$1")
standard=$2
as_of=$3
shift 3
port=${PORT:-8786}
tmp=$(mktemp -d)
dask-scheduler --port "$port" --dashboard-address :0 >"$tmp/scheduler.log" 2>&1 &
sched=$!
dask-worker "tcp://127.0.0.1:$port" --nworkers "${WORKERS:-2}" --nthreads 1 --local-directory "$tmp" >"$tmp/workers.log" 2>&1 &
workers=$!
trap 'kill $workers $sched 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 3
/usr/bin/python3 "$here/run.py" "tcp://127.0.0.1:$port" "$file" --standard "$standard" --as-of "$as_of" --cache-dir "$tmp/cache" "$@"
