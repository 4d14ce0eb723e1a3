// Host intrusion detection systems fed by proven package files: path lists to verify, AIDE's
// report filtered down to what packages do not explain, and an AIDE baseline judged against the
// reference data. Consumers of the engine's findings; none reaches back into it.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/integrate/aide_db.hpp>
#include <libpkgdesc/integrate/aide_report.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/verify/reference_set.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace pkgdesc {

enum class PathListSeparator { newline, nul };

// Reads a list of absolute, normalized paths ("-": standard input), one a line or
// NUL-terminated; blank lines are skipped, duplicates dropped; sorted. Throws ParseError
// (FILE:LINE: reason) for a path that is not absolute and normalized, IoError for what cannot
// be read. At most 8,000,000 paths and 1 GiB.
PKGDESC_EXPORT std::vector<std::string> read_path_list(const std::string& file,
                                                       PathListSeparator separator);

// Why the filter left an AIDE entry out.
struct PKGDESC_EXPORT AideFilterCounts {
    std::size_t kept = 0;
    // Added or changed, and now a pristine file (or directory, symlink, control member) of an
    // installed package.
    std::size_t pristine = 0;
    // Removed, no installed package has it, nothing is there, and the reference of another
    // version of an installed package shipped it.
    std::size_t removed_by_package = 0;
    // A changed directory that is pristine and none of whose added or removed entries in the
    // report was kept.
    std::size_t directories = 0;
};

// Verifies exactly the paths the report names (with `options`' root, database and sources,
// and `references`), then writes the report in its own form with only the entries that pristine
// package files do not explain, followed by the counts of what was left out and why. An entry
// whose path the report cannot name exactly is always kept. Returns the counts; throws as
// Verifier::run does, and IoError when `out` fails.
PKGDESC_EXPORT AideFilterCounts filter_aide_report(const AideReport& report, VerifyOptions options,
                                                   const ReferenceSet& references,
                                                   std::ostream& out);

// Judges every entry of an AIDE database against the reference data of the installed versions,
// without reading any checked file: each recorded path is reported to `sink` as the engine
// reports it (pristine when type, mode, owner, group, size, SHA-256, link target and the
// recorded extended attributes match; unowned when no installed package has the path). The
// dpkg database, accounts and tmpfiles.d files are read from the root as usual; control members
// are compared on a live system only (reported unverifiable here).
PKGDESC_EXPORT Summary verify_aide_baseline(const AideDatabase& database, VerifyOptions options,
                                            const ReferenceSet& references, FindingSink& sink);

} // namespace pkgdesc
