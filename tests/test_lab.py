"""`make lab` as a person uses it: JupyterLab started on localhost by the Makefile (as root here,
with --allow-root; a user's run has no such flag), rooted at the repository, a notebook opened
through the server's REST API and executed cell by cell in its kernel over the kernel websocket:
its figures come back, matplotlib's inline backend works although the Makefile exports
MPLBACKEND=Agg, the controls of notebook 02 rerun the study, and no kernel warns that it runs
over TCP without encryption (CurveZMQ)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server started with `make lab` in its own process group."""

    def __init__(self, tmp: Path, env_extra=None, user: str | None = None):
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.log = tmp / "lab.log"
        args = (f"--no-browser --ServerApp.port={self.port} --ServerApp.port_retries=0 "
                f"--ServerApp.ip=127.0.0.1 --IdentityProvider.token={self.token} "
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
        env = {**os.environ, "MPLBACKEND": "Agg", "ANALYSIS_OFFLINE": "1",
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), **(env_extra or {})}
        cmd = ["make", "-s", "lab", f"LAB_ARGS={args}"]
        if user:
            cmd = ["runuser", "-u", user, "--", "env", f"HOME={tmp}", *cmd]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}{path}{sep}token={self.token}"

    def call(self, path: str, method: str = "GET", body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return json.loads(text) if text and r.headers.get_content_type() == "application/json" else text

    def wait(self, seconds: float = 120) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"make lab exited ({self.proc.returncode}): {self.log.read_text()[-2000:]}")
            try:
                self.call("/api/status")
                return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"JupyterLab did not answer: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)          # the group this test started
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


class Kernel:
    """The kernel websocket of a session: execute code, collect what comes back."""

    def __init__(self, lab: Lab, kernel_id: str):
        import websocket          # websocket-client, a dependency of jupyter_server

        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels?token={lab.token}", timeout=300)

    def execute(self, code: str) -> list[dict]:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": self.session, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        outputs, idle, replied = [], False, False
        while not (idle and replied):
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
            elif kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append({"type": kind, **msg["content"]})
        return outputs

    def close(self) -> None:
        self.ws.close()


def _errors(outputs):
    return [f"{o['ename']}: {o['evalue']}" for o in outputs if o["type"] == "error"]


@pytest.fixture
def lab(tmp_path):
    server = Lab(tmp_path)
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_make_lab_opens_a_notebook_and_runs_it_in_its_kernel(lab, tmp_path):
    root = {item["name"] for item in lab.call("/api/contents")["content"]}
    assert {"notebooks", "reports", "figures", "analysis"} <= root          # the repository root
    assert "JupyterLab" in lab.call("/lab")
    path = "notebooks/02-new-ticker.ipynb"
    model = lab.call(f"/api/contents/{path}?content=1")
    nb = nbformat.from_dict(model["content"])
    session = lab.call("/api/sessions", "POST", {"path": path, "type": "notebook", "name": "02-new-ticker.ipynb",
                                                 "kernel": {"name": "python3"}})
    kernel = Kernel(lab, session["kernel"]["id"])
    try:
        figures, images, stderr = tmp_path / "figures", 0, []
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            outputs = kernel.execute(cell.source)
            assert not _errors(outputs), (cell.source[:80], _errors(outputs))
            if "parameters" in cell.metadata.get("tags", []):          # as papermill would inject
                kernel.execute(f"figures_dir = {str(figures)!r}")
            images += sum("image/png" in o.get("data", {}) for o in outputs)
            stderr += [o["text"] for o in outputs if o["type"] == "stream" and o["name"] == "stderr"]
            if "StudyControls" in cell.source:
                views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
                assert views, "the controls are not shown as widgets"
        assert images == 2 and not stderr                               # the study and estimation figures
        assert (figures / "study.png").is_file() and (figures / "estimation.png").is_file()
        # the inline backend although `make` exports MPLBACKEND=Agg
        out = kernel.execute("import matplotlib, matplotlib.pyplot as plt\nprint(matplotlib.get_backend())\n"
                             "plt.plot([0, 1], [1, 0]); plt.show()")
        assert "inline" in "".join(o.get("text", "") for o in out)
        assert any("image/png" in o.get("data", {}) for o in out)
        # the controls rerun the study through the pipeline and redraw in place
        out = kernel.execute('controls.ticker.value = "2333.HK"\ncontrols.run.click()\n'
                             "print(controls.study.result.event_ids, len(controls.output.outputs),\n"
                             "      controls.output.outputs[1]['data']['text/html'].count('2333.HK') > 0)")
        assert not _errors(out) and "['2333.HK_2021-03-26'] 2 True" in "".join(o.get("text", "") for o in out)
    finally:
        kernel.close()
        lab.call(f"/api/sessions/{session['id']}", "DELETE")
    log = lab.log.read_text()
    assert "over TCP" not in log and "Running as root is not recommended" not in log.split("\n")[-1]


def test_make_lab_asks_for_allow_root_only_as_root(tmp_path):
    """The flag follows `id -u` (a fake `id` stands in for a user's and for root's)."""
    for uid, expect in (("1000", False), ("0", True)):
        bin_dir = tmp_path / f"bin{uid}"
        bin_dir.mkdir()
        fake = bin_dir / "id"
        fake.write_text(f"#!/bin/sh\necho {uid}\n")
        fake.chmod(0o755)
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
        dry = subprocess.run(["make", "-s", "-n", "lab"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60)
        assert dry.returncode == 0, dry.stderr
        assert ("--allow-root" in dry.stdout) is expect, dry.stdout
        assert "env -u MPLBACKEND" in dry.stdout and f'--ServerApp.root_dir="{ROOT}"' in dry.stdout
        assert "--KernelManager.transport_encryption=auto" in dry.stdout        # pyzmq has CurveZMQ
