#!/bin/bash
# web-31: WORKER_POOL_EXHAUSTED by CPU-bound requests, no slow call of any kind (UTC). Product search
# without an index scores every product (1.2 million md5 rounds each); a crawler sends searches 4 at
# a time into a pool of 2. request_slowlog_timeout = 5s, so nothing reaches the slowlog; the FPM access
# log shows the searches with their CPU% (on this busy 2-core host ~11-12 %: the CPU-bound requests waited for
# the CPU). The queue grows, "server reached pm.max_children (2)", nginx
# (fastcgi_read_timeout 3s) -> "upstream timed out (110) while reading response header" -> 504.
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=3s
SLOWLOG_TIMEOUT=5s
FPM_PM="pm = dynamic
pm.max_children = 2
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 2"
FPM_POOL_EXTRA="env[SEARCH_ROUNDS] = 1200000"
host_init web-31 8131
write_configs
start_fpm; start_nginx
visitors 50 2 15 3
visitors 40 2 15 3 & vp=$!
log "crawler: searches, 4 at a time"
load --n 24 --c 4 --max-seconds 15 --timeout 20 --ua "Mozilla/5.0 (compatible; Bingbot/2.0; +http://www.bing.com/bingbot.htm)" \
	--paths "/?s=hoodie" "/?s=tote+bag" "/?s=summer" "/?s=canvas" "/?s=blue"
wait $vp
sleep 3
visitors 50 2 15 3
stop_nginx; stop_fpm
collect
