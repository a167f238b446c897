"""eval_memory without flowrun or torch: latent frames to segments, recall on a synthetic memory log, identity and
persistence on synthetic and true analyzer readings, the return scripts, config resolution, tables, windowed
decoding, and the whole loop against a stand-in flowrun that writes the world's truth (and a memory log)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np  # noqa: E402

import analyzer  # noqa: E402
import eval_memory as em  # noqa: E402
import world  # noqa: E402

HAVE_FFMPEG = shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def ret(seed=7, seg_frames=72, **kw):
    return em.return_script(seed, seg_frames, **kw)


class LatentSegmentTests(unittest.TestCase):
    def test_a_latent_frame_belongs_to_the_segment_of_its_first_video_frame(self):
        sc = ret()                                  # segments start at video frames 0, 72, 144
        self.assertEqual([s.start for s in sc.segments], [0, 72, 144])
        self.assertEqual([em.latent_segment(sc, p) for p in (0, 17, 18, 35, 36, 53)], [0, 0, 1, 1, 2, 2])

    def test_candidates_are_the_evicted_non_sink_frames_less_the_newest(self):
        # before block b the cache holds the sink and [3b-6, 3b); the 5 newest evicted are left out
        self.assertEqual(em.candidate_range(10), (3, 19))
        self.assertEqual(em.candidate_range(5), (3, 4))
        self.assertEqual(em.candidate_range(4), (3, 3))      # nothing yet
        self.assertEqual(em.candidate_range(10, exclude_recent=0), (3, 24))


class RecallTests(unittest.TestCase):
    def setUp(self):
        self.sc = ret()          # latent frames 0-17: A, 18-35: B, 36-53: A' (the same scene as A)

    def test_recall_top1_and_chance_by_segment_and_by_scene(self):
        log = "\n".join(json.dumps(e) for e in [
            # block 10 (query 29, in B): candidates 3..18 -> A 3..17 and B 18; two B frames retrieved (18, and 25
            # which widens the candidates to 3..25), best score on 18
            dict(block=10, query_position=29, retrieved=[4, 18, 25], scores=[0.1, 0.9, 0.5]),
            # block 14 (query 41, in A'): candidates 3..30, all A or B; A frames are the same scene, not segment
            dict(block=14, query_position=41, retrieved=[5, 6, 20], scores=[0.8, 0.7, 0.6]),
            dict(block=3, query_position=8, retrieved=[], scores=[]),
        ]) + "\nnot json\n"
        entries, bad = em.parse_memory_log(log)
        self.assertEqual((len(entries), bad), (3, 1))
        st = em.recall_stats(entries, self.sc)
        self.assertEqual(st["counts"], dict(entries=3, empty=1, retrieved=6))
        seg = st["segment"]
        # block 10 is mixed by segment (A and B candidates); block 14 is not (no A' frame is a candidate)
        self.assertEqual(seg["recall"], [2 / 3, 1])
        self.assertEqual(seg["top1"], [1.0, 1])
        self.assertAlmostEqual(seg["chance"][0], 8 / 23)     # 18..25 of 3..25
        self.assertEqual(seg["ideal"], [1.0, 1])
        self.assertEqual(st["segment_all"]["recall"][1], 2)
        self.assertAlmostEqual(st["segment_all"]["recall"][0], 2 / 3)
        # by scene, block 14 is mixed (A = A' and B candidates) and retrieves two of the scene, best first
        sc = st["scene"]
        self.assertEqual(sc["recall"][1], 2)
        self.assertAlmostEqual(sc["recall"][0], 2 / 3 + 2 / 3)
        self.assertEqual(sc["top1"], [2.0, 2])
        rates = em.merge_recall([st, st])
        self.assertAlmostEqual(rates["segment"]["recall"], 2 / 3)
        self.assertEqual(rates["segment"]["blocks"], 2)
        self.assertEqual(rates["counts"]["retrieved"], 12)

    def test_descriptors_that_know_the_scene_retrieve_it(self):
        keys = sorted({em.scene_key(s) for s in self.sc.segments})
        n = self.sc.frames // world.FRAMES_PER_LATENT
        desc = np.zeros((n, len(keys)))
        for p in range(n):
            desc[p, keys.index(em.scene_key(self.sc.segments[em.latent_segment(self.sc, p)]))] = 1.0
        entries = em.simulate_retrieval(desc, k=3)
        for e in entries:
            lo, hi = em.candidate_range(e["block"])
            self.assertTrue(all(lo <= p < hi for p in e["retrieved"]))
            self.assertEqual(e["query_position"], 3 * e["block"] - 1)
        rates = em.merge_recall([em.recall_stats(entries, self.sc)])
        # fewer than k frames of the scene may be candidates (early in B): a perfect retriever reaches `ideal`
        self.assertLess(rates["scene"]["ideal"], 1.0)
        self.assertAlmostEqual(rates["scene"]["recall"], rates["scene"]["ideal"])
        self.assertEqual(rates["scene"]["top1"], 1.0)
        self.assertLess(rates["scene"]["chance"], rates["scene"]["recall"])


def frame(objs=None, bg="black"):
    """A synthetic analyzer reading: objs {colour: (shape, area)}."""
    return dict(bg=bg, objs={c: dict(shape=s, area=float(a), x=30.0, y=30.0) for c, (s, a) in (objs or {}).items()})


class IdentityTests(unittest.TestCase):
    def test_the_first_appearance_is_the_usual_largest_object(self):
        an = [frame({"red": ("circle", 80), "blue": ("square", 20)})] * 6 + [frame({"blue": ("square", 30)})] * 2 \
            + [frame({"red": ("square", 100)})] * 2 + [frame()] * 3
        ref = em.first_appearance(an, 0, len(an))
        self.assertEqual((ref["colour"], ref["shape"], ref["frames"], ref["of"]), ("red", "circle", 8, 13))
        self.assertEqual(ref["area"], 80.0)
        self.assertIsNone(em.first_appearance([frame()] * 4, 0, 4))

    def test_size_class_reads_the_radius_from_the_area(self):
        for shape in world.SHAPES:
            for size, r in world.SIZES.items():
                self.assertEqual(em.size_class(analyzer._AREA[shape](r), shape), size)

    def test_identity_needs_colour_shape_and_area(self):
        ref = dict(colour="red", shape="circle", area=80.0)
        same = [frame({"red": ("circle", 90)})] * 4
        self.assertTrue(em.identity_window(same, ref, 1.5)["all"])
        self.assertFalse(em.identity_window([frame({"red": ("circle", 130)})] * 4, ref, 1.5)["size"])
        self.assertFalse(em.identity_window([frame({"red": ("square", 80)})] * 4, ref, 1.5)["all"])
        half = [frame({"red": ("circle", 80)})] * 1 + [frame()] * 3
        self.assertFalse(em.identity_window(half, ref, 1.5)["colour"])
        self.assertFalse(em.identity_window(same, None, 1.5)["all"])
        self.assertTrue(em.identity_frame(same[0], ref, 1.5))
        self.assertFalse(em.identity_frame(frame({"blue": ("circle", 80)}), ref, 1.5))

    def test_mark_metrics_count_windows_and_frames(self):
        truth = dict(start=0, bg="black", kind="start",
                     objs=[dict(colour="red", shape="circle", size="large", motion="still")])
        ref = dict(colour="red", shape="circle", area=80.0)
        an = [frame({"red": ("circle", 80)})] * 32 + [frame({"red": ("square", 200)})] * 16 + [frame()] * 16
        m = em.mark_metrics(an, 1000, truth, ref, 1.5)
        self.assertEqual((m["windows"], m["frames"]), (2, 64))
        self.assertEqual((m["colour"], m["shape"], m["identity"]), (2, 1, 1))
        self.assertEqual((m["present"], m["persistence"], m["id_frames"]), (48, 48, 32))
        self.assertEqual(m["area_ratio"], 1.0)

    def test_true_frames_of_a_long_script_are_consistent_at_any_mark(self):
        sc = em.long_script(em.SELECTION_SEED0 + 3, 480)
        self.assertEqual(len(sc.segments), 1)
        self.assertEqual(len(sc.segments[0].objs), 1)
        an = analyzer.analyze(world.render(sc, 0, 160))
        ref = em.first_appearance(an, analyzer.EVAL_SKIP, 160)
        o = sc.segments[0].objs[0]
        self.assertEqual((ref["colour"], ref["shape"]), (o.colour, o.shape))
        span = analyzer.analyze(world.render(sc, 384, 96))
        m = em.mark_metrics(span, 384, world.truth(sc)[0], ref, 1.5)
        self.assertEqual(m["windows"], 3)
        self.assertEqual((m["colour"], m["shape"], m["identity"], m["present"]), (3, 3, 3, 96))

    def test_a_segment_that_started_before_the_span_expects_a_finished_grow_to_be_still(self):
        seg = dict(start=0, bg="black", kind="start", objs=[dict(colour="red", shape="circle", size="large",
                                                                 motion="grow")])
        lt = em.local_truth(seg, 500, 532)
        self.assertEqual((lt["start"], lt["objs"][0]["motion"]), (0, "still"))
        self.assertEqual(em.local_truth(dict(seg, start=600), 500, 600)["start"], 100)


class ReturnScriptTests(unittest.TestCase):
    def test_a_prime_repeats_a_and_b_replaces_the_object(self):
        for seed in range(em.SEED0, em.SEED0 + 30):
            sc = em.return_script(seed, 320)
            a, b, a2 = sc.segments
            self.assertEqual([s.start for s in sc.segments], [0, 312, 624])
            self.assertEqual(sc.frames, 936)
            ta, tb, ta2 = world.truth(sc)
            self.assertEqual(ta["objs"], ta2["objs"])
            self.assertEqual(a2.prompt, a.prompt)
            self.assertEqual(a.bg, b.bg)
            oa, ob = a.objs[0], b.objs[0]
            self.assertNotEqual(oa.colour, ob.colour)
            self.assertNotEqual(oa.shape, ob.shape)
            self.assertNotEqual(oa.size, ob.size)
            self.assertNotIn(oa.motion, ("grow", "shrink"))
            self.assertEqual(b.kind, "colour")

    def test_colour_mode_recolours_the_same_object(self):
        sc = em.return_script(em.SEED0 + 1, 96, b_kind="colour")
        oa, ob, oa2 = (s.objs[0] for s in sc.segments)
        self.assertEqual((ob.shape, ob.size), (oa.shape, oa.size))
        self.assertNotEqual(ob.colour, oa.colour)
        self.assertEqual(world.truth(sc)[0]["objs"], world.truth(sc)[2]["objs"])

    def test_rephrasing_keeps_the_attributes_and_the_script_is_deterministic(self):
        s1 = em.return_script(em.SEED0 + 2, 96, rephrase=True)
        s2 = em.return_script(em.SEED0 + 2, 96)
        self.assertEqual(world.truth(s1), world.truth(s2))
        self.assertEqual(em.return_script(em.SEED0 + 2, 96).prompts(), s2.prompts())
        with self.assertRaises(ValueError):
            em.return_script(1, 96, b_kind="motion")


PLAIN_LIB = """\
# a comment
version: 1
name: plain
params:
  model: { type: path }
  frames: { type: int }
  seed: { type: int, default: 0 }
  sink_update: { type: string, default: keep }
  positions: { type: string, default: absolute }
  quantize: { type: string, default: none }
  out: { type: path }
inputs: [text]
nodes:
  kv: { type: cache.manager, model: ${model}, sink_update: ${sink_update} }
"""
RAG_LIB = PLAIN_LIB.replace("name: plain", "name: rag").replace(
    "  out: { type: path }", "  k: { type: int, default: 3 }\n  exclude_recent: { type: int, default: 5 }\n"
    "  memory_log: { type: path, default: \"\" }\n  out: { type: path }")
OLD_LIB = PLAIN_LIB.replace("  positions: { type: string, default: absolute }\n", "")


class ConfigTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        self.libs = {}
        for kind, text in (("plain", PLAIN_LIB), ("rag", RAG_LIB), ("old", OLD_LIB)):
            self.libs[kind] = os.path.join(self.dir, kind + ".yaml")
            with open(self.libs[kind], "w") as f:
                f.write(text)
        self.declared = {p: em.lib_params(p) for p in self.libs.values()}

    def resolve(self, names, pairs=(), old=False):
        libs = dict(plain=self.libs["old" if old else "plain"], rag=self.libs["rag"])
        return em.resolve_configs(names, libs, em.parse_overrides(list(pairs)), self.declared)

    def test_a_library_with_substitutions_declares_its_params(self):
        self.assertEqual(self.declared[self.libs["rag"]]["exclude_recent"], 5)
        self.assertIn("positions", self.declared[self.libs["plain"]])

    def test_the_six_configs(self):
        cfg, notes = self.resolve(list(em.CONFIGS))
        self.assertEqual(notes, [])
        self.assertEqual(cfg["absolute"]["params"], dict(positions="absolute", sink_update="keep"))
        self.assertEqual(cfg["infinity-ema"]["params"], dict(positions="infinity", sink_update="ema"))
        self.assertEqual((cfg["rag"]["kind"], cfg["rag"]["lib"]), ("rag", self.libs["rag"]))

    def test_overrides_go_where_they_are_declared_or_named(self):
        cfg, _ = self.resolve(["absolute", "rag", "rag-ema"], ["k=6", "quantize=int8", "rag-ema:exclude_recent=2"])
        self.assertEqual(cfg["absolute"]["params"], dict(positions="absolute", sink_update="keep", quantize="int8"))
        self.assertEqual(cfg["rag"]["params"]["k"], 6)
        self.assertNotIn("exclude_recent", cfg["rag"]["params"])
        self.assertEqual(cfg["rag-ema"]["params"]["exclude_recent"], 2)
        self.assertEqual(em.cfg_exclude_recent(dict(cfg["rag"], defaults=self.declared[self.libs["rag"]])), 5)
        self.assertEqual(em.cfg_exclude_recent(cfg["rag-ema"]), 2)

    def test_an_old_library_runs_absolute_but_not_infinity(self):
        cfg, notes = self.resolve(["absolute", "absolute-ema"], old=True)
        self.assertEqual(cfg["absolute"]["params"], dict(sink_update="keep"))
        self.assertEqual(len(notes), 2)
        with self.assertRaises(ValueError):
            self.resolve(["infinity"], old=True)

    def test_bad_configs_and_params_are_refused(self):
        for names, pairs in ((["nope"], []), (["absolute"], ["k=3"]), (["absolute"], ["frames=3"]),
                             (["absolute"], ["memory_log=x"]), (["absolute"], ["nope:k=3"]), (["absolute"], ["k"])):
            with self.assertRaises(ValueError, msg=(names, pairs)):
                self.resolve(names, pairs)
        with self.assertRaises(ValueError):
            em.resolve_configs(["rag"], dict(plain=self.libs["plain"], rag="/nonexistent.yaml"), [], self.declared)


class TableTests(unittest.TestCase):
    def long_result(self):
        mk = dict(mark_frame=960, span=[480, 960], windows=15, colour=15, shape=12, motion=3, all=3, identity=10,
                  frames=480, present=480, persistence=470, id_frames=300, area_ratio=1.1)
        runs = [dict(config=c, seed=s, noise_seed=0, wall_s=10.0, no_ref=False, marks={"1": mk, "10": mk})
                for c in ("absolute", "rag") for s in (1, 2)]
        runs.append(dict(config="rag", seed=3, noise_seed=0, wall_s=1.0, error="RuntimeError: flowrun exited 2"))
        return dict(measurement="long", description="d", configs={"absolute": {}, "rag": {}}, notes=["n1"],
                    runs=runs, video="mp4")

    def test_long_rows_pool_the_scripts_per_config_and_mark(self):
        res = self.long_result()
        s = em.summarize(res)
        self.assertEqual(s["failed"], 1)
        self.assertEqual([(r["config"], r["mark"]) for r in s["rows"]],
                         [("absolute", "1"), ("absolute", "10"), ("rag", "1"), ("rag", "10")])
        r = s["rows"][0]
        self.assertEqual((r["scripts"], r["windows"], r["frames"]), (2, 30, 960))
        self.assertAlmostEqual(r["shape"], 0.8)
        self.assertAlmostEqual(r["persistence"], 470 / 480)
        text = em.format_tables(res)
        self.assertIn("| absolute | 10 min | 2 | 30 | 100.0% | 80.0% | 20.0% | 20.0% | 100.0% | 97.9% | 66.7% |"
                      " 62.5% | 1.10 |", text)
        self.assertIn("1 run(s) failed", text)
        self.assertIn("note: n1", text)
        self.assertIn("MP4", text)

    def test_return_and_recall_tables(self):
        seg = dict(windows=8, colour=8, shape=4, motion=6, all=2)
        rec = dict(config="rag", seed=1, noise_seed=0, wall_s=5.0,
                   match=dict(all=True, colour=True, shape=True, size=True, size_class=True, area_ratio=0.9),
                   truth_a=dict(colour=True, shape=True, size=True), truth_back=dict(colour=True, shape=False, size=True),
                   segments=[seg, seg, seg], delays=[dict(kind="colour", delay=4), dict(kind="colour", delay=None)],
                   persistence=0.9,
                   recall=em.recall_stats([dict(block=10, query_position=29, retrieved=[18, 4], scores=[0.9, 0.1])],
                                          ret()))
        res = dict(measurement="return", configs={"rag": {}}, runs=[rec],
                   true_clips={"model": [rec["recall"]]})
        s = em.summarize(res)
        row = s["rows"][0]
        self.assertEqual((row["all"], row["truth_back"], row["switch_B"], row["switch_A'"]), (1.0, 0.0, 1.0, 0.0))
        self.assertEqual(row["A'"]["all"], 0.25)
        self.assertEqual([r["source"] for r in s["recall"]], ["rag", "true clips, model descriptor"])
        text = em.format_tables(res)
        self.assertIn("| rag | 1 | 100.0% | 100.0% | 100.0% | 100.0% | 100.0% | 0.90 | 100.0% | 0.0% |", text)
        self.assertIn("| rag | 1 | 1 | 50.0% |", text)
        self.assertIn("| true clips, model descriptor | 1 | 1 | 50.0% |", text)

    def test_table_mode_reprints_a_saved_result(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        path = os.path.join(d, "r.json")
        with open(path, "w") as f:
            json.dump(self.long_result(), f)
        out = subprocess.run([sys.executable, em.__file__, "--table", path], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("| rag | 1 min | 2 |", out.stdout)


def encode(frames, path, args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x64", "-r", "16",
                    "-i", "-", *args, path], input=frames.tobytes(), check=True)


@unittest.skipUnless(HAVE_FFMPEG, "needs the ffmpeg and ffprobe CLIs")
class DecodeWindowTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        self.frames = world.render(em.long_script(5, 240), 0, 240)

    def test_a_window_of_an_mp4_is_that_slice_of_the_whole_decode(self):
        path = os.path.join(self.dir, "v.mp4")
        encode(self.frames, path, [])               # x264 at its defaults, as video.encoder writes it
        whole = em.ef.decode_frames(path)
        for f0, n in ((0, 20), (37, 32), (200, 40)):
            self.assertTrue(np.array_equal(em.decode_window(path, f0, n), whole[f0:f0 + n]), (f0, n))
        with self.assertRaises(RuntimeError):
            em.decode_window(path, 230, 20)         # past the end

    def test_a_window_of_a_png_sequence_is_exact(self):
        path = os.path.join(self.dir, "frame_%05d.png")
        encode(self.frames[:50], path, ["-start_number", "0"])
        self.assertTrue(np.array_equal(em.decode_window(path, 13, 20), self.frames[13:33]))


FAKE_FLOWRUN = '''\
#!{python}
"""Stands in for flowrun: writes the true frames of the pickled script whose prompts the wrapper carries and, when
the library has a memory_log, what a retriever that knows the scenes retrieves."""
import json, pickle, subprocess, sys
import numpy as np
import yaml
sys.path.insert(0, {training!r})
import eval_memory as em
import world
g = yaml.safe_load(open(sys.argv[1]))
timeline = [(e["at"], e["text"]) for e in g["nodes"]["prompts"]["timeline"]]
p = g["nodes"]["gen"]["params"]
script = next(s for s in pickle.load(open({scripts!r}, "rb")) if s.prompts() == timeline and s.frames == p["frames"])
frames = world.render(script, 0, p["frames"])
args = ["-start_number", "0"] if "%" in p["out"] else []
if "%" in p["out"]:
    import os; os.makedirs(os.path.dirname(p["out"]), exist_ok=True)
subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x64", "-r", "16",
                "-i", "-", *args, p["out"]], input=frames.tobytes(), check=True)
if p.get("memory_log"):
    keys = sorted(set(em.scene_key(s) for s in script.segments))
    n = p["frames"] // 4
    desc = np.zeros((n, len(keys)))
    for q in range(n):
        desc[q, keys.index(em.scene_key(script.segments[em.latent_segment(script, q)]))] = 1
    with open(p["memory_log"], "w") as f:
        for e in em.simulate_retrieval(desc, p.get("k", 3)):
            f.write(json.dumps(e) + "\\n")
print("[gen/video] wrote", p["frames"], "frames; params", json.dumps(p, sort_keys=True))
'''


@unittest.skipUnless(HAVE_FFMPEG, "needs the ffmpeg and ffprobe CLIs")
class LoopTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        self.scripts = os.path.join(self.dir, "scripts.pkl")
        self.fake = os.path.join(self.dir, "flowrun")
        with open(self.fake, "w") as f:
            f.write(FAKE_FLOWRUN.format(python=sys.executable, training=os.path.dirname(em.__file__),
                                        scripts=self.scripts))
        os.chmod(self.fake, os.stat(self.fake).st_mode | stat.S_IXUSR)
        for kind, text in (("plain", PLAIN_LIB), ("rag", RAG_LIB)):
            with open(os.path.join(self.dir, kind + ".yaml"), "w") as f:
                f.write(text)

    def run_em(self, *argv):
        a = em.parse_args(list(argv))
        with open(self.scripts, "wb") as f:
            pickle.dump(em.make_scripts(a), f)
        out = os.path.join(self.dir, "out.json")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            res = em.main([*argv, "--flowrun", self.fake, "--lib_plain", os.path.join(self.dir, "plain.yaml"),
                           "--lib_rag", os.path.join(self.dir, "rag.yaml"), "--out", out])
        with open(out) as f:
            self.assertEqual(json.load(f)["summary"], json.loads(json.dumps(res["summary"])))
        return res

    def test_true_return_scenes_match_and_rag_runs_report_recall(self):
        res = self.run_em("return", "--segment_s", "4", "--n", "1", "--configs", "absolute,rag", "--param", "k=2")
        self.assertEqual([r["config"] for r in res["runs"]], ["absolute", "rag"])
        for r in res["runs"]:
            self.assertNotIn("error", r, r.get("error"))
            self.assertTrue(r["match"]["all"])
            self.assertIn('"positions": "absolute"' if r["config"] == "absolute" else '"k": 2', r["log_tail"])
            self.assertIn("flowrun", r["command"])
        rag = res["runs"][1]
        self.assertEqual(rag["memory_log"]["bad_lines"], 0)
        rows = {r["config"]: r for r in res["summary"]["rows"]}
        self.assertEqual((rows["absolute"]["all"], rows["absolute"]["truth_back"]), (1.0, 1.0))
        rec = res["summary"]["recall"][0]
        self.assertEqual(rec["source"], "rag")
        self.assertAlmostEqual(rec["scene"]["recall"], rec["scene"]["ideal"])
        self.assertEqual(rec["scene"]["top1"], 1.0)
        self.assertIn("Retrieval", em.format_tables(res))

    def test_a_long_run_is_read_at_its_marks_from_the_mp4(self):
        res = self.run_em("long", "--minutes", "0.5", "--marks", "0.25,0.5,1", "--window_s", "4", "--n", "1",
                          "--configs", "infinity")
        (r,) = res["runs"]
        self.assertNotIn("error", r, r.get("error"))
        self.assertEqual(sorted(r["marks"]), ["0.25", "0.5"])
        self.assertEqual(r["marks"]["0.5"]["span"], [416, 480])
        rows = res["summary"]["rows"]
        self.assertEqual([x["mark"] for x in rows], ["0.25", "0.5"])
        for x in rows:
            self.assertEqual((x["colour"], x["present"]), (1.0, 1.0))
            self.assertEqual(x["identity"], 1.0)
        self.assertTrue(any("marks beyond" in n for n in res["notes"]))

    def test_resume_skips_the_runs_already_done(self):
        argv = ("return", "--segment_s", "2", "--n", "1", "--configs", "absolute")
        first = self.run_em(*argv)
        again = self.run_em(*argv, "--resume")
        self.assertEqual(again["runs"], first["runs"])
        with self.assertRaises(SystemExit):
            self.run_em("return", "--segment_s", "3", "--n", "1", "--configs", "absolute", "--resume")


if __name__ == "__main__":
    unittest.main()
