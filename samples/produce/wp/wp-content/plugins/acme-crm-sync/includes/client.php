<?php
/** ACME CRM REST client. Note: no CURLOPT_TIMEOUT, the CRM is expected to be fast (the bug). */
function acme_crm_sync_push( $event ) {
	$ch = curl_init( getenv( 'ACME_CRM_API' ) . '/v2/events' );
	curl_setopt( $ch, CURLOPT_RETURNTRANSFER, true );
	curl_setopt( $ch, CURLOPT_POST, true );
	curl_setopt( $ch, CURLOPT_POSTFIELDS, json_encode( $event ) );
	curl_setopt( $ch, CURLOPT_HTTPHEADER, array( 'Content-Type: application/json' ) );
	$body = curl_exec( $ch );
	curl_close( $ch );
	return $body;
}
