"""Officer rostering engine (CP-SAT): a generic rostering problem, its model, the solve loop,
the Curtois & Qu benchmark adapter and the Hà Nội officers (`crews`: crew slots to rosters)."""
