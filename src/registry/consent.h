// Consent records: vectors of real people are biometric data (a face
// embedding can be inverted), so a character whose subject is a face or a
// person is registered only with a stated basis. The basis and its time are
// stored with the character and never changed; deleting is the way out.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "registry/api_error.h"
#include "registry/storage.h"

namespace charid::registry {

// The payload's subject kind: subject.kind (or a bare string subject), else "".
std::string subject_kind(const nlohmann::json& payload);
bool needs_consent(const std::string& subject_kind);  // "face" or "person"

// The 422 consent_required error for a subject of `kind`, with the reason.
ApiError consent_required(const std::string& kind, const std::string& what_to_do);

// The body's "consent" (nullopt when absent), checked; `recorded_at` is now.
ApiResult<std::optional<Consent>> parse_consent(const nlohmann::json& body,
                                                const std::string& recorded_at);

}  // namespace charid::registry
