// The --unowned walk.
#include <libpkgdesc/verify/unowned_scan.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/lines.hpp>
#include <libpkgdesc/util/path_glob.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/verifier.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pkgdesc {

namespace {} // namespace

const std::vector<std::string>& default_unowned_allow() {
    // Matched with path_glob_match(): '*' stays inside a component, "**" spans directories.
    // Each was asked "could a file here hide code that runs?"; those where it could (shell
    // profiles, PAM, boot files) are still allowed, as every stock system has them, but shown
    // as "allowed" with what is on disk (-v; JSON with their SHA-256), never hidden.
    static const std::vector<std::string> patterns{
        // Accounts, host identity and settings written by maintainer scripts and the installer.
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
        "/etc/ld.so.cache",
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/ssl/certs/java",
        "/etc/ssl/certs/java/cacerts",
        "/etc/ca-certificates.conf",
        // The enablement directories (their links are owned when they lead to a package's file).
        "/etc/systemd/system/*.wants",
        "/etc/systemd/system/*.requires",
        "/etc/systemd/user/*.wants",
        "/etc/systemd/user/*.requires",
        // What the installer writes; any other apt source is reported.
        "/etc/apt/sources.list",
        "/etc/apt/sources.list.d/debian.sources",
        "/etc/ssh/ssh_host_*_key",
        "/etc/ssh/ssh_host_*_key.pub",
        "/etc/network/interfaces",
        "/etc/udev/hwdb.bin",
        "/etc/initramfs-tools/conf.d/resume",
        "/etc/mailname",
        "/etc/default/exim4", // written by update-exim4defaults, which exim4-base's postinst runs
        "/etc/motd",
        "/etc/issue.net",
        "/etc/profile",
        "/etc/nsswitch.conf",
        "/etc/networks",
        "/etc/environment",
        "/etc/opt",
        "/etc/pam.d/common-account",
        "/etc/pam.d/common-auth",
        "/etc/pam.d/common-password",
        "/etc/pam.d/common-session",
        "/etc/pam.d/common-session-noninteractive",
        "/etc/security/opasswd",
        "/etc/dpkg/origins/default",
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
        "/usr/local/lib/python3.*",
        "/usr/local/lib/python3.*/dist-packages",
        "/usr/local/man",
        "/usr/local/sbin",
        "/usr/local/share",
        "/usr/local/share/ca-certificates",
        "/usr/local/share/fonts",
        "/usr/local/share/man",
        "/usr/local/src",
        // Caches and indexes rebuilt by triggers (bytecode caches: see UnownedScan::scan).
        "/**/__pycache__",
        "/usr/share/info/dir",
        "/usr/share/info/dir.old",
        "/usr/lib/locale/locale-archive",
        "/usr/share/mime/**",
        "/usr/share/icons/*/icon-theme.cache",
        "/usr/share/applications/mimeinfo.cache",
        "/usr/share/glib-2.0/schemas/gschemas.compiled",
        "/usr/lib/*/gdk-pixbuf-2.0/*/loaders.cache",
        "/usr/lib/*/gio/modules/giomodule.cache",
        "/usr/lib/*/gtk-*/*/immodules.cache",
        "/usr/share/fonts/**/fonts.dir",
        "/usr/share/fonts/**/fonts.scale",
        "/usr/share/fonts/**/.uuid",
        "/usr/lib/udev/hwdb.bin",
        // depmod's output, by name: a module dropped next to them is reported.
        "/usr/lib/modules/*/modules.alias",
        "/usr/lib/modules/*/modules.alias.bin",
        "/usr/lib/modules/*/modules.builtin.alias.bin",
        "/usr/lib/modules/*/modules.builtin.bin",
        "/usr/lib/modules/*/modules.dep",
        "/usr/lib/modules/*/modules.dep.bin",
        "/usr/lib/modules/*/modules.devname",
        "/usr/lib/modules/*/modules.softdep",
        "/usr/lib/modules/*/modules.symbols",
        "/usr/lib/modules/*/modules.symbols.bin",
        "/usr/lib/modules/*/modules.weakdep",
        // Boot files written by update-initramfs and the boot loader.
        "/boot/initrd.img-*",
        "/boot/grub/**",
        "/boot/efi/**",
    };
    return patterns;
}

UnownedScan::UnownedScan(const CheckContext& context, const LayoutAliases& merged,
                         const std::unordered_set<std::string>& owned,
                         const std::vector<std::string>& allow)
    : m_context(context), m_merged(merged), m_owned(owned), m_allow(allow) {}

void UnownedScan::vouch(const std::string& path, std::string reason) {
    const std::string real = m_merged.resolve(path);
    if (real.starts_with("/etc/")) {
        m_vouched.emplace(real, std::move(reason));
    }
}

void UnownedScan::add_ucf_registry(const std::function<bool(std::string_view)>& known) {
    const RootDir& root = m_context.root;
    OpenResult file = root.open_regular("/var/lib/ucf/registry");
    if (!file.ok()) {
        return;
    }
    const std::string text =
        read_small_file(file.fd.get(), root.display("/var/lib/ucf/registry"), 64u << 20);
    // "PACKAGE  PATH" lines; ucf only ever manages configuration files.
    for (const std::string_view line : split_lines(text)) {
        const std::size_t space = line.find_first_of(" \t");
        const std::size_t slash = line.find('/');
        if (space == std::string_view::npos || slash == std::string_view::npos || slash < space) {
            continue;
        }
        const std::string_view package = line.substr(0, space);
        if (line.substr(space).find_first_not_of(" \t") != slash - space || !known(package)) {
            continue;
        }
        vouch(std::string(line.substr(slash)), "managed by ucf for " + std::string(package));
    }
}

namespace {

// The parts of an ADMINDIR/alternatives/NAME file that ownership needs (update-alternatives(1):
// mode, master link, slave name/link pairs up to an empty line, then per choice its path, its
// priority and one line per slave, up to an empty line).
struct Alternative {
    std::string name;
    std::string master_link;
    std::vector<std::pair<std::string, std::string>> slaves; // name, link
    std::vector<std::vector<std::string>> choices;           // path, then a path per slave
};

std::optional<Alternative> parse_alternative(const std::string& name, std::string_view text) {
    const std::vector<std::string_view> lines = split_lines(text);
    std::size_t i = 0;
    auto next = [&]() -> std::optional<std::string_view> {
        if (i >= lines.size()) {
            return std::nullopt;
        }
        return lines[i++];
    };
    Alternative alt;
    alt.name = name;
    const auto mode = next();
    const auto master = next();
    if (!mode || (*mode != "auto" && *mode != "manual") || !master || !master->starts_with('/')) {
        return std::nullopt;
    }
    alt.master_link = std::string(*master);
    for (;;) {
        const auto slave = next();
        if (!slave) {
            return std::nullopt;
        }
        if (slave->empty()) {
            break;
        }
        const auto link = next();
        if (!link || !link->starts_with('/') || slave->find('/') != std::string_view::npos) {
            return std::nullopt;
        }
        alt.slaves.emplace_back(*slave, *link);
    }
    for (;;) {
        const auto path = next();
        if (!path) {
            return std::nullopt;
        }
        if (path->empty()) {
            break;
        }
        const auto priority = next();
        if (!priority || !path->starts_with('/')) {
            return std::nullopt;
        }
        std::vector<std::string> choice{std::string(*path)};
        for (std::size_t k = 0; k < alt.slaves.size(); ++k) {
            const auto slave_path = next();
            if (!slave_path) {
                return std::nullopt;
            }
            choice.emplace_back(*slave_path);
        }
        alt.choices.push_back(std::move(choice));
    }
    return alt;
}

// A lexically normalized absolute path ("/a/./b/../c" -> "/a/c"; ".." stops at "/").
std::string normalize(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    while (pos < path.size()) {
        const std::size_t slash = path.find('/', pos);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        const std::string_view part = path.substr(pos, end - pos);
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        pos = end + 1;
    }
    std::string out;
    for (const std::string_view part : parts) {
        out += "/";
        out += part;
    }
    return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

constexpr const char* k_alternative_reason =
    "update-alternatives link that does not lead to a registered, package-owned choice";

// Unowned and allowed files are hashed up to this size (a sparse 15 TiB file costs nothing).

bool in_enablement_dir(const std::string& path) {
    static const std::vector<std::string> patterns{
        "/etc/systemd/system/**", "/etc/systemd/user/**", "/etc/rc[0-6S].d/*",
        "/etc/fonts/conf.d/*",    "/etc/ssl/certs/*",
    };
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return path_glob_match(pattern, path); });
}

} // namespace

std::string UnownedScan::read_link(const std::string& path) const {
    if (m_context.observer != nullptr) {
        const Observation obs =
            observe(m_context, m_merged.resolve(path), [](const struct stat&) { return false; });
        return obs.found && !obs.through_symlink && S_ISLNK(obs.st.st_mode) &&
                       obs.hash_error.empty() && obs.link.size() < 4096
                   ? obs.link
                   : std::string();
    }
    OpenResult node = m_context.root.open_at(m_merged.resolve(path), O_PATH | O_NOFOLLOW);
    struct stat st {};
    if (!node.ok() || ::fstat(node.fd.get(), &st) != 0 || !S_ISLNK(st.st_mode)) {
        return {};
    }
    std::vector<char> target(4096);
    const ssize_t n = ::readlinkat(node.fd.get(), "", target.data(), target.size());
    if (n <= 0 || static_cast<std::size_t>(n) >= target.size()) {
        return {};
    }
    return std::string(target.data(), static_cast<std::size_t>(n));
}

bool UnownedScan::owned(const std::string& path) const {
    const std::string real = m_merged.resolve(path);
    return m_owned.contains(real) || m_chain_owned.contains(real);
}

void UnownedScan::add_alternatives(const RootDir& admindir) {
    std::vector<DirEntry> entries;
    if (!list_directory(admindir, "alternatives", entries).empty()) {
        return;
    }
    for (const DirEntry& entry : entries) {
        const std::string file_name = "alternatives/" + entry.name;
        OpenResult file = admindir.open_regular(file_name);
        if (!file.ok() || entry.name.find('/') != std::string::npos) {
            continue;
        }
        const std::string text =
            read_small_file(file.fd.get(), admindir.display(file_name), 16u << 20);
        const std::optional<Alternative> alt = parse_alternative(entry.name, text);
        if (!alt) {
            continue;
        }
        // The chain: link -> /etc/alternatives/NAME -> a registered choice a package owns.
        auto prove = [&](const std::string& link, const std::string& name,
                         const std::function<bool(const std::string&)>& registered) {
            const std::string alt_link = "/etc/alternatives/" + name;
            const std::string choice = read_link(alt_link);
            const bool alt_ok = !choice.empty() && registered(choice) && owned(choice);
            if (alt_ok) {
                m_chain_owned.insert(m_merged.resolve(alt_link));
            } else {
                m_claims.emplace(m_merged.resolve(alt_link), k_alternative_reason);
            }
            if (alt_ok && read_link(link) == alt_link) {
                m_chain_owned.insert(m_merged.resolve(link));
            } else {
                m_claims.emplace(m_merged.resolve(link), k_alternative_reason);
            }
        };
        prove(alt->master_link, alt->name, [&](const std::string& target) {
            return std::any_of(alt->choices.begin(), alt->choices.end(),
                               [&](const auto& choice) { return choice[0] == target; });
        });
        for (std::size_t k = 0; k < alt->slaves.size(); ++k) {
            prove(alt->slaves[k].second, alt->slaves[k].first, [&](const std::string& target) {
                return std::any_of(alt->choices.begin(), alt->choices.end(),
                                   [&](const auto& choice) { return choice[k + 1] == target; });
            });
        }
    }
}

bool UnownedScan::link_leads_to_owned(const std::string& path) const {
    std::string current = path;
    for (int hop = 0; hop < 8; ++hop) {
        const std::string target = read_link(current);
        if (target.empty()) {
            return false;
        }
        current = m_merged.resolve(
            normalize(target.front() == '/' ? target : parent_of(current) + "/" + target));
        if (m_owned.contains(current)) {
            return true;
        }
    }
    return false;
}

bool UnownedScan::allowed(const std::string& path) const {
    if (std::any_of(m_allow.begin(), m_allow.end(),
                    [&](const std::string& pattern) { return path_glob_match(pattern, path); })) {
        return true;
    }
    // A bytecode cache is only ever used with its source: allowed when a package owns that.
    // (A sourceless module, NAME.pyc next to no NAME.py, is reported.)
    const std::string dir = parent_of(path);
    if (path.ends_with(".pyc") && dir.ends_with("/__pycache__")) {
        const std::string file = path.substr(dir.size() + 1);
        const std::string module = file.substr(0, file.find('.'));
        return !module.empty() && owned(parent_of(dir) + "/" + module + ".py");
    }
    return false;
}

Finding describe_unowned(const CheckContext& context, const std::string& path, FileStatus status,
                         std::string reason) {
    Finding finding;
    finding.path = path;
    finding.status = status;
    finding.reason = std::move(reason);
    const Observation obs = observe(context, path, [](const struct stat& st) {
        const auto size = static_cast<std::uint64_t>(st.st_size);
        return size <= k_max_unowned_hash;
    });
    finding.bytes_read = obs.bytes_read;
    if (!obs.found) {
        // Vanished meanwhile, or unreadable: still reported, without what is not known.
        return finding;
    }
    Finding::Observed seen;
    seen.type = stat_type_keyword(obs.st.st_mode);
    seen.mode = obs.st.st_mode & 07777u;
    const std::string user = context.accounts.user_name(obs.st.st_uid);
    const std::string group = context.accounts.group_name(obs.st.st_gid);
    seen.owner = user.empty() ? "#" + std::to_string(obs.st.st_uid) : user;
    seen.group = group.empty() ? "#" + std::to_string(obs.st.st_gid) : group;
    seen.size = S_ISREG(obs.st.st_mode) ? static_cast<std::uint64_t>(obs.st.st_size) : 0;
    seen.sha256 = obs.sha256 ? to_hex(*obs.sha256) : std::string();
    seen.link = obs.link;
    if (!S_ISLNK(obs.st.st_mode) && (obs.st.st_mode & S_ISUID) != 0) {
        seen.flags.emplace_back("setuid");
    }
    if (!S_ISLNK(obs.st.st_mode) && !S_ISDIR(obs.st.st_mode) && (obs.st.st_mode & S_ISGID) != 0) {
        seen.flags.emplace_back("setgid");
    }
    for (const std::string& name : obs.xattrs) {
        const std::string flag = name == "security.capability"          ? "capabilities"
                                 : name.starts_with("system.posix_acl") ? "acl"
                                                                        : "xattrs";
        if (std::find(seen.flags.begin(), seen.flags.end(), flag) == seen.flags.end()) {
            seen.flags.push_back(flag);
        }
    }
    if (!obs.hash_error.empty() && S_ISREG(obs.st.st_mode) && finding.reason.empty()) {
        finding.reason =
            seen.size > k_max_unowned_hash
                ? "larger than " + std::to_string(k_max_unowned_hash) + " bytes: not hashed"
                : obs.hash_error;
    }
    finding.observed = std::move(seen);
    return finding;
}

// Nothing that no package owns is allowed to raise privileges: a setuid, setgid or
// capability-carrying file under an allow pattern or a record is reported all the same.
Finding& UnownedScan::privileged_never_allowed(Finding& finding) {
    if (finding.status != FileStatus::allowed || !finding.observed ||
        finding.observed->type != "file") {
        return finding;
    }
    for (const char* flag : {"setuid", "setgid", "capabilities"}) {
        const auto& flags = finding.observed->flags;
        if (std::find(flags.begin(), flags.end(), flag) != flags.end()) {
            finding.status = FileStatus::unowned;
            finding.reason =
                std::string(finding.reason.empty() ? "matches an allow pattern" : finding.reason) +
                ", but is " + flag;
            break;
        }
    }
    return finding;
}

void UnownedScan::scan(const std::string& dir, const std::function<void(Finding&)>& report) {
    const RootDir& root = m_context.root;
    std::string start = m_merged.resolve(dir);
    while (start.size() > 1 && start.back() == '/') {
        start.pop_back();
    }
    if (m_context.observer != nullptr) {
        const Observation top = observe(m_context, start, [](const struct stat&) { return false; });
        if (!top.found || top.through_symlink || !S_ISDIR(top.st.st_mode)) {
            return;
        }
    } else {
        OpenResult top = root.open_at(start, O_PATH | O_NOFOLLOW);
        struct stat st {};
        if (!top.ok() || ::fstat(top.fd.get(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            return;
        }
    }
    // An explicit stack: depth is the attacker's choice, the process stack is not.
    std::vector<std::string> pending{start};
    while (!pending.empty()) {
        const std::string path = std::move(pending.back());
        pending.pop_back();
        std::vector<DirEntry> entries;
        const std::string error = list_directory(m_context, path, entries);
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
            const bool is_owned =
                m_owned.contains(child) || m_chain_owned.contains(child) ||
                (S_ISLNK(entry.mode()) && in_enablement_dir(child) && link_leads_to_owned(child));
            if (!is_owned) {
                const auto claim = m_claims.find(child);
                const auto vouched = m_vouched.find(child);
                if (claim != m_claims.end()) {
                    Finding finding =
                        describe_unowned(m_context, child, FileStatus::unowned, claim->second);
                    report(finding);
                } else if (vouched != m_vouched.end()) {
                    Finding finding =
                        describe_unowned(m_context, child, FileStatus::allowed, vouched->second);
                    report(privileged_never_allowed(finding));
                } else {
                    Finding finding = describe_unowned(
                        m_context, child,
                        allowed(child) ? FileStatus::allowed : FileStatus::unowned, {});
                    report(privileged_never_allowed(finding));
                }
            }
            if (S_ISDIR(entry.mode())) {
                subdirs.push_back(child);
            }
        }
        // Reversed, so the first subdirectory is walked next.
        pending.insert(pending.end(), subdirs.rbegin(), subdirs.rend());
    }
}

} // namespace pkgdesc
