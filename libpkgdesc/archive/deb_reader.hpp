// Reads a binary package (.deb) as a stream, never extracting it: the ar container, then
// control.tar and data.tar in any compression dpkg accepts. Every regular file is hashed while
// it is read, so memory does not depend on the package size. Hostile archives are refused with
// an ArchiveError naming the file and the reason.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT DebReaderOptions {
    // Threads of the xz decoder (liblzma's multi-threaded decoder, as dpkg uses it).
    unsigned xz_threads = 1;
    // Also hash the whole file, in the same single read (DebContents::file_sha256): what a
    // Packages index signs. The bytes hashed are exactly the bytes described.
    bool hash_file = false;
    // The data of the regular data.tar members that `wants_data(path)` accepts, handed to
    // `data(path, chunk)` as it is read (and hashed): for putting files back from a package.
    std::function<bool(const std::string& path)> wants_data;
    std::function<void(const std::string& path, std::string_view chunk)> data;
};

// Everything a .deb says about itself, as read from the archive.
struct PKGDESC_EXPORT DebContents {
    std::string control_text;                    // the "control" member
    std::optional<std::string> embedded_pkgdesc; // the "pkgdesc" member, if any
    std::vector<ControlMember> control;          // every regular control member but pkgdesc
    std::vector<Entry> entries;                  // data.tar members in archive order
    std::string control_compression;             // "", "gz", "xz", "zst", "bz2", "lzma"
    std::string data_compression;
    std::string file_sha256; // hex, with DebReaderOptions::hash_file
};

// The largest path, link target or control member name accepted (PATH_MAX).
inline constexpr std::size_t k_max_name_length = 4095;
// The largest "control" and "pkgdesc" members kept in memory.
inline constexpr std::size_t k_max_control_size = 1 << 20;
inline constexpr std::size_t k_max_pkgdesc_size = 256u << 20;

class PKGDESC_EXPORT DebReader {
public:
    explicit DebReader(DebReaderOptions options = {}) : m_options(options) {}

    // Reads the whole package at `path`. Throws ArchiveError or IoError.
    DebContents read(const std::string& path) const;

private:
    DebReaderOptions m_options;
};

} // namespace pkgdesc
