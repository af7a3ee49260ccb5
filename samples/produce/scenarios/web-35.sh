#!/bin/bash
# web-35: LISTEN_BACKLOG_OVERFLOW after the nightly logrotate at 00:00 UTC, whose postrotate reloads
# php-fpm (UTC host; the neighbour of web-33, where Debian's config only sends SIGUSR1). The site's own
# logrotate config (generated/web-35/logrotate.conf) rotates the FPM log and then reloads FPM with
# SIGUSR2, as "systemctl reload php8.2-fpm" does. Two product imports (polling a lock for 9 s) are
# running at midnight; process_control_timeout = 10s makes the reload wait for them, nobody accepts,
# the 8-slot socket backlog overflows under ~12 req/s -> EAGAIN (11) -> 502. Clocks faked with
# libfaketime as on web-33. php-fpm.log is the rotated file followed by the new one.
source "$(dirname "$0")/../lib.sh"
LISTEN_BACKLOG=8
SLOWLOG_TIMEOUT=0
FPM_GLOBAL_EXTRA="process_control_timeout = 10s"
FPM_PM="pm = dynamic
pm.max_children = 6
pm.start_servers = 3
pm.min_spare_servers = 2
pm.max_spare_servers = 4"
FPM_POOL_EXTRA="env[PI_LOCK_POLL] = 9"
FAKE_AT="2026-12-01 00:00:00"; FAKE_LEAD=32
host_init web-35 8135
write_configs
cat > "$PREFIX/logrotate.conf" <<EOT
# the site's rotation of its FPM log (the packaged one only sends SIGUSR1)
$LOGDIR/php-fpm.log {
	daily
	rotate 7
	missingok
	notifempty
	compress
	delaycompress
	postrotate
		kill -USR2 \$(cat $FPM_PID)
	endscript
}
EOT
cp "$PREFIX/logrotate.conf" "$SAMPLES/produce/generated/$HOST/"
start_fpm; start_nginx
visitors 60 3 15 4
until_fake_at 8
visitors 200 20 16 12 & vp=$!
until_fake_at 4
load --n 2 --c 2 --max-seconds 20 --timeout 30 --paths "/wp-admin/admin-ajax.php?action=pi_import_batch&batch=61" \
	"/wp-admin/admin-ajax.php?action=pi_import_batch&batch=62" & ip=$!
until_fake_at
log "logrotate -f $PREFIX/logrotate.conf at the faked midnight (postrotate: kill -USR2)"
env "${FAKE[@]}" logrotate -f -s "$PREFIX/logrotate.state" "$PREFIX/logrotate.conf"
wait $vp $ip
visitors 60 3 15 4
stop_nginx; stop_fpm
cat "$LOGDIR/php-fpm.log.1" "$LOGDIR/php-fpm.log" > "$LOGDIR/php-fpm.log.whole"
mv "$LOGDIR/php-fpm.log.whole" "$LOGDIR/php-fpm.log"; rm -f "$LOGDIR/php-fpm.log.1"
collect
