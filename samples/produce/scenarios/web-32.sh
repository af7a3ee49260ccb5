#!/bin/bash
# web-32: WORKER_POOL_EXHAUSTED by more concurrent requests than children, each short (America/New_York).
# Checkout takes ~0.6 s (payment gateway round trip), far below request_slowlog_timeout (2s): no slowlog.
# A sale starts: 20 clients at once, most of them checking out, into a pool of 3. Requests queue in the
# large listen backlog (511, no EAGAIN), "server reached pm.max_children (3)", and nginx
# (fastcgi_read_timeout 2s) gives up on the ones that waited too long -> 504.
source "$(dirname "$0")/../lib.sh"
TZNAME=America/New_York
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
FCGI_READ_TIMEOUT=2s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 3
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
FPM_POOL_EXTRA="env[CHECKOUT_GATEWAY_MS] = 600"
host_init web-32 8132
write_configs
start_fpm; start_nginx
VISITOR_PATHS+=(/checkout/@2)
visitors 50 2 15 3
log "sale: 20 clients at once"
load --n 120 --c 20 --max-seconds 12 --timeout 20 --paths /checkout/@6 /cart/@2 /shop/@1 /product/blue-hoodie/@1
sleep 3
visitors 50 2 15 3
stop_nginx; stop_fpm
collect
