"""The only place that runs git: the repository, the write transaction, recovery, the merge driver."""
