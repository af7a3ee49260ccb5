#!/bin/bash
# web-10: UPSTREAM_HEADER_TOO_BIG. woo-cart-session stores the whole cart in a cookie; big carts
# produce a ~20-40 kB Set-Cookie header, larger than fastcgi_buffer_size 4k / buffers ->
# "upstream sent too big header while reading response header from upstream" -> 502.
source "$(dirname "$0")/../lib.sh"
NGX_PHP_EXTRA="fastcgi_buffer_size 4k;
			fastcgi_buffers 8 4k;"
host_init web-10 8110
write_configs
start_fpm; start_nginx
visitors 100 3 25 4
visitors 80 3 20 4 & vp=$!
load --n 30 --c 2 --max-seconds 20 --paths "/wp-admin/admin-ajax.php?action=add_to_cart&items=2@3" \
	"/wp-admin/admin-ajax.php?action=add_to_cart&items=250@1" "/wp-admin/admin-ajax.php?action=add_to_cart&items=400@1"
wait $vp
visitors 100 3 25 4
stop_nginx; stop_fpm
collect
