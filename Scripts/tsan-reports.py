#!/usr/bin/env python3
"""Counts the ThreadSanitizer reports of a log that are not the toolchain's false Mutex reports.

`Synchronization.Mutex.withLock` is inlined into its callers and its contended path (futex wait
and wake) lives in the uninstrumented Synchronization library, so ThreadSanitizer can report two
accesses to a Mutex-protected value as a race. Such a report is set aside when each of its two
access stacks has a frame on a source line of this repository that calls `withLock`: both
accesses ran inside a `withLock` body. Every other report is printed and counted.

Usage: tsan-reports.py <log>   (prints a summary on stderr, the count of real reports on stdout)
"""
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
text = open(sys.argv[1], errors="replace").read()
reports = text.split("WARNING: ThreadSanitizer:")[1:]
lines_cache = {}


def source_line(path, number):
    if path not in lines_cache:
        try:
            lines_cache[path] = open(path, errors="replace").read().split("\n")
        except OSError:
            lines_cache[path] = []
    lines = lines_cache[path]
    return lines[number - 1] if 0 < number <= len(lines) else ""


def inside_with_lock(stack):
    for path, number in re.findall(r"#\d+ \S+ (" + re.escape(root) + r"/\S+?):(\d+)", stack):
        if "withLock" in source_line(path, int(number)):
            return True
    return False


real = 0
for report in reports:
    body = report.split("SUMMARY:")[0]
    stacks = [part for part in re.split(r"\n\s*\n", body) if "#0 " in part][:2]
    if len(stacks) == 2 and all(inside_with_lock(stack) for stack in stacks):
        continue
    real += 1
    print("ThreadSanitizer report outside Mutex bodies:\n" + body[:4000], file=sys.stderr)
print(f"tsan-reports: {len(reports)} report(s), {len(reports) - real} inside Mutex.withLock bodies on both sides, {real} other", file=sys.stderr)
print(real)
