#!/bin/bash
# web-05: SELF_REQUEST_DEADLOCK. pm.max_children = 2. wp-cron.php (spawned by WordPress itself,
# UA "WordPress/6.4.2; http://127.0.0.1") runs the cache-preloader plugin, which requests the
# site's own pages over http://127.0.0.1/ with no timeout. Two concurrent cron runs hold both
# workers while their own sub-requests wait in the listen queue -> deadlock until nginx's
# fastcgi_read_timeout (6s) fires -> 504s (inner and outer). This host listens on 127.0.0.1:80.
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=6s
SLOWLOG_TIMEOUT=2s
SITE_HOST=127.0.0.1
FPM_PM="pm = dynamic
pm.max_children = 2
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 2"
FPM_POOL_EXTRA="env[WP_CRON_PRELOAD] = 1"
host_init web-05 80
WPUA="WordPress/6.4.2; http://127.0.0.1"
write_configs
start_fpm; start_nginx
visitors 100 2 25 4
# one cron run on an idle pool works (self-requests are served by the 2nd worker)
load --n 1 --c 1 --max-seconds 20 --src 127.0.0.1 --ua "$WPUA" --paths "POST:/wp-cron.php?doing_wp_cron=1795178400.1234560000"
visitors 40 2 10 4
# two overlapping cron runs (two visitors triggered spawn_cron at the same moment) + visitors
visitors 80 2 25 4 & vp=$!
load --n 4 --c 2 --max-seconds 25 --timeout 30 --src 127.0.0.1 --ua "$WPUA" \
	--paths "POST:/wp-cron.php?doing_wp_cron=1795178460.5512345678"
wait $vp
sleep 5
visitors 100 2 25 4
stop_nginx; stop_fpm
collect
