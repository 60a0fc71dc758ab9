"""Analysis: pure functions over pandas frames (loading through the consent gate, figures with
disclosure control, themes, sentiment, quotes). It never imports the web layer, so it runs in a
notebook or a batch job as well as behind the workspace."""
