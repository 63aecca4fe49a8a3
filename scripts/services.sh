#!/usr/bin/env bash
# Make sure the local services the test suite talks to are running (PostgreSQL, Redis,
# RabbitMQ on 127.0.0.1). Starts the ones that are down; never installs or reconfigures.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do up "$port" && return 0; sleep 1; done
  echo "!! $name is not answering on 127.0.0.1:$port" >&2
  return 1
}

if ! up 5432; then
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! up 6379; then
  echo "==> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! up 5672; then
  echo "==> starting RabbitMQ"
  rabbitmq-server -detached || true
fi

wait_for PostgreSQL 5432 && wait_for Redis 6379 && wait_for RabbitMQ 5672
