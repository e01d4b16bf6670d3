"""Running the explorer (private: import from ``moviattn.explorer``): ``Explorer`` (a movie's context, a
review's result, a movie's aggregate), the on-disk result cache, micro-batching for the app, the bulk
commands (``datasets.map`` and Ray Data) and a precompute file's entries."""
