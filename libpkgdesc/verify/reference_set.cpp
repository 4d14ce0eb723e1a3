// Loading reference stanzas from files and directories.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/thread_pool.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <apt-pkg/debversion.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>

#include <set>

namespace pkgdesc {

namespace {

// A parsed file, or why it could not be parsed (rethrown in file order).
struct Parsed {
    std::vector<Pkgdesc> stanzas;
    std::exception_ptr error;
};

} // namespace

namespace {

// A file of stanzas is read whole, up to this size.
constexpr std::uint64_t k_max_reference_file = std::uint64_t{4} << 30;

// The value of a field on a stanza's line ("Package: foo" -> "foo"), if the line is that field.
bool field_value(std::string_view line, std::string_view name, std::string_view& value) {
    if (line.size() <= name.size() || line[name.size()] != ':' ||
        line.compare(0, name.size(), name) != 0) {
        return false;
    }
    value = line.substr(name.size() + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() &&
           (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) {
        value.remove_suffix(1);
    }
    return true;
}

struct Slice {
    std::string_view text;
    std::size_t first_line = 0;
    // What the quick scan read; the parsed stanza must say the same.
    std::string_view package;
    std::string_view architecture;
    std::string_view version;
};

// Finds the stanzas of `text` by a quick scan (their Package, Architecture and Version) and
// keeps those `wanted` selects (every one with an empty filter). Stanzas are separated by blank
// lines; continuation lines (the file list) start with a blank and are skipped by looking at
// their first byte only. Returns the number of stanzas found. With `strict`, a stanza that
// lacks one of the three fields is a ParseError of that file (otherwise: not wanted).
std::size_t scan_stanzas(std::string_view text, const ReferenceSet::Filter& wanted,
                         std::vector<Slice>& selected, const std::string* strict = nullptr) {
    std::size_t found = 0;
    std::size_t pos = 0;
    std::size_t line = 1;
    while (pos < text.size()) {
        // Skip blank lines between stanzas.
        while (pos < text.size() && text[pos] == '\n') {
            ++pos;
            ++line;
        }
        if (pos >= text.size()) {
            break;
        }
        const std::size_t start = pos;
        const std::size_t start_line = line;
        std::string_view package, architecture, version;
        for (;;) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string_view::npos) {
                end = text.size();
            }
            const std::string_view current = text.substr(pos, end - pos);
            pos = end < text.size() ? end + 1 : end;
            ++line;
            // A line of blanks ends a stanza, as for the parser.
            if (current.find_first_not_of(" \t\r") == std::string_view::npos) {
                break;
            }
            if (current.front() != ' ' && current.front() != '\t') {
                field_value(current, "Package", package) ||
                    field_value(current, "Architecture", architecture) ||
                    field_value(current, "Version", version);
            }
            if (pos >= text.size()) {
                break;
            }
        }
        ++found;
        if (strict != nullptr && (package.empty() || architecture.empty() || version.empty())) {
            throw ParseError(*strict, start_line,
                             std::string("stanza without a ") +
                                 (package.empty()        ? "Package"
                                  : architecture.empty() ? "Architecture"
                                                         : "Version") +
                                 " field");
        }
        if (!wanted || wanted(package, architecture, version)) {
            selected.push_back(
                Slice{text.substr(start, pos - start), start_line, package, architecture, version});
        }
    }
    return found;
}

// Parses a stanza the scan found; it must say what the scan read.
Pkgdesc parse_slice(const Slice& slice, const std::string& origin) {
    const std::string where = origin + " (stanza at line " + std::to_string(slice.first_line) + ")";
    Pkgdesc desc = parse_pkgdesc(slice.text, where);
    if (desc.package != slice.package || desc.architecture != slice.architecture ||
        desc.version != slice.version) {
        throw ParseError(where, 1, "the stanza does not parse as it scans");
    }
    return desc;
}

// The wanted stanzas of one file of stanzas.
std::vector<Pkgdesc> parse_file(const std::string& path, const ReferenceSet::Filter& wanted) {
    const std::optional<std::string> text = read_file_if_exists(path, k_max_reference_file);
    if (!text) {
        throw IoError::from_errno(path, "cannot open", ENOENT);
    }
    std::vector<Slice> selected;
    if (scan_stanzas(*text, wanted, selected, &path) == 0) {
        throw IoError(path, "no pkgdesc stanza");
    }
    std::vector<Pkgdesc> stanzas;
    stanzas.reserve(selected.size());
    for (const Slice& slice : selected) {
        stanzas.push_back(parse_slice(slice, path));
    }
    return stanzas;
}

// Whether a file of a directory is left unread: named as pkgdesc-gen -o names them
// ("PACKAGE_VERSION_ARCH.pkgdesc", the version's colon as %3a) for a version `wanted` does not
// select. What such a file holds could only ever be reference data of its own.
bool named_unwanted(const std::string& file, const ReferenceSet::Filter& wanted) {
    if (!wanted) {
        return false;
    }
    std::string_view name(file);
    name = name.substr(name.rfind('/') + 1);
    name.remove_suffix(std::string_view(".pkgdesc").size());
    const std::size_t first = name.find('_');
    const std::size_t last = name.rfind('_');
    if (first == std::string_view::npos || first == last || first == 0 || last + 1 == name.size() ||
        name.find('_', first + 1) != last) {
        return false;
    }
    std::string version(name.substr(first + 1, last - first - 1));
    for (std::size_t at = version.find("%3a"); at != std::string::npos;
         at = version.find("%3a", at + 1)) {
        version.replace(at, 3, ":");
    }
    return !wanted(name.substr(0, first), name.substr(last + 1), version);
}

} // namespace

void ReferenceSet::add_path(const std::string& path, const Filter& wanted) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw IoError::from_errno(path, "cannot access", errno);
    }
    if (S_ISREG(st.st_mode)) {
        for (Pkgdesc& desc : parse_file(path, wanted)) {
            add(std::move(desc), path);
        }
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        throw IoError(path, "neither a file nor a directory");
    }
    std::vector<std::pair<std::string, std::uintmax_t>> found; // with the size seen
    std::error_code ec;
    for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::filesystem::path& entry = it->path();
        if (entry.extension() == ".pkgdesc" && !named_unwanted(entry.string(), wanted) &&
            it->is_regular_file(ec)) {
            std::error_code size_ec;
            const std::uintmax_t size = it->file_size(size_ec);
            found.emplace_back(entry.string(), size_ec ? 0 : size);
        }
    }
    if (ec) {
        throw IoError(path, "cannot read directory: " + ec.message());
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> files;
    for (auto& [file, size] : found) {
        files.push_back(std::move(file));
    }
    // Parsed on every CPU (a whole system's reference data is hundreds of megabytes), largest
    // first so that no CPU is left with one big file at the end; added in file order so that
    // errors and duplicates are reported the same way every time.
    std::vector<std::size_t> schedule(files.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    std::stable_sort(schedule.begin(), schedule.end(), [&](std::size_t a, std::size_t b) {
        return found[a].second > found[b].second;
    });
    run_ordered<Parsed>(
        files.size(), default_jobs(), schedule,
        [&](std::size_t index) {
            Parsed parsed;
            try {
                parsed.stanzas = parse_file(files[index], wanted);
                for (Pkgdesc& desc : parsed.stanzas) {
                    desc.sort(); // here, not on the thread that adds them
                }
            } catch (...) {
                parsed.error = std::current_exception();
            }
            return parsed;
        },
        [&](std::size_t index, Parsed& parsed) {
            if (parsed.error) {
                std::rethrow_exception(parsed.error);
            }
            for (Pkgdesc& desc : parsed.stanzas) {
                add(std::move(desc), files[index]);
            }
        });
}

void ReferenceSet::add(Pkgdesc desc, const std::string& origin) {
    add(std::move(desc), Provenance{origin, {}, {}});
}

void ReferenceSet::add(Pkgdesc desc, Provenance provenance) {
    const std::string& origin = provenance.origin;
    desc.sort();
    std::vector<Item>& items = m_items[desc.package + '\0' + desc.architecture];
    for (const Item& item : items) {
        if (debVS.CmpVersion(item.desc.version, desc.version) == 0) {
            if (item.desc == desc) {
                return;
            }
            throw Error(origin, "a different stanza for " + desc.package + " " + desc.version +
                                    " (" + desc.architecture + ") was read from " +
                                    item.provenance.origin);
        }
    }
    items.push_back(Item{std::move(desc), std::move(provenance)});
    ++m_count;
}

std::size_t ReferenceSet::add_index(std::string_view text, const std::string& origin,
                                    const Filter& wanted, unsigned jobs) {
    std::vector<Slice> selected;
    scan_stanzas(text, wanted, selected);
    std::vector<std::size_t> schedule(selected.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    run_ordered<Parsed>(
        selected.size(), std::max(1u, jobs), schedule,
        [&](std::size_t index) {
            Parsed parsed;
            try {
                parsed.stanzas.push_back(parse_slice(selected[index], origin));
                parsed.stanzas.back().sort();
            } catch (...) {
                parsed.error = std::current_exception();
            }
            return parsed;
        },
        [&](std::size_t, Parsed& parsed) {
            if (parsed.error) {
                std::rethrow_exception(parsed.error);
            }
            for (Pkgdesc& desc : parsed.stanzas) {
                add(std::move(desc), origin);
            }
        });
    return selected.size();
}

namespace {

std::string version_key(std::string_view package, std::string_view architecture,
                        std::string_view version) {
    // Versions as dpkg compares them: "0:1.0" is "1.0".
    if (version.size() > 2 && version.substr(0, 2) == "0:") {
        version.remove_prefix(2);
    }
    std::string key(package);
    key.push_back('\0');
    key.append(architecture);
    key.push_back('\0');
    key.append(version);
    return key;
}

} // namespace

ReferenceSet::Filter ReferenceSet::only(const std::vector<PackageVersion>& versions) {
    auto wanted = std::make_shared<std::map<std::string, std::vector<std::string>, std::less<>>>();
    for (const PackageVersion& pkg : versions) {
        (*wanted)[pkg.name + '\0' + pkg.architecture].push_back(pkg.version);
    }
    return [wanted](std::string_view package, std::string_view architecture,
                    std::string_view version) {
        std::string key(package);
        key.push_back('\0');
        key.append(architecture);
        const auto it = wanted->find(key);
        if (it == wanted->end()) {
            return false;
        }
        const std::string text(version);
        return std::any_of(it->second.begin(), it->second.end(),
                           [&](const std::string& v) { return debVS.CmpVersion(v, text) == 0; });
    };
}

void ReferenceSet::set_missing_reason(std::string_view package, std::string_view architecture,
                                      std::string_view version, std::string reason) {
    m_missing[version_key(package, architecture, version)] = std::move(reason);
}

std::string ReferenceSet::missing_reason(std::string_view package, std::string_view architecture,
                                         std::string_view version) const {
    const auto it = m_missing.find(version_key(package, architecture, version));
    return it != m_missing.end() ? it->second : "no reference data for this version";
}

const ReferenceSet::Item* ReferenceSet::find_item(std::string_view package,
                                                  std::string_view architecture,
                                                  std::string_view version) const {
    std::string key(package);
    key.push_back('\0');
    key.append(architecture);
    const auto it = m_items.find(key);
    if (it == m_items.end()) {
        return nullptr;
    }
    for (const Item& item : it->second) {
        if (debVS.CmpVersion(item.desc.version, std::string(version)) == 0) {
            return &item;
        }
    }
    return nullptr;
}

const Pkgdesc* ReferenceSet::find(std::string_view package, std::string_view architecture,
                                  std::string_view version) const {
    const Item* item = find_item(package, architecture, version);
    return item != nullptr ? &item->desc : nullptr;
}

const Provenance* ReferenceSet::provenance(std::string_view package, std::string_view architecture,
                                           std::string_view version) const {
    const Item* item = find_item(package, architecture, version);
    return item != nullptr ? &item->provenance : nullptr;
}

std::vector<const Pkgdesc*> ReferenceSet::versions(std::string_view package,
                                                   std::string_view architecture) const {
    std::string key(package);
    key.push_back('\0');
    key.append(architecture);
    std::vector<const Pkgdesc*> found;
    const auto it = m_items.find(key);
    if (it != m_items.end()) {
        for (const Item& item : it->second) {
            found.push_back(&item.desc);
        }
    }
    return found;
}

ReferenceSet::Filter ReferenceSet::any_version_of(const std::vector<PackageVersion>& versions) {
    auto wanted = std::make_shared<std::set<std::string, std::less<>>>();
    for (const PackageVersion& pkg : versions) {
        wanted->insert(pkg.name + '\0' + pkg.architecture);
    }
    return [wanted](std::string_view package, std::string_view architecture, std::string_view) {
        std::string key(package);
        key.push_back('\0');
        key.append(architecture);
        return wanted->contains(key);
    };
}

} // namespace pkgdesc
