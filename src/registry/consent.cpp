#include "registry/consent.h"

#include <nlohmann/json.hpp>

namespace charid::registry {

std::string subject_kind(const nlohmann::json& payload) {
  const auto subject = payload.find("subject");
  if (subject == payload.end()) return "";
  if (subject->is_string()) return subject->get<std::string>();
  if (subject->is_object()) {
    const auto kind = subject->find("kind");
    if (kind != subject->end() && kind->is_string()) return kind->get<std::string>();
  }
  return "";
}

bool needs_consent(const std::string& kind) { return kind == "face" || kind == "person"; }

ApiError consent_required(const std::string& kind, const std::string& what_to_do) {
  return ApiError{422, "consent_required",
                  "The subject of this vector is a " + kind +
                      ": an identity vector of a real person is biometric data and is kept only "
                      "with a consent basis. " +
                      what_to_do};
}

ApiResult<std::optional<Consent>> parse_consent(const nlohmann::json& body,
                                                const std::string& recorded_at) {
  const auto consent = body.find("consent");
  if (consent == body.end() || consent->is_null()) return std::optional<Consent>();
  const ApiError bad = bad_request(
      "consent must be {\"basis\": \"self\" | \"permission\" | \"fictional\" | \"not_a_person\"}");
  if (!consent->is_object()) return bad;
  const auto basis = consent->find("basis");
  if (basis == consent->end() || !basis->is_string()) return bad;
  const std::string value = basis->get<std::string>();
  if (value != "self" && value != "permission" && value != "fictional" &&
      value != "not_a_person") {
    return bad;
  }
  return std::optional<Consent>(Consent{value, recorded_at});
}

}  // namespace charid::registry
