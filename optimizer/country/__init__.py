"""The whole country in one run: every province's scenario planned as an independent task.

`folders` finds the province scenario folders of a country folder, `province` plans one of
them (the task a worker runs), `run` plans them all through an executor (local processes or
Ray) and writes the national outputs, `nightly` re-plans every province from one national
actuals file, `sample` makes small test countries.
"""
