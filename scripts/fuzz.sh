#!/usr/bin/env bash
# Fuzzes the wire decoder, the gate's operations and the Redis client's RESP decoder with
# libFuzzer for a fixed time.
#
#   scripts/fuzz.sh [SECONDS] [libFuzzer flags...]        (default 300 s)
#
# Builds scripts/fuzz/FuzzEntry.swift with TokenGateWire, TokenGateCore and the RESP codec of
# TokenGateRedis (Sources/TokenGateRedis/RESP, which needs nothing but the standard library) compiled from source
# with -sanitize=fuzzer,address (swift-collections comes from a debug build of the package, in
# $FUZZ_DEPS_SCRATCH, default .build-hard), then runs the fuzzer in one process over a working
# corpus seeded from scripts/fuzz/seeds, with a dictionary of the protocol's words. Crashes land in
# $FUZZ_OUT/crashes (default .build-fuzz); every one found becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
deps=${FUZZ_DEPS_SCRATCH:-.build-hard}
out=${FUZZ_OUT:-.build-fuzz}
mkdir -p "$out/corpus" "$out/crashes"

[ -n "${FUZZ_SKIP_DEPS_BUILD:-}" ] || swift build --scratch-path "$deps" --target TokenGateCore >/dev/null
products="$(swift build --scratch-path "$deps" --show-bin-path)"
modules="$products/Modules"
[ -d "$modules" ] || modules="$products"
flags=(-parse-as-library -O -sanitize=fuzzer,address -g -I "$out" -I "$modules")

# Core first: Wire uses Core's names. Each module's sources, subfolders included.
swiftc "${flags[@]}" -module-name TokenGateCore -wmo -emit-module -emit-module-path "$out/TokenGateCore.swiftmodule" \
    -c $(find Sources/TokenGateCore -name '*.swift' | sort) -o "$out/TokenGateCore.o"
swiftc "${flags[@]}" -module-name TokenGateRedis -wmo -emit-module -emit-module-path "$out/TokenGateRedis.swiftmodule" \
    -c $(find Sources/TokenGateRedis/RESP -name '*.swift' | sort) -o "$out/TokenGateRedis.o"
# Wire without its NIO adapters (Sources/TokenGateWire/NIO: the line framer, the task executor),
# which the decoder and the gate do not use.
swiftc "${flags[@]}" -module-name TokenGateWire -wmo -emit-module -emit-module-path "$out/TokenGateWire.swiftmodule" \
    -c $(find Sources/TokenGateWire -name '*.swift' -not -path '*/NIO/*' | sort) -o "$out/TokenGateWire.o"
shopt -s nullglob
collections=("$products"/{DequeModule,HeapModule,InternalCollectionsUtilities,ContainersPreview}.build/*.o)
swiftc "${flags[@]}" -module-name TokenGateFuzz scripts/fuzz/FuzzEntry.swift \
    "$out/TokenGateWire.o" "$out/TokenGateCore.o" "$out/TokenGateRedis.o" "${collections[@]}" -o "$out/tokengate-fuzz" \
    2> >(grep -v "Cannot export local symbol" >&2)

echo "fuzzing for $seconds s ($(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
"$out/tokengate-fuzz" "$out/corpus" scripts/fuzz/seeds -dict=scripts/fuzz/wire.dict -max_len=2048 \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/crashes/" "$@" 2>&1 \
    | grep -E '^(Done|stat::|==|SUMMARY|INFO: Seed|.*(ERROR|Fatal|deadly|crash|leak))' | head -n 60
