// The verifying host's pkgdesc directories.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/host_dirs.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace pkgdesc {

namespace {

std::string user_dir(const char* xdg_variable, const char* home_relative) {
    if (const char* xdg = std::getenv(xdg_variable); xdg != nullptr && xdg[0] == '/') {
        return std::string(xdg) + "/pkgdesc";
    }
    const char* home = std::getenv("HOME");
    if (home == nullptr || home[0] != '/') {
        throw Error(xdg_variable, "neither it nor HOME is set to an absolute directory");
    }
    return std::string(home) + "/" + home_relative + "/pkgdesc";
}

} // namespace

std::string default_state_dir() {
    return ::geteuid() == 0 ? "/var/lib/pkgdesc" : user_dir("XDG_STATE_HOME", ".local/state");
}

std::string default_cache_dir() {
    return ::geteuid() == 0 ? "/var/cache/pkgdesc" : user_dir("XDG_CACHE_HOME", ".cache");
}

std::string temp_dir() {
    const char* tmp = std::getenv("TMPDIR");
    return tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";
}

void make_directories(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        throw IoError(path, "cannot create directory: " + ec.message());
    }
}

} // namespace pkgdesc
