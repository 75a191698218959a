"""Officers staffing the plan: its crew slots (`slots`), one district as a rostering problem
(`problem`), the quick greedy crew assignment (`assign`), one district's roster from greedy to
the engine's search (`district`), and the plan corrected to what officers can staff
(`plan_staffing`)."""
