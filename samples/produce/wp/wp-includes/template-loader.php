<?php
global $wp_query;
if ( '404' === $wp_query['type'] ) { http_response_code( 404 ); }
header( 'Content-Type: text/html; charset=UTF-8' );
header( 'Link: <' . home_url( '/wp-json/' ) . '>; rel="https://api.w.org/"' );
astra_child_render( $wp_query );
