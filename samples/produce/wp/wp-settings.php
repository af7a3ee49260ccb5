<?php
$wp_version = '6.4.2';
require ABSPATH . 'wp-includes/plugin.php';
require ABSPATH . 'wp-includes/functions.php';
require ABSPATH . 'wp-includes/class-wpdb.php';
if ( getenv( 'WPDB_SOCKET' ) ) {
	$wpdb = new wpdb( 'shop', 'shop', 'shop', getenv( 'WPDB_SOCKET' ) );
}
$active_plugins = array(
	'checkout-helper/checkout-helper.php',
	'shipping-rates/shipping-rates.php',
	'product-importer/product-importer.php',
	'cache-preloader/cache-preloader.php',
	'gallery-builder/gallery-builder.php',
	'report-exporter/report-exporter.php',
	'woo-cart-session/woo-cart-session.php',
	'legacy-widgets/legacy-widgets.php',
	'search-reindex/search-reindex.php',
	'acme-crm-sync/acme-crm-sync.php',
	'post-views-counter/post-views-counter.php',
	'related-products/related-products.php',
);
foreach ( $active_plugins as $plugin ) {
	include_once ABSPATH . 'wp-content/plugins/' . $plugin;
}
do_action( 'plugins_loaded' );
require ABSPATH . 'wp-content/themes/astra-child/functions.php';
do_action( 'init' );
