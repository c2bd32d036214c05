"""Bad input that must stay harmless: text that reaches TeX or a terminal is inert, output files
keep their modes and never replace a device, a closed or full standard output ends cleanly, and
the API's bad arguments are GraphjacErrors that name the argument."""

import os
import stat
import subprocess

import pytest

import graphjac as gj
from graphjac.io import gallery
from latex import needs_tex
from test_cli import graphjac_command, installed, write

INJECTION = r"""name: inject
target: z
nodes:
  - {name: x, kind: input, value: 1.0, label: '\text{^^5cinput{/etc/hostname}}'}
  - {name: y, kind: input, value: 2.0, label: '\text{50% & #1 $ ~ ^^5c}'}
  - {name: z, kind: mul, inputs: [x, y]}
"""


@needs_tex
@pytest.mark.parametrize("command", ["render", "frames"])
def test_nothing_in_a_spec_makes_pdflatex_read_a_file(tmp_path, command):
    """The labels are TeX-escaped from the LaTeX tree: pdflatex opens nothing outside the build
    folder and the TeX installation (its -recorder list says what it opened)."""
    spec = write(tmp_path, "inject.yaml", INJECTION)
    out = tmp_path / "build"
    out.mkdir()
    if command == "render":
        code, _, err = installed("render", spec, "-o", out / "fig.tex", "--standalone")
        tex = out / "fig.tex"
    else:
        code, _, err = installed("frames", spec, "-o", out, "--standalone")
        tex = out / "backprop.tex"
    assert code == 0, err
    text = tex.read_text()
    assert "^^" not in text and all(ord(c) < 128 for c in text)
    done = subprocess.run(["pdflatex", "-recorder", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                          cwd=out, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:]
    opened = [line.split(" ", 1)[1] for line in (out / tex.with_suffix(".fls").name).read_text().splitlines()
              if line.startswith("INPUT ")]
    texmf = ("/usr/share/tex", "/usr/share/texlive", "/usr/share/texmf", "/var/lib/texmf", "/etc/texmf",
             "/usr/local/texlive", "/usr/share/fonts")
    outside = [p for p in opened if not (os.path.abspath(os.path.join(out, p)).startswith(str(out))
                                         or p.startswith(texmf) or p == "/dev/null" or "/texmf-var/" in p)]
    assert not outside, outside
    assert "hostname" not in (out / tex.with_suffix(".log").name).read_text().lower().replace("/etc/hostname", "")


def test_names_never_drive_the_terminal(tmp_path):
    spec = write(tmp_path, "esc.yaml", "name: \"t\\e[31m\"\ntarget: \"J\\u200f\"\nnodes:\n"
                 "  - {name: \"x\\e]0;pwned\\a\", kind: param, value: 1.0}\n"
                 "  - {name: \"J\\u200f\", kind: square, inputs: [\"x\\e]0;pwned\\a\"]}\n")
    code, out, err = installed("run", spec)
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\u200f" not in out
    assert "x\\x1b]0;pwned\\x07" in out and "J\\u200f" in out


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_honours_the_umask(tmp_path, umask, expected):
    g = gj.load("lecture:add")
    old = os.umask(umask)
    try:
        g.render(tmp_path / "fig.dot")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fig.dot").stat().st_mode) == expected


def test_a_replaced_file_keeps_its_mode_and_a_link_stays_a_link(tmp_path):
    g = gj.load("lecture:add")
    target = tmp_path / "fig.dot"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.dot"
    link.symlink_to(target)
    g.render(link)
    assert link.is_symlink() and target.read_text().startswith("digraph")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root could replace /dev/null")
def test_a_device_is_written_through_never_replaced():
    code, _, err = installed("render", "lecture:add", "-o", "/dev/null", "--format", "dot")
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_closed_pipe_stops_quietly_and_a_full_disk_is_one_line():
    done = subprocess.run(f"'{graphjac_command()}' render lecture:neuron -o - --format svg | true", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert done.stderr == "", done.stderr
    with open("/dev/full", "w") as full:
        run = subprocess.run([graphjac_command(), "run", "lecture:micrograd"], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=120)
    assert run.returncode == 1 and run.stderr.strip() == "Error: standard output: No space left on device"


def test_yaml_reads_1e_minus_3_as_the_number_everyone_means(tmp_path):
    spec = write(tmp_path, "small.yaml", "name: s\nrender: {timeout: 1e2}\nnodes:\n"
                 "  - {name: x, kind: param, value: 1e-3}\n  - {name: y, kind: param, value: [2E5, -3.5e+1]}\n")
    g = gj.load(spec)
    assert float(g.value("x")) == 0.001 and g.value("y").tolist() == [200000.0, -35.0]
    assert g.render_options == {"timeout": 100.0}


@pytest.mark.parametrize("call, message", [
    (lambda g: g.jacobian("z", "x", sample="a"), "jacobian: sample must be a whole number"),
    (lambda g: g.jacobian("z", "x", sample=1.5), "jacobian: sample must be a whole number"),
    (lambda g: g.jacobian("z", "x", sample=None), "jacobian: sample must be a whole number"),
    (lambda g: g.gradcheck(eps=0), "gradcheck: eps must be a finite number > 0"),
    (lambda g: g.gradcheck(eps="a"), "gradcheck: eps must be a finite number > 0"),
    (lambda g: g.gradcheck(atol="x"), "gradcheck: atol must be a finite number ≥ 0"),
    (lambda g: g.gradcheck(rtol=float("nan")), "gradcheck: rtol must be a finite number ≥ 0"),
    (lambda g: g.to_dot(options="bogus"), "render options: expected RenderOptions or a mapping"),
    (lambda g: g.input("u", 1.0, group=5), "group must be a name such as"),
    (lambda g: g.input("u", 1.0, label=5), "label must be LaTeX math text"),
    (lambda g: g.mul("x", "y", label=5), "label must be LaTeX math text"),
])
def test_bad_api_arguments_are_graphjac_errors_naming_the_argument(call, message):
    g = gj.Graph("api")
    z = g.mul(g.param("x", 2.0), g.param("y", 3.0), name="z")
    g.backward(z)
    with pytest.raises(gj.GraphjacError, match=message):
        call(g)


@pytest.mark.parametrize("flag", ["--eps", "--atol", "--rtol"])
def test_check_refuses_nan_tolerances(flag):
    code, out, err = installed("check", "lecture:neuron", flag, "nan")
    assert code == 2 and "must be a finite number" in err and "Traceback" not in err, (code, out, err)


def _spec_with_value(value_text):
    return f"name: h\nnodes:\n  - {{name: x, kind: param, value: {value_text}}}\n"


BAD_FILES = [   # (file name, content, what the one line says)
    ("nul.yaml", "name: a\x00b\nnodes: []\n", r"nul.yaml:1:8: invalid YAML: the character '\x00' is not allowed"),
    ("digits400.yaml", _spec_with_value("9" * 400), "a number of 400 digits is too large for a value"),
    ("digits5000.yaml", _spec_with_value("9" * 5000), "a whole number of 5000 digits is too large"),
    ("digits5000.json", '{"nodes": [{"name": "x", "kind": "param", "value": ' + "9" * 5000 + "}]}",
     "a whole number of 5000 digits is too large"),
    ("digits5000.toml", 'name = "h"\n[[nodes]]\nname = "x"\nkind = "param"\nvalue = ' + "9" * 5000 + "\n",
     "a whole number is too large"),
    ("exponent.yaml", _spec_with_value("1.0") + "  - {name: z, kind: pow, exponent: " + "9" * 400
     + ", inputs: [x]}\n", "nodes[1].exponent: node 'z': exponent must be a finite number"),
    ("bound.yaml", _spec_with_value("{random: uniform, low: 0, high: " + "9" * 400 + "}"),
     "high must be a finite number; got a number of 400 digits"),
    ("int64.yaml", _spec_with_value("{random: integers, low: 0, high: " + "9" * 30 + ", shape: [2]}"),
     "numpy cannot draw from the integers distribution"),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_files_are_one_clear_line(tmp_path, name, text, message):
    spec = tmp_path / name
    spec.write_text(text)
    code, out, err = installed("run", spec)
    assert code == 2 and err.count("\n") == 1 and message in err, (code, err)
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_spec_that_never_ends_is_refused(tmp_path, device):
    spec = tmp_path / "endless.yaml"
    spec.symlink_to(device)
    code, out, err = installed("run", spec)
    assert code == 2 and "larger than 64 MiB" in err, err


@pytest.mark.parametrize("name", ["%", "\x1b[1m", "a\x00b", "\ud800", "\u200f"])
@pytest.mark.parametrize("suffix", ["svg", "png", "tex"])
def test_any_name_renders(tmp_path, name, suffix):
    g = gj.Graph("names")
    x = g.param(name, 1.0)
    g.backward(g.square(x, name="z"))
    path = g.render(tmp_path / f"fig.{suffix}", **({"standalone": True} if suffix == "tex" else {"math": "typeset"}))
    assert path.stat().st_size > 100
    if suffix == "tex":
        assert all(32 <= ord(c) < 127 or c == "\n" for c in path.read_text())


# ------------------------------------------------------------------ folders and frames never half-built


def test_build_refuses_an_output_folder_that_holds_the_specs(tmp_path):
    notes = tmp_path / "notes"
    (notes / "figures").mkdir(parents=True)
    write(notes / "figures", "add.yaml", (gallery.spec_path("add")).read_text())
    for out in (notes, notes / "figures"):
        code, _, err = installed("build", notes / "figures", "-o", out)
        assert code == 2 and "holds the specs' folder" in err, err


def test_a_manifest_entry_describes_the_files_on_disk(tmp_path):
    """A figure another build drew since (other options) is not taken as up to date."""
    from graphjac.io import folders
    spec_folder, out = tmp_path / "specs", tmp_path / "out"
    spec_folder.mkdir()
    write(spec_folder, "add.yaml", gallery.spec_path("add").read_text())
    assert [r.status for r in folders.run(folders.plan(spec_folder, out, formats=("dot",)))] == ["built"]
    (out / "add.dot").write_text(gj.load("lecture:add").to_dot(theme="print"))   # the other build's figure
    assert [r.status for r in folders.run(folders.plan(spec_folder, out, formats=("dot",)))] == ["built"]
    assert [r.status for r in folders.run(folders.plan(spec_folder, out, formats=("dot",)))] == ["unchanged"]


@pytest.mark.parametrize("figures", ["[]", "null", '"x"', "[1, 2]"])
def test_a_damaged_manifest_means_redraw(tmp_path, figures):
    from graphjac.io import folders
    spec_folder, out = tmp_path / "specs", tmp_path / "out"
    spec_folder.mkdir()
    out.mkdir()
    write(spec_folder, "add.yaml", gallery.spec_path("add").read_text())
    (out / folders.MANIFEST).write_text('{"version": 2, "figures": ' + figures + "}")
    assert [r.status for r in folders.run(folders.plan(spec_folder, out, formats=("dot",)))] == ["built"]


def test_a_file_where_a_folder_must_go_fails_that_figure_clearly(tmp_path):
    spec_folder, out = tmp_path / "specs", tmp_path / "out"
    (spec_folder / "sub").mkdir(parents=True)
    write(spec_folder / "sub", "add.yaml", gallery.spec_path("add").read_text())
    out.mkdir()
    (out / "sub").write_text("a file")
    code, _, err = installed("build", spec_folder, "-o", out, "--format", "dot")
    assert code == 1 and "cannot write" in err and "internal error" not in err, err


def test_frames_are_all_or_nothing_and_leave_no_old_steps(tmp_path):
    from graphjac.render.writers import frames
    out = tmp_path / "steps"
    out.mkdir()
    (out / "step-09.svg").write_text("an older, longer pass")
    (out / "backprop.tex").write_text("mine")
    g = gj.load("lecture:add")
    (out / "backprop-animated.svg").mkdir()                        # the last file cannot be written
    with pytest.raises(gj.GraphjacError, match="backprop-animated.svg: is a directory"):
        frames.write_frames(g, out)
    assert sorted(p.name for p in out.iterdir()) == ["backprop-animated.svg", "backprop.tex", "step-09.svg"]
    assert (out / "backprop.tex").read_text() == "mine"                              # nothing written
    (out / "backprop-animated.svg").rmdir()
    written = frames.write_frames(g, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)       # step-09 gone


@pytest.mark.parametrize("node, where, message", [
    ("{name: J, kind: bce, inputs: [x, y]}", "7:5", "node 'J' (bce of 'x', 'y'): ŷ must lie in [0, 1]"),
    ("{name: J, kind: cce, inputs: [p, 5]}", "7:5", "class indices must be integers in 0…1"),
    ("{name: J, kind: pow, exponent: 0.5, inputs: [m]}", "7:5", "needs u ≥ 0 for a non-integer exponent"),
])
def test_errors_found_while_computing_name_the_nodes_place_in_the_file(tmp_path, node, where, message):
    text = ("name: v\ntarget: J\nnodes:\n  - {name: x, kind: param, value: 2.0}\n  - {name: y, kind: input, value: 1.0}\n"
            "  - {name: p, kind: param, value: [0.3, 0.7]}\n  " + "- " + node + "\n"
            "  - {name: m, kind: param, value: -1.0}\n")
    spec = write(tmp_path, "v.yaml", text)
    code, out, err = installed("run", spec)
    assert code == 2 and err.startswith(f"Error: {spec}:{where}: ") and message in err, err


def test_unknown_names_in_render_options_name_their_place(tmp_path):
    spec = write(tmp_path, "t.yaml", "name: t\nrender: {jacobians: ['z:w']}\nnodes:\n"
                 "  - {name: x, kind: param, value: 2.0}\n  - {name: z, kind: square, inputs: [x]}\n")
    with pytest.raises(gj.SpecError, match=r"t.yaml:2:10: render.jacobians: graph 't' has no node named 'w'"):
        gj.load(spec)


def test_a_model_script_that_exits_is_a_clear_error(tmp_path):
    script = write(tmp_path, "model.py", "import sys\nsys.exit(3)\n")
    code, out, err = installed("run", script)
    assert code == 2 and "model.py:2: the script raised SystemExit: 3" in err, err


def test_a_very_long_name_is_shortened_in_figures_and_renders_at_once(tmp_path):
    g = gj.Graph("long")
    x = g.param("x" * 100_000, 1.0)
    g.backward(g.square(x, name="z"))
    text = g.render(tmp_path / "fig.tex").read_text()
    assert "x" * 59 in text and "x" * 61 not in text      # the first 59 characters, then an ellipsis
    assert g.grad("x" * 100_000) == 2.0                  # the name itself is kept whole


def test_stopping_a_build_stops_its_workers(tmp_path):
    """As Ctrl-C does: the build ends, and no queued figure goes on rendering."""
    import multiprocessing
    import time

    from graphjac.io import folders
    spec_folder = tmp_path / "specs"
    spec_folder.mkdir()
    for k in range(20):
        write(spec_folder, f"neuron{k}.yaml", gallery.spec_path("neuron").read_text())
    results = folders.run(folders.plan(spec_folder, tmp_path / "out", formats=("svg",)), workers=2)
    next(results)
    results.close()                        # GeneratorExit, where Ctrl-C raises KeyboardInterrupt
    deadline = time.time() + 10
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()
    assert len(list((tmp_path / "out").glob("*.svg"))) < 20
