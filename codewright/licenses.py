"""License allow-list and detection.

The allow-list follows The Stack's permissive set (BigCode, "The Stack: 3 TB of permissively
licensed source code", appendix): licenses that allow reuse without copyleft obligations.
"""

from __future__ import annotations

PERMISSIVE_LICENSES: frozenset[str] = frozenset(
    {
        "MIT", "MIT-0", "MIT-CMU", "MIT-feh", "MIT-advertising", "MIT-enna", "X11", "Xnet",
        "Apache-2.0", "Apache-1.1", "Apache-1.0",
        "BSD-2-Clause", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-3-Clause-LBNL",
        "BSD-3-Clause-Attribution", "BSD-4-Clause", "BSD-1-Clause", "0BSD", "BSD-2-Clause-Patent",
        "BSD-Source-Code", "BSL-1.0", "ISC", "Zlib", "zlib-acknowledgement", "Unlicense", "CC0-1.0",
        "WTFPL", "PSF-2.0", "Python-2.0", "Python-2.0.1", "CNRI-Python", "HPND", "NCSA", "PostgreSQL",
        "UPL-1.0", "Artistic-2.0", "AFL-3.0", "AFL-2.1", "ECL-2.0", "EFL-2.0", "Fair", "JSON",
        "Libpng", "libpng-2.0", "curl", "OpenSSL", "Ruby", "TCL", "W3C", "W3C-20150513", "Zend-2.0",
        "ZPL-2.1", "ZPL-2.0", "Unicode-DFS-2016", "Unicode-3.0", "blessing", "bzip2-1.0.6",
        "FSFAP", "FSFUL", "FSFULLR", "ICU", "MulanPSL-2.0", "NTP", "OLDAP-2.8", "PHP-3.01",
        "SGI-B-2.0", "Spencer-94", "Vim", "CC-BY-4.0", "CC-BY-3.0", "MS-PL",
    }
)


def is_permissive(licenses) -> bool:
    """True if any of a file's licenses is on the allow-list (The Stack keeps such files)."""
    return any(lic in PERMISSIVE_LICENSES for lic in (licenses or ()))


# Phrases that identify a license text. The Stack used go-license-detector on whole repositories;
# for a LICENSE file at a repository's root, these signatures (all phrases must appear, checked
# on whitespace-normalised lower-case text, most specific first) tell the common licenses apart.
_SIGNATURES: list[tuple[str, tuple[str, ...]]] = [
    ("AGPL-3.0", ("gnu affero general public license",)),
    ("LGPL-3.0", ("gnu lesser general public license", "version 3")),
    ("LGPL-2.1", ("gnu lesser general public license", "version 2.1")),
    ("LGPL-2.0", ("gnu library general public license",)),
    ("GPL-3.0", ("gnu general public license", "version 3")),
    ("GPL-2.0", ("gnu general public license", "version 2")),
    ("MPL-2.0", ("mozilla public license", "2.0")),
    ("EPL-2.0", ("eclipse public license", "2.0")),
    ("EPL-1.0", ("eclipse public license",)),
    ("Apache-2.0", ("apache license", "version 2.0")),
    ("Apache-1.1", ("apache software license", "version 1.1")),
    ("PSF-2.0", ("python software foundation license version 2",)),
    ("BSL-1.0", ("boost software license",)),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",)),
    ("CC0-1.0", ("cc0 1.0 universal",)),
    ("WTFPL", ("do what the fuck you want to public license",)),
    ("ISC", ("permission to use, copy, modify, and/or distribute this software for any purpose",)),
    ("ISC", ("permission to use, copy, modify, and distribute this software for any purpose with or without fee",)),
    ("MIT", ("permission is hereby granted, free of charge", "the software is provided \"as is\"")),
    ("MIT", ("permission is hereby granted, free of charge",)),
    ("Zlib", ("altered source versions must be plainly marked", "this notice may not be removed")),
    ("BSD-4-Clause", ("redistribution and use in source and binary forms", "advertising materials")),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "neither the name")),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "may be used to endorse")),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",)),
]

LICENSE_FILENAMES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "LICENSE.rst", "COPYING",
                     "COPYING.txt", "LICENSE-MIT", "LICENSE.MIT")

# PyPI trove classifiers and free-text `License:` fields, mapped to SPDX ids.
_ALIASES: dict[str, str] = {
    "mit": "MIT", "mit license": "MIT", "the mit license": "MIT", "expat": "MIT",
    "apache": "Apache-2.0", "apache 2": "Apache-2.0", "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0", "apache license 2.0": "Apache-2.0", "apache software license": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0", "apache license version 2.0": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0", "asl 2": "Apache-2.0", "asl 2.0": "Apache-2.0",
    "bsd": "BSD-3-Clause", "bsd license": "BSD-3-Clause", "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause", "modified bsd": "BSD-3-Clause", "3-clause bsd": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause", "bsd-3": "BSD-3-Clause", "simplified bsd": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause", "bsd 2-clause": "BSD-2-Clause",
    "isc": "ISC", "isc license": "ISC", "isc license (iscl)": "ISC",
    "psf": "PSF-2.0", "psfl": "PSF-2.0", "python software foundation license": "PSF-2.0",
    "psf license": "PSF-2.0", "psf-2.0": "PSF-2.0",
    "zlib": "Zlib", "zlib/libpng license": "Zlib", "boost software license 1.0 (bsl-1.0)": "BSL-1.0",
    "the unlicense (unlicense)": "Unlicense", "unlicense": "Unlicense", "public domain": "Unlicense",
    "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0", "mpl 2.0": "MPL-2.0", "mpl-2.0": "MPL-2.0",
    "gnu general public license v3 (gplv3)": "GPL-3.0", "gplv3": "GPL-3.0", "gpl": "GPL-3.0",
    "gnu general public license v2 (gplv2)": "GPL-2.0", "gplv2": "GPL-2.0",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0", "lgpl": "LGPL-3.0",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0",
    "historical permission notice and disclaimer (hpnd)": "HPND",
    "eclipse public license 2.0 (epl-2.0)": "EPL-2.0",
    "university of illinois/ncsa open source license": "NCSA",
}
_SPDX_BY_LOWER = {lic.lower(): lic for lic in PERMISSIVE_LICENSES}


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("\u201c", '"').replace("\u201d", '"').split())


def detect_license_text(text: str) -> str | None:
    """SPDX id of a license file's text, or None when it is not recognised."""
    head = text[:20000]
    for line in head.splitlines()[:20]:
        if "SPDX-License-Identifier:" in line:
            ids = parse_expression(line.split("SPDX-License-Identifier:", 1)[1])
            if ids:
                return ids[0]
    norm = _normalise(head)
    for spdx, phrases in _SIGNATURES:
        if all(p in norm for p in phrases):
            return spdx
    return None


def parse_expression(expression: str) -> list[str]:
    """SPDX ids in an SPDX license expression ("MIT OR Apache-2.0" -> ["MIT", "Apache-2.0"])."""
    ids = []
    for token in expression.replace("(", " ").replace(")", " ").split():
        if token.upper() in {"OR", "AND", "WITH"}:
            continue
        ids.append(_SPDX_BY_LOWER.get(token.lower(), normalise_license_name(token) or token))
    return ids


def normalise_license_name(name: str) -> str | None:
    """SPDX id for a classifier tail or a short free-text license name, or None."""
    key = _normalise(name).strip(" .")
    if key in _SPDX_BY_LOWER:
        return _SPDX_BY_LOWER[key]
    return _ALIASES.get(key)


def licenses_from_metadata(meta) -> list[str]:
    """SPDX ids from a distribution's core metadata (email.message.Message-like).

    PEP 639's License-Expression wins; then trove classifiers; then a short `License:` field.
    A long `License:` field is usually the whole license text: detect it like a LICENSE file.
    """
    expression = meta.get("License-Expression")
    if expression:
        return parse_expression(expression)
    found: list[str] = []
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            spdx = normalise_license_name(classifier.split("::")[-1])
            if spdx and spdx not in found:
                found.append(spdx)
    if found:
        return found
    field = (meta.get("License") or "").strip()
    if field and field.upper() not in {"UNKNOWN", "NONE"}:
        if len(field) < 80:
            ids = [normalise_license_name(field)] if normalise_license_name(field) else parse_expression(field)
            return [i for i in ids if i in PERMISSIVE_LICENSES or i in _ALIASES.values()]
        spdx = detect_license_text(field)
        if spdx:
            return [spdx]
    return []
