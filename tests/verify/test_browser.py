"""THE BROWSER TEST: a certificate's QR, read at 203 dpi, opened in headless Chromium against
`kiosk verify-server`, says genuine; the same address with one figure changed does not."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from printing.document_claims import claim_from_url
from tests.verify.conftest import Installation

pytestmark = pytest.mark.integration
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "verify"


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if not CHROMEDRIVER.exists() or shutil.which("chromium") is None:
        pytest.fail("chromium and chromium-driver missing: run scripts/setup.sh")
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=430,1400"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "chromium"
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _qr_of(pdf: Path, folder: Path) -> str:
    subprocess.run(
        ["pdftoppm", "-r", "203", "-mono", "-png", "-singlefile", str(pdf), str(folder / "page")],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", str(folder / "page.png")], capture_output=True, check=False
    )
    lines = [line for line in found.stdout.decode().splitlines() if line]
    assert len(lines) == 1, found.stderr.decode()
    return lines[0]


def test_a_printed_certificate_reads_genuine_in_a_browser_and_a_changed_figure_does_not(
    server: Installation, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    pdf = tmp_path / "certificate.pdf"
    made = server.kiosk(
        "certificate", "--card-number", "B32010002", "--out", str(pdf), "--language", "en"
    )
    assert made.returncode == 0, made.stderr
    url = _qr_of(pdf, tmp_path)
    assert url.startswith(server.base_url + "/c/")
    months = claim_from_url(url).value("mt")
    assert int(months) > 100  # an employee since 2012 (the demo store's 王喆)

    browser.get(url + "&lang=en")
    verdict = browser.find_element(By.CSS_SELECTOR, ".verdict")
    assert "genuine" in verdict.get_attribute("class").split()
    assert verdict.text.startswith("Genuine")
    page = browser.find_element(By.TAG_NAME, "main").text
    for shown in ("王*", "Employee basic medical insurance", "100%-200% of the average wage",
                  "clinic-kiosk-03", f"{months} months"):  # fmt: skip
        assert shown in page
    assert "王喆" not in browser.page_source  # only what the slip shows: the masked name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "certificate-genuine-en.png"))

    browser.get(url)  # no lang: Chromium's Accept-Language (en-US) or the toggle decide
    browser.find_element(By.LINK_TEXT, "中文").click()
    assert browser.find_element(By.CSS_SELECTOR, ".verdict").text.startswith("真实有效")
    browser.save_screenshot(str(SCREENSHOTS / "certificate-genuine-zh.png"))

    tampered = url.replace(f"&mt={months}&", f"&mt={int(months) + 1}&")
    assert tampered != url
    browser.get(tampered + "&lang=en")
    verdict = browser.find_element(By.CSS_SELECTOR, ".verdict")
    assert "not-genuine" in verdict.get_attribute("class").split()
    assert verdict.text.startswith("Not genuine")
    shown = browser.find_element(By.TAG_NAME, "main").text
    assert str(int(months) + 1) not in shown  # an altered claim is never echoed
    browser.save_screenshot(str(SCREENSHOTS / "certificate-altered-en.png"))
