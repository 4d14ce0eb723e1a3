// pkgdesc-verify --incremental: files proven pristine by the last run are not read again while
// nothing about them changed, and any change made through the file system gives exactly the
// verdicts of a full run.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

struct IncrementalRoot : Installed {
    std::string state = tmp / "state";

    // A verification (status 0 or 1), incremental or not: its JSON document.
    json run(bool incremental) const {
        std::vector<std::string> extra{"--all", "-q"};
        if (incremental) {
            extra.insert(extra.end(), {"--incremental", "--state-dir", state});
        }
        return verify_json(root, ref, extra, -1);
    }
};

std::uint64_t bytes_hashed(const json& doc) {
    return doc["summary"]["bytes_hashed"].get<std::uint64_t>();
}

class VerifyIncrementalTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyIncrementalTest);
    CPPUNIT_TEST(testUnchangedFilesAreNotReadAgain);
    CPPUNIT_TEST(testEveryChangeThroughTheFileSystemIsSeen);
    CPPUNIT_TEST(testDamagedRecordMeansAFullRun);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUnchangedFilesAreNotReadAgain() {
        IncrementalRoot sys;
        const json full = sys.run(false);
        const json first = sys.run(true);
        CPPUNIT_ASSERT_EQUAL(full["files"].dump(), first["files"].dump());
        CPPUNIT_ASSERT_EQUAL(bytes_hashed(full), bytes_hashed(first));
        const json second = sys.run(true);
        CPPUNIT_ASSERT_EQUAL(full["files"].dump(), second["files"].dump());
        // Only what is never taken from the record is read: the control members.
        std::uint64_t control = 0;
        for (const json& file : full["files"]) {
            if (file["control"].get<bool>()) {
                control += std::filesystem::file_size(sys.root / file["path"].get<std::string>());
            }
        }
        CPPUNIT_ASSERT_MESSAGE(second.dump(), bytes_hashed(second) < bytes_hashed(full));
        CPPUNIT_ASSERT_EQUAL(control, bytes_hashed(second));
        // Its record is the state directory's, readable by root only.
        const RunResult mode = sh("stat -c %a " + shell_quote(sys.state) + "/verdicts/*");
        CPPUNIT_ASSERT_EQUAL(std::string("600\n"), mode.out);
    }

    void testEveryChangeThroughTheFileSystemIsSeen() {
        // Each change, made after an incremental run recorded every file pristine: the next
        // incremental run says exactly what a full run says.
        const std::vector<std::pair<std::string, std::string>> changes{
            // Same size, same mtime: only the ctime tells.
            {"content", "printf '#!/bin/sh\\necho HELLO\\n' > usr/bin/hello.new && "
                        "cat usr/bin/hello.new > usr/bin/hello && rm usr/bin/hello.new && "
                        "touch -r usr/share/doc/hello/README usr/bin/hello"},
            {"chmod", "chmod 4755 usr/sbin/hellod"},
            {"chown", "chown 7001 usr/sbin/hellod"},
            {"rename over", "cp -p usr/sbin/hellod x && printf 'evil\\n' > x && "
                            "touch -r usr/sbin/hellod x && mv x usr/sbin/hellod"},
            {"hard link swap", "rm usr/bin/hello-again && cp -p usr/bin/hello usr/bin/hello-again"},
            {"hard link made", "ln usr/share/doc/hello/README usr/share/readme-too"},
            {"deleted", "rm usr/share/doc/hello/README"},
        };
        for (const auto& [what, script] : changes) {
            IncrementalRoot sys;
            const json before = sys.run(true);
            assert_deviations({}, before);
            must_sh("cd " + shell_quote(sys.root.dir()) + " && " + script);
            const json full = sys.run(false);
            CPPUNIT_ASSERT_MESSAGE(what, !deviations(full).empty());
            const json incremental = sys.run(true);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, full["files"].dump(), incremental["files"].dump());
            // And once more, from the record this run left.
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what, full["files"].dump(), sys.run(true)["files"].dump());
        }
    }

    void testDamagedRecordMeansAFullRun() {
        IncrementalRoot sys;
        const json full = sys.run(false);
        sys.run(true);
        must_sh("for f in " + shell_quote(sys.state) + "/verdicts/*; do "
                "printf 'x' >> \"$f\"; done");
        const RunResult r = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                    "--trust-unsigned", "--format", "json", "--all",
                                    "--incremental", "--state-dir", sys.state});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not a record of verdicts") != std::string::npos);
        const json doc = json::parse(r.out);
        CPPUNIT_ASSERT_EQUAL(full["files"].dump(), doc["files"].dump());
        CPPUNIT_ASSERT_EQUAL(bytes_hashed(full), bytes_hashed(doc));
        // Modes it does not apply to.
        const RunResult aide = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                       "--trust-unsigned", "--incremental", "--aide-db", "-"});
        CPPUNIT_ASSERT_EQUAL(2, aide.status);
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyIncrementalTest, "e2e.verify.incremental");
