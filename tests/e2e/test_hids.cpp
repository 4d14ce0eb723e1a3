// End-to-end tests of the HIDS integrations with the real tools from Debian: Debian's aide on a
// root the test installs with the real dpkg (an upgrade, and changes by hand), its report
// filtered by pkgdesc-verify --aide-report (text and JSON), its database judged by --aide-db;
// --paths-from; and the allow-lists of --list-format checked by sha256sum and fapolicyd's
// grammar.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <sstream>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

using Paths = std::set<std::string>;

// A root installed by the real dpkg (--root), watched by the real aide (root_prefix).
struct AideRoot {
    TempDir tmp;
    std::string root = tmp / "root";
    std::string tool1, tool2, other;
    std::string ref;

    AideRoot() {
        for (const char* name : {"dpkg", "dpkg-deb", "aide"}) {
            if (!have_tool(name)) {
                skip(std::string(name) + " is not installed");
                return;
            }
        }
        if (!running_as_root()) {
            skip("installing with dpkg --root needs root");
            return;
        }
        must_sh("mkdir -p " + q("/var/lib/dpkg/updates") + " " + q("/var/lib/dpkg/info") + " " +
                q("/etc") + " && touch " + q("/var/lib/dpkg/status"));
        // The accounts that name the owners (not watched by aide below: no package ships them).
        write_file(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        write_file(root + "/etc/group", "root:x:0:\n");
        // tool 1.0 -> 2.0: the program changes, old.txt goes, new.txt comes, README stays.
        tool1 = package("tool", "1.0",
                        "mkdir -p usr/bin usr/share/tool usr/share/doc/tool etc\n"
                        "printf '#!/bin/sh\\necho 1\\n' > usr/bin/tool && chmod 755 usr/bin/tool\n"
                        "printf 'old\\n' > usr/share/tool/old.txt\n"
                        "printf 'readme\\n' > usr/share/doc/tool/README\n"
                        "printf 'setting=1\\n' > etc/tool.conf\n");
        tool2 = package("tool", "2.0",
                        "mkdir -p usr/bin usr/share/tool usr/share/doc/tool etc\n"
                        "printf '#!/bin/sh\\necho 2\\n' > usr/bin/tool && chmod 755 usr/bin/tool\n"
                        "printf 'new\\n' > usr/share/tool/new.txt\n"
                        "printf 'readme\\n' > usr/share/doc/tool/README\n"
                        "printf 'setting=1\\n' > etc/tool.conf\n");
        other = package("other", "1.0",
                        "mkdir -p usr/bin usr/share/other\n"
                        "printf 'other\\n' > usr/bin/other && chmod 755 usr/bin/other\n"
                        "printf 'other2\\n' > usr/bin/other2 && chmod 755 usr/bin/other2\n"
                        "printf 'data\\n' > usr/share/other/data\n");
        ref = make_reference(tmp, {tool1, tool2, other});
        dpkg_install(tool1);
        dpkg_install(other);
        write_file(tmp / "aide.conf", config(""));
        write_file(tmp / "aide-json.conf", config("report_format=json\n"));
    }

    std::string q(const std::string& path) const { return shell_quote(root + path); }

    std::string package(const std::string& name, const std::string& version,
                        const std::string& script) {
        const std::string dir = tmp / (name + "-" + version);
        write_control(dir, name, version, "amd64");
        if (name == "tool") {
            write_file(dir + "/DEBIAN/conffiles", "/etc/tool.conf\n");
        }
        const std::string deb = tmp / (name + "_" + version + "_amd64.deb");
        // With md5sums, as dh_md5sums writes it (dpkg writes its own for a package without).
        build_deb(dir, deb, "xz",
                  script + "find usr -type f | sort | xargs md5sum > DEBIAN/md5sums\n");
        return deb;
    }

    void dpkg_install(const std::string& deb) const {
        must_sh("dpkg --root=" + shell_quote(root) + " --force-script-chrootless -i " +
                shell_quote(deb) + " >/dev/null");
    }

    std::string config(const std::string& options) const {
        return options + "database_in=file:" + tmp / "aide.db.gz" + "\n" +
               "database_out=file:" + tmp / "aide.db.new.gz" + "\n" +
               "gzip_dbout=yes\n"
               "root_prefix=" +
               root +
               "\n"
               "report_url=stdout\n"
               "Watched = p+i+n+u+g+s+m+c+sha256+ftype+l+xattrs+acl\n"
               "/usr Watched\n"
               "/etc Watched\n"
               "!/etc/passwd$\n"
               "!/etc/group$\n";
    }

    // The baseline; then a second passes, so that what changes next has another mtime (aide
    // compares seconds).
    void aide_init() const {
        must_sh("aide -c " + shell_quote(tmp / "aide.conf") + " --init >/dev/null && cp " +
                shell_quote(tmp / "aide.db.new.gz") + " " + shell_quote(tmp / "aide.db.gz") +
                " && sleep 1");
    }

    // aide --check exits with a bit mask of what changed: 0 (nothing) to 7 (added, removed,
    // changed); 14 and above are its errors.
    std::string aide_check(const std::string& conf) const {
        const RunResult r = run({"aide", "-c", tmp / conf, "--check"});
        CPPUNIT_ASSERT_MESSAGE(r.err, r.status >= 0 && r.status < 14);
        return r.out;
    }

    RunResult filter(const std::string& report) const {
        write_file(tmp / "report", report);
        return verify({"--root", root, "--pkgdesc", ref, "--trust-unsigned", "--aide-report",
                       tmp / "report"});
    }
};

// The paths of the entry lines of an AIDE text report ("SUMMARY: PATH", "added: PATH").
Paths text_entries(const std::string& report) {
    Paths paths;
    std::istringstream in(report);
    std::string line;
    bool in_entries = false;
    while (std::getline(in, line)) {
        if (line.ends_with("entries:") && line.find("Detailed") == std::string::npos) {
            in_entries = true;
        } else if (line.starts_with("Detailed information") || line.starts_with("The attributes") ||
                   line.starts_with("Suppressed by")) {
            in_entries = false;
        } else if (in_entries && !line.empty() && !line.starts_with("---")) {
            const std::size_t colon = line.find(": /");
            CPPUNIT_ASSERT_MESSAGE(line, colon != std::string::npos);
            paths.insert(line.substr(colon + 2));
        }
    }
    return paths;
}

Paths json_entries(const json& doc) {
    Paths paths;
    for (const char* kind : {"added", "removed", "changed"}) {
        if (doc.contains(kind)) {
            for (const auto& [path, summary] : doc[kind].items()) {
                paths.insert(path);
            }
        }
    }
    return paths;
}

std::string join(const Paths& paths) {
    std::string out;
    for (const std::string& path : paths) {
        out += path + "\n";
    }
    return out;
}

class HidsAideTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HidsAideTest);
    CPPUNIT_TEST(testFilterLeavesExactlyTheManualChanges);
    CPPUNIT_TEST(testFilterExplainsAnUpgradeWhole);
    CPPUNIT_TEST(testFilterJudgesWhatAideSaw);
    CPPUNIT_TEST(testFilterKeepsWhatNoVerdictCovers);
    CPPUNIT_TEST(testBaselineCheckFindsATamperedRecord);
    CPPUNIT_TEST_SUITE_END();

public:
    void testFilterLeavesExactlyTheManualChanges() {
        AideRoot aide;
        if (skipped()) {
            return;
        }
        aide.aide_init();
        aide.dpkg_install(aide.tool2);
        must_sh("printf 'edited\\n' >> " + aide.q("/usr/share/other/data") +
                " && printf 'setting=2\\n' >> " + aide.q("/etc/tool.conf") + " && rm " +
                aide.q("/usr/bin/other2"));
        // What packages did and what the admin did.
        const std::string report = aide.aide_check("aide.conf");
        const Paths reported = text_entries(report);
        for (const char* path : {"/usr/bin/tool", "/usr/share/tool/new.txt",
                                 "/usr/share/tool/old.txt", "/usr/share/tool"}) {
            CPPUNIT_ASSERT_MESSAGE(report, reported.contains(path));
        }
        // Left: the three changes by hand, and the directory the binary was dropped from. Not
        // /etc: dpkg's temporary conffile came and went there, for the upgraded package that has
        // its conffile there.
        const Paths manual{"/etc/tool.conf", "/usr/share/other/data", "/usr/bin/other2",
                           "/usr/bin"};
        const RunResult text = aide.filter(report);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(text.err + text.out, 1, text.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(text.out, join(manual), join(text_entries(text.out)));
        CPPUNIT_ASSERT_MESSAGE(text.out,
                               text.out.find("Suppressed by pkgdesc-verify:") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(text.out, text.out.find("Removed by a package change:\t1") !=
                                             std::string::npos);
        // The detailed information of what is left stays; of what went, it goes.
        CPPUNIT_ASSERT(text.out.find("File: /usr/share/other/data") != std::string::npos);
        CPPUNIT_ASSERT(text.out.find("File: /usr/bin/tool") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string(), text.err);

        const std::string json_report = aide.aide_check("aide-json.conf");
        CPPUNIT_ASSERT_EQUAL(join(reported), join(json_entries(json::parse(json_report))));
        const RunResult filtered = aide.filter(json_report);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(filtered.err, 1, filtered.status);
        const json doc = json::parse(filtered.out);
        CPPUNIT_ASSERT_EQUAL(join(manual), join(json_entries(doc)));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1},
                             doc["number_of_entries"]["removed"].get<std::size_t>());
        CPPUNIT_ASSERT(doc.contains("suppressed_by_pkgdesc_verify"));
        CPPUNIT_ASSERT(doc["details"].contains("/usr/share/other/data"));
        CPPUNIT_ASSERT(!doc["details"].contains("/usr/bin/tool"));
    }

    void testFilterJudgesWhatAideSaw() {
        // Changes put back before the filter runs: the files are pristine again, to the
        // second of their mtimes, but what aide recorded of them is not the package's.
        AideRoot aide;
        if (skipped()) {
            return;
        }
        aide.aide_init();
        const std::string keep = aide.tmp / "kept";
        must_sh("mkdir " + shell_quote(keep) + " && cp -p " + aide.q("/usr/share/other/data") +
                " " + shell_quote(keep) + " && printf 'x\\n' >> " +
                aide.q("/usr/share/other/data") + " && chmod u+s " + aide.q("/usr/bin/other") +
                " && touch " + aide.q("/usr/share/other/x") + " && rm " +
                aide.q("/usr/share/other/x"));
        const std::string text = aide.aide_check("aide.conf");
        const std::string json_report = aide.aide_check("aide-json.conf");
        must_sh("cp -p " + shell_quote(keep + "/data") + " " + aide.q("/usr/share/other/data") +
                " && chmod u-s " + aide.q("/usr/bin/other"));
        write_file(aide.tmp / "paths", "/usr/share/other/data\n/usr/bin/other\n");
        const RunResult now = verify({"--root", aide.root, "--pkgdesc", aide.ref,
                                      "--trust-unsigned", "--paths-from", aide.tmp / "paths"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(now.out + now.err, 0, now.status);
        // And the directory where a file was made and deleted, by no package change.
        const std::string both = "/usr/bin/other\n/usr/share/other\n/usr/share/other/data\n";
        const RunResult from_text = aide.filter(text);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(from_text.err, 1, from_text.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(from_text.out, both, join(text_entries(from_text.out)));
        const RunResult from_json = aide.filter(json_report);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(from_json.err, 1, from_json.status);
        CPPUNIT_ASSERT_EQUAL(both, join(json_entries(json::parse(from_json.out))));
    }

    void testFilterKeepsWhatNoVerdictCovers() {
        // A second name for a package binary, made outside the watched tree (how an old setuid
        // binary outlives its upgrade), and an extended attribute pkgdesc does not prove: the
        // files are pristine, but what aide saw change is not covered by that.
        AideRoot aide;
        if (skipped()) {
            return;
        }
        aide.aide_init();
        must_sh("ln " + aide.q("/usr/bin/other") + " " + shell_quote(aide.tmp / "second-name"));
        // trusted.* needs root and a file system that keeps it; without, the link alone.
        const bool xattr =
            sh("setfattr -n trusted.note -v x " + aide.q("/usr/share/other/data")).status == 0;
        const std::string expected =
            std::string("/usr/bin/other\n") + (xattr ? "/usr/share/other/data\n" : "");
        for (const char* conf : {"aide.conf", "aide-json.conf"}) {
            const std::string report = aide.aide_check(conf);
            const RunResult r = aide.filter(report);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
            const Paths kept = std::string(conf) == "aide.conf" ? text_entries(r.out)
                                                                : json_entries(json::parse(r.out));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, expected, join(kept));
        }
        // The verifier itself: one name more than the package gives the inode.
        write_file(aide.tmp / "paths", "/usr/bin/other\n");
        const RunResult v = verify({"--root", aide.root, "--pkgdesc", aide.ref, "--trust-unsigned",
                                    "-v", "--paths-from", aide.tmp / "paths"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(v.out + v.err, 1, v.status);
        CPPUNIT_ASSERT_MESSAGE(v.out,
                               v.out.find("metadata     /usr/bin/other (other): links 1 -> 2\n") !=
                                   std::string::npos);
    }

    void testFilterExplainsAnUpgradeWhole() {
        AideRoot aide;
        if (skipped()) {
            return;
        }
        aide.aide_init();
        aide.dpkg_install(aide.tool2);
        const std::string report = aide.aide_check("aide.conf");
        CPPUNIT_ASSERT(!text_entries(report).empty());
        // All of it, /etc included: no entry in it is in the report, but the upgraded package
        // has its conffile there (dpkg's temporary file came and went).
        const RunResult r = aide.filter(report);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err + r.out, 0, r.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, std::string(), join(text_entries(r.out)));
        // Without the old version's reference, the removal of old.txt is not explained, nor is
        // the change of its directory then.
        const std::string only_new = aide.tmp / "only-new";
        make_reference(aide.tmp, {aide.tool2, aide.other}, "only-new");
        write_file(aide.tmp / "report", report);
        const RunResult without =
            verify({"--root", aide.root, "--pkgdesc", only_new, "--trust-unsigned", "--aide-report",
                    aide.tmp / "report"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(without.err, 1, without.status);
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/share/tool\n/usr/share/tool/old.txt\n"),
                             join(text_entries(without.out)));
    }

    void testBaselineCheckFindsATamperedRecord() {
        AideRoot aide;
        if (skipped()) {
            return;
        }
        // A clean baseline: every recorded entry is a pristine package file.
        aide.aide_init();
        const std::vector<std::string> args{"--root",
                                            aide.root,
                                            "--pkgdesc",
                                            aide.ref,
                                            "--trust-unsigned",
                                            "--aide-db",
                                            aide.tmp / "aide.db.gz",
                                            "--format",
                                            "json",
                                            "--all"};
        RunResult r = verify(args);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err + r.out, 0, r.status);
        const json clean = json::parse(r.out);
        CPPUNIT_ASSERT(file_entry(clean, "/usr/bin/other")["status"] == "pristine");
        CPPUNIT_ASSERT(file_entry(clean, "/etc/tool.conf")["status"] == "pristine");
        // A baseline taken from a tampered file, which is then put back: the disk is pristine,
        // the record is not.
        const std::string saved = read_file(aide.root + "/usr/bin/other");
        must_sh("cp -p " + aide.q("/usr/bin/other") + " " + shell_quote(aide.tmp / "saved") +
                " && printf 'backdoor\\n' > " + aide.q("/usr/bin/other") + " && chmod 4755 " +
                aide.q("/usr/share/other/data"));
        aide.aide_init();
        must_sh("cp -p " + shell_quote(aide.tmp / "saved") + " " + aide.q("/usr/bin/other") +
                " && chmod 644 " + aide.q("/usr/share/other/data"));
        r = verify(args);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        const json doc = json::parse(r.out);
        assert_deviations({{"/usr/bin/other", "modified size,sha256,mtime"},
                           {"/usr/share/other/data", "metadata mode"}},
                          doc);
        // The same from standard input, as gunzip -c would pipe it.
        const RunResult piped = sh("gunzip -c " + shell_quote(aide.tmp / "aide.db.gz") + " | " +
                                   shell_quote(program("PKGDESC_VERIFY")) + " --root " +
                                   shell_quote(aide.root) + " --pkgdesc " + shell_quote(aide.ref) +
                                   " --trust-unsigned --aide-db - --format json");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(piped.err, 1, piped.status);
        assert_deviations({{"/usr/bin/other", "modified size,sha256,mtime"},
                           {"/usr/share/other/data", "metadata mode"}},
                          json::parse(piped.out));
        // The disk itself is pristine: nothing of it was read.
        r = verify({"--root", aide.root, "--pkgdesc", aide.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        // Not an AIDE database: exit 2, naming the file.
        write_file(aide.tmp / "bogus.db", "@@begin_db\n@@db_spec name perm\n/x 100644\n");
        r = verify({"--root", aide.root, "--pkgdesc", aide.ref, "--trust-unsigned", "--aide-db",
                    aide.tmp / "bogus.db"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("bogus.db") != std::string::npos);
    }
};

// --paths-from and the allow-lists of --list-format, on the "hello" package.
class HidsListsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HidsListsTest);
    CPPUNIT_TEST(testPathsFromReportsEachPath);
    CPPUNIT_TEST(testSha256sumListIsCheckedBySha256sum);
    CPPUNIT_TEST(testFapolicydListHasProvenRegularFilesOnly);
    CPPUNIT_TEST(testFapolicydReadsTheTrustFile);
    CPPUNIT_TEST(testModesRefuseWhatHasNoEffect);
    CPPUNIT_TEST_SUITE_END();

public:
    void testPathsFromReportsEachPath() {
        Installed hello;
        must_sh("printf 'changed\\n' >> " + hello.q("/usr/share/doc/hello/README") +
                " && printf 'x' > " + hello.q("/usr/bin/planted"));
        for (const bool nul : {false, true}) {
            const char sep = nul ? '\0' : '\n';
            std::string list;
            for (const char* path : {"/usr/bin/hello", "/usr/share/doc/hello/README",
                                     "/usr/bin/planted", "/usr/bin/nothing-here"}) {
                list += std::string(path) + sep;
            }
            write_file(hello.tmp / "paths", list);
            std::vector<std::string> extra{"--paths-from", hello.tmp / "paths"};
            if (nul) {
                extra.push_back("--from0");
            }
            const json doc = verify_json(hello.root, hello.ref, extra, 1);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(doc.dump(), std::size_t{4}, doc["files"].size());
            CPPUNIT_ASSERT(file_entry(doc, "/usr/bin/hello")["status"] == "pristine");
            CPPUNIT_ASSERT(file_entry(doc, "/usr/share/doc/hello/README")["status"] == "modified");
            CPPUNIT_ASSERT(file_entry(doc, "/usr/bin/planted")["status"] == "unowned");
            CPPUNIT_ASSERT(file_entry(doc, "/usr/bin/nothing-here")["status"] == "unowned");
        }
        write_file(hello.tmp / "bad", "/usr/bin/hello\nrelative/path\n");
        const RunResult r = verify({"--root", hello.root.dir(), "--pkgdesc", hello.ref,
                                    "--trust-unsigned", "--paths-from", hello.tmp / "bad"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(hello.tmp / "bad:2:") != std::string::npos);
    }

    void testSha256sumListIsCheckedBySha256sum() {
        Installed hello;
        must_sh("printf 'changed\\n' >> " + hello.q("/usr/share/doc/hello/README"));
        const RunResult r =
            verify({"--root", hello.root.dir(), "--pkgdesc", hello.ref, "--trust-unsigned",
                    "--list", "pristine", "--list-format", "sha256sum"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        // The real sha256sum, in the root, agrees with every line; the changed file is absent,
        // and so are directories and symlinks.
        write_file(hello.tmp / "sums", r.out);
        const RunResult check =
            sh("cd " + shell_quote(hello.root.dir()) + " && sed 's|  /|  ./|' " +
               shell_quote(hello.tmp / "sums") + " | sha256sum -c --strict");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(check.out + check.err, 0, check.status);
        CPPUNIT_ASSERT(r.out.find("/usr/bin/hello\n") != std::string::npos);
        CPPUNIT_ASSERT(r.out.find("/usr/share/doc/hello/README") == std::string::npos);
        CPPUNIT_ASSERT(r.out.find("hello-link") == std::string::npos);
        CPPUNIT_ASSERT(r.out.find("  /usr/bin\n") == std::string::npos);
    }

    void testFapolicydListHasProvenRegularFilesOnly() {
        Installed hello;
        must_sh("printf 'changed\\n' >> " + hello.q("/usr/share/doc/hello/README"));
        const RunResult r =
            verify({"--root", hello.root.dir(), "--pkgdesc", hello.ref, "--trust-unsigned",
                    "--list", "pristine", "--list-format", "fapolicyd"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        std::istringstream in(r.out);
        std::string line;
        std::size_t lines = 0;
        std::getline(in, line);
        CPPUNIT_ASSERT_EQUAL(std::string("# AUTOGENERATED FILE VERSION 2"), line);
        while (std::getline(in, line)) {
            ++lines;
            // PATH SIZE SHA256, as fapolicyd's file trust backend reads it.
            std::istringstream fields(line);
            std::string path, size, sha256, rest;
            fields >> path >> size >> sha256;
            CPPUNIT_ASSERT_MESSAGE(line, !(fields >> rest));
            struct stat st {};
            CPPUNIT_ASSERT_EQUAL_MESSAGE(line, 0, ::lstat((hello.root.dir() + path).c_str(), &st));
            CPPUNIT_ASSERT_MESSAGE(line, S_ISREG(st.st_mode));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(line, std::to_string(st.st_size), size);
            const RunResult sum = run({"sha256sum", hello.root.dir() + path});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(line, sum.out.substr(0, 64), sha256);
            CPPUNIT_ASSERT(path != "/usr/share/doc/hello/README");
        }
        CPPUNIT_ASSERT(lines >= 4);
    }

    // The real fapolicyd-cli (1.1.7, unpacked from the .deb in apt's cache, never installed)
    // loads the trust file into its database and finds each entry matching the file on disk,
    // names with a space, '%' and UTF-8 included; a file changed since is reported.
    void testFapolicydReadsTheTrustFile() {
        if (!running_as_root() || !have_tool("unshare")) {
            skip("fapolicyd-cli runs in a private mount namespace: needs root and unshare");
            return;
        }
        const RunResult deb = sh("ls /var/cache/apt/archives/fapolicyd_*.deb | tail -n 1");
        if (deb.status != 0 || deb.out.empty()) {
            skip("fapolicyd's .deb is not in apt's cache (scripts/install-deps downloads it)");
            return;
        }
        TempDir tmp;
        const std::string cli = tmp / "fapolicyd/usr/sbin/fapolicyd-cli";
        must_sh("dpkg-deb -x " + shell_quote(deb.out.substr(0, deb.out.size() - 1)) + " " +
                shell_quote(tmp / "fapolicyd"));
        const std::string dir = tmp / "odd";
        write_control(dir, "odd", "1.0", "amd64");
        build_deb(dir, tmp / "odd.deb", "xz",
                  "mkdir -p usr/bin usr/share/odd\n"
                  "printf 'odd\\n' > usr/bin/odd && chmod 755 usr/bin/odd\n"
                  "printf 'a' > 'usr/share/odd/with space'\n"
                  "printf 'b' > 'usr/share/odd/pct%41'\n"
                  "printf 'd' > usr/share/odd/été\n");
        const std::string ref = make_reference(tmp, {tmp / "odd.deb"});
        SystemRoot root(tmp / "root");
        root.install(tmp / "odd.deb");
        const RunResult list = verify({"--root", root.dir(), "--pkgdesc", ref, "--trust-unsigned",
                                       "--list", "pristine", "--list-format", "fapolicyd"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(list.err, 0, list.status);
        // fapolicyd opens the paths it trusts: they are made the root's (whose name needs no
        // escape) before it reads them.
        CPPUNIT_ASSERT(root.dir().find_first_of(" \t%") == std::string::npos);
        std::string trust;
        std::istringstream in(list.out);
        std::string line;
        std::size_t entries = 0;
        while (std::getline(in, line)) {
            trust += (line.starts_with("#") ? "" : root.dir()) + line + "\n";
            entries += line.starts_with("#") ? 0 : 1;
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{4}, entries);
        CPPUNIT_ASSERT(list.out.find("/usr/share/odd/with%20space 1 ") != std::string::npos);
        CPPUNIT_ASSERT(list.out.find("/usr/share/odd/pct%2541 1 ") != std::string::npos);
        write_file(tmp / "trust", trust);
        // fapolicyd's paths are compiled in: its directories are overlays in the namespace.
        const std::string script =
            "set -e\n"
            "T=" +
            shell_quote(tmp.path()) +
            "\n"
            "mkdir -p $T/ov && mount -n -t tmpfs tmpfs $T/ov\n"
            "mkdir -p $T/ov/eu $T/ov/ew $T/ov/vu $T/ov/vw\n"
            "mount -n -t overlay overlay -o lowerdir=/etc,upperdir=$T/ov/eu,workdir=$T/ov/ew /etc\n"
            "mount -n -t overlay overlay -o lowerdir=/var/lib,upperdir=$T/ov/vu,workdir=$T/ov/vw "
            "/var/lib\n"
            "mount -n -t tmpfs tmpfs /run\n"
            "rm -rf /etc/fapolicyd /var/lib/fapolicyd\n"
            "mkdir -p /etc/fapolicyd/trust.d /var/lib/fapolicyd /run/fapolicyd\n"
            "cp $T/trust /etc/fapolicyd/trust.d/pkgdesc\n"
            "PATH= " +
            shell_quote(cli) +
            " --check-path >/dev/null 2>&1 || true\n"
            "echo '== dump'\n" +
            shell_quote(cli) +
            " --dump-db 2>/dev/null\n"
            "echo '== check'\n" +
            shell_quote(cli) +
            " --check-trustdb 2>&1\n"
            "printf 'changed' > " +
            shell_quote(root / "/usr/share/odd/with space") +
            "\n"
            "echo '== after'\n" +
            shell_quote(cli) + " --check-trustdb 2>&1\n";
        const RunResult r = run({"unshare", "-m", "--propagation", "private", "sh", "-c", script});
        if (r.status != 0 && (r.err.find("mount") != std::string::npos ||
                              r.err.find("unshare:") != std::string::npos)) {
            skip("cannot mount overlays in a private mount namespace (a chroot?): " + r.err);
            return;
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        const std::string dump = r.out.substr(0, r.out.find("== check"));
        for (const char* name : {"with space", "pct%41", "été"}) {
            const std::string path = root / (std::string("/usr/share/odd/") + name);
            CPPUNIT_ASSERT_MESSAGE(r.out, dump.find("filedb " + path + " 1 ") != std::string::npos);
        }
        const std::string check = r.out.substr(r.out.find("== check"));
        CPPUNIT_ASSERT_MESSAGE(r.out,
                               check.find("No problems found\n== after") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(
            r.out, r.out.substr(r.out.find("== after")).find("with space miscompares") !=
                       std::string::npos);
    }

    void testModesRefuseWhatHasNoEffect() {
        Installed hello;
        const std::vector<std::string> base{"--root", hello.root.dir(), "--pkgdesc", hello.ref,
                                            "--trust-unsigned"};
        for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
                 {"--aide-report", "-", "--aide-db", "x"},
                 {"--aide-report", "-", "--format", "json"},
                 {"--paths-from", "-", "hello"},
                 {"--paths-from", "-", "--unowned"},
                 {"--from0"},
                 {"--list-format", "fapolicyd"},
                 {"--list", "deviating", "--list-format", "sha256sum"},
                 {"--list", "pristine", "--list-format", "nonsense"}}) {
            std::vector<std::string> args = base;
            args.insert(args.end(), extra.begin(), extra.end());
            const RunResult r = verify_as_given(args);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(extra.front() + ": " + r.err, 2, r.status);
        }
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(HidsAideTest, "e2e.hids.aide");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(HidsListsTest, "e2e.hids.lists");
