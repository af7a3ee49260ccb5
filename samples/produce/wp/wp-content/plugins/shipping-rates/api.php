<?php
/** Carrier API client. Note: no CURLOPT_TIMEOUT is set (the bug). */
function shipping_rates_api_base() {
	$base = getenv( 'SHIPPING_RATES_API' );
	return $base ? $base : 'http://127.0.0.1:9104';
}
function shipping_rates_request( $path ) {
	$ch = curl_init( shipping_rates_api_base() . $path );
	curl_setopt( $ch, CURLOPT_RETURNTRANSFER, true );
	curl_setopt( $ch, CURLOPT_HTTPHEADER, array( 'Accept: application/json' ) );
	$body = curl_exec( $ch );
	curl_close( $ch );
	return $body;
}
function shipping_rates_get_quote( $zip ) {
	$body = shipping_rates_request( '/v1/rates?zip=' . rawurlencode( $zip ) );
	$data = json_decode( (string) $body, true );
	return isset( $data['rate'] ) ? $data['rate'] : 'n/a';
}
