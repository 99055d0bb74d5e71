"""Demand and capacity planning for intermediate care (issue 19): a queueing model per area and
pathway, run many times, its checks against queueing theory, and scenarios as files.

Pure: numpy only, nothing of the app. The inputs come from ``data_access.planning``; the method,
its assumptions and its validation are in ``docs/planning.md``.
"""
