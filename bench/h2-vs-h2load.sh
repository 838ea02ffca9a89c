#!/usr/bin/env bash
# headroom load --http2 against h2load (nghttp2), side by side, in the same run: nginx serving h2c on loopback,
# 64 connections with 10 streams each, alternating the two tools for ROUNDS rounds of DURATION seconds (1 s of
# warm-up each). Prints req/s per round and the median ratio. Needs nginx (Debian: nginx-light) and h2load
# (Debian: nghttp2-client); skips with a message when either is missing.
#   bench/h2-vs-h2load.sh [ROUNDS=3] [DURATION=5]
set -euo pipefail
ROUNDS=${1:-3}
DURATION=${2:-5}
cd "$(dirname "$0")/.."
for tool in nginx h2load; do
  if ! command -v "$tool" >/dev/null; then
    echo "h2-vs-h2load: skipped ($tool is not installed; Debian: nginx-light, nghttp2-client)"
    exit 0
  fi
done
[ -f dist/cli/main.js ] || npm run build >/dev/null

dir=$(mktemp -d)
port=44000
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
# keepalive_requests: nginx ends an HTTP/2 connection (GOAWAY) after 1000 requests by default; h2load does not
# reconnect then, so both tools get connections that last the whole run.
cat >"$dir/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $dir/nginx.pid; error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off; keepalive_requests 100000000; client_body_temp_path $dir/body;
  server { listen 127.0.0.1:$port http2; location / { return 200 "ok"; } }
}
EOF
nginx -c "$dir/nginx.conf" -p "$dir" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/"

echo "nginx h2c on $url, -c 64, 10 streams per connection, ${DURATION}s per run (+1s warm-up)"
printf '%-6s %14s %14s %8s\n' round 'h2load req/s' 'headroom req/s' ratio
ratios=()
for round in $(seq "$ROUNDS"); do
  h2=$(h2load -c 64 -m 10 --warm-up-time=1 -D "$DURATION" "$url" | sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p')
  hr=$(node dist/cli/main.js load --http2 -c 64 -p 10 --warmup 1 -d "$DURATION" --no-progress --json "$url" 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).throughput.rps))')
  ratio=$(node -e "console.log(($hr / $h2).toFixed(2))")
  ratios+=("$ratio")
  printf '%-6s %14.0f %14.0f %8s\n' "$round" "$h2" "$hr" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median headroom/h2load: $median"
