// The --unowned walk.
#include <libpkgdesc/verify/unowned_scan.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/lines.hpp>
#include <libpkgdesc/verify/file_check.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pkgdesc {

namespace {

struct DirEntry {
    std::string name;
    mode_t mode = 0;
};

// Lists a directory opened inside the root; returns an error text, empty on success.
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
        struct stat st {};
        if (::fstatat(dir.fd.get(), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            st.st_mode = 0; // vanished meanwhile: reported as an unknown type
        }
        entries.push_back({std::string(name), st.st_mode});
    }
    ::closedir(stream);
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return error;
}

} // namespace

const std::vector<std::string>& default_unowned_allow() {
    static const std::vector<std::string> patterns{
        // Written by maintainer scripts and system tools.
        "/etc/alternatives/*",
        "/etc/ld.so.cache",
        "/etc/passwd",
        "/etc/passwd-",
        "/etc/group",
        "/etc/group-",
        "/etc/shadow",
        "/etc/shadow-",
        "/etc/gshadow",
        "/etc/gshadow-",
        "/etc/subuid",
        "/etc/subuid-",
        "/etc/subgid",
        "/etc/subgid-",
        "/etc/.pwd.lock",
        "/etc/shells",
        "/etc/hostname",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/machine-id",
        "/etc/mtab",
        "/etc/fstab",
        "/etc/localtime",
        "/etc/timezone",
        "/etc/adjtime",
        "/etc/locale.gen",
        "/etc/default/locale",
        "/etc/ssl/certs/*",
        "/etc/ca-certificates.conf",
        "/etc/rc[0-6S].d/*",
        // Only the enablement links: a unit file dropped next to them is still reported.
        "/etc/systemd/system/*.wants",
        "/etc/systemd/system/*.wants/*",
        "/etc/systemd/system/*.requires",
        "/etc/systemd/system/*.requires/*",
        "/etc/systemd/user/*.wants",
        "/etc/systemd/user/*.wants/*",
        // What the installer writes; any other apt source is reported.
        "/etc/apt/sources.list",
        "/etc/apt/sources.list.d/debian.sources",
        "/etc/ssh/ssh_host_*",
        "/etc/dpkg/dpkg.cfg.d/*",
        "/etc/network/interfaces",
        "/etc/udev/hwdb.bin",
        "/etc/initramfs-tools/conf.d/resume",
        "/etc/mailname",
        "/etc/motd",
        "/etc/issue.net",
        "/etc/profile",
        "/etc/nsswitch.conf",
        "/etc/networks",
        "/etc/environment",
        "/etc/opt",
        "/etc/pam.d/common-*",
        "/etc/security/opasswd",
        "/etc/dpkg/origins/default",
        "/etc/fonts/conf.d/*",
        "/etc/xml/catalog",
        "/etc/xml/catalog.old",
        "/etc/xml/*.xml",
        "/etc/xml/*.xml.old",
        "/etc/sgml/catalog",
        "/etc/sgml/*.cat",
        "/etc/sgml/*.cat.old",
        // The empty /usr/local hierarchy base-files creates (its content is still scanned).
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/etc",
        "/usr/local/games",
        "/usr/local/include",
        "/usr/local/lib",
        "/usr/local/lib/python3*",
        "/usr/local/lib/python3*/dist-packages",
        "/usr/local/man",
        "/usr/local/sbin",
        "/usr/local/share",
        "/usr/local/share/ca-certificates",
        "/usr/local/share/fonts",
        "/usr/local/share/man",
        "/usr/local/src",
        // Caches and indexes rebuilt by triggers.
        "*/__pycache__",
        "*.pyc",
        "/usr/share/info/dir",
        "/usr/share/info/dir.old",
        "/usr/lib/locale/locale-archive",
        "/usr/share/mime/*",
        "/usr/share/icons/*/icon-theme.cache",
        "/usr/share/applications/mimeinfo.cache",
        "/usr/share/glib-2.0/schemas/gschemas.compiled",
        "/usr/lib/*/gdk-pixbuf-2.0/*/loaders.cache",
        "/usr/lib/*/gio/modules/giomodule.cache",
        "/usr/lib/*/gtk-*/*/immodules.cache",
        "/usr/share/fonts/*/fonts.dir",
        "/usr/share/fonts/*/fonts.scale",
        "/usr/lib/udev/hwdb.bin",
        "/usr/lib/modules/*/modules.*",
        "/usr/share/doc/*/.*",
        // Boot files written by update-initramfs and the boot loader.
        "/boot/initrd.img-*",
        "/boot/grub/*",
        "/boot/efi/*",
    };
    return patterns;
}

UnownedScan::UnownedScan(const RootDir& root, const LayoutAliases& merged,
                         std::unordered_set<std::string>& owned,
                         const std::vector<std::string>& allow)
    : m_root(root), m_merged(merged), m_owned(owned), m_allow(allow) {}

void UnownedScan::add_ucf_registry() {
    OpenResult file = m_root.open_regular("/var/lib/ucf/registry");
    if (!file.ok()) {
        return;
    }
    const std::string text =
        read_small_file(file.fd.get(), m_root.display("/var/lib/ucf/registry"), 64u << 20);
    for (const std::string_view line : split_lines(text)) {
        const std::size_t slash = line.find('/');
        if (slash != std::string_view::npos) {
            m_owned.insert(m_merged.resolve(line.substr(slash)));
        }
    }
}

void UnownedScan::add_alternatives(const RootDir& admindir) {
    std::vector<DirEntry> entries;
    if (!list_directory(admindir, "alternatives", entries).empty()) {
        return;
    }
    for (const DirEntry& entry : entries) {
        const std::string name = "alternatives/" + entry.name;
        OpenResult file = admindir.open_regular(name);
        if (!file.ok()) {
            continue;
        }
        const std::string text = read_small_file(file.fd.get(), admindir.display(name), 16u << 20);
        // The header (mode, master link, then slave name and link pairs) ends at a blank line.
        for (const std::string_view line : split_lines(text)) {
            if (line.empty()) {
                break;
            }
            if (line.front() == '/') {
                m_owned.insert(m_merged.resolve(line));
            }
        }
    }
}

bool UnownedScan::allowed(const std::string& path) const {
    return std::any_of(m_allow.begin(), m_allow.end(), [&](const std::string& pattern) {
        return ::fnmatch(pattern.c_str(), path.c_str(), 0) == 0;
    });
}

void UnownedScan::scan(const std::string& dir, const std::function<void(Finding&)>& report) {
    std::string start = m_merged.resolve(dir);
    while (start.size() > 1 && start.back() == '/') {
        start.pop_back();
    }
    OpenResult top = m_root.open_at(start, O_PATH | O_NOFOLLOW);
    struct stat st {};
    if (!top.ok() || ::fstat(top.fd.get(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return;
    }
    // An explicit stack: depth is the attacker's choice, the process stack is not.
    std::vector<std::string> pending{start};
    while (!pending.empty()) {
        const std::string path = std::move(pending.back());
        pending.pop_back();
        std::vector<DirEntry> entries;
        const std::string error = list_directory(m_root, path, entries);
        if (!error.empty()) {
            Finding finding;
            finding.path = path;
            finding.status = FileStatus::unverifiable;
            finding.reason = error;
            report(finding);
        }
        std::vector<std::string> subdirs;
        for (const DirEntry& entry : entries) {
            const std::string child = (path == "/" ? "" : path) + "/" + entry.name;
            const bool owned = m_owned.contains(child);
            if (!owned && !allowed(child)) {
                Finding finding;
                finding.path = child;
                finding.status = FileStatus::unowned;
                finding.reason = stat_type_keyword(entry.mode);
                report(finding);
            }
            if (S_ISDIR(entry.mode)) {
                subdirs.push_back(child);
            }
        }
        // Reversed, so the first subdirectory is walked next.
        pending.insert(pending.end(), subdirs.rbegin(), subdirs.rend());
    }
}

} // namespace pkgdesc
