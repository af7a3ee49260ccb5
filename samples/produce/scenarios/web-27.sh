#!/bin/bash
# web-27: no incident (America/New_York). The neighbour of web-05/web-25: WP-Cron runs the
# cache-preloader plugin, which requests the site's own pages over http://127.0.0.1:8127/ with no
# timeout, but the pool has 5 workers and the visitors are few: the sub-requests find a free worker,
# every cron run ends 200 after a few hundred ms. Self-requests in the access log are no fault.
source "$(dirname "$0")/../lib.sh"
TZNAME=America/New_York
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
FPM_POOL_EXTRA="env[WP_CRON_PRELOAD] = 1"
host_init web-27 8127
WPUA="WordPress/6.4.2; http://127.0.0.1:$PORT"
write_configs
start_fpm; start_nginx
visitors 60 2 15 4 & vp=$!
sleep 3
load --n 3 --c 1 --max-seconds 20 --src 127.0.0.1 --ua "$WPUA" --paths "POST:/wp-cron.php?doing_wp_cron=1796129400.3391020000"
wait $vp
visitors 60 2 15 4
stop_nginx; stop_fpm
collect
