// The restore manifest that pkgdesc-verify --backup-plan writes (docs/backup.md): the pristine
// package files a backup left out, each with the content and metadata its package gives it.
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT ManifestFile {
    std::string sha256; // hex
    std::uint64_t size = 0;
    std::uint32_t mode = 0; // permission bits (07777)
    std::string owner;      // a name, or "#UID"
    std::string group;      // a name, or "#GID"
    std::int64_t mtime = 0;
    std::string path; // absolute, normalized, raw bytes
    // For a hard link of its package: the first path of its group (which holds the data).
    std::string first_link;
};

struct PKGDESC_EXPORT ManifestPackage {
    std::string name;
    std::string architecture;
    std::string version;
    std::string reference;  // where its reference came from
    std::string deb_sha256; // hex; empty when no .deb was proven
    std::string deb_uri;
    std::vector<ManifestFile> files;
};

struct PKGDESC_EXPORT RestoreManifest {
    std::string root;
    std::string architecture;
    std::vector<std::string> trees;
    std::vector<ManifestPackage> packages;

    // Parses a manifest. Throws ParseError("SHOWN:LINE: reason") for anything that
    // --backup-plan does not write: an unknown format, a missing field, a malformed file line, a
    // path that is not absolute and normalized, the same path twice, a hard link whose group's
    // first path is not in the manifest.
    static RestoreManifest parse(std::string_view text, const std::string& shown);
};

} // namespace pkgdesc
