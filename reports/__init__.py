"""The analysis and report layer. Pure Python, pandas and matplotlib: never imports Flask."""
