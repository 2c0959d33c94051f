"""Keys, tokens and passwords, through detect-secrets' plugins on candidate windows only.

detect-secrets scans every line with some forty regexes and its filters; on code that is far
too slow (tens of KB/s, bench/pii.py). Here one cheap pass over the text picks candidates — a
long token in which a letter touches a digit, a secret-sounding keyword, a URL with
credentials, a private-key header — and the plugins' own regexes run on a bounded window
around each candidate. Windows are capped in size, so a 1 MB line costs what its candidates
cost, never lines x regexes x length.

What the plugins report is then guarded against the usual false positives in code: hashes next
to `sha`/`md5`/`digest`, UUIDs, sequential alphabets, templated placeholders (`<your-api-key>`,
`${TOKEN}`), identifiers (`PASSWORD_FIELD = "password"`), prose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from detect_secrets.filters.heuristic import (
    is_potential_uuid,
    is_sequential_string,
    is_templated_secret,
)
from detect_secrets.plugins import keyword as ds_keyword
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)

# Handled by their own rules: IPs (codewright.pii.network), keyword assignments and URL
# credentials (passwords below), private keys (whole blocks, not just the header line).
_OWN_RULES = {"IPPublicDetector", "KeywordDetector", "BasicAuthDetector", "PrivateKeyDetector"}

# Window bounds around a trigger: provider regexes look back for context (`aws ... key ...
# "..."`); keyword rules look forward for the value and back for `"value" == password`.
TOKEN_BEFORE, TOKEN_AFTER = 120, 80
KEYWORD_BEFORE, KEYWORD_AFTER = 80, 300
MAX_WINDOW = 4096  # merged windows are split beyond this, to stay linear on huge lines
TOKEN, KEYWORD, URL = 1, 2, 4  # why a window was opened: which rules it needs

# The prefilter works on bytes views of the text, one byte per character (`?` for anything
# outside ASCII, so offsets are the text's): translate() and literal searches run at hundreds
# of MB/s where a character-class regex over str crawls at a few.
_TOKEN_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_TOKEN_VIEW = bytes(ord("a") if c in _TOKEN_CHARS else ord(" ") for c in range(256))
# A run of 16+ base64 characters in which a letter touches a digit: every provider format holds
# one (`ghp_` + 36, `sk_live_` + 24, `AKIA` + 16, ...) and so does any random string, while
# identifiers rarely do (`_` and `-` split `test_issue_12345` into short runs).
_RUN16 = re.compile(b"a" * 16 + b"a*")  # a literal prefix: sre searches it fast
# URL-safe tokens (`glpat-...`, Telegram's `123:AA..-_..`) may have no 16-run without `-` or
# `_`; counting those as token characters lets snake_case in, so such runs must be longer.
_URLSAFE_VIEW = bytes(ord("a") if c in _TOKEN_CHARS + b"_-" else ord(" ") for c in range(256))
_RUN24 = re.compile(b"a" * 24 + b"a*")
_LETTER_DIGIT = re.compile(rb"[A-Za-z][0-9]|[0-9][A-Za-z]")
_KEYWORD_LITERALS = (b"pass", b"pwd", b"secret", b"contrase", b"key")
# `pass` alone is Python's no-op statement: only `password`, `db_pass =` and the like count.
_PASS_CONTINUES = re.compile(rb"[\w\-]|[ \t]*[:=]")
_KEY_PREFIX = re.compile(rb"(?:api|auth|service|account|db|database|priv|private|client)[_\-]?\Z")

# A private key is the whole block, not the header line detect-secrets reports: the base64
# body is the secret. Bounded, so an unterminated header cannot swallow the rest of a file.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"[\s\S]{0,16384}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{40,}")  # a real block has a body, not code between markers
_HASH_CONTEXT = re.compile(r"(?i)sha\d*|md5|digest|hash|checksum|fingerprint|crc|integrity|blake|\bsum\b|\betag\b|commit|\brev\b")
_SECRET_CONTEXT = re.compile(r"(?i)key|token|secret|auth|pass|pwd|credential|bearer|signature|salt")
_ID_CONTEXT = re.compile(r"(?i)(?:\b|_)(?:id|ids|uuid|guid)\b\s*[:=]")
_PLACEHOLDER_WORDS = frozenset(
    """password passwd pwd pass secret secrets token key apikey api_key changeme change_me
    mypassword my_password yourpassword your_password your_secret your_token your_api_key
    example sample dummy fake test testing none null nil true false undefined redacted hidden
    masked removed placeholder xxx xxxx xxxxx todo fixme required optional default empty
    bool boolean str string int integer float double object list dict bytes char number any
    """.split()
)
_PASSWORD_WORDS = ("pass", "pwd", "contrase")
# `PASSWORD_FIELD = "password"`, `password_min_length = 8`: the name describes a password.
_DESCRIBING_SUFFIX = re.compile(
    r"(?i)(?:pass(?:word|wd)?|pwd|secret|key)[_\-]?(?:hash|hashed|hasher|field|label|prompt|name|"
    r"names|file|path|url|env|var|len|length|min|max|regex|pattern|policy|reset|help|message|msg|"
    r"text|error|type|id|column|col|input|form|widget|attr|param|header|option|confirm|strength|"
    r"validator|required|changed|expires|expiry|timeout|count|char|chars|size|mask|placeholder)\b"
)
# Identifiers in camelCase, PascalCase, snake_case or dotted form, without digits.
_NAMEISH = re.compile(r"[A-Za-z]+(?:[a-z][A-Z]|_|\.)[A-Za-z_.]*|[A-Z][a-z]+[A-Z][A-Za-z]*")
_NAMES_A_PASSWORD = re.compile(r"(?i)pass(?:word|wd)|secret|pwd")
_UNQUOTED_VALUE = re.compile(r"[\w!@#$%^&*+\-=~/.?]{4,128}")

_KEYWORDISH = ("key", "pwd", "pw", "pass", "token")
# A literal each plugin's regexes cannot match without (w: the window, lw: lowered), so that a
# window meets only the few plugins that could fire there. A plugin missing here (a newer
# detect-secrets) always runs: slower, never blind.
_GATES = {
    "ArtifactoryDetector": lambda w, lw: "AKC" in w or "AP" in w,
    "AWSKeyDetector": lambda w, lw: "aws" in lw or any(p in w for p in ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")),
    "AzureStorageKeyDetector": lambda w, lw: "AccountKey=" in w,
    "CloudantDetector": lambda w, lw: "cloudant" in lw or ("cl" in lw and any(k in lw for k in _KEYWORDISH)),
    "DiscordBotTokenDetector": lambda w, lw: "." in w,
    "GitHubTokenDetector": lambda w, lw: any(p in w for p in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    "GitLabTokenDetector": lambda w, lw: "gl" in w or "GR1348941" in w,
    "IbmCloudIamDetector": lambda w, lw: any(k in lw for k in _KEYWORDISH),
    "IbmCosHmacDetector": lambda w, lw: "key" in lw,
    "JwtTokenDetector": lambda w, lw: "eyJ" in w,
    "MailchimpDetector": lambda w, lw: "-us" in w,
    "NpmDetector": lambda w, lw: "_authToken" in w,
    "OpenAIDetector": lambda w, lw: "T3BlbkFJ" in w,
    "PypiTokenDetector": lambda w, lw: "pypi-" in w,
    "SendGridDetector": lambda w, lw: "SG." in w,
    "SlackDetector": lambda w, lw: "xox" in lw or "hooks.slack.com" in w,
    "SoftlayerDetector": lambda w, lw: "softlayer" in lw or ("sl" in lw and any(k in lw for k in _KEYWORDISH)),
    "SquareOAuthDetector": lambda w, lw: "sq0csp-" in w,
    "StripeDetector": lambda w, lw: "k_live_" in w,
    "TelegramBotTokenDetector": lambda w, lw: ":" in w,
    "TwilioKeyDetector": lambda w, lw: "AC" in w or "SK" in w,
}


def _always(w: str, lw: str) -> bool:
    return True


@lru_cache(maxsize=1)
def provider_plugins() -> list[tuple[str, object, tuple[re.Pattern, ...]]]:
    """(name, gate, regexes) for every detect-secrets plugin that recognises a key format."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    out = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if issubclass(cls, RegexBasedDetector) and cls.__name__ not in _OWN_RULES:
            out.append((cls.__name__, _GATES.get(cls.__name__, _always), tuple(cls.denylist)))
    return sorted(out, key=lambda p: p[0])


# detect-secrets' BasicAuthDetector follows RFC 3986 and stops at `$`, `!`, `&`... in the
# password; code in the wild does not percent-encode, so the password runs to the `@`.
_URL_CREDENTIALS = re.compile(r"[A-Za-z][\w+.\-]*://[^\s:@/'\"`]+:([^\s@/'\"`]+)@[\w\[]")
# `curl -u user:pass`, `--user "user:pass"`: credentials of a URL given apart from it.
_CLI_CREDENTIALS = re.compile(r"(?:\s-u|--user)[ =]['\"]?[^\s:'\"]+:([^\s'\"]+)")
# detect-secrets' keyword rules want the value to start with a word character; generated
# secrets (Django's SECRET_KEY) often start with a symbol.
_SYMBOL_FIRST = re.compile(
    r"(?i)(pass(?:word|wd)?|pwd|secret|api_?key|auth_?key|private_?key)\w*['\"\]]{0,2}[ \t]*"
    r"(?:=|:|=>|:=)[ \t]*(['\"`])([^\w\s'\"`][^\s'\"`]{3,255})\2"
)
_KEYWORD_REGEXES = [
    *ds_keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP.items(),
    # Config files (.env, .ini, YAML) leave values unquoted.
    (ds_keyword.FOLLOWED_BY_COLON_REGEX, 4),
    (ds_keyword.FOLLOWED_BY_EQUAL_SIGNS_REGEX, 5),
    (_SYMBOL_FIRST, 3),
]
_BASE64 = Base64HighEntropyString()
_HEX = HexHighEntropyString()


def _spots(text: str, view: bytes) -> list[tuple[int, int, int]]:
    """(start, end, flag) of every trigger in the text."""
    spots = []
    for table, runs in ((_TOKEN_VIEW, _RUN16), (_URLSAFE_VIEW, _RUN24)):
        for m in runs.finditer(view.translate(table)):
            s, e = m.span()
            if _LETTER_DIGIT.search(view, s, e):
                spots.append((s, e, TOKEN))
    lowered = view.lower()
    for literal in _KEYWORD_LITERALS:
        at = lowered.find(literal)
        while at != -1:
            if literal == b"pass":
                ok = _PASS_CONTINUES.match(lowered, at + 4) is not None
            elif literal == b"key":
                ok = _KEY_PREFIX.search(lowered, max(0, at - 9), at) is not None
            else:
                ok = True
            if ok:
                spots.append((at, at + len(literal), KEYWORD))
            at = lowered.find(literal, at + len(literal))
    at = view.find(b"://")
    while at != -1:
        # Credentials sit between `://` and an `@` on the same line; a plain link has none.
        if b"@" in view[at:at + 256].split(b"\n", 1)[0]:
            spots.append((at, at + 3, URL))
        at = view.find(b"://", at + 3)
    for literal in (b" -u ", b"--user"):
        at = view.find(literal)
        while at != -1:
            spots.append((at, at + len(literal), URL))
            at = view.find(literal, at + len(literal))
    return sorted(spots)


def candidate_windows(text: str, view: bytes | None = None) -> list[tuple[int, int, int]]:
    """(start, end, flags): bounded spans of `text` worth handing to the plugins, each within
    one line, merged while they overlap and stay under MAX_WINDOW."""
    view = view if view is not None else text.encode("ascii", "replace")
    windows: list[list[int]] = []
    line_start, line_end = -1, -1
    for s, e, flag in _spots(text, view):
        if s >= line_end:  # a new line: find its bounds once
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", e)
            line_end = len(text) if line_end == -1 else line_end
        before, after = (TOKEN_BEFORE, TOKEN_AFTER) if flag == TOKEN else (KEYWORD_BEFORE, KEYWORD_AFTER)
        ws, we = max(line_start, s - before), min(line_end, e + after)
        last = windows[-1] if windows else None
        if last and last[0] >= line_start and ws <= last[1] and we - last[0] <= MAX_WINDOW:
            last[1] = max(last[1], we)
            last[2] |= flag
        else:
            windows.append([ws, we, flag])
    return [(s, e, f) for s, e, f in windows]


def _span(m: re.Match) -> tuple[int, int]:
    """The secret inside a match: its longest group when that holds the key (AWS, IBM, npm),
    else the match without delimiters (GitLab and GitHub groups only name the prefix)."""
    groups = [g for g in range(1, (m.re.groups or 0) + 1) if m.group(g)]
    if groups:
        g = max(groups, key=lambda g: len(m.group(g)))
        if len(m.group(g)) >= 16:
            return m.span(g)
    s, e = m.span()
    text = m.string
    while s < e and text[s] in " \t\"'=:`,":
        s += 1
    while e > s and text[e - 1] in " \t\"'`,;\r":
        e -= 1
    # `AccountKey=...`, `_authToken=...`: the name is context, the value is the key.
    head = re.match(r"[A-Za-z_]\w*=", text[s:e])
    if head and e - s - head.end() >= 16:
        s += head.end()
    return s, e


def _is_placeholder(value: str) -> bool:
    v = value.strip()
    low = v.lower()
    return (
        not v
        or (v[0] in "<{[(" and v[-1] in ">}])")
        or "${" in v or "{{" in v or "%s" in v or "%(" in v or v.startswith("$")
        or "..." in v or "***" in v or "xxx" in low
        or low in _PLACEHOLDER_WORDS
        or low.startswith(("your", "my_", "enter", "insert", "replace", "example", "<"))
        or is_templated_secret(v)
    )


def _password_ok(value: str, quoted: bool) -> bool:
    if len(value) < 4 or len(value) > 128 or any(c.isspace() for c in value) or _is_placeholder(value):
        return False
    if _NAMEISH.fullmatch(value) or (_NAMES_A_PASSWORD.search(value) and not any(c.isdigit() for c in value)):
        return False  # `'admin_password': 'adminPassword'`: a field name, not a password
    if quoted:
        return True
    # Unquoted: in code this is an expression (`password = get_password()`, `pwd: str`); only a
    # single token that could not be an identifier or a plain number reads as a literal.
    return bool(_UNQUOTED_VALUE.fullmatch(value)) and not value.isdigit() and (
        not re.fullmatch(r"[A-Za-z_][A-Za-z_]*", value)
    ) and not re.fullmatch(r"[A-Za-z_][\w]*\.[\w.]+", value)


def _unquoted_key_ok(value: str) -> bool:
    # `private_key: PKCS7PrivateKeyTypes` is a type annotation: unquoted, a key must look random.
    return bool(_UNQUOTED_VALUE.fullmatch(value)) and len(value) >= 12 and sum(c.isdigit() for c in value) >= 2


def _alphabet_run(value: str, n: int = 6) -> bool:
    """`"0123456789ABCDEFGHIJKLMabcdefghijklm"`: an alphabet for random.choice, not a key."""
    run = 1
    for a, b in zip(value, value[1:]):
        run = run + 1 if ord(b) - ord(a) == 1 else 1
        if run >= n:
            return True
    return False


def _key_ok(value: str, window: str) -> bool:
    return (
        len(value) >= 8
        and not any(c.isspace() for c in value)
        and not _is_placeholder(value)
        and any(c.isdigit() for c in value)
        and not is_potential_uuid(value)
        and not is_sequential_string(value)
        and not _alphabet_run(value)
    )


def _entropy_hits(window: str, base: int) -> Iterator[tuple[str, int, int]]:
    # Code is full of hex digests (checksums, cache keys, schema hashes) that no keyword
    # announces; a hex key is taken only where a secret-sounding name stands next to it.
    hex_allowed = _HASH_CONTEXT.search(window) is None
    for plugin, is_hex in ((_BASE64, False), (_HEX, True)):
        for m in plugin.regex.finditer(window):
            value = m.group(2)
            if len(value) < 16:
                continue
            if is_hex and not (hex_allowed and len(value) >= 24 and _SECRET_CONTEXT.search(window, max(0, m.start() - 40), m.start())):
                continue
            if not is_hex and value.strip("0123456789abcdefABCDEF") == "":
                continue  # pure hex: the hex plugin (with its hash guard) decides
            if not _key_ok(value, window) or not re.search(r"[A-Za-z]", value):
                continue
            if _ID_CONTEXT.search(window, 0, m.start()):
                continue
            if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                yield "key", base + m.start(2), base + m.end(2)


def _keyword_hits(window: str, lowered: bytes, base: int) -> Iterator[tuple[str, int, int]]:
    """detect-secrets' keyword rules, anchored where a keyword starts: run unanchored they try
    eighteen case-insensitive alternatives at every position (half a millisecond a window)."""
    starts: set[int] = set()
    for literal in _KEYWORD_LITERALS:
        at = lowered.find(literal)
        while at != -1:
            starts.update(range(max(0, at - 9), at + 1))  # `database_pass`, `client_key`
            at = lowered.find(literal, at + 1)
    matches = [
        (m, group)
        for regex, group in _KEYWORD_REGEXES
        if regex is not ds_keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX
        for q in sorted(starts)
        if (m := regex.match(window, q))
    ]
    if b"==" in lowered or b"!=" in lowered:  # `"hunter2" == password`: the value comes first
        regex = ds_keyword.PRECEDED_BY_EQUAL_COMPARISON_SIGNS_QUOTES_REQUIRED_REGEX
        matches += [(m, 2) for m in regex.finditer(window)]
    for m, group in matches:
        value = m.group(group)
        quoted = bool(m.group(group - 1))  # the group before the value is its quote
        vs, ve = m.start(group) - m.start(), m.end(group) - m.start()
        name = (m.group(0)[:vs] + m.group(0)[ve:]).lower()
        if _DESCRIBING_SUFFIX.search(name):
            continue
        if any(w in name for w in _PASSWORD_WORDS):
            if _password_ok(value, quoted):
                yield "password", base + m.start(group), base + m.end(group)
        elif _key_ok(value, window) and (quoted or _unquoted_key_ok(value)):
            yield "key", base + m.start(group), base + m.end(group)


def find_secrets(text: str, view: bytes | None = None) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) for every key and password in `text`; kind is `key` or `password`.
    `view`: text.encode("ascii", "replace"), when the caller has it already."""
    if "PRIVATE KEY" in text:
        for m in _PRIVATE_KEY.finditer(text):
            if _BASE64_RUN.search(m.group(0)):
                yield "key", m.start(), m.end()
    plugins = provider_plugins()
    view = view if view is not None else text.encode("ascii", "replace")
    for ws, we, flags in candidate_windows(text, view):
        window = text[ws:we]
        if flags & TOKEN:
            lw = window.lower()
            for _, gate, regexes in plugins:
                if gate(window, lw):
                    for regex in regexes:
                        for m in regex.finditer(window):
                            s, e = _span(m)
                            if e - s >= 8:
                                yield "key", ws + s, ws + e
            if "'" in window or '"' in window:
                yield from _entropy_hits(window, ws)
        if flags & KEYWORD:
            yield from _keyword_hits(window, view[ws:we].lower(), ws)
        if flags & URL:
            for regex in (*BasicAuthDetector.denylist, _URL_CREDENTIALS, _CLI_CREDENTIALS):
                for m in regex.finditer(window):
                    if _password_ok(m.group(1), True):
                        yield "password", ws + m.start(1), ws + m.end(1)
