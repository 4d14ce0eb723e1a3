// Repairing a system after an incident: every deviating regular file, directory and symbolic
// link of the installed packages put back as its reference describes it (a regular file from the
// package's .deb, through the same proof and writes as a restore: restore.hpp).
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/restore/restore.hpp>
#include <libpkgdesc/restore/restore_manifest.hpp>
#include <libpkgdesc/verify/reference_set.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT RepairOptions {
    // Conffiles are the admin's: repaired only when asked.
    bool conffiles = false;
};

// A directory or a symbolic link of a package, as its reference describes it.
struct PKGDESC_EXPORT RepairNode {
    enum class Kind { directory, symlink };
    enum class Action {
        create,   // nothing is there
        replace,  // something of another type is there (never a directory): replaced whole
        metadata, // a directory whose mode, owner, group or extended attributes differ
    };
    Kind kind = Kind::directory;
    Action action = Action::create;
    std::string path;       // where it is (its real path)
    std::string package;    // dpkg's name
    std::string target;     // a symlink's
    std::uint32_t mode = 0; // a directory's permission bits
    std::string owner;      // a name, or "#UID"
    std::string group;
    std::int64_t mtime = 0; // a symlink's
    // A directory's extended attributes that its reference lacks (an ACL, say): removed.
    std::vector<std::string> xattrs;
};

struct PKGDESC_EXPORT RepairPlan {
    // The regular files to write, as a restore manifest would name them (the root is
    // `verify.root`).
    RestoreManifest manifest;
    // The directories and symbolic links to put back, in path order.
    std::vector<RepairNode> nodes;
    // Deviating files left as they are, with why ("PATH: reason").
    std::vector<std::string> left;
    Summary verification;
};

// Verifies the system (`verify`, the packages it selects) and plans the repair of each
// modified, missing or metadata-deviating regular file, directory and symbolic link that has a
// reference entry: with the content, mode, owner, group and mtime of its reference (a file's
// hard links with it), or the owner, group and mode its statoverride sets, less any setuid or
// setgid bit that neither the reference nor the owner and group give (as the verifier expects
// them). Conffiles only with `options.conffiles`. Left, and named in `left`: diverted files,
// devices, FIFOs, control members, files of packages without reference data, anything whose
// place is a directory now (its content is not removed), and anything reached through a
// symbolic link that the repair does not replace.
PKGDESC_EXPORT RepairPlan plan_repair(const VerifyOptions& verify, const ReferenceSet& references,
                                      const RepairOptions& options);

struct PKGDESC_EXPORT RepairResult {
    RestoreResult files;         // the regular files (restore_from_manifest)
    std::size_t directories = 0; // made, replaced or given their metadata
    std::size_t symlinks = 0;    // made or replaced
};

// Carries out a plan in `options.root` (without `options.apply`, only its proof and steps):
// first the proof of every file (restore_from_manifest), every node's place (reached without a
// symlink but the ones it replaces) and account; then the directories, parents first, each
// made under a temporary name with its metadata and exchanged atomically with what is there
// (renameat2 RENAME_EXCHANGE), or given its metadata through a descriptor; then the files; then
// the symbolic links, each made under a temporary name and renamed into place. Throws as
// restore_from_manifest does, before anything is written.
PKGDESC_EXPORT RepairResult apply_repair(const RepairPlan& plan, const RestoreOptions& options,
                                         const std::function<void(const std::string&)>& step);

} // namespace pkgdesc
