// Reading a whole (local, trusted-location) file into memory.
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pkgdesc {

// The file's bytes; nullopt if it does not exist. Throws IoError for any other failure, when
// the path is not a regular file, or when it holds more than `limit` bytes.
PKGDESC_EXPORT std::optional<std::string> read_file_if_exists(const std::string& path,
                                                              std::uint64_t limit = UINT64_MAX);

} // namespace pkgdesc
