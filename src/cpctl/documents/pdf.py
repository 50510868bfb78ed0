"""PDF printed from cpctl's self-contained HTML by Chromium's own `--print-to-pdf`, run as a subprocess.

Chromium (131 and later) lays out CSS `@page` rules with margin boxes, so the page numbers and the header come
from the document's own stylesheet; cpctl adds no Python dependency for PDF. The HTML is written to the run's
private scratch folder (it is special category data) with a fresh browser profile, and both are removed afterwards;
Chromium is started so that it dies with cpctl (`_print`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from cpctl.errors import CpctlError

CHROMIUM_ENV = "CPCTL_CHROMIUM"
NO_SANDBOX_ENV = "CPCTL_CHROMIUM_NO_SANDBOX"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`; "
    f"macOS: `brew install --cask chromium`) or set {CHROMIUM_ENV} to the browser's path; "
    "or export --format html and print that from a browser."
)
# Flags for printing one local, script-free page: no network, no first-run UI, no profile left behind.
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--no-pdf-header-footer",
)


class PdfError(CpctlError):
    """A PDF cannot be printed (no Chromium, or Chromium failed)."""


def find_chromium() -> Path:
    """The browser to print with: $CPCTL_CHROMIUM, or the first of CANDIDATES on the PATH."""
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            raise PdfError(f"{CHROMIUM_ENV} names {chosen!r}, which is not a program that can be run; {INSTALL_HINT}")
        return Path(found)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    raise PdfError(f"a PDF is printed by Chromium, which was not found; {INSTALL_HINT}")


def _needs_no_sandbox() -> bool:
    """Chromium refuses to start its sandbox as root (containers, CI); elsewhere the sandbox stays on."""
    if os.environ.get(NO_SANDBOX_ENV, "") not in ("", "0"):
        return True
    return hasattr(os, "geteuid") and os.geteuid() == 0


def command(browser: Path, page: Path, output: Path, profile: Path) -> list[str]:
    flags = [*FLAGS, *(["--no-sandbox"] if _needs_no_sandbox() else [])]
    return [str(browser), *flags, f"--user-data-dir={profile}", f"--print-to-pdf={output}", page.as_uri()]


def html_to_pdf(html: str, *, browser: Path | None = None) -> bytes:
    """Print a self-contained HTML document to PDF (A4, as its @page rules say) and return the PDF's bytes.

    The HTML, the PDF and the browser's profile live in a folder inside the run's private scratch folder, removed
    on the way out; Chromium runs in a process group of its own that is killed on the way out too, and (on Linux)
    is told to die with cpctl should cpctl be killed outright."""
    import tempfile

    from cpctl import scratch

    browser = browser or find_chromium()
    with tempfile.TemporaryDirectory(prefix="pdf-", dir=scratch.folder(), ignore_cleanup_errors=True) as work:
        folder = Path(work)
        page = folder / "document.html"
        output = folder / "document.pdf"
        page.write_text(html, encoding="utf-8")
        os.chmod(page, 0o600)
        profile = folder / "profile"
        code = _print(browser, command(browser, page, output, profile), folder)
        if code != 0 or not output.is_file() or output.stat().st_size == 0:
            raise PdfError(
                f"Chromium ({browser}) could not print the PDF (exit code {code}); if it cannot "
                f"start its sandbox, set {NO_SANDBOX_ENV}=1, or export --format html and print that."
            )
        return output.read_bytes()


def _print(browser: Path, args: list[str], folder: Path) -> int:
    """Run Chromium to its end; whatever happens (a timeout, Ctrl-C, SIGTERM), none of its processes outlive this.
    Its own temporary files go into `folder` too ($TMPDIR), to be removed with it."""
    from cpctl import interrupts

    process: subprocess.Popen[bytes] | None = None
    try:
        try:
            with interrupts.held():  # a signal now would leave a browser started and no one to stop it
                process = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env={**os.environ, "TMPDIR": str(folder)},
                    start_new_session=True,  # its own process group, so that every process it starts can be stopped
                    preexec_fn=_dies_with(os.getpid()),
                )
        except (OSError, subprocess.SubprocessError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise PdfError(f"cannot run Chromium ({browser}): {reason}; {INSTALL_HINT}") from None
        try:
            _wait_unreaped(process, TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"Chromium ({browser}) did not finish printing the PDF within {TIMEOUT_SECONDS} s; "
                "try again, or export --format html and print that."
            ) from None
    finally:
        if process is not None:
            _stop_group(process)
    assert process is not None  # an exception has left already otherwise
    return process.returncode  # set once _stop_group has reaped it


def _wait_unreaped(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait for the browser to end without reaping it: while it is a zombie, its pid, which names its process
    group, cannot be given to another process, so killing the group afterwards can hit no one else."""
    import time

    if not hasattr(os, "waitid"):
        process.wait(timeout=timeout)
        return
    deadline = time.monotonic() + timeout
    pause = 0.01
    while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(process.args, timeout)
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kill Chromium's whole process group (the browser may have ended, its helpers may not have), then reap it."""
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _dies_with(parent: int) -> Callable[[], None] | None:
    """Run in the child before Chromium starts (Linux): ask the kernel to send it SIGKILL when cpctl dies, so that
    even a cpctl killed outright leaves no browser behind (its own helpers end when it does)."""
    import sys

    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import signal

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    set_death_signal = 1  # PR_SET_PDEATHSIG

    def arrange() -> None:
        prctl(set_death_signal, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # cpctl died before the request took hold
            os.kill(os.getpid(), signal.SIGKILL)

    return arrange
