<?php
/**
 * Plugin Name: Legacy Widgets
 * Description: Old sidebar widgets written for PHP 5 (test double).
 */
function legacy_widgets_render( $name ) {
	if ( 'tagcloud' === $name ) {
		$cb = create_function( '$a', 'return strtoupper($a);' ); // removed in PHP 8 -> fatal error
		echo $cb( $name );
	}
}
