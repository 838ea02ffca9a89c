#!/usr/bin/env bash
# One agent against two, both through `headroom collect` (each agent `--segment k/N --start-at T --push`), side by
# side in the same run: nginx serving a small response on loopback, 64 connections in all, one generator thread per
# agent, alternating for ROUNDS rounds of DURATION seconds (+1 s warm-up). Prints per round the merged req/s, p99
# and the generators' CPU (% of one core, summed over agents), the seconds the collector received live, and one
# agent with two threads (no collector) for reference, then the median ratio 2 agents / 1 agent.
# On a 2-core machine nginx and the agents share the cores: read the figures as what splitting costs or gains here,
# not as what a second machine would add. Needs nginx (Debian: nginx-light); skips with a message without it.
# BENCH_PORT picks nginx's port.
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

# shellcheck source=bench/lib/nginx.sh
. bench/lib/nginx.sh
start_nginx 47050
url=$nginx_url
dir=$nginx_dir
headroom=(node dist/cli/main.js)
# "req/s p99 cpu live-seconds/agents" of a headroom.load/v1 file.
figures() {
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
    const live=r.live?`${r.live.seconds.length}s/${r.live.agents}`:"-";
    console.log(Math.round(r.throughput.rps), r.latencyMs.p99.toFixed(2), Math.round(r.generator.cpuPct), live)' "$1"
}

# Runs N agents (one thread each, -c 64 in all) pushing to a fresh collector that writes the merged result to FILE.
agents() {
  local n=$1 file=$2 collector='' pids=()
  "${headroom[@]}" collect --listen 127.0.0.1:0 --expect "$n" --timeout 60s --no-progress -o "$file" \
    >/dev/null 2>"$dir/collect.err" &
  local collect_pid=$!
  for _ in $(seq 100); do
    collector=$(sed -n 's/^collecting [0-9]* results on \(.*\)$/\1/p' "$dir/collect.err")
    [ -n "$collector" ] && break
    sleep 0.1
  done
  local start=$(($(date +%s%3N) + 3000))
  for k in $(seq 0 $((n - 1))); do
    "${headroom[@]}" load -c 64 -t 1 --segment "$k/$n" --start-at "$start" --warmup 1 -d "$DURATION" --no-progress \
      --push "$collector" "$url" >/dev/null 2>"$dir/agent$k.err" &
    pids+=($!)
  done
  wait "${pids[@]}"
  wait "$collect_pid"
}

echo "nginx on $url, -c 64 in all, ${DURATION}s per run (+1s warm-up); cells: req/s, p99, generator CPU, live s/agents"
printf '%-6s %30s %30s %30s\n' round '1 agent x 1 thread (collect)' '2 agents x 1 thread (collect)' '1 agent x 2 threads'
ratios=()
for round in $(seq "$ROUNDS"); do
  agents 1 "$dir/one.json"
  agents 2 "$dir/two.json"
  "${headroom[@]}" load -c 64 -t 2 --warmup 1 -d "$DURATION" --no-progress -o "$dir/threads.json" "$url" >/dev/null 2>&1
  read -r r1 p1 c1 l1 <<<"$(figures "$dir/one.json")"
  read -r r2 p2 c2 l2 <<<"$(figures "$dir/two.json")"
  read -r rt pt ct _ <<<"$(figures "$dir/threads.json")"
  ratios+=("$(node -e "console.log(($r2 / $r1).toFixed(2))")")
  printf '%-6s %30s %30s %30s\n' "$round" "$r1/s ${p1}ms ${c1}% $l1" "$r2/s ${p2}ms ${c2}% $l2" "$rt/s ${pt}ms ${ct}%"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median req/s 2 agents / 1 agent: $median"
