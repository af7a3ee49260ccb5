<?php
function product_importer_wait_for_lock() {
	// Waits for the supplier feed lock held by another import (simulated wait).
	$secs = (int) ( getenv( 'PI_LOCK_WAIT' ) ? getenv( 'PI_LOCK_WAIT' ) : 6 );
	sleep( $secs );
}
function product_importer_poll_lock() {
	// Polls the supplier feed lock every 250 ms until it is free (simulated: for PI_LOCK_POLL seconds).
	$end = microtime( true ) + (float) getenv( 'PI_LOCK_POLL' );
	while ( microtime( true ) < $end ) {
		usleep( 250000 );
	}
}
function product_importer_run_batch( $batch ) {
	if ( getenv( 'PI_LOCK_POLL' ) ) {
		product_importer_poll_lock();
	} else {
		product_importer_wait_for_lock();
	}
	wp_busy_work( 5000 );
	return 50;
}
