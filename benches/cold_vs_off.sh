#!/usr/bin/env bash
# Compares a command run with a cold case index (the index folder deleted first) against the
# same command with the index switched off (YINGSU_INDEX=off), interleaved, N times each, and
# prints the medians and ranges of the wall times. Run it inside a workspace:
#
#   cd /tmp/y10k && bash /path/to/benches/cold_vs_off.sh 3 stats --year 2023
#
# YINGSU (default: yingsu on the PATH) names the binary. Needs GNU time (/usr/bin/time).
set -euo pipefail
n=$1
shift
yingsu=${YINGSU:-yingsu}
t=$(mktemp)
trap 'rm -f "$t"' EXIT
cold=()
off=()
for _ in $(seq "$n"); do
  rm -rf .yingsu/index
  /usr/bin/time -o "$t" -f %e "$yingsu" "$@" >/dev/null 2>&1 || true
  cold+=("$(tail -1 "$t")")
  rm -rf .yingsu/index
  YINGSU_INDEX=off /usr/bin/time -o "$t" -f %e "$yingsu" "$@" >/dev/null 2>&1 || true
  off+=("$(tail -1 "$t")")
done
median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " s (" a[1] "–" a[NR] ")"}'
}
echo "$*: cold $(median "${cold[@]}"), index off $(median "${off[@]}")"
