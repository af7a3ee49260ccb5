#!/bin/bash
# web-11: UPSTREAM_MISCONFIGURED (nginx access log in plain "combined" format).
# A new location for the WooCommerce Store API was written with fastcgi_pass pointing at a plain
# HTTP service (here: an HTTP-only nginx server on 127.0.0.1:9111, standing in for e.g. an
# Apache/backend port). It answers the FastCGI bytes with "HTTP/1.1 400 Bad Request" ->
# nginx: "upstream sent unsupported FastCGI protocol version: 72" ('H' = 72) -> 502.
source "$(dirname "$0")/../lib.sh"
NGX_FORMAT=combined
host_init web-11 8111
NGX_SERVER_EXTRA="location /wp-json/wc/ {
			include fastcgi_params;
			fastcgi_param SCRIPT_FILENAME \$document_root/index.php;
			fastcgi_pass 127.0.0.1:9111;
		}
	}
	# the HTTP-only backend that the location above was meant to proxy_pass to
	server {
		listen 127.0.0.1:9111;
		access_log $LOGDIR/backend-9111-access.log combined;
		location / { return 200 '{\"items\":[]}'; }"
write_configs
start_fpm; start_nginx
visitors 100 3 25 4
visitors 80 3 20 4 & vp=$!
load --n 25 --c 2 --max-seconds 20 --paths "/wp-json/wc/store/v1/cart" "/wp-json/wc/store/v1/products?per_page=12"
wait $vp
visitors 100 3 25 4
stop_nginx; stop_fpm
collect
