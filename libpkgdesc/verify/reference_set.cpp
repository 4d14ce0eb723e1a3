// Loading reference stanzas from files and directories.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/util/thread_pool.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <apt-pkg/debversion.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <fstream>
#include <numeric>

namespace pkgdesc {

namespace {

std::vector<Pkgdesc> parse_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError::from_errno(path, "cannot open", errno);
    }
    std::vector<Pkgdesc> stanzas = parse_pkgdesc_stream(in, path);
    if (stanzas.empty()) {
        throw IoError(path, "no pkgdesc stanza");
    }
    return stanzas;
}

// A parsed file, or why it could not be parsed (rethrown in file order).
struct Parsed {
    std::vector<Pkgdesc> stanzas;
    std::exception_ptr error;
};

} // namespace

void ReferenceSet::add_path(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw IoError::from_errno(path, "cannot access", errno);
    }
    if (S_ISREG(st.st_mode)) {
        for (Pkgdesc& desc : parse_file(path)) {
            add(std::move(desc), path);
        }
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        throw IoError(path, "neither a file nor a directory");
    }
    std::vector<std::string> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::filesystem::path& entry = it->path();
        if (entry.extension() == ".pkgdesc" && it->is_regular_file(ec)) {
            files.push_back(entry.string());
        }
    }
    if (ec) {
        throw IoError(path, "cannot read directory: " + ec.message());
    }
    std::sort(files.begin(), files.end());
    // Parsed on every CPU (a whole system's reference data is hundreds of megabytes), added in
    // file order so that errors and duplicates are reported the same way every time.
    std::vector<std::size_t> schedule(files.size());
    std::iota(schedule.begin(), schedule.end(), 0);
    run_ordered<Parsed>(
        files.size(), default_jobs(), schedule,
        [&](std::size_t index) {
            Parsed parsed;
            try {
                parsed.stanzas = parse_file(files[index]);
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
    desc.sort();
    std::vector<Item>& items = m_items[desc.package + '\0' + desc.architecture];
    for (const Item& item : items) {
        if (debVS.CmpVersion(item.desc.version, desc.version) == 0) {
            if (item.desc == desc) {
                return;
            }
            throw Error(origin, "a different stanza for " + desc.package + " " + desc.version +
                                    " (" + desc.architecture + ") was read from " + item.origin);
        }
    }
    items.push_back(Item{std::move(desc), origin});
    ++m_count;
}

const Pkgdesc* ReferenceSet::find(std::string_view package, std::string_view architecture,
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
            return &item.desc;
        }
    }
    return nullptr;
}

} // namespace pkgdesc
