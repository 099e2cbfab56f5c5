// Fusion, aggregation, quantisation and encoding of identity vectors.
#include <catch.hpp>

#include <cmath>

#include "clip_frames.h"
#include "identity/colour_descriptor.h"
#include "identity/identity_vector.h"

using namespace charid::identity;

namespace {
std::vector<float> descriptor_of(const charid::RgbImage& img) {
  return colour_descriptor(img, {0, 0, float(img.width), float(img.height)});
}
// A fused frame vector whose parts are all real colour descriptors of the frame, tiled.
std::vector<float> fused_of(const charid::RgbImage& img, bool face) {
  const auto d = descriptor_of(img);
  auto tile = [&](int n) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = d[i % d.size()];
    return v;
  };
  return fuse_frame(tile(512), tile(1280), face ? tile(256) : std::vector<float>{}, d).value();
}
}  // namespace

TEST_CASE("base64 follows RFC 4648") {
  const std::string text = "foobar";
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  CHECK(base64_encode(p, 0).empty());
  CHECK(base64_encode(p, 1) == "Zg==");
  CHECK(base64_encode(p, 2) == "Zm8=");
  CHECK(base64_encode(p, 6) == "Zm9vYmFy");
  auto back = base64_decode("Zm9vYg==");
  REQUIRE(back.ok());
  CHECK(std::string(back.value().begin(), back.value().end()) == "foob");
  CHECK_FALSE(base64_decode("Zm9v!mFy").ok());
  CHECK_FALSE(base64_decode("Zm9").ok());
  CHECK_FALSE(base64_decode("Zg=a").ok());
}

TEST_CASE("int8 quantisation keeps the direction of a real vector") {
  const auto frames = charid::test::clip_frames("sintel_b.mp4", 1);
  const auto v = fused_of(frames[0], true);
  const QuantizedVector q = quantize_int8(v);
  CHECK(q.values.size() == size_t(kIdentityDims));
  CHECK(*std::max_element(q.values.begin(), q.values.end()) == 127);
  CHECK(cosine(v, dequantize(q)).value() > 0.999);
  const std::string b64 = base64_encode(reinterpret_cast<const uint8_t*>(q.values.data()), q.values.size());
  auto back = decode_vector(b64, kIdentityDims, q.scale);
  REQUIRE(back.ok());
  CHECK(back.value().values == q.values);
  CHECK_FALSE(decode_vector(b64, kIdentityDims - 1, q.scale).ok());
  CHECK_FALSE(decode_vector(b64, kIdentityDims, 0.0f).ok());
}

TEST_CASE("fusion checks part sizes, leaves a missing face at zero and normalises") {
  const auto frames = charid::test::clip_frames("signer_hoodie_a.mp4", 1);
  const auto v = fused_of(frames[0], false);
  double n = 0;
  for (float x : v) n += x * x;
  CHECK(n == Approx(1.0));
  for (int i = 0; i < kFacePart.dims; ++i) REQUIRE(v[kFacePart.offset + i] == 0.0f);
  auto bad = fuse_frame(std::vector<float>(511, 1.0f), std::vector<float>(1280, 1.0f), {},
                        std::vector<float>(128, 1.0f));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == charid::ErrorCode::invalid_argument);
}

TEST_CASE("aggregation drops a frame far from the others") {
  auto frames = charid::test::clip_frames("signer_yellow_a.mp4", 6);
  frames.push_back(charid::test::clip_frames("bird_a.mp4", 1)[0]);
  std::vector<std::vector<float>> vectors;
  for (const auto& f : frames) vectors.push_back(descriptor_of(f));
  auto r = aggregate_frames(vectors, std::vector<float>(vectors.size(), 1.0f));
  REQUIRE(r.ok());
  CHECK(r.value().kept.size() == 6);
  CHECK(std::find(r.value().kept.begin(), r.value().kept.end(), 6) == r.value().kept.end());
  CHECK_FALSE(aggregate_frames({}, {}).ok());
  CHECK_FALSE(aggregate_frames(vectors, {1.0f}).ok());
}

TEST_CASE("the face part counts only when a face is seen in at least half of the frames") {
  const auto frames = charid::test::clip_frames("headpose_woman_a.mp4", 4);
  std::vector<std::vector<float>> rare, common;
  for (int i = 0; i < 4; ++i) {
    rare.push_back(fused_of(frames[i], i == 0));
    common.push_back(fused_of(frames[i], i < 2));
  }
  const std::vector<float> w(4, 1.0f);
  auto face_norm = [](const std::vector<float>& v) {
    double n = 0;
    for (int i = 0; i < kFacePart.dims; ++i) n += v[kFacePart.offset + i] * v[kFacePart.offset + i];
    return std::sqrt(n);
  };
  const auto r = aggregate_identity(rare, w).value().vector;
  const auto c = aggregate_identity(common, w).value().vector;
  CHECK(face_norm(r) == 0.0);
  // every present part is rescaled to its weight, whatever share of frames had it
  const double total = std::sqrt(kOsnetPart.weight * kOsnetPart.weight +
                                 kMobilenetPart.weight * kMobilenetPart.weight +
                                 kFacePart.weight * kFacePart.weight +
                                 kColourPart.weight * kColourPart.weight);
  CHECK(face_norm(c) == Approx(kFacePart.weight / total).epsilon(1e-4));
  CHECK_FALSE(aggregate_identity({std::vector<float>(10, 1.0f)}, {1.0f}).ok());
}

TEST_CASE("cosine refuses vectors of different sizes") {
  CHECK_FALSE(cosine({1, 0}, {1, 0, 0}).ok());
  CHECK(cosine({1, 0}, {0, 0}).value() == 0.0);
  CHECK(cosine({1, 2}, {2, 4}).value() == Approx(1.0));
}

TEST_CASE("a run-time layout: v1_layout fuses exactly like charid-id@1's fuse_frame") {
  const auto frames = charid::test::clip_frames("signer_hoodie_a.mp4", 2);
  const auto d = descriptor_of(frames[0]);
  auto tile = [&](int n) {
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = d[i % d.size()] * (1 + i % 7);
    return v;
  };
  const auto a = fuse_frame(tile(512), tile(1280), tile(256), d).value();
  const auto b = fuse_parts(v1_layout(), {tile(512), tile(1280), tile(256), d}).value();
  CHECK(a == b);
  CHECK(v1_layout().dims() == kIdentityDims);
  CHECK_FALSE(fuse_parts(v1_layout(), {tile(512), tile(1280), tile(256)}).ok());
  CHECK_FALSE(fuse_parts(v1_layout(), {tile(512), {}, tile(256), d}).ok());  // only the face may be missing
}

TEST_CASE("a run-time layout: parts weighted as given, face kept only when persistent") {
  const auto frames = charid::test::clip_frames("signer_grey_a.mp4", 4);
  VectorLayout layout;
  layout.parts = {{"face", 128, 0.8f}, {"body", 128, 0.6f}};
  layout.face_part = "face";
  std::vector<std::vector<float>> with_face, without_face;
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto d = descriptor_of(frames[i]);
    with_face.push_back(fuse_parts(layout, {d, d}).value());
    without_face.push_back(fuse_parts(layout, {i == 0 ? d : std::vector<float>{}, d}).value());
  }
  const std::vector<float> w(frames.size(), 1.0f);
  const auto kept = aggregate_parts(layout, with_face, w).value().vector;
  double face = 0, body = 0;
  for (int i = 0; i < 128; ++i) face += double(kept[i]) * kept[i], body += double(kept[128 + i]) * kept[128 + i];
  CHECK(face == Approx(0.64).epsilon(1e-4));
  CHECK(body == Approx(0.36).epsilon(1e-4));
  // a face in 1 frame of 4 is not persistent: the face part is zero, the body fills the norm
  const auto dropped = aggregate_parts(layout, without_face, w).value().vector;
  for (int i = 0; i < 128; ++i) REQUIRE(dropped[i] == 0.0f);
  double n = 0;
  for (float x : dropped) n += double(x) * x;
  CHECK(n == Approx(1.0).epsilon(1e-5));
}
