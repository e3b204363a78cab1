"""The domain: dates, slots, rules, the rota's and articles' files as text, checks and merges. No I/O but parsing."""
