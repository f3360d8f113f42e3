"""formcheck never talks to the network: every socket the process tree opens is traced.

``strace -f`` sees native code too (MediaPipe, FFmpeg), which a Python-level socket patch would
miss. MediaPipe 1.2.x does try to reach Google (usage metrics); formcheck's network guard makes
those attempts fail, so an inet socket that was *refused* is fine, one that was *opened* is not.
Unix-domain sockets (the X server in live mode) are local and allowed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")
INET = re.compile(r"socket\((AF_INET|AF_INET6|PF_INET|PF_INET6),[^)]*\) = \d+"
                  r"|connect\(.*sa_family=AF_INET")


def _traced(args: list[str], tmp_path: Path) -> tuple[int, str]:
    log = tmp_path / "strace.log"
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(log),
         sys.executable, "-m", "formcheck", *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, log.read_text() if log.exists() else ""


def test_analyze_opens_no_network_socket(small_video, tmp_path):
    code, log = _traced(["analyze", str(small_video), "--report", str(tmp_path / "r.json"),
                         "--out", str(tmp_path / "a.mp4"), "--quiet"], tmp_path)
    assert code == 0
    assert not INET.search(log), log


def test_track_opens_no_network_socket(small_video, tmp_path):
    code, log = _traced(["track", str(small_video), "--out", str(tmp_path / "t.npz"),
                         "--quiet"], tmp_path)
    assert code == 0
    assert not INET.search(log), log


def test_the_check_would_notice_a_connection(tmp_path):
    """The tracer and pattern really see an inet socket (so the tests above can fail)."""
    log = tmp_path / "strace.log"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(log),
                    sys.executable, "-c",
                    "import socket; s = socket.socket(); s.settimeout(0.2)\n"
                    "try: s.connect(('127.0.0.1', 9))\nexcept OSError: pass"],
                   check=True, timeout=60)
    assert INET.search(log.read_text())


def test_network_guard_refuses_inet_but_not_unix_sockets():
    code = ("import socket\nfrom formcheck.netguard import block_internet_sockets\n"
            "assert block_internet_sockets()\n"
            "socket.socket(socket.AF_UNIX).close()\n"
            "for family in (socket.AF_INET, socket.AF_INET6):\n"
            "    try:\n        socket.socket(family)\n    except PermissionError:\n        pass\n"
            "    else:\n        raise SystemExit('inet socket was allowed')\n"
            "import subprocess, sys\n"
            "child = subprocess.run([sys.executable, '-c', 'import socket; socket.socket()'])\n"
            "assert child.returncode != 0, 'the guard is not inherited'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
