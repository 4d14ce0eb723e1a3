// An AIDE database (the aide.db that `aide --init` writes, gzip'd or plain, AIDE 0.18's
// format): what it recorded of each path, read without touching the files, and offered to the
// verification engine as an Observer, so that a baseline is judged by the very comparisons a
// live check makes.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/file_check.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT AideDbEntry {
    std::string path;
    std::optional<std::string> link;   // lname
    std::optional<std::uint32_t> perm; // st_mode: type and permission bits
    std::optional<std::uint32_t> uid;
    std::optional<std::uint32_t> gid;
    std::optional<std::uint64_t> size;
    std::optional<std::int64_t> mtime;
    std::optional<std::uint64_t> inode;
    std::optional<Sha256Digest> sha256;
    // Recorded extended attributes (name, raw value) and whether the ACL attribute was recorded,
    // with what it holds beyond the mode.
    std::optional<std::vector<std::pair<std::string, std::string>>> xattrs;
    bool acl_recorded = false;
    bool acl_extended = false;
    bool default_acl = false;
};

class PKGDESC_EXPORT AideDatabase : public Observer {
public:
    // Reads `path` (gzip'd or not; "-" is standard input). Throws ParseError (PATH:LINE: reason)
    // for what is not an AIDE database (no @@begin_db / @@db_spec / @@end_db, a line with the wrong
    // number of fields, a field that does not decode, the same path twice, a path that is not
    // absolute and normalized), and IoError for what cannot be read. Bounded: at most 8,000,000
    // entries, lines of at most 1 MiB, 4 GiB decompressed.
    static AideDatabase load(const std::string& path);

    // Every recorded path, sorted.
    std::vector<std::string> paths() const;
    const AideDbEntry* find(const std::string& path) const;
    std::size_t size() const noexcept { return m_entries.size(); }

    // Observer: a path the database does not hold is missing; a recorded attribute that is
    // missing makes the entry unverifiable (no sha256 for a file, no link name for a symlink,
    // device numbers, which AIDE never records) or, for the mtime, not compared.
    Observation observe(const CheckContext& context, const std::string& path,
                        const HashPolicy& worth_hashing, Digest digest) const override;
    bool same_file(const CheckContext& context, const Observation& observation,
                   const std::string& other) const override;

private:
    std::vector<AideDbEntry> m_entries;
    std::unordered_map<std::string, std::size_t> m_index;
    std::string m_shown;
};

} // namespace pkgdesc
