#!/bin/bash
# web-25: SELF_REQUEST_DEADLOCK broken by request_terminate_timeout (unix socket; Europe/Berlin).
# pm.max_children = 2, request_terminate_timeout = 6s, nginx fastcgi_read_timeout 30s (so FPM, not
# nginx, gives up first). Two overlapping WP-Cron runs (POST /wp-cron.php from 127.0.0.1, UA
# "WordPress/6.4.2; http://127.0.0.1:8125") run the cache-preloader plugin, which requests the site's
# own home URL with no timeout (curl_exec). Both workers wait on sub-requests that wait in the listen
# queue for a worker: a deadlock. After 6 s FPM logs "execution timed out … terminating" for both and
# kills them; nginx logs 104 for the cron requests -> 502. The terminations are how the deadlock
# ended, not its cause. A single cron run on an idle pool first succeeds.
source "$(dirname "$0")/../lib.sh"
TZNAME=Europe/Berlin
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
FCGI_READ_TIMEOUT=30s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 2
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 2"
FPM_POOL_EXTRA="request_terminate_timeout = 6s
env[WP_CRON_PRELOAD] = 1"
host_init web-25 8125
WPUA="WordPress/6.4.2; http://127.0.0.1:$PORT"
write_configs
start_fpm; start_nginx
visitors 60 2 15 4
load --n 1 --c 1 --max-seconds 20 --src 127.0.0.1 --ua "$WPUA" --paths "POST:/wp-cron.php?doing_wp_cron=1796123400.1180260000"
visitors 40 2 10 4
visitors 60 2 20 3 --timeout 40 & vp=$!
load --n 2 --c 2 --max-seconds 25 --timeout 40 --src 127.0.0.1 --ua "$WPUA" \
	--paths "POST:/wp-cron.php?doing_wp_cron=1796123460.2203350000"
wait $vp
sleep 3
visitors 60 2 15 4
stop_nginx; stop_fpm
collect
