#!/usr/bin/env bash
# Compares a command run with a cold case index (the index folder deleted first) against the
# same command with the index switched off (YINGSU_INDEX=off), interleaved, N times each, and
# prints the medians and ranges of the wall times. Run it inside a workspace:
#
#   cd /tmp/y10k && bash /path/to/benches/cold_vs_off.sh 3 stats --year 2023
#
# YINGSU (default: yingsu on the PATH) names the binary. BASE, when set, names an older yingsu
# binary run in the same rounds (the index folder deleted before it too), e.g. the one built at
# the commit an issue's figures were measured with:
#
#   git worktree add /tmp/old 02bbf84 && (cd /tmp/old && cargo build --release)
#   BASE=/tmp/old/target/release/yingsu bash benches/cold_vs_off.sh 5 status
#
# Needs GNU time (/usr/bin/time).
set -euo pipefail
n=$1
shift
yingsu=${YINGSU:-yingsu}
base=${BASE:-}
t=$(mktemp)
trap 'rm -f "$t"' EXIT
cold=()
off=()
old=()
timed() { # binary, env..., then the command's arguments
  /usr/bin/time -o "$t" -f %e "$@" >/dev/null 2>&1 || true
  tail -1 "$t"
}
for _ in $(seq "$n"); do
  rm -rf .yingsu/index
  cold+=("$(timed "$yingsu" "$@")")
  rm -rf .yingsu/index
  off+=("$(YINGSU_INDEX=off timed "$yingsu" "$@")")
  if [ -n "$base" ]; then
    rm -rf .yingsu/index
    old+=("$(timed "$base" "$@")")
  fi
done
median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " s (" a[1] "–" a[NR] ")"}'
}
line="$*: cold $(median "${cold[@]}"), index off $(median "${off[@]}")"
if [ -n "$base" ]; then
  line="$line, $(basename "$base") $(median "${old[@]}")"
fi
echo "$line"
