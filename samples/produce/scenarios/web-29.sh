#!/bin/bash
# web-29: SLOW_EXTERNAL_CALL from the theme, over TCP (Europe/Berlin; pool on 127.0.0.1:9129). The
# astra-child footer fetches the shop's social feed with file_get_contents() on every page view (no
# cache, no timeout). The feed service (a local python server on 127.0.0.1:9229) starts answering in
# 8 s: slowlog file_get_contents() …/themes/astra-child/functions.php, the pool of 4 fills, nginx
# (fastcgi_read_timeout 5s) -> "upstream timed out (110) while reading response header" -> 504.
source "$(dirname "$0")/../lib.sh"
TZNAME=Europe/Berlin
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
SOCK=127.0.0.1:9129
FCGI_READ_TIMEOUT=5s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 4
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
FPM_POOL_EXTRA="env[THEME_INSTAGRAM_FEED] = http://127.0.0.1:9229"
host_init web-29 8129
api() { $PY "$PRODUCE/slow_http.py" --port 9229 --delay "$1" --lifetime 200 & API_PID=$!; sleep 0.5; }
write_configs
api 0.05
start_fpm; start_nginx
visitors 60 3 15 4
log "the feed service becomes slow (8 s per call)"; kill $API_PID; wait $API_PID 2>/dev/null || true; api 8
visitors 60 4 15 4 --timeout 20
log "the feed service recovers"; kill $API_PID; wait $API_PID 2>/dev/null || true; api 0.05
sleep 8
visitors 60 3 15 4
stop_nginx; stop_fpm
kill $API_PID; wait $API_PID 2>/dev/null || true
collect
