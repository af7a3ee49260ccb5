#!/bin/bash
# web-02: FPM_UNAVAILABLE (host runs in Europe/Berlin local time).
# Phase 1: every php-fpm process is SIGKILLed (socket file stays behind) -> 111 Connection refused.
# Phase 2: php-fpm is started again, later stopped cleanly (socket file removed) -> 2 No such file.
# Then it is started again.
source "$(dirname "$0")/../lib.sh"
TZNAME=Europe/Berlin
FPM_ACCESS_FORMAT='%{%Y-%m-%dT%H:%M:%S%z}t %m %s %{mili}d ms %{kilo}M kB %C%% %r%Q%q'
host_init web-02 8102
write_configs
start_fpm; start_nginx
visitors 600 3 120 5 & vp=$!
sleep 20
m=$(fpm_master); kids=$(pgrep -P "$m" | tr '\n' ' ')
log "kill -9 fpm master $m and workers $kids"
kill -KILL "$m" $kids
sleep 10
log "start fpm again"; start_fpm
sleep 25
log "stop fpm (graceful, removes socket)"; stop_fpm QUIT
sleep 10
log "start fpm again"; start_fpm
wait $vp
stop_nginx; stop_fpm
collect
