"""The one Definitions object of codewright's code location (workspace.yaml points here).

Resources are chosen for the environment here, once (Spark master / Connect from the
environment, CODEWRIGHT_HOME for storage, GPUs for training), and injected into the assets.
"""

import dagster as dg

from assets.checkpoint import MODEL_ASSETS
from assets.filtered_code import filtered_code
from assets.pii_scrubbed_code import PII_ASSETS, PII_CHECKS
from assets.raw_stack_shards import raw_stack_shards
from assets.tokenized_shards import TOKEN_ASSETS
from jobs.schedules import nightly_data_refresh
from resources.spark import spark_resource
from resources.storage import storage_resource
from resources.training import training_resource

defs = dg.Definitions(
    assets=[raw_stack_shards, filtered_code, *PII_ASSETS, *TOKEN_ASSETS, *MODEL_ASSETS],
    asset_checks=[*PII_CHECKS],
    schedules=[nightly_data_refresh],
    resources={
        "spark": spark_resource(),
        "storage": storage_resource(),
        "training": training_resource(),
    },
)
