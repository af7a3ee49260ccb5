<?php
/** WordPress database access abstraction (trimmed test double over mysqli). */
class wpdb {
	public $dbh;
	public $last_result = array();
	public function __construct( $user, $password, $name, $socket ) {
		$this->dbh = mysqli_init();
		mysqli_real_connect( $this->dbh, 'localhost', $user, $password, $name, null, $socket );
	}
	public function prepare( $query, ...$args ) {
		return vsprintf( $query, array_map( 'intval', $args ) );
	}
	public function query( $query ) {
		$result = mysqli_query( $this->dbh, $query );
		$this->last_result = array();
		if ( $result instanceof mysqli_result ) {
			while ( $row = mysqli_fetch_object( $result ) ) {
				$this->last_result[] = $row;
			}
			mysqli_free_result( $result );
		}
		return count( $this->last_result );
	}
	public function get_results( $query ) {
		$this->query( $query );
		return $this->last_result;
	}
}
