<?php
if ( ! isset( $wp_did_header ) ) {
	$wp_did_header = true;
	require_once __DIR__ . '/wp-load.php';
	wp();
	require_once ABSPATH . 'wp-includes/template-loader.php';
}
