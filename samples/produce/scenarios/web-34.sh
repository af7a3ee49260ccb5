#!/bin/bash
# web-34: no incident: the nightly logrotate at 00:00 UTC with slow checkouts in flight (Asia/Kolkata,
# so the lines say 05:30). As web-33, Debian's /etc/logrotate.d/php8.2-fpm sends SIGUSR1 at the faked
# midnight, while checkouts (~2.5 s payment round trip) run: FPM reopens its logs and tells every
# worker to quit after its request. The checkouts in flight end 200 after ~1.5 s (their usleep() is cut short by
# the signal, as a reload's is), new workers take over, nobody sees a 502/504.
source "$(dirname "$0")/../lib.sh"
TZNAME=Asia/Kolkata
FPM_ACCESS_FORMAT=$ZONED_FPM_FMT
FPM_ERROR_LOG=/var/log/php8.2-fpm.log
FPM_PID=/run/php/php8.2-fpm.pid
FPM_POOL_EXTRA="env[CHECKOUT_GATEWAY_MS] = 2500"
FAKE_AT="2026-12-01 00:00:00"; FAKE_LEAD=35
host_init web-34 8134
rm -f /var/log/php8.2-fpm.log /var/log/php8.2-fpm.log.1 /var/log/php8.2-fpm.log.*.gz
write_configs
start_fpm; start_nginx
visitors 200 3 60 5 & vp=$!
until_fake_at 1.5
load --n 3 --c 3 --max-seconds 10 --timeout 30 --paths /checkout/ & cp=$!
until_fake_at
log "logrotate -f /etc/logrotate.d/php8.2-fpm at the faked midnight, 3 checkouts in flight"
env "${FAKE[@]}" logrotate -f -s "$PREFIX/logrotate.state" /etc/logrotate.d/php8.2-fpm
wait $vp $cp
stop_nginx; stop_fpm
cat /var/log/php8.2-fpm.log.1 /var/log/php8.2-fpm.log > "$LOGDIR/php-fpm.log"
rm -f /var/log/php8.2-fpm.log /var/log/php8.2-fpm.log.1
collect
