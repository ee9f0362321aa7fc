#include "kill_hook.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <sstream>

namespace tariffsim::detail {

namespace {

struct SignalRequest {
  std::string moment;
  int signal = SIGKILL;
  bool wait = false;
};

std::optional<SignalRequest> requested_signal() {
  const char* text = std::getenv("TARIFFSIM_TEST_SIGNAL_AT");
  if (!text) return std::nullopt;
  std::istringstream words(text);
  SignalRequest request;
  words >> request.moment;
  for (std::string word; words >> word;) {
    if (word == "wait")
      request.wait = true;
    else
      request.signal = std::stoi(word);
  }
  return request;
}

}  // namespace

void signal_here_if_asked(const std::string& stage, std::optional<std::uint64_t> batch) {
  static const std::optional<SignalRequest> request = requested_signal();
  if (!request) return;
  if (request->moment != (batch ? stage + ":" + std::to_string(*batch) : stage)) return;
  ::raise(request->signal);
  while (request->wait) ::pause();
}

}  // namespace tariffsim::detail
