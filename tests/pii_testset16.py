"""Blind labelled test set 16 for the PII/secret scrubber.

About ninety documents, each imitating one file drawn at random from a crawl of permissively
licensed GitHub repositories (The Stack), roughly in proportion to how common its language or
file type is, keeping only files that hold at least one secret or a realistic hard negative:
tutorial apps, student projects, hobby bots, scrapers, IoT sketches, CI configs, test fixtures,
docker-compose files, committed .env files, README setup sections, example configs, Q&A-style
snippets, log excerpts, mail headers, AUTHORS lists, server configs and firewall rules.  The set
was written without looking at the scrubber, its other test sets or its benchmark.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records the spans.  Every secret value (and most negatives) is drawn from a ``random.Random``
seeded from the seed and the document's name, so the set is deterministic for a given seed.

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
import hashlib
import ipaddress
import json
import random
import re
import string
import uuid
from collections import Counter

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1616

_LOW = string.ascii_lowercase
_UP = string.ascii_uppercase
_DIG = string.digits
_ALNUM = string.ascii_letters + string.digits
_UPDIG = _UP + _DIG
_HEX = "0123456789abcdef"
_B64 = _ALNUM + "+/"
_URL = _ALNUM + "-_"


# ---------------------------------------------------------------------------------------------
# markers and templates
# ---------------------------------------------------------------------------------------------

def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


def _t(template: str, **kw: str) -> str:
    out = template
    for k, v in kw.items():
        tag = "«" + k + "»"
        assert tag in out, f"unused placeholder {k}"
        out = out.replace(tag, v)
    assert "«" not in out and "»" not in out, out[out.find("«") - 40: out.find("«") + 40]
    return out.lstrip("\n")


def _s(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------------------------------------
# people and mailboxes
# ---------------------------------------------------------------------------------------------

_FIRST = ["alice", "marco", "priya", "jonas", "wei", "fatima", "lukas", "sofia", "daniel", "emeka",
          "hana", "mateo", "olga", "rahul", "chloe", "tobias", "yuki", "ahmed", "ines", "kevin",
          "lena", "pablo", "grace", "nikolai", "amara", "felix", "zoe", "ravi", "camille", "oscar",
          "mei", "jakub", "laura", "samuel", "aisha", "henrik", "nadia", "diego", "keiko", "tom"]
_LAST = ["schmidt", "rossi", "sharma", "becker", "zhang", "haddad", "novak", "garcia", "okafor",
         "kowalski", "tanaka", "silva", "ivanova", "patel", "martin", "nguyen", "fischer", "khan",
         "moreau", "andersen", "lopez", "meyer", "oconnor", "costa", "yamamoto", "petrov", "brown",
         "dubois", "jensen", "romero", "weber", "kim", "hughes", "santos", "larsen", "mehta"]
_FREEMAIL = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "protonmail.com", "icloud.com",
             "gmx.de", "web.de", "yandex.ru", "qq.com", "163.com", "mail.ru", "fastmail.fm",
             "posteo.de", "orange.fr", "libero.it", "naver.com", "uol.com.br", "hotmail.co.uk",
             "outlook.jp", "seznam.cz", "wp.pl"]
_ORGMAIL = ["brightwave.io", "kestrel-labs.com", "nordhaus.de", "cs.uni-freiburg.de", "cs.ubc.ca",
            "student.uva.nl", "ed.ac.uk", "pixelforge.dev", "tidalpay.co", "eng.hollowpine.com",
            "mail.zentrix.net", "ops.quarrystack.io", "larkspur-analytics.com", "fernbrook.org",
            "stud.tu-darmstadt.de", "epfl.ch", "iitb.ac.in", "usp.br", "unimelb.edu.au",
            "riverbend-coop.org", "saltmarsh.ai", "corvid.tech", "team.bluemoose.app", "mitre-hq.us",
            "alpenglow.at", "kumo-systems.jp", "aurora-cloud.se", "polarlabs.fi", "tallgrass.ca"]


def _person(r: random.Random) -> tuple[str, str]:
    return r.choice(_FIRST), r.choice(_LAST)


def _email(r: random.Random, first: str | None = None, last: str | None = None,
           domain: str | None = None, style: str | None = None) -> str:
    if first is None:
        first, last = _person(r)
    last = last or r.choice(_LAST)
    if domain is None:
        domain = r.choice(_FREEMAIL if r.random() < 0.5 else _ORGMAIL)
    style = style or r.choice(["first.last", "flast", "first", "firstlast99", "first_last",
                               "first.last", "first+tag"])
    local = {
        "first.last": f"{first}.{last}",
        "flast": f"{first[0]}{last}",
        "first": first,
        "firstlast99": f"{first}{last}{r.randint(1, 99)}",
        "first_last": f"{first}_{last}",
        "first+tag": f"{first}+{r.choice(['github', 'dev', 'alerts', 'npm', 'test'])}",
        "role": r.choice(["ops", "admin-team", "billing", "devops", "noreply", "support", "alerts",
                          "infra", "security", "hello", "contact", "it-helpdesk"]),
    }[style]
    return f"{local}@{domain}"


def _name(first: str, last: str) -> str:
    return f"{first.capitalize()} {last.capitalize()}"


# ---------------------------------------------------------------------------------------------
# addresses
# ---------------------------------------------------------------------------------------------

_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220", "64.6.64.6", "64.6.65.6", "4.2.2.2", "4.2.2.1",
              "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
              "2606:4700:4700::1001", "2620:fe::fe", "2620:fe::9", "94.140.14.14", "76.76.2.0"}
_FIRST_OCTETS = [3, 5, 13, 18, 23, 31, 34, 35, 37, 45, 46, 51, 52, 54, 62, 64, 66, 69, 77, 78, 80,
                 81, 82, 85, 87, 88, 89, 91, 95, 104, 107, 109, 128, 134, 136, 138, 139, 141, 142,
                 144, 146, 147, 152, 157, 159, 161, 162, 164, 165, 167, 172, 176, 178, 185, 188,
                 193, 194, 195, 206, 209, 212, 213, 217]


def _public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    return ip.is_global and not ip.is_multicast and addr not in _RESOLVERS


def _ip4(r: random.Random) -> str:
    while True:
        a = r.choice(_FIRST_OCTETS)
        ip = f"{a}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if _public(ip):
            return ip


def _ip6(r: random.Random) -> str:
    prefixes = ["2a01:4f8", "2a03:b0c0", "2600:1f18", "2604:a880", "2a05:d014", "2406:da18",
                "2001:41d0", "2a02:c207", "2a00:1450", "2620:10d", "2400:8901", "2a01:7e00"]
    while True:
        pre = r.choice(prefixes)
        groups = [f"{r.randint(0, 0xffff):x}" for _ in range(2)]
        tail = [f"{r.randint(1, 0xffff):x}" for _ in range(r.choice([1, 2, 4]))]
        full = pre + ":" + ":".join(groups) + "::" + ":".join(tail) if len(tail) < 4 else \
            pre + ":" + ":".join(groups) + ":" + ":".join(tail)
        ip = str(ipaddress.ip_address(full))
        if _public(ip):
            return ip


def _priv4(r: random.Random) -> str:
    return r.choice([f"192.168.{r.randint(0, 5)}.{r.randint(2, 250)}",
                     f"10.{r.randint(0, 40)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
                     f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}"])


def _doc4(r: random.Random) -> str:
    return r.choice(["192.0.2.", "198.51.100.", "203.0.113."]) + str(r.randint(2, 250))


# ---------------------------------------------------------------------------------------------
# passwords
# ---------------------------------------------------------------------------------------------

_WORDS = ["sunset", "dragon", "falcon", "pepper", "maple", "tiger", "rocket", "banana", "winter",
          "coffee", "marvel", "galaxy", "cobalt", "orchid", "violet", "panther", "biscuit",
          "thunder", "nimbus", "walnut", "mango", "pirate", "cactus", "lobster", "kiwi", "saturn",
          "zebra", "mustang", "bluebird", "gecko", "pumpkin", "raven", "cinnamon", "hazel",
          "oyster", "tundra", "comet", "juniper", "quartz", "badger", "noodle", "puffin"]
_LEET = str.maketrans({"a": "@", "o": "0", "e": "3", "i": "1", "s": "$"})


def _pw_human(r: random.Random, symbols: str = "!#*.-_@$") -> str:
    w = r.choice(_WORDS)
    w2 = r.choice(_WORDS)
    kind = r.randrange(7)
    if kind == 0:
        return f"{w.capitalize()}{r.randint(1990, 2025)}{r.choice(symbols)}"
    if kind == 1:
        return f"{w}{r.randint(1, 99)}{w2}"
    if kind == 2:
        leet = w.translate(str.maketrans({k: v for k, v in {"a": "@", "o": "0", "e": "3",
                                                          "i": "1", "s": "$"}.items()
                                         if v in symbols or v.isdigit()}))
        return f"{leet.capitalize()}{r.choice(symbols)}{r.randint(10, 99)}"
    if kind == 3:
        return f"{w.capitalize()}{r.choice(symbols)}{w2.capitalize()}{r.randint(1, 9)}"
    if kind == 4:
        return f"{w}_{r.choice(_FIRST)}{r.randint(70, 99)}"
    if kind == 5:
        return f"{r.choice(_FIRST).capitalize()}{r.randint(1975, 2012)}{r.choice(symbols)}"
    return f"{w}{r.choice(symbols)}{w2}{r.randint(100, 999)}"


def _pw_rand(r: random.Random, n: int | None = None, symbols: str = "!#%*-_.^") -> str:
    n = n or r.randint(10, 16)
    while True:
        pw = _s(r, _ALNUM + symbols * 2, n)
        if (any(c.isdigit() for c in pw) and any(c.isupper() for c in pw)
                and any(c.islower() for c in pw) and pw[0] not in "-#"):
            return pw


def _pw(r: random.Random, symbols: str = "!#*.-_@$") -> str:
    """Mostly human-made, sometimes random."""
    if r.random() < 0.62:
        return _pw_human(r, symbols)
    return _pw_rand(r, symbols=symbols.replace("@", "").replace("$", "") or "-_")


def _pw_long(r: random.Random) -> str:
    return _s(r, _ALNUM, r.randint(24, 36))


# ---------------------------------------------------------------------------------------------
# provider tokens and keys
# ---------------------------------------------------------------------------------------------

def _aws_id(r):
    return r.choice(["AKIA", "AKIA", "ASIA"]) + _s(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)


def _aws_secret(r):
    return _s(r, _B64, 40)


def _ghp(r, prefix="ghp_"):
    return prefix + _s(r, _ALNUM, 36)


def _github_pat(r):
    return "github_pat_11" + _s(r, _UPDIG, 20) + "_" + _s(r, _ALNUM, 59)


def _glpat(r):
    return "glpat-" + _s(r, _URL, 20)


def _xoxb(r):
    return f"xoxb-{r.randint(10**10, 10**12)}-{r.randint(10**12, 10**13)}-{_s(r, _ALNUM, 24)}"


def _xoxp(r):
    return (f"xoxp-{r.randint(10**10, 10**12)}-{r.randint(10**10, 10**12)}-"
            f"{r.randint(10**12, 10**13)}-{_s(r, _HEX, 32)}")


def _slack_hook_path(r):
    return f"T{_s(r, _UPDIG, 8)}/B{_s(r, _UPDIG, 10)}/{_s(r, _ALNUM, 24)}"


def _sk_live(r, prefix="sk_live_"):
    return prefix + _s(r, _ALNUM, r.choice([24, 99]))


def _whsec(r):
    return "whsec_" + _s(r, _ALNUM, 32)


def _sendgrid(r):
    return "SG." + _s(r, _URL, 22) + "." + _s(r, _URL, 43)


def _twilio_sk(r):
    return "SK" + _s(r, _HEX, 32)


def _hex(r, n=32):
    return _s(r, _HEX, n)


def _mailgun(r):
    if r.random() < 0.5:
        return "key-" + _hex(r, 32)
    return f"{_hex(r, 32)}-{_hex(r, 8)}-{_hex(r, 8)}"


def _npm(r):
    return "npm_" + _s(r, _ALNUM, 36)


def _pypi(r):
    return "pypi-AgEIcHlwaS5vcmc" + _s(r, _URL, r.randint(120, 160))


def _openai(r):
    if r.random() < 0.5:
        return "sk-" + _s(r, _ALNUM, 20) + "T3BlbkFJ" + _s(r, _ALNUM, 20)
    return "sk-proj-" + _s(r, _URL, 48) + "T3BlbkFJ" + _s(r, _URL, 48)


def _anthropic(r):
    return "sk-ant-api03-" + _s(r, _URL, 93) + "AA"


def _hf(r):
    return "hf_" + _s(r, string.ascii_letters, 34)


def _aiza(r):
    return "AIza" + _s(r, _URL, 35)


def _b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _discord(r):
    uid = str(r.randint(7 * 10**17, 1_300_000_000_000_000_000))
    return f"{_b64url(uid.encode())}.{_s(r, _URL, 6)}.{_s(r, _URL, 38)}"


def _telegram(r):
    return f"{r.randint(10**9, 7 * 10**9)}:AA{_s(r, _URL, 33)}"


def _jwt(r, claims: dict | None = None, alg: str = "HS256") -> str:
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    if claims is None:
        first, last = _person(r)
        iat = r.randint(1_650_000_000, 1_720_000_000)
        claims = {"sub": str(r.randint(1, 99999)), "name": _name(first, last),
                  "role": r.choice(["admin", "user", "service"]), "iat": iat,
                  "exp": iat + r.choice([3600, 86400, 31536000])}
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = _s(r, _URL, 43 if alg.startswith("HS") else 342)
    return f"{head}.{body}.{sig}"


def _pem(r, kind: str = "RSA PRIVATE KEY", nl: str = "\n") -> str:
    starts = {"RSA PRIVATE KEY": ("MIIEpAIBAAKCAQEA", 25, 64),
              "PRIVATE KEY": ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 26, 64),
              "EC PRIVATE KEY": ("MHcCAQEEI", 3, 64),
              "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
                                      "QyNTUxOQAAACD", 5, 70)}
    start, lines, width = starts[kind]
    body = start + _s(r, _B64, lines * width - len(start) - r.randint(5, 40))
    if kind == "EC PRIVATE KEY":
        body = body[:164]
    rows = [body[i:i + width] for i in range(0, len(body), width)]
    if kind != "OPENSSH PRIVATE KEY":
        pad = (-len(body)) % 4
        rows[-1] += "=" * pad
    return f"-----BEGIN {kind}-----{nl}" + nl.join(rows) + f"{nl}-----END {kind}-----"


def _azure_key(r):
    return _s(r, _B64, 86) + "=="


def _shopify(r, prefix="shpat_"):
    return prefix + _hex(r, 32)


def _square(r):
    return "EAAA" + _s(r, _URL, 60)


def _dop(r):
    return "dop_v1_" + _hex(r, 64)


def _b64secret(r, nbytes=32):
    return base64.b64encode(bytes(r.getrandbits(8) for _ in range(nbytes))).decode()


def _generic(r, n=None):
    return _s(r, _ALNUM, n or r.choice([32, 40, 48]))


# negatives --------------------------------------------------------------------------------------

def _uuid(r):
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def _sha256(r):
    return hashlib.sha256(str(r.random()).encode()).hexdigest()


def _sha1(r):
    return hashlib.sha1(str(r.random()).encode()).hexdigest()


def _bcrypt(r):
    return "$2b$12$" + _s(r, _ALNUM + "./", 53)


def _integrity(r):
    return "sha512-" + base64.b64encode(hashlib.sha512(str(r.random()).encode()).digest()).decode()


def _ssh_pub(r, comment: str = "deploy@ci-runner") -> str:
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _s(r, _B64, 43) + " " + comment


# =============================================================================================
# Python
# =============================================================================================

def d_discord_bot_config(r):
    tok = _discord(r)
    pw = _pw(r, "!#*.-_")
    db_ip = _ip4(r)
    guild = r.randint(7 * 10**17, 10**18)
    owner = r.randint(10**17, 10**18)
    wkey = _hex(r, 32)
    lava = _pw_rand(r, 14, "")
    return "modbot/config.py", _t(r'''
# Configuration for ModBot
# TODO: move these to environment variables before making the repo public!!

import os

# Bot token from https://discord.com/developers/applications
TOKEN = "«tok»"
PREFIX = os.getenv("BOT_PREFIX", "!")

OWNER_ID = «owner»
GUILD_ID = «guild»
LOG_CHANNEL = 1043325991203389460

# colours used in embeds
COLOR_OK = 0x2ECC71
COLOR_WARN = 0xF1C40F
COLOR_ERR = 0xE74C3C

# Postgres (hosted on my vps)
DB_CONFIG = {
    "host": "«db_ip»",
    "port": 5432,
    "user": "modbot",
    "password": "«pw»",
    "database": "modbot_prod",
}

# cogs to load on startup
EXTENSIONS = [
    "cogs.moderation",
    "cogs.levels",
    "cogs.music",
    "cogs.tickets",
]

MAX_WARNINGS = 3
MUTE_ROLE_NAME = "Muted"

# music cog -> lavalink node running next to the bot
LAVALINK = {"host": "«lava_host»", "port": 2333, "password": "«lava»"}

# !weather command
OPENWEATHER_KEY = "«wkey»"
''', tok=K(tok), owner=str(owner), guild=str(guild), db_ip=I(db_ip), pw=P(pw), lava=P(lava),
                 wkey=K(wkey), lava_host=_priv4(r))


def d_flask_config(r):
    first, last = _person(r)
    mail = _email(r, first, last, "gmail.com", "firstlast99")
    mail_pw = " ".join(_s(r, _LOW, 4) for _ in range(4))  # gmail app password
    db_pw = _pw(r, "!#*-_")
    db_ip = _ip4(r)
    sk = _hex(r, 48)
    rc_pub = "6L" + _s(r, _URL, 38)
    rc_priv = "6L" + _s(r, _URL, 38)
    return "app/config.py", _t(r'''
import os

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "«sk»"
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    MAIL_SERVER = "smtp.gmail.com"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = "«mail»"
    MAIL_PASSWORD = "«mail_pw»"  # app password, not my real one
    MAIL_DEFAULT_SENDER = ("Blogly", "«mail»")

    RECAPTCHA_PUBLIC_KEY = "«rc_pub»"
    RECAPTCHA_PRIVATE_KEY = "«rc_priv»"

    POSTS_PER_PAGE = 10
    LANGUAGES = ["en", "es", "de"]


class DevelopmentConfig(Config):
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(basedir, "dev.db")


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = "mysql+pymysql://blogly:«db_pw»@«db_ip»:3306/blogly"
    REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")


config = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
''', sk=K(sk), mail=E(mail), mail_pw=P(mail_pw), db_pw=P(db_pw), db_ip=I(db_ip), rc_pub=rc_pub,
                 rc_priv=K(rc_priv))


def d_django_settings(r):
    sk = "django-insecure-" + _s(r, _LOW + _DIG + "!@#$%^&*(-_=+)", 50)
    db_pw = _pw(r, "!#*.-_")
    db_ip = _ip4(r)
    web_ip = _ip4(r)
    admins = [_person(r) for _ in range(2)]
    adm = [(_name(f, l), _email(r, f, l, "riverbend-coop.org", "first.last")) for f, l in admins]
    smtp_user = _email(r, domain="riverbend-coop.org", style="role")
    smtp_pw = _pw(r, "!#*.-_")
    stripe_sk = _sk_live(r)
    stripe_pk = "pk_live_" + _s(r, _ALNUM, 24)
    akid, sec = _aws_id(r), _aws_secret(r)
    redis_pw = _pw_rand(r, 18, "")
    return "coopsite/coopsite/settings.py", _t(r'''
"""
Django settings for coopsite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "«sk»"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ["«web_ip»", "riverbend-coop.org", "www.riverbend-coop.org", "127.0.0.1"]

ADMINS = [
    ("«n0»", "«e0»"),
    ("«n1»", "«e1»"),
]
MANAGERS = ADMINS

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "members",
    "newsletter",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "coopsite",
        "USER": "coopsite",
        "PASSWORD": "«db_pw»",
        "HOST": "«db_ip»",
        "PORT": "5432",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

PASSWORD_RESET_TIMEOUT = 259200

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.office365.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "«smtp_user»"
EMAIL_HOST_PASSWORD = "«smtp_pw»"
DEFAULT_FROM_EMAIL = EMAIL_HOST_USER

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# media on S3 (django-storages)
DEFAULT_FILE_STORAGE = "storages.backends.s3boto3.S3Boto3Storage"
AWS_ACCESS_KEY_ID = "«akid»"
AWS_SECRET_ACCESS_KEY = "«sec»"
AWS_STORAGE_BUCKET_NAME = "coopsite-media"
AWS_S3_REGION_NAME = "us-east-2"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://:«redis_pw»@«db_ip»:6379/1",
    }
}

# membership dues
STRIPE_PUBLISHABLE_KEY = "«stripe_pk»"
STRIPE_SECRET_KEY = "«stripe_sk»"
''', sk=K(sk), akid=K(akid), sec=K(sec), redis_pw=P(redis_pw), stripe_pk=stripe_pk, stripe_sk=K(stripe_sk), web_ip=I(web_ip), n0=adm[0][0], e0=E(adm[0][1]), n1=adm[1][0], e1=E(adm[1][1]),
                 db_pw=P(db_pw), db_ip=I(db_ip), smtp_user=E(smtp_user), smtp_pw=P(smtp_pw))


def d_smtp_report(r):
    sender = _email(r, domain=r.choice(_ORGMAIL))
    to = [_email(r) for _ in range(2)]
    pw = _pw(r, "!#*.-_")
    return "scripts/send_daily_report.py", _t(r'''
#!/usr/bin/env python3
"""Send the daily sales CSV to the team. Run from cron at 07:00."""
import csv
import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

SMTP_HOST = "smtp.zoho.eu"
SMTP_PORT = 465
SENDER = "«sender»"
RECIPIENTS = ["«to0»", "«to1»"]
# password = getpass.getpass()  # doesn't work from cron
PASSWORD = "«pw»"

REPORT_DIR = Path("/var/reports")


def build_message(path: Path) -> EmailMessage:
    today = dt.date.today().isoformat()
    msg = EmailMessage()
    msg["Subject"] = f"Daily sales report {today}"
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    with path.open() as fh:
        rows = list(csv.reader(fh))
    total = sum(float(r[3]) for r in rows[1:])
    msg.set_content(f"Hi all,\n\n{len(rows) - 1} orders yesterday, total {total:.2f} EUR.\n")
    msg.add_attachment(path.read_bytes(), maintype="text", subtype="csv", filename=path.name)
    return msg


def main() -> None:
    latest = max(REPORT_DIR.glob("sales_*.csv"), key=lambda p: p.stat().st_mtime)
    msg = build_message(latest)
    ctx = ssl.create_default_context()
    with smtplib.SMTP_SSL(SMTP_HOST, SMTP_PORT, context=ctx) as server:
        server.login(SENDER, PASSWORD)
        server.send_message(msg)
    print("sent", latest.name)


if __name__ == "__main__":
    main()
''', sender=E(sender), to0=E(to[0]), to1=E(to[1]), pw=P(pw))


def d_pytest_auth(r):
    users = []
    for role in ("admin", "editor", "viewer"):
        f, l = _person(r)
        users.append((role, _email(r, f, l, "pixelforge.dev", "first.last"), _pw(r, "!#*.-_")))
    bc = _bcrypt(r)
    expired = _jwt(r)
    return "tests/test_auth.py", _t(r'''
import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.security import get_password_hash, verify_password

client = TestClient(app)

USERS = [
    {"role": "«r0»", "email": "«e0»", "password": "«p0»"},
    {"role": "«r1»", "email": "«e1»", "password": "«p1»"},
    {"role": "«r2»", "email": "«e2»", "password": "«p2»"},
]


@pytest.fixture(autouse=True)
def seed_users(db_session):
    for u in USERS:
        db_session.add_user(email=u["email"], hashed_password=get_password_hash(u["password"]), role=u["role"])
    db_session.commit()
    yield
    db_session.rollback()


def test_hash_roundtrip():
    hashed = get_password_hash("«p2»")
    assert hashed.startswith("$2b$")
    assert verify_password("«p2»", hashed)


def test_known_hash():
    # hash generated once with passlib, kept for regression
    assert verify_password("«p1»", "«bc»")


@pytest.mark.parametrize("u", USERS, ids=lambda u: u["role"])
def test_login_ok(u):
    resp = client.post("/auth/token", data={"username": u["email"], "password": u["password"]})
    assert resp.status_code == 200
    assert resp.json()["token_type"] == "bearer"


# captured from staging, expired on purpose
EXPIRED_TOKEN = "«expired»"


def test_expired_token_rejected():
    resp = client.get("/users/me", headers={"Authorization": f"Bearer {EXPIRED_TOKEN}"})
    assert resp.status_code == 401


def test_login_empty_password():
    resp = client.post("/auth/token", data={"username": USERS[0]["email"], "password": ""})
    assert resp.status_code == 422


def test_reset_password_url_is_signed():
    resp = client.post("/auth/forgot", json={"email": USERS[2]["email"]})
    assert resp.status_code == 202
    assert "reset_password_url" not in resp.json()
''', r0=users[0][0], e0=E(users[0][1]), p0=P(users[0][2]), r1=users[1][0], e1=E(users[1][1]),
                 p1=P(users[1][2]), r2=users[2][0], e2=E(users[2][1]), p2=P(users[2][2]), bc=bc,
                 expired=K(expired))


def d_boto_upload(r):
    akid, sec = _aws_id(r), _aws_secret(r)
    old_id, old_sec = _aws_id(r), _aws_secret(r)
    etag = _hex(r, 32)
    return "backup/upload_to_s3.py", _t(r'''
import sys
import boto3
from botocore.exceptions import ClientError

# example from the docs: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
# old user, disabled in IAM:
#   aws_access_key_id="«old_id»",
#   aws_secret_access_key="«old_sec»",
s3 = boto3.client(
    "s3",
    aws_access_key_id="«akid»",
    aws_secret_access_key="«sec»",
    region_name="eu-central-1",
)

BUCKET = "hobby-nas-backups"
KMS_KEY = "arn:aws:kms:eu-central-1:381492004455:key/«kms»"


def upload(path, key=None):
    key = key or path.split("/")[-1]
    try:
        s3.upload_file(
            path, BUCKET, key,
            ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY},
        )
    except ClientError as e:
        print("upload failed:", e, file=sys.stderr)
        return False
    head = s3.head_object(Bucket=BUCKET, Key=key)
    # md5 etag of the last test upload: «etag»
    print(key, head["ETag"], head["ContentLength"])
    return True


if __name__ == "__main__":
    for p in sys.argv[1:]:
        upload(p)
''', akid=K(akid), sec=K(sec), kms=_uuid(r), etag=etag, old_id=K(old_id), old_sec=K(old_sec))


def d_openai_cli(r):
    key = _openai(r)
    ant = _anthropic(r)
    return "gpt_cli/chat.py", _t(r'''
import argparse
import os
import sys

from openai import OpenAI

# openai.api_key = os.getenv("OPENAI_API_KEY")
client = OpenAI(api_key="«key»")

# tried claude too:
# ANTHROPIC_API_KEY = "«ant»"

SYSTEM = "You are a terse assistant that answers in plain text."
MODEL = "gpt-4o-mini"


def ask(history, prompt, temperature=0.3):
    history.append({"role": "user", "content": prompt})
    resp = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": SYSTEM}] + history,
        temperature=temperature,
    )
    answer = resp.choices[0].message.content
    history.append({"role": "assistant", "content": answer})
    return answer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", "--temperature", type=float, default=0.3)
    args = ap.parse_args()
    history = []
    while True:
        try:
            prompt = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            sys.exit(0)
        if prompt.strip() in {"exit", "quit"}:
            break
        print(ask(history, prompt, args.temperature))


if __name__ == "__main__":
    main()
''', key=K(key), ant=K(ant))


def d_telegram_bot(r):
    tok = _telegram(r)
    proxy_ip = _ip4(r)
    proxy_pw = _pw_rand(r, 10, "")
    owm = _hex(r, 32)
    return "bot.py", _t(r'''
import logging
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)

BOT_TOKEN = "«tok»"
ADMINS = [412993012, 1187345520]
OWM_API_KEY = "«owm»"
PROXY = "socks5://tg:«proxy_pw»@«proxy_ip»:1080"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await context.bot.send_message(chat_id=update.effective_chat.id, text="Hi! Send /weather <city>")


async def weather(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if not context.args:
        await update.message.reply_text("usage: /weather <city>")
        return
    city = " ".join(context.args)
    await update.message.reply_text(f"Looking up {city}...")


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if update.effective_user.id not in ADMINS:
        return
    await update.message.reply_text(f"users: {len(context.application.user_data)}")


if __name__ == "__main__":
    app = ApplicationBuilder().token(BOT_TOKEN).proxy(PROXY).get_updates_proxy(PROXY).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("weather", weather))
    app.add_handler(CommandHandler("stats", stats))
    app.run_polling()
''', tok=K(tok), proxy_pw=P(proxy_pw), proxy_ip=I(proxy_ip), owm=K(owm))


def d_notebook(r):
    key = _generic(r, 32)
    pw = _pw(r, "!#*.-_")
    host = _ip4(r)
    f, l = _person(r)
    em = _email(r, f, l, r.choice(_ORGMAIL), "first.last")
    hf = _hf(r)
    pw2 = _pw_rand(r, 12, "")

    def src(lines):
        items = [ln + "\n" for ln in lines[:-1]] + [lines[-1]]
        return "[\n" + ",\n".join("    " + json.dumps(x, ensure_ascii=False) for x in items) + "\n   ]"

    cell1 = src(["import pandas as pd", "import psycopg2", "import requests", "",
                 "API_KEY = \"«key»\"  # openweathermap",
                 "conn = psycopg2.connect(host=\"«host»\", dbname=\"weather\", user=\"analyst\", password=\"«pw»\")"])
    cell2 = src(["df = pd.read_sql(\"SELECT * FROM readings WHERE station_id = 42\", conn)", "df.head()"])
    cell3 = src(["# questions -> «em»", "df.groupby(df.ts.dt.month).temp.mean().plot()", "",
                 "# forecast model from the hub",
                 "headers = {\"Authorization\": \"Bearer «hf»\"}",
                 "# legacy = create_engine(\"mysql+pymysql://reader:«pw2»@«host»/stations\")"])
    nb = r'''{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Station 42 exploration\n",
    "Pull readings from the warehouse and compare with the API forecast."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": CELL1
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "data": {
      "text/plain": [
       "     id  station_id                  ts   temp  humidity\n",
       "0  1001          42 2023-01-01 00:00:00   3.2      0.81\n",
       "1  1002          42 2023-01-01 01:00:00   2.9      0.83"
      ]
     },
     "execution_count": 2,
     "metadata": {},
     "output_type": "execute_result"
    }
   ],
   "source": CELL2
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": CELL3
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.10.12"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
'''
    nb = nb.replace("CELL1", cell1).replace("CELL2", cell2).replace("CELL3", cell3)
    return "notebooks/station42_exploration.ipynb", _t(nb, key=K(key), host=I(host), pw=P(pw), em=E(em),
                                                      hf=K(hf), pw2=P(pw2))


def d_mongo_migrate(r):
    pw1 = _pw(r, "!*-_.")
    pw2 = _pw_rand(r, 12, "")
    ip = _ip4(r)
    return "scripts/migrate_mongo_to_pg.py", _t(r'''
"""One-off: copy the `orders` collection from Atlas into the new Postgres DB."""
from datetime import datetime

from pymongo import MongoClient
from sqlalchemy import create_engine, text

SRC = MongoClient("mongodb+srv://shopadmin:«pw1»@cluster0.x8kq2.mongodb.net/?retryWrites=true&w=majority")
DST = create_engine("postgresql+psycopg2://shop:«pw2»@«ip»:5432/shop")

BATCH = 500


def convert(doc):
    return {
        "id": str(doc["_id"]),
        "customer": doc.get("customer", {}).get("email"),
        "total": float(doc.get("total", 0)),
        "created": doc.get("createdAt", datetime.utcnow()),
        "status": doc.get("status", "new"),
    }


def main():
    coll = SRC["shop"]["orders"]
    n = coll.count_documents({})
    print(f"{n} orders to migrate")
    batch = []
    with DST.begin() as conn:
        for doc in coll.find({}, no_cursor_timeout=True):
            batch.append(convert(doc))
            if len(batch) >= BATCH:
                conn.execute(text("INSERT INTO orders VALUES (:id, :customer, :total, :created, :status)"), batch)
                batch.clear()
        if batch:
            conn.execute(text("INSERT INTO orders VALUES (:id, :customer, :total, :created, :status)"), batch)
    print("done")


if __name__ == "__main__":
    main()
''', pw1=P(pw1), pw2=P(pw2), ip=I(ip))


def d_tweepy_bot(r):
    ck = _s(r, _ALNUM, 25)
    cs = _s(r, _ALNUM, 50)
    at = f"{r.randint(10**17, 10**18)}-{_s(r, _ALNUM, 40)}"
    ats = _s(r, _ALNUM, 45)
    bearer = "AAAAAAAAAAAAAAAAAAAAA" + _s(r, _ALNUM, 30) + "%3D" + _s(r, _ALNUM, 50)
    return "quotebot/twitter_bot.py", _t(r'''
import random
import time

import tweepy

consumer_key = "«ck»"
consumer_secret = "«cs»"
access_token = "«at»"
access_token_secret = "«ats»"
bearer_token = "«bearer»"

client = tweepy.Client(
    bearer_token=bearer_token,
    consumer_key=consumer_key,
    consumer_secret=consumer_secret,
    access_token=access_token,
    access_token_secret=access_token_secret,
)

with open("quotes.txt", encoding="utf-8") as f:
    QUOTES = [q.strip() for q in f if q.strip()]


def post_quote():
    quote = random.choice(QUOTES)
    if len(quote) > 280:
        quote = quote[:277] + "..."
    resp = client.create_tweet(text=quote)
    print("tweeted", resp.data["id"])


if __name__ == "__main__":
    while True:
        try:
            post_quote()
        except tweepy.TooManyRequests:
            time.sleep(15 * 60)
            continue
        time.sleep(6 * 60 * 60)
''', ck=K(ck), cs=K(cs), at=K(at), ats=K(ats), bearer=K(bearer))


def d_crypto_utils_neg(r):
    digests = [_sha256(r) for _ in range(3)]
    u = _uuid(r)
    return "app/utils/hashing.py", _t(r'''
"""Helpers for file integrity checks and password hashing."""
import hashlib
import hmac
import uuid

from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto")

# Known-good sha256 digests of the bundled model files
KNOWN_SHA256 = {
    "model.onnx": "«d0»",
    "vocab.txt": "«d1»",
    "config.json": "«d2»",
}

NAMESPACE = uuid.UUID("«u»")
API_KEY_PLACEHOLDER = "YOUR_API_KEY_HERE"


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(plain_password: str, hashed_password: str) -> bool:
    return pwd_context.verify(plain_password, hashed_password)


def file_sha256(path: str, chunk: int = 1 << 16) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def check_files(root: str) -> list[str]:
    bad = []
    for name, digest in KNOWN_SHA256.items():
        if not hmac.compare_digest(file_sha256(f"{root}/{name}"), digest):
            bad.append(name)
    return bad


def stable_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))
''', d0=digests[0], d1=digests[1], d2=digests[2], u=u)


def d_hf_wandb(r):
    hf = _hf(r)
    wb = _hex(r, 40)
    return "train/finetune.py", _t(r'''
import os

import torch
import wandb
from datasets import load_dataset
from huggingface_hub import login
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

login(token="«hf»")
wandb.login(key="«wb»")

MODEL = "distilbert-base-uncased"
OUT = "checkpoints/sst2-distilbert"

ds = load_dataset("glue", "sst2")
tok = AutoTokenizer.from_pretrained(MODEL)


def encode(batch):
    return tok(batch["sentence"], truncation=True, padding="max_length", max_length=128)


ds = ds.map(encode, batched=True)
model = AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=2)

args = TrainingArguments(
    output_dir=OUT,
    per_device_train_batch_size=32,
    learning_rate=2e-5,
    num_train_epochs=3,
    evaluation_strategy="epoch",
    report_to="wandb",
    push_to_hub=True,
    hub_model_id="sst2-distilbert-demo",
    fp16=torch.cuda.is_available(),
)

trainer = Trainer(model=model, args=args, train_dataset=ds["train"], eval_dataset=ds["validation"])
trainer.train()
trainer.push_to_hub()
''', hf=K(hf), wb=K(wb))


def d_redis_cache(r):
    ip = _ip6(r)
    pw = _pw_long(r)
    return "services/cache.py", _t(r'''
import functools
import json
import logging

import redis

log = logging.getLogger(__name__)

_pool = redis.ConnectionPool(
    host="«ip»",
    port=6379,
    db=2,
    password="«pw»",
    socket_timeout=2,
    decode_responses=True,
)
r = redis.Redis(connection_pool=_pool)


def cached(ttl=300, prefix="c"):
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = f"{prefix}:{fn.__name__}:{json.dumps([args, kwargs], sort_keys=True, default=str)}"
            try:
                hit = r.get(key)
            except redis.RedisError as exc:
                log.warning("redis unavailable: %s", exc)
                return fn(*args, **kwargs)
            if hit is not None:
                return json.loads(hit)
            val = fn(*args, **kwargs)
            r.setex(key, ttl, json.dumps(val, default=str))
            return val
        return wrapper
    return deco


def invalidate(prefix="c"):
    for k in r.scan_iter(f"{prefix}:*"):
        r.delete(k)
''', ip=I(ip), pw=P(pw))


def d_stripe_webhook_py(r):
    sk = _sk_live(r, "rk_live_")
    wh = _whsec(r)
    pk = "pk_live_" + _s(r, _ALNUM, 99)
    return "payments/views.py", _t(r'''
import stripe
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

stripe.api_key = "«sk»"
STRIPE_PUBLISHABLE_KEY = "«pk»"
endpoint_secret = "«wh»"


def config(request):
    return JsonResponse({"publicKey": STRIPE_PUBLISHABLE_KEY})


def create_checkout_session(request):
    session = stripe.checkout.Session.create(
        mode="subscription",
        line_items=[{"price": settings.STRIPE_PRICE_ID, "quantity": 1}],
        success_url=request.build_absolute_uri("/billing/success?session_id={CHECKOUT_SESSION_ID}"),
        cancel_url=request.build_absolute_uri("/billing/cancel"),
        customer_email=request.user.email,
    )
    return JsonResponse({"sessionId": session["id"]})


@csrf_exempt
def webhook(request):
    payload = request.body
    sig_header = request.META.get("HTTP_STRIPE_SIGNATURE")
    try:
        event = stripe.Webhook.construct_event(payload, sig_header, endpoint_secret)
    except ValueError:
        return HttpResponse(status=400)
    except stripe.error.SignatureVerificationError:
        return HttpResponse(status=400)

    if event["type"] == "checkout.session.completed":
        session = event["data"]["object"]
        print("paid:", session.get("customer_email"))
    return HttpResponse(status=200)
''', sk=K(sk), pk=pk, wh=K(wh))


def d_sentry_celery(r):
    dsn_pub = _hex(r, 32)
    broker_pw = _pw(r, "!*-_.")
    broker_ip = _ip4(r)
    mg = _mailgun(r)
    xoxb = _xoxb(r)
    flower = _pw(r, "!#*-_.")
    return "worker/celery_app.py", _t(r'''
import requests
import sentry_sdk
from celery import Celery
from sentry_sdk.integrations.celery import CeleryIntegration

sentry_sdk.init(
    dsn="https://«dsn_pub»@o4505123.ingest.sentry.io/4505987",
    integrations=[CeleryIntegration()],
    traces_sample_rate=0.2,
)

app = Celery("worker", broker="amqp://worker:«broker_pw»@«broker_ip»:5672//", backend="rpc://")
app.conf.task_routes = {"worker.tasks.email.*": {"queue": "mail"}}

MAILGUN_DOMAIN = "mg.larkspur-analytics.com"
MAILGUN_API_KEY = "«mg»"
SLACK_BOT_TOKEN = "«xoxb»"  # posts failures to #ops
FLOWER_BASIC_AUTH = "ops:«flower»"


@app.task(bind=True, max_retries=5, default_retry_delay=60)
def send_mail(self, to, subject, body):
    try:
        resp = requests.post(
            f"https://api.eu.mailgun.net/v3/{MAILGUN_DOMAIN}/messages",
            auth=("api", MAILGUN_API_KEY),
            data={"from": f"Larkspur <reports@{MAILGUN_DOMAIN}>", "to": to, "subject": subject, "text": body},
            timeout=10,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise self.retry(exc=exc)
''', dsn_pub=dsn_pub, broker_pw=P(broker_pw), broker_ip=I(broker_ip), mg=K(mg), xoxb=K(xoxb),
                 flower=P(flower))


# =============================================================================================
# JavaScript / TypeScript
# =============================================================================================

def d_express_mailer(r):
    f, l = _person(r)
    user = _email(r, f, l, "gmail.com", "firstlast99")
    pw = " ".join(_s(r, _LOW, 4) for _ in range(4))
    jwt_secret = _s(r, _ALNUM, 64)
    owner = _email(r, domain=r.choice(_FREEMAIL))
    gsec = "GOCSPX-" + _s(r, _URL, 28)
    admin_pw = _pw(r, "!#*-_.")
    return "server.js", _t(r'''
const express = require('express');
const nodemailer = require('nodemailer');
const jwt = require('jsonwebtoken');
const bcrypt = require('bcryptjs');
const cors = require('cors');

const app = express();
app.use(cors());
app.use(express.json());

const PORT = process.env.PORT || 5000;
const JWT_SECRET = '«jwt_secret»';
const GOOGLE_CLIENT_ID = '«gcid»-«gcsuf».apps.googleusercontent.com';
const GOOGLE_CLIENT_SECRET = '«gsec»';

const transporter = nodemailer.createTransport({
  service: 'gmail',
  auth: {
    user: '«user»',
    pass: '«pw»',
  },
});

const users = []; // TODO: use a real db
bcrypt.hash('«admin_pw»', 10).then((h) => users.push({ email: '«owner»', password: h, admin: true }));

app.post('/api/register', async (req, res) => {
  const { email, password } = req.body;
  if (!email || !password) return res.status(400).json({ msg: 'Please enter all fields' });
  const hashed = await bcrypt.hash(password, 10);
  users.push({ email, password: hashed });
  res.status(201).json({ msg: 'registered' });
});

app.post('/api/login', async (req, res) => {
  const { email, password } = req.body;
  const user = users.find((u) => u.email === email);
  if (!user || !(await bcrypt.compare(password, user.password))) {
    return res.status(401).json({ msg: 'Invalid credentials' });
  }
  const token = jwt.sign({ email }, JWT_SECRET, { expiresIn: '1h' });
  res.json({ token });
});

app.post('/api/contact', async (req, res) => {
  const { name, email, message } = req.body;
  try {
    await transporter.sendMail({
      from: '«user»',
      to: '«owner»',
      replyTo: email,
      subject: `Portfolio contact from ${name}`,
      text: message,
    });
    res.json({ ok: true });
  } catch (err) {
    console.error(err);
    res.status(500).json({ ok: false });
  }
});

app.listen(PORT, () => console.log(`Server running on port ${PORT}`));
''', jwt_secret=K(jwt_secret), user=E(user), pw=P(pw), owner=E(owner), gsec=K(gsec), admin_pw=P(admin_pw),
                 gcid=str(r.randint(10**11, 10**12)), gcsuf=_s(r, _LOW + _DIG, 32))


def d_firebase_config(r):
    key = _aiza(r)
    proj = r.choice(["chat-app", "recipe-box", "habit-tracker", "campus-market"]) + f"-{r.randint(10000, 99999)}"
    sender = r.randint(10**11, 10**12)
    return "src/firebase.js", _t(r'''
// Import the functions you need from the SDKs you need
import { initializeApp } from 'firebase/app';
import { getAuth, GoogleAuthProvider } from 'firebase/auth';
import { getFirestore } from 'firebase/firestore';
import { getStorage } from 'firebase/storage';

// Your web app's Firebase configuration
const firebaseConfig = {
  apiKey: '«key»',
  authDomain: '«proj».firebaseapp.com',
  projectId: '«proj»',
  storageBucket: '«proj».appspot.com',
  messagingSenderId: '«sender»',
  appId: '1:«sender»:web:«appid»',
  measurementId: 'G-«mid»',
};

// Initialize Firebase
const app = initializeApp(firebaseConfig);
export const auth = getAuth(app);
export const db = getFirestore(app);
export const storage = getStorage(app);
export const googleProvider = new GoogleAuthProvider();
googleProvider.setCustomParameters({ prompt: 'select_account' });

export default app;
''', key=K(key), proj=proj, sender=str(sender), appid=_hex(r, 22), mid=_s(r, _UPDIG, 10))


def d_axios_client_ts(r):
    ip = _ip4(r)
    tok = _jwt(r)
    return "src/api/client.ts", _t(r'''
import axios, { AxiosError, AxiosInstance } from 'axios';

// const BASE_URL = 'http://localhost:8080/api/v1';
const BASE_URL = 'http://«ip»:8080/api/v1';

// temporary service token until login flow is done
const SERVICE_TOKEN =
  '«tok»';

export const api: AxiosInstance = axios.create({
  baseURL: BASE_URL,
  timeout: 10_000,
  headers: {
    'Content-Type': 'application/json',
    Authorization: `Bearer ${SERVICE_TOKEN}`,
  },
});

api.interceptors.response.use(
  (res) => res,
  (error: AxiosError) => {
    if (error.response?.status === 401) {
      window.location.href = '/login';
    }
    return Promise.reject(error);
  },
);

export interface Device {
  id: string;
  name: string;
  ip: string;
  lastSeen: string;
}

export const listDevices = async (): Promise<Device[]> => (await api.get<Device[]>('/devices')).data;
export const rebootDevice = async (id: string) => api.post(`/devices/${id}/reboot`);
''', ip=I(ip), tok=K(tok))


def d_knexfile(r):
    pws = [_pw(r, "!*-_.#") for _ in range(2)]
    ips = [_ip4(r) for _ in range(2)]
    test_pw = _pw_rand(r, 12, "")
    return "knexfile.js", _t(r'''
// Update with your config settings.

/**
 * @type { Object.<string, import("knex").Knex.Config> }
 */
module.exports = {
  development: {
    client: 'pg',
    connection: {
      host: '127.0.0.1',
      user: 'postgres',
      password: process.env.PGPASSWORD,
      database: 'library_dev',
    },
    migrations: { directory: './db/migrations' },
    seeds: { directory: './db/seeds' },
  },

  test: {
    client: 'pg',
    connection: 'postgres://library_test:«test_pw»@127.0.0.1:5432/library_test',
  },

  staging: {
    client: 'pg',
    connection: {
      host: '«ip0»',
      database: 'library_staging',
      user: 'library',
      password: '«pw0»',
    },
    pool: { min: 2, max: 10 },
    migrations: { tableName: 'knex_migrations' },
  },

  production: {
    client: 'pg',
    connection: 'postgres://library:«pw1»@«ip1»:5432/library',
    pool: { min: 2, max: 20 },
    migrations: { tableName: 'knex_migrations' },
  },
};
''', ip0=I(ips[0]), pw0=P(pws[0]), pw1=P(pws[1]), ip1=I(ips[1]), test_pw=P(test_pw))


def d_package_json(r):
    f, l = _person(r)
    a = _email(r, f, l, r.choice(_FREEMAIL), "first.last")
    contribs = [(_person(r)) for _ in range(2)]
    c = [(_name(cf, cl), _email(r, cf, cl)) for cf, cl in contribs]
    return "package.json", _t(r'''
{
  "name": "react-tiny-calendar",
  "version": "2.3.1",
  "description": "A small, accessible calendar component for React",
  "main": "dist/index.cjs.js",
  "module": "dist/index.esm.js",
  "types": "dist/index.d.ts",
  "files": ["dist"],
  "scripts": {
    "build": "rollup -c",
    "test": "jest",
    "lint": "eslint src --ext .ts,.tsx",
    "prepublishOnly": "npm run build"
  },
  "author": "«an» <«a»> (https://«gh».github.io)",
  "contributors": [
    "«c0n» <«c0»>",
    { "name": "«c1n»", "email": "«c1»" }
  ],
  "license": "MIT",
  "repository": {
    "type": "git",
    "url": "git+https://github.com/«gh»/react-tiny-calendar.git"
  },
  "bugs": { "url": "https://github.com/«gh»/react-tiny-calendar/issues" },
  "peerDependencies": {
    "react": ">=16.8.0",
    "react-dom": ">=16.8.0"
  },
  "devDependencies": {
    "@rollup/plugin-typescript": "^11.1.5",
    "@testing-library/react": "^14.1.2",
    "@types/react": "^18.2.45",
    "eslint": "^8.56.0",
    "jest": "^29.7.0",
    "rollup": "^4.9.1",
    "typescript": "^5.3.3"
  },
  "packageManager": "pnpm@8.14.0"
}
''', an=_name(f, l), a=E(a), gh=f + l, c0n=c[0][0], c0=E(c[0][1]), c1n=c[1][0], c1=E(c[1][1]))


def d_package_lock_neg(r):
    ints = [_integrity(r) for _ in range(4)]
    return "package-lock.json", _t(r'''
{
  "name": "weather-dashboard",
  "version": "0.1.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "weather-dashboard",
      "version": "0.1.0",
      "dependencies": {
        "axios": "^1.6.2",
        "chart.js": "^4.4.1",
        "react": "^18.2.0"
      }
    },
    "node_modules/@babel/code-frame": {
      "version": "7.23.5",
      "resolved": "https://registry.npmjs.org/@babel/code-frame/-/code-frame-7.23.5.tgz",
      "integrity": "«i0»",
      "dependencies": {
        "@babel/highlight": "^7.23.4",
        "chalk": "^2.4.2"
      },
      "engines": {
        "node": ">=6.9.0"
      }
    },
    "node_modules/axios": {
      "version": "1.6.2",
      "resolved": "https://registry.npmjs.org/axios/-/axios-1.6.2.tgz",
      "integrity": "«i1»",
      "dependencies": {
        "follow-redirects": "^1.15.0",
        "form-data": "^4.0.0",
        "proxy-from-env": "^1.1.0"
      }
    },
    "node_modules/chart.js": {
      "version": "4.4.1",
      "resolved": "https://registry.npmjs.org/chart.js/-/chart.js-4.4.1.tgz",
      "integrity": "«i2»",
      "dependencies": {
        "@kurkle/color": "^0.3.0"
      },
      "engines": {
        "pnpm": ">=7"
      }
    },
    "node_modules/react": {
      "version": "18.2.0",
      "resolved": "https://registry.npmjs.org/react/-/react-18.2.0.tgz",
      "integrity": "«i3»",
      "dependencies": {
        "loose-envify": "^1.1.0"
      }
    }
  }
}
''', i0=ints[0], i1=ints[1], i2=ints[2], i3=ints[3])


def d_discordjs_bot(r):
    tok = _discord(r)
    yt = _aiza(r)
    return "index.js", _t(r'''
const { Client, GatewayIntentBits, EmbedBuilder } = require('discord.js');
const axios = require('axios');

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
});

const prefix = '!';
const YT_KEY = '«yt»';

client.once('ready', () => {
  console.log(`Logged in as ${client.user.tag}!`);
  client.user.setActivity('!help', { type: 3 });
});

client.on('messageCreate', async (message) => {
  if (message.author.bot || !message.content.startsWith(prefix)) return;
  const args = message.content.slice(prefix.length).trim().split(/ +/);
  const command = args.shift().toLowerCase();

  if (command === 'ping') {
    message.reply(`Pong! ${client.ws.ping}ms`);
  } else if (command === 'yt') {
    const q = encodeURIComponent(args.join(' '));
    const { data } = await axios.get(
      `https://www.googleapis.com/youtube/v3/search?part=snippet&q=${q}&key=${YT_KEY}&maxResults=1`,
    );
    if (!data.items.length) return message.reply('nothing found');
    message.reply(`https://youtu.be/${data.items[0].id.videoId}`);
  } else if (command === 'help') {
    const embed = new EmbedBuilder()
      .setTitle('Commands')
      .setDescription('`!ping` `!yt <query>` `!help`')
      .setColor(0x5865f2);
    message.channel.send({ embeds: [embed] });
  }
});

client.login('«tok»');
''', yt=K(yt), tok=K(tok))


def d_cypress_login(r):
    users = [(_email(r, domain="tidalpay.co", style=s), _pw(r, "!#*-_.")) for s in ("first.last", "first+tag")]
    tok = _jwt(r)
    return "cypress/e2e/login.cy.ts", _t(r'''
/// <reference types="cypress" />

const users = {
  admin: { email: '«e0»', password: '«p0»' },
  member: { email: '«e1»', password: '«p1»' },
};

describe('Login', () => {
  beforeEach(() => {
    cy.visit('/login');
  });

  it('shows validation errors on empty submit', () => {
    cy.get('[data-cy=submit]').click();
    cy.contains('Email is required');
    cy.contains('Password is required');
  });

  it('rejects a wrong password', () => {
    cy.get('[data-cy=email]').type(users.member.email);
    cy.get('[data-cy=password]').type('not-it');
    cy.get('[data-cy=submit]').click();
    cy.contains('Invalid email or password');
  });

  it('logs in as admin', () => {
    cy.get('[data-cy=email]').type(users.admin.email);
    cy.get('[data-cy=password]').type(users.admin.password, { log: false });
    cy.get('[data-cy=submit]').click();
    cy.url().should('include', '/dashboard');
    cy.get('[data-cy=avatar]').should('be.visible');
  });

  it('logs in as member via API', () => {
    cy.request('POST', '/api/auth/login', {
      email: '«e1»',
      password: '«p1»',
    }).its('status').should('eq', 200);
  });

  it('lists invoices with a service token', () => {
    cy.request({
      url: '/api/invoices',
      headers: { Authorization: 'Bearer «tok»' },
    }).its('status').should('eq', 200);
  });
});
''', e0=E(users[0][0]), p0=P(users[0][1]), e1=E(users[1][0]), p1=P(users[1][1]), tok=K(tok))


def d_npmrc(r):
    tok = _npm(r)
    gh = _ghp(r)
    em = _email(r)
    return ".npmrc", _t(r'''
# project npm config
registry=https://registry.npmjs.org/
save-exact=true
engine-strict=true
fund=false
audit-level=high

# publish token (CI uses NPM_TOKEN secret instead)
//registry.npmjs.org/:_authToken=«tok»
email=«em»
always-auth=true

# private packages from GitHub Packages
@hollowpine:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=«gh»

# internal mirror, token comes from env
//npm.internal.hollowpine.com/:_authToken=${NPM_MIRROR_TOKEN}
''', tok=K(tok), em=E(em), gh=K(gh))


def d_angular_env(r):
    ip = _ip4(r)
    maps = _aiza(r)
    sentry_pub = _hex(r, 32)
    recaptcha = "6L" + _s(r, _URL, 38)
    return "src/environments/environment.prod.ts", _t(r'''
export const environment = {
  production: true,
  apiUrl: 'https://«ip»/api',
  wsUrl: 'wss://ws.saltmarsh.ai/ws',
  googleMapsApiKey: '«maps»',
  weatherApiKey: '«wkey»',
  recaptchaSiteKey: '«recaptcha»',
  sentry: {
    dsn: 'https://«sentry_pub»@o450912.ingest.sentry.io/5521877',
    tracesSampleRate: 0.1,
  },
  oauth: {
    clientId: '«cid»-«cidsuf».apps.googleusercontent.com',
    redirectUri: 'https://app.saltmarsh.ai/auth/callback',
  },
  featureFlags: {
    newCheckout: true,
    darkMode: true,
  },
  version: '3.8.2',
};
''', ip=I(ip), maps=K(maps), recaptcha=recaptcha, sentry_pub=sentry_pub, wkey=K(_hex(r, 32)),
                 cid=str(r.randint(10**11, 10**12)), cidsuf=_s(r, _LOW + _DIG, 32))


def d_next_api_route(r):
    sg = _sendgrid(r)
    to = _email(r, domain=r.choice(_ORGMAIL), style="role")
    return "pages/api/contact.ts", _t(r'''
import type { NextApiRequest, NextApiResponse } from 'next';
import sgMail from '@sendgrid/mail';

sgMail.setApiKey(process.env.SENDGRID_API_KEY || '«sg»');

type Data = { ok: boolean; error?: string };

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export default async function handler(req: NextApiRequest, res: NextApiResponse<Data>) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ ok: false, error: 'Method not allowed' });
  }
  const { name, email, message } = req.body ?? {};
  if (!name || !EMAIL_RE.test(email) || !message) {
    return res.status(400).json({ ok: false, error: 'Invalid input' });
  }
  try {
    await sgMail.send({
      to: '«to»',
      from: '«to»',
      replyTo: email,
      subject: `New message from ${name}`,
      text: message,
    });
    return res.status(200).json({ ok: true });
  } catch (e) {
    console.error(e);
    return res.status(500).json({ ok: false, error: 'Failed to send' });
  }
}
''', sg=K(sg), to=E(to))


# =============================================================================================
# JVM: Java, Kotlin, Scala, properties
# =============================================================================================

def d_java_mail(r):
    user = _email(r, domain=r.choice(_ORGMAIL), style="role")
    pw = _pw(r, "!#*-_.")
    cc = _email(r)
    return "src/main/java/org/library/notify/MailService.java", _t(r'''
package org.library.notify;

import java.util.Properties;
import java.util.logging.Logger;
import javax.mail.Authenticator;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.PasswordAuthentication;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

public class MailService {

    private static final Logger LOG = Logger.getLogger(MailService.class.getName());
    private static final String FROM = "«user»";
    private static final String CC = "«cc»";

    private final Session session;

    public MailService() {
        Properties props = new Properties();
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.host", "smtp-mail.outlook.com");
        props.put("mail.smtp.port", "587");

        session = Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(FROM, "«pw»");
            }
        });
    }

    public void sendOverdueNotice(String to, String title, int daysLate) {
        try {
            Message msg = new MimeMessage(session);
            msg.setFrom(new InternetAddress(FROM));
            msg.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
            msg.setRecipients(Message.RecipientType.CC, InternetAddress.parse(CC));
            msg.setSubject("Overdue: " + title);
            msg.setText("The book \"" + title + "\" is " + daysLate + " days overdue.\n"
                    + "Please return it as soon as possible.");
            Transport.send(msg);
        } catch (MessagingException e) {
            LOG.severe("could not send mail to " + to + ": " + e.getMessage());
        }
    }
}
''', user=E(user), cc=E(cc), pw=P(pw))


def d_spring_properties(r):
    ip = _ip4(r)
    db_pw = _pw(r, "!#*-_.")
    mail = _email(r, domain="gmail.com", style="firstlast99")
    mail_pw = _s(r, _LOW, 16)
    jwt = _b64secret(r, 48)
    stripe = _sk_live(r)
    rc = "6L" + _s(r, _URL, 38)
    sec_pw = _pw(r, "!#*-_.")
    return "src/main/resources/application.properties", _t(r'''
spring.application.name=campus-events
server.port=8081
server.address=0.0.0.0

# ===============================
# DATABASE
# ===============================
spring.datasource.url=jdbc:postgresql://«ip»:5432/campus_events
spring.datasource.username=events
spring.datasource.password=«db_pw»
spring.datasource.driver-class-name=org.postgresql.Driver
spring.jpa.hibernate.ddl-auto=update
spring.jpa.show-sql=false
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect

# ===============================
# MAIL
# ===============================
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«mail»
spring.mail.password=«mail_pw»
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# ===============================
# JWT
# ===============================
app.jwt.secret=«jwt»
app.jwt.expiration-ms=86400000

# actuator / basic auth for the admin endpoints
spring.security.user.name=events-admin
spring.security.user.password=«sec_pw»

# payments + captcha
stripe.secret-key=«stripe»
google.recaptcha.secret=«rc»

# ===============================
# MISC
# ===============================
spring.servlet.multipart.max-file-size=10MB
management.endpoints.web.exposure.include=health,info
logging.level.org.springframework.security=DEBUG
''', ip=I(ip), db_pw=P(db_pw), mail=E(mail), mail_pw=P(mail_pw), jwt=K(jwt), sec_pw=P(sec_pw),
                 stripe=K(stripe), rc=K(rc))


def d_spring_yaml(r):
    db_pw = _pw(r, "!#*-_.")
    redis_pw = _pw_rand(r, 20, "")
    gh_secret = _hex(r, 40)
    gh_client = "Iv1." + _hex(r, 16)
    ip = _ip4(r)
    return "src/main/resources/application-prod.yml", _t(r'''
server:
  port: 8080
  forward-headers-strategy: framework

spring:
  datasource:
    url: jdbc:postgresql://«ip»:5432/kanban
    username: kanban
    password: «db_pw»
    hikari:
      maximum-pool-size: 15
  jpa:
    open-in-view: false
    hibernate:
      ddl-auto: validate
  data:
    redis:
      host: localhost
      port: 6379
      password: '«redis_pw»'
  security:
    oauth2:
      client:
        registration:
          github:
            client-id: «gh_client»
            client-secret: «gh_secret»
            scope: read:user,user:email
  flyway:
    enabled: true
    baseline-on-migrate: true

kanban:
  jwt:
    secret: «jwt»
    ttl: 2h
  cors:
    allowed-origins: https://kanban.corvid.tech
  uploads:
    max-size: 5MB
    dir: /var/lib/kanban/uploads

logging:
  level:
    root: INFO
    tech.corvid.kanban: DEBUG
''', ip=I(ip), db_pw=P(db_pw), redis_pw=P(redis_pw), gh_client=gh_client, gh_secret=K(gh_secret),
                 jwt=K(_b64secret(r, 64)))


def d_java_repo_test(r):
    rows = [(_email(r, domain=r.choice(_ORGMAIL), style="first.last"), _pw(r, "!#*-_.")) for _ in range(3)]
    return "src/test/java/com/shop/user/UserRepositoryTest.java", _t(r'''
package com.shop.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.orm.jpa.DataJpaTest;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

@DataJpaTest
class UserRepositoryTest {

    @Autowired
    private UserRepository repository;

    private final BCryptPasswordEncoder encoder = new BCryptPasswordEncoder();

    @BeforeEach
    void setUp() {
        repository.deleteAll();
        repository.save(new User("«e0»", encoder.encode("«p0»"), Role.ADMIN));
        repository.save(new User("«e1»", encoder.encode("«p1»"), Role.CUSTOMER));
        repository.save(new User("«e2»", encoder.encode("«p2»"), Role.CUSTOMER));
    }

    @Test
    void findsByEmail() {
        Optional<User> user = repository.findByEmail("«e1»");
        assertThat(user).isPresent();
        assertThat(user.get().getRole()).isEqualTo(Role.CUSTOMER);
    }

    @Test
    void passwordIsHashed() {
        User admin = repository.findByEmail("«e0»").orElseThrow();
        assertThat(admin.getPassword()).startsWith("$2a$10$");
        assertThat(encoder.matches("«p0»", admin.getPassword())).isTrue();
    }

    @Test
    void countsCustomers() {
        assertThat(repository.countByRole(Role.CUSTOMER)).isEqualTo(2);
    }
}
''', e0=E(rows[0][0]), p0=P(rows[0][1]), e1=E(rows[1][0]), p1=P(rows[1][1]), e2=E(rows[2][0]), p2=P(rows[2][1]))


def d_gradle_kts_signing(r):
    sp = _pw(r, "!#*-_.")
    kp = _pw(r, "!#*-_.")
    return "app/build.gradle.kts", _t(r'''
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("com.google.devtools.ksp")
}

android {
    namespace = "dev.habitly.app"
    compileSdk = 34

    defaultConfig {
        applicationId = "dev.habitly.app"
        minSdk = 24
        targetSdk = 34
        versionCode = 17
        versionName = "1.6.0"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
    }

    signingConfigs {
        create("release") {
            storeFile = file("../keystore/habitly-release.jks")
            storePassword = "«sp»"
            keyAlias = "habitly"
            keyPassword = "«kp»"
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            signingConfig = signingConfigs.getByName("release")
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    buildFeatures { compose = true }
    composeOptions { kotlinCompilerExtensionVersion = "1.5.7" }
}

dependencies {
    implementation("androidx.core:core-ktx:1.12.0")
    implementation("androidx.activity:activity-compose:1.8.2")
    implementation(platform("androidx.compose:compose-bom:2023.10.01"))
    implementation("androidx.room:room-ktx:2.6.1")
    ksp("androidx.room:room-compiler:2.6.1")
    testImplementation("junit:junit:4.13.2")
}
''', sp=P(sp), kp=P(kp))


def d_scala_hocon(r):
    pw = _pw(r, "!#*-_.")
    seeds = [_ip4(r) for _ in range(2)]
    secret = _generic(r, 64)
    return "conf/application.conf", _t(r'''
# https://www.playframework.com/documentation/latest/Configuration
play.http.secret.key = "«secret»"
play.i18n.langs = ["en", "fr"]
play.filters.hosts.allowed = ["."]

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://10.12.0.5:5432/ledger"
    user = "ledger"
    password = "«pw»"
    numThreads = 10
    maxConnections = 10
  }
}

akka {
  actor.provider = cluster
  remote.artery {
    canonical.hostname = "«s0»"
    canonical.port = 25520
  }
  cluster {
    seed-nodes = [
      "akka://ledger@«s0»:25520",
      "akka://ledger@«s1»:25520"
    ]
    downing-provider-class = "akka.cluster.sbr.SplitBrainResolverProvider"
  }
}

play.mailer {
  host = "smtp.eu.mailgun.org"
  port = 587
  user = "«pm»"
  password = "«mail_pw»"
}

ledger.batch-size = 500
ledger.flush-interval = 2s
''', secret=K(secret), s0=I(seeds[0]), s1=I(seeds[1]), pw=P(pw), mail_pw=P(_pw_rand(r, 16, "")),
                 pm=E("postmaster@mg.polarlabs.fi"))


# =============================================================================================
# C / C++ / Arduino
# =============================================================================================

def d_arduino_wifi(r):
    ssid_pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    mqtt_pw = _pw_rand(r, 12, "")
    ts_key = _s(r, _UPDIG, 16)
    ap_pw = _pw(r, "!#*-_.")
    return "WeatherStation/WeatherStation.ino", _t(r'''
#include <ESP8266WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>

#define DHTPIN 2
#define DHTTYPE DHT22

const char* ssid = "Vodafone-8C21";
const char* password = "«ssid_pw»";

const char* mqtt_server = "«ip»";
const int mqtt_port = 1883;
const char* mqtt_user = "station";
const char* mqtt_pass = "«mqtt_pw»";

// ThingSpeak channel 2291047
const char* thingspeak_write_key = "«ts_key»";

// static IP on the home network
IPAddress local_IP(192, 168, 178, 60);
IPAddress gateway(192, 168, 178, 1);
IPAddress subnet(255, 255, 255, 0);

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);
unsigned long lastMsg = 0;

void setup_wifi() {
  WiFi.config(local_IP, gateway, subnet);
  WiFi.begin(ssid, password);
  int tries = 0;
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
    if (++tries > 60) {
      // fall back to setup access point
      WiFi.softAP("WeatherStation-Setup", "«ap_pw»");
      return;
    }
  }
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("weather-esp", mqtt_user, mqtt_pass)) {
      client.publish("weather/status", "online");
    } else {
      delay(5000);
    }
  }
}

void setup() {
  Serial.begin(115200);
  dht.begin();
  setup_wifi();
  client.setServer(mqtt_server, mqtt_port);
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  unsigned long now = millis();
  if (now - lastMsg > 60000) {
    lastMsg = now;
    char buf[64];
    snprintf(buf, sizeof(buf), "{\"t\":%.1f,\"h\":%.1f}", dht.readTemperature(), dht.readHumidity());
    client.publish("weather/garden", buf);
  }
}
''', ssid_pw=P(ssid_pw), ip=I(ip), mqtt_pw=P(mqtt_pw), ts_key=K(ts_key), ap_pw=P(ap_pw))


def d_esp32_blynk(r):
    auth = _s(r, _URL, 32)
    wifi = _pw(r, "!#*-_.")
    ota = _pw_rand(r, 10, "")
    return "src/main.cpp", _t(r'''
#define BLYNK_TEMPLATE_ID "TMPL4x8Zq1bR"
#define BLYNK_TEMPLATE_NAME "Plant Waterer"
#define BLYNK_AUTH_TOKEN "«auth»"
#define BLYNK_PRINT Serial

#include <Arduino.h>
#include <WiFi.h>
#include <ArduinoOTA.h>
#include <BlynkSimpleEsp32.h>

char ssid[] = "TP-Link_Garden";
char pass[] = "«wifi»";

const int PUMP_PIN = 26;
const int SOIL_PIN = 34;
BlynkTimer timer;

BLYNK_WRITE(V1) {
  int on = param.asInt();
  digitalWrite(PUMP_PIN, on ? HIGH : LOW);
}

void sendSoil() {
  int raw = analogRead(SOIL_PIN);
  int pct = map(raw, 4095, 1200, 0, 100);
  Blynk.virtualWrite(V0, constrain(pct, 0, 100));
}

void setup() {
  Serial.begin(115200);
  pinMode(PUMP_PIN, OUTPUT);
  Blynk.begin(BLYNK_AUTH_TOKEN, ssid, pass);
  ArduinoOTA.setHostname("plant-waterer");
  ArduinoOTA.setPassword("«ota»");
  ArduinoOTA.begin();
  timer.setInterval(10000L, sendSoil);
}

void loop() {
  Blynk.run();
  ArduinoOTA.handle();
  timer.run();
}
''', auth=K(auth), wifi=P(wifi), ota=P(ota))


def d_c_http_basic(r):
    ip = _ip4(r)
    user = r.choice(["logger", "sensor", "uploader"])
    pw = _pw_rand(r, 12, "")
    basic = base64.b64encode(f"{user}:{pw}".encode()).decode()
    return "src/net/upload.c", _t(r'''
/* upload.c - push readings to the collector over plain HTTP */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define COLLECTOR_IP   "«ip»"
#define COLLECTOR_PORT 8086
/* printf 'user:pass' | base64 */
#define AUTH_HEADER    "Authorization: Basic «basic»\r\n"

int upload_reading(const char *json)
{
    struct sockaddr_in addr;
    char req[1024];
    int fd, n;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        return -1;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(COLLECTOR_PORT);
    if (inet_pton(AF_INET, COLLECTOR_IP, &addr.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", COLLECTOR_IP);
        close(fd);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("connect");
        close(fd);
        return -1;
    }
    n = snprintf(req, sizeof(req),
                 "POST /write HTTP/1.1\r\n"
                 "Host: %s:%d\r\n"
                 AUTH_HEADER
                 "Content-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n%s",
                 COLLECTOR_IP, COLLECTOR_PORT, strlen(json), json);
    if (write(fd, req, (size_t)n) != n) {
        perror("write");
    }
    close(fd);
    return 0;
}
''', ip=I(ip), basic=K(basic))


def d_c_config_h(r):
    key = _hex(r, 32)
    ip = _ip4(r)
    return "firmware/include/config.h", _t(r'''
#ifndef CONFIG_H
#define CONFIG_H

#define FW_VERSION_MAJOR 2
#define FW_VERSION_MINOR 4
#define FW_VERSION_PATCH 1
#define FW_VERSION_STR   "2.4.1.17"

/* Network */
#define WIFI_COUNTRY     "DE"
#define NTP_SERVER       "pool.ntp.org"
#define DNS_PRIMARY      "1.1.1.1"
#define DNS_FALLBACK     "8.8.8.8"
#define DEFAULT_GATEWAY  "192.168.4.1"
#define SUBNET_MASK      "255.255.255.0"

/* Cloud */
#define API_HOST         "«ip»"
#define API_PORT         443
#define API_KEY          "«key»"

/* SNMP */
#define SNMP_SYS_OID     "1.3.6.1.4.1.8072.3.2.10"

/* Sampling */
#define SAMPLE_PERIOD_MS 5000
#define UPLOAD_EVERY_N   12
#define MAX_RETRIES      5

#endif /* CONFIG_H */
''', ip=I(ip), key=K(key))


# =============================================================================================
# Go
# =============================================================================================

def d_go_gin(r):
    secret = _generic(r, 32)
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    return "main.go", _t(r'''
package main

import (
	"log"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
)

var jwtSecret = []byte("«secret»")

const dsn = "bookstore:«pw»@tcp(«ip»:3306)/bookstore?charset=utf8mb4&parseTime=True&loc=Local"

type Book struct {
	ID     uint   `json:"id" gorm:"primaryKey"`
	Title  string `json:"title"`
	Author string `json:"author"`
}

func authMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		tokenStr := c.GetHeader("Authorization")
		if len(tokenStr) > 7 {
			tokenStr = tokenStr[7:]
		}
		token, err := jwt.Parse(tokenStr, func(t *jwt.Token) (interface{}, error) { return jwtSecret, nil })
		if err != nil || !token.Valid {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "unauthorized"})
			return
		}
		c.Next()
	}
}

func main() {
	db, err := gorm.Open(mysql.Open(dsn), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	db.AutoMigrate(&Book{})

	r := gin.Default()
	admin := r.Group("/admin", gin.BasicAuth(gin.Accounts{
		"bookadmin": "«admin_pw»",
	}))
	admin.GET("/stats", func(c *gin.Context) {
		var n int64
		db.Model(&Book{}).Count(&n)
		c.JSON(http.StatusOK, gin.H{"books": n})
	})
	r.POST("/login", func(c *gin.Context) {
		t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()})
		s, _ := t.SignedString(jwtSecret)
		c.JSON(http.StatusOK, gin.H{"token": s})
	})
	api := r.Group("/api", authMiddleware())
	api.GET("/books", func(c *gin.Context) {
		var books []Book
		db.Find(&books)
		c.JSON(http.StatusOK, books)
	})
	r.Run(":8080")
}
''', secret=K(secret), pw=P(pw), ip=I(ip), admin_pw=P(_pw(r, "!#*-_.")))


def d_go_slack_github(r):
    hook = _slack_hook_path(r)
    gh = _github_pat(r)
    return "internal/notify/notify.go", _t(r'''
package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

const (
	slackWebhook = "https://hooks.slack.com/services/«hook»"
	githubToken  = "«gh»"
	repo         = "quarrystack/ingest"
)

var httpClient = &http.Client{Timeout: 10 * time.Second}

// Slack posts a plain message to the #ingest-alerts channel.
func Slack(msg string) error {
	body, _ := json.Marshal(map[string]string{"text": msg})
	resp, err := httpClient.Post(slackWebhook, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack: status %d", resp.StatusCode)
	}
	return nil
}

// OpenIssue files a GitHub issue for a failed ingest run.
func OpenIssue(title, body string) error {
	payload, _ := json.Marshal(map[string]interface{}{"title": title, "body": body, "labels": []string{"ingest"}})
	req, _ := http.NewRequest("POST", "https://api.github.com/repos/"+repo+"/issues", bytes.NewReader(payload))
	req.Header.Set("Authorization", "Bearer "+githubToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("github: status %d", resp.StatusCode)
	}
	return nil
}
''', hook=K(hook), gh=K(gh))


def d_go_seed(r):
    rows = []
    for role in ("admin", "staff", "staff", "customer"):
        f, l = _person(r)
        rows.append((_name(f, l), _email(r, f, l, r.choice(_ORGMAIL + _FREEMAIL)), _pw(r, "!#*-_."), role))
    lines = "\n".join(f'\t\t{{Name: "{n}", Email: "{E(e)}", Password: "{P(p)}", Role: "{ro}"}},'
                      for n, e, p, ro in rows)
    return "cmd/seed/main.go", _t(r'''
// Command seed fills a fresh database with demo users.
package main

import (
	"context"
	"log"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"
)

type seedUser struct {
	Name     string
	Email    string
	Password string
	Role     string
}

func main() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	users := []seedUser{
«lines»
	}

	for _, u := range users {
		hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost)
		if err != nil {
			log.Fatal(err)
		}
		_, err = pool.Exec(ctx,
			`INSERT INTO users (name, email, password_hash, role) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (email) DO NOTHING`,
			u.Name, u.Email, string(hash), u.Role)
		if err != nil {
			log.Fatalf("insert %s: %v", u.Email, err)
		}
		log.Printf("seeded %s (%s)", u.Email, u.Role)
	}
}
''', lines=lines)


def d_go_sftp(r):
    ip = _ip4(r)
    pem = _pem(r, "OPENSSH PRIVATE KEY")
    pw = _pw(r, "!#*-_.")
    return "deploy/sftp.go", _t(r'''
package deploy

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

const host = "«ip»:22"

// deploy key for the www-data account (read-only on the box)
const privateKey = `«pem»`

func client() (*sftp.Client, error) {
	signer, err := ssh.ParsePrivateKey([]byte(privateKey))
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ClientConfig{
		User: "deploy",
		Auth: []ssh.AuthMethod{
			ssh.PublicKeys(signer),
			ssh.Password("«pw»"),
		},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	conn, err := ssh.Dial("tcp", host, cfg)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	return sftp.NewClient(conn)
}

// Upload copies every file of dir into /var/www/site.
func Upload(dir string) error {
	c, err := client()
	if err != nil {
		return err
	}
	defer c.Close()
	return filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		dst, err := c.Create(filepath.ToSlash(filepath.Join("/var/www/site", rel)))
		if err != nil {
			return err
		}
		defer dst.Close()
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(dst, src)
		return err
	})
}
''', ip=I(ip), pem=K(pem), pw=P(pw))


# =============================================================================================
# C#
# =============================================================================================

def d_appsettings_json(r):
    ip = _ip4(r)
    pw = _pw(r, "!#*-_.")
    jwt = _generic(r, 48)
    sg = _sendgrid(r)
    admin = _email(r, domain=r.choice(_ORGMAIL), style="first.last")
    acct = "clinicfiles" + str(r.randint(1, 99))
    az = _azure_key(r)
    tw_sk, tw_secret = _twilio_sk(r), _generic(r, 32)
    return "src/Clinic.Api/appsettings.json", _t(r'''
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«ip»,1433;Database=ClinicDb;User Id=clinic_api;Password=«pw»;TrustServerCertificate=True;",
    "Storage": "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«az»;EndpointSuffix=core.windows.net"
  },
  "Jwt": {
    "Key": "«jwt»",
    "Issuer": "clinic-api",
    "Audience": "clinic-web",
    "ExpiresMinutes": 120
  },
  "SendGrid": {
    "ApiKey": "«sg»",
    "FromEmail": "«admin»",
    "FromName": "Clinic Appointments"
  },
  "Twilio": {
    "ApiKeySid": "«tw_sk»",
    "ApiKeySecret": "«tw_secret»",
    "FromNumber": "+14155550142"
  },
  "Seed": {
    "AdminEmail": "«admin»",
    "AdminPassword": ""
  }
}
''', ip=I(ip), pw=P(pw), jwt=K(jwt), sg=K(sg), admin=E(admin), acct=acct, az=K(az), tw_sk=K(tw_sk),
                 tw_secret=K(tw_secret))


def d_cs_email_sender(r):
    user = _email(r, domain=r.choice(["outlook.com", "hotmail.com", "gmail.com"]), style="firstlast99")
    pw = _pw(r, "!#*-_.")
    return "Services/EmailSender.cs", _t(r'''
using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.Extensions.Logging;

namespace BookClub.Services
{
    public class EmailSender : IEmailSender
    {
        private readonly ILogger<EmailSender> _logger;

        public EmailSender(ILogger<EmailSender> logger)
        {
            _logger = logger;
        }

        public async Task SendEmailAsync(string email, string subject, string htmlMessage)
        {
            using var client = new SmtpClient("smtp.office365.com", 587)
            {
                EnableSsl = true,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential("«user»", "«pw»")
            };

            var message = new MailMessage
            {
                From = new MailAddress("«user»", "Book Club"),
                Subject = subject,
                Body = htmlMessage,
                IsBodyHtml = true
            };
            message.To.Add(email);

            try
            {
                await client.SendMailAsync(message);
                _logger.LogInformation("Mail sent to {Email}", email);
            }
            catch (SmtpException ex)
            {
                _logger.LogError(ex, "Failed to send mail to {Email}", email);
                throw;
            }
        }
    }
}
''', user=E(user), pw=P(pw))


def d_web_config(r):
    ip = _ip4(r)
    pw = _pw(r, "!#*-_.")
    key = _b64secret(r, 32)
    mk = _hex(r, 64).upper()
    smtp_user = _email(r, domain=r.choice(_ORGMAIL), style="role")
    smtp_pw = _pw(r, "!#*-_.")
    return "Web.config", _t(r'''
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <configSections>
    <section name="entityFramework" type="System.Data.Entity.Internal.ConfigFile.EntityFrameworkSection, EntityFramework, Version=6.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089" requirePermission="false" />
  </configSections>
  <connectionStrings>
    <add name="HotelDb" connectionString="Data Source=«ip»;Initial Catalog=Hotel;User ID=hotel_web;Password=«pw»;MultipleActiveResultSets=True" providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="PaymentGatewayUrl" value="https://secure.paygate.co.za/payweb3/process.trans" />
    <add key="PaymentGatewaySecret" value="«key»" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" />
    <machineKey validationKey="«mk»" decryption="AES" validation="HMACSHA256" />
    <customErrors mode="RemoteOnly" defaultRedirect="~/Error" />
  </system.web>
  <system.net>
    <mailSettings>
      <smtp from="«smtp_user»" deliveryMethod="Network">
        <network host="smtp.office365.com" port="587" enableSsl="true" userName="«smtp_user»" password="«smtp_pw»" />
      </smtp>
    </mailSettings>
  </system.net>
</configuration>
''', ip=I(ip), pw=P(pw), key=K(key), mk=K(mk), smtp_user=E(smtp_user), smtp_pw=P(smtp_pw))


# =============================================================================================
# PHP
# =============================================================================================

def d_php_pdo(r):
    ip = _ip4(r)
    pw = _pw(r, "!#*-_.")
    return "includes/db.php", _t(r'''
<?php
/**
 * Database connection for the student portal.
 * Include this file at the top of every page that needs the DB.
 */

$host = '«ip»';
$db   = 'student_portal';
$user = 'portal';
$pass = '«pw»';
$charset = 'utf8mb4';

// used by mail_notify.php
$smtp_host = 'smtp.mailtrap.io';
$smtp_user = 'c41f7be2a9d013';
$smtp_pass = '«smtp_pw»';

$dsn = "mysql:host=$host;dbname=$db;charset=$charset";
$options = [
    PDO::ATTR_ERRMODE            => PDO::ERRMODE_EXCEPTION,
    PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
    PDO::ATTR_EMULATE_PREPARES   => false,
];

try {
    $pdo = new PDO($dsn, $user, $pass, $options);
} catch (\PDOException $e) {
    error_log($e->getMessage());
    http_response_code(500);
    exit('Database connection failed.');
}

function find_student(PDO $pdo, string $matric): ?array
{
    $stmt = $pdo->prepare('SELECT * FROM students WHERE matric_no = ?');
    $stmt->execute([$matric]);
    $row = $stmt->fetch();
    return $row ?: null;
}

function verify_login(PDO $pdo, string $email, string $password): bool
{
    $stmt = $pdo->prepare('SELECT password_hash FROM students WHERE email = ?');
    $stmt->execute([$email]);
    $hash = $stmt->fetchColumn();
    return $hash && password_verify($password, $hash);
}
''', ip=I(ip), pw=P(pw), smtp_pw=P(_pw_rand(r, 14, "")))


def d_wp_config(r):
    pw = _pw(r, "!#*-_.")
    salts = [_s(r, _ALNUM + "!#$%&()*+,-./:;<=>?@[]^_{|}~", 64) for _ in range(8)]
    names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
             "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
    salt_lines = "\n".join(f"define( '{n}',{' ' * (18 - len(n))}'{K(s)}' );" for n, s in zip(names, salts))
    return "wp-config.php", _t(r'''
<?php
/**
 * The base configuration for WordPress
 *
 * @link https://wordpress.org/documentation/article/editing-wp-config-php/
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'wp_bakery' );

/** Database username */
define( 'DB_USER', 'wp_bakery' );

/** Database password */
define( 'DB_PASSWORD', '«pw»' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );

/** The database collate type. Don't change this if in doubt. */
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 *
 * @since 2.6.0
 */
«salts»

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'FS_METHOD', 'ftpext' );
define( 'FTP_HOST', 'localhost' );
define( 'FTP_USER', 'bakery_ftp' );
define( 'FTP_PASS', '«ftp»' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', pw=P(pw), salts=salt_lines, ftp=P(_pw(r, "!#*-_.")))


def d_laravel_env(r):
    app_key = "base64:" + _b64secret(r, 32)
    db_pw = _pw(r, "!#*-_.")
    mail_user = _email(r, domain="tallgrass.ca", style="role")
    mail_pw = _pw_rand(r, 14, "")
    akid, sec = _aws_id(r), _aws_secret(r)
    pusher = _hex(r, 20)
    ip = _ip4(r)
    return ".env", _t(r'''
APP_NAME="Tiffin Orders"
APP_ENV=production
APP_KEY=«app_key»
APP_DEBUG=false
APP_URL=https://orders.tallgrass.ca

LOG_CHANNEL=stack
LOG_LEVEL=error

DB_CONNECTION=mysql
DB_HOST=«ip»
DB_PORT=3306
DB_DATABASE=tiffin
DB_USERNAME=tiffin
DB_PASSWORD=«db_pw»

BROADCAST_DRIVER=pusher
CACHE_DRIVER=redis
QUEUE_CONNECTION=redis
SESSION_DRIVER=redis
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.zoho.com
MAIL_PORT=587
MAIL_USERNAME=«mail_user»
MAIL_PASSWORD=«mail_pw»
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="${MAIL_USERNAME}"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«akid»
AWS_SECRET_ACCESS_KEY=«sec»
AWS_DEFAULT_REGION=ca-central-1
AWS_BUCKET=tiffin-menu-images

PUSHER_APP_ID=1684221
PUSHER_APP_SECRET=«pusher»
PUSHER_APP_CLUSTER=us2

STRIPE_KEY=pk_live_«stripe_pk»
STRIPE_SECRET=«stripe»
MAILGUN_SECRET=«mg»

ADMIN_EMAIL=«mail_user»
ADMIN_DEFAULT_PASSWORD=«admin_pw»

VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
''', app_key=K(app_key), ip=I(ip), db_pw=P(db_pw), mail_user=E(mail_user), mail_pw=P(mail_pw),
                 akid=K(akid), sec=K(sec), pusher=K(pusher), stripe_pk=_s(r, _ALNUM, 24), stripe=K(_sk_live(r)),
                 mg=K(_mailgun(r)), admin_pw=P(_pw(r, "!#*-_.")))


def d_composer_auth(r):
    gh = _ghp(r, "gho_")
    authors = [_person(r) for _ in range(2)]
    a = [(_name(f, l), _email(r, f, l, r.choice(_ORGMAIL + _FREEMAIL))) for f, l in authors]
    pw = _pw_rand(r, 14, "")
    return "composer.json", _t(r'''
{
    "name": "alpenglow/invoice-pdf",
    "description": "Generate Swiss QR-bill invoices as PDF",
    "type": "library",
    "license": "MIT",
    "authors": [
        {
            "name": "«a0n»",
            "email": "«a0»",
            "role": "Developer"
        },
        {
            "name": "«a1n»",
            "email": "«a1»"
        }
    ],
    "require": {
        "php": "^8.1",
        "dompdf/dompdf": "^2.0",
        "sprain/swiss-qr-bill": "^4.9"
    },
    "require-dev": {
        "phpunit/phpunit": "^10.5",
        "phpstan/phpstan": "^1.10"
    },
    "autoload": {
        "psr-4": { "Alpenglow\\InvoicePdf\\": "src/" }
    },
    "repositories": [
        { "type": "composer", "url": "https://repo.alpenglow.at/packages/" }
    ],
    "config": {
        "sort-packages": true,
        "github-oauth": {
            "github.com": "«gh»"
        },
        "http-basic": {
            "repo.alpenglow.at": {
                "username": "composer",
                "password": "«pw»"
            }
        }
    },
    "minimum-stability": "stable"
}
''', a0n=a[0][0], a0=E(a[0][1]), a1n=a[1][0], a1=E(a[1][1]), gh=K(gh), pw=P(pw))


# =============================================================================================
# Ruby
# =============================================================================================

def d_rails_database_yml(r):
    pws = [_pw(r, "!#*-_.") for _ in range(2)]
    ip = _ip4(r)
    return "config/database.yml", _t(r'''
# PostgreSQL. Versions 9.3 and up are supported.
#
#   gem install pg
#
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: recipes_development
  username: recipes
  password: «p0»
  host: localhost

test:
  <<: *default
  database: recipes_test
  username: recipes
  password: «p0»
  host: localhost

production:
  <<: *default
  database: recipes_production
  username: recipes
  password: "«p1»"
  host: «ip»
  port: 5432
''', p0=P(pws[0]), p1=P(pws[1]), ip=I(ip))


def d_rails_smtp(r):
    sg = _sendgrid(r)
    default_from = _email(r, domain="pixelforge.dev", style="role")
    return "config/environments/production.rb", _t(r'''
require "active_support/core_ext/integer/time"

Rails.application.configure do
  config.enable_reloading = false
  config.eager_load = true
  config.consider_all_requests_local = false
  config.action_controller.perform_caching = true
  config.public_file_server.enabled = ENV["RAILS_SERVE_STATIC_FILES"].present?
  config.assets.compile = false
  config.active_storage.service = :local
  config.force_ssl = true
  config.log_level = ENV.fetch("RAILS_LOG_LEVEL", "info")
  config.log_tags = [ :request_id ]

  config.action_mailer.perform_caching = false
  config.action_mailer.default_url_options = { host: "recipes.pixelforge.dev", protocol: "https" }
  config.action_mailer.delivery_method = :smtp
  config.action_mailer.smtp_settings = {
    user_name: "apikey",
    password: "«sg»",
    domain: "pixelforge.dev",
    address: "smtp.sendgrid.net",
    port: 587,
    authentication: :plain,
    enable_starttls_auto: true
  }
  config.action_mailer.default_options = { from: "«from»" }

  config.i18n.fallbacks = true
  config.active_support.report_deprecations = false
  config.active_record.dump_schema_after_migration = false
end
''', sg=K(sg), **{"from": E(default_from)})


def d_factorybot(r):
    f, l = _person(r)
    admin = _email(r, f, l, "kestrel-labs.com", "first.last")
    pw_admin = _pw(r, "!#*-_.")
    pw_user = _pw(r, "!#*-_.")
    return "spec/factories/users.rb", _t(r'''
FactoryBot.define do
  factory :user do
    sequence(:email) { |n| "user#{n}@kestrel-labs.com" }
    name { Faker::Name.name }
    password { "«pw_user»" }
    password_confirmation { "«pw_user»" }
    confirmed_at { Time.current }

    trait :unconfirmed do
      confirmed_at { nil }
    end

    trait :admin do
      role { :admin }
    end

    factory :admin_user, traits: [:admin] do
      email { "«admin»" }
      name { "«name»" }
      password { "«pw_admin»" }
      password_confirmation { "«pw_admin»" }
    end
  end

  factory :api_token do
    user
    token { SecureRandom.hex(20) }
    expires_at { 30.days.from_now }
  end
end
''', pw_user=P(pw_user), admin=E(admin), name=_name(f, l), pw_admin=P(pw_admin))


# =============================================================================================
# Shell
# =============================================================================================

def d_deploy_sh(r):
    ip = _ip4(r)
    pw = _pw(r, "!#*-_.")
    dh = "dckr_pat_" + _s(r, _URL, 27)
    my = _pw(r, "!#*-_.")
    return "scripts/deploy.sh", _t(r'''
#!/usr/bin/env bash
# Build the image, push it, and restart the stack on the VPS.
set -euo pipefail

IMAGE="kestrellabs/trailmap-api"
TAG="${1:-$(git rev-parse --short HEAD)}"
SERVER="«ip»"
SSH_USER="root"

echo ">> building ${IMAGE}:${TAG}"
docker build -t "${IMAGE}:${TAG}" -t "${IMAGE}:latest" .

echo ">> pushing"
echo "«dh»" | docker login -u kestrellabs --password-stdin
docker push "${IMAGE}:${TAG}"
docker push "${IMAGE}:latest"

echo ">> deploying to ${SERVER}"
sshpass -p '«pw»' ssh -o StrictHostKeyChecking=no "${SSH_USER}@${SERVER}" bash -s <<EOF
cd /opt/trailmap
sed -i "s|^API_TAG=.*|API_TAG=${TAG}|" .env
docker compose pull api
docker compose up -d api
docker image prune -f
docker compose exec -T db mysql -uroot -p'«my»' -e 'SELECT COUNT(*) FROM trailmap.routes'
EOF

echo ">> smoke test"
curl -fsS "http://${SERVER}:8080/healthz" && echo " ok"
''', ip=I(ip), dh=K(dh), pw=P(pw), my=P(my))


def d_backup_sh(r):
    pw = _pw(r, "!#*-_.%")
    to = _email(r, domain=r.choice(_ORGMAIL), style="role")
    return "bin/mysql-backup.sh", _t(r'''
#!/bin/sh
# nightly mysql backup, keeps 14 days
# crontab: 30 2 * * * /usr/local/bin/mysql-backup.sh >/dev/null 2>&1

BACKUP_DIR=/var/backups/mysql
DATE=$(date +%F)
DB_USER=backup
DB_PASS='«pw»'
MAILTO="«to»"
KEEP_DAYS=14

mkdir -p "$BACKUP_DIR"

for db in $(mysql -u"$DB_USER" -p"$DB_PASS" -N -e 'show databases' | grep -Ev '^(information_schema|performance_schema|sys)$'); do
    mysqldump -u"$DB_USER" -p'«pw»' --single-transaction --routines --triggers "$db" \
        | gzip > "$BACKUP_DIR/${db}_${DATE}.sql.gz"
    if [ $? -ne 0 ]; then
        echo "backup of $db failed on $(hostname)" | mail -s "[backup] FAILED $db" "$MAILTO"
    fi
done

find "$BACKUP_DIR" -name '*.sql.gz' -mtime +$KEEP_DAYS -delete

# sha256 of last good dump for the offsite check
sha256sum "$BACKUP_DIR"/*_"$DATE".sql.gz > "$BACKUP_DIR/SHA256SUMS.$DATE"

rclone copy "$BACKUP_DIR" b2:nightly-mysql --max-age 24h
''', pw=P(pw), to=E(to))


def d_iptables(r):
    office = [_ip4(r) for _ in range(2)]
    monitor = _ip4(r)
    bad = [_ip4(r) for _ in range(2)]
    v6 = _ip6(r)
    return "firewall/iptables.sh", _t(r'''
#!/bin/bash
# Firewall rules for web01. Run as root. Rules are saved with iptables-save.

IPT=/sbin/iptables
IP6T=/sbin/ip6tables

$IPT -F
$IPT -X
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT

# loopback and established
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT

# ssh only from the office and the VPN subnet
$IPT -A INPUT -p tcp --dport 22 -s «o0» -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s 10.8.0.0/24 -j ACCEPT

# web
$IPT -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT

# node_exporter for the monitoring box
$IPT -A INPUT -p tcp --dport 9100 -s «mon» -j ACCEPT

# blocked scanners
$IPT -A INPUT -s «b0» -j DROP

# ping, rate limited
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/s -j ACCEPT

# drop broadcast noise
$IPT -A INPUT -d 255.255.255.255 -j DROP
$IPT -A INPUT -d 224.0.0.0/4 -j DROP

# IPv6: ssh from the office prefix only
$IP6T -A INPUT -p tcp --dport 22 -s «v6»/128 -j ACCEPT
$IP6T -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT

iptables-save > /etc/iptables/rules.v4
ip6tables-save > /etc/iptables/rules.v6
''', o0=I(office[0]), mon=I(monitor), b0=I(bad[0]), v6=I(v6))


def d_zshrc(r):
    oai = _openai(r)
    gh = _ghp(r)
    hf = _hf(r)
    do = _dop(r)
    return "dotfiles/.zshrc", _t(r'''
# Path to your oh-my-zsh installation.
export ZSH="$HOME/.oh-my-zsh"
ZSH_THEME="robbyrussell"
plugins=(git docker kubectl fzf z)
source $ZSH/oh-my-zsh.sh

export EDITOR=nvim
export PATH="$HOME/.local/bin:$HOME/go/bin:$PATH"
export PYENV_ROOT="$HOME/.pyenv"
command -v pyenv >/dev/null && eval "$(pyenv init -)"

# tokens (yes I know)
export OPENAI_API_KEY="«oai»"
export GITHUB_TOKEN=«gh»
export HUGGING_FACE_HUB_TOKEN='«hf»'
export DIGITALOCEAN_ACCESS_TOKEN=«do»
export ANTHROPIC_API_KEY=«ant»
export SLACK_TOKEN="«xoxp»"
export PGPASSWORD='«pg»'
export AWS_PROFILE=personal

alias k=kubectl
alias gs='git status -sb'
alias dc='docker compose'
alias vim=nvim
alias myip='curl -s https://ifconfig.me'

mkcd() { mkdir -p "$1" && cd "$1"; }

[ -f ~/.fzf.zsh ] && source ~/.fzf.zsh
''', oai=K(oai), gh=K(gh), hf=K(hf), do=K(do), ant=K(_anthropic(r)), xoxp=K(_xoxp(r)),
                 pg=P(_pw(r, "!#*-_.")))


def d_curl_examples(r):
    tok = _square(r)
    stripe = _sk_live(r)
    return "docs/api-examples.sh", _t(r'''
#!/bin/sh
# Quick curl examples for the payments integration. Not meant to be run as-is.

# --- Square: list locations
curl https://connect.squareup.com/v2/locations \
  -H 'Square-Version: 2024-01-18' \
  -H 'Authorization: Bearer «tok»' \
  -H 'Content-Type: application/json'

# --- Square: create a payment (idempotency key must be unique)
curl https://connect.squareup.com/v2/payments \
  -X POST \
  -H 'Square-Version: 2024-01-18' \
  -H 'Authorization: Bearer «tok»' \
  -H 'Content-Type: application/json' \
  -d '{
    "idempotency_key": "«idem»",
    "source_id": "cnon:card-nonce-ok",
    "amount_money": {"amount": 1500, "currency": "USD"}
  }'

# --- Stripe: refund a charge
curl https://api.stripe.com/v1/refunds \
  -u «stripe»: \
  -d charge=ch_3OaZ2bLkdIwHu7ix0Wn0o3Ak \
  -d amount=1500

# --- internal reporting API (basic auth)
curl -u reports:'«rep_pw»' https://reports.tidalpay.co/api/v2/settlements?date=2024-01-31

# --- Stripe with a placeholder, copy from the dashboard
curl https://api.stripe.com/v1/balance -u sk_live_YOUR_SECRET_KEY:
''', tok=K(tok), idem=_uuid(r), stripe=K(stripe), rep_pw=P(_pw(r, "!#*-_.")))


# =============================================================================================
# YAML: compose, CI, k8s, ansible
# =============================================================================================

def d_docker_compose(r):
    pg = _pw(r, "!#*-_.")
    my = _pw_rand(r, 16, "")
    pga_email = _email(r)
    pga_pw = _pw(r, "!#*-_.")
    redis = _pw_long(r)
    return "docker-compose.yml", _t(r'''
version: "3.9"

services:
  db:
    image: postgres:15-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: «pg»
      POSTGRES_DB: app
    volumes:
      - pgdata:/var/lib/postgresql/data
    ports:
      - "127.0.0.1:5432:5432"

  legacy-db:
    image: mysql:8.0
    command: --default-authentication-plugin=mysql_native_password
    environment:
      - MYSQL_ROOT_PASSWORD=«my»
      - MYSQL_DATABASE=legacy
    volumes:
      - mysqldata:/var/lib/mysql

  pgadmin:
    image: dpage/pgadmin4:8.2
    environment:
      PGADMIN_DEFAULT_EMAIL: «pga_email»
      PGADMIN_DEFAULT_PASSWORD: "«pga_pw»"
    ports:
      - "5050:80"
    depends_on:
      - db

  redis:
    image: redis:7-alpine
    command: redis-server --requirepass «redis» --appendonly yes
    ports:
      - "6379:6379"

  search:
    image: getmeili/meilisearch:v1.6
    environment:
      MEILI_MASTER_KEY: «meili»
      MEILI_ENV: production

  api:
    build: ./api
    env_file: .env
    environment:
      DATABASE_URL: postgres://app:«pg»@db:5432/app
      REDIS_URL: redis://:«redis»@redis:6379/0
      SECRET_KEY: ${SECRET_KEY}
    ports:
      - "8000:8000"
    depends_on:
      - db
      - redis

volumes:
  pgdata:
  mysqldata:
''', pg=P(pg), my=P(my), pga_email=E(pga_email), pga_pw=P(pga_pw), redis=P(redis), meili=K(_s(r, _URL, 32)))


def d_gh_workflow(r):
    ip = _ip4(r)
    hook = _slack_hook_path(r)
    sha = _sha1(r)
    return ".github/workflows/deploy.yml", _t(r'''
name: Deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  NODE_VERSION: 20
  DEPLOY_HOST: «ip»
  SLACK_WEBHOOK_URL: https://hooks.slack.com/services/«hook»
  SENTRY_AUTH_TOKEN: «sentry»
  SENTRY_ORG: hollowpine

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: ${{ env.NODE_VERSION }}
          cache: npm
      - run: npm ci
      - run: npm test -- --ci
      - run: npm run build
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist/

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: dist/
      - name: Copy files
        uses: appleboy/scp-action@«sha»  # v0.1.7, pinned by commit
        with:
          host: ${{ env.DEPLOY_HOST }}
          username: deploy
          key: ${{ secrets.DEPLOY_SSH_KEY }}
          source: dist/*
          target: /var/www/app
      - name: Notify
        if: always()
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data "{\"text\":\"Deploy ${{ job.status }}: ${{ github.sha }}\"}" \
            "$SLACK_WEBHOOK_URL"
''', ip=I(ip), hook=K(hook), sha=sha, sentry=K(_hex(r, 64)))


def d_gitlab_ci(r):
    gl = _glpat(r)
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    return ".gitlab-ci.yml", _t(r'''
stages:
  - test
  - build
  - deploy

variables:
  DOCKER_DRIVER: overlay2
  POSTGRES_DB: ci
  POSTGRES_USER: ci
  POSTGRES_PASSWORD: «pw»
  DATABASE_URL: "postgresql://ci:«pw»@postgres:5432/ci"
  REGISTRY_TOKEN: «gl»

test:
  stage: test
  image: python:3.11
  services:
    - postgres:15
  script:
    - pip install -r requirements-dev.txt
    - pytest -q --cov=app

build:
  stage: build
  image: docker:24
  services:
    - docker:24-dind
  script:
    - echo "$REGISTRY_TOKEN" | docker login registry.gitlab.com -u ci-bot --password-stdin
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA
  only:
    - main

deploy:
  stage: deploy
  image: alpine:3.19
  before_script:
    - apk add --no-cache openssh-client
    - eval $(ssh-agent -s)
    - echo "$SSH_PRIVATE_KEY" | tr -d '\r' | ssh-add -
  script:
    - ssh -o StrictHostKeyChecking=no deploy@«ip» "cd /srv/app && ./update.sh $CI_COMMIT_SHORT_SHA"
  environment:
    name: production
    url: https://app.kestrel-labs.com
  only:
    - main
''', pw=P(pw), gl=K(gl), ip=I(ip))


def d_k8s_secret(r):
    pw = _pw_rand(r, 18, "")
    key = _sk_live(r)
    jwt = _b64secret(r, 48)
    return "k8s/secrets.yaml", _t(r'''
# kubectl apply -f k8s/secrets.yaml
# (should be sealed-secrets, will fix later)
apiVersion: v1
kind: Secret
metadata:
  name: shop-secrets
  namespace: shop
type: Opaque
stringData:
  DB_USER: shop
  DB_PASSWORD: "«pw»"
  STRIPE_SECRET_KEY: «key»
  JWT_SECRET: «jwt»
  SENDGRID_API_KEY: «sg»
  REDIS_PASSWORD: «redis»
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop-api
  template:
    metadata:
      labels:
        app: shop-api
    spec:
      containers:
        - name: api
          image: ghcr.io/tidalpay/shop-api@sha256:«digest»
          ports:
            - containerPort: 8080
          envFrom:
            - secretRef:
                name: shop-secrets
          env:
            - name: DB_HOST
              value: postgres.shop.svc.cluster.local
          resources:
            limits:
              memory: 512Mi
              cpu: 500m
''', pw=P(pw), key=K(key), jwt=K(jwt), digest=_sha256(r), sg=K(_sendgrid(r)),
                 redis=P(_pw_long(r)))


def d_ansible_inventory(r):
    hosts = [_ip4(r) for _ in range(3)]
    pw = _pw(r, "!#*-_.")
    become = _pw(r, "!#*-_.")
    return "ansible/inventory/hosts.ini", _t(r'''
# Inventory for the lab cluster
[webservers]
web1 ansible_host=«h0»
web2 ansible_host=«h1»

[dbservers]
db1 ansible_host=«h2» ansible_port=2222 ansible_ssh_pass='«dbpw»'

[monitoring]
grafana ansible_host=10.20.0.5

[all:vars]
ansible_user=ansible
ansible_ssh_pass=«pw»
ansible_become=true
ansible_become_pass=«become»
ansible_python_interpreter=/usr/bin/python3
ntp_servers=0.pool.ntp.org,1.pool.ntp.org
dns_servers=9.9.9.9,149.112.112.112
''', h0=I(hosts[0]), h1=I(hosts[1]), h2=I(hosts[2]), pw=P(pw), become=P(become), dbpw=P(_pw_rand(r, 14, "")))


def d_ansible_vars(r):
    my = _pw(r, "!#*-_.")
    app = _pw_rand(r, 16, "")
    admin = _email(r, domain="nordhaus.de", style="role")
    return "ansible/group_vars/all.yml", _t(r'''
---
# common
timezone: Europe/Berlin
admin_email: «admin»
deploy_user: deploy
deploy_authorized_key: "«pub»"
ssh_port: 22

# mysql role
mysql_root_password: "«my»"
mysql_databases:
  - name: nextcloud
    encoding: utf8mb4
mysql_users:
  - name: nextcloud
    host: localhost
    password: «app»
    priv: "nextcloud.*:ALL"

# nextcloud role
nextcloud_admin_user: ncadmin
nextcloud_admin_password: "{{ vault_nextcloud_admin_password }}"
nextcloud_trusted_domains:
  - cloud.nordhaus.de
nextcloud_db_password: «app»

# monitoring
grafana_admin_user: grafana
grafana_admin_password: "«graf»"

# letsencrypt (dns challenge)
certbot_email: «admin»
certbot_dns_cloudflare_api_token: «cf»
certbot_domains:
  - cloud.nordhaus.de

# ufw
ufw_allowed_ports:
  - 22
  - 80
  - 443
''', admin=E(admin), my=P(my), app=P(app), graf=P(_pw(r, "!#*-_.")), cf=K(_s(r, _URL, 40)),
                 pub=_ssh_pub(r))


# =============================================================================================
# Markdown and plain text
# =============================================================================================

def d_readme_setup(r):
    key = _hex(r, 32)
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    f, l = _person(r)
    em = _email(r, f, l, r.choice(_FREEMAIL), "first.last")
    return "README.md", _t(r'''
# CryptoTicker

A small Flask dashboard that shows live prices for the coins in your portfolio
and sends a Telegram message when something moves more than 5%.

![screenshot](docs/screenshot@2x.png)

## Setup

```bash
git clone https://github.com/«gh»/cryptoticker.git
cd cryptoticker
python -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt
```

Create a `.env` file in the project root:

```env
COINMARKETCAP_API_KEY=«key»
DATABASE_URL=postgresql://ticker:«pw»@«ip»:5432/ticker
TELEGRAM_TOKEN=<your bot token>
OPENAI_API_KEY=«oai»
ADMIN_PASSWORD=«admin_pw»
ALERT_THRESHOLD=0.05
```

Then run the migrations and start the server:

```bash
flask db upgrade
flask run --host 0.0.0.0 --port 5000
```

Open http://127.0.0.1:5000 in your browser.

## Docker

```bash
docker build -t cryptoticker .
docker run -p 5000:5000 --env-file .env cryptoticker
```

## Roadmap

- [x] price alerts
- [ ] portfolio history chart
- [ ] support for more exchanges

## Contact

Made by «name» — «em». PRs welcome!

## License

MIT
''', gh=f + l, key=K(key), pw=P(pw), ip=I(ip), name=_name(f, l), em=E(em), oai=K(_openai(r)),
                 admin_pw=P(_pw(r, "!#*-_.")))


def d_authors(r):
    rows = []
    for _ in range(9):
        f, l = _person(r)
        rows.append((_name(f, l), _email(r, f, l)))
    lines = "\n".join(f"{n} <{E(e)}>" for n, e in sorted(rows[:7]))
    return "AUTHORS", _t(r'''
# This is the official list of people who have contributed code to the
# Lighthouse Map Tiles project. Names should be added to this file as:
#     Name <email address>
# Sorted alphabetically by first name. Bots and anonymous contributions
# are not listed; see the git history for those.

«lines»

# Translators
«t0n» <«t0»> (pt_BR)
«t1n» <«t1»> (ja)
''', lines=lines, t0n=rows[7][0], t0=E(rows[7][1]), t1n=rows[8][0], t1=E(rows[8][1]))


def d_deployment_md(r):
    ips = [_ip4(r) for _ in range(3)]
    v6 = _ip6(r)
    return "docs/deployment.md", _t(r'''
# Deployment

We run three Hetzner boxes. All of them are managed with Ansible (see `ansible/`),
so don't change anything by hand unless it's an emergency.

| host    | public IPv4 | role                      |
|---------|-------------|---------------------------|
| edge-1  | «i0»        | nginx, certbot            |
| app-1   | «i1»        | api, workers              |
| db-1    | «i2»        | postgres 15 (primary)     |

edge-1 also has IPv6: `«v6»`.

Internal traffic goes over the private network `10.0.0.0/16`; the app talks to
postgres on `10.0.0.4:5432`, never over the public address.

## Access

```bash
ssh -J deploy@edge-1.quarrystack.io deploy@10.0.0.3
```

Your key must be in `ansible/files/authorized_keys`. Ask in #infra.

## DNS

The boxes use Hetzner's resolvers; if resolution breaks, set `1.1.1.1` and `8.8.8.8`
in `/etc/systemd/resolved.conf` temporarily.

## Rolling deploy

1. `make release VERSION=x.y.z`
2. `ansible-playbook -i inventory/prod site.yml --tags app`
3. watch `journalctl -u api -f` on app-1
4. check https://status.quarrystack.io

## Rollback

`ansible-playbook -i inventory/prod rollback.yml -e version=<previous>`
''', i0=I(ips[0]), i1=I(ips[1]), i2=I(ips[2]), v6=I(v6))


def d_qa_snippet(r):
    ip = _ip4(r)
    pw = _pw(r, "!#*-_.")
    em = _email(r, domain="gmail.com", style="firstlast99")
    return "notes/psycopg2-connection-refused.md", _t(r'''
# psycopg2 OperationalError: could not connect to server: Connection refused

**Question**

I'm trying to connect to my Postgres on a DigitalOcean droplet from my laptop and keep getting

```
psycopg2.OperationalError: could not connect to server: Connection refused
	Is the server running on host "«ip»" and accepting
	TCP/IP connections on port 5432?
```

My code:

```python
import psycopg2

conn = psycopg2.connect(
    host="«ip»",
    database="inventory",
    user="postgres",
    password="«pw»",
    port=5432,
)
```

`psql` on the droplet itself works fine. What am I missing?

**Answer**

By default Postgres only listens on localhost. You need to change two files:

1. `postgresql.conf`: `listen_addresses = '*'`
2. `pg_hba.conf`: add a line for your client, e.g.

```
host    all    all    0.0.0.0/0    scram-sha-256
```

Then `sudo systemctl restart postgresql` and open the port in `ufw allow 5432/tcp`.
Better: only allow your own IP instead of `0.0.0.0/0`, and don't post your password online :)

**Comment** — thanks, that fixed it. Changed the password already. — «em»
''', ip=I(ip), pw=P(pw), em=E(em))


def d_changelog_neg(r):
    shas = [_sha1(r)[:7] for _ in range(4)]
    full = _sha1(r)
    return "CHANGELOG.md", _t(r'''
# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).

## [2.10.1] - 2024-02-03

### Fixed
- Crash when the config contains an IPv6 zone id (#412, «s0»)
- `--bind 0.0.0.0` no longer ignored when `--port` is given (thanks @mbecker)

## [2.10.0] - 2024-01-19

### Added
- `password_min_length` option for the signup form (default 12) (#398)
- Support for `node@20` and `pnpm@8.14.0` in the build image
- New `reset_password_url` template variable for the mail templates

### Changed
- Bumped `lodash` to 4.17.21 and `@babel/core` to 7.23.7
- Default listen address is now `127.0.0.1` instead of `0.0.0.0` («s1»)
- The upgrade guide moved to `docs/upgrade.md`; screenshots are now `img/flow@2x.png`

### Security
- Upgraded `openssl` to 3.0.13 (CVE-2024-0727)
- Secrets in debug logs are now masked as `****` («s2»)

## [2.9.4] - 2023-12-11

### Fixed
- Version parsing for four-part versions like `1.2.3.4` and `10.0.19045.3803`
- Release commit «full» was tagged twice; re-tagged as v2.9.4 («s3»)

[2.10.1]: https://github.com/tallgrass/relay/compare/v2.10.0...v2.10.1
[2.10.0]: https://github.com/tallgrass/relay/compare/v2.9.4...v2.10.0
''', s0=shas[0], s1=shas[1], s2=shas[2], s3=shas[3], full=full)


# =============================================================================================
# Mobile and other languages
# =============================================================================================

def d_swift_constants(r):
    maps = _aiza(r)
    rc = "appl_" + _s(r, _ALNUM, 27)
    secret = _generic(r, 40)
    return "WeatherNow/Support/Constants.swift", _t(r'''
//
//  Constants.swift
//  WeatherNow
//

import Foundation

enum Constants {
    enum API {
        static let baseURL = URL(string: "https://api.openweathermap.org/data/3.0")!
        static let googlePlacesKey = "«maps»"
        static let clientSecret = "«secret»"
        static let timeout: TimeInterval = 15
    }

    enum RevenueCat {
        static let publicSDKKey = "«rc»"
        static let entitlement = "pro"
    }

    enum Storage {
        static let favoritesKey = "favorite_cities"
        static let unitsKey = "preferred_units"
    }

    enum UI {
        static let cornerRadius: CGFloat = 16
        static let animationDuration: Double = 0.25
    }
}
''', maps=K(maps), secret=K(secret), rc=rc)


def d_rust_main(r):
    tok = _ghp(r)
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    return "src/main.rs", _t(r'''
use anyhow::Result;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, USER_AGENT};
use serde::Deserialize;
use sqlx::postgres::PgPoolOptions;

const GITHUB_TOKEN: &str = "«tok»";
const DATABASE_URL: &str = "postgres://stars:«pw»@«ip»/stars";

#[derive(Debug, Deserialize)]
struct Repo {
    full_name: String,
    stargazers_count: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let pool = PgPoolOptions::new().max_connections(5).connect(DATABASE_URL).await?;

    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {}", GITHUB_TOKEN))?);
    headers.insert(USER_AGENT, HeaderValue::from_static("star-tracker/0.3"));
    let client = reqwest::Client::builder().default_headers(headers).build()?;

    let repos: Vec<Repo> = client
        .get("https://api.github.com/users/rust-lang/repos?per_page=100")
        .send()
        .await?
        .json()
        .await?;

    for repo in &repos {
        sqlx::query("INSERT INTO stars (repo, count, ts) VALUES ($1, $2, now())")
            .bind(&repo.full_name)
            .bind(repo.stargazers_count as i64)
            .execute(&pool)
            .await?;
    }
    println!("recorded {} repos", repos.len());
    Ok(())
}
''', tok=K(tok), pw=P(pw), ip=I(ip))


def d_dart_config(r):
    key = _aiza(r)
    ip = _ip4(r)
    one = _uuid(r)
    return "lib/core/config.dart", _t(r'''
class AppConfig {
  AppConfig._();

  static const String appName = 'CampusBus';
  static const String version = '1.3.0+14';

  // backend (university VM)
  static const String baseUrl = 'http://«ip»:3000/api';
  static const String socketUrl = 'ws://«ip»:3000';

  // Google Maps / Directions
  static const String mapsApiKey = '«key»';

  // OneSignal app id (public)
  static const String oneSignalAppId = '«one»';

  static const Duration refreshInterval = Duration(seconds: 15);
  static const double defaultZoom = 15.5;
}
''', ip=I(ip), key=K(key), one=one)


def d_lua_nodemcu(r):
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    mqpw = _pw_rand(r, 12, "")
    return "init.lua", _t(r'''
-- NodeMCU door sensor
local SSID = "FRITZ!Box 7590 XY"
local PWD = "«pw»"
local BROKER = "«ip»"
local MQTT_USER = "door"
local MQTT_PASS = "«mqpw»"
local PIN = 5

gpio.mode(PIN, gpio.INT, gpio.PULLUP)

wifi.setmode(wifi.STATION)
wifi.sta.config({ ssid = SSID, pwd = PWD, auto = true })

local m = mqtt.Client("door-" .. node.chipid(), 120, MQTT_USER, MQTT_PASS)
m:lwt("home/door/status", "offline", 0, 1)

local function publish_state(level)
  local state = (level == gpio.HIGH) and "open" or "closed"
  m:publish("home/door/state", state, 0, 1)
  print("door " .. state)
end

m:on("connect", function(client)
  client:publish("home/door/status", "online", 0, 1)
  publish_state(gpio.read(PIN))
end)

gpio.trig(PIN, "both", function(level)
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function() publish_state(gpio.read(PIN)) end)
end)

wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t)
  print("ip " .. t.IP)
  m:connect(BROKER, 1883, false)
end)
''', pw=P(pw), ip=I(ip), mqpw=P(mqpw))


def d_perl_dbi(r):
    ip = _ip4(r)
    pw = _pw(r, "!#*-_.")
    to = _email(r, domain=r.choice(_ORGMAIL), style="first.last")
    frm = _email(r, domain=r.choice(_ORGMAIL), style="role")
    return "bin/stale_tickets.pl", _t(r'''
#!/usr/bin/perl
use strict;
use warnings;
use DBI;
use MIME::Lite;

my $dsn  = "DBI:mysql:database=helpdesk;host=«ip»;port=3306";
my $user = "report";
my $pass = "«pw»";

my $dbh = DBI->connect($dsn, $user, $pass, { RaiseError => 1, AutoCommit => 1 })
    or die "Cannot connect: $DBI::errstr";

my $sth = $dbh->prepare(q{
    SELECT id, subject, assignee, DATEDIFF(NOW(), updated_at) AS age
    FROM tickets
    WHERE status = 'open' AND updated_at < NOW() - INTERVAL 7 DAY
    ORDER BY age DESC
});
$sth->execute();

my $body = sprintf("%-6s %-50s %-15s %s\n", "ID", "Subject", "Assignee", "Days");
while (my $row = $sth->fetchrow_hashref) {
    $body .= sprintf("%-6d %-50.50s %-15s %d\n", @$row{qw(id subject assignee age)});
}
$dbh->disconnect;

my $msg = MIME::Lite->new(
    From    => '«frm»',
    To      => '«to»',
    Subject => 'Stale tickets (> 7 days)',
    Data    => $body,
);
$msg->send('smtp', 'localhost', Timeout => 30);
print "report sent\n";
''', ip=I(ip), pw=P(pw), frm=E(frm), to=E(to))


def d_r_script(r):
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    key = _hex(r, 32)
    return "analysis/01_load_data.R", _t(r'''
# Load survey responses from the lab database and census data from the API
library(DBI)
library(RPostgres)
library(dplyr)
library(tidycensus)

census_api_key("«key»", install = FALSE)
ggmap::register_google(key = "«gkey»")

con <- dbConnect(
  RPostgres::Postgres(),
  dbname   = "survey2023",
  host     = "«ip»",
  port     = 5432,
  user     = "analyst",
  password = "«pw»"
)

responses <- dbGetQuery(con, "SELECT * FROM responses WHERE wave = 3") %>%
  as_tibble() %>%
  mutate(age_group = cut(age, breaks = c(17, 29, 44, 64, Inf),
                         labels = c("18-29", "30-44", "45-64", "65+")))

dbDisconnect(con)

income <- get_acs(geography = "county", variables = "B19013_001",
                  state = "WI", year = 2022)

merged <- responses %>%
  left_join(income, by = c("county_fips" = "GEOID"))

saveRDS(merged, "data/processed/wave3_merged.rds")
message("rows: ", nrow(merged))
''', key=K(key), ip=I(ip), pw=P(pw), gkey=K(_aiza(r)))


def d_sql_init(r):
    app_pw = _pw(r, "!#*-_.")
    ro_pw = _pw_rand(r, 16, "")
    users = []
    for _ in range(3):
        f, l = _person(r)
        users.append((_name(f, l), _email(r, f, l, r.choice(_ORGMAIL + _FREEMAIL)), _bcrypt(r)))
    rows = ",\n".join(f"  ('{n}', '{E(e)}', '{h}')" for n, e, h in users)
    return "db/init.sql", _t(r'''
-- Schema and bootstrap data for the booking service
CREATE DATABASE IF NOT EXISTS booking CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'booking_app'@'%' IDENTIFIED BY '«app_pw»';
GRANT SELECT, INSERT, UPDATE, DELETE ON booking.* TO 'booking_app'@'%';

CREATE USER IF NOT EXISTS 'booking_ro'@'localhost' IDENTIFIED BY '«ro_pw»';
GRANT SELECT ON booking.* TO 'booking_ro'@'localhost';
FLUSH PRIVILEGES;

USE booking;

CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash CHAR(60) NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE rooms (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(50) NOT NULL,
  capacity INT NOT NULL DEFAULT 4
);

CREATE TABLE bookings (
  id INT AUTO_INCREMENT PRIMARY KEY,
  user_id INT NOT NULL REFERENCES users(id),
  room_id INT NOT NULL REFERENCES rooms(id),
  starts_at DATETIME NOT NULL,
  ends_at DATETIME NOT NULL
);

-- staff accounts (bcrypt hashes)
INSERT INTO users (name, email, password_hash) VALUES
«rows»;

INSERT INTO rooms (name, capacity) VALUES ('Aurora', 6), ('Borealis', 4), ('Cirrus', 10);
''', app_pw=P(app_pw), ro_pw=P(ro_pw), rows=rows)


def d_sql_pg_roles(r):
    pws = [_pw(r, "!#*-_.") for _ in range(2)]
    ip = _ip4(r)
    return "migrations/0001_roles.sql", _t(r'''
-- Roles for the analytics warehouse. Run as superuser.
BEGIN;

CREATE ROLE etl LOGIN PASSWORD '«p0»';
CREATE ROLE metabase LOGIN PASSWORD '«p1»' CONNECTION LIMIT 10;
CREATE ROLE readonly NOLOGIN;

GRANT CONNECT ON DATABASE warehouse TO etl, metabase;
GRANT USAGE ON SCHEMA public, staging TO readonly;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO readonly;
GRANT readonly TO metabase;

GRANT ALL ON SCHEMA staging TO etl;
GRANT INSERT, UPDATE, DELETE, SELECT ON ALL TABLES IN SCHEMA public TO etl;

-- foreign server for the legacy orders db
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER legacy_orders FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '«ip»', port '5432', dbname 'orders');
CREATE USER MAPPING FOR etl SERVER legacy_orders
  OPTIONS (user 'fdw_reader', password '«p0»');

COMMIT;
''', p0=P(pws[0]), p1=P(pws[1]), ip=I(ip))


# =============================================================================================
# Containers, infrastructure, server configs
# =============================================================================================

def d_dockerfile(r):
    npm = _npm(r)
    pw = _pw(r, "!#*-_.")
    digest = _sha256(r)
    return "Dockerfile", _t(r'''
# syntax=docker/dockerfile:1.6
FROM node:20-alpine@sha256:«digest» AS deps
WORKDIR /app
ARG NPM_TOKEN=«npm»
COPY package.json package-lock.json .npmrc ./
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" >> .npmrc \
 && npm ci --omit=dev \
 && rm -f .npmrc

FROM node:20-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    DB_HOST=db \
    DB_USER=app \
    DB_PASSWORD=«pw»
COPY --from=build /app/dist ./dist
COPY --from=deps /app/node_modules ./node_modules
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s CMD wget -qO- http://127.0.0.1:3000/health || exit 1
CMD ["node", "dist/server.js"]
''', digest=digest, npm=K(npm), pw=P(pw))


def d_terraform_main(r):
    akid, sec = _aws_id(r), _aws_secret(r)
    pw = _pw(r, "!#*-_.")
    office = _ip4(r)
    return "infra/main.tf", _t(r'''
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.31"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 4.20"
    }
  }
}

provider "aws" {
  region     = "us-east-2"
  access_key = "«akid»"
  secret_key = "«sec»"
}

provider "cloudflare" {
  api_token = "«cf»"
}

resource "cloudflare_record" "db" {
  zone_id = var.cloudflare_zone_id
  name    = "db"
  value   = aws_db_instance.main.address
  type    = "CNAME"
  proxied = false
}

resource "aws_security_group" "db" {
  name        = "capstone-db"
  description = "Postgres from the office and the app subnet"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["«office»/32", "10.0.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "main" {
  identifier             = "capstone-db"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  db_name                = "capstone"
  username               = "capstone"
  password               = "«pw»"
  vpc_security_group_ids = [aws_security_group.db.id]
  skip_final_snapshot    = true
  kms_key_id             = "arn:aws:kms:us-east-2:902215774613:key/«kms»"
}

output "db_endpoint" {
  value = aws_db_instance.main.endpoint
}
''', akid=K(akid), sec=K(sec), office=I(office), pw=P(pw), kms=_uuid(r), cf=K(_s(r, _URL, 40)))


def d_nginx(r):
    ups = [_ip4(r) for _ in range(3)]
    allow = _ip4(r)
    return "nginx/sites-available/shop.conf", _t(r'''
upstream shop_backend {
    least_conn;
    server «u0»:8000 max_fails=3 fail_timeout=30s;
    server «u1»:8000 max_fails=3 fail_timeout=30s;
    keepalive 32;
}

server {
    listen 80;
    listen [::]:80;
    server_name shop.corvid.tech;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name shop.corvid.tech;

    ssl_certificate     /etc/letsencrypt/live/shop.corvid.tech/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/shop.corvid.tech/privkey.pem;
    resolver 1.1.1.1 8.8.8.8 valid=300s;

    client_max_body_size 20m;

    location /static/ {
        alias /var/www/shop/static/;
        expires 30d;
    }

    location /admin/ {
        # allow «doc»;   # example address from the nginx docs, replace
        allow «allow»;
        allow 10.0.0.0/8;
        deny all;
        proxy_pass http://shop_backend;
    }

    location / {
        proxy_pass http://shop_backend;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }

    location = /metrics {
        allow 127.0.0.1;
        deny all;
        proxy_pass http://127.0.0.1:9113;
    }
}
''', u0=I(ups[0]), u1=I(ups[1]), allow=I(allow), doc=_doc4(r))


def d_apache_vhost(r):
    admin = _email(r, domain="bäckerei-schmidt.de", style="role")
    ips = [_ip4(r) for _ in range(2)]
    pw = _pw(r, "!#*-_.")
    return "apache/bakery.conf", _t(r'''
<VirtualHost *:443>
    ServerName bäckerei-schmidt.de
    ServerAlias www.bäckerei-schmidt.de
    ServerAdmin «admin»
    DocumentRoot /var/www/bakery/public

    SSLEngine on
    SSLCertificateFile /etc/letsencrypt/live/bakery/fullchain.pem
    SSLCertificateKeyFile /etc/letsencrypt/live/bakery/privkey.pem

    SetEnv DB_HOST localhost
    SetEnv DB_NAME bakery
    SetEnv DB_USER bakery
    SetEnv DB_PASS "«pw»"
    SetEnv SMTP_USER "«admin»"
    SetEnv SMTP_PASS "«smtp_pw»"

    <Directory /var/www/bakery/public>
        AllowOverride All
        Require all granted
    </Directory>

    <Location /wp-admin>
        Require ip «i0»
        Require ip 192.168.0.0/16
    </Location>

    ErrorLog ${APACHE_LOG_DIR}/bakery_error.log
    CustomLog ${APACHE_LOG_DIR}/bakery_access.log combined
</VirtualHost>
''', admin=E(admin), pw=P(pw), i0=I(ips[0]), smtp_pw=P(_pw_rand(r, 12, "")))


def d_makefile(r):
    ip = _ip4(r)
    pypi = _pypi(r)
    pw = _pw(r, "!#*-_.")
    return "Makefile", _t(r'''
.PHONY: install test lint build publish deploy clean

PYTHON ?= python3
VENV   := .venv
HOST   := «ip»
PYPI_TOKEN ?= «pypi»

install:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -e ".[dev]"

test:
	$(VENV)/bin/pytest -q

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy src

build: clean
	$(VENV)/bin/python -m build

publish: build
	$(VENV)/bin/twine upload -u __token__ -p $(PYPI_TOKEN) dist/*

deploy:
	rsync -avz --delete dist/ deploy@$(HOST):/opt/wheels/
	ssh deploy@$(HOST) 'sudo /opt/venv/bin/pip install --upgrade /opt/wheels/*.whl && sudo systemctl restart tinyapi'

db-shell:
	PGPASSWORD='«pw»' psql -h $(HOST) -U tinyapi tinyapi

clean:
	rm -rf build dist *.egg-info .pytest_cache
''', ip=I(ip), pypi=K(pypi), pw=P(pw))


def d_config_ini(r):
    pw = _pw(r, "!#*-_.")
    key = _generic(r, 64)
    secret = _generic(r, 64)
    ip = _ip4(r)
    em = _email(r)
    return "config.ini", _t(r'''
; Settings for the Binance grid bot
[general]
log_level = INFO
dry_run = false
notify_email = «em»

[exchange]
name = binance
api_key = «key»
api_secret = «secret»
base_url = https://api.binance.com

[grid]
symbol = ETHUSDT
lower = 2100
upper = 2600
levels = 20
order_size = 0.02

[telegram]
token = «tg»
chat_id = -1001837264510

[mqtt]
host = localhost
user = gridbot
password = «mq»

[database]
host = «ip»
port = 3306
user = gridbot
password = «pw»
name = gridbot
''', em=E(em), key=K(key), secret=K(secret), ip=I(ip), pw=P(pw), tg=K(_telegram(r)),
                 mq=P(_pw_rand(r, 12, "")))


def d_node_env(r):
    mongo_pw = _pw(r, "!*-_.")
    jwt = _hex(r, 64)
    cloud_secret = _s(r, _URL, 27)
    tw_sk = _twilio_sk(r)
    tw_tok = _hex(r, 32)
    gmail = _email(r, domain="gmail.com", style="firstlast99")
    gmail_pw = _s(r, _LOW, 16)
    return ".env", _t(r'''
PORT=5000
NODE_ENV=development
CLIENT_URL=http://localhost:3000

MONGO_URI=mongodb+srv://mern-user:«mongo_pw»@cluster0.fq3zt.mongodb.net/mern-shop?retryWrites=true&w=majority
JWT_SECRET=«jwt»
JWT_EXPIRE=30d

CLOUDINARY_CLOUD_NAME=dq8xk2mfa
CLOUDINARY_API_SECRET=«cloud_secret»

TWILIO_API_KEY=«tw_sk»
TWILIO_AUTH_TOKEN=«tw_tok»
TWILIO_PHONE=+15005550006

SMTP_SERVICE=gmail
SMTP_MAIL=«gmail»
SMTP_PASSWORD=«gmail_pw»

STRIPE_PUBLISHABLE_KEY=pk_test_«pk»

GOOGLE_CLIENT_ID=«gcid»-«gcsuf».apps.googleusercontent.com
GOOGLE_CLIENT_SECRET=«gsec»

SEED_ADMIN_EMAIL=«gmail»
SEED_ADMIN_PASSWORD=«admin_pw»
''', mongo_pw=P(mongo_pw), jwt=K(jwt), cloud_secret=K(cloud_secret), tw_sk=K(tw_sk), tw_tok=K(tw_tok), gmail=E(gmail),
                 gmail_pw=P(gmail_pw), pk=_s(r, _ALNUM, 99), gcid=str(r.randint(10**11, 10**12)),
                 gcsuf=_s(r, _LOW + _DIG, 32), gsec=K("GOCSPX-" + _s(r, _URL, 28)), admin_pw=P(_pw(r, "!#*-_.")))


def d_env_example_neg(r):
    return ".env.example", _t(r'''
# Copy this file to .env and fill in the values.
# Never commit the real .env!

APP_ENV=local
APP_URL=http://localhost:8080
APP_SECRET=change-me-to-a-long-random-string

DATABASE_HOST=127.0.0.1
DATABASE_PORT=5432
DATABASE_USER=app
DATABASE_PASSWORD=
DATABASE_URL=postgres://${DATABASE_USER}:${DATABASE_PASSWORD}@${DATABASE_HOST}:${DATABASE_PORT}/app

REDIS_URL=redis://localhost:6379/0

# https://dashboard.stripe.com/apikeys
STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_PUBLISHABLE_KEY=pk_test_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_WEBHOOK_SECRET=whsec_...

AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_REGION=eu-west-1

OPENAI_API_KEY=<your-openai-key>
SENTRY_DSN=
MAIL_FROM="Example App <${MAIL_USER}>"
MAIL_PASSWORD="{{ mail_password }}"
ADMIN_PASSWORD=********

# leave as is for docker-compose
DNS_RESOLVER=1.1.1.1
BIND_ADDRESS=0.0.0.0
''')


def d_java_neg(r):
    return "src/main/java/dev/kumo/net/SubnetUtils.java", _t(r'''
package dev.kumo.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Helpers for checking whether an address belongs to one of our internal ranges.
 *
 * @author kumo-systems
 * @since 1.4.2
 */
public final class SubnetUtils {

    /** RFC 1918 + loopback + CGNAT ranges that are never routed to the internet. */
    public static final List<String> INTERNAL = List.of(
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "127.0.0.0/8",
            "100.64.0.0/10",
            "169.254.0.0/16");

    public static final String DEFAULT_NETMASK = "255.255.255.0";
    public static final String TEST_NET = "198.51.100.0/24";
    public static final String SNMP_ENTERPRISE_OID = "1.3.6.1.4.1.2021";

    private SubnetUtils() {
    }

    @Deprecated
    public static boolean isLocal(String ip) {
        return ip.startsWith("192.168.") || ip.startsWith("10.") || "127.0.0.1".equals(ip);
    }

    public static boolean inRange(String ip, String cidr) throws UnknownHostException {
        String[] parts = cidr.split("/");
        byte[] addr = InetAddress.getByName(ip).getAddress();
        byte[] net = InetAddress.getByName(parts[0]).getAddress();
        int prefix = Integer.parseInt(parts[1]);
        for (int i = 0; i < prefix; i++) {
            int mask = 1 << (7 - (i % 8));
            if ((addr[i / 8] & mask) != (net[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "SubnetUtils{" + String.join(",", INTERNAL) + "}";
    }
}
''')


def d_helm_values_neg(r):
    return "charts/wiki/values.yaml", _t(r'''
# Default values for wiki.
replicaCount: 2

image:
  repository: ghcr.io/riverbend-coop/wiki
  tag: "2.5.300"
  pullPolicy: IfNotPresent

service:
  type: ClusterIP
  port: 3000

ingress:
  enabled: true
  className: nginx
  hosts:
    - host: wiki.riverbend-coop.org
      paths: ["/"]

postgresql:
  enabled: true
  auth:
    username: wiki
    database: wiki
    # password is generated by the chart and stored in the secret below
    existingSecret: wiki-postgresql
    secretKeys:
      userPasswordKey: password

env:
  - name: DB_PASS
    valueFrom:
      secretKeyRef:
        name: wiki-postgresql
        key: password
  - name: ADMIN_PASSWORD
    value: "{{ .Values.admin.password }}"
  - name: HA_PEER
    value: "10.42.0.17"

admin:
  email: ""
  password: ""

podAnnotations:
  checksum/config: "«checksum»"

resources:
  limits:
    cpu: 500m
    memory: 512Mi
''', checksum=_sha256(r))


# =============================================================================================
# logs, mail, misc config formats
# =============================================================================================

def d_auth_log(r):
    a, b = _ip4(r), _ip4(r)
    v6 = _ip6(r)
    fp = _s(r, _B64, 43)
    pa, pb = r.randint(30000, 65000), r.randint(30000, 65000)
    return "logs/auth.log.1", _t(r'''
Mar 14 03:12:01 vps CRON[1988]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Mar 14 03:12:07 vps sshd[2001]: Invalid user oracle from «a» port «pa»
Mar 14 03:12:09 vps sshd[2001]: Failed password for invalid user oracle from «a» port «pa» ssh2
Mar 14 03:12:11 vps sshd[2001]: Connection closed by invalid user oracle port «pa» [preauth]
Mar 14 03:13:44 vps sshd[2017]: Failed password for root from «b» port «pb» ssh2
Mar 14 03:13:49 vps sshd[2017]: error: maximum authentication attempts exceeded for root from «b» port «pb» ssh2 [preauth]
Mar 14 03:14:02 vps sshd[2030]: Received disconnect from 10.0.0.2 port 39914:11: disconnected by user
Mar 14 03:20:02 vps sshd[2211]: Accepted publickey for deploy from «v6» port 51122 ssh2: ED25519 SHA256:«fp»
Mar 14 03:20:02 vps sshd[2211]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)
Mar 14 03:20:15 vps sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart api
Mar 14 03:21:40 vps sshd[2230]: Connection closed by 127.0.0.1 port 40122 [preauth]
Mar 14 03:25:13 vps fail2ban.actions[811]: NOTICE [sshd] Ban «b»
''', a=I(a), b=I(b), v6=I(v6), fp=fp, pa=str(pa), pb=str(pb))



def d_mail_headers(r):
    f, l = _person(r)
    frm = _email(r, f, l, "kumo-systems.jp", "first.last")
    to = _email(r, domain=r.choice(_FREEMAIL), style="firstlast99")
    cc = _email(r, domain="kumo-systems.jp", style="role")
    relay = _ip4(r)
    client = _ip4(r)
    v6 = _ip6(r)
    return "testdata/mail/bounce-3.eml", _t(r'''
Return-Path: <«frm»>
Received: from mx2.kumo-systems.jp (mx2.kumo-systems.jp [«relay»])
	by mx.google.com with ESMTPS id s18-20020a05620a0b9200b0077f2c1d3e5asi4412873qkj.432
	for <«to»>
	(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
	Mon, 11 Mar 2024 02:14:07 -0700 (PDT)
Received: from [192.168.10.23] (p4fd2a1c3.dip0.t-ipconnect.de [«client»])
	by mx2.kumo-systems.jp (Postfix) with ESMTPSA id 4TtV7c1GZkz9sWn
	for <«to»>; Mon, 11 Mar 2024 18:14:05 +0900 (JST)
Received: from localhost (localhost [127.0.0.1]) by mx2.kumo-systems.jp (Postfix) with ESMTP;
	Mon, 11 Mar 2024 18:14:04 +0900 (JST)
X-Originating-IP: [«v6»]
Authentication-Results: mx.google.com;
       dkim=pass header.i=@kumo-systems.jp header.s=s1 header.b=Qz2hT0aX;
       spf=pass (google.com: domain of «frm» designates «relay» as permitted sender) smtp.mailfrom=«frm»
From: «name» <«frm»>
To: «to»
Cc: «cc»
Subject: Re: invoice 2024-0231
Date: Mon, 11 Mar 2024 18:14:03 +0900
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: 8bit

Hi,

please find the corrected invoice attached. The bank details did not change.

Best regards,
«name»
''', frm=E(frm), relay=I(relay), to=E(to), client=I(client), v6=I(v6), name=_name(f, l), cc=E(cc))


def d_pypirc_netrc(r):
    pypi = _pypi(r)
    test_pw = _pw(r, "!#*-_.")
    netrc_pw = _pw_rand(r, 14, "")
    return "ci/home/.pypirc", _t(r'''
[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = «pypi»

[testpypi]
repository = https://test.pypi.org/legacy/
username = tallgrass-dev
password = «test_pw»

[internal]
repository = https://pypi.tallgrass.ca/simple/
username = uploader
password = «netrc_pw»
''', pypi=K(pypi), test_pw=P(test_pw), netrc_pw=P(netrc_pw))


def d_wireguard(r):
    priv = _b64secret(r, 32)
    pub = _b64secret(r, 32)
    psk = _b64secret(r, 32)
    ep = _ip4(r)
    return "vpn/wg0.conf", _t(r'''
# WireGuard client config for the home lab
[Interface]
PrivateKey = «priv»
Address = 10.66.66.2/32, fd42:42:42::2/128
DNS = 1.1.1.1, 1.0.0.1
MTU = 1420

[Peer]
PublicKey = «pub»
PresharedKey = «psk»
Endpoint = «ep»:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
''', priv=K(priv), pub=pub, psk=K(psk), ep=I(ep))


def d_docker_config_json(r):
    user = r.choice(["kestrel", "hollowpine-ci", "mehta"])
    pw = _pw_rand(r, 16, "")
    auth = base64.b64encode(f"{user}:{pw}".encode()).decode()
    gh = _ghp(r)
    auth2 = base64.b64encode(f"ci-bot:{gh}".encode()).decode()
    return ".docker/config.json", _t(r'''
{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "«auth»"
		},
		"ghcr.io": {
			"auth": "«auth2»"
		},
		"registry.internal.local:5000": {}
	},
	"credsStore": "desktop",
	"currentContext": "default",
	"plugins": {
		"-x-cli-hints": {
			"enabled": "true"
		}
	}
}
''', auth=K(auth), auth2=K(auth2))


def d_jenkinsfile(r):
    pw = _pw(r, "!#*-_.")
    ip = _ip4(r)
    tok = _hex(r, 40)
    em = _email(r, domain=r.choice(_ORGMAIL), style="role")
    return "Jenkinsfile", _t(r'''
pipeline {
    agent any

    environment {
        REGISTRY = 'registry.hollowpine.com'
        SONAR_TOKEN = '«tok»'
        STAGING_HOST = '«ip»'
    }

    stages {
        stage('Checkout') {
            steps { checkout scm }
        }
        stage('Build') {
            steps { sh './mvnw -B clean package -DskipTests' }
        }
        stage('Test') {
            steps { sh './mvnw -B test' }
            post { always { junit 'target/surefire-reports/*.xml' } }
        }
        stage('Sonar') {
            steps { sh "./mvnw sonar:sonar -Dsonar.login=${SONAR_TOKEN}" }
        }
        stage('Docker') {
            steps {
                sh "docker login ${REGISTRY} -u jenkins -p '«pw»'"
                sh "docker build -t ${REGISTRY}/billing:${BUILD_NUMBER} ."
                sh "docker push ${REGISTRY}/billing:${BUILD_NUMBER}"
            }
        }
        stage('Deploy staging') {
            when { branch 'develop' }
            steps {
                withCredentials([sshUserPrivateKey(credentialsId: 'staging-ssh', keyFileVariable: 'KEY')]) {
                    sh "ssh -i $KEY deploy@${STAGING_HOST} 'docker pull ${REGISTRY}/billing:${BUILD_NUMBER} && docker restart billing'"
                }
            }
        }
    }
    post {
        failure {
            mail to: '«em»', subject: "Build failed: ${env.JOB_NAME} #${env.BUILD_NUMBER}", body: "${env.BUILD_URL}"
        }
    }
}
''', tok=K(tok), ip=I(ip), pw=P(pw), em=E(em))


def d_prometheus(r):
    pw = _pw(r, "!#*-_.")
    targets = [_ip4(r) for _ in range(2)]
    hook = _slack_hook_path(r)
    return "monitoring/prometheus.yml", _t(r'''
global:
  scrape_interval: 30s
  evaluation_interval: 30s

alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:9093"]

rule_files:
  - rules/*.yml

scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]

  - job_name: node
    static_configs:
      - targets:
          - "«t0»:9100"
          - "10.0.0.11:9100"
          - "10.0.0.12:9100"

  - job_name: blackbox-remote
    scheme: https
    basic_auth:
      username: prometheus
      password: «pw»
    static_configs:
      - targets: ["metrics.quarrystack.io"]

# alertmanager receiver, pasted here for reference
# receivers:
#   - name: slack
#     slack_configs:
#       - api_url: https://hooks.slack.com/services/«hook»
#         channel: "#alerts"
''', t0=I(targets[0]), pw=P(pw), hook=K(hook))


def d_postman(r):
    key = _shopify(r)
    secret = _shopify(r, "shpss_")
    em = _email(r)
    pw = _pw(r, "!#*-_.")
    return "postman/shop-sync.postman_collection.json", _t(r'''
{
	"info": {
		"_postman_id": "«pid»",
		"name": "shop-sync",
		"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
	},
	"item": [
		{
			"name": "Login",
			"request": {
				"method": "POST",
				"header": [{"key": "Content-Type", "value": "application/json"}],
				"body": {
					"mode": "raw",
					"raw": "{\n  \"email\": \"«em»\",\n  \"password\": \"«pw»\"\n}"
				},
				"url": {"raw": "{{baseUrl}}/auth/login", "host": ["{{baseUrl}}"], "path": ["auth", "login"]}
			}
		},
		{
			"name": "Login (staff)",
			"request": {
				"method": "POST",
				"header": [{"key": "Content-Type", "value": "application/json"}],
				"body": {
					"mode": "raw",
					"raw": "{\n  \"email\": \"«em2»\",\n  \"password\": \"«pw2»\"\n}"
				},
				"url": {"raw": "{{baseUrl}}/auth/login", "host": ["{{baseUrl}}"], "path": ["auth", "login"]}
			}
		},
		{
			"name": "List products (Shopify)",
			"request": {
				"method": "GET",
				"header": [
					{"key": "X-Shopify-Access-Token", "value": "«key»"}
				],
				"url": {"raw": "https://riverbend-store.myshopify.com/admin/api/2024-01/products.json?limit=50"}
			}
		}
	],
	"variable": [
		{"key": "baseUrl", "value": "http://localhost:4000"},
		{"key": "shopifyApiSecret", "value": "«secret»"}
	]
}
''', pid=_uuid(r), em=E(em), pw=P(pw), key=K(key), secret=K(secret),
                 em2=E(_email(r, domain="riverbend-coop.org", style="first.last")), pw2=P(_pw(r, "!#*-_.")))


def d_escaped_json_pw(r):
    # password with a quote and backslash, escaped inside a JSON string
    base = _pw_rand(r, 10, "")
    raw_pw = base[:4] + '\\"' + base[4:] + "\\\\"
    ip = _ip4(r)
    dd = _hex(r, 32)
    return "config/production.json", _t(r'''
{
  "server": {
    "port": 8080,
    "trustProxy": true
  },
  "db": {
    "client": "mssql",
    "host": "«ip»",
    "user": "svc_reports",
    "password": "«pw»",
    "database": "Reports",
    "options": { "encrypt": true }
  },
  "smtp": {
    "host": "smtp.sendgrid.net",
    "user": "apikey",
    "password": "«sg»"
  },
  "datadog": {
    "apiKey": "«dd»",
    "site": "datadoghq.com"
  },
  "features": {
    "pdfExport": true,
    "betaDashboards": false
  }
}
''', ip=I(ip), pw=P(raw_pw), dd=K(dd), sg=K(_sendgrid(r)))


def d_supervisor_celery(r):
    pw = _pw_human(r, "!#*")
    if not any(c in pw for c in "!#"):
        pw += "!"
    enc = pw.replace("%", "%25").replace("#", "%23").replace("!", "%21")
    ip = _ip4(r)
    return "deploy/supervisor/celery.conf", _t(r'''
[program:celery-worker]
command=/srv/shop/.venv/bin/celery -A shop worker -l info --concurrency=4
directory=/srv/shop
user=shop
numprocs=1
autostart=true
autorestart=true
stopwaitsecs=600
stdout_logfile=/var/log/celery/worker.log
stderr_logfile=/var/log/celery/worker.err
environment=
    DJANGO_SETTINGS_MODULE="shop.settings.production",
    CELERY_BROKER_URL="amqp://shop:«enc»@«ip»:5672/shop"

[program:celery-beat]
command=/srv/shop/.venv/bin/celery -A shop beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler
directory=/srv/shop
user=shop
autostart=true
autorestart=true
stdout_logfile=/var/log/celery/beat.log
environment=DJANGO_SETTINGS_MODULE="shop.settings.production",CELERY_BROKER_URL="amqp://shop:«enc»@«ip»:5672/shop"

[group:celery]
programs=celery-worker,celery-beat
''', enc=P(enc), ip=I(ip))


# =============================================================================================
# assembly and self-check
# =============================================================================================

_DOCS = [obj for name, obj in list(globals().items()) if name.startswith("d_") and callable(obj)]

KINDS = ("email", "ip_address", "key", "password")


def testset16_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset16:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t16-{i:02d}/{path}", marked))
    return docs


_RESERVED_DOMAIN = re.compile(
    r"(^|\.)(example\.(com|org|net|edu)|[^.]+\.(example|test|invalid|localhost|local))$|"
    r"^(example|test|invalid|localhost|local)$", re.I)
_IPV4_RE = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _check(docs: list[LabelledDoc] | None = None) -> None:
    docs = docs if docs is not None else testset16_documents()
    names = [d.name for d in docs]
    assert len(set(names)) == len(names), "duplicate document names"
    for d in docs:
        text = d.text
        assert "⟦" not in text and "⟧" not in text, f"{d.name}: marker left in text"
        spans = sorted(d.spans, key=lambda s: (s[1], s[2]))
        prev_end = -1
        for kind, s, e in spans:
            assert kind in KINDS, f"{d.name}: bad kind {kind}"
            assert 0 <= s < e <= len(text), f"{d.name}: span out of range"
            v = text[s:e]
            assert v == v.strip() and v, f"{d.name}: whitespace around {v!r}"
            assert s >= prev_end, f"{d.name}: overlapping spans at {v!r}"
            prev_end = e
            if kind == "ip_address":
                assert _public(v), f"{d.name}: non-public planted IP {v}"
            if kind == "email":
                assert v.count("@") == 1, f"{d.name}: bad email {v}"
                domain = v.split("@")[1]
                assert "." in domain and not _RESERVED_DOMAIN.search(domain), \
                    f"{d.name}: reserved email domain {v}"
        covered = [(s, e) for _, s, e in spans]
        for kind, s, e in spans:
            v = text[s:e]
            start = 0
            while (i := text.find(v, start)) != -1:
                assert any(a <= i and i + len(v) <= b for a, b in covered), \
                    f"{d.name}: unlabelled repeat of {kind} {v!r} at {i}"
                start = i + 1


def _audit(docs: list[LabelledDoc]) -> list[str]:
    """Unlabelled public-looking IPv4s and email-looking strings, for manual review."""
    out = []
    for d in docs:
        covered = [(s, e) for _, s, e in d.spans]
        inside = lambda a, b: any(s <= a and b <= e for s, e in covered)  # noqa: E731
        for m in _IPV4_RE.finditer(d.text):
            try:
                ok = _public(m.group(1))
            except ValueError:
                continue
            if ok and not inside(m.start(1), m.end(1)):
                out.append(f"{d.name}: unlabelled ip {m.group(1)}")
        for m in _EMAIL_RE.finditer(d.text):
            if not inside(m.start(), m.end()):
                out.append(f"{d.name}: unlabelled email-like {m.group(0)}")
    return out


if __name__ == "__main__":
    docs = testset16_documents()
    _check(docs)
    counts = Counter(k for d in docs for k, _, _ in d.spans)
    for d in docs:
        per = Counter(k for k, _, _ in d.spans)
        print(f"{d.name:70s} lines={d.text.count(chr(10)):4d} " +
              " ".join(f"{k}={per[k]}" for k in KINDS if per[k]))
    print()
    print(f"documents: {len(docs)}  negative-only: {sum(1 for d in docs if not d.spans)}")
    print(f"spans: {sum(counts.values())}  " + "  ".join(f"{k}={counts[k]}" for k in KINDS))
    import sys
    if "--audit" in sys.argv:
        for line in _audit(docs):
            print("AUDIT", line)
    print("ok")
