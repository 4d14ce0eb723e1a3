// Names and totals of findings.
#include <libpkgdesc/verify/finding.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <numeric>

namespace pkgdesc {

std::string_view status_name(FileStatus status) {
    switch (status) {
    case FileStatus::pristine:
        return "pristine";
    case FileStatus::modified:
        return "modified";
    case FileStatus::metadata:
        return "metadata";
    case FileStatus::missing:
        return "missing";
    case FileStatus::unowned:
        return "unowned";
    case FileStatus::unverifiable:
        return "unverifiable";
    case FileStatus::allowed:
        return "allowed";
    case FileStatus::unproven:
        return "unproven";
    }
    return "unknown";
}

bool is_deviation(FileStatus status) {
    return status != FileStatus::pristine && status != FileStatus::allowed &&
           status != FileStatus::unproven;
}

bool Finding::has_failed(std::string_view name) const {
    return std::any_of(failed.begin(), failed.end(),
                       [&](const FailedAttribute& attribute) { return attribute.name == name; });
}

std::size_t Summary::total() const {
    return std::accumulate(counts.begin(), counts.end(), std::size_t{0});
}

std::size_t Summary::md5sums_total() const {
    return std::accumulate(md5sums_counts.begin(), md5sums_counts.end(), std::size_t{0});
}

bool Summary::clean() const {
    return unreferenced.empty() &&
           std::none_of(k_file_statuses.begin(), k_file_statuses.end(), [&](FileStatus status) {
               return is_deviation(status) && (count(status) > 0 || md5sums_count(status) > 0);
           });
}

Finding::Identity identity_of(const struct stat& st) {
    return {static_cast<std::uint64_t>(st.st_dev),
            static_cast<std::uint64_t>(st.st_ino),
            st.st_mtim.tv_sec,
            st.st_mtim.tv_nsec,
            st.st_ctim.tv_sec,
            st.st_ctim.tv_nsec};
}

} // namespace pkgdesc
