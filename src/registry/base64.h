// Strict standard base64 (RFC 4648, with padding) for embedding vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace charid::registry {

// nullopt on any character outside the alphabet, bad padding or a length
// that is not a multiple of four: a vector is never guessed at.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(const uint8_t* data, size_t size);

}  // namespace charid::registry
