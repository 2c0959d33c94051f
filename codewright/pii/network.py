"""Emails and IP addresses: fast regexes over the whole text, validated one match at a time.

Both rules scan the text once (linear in its length) and only touch the few places where an
`@` or a dotted / colon-separated number sits, so long lines and large files cost no more than
reading them. What stays: documentation-only names (example.com, *.test, RFC 2606) and
addresses that point at nobody (private, loopback, link-local, unspecified, multicast,
documentation ranges) or at everybody (the well-known public DNS resolvers).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator

from codewright.pii.tlds import GENERIC_TLDS

# ---------------------------------------------------------------------------------------------
# emails

# Walking outwards from each '@' keeps the scan linear: a regex that starts with a character
# class (the local part) would be tried at every position of the text.
_LOCAL = re.compile(r"[\w.%+\-]{1,64}\Z")
_DOMAIN = re.compile(r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}([^\W\d_]{2,24}|xn--[a-z0-9\-]{2,59})(?![\w\-]|\.[^\W_])")

# Every generic TLD of the IANA root zone (`.health`, `.engineering`, `.bank`), every two-letter
# (country) one and every internationalised one. Without a list, `x@self.weight` (Python's
# matrix product) would read as an address. File extensions that are also TLDs stay out:
# `icon@2x.zip` names a file.
_GENERIC_TLDS = (GENERIC_TLDS | {"mail"}) - {"zip", "mov"}
# Names reserved for documentation and testing (RFC 2606 / 6761): nobody's address.
_RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local"})
# `git@github.com:org/repo` is an SSH address of a service, not a person's mailbox.
_SERVICE_LOCALS = frozenset({"git", "hg"})
_SSH_BEFORE = re.compile(r"\b(?:ssh|scp|sftp|mosh)(?:[ \t]+-[A-Za-z]+(?:[ \t]+[^\s@\-][^\s@]*)?)*[ \t]+(?:-J[ \t]+)?\Z|[ \t]-J[ \t]+\Z")
_MESSAGE_ID_LINE = re.compile(r"(?i)[ \t]*(?:message-id|in-reply-to|references|resent-message-id)[ \t]*:")
_SSH_NAMING_DOMAINS = frozenset({"openssh.com", "libssh.org", "ssh.com"})


def _tld_ok(tld: str) -> bool:
    t = tld.lower()
    return t in _GENERIC_TLDS or len(t) == 2 or t.startswith("xn--") or not t.isascii()


_UUID_LOCAL = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_SSH_COMMAND = re.compile(r"(?i)\b(?:git|push|pull|clone|fetch|remote|scp|rsync|ssh|sftp|url)\b")


def find_emails(text: str) -> Iterator[tuple[int, int]]:
    at = text.find("@")
    while at != -1:
        # Perl and PHP double-quoted strings escape the `@`: `"jo\\@corp.com"`.
        lend = at - 1 if at and text[at - 1] == "\\" else at
        local = _LOCAL.search(text, max(0, lend - 64), lend)
        domain = _DOMAIN.match(text, at + 1, at + 256) if local else None
        if local and domain:
            start = local.start()
            # Trim leading dots/dashes of the local part: `--user@x.org` in a comment.
            while start < at and text[start] in ".-":
                start += 1
            before = text[start - 1] if start else ""
            name = text[start:lend]
            end, tld = domain.end(), domain.group(1)
            # Perl POD writes the angle brackets as `E<lt>` / `E<gt>`: `E<lt>jo@corp.com.auE<gt>`.
            if tld.endswith("E") and text.startswith("<gt>", end) and not _tld_ok(tld):
                end, tld = end - 1, tld[:-1]
            host = text[at + 1:end].lower()
            url_userinfo = before != "" and before in ":/" and not text[max(0, start - 7):start].lower().endswith(("mailto:", "static:"))
            if (
                name
                and any(c.isalnum() for c in name)  # `LIKE '%@gmail.com'`: a pattern, no mailbox
                and not _UUID_LOCAL.fullmatch(name)  # `<A29863FA-...-0FD06B09B5BF@gmail.com>`: a Message-ID
                # `git push dokku@demo.host.fr:app`, `scp f deploy@host.io:/srv`: an SSH target, not a mailbox
                and not (text.startswith(":", end) and end + 1 < len(text) and (text[end + 1].isalpha() or text[end + 1] in "/~.")
                         and _SSH_COMMAND.search(text, max(0, text.rfind("\n", 0, start) + 1, start - 120), start))
                and not name.endswith(".")
                and not url_userinfo
                and not (lend != at and before != "" and before in "$@%")  # `"$user\@$host"`: variables
                and before != "$"  # `https://$GITHUB_TOKEN@github.com/...`: a shell variable
                # `ssh -J deploy@bastion.corp.io deploy@10.0.0.3`: an SSH target
                and not _SSH_BEFORE.search(text, max(0, text.rfind("\n", 0, start) + 1, start - 48), start)
                # `Message-ID: <CA+4Fsuc...@mail.gmail.com>`, `In-Reply-To:`, `References:`
                and not (before == "<" and _MESSAGE_ID_LINE.match(text, text.rfind("\n", 0, start) + 1))
                and name.lower() not in _SERVICE_LOCALS
                # SSH names extensions after a domain (RFC 4251): `rsa-sha2-256-cert-v01@openssh.com`
                and not (host in _SSH_NAMING_DOMAINS and ("-" in name or any(c.isdigit() for c in name)))
                and _tld_ok(tld)
                and not host.endswith(_RESERVED_DOMAINS)
                and host.rsplit(".", 1)[-1] not in _RESERVED_TLDS
            ):
                yield start, end
        at = text.find("@", at + 1)


# ---------------------------------------------------------------------------------------------
# IP addresses

# IPv4 candidates are found in a view of the text where every digit is `0` and every other
# byte but `.` is `x`: the pattern then starts with a literal, which sre searches at hundreds
# of MB/s (the same pattern over str tries every position).
_DIGIT_VIEW = bytes(ord("0") if chr(c).isdigit() and c < 128 else c if c == ord(".") else ord("x") for c in range(256))
_IPV4_VIEW = re.compile(rb"0(?:0?0?)\.0(?:0?0?)\.0(?:0?0?)\.0(?:0?0?)")
# Global IPv6 unicast is 2000::/3: the first group is four hex digits starting with 2 or 3
# (anything else is private, reserved or unallocated, and stays).
# Two colons at most one group apart: a literal start, found fast; the full pattern then runs
# only there.
_TWO_COLONS = re.compile(rb":[0-9A-Fa-f]{0,4}:")
_IPV6 = re.compile(rb"[23][0-9A-Fa-f]{3}:[0-9A-Fa-f:]{2,34}(?:\.\d{1,3}){0,3}")  # over the view
# `__version__ = "4.2.1.0"`, `firmware 7.4.3.3`: a dotted version string is not an address.
_VERSION_CONTEXT = re.compile(
    r"(?i)version|\bver\b|release|\bbuild\b|\bv\s*$|\brfc\b|section|§|chapter|figure|table\b|"
    r"firmware|\bfw\b|kernel(?!:)|\bbios\b|\bpatch(?:ed|es)?\b|\bbump(?:ed|s)?\b|upgrad|downgrad|changelog|\bsdk\b|"
    r"\bupdated?\b[^\n]{0,40}\bto[ \t]+v?$|hyperspec|\bsec(?:t|tion)?\.?[ \t]*$"
)
# A changelog entry: the number followed by its release date (`### 3.2.0.1 (2024-02-10)`,
# `## [3.2.0.1] - 2024-02-10`), or a Markdown heading that is the number alone (`## 3.2.0.1`;
# one `#` is a shell comment, and `# 52.14.88.201 bastion` is an address).
# Object identifiers: `arc 2.5.29.17`, `OID 1.3.6.1`, `{ iso(1) ... }`, `(id-ce) 2.5.29.15`.
_OID_CONTEXT = re.compile(
    r"(?i)\barcs?\b|(?:\b|_)oids?(?:\b|_)|object[ \t_]*identifier|\biso\(1\)|\bid-[a-z]{2,}\b|asn\.1|(?-i:[a-z]Oids?(?:\b|[A-Z_])|\boids?[A-Z])"
)
_OID_HINTS = ("arc", "oid", "OID", "Oid", "object", "Object", "iso(", "id-", "ASN", "asn")
# Arcs every OID table starts with: iso.org (1.3: dod/internet 1.3.6, oiw 1.3.14, thawte 1.3.101,
# certicom 1.3.132, teletrust 1.3.36), iso.member-body.us (1.2.840), joint-iso-itu-t.country.us
# (2.16.840). Hosts in 1.2.0.0/16 and 1.3.0.0/16 exist, but these four-part forms are OIDs.
_OID_ARCS = ("1.3.6.", "1.3.14.", "1.3.101.", "1.3.132.", "1.3.36.", "1.2.840.", "2.16.840.")
# Special-purpose registries (RFC 6890 and later) Python's ipaddress still calls global:
# IETF protocol assignments, AMT, AS112.
_SPECIAL_V4 = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "192.52.193.0/24", "192.31.196.0/24", "192.175.48.0/24"))
# Numbers on both sides (`2.12 3.51.98.32 2.03.5`): SVG path data or a table of figures.
_NUMBER_BEFORE = re.compile(r"(?<![\w.])-?\d*\.?\d+(?:\.\d+)?[ \t,]\Z")
_NUMBER_AFTER = re.compile(r"[ \t,]-?\d*\.?\d+(?:\.\d+)?(?=[\s,]|\Z)")
# Right after the number: a version suffix (`1.2.13.1-motley`), a time zone (`12.34.56.78+0800`).
_NOT_HOST_AFTER = re.compile(r"-[A-Za-z]|[+\-]\d{4}\b")
# A value under a key naming software (`"os": "14.0.0.1"`, `platform = '10.0.19045.1'`): a version.
_SOFTWARE_KEY = re.compile(
    r"(?i)(?<![\w.\-])(?:os|platform|browser|engine|runtime|kernel|firmware|ios|android|macos|chrome|"
    r"firefox|safari|sdk|os_?name|user_?agent|ua)['\"]?[ \t]*(?:=>|[:=])[ \t]*['\"]?[ \t]*\Z"
)
# A product named right before the number (`python 3.11.4.2`, `OpenSSL/1.1.1.23`, `Chrome 120.0.6099.109`).
_SOFTWARE_BEFORE = re.compile(
    r"(?i)(?<![\w.\-])(?:python|java|jdk|jre|nodejs|ruby|perl|php|golang|gcc|clang|llvm|openssl|"
    r"libressl|linux|windows|ubuntu|debian|centos|rhel|fedora|alpine|chrome|chromium|firefox|msie|"
    r"npm|git|guile|"
    r"pip|dotnet|\.net|mono|erlang|elixir|rust|rustc|cargo|gradle|maven|qt|gtk|glibc|cuda|cudnn)"
    r"[ \t/\-]v?\Z"
)
# X.500 attribute types and certificate extensions (`2.5.4.3`, `2.5.29.17`) are OIDs.
_X500_ARC = ("2.5.4.", "2.5.29.")
_DATE_AFTER = re.compile(r"\]?[ \t]*(?:[(\[][ \t]*|[-\u2013\u2014][ \t]+)\d{4}-\d{2}-\d{2}")
_HEADING_BEFORE = re.compile(r"[ \t]*#{2,6}[ \t]+\[?\Z")
_HEADING_AFTER = re.compile(r"\]?[ \t]*\r?(?:\n|\Z)")

_ENV_VALUE_BEFORE = re.compile(r"[ \t]*value:[ \t]*['\"]?\Z")
_CIDR_SUFFIX = re.compile(r"/([89]|[12]\d|3[0-2])(?![\w.])")

PUBLIC_RESOLVERS = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "8.8.8.8", "8.8.4.4",  # Google
        "1.1.1.1", "1.0.0.1",  # Cloudflare
        "9.9.9.9", "149.112.112.112",  # Quad9
        "208.67.222.222", "208.67.220.220",  # OpenDNS
        "64.6.64.6", "64.6.65.6",  # Verisign
        "4.2.2.1", "4.2.2.2",  # Level 3
        "2001:4860:4860::8888", "2001:4860:4860::8844",
        "2606:4700:4700::1111", "2606:4700:4700::1001",
        "2620:fe::fe", "2620:fe::9",
    )
)
# Dummies every tutorial uses; they name nobody.
EXAMPLE_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("1.2.3.4", "4.3.2.1", "5.6.7.8", "2001:db8::1"))
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def is_personal_ip(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, cidr: bool = False) -> bool:
    """An address that identifies someone's machine (what we scrub). `cidr`: it is written as a
    network (`173.245.48.0/20`): a public range names its owner as well as one host does."""
    if not addr.is_global or addr.is_multicast or addr in PUBLIC_RESOLVERS or addr in EXAMPLE_ADDRESSES:
        return False
    if addr.version == 4 and any(addr in n for n in _SPECIAL_V4):
        return False
    if addr.version == 4 and addr.packed[3] == 0 and not cidr:
        return False  # a network (`52.95.0.0`), or a version (`19.9.0.0`), never one host
    if addr.version == 6 and addr.sixtofour is not None:
        return is_personal_ip(addr.sixtofour)  # 6to4 wraps an IPv4 address: judge that one
    # Outside 2000::/3 nothing is allocated; `x[1::2]` parses as the address 1::2.
    return addr.version == 4 or addr in _GLOBAL_UNICAST_V6


def _bounded(text: str, s: int, e: int, inside: str) -> bool:
    """The match is not part of a longer token (`v1.2.3.4`, `1.2.3.4.5`, `x2001:db8::`)."""
    if s and (text[s - 1].isalnum() or text[s - 1] in inside or text[s - 1] == "_"):
        return False
    if e < len(text) and (text[e].isalnum() or text[e] == "_" or (text[e] in inside and e + 1 < len(text) and text[e + 1].isalnum())):
        return False
    return True


def find_ips(text: str, view: bytes | None = None) -> Iterator[tuple[int, int]]:
    """`view`: text.encode("ascii", "replace"), when the caller has it already."""
    view = view if view is not None else text.encode("ascii", "replace")
    for m in _IPV4_VIEW.finditer(view.translate(_DIGIT_VIEW)):
        s, e = m.span()
        if not _bounded(text, s, e, "."):
            continue
        try:
            addr = ipaddress.IPv4Address(text[s:e])  # rejects octets > 255 and leading zeros
        except ValueError:
            continue
        # A network in CIDR form (`set_real_ip_from 173.245.48.0/20;`, `allow 52.95.0.0/16`): its
        # host bits are zero (`linux 2.6.8.1/9` is a version and a file, not a network).
        cm = _CIDR_SUFFIX.match(text, e)
        cidr = cm is not None and int(addr) & ((1 << (32 - int(cm.group(1)))) - 1) == 0
        # Four one-digit numbers (`7.4.3.3`, `3.2.0.1`) are a version far more often than a host.
        if is_personal_ip(addr, cidr) and (cidr or not all(len(p) == 1 for p in text[s:e].split("."))):
            line_start = text.rfind("\n", 0, s) + 1
            if not (
                _VERSION_CONTEXT.search(text, max(line_start, s - 80), s)
                or _DATE_AFTER.match(text, e, e + 40)
                or (_HEADING_BEFORE.match(text, line_start, s) and _HEADING_AFTER.match(text, e))
                or _SOFTWARE_KEY.search(text, max(line_start, s - 24), s)
                or (_SOFTWARE_BEFORE.search(text, max(line_start, s - 12), s) and not text.startswith(" port ", e))
                or text.startswith(_X500_ARC, s)
                or text.startswith(_OID_ARCS, s)
                or _NOT_HOST_AFTER.match(text, e)
                or (s >= 2 and text[s - 1] == "-" and text[s - 2].isalnum())  # `#h-17.13.4.1`, a section anchor
                or text.startswith("_`", s - 2)  # reST: ``.. _`3.3.2.11`: http://...#Section``
                # a Kubernetes env entry: `- name: APP_VERSION` then `value: "2.14.0.1"`
                or (_ENV_VALUE_BEFORE.match(text, line_start, s) and _VERSION_CONTEXT.search(text, max(0, line_start - 80), line_start))
                or (_NUMBER_BEFORE.search(text, max(line_start, s - 16), s) and _NUMBER_AFTER.match(text, e))
                or (any(h in text[max(line_start, s - 80):s] for h in _OID_HINTS)
                    and _OID_CONTEXT.search(text, max(line_start, s - 80), s))
            ):
                yield s, e
    done = 0
    for hit in _TWO_COLONS.finditer(view):
        for s in (hit.start() - 4, hit.start() + 1):  # the first group before or after the colon
            m = _IPV6.match(view, s) if s >= done else None
            if not m or not _bounded(text, s, m.end(), ":."):
                continue
            try:
                addr = ipaddress.IPv6Address(text[s:m.end()])
            except ValueError:
                continue
            done = m.end()
            if is_personal_ip(addr):
                yield s, m.end()
