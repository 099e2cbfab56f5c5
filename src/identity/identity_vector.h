// The fused identity vectors ("charid-id@1", "charid-id@2"): per-frame fusion of the part embeddings, robust
// aggregation over frames, int8 quantisation with a scale, and the vector maths that the
// CLI, the page and the registry share (cosine, base64 little-endian encoding).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace charid::identity {

// Layout of charid-id@1 (models/manifest.json "embeddings" repeats it for the registry).
inline constexpr const char* kIdentityModel = "charid-id@1";
struct PartLayout {
  const char* name;
  int offset;
  int dims;
  float weight;  // the part's share of the fused vector (weights squared sum to 1)
};
// The three learned embeddings weigh the same; colour is a light hint (it changes with the light
// and the scene more than identity does).
inline constexpr PartLayout kOsnetPart{"osnet", 0, 512, 0.57f};
inline constexpr PartLayout kMobilenetPart{"mobilenetv2_gem", 512, 1280, 0.57f};
inline constexpr PartLayout kFacePart{"face", 1792, 256, 0.57f};
inline constexpr PartLayout kColourPart{"colour", 2048, 128, 0.19f};
inline constexpr int kIdentityDims = 2176;

// One frame: each part L2-normalised and weighted; a missing part (empty, e.g. no confident
// face) stays zero; the whole vector L2-normalised. Error when a part has the wrong size.
Result<std::vector<float>> fuse_frame(const std::vector<float>& osnet,
                                      const std::vector<float>& mobilenet,
                                      const std::vector<float>& face,
                                      const std::vector<float>& colour);

struct Aggregate {
  std::vector<float> vector;  // L2-normalised
  std::vector<int> kept;      // frame indices that contributed
};

// A layout given at run time: charid-id@2 (and later models) read it from the manifest's
// embeddings entry, so the CLI, the page and the registry agree on it by construction. Parts are
// laid out in order; each is L2-normalised and scaled to `weight`. `face_part` names the part
// that is left zero in frames without a confident face and kept in the clip's vector only when
// a face was seen in at least half of the kept frames ("" = none).
struct PartWeight {
  std::string name;
  int dims = 0;
  float weight = 0;
};
struct VectorLayout {
  std::vector<PartWeight> parts;
  std::string face_part;
  int dims() const;
};
VectorLayout v1_layout();

// fuse_frame over a run-time layout: parts[i] belongs to layout.parts[i]; only the face part
// may be empty.
Result<std::vector<float>> fuse_parts(const VectorLayout& layout,
                                      const std::vector<std::vector<float>>& parts);

// aggregate_identity over a run-time layout.
Result<Aggregate> aggregate_parts(const VectorLayout& layout,
                                  const std::vector<std::vector<float>>& frames,
                                  const std::vector<float>& weights);

// The clip's vector from its frames' parts in one step: fuse_parts per frame, then
// aggregate_parts with the frame weights. parts[p][i] is part p (layout order) of frame i, empty
// where the frame has none (only the face part may be empty).
struct ClipVector {
  Aggregate aggregate;                          // the clip's vector and the frames kept
  std::vector<std::vector<float>> frame_vectors;  // one fused vector per frame
};
Result<ClipVector> fuse_clip(const VectorLayout& layout,
                             const std::vector<std::vector<std::vector<float>>>& parts,
                             const std::vector<float>& weights);

// Robust mean: frames whose cosine to the element-wise median falls far below the others'
// (more than max(0.05, 3 MAD) under their median) are dropped, the rest averaged with their
// weights (frame quality), then L2-normalised.
Result<Aggregate> aggregate_frames(const std::vector<std::vector<float>>& frames,
                                   const std::vector<float>& weights);

// The clip's identity vector from its fused frame vectors: aggregate_frames, then each part of
// the result rescaled to its weight (so a part seen in only some frames is not diluted), the
// face part dropped unless a face was seen in at least half of the kept frames (a face in a
// few frames is a false detection or a cartoon "face", which the face model does not know),
// then L2-normalised.
Result<Aggregate> aggregate_identity(const std::vector<std::vector<float>>& frames,
                                     const std::vector<float>& weights);

struct QuantizedVector {
  float scale = 0;            // value = q * scale
  std::vector<int8_t> values;
};
QuantizedVector quantize_int8(const std::vector<float>& v);
std::vector<float> dequantize(const QuantizedVector& q);

std::string base64_encode(const uint8_t* data, size_t size);
Result<std::vector<uint8_t>> base64_decode(const std::string& text);

// A payload's vector field back to int8 values; error unless it holds exactly `dims` bytes.
Result<QuantizedVector> decode_vector(const std::string& base64, int dims, float scale);

// Cosine similarity; 0 when either vector is zero. Error when the sizes differ.
Result<double> cosine(const std::vector<float>& a, const std::vector<float>& b);

void l2_normalize(std::vector<float>& v);

}  // namespace charid::identity
