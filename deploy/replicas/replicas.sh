#!/usr/bin/env bash
# Any number of commit-kg API replicas behind one nginx, all answering from one SPARQL server, on the
# loopback and without containers: one `oxigraph serve` (PyPI oxigraph) holding the graph that
# `commit-kg load --into` wrote, N `commit-kg serve --store` replicas on consecutive ports, and nginx
# (Debian nginx-light) balancing them round robin, skipping a replica that fails (passive health).
# tests/test_replicas.py runs it for real with N=3.
#
#   deploy/replicas/replicas.sh start N   # the store, load, N replicas, nginx; prints the balancer's URL
#   deploy/replicas/replicas.sh roll      # restart the replicas one by one (after a new `load --into`)
#   deploy/replicas/replicas.sh stop      # stop everything it started
#
# A new version: `commit-kg load --into http://127.0.0.1:$STORE_PORT/update` (one transaction), then
# `replicas.sh roll`: each replica stops, starts on the new graph and answers before the next one stops,
# so the others always answer and nginx sends no request to the one restarting.
#
# Settings (environment):
#   RUN_DIR          the store, logs, pid files and nginx configuration (default ./replicas-run)
#   STORE_PORT       oxigraph serve (default 7878)
#   FIRST_PORT       the first replica; replica k listens on FIRST_PORT+k-1 (default 8001)
#   LB_PORT          nginx (default 8080)
#   REPLICA_WORKERS  HTTP worker processes in each replica (default 1: scale with replicas instead)
#   COMMIT_KG        the command to run (default commit-kg)
#   NGINX_BIN        nginx (default: on the PATH, else /usr/sbin/nginx; not NGINX, which nginx reads itself)
#   COMMIT_KG_*      passed to `load` and `serve` as usual; COMMIT_KG_BASE_URL defaults to the balancer's
#                    URL, so that every replica's links name the balancer, never its own port.
set -Eeuo pipefail

RUN_DIR=$(mkdir -p "${RUN_DIR:-replicas-run}" && cd "${RUN_DIR:-replicas-run}" && pwd)
STORE_PORT=${STORE_PORT:-7878}
FIRST_PORT=${FIRST_PORT:-8001}
LB_PORT=${LB_PORT:-8080}
REPLICA_WORKERS=${REPLICA_WORKERS:-1}
COMMIT_KG=${COMMIT_KG:-commit-kg}
NGINX_BIN=${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}
STORE="http://127.0.0.1:$STORE_PORT"
export COMMIT_KG_BASE_URL=${COMMIT_KG_BASE_URL:-http://127.0.0.1:$LB_PORT}

say() { echo "replicas: $*" >&2; }

# Waits until $1 answers 200, while the process of pid file $2 lives; else shows its log $3 and fails.
wait_for() {
    local url=$1 pidfile=$2 log=$3 deadline=$((SECONDS + 300)) pid
    until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
        pid=$(cat "$pidfile" 2>/dev/null || true)  # nginx writes its pid file once it has forked
        if { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; } || [ $SECONDS -gt $deadline ]; then
            say "no answer from $url; the end of $log:"
            tail -n 20 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
}

# Stops the process of pid file $1 (SIGTERM: a replica finishes the requests it holds, for up to 30 s, longer
# than a query may run, COMMIT_KG_QUERY_TIMEOUT=20 s), then removes the file.
stop_pid() {
    local pidfile=$1 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

start_store() {
    say "oxigraph serve on $STORE (store in $RUN_DIR/store)"
    # --union-default-graph: queries see the union of the named graphs, as the embedded store does.
    oxigraph serve --location "$RUN_DIR/store" --bind "127.0.0.1:$STORE_PORT" --union-default-graph \
        </dev/null >>"$RUN_DIR/store.log" 2>&1 &
    echo $! >"$RUN_DIR/store.pid"
    wait_for "$STORE/query?query=ASK%7B%7D" "$RUN_DIR/store.pid" "$RUN_DIR/store.log"
    say "commit-kg load --into $STORE/update"
    $COMMIT_KG load --into "$STORE/update" >&2
}

# Replica k on port FIRST_PORT+k-1; its standard output (the access log) in replica-PORT.log.
start_replica() {
    local port=$1
    $COMMIT_KG serve --store "$STORE/query" --host 127.0.0.1 --port "$port" --workers "$REPLICA_WORKERS" \
        </dev/null >>"$RUN_DIR/replica-$port.log" 2>&1 &
    echo $! >"$RUN_DIR/replica-$port.pid"
    wait_for "http://127.0.0.1:$port/sparql?query=ASK%7B%7D" "$RUN_DIR/replica-$port.pid" "$RUN_DIR/replica-$port.log"
    say "replica on 127.0.0.1:$port"
}

# The site for N replicas (what would go in /etc/nginx/sites-available/), and a main file to run it alone.
write_nginx() {
    local n=$1 port
    mkdir -p "$RUN_DIR/nginx"
    {
        echo "# $n commit-kg replicas, written by deploy/replicas/replicas.sh."
        echo "# Round robin (nginx's default); a replica that refuses or drops a connection is skipped for"
        echo "# fail_timeout after max_fails failures, and the request goes to the next one."
        echo "upstream commit_kg_replicas {"
        for ((port = FIRST_PORT; port < FIRST_PORT + n; port++)); do
            echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"
        done
        cat <<'EOF'
    keepalive 16;
}

# Which replica answered each request, and how: the access log names the upstream address and status.
log_format commit_kg_upstream '$remote_addr [$time_local] "$request" $status '
                              'upstream=$upstream_addr upstream_status=$upstream_status '
                              'upstream_time=$upstream_response_time';

server {
EOF
        echo "    listen 127.0.0.1:$LB_PORT;"
        cat <<'EOF'
    access_log logs/access.log commit_kg_upstream;

    # The service's own limit on a body is 1 MiB (COMMIT_KG_REQUEST_MAX_BYTES): nginx keeps a body that
    # size in memory, so that it can send it again to the next replica, and refuses larger ones.
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    large_client_header_buffers 4 64k;

    location / {
        proxy_pass http://commit_kg_replicas;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;
        # Longer than COMMIT_KG_QUERY_TIMEOUT (20 s): a query past its limit is the service's 503.
        proxy_read_timeout 60s;
        # Passive health: a replica that is stopping, restarting or gone (connection refused, reset, or
        # closed before an answer) is skipped and the request sent to the next one. Every POST a replica
        # answers is a read-only query (its /admin/reload refuses), so POSTs may be sent again too. An
        # answer of the service itself (a 503 on a query's time limit) is passed on, not retried.
        proxy_next_upstream error timeout non_idempotent;
        proxy_next_upstream_timeout 30s;
        # Answers (dumps included) stream through; nothing is written to disk.
        proxy_max_temp_file_size 0;
    }
}
EOF
    } >"$RUN_DIR/nginx/commit-kg-replicas.conf"
    cat >"$RUN_DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $RUN_DIR/nginx/nginx.pid;
error_log $RUN_DIR/nginx/error.log warn;
events { worker_connections 256; }
http {
    client_body_temp_path $RUN_DIR/nginx/body;
    proxy_temp_path $RUN_DIR/nginx/proxy;
    fastcgi_temp_path $RUN_DIR/nginx/fastcgi;
    uwsgi_temp_path $RUN_DIR/nginx/uwsgi;
    scgi_temp_path $RUN_DIR/nginx/scgi;
    include $RUN_DIR/nginx/commit-kg-replicas.conf;
}
EOF
}

start_nginx() {
    mkdir -p "$RUN_DIR/nginx/logs"
    env -u NGINX "$NGINX_BIN" -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" -e "$RUN_DIR/nginx/error.log" -t -q
    # Its output in its error log: nothing it starts holds this script's standard output or error open.
    env -u NGINX "$NGINX_BIN" -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" -e "$RUN_DIR/nginx/error.log" \
        </dev/null >>"$RUN_DIR/nginx/error.log" 2>&1
    wait_for "http://127.0.0.1:$LB_PORT/sparql?query=ASK%7B%7D" "$RUN_DIR/nginx/nginx.pid" "$RUN_DIR/nginx/error.log"
}

stop_all() {
    stop_pid "$RUN_DIR/nginx/nginx.pid"
    for port in $(replica_ports); do stop_pid "$RUN_DIR/replica-$port.pid"; done
    stop_pid "$RUN_DIR/store.pid"
}

replica_ports() {
    local pidfile
    for pidfile in "$RUN_DIR"/replica-*.pid; do
        [ -f "$pidfile" ] || continue
        basename "$pidfile" .pid | cut -d- -f2
    done | sort -n
}

case "${1:-}" in
start)
    n=${2:?usage: replicas.sh start N}
    [[ $n =~ ^[1-9][0-9]*$ ]] || { say "N must be a whole number of 1 or more, not '$n'"; exit 2; }
    for tool in oxigraph curl "$NGINX_BIN"; do
        command -v "$tool" >/dev/null || { say "$tool not found (pip install oxigraph; apt-get install curl nginx-light)"; exit 2; }
    done
    trap 'say "start failed: stopping what it started"; stop_all' ERR
    start_store
    for ((port = FIRST_PORT; port < FIRST_PORT + n; port++)); do start_replica "$port"; done
    write_nginx "$n"
    start_nginx
    say "$n replicas behind nginx; logs, pid files and the nginx site in $RUN_DIR"
    echo "http://127.0.0.1:$LB_PORT"
    ;;
roll)
    for port in $(replica_ports); do
        say "restarting the replica on 127.0.0.1:$port"
        stop_pid "$RUN_DIR/replica-$port.pid"
        start_replica "$port"
    done
    ;;
stop)
    stop_all
    ;;
*)
    echo "usage: replicas.sh start N | roll | stop" >&2
    exit 2
    ;;
esac
