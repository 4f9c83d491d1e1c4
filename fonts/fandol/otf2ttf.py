"""Convert the Fandol OpenType/CFF fonts to TrueType (glyf) outlines.

Why: PDF export subsets every font for every document. Subsetting the CID-keyed
CFF of the original files means decompiling charstrings and took most of the
export time; TrueType outlines are copied glyph by glyph (see BENCHMARKS.md).
The outlines are converted from cubic to quadratic curves within 1 font unit
(1/1000 em); metrics, names, cmap and layout tables are kept.

Source: the Fandol fonts v0.3 (2015-07-18) from CTAN, https://ctan.org/pkg/fandol,
GPL v2 or later with the font exception (COPYING in this folder). This script
is the change made to them.

Usage: python3 otf2ttf.py FandolFang-Regular.otf ...   (needs fontTools)
"""

import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAXP_ZERO = (
    "maxZones maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs "
    "maxStackElements maxSizeOfInstructions maxComponentElements maxPoints "
    "maxContours maxCompositePoints maxCompositeContours maxComponentDepth"
).split()


def convert(path):
    font = TTFont(path)
    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in MAXP_ZERO:
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = path[: -len(".otf")] + ".ttf"
    font.save(out)
    print(out)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        convert(p)
