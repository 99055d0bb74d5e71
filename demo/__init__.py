"""The demonstration: the synthetic data generator (``demo.synthetic``: real places and hospitals,
invented people, calibrated on NHS England's published figures) and the live simulator
(``demo.simulator``: a source system sending records through the feeds API).

Neither is part of the product's figures: the app loads what they write through the same loader
and API as any real source, and labels it as synthetic on every page. Below the start-up code
(``dashboard.bootstrap``, ``dashboard.__main__``), which is what calls them; they import only the
pure domain (``.importlinter``).
"""
