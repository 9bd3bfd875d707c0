"""Assets explainers share: the image library (images.py) and charts (charts.py)."""

from .charts import Chart
from .images import Image, Rendition

__all__ = ["Chart", "Image", "Rendition"]
