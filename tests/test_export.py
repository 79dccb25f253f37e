"""The exporter without a browser: links, speaker notes, the vendor cache, output folders that are safe to replace."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ketamine_explainer import buildfolder, export, notebooks

START = notebooks.NOTEBOOK_DIR / "00_start_here.ipynb"
CENTRAL = notebooks.NOTEBOOK_DIR / "05_rapid_onset.ipynb"


def test_page_names_make_the_start_page_the_index():
    assert export.page_name("00_start_here", slides=False) == "index.html"
    assert export.page_name("00_start_here", slides=True) == "00_start_here.html"
    assert export.page_name("05_rapid_onset", slides=False) == "05_rapid_onset.html"


def test_site_links_pages_hides_code_and_drops_speaker_notes(tmp_path):
    out = export.build(tmp_path / "site", execute=False, paths=[START, CENTRAL])
    central = (out / "05_rapid_onset.html").read_text(encoding="utf-8")
    assert 'href="index.html"' in central and 'href="06_safety.html"' in central
    assert "Speaker note" not in central
    assert "kx.explore(" not in central, "code is hidden"
    assert 'src="vendor/require.js"' in central and (out / "vendor" / "html-manager" / "embed-amd.js").exists()
    assert not (out / "vendor" / "reveal.js").exists(), "the site does not carry the slides' files"


def test_slides_keep_speaker_notes(tmp_path):
    out = export.build(tmp_path / "slides", slides=True, execute=False, paths=[CENTRAL])
    deck = (out / "05_rapid_onset.html").read_text(encoding="utf-8")
    assert "Speaker note" in deck and 'class="notes"' in deck
    assert "vendor/reveal.js/dist/reveal.js" in deck and (out / "vendor" / "reveal.js" / "dist" / "reveal.js").exists()


def _cache_copy(tmp_path) -> Path:
    """A verified vendor cache of its own: the pinned files of the project's cache and the stamp."""
    modules = export.npm_packages()
    npm_dir = tmp_path / "npm"
    for name in export.expected_files(slides=True):
        source = export._module_path(modules, name, export._specs(True))
        target = export._module_path(npm_dir / "node_modules", name, export._specs(True))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    (npm_dir / export.NPM_STAMP).write_text(export.lock_digest())
    return npm_dir


def test_a_poisoned_or_interrupted_vendor_cache_is_rebuilt(tmp_path, monkeypatch):
    npm_dir = _cache_copy(tmp_path)
    modules, stamp = npm_dir / "node_modules", npm_dir / export.NPM_STAMP
    assert export.npm_packages(npm_dir) == modules
    require = modules / "requirejs" / "require.js"
    good = require.read_bytes()
    require.write_bytes(b"")  # a full disk: npm exited 0 and left empty files
    assert export.verify_modules(modules) == "require.js is missing or empty"
    export.npm_packages(npm_dir)  # a real npm ci
    assert require.read_bytes() == good and stamp.read_text() == export.lock_digest()
    stamp.unlink()  # interrupted (Ctrl-C) before the stamp: node_modules is not trusted, however complete it looks
    calls = []

    def npm_ci(command, cwd, **kwargs):  # stands in for a second real install: puts the pinned files back
        calls.append(command)
        _cache_copy(Path(cwd).parent)
        (Path(cwd) / export.NPM_STAMP).unlink()  # the stamp is npm_packages' to write, after checking
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(export.subprocess, "run", npm_ci)
    export.npm_packages(npm_dir)
    assert calls and calls[0][1] == "ci" and stamp.read_text() == export.lock_digest()
    assert (modules / "reveal.js" / "dist" / "reveal.js").read_text() != "tampered"


def test_the_stamp_is_written_only_after_npm_ci_succeeded_and_the_files_checked_out(tmp_path, monkeypatch):
    npm_dir = tmp_path / "npm"

    def interrupted(command, cwd, **kwargs):
        (Path(cwd) / "node_modules" / "requirejs").mkdir(parents=True)
        return subprocess.CompletedProcess(command, 130, "", "npm error canceled\n")

    monkeypatch.setattr(export.subprocess, "run", interrupted)
    with pytest.raises(export.BuildError, match="npm ci failed in .*: npm error canceled"):
        export.npm_packages(npm_dir)
    assert not (npm_dir / export.NPM_STAMP).exists()

    def full_disk(command, cwd, **kwargs):
        (Path(cwd) / "node_modules" / "requirejs").mkdir(parents=True)
        (Path(cwd) / "node_modules" / "requirejs" / "require.js").write_bytes(b"")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(export.subprocess, "run", full_disk)
    with pytest.raises(export.BuildError) as caught:
        export.npm_packages(npm_dir)
    assert "damaged copy" in str(caught.value) and "\n" not in str(caught.value)
    assert not (npm_dir / export.NPM_STAMP).exists()


def test_offline_with_no_cache_stops_quickly_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")  # nothing listens there: as good as offline
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "empty-npm-cache"))
    start = time.monotonic()
    with pytest.raises(export.BuildError) as caught:
        export.npm_packages(tmp_path / "npm")
    assert time.monotonic() - start < 30
    assert "could not reach its registry" in str(caught.value) and "\n" not in str(caught.value)


def test_without_npm_a_verified_cache_still_builds_and_no_cache_is_one_line(tmp_path, monkeypatch):
    npm_dir = _cache_copy(tmp_path)
    monkeypatch.setattr(export, "NPM_DIR", npm_dir)
    monkeypatch.setattr(export.npm_packages, "__defaults__", (npm_dir, 600))
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    out = export.build(tmp_path / "site", execute=False, paths=[START])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'src="vendor/require.js"' in page and "https://" not in page.split("<body")[0], "no CDN fallback"
    (npm_dir / export.NPM_STAMP).unlink()
    with pytest.raises(export.BuildError, match="npm was not found"):
        export.npm_packages(npm_dir)


def test_every_vendored_file_is_checked_and_the_list_matches_the_lock(tmp_path):
    lock, files = export.read_checksums()
    assert lock == export.lock_digest(), "site/vendor.sha256 is out of date: regenerate it (see its first lines)"
    out = export.build(tmp_path / "slides", slides=True, execute=False, paths=[START])
    copied = {p.relative_to(out / "vendor").as_posix() for p in (out / "vendor").rglob("*") if p.is_file() and "css/" not in p.as_posix()}
    assert copied == set(files)


# Output folders (issue 9): never delete what the build did not make.
@pytest.mark.parametrize("given", ["", " ", ".", "./", "..", "/", "~", "ROOT", "ROOT/src", "ROOT/..", "CWD", "CWD/.."])
def test_refuses_dangerous_output_folders(given, monkeypatch, tmp_path):
    cwd = tmp_path / "here"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    out = os.path.expanduser(given.replace("ROOT", str(notebooks.ROOT)).replace("CWD", str(cwd)))
    with pytest.raises(export.BuildError) as caught:
        export.check_out(out)
    assert "\n" not in str(caught.value)


def test_refuses_a_file_a_foreign_folder_and_a_symlink(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(export.BuildError, match="not a folder"):
        export.build(tmp_path / "notes.txt", execute=False, paths=[START])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(export.BuildError, match="not an earlier build"):
        export.build(mine, execute=False, paths=[START])
    (tmp_path / "link").symlink_to(mine)
    with pytest.raises(export.BuildError, match="symbolic link"):
        export.build(tmp_path / "link", execute=False, paths=[START])
    assert (mine / "thesis.tex").read_text() == "years of work" and (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "mine", "notes.txt"], "no temporary folder is left"


def test_an_earlier_build_or_an_empty_folder_is_replaced(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (export.build(empty, execute=False, paths=[START]) / "index.html").is_file()
    site = export.build(tmp_path / "site", execute=False, paths=[START])
    (site / "stale.html").write_text("from the earlier build")
    export.build(site, execute=False, paths=[START])
    assert (site / export.MARKER).is_file() and not (site / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "site"]


def test_stale_temporary_folders_of_killed_builds_are_cleaned(tmp_path):
    site = export.build(tmp_path / "site", execute=False, paths=[START])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    (tmp_path / f".site.kx-tmp-{dead}-abc").mkdir()
    (tmp_path / f".site.kx-tmp-{dead}-abc" / "index.html").write_text("half")
    alive = tmp_path / f".site.kx-tmp-{os.getpid()}-running"
    alive.mkdir()  # a build still running (this process): left alone
    export.build(site, execute=False, paths=[START])
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "site"]


def test_a_build_killed_between_the_renames_gets_its_old_site_back(tmp_path):
    site = export.build(tmp_path / "site", execute=False, paths=[START])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    os.rename(site, tmp_path / f".site.kx-old-{dead}-xyz")
    buildfolder.clean_stale(site)
    assert (site / "index.html").is_file() and (site / export.MARKER).is_file()


BUILD_AND_KILL = """
import sys
from ketamine_explainer import export, notebooks
export.build(sys.argv[1], execute=False, paths=[notebooks.NOTEBOOK_DIR / "00_start_here.ipynb"])
"""


def test_two_builds_into_one_folder_both_end_with_a_complete_site_and_a_killed_one_leaves_the_old(tmp_path):
    out = tmp_path / "site"
    runs = [subprocess.Popen([sys.executable, "-c", BUILD_AND_KILL, str(out)], stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read()[-2000:]
    assert (out / "index.html").is_file() and (out / "vendor" / "require.js").stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    before = (out / "index.html").read_bytes()
    killed = subprocess.Popen([sys.executable, "-c", BUILD_AND_KILL, str(out)])
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".site.kx-tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.kill()  # mid-build: its temporary folder exists
    killed.wait()
    assert list(tmp_path.glob(".site.kx-tmp-*")), "the killed build left its temporary folder"
    assert (out / "index.html").read_bytes() == before, "the old site is intact"
    export.build(out, execute=False, paths=[START])  # cleans whatever the killed build left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_decks_show_the_short_slide_text_and_carry_the_prose_as_speaker_notes(tmp_path):
    deck = (export.build(tmp_path / "slides", slides=True, execute=False, paths=[CENTRAL]) / "05_rapid_onset.html").read_text(
        encoding="utf-8")
    page = (export.build(tmp_path / "site", execute=False, paths=[CENTRAL]) / "05_rapid_onset.html").read_text(encoding="utf-8")
    notes = " ".join(re.findall(r'<aside class="notes">(.*?)</aside>', deck, re.S))
    assert "Broadly right, but:" in deck and "Broadly right, but:" not in page, "the slide text is for the deck only"
    assert "three corrections" in notes and "three corrections" in page, "the full prose: notes in the deck, text on the site"
    slides_text = re.sub(r'<aside class="notes">.*?</aside>', "", deck, flags=re.S)
    assert "three corrections" not in slides_text, "the prose is not on the slide itself"
    assert "Every measured point, with its source" in page and "Every measured point, with its source" not in deck, \
        "long tables stay on the site and in the handout"


def test_every_script_is_inside_the_body_and_no_page_asks_for_a_favicon(tmp_path):
    """Valid HTML (the W3C checker's error on the site was a script after </body>), and no 404 for /favicon.ico."""
    from ketamine_explainer import page

    site = export.build(tmp_path / "site", execute=False, paths=[START])
    deck = export.build(tmp_path / "slides", slides=True, execute=False, paths=[START])
    documents = {"site": (site / "index.html").read_text(encoding="utf-8"),
                 "deck": (deck / "00_start_here.html").read_text(encoding="utf-8"),
                 "page": page.render([START])}
    for name, text in documents.items():
        head, _, tail = text.partition("</body>")
        assert tail.strip() == "</html>", f"{name}: after </body>: {tail.strip()[:80]!r}"
        icon = re.search(r"<link[^>]*rel=\"icon\"[^>]*>", head.split("<body")[0])
        assert head.count("<script") >= 1 and icon and 'href="data:,"' in icon.group(0), name
