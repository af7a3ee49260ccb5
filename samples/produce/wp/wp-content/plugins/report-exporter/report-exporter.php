<?php
/**
 * Plugin Name: Report Exporter
 * Description: Builds the full orders CSV in memory before sending it (test double).
 */
add_action( 'wp_ajax_nopriv_export_orders', 'report_exporter_export' );
function report_exporter_export() {
	$rows = array();
	$limit = isset( $_GET['rows'] ) ? (int) $_GET['rows'] : 2000;
	for ( $i = 0; $i < $limit; $i++ ) {
		$rows[] = str_repeat( sprintf( '%08d,', $i ), 12800 ); // ~115 kB per row
	}
	header( 'Content-Type: text/csv' );
	echo count( $rows );
	exit;
}
