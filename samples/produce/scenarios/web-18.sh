#!/bin/bash
# web-18: FPM_RELOAD_INTERRUPTION (unix socket; Asia/Kolkata, UTC+05:30). process_control_timeout = 0
# (Debian's default) and a large backlog. Four checkouts (payment gateway round trip ~1.5 s) are in
# flight when php-fpm gets SIGUSR2 (a deploy): the master does not wait, the old workers are killed
# mid-request -> nginx "recv() failed (104: Connection reset by peer)" -> 502, in the second of
# "Reloading in progress". No crash, no EAGAIN: the reload is the cause. (Compare web-19, where
# 104s in the second of a reload come from a segfault.)
source "$(dirname "$0")/../lib.sh"
TZNAME=Asia/Kolkata
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
LISTEN_BACKLOG=511
FPM_GLOBAL_EXTRA="process_control_timeout = 0"
FPM_PM="pm = dynamic
pm.max_children = 8
pm.start_servers = 4
pm.min_spare_servers = 2
pm.max_spare_servers = 6"
FPM_POOL_EXTRA="env[CHECKOUT_GATEWAY_MS] = 1500"
host_init web-18 8118
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
