"""Needs attention, made fast: everything that exists only so the list need not evaluate every
patient's whole history on every read.

- ``horizon``: which history can still produce a warning, and until when a list holds (pure);
- ``compute``: the actionable evaluation of a practice from its rows;
- ``store``: each patient's list stored with the version of their records;
- ``signals``: every write to a record the bridge reads makes its patient's list stale.

It uses the engine only through its public interface (``reimburse.engine``, ``engine.be``,
``engine.nl`` and their tables). Someone changing a rule knows that only this package may need
a look; the property tests of ``tests/attention`` say whether it does.
"""
