#!/bin/bash
# web-33: no incident: the nightly logrotate at 00:00 UTC (UTC host). Debian's real
# /etc/logrotate.d/php8.2-fpm runs at midnight, as logrotate.timer does; its postrotate sends SIGUSR1:
# FPM reopens its logs and restarts its workers gracefully, under steady traffic, with no error.
# The clocks of nginx, php-fpm and logrotate are shifted by libfaketime (one offset for all, see
# lib.sh) so that the rotation falls on 2026-12-01 00:00:00 UTC, the midnight before the other captures
# (a past one: a Kafka 4 broker refuses records stamped more than 1 h after its clock,
# log.message.timestamp.after.max.ms); the monotonic clock is real.
# FPM uses Debian's default error_log and pid paths so the packaged logrotate config applies unchanged.
source "$(dirname "$0")/../lib.sh"
FPM_ERROR_LOG=/var/log/php8.2-fpm.log
FPM_PID=/run/php/php8.2-fpm.pid
FAKE_AT="2026-12-01 00:00:00"; FAKE_LEAD=35
host_init web-33 8133
rm -f /var/log/php8.2-fpm.log /var/log/php8.2-fpm.log.1 /var/log/php8.2-fpm.log.*.gz
write_configs
start_fpm; start_nginx
visitors 200 3 60 5 & vp=$!
until_fake_at
log "logrotate -f /etc/logrotate.d/php8.2-fpm at the faked midnight"
env "${FAKE[@]}" logrotate -f -s "$PREFIX/logrotate.state" /etc/logrotate.d/php8.2-fpm
wait $vp
stop_nginx; stop_fpm
# the FPM master log is the rotated file followed by the new one (both written by php-fpm)
cat /var/log/php8.2-fpm.log.1 /var/log/php8.2-fpm.log > "$LOGDIR/php-fpm.log"
rm -f /var/log/php8.2-fpm.log /var/log/php8.2-fpm.log.1
collect
