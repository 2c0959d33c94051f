"""Spark session settings: `local[*]` by default, a cluster through SPARK_MASTER or SPARK_REMOTE.

The data stages use the DataFrame API only, so the same code runs on a local session, a
standalone cluster (spark://...) and Spark Connect / Databricks Connect (sc://...).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from codewright.storage import codewright_home, is_remote

LOG4J2 = Path(__file__).parent / "conf" / "log4j2.properties"


def spark_config(app_name: str = "codewright", extra: dict | None = None) -> dict[str, str]:
    """Spark settings for the environment: SPARK_REMOTE, else SPARK_MASTER, else local[*]."""
    conf: dict[str, str] = {"spark.app.name": app_name}
    remote = os.environ.get("SPARK_REMOTE")
    if remote:
        # Spark Connect: the server owns its JVM settings; only the address is ours to give.
        conf["spark.remote"] = remote
    else:
        conf["spark.master"] = os.environ.get("SPARK_MASTER", "local[*]")
        if conf["spark.master"].startswith("local") and "PYSPARK_PYTHON" not in os.environ:
            # Python workers must run this interpreter (the project's venv), not `python3`;
            # PySpark reads the variable when the context starts, not the conf key.
            os.environ["PYSPARK_PYTHON"] = sys.executable
        home = codewright_home()
        log_dir = Path(home if not is_remote(home) else "/tmp/codewright") / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        java_opts = (
            f"-Dlog4j2.configurationFile=file:{LOG4J2} "
            f"-Dcodewright.spark.log={log_dir / 'spark.log'}"
        )
        conf.update(
            {
                "spark.driver.extraJavaOptions": java_opts,
                "spark.executor.extraJavaOptions": java_opts,
                "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
                "spark.ui.showConsoleProgress": "false",
                "spark.sql.warehouse.dir": str(log_dir.parent / "spark-warehouse"),
            }
        )
    conf.update(
        {
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            # Corpora here are thousands to millions of files: 200 shuffle partitions of a few
            # rows each cost more in task overhead than they save.
            "spark.sql.shuffle.partitions": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "16"),
            "spark.sql.session.timeZone": "UTC",
        }
    )
    conf.update(extra or {})
    return conf


def get_or_create_session(app_name: str = "codewright", extra: dict | None = None):
    """A SparkSession from spark_config(), for scripts and tests outside Dagster."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in spark_config(app_name, extra).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
