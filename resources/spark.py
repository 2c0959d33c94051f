"""The Spark resource: dagster-pyspark's PySparkResource, configured for the environment.

`local[*]` by default; SPARK_MASTER (spark://host:7077) or SPARK_REMOTE (sc://host:15002, Spark
Connect / Databricks Connect) select a cluster. Settings live in codewright.spark so that
scripts and tests outside Dagster get the same session.
"""

from dagster_pyspark import PySparkResource

from codewright.spark import spark_config


def spark_resource(app_name: str = "codewright") -> PySparkResource:
    return PySparkResource(spark_config=spark_config(app_name))
