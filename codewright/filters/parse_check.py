"""Does the file parse? Python with the interpreter's own parser, other languages with tree-sitter.

Python: `ast` is exact (it is the grammar the code must run under), so any SyntaxError removes
the file. Python 2 files fail too; we tell them apart (reason `python2`) from the error message
CPython gives for print/exec statements and from a few Python-2-only forms, which costs nothing
on files that parse.

Other languages: tree-sitter never fails, it recovers, wrapping what it cannot place in ERROR
nodes and inserting MISSING tokens. One ERROR node can wrap a whole file because of one macro
the grammar cannot see through, so the size of ERROR nodes says little. We count instead the
lines that hold a token the parser had to skip or insert, and remove a file when those lines
are too large a fraction of it. Measured on files on this machine (150 per language, with the
numbers for clean / truncated at half / lines shuffled): JavaScript, JSON, YAML and HTML have
no such line when clean, so over 5% removes 0% / 51-88% / 13-99% of them. C and C++ have
preprocessor macros the grammar cannot see through (half the clean files have an error line),
so their bar is 30%: 0-1% / 9-25% / 51-65%. CSS (2% of clean files fail at any bar) and shell
(0% at 30%) were measured too; grammars we could not measure get the 30% bar, so that their
gaps cost us little real code. C files that fail with the C grammar get a second try with the
C++ one, since `.h` is C's extension in The Stack but often holds C++ (4% of clean headers
fail at 20% with both grammars, 1% at 30%).
"""

from __future__ import annotations

import ast
import logging
import re
import time
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codewright.filters.rules import Document

log = logging.getLogger(__name__)

# Our language name (codewright.languages) -> tree-sitter-language-pack grammars, tried in order.
# Left out on purpose: Markdown and reStructuredText (their grammars accept any text), and
# SQL, Assembly, Perl, TeX, Fortran, PowerShell (dialects or macro languages whose grammars
# reject much real code). Visual Basic, Objective-C++ and Cython have no grammar in the pack.
GRAMMARS: dict[str, tuple[str, ...]] = {
    "JavaScript": ("javascript",), "TypeScript": ("typescript",), "Java": ("java",),
    "C": ("c", "cpp"), "C++": ("cpp",), "Objective-C": ("objc",), "C#": ("csharp",),
    "Go": ("go",), "Rust": ("rust",), "PHP": ("php",), "Ruby": ("ruby",), "Kotlin": ("kotlin",),
    "Scala": ("scala",), "Swift": ("swift",), "Dart": ("dart",), "Shell": ("bash",),
    "Lua": ("lua",), "R": ("r",), "Haskell": ("haskell",), "Julia": ("julia",),
    "Erlang": ("erlang",), "Elixir": ("elixir",), "Clojure": ("clojure",), "OCaml": ("ocaml",),
    "Groovy": ("groovy",), "Zig": ("zig",), "CMake": ("cmake",), "Makefile": ("make",),
    "Dockerfile": ("dockerfile",), "HTML": ("html",), "CSS": ("css",), "SCSS": ("scss",),
    "JSON": ("json",), "Jupyter Notebook": ("json",), "YAML": ("yaml",), "TOML": ("toml",),
    "XML": ("xml",),
}
# Extensions that need another grammar than their language's.
EXT_GRAMMARS = {"tsx": ("tsx",), "mli": ("ocaml_interface",)}

# Grammars measured clean on real files here (no error line at all, CSS 2%); see above.
STRICT = frozenset({"JavaScript", "JSON", "Jupyter Notebook", "YAML", "TOML", "HTML", "CSS"})
STRICT_ERROR_LINES = 0.05
LOOSE_ERROR_LINES = 0.3

# tree-sitter is linear on code but can go quadratic in error recovery: 40k unclosed <div>
# took 18 s here, 200 KB of "0x00, " as C 4 s. Clean code parses at 1-4 MB/s on this machine,
# so a file gets 1 s plus 5 s per MB; past that the input is cut short (the parser sees end of
# file) and the file counts as unparseable. Chunks keep the deadline checks frequent.
PARSE_SECONDS_BASE = 1.0
PARSE_SECONDS_PER_BYTE = 5e-6
CHUNK = 4096

_parsers: dict[str, object | None] = {}  # grammar name -> Parser, or None if unavailable


def parser_for(grammar: str):
    """A tree-sitter Parser for `grammar`, built once per process; None if it cannot be loaded."""
    if grammar not in _parsers:
        try:
            from tree_sitter_language_pack import get_parser

            _parsers[grammar] = get_parser(grammar)
        # Not installed, not in the pack, or a 1.x pack that must download it: skip, loudly.
        except Exception as exc:  # noqa: BLE001
            log.warning("no tree-sitter grammar %r, files in it are not parse-checked: %s",
                        grammar, exc)
            _parsers[grammar] = None
    return _parsers[grammar]


def unavailable_grammars() -> list[str]:
    """Grammars that were asked for in this process and could not be loaded."""
    return sorted(g for g, p in _parsers.items() if p is None)


def parse_error(doc: Document) -> str | None:
    if doc.lang == "Python":
        return python_parse_error(doc.content)
    grammars = EXT_GRAMMARS.get(doc.ext.lower()) or GRAMMARS.get(doc.lang)
    if not grammars:
        return None
    limit = STRICT_ERROR_LINES if doc.lang in STRICT else LOOSE_ERROR_LINES
    data = doc.content.encode("utf-8", "replace")  # lone surrogates must not raise
    lines = doc.content.count("\n") + 1
    deadline = time.monotonic() + PARSE_SECONDS_BASE + PARSE_SECONDS_PER_BYTE * len(data)
    checked = False
    for grammar in grammars:  # one deadline for all tries
        parser = parser_for(grammar)
        if parser is None:
            continue
        checked = True
        timed_out = False

        def read(offset: int, _point) -> bytes:
            nonlocal timed_out
            if time.monotonic() > deadline:
                timed_out = True
                return b""
            return data[offset:offset + CHUNK]

        try:
            parser.reset()
            tree = parser.parse(read)
        except Exception as exc:  # noqa: BLE001 - a grammar bug must not stop a Spark task
            log.debug("tree-sitter %s failed on %s: %s", grammar, doc.path, exc)
            continue
        if timed_out:
            return "parse_error"
        allowed = limit * lines
        if tree is not None and error_lines(tree.root_node, int(allowed) + 1) <= allowed:
            return None
    return "parse_error" if checked else None


def error_lines(root, stop_at: int) -> int:
    """How many lines hold a skipped or inserted token (counting stops past `stop_at`)."""
    if not root.has_error:
        return 0
    touched: set[int] = set()
    stack = [(root, False)]
    while stack and len(touched) <= stop_at:
        node, inside_error = stack.pop()
        if node.is_missing:
            touched.add(node.start_point[0])
        elif node.is_error or (inside_error and node.child_count == 0):
            if node.child_count == 0:  # a token the parser skipped
                first, last = node.start_point[0], node.end_point[0]
                touched.update(range(first, min(last, first + stop_at) + 1))
            else:
                stack.extend((child, True) for child in node.children)
        elif node.has_error:  # a valid node with an error somewhere below: look inside
            stack.extend((child, False) for child in node.children)
    return len(touched)


# --- Python -----------------------------------------------------------------------------------
PY2_MESSAGES = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
    "multiple exception types must be parenthesized",
    "leading zeros in decimal integer literals",
)
PY2_FORMS = re.compile(
    r"""^[ \t]*print(?:[ \t]+["'\w]|[ \t]*>>)"""  # print "x", print x, print >>f, x
    r"""|^[ \t]*exec[ \t]+["'\w]"""  # exec code
    r"""|^[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"""  # except E, e:
    r"""|^[ \t]*raise[ \t]+[\w.]+[ \t]*,"""  # raise E, "msg"
    r"""|\bur["']""",  # ur"..." literals
    re.MULTILINE,
)


def python_parse_error(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences etc. are not our business
            ast.parse(text)
    except SyntaxError as exc:
        if any(str(exc.msg).startswith(m) for m in PY2_MESSAGES) or PY2_FORMS.search(text):
            return "python2"
        return "parse_error"
    except (RecursionError, MemoryError, ValueError, OverflowError):
        # Deeply nested expressions exhaust the compiler's recursion; NUL bytes raise ValueError.
        return "parse_error"
    return None
