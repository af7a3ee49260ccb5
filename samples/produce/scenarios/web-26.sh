#!/bin/bash
# web-26: SELF_REQUEST_DEADLOCK broken by request_terminate_timeout, from a theme, over TCP
# (Asia/Kolkata; the pool listens on 127.0.0.1:9126). The astra-child footer renders its mini-cart
# from the shop's own Store API: file_get_contents(home_url('/wp-json/wc/store/v1/cart')), no timeout.
# pm.max_children = 2: one page view at a time works (the second worker answers the sub-request);
# three at once take both workers (~0.1 s of rendering before the footer) and their sub-requests wait
# in the queue for a worker. After 5 s
# FPM terminates the stuck workers (request_terminate_timeout), nginx logs 104 -> 502
# (fastcgi_read_timeout 30s, so nginx does not give up first).
source "$(dirname "$0")/../lib.sh"
TZNAME=Asia/Kolkata
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
SOCK=127.0.0.1:9126
FCGI_READ_TIMEOUT=30s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 2
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 2"
FPM_POOL_EXTRA="request_terminate_timeout = 5s
env[THEME_MINI_CART_SELF] = 1"
host_init web-26 8126
write_configs
start_fpm; start_nginx
visitors 50 1 15 3
log "page views three at a time"
load --n 6 --c 3 --max-seconds 20 --timeout 40 --paths /shop/ /product/blue-hoodie/ /blog/summer-sale/ /
visitors 50 1 15 3
stop_nginx; stop_fpm
collect
