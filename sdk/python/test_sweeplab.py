"""Tests of the sweeplab module, standard library only: python3 -m unittest discover -s python."""

import importlib
import json
import os
import tempfile
import unittest

import sweeplab


class SweeplabTest(unittest.TestCase):
    def setUp(self):
        self.read_fd, write_fd = os.pipe()
        self.dir = tempfile.mkdtemp()
        os.environ.update(
            SWEEPLAB_REPORT_FD=str(write_fd),
            SWEEPLAB_PARAMS='{"lr": 0.01, "model.depth": 3, "amp": true}',
            SWEEPLAB_STOP_FILE=os.path.join(self.dir, "stop"),
        )
        self.write_fd = write_fd
        importlib.reload(sweeplab)

    def tearDown(self):
        os.close(self.write_fd)
        os.close(self.read_fd)
        for key in ("SWEEPLAB_REPORT_FD", "SWEEPLAB_PARAMS", "SWEEPLAB_STOP_FILE"):
            os.environ.pop(key, None)

    def lines(self):
        return [json.loads(line) for line in os.read(self.read_fd, 65536).decode().splitlines()]

    def test_init_returns_the_parameters_under_the_sweeps_names(self):
        self.assertEqual(sweeplab.init(), {"lr": 0.01, "model.depth": 3, "amp": True})

    def test_log_writes_one_json_line_per_call_with_steps_counting_on(self):
        sweeplab.log({"loss": 0.5, "acc": 1})
        sweeplab.log({"loss": 0.25}, step=7)
        sweeplab.log({"loss": 0.125})
        self.assertEqual(
            self.lines(),
            [
                {"type": "log", "step": 0, "values": {"loss": 0.5, "acc": 1}},
                {"type": "log", "step": 7, "values": {"loss": 0.25}},
                {"type": "log", "step": 8, "values": {"loss": 0.125}},
            ],
        )

    def test_log_refuses_what_the_worker_would_refuse(self):
        with self.assertRaises(TypeError):
            sweeplab.log({"loss": "low"})
        with self.assertRaises(ValueError):
            sweeplab.log({"loss": float("nan")})
        with self.assertRaises(ValueError):
            sweeplab.log({"loss": 1.0}, step=-1)
        with self.assertRaises(ValueError):
            sweeplab.log({})

    def test_should_stop_turns_true_when_the_stop_file_appears(self):
        self.assertFalse(sweeplab.should_stop())
        open(os.environ["SWEEPLAB_STOP_FILE"], "w").close()
        self.assertTrue(sweeplab.should_stop())

    def test_outside_a_worker_every_call_works_and_reports_nothing(self):
        for key in ("SWEEPLAB_REPORT_FD", "SWEEPLAB_PARAMS", "SWEEPLAB_STOP_FILE"):
            os.environ.pop(key)
        importlib.reload(sweeplab)
        self.assertEqual(sweeplab.init(), {})
        sweeplab.log({"loss": 1.0})
        self.assertFalse(sweeplab.should_stop())


if __name__ == "__main__":
    unittest.main()
