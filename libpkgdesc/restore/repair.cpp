// Planning a repair: see repair.hpp.
#include <libpkgdesc/restore/repair.hpp>

#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>

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
    // --conffiles), the system's own word (a statoverride, a diversion), or what no reference
    // entry proves.
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
        if (!f.statoverride.empty()) {
            return "a statoverride sets it";
        }
        if (!f.diverted_by.empty()) {
            return "a diversion moves it";
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
    for (const Finding& f : sink.findings) {
        if (f.package.empty() || f.status == FileStatus::pristine ||
            f.status == FileStatus::allowed || f.status == FileStatus::unowned) {
            continue;
        }
        auto leave = [&](const std::string& path, const std::string& why) {
            plan.left.push_back(escape(path) + " (" + f.package + "): " + why);
        };
        if (f.status == FileStatus::unverifiable || f.status == FileStatus::unproven) {
            leave(f.path, f.reason.empty() ? std::string("unverifiable: not repaired")
                                           : "unverifiable (" + f.reason + "): not repaired");
            continue;
        }
        if (const std::string why = refusal(f); !why.empty()) {
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
        if (entries_at(desc, listed) > 1) {
            leave(f.path, "two entries of its package land there (a path and its alias): not "
                          "repaired");
            continue;
        }
        const std::string leader = entry->type == EntryType::hardlink ? entry->link : entry->path;
        const Entry* data = desc->find(leader);
        if (data == nullptr || data->type != EntryType::file || !data->sha256) {
            leave(f.path, "not a regular file (only regular files are repaired)");
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
                if (const std::string why = refusal(*found->second); !why.empty()) {
                    blocked = "of its hard-link group, " + escape(found->second->path) +
                              " is not "
                              "repaired: " +
                              why;
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
            ManifestFile file;
            file.sha256 = to_hex(*data->sha256);
            file.size = data->size;
            file.mode = data->mode & 07777u;
            file.owner = id_name(data->uname, data->uid);
            file.group = id_name(data->gname, data->gid);
            file.mtime = data->mtime.seconds;
            file.path = path;
            if (member != leader) {
                file.first_link = where(f.package, leader);
            }
            package.files.push_back(std::move(file));
        }
    }
    // Two reference entries at one place (a path and its alias, say): neither is written.
    for (auto& [name, package] : packages) {
        std::erase_if(package.files, [&](const ManifestFile& file) {
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
    return plan;
}

} // namespace pkgdesc
