#!/usr/bin/env python3
"""Names that are markup stay text: the map page served with poisoned municipality,
facility, region and scenario names (tests/browser.rs makes them), opened in headless
Chromium. Every tooltip is opened, a municipality and a facility are clicked, the poisoned
scenario is shown, the regional table drawn; then no element made from a name may exist
(no <img>, <b class=poison>, <iframe>...), and the poisoned text must be visible as text.
The Rust test checks that the beacon address received no request.

    python3 tests/browser/poisoned.py BASE_URL SCENARIO_ID SCREENSHOT.png
"""

import sys

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from map_page import check, click, driver, wait_ready  # noqa: E402

FOREIGN = "img, iframe, object, embed, .poison, [onerror], [onload], svg image, svg foreignObject"


def foreign_elements(d):
    return d.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.outerHTML.slice(0, 120))",
        FOREIGN)


def hover_all(d, selector):
    for e in d.find_elements(By.CSS_SELECTOR, selector):
        try:
            ActionChains(d).move_to_element(e).perform()
        except Exception:  # an element under another one: its tooltip is opened by the next
            pass


def main():
    base, scenario_id, shot = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    d = driver()
    try:
        d.get(base + "/")
        gen = wait_ready(d, 0, timeout=120)
        hover_all(d, "path.muni")
        hover_all(d, "path.facility")
        check(not foreign_elements(d), "elements made from names: %r" % foreign_elements(d))
        # Tooltips show the names as text.
        tips = d.execute_script(
            "return [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.textContent).join(' | ')")
        check("<img" in tips or "<b" in tips, "no poisoned name shown as text in tooltips: %r" % tips)
        # A municipality and a facility clicked: the details panel.
        click(d, d.find_elements(By.CSS_SELECTOR, "path.muni")[0])
        WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "info").text.strip() != "")
        facilities = d.find_elements(By.CSS_SELECTOR, "path.facility")
        if facilities:
            click(d, facilities[0])
        # The poisoned scenario shown.
        Select(d.find_element(By.ID, "scenario")).select_by_value(scenario_id)
        wait_ready(d, gen, timeout=60)
        hover_all(d, "path.muni")
        hover_all(d, "path.facility")
        d.save_screenshot(shot)
        found = foreign_elements(d)
        check(not found, "elements made from names: %r" % found)
        body = d.find_element(By.TAG_NAME, "body").text
        check("<img" in body or "<b class" in body, "poisoned names are not shown as text")
        logs = [l for l in d.get_log("browser") if l["level"] == "SEVERE"]
        check(not logs, "console errors: %r" % logs)
        print("ok: poisoned names stay text")
    finally:
        d.quit()


if __name__ == "__main__":
    main()
