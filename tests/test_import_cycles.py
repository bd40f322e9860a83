"""No module of app/, views/ or node_core/ imports itself back at run time, however far round.

import-linter's contracts (pyproject.toml) check directions between packages; a cycle inside
them is checked here with grimp, import-linter's own graph library. Imports under
``if TYPE_CHECKING:`` do not run and are left out; imports inside functions run and count."""

import grimp

PACKAGES = ("app", "views", "node_core")


def runtime_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One shortest cycle through each direct import that closes one."""
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append([importer, *back])
    return cycles


def test_no_runtime_import_cycles() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    cycles = runtime_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_import_cycles_in_the_gui_even_for_the_type_checker() -> None:
    """The console does not know its developer tooling (app.dev plugs into app.shell), nor a
    view its application. node_core still has typing-only cycles: its services are typed
    against the whole node (authority_node)."""
    graph = grimp.build_graph("app", "views", cache_dir=None)
    cycles = runtime_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_a_cycle_is_found_and_named() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("pkg.a", "pkg.b"), ("pkg.b", "pkg.c"), ("pkg.c", "pkg.a"),
                               ("pkg.c", "pkg.d")):
        graph.add_import(importer=importer, imported=imported)
    assert runtime_cycles(graph)[0] == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    graph.remove_import(importer="pkg.c", imported="pkg.a")
    assert runtime_cycles(graph) == []
