#!/bin/bash
# web-16: LISTEN_BACKLOG_OVERFLOW because of a graceful reload, with long requests in flight (unix
# socket; Europe/Berlin). listen.backlog = 8, process_control_timeout = 10s, no slowlog. Two product
# imports (polling a lock for 9 s, ~0 % CPU) are running when php-fpm gets SIGUSR2 (a deploy): the old workers stop
# accepting and finish their requests while the master waits for them, nobody accepts for ~7 s, the
# 8-slot queue overflows under ~12 req/s -> nginx connect() EAGAIN (11) -> 502, from the second of the
# reload on. The two long imports end 200 in the FPM access log (the confusable part: long, low-CPU
# requests in the same seconds as the 502s; they held the reload open, they did not fill the pool).
source "$(dirname "$0")/../lib.sh"
TZNAME=Europe/Berlin
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
LISTEN_BACKLOG=8
SLOWLOG_TIMEOUT=0
FPM_GLOBAL_EXTRA="process_control_timeout = 10s"
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
FPM_POOL_EXTRA="env[PI_LOCK_POLL] = 9"
host_init web-16 8116
write_configs
start_fpm; start_nginx
visitors 60 3 15 4
visitors 200 20 16 12 & vp=$!
sleep 2
load --n 2 --c 2 --max-seconds 20 --timeout 30 --paths "/wp-admin/admin-ajax.php?action=pi_import_batch&batch=41" \
	"/wp-admin/admin-ajax.php?action=pi_import_batch&batch=42" & ip=$!
sleep 2
log "kill -USR2 $(fpm_master) (deploy reload, two imports in flight)"
kill -USR2 "$(fpm_master)"
wait $vp $ip
visitors 60 3 15 4
stop_nginx; stop_fpm
collect
