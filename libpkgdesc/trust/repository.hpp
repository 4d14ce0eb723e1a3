// Signed pkgdesc repositories, laid out like apt's archives:
//   DIR/dists/SUITE/COMPONENT/binary-ARCH/Pkgdesc.xz   the stanzas, sorted
//   DIR/dists/SUITE/Release                            SHA256 and size of every index
//   DIR/dists/SUITE/InRelease, Release.gpg             Release, clear-signed and detached
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>
#include <libpkgdesc/trust/openpgp.hpp>
#include <libpkgdesc/trust/release.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT PublishOptions {
    std::string dir;
    std::string suite;
    std::string component;
    // The secret key that signs (empty: GnuPG's default key), from the user's GnuPG home.
    std::string sign_key;
    // A key that signed the suite before (key rotation): its signature on the published
    // InRelease is accepted too.
    std::string previous_key;
    std::time_t date = 0;
    // Valid-Until; none when unset.
    std::optional<std::time_t> valid_until;
    std::string origin;
    std::string label;
    unsigned threads = 1;
    // The publisher's own record of the newest Release it signed per suite (empty: none), so
    // that a suite rolled back behind its back is not signed again.
    std::string history;
};

struct PKGDESC_EXPORT PublishResult {
    std::size_t added = 0;     // new stanzas
    std::size_t unchanged = 0; // stanzas already in the repository
    std::size_t total = 0;     // stanzas in the updated indexes
};

// Adds stanzas to the repository (created if needed), keeping every version already there, and
// re-signs the suite. A stanza that differs from the one published for the same package, version
// and architecture is refused (a published version never changes). Throws Error.
PKGDESC_EXPORT PublishResult publish(const PublishOptions& options, std::vector<Pkgdesc> stanzas);

// The suite directories of a repository given as a directory or a file: URI.
PKGDESC_EXPORT std::string repository_path(const std::string& location);

struct PKGDESC_EXPORT RepositoryLoad {
    std::string suite;
    std::string signer;
    std::size_t stanzas_parsed = 0;
    std::size_t indexes = 0;
};

// Loads the wanted stanzas of one suite of a repository into `references`, after proving them:
// the InRelease signature by one of the verifier's keys, Valid-Until, no rollback against
// `history`, and the SHA256 and size of every index read. Throws TrustError on any failure, before
// anything is added.
PKGDESC_EXPORT RepositoryLoad load_repository_suite(const std::string& location,
                                                    const std::string& suite,
                                                    const SignatureVerifier& verifier,
                                                    ReleaseHistory& history, std::time_t now,
                                                    const ReferenceSet::Filter& wanted,
                                                    unsigned jobs, ReferenceSet& references);

// The suites of a repository (the directories under DIR/dists). Throws TrustError when none.
PKGDESC_EXPORT std::vector<std::string> repository_suites(const std::string& location);

} // namespace pkgdesc
