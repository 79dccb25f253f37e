"""Imported first by the fork server that starts the frame workers (see :mod:`.workers`).

The fork server ignores Ctrl-C once it is running, but not while it imports the charts. A kernel shut down in that
second (nbclient interrupts the kernel's whole process group) would print a KeyboardInterrupt traceback from a
process that was about to be discarded anyway, so the server ignores it from the start. (The package imports its
modules lazily, so importing this one imports nothing else.)
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
