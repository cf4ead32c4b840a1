# Sourced by scripts/bench (part "network"), rootless, as the benchmark
# user. Side by side with rootless `podman --runtime runc` when installed
# (podman 4.3 here: its default network is slirp4netns, with rootlessport
# for published ports):
#   - `run --rm busybox true` on the default network (kist: pasta, else
#     slirp4netns): hyperfine median; target <= 40 ms
#   - a 1 GiB TCP transfer from the host into a container through
#     `-p PORT:5000`: a python3 sender on the host, a python3 receiver in
#     the container (the host's, its /usr and /lib bound read-only; busybox
#     tools read too slowly, ~500 MB/s, to see the network) that answers
#     with the byte count; 5 runs, median; target: kist at least as fast as
#     podman. kist with `--network slirp4netns` too, for reference.

net_bytes=$((1024 * 1024 * 1024))
net_runs=5
net_hf_ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$1"; }
net_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'; }

# The sender: connects to 127.0.0.1:PORT, sends BYTES, half-closes and waits
# for the container's byte count; prints seconds and the count. `probe`
# sends nothing and retries until the server answers (it is up).
cat >"$work/net-send.py" <<'PY'
import socket, sys, time
port, size = int(sys.argv[1]), int(sys.argv[2])
def once(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    buf = memoryview(bytearray(1 << 20))
    left = n
    while left > 0:
        k = min(left, len(buf))
        s.sendall(buf[:k])
        left -= k
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        d = s.recv(64)
        if not d:
            break
        reply += d
    s.close()
    return reply.decode().strip()
if size == 0:
    end = time.monotonic() + 20
    while time.monotonic() < end:
        try:
            if once(0) == "0":
                sys.exit(0)
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("server never answered")
t0 = time.monotonic()
count = once(size)
t = time.monotonic() - t0
if count != str(size):
    sys.exit("received %r bytes, sent %d" % (count, size))
print("%.3f" % t)
PY
# The receiver: counts the bytes of each connection, answers with the count.
net_recv='import socket
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 5000))
l.listen(4)
buf = bytearray(4 << 20)
while True:
    s, _ = l.accept()
    n = 0
    while True:
        k = s.recv_into(buf)
        if not k:
            break
        n += k
    s.sendall(str(n).encode())
    s.close()'

# A busybox root filesystem with every applet, owned by root in the image.
net_rootfs=$work/busybox-rootfs-net.tar
if [ ! -f "$net_rootfs" ]; then
    rm -rf "$work/bb-net"
    mkdir -p "$work/bb-net/bin" "$work/bb-net/etc" "$work/bb-net/tmp"
    cp /bin/busybox "$work/bb-net/bin/busybox"
    for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -sf busybox "$work/bb-net/bin/$a"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$work/bb-net/etc/passwd"
    echo 'root:x:0:' >"$work/bb-net/etc/group"
    chmod 1777 "$work/bb-net/tmp"
    tar -C "$work/bb-net" --numeric-owner --owner=0 --group=0 -cf "$net_rootfs" .
    rm -rf "$work/bb-net"
fi

# net_transfer "RUN FLAGS" CMD…: starts the receiver with
# `CMD… run -d RUN FLAGS -p PORT:5000 busybox …`, prints the median of
# $net_runs transfers in seconds.
net_transfer() {
    local flags=$1 port times=() t
    shift
    port=$(net_free_port)
    # shellcheck disable=SC2086
    "$@" run -d --name net-recv $flags -p "$port:5000" -v /usr:/usr:ro -v /lib:/lib:ro \
        -v /lib64:/lib64:ro busybox /usr/bin/python3 -c "$net_recv" >/dev/null
    python3 "$work/net-send.py" "$port" 0
    for _ in $(seq 1 $net_runs); do
        t=$(python3 "$work/net-send.py" "$port" "$net_bytes")
        times+=("$t")
    done
    "$@" rm -f net-recv >/dev/null
    echo "transfers: $* -> ${times[*]} s" >&2
    median "${times[@]}"
}
net_rate() { awk -v b="$net_bytes" -v s="$1" 'BEGIN { printf "%.0f MB/s", b / 1e6 / s }'; }

store_n=$work/store-net
run_n=$work/run-net
KN=("$KIST" --root "$store_n" --runroot "$run_n")
kn_clean() { "${KN[@]}" rm -f net-recv >/dev/null 2>&1 || true; }
pn_clean() { :; }
trap 'kn_clean; pn_clean' EXIT
wipe "$store_n" "$run_n"
"${KN[@]}" import "$net_rootfs" busybox:latest >/dev/null
echo "bench: kist run --rm (default network)" >&2
hyperfine -N --style none --warmup 3 --runs 30 --export-json "$work/net-run.json" \
    "$KIST --root $store_n --runroot $run_n run --rm busybox true" >&2
kn_run="$(net_hf_ms "$work/net-run.json") ms"
kn_backend=$("${KN[@]}" create --name net-probe busybox true >/dev/null && "${KN[@]}" inspect -f '{{.HostConfig.NetworkMode}}' net-probe)
"${KN[@]}" rm -f net-probe >/dev/null
echo "bench: kist 1 GiB through -p ($kn_backend)" >&2
kn_t=$(net_transfer "" "${KN[@]}")
echo "bench: kist 1 GiB through -p (slirp4netns)" >&2
kn_slirp_t=$(net_transfer "--network slirp4netns" "${KN[@]}")
echo "bench: kist run --rm on a user-defined network" >&2
"${KN[@]}" network create bench-net >/dev/null
# The first container starts the rootless network namespace: not timed.
"${KN[@]}" run --rm --network bench-net busybox true
hyperfine -N --style none --warmup 3 --runs 30 --export-json "$work/net-unet.json" \
    "$KIST --root $store_n --runroot $run_n run --rm --network bench-net busybox true" >&2
kn_unet="$(net_hf_ms "$work/net-unet.json") ms"
"${KN[@]}" network rm bench-net >/dev/null
# The rootless network namespace outlives its containers: stop it.
python3 -c 'import json,os,sys
try:
    h = json.load(open(sys.argv[1]))
except OSError:
    sys.exit(0)
for k in ("pid", "pasta"):
    try:
        os.kill(h[k], 9)
    except (KeyError, OSError):
        pass' "$run_n/netns/holder.json"
wipe "$store_n" "$run_n"

pn_run="–" pn_t="" pn_note="" pn_unet="–"
if command -v podman >/dev/null; then
    prun=$(mktemp -d /tmp/kbn-XXXXXX) # podman refuses a runroot longer than 50 characters
    pstore=$work/podman-net-store
    PN=(podman --root "$pstore" --runroot "$prun" --storage-driver overlay
        --cgroup-manager cgroupfs --events-backend file)
    if command -v runc >/dev/null; then PN+=(--runtime runc); fi
    pn_clean() { "${PN[@]}" rm -f -t 0 -a >/dev/null 2>&1 || true; }
    wipe "$pstore"
    if "${PN[@]}" import -q "$net_rootfs" busybox:latest >/dev/null 2>"$work/podman.err" &&
        "${PN[@]}" run --rm busybox true 2>>"$work/podman.err"; then
        echo "bench: podman run --rm (default network)" >&2
        hyperfine -N --style none --warmup 3 --runs 30 --export-json "$work/p-net-run.json" \
            "${PN[*]} run --rm busybox true" >&2
        pn_run="$(net_hf_ms "$work/p-net-run.json") ms"
        echo "bench: podman 1 GiB through -p" >&2
        pn_t=$(net_transfer "" "${PN[@]}")
        if "${PN[@]}" network create bench-net >/dev/null 2>>"$work/podman.err" &&
            "${PN[@]}" run --rm --network bench-net busybox true 2>>"$work/podman.err"; then
            echo "bench: podman run --rm on a user-defined network" >&2
            hyperfine -N --style none --warmup 3 --runs 30 --export-json "$work/p-net-unet.json" \
                "${PN[*]} run --rm --network bench-net busybox true" >&2
            pn_unet="$(net_hf_ms "$work/p-net-unet.json") ms"
        fi
        "${PN[@]}" network rm -f bench-net >/dev/null 2>&1 || true
    else
        pn_note="podman failed: $(tail -1 "$work/podman.err")"
    fi
    pn_clean
    pn_clean() { :; }
    wipe "$pstore"
    rm -rf "$prun"
else
    pn_note="podman is not installed"
fi

echo
echo "Network, rootless as $(id -un), $(nproc) CPUs, $(uname -r); hyperfine medians of 30 runs, transfers medians of $net_runs; podman $(podman --version 2>/dev/null | awk '{print $3}') (default network: slirp4netns + rootlessport)."
echo
echo "| benchmark | kist | podman | target (kist) |"
echo "|---|---:|---:|---:|"
echo "| \`run --rm busybox true\`, default network (kist: $kn_backend) | ${kn_run} | ${pn_run} | ≤ 40 ms |"
pn_cell="–"
[ -z "$pn_t" ] || pn_cell="$(fmt "$pn_t") s ($(net_rate "$pn_t"))"
echo "| 1 GiB host → container through \`-p\` (kist: $kn_backend) | $(fmt "$kn_t") s ($(net_rate "$kn_t")) | $pn_cell | ≤ podman |"
echo "| the same, kist \`--network slirp4netns\` | $(fmt "$kn_slirp_t") s ($(net_rate "$kn_slirp_t")) | | |"
echo "| \`run --rm --network NET busybox true\`, a user-defined network | ${kn_unet} | ${pn_unet} | |"
[ -z "$pn_note" ] || { echo; echo "podman: $pn_note"; }
trap - EXIT
