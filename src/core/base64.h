// Strict standard base64 (RFC 4648, with padding): the one codec of charid
// for vectors in payloads, used by the registry, and meant for the identity
// module as well (its own copy in identity_vector.cpp can call this one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace charid {

// nullopt on any character outside the alphabet (no URL-safe letters, no
// whitespace), bad padding, or a length that is not a multiple of four: a
// vector is never guessed at. `problem`, when given, receives the reason in
// plain words.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text,
                                                  std::string* problem = nullptr);
std::string base64_encode(const uint8_t* data, size_t size);

}  // namespace charid
