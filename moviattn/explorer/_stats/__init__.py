"""Statistics over attention shares (private: import from ``moviattn.explorer``): words as a reader counts
them, review groups, field and word scores, what stands out, the positive − negative difference and the
time view. Plain functions over arrays and an aggregate's shares; ``MovieAggregate`` offers them as methods."""
