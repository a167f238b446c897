"""The live preview in a real browser (Debian's chromium, driven headless by selenium through the
system chromedriver): the page loads, frames arrive and change, a prompt typed in the page's box
changes the colour read back from the canvas within the documented number of blocks, and a
screenshot is saved. Run by scripts/browser-test (CI: scripts/test).

    FLOWRUN=.build/debug/flowrun python3 Tests/Browser/preview_browser_test.py [ARTIFACT_DIR]
"""
import json
import os
import shutil
import socket
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from preview_support import REPO, ServedRun, wait_for

BLOCK_FRAMES = 12
# docs: a prompt typed in the page shows in the video within this many blocks of the block being
# generated when it arrived (measured: see README "Live preview").
MAX_BLOCKS_TO_EFFECT = 4
PROMPT = "a large red circle moves right on a gray background"

# Mean colour of the whole canvas, read back through the 2D context.
MEAN_COLOUR_JS = """
const c = document.getElementById('video');
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let r = 0, g = 0, b = 0;
for (let i = 0; i < d.length; i += 4) { r += d[i]; g += d[i + 1]; b += d[i + 2]; }
const n = d.length / 4;
return [r / n, g / n, b / n, window.flowrunPreview.lastFrame, Array.from(d.slice(0, 4096))];
"""


def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    driver_path = shutil.which("chromedriver")
    if not options.binary_location or not driver_path:
        raise SystemExit("preview browser test: needs chromium and chromedriver (scripts/setup installs them)")
    return webdriver.Chrome(service=Service(driver_path), options=options)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gray_background(colour):
    """Dark blue background: blue far above red. Gray: red and blue close, red well up."""
    r, g, b = colour[:3]
    return r > 55 and abs(b - r) < 35


def main():
    artifacts = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "out", "browser-test"))
    os.makedirs(artifacts, exist_ok=True)
    # The browser starts first (it is the slow part), so the page opens as soon as the server listens.
    driver = browser()
    run = None
    try:
        run = ServedRun("Graphs/interactive.yaml", "--serve", f"127.0.0.1:{free_port()}", "--quiet",
                        "--set", "frames=1200", "--set", f"out={artifacts}/preview.mp4")
        driver.get(run.url)
        assert "flowrun" in driver.title, driver.title
        preview = lambda: driver.execute_script("return window.flowrunPreview")
        first = wait_for(lambda: preview()["framesDrawn"] > 0 and preview(), 120, "the first frame on the canvas")
        print(f"page loaded; first frame {first['lastFrame']} drawn")

        # Frames arrive and change: a block later, the index and the pixels differ.
        before = driver.execute_script(MEAN_COLOUR_JS)
        wait_for(lambda: preview()["lastFrame"] >= before[3] + BLOCK_FRAMES, 60, "a block of new frames")
        after = driver.execute_script(MEAN_COLOUR_JS)
        assert after[4] != before[4], "the canvas did not change between frames"
        assert not gray_background(after), f"background already gray before the prompt: {after[:3]}"
        print(f"frames change: frame {before[3]} -> {after[3]}, mean colour {[round(c) for c in after[:3]]}")

        # The graph's timeline switches at frame 240 (block 20); a typed prompt holds until then.
        wait_for(lambda: preview()["status"], 10, "the first status")
        assert preview()["status"]["lastBlock"] < 20 - MAX_BLOCKS_TO_EFFECT - 2, "the page came up too late to test before block 20"
        box = driver.find_element(By.ID, "prompt")
        box.send_keys(PROMPT)
        block_at_submit = preview()["status"]["lastBlock"]
        driver.find_element(By.ID, "switch").click()
        wait_for(lambda: any(m.get("type") == "ack" for m in preview()["messages"]), 10, "the server's ack")
        print(f"typed '{PROMPT}' while block {block_at_submit} was being generated")

        changed = wait_for(lambda: (lambda c: gray_background(c) and c)(driver.execute_script(MEAN_COLOUR_JS)),
                           120, "the canvas to turn gray")
        drawn_generation = preview()["lastGeneration"]
        history = wait_for(lambda: (lambda h: [p for p in h if p["mode"] == "live" and p.get("block") is not None])(preview()["status"]["prompts"]),
                           10, "the typed prompt in the history")
        live = history[-1]
        # Blocks counted by the denoiser (output frame numbers skip the blocks a switch flushes).
        blocks = live["block"] - block_at_submit
        print(f"canvas mean colour {[round(c) for c in changed[:3]]} at output frame {changed[3]} (made under prompt "
              f"generation {drawn_generation}); the typed prompt (generation {live['generation']}) is in effect from block "
              f"{live['block']}: {blocks} block(s) after the block being generated at the click; its first frame reached "
              f"the output {live.get('latencyMs', 0) / 1000:.2f} s after it left the prompt source")
        assert live["text"] == PROMPT, history
        assert drawn_generation >= live["generation"], "the canvas turned gray under the old prompt"
        assert blocks <= MAX_BLOCKS_TO_EFFECT, f"took {blocks} blocks, documented at most {MAX_BLOCKS_TO_EFFECT}"

        time.sleep(1.0)  # let the status table catch up for the picture
        shot = os.path.join(artifacts, "preview.png")
        driver.save_screenshot(shot)
        print(f"screenshot: {shot}")

        metrics = urllib.request.urlopen(run.url + "metrics", timeout=10).read().decode()
        assert 'flowrun_prompt_switches_total{source="live"} 1' in metrics, metrics
        assert "flowrun_block_latency_seconds_bucket" in metrics and "flowrun_queue_depth{" in metrics
    finally:
        driver.quit()
        status = run.interrupt() if run else None
    print(run.log())
    assert status == 130, f"flowrun exit status {status} after Ctrl-C"
    assert os.path.getsize(os.path.join(artifacts, "preview.mp4")) > 0
    print("preview browser test: ok")


if __name__ == "__main__":
    main()
