"""Studies that run many plans or many operations of one design: the shared executors, the risk study."""
