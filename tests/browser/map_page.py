#!/usr/bin/env python3
"""The map page in a real browser (headless Chromium via ChromeDriver and Selenium), as a
planner uses it. Run by tests/browser.rs against a running `nabij serve`:

    python3 tests/browser/map_page.py BASE_URL SCREENSHOT.png [--timing-only]

Checks: the headline's counts equal the API's; every municipality is drawn with the colour
of its status (the palette read from /api/v1/meta); the tier colours actually drawn stay
apart under simulated protanopia, deuteranopia and tritanopia (scripts/palette.py); a click
on a municipality shows its figures and nearest facilities; changing the minutes redraws;
an invalid question shows a Dutch banner naming the control and hides the stale results;
a municipality is found and shown with the keyboard alone; a click on a facility draws its
isochrone; the regional table sorts; the language switches; downloads and the report link
point at the API; advice is asked on the page and turned into a saved scenario, whose
changed municipalities are outlined; at 390 x 844 nothing scrolls sideways; axe-core finds
no serious or critical WCAG 2.1 AA violation in each state; no console errors. Screenshots
of each state go next to SCREENSHOT.png. Prints the time to the first full render (for
docs/BENCHMARKS.md; nothing is asserted on it). With --timing-only, only loads the page and
prints the timing.

Environment: NABIJ_TEST_TOKEN (the server's write token), NABIJ_AXE (axe.min.js).
"""

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import palette  # noqa: E402  (scripts/palette.py: CVD simulation and CIEDE2000)

MEETS = ("own_municipality", "within_limit")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.loads(r.read().decode("utf-8"))


def driver(size="1400,1000"):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=" + size,
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


def set_minutes(d, value):
    """Type a new limit as a person does, then leave the field: the browser's own change
    event asks the question once (a change left pending would fire later, on some other
    click, and redraw the map under the test's feet)."""
    box = d.find_element(By.ID, "minutes")
    box.clear()
    box.send_keys(value)
    d.execute_script("arguments[0].blur()", box)
    return box


def expected_colours(base, query):
    colour = {t["status"]: t["colour"] for t in api(base, "/api/v1/meta")["tiers"]}
    cov = api(base, "/api/v1/coverage?format=json" + query)
    return {m["code"]: colour[m["status"]] for m in cov["municipalities"]}, cov


def axe(d, state):
    """axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is: no serious or critical
    violation."""
    src = Path(os.environ["NABIJ_AXE"]).read_text(encoding="utf-8")
    d.execute_script(src)
    d.set_script_timeout(60)
    result = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
          .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    check(not bad, "axe-core, %s: %s" % (state, json.dumps(bad, indent=1)))
    return result


def shot(d, base_shot, name):
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(str(Path(base_shot).with_name("map-" + name + ".png")))


def palette_check(d):
    """The tier colours as drawn (one per tier on the page), held to the palette's rules."""
    drawn = d.execute_script("""
        const out = {};
        for (const p of document.querySelectorAll('path.muni')) {
          const st = [...p.classList].find(c => c.startsWith('status-')).slice(7);
          out[st] = p.getAttribute('fill');
        }
        return out;""")
    colours = sorted(set(c.lower() for c in drawn.values()))
    check(len(colours) >= 4, "too few tiers drawn to judge the palette: %r" % drawn)
    figs = palette.figures(colours, background=palette.BACKGROUND)
    for vision, f in figs["min_delta_e"].items():
        check(f["delta_e"] >= palette.MIN_DELTA_E,
              "tiers %s too close under %s: CIEDE2000 %.1f" % (f["pair"], vision, f["delta_e"]))
    for c, ratio in figs["contrast"].items():
        check(ratio >= palette.MIN_CONTRAST, "tier colour %s has contrast %.2f:1" % (c, ratio))
    # The tiers that miss the norm carry the hatching as well (pass/fail without colour).
    hatched = d.execute_script("return document.querySelectorAll('path.hatch').length")
    failing = d.execute_script("return document.querySelectorAll('path.muni:not(.status-own_municipality):not(.status-within_limit)').length")
    check(hatched == failing, "%d hatched, %d failing municipalities" % (hatched, failing))
    return figs


def main():
    base = sys.argv[1].rstrip("/")
    shot_path = sys.argv[2]
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
            d.save_screenshot(shot_path)
            # Redraws after an interaction: the time from the answer's arrival to the map
            # drawn (window.nabij.renderMs), for a new limit and for another grouping.
            for what, js in (("minutes 30", "const m = document.getElementById('minutes'); m.value = '30'; m.dispatchEvent(new Event('change'))"),
                             ("grouping provincie", "const g = document.getElementById('grouping'); g.value = 'provincie'; g.dispatchEvent(new Event('change'))")):
                d.execute_script(js)
                gen = wait_ready(d, gen, timeout=120)
                print("redraw after %s: map drawn in %.0f ms" % (what, d.execute_script("return window.nabij.renderMs")))
            return
        # The finding first: the headline's counts are the API's.
        want, cov = expected_colours(base, "")
        regions = api(base, "/api/v1/regions")["regions"]
        head = d.execute_script("return window.nabij.headline")
        meets = sum(1 for m in cov["municipalities"] if m["status"] in MEETS)
        check(head == {"meets": meets, "total": len(cov["municipalities"]),
                       "flagged": sum(1 for r in regions if r["flags"])},
              "headline %r, API: %d of %d meet, %d flagged" % (head, meets, len(cov["municipalities"]),
                                                             sum(1 for r in regions if r["flags"])))
        text = d.find_element(By.ID, "headline").text
        check(text.startswith("Van de %d gemeenten halen %d de norm van 45 minuten" % (len(cov["municipalities"]), meets)),
              "headline: %r" % text)
        flagged_names = [r["name"] for r in regions if r["flags"]]
        regions_text = d.find_element(By.ID, "headline-regions").text
        for name in flagged_names:
            check(name in regions_text, "flagged region %s not named: %r" % (name, regions_text))
        check(len(d.find_elements(By.CSS_SELECTOR, "path.region-outline")) == len(regions), "region outlines")
        # Every municipality drawn, each in the colour of its status.
        got = drawn_colours(d)
        check(set(got) == set(want), "drawn %s, expected %s" % (sorted(got), sorted(want)))
        wrong = {c: (got[c], want[c]) for c in want if got[c].lower() != want[c]}
        check(not wrong, "wrong colours (drawn, expected): %r" % wrong)
        figs = palette_check(d)
        print("palette: smallest CIEDE2000 per vision %s" % {k: v["delta_e"] for k, v in figs["min_delta_e"].items()})
        check(d.execute_script("return document.getElementById('synthetic').hidden") is False,
              "the synthetic-roads badge is not shown")
        legend = d.find_element(By.ID, "legend").text + d.find_element(By.ID, "legend-facilities").text
        for word in ("eigen gemeente", "binnen de limiet", "buiten de regio", "haalt de norm niet", "meetelt"):
            check(word in legend, "legend lacks %r: %r" % (word, legend))
        shot(d, shot_path, "1-first-view")
        axe(d, "first view")
        # Click a municipality: its figures and its nearest facilities.
        m = next(x for x in cov["municipalities"] if x["status"] == "within_limit")
        click(d, d.find_element(By.CSS_SELECTOR, "path.muni-" + m["code"]))
        WebDriverWait(d, 20).until(lambda d: m["name"] in d.find_element(By.ID, "info").text)
        WebDriverWait(d, 20).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#nearest-list li.within, #nearest-list li.beyond")) > 0)
        info = d.find_element(By.ID, "info").text
        check("binnen de limiet" in info, "the panel does not give the tier: %r" % info)
        check(m["nearest_facility_name"] in info, "the panel lacks the nearest facility: %r" % info)
        check("Regio: " in info, "the panel lacks the region's figures: %r" % info)
        # Change the minutes: the colours follow the new statuses.
        before = drawn_colours(d)
        minutes = set_minutes(d, "10")
        gen = wait_ready(d, gen)
        want10, _ = expected_colours(base, "&minutes=10")
        got10 = drawn_colours(d)
        wrong = {c: (got10[c], want10[c]) for c in want10 if got10[c].lower() != want10[c]}
        check(not wrong, "after 10 minutes, wrong colours: %r" % wrong)
        check(got10 != before, "changing the minutes changed no colour")
        check(m["name"] in d.find_element(By.ID, "info").text, "the details panel was not redrawn")
        # An invalid question: a Dutch banner naming the control; no stale results left up.
        minutes = set_minutes(d, "300")
        WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "banner").is_displayed())
        banner = d.find_element(By.ID, "banner").text
        check("Norm: reistijd in minuten" in banner and "1 tot 240 minuten" in banner, "banner: %r" % banner)
        check("stale" in d.find_element(By.ID, "mapwrap").get_attribute("class"), "the map is not marked stale")
        check(not d.find_elements(By.CSS_SELECTOR, "path.muni"), "stale municipalities still drawn")
        check(not d.find_elements(By.CSS_SELECTOR, "#regions tbody tr"), "stale table rows still shown")
        check(minutes.get_attribute("aria-invalid") == "true", "the control is not marked invalid")
        shot(d, shot_path, "2-invalid-question")
        axe(d, "invalid question")
        minutes = set_minutes(d, "10")
        WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "path.muni")
                                   and not d.find_element(By.ID, "banner").is_displayed())
        gen = wait_ready(d, 0)
        # Keyboard alone: the search field finds a municipality and shows it.
        target = next(x for x in cov["municipalities"] if x["status"] not in MEETS)
        box = d.find_element(By.ID, "search")
        box.send_keys(target["name"])
        box.send_keys(Keys.ENTER)
        WebDriverWait(d, 20).until(lambda d: target["name"] in d.find_element(By.ID, "info").text)
        check(d.execute_script("return document.activeElement.id") == "info", "focus did not move to the details")
        # Facilities are reachable by keyboard (focusable markers with a name).
        markers = d.find_elements(By.CSS_SELECTOR, ".facility[tabindex='0']")
        check(markers, "no facility can be reached with the keyboard")
        check(markers[0].get_attribute("aria-label"), "a facility marker has no name")
        # Colour by a figure: a ramp, and back.
        d.execute_script("const s = document.getElementById('colour'); s.value = 'share_within_limit'; s.dispatchEvent(new Event('change'))")
        ramp = drawn_colours(d)
        check(ramp != got10, "colouring by share changed nothing")
        d.execute_script("const s = document.getElementById('colour'); s.value = 'status'; s.dispatchEvent(new Event('change'))")
        # Rush hour: colouring by robustness asks for both periods; each municipality is drawn
        # in the class the API gives it, the classes needing attention hatched too, and the
        # headline names how many change at rush hour and how many are fragile. At 30 minutes
        # the demo has both (at 10, nothing changes).
        set_minutes(d, "30")
        gen = wait_ready(d, gen)
        d.execute_script("const s = document.getElementById('colour'); s.value = 'robust'; s.dispatchEvent(new Event('change'))")
        gen = wait_ready(d, gen)
        check(d.find_element(By.ID, "period").get_attribute("value") == "both", "the period did not switch to both")
        covb = api(base, "/api/v1/coverage?format=json&minutes=30&period=both")
        robust_colour = {"changes": "#5a2412", "fragile": "#dd5a1c", "robust": "#1f4fbf", "fails": "#a0466e"}

        def robustness(m):
            if m["robust"] is False:
                return "changes"
            if m["fragile"]:
                return "fragile"
            return "robust" if m["status"] in MEETS else "fails"
        want_b = {m["code"]: robust_colour[robustness(m)] for m in covb["municipalities"]}
        got_b = drawn_colours(d)
        wrong = {c: (got_b[c], want_b[c]) for c in want_b if got_b[c].lower() != want_b[c]}
        check(not wrong, "robustness colours (drawn, expected): %r" % wrong)
        changes = sum(1 for m in covb["municipalities"] if m["robust"] is False)
        fragile = sum(1 for m in covb["municipalities"] if m["fragile"] and m["robust"] is not False)
        hours = d.find_element(By.ID, "headline-hours")
        check(hours.get_attribute("data-changes") == str(changes) and hours.get_attribute("data-fragile") == str(fragile),
              "headline counts %s/%s, API %d changes, %d fragile" % (hours.get_attribute("data-changes"),
                                                                 hours.get_attribute("data-fragile"), changes, fragile))
        check("In de spits halen" in hours.text, "no rush-hour sentence: %r" % hours.text)
        check(changes >= 2 and fragile >= 1, "the demo at 30 minutes shows %d changes, %d fragile" % (changes, fragile))
        # The regions table counts each region's fragile municipalities, as the API lists them.
        regions_b = {r["name"]: len(r["fragile_municipalities"]) for r in api(base, "/api/v1/regions?minutes=30&period=both")["regions"]}
        shown = {row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[6].text
                 for row in d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")}
        check(shown == {k: str(v) for k, v in regions_b.items()}, "fragile per region: table %r, API %r" % (shown, regions_b))
        changing = next(m for m in covb["municipalities"] if m["robust"] is False)
        check(changing["name"] in hours.text, "%s changes at rush hour but is not named: %r" % (changing["name"], hours.text))
        # Everything but "meets the norm comfortably at every hour" is hatched.
        hatched = d.execute_script("return document.querySelectorAll('path.hatch').length")
        attention = sum(1 for m in covb["municipalities"] if robustness(m) != "robust")
        check(hatched == attention, "%d hatched, %d needing attention" % (hatched, attention))
        check(d.find_element(By.ID, "headline").text.startswith("Buiten de spits: van de "),
              "the headline does not say its counts are off-peak: %r" % d.find_element(By.ID, "headline").text)
        legend = d.find_element(By.ID, "legend").text
        for word in ("niet in de spits", "kwetsbaar", "ook in de spits", "op geen enkel tijdstip"):
            check(word in legend, "legend lacks %r: %r" % (word, legend))
        shot(d, shot_path, "3-rush-hour")
        axe(d, "rush hour")
        d.execute_script("const s = document.getElementById('colour'); s.value = 'status'; s.dispatchEvent(new Event('change'))")
        d.execute_script("const p = document.getElementById('period'); p.value = 'free'; p.dispatchEvent(new Event('change'))")
        gen = wait_ready(d, gen)
        set_minutes(d, "10")
        gen = wait_ready(d, gen)
        # Click a facility: its details and its isochrone.
        markers = d.find_elements(By.CSS_SELECTOR, ".facility[tabindex='0']")
        click(d, markers[0])
        WebDriverWait(d, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "path.isochrone")) > 0)
        check("Voorziening" in d.find_element(By.ID, "info").text, "no facility details")
        # The regional table: one row per region, sortable with its header buttons.
        rows = d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")
        regions10 = api(base, "/api/v1/regions?minutes=10")["regions"]
        check(len(rows) == len(regions10), "%d table rows for %d regions" % (len(rows), len(regions10)))
        header = d.find_element(By.CSS_SELECTOR, "#regions th[data-key='share_within_limit'] button")
        header.send_keys(Keys.ENTER)
        shares = [r.find_elements(By.TAG_NAME, "td")[3].text for r in d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")]
        nums = [float(s.rstrip("%").replace(".", "").replace(",", ".")) for s in shares]
        check(nums == sorted(nums), "not sorted ascending by share: %r" % shares)
        header = d.find_element(By.CSS_SELECTOR, "#regions th[data-key='share_within_limit'] button")
        header.click()
        shares = [r.find_elements(By.TAG_NAME, "td")[3].text for r in d.find_elements(By.CSS_SELECTOR, "#regions tbody tr")]
        nums = [float(s.rstrip("%").replace(".", "").replace(",", ".")) for s in shares]
        check(nums == sorted(nums, reverse=True), "not sorted descending by share: %r" % shares)
        unfair = d.find_elements(By.CSS_SELECTOR, "#regions tbody tr.unfair")
        check(len(unfair) == sum(1 for r in regions10 if r["unfair"]), "unfair rows do not match the API")
        # Downloads and the report link point at the API with the shown question.
        href = d.find_element(By.ID, "dl-geojson").get_attribute("href")
        check("/api/v1/coverage?" in href and "minutes=10" in href, "GeoJSON link: %s" % href)
        report = d.find_element(By.ID, "dl-report").get_attribute("href")
        check("/api/v1/report?" in report and "region=" in report, "report link: %s" % report)
        with urllib.request.urlopen(report, timeout=60) as r:
            check(r.status == 200 and "text/html" in r.headers["Content-Type"], "the report link does not answer")
        # English on the switch: everything shown, the details panel included.
        d.find_element(By.ID, "lang").click()
        WebDriverWait(d, 10).until(lambda d: "Regions" in d.find_element(By.ID, "regions-section").text)
        check("within the limit" in d.find_element(By.ID, "legend").text, "the legend is not in English")
        check(d.execute_script("return document.documentElement.lang") == "en", "lang attribute not en")
        check(d.find_element(By.ID, "headline").text.startswith("Of the "), "the headline is not in English")
        check("Facility" in d.find_element(By.ID, "info").text, "the details panel is not in English")
        shot(d, shot_path, "3-english")
        axe(d, "English")
        d.find_element(By.ID, "lang").click()
        WebDriverWait(d, 10).until(lambda d: "Regio's" in d.find_element(By.ID, "regions-section").text)
        # Advice on the page, turned into a saved scenario (for the question of 45 minutes,
        # the one the scenario saved before the test answers, so that the two compare).
        minutes = set_minutes(d, "45")
        wait_ready(d, 0)
        d.execute_script("document.getElementById('advice-panel').open = true")
        d.execute_script("window.prompt = () => arguments[0]", os.environ.get("NABIJ_TEST_TOKEN", ""))
        d.find_element(By.CSS_SELECTOR, "#advice-form button[type=submit]").click()
        WebDriverWait(d, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#advice-list li.advice-site"))
        advice = d.execute_script("return window.nabij.advice")
        sites = d.find_elements(By.CSS_SELECTOR, "#advice-list li.advice-site")
        check(len(sites) == len(advice["sites"]) >= 1, "advice sites shown: %d" % len(sites))
        check(len(d.find_elements(By.CSS_SELECTOR, ".fac-advice")) == len(advice["sites"]), "advised sites not on the map")
        shot(d, shot_path, "4-advice")
        d.find_element(By.ID, "advice-to-scenario").click()
        WebDriverWait(d, 60).until(lambda d: d.execute_script("return document.getElementById('scenario').value") != "")
        gen = wait_ready(d, 0)
        sid = d.execute_script("return document.getElementById('scenario').value")
        diff = api(base, "/api/v1/scenarios/%s/diff" % sid)["diff"]
        changed = d.find_elements(By.CSS_SELECTOR, "path.muni.changed")
        check(len(changed) == diff["municipalities_changed"],
              "%d outlined, %d changed" % (len(changed), diff["municipalities_changed"]))
        check(len(d.find_elements(By.CSS_SELECTOR, ".fac-new")) == len(advice["sites"]), "the scenario's new units are not drawn")
        report = d.find_element(By.ID, "dl-report").get_attribute("href")
        check("/api/v1/scenarios/%s/report?" % sid in report, "the report link ignores the scenario: %s" % report)
        shot(d, shot_path, "5-scenario")
        axe(d, "scenario")
        # The need controls apply in scenario mode too: a limit of 30 minutes redraws the
        # scenario for that question.
        minutes = set_minutes(d, "30")
        wait_ready(d, 0)
        colour = {t["status"]: t["colour"] for t in api(base, "/api/v1/meta")["tiers"]}
        sc30 = api(base, "/api/v1/scenarios/%s/coverage?format=json&need=kleinschalig&minutes=30" % sid)
        want30 = {m["code"]: colour[m["status"]] for m in sc30["municipalities"]}
        got30 = drawn_colours(d)
        check(all(got30[c].lower() == want30[c] for c in want30), "scenario at 30 minutes drawn wrong")
        minutes = set_minutes(d, "45")
        wait_ready(d, 0)
        # Two saved scenarios compared with each other (the one saved before the test ran).
        others = d.execute_script("return [...document.querySelectorAll('#against option')].map(o => o.value).filter(v => v)")
        check(others, "no other scenario to compare with")
        d.execute_script("const s = document.getElementById('against'); s.value = arguments[0]; s.dispatchEvent(new Event('change'))", others[0])
        wait_ready(d, 0)
        WebDriverWait(d, 30).until(lambda d: d.execute_script("return window.nabij.compared !== undefined"))
        cmp = api(base, "/api/v1/scenarios/%s/diff?against=%s" % (sid, others[0]))["diff"]
        changed = d.find_elements(By.CSS_SELECTOR, "path.muni.changed")
        check(len(changed) == cmp["municipalities_changed"] == d.execute_script("return window.nabij.compared"),
              "compared: %d outlined, %d changed" % (len(changed), cmp["municipalities_changed"]))
        # A scenario made on the page: a unit added by a click on a municipality that misses
        # the norm; its effect previewed at once (the same as the API's), then saved.
        d.execute_script("const s = document.getElementById('scenario'); s.value = ''; s.dispatchEvent(new Event('change'))")
        wait_ready(d, 0)
        d.execute_script("document.getElementById('edit-panel').open = true")
        failing = next(x for x in cov["municipalities"] if x["status"] == "outside_region")
        d.find_element(By.ID, "edit-add").click()
        click(d, d.find_element(By.CSS_SELECTOR, "path.muni-" + failing["code"]))
        WebDriverWait(d, 60).until(lambda d: d.execute_script("return window.nabij.preview !== undefined && window.nabij.ready"))
        draft = d.execute_script("return window.nabij.draft")
        check(len(draft["changes"]) == 1 and draft["changes"][0]["op"] == "add", "draft: %r" % draft)
        req = urllib.request.Request(base + "/api/v1/scenarios/preview?grouping=jeugdregio&need=kleinschalig&minutes=45",
                                     data=json.dumps(draft).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            want_preview = json.loads(r.read().decode())["diff"]
        got_preview = d.execute_script("return window.nabij.preview")
        check(got_preview["municipalities_changed"] == want_preview["municipalities_changed"] >= 1,
              "preview on the page %r, API %r" % (got_preview["municipalities_changed"], want_preview["municipalities_changed"]))
        changed = d.find_elements(By.CSS_SELECTOR, "path.muni.changed")
        check(len(changed) == want_preview["municipalities_changed"], "%d outlined in the preview" % len(changed))
        check(failing["name"] in " ".join(c.get_attribute("class") for c in changed) or
              d.find_elements(By.CSS_SELECTOR, "path.muni-%s.changed" % failing["code"]), "the clicked municipality did not change")
        effect = d.find_element(By.ID, "edit-effect").text
        check("verander" in effect and "jongeren binnen de norm" in effect, "effect: %r" % effect)
        shot(d, shot_path, "7-scenario-draft")
        axe(d, "scenario draft")
        d.find_element(By.ID, "edit-name").send_keys("Huis in " + failing["name"])
        d.find_element(By.ID, "edit-save").click()
        WebDriverWait(d, 60).until(lambda d: d.execute_script("return document.getElementById('scenario').value") != "")
        wait_ready(d, 0)
        sid2 = d.execute_script("return document.getElementById('scenario').value")
        saved = api(base, "/api/v1/scenarios/%s" % sid2)
        check(saved["scenario"]["name"] == "Huis in " + failing["name"], "saved name %r" % saved["scenario"]["name"])
        check(saved["diff"]["municipalities_changed"] == want_preview["municipalities_changed"], "saved diff differs from the preview")
        d.save_screenshot(shot_path)
        # No console errors at all (but the browser's own note of the 400 answers to the
        # invalid question asked on purpose above).
        logs = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")
                and not (e.get("source") == "network" and "minutes=300" in e["message"])]
        check(not logs, "console errors: %r" % logs)
    finally:
        d.quit()
    # A phone: 390 x 844, the headline and the map first, nothing scrolls sideways.
    d = driver("390,844")
    try:
        d.get(base + "/")
        wait_ready(d, 0, timeout=120)
        width = d.execute_script("return document.documentElement.scrollWidth")
        inner = d.execute_script("return document.documentElement.clientWidth")
        check(width <= inner, "at 390 px the page scrolls sideways: %d > %d" % (width, inner))
        tops = d.execute_script("return ['finding', 'mapwrap', 'controls'].map(id => document.getElementById(id).getBoundingClientRect().top)")
        check(tops[0] < tops[1] < tops[2], "on a phone the headline and map do not come first: %r" % tops)
        check(d.execute_script("return document.getElementById('controls-fold').open") is False, "controls not folded on a phone")
        shot(d, shot_path, "6-phone")
        axe(d, "phone")
        logs = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        check(not logs, "console errors on a phone: %r" % logs)
    finally:
        d.quit()
    print("ok: map page checked in Chromium; screenshots next to %s" % shot_path)


if __name__ == "__main__":
    main()
