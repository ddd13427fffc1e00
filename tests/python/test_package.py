"""The package's surface: every public name documented and typed in the stubs."""
import ast
import inspect
import pathlib

import clientrisk as cr
from clientrisk import _core

STUBS = pathlib.Path(_core.__file__).with_name("_core.pyi")


def public_members(cls):
    return [n for n in vars(cls) if not n.startswith("_")]


def stub_names():
    tree = ast.parse(STUBS.read_text())
    names, members = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        if isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    return names, members


def test_every_public_name_has_a_docstring():
    assert cr.__doc__
    for name in cr.__all__:
        obj = getattr(cr, name)
        if inspect.isclass(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
            assert obj.__module__ == "clientrisk", name
            for member in public_members(obj):
                assert getattr(obj, member).__doc__, f"{name}.{member}"
        elif callable(obj):
            assert "Parameters\n----------" in obj.__doc__, name


def test_the_stubs_cover_every_public_name():
    names, members = stub_names()
    assert set(cr.__all__) <= names
    for name in cr.__all__:
        obj = getattr(cr, name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            assert set(public_members(obj)) <= members[name], name
    assert STUBS.with_name("py.typed").exists()


def test_constants():
    assert len(cr.FEATURES) == 24 and cr.FEATURES[0] == "paydex"
    assert cr.FACTORS == ("non_payment", "dissatisfaction", "cancellation", "concentration", "seasonality",
                          "reputation", "legal")
    assert cr.BANDS == ("low", "moderate", "high", "critical")
    assert len(cr.EVENT_KINDS) == 12 and len(cr.PARAMETERS) == 57
    assert cr.__version__.count(".") == 2


def test_the_error_hierarchy():
    assert issubclass(cr.InvalidInputError, cr.Error) and issubclass(cr.InvalidInputError, ValueError)
    assert issubclass(cr.FormatError, cr.InvalidInputError)
    assert issubclass(cr.IoError, cr.Error) and issubclass(cr.IoError, OSError)
