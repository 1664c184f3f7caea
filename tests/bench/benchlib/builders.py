"""builders.py: the three builders the benchmark compares, behind one small interface: load the
busybox base, make a workload cold, the build command (timed), and the export commands (timed).
  dbuild    the release binary with its own state root under the work dir
  BuildKit  DOCKER_BUILDKIT=1 /usr/bin/docker build, against the dockerd that answers, else one
            this script starts (own data root and socket under the work dir) and stops
  buildah   buildah bud --isolation chroot --layers, with its own --root/--runroot"""
import os
import shutil
import signal
import sqlite3
import subprocess
import time

from .measure import quiet
from .workloads import BASE_TAG

DOCKER = "/usr/bin/docker"


class Builder:
    name = ""            # the column: dbuild, BuildKit, buildah
    key = ""             # what --only names
    daemon_pid = None    # a daemon whose peak RSS stands for the build's (dockerd)
    env = None
    network_note = ""

    def start(self):
        pass

    def stop(self):
        pass

    def version(self):
        return ""

    def load_base(self, base_dir, base_tar):
        raise NotImplementedError

    def make_cold(self, tag):
        raise NotImplementedError

    def build_argv(self, context, tag):
        raise NotImplementedError

    def exports(self, context, tag, out_dir):
        """[(scenario, argv, dest)]: W5's export commands; the image is already built."""
        return []

    def cache_argvs(self, context, tag, cache_dir):
        """(export argv, import argv): a build writing its cache (mode=max) to cache_dir, and one
        reading it; None for a builder whose cache is not measured here."""
        return None

    def forget_checksums(self):
        """Empties the builder's file checksum cache and nothing else, so that the next build hashes
        the whole context again while every step stays cached; False when it has none to empty."""
        return False


class Dbuild(Builder):
    name, key = "dbuild", "dbuild"
    network_note = "dbuild: RUN in a new network namespace with loopback only (its default)"

    def __init__(self, binary, work):
        self.binary = binary
        self.root = os.path.join(work, "state")
        self.base_dir = None

    def cli(self, *args):
        return [self.binary, "--root", self.root, *args]

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"no dbuild binary at {self.binary}: build it (cmake --preset release && "
                               "cmake --build --preset release) or pass --dbuild PATH")
        shutil.rmtree(self.root, ignore_errors=True)

    def version(self):
        first = quiet(self.cli("version")).splitlines()
        return first[0].strip() if first else "?"

    def load_base(self, base_dir, base_tar):
        quiet(self.cli("build", "--progress=plain", "-t", BASE_TAG, base_dir))

    def make_cold(self, tag):
        quiet(self.cli("images", "rm", tag), check=False)
        quiet(self.cli("prune", "--all", "--force"))

    def build_argv(self, context, tag):
        return self.cli("build", "--progress=rawjson", "-t", tag, context)

    def cache_argvs(self, context, tag, cache_dir):
        build = self.build_argv(context, tag)
        return (build[:-1] + ["--cache-to", f"type=local,dest={cache_dir},mode=max", context],
                build[:-1] + ["--cache-from", f"type=local,src={cache_dir}", context])

    def forget_checksums(self):
        # file_checksums (share/migrations/0002_engine.sql) is dbuild's only record of file digests;
        # no dbuild process runs between two timed builds, so the database is ours here.
        database = sqlite3.connect(os.path.join(self.root, "dbuild.db"))
        try:
            with database:  # commits
                database.execute("DELETE FROM file_checksums")
        finally:
            database.close()
        return True

    def exports(self, context, tag, out_dir):
        out = lambda name: os.path.join(out_dir, name)
        return [
            ("export", self.cli("build", "--progress=rawjson", "--output", f"type=oci,dest={out('dbuild.oci.tar')}",
                                context), out("dbuild.oci.tar")),
            ("export docker", self.cli("build", "--progress=rawjson", "--output",
                                       f"type=docker,dest={out('dbuild.docker.tar')}", context),
             out("dbuild.docker.tar")),
            ("export zstd", self.cli("build", "--progress=rawjson", "--output",
                                     f"type=oci,dest={out('dbuild.zstd.tar')},compression=zstd", context),
             out("dbuild.zstd.tar")),
        ]


class BuildKit(Builder):
    name, key = "BuildKit", "buildkit"
    network_note = ("BuildKit: docker build --network none (a new namespace with loopback, like dbuild's "
                    "default; the private dockerd runs with --bridge=none)")

    def __init__(self, work):
        self.dir = os.path.join(work, "dockerd")
        self.host = None
        self.process = None
        self.env = dict(os.environ, DOCKER_BUILDKIT="1")

    def cli(self, *args):
        return [DOCKER, "-H", self.host, *args]

    def _answers(self, host):
        result = subprocess.run([DOCKER, "-H", host, "version"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        return result.returncode == 0

    def start(self):
        if not os.access(DOCKER, os.X_OK) or not shutil.which("dockerd"):
            raise RuntimeError("BuildKit needs Debian's docker.io (/usr/bin/docker, dockerd): "
                               "share/setup/install-deps bench, or --only dbuild,buildah")
        existing = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        if self._answers(existing):
            self.host = existing
            print(f"bench: using the dockerd at {existing}; its build cache is pruned for the cold runs")
            pids = subprocess.run(["pidof", "dockerd"], stdout=subprocess.PIPE, text=True).stdout.split()
            self.daemon_pid = int(pids[0]) if len(pids) == 1 else None
            return
        self._start_private()

    def _start_private(self):
        if os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir, exist_ok=True)
        self.host = "unix://" + os.path.join(self.dir, "docker.sock")
        log = open(os.path.join(self.dir, "dockerd.log"), "wb")
        self.process = subprocess.Popen(
            ["dockerd", "--data-root", os.path.join(self.dir, "data"), "--exec-root", os.path.join(self.dir, "exec"),
             "--pidfile", os.path.join(self.dir, "dockerd.pid"), "-H", self.host, "--bridge=none",
             "--iptables=false", "--ip-masq=false", "--storage-driver=overlay2"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        self.daemon_pid = self.process.pid
        for _ in range(600):
            if self._answers(self.host):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dockerd did not answer on {self.host} (see {self.dir}/dockerd.log)")

    def stop(self):
        if not self.process:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def version(self):
        server = quiet(self.cli("version", "--format", "{{.Server.Version}}"), check=False).strip()
        client = quiet(self.cli("version", "--format", "{{.Client.Version}}"), check=False).strip()
        return f"dockerd {server} (BuildKit inside), docker CLI {client}"

    def load_base(self, base_dir, base_tar):
        quiet(self.cli("rmi", "-f", BASE_TAG), check=False)
        quiet(self.cli("import", "--change", 'CMD ["/bin/sh"]', base_tar, BASE_TAG))

    def make_cold(self, tag):
        quiet(self.cli("rmi", "-f", tag), check=False)
        quiet(self.cli("builder", "prune", "-af"))

    def build_argv(self, context, tag):
        return self.cli("build", "--progress=plain", "--network", "none", "-t", tag, context)

    def exports(self, context, tag, out_dir):
        dest = os.path.join(out_dir, "buildkit.tar")
        return [("export", self.cli("build", "--progress=plain", "--network", "none", "-o",
                                    f"type=tar,dest={dest}", context), dest)]


class Buildah(Builder):
    name, key = "buildah", "buildah"
    network_note = "buildah: --isolation chroot runs RUN in the host's network namespace"

    def __init__(self, work, driver):
        self.dir = os.path.join(work, "buildah")
        self.driver = driver
        self.base_tar = None

    def cli(self, *args):
        return ["buildah", "--root", os.path.join(self.dir, "root"), "--runroot", os.path.join(self.dir, "run"),
                "--storage-driver", self.driver, *args]

    def start(self):
        if not shutil.which("buildah"):
            raise RuntimeError("buildah is not installed: share/setup/install-deps bench, or --only dbuild,buildkit")
        self._wipe()

    def _wipe(self):
        if os.path.isdir(self.dir):
            quiet(self.cli("rm", "--all"), check=False)
            quiet(self.cli("rmi", "--all", "--force"), check=False)
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self):
        quiet(self.cli("rm", "--all"), check=False)

    def version(self):
        for line in quiet(["buildah", "version"], check=False).splitlines():
            if line.startswith("Version:"):
                return f"buildah {line.split()[-1]} (storage driver {self.driver})"
        return "buildah ?"

    def load_base(self, base_dir, base_tar):
        self.base_tar = base_tar
        container = quiet(self.cli("from", "--quiet", "scratch")).strip().splitlines()[-1]
        mount = quiet(self.cli("mount", container)).strip().splitlines()[-1]
        quiet(["tar", "-C", mount, "-xf", base_tar])
        quiet(self.cli("umount", container))
        quiet(self.cli("config", "--cmd", "/bin/sh", container))
        quiet(self.cli("commit", "--quiet", container, BASE_TAG))
        quiet(self.cli("rm", container))

    def make_cold(self, tag):
        # --layers keeps intermediate images: all of them go, then the base comes back.
        quiet(self.cli("rm", "--all"), check=False)
        quiet(self.cli("rmi", "--all", "--force"), check=False)
        self.load_base(None, self.base_tar)

    def build_argv(self, context, tag):
        return self.cli("bud", "--isolation", "chroot", "--layers", "--pull=never", "-t", tag, context)

    def exports(self, context, tag, out_dir):
        dest = os.path.join(out_dir, "buildah.oci.tar")
        return [("export", self.cli("push", "--quiet", tag, f"oci-archive:{dest}"), dest)]
