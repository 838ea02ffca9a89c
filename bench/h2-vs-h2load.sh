#!/usr/bin/env bash
# headroom load --http2 against h2load (nghttp2), side by side, in the same run: nginx serving h2c on loopback,
# 64 connections with 10 streams each, alternating the two tools for ROUNDS rounds of DURATION seconds (1 s of
# warm-up each). Prints req/s per round and the median ratio. Needs nginx (Debian: nginx-light) and h2load
# (Debian: nghttp2-client); skips with a message when either is missing. BENCH_PORT picks nginx's port.
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

# shellcheck source=bench/lib/nginx.sh
. bench/lib/nginx.sh
start_nginx 44000 http2
url=$nginx_url

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
