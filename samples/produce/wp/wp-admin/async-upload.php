<?php
/** Server-side file upload handler for the media library (test double). */
define( 'WP_ADMIN', true );
require_once dirname( __DIR__ ) . '/wp-load.php';
header( 'Content-Type: application/json; charset=UTF-8' );
$len = strlen( file_get_contents( 'php://input' ) );
echo json_encode( array( 'success' => true, 'bytes' => $len ) );
