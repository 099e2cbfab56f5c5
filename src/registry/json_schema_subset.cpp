#include "registry/json_schema_subset.h"

#include <regex.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace charid::registry {

using nlohmann::json;

// The schema's "pattern"s compiled as POSIX extended expressions (glibc's
// matcher does not recurse per character, where std::regex overflows its
// stack on a long vector string). The patterns are ASCII and
// ECMAScript-compatible; the one ECMAScript-only construct they use, the
// non-capturing group "(?:", means the same as "(" for matching. Inputs are
// matched as bytes in the C locale: an ASCII class never matches a byte of a
// multi-byte character, as it never matches the character in JS.
class SchemaPatterns {
 public:
  SchemaPatterns() = default;
  SchemaPatterns(const SchemaPatterns&) = delete;
  SchemaPatterns& operator=(const SchemaPatterns&) = delete;
  ~SchemaPatterns() {
    for (auto& [pattern, re] : compiled_) regfree(&re);
  }

  std::optional<std::string> add(const std::string& pattern) {
    if (compiled_.count(pattern)) return std::nullopt;
    std::string ere;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (pattern.compare(i, 3, "(?:") == 0) {
        ere += '(';
        i += 2;
      } else if (pattern.compare(i, 2, "(?") == 0 || pattern[i] == '\\' ||
                 static_cast<unsigned char>(pattern[i]) >= 0x80) {
        return "pattern \"" + pattern + "\" uses a construct this checker does not support";
      } else {
        ere += pattern[i];
      }
    }
    regex_t re;
    if (regcomp(&re, ere.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
      return "pattern \"" + pattern + "\" does not compile";
    }
    compiled_.emplace(pattern, re);
    return std::nullopt;
  }

  bool matches(const std::string& pattern, const std::string& text) const {
    // A NUL would end the C string early; no pattern of ours allows one.
    if (text.find('\0') != std::string::npos) return false;
    return regexec(&compiled_.at(pattern), text.c_str(), 0, nullptr, 0) == 0;
  }

 private:
  std::map<std::string, regex_t> compiled_;
};

namespace {

const std::set<std::string> kSupported = {
    "$schema", "$id",      "title",   "description", "type",       "const",
    "enum",    "required", "properties", "additionalProperties",   "items",
    "minItems", "maxItems", "minimum", "maximum",    "exclusiveMinimum",
    "minLength", "maxLength", "pattern"};

// JSON Schema's type of a value: a number with no fractional part is an
// "integer" however it was written (as in JS, 1.0 and 1e39 are integers).
std::string type_of(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d ? "integer" : "number";
  }
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool is_type(const json& v, const std::string& type) {
  const std::string actual = type_of(v);
  return actual == type || (type == "number" && actual == "integer");
}

std::string shown(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

// Numbers compare by value whatever their representation (1 == 1.0).
bool same_value(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string format(const double d) {
  json j = d;
  if (std::floor(d) == d && std::fabs(d) < 1e15) j = static_cast<long long>(d);
  return j.dump();
}

// The shape each keyword's value must have, so checking never meets a
// surprise.
std::optional<std::string> keyword_value_problem(const std::string& key, const json& value) {
  const auto all_strings = [](const json& list) {
    return list.is_array() &&
           std::all_of(list.begin(), list.end(), [](const json& t) { return t.is_string(); });
  };
  if (key == "type" && !value.is_string() && !all_strings(value)) {
    return std::optional<std::string>("must be a type name or a list of them");
  }
  if (key == "required" && !all_strings(value)) return std::optional<std::string>("must list names");
  if (key == "enum" && !value.is_array()) return std::optional<std::string>("must be a list");
  if (key == "properties" && !value.is_object()) return std::optional<std::string>("must be an object");
  if ((key == "minimum" || key == "maximum" || key == "exclusiveMinimum") && !value.is_number()) {
    return std::optional<std::string>("must be a number");
  }
  if ((key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems") &&
      !value.is_number_unsigned()) {
    return std::optional<std::string>("must be a whole number >= 0");
  }
  if ((key == "pattern" || key == "$schema" || key == "$id" || key == "title" ||
       key == "description") &&
      !value.is_string()) {
    return std::optional<std::string>("must be a string");
  }
  return std::nullopt;
}

std::optional<std::string> validate_schema(const json& schema, const std::string& at,
                                           SchemaPatterns& patterns) {
  if (schema.is_boolean()) return std::nullopt;
  if (!schema.is_object()) return "the schema at " + at + " is not an object";
  for (const auto& [key, value] : schema.items()) {
    if (!kSupported.count(key)) {
      return "schema keyword \"" + key + "\" at " + at + " is not supported";
    }
    if (auto problem = keyword_value_problem(key, value)) return "\"" + key + "\" at " + at + " " + *problem;
    if (key == "pattern") {
      if (auto problem = patterns.add(value.get<std::string>())) return *problem;
    }
  }
  if (const auto p = schema.find("properties"); p != schema.end()) {
    for (const auto& [name, sub] : p->items()) {
      if (auto problem = validate_schema(sub, at + "/" + name, patterns)) return problem;
    }
  }
  for (const char* key : {"items", "additionalProperties"}) {
    if (const auto sub = schema.find(key); sub != schema.end()) {
      if (auto problem = validate_schema(*sub, at + "/" + key, patterns)) return problem;
    }
  }
  return std::nullopt;
}

struct Checker {
  const SchemaPatterns& patterns;

  std::optional<std::string> check(const json& schema, const json& v,
                                   const std::string& path) const {
    if (schema.is_boolean()) {
      return schema.get<bool>() ? std::nullopt : std::optional(path + " is not allowed here");
    }
    const auto fail = [&path](const std::string& message) {
      return std::optional<std::string>(path + " " + message);
    };
    if (const auto t = schema.find("type"); t != schema.end()) {
      const json types = t->is_array() ? *t : json::array({*t});
      bool any = false;
      std::string names;
      for (const auto& type : types) {
        any = any || is_type(v, type.get<std::string>());
        names += (names.empty() ? "" : " or ") + type.get<std::string>();
      }
      if (!any) return fail("must be " + names + ", not " + type_of(v));
    }
    if (const auto c = schema.find("const"); c != schema.end() && !same_value(v, *c)) {
      return fail("must be " + shown(*c));
    }
    if (const auto e = schema.find("enum"); e != schema.end()) {
      bool found = false;
      std::string names;
      for (const auto& option : *e) {
        found = found || same_value(v, option);
        names += (names.empty() ? "" : ", ") + shown(option);
      }
      if (!found) return fail("must be one of " + names);
    }
    if (v.is_number()) {
      const double d = v.get<double>();
      if (const auto m = schema.find("minimum"); m != schema.end() && d < m->get<double>()) {
        return fail("must be at least " + format(m->get<double>()));
      }
      if (const auto m = schema.find("maximum"); m != schema.end() && d > m->get<double>()) {
        return fail("must be at most " + format(m->get<double>()));
      }
      if (const auto m = schema.find("exclusiveMinimum");
          m != schema.end() && !(d > m->get<double>())) {
        return fail("must be greater than " + format(m->get<double>()));
      }
    }
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      const size_t n = code_points(s);
      if (const auto m = schema.find("minLength"); m != schema.end() && n < m->get<size_t>()) {
        return fail("must be at least " + m->dump() + " characters");
      }
      if (const auto m = schema.find("maxLength"); m != schema.end() && n > m->get<size_t>()) {
        return fail("must be at most " + m->dump() + " characters");
      }
      if (const auto p = schema.find("pattern");
          p != schema.end() && !patterns.matches(p->get<std::string>(), s)) {
        return fail("is not in the expected format");
      }
    }
    if (v.is_array()) {
      if (const auto m = schema.find("minItems"); m != schema.end() && v.size() < m->get<size_t>()) {
        return fail("must hold at least " + m->dump() + " items");
      }
      if (const auto m = schema.find("maxItems"); m != schema.end() && v.size() > m->get<size_t>()) {
        return fail("must hold at most " + m->dump() + " items");
      }
      if (const auto items = schema.find("items"); items != schema.end()) {
        for (size_t i = 0; i < v.size(); ++i) {
          if (auto problem = check(*items, v[i], path + "[" + std::to_string(i) + "]")) {
            return problem;
          }
        }
      }
    }
    if (v.is_object()) {
      if (const auto r = schema.find("required"); r != schema.end()) {
        for (const auto& name : *r) {
          if (!v.contains(name.get<std::string>())) {
            return std::optional(path + "." + name.get<std::string>() + " is missing");
          }
        }
      }
      const auto props = schema.find("properties");
      const auto extra = schema.find("additionalProperties");
      for (const auto& [name, sub] : v.items()) {
        const std::string at = path + "." + name;
        if (props != schema.end() && props->contains(name)) {
          if (auto problem = check((*props)[name], sub, at)) return problem;
        } else if (extra != schema.end()) {
          if (auto problem = check(*extra, sub, at)) return problem;
        }
      }
    }
    return std::nullopt;
  }
};

}  // namespace

std::optional<JsonSchemaSubset> JsonSchemaSubset::load(const std::string& text,
                                                       std::string* error) {
  JsonSchemaSubset out;
  out.schema_ = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (out.schema_.is_discarded()) {
    *error = "the schema is not valid JSON";
    return std::nullopt;
  }
  auto patterns = std::make_shared<SchemaPatterns>();
  if (auto problem = validate_schema(out.schema_, "/", *patterns)) {
    *error = *problem;
    return std::nullopt;
  }
  out.patterns_ = std::move(patterns);
  return out;
}

std::optional<std::string> JsonSchemaSubset::first_problem(const json& value,
                                                           const std::string& root) const {
  return Checker{*patterns_}.check(schema_, value, root);
}

}  // namespace charid::registry
