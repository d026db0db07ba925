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
