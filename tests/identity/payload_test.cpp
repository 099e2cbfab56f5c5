// The charid.embedding/1 payload text.
#include <catch.hpp>

#include <cmath>

#include "identity/payload.h"

using namespace charid::identity;

TEST_CASE("payload fields in contract order, vector base64 of the int8 values") {
  EmbeddingPayload p;
  std::vector<float> v(kIdentityDims, 0.0f);
  v[0] = 0.5f, v[1] = -0.25f, v[kIdentityDims - 1] = 0.125f;
  p.vector = quantize_int8(v);
  p.window_start = 0.5, p.window_end = 4.5;
  p.frames = 16;
  p.subject_kind = "person";
  p.subject_box = {0.25, 0.1, 0.5, 0.8};
  p.source = {{"codec", "h264"}};
  p.quality = {{"sharpness", 12.5}};
  p.warnings = {"multiple_subjects", "say \"hi\"\n"};
  p.timings_ms = {{"decode", 10.5}, {"detect", 20}, {"embed", 30}, {"total", 61.25}};
  const std::string j = payload_json(p);
  const char* order[] = {"\"schema\":\"charid.embedding/1\"", "\"model\":\"charid-id@1\"",
                         "\"dims\":2176", "\"dtype\":\"int8\"", "\"scale\":", "\"vector\":\"f8AA",
                         "\"window\":{\"start\":0.5,\"end\":4.5}", "\"frames\":16",
                         "\"subject\":{\"kind\":\"person\",\"box\":[0.25,0.1,0.5,0.8]}",
                         "\"source\":{\"codec\":\"h264\"}", "\"quality\":{\"sharpness\":12.5}",
                         R"("warnings":["multiple_subjects","say \"hi\"\n"])",
                         "\"timings_ms\":{\"decode\":10.5,\"detect\":20,\"embed\":30,\"total\":61.25}"};
  size_t at = 0;
  for (const char* field : order) {
    const size_t found = j.find(field, at);
    INFO(field);
    REQUIRE(found != std::string::npos);
    at = found;
  }
  CHECK(j.front() == '{');
  CHECK(j.back() == '}');
  // 127 = 0x7f, -64 = 0xc0, 0 -> "f8AA"; and the whole vector decodes back
  const size_t vs = j.find("\"vector\":\"") + 10;
  const std::string b64 = j.substr(vs, j.find('"', vs) - vs);
  auto q = decode_vector(b64, kIdentityDims, p.vector.scale);
  REQUIRE(q.ok());
  CHECK(q.value().values[0] == 127);
  CHECK(q.value().values[1] == -64);
  CHECK(q.value().values[kIdentityDims - 1] == 32);
}

TEST_CASE("payload: the backend closes timings_ms, odd values stay valid JSON") {
  EmbeddingPayload p;
  p.vector = quantize_int8({0.5f, -0.5f});
  p.window_start = std::nan("");
  p.subject_box = {0.25, 0.5, 1e-7, 1};
  p.warnings = {std::string("bad \xff utf-8")};
  p.timings_ms = {{"total", 1.25}};
  p.backend = "webgpu+wasm";
  const std::string j = payload_json(p);
  CHECK(j.find("\"timings_ms\":{\"total\":1.25,\"backend\":\"webgpu+wasm\"}}") != std::string::npos);
  CHECK(j.find("\"window\":{\"start\":null,") != std::string::npos);
  CHECK(j.find("\"box\":[0.25,0.5,1e-07,1]") != std::string::npos);
  const auto back = nlohmann::json::parse(j);
  CHECK(back["warnings"][0].get<std::string>().rfind("bad ", 0) == 0);
  CHECK(back["dims"] == 2);
}
