// The writer's test hook (tests only, never set in production; FORMAT.md lists the moments):
// TARIFFSIM_TEST_SIGNAL_AT="<moment> [<signal>] [wait]" makes the process send itself the signal
// (number; default 9, SIGKILL) at that moment of writing its file, and with `wait` then sleep
// until another signal ends it. A moment is a stage, or a stage and the batch number (from 0) as
// in `batch-data:3`. Tests thus cut a run at a chosen moment whatever the machine's speed
// (tests/cli/test_kill_safety.py). Internal to the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tariffsim::detail {

void signal_here_if_asked(const std::string& stage, std::optional<std::uint64_t> batch = {});

}  // namespace tariffsim::detail
