// Where reference data comes from: the sources a user names (unsigned stanza files they vouch
// for, signed pkgdesc repositories, or else the apt chain), loaded into one ReferenceSet for the
// versions a run checks. Every tool that needs reference data goes through here.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT ReferenceSources {
    // Files of stanzas or directories of *.pkgdesc files; unsigned, so used only when
    // `trust_unsigned` says the user vouches for them.
    std::vector<std::string> pkgdesc;
    bool trust_unsigned = false;
    // Signed pkgdesc repositories (directories or file: URIs), their suites (empty: all) and the
    // keyrings their signatures must be made with.
    std::vector<std::string> repos;
    std::vector<std::string> suites;
    std::vector<std::string> keyrings;
    // The apt chain, used when neither `pkgdesc` nor `repos` is given.
    std::vector<std::string> debs_dirs;
    bool fetch = false;
    std::vector<std::string> apt_options;
    // Default: default_state_dir(), default_cache_dir().
    std::optional<std::string> state_dir;
    std::optional<std::string> cache_dir;
    unsigned jobs = 1;
    // Also every other version of the checked packages that a signed repository or a --pkgdesc
    // file offers (what a replaced version shipped, for the AIDE filter); the apt chain proves
    // installed versions only.
    bool other_versions = false;

    bool apt_chain() const { return pkgdesc.empty() && repos.empty(); }
};

// What loading said, for the CLI to print: warnings always, notes unless quiet, details when
// verbose.
struct PKGDESC_EXPORT ReferenceLog {
    std::function<void(const std::string&)> warning;
    std::function<void(const std::string&)> note;
    std::function<void(const std::string&)> detail;
    // The apt chain generating stanzas: packages done of total, bytes of their .debs.
    std::function<void(std::size_t, std::size_t, std::uint64_t)> generating;
};

// The sources, one line each, for a record of what a run relied on: "pkgdesc file or directory
// PATH (unsigned, vouched for)", "repository REPO, keyrings K1, K2", "apt chain (apt's
// configuration; .debs from DIR...)". What their signatures were made by is in the log.
PKGDESC_EXPORT std::vector<std::string> describe_sources(const ReferenceSources& sources);

// pkgdesc's state directory (release history, captured stanzas) and the store of the stanzas
// the apt hook captured (STATE/captured), for these sources.
PKGDESC_EXPORT std::string state_dir(const ReferenceSources& sources);
PKGDESC_EXPORT std::string captured_dir(const ReferenceSources& sources);

// Throws TrustError when the sources hold unsigned data the user did not vouch for: checked
// before anything else is read.
PKGDESC_EXPORT void check_vouched(const ReferenceSources& sources);

// Loads the reference data for the versions a run checks (`installed`: selected_versions()):
// only their stanzas are parsed, whatever else the sources hold. Throws TrustError for unsigned data the user
// did not vouch for and for a repository that cannot be proven, Error for inputs that cannot be
// read. Releases seen are remembered in the state directory only once everything was proven.
PKGDESC_EXPORT ReferenceSet load_references(
    const ReferenceSources& sources, const std::function<std::vector<PackageVersion>()>& installed,
    const ReferenceLog& log, std::time_t now);

} // namespace pkgdesc
