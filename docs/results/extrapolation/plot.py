#!/usr/bin/env python3
"""Loss per position (paper Figure 3) from `spe eval --csv` files, as an SVG with no plotting library.

    plot.py OUT.svg TITLE:PREFIX [TITLE:PREFIX ...]

One panel per TITLE:PREFIX; each panel draws every PREFIX-<model>.csv beside this script, one line per model,
mean loss of each position bucket against the bucket's centre, with the training length marked.
"""
import csv, glob, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
COLOURS = {"pop-ape": "#d62728", "pop-sine": "#1f77b4", "pop-sine-ungated": "#17becf", "pop-conv": "#2ca02c",
           "pop-conv-ungated": "#98df8a"}
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 520, 340, 60, 20, 36, 48
TRAIN_LEN = 512


def read(path):
    rows = list(csv.DictReader(open(path)))
    return [((int(r["begin"]) + int(r["end"])) / 2, float(r["mean"])) for r in rows]


def panel(x0, title, prefix):
    series = {}
    for path in sorted(glob.glob(os.path.join(HERE, prefix + "-*.csv"))):
        series[os.path.basename(path)[len(prefix) + 1:-4]] = read(path)
    if not series:
        return ""
    xs = [x for s in series.values() for x, _ in s]
    ys = [y for s in series.values() for _, y in s]
    xmax = max(xs) * 1.04
    ylo, yhi = min(ys) - 0.05, max(ys) + 0.05
    px = lambda x: x0 + PAD_L + (W - PAD_L - PAD_R) * x / xmax
    py = lambda y: PAD_T + (H - PAD_T - PAD_B) * (yhi - y) / (yhi - ylo)
    out = [f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<rect x="{px(0)}" y="{PAD_T}" width="{px(xmax) - px(0)}" height="{H - PAD_T - PAD_B}" fill="none" stroke="#444"/>',
           f'<line x1="{px(TRAIN_LEN)}" y1="{PAD_T}" x2="{px(TRAIN_LEN)}" y2="{H - PAD_B}" stroke="#888" stroke-dasharray="4 3"/>',
           f'<text x="{px(TRAIN_LEN) + 4}" y="{PAD_T + 12}" font-size="10" fill="#555">training length</text>']
    for k in range(0, int(xmax) + 1, 512):
        out.append(f'<text x="{px(k)}" y="{H - PAD_B + 14}" text-anchor="middle" font-size="10">{k}</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 10}" text-anchor="middle" font-size="11">token position</text>')
    steps = 5
    for i in range(steps + 1):
        y = ylo + (yhi - ylo) * i / steps
        out.append(f'<text x="{px(0) - 4}" y="{py(y) + 3}" text-anchor="end" font-size="10">{y:.2f}</text>')
    out.append(f'<text x="{x0 + 14}" y="{H / 2}" font-size="11" transform="rotate(-90 {x0 + 14} {H / 2})" '
               f'text-anchor="middle">cross-entropy (nats)</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = COLOURS.get(name, "#000")
        d = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        out.append(f'<line x1="{px(xmax) - 120}" y1="{PAD_T + 14 + 14 * i}" x2="{px(xmax) - 100}" '
                   f'y2="{PAD_T + 14 + 14 * i}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{px(xmax) - 96}" y="{PAD_T + 18 + 14 * i}" font-size="10">{name}</text>')
    return "\n".join(out)


def main():
    out_path, panels = sys.argv[1], [a.split(":", 1) for a in sys.argv[2:]]
    body = [panel(i * W, title, prefix) for i, (title, prefix) in enumerate(panels)]
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W * len(panels)}" height="{H}" font-family="sans-serif">\n'
           f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
    tmp = out_path + ".tmp"
    open(tmp, "w").write(svg)
    os.replace(tmp, out_path)


main()
