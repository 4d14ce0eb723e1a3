// The pkgdesc v1 model: one binary package, its control members and every data-archive member.
// See docs/pkgdesc-format.md and pkgdesc(5).
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc {

// The format version this library writes; readers refuse other major versions.
inline constexpr std::string_view k_format_version = "1";

enum class EntryType { directory, file, symlink, hardlink, char_device, block_device, fifo };

// The mtree(5) keyword of a type ("dir", "file", "link", "hardlink", "char", "block", "fifo").
PKGDESC_EXPORT std::string_view type_keyword(EntryType type);
PKGDESC_EXPORT std::optional<EntryType> type_from_keyword(std::string_view keyword);

struct PKGDESC_EXPORT Timestamp {
    std::int64_t seconds = 0;
    std::uint32_t nanoseconds = 0;
    friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// One member of the data archive. Strings hold raw bytes; escaping happens on output.
struct PKGDESC_EXPORT Entry {
    std::string path; // absolute, normalized
    EntryType type = EntryType::file;
    std::uint32_t mode = 0; // permission bits with setuid, setgid and sticky (07777)
    std::string uname;      // empty when the archive has no name
    std::string gname;
    std::optional<std::uint64_t> uid; // set when there is no name (or both were given)
    std::optional<std::uint64_t> gid;
    std::uint64_t size = 0;      // regular files only
    std::string link;            // symlink target as stored, or hard-link target path
    std::uint32_t dev_major = 0; // devices only
    std::uint32_t dev_minor = 0;
    Timestamp mtime;
    std::optional<Sha256Digest> sha256; // regular files only
    // Keywords this version does not know, kept so that a verifier can refuse to call the
    // entry pristine (docs/pkgdesc-format.md, "Extensions").
    std::vector<std::pair<std::string, std::string>> unknown;

    friend bool operator==(const Entry&, const Entry&) = default;
};

struct PKGDESC_EXPORT ControlMember {
    std::string name; // "control", "md5sums", "postinst", ...
    Sha256Digest sha256{};
    friend bool operator==(const ControlMember&, const ControlMember&) = default;
};

struct PKGDESC_EXPORT Pkgdesc {
    std::string package;
    std::string architecture;
    std::string version;
    std::string description; // first line of the package's Description; may be empty
    std::vector<ControlMember> control;
    std::vector<Entry> entries;

    // Sorts control members and entries by name/path in byte order (the canonical order).
    void sort();
    // Looks up an entry by path; entries must be sorted.
    const Entry* find(std::string_view path) const;

    friend bool operator==(const Pkgdesc&, const Pkgdesc&) = default;
};

// Rewrites hard-link groups canonically: in each group the path first in byte order holds the
// content (and type), every other member is a hardlink to it. The result no longer depends on
// the order in which an archiver met the names.
PKGDESC_EXPORT void canonicalize_hardlinks(std::vector<Entry>& entries);

// Checks Package, Version and Architecture values as dpkg does (Debian Policy 5.6.1, 5.6.8,
// 5.6.12): returns the reason a value is refused, or an empty string. They end up in file names
// (pkgdesc-gen -o), so nothing else is accepted.
PKGDESC_EXPORT std::string check_package_name(std::string_view name);
PKGDESC_EXPORT std::string check_version(std::string_view version);
PKGDESC_EXPORT std::string check_architecture(std::string_view arch);

// "<package>_<version>_<arch>.pkgdesc", the version's ':' written "%3a" as in apt's cache.
PKGDESC_EXPORT std::string output_file_name(const Pkgdesc& desc);

} // namespace pkgdesc
