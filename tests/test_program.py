"""The ``graphjac`` program's process: its exit (output kept, exit handlers run, the code kept),
its BLAS threads and its garbage collector."""

import json
import os
import subprocess
import sys

import graphjac as gj
from graphjac.render import draw
from test_cli import graphjac_command, write


def _python(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def test_the_fast_exit_flushes_the_output_and_runs_the_exit_handlers():
    done = _python("import atexit, sys\nfrom graphjac_cli.program import end\n"
                   "atexit.register(lambda: print('handler ran'))\n"
                   "sys.stdout.write('buffered, not flushed; ')\nsys.stderr.write('to stderr')\nend(3)\n")
    assert (done.returncode, done.stdout, done.stderr) == (3, "buffered, not flushed; handler ran\n", "to stderr")


def test_the_fast_exit_takes_each_kind_of_exit_code():
    for code, expected, stderr in (("None", 0, ""), ("0", 0, ""), ("2", 2, ""), ("'a message'", 1, "a message\n")):
        done = _python(f"from graphjac_cli.program import end\nend({code})\n")
        assert (done.returncode, done.stderr) == (expected, stderr), code


def test_the_fast_exit_with_a_closed_output_ends_as_the_interpreter_does():
    for streams, expected in (("sys.stdout = None", 0), ("sys.stdout.close()", 0),
                              ("sys.stdout = open('/dev/full', 'w')\nprint('x')", 120)):
        done = _python(f"import sys\nfrom graphjac_cli.program import end\n{streams}\nend(0)\n")
        plain = _python(f"import sys\n{streams}\nsys.exit(0)\n")
        assert done.returncode == plain.returncode == expected, streams


def test_the_exit_waits_for_a_thread_still_at_work(tmp_path):
    marker = tmp_path / "written"
    done = _python("import threading, time\nfrom pathlib import Path\nfrom graphjac_cli.program import end\n"
                   f"def late():\n    time.sleep(0.5)\n    Path({str(marker)!r}).write_text('done')\n"
                   "threading.Thread(target=late).start()\nend(0)\n")
    assert done.returncode == 0 and marker.read_text() == "done"


def test_a_figure_written_to_standard_output_is_whole():
    run = subprocess.run([graphjac_command(), "render", "lecture:neuron", "-o", "-", "-f", "svg"],
                         capture_output=True, timeout=120)
    assert run.returncode == 0
    assert run.stdout == draw(gj.load("lecture:neuron"), "svg").encode("utf-8")


PROBE = """\
import gc, json, os
from pathlib import Path
import graphjac as gj

tasks = Path("/proc/self/task")
Path({out!r}).write_text(json.dumps({{
    "blas": os.environ.get("OPENBLAS_NUM_THREADS"), "collecting": gc.isenabled(),
    "threads": len(list(tasks.iterdir())) if tasks.is_dir() else None}}))
g = gj.Graph("probe")
x = g.input("x", 2.0)
g.target = g.mul(x, x, name="y")
"""


def _probe(tmp_path, env):
    """What a model file run by the program sees of its process."""
    out = tmp_path / "probe.json"
    model = write(tmp_path, "probe.py", PROBE.format(out=str(out)))
    run = subprocess.run([graphjac_command(), "run", model], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text())


def test_the_program_runs_numpy_on_one_blas_thread_and_collects_garbage(tmp_path):
    seen = _probe(tmp_path, {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"})
    assert seen["blas"] == "1" and seen["collecting"] is True
    if seen["threads"] is not None:   # Linux tells
        assert seen["threads"] == 1, "numpy's BLAS started threads of its own"


def test_a_blas_thread_count_the_user_set_is_kept(tmp_path):
    assert _probe(tmp_path, {**os.environ, "OPENBLAS_NUM_THREADS": "2"})["blas"] == "2"
