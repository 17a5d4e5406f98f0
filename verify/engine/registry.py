"""The catalogue: every claim module under ``verify.claims`` (one module per claim), loaded only when needed,
and the claims of other packages and directories (:func:`external`).

A claim module defines a module-level ``CLAIM`` (a :class:`verify.record.Claim`). ``nc-verify list`` reads the
generated index :mod:`verify.engine.catalogue_index` (id, title, module, source) and imports no claim; ``get(id)``
imports that one claim's module; :func:`catalogue` imports them all (in sorted order) and indexes them by id.
Regenerate the index (and docs/catalogue.md) with ``python -m verify.face.catalogue_page --write``; a test fails
when it is stale.

Claims that live elsewhere (docs/authoring.md) come from two sources, and are then treated exactly as the
built-in ones by ``nc-verify`` and :func:`verify.claim`:

- installed packages, through the entry-point group ``nc_verify.claims`` (:data:`ENTRY_POINT_GROUP`): each entry
  point names a module defining ``CLAIM`` (or ``CLAIMS``, a sequence), a :class:`~verify.record.Claim`, or a
  callable returning a claim or a sequence of claims;
- directories of ``.py`` files each defining ``CLAIM`` (or ``CLAIMS``): ``nc-verify --path DIR``,
  :func:`add_path`, or the environment variable ``NC_VERIFY_PATH`` (directories or files, separated by
  ``os.pathsep``).

An id defined twice (two sources, or a source and the catalogue) is an :class:`~verify.base.errors.InputError` naming
both places. ``list`` still reads the generated index for the built-in claims and imports external claims only
when some source is installed or configured.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from verify.base.errors import InputError


@dataclass(frozen=True)
class Entry:
    """What ``list`` shows of a claim without importing it."""

    id: str
    title: str
    module: str
    where: str


#: The built-in catalogue, named by string: the engine finds claims, it never imports them statically (the layering
#: test, tests/test_layering.py, keeps it so).
CATALOGUE_PACKAGE = "verify.claims"


def _claim_modules() -> list[str]:
    package = importlib.import_module(CATALOGUE_PACKAGE)
    infos = pkgutil.walk_packages(package.__path__, CATALOGUE_PACKAGE + ".")
    return sorted(i.name for i in infos if not i.ispkg and not i.name.rsplit(".", 1)[-1].startswith("_"))


@cache
def catalogue() -> dict:
    """All registered claims by id, in a stable order (imports every claim module)."""
    found: dict = {}
    for name in _claim_modules():
        claim = getattr(importlib.import_module(name), "CLAIM", None)
        if claim is None:
            continue
        if claim.id in found:
            raise RuntimeError(f"claim id {claim.id} is registered twice ({found[claim.id].module}, {name})")
        found[claim.id] = claim
    return found


def builtin_entries() -> list[Entry]:
    """The index of the built-in catalogue, from the generated :mod:`verify.engine.catalogue_index` (falls back to
    importing every claim where the index is missing, e.g. in a development tree before regeneration)."""
    try:
        from verify.engine.catalogue_index import INDEX
    except ImportError:
        INDEX = None
    if INDEX is not None:
        return [Entry(**row) for row in INDEX]
    return [Entry(c.id, c.title, c.module, c.source.where) for c in catalogue().values()]


def entries() -> list[Entry]:
    """The built-in index followed by the external claims (imported only where a source is configured)."""
    builtin = builtin_entries()
    extra = external()
    if extra:
        _check_clashes(builtin, extra)
    return builtin + [Entry(c.id, c.title, c.module, c.source.where) for c, _ in extra.values()]


def everything() -> dict:
    """Built-in and external claims by id (imports all of them): what ``check`` and ``errata`` run over."""
    found = dict(catalogue())
    extra = external()
    _check_clashes(builtin_entries(), extra)
    found.update({cid: c for cid, (c, _) in extra.items()})
    return found


# --- external claims ------------------------------------------------------------------------------------------
#: The entry-point group through which installed packages register claims.
ENTRY_POINT_GROUP = "nc_verify.claims"
#: The environment variable naming directories (or files) of claim modules, separated by ``os.pathsep``.
PATH_VARIABLE = "NC_VERIFY_PATH"

_added_paths: list[str] = []
_command_paths: list[str] = []


def add_path(*paths: str | os.PathLike) -> None:
    """Also load claims from these directories (``.py`` files defining ``CLAIM``) or files."""
    for p in paths:
        path = str(Path(p).expanduser().resolve())
        if not Path(path).exists():
            raise InputError(f"claim path {p} does not exist", parameter="--path", fix="give an existing directory")
        if path not in _added_paths:
            _added_paths.append(path)


def use_command_paths(paths) -> None:
    """The ``--path`` options of one ``nc-verify`` command (replacing those of the previous command run in this
    process; :func:`add_path` entries stay)."""
    before = list(_added_paths)
    _added_paths[:] = []
    try:
        add_path(*paths)
        _command_paths[:] = _added_paths
    finally:
        _added_paths[:] = before


def configured_paths() -> tuple[str, ...]:
    """The claim paths in force: :func:`add_path`, ``--path``, then ``NC_VERIFY_PATH``."""
    env = [p for p in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if p.strip()]
    env = [str(Path(p).expanduser().resolve()) for p in env]
    return tuple(dict.fromkeys([*_added_paths, *_command_paths, *env]))


def external() -> dict:
    """External claims by id: ``{id: (claim, where it came from)}``, from entry points and claim paths."""
    from importlib.metadata import entry_points

    eps = tuple(sorted((ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP)))
    return _load_external(eps, configured_paths())


@cache
def _load_external(eps: tuple, paths: tuple[str, ...]) -> dict:
    from importlib.metadata import EntryPoint

    found: dict = {}
    for name, value in eps:
        where = f"entry point {name} = {value!r} (group {ENTRY_POINT_GROUP})"
        try:
            obj = EntryPoint(name, value, ENTRY_POINT_GROUP).load()
        except Exception as exc:  # a broken third-party package: say which and why, no traceback of ours
            raise InputError(
                f"{where} cannot be loaded: {type(exc).__name__}: {exc}",
                parameter="ID",
                fix="fix or uninstall that package",
            ) from exc
        _add(found, _claims_of(obj, where), where)
    for path in paths:
        files = sorted(Path(path).glob("*.py")) if Path(path).is_dir() else [Path(path)]
        for file in files:
            if file.name.startswith("_"):
                continue
            where = f"claim file {file}"
            _add(found, _claims_of(_import_file(file, where), where), where)
    return found


def _import_file(file: Path, where: str):
    """Import a claim file as module ``nc_verify_path.<stem>`` (its directory goes on sys.path, so a claim
    file may import its neighbours)."""
    name = f"nc_verify_path.{file.stem}"
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(file):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise InputError(f"{where} is not a Python module", parameter="--path", fix="give .py files")
    module = importlib.util.module_from_spec(spec)
    if str(file.parent) not in sys.path:
        sys.path.append(str(file.parent))
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except InputError:
        sys.modules.pop(name, None)
        raise
    except Exception as exc:
        sys.modules.pop(name, None)
        raise InputError(
            f"{where} cannot be imported: {type(exc).__name__}: {exc}", parameter="--path", fix="fix that file"
        ) from exc
    return module


def _claims_of(obj, where: str) -> list:
    from verify.record import Claim

    if isinstance(obj, Claim):
        return [obj]
    if hasattr(obj, "CLAIM") or hasattr(obj, "CLAIMS"):
        items = [obj.CLAIM] if hasattr(obj, "CLAIM") else list(obj.CLAIMS)
    elif callable(obj):
        try:
            made = obj()
        except InputError:
            raise
        except Exception as exc:
            raise InputError(
                f"{where}: calling it fails: {type(exc).__name__}: {exc}", parameter="ID", fix="fix that function"
            ) from exc
        items = [made] if isinstance(made, Claim) else list(made)
    else:
        raise InputError(f"{where} defines no claim", parameter="ID", fix="define CLAIM = verify.authoring.claim(...)")
    bad = [type(c).__name__ for c in items if not isinstance(c, Claim)]
    if bad:
        raise InputError(
            f"{where} gives a {bad[0]} where a Claim is expected",
            parameter="ID",
            fix="build claims with verify.authoring.claim(...)",
        )
    return items


def _add(found: dict, claims: list, where: str) -> None:
    for c in claims:
        if c.id in found:
            raise _clash(c.id, found[c.id][1], where)
        found[c.id] = (c, where)


def _clash(claim_id: str, first: str, second: str) -> InputError:
    return InputError(
        f"claim id {claim_id!r} is defined twice: by {first} and by {second}",
        parameter="ID",
        fix="give one of them another id (ids are <paper>.<claim>; a user's claims should use their own paper prefix)",
    )


def _check_clashes(builtin: list[Entry], extra: dict) -> None:
    for e in builtin:
        if e.id in extra:
            raise _clash(e.id, f"the built-in catalogue ({e.module})", extra[e.id][1])


def ids() -> list[str]:
    return [e.id for e in entries()]


def get(claim_id: str):
    """The claim with this id (importing only its module); an unknown id is a user error naming the known ones."""
    extra = external()
    if claim_id in extra:
        _check_clashes(builtin_entries(), {claim_id: extra[claim_id]})
        return extra[claim_id][0]
    for e in builtin_entries():
        if e.id == claim_id:
            claim = getattr(importlib.import_module(e.module), "CLAIM", None)
            if claim is not None and claim.id == claim_id:
                return claim
    claims = catalogue()  # a claim not (yet) in the index
    if claim_id not in claims:
        known = [*claims, *extra]
        hint = (
            "" if extra or configured_paths() else "; claims of your own: --path DIR, NC_VERIFY_PATH or an entry point"
        )
        raise InputError(f"unknown claim id {claim_id!r}", parameter="ID", fix=f"known ids: {', '.join(known)}{hint}")
    return claims[claim_id]


def index_source() -> str:
    """The text of verify/engine/catalogue_index.py for the current catalogue."""
    rows = [{"id": c.id, "title": c.title, "module": c.module, "where": c.source.where} for c in catalogue().values()]
    body = "".join(f"    {row!r},\n" for row in rows)
    return (
        '"""Generated by ``python -m verify.face.catalogue_page --write``: the catalogue index that ``nc-verify list``\n'
        'reads without importing a claim. Do not edit by hand (tests/test_docs.py checks it is in sync)."""\n\n'
        f"INDEX = [\n{body}]\n"
    )
