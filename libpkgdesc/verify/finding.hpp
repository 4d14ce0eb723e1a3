// What verification found about one path: the unit every reporter prints.
#pragma once

#include <libpkgdesc/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc {

enum class FileStatus {
    pristine,     // every attribute matches the reference
    modified,     // type, content, size, link target or device numbers differ
    metadata,     // only mode, owner, group, mtime, extended attributes or the path differ
    missing,      // listed by dpkg and described by the reference, but not on disk
    unowned,      // on disk under a scanned directory, owned by no installed package
    unverifiable, // could not be proven either way (unreadable, changing, no reference entry)
};

inline constexpr std::array<FileStatus, 6> k_file_statuses{
    FileStatus::pristine, FileStatus::modified, FileStatus::metadata,
    FileStatus::missing,  FileStatus::unowned,  FileStatus::unverifiable};

PKGDESC_EXPORT std::string_view status_name(FileStatus status);

// One attribute that differs, with the expected and actual values as text.
struct PKGDESC_EXPORT FailedAttribute {
    // "type", "sha256", "size", "mode", "owner", "group", "link", "hardlink", "device",
    // "mtime", "path", or the name of an extended attribute ("security.capability",
    // "system.posix_acl_access", ...).
    std::string name;
    std::string expected;
    std::string actual;
};

struct PKGDESC_EXPORT Finding {
    // Where the file was checked: its real location, after merged-/usr aliasing and diversion.
    std::string path;
    // The name in the package's file list when it differs from `path` ("/bin/ls"), else empty.
    std::string listed_path;
    // The owning package's dpkg name ("name" or "name:arch"); empty for unowned files.
    std::string package;
    FileStatus status = FileStatus::pristine;
    bool conffile = false;
    std::vector<FailedAttribute> failed;
    // Why a file is unverifiable or missing, or a note ("reached through a symbolic link").
    std::string reason;
    // Set when a diversion moved the file: the diverting package, or "local".
    std::string diverted_by;
    // "USER GROUP MODE" when a statoverride set the expected owner, group and mode.
    std::string statoverride;
    // Bytes read to hash it (for the summary).
    std::uint64_t bytes_read = 0;

    bool has_failed(std::string_view name) const;
};

// Totals of a verification, for summaries and exit codes.
struct PKGDESC_EXPORT Summary {
    std::array<std::size_t, k_file_statuses.size()> counts{};
    std::size_t modified_conffiles = 0;
    std::size_t diverted = 0;
    std::size_t statoverridden = 0;
    std::size_t packages_checked = 0;
    std::uint64_t bytes_hashed = 0;
    // Installed packages without reference data: "name version architecture".
    struct Package {
        std::string name;
        std::string version;
        std::string architecture;
        // Why there is no reference data.
        std::string reason;
    };
    std::vector<Package> unreferenced;

    std::size_t count(FileStatus status) const { return counts[static_cast<std::size_t>(status)]; }
    std::size_t total() const;
    // Whether every file checked was pristine and every selected package had reference data.
    bool clean() const;
};

} // namespace pkgdesc
