#!/usr/bin/env python3
"""The CI files users copy (.github/workflows, .clusterfuzzlite) parse as YAML
and carry what GitHub Actions and ClusterFuzzLite require. They cannot run
here, so this is their test: every field below is one the documented
ClusterFuzzLite layout needs, and a typo in any of them fails.

Usage: test_workflows.py SOURCE_DIR"""
import os
import sys

import yaml

root = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def load(rel):
    with open(os.path.join(root, rel)) as f:
        doc = yaml.safe_load(f)
    check(isinstance(doc, dict), f"{rel}: not a YAML mapping")
    return doc or {}


def triggers(wf):
    # YAML 1.1 reads the key `on` as the boolean true
    return wf.get("on", wf.get(True)) or {}


def steps(wf):
    for name, job in (wf.get("jobs") or {}).items():
        check("runs-on" in job, f"job {name}: no runs-on")
        for st in job.get("steps") or []:
            yield name, st


def cflite_steps(wf, action):
    return [(j, s) for j, s in steps(wf)
            if str(s.get("uses", "")).startswith(f"google/clusterfuzzlite/actions/{action}@")]


# .clusterfuzzlite: the build integration
project = load(".clusterfuzzlite/project.yaml")
language = project.get("language")
check(language in ("c", "c++"), f"project.yaml: language {language!r}, want c or c++")
with open(os.path.join(root, ".clusterfuzzlite/Dockerfile")) as f:
    docker = f.read()
check("FROM gcr.io/oss-fuzz-base/base-builder" in docker, "Dockerfile: not FROM the OSS-Fuzz base-builder")
check("COPY .clusterfuzzlite/build.sh $SRC/" in docker, "Dockerfile: build.sh not copied to $SRC")
check(os.access(os.path.join(root, ".clusterfuzzlite/build.sh"), os.X_OK), "build.sh: not executable")

# ci.yml: runs the project's test command
ci = load(".github/workflows/ci.yml")
on = triggers(ci)
check("pull_request" in on and "push" in on, "ci.yml: not run on push and pull_request")
check(any("scripts/test.sh" in str(s.get("run", "")) for _, s in steps(ci)), "ci.yml: no step runs scripts/test.sh")

# cflite_pr.yml: code-change fuzzing on pull requests
pr = load(".github/workflows/cflite_pr.yml")
check("pull_request" in triggers(pr), "cflite_pr.yml: not run on pull_request")
builds, runs = cflite_steps(pr, "build_fuzzers"), cflite_steps(pr, "run_fuzzers")
check(len(builds) == 1 and len(runs) == 1, "cflite_pr.yml: want one build_fuzzers and one run_fuzzers step")
for job, st in builds:
    w = st.get("with") or {}
    check(w.get("language") == language, f"cflite_pr.yml: build language {w.get('language')!r} != project.yaml")
    check("sanitizer" in w, "cflite_pr.yml: build_fuzzers without sanitizer")
for job, st in runs:
    w = st.get("with") or {}
    check(w.get("mode") == "code-change", f"cflite_pr.yml: mode {w.get('mode')!r}, want code-change")
    secs = w.get("fuzz-seconds")
    check(isinstance(secs, int) and 0 < secs <= 600, f"cflite_pr.yml: fuzz-seconds {secs!r}, want a short run")
    check("github-token" in w, "cflite_pr.yml: run_fuzzers without github-token (no PR report)")
    check(w.get("sanitizer") == "${{ matrix.sanitizer }}", "cflite_pr.yml: run sanitizer is not the matrix's")
    order = [s for _, s in steps(pr)]
    check(order.index(builds[0][1]) < order.index(st), "cflite_pr.yml: run_fuzzers before build_fuzzers")
for name, job in (pr.get("jobs") or {}).items():
    sans = ((job.get("strategy") or {}).get("matrix") or {}).get("sanitizer") or []
    check(sans and set(sans) <= {"address", "undefined", "memory"}, f"cflite_pr.yml: sanitizers {sans!r}")

# cflite_batch.yml: scheduled batch fuzzing
batch = load(".github/workflows/cflite_batch.yml")
sched = triggers(batch).get("schedule") or []
check(any("cron" in s for s in sched), "cflite_batch.yml: no cron schedule")
modes = {(st.get("with") or {}).get("mode"): st.get("with") for _, st in cflite_steps(batch, "run_fuzzers")}
check("batch" in modes, "cflite_batch.yml: no run_fuzzers step in batch mode")
if "batch" in modes:
    secs = modes["batch"].get("fuzz-seconds")
    check(isinstance(secs, int) and secs >= 1800, f"cflite_batch.yml: batch fuzz-seconds {secs!r}, want a long run")
check(len(cflite_steps(batch, "build_fuzzers")) >= 1, "cflite_batch.yml: no build_fuzzers step")


def uploads_sarif(wf, name):
    """Each job that runs fuzzers with output-sarif uploads the file to code
    scanning, after the run, even when the run failed on a crash, with the
    permission that needs."""
    for jname, job in (wf.get("jobs") or {}).items():
        st = job.get("steps") or []
        runs = [i for i, s in enumerate(st) if str(s.get("uses", "")).startswith("google/clusterfuzzlite/actions/run_fuzzers@")
                and (s.get("with") or {}).get("output-sarif") is True]
        if not runs:
            continue
        ups = [i for i, s in enumerate(st) if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
        check(ups and ups[0] > runs[0], f"{name}: job {jname} writes SARIF but no later step uploads it")
        for i in ups:
            w = st[i].get("with") or {}
            check(w.get("sarif_file") == "cifuzz-sarif/results.sarif", f"{name}: upload-sarif of the wrong file")
            check("always()" in str(st[i].get("if", "")), f"{name}: upload-sarif does not run after a failed (crashing) run")
        perms = job.get("permissions") or {}
        check(perms.get("security-events") == "write", f"{name}: job {jname} lacks permissions security-events: write")


uploads_sarif(pr, "cflite_pr.yml")
uploads_sarif(batch, "cflite_batch.yml")
check(any((s.get("with") or {}).get("output-sarif") is True for _, s in cflite_steps(pr, "run_fuzzers")),
      "cflite_pr.yml: run_fuzzers without output-sarif")

# cflite_build.yml: continuous builds of main, so that crashes are new or old
build = load(".github/workflows/cflite_build.yml")
push = triggers(build).get("push") or {}
check("main" in (push.get("branches") or []), "cflite_build.yml: not run on pushes to main")
bsteps = cflite_steps(build, "build_fuzzers")
check(bsteps and all((s.get("with") or {}).get("upload-build") is True for _, s in bsteps),
      "cflite_build.yml: build_fuzzers without upload-build: true")

# cflite_cron.yml: pruning and coverage on their own schedule
cron = load(".github/workflows/cflite_cron.yml")
check(any("cron" in s for s in (triggers(cron).get("schedule") or [])), "cflite_cron.yml: no cron schedule")
cmodes = {(st.get("with") or {}).get("mode"): (j, st.get("with")) for j, st in cflite_steps(cron, "run_fuzzers")}
check("prune" in cmodes, "cflite_cron.yml: no run_fuzzers step in prune mode")
check("coverage" in cmodes, "cflite_cron.yml: no run_fuzzers step in coverage mode")
if "coverage" in cmodes:
    job, w = cmodes["coverage"]
    check(w.get("sanitizer") == "coverage", "cflite_cron.yml: coverage run without sanitizer: coverage")
    cov_builds = [(j, s) for j, s in cflite_steps(cron, "build_fuzzers") if j == job]
    check(cov_builds and (cov_builds[0][1].get("with") or {}).get("sanitizer") == "coverage",
          "cflite_cron.yml: the coverage job does not build with sanitizer: coverage")
for jname, job in (cron.get("jobs") or {}).items():
    check("needs" not in job, f"cflite_cron.yml: job {jname} depends on another job (pruning must run on its own)")

# the images: Ubuntu 24.04 (capstone 4.0.2), unicorn fetched with its checksum
for d in (".clusterfuzzlite", "oss-fuzz"):
    with open(os.path.join(root, d, "Dockerfile")) as f:
        df = f.read()
    check("FROM gcr.io/oss-fuzz-base/base-builder:ubuntu-24-04" in df, f"{d}/Dockerfile: not base-builder:ubuntu-24-04")
    check("sha256sum -c" in df and "unicorn-2.1.4.tar.gz" in df, f"{d}/Dockerfile: unicorn not fetched with a checksum check")
    check("libcmocka-dev" not in df, f"{d}/Dockerfile: installs cmocka, which a fuzz-only build does not need")
    y = load(f"{d}/project.yaml")
    check(y.get("base_os_version") == "ubuntu-24-04", f"{d}/project.yaml: base_os_version is not ubuntu-24-04")
    check("memory" not in (y.get("sanitizers") or []), f"{d}/project.yaml: MSan listed, but unicorn is not instrumented")

# .dockerignore: the image does not copy the caches and build folders
try:
    with open(os.path.join(root, ".dockerignore")) as f:
        ign = f.read().split()
except FileNotFoundError:
    ign = []
for pat in (".cache/", "build/", "build-*/"):
    check(pat in ign, f".dockerignore: {pat} not ignored")

for f in failures:
    print("FAIL:", f)
print(f"{'FAILED' if failures else 'ok'}: CI files checked, {len(failures)} problem(s)")
sys.exit(1 if failures else 0)
