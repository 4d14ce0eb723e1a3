// The exceptions libpkgdesc throws. Each carries the file it concerns and a reason, so that a
// CLI can print "tool: error: PATH: reason" without knowing where the error came from.
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace pkgdesc {

class PKGDESC_EXPORT Error : public std::runtime_error {
public:
    Error(std::string path, std::string reason);

    // The file or object the error is about; may be empty.
    const std::string& path() const noexcept { return m_path; }
    // The reason alone, without the path.
    const std::string& reason() const noexcept { return m_reason; }

protected:
    // For subclasses whose message is not "PATH: reason".
    Error(std::string path, std::string reason, const std::string& what);

private:
    std::string m_path;
    std::string m_reason;
};

// A malformed document: what() is "PATH:LINE: reason".
class PKGDESC_EXPORT ParseError : public Error {
public:
    ParseError(std::string path, std::size_t line, std::string reason);
    std::size_t line() const noexcept { return m_line; }

private:
    std::size_t m_line;
};

// A .deb (or one of its members) that cannot be read or is refused as hostile.
class PKGDESC_EXPORT ArchiveError : public Error {
public:
    using Error::Error;
};

// A file that cannot be opened, read or written.
class PKGDESC_EXPORT IoError : public Error {
public:
    using Error::Error;
    // Builds the reason from an errno value.
    static IoError from_errno(std::string path, const std::string& what, int errnum);
};

// Reference data that cannot be trusted (bad, missing or unknown signature, ...).
class PKGDESC_EXPORT TrustError : public Error {
public:
    using Error::Error;
};

} // namespace pkgdesc
