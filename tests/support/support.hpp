// Shared helpers of the test suites: temporary directories, running the real binaries, files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pkgdesc::test {

// A temporary directory, removed with everything in it at the end of the test.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

struct RunResult {
    int status = -1; // exit status, or 128 + signal
    std::string out;
    std::string err;
};

// Runs argv[0] (searched in PATH) with the given arguments and optional environment additions
// ("NAME=value"), capturing standard output and standard error.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
              const std::string& cwd = {});
// Runs a shell command line with /bin/sh -c.
RunResult sh(const std::string& script, const std::vector<std::string>& env = {});

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data, unsigned mode = 0644);
bool exists(const std::string& path);
std::vector<std::string> list_dir(const std::string& path);

// The path of a built program, from the environment variable ctest sets (e.g. PKGDESC_GEN).
std::string program(const char* env_name);

// True when `tool` is on PATH. A test that cannot run without it calls skip() and returns.
bool have_tool(const std::string& tool);
// Marks the run as skipped (exit status 125 when nothing failed).
void skip(const std::string& why);
bool skipped();

// Quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);

} // namespace pkgdesc::test
