#!/usr/bin/env python3
"""The HTML report of the bundled ledger: valid HTML5, self-contained, rendered by headless
Chromium without console messages at laptop and phone widths and printed to PDF.

usage: report_html.py CLI SOURCE_DIR ARTEFACT_DIR
The report, its screenshots (laptop.png, phone.png) and report.pdf stay in ARTEFACT_DIR.
Exits 77 (ctest's skip) with a message saying so when Chromium is not installed.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import html5lib

SKIP = 77


def fail(message):
    sys.exit(f"FAIL: {message}")


def check_self_contained(path, text):
    """No element or style may fetch anything: every reference is a fragment or a data: URL."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    document = parser.parse(text)
    if parser.errors:
        fail(f"{path}: not valid HTML5:\n" + "\n".join(
            f"  line {line}, column {column}: {code} {data or ''}" for (line, column), code, data in parser.errors))
    for element in document.iter():
        tag = element.tag.split("}")[-1] if isinstance(element.tag, str) else ""
        if tag in ("link", "iframe", "object", "embed", "img", "video", "audio", "source"):
            fail(f"{path}: <{tag}> would load an external resource")
        if tag == "script":
            fail(f"{path}: the report needs no script, found one")
        for name, value in element.attrib.items():
            local = name.split("}")[-1]
            if local in ("src", "href", "action", "srcset") and not value.startswith(("#", "data:")):
                fail(f"{path}: <{tag} {local}=\"{value}\"> refers to an external resource")
        if tag == "style" and re.search(r"@import|url\((?!\s*['\"]?(data:|#))", element.text or ""):
            fail(f"{path}: the style sheet refers to an external resource")
    if sum(1 for e in document.iter() if isinstance(e.tag, str) and e.tag.endswith("}svg")) < 5:
        fail(f"{path}: expected the charts as inline SVG")


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG")
    return struct.unpack(">II", head[16:24])


def chromium(browser, profile, url, *args):
    """Runs headless Chromium on url; returns the console messages of the page."""
    run = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args, url],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail(f"chromium {' '.join(args)} exited {run.returncode}:\n{run.stderr[-2000:]}")
    return [line for line in run.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: report_html.py CLI SOURCE_DIR ARTEFACT_DIR")
    cli, source_dir, artefacts = sys.argv[1:]
    os.makedirs(artefacts, exist_ok=True)
    ledger = os.path.join(source_dir, "examples", "ledger.csv")
    reports = {}
    for lang in ("en", "fr"):
        path = os.path.join(artefacts, f"report-{lang}.html")
        subprocess.run([cli, "report", "--events", ledger, "--lang", lang, "--quiet", "--output", path], check=True)
        with open(path, encoding="utf-8") as f:
            check_self_contained(path, f.read())
        reports[lang] = path
    print(f"valid, self-contained HTML5: {', '.join(reports.values())}")

    browser = shutil.which("chromium")
    if browser is None:
        print("SKIPPED: chromium is not installed, so the report was not rendered "
              "(bash cmake/install-deps.sh installs it)")
        sys.exit(SKIP)
    with tempfile.TemporaryDirectory() as profile:
        # The console is read from Chromium's log: first make sure a page's messages do show there.
        probe = os.path.join(profile, "probe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write("<!doctype html><title>probe</title><script>console.error('probe-message')</script>")
        if not any("probe-message" in line for line in chromium(browser, profile, "file://" + probe, "--dump-dom")):
            fail("this Chromium does not log console messages on stderr; the check would be blind")

        url = "file://" + os.path.abspath(reports["en"])
        for name, width, height in (("laptop", 1280, 2400), ("phone", 390, 3200)):
            shot = os.path.join(artefacts, f"{name}.png")
            if os.path.exists(shot):
                os.remove(shot)
            messages = chromium(browser, profile, url, f"--screenshot={shot}", f"--window-size={width},{height}",
                                "--hide-scrollbars")
            if messages:
                fail(f"console messages rendering the report at {width}px:\n" + "\n".join(messages))
            if png_size(shot) != (width, height):
                fail(f"{shot}: {png_size(shot)}, expected {width}x{height}")
            print(f"rendered at {width}x{height} without console messages: {shot}")
        pdf = os.path.join(artefacts, "report.pdf")
        messages = chromium(browser, profile, url, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
        with open(pdf, "rb") as f:
            data = f.read()
        if messages or not data.startswith(b"%PDF") or len(re.findall(rb"/Type\s*/Page[^s]", data)) < 2:
            fail(f"{pdf}: printing the report failed or gave a single page; console: {messages}")
        print(f"printed without console messages: {pdf}")
        for lang in ("fr",):
            if chromium(browser, profile, "file://" + os.path.abspath(reports[lang]), "--dump-dom"):
                fail(f"console messages rendering {reports[lang]}")


if __name__ == "__main__":
    main()
