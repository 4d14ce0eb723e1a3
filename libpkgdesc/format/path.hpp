// Paths and values as pkgdesc writes them: absolute, normalized, and escaped the way mtree(5)
// does, so that every line splits on white space and any byte sequence round-trips.
#pragma once

#include <libpkgdesc/export.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc {

// Every byte outside 0x21..0x7E, and the backslash, becomes "\ooo" (three octal digits).
PKGDESC_EXPORT std::string escape(std::string_view raw);

// The inverse of escape(); nullopt for a malformed escape or a byte escape() never leaves raw.
PKGDESC_EXPORT std::optional<std::string> unescape(std::string_view escaped);
// The same into `out` (its storage reused); false where unescape() gives nullopt.
PKGDESC_EXPORT bool unescape_to(std::string_view escaped, std::string& out);
// The same without a copy when nothing is escaped: `escaped` itself, or what was unescaped
// into `scratch` (valid until `scratch` changes).
PKGDESC_EXPORT std::optional<std::string_view> unescape_view(std::string_view escaped,
                                                             std::string& scratch);

// True for "/" and for "/a/b" with no empty, "." or ".." component and no trailing slash.
PKGDESC_EXPORT bool is_normalized_path(std::string_view path);

// Turns an archive member name ("./usr/bin/x", "usr//bin/./x", "./") into an absolute,
// normalized path. Returns nullopt, with `reason` set, for a name that leaves the archive root
// (a ".." component, or an absolute name).
PKGDESC_EXPORT std::optional<std::string> normalize_member_name(std::string_view name,
                                                                std::string& reason);

} // namespace pkgdesc
