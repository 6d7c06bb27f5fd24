"""The report in a real browser (Debian's headless Chromium): it loads without script errors, its charts are
there, it is no wider than a 1,280 px window, and its A4 PDF holds every column header of every table."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from test_report_sections import _known_database, parse

from jobs.commands.run import run_nightly
from jobs.config import load_settings

from conftest import Database

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
PDFTOTEXT = shutil.which("pdftotext")
ON = date(2025, 3, 18)

# Written into a copy of the page: records script errors and the page's width, for --dump-dom to read back.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
window.addEventListener("load", function () {
  var imgs = Array.prototype.filter.call(document.images, function (i) { return i.complete && i.naturalWidth > 0; });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = "scrollWidth=" + document.documentElement.scrollWidth + " innerWidth=" + window.innerWidth +
    " charts=" + imgs.length + " errors=" + window.__errors.length;
  document.body.appendChild(out);
});
</script>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (.ci/run installs `chromium`)"
)
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (.ci/run installs `poppler-utils`)")
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_report_in_headless_chromium_fits_the_window_and_prints_every_column(
    database: Database, tmp_path: Path
) -> None:
    _known_database(database)
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{database.url}"\n[report]\nout_dir = "reports"\n', encoding="utf-8")
    run_nightly(load_settings(path, {}), ON)
    report = tmp_path / "reports" / ON.isoformat() / "report.html"
    html = report.read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</head>", PROBE + "</head>", 1), encoding="utf-8")

    dom = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    found = re.search(r"scrollWidth=(\d+) innerWidth=(\d+) charts=(\d+) errors=(\d+)", dom.stdout)
    assert found, dom.stderr[-2000:]
    scroll, inner, charts, errors = map(int, found.groups())
    assert errors == 0
    assert charts == 2
    assert scroll <= inner <= 1280

    pdf = tmp_path / "report.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    assert pdf.exists(), "Chromium wrote no PDF"
    text = subprocess.run(
        [str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    words = set(flat.split())
    headers = {h for row in parse(html).headers.values() for h in row if h}
    assert headers
    missing = [h for h in headers if not set(h.split()) <= words and h not in flat]
    assert missing == []
