"""The reports as a reader sees them, in a real browser: headless Chromium (Debian's `chromium`
package; `.ci/run` installs it when missing) opens the `report` command's HTML and a notebook's
HTML report from file://, driven over the DevTools protocol. Checked: nothing is fetched from
the network, the title, figures (loaded, drawn in the package's colours) and tables are on the
page and painted in a screenshot, and the "show code" box shows the code.

Why a browser: a string search cannot tell whether an image decodes, whether CSS hides what it
should, or whether the page asks for a script from a CDN; only a browser rendering the file can.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed: these tests open the HTML reports in a real browser "
                "(install Debian's package: apt-get install chromium; .ci/run does this when it can)")


class Browser:
    """A headless Chromium and one page, spoken to over the DevTools protocol (websocket)."""

    def __init__(self, profile: Path):
        import websocket          # websocket-client, a dependency of jupyter_server

        self.proc = subprocess.Popen([_chromium(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        port, end = None, time.monotonic() + 60
        while port is None and time.monotonic() < end:
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
            elif not line and self.proc.poll() is not None:
                break
        if port is None:
            self.close()
            raise AssertionError("Chromium did not start its DevTools endpoint")
        pages = []
        while not pages and time.monotonic() < end:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [p for p in json.load(r) if p["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.next_id, self.events = 0, []

    def send(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, seconds: float = 60) -> dict:
        end = time.monotonic() + seconds
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while time.monotonic() < end:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            self.events.append(msg)
        raise AssertionError(f"no {method} within {seconds} s")

    def open(self, path: Path, width: int = 1200, height: int = 900) -> None:
        self.events.clear()
        self.send("Network.enable")
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        self.send("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, script: str):
        result = self.send("Runtime.evaluate", expression=script, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value")

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self):
        from PIL import Image

        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)            # the process group this test started
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)


# what the page shows, with where it is (CSS pixels of the whole page)
LAYOUT = """(() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; };
  const visible = el => el.offsetParent !== null && el.getBoundingClientRect().height > 0;
  return {
    title: document.title,
    h1: [...document.querySelectorAll('h1')].filter(visible).map(h => ({text: h.innerText.trim(), box: box(h)})),
    images: [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth,
                                            alt: i.alt, visible: visible(i), box: box(i)})),
    tables: [...document.querySelectorAll('table')].filter(visible).map(t => ({rows: t.rows.length, box: box(t),
                                                                              text: t.innerText.slice(0, 400)})),
    code: [...document.querySelectorAll('.jp-CodeCell .jp-Cell-inputWrapper')].filter(visible).length,
    codeCells: document.querySelectorAll('.jp-CodeCell .jp-Cell-inputWrapper').length,
    height: document.documentElement.scrollHeight,
  };
})()"""


def _painted(img, box, scale: float = 1.0) -> float:
    """Share of pixels in a box of the screenshot that are not (near) white."""
    import numpy as np

    x0, y0 = int(box["x"] * scale), int(box["y"] * scale)
    x1, y1 = int((box["x"] + box["w"]) * scale), int((box["y"] + box["h"]) * scale)
    a = np.asarray(img.crop((x0, y0, x1, y1)), dtype=int)
    return float((a.min(axis=2) < 235).mean()) if a.size else 0.0


def _has_colour(img, box, hex_colour: str, tol: int = 40) -> bool:
    import numpy as np

    target = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    a = np.asarray(img.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["w"]), int(box["y"] + box["h"]))),
                   dtype=int)
    return bool((np.abs(a - target).max(axis=2) < tol).sum() > 50)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    _chromium()
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def command_report(tmp_path_factory, prices_dir):
    out = tmp_path_factory.mktemp("report")
    events = tmp_path_factory.mktemp("events") / "events.csv"        # not in the output folder
    events.write_text("event_id,ticker,market,event_date\nxiaomi,1810.HK,^HSI,2021-03-26\n"
                      "gwm_h,2333.HK,^HSI,2021-03-26\ngwm_a,601633.SS,000001.SS,2021-03-26\n")
    env = {**os.environ, "ANALYSIS_OFFLINE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "analysis", "report", "--events", str(events), "--out", str(out),
                           "--prices-dir", str(prices_dir), "--title", "Xiaomi and Great Wall, 26 March 2021"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out / "report.html"


def _check_page(browser, page, *, title: str, n_images: int, min_tables: int):
    layout = browser.evaluate(LAYOUT)
    assert layout["title"] == title
    assert layout["h1"] and layout["h1"][0]["text"] == title
    external = [u for u in browser.requested() if not u.startswith(("file:", "data:", "about:"))]
    assert external == [], f"the page fetched from the network: {external[:3]}"
    images = [i for i in layout["images"] if i["visible"]]
    assert len(images) == n_images and all(i["ok"] and i["w"] > 500 for i in images), layout["images"]
    assert len(layout["tables"]) >= min_tables
    shot = browser.screenshot()
    assert shot.size[1] >= min(layout["height"], 16000) - 2            # the whole page
    assert _painted(shot, layout["h1"][0]["box"]) > 0.02                # the title is drawn
    from analysis.figures import plotting

    for img in images:
        assert _painted(shot, img["box"]) > 0.05                        # the figure is drawn ...
        assert _has_colour(shot, img["box"], plotting.STOCK)            # ... in the package's colours
    for table in layout["tables"][:3]:
        assert table["rows"] >= 2 and _painted(shot, table["box"]) > 0.01
    return layout, shot


@pytest.mark.slow
def test_command_report_in_a_browser(browser, command_report):
    browser.open(command_report)
    layout, _ = _check_page(browser, command_report, title="Xiaomi and Great Wall, 26 March 2021",
                            n_images=4, min_tables=5)                   # AAR/CAAR + 3 studies
    text = " ".join(t["text"] for t in layout["tables"])
    assert "1810.HK" in text and "csect_t" in text
    assert "/work/" not in text and str(ROOT) not in text


@pytest.mark.slow
def test_notebook_report_in_a_browser(browser, tmp_path):
    from analysis.figures.notebook import export_html

    html = export_html(ROOT / "notebooks" / "01-xiaomi-great-wall-ev.ipynb", tmp_path / "01.html")
    browser.open(html)
    title = 'Xiaomi and Great Wall Motor, 26 March 2021: what the "9% jump" really was'
    layout, shot = _check_page(browser, html, title=title, n_images=5, min_tables=6)
    settings = layout["tables"][0]["text"]
    assert "estimation_window" in settings and "[-260, -11]" in settings
    assert layout["code"] == 0 and layout["codeCells"] > 10            # code hidden ...
    browser.evaluate("document.getElementById('analysis-show-code').click()")
    shown = browser.evaluate(LAYOUT)
    assert shown["code"] == shown["codeCells"]                          # ... and shown on a tick
    assert shown["height"] > layout["height"]
    shot.save(tmp_path / "notebook-report.png")
