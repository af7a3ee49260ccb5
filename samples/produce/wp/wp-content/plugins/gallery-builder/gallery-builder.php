<?php
/**
 * Plugin Name: Gallery Builder
 * Description: Renders nested galleries (test double). A gallery that contains itself recurses forever.
 */
function gallery_builder_children( $id ) {
	// Corrupted data: gallery 7 lists itself as a child.
	return 7 === $id ? array( 7 ) : array();
}
function gallery_builder_render_node( $id ) {
	return implode( '', array_map( 'gallery_builder_render_node', gallery_builder_children( $id ) ) ) . "<figure>$id</figure>";
}
function gallery_builder_render_page() {
	$id = isset( $_GET['gallery'] ) ? (int) $_GET['gallery'] : 1;
	echo gallery_builder_render_node( $id );
}
