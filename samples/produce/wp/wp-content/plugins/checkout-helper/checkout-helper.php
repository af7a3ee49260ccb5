<?php
/**
 * Plugin Name: Checkout Helper
 * Description: Payment step (test double; the gateway round trip is simulated with usleep).
 */
function checkout_helper_process_payment() {
	$ms = (int) ( getenv( 'CHECKOUT_GATEWAY_MS' ) ? getenv( 'CHECKOUT_GATEWAY_MS' ) : 150 );
	usleep( $ms * 1000 );
	wp_busy_work( 3000 );
}
