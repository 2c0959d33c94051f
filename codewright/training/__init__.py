"""Training the GPT with MosaicML Composer on tokenized_shards (entry point: `train.py`)."""
