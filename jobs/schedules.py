"""Jobs and schedules: the nightly refresh of the data assets."""

import dagster as dg

DATA_GROUPS = ("data", "tokens")

data_refresh_job = dg.define_asset_job(
    "data_refresh",
    selection=dg.AssetSelection.groups(*DATA_GROUPS),
    description="Re-read the sources and rebuild every data asset down to tokenized_shards.",
)

nightly_data_refresh = dg.ScheduleDefinition(
    name="nightly_data_refresh",
    job=data_refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
