"""A zygote kernel: the scientific stack imported once, then one forked, fresh kernel per briefing.

A new IPython kernel pays about two seconds importing pandas, seaborn, statsmodels, matplotlib and
ccgtools before its first cell runs. The zygote is a Python process that makes those imports once
(per build, or per Dask worker) and then waits on a Unix socket. For each briefing it forks: the
child becomes an ordinary ipykernel (``ipykernel_launcher -f CONNECTION_FILE``), with the briefing's
working folder and environment, its own process group, a freshly seeded NumPy global random
state, and nothing of any other briefing: each child is forked from the untouched zygote, never
from another kernel, so no variable, matplotlib setting, random state, open figure or module
attribute set by one briefing can reach the next (``tests/build/test_zygote.py`` checks each).

jupyter_client drives these kernels as any other through ``ZygoteProvisioner``, a kernel
provisioner that asks the zygote for a child instead of starting ``python -m ipykernel_launcher``,
so execution, time limits, interrupts and the detection of a dead kernel are unchanged. When
the zygote is unavailable (no ``fork``, it died, it is not up within :data:`READY_LIMIT_S`), or the
kernel is not an ipykernel on the zygote's Python, the provisioner starts the kernel the usual way.

Threads and fork. The zygote imports and never runs anything: it opens no ZeroMQ context and starts
no thread of its own (the kernel's threads start in the child). OpenBLAS, loaded by NumPy and
SciPy, starts its worker threads on import, but stops them itself before a fork
(``pthread_atfork``) and restarts them on the next call in the child.

Lifetimes. A forked kernel is its own process group, ended by its KernelManager as any kernel is; it
also ends if the process that asked for it (the build worker) dies, and it outlives the zygote (a
zygote killed mid-build, say by the out-of-memory killer, leaves running briefings to finish). The
zygote ends when the process that started it has gone. What the children do share is what any two
interpreters started the same way share, plus the zygote's string-hash seed: set iteration order is
the same in every briefing of one build (as with a fixed ``PYTHONHASHSEED``), never set by another.

Design rejected: keeping a spare kernel warm per worker (the previous design) paid the imports in
every briefing's kernel, on the same cores as the running briefings.
"""

from __future__ import annotations

import json
import os
import pkgutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: Imported by the zygote before it forks anything: what (nearly) every briefing imports.
PRELOAD = ("numpy", "pandas", "scipy.stats", "scipy.optimize", "statsmodels.api", "matplotlib",
           "matplotlib.pyplot", "matplotlib_inline.backend_inline", "seaborn", "IPython", "IPython.core.completer",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "sqlite3", "pdb",
           "tornado.ioloop", "ccgtools.page.show", "ccgtools.page.charts", "ccgtools.stats")
#: Modules of ccgtools not imported by the zygote: the build, the command line and the download command,
#: which no notebook imports.
NOT_PRELOADED = ("build", "cli", "fetch", "__main__")
#: Seconds a kernel start waits for the zygote to finish its imports and answer, before starting
#: the kernel the usual way.
READY_LIMIT_S = 60.0
#: Seconds a kernel start waits for the zygote's socket to appear (it is bound before the imports).
SOCKET_LIMIT_S = 10.0
#: How often (seconds) the zygote checks that the process that started it is still there.
PARENT_CHECK_S = 1.0
#: The module the kernel spec runs; only such kernels are forked from the zygote.
KERNEL_MODULE = "ipykernel_launcher"
#: The backend a fresh ipykernel selects for matplotlib (set before matplotlib is imported).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class ZygoteUnavailable(RuntimeError):
    """The zygote could not fork a kernel (it is not there, died, or refused): start one the usual way."""


#: Set to 0 to start every kernel the usual way (with warmed spares), e.g. to compare.
SWITCH = "CCGTOOLS_ZYGOTE"


def fork_available() -> bool:
    """Whether kernels can be forked from a zygote: a POSIX system (fork, Unix sockets), not switched off."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and os.environ.get(SWITCH, "1") != "0"


# ---- The zygote process --------------------------------------------------------------------------

def preload_modules() -> list[str]:
    """The modules the zygote imports: :data:`PRELOAD` and every module of ccgtools a notebook may import
    (each briefing package with all its modules: a notebook imports ``ccgtools.areas.profile``, not just
    ``ccgtools.areas``, and each module left out costs every kernel its import)."""
    import ccgtools

    def modules_of(path, prefix: str) -> list[str]:
        found = []
        for module in pkgutil.iter_modules(path):
            if module.name in NOT_PRELOADED:
                continue
            found.append(prefix + module.name)
            if module.ispkg:
                found += modules_of([str(Path(path[0]) / module.name)], f"{prefix}{module.name}.")
        return found

    return [*PRELOAD, *modules_of(ccgtools.__path__, "ccgtools.")]


def _preload(modules: list[str]) -> list[str]:
    """Import ``modules``; the names of those that failed (a kernel imports them itself if it needs them)."""
    import importlib

    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional package must not stop the zygote
            failed.append(name)
    return failed


def serve(address: str) -> None:
    """Run the zygote: listen on ``address``, import the stack, then fork a kernel per request.

    The socket is bound before the imports, so a kernel start can queue its request at once and
    is answered as soon as the imports are done. Each request is one line of JSON with the
    kernel's ``argv`` (``... -m ipykernel_launcher -f FILE``), ``cwd`` and ``env``; the answer
    is one line of JSON with the child's ``pid`` (or an ``error``). Children are waited for as
    they end (on SIGCHLD), so a dead kernel leaves no zombie and its CPU time counts towards the
    zygote's, and so the build's (``make bench`` reports it). The zygote ends when the
    process that started it has gone.
    """
    parent = os.getppid()
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    _preload(preload_modules())
    signal.signal(signal.SIGCHLD, _reap)
    listener.settimeout(PARENT_CHECK_S)
    while os.getppid() == parent:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        connection.settimeout(10.0)  # a client that connects and says nothing is not waited for long
        try:
            request = json.loads(_read_line(connection))
            _check_request(request)
        except Exception as exc:  # noqa: BLE001 - a bad request is answered, not fatal
            _answer(connection, {"error": f"{type(exc).__name__}: {exc}"})
            continue
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, listener, connection)  # never returns
        _answer(connection, {"pid": pid})
    listener.close()


def _reap(signum=None, frame=None) -> None:
    """Wait for every kernel that has ended (so none is left a zombie, and its CPU time is counted)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _read_line(connection: socket.socket) -> str:
    chunks = []
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks).decode("utf-8")


def _answer(connection: socket.socket, message: dict) -> None:
    try:
        connection.sendall((json.dumps(message) + "\n").encode("utf-8"))
    except OSError:
        pass
    finally:
        connection.close()


def _check_request(request: dict) -> None:
    argv = request["argv"]
    if KERNEL_MODULE not in argv or argv[argv.index(KERNEL_MODULE) - 1] != "-m":
        raise ValueError(f"not an ipykernel command line: {argv}")
    if os.path.realpath(argv[0]) != os.path.realpath(sys.executable):
        raise ValueError(f"the kernel runs {argv[0]}, the zygote {sys.executable}")
    if not isinstance(request.get("env"), dict) or not isinstance(request.get("cwd"), str):
        raise ValueError("env (a mapping) and cwd (a folder) are required")


def _become_kernel(request: dict, listener: socket.socket, connection: socket.socket) -> None:
    """In the forked child: turn into a fresh ipykernel for one briefing, then exit."""
    status = 1
    try:
        listener.close()
        connection.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own subprocesses are waited for
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()  # its own process group: killing the kernel kills what it started, not the zygote
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
        _reseed()
        argv = request["argv"]
        # ipykernel's own parent poller would end the kernel with the zygote (its parent): a zygote
        # killed mid-build (say by the out-of-memory killer, it is the largest process) must not
        # take running briefings with it. parent_handle=1 turns that poller off (ipykernel treats
        # PID 1 as never going away); the kernel ends instead with the process that asked for it.
        _exit_with(int(request.get("requester") or 0))
        arguments = [*argv[argv.index(KERNEL_MODULE) + 1:], "--IPKernelApp.parent_handle=1"]
        sys.argv = [KERNEL_MODULE, *arguments]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=arguments)
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report, then leave the child
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def _exit_with(pid: int) -> None:
    """End this process (a kernel) when process ``pid`` (the build worker that asked for it) ends."""
    if pid <= 1:
        return

    def watch() -> None:
        try:
            import select

            handle = os.pidfd_open(pid)
            select.select([handle], [], [])  # readable once the process has ended
        except (AttributeError, OSError):
            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="ccgtools-requester-watch", daemon=True).start()


def _reseed() -> None:
    """Give the child random state of its own (a fresh interpreter seeds from the system's entropy)."""
    import random

    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


# ---- The coordinator's side ------------------------------------------------------------------------

class Zygote:
    """A zygote process started by this one, serving kernels on a Unix socket in a private folder.

    Parameters
    ----------
    python : str
        The interpreter to run (the kernel spec's).
    cwd : str
        Its working folder (the project root, where briefings run).
    flags : tuple of str
        Interpreter options (the kernel spec's, e.g. ``-Xfrozen_modules=off`` for the debugger).
    """

    def __init__(self, python: str = sys.executable, cwd: str | None = None, flags: tuple[str, ...] = ()):
        self.folder = tempfile.mkdtemp(prefix="ccgtools-zygote-")
        self.address = str(Path(self.folder) / "zygote.sock")
        self.python = python
        # (PYDEVD_DISABLE_FILE_VALIDATION: the debugger's warning about frozen modules, once, in the zygote.)
        self.process = subprocess.Popen([python, *flags, "-m", "ccgtools.build.zygote", self.address], cwd=cwd,
                                        env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
                                        stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno()
                                        if _has_fileno(sys.stderr) else subprocess.DEVNULL)
        self.pid = os.getpid()
        self.kernel_name = ""
        self.code = ""  # the code fingerprint it was started for (own_zygote)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """End the zygote (kernels it forked are their managers' to end) and remove its socket."""
        import shutil

        if self.pid != os.getpid():  # a forked worker does not own its parent's zygote
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _has_fileno(stream) -> bool:
    try:
        stream.fileno()
        return True
    except (AttributeError, OSError, ValueError):
        return False


_OWN: Zygote | None = None
_OWN_LOCK = threading.Lock()


def for_kernel(kernel_name: str, cwd: str | None = None) -> Zygote | None:
    """A zygote for kernels of ``kernel_name`` (its interpreter and options), or None where there cannot be one.

    None without fork, or when the kernel is not ipykernel (another language, or a wrapper
    command): its kernels are then started the usual way.
    """
    if not fork_available():
        return None
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
    except Exception:  # noqa: BLE001 - no such kernel: starting it fails later, the usual way
        return None
    if KERNEL_MODULE not in argv or argv[argv.index(KERNEL_MODULE) - 1] != "-m":
        return None
    python = sys.executable if argv[0] in ("python", "python3") else argv[0]
    return Zygote(python, cwd, tuple(argv[1:argv.index(KERNEL_MODULE) - 1]))


def own_zygote(kernel_name: str, cwd: str) -> Zygote | None:
    """This process's zygote for ``kernel_name`` (started on first use, stopped at exit), or None.

    Used where no coordinator started one for us: a Dask worker, which lives from one build to the
    next. Its zygote is replaced when ccgtools' code has changed since it imported it (the kernels
    must run the code on disk, as a kernel started the usual way would).
    """
    with _OWN_LOCK:  # a Dask worker with several threads runs several briefings at once
        return _own_zygote(kernel_name, cwd)


def _own_zygote(kernel_name: str, cwd: str) -> Zygote | None:
    global _OWN
    from .briefings import code_fingerprint

    code = code_fingerprint()
    if (_OWN is None or _OWN.pid != os.getpid() or not _OWN.alive() or _OWN.kernel_name != kernel_name
            or _OWN.code != code):
        import atexit

        if _OWN is not None and _OWN.pid == os.getpid():
            _OWN.stop()
        started = for_kernel(kernel_name, cwd)
        if started is None:
            return None
        started.kernel_name, started.code = kernel_name, code
        _OWN = started
        atexit.register(_OWN.stop)
    return _OWN


def fork_kernel(address: str, argv: list[str], cwd: str, env: dict, *, limit_s: float = READY_LIMIT_S) -> int:
    """Ask the zygote at ``address`` for a kernel; its process id.

    Raises
    ------
    ZygoteUnavailable
        No zygote answers at ``address`` within ``limit_s`` seconds, it closed the connection
        (it died), or it refused the request.
    """
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(limit_s)
    try:
        started = time.monotonic()
        deadline = started + limit_s
        while True:  # the zygote binds its socket as it starts: wait a moment for the file
            try:
                client.connect(address)
                break
            except FileNotFoundError as exc:  # not bound yet (it binds first thing), or never will be
                if time.monotonic() > min(deadline, started + SOCKET_LIMIT_S):
                    raise ZygoteUnavailable(f"no zygote at {address}") from exc
                time.sleep(0.05)
            except ConnectionRefusedError as exc:  # bound, but nobody listens: the zygote died
                raise ZygoteUnavailable(f"the zygote at {address} has died") from exc
        request = {"argv": argv, "cwd": cwd, "env": env, "requester": os.getpid()}
        client.sendall((json.dumps(request) + "\n").encode("utf-8"))
        line = _read_line(client)
    except OSError as exc:  # timed out, or the zygote died mid-request
        raise ZygoteUnavailable(f"the zygote at {address} did not answer: {exc}") from exc
    finally:
        client.close()
    if not line:
        raise ZygoteUnavailable(f"the zygote at {address} closed the connection (it died)")
    answer = json.loads(line)
    if "pid" not in answer:
        raise ZygoteUnavailable(f"the zygote refused: {answer.get('error')}")
    return int(answer["pid"])


class ForkedKernel:
    """A kernel forked by the zygote, with the part of :class:`subprocess.Popen` jupyter_client uses.

    It is the zygote's child, not ours, so it is watched through a pidfd where Linux has them
    (immune to the reuse of its process id) and by signal 0 elsewhere; its exit status is not
    known to us (reported as ``-SIGKILL`` when we killed it, else 0).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._signalled = 0
        try:
            self._pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._pidfd = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self._pidfd is not None:
            import select

            readable, _, _ = select.select([self._pidfd], [], [], 0)
            gone = bool(readable)
        else:
            try:
                os.kill(self.pid, 0)
                gone = False
            except ProcessLookupError:
                gone = True
            except PermissionError:
                gone = False
        if gone:
            self.returncode = -self._signalled if self._signalled else 0
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is not None:
            return  # as Popen does: nothing to signal any more
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self._signalled = signum
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass  # it ended a moment ago

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import Unicode

    class ZygoteProvisioner(LocalProvisioner):
        """A local provisioner that forks the kernel from a zygote (falling back to a normal start)."""

        address = Unicode("", help="The zygote's Unix socket").tag(config=True)
        forked = False

        async def launch_kernel(self, cmd: list[str], **kwargs):
            import pathlib

            if self.address and KERNEL_MODULE in cmd:
                try:
                    pid = fork_kernel(self.address, list(cmd), str(kwargs.get("cwd") or os.getcwd()),
                                      dict(kwargs.get("env") or os.environ))
                except ZygoteUnavailable as exc:
                    self.log.warning("starting the kernel without the zygote: %s", exc)
                else:
                    self.process = ForkedKernel(pid)
                    self.pid = self.pgid = pid  # the child calls setsid(): its process group is its pid
                    self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
                    self.forked = True
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

        async def send_signal(self, signum: int) -> None:
            if not self.forked:
                return await super().send_signal(signum)
            if self.process is None:
                return
            if self.process.poll() is None and hasattr(os, "killpg"):
                try:
                    os.killpg(self.pgid, signum)  # the kernel and whatever it started
                    if signum in (signal.SIGKILL, signal.SIGTERM):
                        self.process._signalled = signum
                    return
                except OSError:
                    pass  # not yet its own group (it calls setsid() first thing): signal the kernel alone
            self.process.send_signal(signum)

    return ZygoteProvisioner


def kernel_manager(kernel_name: str, address: str | None, **options):
    """A jupyter_client KernelManager whose kernel, when started, is forked from the zygote at ``address``.

    ``options`` go to the KernelManager (transport, ip, client_class...). Without an address it is
    an ordinary manager.
    """
    import uuid

    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name=kernel_name, **options)
    if address:
        manager.kernel_id = str(uuid.uuid4())
        manager.provisioner = _provisioner_class()(kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec,
                                                   parent=manager, address=address)
    return manager


if __name__ == "__main__":
    serve(sys.argv[1])
