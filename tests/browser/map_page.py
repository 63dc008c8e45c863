#!/usr/bin/env python3
"""The map page in a real browser (headless Chromium via ChromeDriver and Selenium), as a
planner uses it. Run by tests/browser.rs against a running `nabij serve`:

    python3 tests/browser/map_page.py BASE_URL SCREENSHOT.png [--timing-only]

Checks: every municipality is drawn with the colour of its status (the statuses read from
the API); a click on a municipality shows its figures and nearest facilities; changing the
minutes redraws with the new statuses; a click on a facility draws its isochrone; the
regional table sorts; the language switches; downloads and the report link point at the
API; no console errors. Prints the time to the first full render (for docs/BENCHMARKS.md;
nothing is asserted on it). With --timing-only, only loads the page and prints the timing.
"""

import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

STATUS_COLOUR = {
    "own_municipality": "#1a9850",
    "within_limit": "#91cf60",
    "within_region": "#fee08b",
    "outside_region": "#fc8d59",
    "unreachable": "#d73027",
}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.loads(r.read().decode("utf-8"))


def driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--disable-gpu", "--lang=nl-NL"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def wait_ready(d, after_generation=0, timeout=30):
    WebDriverWait(d, timeout).until(
        lambda d: d.execute_script(
            "return window.nabij && window.nabij.ready && window.nabij.generation > arguments[0]",
            after_generation))
    errors = d.execute_script("return window.nabij.errors")
    check(not errors, "the page reports errors: %r" % errors)
    return d.execute_script("return window.nabij.generation")


def drawn_colours(d):
    """code -> fill of every municipality path drawn (read from the SVG, as seen)."""
    return d.execute_script("""
        const out = {};
        for (const p of document.querySelectorAll('path.muni')) {
          const cls = [...p.classList].find(c => c.startsWith('muni-'));
          out[cls.slice(5)] = p.getAttribute('fill');
        }
        return out;""")


def click(d, el):
    """A click on the element as the browser delivers it (a bubbling mouse event at its centre),
    whatever lies on top of it at that pixel."""
    d.execute_script("""
        const el = arguments[0];
        const r = el.getBoundingClientRect();
        const o = {bubbles: true, cancelable: true, view: window,
                   clientX: r.left + r.width / 2, clientY: r.top + r.height / 2};
        el.dispatchEvent(new MouseEvent('mousedown', o));
        el.dispatchEvent(new MouseEvent('mouseup', o));
        el.dispatchEvent(new MouseEvent('click', o));""", el)


def expected_colours(base, query):
    cov = api(base, "/api/v1/coverage?format=json" + query)
    return {m["code"]: STATUS_COLOUR[m["status"]] for m in cov["municipalities"]}, cov


def main():
    base = sys.argv[1].rstrip("/")
    shot = sys.argv[2]
    timing_only = "--timing-only" in sys.argv
    d = driver()
    try:
        t0 = time.monotonic()
        d.get(base + "/")
        gen = wait_ready(d, 0, timeout=120)
        loaded_s = time.monotonic() - t0
        n = d.execute_script("return document.querySelectorAll('path.muni').length")
        render_ms = d.execute_script("return window.nabij.renderMs")
        nav_ms = d.execute_script(
            "return performance.now()")  # since navigation start, for the record
        print("first render: %d municipalities, page ready %.0f ms after navigation (%.0f ms wall), map drawn in %.0f ms"
              % (n, nav_ms, loaded_s * 1000, render_ms))
        if timing_only:
            d.save_screenshot(shot)
            return
        # Every municipality drawn, each in the colour of its status.
        want, cov = expected_colours(base, "")
        got = drawn_colours(d)
        check(set(got) == set(want), "drawn %s, expected %s" % (sorted(got), sorted(want)))
        wrong = {c: (got[c], want[c]) for c in want if got[c].lower() != want[c]}
        check(not wrong, "wrong colours (drawn, expected): %r" % wrong)
        check(d.execute_script("return document.getElementById('synthetic').hidden") is False,
              "the synthetic-roads badge is not shown")
        # The legend names the five tiers.
        legend = d.find_element(By.ID, "legend").text
        for word in ("eigen gemeente", "binnen de limiet", "buiten de regio"):
            check(word in legend, "legend lacks %r: %r" % (word, legend))
        # Click a municipality: its figures and its nearest facilities.
        m = next(x for x in cov["municipalities"] if x["status"] == "within_limit")
        click(d, d.find_element(By.CSS_SELECTOR, "path.muni-" + m["code"]))
        WebDriverWait(d, 20).until(lambda d: m["name"] in d.find_element(By.ID, "info").text)
        WebDriverWait(d, 20).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#nearest-list li.within, #nearest-list li.beyond")) > 0)
        info = d.find_element(By.ID, "info").text
        check("binnen de limiet" in info, "the panel does not give the tier: %r" % info)
        check(m["nearest_facility_name"] in info, "the panel lacks the nearest facility: %r" % info)
        check("Cijfers van de regio" in info, "the panel lacks the region's figures: %r" % info)
        # Change the minutes: the colours follow the new statuses.
        before = drawn_colours(d)
        minutes = d.find_element(By.ID, "minutes")
        minutes.clear()
        minutes.send_keys("10")
        d.execute_script("arguments[0].dispatchEvent(new Event('change'))", minutes)
        gen = wait_ready(d, gen)
        want10, _ = expected_colours(base, "&minutes=10")
        got10 = drawn_colours(d)
        wrong = {c: (got10[c], want10[c]) for c in want10 if got10[c].lower() != want10[c]}
        check(not wrong, "after 10 minutes, wrong colours: %r" % wrong)
        check(got10 != before, "changing the minutes changed no colour")
        # Colour by a figure: a ramp, and back.
        d.execute_script("const s = document.getElementById('colour'); s.value = 'share_within_limit'; s.dispatchEvent(new Event('change'))")
        ramp = drawn_colours(d)
        check(ramp != got10, "colouring by share changed nothing")
        d.execute_script("const s = document.getElementById('colour'); s.value = 'status'; s.dispatchEvent(new Event('change'))")
        # Click a facility: its details and its isochrone.
        click(d, d.find_element(By.CSS_SELECTOR, "path.facility"))
        WebDriverWait(d, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "path.isochrone")) > 0)
        check("Voorziening" in d.find_element(By.ID, "info").text, "no facility details")
        # The regional table: one row per region, sortable.
        rows = d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")
        regions = api(base, "/api/v1/regions?minutes=10")["regions"]
        check(len(rows) == len(regions), "%d table rows for %d regions" % (len(rows), len(regions)))
        header = d.find_element(By.CSS_SELECTOR, "#regions th[data-key='share_within_limit']")
        header.click()
        shares = [r.find_elements(By.TAG_NAME, "td")[3].text for r in d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")]
        nums = [float(s.rstrip("%").replace(".", "").replace(",", ".")) for s in shares]
        check(nums == sorted(nums), "not sorted ascending by share: %r" % shares)
        header.click()
        shares = [r.find_elements(By.TAG_NAME, "td")[3].text for r in d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")]
        nums = [float(s.rstrip("%").replace(".", "").replace(",", ".")) for s in shares]
        check(nums == sorted(nums, reverse=True), "not sorted descending by share: %r" % shares)
        unfair = d.find_elements(By.CSS_SELECTOR, "#regions tbody tr.unfair")
        check(len(unfair) == sum(1 for r in regions if r["unfair"]), "unfair rows do not match the API")
        # Downloads and the report link point at the API with the shown question.
        href = d.find_element(By.ID, "dl-geojson").get_attribute("href")
        check("/api/v1/coverage?" in href and "minutes=10" in href, "GeoJSON link: %s" % href)
        report = d.find_element(By.ID, "dl-report").get_attribute("href")
        check("/api/v1/report?" in report and "region=" in report, "report link: %s" % report)
        with urllib.request.urlopen(report, timeout=60) as r:
            check(r.status == 200 and "text/html" in r.headers["Content-Type"], "the report link does not answer")
        # English on the switch.
        d.find_element(By.ID, "lang").click()
        WebDriverWait(d, 10).until(lambda d: "Regions" in d.find_element(By.ID, "regions-section").text)
        check("within the limit" in d.find_element(By.ID, "legend").text, "the legend is not in English")
        check(d.execute_script("return document.documentElement.lang") == "en", "lang attribute not en")
        d.find_element(By.ID, "lang").click()
        # A saved scenario, when there is one: its map outlines what changed.
        options = d.execute_script("return [...document.querySelectorAll('#scenario option')].map(o => o.value).filter(v => v)")
        if options:
            d.execute_script("const s = document.getElementById('scenario'); s.value = arguments[0]; s.dispatchEvent(new Event('change'))", options[0])
            gen = wait_ready(d, gen)
            changed = d.find_elements(By.CSS_SELECTOR, "path.muni.changed")
            diff = api(base, "/api/v1/scenarios/%s/diff" % options[0])["diff"]
            check(len(changed) == diff["municipalities_changed"],
                  "%d outlined, %d changed" % (len(changed), diff["municipalities_changed"]))
        d.save_screenshot(shot)
        # No console errors at all.
        logs = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        check(not logs, "console errors: %r" % logs)
        print("ok: map page checked in Chromium; screenshot %s" % shot)
    finally:
        d.quit()


if __name__ == "__main__":
    main()
