"""Command line: ``python -m ketamine_explainer {execute,nav,html,slides,page,handout}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import notebooks


def _selected(names: list[str]) -> list[Path]:
    paths = notebooks.notebook_paths()
    if not names:
        return paths
    chosen = [p for p in paths if any(p.stem.startswith(n.removesuffix(".ipynb")) for n in names)]
    if not chosen:
        sys.exit(f"no notebook matches {', '.join(names)}; choose from {', '.join(p.stem for p in paths)}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ketamine-explainer", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="re-run notebooks in place, storing outputs and widget state")
    run.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    sub.add_parser("nav", help="regenerate the previous / contents / next links in every notebook")
    for name in ("html", "slides"):
        build = sub.add_parser(name, help=f"build the offline {'HTML site' if name == 'html' else 'reveal.js slides'}")
        build.add_argument("--out", type=Path, default=Path("build") / ("site" if name == "html" else "slides"))
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
    args = parser.parse_args(argv)

    if args.command == "execute":
        for path in notebooks.execute_all(_selected(args.names)):
            print(f"executed {path.relative_to(notebooks.ROOT)}")
    elif args.command == "nav":
        for path in notebooks.notebook_paths():
            if notebooks.update_navigation(path):
                print(f"updated {path.relative_to(notebooks.ROOT)}")
    elif args.command == "page":
        return _page(args)
    elif args.command == "handout":
        from . import paper
        from .data import load

        for path in paper.build_handout(args.out, load()):
            print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    else:
        from . import export

        out = export.build(args.out, slides=args.command == "slides", execute=not args.no_execute)
        print(f"built {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
