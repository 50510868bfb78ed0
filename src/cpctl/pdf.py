"""PDF printed from cpctl's self-contained HTML by Chromium's own `--print-to-pdf`, run as a subprocess.

Chromium (131 and later) lays out CSS `@page` rules with margin boxes, so the page numbers and the header come
from the document's own stylesheet; cpctl adds no Python dependency for PDF. The HTML is written to a private
temporary folder (it is special category data) with a fresh browser profile, and both are removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
    """Print a self-contained HTML document to PDF (A4, as its @page rules say) and return the PDF's bytes."""
    browser = browser or find_chromium()
    with tempfile.TemporaryDirectory(prefix="cpctl-pdf-") as work:
        folder = Path(work)
        page = folder / "document.html"
        output = folder / "document.pdf"
        page.write_text(html, encoding="utf-8")
        os.chmod(page, 0o600)
        profile = folder / "profile"
        try:
            done = subprocess.run(
                command(browser, page, output, profile),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"Chromium ({browser}) did not finish printing the PDF within {TIMEOUT_SECONDS} s; "
                "try again, or export --format html and print that."
            ) from None
        except OSError as exc:
            raise PdfError(f"cannot run Chromium ({browser}): {exc.strerror or exc}; {INSTALL_HINT}") from None
        if done.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
            raise PdfError(
                f"Chromium ({browser}) could not print the PDF (exit code {done.returncode}); if it cannot "
                f"start its sandbox, set {NO_SANDBOX_ENV}=1, or export --format html and print that."
            )
        return output.read_bytes()
