// What the restore and the repair share to write into a root (internal to libpkgdesc/restore):
// names, accounts and directories reached without a symlink.
#pragma once

#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/unique_fd.hpp>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace pkgdesc::placing {

std::string parent_of(const std::string& path);
std::string base_name(const std::string& path);

// The id of "#123" or a name, as the root's accounts know it. Throws Error naming the root's
// passwd (group) for a name they do not know, and for "#4294967295" (which tells chown(2) to
// leave the id as it is).
std::uint32_t resolve_id(const std::string& name, const RootAccounts& accounts, bool user,
                         const RootDir& root, const std::string& path);

// A directory of the root, reached without a symlink. Throws IoError.
UniqueFd open_directory(const RootDir& root, const std::string& dir);

// A fresh name for a temporary in a directory: ".pkgdesc-restore-RANDOM".
std::string temporary_name();

// One writer into a root at a time: an exclusive flock(2) on the root directory itself (nothing
// is written for it), held until destroyed; taken once per process and root (a repair holds it
// for the restore it runs). Throws Error when another process holds it.
class RootLock {
public:
    explicit RootLock(const RootDir& root);
    ~RootLock();
    RootLock(const RootLock&) = delete;
    RootLock& operator=(const RootLock&) = delete;

private:
    UniqueFd m_fd;
    std::uint64_t m_device = 0;
    std::uint64_t m_inode = 0;
    bool m_owner = false;
};

// Where something goes: its directory, reached from the root without a symlink, and the
// directories to make on the way.
struct Place {
    std::string existing;          // the deepest directory that exists
    std::vector<std::string> make; // the directories to make below it, in order
};

// The place of `path`. Directories in `remade` count as missing (a repair makes them anew
// before it writes below them). Throws Error when a symlink or a file is on the way, or, for
// a `file`, when a directory is at `path` itself.
Place place_of(const RootDir& root, const std::string& path, const std::set<std::string>& remade,
               bool file = true);

} // namespace pkgdesc::placing
