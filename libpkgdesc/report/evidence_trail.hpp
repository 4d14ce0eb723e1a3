// An evidence trail of verification runs (pkgdesc-verify --evidence-dir DIR): per run its JSON
// report and a signed manifest, chained to the manifest before it, and one line per run in the
// append-only DIR/prooftrail.log. Checking the trail proves every signature and every link from
// the first entry, so that a report edited, deleted, reordered, inserted or signed again by
// another key later is found.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/trust/detached_signature.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pkgdesc {

inline constexpr const char* k_prooftrail_log = "prooftrail.log";
// The manifest's "format".
inline constexpr const char* k_evidence_format = "pkgdesc-evidence 1";

// How a run's manifest is signed (detached and armored in NAME.manifest.asc, or Ed25519 in
// base64 in NAME.manifest.ed25519), and the keys a trail's signatures are proven with.
using EvidenceSigner = DetachedSigner;
using EvidenceKeys = DetachedKeys;

// One run, as the manifest tells it.
struct PKGDESC_EXPORT EvidenceRun {
    std::string report;               // the JSON report
    std::vector<std::string> command; // the command line, argv[0] first
    std::vector<std::string>
        sources;       // the reference sources and their signers, as the run logged them
    std::string state; // trusted, incomplete or degraded
    std::int64_t finished_unix = 0; // when the run ended (UTC seconds)
};

struct PKGDESC_EXPORT EvidenceEntry {
    std::string name;            // "run-20261204T210000Z" (the report is NAME.json)
    std::string manifest_sha256; // hex
};

struct PKGDESC_EXPORT EvidenceCheck {
    std::size_t entries = 0;          // entries proven, from the first one
    std::vector<std::string> signers; // the keys that signed them (fingerprints, distinct)
    // Empty when the whole trail is proven; otherwise the first broken link: "entry 3
    // (run-...): reason".
    std::string broken;
    bool intact() const { return broken.empty(); }
};

class PKGDESC_EXPORT EvidenceTrail {
public:
    // DIR must exist (it is never created here).
    explicit EvidenceTrail(std::string dir);

    // Writes NAME.json, NAME.manifest and its signature (each atomically), then appends the line
    // "<UTC> <manifest SHA-256> <previous manifest SHA-256> NAME.json" to prooftrail.log with one
    // write, the log locked meanwhile (runs never interleave). The manifest: the format, the UTC
    // time, the command, the sources, the state, the SHA-256 and size of the report, the previous
    // manifest's SHA-256 (64 zeros for the first entry) and the signature's kind. Throws IoError
    // or TrustError (a key that cannot sign: nothing is written then).
    EvidenceEntry append(const EvidenceRun& run, const EvidenceSigner& signer) const;

    // Proves the trail from its first entry, stopping at the first broken link: a line that is
    // not one of the log's, a manifest whose SHA-256 is not the logged one, a previous-manifest
    // link that is not the entry before's (deleted, inserted or reordered entries), a report
    // whose SHA-256 or size is not the manifest's, a signature missing or not made by one of
    // `keys`, and a run's files that no line of the log names (a missing log included). Throws
    // IoError when the log cannot be read, or is missing from a directory without a run's files;
    // TrustError when a key cannot be read.
    EvidenceCheck check(const EvidenceKeys& keys) const;

    const std::string& dir() const { return m_dir; }

private:
    std::string m_dir;
};

} // namespace pkgdesc
