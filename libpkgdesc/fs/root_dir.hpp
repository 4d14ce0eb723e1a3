// A directory that paths are resolved inside of, never escaping it: the root of the system
// being verified (--root) or the dpkg database directory.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/util/unique_fd.hpp>

#include <sys/stat.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// How symbolic links met while resolving a path are treated.
enum class Symlinks {
    // None is followed, not even in the middle of the path (the default for verification: a
    // file reached through an unexpected symlink is not the file dpkg installed).
    refuse,
    // Followed, but resolved inside the directory as if it were "/": an absolute link in a
    // mounted image points into the image, never to the verifying host.
    in_root,
};

// The outcome of opening one path: a descriptor, or the errno that prevented it.
struct OpenResult {
    UniqueFd fd;
    int error = 0;
    bool ok() const noexcept { return fd.valid(); }
};

class PKGDESC_EXPORT RootDir {
public:
    // Opens `path` (a directory on the verifying host, following symlinks as the user gave it).
    // Throws IoError naming the path when it is not an accessible directory.
    static RootDir open(const std::string& path);
    // The same, named `shown` in messages (a copy of a system's files, named as that system).
    static RootDir open(const std::string& path, std::string shown);
    // Opens `path` relative to `parent`, inside of it.
    static RootDir open_inside(const RootDir& parent, std::string_view path);

    RootDir(RootDir&&) noexcept = default;
    RootDir& operator=(RootDir&&) noexcept = default;

    // The name given when opening, for messages.
    const std::string& name() const noexcept { return m_name; }
    int fd() const noexcept { return m_fd.get(); }

    // Opens `path` (absolute or relative, taken relative to this directory) with openat2(2),
    // never leaving the directory. With O_PATH|O_NOFOLLOW a trailing symlink is opened itself.
    // Anything opened for reading gets O_NOATIME when the kernel allows it.
    // Fails with ENOSYS on kernels without openat2 (before Linux 5.6).
    OpenResult open_at(std::string_view path, int flags,
                       Symlinks symlinks = Symlinks::refuse) const;

    // Opens a regular file for reading: the path is looked at through O_PATH first (a FIFO,
    // device or socket is refused there), and the descriptor opened for reading must be the
    // same inode.
    // Fails with EINVAL for a FIFO, device, socket, directory or symlink, and with ESTALE when
    // the file was replaced in between.
    OpenResult open_regular(std::string_view path, Symlinks symlinks = Symlinks::refuse) const;

    // The name as seen by the user: "ROOT/path" (or "/path" for the root "/").
    std::string display(std::string_view path) const;

private:
    RootDir(std::string name, UniqueFd fd) : m_name(std::move(name)), m_fd(std::move(fd)) {}

    std::string m_name;
    UniqueFd m_fd;
};

// Reads a whole (small) file, refusing more than `limit` bytes. Throws IoError naming
// `display`.
PKGDESC_EXPORT std::string read_small_file(int fd, const std::string& display,
                                           std::size_t limit = 256u << 20);

// Calls `each` with every name of the opened directory `dir` but "." and "..", in the order
// readdir(3) gives them, until it returns false. Throws IoError naming the directory when it
// cannot be read.
PKGDESC_EXPORT void for_each_name(const RootDir& dir,
                                  const std::function<bool(std::string_view)>& each);

// One name in a directory, with lstat(2) of it (st_mode 0 when it vanished meanwhile).
struct PKGDESC_EXPORT DirEntry {
    std::string name;
    struct stat st {};
    mode_t mode() const noexcept { return st.st_mode; }
};

// Lists the directory `path` inside `root` (never following a symlink to it), names sorted by
// byte value, "." and ".." left out. Returns why it could not be read completely, empty on
// success.
PKGDESC_EXPORT std::string list_directory(const RootDir& root, const std::string& path,
                                          std::vector<DirEntry>& entries);

} // namespace pkgdesc
