# shellcheck shell=bash
# Shared by the bench scripts: nginx on loopback answering every request with a small 200 "ok".
#   start_nginx PORT [LISTEN_FLAGS]   e.g. start_nginx 44000 http2
# Takes the first free port from PORT up (BENCH_PORT overrides PORT), runs one worker in the foreground of a
# temporary prefix, and sets nginx_url (http://127.0.0.1:PORT/) and nginx_dir (a temporary folder for the
# caller's files too); nginx is stopped and the folder removed when the script exits.
start_nginx() {
  local port=${BENCH_PORT:-$1} flags=${2:-}
  nginx_dir=$(mktemp -d)
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  # keepalive_requests: nginx ends a connection after 1000 requests by default (HTTP/2: a GOAWAY, which h2load
  # does not recover from); a high limit gives every tool connections that last the whole run.
  cat >"$nginx_dir/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $nginx_dir/nginx.pid; error_log $nginx_dir/error.log;
events { worker_connections 1024; }
http {
  access_log off; keepalive_requests 100000000; client_body_temp_path $nginx_dir/body;
  server { listen 127.0.0.1:$port $flags; location / { return 200 "ok"; } }
}
CONF
  nginx -c "$nginx_dir/nginx.conf" -p "$nginx_dir" &
  nginx_pid=$!
  trap 'kill $nginx_pid 2>/dev/null; rm -rf "$nginx_dir"' EXIT
  for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  nginx_url="http://127.0.0.1:$port/"
}
