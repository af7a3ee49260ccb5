#!/bin/bash
# web-13: DISK_FULL. nginx client_body_temp_path on a 1 MB tmpfs; media uploads (2 MB POST bodies)
# are buffered to disk by nginx -> "(28: No space left on device)" -> 500 (nginx itself, PHP never sees it).
source "$(dirname "$0")/../lib.sh"
host_init web-13 8113
mkdir -p "$PREFIX/client_body_temp"
mount -t tmpfs -o size=1m,mode=0700 handoff-tmp "$PREFIX/client_body_temp"
chown www-data "$PREFIX/client_body_temp"
NGX_SERVER_EXTRA="client_max_body_size 16m;"
write_configs
start_fpm; start_nginx
visitors 100 3 25 4
visitors 80 3 20 4 & vp=$!
load --n 6 --c 2 --max-seconds 20 --body-bytes 2097152 --paths "POST:/wp-admin/async-upload.php"
load --n 6 --c 1 --max-seconds 20 --body-bytes 200000 --paths "POST:/wp-admin/admin-ajax.php?action=heartbeat"
wait $vp
visitors 100 3 25 4
stop_nginx; stop_fpm
umount "$PREFIX/client_body_temp"
collect
