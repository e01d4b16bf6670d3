"""Results (private: import from ``moviattn.explorer``): one review's unit-level attention
(``ReviewAttention``) and one movie's aggregate over its reviews (``MovieAggregate``), with their JSON."""
