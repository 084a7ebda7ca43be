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
