#!/usr/bin/env bash
# test_against.sh WHAT ETWHF WORK — ci/fuzz --against, on outcomes only (rounds, not seconds,
# bound each run: --time is far above what the rounds take on a loaded machine).
#   clean   etwhf's own batch decoder: no class, exit 0, every input judged
#   python  examples/decoders/python: no class, exit 0
#   planted tests/against/long_is_error.sh: exit 1, classes whose reproducer exists and
#           whose rerun.sh exits 1 (the rerun line needs only the file and the command)
#   referee etwhf check FILE and etwhf gen --from: etwhf agrees with its own reading at L4,
#           L1 cannot be required, the planted mistake disagrees
set -euo pipefail
what=$1 etwhf=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
run() { # expected-exit decoder-command rounds
  local want=$1 cmd=$2 rounds=$3 rc=0
  "$root/ci/fuzz" --against "$cmd" --etwhf "$etwhf" --fuzzer none --seed 1 --rounds "$rounds" \
    --round-size 300 --time 3000 --minimize-time 5 --input-timeout 120 --jobs 2 --out "$work/out" >"$work/log" 2>&1 || rc=$?
  if [ "$rc" != "$want" ]; then
    cat "$work/log"
    echo "FAIL: ci/fuzz --against exited $rc, expected $want"
    exit 1
  fi
}
check_report() { # classes-wanted (0 or 'some')
  python3 - "$work/out" "$1" <<'PY'
import json, os, subprocess, sys
out, want = sys.argv[1], sys.argv[2]
r = json.load(open(os.path.join(out, "report.json")))
for k in ("classes", "inputs", "inputs_per_s", "time_s", "require", "against"):
    assert k in r, "report.json lacks %r" % k
assert r["inputs"] > 0, "no input was judged"
assert os.path.isfile(os.path.join(out, "report.md"))
if want == "0":
    assert r["classes"] == [], "classes against a correct decoder: %r" % [c["id"] for c in r["classes"]]
else:
    assert r["classes"], "no class found"
    for c in r["classes"]:
        for k in ("level", "field", "count", "first_seen_s", "reproducer", "rerun"):
            assert k in c, "class lacks %r" % k
        rep = os.path.join(out, c["reproducer"])
        assert os.path.exists(rep), "no reproducer %s" % rep
        rc = subprocess.call(["sh", os.path.join(out, "classes", c["id"], "rerun.sh")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert rc == 1, "%s: rerun.sh exited %d, not 1" % (c["id"], rc)
        assert c["reproduces"] is True
    assert any(c["field"] == "verdict" for c in r["classes"]), "the planted verdict mistake is no class"
print("ok: %d inputs, %d class(es)" % (r["inputs"], len(r["classes"])))
PY
}
case $what in
  clean)
    run 0 "$etwhf decode --batch" 2
    check_report 0 ;;
  python)
    run 0 "python3 $root/examples/decoders/python/etwhf_decoder.py --batch" 2
    check_report 0 ;;
  planted)
    run 1 "env ETWHF=$etwhf $here/long_is_error.sh" 1
    check_report some ;;
  referee)
    # The referee's expectation is etwhf's own reading: etwhf agrees with it at every level
    # it judges, in-process and as a batch decoder; L1/L2 cannot be required (exit 2).
    "$etwhf" gen --out "$work/gen" --count 200 --seed 3 --layer file --fault-rate 800 --max-faults 4 >/dev/null
    "$etwhf" gen --from "$work/gen/cases" --out "$work/ref" >/dev/null
    "$etwhf" check "$work/ref" --require L4 >/dev/null
    "$etwhf" check "$work/ref" --decoder-batch "$etwhf decode --batch" --timeout 120 --require L4 --strict-codes \
      --all-heap-events --mode both >/dev/null
    set -- "$work"/gen/cases/n_*
    one=$1
    "$etwhf" check "$one" --require L4 >/dev/null
    rc=0; "$etwhf" check "$one" --require L1 >/dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || { echo "FAIL: --require L1 on a referee case exited $rc, not 2"; exit 1; }
    head -1 "$work/ref/manifest.jsonl" | grep -q '"generator_version":"referee"' || { echo "FAIL: header"; exit 1; }
    if grep -q '"evidence"' "$work/ref/manifest.jsonl"; then echo "FAIL: a referee case has evidence"; exit 1; fi
    # A wrong decoder disagrees with the referee on the same case it disagrees with the manifest.
    rc=0; "$etwhf" check "$work/ref" --decoder-batch "env ETWHF=$etwhf $here/long_is_error.sh" --timeout 120 --require L3 \
      >/dev/null || rc=$?
    [ "$rc" = 1 ] || { echo "FAIL: the planted mistake agreed with the referee (exit $rc)"; exit 1; }
    echo ok ;;
  *) echo "usage: $0 clean|python|planted|referee ETWHF WORK"; exit 2 ;;
esac
