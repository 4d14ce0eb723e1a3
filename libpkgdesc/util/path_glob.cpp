// Matching component by component, with dynamic programming for "**" (time proportional to
// pattern components times path components, whatever the path).
#include <libpkgdesc/util/path_glob.hpp>

#include <fnmatch.h>

#include <string>
#include <vector>

namespace pkgdesc {

namespace {

std::vector<std::string> components(std::string_view path) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const std::size_t slash = path.find('/', pos);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        out.emplace_back(path.substr(pos, end - pos));
        if (slash == std::string_view::npos) {
            break;
        }
        pos = slash + 1;
    }
    return out;
}

} // namespace

bool path_glob_match(std::string_view pattern, std::string_view path) {
    // A pattern without '*', '?', '[' or '\\' matches its own text only (the default
    // --expect-changed ones, compared with every path checked).
    if (pattern.find_first_of("*?[\\") == std::string_view::npos) {
        return pattern == path;
    }
    const std::vector<std::string> pat = components(pattern);
    const std::vector<std::string> name = components(path);
    // reach[j]: the first i pattern components can match the first j path components.
    std::vector<bool> reach(name.size() + 1, false);
    reach.front() = true;
    for (const std::string& component : pat) {
        std::vector<bool> next(name.size() + 1, false);
        if (component == "**") {
            bool any = false;
            for (std::size_t j = 0; j <= name.size(); ++j) {
                any = any || reach[j];
                next[j] = any;
            }
        } else {
            for (std::size_t j = 0; j < name.size(); ++j) {
                if (reach[j] &&
                    ::fnmatch(component.c_str(), name[j].c_str(), FNM_PERIOD) == 0) {
                    next[j + 1] = 1;
                }
            }
        }
        reach = std::move(next);
    }
    return reach.back();
}

} // namespace pkgdesc
