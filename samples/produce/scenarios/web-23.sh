#!/bin/bash
# web-23: SLOW_DATABASE through the wpdb wrapper (mysqli), the database server holding a table lock
# (Asia/Kolkata). The related-products box runs a self-join on wp_order_items for every product page
# via $wpdb->get_results() -> mysqli_query(). A backup job (a mariadb client doing what mysqldump
# --lock-tables does) holds LOCK TABLES wp_order_items WRITE for 15 s: each product view waits in
# mysqli_query() for the lock at ~0 % CPU, the pool of 4 fills, nginx (fastcgi_read_timeout 5s) -> 504.
source "$(dirname "$0")/../lib.sh"
TZNAME=Asia/Kolkata
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
FCGI_READ_TIMEOUT=5s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 4
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
host_init web-23 8123
start_mariadb
FPM_POOL_EXTRA="env[WPDB_SOCKET] = $MYSOCK"
write_configs
start_fpm; start_nginx
visitors 60 3 15 4
visitors 120 6 24 5 & vp=$!
sleep 5
log "backup job: LOCK TABLES wp_order_items WRITE for 15 s"
mariadb -S "$MYSOCK" shop -e "LOCK TABLES wp_order_items WRITE; DO SLEEP(15); UNLOCK TABLES;"
log "lock released"
wait $vp
visitors 60 3 15 4
stop_nginx; stop_fpm; stop_mariadb
collect
