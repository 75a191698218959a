"""Peak ID-enrollment campaign planner: kits, mobile teams, home visits, invitations and officer rosters."""

from .errors import ScenarioError
from .scenario import Scenario, load_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
