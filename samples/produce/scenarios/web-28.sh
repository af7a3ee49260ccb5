#!/bin/bash
# web-28: SLOW_EXTERNAL_CALL from a plugin, ending in EAGAIN (unix socket; Asia/Kolkata). The
# acme-crm-sync plugin posts every product, cart and checkout view to the CRM with curl_exec and no
# timeout. The CRM (a local python server on 127.0.0.1:9228) starts answering in 10 s: the 4 workers
# all wait in curl_exec() (slowlog), "server reached pm.max_children (4)", the 8-slot listen queue
# fills and nginx connect() fails with EAGAIN (11) -> 502. No reload: the queue overflowed because
# the pool was held by slow calls (compare web-16/web-17, where a reload held it).
source "$(dirname "$0")/../lib.sh"
TZNAME=Asia/Kolkata
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
LISTEN_BACKLOG=8
FCGI_READ_TIMEOUT=30s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 4
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
FPM_POOL_EXTRA="env[ACME_CRM_API] = http://127.0.0.1:9228"
host_init web-28 8128
api() { $PY "$PRODUCE/slow_http.py" --port 9228 --delay "$1" --lifetime 200 & API_PID=$!; sleep 0.5; }
write_configs
api 0.05
start_fpm; start_nginx
VISITOR_PATHS+=(/cart/@2 /checkout/@1)
visitors 60 3 15 4
log "the CRM becomes slow (10 s per call)"; kill $API_PID; wait $API_PID 2>/dev/null || true; api 10
visitors 160 40 16 10 --timeout 40
log "the CRM recovers"; kill $API_PID; wait $API_PID 2>/dev/null || true; api 0.05
sleep 12
visitors 60 3 15 4
stop_nginx; stop_fpm
kill $API_PID; wait $API_PID 2>/dev/null || true
collect
