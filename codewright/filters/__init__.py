"""Per-document quality rules of the filtered_code stage (plain Python, no Spark, no Dagster)."""
