#!/bin/bash
# web-36: no incident (Asia/Kolkata). The neighbour of web-16: the same graceful reload
# (process_control_timeout = 10s) with two long imports in flight (polling a lock for 9 s), but with
# listen.backlog = 511 and ~6 req/s: the queue holds every request that arrives while nobody accepts,
# the new workers serve them after the reload; they are slow (up to ~7 s) but none fails.
source "$(dirname "$0")/../lib.sh"
TZNAME=Asia/Kolkata
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
LISTEN_BACKLOG=511
SLOWLOG_TIMEOUT=0
FPM_GLOBAL_EXTRA="process_control_timeout = 10s"
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
FPM_POOL_EXTRA="env[PI_LOCK_POLL] = 9"
host_init web-36 8136
write_configs
start_fpm; start_nginx
visitors 60 3 15 4
visitors 100 12 16 6 --timeout 30 & vp=$!
sleep 2
load --n 2 --c 2 --max-seconds 20 --timeout 30 --paths "/wp-admin/admin-ajax.php?action=pi_import_batch&batch=51" \
	"/wp-admin/admin-ajax.php?action=pi_import_batch&batch=52" & ip=$!
sleep 2
log "kill -USR2 $(fpm_master) (deploy reload, two imports in flight)"
kill -USR2 "$(fpm_master)"
wait $vp $ip
visitors 60 3 15 4
stop_nginx; stop_fpm
collect
