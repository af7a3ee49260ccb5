<?php
/**
 * Plugin Name: Cache Preloader
 * Description: Warms the page cache from WP-Cron by requesting the site's own pages (test double).
 */
add_action( 'wp_cron_run', 'cache_preloader_cron' );
function cache_preloader_cron() {
	if ( ! getenv( 'WP_CRON_PRELOAD' ) ) { return; }
	foreach ( array( '/', '/shop/' ) as $path ) {
		cache_preloader_warm( home_url( $path ) );
	}
}
function cache_preloader_warm( $url ) {
	// No timeout: waits for as long as the site takes to answer itself.
	return wp_remote_get_blocking( $url );
}
