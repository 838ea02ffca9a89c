#!/usr/bin/env bash
# One agent against two (`--segment k/2` with one `--start-at`, then `headroom merge`), side by side in the same run:
# nginx serving a small response on loopback, 64 connections in all, one generator thread per agent, alternating for
# ROUNDS rounds of DURATION seconds. Prints req/s and p99 per round, and one agent with two threads for reference.
# On a 2-core machine nginx and the agents share the cores: read the figures as what splitting costs or gains here,
# not as what a second machine would add. Needs nginx (Debian: nginx-light); skips with a message without it.
#   bench/agents.sh [ROUNDS=3] [DURATION=5]
set -euo pipefail
ROUNDS=${1:-3}
DURATION=${2:-5}
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null; then
  echo "agents: skipped (nginx is not installed; Debian: nginx-light)"
  exit 0
fi
[ -f dist/cli/main.js ] || npm run build >/dev/null

dir=$(mktemp -d)
port=47050
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
cat >"$dir/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $dir/nginx.pid; error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off; keepalive_requests 100000000; client_body_temp_path $dir/body;
  server { listen 127.0.0.1:$port; location / { return 200 "ok"; } }
}
EOF
nginx -c "$dir/nginx.conf" -p "$dir" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/"
headroom=(node dist/cli/main.js)
# "req/s p99" of a headroom.load/v1 file.
figures() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(Math.round(r.throughput.rps), r.latencyMs.p99.toFixed(2))' "$1"; }

echo "nginx on $url, -c 64 in all, ${DURATION}s per run (+1s warm-up)"
printf '%-6s %22s %22s %22s\n' round '1 agent x 1 thread' '1 agent x 2 threads' '2 agents x 1 thread'
for round in $(seq "$ROUNDS"); do
  "${headroom[@]}" load -c 64 -t 1 --warmup 1 -d "$DURATION" --no-progress -o "$dir/one.json" "$url" 2>/dev/null
  "${headroom[@]}" load -c 64 -t 2 --warmup 1 -d "$DURATION" --no-progress -o "$dir/threads.json" "$url" 2>/dev/null
  start=$(($(date +%s%3N) + 3000))
  agents=()
  for k in 0 1; do
    "${headroom[@]}" load -c 64 -t 1 --segment "$k/2" --start-at "$start" --warmup 1 -d "$DURATION" --no-progress \
      -o "$dir/agent$k.json" "$url" 2>/dev/null &
    agents+=($!)
  done
  wait "${agents[@]}"
  "${headroom[@]}" merge "$dir/agent0.json" "$dir/agent1.json" -o "$dir/merged.json" 2>/dev/null >/dev/null
  read -r r1 p1 <<<"$(figures "$dir/one.json")"
  read -r rt pt <<<"$(figures "$dir/threads.json")"
  read -r r2 p2 <<<"$(figures "$dir/merged.json")"
  printf '%-6s %22s %22s %22s\n' "$round" "$r1/s p99 ${p1}ms" "$rt/s p99 ${pt}ms" "$r2/s p99 ${p2}ms"
done
