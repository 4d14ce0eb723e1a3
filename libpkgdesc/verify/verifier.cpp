// The verification engine: plans which real path is checked against which reference entries,
// checks them on worker threads, and scans for unowned files.
#include <libpkgdesc/verify/verifier.hpp>

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/path_glob.hpp>
#include <libpkgdesc/util/thread_pool.hpp>
#include <libpkgdesc/verify/control_check.hpp>
#include <libpkgdesc/verify/explanations.hpp>
#include <libpkgdesc/verify/file_check.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>
#include <libpkgdesc/verify/md5sums.hpp>
#include <libpkgdesc/verify/tmpfiles.hpp>
#include <libpkgdesc/verify/unowned_scan.hpp>
#include <libpkgdesc/verify/verdict_cache.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <future>
#include <map>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace pkgdesc {

namespace {

// One package's claim on a real path.
// Pointers only: a whole system plans hundreds of thousands of them.
struct Candidate {
    const InstalledPackage* package = nullptr;
    const Pkgdesc* desc = nullptr;
    const Entry* entry = nullptr;             // nullptr: nothing to compare with (see reason)
    const std::string* listed_path = nullptr; // in the package's list or its reference
    const char* reason = nullptr;
    const Diversion* diversion = nullptr;
    const StatOverride* statoverride = nullptr;
    // For a package without reference data: the digest its md5sums (or dpkg's conffile record)
    // gives, compared only where no reference entry claims the path.
    const Md5Digest* md5 = nullptr;
    bool conffile = false;
    // The names of the entry's inode in its package (see Expectation::links).
    std::uint32_t links = 1;
};

// For each path that hard links of a package point to, how many do.
using HardlinkCounts = std::unordered_map<std::string_view, std::uint32_t>;

// Whether the opened root is the running system's "/" (same device and inode).
bool is_running_system(const RootDir& root) {
    struct stat system {};
    struct stat checked {};
    return ::stat("/", &system) == 0 && ::fstat(root.fd(), &checked) == 0 &&
           system.st_dev == checked.st_dev && system.st_ino == checked.st_ino;
}

HardlinkCounts hardlink_counts(const Pkgdesc& desc) {
    HardlinkCounts counts;
    for (const Entry& entry : desc.entries) {
        if (entry.type == EntryType::hardlink) {
            ++counts[entry.link];
        }
    }
    return counts;
}

std::uint32_t inode_names(const HardlinkCounts& counts, const Entry* entry) {
    if (entry == nullptr) {
        return 1;
    }
    const auto it = counts.find(entry->type == EntryType::hardlink ? entry->link : entry->path);
    return 1 + (it != counts.end() ? it->second : 0);
}

// The most MD5 claims of unreferenced packages a run takes (like the caps on file lists).
constexpr std::size_t k_max_md5_claims = 8'000'000;

struct CheckItem {
    std::string path;
    std::vector<Candidate> candidates;
    // For a path asked for that no candidate claims: the package without reference data whose
    // file list names it (a directory or symlink, which md5sums does not cover), if any.
    const InstalledPackage* listed_by = nullptr;
};

class Planner {
public:
    Planner(const DpkgDatabase& db, const LayoutAliases& merged) : m_db(db), m_merged(merged) {}

    // The real location of a path of `package`'s list: diverted, then de-aliased.
    std::string real_path(const InstalledPackage& package, const std::string& listed,
                          const Diversion** applied = nullptr) const {
        const Diversion* diversion = m_db.find_diversion(listed);
        if (diversion != nullptr && diversion->by != package.name) {
            if (applied != nullptr) {
                *applied = diversion;
            }
            return m_merged.resolve(diversion->to);
        }
        return m_merged.resolve(listed);
    }

    const StatOverride* statoverride(const std::string& real, const std::string& listed) const {
        const StatOverride* found = m_db.find_statoverride(real);
        return found != nullptr ? found : m_db.find_statoverride(listed);
    }

private:
    const DpkgDatabase& m_db;
    const LayoutAliases& m_merged;
};

std::optional<std::uint32_t> resolve_id(const RootAccounts& accounts, const std::string& name,
                                        bool user) {
    if (name.size() > 1 && name.front() == '#') {
        std::uint32_t id = 0;
        const char* end = name.data() + name.size();
        const auto [ptr, ec] = std::from_chars(name.data() + 1, end, id);
        if (ec != std::errc() || ptr != end) {
            return std::nullopt;
        }
        return id;
    }
    return user ? accounts.uid(name) : accounts.gid(name);
}

bool matches_any(const std::vector<std::string>& patterns, const std::string& path) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return path_glob_match(pattern, path); });
}

// Ids beyond 32 bits cannot be on a Linux file system: nothing can match them.
std::optional<std::uint32_t> narrow_id(const std::optional<std::uint64_t>& id) {
    if (!id || *id > 0xFFFFFFFFu) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(*id);
}

Expectation expectation_for(const Candidate& candidate, const Planner& planner,
                            const RootAccounts& accounts,
                            const std::vector<std::string>& expect_changed,
                            const std::string& real_path) {
    const Entry* entry = candidate.entry;
    Expectation exp;
    if (entry->type == EntryType::hardlink) {
        // A hard link has its target's attributes and must share its inode.
        const Entry* target = candidate.desc->find(entry->link);
        exp.hardlink_to = planner.real_path(*candidate.package, entry->link);
        if (target != nullptr) {
            entry = target;
        }
    }
    exp.type = entry->type == EntryType::hardlink ? EntryType::file : entry->type;
    exp.mode = entry->mode;
    exp.size = entry->size;
    exp.sha256 = entry->sha256;
    exp.link = entry->link;
    exp.dev_major = entry->dev_major;
    exp.dev_minor = entry->dev_minor;
    exp.links = candidate.links;
    // dpkg sets the mtime of what it unpacks, but keeps an unchanged conffile (and its mtime)
    // across upgrades, and like rpm -V we do not hold symlinks to theirs; directory mtimes
    // change with their content.
    if (exp.type != EntryType::directory && exp.type != EntryType::symlink && !candidate.conffile) {
        exp.mtime = entry->mtime.seconds;
    }
    // dpkg gives a file the owner named in the archive when the system knows the name, else the
    // number.
    exp.owner = entry->uname.empty() ? "#" + std::to_string(entry->uid.value_or(0)) : entry->uname;
    exp.uid = entry->uname.empty() ? narrow_id(entry->uid) : accounts.uid(entry->uname);
    if (!exp.uid && !entry->uname.empty()) {
        exp.uid = narrow_id(entry->uid);
    }
    exp.group = entry->gname.empty() ? "#" + std::to_string(entry->gid.value_or(0)) : entry->gname;
    exp.gid = entry->gname.empty() ? narrow_id(entry->gid) : accounts.gid(entry->gname);
    if (!exp.gid && !entry->gname.empty()) {
        exp.gid = narrow_id(entry->gid);
    }
    for (const auto& [key, value] : candidate.entry->unknown) {
        exp.unknown += (exp.unknown.empty() ? "" : ", ") + key;
    }
    exp.skip_metadata = matches_any(expect_changed, real_path);
    if (candidate.statoverride != nullptr) {
        // The statoverride file is the checked system's own word, so it may take privilege
        // away but not give it: a setuid (setgid) bit the reference lacks, or one for another
        // owner (group) than the reference's, counts only when the package's proven scripts
        // set it (the caller asks ScriptExplanations).
        const StatOverride& so = *candidate.statoverride;
        std::uint32_t refused = so.mode & (S_ISUID | S_ISGID) & ~entry->mode;
        if ((so.mode & S_ISUID) != 0 && so.user != exp.owner) {
            refused |= S_ISUID;
        }
        if ((so.mode & S_ISGID) != 0 && so.group != exp.group) {
            refused |= S_ISGID;
        }
        exp.owner = so.user;
        exp.group = so.group;
        exp.uid = resolve_id(accounts, so.user, true);
        exp.gid = resolve_id(accounts, so.group, false);
        exp.mode = so.mode & ~refused;
        exp.refused_privilege = refused;
    }
    return exp;
}

// The regular file a candidate expects (a hard link's target), or nullptr.
const Entry* expected_file(const Candidate& candidate) {
    const Entry* entry = candidate.entry;
    if (entry != nullptr && entry->type == EntryType::hardlink) {
        entry = candidate.desc->find(entry->link);
    }
    return entry != nullptr && entry->type == EntryType::file ? entry : nullptr;
}

// Without reference data no size rules a planted giant out: a file is read against md5sums up
// to k_max_md5sums_file_size, and not when it is large and mostly holes (dpkg writes every
// byte it unpacks; such a file is not what it unpacked, yet costs its whole size to hash).
bool md5_worth_reading(const struct stat& st) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto allocated = static_cast<std::uint64_t>(st.st_blocks) * 512;
    return size <= k_max_md5sums_file_size && (size <= (64u << 20) || allocated >= size / 8);
}

// Compares a file of an unreferenced package with the system's own MD5 of it, as dpkg --verify
// does: content only, never pristine.
void check_md5(const CheckContext& context, const std::string& path, const Md5Digest& expected,
               std::optional<Observation>& observation, Finding& finding) {
    finding.md5sums = true;
    if (!observation) {
        observation = observe(
            context, path, [](const struct stat& st) { return md5_worth_reading(st); },
            Digest::md5);
    }
    const Observation& obs = *observation;
    finding.bytes_read = obs.bytes_read;
    if (!obs.found) {
        finding.status = obs.failure;
        finding.reason = obs.reason;
    } else if (!S_ISREG(obs.st.st_mode)) {
        finding.status = FileStatus::modified;
        finding.failed.push_back({"type", "file", stat_type_keyword(obs.st.st_mode)});
    } else if (!obs.md5) {
        finding.status = FileStatus::unverifiable;
        finding.reason = static_cast<std::uint64_t>(obs.st.st_size) > k_max_md5sums_file_size
                             ? "larger than " + std::to_string(k_max_md5sums_file_size) +
                                   " bytes: not read without reference data"
                         : !md5_worth_reading(obs.st)
                             ? "mostly holes (sparse): not read without reference data"
                             : obs.hash_error;
    } else if (*obs.md5 != expected) {
        finding.status = FileStatus::modified;
        finding.failed.push_back({"md5", to_hex(expected), to_hex(*obs.md5)});
    } else {
        finding.status = FileStatus::unproven;
    }
}

// The real paths of the inode a candidate expects, by its package's reference: its own, its
// hard link's target, and the hard links to it.
std::vector<std::string> inode_paths(const Candidate& candidate, const Planner& planner,
                                     const std::string& path) {
    std::vector<std::string> paths{path};
    const Entry* entry = candidate.entry;
    const std::string& target =
        entry->type == EntryType::hardlink ? entry->link : *candidate.listed_path;
    if (entry->type == EntryType::hardlink) {
        paths.push_back(planner.real_path(*candidate.package, target));
    }
    for (const Entry& other : candidate.desc->entries) {
        if (other.type == EntryType::hardlink && other.link == target && &other != entry) {
            paths.push_back(planner.real_path(*candidate.package, other.path));
        }
    }
    return paths;
}

Finding check_item(const CheckItem& item, const CheckContext& context, const Planner& planner,
                   const std::vector<std::string>& expect_changed,
                   const ScriptExplanations& explanations) {
    if (item.candidates.empty() && item.listed_by != nullptr) {
        Finding finding;
        finding.path = item.path;
        finding.package = item.listed_by->display_name();
        finding.md5sums = true;
        finding.status = FileStatus::unverifiable;
        finding.reason = "its package has no reference data, and its md5sums covers regular "
                         "files only";
        return finding;
    }
    if (item.candidates.empty()) {
        // Asked for by path (VerifyOptions::only_paths), and no package claims it.
        Finding finding = describe_unowned(context, item.path, FileStatus::unowned,
                                           "owned by no installed package");
        if (!finding.observed) {
            finding.reason += "; nothing there to observe";
        }
        return finding;
    }
    std::optional<Observation> observation;
    std::optional<Finding> first;
    // Reference data, where any claimant has it, is all that counts for a path.
    const bool referenced = std::any_of(item.candidates.begin(), item.candidates.end(),
                                        [](const Candidate& c) { return c.md5 == nullptr; });
    for (const Candidate& candidate : item.candidates) {
        if (referenced && candidate.md5 != nullptr) {
            continue;
        }
        Finding finding;
        finding.path = item.path;
        if (*candidate.listed_path != item.path) {
            finding.listed_path = *candidate.listed_path;
        }
        finding.package = candidate.package->display_name();
        finding.conffile = candidate.conffile;
        if (candidate.diversion != nullptr) {
            finding.diverted_by =
                candidate.diversion->by.empty() ? "local" : candidate.diversion->by;
        }
        if (candidate.reason != nullptr) {
            finding.reason = candidate.reason;
        }
        if (candidate.statoverride != nullptr) {
            const StatOverride& so = *candidate.statoverride;
            finding.statoverride = so.user + " " + so.group + " " + mode_text(so.mode);
        }
        if (candidate.md5 != nullptr) {
            check_md5(context, item.path, *candidate.md5, observation, finding);
        } else if (candidate.entry == nullptr) {
            finding.status = FileStatus::unverifiable;
        } else {
            const Expectation exp =
                expectation_for(candidate, planner, context.accounts, expect_changed, item.path);
            // One claimant expecting a regular file: its verdict may be an earlier run's.
            const bool cacheable = context.observer == nullptr && item.candidates.size() == 1 &&
                                   exp.type == EntryType::file && exp.sha256.has_value();
            // The key of the state found, when the record was looked up with it.
            std::optional<VerdictCache::Key> looked_up;
            if (!observation) {
                ProvenBefore proven_before;
                if (cacheable && context.verdicts_known != nullptr &&
                    context.verdicts_known->known() != 0) {
                    proven_before = [&](const struct stat& st) -> const Sha256Digest* {
                        looked_up = VerdictCache::key(item.path, st, exp, context.ignore_xattrs);
                        return context.verdicts_known->contains(*looked_up) ? &*exp.sha256
                                                                            : nullptr;
                    };
                }
                // Opened for reading at once when the references expect what is read anyway.
                const bool readable = std::all_of(
                    item.candidates.begin(), item.candidates.end(), [](const Candidate& c) {
                        return c.entry == nullptr || c.entry->type == EntryType::file ||
                               c.entry->type == EntryType::hardlink ||
                               c.entry->type == EntryType::directory;
                    });
                observation = observe(
                    context, item.path,
                    [&](const struct stat& st) {
                        const auto size = static_cast<std::uint64_t>(st.st_size);
                        return std::any_of(item.candidates.begin(), item.candidates.end(),
                                           [&](const Candidate& c) {
                                               const Entry* e = expected_file(c);
                                               return e != nullptr && e->size == size;
                                           });
                    },
                    Digest::sha256, readable, proven_before);
            }
            finding.bytes_read = observation->bytes_read;
            compare(context, *observation, exp, finding);
            if (cacheable && context.verdicts_proven != nullptr &&
                finding.status == FileStatus::pristine && observation->found &&
                !observation->through_symlink && observation->xattrs.empty() &&
                !observation->other_xattrs && observation->sha256 && !observation->volatile_times &&
                context.verdicts_proven->settled(observation->st)) {
                // A state taken from the record is the one its key was made of.
                context.verdicts_proven->add(observation->proven_before && looked_up
                                                 ? *looked_up
                                                 : VerdictCache::key(item.path, observation->st,
                                                                     exp, context.ignore_xattrs));
            }
            // What dpkg-statoverride sets is the statoverride's to say, not a script's; and a
            // script's command acts on the file at the path it names, which a diversion has
            // replaced with another.
            if ((candidate.statoverride == nullptr || exp.refused_privilege != 0) &&
                candidate.diversion == nullptr && finding.status == FileStatus::metadata &&
                explanations.has_changes(*candidate.package)) {
                explanations.explain(*candidate.package, inode_paths(candidate, planner, item.path),
                                     exp.type, exp.mode, *observation, context.accounts, finding);
            }
            if (exp.refused_privilege != 0 && finding.status == FileStatus::metadata &&
                finding.reason.empty()) {
                finding.reason = std::string("its statoverride asks for ") +
                                 ((exp.refused_privilege & S_ISUID) != 0 ? "setuid" : "setgid") +
                                 ", which neither its reference nor its package's scripts give";
            }
            if (finding.status == FileStatus::pristine && exp.type == EntryType::file &&
                observation->sha256) {
                finding.proven_sha256 = to_hex(*observation->sha256);
                finding.proven_size = static_cast<std::uint64_t>(observation->st.st_size);
                if (context.observer == nullptr || context.observer->complete()) {
                    finding.proven_identity = identity_of(observation->st);
                }
            }
            if (finding.status == FileStatus::pristine && observation->found) {
                finding.proven_mode = static_cast<std::uint32_t>(observation->st.st_mode);
            }
            finding.other_xattrs = observation->other_xattrs;
            if (observation->through_symlink && finding.reason.empty()) {
                finding.reason = "reached through a symbolic link";
            }
        }
        // A directory shared by several packages is proven by any claimant's reference that
        // matches; anything else must match every claimant's (Multi-Arch: same files are
        // identical), so that no package's file can vouch for another's path.
        const bool directory =
            candidate.entry != nullptr && candidate.entry->type == EntryType::directory;
        if (directory && finding.status == FileStatus::pristine) {
            return finding;
        }
        if (!first || (!is_deviation(first->status) && is_deviation(finding.status))) {
            first = std::move(finding);
        }
    }
    return std::move(*first);
}

// The largest tmpfiles.d file read for its metadata (Debian's are a few hundred bytes).
constexpr std::size_t k_max_tmpfiles_size = 1u << 20;

// The metadata that `package`'s own tmpfiles.d files declare, for those that are on disk byte
// for byte as its reference describes them and that no file of the same name in /etc or /run
// overrides (systemd-tmpfiles would read that one instead).
std::vector<ScriptChange> proven_tmpfiles_changes(const RootDir& root, const Planner& planner,
                                                  const LayoutAliases& merged,
                                                  const InstalledPackage& package,
                                                  const Pkgdesc& desc) {
    std::vector<ScriptChange> changes;
    for (const Entry& entry : desc.entries) {
        // Cheap tests first: this runs over every entry of every checked package.
        if (entry.type != EntryType::file || !entry.path.ends_with(".conf") ||
            entry.path.find("/tmpfiles.d/") == std::string::npos) {
            continue;
        }
        const std::string real = planner.real_path(package, entry.path);
        const std::string_view dir = "/usr/lib/tmpfiles.d/";
        if (!real.starts_with(dir) || real.find('/', dir.size()) != std::string::npos ||
            !entry.sha256 || entry.size > k_max_tmpfiles_size) {
            continue;
        }
        const std::string name = real.substr(dir.size());
        static constexpr std::array<std::string_view, 2> k_overrides{"/etc/tmpfiles.d/",
                                                                     "/run/tmpfiles.d/"};
        const bool overridden =
            std::any_of(k_overrides.begin(), k_overrides.end(), [&](std::string_view other) {
                const OpenResult node =
                    root.open_at(merged.resolve(std::string(other) + name), O_PATH | O_NOFOLLOW);
                return node.ok() || node.error != ENOENT;
            });
        OpenResult file = root.open_regular(real);
        if (overridden || !file.ok()) {
            continue;
        }
        std::string text;
        try {
            text = read_small_file(file.fd.get(), root.display(real), k_max_tmpfiles_size);
        } catch (const Error&) {
            continue; // the file itself is reported by its own check
        }
        if (Sha256::digest(text) != *entry.sha256) {
            continue;
        }
        std::vector<ScriptChange> found = parse_tmpfiles_metadata(text, real);
        changes.insert(changes.end(), std::make_move_iterator(found.begin()),
                       std::make_move_iterator(found.end()));
    }
    return changes;
}

// The absolute paths under /etc written out in a script ("/etc/inputrc", "/etc/aliases"): the
// files a package's postinst creates from templates or debconf answers, which no file list
// names. A word that holds an expansion or a glob is no such path.
std::vector<std::string> literal_etc_paths(std::string_view text) {
    std::vector<std::string> paths;
    const std::string_view separators = " \t\n;|&<>()'\"`=";
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t start = text.find_first_not_of(separators, pos);
        if (start == std::string_view::npos) {
            break;
        }
        const std::size_t end = std::min(text.find_first_of(separators, start), text.size());
        const std::string_view word = text.substr(start, end - start);
        pos = end;
        const bool plain = std::all_of(word.begin(), word.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '/' || c == '.' || c == '_' || c == '-' || c == '+' || c == '@' || c == ':';
        });
        if (plain && word.starts_with("/etc/") && word.size() > 5 &&
            word.find("/../") == std::string_view::npos && !word.ends_with("/..")) {
            paths.emplace_back(word);
        }
    }
    return paths;
}

// Diversions no installed package vouches for: local ones, those of a package that is not
// installed, and those whose package's reference data does not ship the diverted path (dpkg
// lets a package divert only to put its own file there; anything else at the path is then
// checked by nothing). They change what runs at a path, so the summary names them.
std::vector<Summary::UnvouchedDiversion> unvouched_diversions(const DpkgDatabase& db,
                                                              const ReferenceSet& references,
                                                              const LayoutAliases& merged) {
    std::unordered_map<std::string_view, std::vector<const InstalledPackage*>> installed;
    for (const InstalledPackage& pkg : db.packages()) {
        if (pkg.state != PackageState::not_installed && pkg.state != PackageState::config_files) {
            installed[pkg.name].push_back(&pkg);
        }
    }
    std::vector<Summary::UnvouchedDiversion> out;
    for (const Diversion& diversion : db.diversions()) {
        const auto found = installed.find(diversion.by);
        if (diversion.by.empty()) {
            out.push_back({diversion.from, diversion.to, diversion.by, "local"});
            continue;
        }
        if (found == installed.end()) {
            out.push_back({diversion.from, diversion.to, diversion.by,
                           "by " + diversion.by + ", which is not installed"});
            continue;
        }
        const std::string from = merged.resolve(diversion.from);
        bool referenced = false;
        const bool ships = std::any_of(
            found->second.begin(), found->second.end(), [&](const InstalledPackage* pkg) {
                const Pkgdesc* desc = references.find(pkg->name, pkg->architecture, pkg->version);
                referenced = referenced || desc != nullptr;
                return desc != nullptr &&
                       std::any_of(desc->entries.begin(), desc->entries.end(),
                                   [&](const Entry& e) { return merged.resolve(e.path) == from; });
            });
        if (!ships) {
            out.push_back({diversion.from, diversion.to, diversion.by,
                           "by " + diversion.by +
                               (referenced ? ", whose reference data does not ship it"
                                           : ", which has no reference data here")});
        }
    }
    return out;
}

// Finds the packages to check: all installed, or those named ("name" or "name:arch").
std::vector<const InstalledPackage*> select_packages(const DpkgDatabase& db,
                                                     const std::vector<std::string>& names) {
    std::vector<const InstalledPackage*> selected;
    auto has_files = [](const InstalledPackage& pkg) {
        return pkg.state != PackageState::not_installed && pkg.state != PackageState::config_files;
    };
    if (names.empty()) {
        for (const InstalledPackage& pkg : db.packages()) {
            if (has_files(pkg)) {
                selected.push_back(&pkg);
            }
        }
        return selected;
    }
    for (const std::string& name : names) {
        const std::size_t colon = name.find(':');
        const std::string bare = name.substr(0, colon);
        bool found = false;
        for (const InstalledPackage& pkg : db.packages()) {
            if (pkg.name == bare && has_files(pkg) &&
                (colon == std::string::npos || pkg.architecture == name.substr(colon + 1))) {
                if (std::find(selected.begin(), selected.end(), &pkg) == selected.end()) {
                    selected.push_back(&pkg);
                }
                found = true;
            }
        }
        if (!found) {
            throw Error(name, "package is not installed");
        }
    }
    return selected;
}

} // namespace

const std::vector<std::string>& default_expect_changed() {
    // apt gives its download directories to the _apt user at run time.
    static const std::vector<std::string> patterns{"/var/cache/apt/archives/partial",
                                                   "/var/lib/apt/lists/partial",
                                                   "/var/lib/apt/lists/auxfiles"};
    return patterns;
}

const std::vector<std::string>& default_unowned_dirs() {
    // With the top-level program and library directories of a root that is not merged-/usr
    // (where they are links into /usr, and skipped).
    static const std::vector<std::string> dirs{"/usr",  "/etc", "/boot",  "/opt",   "/bin",
                                               "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
    return dirs;
}

bool scans_unowned_by_default(const std::string& root) {
    struct stat system {};
    struct stat checked {};
    if (::stat("/", &system) != 0 || ::stat(root.c_str(), &checked) != 0) {
        return true;
    }
    return system.st_dev != checked.st_dev || system.st_ino != checked.st_ino;
}

namespace {

RootDir open_root(const VerifyOptions& options) {
    return options.root_shown ? RootDir::open(options.root, *options.root_shown)
                              : RootDir::open(options.root);
}

} // namespace

DpkgDatabase load_checked_database(const VerifyOptions& options) {
    const RootDir root = open_root(options);
    const RootDir admindir = options.admindir ? RootDir::open(*options.admindir)
                                              : RootDir::open_inside(root, "/var/lib/dpkg");
    return DpkgDatabase::load(admindir);
}

std::vector<PackageVersion> selected_versions(const DpkgDatabase& db,
                                              const VerifyOptions& options) {
    std::vector<PackageVersion> versions;
    for (const InstalledPackage* pkg : select_packages(db, options.packages)) {
        versions.push_back({pkg->name, pkg->architecture, pkg->version});
    }
    return versions;
}

std::vector<PackageVersion> selected_versions(const VerifyOptions& options) {
    return selected_versions(load_checked_database(options), options);
}

Verifier::Verifier(VerifyOptions options, const ReferenceSet& references,
                   std::optional<DpkgDatabase> database)
    : m_options(std::move(options)), m_references(references), m_database(std::move(database)) {}

Summary Verifier::run(FindingSink& sink) {
    // The system: its root, its dpkg database and its accounts.
    const RootDir root = open_root(m_options);
    const RootDir admindir = m_options.admindir ? RootDir::open(*m_options.admindir)
                                                : RootDir::open_inside(root, "/var/lib/dpkg");
    // ADMINDIR/info is listed on another CPU meanwhile (thousands of names: on ext4 about as
    // long as reading the file lists).
    std::future<InfoDir> listing = std::async(std::launch::async, [&] {
        std::string shown =
            m_options.admindir ? admindir.display("info") : std::string("/var/lib/dpkg/info");
        return m_options.recorded_info ? InfoDir::recorded(m_options.recorded_info, shown)
                                       : InfoDir::open(admindir, shown);
    });
    DpkgDatabase db = m_database ? std::move(*m_database) : DpkgDatabase::load(admindir);
    m_database.reset();
    const RootAccounts accounts = RootAccounts::load(root);
    const LayoutAliases merged = LayoutAliases::detect(root);
    const Planner planner(db, merged);
    Summary summary;
    summary.local_diversions = unvouched_diversions(db, m_references, merged);

    const std::vector<const InstalledPackage*> selected = select_packages(db, m_options.packages);
    db.read_file_lists(admindir, [&](const InstalledPackage& pkg) {
        return std::find(selected.begin(), selected.end(), &pkg) != selected.end();
    });

    // The plan: which real path is checked against which packages' reference entries.
    std::vector<std::pair<std::string, Candidate>> plan;
    struct Unlisted {
        const InstalledPackage* package;
        const Pkgdesc* desc;
        const Entry* entry;
    };
    std::vector<Unlisted> unlisted;
    std::unordered_map<const Pkgdesc*, HardlinkCounts> link_counts;
    // The control members dpkg keeps for each checked package, checked first: the maintainer
    // scripts they prove are what may explain metadata; their findings follow the files'.
    const InfoDir info = listing.get();
    std::vector<ControlCheck> controls;
    std::vector<const InstalledPackage*> control_packages; // whose the controls are
    ScriptExplanations explanations;
    // Paths under /etc that a checked package's proven postinst names, with the package.
    std::vector<std::pair<std::string, const InstalledPackage*>> postinst_paths;
    // Packages without reference data are still checked against the system's own md5sums and
    // conffile digests, as dpkg --verify does, under statuses of their own.
    std::deque<std::string> md5_paths;
    std::deque<Md5Digest> md5_digests;
    std::vector<Finding> md5sums_errors;
    auto add_md5 = [&](const InstalledPackage& pkg, std::string listed, const Md5Digest& digest,
                       bool conffile) {
        if (md5_digests.size() >= k_max_md5_claims) {
            throw IoError(info.shown(), "more than " + std::to_string(k_max_md5_claims) +
                                            " md5sums lines in all: refused");
        }
        const std::string& path = md5_paths.emplace_back(std::move(listed));
        Candidate candidate;
        candidate.package = &pkg;
        candidate.listed_path = &path;
        candidate.md5 = &md5_digests.emplace_back(digest);
        candidate.conffile = conffile;
        std::string real = planner.real_path(pkg, path, &candidate.diversion);
        plan.emplace_back(std::move(real), candidate);
    };
    // The control members are read and hashed on a thread of their own while the paths are
    // planned here; they are needed only when the files are checked.
    std::vector<std::pair<const InstalledPackage*, const Pkgdesc*>> referenced;
    for (const InstalledPackage* pkg : selected) {
        if (const Pkgdesc* desc = m_references.find(pkg->name, pkg->architecture, pkg->version)) {
            referenced.emplace_back(pkg, desc);
        }
    }
    std::future<std::vector<ControlCheck>> control_checks =
        std::async(std::launch::async, [&info, &accounts, &referenced] {
            std::vector<ControlCheck> checks;
            checks.reserve(referenced.size());
            for (const auto& [pkg, desc] : referenced) {
                checks.push_back(check_control_members(info, accounts, *pkg, *desc));
            }
            return checks;
        });
    std::vector<std::vector<ScriptChange>> tmpfiles_changes; // of control_packages
    for (const InstalledPackage* pkg : selected) {
        const Pkgdesc* desc = m_references.find(pkg->name, pkg->architecture, pkg->version);
        if (desc == nullptr) {
            summary.unreferenced.push_back(
                {pkg->display_name(), pkg->version, pkg->architecture,
                 m_references.missing_reason(pkg->name, pkg->architecture, pkg->version)});
            Md5sums sums = read_md5sums(info, *pkg);
            for (auto& [path, digest] : sums.files) {
                if (pkg->find_conffile(path) == nullptr) {
                    add_md5(*pkg, std::move(path), digest, false);
                }
            }
            for (const Conffile& conffile : pkg->conffiles) {
                const std::optional<Md5Digest> digest = md5_from_hex(conffile.md5);
                if (!conffile.obsolete && digest) {
                    add_md5(*pkg, conffile.path, *digest, true);
                }
            }
            if (!sums.error.empty()) {
                Finding finding;
                finding.path = sums.shown;
                finding.package = pkg->display_name();
                finding.control = true;
                finding.md5sums = true;
                finding.status = FileStatus::unverifiable;
                finding.reason = sums.error;
                md5sums_errors.push_back(std::move(finding));
            }
            continue;
        }
        ++summary.packages_checked;
        control_packages.push_back(pkg);
        tmpfiles_changes.push_back(proven_tmpfiles_changes(root, planner, merged, *pkg, *desc));
        std::unordered_set<std::string_view> listed(pkg->files.begin(), pkg->files.end());
        const HardlinkCounts& links =
            link_counts.emplace(desc, hardlink_counts(*desc)).first->second;
        auto add = [&](const std::string& path, const Entry* entry, const char* reason) {
            Candidate candidate;
            candidate.package = pkg;
            candidate.desc = desc;
            candidate.entry = entry;
            candidate.links = inode_names(links, entry);
            candidate.listed_path = &path;
            candidate.conffile = pkg->find_conffile(path) != nullptr;
            // A package that ships the alias itself as a symlink (newer base-files) is checked
            // at the alias, not at the directory it points to.
            std::string real =
                entry != nullptr && entry->type == EntryType::symlink && merged.is_alias(path)
                    ? path
                    : planner.real_path(*pkg, path, &candidate.diversion);
            candidate.statoverride = planner.statoverride(real, path);
            candidate.reason = reason;
            if (pkg->state == PackageState::half_installed) {
                candidate.entry = nullptr;
                candidate.reason = "the package is half-installed";
            }
            plan.emplace_back(std::move(real), candidate);
        };
        for (const std::string& path : pkg->files) {
            const Entry* entry = desc->find(path);
            if (entry == nullptr) {
                const Conffile* conffile = pkg->find_conffile(path);
                add(path, nullptr,
                    conffile != nullptr && conffile->obsolete
                        ? "obsolete conffile: no longer part of the package"
                        : "not in the reference data");
                continue;
            }
            add(path, entry, nullptr);
        }
        // What the package shipped but no file list names: filtered out by path-exclude, or
        // hidden by an edited database. Checked all the same, so editing a list hides nothing.
        for (const Entry& entry : desc->entries) {
            if (!listed.contains(entry.path)) {
                unlisted.push_back({pkg, desc, &entry});
            }
        }
    }
    controls = control_checks.get();
    for (std::size_t i = 0; i < controls.size(); ++i) {
        const InstalledPackage* pkg = control_packages[i];
        // Only the postinst leaves its changes on an installed package's files (the preinst
        // runs before unpacking, the others at removal).
        for (const ControlCheck::Script& script : controls[i].scripts) {
            if (script.member == "postinst") {
                explanations.add(*pkg, script.member, script.text, merged);
                if (m_options.unowned) {
                    for (std::string& path : literal_etc_paths(script.text)) {
                        postinst_paths.emplace_back(std::move(path), pkg);
                    }
                }
            }
        }
        explanations.add(*pkg, std::move(tmpfiles_changes[i]), merged);
    }
    // Every reference entry of a checked package is compared at the path dpkg would have used.
    // Such an entry is left to another package only when that package's own list names the
    // very same path and it is checked against that package's reference here (a file taken
    // over with Replaces); a path that a diversion moves there, a config-files package, one
    // without reference data or not selected, an edited list: none is an excuse.
    if (!unlisted.empty()) {
        // The paths that checked packages list and that are compared right there, undiverted.
        std::unordered_set<std::string> listed_by_checked;
        for (const auto& [path, candidate] : plan) {
            if (candidate.entry != nullptr && candidate.md5 == nullptr &&
                candidate.package->state != PackageState::half_installed &&
                path == merged.resolve(*candidate.listed_path)) {
                listed_by_checked.insert(path);
            }
        }
        std::vector<std::pair<std::string, Candidate>> extra;
        for (const Unlisted& item : unlisted) {
            const std::string real = planner.real_path(*item.package, item.entry->path);
            if (real == merged.resolve(item.entry->path) && listed_by_checked.contains(real)) {
                continue;
            }
            Candidate candidate;
            candidate.package = item.package;
            candidate.desc = item.desc;
            candidate.entry = item.entry;
            candidate.links = inode_names(link_counts[item.desc], item.entry);
            candidate.listed_path = &item.entry->path;
            candidate.conffile = item.package->find_conffile(item.entry->path) != nullptr;
            if (real != merged.resolve(item.entry->path)) {
                candidate.diversion = db.find_diversion(item.entry->path);
            }
            candidate.statoverride = planner.statoverride(real, item.entry->path);
            candidate.reason = "not in the dpkg file list";
            if (item.package->state == PackageState::half_installed) {
                candidate.entry = nullptr;
                candidate.reason = "the package is half-installed";
            }
            extra.emplace_back(real, candidate);
        }
        for (auto& entry : extra) {
            plan.push_back(std::move(entry));
        }
    }

    // One item per real path, in path order, with every package's claim on it.
    std::stable_sort(plan.begin(), plan.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<CheckItem> items;
    for (auto& [path, candidate] : plan) {
        if (items.empty() || items.back().path != path) {
            items.push_back(CheckItem{std::move(path), {}});
        }
        items.back().candidates.push_back(candidate);
    }
    plan.clear();
    plan.shrink_to_fit();
    // Only the paths asked for, when asked: the others were planned all the same, for what
    // they prove (hard links, diversions) is decided with every package's claims.
    auto wanted = [&](const std::string& path) {
        return !m_options.only_paths ||
               std::binary_search(m_options.only_paths->begin(), m_options.only_paths->end(), path);
    };
    if (m_options.only_paths) {
        std::vector<CheckItem> kept;
        std::unordered_set<std::string_view> planned;
        for (CheckItem& item : items) {
            if (wanted(item.path)) {
                kept.push_back(std::move(item));
            }
        }
        items = std::move(kept);
        for (const CheckItem& item : items) {
            planned.insert(item.path);
        }
        // A record of the files (an observer) says nothing of the control members, which are
        // read where dpkg keeps them: not judged then.
        const bool unseen_controls = m_options.observer != nullptr && !m_options.recorded_info;
        for (ControlCheck& control : controls) {
            if (unseen_controls) {
                control.generated_md5sums.reset();
            }
            for (Finding& finding : control.findings) {
                planned.insert(finding.path);
                if (unseen_controls) {
                    finding.status = FileStatus::unverifiable;
                    finding.failed.clear();
                    finding.reason = "a control member in the dpkg database: compared on the "
                                     "system itself, not in a record of it";
                }
            }
        }
        for (const Finding& finding : md5sums_errors) {
            planned.insert(finding.path);
        }
        // Paths asked for that no checked package claims: items without a claim, checked in
        // path order with the others.
        std::vector<CheckItem> unclaimed;
        std::unordered_map<std::string_view, std::size_t> unclaimed_at;
        for (const std::string& path : *m_options.only_paths) {
            if (!planned.contains(path)) {
                unclaimed.push_back(CheckItem{path, {}, nullptr});
            }
        }
        for (std::size_t i = 0; i < unclaimed.size(); ++i) {
            unclaimed_at.emplace(unclaimed[i].path, i);
        }
        for (const InstalledPackage* pkg : selected) {
            if (m_references.find(pkg->name, pkg->architecture, pkg->version) != nullptr) {
                continue;
            }
            for (const std::string& listed : pkg->files) {
                const auto it = unclaimed_at.find(planner.real_path(*pkg, listed));
                if (it != unclaimed_at.end() && unclaimed[it->second].listed_by == nullptr) {
                    unclaimed[it->second].listed_by = pkg;
                }
            }
        }
        const std::size_t claimed = items.size();
        items.insert(items.end(), std::make_move_iterator(unclaimed.begin()),
                     std::make_move_iterator(unclaimed.end()));
        std::inplace_merge(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(claimed),
                           items.end(),
                           [](const CheckItem& a, const CheckItem& b) { return a.path < b.path; });
    }

    // Check every planned path on the worker threads; deliver in path order.
    const CheckContext context{root,
                               accounts,
                               m_options.ignore_xattrs,
                               m_options.observer,
                               is_running_system(root),
                               m_options.verdicts_known,
                               m_options.verdicts_proven};
    const unsigned jobs = m_options.jobs == 0 ? default_jobs() : m_options.jobs;
    auto tally = [&](const Finding& finding) {
        ++(finding.md5sums ? summary.md5sums_counts
                           : summary.counts)[static_cast<std::size_t>(finding.status)];
        summary.bytes_hashed += finding.bytes_read;
        if (finding.status == FileStatus::modified && finding.conffile) {
            ++summary.modified_conffiles;
        }
        if (!finding.diverted_by.empty()) {
            ++summary.diverted;
        }
        if (!finding.statoverride.empty()) {
            ++summary.statoverridden;
        }
        if (!finding.explained_by.empty()) {
            ++summary.explained;
        }
        sink.finding(finding);
    };
    // At most k_window findings wait for delivery at any time, and the threads never wait for
    // each other (a large file at the end of a fixed batch would leave a CPU idle).
    constexpr std::size_t k_window = 8192;
    // Paths a thread takes at a time: a path costs microseconds, a hand-off about as much.
    constexpr std::size_t k_paths_per_task = 32;
    std::vector<std::size_t> schedule(items.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    run_ordered<Finding>(
        items.size(), jobs, schedule,
        [&](std::size_t index) {
            return check_item(items[index], context, planner, m_options.expect_changed,
                              explanations);
        },
        [&](std::size_t index, Finding& finding) {
            tally(finding);
            const std::size_t done = index + 1;
            if (done % 512 == 0 || done == items.size()) {
                sink.progress(done, items.size());
            }
        },
        k_paths_per_task, k_window);

    for (std::size_t i = 0; i < controls.size(); ++i) {
        const InstalledPackage& pkg = *control_packages[i];
        prove_generated_md5sums(controls[i], context, [&](const std::string& path) {
            return planner.real_path(pkg, path);
        });
    }
    for (const ControlCheck& control : controls) {
        for (const Finding& finding : control.findings) {
            if (wanted(finding.path)) {
                tally(finding);
            }
        }
    }
    controls.clear();
    for (const Finding& finding : md5sums_errors) {
        if (wanted(finding.path)) {
            tally(finding);
        }
    }
    if (m_options.only_paths) {
        return summary;
    }

    // Files no package owns, under the scanned directories.
    if (m_options.unowned) {
        // Ownership: only packages whose files are installed own what their lists name (read
        // only now, as reading every list is most of the cost of a small verification).
        auto owns_list = [](const InstalledPackage& pkg) {
            return pkg.state != PackageState::not_installed &&
                   pkg.state != PackageState::config_files;
        };
        db.read_file_lists(admindir, owns_list);
        std::unordered_set<std::string> listed_anywhere;
        for (const InstalledPackage& pkg : db.packages()) {
            if (owns_list(pkg)) {
                for (const std::string& path : pkg.files) {
                    listed_anywhere.insert(planner.real_path(pkg, path));
                }
            }
        }
        UnownedScan scan(context, merged, listed_anywhere, m_options.unowned_allow);
        // A conffile that no list names (kept by a config-files package, or obsolete) is only
        // the status file's word: allowed, and shown.
        for (const InstalledPackage& pkg : db.packages()) {
            if (pkg.state == PackageState::not_installed) {
                continue;
            }
            for (const Conffile& conffile : pkg.conffiles) {
                const std::string real = planner.real_path(pkg, conffile.path);
                if (!listed_anywhere.contains(real)) {
                    scan.vouch(real, std::string(conffile.obsolete ? "obsolete " : "") +
                                         "conffile of " + pkg.display_name() + " (" +
                                         std::string(state_name(pkg.state)) + "), in no file list");
                }
            }
        }
        std::unordered_set<std::string_view> known;
        for (const InstalledPackage& pkg : db.packages()) {
            if (pkg.state != PackageState::not_installed) {
                known.insert(pkg.name);
            }
        }
        scan.add_ucf_registry([&](std::string_view name) { return known.contains(name); });
        // With the directories the script had to create for them (what is in those is
        // scanned all the same).
        for (const auto& [path, pkg] : postinst_paths) {
            const std::string reason = "named by the proven postinst of " + pkg->display_name();
            for (std::string at = path; at.size() > 5; at.erase(at.rfind('/'))) {
                scan.vouch(at, reason);
            }
        }
        scan.add_alternatives(admindir);
        for (const std::string& dir : m_options.unowned_dirs) {
            if (merged.is_alias(dir)) {
                continue; // scanned where it leads
            }
            scan.scan(dir, [&](Finding& finding) { tally(finding); });
        }
    }
    return summary;
}

} // namespace pkgdesc
