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

// A verdict is kept only for a file whose times are older than the run by more than the
// kernel's writeback delay: the incremental runs here see a clock ten minutes ahead (faketime),
// so the files the test just made count as settled; `settled` false runs at the real time.
struct IncrementalRoot : Installed {
    std::string state = tmp / "state";

    // A verification (status 0 or 1), incremental or not: its JSON document.
    json run(bool incremental, bool settled = true) const {
        std::vector<std::string> argv;
        if (incremental && settled) {
            argv = {"faketime", "-f", "+600s"};
        }
        argv.insert(argv.end(), {program("PKGDESC_VERIFY"), "--root", root.dir(), "--pkgdesc", ref,
                                 "--trust-unsigned", "--format", "json", "--no-unowned", "--all",
                                 "-q"});
        if (incremental) {
            argv.insert(argv.end(), {"--incremental", "--state-dir", state});
        }
        const RunResult r = pkgdesc::test::run(argv);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.status == 0 || r.status == 1);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, std::string(), r.err);
        return json::parse(r.out);
    }
};

bool have_faketime() {
    if (!have_tool("faketime")) {
        skip("faketime is not installed");
        return false;
    }
    return true;
}

std::uint64_t bytes_hashed(const json& doc) {
    return doc["summary"]["bytes_hashed"].get<std::uint64_t>();
}

class VerifyIncrementalTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyIncrementalTest);
    CPPUNIT_TEST(testUnchangedFilesAreNotReadAgain);
    CPPUNIT_TEST(testEveryChangeThroughTheFileSystemIsSeen);
    CPPUNIT_TEST(testDamagedRecordMeansAFullRun);
    CPPUNIT_TEST(testFilesChangedJustNowAreNotKept);
    CPPUNIT_TEST(testRecordThatCannotBeWrittenKeepsTheReport);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUnchangedFilesAreNotReadAgain() {
        if (!have_faketime()) {
            return;
        }
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
        if (!have_faketime()) {
            return;
        }
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
        if (!have_faketime()) {
            return;
        }
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
        // A FIFO or a symlink at the record's place is not opened, nor followed.
        must_sh("cd " + shell_quote(sys.state) + "/verdicts && for f in *; do rm \"$f\" && "
                "mkfifo \"$f\"; done");
        const RunResult fifo = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                       "--trust-unsigned", "--incremental", "--state-dir",
                                       sys.state, "-q"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(fifo.err, 0, fifo.status);
        CPPUNIT_ASSERT_MESSAGE(fifo.err, fifo.err.find("not a regular file") != std::string::npos);
    }

    void testFilesChangedJustNowAreNotKept() {
        // A file whose times are within the kernel's writeback delay may still change without
        // its times moving (a write through a shared mapping to a page already dirty, a write
        // within a coarse clock's tick): its verdict is not kept, the next run reads it again.
        IncrementalRoot sys;
        const json full = sys.run(false);
        sys.run(true, false);
        const json again = sys.run(true, false);
        CPPUNIT_ASSERT_EQUAL(full["files"].dump(), again["files"].dump());
        CPPUNIT_ASSERT_EQUAL(bytes_hashed(full), bytes_hashed(again));
    }

    void testRecordThatCannotBeWrittenKeepsTheReport() {
        if (!have_faketime()) {
            return;
        }
        IncrementalRoot sys;
        sys.run(true);
        // A directory where the record goes: a warning, the whole report, its exit status.
        must_sh("cd " + shell_quote(sys.state) + "/verdicts && for f in *; do rm \"$f\" && "
                "mkdir \"$f\"; done && printf 'x\\n' >> " + sys.q("/usr/share/doc/hello/README"));
        const RunResult r =
            run({"faketime", "-f", "+600s", program("PKGDESC_VERIFY"), "--root", sys.root.dir(),
                 "--pkgdesc", sys.ref, "--trust-unsigned", "--format", "json", "--no-unowned",
                 "--incremental", "--state-dir", sys.state});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("the verdicts of this run are not kept") !=
                                          std::string::npos);
        assert_deviations({{"/usr/share/doc/hello/README", "modified size,sha256,mtime"}},
                          json::parse(r.out));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyIncrementalTest, "e2e.verify.incremental");
