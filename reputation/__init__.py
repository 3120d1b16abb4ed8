"""Statistics and credit scores of providers and posters.

A plain package above contracts (and, when they come, disputes and the red/black list): it reads
what they record and owns no tables, so no import runs upward (DESIGN §3).
"""
