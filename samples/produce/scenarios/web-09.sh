#!/bin/bash
# web-09: SOCKET_PERMISSION_DENIED (nginx access log in plain "combined" format).
# A config change sets listen.owner = root / listen.mode = 0600 and php-fpm is restarted;
# nginx workers (www-data) can no longer connect -> [crit] connect() ... (13: Permission denied) -> 502.
# The change is reverted and php-fpm restarted again.
source "$(dirname "$0")/../lib.sh"
NGX_FORMAT=combined
host_init web-09 8109
write_configs
start_fpm; start_nginx
visitors 100 3 25 4
log "deploy: listen.owner=root listen.mode=0600, restart fpm"
stop_fpm
FPM_LISTEN_EXTRA="listen.owner = root
listen.group = root
listen.mode = 0600"
write_configs; start_fpm
log "socket: $(stat -c '%U:%G %a' "$SOCK")"
visitors 80 3 20 4
log "revert, restart fpm"
stop_fpm
FPM_LISTEN_EXTRA="listen.owner = www-data
listen.group = www-data
listen.mode = 0660"
write_configs; start_fpm
visitors 100 3 25 4
stop_nginx; stop_fpm
collect
