"""Command-line tools of the book: ``python -m bpcore.tools.<name>``.

* ``build``  -- build the HTML book offline into ``_build/html`` (also a Sphinx extension).
* ``execute`` -- re-execute notebooks in place, the way CI and nbval expect them.
"""
