// SHA-256 (FIPS 180-4): the hash of an experiment's effective config, stored as config_sha256, by
// which shards, merges and resumes know they belong to the same experiment.
#pragma once

#include <string>

namespace tariffsim {

std::string sha256_hex(const std::string& data);  // 64 lowercase hex digits

}  // namespace tariffsim
