// apt's hooks: before dpkg runs, the .debs apt is about to install are proven through the signed
// chain while apt's lists and cache still have them, and their stanzas captured (CapturedStore)
// for the runs that come after the .deb left the cache and the version left the archive; after
// dpkg ran, the files of the packages just installed are checked against them. Neither step may
// make apt fail: every problem is reported, none is thrown, except a usage error of the caller.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/trust/reference_sources.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT AptHookOptions {
    // The apt chain: apt_options, state_dir (the store is STATE/captured), cache_dir, jobs.
    ReferenceSources sources;
    // The system apt installs into (root, admindir) for the check.
    VerifyOptions verify;
    std::int64_t now = 0;
};

// The .debs of apt's DPkg::Pre-Install-Pkgs input (protocol version 1: one .deb file name a
// line; lines that are not an absolute path ending in ".deb", such as "**CONFIGURE**", are not
// .debs). At most 1,000,000 lines are read.
PKGDESC_EXPORT std::vector<std::string> hook_debs(std::string_view input);

struct PKGDESC_EXPORT CaptureReport {
    std::size_t debs = 0;     // .debs apt named
    std::size_t captured = 0; // proven and kept
    // .debs not captured, and why: "PATH: reason".
    std::vector<std::string> not_captured;
    // Problems of the chain (a source that cannot be proven) and of the store.
    std::vector<std::string> warnings;
};

// Proves `debs` through the apt chain and keeps the stanzas of the proven ones in the store;
// notes them as just installed for check_just_installed(). Never throws but std::bad_alloc.
PKGDESC_EXPORT CaptureReport capture_debs(const AptHookOptions& options,
                                          const std::vector<std::string>& debs);

struct PKGDESC_EXPORT JustInstalledReport {
    std::size_t packages = 0; // just installed and checked
    std::size_t files = 0;    // their files checked
    std::size_t pristine = 0;
    // Files that are not pristine: "PATH (PACKAGE): STATUS[: details]".
    std::vector<std::string> deviations;
    // Just installed but without reference data: "PACKAGE VERSION: reason".
    std::vector<std::string> unreferenced;
    std::size_t pruned = 0; // versions no longer installed whose captured stanzas were removed
    std::vector<std::string> warnings;
};

// Checks the files of the packages capture_debs() noted that dpkg now has installed at the
// captured version, and forgets them; removes from the store what no installed version needs
// (only for the running system's database, or when `sources.state_dir` names the store).
// Versions noted but not (yet) installed stay noted for a day. Never throws but std::bad_alloc.
PKGDESC_EXPORT JustInstalledReport check_just_installed(const AptHookOptions& options);

} // namespace pkgdesc
