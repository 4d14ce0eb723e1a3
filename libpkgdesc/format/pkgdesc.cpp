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
    const auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
    const auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    // Sorted already, as written by pkgdesc-gen and as sorted once on a parsing thread.
    if (!std::is_sorted(control.begin(), control.end(), by_name)) {
        std::sort(control.begin(), control.end(), by_name);
    }
    if (!std::is_sorted(entries.begin(), entries.end(), by_path)) {
        std::sort(entries.begin(), entries.end(), by_path);
    }
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

namespace {
bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
} // namespace

std::string check_package_name(std::string_view name) {
    if (name.size() < 2 || !is_lower_alnum(name.front())) {
        return "must be at least two characters and start with a lower-case letter or digit";
    }
    for (const char c : name) {
        if (!is_lower_alnum(c) && c != '+' && c != '-' && c != '.') {
            return "may contain only a-z, 0-9, '+', '-' and '.'";
        }
    }
    return {};
}

std::string check_version(std::string_view version) {
    if (version.empty()) {
        return "is empty";
    }
    const auto colon = version.find(':');
    if (colon != std::string_view::npos) {
        const auto epoch = version.substr(0, colon);
        if (epoch.empty() || epoch.find_first_not_of("0123456789") != std::string_view::npos) {
            return "has a bad epoch";
        }
        version.remove_prefix(colon + 1);
    }
    if (version.empty() || !(version.front() >= '0' && version.front() <= '9')) {
        return "upstream version must start with a digit";
    }
    for (const char c : version) {
        if (!is_alnum(c) && c != '.' && c != '+' && c != '-' && c != '~' && c != ':') {
            return "may contain only alphanumerics and '.', '+', '-', '~', ':'";
        }
    }
    return {};
}

std::string check_architecture(std::string_view arch) {
    if (arch.empty()) {
        return "is empty";
    }
    for (const char c : arch) {
        if (!is_lower_alnum(c) && c != '-') {
            return "may contain only a-z, 0-9 and '-'";
        }
    }
    return {};
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
