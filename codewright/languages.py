"""Language from file extension, after The Stack's mapping (its most frequent languages first).

The Stack assigns a language by extension from GitHub linguist's table; these are the ~40
languages that make up nearly all of its bytes. Files with an extension not listed here are
not code we train on and go to raw_stack_shards/_rejected with reason `unknown_extension`.
"""

from __future__ import annotations

from pathlib import PurePosixPath

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "JavaScript": (".js", ".mjs", ".cjs", ".jsx"),
    "Java": (".java",),
    "C": (".c", ".h"),
    "C++": (".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx", ".c++", ".h++", ".ipp"),
    "Python": (".py", ".pyi", ".pyw"),
    "PHP": (".php", ".phtml"),
    "C#": (".cs",),
    "TypeScript": (".ts", ".tsx", ".mts", ".cts"),
    "Go": (".go",),
    "Markdown": (".md", ".markdown"),
    "HTML": (".html", ".htm", ".xhtml"),
    "CSS": (".css",),
    "SCSS": (".scss",),
    "Ruby": (".rb", ".rake", ".gemspec"),
    "Rust": (".rs",),
    "Kotlin": (".kt", ".kts"),
    "Scala": (".scala", ".sc"),
    "Swift": (".swift",),
    "Shell": (".sh", ".bash", ".zsh"),
    "SQL": (".sql",),
    "Lua": (".lua",),
    "Perl": (".pl", ".pm"),
    "R": (".r",),
    "Dart": (".dart",),
    "Haskell": (".hs",),
    "Julia": (".jl",),
    "Objective-C": (".m",),
    "Objective-C++": (".mm",),
    "TeX": (".tex", ".sty", ".cls"),
    "PowerShell": (".ps1", ".psm1"),
    "Fortran": (".f", ".f90", ".f95", ".f03", ".for"),
    "Assembly": (".asm", ".s"),
    "CMake": (".cmake",),
    "Makefile": (".mk", ".mak"),
    "Dockerfile": (".dockerfile",),
    "Visual Basic": (".vb", ".bas"),
    "Erlang": (".erl", ".hrl"),
    "Elixir": (".ex", ".exs"),
    "Clojure": (".clj", ".cljs", ".cljc", ".edn"),
    "OCaml": (".ml", ".mli"),
    "Groovy": (".groovy", ".gradle"),
    "Zig": (".zig",),
    "Cython": (".pyx", ".pxd", ".pxi"),
    # Data and markup formats: kept, with their own heuristics exceptions in the filters.
    "JSON": (".json",),
    "YAML": (".yml", ".yaml"),
    "TOML": (".toml",),
    "XML": (".xml", ".xsd", ".xsl"),
    "reStructuredText": (".rst",),
    "Jupyter Notebook": (".ipynb",),
}

FILENAMES: dict[str, str] = {
    "Makefile": "Makefile",
    "GNUmakefile": "Makefile",
    "Dockerfile": "Dockerfile",
    "CMakeLists.txt": "CMake",
    "Rakefile": "Ruby",
    "Gemfile": "Ruby",
}

_BY_EXT = {ext: lang for lang, exts in EXTENSIONS.items() for ext in exts}

# Formats where long lines / low alphanumeric fraction are normal (BigCode's exceptions).
DATA_AND_MARKUP = frozenset(
    {"JSON", "YAML", "TOML", "XML", "HTML", "CSS", "SCSS", "Markdown", "reStructuredText",
     "TeX", "Jupyter Notebook", "SQL"}
)


def language_of(path: str) -> str | None:
    """The Stack language of a file path, or None if it is not a language we collect."""
    name = PurePosixPath(path).name
    if name in FILENAMES:
        return FILENAMES[name]
    suffix = PurePosixPath(name).suffix.lower()
    if not suffix:
        return None
    # .R and .r are R; .C is C++ on GitHub, but lower-casing keeps the table small.
    return _BY_EXT.get(suffix)
