#!/bin/bash
# web-14: HEALTHY host. Normal traffic, some 404s, one PHP fatal error (500, not a gateway
# incident), and Debian's real nightly logrotate for php8.2-fpm (SIGUSR1 -> log reopen).
# FPM uses Debian's default error_log/pid paths so /etc/logrotate.d/php8.2-fpm applies unchanged.
source "$(dirname "$0")/../lib.sh"
FPM_ERROR_LOG=/var/log/php8.2-fpm.log
FPM_PID=/run/php/php8.2-fpm.pid
host_init web-14 8114
rm -f /var/log/php8.2-fpm.log /var/log/php8.2-fpm.log.1 /var/log/php8.2-fpm.log.*.gz
write_configs
start_fpm; start_nginx
visitors 150 3 40 5
load --n 1 --c 1 --max-seconds 10 --paths "/?widget=tagcloud"          # PHP Fatal error -> 500
visitors 60 2 20 5
log "logrotate -f /etc/logrotate.d/php8.2-fpm"
logrotate -f -s "$PREFIX/logrotate.state" /etc/logrotate.d/php8.2-fpm
visitors 100 3 30 5
stop_nginx; stop_fpm
# the FPM master log is the rotated file followed by the new one (both written by php-fpm)
cat /var/log/php8.2-fpm.log.1 /var/log/php8.2-fpm.log > "$LOGDIR/php-fpm.log"
rm -f /var/log/php8.2-fpm.log /var/log/php8.2-fpm.log.1
collect
