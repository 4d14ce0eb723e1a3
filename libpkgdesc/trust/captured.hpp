// Stanzas captured at install time: the apt hook proves each .deb apt is about to install
// through the signed chain (InRelease -> Packages -> .deb), while apt's lists and cache still
// hold them, and keeps the stanza with where it was proven. Later runs use such a stanza for a
// version that no signed index lists anymore, or whose .deb is gone: the store is trusted as the
// verifying host's own root-only state (docs/trust-model.md), never read from a checked root.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT CapturedStanza {
    Pkgdesc desc;
    Provenance provenance; // origin: the stanza file; the .deb's signed SHA-256 and location
    std::int64_t captured = 0; // when, in seconds since the epoch
};

// DIR/NAME_VERSION_ARCH.pkgdesc (the stanza) and DIR/NAME_VERSION_ARCH.proof (Package, Version,
// Architecture, SHA256 of the .deb, URI, Captured), both written atomically.
class PKGDESC_EXPORT CapturedStore {
public:
    explicit CapturedStore(std::string dir) : m_dir(std::move(dir)) {}

    // Keeps a stanza proven through the .deb `provenance` names. Throws IoError.
    void keep(const Pkgdesc& desc, const Provenance& provenance, std::int64_t now) const;

    // The stanza captured for this version, or nullopt when there is none. A stanza whose proof
    // is missing, unreadable or names another package, version, architecture or .deb is not
    // used: `problem` (when given) then says which file and why.
    std::optional<CapturedStanza> find(const PackageVersion& version,
                                       std::string* problem = nullptr) const;

    // Removes what was captured for versions not in `keep` (no longer installed). Returns the
    // number of versions removed; files it cannot remove are left.
    std::size_t prune(const std::vector<PackageVersion>& keep) const;

    const std::string& dir() const { return m_dir; }

private:
    std::string base(const PackageVersion& version) const;
    std::string m_dir;
};

} // namespace pkgdesc
