// Planning a repair: see repair.hpp.
#include <libpkgdesc/restore/repair.hpp>

#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <map>
#include <set>

namespace pkgdesc {

namespace {

class CollectingSink : public FindingSink {
public:
    void finding(const Finding& finding) override { findings.push_back(finding); }
    std::vector<Finding> findings;
};

bool deviates_in_content_or_metadata(FileStatus status) {
    return status == FileStatus::modified || status == FileStatus::missing ||
           status == FileStatus::metadata;
}

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
    for (const Finding& f : sink.findings) {
        if (!f.package.empty()) {
            real_path.emplace(
                std::make_pair(f.package, f.listed_path.empty() ? f.path : f.listed_path), f.path);
        }
    }
    auto where = [&](const std::string& package, const std::string& listed) {
        const auto it = real_path.find({package, listed});
        return it != real_path.end() ? it->second : listed;
    };

    std::map<std::string, ManifestPackage> packages;
    std::set<std::string> planned;
    for (const Finding& f : sink.findings) {
        if (!deviates_in_content_or_metadata(f.status) || f.package.empty() || f.md5sums ||
            f.control) {
            continue;
        }
        auto leave = [&](const std::string& why) {
            plan.left.push_back(escape(f.path) + " (" + f.package + "): " + why);
        };
        if (f.conffile && !options.conffiles) {
            leave("a conffile (--conffiles repairs it)");
            continue;
        }
        if (!f.statoverride.empty() || !f.diverted_by.empty()) {
            leave(!f.statoverride.empty() ? "a statoverride sets it" : "a diversion moves it");
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
            leave("no reference entry describes it");
            continue;
        }
        const std::string leader = entry->type == EntryType::hardlink ? entry->link : entry->path;
        const Entry* data = desc->find(leader);
        if (data == nullptr || data->type != EntryType::file || !data->sha256) {
            leave("not a regular file (only regular files are repaired)");
            continue;
        }
        // The whole hard-link group: one inode again.
        std::vector<std::string> group{leader};
        for (const Entry& other : desc->entries) {
            if (other.type == EntryType::hardlink && other.link == leader) {
                group.push_back(other.path);
            }
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
            if (!planned.insert(path).second) {
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
    for (auto& [name, package] : packages) {
        plan.manifest.packages.push_back(std::move(package));
    }
    return plan;
}

} // namespace pkgdesc
