// Row helpers shared by the SQLite and PostgreSQL backends, so both read and
// answer characters the same way.
#pragma once

#include <string>
#include <vector>

#include "registry/storage.h"

namespace charid::registry {

// Every model a character holds: the creation model, then the models of the
// vectors added later, given as the comma-joined list a query aggregates
// (model ids never contain a comma; the catalog refuses such ids).
inline std::vector<std::string> models_held(const std::string& creation_model,
                                            const std::string& added_joined) {
  std::vector<std::string> out{creation_model};
  size_t start = 0;
  while (start < added_joined.size()) {
    const size_t comma = added_joined.find(',', start);
    const size_t end = comma == std::string::npos ? added_joined.size() : comma;
    if (end > start) out.push_back(added_joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The record a successful create answers with (no vector).
inline CharacterRecord created_record(const NewCharacter& c, int64_t seq) {
  CharacterRecord r;
  r.id = c.id;
  r.owner_id = c.owner_id;
  r.name = c.name;
  r.model = c.model;
  r.visibility = c.visibility;
  r.created_at = c.created_at;
  r.seq = seq;
  r.scale = c.scale;
  r.consent = c.consent;
  r.models = {c.model};
  return r;
}

}  // namespace charid::registry
