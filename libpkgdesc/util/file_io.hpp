// Reading a whole (local, trusted-location) file into memory.
#pragma once

#include <libpkgdesc/export.hpp>

#include <optional>
#include <string>

namespace pkgdesc {

// The file's bytes; nullopt if it does not exist. Throws IoError for any other failure or when
// the path is not a regular file.
PKGDESC_EXPORT std::optional<std::string> read_file_if_exists(const std::string& path);

} // namespace pkgdesc
