"""A non-editable install (what `pip install .` or a wheel gives) runs on its own: it carries the shipped
corpus as its default, and `--corpus` points it at another one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package installed with pip into a folder of its own (no link back to this checkout)."""
    target = tmp_path_factory.mktemp("installed")
    build = tmp_path_factory.mktemp("build")
    source = build / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "instance", "*.egg-info", "build",
                                                                 "__pycache__", ".pytest_cache", "docs"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(source)], check=True, capture_output=True, timeout=300)
    return target


def run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFARCHIVE_")}
    env["PYTHONPATH"] = str(installed)
    code = "import sys; from confarchive.cli import main; sys.argv[0] = 'confarchive'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_install_is_its_own_copy_with_the_shipped_corpus(installed, tmp_path):
    where = run(installed, tmp_path, "--help")
    assert where.returncode == 0, where.stderr
    found = subprocess.run([sys.executable, "-c", "import archive, webapp; print(archive.__file__, webapp.DEFAULT_CORPUS)"],
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True,
                           text=True, check=True).stdout.split()
    assert all(path.startswith(str(installed)) for path in found), found
    assert (Path(found[1]) / "taxonomy.yaml").is_file()


def test_the_default_corpus_builds_and_searches(installed, tmp_path):
    index = tmp_path / "index"
    built = run(installed, tmp_path, "build", "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert "Indexed 68 documents" in built.stderr
    found = run(installed, tmp_path, "search", "genomics", "--index", str(index))
    assert found.returncode == 0 and "result(s) for \"genomics\"" in found.stdout, found.stderr


def test_corpus_option_points_elsewhere_and_a_missing_one_is_named(installed, tmp_path):
    corpus = tmp_path / "my-corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns(".history"))
    checked = run(installed, tmp_path, "validate", "--corpus", str(corpus))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    missing = run(installed, tmp_path, "build", "--corpus", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "corpus folder does not exist (pass --corpus" in missing.stderr


def test_every_setting_the_code_reads_is_documented():
    """Docs that cannot drift: each CONFARCHIVE_* variable named in the code has a row in the README's Settings."""
    import re

    used = set()
    for folder in ("archive", "indexer", "webapp", "confarchive"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"CONFARCHIVE_[A-Z_]+", path.read_text(encoding="utf-8")))
    settings = (ROOT / "README.md").read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(CONFARCHIVE_[A-Z_]+)`", settings, re.M))
    assert used and used - documented == set(), f"undocumented settings: {sorted(used - documented)}"
