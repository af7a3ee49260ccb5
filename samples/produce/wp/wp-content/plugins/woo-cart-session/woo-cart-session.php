<?php
/**
 * Plugin Name: Woo Cart Session
 * Description: Stores the whole cart in a cookie (test double).
 */
add_action( 'wp_ajax_nopriv_add_to_cart', 'woo_cart_session_add' );
function woo_cart_session_add() {
	$items = isset( $_GET['items'] ) ? (int) $_GET['items'] : 3;
	$cart  = array();
	for ( $i = 0; $i < $items; $i++ ) { $cart[] = array( 'sku' => 'SKU-' . $i, 'qty' => 1, 'meta' => md5( (string) $i ) ); }
	setcookie( 'wc_cart_session', base64_encode( json_encode( $cart ) ), 0, '/' );
	echo json_encode( array( 'items' => $items ) );
	exit;
}
