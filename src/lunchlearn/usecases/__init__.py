"""One module per family of commands: each plans, applies through one transaction, returns a result."""
