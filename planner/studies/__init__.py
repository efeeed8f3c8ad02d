"""Studies that run many plans or many operations of one design: compare (cooling layouts side by side),
sweep (one plan per point of the varied inputs), risk (sampled markets), and the executors they share."""
