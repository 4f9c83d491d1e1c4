#!/usr/bin/env python3
"""Compare calendar/cn.yaml with the data tables of the PyPI package chinese-calendar.

Usage: pip install chinese-calendar pyyaml && python3 scripts/calendar_crosscheck.py

Every date of 2015-01-01..2026-12-31 that one side lists as a holiday (放假日) or an adjusted
working day (调休上班日) and the other does not is printed. A difference on a Saturday or Sunday
that one side lists as a holiday and the other not at all changes nothing for counting working
days (the day is a rest day either way); it is printed as "weekend only" and counted separately.
Exit status 1 if any other ("material") difference remains.
"""

import datetime
import pathlib
import sys

import yaml

try:
    import chinese_calendar
    from chinese_calendar import constants
except ImportError:  # pragma: no cover
    sys.exit("chinese-calendar is not installed: pip install chinese-calendar")

FIRST, LAST = 2015, 2026
ROOT = pathlib.Path(__file__).resolve().parent.parent


def parse_dates(spec):
    spec = str(spec)
    if ".." in spec:
        a, b = spec.split("..", 1)
    else:
        a = b = spec
    start = datetime.date.fromisoformat(a.strip())
    end = datetime.date.fromisoformat(b.strip())
    if end < start:
        raise ValueError(f"range ends before it starts: {spec}")
    d = start
    while d <= end:
        yield d
        d += datetime.timedelta(days=1)


def load_table():
    # BaseLoader keeps every scalar a string, as serde-saphyr (YAML 1.2) does.
    data = yaml.load((ROOT / "calendar" / "cn.yaml").read_text("utf-8"), Loader=yaml.BaseLoader)
    holidays, workdays = {}, {}
    for year, entry in data["years"].items():
        for kind, out in (("holidays", holidays), ("workdays", workdays)):
            for item in entry.get(kind, []):
                for d in parse_dates(item["dates"]):
                    out[d] = f'{item["name"]}, {item.get("by", entry["notice"])}'
    return holidays, workdays


def in_range(d):
    return FIRST <= d.year <= LAST


def main():
    ours_h, ours_w = load_table()
    ours_h = {d: v for d, v in ours_h.items() if in_range(d)}
    ours_w = {d: v for d, v in ours_w.items() if in_range(d)}
    pkg_h = {d: v for d, v in constants.holidays.items() if in_range(d)}
    pkg_w = {d: v for d, v in constants.workdays.items() if in_range(d)}

    version = getattr(chinese_calendar, "__version__", "?")
    pkg_years = sorted({d.year for d in list(constants.holidays) + list(constants.workdays)})
    print(f"chinese-calendar {version}: data for {pkg_years[0]}–{pkg_years[-1]}")
    missing = [y for y in range(FIRST, LAST + 1) if y not in pkg_years]
    if missing:
        print(f"chinese-calendar has no data for: {', '.join(map(str, missing))}")

    material = weekend_only = 0
    for d in sorted(set(ours_h) | set(ours_w) | set(pkg_h) | set(pkg_w)):
        ours = "holiday" if d in ours_h else "workday" if d in ours_w else "-"
        pkg = "holiday" if d in pkg_h else "workday" if d in pkg_w else "-"
        if ours == pkg:
            continue
        weekend = d.weekday() >= 5
        harmless = weekend and {ours, pkg} == {"holiday", "-"}
        label = "weekend only" if harmless else "DIFFERENCE"
        what = ours_h.get(d) or ours_w.get(d) or pkg_h.get(d) or pkg_w.get(d)
        print(f"{label}: {d} {d.strftime('%a')}: cn.yaml {ours}, chinese-calendar {pkg} [{what}]")
        if harmless:
            weekend_only += 1
        else:
            material += 1

    print(
        f"{FIRST}–{LAST}: {material} differences in {len(ours_h)} holidays and "
        f"{len(ours_w)} workdays ({weekend_only} weekend-only listing differences; "
        f"chinese-calendar: {len(pkg_h)} holidays, {len(pkg_w)} workdays)"
    )
    return 1 if material else 0


if __name__ == "__main__":
    sys.exit(main())
