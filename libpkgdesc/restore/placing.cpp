// Writing into a root: see placing.hpp.
#include <libpkgdesc/restore/placing.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <utility>

namespace pkgdesc::placing {

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

std::uint32_t resolve_id(const std::string& name, const RootAccounts& accounts, bool user,
                         const RootDir& root, const std::string& path) {
    if (name.size() > 1 && name.front() == '#') {
        std::uint32_t id = 0;
        const auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), id);
        if (error == std::errc() && end == name.data() + name.size() && id != 0xFFFFFFFFu) {
            return id;
        }
    }
    const std::optional<std::uint32_t> id = user ? accounts.uid(name) : accounts.gid(name);
    if (!id) {
        throw Error(root.display(user ? "/etc/passwd" : "/etc/group"),
                    std::string(user ? "user '" : "group '") + name + "' of " + escape(path) +
                        " is unknown: restore the backup, with its accounts, first");
    }
    return *id;
}

UniqueFd open_directory(const RootDir& root, const std::string& dir) {
    OpenResult opened = root.open_at(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!opened.ok()) {
        throw IoError::from_errno(root.display(dir), "cannot open directory", opened.error);
    }
    return std::move(opened.fd);
}

std::string temporary_name() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return ".pkgdesc-restore-" + std::to_string(random());
}

namespace {

std::mutex g_locked_mutex;
std::set<std::pair<std::uint64_t, std::uint64_t>> g_locked; // roots this process holds

} // namespace

RootLock::RootLock(const RootDir& root) {
    struct stat st {};
    if (::fstat(root.fd(), &st) != 0) {
        throw IoError::from_errno(root.display("/"), "cannot stat", errno);
    }
    m_device = st.st_dev;
    m_inode = st.st_ino;
    const std::lock_guard<std::mutex> guard(g_locked_mutex);
    if (g_locked.contains({m_device, m_inode})) {
        return;
    }
    m_fd = UniqueFd(::openat(root.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!m_fd.valid()) {
        throw IoError::from_errno(root.display("/"), "cannot open", errno);
    }
    if (::flock(m_fd.get(), LOCK_EX | LOCK_NB) != 0) {
        throw Error(root.display("/"), errno == EWOULDBLOCK
                                           ? "another restore or repair is writing into this "
                                             "root: nothing is written"
                                           : "cannot lock: " + std::string(std::strerror(errno)));
    }
    g_locked.insert({m_device, m_inode});
    m_owner = true;
}

RootLock::~RootLock() {
    if (m_owner) {
        const std::lock_guard<std::mutex> guard(g_locked_mutex);
        g_locked.erase({m_device, m_inode});
    }
}

Place place_of(const RootDir& root, const std::string& path, const std::set<std::string>& remade,
               bool file) {
    Place place;
    std::string dir = parent_of(path);
    // Below a directory made anew, everything is made anew: from the shallowest such one down.
    std::string top;
    for (std::string up = dir; !remade.empty(); up = parent_of(up)) {
        if (remade.contains(up)) {
            top = up;
        }
        if (up == "/") {
            break;
        }
    }
    if (!top.empty()) {
        for (std::string d = dir;; d = parent_of(d)) {
            place.make.insert(place.make.begin(), d);
            if (d == top) {
                break;
            }
        }
        dir = parent_of(top);
    }
    for (;;) {
        const OpenResult node = root.open_at(dir, O_PATH | O_NOFOLLOW);
        struct stat st {};
        if (node.ok() && ::fstat(node.fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
            place.existing = dir;
            break;
        }
        if (!node.ok() && node.error != ENOENT && node.error != ELOOP && node.error != ENOTDIR) {
            throw IoError::from_errno(root.display(dir), "cannot look at it (on the way to " +
                                                             escape(path) + ")",
                                      node.error);
        }
        if (node.ok() || node.error != ENOENT) {
            throw Error(root.display(dir),
                        "a symbolic link or a file, not a directory, on the way to " +
                            escape(path) + ": nothing is written through it");
        }
        place.make.insert(place.make.begin(), dir);
        dir = parent_of(dir);
    }
    if (file && place.make.empty()) {
        const OpenResult target = root.open_at(path, O_PATH | O_NOFOLLOW);
        struct stat st {};
        if (target.ok() && ::fstat(target.fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
            throw Error(root.display(path), "a directory is where this file goes: not replaced");
        }
    }
    return place;
}

} // namespace pkgdesc::placing
