"""Drawing and reports (private: import from ``moviattn.explorer``): static heatmaps and bars
(matplotlib), interactive figures (Plotly), the movie card and drawings the app keeps, and the
self-contained HTML report."""
