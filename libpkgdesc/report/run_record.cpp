// The record of a scheduled verification: see run_record.hpp.
#include <libpkgdesc/report/run_record.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>

#include <cerrno>
#include <cstdio>

#include <unistd.h>

namespace pkgdesc {

std::string_view trust_state_name(TrustState state) {
    switch (state) {
    case TrustState::trusted:
        return "trusted";
    case TrustState::incomplete:
        return "incomplete";
    case TrustState::degraded:
        return "degraded";
    }
    return "degraded";
}

TrustState trust_state_of(const Summary& summary) {
    for (const FileStatus status : k_file_statuses) {
        if (is_deviation(status) &&
            (summary.count(status) != 0 || summary.md5sums_count(status) != 0)) {
            return TrustState::degraded;
        }
    }
    return summary.unreferenced.empty() ? TrustState::trusted : TrustState::incomplete;
}

namespace {

std::string state_line(TrustState state, const Summary& summary) {
    std::string deviating;
    std::size_t total = 0;
    for (const FileStatus status : k_file_statuses) {
        const std::size_t n = summary.count(status) + summary.md5sums_count(status);
        if (is_deviation(status) && n != 0) {
            deviating += (deviating.empty() ? "" : ", ") + std::to_string(n) + " " +
                         std::string(status_name(status));
            total += n;
        }
    }
    std::string line(trust_state_name(state));
    line += ": " + std::to_string(summary.count(FileStatus::pristine)) + " files of " +
            std::to_string(summary.packages_checked) + " packages pristine";
    if (total != 0) {
        line += "; " + std::to_string(total) + " deviating (" + deviating + ")";
    }
    if (!summary.local_diversions.empty()) {
        line += "; " + std::to_string(summary.local_diversions.size()) +
                " diversions no installed package vouches for";
    }
    if (!summary.unreferenced.empty()) {
        line +=
            "; " + std::to_string(summary.unreferenced.size()) + " packages without reference data";
    }
    return line;
}

std::string metrics(TrustState state, const Summary& summary, std::int64_t finished_unix,
                    double seconds) {
    std::string text =
        "# HELP pkgdesc_files Files the last pkgdesc-verify run checked, by status.\n"
        "# TYPE pkgdesc_files gauge\n";
    for (const FileStatus status : k_file_statuses) {
        text += "pkgdesc_files{status=\"" + std::string(status_name(status)) + "\"} " +
                std::to_string(summary.count(status) + summary.md5sums_count(status)) + "\n";
    }
    auto gauge = [&](const std::string& name, const std::string& help, const std::string& value) {
        text += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
                value + "\n";
    };
    gauge("pkgdesc_packages_checked", "Packages the last run checked.",
          std::to_string(summary.packages_checked));
    gauge("pkgdesc_packages_unreferenced",
          "Installed packages the last run found no reference data for.",
          std::to_string(summary.unreferenced.size()));
    gauge("pkgdesc_bytes_hashed", "Bytes the last run read and hashed.",
          std::to_string(summary.bytes_hashed));
    gauge("pkgdesc_last_run_timestamp_seconds", "When the last run ended (Unix time).",
          std::to_string(finished_unix));
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3f", seconds);
    gauge("pkgdesc_last_run_duration_seconds", "How long the last run took.", duration);
    text += "# HELP pkgdesc_trust_state 1 for the state the last run found: trusted, incomplete "
            "(packages without reference data) or degraded (files deviate).\n"
            "# TYPE pkgdesc_trust_state gauge\n";
    for (const TrustState s : {TrustState::trusted, TrustState::incomplete, TrustState::degraded}) {
        text += "pkgdesc_trust_state{state=\"" + std::string(trust_state_name(s)) + "\"} " +
                (s == state ? "1" : "0") + "\n";
    }
    return text;
}

} // namespace

std::string run_record_line(const Summary& summary) {
    return state_line(trust_state_of(summary), summary);
}

RunRecord record_run(const std::string& dir, std::string_view json, const Summary& summary,
                     std::int64_t finished_unix, double seconds) {
    RunRecord record;
    record.state = trust_state_of(summary);
    record.line = state_line(record.state, summary);
    const std::string last = dir + "/" + k_record_last;
    const std::string previous = dir + "/" + k_record_previous;
    // The last report becomes the previous one through a second link, so that last.json is
    // never missing; the new one is then renamed over it.
    const std::string linked = dir + "/.previous.json.new";
    ::unlink(linked.c_str());
    if (::link(last.c_str(), linked.c_str()) == 0) {
        if (::rename(linked.c_str(), previous.c_str()) != 0) {
            const int error = errno;
            ::unlink(linked.c_str());
            throw IoError::from_errno(previous, "cannot keep the last report", error);
        }
    } else if (errno != ENOENT) {
        throw IoError::from_errno(last, "cannot keep it as " + std::string(k_record_previous),
                                  errno);
    }
    for (const auto& [name, text] :
         {std::pair<std::string, std::string>{k_record_last, std::string(json)},
          {k_record_state, record.line + "\n"},
          {k_record_metrics, metrics(record.state, summary, finished_unix, seconds)}}) {
        AtomicFile file(dir + "/" + name);
        file.write(text);
        file.commit();
    }
    return record;
}

} // namespace pkgdesc
