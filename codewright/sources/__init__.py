"""raw_stack_shards: code files in The Stack's schema from local trees, Parquet, or the hub."""
