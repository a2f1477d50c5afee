"""Screenshots of rendered pages of the built book, with headless Chromium (no network).

    python scripts/screenshots.py                      # the README's screenshot: book/images/intro_page.png
    python scripts/screenshots.py notebooks/00_first_spikes --out /tmp/nb.png --height 6000

Build the book first (``bash scripts/build_book.sh`` or ``jupyter-book build .``). The page is
loaded from ``_build/html`` as a file, MathJax and the figures included; Chromium's virtual time
budget lets MathJax typeset before the picture is taken. The PNG is written atomically
(``snnlib._io``: a temporary name, then one rename).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from snnlib._io import atomic_write

HTML = ROOT / "_build" / "html"
DEFAULT_PAGE = "book/intro"
DEFAULT_OUT = ROOT / "book" / "images" / "intro_page.png"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no Chromium found: install Debian's `chromium` (apt-get install chromium)")


def screenshot(page: str, out: Path, width: int = 1280, height: int = 1500, html: Path = HTML, wait_ms: int = 8000) -> Path:
    """Render ``html/<page>.html`` to the PNG ``out`` (``width`` x ``height`` CSS pixels)."""
    src = html / (page + ".html")
    if not src.is_file():
        raise SystemExit(f"{src} does not exist: build the book first (bash scripts/build_book.sh)")
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_png = Path(tmp) / "shot.png"
        cmd = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={wait_ms}",
            f"--screenshot={tmp_png}",
            src.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not tmp_png.exists():
            raise SystemExit(f"chromium failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")

        def write(fh):
            with open(tmp_png, "rb") as src_fh:
                shutil.copyfileobj(src_fh, fh)

        atomic_write(out, write)
    return out


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", nargs="?", default=DEFAULT_PAGE, help="page of the book, e.g. book/intro")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG to write")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--html", type=Path, default=HTML, help="the built book's HTML folder")
    args = parser.parse_args(argv)
    out = screenshot(args.page, args.out, args.width, args.height, args.html)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
