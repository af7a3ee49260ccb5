#!/bin/bash
# web-01: LISTEN_BACKLOG_OVERFLOW. Pool listen.backlog = 4 (effective backlog = min(4, net.core.somaxconn)).
# A traffic spike (up to 50 concurrent clients) hits the site and php-fpm is reloaded (SIGUSR2, as a
# deploy or logrotate would do) in the middle of it. process_control_timeout = 10s makes the reload
# graceful: the master waits for in-flight requests (checkout ~0.8 s) before re-exec, nobody accepts
# on the socket meanwhile, the 4-slot listen queue overflows -> nginx connect() EAGAIN (11) -> 502.
source "$(dirname "$0")/../lib.sh"
LISTEN_BACKLOG=4
NGX_ERR_LEVEL=notice
FPM_GLOBAL_EXTRA="process_control_timeout = 10s"
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
FPM_POOL_EXTRA="env[CHECKOUT_GATEWAY_MS] = 800"
host_init web-01 8101
log "net.core.somaxconn=$(sysctl -n net.core.somaxconn)"
write_configs
start_fpm; start_nginx
log "listen queue: $(ss -xlnp | grep "$SOCK" | awk '{print "Recv-Q="$3" Send-Q(backlog)="$4}')"
VISITOR_PATHS+=(/checkout/@1)
visitors 50 3 15 4
# spike: up to 50 concurrent clients at ~45 req/s for at most 10 s / 450 requests; reload after 5 s
visitors 450 50 10 45 & sp=$!
sleep 5
log "kill -USR2 $(fpm_master) (reload during spike)"
kill -USR2 "$(fpm_master)"
wait $sp
grep php8.2-fpm-web-01 /proc/net/unix >&2 || true
visitors 50 3 15 4
stop_nginx; stop_fpm
collect
