#!/usr/bin/env python3
"""--help and the man pages (docs/man/*.scd, the one source of the installed pages) agree.

For each program: every option and command its --help lists (and every option of each
command's --help) is documented in its man page, and every option and command the man page
documents is in a --help text. Environment: LARAFW, LARAFW_SIM, LARAFW_PKG, LARAFW_SERVER
(the programs), LARAFW_MAN_DIR (docs/man).
"""
import os
import re
import subprocess
import sys
import unittest

MAN_DIR = os.environ.get("LARAFW_MAN_DIR", os.path.join(os.path.dirname(__file__), "../../docs/man"))

PROGRAMS = [
    # (program name, env var of its path, man page)
    ("larafw", "LARAFW", "larafw.1.scd"),
    ("larafw-sim", "LARAFW_SIM", "larafw-sim.1.scd"),
    ("larafw-pkg", "LARAFW_PKG", "larafw-pkg.1.scd"),
    ("larafw-server", "LARAFW_SERVER", "larafw-server.8.scd"),
]

# An option: --long-name, or -x standing alone (not inside a word such as "non-root").
OPTION_RE = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z])(?![\w-])")

def run_help(path, *args):
    p = subprocess.run([path, *args, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=30)
    return p.returncode, p.stdout


def help_commands(text, prog):
    """Commands a --help lists: lines under a 'commands:' heading, and 'PROG word' usages."""
    cmds = set()
    lines = text.splitlines()
    in_list = False
    for line in lines:
        if re.match(r"^commands:\s*$", line, re.I):
            in_list = True
            continue
        if in_list:
            m = re.match(r"^  ([a-z][a-z0-9-]*)\b", line)
            if m:
                cmds.add(m.group(1))
                continue
            if not line.strip() or not line.startswith(" "):
                in_list = False
    for m in re.finditer(r"^\s*(?:[Uu]sage:\s*)?" + re.escape(prog) + r" ([a-z][a-z0-9-]*)\b", text,
                         re.M):
        cmds.add(m.group(1))
    return cmds


def man_sections(scd):
    """{SECTION NAME: text} of an scdoc source."""
    sections, name = {}, None
    for line in scd.splitlines():
        m = re.match(r"^# (.+)$", line)
        if m:
            name = m.group(1).strip()
            sections[name] = ""
        elif name:
            sections[name] += line + "\n"
    return sections


def man_commands(sections):
    """Commands of the COMMANDS section: the bold word that opens an entry (*info* …)."""
    text = sections.get("COMMANDS", "")
    return {m.group(1) for m in re.finditer(r"^\*([a-z][a-z0-9-]*)\*", text, re.M)}


def options_of(text):
    return set(OPTION_RE.findall(text))


class HelpMatchesMan(unittest.TestCase):
    def check_program(self, prog, env, page):
        path = os.environ.get(env)
        if not path:
            self.skipTest(f"{env} not set")
        with open(os.path.join(MAN_DIR, page), encoding="utf-8") as f:
            scd = f.read()
        sections = man_sections(scd)
        self.assertIn("NAME", sections, f"{page}: no NAME section")
        self.assertIn("SYNOPSIS", sections, f"{page}: no SYNOPSIS section")

        rc, top = run_help(path)
        self.assertEqual(rc, 0, f"{prog} --help exits {rc}")
        texts = [top]
        commands = help_commands(top, prog)
        documented_cmds = man_commands(sections)
        for cmd in sorted(commands | documented_cmds):
            rc, sub = run_help(path, cmd)
            self.assertEqual(rc, 0, f"'{prog} {cmd} --help' exits {rc}: a command the man page "
                                    f"or --help names does not exist")
            texts.append(sub)
        help_opts = set().union(*(options_of(t) for t in texts))
        # examples may use other programs' options (larafw -p … in larafw-sim(1))
        man_opts = set().union(*(options_of(t) for name, t in sections.items()
                                 if name not in ("EXAMPLES", "SEE ALSO")))

        self.assertEqual(sorted(commands - documented_cmds), [],
                         f"{prog}: commands in --help but not in the COMMANDS of {page}")
        self.assertEqual(sorted(documented_cmds - commands), [],
                         f"{prog}: commands in {page} but not in --help")
        self.assertEqual(sorted(help_opts - man_opts), [],
                         f"{prog}: options in --help texts but not in {page}")
        self.assertEqual(sorted(man_opts - help_opts), [],
                         f"{prog}: options in {page} but in no --help text")

    def test_larafw(self):
        self.check_program(*PROGRAMS[0])

    def test_larafw_sim(self):
        self.check_program(*PROGRAMS[1])

    def test_larafw_pkg(self):
        self.check_program(*PROGRAMS[2])

    def test_larafw_server(self):
        self.check_program(*PROGRAMS[3])

    def test_version(self):
        for prog, env, _ in PROGRAMS:
            path = os.environ.get(env)
            if not path:
                continue
            p = subprocess.run([path, "--version"], stdout=subprocess.PIPE, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, f"{prog} --version")
            self.assertRegex(p.stdout, r"^" + re.escape(prog) + r" \d+\.\d+\.\d+")


if __name__ == "__main__":
    unittest.main(verbosity=2)
