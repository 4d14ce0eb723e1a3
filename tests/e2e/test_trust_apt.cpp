// End-to-end tests of the apt chain: an archive made by the tests (Packages, a Release clear-signed
// by gpg with a key from a temporary GnuPG home), fetched by the real apt-get update into private
// lists, and pkgdesc-verify proving installed packages through InRelease -> Packages -> .deb.
// And a real-world check against Debian's own signatures where the machine has them.
#include "../support/fixtures.hpp"
#include "../support/gnupg.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <sstream>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

void must(const RunResult& r, const std::string& what) {
    if (r.status != 0) {
        throw std::runtime_error(what + " failed (" + std::to_string(r.status) + "): " + r.out +
                                 r.err);
    }
}

// A signed archive at TMP/archive, apt's directories under TMP/apt, an installed system at
// TMP/root.
struct AptFixture {
    TempDir tmp;
    GnupgHome key{tmp / "gnupg"};
    std::string archive = tmp / "archive";
    std::string apt = tmp / "apt";
    std::string keyring = tmp / "archive-key.gpg";
    std::string cache = tmp / "cache";
    std::string state = tmp / "state";
    SystemRoot root{tmp / "root"};
    // Whether apt keeps its lists compressed (as Debian's container images configure it).
    bool gzip_indexes = false;

    AptFixture() {
        key.export_public(keyring);
        must(sh("mkdir -p " + shell_quote(apt) + "/etc/apt/sources.list.d " + shell_quote(apt) +
                "/etc/apt/trusted.gpg.d " + shell_quote(apt) + "/etc/apt/preferences.d " +
                shell_quote(apt) + "/var/lib/apt/lists/partial " + shell_quote(apt) +
                "/var/cache/apt/archives/partial " + shell_quote(archive) + "/pool"),
             "mkdir");
        sources("[signed-by=" + keyring + "]");
    }

    void sources(const std::string& options) const {
        write_file(apt + "/etc/apt/sources.list",
                   "deb " + options + " file:" + archive + " stable main\n");
    }

    // The apt configuration both apt-get and pkgdesc-verify use.
    std::vector<std::string> apt_options() const {
        return {"-o", "Dir=" + apt,
                "-o", "Dir::State::status=" + root.dir() + "/var/lib/dpkg/status",
                "-o", "APT::Architecture=amd64",
                "-o", "APT::Architectures::=amd64",
                "-o", "Acquire::Languages=none",
                "-o", "Debug::NoLocking=1",
                "-o", "APT::Sandbox::User=root",
                "-o", std::string("Acquire::GzipIndexes=") + (gzip_indexes ? "true" : "false")};
    }

    // Publishes DEBs as the archive (pool/, Packages, Release signed into InRelease by gpg).
    void publish(const std::vector<std::string>& debs) const {
        std::string script = "set -e; cd " + shell_quote(archive) +
                             "; rm -rf dists pool/*; mkdir -p dists/stable/main/binary-amd64\n";
        for (const std::string& deb : debs) {
            script += "f=pool/$(dpkg-deb -f " + shell_quote(deb) + " Package)_$(dpkg-deb -f " +
                      shell_quote(deb) + " Version)_amd64.deb; cp " + shell_quote(deb) +
                      " $f; { dpkg-deb -f $f; echo \"Filename: $f\"; "
                      "echo \"Size: $(stat -c %s $f)\"; "
                      "echo \"SHA256: $(sha256sum < $f | cut -d' ' -f1)\"; echo; }"
                      " >> dists/stable/main/binary-amd64/Packages\n";
        }
        script += "touch dists/stable/main/binary-amd64/Packages\n"
                  "cd dists/stable\n"
                  "{ echo 'Origin: test'; echo 'Suite: stable'; echo 'Codename: stable';"
                  " echo \"Date: $(LC_ALL=C date -u -R | sed 's/+0000/UTC/')\";"
                  " echo 'Architectures: amd64'; echo 'Components: main'; echo 'SHA256:';"
                  " echo \" $(sha256sum < main/binary-amd64/Packages | cut -d' ' -f1)"
                  " $(stat -c %s main/binary-amd64/Packages) main/binary-amd64/Packages\"; }"
                  " > Release\n"
                  "gpg --batch --yes --clearsign --output InRelease Release\n";
        must(sh(script, {key.env()}), "publish");
    }

    void apt_update() const {
        std::vector<std::string> argv{"apt-get", "-q"};
        const std::vector<std::string> options = apt_options();
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back("update");
        must(run(argv), "apt-get update");
    }

    std::string lists_file(const std::string& suffix) const {
        for (const std::string& name : list_dir(apt + "/var/lib/apt/lists")) {
            if (name.size() >= suffix.size() &&
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
                return apt + "/var/lib/apt/lists/" + name;
            }
        }
        throw std::runtime_error("no list file ending in " + suffix);
    }

    RunResult verify(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> argv{program("PKGDESC_VERIFY"), "--root", root.dir(),
                                      "--cache-dir", cache, "--state-dir", state,
                                      // The chain's suites check package files only.
                                      "--no-unowned"};
        const std::vector<std::string> options = apt_options();
        argv.insert(argv.end(), options.begin(), options.end());
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv);
    }

    json verify_json(int status, const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> args{"--format", "json"};
        args.insert(args.end(), extra.begin(), extra.end());
        const RunResult r = verify(args);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, status, r.status);
        return json::parse(r.out);
    }

    std::string archives() const { return apt + "/var/cache/apt/archives"; }

    // Puts DEB into apt's archives cache under apt's name for it.
    void cache_deb(const std::string& deb, const std::string& name = "hello_1.0_amd64.deb") const {
        must(sh("cp " + shell_quote(deb) + " " + shell_quote(archives() + "/" + name)), "cp");
    }

    // The apt options as pkgdesc-restore takes them (--apt-option OPTION).
    std::vector<std::string> restore_apt_options() const {
        std::vector<std::string> apt;
        const std::vector<std::string> options = apt_options();
        for (std::size_t i = 1; i < options.size(); i += 2) {
            apt.insert(apt.end(), {"--apt-option", options[i]});
        }
        return apt;
    }

    // A backup plan of /usr into TMP/plan, with reference data the chain proves (downloading
    // the .debs apt's cache lacks). Returns the manifest's SHA-256.
    std::string backup_plan() const {
        std::vector<std::string> argv{program("PKGDESC_VERIFY"),
                                      "--root",
                                      root.dir(),
                                      "--cache-dir",
                                      cache,
                                      "--state-dir",
                                      state,
                                      "--fetch",
                                      "--backup-plan",
                                      tmp / "plan",
                                      "--backup-dir",
                                      "/usr"};
        const std::vector<std::string> apt = restore_apt_options();
        argv.insert(argv.end(), apt.begin(), apt.end());
        const RunResult planned = run(argv);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(planned.err, 0, planned.status);
        return planned.out.substr(0, 64);
    }

    // pkgdesc-restore --apply of the plan's manifest into INTO, given the root's accounts.
    RunResult restore(const std::string& into, const std::string& sha256,
                      const std::vector<std::string>& extra) const {
        must(sh("mkdir -p " + shell_quote(into + "/etc") + " && cp " +
                shell_quote(root.dir() + "/etc/passwd") + " " +
                shell_quote(root.dir() + "/etc/group") + " " + shell_quote(into + "/etc")),
             "accounts");
        std::vector<std::string> args{program("PKGDESC_RESTORE"),
                                      "--manifest",
                                      tmp / "plan/manifest",
                                      "--manifest-sha256",
                                      sha256,
                                      "--root",
                                      into,
                                      "--cache-dir",
                                      cache,
                                      "--apply"};
        const std::vector<std::string> apt = restore_apt_options();
        args.insert(args.end(), apt.begin(), apt.end());
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }

    // The usual case: "hello 1.0" installed, published in the signed archive, apt's lists
    // updated, and (with `cached`) its .deb in apt's cache. Returns the .deb.
    std::string hello_from_archive(bool cached = true) {
        const std::string deb = build_small_deb(tmp.path(), "hello", "1.0", "hello");
        root.install(deb);
        publish({deb});
        apt_update();
        if (cached) {
            cache_deb(deb);
        }
        return deb;
    }
};

// The apt hook as apt runs it: through the shipped apt.conf snippet, its program replaced by a
// wrapper that points it at the fixture's apt, state, cache and root.
struct HookFixture : AptFixture {
    std::string wrapper = tmp / "bin/pkgdesc-apt-hook";

    HookFixture() {
        std::string args;
        for (const std::string& option : apt_options()) {
            args += " " + shell_quote(option);
        }
        must(sh("mkdir -p " + shell_quote(tmp / "bin") + " " + shell_quote(tmp / "log")), "mkdir");
        write_file(wrapper,
                   "#!/bin/sh\n"
                   "if [ \"$1\" = check ]; then set -- --root " + shell_quote(root.dir()) +
                       " check; fi\n"
                       "exec " + shell_quote(program("PKGDESC_APT_HOOK")) + " --state-dir " +
                       shell_quote(state) + " --cache-dir " + shell_quote(cache) + args +
                       " \"$@\"\n",
                   0755);
        std::string snippet =
            read_file(std::string(std::getenv("PKGDESC_SOURCE_DIR")) + "/pkgdesc-apt-hook/80pkgdesc");
        for (std::size_t at = snippet.find("/usr/bin/pkgdesc-apt-hook"); at != std::string::npos;
             at = snippet.find("/usr/bin/pkgdesc-apt-hook", at + wrapper.size())) {
            snippet.replace(at, std::string("/usr/bin/pkgdesc-apt-hook").size(), wrapper);
        }
        write_file(tmp / "80pkgdesc", snippet);
    }

    // apt-get ARGS, installing into the root with the real dpkg.
    RunResult apt_get(const std::vector<std::string>& args) const {
        // (-c: read after the command line's Dir=, unlike apt.conf.d.)
        std::vector<std::string> argv{"apt-get", "-q", "-y", "-c", tmp / "80pkgdesc"};
        const std::vector<std::string> options = apt_options();
        argv.insert(argv.end(), options.begin(), options.end());
        for (const std::string& option :
             {"DPkg::Options::=--root=" + root.dir(), std::string("DPkg::Options::=--force-not-root"),
              std::string("DPkg::Options::=--force-bad-path"),
              std::string("DPkg::Options::=--log=/dev/null"),
              "Dir::Log=" + (tmp / "log"), std::string("DPkg::Use-Pty=false")}) {
            argv.insert(argv.end(), {"-o", option});
        }
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    // The hook step run by hand, with `input` on its standard input.
    RunResult hook(const std::string& step, const std::string& input = {}) const {
        write_file(tmp / "hook-input", input);
        return sh(shell_quote(wrapper) + " " + step + " < " + shell_quote(tmp / "hook-input"));
    }
};

std::string unreferenced_reason(const json& doc, const std::string& package) {
    for (const json& pkg : doc["unreferenced"]) {
        if (pkg["package"] == package) {
            return pkg["reason"].get<std::string>();
        }
    }
    return {};
}

std::size_t pristine_of(const json& doc, const std::string& package) {
    std::size_t count = 0;
    for (const json& file : doc["files"]) {
        count += file["package"] == package && file["status"] == "pristine" ? 1 : 0;
    }
    return count;
}

bool have_apt_tools() {
    if (!have_tool("apt-get") || !have_tool("gpg")) {
        skip("apt-get or gpg is missing");
        return false;
    }
    return true;
}

} // namespace

class TrustAptTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TrustAptTest);
    CPPUNIT_TEST(testSignedChainProvesInstalledPackage);
    CPPUNIT_TEST(testSecondRunUsesTheStanzaCache);
    CPPUNIT_TEST(testColdRunShowsItsProgressOnATerminal);
    CPPUNIT_TEST(testDebWithWrongHashIsUnreferenced);
    CPPUNIT_TEST(testVersionInNoSignedIndexIsUnreferenced);
    CPPUNIT_TEST(testTamperedListsAreNotTrusted);
    CPPUNIT_TEST(testCompressedListsAreProvenToo);
    CPPUNIT_TEST(testReleaseOfAnotherSuiteIsNotTrusted);
    CPPUNIT_TEST(testKeyOutsideSignedByIsNotTrusted);
    CPPUNIT_TEST(testTrustedPartsWithoutSignedBy);
    CPPUNIT_TEST(testFetchDownloadsMissingDeb);
    CPPUNIT_TEST(testRestoreFetchesTheDebsItsManifestNames);
    CPPUNIT_TEST(testRestoreReadsTheChainsDebsAsMergedUsrShipsThem);
    CPPUNIT_TEST(testNothingIsTakenFromTheCheckedRoot);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSignedChainProvesInstalledPackage() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = f.hello_from_archive();
        const json doc = f.verify_json(0, {"--all"});
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, doc["unreferenced"].size());
        CPPUNIT_ASSERT(pristine_of(doc, "hello") >= 6);
        // A changed file is found through the chain as well.
        write_file(f.root / "/usr/bin/hello", "HELLO\n", 0755);
        const json tampered = f.verify_json(1);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, tampered["files"].size());
        CPPUNIT_ASSERT_EQUAL(std::string("modified"),
                             tampered["files"][0]["status"].get<std::string>());
    }

    void testColdRunShowsItsProgressOnATerminal() {
        if (!have_apt_tools() || !have_tool("script")) {
            return;
        }
        AptFixture f;
        f.hello_from_archive();
        std::string command = "TERM=xterm " + shell_quote(program("PKGDESC_VERIFY")) +
                              " --root " + shell_quote(f.root.dir()) + " --cache-dir " +
                              shell_quote(f.cache) + " --state-dir " + shell_quote(f.state) +
                              " --no-unowned";
        for (const std::string& option : f.apt_options()) {
            command += " " + shell_quote(option);
        }
        // On a terminal (script(1) gives it one), the generation is shown, then cleared.
        const RunResult shown = run({"script", "-qec", command, "/dev/null"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(shown.out, 0, shown.status);
        CPPUNIT_ASSERT_MESSAGE(shown.out,
                               shown.out.find("\rpkgdesc-verify: generating stanzas: 0 of 1 "
                                              "packages, 0.0 MB of .debs\r\033[K") !=
                                   std::string::npos);
        // Elsewhere, nothing of it: the second run generates nothing anyway, so start cold.
        must(sh("rm -r " + shell_quote(f.cache)), "rm");
        const RunResult plain = f.verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plain.err, 0, plain.status);
        CPPUNIT_ASSERT_MESSAGE(plain.err, plain.err.find("1 generated") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(plain.err, plain.err.find("generating") == std::string::npos);
    }

    void testSecondRunUsesTheStanzaCache() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = f.hello_from_archive();
        const RunResult first = f.verify({"-v"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(first.err, 0, first.status);
        CPPUNIT_ASSERT_MESSAGE(first.err, first.err.find("0 from the cache, 1 generated") !=
                                              std::string::npos);
        const std::vector<std::string> cached = list_dir(f.cache + "/stanzas");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, cached.size());
        // Keyed by the .deb's SHA256, as the signed index gives it.
        const std::string sha = run({"sha256sum", hello}).out.substr(0, 64);
        CPPUNIT_ASSERT_EQUAL(sha + ".pkgdesc", cached.front());
        CPPUNIT_ASSERT_EQUAL(run({program("PKGDESC_GEN"), hello}).out,
                             read_file(f.cache + "/stanzas/" + cached.front()));
        // The second run decompresses nothing: the .deb may even be gone.
        must(sh("rm " + shell_quote(f.archives()) + "/*.deb*"), "rm");
        const RunResult second = f.verify({"-v"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(second.err, 0, second.status);
        CPPUNIT_ASSERT_MESSAGE(second.err, second.err.find("1 from the cache, 0 generated") !=
                                               std::string::npos);
        // The verdicts and list digests cached by the first run are tied to the exact bytes:
        // an edited list or InRelease is caught all the same.
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, list_dir(f.cache + "/verified").size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, list_dir(f.cache + "/lists").size());
        const std::string packages = f.lists_file("_Packages");
        const std::string original = read_file(packages);
        write_file(packages, original + "\n");
        const RunResult edited_list = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, edited_list.status);
        CPPUNIT_ASSERT_MESSAGE(edited_list.err, edited_list.err.find("the signed Release says") !=
                                                    std::string::npos);
        write_file(packages, original);
        const std::string inrelease = f.lists_file("_InRelease");
        const std::string signed_text = read_file(inrelease);
        std::string text = signed_text;
        text.replace(text.find("Suite: stable"), 13, "Suite: stablx");
        write_file(inrelease, text);
        const RunResult edited_release = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, edited_release.status);
        CPPUNIT_ASSERT_MESSAGE(edited_release.err,
                               edited_release.err.find("bad signature") != std::string::npos);
        write_file(inrelease, signed_text);
        CPPUNIT_ASSERT_EQUAL(0, f.verify().status);
        // A cache entry that describes another package is not used.
        write_file(
            f.cache + "/stanzas/" + cached.front(),
            run({program("PKGDESC_GEN"), build_small_deb(f.tmp.path(), "other", "1.0", "x")}).out);
        const json doc = f.verify_json(1);
        CPPUNIT_ASSERT(!unreferenced_reason(doc, "hello").empty());
    }

    void testDebWithWrongHashIsUnreferenced() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = f.hello_from_archive(false);
        // The same size and a valid package, but one byte (the first member's mtime) differs.
        std::string data = read_file(hello);
        data[8 + 16 + 1] = data[8 + 16 + 1] == '1' ? '2' : '1';
        write_file(f.archives() + "/hello_1.0_amd64.deb", data);
        const json doc = f.verify_json(1);
        const std::string reason = unreferenced_reason(doc, "hello");
        CPPUNIT_ASSERT_MESSAGE(reason, reason.find("does not match the signed Packages index") !=
                                           std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, pristine_of(doc, "hello"));
        CPPUNIT_ASSERT(!exists(f.cache + "/stanzas") || list_dir(f.cache + "/stanzas").empty());
        // Garbage of the right size is refused the same way.
        write_file(f.archives() + "/hello_1.0_amd64.deb", std::string(data.size(), 'x'));
        const std::string garbage = unreferenced_reason(f.verify_json(1), "hello");
        CPPUNIT_ASSERT_MESSAGE(garbage, garbage.find("does not match the signed Packages index") !=
                                            std::string::npos);
        // The genuine one in a --debs directory is found after the bad one is passed over.
        must(sh("mkdir " + shell_quote(f.tmp / "debs") + " && cp " + shell_quote(hello) + " " +
                shell_quote(f.tmp / "debs/hello_1.0_amd64.deb")),
             "cp");
        const json good = f.verify_json(0, {"--debs", f.tmp / "debs", "--all"});
        CPPUNIT_ASSERT(pristine_of(good, "hello") >= 6);
    }

    void testVersionInNoSignedIndexIsUnreferenced() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        f.root.install(build_small_deb(f.tmp.path(), "hello", "1.0", "hello"));
        f.publish({build_small_deb(f.tmp.path(), "hello", "2.0", "newer")});
        f.apt_update();
        const json doc = f.verify_json(1);
        const std::string reason = unreferenced_reason(doc, "hello");
        CPPUNIT_ASSERT_MESSAGE(reason,
                               reason.find("in no signed Packages index") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(reason, reason.find("1 of 1 proven") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, doc["files"].size());
        // Present in the index, but no .deb anywhere.
        AptFixture g;
        const std::string hello = build_small_deb(g.tmp.path(), "hello", "1.0", "hello");
        g.root.install(hello);
        g.publish({hello});
        g.apt_update();
        const std::string missing = unreferenced_reason(g.verify_json(1), "hello");
        CPPUNIT_ASSERT_MESSAGE(missing, missing.find("is in none of apt's archives cache") !=
                                            std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(missing, missing.find("--fetch downloads it") != std::string::npos);
    }

    void testTamperedListsAreNotTrusted() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = f.hello_from_archive();
        // The Packages list edited after apt checked it (by anyone who can write apt's lists).
        const std::string packages = f.lists_file("_Packages");
        const std::string original = read_file(packages);
        write_file(packages, original + "\n");
        RunResult r = f.verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("warning: " + packages) != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("the signed Release says") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, pristine_of(json::parse(r.out), "hello"));
        write_file(packages, original);
        // A compressed stand-in that inflates beyond the signed size is cut off, not
        // decompressed into memory.
        must(sh("head -c 50000000 /dev/zero | xz -1 > " + shell_quote(packages + ".xz") +
                " && mv " + shell_quote(packages) + " " + shell_quote(f.tmp / "saved")),
             "bomb");
        r = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("decompresses to more than") != std::string::npos);
        must(sh("rm " + shell_quote(packages + ".xz") + " && mv " + shell_quote(f.tmp / "saved") +
                " " + shell_quote(packages)),
             "restore");
        // InRelease edited: a bad signature.
        const std::string inrelease = f.lists_file("_InRelease");
        std::string text = read_file(inrelease);
        text.replace(text.find("Suite: stable"), 13, "Suite: stablx");
        write_file(inrelease, text);
        r = f.verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("bad signature") != std::string::npos);
        const json doc = json::parse(r.out);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, pristine_of(doc, "hello"));
        CPPUNIT_ASSERT_MESSAGE(unreferenced_reason(doc, "hello"),
                               unreferenced_reason(doc, "hello")
                                       .find("0 of 1 proven; see the "
                                             "warnings") != std::string::npos);
        // A giant in InRelease's place is not read.
        must(sh("truncate -s 1G " + shell_quote(inrelease)), "truncate");
        r = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("larger than") != std::string::npos);
    }

    void testCompressedListsAreProvenToo() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        f.gzip_indexes = true;
        f.hello_from_archive();
        const std::string packages = f.lists_file("_Packages.lz4");
        CPPUNIT_ASSERT(pristine_of(f.verify_json(0, {"--all"}), "hello") >= 6);
        // Decompressed, the list must still be what the Release signs.
        write_file(packages, "garbage");
        const RunResult r = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("warning: " + packages) != std::string::npos);
    }

    void testReleaseOfAnotherSuiteIsNotTrusted() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = build_small_deb(f.tmp.path(), "hello", "1.0", "hello");
        f.root.install(hello);
        f.publish({hello});
        // "testing" serves stable's validly signed Release.
        must(sh("cp -a " + shell_quote(f.archive + "/dists/stable") + " " +
                shell_quote(f.archive + "/dists/testing")),
             "cp");
        write_file(f.apt + "/etc/apt/sources.list",
                   "deb [signed-by=" + f.keyring + "] file:" + f.archive + " testing main\n");
        f.apt_update();
        f.cache_deb(hello);
        const RunResult r = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("signed for suite 'stable' (codename 'stable'), "
                                                 "not 'testing'") != std::string::npos);
    }

    void testKeyOutsideSignedByIsNotTrusted() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = f.hello_from_archive();
        // Signed-By now names another key: the archive's signature no longer counts, even with
        // the archive's key among apt's trusted keys.
        GnupgHome other(f.tmp / "other", "other");
        other.export_public(f.tmp / "other.gpg");
        f.key.export_public(f.apt + "/etc/apt/trusted.gpg.d/archive.gpg");
        f.sources("[signed-by=" + f.tmp / "other.gpg" + "]");
        const RunResult r = f.verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("a key not in the keyring") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, pristine_of(json::parse(r.out), "hello"));
        // Signed-By by fingerprint, with the key among the trusted ones: accepted.
        f.sources("[signed-by=" + f.key.fingerprint() + "]");
        CPPUNIT_ASSERT(pristine_of(f.verify_json(0, {"--all"}), "hello") >= 6);
        // ... but not another key's fingerprint.
        f.sources("[signed-by=" + other.fingerprint() + "]");
        other.export_public(f.apt + "/etc/apt/trusted.gpg.d/other.gpg");
        const RunResult wrong = f.verify();
        CPPUNIT_ASSERT_EQUAL(1, wrong.status);
        CPPUNIT_ASSERT_MESSAGE(wrong.err, wrong.err.find("a key not allowed for this source") !=
                                              std::string::npos);
    }

    void testTrustedPartsWithoutSignedBy() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = build_small_deb(f.tmp.path(), "hello", "1.0", "hello");
        f.root.install(hello);
        f.key.export_public(f.apt + "/etc/apt/trusted.gpg.d/archive.asc", true);
        f.sources("");
        f.publish({hello});
        f.apt_update();
        f.cache_deb(hello);
        const RunResult r = f.verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
    }

    void testFetchDownloadsMissingDeb() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = f.hello_from_archive(false);
        const RunResult r = f.verify({"--fetch", "-v"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err,
                               r.err.find("1 generated, 1 .debs downloaded") != std::string::npos);
        CPPUNIT_ASSERT(read_file(f.cache + "/debs/hello_1.0_amd64.deb") == read_file(hello));
        // A download that does not match the signed hash is refused by apt and by pkgdesc.
        AptFixture g;
        const std::string genuine = build_small_deb(g.tmp.path(), "hello", "1.0", "hello");
        g.root.install(genuine);
        g.publish({genuine});
        g.apt_update();
        std::string data = read_file(genuine);
        data[8 + 16 + 1] = data[8 + 16 + 1] == '1' ? '2' : '1';
        write_file(g.archive + "/pool/hello_1.0_amd64.deb", data);
        const json doc = g.verify_json(1, {"--fetch"});
        const std::string reason = unreferenced_reason(doc, "hello");
        CPPUNIT_ASSERT_MESSAGE(reason, reason.find("failed") != std::string::npos ||
                                           reason.find("does not match") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, pristine_of(doc, "hello"));
    }

    void testRestoreFetchesTheDebsItsManifestNames() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        f.hello_from_archive(false);
        // The plan, with reference data the chain proves from a downloaded .deb.
        const std::string sha = f.backup_plan();
        const std::string manifest = read_file(f.tmp / "plan/manifest");
        CPPUNIT_ASSERT_MESSAGE(
            manifest, manifest.find("Deb: file:" + f.archive + "/pool/hello_1.0_amd64.deb\n") !=
                          std::string::npos);
        // The restore host has no .deb: without --fetch nothing is proven, nothing written.
        must(sh("rm -r " + shell_quote(f.cache + "/debs")), "rm");
        auto restore = [&](const std::string& into, const std::vector<std::string>& extra) {
            return f.restore(into, sha, extra);
        };
        const std::string bare = f.tmp / "bare";
        const RunResult without = restore(bare, {});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(without.err, 3, without.status);
        CPPUNIT_ASSERT(!exists(bare + "/usr"));
        // With --fetch, the .deb comes from where the manifest says, and is proven again.
        const std::string target = f.tmp / "target";
        const RunResult fetched = restore(target, {"--fetch"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(fetched.err, 0, fetched.status);
        CPPUNIT_ASSERT_MESSAGE(fetched.err,
                               fetched.err.find("1 .debs downloaded") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(read_file(f.root.dir() + "/usr/bin/hello"),
                             read_file(target + "/usr/bin/hello"));
        CPPUNIT_ASSERT_EQUAL(read_file(f.root.dir() + "/usr/share/doc/hello/README"),
                             read_file(target + "/usr/share/doc/hello/README"));
        // A .deb of other content where the manifest points is refused: nothing is written.
        must(sh("rm -r " + shell_quote(f.cache + "/debs")), "rm");
        const std::string other = build_small_deb(f.tmp / "other", "hello", "1.0", "evil");
        must(sh("cp " + shell_quote(other) + " " +
                shell_quote(f.archive + "/pool/hello_1.0_amd64.deb")),
             "cp");
        const std::string refused = f.tmp / "refused";
        const RunResult forged = restore(refused, {"--fetch"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(forged.err, 3, forged.status);
        CPPUNIT_ASSERT(!exists(refused + "/usr"));
    }

    void testRestoreReadsTheChainsDebsAsMergedUsrShipsThem() {
        if (!have_apt_tools()) {
            return;
        }
        // A package that ships /bin/tool, installed on a merged-/usr root: its file is at
        // /usr/bin/tool there, and a restore finds it in the .deb at /bin/tool.
        AptFixture f;
        const std::string dir = f.tmp / "tool";
        write_control(dir, "tool", "2.0", "amd64");
        const std::string deb = f.tmp / "tool_2.0_amd64.deb";
        build_deb(dir, deb, "xz",
                  "mkdir -p bin usr/share/doc/tool && printf 'tool\\n' > bin/tool && chmod 0755 "
                  "bin/tool && printf 'doc\\n' > usr/share/doc/tool/README");
        f.root.install(deb);
        f.root.merge_usr();
        f.publish({deb});
        f.apt_update();
        f.cache_deb(deb, "tool_2.0_amd64.deb");
        const std::string sha = f.backup_plan();
        const std::string manifest = read_file(f.tmp / "plan/manifest");
        CPPUNIT_ASSERT_MESSAGE(manifest, manifest.find(" /usr/bin/tool\n") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(manifest, manifest.find("Deb-SHA256: ") != std::string::npos);
        const std::string target = f.tmp / "target";
        const RunResult restored = f.restore(target, sha, {"-v"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(restored.err, 0, restored.status);
        CPPUNIT_ASSERT_MESSAGE(restored.err,
                               restored.err.find("restored /usr/bin/tool from ") !=
                                   std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("tool\n"), read_file(target + "/usr/bin/tool"));
        CPPUNIT_ASSERT_EQUAL(std::string("doc\n"), read_file(target + "/usr/share/doc/tool/README"));
        // A manifest (of its own SHA-256) that puts a file elsewhere than the .deb does: the
        // member of that content is found all the same.
        std::string moved = manifest;
        moved.replace(moved.find(" /usr/share/doc/tool/README\n"), 28,
                      " /usr/share/doc/tool/README.moved\n");
        write_file(f.tmp / "plan/manifest", moved);
        const std::string moved_sha = run({"sha256sum", f.tmp / "plan/manifest"}).out.substr(0, 64);
        const std::string elsewhere = f.tmp / "elsewhere";
        const RunResult found = f.restore(elsewhere, moved_sha, {});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(found.err, 0, found.status);
        CPPUNIT_ASSERT_EQUAL(std::string("doc\n"),
                             read_file(elsewhere + "/usr/share/doc/tool/README.moved"));
        CPPUNIT_ASSERT(!exists(elsewhere + "/usr/share/doc/tool/README"));
        // A .deb of the same name but not the SHA-256 the chain signed: refused, nothing written.
        write_file(f.tmp / "plan/manifest", manifest);
        const std::string forged_dir = f.tmp / "forged";
        write_control(f.tmp / "forged-tool", "tool", "2.0", "amd64");
        must(sh("mkdir -p " + shell_quote(forged_dir)), "mkdir");
        build_deb(f.tmp / "forged-tool", forged_dir + "/tool_2.0_amd64.deb", "xz",
                  "mkdir -p bin usr/share/doc/tool && printf 'evil\\n' > bin/tool && printf "
                  "'doc\\n' > usr/share/doc/tool/README");
        must(sh("rm " + shell_quote(f.archives() + "/tool_2.0_amd64.deb")), "rm");
        const std::string refused = f.tmp / "refused";
        const RunResult forged = f.restore(refused, sha, {"--debs", forged_dir});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(forged.err, 3, forged.status);
        CPPUNIT_ASSERT_MESSAGE(forged.err, forged.err.find("is not the manifest's Deb-SHA256") !=
                                               std::string::npos);
        CPPUNIT_ASSERT(!exists(refused + "/usr"));
    }

    void testNothingIsTakenFromTheCheckedRoot() {
        if (!have_apt_tools()) {
            return;
        }
        AptFixture f;
        const std::string hello = build_small_deb(f.tmp.path(), "hello", "1.0", "hello");
        const std::string evil = build_small_deb(f.tmp.path(), "hello", "1.0", "evil!");
        f.root.install(evil);
        f.publish({hello});
        f.apt_update();
        f.cache_deb(hello);
        // The checked system carries its own archive, key, sources and cached .deb, all
        // agreeing with what is installed: none of it is used.
        must(sh("mkdir -p " + f.root.dir() + "/etc/apt/trusted.gpg.d " + f.root.dir() +
                "/var/cache/apt/archives"),
             "mkdir");
        write_file(f.root / "/etc/apt/sources.list",
                   "deb [trusted=yes] file:" + f.root.dir() + "/srv stable main\n");
        f.key.export_public(f.root / "/etc/apt/trusted.gpg.d/evil.gpg");
        must(sh("cp " + shell_quote(evil) + " " +
                shell_quote(f.root / "/var/cache/apt/archives/hello_1.0_amd64.deb")),
             "cp");
        const json doc = f.verify_json(1);
        bool modified = false;
        for (const json& file : doc["files"]) {
            modified |= file["path"] == "/usr/bin/hello" && file["status"] == "modified";
        }
        CPPUNIT_ASSERT(modified);
    }
};

// Debian's own chain on this machine: installed packages whose exact .deb is in apt's cache are
// proven through the host's apt lists and keyrings, and the findings are the same as with
// reference data generated from those .debs directly.
class TrustAptRealTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TrustAptRealTest);
    CPPUNIT_TEST(testDebianSignaturesMatchLocalReference);
    CPPUNIT_TEST_SUITE_END();

public:
    void testDebianSignaturesMatchLocalReference() {
        const RunResult listed =
            sh("ls /var/lib/apt/lists/*InRelease >/dev/null 2>&1 || exit 0; "
               "for f in /var/cache/apt/archives/*.deb; do [ -e \"$f\" ] || continue; "
               "p=$(dpkg-deb -f \"$f\" Package); v=$(dpkg-deb -f \"$f\" Version); "
               "a=$(dpkg-deb -f \"$f\" Architecture); "
               "[ \"$(dpkg-query -W -f='${Version} ${db:Status-Status}' \"$p:$a\" 2>/dev/null)\" = "
               "\"$v installed\" ] && echo \"$p:$a $f\"; done | head -n 6");
        std::vector<std::string> packages;
        std::vector<std::string> debs;
        std::istringstream in(listed.out);
        for (std::string name, deb; in >> name >> deb;) {
            packages.push_back(name);
            debs.push_back(deb);
        }
        if (packages.empty()) {
            skip("no apt lists, or no installed version's .deb in apt's cache");
            return;
        }
        TempDir tmp;
        std::vector<std::string> chain{program("PKGDESC_VERIFY"),
                                       "--format",
                                       "json",
                                       "--cache-dir",
                                       tmp / "cache",
                                       "--state-dir",
                                       tmp / "state",
                                       "-v"};
        chain.insert(chain.end(), packages.begin(), packages.end());
        const RunResult r = run(chain);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.status == 0 || r.status == 1);
        const json doc = json::parse(r.out);
        // Versions that Debian no longer lists are unreferenced, with a reason; none may fail
        // a hash.
        for (const json& pkg : doc["unreferenced"]) {
            const std::string reason = pkg["reason"].get<std::string>();
            CPPUNIT_ASSERT_MESSAGE(reason,
                                   reason.find("in no signed Packages index") != std::string::npos);
        }
        if (doc["summary"]["packages_checked"].get<std::size_t>() == 0) {
            skip("the cached .debs are in none of the signed indexes apt has");
            return;
        }
        // The same findings as with reference data made from the same .debs.
        std::vector<std::string> gen{program("PKGDESC_GEN"), "-o", tmp / "ref"};
        gen.insert(gen.end(), debs.begin(), debs.end());
        must(run(gen), "pkgdesc-gen");
        std::vector<std::string> local{
            program("PKGDESC_VERIFY"), "--format", "json", "--pkgdesc", tmp / "ref",
            "--trust-unsigned"};
        std::vector<std::string> checked;
        for (const std::string& name : packages) {
            bool unreferenced = false;
            for (const json& pkg : doc["unreferenced"]) {
                unreferenced |= name.rfind(pkg["package"].get<std::string>(), 0) == 0;
            }
            if (!unreferenced) {
                local.push_back(name);
            }
        }
        const RunResult l = run(local);
        CPPUNIT_ASSERT_MESSAGE(l.err, l.status == 0 || l.status == 1);
        const json local_doc = json::parse(l.out);
        CPPUNIT_ASSERT_EQUAL(local_doc["files"].dump(), doc["files"].dump());
        CPPUNIT_ASSERT_EQUAL(local_doc["summary"]["packages_checked"].get<std::size_t>(),
                             doc["summary"]["packages_checked"].get<std::size_t>());
    }
};

class TrustAptHookTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TrustAptHookTest);
    CPPUNIT_TEST(testAptGetInstallCapturesForLaterRuns);
    CPPUNIT_TEST(testCheckWarnsAboutJustInstalledFiles);
    CPPUNIT_TEST(testOnlyProvenDebsAreCaptured);
    CPPUNIT_TEST(testCapturedStanzaYieldsToTheSignedIndex);
    CPPUNIT_TEST(testNothingMakesTheHookFail);
    CPPUNIT_TEST_SUITE_END();

public:
    void testAptGetInstallCapturesForLaterRuns() {
        if (!have_apt_tools() || !have_tool("dpkg")) {
            return;
        }
        HookFixture f;
        // As Debian builds them, with md5sums (dpkg writes one into its database for a package
        // without, which the check then proves line by line: see e2e.verify.control).
        const std::string dir = f.tmp / "hello-tree";
        const std::string hello = f.tmp / "hello_1.0_amd64.deb";
        write_control(dir, "hello", "1.0", "amd64");
        build_deb(dir, hello, "xz",
                  "mkdir -p usr/bin usr/share/doc/hello && printf 'hello\\n' > usr/bin/hello && "
                  "chmod 0755 usr/bin/hello && printf 'doc\\n' > usr/share/doc/hello/README && "
                  "md5sum usr/bin/hello usr/share/doc/hello/README > DEBIAN/md5sums\n");
        f.publish({hello});
        f.apt_update();
        // (A system has packages: a database that lists none never prunes the store.)
        f.root.install(build_small_deb(f.tmp.path(), "base", "1.0", "base"));
        const RunResult installed = f.apt_get({"install", "hello"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(installed.out + installed.err, 0, installed.status);
        const std::string said = installed.out + installed.err;
        CPPUNIT_ASSERT_MESSAGE(said, said.find("pkgdesc-apt-hook: captured the stanzas of 1 of 1 "
                                               "packages") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(said, said.find("pkgdesc-apt-hook: checked 1 packages just "
                                               "installed: ") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(said, said.find("warning") == std::string::npos);
        CPPUNIT_ASSERT(exists(f.root / "/usr/bin/hello"));
        CPPUNIT_ASSERT(exists(f.state + "/captured/hello_1.0_amd64.pkgdesc"));
        CPPUNIT_ASSERT_EQUAL(run({program("PKGDESC_GEN"), hello}).out,
                             read_file(f.state + "/captured/hello_1.0_amd64.pkgdesc"));
        // The check consumed what the capture noted.
        CPPUNIT_ASSERT(!exists(f.state + "/captured/just-installed"));
        // Later: the version left the archive, its .deb apt's cache, and pkgdesc's cache is gone.
        f.publish({build_small_deb(f.tmp.path(), "hello", "2.0", "newer")});
        f.apt_update();
        must(sh("rm -rf " + shell_quote(f.cache) + " " + shell_quote(f.archives()) + "/*.deb"),
             "rm");
        const RunResult later = f.verify({"--format", "json", "--all", "hello"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(later.err, 0, later.status);
        CPPUNIT_ASSERT_MESSAGE(later.err, later.err.find("1 captured at install time") !=
                                              std::string::npos);
        const json doc = json::parse(later.out);
        CPPUNIT_ASSERT(pristine_of(doc, "hello") >= 6);
        // Without the store, the same run has nothing to go by.
        must(sh("mv " + shell_quote(f.state + "/captured") + " " + shell_quote(f.tmp / "away")),
             "mv");
        const json without = f.verify_json(1, {"hello"});
        must(sh("mv " + shell_quote(f.tmp / "away") + " " + shell_quote(f.state + "/captured")),
             "mv");
        CPPUNIT_ASSERT_MESSAGE(without.dump(), unreferenced_reason(without, "hello")
                                                       .find("in no signed Packages index") !=
                                                   std::string::npos);
        // Removing the package forgets its stanza at the next apt run.
        const RunResult removed = f.apt_get({"remove", "hello"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(removed.out + removed.err, 0, removed.status);
        CPPUNIT_ASSERT(!exists(f.state + "/captured/hello_1.0_amd64.pkgdesc"));
        CPPUNIT_ASSERT(!exists(f.state + "/captured/hello_1.0_amd64.proof"));
    }

    void testCheckWarnsAboutJustInstalledFiles() {
        if (!have_apt_tools()) {
            return;
        }
        HookFixture f;
        const std::string hello = f.hello_from_archive();
        const RunResult captured = f.hook("capture", f.archives() + "/hello_1.0_amd64.deb\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(captured.err, 0, captured.status);
        CPPUNIT_ASSERT(exists(f.state + "/captured/just-installed"));
        // A file of the package just installed is not what the proven .deb holds.
        write_file(f.root / "/usr/bin/hello", "HELLO\n", 0755);
        const RunResult checked = f.hook("check");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(checked.err, 0, checked.status);
        CPPUNIT_ASSERT_MESSAGE(checked.err,
                               checked.err.find("warning: just installed, not pristine: "
                                                "/usr/bin/hello (hello): modified: ") !=
                                   std::string::npos);
        // Noted once: the next apt run checks nothing more.
        const RunResult again = f.hook("check");
        CPPUNIT_ASSERT_EQUAL(0, again.status);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(again.err, std::string(), again.err);
    }

    void testOnlyProvenDebsAreCaptured() {
        if (!have_apt_tools()) {
            return;
        }
        HookFixture f;
        f.hello_from_archive();
        // A build of the same name and version the archive does not list, a file that is no
        // .deb, one that is not there, and lines that are not .debs at all.
        const std::string local = f.tmp / "hello_1.0_amd64.deb";
        must(sh("cp " + shell_quote(build_small_deb(f.tmp.path(), "hello", "1.0", "other")) + " " +
                shell_quote(local)),
             "cp");
        write_file(f.tmp / "junk.deb", "not a package");
        const RunResult r = f.hook("capture", local + "\n" + (f.tmp / "junk.deb") + "\n" +
                                                  (f.tmp / "absent.deb") +
                                                  "\n**CONFIGURE**\nrelative.deb\n\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("captured the stanzas of 0 of 3 packages") !=
                                          std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not captured: " + local +
                                                 ": this .deb is in no signed Packages index") !=
                                          std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not captured: " + (f.tmp / "absent.deb") +
                                                 ": no such file") != std::string::npos);
        CPPUNIT_ASSERT(!exists(f.state + "/captured/hello_1.0_amd64.pkgdesc"));
        CPPUNIT_ASSERT(!exists(f.state + "/captured/just-installed"));
    }

    void testCapturedStanzaYieldsToTheSignedIndex() {
        if (!have_apt_tools()) {
            return;
        }
        HookFixture f;
        f.hello_from_archive();
        CPPUNIT_ASSERT_EQUAL(0, f.hook("capture", f.archives() + "/hello_1.0_amd64.deb\n").status);
        // The archive now lists another build of hello 1.0, whose .deb is nowhere: the stanza
        // captured from the first one is not taken for it.
        f.publish({build_small_deb(f.tmp.path(), "hello", "1.0", "rebuilt")});
        f.apt_update();
        must(sh("rm -rf " + shell_quote(f.cache) + " " + shell_quote(f.archives()) + "/*.deb"),
             "rm");
        const RunResult r = f.verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("captured from a .deb the signed indexes do not "
                                                 "list for this version; not used") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(!unreferenced_reason(json::parse(r.out), "hello").empty());
        // No signed index lists it at all: the captured stanza serves, unless its proof was
        // edited to name another package.
        f.publish({});
        f.apt_update();
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, f.verify_json(0)["unreferenced"].size());
        const std::string proof = f.state + "/captured/hello_1.0_amd64.proof";
        std::string text = read_file(proof);
        text.replace(text.find("Package: hello"), 14, "Package: hellx");
        write_file(proof, text);
        const RunResult edited = f.verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(edited.err, 1, edited.status);
        CPPUNIT_ASSERT_MESSAGE(edited.err, edited.err.find(proof + ": not a proof for hello 1.0") !=
                                               std::string::npos);
    }

    void testNothingMakesTheHookFail() {
        if (!have_apt_tools()) {
            return;
        }
        HookFixture f;
        f.hello_from_archive();
        // The state directory cannot be made: a warning, and apt goes on.
        write_file(f.state, "a file where the state directory should be");
        const RunResult blocked = f.hook("capture", f.archives() + "/hello_1.0_amd64.deb\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(blocked.err, 0, blocked.status);
        CPPUNIT_ASSERT_MESSAGE(blocked.err, blocked.err.find("warning: ") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(0, f.hook("check").status);
        must(sh("rm " + shell_quote(f.state)), "rm");
        // apt's sources cannot be read, binary junk on standard input, a broken dpkg database.
        write_file(f.apt + "/etc/apt/sources.list", "deb [broken\n");
        const RunResult unreadable =
            f.hook("capture", std::string("\0\xff/x.deb\n", 9) + f.archives() + "/hello_1.0_amd64.deb\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(unreadable.err, 0, unreadable.status);
        CPPUNIT_ASSERT_MESSAGE(unreadable.err, unreadable.err.find("warning: ") != std::string::npos);
        write_file(f.root / "/var/lib/dpkg/status", "Package: x\nPackage: y\n");
        const RunResult broken = f.hook("check");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(broken.err, 0, broken.status);
        CPPUNIT_ASSERT_MESSAGE(broken.err, broken.err.find("warning: ") != std::string::npos);
        // A usage error is one, though.
        CPPUNIT_ASSERT_EQUAL(2, run({program("PKGDESC_APT_HOOK"), "unpack"}).status);
        CPPUNIT_ASSERT_EQUAL(2, run({program("PKGDESC_APT_HOOK")}).status);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(TrustAptTest, "e2e.trust.apt");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(TrustAptRealTest, "e2e.trust.apt_debian");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(TrustAptHookTest, "e2e.trust.apt_hook");
