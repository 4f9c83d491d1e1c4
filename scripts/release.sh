#!/usr/bin/env bash
# Builds the release archives of yingsu into dist/ (or $DIST): one self-contained binary per
# target (the default fonts are compiled in), with the README, the fonts' licences, shell
# completions and the man page.
#
#   scripts/release.sh                     # every target below that this machine can build
#   scripts/release.sh x86_64-unknown-linux-gnu
#
# Targets: x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, x86_64-pc-windows-gnu. A target
# whose Rust standard library (rustup target add …) or linker (aarch64-linux-gnu-gcc,
# x86_64-w64-mingw32-gcc) is missing is skipped with a message. Each archive's binary is tried
# alone in an empty folder (`yingsu demo`): natively, under qemu-aarch64 or under Wine when
# those are installed. Not for CI: it builds in release mode for several targets.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CI:-}" = "true" ]; then
  echo "release.sh 不在 CI 中运行（需要交叉编译，耗时较长）" >&2
  exit 0
fi

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
dist=${DIST:-dist}
target_dir=${CARGO_TARGET_DIR:-target}
host=$(rustc -vV | sed -n 's/^host: //p')
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-pc-windows-gnu)
fi
mkdir -p "$dist"

installed_targets() {
  if command -v rustup >/dev/null 2>&1; then
    rustup target list --installed
  else
    echo "$host"
  fi
}

# The linker a target needs, empty for the host's own.
linker_for() {
  case "$1" in
    "$host") echo "" ;;
    aarch64-unknown-linux-gnu) echo "aarch64-linux-gnu-gcc" ;;
    x86_64-pc-windows-gnu) echo "x86_64-w64-mingw32-gcc" ;;
    x86_64-unknown-linux-gnu) echo "x86_64-linux-gnu-gcc" ;;
    *) echo "unknown" ;;
  esac
}

# Runs `demo` with the binary alone in an empty folder; $1 the runner (may be empty), $2 the binary.
smoke() {
  local runner=$1 exe=$2 tmp
  tmp=$(mktemp -d)
  cp "$exe" "$tmp/"
  if (cd "$tmp" && YINGSU_SYSTEM_FONTS=0 $runner "./$(basename "$exe")" demo >"$tmp/demo.log" 2>&1); then
    echo "  试运行通过：$(grep -c '\.pdf$' "$tmp/demo.log" || true) 份文书"
  else
    echo "  试运行失败，日志：$tmp/demo.log" >&2
    return 1
  fi
  rm -rf "$tmp"
}

built=()
skipped=()
for t in "${targets[@]}"; do
  echo "== $t"
  if ! installed_targets | grep -qx "$t"; then
    echo "  跳过：未安装这个目标的 Rust 标准库（rustup target add $t）"
    skipped+=("$t")
    continue
  fi
  linker=$(linker_for "$t")
  if [ "$linker" = "unknown" ]; then
    echo "  跳过：本脚本不认识这个目标"
    skipped+=("$t")
    continue
  fi
  env_linker=()
  if [ -n "$linker" ]; then
    if ! command -v "$linker" >/dev/null 2>&1; then
      echo "  跳过：找不到链接器 $linker（Debian/Ubuntu：apt-get install gcc-aarch64-linux-gnu 或 gcc-mingw-w64-x86-64）"
      skipped+=("$t")
      continue
    fi
    var="CARGO_TARGET_$(echo "$t" | tr 'a-z-' 'A-Z_')_LINKER"
    env_linker=("$var=$linker")
  fi
  env "${env_linker[@]}" cargo build --release --locked --target "$t"
  exe_name=yingsu
  case "$t" in *windows*) exe_name=yingsu.exe ;; esac
  exe="$target_dir/$t/release/$exe_name"

  name="yingsu-$version-$t"
  stage="$dist/$name"
  rm -rf "$stage"
  mkdir -p "$stage/licenses/fandol" "$stage/licenses/hanazono" "$stage/completions"
  cp "$exe" "$stage/"
  cp README.md "$stage/"
  cp fonts/fandol/COPYING fonts/fandol/README "$stage/licenses/fandol/"
  cp fonts/hanazono/COPYRIGHT fonts/hanazono/README.txt "$stage/licenses/hanazono/"
  # Completions and the man page come from a binary that runs here.
  helper=""
  if [ "$t" = "$host" ]; then
    helper="$exe"
  elif [ -x "$target_dir/$host/release/yingsu" ]; then
    helper="$target_dir/$host/release/yingsu"
  elif [ -x "$target_dir/release/yingsu" ]; then
    helper="$target_dir/release/yingsu"
  fi
  if [ -n "$helper" ]; then
    for sh in bash zsh fish powershell; do
      "$helper" completions "$sh" >"$stage/completions/yingsu.$sh"
    done
    "$helper" man >"$stage/yingsu.1"
  else
    echo "  注意：本机没有可运行的 yingsu，归档中不含补全脚本和 man 手册页"
  fi

  case "$t" in
    *windows*)
      if command -v zip >/dev/null 2>&1; then
        (cd "$dist" && rm -f "$name.zip" && zip -qr "$name.zip" "$name")
        archive="$dist/$name.zip"
      else
        tar -C "$dist" -czf "$dist/$name.tar.gz" "$name"
        archive="$dist/$name.tar.gz"
      fi
      ;;
    *)
      tar -C "$dist" -czf "$dist/$name.tar.gz" "$name"
      archive="$dist/$name.tar.gz"
      ;;
  esac
  echo "  归档：$archive（程序 $(du -h "$exe" | cut -f1)，归档 $(du -h "$archive" | cut -f1)）"

  case "$t" in
    "$host") smoke "" "$exe" ;;
    aarch64-unknown-linux-gnu)
      if command -v qemu-aarch64 >/dev/null 2>&1; then
        QEMU_LD_PREFIX=/usr/aarch64-linux-gnu smoke "qemu-aarch64" "$exe"
      else
        echo "  未试运行：没有 qemu-aarch64"
      fi
      ;;
    *windows*)
      if command -v wine >/dev/null 2>&1; then
        WINEDEBUG=-all smoke "wine" "$exe"
      else
        echo "  未试运行：没有 Wine"
      fi
      ;;
  esac
  built+=("$archive")
done

(cd "$dist" && sha256sum -- *.tar.gz *.zip 2>/dev/null >SHA256SUMS || true)
echo
echo "已生成 ${#built[@]} 个归档：${built[*]:-无}"
if [ "${#skipped[@]}" -gt 0 ]; then
  echo "跳过的目标：${skipped[*]}"
fi
