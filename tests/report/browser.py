"""Open a report in headless Chromium with no network and read what it rendered.

The page is a copy of the report with a probe added at the top of its head: it
records every error and console error, and after load writes what it saw
(every plot, whether plotly drew its SVG layer in it) into the DOM, which
``--dump-dom`` prints. The host resolver maps every name to nothing, so a page
that needed a CDN would fail to draw.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message)));
const __consoleError = console.error;
console.error = (...a) => { window.__errors.push(a.map(String).join(' ')); __consoleError(...a); };
window.addEventListener('load', () => setTimeout(() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')].map(p => ({
    id: p.id, drawn: p.querySelector('svg.main-svg') !== null,
    traces: p.querySelectorAll('.trace, .hm, .heatmaplayer image').length}));
  const out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify({plots, errors: window.__errors,
    scripts_with_src: document.querySelectorAll('script[src]').length});
  document.body.appendChild(out);
}, 500));
</script>"""


def rendered(report: Path) -> dict[str, Any]:
    assert CHROMIUM, "chromium is not installed (scripts/ensure-browser.sh)"
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "report.html"
        page.write_text(report.read_text().replace("<head>", "<head>" + PROBE, 1))
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={scratch}/profile",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--virtual-time-budget=20000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    start = result.stdout.find('<pre id="__probe">')
    assert start >= 0, f"the probe never ran:\n{result.stderr[-2000:]}"
    end = result.stdout.index("</pre>", start)
    text = result.stdout[start + len('<pre id="__probe">') : end]
    probe: dict[str, Any] = json.loads(
        text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )
    return probe
