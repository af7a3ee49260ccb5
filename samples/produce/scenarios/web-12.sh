#!/bin/bash
# web-12: FPM_RELOAD_INTERRUPTION. process_control_timeout = 0 (Debian default), large backlog.
# Checkout requests take ~1.5 s (payment gateway round trip); php-fpm is reloaded (SIGUSR2, as a
# deploy does) while several are in flight -> in-flight requests are cut -> nginx 104 / 502 in the
# same second as "Reloading in progress", without any EAGAIN.
source "$(dirname "$0")/../lib.sh"
NGX_ERR_LEVEL=notice
LISTEN_BACKLOG=511
FPM_GLOBAL_EXTRA="process_control_timeout = 0"
FPM_PM="pm = dynamic
pm.max_children = 8
pm.start_servers = 4
pm.min_spare_servers = 2
pm.max_spare_servers = 6"
FPM_POOL_EXTRA="env[CHECKOUT_GATEWAY_MS] = 1500"
host_init web-12 8112
write_configs
start_fpm; start_nginx
VISITOR_PATHS+=(/checkout/@3)
visitors 100 3 25 4
visitors 150 5 30 5 & vp=$!
sleep 10
log "kill -USR2 $(fpm_master)  (deploy reload)"
kill -USR2 "$(fpm_master)"
sleep 10
log "kill -USR2 $(fpm_master)  (second reload)"
kill -USR2 "$(fpm_master)"
wait $vp
visitors 100 3 25 4
stop_nginx; stop_fpm
collect
