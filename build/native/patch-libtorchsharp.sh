#!/usr/bin/env bash
# patch-libtorchsharp.sh LIB SHIM_NAME: builds the ios_base_library_init shim next to LIB, adds it as a
# needed library and marks LIB's GLIBCXX_3.4.32 requirement weak. Safe to run twice.
set -euo pipefail
lib=$1 shim_name=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(dirname "$lib")
shim="$dir/$shim_name"
if [ ! -f "$shim" ] || [ "$here/ios_base_library_init.cpp" -nt "$shim" ]; then
  g++ -shared -fPIC -O2 -o "$shim.tmp" "$here/ios_base_library_init.cpp"
  mv "$shim.tmp" "$shim"
fi
if ! readelf -d "$lib" | grep -q "\[$shim_name\]"; then
  for tool in patchelf readelf g++; do
    command -v "$tool" >/dev/null || { echo "patch-libtorchsharp: $tool is missing (apt-get install patchelf binutils g++)" >&2; exit 1; }
  done
  tmp="$lib.patching"
  cp "$lib" "$tmp"
  patchelf --add-needed "$shim_name" "$tmp"
  python3 "$here/mark_version_weak.py" "$tmp" GLIBCXX_3.4.32 || true  # absent in other TorchSharp builds: nothing to mark
  mv "$tmp" "$lib"
fi
