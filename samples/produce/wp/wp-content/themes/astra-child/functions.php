<?php
/** Astra Child theme functions (test double). */
function astra_child_header() {
	echo "<!DOCTYPE html><html><head><title>Shop</title><link rel='stylesheet' href='/wp-content/themes/astra-child/style.css'></head><body>\n";
}
function astra_child_footer() { echo "</body></html>\n"; }
function astra_child_shipping_widget() {
	// Live shipping estimate on product and cart pages.
	$quote = shipping_rates_get_quote( isset( $_GET['zip'] ) ? $_GET['zip'] : '10115' );
	echo '<div class="shipping">' . htmlspecialchars( $quote ) . "</div>\n";
}
function astra_child_render( $q ) {
	astra_child_header();
	switch ( $q['type'] ) {
		case 'product':
			echo '<h1>Product</h1><p>' . wp_busy_work( 150000 ) . "</p>\n";
			if ( getenv( 'SHOP_LIVE_SHIPPING' ) ) { astra_child_shipping_widget(); }
			break;
		case 'cart':
			echo '<h1>Cart</h1>';
			if ( getenv( 'SHOP_LIVE_SHIPPING' ) ) { astra_child_shipping_widget(); }
			break;
		case 'checkout':
			checkout_helper_process_payment();
			echo '<h1>Checkout</h1>';
			break;
		case 'gallery':
			gallery_builder_render_page();
			break;
		case '404':
			echo '<h1>Page not found</h1>';
			break;
		default:
			if ( isset( $_GET['widget'] ) ) { legacy_widgets_render( $_GET['widget'] ); }
			echo '<h1>Blog</h1><p>' . wp_busy_work( 80000 ) . str_repeat( '<p>Lorem ipsum dolor sit amet.</p>', 200 ) . "</p>\n";
	}
	astra_child_footer();
}
