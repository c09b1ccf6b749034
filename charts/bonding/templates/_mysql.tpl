{{/* The my.cnf fragment and first-start script of one service's MySQL: pass its database settings. */}}
{{- define "bonding.mysqlConfigData" -}}
# Read after the image's defaults (/etc/my.cnf includes /etc/mysql/conf.d).
bonding.cnf: |
  [mysqld]
  # Clients are pods with changing addresses: no reverse DNS on connect.
  skip-name-resolve
  default-time-zone = '+00:00'
  character-set-server = utf8mb4
  collation-server = utf8mb4_0900_ai_ci
  max_connections = {{ int .maxConnections }}
  innodb_buffer_pool_size = {{ .innodbBufferPoolSize }}
  {{- if .tls.enabled }}
  ssl_ca = /etc/mysql/tls/ca.crt
  ssl_cert = /etc/mysql/tls/tls.crt
  ssl_key = /etc/mysql/tls/tls.key
  require_secure_transport = ON
  {{- end }}
# Runs once, on an empty data directory, after the image has created the database and the application
# user from MYSQL_DATABASE/MYSQL_USER/MYSQL_PASSWORD (all privileges on that one database, nothing else).
# The image sources *.sh files found here, so its docker_process_sql function is available.
10-backup-user.sh: |
  # A read-only user for the backup CronJob: enough for mysqldump --single-transaction, on this database only.
  docker_process_sql --database=mysql <<EOSQL
  CREATE USER IF NOT EXISTS 'backup'@'%' IDENTIFIED BY '${MYSQL_BACKUP_PASSWORD}';
  GRANT SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT ON \`${MYSQL_DATABASE}\`.* TO 'backup'@'%';
  EOSQL
{{- end -}}
