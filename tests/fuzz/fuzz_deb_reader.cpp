// libFuzzer target: the .deb reader on arbitrary bytes must describe the package or throw a
// pkgdesc::Error; never crash, hang or leak.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/generate/generator.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    char path[] = "/tmp/pkgdesc-fuzz.XXXXXX";
    const int fd = ::mkstemp(path);
    if (fd < 0) {
        return 0;
    }
    if (::write(fd, data, size) == static_cast<ssize_t>(size)) {
        try {
            pkgdesc::describe_deb(path);
        } catch (const pkgdesc::Error&) {
        }
    }
    ::close(fd);
    ::unlink(path);
    return 0;
}
