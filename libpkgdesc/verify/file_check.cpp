// Observing and comparing one file.
#include <libpkgdesc/verify/file_check.hpp>

#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/utc_time.hpp>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace pkgdesc {

namespace {

constexpr std::size_t k_read_buffer = 256 * 1024;

// Lists the names from a listxattr(2) buffer that verification reports.
void collect_xattrs(const char* names, ssize_t size, const std::vector<std::string>& ignore,
                    std::vector<std::string>& out, bool& others) {
    for (ssize_t pos = 0; pos < size;) {
        const std::string_view name(names + pos);
        if (is_reportable_xattr(name, ignore)) {
            out.emplace_back(name);
        } else {
            others = true;
        }
        pos += static_cast<ssize_t>(name.size()) + 1;
    }
    std::sort(out.begin(), out.end());
}

// Lists extended attributes through `fd`, or through /proc for descriptors that cannot do it
// themselves (O_PATH). Returns an error text, empty on success.
std::string list_xattrs(int fd, bool via_proc, const std::vector<std::string>& ignore,
                        std::vector<std::string>& out, bool& others) {
    std::vector<char> names(4096);
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    for (;;) {
        const ssize_t size = via_proc ? ::listxattr(proc.c_str(), names.data(), names.size())
                                      : ::flistxattr(fd, names.data(), names.size());
        if (size >= 0) {
            collect_xattrs(names.data(), size, ignore, out, others);
            return {};
        }
        if (errno == ERANGE && names.size() < (1u << 20)) {
            names.resize(names.size() * 4);
            continue;
        }
        if (errno == ENOTSUP) {
            return {}; // the file system has none
        }
        return std::string("cannot list extended attributes: ") + std::strerror(errno);
    }
}

void read_regular(const CheckContext& context, int fd, const struct stat& before, Digest digest,
                  Observation& obs);

// Hashes a regular file that `node` (O_PATH) refers to, reopening it for reading by name and
// proving it is still the same inode, unchanged from start to end.
void hash_regular(const CheckContext& context, const std::string& path, Symlinks symlinks,
                  Digest digest, Observation& obs) {
    // observe() saw a regular file through O_PATH; what is opened now must be that inode.
    OpenResult file =
        context.root.open_at(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, symlinks);
    if (!file.ok()) {
        obs.hash_error = std::string("cannot open for reading: ") + std::strerror(file.error);
        return;
    }
    struct stat before {};
    if (::fstat(file.fd.get(), &before) != 0 || !S_ISREG(before.st_mode) ||
        before.st_ino != obs.st.st_ino || before.st_dev != obs.st.st_dev) {
        obs.hash_error = "replaced while being checked";
        return;
    }
    read_regular(context, file.fd.get(), before, digest, obs);
}

// Reads the regular file open as `fd`, of which `before` is the fstat(2), whole: its digests,
// its extended attributes; obs.st becomes the fstat after, which must show the same content.
void read_regular(const CheckContext& context, int fd, const struct stat& before, Digest digest,
                  Observation& obs) {
    if (before.st_size > static_cast<off_t>(k_read_buffer)) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    thread_local std::vector<char> buffer(k_read_buffer);
    Sha256 sha;
    std::optional<Md5> md5;
    if (digest != Digest::sha256) {
        md5.emplace();
    }
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            obs.hash_error = std::string("cannot read: ") + std::strerror(errno);
            return;
        }
        if (n == 0) {
            break;
        }
        if (md5) {
            md5->update(buffer.data(), static_cast<std::size_t>(n));
        }
        if (digest != Digest::md5) {
            sha.update(buffer.data(), static_cast<std::size_t>(n));
        }
        total += static_cast<std::uint64_t>(n);
        if (total >= static_cast<std::uint64_t>(before.st_size)) {
            break; // no read for the end of the file: the fstat after tells a file that grew
        }
    }
    obs.bytes_read = total;
    struct stat after {};
    if (::fstat(fd, &after) != 0 || !same_content_state(before, after) ||
        total != static_cast<std::uint64_t>(before.st_size)) {
        obs.hash_error = "changed while being read";
        return;
    }
    obs.st = after;
    if (context.verdicts_proven != nullptr) {
        struct statfs fs {};
        obs.volatile_times = ::fstatfs(fd, &fs) != 0 ||
                             static_cast<unsigned long>(fs.f_type) == TMPFS_MAGIC ||
                             static_cast<unsigned long>(fs.f_type) == RAMFS_MAGIC;
    }
    if (md5) {
        obs.md5 = md5->finish();
    }
    if (digest != Digest::md5) {
        obs.sha256 = sha.finish();
    }
    const std::string error =
        list_xattrs(fd, false, context.ignore_xattrs, obs.xattrs, obs.other_xattrs);
    if (!error.empty()) {
        obs.hash_error = error;
    }
    if (std::find(obs.xattrs.begin(), obs.xattrs.end(), "security.capability") !=
        obs.xattrs.end()) {
        // vfs_cap_data is 12 to 24 bytes; anything longer is no capability set the kernel uses.
        char value[64];
        const ssize_t n = ::fgetxattr(fd, "security.capability", value, sizeof value);
        if (n > 0) {
            obs.capability.assign(value, static_cast<std::size_t>(n));
        }
    }
}

std::string id_text(const RootAccounts& accounts, std::uint32_t id, bool user) {
    const std::string name = user ? accounts.user_name(id) : accounts.group_name(id);
    return name.empty() ? "#" + std::to_string(id) : name;
}

EntryType entry_type_of(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return EntryType::directory;
    case S_IFLNK:
        return EntryType::symlink;
    case S_IFCHR:
        return EntryType::char_device;
    case S_IFBLK:
        return EntryType::block_device;
    case S_IFIFO:
        return EntryType::fifo;
    default:
        return EntryType::file;
    }
}

} // namespace

std::string mode_text(std::uint32_t mode) {
    char text[8];
    std::snprintf(text, sizeof(text), "%04o", mode & 07777u);
    return text;
}

std::string stat_type_keyword(mode_t mode) {
    if (S_ISSOCK(mode)) {
        return "socket";
    }
    if (!S_ISREG(mode) && !S_ISDIR(mode) && !S_ISLNK(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) &&
        !S_ISFIFO(mode)) {
        return "unknown";
    }
    return std::string(type_keyword(entry_type_of(mode)));
}

namespace {

// Pseudo file systems a running system mounts over package directories; their mode and owner
// are the kernel's. tmpfs counts only where a live system mounts it (/run, /dev and below).
bool pseudo_mount(int fd, const std::string& path) {
    struct statfs fs {};
    if (path == "/" || ::fstatfs(fd, &fs) != 0) {
        return false;
    }
    switch (static_cast<unsigned long>(fs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case SECURITYFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case EFIVARFS_MAGIC:
    case PSTOREFS_MAGIC:
    case BPF_FS_MAGIC:
    case 0x19800202: // mqueue
    case HUGETLBFS_MAGIC:
    case BINFMTFS_MAGIC:
    case AUTOFS_SUPER_MAGIC:
        return true;
    case TMPFS_MAGIC: // devtmpfs too
        return path == "/run" || path == "/dev" || path.starts_with("/run/") ||
               path.starts_with("/dev/");
    default:
        return false;
    }
}

bool is_mount_root(int fd) {
    struct statx stx {};
    return ::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) == 0 &&
           (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
           (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

} // namespace

bool same_content_state(const struct stat& a, const struct stat& b) {
    return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
           a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
           a.st_ctim.tv_nsec == b.st_ctim.tv_nsec && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

bool is_reportable_xattr(std::string_view name, const std::vector<std::string>& ignore) {
    const bool interesting = name.starts_with("security.") || name == "system.posix_acl_access" ||
                             name == "system.posix_acl_default";
    return interesting && std::find(ignore.begin(), ignore.end(), name) == ignore.end();
}

namespace {

// Takes what an earlier run proved of the file whose fstat is obs.st, if it did.
bool take_proven(const ProvenBefore& proven_before, Observation& obs) {
    const Sha256Digest* digest = proven_before ? proven_before(obs.st) : nullptr;
    if (digest == nullptr) {
        return false;
    }
    obs.sha256 = *digest;
    obs.proven_before = true;
    return true;
}

} // namespace

std::string Observer::list_directory(const CheckContext& context, const std::string& path,
                                     std::vector<DirEntry>& entries) const {
    return pkgdesc::list_directory(context.root, path, entries);
}

std::string list_directory(const CheckContext& context, const std::string& path,
                           std::vector<DirEntry>& entries) {
    return context.observer != nullptr ? context.observer->list_directory(context, path, entries)
                                       : list_directory(context.root, path, entries);
}

Observation observe(const CheckContext& context, const std::string& path,
                    const HashPolicy& worth_hashing, Digest digest, bool open_for_reading,
                    const ProvenBefore& proven_before) {
    if (context.observer != nullptr) {
        return context.observer->observe(context, path, worth_hashing, digest);
    }
    Observation obs;
    if (open_for_reading && context.live_system) {
        // One open for what the reference says is a regular file or a directory: anything
        // else that opens (a FIFO, without blocking; a device node only root can make) is
        // observed on this descriptor all the same; what does not open (a symlink, a path
        // through one, a socket, nothing) takes the O_PATH route below.
        OpenResult file = context.root.open_at(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (file.ok()) {
            if (::fstat(file.fd.get(), &obs.st) != 0) {
                obs.failure = FileStatus::unverifiable;
                obs.reason = std::string("cannot stat: ") + std::strerror(errno);
                return obs;
            }
            obs.found = true;
            if (S_ISREG(obs.st.st_mode)) {
                if (take_proven(proven_before, obs)) {
                    return obs;
                }
                if (worth_hashing(obs.st)) {
                    const struct stat before = obs.st;
                    read_regular(context, file.fd.get(), before, digest, obs);
                } else {
                    obs.hash_error = "not read: its size differs from the reference";
                }
                return obs;
            }
            if (S_ISDIR(obs.st.st_mode)) {
                obs.mount_point = is_mount_root(file.fd.get()) && pseudo_mount(file.fd.get(), path);
            }
            const std::string error = list_xattrs(file.fd.get(), false, context.ignore_xattrs,
                                                  obs.xattrs, obs.other_xattrs);
            if (!error.empty()) {
                obs.hash_error = error;
            }
            return obs;
        }
    }
    Symlinks symlinks = Symlinks::refuse;
    OpenResult node = context.root.open_at(path, O_PATH | O_NOFOLLOW, symlinks);
    if (!node.ok() && node.error == ELOOP) {
        // A directory of the path is a symlink: look where it leads, inside the root.
        symlinks = Symlinks::in_root;
        node = context.root.open_at(path, O_PATH | O_NOFOLLOW, symlinks);
        obs.through_symlink = node.ok();
    }
    if (!node.ok()) {
        if (node.error == ENOENT || node.error == ENOTDIR) {
            obs.failure = FileStatus::missing;
        } else {
            obs.failure = FileStatus::unverifiable;
            obs.reason = std::string("cannot open: ") + std::strerror(node.error);
        }
        return obs;
    }
    if (::fstat(node.fd.get(), &obs.st) != 0) {
        obs.failure = FileStatus::unverifiable;
        obs.reason = std::string("cannot stat: ") + std::strerror(errno);
        return obs;
    }
    obs.found = true;
    std::string xattr_error;
    if (S_ISREG(obs.st.st_mode)) {
        if (!obs.through_symlink && take_proven(proven_before, obs)) {
            return obs;
        }
        if (worth_hashing(obs.st)) {
            hash_regular(context, path, symlinks, digest, obs);
        } else {
            obs.hash_error = "not read: its size differs from the reference";
        }
    } else if (S_ISLNK(obs.st.st_mode)) {
        std::vector<char> target(4096);
        for (;;) {
            const ssize_t n = ::readlinkat(node.fd.get(), "", target.data(), target.size());
            if (n < 0) {
                obs.hash_error = std::string("cannot read the link: ") + std::strerror(errno);
                break;
            }
            if (static_cast<std::size_t>(n) < target.size()) {
                obs.link.assign(target.data(), static_cast<std::size_t>(n));
                break;
            }
            target.resize(target.size() * 2);
        }
    } else if (S_ISDIR(obs.st.st_mode)) {
        obs.mount_point = is_mount_root(node.fd.get()) && pseudo_mount(node.fd.get(), path);
        OpenResult dir = context.root.open_at(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, symlinks);
        struct stat again {};
        if (!dir.ok()) {
            xattr_error = std::string("cannot open: ") + std::strerror(dir.error);
        } else if (::fstat(dir.fd.get(), &again) != 0 || again.st_ino != obs.st.st_ino ||
                   again.st_dev != obs.st.st_dev) {
            xattr_error = "replaced while being checked";
        } else {
            xattr_error = list_xattrs(dir.fd.get(), false, context.ignore_xattrs, obs.xattrs,
                                      obs.other_xattrs);
        }
    } else {
        // FIFOs, sockets and devices are never opened: list through the O_PATH descriptor.
        xattr_error =
            list_xattrs(node.fd.get(), true, context.ignore_xattrs, obs.xattrs, obs.other_xattrs);
    }
    if (!xattr_error.empty()) {
        obs.hash_error = xattr_error;
    }
    return obs;
}

void compare(const CheckContext& context, const Observation& obs, const Expectation& exp,
             Finding& finding) {
    finding.failed.clear();
    if (!obs.found) {
        finding.status = obs.failure;
        if (finding.reason.empty()) {
            finding.reason = obs.reason;
        }
        return;
    }
    bool content = false;
    auto fail = [&](std::string name, std::string expected, std::string actual, bool is_content) {
        finding.failed.push_back({std::move(name), std::move(expected), std::move(actual)});
        content = content || is_content;
    };
    const EntryType actual_type = entry_type_of(obs.st.st_mode);
    const bool type_ok = actual_type == exp.type && stat_type_keyword(obs.st.st_mode) != "socket" &&
                         stat_type_keyword(obs.st.st_mode) != "unknown";
    bool unproven = false;
    if (!type_ok) {
        fail("type", std::string(type_keyword(exp.type)), stat_type_keyword(obs.st.st_mode), true);
    } else if (exp.type == EntryType::file) {
        if (static_cast<std::uint64_t>(obs.st.st_size) != exp.size) {
            fail("size", std::to_string(exp.size), std::to_string(obs.st.st_size), true);
        }
        if (!obs.sha256 && static_cast<std::uint64_t>(obs.st.st_size) != exp.size) {
            // Not read: content of another size cannot have the expected digest.
            fail("sha256", exp.sha256 ? to_hex(*exp.sha256) : "", "not computed: the size differs",
                 true);
        } else if (!obs.sha256) {
            unproven = true;
        } else if (!exp.sha256 || *obs.sha256 != *exp.sha256) {
            fail("sha256", exp.sha256 ? to_hex(*exp.sha256) : "", to_hex(*obs.sha256), true);
        }
    } else if (exp.type == EntryType::symlink) {
        if (!obs.hash_error.empty()) {
            unproven = true;
        } else if (obs.link != exp.link) {
            fail("link", exp.link, obs.link, true);
        }
    } else if (exp.type == EntryType::char_device || exp.type == EntryType::block_device) {
        const std::uint32_t major = ::major(obs.st.st_rdev);
        const std::uint32_t minor = ::minor(obs.st.st_rdev);
        if (major != exp.dev_major || minor != exp.dev_minor) {
            fail("device", std::to_string(exp.dev_major) + "," + std::to_string(exp.dev_minor),
                 std::to_string(major) + "," + std::to_string(minor), true);
        }
    }
    // On a mount point the package's directory is hidden: its mode, owner, group and extended
    // attributes are the mounted file system's.
    const bool skip_metadata = exp.skip_metadata || obs.mount_point;
    if (type_ok && exp.type != EntryType::symlink && !skip_metadata &&
        (obs.st.st_mode & 07777u) != (exp.mode & 07777u)) {
        fail("mode", mode_text(exp.mode), mode_text(obs.st.st_mode), false);
    }
    if (!skip_metadata && (!exp.uid || *exp.uid != obs.st.st_uid)) {
        fail("owner", exp.uid ? exp.owner : exp.owner + " (unknown user)",
             id_text(context.accounts, obs.st.st_uid, true), false);
    }
    if (!skip_metadata && (!exp.gid || *exp.gid != obs.st.st_gid)) {
        fail("group", exp.gid ? exp.group : exp.group + " (unknown group)",
             id_text(context.accounts, obs.st.st_gid, false), false);
    }
    if (type_ok && exp.mtime && !exp.skip_metadata && obs.mtime_known &&
        obs.st.st_mtim.tv_sec != *exp.mtime) {
        fail("mtime", utc_text(*exp.mtime), utc_text(obs.st.st_mtim.tv_sec), false);
    }
    if (type_ok && !exp.hardlink_to.empty() && context.observer != nullptr) {
        if (!context.observer->same_file(context, obs, exp.hardlink_to)) {
            fail("hardlink", exp.hardlink_to, "a separate file", false);
        }
    } else if (type_ok && !exp.hardlink_to.empty()) {
        OpenResult target =
            context.root.open_at(exp.hardlink_to, O_PATH | O_NOFOLLOW,
                                 obs.through_symlink ? Symlinks::in_root : Symlinks::refuse);
        struct stat st {};
        if (!target.ok() || ::fstat(target.fd.get(), &st) != 0 || st.st_ino != obs.st.st_ino ||
            st.st_dev != obs.st.st_dev) {
            fail("hardlink", exp.hardlink_to, "a separate file", false);
        }
    }
    if (type_ok && exp.type == EntryType::file && !skip_metadata &&
        (context.observer == nullptr || context.observer->complete()) &&
        obs.st.st_nlink > exp.links) {
        fail("links", std::to_string(exp.links), std::to_string(obs.st.st_nlink), false);
    }
    if (obs.through_symlink) {
        fail("path", "no symbolic link in the path", "reached through a symbolic link", false);
    }
    for (const std::string& name : obs.xattrs) {
        if (!obs.mount_point) {
            fail(name, "absent", "present", false);
        }
    }
    if (content) {
        finding.status = FileStatus::modified;
    } else if (unproven || !obs.hash_error.empty() || !exp.unknown.empty()) {
        finding.status = FileStatus::unverifiable;
        if (finding.reason.empty()) {
            finding.reason = !obs.hash_error.empty()
                                 ? obs.hash_error
                                 : "the reference describes attributes this version cannot "
                                   "check: " +
                                       exp.unknown;
        }
    } else if (!finding.failed.empty()) {
        finding.status = FileStatus::metadata;
    } else {
        finding.status = FileStatus::pristine;
    }
    if (obs.mount_point && finding.reason.empty()) {
        finding.reason = "mount point: mode, owner and group are the mounted file system's";
    } else if (exp.skip_metadata && finding.reason.empty()) {
        finding.reason = "mode, owner, group and mtime not compared (--expect-changed)";
    }
}

} // namespace pkgdesc
