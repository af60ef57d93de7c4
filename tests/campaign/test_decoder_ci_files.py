"""Lint of what cannot run here (no GitHub runner, no GitLab runner): action.yml and
the GitLab template are parsed as the ClusterFuzzLite files are
(test_scale_out_files.py) and checked for their contract with ci/decoder-ci; their
shell text and the script pass shellcheck."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from test_scale_out_files import REPO, load_yaml, read

INPUTS = {"decoder": "--decoder", "protocol": "--protocol", "level": "--level", "time": "--time",
          "count": "--count", "seed": "--seed", "timeout": "--timeout", "out": "--out"}
TEMPLATE = "ci/templates/etwhf-decoder.gitlab-ci.yml"


def shellcheck(test, text, name):
    exe = shutil.which("shellcheck")
    if exe is None:
        if os.environ.get("CI") == "true":
            test.fail("shellcheck is missing (ci/deps.sh installs it)")
        test.skipTest("shellcheck is not installed")
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
        f.write("#!/usr/bin/env bash\n" + text)
    try:
        proc = subprocess.run([exe, "-x", f.name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    finally:
        os.unlink(f.name)
    test.assertEqual(proc.returncode, 0, "%s:\n%s" % (name, proc.stdout.decode()))


class ActionTest(unittest.TestCase):
    def setUp(self):
        self.text = read("action.yml")
        self.data = load_yaml("action.yml")
        if self.data is None:
            self.skipTest("python3-yaml is not installed")

    def test_composite_with_the_inputs(self):
        self.assertEqual(self.data["runs"]["using"], "composite")
        for name in ("name", "description"):
            self.assertTrue(self.data[name])
        inputs = self.data["inputs"]
        self.assertTrue(inputs["decoder"]["required"])
        self.assertEqual(inputs["level"]["default"], "L3")
        for name in INPUTS:
            self.assertIn(name, inputs)
            self.assertTrue(inputs[name].get("description"))
        self.assertIn("working-directory", inputs)
        for name in ("result", "exit-code", "out"):
            self.assertIn("steps.run.outputs.", self.data["outputs"][name]["value"])

    def test_run_step_passes_every_input_to_the_script(self):
        steps = self.data["runs"]["steps"]
        run = steps[0]
        self.assertEqual(run["id"], "run")
        self.assertEqual(run["shell"], "bash")
        self.assertIn('"$GITHUB_ACTION_PATH/ci/decoder-ci"', run["run"])
        for name, option in INPUTS.items():
            var = [k for k, v in run["env"].items() if v == "${{ inputs.%s }}" % name]
            self.assertEqual(len(var), 1, name)
            self.assertIn('%s "$%s"' % (option, var[0]), run["run"])
        # no expression spliced into shell text: inputs come in through env only
        for step in steps:
            self.assertNotIn("${{", step.get("run", ""))
        for step in steps:
            for key in ("shell",):
                if "run" in step:
                    self.assertEqual(step[key], "bash")

    def test_uploads_the_folder_and_fails_after(self):
        steps = self.data["runs"]["steps"]
        uploads = [s for s in steps if "uses" in s]
        self.assertEqual(len(uploads), 1)
        self.assertRegex(uploads[0]["uses"], r"^actions/upload-artifact@v\d+$")
        self.assertIn("always()", uploads[0]["if"])
        self.assertEqual(uploads[0]["with"]["path"], "${{ steps.run.outputs.out }}")
        last = steps[-1]
        self.assertIn("always()", last["if"])
        self.assertIn("exit 1", last["run"])

    def test_shell_text(self):
        for i, step in enumerate(self.data["runs"]["steps"]):
            if "run" in step:
                shellcheck(self, step["run"], "action.yml step %d" % i)


class SelfTestWorkflowTest(unittest.TestCase):
    """.github/workflows/decoder-action.yml runs the action on this repository."""

    def test_uses_the_action_on_the_example_and_a_broken_variant(self):
        data = load_yaml(".github/workflows/decoder-action.yml")
        if data is None:
            self.skipTest("python3-yaml is not installed")
        steps = {job: data["jobs"][job]["steps"] for job in ("example", "broken")}
        for job, job_steps in steps.items():
            mine = [s for s in job_steps if s.get("uses") == "./"]
            self.assertEqual(len(mine), 1, job)
            decoder = mine[0]["with"]["decoder"].split()
            self.assertTrue(os.path.isfile(os.path.join(REPO, decoder[1])), decoder)
            for k in mine[0]["with"]:
                self.assertIn(k, load_yaml("action.yml")["inputs"])
        broken = [s for s in steps["broken"] if s.get("uses") == "./"][0]
        self.assertTrue(broken["continue-on-error"])
        self.assertIn("no-align8", broken["with"]["decoder"])
        shellcheck(self, steps["broken"][-1]["run"], "decoder-action.yml")


class GitLabTemplateTest(unittest.TestCase):
    def setUp(self):
        self.text = read(TEMPLATE)
        self.data = load_yaml(TEMPLATE)
        if self.data is None:
            self.skipTest("python3-yaml is not installed")
        self.job = self.data[".etwhf-decoder-check"]

    def test_hidden_job_with_the_variables(self):
        self.assertEqual(list(self.data), [".etwhf-decoder-check"], "one hidden job to extend, nothing that runs")
        variables = self.job["variables"]
        self.assertEqual(variables["ETWHF_LEVEL"], "L3")
        script = "\n".join(self.job["script"])
        for name, option in INPUTS.items():
            if name == "out":
                self.assertIn("--out etwhf-decoder-ci", script)
                continue
            var = "ETWHF_%s" % name.upper()
            self.assertIn(var, variables)
            self.assertIn('%s "$%s"' % (option, var), script)
        self.assertIn('"$ETWHF_SRC/ci/decoder-ci"', script)

    def test_artifacts(self):
        artifacts = self.job["artifacts"]
        self.assertEqual(artifacts["when"], "always")
        self.assertEqual(artifacts["paths"], ["etwhf-decoder-ci/"])
        self.assertEqual(artifacts["reports"]["junit"], "etwhf-decoder-ci/junit.xml")

    def test_shell_text(self):
        shellcheck(self, "\n".join(self.job["script"]) + "\n", TEMPLATE)


class ScriptTest(unittest.TestCase):
    def test_shellcheck(self):
        shellcheck(self, read("ci/decoder-ci"), "ci/decoder-ci")

    def test_executable(self):
        self.assertTrue(os.access(os.path.join(REPO, "ci/decoder-ci"), os.X_OK))

    def test_help_lists_every_option(self):
        text = read("ci/decoder-ci")
        for option in list(INPUTS.values()) + ["--jobs", "--etwhf"]:
            self.assertTrue(re.search(r"(?m)^#   %s\b" % re.escape(option), text), "--help lacks " + option)


if __name__ == "__main__":
    unittest.main()
