"""The verification service's pages through Starlette's TestClient: the verdicts, both
languages, the 429 and 503 pages, and never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kiosk.store.errors import StoreUnavailable
from kiosk.store.printed_documents import Verdict
from kiosk.verify.app import create_app
from kiosk.verify.limits import RateLimiter
from printing.document_claims import (
    CERTIFICATE,
    FIELDS,
    RECEIPT,
    DocumentClaim,
    Facts,
    document_url,
)

GENUINE = Verdict(True, True, CERTIFICATE, datetime(2026, 11, 24, 10, 31), "kiosk-9", "王*", 2)
FACTS = dict.fromkeys(FIELDS[CERTIFICATE], "") | {
    "s": "kiosk-9-20261124-0001",
    "t": "20261124103100",
    "i": "3201**********1234",
    "ty": "employee",
    "from": "2012-03",
    "st": "contributing",
    "y": "2026",
    "my": "11",
    "mt": "177",
    "b": "middle",
    "u": "南京长青建设集团有限公司",
    "uc": "91320100MA1000003X",
}
CLAIM = DocumentClaim(CERTIFICATE, "ABCDEFGHJKLM", 2, tuple(FACTS.items()))
URL = document_url("http://testserver", CLAIM).removeprefix("http://testserver")


def client_for(verdicts: dict[Facts, Verdict], burst: int = 100) -> TestClient:
    def check(claim: DocumentClaim) -> Verdict:
        if claim.code != CLAIM.code:
            return Verdict(found=False)
        return verdicts.get(claim.facts, Verdict(found=True))  # the code's, facts altered

    return TestClient(create_app(check, RateLimiter(60, burst)), raise_server_exceptions=False)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with client_for({CLAIM.facts: GENUINE}) as made:
        yield made


def test_a_genuine_certificate_shows_what_it_certifies_in_chinese_by_default(
    client: TestClient,
) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    body = page.text
    assert '<meta charset="utf-8">' in body
    assert 'name="viewport"' in body
    for shown in ("真实有效", "王*", "3201**********1234", "职工基本医疗保险", "2012-03",
                  "11个月", "177个月", "社平工资100%–200%", "南京长青建设集团有限公司",
                  "2026-11-24 10:31:00", "kiosk-9", "ABCD-EFGH-JKLM"):  # fmt: skip
        assert shown in body


def test_english_by_accept_language_or_toggle_and_the_toggle_keeps_the_address(
    client: TestClient,
) -> None:
    page = client.get(URL, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Genuine" in page.text
    assert "Employee basic medical insurance" in page.text
    assert "177 months" in page.text
    assert 'href="?k=2&amp;s=kiosk-9-20261124-0001' in page.text  # the toggle, facts kept
    assert "lang=zh" in page.text
    assert "真实有效" in client.get(URL + "&lang=zh", headers={"Accept-Language": "en"}).text


def test_a_changed_figure_or_an_unknown_code_says_not_genuine_and_echoes_nothing(
    client: TestClient,
) -> None:
    altered = client.get(URL.replace("mt=177", "mt=999") + "&lang=en")
    assert altered.status_code == 200
    shown = altered.text.split("<main>")[1]  # (the language toggle keeps the address)
    assert "Not genuine" in shown
    assert "999" not in shown
    assert "王*" not in shown  # who it was printed for: only for the genuine slip
    assert "ABCD-EFGH-JKLM" in shown  # the code, to quote at the counter
    unknown = client.get(URL.replace("ABCDEFGHJKLM", "ZZZZZZZZZZZZ") + "&lang=en")
    assert "no such document" in unknown.text


def test_the_pages_say_no_referrer_no_frames_no_scripts(client: TestClient) -> None:
    headers = client.get(URL).headers
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert "<script" not in client.get(URL).text


@pytest.mark.parametrize(
    "path",
    ["/c/short?k=1", "/c/ABCDEFGHJKLM", "/x/ABCDEFGHJKLM?k=1", "/nothing", "/c/ABCDEFGHJKLM?k=0"],
)
def test_an_address_that_is_not_a_slips_gets_the_404_page(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 404
    assert "页面不存在" in page.text
    assert "Traceback" not in page.text


def test_a_line_break_in_a_fact_is_refused_as_not_ours(client: TestClient) -> None:
    assert client.get(URL.replace("mt=177", "mt=1%0A7")).status_code == 404


def test_the_client_over_its_bucket_gets_a_429_page() -> None:
    with client_for({}, burst=3) as client:
        assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert "Too many requests" in refused.text
    assert int(refused.headers["retry-after"]) >= 1


def test_an_unreachable_store_is_a_503_page_that_clears_the_document() -> None:
    def down(claim: DocumentClaim) -> Verdict:
        raise StoreUnavailable("connection refused")

    with TestClient(create_app(down, RateLimiter(60, 10)), raise_server_exceptions=False) as c:
        page = c.get(URL + "&lang=en")
    assert page.status_code == 503
    assert "unavailable" in page.text
    assert "says nothing about the document" in page.text


@pytest.mark.allow_error_logs
def test_a_bug_is_a_500_page_never_a_traceback() -> None:
    def broken(claim: DocumentClaim) -> Verdict:
        raise RuntimeError("bug with a secret 320102198001011234")

    with TestClient(create_app(broken, RateLimiter(60, 10)), raise_server_exceptions=False) as c:
        page = c.get(URL)
    assert page.status_code == 500
    assert "核验服务出错" in page.text
    assert "Traceback" not in page.text
    assert "320102198001011234" not in page.text


def test_a_receipt_address_shows_its_figures_when_genuine() -> None:
    facts = dict.fromkeys(FIELDS[RECEIPT], "") | {
        "s": "kiosk-9-20261124-0002",
        "t": "20261124103200",
        "i": "3201**********1234",
        "b": "1234.56",
        "q": "2026:300.00:3700.00",
        "c": "202611:250.00",
        "h": "-12.30/1234.56,250.00/1246.86",
        "f": "202611232341/-86.50",
    }
    claim = DocumentClaim(RECEIPT, "RRRRBBBBCCCC", 1, tuple(facts.items()))
    verdict = Verdict(True, True, RECEIPT, datetime(2026, 11, 24, 10, 32), "kiosk-9", "王*", 1)

    def check(asked: DocumentClaim) -> Verdict:
        return verdict if asked == claim else Verdict(True)

    with TestClient(create_app(check, RateLimiter(60, 10))) as c:
        page = c.get(document_url("http://testserver", claim) + "&lang=en").text
    for shown in ("¥1,234.56", "used ¥300.00, left ¥3,700.00", "2026-11 ¥250.00",
                  "-¥12.30 / ¥1,234.56", "+¥250.00 / ¥1,246.86",
                  "2026-11-23 23:41 -¥86.50"):  # fmt: skip
        assert shown in page


def test_the_real_checker_says_store_unavailable_for_a_store_it_cannot_open(
    tmp_path: Path,
) -> None:
    from kiosk.config import parse_config
    from kiosk.verify.store import DocumentChecker

    config = parse_config(f'[kiosk]\ndata_dir = "{tmp_path}"\n')
    checker = DocumentChecker.from_config(config)  # no store file there yet
    try:
        with pytest.raises(StoreUnavailable):
            checker.check(CLAIM)
    finally:
        checker.close()
    assert not (tmp_path / "document-keys").exists()  # the verifier never makes a key
