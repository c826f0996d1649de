"""The monthly fund figures a period adds where the project pool (项目库, villages/projects) exists.

The one place the reporting app asks the project pool: until villages/projects is on main this says "no pool",
and the pages, the 通报 and its annex leave the money section out.
"""


def period_funds(period, city):
    """The money section of the period's figures for `city` (None: the province), or None without a project pool."""
    return None
