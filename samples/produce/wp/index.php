<?php
/**
 * Front to the WordPress application (trimmed test double used to produce log samples).
 */
define( 'WP_USE_THEMES', true );
require __DIR__ . '/wp-blog-header.php';
