#!/bin/bash
# Image figures (key=value lines): pull time of the fixture busybox image
# from a local docker-registry with `skiff image pull` against `skopeo copy`
# of the same image in the same run (median of N runs each, the two
# interleaved), and layer unpack throughput (`skiff image import` of an
# oci-archive holding one large gzip layer built from /usr/lib).
#
# What each side does. skopeo copy docker:// -> oci: fetches the manifest
# and the blobs, checks every digest while copying, writes them into an
# OCI layout (no fsync) and stops: nothing is unpacked. skiff image pull
# fetches the same, checks every digest as it streams, fsyncs each blob
# before renaming it into the store, unpacks and verifies every layer
# (diff_id) into the layer store and records the name (fsynced). So two
# skiff figures: the whole pull, and the time until its first layer unpack
# starts (every blob fetched, verified, fsynced and stored: skopeo's end
# state and more), from the progress lines the pull prints. A third
# figure unpacks skopeo's layers with zstd and tar after the copy: the
# end state of skiff's whole pull (blobs stored, layers unpacked).
#
# Every timed command starts after a sync (the previous one's dirty pages
# are not its to write back), and every run gets a fresh destination, the
# destinations being removed only after all runs: ext4 scans recently deleted inodes when allocating new
# ones, so deleting the last run's ~300 files right before the next
# measurement would charge the tool that creates many files for the
# previous run's cleanup.
set -euo pipefail
cd "${SKIFF_ROOT:-$(dirname "$0")/..}"
ROOT=$PWD
SKIFF=${SKIFF_IMAGE_BIN:-$ROOT/bin/skiff}
N=${N:-7}
for t in /usr/bin/docker-registry skopeo /bin/busybox python3; do
    command -v "$t" >/dev/null || { echo "bench_images: skipped (no $t)"; exit 0; }
done
"$SKIFF" image --help >/dev/null 2>&1 || { echo "bench_images: skipped (skiff image not built in)"; exit 0; }

work=$(mktemp -d /tmp/skiff-bench-img-XXXXXX)
regpid=
cleanup() {
    if [ -n "$regpid" ]; then
        kill "$regpid" 2>/dev/null || true
        wait "$regpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The registry: tests/fixtures/registry.py builds the image, starts
# docker-registry, pushes, prints the address and waits for SIGTERM.
python3 tests/fixtures/registry.py >"$work/reg.out" 2>&1 &
regpid=$!
for _ in $(seq 200); do grep -q '^registry=' "$work/reg.out" && break; sleep 0.1; done
addr=$(sed -n 's/^registry=\([^ ]*\).*/\1/p' "$work/reg.out")
[ -n "$addr" ] || { echo "bench_images: registry did not start"; cat "$work/reg.out"; exit 1; }
img=$addr/busybox:latest

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

python3 - "$SKIFF" "$img" "$work" "$N" <<'PY'
import json, os, subprocess, sys, time
skiff, img, work, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = {k: open(os.path.join(work, k + ".t"), "w")
       for k in ("skiff", "skiff_nounpack", "skopeo", "skopeo_untar")}
for i in range(n):
    d = os.path.join(work, "d%d" % i)
    os.sync()
    t0 = time.monotonic()
    tu = None
    p = subprocess.Popen([skiff, "image", "pull", img, "--data-dir", d],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for line in p.stderr:
        if tu is None and line.startswith(b"unpacking "):
            tu = time.monotonic()
    if p.wait() != 0 or tu is None:
        sys.exit("bench_images: skiff image pull failed")
    t1 = time.monotonic()
    print("%.6f" % (t1 - t0), file=out["skiff"])
    print("%.6f" % (tu - t0), file=out["skiff_nounpack"])
    os.sync()
    t0 = time.monotonic()
    subprocess.run(["skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + img,
                    "oci:%s:latest" % os.path.join(work, "s%d" % i)], check=True,
                   stdout=subprocess.DEVNULL)
    t1 = time.monotonic()
    print("%.6f" % (t1 - t0), file=out["skopeo"])
    # then unpack its layers with zstd/gzip and tar: fetched, verified,
    # stored and unpacked, the end state of skiff's whole pull (no
    # whiteout handling: the fixture has none)
    lay = os.path.join(work, "s%d" % i)
    idx = json.load(open(os.path.join(lay, "index.json")))
    blob = lambda d: os.path.join(lay, "blobs", *d.split(":"))
    man = json.load(open(blob(idx["manifests"][0]["digest"])))
    root = os.path.join(work, "b%d" % i)
    os.makedirs(root)
    for l in man["layers"]:
        dec = "zstd -dcq" if "zstd" in l["mediaType"] else "gzip -dc" if "gzip" in l["mediaType"] else "cat"
        subprocess.run("%s '%s' | tar -xf - -C '%s'" % (dec, blob(l["digest"]), root), shell=True,
                       check=True)
    print("%.6f" % (time.monotonic() - t0), file=out["skopeo_untar"])
PY
cp -r "$work/d0" "$work/d"
rm -rf "$work"/d[0-9]* "$work"/s[0-9]* "$work"/b[0-9]*
# The same image's unpack alone: import of its oci-archive (no network).
python3 -c "import sys; sys.path.insert(0, 'tests/fixtures'); import registry as r; r.build_image('$work/lay'); r.oci_archive('$work/lay', '$work/bb.tar')"
for i in $(seq "$N"); do
    sync
    t0=$(now); "$SKIFF" image import "$work/bb.tar" --data-dir "$work/i$i" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc >>"$work/import.t"
done
rm -rf "$work"/i[0-9]*
ts=$(median <"$work/skiff.t")
tn=$(median <"$work/skiff_nounpack.t")
ti=$(median <"$work/import.t")
tk=$(median <"$work/skopeo.t")
size=$(du -sb "$work/d/images/blobs" | cut -f1)
echo "image_pull_bytes=$size"
echo "image_pull_runs=$N"
echo "image_pull_skiff_s=$ts"
echo "image_pull_skiff_until_unpack_s=$tn"
echo "image_pull_skopeo_s=$tk"
echo "image_pull_ratio_skiff_over_skopeo=$(echo "scale=2; $ts / $tk" | bc)"
echo "image_pull_ratio_skiff_until_unpack_over_skopeo=$(echo "scale=2; $tn / $tk" | bc)"
# skopeo copy followed by an unpack of its layers with zstd and tar: the
# end state of the whole skiff pull
tu=$(median <"$work/skopeo_untar.t")
echo "image_pull_skopeo_then_untar_s=$tu"
echo "image_pull_ratio_skiff_over_skopeo_then_untar=$(echo "scale=2; $ts / $tu" | bc)"
# skopeo stores blobs only; skiff also unpacks them. The import of the same
# image from a tarball is mostly that unpack (ext4 inode creation).
echo "image_import_same_image_s=$ti"

# Unpack throughput: one big layer (a copy of /usr/lib, capped) in an
# oci-archive; import = read + hash + verify + unpack.
python3 - "$work" <<'PY'
import hashlib, json, os, subprocess, sys, tarfile
w = sys.argv[1]
lay = os.path.join(w, "big"); os.makedirs(os.path.join(lay, "blobs", "sha256"))
raw = os.path.join(w, "layer.tar")
limit, total = 256 << 20, 0
with tarfile.open(raw, "w") as t:
    for dp, dns, fns in os.walk("/usr/lib"):
        dns.sort()
        for f in sorted(fns):
            p = os.path.join(dp, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if total > limit:
                break
            try:
                t.add(p, arcname=p.lstrip("/"), recursive=False)
            except OSError:
                continue
            total += st.st_size
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()
diff = sha(raw)
gz = raw + ".gz"
subprocess.run("gzip -1 -n -c %s > %s" % (raw, gz), shell=True, check=True)
def put(p):
    d = sha(p); os.rename(p, os.path.join(lay, "blobs", "sha256", d)); return d
size_raw = os.path.getsize(raw)
gd = sha(gz); gs = os.path.getsize(gz); put(gz)
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]}}).encode()
cp = os.path.join(w, "cfg"); open(cp, "wb").write(cfg); cd = put(cp)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + gd, "size": gs}]}).encode()
mp = os.path.join(w, "man"); open(mp, "wb").write(man); md = put(mp)
open(os.path.join(lay, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:" + md, "size": len(man), "annotations": {"io.containerd.image.name": "localhost/big:1"}}]},
    open(os.path.join(lay, "index.json"), "w"))
with tarfile.open(os.path.join(w, "big.tar"), "w") as t:
    for n in ("oci-layout", "index.json", "blobs"):
        t.add(os.path.join(lay, n), arcname=n)
os.remove(raw)
open(os.path.join(w, "big.size"), "w").write("%d %d\n" % (size_raw, gs))
PY
read -r raw gz <"$work/big.size"
for i in 1 2 3; do
    sync # the last import's dirty pages are not this one's to write back
    t0=$(now); "$SKIFF" image import "$work/big.tar" --data-dir "$work/u$i" >/dev/null; t1=$(now)
    echo "$t1 - $t0" | bc >>"$work/big.t"
done
rm -rf "$work"/u[0-9]*
ti=$(median <"$work/big.t")
echo "unpack_layer_bytes=$raw"
echo "unpack_layer_gzip_bytes=$gz"
echo "unpack_import_s=$ti"
echo "unpack_mb_per_s=$(echo "scale=1; $raw / 1048576 / $ti" | bc)"
