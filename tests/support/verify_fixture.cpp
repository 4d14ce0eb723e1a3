// The pkgdesc-verify end-to-end helpers (see verify_fixture.hpp).
#include "verify_fixture.hpp"

#include "fixtures.hpp"

#include <cppunit/TestAssert.h>

#include <sys/stat.h>

#include <algorithm>
#include <stdexcept>

namespace pkgdesc::test {

using nlohmann::json;

// The "hello" package: a program with a hard link and a symlink, a daemon, a conffile, docs
// and data.
std::string build_hello(const TempDir& tmp, const std::string& version,
                        const std::string& extra_control) {
    const std::string dir = tmp / ("hello-" + version);
    write_control(dir, "hello", version, "amd64");
    if (!extra_control.empty()) {
        write_file(dir + "/DEBIAN/control", read_file(dir + "/DEBIAN/control") + extra_control);
    }
    write_file(dir + "/DEBIAN/conffiles", "/etc/hello.conf\n");
    const std::string deb = tmp / ("hello_" + version + "_amd64.deb");
    build_deb(dir, deb, "xz",
              "mkdir -p usr/bin usr/sbin etc usr/share/doc/hello usr/lib/hello\n"
              "printf '#!/bin/sh\\necho hello\\n' > usr/bin/hello\n"
              "chmod 0755 usr/bin/hello\n"
              "ln usr/bin/hello usr/bin/hello-again\n"
              "ln -s hello usr/bin/hello-link\n"
              "printf 'daemon\\n' > usr/sbin/hellod && chmod 0755 usr/sbin/hellod\n"
              "printf 'greeting=hello\\n' > etc/hello.conf\n"
              "printf 'Read me.\\n' > usr/share/doc/hello/README\n"
              "head -c 100000 /dev/zero | tr '\\0' x > usr/lib/hello/data.bin\n"
              // As dh_md5sums writes it, for dpkg --verify.
              "find usr -type f | sort | xargs md5sum > DEBIAN/md5sums\n");
    return deb;
}

std::string make_reference(const TempDir& tmp, const std::vector<std::string>& debs,
                           const std::string& name) {
    const std::string dir = tmp / name;
    ::mkdir(dir.c_str(), 0755);
    std::vector<std::string> argv{program("PKGDESC_GEN"), "-o", dir};
    argv.insert(argv.end(), debs.begin(), debs.end());
    const RunResult r = run(argv);
    if (r.status != 0) {
        throw std::runtime_error("pkgdesc-gen failed: " + r.err);
    }
    return dir;
}

RunResult verify(const std::vector<std::string>& args) {
    std::vector<std::string> argv{program("PKGDESC_VERIFY")};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!asks_about_unowned(args)) {
        argv.push_back("--no-unowned");
    }
    return run(argv);
}

RunResult verify_as_given(const std::vector<std::string>& args) {
    std::vector<std::string> argv{program("PKGDESC_VERIFY")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

bool asks_about_unowned(const std::vector<std::string>& args) {
    return std::find_if(args.begin(), args.end(), [](const std::string& arg) {
               // The HIDS modes decide themselves, and refuse either option.
               return arg == "--unowned" || arg == "--no-unowned" || arg == "--paths-from" ||
                      arg == "--aide-db" || arg == "--aide-report";
           }) != args.end() ||
           std::find(args.begin(), args.end(), "--root") == args.end();
}

// Runs a JSON verification of ROOT against REF and returns the parsed document.
json verify_json(const SystemRoot& root, const std::string& ref,
                 const std::vector<std::string>& extra, int expected_status) {
    std::vector<std::string> args{"--root",           root.dir(), "--pkgdesc", ref,
                                  "--trust-unsigned", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = verify(args);
    if (expected_status >= 0) {
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, expected_status, r.status);
    }
    CPPUNIT_ASSERT_MESSAGE(r.err, r.status == 0 || r.status == 1);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, std::string(), r.err);
    return json::parse(r.out);
}

Deviations deviations(const json& doc) {
    Deviations out;
    for (const json& file : doc["files"]) {
        if (file["status"] == "pristine" || file["status"] == "allowed" ||
            file["status"] == "unproven") {
            continue;
        }
        std::string text = file["status"].get<std::string>();
        std::string failed;
        for (const json& name : file["failed"]) {
            failed += (failed.empty() ? " " : ",") + name.get<std::string>();
        }
        text += failed;
        if (file["conffile"].get<bool>()) {
            text += " conffile";
        }
        out[file["path"].get<std::string>()] = text;
    }
    return out;
}

const json& file_entry(const json& doc, const std::string& path) {
    for (const json& file : doc["files"]) {
        if (file["path"] == path) {
            return file;
        }
    }
    throw std::runtime_error("no finding for " + path);
}

void assert_deviations(const Deviations& expected, const json& doc) {
    const Deviations actual = deviations(doc);
    std::string text;
    for (const auto& [path, what] : actual) {
        text += path + ": " + what + "\n";
    }
    CPPUNIT_ASSERT_EQUAL_MESSAGE(text, expected.size(), actual.size());
    for (const auto& [path, what] : expected) {
        const auto it = actual.find(path);
        CPPUNIT_ASSERT_MESSAGE("no finding for " + path + "\n" + text, it != actual.end());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(path, what, it->second);
    }
}

void must_sh(const std::string& script) {
    const RunResult r = sh(script);
    if (r.status != 0) {
        throw std::runtime_error("'" + script + "' failed: " + r.err);
    }
}

} // namespace pkgdesc::test
