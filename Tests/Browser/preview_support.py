"""Starting `flowrun GRAPH --serve` for the preview tests, and small helpers they share."""
import os
import re
import signal
import subprocess
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def flowrun_binary():
    """FLOWRUN, else the debug build scripts/test made."""
    path = os.environ.get("FLOWRUN") or os.path.join(REPO, ".build", "debug", "flowrun")
    if not os.access(path, os.X_OK):
        raise SystemExit(f"preview tests: no flowrun at {path}; build first or set FLOWRUN")
    return path


class ServedRun:
    """A flowrun run with --serve; stderr is collected, the preview URL parsed from it."""

    def __init__(self, *args):
        self.process = subprocess.Popen([flowrun_binary(), *args], cwd=REPO, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.url = None
        ready = threading.Event()

        def read():
            for line in self.process.stderr:
                self.lines.append(line.rstrip("\n"))
                m = re.search(r"preview at (http://\S+)", line)
                if m and not self.url:
                    self.url = m.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(120) or not self.url:
            self.stop()
            raise AssertionError("flowrun printed no preview address:\n" + self.log())
        self.host, self.port = re.match(r"http://([^:/]+):(\d+)/", self.url).groups()
        self.port = int(self.port)

    def log(self):
        return "\n".join(self.lines[-40:])

    def interrupt(self, timeout=120):
        """Ctrl-C, as a user would; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_for(predicate, timeout, what, interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
