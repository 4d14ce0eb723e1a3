// Exit codes of every pkgdesc command; the man pages list the same values.
#pragma once

namespace pkgdesc {

enum class ExitCode : int {
    // Everything asked for was done, and everything checked matched.
    ok = 0,
    // Differences were found (pkgdesc-gen --check, pkgdesc-verify deviations).
    differences = 1,
    // Usage error, or an input that could not be read or was refused.
    error = 2,
    // Reference data that cannot be trusted.
    untrusted = 3,
};

constexpr int to_int(ExitCode code) noexcept {
    return static_cast<int>(code);
}

} // namespace pkgdesc
