// Secrets and identifiers: API keys, character IDs, and the hashes keys are
// stored as. Randomness comes from OpenSSL's CSPRNG.
#pragma once

#include <string>
#include <string_view>

namespace charid::registry {

// `length` uniformly random base62 characters (rejection sampling, no bias).
std::string random_base62(size_t length);

std::string new_api_key();       // "ck_" + 32 base62 (~190 bits)
std::string new_character_id();  // "char_" + 22 base62 (~131 bits)

// Raw 32-byte SHA-256; keys are high-entropy, so a fast hash is enough and
// lets the database index them.
std::string sha256(std::string_view data);

// Constant-time equality of two equal-length byte strings.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace charid::registry
