#!/bin/bash
# web-21: WORKER_CRASH in the second of a graceful reload, over TCP (America/New_York). A visitor
# opens the gallery that contains itself (gallery-builder recurses through array_map() until the
# worker dies with SIGSEGV, as on web-06) and php-fpm gets SIGUSR2 (a deploy) a moment later. With
# process_control_timeout = 10s the reload waits for running requests and cuts none; the one error in
# the reload's second is the crashed request: kern "segfault at", FPM "exited on signal 11". The
# reload is a bystander. (Compare web-20, where the reload itself cuts the requests.)
# Needs debug.exception-trace = 1 for the kernel's segfault line (set below).
source "$(dirname "$0")/../lib.sh"
sysctl -q -w debug.exception-trace=1
TZNAME=America/New_York
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
LISTEN_BACKLOG=511
FPM_GLOBAL_EXTRA="process_control_timeout = 10s"
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
PHP_MEMORY_LIMIT=512M
SOCK=127.0.0.1:9121
host_init web-21 8121
write_configs
start_fpm; start_nginx
visitors 60 3 15 4
visitors 80 3 20 4 & vp=$!
sleep 6
load --n 1 --c 1 --max-seconds 10 --paths "/gallery/summer-collection/?gallery=7" & gp=$!
sleep 0.6
log "kill -USR2 $(fpm_master) (deploy reload, the gallery request in flight)"
kill -USR2 "$(fpm_master)"
wait $vp $gp
visitors 60 3 15 4
stop_nginx; stop_fpm
collect kern
