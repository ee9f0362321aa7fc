// Clean stops on a signal (SIGTERM, SIGINT, and SIGUSR1, which Slurm sends before the wall time):
// the handler only records the signal; the run session checks it between batches, writes what is
// finished and returns, so the file resumes. A second signal ends the process at once, which is
// safe too: the file survives a kill at any moment (FORMAT.md, "Surviving a kill").
#pragma once

namespace tariffsim {

// Installs the handlers (async-signal-safe: they set a lock-free atomic, and the second calls
// _exit(128 + signal)). For the process's command-line driver; a library caller may skip it.
void install_stop_handlers();

// The signal that asked the run to stop, or 0.
int stop_signal() noexcept;

// "SIGTERM", "SIGINT", "SIGUSR1" (or "a signal").
const char* signal_name(int signal) noexcept;

}  // namespace tariffsim
