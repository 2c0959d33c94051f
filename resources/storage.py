"""Where assets are written: one folder per asset under CODEWRIGHT_HOME."""

import dagster as dg

from codewright.storage import asset_path, codewright_home


class StorageResource(dg.ConfigurableResource):
    """Root of the asset folders (a local path, or an object-store URI at scale)."""

    home: str

    def path(self, asset: str, *parts: str) -> str:
        return asset_path(asset, *parts, home=self.home)

    @property
    def work_dir(self) -> str:
        """Scratch space for intermediate Spark output, removed after each run."""
        return asset_path("_work", home=self.home)


def storage_resource() -> StorageResource:
    return StorageResource(home=codewright_home())
