<?php
function product_importer_wait_for_lock() {
	// Waits for the supplier feed lock held by another import (simulated wait).
	$secs = (int) ( getenv( 'PI_LOCK_WAIT' ) ? getenv( 'PI_LOCK_WAIT' ) : 6 );
	sleep( $secs );
}
function product_importer_run_batch( $batch ) {
	product_importer_wait_for_lock();
	wp_busy_work( 5000 );
	return 50;
}
