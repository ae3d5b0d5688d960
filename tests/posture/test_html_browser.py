"""The posture page rendered by a real headless Chromium (Debian's ``chromium``; ``make test`` installs it).

The page of a real three-release trend (tests/posture/conftest.py) is screenshotted at a
device scale of 1 and its pixels read with Pillow: the page is not blank; every summary bar
(a #2b6cb0 fill inside a #6b46c1 frame) is as wide as its percentage of the frame; every
trend point (#d9480f) of every property's chart (a #6b46c1 frame FRAME_PAD px around the
plot) lies at its release's share of the plot's height, left to right in release order. The DOM Chromium
builds (``--dump-dom``) holds the text: properties, counts, release names.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from PIL import Image

from pyprov.posture.html import FRAME_PAD

BAR, FRAME, POINT = (0x2B, 0x6C, 0xB0), (0x6B, 0x46, 0xC1), (0xD9, 0x48, 0x0F)
WIDTH, HEIGHT = 1400, 2800
Box = tuple[int, int, int, int]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "Chromium is not installed and could not be installed here (make test installs Debian's "
            "chromium with apt-get as root or with sudo)"
        )
    return found


def _browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",  # the tests may run as root, where Chromium's own sandbox refuses to start
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    return done


def _pixels(image: Image.Image, colour: tuple[int, int, int]) -> set[tuple[int, int]]:
    """Every pixel of exactly ``colour`` (a byte search over the RGB buffer)."""
    data, pattern = image.tobytes(), bytes(colour)
    width = image.size[0]
    return {
        divmod(match.start() // 3, width)[::-1]
        for match in re.finditer(re.escape(pattern), data)
        if match.start() % 3 == 0
    }


def _components(points: set[tuple[int, int]]) -> list[Box]:
    """Bounding boxes (x0, y0, x1, y1) of the 8-connected components, top to bottom."""
    boxes, left = [], set(points)
    while left:
        stack = [left.pop()]
        xs, ys = [], []
        while stack:
            x, y = stack.pop()
            xs.append(x)
            ys.append(y)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if (x + dx, y + dy) in left:
                        left.remove((x + dx, y + dy))
                        stack.append((x + dx, y + dy))
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return sorted(boxes, key=lambda box: (box[1], box[0]))


def _merged(boxes: list[Box], gap: int) -> list[Box]:
    """Boxes closer than ``gap`` joined: a frame that points drawn over it cut into pieces."""
    merged: list[Box] = []
    for box in boxes:
        for index, other in enumerate(merged):
            if (
                box[0] <= other[2] + gap
                and other[0] <= box[2] + gap
                and box[1] <= other[3] + gap
                and other[1] <= box[3] + gap
            ):
                merged[index] = (
                    min(box[0], other[0]),
                    min(box[1], other[1]),
                    max(box[2], other[2]),
                    max(box[3], other[3]),
                )
                break
        else:
            merged.append(box)
    return merged if len(merged) == len(boxes) else _merged(merged, gap)


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _inside(boxes: Iterable[Box], frame: Box, margin: int) -> list[Box]:
    x0, y0, x1, y1 = frame
    return [
        box
        for box in boxes
        if x0 - margin <= _centre(box)[0] <= x1 + margin and y0 - margin <= _centre(box)[1] <= y1 + margin
    ]


def test_the_trend_page_renders_bars_and_lines_proportional_to_the_counts(
    three_releases: tuple[list[Path], str], posture: Callable[..., Result], tmp_path: Path
) -> None:
    dists, trust = three_releases
    page = tmp_path / "posture.html"
    result = posture(*dists, "--trust-config", trust, "--json", "--html", page)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    properties = list(report["summary"])
    screenshot = tmp_path / "posture.png"

    _browse(page, tmp_path / "profile", f"--screenshot={screenshot}")
    dom = _browse(page, tmp_path / "profile", "--dump-dom").stdout

    image = Image.open(screenshot).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    white = sum(image.convert("L").histogram()[251:])
    assert white < 0.97 * WIDTH * HEIGHT, "the page is (nearly) blank"

    frames = sorted(_merged(_components(_pixels(image, FRAME)), gap=12), key=lambda box: (box[1], box[0]))
    bars = [box for box in frames if box[3] - box[1] < 30]  # 1em tall
    plots = [box for box in frames if box[3] - box[1] > 60]  # 80 px tall
    assert len(bars) == len(properties), repr(frames)
    assert len(plots) == len(properties)
    fills = _pixels(image, BAR)
    for box, name in zip(bars, properties, strict=True):
        count = report["summary"][name]
        share = count["have"] / count["checked"] if count["checked"] else 0
        row = (box[1] + box[3]) // 2
        filled = sum(1 for x in range(box[0] + 1, box[2]) if (x, row) in fills)
        inner = box[2] - box[0] - 1
        assert abs(filled - inner * share) <= 2, f"{name}: {filled} of {inner} px for {share:.0%}"

    points = _components(_pixels(image, POINT))
    releases = report["releases"]
    for plot, name in zip(plots, properties, strict=True):
        counts = [release["summary"][name] for release in releases]
        expected = [(index, c["have"] / c["checked"]) for index, c in enumerate(counts) if c["checked"]]
        found = sorted(_centre(box) for box in _inside(points, plot, margin=0))
        assert len(found) == len(expected), f"{name}: {found}"
        # The plot is the frame's inside, FRAME_PAD px from it.
        left, top, right, bottom = (
            plot[0] + FRAME_PAD,
            plot[1] + FRAME_PAD,
            plot[2] - FRAME_PAD,
            plot[3] - FRAME_PAD,
        )
        step = (right - left) / (len(releases) - 1)
        for (x, y), (index, share) in zip(found, expected, strict=True):
            assert abs(x - (left + index * step)) <= 2, f"{name}: point {index} at x {x}"
            height = (bottom - y) / (bottom - top)
            assert abs(height - share) <= 0.03, f"{name}: point {index} at {height:.2f}, not {share:.2f}"

    text = re.sub(r"<[^>]+>", " ", dom)
    for name in properties:
        assert name in text
    assert "Trend over 3 releases" in text
    for release in ("1.0.0", "1.1.0", "1.2.0"):
        assert release in text
    assert re.search(r"signed\s+0/2\s+2/2\s+2/2", text)
    assert "✓ yes" in text
    assert "<script" not in dom
