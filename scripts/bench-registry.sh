# Sourced by scripts/bench (part "registry"), rootless, as the benchmark
# user. A 512 MB / 8-layer image of half-compressible data is pushed with
# gzip layers into a local docker-registry (plain HTTP on 127.0.0.1), then:
#   - cold `kist pull` vs cold rootless `podman pull` (3 runs each, median;
#     target: kist at least 2x faster)
#   - re-pull of the present image (hyperfine; target <= 50 ms)
#   - `kist push` vs `skopeo copy` of the same image from a docker-archive
#     (uncompressed layers, so both compress) into an empty registry
#     (3 runs each, median; target: kist within 1.5x)

reg_mb=${KIST_BENCH_PULL_MB:-512}
reg_archive=$work/bench-pull-${reg_mb}m.tar
if [ ! -f "$reg_archive" ]; then
    echo "bench: writing $reg_archive" >&2
    python3 "$work/make-bench-archive.py" "$reg_archive" --size-mb "$reg_mb" --layers 8 \
        --compressible --name kist-bench/pull:latest >&2
fi
reg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
reg_host=127.0.0.1:$reg_port
reg_pid=""
reg_start() {
    rm -rf "$work/registry"
    mkdir -p "$work/registry/data"
    cat >"$work/registry/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: $reg_host
YAML
    docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
    reg_pid=$!
    for _ in $(seq 1 100); do
        curl -fs "http://$reg_host/v2/" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "bench: docker-registry did not start: $(tail -3 "$work/registry/log")" >&2
    exit 1
}
reg_stop() { [ -z "$reg_pid" ] || { kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; reg_pid=""; }; }
trap reg_stop EXIT
secs() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }

reg_start
echo "bench: seeding $reg_host/bench/pull:latest with skopeo (gzip layers)" >&2
skopeo copy -q --dest-tls-verify=false "docker-archive:$reg_archive" "docker://$reg_host/bench/pull:latest" >&2
PS=$work/store-pull
KP=("$KIST" --root "$PS" --runroot "$work/run-pull")

pull_t=()
for i in $(seq 1 $runs); do
    wipe "$PS"
    sync
    t0=$(now)
    "${KP[@]}" pull -q "$reg_host/bench/pull:latest" >/dev/null
    t1=$(now)
    pull_t+=("$(secs "$t0" "$t1")")
done
hyperfine -N --style none --warmup 2 --runs 20 --export-json "$work/repull.json" \
    "${KP[*]} pull -q $reg_host/bench/pull:latest" >&2
repull_ms=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$work/repull.json")

ppull_t=()
ppull_note=""
if command -v podman >/dev/null; then
    prun=$(mktemp -d /tmp/kbp-XXXXXX)
    PP=(podman --root "$work/podman-pull" --runroot "$prun" --storage-driver overlay
        --cgroup-manager cgroupfs --events-backend file)
    for i in $(seq 1 $runs); do
        wipe "$work/podman-pull"
        sync
        t0=$(now)
        if ! "${PP[@]}" pull -q --tls-verify=false "$reg_host/bench/pull:latest" >/dev/null 2>"$work/podman.err"; then
            ppull_note="podman pull failed: $(tail -1 "$work/podman.err")"
            ppull_t=()
            break
        fi
        t1=$(now)
        ppull_t+=("$(secs "$t0" "$t1")")
    done
    wipe "$work/podman-pull"
    rm -rf "$prun"
else
    ppull_note="podman is not installed"
fi

push_t=()
skopeo_t=()
for i in $(seq 1 $runs); do
    reg_stop
    reg_start
    sync
    t0=$(now)
    "${KP[@]}" push -q "$reg_host/bench/pull:latest" "$reg_host/bench/pushed:latest" >/dev/null
    t1=$(now)
    push_t+=("$(secs "$t0" "$t1")")
    reg_stop
    reg_start
    sync
    t0=$(now)
    skopeo copy -q --dest-tls-verify=false "docker-archive:$reg_archive" "docker://$reg_host/bench/copied:latest" >/dev/null
    t1=$(now)
    skopeo_t+=("$(secs "$t0" "$t1")")
done
reg_stop
wipe "$PS"

k=$(median "${pull_t[@]}")
echo
echo "Registry, rootless as $(id -un), $(nproc) CPUs; image: ${reg_mb} MB in 8 gzip layers (half-compressible data) on a local docker-registry; medians of $runs runs."
echo
echo "| benchmark | kist | other | kist / other | target |"
echo "|---|---:|---:|---:|---|"
if [ ${#ppull_t[@]} -gt 0 ]; then
    p=$(median "${ppull_t[@]}")
    echo "| cold pull (other: \`podman pull\`) | $(fmt "$k") s | $(fmt "$p") s | $(fmt "$(awk -v a="$k" -v b="$p" 'BEGIN { print a / b }')") | ≤ 0.50 |"
else
    echo "| cold pull | $(fmt "$k") s | – | – | $ppull_note |"
fi
echo "| re-pull of the present image | ${repull_ms} ms | | | ≤ 50 ms |"
kp=$(median "${push_t[@]}")
sk=$(median "${skopeo_t[@]}")
echo "| push into an empty registry (other: \`skopeo copy\` from docker-archive) | $(fmt "$kp") s | $(fmt "$sk") s | $(fmt "$(awk -v a="$kp" -v b="$sk" 'BEGIN { print a / b }')") | ≤ 1.50 |"
echo
echo "kist pull runs: ${pull_t[*]} s; podman: ${ppull_t[*]:-none} s; kist push: ${push_t[*]} s; skopeo copy: ${skopeo_t[*]} s"
