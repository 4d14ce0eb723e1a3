// The verdicts an --incremental run need not reach again: the regular files an earlier run
// proved pristine, each by everything its verdict depends on. See docs/trust-model.md
// ("Incremental runs") for what it trusts.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/file_check.hpp>

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace pkgdesc {

class PKGDESC_EXPORT VerdictCache {
public:
    using Key = std::array<std::uint8_t, 16>;

    // The key of a pristine verdict: a digest of the path, the file's identity and change
    // markers (device, inode, size, mode, owner, group, link count, mtime and ctime to the
    // nanosecond: every write through the file system, chmod, chown, rename over it and hard
    // link made or removed changes the ctime), everything the reference expected of it, and the
    // extended attributes not reported.
    static Key key(const std::string& path, const struct stat& st, const Expectation& expected,
                   const std::vector<std::string>& ignore_xattrs);

    // A cache whose new verdicts are for files that settled before `now` (see settled()).
    explicit VerdictCache(std::int64_t now = 0);
    VerdictCache(const VerdictCache&) = delete;
    VerdictCache& operator=(const VerdictCache&) = delete;

    // Takes the verdicts kept in `file`: none when it does not exist. A file that is not such
    // a record (damaged, truncated, another format, larger than 256 MiB) counts as none, and
    // the text returned says why (empty otherwise).
    std::string load(const std::string& file);
    // Writes the verdicts proven in this run (added with add()) to `file`, atomically, mode
    // 0600, creating its directories when needed; with `also`, that cache's known ones too
    // (a run that checked only some files: each key still proves only its very state).
    void save(const std::string& file, const VerdictCache* also = nullptr) const;

    // Whether this state of a file was proven pristine (counted in hits() when it was).
    bool contains(const Key& key) const;
    std::size_t hits() const noexcept { return m_hits.load(); }
    // Whether a file in this state may have its verdict kept: its ctime and mtime are older
    // than the start of the run by more than the kernel's writeback delay
    // (vm.dirty_expire_centisecs + vm.dirty_writeback_centisecs, plus 5 s): a write through a
    // shared mapping to a page already dirty, or within the tick of a coarse clock, leaves the
    // times as they were, but not once the page was written back. Never when periodic
    // writeback is off.
    bool settled(const struct stat& st) const;
    // Records a verdict proven now; safe from several threads.
    void add(const Key& key);
    std::size_t known() const noexcept { return m_known.size(); }
    std::size_t proven() const;

private:
    std::int64_t m_settled_before = 0; // seconds since the epoch; 0: nothing is settled
    std::vector<Key> m_known; // sorted
    mutable std::atomic<std::size_t> m_hits{0};
    mutable std::mutex m_mutex;
    std::vector<Key> m_proven;
};

// Where the verdicts of the system under `root` are kept in the state directory: one file per
// root (its path and its device and inode), so that images do not share one.
PKGDESC_EXPORT std::string verdict_cache_file(const std::string& state_dir,
                                              const std::string& root);

} // namespace pkgdesc
