#include "core/base64.h"

#include <array>

namespace charid {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr auto kTable = make_table();

}  // namespace

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text, std::string* problem) {
  const auto refuse = [problem](const char* why) {
    if (problem) *problem = why;
    return std::nullopt;
  };
  if (text.size() % 4 != 0) return refuse("base64 text length is not a multiple of 4");
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t acc = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      int8_t v;
      if (c == '=') {
        // '=' only in the final group's last one or two places.
        if (!last || j < 4 - padding) return refuse("invalid base64 padding");
        v = 0;
      } else {
        v = kTable[static_cast<uint8_t>(c)];
        if (v < 0) return refuse("invalid base64 character");
      }
      acc = (acc << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<uint8_t>(acc >> 16));
    if (!last || padding < 2) out.push_back(static_cast<uint8_t>(acc >> 8));
    if (!last || padding < 1) out.push_back(static_cast<uint8_t>(acc));
  }
  return out;
}

std::string base64_encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    uint32_t acc = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < size) acc |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) acc |= data[i + 2];
    out.push_back(kAlphabet[(acc >> 18) & 63]);
    out.push_back(kAlphabet[(acc >> 12) & 63]);
    out.push_back(i + 1 < size ? kAlphabet[(acc >> 6) & 63] : '=');
    out.push_back(i + 2 < size ? kAlphabet[acc & 63] : '=');
  }
  return out;
}

}  // namespace charid
