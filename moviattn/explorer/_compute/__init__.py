"""Computing attention (private: import from ``moviattn.explorer``): the settings and their one table of
choices, the ``[CLS] info [SEP] plot [SEP] review [SEP]`` sequence, the extractors and gradient measures,
their reduction over heads and layers, and the merge of sub-word tokens into the units people read."""
