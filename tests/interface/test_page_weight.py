"""A lesson page stays light for a weak village signal: HTML + CSS + JS under 50 KB gzipped."""

from __future__ import annotations

import gzip
import re

BUDGET_BYTES = 50 * 1024


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def test_lesson_page_weight_is_within_budget(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    page = client.get("/courses/shop-basics/choose-product")
    html = page.get_data()
    assets = re.findall(rb'(?:href|src)="(/assets/[^"]+\.(?:css|js))"', html)
    assert {a.rsplit(b".", 1)[1] for a in assets} == {b"css", b"js"}
    total = gzipped(html)
    for asset in assets:
        with client.get(asset.decode()) as response:
            assert response.status_code == 200
            total += gzipped(response.get_data())
    assert total < BUDGET_BYTES, f"lesson page weighs {total} bytes gzipped"


def test_static_files_have_hashed_names_and_year_long_caching(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/assets/app\.[0-9a-f]{10}\.css)"', html).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
    wrong = css.replace(css.split(".")[1], "0000000000")
    assert client.get(wrong).status_code == 404
    assert client.get("/assets/../lms/config.py").status_code == 404


def test_pages_load_nothing_from_other_origins(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    for url in ("/", "/courses/shop-basics/", "/courses/shop-basics/choose-product", "/my", "/offline"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url


def test_service_worker_and_manifest_are_served(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert re.search(r"/assets/app\.[0-9a-f]{10}\.css", worker.get_data(as_text=True))
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["icons"]


def test_the_service_worker_s_version_follows_the_offline_page_it_saves(client):
    def version(language: str) -> str:
        worker = client.get("/sw.js", headers={"Accept-Language": language}).get_data(as_text=True)
        return re.search(r"cunke-shell-([0-9a-f]+)", worker).group(1)

    assert version("zh-CN") == version("zh-CN")  # the same page, the same worker: no reinstall on every visit
    assert version("zh-CN") != version("en-US")  # another offline page (English first): phones fetch it anew


def test_offline_page_speaks_both_languages_reader_first(client):
    chinese_first = client.get("/offline", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert chinese_first.index("现在没有信号") < chinese_first.index("No signal right now")
    english_first = client.get("/offline", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert english_first.index("No signal right now") < english_first.index("现在没有信号")
