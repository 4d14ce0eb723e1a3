// Atomic replacement of files.
#include <libpkgdesc/fs/atomic_file.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/file_io.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace pkgdesc {

AtomicFile::AtomicFile(std::string path, unsigned mode) : m_path(std::move(path)) {
    m_tmp_path = m_path + ".tmp.XXXXXX";
    std::vector<char> templ(m_tmp_path.begin(), m_tmp_path.end());
    templ.push_back('\0');
    m_fd = ::mkostemp(templ.data(), O_CLOEXEC);
    if (m_fd < 0) {
        throw IoError::from_errno(m_path, "cannot create temporary file", errno);
    }
    m_tmp_path.assign(templ.data());
    if (::fchmod(m_fd, static_cast<mode_t>(mode)) != 0) {
        const int err = errno;
        ::close(m_fd);
        ::unlink(m_tmp_path.c_str());
        throw IoError::from_errno(m_path, "cannot set mode", err);
    }
}

AtomicFile::~AtomicFile() {
    if (m_fd >= 0) {
        ::close(m_fd);
        ::unlink(m_tmp_path.c_str());
    }
}

void AtomicFile::write(std::string_view data) {
    write_all(m_fd, data, m_path, "write error");
}

void AtomicFile::commit() {
    if (::fsync(m_fd) != 0) {
        throw IoError::from_errno(m_path, "fsync", errno);
    }
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(m_tmp_path.c_str());
        throw IoError::from_errno(m_path, "close", err);
    }
    if (::rename(m_tmp_path.c_str(), m_path.c_str()) != 0) {
        const int err = errno;
        ::unlink(m_tmp_path.c_str());
        throw IoError::from_errno(m_path, "cannot rename into place", err);
    }
}

} // namespace pkgdesc
