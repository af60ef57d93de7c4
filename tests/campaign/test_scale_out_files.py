"""Lint of what cannot run here (no Docker engine, no network): .clusterfuzzlite/
and the GitHub workflow are parsed and checked for the ClusterFuzzLite contract;
the campaign's shell scripts pass shellcheck; its Python modules compile."""
import glob
import os
import py_compile
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
try:
    import yaml  # python3-yaml when present; a minimal reader otherwise
except ImportError:
    yaml = None

SCRIPTS = ["ci/fuzz", "ci/coverage", "ci/oss-fuzz/build.sh", ".clusterfuzzlite/build.sh",
           "tests/campaign/triage_test.sh", "tests/campaign/oss_fuzz_test.sh"]


def read(rel):
    with open(os.path.join(REPO, rel), encoding="utf-8") as f:
        return f.read()


def load_yaml(rel):
    text = read(rel)
    if "\t" in text:
        raise AssertionError("%s: YAML must not contain tabs" % rel)
    if yaml is not None:
        return yaml.safe_load(text)
    return None


class ClusterFuzzLiteTest(unittest.TestCase):
    def test_project_yaml(self):
        data = load_yaml(".clusterfuzzlite/project.yaml")
        if data is not None:
            self.assertEqual(data, {"language": "c"})
        self.assertRegex(read(".clusterfuzzlite/project.yaml"), r"(?m)^language: c$")

    def test_dockerfile(self):
        text = read(".clusterfuzzlite/Dockerfile")
        self.assertRegex(text, r"(?m)^FROM gcr\.io/oss-fuzz-base/base-builder")
        self.assertRegex(text, r"(?m)^COPY \. \$SRC/etwhf$")
        self.assertRegex(text, r"(?m)^COPY \.clusterfuzzlite/build\.sh \$SRC/$")
        self.assertIn("cmake", text)

    def test_build_sh_calls_the_oss_fuzz_script(self):
        text = read(".clusterfuzzlite/build.sh")
        self.assertIn('"$SRC/etwhf/ci/oss-fuzz/build.sh"', text)
        self.assertTrue(os.access(os.path.join(REPO, ".clusterfuzzlite/build.sh"), os.X_OK))
        self.assertTrue(os.access(os.path.join(REPO, "ci/oss-fuzz/build.sh"), os.X_OK))

    def test_oss_fuzz_script_contract(self):
        text = read("ci/oss-fuzz/build.sh")
        for var in ("$CC", "$CFLAGS", "$CXX", "$CXXFLAGS", "$LIB_FUZZING_ENGINE", "$SANITIZER", "$WORK", "$OUT"):
            self.assertIn(var, text)
        self.assertIn("ETWHF_WERROR=OFF", text)
        self.assertIn("_seed_corpus.zip", text)


class WorkflowTest(unittest.TestCase):
    def setUp(self):
        self.files = sorted(glob.glob(os.path.join(REPO, ".github", "workflows", "*.yml")))
        self.assertTrue(self.files, "no workflow")
        self.text = "\n".join(read(os.path.relpath(f, REPO)) for f in self.files)

    def test_parses(self):
        for f in self.files:
            data = load_yaml(os.path.relpath(f, REPO))
            if data is None:
                continue
            # YAML 1.1 reads the key `on` as True
            triggers = data.get("on", data.get(True))
            self.assertIn("jobs", data)
            self.assertIsInstance(triggers, dict)
            for job in data["jobs"].values():
                self.assertIn("runs-on", job)
                for step in job["steps"]:
                    if "uses" in step and "clusterfuzzlite" in step["uses"]:
                        self.assertRegex(step["uses"], r"^google/clusterfuzzlite/actions/(build|run)_fuzzers@v1$")

    def test_modes_and_triggers(self):
        for mode in ("code-change", "batch", "prune", "coverage"):
            self.assertRegex(self.text, r"mode: %s\b" % mode)
        self.assertRegex(self.text, r"(?m)^  pull_request:")
        self.assertRegex(self.text, r"(?m)^  schedule:")
        self.assertIn("language: c", self.text)
        # every cron the jobs test for is one the schedule declares
        crons = set(re.findall(r"cron: \"([^\"]+)\"", self.text))
        for used in re.findall(r"github\.event\.schedule == '([^']+)'", self.text):
            self.assertIn(used, crons)


class ScriptsTest(unittest.TestCase):
    def test_python_compiles(self):
        with tempfile.TemporaryDirectory() as d:
            for path in glob.glob(os.path.join(REPO, "ci", "*.py")):
                py_compile.compile(path, doraise=True, cfile=os.path.join(d, "x.pyc"))

    def test_shellcheck(self):
        shellcheck = shutil.which("shellcheck")
        if shellcheck is None:
            if os.environ.get("CI") == "true":
                self.fail("shellcheck is missing (ci/deps.sh installs it)")
            self.skipTest("shellcheck is not installed")
        paths = [os.path.join(REPO, s) for s in SCRIPTS]
        proc = subprocess.run([shellcheck, "-x"] + paths, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(proc.returncode, 0, proc.stdout.decode())


if __name__ == "__main__":
    unittest.main()
