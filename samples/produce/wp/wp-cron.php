<?php
/** A pseudo-cron daemon for scheduling WordPress tasks (test double). */
ignore_user_abort( true );
if ( ! headers_sent() ) {
	header( 'Expires: Wed, 11 Jan 1984 05:00:00 GMT' );
	header( 'Cache-Control: no-cache, must-revalidate, max-age=0' );
}
define( 'DOING_CRON', true );
require_once __DIR__ . '/wp-load.php';
do_action( 'wp_cron_run' );
