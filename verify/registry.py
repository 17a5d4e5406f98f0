"""The catalogue: discovers every claim module under ``verify.claims`` (one module per claim).

A claim module defines a module-level ``CLAIM`` (a :class:`verify.claim.Claim`). The registry imports each
module of each paper package once, in sorted order, and indexes the claims by id.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import verify.claims
from verify.claim import Claim
from verify.errors import InputError


@cache
def catalogue() -> dict[str, Claim]:
    """All registered claims by id, in a stable order."""
    found: dict[str, Claim] = {}
    for info in sorted(pkgutil.walk_packages(verify.claims.__path__, "verify.claims."), key=lambda i: i.name):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        claim = getattr(module, "CLAIM", None)
        if claim is None:
            continue
        if claim.id in found:
            raise RuntimeError(f"claim id {claim.id} is registered twice ({found[claim.id].module}, {info.name})")
        found[claim.id] = claim
    return found


def get(claim_id: str) -> Claim:
    """The claim with this id; an unknown id is a user error naming the known ones."""
    claims = catalogue()
    if claim_id not in claims:
        raise InputError(f"unknown claim id {claim_id!r}", parameter="ID", fix=f"known ids: {', '.join(claims)}")
    return claims[claim_id]
