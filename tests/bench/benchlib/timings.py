"""timings.py: where a dbuild build's wall time goes, from its --progress=rawjson events
(core/cli/progress/rawjson_renderer.cpp: one JSON object a line, with started/completed/cached
events per step and RFC 3339 timestamps in nanoseconds)."""
import json
import re
from datetime import datetime, timezone

# The columns of the attribution table, in order. Steps are put in one by their names.
CATEGORIES = ["startup", "metadata", "context", "base", "exec", "copy", "export", "other", "between",
              "after"]
CATEGORY_NOTES = {
    "startup": "process start to the first event: plugin loading, state root and database open, Dockerfile parse",
    "metadata": "[internal] load metadata (FROM's image config from the image store)",
    "context": "[internal] load build context / definition / .dockerignore",
    "base": "FROM steps: unpacking the base image into a snapshot",
    "exec": "RUN steps (runtime start, the command, the step's snapshot commit)",
    "copy": "COPY/ADD steps (context checksums happen inside them or in the gaps, see 'between')",
    "export": "exporting to image/oci/docker (layers, compression, store writes, naming)",
    "other": "steps of no category above",
    "between": "inside the build but in no step: cache-key computation (context checksums), "
               "scheduling, cache lookups",
    "after": "last event to process exit: history, database close, unmounts",
}


def _epoch(stamp):
    """'2026-11-30T08:16:16.504613050Z' -> seconds since the epoch (float, nanoseconds kept to µs)."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", stamp)
    if not match:
        raise ValueError(f"not an RFC 3339 UTC time: {stamp}")
    whole = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    fraction = match.group(2) or "0"
    return whole + int(fraction) / 10 ** len(fraction)


def category(name):
    if name.startswith("[internal] load metadata"):
        return "metadata"
    if name.startswith("[internal]"):
        return "context"
    if name.startswith("exporting to"):
        return "export"
    instruction = re.sub(r"^\[[^\]]*\]\s*", "", name).split(" ", 1)[0].upper()
    if instruction == "FROM":
        return "base"
    if instruction == "RUN":
        return "exec"
    if instruction in ("COPY", "ADD"):
        return "copy"
    return "other"


def events(log_path):
    out = []
    with open(log_path, "rb") as f:
        for raw in f:
            if not raw.startswith(b'{"type"'):
                continue
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
    return out


def attribute(run):
    """{category: seconds} for one dbuild run (measure.Run); step categories are sums of the steps'
    durations (parallel steps overlap, so they may add up to more than the wall time)."""
    evs = events(run.log)
    result = {c: 0.0 for c in CATEGORIES}
    result["steps_run"], result["steps_cached"] = 0, 0
    if not evs:
        result["startup"] = run.wall
        return result
    started, intervals = {}, []
    first = last = None
    for ev in evs:
        t = _epoch(ev["timestamp"])
        first = t if first is None else min(first, t)
        last = t if last is None else max(last, t)
        kind, vertex = ev["type"], ev.get("vertex", "")
        if kind == "started":
            started[vertex] = (t, ev.get("name", ""))
        elif kind in ("completed", "failed", "cancelled") and vertex in started:
            begin, name = started.pop(vertex)
            intervals.append((begin, t))
            cat = category(name)
            result[cat] += t - begin
            result["steps_run"] += 1 if cat not in ("metadata", "context", "export") else 0
        elif kind == "cached":
            result["steps_cached"] += 1
    result["startup"] = max(0.0, first - run.start_epoch)
    result["after"] = max(0.0, run.end_epoch - last)
    result["between"] += max(0.0, (last - first) - _union(intervals))
    return result


def _union(intervals):
    total, end = 0.0, None
    for begin, finish in sorted(intervals):
        if end is None or begin > end:
            total += finish - begin
            end = finish
        elif finish > end:
            total += finish - end
            end = finish
    return total


def step_durations(run, wanted):
    """[(name, seconds)] of the steps of category `wanted`, longest first."""
    started, out = {}, []
    for ev in events(run.log):
        if ev["type"] == "started":
            started[ev.get("vertex", "")] = (_epoch(ev["timestamp"]), ev.get("name", ""))
        elif ev["type"] == "completed" and ev.get("vertex", "") in started:
            begin, name = started.pop(ev["vertex"])
            if category(name) == wanted:
                out.append((name, _epoch(ev["timestamp"]) - begin))
    return sorted(out, key=lambda item: -item[1])


def execs_run(run):
    """How many RUN steps of one dbuild run (measure.Run) started: 0 when a cache answered them all."""
    return sum(1 for ev in events(run.log) if ev["type"] == "started" and category(ev.get("name", "")) == "exec")
