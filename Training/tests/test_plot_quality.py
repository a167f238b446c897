import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import plot_quality  # noqa: E402


def run(config, seed, marks, rc=0):
    return {"config": config, "seed": seed, "rc": rc, "marks": marks}


def mark(colour, windows, present, frames):
    return {"colour": colour, "shape": 0, "windows": windows, "present": present, "id_frames": 0, "frames": frames}


class PlotQualityTests(unittest.TestCase):
    def test_rates_pool_the_scripts_of_a_config_at_each_mark(self):
        doc = {"runs": [run("rag", 1, {"1": mark(3, 4, 10, 10), "10": mark(0, 4, 5, 10)}),
                        run("rag", 2, {"1": mark(1, 4, 0, 10)}),
                        run("rag", 3, {"1": mark(0, 4, 0, 10)}, rc=1)]}          # a failed run is left out
        data = plot_quality.series(doc)
        self.assertEqual(data["rag"]["colour"], [(1.0, 0.5), (10.0, 0.0)])
        self.assertEqual(data["rag"]["present"], [(1.0, 0.5), (10.0, 0.5)])

    def test_the_svg_has_a_line_per_config_and_panel(self):
        doc = {"runs": [run("absolute", 1, {"1": mark(4, 4, 10, 10), "60": mark(2, 4, 10, 10)}),
                        run("infinity", 1, {"1": mark(4, 4, 10, 10), "60": mark(4, 4, 10, 10)})]}
        text = plot_quality.svg(plot_quality.series(doc), "t")
        self.assertEqual(text.count("<polyline"), 2 * len(plot_quality.METRICS))
        self.assertIn("60 min", text)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "in.json")
            import json
            json.dump(doc, open(path, "w"))
            plot_quality.main([path, "--out", os.path.join(d, "q.svg")])
            self.assertTrue(open(os.path.join(d, "q.svg")).read().startswith("<svg"))


if __name__ == "__main__":
    unittest.main()
