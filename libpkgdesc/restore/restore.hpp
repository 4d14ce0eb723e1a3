// Putting pristine package files back: the files a backup left out, as its restore manifest names
// them, written from .debs whose content the manifest proves, with the content, mode, owner,
// group and mtime the manifest gives. Never through a symlink, never outside the root, each file
// atomically (a temporary file in its directory, then a rename).
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>
#include <libpkgdesc/restore/restore_manifest.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT RestoreOptions {
    // The system to restore into (a restored backup, or an empty directory).
    std::string root;
    // Where .debs are looked for, in this order: NAME_VERSION_ARCH.deb with the version's epoch
    // left out or written "%3a" (pkgdesc's and apt's names).
    std::vector<std::string> debs_dirs;
    // Without it, only the proof and the plan: nothing is written.
    bool apply = false;
    // A dry run reads each .deb whole to find the member of every file; without it, a dry run
    // proves the .debs by their SHA-256 only (what a restore that writes does first, checking
    // every member as it writes it).
    bool check_members = true;
    // Directories that a repair makes anew before the files are written (in its plan, without
    // `apply`): what is there now is not on the way.
    std::set<std::string> remade;
};

struct PKGDESC_EXPORT RestoreResult {
    std::size_t packages = 0;
    std::size_t files = 0;       // written (or to be written), hard links included
    std::size_t links = 0;       // of them, hard links made to a file written
    std::size_t directories = 0; // made because they were missing
    std::uint64_t bytes = 0;
    // Whether the root had a dpkg database (a restored backup's) to check the manifest's
    // packages and versions against.
    bool database_checked = false;
};

// The default places of .debs: apt's archives cache (as apt's configuration and `apt_options`
// set it) and pkgdesc's (`cache_dir`/debs).
PKGDESC_EXPORT std::vector<std::string>
default_debs_dirs(const std::string& cache_dir, const std::vector<std::string>& apt_options);

struct PKGDESC_EXPORT FetchResult {
    std::size_t fetched = 0;
    // Packages that got no .deb: "NAME VERSION (ARCH): why".
    std::vector<std::string> problems;
};

// Downloads the .deb of each package of `manifest` that none of `debs_dirs` holds: from the
// manifest's Deb URI (the signed index's word, when the plan was made), checked against its
// Deb-SHA256 by apt, into `into` under pkgdesc's name for it (through libapt-pkg's acquire
// system, with `apt_options`). A package without a Deb URI or Deb-SHA256 gets none. The
// restore proves every .deb again, whatever this did.
PKGDESC_EXPORT FetchResult fetch_manifest_debs(const RestoreManifest& manifest,
                                               const std::vector<std::string>& debs_dirs,
                                               const std::string& into,
                                               const std::vector<std::string>& apt_options);

// The names a .deb of this version has in a directory: NAME_VERSION_ARCH.deb with the epoch
// left out (pkgdesc's cache, dpkg-deb --build) and, for a version with an epoch, with it
// written "%3a" (apt's archives cache).
PKGDESC_EXPORT std::vector<std::string> deb_file_names(const std::string& name,
                                                       const std::string& version,
                                                       const std::string& architecture);

// The installed package versions whose file lists name `path` (as dpkg lists it), on the system
// under `root`, in database order. Throws Error when no installed package lists it.
PKGDESC_EXPORT std::vector<PackageVersion> owners_of(const std::string& root,
                                                     const std::string& path);

struct PKGDESC_EXPORT ExtractedFile {
    std::string package; // dpkg's name
    std::string version;
    std::string deb; // the .deb it was read from
    Entry entry;     // its reference entry (a hard link: its target's)
};

// The pristine content of the regular file `path` of `owner`, as its reference describes it,
// from the first .deb in `debs_dirs` whose member holds exactly that content: handed to `sink`
// once proven (read into memory first; at most 1 GiB). Throws Error when the reference has no
// such regular file, TrustError when no .deb holds the content.
PKGDESC_EXPORT ExtractedFile extract_pristine(const PackageVersion& owner, const std::string& path,
                                              const ReferenceSet& references,
                                              const std::vector<std::string>& debs_dirs,
                                              const std::function<void(std::string_view)>& sink);

// Checks first, when the root has a dpkg database (a backup restored first), that it has each of
// the manifest's packages installed at the manifest's version (Error otherwise). Then proves
// every package: a .deb of its name, version and architecture whose SHA-256 is the
// manifest's Deb-SHA256 (and, in a dry run or for a package without one, that holds a member of
// each file's SHA-256 and size); and every file's place: reached from the root without a symlink,
// not a directory, its owner and group known to the root's own passwd and group. Throws
// TrustError (a package that no .deb proves) or Error (a place, an account) before anything is
// written. Then, with `apply`, reads each .deb once, writing every file under a temporary name in
// its directory, checked against the manifest's SHA-256 and size and given its metadata, while the
// SHA-256 and control file of the bytes read are checked again; only when every package is written
// so are the files renamed into place (on any failure the temporary files are removed and nothing
// is in place), then the hard links are made. Reports each step through `step`.
PKGDESC_EXPORT RestoreResult
restore_from_manifest(const RestoreManifest& manifest, const RestoreOptions& options,
                      const std::function<void(const std::string&)>& step);

} // namespace pkgdesc
