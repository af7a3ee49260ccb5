<?php
/**
 * Plugin Name: Search Reindex
 * Description: Rebuilds the product search index on demand (test double; slow).
 */
add_action( 'wp_ajax_nopriv_search_reindex', 'search_reindex_run' );
function search_reindex_run() {
	$secs = (int) ( getenv( 'REINDEX_SECONDS' ) ? getenv( 'REINDEX_SECONDS' ) : 10 );
	$end = microtime( true ) + $secs;
	while ( microtime( true ) < $end ) {
		search_reindex_chunk();
	}
	echo json_encode( array( 'done' => true ) );
	exit;
}
function search_reindex_chunk() {
	usleep( 200000 );
	wp_busy_work( 2000 );
}
