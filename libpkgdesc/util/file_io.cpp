// Whole-file reads.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace pkgdesc {

std::optional<std::string> read_file_if_exists(const std::string& path) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid()) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        throw IoError::from_errno(path, "cannot open", errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw IoError::from_errno(path, "cannot stat", errno);
    }
    if (!S_ISREG(st.st_mode)) {
        throw IoError(path, "not a regular file");
    }
    std::string data;
    data.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    for (;;) {
        if (done == data.size()) {
            data.resize(done + 65536); // the file may have grown: read to its end
        }
        const ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw IoError::from_errno(path, "cannot read", errno);
        }
        if (n == 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    data.resize(done);
    return data;
}

} // namespace pkgdesc
