"""Evaluation (private: import from ``moviattn.explorer``): the research harness that scores heatmap
settings and aggregate views against mentions, its faithfulness measures, the tables it writes, and the
app's one-line quality note read from the shipped tables."""
