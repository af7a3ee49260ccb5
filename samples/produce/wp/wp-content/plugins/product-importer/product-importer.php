<?php
/**
 * Plugin Name: Product Importer
 * Description: Imports supplier feed batches via admin-ajax (test double).
 */
require_once __DIR__ . '/includes/batch.php';
add_action( 'wp_ajax_nopriv_pi_import_batch', 'product_importer_ajax_batch' );
function product_importer_ajax_batch() {
	$n = product_importer_run_batch( isset( $_GET['batch'] ) ? (int) $_GET['batch'] : 1 );
	echo json_encode( array( 'imported' => $n ) );
	exit;
}
