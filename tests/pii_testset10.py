"""Blind labelled test set #10 for the PII/secret scrubber: files as they look in a crawl of
permissively licensed GitHub repositories.

Each document imitates one file drawn at random from such a crawl, roughly in proportion to how
common its language or file type is (lots of Python, JavaScript/TypeScript, Java, C/C++, Go, C#,
PHP, Ruby, shell, YAML/JSON, Markdown; some Kotlin, Swift, Rust, Scala, SQL, Dockerfiles,
Terraform, notebooks), keeping only files that hold at least one secret or realistic hard
negative.  Mostly ordinary code in which one or two credentials were hard-coded for convenience:
tutorial apps, student projects, hobby bots, scrapers, IoT sketches, CI configs, test fixtures,
docker-compose files, committed ``.env`` files, README setup sections, example configs, Q&A-style
snippets and commented-out lines.  A handful of documents hold hard negatives only.

Planted secrets are written ``⟦kind|value⟧`` in the templates and stripped by ``_parse``; every
secret value (and most negatives) is drawn from a ``random.Random`` seeded from ``seed`` and the
document's name, so the set is deterministic for a seed and every seed gives different values.

Labelling policy
----------------
email
    Real mailboxes (subdomains, any real TLD, IDN, +tags, service-account addresses).
    Not: decorators/annotations (``@Override``), ``pkg@1.2.3``, ``image@sha256:...``,
    ``icon@2x.png``, SQL ``'user'@'host'``, ``ssh user@host``. No reserved example domains used.
ip_address
    Public IPv4/IPv6 host addresses; the span is the address only (no port, no ``/len``,
    no brackets). Not: private, loopback, link-local, unspecified, CGNAT, multicast,
    broadcast/netmasks, documentation ranges, the well-known public DNS resolvers, version
    strings, OIDs, ``IPAddress(192, 168, 1, 2)`` style tuples.
key
    Provider tokens and API keys, private key blocks (span from ``-----BEGIN`` to the last dash
    of the END line), JWTs, high-entropy values under secret-like names, Slack webhook paths.
    A provider-shaped token in a password slot is a ``key``.
    Not: hashes next to sha/md5/digest/checksum/integrity/commit, UUIDs, placeholders,
    template/env references, public keys and certificates, AWS ``...EXAMPLE`` keys, key
    identifiers (KMS ARNs), public-by-design ids (Stripe publishable keys, reCAPTCHA site keys,
    OAuth client ids, a Sentry DSN's public key).
password
    Literal passwords in assignments, kwargs, dict/map literals, config files, connection
    strings, CLI invocations, URLs (span = the password part only, as written, percent-encoded
    where it is), test fixtures; a password escaped inside a string literal is spanned as
    written (with its backslashes). A random string a person would not type but that sits in a
    password slot and has no provider shape is still a ``password``. Not: reads (env, getpass,
    input, ``read -s``), None/empty, template refs, hashes (bcrypt/argon2/pbkdf2), masked
    ``****``, UI labels/translations, identifiers like ``reset_password_url``.
Left out entirely (neither planted nor used as negatives): Twilio account SIDs (AC...), GCP
``private_key_id`` values, dictionary-word passwords (``password``, ``admin``, ``changeme``),
old-style Sentry DSNs with a secret part.

Additionally: a span covers exactly the value (not the quotes, not ``user:``, not the port); for
``Authorization: Basic <base64>`` the base64 is a ``key``; a Slack webhook is spanned from the
``T...`` team id to the end of its path.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import string
import uuid
from collections import Counter
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1010

# ------------------------------------------------------------------------------ primitives

_LOW = string.ascii_lowercase
_UP = string.ascii_uppercase
_DIG = string.digits
_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"
_HEXD = "0123456789abcdef"


def _rs(r: random.Random, n: int, alpha: str = _ALNUM) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def _hex(r: random.Random, n: int) -> str:
    return _rs(r, n, _HEXD)


def _bytes(r: random.Random, n: int) -> bytes:
    return bytes(r.getrandbits(8) for _ in range(n))


def _b64(r: random.Random, n: int) -> str:
    return base64.b64encode(_bytes(r, n)).decode()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E741 - short on purpose, used in templates
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


_SLOT = re.compile(r"⟪(\w+)⟫")


def _fill(tpl: str, **kw: object) -> str:
    used: set[str] = set()

    def sub(m: re.Match) -> str:
        used.add(m.group(1))
        return str(kw[m.group(1)])

    out = _SLOT.sub(sub, tpl)
    unused = set(kw) - used
    assert not unused, f"unused template values: {sorted(unused)}"
    return out


# ------------------------------------------------------------------------------ people & places

_FIRST = ["maria", "juan", "lucas", "sofia", "ahmed", "yuki", "olga", "pierre", "liam", "chen",
          "priya", "mateo", "fatima", "noah", "elena", "ivan", "aisha", "kenji", "lena", "omar",
          "hannah", "diego", "sara", "tomasz", "anika", "rafael", "mei", "jonas", "nadia", "felix",
          "arjun", "beatriz", "dmitri", "ingrid", "kwame", "lucia", "marek", "nour", "oscar",
          "paula", "ravi", "siobhan", "thiago", "ulla", "vikram", "wen", "yara", "zoltan"]
_LAST = ["garcia", "smith", "nguyen", "kowalski", "mueller", "rossi", "tanaka", "silva", "ivanova",
         "okafor", "patel", "dubois", "jensen", "novak", "haddad", "lindqvist", "moreau", "schmidt",
         "fernandes", "kim", "oconnor", "popescu", "yilmaz", "andersen", "bianchi", "castillo",
         "dimitrov", "eriksson", "fischer", "gomez", "horvath", "ito", "kaur", "larsen", "mendes"]
_ORGWORDS = ["bright", "nord", "pixel", "cloud", "river", "quantum", "atlas", "blue", "green",
             "iron", "lumen", "vertex", "orbit", "cedar", "falcon", "harbor", "summit", "nimbus",
             "polar", "copper", "delta", "ember", "granite", "maple", "nova", "onyx", "prairie",
             "sierra", "tidal", "zenith", "kite", "beacon", "lotus", "meridian", "cobalt"]
_ORGSUFFIX = ["labs", "soft", "works", "tech", "systems", "data", "hq", "studio", "digital",
              "apps", "dev", "group", "io", "net", "cloud", "logistics", "health", "media"]
_TLDS = ["com", "com", "com", "io", "dev", "co", "co.uk", "de", "fr", "nl", "pl", "com.br", "in",
         "ca", "com.au", "se", "ch", "es", "it", "app", "tech", "ai", "org", "net", "cz", "fi",
         "jp", "co.za", "ie", "pt"]
_MAILHOSTS = ["gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "yahoo.com",
              "yahoo.co.in", "proton.me", "protonmail.com", "icloud.com", "gmx.de", "web.de",
              "mail.ru", "qq.com", "163.com", "naver.com", "yandex.ru", "zoho.com", "fastmail.com",
              "live.com", "orange.fr", "libero.it", "seznam.cz", "wp.pl"]
_IDN = ["müller-technik.de", "bäckerei-schön.de", "café-lumière.fr", "żółw-studio.pl",
        "ñandú-software.es", "göteborg-data.se", "københavn-it.dk", "straße-und-bau.at"]
_UNI = ["cs.uni-bonn.de", "student.tudelft.nl", "ug.edu.gh", "alumnos.upm.es", "mit.edu",
        "uw.edu", "ed.ac.uk", "students.iitm.ac.in", "usp.br", "u.nus.edu", "stud.ntnu.no",
        "mail.utoronto.ca", "campus.tu-berlin.de", "etu.unistra.fr"]


def _person(r: random.Random) -> tuple[str, str]:
    return r.choice(_FIRST), r.choice(_LAST)


def _domain(r: random.Random) -> str:
    w = r.choice(_ORGWORDS)
    style = r.randrange(4)
    if style == 0:
        base = w + r.choice(_ORGSUFFIX)
    elif style == 1:
        base = f"{w}-{r.choice(_ORGSUFFIX)}"
    elif style == 2:
        base = w + r.choice(_ORGWORDS)
    else:
        base = r.choice(_LAST) + r.choice(["-consulting", "-law", "", "-bau", "-ventures"])
    return f"{base}.{r.choice(_TLDS)}"


def _local(r: random.Random, first: str | None = None, last: str | None = None) -> str:
    f, l_ = (first, last) if first else _person(r)
    return r.choice([
        f"{f}.{l_}", f"{f}{l_}", f"{f[0]}{l_}", f"{f}_{l_}", f"{f}{r.randint(1, 99)}",
        f"{f}.{l_}{r.randint(70, 99)}", f"{l_}.{f}", f"{f}", f"{f[0]}.{l_}",
    ])


def _email(r: random.Random, kind: str | None = None) -> str:
    kind = kind or r.choice(["corp", "corp", "free", "free", "free", "uni", "role", "tag"])
    if kind == "corp":
        return f"{_local(r)}@{_domain(r)}"
    if kind == "free":
        return f"{_local(r)}{r.choice(['', '', str(r.randint(1, 9999))])}@{r.choice(_MAILHOSTS)}"
    if kind == "uni":
        return f"{_local(r)}@{r.choice(_UNI)}"
    if kind == "role":
        role = r.choice(["noreply", "no-reply", "support", "alerts", "info", "contact", "ops",
                         "billing", "devops", "security", "hello", "admin-team", "notifications"])
        sub = r.choice(["", "", "mail.", "notify.", "ops.", "eu."])
        return f"{role}@{sub}{_domain(r)}"
    if kind == "tag":
        return f"{_local(r)}+{r.choice(['github', 'dev', 'test', 'alerts', 'spam', 'aws', 'ci'])}@gmail.com"
    if kind == "idn":
        return f"{_local(r)}@{r.choice(_IDN)}"
    if kind == "gsa":
        proj = f"{r.choice(_ORGWORDS)}-{r.choice(['prod', 'dev', 'staging', 'app'])}-{r.randint(100000, 999999)}"
        sa = r.choice(["ci-deployer", "firebase-adminsdk-" + _rs(r, 5, _LOW + _DIG), "terraform",
                       "bq-reader", "cloud-run-invoker", "github-actions"])
        return f"{sa}@{proj}.iam.gserviceaccount.com"
    raise ValueError(kind)


_PUB_FIRST = [23, 31, 34, 35, 37, 41, 45, 46, 49, 51, 52, 54, 62, 64, 66, 68, 74, 78, 80, 81, 82,
              84, 85, 87, 88, 89, 91, 93, 94, 95, 103, 104, 107, 109, 116, 128, 130, 134, 137,
              138, 139, 141, 142, 143, 144, 146, 147, 151, 154, 157, 159, 161, 162, 164, 165,
              167, 170, 173, 176, 178, 180, 185, 188, 190, 193, 194, 195, 199, 204, 206, 207,
              209, 212, 213, 216, 217]
_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220", "94.140.14.14", "94.140.15.15",
              "185.228.168.9", "185.228.169.9", "76.76.19.19", "64.6.64.6", "64.6.65.6",
              "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
              "2606:4700:4700::1001", "2620:fe::fe"}
_DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24",
                                                  "203.0.113.0/24", "2001:db8::/32")]


def _public(a: str) -> bool:
    ip = ipaddress.ip_address(a)
    return (ip.is_global and not ip.is_multicast and a not in _RESOLVERS
            and not any(ip in n for n in _DOC_NETS))


def _ip4(r: random.Random) -> str:
    while True:
        a = f"{r.choice(_PUB_FIRST)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if _public(a):
            return a


_V6_PREFIX = ["2a01:4f8", "2a03:b0c0", "2600:1f18", "2604:a880", "2a02:c207", "2001:41d0",
              "2406:da18", "2a05:d014", "2a00:1450", "2600:3c03", "2a0a:4cc0", "2001:bc8"]


def _ip6(r: random.Random) -> str:
    while True:
        pre = r.choice(_V6_PREFIX)
        style = r.randrange(3)
        if style == 0:
            a = f"{pre}:{r.randint(1, 0xfff):x}:{r.randint(1, 0xffff):x}::{r.randint(1, 0xffff):x}"
        elif style == 1:
            a = f"{pre}:{r.randint(0, 0xff):x}::{r.randint(1, 0xffff):x}:{r.randint(1, 0xffff):x}"
        else:
            a = pre + "".join(f":{r.randint(0, 0xffff):x}" for _ in range(6))
        if _public(a):
            return str(ipaddress.ip_address(a)) if style == 2 else a


def _priv4(r: random.Random) -> str:
    return r.choice([
        f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
        f"192.168.{r.choice([0, 1, 1, 2, 10, 100, 178])}.{r.randint(2, 254)}",
    ])


def _docip(r: random.Random) -> str:
    return f"{r.choice(['192.0.2', '198.51.100', '203.0.113'])}.{r.randint(1, 254)}"


def _cgnat(r: random.Random) -> str:
    return f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def _resolver(r: random.Random) -> str:
    return r.choice(["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222"])


# ------------------------------------------------------------------------------ passwords

_WORDS = ["falcon", "sunset", "marigold", "cobalt", "nimbus", "quartz", "saturn", "walnut",
          "harbor", "violet", "panther", "juniper", "cactus", "orchid", "glacier", "tundra",
          "mercury", "phoenix", "rocket", "mango", "papaya", "blizzard", "thunder", "maverick",
          "zeppelin", "avalanche", "kiwi", "pistachio", "lobster", "sparrow", "bluebird",
          "coyote", "hazelnut", "cinnamon", "lantern", "meadow", "pebble", "ember", "summit",
          "canyon", "barista", "biscuit", "noodle", "pumpkin", "waffle", "ninja", "pirate",
          "galaxy", "nebula", "comet", "odyssey", "fortress", "jaguar", "koala", "lynx",
          "octopus", "raven", "tornado", "volcano", "espresso", "gecko", "hamster", "mochi",
          "tiramisu", "bonsai", "chipotle", "flamingo", "nutella", "oreo", "snoopy", "totoro"]
_SYMS = "!@#$%&*?_.-"


def _leet(w: str) -> str:
    return w.translate(str.maketrans({"a": "@", "o": "0", "e": "3", "i": "1", "s": "$"}))


def _pw(r: random.Random, style: str | None = None, syms: str = _SYMS) -> str:
    """A literal password as a developer would type it; ``syms`` limits the punctuation used."""
    style = style or r.choice(["cap_num_sym", "cap_num_sym", "two_words", "leet", "name_year",
                               "random", "random", "alnum", "passphrase", "keyboard", "word_num",
                               "short"])
    w = r.choice(_WORDS)
    s = r.choice(syms) if syms else ""
    if style == "cap_num_sym":
        return f"{w.capitalize()}{r.randint(1, 2025)}{s}"
    if style == "two_words":
        return f"{w.capitalize()}{s}{r.choice(_WORDS).capitalize()}{r.randint(1, 99)}"
    if style == "leet":
        lw = _leet(w) if syms and "$" in syms and "@" in syms else w.replace("o", "0").replace("e", "3")
        return f"{lw.capitalize()}{r.randint(10, 999)}{s}"
    if style == "name_year":
        n = r.choice(_FIRST)
        return r.choice([f"{n}{r.randint(1970, 2012)}", f"{n.capitalize()}_{r.randint(1970, 2012)}",
                         f"{n.capitalize()}{r.randint(1, 31):02d}{r.randint(1, 12):02d}"])
    if style == "random":
        return _rs(r, r.randint(10, 20), _ALNUM + (syms or ""))
    if style == "alnum":
        return _rs(r, r.randint(12, 24), _ALNUM)
    if style == "passphrase":
        sep = r.choice([c for c in "-_." if c in (syms or "-_.")] or ["-"]) if syms else ""
        return sep.join(r.sample(_WORDS, 3)) + sep + str(r.randint(1, 99))
    if style == "keyboard":
        return r.choice(["qwerty", "Qwerty", "1q2w3e4r", "qazwsx", "Zxcvbn", "asdfgh"]) + \
            str(r.randint(1, 9999)) + s
    if style == "word_num":
        return f"{w}{r.choice(['123', '2023', '2024', '01', '007', '99', '1234', '321'])}"
    if style == "short":
        return _rs(r, r.randint(6, 8), _ALNUM + (syms or ""))
    if style == "app":  # Gmail-style app password
        g = [_rs(r, 4, _LOW) for _ in range(4)]
        return " ".join(g) if r.random() < 0.5 else "".join(g)
    raise ValueError(style)


def _pw_safe(r: random.Random, style: str | None = None) -> str:
    """Punctuation that survives unquoted in shell, URLs, YAML, ini and XML."""
    return _pw(r, style, syms="_.-")


def _pw_url(r: random.Random) -> tuple[str, str]:
    """(raw, as written in a URL) - reserved characters percent-encoded."""
    raw = _pw(r, r.choice(["cap_num_sym", "two_words", "random", "leet"]), syms="@#!$%&*?")
    return raw, quote(raw, safe="!$&'()*+,;=-._~")


# ------------------------------------------------------------------------------ keys & tokens

def k_aws_id(r):
    while True:
        v = r.choice(["AKIA", "AKIA", "AKIA", "ASIA"]) + _rs(r, 16, _UP + "234567")
        if not v.endswith("EXAMPLE"):
            return v


def k_aws_secret(r):
    return _rs(r, 40, _ALNUM + "+/")


def k_ghp(r):
    return r.choice(["ghp_", "ghp_", "gho_", "ghs_"]) + _rs(r, 36)


def k_gh_fine(r):
    return "github_pat_11" + _rs(r, 20, _UP + _DIG) + "_" + _rs(r, 59)


def k_glpat(r):
    return "glpat-" + _rs(r, 20, _URLSAFE)


def k_slack_bot(r):
    return f"xoxb-{_rs(r, 12, _DIG)}-{_rs(r, 13, _DIG)}-{_rs(r, 24)}"


def k_slack_user(r):
    return f"xoxp-{_rs(r, 11, _DIG)}-{_rs(r, 12, _DIG)}-{_rs(r, 13, _DIG)}-{_hex(r, 32)}"


def k_slack_hook(r):
    return f"T{_rs(r, 8, _UP + _DIG)}/B{_rs(r, 10, _UP + _DIG)}/{_rs(r, 24)}"


def k_stripe(r, live=None):
    live = r.random() < 0.4 if live is None else live
    return ("sk_live_" if live else "sk_test_") + r.choice([_rs(r, 24), "51" + _rs(r, 97)])


def k_whsec(r):
    return "whsec_" + _rs(r, 32)


def k_google(r):
    return "AIza" + r.choice(["Sy", "Sy", "Sz", "Sx"]) + _rs(r, 33, _URLSAFE)


def k_openai(r):
    if r.random() < 0.5:
        return "sk-" + _rs(r, 20) + "T3BlbkFJ" + _rs(r, 20)
    return "sk-proj-" + _rs(r, 74, _URLSAFE) + "T3BlbkFJ" + _rs(r, 74, _URLSAFE)


def k_anthropic(r):
    return "sk-ant-api03-" + _rs(r, 93, _URLSAFE) + "AA"


def k_sendgrid(r):
    return "SG." + _rs(r, 22, _URLSAFE) + "." + _rs(r, 43, _URLSAFE)


def k_discord(r):
    uid = str(r.randint(10 ** 17, 10 ** 18 * 2))
    return _b64url(uid.encode()) + "." + _rs(r, 6, _URLSAFE) + "." + _rs(r, 38, _URLSAFE)


def k_telegram(r):
    return f"{r.randint(10 ** 8, 8 * 10 ** 9)}:AA{_rs(r, 33, _URLSAFE)}"


def k_npm(r):
    return "npm_" + _rs(r, 36)


def k_pypi(r):
    return "pypi-AgEIcHlwaS5vcmc" + _rs(r, r.randint(140, 170), _URLSAFE)


def k_hf(r):
    return "hf_" + _rs(r, 34, string.ascii_letters)


def k_do(r):
    return "dop_v1_" + _hex(r, 64)


def k_mailgun(r):
    return "key-" + _hex(r, 32)


def k_azure_storage(r):
    return _b64(r, 64)


def k_django(r):
    return "django-insecure-" + _rs(r, 50, _LOW + _DIG + "!@#$%^&*(-_=+)")


def k_laravel(r):
    return "base64:" + _b64(r, 32)


def k_wp_salt(r):
    edge = _ALNUM + "!#$%&()*+,-./:;<=>?@[]^_`{|}~"
    return r.choice(edge) + _rs(r, 62, edge + " ") + r.choice(edge)


def k_wg(r):
    return _b64(r, 32)


def k_fcm(r):
    return "AAAA" + _rs(r, 7, _URLSAFE) + ":APA91b" + _rs(r, 134, _URLSAFE)


def k_jwt(r, claims: dict | None = None, alg: str = "HS256") -> str:
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    claims = claims or {"sub": str(r.randint(1000, 99999)), "name": " ".join(_person(r)).title(),
                        "iat": r.randint(1_600_000_000, 1_720_000_000)}
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{_b64url(_bytes(r, 256 if alg.startswith('RS') else 32))}"


def k_basic(user: str, pw: str) -> str:
    return base64.b64encode(f"{user}:{pw}".encode()).decode()


_PK_PREFIX = {
    "RSA PRIVATE KEY": ("MIIEpAIBAAKCAQEA", 1190),
    "PRIVATE KEY": ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 1210),
    "EC PRIVATE KEY": ("MHcCAQEEI", 118),
    "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
                            "QyNTUxOQAAACA", 300),
}


def k_privkey(r, label: str = "RSA PRIVATE KEY", nl: str = "\n") -> str:
    prefix, n = _PK_PREFIX[label]
    body = prefix + _b64(r, n)[len(prefix):]
    body = body.rstrip("=") + ("==" if label == "EC PRIVATE KEY" else "")
    lines = [body[i:i + 64] if label != "OPENSSH PRIVATE KEY" else body[i:i + 70]
             for i in range(0, len(body), 64 if label != "OPENSSH PRIVATE KEY" else 70)]
    return f"-----BEGIN {label}-----{nl}" + nl.join(lines) + f"{nl}-----END {label}-----"


# ------------------------------------------------------------------------------ hard negatives

def n_uuid(r):
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def n_bcrypt(r):
    return "$2" + r.choice("aby") + "$" + r.choice(["10", "12"]) + "$" + _rs(r, 53, "./" + _ALNUM)


def n_argon2(r):
    return (f"$argon2id$v=19$m=65536,t=3,p=4${_b64(r, 16).rstrip('=')}"
            f"${_b64(r, 32).rstrip('=')}")


def n_pbkdf2(r):
    return f"pbkdf2_sha256$600000${_rs(r, 22)}${_b64(r, 32)}"


def n_integrity(r):
    return "sha512-" + _b64(r, 64)


def n_pk_stripe(r):
    return r.choice(["pk_live_", "pk_test_"]) + "51" + _rs(r, 97)


def n_recaptcha_site(r):
    return "6L" + r.choice("cdef") + _rs(r, 37, _URLSAFE)


def n_oauth_client(r):
    return f"{r.randint(10 ** 11, 10 ** 12 - 1)}-{_rs(r, 32, _LOW + _DIG)}.apps.googleusercontent.com"


def n_sentry_dsn(r):
    return (f"https://{_hex(r, 32)}@o{r.randint(100000, 999999)}.ingest.sentry.io/"
            f"{r.randint(1000000, 9999999)}")


def n_kms_arn(r):
    return f"arn:aws:kms:{r.choice(['us-east-1', 'eu-west-1', 'ap-south-1'])}:{_rs(r, 12, _DIG)}:key/{n_uuid(r)}"


def n_cert(r, label: str = "CERTIFICATE") -> str:
    body = ("MIIDdzCCAl+gAwIBAgIE" if label == "CERTIFICATE" else "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    body = body + _b64(r, 700 if label == "CERTIFICATE" else 270)[len(body):]
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def n_ssh_pub(r, comment: str) -> str:
    if r.random() < 0.5:
        return f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{_b64(r, 32).rstrip('=')} {comment}"
    return f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{_b64(r, 270).rstrip('=')} {comment}"


def n_ver4(r):
    return f"{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 9999)}"


# ------------------------------------------------------------------------------ documents

_DOCS: list = []


def _doc(fn):
    _DOCS.append(fn)
    return fn


# ---- Python -------------------------------------------------------------------------------

@_doc
def d_discord_config(r):
    return "discord-music-bot/config.py", _fill(r'''# config.py -- settings for the bot
# DO NOT SHARE THIS FILE (lol)
import os

TOKEN = "⟪tok⟫"
# old token, regenerated after it leaked in #general
# TOKEN = "⟪old⟫"

PREFIX = "!"
OWNER_ID = ⟪owner⟫
GUILD_IDS = [⟪g1⟫, ⟪g2⟫]
EMBED_COLOR = 0x5865F2

YOUTUBE_API_KEY = "⟪yt⟫"

# lavalink node (running on my vps)
LAVALINK_NODES = [
    {"host": "⟪host⟫", "port": 2333, "password": "⟪llpw⟫", "region": "eu", "identifier": "MAIN"},
    {"host": "127.0.0.1", "port": 2333, "password": os.getenv("LAVALINK_PASSWORD"), "identifier": "LOCAL"},
]

MAX_QUEUE = 200
''', tok=K(k_discord(r)), old=K(k_discord(r)), owner=r.randint(10 ** 17, 10 ** 18),
        g1=r.randint(10 ** 17, 10 ** 18), g2=r.randint(10 ** 17, 10 ** 18), yt=K(k_google(r)),
        host=I(_ip4(r)), llpw=P(_pw(r, syms="_-.!")))


@_doc
def d_scraper(r):
    dom = _domain(r)
    user = r.choice(_FIRST) + r.choice(["_scrape", "bot", "01", ""])
    ppw = _pw_safe(r)
    pip = _ip4(r)
    return "scrapers/portal_scraper.py", _fill(r'''import csv
import random
import time

import requests
from bs4 import BeautifulSoup

BASE = "https://portal.⟪dom⟫"
LOGIN_URL = BASE + "/account/login"

HEADERS = {
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/⟪chrome⟫ Safari/537.36",
    "Accept-Language": "en-US,en;q=0.9",
}

payload = {
    "username": "⟪email⟫",
    "password": "⟪pw⟫",
    "remember_me": "on",
}

CAPTCHA_API_KEY = "⟪cap⟫"  # 2captcha

# rotating residential proxy (paid until march)
PROXIES = {
    "http": "http://⟪user⟫:⟪ppw1⟫@⟪pip1⟫:3128",
    "https": "http://⟪user⟫:⟪ppw2⟫@⟪pip2⟫:3128",
}


def login(session):
    r = session.get(LOGIN_URL, headers=HEADERS, proxies=PROXIES, timeout=20)
    soup = BeautifulSoup(r.text, "html.parser")
    payload["csrfmiddlewaretoken"] = soup.find("input", {"name": "csrfmiddlewaretoken"})["value"]
    resp = session.post(LOGIN_URL, data=payload, headers={**HEADERS, "Referer": LOGIN_URL},
                        proxies=PROXIES)
    resp.raise_for_status()
    return "Logout" in resp.text


def scrape_orders(session, pages=5):
    rows = []
    for page in range(1, pages + 1):
        html = session.get(f"{BASE}/orders?page={page}", headers=HEADERS, proxies=PROXIES).text
        for tr in BeautifulSoup(html, "html.parser").select("table.orders tr")[1:]:
            rows.append([td.get_text(strip=True) for td in tr.find_all("td")])
        time.sleep(random.uniform(1.5, 4.0))
    return rows


if __name__ == "__main__":
    with requests.Session() as s:
        if not login(s):
            raise SystemExit("login failed")
        with open("orders.csv", "w", newline="") as f:
            csv.writer(f).writerows(scrape_orders(s))
''', dom=dom, chrome=f"{r.randint(110, 126)}.0.0.0", email=E(_email(r)), pw=P(_pw(r)),
        user=user, ppw1=P(ppw), ppw2=P(ppw), pip1=I(pip), pip2=I(pip), cap=K(_hex(r, 32)))


@_doc
def d_django_settings(r):
    return "mysite/mysite/settings.py", _fill(r'''"""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '⟪sk⟫'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = ['127.0.0.1', 'localhost', '⟪ip⟫', '.⟪dom⟫']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'blog',
    'crispy_forms',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'mysite',
        'USER': 'mysite_user',
        'PASSWORD': '⟪dbpw⟫',
        'HOST': '⟪dbhost⟫',
        'PORT': '5432',
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
    {'NAME': 'django.contrib.auth.password_validation.NumericPasswordValidator'},
]

PASSWORD_RESET_TIMEOUT = 259200
LOGIN_REDIRECT_URL = 'blog-home'
LOGIN_URL = 'login'

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.gmail.com'
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = '⟪mail⟫'
EMAIL_HOST_PASSWORD = '⟪app⟫'

# python-social-auth
SOCIAL_AUTH_GITHUB_KEY = 'Iv1.⟪ghid⟫'
SOCIAL_AUTH_GITHUB_SECRET = '⟪ghsec⟫'

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
STATIC_URL = 'static/'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
''', sk=K(k_django(r)), ip=I(_ip4(r)), dom=_domain(r), dbpw=P(_pw(r, syms="!@#$%&*_-")),
        dbhost=_priv4(r), mail=E(_email(r, "free")), app=P(_pw(r, "app")), ghid=_hex(r, 16),
        ghsec=K(_hex(r, 40)))


@_doc
def d_pytest_auth(r):
    u1, u2, u3 = _email(r), _email(r), _email(r)
    p1, p2, p3 = _pw(r, syms="!@#$%&*_-"), _pw(r, syms="!@#$%&*_-"), _pw(r, "short", syms="!#")
    return "tests/test_auth.py", _fill(r'''import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from app import create_app, db
from app.models import User

HASH_FROM_PROD_DUMP = "⟪bc⟫"


@pytest.fixture
def client():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        u = User(email="⟪u1a⟫", name="Test User")
        u.set_password("⟪p1a⟫")
        db.session.add(u)
        db.session.commit()
        yield app.test_client()
        db.drop_all()


def test_password_is_hashed():
    u = User(email="⟪u2⟫")
    u.set_password("⟪p2⟫")
    assert u.password_hash != "⟪p2b⟫"
    assert check_password_hash(u.password_hash, "⟪p2c⟫")


def test_login_ok(client):
    rv = client.post("/auth/login", data={"email": "⟪u1b⟫", "password": "⟪p1b⟫"},
                     follow_redirects=True)
    assert b"Welcome back" in rv.data


def test_login_wrong_password(client):
    rv = client.post("/auth/login", data={"email": "⟪u1c⟫", "password": "⟪p3⟫"})
    assert b"Invalid email or password" in rv.data


def test_reset_password_url(client):
    rv = client.post("/auth/reset_password_request", data={"email": "⟪u3⟫"})
    assert rv.status_code == 302
    assert "reset_password" in rv.headers["Location"]


def test_empty_password_rejected(client):
    rv = client.post("/auth/register", data={"email": "⟪u3b⟫", "password": ""})
    assert b"This field is required" in rv.data
''', bc=n_bcrypt(r), u1a=E(u1), u1b=E(u1), u1c=E(u1), p1a=P(p1), p1b=P(p1), u2=E(u2), p2=P(p2),
        p2b=P(p2), p2c=P(p2), p3=P(p3), u3=E(u3), u3b=E(u3))


@_doc
def d_notebook_openai(r):
    key = k_openai(r)
    return "notebooks/summarize_reviews.ipynb", _fill(r'''{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Summarising product reviews with GPT\n",
    "Quick experiment for the class project. Data: `reviews_sample.csv` (2k rows)."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\n",
    "import pandas as pd\n",
    "from openai import OpenAI\n",
    "\n",
    "client = OpenAI(api_key=\"⟪key⟫\")\n",
    "os.environ[\"ANTHROPIC_API_KEY\"] = \"⟪ant⟫\"  # for the comparison below\n",
    "# client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "data": {
      "text/plain": [
       "(2000, 4)"
      ]
     },
     "execution_count": 2,
     "metadata": {},
     "output_type": "execute_result"
    }
   ],
   "source": [
    "df = pd.read_csv(\"reviews_sample.csv\")\n",
    "df.shape"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [],
   "source": [
    "def summarize(text):\n",
    "    resp = client.chat.completions.create(\n",
    "        model=\"gpt-4o-mini\",\n",
    "        messages=[{\"role\": \"user\", \"content\": f\"Summarize: {text}\"}],\n",
    "    )\n",
    "    return resp.choices[0].message.content"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.10.12"},
  "widgets": {"state": {}, "version_major": 2, "version_minor": 0},
  "colab": {"provenance": [], "gpuType": "T4", "id": "⟪colab⟫"}
 },
 "nbformat": 4,
 "nbformat_minor": 0
}
''', key=K(key), colab=_rs(r, 33, _URLSAFE), ant=K(k_anthropic(r)))


@_doc
def d_boto3(r):
    return "utils/s3_upload.py", _fill(r'''import logging
import os
import sys

import boto3
from botocore.exceptions import ClientError

# TODO move to env vars before pushing!!
ACCESS_KEY = '⟪akid⟫'
SECRET_KEY = '⟪secret⟫'
REGION = 'eu-central-1'
BUCKET = 'my-photo-backup-⟪n⟫'

# from the AWS docs, for reference:
#   aws_access_key_id = AKIAIOSFODNN7EXAMPLE
#   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
KMS_KEY_ID = '⟪kms⟫'

s3 = boto3.client(
    's3',
    aws_access_key_id=ACCESS_KEY,
    aws_secret_access_key=SECRET_KEY,
    region_name=REGION,
)


def upload_file(file_name, object_name=None):
    if object_name is None:
        object_name = os.path.basename(file_name)
    try:
        s3.upload_file(file_name, BUCKET, object_name,
                       ExtraArgs={'ServerSideEncryption': 'aws:kms', 'SSEKMSKeyId': KMS_KEY_ID})
    except ClientError as e:
        logging.error(e)
        return False
    return True


if __name__ == '__main__':
    for path in sys.argv[1:]:
        print(path, upload_file(path))
''', akid=K(k_aws_id(r)), secret=K(k_aws_secret(r)), n=r.randint(100, 9999), kms=n_kms_arn(r))


@_doc
def d_smtplib(r):
    sender = _email(r, "free")
    to = [_email(r) for _ in range(3)]
    return "scripts/send_report.py", _fill(r'''import smtplib
import ssl
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from datetime import date

SENDER = "⟪sender⟫"
APP_PASSWORD = "⟪app⟫"  # google app password, NOT my real one
RECIPIENTS = ["⟪t0⟫", "⟪t1⟫",
              "⟪t2⟫"]


def send(report_path):
    msg = MIMEMultipart()
    msg["Subject"] = f"Weekly sales report {date.today():%Y-%m-%d}"
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    msg.attach(MIMEText("Hi all,\n\nPlease find this week's report attached.\n\nCheers", "plain"))
    with open(report_path, "rb") as f:
        part = MIMEApplication(f.read(), Name="report.xlsx")
    part["Content-Disposition"] = 'attachment; filename="report.xlsx"'
    msg.attach(part)

    ctx = ssl.create_default_context()
    with smtplib.SMTP_SSL("smtp.gmail.com", 465, context=ctx) as server:
        server.login(SENDER, APP_PASSWORD)
        server.sendmail(SENDER, RECIPIENTS, msg.as_string())


if __name__ == "__main__":
    send("out/report.xlsx")
''', sender=E(sender), app=P(_pw(r, "app")), t0=E(to[0]), t1=E(to[1]), t2=E(to[2]))


@_doc
def d_telegram(r):
    return "bot.py", _fill(r'''import logging

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)

BOT_TOKEN = "⟪tok⟫"
#BOT_TOKEN = "⟪old⟫"  # test bot
ADMIN_CHAT_ID = ⟪chat⟫
WEATHER_API = "https://api.openweathermap.org/data/2.5/weather"
OWM_KEY = "⟪owm⟫"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Hi! Send /weather <city>")


async def weather(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    city = " ".join(context.args) or "Berlin"
    async with context.application.http_session.get(
        WEATHER_API, params={"q": city, "appid": OWM_KEY, "units": "metric"}
    ) as resp:
        data = await resp.json()
    await update.message.reply_text(f"{city}: {data['main']['temp']}°C")


def main() -> None:
    app = Application.builder().token(BOT_TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("weather", weather))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
''', tok=K(k_telegram(r)), old=K(k_telegram(r)), chat=-r.randint(10 ** 12, 10 ** 13),
        owm=K(_hex(r, 32)))


@_doc
def d_flask_init(r):
    raw, enc = _pw_url(r)
    return "flaskblog/__init__.py", _fill(r'''from flask import Flask
from flask_bcrypt import Bcrypt
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config['SECRET_KEY'] = '⟪sk⟫'
app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://flaskblog:⟪dbpw⟫@⟪host⟫:5432/flaskblog'
db = SQLAlchemy(app)
bcrypt = Bcrypt(app)
login_manager = LoginManager(app)
login_manager.login_view = 'login'
login_manager.login_message_category = 'info'

app.config['MAIL_SERVER'] = 'smtp.googlemail.com'
app.config['MAIL_PORT'] = 587
app.config['MAIL_USE_TLS'] = True
app.config['MAIL_USERNAME'] = '⟪mu⟫'
app.config['MAIL_PASSWORD'] = '⟪mp⟫'
mail = Mail(app)

app.config['RECAPTCHA_PUBLIC_KEY'] = '⟪site⟫'
app.config['RECAPTCHA_PRIVATE_KEY'] = '⟪rsecret⟫'

from flaskblog import routes  # noqa: E402
''', sk=K(_hex(r, r.choice([32, 48, 64]))), dbpw=P(enc), host=I(_ip4(r)),
        mu=E(_email(r, "free")), mp=P(_pw(r, syms="!@#$%&*_-")), site=n_recaptcha_site(r),
        rsecret=K("6L" + r.choice("cdef") + _rs(r, 37, _URLSAFE)))


@_doc
def d_paramiko(r):
    ips = [_ip4(r) for _ in range(3)]
    pw = _pw(r, syms="!@#%&*_-")
    return "ops/restart_workers.py", _fill(r'''import paramiko

HOSTS = {
    "worker-1": "⟪a⟫",
    "worker-2": "⟪b⟫",
    "worker-3": "⟪c⟫",
    # "worker-4": "10.0.3.17",   # decommissioned
}
USER = "deploy"
PASSWORD = "⟪pw⟫"
# PASSWORD = getpass.getpass("sudo password: ")
CMD = "sudo systemctl restart celery-worker && systemctl is-active celery-worker"


def run(host):
    ssh = paramiko.SSHClient()
    ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    ssh.connect(host, username=USER, password=PASSWORD, timeout=10)
    stdin, stdout, stderr = ssh.exec_command(CMD, get_pty=True)
    stdin.write(PASSWORD + "\n")
    stdin.flush()
    out = stdout.read().decode().strip()
    ssh.close()
    return out


for name, ip in HOSTS.items():
    print(f"{name:10} {ip:16} {run(ip)}")
''', a=I(ips[0]), b=I(ips[1]), c=I(ips[2]), pw=P(pw))


@_doc
def d_seed_migration(r):
    emails = [_email(r) for _ in range(3)]
    return "accounts/migrations/0004_seed_staff.py", _fill(r'''# Generated by Django 4.2.3 on 2023-08-14 09:12

from django.db import migrations

STAFF = [
    ("⟪e0⟫", "Support", "⟪h0⟫"),
    ("⟪e1⟫", "Billing", "⟪h1⟫"),
    ("⟪e2⟫", "Ops", "⟪h2⟫"),
]


def seed(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for email, team, password_hash in STAFF:
        User.objects.get_or_create(email=email, defaults={"team": team, "password": password_hash,
                                                          "is_staff": True})


def unseed(apps, schema_editor):
    apps.get_model("accounts", "User").objects.filter(email__in=[s[0] for s in STAFF]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_team")]
    operations = [migrations.RunPython(seed, unseed)]
''', e0=E(emails[0]), e1=E(emails[1]), e2=E(emails[2]), h0=n_pbkdf2(r), h1=n_pbkdf2(r),
        h2=n_argon2(r))


@_doc
def d_crypto_utils_neg(r):
    return "app/core/security.py", _fill(r'''"""Hashing and token helpers. Secrets come from the environment, never from this file."""
import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta

import jwt
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")

SECRET_KEY = os.environ["JWT_SECRET_KEY"]
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
RESET_PASSWORD_TOKEN_TTL = timedelta(hours=2)

# sha256 of the empty string, used as a sentinel for "no body"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# md5 checksum of the bundled GeoLite db we ship in tests
GEOIP_FIXTURE_MD5 = "⟪md5⟫"
# known-good bcrypt hash for "correct horse battery staple" (docs example)
EXAMPLE_HASH = "⟪bc⟫"
DEFAULT_TENANT_ID = "⟪uuid⟫"


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(plain_password: str, hashed_password: str) -> bool:
    return pwd_context.verify(plain_password, hashed_password)


def create_access_token(subject: str, expires_delta: timedelta | None = None) -> str:
    expire = datetime.utcnow() + (expires_delta or timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES))
    return jwt.encode({"exp": expire, "sub": subject}, SECRET_KEY, algorithm=ALGORITHM)


def generate_password_reset_token() -> str:
    return secrets.token_urlsafe(32)


def sign_webhook(body: bytes, secret: str | None = None) -> str:
    key = (secret or os.environ["WEBHOOK_SIGNING_SECRET"]).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def file_sha1(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(65536), b""):
            h.update(chunk)
    return h.hexdigest()
''', md5=_hex(r, 32), bc=n_bcrypt(r), uuid=n_uuid(r))


@_doc
def d_conftest_docker(r):
    pg = _pw_safe(r)
    rp = _pw_safe(r, "alnum")
    return "tests/integration/conftest.py", _fill(r'''import time

import docker
import psycopg2
import pytest
import redis

PG_IMAGE = "postgres:15.4-alpine"
PG_ENV = {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "⟪pg1⟫", "POSTGRES_DB": "app_test"}
REDIS_PASSWORD = "⟪rp1⟫"


@pytest.fixture(scope="session")
def pg_container():
    client = docker.from_env()
    c = client.containers.run(PG_IMAGE, environment=PG_ENV, ports={"5432/tcp": 55432}, detach=True)
    for _ in range(30):
        try:
            psycopg2.connect(host="127.0.0.1", port=55432, user="app", password="⟪pg2⟫",
                             dbname="app_test").close()
            break
        except psycopg2.OperationalError:
            time.sleep(1)
    yield "postgresql://app:⟪pg3⟫@127.0.0.1:55432/app_test"
    c.remove(force=True)


@pytest.fixture(scope="session")
def redis_container():
    client = docker.from_env()
    c = client.containers.run("redis:7.2", command=f"redis-server --requirepass {REDIS_PASSWORD}",
                              ports={"6379/tcp": 56379}, detach=True)
    r = redis.Redis(host="localhost", port=56379, password="⟪rp2⟫")
    for _ in range(30):
        try:
            r.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.5)
    yield r
    c.remove(force=True)
''', pg1=P(pg), pg2=P(pg), pg3=P(pg), rp1=P(rp), rp2=P(rp))


@_doc
def d_stripe(r):
    return "payments/checkout.py", _fill(r'''import stripe
from fastapi import APIRouter, Header, HTTPException, Request

router = APIRouter()

stripe.api_key = "⟪sk⟫"
STRIPE_PUBLISHABLE_KEY = "⟪pk⟫"   # safe to expose, used by the frontend
endpoint_secret = '⟪wh⟫'


@router.get("/config")
def config():
    return {"publishableKey": STRIPE_PUBLISHABLE_KEY}


@router.post("/create-checkout-session")
def create_checkout_session(price_id: str):
    session = stripe.checkout.Session.create(
        mode="subscription",
        line_items=[{"price": price_id, "quantity": 1}],
        success_url="https://app.⟪dom⟫/success?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://app.⟪dom2⟫/pricing",
    )
    return {"url": session.url}


@router.post("/webhook")
async def webhook(request: Request, stripe_signature: str = Header(None)):
    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(payload, stripe_signature, endpoint_secret)
    except (ValueError, stripe.error.SignatureVerificationError):
        raise HTTPException(status_code=400)
    if event["type"] == "checkout.session.completed":
        print("paid:", event["data"]["object"]["customer_email"])
    return {"ok": True}
''', sk=K(k_stripe(r)), pk=n_pk_stripe(r), wh=K(k_whsec(r)), dom=(d := _domain(r)), dom2=d)


@_doc
def d_settings_template_neg(r):
    return "config/settings.example.py", _fill(r'''# Copy this file to settings.py and fill in your own values.
# Never commit settings.py!
import os

DEBUG = os.getenv("DEBUG", "0") == "1"
SECRET_KEY = os.getenv("SECRET_KEY", "<generate with: python -c 'import secrets; print(secrets.token_hex(32))'>")

DB_HOST = os.getenv("DB_HOST", "localhost")
DB_USER = os.getenv("DB_USER", "postgres")
DB_PASSWORD = os.getenv("DB_PASSWORD")          # required
DB_URL = f"postgresql://{DB_USER}:{DB_PASSWORD}@{DB_HOST}:5432/app"

SMTP_USER = os.getenv("SMTP_USER")      # e.g. you@yourdomain
SMTP_PASSWORD = "<your app password>"
SLACK_WEBHOOK_URL = os.environ.get("SLACK_WEBHOOK_URL", "")
OPENAI_API_KEY = "sk-..."   # put your key here
STRIPE_SECRET_KEY = "sk_test_XXXXXXXXXXXXXXXXXXXXXXXX"
API_TOKEN = "${API_TOKEN}"
ADMIN_PASSWORD = None
REDIS_PASSWORD = ""
PASSWORD_MIN_LENGTH = 12
PASSWORD_RESET_URL = "/accounts/password/reset/"
TOKEN_EXPIRY_SECONDS = 3600

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"]
INTERNAL_IPS = ["127.0.0.1", "⟪priv⟫"]
DNS_SERVERS = ["⟪res⟫", "1.1.1.1"]
TRUSTED_PROXY_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "⟪cg⟫/32"]
BUILD_ID = "⟪uuid⟫"
''', priv=_priv4(r), res=_resolver(r), cg=_cgnat(r), uuid=n_uuid(r))


# ---- JavaScript / TypeScript --------------------------------------------------------------

@_doc
def d_mongoose(r):
    raw, enc = _pw_url(r)
    cluster = f"cluster0.{_rs(r, 5, _LOW + _DIG)}"
    return "server/config/db.js", _fill(r'''const mongoose = require('mongoose');

// const MONGO_URI = process.env.MONGO_URI;
const MONGO_URI =
  'mongodb+srv://⟪user⟫:⟪pw⟫@⟪cluster⟫.mongodb.net/todo-app?retryWrites=true&w=majority';

const connectDB = async () => {
  try {
    const conn = await mongoose.connect(MONGO_URI, {
      useNewUrlParser: true,
      useUnifiedTopology: true,
    });
    console.log(`MongoDB Connected: ${conn.connection.host}`);
  } catch (error) {
    console.error(`Error: ${error.message}`);
    process.exit(1);
  }
};

module.exports = connectDB;
''', user=r.choice(_FIRST) + r.choice(["", "dev", "123", "_admin"]), pw=P(enc), cluster=cluster)


@_doc
def d_express_server(r):
    mail = _email(r, "free")
    return "server.js", _fill(r'''const express = require('express');
const jwt = require('jsonwebtoken');
const bcrypt = require('bcryptjs');
const nodemailer = require('nodemailer');
const cors = require('cors');
const session = require('express-session');

const app = express();
app.use(cors());
app.use(express.json());
app.use(session({ secret: '⟪sess⟫', resave: false, saveUninitialized: true }));

const PORT = process.env.PORT || 5000;
const JWT_SECRET = '⟪jwt⟫';

const transporter = nodemailer.createTransport({
  service: 'gmail',
  auth: {
    user: '⟪mail1⟫',
    pass: '⟪mp⟫',
  },
});

const users = []; // TODO: use a real db

app.post('/api/register', async (req, res) => {
  const { email, password } = req.body;
  if (!email || !password) return res.status(400).json({ msg: 'Please enter all fields' });
  const hashedPassword = await bcrypt.hash(password, 10);
  users.push({ email, password: hashedPassword });
  await transporter.sendMail({
    from: '"Todo App" <⟪mail2⟫>',
    to: email,
    subject: 'Welcome!',
    text: 'Thanks for signing up.',
  });
  res.status(201).json({ msg: 'registered' });
});

app.post('/api/login', async (req, res) => {
  const user = users.find((u) => u.email === req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.password))) {
    return res.status(401).json({ msg: 'Invalid credentials' });
  }
  const token = jwt.sign({ email: user.email }, JWT_SECRET, { expiresIn: '1h' });
  res.json({ token });
});

app.listen(PORT, () => console.log(`Server running on port ${PORT}`));
''', jwt=K(r.choice([_rs(r, 32), _hex(r, 64), _b64(r, 48)])), mail1=E(mail), mail2=E(mail),
        mp=P(_pw(r, "app")), sess=K(_rs(r, r.choice([24, 32]), _ALNUM + "!#%&*")))


@_doc
def d_firebase(r):
    proj = f"{r.choice(_ORGWORDS)}-{r.choice(['chat', 'app', 'shop', 'notes'])}-{_rs(r, 5, _LOW + _DIG)}"
    sender = r.randint(10 ** 11, 10 ** 12 - 1)
    return "src/firebase.js", _fill(r'''// Import the functions you need from the SDKs you need
import { initializeApp } from "firebase/app";
import { getAnalytics } from "firebase/analytics";
import { getAuth, GoogleAuthProvider } from "firebase/auth";
import { getFirestore } from "firebase/firestore";

// Your web app's Firebase configuration
// For Firebase JS SDK v7.20.0 and later, measurementId is optional
const firebaseConfig = {
  apiKey: "⟪key⟫",
  authDomain: "⟪p1⟫.firebaseapp.com",
  projectId: "⟪p2⟫",
  storageBucket: "⟪p3⟫.appspot.com",
  messagingSenderId: "⟪s1⟫",
  appId: "1:⟪s2⟫:web:⟪appid⟫",
  measurementId: "G-⟪mid⟫"
};

// Initialize Firebase
const app = initializeApp(firebaseConfig);
export const analytics = getAnalytics(app);
export const auth = getAuth(app);
export const provider = new GoogleAuthProvider();
export const db = getFirestore(app);
''', key=K(k_google(r)), p1=proj, p2=proj, p3=proj, s1=sender, s2=sender, appid=_hex(r, 22),
        mid=_rs(r, 10, _UP + _DIG))


@_doc
def d_node_env(r):
    dbpw = _pw_safe(r)
    return "backend/.env", _fill(r'''NODE_ENV=development
PORT=4000

# database
DB_HOST=⟪dbhost⟫
DB_PORT=5432
DB_NAME=shopdb
DB_USER=shop_admin
DB_PASSWORD=⟪dbpw1⟫
DATABASE_URL=postgres://shop_admin:⟪dbpw2⟫@⟪dbhost2⟫:5432/shopdb

REDIS_URL=redis://⟪redis⟫:6379/0

JWT_SECRET=⟪jwt⟫
JWT_EXPIRES_IN=7d
COOKIE_SECRET=⟪cookie⟫

STRIPE_SECRET_KEY=⟪stripe⟫
STRIPE_PUBLIC_KEY=⟪pk⟫

SENDGRID_API_KEY=⟪sg⟫
MAIL_FROM=⟪from⟫

FCM_SERVER_KEY=⟪fcm⟫

CLOUDINARY_CLOUD_NAME=⟪cloud⟫
CLOUDINARY_API_SECRET=⟪cloudsecret⟫
''', dbhost=I(h := _ip4(r)), dbhost2=I(h), dbpw1=P(dbpw), dbpw2=P(dbpw), redis=_priv4(r),
        jwt=K(_rs(r, 48)), cookie=K(_hex(r, 32)), stripe=K(k_stripe(r)), pk=n_pk_stripe(r),
        sg=K(k_sendgrid(r)), **{"from": E(_email(r, "role"))}, cloud=r.choice(_ORGWORDS) + "cdn",
        fcm=K(k_fcm(r)), cloudsecret=K(_rs(r, 27, _URLSAFE)))


@_doc
def d_users_fixture(r):
    rows = []
    for i in range(5):
        f, l_ = _person(r)
        host = r.choice([_domain(r), r.choice(_MAILHOSTS), r.choice(_MAILHOSTS)])
        em = f"{_local(r, f, l_)}@{host}"
        role = "admin" if i == 0 else r.choice(["editor", "viewer", "viewer"])
        pw = _pw(r, syms="!@#%&*_-.")
        if i == 3:  # a quote inside the password, escaped as JSON requires
            pw = pw[:4] + '\\"' + pw[4:]
        rows.append(f'  {{\n    "id": {i + 1},\n    "name": "{f.title()} {l_.title()}",\n'
                    f'    "email": "{E(em)}",\n    "password": "{P(pw)}",\n'
                    f'    "role": "{role}",\n    "avatar": "{n_uuid(r)}.png"\n  }}')
    return "test/fixtures/users.json", "[\n" + ",\n".join(rows) + "\n]\n"


@_doc
def d_axios_client(r):
    tok = k_jwt(r, {"sub": str(r.randint(1, 999)), "role": "admin",
                    "iat": r.randint(1_650_000_000, 1_700_000_000),
                    "exp": r.randint(1_750_000_000, 1_900_000_000)})
    return "src/api/client.ts", _fill(r'''import axios, { AxiosError, AxiosInstance } from 'axios';

// const BASE_URL = import.meta.env.VITE_API_URL;
const BASE_URL = 'http://⟪ip⟫:8080/api/v1';

// long-lived admin token for local testing, remove before release
const DEV_TOKEN =
  '⟪tok⟫';

export const api: AxiosInstance = axios.create({
  baseURL: BASE_URL,
  timeout: 15000,
  headers: { 'Content-Type': 'application/json' },
});

api.interceptors.request.use((config) => {
  const token = localStorage.getItem('accessToken') ?? DEV_TOKEN;
  if (token && config.headers) {
    config.headers.Authorization = `Bearer ${token}`;
  }
  return config;
});

api.interceptors.response.use(
  (res) => res,
  (err: AxiosError) => {
    if (err.response?.status === 401) {
      localStorage.removeItem('accessToken');
      window.location.href = '/login';
    }
    return Promise.reject(err);
  },
);
''', ip=I(_ip4(r)), tok=K(tok))


@_doc
def d_knexfile(r):
    dev = _pw(r, "word_num")
    stg, prd = _pw(r, syms="!#%&*_-"), _pw(r, "random", syms="!#%&*_-")
    return "knexfile.js", _fill(r'''// Update with your config settings.

/**
 * @type { Object.<string, import("knex").Knex.Config> }
 */
module.exports = {
  development: {
    client: 'mysql2',
    connection: {
      host: '127.0.0.1',
      user: 'root',
      password: '⟪dev⟫',
      database: 'library_dev',
    },
    migrations: { directory: './db/migrations' },
    seeds: { directory: './db/seeds' },
  },

  staging: {
    client: 'mysql2',
    connection: {
      host: '⟪sip⟫',
      user: 'library',
      password: '⟪stg⟫',
      database: 'library_staging',
    },
    pool: { min: 2, max: 10 },
  },

  production: {
    client: 'mysql2',
    connection: {
      host: '⟪pip⟫',
      port: 3306,
      user: 'library',
      password: '⟪prd⟫',
      database: 'library',
    },
    pool: { min: 2, max: 10 },
    migrations: { tableName: 'knex_migrations' },
  },
};
''', dev=P(dev), stg=P(stg), prd=P(prd), sip=I(_ip4(r)), pip=I(_ip4(r)))


@_doc
def d_cypress(r):
    em = _email(r, r.choice(["tag", "corp"]))
    pw = _pw(r, syms="!#%&*_-")
    return "cypress/e2e/login.cy.js", _fill(r'''describe('Login', () => {
  const user = {
    email: '⟪e1⟫',
    password: '⟪p1⟫',
  };

  beforeEach(() => {
    cy.visit('/login');
  });

  it('shows the form', () => {
    cy.contains('label', 'Email address');
    cy.contains('label', 'Password');
    cy.get('a[href="/forgot-password"]').should('contain', 'Forgot your password?');
  });

  it('logs in with valid credentials', () => {
    cy.get('input[name="email"]').type(user.email);
    cy.get('input[name="password"]').type(user.password, { log: false });
    cy.get('button[type="submit"]').click();
    cy.url().should('include', '/dashboard');
  });

  it('rejects a wrong password', () => {
    cy.get('#email').type('⟪e2⟫');
    cy.get('#password').type('⟪wrong⟫');
    cy.get('button[type="submit"]').click();
    cy.get('.alert-danger').should('contain', 'Invalid email or password');
  });

  it('uses the env password when set', () => {
    cy.login(Cypress.env('E2E_EMAIL'), Cypress.env('E2E_PASSWORD'));
  });
});
''', e1=E(em), p1=P(pw), e2=E(em), wrong=P(_pw(r, "short", syms="!#")))


@_doc
def d_package_json(r):
    author = _email(r, r.choice(["free", "corp"]))
    pw = _pw_safe(r)
    name = r.choice(["inventory-api", "pet-clinic-backend", "event-scheduler", "habit-tracker-api"])
    return "package.json", _fill(r'''{
  "name": "⟪name⟫",
  "version": "1.4.2",
  "description": "REST API for the ⟪name2⟫ project",
  "main": "dist/index.js",
  "author": "⟪first⟫ <⟪author⟫>",
  "license": "MIT",
  "repository": {
    "type": "git",
    "url": "git@github.com:⟪gh⟫/⟪name3⟫.git"
  },
  "scripts": {
    "build": "tsc -p .",
    "start": "node dist/index.js",
    "dev": "nodemon src/index.ts",
    "db:reset": "PGPASSWORD=⟪pw⟫ psql -h ⟪ip⟫ -U api -d api -f sql/reset.sql",
    "test": "jest --runInBand"
  },
  "dependencies": {
    "express": "^4.18.2",
    "pg": "^8.11.3",
    "zod": "^3.22.4",
    "@prisma/client": "5.7.1"
  },
  "devDependencies": {
    "@types/express": "^4.17.21",
    "@types/node": "^20.10.5",
    "nodemon": "^3.0.2",
    "typescript": "~5.3.3",
    "jest": "^29.7.0"
  },
  "engines": { "node": ">=18.17.0" },
  "packageManager": "pnpm@8.12.1"
}
''', name=name, name2=name, name3=name, first=r.choice(_FIRST).title(), author=E(author),
        gh=r.choice(_FIRST) + r.choice(_LAST), pw=P(pw), ip=I(_ip4(r)))


@_doc
def d_discord_js(r):
    return "index.js", _fill(r'''const { Client, GatewayIntentBits, Events } = require('discord.js');
const fetch = require('node-fetch');

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
});

const CHANNEL_ID = '⟪chan⟫';
const GIPHY_KEY = '⟪giphy⟫';

client.once(Events.ClientReady, (c) => {
  console.log(`Ready! Logged in as ${c.user.tag}`);
});

client.on(Events.MessageCreate, async (msg) => {
  if (msg.author.bot) return;
  if (msg.content.startsWith('!gif ')) {
    const q = encodeURIComponent(msg.content.slice(5));
    const res = await fetch(`https://api.giphy.com/v1/gifs/search?api_key=${GIPHY_KEY}&q=${q}&limit=1`);
    const json = await res.json();
    msg.channel.send(json.data[0]?.url ?? 'nothing found :(');
  }
});

client.login('⟪tok⟫');
''', chan=r.randint(10 ** 17, 10 ** 18), giphy=K(_rs(r, 32)), tok=K(k_discord(r)))


@_doc
def d_angular_env(r):
    return "src/environments/environment.prod.ts", _fill(r'''export const environment = {
  production: true,
  apiUrl: 'https://⟪ip⟫/api',
  wsUrl: 'wss://⟪ip2⟫/ws',
  googleMapsApiKey: '⟪gmaps⟫',
  recaptchaSiteKey: '⟪site⟫',
  googleClientId: '⟪oauth⟫',
  sentryDsn: '⟪dsn⟫',
  version: '⟪ver⟫',
};
''', ip=I(ip := _ip4(r)), ip2=I(ip), gmaps=K(k_google(r)), site=n_recaptcha_site(r),
        oauth=n_oauth_client(r), dsn=n_sentry_dsn(r), ver=f"2.{r.randint(0, 9)}.{r.randint(0, 20)}")


@_doc
def d_prisma_seed(r):
    a, b = _email(r, "corp"), _email(r, "free")
    pa, pb = _pw(r, syms="!@#%&*_-"), _pw(r, syms="!@#%&*_-")
    return "prisma/seed.ts", _fill(r'''import { PrismaClient, Role } from '@prisma/client';
import * as bcrypt from 'bcrypt';

const prisma = new PrismaClient();

async function main() {
  const adminPassword = await bcrypt.hash('⟪pa⟫', 10);
  const userPassword = await bcrypt.hash('⟪pb⟫', 10);

  await prisma.user.upsert({
    where: { email: '⟪a1⟫' },
    update: {},
    create: { email: '⟪a2⟫', name: 'Admin', password: adminPassword, role: Role.ADMIN },
  });

  await prisma.user.upsert({
    where: { email: '⟪b1⟫' },
    update: {},
    create: {
      email: '⟪b2⟫',
      name: 'Demo User',
      password: userPassword,
      posts: { create: [{ title: 'Hello world', published: true }] },
    },
  });
}

main()
  .catch((e) => {
    console.error(e);
    process.exit(1);
  })
  .finally(async () => {
    await prisma.$disconnect();
  });
''', pa=P(pa), pb=P(pb), a1=E(a), a2=E(a), b1=E(b), b2=E(b))


@_doc
def d_vue_login(r):
    em = _email(r, "corp")
    return "src/views/LoginView.vue", _fill(r'''<template>
  <div class="login">
    <h1>{{ $t('auth.signIn') }}</h1>
    <form @submit.prevent="onSubmit">
      <input v-model="email" type="email" :placeholder="$t('auth.email')" autocomplete="username" />
      <input v-model="password" type="password" :placeholder="$t('auth.password')" autocomplete="current-password" />
      <button :disabled="loading">{{ $t('auth.signIn') }}</button>
      <router-link to="/forgot-password">{{ $t('auth.forgotPassword') }}</router-link>
    </form>
  </div>
</template>

<script>
import { useAuthStore } from '@/stores/auth';

export default {
  name: 'LoginView',
  data() {
    return {
      // prefilled so I don't have to type it every time during dev
      email: import.meta.env.DEV ? '⟪em⟫' : '',
      password: import.meta.env.DEV ? '⟪pw⟫' : '',
      loading: false,
    };
  },
  methods: {
    async onSubmit() {
      this.loading = true;
      try {
        await useAuthStore().login(this.email, this.password);
        this.$router.push({ name: 'dashboard' });
      } finally {
        this.loading = false;
      }
    },
  },
};
</script>

<style scoped>
.login { max-width: 360px; margin: 4rem auto; }
@media (max-width: 480px) { .login { margin: 1rem; } }
</style>
''', em=E(em), pw=P(_pw(r, syms="!#%&*_-")))


@_doc
def d_i18n_neg(r):
    return "src/locales/de.json", r'''{
  "auth": {
    "signIn": "Anmelden",
    "signOut": "Abmelden",
    "email": "E-Mail-Adresse",
    "password": "Passwort",
    "passwordConfirm": "Passwort bestätigen",
    "forgotPassword": "Passwort vergessen?",
    "resetPassword": "Passwort zurücksetzen",
    "newPassword": "Neues Passwort",
    "passwordTooShort": "Das Passwort muss mindestens {min} Zeichen lang sein.",
    "passwordMismatch": "Die Passwörter stimmen nicht überein.",
    "wrongPassword": "Falsches Passwort",
    "apiKey": "API-Schlüssel",
    "apiKeyHint": "Den Schlüssel findest du unter Einstellungen → Entwickler.",
    "token": "Zugangstoken",
    "tokenExpired": "Dein Token ist abgelaufen. Bitte melde dich erneut an.",
    "secret": "Geheimnis"
  },
  "settings": {
    "twoFactor": "Zwei-Faktor-Authentifizierung",
    "recoveryCodes": "Wiederherstellungscodes",
    "showPassword": "Passwort anzeigen",
    "hidePassword": "Passwort verbergen",
    "mask": "••••••••"
  }
}
'''


@_doc
def d_package_lock_neg(r):
    def ent(name, ver):
        return (f'    "node_modules/{name}": {{\n      "version": "{ver}",\n'
                f'      "resolved": "https://registry.npmjs.org/{name}/-/{name.split("/")[-1]}-{ver}.tgz",\n'
                f'      "integrity": "{n_integrity(r)}",\n      "dev": true\n    }}')
    pkgs = [("@babel/core", "7.23.6"), ("@eslint/js", "8.56.0"), ("acorn", "8.11.2"),
            ("ansi-styles", "4.3.0"), ("brace-expansion", "1.1.11"), ("caniuse-lite", "1.0.30001570"),
            ("electron-to-chromium", "1.4.615"), ("semver", "6.3.1")]
    body = ",\n".join(ent(n, v) for n, v in pkgs)
    return "package-lock.json", ('{\n  "name": "admin-dashboard",\n  "version": "0.3.0",\n'
                                 '  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n'
                                 + body + "\n  }\n}\n")


# ---- JVM: Java / Kotlin / Scala / Groovy --------------------------------------------------

@_doc
def d_spring_properties(r):
    return "src/main/resources/application.properties", _fill(r'''spring.application.name=hotel-booking
server.port=8081

# DataSource
spring.datasource.url=jdbc:mysql://⟪ip⟫:3306/hotel_booking?useSSL=false&serverTimezone=UTC
spring.datasource.username=hotel
spring.datasource.password=⟪dbpw⟫
spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver
spring.jpa.hibernate.ddl-auto=update
spring.jpa.show-sql=true

# Mail
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=⟪mail⟫
spring.mail.password=⟪mailpw⟫
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# JWT
app.jwt.secret=⟪jwt⟫
app.jwt.expiration-ms=86400000
app.jwt.header=Authorization

# Payments / captcha
stripe.api.secret-key=⟪stripe⟫
stripe.api.publishable-key=⟪pk⟫
google.recaptcha.secret=⟪rsecret⟫

# Actuator
management.endpoints.web.exposure.include=health,info
info.app.version=1.0.3.⟪build⟫
''', ip=I(_ip4(r)), dbpw=P(_pw(r, syms="!@#%&*_-")), mail=E(_email(r, "free")),
        mailpw=P(_pw(r, "app")), jwt=K(_b64(r, 48)), build=r.randint(100, 999),
        stripe=K(k_stripe(r)), pk=n_pk_stripe(r), rsecret=K("6L" + r.choice("cdef") + _rs(r, 37, _URLSAFE)))


@_doc
def d_spring_yml(r):
    dbpw = _pw(r, syms="!#%&*_-")
    return "order-service/src/main/resources/application-dev.yml", _fill(r'''server:
  port: 8082

spring:
  datasource:
    url: jdbc:postgresql://⟪dbip⟫:5432/orders
    username: orders
    password: ⟪dbpw⟫
    hikari:
      maximum-pool-size: 10
  jpa:
    hibernate:
      ddl-auto: validate
    open-in-view: false
  rabbitmq:
    host: ⟪mq⟫
    port: 5672
    username: orders-svc
    password: "⟪mqpw⟫"
    virtual-host: /orders
  flyway:
    enabled: true
    user: orders
    password: ${spring.datasource.password}
  security:
    oauth2:
      resourceserver:
        jwt:
          issuer-uri: https://auth.⟪dom⟫/realms/shop

eureka:
  client:
    service-url:
      defaultZone: http://⟪eu⟫:8761/eureka/
  instance:
    prefer-ip-address: true

logging:
  level:
    org.hibernate.SQL: debug
''', dbip=I(_ip4(r)), dbpw=P(dbpw), mq=I(_ip4(r)), mqpw=P(_pw(r, "random", syms="!#%&*_-")),
        dom=_domain(r), eu=_priv4(r))


@_doc
def d_jdbc_student(r):
    pw = _pw(r, r.choice(["word_num", "name_year", "keyboard"]), syms="@#")
    return "src/dao/DatabaseConnection.java", _fill(r'''package dao;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Singleton connection for the Library Management System (DBMS mini project).
 * @author ⟪author⟫
 */
public class DatabaseConnection {

    private static final String URL = "jdbc:mysql://localhost:3306/library_db";
    private static final String USER = "root";
    private static final String PASSWORD = "⟪pw⟫";
    private static Connection connection;

    private DatabaseConnection() {}

    public static Connection getConnection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            try {
                Class.forName("com.mysql.cj.jdbc.Driver");
            } catch (ClassNotFoundException e) {
                throw new SQLException("MySQL driver not found", e);
            }
            connection = DriverManager.getConnection(URL, USER, PASSWORD);
        }
        return connection;
    }
}
''', author=E(_email(r, "uni")), pw=P(pw))


@_doc
def d_javamail(r):
    frm = _email(r, "free")
    return "src/main/java/com/shop/util/MailUtil.java", _fill(r'''package com.shop.util;

import java.util.Properties;
import javax.mail.*;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

public final class MailUtil {

    private static final String FROM = "⟪frm1⟫";
    private static final String PASS = "⟪pw⟫";
    private static final String CC = "⟪cc⟫";

    public static void send(String to, String subject, String body) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", "smtp.gmail.com");
        props.put("mail.smtp.port", "587");
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");

        Session session = Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("⟪frm2⟫", PASS);
            }
        });

        Message msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress(FROM, "Shop Online"));
        msg.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
        msg.setRecipients(Message.RecipientType.CC, InternetAddress.parse(CC));
        msg.setSubject(subject);
        msg.setText(body);
        Transport.send(msg);
    }
}
''', frm1=E(frm), frm2=E(frm), pw=P(_pw(r, "app")), cc=E(_email(r, "role")))


@_doc
def d_junit(r):
    e1, e2 = _email(r), _email(r)
    p1, p2 = _pw(r, syms="!@#%&*_-"), _pw(r, syms="!@#%&*_-")
    return "src/test/java/com/acme/users/UserServiceTest.java", _fill(r'''package com.acme.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.*;

import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

class UserServiceTest {

    private static final String STORED_HASH = "⟪bc⟫";

    private UserRepository repo;
    private UserService service;
    private final BCryptPasswordEncoder encoder = new BCryptPasswordEncoder();

    @BeforeEach
    void setUp() {
        repo = mock(UserRepository.class);
        service = new UserService(repo, encoder);
    }

    @Test
    void registersNewUser() {
        when(repo.findByEmail("⟪e1a⟫")).thenReturn(Optional.empty());
        User u = service.register("⟪e1b⟫", "⟪p1a⟫");
        assertThat(u.getEmail()).isEqualTo("⟪e1c⟫");
        assertThat(encoder.matches("⟪p1b⟫", u.getPasswordHash())).isTrue();
    }

    @Test
    void rejectsDuplicateEmail() {
        when(repo.findByEmail("⟪e2a⟫")).thenReturn(Optional.of(new User()));
        assertThatThrownBy(() -> service.register("⟪e2b⟫", "⟪p2⟫"))
            .isInstanceOf(DuplicateEmailException.class);
    }

    @Test
    void rejectsEmptyPassword() {
        assertThatThrownBy(() -> service.register("someone", ""))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("password must not be blank");
    }
}
''', bc=n_bcrypt(r), e1a=E(e1), e1b=E(e1), e1c=E(e1), p1a=P(p1), p1b=P(p1), e2a=E(e2), e2b=E(e2),
        p2=P(p2))


@_doc
def d_gradle_kts(r):
    return "build.gradle.kts", _fill(r'''plugins {
    kotlin("jvm") version "1.9.22"
    id("org.springframework.boot") version "3.2.1"
    id("io.spring.dependency-management") version "1.1.4"
    `maven-publish`
}

group = "io.⟪org⟫"
version = "0.7.0-SNAPSHOT"

repositories {
    mavenCentral()
    maven {
        url = uri("https://nexus.⟪dom⟫/repository/maven-releases/")
        credentials {
            username = "ci-bot"
            password = "⟪pw⟫"
        }
    }
}

dependencies {
    implementation("org.springframework.boot:spring-boot-starter-web")
    implementation("org.postgresql:postgresql:42.7.1")
    implementation("com.fasterxml.jackson.module:jackson-module-kotlin:2.16.1")
    testImplementation("org.springframework.boot:spring-boot-starter-test")
    testImplementation("org.testcontainers:postgresql:1.19.3")
}

publishing {
    repositories {
        maven {
            url = uri("https://nexus.⟪dom2⟫/repository/maven-snapshots/")
            credentials {
                username = project.findProperty("nexusUser") as String? ?: System.getenv("NEXUS_USER")
                password = project.findProperty("nexusPassword") as String? ?: System.getenv("NEXUS_PASSWORD")
            }
        }
    }
}
''', org=r.choice(_ORGWORDS), dom=(d := _domain(r)), dom2=d, pw=P(_pw(r, "random", syms="!#%&*_-")))


@_doc
def d_android_kt(r):
    return "app/src/main/java/com/weatherly/network/ApiClient.kt", _fill(r'''package com.weatherly.network

import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.gson.GsonConverterFactory

object ApiClient {
    private const val BASE_URL = "http://⟪ip⟫:3000/"
    private const val API_KEY = "⟪key⟫"
    const val MAPS_KEY = "⟪maps⟫"

    private val authInterceptor = Interceptor { chain ->
        val req = chain.request().newBuilder()
            .addHeader("x-api-key", API_KEY)
            .build()
        chain.proceed(req)
    }

    private val client = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .addInterceptor(HttpLoggingInterceptor().apply { level = HttpLoggingInterceptor.Level.BODY })
        .build()

    val service: WeatherService by lazy {
        Retrofit.Builder()
            .baseUrl(BASE_URL)
            .client(client)
            .addConverterFactory(GsonConverterFactory.create())
            .build()
            .create(WeatherService::class.java)
    }
}
''', ip=I(_ip4(r)), key=K(_rs(r, 40)), maps=K(k_google(r)))


@_doc
def d_play_conf(r):
    return "conf/application.conf", _fill(r'''# https://www.playframework.com/documentation/latest/Configuration
play.http.secret.key = "⟪secret⟫"
play.i18n.langs = ["en", "de"]
play.filters.hosts.allowed = [".⟪dom⟫", "localhost:9000", "⟪ip⟫"]

db.default.driver = org.postgresql.Driver
db.default.url = "jdbc:postgresql://⟪dbip⟫:5432/catalog"
db.default.username = catalog
db.default.password = "⟪dbpw⟫"
# db.default.password = ${?DB_PASSWORD}

akka {
  loglevel = "INFO"
  actor.default-dispatcher.fork-join-executor.parallelism-max = 16
}

mailer {
  host = "smtp.⟪mdom⟫"
  port = 465
  ssl = yes
  user = "⟪muser⟫"
  password = "⟪mpw⟫"
}
''', secret=K(_rs(r, 64, _ALNUM + "?@^_[]")), dom=_domain(r), ip=I(_ip4(r)), dbip=_priv4(r),
        dbpw=P(_pw(r, syms="!#%&*_-")), mdom=_domain(r), muser=E(_email(r, "role")),
        mpw=P(_pw(r, "random", syms="!#%&*_-")))


@_doc
def d_maven_settings(r):
    return ".mvn/settings.xml", _fill(r'''<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <servers>
    <server>
      <id>internal-releases</id>
      <username>deployment</username>
      <password>⟪pw1⟫</password>
    </server>
    <server>
      <id>github</id>
      <username>⟪ghuser⟫</username>
      <password>⟪ghtok⟫</password>
    </server>
    <server>
      <id>docker-hub</id>
      <username>⟪ghuser2⟫</username>
      <password>${env.DOCKERHUB_TOKEN}</password>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>internal</id>
      <mirrorOf>central</mirrorOf>
      <url>http://⟪ip⟫:8081/repository/maven-public/</url>
    </mirror>
  </mirrors>
</settings>
''', pw1=P(_pw_safe(r, "random")), ghuser=(u := r.choice(_FIRST) + r.choice(_LAST)), ghuser2=u,
        ghtok=K(k_ghp(r)), ip=I(_ip4(r)))


@_doc
def d_jenkinsfile(r):
    pw = _pw_safe(r)
    return "Jenkinsfile", _fill(r'''pipeline {
    agent any

    environment {
        REGISTRY = "registry.⟪dom⟫"
        IMAGE = "${REGISTRY}/billing-api"
        SONAR_TOKEN = credentials('sonar-token')
        DEPLOY_HOST = "⟪ip⟫"
    }

    stages {
        stage('Build') {
            steps {
                sh './mvnw -B clean package -DskipTests'
            }
        }
        stage('Docker') {
            steps {
                // TODO: switch to withCredentials, this is temporary
                sh "docker login ${REGISTRY} -u jenkins -p ⟪pw⟫"
                sh "docker build -t ${IMAGE}:${BUILD_NUMBER} ."
                sh "docker push ${IMAGE}:${BUILD_NUMBER}"
            }
        }
        stage('Deploy') {
            steps {
                sshagent(['deploy-key']) {
                    sh "ssh -o StrictHostKeyChecking=no deploy@${DEPLOY_HOST} 'docker pull ${IMAGE}:${BUILD_NUMBER} && docker compose up -d'"
                }
            }
        }
    }
    post {
        failure {
            mail to: '⟪mail⟫', subject: "Build failed: ${env.JOB_NAME} #${env.BUILD_NUMBER}", body: "${env.BUILD_URL}"
        }
    }
}
''', dom=_domain(r), ip=I(_ip4(r)), pw=P(pw), mail=E(_email(r, "role")))


# ---- C / C++ / Arduino --------------------------------------------------------------------

@_doc
def d_esp32(r):
    ssid = r.choice(["FRITZ!Box 7590 XY", "Vodafone-A1B2", "TP-Link_5G_", "MyHome", "Livebox-"]) + _rs(r, 2, _UP + _DIG)
    return "weather_station/weather_station.ino", _fill(r'''#include <WiFi.h>
#include <HTTPClient.h>
#include <PubSubClient.h>
#include <ArduinoJson.h>
#include "DHT.h"

#define DHTPIN 4
#define DHTTYPE DHT22

const char* ssid = "⟪ssid⟫";
const char* password = "⟪wifi⟫";

const char* mqtt_server = "⟪mqtt⟫";
const int   mqtt_port = 1883;
const char* mqtt_user = "esp32";
const char* mqtt_pass = "⟪mpw⟫";

String owmKey = "⟪owm⟫";
String city = "Hamburg,de";

// Static IP config (router reserves .184 for us)
IPAddress local_IP(192, 168, 1, 184);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 0, 0);
IPAddress primaryDNS(8, 8, 8, 8);
IPAddress ntpServer(⟪tuple⟫);

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);

void setup() {
  Serial.begin(115200);
  dht.begin();
  if (!WiFi.config(local_IP, gateway, subnet, primaryDNS)) {
    Serial.println("STA Failed to configure");
  }
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  client.setServer(mqtt_server, mqtt_port);
}

void loop() {
  if (!client.connected()) {
    client.connect("esp32-weather", mqtt_user, mqtt_pass);
  }
  float t = dht.readTemperature();
  float h = dht.readHumidity();
  char payload[64];
  snprintf(payload, sizeof(payload), "{\"t\":%.1f,\"h\":%.1f}", t, h);
  client.publish("weather/garden", payload);

  HTTPClient http;
  http.begin("http://api.openweathermap.org/data/2.5/weather?q=" + city + "&appid=" + owmKey);
  if (http.GET() == 200) {
    Serial.println(http.getString());
  }
  http.end();
  delay(60000);
}
''', ssid=ssid, wifi=P(_pw(r, syms="!#%&*_-")), mqtt=I(_ip4(r)), mpw=P(_pw(r, "short", syms="")),
        owm=K(_hex(r, 32)), tuple=", ".join(str(x) for x in _ip4(r).split(".")))


@_doc
def d_blynk_header(r):
    return "firmware/include/secrets.h", _fill(r'''#pragma once
// secrets.h - keep out of git!!! (oops)

#define BLYNK_TEMPLATE_ID   "TMPL⟪tmpl⟫"
#define BLYNK_TEMPLATE_NAME "Greenhouse"
#define BLYNK_AUTH_TOKEN    "⟪blynk⟫"

#define WIFI_SSID   "Greenhouse_IoT"
#define WIFI_PASS   "⟪wifi⟫"

#define OTA_PASSWORD "⟪ota⟫"
#define OTA_HASH_MD5 "⟪md5⟫"

#define FW_VERSION  "⟪ver⟫"
''', tmpl=_rs(r, 8, _ALNUM), blynk=K(_rs(r, 32, _URLSAFE)), wifi=P(_pw(r, syms="!#%&*_-")),
        ota=P(_pw(r, "short", syms="")), md5=_hex(r, 32), ver=n_ver4(r))


@_doc
def d_cpp_mysql(r):
    pw = _pw(r, syms="!#%&*_-")
    return "src/db/Database.cpp", _fill(r'''#include "Database.h"

#include <iostream>
#include <mysql/mysql.h>

namespace inventory {

static const char *DB_HOST = "⟪ip⟫";
static const char *DB_USER = "inventory";
static const char *DB_PASS = "⟪pw⟫";
static const char *DB_NAME = "inventory";

Database::Database() : conn_(mysql_init(nullptr)) {
    if (!mysql_real_connect(conn_, DB_HOST, DB_USER, DB_PASS, DB_NAME, 3306, nullptr, 0)) {
        std::cerr << "mysql_real_connect failed: " << mysql_error(conn_) << std::endl;
        throw std::runtime_error("db connection failed");
    }
    mysql_set_character_set(conn_, "utf8mb4");
}

Database::~Database() { mysql_close(conn_); }

std::vector<Item> Database::items() {
    std::vector<Item> out;
    if (mysql_query(conn_, "SELECT id, sku, qty FROM items")) return out;
    MYSQL_RES *res = mysql_store_result(conn_);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
        out.push_back({std::stoi(row[0]), row[1], std::stoi(row[2])});
    }
    mysql_free_result(res);
    return out;
}

}  // namespace inventory
''', ip=I(_ip4(r)), pw=P(pw))


@_doc
def d_c_net_neg(r):
    return "lib/netutil.c", _fill(r'''/*
 * netutil.c - small helpers for parsing and classifying addresses.
 * Version 2.4.1.⟪build⟫
 */
#include <stdint.h>
#include <string.h>
#include "netutil.h"

/* RFC 1918 + friends, host byte order */
static const struct { const char *cidr; uint32_t net, mask; } reserved[] = {
    { "0.0.0.0/8",       0x00000000, 0xFF000000 },
    { "10.0.0.0/8",      0x0A000000, 0xFF000000 },
    { "100.64.0.0/10",   0x64400000, 0xFFC00000 },
    { "127.0.0.0/8",     0x7F000000, 0xFF000000 },
    { "169.254.0.0/16",  0xA9FE0000, 0xFFFF0000 },
    { "172.16.0.0/12",   0xAC100000, 0xFFF00000 },
    { "192.0.2.0/24",    0xC0000200, 0xFFFFFF00 },
    { "192.168.0.0/16",  0xC0A80000, 0xFFFF0000 },
    { "198.51.100.0/24", 0xC6336400, 0xFFFFFF00 },
    { "203.0.113.0/24",  0xCB007100, 0xFFFFFF00 },
    { "224.0.0.0/4",     0xE0000000, 0xF0000000 },
    { "255.255.255.255/32", 0xFFFFFFFF, 0xFFFFFFFF },
};

/* OIDs we care about when peeking into certificates */
static const char *OID_COMMON_NAME   = "2.5.4.3";
static const char *OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
static const char *OID_SCT_LIST      = "1.3.6.1.4.1.11129.2.4.2";

/* test vectors */
static const char *samples[] = {
    "⟪priv1⟫", "⟪priv2⟫", "⟪doc⟫", "⟪cg⟫", "fe80::1ff:fe23:4567:890a", "::1", "2001:db8::8a2e:370:7334",
    "239.255.255.250", "255.255.255.0", "0.0.0.0",
};

int is_reserved_v4(uint32_t addr) {
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if ((addr & reserved[i].mask) == reserved[i].net) return 1;
    return 0;
}
''', build=r.randint(1000, 9999), priv1=_priv4(r), priv2=_priv4(r), doc=_docip(r), cg=_cgnat(r))


# ---- Go -----------------------------------------------------------------------------------

@_doc
def d_go_main(r):
    pw = _pw(r, syms="!#%&*_-")
    return "cmd/api/main.go", _fill(r'''package main

import (
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"

	_ "github.com/go-sql-driver/mysql"
	"github.com/gorilla/mux"
)

const (
	dbUser = "golang"
	dbPass = "⟪pw1⟫"
	dbHost = "⟪ip⟫"
	dbName = "bookstore"
)

func main() {
	dsn := fmt.Sprintf("%s:%s@tcp(%s:3306)/%s?parseTime=true", dbUser, dbPass, dbHost, dbName)
	// dsn := "golang:⟪pw2⟫@tcp(localhost:3306)/bookstore?parseTime=true"
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	r := mux.NewRouter()
	r.HandleFunc("/books", listBooks(db)).Methods("GET")
	r.HandleFunc("/books/{id}", getBook(db)).Methods("GET")

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, r))
}
''', pw1=P(pw), pw2=P(pw), ip=I(_ip4(r)))


@_doc
def d_go_config(r):
    return "internal/config/config.go", _fill(r'''package config

import (
	"os"
	"time"
)

type Config struct {
	Addr          string
	JWTSecret     string
	TokenTTL      time.Duration
	RedisAddr     string
	RedisPassword string
	SMTPUser      string
	SMTPPassword  string
	StripeKey     string
}

// Default returns the configuration used when no env vars are set.
func Default() Config {
	return Config{
		Addr:          ":8080",
		JWTSecret:     "⟪jwt⟫",
		TokenTTL:      24 * time.Hour,
		RedisAddr:     "⟪redis⟫:6379",
		RedisPassword: "⟪rpw⟫",
		SMTPUser:      "⟪smtp⟫",
		SMTPPassword:  os.Getenv("SMTP_PASSWORD"),
		StripeKey:     "⟪rk⟫",
	}
}

func FromEnv() Config {
	c := Default()
	if v := os.Getenv("JWT_SECRET"); v != "" {
		c.JWTSecret = v
	}
	if v := os.Getenv("REDIS_PASSWORD"); v != "" {
		c.RedisPassword = v
	}
	return c
}
''', jwt=K(_rs(r, r.choice([32, 40, 64]))), redis=I(_ip4(r)), rpw=P(_pw(r, "alnum")),
        smtp=E(_email(r, "role")), rk=K(k_stripe(r)))


@_doc
def d_go_slack(r):
    return "internal/notify/slack.go", _fill(r'''package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// TODO(⟪who⟫): read from vault
const webhookURL = "https://hooks.slack.com/services/⟪hook⟫"

var httpClient = &http.Client{Timeout: 5 * time.Second}

type slackMsg struct {
	Text    string `json:"text"`
	Channel string `json:"channel,omitempty"`
}

func Slack(format string, args ...any) error {
	body, _ := json.Marshal(slackMsg{Text: fmt.Sprintf(format, args...)})
	resp, err := httpClient.Post(webhookURL, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack: unexpected status %s", resp.Status)
	}
	return nil
}
''', who=r.choice(_FIRST), hook=K(k_slack_hook(r)))


# ---- C# / .NET ----------------------------------------------------------------------------

@_doc
def d_appsettings(r):
    return "src/WebApi/appsettings.json", _fill(r'''{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=⟪ip⟫,1433;Database=TodoDb;User Id=sa;Password=⟪pw⟫;TrustServerCertificate=True;",
    "Redis": "localhost:6379"
  },
  "Jwt": {
    "Key": "⟪jwt⟫",
    "Issuer": "https://api.⟪dom⟫",
    "Audience": "todo-clients",
    "ExpiresMinutes": 60
  },
  "Smtp": {
    "Host": "smtp.office365.com",
    "Port": 587,
    "User": "⟪mail⟫",
    "Password": "⟪mpw⟫"
  },
  "SendGrid": {
    "ApiKey": "⟪sg⟫",
    "FromEmail": "⟪sgfrom⟫"
  },
  "Stripe": {
    "PublishableKey": "⟪pk⟫",
    "SecretKey": "⟪stripe⟫",
    "WebhookSecret": "${STRIPE_WEBHOOK_SECRET}"
  },
  "ApplicationInsights": {
    "InstrumentationKey": "⟪ikey⟫"
  }
}
''', ip=I(_ip4(r)), pw=P(_pw(r, syms="!#%&*_-@")), jwt=K(_rs(r, r.choice([32, 48, 64]))),
        dom=_domain(r), mail=E(_email(r, "corp")), mpw=P(_pw(r, syms="!#%&*_-")), ikey=n_uuid(r),
        sg=K(k_sendgrid(r)), sgfrom=E(_email(r, "role")), pk=n_pk_stripe(r), stripe=K(k_stripe(r)))


@_doc
def d_csharp_smtp(r):
    frm = _email(r, "free")
    raw = _pw(r, "cap_num_sym", syms="!#%&*")
    esc = raw[:3] + "\\\\" + raw[3:]
    return "Services/EmailService.cs", _fill(r'''using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;

namespace ContactForm.Services
{
    public class EmailService : IEmailService
    {
        private const string From = "⟪frm1⟫";

        public async Task SendAsync(string to, string subject, string html)
        {
            using var client = new SmtpClient("smtp-mail.outlook.com", 587)
            {
                EnableSsl = true,
                Credentials = new NetworkCredential("⟪frm2⟫", "⟪pw⟫")
            };
            var msg = new MailMessage(From, to, subject, html) { IsBodyHtml = true };
            msg.Bcc.Add("⟪bcc⟫");
            await client.SendMailAsync(msg);
        }
    }
}
''', frm1=E(frm), frm2=E(frm), pw=P(esc), bcc=E(_email(r)))


@_doc
def d_webconfig(r):
    return "LegacyPortal/Web.config", _fill(r'''<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="PortalDb"
         connectionString="Data Source=⟪ip⟫;Initial Catalog=Portal;User ID=portal_app;Password=⟪pw⟫;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="SendGridApiKey" value="⟪sg⟫" />
    <add key="PaymentGatewayMerchantId" value="⟪mid⟫" />
    <add key="PaymentGatewaySecret" value="⟪secret⟫" />
    <add key="RecaptchaSiteKey" value="⟪site⟫" />
  </appSettings>
  <system.web>
    <compilation debug="true" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" />
    <machineKey validationKey="⟪vk⟫" decryptionKey="⟪dk⟫" validation="HMACSHA256" decryption="AES" />
  </system.web>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" culture="neutral" />
        <bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
</configuration>
''', ip=I(_ip4(r)), pw=P(_pw_safe(r)), sg=K(k_sendgrid(r)), mid=r.randint(100000, 999999),
        secret=K(_rs(r, 32)), site=n_recaptcha_site(r), vk=K(_hex(r, 128).upper()),
        dk=K(_hex(r, 64).upper()))


@_doc
def d_azure_blob(r):
    acct = r.choice(_ORGWORDS) + r.choice(["storage", "files", "media", "sa"]) + str(r.randint(1, 99))
    return "Infrastructure/BlobStorage.cs", _fill(r'''using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Photos.Infrastructure;

public sealed class BlobStorage
{
    // TODO: move to Key Vault
    private const string ConnectionString =
        "DefaultEndpointsProtocol=https;AccountName=⟪acct⟫;AccountKey=⟪key⟫;EndpointSuffix=core.windows.net";

    private readonly BlobContainerClient _container;

    public BlobStorage(string container = "uploads")
    {
        _container = new BlobContainerClient(ConnectionString, container);
        _container.CreateIfNotExists(PublicAccessType.Blob);
    }

    public async Task<Uri> UploadAsync(Stream data, string name, string contentType)
    {
        var blob = _container.GetBlobClient($"{Guid.NewGuid()}/{name}");
        await blob.UploadAsync(data, new BlobHttpHeaders { ContentType = contentType });
        return blob.Uri;
    }
}
''', acct=acct, key=K(k_azure_storage(r)))


# ---- PHP ----------------------------------------------------------------------------------

@_doc
def d_php_config(r):
    return "includes/config.php", _fill(r'''<?php
// Database configuration
// $db_host = "localhost";
$db_host = "⟪ip⟫";
$db_user = "u⟪n⟫_shop";
$db_pass = '⟪pw⟫';
$db_name = "u⟪n2⟫_shop";

$conn = mysqli_connect($db_host, $db_user, $db_pass, $db_name);
if (!$conn) {
    die("Connection failed: " . mysqli_connect_error());
}
mysqli_set_charset($conn, "utf8");

define('SITE_URL', 'http://⟪ip2⟫/shop/');
define('ADMIN_EMAIL', '⟪mail⟫');
define('PAYPAL_SANDBOX', true);
session_start();
?>
''', ip=I(ip := _ip4(r)), ip2=I(ip), n=(n := r.randint(100000, 999999)), n2=n,
        pw=P(_pw(r, syms="!@#%&*_-")), mail=E(_email(r, "free")))


@_doc
def d_wp_config(r):
    salts = "\n".join(f"define( '{name}',{' ' * (17 - len(name))}'{K(k_wp_salt(r))}' );"
                      for name in ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                                   "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"])
    return "wp-config.php", _fill(r'''<?php
/**
 * The base configuration for WordPress
 *
 * @link https://wordpress.org/documentation/article/editing-wp-config-php/
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'wp_⟪site⟫' );

/** Database username */
define( 'DB_USER', 'wp_⟪site2⟫' );

/** Database password */
define( 'DB_PASSWORD', '⟪pw⟫' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 *
 * Change these to different unique phrases! You can generate these using
 * the {@link https://api.wordpress.org/secret-key/1.1/salt/ WordPress.org secret-key service}.
 *
 * @since 2.6.0
 */
⟪salts⟫

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'FS_METHOD', 'direct' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

require_once ABSPATH . 'wp-settings.php';
''', site=(s := r.choice(_ORGWORDS)), site2=s, pw=P(_pw(r, "random", syms="!#%&*_-@^(")), salts=salts)


@_doc
def d_laravel_env(r):
    mailpw = _pw_safe(r, "random")
    return ".env", _fill(r'''APP_NAME=Laravel
APP_ENV=local
APP_KEY=⟪appkey⟫
APP_DEBUG=true
APP_URL=http://⟪ip⟫

LOG_CHANNEL=stack
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=laravel
DB_USERNAME=root
DB_PASSWORD=⟪dbpw⟫

BROADCAST_DRIVER=log
CACHE_DRIVER=file
QUEUE_CONNECTION=sync
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.mailtrap.io
MAIL_PORT=2525
MAIL_USERNAME=⟪mu⟫
MAIL_PASSWORD=⟪mp⟫
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="⟪from⟫"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=⟪akid⟫
AWS_SECRET_ACCESS_KEY=⟪aws⟫
AWS_DEFAULT_REGION=us-east-1
AWS_BUCKET=
AWS_USE_PATH_STYLE_ENDPOINT=false

STRIPE_KEY=⟪pk⟫
STRIPE_SECRET=⟪stripe⟫

GITHUB_CLIENT_ID=⟪ghid⟫
GITHUB_CLIENT_SECRET=⟪ghsec⟫
GITHUB_REDIRECT_URI="${APP_URL}/auth/github/callback"

PUSHER_APP_ID=
PUSHER_APP_KEY=
PUSHER_APP_SECRET=
PUSHER_APP_CLUSTER=eu

VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
''', appkey=K(k_laravel(r)), ip=I(_ip4(r)), dbpw=P(_pw_safe(r)), mu=_hex(r, 14), mp=P(_hex(r, 14)),
        **{"from": E(_email(r, "role"))}, akid=K(k_aws_id(r)), aws=K(k_aws_secret(r)), pk=n_pk_stripe(r), stripe=K(k_stripe(r)),
        ghid=_hex(r, 20), ghsec=K(_hex(r, 40)))


@_doc
def d_phpmailer(r):
    user = _email(r, "free")
    return "contact/send.php", _fill(r'''<?php
use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\Exception;

require 'vendor/autoload.php';

if ($_SERVER["REQUEST_METHOD"] !== "POST") {
    http_response_code(405);
    exit;
}

$name    = htmlspecialchars($_POST['name'] ?? '');
$email   = filter_var($_POST['email'] ?? '', FILTER_VALIDATE_EMAIL);
$message = htmlspecialchars($_POST['message'] ?? '');

$mail = new PHPMailer(true);
try {
    $mail->isSMTP();
    $mail->Host       = 'smtp.gmail.com';
    $mail->SMTPAuth   = true;
    $mail->Username   = '⟪u1⟫';
    $mail->Password   = '⟪pw⟫';
    $mail->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS;
    $mail->Port       = 587;

    $mail->setFrom('⟪u2⟫', 'Portfolio Contact Form');
    $mail->addAddress('⟪to⟫', '⟪toname⟫');
    $mail->addReplyTo($email, $name);

    $mail->isHTML(true);
    $mail->Subject = "New message from $name";
    $mail->Body    = nl2br($message);
    $mail->send();
    header('Location: thanks.html');
} catch (Exception $e) {
    echo "Message could not be sent. Mailer Error: {$mail->ErrorInfo}";
}
''', u1=E(user), u2=E(user), pw=P(_pw(r, "app")), to=E(_email(r, "idn")),
        toname=" ".join(_person(r)).title())


@_doc
def d_php_forgot_neg(r):
    return "app/Http/Controllers/Auth/ForgotPasswordController.php", _fill(r'''<?php

namespace App\Http\Controllers\Auth;

use App\Http\Controllers\Controller;
use Illuminate\Foundation\Auth\SendsPasswordResetEmails;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Hash;
use Illuminate\Support\Facades\Password;

class ForgotPasswordController extends Controller
{
    use SendsPasswordResetEmails;

    /** @var string */
    protected $resetPasswordUrl = '/password/reset';

    public function sendResetLinkEmail(Request $request)
    {
        $request->validate(['email' => 'required|email']);
        $status = Password::sendResetLink($request->only('email'));

        return $status === Password::RESET_LINK_SENT
            ? back()->with(['status' => __($status)])
            : back()->withErrors(['email' => __($status)]);
    }

    public function updatePassword(Request $request)
    {
        $request->validate([
            'current_password' => 'required|current_password',
            'password' => 'required|confirmed|min:12',
        ]);
        $request->user()->forceFill([
            'password' => Hash::make($request->password),
            'remember_token' => null,
        ])->save();
        // seeded hash, see DatabaseSeeder: ⟪bc⟫
        return back()->with('status', 'password-updated');
    }

    public function apiToken(Request $request)
    {
        $token = $request->user()->createToken(config('app.name'), ['*'])->plainTextToken;
        return response()->json(['token' => $token, 'token_type' => 'Bearer', 'id' => '⟪uuid⟫']);
    }
}
''', bc=n_bcrypt(r), uuid=n_uuid(r))


# ---- Ruby ---------------------------------------------------------------------------------

@_doc
def d_rails_database_yml(r):
    return "config/database.yml", _fill(r'''default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: recipes_development
  username: recipes
  password: ⟪dev⟫
  host: localhost

test:
  <<: *default
  database: recipes_test
  username: recipes
  password: ⟪test⟫

production:
  <<: *default
  database: recipes_production
  username: recipes
  password: '⟪prod⟫'
  host: ⟪ip⟫
  port: 5432
''', dev=P(_pw_safe(r, "word_num")), test=P(_pw_safe(r, "word_num")),
        prod=P(_pw(r, "random", syms="!#%&*_-")), ip=I(_ip4(r)))


@_doc
def d_rails_secrets(r):
    return "config/secrets.yml", _fill(r'''# Be sure to restart your server when you modify this file.
#
# Your secret key is used for verifying the integrity of signed cookies.
# If you change this key, all old signed cookies will become invalid!
#
# Make sure the secret is at least 30 characters and all random,
# no regular words or you'll be exposed to dictionary attacks.
# You can use `rails secret` to generate a secure secret key.

development:
  secret_key_base: ⟪dev⟫
  stripe_secret_key: ⟪stripe⟫

test:
  secret_key_base: ⟪test⟫

# Do not keep production secrets in the unencrypted secrets file.
# Instead, either read values from the environment.
production:
  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
  stripe_secret_key: <%= ENV["STRIPE_SECRET_KEY"] %>
''', dev=K(_hex(r, 128)), test=K(_hex(r, 128)), stripe=K(k_stripe(r, live=False)))


@_doc
def d_rails_seeds(r):
    users = []
    for i in range(3):
        em, pw = _email(r), _pw(r, syms="!#%&*_-")
        users.append(f'''User.create!(
  name: "{' '.join(_person(r)).title()}",
  email: "{E(em)}",
  password: "{P(pw)}",
  password_confirmation: "{P(pw)}",
  admin: {"true" if i == 0 else "false"},
  activated: true,
  activated_at: Time.zone.now
)''')
    return "db/seeds.rb", _fill(r'''# This file should contain all the record creation needed to seed the database with its default values.
# The data can then be loaded with the bin/rails db:seed command.

⟪users⟫

# Generate a bunch of additional users.
99.times do |n|
  name  = Faker::Name.name
  email = Faker::Internet.unique.email
  User.create!(name: name, email: email, password: SecureRandom.hex(12),
               password_confirmation: nil, activated: true, activated_at: Time.zone.now)
end

users = User.order(:created_at).take(6)
50.times do
  content = Faker::Lorem.sentence(word_count: 5)
  users.each { |user| user.microposts.create!(content: content) }
end
''', users="\n\n".join(users))


@_doc
def d_ruby_script(r):
    key = k_mailgun(r)
    return "lib/tasks/newsletter.rake", _fill(r'''require "rest-client"

MAILGUN_API_KEY = "⟪key⟫"
MAILGUN_DOMAIN  = "mg.⟪dom⟫"

namespace :newsletter do
  desc "Send the weekly digest to all subscribers"
  task send: :environment do
    Subscriber.confirmed.find_each do |sub|
      RestClient.post "https://api:#{MAILGUN_API_KEY}@api.mailgun.net/v3/#{MAILGUN_DOMAIN}/messages",
                      from: "Weekly Digest <⟪from⟫>",
                      to: sub.email,
                      subject: "Your weekly digest",
                      html: DigestMailer.render(sub)
      sleep 0.2
    end
  end
end
''', key=K(key), dom=_domain(r), **{"from": E(_email(r, "role"))})


# ---- Shell --------------------------------------------------------------------------------

@_doc
def d_deploy_sh(r):
    pw = _pw(r, syms="!#%&*_-@")
    ip = _ip4(r)
    return "deploy.sh", _fill(r'''#!/usr/bin/env bash
# quick & dirty deploy for the club website
set -euo pipefail

HOST=⟪ip1⟫
USER=ubuntu
APP_DIR=/var/www/club

npm run build
tar czf build.tgz dist/

sshpass -p '⟪pw1⟫' scp -o StrictHostKeyChecking=no build.tgz $USER@$HOST:/tmp/
sshpass -p '⟪pw2⟫' ssh -o StrictHostKeyChecking=no $USER@⟪ip2⟫ "sudo tar xzf /tmp/build.tgz -C $APP_DIR --strip-components=1 && sudo systemctl reload nginx"

# db migrations
read -s -p "DB password: " DB_PASS; echo
ssh $USER@$HOST "PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -U club -d club -f /tmp/migrate.sql"

echo "deployed $(git rev-parse --short HEAD) to $HOST"
''', ip1=I(ip), ip2=I(ip), pw1=P(pw), pw2=P(pw))


@_doc
def d_backup_sh(r):
    dbpw = _pw(r, syms="!#%&*_-@")
    ftp_user = r.choice(_FIRST) + "_backup"
    ftp_pw = _pw_safe(r)
    return "scripts/backup.sh", _fill(r'''#!/bin/sh
# nightly backup, run from cron: 30 2 * * * /home/pi/scripts/backup.sh >> /var/log/backup.log 2>&1
DATE=$(date +%F)
DIR=/home/pi/backups
mkdir -p "$DIR"

mysqldump -h ⟪dbip⟫ -u nextcloud -p'⟪dbpw⟫' --single-transaction nextcloud | gzip > "$DIR/nextcloud-$DATE.sql.gz"
tar czf "$DIR/data-$DATE.tgz" /srv/nextcloud/data --exclude='*.part'

# offsite copy to the storage box
curl -sS -T "$DIR/nextcloud-$DATE.sql.gz" -u ⟪fu⟫:⟪fpw⟫ "ftp://⟪ftp⟫/backups/"
lftp -u "⟪fu2⟫,⟪fpw2⟫" -e "mirror -R --only-newer $DIR /backups; quit" sftp://⟪ftp2⟫

# keep 14 days
find "$DIR" -type f -mtime +14 -delete
sha256sum "$DIR"/*-"$DATE".* > "$DIR/SHA256SUMS-$DATE"
''', dbip=I(_ip4(r)), dbpw=P(dbpw), fu=ftp_user, fu2=ftp_user, fpw=P(ftp_pw), fpw2=P(ftp_pw),
        ftp=I(fip := _ip4(r)), ftp2=I(fip))


@_doc
def d_wireguard(r):
    endpoint = _ip4(r)
    return "vpn/setup-wg-client.sh", _fill(r'''#!/bin/bash
# Sets up the wireguard tunnel to the home server.
# Usage: sudo ./setup-wg-client.sh
set -e

apt-get install -y wireguard resolvconf

cat > /etc/wireguard/wg0.conf <<EOF
[Interface]
PrivateKey = ⟪priv⟫
Address = 10.8.0.⟪n⟫/24
DNS = ⟪res⟫

[Peer]
PublicKey = ⟪pub⟫
PresharedKey = ⟪psk⟫
Endpoint = ⟪ep⟫:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
EOF

chmod 600 /etc/wireguard/wg0.conf
systemctl enable --now wg-quick@wg0
wg show
''', priv=K(k_wg(r)), n=r.randint(2, 250), res=_resolver(r), pub=k_wg(r), psk=K(k_wg(r)),
        ep=I(endpoint))


@_doc
def d_zshrc(r):
    return "dotfiles/.zshrc", _fill(r'''# Path to your oh-my-zsh installation.
export ZSH="$HOME/.oh-my-zsh"
ZSH_THEME="robbyrussell"
plugins=(git docker kubectl z fzf)
source $ZSH/oh-my-zsh.sh

export EDITOR=nvim
export GOPATH=$HOME/go
export PATH=$HOME/.local/bin:$GOPATH/bin:$HOME/.cargo/bin:$PATH
export HISTSIZE=50000

# tokens (TODO move to pass/1password)
export GITHUB_TOKEN=⟪gh⟫
export OPENAI_API_KEY="⟪oai⟫"
export HF_TOKEN=⟪hf⟫
export ANTHROPIC_API_KEY=$(security find-generic-password -s anthropic -w)
export DIGITALOCEAN_ACCESS_TOKEN=⟪do⟫
export SLACK_TOKEN='⟪slack⟫'

alias k=kubectl
alias gs="git status -sb"
alias vpn="sudo wg-quick up wg0"
alias prod="ssh -i ~/.ssh/id_ed25519 root@⟪ip⟫"

[ -f ~/.fzf.zsh ] && source ~/.fzf.zsh
eval "$(pyenv init -)"
''', gh=K(k_ghp(r)), oai=K(k_openai(r)), hf=K(k_hf(r)), do=K(k_do(r)), ip=I(_ip4(r)), slack=K(k_slack_user(r)))


# ---- YAML / JSON / ini configs ------------------------------------------------------------

@_doc
def d_compose(r):
    pg = _pw_safe(r)
    mq = _pw_safe(r, "alnum")
    return "docker-compose.yml", _fill(r'''version: "3.8"

services:
  db:
    image: postgres:15
    restart: always
    environment:
      POSTGRES_USER: wiki
      POSTGRES_PASSWORD: ⟪pg1⟫
      POSTGRES_DB: wiki
    volumes:
      - db-data:/var/lib/postgresql/data

  wiki:
    image: ghcr.io/requarks/wiki:2
    depends_on: [db]
    environment:
      DB_TYPE: postgres
      DB_HOST: db
      DB_PORT: 5432
      DB_USER: wiki
      DB_PASS: ⟪pg2⟫
      DB_NAME: wiki
    ports:
      - "80:3000"

  pgadmin:
    image: dpage/pgadmin4:8.1
    environment:
      PGADMIN_DEFAULT_EMAIL: ⟪pga⟫
      PGADMIN_DEFAULT_PASSWORD: "⟪pgapw⟫"
    ports:
      - "5050:80"

  rabbitmq:
    image: rabbitmq:3.12-management@sha256:⟪digest⟫
    environment:
      - RABBITMQ_DEFAULT_USER=wiki
      - RABBITMQ_DEFAULT_PASS=⟪mq⟫
    ports:
      - "15672:15672"

  redis:
    image: redis:7-alpine
    command: redis-server --requirepass ⟪redis⟫ --appendonly yes

  n8n:
    image: n8nio/n8n:1.22.6
    environment:
      - N8N_ENCRYPTION_KEY=⟪n8n⟫
      - N8N_BASIC_AUTH_USER=⟪n8nuser⟫
      - N8N_BASIC_AUTH_PASSWORD=⟪n8npw⟫
      - WEBHOOK_URL=https://n8n.⟪dom⟫/
    ports:
      - "5678:5678"

volumes:
  db-data:
''', pg1=P(pg), pg2=P(pg), pga=E(_email(r)), pgapw=P(_pw(r, syms="!#%&*_-@")), digest=_hex(r, 64),
        mq=P(mq), redis=P(_pw_safe(r, "random")), n8n=K(_rs(r, 32)), n8nuser=r.choice(_FIRST),
        n8npw=P(_pw_safe(r)), dom=_domain(r))


@_doc
def d_gh_workflow(r):
    return ".github/workflows/deploy.yml", _fill(r'''name: Deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  IMAGE: ghcr.io/${{ github.repository }}
  NODE_VERSION: 20.10.0

jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: ${{ env.NODE_VERSION }}
          cache: npm
      - run: npm ci && npm test
      - uses: codecov/codecov-action@v3
        with:
          token: ⟪codecov⟫
      - uses: docker/login-action@343f7c4344506bcbf9b4de18042ae17996df046d # v3.0.0
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: projects/⟪projnum⟫/locations/global/workloadIdentityPools/github/providers/github
          service_account: ⟪gsa⟫
      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: ${{ env.IMAGE }}:${{ github.sha }}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - name: Deploy over SSH
        uses: appleboy/ssh-action@v1.0.0
        with:
          host: ⟪ip⟫
          username: deploy
          password: ⟪pw⟫
          port: 22
          script: |
            docker pull ${{ env.IMAGE }}:${{ github.sha }}
            docker compose -f /opt/app/docker-compose.yml up -d
      - name: Notify
        if: always()
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data '{"text":"deploy ${{ job.status }}"}' \
            https://hooks.slack.com/services/⟪hook⟫
''', ip=I(_ip4(r)), pw=P(_pw_safe(r)), hook=K(k_slack_hook(r)), codecov=n_uuid(r),
        projnum=r.randint(10 ** 11, 10 ** 12 - 1), gsa=E(_email(r, "gsa")))


@_doc
def d_gitlab_ci(r):
    return ".gitlab-ci.yml", _fill(r'''stages:
  - test
  - build
  - release

variables:
  DOCKER_DRIVER: overlay2
  POSTGRES_DB: ci
  POSTGRES_USER: ci
  POSTGRES_PASSWORD: ⟪pgpw⟫
  DATABASE_URL: "postgresql://ci:⟪pgpw2⟫@postgres:5432/ci"
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"

test:
  stage: test
  image: python:3.11-slim
  services:
    - postgres:15
  script:
    - pip install -r requirements-dev.txt
    - pytest -q --cov=app

build:
  stage: build
  image: docker:24.0.7
  services: [docker:24.0.7-dind]
  script:
    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA

pages-mirror:
  stage: release
  image: alpine/git
  variables:
    GITHUB_MIRROR_TOKEN: "⟪ghtok⟫"
  script:
    - git push --mirror https://oauth2:⟪gltok⟫@gitlab.com/⟪grp⟫/docs.git
  only:
    - tags
''', pgpw=P(pg := _pw_safe(r, "alnum")), pgpw2=P(pg), ghtok=K(k_gh_fine(r)), gltok=K(k_glpat(r)),
        grp=r.choice(_ORGWORDS) + "-" + r.choice(_ORGSUFFIX))


@_doc
def d_k8s_secret(r):
    return "k8s/overlays/staging/secrets.yaml", _fill(r'''apiVersion: v1
kind: Secret
metadata:
  name: api-secrets
  namespace: staging
type: Opaque
stringData:
  DATABASE_USER: api
  DATABASE_PASSWORD: "⟪dbpw⟫"
  SENTRY_DSN: "⟪dsn⟫"
  MAPS_API_KEY: "⟪gkey⟫"
  SLACK_BOT_TOKEN: "⟪slack⟫"
  JWT_SIGNING_KEY: "⟪jwtkey⟫"
  STRIPE_API_KEY: "⟪rk⟫"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: staging
data:
  DATABASE_HOST: "⟪dbhost⟫"
  LOG_LEVEL: info
  UPSTREAM_DNS: "⟪res⟫"
  IMAGE_DIGEST: "sha256:⟪dig⟫"
  CONFIG_CHECKSUM: "⟪sum⟫"
''', dbpw=P(_pw(r, "random", syms="!#%&*_-")), dsn=n_sentry_dsn(r), gkey=K(k_google(r)),
        slack=K(k_slack_bot(r)), jwtkey=K(_b64(r, 32)), rk=K("rk_live_" + _rs(r, 99)), dbhost=_priv4(r), res=_resolver(r), dig=_hex(r, 64), sum=_hex(r, 40))


@_doc
def d_ansible_inventory(r):
    hosts = []
    become = _pw_safe(r)
    for i in range(3):
        hosts.append(f"web{i + 1} ansible_host={I(_ip4(r))} ansible_user=admin "
                     f"ansible_password={P(_pw_safe(r))} ansible_become_pass={P(become)}")
    return "ansible/inventory/production.ini", _fill(r'''[web]
⟪hosts⟫

[db]
db1 ansible_host=⟪dbip⟫ ansible_user=postgres ansible_ssh_private_key_file=~/.ssh/prod_db

[monitoring]
grafana ansible_host=⟪mon⟫ ansible_port=2222

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ntp_server=pool.ntp.org
dns_servers=['⟪res⟫', '1.1.1.1']
''', hosts="\n".join(hosts), dbip=_priv4(r), mon=I(_ip4(r)), res=_resolver(r))


@_doc
def d_helm_values(r):
    return "charts/gitea/values-prod.yaml", _fill(r'''replicaCount: 1

image:
  repository: gitea/gitea
  tag: "1.21.3"
  pullPolicy: IfNotPresent

gitea:
  admin:
    username: gitea_admin
    password: "⟪admin⟫"
    email: "⟪mail⟫"
  config:
    security:
      SECRET_KEY: ⟪gsk⟫
      INTERNAL_TOKEN: ⟪itok⟫
    server:
      DOMAIN: git.⟪dom⟫
      ROOT_URL: https://git.⟪dom2⟫/
    mailer:
      ENABLED: true
      SMTP_ADDR: smtp.⟪dom3⟫
      USER: ⟪mail2⟫
      PASSWD: "⟪smtp⟫"

postgresql:
  enabled: true
  global:
    postgresql:
      auth:
        username: gitea
        password: ⟪pg⟫
        database: gitea
  primary:
    persistence:
      size: 20Gi

service:
  ssh:
    type: LoadBalancer
    loadBalancerIP: ⟪lb⟫
    loadBalancerSourceRanges:
      - ⟪office⟫/32
      - 10.0.0.0/8

ingress:
  enabled: true
  className: nginx
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt-prod
''', admin=P(_pw(r, syms="!#%&*_-")), mail=E(m := _email(r, "role")), mail2=E(m),
        dom=(d := _domain(r)), dom2=d, dom3=d, smtp=P(_pw(r, "random", syms="!#%&*_-")),
        pg=P(_pw_safe(r, "alnum")), lb=I(_ip4(r)), office=I(_ip4(r)), gsk=K(_rs(r, 64)),
        itok=K(k_jwt(r, {"nbf": r.randint(1_650_000_000, 1_700_000_000)})))


@_doc
def d_bot_config_json(r):
    return "config.json", _fill(r'''{
  "token": "⟪tok⟫",
  "clientId": "⟪cid⟫",
  "guildId": "⟪gid⟫",
  "prefix": "?",
  "ownerEmail": "⟪mail⟫",
  "mongoURI": "mongodb://bot:⟪pw⟫@⟪ip⟫:27017/botdb?authSource=admin",
  "openWeatherKey": "⟪owm⟫",
  "colors": { "ok": "#57F287", "error": "#ED4245" },
  "version": "3.2.0"
}
''', tok=K(k_discord(r)), cid=r.randint(10 ** 17, 10 ** 18), gid=r.randint(10 ** 17, 10 ** 18),
        mail=E(_email(r, "free")), pw=P(_pw_url(r)[1]), ip=I(_ip4(r)), owm=K(_hex(r, 32)))


@_doc
def d_pypirc(r):
    return ".pypirc", _fill(r'''[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = ⟪pypi⟫

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = ⟪test⟫

[internal]
repository = http://⟪ip⟫:8080/
username = ⟪user⟫
password = ⟪pw⟫
''', pypi=K(k_pypi(r)), test=K(k_pypi(r)), ip=I(_ip4(r)), user=r.choice(_FIRST),
        pw=P(_pw_safe(r)))


@_doc
def d_nginx(r):
    return "deploy/nginx/site.conf", _fill(r'''upstream app_servers {
    least_conn;
    server ⟪p1⟫:8000 max_fails=3 fail_timeout=30s;
    server ⟪p2⟫:8000 max_fails=3 fail_timeout=30s;
    server ⟪pub⟫:8000 backup;
}

server {
    listen 80;
    listen [::]:80;
    server_name ⟪dom⟫ www.⟪dom2⟫;
    return 301 https://$host$request_uri;
}

server {
    listen ⟪ip⟫:443 ssl http2;
    listen [⟪ip6⟫]:443 ssl http2;
    server_name ⟪dom3⟫;

    ssl_certificate     /etc/letsencrypt/live/⟪dom4⟫/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/⟪dom5⟫/privkey.pem;
    resolver ⟪res⟫ 1.1.1.1 valid=300s;

    location /admin/ {
        allow ⟪office⟫;
        allow 10.0.0.0/8;
        deny all;
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://app_servers;
    }

    location / {
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_pass http://app_servers;
    }

    set_real_ip_from ⟪cg⟫;
    real_ip_header X-Forwarded-For;
}
''', p1=_priv4(r), p2=_priv4(r), pub=I(_ip4(r)), dom=(d := _domain(r)), dom2=d, dom3=d, dom4=d,
        dom5=d, ip=I(_ip4(r)), ip6=I(_ip6(r)), res=_resolver(r), office=I(_ip4(r)), cg=_cgnat(r))


@_doc
def d_gcp_sa(r):
    proj = f"{r.choice(_ORGWORDS)}-{r.choice(['prod', 'dev', 'analytics'])}-{r.randint(100000, 999999)}"
    sa = f"{r.choice(['ci-deployer', 'bq-loader', 'terraform', 'uploader'])}@{proj}.iam.gserviceaccount.com"
    return "credentials/service-account.json", _fill(r'''{
  "type": "service_account",
  "project_id": "⟪proj⟫",
  "private_key": "⟪pk⟫\n",
  "client_email": "⟪sa⟫",
  "client_id": "⟪cid⟫",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
''', proj=proj, pk=K(k_privkey(r, "PRIVATE KEY", nl="\\n")), sa=E(sa),
        cid=r.randint(10 ** 20, 10 ** 21 - 1))


# ---- Markdown -----------------------------------------------------------------------------

@_doc
def d_readme_setup(r):
    em = _email(r, "corp")
    pw = _pw(r, syms="!#%&*_-")
    demo_user = _email(r, "corp")
    demo_pw = _pw_safe(r, "word_num")
    return "README.md", _fill(r'''# Clinic Appointments

Small appointment booking system for the ⟪town⟫ physiotherapy clinic (final-year project).

![screenshot](docs/img/dashboard@2x.png)

## Getting started

```bash
git clone git@github.com:⟪gh⟫/clinic-appointments.git
cd clinic-appointments
cp .env.example .env        # then edit DB_PASSWORD etc.
docker compose up -d
npm install && npm run dev
```

Requires Node >= 18 and `pnpm@8.6.0` (or npm 9).

## Demo accounts

| Role          | Email                       | Password        |
|---------------|-----------------------------|-----------------|
| Admin         | ⟪em⟫ | `⟪pw⟫` |
| Receptionist  | ⟪demo⟫ | `⟪demopw⟫` |
| Patient       | *(register yourself)*       | —               |

The admin password is reset every night on the demo server at http://⟪ip⟫:3000.

## API

```bash
curl -u ⟪em2⟫:⟪pw2⟫ http://⟪ip2⟫:3000/api/appointments?date=2024-03-01
```

Passwords are stored as bcrypt hashes (`$2b$10$...`), never in plain text.
Set `JWT_SECRET` in `.env`; see `.env.example` for the full list (`DB_PASSWORD=<your password>`).

## Contributors

- ⟪c1n⟫ (<⟪c1⟫>)
- ⟪c2n⟫ (<⟪c2⟫>)
- Based on the template by @⟪handle⟫
''', town=r.choice(["Braga", "Tartu", "Ghent", "Leiden", "Kraków", "Aarhus", "Pune", "Cork"]),
        gh=r.choice(_FIRST) + r.choice(_LAST), em=E(em), pw=P(pw), demo=E(demo_user),
        demopw=P(demo_pw), ip=I(ip := _ip4(r)), em2=E(em), pw2=P(pw), ip2=I(ip),
        c1n=" ".join(_person(r)).title(), c1=E(_email(r, "idn")), c2n=" ".join(_person(r)).title(),
        c2=E(_email(r, "free")), handle=r.choice(_FIRST) + "-" + r.choice(_ORGWORDS))


@_doc
def d_deployment_md(r):
    ip = _ip4(r)
    return "docs/deployment.md", _fill(r'''# Deployment notes

Production runs on a single Hetzner CX21 (`⟪ip1⟫`, IPv6 `⟪ip6⟫`), staging on the
old DigitalOcean droplet `⟪stg⟫`.

## Access

```
ssh deploy@⟪ip2⟫
# or via the bastion
ssh -J ops@⟪bastion⟫ deploy@10.0.1.12
```

Ask ⟪who⟫ (⟪mail⟫) to add your key to `~/.ssh/authorized_keys`.

## Database

Postgres 15 listens on `127.0.0.1:5432` only; tunnel with

```
ssh -L 5433:localhost:5432 deploy@⟪ip3⟫
psql "postgresql://app:⟪pw⟫@localhost:5433/app"
```

(the app logs it as `postgresql://app:********@localhost:5432/app`, that's expected)

## Firewall

| Port | Source               | Why              |
|------|----------------------|------------------|
| 22   | ⟪office⟫/32 | office only      |
| 443  | 0.0.0.0/0            | web              |
| 9100 | 10.0.0.0/16          | node_exporter    |

The example ranges in the ufw docs (`192.0.2.0/24`, `198.51.100.0/24`) are **not** ours.
DNS resolvers: `⟪res⟫`, `1.1.1.1`.
''', ip1=I(ip), ip2=I(ip), ip3=I(ip), ip6=I(_ip6(r)), stg=I(_ip4(r)), bastion=I(_ip4(r)),
        who=r.choice(_FIRST).title(), mail=E(_email(r, "idn")), pw=P(_pw_url(r)[1]),
        office=I(_ip4(r)), res=_resolver(r))


@_doc
def d_changelog_neg(r):
    return "CHANGELOG.md", _fill(r'''# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

## [2.3.0] - 2024-02-11
### Added
- `reset_password_url` setting and the `PasswordResetToken` model (#412, ⟪c1⟫)
- Support for `argon2id` password hashes; bcrypt hashes are migrated on next login.
- `--api-key-file` CLI flag, so the API key no longer has to be passed on the command line.

### Changed
- Bumped `axios@1.6.5`, `lodash@4.17.21` and `jsonwebtoken@9.0.2` (@dependabot).
- Docker image now pinned to `node:20.10.0-alpine@sha256:⟪dig⟫`.
- Windows build targets `10.0.19041.0`; Electron `28.1.3`.

### Fixed
- Login form no longer shows the password in the URL on error (⟪c2⟫).
- `getSecretKey()` returned the key id instead of the secret (#398).
- Healthcheck used `0.0.0.0` instead of `127.0.0.1`.

## [2.2.1] - 2023-12-02
### Security
- Tokens are now compared with `hmac.compare_digest` (GHSA-⟪ghsa⟫).
- Upgraded `openssl` to 3.0.12 (CVE-2023-5363).

[2.3.0]: https://github.com/⟪org⟫/⟪repo⟫/compare/v2.2.1...v2.3.0
[2.2.1]: https://github.com/⟪org2⟫/⟪repo2⟫/compare/⟪s1⟫...⟪s2⟫
''', c1=_hex(r, 7), c2=_hex(r, 7), dig=_hex(r, 64),
        ghsa="-".join(_rs(r, 4, "23456789cfghjmpqrvwx") for _ in range(3)),
        org=(o := r.choice(_ORGWORDS) + r.choice(_ORGSUFFIX)), org2=o, repo=(p := r.choice(["relay", "kiosk", "ledger"])),
        repo2=p, s1=_hex(r, 40), s2=_hex(r, 40))


@_doc
def d_so_snippet(r):
    pw = _pw(r, syms="!#%&*_-")
    return "notes/mysql-access-denied.md", _fill(r'''## MySQL: Access denied for user 'root'@'localhost' (using password: YES)

I get this error with the code below even though I can log in with MySQL Workbench.

```python
import mysql.connector

mydb = mysql.connector.connect(
  host="⟪ip⟫",
  user="root",
  password="⟪pw⟫",
  database="school"
)
```

**Fix** (what worked for me): create a dedicated user instead of using root, e.g.

```sql
CREATE USER 'school'@'%' IDENTIFIED BY '⟪pw2⟫';
GRANT ALL PRIVILEGES ON school.* TO 'school'@'%';
FLUSH PRIVILEGES;
```

and make sure `bind-address = 0.0.0.0` in `mysqld.cnf`. Also check `SELECT user, host, plugin FROM mysql.user;`
— if root uses `auth_socket` you have to `ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY '⟪pw3⟫';`
''', ip=I(_ip4(r)), pw=P(pw), pw2=P(_pw(r, syms="!#%&*_-")), pw3=P(pw))


# ---- Other: Dockerfile, Terraform, SQL, Swift, Rust, logs, keys ---------------------------

@_doc
def d_dockerfile(r):
    return "Dockerfile", _fill(r'''FROM node:20.10-alpine@sha256:⟪dig⟫ AS build
WORKDIR /app
ARG NPM_TOKEN=⟪npm⟫
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc
COPY package*.json ./
RUN npm ci && rm -f .npmrc
COPY . .
RUN npm run build

FROM node:20.10-alpine
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    DB_HOST=db \
    DB_USER=app \
    DB_PASSWORD=⟪pw⟫ \
    SESSION_SECRET=⟪sess⟫
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
LABEL maintainer="⟪mail⟫" \
      org.opencontainers.image.version="1.8.0" \
      org.opencontainers.image.revision="⟪rev⟫"
HEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/health || exit 1
EXPOSE 3000
CMD ["node", "dist/main.js"]
''', dig=_hex(r, 64), npm=K(k_npm(r)), pw=P(_pw_safe(r)), sess=K(_rs(r, 40)),
        mail=E(_email(r)), rev=_hex(r, 40))


@_doc
def d_terraform(r):
    return "infra/main.tf", _fill(r'''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.31"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 4.20"
    }
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.34"
    }
  }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "⟪akid⟫"
  secret_key = "⟪secret⟫"
}

provider "cloudflare" {
  api_token = "⟪cf⟫"
}

provider "digitalocean" {
  token = "⟪do⟫"
}

resource "aws_security_group" "ssh" {
  name = "allow-ssh-home"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks      = ["⟪home⟫/32"]
    ipv6_cidr_blocks = ["⟪v6⟫/128"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "main" {
  identifier          = "blog-db"
  engine              = "postgres"
  engine_version      = "15.4"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "blog"
  password            = "⟪dbpw⟫"
  skip_final_snapshot = true
  kms_key_id          = "⟪kms⟫"
  vpc_security_group_ids = [aws_security_group.ssh.id]
}

resource "aws_eip" "web" {
  domain = "vpc"
  tags = {
    Name  = "web"
    Owner = "⟪owner⟫"
  }
}
''', akid=K(k_aws_id(r)), secret=K(k_aws_secret(r)), home=I(_ip4(r)),
        dbpw=P(_pw(r, r.choice(["cap_num_sym", "two_words", "random"]), syms="!#%&*_-")),
        kms=n_kms_arn(r), owner=E(_email(r, "corp")), v6=I(_ip6(r)),
        cf=K(_rs(r, 40, _URLSAFE)), do=K(k_do(r)))


@_doc
def d_sql_seed(r):
    rows = ",\n".join(f"  ('{E(_email(r))}', '{n_bcrypt(r)}', '{role}', NOW())"
                      for role in ["admin", "staff", "customer", "customer"])
    return "db/init.sql", _fill(r'''-- init.sql: executed by docker-entrypoint on first start
CREATE DATABASE IF NOT EXISTS bookshop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'bookshop'@'%' IDENTIFIED BY '⟪pw⟫';
CREATE USER IF NOT EXISTS 'report'@'⟪rip⟫' IDENTIFIED BY '⟪rpw⟫';
GRANT ALL PRIVILEGES ON bookshop.* TO 'bookshop'@'%';
GRANT SELECT ON bookshop.* TO 'report'@'⟪rip2⟫';
FLUSH PRIVILEGES;

USE bookshop;

CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash CHAR(60) NOT NULL,
  role ENUM('admin','staff','customer') NOT NULL DEFAULT 'customer',
  created_at DATETIME NOT NULL
);

INSERT INTO users (email, password_hash, role, created_at) VALUES
⟪rows⟫;
''', pw=P(_pw(r, syms="!#%&*_-")), rip=I(ri := _ip4(r)), rip2=I(ri), rpw=P(_pw(r, syms="!#%&*_-")),
        rows=rows)


@_doc
def d_swift(r):
    return "NewsReader/Config/Secrets.swift", _fill(r'''//
//  Secrets.swift
//  NewsReader
//
//  Created by ⟪name⟫ on 14/03/2023.
//

import Foundation

enum Secrets {
    static let newsAPIKey = "⟪news⟫"
    static let supabaseURL = URL(string: "https://⟪ref⟫.supabase.co")!
    static let supabaseServiceKey = "⟪supa⟫"
    static let bundleVersion = "⟪ver⟫"
    static let deviceCheckTeamID = "⟪team⟫"
}
''', name=" ".join(_person(r)).title(), news=K(_hex(r, 32)),
        ref=_rs(r, 20, _LOW), supa=K(k_jwt(r, {"iss": "supabase", "ref": _rs(r, 20, _LOW),
                                               "role": "service_role",
                                               "iat": r.randint(1_650_000_000, 1_700_000_000),
                                               "exp": r.randint(1_950_000_000, 2_050_000_000)})),
        ver=n_ver4(r), team=_rs(r, 10, _UP + _DIG))


@_doc
def d_rust(r):
    pw = _pw(r, syms="!*_-.")
    return "src/main.rs", _fill(r'''use axum::{routing::get, Router};
use sqlx::postgres::PgPoolOptions;
use std::net::SocketAddr;

const DATABASE_URL: &str = "postgres://rustapp:⟪pw⟫@⟪ip⟫:5432/rustapp";
const ADMIN_TOKEN: &str = "⟪tok⟫";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DATABASE_URL.to_string());
    let pool = PgPoolOptions::new().max_connections(5).connect(&url).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;

    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/admin/stats", get(handlers::stats))
        .with_state(AppState { pool, admin_token: ADMIN_TOKEN.into() });

    let addr = SocketAddr::from(([0, 0, 0, 0], 8080));
    tracing::info!("listening on {}", addr);
    axum::Server::bind(&addr).serve(app.into_make_service()).await?;
    Ok(())
}
''', pw=P(pw), ip=I(_ip4(r)), tok=K(_hex(r, 64)))


@_doc
def d_access_log(r):
    agents = ['"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"',
              '"curl/8.4.0"', '"python-requests/2.31.0"',
              '"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"']
    paths = ["/", "/wp-login.php", "/api/v1/items?page=2", "/.env", "/static/app.3f9a1c.js",
             "/login", "/admin/"]
    lines = []
    for i in range(8):
        ip = I(_ip6(r)) if i == 5 else (_priv4(r) if i == 3 else I(_ip4(r)))
        lines.append(f'{ip} - - [1{r.randint(0, 9)}/Jan/2024:0{r.randint(0, 9)}:{r.randint(10, 59)}:'
                     f'{r.randint(10, 59)} +0000] "GET {r.choice(paths)} HTTP/1.1" '
                     f'{r.choice([200, 200, 301, 404, 403])} {r.randint(150, 9000)} "-" {r.choice(agents)}')
    return "logs/sample_access.log", "\n".join(lines) + "\n"


@_doc
def d_tls_test_fixture(r):
    return "tests/test_tls_config.py", _fill(r'''import ssl
import tempfile

import pytest

from myproxy.tls import load_server_context

# self-signed pair generated with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256`
TEST_CERT = """⟪cert⟫
"""

TEST_KEY = """⟪key⟫
"""


@pytest.fixture
def cert_files():
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as c, \
            tempfile.NamedTemporaryFile("w", suffix=".key") as k:
        c.write(TEST_CERT)
        k.write(TEST_KEY)
        c.flush()
        k.flush()
        yield c.name, k.name


def test_context_loads(cert_files):
    ctx = load_server_context(*cert_files)
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
''', cert=n_cert(r), key=K(k_privkey(r, "EC PRIVATE KEY")))


@_doc
def d_deploy_key(r):
    return "deploy/keys/id_ed25519", K(k_privkey(r, "OPENSSH PRIVATE KEY")) + "\n"


@_doc
def d_authorized_keys_neg(r):
    lines = [n_ssh_pub(r, f"{r.choice(_FIRST)}@{r.choice(['laptop', 'thinkpad', 'macbook-pro', 'desktop', 'ci-runner'])}")
             for _ in range(3)]
    return "provisioning/files/authorized_keys", _fill(r'''# managed by ansible - do not edit by hand
⟪l0⟫
⟪l1⟫
# ci (read-only deploys)
from="⟪priv⟫",no-agent-forwarding,no-pty ⟪l2⟫
''', l0=lines[0], l1=lines[1], l2=lines[2], priv=_priv4(r))


@_doc
def d_colab_train(r):
    return "train_lora.py", _fill(r'''# -*- coding: utf-8 -*-
"""train_lora.ipynb

Automatically generated by Colaboratory.

Original file is located at
    https://colab.research.google.com/drive/⟪colab⟫
"""

!pip install -q transformers==4.36.2 peft==0.7.1 datasets accelerate bitsandbytes wandb

!huggingface-cli login --token ⟪hf⟫

import wandb
wandb.login(key="⟪wandb⟫")

from datasets import load_dataset
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments, Trainer

model_id = "mistralai/Mistral-7B-v0.1"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, load_in_8bit=True, device_map="auto")
model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"],
                                         lora_dropout=0.05, task_type="CAUSAL_LM"))

ds = load_dataset("json", data_files="recipes.jsonl")["train"].train_test_split(test_size=0.05)
args = TrainingArguments("out", per_device_train_batch_size=4, num_train_epochs=2,
                         learning_rate=2e-4, fp16=True, report_to="wandb", run_name="lora-recipes")
Trainer(model=model, args=args, train_dataset=ds["train"], eval_dataset=ds["test"]).train()
model.push_to_hub("⟪user⟫/mistral-recipes-lora", token="⟪hf2⟫")
''', colab=_rs(r, 33, _URLSAFE), hf=K(h := k_hf(r)), hf2=K(h), wandb=K(_hex(r, 40)),
        user=r.choice(_FIRST) + r.choice(["", "ml", str(r.randint(1, 99))]))


@_doc
def d_docker_config_json(r):
    user = r.choice(_FIRST) + r.choice(_LAST)
    pw = _pw(r, syms="!#%&*_-")
    return "ci/docker/config.json", _fill(r'''{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "⟪hub⟫"
		},
		"registry.⟪dom⟫": {
			"auth": "⟪reg⟫"
		},
		"ghcr.io": {}
	},
	"credsStore": "desktop",
	"currentContext": "default"
}
''', hub=K(k_basic(user, pw)), dom=_domain(r), reg=K(k_basic("ci", _pw_safe(r))))


@_doc
def d_http_file(r):
    user = _email(r, "corp")
    pw = _pw(r, syms="!#%&*_-")
    return "api-tests/orders.http", _fill(r'''### variables
@host = http://⟪ip⟫:8080
@contentType = application/json

### login
POST {{host}}/api/auth/login
Content-Type: {{contentType}}

{
  "email": "⟪em⟫",
  "password": "⟪pw⟫"
}

### list orders (token from the login above, valid 24h)
GET {{host}}/api/orders?status=open
Authorization: Bearer ⟪jwt⟫

### legacy admin endpoint
GET {{host}}/admin/metrics
Authorization: Basic ⟪basic⟫

### create order
POST {{host}}/api/orders
Authorization: Bearer {{auth_token}}
Content-Type: {{contentType}}
Idempotency-Key: ⟪uuid⟫

{
  "sku": "SKU-⟪sku⟫",
  "qty": 2
}
''', ip=I(_ip4(r)), em=E(user), pw=P(pw), jwt=K(k_jwt(r)),
        basic=K(k_basic("admin", _pw(r, syms="!#%&*_-"))), uuid=n_uuid(r), sku=r.randint(10000, 99999))


# ------------------------------------------------------------------------------ the set

def testset10_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset10:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t10-{i:02d}/{path}", marked))
    return docs


def _check(docs: list[LabelledDoc] | None = None) -> None:
    """Self-validation: unique names, sane non-overlapping spans, no markers left, every repeat of
    a planted value inside its document labelled too, planted IPs public."""
    docs = testset10_documents() if docs is None else docs
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left"
        assert "⟪" not in d.text and "⟫" not in d.text, f"{d.name}: template slot left"
        spans = sorted(d.spans, key=lambda s: (s[1], s[2]))
        for kind, s, e in spans:
            assert kind in ("email", "ip_address", "key", "password"), kind
            assert 0 <= s < e <= len(d.text), f"{d.name}: empty/out-of-range span"
            v = d.text[s:e]
            assert v == v.strip() and v, f"{d.name}: span has surrounding whitespace: {v!r}"
        for (_, s1, e1), (_, s2, e2) in zip(spans, spans[1:]):
            assert e1 <= s2, f"{d.name}: overlapping spans {d.text[s1:e1]!r} / {d.text[s2:e2]!r}"
        for kind, s, e in spans:
            v = d.text[s:e]
            if kind == "ip_address":
                ipaddress.ip_address(v)
                assert _public(v), f"{d.name}: non-public ip planted {v}"
            start = 0
            while (j := d.text.find(v, start)) != -1:
                assert any(a <= j and j + len(v) <= b for _, a, b in spans), \
                    f"{d.name}: unlabelled repeat of {kind} {v!r} at {j}"
                start = j + 1
            if kind == "email":
                assert "@" in v and not re.search(r"@(example|test|invalid|localhost)\b", v), v


if __name__ == "__main__":
    _docs = testset10_documents()
    _check(_docs)
    _c = Counter(k for d in _docs for k, _, _ in d.spans)
    print(f"documents: {len(_docs)}  spans: {sum(_c.values())}  "
          f"no-positive documents: {sum(1 for d in _docs if not d.spans)}")
    for _k in ("email", "ip_address", "key", "password"):
        print(f"  {_k:11} {_c[_k]}")
