<?php
/**
 * Plugin Name: Related Products
 * Description: "Customers also bought" box on product pages, from the order items (test double; wpdb).
 */
add_action( 'wp', 'related_products_prefetch' );
function related_products_prefetch() {
	global $wp_query, $wpdb;
	if ( ! getenv( 'WPDB_SOCKET' ) || 'product' !== $wp_query['type'] ) {
		return;
	}
	$wp_query['related'] = related_products_query( $wpdb, abs( crc32( $wp_query['path'] ) ) % 50 + 1 );
}
function related_products_query( $db, $product_id ) {
	return $db->get_results( $db->prepare(
		'SELECT b.product_id, COUNT(*) AS n FROM wp_order_items a JOIN wp_order_items b ON a.order_id = b.order_id'
		. ' WHERE a.product_id = %d AND b.product_id <> a.product_id GROUP BY b.product_id ORDER BY n DESC LIMIT 4',
		$product_id ) );
}
