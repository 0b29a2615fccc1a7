"""The science core: Relational Coordination, network analysis, privacy, evaluation.

Pure Python on pandas/numpy/scipy/igraph. Nothing here imports Django, so analysts can use it
on files from any survey tool and the web app, exports, API and CLI share one implementation.
"""
