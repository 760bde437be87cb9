"""The DATABASES setting: the primary (`default`) and one alias per read replica.

`databases(url, replica_urls)` turns DATABASE_URL and DATABASE_REPLICA_URLS into Django's
setting: on MySQL/MariaDB every alias gets the same connection options; replicas are named
`replica_0`, `replica_1`, ... in the order given, connect with a short timeout (a replica that is
down must cost little), mirror `default` in tests and never take migrations (they replicate them).
"""
import environ

MYSQL_OPTIONS = {
    "charset": "utf8mb4",
    # warehouse.ingest loads batches with LOAD DATA LOCAL INFILE, the fastest safe path.
    "local_infile": 1,
    "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
}
REPLICA_CONNECT_TIMEOUT = 2


def replica_alias(index):
    return f"replica_{index}"


def _database(url, conn_max_age):
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.mysql":
        config.setdefault("OPTIONS", {}).update(MYSQL_OPTIONS)
    config["CONN_MAX_AGE"] = conn_max_age
    return config


def databases(url, replica_urls=(), *, conn_max_age=0):
    result = {"default": _database(url, conn_max_age)}
    for index, replica_url in enumerate(replica_urls):
        config = _database(replica_url, conn_max_age)
        if config["ENGINE"] == "django.db.backends.mysql":
            config["OPTIONS"]["connect_timeout"] = REPLICA_CONNECT_TIMEOUT
        config["TEST"] = {"MIRROR": "default"}
        result[replica_alias(index)] = config
    return result
