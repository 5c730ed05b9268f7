"""ccgtools.build.zygote: kernels forked from a pre-imported parent, each as fresh as a new interpreter.

A briefing must never see another's state: each test runs one kernel that changes something (a
variable, a matplotlib setting, NumPy's random state, a module's attribute, an open figure) and
then a second kernel, forked from the same zygote, that must not see it. Also: the imports really
are paid before the fork, signals reach a forked kernel, its death is seen at once, and a missing
zygote means a kernel started the usual way.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from ccgtools.build import zygote as zygote_module
from ccgtools.build.zygote import SWITCH, Zygote, fork_available, kernel_manager

#: Seconds allowed for a kernel to answer (the zygote's first imports take a few seconds).
ANSWER_S = 90


@pytest.fixture(scope="module")
def zygote(tmp_path_factory):
    started = Zygote(cwd=str(tmp_path_factory.mktemp("zygote-cwd")))
    yield started
    started.stop()


class Kernel:
    """A kernel from ``kernel_manager``, started, with a client that runs code and returns what it printed."""

    def __init__(self, address: str | None, folder):
        self.manager = kernel_manager("python3", address, transport="ipc", ip=str(folder / "k"))
        self.manager.start_kernel(cwd=str(folder))
        self.client = self.manager.blocking_client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=ANSWER_S)

    def run(self, code: str) -> tuple[str, dict]:
        printed = []

        def hook(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = self.client.execute_interactive(code, output_hook=hook, timeout=ANSWER_S)
        return "".join(printed), reply["content"]

    def value(self, expression: str):
        printed, reply = self.run(f"import json as _j; print(_j.dumps({expression}))")
        assert reply["status"] == "ok", reply
        return json.loads(printed)

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(zygote, tmp_path):
    made = []

    def make(address: str | None = zygote.address) -> Kernel:
        folder = tmp_path / f"k{len(made)}"
        folder.mkdir()
        made.append(Kernel(address, folder))
        return made[-1]

    yield make
    for started in made:
        started.close()


#: Changes one briefing makes to its interpreter, none of which the next may see.
MESS = """
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, json, ccgtools.config
left_behind = 42
mpl.rcParams["lines.linewidth"] = 9.5
np.random.seed(0)
json.left_behind = "module attribute"
ccgtools.config.left_behind = "package attribute"
plt.figure()
"""

#: What the next kernel reports of those changes.
INSPECT = ("{'variable': 'left_behind' in globals(), 'rc': __import__('matplotlib').rcParams['lines.linewidth'], "
           "'json': hasattr(__import__('json'), 'left_behind'), "
           "'config': hasattr(__import__('ccgtools.config').config, 'left_behind'), "
           "'figures': __import__('matplotlib.pyplot').pyplot.get_fignums(), "
           "'state': __import__('numpy').random.get_state()[1][:8].tolist()}")


@pytest.mark.e2e
def test_a_kernel_sees_nothing_another_kernel_changed(kernel):
    import numpy as np

    seeded = np.random.RandomState(0).get_state()[1][:8].tolist()  # the state np.random.seed(0) sets
    first = kernel()
    assert first.run(MESS)[1]["status"] == "ok"
    changed = first.value(INSPECT)
    assert changed == {"variable": True, "rc": 9.5, "json": True, "config": True, "figures": [1], "state": seeded}
    second = kernel()
    fresh = second.value(INSPECT)
    default_rc = second.value("__import__('matplotlib').rcParamsDefault['lines.linewidth']")
    assert fresh == {"variable": False, "rc": default_rc, "json": False, "config": False, "figures": [],
                     "state": fresh["state"]}
    assert fresh["state"] != seeded


@pytest.mark.e2e
def test_each_kernel_gets_random_state_of_its_own(kernel):
    draws = [kernel().value("__import__('numpy').random.random()") for _ in range(2)]
    stdlib = [kernel().value("__import__('random').random()") for _ in range(2)]
    assert draws[0] != draws[1] and stdlib[0] != stdlib[1]


@pytest.mark.e2e
def test_a_forked_kernel_has_the_stack_imported_its_own_folder_and_process(zygote, kernel, tmp_path):
    forked = kernel()
    assert forked.manager.provisioner.forked
    pid = forked.value("__import__('os').getpid()")
    assert psutil.Process(pid).ppid() == zygote.process.pid  # forked by the zygote, not started by us
    assert forked.value("__import__('os').getpgid(0) == __import__('os').getpid()")  # its own process group
    assert forked.value("[m in __import__('sys').modules for m in ('pandas', 'seaborn', 'statsmodels.api', "
                        "'ccgtools.page.show')]") == [True] * 4
    assert forked.value("__import__('os').getcwd()") == str(tmp_path / "k0")
    assert forked.value("__import__('matplotlib').get_backend()") == zygote_module.INLINE_BACKEND


@pytest.mark.e2e
def test_an_interrupt_reaches_a_forked_kernel(kernel):
    forked = kernel()
    forked.client.execute("import time; time.sleep(60)")
    time.sleep(1.0)
    started = time.monotonic()
    forked.manager.interrupt_kernel()
    reply = forked.client.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 30 and forked.manager.is_alive()


@pytest.mark.e2e
def test_a_killed_forked_kernel_is_seen_dead_at_once(kernel):
    forked = kernel()
    os.kill(forked.value("__import__('os').getpid()"), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while forked.manager.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not forked.manager.is_alive()


@pytest.mark.e2e
def test_without_a_zygote_the_kernel_starts_the_usual_way(kernel, tmp_path):
    dead = tmp_path / "dead.sock"  # bound, never listened on: a zygote that has died
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(dead))
    listener.close()
    started = time.monotonic()
    usual = kernel(str(dead))
    assert not usual.manager.provisioner.forked and usual.value("1 + 1") == 2
    assert time.monotonic() - started < 60  # not the zygote's 60 s wait


def test_the_switch_turns_the_zygote_off(monkeypatch):
    monkeypatch.setenv(SWITCH, "0")
    assert not fork_available()
    monkeypatch.setenv(SWITCH, "1")
    assert fork_available() == hasattr(os, "fork")


def test_the_zygote_imports_everything_it_names():
    # A module that fails to import is skipped silently by the zygote (the kernel imports it itself,
    # slowly), so a renamed module must be caught here.
    code = "from ccgtools.build.zygote import _preload, preload_modules; print(_preload(preload_modules()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_zygote_refuses_what_is_not_an_ipykernel(zygote):
    with pytest.raises(zygote_module.ZygoteUnavailable, match="not an ipykernel"):
        zygote_module.fork_kernel(zygote.address, [sys.executable, "-c", "print(1)"], "/", {})


@pytest.mark.e2e
def test_a_forked_kernel_ends_with_the_process_that_asked_for_it(zygote, tmp_path):
    # A build killed outright must not leave its kernels running: the kernel watches its requester.
    code = ("import os, sys\n"
            "from ccgtools.build.zygote import kernel_manager\n"
            f"manager = kernel_manager('python3', {zygote.address!r}, transport='ipc', ip={str(tmp_path / 'k')!r})\n"
            f"manager.start_kernel(cwd={str(tmp_path)!r})\n"
            "print(manager.provisioner.pid, flush=True)\n"
            "os._exit(0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=ANSWER_S, check=True)
    try:
        kernel = psutil.Process(int(done.stdout.strip()))
    except psutil.NoSuchProcess:
        return  # already gone
    kernel.wait(timeout=10)  # psutil.TimeoutExpired if it outlives its requester
