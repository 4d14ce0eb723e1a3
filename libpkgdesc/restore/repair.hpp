// Repairing a system after an incident: every deviating regular file of the installed packages
// put back as its reference describes it, from the package's .deb, through the same proof and
// writes as a restore (restore.hpp).
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/restore/restore_manifest.hpp>
#include <libpkgdesc/verify/reference_set.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT RepairOptions {
    // Conffiles are the admin's: repaired only when asked.
    bool conffiles = false;
};

struct PKGDESC_EXPORT RepairPlan {
    // What to write, as a restore manifest would name it (the root is `verify.root`).
    RestoreManifest manifest;
    // Deviating files left as they are, with why ("PATH: reason").
    std::vector<std::string> left;
    Summary verification;
};

// Verifies the system (`verify`, the packages it selects) and plans the repair of each
// modified, missing or metadata-deviating regular file that has a reference entry: with the
// content, mode, owner, group and mtime of its reference, its package's hard links with it.
// Conffiles only with `options.conffiles`; statoverridden and diverted files, symlinks,
// directories, devices and control members are left (named in `left`).
PKGDESC_EXPORT RepairPlan plan_repair(const VerifyOptions& verify, const ReferenceSet& references,
                                      const RepairOptions& options);

} // namespace pkgdesc
