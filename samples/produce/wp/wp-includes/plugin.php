<?php
$wp_filter = array();
function add_action( $hook, $cb, $prio = 10 ) { global $wp_filter; $wp_filter[ $hook ][ $prio ][] = $cb; }
function add_filter( $hook, $cb, $prio = 10 ) { add_action( $hook, $cb, $prio ); }
function do_action( $hook, ...$args ) {
	global $wp_filter;
	if ( empty( $wp_filter[ $hook ] ) ) { return; }
	ksort( $wp_filter[ $hook ] );
	foreach ( $wp_filter[ $hook ] as $cbs ) {
		foreach ( $cbs as $cb ) { call_user_func_array( $cb, $args ); }
	}
}
function apply_filters( $hook, $value, ...$args ) {
	global $wp_filter;
	if ( empty( $wp_filter[ $hook ] ) ) { return $value; }
	foreach ( $wp_filter[ $hook ] as $cbs ) {
		foreach ( $cbs as $cb ) { $value = call_user_func_array( $cb, array_merge( array( $value ), $args ) ); }
	}
	return $value;
}
