"""Real public time series built in, read from the CSV files the statsmodels wheel ships.

A data path "builtin:NAME" names one of them. Nothing is downloaded and statsmodels is not
imported (its package folder is only located), so the series load as fast as any CSV file.
statsmodels comes with the optional extra "data" (`pip install -e ".[data]"`, which `make`
installs).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .base import DataError

PREFIX = "builtin:"


@dataclass(frozen=True)
class RealSeries:
    name: str
    file: str  # path inside the statsmodels package
    title: str
    source: str
    licence: str
    layout: str  # how to read it: "long" or "wide"
    missing: str  # what its empty cells need


REAL_SERIES = {
    series.name: series
    for series in (
        RealSeries(
            "nile",
            "datasets/nile/nile.csv",
            "Yearly flow of the Nile at Aswan, 1871-1970 (10^8 cubic metres)",
            "Cobb (1978), Biometrika 65(2); shipped by statsmodels (statsmodels.datasets.nile)",
            "public domain",
            "long",
            "report",
        ),
        RealSeries(
            "sunspots",
            "datasets/sunspots/sunspots.csv",
            "Yearly mean sunspot number, 1700-2008",
            "NOAA National Geophysical Data Center; shipped by statsmodels (statsmodels.datasets.sunspots)",
            "public domain",
            "long",
            "report",
        ),
        RealSeries(
            "co2",
            "datasets/co2/co2.csv",
            "Weekly atmospheric CO2 at Mauna Loa, 1958-2001 (ppm), dates as YYYYMMDD, some weeks empty",
            "Keeling and Whorf, Scripps Institution of Oceanography (CDIAC); shipped by statsmodels "
            "(statsmodels.datasets.co2)",
            "public domain",
            "long",
            "interpolate",
        ),
        RealSeries(
            "elnino",
            "datasets/elnino/elnino.csv",
            "Monthly sea surface temperature of the Nino 1+2 region, 1950-2010 (deg C), one row per year",
            "NOAA National Weather Service, ERSST.V3B; shipped by statsmodels (statsmodels.datasets.elnino)",
            "public domain",
            "wide",
            "report",
        ),
    )
}


def is_builtin(raw: str) -> bool:
    return raw.strip().startswith(PREFIX)


def builtin_path(raw: str) -> Path:
    """The CSV file a "builtin:NAME" path stands for; DataError if unknown or not installed."""
    name = raw.strip()[len(PREFIX) :]
    if name not in REAL_SERIES:
        known = ", ".join(f"'{PREFIX}{key}'" for key in REAL_SERIES)
        raise DataError(f"There is no built-in series '{raw.strip()}'. The built-in series are: {known}.")
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            f"The built-in series '{name}' is read from the statsmodels package, which is not "
            "installed. Install it with: pip install statsmodels (or pip install -e '.[data]')."
        )
    return Path(next(iter(spec.submodule_search_locations))) / REAL_SERIES[name].file
