"""The instructor's guide: its plans add up (each day's or week's stated hours are the sum of the chapter
table's times for the chapters it lists, and the one-week workshop covers every chapter), and the appendix's
essay on forward mode points at the chapter that explains forward mode."""
from __future__ import annotations

import re
from pathlib import Path

GUIDE = (Path(__file__).resolve().parents[1] / "book" / "instructors_guide.md").read_text()


def _table(after: str) -> list[list[str]]:
    """The rows (cells stripped) of the first Markdown table after the heading ``after``."""
    lines = GUIDE[GUIDE.index(after):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _chapter_hours() -> dict[str, float]:
    hours = {}
    for chapter, _, time, _ in _table("| Chapter | Core? | Time | Depends on |"):
        key = "Appendix" if chapter.startswith("Appendix") else chapter.split()[0]
        hours[key] = float(re.match(r"([\d.]+) h", time).group(1))
    return hours


def _listed(chapters: str) -> tuple[list[str], list[str]]:
    """The chapters a plan's cell lists, as table keys: (always, only in parentheses)."""
    optional = re.findall(r"\((\d+) [A-Z]", chapters)
    always = [n for n in re.findall(r"(?:^|, )(\d+) [A-Z]", chapters) if n not in optional]
    return always + (["Appendix"] if "Appendix" in chapters else []), optional


def test_the_workshop_days_add_up_and_cover_every_chapter():
    hours = _chapter_hours()
    assert len(hours) == 16
    covered = []
    for day, chapters, stated in _table("### A one-week workshop"):
        always, optional = _listed(chapters)
        covered += always + optional
        numbers = [float(x) for x in re.findall(r"([\d.]+) h", stated)]
        assert numbers[0] == sum(hours[c] for c in always), day
        if optional:
            assert numbers[1] == numbers[0] + sum(hours[c] for c in optional), day
        assert numbers[0] <= 6.5, f"{day}: more than a working day"
    assert sorted(covered) == sorted(hours), "the workshop leaves out a chapter"


def test_the_workshop_detector_reads_a_day():
    assert _listed("11 Vanishing gradients, 12 Regularisation, 14 Digits (13 Batch normalisation for the quick)") \
        == (["11", "12", "14"], ["13"])
    assert _listed("15 Reverse-mode autodiff, then its capstone; the Appendix as reading") == (["15", "Appendix"], [])


def test_the_forward_mode_essay_points_at_the_chapter_that_explains_forward_mode():
    appendix = GUIDE[GUIDE.index("### Appendix: history, FAQ and next steps"):GUIDE.index("(graded-assignments)=")]
    assert "{doc}`16_autodiff`" in appendix and "Forward mode versus reverse mode" in appendix
    notebook = (Path(__file__).resolve().parents[1] / "book" / "16_autodiff.ipynb").read_text()
    assert "## Forward mode versus reverse mode" in notebook


def _assignment_points(chapter: str) -> tuple[int, int]:
    """(autograded, by hand) points of the nbgrader assignment the course tool makes of ``chapter``."""
    import nbformat

    from bpcore.tools import course
    nb = course.assignment_notebook(nbformat.read(course.course_chapters()[chapter], as_version=4), chapter)
    marks = [c.metadata["nbgrader"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    return (sum(m["points"] for m in marks if not m["solution"]), sum(m["points"] for m in marks if m["solution"]))


def test_the_graded_assignments_points_are_the_ones_the_course_tool_writes():
    """Each GA table's rows for nbgrader assignments give the points that ``bpcore.tools.course`` writes
    today, and every table's last row is the sum of the rows above it."""
    tables = 0
    for heading in re.findall(r"^### (GA\d: .*) \((\d+) points\)$", GUIDE, flags=re.M):
        title, stated = heading
        rows = _table(f"### {title} ({stated} points)")
        *parts, total = rows
        numbers = [[int(x) if x else 0 for x in (auto, hand, whole)] for _, auto, hand, whole in parts]
        for (part, *_), (auto, hand, whole) in zip(parts, numbers):
            assert auto + hand == whole, f"{title}, {part}: {auto} + {hand} != {whole}"
            name = re.match(r"nbgrader assignment `(\w+)`", part)
            if name:
                assert (auto, hand) == _assignment_points(name.group(1)), \
                    f"{title}, {part}: the guide says {auto} autograded + {hand} by hand"
        sums = [sum(column) for column in zip(*numbers)]
        assert [int(x.strip("*")) for x in total[1:]] == sums == sums[:2] + [int(stated)], f"{title}: totals {total}"
        tables += 1
    assert tables == 4


def test_the_hub_recipe_for_plotlys_front_end_uses_the_settings_the_launcher_uses():
    """The guide's optional hub step sets what bpcore.tools.lab.widget_bundle_server sets (and test_jupyterlab checks
    in a real server): plotly's package_data as a static path, and the kernel's environment variable."""
    from bpcore.tools.lab import widget_bundle_server
    from bpcore.widgets.bundle import BUNDLE_ENV, LAB_BUNDLE, PLOTLY_PACKAGE_DATA
    options, env = widget_bundle_server()
    assert options == [f"--ServerApp.extra_static_paths={PLOTLY_PACKAGE_DATA}"]
    assert PLOTLY_PACKAGE_DATA.name == "package_data"
    assert 'c.ServerApp.extra_static_paths = [str(pathlib.Path(plotly.__file__).parent / "package_data")]' in GUIDE
    assert env == {BUNDLE_ENV: LAB_BUNDLE} and f"`{BUNDLE_ENV}={LAB_BUNDLE}`" in GUIDE
