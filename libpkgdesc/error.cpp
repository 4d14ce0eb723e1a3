// Exception types of libpkgdesc.
#include <libpkgdesc/error.hpp>

#include <cstring>

namespace pkgdesc {

namespace {
std::string join(const std::string& path, const std::string& reason) {
    return path.empty() ? reason : path + ": " + reason;
}
} // namespace

Error::Error(std::string path, std::string reason)
    : std::runtime_error(join(path, reason)), m_path(std::move(path)), m_reason(std::move(reason)) {
}

Error::Error(std::string path, std::string reason, const std::string& what)
    : std::runtime_error(what), m_path(std::move(path)), m_reason(std::move(reason)) {}

ParseError::ParseError(std::string path, std::size_t line, std::string reason)
    : Error(path, reason, path + ":" + std::to_string(line) + ": " + reason), m_line(line) {}

IoError IoError::from_errno(std::string path, const std::string& what, int errnum) {
    return IoError(std::move(path), what + ": " + std::strerror(errnum));
}

} // namespace pkgdesc
