<?php
/**
 * Plugin Name: Shipping Rates Live
 * Description: Fetches live carrier rates (test double).
 */
require_once __DIR__ . '/api.php';
add_action( 'wp_ajax_nopriv_shipping_quote', 'shipping_rates_ajax_quote' );
function shipping_rates_ajax_quote() {
	echo json_encode( array( 'quote' => shipping_rates_get_quote( isset( $_GET['zip'] ) ? $_GET['zip'] : '10115' ) ) );
	exit;
}
