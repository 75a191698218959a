"""Command-line wiring of the nightly re-plan and the closed-loop replay (filled in by nightly work)."""

HANDLERS: dict = {}


def add_commands(sub) -> None:
    return None
