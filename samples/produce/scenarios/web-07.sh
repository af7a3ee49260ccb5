#!/bin/bash
# web-07: OOM_KILL. The whole php-fpm8.2 service runs in a cgroup v1 memory cgroup limited to
# 96 MB (like a container / systemd MemoryMax). The report-exporter plugin builds the full
# orders CSV in memory (php memory_limit = -1), the kernel memory-cgroup OOM killer kills the
# worker (SIGKILL) -> nginx sees the connection reset -> 502.
source "$(dirname "$0")/../lib.sh"
CG=/sys/fs/cgroup/memory/handoff-web-07
FPM_PM="pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3"
PHP_MEMORY_LIMIT=-1
host_init web-07 8107
[ -d $CG ] && rmdir $CG
mkdir $CG
echo $((96*1024*1024)) > $CG/memory.limit_in_bytes
write_configs
start_fpm $CG; start_nginx
visitors 120 3 30 5
visitors 80 3 25 4 & vp=$!
for i in 1 2; do
	sleep 5
	load --n 1 --c 1 --max-seconds 30 --timeout 60 --paths "/wp-admin/admin-ajax.php?action=export_orders&rows=2000"
done
wait $vp
visitors 100 3 25 5
stop_nginx; stop_fpm
sleep 0.5; rmdir $CG
collect kern
