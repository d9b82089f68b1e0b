#!/usr/bin/env python3
"""Bash completion (completion/bash/*) offers every command and long option that the
programs' --help texts list. Environment as test_help_man.py, plus LARAFW_COMPLETION_DIR."""
import os
import re
import shutil
import subprocess
import unittest

import test_help_man as hm

COMPLETION_DIR = os.environ.get(
    "LARAFW_COMPLETION_DIR", os.path.join(os.path.dirname(__file__), "../../completion/bash"))


def complete(prog, words):
    """COMPREPLY for the command line `words` (the last one is being typed)."""
    script = (f'source "{os.path.join(COMPLETION_DIR, prog)}"\n'
              f'fn=$(complete -p {prog} | sed -E "s/.*-F ([^ ]+).*/\\1/")\n'
              'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
              '"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    p = subprocess.run(["bash", "--norc", "-c", script, prog, prog, *words],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    if p.returncode != 0:
        raise AssertionError(f"completion of {prog} {' '.join(words)} failed: {p.stderr}")
    return set(p.stdout.split())


def declared_options(text):
    """Long options a --help declares: in its usage lines, or opening an option line
    ('  -o, --output F  …', '  --psk-identity ID, --psk-key HEX  …'), not those in prose."""
    found = set()
    for line in text.splitlines():
        if re.match(r"^\s*(usage:|\[)", line, re.I) or re.match(r"^\s+\S+ \[", line):
            found |= long_options(line)
            continue
        m = re.match(r"^\s*(-[a-zA-Z], )?(--[a-z0-9-]+)( [A-Z][A-Z_:-]*)?(, (--[a-z0-9-]+))?", line)
        if m:
            found |= {o for o in (m.group(2), m.group(5)) if o}
    return found


def long_options(text):
    return {o for o in hm.options_of(text) if o.startswith("--")}


@unittest.skipUnless(shutil.which("bash"), "bash not installed")
class Completion(unittest.TestCase):
    def check(self, prog, env):
        path = os.environ.get(env)
        if not path:
            self.skipTest(f"{env} not set")
        _, top = hm.run_help(path)
        commands = hm.help_commands(top, prog)
        if commands:
            offered = complete(prog, [""])
            self.assertEqual(sorted(commands - offered), [], f"{prog}: commands not completed")
        subs = {cmd: hm.run_help(path, cmd)[1] for cmd in commands}
        # the top --help may show a command's options in its usage lines: those belong there
        own = long_options(top) - set().union(set(), *(long_options(t) for t in subs.values()))
        offered = complete(prog, ["--"])
        self.assertEqual(sorted(own - offered), [], f"{prog}: options of --help not completed")
        for cmd, sub in sorted(subs.items()):
            words = [cmd]
            # a command with subcommands completes its options after one (fota http, ufota watch)
            if prog == "larafw" and cmd in ("fota", "ufota"):
                words.append("http" if cmd == "fota" else "watch")
            offered = complete(prog, words + ["--"])
            missing = declared_options(sub) - offered - {"--help"}
            self.assertEqual(sorted(missing), [], f"{prog} {cmd}: options not completed")

    def test_larafw(self):
        self.check("larafw", "LARAFW")

    def test_larafw_sim(self):
        self.check("larafw-sim", "LARAFW_SIM")

    def test_larafw_pkg(self):
        self.check("larafw-pkg", "LARAFW_PKG")

    def test_larafw_server(self):
        self.check("larafw-server", "LARAFW_SERVER")

    def test_values(self):
        self.assertIn("auto", complete("larafw", ["-p", ""]))
        self.assertEqual(complete("larafw", ["fota", ""]), {"http", "ftp"})
        self.assertIn("LARA-L6004D-01B", complete("larafw-sim", ["--product", "LARA-L"]))
        self.assertEqual(complete("larafw-server", ["--write-format", ""]), {"tlv", "text"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
