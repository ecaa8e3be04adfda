"""A bar chart of a measure's monthly percentages, drawn as SVG on the server (no JavaScript).
The template (metrics/_chart.html) gives it a title, a description and role="img"; the numbers
are in a table beside it."""

from dataclasses import dataclass

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month, short
    label_x: float
    value: str  # "75%" or "none"


def bars(months) -> list[Bar]:
    """One bar per month, its height the month's percentage; a month with nothing counted has
    no bar and says so in its value."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(months), 1)
    found = []
    for i, month in enumerate(months):
        pct = month.percent
        height = inner_h * (pct or 0) / 100
        x = LEFT + i * slot + slot * 0.15
        found.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + inner_h - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=f"{month.first:%b}",
                label_x=round(LEFT + i * slot + slot / 2, 1),
                value="none" if pct is None else f"{pct}%",
            )
        )
    return found


def gridlines() -> list[tuple[float, str]]:
    inner_h = HEIGHT - TOP - BOTTOM
    return [(round(TOP + inner_h * (1 - p / 100), 1), f"{p}%") for p in (0, 50, 100)]
