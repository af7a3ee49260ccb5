#!/bin/bash
# web-22: SLOW_DATABASE through PDO, waiting on a row lock in the database server (UTC). The
# post-views-counter plugin runs `UPDATE wp_post_views … WHERE post_id = ?` (PDO prepare + execute) on
# every product page. A stats rollup job (a mariadb client) holds those rows in an open transaction
# for 15 s: every product view waits inside execute() at ~0 % CPU, the 4 workers fill up, blog and
# shop pages queue behind them, nginx (fastcgi_read_timeout 5s) answers 504. PHP 8.2's slowlog prints
# the method without its class: the top frame is a bare "execute() …/post-views-counter.php:15".
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=5s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 4
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
host_init web-22 8122
start_mariadb
FPM_POOL_EXTRA="env[POST_VIEWS_DSN] = \"mysql:unix_socket=$MYSOCK;dbname=shop\""
write_configs
start_fpm; start_nginx
visitors 60 3 15 4
visitors 120 6 24 5 & vp=$!
sleep 5
log "stats rollup job locks wp_post_views for 15 s"
mariadb -S "$MYSOCK" shop -e "BEGIN; UPDATE wp_post_views SET count = count WHERE post_id <= 50; DO SLEEP(15); COMMIT;"
log "lock released"
wait $vp
visitors 60 3 15 4
stop_nginx; stop_fpm; stop_mariadb
collect
