// Times as pkgdesc writes and reads them: UTC in ISO 8601, and durations as the options give them.
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc {

// "2026-12-07T14:30:06Z"; the number itself for a time gmtime(3) cannot represent.
PKGDESC_EXPORT std::string utc_text(std::int64_t unix_seconds);
// The current time, as utc_text() writes it.
PKGDESC_EXPORT std::string utc_now();

// Seconds of a duration written as a number and an optional unit: s (the default), m, h, d or
// w ("90", "15m", "36h", "7d"); nullopt for anything else, zero, or more than 100 years.
PKGDESC_EXPORT std::optional<std::int64_t> parse_duration(std::string_view text);

} // namespace pkgdesc
