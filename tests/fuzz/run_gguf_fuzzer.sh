#!/usr/bin/env bash
# Runs the GGUF fuzzer for VELA_FUZZ_SECONDS (default 60) from fresh seeds; fails on any finding.
# Usage: run_gguf_fuzzer.sh FUZZER SEED_TOOL WORK_DIR [DEFAULT_SHARED_DIR]
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3
rm -rf "$work" && mkdir -p "$work/corpus" "$work/findings"
"$seeds" "$work/corpus" "${VELA_TEST_DATA:-${4:-}}"
# -rss_limit_mb / -malloc_limit_mb: a header that makes the reader allocate far beyond the input is a finding.
exec "$fuzzer" "$work/corpus" -max_total_time="${VELA_FUZZ_SECONDS:-60}" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -artifact_prefix="$work/findings/" -print_final_stats=1
