#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Judge one run of the VFIO rig from the guest console and QEMU's trace.

The guest program (vfio_check) prints, on the serial console:
  @@CHECK <name> PASS|FAIL <detail>   its own verdicts
  @@DMA iova=0x.. gpa=0x..            a device DMA it saw land: the page at
                                      IOVA was the guest page at gpa (the
                                      rig guest's physical address, read
                                      from /proc/self/pagemap)
  @@BLOCKED iova=0x..                 a device DMA it saw not land
  @@PERF <name> key=value...          measurements
in the order the device made those DMAs. QEMU's vtd_* trace (-trace) shows
what the emulated VT-d really did. For every @@DMA the trace must hold a
vtd_dmar_translate of that IOVA to that gpa, and for every @@BLOCKED a
vtd_dmar_fault on the IOVA's page, each after the events matched for the
lines before it (a remapped IOVA first translates to the old page, then to
the new one).

Prints one "CHECK <name> PASS|FAIL <detail>" line per guest check, per
@@DMA and per @@BLOCKED, plus whether the guest finished; "PERF ..." lines
unchanged; then "N passed, N failed". Exit status 0 when nothing failed.

  check-trace.py [--label L] CONSOLE_LOG TRACE_LOG
"""
import argparse
import re
import sys

PAGE = 4096
XLATE = re.compile(r"vtd_dmar_translate dev \S+ iova (0x[0-9a-f]+) -> gpa (0x[0-9a-f]+) "
                   r"mask (0x[0-9a-f]+)")
FAULT = re.compile(r"vtd_dmar_fault sid \S+ fault \d+ addr (0x[0-9a-f]+) write (\d)")


def console_lines(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    for line in text.splitlines():
        i = line.find("@@")
        if i >= 0:
            yield line[i + 2:].rstrip("\r")


def trace_events(path):
    events = []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace")
            m = XLATE.search(line)
            if m:
                iova, gpa, mask = (int(x, 16) for x in m.groups())
                events.append(("xlate", iova, gpa, mask))
                continue
            m = FAULT.search(line)
            if m:
                events.append(("fault", int(m.group(1), 16) & ~(PAGE - 1), 0, 0))
    return events


def lands(ev, iova, gpa):
    kind, base, target, mask = ev
    return kind == "xlate" and base <= iova <= base + mask and target + (iova - base) == gpa


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="")
    ap.add_argument("console")
    ap.add_argument("trace")
    a = ap.parse_args()
    prefix = a.label + ":" if a.label else ""
    passed = failed = 0

    def verdict(name, ok, detail):
        nonlocal passed, failed
        print("CHECK %s%s %s %s" % (prefix, name, "PASS" if ok else "FAIL", detail))
        if ok:
            passed += 1
        else:
            failed += 1

    try:
        events = trace_events(a.trace)
    except OSError as e:
        events = []
        verdict("trace", False, "cannot read %s: %s" % (a.trace, e))
    pos = 0
    done = None
    for line in console_lines(a.console):
        word, _, rest = line.partition(" ")
        if word == "CHECK":
            name, _, rest = rest.partition(" ")
            status, _, detail = rest.partition(" ")
            verdict(name, status == "PASS", detail)
        elif word == "PERF":
            print("PERF %s%s" % (prefix, rest))
        elif word == "GUEST-DONE":
            done = rest
        elif word in ("DMA", "BLOCKED"):
            kv = dict(f.split("=", 1) for f in rest.split() if "=" in f)
            try:
                iova = int(kv["iova"], 16)
                gpa = int(kv["gpa"], 16) if word == "DMA" else None
            except (KeyError, ValueError):
                verdict("trace-" + word.lower(), False, "unreadable line: " + line)
                continue
            if word == "DMA":
                want = lambda ev: lands(ev, iova, gpa)
                what = "iova=0x%x gpa=0x%x" % (iova, gpa)
            else:
                want = lambda ev: ev[0] == "fault" and ev[1] == iova & ~(PAGE - 1)
                what = "iova=0x%x" % iova
            i = pos
            while i < len(events) and not want(events[i]):
                i += 1
            if i < len(events):
                verdict("trace-" + word.lower(), True,
                        what + (" translated" if word == "DMA" else " faulted") +
                        " (event %d)" % i)
                pos = i + 1
            else:
                late = any(want(ev) for ev in events[:pos])
                verdict("trace-" + word.lower(), False,
                        what + (" only before an earlier match" if late else
                                " not in the vtd trace"))
    verdict("guest-done", done == "PASS", done or "the guest did not finish")
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
