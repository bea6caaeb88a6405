#!/usr/bin/env python3
"""newsfind serve's page in a real browser (Debian's chromium, headless, via selenium).

Usage: page_test.py NEWSFIND_BINARY SHOTS_DIR

Writes an archive of made-up articles (no corpus text: generated sentences, plus
hostile titles and bodies holding <script>, <img onerror>, javascript: links and terminal
escapes), indexes it with the repository's tests/fixtures/search/archive and data/, starts
`newsfind serve` on 127.0.0.1 port 0, and drives the page: type a query, check hits and
the chart, click a source, a bar, go back, open an article, check nothing hostile ran,
take screenshots at desktop and phone widths. Exit status 0 when all checks pass, 77
when chromium, chromedriver or selenium are missing (the caller reports a skip). The
server and the browser are stopped whatever happens.
"""

import datetime
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("skipped: python3-selenium is not installed")
    sys.exit(SKIP)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    print("skipped: chromium or chromedriver is not installed (apt-get install chromium chromium-driver)")
    sys.exit(SKIP)

HOSTILE_TITLE = "<script>window.pwned=1</script> Hostile <img src=x onerror=\"window.pwned=2\"> budget"
HOSTILE_BODY = (
    "A budget story with <a href=\"javascript:window.pwned=3\">a javascript: link</a> inside.\n\n"
    "Terminal escapes: \x1b[2J\x1b]0;owned\x07 and \x1b]52;c;cHduZWQ=\x07 end here.\n\n"
    "<iframe src=\"javascript:window.pwned=4\"></iframe> <svg onload=\"window.pwned=5\"></svg>"
)

SOURCES = ["harbour-gazette", "northern-ledger", "valley-times", "the-civic-post"]
TOPICS = [
    ("budget", "The council debated the budget late into the night."),
    ("transit", "Commuters waited as the transit board met again."),
    ("housing", "Tenants asked the housing office for clearer rules."),
    ("schools", "Parents filled the hall to hear the schools plan."),
]


def article(date, title, paragraphs, byline="Staff Reporter", teasers=(), caption=None):
    lines = [f" date {date} {title}", "", byline, "\u00b73 min read"]
    if caption:
        lines += [caption[0], f"{caption[0]} - {caption[1]}"]
    lines.append("")
    for p in paragraphs:
        lines += [p, ""]
    if teasers:
        lines += ["Latest Stories", ""]
        for t, s in teasers:
            lines += [f"  \u2022 {t}", "", f"    {s}", ""]
    return "\n".join(lines) + "\n"


def write_archive(root):
    """Made-up articles over 14 months, four sources; one hostile article."""
    rnd = random.Random(7)
    start = datetime.date(2024, 1, 5)
    titles = []
    for i in range(120):
        topic, sentence = TOPICS[i % len(TOPICS)]
        src = SOURCES[rnd.randrange(len(SOURCES)) if i % 3 else 0]
        day = start + datetime.timedelta(days=int(rnd.random() * 400))
        title = f"{topic.capitalize()} update number {i}: the {src.replace('-', ' ')} reports"
        titles.append(title)
        paras = [
            sentence,
            f"Officials said the {topic} question would return next month, number {i}.",
            "Residents who spoke at the meeting asked for more notice and plainer figures.",
        ]
        teasers = [(titles[j], "A summary of an earlier story that was cut mid") for j in range(max(0, i - 2), i)]
        folder = os.path.join(root, src)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{i:03}_{topic}.txt"), "w", encoding="utf-8") as f:
            f.write(article(day.isoformat(), title, paras, teasers=teasers,
                            caption=(f"A {topic} meeting in the town hall", "Staff photo")))
    # One wire story printed by two outlets under their own headlines: a story with a copy.
    wire = [
        "Harbour pilots on the northern coast agreed a new night schedule after a long dispute "
        "over pay, rest and the safety of the narrow channel into the port.",
        "The agreement, reached after eleven hours of talks, keeps two pilots on every large "
        "ship at night and adds a third boat to the rota from the spring.",
        "Ship owners said the deal would cost them more but would end the delays that had left "
        "vessels waiting offshore for days during the winter storms.",
    ]
    for src, title in (("valley-times", "Pilots agree a night schedule"),
                       ("northern-ledger", "Harbour pilots strike a deal on night work")):
        with open(os.path.join(root, src, "800_pilots.txt"), "w", encoding="utf-8") as f:
            f.write(article("2024-03-04", title, wire))
    folder = os.path.join(root, "mischief-daily")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "900_hostile.txt"), "w", encoding="utf-8") as f:
        f.write(article("2024-06-10", HOSTILE_TITLE, HOSTILE_BODY.split("\n\n"),
                        byline="<b>By</b> \x1b[31mRed\x1b[0m",
                        teasers=[("<img src=x onerror=\"window.pwned=6\"> teaser", "javascript:window.pwned=7")]))



class Server:
    def __init__(self, binary, index):
        env = dict(os.environ, NEWSFIND_TODAY="2025-02-06")
        self.proc = subprocess.Popen(
            [binary, "serve", "--index", index, "--addr", "127.0.0.1:0"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True)
        deadline = time.time() + 30
        self.url = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if m:
                self.url = m.group(0)
                break
        if not self.url:
            self.stop()
            raise RuntimeError("the server printed no address")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def browser(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def main():
    binary, shots = sys.argv[1], sys.argv[2]
    os.makedirs(shots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="newsfind-browser-")
    server = driver = None
    try:
        archive = os.path.join(work, "archive")
        write_archive(archive)
        fixtures = os.path.join(REPO, "tests", "fixtures", "search", "archive")
        index = os.path.join(work, "index")
        bundled = os.path.join(REPO, "data")
        subprocess.run([binary, "index", archive, fixtures, bundled, "--index", index, "-q"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = Server(binary, index)
        driver = browser(os.path.join(work, "profile"))
        wait = WebDriverWait(driver, 15)
        css = lambda sel: driver.find_elements(By.CSS_SELECTOR, sel)

        def idle():
            """Waits for the page to finish loading its view (it sets data-busy)."""
            wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0")

        def check(cond, what):
            if not cond:
                raise AssertionError(what)
            print(f"ok: {what}")

        driver.get(server.url)
        idle()
        wait.until(lambda d: "The index holds" in d.find_element(By.ID, "about").text)
        check(True, "the start page shows what the index holds")

        # `/` focuses the box; type a query.
        driver.find_element(By.TAG_NAME, "body").send_keys("/")
        check(driver.switch_to.active_element.get_attribute("id") == "q", "/ focuses the search box")
        driver.switch_to.active_element.send_keys("budget", Keys.ENTER)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        check("q=budget" in driver.current_url, "the URL carries the query")
        check(len(css("#hits li")) == 20, "a first page of 20 hits")
        check(len(css("#hits mark")) > 0, "hits have marked words")
        check(re.search(r"\d+ matches", driver.find_element(By.ID, "status").text), "the status counts matches")
        bars = css("#chart svg .bar")
        check(len(bars) >= 10, f"the chart is drawn ({len(bars)} bars)")
        check(any(float(r.get_attribute("height")) > 0 for r in css("#chart svg rect.fill")), "some bars have height")
        check(len(css("#sources li a")) >= 3, "top sources are listed")
        check(any("teased in" in m.text for m in css("#hits .meta")), "hits say where they were teased")
        driver.save_screenshot(os.path.join(shots, "results.png"))

        # Paging.
        driver.find_element(By.LINK_TEXT, "Next \u2192").click()
        wait.until(lambda d: "offset=20" in d.current_url)
        idle()
        wait.until(lambda d: d.find_element(By.ID, "hits").get_attribute("start") == "21")
        check(True, "Next goes to the second page")
        driver.back()
        wait.until(lambda d: "offset=" not in d.current_url)
        idle()
        check(True, "back returns to the first page")

        # Click a source.
        first_source = css("#sources li a")[0]
        slug = first_source.text
        first_source.click()
        wait.until(lambda d: "source=" in d.current_url)
        idle()
        wait.until(lambda d: any(slug in c.text for c in d.find_elements(By.CSS_SELECTOR, ".chip")))
        metas = [m.text for m in css("#hits .meta")]
        check(metas and all(slug in m for m in metas), f"clicking source {slug} filters the hits to it")
        driver.back()
        wait.until(lambda d: "source=" not in d.current_url)
        idle()
        check(True, "back undoes the source filter")

        # Click a bar with matches.
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#chart svg .bar")) > 0)
        tall = [b for b in css("#chart svg .bar") if float(b.find_element(By.CSS_SELECTOR, "rect.fill").get_attribute("height")) > 0]
        label = tall[0].get_attribute("aria-label").split(":")[0]
        tall[0].click()
        wait.until(lambda d: "on=" + label in d.current_url)
        idle()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        dates = [m.text.split(" \u00b7 ")[0] for m in css("#hits .meta")]
        check(all(d.startswith(label) for d in dates), f"clicking the bar {label} filters to that period")
        driver.back()
        wait.until(lambda d: "on=" not in d.current_url)
        idle()

        # Hostile text stays text.
        box = driver.find_element(By.ID, "q")
        box.clear()
        box.send_keys("hostile", Keys.ENTER)
        wait.until(lambda d: "q=hostile" in d.current_url and len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        idle()
        title = css("#hits li h3 a")[0].text
        check("<script>" in title and "<img src=x" in title, "a hostile title is shown as text")
        css("#hits li h3 a")[0].click()
        wait.until(lambda d: d.find_element(By.ID, "doc").is_displayed())
        wait.until(lambda d: "javascript:" in d.find_element(By.ID, "doc").text)
        body = driver.find_element(By.CSS_SELECTOR, "#doc .body").text
        check("^[[2J" in body and "\x1b" not in body, "terminal escapes are shown in caret notation")
        check(len(css("#doc img, #doc iframe, #doc script, #doc svg, #hits img")) == 0, "no element came out of the text")
        links = [a.get_attribute("href") for a in css("a")]
        check(all(not h.lower().startswith("javascript:") for h in links if h), "no javascript: link")
        check(driver.execute_script("return window.pwned === undefined"), "no hostile script ran")
        driver.save_screenshot(os.path.join(shots, "hostile.png"))

        # An article with marks, captions and teasers.
        driver.get(server.url + "?q=budget+meeting")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        css("#hits li h3 a")[0].click()
        wait.until(lambda d: d.find_element(By.ID, "doc").is_displayed() and len(d.find_elements(By.CSS_SELECTOR, "#doc h1")) == 1)
        check("doc=" in driver.current_url, "the URL carries the article")
        check(len(css("#doc .body mark")) > 0, "the article's query words are marked")
        check(len(css("#doc .captions li")) > 0 and "Staff photo" in driver.find_element(By.CSS_SELECTOR, "#doc .captions").text, "captions with credits")
        teaser_links = css("#doc .teasers li a")
        check(len(teaser_links) > 0, "teasers link to archived articles")
        driver.save_screenshot(os.path.join(shots, "article.png"))
        before = driver.current_url
        teaser_links[0].click()
        wait.until(lambda d: d.current_url != before and len(d.find_elements(By.CSS_SELECTOR, "#doc h1")) == 1)
        idle()
        check(True, "a teaser opens its article")
        driver.back()
        driver.back()
        wait.until(lambda d: "doc=" not in d.current_url and len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        idle()
        check(True, "back from the article returns to the hits")

        # Copies of one story: folded into the best hit, named, and a click opens the copy.
        driver.get(server.url + "?q=pilots")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        idle()
        check(len(css("#hits li")) == 1, "two copies of a story show as one hit")
        check("2 matches in 1 story" in driver.find_element(By.ID, "status").text,
              "the status counts matches and stories")
        copy_lines = css("#hits .copies")
        check(len(copy_lines) == 1 and "and 1 copy:" in copy_lines[0].text, "the hit names its copy")
        driver.save_screenshot(os.path.join(shots, "copies.png"))
        copy_lines[0].find_element(By.TAG_NAME, "a").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#doc h1")) == 1)
        check(True, "the copy opens as an article")

        # Bad query: an error, not a blank page.
        box = driver.find_element(By.ID, "q")
        box.clear()
        box.send_keys('"unclosed', Keys.ENTER)
        wait.until(lambda d: "error" in (d.find_element(By.ID, "status").get_attribute("class") or ""))
        check("invalid query" in driver.find_element(By.ID, "status").text, "a bad query shows the server's message")

        # Phone width.
        driver.set_window_size(390, 844)
        driver.get(server.url + "?q=budget")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hits li")) > 0)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(overflow <= 1, f"no sideways scrolling at phone width (overflow {overflow}px)")
        driver.save_screenshot(os.path.join(shots, "phone.png"))

        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
        # The bad query's 400 is logged by the browser as a failed resource: expected.
        errors = [e for e in errors if "400" not in e["message"]]
        check(not errors, f"no console errors (CSP or script): {errors}")
        print(f"screenshots in {shots}")
        return 0
    except (AssertionError, TimeoutException) as err:
        print(f"FAILED: {err!r}")
        if driver:
            driver.save_screenshot(os.path.join(shots, "failure.png"))
            print(f"at {driver.current_url}; screenshot {shots}/failure.png")
        return 1
    finally:
        if driver:
            driver.quit()
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
