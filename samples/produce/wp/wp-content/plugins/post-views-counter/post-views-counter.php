<?php
/**
 * Plugin Name: Post Views Counter
 * Description: Counts product page views in the database on every view (test double; PDO).
 */
add_action( 'wp', 'post_views_counter_count' );
function post_views_counter_count() {
	global $wp_query;
	if ( ! getenv( 'POST_VIEWS_DSN' ) || 'product' !== $wp_query['type'] ) {
		return;
	}
	$post_id = abs( crc32( $wp_query['path'] ) ) % 50 + 1;
	$pdo = new PDO( getenv( 'POST_VIEWS_DSN' ), 'shop', 'shop', array( PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION ) );
	$st = $pdo->prepare( 'UPDATE wp_post_views SET count = count + 1, last_view = NOW() WHERE post_id = ?' );
	$st->execute( array( $post_id ) );
}
