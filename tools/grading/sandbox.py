"""The sandbox each student notebook runs in: bubblewrap, resource limits and a pipe to the runner.

Inside, the student's code sees a read-only system (/usr), the Python environment, course_lib and
the runner, and a private, empty, writable /scratch; not the course folder, the submissions, the
output folder or anyone's home. It has no network (its own empty network namespace), its own
PID namespace (every process it starts dies with it), and limits on memory, processes, CPU time,
file size and the size of what it sends back. The grader talks to it over a pipe.
"""
import dataclasses
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import psutil

import course_lib

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runner.py")
LIB = os.path.dirname(os.path.dirname(os.path.abspath(course_lib.__file__)))  # the folder holding course_lib
# what a Python process needs from /etc; the rest of /etc (passwords, keys) stays out
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts", "localtime", "nsswitch.conf")


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per notebook: wall seconds per cell, CPU seconds, memory, processes, scratch and reply sizes."""

    timeout: float = 60
    cpu_s: int = 900
    memory_mb: int = 3000
    processes: int = 64
    scratch_mb: int = 256
    reply_mb: int = 64


# The kernel limits sit a little above the limits above, which the watcher (or the cgroup) holds:
# reaching the limit is then seen and reported, not met as a failed fork or allocation.
EXTRA_PROCESSES = 16
# torch reserves about 3.4 GB of address space at import, so the address-space limit sits this far
# above the memory limit
EXTRA_ADDRESS_SPACE_MB = 4096


def environment(home):
    """The runner's environment, with or without the sandbox: smoke mode, autograding, one thread."""
    return {"HOME": home, "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
            "IPYTHONDIR": os.path.join(home, ".ipython"), "NBGRADER_EXECUTION": "autograde",
            "GAN_COURSE_MODE": "smoke", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "TORCHINDUCTOR_CACHE_DIR": os.path.join(home, ".inductor")}


class Died(Exception):
    """The sandbox stopped answering: it exited, was killed at a limit, or ran past the timeout."""


def bwrap_argv(limits):
    """The bubblewrap command line that runs the runner."""
    python_roots = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = os.path.join("/", name)
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for name in ETC:
        path = os.path.join("/etc", name)
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    # the writable folders first: a Python environment under /tmp is then bound on top of them
    argv += ["--size", str(limits.scratch_mb << 20), "--tmpfs", "/scratch",
             "--size", str(16 << 20), "--tmpfs", "/tmp"]
    for root in python_roots:
        if not root.startswith("/usr/"):
            argv += ["--ro-bind", root, root]
    if os.path.realpath(sys.prefix) != sys.prefix:  # a venv reached through a symlink
        argv += ["--symlink", os.path.realpath(sys.prefix), sys.prefix]
    argv += ["--ro-bind", os.path.join(LIB, "course_lib"), "/grader/lib/course_lib",
             "--ro-bind", RUNNER, "/grader/runner.py",
             "--proc", "/proc", "--dev", "/dev", "--chdir", "/scratch", "--clearenv"]
    for key, value in environment("/scratch").items():
        argv += ["--setenv", key, value]
    return argv + ["--", sys.executable, "-s", "/grader/runner.py", "/grader/lib"]


def plain_argv():
    """Without a sandbox: the runner as an ordinary child process (run in a temporary folder)."""
    return [sys.executable, "-s", RUNNER, LIB]


class _Cgroups:
    """cgroup limits on the whole sandbox (memory, number of processes), where this machine lets us."""

    def __init__(self, limits):
        self.dirs, name = [], "gan-grade-" + secrets.token_hex(6)
        pids = str(limits.processes + EXTRA_PROCESSES)
        wanted = {"pids": {"pids.max": pids}, "memory": {"memory.limit_in_bytes": str(limits.memory_mb << 20)}}
        v2 = {"pids.max": pids, "memory.max": str(limits.memory_mb << 20), "memory.swap.max": "0"}
        for controller, files in wanted.items():  # cgroup v1, one hierarchy per controller
            self._make(os.path.join("/sys/fs/cgroup", controller, name), files)
        if not self.dirs and os.path.isfile("/sys/fs/cgroup/cgroup.controllers"):
            self._make(os.path.join("/sys/fs/cgroup", name), v2)

    def _make(self, path, files):
        try:
            os.mkdir(path)
        except OSError:
            return
        try:
            for file, value in files.items():
                if os.path.exists(os.path.join(path, file)):
                    with open(os.path.join(path, file), "w") as f:
                        f.write(value)
            self.dirs.append(path)
        except OSError:
            os.rmdir(path)

    def join(self):  # in the child, before it runs bwrap: every process it starts stays inside
        for path in self.dirs:
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    def remove(self):
        for path in self.dirs:
            for _ in range(50):  # the killed processes leave the group a moment later
                try:
                    os.rmdir(path)
                    break
                except OSError:
                    time.sleep(0.02)


class Sandbox:
    """One runner process, in bubblewrap unless ``sandboxed`` is False; ``run`` sends it one cell."""

    def __init__(self, limits, reference=False, sandboxed=True):
        self.limits, self.reference, self.sandboxed = limits, reference, sandboxed
        self.work = None if sandboxed else tempfile.mkdtemp(prefix="gan-grade-")
        argv = bwrap_argv(limits) if sandboxed else plain_argv()
        if reference:
            argv.append("--reference")
        self.cgroups = _Cgroups(limits)
        env = None if sandboxed else environment(self.work)  # bubblewrap sets the sandbox's own
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=self.work or "/", env=env, preexec_fn=self._limit, start_new_session=True)
        self.lines, self.dead, self.sent, self.received = [], threading.Event(), 0, 0
        self.ready = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.watcher.start()
        self.why = None

    def _limit(self):
        self.cgroups.join()
        room = (self.limits.memory_mb + EXTRA_ADDRESS_SPACE_MB) << 20  # the cgroup or the watcher hold the memory
        resource.setrlimit(resource.RLIMIT_AS, (room, room))
        resource.setrlimit(resource.RLIMIT_CPU, (self.limits.cpu_s, self.limits.cpu_s + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limits.scratch_mb << 20,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.getuid() != 0:  # root is exempt from RLIMIT_NPROC; there the cgroup or the watcher counts
            mine = sum(1 for p in psutil.process_iter(["uids"])
                       if p.info["uids"] and p.info["uids"].real == os.getuid())
            resource.setrlimit(resource.RLIMIT_NPROC, (mine + self.limits.processes + EXTRA_PROCESSES,) * 2)

    def _read(self):
        """Collect reply lines; more than the size limit sent back for one request kills the sandbox
        (one long line or a flood of short ones: either would hold the grader's memory and time)."""
        cap, buf = self.limits.reply_mb << 20, b""
        while True:
            chunk = self.proc.stdout.read1(1 << 16)
            if not chunk:
                break
            self.received += len(chunk)
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with self.ready:
                    self.lines.append(line)
                    self.ready.notify_all()
            if self.received > cap:
                self.kill("it sent back more than the size limit")
                break
        self.dead.set()
        with self.ready:
            self.ready.notify_all()

    def _watch(self):
        """Kill the sandbox when its processes together pass the memory or process limit."""
        while not self.dead.wait(0.1):
            try:
                tree = [psutil.Process(self.proc.pid)] + psutil.Process(self.proc.pid).children(recursive=True)
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                continue
            if len(tree) >= self.limits.processes:
                self.kill(f"it started {self.limits.processes} processes, the limit")
            elif rss > self.limits.memory_mb << 20:
                self.kill(f"it used more than {self.limits.memory_mb} MB of memory")

    def kill(self, why):
        if self.why is None:
            self.why = why
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass

    def run(self, request, timeout):
        """Send one cell; its reply as a dict. Raises Died when no reply comes within ``timeout`` s.

        Replies that do not carry the request's number (a forked child's, say) are dropped.
        """
        self.sent, self.received = self.sent + 1, 0
        request = dict(request, id=self.sent)
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Died(self.why or "the sandbox had stopped") from None
        deadline = time.monotonic() + timeout
        while True:
            with self.ready:
                while not self.lines and not self.dead.is_set() and time.monotonic() < deadline:
                    self.ready.wait(max(0.0, deadline - time.monotonic()))
                line = self.lines.pop(0) if self.lines else None
            if line is None:
                if not self.dead.is_set():
                    self.kill(f"the cell ran past the time limit ({timeout} s)")
                raise Died(self.why or "it exited (os._exit, a crash or a signal)")
            try:
                reply = json.loads(line)
            except ValueError:
                reply = None
            if isinstance(reply, dict) and reply.get("id") == self.sent:
                error, record = reply.get("error"), reply.get("record")
                return {"error": None if error is None else str(error)[:2000],
                        "not_written": reply.get("not_written") is True,
                        "record": record if isinstance(record, list) else []}
            if time.monotonic() >= deadline:  # a steady stream of other lines must not hold the clock back
                self.kill(f"the cell ran past the time limit ({timeout} s)")
                raise Died(self.why)

    def close(self):
        self.kill("closed")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.dead.wait(5)
        self.cgroups.remove()
        if self.work:
            shutil.rmtree(self.work, ignore_errors=True)


def available():
    """None if bubblewrap can start a sandbox here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    argv = bwrap_argv(Limits())
    argv = argv[:argv.index("--") + 1] + [sys.executable, "-c", "import os; os.stat('/grader/runner.py')"]
    try:  # the sandbox as grading builds it, running a Python that checks the runner is in view
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap could not start: {err}"
    if done.returncode != 0:
        return "bubblewrap could not start a sandbox: " + (done.stderr.strip().splitlines() or ["no message"])[-1]
    return None
