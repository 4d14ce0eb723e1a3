// Writes a Pkgdesc in canonical form: fixed field order, sorted lines, escaped values.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <ostream>
#include <string>

namespace pkgdesc {

// Writes one stanza (without a trailing blank line). The Pkgdesc must be sorted.
PKGDESC_EXPORT void write_pkgdesc(std::ostream& out, const Pkgdesc& desc);
PKGDESC_EXPORT std::string to_string(const Pkgdesc& desc);

// One "Content-Metadata" line without the leading blank: "PATH type=... mode=...".
PKGDESC_EXPORT std::string metadata_line(const Entry& entry);

} // namespace pkgdesc
