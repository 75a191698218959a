"""Build a planning scenario for any of Viet Nam's 63 provinces from public national data."""

from .assumptions import Assumptions, AssumptionsError, load_assumptions
from .builder import (
           BuiltScenario,
           ProvinceOverrides,
           build_all,
           build_province,
           write_scenario,
)
from .sources import ProvinceNotFound, find_province, national

__all__ = ["Assumptions", "AssumptionsError", "BuiltScenario", "ProvinceNotFound", "ProvinceOverrides",
           "build_all", "build_province", "find_province", "load_assumptions", "national", "write_scenario"]
