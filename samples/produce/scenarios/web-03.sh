#!/bin/bash
# web-03: WORKER_POOL_EXHAUSTED. pm.max_children = 3, product-importer batches wait 6 s on a lock
# (sleep) while nginx fastcgi_read_timeout is 3s -> "server reached pm.max_children setting (3)",
# slowlog with sleep(), nginx "upstream timed out (110" and 504 for importers and visitors alike.
source "$(dirname "$0")/../lib.sh"
FCGI_READ_TIMEOUT=3s
SLOWLOG_TIMEOUT=2s
FPM_PM="pm = dynamic
pm.max_children = 3
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 2"
FPM_POOL_EXTRA="env[PI_LOCK_WAIT] = 6"
host_init web-03 8103
write_configs
start_fpm; start_nginx
visitors 120 2 30 4
visitors 120 3 30 4 & vp=$!
load --n 12 --c 4 --max-seconds 25 --timeout 20 --paths "/wp-admin/admin-ajax.php?action=pi_import_batch&batch=1" \
	"/wp-admin/admin-ajax.php?action=pi_import_batch&batch=2" "/wp-admin/admin-ajax.php?action=pi_import_batch&batch=3"
wait $vp
sleep 8
visitors 120 2 30 4
stop_nginx; stop_fpm
collect
