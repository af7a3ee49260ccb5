<?php
function home_url( $path = '' ) {
	$port = isset( $_SERVER['SERVER_PORT'] ) ? (int) $_SERVER['SERVER_PORT'] : 80;
	return 'http://127.0.0.1' . ( 80 === $port ? '' : ':' . $port ) . $path;
}
function get_bloginfo( $what ) { return 'url' === $what ? home_url() : 'Shop'; }
function wp_get_user_agent() { global $wp_version; return 'WordPress/' . $wp_version . '; ' . get_bloginfo( 'url' ); }
/** Blocking HTTP GET as in WP_Http with a plugin that forgot to pass 'timeout'. */
function wp_remote_get_blocking( $url, $timeout = 0 ) {
	$ch = curl_init( $url );
	curl_setopt( $ch, CURLOPT_RETURNTRANSFER, true );
	curl_setopt( $ch, CURLOPT_USERAGENT, wp_get_user_agent() );
	if ( $timeout ) { curl_setopt( $ch, CURLOPT_TIMEOUT, $timeout ); }
	$body = curl_exec( $ch );
	$code = curl_getinfo( $ch, CURLINFO_HTTP_CODE );
	curl_close( $ch );
	return array( 'code' => $code, 'body' => $body );
}
function wp() {
	global $wp_query;
	$uri  = parse_url( $_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH );
	$wp_query = array( 'path' => $uri, 'type' => 'page' );
	if ( 0 === strpos( $uri, '/product/' ) ) { $wp_query['type'] = 'product'; }
	elseif ( isset( $_GET['s'] ) ) { $wp_query['type'] = 'search'; }
	elseif ( 0 === strpos( $uri, '/wp-json/' ) ) { $wp_query['type'] = 'rest'; }
	elseif ( 0 === strpos( $uri, '/checkout' ) ) { $wp_query['type'] = 'checkout'; }
	elseif ( 0 === strpos( $uri, '/cart' ) ) { $wp_query['type'] = 'cart'; }
	elseif ( 0 === strpos( $uri, '/gallery' ) ) { $wp_query['type'] = 'gallery'; }
	elseif ( '/' !== $uri && '/index.php' !== $uri && 0 !== strpos( $uri, '/blog' ) && 0 !== strpos( $uri, '/shop' ) ) { $wp_query['type'] = '404'; }
	do_action( 'wp' );
}
function wp_busy_work( $rounds ) {
	$h = '';
	for ( $i = 0; $i < $rounds; $i++ ) { $h = md5( $h . $i ); }
	return $h;
}
