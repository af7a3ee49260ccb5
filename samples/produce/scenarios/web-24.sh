#!/bin/bash
# web-24: no incident (Europe/Berlin). The neighbour of web-22: the stats rollup job holds the
# wp_post_views rows for only 5 s. Two product views wait ~3.3 s inside PDO execute() (slowlog, 2s) and then
# end 200; nginx waits up to 60 s and the pool of 6 never fills. A slow query that finished is no
# incident, and two slow requests are no storm.
source "$(dirname "$0")/../lib.sh"
TZNAME=Europe/Berlin
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
FCGI_READ_TIMEOUT=60s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
host_init web-24 8124
start_mariadb
FPM_POOL_EXTRA="env[POST_VIEWS_DSN] = \"mysql:unix_socket=$MYSOCK;dbname=shop\""
write_configs
start_fpm; start_nginx
VISITOR_PATHS=(/@6 /blog/hello-world/@3 /blog/summer-sale/@2 /shop/@4 /cart/@1 /wp-content/themes/astra-child/style.css@3
	/favicon.ico@1 "/wp-admin/admin-ajax.php?action=heartbeat@1")
visitors 60 2 15 4
visitors 60 2 15 4 & vp=$!
sleep 4
log "stats rollup job locks wp_post_views for 5 s"
mariadb -S "$MYSOCK" shop -e "BEGIN; UPDATE wp_post_views SET count = count WHERE post_id <= 50; DO SLEEP(5); COMMIT;" & lp=$!
sleep 1.5
load --n 2 --c 2 --max-seconds 10 --timeout 30 --paths /product/blue-hoodie/ /product/canvas-tote/
wait $vp $lp
visitors 60 2 15 4
stop_nginx; stop_fpm; stop_mariadb
collect
