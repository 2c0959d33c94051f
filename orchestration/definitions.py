"""The one Definitions object of codewright's code location (workspace.yaml points here)."""

import dagster as dg

from assets.filtered_code import filtered_code
from assets.raw_stack_shards import raw_stack_shards
from jobs.schedules import nightly_data_refresh
from resources.spark import spark_resource
from resources.storage import storage_resource

defs = dg.Definitions(
    assets=[raw_stack_shards, filtered_code],
    schedules=[nightly_data_refresh],
    resources={"spark": spark_resource(), "storage": storage_resource()},
)
