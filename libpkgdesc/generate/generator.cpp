// pkgdesc generation from .deb files and from staged package trees.
#include <libpkgdesc/generate/generator.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/deb822.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/unique_fd.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <vector>

namespace pkgdesc {

void apply_control_fields(Pkgdesc& desc, const std::string& control_text, const std::string& file) {
    const auto stanzas = parse_deb822(control_text, file);
    if (stanzas.empty()) {
        throw ArchiveError(file, "empty control file");
    }
    const auto& s = stanzas.front();
    auto field = [&](const char* name) {
        const auto* f = s.find(name);
        if (f == nullptr || f->value.empty()) {
            throw ArchiveError(file, std::string("control file has no ") + name + " field");
        }
        if (f->value.find_first_of(" \t") != std::string::npos) {
            throw ArchiveError(file,
                               std::string("control field ") + name + " contains white space");
        }
        return f->value;
    };
    desc.package = field("Package");
    desc.version = field("Version");
    desc.architecture = field("Architecture");
    for (const auto& [name, reason] :
         {std::pair{"Package", check_package_name(desc.package)},
          std::pair{"Version", check_version(desc.version)},
          std::pair{"Architecture", check_architecture(desc.architecture)}}) {
        if (!reason.empty()) {
            throw ArchiveError(file, std::string("control field ") + name + " " + reason);
        }
    }
    if (const auto* f = s.find("Description")) {
        desc.description = f->value;
    }
}

DebDescription describe_deb(const std::string& path, const DebReaderOptions& options) {
    DebContents contents = DebReader(options).read(path);
    DebDescription out;
    try {
        apply_control_fields(out.desc, contents.control_text, "control");
    } catch (const Error& e) {
        throw ArchiveError(path, e.what());
    }
    out.desc.control = std::move(contents.control);
    out.desc.entries = std::move(contents.entries);
    canonicalize_hardlinks(out.desc.entries);
    out.desc.sort();
    out.embedded_pkgdesc = std::move(contents.embedded_pkgdesc);
    out.file_sha256 = std::move(contents.file_sha256);
    return out;
}

namespace {

Sha256Digest hash_file(int dirfd, const std::string& name, const std::string& shown,
                       std::uint64_t& size) {
    const UniqueFd file(
        ::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!file.valid()) {
        throw IoError::from_errno(shown, "cannot open", errno);
    }
    const int fd = file.get();
    Sha256 hash;
    std::vector<char> buf(1 << 17);
    size = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw IoError::from_errno(shown, "read error", errno);
        }
        if (n == 0) {
            break;
        }
        hash.update(buf.data(), static_cast<std::size_t>(n));
        size += static_cast<std::uint64_t>(n);
    }
    return hash.finish();
}

std::string user_name(uid_t uid) {
    passwd pw{};
    passwd* result = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
        return pw.pw_name;
    }
    return {};
}

std::string group_name(gid_t gid) {
    group gr{};
    group* result = nullptr;
    std::vector<char> buf(16384);
    if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
        return gr.gr_name;
    }
    return {};
}

class TreeWalker {
public:
    TreeWalker(const std::string& root, const TreeOptions& options)
        : m_root(root), m_options(options) {}

    void walk(Pkgdesc& desc) {
        const UniqueFd root(::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!root.valid()) {
            throw IoError::from_errno(m_root, "cannot open directory", errno);
        }
        const int fd = root.get();
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            throw IoError::from_errno(m_root, "cannot stat", errno);
        }
        add(desc, "/", st, -1, "");
        walk_dir(desc, fd, "");
        canonicalize_hardlinks(desc.entries);
        desc.sort();
    }

private:
    void walk_dir(Pkgdesc& desc, int dirfd, const std::string& prefix) {
        const int dupfd = ::dup(dirfd);
        if (dupfd < 0) {
            throw IoError::from_errno(m_root + prefix, "dup", errno);
        }
        std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(dupfd), &::closedir);
        if (!dir) {
            ::close(dupfd);
            throw IoError::from_errno(m_root + prefix, "cannot read directory", errno);
        }
        std::vector<std::string> names;
        errno = 0;
        while (const dirent* d = ::readdir(dir.get())) {
            const std::string name = d->d_name;
            if (name == "." || name == "..") {
                continue;
            }
            if (prefix.empty() && name == "DEBIAN") {
                continue;
            }
            names.push_back(name);
        }
        if (errno != 0) {
            throw IoError::from_errno(m_root + prefix, "cannot read directory", errno);
        }
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            const std::string path = prefix + "/" + name;
            struct stat st {};
            if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                throw IoError::from_errno(m_root + path, "cannot stat", errno);
            }
            add(desc, path, st, dirfd, name);
            if (S_ISDIR(st.st_mode)) {
                const UniqueFd sub(
                    ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!sub.valid()) {
                    throw IoError::from_errno(m_root + path, "cannot open directory", errno);
                }
                walk_dir(desc, sub.get(), path);
            }
        }
    }

    void add(Pkgdesc& desc, const std::string& path, const struct stat& st, int dirfd,
             const std::string& name) {
        if (path.size() > k_max_name_length) {
            throw ArchiveError(m_root + path,
                               "path longer than " + std::to_string(k_max_name_length) + " bytes");
        }
        Entry e;
        e.path = path;
        e.mode = static_cast<std::uint32_t>(st.st_mode) & 07777u;
        if (m_options.owners == TreeOptions::Owners::root) {
            e.uname = "root";
            e.gname = "root";
        } else {
            e.uname = user_name(st.st_uid);
            e.gname = group_name(st.st_gid);
            if (e.uname.empty()) {
                e.uid = st.st_uid;
            }
            if (e.gname.empty()) {
                e.gid = st.st_gid;
            }
        }
        // The tar format dpkg-deb writes keeps whole seconds only.
        e.mtime.seconds = st.st_mtim.tv_sec;
        if (m_options.clamp_mtime && e.mtime.seconds > *m_options.clamp_mtime) {
            e.mtime.seconds = *m_options.clamp_mtime;
        }
        const std::string shown = m_root + path;
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
            const auto key = std::make_pair(st.st_dev, st.st_ino);
            const auto it = m_inodes.find(key);
            if (it != m_inodes.end()) {
                e.type = EntryType::hardlink;
                e.link = it->second;
                desc.entries.push_back(std::move(e));
                return;
            }
            m_inodes.emplace(key, path);
        }
        if (S_ISREG(st.st_mode)) {
            e.type = EntryType::file;
            e.sha256 = hash_file(dirfd, name, shown, e.size);
            if (e.size != static_cast<std::uint64_t>(st.st_size)) {
                throw IoError(shown, "file changed while it was read");
            }
        } else if (S_ISDIR(st.st_mode)) {
            e.type = EntryType::directory;
        } else if (S_ISLNK(st.st_mode)) {
            e.type = EntryType::symlink;
            std::vector<char> buf(k_max_name_length + 2);
            const ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
            if (n < 0) {
                throw IoError::from_errno(shown, "cannot read link", errno);
            }
            if (static_cast<std::size_t>(n) > k_max_name_length) {
                throw ArchiveError(shown, "symlink target too long");
            }
            e.link.assign(buf.data(), static_cast<std::size_t>(n));
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            e.type = S_ISCHR(st.st_mode) ? EntryType::char_device : EntryType::block_device;
            e.dev_major = major(st.st_rdev);
            e.dev_minor = minor(st.st_rdev);
        } else if (S_ISFIFO(st.st_mode)) {
            e.type = EntryType::fifo;
        } else {
            throw ArchiveError(shown, "unsupported file type (socket)");
        }
        desc.entries.push_back(std::move(e));
    }

    const std::string& m_root;
    const TreeOptions& m_options;
    std::map<std::pair<dev_t, ino_t>, std::string> m_inodes;
};

void read_control_dir(Pkgdesc& desc, const std::string& dir) {
    const std::string control_dir = dir + "/DEBIAN";
    const UniqueFd dir_fd(::open(control_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd.valid()) {
        throw IoError::from_errno(control_dir, "cannot open directory", errno);
    }
    const int fd = dir_fd.get();
    const int dupfd = ::dup(fd);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(dupfd), &::closedir);
    if (!d) {
        throw IoError::from_errno(control_dir, "cannot read directory", errno);
    }
    std::string control_text;
    while (const dirent* ent = ::readdir(d.get())) {
        const std::string name = ent->d_name;
        if (name == "." || name == ".." || name == "pkgdesc") {
            continue;
        }
        struct stat st {};
        if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            throw IoError::from_errno(control_dir + "/" + name, "cannot stat", errno);
        }
        if (!S_ISREG(st.st_mode)) {
            throw ArchiveError(control_dir + "/" + name, "control member is not a regular file");
        }
        std::uint64_t size = 0;
        desc.control.push_back({name, hash_file(fd, name, control_dir + "/" + name, size)});
        if (name == "control") {
            if (st.st_size > static_cast<off_t>(k_max_control_size)) {
                throw ArchiveError(control_dir + "/control",
                                   "larger than " + std::to_string(k_max_control_size) + " bytes");
            }
            const UniqueFd cfd(::openat(fd, "control", O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
            if (!cfd.valid()) {
                throw IoError::from_errno(control_dir + "/control", "cannot open", errno);
            }
            control_text.resize(static_cast<std::size_t>(st.st_size));
            std::size_t done = 0;
            while (done < control_text.size()) {
                const ssize_t n =
                    ::read(cfd.get(), control_text.data() + done, control_text.size() - done);
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    throw IoError(control_dir + "/control", "short read");
                }
                done += static_cast<std::size_t>(n);
            }
        }
    }
    if (control_text.empty()) {
        throw ArchiveError(control_dir, "no control file");
    }
    apply_control_fields(desc, control_text, control_dir + "/control");
}

} // namespace

Pkgdesc describe_tree(const std::string& dir, const TreeOptions& options) {
    Pkgdesc desc;
    read_control_dir(desc, dir);
    TreeWalker(dir, options).walk(desc);
    return desc;
}

} // namespace pkgdesc
