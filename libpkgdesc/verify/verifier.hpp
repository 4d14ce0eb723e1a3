// The verification engine: compares the files dpkg installed under a root with the reference
// data, and optionally finds files no package owns.
#pragma once

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/control_check.hpp>
#include <libpkgdesc/verify/finding.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pkgdesc {

class Observer;

// The directories --unowned scans and the paths it expects to find unowned, by default.
PKGDESC_EXPORT const std::vector<std::string>& default_unowned_dirs();
PKGDESC_EXPORT const std::vector<std::string>& default_unowned_allow();
// The paths whose mode, owner, group and mtime programs change at run time, by default.
PKGDESC_EXPORT const std::vector<std::string>& default_expect_changed();

class VerdictCache;

struct PKGDESC_EXPORT VerifyOptions {
    // The system to check: its dpkg database and files are under this directory.
    std::string root = "/";
    // The dpkg database directory on the verifying host; default ROOT/var/lib/dpkg.
    std::optional<std::string> admindir;
    // "name" or "name:arch"; empty for every installed package.
    std::vector<std::string> packages;
    // Hashing threads; 0 for one per CPU.
    unsigned jobs = 0;
    bool unowned = false;
    std::vector<std::string> unowned_dirs = default_unowned_dirs();
    // path_glob_match() patterns ('*' stays inside a component, "**" spans directories) of
    // paths that may be unowned: reported as allowed, with what is on disk. Directories are
    // walked all the same ("/opt/vendor/**" allows a tree).
    std::vector<std::string> unowned_allow = default_unowned_allow();
    // path_glob_match() patterns of paths whose mode, owner, group and mtime are not compared (like
    // rpm's %verify(not mode user group mtime)); their content still is.
    std::vector<std::string> expect_changed = default_expect_changed();
    // Extended attributes not to report (e.g. "security.selinux" on SELinux systems).
    std::vector<std::string> ignore_xattrs;
    // Only these real paths (absolute, normalized) are reported: each as its package's file is
    // checked, or, owned by no installed package, as unowned (reason "owned by no installed
    // package"), with what is there. Control members of the dpkg database count as package
    // files. Replaces the scan of unowned_dirs. Empty optional: every package file.
    std::optional<std::vector<std::string>> only_paths;
    // Where observations come from instead of the files under root (see Observer); nullptr for
    // the files. The dpkg database, accounts and control members are still read under root.
    const Observer* observer = nullptr;
    // A system collected elsewhere (see collect/collected.hpp): ROOT holds a copy of the files
    // read for their content, named `root_shown` in messages; ADMINDIR/info is the one recorded
    // here; the observer gives everything else.
    std::shared_ptr<const RecordedInfo> recorded_info;
    std::optional<std::string> root_shown;
    // --incremental: the verdicts of the last run, and where this run's are recorded (see
    // VerdictCache and CheckContext); nullptr: every file is read.
    const VerdictCache* verdicts_known = nullptr;
    VerdictCache* verdicts_proven = nullptr;
};

// Receives findings in a deterministic order (by path), on the calling thread.
class PKGDESC_EXPORT FindingSink {
public:
    virtual ~FindingSink() = default;
    virtual void finding(const Finding& finding) = 0;
    // Called from time to time while checking: files done and files to check in all.
    virtual void progress(std::size_t /*done*/, std::size_t /*total*/) {}
};

// Whether a run scans for unowned files when it is not told (--unowned, --no-unowned): when it
// checks another system than the running one (a mounted image after an incident, where planted
// files are the point), yes; on the running system's own root, no, for there the scan is slow
// and opt-in. Another system is any ROOT that is not the directory "/" itself (same device and
// inode); a ROOT that cannot be examined counts as another system (the run then fails on it).
PKGDESC_EXPORT bool scans_unowned_by_default(const std::string& root);

// The installed package versions a verification with these options checks, in database order
// (for loading just their reference data). Throws as Verifier::run does.
PKGDESC_EXPORT std::vector<PackageVersion> selected_versions(const VerifyOptions& options);

// The dpkg database of the system these options check (ROOT/var/lib/dpkg, or ADMINDIR), to
// choose the versions whose reference data is loaded and then to verify with the same reading:
// read twice, a database changed in between would make the two disagree (and costs a second
// parse). Throws as Verifier::run does.
PKGDESC_EXPORT DpkgDatabase load_checked_database(const VerifyOptions& options);
PKGDESC_EXPORT std::vector<PackageVersion> selected_versions(const DpkgDatabase& db,
                                                             const VerifyOptions& options);

class PKGDESC_EXPORT Verifier {
public:
    // `database`: the one load_checked_database read for these options, if any (read by run
    // otherwise).
    Verifier(VerifyOptions options, const ReferenceSet& references,
             std::optional<DpkgDatabase> database = std::nullopt);

    // Runs the verification. Throws Error (IoError, ...) for an environment that cannot be
    // verified at all: no root, an unreadable dpkg database, an unknown package name.
    Summary run(FindingSink& sink);

private:
    VerifyOptions m_options;
    const ReferenceSet& m_references;
    std::optional<DpkgDatabase> m_database;
};

} // namespace pkgdesc
