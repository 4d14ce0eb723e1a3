// A strict parser for pkgdesc stanzas: a malformed document is an error naming the file, the
// line and the reason; it never yields a partial result.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/deb822.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// Builds a Pkgdesc from one parsed stanza; `file` names the source in errors.
PKGDESC_EXPORT Pkgdesc pkgdesc_from_stanza(const Deb822Stanza& stanza, const std::string& file);

// Reads every stanza of a stream (an index, or a file of several stanzas).
PKGDESC_EXPORT std::vector<Pkgdesc> parse_pkgdesc_stream(std::istream& in, const std::string& file);

// A DEBIAN/pkgdesc control member: the first stanza; further stanzas are ignored, as the
// format says. An empty document is an error.
PKGDESC_EXPORT Pkgdesc parse_pkgdesc(std::string_view text, const std::string& file);

} // namespace pkgdesc
