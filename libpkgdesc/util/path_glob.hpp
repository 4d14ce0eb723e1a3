// Shell-style patterns over slash-separated paths, as rsync and git match them: '*', '?' and
// '[...]' stay inside one path component (and a leading '.' must be matched explicitly), and a
// component that is exactly "**" matches any number of components, none included.
#pragma once

#include <libpkgdesc/export.hpp>

#include <string_view>

namespace pkgdesc {

// "/usr/local/lib/python3*" matches "/usr/local/lib/python3.11" but not
// "/usr/local/lib/python3.11/dist-packages/x.pth"; "/boot/grub/**" matches /boot/grub and
// everything beneath it; "/**/__pycache__" matches such a directory at any depth.
PKGDESC_EXPORT bool path_glob_match(std::string_view pattern, std::string_view path);

} // namespace pkgdesc
