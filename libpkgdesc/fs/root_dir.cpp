// openat2(2)-based resolution inside a directory.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/root_dir.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace pkgdesc {

namespace {

int sys_openat2(int dirfd, const char* path, open_how* how) {
    return static_cast<int>(::syscall(SYS_openat2, dirfd, path, how, sizeof(*how)));
}

std::string relative(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    return path.empty() ? std::string(".") : std::string(path);
}

} // namespace

RootDir RootDir::open(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        throw IoError::from_errno(path, "cannot open directory", errno);
    }
    return RootDir(path, std::move(fd));
}

RootDir RootDir::open(const std::string& path, std::string shown) {
    RootDir dir = open(path);
    dir.m_name = std::move(shown);
    return dir;
}

RootDir RootDir::open_inside(const RootDir& parent, std::string_view path) {
    OpenResult result = parent.open_at(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!result.ok()) {
        throw IoError::from_errno(parent.display(path), "cannot open directory", result.error);
    }
    return RootDir(parent.display(path), std::move(result.fd));
}

OpenResult RootDir::open_at(std::string_view path, int flags, Symlinks symlinks) const {
    // Reading must not even write access times: O_NOATIME where the kernel allows it (the
    // owner or CAP_FOWNER), a plain open otherwise.
    if ((flags & O_PATH) == 0 && (flags & O_NOATIME) == 0) {
        OpenResult result = open_at(path, flags | O_NOATIME, symlinks);
        if (result.ok() || result.error != EPERM) {
            return result;
        }
    }
    open_how how{};
    how.flags = static_cast<__u64>(static_cast<unsigned>(flags | O_CLOEXEC));
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    if (symlinks == Symlinks::refuse) {
        how.resolve |= RESOLVE_NO_SYMLINKS;
    }
    const std::string rel = relative(path);
    OpenResult result;
    for (;;) {
        const int fd = sys_openat2(m_fd.get(), rel.c_str(), &how);
        if (fd >= 0) {
            result.fd = UniqueFd(fd);
            return result;
        }
        // The kernel asks for a retry when a rename raced with the lookup.
        if (errno != EAGAIN && errno != EINTR) {
            result.error = errno;
            return result;
        }
    }
}

OpenResult RootDir::open_regular(std::string_view path, Symlinks symlinks) const {
    // Inside-the-root resolution follows a final symlink too (still inside the root).
    OpenResult node =
        open_at(path, O_PATH | (symlinks == Symlinks::refuse ? O_NOFOLLOW : 0), symlinks);
    if (!node.ok()) {
        return node;
    }
    struct stat before {};
    OpenResult failed;
    if (::fstat(node.fd.get(), &before) != 0) {
        failed.error = errno;
        return failed;
    }
    if (!S_ISREG(before.st_mode)) {
        failed.error = EINVAL;
        return failed;
    }
    // Reopened by name and proven to be the same inode. (Reopening through /proc/self/fd
    // would close the window in which a live system could swap a device in, but costs an eighth
    // of a whole-system run; a mounted image cannot change, and whoever can race us on a live
    // system is root already. O_NONBLOCK keeps even that from blocking on a FIFO.)
    OpenResult file = open_at(
        path, O_RDONLY | (symlinks == Symlinks::refuse ? O_NOFOLLOW : 0) | O_NONBLOCK | O_NOCTTY,
        symlinks);
    struct stat after {};
    if (file.ok() && (::fstat(file.fd.get(), &after) != 0 || after.st_ino != before.st_ino ||
                      after.st_dev != before.st_dev)) {
        failed.error = ESTALE;
        return failed;
    }
    return file;
}

std::string RootDir::display(std::string_view path) const {
    std::string out = m_name;
    while (!out.empty() && out.back() == '/') {
        out.pop_back();
    }
    if (!path.empty() && path.front() != '/') {
        out.push_back('/');
    }
    out.append(path);
    return out.empty() ? std::string("/") : out;
}

std::string read_small_file(int fd, const std::string& display, std::size_t limit) {
    std::string data;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw IoError::from_errno(display, "cannot read", errno);
        }
        if (n == 0) {
            return data;
        }
        if (data.size() + static_cast<std::size_t>(n) > limit) {
            throw IoError(display, "file too large (over " + std::to_string(limit) + " bytes)");
        }
        data.append(buffer, static_cast<std::size_t>(n));
    }
}

void for_each_name(const RootDir& dir, const std::function<bool(std::string_view)>& each) {
    std::unique_ptr<DIR, int (*)(DIR*)> stream(::fdopendir(::dup(dir.fd())), &::closedir);
    if (!stream) {
        throw IoError::from_errno(dir.name(), "cannot read directory", errno);
    }
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(stream.get());
        if (entry == nullptr) {
            if (errno != 0) {
                throw IoError::from_errno(dir.name(), "cannot read directory", errno);
            }
            return;
        }
        const std::string_view name(entry->d_name);
        if (name != "." && name != ".." && !each(name)) {
            return;
        }
    }
}

std::string list_directory(const RootDir& root, const std::string& path,
                           std::vector<DirEntry>& entries) {
    OpenResult dir = root.open_at(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!dir.ok()) {
        return std::string("cannot open directory: ") + std::strerror(dir.error);
    }
    DIR* stream = ::fdopendir(::dup(dir.fd.get()));
    if (stream == nullptr) {
        return std::string("cannot read directory: ") + std::strerror(errno);
    }
    std::string error;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(stream);
        if (entry == nullptr) {
            if (errno != 0) {
                error = std::string("cannot read directory: ") + std::strerror(errno);
            }
            break;
        }
        const std::string_view name(entry->d_name);
        if (name == "." || name == "..") {
            continue;
        }
        DirEntry found{std::string(name), {}};
        if (::fstatat(dir.fd.get(), entry->d_name, &found.st, AT_SYMLINK_NOFOLLOW) != 0) {
            found.st = {};
            found.st.st_mode = 0; // vanished meanwhile: reported as an unknown type
        }
        entries.push_back(std::move(found));
    }
    ::closedir(stream);
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return error;
}

} // namespace pkgdesc
