#!/bin/bash
# web-04: SLOW_EXTERNAL_CALL. The shipping-rates plugin calls a carrier API (a local python
# server on 127.0.0.1:9104) with curl_exec and no timeout on every product/cart page.
# The API becomes slow (8 s) for ~30 s -> long, low-CPU FPM requests, slowlog curl_exec() frames
# in plugins/shipping-rates/api.php, pool exhausted, 504 at nginx (fastcgi_read_timeout 5s).
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=5s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 4
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
FPM_POOL_EXTRA="env[SHOP_LIVE_SHIPPING] = 1
env[SHIPPING_RATES_API] = http://127.0.0.1:9104"
host_init web-04 8104
api() { $PY "$PRODUCE/slow_http.py" --port 9104 --delay "$1" --lifetime 200 & API_PID=$!; sleep 0.5; }
write_configs
api 0.05
start_fpm; start_nginx
visitors 120 3 30 4
log "carrier API becomes slow (8 s per call)"; kill $API_PID; wait $API_PID 2>/dev/null || true; api 8
visitors 100 4 30 4 --timeout 20
log "carrier API recovers"; kill $API_PID; wait $API_PID 2>/dev/null || true; api 0.05
sleep 6
visitors 120 3 30 4
stop_nginx; stop_fpm
kill $API_PID; wait $API_PID 2>/dev/null || true
collect
