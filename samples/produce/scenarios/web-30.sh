#!/bin/bash
# web-30: no incident (UTC). The neighbour of web-04/web-28/web-29: two shipping quotes wait 3 s on
# the carrier API (curl_exec, in the slowlog with request_slowlog_timeout 2s), but the pool has room
# and nginx waits up to 60 s: both end 200, nobody gets a 502/504, two slow requests are no storm.
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=60s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
FPM_POOL_EXTRA="env[SHIPPING_RATES_API] = http://127.0.0.1:9230"
host_init web-30 8130
write_configs
$PY "$PRODUCE/slow_http.py" --port 9230 --delay 3 --lifetime 120 & api=$!
start_fpm; start_nginx
visitors 60 2 15 4 & vp=$!
sleep 5
load --n 2 --c 1 --max-seconds 20 --timeout 30 --paths "/wp-admin/admin-ajax.php?action=shipping_quote&zip=80331"
wait $vp
visitors 60 2 15 4
stop_nginx; stop_fpm
kill $api; wait $api 2>/dev/null || true
collect
