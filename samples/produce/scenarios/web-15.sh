#!/bin/bash
# web-15: WARNING ONLY. pm.max_children = 3 is reached and the slowlog fills up (product-importer
# waits 3 s), but nginx fastcgi_read_timeout is generous (60s) so every request still succeeds:
# early warning, no 502/504.
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=60s
SLOWLOG_TIMEOUT=1s
FPM_PM="pm = dynamic
pm.max_children = 3
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 2"
FPM_POOL_EXTRA="env[PI_LOCK_WAIT] = 3"
host_init web-15 8115
write_configs
start_fpm; start_nginx
visitors 100 2 25 4
visitors 80 2 25 3 --timeout 60 & vp=$!
load --n 8 --c 3 --max-seconds 25 --timeout 60 --paths "/wp-admin/admin-ajax.php?action=pi_import_batch&batch=7"
wait $vp
visitors 100 2 25 4
stop_nginx; stop_fpm
collect
