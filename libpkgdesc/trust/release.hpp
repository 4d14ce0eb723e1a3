// Release files, as apt's archives write them: the signed list of an archive's indexes with their
// SHA-256 and size, its Date and Valid-Until. And the freshness checks that keep an attacker from
// freezing a verifier on old data or rolling it back to an older signed Release.
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT ReleaseEntry {
    std::string sha256; // lower-case hex
    std::uint64_t size = 0;
};

struct PKGDESC_EXPORT Release {
    std::string origin;
    std::string label;
    std::string suite;
    std::string codename;
    std::time_t date = 0;
    std::optional<std::time_t> valid_until;
    std::vector<std::string> architectures;
    std::vector<std::string> components;
    std::string description;
    // Index path relative to the Release file ("main/binary-amd64/Pkgdesc.xz") -> hash and size.
    std::map<std::string, ReleaseEntry> sha256;

    // The entry for `path`, or nullptr.
    const ReleaseEntry* find(const std::string& path) const;
};

// Parses the (verified) text of a Release. Throws TrustError("origin: reason") for a malformed
// Release: no Date, a date apt could not read, a bad SHA256 line, a path with "..".
PKGDESC_EXPORT Release parse_release(std::string_view text, const std::string& origin);
// Writes a Release as the archive tools do (Date and Valid-Until in RFC 1123 form, UTC).
PKGDESC_EXPORT std::string write_release(const Release& release);
// RFC 1123 date text as Release files carry it ("Mon, 23 Nov 2026 10:00:00 UTC").
PKGDESC_EXPORT std::string release_date(std::time_t time);

// Throws TrustError when the Release has expired (Valid-Until before `now`) or is dated more than
// an hour in the future (a wrong clock on the signing or the verifying side).
PKGDESC_EXPORT void check_release_time(const Release& release, std::time_t now,
                                       const std::string& origin);

// The newest Release Date seen for each archive (identified by signer, origin, label, suite and
// codename), kept in a file on the verifying host: a Release older than one seen before is a
// rollback (an attacker replaying an old, validly signed Release with old data).
class PKGDESC_EXPORT ReleaseHistory {
public:
    // Reads `path` if it exists (empty path: no history is kept).
    explicit ReleaseHistory(std::string path);

    // Throws TrustError if `release` is older than the newest Release seen for the same archive;
    // otherwise remembers it (written by save()).
    void check_and_record(const Release& release, const std::string& signer,
                          const std::string& origin);
    // Writes the file atomically (creating its directory) if anything changed. Throws IoError.
    void save() const;
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::map<std::string, std::time_t> m_newest;
    bool m_dirty = false;
};

} // namespace pkgdesc
