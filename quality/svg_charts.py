"""Small JS-free SVG charts for the storage page (pure: numbers in, markup out)."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

W, H, PAD = 640, 200, 40


def _scale(values, span, lo=0.0):
    top = max(values, default=0) or 1
    return lambda v: span - (v - lo) / (top - lo or 1) * span


def line_chart(points: list[tuple[float, float]], *, projected: list[tuple[float, float]] = (),
               x_labels: tuple[str, str] = ("", ""), unit: str = "MB") -> str:
    """Measured points (x, y) as a solid line, projected ones dashed; axes labelled at the ends."""
    every = list(points) + list(projected)
    if not every:
        return mark_safe('<p class="help">No measurements yet: run <code>manage.py measure_storage</code>.</p>')
    xs, ys = [x for x, _ in every], [y for _, y in every]
    x0, x1 = min(xs), max(xs) or 1
    sy = _scale(ys, H - PAD)

    def sx(x):
        return PAD + (x - x0) / ((x1 - x0) or 1) * (W - 2 * PAD)

    def path(pts):
        return " ".join(f"{sx(x):.1f},{sy(y) + 10:.1f}" for x, y in pts)

    parts = [f'<svg class="tp-chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img">',
             f'<line x1="{PAD}" y1="{H - PAD + 10}" x2="{W - PAD}" y2="{H - PAD + 10}" stroke="#999"/>',
             f'<polyline fill="none" stroke="#417690" stroke-width="2" points="{path(points)}"/>']
    if projected:
        parts.append(f'<polyline fill="none" stroke="#c0392b" stroke-dasharray="6 4" stroke-width="2" '
                     f'points="{path([points[-1]] + list(projected) if points else projected)}"/>')
    parts += [f'<text x="{PAD}" y="{H - 5}" font-size="11">{escape(x_labels[0])}</text>',
              f'<text x="{W - PAD}" y="{H - 5}" font-size="11" text-anchor="end">{escape(x_labels[1])}</text>',
              f'<text x="4" y="14" font-size="11">{max(ys):.1f} {escape(unit)}</text>', "</svg>"]
    return mark_safe("".join(parts))


def bar_chart(bars: list[tuple[str, float]], *, unit: str = "MB") -> str:
    """Horizontal bars, one per (label, value)."""
    if not bars:
        return mark_safe('<p class="help">Nothing measured.</p>')
    row, label_w = 18, 230
    height = row * len(bars) + 10
    top = max(v for _, v in bars) or 1
    parts = [f'<svg class="tp-chart" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img">']
    for i, (label, value) in enumerate(bars):
        y = 5 + i * row
        width = value / top * (W - label_w - 90)
        parts += [f'<text x="0" y="{y + 12}" font-size="11">{escape(label)}</text>',
                  f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{row - 4}" fill="#79aec8"/>',
                  f'<text x="{label_w + width + 4:.1f}" y="{y + 12}" font-size="11">{value:,.2f} {escape(unit)}</text>']
    parts.append("</svg>")
    return mark_safe("".join(parts))
