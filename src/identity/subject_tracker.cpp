#include "identity/subject_tracker.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace charid::identity {
namespace {

struct Track {
  std::vector<int> frame;        // frame index of each member
  std::vector<Detection> member;
  double score = 0;
};

// Largest, most central: sqrt of the area share times a centrality in 0.5..1.
double candidate_weight(const Detection& d, int width, int height, const TrackerOptions& o) {
  const double area_share = std::min(1.0, double(d.box.area()) / (double(width) * height));
  const double dx = (d.box.cx() - width / 2.0) / (width / 2.0);
  const double dy = (d.box.cy() - height / 2.0) / (height / 2.0);
  const double centrality = 1.0 - 0.5 * std::min(1.0, std::sqrt(dx * dx + dy * dy) / std::sqrt(2.0));
  const double kind = d.kind == SubjectKind::object ? o.object_weight : 1.0;
  return d.score * std::sqrt(area_share) * centrality * kind;
}

// Subject candidates of one frame: detected objects, and faces that no object contains (a
// close-up face stands for its head and shoulders).
std::vector<Detection> candidates_of(const FrameDetections& f, const TrackerOptions& o) {
  std::vector<Detection> out = f.objects;
  for (const Detection& face : f.faces) {
    const bool inside = std::any_of(f.objects.begin(), f.objects.end(), [&](const Detection& d) {
      return d.kind == SubjectKind::person && face.box.cx() >= d.box.x &&
             face.box.cx() <= d.box.x + d.box.w && face.box.cy() >= d.box.y &&
             face.box.cy() <= d.box.y + d.box.h;
    });
    if (inside || face.score < o.face_score) continue;
    Detection d = face;
    d.box = clip_box(scale_box(face.box, o.face_subject_scale), f.width, f.height);
    out.push_back(d);
  }
  return out;
}

// The most confident usable face whose centre lies in the subject box.
std::optional<Detection> face_in(const FrameDetections& f, const Box& subject,
                                 const TrackerOptions& o) {
  std::optional<Detection> best;
  for (const Detection& face : f.faces) {
    if (face.score < o.face_score || std::min(face.box.w, face.box.h) < o.min_face_pixels) continue;
    if (face.box.cx() < subject.x || face.box.cx() > subject.x + subject.w ||
        face.box.cy() < subject.y || face.box.cy() > subject.y + subject.h) {
      continue;
    }
    if (!best || face.score > best->score) best = face;
  }
  return best;
}

SubjectKind majority_kind(const std::vector<Detection>& members) {
  std::map<SubjectKind, double> votes;
  for (const Detection& d : members) votes[d.kind] += d.score;
  SubjectKind kind = SubjectKind::unknown;
  double best = -1;
  for (const auto& [k, v] : votes) {
    if (v > best) best = v, kind = k;
  }
  return kind;
}

void attach_faces(const std::vector<FrameDetections>& frames, SubjectChoice& choice,
                  const TrackerOptions& o) {
  choice.faces.resize(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) choice.faces[i] = face_in(frames[i], choice.boxes[i], o);
}

}  // namespace

SubjectChoice choose_subject(const std::vector<FrameDetections>& frames, const TrackerOptions& o) {
  std::vector<Track> tracks;
  for (size_t fi = 0; fi < frames.size(); ++fi) {
    const FrameDetections& f = frames[fi];
    std::vector<Detection> cands = candidates_of(f, o);
    std::sort(cands.begin(), cands.end(),
              [](const Detection& a, const Detection& b) { return a.score > b.score; });
    std::vector<bool> used(tracks.size(), false);
    for (const Detection& d : cands) {
      int best = -1;
      float best_iou = o.link_iou;
      for (size_t t = 0; t < tracks.size(); ++t) {
        if (used[t]) continue;
        const float v = iou(tracks[t].member.back().box, d.box);
        if (v >= best_iou) best_iou = v, best = int(t);
      }
      if (best < 0) {
        tracks.push_back({});
        used.push_back(false);
        best = int(tracks.size()) - 1;
      }
      used[best] = true;
      tracks[best].frame.push_back(int(fi));
      tracks[best].member.push_back(d);
      tracks[best].score += candidate_weight(d, f.width, f.height, o);
    }
  }

  SubjectChoice choice;
  choice.candidates = int(tracks.size());
  if (tracks.empty()) return choice;
  std::sort(tracks.begin(), tracks.end(),
            [](const Track& a, const Track& b) { return a.score > b.score; });
  const Track& best = tracks.front();
  for (size_t t = 1; t < tracks.size(); ++t) {
    if (tracks[t].score >= o.rival_share * best.score &&
        tracks[t].frame.size() >= o.rival_presence * frames.size()) {
      choice.multiple_subjects = true;
    }
  }

  choice.found = true;
  choice.kind = majority_kind(best.member);
  choice.boxes.resize(frames.size());
  for (size_t fi = 0; fi < frames.size(); ++fi) {
    // the member of this frame, or the nearest one in time
    size_t nearest = 0;
    for (size_t m = 1; m < best.frame.size(); ++m) {
      if (std::abs(best.frame[m] - int(fi)) < std::abs(best.frame[nearest] - int(fi))) nearest = m;
    }
    choice.boxes[fi] = clip_box(best.member[nearest].box, frames[fi].width, frames[fi].height);
  }
  attach_faces(frames, choice, o);
  return choice;
}

SubjectChoice follow_caller_box(const std::vector<FrameDetections>& frames, const Box& normalised,
                                const TrackerOptions& o) {
  SubjectChoice choice;
  if (frames.empty()) return choice;
  choice.found = true;
  choice.boxes.resize(frames.size());
  Box current{normalised.x * frames[0].width, normalised.y * frames[0].height,
              normalised.w * frames[0].width, normalised.h * frames[0].height};
  std::vector<Detection> matched;
  for (size_t fi = 0; fi < frames.size(); ++fi) {
    const FrameDetections& f = frames[fi];
    const Detection* best = nullptr;
    float best_iou = o.link_iou;
    const std::vector<Detection> cands = candidates_of(f, o);
    for (const Detection& d : cands) {
      const float v = iou(current, d.box);
      if (v >= best_iou) best_iou = v, best = &d;
    }
    if (best) {
      current = best->box;
      matched.push_back(*best);
    }
    choice.boxes[fi] = clip_box(current, f.width, f.height);
  }
  choice.kind = matched.empty() ? SubjectKind::unknown : majority_kind(matched);
  attach_faces(frames, choice, o);
  return choice;
}

Box centre_box(int width, int height) {
  const float side = 0.8f * std::min(width, height);
  const float w = side, h = std::min(float(height) * 0.9f, side * 1.25f);
  return {(width - w) / 2, (height - h) / 2, w, h};
}

std::optional<Detection> foreground_detection(const float* logits, int size, int frame_width,
                                              int frame_height, float threshold) {
  constexpr int kClasses = 21;
  const int n = size * size;
  std::vector<uint8_t> mask(n);
  std::vector<float> fg(n);
  for (int i = 0; i < n; ++i) {
    const float* p = logits + size_t(i) * kClasses;
    const float mx = *std::max_element(p, p + kClasses);
    double sum = 0;
    for (int c = 0; c < kClasses; ++c) sum += std::exp(p[c] - mx);
    fg[i] = float(1.0 - std::exp(p[0] - mx) / sum);
    mask[i] = fg[i] > threshold;
  }
  // largest 4-connected component
  std::vector<int> label(n, -1), stack, best_pixels;
  for (int seed = 0; seed < n; ++seed) {
    if (!mask[seed] || label[seed] >= 0) continue;
    std::vector<int> pixels;
    stack.assign(1, seed);
    label[seed] = seed;
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      pixels.push_back(i);
      const int x = i % size, y = i / size;
      const int nb[4] = {x > 0 ? i - 1 : -1, x + 1 < size ? i + 1 : -1, y > 0 ? i - size : -1,
                         y + 1 < size ? i + size : -1};
      for (int j : nb) {
        if (j >= 0 && mask[j] && label[j] < 0) label[j] = seed, stack.push_back(j);
      }
    }
    if (pixels.size() > best_pixels.size()) best_pixels.swap(pixels);
  }
  // a few stray pixels are not a subject
  if (best_pixels.size() < size_t(n) / 200) return std::nullopt;
  int x0 = size, y0 = size, x1 = 0, y1 = 0;
  double fg_sum = 0;
  std::vector<double> class_mass(kClasses, 0.0);
  for (int i : best_pixels) {
    const int x = i % size, y = i / size;
    x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    fg_sum += fg[i];
    const float* p = logits + size_t(i) * kClasses;
    class_mass[std::max_element(p + 1, p + kClasses) - p] += 1;
  }
  const int cls = int(std::max_element(class_mass.begin(), class_mass.end()) - class_mass.begin());
  Detection d;
  const float sx = float(frame_width) / size, sy = float(frame_height) / size;
  d.box = {x0 * sx, y0 * sy, (x1 - x0 + 1) * sx, (y1 - y0 + 1) * sy};
  d.score = float(fg_sum / best_pixels.size());
  d.class_id = cls;
  // Pascal VOC: 15 person; bird 3, cat 8, cow 10, dog 12, horse 13, sheep 17
  d.kind = cls == 15 ? SubjectKind::person
           : (cls == 3 || cls == 8 || cls == 10 || cls == 12 || cls == 13 || cls == 17)
               ? SubjectKind::animal
               : SubjectKind::object;
  return d;
}

}  // namespace charid::identity
