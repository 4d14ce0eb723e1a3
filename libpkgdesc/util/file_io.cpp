// Whole-file reads.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/unique_fd.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

namespace pkgdesc {

namespace {

struct OpenFile {
    UniqueFd fd;
    std::uint64_t size = 0;
};

// Opens a regular file for reading (never blocking on a FIFO, never a controlling terminal);
// nullopt if it does not exist.
std::optional<OpenFile> open_regular(const std::string& path, FollowSymlink follow) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                                         (follow == FollowSymlink::no ? O_NOFOLLOW : 0)));
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
    return OpenFile{std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

} // namespace

std::optional<Sha256Digest> sha256_of_file_if_exists(const std::string& path, std::uint64_t limit,
                                                     FollowSymlink follow) {
    std::optional<OpenFile> file = open_regular(path, follow);
    if (!file) {
        return std::nullopt;
    }
    const auto too_large = [&] {
        return FileTooLarge(path, "larger than " + std::to_string(limit) + " bytes");
    };
    if (file->size > limit) {
        throw too_large();
    }
    std::vector<char> buffer(256 * 1024);
    Sha256 sha;
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::read(file->fd.get(), buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw IoError::from_errno(path, "cannot read", errno);
        }
        if (n == 0) {
            return sha.finish();
        }
        total += static_cast<std::uint64_t>(n);
        if (total > limit) {
            throw too_large(); // it grew while read
        }
        sha.update(buffer.data(), static_cast<std::size_t>(n));
    }
}

std::optional<std::string> read_file_if_exists(const std::string& path, std::uint64_t limit,
                                               FollowSymlink follow) {
    std::optional<OpenFile> file = open_regular(path, follow);
    if (!file) {
        return std::nullopt;
    }
    return read_open_file(file->fd.get(), path, limit);
}

std::string read_open_file(int fd, const std::string& path, std::uint64_t limit) {
    const auto too_large = [&] {
        return FileTooLarge(path, "larger than " + std::to_string(limit) + " bytes");
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        throw IoError::from_errno(path, "cannot stat", errno);
    }
    const auto size = static_cast<std::uint64_t>(std::max<off_t>(st.st_size, 0));
    if (size > limit) {
        throw too_large();
    }
    std::string data;
    data.resize(static_cast<std::size_t>(size));
    std::size_t done = 0;
    for (;;) {
        if (done == data.size()) {
            if (done >= limit) {
                // One byte more tells whether the file grew past the limit.
                char extra = 0;
                const ssize_t more = ::pread(fd, &extra, 1, static_cast<off_t>(done));
                if (more > 0) {
                    throw too_large();
                }
                break;
            }
            // The file may have grown: read to its end.
            data.resize(static_cast<std::size_t>(std::min<std::uint64_t>(done + 65536, limit)));
        }
        const ssize_t n =
            ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
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

std::optional<MappedFile> MappedFile::open_if_exists(const std::string& path) {
    std::optional<OpenFile> file = open_regular(path, FollowSymlink::yes);
    if (!file) {
        return std::nullopt;
    }
    const UniqueFd& fd = file->fd;
    const auto size = static_cast<std::size_t>(file->size);
    if (size == 0) {
        return MappedFile(nullptr, 0);
    }
    void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (data == MAP_FAILED) {
        throw IoError::from_errno(path, "cannot map", errno);
    }
    return MappedFile(data, size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    std::swap(m_data, other.m_data);
    std::swap(m_size, other.m_size);
    return *this;
}

MappedFile::~MappedFile() {
    if (m_data != nullptr) {
        ::munmap(m_data, m_size);
    }
}

std::string read_input(const std::string& file, std::size_t limit) {
    const bool stdin_input = file == "-";
    const int fd = stdin_input ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    const std::string shown = stdin_input ? std::string("standard input") : file;
    if (fd < 0) {
        throw IoError::from_errno(shown, "cannot open", errno);
    }
    std::string data;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            const int error = errno;
            if (!stdin_input) {
                ::close(fd);
            }
            throw IoError::from_errno(shown, "cannot read", error);
        }
        if (n == 0) {
            break;
        }
        if (data.size() + static_cast<std::size_t>(n) > limit) {
            if (!stdin_input) {
                ::close(fd);
            }
            throw IoError(shown, "larger than " + std::to_string(limit) + " bytes: refused");
        }
        data.append(buffer, static_cast<std::size_t>(n));
    }
    if (!stdin_input) {
        ::close(fd);
    }
    return data;
}

void write_all(int fd, std::string_view data, const std::string& shown, const char* what) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw IoError::from_errno(shown, what, errno);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

} // namespace pkgdesc
