"""README is for users and stays short; its links resolve; generated tables are current."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _block(text: str, name: str) -> str:
    return text.split(f"<!-- {name}:begin -->\n", 1)[1].split(f"\n<!-- {name}:end -->", 1)[0]


def test_readme_is_short_and_links_to_the_docs():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 200
    for page in ("protocol", "training", "zoo", "int8", "deployment", "performance"):
        assert f"docs/{page}.md" in text


def test_every_relative_link_resolves():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_generated_tables_are_what_their_commands_write_now():
    from xeonsr import zoo

    assert _block((ROOT / "README.md").read_text(), "zoo-table") == zoo.markdown_table().rstrip()
    assert _block((ROOT / "docs" / "int8.md").read_text(), "int8-table") == zoo.int8_table().rstrip()
    readme, perf = ((ROOT / p).read_text() for p in ("README.md", "docs/performance.md"))
    assert _block(readme, "bench-table") == _block(perf, "bench-table")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_to_a_section_finds_it():
    # The check above skips links with a #section; a renamed heading broke them silently.
    for page in PAGES:
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", page.read_text()):
            if "://" in target:
                continue
            doc = page.parent / target if target else page
            assert doc.exists(), f"{page.name}: {target}"
            headings = re.findall(r"^#+ (.+)$", doc.read_text(), flags=re.M)
            assert anchor in {_slug(h) for h in headings}, f"{page.name}: {target}#{anchor}"


COMMAND_PAGES = [*PAGES, ROOT / "zoo" / "campaigns" / "PLAN.md", ROOT / "benchmarks" / "probes" / "README.md"]


def _shown_commands(page: Path) -> list[str]:
    """Each command line a page shows: the lines of its code blocks (comments cut) and its code
    spans (a span's line breaks as spaces), split where one line runs several commands."""
    text = page.read_text()
    blocks = re.findall(r"```\w*\n(.*?)```", text, flags=re.S)
    spans = re.findall(r"`([^`]+)`", re.sub(r"```\w*\n.*?```", "", text, flags=re.S))
    lines = [line.split(" #")[0] for b in blocks for line in b.splitlines()] + [s.replace("\n", " ") for s in spans]
    return [part.strip() for line in lines for part in re.split(r";|&&|\|\s", line)]


def _documented_commands():
    """(page, the words after `xeonsr`) of every xeonsr command the docs show."""
    for page in COMMAND_PAGES:
        for command in _shown_commands(page):
            words = [w for w in command.split() if w != "--traceback"]
            if len(words) > 1 and words[0] == "xeonsr":
                yield page.name, words[1:]


def test_every_documented_command_line_is_one_the_cli_takes():
    # A renamed option or backend left the docs telling users to type what the parser refuses.
    import argparse

    from xeonsr.cli import build_parser
    from xeonsr.models import MODELS
    from xeonsr.runtime import BACKENDS

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    lists = {"--backends": BACKENDS, "--models": MODELS}  # comma-separated values
    checked = 0
    for page, words in _documented_commands():
        if words[0] not in commands:
            assert not re.fullmatch(r"[a-z]+", words[0]), f"{page}: no command {words[0]!r}"
            continue  # a placeholder (COMMAND, ...)
        options = {s: a for a in commands[words[0]]._actions for s in a.option_strings}
        for word, value in zip(words, [*words[1:], ""], strict=True):
            word, value = word.strip("[]"), value.strip("[]")
            if not re.fullmatch(r"--[a-z][a-z0-9-]*", word):
                continue
            assert word in options, f"{page}: `xeonsr {words[0]}` has no {word}"
            if not re.fullmatch(r"[a-z0-9_.,-]+", value):
                continue  # a placeholder (DIR, a|b, $VAR) or a path
            known = lists.get(word) or options[word].choices or ({*MODELS, "bicubic"} if word == "--model" else None)
            for item in value.split(",") if word in lists else [value]:
                assert known is None or item in known, f"{page}: `xeonsr {words[0]} {word}` takes no {item!r}"
            checked += 1
    assert checked > 100


def test_every_python_example_in_the_docs_runs(tmp_path, monkeypatch):
    # The examples name files a user has beside them: a photo and IRs copied from the store.
    import shutil

    import numpy as np
    from PIL import Image

    from xeonsr.irs import SHIPPED_IR_DIR

    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (30, 40, 3), dtype=np.uint8)).save("cat.png")
    for ir in ("srcnn_x3_fp32", "fsrcnn_x3_int8"):
        for ext in (".xml", ".bin"):
            shutil.copy(SHIPPED_IR_DIR / f"{ir}{ext}", tmp_path)
    ran = 0
    for page in PAGES:
        scope = {
            "frames": [Image.open("cat.png"), np.zeros((20, 24), np.uint8)]
        }  # blocks of a page build on each other
        for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S):
            Path("cat_x3.png").unlink(missing_ok=True)
            exec(compile(block, f"{page.name} example", "exec"), scope)
            ran += 1
            if "cat_x3.png" in block:
                assert Image.open("cat_x3.png").size == (120, 90), page.name
    assert ran >= 6
    assert Path("fsrcnn_x3_int8_tuned.xml").is_file()


def test_every_script_says_its_usage_and_takes_the_options_the_docs_give():
    # The benchmark and maintenance scripts (the probes take positional arguments only): each
    # answers --help, and each option a documented command gives it is in that usage.
    import subprocess
    import sys

    shown: dict[str, set[str]] = {}
    for page in COMMAND_PAGES:
        for command in _shown_commands(page):
            for script, rest in re.findall(r"python (?:-m )?((?:benchmarks|scripts)/\w+\.py)(.*)", command):
                shown.setdefault(script, set()).update(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", rest))
    assert len(shown) >= 10
    scripts = sorted(
        str(p.relative_to(ROOT))
        for folder in ("benchmarks", "scripts")
        for p in (ROOT / folder).glob("*.py")
        if not p.name.startswith(("test_", "_", "conftest"))
    )
    assert set(shown) <= set(scripts)
    for script in scripts:
        usage = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True)
        assert usage.returncode == 0 and usage.stdout.startswith("usage:"), f"{script} --help: {usage.stderr[-300:]}"
        missing = {o for o in shown.get(script, ()) if not re.search(rf"(?<![\w-]){o}\b", usage.stdout)}
        assert not missing, f"the docs give {script} {sorted(missing)}, which it does not take"
