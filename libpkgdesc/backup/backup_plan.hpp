// A backup plan: what to back up of a system so that nothing is lost that packages cannot give
// back, in the forms tar, rsync, borg and restic read fast, and the restore manifest naming the
// pristine files left out (see docs/backup.md). A consumer of the verifier's findings: only a
// file proven pristine, exactly as its package ships it, is ever left out.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/finding.hpp>
#include <libpkgdesc/verify/reference_set.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pkgdesc {

// The files of a plan, in DIR: these names are an interface (docs/backup.md).
inline constexpr const char* k_plan_tar = "tar.files";
inline constexpr const char* k_plan_rsync = "rsync.files";
inline constexpr const char* k_plan_borg = "borg.patterns";
inline constexpr const char* k_plan_restic = "restic.files";
inline constexpr const char* k_plan_manifest = "manifest";

struct PKGDESC_EXPORT BackupPlanOptions {
    // Where the plan's files go (created if missing).
    std::string out_dir;
    // The trees to back up, absolute paths inside the root; the dpkg database and the accounts
    // files (ROOT/var/lib/dpkg, /etc/passwd, /etc/group), which a restore needs, are always
    // added.
    std::vector<std::string> trees{"/"};
};

struct PKGDESC_EXPORT BackupPlanResult {
    std::size_t backed_up = 0; // paths in tar.files
    std::uint64_t backed_up_bytes = 0;
    std::size_t left_out = 0; // pristine files left out, named in the manifest
    std::uint64_t left_out_bytes = 0;
    std::size_t packages = 0; // packages with files left out
    // Left-out files whose names borg's pattern syntax cannot hold exactly (a newline, a
    // carriage return, white space at the end, bytes that are not UTF-8): borg backs them up.
    std::size_t borg_backed_up = 0;
    // Left-out files that restic.files names all the same, so that restic records a directory
    // holding nothing else (restic keeps the metadata of the directories above what it is given).
    std::size_t restic_backed_up = 0;
    // Mount points of virtual file systems (proc, sysfs, tmpfs, ...): neither they nor what is
    // under them is backed up; the manifest records their mode, owner and group.
    std::vector<std::string> virtual_mounts;
    // Directories that could not be read completely ("PATH: reason"): what they hold is not in
    // tar.files, rsync.files and restic.files (borg walks them itself).
    std::vector<std::string> unreadable;
    // SHA-256 (hex) of the manifest as written.
    std::string manifest_sha256;
    Summary verification;
};

// Verifies the system (every installed package, or `verify.packages`), walks the trees without
// following a symlink, and writes the plan's files, each atomically. Throws Error as Verifier::run
// does, and IoError when a file cannot be written.
PKGDESC_EXPORT BackupPlanResult write_backup_plan(const BackupPlanOptions& options,
                                                  const VerifyOptions& verify,
                                                  const ReferenceSet& references);

// Whether a finding is a file the plan may leave out: a pristine regular file, proven with its
// SHA-256, exactly as its package ships it (no conffile, control member, diversion,
// statoverride, maintainer-script explanation or metadata left uncompared, no extended attribute
// that verification does not compare, such as user.* or trusted.*).
PKGDESC_EXPORT bool restorable_from_package(const Finding& finding);

} // namespace pkgdesc
