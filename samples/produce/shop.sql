-- The shop's database for the slow-database scenarios (lib.sh start_mariadb loads it).
CREATE DATABASE shop;
CREATE USER 'shop'@'localhost' IDENTIFIED BY 'shop';
GRANT ALL ON shop.* TO 'shop'@'localhost';
USE shop;
CREATE TABLE wp_post_views (post_id INT PRIMARY KEY, count BIGINT NOT NULL DEFAULT 0, last_view DATETIME) ENGINE=InnoDB;
INSERT INTO wp_post_views (post_id) SELECT seq FROM seq_1_to_50;
CREATE TABLE wp_order_items (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL, product_id INT NOT NULL,
	qty INT NOT NULL DEFAULT 1, KEY (order_id), KEY (product_id)) ENGINE=InnoDB;
INSERT INTO wp_order_items (order_id, product_id, qty) SELECT seq DIV 3, (seq * 7) % 50 + 1, 1 + seq % 2 FROM seq_1_to_3000;
