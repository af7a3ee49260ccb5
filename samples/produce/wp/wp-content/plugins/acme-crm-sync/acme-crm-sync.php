<?php
/**
 * Plugin Name: ACME CRM Sync
 * Description: Pushes every cart and checkout to the ACME CRM (test double).
 */
require_once __DIR__ . '/includes/client.php';
add_action( 'wp', 'acme_crm_sync_track' );
function acme_crm_sync_track() {
	global $wp_query;
	if ( ! getenv( 'ACME_CRM_API' ) || ! in_array( $wp_query['type'], array( 'cart', 'checkout', 'product' ), true ) ) {
		return;
	}
	acme_crm_sync_push( array( 'event' => $wp_query['type'], 'path' => $wp_query['path'] ) );
}
