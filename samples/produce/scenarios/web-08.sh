#!/bin/bash
# web-08: REQUEST_TERMINATED. request_terminate_timeout = 3s; the search-reindex admin-ajax action
# runs for 10 s -> FPM "execution timed out (3.x sec), terminating", worker killed, nginx 104 -> 502.
source "$(dirname "$0")/../lib.sh"
SLOWLOG_TIMEOUT=1s
FPM_POOL_EXTRA="request_terminate_timeout = 3s
env[REINDEX_SECONDS] = 10"
host_init web-08 8108
write_configs
start_fpm; start_nginx
visitors 100 3 25 4
visitors 100 3 30 4 & vp=$!
for i in 1 2 3; do
	sleep 3
	load --n 1 --c 1 --max-seconds 20 --paths "/wp-admin/admin-ajax.php?action=search_reindex&scope=products"
done
wait $vp
visitors 100 3 25 4
stop_nginx; stop_fpm
collect
