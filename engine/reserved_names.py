"""The names a block may not take, derived from the compiled module rather than listed.

A block's id becomes an attribute of the compiled nn.Module (engine.compiler.CompiledModel)
and of exported source, so it must not shadow anything such a module already has: every
attribute of torch's nn.Module in the installed torch, and the compiled model's own API.
Both are read from their source with `ast`, because the window checks names on every edit
and must not import torch to do so. Names starting with "_" and Python keywords are refused
separately (engine.graph).
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path

_COMPILER = Path(__file__).with_name("compiler.py")


@cache
def reserved_ids() -> frozenset[str]:
    """Public attribute names of nn.Module and of CompiledModel."""
    return frozenset(_nn_module_names() | _class_attributes(_COMPILER, "CompiledModel"))


def _nn_module_names() -> set[str]:
    source = _torch_module_source()
    if source is None:  # no readable source (a frozen build): ask torch itself
        from torch import nn

        return {name for name in dir(nn.Module) if not name.startswith("_")} | {"training"}
    return _class_attributes(source, "Module")


def _torch_module_source() -> Path | None:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "nn" / "modules" / "module.py"
    return path if path.is_file() else None


def _class_attributes(path: Path, class_name: str) -> set[str]:
    """Public names a class defines: methods, class-level assignments and the attributes its
    methods assign on `self` (also through `super().__setattr__("name", ...)`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    names: set[str] = set()
    for node in found.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(found):
        names |= _assigned_on_self(node)
    return {name for name in names if not name.startswith("_")}


def _assigned_on_self(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return {node.attr}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__setattr__":
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return {first.value}
    return set()
