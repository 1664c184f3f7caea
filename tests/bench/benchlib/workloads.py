"""workloads.py: the benchmark's workloads W1..W5 of issue 8, generated from a seed so that every
file's content is the same on every machine and every run. Each is a build context whose
Dockerfile starts FROM the same busybox base and ends with a late COPY of late/version.txt, the
small file that the "one-file change" scenario rewrites."""
import hashlib
import json
import os
import random
import shutil

BASE_TAG = "bench/busybox:latest"
LATE_FILE = "late/version.txt"

# Sizes: "full" is issue 8's (W2 ~20,000 files / ~400 MB, W5 ~300 MB); "quick" is a smoke run.
SIZES = {
    "full": {"w1_files": 50, "w2_small_files": 19_980, "w2_small_max": 9_000, "w2_large_files": 20,
             "w2_large_bytes": 15 << 20, "w5_block_bytes": 16 << 20, "w5_rotations": 9},
    "quick": {"w1_files": 50, "w2_small_files": 300, "w2_small_max": 4_000, "w2_large_files": 2,
              "w2_large_bytes": 256 << 10, "w5_block_bytes": 1 << 20, "w5_rotations": 2},
}

# W5's RUN expands two seed blocks (text, random) into rotations of themselves, so that the
# ~300 MB it writes is reproducible yet neither gzip (32 KiB window) nor zstd at its usual levels
# (a few MiB window) sees the repeats: the bytes compress like fresh text and fresh noise.
EXPAND_SH = """#!/bin/sh
# expand.sh OUT N: writes N rotations of each seed block into OUT (text-I.txt, random-I.bin).
set -eu
out=$1 n=$2
mkdir -p "$out"
for kind in text random; do
  block=/seed/$kind.block
  size=$(wc -c < "$block")
  i=0
  while [ "$i" -lt "$n" ]; do
    off=$(( (i + 1) * size / (n + 1) ))
    ext=bin; [ "$kind" = text ] && ext=txt
    { tail -c +$((off + 1)) "$block"; head -c "$off" "$block"; } > "$out/$kind-$i.$ext"
    i=$((i + 1))
  done
done
"""

WORDS_SEED = 8


def _words(rng, count):
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    weights = [12, 9, 8, 8, 7, 7, 6, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    return ["".join(rng.choices(letters, weights, k=rng.randint(2, 9))) for _ in range(count)]


def text_bytes(rng, size):
    """`size` bytes of word-like text with line breaks: compresses about as source code does."""
    vocabulary = _words(random.Random(WORDS_SEED), 2000)
    pieces, total = [], 0
    while total < size:
        line = " ".join(rng.choices(vocabulary, k=rng.randint(4, 14))) + "\n"
        pieces.append(line)
        total += len(line)
    return "".join(pieces).encode()[:size]


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def _late(directory):
    _write(os.path.join(directory, LATE_FILE), b"bench version 0\n")


def make_w1(directory, size, rng):
    """W1 small app: 3 RUN steps, a COPY of 50 files."""
    for i in range(size["w1_files"]):
        _write(os.path.join(directory, "src", f"module{i:02d}.txt"), text_bytes(rng, rng.randint(500, 4000)))
    _late(directory)
    return f"""FROM {BASE_TAG}
RUN mkdir -p /app/bin && echo built > /app/stamp
RUN for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i" >> /app/log; done
COPY src/ /app/src/
RUN ls /app/src | wc -l > /app/src-count
COPY late/ /app/late/
"""


def make_w2(directory, size, rng):
    """W2 big context: ~20,000 small text files in 200 folders plus a few large random files."""
    text = text_bytes(rng, 4 << 20)
    for i in range(size["w2_small_files"]):
        length = rng.randint(200, size["w2_small_max"])
        start = rng.randrange(0, len(text) - length)
        body = f"file {i}\n".encode() + text[start:start + length]
        _write(os.path.join(directory, "data", f"dir{i % 200:03d}", f"file{i:05d}.txt"), body)
    for i in range(size["w2_large_files"]):
        _write(os.path.join(directory, "data", "blobs", f"blob{i:02d}.bin"), rng.randbytes(size["w2_large_bytes"]))
    _late(directory)
    return f"""FROM {BASE_TAG}
RUN mkdir -p /srv
COPY data/ /srv/data/
RUN du -s /srv/data > /srv/size
COPY late/ /srv/late/
"""


def make_w3(directory, size, rng):
    """W3 four independent stages of `sleep 1` plus a small write; the last stage copies from each."""
    _late(directory)
    stages = "".join(f"FROM {BASE_TAG} AS s{i}\nRUN sleep 1 && echo stage{i} > /out{i}\n\n" for i in range(1, 5))
    copies = "".join(f"COPY --from=s{i} /out{i} /out/\n" for i in range(1, 5))
    return f"{stages}FROM {BASE_TAG}\n{copies}COPY late/ /late/\n"


def make_w4(directory, size, rng):
    """W4 forty small RUN steps."""
    _late(directory)
    runs = "".join(f"RUN echo step{i} >> /steps\n" for i in range(1, 41))
    return f"FROM {BASE_TAG}\n{runs}COPY late/ /late/\n"


def make_w5(directory, size, rng):
    """W5 a RUN that writes ~300 MB (half text, half random), exported to a tarball."""
    _write(os.path.join(directory, "seed", "text.block"), text_bytes(rng, size["w5_block_bytes"]))
    _write(os.path.join(directory, "seed", "random.block"), rng.randbytes(size["w5_block_bytes"]))
    _write(os.path.join(directory, "seed", "expand.sh"), EXPAND_SH.encode())
    _late(directory)
    return f"""FROM {BASE_TAG}
COPY seed/ /seed/
RUN sh /seed/expand.sh /data {size["w5_rotations"]}
COPY late/ /late/
"""


MAKERS = {"W1": make_w1, "W2": make_w2, "W3": make_w3, "W4": make_w4, "W5": make_w5}
DESCRIPTIONS = {
    "W1": "small app: 3 RUN, COPY of 50 files",
    "W2": "big context: COPY of ~20,000 files, ~400 MB",
    "W3": "4 parallel stages of sleep 1",
    "W4": "40 small RUN steps",
    "W5": "RUN writing ~300 MB, then export",
}


def generate(work, name, size_name):
    """Makes workload `name` in WORK/workloads/NAME (kept when its stamp matches) and returns the dir."""
    size = SIZES[size_name]
    directory = os.path.join(work, "workloads", name)
    source = open(__file__, "rb").read().decode()  # a change to the makers makes new workloads
    stamp = hashlib.sha256(json.dumps([name, size, source]).encode()).hexdigest()
    stamp_path = os.path.join(directory, ".bench-stamp")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        reset_late(directory)
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    seed = int(hashlib.sha256(f"dbuild-bench-{name}".encode()).hexdigest()[:8], 16)
    dockerfile = MAKERS[name](directory, size, random.Random(seed))
    _write(os.path.join(directory, "Dockerfile"), dockerfile.encode())
    _write(os.path.join(directory, ".dockerignore"), b".bench-stamp\n")
    _write(stamp_path, stamp.encode())
    return directory


def reset_late(directory):
    _late(directory)


def change_late(directory, counter):
    """Rewrites the late file with content never used before in this run (so no cache can hold it)."""
    _write(os.path.join(directory, LATE_FILE), f"bench version {counter}\n".encode())


def context_bytes(directory):
    total, files = 0, 0
    for root, _, names in os.walk(directory):
        for name in names:
            total += os.lstat(os.path.join(root, name)).st_size
            files += 1
    return files, total


def w5_payload(directory, size_name, dest):
    """Writes into `dest` the bytes W5's image holds (seeds + rotations), for the compressor references."""
    size = SIZES[size_name]
    n = size["w5_rotations"]
    with open(dest, "wb") as out:
        for kind in ("text", "random"):
            block = open(os.path.join(directory, "seed", f"{kind}.block"), "rb").read()
            out.write(block)
            for i in range(n):
                off = (i + 1) * len(block) // (n + 1)
                out.write(block[off:])
                out.write(block[:off])
    return dest
