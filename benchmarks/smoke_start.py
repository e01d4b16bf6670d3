"""Start the app as a newcomer would (``python app.py``, the embedded defaults) and time it until the page answers.

Used by CI's Python 3.12 leg and by hand; exits non-zero when the page does not answer in time.

    python benchmarks/smoke_start.py [--timeout 600] [-- extra app.py arguments]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("app_args", nargs="*", help="extra arguments for app.py (after --)")
    args = parser.parse_args(argv)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(tempfile.mkdtemp(prefix="smoke-start-")) / "app.log"
    command = [sys.executable, str(REPO / "app.py"), "--host", "127.0.0.1", "--port", str(port), *args.app_args]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        while time.monotonic() - started < args.timeout and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200 and b"moviattn" in response.read():
                        print(f"app answered HTTP 200 after {time.monotonic() - started:.0f} s ({sys.version.split()[0]})")
                        return 0
            except OSError:
                pass
            time.sleep(2)
        print(f"the app did not answer within {args.timeout:.0f} s; its log ends:", file=sys.stderr)
        print("\n".join(log.read_text(errors="replace").splitlines()[-20:]), file=sys.stderr)
        return 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
