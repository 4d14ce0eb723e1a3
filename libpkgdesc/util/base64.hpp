// Base64 (RFC 4648, with padding) as AIDE writes digests, through OpenSSL.
#pragma once

#include <libpkgdesc/export.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc {

// The bytes `text` encodes; nullopt when it is empty, not a multiple of four characters, longer
// than 64 MiB, or not base64.
PKGDESC_EXPORT std::optional<std::string> base64_decode(std::string_view text);
// Standard base64 with padding, on one line.
PKGDESC_EXPORT std::string base64_encode(std::string_view bytes);

} // namespace pkgdesc
