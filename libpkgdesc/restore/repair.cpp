// Planning a repair: see repair.hpp.
#include <libpkgdesc/restore/repair.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/restore/placing.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/unique_fd.hpp>
#include <libpkgdesc/verify/file_check.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <set>

namespace pkgdesc {

namespace {

class CollectingSink : public FindingSink {
public:
    void finding(const Finding& finding) override { findings.push_back(finding); }
    std::vector<Finding> findings;
};

std::string id_name(const std::string& name, const std::optional<std::uint64_t>& id) {
    return name.empty() ? "#" + std::to_string(id.value_or(0)) : name;
}

// The metadata a repair gives a file or directory: its reference's, or what its statoverride
// ("USER GROUP MODE") sets, less a setuid (setgid) bit that the reference lacks or that is for
// another owner (group): what the verifier expects of it.
struct Given {
    std::uint32_t mode = 0;
    std::string owner;
    std::string group;
};

Given given_metadata(const Entry& entry, const Finding& f) {
    Given given{entry.mode & 07777u, id_name(entry.uname, entry.uid),
                id_name(entry.gname, entry.gid)};
    const std::size_t first = f.statoverride.find(' ');
    const std::size_t last = f.statoverride.rfind(' ');
    if (first == std::string::npos || first == last) {
        return given;
    }
    const std::string user = f.statoverride.substr(0, first);
    const std::string group = f.statoverride.substr(first + 1, last - first - 1);
    const std::uint32_t mode =
        static_cast<std::uint32_t>(std::stoul(f.statoverride.substr(last + 1), nullptr, 8));
    std::uint32_t refused = mode & (S_ISUID | S_ISGID) & ~entry.mode;
    if ((mode & S_ISUID) != 0 && user != given.owner) {
        refused |= S_ISUID;
    }
    if ((mode & S_ISGID) != 0 && group != given.group) {
        refused |= S_ISGID;
    }
    return {mode & ~refused & 07777u, user, group};
}

// The failed attributes that are extended attributes (the others are the verifier's names).
std::vector<std::string> failed_xattrs(const Finding& f) {
    static const std::set<std::string, std::less<>> k_attributes{
        "type", "sha256",   "size",   "mode",  "owner", "group",
        "link", "hardlink", "device", "mtime", "path",  "links"};
    std::vector<std::string> names;
    for (const FailedAttribute& failed : f.failed) {
        if (!k_attributes.contains(failed.name)) {
            names.push_back(failed.name);
        }
    }
    return names;
}

// What is at a path now, when the verifier found another type there ("dir", "file", ...).
std::string actual_type(const Finding& f) {
    for (const FailedAttribute& failed : f.failed) {
        if (failed.name == "type") {
            return failed.actual;
        }
    }
    return {};
}

} // namespace

RepairPlan plan_repair(const VerifyOptions& verify, const ReferenceSet& references,
                       const RepairOptions& options) {
    VerifyOptions checking = verify;
    checking.unowned = false;
    checking.only_paths.reset();
    CollectingSink sink;
    RepairPlan plan;
    plan.verification = Verifier(checking, references).run(sink);
    plan.manifest.root = verify.root;

    // The versions by dpkg name ("name", or "name:arch"), and where each listed path is.
    std::map<std::string, PackageVersion> versions;
    for (const PackageVersion& v : selected_versions(checking)) {
        versions.emplace(v.name + ":" + v.architecture, v);
        versions.emplace(v.name, v); // the first architecture for a plain name
    }
    std::map<std::pair<std::string, std::string>, std::string> real_path;
    std::map<std::string, const Finding*> by_path;
    for (const Finding& f : sink.findings) {
        if (!f.package.empty()) {
            real_path.emplace(
                std::make_pair(f.package, f.listed_path.empty() ? f.path : f.listed_path), f.path);
        }
        by_path.emplace(f.path, &f);
    }
    auto where = [&](const std::string& package, const std::string& listed) {
        const auto it = real_path.find({package, listed});
        return it != real_path.end() ? it->second : listed;
    };
    // Why a file may not be written by a repair, or empty: the admin's (a conffile, without
    // --conffiles), the system's own word (a diversion), or what no reference entry proves.
    auto refusal = [&](const Finding& f) -> std::string {
        if (f.control) {
            return "a control member of the dpkg database (not repaired)";
        }
        if (f.md5sums) {
            return "its package has no reference data";
        }
        if (f.conffile && !options.conffiles) {
            return "a conffile (--conffiles repairs it)";
        }
        if (!f.diverted_by.empty()) {
            return "a diversion moves it";
        }
        return {};
    };
    // Why a deviating file is left as it is, or empty.
    auto left_alone = [&](const Finding& f) -> std::string {
        if (f.status == FileStatus::unverifiable || f.status == FileStatus::unproven) {
            return f.reason.empty() ? std::string("unverifiable: not repaired")
                                    : "unverifiable (" + f.reason + "): not repaired";
        }
        if (std::string why = refusal(f); !why.empty()) {
            return why;
        }
        if (actual_type(f) == "dir") {
            return "a directory is in its place (its content is not removed): not repaired";
        }
        return {};
    };

    // How many entries of a package land at one place (a path and its alias under merged /usr):
    // such a place has no single pristine content to put back.
    const RootDir root = RootDir::open(verify.root);
    const LayoutAliases merged = LayoutAliases::detect(root);
    std::map<const Pkgdesc*, std::map<std::string, int>> landings;
    auto entries_at = [&](const Pkgdesc* desc, const std::string& listed) {
        std::map<std::string, int>& counts = landings[desc];
        if (counts.empty()) {
            for (const Entry& e : desc->entries) {
                ++counts[merged.resolve(e.path)];
            }
        }
        return counts[merged.resolve(listed)];
    };

    std::map<std::string, ManifestPackage> packages;
    // Real path -> the package and listed path planned there: two claims on one place are
    // left, for a repair cannot give both.
    std::map<std::string, std::pair<std::string, std::string>> planned;
    std::set<std::string> conflicts;
    // Directories and symlinks by real path, and the paths two of them claim differently.
    std::map<std::string, RepairNode> nodes;
    std::set<std::string> node_conflicts;
    // What was reached through a symlink: written only below a directory the repair makes anew.
    std::map<std::string, std::string> through_symlink;
    for (const Finding& f : sink.findings) {
        if (f.package.empty() || f.status == FileStatus::pristine ||
            f.status == FileStatus::allowed || f.status == FileStatus::unowned) {
            continue;
        }
        auto leave = [&](const std::string& path, const std::string& why) {
            plan.left.push_back(escape(path) + " (" + f.package + "): " + why);
        };
        if (const std::string why = left_alone(f); !why.empty()) {
            leave(f.path, why);
            continue;
        }
        const auto version = versions.find(f.package);
        const Pkgdesc* desc =
            version == versions.end()
                ? nullptr
                : references.find(version->second.name, version->second.architecture,
                                  version->second.version);
        const std::string listed = f.listed_path.empty() ? f.path : f.listed_path;
        const Entry* entry = desc != nullptr ? desc->find(listed) : nullptr;
        if (entry == nullptr) {
            leave(f.path, "no reference entry describes it");
            continue;
        }
        if (f.has_failed("path")) {
            through_symlink.emplace(f.path, f.package);
        }
        if (entry->type == EntryType::directory || entry->type == EntryType::symlink) {
            RepairNode node;
            node.kind = entry->type == EntryType::directory ? RepairNode::Kind::directory
                                                            : RepairNode::Kind::symlink;
            node.action = f.status == FileStatus::missing          ? RepairNode::Action::create
                          : !actual_type(f).empty()                ? RepairNode::Action::replace
                          : node.kind == RepairNode::Kind::symlink ? RepairNode::Action::replace
                                                                   : RepairNode::Action::metadata;
            node.path = f.path;
            node.package = f.package;
            node.target = entry->link;
            const Given given = given_metadata(*entry, f);
            node.mode = given.mode;
            node.owner = given.owner;
            node.group = given.group;
            node.mtime = entry->mtime.seconds;
            node.xattrs = failed_xattrs(f);
            const auto [it, fresh] = nodes.emplace(f.path, node);
            if (!fresh && (it->second.kind != node.kind || it->second.target != node.target ||
                           it->second.mode != node.mode || it->second.owner != node.owner ||
                           it->second.group != node.group)) {
                node_conflicts.insert(f.path);
            }
            continue;
        }
        if (entries_at(desc, listed) > 1) {
            leave(f.path, "two entries of its package land there (a path and its alias): not "
                          "repaired");
            continue;
        }
        const std::string leader = entry->type == EntryType::hardlink ? entry->link : entry->path;
        const Entry* data = desc->find(leader);
        if (data == nullptr || data->type != EntryType::file || !data->sha256) {
            leave(f.path, "a device or FIFO (not repaired)");
            continue;
        }
        // The whole hard-link group, one inode again; left whole if any name of it may not be
        // written.
        std::vector<std::string> group{leader};
        for (const Entry& other : desc->entries) {
            if (other.type == EntryType::hardlink && other.link == leader) {
                group.push_back(other.path);
            }
        }
        std::string blocked;
        for (const std::string& member : group) {
            const auto found = by_path.find(where(f.package, member));
            if (found != by_path.end() && found->second->package == f.package) {
                if (const std::string why = left_alone(*found->second); !why.empty()) {
                    blocked = "of its hard-link group, " + escape(found->second->path) +
                              " is not repaired: " + why;
                    break;
                }
                if (found->second->statoverride != f.statoverride) {
                    blocked = "of its hard-link group, " + escape(found->second->path) +
                              " has another statoverride";
                    break;
                }
            } else if (where(f.package, member) != member || found != by_path.end()) {
                blocked = "of its hard-link group, " + escape(member) +
                          " is not where its package put it";
                break;
            }
        }
        if (!blocked.empty()) {
            leave(f.path, blocked);
            continue;
        }
        ManifestPackage& package = packages[f.package];
        if (package.name.empty()) {
            package.name = version->second.name;
            package.architecture = version->second.architecture;
            package.version = version->second.version;
            if (const Provenance* from =
                    references.provenance(package.name, package.architecture, package.version)) {
                package.reference = from->origin;
                package.deb_sha256 = from->deb_sha256;
                package.deb_uri = from->deb_uri;
            }
        }
        for (const std::string& member : group) {
            const std::string path = where(f.package, member);
            const auto [it, fresh] = planned.emplace(path, std::make_pair(f.package, member));
            if (!fresh) {
                if (it->second != std::make_pair(f.package, member)) {
                    conflicts.insert(path);
                }
                continue;
            }
            const Given given = given_metadata(*data, f);
            ManifestFile file;
            file.sha256 = to_hex(*data->sha256);
            file.size = data->size;
            file.mode = given.mode;
            file.owner = given.owner;
            file.group = given.group;
            file.mtime = data->mtime.seconds;
            file.path = path;
            if (member != leader) {
                file.first_link = where(f.package, leader);
            }
            package.files.push_back(std::move(file));
        }
    }
    for (const std::string& path : node_conflicts) {
        plan.left.push_back(escape(path) + " (" + nodes.at(path).package +
                            "): claimed by two reference entries, which cannot both be put there");
        nodes.erase(path);
    }
    // The directories made anew: what a symlink put below them is gone with it.
    std::set<std::string> remade;
    for (const auto& [path, node] : nodes) {
        if (node.kind == RepairNode::Kind::directory &&
            node.action != RepairNode::Action::metadata) {
            remade.insert(path);
        }
    }
    auto below_remade = [&](const std::string& path) {
        for (std::string up = path; up != "/";) {
            up = up.substr(0, std::max<std::size_t>(up.rfind('/'), 1));
            if (remade.contains(up)) {
                return true;
            }
        }
        return false;
    };
    // Below a directory made anew, nothing of what is there now remains: what was to be kept
    // or changed there is made (parents come first in the map).
    for (auto& [path, node] : nodes) {
        if (node.action != RepairNode::Action::create && below_remade(path)) {
            node.action = RepairNode::Action::create;
            if (node.kind == RepairNode::Kind::directory) {
                remade.insert(path);
            }
        }
    }
    std::set<std::string> unreachable;
    for (const auto& [path, package] : through_symlink) {
        if (!below_remade(path)) {
            plan.left.push_back(escape(path) + " (" + package +
                                "): reached through a symbolic link that no package entry "
                                "replaces: not repaired");
            unreachable.insert(path);
        }
    }
    std::erase_if(nodes, [&](const auto& item) { return unreachable.contains(item.first); });
    // Two reference entries at one place (a path and its alias, say): neither is written.
    for (auto& [name, package] : packages) {
        std::erase_if(package.files, [&](const ManifestFile& file) {
            if (unreachable.contains(file.path) ||
                (!file.first_link.empty() && unreachable.contains(file.first_link))) {
                return true;
            }
            const bool conflict = conflicts.contains(file.path) ||
                                  (!file.first_link.empty() && conflicts.contains(file.first_link));
            if (conflict) {
                plan.left.push_back(escape(file.path) + " (" + name +
                                    "): claimed by two reference entries, which cannot both be "
                                    "put there");
            }
            return conflict;
        });
    }
    std::erase_if(packages, [](const auto& item) { return item.second.files.empty(); });
    for (auto& [name, package] : packages) {
        plan.manifest.packages.push_back(std::move(package));
    }
    for (auto& [path, node] : nodes) {
        plan.nodes.push_back(std::move(node));
    }
    return plan;
}

namespace {

using namespace placing;

struct ProvenNode {
    const RepairNode* node = nullptr;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
};

std::string describe(const ProvenNode& p) {
    const RepairNode& node = *p.node;
    return node.kind == RepairNode::Kind::symlink
               ? escape(node.path) + " -> " + escape(node.target)
               : escape(node.path) + " (" + mode_text(node.mode) + " " + node.owner + ":" +
                     node.group + ")";
}

// Owner and group first: chown(2) may clear the setgid bit.
void set_directory_metadata(const RootDir& root, int fd, const ProvenNode& p) {
    if (::fchown(fd, p.uid, p.gid) != 0 || ::fchmod(fd, static_cast<mode_t>(p.node->mode)) != 0) {
        throw IoError::from_errno(root.display(p.node->path), "cannot set its metadata", errno);
    }
}

// A directory made under a temporary name in `parent`, with its metadata.
std::string make_directory(const RootDir& root, int parent, const std::string& name,
                           const ProvenNode& p) {
    if (::mkdirat(parent, name.c_str(), 0700) != 0) {
        throw IoError::from_errno(root.display(p.node->path), "cannot make directory", errno);
    }
    const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        throw IoError::from_errno(root.display(p.node->path), "cannot open directory", errno);
    }
    const UniqueFd dir(fd);
    set_directory_metadata(root, dir.get(), p);
    return name;
}

void repair_directory(const RootDir& root, const ProvenNode& p, RepairResult& result,
                      const std::function<void(const std::string&)>& step) {
    const RepairNode& node = *p.node;
    const UniqueFd parent = open_directory(root, parent_of(node.path));
    const std::string name = base_name(node.path);
    switch (node.action) {
    case RepairNode::Action::create:
        make_directory(root, parent.get(), name, p);
        step("made directory " + describe(p));
        break;
    case RepairNode::Action::replace: {
        // Exchanged, so that the path never lacks an entry; what was there is then removed
        // (never a directory: its content is not ours to remove).
        const std::string temporary = make_directory(root, parent.get(), temporary_name(), p);
        if (::renameat2(parent.get(), temporary.c_str(), parent.get(), name.c_str(),
                        RENAME_EXCHANGE) != 0) {
            const int error = errno;
            ::unlinkat(parent.get(), temporary.c_str(), AT_REMOVEDIR);
            throw IoError::from_errno(root.display(node.path), "cannot put a directory in place",
                                      error);
        }
        struct stat st {};
        if (::fstatat(parent.get(), temporary.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(st.st_mode)) {
            throw IoError(root.display(node.path),
                          "a directory appeared there while it was repaired: it is left as " +
                              escape(parent_of(node.path) + "/" + temporary));
        }
        if (::unlinkat(parent.get(), temporary.c_str(), 0) != 0) {
            throw IoError::from_errno(root.display(parent_of(node.path) + "/" + temporary),
                                      "cannot remove what was at " + escape(node.path), errno);
        }
        step("replaced what was at " + escape(node.path) + " by directory " + describe(p));
        break;
    }
    case RepairNode::Action::metadata: {
        const UniqueFd dir = open_directory(root, node.path);
        set_directory_metadata(root, dir.get(), p);
        for (const std::string& xattr : node.xattrs) {
            if (::fremovexattr(dir.get(), xattr.c_str()) != 0 && errno != ENODATA) {
                throw IoError::from_errno(root.display(node.path), "cannot remove " + xattr, errno);
            }
        }
        step("set directory " + describe(p));
        break;
    }
    }
    ++result.directories;
}

void repair_symlink(const RootDir& root, const ProvenNode& p, RepairResult& result,
                    const std::function<void(const std::string&)>& step) {
    const RepairNode& node = *p.node;
    const UniqueFd parent = open_directory(root, parent_of(node.path));
    std::string temporary;
    for (int attempt = 0; attempt < 100 && temporary.empty(); ++attempt) {
        const std::string name = temporary_name();
        if (::symlinkat(node.target.c_str(), parent.get(), name.c_str()) == 0) {
            temporary = name;
        } else if (errno != EEXIST) {
            throw IoError::from_errno(root.display(node.path), "cannot make symbolic link", errno);
        }
    }
    if (temporary.empty()) {
        throw IoError(root.display(node.path), "cannot make a temporary symbolic link");
    }
    const timespec times[2] = {{node.mtime, 0}, {node.mtime, 0}};
    if (::fchownat(parent.get(), temporary.c_str(), p.uid, p.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::utimensat(parent.get(), temporary.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::renameat(parent.get(), temporary.c_str(), parent.get(), base_name(node.path).c_str()) !=
            0) {
        const int error = errno;
        ::unlinkat(parent.get(), temporary.c_str(), 0);
        throw IoError::from_errno(root.display(node.path), "cannot put the symbolic link in place",
                                  error);
    }
    ++result.symlinks;
    step(std::string(node.action == RepairNode::Action::create ? "made" : "replaced") +
         " symbolic link " + describe(p));
}

} // namespace

RepairResult apply_repair(const RepairPlan& plan, const RestoreOptions& options,
                          const std::function<void(const std::string&)>& step) {
    const RootDir root = RootDir::open(options.root);
    const RootAccounts accounts = RootAccounts::load(root);
    // The proof of the nodes: accounts, and places reached without a symlink but the ones
    // replaced.
    std::set<std::string> remade;
    for (const RepairNode& node : plan.nodes) {
        if (node.kind == RepairNode::Kind::directory &&
            node.action != RepairNode::Action::metadata) {
            remade.insert(node.path);
        }
    }
    std::vector<ProvenNode> directories;
    std::vector<ProvenNode> symlinks;
    for (const RepairNode& node : plan.nodes) {
        ProvenNode p{&node, resolve_id(node.owner, accounts, true, root, node.path),
                     resolve_id(node.group, accounts, false, root, node.path)};
        const Place place = place_of(root, node.path, remade, false);
        for (const std::string& dir : place.make) {
            if (!remade.contains(dir)) {
                throw Error(root.display(dir), "missing, and no package entry of the repair "
                                               "makes it: " +
                                                   escape(node.path) + " is not put back");
            }
        }
        (node.kind == RepairNode::Kind::directory ? directories : symlinks).push_back(p);
    }
    // The proof of the files, before anything is written.
    RestoreOptions proving = options;
    proving.apply = false;
    proving.remade = remade;
    RepairResult result;
    if (!options.apply) {
        for (const ProvenNode& p : directories) {
            switch (p.node->action) {
            case RepairNode::Action::create:
                step("would make directory " + describe(p));
                break;
            case RepairNode::Action::replace:
                step("would replace what is at " + escape(p.node->path) + " by directory " +
                     describe(p));
                break;
            case RepairNode::Action::metadata:
                step("would set directory " + describe(p));
                break;
            }
            ++result.directories;
        }
        result.files = restore_from_manifest(plan.manifest, proving, step);
        for (const ProvenNode& p : symlinks) {
            step(std::string(p.node->action == RepairNode::Action::create ? "would make"
                                                                          : "would replace") +
                 " symbolic link " + describe(p));
            ++result.symlinks;
        }
        return result;
    }
    const RootLock lock(root); // held for the restore of the files too
    proving.check_members = false; // the write checks every member
    restore_from_manifest(plan.manifest, proving, [](const std::string&) {});
    for (const ProvenNode& p : directories) {
        repair_directory(root, p, result, step);
    }
    result.files = restore_from_manifest(plan.manifest, options, step);
    for (const ProvenNode& p : symlinks) {
        repair_symlink(root, p, result, step);
    }
    return result;
}

} // namespace pkgdesc
