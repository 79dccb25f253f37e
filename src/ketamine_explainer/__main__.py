"""Command line: ``python -m ketamine_explainer {execute,nav,html,slides,page,handout}``.

``nav`` (and ``execute``, before any kernel) rewrites what the notebooks share: navigation, title cells, the contents
table and the sources cells (see :mod:`ketamine_explainer.generate`).

Before any kernel starts, ``execute``, ``html`` and ``slides`` check the environment (``KETAMINE_WORKERS``,
``KETAMINE_EXPLAINER_DATA``), the output folder, every data file and every notebook; a problem is printed as one
line and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import generate, notebooks


class UsageError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""


def _selected(names: list[str]) -> list[Path]:
    paths = notebooks.notebook_paths()
    if not names:
        return paths
    chosen = [p for p in paths if any(p.stem.startswith(n.removesuffix(".ipynb")) for n in names)]
    if not chosen:
        raise UsageError(f"no notebook matches {', '.join(names)}; choose from {', '.join(p.stem for p in paths)}")
    return chosen


def _page(args) -> int:
    from . import page

    if args.all == bool(args.notebook):
        sys.exit("give one notebook, or --all for the whole explainer")
    if args.all:
        paths, name = notebooks.notebook_paths(), page.WHOLE
    elif Path(args.notebook).is_file():
        paths, name = [Path(args.notebook).resolve()], Path(args.notebook).stem
    else:
        paths = _selected([args.notebook])[:1]
        name = paths[0].stem
    out = args.out or Path("build") / "pages" / f"{name}.html"
    try:
        size = page.write_page(paths, out, show_code=args.code, execute=args.execute, force=args.force)
    except page.PageError as error:
        sys.exit(str(error))
    print(f"wrote {out} ({size / 1e6:.2f} MB, one self-contained file)")
    return 0


def check_environment() -> None:
    """Validate ``KETAMINE_WORKERS`` and make ``KETAMINE_EXPLAINER_DATA`` absolute (kernels run in notebooks/)."""
    from .workers import worker_count

    try:
        worker_count(1)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    given = os.environ.get("KETAMINE_EXPLAINER_DATA")
    if given is not None:
        if not given.strip():
            raise UsageError("KETAMINE_EXPLAINER_DATA is set but empty: unset it, or name a data folder")
        folder = Path(os.path.abspath(given))
        if not folder.is_dir():
            raise UsageError(f"KETAMINE_EXPLAINER_DATA={given!r}: {folder} is not a folder")
        os.environ["KETAMINE_EXPLAINER_DATA"] = str(folder)


def check_inputs(paths: list[Path]) -> None:
    """Load and validate every table, and read every notebook, in this process."""
    from . import data

    try:
        dataset = data.load(os.environ.get("KETAMINE_EXPLAINER_DATA") or None)
        for path in paths:
            notebooks.check(path)
        generate.check_quiz_notebooks(dataset)
    except data.DataError as exc:
        raise UsageError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ketamine-explainer", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-run notebooks in place, storing outputs and widget state")
    run.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    sub.add_parser("nav", help="regenerate the navigation, title cells, contents table and sources cells of every notebook")
    for name in ("html", "slides"):
        build = sub.add_parser(name, help=f"build the offline {'HTML site' if name == 'html' else 'reveal.js slides'}")
        build.add_argument("--out", default=os.path.join("build", "site" if name == "html" else "slides"),
                           help="output folder: new, empty, or an earlier build (never the project, the current or home folder)")
        build.add_argument("--no-execute", action="store_true", help="export the stored outputs without re-running")
    page = sub.add_parser("page", help="write one self-contained HTML file: a notebook, or the whole explainer with --all")
    page.add_argument("notebook", nargs="?", help="a notebook file (any folder) or a name or prefix from notebooks/")
    page.add_argument("--all", action="store_true", help="every notebook in reading order, as one file")
    page.add_argument("--out", type=Path, help="the HTML file to write (default: build/pages/NAME.html)")
    page.add_argument("--code", action="store_true", help="show the code cells (hidden by default, as in the site)")
    page.add_argument("--execute", action="store_true", help="run the notebooks first (the files are not changed)")
    page.add_argument("--force", action="store_true", help="replace a file that this command did not write")
    handout = sub.add_parser("handout", help="print the handout PDF (A4 and Letter) and the teacher's answer key")
    handout.add_argument("--out", type=Path, default=Path("build") / "handout")
    return parser


def _execute(args) -> int:
    paths = _selected(args.names)
    check_inputs(paths)
    for path in notebooks.execute_all(paths):
        print(f"executed {path.relative_to(notebooks.ROOT)}")
    return 0


def _nav(args) -> int:
    check_inputs(notebooks.notebook_paths())
    for path in generate.write_all():
        print(f"updated {path.relative_to(notebooks.ROOT)}")
    return 0


def _handout(args) -> int:
    from . import paper
    from .data import load

    check_inputs(notebooks.notebook_paths())
    for path in paper.build_handout(args.out, load(), report=lambda step: print(step, flush=True)):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


def _build(args) -> int:
    from . import export

    try:
        export.check_out(args.out)
    except export.BuildError as exc:
        raise UsageError(str(exc)) from None
    paths = notebooks.notebook_paths()
    check_inputs(paths)
    try:
        out = export.build(args.out, slides=args.command == "slides", execute=not args.no_execute, paths=paths,
                           report=lambda line: print(line, flush=True))
    except export.BuildError as exc:
        print(f"ketamine-explainer {args.command}: {exc}", file=sys.stderr)
        return 1
    print(f"built {out}")
    return 0


COMMANDS = {"execute": _execute, "nav": _nav, "page": _page, "handout": _handout, "html": _build,
            "slides": _build}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        check_environment()
        return COMMANDS[args.command](args)
    except (UsageError, generate.GenerateError) as exc:
        print(f"ketamine-explainer {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
