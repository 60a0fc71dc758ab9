"""Analysis: pure functions over pandas frames (loading through the consent gate, figures with
disclosure control, themes, sentiment, quotes). It never imports the web layer, so it runs in a
notebook or a batch job as well as behind the workspace.

- `loading`: `load_run` / `load_survey` (async, consent-gated), `build_survey_data` (dicts or a wide
  frame), `combine` (several runs, e.g. parents and young people) -> `SurveyData`.
- `metrics`: `question_figures`, `all_question_figures`, `breakdowns`, `headline`, `compare_runs`,
  `dashboard`; `wilson_interval`, `newcombe_interval`.
- `disclosure`: the suppression rules (groups under 10, counts 1-4, secondary suppression), and
  `LinearKnowledge`, what an outsider can work out from published counts (linear programming).
- `published`: every published table of a survey protected together (`published_figures`); the
  package imports it so that `metrics.question_figures(full=False)` always goes through it.
- `codebook`, `coding`: the editable SEND codebook (`codebook.toml`) and `code_comment`,
  `code_comments`, `theme_counts`.
- `theme_review`: stored codings under review (`merge_codings` keeps officers' decisions on a
  re-code, `coded_frame`, `theme_summary`, `highlight` for "why"); the workspace stores them
  (`feedback.themes.store`).
- `evaluation`: `evaluate` (behind `feedback themes evaluate`), `naive_codebook`.
- `phrases`: `emerging_phrases` from uncoded comments (textblob, offline path without corpora).
- `sentiment`: `score_comments`, `sentiment_by` (indicative only).
- `redaction`: removing personal details from free text.
- `charts`: accessible SVG bar charts made on the server, each with a text summary and the rows of
  its data table (`templates/_chart.html` shows both beside the chart).
"""

import analysis.published  # noqa: E402,F401  (see `published` above)
