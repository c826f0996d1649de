"""Run a spreadsheet library on an untrusted file in a child process held to a memory and a time limit.

What python-calamine builds from a file (a sheet's whole used range, 32 bytes a cell, reserved before anything
is read) is not known until it has built it, and a Rust allocation that fails aborts the process. So the read
runs in a forked child: its address space may grow by IMPORT_READER_MAX_MEMORY above what it inherited
(RLIMIT_AS), its CPU time is IMPORT_READER_MAX_SECONDS (RLIMIT_CPU) and so is its wall time (an alarm in the
child; the parent also stops waiting then). Its result (plain lists of strings) or its FileProblem comes back
through a pipe; a child that dies, runs out of memory or out of time is a file too large to read within the
limits. The caller may work while the child reads (the import checks a zip's XML parts meanwhile, on the other CPU); leaving its `with`
block ends the child, so a refusal of the caller's own checks stops the read.

"fork" is used (Linux): the child starts at once with Django set up and touches nothing but the file's bytes.
Forking from a threaded server (gunicorn's gthread workers) copies only the calling thread; the child takes no
lock another thread could hold (no logging, no database, no imports) and leaves with os._exit, so it never runs
the parent's finalizers nor closes its database connections. The wall-clock kill bounds it whatever happens.
"""

import faulthandler
import gc
import math
import multiprocessing
import os
import resource
import signal
import time
import traceback

from django.conf import settings
from django.utils.translation import gettext as _

from villages.imports.limits import Budget, FileProblem

FORK = multiprocessing.get_context("fork")
OUT_OF_LIMITS = "out of limits"
HANDOVER_SECONDS = 10  # after its deadline, the parent waits this long for rows read in time to come through
HANDOVER_LIMIT_SECONDS = 300  # a child that has read waits at most this long for its parent to take the rows


def run(function, *args, filename):
    """function(*args) in a child held to the limits; its FileProblem raised here as it was raised there."""
    with Child(function, *args, filename=filename) as child:
        return child.result()


class Child:
    """function(*args) started in a child held to the limits; the caller may work meanwhile, then asks result().
    Leaving the `with` block ends the child, whether or not its result was asked for."""

    def __init__(self, function, *args, filename):
        self.filename = filename
        self.memory, self.seconds = settings.IMPORT_READER_MAX_MEMORY, settings.IMPORT_READER_MAX_SECONDS
        self.receiver, sender = FORK.Pipe(duplex=False)
        self.process = FORK.Process(
            target=child_main, args=(sender, self.memory, self.seconds, function, args), daemon=True
        )
        self.process.start()
        sender.close()
        self.deadline = time.monotonic() + self.seconds

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def close(self):
        if self.process is not None:
            self.receiver.close()
            self.process.kill()
            self.process.join()
            self.process.close()
            self.process = None

    def result(self):
        outcome = None
        try:
            # the child ends itself at the deadline; the grace lets it hand over what it read in time
            if self.receiver.poll(max(self.deadline - time.monotonic(), 0) + HANDOVER_SECONDS):
                outcome = self.receiver.recv()
        except (EOFError, OSError):  # the child died before or while sending
            pass
        finally:
            self.close()
        if outcome is None or outcome[0] == OUT_OF_LIMITS:
            Budget(self.filename).refuse(
                _("it is too large to read within the import limits of %(memory)d MB and %(seconds)s s."),
                memory=self.memory // 2**20,
                seconds=f"{self.seconds:g}",
            )
        kind, value = outcome
        if kind == "problem":
            raise FileProblem(value)
        if kind == "error":
            raise RuntimeError(f"the import's reader failed:\n{value}")
        return value


def child_main(sender, memory, seconds, function, args):
    code = 0
    try:
        # calamine's allocation failures print to stderr and abort: the parent says what happened instead
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        # the parent's other files (another import's pipe, database sockets) are none of the child's business, and
        # holding another child's pipe open would keep that child waiting to hand over its rows after its parent died
        os.closerange(3, sender.fileno())
        os.closerange(sender.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
        # no garbage collection: it would walk (and copy, page by page) every object inherited from the parent,
        # and the rows built here hold no cycles; the child's memory ends with it
        gc.disable()
        limit(memory, seconds)
        try:
            outcome = ("ok", function(*args))
        except FileProblem as problem:
            outcome = ("problem", str(problem))
        except MemoryError:
            outcome = (OUT_OF_LIMITS, None)
        except Exception:
            outcome = ("error", traceback.format_exc())
        # read in time: the parent may still be busy with its own checks, for a while but not forever
        signal.setitimer(signal.ITIMER_REAL, HANDOVER_LIMIT_SECONDS)
        sender.send(outcome)
    except BaseException:  # a MemoryError while sending; a Rust panic (pyo3's PanicException)
        code = 1
    finally:
        os._exit(code)


def limit(memory, seconds):
    """The address space may grow by `memory` bytes above the forked process's own; `seconds` of CPU and of wall
    time, after which SIGXCPU or SIGALRM ends the process, even inside calamine."""
    resource.setrlimit(resource.RLIMIT_AS, (address_space() + memory, resource.getrlimit(resource.RLIMIT_AS)[1]))
    cpu = math.ceil(seconds)  # a forked child's CPU time starts at 0
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # a handler inherited from the parent would wait for Python
    signal.setitimer(signal.ITIMER_REAL, seconds)


def address_space():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("the import's reader needs Linux (/proc/self/status)")
