// Collecting a system on one host and judging it on another (pkgdesc-verify --collect,
// --from-collected): one self-contained stream of what verification reads from the system, and
// the system it describes, read back on the verifying host. The format is docs/collect.md.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/trust/detached_signature.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

struct VerifyOptions;

// The first line of a stream.
inline constexpr const char* k_collected_format = "pkgdesc-collected 1";

struct PKGDESC_EXPORT CollectOptions {
    // The system: its dpkg database is ROOT/var/lib/dpkg.
    std::string root = "/";
    // The directories walked for files no package owns (nullopt: none), as --unowned-dir names
    // them.
    std::optional<std::vector<std::string>> unowned_dirs;
    // Hashing threads; 0 for one per CPU.
    unsigned jobs = 0;
    // The MD5 of the listed files too (one read for both digests): what a verifier compares
    // the files of packages without reference data with (their md5sums), and proves an md5sums
    // dpkg wrote itself with. Without it collecting takes about half the CPU time, and those
    // files are unverifiable there.
    bool md5 = true;
    // Signs the stream (its last record), when given.
    std::optional<DetachedSigner> signer;
    // The verifier's nonce for this collection, kept in the stream (is_collect_nonce()).
    std::optional<std::string> nonce;
};

// Whether `text` can be a nonce: 1 to 256 of A-Z a-z 0-9 . _ : + / = - (hex, base64, a UUID).
PKGDESC_EXPORT bool is_collect_nonce(std::string_view text);

struct PKGDESC_EXPORT CollectSummary {
    std::size_t paths = 0;        // observations
    std::size_t info_members = 0; // names of ADMINDIR/info
    std::uint64_t bytes_hashed = 0;
    std::uint64_t bytes_written = 0;
};

// Writes the stream of the system `options` names to `fd`: its dpkg database (status,
// diversions, statoverride, and every name of info/ with its stat and content), its accounts
// files, its layout aliases, the tmpfiles.d files verification reads, and one observation per
// path that a file list, a conffile or a diversion names (type, mode, owner, group, size, times,
// inode, link target, device numbers, SHA-256 and MD5 of regular files, security.* attributes
// and POSIX ACLs), with the names of each such directory (their stat only); with unowned_dirs,
// every path under them too (hashed up to k_max_unowned_hash), with the ucf registry and the
// alternatives database. Reads nothing else, writes nowhere else. Throws IoError for a system
// that a verification could not read either (no root, an unreadable dpkg database or accounts
// file), TrustError for a key that cannot sign (before anything is written).
PKGDESC_EXPORT CollectSummary collect_system(const CollectOptions& options, int fd);

// Limits on reading a stream (kept in memory: about 500 bytes an observation, and the content
// of the files copied).
inline constexpr std::uint64_t k_max_collected_stream = std::uint64_t{16} << 30;
inline constexpr std::uint64_t k_max_collected_content = std::uint64_t{4} << 30;
inline constexpr std::size_t k_max_collected_records = 8u << 20;
// How far in the future of the verifier's clock a stream's time may be when its age is bounded.
inline constexpr std::int64_t k_collected_clock_skew = 300;

// What a verifier demands of a stream beyond its form. A stream that falls short is refused
// with TrustError.
struct PKGDESC_EXPORT CollectedDemands {
    // Its signature must be one of these keys' (nullptr: not checked). Proven before anything
    // of the stream is parsed.
    const DetachedKeys* keys = nullptr;
    // The nonce the collector was given: a stream collected for another request (a replay)
    // is refused.
    std::optional<std::string> nonce;
    // Collected at most this many seconds before the clock says it is when the whole stream is
    // in, and at most k_collected_clock_skew seconds after.
    std::optional<std::int64_t> max_age;
};

// A collected system, read back: a private copy (mode 0700, removed with this object) of the
// files verification reads for their content, the recorded ADMINDIR/info, and the observations.
class PKGDESC_EXPORT CollectedSystem {
public:
    // Reads a whole stream from `fd` (`shown` names it in messages) before anything of it is
    // used, at most k_max_collected_stream bytes and k_max_collected_records records. With
    // keys, the keys are read first, then the stream is framed (not parsed) to the end and its
    // signature proven before a second pass parses it: a regular file is read again, anything
    // else (a pipe) was copied to an unnamed file of TMPDIR meanwhile. Nothing is written but
    // that unnamed file: the private copy is make_copy()'s. Throws IoError for a stream that is not
    // one (truncated, malformed, too large, not ending where its last record says), TrustError for
    // a missing or bad signature when keys are given, a stream edited since it was signed, or one
    // that falls short of the other demands.
    static CollectedSystem read(int fd, const std::string& shown, const CollectedDemands& demands);

    CollectedSystem(CollectedSystem&&) noexcept;
    CollectedSystem& operator=(CollectedSystem&&) noexcept;
    ~CollectedSystem();

    // The root, as the collector named it ("/", or --root DIR there).
    const std::string& root() const;
    // Whether the collector checked the system it ran on.
    bool live() const;
    // The directories the collector walked for unowned files, if it did.
    const std::optional<std::vector<std::string>>& unowned_dirs() const;
    // The key that signed the stream, proven by the keys given; empty when none were.
    const std::string& signer() const;
    std::size_t paths() const;
    // When it was collected (UTC seconds, as the collector's clock said; signed with it).
    std::int64_t collected_at() const;
    // Writes the private copy (once): a directory of TMPDIR, mode 0700, of the files
    // verification reads for their content, removed with this object. Throws IoError.
    void make_copy();
    // Every file and directory of the copy, deepest first, the copy's directory last: for a
    // program to remove them where this object's destructor does not run (a fatal signal).
    // Empty before make_copy().
    const std::vector<std::string>& copy_paths() const;

    // Points `options` at this system (making the copy first if it is not made): root (the
    // copy), root_shown, observer, recorded_info. Valid while this object lives.
    void apply(VerifyOptions& options);

private:
    struct Impl;
    explicit CollectedSystem(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace pkgdesc
