<?php
/** WordPress Ajax Process Execution (test double). */
define( 'DOING_AJAX', true );
define( 'WP_ADMIN', true );
require_once dirname( __DIR__ ) . '/wp-load.php';
header( 'Content-Type: application/json; charset=UTF-8' );
$action = isset( $_REQUEST['action'] ) ? $_REQUEST['action'] : '';
if ( '' === $action ) { http_response_code( 400 ); die( '0' ); }
if ( 'heartbeat' === $action ) { echo json_encode( array( 'server_time' => time(), 'wp-auth-check' => true ) ); exit; }
do_action( 'wp_ajax_' . $action );
do_action( 'wp_ajax_nopriv_' . $action );
die( '0' );
