// What verification found about one path: the unit every reporter prints.
#pragma once

#include <libpkgdesc/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct stat;

namespace pkgdesc {

enum class FileStatus {
    pristine,     // every attribute matches the reference
    modified,     // type, content, size, link target or device numbers differ
    metadata,     // only mode, owner, group, mtime, extended attributes or the path differ
    missing,      // listed by dpkg and described by the reference, but not on disk
    unowned,      // on disk under a scanned directory, owned by no installed package
    unverifiable, // could not be proven either way (unreadable, changing, no reference entry)
    allowed,      // owned by no package, but matched by an --unowned-allow pattern: not a
                  // deviation, yet shown (-v, JSON) with what is on disk
    unproven,     // of a package without reference data, matching the checked system's own
                  // md5sums: what dpkg --verify calls unchanged, which proves nothing against an
                  // intruder who rewrites both
};

inline constexpr std::array<FileStatus, 8> k_file_statuses{
    FileStatus::pristine, FileStatus::modified,     FileStatus::metadata, FileStatus::missing,
    FileStatus::unowned,  FileStatus::unverifiable, FileStatus::allowed,  FileStatus::unproven};

PKGDESC_EXPORT std::string_view status_name(FileStatus status);
// Whether a status makes the verification unclean (exit status 1): all but pristine, allowed
// and unproven (whose package, without reference data, makes it unclean by itself).
PKGDESC_EXPORT bool is_deviation(FileStatus status);

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
    // A control member of the package kept in the dpkg database's info directory (a maintainer
    // script, md5sums, conffiles, triggers, ...), not a file of the package's data.
    bool control = false;
    // Checked against the checked system's own md5sums, for want of reference data: its
    // statuses are unproven, modified (failed "md5"), missing or unverifiable, counted apart.
    bool md5sums = false;
    std::vector<FailedAttribute> failed;
    // Why a file is unverifiable or missing, or a note ("reached through a symbolic link").
    std::string reason;
    // Set when a diversion moved the file: the diverting package, or "local".
    std::string diverted_by;
    // "USER GROUP MODE" when a statoverride set the expected owner, group and mode.
    std::string statoverride;
    // Bytes read to hash it (for the summary).
    std::uint64_t bytes_read = 0;
    // What is on disk, for files no reference entry describes (unowned and allowed files), so
    // that a responder can act on the finding.
    struct Observed {
        std::string type; // mtree keyword: "file", "dir", "link", ...
        std::uint32_t mode = 0;
        std::string owner; // names from the root's accounts, else "#ID"
        std::string group;
        std::uint64_t size = 0;
        std::string sha256; // regular files that could be read; empty otherwise
        std::string link;   // symlink target
        // "setuid", "setgid", "capabilities" (security.capability), "acl", "xattrs".
        std::vector<std::string> flags;
    };
    std::optional<Observed> observed;
    // For a file that is pristine only because the package's own proven maintainer script
    // sets these attributes to exactly what is on disk: what each was expected to be, what it
    // is, and the command that set it ("postinst", line 23, "chmod 4755").
    struct Explanation {
        std::string attribute;
        std::string expected;
        std::string actual;
        std::string script;
        std::size_t line = 0;
        std::string command;
    };
    std::vector<Explanation> explained_by;
    // For a pristine regular file: the SHA-256 (hex) and size it was proven to have, for
    // allow-lists that name files by content (fapolicyd, sha256sum lists).
    std::string proven_sha256;
    std::uint64_t proven_size = 0;
    // For a pristine regular file: the inode proven and its times to the nanosecond, so that a
    // later reader (the backup plan) can tell the file is still the one proven (a change, even
    // of the same size, moves the ctime, which no program can set back).
    struct Identity {
        std::uint64_t device = 0;
        std::uint64_t inode = 0;
        std::int64_t mtime_sec = 0;
        std::int64_t mtime_nsec = 0;
        std::int64_t ctime_sec = 0;
        std::int64_t ctime_nsec = 0;
        friend bool operator==(const Identity&, const Identity&) = default;
    };
    std::optional<Identity> proven_identity;
    // For a pristine file or directory: the mode (type and permission bits) it was proven to
    // have.
    std::optional<std::uint32_t> proven_mode;
    // Whether it carries extended attributes that verification does not compare (user.*,
    // trusted.*, --ignore-xattr ones): no package gives those back.
    bool other_xattrs = false;

    bool has_failed(std::string_view name) const;
};

// The identity of what stat(2) describes (Finding::Identity).
PKGDESC_EXPORT Finding::Identity identity_of(const struct stat& st);

// Totals of a verification, for summaries and exit codes.
struct PKGDESC_EXPORT Summary {
    // Files checked against reference data (and unowned, allowed ones), by status.
    std::array<std::size_t, k_file_statuses.size()> counts{};
    // Files of unreferenced packages checked against the system's own md5sums, by status.
    std::array<std::size_t, k_file_statuses.size()> md5sums_counts{};
    std::size_t modified_conffiles = 0;
    std::size_t diverted = 0;
    std::size_t statoverridden = 0;
    // Pristine files whose metadata the packages' own maintainer scripts explain.
    std::size_t explained = 0;
    // Diversions that change what runs at a path without an installed package's word for it:
    // local ones (`by` empty), those whose diverting package `by` is not installed, and those
    // whose diverting package's reference data does not ship `from` (nothing then checks what
    // sits there). `reason` says which: "local", "by X, which is not installed", ...
    struct UnvouchedDiversion {
        std::string from;
        std::string to;
        std::string by;
        std::string reason;
    };
    std::vector<UnvouchedDiversion> local_diversions;
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
    std::size_t md5sums_count(FileStatus status) const {
        return md5sums_counts[static_cast<std::size_t>(status)];
    }
    // Files checked, without those checked against md5sums only.
    std::size_t total() const;
    std::size_t md5sums_total() const;
    // Whether no file checked deviates and every selected package had reference data.
    bool clean() const;
};

} // namespace pkgdesc
