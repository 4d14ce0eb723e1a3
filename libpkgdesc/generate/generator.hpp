// Builds the pkgdesc of a binary package, from a .deb file or from a staged package tree
// (debian/<package>/ with its DEBIAN/ directory, as dh_builddeb is about to pack it).
#pragma once

#include <libpkgdesc/archive/deb_reader.hpp>
#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pkgdesc {

// The result for one .deb: its pkgdesc and, if the package embeds one, that DEBIAN/pkgdesc.
struct PKGDESC_EXPORT DebDescription {
    Pkgdesc desc;
    std::optional<std::string> embedded_pkgdesc;
    // The SHA-256 of the whole .deb, with DebReaderOptions::hash_file.
    std::string file_sha256;
};

PKGDESC_EXPORT DebDescription describe_deb(const std::string& path,
                                           const DebReaderOptions& options = {});

// Fills Package, Architecture, Version and Description from a control file's text.
PKGDESC_EXPORT void apply_control_fields(Pkgdesc& desc, const std::string& control_text,
                                         const std::string& file);

struct PKGDESC_EXPORT TreeOptions {
    enum class Owners { from_tree, root };
    // root: every member root:root, as "dpkg-deb --root-owner-group" writes them.
    Owners owners = Owners::from_tree;
    // Like dpkg-deb, which clamps every mtime to SOURCE_DATE_EPOCH (or the build time).
    std::optional<std::int64_t> clamp_mtime;
};

// Describes the tree `dir` as dpkg-deb --build would pack it: DEBIAN/ gives the control
// members, everything else the data members. Throws IoError or ArchiveError.
PKGDESC_EXPORT Pkgdesc describe_tree(const std::string& dir, const TreeOptions& options);

} // namespace pkgdesc
