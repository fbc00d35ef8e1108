#!/usr/bin/env bash
# Headless build (core, CLI, tests; no Qt, no audio) against the CUDA-enabled LibTorch inside a PyTorch
# installation — how the GPU path is built and tested on an NVIDIA machine.
#   packaging/gpu/build-headless.sh [BUILD_DIR]
# Header-only dependencies (nlohmann-json, CLI11, Catch2 2.x) are taken from the system or, on machines that
# lack them, from SPE_EXTRA_PREFIX (a folder with include/ and share|lib/cmake/ copied from Debian's packages).
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir=${1:-build-gpu}
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
prefix_path="$torch_prefix"
[ -n "${SPE_EXTRA_PREFIX:-}" ] && prefix_path="$prefix_path;$SPE_EXTRA_PREFIX"
cuda_root=${CUDA_HOME:-/usr/local/cuda}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix_path" -DSPE_BUILD_GUI=OFF -DSPE_WITH_AUDIO=OFF \
  -DCUDAToolkit_ROOT="$cuda_root" -DCMAKE_CUDA_COMPILER="$cuda_root/bin/nvcc" \
  -DSPE_SHARED_DATA_DIR="${SPE_SHARED_DATA:-$PWD/../shared/data}"
cmake --build "$build_dir" -j "$(nproc)"
