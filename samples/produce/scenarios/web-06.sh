#!/bin/bash
# web-06: WORKER_CRASH. A gallery that contains itself makes gallery-builder recurse through
# array_map() (C-stack recursion in PHP 8.2) until the FPM worker dies with SIGSEGV.
# The kernel prints "php-fpm8.2[pid]: segfault at ..." because debug.exception-trace=1
# (show_unhandled_signals); we make sure it is on.
source "$(dirname "$0")/../lib.sh"
sysctl -q -w debug.exception-trace=1
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
PHP_MEMORY_LIMIT=512M
host_init web-06 8106
write_configs
start_fpm; start_nginx
visitors 120 3 30 5
# visitors keep browsing while three people open the broken gallery
visitors 80 3 25 4 & vp=$!
for g in 1 2 3; do
	sleep 4
	load --n 1 --c 1 --max-seconds 20 --paths "/gallery/summer-collection/?gallery=7"
done
wait $vp
visitors 100 3 25 5
stop_nginx; stop_fpm
collect kern
