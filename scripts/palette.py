#!/usr/bin/env python3
"""The tier palette of the map page, and how it was chosen (issue #23).

Five tiers must stay apart for people with any common colour-vision deficiency. For every
pair of tier colours, under normal vision and under simulated protanopia, deuteranopia and
tritanopia (Machado, Oliveira & Fernandes 2009, severity 1, via colorspacious), the CIEDE2000
distance must be at least 12; every colour must have a contrast of at least 3:1 against the
map's background (WCAG 2.1, 1.4.11 non-text contrast). Good tiers are blue, failing tiers
orange to brown (a blue-orange scheme: the pair that all three deficiencies keep apart), and
the failing ones carry a hatching as well, so that pass/fail never rests on colour alone.

    scripts/palette.py check '#08519c' ...   # the figures of a palette (used by the browser test)
    scripts/palette.py search                # the search that chose the page's palette

`check` prints one JSON object: the smallest distance per vision and the contrast of each
colour. The functions are imported by tests/browser/map_page.py.
"""

import itertools
import json
import math
import sys

import numpy as np
from colorspacious import cspace_convert

BACKGROUND = "#f4f6f8"
VISIONS = {
    "normal": None,
    "protanopia": "protanomaly",
    "deuteranopia": "deuteranomaly",
    "tritanopia": "tritanomaly",
}
MIN_DELTA_E = 12.0
MIN_CONTRAST = 3.0


def rgb1(hex_colour):
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) / 255.0 for i in (0, 2, 4)])


def seen(rgb, vision):
    """sRGB (0-1) as a person with this vision sees it (clipped to the gamut)."""
    if VISIONS[vision] is None:
        return rgb
    cvd = {"name": "sRGB1+CVD", "cvd_type": VISIONS[vision], "severity": 100}
    return np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)


def lab(rgb):
    return cspace_convert(rgb, "sRGB1", "CIELab")


def ciede2000(lab1, lab2):
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    C1, C2 = math.hypot(a1, b1), math.hypot(a2, b2)
    Cm = (C1 + C2) / 2
    G = 0.5 * (1 - math.sqrt(Cm ** 7 / (Cm ** 7 + 25 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if C1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if C2p else 0.0
    dLp, dCp = L2 - L1, C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(C1p * C2p) * math.sin(math.radians(dhp / 2))
    Lpm, Cpm = (L1 + L2) / 2, (C1p + C2p) / 2
    if C1p * C2p == 0:
        hpm = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hpm = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hpm = (h1p + h2p + 360) / 2
    else:
        hpm = (h1p + h2p - 360) / 2
    T = (1 - 0.17 * math.cos(math.radians(hpm - 30)) + 0.24 * math.cos(math.radians(2 * hpm))
         + 0.32 * math.cos(math.radians(3 * hpm + 6)) - 0.20 * math.cos(math.radians(4 * hpm - 63)))
    dtheta = 30 * math.exp(-(((hpm - 275) / 25) ** 2))
    Rc = 2 * math.sqrt(Cpm ** 7 / (Cpm ** 7 + 25 ** 7))
    Sl = 1 + 0.015 * (Lpm - 50) ** 2 / math.sqrt(20 + (Lpm - 50) ** 2)
    Sc = 1 + 0.045 * Cpm
    Sh = 1 + 0.015 * Cpm * T
    Rt = -math.sin(math.radians(2 * dtheta)) * Rc
    return math.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2
                     + Rt * (dCp / Sc) * (dHp / Sh))


def luminance(rgb):
    c = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast(rgb_a, rgb_b):
    la, lb = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def figures(colours, background=BACKGROUND):
    """The smallest pairwise CIEDE2000 per vision (with the pair) and each contrast."""
    out = {"min_delta_e": {}, "contrast": {}}
    for vision in VISIONS:
        labs = [lab(seen(rgb1(c), vision)) for c in colours]
        worst = min(((ciede2000(labs[i], labs[j]), colours[i], colours[j])
                     for i, j in itertools.combinations(range(len(colours)), 2)))
        out["min_delta_e"][vision] = {"delta_e": round(worst[0], 2), "pair": [worst[1], worst[2]]}
    bg = rgb1(background)
    out["contrast"] = {c: round(contrast(rgb1(c), bg), 2) for c in colours}
    return out


def search(step=15, seed=7, rounds=4000):
    """Greedy-with-restarts maximin over an sRGB grid: tiers 0-1 blue, 2 purple-grey,
    3-4 orange-brown; every colour at least 3:1 against the background."""
    bg = rgb1(BACKGROUND)
    grid = [np.array(v) / 255.0 for v in itertools.product(range(0, 256, step), repeat=3)]
    grid = [g for g in grid if contrast(g, bg) >= MIN_CONTRAST]
    def lch(g):
        L, a, b = lab(g)
        return math.degrees(math.atan2(b, a)) % 360, L, math.hypot(a, b)

    def group(h0, h1, l0, l1, c0):
        out = []
        for g in grid:
            h, L, C = lch(g)
            if (h0 <= h <= h1 or h0 <= h + 360 <= h1) and l0 <= L <= l1 and C >= c0:
                out.append(g)
        return out

    # (hue range, lightness range, least chroma) per tier: a dark blue, a light blue, a
    # magenta-violet, an orange, a dark brown; none so dark that a name on it is hard to read.
    groups = [
        group(240, 300, 22, 40, 35),
        group(200, 260, 45, 58, 25),
        group(325, 370, 35, 52, 40),
        group(35, 75, 48, 58, 45),
        group(20, 60, 20, 36, 25),
    ]
    seen_labs = {}

    def labs_of(g):
        key = tuple(g)
        if key not in seen_labs:
            seen_labs[key] = [lab(seen(g, v)) for v in VISIONS]
        return seen_labs[key]

    def score(pal):
        ls = [labs_of(g) for g in pal]
        return min(ciede2000(ls[i][v], ls[j][v]) for v in range(len(VISIONS))
                   for i, j in itertools.combinations(range(len(pal)), 2))

    rng = np.random.default_rng(seed)
    best, best_score = None, -1.0
    for _ in range(rounds):
        pal = [g[rng.integers(len(g))] for g in groups]
        s = score(pal)
        for _ in range(3):
            for k in range(5):
                for cand in (groups[k][i] for i in rng.integers(len(groups[k]), size=40)):
                    trial = pal[:k] + [cand] + pal[k + 1:]
                    ts = score(trial)
                    if ts > s:
                        pal, s = trial, ts
        if s > best_score:
            best, best_score = pal, s
    hexes = ["#%02x%02x%02x" % tuple(int(round(x * 255)) for x in g) for g in best]
    return hexes, best_score


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "check":
        print(json.dumps(figures(sys.argv[2:])))
    elif len(sys.argv) >= 2 and sys.argv[1] == "search":
        hexes, s = search()
        print(json.dumps({"palette": hexes, "min_delta_e": round(s, 2), "figures": figures(hexes)}))
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
