<?php
/** Astra Child theme functions (test double). */
function astra_child_header() {
	echo "<!DOCTYPE html><html><head><title>Shop</title><link rel='stylesheet' href='/wp-content/themes/astra-child/style.css'></head><body>\n";
}
function astra_child_footer() {
	if ( getenv( 'THEME_MINI_CART_SELF' ) ) { astra_child_mini_cart(); }
	if ( getenv( 'THEME_INSTAGRAM_FEED' ) ) { astra_child_instagram_feed(); }
	echo "</body></html>\n";
}
function astra_child_instagram_feed() {
	// Footer feed of the shop's latest posts, fetched on every page view (no cache, no timeout).
	$json  = file_get_contents( getenv( 'THEME_INSTAGRAM_FEED' ) . '/v1/media?limit=6' );
	$items = json_decode( (string) $json, true );
	echo '<footer class="feed">' . count( (array) $items ) . " posts</footer>\n";
}
function astra_child_mini_cart() {
	// Sticky mini-cart in the footer, rendered from the shop's own Store API over HTTP (no timeout).
	$json = file_get_contents( home_url( '/wp-json/wc/store/v1/cart' ) );
	$cart = json_decode( (string) $json, true );
	echo '<div class="mini-cart">' . ( isset( $cart['items_count'] ) ? (int) $cart['items_count'] : 0 ) . " items</div>\n";
}
function astra_child_shipping_widget() {
	// Live shipping estimate on product and cart pages.
	$quote = shipping_rates_get_quote( isset( $_GET['zip'] ) ? $_GET['zip'] : '10115' );
	echo '<div class="shipping">' . htmlspecialchars( $quote ) . "</div>\n";
}
function astra_child_render( $q ) {
	if ( 'rest' === $q['type'] ) {
		header( 'Content-Type: application/json; charset=UTF-8' );
		echo json_encode( array( 'items_count' => 2, 'total' => '49.80' ) );
		return;
	}
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
		case 'search':
			// Product search without an index: scores every product (CPU-bound).
			$rounds = (int) ( getenv( 'SEARCH_ROUNDS' ) ? getenv( 'SEARCH_ROUNDS' ) : 200000 );
			echo '<h1>Search</h1><p>' . wp_busy_work( $rounds ) . "</p>\n";
			break;
		default:
			if ( isset( $_GET['widget'] ) ) { legacy_widgets_render( $_GET['widget'] ); }
			echo '<h1>Blog</h1><p>' . wp_busy_work( 80000 ) . str_repeat( '<p>Lorem ipsum dolor sit amet.</p>', 200 ) . "</p>\n";
	}
	astra_child_footer();
}
