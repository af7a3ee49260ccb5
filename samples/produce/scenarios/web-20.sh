#!/bin/bash
# web-20: FPM_RELOAD_INTERRUPTION over TCP (UTC; the pool listens on 127.0.0.1:9120). process_control_timeout = 0
# (Debian's default) and a large backlog. Four checkouts (payment gateway round trip ~1.5 s) are in
# flight when php-fpm gets SIGUSR2 (a deploy): the master does not wait, the old workers are killed
# mid-request -> nginx loses the connections of the checkouts -> 502, in the second of
# "Reloading in progress". No crash, no timeout: the reload is the cause. (Compare web-21, where
# the error in the second of a reload comes from a segfault.)
source "$(dirname "$0")/../lib.sh"
TZNAME=UTC
LISTEN_BACKLOG=511
FPM_GLOBAL_EXTRA="process_control_timeout = 0"
FPM_PM="pm = dynamic
pm.max_children = 8
pm.start_servers = 4
pm.min_spare_servers = 2
pm.max_spare_servers = 6"
FPM_POOL_EXTRA="env[CHECKOUT_GATEWAY_MS] = 1500"
SOCK=127.0.0.1:9120
host_init web-20 8120
write_configs
start_fpm; start_nginx
VISITOR_PATHS+=(/checkout/@2)
visitors 60 3 15 4
visitors 80 3 20 4 & vp=$!
sleep 6
load --n 4 --c 4 --max-seconds 10 --paths /checkout/ & cp=$!
sleep 0.6
log "kill -USR2 $(fpm_master) (deploy reload, checkouts in flight)"
kill -USR2 "$(fpm_master)"
wait $vp $cp
visitors 60 3 15 4
stop_nginx; stop_fpm
collect
