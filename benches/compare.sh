#!/usr/bin/env bash
# Side by side: the same two-page reply letters (复函) made by
#   - yingsu: `render --all -j 2` with the indexes off (every letter typeset; one process),
#   - the Typst CLI: one `typst compile` per letter from the very template and data yingsu used
#     (its frozen record), 2 at a time; yingsu's layout library breaks body lines through a
#     function of the yingsu program, which the Typst CLI does not have, so the CLI gets the
#     same library with that breaker written in Typst script (as it was at cb6894f, from git;
#     or TYPST_LIBRARY=file.typ),
#   - XeLaTeX + ctex: the letter's text in a GB/T 9704 page (A4, 156 × 225 mm, 三号 仿宋),
#     one run per letter, 2 at a time,
#   - LibreOffice: the same text as HTML converted to PDF, all letters in one call,
# each only when it is installed (`typst`, `xelatex`, `soffice` on PATH, or TYPST=, XELATEX=,
# SOFFICE= naming them), in interleaved rounds, printing docs/s per round and the ratio of
# each tool's median time per letter to yingsu's.
#
#   bash benches/compare.sh [letters, default 200] [rounds, default 3]
#   TOOLS=typst bash benches/compare.sh 1000 2     # yingsu and the Typst CLI only
#
# The XeLaTeX and LibreOffice letters carry the same text in the same page and fonts but are
# typeset by those tools' own rules; they compare the cost of a document, not its look.
set -euo pipefail

N=${1:-200}
ROUNDS=${2:-3}
JOBS=2
here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
cd "$here"
cargo build --release --quiet --bin yingsu --example letters_archive
Y=$target/release/yingsu
typst=${TYPST:-$(command -v typst || true)}
xelatex=${XELATEX:-$(command -v xelatex || true)}
soffice=${SOFFICE:-$(command -v soffice || command -v libreoffice || true)}
# TOOLS="typst xelatex libreoffice" (any of them) compares yingsu with those alone.
if [ -n "${TOOLS:-}" ]; then
  [[ " $TOOLS " == *" typst "* ]] || typst=
  [[ " $TOOLS " == *" xelatex "* ]] || xelatex=
  [[ " $TOOLS " == *" libreoffice "* ]] || soffice=
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$target/release/examples/letters_archive" "$work/ws" "$N" >/dev/null
mapfile -t records < <(find "$work/ws/archive" -name '*-fuhan.json' | sort)
echo "letters: ${#records[@]} (two pages each), rounds: $ROUNDS, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# Each letter as a Typst project: the template and the layout library yingsu used, the data
# its frozen record holds, the organisation names as /protected.json.
if [ -n "$typst" ]; then
  echo "typst: $("$typst" --version)"
  "$Y" -C "$work/ws" template show fuhan >"$work/fuhan.typ"
  if [ -n "${TYPST_LIBRARY:-}" ]; then
    cp "$TYPST_LIBRARY" "$work/gbt9704.typ"
  else
    git -C "$here" show cb6894f:templates/gbt9704.typ >"$work/gbt9704.typ"
  fi
  i=0
  for r in "${records[@]}"; do
    d=$work/typst/$i
    mkdir -p "$d"
    cp "$work/fuhan.typ" "$d/main.typ"
    cp "$work/gbt9704.typ" "$d/gbt9704.typ"
    python3 - "$r" "$d" <<'EOF'
import json, sys
rec = json.load(open(sys.argv[1], encoding="utf-8"))
json.dump(rec["data"], open(sys.argv[2] + "/data.json", "w", encoding="utf-8"), ensure_ascii=False)
json.dump(rec["data"].get("protected", []), open(sys.argv[2] + "/protected.json", "w", encoding="utf-8"), ensure_ascii=False)
EOF
    i=$((i + 1))
  done
fi

# The letters' text, for the tools that cannot read the template.
if [ -n "$xelatex" ] || [ -n "$soffice" ]; then
  mkdir -p "$work/tex" "$work/html"
  i=0
  for r in "${records[@]}"; do
    pdftotext -layout "${r%.json}.pdf" "$work/text-$i.txt"
    python3 - "$work/text-$i.txt" "$work/tex/$i.tex" "$work/html/$i.html" <<'EOF'
import sys, html
paras = [p.strip() for p in open(sys.argv[1], encoding="utf-8").read().replace("\f", "\n").split("\n") if p.strip()]
tex = r"""\documentclass{ctexart}
\usepackage[a4paper,top=37mm,left=28mm,textwidth=156mm,textheight=225mm]{geometry}
\setCJKmainfont{FandolFang-Regular.ttf}[Path=%s/]
\pagestyle{plain}\setlength{\parindent}{2em}
\begin{document}\zihao{3}
%s
\end{document}
""" % (sys.argv[4] if len(sys.argv) > 4 else "fonts/fandol", "\n\n".join(p.replace("%", r"\%").replace("#", r"\#") for p in paras))
open(sys.argv[2], "w", encoding="utf-8").write(tex)
body = "".join("<p>%s</p>" % html.escape(p) for p in paras)
open(sys.argv[3], "w", encoding="utf-8").write(
    "<html><head><meta charset='utf-8'><style>@page{size:A4;margin:37mm 26mm 35mm 28mm}"
    "p{font-family:'FandolFang';font-size:16pt;text-indent:2em;margin:0;line-height:28.9pt}</style></head>"
    "<body>%s</body></html>" % body)
EOF
    sed -i "s|Path=fonts/fandol/|Path=$here/fonts/fandol/|" "$work/tex/$i.tex"
    i=$((i + 1))
  done
fi

now() { date +%s.%N; }
declare -A times
run() { # tool, command...
  local tool=$1; shift
  local t0; t0=$(now)
  "$@" >/dev/null 2>&1 || { echo "$tool failed" >&2; return 1; }
  local secs; secs=$(echo "$(now) - $t0" | bc -l)
  times[$tool]="${times[$tool]:-} $secs"
  printf '  %-12s %7.2f s  %7.1f docs/s\n' "$tool" "$secs" "$(echo "${#records[@]} / $secs" | bc -l)"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  run yingsu env YINGSU_INDEX=off "$Y" -C "$work/ws" render --all -j "$JOBS"
  if [ -n "$typst" ]; then
    run typst-cli bash -c "ls -d '$work'/typst/* | xargs -P $JOBS -I{} '$typst' compile --root {} --font-path '$here/fonts' --ignore-system-fonts --pdf-standard a-2b {}/main.typ {}/out.pdf"
  fi
  if [ -n "$xelatex" ]; then
    run xelatex bash -c "cd '$work/tex' && ls *.tex | xargs -P $JOBS -I{} '$xelatex' -interaction=batchmode -halt-on-error {}"
  fi
  if [ -n "$soffice" ]; then
    run libreoffice bash -c "cd '$work/html' && '$soffice' --headless --convert-to pdf:writer_pdf_Export --outdir out *.html"
  fi
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${times[yingsu]}" | median)
echo
echo "| tool | median time for ${#records[@]} letters | docs/s | time per letter vs yingsu |"
echo "|---|---|---|---|"
for tool in yingsu typst-cli xelatex libreoffice; do
  [ -n "${times[$tool]:-}" ] || continue
  m=$(echo "${times[$tool]}" | median)
  printf '| %s | %.2f s | %.1f | %.1f× |\n' "$tool" "$m" "$(echo "${#records[@]} / $m" | bc -l)" "$(echo "$m / $base" | bc -l)"
done
