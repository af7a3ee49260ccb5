#!/bin/bash
# web-17: LISTEN_BACKLOG_OVERFLOW because of a graceful reload, over TCP (America/New_York). The pool
# listens on 127.0.0.1:9117 with listen.backlog = 8, process_control_timeout = 10s; nginx
# fastcgi_connect_timeout 3s. Two shipping quotes are waiting 9 s on a slow carrier API (curl_exec, in
# the slowlog) when php-fpm gets SIGUSR2: nobody accepts until they end, the accept queue fills, the
# kernel drops further SYNs and nginx gives up connecting after 3 s -> "upstream timed out (110:
# Connection timed out) while connecting to upstream" -> 504. The slow curl_exec() calls are real, but
# two of them cannot fill a pool of 6: they only held the reload open.
source "$(dirname "$0")/../lib.sh"
TZNAME=America/New_York
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
SOCK=127.0.0.1:9117
LISTEN_BACKLOG=8
SLOWLOG_TIMEOUT=2s
NGX_PHP_EXTRA="fastcgi_connect_timeout 3s;"
FPM_GLOBAL_EXTRA="process_control_timeout = 10s"
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
FPM_POOL_EXTRA="env[SHIPPING_RATES_API] = http://127.0.0.1:9217"
host_init web-17 8117
write_configs
$PY "$PRODUCE/slow_http.py" --port 9217 --delay 9 --lifetime 120 & api=$!
start_fpm; start_nginx
visitors 60 3 15 4
visitors 200 20 16 12 & vp=$!
sleep 2
load --n 2 --c 2 --max-seconds 20 --timeout 30 --paths "/wp-admin/admin-ajax.php?action=shipping_quote&zip=10001" \
	"/wp-admin/admin-ajax.php?action=shipping_quote&zip=11201" & qp=$!
sleep 2
log "kill -USR2 $(fpm_master) (deploy reload, two quotes in flight)"
kill -USR2 "$(fpm_master)"
wait $vp $qp
visitors 60 3 15 4
stop_nginx; stop_fpm
kill $api; wait $api 2>/dev/null || true
collect
