"""eval_flowrun without flowrun: the wrapper graph it writes, its --param typing, the ffmpeg decode, and the whole
loop against a stand-in flowrun that renders the world's truth (numpy, yaml and the ffmpeg CLI; a few seconds)."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np  # noqa: E402
import yaml  # noqa: E402

import eval_flowrun as ef  # noqa: E402
import world  # noqa: E402

HAVE_FFMPEG = shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def encode(frames: np.ndarray, path: str, codec_args: list[str]):
    """uint8 [T, H, W, 3] -> a file, with ffmpeg itself."""
    t, h, w, _ = frames.shape
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
                    "-r", "16", "-i", "-", *codec_args, path], input=frames.tobytes(), check=True)


class WrapperGraphTests(unittest.TestCase):
    TIMELINE = [(0, 'a large red circle moves right on a dark blue background'),
                (84, 'say "hi": a small {green} ball, bounces\\ on #gray')]

    def graph(self, **extra):
        params = dict(model="/m/world-tiny", frames=156, seed=7, out="/tmp/x/frame_%05d.png", **extra)
        return yaml.safe_load(ef.wrapper_graph(self.TIMELINE, "Graphs/lib/generate-video.yaml", params))

    def test_the_wrapper_feeds_the_timeline_through_the_text_encoder_into_the_include(self):
        g = self.graph()
        self.assertEqual(g["version"], 1)
        nodes = g["nodes"]
        self.assertEqual(nodes["prompts"]["type"], "prompt.source")
        self.assertEqual(nodes["prompts"]["terminal"], "off")
        self.assertEqual(nodes["text"]["inputs"], {"prompt": "prompts.prompt"})
        self.assertEqual(nodes["gen"]["inputs"], {"text": "text.embedding"})
        self.assertTrue(os.path.isabs(nodes["gen"]["include"]))
        self.assertTrue(nodes["gen"]["include"].endswith("Graphs/lib/generate-video.yaml"))

    def test_prompts_keep_their_frames_and_text_whatever_characters_they_hold(self):
        tl = self.graph()["nodes"]["prompts"]["timeline"]
        self.assertEqual([(e["at"], e["text"]) for e in tl], self.TIMELINE)

    def test_params_and_extra_params_reach_the_include_typed(self):
        extra = ef.parse_params(["N=4", "beams=2", "quantize=int8", "steps=[1000, 500]", "rate=0.5"])
        p = self.graph(**extra)["nodes"]["gen"]["params"]
        self.assertEqual(p, dict(model="/m/world-tiny", frames=156, seed=7, out="/tmp/x/frame_%05d.png",
                                 N=4, beams=2, quantize="int8", steps=[1000, 500], rate=0.5))

    def test_a_bad_or_clashing_param_is_refused(self):
        with self.assertRaises(ValueError):
            ef.parse_params(["N"])
        with self.assertRaises(ValueError):
            ef.parse_params(["seed=3"])         # the wrapper's own: --noise_seeds

    def test_a_real_two_prompt_script_becomes_its_timeline(self):
        frames = ef.clip_frames(10)
        self.assertEqual(frames, 156)          # whole blocks, as eval_world
        sc = next(s for s in ef.make_scripts(40, ef.SELECTION_SEED0, frames, "train") if len(s.segments) == 2)
        g = yaml.safe_load(ef.wrapper_graph(sc.prompts(), ef.DEFAULT_LIB, dict(frames=frames)))
        tl = g["nodes"]["prompts"]["timeline"]
        self.assertEqual([e["at"] for e in tl], [s.start for s in sc.segments])
        self.assertEqual(tl[1]["at"] % world.BLOCK_FRAMES, 0)


class ScriptTests(unittest.TestCase):
    def test_both_alternates_the_two_training_vocabularies(self):
        both = ef.make_scripts(4, 123, 96, "both")
        for i, sc in enumerate(both):
            split = ["train", "extra"][i % 2]
            self.assertEqual(sc.prompts(), world.make_script(123 + i, 96, split=split).prompts())

    def test_the_vocabulary_changes_the_words_not_the_script(self):
        a, b = ef.make_scripts(3, 9, 96, "train"), ef.make_scripts(3, 9, 96, "extra")
        self.assertEqual([world.truth(s) for s in a], [world.truth(s) for s in b])
        self.assertNotEqual([s.prompts() for s in a], [s.prompts() for s in b])

    def test_capture_finds_lines_by_any_pattern(self):
        log = "a\n[gen/search] kept 2 of 4\nb\n[gen/spec] accepted 3 blocks\n"
        self.assertEqual(ef.capture_lines(log, ["kept", r"accepted \d"]),
                         ["[gen/search] kept 2 of 4", "[gen/spec] accepted 3 blocks"])
        self.assertEqual(ef.capture_lines(log, []), [])


@unittest.skipUnless(HAVE_FFMPEG, "needs the ffmpeg and ffprobe CLIs")
class DecodeTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.frames = world.render(world.make_script(5, 24), 0, 6)
        self.addCleanup(shutil.rmtree, self.dir)

    def test_lossless_x264rgb_round_trips(self):
        path = os.path.join(self.dir, "clip.mkv")
        encode(self.frames, path, ["-c:v", "libx264rgb", "-qp", "0"])
        got = ef.decode_frames(path)
        self.assertEqual(got.shape, (6, world.H, world.W, 3))
        self.assertEqual(got.dtype, np.uint8)
        self.assertTrue(np.array_equal(got, self.frames))

    def test_a_png_sequence_round_trips(self):
        path = os.path.join(self.dir, "frame_%05d.png")
        encode(self.frames, path, ["-start_number", "0"])
        self.assertTrue(np.array_equal(ef.decode_frames(path), self.frames))

    def test_a_clip_of_another_size_is_refused(self):
        path = os.path.join(self.dir, "small.mkv")
        encode(np.zeros((2, 32, 32, 3), np.uint8), path, ["-c:v", "libx264rgb", "-qp", "0"])
        with self.assertRaises(ValueError):
            ef.decode_frames(path)


FAKE_FLOWRUN = '''\
#!{python}
"""Stands in for flowrun: reads the wrapper graph and writes the true frames of the script whose prompts it
carries, as a PNG sequence; prints a line to capture; fails when FAKE_FAIL is set."""
import os, subprocess, sys
import yaml
sys.path.insert(0, {training!r})
import world
g = yaml.safe_load(open(sys.argv[1]))
if os.environ.get("FAKE_FAIL"):
    print("[gen/denoise] error: something broke")
    sys.exit(3)
timeline = [(e["at"], e["text"]) for e in g["nodes"]["prompts"]["timeline"]]
p = g["nodes"]["gen"]["params"]
seed0, n = int(os.environ["FAKE_SEED0"]), int(os.environ["FAKE_N"])
script = next(s for s in (world.make_script(seed0 + i, p["frames"]) for i in range(n)) if s.prompts() == timeline)
frames = world.render(script, 0, p["frames"] + 4)      # a library may round up; eval judges the frames asked for
os.makedirs(os.path.dirname(p["out"]), exist_ok=True)
subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x64", "-r", "16",
                "-i", "-", "-start_number", "0", p["out"]], input=frames.tobytes(), check=True)
print("[gen/search] kept 2 of 4, args", " ".join(sys.argv[2:]))
'''


@unittest.skipUnless(HAVE_FFMPEG, "needs the ffmpeg and ffprobe CLIs")
class LoopTests(unittest.TestCase):
    SEED0, N = 7_000, 2

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        self.fake = os.path.join(self.dir, "flowrun")
        with open(self.fake, "w") as f:
            f.write(FAKE_FLOWRUN.format(python=sys.executable, training=os.path.dirname(ef.__file__)))
        os.chmod(self.fake, os.stat(self.fake).st_mode | stat.S_IXUSR)
        os.environ.update(FAKE_SEED0=str(self.SEED0), FAKE_N=str(self.N))
        self.addCleanup(os.environ.pop, "FAKE_FAIL", None)

    def run_eval(self, *extra):
        out = os.path.join(self.dir, "eval.json")
        summary = ef.main(["--flowrun", self.fake, "--n", str(self.N), "--seed0", str(self.SEED0), "--seconds", "4",
                           "--capture", "kept", "--flowrun_args=--stats", "--out", out, *extra])
        return summary, out

    def test_true_frames_score_as_true_and_every_run_is_recorded(self):
        summary, out = self.run_eval("--noise_seeds", "0,1", "--jobs", "2")
        self.assertEqual(summary["n_runs"], 4)
        self.assertEqual(summary["all"]["colour"], 1.0)
        self.assertEqual(summary["frames"], 4 * (60 + 4))
        res = json.load(open(out))
        self.assertEqual([(r["seed"], r["noise_seed"]) for r in res["runs"]],
                         [(7000, 0), (7000, 1), (7001, 0), (7001, 1)])
        self.assertEqual(res["runs"][0]["captured"], ["[gen/search] kept 2 of 4, args --stats"])
        self.assertEqual(res["clip_frames"], 60)          # whole blocks
        self.assertIn("single", res["summary"])
        self.assertIn("frames/s", ef.format_table(summary))

    def test_a_failing_run_names_its_script_and_shows_the_log(self):
        os.environ["FAKE_FAIL"] = "1"
        with self.assertRaises(SystemExit) as cm:
            self.run_eval()
        msg = str(cm.exception)
        self.assertIn("script seed 7000", msg)
        self.assertIn("exited 3", msg)
        self.assertIn("something broke", msg)
        shutil.rmtree(msg.rsplit("wrappers kept in ", 1)[1].rstrip(")"), ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
