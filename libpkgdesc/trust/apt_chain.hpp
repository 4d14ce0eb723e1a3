// Reference data from the chain Debian already signs: InRelease -> Packages (the SHA256 of each
// .deb) -> the .deb -> its content. Sources, keyrings, lists and the archives cache come from the
// verifying host's apt configuration (read through libapt-pkg), never from the checked system;
// every InRelease is verified here, with GPGME, not taken on apt's word.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/trust/release.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT AptChainOptions {
    // apt configuration items on top of the host's, as apt's -o: "Dir::State::lists=/x".
    std::vector<std::string> apt_options;
    // Further directories holding .deb files (after apt's archives cache).
    std::vector<std::string> debs_dirs;
    // Download the .debs found nowhere, through libapt-pkg's acquire system, into CACHE/debs.
    bool fetch = false;
    // pkgdesc's cache: CACHE/stanzas/SHA256.pkgdesc (generated stanzas) and CACHE/debs.
    std::string cache_dir;
    // The stanzas the apt hook captured (CapturedStore), for versions no signed index lists
    // anymore or whose .deb is gone; empty: none.
    std::string captured_dir;
    unsigned jobs = 1;
    std::time_t now = 0;
    // Told as stanzas are generated from .debs (a cold run reads every .deb): how many of how
    // many packages, and the bytes of their .debs; first with 0 done, last with all. Called
    // from one thread at a time.
    std::function<void(std::size_t done, std::size_t total, std::uint64_t bytes)> progress;
};

struct PKGDESC_EXPORT AptChainResult {
    std::size_t sources = 0;          // InRelease files considered
    std::size_t sources_verified = 0; // ... whose signature and hashes were proven
    std::size_t indexes = 0;          // Packages indexes read
    std::size_t found = 0;            // installed versions found in a signed index
    std::size_t from_cache = 0;       // stanzas read from the cache
    std::size_t generated = 0;        // stanzas generated from a .deb
    std::size_t fetched = 0;          // .debs downloaded
    std::size_t captured = 0;         // stanzas the apt hook captured
    // Sources that could not be proven, and cache problems: "what: reason".
    std::vector<std::string> warnings;
    // The sources proven: "URI SUITE: signed by FINGERPRINT".
    std::vector<std::string> signed_sources;
};

// Adds to `references` a stanza for each of `wanted` that a signed index vouches for, and records
// for the others why not. A source whose InRelease or Packages index cannot be proven contributes
// nothing (a warning says why). Throws Error when apt's configuration cannot be read.
PKGDESC_EXPORT AptChainResult load_apt_chain(const AptChainOptions& options,
                                             const std::vector<PackageVersion>& wanted,
                                             ReleaseHistory& history, ReferenceSet& references);

// What proving one .deb found: the version a signed index lists it as (its stanza then in the
// ReferenceSet, unless `reason` says why it could not be described), or why not.
struct PKGDESC_EXPORT ProvenDeb {
    std::string path;
    std::string sha256; // hex, of the file read
    std::optional<PackageVersion> version;
    std::string reason; // empty when its stanza is in the ReferenceSet
};

// Proves the .debs at `debs` (the ones apt is about to install) through the signed chain: a .deb
// counts only when a proven Packages index lists its very SHA-256; its stanza (from the cache
// or generated from these bytes) is added to `references`. Nothing is downloaded and nothing is
// taken from `captured_dir`. Throws Error when apt's configuration cannot be read.
PKGDESC_EXPORT std::vector<ProvenDeb> prove_debs(const AptChainOptions& options,
                                                 const std::vector<std::string>& debs,
                                                 ReleaseHistory& history, ReferenceSet& references,
                                                 AptChainResult* result = nullptr);

// apt's archives cache (Dir::Cache::archives), with the verifying host's apt configuration and
// `apt_options` on top. Throws Error when apt's configuration cannot be read.
PKGDESC_EXPORT std::string apt_archives_dir(const std::vector<std::string>& apt_options);

// A .deb to download: from `uri`, checked against `sha256` (hex) and `size` (0: not known),
// into `file`.
struct PKGDESC_EXPORT DebDownload {
    std::string uri;
    std::string sha256;
    std::uint64_t size = 0;
    std::string file;
};

// Downloads through libapt-pkg's acquire system, with the verifying host's apt configuration
// and `apt_options` on top; apt refuses what does not match its SHA-256. Returns, for each
// download, empty when it is in place, else why not ("download of URI failed: REASON"). Throws
// Error when apt's configuration cannot be read.
PKGDESC_EXPORT std::vector<std::string> download_debs(const std::vector<DebDownload>& downloads,
                                                      const std::vector<std::string>& apt_options);

} // namespace pkgdesc
