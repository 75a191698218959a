"""Officer rostering engine (CP-SAT and HiGHS) for a generic rostering problem: the problem data
(`problem`), a roster in progress (`draft`), its models and the solve loop, the Curtois & Qu
benchmark adapter (`curtois`) and the independent roster checker (`check`). The engine depends
on nothing else in `optimizer` (the checker reads the scenario); the plan's crew slots become
roster problems in `optimizer.crews`."""
