"""measure.py: one timed command (wall time, peak RSS, exit code, log) and the statistics of a series."""
import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class Run:
    wall: float                  # seconds, monotonic clock
    rss_kib: int                 # peak RSS: the command's process tree, or the daemon's when one builds
    exit_code: int
    log: str                     # stdout and stderr of the command
    start_epoch: float = 0.0     # wall clock at start and end, to place the tool's own timestamps
    end_epoch: float = 0.0


@dataclass
class Series:
    runs: list = field(default_factory=list)
    failed: Run = None           # the first failing run, if any

    def ok(self):
        return self.failed is None and bool(self.runs)

    def walls(self):
        return [r.wall for r in self.runs]

    def median(self):
        return statistics.median(self.walls())

    def median_run(self):
        """The run whose wall time is the median (the lower middle for an even count)."""
        ordered = sorted(self.runs, key=lambda r: r.wall)
        return ordered[(len(ordered) - 1) // 2]

    def peak_rss_kib(self):
        return max(r.rss_kib for r in self.runs)


def _daemon_reset_peak(pid):
    """Resets the daemon's VmHWM (clear_refs 5, Linux 4.0+), so that the next read is this run's peak."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _daemon_peak_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(argv, log_path, env=None, daemon_pid=None):
    """Runs argv with output to log_path; the peak RSS is the largest process of its tree (wait4),
    or, when daemon_pid is given (dockerd builds), the daemon's peak during the run."""
    if daemon_pid:
        _daemon_reset_peak(daemon_pid)
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "wb") as log:
        start_epoch = time.time()
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        end_epoch = time.time()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = _daemon_peak_kib(daemon_pid) if daemon_pid else usage.ru_maxrss
    return Run(wall, rss, proc.returncode, log_path, start_epoch, end_epoch)


def quiet(argv, env=None, check=True):
    """Runs an untimed helper command; returns its output, raising with the output when it fails."""
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout[-3000:]}")
    return result.stdout


def log_tail(path, lines=8):
    try:
        with open(path, "rb") as f:
            text = f.read()[-20000:].decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])
