"""Geometry of the burn-up chart, drawn as inline SVG by templates/villages/_burnup.html."""

from dataclasses import dataclass, field

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 16, 32  # room for tick labels at the phone size (site.css)


@dataclass
class Burnup:
    width: int = WIDTH
    height: int = HEIGHT
    actual: str = ""  # polyline points
    projection: str = ""
    target_y: float | None = None
    target: int | None = None
    x_ticks: list = field(default_factory=list)  # (x, label)
    y_ticks: list = field(default_factory=list)  # (y, label)
    last_x: float = 0
    last_y: float = 0
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def nice_step(top):
    for step in [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]:
        if top / step <= 5:
            return step
    return 10000


def burnup(series, target, projected, deadline):
    """series: [(month end, cumulative accepted)] up to now; the x axis runs from its first month to deadline."""
    chart = Burnup(target=target)
    if not series:
        return chart
    start = series[0][0].toordinal() - 31
    span = max(deadline.toordinal() - start, 1)
    top = max([count for _date, count in series] + [target or 0, projected or 0, 1])
    step = nice_step(top)
    top = -(-top // step) * step

    def x(day):
        return round(LEFT + (day.toordinal() - start) / span * (WIDTH - LEFT - RIGHT), 1)

    def y(count):
        return round(HEIGHT - BOTTOM - count / top * (HEIGHT - TOP - BOTTOM), 1)

    chart.actual = " ".join(f"{x(day)},{y(count)}" for day, count in series)
    chart.last_x, chart.last_y = x(series[-1][0]), y(series[-1][1])
    if projected is not None:
        chart.projection = f"{chart.last_x},{chart.last_y} {x(deadline)},{y(projected)}"
    if target is not None:
        chart.target_y = y(target)
    chart.y_ticks = [(y(value), value) for value in range(0, top + 1, step)]
    chart.x_ticks = [(x(day), str(day.year)) for day, _count in series if day.month == 1]
    years = {label for _x, label in chart.x_ticks}
    for year in range(series[-1][0].year + 1, deadline.year + 1):
        if str(year) not in years:
            chart.x_ticks.append((x(type(deadline)(year, 1, 31)), str(year)))
    return chart
