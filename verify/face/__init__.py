"""The face: what users touch. The command line (:mod:`~verify.face.cli`), the Python API
(:mod:`~verify.face.api`), reports (:mod:`~verify.face.report`), the JSON schema version, the catalogue page,
and the figures (:mod:`verify.face.figures`). The top layer: it may import anything below it."""
