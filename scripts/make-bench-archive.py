#!/usr/bin/env python3
"""Writes a docker-archive for benchmarks: N layers of pseudo-random
(incompressible) data, each a mix of one big file and many small ones.

    make-bench-archive.py OUT.tar [--size-mb 500] [--layers 8] [--seed 1]
        [--layers-dir DIR] [--compressible]

The output is deterministic for the same arguments. With --layers-dir, the
uncompressed layer tars are also left there as layer-N.tar (for comparing
against a plain `tar -x`).
"""

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import tarfile
import tempfile

MTIME = 1_700_000_000
CREATED = "2024-01-02T03:04:05Z"


def add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = MTIME
    info.uname = info.gname = "root"
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = MTIME
    info.uname = info.gname = "root"
    tar.addfile(info)


TEXT = b"".join(b"%08d the quick brown fox jumps over the lazy dog, line %d\n" % (i * 7919 % 10**8, i) for i in range(2000))


def payload(rng, n, compressible):
    """n bytes: random, or (compressible) half random, half repetitive text
    (gzip then has real work, as with real images)."""
    if not compressible:
        return rng.randbytes(n)
    half = n // 2
    text = bytearray()
    while len(text) < n - half:
        start = rng.randrange(len(TEXT) // 2)
        text += TEXT[start:start + 4096]
    return rng.randbytes(half) + bytes(text[: n - half])


def write_layer(path, index, size, rng, compressible=False):
    """About `size` bytes of files: 60% in one big file, the rest in small
    files of 1-64 KiB spread over a few directories."""
    with open(path, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT) as tar:
        top = f"layer{index}"
        add_dir(tar, top + "/")
        big = int(size * 0.6)
        add_bytes(tar, f"{top}/big.bin", payload(rng, big, compressible))
        left = size - big
        n = 0
        while left > 0:
            if n % 100 == 0:
                add_dir(tar, f"{top}/d{n // 100}/")
            chunk = min(left, rng.randint(1024, 64 * 1024))
            add_bytes(tar, f"{top}/d{n // 100}/f{n}", payload(rng, chunk, compressible))
            left -= chunk
            n += 1
    return n + 1


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--size-mb", type=int, default=500)
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--name", default="kist-bench/big:latest")
    p.add_argument("--layers-dir")
    p.add_argument("--compressible", action="store_true", help="half of every file is repetitive text")
    a = p.parse_args()

    rng = random.Random(a.seed)
    total = a.size_mb * 1024 * 1024
    # Uneven layers: some big, some small, summing to the total.
    weights = [rng.choice([1, 2, 3, 6]) for _ in range(a.layers)]
    sizes = [total * w // sum(weights) for w in weights]
    sizes[-1] += total - sum(sizes)

    work = tempfile.mkdtemp(prefix="kist-bench-", dir=os.path.dirname(os.path.abspath(a.out)))
    try:
        diff_ids, files = [], 0
        for i, size in enumerate(sizes):
            path = os.path.join(work, f"layer-{i}.tar")
            files += write_layer(path, i, size, rng, a.compressible)
            diff_ids.append(sha256_file(path))
        config = {
            "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine),
            "os": "linux",
            "created": CREATED,
            "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/bin:/bin"]},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diff_ids]},
            "history": [{"created": CREATED, "created_by": f"ADD layer{i}"} for i in range(a.layers)],
        }
        config_bytes = json.dumps(config, separators=(",", ":")).encode()
        config_hex = hashlib.sha256(config_bytes).hexdigest()
        repo, tag = a.name.rsplit(":", 1)
        manifest = [{
            "Config": f"{config_hex}.json",
            "RepoTags": [a.name],
            "Layers": [f"{d}/layer.tar" for d in diff_ids],
        }]
        tmp_out = a.out + ".part"
        with tarfile.open(tmp_out, "w", format=tarfile.PAX_FORMAT) as tar:
            for i, d in enumerate(diff_ids):
                add_dir(tar, f"{d}/")
                info = tar.gettarinfo(os.path.join(work, f"layer-{i}.tar"), arcname=f"{d}/layer.tar")
                info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "root", "root"
                info.mode = 0o644
                with open(os.path.join(work, f"layer-{i}.tar"), "rb") as f:
                    tar.addfile(info, f)
            add_bytes(tar, f"{config_hex}.json", config_bytes)
            add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
            add_bytes(tar, "repositories", json.dumps({repo: {tag: diff_ids[-1]}}).encode())
        os.replace(tmp_out, a.out)
        if a.layers_dir:
            os.makedirs(a.layers_dir, exist_ok=True)
            for i in range(a.layers):
                shutil.move(os.path.join(work, f"layer-{i}.tar"), os.path.join(a.layers_dir, f"layer-{i}.tar"))
        print(f"{a.out}: {a.layers} layers, {files} files, {os.path.getsize(a.out) / 1e6:.0f} MB, image sha256:{config_hex}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
