// Where pkgdesc keeps its own state and cache on the verifying host.
#pragma once

#include <libpkgdesc/export.hpp>

#include <string>

namespace pkgdesc {

// /var/lib/pkgdesc for root, else $XDG_STATE_HOME/pkgdesc (~/.local/state/pkgdesc).
PKGDESC_EXPORT std::string default_state_dir();
// /var/cache/pkgdesc for root, else $XDG_CACHE_HOME/pkgdesc (~/.cache/pkgdesc).
PKGDESC_EXPORT std::string default_cache_dir();
// Where private temporary files go: $TMPDIR when it is an absolute path, else /tmp.
PKGDESC_EXPORT std::string temp_dir();

// Creates `path` and its missing parents with mode 0755. Throws IoError.
PKGDESC_EXPORT void make_directories(const std::string& path);

} // namespace pkgdesc
