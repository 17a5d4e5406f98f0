"""One module per claim: ``verify/claims/<paper>/<claim>.py`` defines ``CLAIM``."""
