"""Answer keys, one module per chapter: ``chNN.py`` defines ``KEYS = {"chNN.name": Key, ...}``.

Every module in this package is found automatically (see :mod:`bpcore.selfcheck.registry`).
``ch00_basics`` holds keys shared by several chapters (ids ``basics.*``). See the docstring of
:mod:`bpcore.selfcheck` for how to write a key.
"""
