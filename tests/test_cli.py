"""The command line: bad data, a bad environment or a dangerous --out give one line and exit status 2, before any kernel."""

import os
import subprocess
import sys

import pytest

from ketamine_explainer import __main__ as cli
from ketamine_explainer import notebooks


@pytest.fixture
def no_kernels(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started before the inputs were checked")

    monkeypatch.setattr(notebooks, "execute", refuse)
    monkeypatch.setattr(notebooks, "execute_all", refuse)


def _one_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


@pytest.mark.parametrize("command", [["execute"], ["execute", "05"], ["html", "--out", "OUT"], ["slides", "--out", "OUT"]])
def test_bad_data_is_one_line_and_status_2(command, data_copy, monkeypatch, capsys, tmp_path, no_kernels):
    data_copy.edit("onset.csv", "response,52.2,", "response,fifty,")
    monkeypatch.setenv("KETAMINE_EXPLAINER_DATA", str(data_copy.path))
    assert cli.main([c.replace("OUT", str(tmp_path / "out")) for c in command]) == 2
    line = _one_line(capsys)
    assert "onset.csv, row 3 (line 4), column 'value_pct': 'fifty' is not a number" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("workers", ["0", "two", "-1", "2.5", "\u0662", "1_0"])
def test_bad_worker_count(workers, monkeypatch, capsys, no_kernels):
    monkeypatch.setenv("KETAMINE_WORKERS", workers)
    assert cli.main(["execute"]) == 2
    assert "KETAMINE_WORKERS must be a whole number" in _one_line(capsys)


@pytest.mark.parametrize("value, message", [("", "set but empty"), ("no/such/folder", "is not a folder")])
def test_bad_data_folder_variable(value, message, monkeypatch, capsys, tmp_path, no_kernels):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KETAMINE_EXPLAINER_DATA", value)
    assert cli.main(["html", "--out", str(tmp_path / "out")]) == 2
    assert message in _one_line(capsys)


def test_data_folder_variable_is_resolved_against_the_current_folder(data_copy, monkeypatch, capsys, tmp_path, no_kernels):
    # Kernels run in notebooks/: the parent makes the path absolute before they start.
    data_copy.edit("quiz.csv", "qz01,q01a,", "qz01,Q01A,")
    monkeypatch.chdir(data_copy.path.parent)
    monkeypatch.setenv("KETAMINE_EXPLAINER_DATA", "data")
    assert cli.main(["execute", "01"]) == 2
    assert _one_line(capsys).startswith("ketamine-explainer execute: data/quiz.csv, row 1 (line 2), column 'question_id'")
    assert os.environ["KETAMINE_EXPLAINER_DATA"] == str(data_copy.path)


@pytest.mark.parametrize("out", ["", ".", "ROOT", "HOME", "/"])
def test_dangerous_out_is_one_line_and_status_2(out, capsys, monkeypatch, no_kernels):
    out = out.replace("ROOT", str(notebooks.ROOT)).replace("HOME", os.path.expanduser("~"))
    assert cli.main(["html", "--out", out]) == 2
    assert _one_line(capsys).startswith("ketamine-explainer html: --out")


def test_merge_conflicted_notebook_is_one_line(tmp_path, monkeypatch, capsys, no_kernels):
    source = notebooks.NOTEBOOK_DIR / "02_conventional_treatment.ipynb"
    folder = tmp_path / "notebooks"
    folder.mkdir()
    lines = source.read_text(encoding="utf-8").split("\n")
    (folder / source.name).write_text("\n".join(lines[:5] + ["<<<<<<< HEAD"] + lines[5:]), encoding="utf-8")
    monkeypatch.setattr(notebooks, "NOTEBOOK_DIR", folder)
    monkeypatch.setattr(notebooks.notebook_paths, "__defaults__", (folder,))
    assert cli.main(["slides", "--out", str(tmp_path / "out")]) == 2
    assert "02_conventional_treatment.ipynb, line 6: has an unresolved merge conflict" in _one_line(capsys)


def test_a_real_run_prints_no_traceback(data_copy, tmp_path):
    data_copy.edit("sources.csv", "https://www.who.int/news-room/fact-sheets/detail/depression", "javascript:alert(1)")
    env = {**os.environ, "KETAMINE_EXPLAINER_DATA": str(data_copy.path)}
    result = subprocess.run([sys.executable, "-m", "ketamine_explainer", "html", "--out", str(tmp_path / "site")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "sources.csv, row 1 (line 2), column 'url': 'javascript:alert(1)' is not an https:// or http:// address" in result.stderr
