// What a scheduled verification leaves for people and monitoring (pkgdesc-verify --record DIR):
// the JSON report of the last run and of the one before, a state word, and a node-exporter
// textfile. Written atomically, each file complete or absent.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/finding.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pkgdesc {

// What a run found, in the spirit of an integrity monitor's states: every package verified
// and pristine; nothing deviating, but packages without reference data (unverified, not
// failed); or files that deviate.
enum class TrustState { trusted, incomplete, degraded };

PKGDESC_EXPORT std::string_view trust_state_name(TrustState state);
PKGDESC_EXPORT TrustState trust_state_of(const Summary& summary);

inline constexpr const char* k_record_last = "last.json";
inline constexpr const char* k_record_previous = "previous.json";
inline constexpr const char* k_record_state = "state";
inline constexpr const char* k_record_metrics = "pkgdesc.prom";

struct PKGDESC_EXPORT RunRecord {
    TrustState state = TrustState::trusted;
    // One line for the journal: "degraded: 3 deviating files (2 modified, 1 missing) ...".
    std::string line;
};

// The journal line of a run: "degraded: 3 deviating files (2 modified, 1 missing) ...".
PKGDESC_EXPORT std::string run_record_line(const Summary& summary);

// Writes into `dir` (which must exist): last.json (`json`, the report; the last one before is
// kept as previous.json), state (the line: it starts with the state word), and pkgdesc.prom
// (files by status, packages checked and unreferenced, bytes hashed, the run's end and
// duration, the state), for the textfile collector of prometheus-node-exporter. Throws
// IoError.
PKGDESC_EXPORT RunRecord record_run(const std::string& dir, std::string_view json,
                                    const Summary& summary, std::int64_t finished_unix,
                                    double seconds);

} // namespace pkgdesc
