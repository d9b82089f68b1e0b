#!/usr/bin/env python3
"""`cmake --install` of a build tree, then a program built against the *installed* library
both ways (pkg-config and find_package, shared and static), and run.

Environment: LARAFW_BUILD_DIR (the build tree), LARAFW_SOURCE_DIR, LARAFW_MAN_BUILT (1 when
scdoc made the man pages), CC (optional).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD = os.environ["LARAFW_BUILD_DIR"]
SOURCE = os.environ["LARAFW_SOURCE_DIR"]
HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = ["larafw", "larafw-sim", "larafw-pkg", "larafw-server"]


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=600, **kw)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}")
    return p.stdout


def public_functions():
    """lfw_ functions the public headers declare (include/larafw/*.h, the POSIX port's)."""
    names = set()
    headers = glob.glob(os.path.join(SOURCE, "include/larafw/*.h"))
    headers.append(os.path.join(SOURCE, "src/posix/larafw_posix.h"))
    for h in headers:
        with open(h, encoding="utf-8") as f:
            names |= set(re.findall(r"\b(lfw_[a-z0-9_]+)\s*\(", f.read()))
    return names


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="larafw-install-")
        cls.prefix = os.path.join(cls.tmp, "prefix")
        run(["cmake", "--install", BUILD, "--prefix", cls.prefix])
        libs = glob.glob(os.path.join(cls.prefix, "lib*", "**", "liblarafw.so.1"), recursive=True)
        if len(libs) != 1:
            raise AssertionError(f"liblarafw.so.1 installed {len(libs)} times: {libs}")
        cls.libdir = os.path.dirname(libs[0])
        cls.env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(cls.libdir, "pkgconfig"),
                       LD_LIBRARY_PATH=cls.libdir)
        # sanitizer runtimes of a Debug build must not leak into the consumer's link
        cls.env.pop("ASAN_OPTIONS", None)
        cls.cc = os.environ.get("CC") or shutil.which("cc") or "gcc"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_layout(self):
        p = self.prefix
        for prog in PROGRAMS:
            self.assertTrue(os.access(os.path.join(p, "bin", prog), os.X_OK), prog)
            self.assertTrue(os.path.isfile(
                os.path.join(p, "share/bash-completion/completions", prog)), prog)
        for name in ("liblarafw.so", "liblarafw.so.1", "liblarafw.a"):
            self.assertTrue(os.path.exists(os.path.join(self.libdir, name)), name)
        self.assertEqual(os.readlink(os.path.join(self.libdir, "liblarafw.so")), "liblarafw.so.1")
        for h in ("foat.h", "port.h", "error.h", "posix.h"):
            self.assertTrue(os.path.isfile(os.path.join(p, "include/larafw", h)), h)
        self.assertTrue(os.path.isfile(os.path.join(self.libdir, "cmake/larafw/larafwConfig.cmake")))
        if os.environ.get("LARAFW_MAN_BUILT") == "1":
            for page in ("man1/larafw.1", "man1/larafw-sim.1", "man1/larafw-pkg.1",
                         "man8/larafw-server.8"):
                path = os.path.join(p, "share/man", page)
                self.assertTrue(os.path.isfile(path), page)
                with open(path, encoding="utf-8") as f:
                    self.assertIn(".TH", f.read())
        out = run([os.path.join(p, "bin/larafw"), "--version"])
        self.assertRegex(out, r"^larafw \d+\.\d+\.\d+")

    def test_destdir(self):
        dest = os.path.join(self.tmp, "dest")
        env = dict(os.environ, DESTDIR=dest)
        run(["cmake", "--install", BUILD, "--prefix", "/usr/local"], env=env)
        self.assertTrue(os.path.isfile(os.path.join(dest, "usr/local/bin/larafw")))
        self.assertTrue(glob.glob(os.path.join(dest, "usr/local/lib*/**/liblarafw.so.1"),
                                  recursive=True))

    def test_soname_and_exports(self):
        lib = os.path.join(self.libdir, "liblarafw.so.1")
        dyn = run(["objdump", "-p", lib])
        self.assertRegex(dyn, r"SONAME\s+liblarafw\.so\.1\b")
        syms = run(["nm", "-D", "--defined-only", lib]).split("\n")
        exported = {line.split()[-1].split("@")[0] for line in syms
                    if len(line.split()) >= 3 and line.split()[1] in "TDBRVW"}
        exported.discard("LARAFW_1")
        self.assertTrue(exported, "nothing exported")
        self.assertEqual(sorted(n for n in exported if not n.startswith("lfw_")), [])
        public = public_functions()
        self.assertEqual(sorted(exported - public), [],
                         "exported but not declared in a public header (internal symbols)")
        self.assertEqual(sorted(public - exported), [], "declared but not exported")

    def consumer(self, name, cmd):
        exe = os.path.join(self.tmp, name)
        run(cmd + ["-o", exe], env=self.env)
        out = run([exe], env=self.env)
        self.assertRegex(out, r"^ok ")
        return exe

    def test_pkg_config(self):
        cflags = run(["pkg-config", "--cflags", "larafw"], env=self.env).split()
        libs = run(["pkg-config", "--libs", "larafw"], env=self.env).split()
        self.assertIn("-llarafw", libs)
        exe = self.consumer("consumer-pc", [self.cc, "-std=c11", "-Wall", "-Werror",
                                            os.path.join(HERE, "consumer/consumer.c"),
                                            *cflags, *libs])
        self.assertIn("liblarafw.so.1", run(["ldd", exe], env=self.env))
        static = os.path.join(self.libdir, "liblarafw.a")
        self.consumer("consumer-pc-static", [self.cc, "-std=c11", "-Wall", "-Werror",
                                             os.path.join(HERE, "consumer/consumer.c"),
                                             *cflags, static])

    def test_find_package(self):
        bdir = os.path.join(self.tmp, "consumer-build")
        env = dict(self.env, CC=self.cc)
        run(["cmake", "-S", os.path.join(HERE, "consumer"), "-B", bdir,
             f"-DCMAKE_PREFIX_PATH={self.prefix}"], env=env)
        run(["cmake", "--build", bdir], env=env)
        for exe in ("consumer-shared", "consumer-static"):
            out = run([os.path.join(bdir, exe)], env=self.env)
            self.assertRegex(out, r"^ok ", exe)
        self.assertIn("liblarafw.so.1", run(["ldd", os.path.join(bdir, "consumer-shared")],
                                            env=self.env))
        self.assertNotIn("liblarafw", run(["ldd", os.path.join(bdir, "consumer-static")],
                                          env=self.env))


if __name__ == "__main__":
    unittest.main(verbosity=2)
