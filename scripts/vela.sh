#!/usr/bin/env bash
# The two set-up commands of the README, from a fresh Debian 12 machine; both are safe to re-run.
#   scripts/vela.sh run    install what the app needs, build it, launch it
#   scripts/vela.sh test   install what the tests need, build everything, run every test
# Environment: VELA_BUILD_DIR (default build), VELA_TEST_DATA (default ../shared), VELA_FUZZ_SECONDS (default 20).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-}
build=${VELA_BUILD_DIR:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)

app_packages=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools libgl-dev libvulkan-dev
              vulkan-tools glslc mesa-vulkan-drivers libstb-dev libpcre2-dev libqt6sql6-sqlite
              libpoppler-qt6-dev libzip-dev)  # documents: PDF text (Poppler), DOCX/EPUB (zip)
test_packages=(vulkan-validationlayers clang libclang-rt-14-dev xvfb xauth
               fonts-dejavu-core)  # the document tests draw text into PDFs with QPdfWriter

install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_and_build() {  # build-dir, extra cmake args…
    local dir=$1
    shift
    cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

case "$mode" in
run)
    install_packages "${app_packages[@]}"
    configure_and_build "$build" -DVELA_BUILD_TESTS=OFF
    exec "$build/ui/vela"
    ;;
test)
    install_packages "${app_packages[@]}" "${test_packages[@]}"
    data=${VELA_TEST_DATA:-$root/../shared}
    if [ ! -d "$data/models" ]; then
        echo "warning: test data not found at $data (set VELA_TEST_DATA to the shared/ folder); data tests will fail" >&2
    else
        export VELA_TEST_DATA=$(cd "$data" && pwd)
    fi
    export VELA_FUZZ_SECONDS=${VELA_FUZZ_SECONDS:-20}
    # 1. The product build (GCC) with every test.
    configure_and_build "$build"
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    # 2. The engine's parsers again under AddressSanitizer + UBSan (clang), plus a timed libFuzzer run.
    CC=clang CXX=clang++ configure_and_build "$build-asan" -DVELA_SANITIZE=ON -DVELA_FUZZ=ON -DVELA_BUILD_GUI=OFF
    ctest --test-dir "$build-asan" --output-on-failure -j "$jobs" -L sanitize
    ;;
*)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
