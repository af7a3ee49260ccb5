#!/bin/bash
# One-time setup on Debian 12 (as root): packages used by the scenarios.
set -e
apt-get -o DPkg::Lock::Timeout=600 update
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y nginx php8.2-fpm php8.2-curl php8.2-mysql curl apache2-utils logrotate \
	python3 mariadb-server faketime
# The packaged services must not run (nor MariaDB's): each scenario starts its own nginx / php-fpm, web-05 listens on
# 127.0.0.1:80 and web-14 uses Debian's default /run/php/php8.2-fpm.pid and /var/log/php8.2-fpm.log.
if [ -d /run/systemd/system ]; then
	systemctl disable --now nginx php8.2-fpm mariadb || true
else
	service nginx stop || true; service php8.2-fpm stop || true; service mariadb stop || true
fi
# The slow-database scenarios start their own mariadbd (lib.sh start_mariadb) on a private socket.
