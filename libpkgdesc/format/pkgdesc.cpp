// The pkgdesc v1 model.
#include <libpkgdesc/format/pkgdesc.hpp>

#include <algorithm>
#include <array>
#include <map>

namespace pkgdesc {

namespace {
constexpr std::array<std::pair<EntryType, std::string_view>, 7> k_types{{
    {EntryType::directory, "dir"},
    {EntryType::file, "file"},
    {EntryType::symlink, "link"},
    {EntryType::hardlink, "hardlink"},
    {EntryType::char_device, "char"},
    {EntryType::block_device, "block"},
    {EntryType::fifo, "fifo"},
}};
} // namespace

std::string_view type_keyword(EntryType type) {
    for (const auto& [t, k] : k_types) {
        if (t == type) {
            return k;
        }
    }
    return "?";
}

std::optional<EntryType> type_from_keyword(std::string_view keyword) {
    for (const auto& [t, k] : k_types) {
        if (k == keyword) {
            return t;
        }
    }
    return std::nullopt;
}

void Pkgdesc::sort() {
    std::sort(control.begin(), control.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
}

const Entry* Pkgdesc::find(std::string_view path) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), path,
                               [](const Entry& e, std::string_view p) { return e.path < p; });
    return it != entries.end() && it->path == path ? &*it : nullptr;
}

void canonicalize_hardlinks(std::vector<Entry>& entries) {
    std::map<std::string, std::size_t> index; // path -> position
    for (std::size_t i = 0; i < entries.size(); ++i) {
        index.emplace(entries[i].path, i);
    }
    // Group every hardlink under the entry that holds the data (its "primary").
    std::map<std::size_t, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].type != EntryType::hardlink) {
            continue;
        }
        auto it = index.find(entries[i].link);
        if (it != index.end()) {
            groups[it->second].push_back(i);
        }
    }
    for (auto& [primary, links] : groups) {
        std::size_t first = primary;
        for (const std::size_t i : links) {
            if (entries[i].path < entries[first].path) {
                first = i;
            }
        }
        if (first != primary) {
            // Move the content to the first path; the old primary becomes one more link.
            std::string first_path = std::move(entries[first].path);
            entries[first] = entries[primary];
            entries[first].path = std::move(first_path);
            Entry& old = entries[primary];
            old.type = EntryType::hardlink;
            old.size = 0;
            old.sha256.reset();
            old.dev_major = old.dev_minor = 0;
            links.push_back(primary);
        }
        // Every other member links to the first path and shares the inode's attributes.
        const Entry& data = entries[first];
        for (const std::size_t i : links) {
            if (i == first) {
                continue;
            }
            Entry& link = entries[i];
            link.mode = data.mode;
            link.uname = data.uname;
            link.gname = data.gname;
            link.uid = data.uid;
            link.gid = data.gid;
            link.mtime = data.mtime;
            link.link = data.path;
        }
    }
}

std::string output_file_name(const Pkgdesc& desc) {
    std::string version;
    for (const char c : desc.version) {
        if (c == ':') {
            version += "%3a";
        } else {
            version.push_back(c);
        }
    }
    return desc.package + "_" + version + "_" + desc.architecture + ".pkgdesc";
}

} // namespace pkgdesc
