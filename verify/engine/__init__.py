"""The engine: finds claims (:mod:`~verify.engine.registry`, by module name, never by a static import of the
catalogue), checks them (:mod:`~verify.engine.checking`) and validates run options
(:mod:`~verify.engine.options`). Imports :mod:`verify.base` and :mod:`verify.record` only."""
