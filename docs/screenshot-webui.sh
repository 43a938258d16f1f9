#!/usr/bin/env bash
# Screenshot of the Flink Web UI's job page while a short demo runs: docs/webui_job.png.
#
#   apt-get install -y chromium     # Debian's package; run once
#   docs/screenshot-webui.sh        # a 2-minute demo of the default policy (pretrained first if missing)
#   docs/screenshot-webui.sh --model random:tiny --task echo   # quick: an untrained tiny policy
#
# Arguments are passed to `treepo demo`. WEB_PORT (default 18081, so as not to meet another demo on
# 8081), WAIT (seconds of running before the shot, default 60) and OUT (default docs/webui_job.png)
# change the rest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${WEB_PORT:-18081}"
wait_s="${WAIT:-60}"
out="${OUT:-$root/docs/webui_job.png}"
command -v chromium >/dev/null || { echo "needs chromium: apt-get install -y chromium" >&2; exit 1; }

log="$(mktemp -t treepo-demo.XXXXXX)"
report="$(mktemp -d -t treepo-report.XXXXXX)"
"$root/treepo" demo --minutes "$(( (wait_s + 60) / 60 + 1 ))" --web-port "$port" --report-dir "$report" "$@" >"$log" 2>&1 &
demo=$!
trap 'kill "$demo" 2>/dev/null || true' EXIT

# "Job <id> running; ..." once the job is submitted
for _ in $(seq 1 900); do
  job="$(sed -n 's/^Job \([0-9a-f]\{32\}\) running.*/\1/p' "$log" | head -n 1)"
  [ -n "$job" ] && break
  kill -0 "$demo" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 1
done
[ -n "$job" ] || { echo "the demo's job did not start; log: $log" >&2; exit 1; }
echo "job $job running; taking the screenshot in $wait_s s" >&2
sleep "$wait_s"

profile="$(mktemp -d)"
# The UI is an Angular app: the virtual time budget lets it fetch and draw the graph before the shot.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1400,900 \
  --virtual-time-budget=10000 --screenshot="$out" "http://localhost:$port/#/job/running/$job/overview" 2>/dev/null
rm -rf "$profile"
echo "wrote $out" >&2
# TERM, not INT: a background job of a script ignores SIGINT; the demo stops its job and writes its report on either
kill -TERM "$demo" 2>/dev/null || true
wait "$demo" 2>/dev/null || true
rm -rf "$report"
