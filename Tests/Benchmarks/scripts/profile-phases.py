#!/usr/bin/env python3
"""Where the time and the memory of one `cohortd analyze` run go, phase by phase.

Runs the command on a pseudo-terminal (so that it draws its progress line), stamps each line it
keeps (the read, each analysis, the total) with the time since the start, and samples the
process's resident memory (VmRSS, VmHWM from /proc) every 200 ms (reading /proc/PID/status takes
the process's memory lock: sampling much faster slows its page faults, measured: 20 ms doubled
the system time of a 10M-row run); prints each phase's end time, the peak RSS reached by then, and the highest RSS sampled within the phase, then the process's
CPU (user+sys) and peak RSS.

Usage: Tests/Benchmarks/scripts/profile-phases.py CSV [PIPELINE]   (COHORTD: the binary,
default .build/release/cohortd)
"""
import os, pty, re, select, sys, time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.abspath(os.path.join(here, "..", "..", ".."))
binary = os.environ.get("COHORTD", os.path.join(repo, ".build/release/cohortd"))
csv = sys.argv[1]
pipeline = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "Tests/Benchmarks/AnalyzeBenchmarks/bench-pipeline.yaml")
out = "/tmp/profile-phases-%d" % os.getpid()


def memory(pid):
    values = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS", "VmHWM")):
                    key, value = line.split(":")
                    values[key] = int(value.split()[0]) // 1024
    except OSError:
        pass
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


start = time.monotonic()
pid, master = pty.fork()
if pid == 0:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.execv(binary, [binary, "analyze", csv, "--pipeline", pipeline, "--output", out])

rows, buffer, phase_peak, last_rss = [], b"", 0, 0
while True:
    ready, _, _ = select.select([master], [], [], 0.2)
    rss, hwm = memory(pid)
    if rss:
        last_rss = rss
        phase_peak = max(phase_peak, rss)
    if ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            text = re.sub(r"\x1b\[K", "", line.decode(errors="replace").rstrip("\r")).split("\r")[-1].strip()
            if text:
                rows.append((time.monotonic() - start, text, hwm, phase_peak))
                phase_peak = last_rss
_, status, usage = os.wait4(pid, 0)
print("| at (s) | line | peak RSS so far (MB) | highest RSS in the phase (MB) |")
print("|---|---|---|---|")
for at, text, hwm, peak in rows:
    print("| %.2f | %s | %d | %d |" % (at, text, hwm, peak))
print("exit %d; CPU %.2f s user + %.2f s sys; peak RSS %d MB; load average %s" % (
    os.waitstatus_to_exitcode(status), usage.ru_utime, usage.ru_stime, usage.ru_maxrss // 1024,
    " ".join(open("/proc/loadavg").read().split()[:3])))
os.system("rm -rf '%s'" % out)
