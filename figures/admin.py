"""Admin for the library's assets: images (admin_images.py), charts (admin_charts.py)."""

from .admin_charts import ChartAdmin
from .admin_images import ImageAdmin

__all__ = ["ChartAdmin", "ImageAdmin"]
