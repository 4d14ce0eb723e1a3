// The checked system's own md5sums (ADMINDIR/info/PACKAGE.md5sums), read for packages without
// reference data: what dpkg --verify and debsums compare with. Written by the very system that
// is checked, they prove nothing against an intruder; they still find what those tools find.
#pragma once

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/export.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/control_check.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pkgdesc {

// Files larger than this are not read to compare them with an MD5: without reference data
// there is no size to rule a planted sparse giant out, and reading one must stay bounded.
inline constexpr std::uint64_t k_max_md5sums_file_size = std::uint64_t{16} << 30;

struct PKGDESC_EXPORT Md5sums {
    // Absolute paths as the package names them ("/usr/bin/node"), with their digests, in file
    // order.
    std::vector<std::pair<std::string, Md5Digest>> files;
    // Where the list was read from, as findings name it ("/var/lib/dpkg/info/nodejs.md5sums").
    std::string shown;
    // Why the list (or part of it) could not be used, naming the line: "line 3: ...". Lines
    // before a malformed one are kept.
    std::string error;
};

// Reads the package's md5sums kept in `info`, as dpkg-deb writes it ("HEX  PATH", PATH relative
// to the root, "./" allowed, to the end of the line) and as dpkg --verify reads it. A package
// without one has no files listed and no error. At most k_max_control_member_size bytes are
// read; a larger or unreadable list is an error.
PKGDESC_EXPORT Md5sums read_md5sums(const InfoDir& info, const InstalledPackage& package);

} // namespace pkgdesc
