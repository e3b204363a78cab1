"""The only place that runs git, one job per module.

repo: the repository and what it holds (identity, status, refs, commits); transaction: the write
transaction (lock, journal, commit, undo, recovery, moving the work tree); transport: the upstream,
fetch and push; plumbing: tree entries, blobs and commits built without the work tree; driver: the
rota's merge driver; failures: git's errors in words; statedir: where lunchlearn keeps its state.
"""
