"""The Streamlit app's rooms: pure helpers (these modules; none imports streamlit) and the page's
sections (`sections/`, which draw with Streamlit; `app.py` lays them out).

- `i18n`: every label the app shows, in Vietnamese (default) and English, from one table;
- `formatting`: numbers, shares and dates as Vietnamese (or English) readers write them;
- `whatif`: what-if transforms, each a function scenario -> scenario;
- `replan`: fast re-planning (district plans cached by their inputs, a persistent worker pool);
- `jobs`: a plan running in a background thread with progress and a stop flag;
- `views`: the tables the page shows (headline, curves, heatmaps, roster grids, comparisons);
- `charts`: Altair charts of those tables;
- `downloads`: the files a planner downloads, built in memory;
- `upload`: a scenario from uploaded files (safe zip extraction, CSV/XLSX tables);
- `nightly`: the nightly plan store read for the page (read-only checks first) and its tables.
"""
