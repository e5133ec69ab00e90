"""The NumPy reference forward pass: kernels (ops), seeded weights, and the tree walker.

It never calls the arithmetic engine's formulas: it is the independent referee.
"""
