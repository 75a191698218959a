"""The sections of the Streamlit page, each a function taking its inputs as arguments.

`app.py` lays the page out from these; unlike the pure helpers in `optimizer.ui`, they draw
with Streamlit. Every section takes a `Page` (language, session state, the app's settings)
first, then the data it shows.

- `context`: `Page` and `AppSettings`, and small helpers every section uses;
- `cache`: what every session shares (district plans, stored results, the worker pool) and the
  cached views of a run;
- `session`: the runs kept in the session and the background job (plan or roster);
- `scenario_source`: the sidebar's scenario pickers (bundled folder, zip or separate tables);
- `whatif_form`: the what-if form and its submission;
- `progress`: the running job's panel, polling, and the preview before the first plan;
- `results`, `bottlenecks`, `rosters`, `compare`, `downloads_tab`, `nightly_tab`: the tabs.
"""
