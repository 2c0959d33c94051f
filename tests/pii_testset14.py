"""Blind labelled test set 14 for the PII/secret scrubber.

About ninety documents, each imitating one file drawn from a crawl of permissively licensed
GitHub repositories (The Stack), roughly in proportion to how common its language or file type
is, keeping only files that hold at least one secret or a realistic hard negative: ordinary code
in which a credential was hard-coded for convenience (tutorial apps, student projects, hobby
bots, scrapers, IoT sketches, CI configs, test fixtures, docker-compose files, committed .env
files, README setup sections, example configs, Q&A snippets, commented-out lines, log excerpts,
mail headers, AUTHORS lists, server configs and firewall rules), plus a few documents that hold
hard negatives only. Written without looking at the scrubber or at any other labelled set.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records the spans. Every secret value (and most negatives) is drawn from a ``random.Random``
seeded from the seed and the document's name, so the set is deterministic per seed.

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
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1414

# --------------------------------------------------------------------------------------------
# markers and template filling
# --------------------------------------------------------------------------------------------


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


_PH = re.compile(r"«(\w+)»")


def fill(tpl: str, **kw: str) -> str:
    """Replace every «name» in tpl by kw[name]; every name must be used."""
    used: set[str] = set()

    def rep(m: re.Match) -> str:
        used.add(m.group(1))
        return str(kw[m.group(1)])

    out = _PH.sub(rep, tpl)
    unused = set(kw) - used
    assert not unused, f"unused template values: {sorted(unused)}"
    return out


# --------------------------------------------------------------------------------------------
# value generators
# --------------------------------------------------------------------------------------------

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALPHA = UP + LO
ALNUM = ALPHA + DIG
HEX = "0123456789abcdef"
HEXU = "0123456789ABCDEF"
B64 = ALNUM + "+/"
B64U = ALNUM + "-_"


def rs(r: random.Random, alpha: str, n: int) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def mixed(r: random.Random, alpha: str, n: int) -> str:
    """Random string of alpha that contains at least one upper, lower and digit."""
    while True:
        s = rs(r, alpha, n)
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return s


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# ---- provider tokens -----------------------------------------------------------------------

def aws_id(r, prefix="AKIA"):
    return prefix + rs(r, UP + "234567", 16)


def aws_secret(r):
    return mixed(r, B64, 40)


def gh_token(r, prefix="ghp_"):
    return prefix + mixed(r, ALNUM, 36)


def gh_pat(r):
    return "github_pat_11" + rs(r, UP + DIG, 20) + "_" + mixed(r, ALNUM, 59)


def glpat(r):
    return "glpat-" + mixed(r, ALNUM + "-_", 20)


def slack_bot(r):
    return f"xoxb-{rs(r, DIG, 12)}-{rs(r, DIG, 13)}-{mixed(r, ALNUM, 24)}"


def slack_user(r):
    return f"xoxp-{rs(r, DIG, 12)}-{rs(r, DIG, 12)}-{rs(r, DIG, 13)}-{rs(r, HEX, 32)}"


def slack_hook_path(r):
    return f"T{rs(r, UP + DIG, 8)}/B{rs(r, UP + DIG, 10)}/{mixed(r, ALNUM, 24)}"


def stripe_sk(r, prefix="sk_live_"):
    return prefix + "51" + mixed(r, ALNUM, 97)


def stripe_short(r, prefix="sk_live_"):
    return prefix + mixed(r, ALNUM, 24)


def sendgrid(r):
    return "SG." + mixed(r, B64U, 22) + "." + mixed(r, B64U, 43)


def twilio_sk(r):
    return "SK" + rs(r, HEX, 32)


def mailgun(r):
    return "key-" + rs(r, HEX, 32)


def npm_token(r):
    return "npm_" + mixed(r, ALNUM, 36)


def pypi_token(r):
    return "pypi-AgEIcHlwaS5vcmc" + mixed(r, B64U, 160)


def openai_key(r):
    return "sk-" + mixed(r, ALNUM, 48)


def openai_proj(r):
    return "sk-proj-" + mixed(r, B64U, 74) + "T3BlbkFJ" + mixed(r, B64U, 74)


def anthropic_key(r):
    return "sk-ant-api03-" + mixed(r, B64U, 93) + "AA"


def hf_token(r):
    return "hf_" + rs(r, ALPHA, 34)


def google_key(r):
    return "AIza" + mixed(r, B64U, 35)


def discord_token(r):
    uid = str(r.randint(10**17, 13 * 10**17))
    return b64u(uid.encode()) + ".G" + rs(r, B64U, 5) + "." + mixed(r, B64U, 38)


def telegram_token(r):
    return f"{r.randint(10**9, 7 * 10**9)}:AA{mixed(r, B64U, 33)}"


def jwt(r, payload: dict | None = None, alg="HS256"):
    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    if payload is None:
        payload = {"sub": str(r.randint(1000, 99999)), "name": r.choice(FIRST).title(),
                   "iat": r.randint(1_600_000_000, 1_720_000_000)}
    body = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return f"{head}.{body}.{mixed(r, B64U, 43)}"


_PEM = {
    "RSA": ("RSA PRIVATE KEY", "MIICXAIBAAKBgQC", 13, 64),
    "RSA2048": ("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA", 25, 64),
    "EC": ("EC PRIVATE KEY", "MHcCAQEEI", 3, 64),
    "OPENSSH": ("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 5, 70),
    "PKCS8": ("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 25, 64),
    "PKCS8EC": ("PRIVATE KEY", "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg", 3, 64),
}


def pem(r, kind="EC", nl="\n", indent=""):
    label, prefix, nlines, width = _PEM[kind]
    body = prefix + rs(r, B64, nlines * width - len(prefix))
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    tail = rs(r, B64, r.randint(8, width - 8)) + r.choice(["", "=", "=="])
    if kind == "OPENSSH":
        tail = rs(r, B64, 12) + "=="
    lines.append(tail)
    sep = nl + indent
    return sep.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def cert(r, nl="\n", indent=""):
    """A certificate block: public, a hard negative."""
    body = "MIIDWTCCAkGgAwIBAgIU" + rs(r, B64, 64 * 12 - 20)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)] + [rs(r, B64, 40) + "=="]
    sep = nl + indent
    return sep.join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"])


def azure_key(r):
    return mixed(r, B64, 86) + "=="


def hexs(r, n):
    return rs(r, HEX, n)


def uuid4(r):
    return f"{hexs(r, 8)}-{hexs(r, 4)}-4{hexs(r, 3)}-{r.choice('89ab')}{hexs(r, 3)}-{hexs(r, 12)}"


def bcrypt(r):
    return "$2b$12$" + rs(r, ALNUM + "./", 53)


# ---- passwords ----------------------------------------------------------------------------

WORDS = ["Summer", "Winter", "Autumn", "Falcon", "Tiger", "Dragon", "Monkey", "Sunshine", "Rocket",
         "Pizza", "Coffee", "Bluebird", "Mustang", "Pepper", "Shadow", "Maple", "Jaguar", "Orange",
         "Thunder", "Panther", "Kitten", "Bandit", "Cobalt", "Goblin", "Walrus", "Nimbus", "Biscuit",
         "Marble", "Pickle", "Quasar", "Raven", "Saturn", "Tango", "Velvet", "Zephyr", "Brownie",
         "Cactus", "Dolphin", "Ember", "Fjord", "Gizmo", "Harbor", "Juniper", "Koala", "Lemon",
         "Mango", "Nebula", "Otter", "Penguin", "Quokka", "Rhino", "Salsa", "Toffee", "Viking",
         "Wombat", "Yeti", "Banana", "Hunter", "Lobster", "Muffin", "Cricket", "Spartan", "Comet"]
_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


def human_pw(r, sym="!@#$%&*?."):
    w, w2 = r.choice(WORDS), r.choice(WORDS)
    year = str(r.choice([r.randint(1975, 2025), r.randint(10, 99), r.randint(100, 999)]))
    s = r.choice(sym) if sym else ""
    pat = r.randrange(7)
    if pat == 0:
        return f"{w}{year}{s}"
    if pat == 1:
        return f"{w.lower()}{r.randint(1, 99)}{w2.lower()}"
    if pat == 2:
        return f"{w[0]}{w[1:].lower().translate(_LEET)}{s}{r.randint(1, 9)}"
    if pat == 3:
        return f"{w}{s}{w2}{r.randint(1, 99)}"
    if pat == 4:
        return f"{r.choice(FIRST).title()}{year}{s}"
    if pat == 5:
        return f"{w.lower()}{r.randint(2, 9)}{s}{w2.upper()[:3]}"
    return f"{w[:4].lower()}{s}{w2[:4]}{r.randint(10, 9999)}"


def rand_pw(r, n=None, sym="!@#$%^&*-_"):
    n = n or r.randint(10, 16)
    while True:
        s = mixed(r, ALNUM + sym * 2 if sym else ALNUM, n)
        if not sym or any(c in sym for c in s):
            return s


def pw(r, sym="!@#$%&*?."):
    """Mostly human-made, sometimes random."""
    return human_pw(r, sym) if r.random() < 0.6 else rand_pw(r, sym=sym.replace("?", "").replace(".", "-"))


def url_pw(r):
    """A password as it sits in a URL: safe chars, or percent-encoded."""
    p = pw(r, "!@#$%&*")
    return quote(p, safe="") if r.random() < 0.4 else re.sub(r"[^A-Za-z0-9]", r.choice("-_."), p)


def app_pw(r, spaced=False):
    s = rs(r, LO, 16)
    return " ".join(s[i:i + 4] for i in range(0, 16, 4)) if spaced else s


# ---- emails --------------------------------------------------------------------------------

FIRST = ["james", "maria", "wei", "priya", "lukas", "sofia", "ahmed", "yuki", "olga", "diego",
         "chloe", "arjun", "fatima", "noah", "elena", "tomasz", "kenji", "amara", "mateo", "ingrid",
         "rahul", "zoe", "hiroshi", "lucia", "oliver", "ana", "dmitri", "leila", "sven", "nadia",
         "pedro", "hannah", "kwame", "mei", "ravi", "julia", "omar", "freya", "ivan", "camille"]
LAST = ["smith", "garcia", "chen", "patel", "muller", "rossi", "khan", "tanaka", "ivanova", "lopez",
        "martin", "sharma", "haddad", "nguyen", "novak", "kowalski", "sato", "okafor", "silva",
        "larsen", "gupta", "brown", "yamamoto", "fernandez", "dubois", "petrov", "hassan", "berg",
        "costa", "walker", "mensah", "li", "kumar", "schmidt", "moreau", "jensen", "reyes", "park"]
FREEMAIL = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
            "protonmail.com", "icloud.com", "gmx.de", "web.de", "yandex.ru", "mail.ru", "qq.com",
            "163.com", "naver.com", "orange.fr", "libero.it", "uol.com.br", "hotmail.co.uk",
            "yahoo.co.in", "proton.me", "fastmail.com", "zoho.com", "seznam.cz", "wp.pl"]
_CO1 = ["acme", "bright", "nord", "tiny", "quill", "blue", "hexa", "pixel", "cedar", "lumen",
        "orbit", "sparrow", "granite", "kite", "mosaic", "harbor", "tandem", "vertex", "willow"]
_CO2 = ["path", "wind", "loop", "soft", "fern", "labs", "works", "stack", "forge", "byte", "cloud",
        "logic", "metrics", "ware", "systems", "digital", "studio", "data"]
_TLD = ["com", "com", "io", "dev", "co", "net", "org", "de", "fr", "co.uk", "com.au", "in", "nl",
        "app", "tech", "ch", "se", "es", "ca", "jp", "com.br"]


def company(r):
    return f"{r.choice(_CO1)}{r.choice(_CO2)}.{r.choice(_TLD)}"


def local_part(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    return r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}{r.randint(1, 99)}", f"{f}{r.randint(80, 2005)}",
                     f"{f}.{l}", f, f"{l}.{f[0]}", f"{f}{l}"])


def email(r, domain=None, local=None, tag=False):
    lp = local or local_part(r)
    if tag:
        lp += "+" + r.choice(["github", "dev", "test", "newsletter", "aws", "npm", "spam"])
    return f"{lp}@{domain or r.choice(FREEMAIL + [company(r)] * 6)}"


def person(r, domain=None, tag=False):
    """(Full Name, address) with the address derived from the name."""
    f, l = r.choice(FIRST), r.choice(LAST)
    lp = r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{l}", f"{f}_{l}{r.randint(1, 99)}", f"{l}.{f[0]}", f,
                   f"{f}.{l}"])
    return f"{f.title()} {l.title()}", email(r, domain=domain, local=lp, tag=tag)


IDN_PEOPLE = [("Jürgen Weiß", "jürgen.weiß@bücherhalle.de"), ("José Peña", "josé.peña@correo-andaluz.es"),
              ("Zoë Brontë", "zoë@café-lumière.fr"), ("Søren Kjær", "søren.kjær@blåbær.dk")]


def work_email(r, domain=None):
    return email(r, domain=domain or company(r))


def sa_email(r, name=None):
    proj = f"{r.choice(_CO1)}-{r.choice(['prod', 'dev', 'staging', 'app', 'api'])}-{r.randint(100000, 999999)}"
    return f"{name or r.choice(['deployer', 'ci-runner', 'firebase-adminsdk-' + rs(r, LO + DIG, 5), 'sheets-bot', 'backup'])}@{proj}.iam.gserviceaccount.com"


# ---- IP addresses ------------------------------------------------------------------------

_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220", "64.6.64.6", "64.6.65.6", "8.26.56.26",
              "8.20.247.20", "94.140.14.14", "94.140.15.15", "4.2.2.1", "4.2.2.2", "76.76.2.0",
              "76.76.10.0", "185.228.168.9", "185.228.169.9",
              "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
              "2606:4700:4700::1001", "2620:fe::fe", "2620:fe::9"}
_DOCNETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "100.64.0.0/10",
             "198.18.0.0/15", "233.252.0.0/24")]
_FIRST_OCTET = [3, 5, 13, 18, 23, 31, 34, 35, 37, 45, 46, 51, 52, 54, 62, 66, 69, 77, 78, 80, 81,
                82, 85, 87, 89, 91, 93, 94, 95, 104, 107, 109, 116, 128, 134, 138, 139, 141, 142,
                144, 146, 147, 151, 157, 159, 161, 164, 165, 167, 170, 176, 178, 185, 188, 193,
                194, 195, 199, 206, 207, 209, 212, 213, 217]
_V6_PREFIX = ["2a01:4f8", "2a03:b0c0", "2604:a880", "2600:1f18", "2a05:d018", "2001:41d0",
              "2a02:c207", "2406:da1c", "2600:3c03", "2a00:1450", "2a06:98c1", "2001:19f0"]


def is_public(s: str) -> bool:
    ip = ipaddress.ip_address(s)
    return (ip.is_global and not ip.is_multicast and s not in _RESOLVERS
            and not any(ip.version == n.version and ip in n for n in _DOCNETS))


def pub4(r):
    while True:
        s = f"{r.choice(_FIRST_OCTET)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 253)}"
        if is_public(s):
            return s


def pub6(r, full=False):
    while True:
        p = r.choice(_V6_PREFIX)
        if full:
            s = p + ":" + ":".join(f"{r.randint(1, 0xffff):x}" for _ in range(6))
        else:
            s = p + f":{r.randint(1, 0xffff):x}:{r.randint(1, 0xffff):x}::{r.randint(1, 0xfff):x}"
        s = ipaddress.ip_address(s).compressed
        if is_public(s):
            return s


def priv4(r):
    return r.choice([f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
                     f"192.168.{r.randint(0, 20)}.{r.randint(2, 250)}",
                     f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}"])


# --------------------------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------------------------


def d_flask_config(r):
    mail = E(email(r, domain="gmail.com"))
    return "app/config.py", fill(r'''import os
from datetime import timedelta

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    # TODO: move these to .env before deploying!!
    SECRET_KEY = os.environ.get("SECRET_KEY") or "«sk»"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL",
        "mysql+pymysql://flaskapp:«dbpw»@«ip»:3306/inventory",
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=7)

    MAIL_SERVER = "smtp.gmail.com"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = "«mail»"
    MAIL_PASSWORD = "«mailpw»"  # app password, not the real one
    MAIL_DEFAULT_SENDER = ("Inventory Bot", "«mail»")

    RECAPTCHA_PUBLIC_KEY = "6L«rcpub»"
    RECAPTCHA_PRIVATE_KEY = "«rcpriv»"

    ITEMS_PER_PAGE = 25
    UPLOAD_FOLDER = os.path.join(basedir, "static", "uploads")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024


class DevelopmentConfig(Config):
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(basedir, "dev.db")
    REDIS_URL = "redis://«redis_host»:6379/0"


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    DEBUG = False
    SESSION_COOKIE_SECURE = True


config = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
''', sk=K(hexs(r, 48)), dbpw=P(url_pw(r)), ip=I(pub4(r)), mail=mail, mailpw=P(app_pw(r)),
        redis_host="127.0.0.1", rcpub=rs(r, B64U, 38), rcpriv=K("6L" + rs(r, B64U, 38)))


def d_scrapy_settings(r):
    ppw = P(rand_pw(r, 12, sym=""))
    ips = [I(pub4(r)) for _ in range(2)]
    return "pricewatch/settings.py", fill(r'''# Scrapy settings for pricewatch project
#
# For simplicity, this file contains only settings considered important or
# commonly used. You can find more settings consulting the documentation:
#
#     https://docs.scrapy.org/en/latest/topics/settings.html

BOT_NAME = "pricewatch"

SPIDER_MODULES = ["pricewatch.spiders"]
NEWSPIDER_MODULE = "pricewatch.spiders"

USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

ROBOTSTXT_OBEY = False
CONCURRENT_REQUESTS = 8
DOWNLOAD_DELAY = 1.5
COOKIES_ENABLED = False

# rotating proxies (paid plan, expires in march)
ROTATING_PROXY_LIST = [
    "http://scraper01:«ppw»@«ip0»:3128",
    "http://scraper01:«ppw»@«ip1»:8080",
]

DOWNLOADER_MIDDLEWARES = {
    "rotating_proxies.middlewares.RotatingProxyMiddleware": 610,
    "rotating_proxies.middlewares.BanDetectionMiddleware": 620,
}

SPLASH_URL = "http://«splash»:8050"

ITEM_PIPELINES = {
    "pricewatch.pipelines.CleanPricePipeline": 300,
    "pricewatch.pipelines.PostgresPipeline": 800,
}

POSTGRES = {
    "host": "«pghost»",
    "port": 5432,
    "user": "pricewatch",
    "password": "«pgpw»",
    "dbname": "prices",
}

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 5
AUTOTHROTTLE_MAX_DELAY = 60
HTTPCACHE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
''', ppw=ppw, ip0=ips[0], ip1=ips[1], splash="127.0.0.1", pghost=priv4(r),
        pgpw=P(pw(r, "!#%&*")))


def d_telegram_gpt_bot(r):
    return "bot/main.py", fill(r'''import logging
import openai
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

# TODO use dotenv
TELEGRAM_TOKEN = "«tg»"
openai.api_key = "«oa»"

ADMIN_IDS = [«admin1», «admin2»]
MODEL = "gpt-3.5-turbo"

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
log = logging.getLogger(__name__)

history: dict[int, list[dict]] = {}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await context.bot.send_message(chat_id=update.effective_chat.id, text="Hi! Ask me anything.")


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE):
    history.pop(update.effective_chat.id, None)
    await update.message.reply_text("Context cleared.")


async def chat(update: Update, context: ContextTypes.DEFAULT_TYPE):
    chat_id = update.effective_chat.id
    msgs = history.setdefault(chat_id, [{"role": "system", "content": "You are a helpful assistant."}])
    msgs.append({"role": "user", "content": update.message.text})
    try:
        resp = openai.ChatCompletion.create(model=MODEL, messages=msgs[-12:])
    except Exception as exc:  # noqa: BLE001
        log.exception("openai failed")
        await update.message.reply_text(f"Error: {exc}")
        return
    answer = resp["choices"][0]["message"]["content"]
    msgs.append({"role": "assistant", "content": answer})
    await update.message.reply_text(answer)


if __name__ == "__main__":
    app = ApplicationBuilder().token(TELEGRAM_TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("reset", reset))
    app.add_handler(MessageHandler(filters.TEXT & (~filters.COMMAND), chat))
    app.run_polling()
''', tg=K(telegram_token(r)), oa=K(openai_key(r)), admin1=r.randint(10**8, 10**10),
        admin2=r.randint(10**8, 10**10))


def d_send_report(r):
    sender = E(email(r, domain="gmail.com"))
    rcpts = [E(work_email(r)) for _ in range(3)]
    return "scripts/send_weekly_report.py", fill(r'''#!/usr/bin/env python3
"""Send the weekly sales CSV to the team. Run from cron every monday 07:00."""
import csv
import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

SMTP_HOST = "smtp.gmail.com"
SMTP_PORT = 465
SENDER = "«sender»"
PASSWORD = "«pw»"
RECIPIENTS = [
    "«r0»",
    "«r1»",
    # "«r2»",  # on leave until september
]

REPORT_DIR = Path("/var/reports/weekly")


def latest_report() -> Path:
    files = sorted(REPORT_DIR.glob("sales_*.csv"))
    if not files:
        raise SystemExit("no report found")
    return files[-1]


def summarize(path: Path) -> str:
    total = 0.0
    rows = 0
    with path.open() as fh:
        for row in csv.DictReader(fh):
            total += float(row["amount"])
            rows += 1
    return f"{rows} orders, total {total:,.2f} EUR"


def main():
    report = latest_report()
    msg = EmailMessage()
    msg["Subject"] = f"Weekly sales report {dt.date.today():%Y-%m-%d}"
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    msg.set_content(f"Hi all,\n\n{summarize(report)}.\nCSV attached.\n\n-- the report bot")
    msg.add_attachment(report.read_bytes(), maintype="text", subtype="csv", filename=report.name)

    ctx = ssl.create_default_context()
    with smtplib.SMTP_SSL(SMTP_HOST, SMTP_PORT, context=ctx) as server:
        server.login(SENDER, PASSWORD)
        server.send_message(msg)
    print("sent", report.name)


if __name__ == "__main__":
    main()
''', sender=sender, pw=P(pw(r)), r0=rcpts[0], r1=rcpts[1], r2=rcpts[2])


def d_django_settings(r):
    sk_alpha = LO + DIG + "!@#$%^&*(-_=+)"
    secret = "django-insecure-" + rs(r, sk_alpha, 50)
    host = I(pub4(r))
    adm = [person(r, domain=company(r)), person(r)]
    return "mysite/settings.py", fill(r'''"""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '«sk»'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = ['127.0.0.1', 'localhost', '«host»', 'shop.«dom»']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'store',
    'cart',
]

ROOT_URLCONF = 'mysite.urls'
WSGI_APPLICATION = 'mysite.wsgi.application'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'shopdb',
        'USER': 'shopuser',
        'PASSWORD': '«dbpw»',
        'HOST': '«host»',
        'PORT': '5432',
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
    {'NAME': 'django.contrib.auth.password_validation.NumericPasswordValidator'},
]

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'Europe/Berlin'
USE_I18N = True
USE_TZ = True

STATIC_URL = 'static/'
MEDIA_URL = '/media/'
MEDIA_ROOT = BASE_DIR / 'media'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

ADMINS = [('«a0n»', '«a0»'), ('«a1n»', '«a1»')]

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.office365.com'
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = '«eu»'
EMAIL_HOST_PASSWORD = '«epw»'
''', sk=K(secret), host=host, dom=company(r), dbpw=P(pw(r, "!#$%&*")),
        a0n=adm[0][0], a0=E(adm[0][1]), a1n=adm[1][0], a1=E(adm[1][1]), eu=E(work_email(r)), epw=P(pw(r, "!#$%&*?")))


def d_pytest_auth(r):
    users = [(E(email(r)), P(pw(r))) for _ in range(3)]
    return "tests/test_auth.py", fill(r'''import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.core.security import get_password_hash, verify_password
from app.db import SessionLocal
from app.models import User

client = TestClient(app)

TEST_USERS = [
    {"email": "«e0»", "password": "«p0»", "is_admin": True},
    {"email": "«e1»", "password": "«p1»", "is_admin": False},
]


@pytest.fixture(scope="module", autouse=True)
def seed_users():
    db = SessionLocal()
    for u in TEST_USERS:
        db.add(User(email=u["email"], hashed_password=get_password_hash(u["password"]), is_admin=u["is_admin"]))
    db.commit()
    yield
    db.query(User).delete()
    db.commit()
    db.close()


def test_hash_roundtrip():
    stored = "«bcrypt»"
    assert not verify_password("nope-nope", stored)


def test_login_ok():
    r = client.post("/auth/login", data={"username": "«e0»", "password": "«p0»"})
    assert r.status_code == 200
    assert r.json()["token_type"] == "bearer"


def test_login_wrong_password():
    r = client.post("/auth/login", data={"username": "«e1»", "password": "«p2»"})
    assert r.status_code == 401


def test_register_then_login():
    payload = {"email": "«e2»", "password": "«p2»", "full_name": "Test Person"}
    r = client.post("/auth/register", json=payload)
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    assert len(user_id) == len("«uuid»")
    r = client.post("/auth/login", data={"username": payload["email"], "password": payload["password"]})
    assert r.status_code == 200


def test_reset_password_url_requires_token():
    r = client.get("/auth/reset_password_url")
    assert r.status_code == 422
''', e0=users[0][0], p0=users[0][1], e1=users[1][0], p1=users[1][1], e2=users[2][0],
        p2=users[2][1], bcrypt=bcrypt(r), uuid=uuid4(r))


def d_boto_sync(r):
    return "tools/s3_sync.py", fill(r'''"""Upload the ./build folder to S3 and invalidate cloudfront.

Usage: python tools/s3_sync.py [--dry-run]

Docs example creds look like AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,
do NOT commit real ones (yes I know)
"""
import hashlib
import mimetypes
import sys
from pathlib import Path

import boto3

BUCKET = "«bucket»"
DISTRIBUTION_ID = "E«dist»"
KMS_KEY = "arn:aws:kms:eu-west-1:«acct»:key/«kmsid»"

session = boto3.Session(
    aws_access_key_id="«akid»",
    aws_secret_access_key="«secret»",
    region_name="eu-west-1",
)
s3 = session.client("s3")
cf = session.client("cloudfront")


def md5sum(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def upload(root: Path, dry: bool):
    remote = {o["Key"]: o["ETag"].strip('"') for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    changed = []
    for f in root.rglob("*"):
        if f.is_dir():
            continue
        key = f.relative_to(root).as_posix()
        if remote.get(key) == md5sum(f):
            continue
        ctype = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
        print("upload", key, ctype)
        if not dry:
            s3.upload_file(str(f), BUCKET, key, ExtraArgs={"ContentType": ctype,
                                                           "ServerSideEncryption": "aws:kms",
                                                           "SSEKMSKeyId": KMS_KEY})
        changed.append("/" + key)
    return changed


if __name__ == "__main__":
    dry = "--dry-run" in sys.argv
    changed = upload(Path("build"), dry)
    # md5 of last good index.html: «md5»
    if changed and not dry:
        cf.create_invalidation(DistributionId=DISTRIBUTION_ID, InvalidationBatch={
            "Paths": {"Quantity": len(changed), "Items": changed},
            "CallerReference": str(len(changed)),
        })
''', bucket=f"{r.choice(_CO1)}-site-prod", dist=rs(r, UP + DIG, 13), acct=rs(r, DIG, 12),
        kmsid=uuid4(r), akid=K(aws_id(r)), secret=K(aws_secret(r)), md5=hexs(r, 32))


def d_slack_notify(r):
    return "notify/slack.py", fill(r'''"""Tiny helper to post build results to #deploys."""
import json
import urllib.request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

WEBHOOK_URL = "https://hooks.slack.com/services/«hook»"
BOT_TOKEN = "«bot»"
# search.messages needs a user token, bots can't search
USER_TOKEN = "«user»"
CHANNEL = "#deploys"

client = WebClient(token=BOT_TOKEN)
user_client = WebClient(token=USER_TOKEN)


def last_deploy_message(project: str):
    res = user_client.search_messages(query=f"in:{CHANNEL} {project}", sort="timestamp", count=1)
    matches = res["messages"]["matches"]
    return matches[0]["text"] if matches else None


def post_webhook(text: str, color: str = "#36a64f") -> None:
    body = {"attachments": [{"color": color, "text": text, "mrkdwn_in": ["text"]}]}
    req = urllib.request.Request(WEBHOOK_URL, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def post_build(project: str, commit: str, ok: bool, url: str) -> None:
    status = ":white_check_mark: passed" if ok else ":x: failed"
    text = f"*{project}* build {status}\ncommit `{commit[:8]}` - <{url}|logs>"
    try:
        client.chat_postMessage(channel=CHANNEL, text=text)
    except SlackApiError as e:
        print("bot post failed, falling back to webhook:", e.response["error"])
        post_webhook(text, "#36a64f" if ok else "#e01e5a")


if __name__ == "__main__":
    # commit «sha» is the last known good build
    post_build("api-gateway", "«sha»", True, "https://ci.internal/job/1234")
''', hook=K(slack_hook_path(r)), bot=K(slack_bot(r)), user=K(slack_user(r)), sha=hexs(r, 40))


def d_github_sync(r):
    return "sync/github_issues.py", fill(r'''import csv
import sys
import time

import requests

GITHUB_TOKEN = "«tok»"  # personal token, scope: repo
REPO = "«org»/tracker"
HEADERS = {
    "Authorization": f"token {GITHUB_TOKEN}",
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}
GIT_AUTHOR = {"name": "Issue Sync Bot", "email": "«mail»"}


def create_issue(title, body, labels):
    resp = requests.post(f"https://api.github.com/repos/{REPO}/issues",
                         headers=HEADERS, json={"title": title, "body": body, "labels": labels})
    if resp.status_code == 403 and "rate limit" in resp.text:
        reset = int(resp.headers.get("X-RateLimit-Reset", time.time() + 60))
        time.sleep(max(0, reset - time.time()) + 1)
        return create_issue(title, body, labels)
    resp.raise_for_status()
    return resp.json()["number"]


def main(path):
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels = [l.strip() for l in row.get("labels", "").split(";") if l.strip()]
            n = create_issue(row["title"], row["body"], labels)
            print(f"#{n}: {row['title']}")
            time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "issues.csv")
''', tok=K(gh_token(r)), org=r.choice(_CO1) + r.choice(_CO2), mail=E(work_email(r)))


def d_llm_router(r):
    return "chat/llm.py", fill(r'''from __future__ import annotations

from dataclasses import dataclass

import anthropic
from openai import OpenAI

# keys for the hackathon demo, revoke after friday
ANTHROPIC_API_KEY = "«ant»"
OPENAI_API_KEY = "«oai»"

_claude = anthropic.Anthropic(api_key=ANTHROPIC_API_KEY)
_openai = OpenAI(api_key=OPENAI_API_KEY)


@dataclass
class Reply:
    model: str
    text: str
    tokens: int


def ask(prompt: str, provider: str = "anthropic", max_tokens: int = 512) -> Reply:
    if provider == "anthropic":
        msg = _claude.messages.create(
            model="claude-3-haiku-20240307",
            max_tokens=max_tokens,
            messages=[{"role": "user", "content": prompt}],
        )
        return Reply(msg.model, msg.content[0].text, msg.usage.output_tokens)
    resp = _openai.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=max_tokens,
        messages=[{"role": "user", "content": prompt}],
    )
    return Reply(resp.model, resp.choices[0].message.content, resp.usage.completion_tokens)


if __name__ == "__main__":
    import sys

    q = " ".join(sys.argv[1:]) or "Say hi in three languages."
    for p in ("anthropic", "openai"):
        r = ask(q, p)
        print(f"[{p}:{r.model}] ({r.tokens} tok)\n{r.text}\n")
''', ant=K(anthropic_key(r)), oai=K(openai_proj(r)))


def d_stripe_views(r):
    return "payments/views.py", fill(r'''import json

import stripe
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from orders.models import Order

stripe.api_key = "«sk»"
STRIPE_PUBLISHABLE_KEY = "«pk»"
STRIPE_WEBHOOK_SECRET = "«whsec»"


def checkout_config(request):
    return JsonResponse({"publicKey": STRIPE_PUBLISHABLE_KEY})


def create_checkout_session(request, order_id):
    order = Order.objects.get(pk=order_id, user=request.user)
    session = stripe.checkout.Session.create(
        mode="payment",
        success_url=request.build_absolute_uri("/orders/success?session_id={CHECKOUT_SESSION_ID}"),
        cancel_url=request.build_absolute_uri("/orders/cancelled"),
        line_items=[{
            "price_data": {
                "currency": "eur",
                "unit_amount": int(order.total * 100),
                "product_data": {"name": f"Order #{order.pk}"},
            },
            "quantity": 1,
        }],
        metadata={"order_id": order.pk},
    )
    return JsonResponse({"sessionId": session["id"]})


@csrf_exempt
def stripe_webhook(request):
    payload = request.body
    sig = request.META.get("HTTP_STRIPE_SIGNATURE")
    try:
        event = stripe.Webhook.construct_event(payload, sig, STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.error.SignatureVerificationError):
        return HttpResponse(status=400)
    if event["type"] == "checkout.session.completed":
        oid = event["data"]["object"]["metadata"]["order_id"]
        Order.objects.filter(pk=oid).update(paid=True)
    return HttpResponse(status=200)
''', sk=K(stripe_sk(r)), pk="pk_live_51" + mixed(r, ALNUM, 97), whsec=K("whsec_" + mixed(r, ALNUM, 32)))


def d_notebook_openai(r):
    oa = K(openai_key(r))
    hf = K(hf_token(r))
    src1 = ["import os\\n", "import openai\\n", "from huggingface_hub import login\\n", "\\n",
            f"openai.api_key = \\\"{oa}\\\"\\n", f"login(token=\\\"{hf}\\\")"]
    cell1 = ",\n    ".join(f'"{s}"' for s in src1)
    return "notebooks/01_embeddings.ipynb", r'''{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Embedding experiments\n",
    "Compare OpenAI `text-embedding-3-small` with `sentence-transformers/all-MiniLM-L6-v2` on our FAQ."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    ''' + cell1 + r'''
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "openai 1.3.7\n",
      "sentence-transformers 2.2.2\n",
      "torch 2.1.0+cu118\n"
     ]
    }
   ],
   "source": [
    "import openai, sentence_transformers, torch\n",
    "for m in (openai, sentence_transformers, torch):\n",
    "    print(m.__name__, m.__version__)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [],
   "source": [
    "import pandas as pd\n",
    "faq = pd.read_csv('data/faq.csv')\n",
    "resp = openai.embeddings.create(model='text-embedding-3-small', input=faq.question.tolist())\n",
    "emb = [d.embedding for d in resp.data]\n",
    "len(emb), len(emb[0])"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3",
   "language": "python",
   "name": "python3"
  },
  "language_info": {
   "name": "python",
   "version": "3.10.12"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
'''


def d_notebook_weather(r):
    return "analysis/weather_etl.ipynb", fill(r'''{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "«cid»",
   "metadata": {},
   "outputs": [],
   "source": [
    "import requests\n",
    "import pandas as pd\n",
    "from sqlalchemy import create_engine\n",
    "\n",
    "API_KEY = '«owm»'  # openweathermap\n",
    "CITIES = ['Lisbon', 'Porto', 'Faro', 'Coimbra']\n",
    "engine = create_engine('postgresql://analyst:«dbpw»@«ip»:5432/weather')"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "«cid2»",
   "metadata": {},
   "outputs": [],
   "source": [
    "rows = []\n",
    "for city in CITIES:\n",
    "    r = requests.get('https://api.openweathermap.org/data/2.5/weather',\n",
    "                     params={'q': city, 'appid': API_KEY, 'units': 'metric'})\n",
    "    j = r.json()\n",
    "    rows.append({'city': city, 'temp': j['main']['temp'], 'humidity': j['main']['humidity']})\n",
    "df = pd.DataFrame(rows)\n",
    "df"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "«cid3»",
   "metadata": {},
   "outputs": [],
   "source": [
    "df.to_sql('observations', engine, if_exists='append', index=False)"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.11.4"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
''', cid=uuid4(r)[:8], cid2=uuid4(r)[:8], cid3=uuid4(r)[:8], owm=K(hexs(r, 32)), dbpw=P(url_pw(r)),
        ip=I(pub4(r)))



def d_mongoose_db(r):
    cluster = f"cluster0.{rs(r, LO + DIG, 5)}"
    return "config/db.js", fill(r'''const mongoose = require('mongoose');

// const MONGO_URI = process.env.MONGO_URI;
const MONGO_URI =
  'mongodb+srv://«user»:«mpw»@«cluster».mongodb.net/todo-app?retryWrites=true&w=majority';

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

module.exports = {
  connectDB,
  jwtSecret: '«jwt»',
  jwtExpire: '30d',
  bcryptRounds: 10,
  cookieOptions: {
    httpOnly: true,
    sameSite: 'strict',
    maxAge: 30 * 24 * 60 * 60 * 1000,
  },
};
''', user=r.choice(FIRST) + str(r.randint(1, 99)), mpw=P(url_pw(r)), cluster=cluster,
        jwt=K(mixed(r, ALNUM, r.choice([32, 48, 64]))))


def d_nodemailer(r):
    user = E(email(r, domain="gmail.com"))
    return "server/mailer.js", fill(r'''const nodemailer = require('nodemailer');
const sgMail = require('@sendgrid/mail');

const USE_SENDGRID = process.env.NODE_ENV === 'production';

sgMail.setApiKey('«sg»');

const transporter = nodemailer.createTransport({
  service: 'gmail',
  auth: {
    user: '«user»',
    pass: '«apw»', // google app password
  },
});

async function sendContactMail({ name, email, message }) {
  const mail = {
    from: `"Portfolio contact" <«user»>`,
    to: '«to»',
    replyTo: email,
    subject: `New message from ${name}`,
    text: message,
    html: `<p><b>${name}</b> (${email}) wrote:</p><p>${message.replace(/\n/g, '<br>')}</p>`,
  };
  if (USE_SENDGRID) {
    return sgMail.send(mail);
  }
  return transporter.sendMail(mail);
}

module.exports = { sendContactMail };

// quick manual test: node server/mailer.js
if (require.main === module) {
  sendContactMail({ name: 'Tester', email: 'someone@example.com', message: 'hello\nworld' })
    .then(() => console.log('sent'))
    .catch((err) => console.error(err));
}
''', sg=K(sendgrid(r)), user=user, apw=P(app_pw(r, spaced=True)), to=E(email(r)))


def d_angular_env(r):
    proj = f"{r.choice(_CO1)}-{r.choice(['app', 'shop', 'chat'])}-{rs(r, LO + DIG, 5)}"
    return "src/environments/environment.prod.ts", fill(r'''// This file can be replaced during build by using the `fileReplacements` array.
// `ng build --configuration production` replaces `environment.ts` with `environment.prod.ts`.

export const environment = {
  production: true,
  apiUrl: 'http://«api»:8080/api/v1',
  wsUrl: 'wss://ws.«wsdom»/socket',
  firebase: {
    apiKey: '«gk»',
    authDomain: '«proj».firebaseapp.com',
    projectId: '«proj»',
    storageBucket: '«proj».appspot.com',
    messagingSenderId: '«sender»',
    appId: '1:«sender»:web:«appid»',
    measurementId: 'G-«mid»',
  },
  mapsApiKey: '«maps»',
  recaptchaSiteKey: '6L«rc»',
  sentryDsn: 'https://«sentry»@o«org».ingest.sentry.io/«sproj»',
  defaultLanguage: 'en',
  supportedLanguages: ['en', 'de', 'pt'],
  version: '2.4.1',
};
''', api=I(pub4(r)), wsdom=company(r), gk=K(google_key(r)), proj=proj, sender=rs(r, DIG, 12), appid=hexs(r, 22),
        mid=rs(r, UP + DIG, 10), maps=K(google_key(r)), rc=rs(r, B64U, 38), sentry=hexs(r, 32),
        org=rs(r, DIG, 6), sproj=rs(r, DIG, 7))


def d_discord_bot(r):
    return "index.js", fill(r'''const { Client, GatewayIntentBits, EmbedBuilder, REST, Routes } = require('discord.js');
const axios = require('axios');

const TOKEN = '«tok»';
const CLIENT_ID = '«cid»';
const GUILD_ID = '«gid»';

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
});

const commands = [
  { name: 'ping', description: 'Replies with Pong!' },
  { name: 'meme', description: 'Random meme from r/ProgrammerHumor' },
];

const rest = new REST({ version: '10' }).setToken(TOKEN);

(async () => {
  try {
    await rest.put(Routes.applicationGuildCommands(CLIENT_ID, GUILD_ID), { body: commands });
    console.log('Slash commands registered');
  } catch (err) {
    console.error(err);
  }
})();

client.on('ready', () => {
  console.log(`Logged in as ${client.user.tag}!`);
});

client.on('interactionCreate', async (interaction) => {
  if (!interaction.isChatInputCommand()) return;
  if (interaction.commandName === 'ping') {
    await interaction.reply(`Pong! ${client.ws.ping}ms`);
  } else if (interaction.commandName === 'meme') {
    const { data } = await axios.get('https://meme-api.com/gimme/ProgrammerHumor');
    const embed = new EmbedBuilder().setTitle(data.title).setImage(data.url).setURL(data.postLink);
    await interaction.reply({ embeds: [embed] });
  }
});

client.login(TOKEN);
''', tok=K(discord_token(r)), cid=str(r.randint(10**17, 13 * 10**17)), gid=str(r.randint(10**17, 13 * 10**17)))


def d_typeorm(r):
    return "src/data-source.ts", fill(r'''import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { User } from './entity/User';
import { Post } from './entity/Post';
import { Comment } from './entity/Comment';

const isProd = process.env.NODE_ENV === 'production';

export const AppDataSource = new DataSource({
  type: 'postgres',
  host: isProd ? '«host»' : 'localhost',
  port: 5432,
  username: 'blog',
  password: isProd ? '«ppw»' : '«dpw»',
  database: 'blog',
  synchronize: !isProd,
  logging: !isProd,
  entities: [User, Post, Comment],
  migrations: ['src/migration/**/*.ts'],
  subscribers: [],
  ssl: isProd ? { rejectUnauthorized: false } : false,
});

export async function initDb(retries = 5): Promise<DataSource> {
  for (let i = 1; i <= retries; i++) {
    try {
      return await AppDataSource.initialize();
    } catch (e) {
      console.warn(`db init failed (${i}/${retries})`, (e as Error).message);
      await new Promise((res) => setTimeout(res, 2000 * i));
    }
  }
  throw new Error('could not connect to database');
}
''', host=I(pub4(r)), ppw=P(rand_pw(r, sym="!#%&*")), dpw=P(human_pw(r, "!#%&")))


def d_js_fixtures(r):
    us = [(E(email(r)), P(pw(r, "!#$%&*?"))) for _ in range(4)]
    return "test/fixtures/users.js", fill(r''''use strict';

/**
 * Seed users for the integration tests. The first one is an admin.
 * Passwords are hashed by the User model pre-save hook.
 */
module.exports = [
  {
    _id: '64b7f1a2c9e77a0012a1b001',
    name: 'Admin User',
    email: '«e0»',
    password: '«p0»',
    role: 'admin',
  },
  {
    _id: '64b7f1a2c9e77a0012a1b002',
    name: '«n1»',
    email: '«e1»',
    password: '«p1»',
    role: 'user',
  },
  {
    _id: '64b7f1a2c9e77a0012a1b003',
    name: '«n2»',
    email: '«e2»',
    password: '«p2»',
    role: 'user',
  },
  {
    _id: '64b7f1a2c9e77a0012a1b004',
    name: '«n3»',
    email: '«e3»',
    password: '«p3»',
    role: 'publisher',
    avatar: 'uploads/avatar@2x.png',
  },
];

module.exports.invalid = {
  email: 'not-an-email',
  password: '',
};
''', e0=us[0][0], p0=us[0][1], e1=us[1][0], p1=us[1][1], e2=us[2][0], p2=us[2][1], e3=us[3][0],
        p3=us[3][1], n1=r.choice(FIRST).title(), n2=r.choice(FIRST).title(), n3=r.choice(FIRST).title())


def d_package_json(r):
    an, a = person(r)
    c0n, c0 = person(r, tag=True)
    c1n, c1 = person(r, domain=company(r))
    gh = r.choice(FIRST) + r.choice(["dev", "codes", str(r.randint(1, 99))])
    return "package.json", fill(r'''{
  "name": "react-kanban-lite",
  "version": "0.9.3",
  "description": "Minimal drag and drop kanban board with React 18 and zustand",
  "main": "dist/index.js",
  "module": "dist/index.mjs",
  "types": "dist/index.d.ts",
  "author": "«an» <«a»> (https://«gh».github.io)",
  "contributors": [
    "«c0n» <«c0»>",
    {
      "name": "«c1n»",
      "email": "«c1»"
    }
  ],
  "bugs": {
    "url": "https://github.com/«gh»/react-kanban-lite/issues"
  },
  "license": "MIT",
  "scripts": {
    "dev": "vite",
    "build": "tsup src/index.ts --format cjs,esm --dts",
    "lint": "eslint src --ext .ts,.tsx",
    "test": "vitest run",
    "prepare": "npx husky@8.0.3 install",
    "storybook": "npx storybook@7.6.7 dev -p 6006"
  },
  "peerDependencies": {
    "react": ">=18",
    "react-dom": ">=18"
  },
  "dependencies": {
    "@dnd-kit/core": "^6.1.0",
    "@dnd-kit/sortable": "^8.0.0",
    "zustand": "^4.4.7"
  },
  "devDependencies": {
    "@types/react": "^18.2.45",
    "eslint": "^8.56.0",
    "tsup": "^8.0.1",
    "typescript": "^5.3.3",
    "vite": "^5.0.10",
    "vitest": "^1.1.0"
  },
  "packageManager": "pnpm@8.14.0",
  "engines": {
    "node": ">=18.0.0"
  }
}
''', an=an, a=E(a), gh=gh,
        c0n=c0n, c0=E(c0), c1n=c1n, c1=E(c1))


def d_npmrc(r):
    auth = base64.b64encode(f"ci-bot:{rand_pw(r, 18, sym='')}".encode()).decode()
    return ".npmrc", fill(r'''; project npm config
; see https://docs.npmjs.com/cli/v10/configuring-npm/npmrc

registry=https://registry.npmjs.org/
@«scope»:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«ghp»
//registry.npmjs.org/:_authToken=«npm»

; old nexus proxy (still used by the legacy build)
//nexus.«dom»/repository/npm-group/:_auth=«auth»
//nexus.«dom»/repository/npm-group/:email=«mail»
//nexus.«dom»/repository/npm-group/:always-auth=true

; CI overrides this with ${NPM_TOKEN}
; //registry.npmjs.org/:_authToken=${NPM_TOKEN}

save-exact=true
engine-strict=true
fund=false
audit-level=high
legacy-peer-deps=true
strict-peer-dependencies=false
auto-install-peers=true
prefer-offline=true
progress=false
loglevel=warn
''', scope=r.choice(_CO1), ghp=K(gh_token(r)), npm=K(npm_token(r)), dom=company(r), auth=K(auth),
        mail=E(work_email(r)))


def d_axios_client(r):
    basic = base64.b64encode(f"{r.choice(FIRST)}:{pw(r)}".encode()).decode()
    return "src/api/http.ts", fill(r'''import axios, { AxiosError, AxiosInstance } from 'axios';

const BASE_URL = import.meta.env.VITE_API_URL ?? 'https://api.«dom»/v2';

// legacy reporting service still wants basic auth
const REPORTING_AUTH = 'Basic «basic»';
const PARTNER_API_KEY = '«apikey»';

export const http: AxiosInstance = axios.create({
  baseURL: BASE_URL,
  timeout: 15000,
  headers: { 'Content-Type': 'application/json' },
});

http.interceptors.request.use((config) => {
  const token = localStorage.getItem('access_token');
  if (token) {
    config.headers.Authorization = `Bearer ${token}`;
  }
  return config;
});

http.interceptors.response.use(
  (res) => res,
  (err: AxiosError) => {
    if (err.response?.status === 401) {
      localStorage.removeItem('access_token');
      window.location.href = '/login';
    }
    return Promise.reject(err);
  },
);

export const reporting = axios.create({
  baseURL: 'https://reports.«dom»',
  headers: { Authorization: REPORTING_AUTH },
});

export const partner = axios.create({
  baseURL: 'https://partner.«pdom»/api',
  headers: { 'x-api-key': PARTNER_API_KEY },
});

export async function getMonthlyReport(year: number, month: number) {
  const { data } = await reporting.get(`/monthly/${year}/${String(month).padStart(2, '0')}`);
  return data;
}
''', dom=company(r), basic=K(basic), apikey=K(mixed(r, ALNUM, 40)), pdom=company(r))


def d_cypress_env(r):
    return "cypress.env.json", fill(r'''{
  "baseUrl": "http://localhost:3000",
  "apiUrl": "http://localhost:4000/graphql",
  "admin": {
    "email": "«e0»",
    "password": "«p0»"
  },
  "customer": {
    "email": "«e1»",
    "password": "«p1»"
  },
  "lockedUser": {
    "email": "«e2»",
    "password": "«p2»",
    "expectedError": "Your account has been locked"
  },
  "labels": {
    "passwordField": "Password",
    "confirmPasswordField": "Confirm password",
    "forgotPassword": "Forgot your password?"
  },
  "retries": 2,
  "viewportWidth": 1280,
  "viewportHeight": 800,
  "video": false,
  "stripeTestCard": "4242424242424242",
  "featureFlags": {
    "newCheckout": true,
    "wishlist": false
  },
  "timeouts": {
    "defaultCommandTimeout": 8000,
    "pageLoadTimeout": 60000
  }
}
''', e0=E(work_email(r)), p0=P(pw(r)), e1=E(email(r, tag=True)), p1=P(pw(r)), e2=E(email(r)),
        p2=P(rand_pw(r)))


def d_twilio_sms(r):
    return "services/sms.js", fill(r'''// Sends appointment reminders by SMS.
// Uses an API key instead of the main auth token (see twilio console > API keys)
const twilio = require('twilio');
const cron = require('node-cron');
const db = require('../db');

const API_KEY_SID = '«sk»';
const API_KEY_SECRET = '«secret»';
const FROM_NUMBER = '+1«num»';
// main auth token, only used to validate the status callback signature
const TWILIO_AUTH_TOKEN = '«authtok»';

const client = twilio(API_KEY_SID, API_KEY_SECRET, {
  accountSid: process.env.TWILIO_ACCOUNT_SID,
});

async function sendReminder(appt) {
  const when = appt.startsAt.toLocaleString('en-US', { timeZone: appt.tz });
  const body = `Hi ${appt.patientFirstName}, reminder: your appointment at ${appt.clinic} is on ${when}. Reply C to cancel.`;
  const msg = await client.messages.create({ from: FROM_NUMBER, to: appt.phone, body });
  await db.query('UPDATE appointments SET reminder_sid = $1 WHERE id = $2', [msg.sid, appt.id]);
  return msg.sid;
}

cron.schedule('*/15 * * * *', async () => {
  const { rows } = await db.query(
    "SELECT * FROM appointments WHERE reminder_sid IS NULL AND starts_at BETWEEN now() + interval '23 hours' AND now() + interval '24 hours'",
  );
  for (const appt of rows) {
    try {
      const sid = await sendReminder(appt);
      console.log('reminder sent', appt.id, sid);
    } catch (e) {
      console.error('reminder failed', appt.id, e.message);
    }
  }
});

function validStatusCallback(req) {
  const url = `https://${req.headers.host}${req.originalUrl}`;
  return twilio.validateRequest(TWILIO_AUTH_TOKEN, req.headers['x-twilio-signature'], url, req.body);
}

module.exports = { sendReminder, validStatusCallback };
''', sk=K(twilio_sk(r)), secret=K(mixed(r, ALNUM, 32)), num=rs(r, DIG, 10), authtok=K(hexs(r, 32)))


def d_java_dbconfig(r):
    return "src/main/java/com/school/library/util/DatabaseConfig.java", fill(r'''package com.school.library.util;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Singleton JDBC helper for the library management project (PROG2 assignment).
 *
 * @author «author»
 */
public final class DatabaseConfig {

    private static final Logger LOG = Logger.getLogger(DatabaseConfig.class.getName());

    private static final String URL = "jdbc:mysql://«ip»:3306/library_db?useSSL=false&serverTimezone=UTC";
    private static final String USER = "libapp";
    private static final String PASSWORD = "«dbpw»";

    // local fallback when the school server is down
    private static final String LOCAL_URL = "jdbc:mysql://127.0.0.1:3306/library_db";
    private static final String LOCAL_PASSWORD = "«localpw»";

    private static Connection connection;

    private DatabaseConfig() {
    }

    public static synchronized Connection getConnection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            try {
                connection = DriverManager.getConnection(URL, USER, PASSWORD);
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "remote db unreachable, using local", e);
                connection = DriverManager.getConnection(LOCAL_URL, "root", LOCAL_PASSWORD);
            }
        }
        return connection;
    }

    public static void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.log(Level.SEVERE, "error closing connection", e);
        }
    }

    @Override
    protected Object clone() throws CloneNotSupportedException {
        throw new CloneNotSupportedException();
    }
}
''', author=f"{r.choice(FIRST).title()} {r.choice(LAST).title()}", ip=I(pub4(r)), dbpw=P(pw(r)),
        localpw=P(human_pw(r, "!#@")))


def d_spring_properties(r):
    return "src/main/resources/application.properties", fill(r'''spring.application.name=booking-service
server.port=8081
server.servlet.context-path=/api

# ===== DATABASE =====
spring.datasource.url=jdbc:postgresql://«ip»:5432/booking
spring.datasource.username=booking_app
spring.datasource.password=«dbpw»
spring.datasource.driver-class-name=org.postgresql.Driver
spring.datasource.hikari.maximum-pool-size=10
spring.jpa.hibernate.ddl-auto=update
spring.jpa.show-sql=false
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect

# ===== MAIL =====
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«mail»
spring.mail.password=«mailpw»
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# ===== SECURITY =====
app.jwt.secret=«jwt»
app.jwt.expiration-ms=86400000
app.jwt.refresh-expiration-ms=604800000
app.cors.allowed-origins=http://localhost:4200,https://booking.«dom»

# ===== ACTUATOR =====
management.endpoints.web.exposure.include=health,info,prometheus
management.endpoint.health.show-details=when-authorized

logging.level.org.springframework.security=INFO
logging.level.com.«pkg».booking=DEBUG
''', ip=I(pub4(r)), dbpw=P(pw(r, "!#$%&*")), mail=E(email(r, domain="gmail.com")),
        mailpw=P(app_pw(r)), jwt=K(base64.b64encode(r.randbytes(48)).decode()), dom=company(r),
        pkg=r.choice(_CO1))


def d_kotlin_api(r):
    ip = I(pub4(r))
    return "app/src/main/java/dev/habits/data/remote/ApiClient.kt", fill(r'''package dev.habits.data.remote

import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.gson.GsonConverterFactory
import java.util.concurrent.TimeUnit

object ApiClient {

    private const val BASE_URL = "http://«ip»:3000/api/"
    // private const val BASE_URL = "http://10.0.2.2:3000/api/"   // emulator -> host

    private const val API_TOKEN = "«tok»"

    private val authInterceptor = Interceptor { chain ->
        val req = chain.request().newBuilder()
            .addHeader("Authorization", "Bearer $API_TOKEN")
            .addHeader("Accept", "application/json")
            .build()
        chain.proceed(req)
    }

    private val logging = HttpLoggingInterceptor().apply {
        level = HttpLoggingInterceptor.Level.BODY
    }

    private val okHttp = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .addInterceptor(logging)
        .connectTimeout(20, TimeUnit.SECONDS)
        .readTimeout(20, TimeUnit.SECONDS)
        .build()

    val service: HabitService by lazy {
        Retrofit.Builder()
            .baseUrl(BASE_URL)
            .client(okHttp)
            .addConverterFactory(GsonConverterFactory.create())
            .build()
            .create(HabitService::class.java)
    }
}
''', ip=ip, tok=K(jwt(r)))


def d_gradle_kts(r):
    return "app/build.gradle.kts", fill(r'''plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("com.google.devtools.ksp") version "1.9.21-1.0.15"
}

android {
    namespace = "com.«pkg».budget"
    compileSdk = 34

    defaultConfig {
        applicationId = "com.«pkg».budget"
        minSdk = 24
        targetSdk = 34
        versionCode = 17
        versionName = "1.4.2"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
    }

    signingConfigs {
        create("release") {
            storeFile = file("../keystore/release.jks")
            storePassword = "«store»"
            keyAlias = "budget"
            keyPassword = "«keypw»"
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

repositories {
    maven {
        url = uri("https://maven.«dom»/releases")
        credentials {
            username = "gradle"
            password = "«mvn»"
        }
    }
}

dependencies {
    implementation("androidx.core:core-ktx:1.12.0")
    implementation("androidx.activity:activity-compose:1.8.2")
    implementation(platform("androidx.compose:compose-bom:2023.10.01"))
    implementation("androidx.room:room-ktx:2.6.1")
    ksp("androidx.room:room-compiler:2.6.1")
    testImplementation("junit:junit:4.13.2")
}
''', pkg=r.choice(FIRST), store=P(pw(r, "!#%&*")), keypw=P(pw(r, "!#%&*")), dom=company(r),
        mvn=P(rand_pw(r, 20, sym="")))


def d_maven_settings(r):
    nexus = I(pub4(r))
    return ".m2/settings.xml", fill(r'''<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">

  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«p0»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>«p0»</password>
    </server>
    <server>
      <id>docker-hub</id>
      <username>«dockeruser»</username>
      <password>«p1»</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>${env.OSSRH_USER}</username>
      <password>${env.OSSRH_PASSWORD}</password>
    </server>
  </servers>

  <mirrors>
    <mirror>
      <id>nexus</id>
      <mirrorOf>*</mirrorOf>
      <url>http://«nexus»:8081/repository/maven-public/</url>
    </mirror>
  </mirrors>

  <profiles>
    <profile>
      <id>nexus</id>
      <properties>
        <sonar.host.url>http://«nexus»:9000</sonar.host.url>
      </properties>
    </profile>
  </profiles>

  <activeProfiles>
    <activeProfile>nexus</activeProfile>
  </activeProfiles>
</settings>
''', p0=P(rand_pw(r, sym="!#%*-_")), dockeruser=r.choice(FIRST) + r.choice(LAST),
        p1=P(human_pw(r, "!#%*")), nexus=nexus)


def d_junit_users(r):
    e0, e1 = E(email(r)), E(work_email(r))
    return "src/test/java/com/shop/user/UserServiceTest.java", fill(r'''package com.shop.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.transaction.annotation.Transactional;

@SpringBootTest
@Transactional
class UserServiceTest {

    private static final String EMAIL = "«e0»";
    private static final String RAW_PASSWORD = "«p0»";

    @Autowired
    private UserService userService;

    @BeforeEach
    void setUp() {
        userService.register(new RegisterRequest("Jo", EMAIL, RAW_PASSWORD));
    }

    @Test
    void passwordIsNeverReturnedInDto() {
        UserDto dto = userService.findByEmail(EMAIL);
        assertThat(dto.getPassword()).isEqualTo("********");
    }

    @Test
    void loginWithCorrectPassword() {
        assertThat(userService.login(EMAIL, RAW_PASSWORD)).isNotNull();
    }

    @Test
    void loginWithWrongPasswordFails() {
        assertThrows(BadCredentialsException.class, () -> userService.login(EMAIL, "«p1»"));
    }

    @Test
    void duplicateEmailRejected() {
        assertThrows(DuplicateEmailException.class,
                () -> userService.register(new RegisterRequest("Jo2", EMAIL, "«p2»")));
    }

    @Test
    void changePassword() {
        userService.changePassword(EMAIL, RAW_PASSWORD, "«p3»");
        assertThat(userService.login(EMAIL, "«p3»")).isNotNull();
    }

    @Test
    void secondUser() {
        userService.register(new RegisterRequest("Sam", "«e1»", "«p2»"));
        assertThat(userService.findByEmail("«e1»").getRole()).isEqualTo(Role.CUSTOMER);
    }
}
''', e0=e0, e1=e1, p0=P(pw(r)), p1=P(human_pw(r)), p2=P(rand_pw(r)), p3=P(human_pw(r)))



def d_esp_weather(r):
    return "esp8266_weather_station/esp8266_weather_station.ino", fill(r'''/*
 * ESP8266 + BME280 weather station
 * publishes to MQTT every 60 s and to ThingSpeak every 5 min
 */
#include <ESP8266WiFi.h>
#include <PubSubClient.h>
#include <ESP8266HTTPClient.h>
#include <Wire.h>
#include <Adafruit_BME280.h>

const char* ssid = "«ssid»";
const char* password = "«wifipw»";

const char* mqtt_server = "«mqtt»";
const int mqtt_port = 1883;
const char* mqtt_user = "weather";
const char* mqtt_pass = "«mqttpw»";

String thingspeakKey = "«ts»";

IPAddress staticIP(192, 168, 1, 77);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);

WiFiClient espClient;
PubSubClient client(espClient);
Adafruit_BME280 bme;
unsigned long lastMsg = 0, lastTs = 0;

void setup_wifi() {
  WiFi.config(staticIP, gateway, subnet);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("esp-weather", mqtt_user, mqtt_pass)) {
      client.publish("weather/status", "online", true);
    } else {
      delay(5000);
    }
  }
}

void setup() {
  Serial.begin(115200);
  bme.begin(0x76);
  setup_wifi();
  client.setServer(mqtt_server, mqtt_port);
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  unsigned long now = millis();
  float t = bme.readTemperature(), h = bme.readHumidity(), p = bme.readPressure() / 100.0F;
  if (now - lastMsg > 60000) {
    lastMsg = now;
    char buf[96];
    snprintf(buf, sizeof(buf), "{\"t\":%.1f,\"h\":%.1f,\"p\":%.1f}", t, h, p);
    client.publish("weather/garden", buf);
  }
  if (now - lastTs > 300000) {
    lastTs = now;
    WiFiClient c;
    HTTPClient http;
    http.begin(c, "http://api.thingspeak.com/update?api_key=" + thingspeakKey + "&field1=" + String(t) + "&field2=" + String(h));
    http.GET();
    http.end();
  }
}
''', ssid=r.choice(["FRITZ!Box 7530 XY", "Vodafone-" + rs(r, UP + DIG, 4), "TP-Link_" + rs(r, HEXU, 4), "HomeNet"]),
        wifipw=P(pw(r, "!#%&*")), mqtt=I(pub4(r)), mqttpw=P(rand_pw(r, sym="")), ts=K(rs(r, UP + DIG, 16)))


def d_firmware_c(r):
    return "firmware/src/main.c", fill(r'''#include <stdio.h>
#include <string.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_wifi.h"
#include "esp_log.h"
#include "esp_http_client.h"
#include "nvs_flash.h"
#include "soil.h"

#define WIFI_SSID      "«ssid»"
#define WIFI_PASS      "«wifipw»"
#define AP_FALLBACK_IP "192.168.4.1"
#define OTA_PASSWORD   "«ota»"

/* Blynk cloud token for the garden dashboard */
#define BLYNK_AUTH_TOKEN "«blynk»"
#define BLYNK_HOST       "blynk.cloud"

static const char *TAG = "garden";

static void wifi_init(void)
{
    esp_netif_init();
    esp_event_loop_create_default();
    esp_netif_create_default_wifi_sta();
    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    esp_wifi_init(&cfg);
    wifi_config_t wc = {0};
    strncpy((char *)wc.sta.ssid, WIFI_SSID, sizeof(wc.sta.ssid));
    strncpy((char *)wc.sta.password, WIFI_PASS, sizeof(wc.sta.password));
    esp_wifi_set_mode(WIFI_MODE_STA);
    esp_wifi_set_config(WIFI_IF_STA, &wc);
    esp_wifi_start();
    esp_wifi_connect();
}

static void push_moisture(int pct)
{
    char url[192];
    snprintf(url, sizeof(url), "https://%s/external/api/update?token=%s&V1=%d", BLYNK_HOST, BLYNK_AUTH_TOKEN, pct);
    esp_http_client_config_t cfg = { .url = url, .timeout_ms = 5000 };
    esp_http_client_handle_t c = esp_http_client_init(&cfg);
    esp_err_t err = esp_http_client_perform(c);
    ESP_LOGI(TAG, "push %d%% -> %s", pct, esp_err_to_name(err));
    esp_http_client_cleanup(c);
}

void app_main(void)
{
    nvs_flash_init();
    wifi_init();
    ota_begin(OTA_PASSWORD);
    soil_init(ADC1_CHANNEL_6);
    while (1) {
        int pct = soil_read_percent();
        push_moisture(pct);
        if (pct < 30) {
            ESP_LOGW(TAG, "dry! watering for 8s");
            pump_on(8000);
        }
        vTaskDelay(pdMS_TO_TICKS(10 * 60 * 1000));
    }
}
''', ssid="Garden_" + rs(r, UP, 3), wifipw=P(pw(r, "!#%&*")), ota=P(rand_pw(r, 10, sym="")), blynk=K(mixed(r, ALNUM + "-_", 32)))


def d_curl_uploader(r):
    ip = I(pub4(r))
    return "src/uploader.cpp", fill(r'''#include "uploader.hpp"

#include <curl/curl.h>
#include <fstream>
#include <iostream>
#include <sstream>

namespace cam {

static const char *kUploadUrl = "ftp://«ip»/incoming/";
static const char *kUserPwd = "camera:«ftppw»";
static const char *kApiBase = "https://«ip»:8443/api/v1/events";
static const char *kApiKey = "X-Api-Key: «apikey»";

static size_t discard(void *, size_t size, size_t nmemb, void *) { return size * nmemb; }

bool Uploader::uploadFile(const std::string &path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        std::cerr << "cannot open " << path << '\n';
        return false;
    }
    curl_off_t size = in.tellg();
    in.seekg(0);
    FILE *fp = fopen(path.c_str(), "rb");
    CURL *curl = curl_easy_init();
    std::string url = std::string(kUploadUrl) + path.substr(path.find_last_of('/') + 1);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, kUserPwd);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READDATA, fp);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, size);
    CURLcode res = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    fclose(fp);
    return res == CURLE_OK;
}

bool Uploader::notify(const std::string &camera, const std::string &file) {
    std::ostringstream body;
    body << "{\"camera\":\"" << camera << "\",\"file\":\"" << file << "\"}";
    std::string payload = body.str();
    CURL *curl = curl_easy_init();
    struct curl_slist *hdr = nullptr;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, kApiKey);
    curl_easy_setopt(curl, CURLOPT_URL, kApiBase);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode res = curl_easy_perform(curl);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(curl);
    return res == CURLE_OK;
}

}  // namespace cam
''', ip=ip, ftppw=P(pw(r, "!#%&*")), apikey=K(hexs(r, 40)))


def d_secrets_h(r):
    return "include/secrets.h", fill(r'''#pragma once
// AWS IoT Core credentials for thing "greenhouse-01"
// Generated in the console, 2023-05-14.

#include <pgmspace.h>

#define SECRET
#define THINGNAME "greenhouse-01"

const char WIFI_SSID[] = "«ssid»";
const char WIFI_PASSWORD[] = "«wifipw»";
const char AWS_IOT_ENDPOINT[] = "«ep»-ats.iot.eu-central-1.amazonaws.com";

// Amazon Root CA 1
static const char AWS_CERT_CA[] PROGMEM = R"EOF(
«ca»
)EOF";

// Device Certificate
static const char AWS_CERT_CRT[] PROGMEM = R"KEY(
«crt»
)KEY";

// Device Private Key
static const char AWS_CERT_PRIVATE[] PROGMEM = R"KEY(
«key»
)KEY";
''', ssid="greenhouse", wifipw=P(pw(r, "!#%&*")), ep=rs(r, LO + DIG, 14), ca=cert(r), crt=cert(r),
        key=K(pem(r, "RSA")))


def d_go_main(r):
    return "main.go", fill(r'''package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	_ "github.com/lib/pq"
)

var jwtKey = []byte("«jwtkey»")

const dsn = "host=«ip» port=5432 user=notes password=«dbpw» dbname=notes sslmode=disable"

type Claims struct {
	UserID int `json:"uid"`
	jwt.RegisteredClaims
}

var db *sql.DB

func issueToken(uid int) (string, error) {
	claims := &Claims{
		UserID: uid,
		RegisteredClaims: jwt.RegisteredClaims{
			ExpiresAt: jwt.NewNumericDate(time.Now().Add(24 * time.Hour)),
			IssuedAt:  jwt.NewNumericDate(time.Now()),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(jwtKey)
}

func login(w http.ResponseWriter, r *http.Request) {
	var creds struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&creds); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var uid int
	err := db.QueryRow("SELECT id FROM users WHERE email=$1 AND pw_hash=crypt($2, pw_hash)", creds.Email, creds.Password).Scan(&uid)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	tok, _ := issueToken(uid)
	json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

func main() {
	var err error
	db, err = sql.Open("postgres", dsn)
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/login", login)
	log.Println("listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}
''', jwtkey=K(mixed(r, ALNUM, 32)), ip=I(pub4(r)), dbpw=P(rand_pw(r, sym="!#%*-_")))


def d_go_defaults(r):
    return "internal/config/defaults.go", fill(r'''package config

import (
	"os"
	"strconv"
	"time"
)

// Config holds runtime settings. Values below are the dev defaults and
// are overridden by environment variables in staging/prod.
type Config struct {
	HTTPAddr       string
	RedisAddr      string
	RedisPassword  string
	StripeKey      string
	DatadogAPIKey  string
	DatadogAppKey  string
	RequestTimeout time.Duration
	Workers        int
}

func Default() Config {
	return Config{
		HTTPAddr:       ":8080",
		RedisAddr:      "«redis»:6379",
		RedisPassword:  "«rpw»",
		StripeKey:      "«rk»",
		DatadogAPIKey:  "«dd»",
		DatadogAppKey:  "«ddapp»",
		RequestTimeout: 15 * time.Second,
		Workers:        4,
	}
}

func Load() Config {
	c := Default()
	if v := os.Getenv("HTTP_ADDR"); v != "" {
		c.HTTPAddr = v
	}
	if v := os.Getenv("REDIS_ADDR"); v != "" {
		c.RedisAddr = v
	}
	if v := os.Getenv("REDIS_PASSWORD"); v != "" {
		c.RedisPassword = v
	}
	if v := os.Getenv("STRIPE_KEY"); v != "" {
		c.StripeKey = v
	}
	if v := os.Getenv("WORKERS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.Workers = n
		}
	}
	return c
}
''', redis=priv4(r), rpw=P(rand_pw(r, 16, sym="")), rk=K(stripe_short(r, "rk_live_")),
        dd=K(hexs(r, 32)), ddapp=K(hexs(r, 40)))


def d_go_telegram(r):
    return "cmd/alert/main.go", fill(r'''// alert sends a Telegram message when the disk usage of a mount point crosses a threshold.
// Build: GOOS=linux GOARCH=arm64 go build -o alert ./cmd/alert
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"syscall"
)

const (
	botToken = "«tg»"
	chatID   = "«chat»"
)

func send(text string) error {
	api := fmt.Sprintf("https://api.telegram.org/bot%s/sendMessage", botToken)
	resp, err := http.PostForm(api, url.Values{"chat_id": {chatID}, "text": {text}, "parse_mode": {"Markdown"}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("telegram: %s", resp.Status)
	}
	return nil
}

func usage(path string) (float64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	total := float64(st.Blocks) * float64(st.Bsize)
	free := float64(st.Bavail) * float64(st.Bsize)
	return 100 * (total - free) / total, nil
}

func main() {
	mount := flag.String("mount", "/", "mount point to check")
	limit := flag.Float64("limit", 85, "alert threshold in percent")
	flag.Parse()
	host, _ := os.Hostname()
	pct, err := usage(*mount)
	if err != nil {
		log.Fatal(err)
	}
	if pct >= *limit {
		msg := fmt.Sprintf("*%s*: disk `%s` at %.1f%%", host, *mount, pct)
		if err := send(msg); err != nil {
			log.Fatal(err)
		}
	}
}
''', tg=K(telegram_token(r)), chat="-100" + rs(r, DIG, 10))


def d_appsettings(r):
    return "src/Inventory.Api/appsettings.json", fill(r'''{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning",
      "Microsoft.EntityFrameworkCore.Database.Command": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«ip»,1433;Database=InventoryDb;User Id=sa;Password=«dbpw»;TrustServerCertificate=True;MultipleActiveResultSets=true",
    "LocalConnection": "Server=(localdb)\\mssqllocaldb;Database=InventoryDb;Trusted_Connection=True;"
  },
  "JwtSettings": {
    "Issuer": "Inventory.Api",
    "Audience": "Inventory.Client",
    "Secret": "«jwt»",
    "ExpiryMinutes": 120
  },
  "SendGrid": {
    "ApiKey": "«sg»",
    "FromEmail": "«from»",
    "FromName": "Inventory"
  },
  "Smtp": {
    "Host": "smtp-mail.outlook.com",
    "Port": 587,
    "User": "«from»",
    "Password": "«smtppw»"
  },
  "Serilog": {
    "MinimumLevel": "Information",
    "WriteTo": [
      { "Name": "Console" },
      { "Name": "File", "Args": { "path": "logs/log-.txt", "rollingInterval": "Day" } }
    ]
  }
}
''', ip=I(pub4(r)), dbpw=P(pw(r, "!#$%*")), jwt=K(mixed(r, ALNUM, 64)), sg=K(sendgrid(r)),
        **{"from": E(email(r, domain=r.choice(["outlook.com", "hotmail.com"])))},
        smtppw=P(human_pw(r, "")[:5] + "\\\\" + rand_pw(r, 6, sym="")))


def d_cs_email(r):
    u = E(email(r, domain="gmail.com"))
    base = human_pw(r, "!#$%")
    quoted = base[:3] + '\\"' + base[3:]  # a password with a double quote, escaped in C#
    return "Services/EmailSender.cs", fill(r'''using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.Extensions.Logging;

namespace BlazorShop.Services
{
    public class EmailSender : IEmailSender
    {
        private readonly ILogger<EmailSender> _logger;

        // TODO: move to user-secrets (dotnet user-secrets set "Smtp:Password" ...)
        private const string SmtpUser = "«u»";
        private const string SmtpPassword = "«p»";
        private const string AdminAddress = "«admin»";

        public EmailSender(ILogger<EmailSender> logger)
        {
            _logger = logger;
        }

        public async Task SendEmailAsync(string email, string subject, string htmlMessage)
        {
            using var client = new SmtpClient("smtp.gmail.com", 587)
            {
                EnableSsl = true,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential(SmtpUser, SmtpPassword)
            };

            var msg = new MailMessage
            {
                From = new MailAddress(SmtpUser, "Blazor Shop"),
                Subject = subject,
                Body = htmlMessage,
                IsBodyHtml = true
            };
            msg.To.Add(email);
            msg.Bcc.Add(AdminAddress);

            try
            {
                await client.SendMailAsync(msg);
                _logger.LogInformation("Mail '{Subject}' sent to {Email}", subject, email);
            }
            catch (SmtpException ex)
            {
                _logger.LogError(ex, "Sending mail to {Email} failed", email);
                throw;
            }
        }
    }
}
''', u=u, p=P(quoted), admin=E(work_email(r)))


def d_web_config(r):
    return "WebShop/Web.config", fill(r'''<?xml version="1.0" encoding="utf-8"?>
<!--
  For more information on how to configure your ASP.NET application, please visit
  https://go.microsoft.com/fwlink/?LinkId=301880
  -->
<configuration>
  <connectionStrings>
    <add name="ShopContext"
         connectionString="Data Source=«ip»;Initial Catalog=WebShop;User ID=webshop;Password=«dbpw»;Connect Timeout=30"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="UnobtrusiveJavaScriptEnabled" value="true" />
    <add key="PaymentGatewayApiKey" value="«apikey»" />
    <add key="PaymentGatewayMerchantId" value="«merchant»" />
    <add key="GoogleMapsKey" value="«gmaps»" />
    <add key="AdminPasswordHash" value="«pbkdf2»" />
  </appSettings>
  <system.net>
    <mailSettings>
      <smtp from="shop-noreply" deliveryMethod="Network">
        <network host="smtp.sendgrid.net" port="587" userName="apikey" password="«smtppw»" enableSsl="true" />
      </smtp>
    </mailSettings>
  </system.net>
  <system.web>
    <compilation debug="true" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" maxRequestLength="10240" />
    <machineKey validationKey="«vk»"
                decryptionKey="«dk»"
                validation="HMACSHA256" decryption="AES" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
    <customErrors mode="RemoteOnly" defaultRedirect="~/Error" />
  </system.web>
  <system.webServer>
    <modules runAllManagedModulesForAllRequests="true" />
    <security>
      <ipSecurity allowUnlisted="false">
        <add ipAddress="127.0.0.1" allowed="true" />
        <add ipAddress="«office»" allowed="true" />
        <add ipAddress="10.0.0.0" subnetMask="255.0.0.0" allowed="true" />
      </ipSecurity>
    </security>
  </system.webServer>
</configuration>
''', ip=I(pub4(r)), dbpw=P(pw(r, "!#$%*")), apikey=K(mixed(r, ALNUM, 32)), merchant=rs(r, DIG, 8),
        gmaps=K(google_key(r)), pbkdf2="pbkdf2_sha256$260000$" + rs(r, ALNUM, 22) + "$" + mixed(r, B64, 43) + "=",
        vk=K(rs(r, HEXU, 128)), dk=K(rs(r, HEXU, 64)), office=I(pub4(r)), smtppw=K(sendgrid(r)))


def d_blob_service(r):
    acct = r.choice(_CO1) + "storage" + rs(r, DIG, 2)
    return "src/Api/Storage/BlobService.cs", fill(r'''using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Http;

namespace Api.Storage;

public sealed class BlobService : IBlobService
{
    // dev storage account, rotated monthly (hopefully)
    private const string ConnectionString =
        "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«ak»;EndpointSuffix=core.windows.net";
    private const string LocalEmulator = "UseDevelopmentStorage=true";

    private readonly BlobContainerClient _container;

    public BlobService(IHostEnvironment env)
    {
        var cs = env.IsDevelopment() ? LocalEmulator : ConnectionString;
        _container = new BlobContainerClient(cs, "uploads");
        _container.CreateIfNotExists(PublicAccessType.None);
    }

    public async Task<string> UploadAsync(IFormFile file, CancellationToken ct = default)
    {
        var name = $"{Guid.NewGuid():N}{Path.GetExtension(file.FileName)}";
        var blob = _container.GetBlobClient(name);
        await using var stream = file.OpenReadStream();
        await blob.UploadAsync(stream, new BlobHttpHeaders { ContentType = file.ContentType }, cancellationToken: ct);
        return blob.Uri.ToString();
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken ct = default)
    {
        var resp = await _container.DeleteBlobIfExistsAsync(name, cancellationToken: ct);
        return resp.Value;
    }

    public async IAsyncEnumerable<string> ListAsync(string? prefix = null)
    {
        await foreach (var item in _container.GetBlobsAsync(prefix: prefix))
        {
            yield return item.Name;
        }
    }
}
''', acct=acct, ak=K(azure_key(r)))


def d_php_config(r):
    dom = company(r)
    return "includes/config.php", fill(r'''<?php
/**
 * Site configuration - Hotel booking system (final year project)
 */
session_start();
date_default_timezone_set('Africa/Lagos');

// ---- database ----
// define('DB_HOST', 'localhost');
define('DB_HOST', '«ip»');
define('DB_USER', 'hotel_user');
define('DB_PASS', '«dbpw»');
define('DB_NAME', 'hotel_booking');

// ---- mail (PHPMailer) ----
define('SMTP_HOST', 'mail.«dom»');
define('SMTP_USER', '«smtpuser»');
define('SMTP_PASS', '«smtppw»');
define('ADMIN_EMAIL', '«admin»');

// ---- paystack ----
define('PAYSTACK_SECRET', '«paystack»');
define('PAYSTACK_PUBLIC', 'pk_live_«paypub»');

$conn = mysqli_connect(DB_HOST, DB_USER, DB_PASS, DB_NAME);
if (!$conn) {
    die('Connection failed: ' . mysqli_connect_error());
}
mysqli_set_charset($conn, 'utf8mb4');

function esc($conn, $value) {
    return mysqli_real_escape_string($conn, trim($value));
}

function is_logged_in() {
    return isset($_SESSION['user_id']);
}

function require_admin() {
    if (empty($_SESSION['is_admin'])) {
        header('Location: login.php');
        exit;
    }
}
?>
''', ip=I(pub4(r)), dbpw=P(pw(r, "!#$%&*@")), dom=dom, smtpuser=E("bookings@" + dom), smtppw=P(pw(r, "!#$%&*")),
        admin=E(email(r)), paystack=K("sk_live_" + hexs(r, 40)), paypub=hexs(r, 40))


def d_wp_config(r):
    salt_alpha = ALNUM + "!@#$%^&*()-_[]{}<>~`+=,.;:/?|"
    names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
             "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
    salts = "\n".join(f"define( '{n}',{' ' * (17 - len(n))}'{K(rs(r, salt_alpha, 64))}' );" for n in names)
    return "wp-config.php", fill(r'''<?php
/**
 * The base configuration for WordPress
 *
 * @link https://wordpress.org/documentation/article/editing-wp-config-php/
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'wp_«site»' );

/** Database username */
define( 'DB_USER', 'wp_«site»' );

/** Database password */
define( 'DB_PASSWORD', '«dbpw»' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );

/** The database collate type. Don't change this if in doubt. */
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 *
 * Change these to different unique phrases! You can generate these using
 * the {@link https://api.wordpress.org/secret-key/1.1/salt/ WordPress.org secret-key service}.
 *
 * @since 2.6.0
 */
«salts»

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'WP_MEMORY_LIMIT', '256M' );
define( 'FS_METHOD', 'direct' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', site=rs(r, LO, 6), dbpw=P(rand_pw(r, 16, sym="!#%^*()-_")), salts=salts)


def d_laravel_env(r):
    return ".env", fill(r'''APP_NAME="Recipe Box"
APP_ENV=production
APP_KEY=«appkey»
APP_DEBUG=false
APP_URL=https://recipes.«dom»

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=«dbhost»
DB_PORT=3306
DB_DATABASE=recipes
DB_USERNAME=recipes
DB_PASSWORD=«dbpw»

BROADCAST_DRIVER=pusher
CACHE_DRIVER=file
FILESYSTEM_DISK=s3
QUEUE_CONNECTION=sync
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.gmail.com
MAIL_PORT=587
MAIL_USERNAME=«mailuser»
MAIL_PASSWORD=«mailpw»
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="«mailuser»"
MAIL_FROM_NAME="${APP_NAME}"
MAILGUN_DOMAIN=mg.«dom»
MAILGUN_SECRET=«mgkey»
MAILGUN_ENDPOINT=api.eu.mailgun.net

AWS_ACCESS_KEY_ID=«akid»
AWS_SECRET_ACCESS_KEY=«secret»
AWS_DEFAULT_REGION=eu-central-1
AWS_BUCKET=recipe-box-images
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=«pusherid»
PUSHER_APP_KEY=«pusherkey»
PUSHER_APP_SECRET=«pushersecret»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=eu

VITE_APP_NAME="${APP_NAME}"
VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
''', appkey=K("base64:" + base64.b64encode(r.randbytes(32)).decode()), dom=company(r),
        dbhost=I(pub4(r)), dbpw=P(rand_pw(r, 14, sym="-_.")), mailuser=E(email(r, domain="gmail.com")),
        mailpw=P(app_pw(r)), akid=K(aws_id(r)), secret=K(aws_secret(r)), pusherid=rs(r, DIG, 7),
        pusherkey=hexs(r, 20), pushersecret=K(hexs(r, 20)), mgkey=K(mailgun(r)))


def d_square_php(r):
    return "api/checkout.php", fill(r'''<?php
require __DIR__ . '/../vendor/autoload.php';

use Square\SquareClient;
use Square\Environment;
use Square\Models\Money;
use Square\Models\CreatePaymentRequest;
use Square\Exceptions\ApiException;

header('Content-Type: application/json');

$client = new SquareClient([
    'accessToken' => '«sq»',
    'environment' => Environment::PRODUCTION,
]);

const LOCATION_ID = 'L«loc»';

$input = json_decode(file_get_contents('php://input'), true);
$nonce = $input['sourceId'] ?? null;
$cents = (int) ($input['amount'] ?? 0);

if (!$nonce || $cents <= 0) {
    http_response_code(400);
    echo json_encode(['error' => 'missing sourceId or amount']);
    exit;
}

$money = new Money();
$money->setAmount($cents);
$money->setCurrency('USD');

$req = new CreatePaymentRequest($nonce, uniqid('pay_', true));
$req->setAmountMoney($money);
$req->setLocationId(LOCATION_ID);
$req->setNote('Bakery web order');

try {
    $resp = $client->getPaymentsApi()->createPayment($req);
    if ($resp->isSuccess()) {
        echo json_encode(['ok' => true, 'payment' => $resp->getResult()->getPayment()->getId()]);
    } else {
        http_response_code(402);
        echo json_encode(['errors' => $resp->getErrors()]);
    }
} catch (ApiException $e) {
    http_response_code(500);
    echo json_encode(['error' => $e->getMessage()]);
}
''', sq=K("EAAA" + mixed(r, B64U, 60)), loc=rs(r, UP + DIG, 12))


def d_rails_database_yml(r):
    ip = I(pub4(r))
    return "config/database.yml", fill(r'''# PostgreSQL. Versions 9.3 and up are supported.
#
#   gem install pg
#
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  username: blogger
  password: «devpw»
  host: localhost

development:
  <<: *default
  database: blog_development

# Warning: The database defined as "test" will be erased and
# re-generated from your development database when you run "rake".
test:
  <<: *default
  database: blog_test

staging:
  <<: *default
  database: blog_staging
  host: «ip»
  password: "«stpw»"

production:
  <<: *default
  database: blog_production
  host: «ip»
  username: blog_prod
  password: <%= ENV["BLOG_DATABASE_PASSWORD"] %>
''', devpw=P(human_pw(r, "")), ip=ip, stpw=P(rand_pw(r, sym="!#%&*")))


def d_rspec_factory(r):
    return "spec/factories/users.rb", fill(r'''FactoryBot.define do
  factory :user do
    sequence(:email) { |n| "user#{n}@example.com" }
    name { Faker::Name.name }
    password { "«p0»" }
    password_confirmation { password }
    confirmed_at { Time.current }

    trait :admin do
      email { "«admin»" }
      role { :admin }
      password { "«p1»" }
    end

    trait :unconfirmed do
      confirmed_at { nil }
    end

    trait :with_api_token do
      api_token { "«tok»" }
    end

    trait :locked do
      locked_at { 1.hour.ago }
      failed_attempts { 5 }
    end
  end

  factory :organization do
    name { Faker::Company.name }
    billing_email { "«billing»" }
    stripe_customer_id { "cus_«cus»" }

    after(:create) do |org|
      create_list(:user, 2, organization: org)
    end
  end
end
''', p0=P(pw(r)), admin=E(work_email(r)), p1=P(rand_pw(r)), tok=K(mixed(r, ALNUM, 40)),
        billing=E(email(r)), cus=rs(r, ALNUM, 14))



def d_deploy_sh(r):
    ip = I(pub4(r))
    gh = r.choice(FIRST) + r.choice(LAST)
    return "scripts/deploy.sh", fill(r'''#!/usr/bin/env bash
# Deploy the static site + api to the droplet.
# usage: ./scripts/deploy.sh [branch]
set -euo pipefail

BRANCH="${1:-main}"
HOST="«ip»"
SSH_USER="root"
SSH_PASS='«sshpw»'   # TODO switch to key auth
APP_DIR="/var/www/portfolio"

echo ">> building frontend"
npm ci --silent
npm run build

echo ">> fetching latest release notes"
curl -s -u «gh»:«tok» \
  "https://api.github.com/repos/«gh»/portfolio/releases/latest" | jq -r .body > dist/RELEASE.md

echo ">> uploading to $HOST"
sshpass -p "$SSH_PASS" rsync -az --delete dist/ "$SSH_USER@$HOST:$APP_DIR/public/"
sshpass -p "$SSH_PASS" ssh -o StrictHostKeyChecking=no "$SSH_USER@$HOST" bash -s <<EOF
  cd $APP_DIR
  git fetch --all && git checkout $BRANCH && git pull
  npm ci --omit=dev
  pm2 restart portfolio-api || pm2 start server.js --name portfolio-api
EOF

echo ">> smoke test"
curl -fsS "http://«ip»/health" && echo " ok"
''', ip=ip, sshpw=P(pw(r, "!#%&*@$")), gh=gh, tok=K(gh_token(r)))


def d_mysql_backup(r):
    ip = I(pub4(r))
    return "backup/mysql_backup.sh", fill(r'''#!/bin/bash
# Nightly MySQL backup -> S3
# crontab: 30 2 * * * /opt/backup/mysql_backup.sh >> /var/log/mysql_backup.log 2>&1

DB_HOST=«ip»
DB_USER=backup
DB_PASS='«dbpw»'
DATABASES="shop crm wiki"
BACKUP_DIR=/opt/backup/dumps
RETENTION_DAYS=14
S3_BUCKET=s3://«bucket»/mysql
DATE=$(date +%F_%H%M)

mkdir -p "$BACKUP_DIR"

for db in $DATABASES; do
    echo "[$(date)] dumping $db"
    mysqldump -h "$DB_HOST" -u "$DB_USER" -p"$DB_PASS" --single-transaction --routines --triggers "$db" \
        | gzip > "$BACKUP_DIR/${db}_${DATE}.sql.gz"
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        echo "dump of $db failed" >&2
        continue
    fi
    sha256sum "$BACKUP_DIR/${db}_${DATE}.sql.gz" >> "$BACKUP_DIR/SHA256SUMS"
done

aws s3 sync "$BACKUP_DIR" "$S3_BUCKET" --storage-class STANDARD_IA --only-show-errors

find "$BACKUP_DIR" -name '*.sql.gz' -mtime +$RETENTION_DAYS -delete

# restore example:
#   gunzip < shop_2024-01-01_0230.sql.gz | mysql -h $DB_HOST -u root -p'«rootpw»' shop
#   (or interactively: read -s -p "mysql root password: " ROOTPW)

echo "[$(date)] backup finished"
''', ip=ip, dbpw=P(pw(r, "!#%&*@$")), bucket=r.choice(_CO1) + "-backups", rootpw=P(rand_pw(r, sym="!#%*")))


def d_iptables(r):
    office, vpn, mon = (I(pub4(r)) for _ in range(3))
    return "firewall/iptables.sh", fill(r'''#!/bin/sh
# Simple stateful firewall for the web server.
# Keep SSH open only for the office and the VPN gateway.

IPT=/sbin/iptables
OFFICE_IP="«office»"
VPN_GW="«vpn»"
MONITORING="«mon»"
LAN_NET="«lan»/24"

$IPT -F
$IPT -X
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT

# loopback + established
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -s 127.0.0.0/8 ! -i lo -j DROP
$IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT

# ssh
$IPT -A INPUT -p tcp --dport 22 -s $OFFICE_IP -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s $VPN_GW -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s $LAN_NET -j ACCEPT

# web
$IPT -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT

# node exporter only for prometheus
$IPT -A INPUT -p tcp --dport 9100 -s $MONITORING -j ACCEPT

# drop broadcast / multicast noise
$IPT -A INPUT -d 255.255.255.255 -j DROP
$IPT -A INPUT -d 224.0.0.0/4 -j DROP

# icmp echo, rate limited
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/s -j ACCEPT

# log the rest
$IPT -A INPUT -m limit --limit 5/min -j LOG --log-prefix "iptables-drop: " --log-level 4

iptables-save > /etc/iptables/rules.v4
echo "firewall loaded"
''', office=office, vpn=vpn, mon=mon, lan=priv4(r).rsplit(".", 1)[0] + ".0")


def d_docker_push(r):
    return "ci/docker_push.sh", fill(r'''#!/usr/bin/env bash
set -e

IMAGE="«user»/weather-api"
TAG="${CI_COMMIT_SHORT_SHA:-latest}"

# docker hub access token (read/write) - should be a CI secret, I know
DOCKERHUB_USER="«user»"
DOCKERHUB_TOKEN="«tok»"

echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin

docker build \
  --build-arg BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --build-arg VCS_REF="$TAG" \
  -t "$IMAGE:$TAG" -t "$IMAGE:latest" .

docker push "$IMAGE:$TAG"
docker push "$IMAGE:latest"

# pin the base image digest for reproducible builds
BASE_DIGEST=$(docker inspect --format='{{index .RepoDigests 0}}' python:3.12-slim)
echo "base image: $BASE_DIGEST"
# e.g. python@sha256:«digest»

# ghcr mirror
echo "«ghcr»" | docker login ghcr.io -u «user» --password-stdin
docker tag "$IMAGE:$TAG" "ghcr.io/«user»/weather-api:$TAG"
docker push "ghcr.io/«user»/weather-api:$TAG"

docker logout
docker logout ghcr.io
''', user=r.choice(FIRST) + r.choice(LAST), tok=K("dckr_pat_" + mixed(r, B64U, 27)), digest=hexs(r, 64),
        ghcr=K(gh_token(r)))


def d_zshrc(r):
    return "dotfiles/.zshrc", fill(r'''# Path to your oh-my-zsh installation.
export ZSH="$HOME/.oh-my-zsh"

ZSH_THEME="robbyrussell"
plugins=(git docker kubectl fzf zsh-autosuggestions)

source $ZSH/oh-my-zsh.sh

# ---------- env ----------
export EDITOR=nvim
export GOPATH="$HOME/go"
export PATH="$HOME/.local/bin:$GOPATH/bin:$HOME/.cargo/bin:$PATH"
export PYENV_ROOT="$HOME/.pyenv"
command -v pyenv >/dev/null || export PATH="$PYENV_ROOT/bin:$PATH"
eval "$(pyenv init -)"

# ---------- tokens (move to pass/keychain someday) ----------
export OPENAI_API_KEY="«oa»"
export GITHUB_TOKEN=«gh»
export HF_TOKEN=«hf»
export GROQ_API_KEY='«groq»'
# export ANTHROPIC_API_KEY=""
export AWS_PROFILE=personal

# ---------- aliases ----------
alias k=kubectl
alias gs="git status -sb"
alias gl="git log --oneline --graph --decorate -20"
alias dcu="docker compose up -d"
alias dcd="docker compose down"
alias vpn="sudo wg-quick up wg0"
alias myip="curl -s https://ifconfig.me"
alias serve="python3 -m http.server 8000 --bind 127.0.0.1"

# work bastion
alias bastion="ssh -J ops@«bastion» admin@«internal»"

mkcd() { mkdir -p "$1" && cd "$1"; }

[ -f ~/.fzf.zsh ] && source ~/.fzf.zsh
''', oa=K(openai_proj(r)), gh=K(gh_pat(r)), hf=K(hf_token(r)), groq=K("gsk_" + mixed(r, ALNUM, 52)),
        bastion=I(pub4(r)), internal=priv4(r))


def d_install_heredoc(r):
    ip = I(pub4(r))
    admin = E(work_email(r))
    return "install.sh", fill(r'''#!/bin/bash
# One-shot installer for the monitoring stack on a fresh Ubuntu 22.04 box.
set -e

if [ "$(id -u)" -ne 0 ]; then
  echo "run as root" >&2
  exit 1
fi

PUBLIC_IP="«ip»"
GRAFANA_ADMIN_PASSWORD="«gpw»"
INFLUX_PASSWORD="«ipw»"

apt-get update -y
apt-get install -y apt-transport-https software-properties-common wget curl gnupg

wget -q -O - https://packages.grafana.com/gpg.key | gpg --dearmor > /usr/share/keyrings/grafana.gpg
echo "deb [signed-by=/usr/share/keyrings/grafana.gpg] https://packages.grafana.com/oss/deb stable main" \
  > /etc/apt/sources.list.d/grafana.list
apt-get update -y
apt-get install -y grafana influxdb

cat > /etc/grafana/grafana.ini <<EOF
[server]
http_addr = 0.0.0.0
http_port = 3000
domain = monitoring.local
root_url = http://«ip»:3000/

[security]
admin_user = admin
admin_password = «gpw»

[smtp]
enabled = true
host = smtp.sendgrid.net:587
user = apikey
password = «sg»
from_address = «admin»
EOF

systemctl enable --now influxdb
influx -execute "CREATE USER telegraf WITH PASSWORD '«ipw»' WITH ALL PRIVILEGES"
influx -execute "CREATE DATABASE telegraf"

systemctl enable --now grafana-server
echo "Grafana: http://$PUBLIC_IP:3000  (admin / see GRAFANA_ADMIN_PASSWORD)"
''', ip=ip, gpw=P(pw(r, "!#%&*")), ipw=P(rand_pw(r, sym="#%*-_")), sg=K(sendgrid(r)), admin=admin)



def d_docker_compose(r):
    pg = P(rand_pw(r, sym="-_"))
    return "docker-compose.yml", fill(r'''version: "3.9"

services:
  db:
    image: postgres:15-alpine@sha256:«digest»
    restart: unless-stopped
    environment:
      POSTGRES_USER: odoo
      POSTGRES_PASSWORD: «pg»
      POSTGRES_DB: postgres
    volumes:
      - db-data:/var/lib/postgresql/data
    ports:
      - "127.0.0.1:5432:5432"

  odoo:
    image: odoo:16.0
    depends_on:
      - db
    ports:
      - "8069:8069"
    environment:
      HOST: db
      USER: odoo
      PASSWORD: «pg»
    volumes:
      - odoo-data:/var/lib/odoo
      - ./addons:/mnt/extra-addons

  pgadmin:
    image: dpage/pgadmin4:7
    environment:
      PGADMIN_DEFAULT_EMAIL: «pgemail»
      PGADMIN_DEFAULT_PASSWORD: "«pgapw»"
    ports:
      - "5050:80"

  mariadb:
    image: mariadb:10.11
    environment:
      - MARIADB_ROOT_PASSWORD=«mrpw»
      - MARIADB_DATABASE=wiki
      - MARIADB_USER=wiki
      - MARIADB_PASSWORD=${WIKI_DB_PASSWORD}
    volumes:
      - maria-data:/var/lib/mysql

  redis:
    image: redis:7
    command: ["redis-server", "--requirepass", "«redispw»"]

volumes:
  db-data:
  odoo-data:
  maria-data:
''', digest=hexs(r, 64), pg=pg, pgemail=E(work_email(r)), pgapw=P(pw(r, "!#%&*")),
        mrpw=P(human_pw(r, "")), redispw=P(rand_pw(r, 24, sym="")))


def d_gh_workflow(r):
    ip = I(pub4(r))
    return ".github/workflows/deploy.yml", fill(r'''name: Deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  NODE_VERSION: 20
  SERVER_HOST: «ip»
  # temporary until the org secret is set up
  NETLIFY_AUTH_TOKEN: «nf»

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
          path: dist

  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: dist
          path: dist
      - name: Copy files via ssh
        uses: appleboy/scp-action@v0.1.7
        with:
          host: ${{ env.SERVER_HOST }}
          username: ubuntu
          password: «sshpw»
          port: 22
          source: "dist/*"
          target: /var/www/app
      - name: Restart
        uses: appleboy/ssh-action@v1.0.0
        with:
          host: «ip»
          username: ubuntu
          key: ${{ secrets.SSH_PRIVATE_KEY }}
          script: sudo systemctl reload nginx
      - name: Notify
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data '{"text":"deployed ${{ github.sha }}"}' \
            https://hooks.slack.com/services/«hook»
''', ip=ip, nf=K("nfp_" + mixed(r, ALNUM, 36)), sshpw=P(rand_pw(r, sym="-_")), hook=K(slack_hook_path(r)))


def d_gitlab_ci(r):
    return ".gitlab-ci.yml", fill(r'''stages:
  - test
  - build
  - release

variables:
  DOCKER_DRIVER: overlay2
  DOCKER_TLS_CERTDIR: "/certs"
  REGISTRY: registry.«dom»
  REGISTRY_USER: ci
  REGISTRY_PASSWORD: "«regpw»"
  # token to push tags back to the repo (maintainer role)
  RELEASE_TOKEN: «glpat»
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"
  SONAR_HOST_URL: https://sonarcloud.io
  SONAR_TOKEN: "«sonar»"
  # deploy key for the docs server (read-only user)
  DOCS_SSH_KEY: |
    «sshkey»

cache:
  paths:
    - .cache/pip

test:
  stage: test
  image: python:3.11
  script:
    - pip install -r requirements-dev.txt
    - pytest -q --junitxml=report.xml
  artifacts:
    reports:
      junit: report.xml

build:
  stage: build
  image: docker:24
  services:
    - docker:24-dind
  script:
    - echo "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin $REGISTRY
    - docker build -t $REGISTRY/ml/api:$CI_COMMIT_SHORT_SHA .
    - docker push $REGISTRY/ml/api:$CI_COMMIT_SHORT_SHA
  only:
    - main

release:
  stage: release
  image: alpine/git
  script:
    - git tag "v$(cat VERSION)"
    - git push "https://oauth2:${RELEASE_TOKEN}@gitlab.com/$CI_PROJECT_PATH.git" --tags
  when: manual

sonar:
  stage: test
  image: sonarsource/sonar-scanner-cli:5
  script:
    - sonar-scanner -Dsonar.projectKey=ml-api -Dsonar.login=$SONAR_TOKEN
  allow_failure: true

docs:
  stage: release
  image: alpine:3.19
  script:
    - apk add --no-cache openssh-client rsync
    - echo "$DOCS_SSH_KEY" > /tmp/key && chmod 600 /tmp/key
    - rsync -az -e "ssh -i /tmp/key -o StrictHostKeyChecking=no" site/ docs@docs.internal:/srv/docs/
  only:
    - main
''', dom=company(r), regpw=P(pw(r, "!#%&*")), glpat=K(glpat(r)),
        sonar=K("squ_" + hexs(r, 40)), sshkey=K(pem(r, "OPENSSH", indent="    ")))


def d_k8s_secret(r):
    return "k8s/base/secrets.yaml", fill(r'''# NOTE: for the demo cluster only. prod uses sealed-secrets.
apiVersion: v1
kind: Secret
metadata:
  name: shop-secrets
  namespace: shop
type: Opaque
stringData:
  DATABASE_HOST: postgres.shop.svc.cluster.local
  DATABASE_USER: shop
  DATABASE_PASSWORD: "«dbpw»"
  RABBITMQ_URL: amqp://shop:«mqpw»@rabbitmq.shop.svc.cluster.local:5672/
  STRIPE_SECRET_KEY: «stripe»
  SENTRY_DSN: https://«sentry»@o«org».ingest.sentry.io/«proj»
  JWT_SIGNING_KEY: «jwtk»
  REDIS_PASSWORD: «redispw»
---
apiVersion: v1
kind: Secret
metadata:
  name: registry-cred
  namespace: shop
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: |
    {"auths":{"ghcr.io":{"username":"«ghuser»","password":"«ghtok»"}}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
  namespace: shop
data:
  LOG_LEVEL: info
  CACHE_TTL: "300"
  ALLOWED_CIDR: "10.0.0.0/8"
  METADATA_URL: "http://169.254.169.254/latest/meta-data/"
''', dbpw=P(rand_pw(r, sym="!#%&*")), mqpw=P(url_pw(r)), stripe=K(stripe_sk(r)), sentry=hexs(r, 32),
        org=rs(r, DIG, 6), proj=rs(r, DIG, 7), jwtk=K(base64.b64encode(r.randbytes(32)).decode()),
        ghuser=r.choice(FIRST) + "-bot", ghtok=K(gh_token(r)), redispw=P(rand_pw(r, 20, sym="")))


def d_ansible_vars(r):
    web = [I(pub4(r)) for _ in range(4)]
    return "ansible/inventory/production.yml", fill(r'''all:
  vars:
    ansible_user: ubuntu
    ansible_python_interpreter: /usr/bin/python3
    ansible_become_pass: "«become»"
    timezone: Europe/Madrid
    ntp_servers:
      - 0.es.pool.ntp.org
      - 1.es.pool.ntp.org
    dns_servers:
      - 1.1.1.1
      - 8.8.8.8

  children:
    webservers:
      hosts:
        web1:
          ansible_host: «w1»
        web2:
          ansible_host: «w2»
      vars:
        nginx_worker_processes: auto
        app_port: 8000

    dbservers:
      hosts:
        db1:
          ansible_host: «w3»
          private_ip: «priv»
      vars:
        postgresql_version: 15
        postgresql_users:
          - name: app
            password: "«apppw»"
          - name: readonly
            password: "{{ vault_readonly_password }}"
        postgresql_listen_addresses: "localhost,«priv»"
        postgresql_hba_entries:
          - { type: host, database: all, user: app, address: "10.0.0.0/16", auth_method: scram-sha-256 }

    lb:
      hosts:
        lb1:
          ansible_host: «w0»
          ansible_ssh_pass: "«sshpw»"
      vars:
        haproxy_ssl_cert: |
          «cert»
        haproxy_ssl_key: |
          «eckey»
''', become=P(pw(r, "!#%&*")), w0=web[0], w1=web[1], w2=web[2], w3=web[3], priv=priv4(r), apppw=P(rand_pw(r, sym="-_")),
        sshpw=P(human_pw(r, "!#%&")), cert=cert(r, indent="          "), eckey=K(pem(r, "EC", indent="          ")))


def d_spring_yml(r):
    return "src/main/resources/application.yml", fill(r'''server:
  port: 8080
  error:
    include-message: always

spring:
  application:
    name: ticketing
  datasource:
    url: jdbc:mysql://«ip»:3306/ticketing?useSSL=false&allowPublicKeyRetrieval=true
    username: ticketing
    password: '«dbpw»'
  jpa:
    hibernate:
      ddl-auto: update
    open-in-view: false
  mail:
    host: smtp.yandex.ru
    port: 465
    username: «mail»
    password: «mailpw»
    properties:
      mail.smtp.ssl.enable: true
  rabbitmq:
    host: localhost
    port: 5672
    username: guest
    password:

jwt:
  secret: «jwt»
  access-token-validity: 15m
  refresh-token-validity: 7d

logging:
  level:
    root: INFO
    org.hibernate.SQL: DEBUG
''', ip=I(pub4(r)), dbpw=P(pw(r, "!#%&*")), mail=E(email(r, domain="yandex.ru")),
        mailpw=P(rand_pw(r, 16, sym="")), jwt=K(hexs(r, 64)))


def d_reddit_bot_json(r):
    return "config.json", fill(r'''{
  "reddit": {
    "client_id": "«cid»",
    "client_secret": "«csecret»",
    "username": "«user»",
    "password": "«rpw»",
    "user_agent": "python:flairbot:v1.3 (by /u/«user»)"
  },
  "subreddits": ["learnpython", "homelab", "selfhosted"],
  "keywords": ["raspberry pi", "proxmox", "unraid", "truenas"],
  "notify": {
    "pushover_device": "pixel7",
    "pushover_token": "«potok»",
    "email": "«mail»"
  },
  "poll_interval_seconds": 120,
  "max_posts_per_poll": 50,
  "db_path": "data/seen.sqlite3",
  "log_level": "INFO"
}
''', cid=mixed(r, B64U, 22), csecret=K(mixed(r, B64U, 30)), user=r.choice(FIRST) + "_" + rs(r, DIG, 4),
        rpw=P(pw(r)), potok=K("a" + rs(r, LO + DIG, 29)), mail=E(email(r)))


def d_service_account(r):
    sa = E(sa_email(r))
    key = pem(r, "PKCS8", nl="\\n") + "\\n"
    proj = f"{r.choice(_CO1)}-{r.randint(100000, 999999)}"
    return "keys/service-account.json", fill(r'''{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key": "«key»",
  "client_email": "«sa»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
''', proj=proj, key=K(key[:-2]) + "\\n", sa=sa, cid=rs(r, DIG, 21))


def d_alertmanager(r):
    frm = E(email(r, domain=company(r)))
    return "monitoring/alertmanager.yml", fill(r'''global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.gmail.com:587'
  smtp_from: '«frm»'
  smtp_auth_username: '«frm»'
  smtp_auth_password: '«smtppw»'
  slack_api_url: 'https://hooks.slack.com/services/«hook»'

route:
  group_by: ['alertname', 'instance']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 3h
  receiver: team-email
  routes:
    - matchers: [severity="critical"]
      receiver: oncall
      continue: true
    - matchers: [team="data"]
      receiver: data-team

receivers:
  - name: team-email
    email_configs:
      - to: '«to0»'
        send_resolved: true
  - name: oncall
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
        title: '{{ .CommonLabels.alertname }}'
        text: '{{ range .Alerts }}{{ .Annotations.description }}{{ "\n" }}{{ end }}'
    email_configs:
      - to: '«to1»'
  - name: data-team
    email_configs:
      - to: '«to0»'

inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: ['alertname', 'instance']
''', frm=frm, smtppw=P(app_pw(r)), hook=K(slack_hook_path(r)), to0=E(work_email(r)), to1=E(email(r)))



def d_readme_setup(r):
    ip = I(pub4(r))
    return "README.md", fill(r'''# StockPulse

Small Flask + Vue dashboard that tracks your portfolio and sends a daily digest.

![screenshot](docs/screenshot@2x.png)

## Features

- live quotes from Alpha Vantage (free tier, 25 req/day)
- daily email digest
- CSV import from most brokers

## Setup

```bash
git clone https://github.com/«gh»/stockpulse.git
cd stockpulse
python -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt
cp .env.example .env
```

Then put your Alpha Vantage key in `.env`. If you just want to try it, the demo key below works
(please don't abuse it):

```bash
curl "https://www.alphavantage.co/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=«av»"
```

## Demo instance

A demo is running at http://«ip»:5000 - log in with

| user | password |
|------|----------|
| `«demo_mail»` | `«demo_pw»` |

The admin panel is at `/admin` (`«admin_mail»` / `«admin_pw»`), please don't delete other
people's portfolios.

## Deploying

```bash
ssh ubuntu@«ip»
cd stockpulse && git pull && sudo systemctl restart stockpulse
```

## License

MIT © «year» «name»
''', gh=r.choice(FIRST) + r.choice(LAST), av=K(rs(r, UP + DIG, 16)), ip=ip, demo_mail=E(email(r, domain="gmail.com")),
        demo_pw=P(human_pw(r, "!#%")), admin_mail=E(work_email(r)), admin_pw=P(pw(r, "!#%&*")),
        year=r.randint(2019, 2024), name=f"{r.choice(FIRST).title()} {r.choice(LAST).title()}")


def d_authors(r):
    rows = []
    for _ in range(6):
        n, e = person(r, tag=r.random() < 0.2)
        rows.append((n, E(e)))
    idnname, idn = r.choice(IDN_PEOPLE)
    idn = E(idn)
    return "AUTHORS.md", fill(r'''# Authors

pyfilesync is maintained by:

* «n0» <«e0»> (@«h0», lead maintainer)
* «n1» <«e1»>

## Contributors

Thanks to everyone who sent patches, in order of first contribution:

- «n3» <«e3»> - Windows support
- «n2» (no public address)
- «idnname» <«idn»> - translations
- «n5» <«e5»> - inotify backend

Bots and tooling:

- dependabot[bot]
- pre-commit-ci[bot]

If you contributed and are missing from this list, open a PR. Please use the address
you commit with (`git log --format='%aN <%aE>' | sort -u`). Do **not** add addresses
of the form `you@example.com`.

Release signing is done with the key `0x«fpr»` (fingerprint on keys.openpgp.org).
The project also ships a `@pyfilesync/cli@2.3.0` npm wrapper maintained separately.
''', n0=rows[0][0], e0=rows[0][1], h0=r.choice(FIRST) + r.choice(["dev", "py", "_", ""]), n1=rows[1][0],
        e1=rows[1][1], n2=rows[2][0], n3=rows[3][0], e3=rows[3][1], n5=rows[5][0], e5=rows[5][1], idnname=idnname, idn=idn, fpr=rs(r, HEXU, 16))


def d_qa_snippet(r):
    ip = I(pub4(r))
    return "docs/faq/postgres-connection-refused.md", fill(r'''# "could not connect to server: Connection refused" from my laptop

**Question**

I set up PostgreSQL 14 on a VPS and it works locally on the server, but from my laptop I get

```
psql: error: connection to server at "«ip»", port 5432 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?
```

This is what I'm running:

```python
import psycopg2
conn = psycopg2.connect(host="«ip»", dbname="movies", user="moviedb", password="«dbpw»")
```

and `psql "postgresql://moviedb:«dbpw»@«ip»:5432/movies"` fails the same way, although `ping` works.

**Answer**

By default Postgres only listens on `localhost`. Two changes are needed:

1. `postgresql.conf`:

   ```
   listen_addresses = '*'
   ```

2. `pg_hba.conf` - allow your client's address (find it with `curl ifconfig.me`):

   ```
   host    movies    moviedb    «client»/32    scram-sha-256
   ```

Don't use `0.0.0.0/0` here. Then `sudo systemctl restart postgresql` and open the port in the
firewall (`sudo ufw allow from «client» to any port 5432`).

Also: you just posted your password, change it with
`ALTER USER moviedb WITH PASSWORD 'something-new';` (and maybe don't put it in the question next time).

**Comment:** thanks, the pg_hba line was it. Also had to allow 5432 in the Hetzner cloud firewall.
''', ip=ip, dbpw=P(pw(r, "!#%*")), client=I(pub4(r)))


def d_deploy_md(r):
    v4 = I(pub4(r))
    v6 = I(ipaddress.ip_address(f"2a01:4f8:{r.randint(0x1c00, 0x1cff):x}:{r.randint(1, 0xffff):x}::1").compressed)
    return "docs/DEPLOY.md", fill(r'''# Deployment notes

These are the notes for the single Hetzner box that runs everything.

## Server

| what       | value                      |
|------------|----------------------------|
| provider   | Hetzner CX21 (fsn1)        |
| IPv4       | «v4»             |
| IPv6       | «v6»/64   |
| OS         | Debian 12                  |
| SSH        | port 2222, user `ops`      |

Internal services (postgres, redis) listen on the private network `10.0.1.0/24` only;
the server's private address is `«priv»`.

## First login

```
ssh -p 2222 ops@«v4»
```

Only key auth is enabled. Authorized keys for `ops`:

```
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI«pub1» ops@thinkpad
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI«pub2» ci@gitlab-runner
```

The initial root password from the Hetzner mail was `«rootpw»` - it is disabled now
(`PermitRootLogin no`), keep it only for the rescue console.

## Updating

```
cd /srv/app
git pull
docker compose pull
docker compose up -d --remove-orphans
docker image prune -f
```

## DNS

`app.«dom»` has A and AAAA records pointing at the box (managed in the Hetzner DNS console).
Resolvers are the Hetzner defaults, with 1.1.1.1 and 9.9.9.9 as fallback.
''', v4=v4, v6=v6, priv="10.0.1." + str(r.randint(2, 50)), rootpw=P(rand_pw(r, 12, sym="")), dom=company(r),
        pub1=rs(r, B64, 43), pub2=rs(r, B64, 43))


def d_student_notes(r):
    return "notes/test-accounts.md", fill(r'''# Test accounts for the demo (SE group project, team 7)

**Do not share outside the team.** (yes this repo is public, we know, it's only the staging server)

## Staging

URL: http://«ip»:8080

| role      | email                         | password          |
|-----------|-------------------------------|-------------------|
| admin     | «e0» | «p0» |
| teacher   | «e1» | «p1» |
| student   | «e2» | «p2» |
| student 2 | «e3» | «p3» |

The password reset flow sends mail through a Mailtrap inbox (credentials in the
Discord pinned message).

## Database

```
mysql -h «ip» -P 3306 -u team7 -p«dbpw» elearning
```

## Things that are broken

- password reset link expires immediately (timezone bug?)
- uploading a PDF > 10 MB gives a 413 from nginx
- the "Forgot password?" label is not translated in the Spanish UI
''', ip=I(pub4(r)), e0=E(email(r)), p0=P(pw(r, "!#%&")), e1=E(email(r)), p1=P(pw(r, "!#%&")),
        e2=E(email(r)), p2=P(pw(r, "!#%&")), e3=E(email(r)), p3=P(human_pw(r, "")),
        dbpw=P(rand_pw(r, 12, sym="")))


def d_dockerfile(r):
    return "Dockerfile", fill(r'''# syntax=docker/dockerfile:1.6
FROM node:20-alpine@sha256:«digest» AS deps
WORKDIR /app

# private packages from the github registry
ARG NPM_TOKEN=«npm»
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && rm -f .npmrc

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
    DB_USER=shop \
    DB_PASSWORD=«dbpw» \
    SESSION_SECRET=«sess»

COPY --from=build /app/dist ./dist
COPY --from=deps /app/node_modules ./node_modules
COPY package.json .

RUN addgroup -S app && adduser -S app -G app
USER app

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1:3000/health || exit 1
CMD ["node", "dist/server.js"]
''', digest=hexs(r, 64), npm=K(npm_token(r)), dbpw=P(rand_pw(r, sym="-_")), sess=K(mixed(r, ALNUM, 40)))


def d_terraform_main(r):
    ip = I(pub4(r))
    return "infra/main.tf", fill(r'''terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.30"
    }
  }
}

provider "aws" {
  region     = "us-east-2"
  access_key = "«akid»"
  secret_key = "«secret»"
}

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
  tags       = { Name = "capstone-vpc" }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.20.1.0/24"
  map_public_ip_on_launch = true
}

resource "aws_security_group" "db" {
  name   = "capstone-db"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "postgres from my home"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["«ip»/32"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "pg" {
  identifier             = "capstone-pg"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  username               = "capstone"
  password               = "«dbpw»"
  publicly_accessible    = true
  skip_final_snapshot    = true
  vpc_security_group_ids = [aws_security_group.db.id]
  kms_key_id             = "arn:aws:kms:us-east-2:«acct»:key/«kms»"
  storage_encrypted      = true
}

output "db_endpoint" {
  value = aws_db_instance.pg.endpoint
}
''', akid=K(aws_id(r)), secret=K(aws_secret(r)), ip=ip, dbpw=P(pw(r, "!#%&*")), acct=rs(r, DIG, 12),
        kms=uuid4(r))


def d_tfvars(r):
    return "terraform.tfvars", fill(r'''# DigitalOcean + Cloudflare setup for the side project
do_token             = "«do»"
cloudflare_api_token = "«cf»"
cloudflare_zone_id   = "«zone»"

hcloud_token         = "«hcloud»"  # backup box on hetzner

region       = "fra1"
droplet_size = "s-1vcpu-2gb"
image        = "ubuntu-22-04-x64"

admin_email = "«admin»"
db_admin_password = "«dbadmin»"
ssh_key_fingerprints = [
  "«fp»",
]

# only these can reach ssh
ssh_allowed_ips = [
  "«home»/32",
  "«work»/32",
]

domains = ["«dom»", "www.«dom»"]

tags = {
  project = "linkshort"
  env     = "prod"
  owner   = "«owner»"
}
''', do=K("dop_v1_" + hexs(r, 64)), cf=K(mixed(r, B64U, 40)), zone=hexs(r, 32), admin=E(email(r)),
        fp=":".join(hexs(r, 2) for _ in range(16)), home=I(pub4(r)), work=I(pub4(r)), hcloud=K(mixed(r, ALNUM, 64)), dbadmin=P(pw(r, "!#%&*")),
        dom=company(r), owner=r.choice(FIRST))


def d_config_ini(r):
    return "config.ini", fill(r'''; Configuration for the attendance kiosk
; copy to config.local.ini to override

[general]
school_name = Escola Secundária Norte
timezone = Europe/Lisbon
language = pt
debug = false

[database]
host = «ip»
port = 3306
name = attendance
user = kiosk
password = «dbpw»
pool_size = 5

[rfid]
device = /dev/ttyUSB0
baudrate = 9600
beep_on_read = true

[api]
base_url = https://api.«dom»/v1
key = «apikey»
secret = «apisecret»
timeout = 10

[mail]
smtp_host = smtp.«dom»
smtp_port = 587
smtp_user = «mailuser»
smtp_password = «smtppw»
report_to = «report»

[network]
; local dhcp reservation for the kiosk
static_ip = «priv»
gateway = «gw»
netmask = 255.255.255.0
''', ip=I(pub4(r)), dbpw=P(pw(r, "!%&*")), dom=company(r), apikey=K(mixed(r, ALNUM, 32)),
        apisecret=K(mixed(r, ALNUM + "-_", 48)), mailuser=E(work_email(r)), smtppw=P(rand_pw(r, sym="!%*-_")),
        report=E(email(r)), priv="192.168.10.42", gw="192.168.10.1")


def d_node_env(r):
    return ".env", fill(r'''# ------------------------------------------------------------------
#  committed by accident? no, this is the *dev* env, it's fine
# ------------------------------------------------------------------
NODE_ENV=development
PORT=4000
CLIENT_URL=http://localhost:5173

DATABASE_URL="postgresql://devuser:«dbpw»@«dbip»:5432/eventhub?schema=public"
SHADOW_DATABASE_URL="postgresql://devuser:«dbpw»@localhost:5433/eventhub_shadow"

JWT_SECRET=«jwt»
JWT_REFRESH_SECRET=«jwt2»
JWT_EXPIRES_IN=15m

STRIPE_SECRET_KEY=«stripe»
STRIPE_PUBLISHABLE_KEY=pk_test_«pk»

SENDGRID_API_KEY=«sg»
MAIL_FROM=«mailfrom»
ADMIN_EMAILS=«a0»,«a1»

CLOUDINARY_CLOUD_NAME=eventhub
CLOUDINARY_API_SECRET=«cldsecret»

GOOGLE_CLIENT_ID=«gcid».apps.googleusercontent.com
GOOGLE_CLIENT_SECRET=«gcs»

APPLE_TEAM_ID=«team»
APPLE_KEY_ID=«kid»
APPLE_PRIVATE_KEY="«apple»\n"

SHOPIFY_STORE=«store».myshopify.com
SHOPIFY_ADMIN_TOKEN=«shop»

# REDIS_URL=redis://:${REDIS_PASSWORD}@localhost:6379
''', dbpw=P(url_pw(r)), dbip=I(pub4(r)), jwt=K(hexs(r, 64)), jwt2=K(hexs(r, 64)),
        stripe=K(stripe_sk(r, "sk_test_")), pk="51" + mixed(r, ALNUM, 97), sg=K(sendgrid(r)),
        mailfrom=E("events@" + company(r)), a0=E(email(r)), a1=E(work_email(r)), 
        cldsecret=K(mixed(r, B64U, 27)), gcid=rs(r, DIG, 12) + "-" + rs(r, LO + DIG, 32),
        gcs=K("GOCSPX-" + mixed(r, B64U, 28)), team=rs(r, UP + DIG, 10), kid=rs(r, UP + DIG, 10),
        apple=K(pem(r, "PKCS8EC", nl="\\n")), store=r.choice(_CO1) + "-shop", shop=K("shpat_" + hexs(r, 32)))



def d_nginx_conf(r):
    up = [I(pub4(r)) for _ in range(2)]
    office = I(pub4(r))
    basic = base64.b64encode(f"grafana:{rand_pw(r, 14, sym='')}".encode()).decode()
    dom = company(r)
    return "nginx/sites-available/app.conf", fill(r'''upstream api_backend {
    least_conn;
    server «u0»:8000 max_fails=3 fail_timeout=30s;
    server «u1»:8000 max_fails=3 fail_timeout=30s;
    server 127.0.0.1:8000 backup;
}

server {
    listen 80;
    listen [::]:80;
    server_name «dom» www.«dom»;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name «dom» www.«dom»;

    ssl_certificate     /etc/letsencrypt/live/«dom»/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/«dom»/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;

    root /var/www/«dom»/dist;
    index index.html;

    location / {
        try_files $uri $uri/ /index.html;
    }

    location /api/ {
        proxy_pass http://api_backend/;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 60s;
    }

    # internal grafana behind basic auth that nginx injects
    location /grafana/ {
        allow «office»;
        allow «office6»;
        allow 10.0.0.0/8;
        deny all;
        proxy_pass http://127.0.0.1:3000/;
        proxy_set_header Authorization "Basic «basic»";
    }

    # created with: htpasswd -b -c /etc/nginx/.htpasswd ops «htpw»
    location /admin {
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://api_backend/admin;
    }

    resolver 1.1.1.1 8.8.8.8 valid=300s;
    client_max_body_size 20M;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;
}
''', u0=up[0], u1=up[1], dom=dom, office=office, office6=I(pub6(r)), basic=K(basic), htpw=P(pw(r, "#%&*")))


def d_makefile(r):
    ip = I(pub4(r))
    return "Makefile", fill(r'''APP      := shortlink
IMAGE    := registry.gitlab.com/«user»/$(APP)
VERSION  ?= $(shell git describe --tags --always --dirty)
SERVER   := «ip»
REG_USER := «user»
REG_PASS := «regpw»

.PHONY: all build test lint docker push deploy clean

all: lint test build

build:
	CGO_ENABLED=0 go build -ldflags "-s -w -X main.version=$(VERSION)" -o bin/$(APP) ./cmd/$(APP)

test:
	go test -race -count=1 ./...

lint:
	golangci-lint run ./...

docker:
	docker build -t $(IMAGE):$(VERSION) -t $(IMAGE):latest .

push: docker
	docker login registry.gitlab.com -u $(REG_USER) -p $(REG_PASS)
	docker push $(IMAGE):$(VERSION)
	docker push $(IMAGE):latest

deploy: push
	ssh deploy@$(SERVER) "docker pull $(IMAGE):$(VERSION) && \
		docker rm -f $(APP) || true && \
		docker run -d --name $(APP) --restart always -p 8080:8080 \
		-e DB_DSN='postgres://shortlink:«dbpw»@127.0.0.1:5432/shortlink?sslmode=disable' \
		$(IMAGE):$(VERSION)"

logs:
	ssh deploy@$(SERVER) docker logs -f --tail 100 $(APP)

clean:
	rm -rf bin/ coverage.out
''', user=r.choice(FIRST) + r.choice(LAST), ip=ip, regpw=P(rand_pw(r, sym="-_")), dbpw=P(url_pw(r)))


def d_init_sql(r):
    us = [E(email(r)) for _ in range(3)]
    return "db/init.sql", fill(r'''-- Initial schema for the helpdesk app
-- mysql -u root -p < db/init.sql

CREATE DATABASE IF NOT EXISTS helpdesk CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'helpdesk'@'localhost' IDENTIFIED BY '«apppw»';
CREATE USER IF NOT EXISTS 'helpdesk'@'%' IDENTIFIED BY '«apppw»';
CREATE USER IF NOT EXISTS 'reporting'@'10.0.%' IDENTIFIED BY '«reppw»';
GRANT ALL PRIVILEGES ON helpdesk.* TO 'helpdesk'@'localhost';
GRANT ALL PRIVILEGES ON helpdesk.* TO 'helpdesk'@'%';
GRANT SELECT ON helpdesk.* TO 'reporting'@'10.0.%';
FLUSH PRIVILEGES;

USE helpdesk;

CREATE TABLE agents (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(190) NOT NULL UNIQUE,
    password_hash CHAR(60) NOT NULL,
    is_admin TINYINT(1) DEFAULT 0,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE tickets (
    id INT AUTO_INCREMENT PRIMARY KEY,
    subject VARCHAR(255) NOT NULL,
    body TEXT,
    status ENUM('open', 'pending', 'closed') DEFAULT 'open',
    agent_id INT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (agent_id) REFERENCES agents(id)
);

-- seed agents (bcrypt hashes, cost 10)
INSERT INTO agents (name, email, password_hash, is_admin) VALUES
  ('«n0»', '«u0»', '«h0»', 1),
  ('«n1»', '«u1»', '«h1»', 0),
  ('«n2»', '«u2»', '«h2»', 0);

INSERT INTO tickets (subject, body) VALUES
  ('Printer on 2nd floor offline', 'Shows error 0x00000709 since monday'),
  ('VPN disconnects', 'Every ~10 min, client 4.10.07061');
''', apppw=P(pw(r, "!#%&*")), reppw=P(rand_pw(r, sym="#%*-_")), n0=r.choice(FIRST).title(),
        n1=r.choice(FIRST).title(), n2=r.choice(FIRST).title(), u0=us[0], u1=us[1], u2=us[2],
        h0=bcrypt(r).replace("$2b$12$", "$2y$10$"), h1=bcrypt(r).replace("$2b$12$", "$2y$10$"),
        h2=bcrypt(r).replace("$2b$12$", "$2y$10$"))


def d_lua_config(r):
    return "lua/config.lua", fill(r'''-- Server configuration for the Garry's Mod / Lua game server addon
-- Edit and restart the map to apply.

Config = Config or {}

Config.ServerName = "[EU] Chill RP | New Players Welcome"
Config.Debug = false
Config.RconPassword = "«rcon»"

-- MySQLOO connection for player data
Config.Database = {
    host = "«ip»",
    port = 3306,
    user = "gmod_rp",
    password = "«dbpw»",
    database = "gmod_rp",
}

-- Discord relay bot
Config.Discord = {
    enabled = true,
    botToken = "«discord»",
    channelId = "«chan»",
    webhook = "https://discord.com/api/webhooks/«whid»/«whtok»",
}

-- Steam web api for profile pictures
Config.SteamAPIKey = "«steam»"

Config.Admins = {
    ["STEAM_0:1:«sid1»"] = "superadmin",
    ["STEAM_0:0:«sid2»"] = "admin",
}

Config.StartingMoney = 5000
Config.Salary = { citizen = 45, police = 90, medic = 80 }

function Config.IsAdmin(steamid)
    return Config.Admins[steamid] ~= nil
end

return Config
''', ip=I(pub4(r)), dbpw=P(pw(r, "!#%&*")), rcon=P(human_pw(r, "!#%")), discord=K(discord_token(r)), chan=str(r.randint(10**17, 13 * 10**17)),
        whid=str(r.randint(10**17, 13 * 10**17)), whtok=K(mixed(r, B64U, 68)), steam=K(rs(r, HEXU, 32)),
        sid1=rs(r, DIG, 8), sid2=rs(r, DIG, 9))


def d_perl_mail(r):
    u = E(email(r, domain=company(r)))
    return "bin/mail_report.pl", fill(r'''#!/usr/bin/perl
use strict;
use warnings;
use Net::SMTP;
use MIME::Base64;
use POSIX qw(strftime);

my $smtp_host = 'mail.«udom»';
my $smtp_user = '«u»';
my $smtp_pass = '«p»';
my @to        = ('«t0»', '«t1»');

my $date = strftime('%Y-%m-%d', localtime);
my $log  = '/var/log/nightly_import.log';

open(my $fh, '<', $log) or die "cannot open $log: $!";
my @lines = grep { /ERROR|WARN/ } <$fh>;
close $fh;

my $body = @lines ? join('', @lines) : "No errors or warnings.\n";

my $smtp = Net::SMTP->new($smtp_host, Port => 587, Timeout => 30, Debug => 0)
    or die "cannot connect to $smtp_host";
$smtp->starttls() or die "STARTTLS failed";
$smtp->auth($smtp_user, $smtp_pass) or die "auth failed: " . $smtp->message;
$smtp->mail($smtp_user);
$smtp->to(@to);
$smtp->data();
$smtp->datasend("From: Import bot <$smtp_user>\n");
$smtp->datasend("To: " . join(', ', @to) . "\n");
$smtp->datasend("Subject: Nightly import report $date\n\n");
$smtp->datasend($body);
$smtp->dataend();
$smtp->quit;

print "report sent to @to\n";
''', udom=u.split("@")[1].rstrip("⟧"), u=u, p=P(pw(r, "!#%&*")), t0=E(work_email(r)), t1=E(email(r)))


def d_r_analysis(r):
    return "analysis/churn_model.R", fill(r'''# Churn model - monthly refresh
# Author: «author»

library(DBI)
library(RPostgres)
library(dplyr)
library(ggplot2)

con <- dbConnect(
  RPostgres::Postgres(),
  host = "«ip»",
  port = 5432,
  dbname = "analytics",
  user = "r_analyst",
  password = "«dbpw»"
)

Sys.setenv(MAPBOX_TOKEN = "«mapbox»")

customers <- dbGetQuery(con, "
  SELECT c.id, c.plan, c.signup_date, c.country,
         COUNT(o.id) AS orders, COALESCE(SUM(o.total), 0) AS revenue,
         MAX(o.created_at) AS last_order
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id
")

customers <- customers %>%
  mutate(days_since = as.numeric(Sys.Date() - as.Date(last_order)),
         churned = ifelse(is.na(days_since) | days_since > 90, 1, 0))

model <- glm(churned ~ plan + orders + revenue + country, data = customers, family = binomial)
summary(model)

customers$p_churn <- predict(model, type = "response")

ggplot(customers, aes(x = p_churn, fill = plan)) +
  geom_histogram(bins = 40, alpha = 0.7) +
  labs(title = "Predicted churn probability", x = "p(churn)", y = "customers")
ggsave("out/churn_hist.png", width = 8, height = 5)

dbWriteTable(con, "churn_scores", customers[, c("id", "p_churn")], overwrite = TRUE)
dbDisconnect(con)
''', author=f"{r.choice(FIRST).title()} {r.choice(LAST).title()}", ip=I(pub4(r)), dbpw=P(pw(r, "!#%&*")),
        mapbox=K("sk.eyJ1Ijoi" + mixed(r, B64U, 30) + "." + mixed(r, B64U, 22)))


def d_rust_main(r):
    return "src/main.rs", fill(r'''use anyhow::{Context, Result};
use reqwest::blocking::Client;
use serde::Deserialize;
use std::time::Duration;

const API_BASE: &str = "https://api.«dom»/v1";
const API_KEY: &str = "«apikey»";
const NAS_USER: &str = "backup";
const NAS_PASS: &str = "«naspw»";
const NAS_URL: &str = "http://«nas»:5005/webdav/backups";

#[derive(Debug, Deserialize)]
struct Job {
    id: u64,
    name: String,
    status: String,
}

fn fetch_jobs(client: &Client) -> Result<Vec<Job>> {
    let jobs = client
        .get(format!("{API_BASE}/jobs"))
        .header("X-API-Key", API_KEY)
        .send()
        .context("request failed")?
        .error_for_status()?
        .json::<Vec<Job>>()?;
    Ok(jobs)
}

fn upload_report(client: &Client, body: String) -> Result<()> {
    client
        .put(format!("{NAS_URL}/report.txt"))
        .basic_auth(NAS_USER, Some(NAS_PASS))
        .body(body)
        .send()?
        .error_for_status()?;
    Ok(())
}

fn main() -> Result<()> {
    let client = Client::builder().timeout(Duration::from_secs(20)).build()?;
    let jobs = fetch_jobs(&client)?;
    let failed: Vec<_> = jobs.iter().filter(|j| j.status == "failed").collect();
    let mut report = format!("{} jobs, {} failed\n", jobs.len(), failed.len());
    for j in &failed {
        report.push_str(&format!("  #{} {}\n", j.id, j.name));
    }
    print!("{report}");
    upload_report(&client, report)?;
    Ok(())
}
''', dom=company(r), apikey=K(mixed(r, ALNUM, 40)), naspw=P(pw(r, "!#%&*")), nas=I(pub4(r)))


def d_hocon(r):
    ip = I(pub4(r))
    return "src/main/resources/application.conf", fill(r'''akka {
  loglevel = "INFO"
  actor {
    provider = "cluster"
    serialization-bindings {
      "com.ledger.CborSerializable" = jackson-cbor
    }
  }
  remote.artery {
    canonical.hostname = "«ip»"
    canonical.port = 25520
    bind.hostname = "0.0.0.0"
  }
  cluster {
    seed-nodes = [
      "akka://ledger@«ip»:25520"
    ]
    downing-provider-class = "akka.cluster.sbr.SplitBrainResolverProvider"
  }
}

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://db.ledger.internal:5432/ledger"
    user = "ledger"
    password = "«dbpw»"
    numThreads = 10
  }
}

ledger {
  http.port = 8080
  http.port = ${?HTTP_PORT}
  admin-password = "«adminpw»"
  admin-password = ${?LEDGER_ADMIN_PASSWORD}
  snapshot-every = 100
}
''', ip=ip, dbpw=P(pw(r, "!#%&*")), adminpw=P(rand_pw(r, sym="!#%*")))


def d_swift_constants(r):
    return "WeatherNow/Support/Constants.swift", fill(r'''//
//  Constants.swift
//  WeatherNow
//
//  Created by «author» on 12/03/2023.
//

import Foundation

enum Constants {
    enum API {
        static let baseURL = URL(string: "https://api.openweathermap.org/data/3.0")!
        static let apiKey = "«owm»"
        static let iconURL = "https://openweathermap.org/img/wn/%@@2x.png"
    }

    enum Backend {
        // self hosted sync server
        static let host = "«ip»"
        static let port = 8443
        static let clientSecret = "«cs»"
    }

    enum Defaults {
        static let city = "Amsterdam"
        static let units = "metric"
        static let refreshInterval: TimeInterval = 15 * 60
    }

    enum Support {
        static let email = "«support»"
        static let appStoreID = "«appid»"
    }
}
''', author=f"{r.choice(FIRST).title()} {r.choice(LAST).title()}", owm=K(hexs(r, 32)), ip=I(pub4(r)),
        cs=K(mixed(r, ALNUM, 48)), support=E(email(r, domain=company(r))), appid=rs(r, DIG, 10))


def d_dart_constants(r):
    return "lib/core/constants.dart", fill(r'''// ignore_for_file: constant_identifier_names

class AppConstants {
  AppConstants._();

  static const String appName = 'Recipe Finder';
  static const String spoonacularBase = 'https://api.spoonacular.com';
  static const String spoonacularApiKey = '«spoon»';

  static const String firebaseWebApiKey = '«gk»';

  // demo account used by the integration tests and the store reviewers
  static const String demoEmail = '«demo»';
  static const String demoPassword = '«demopw»';

  static const Duration requestTimeout = Duration(seconds: 12);
  static const int pageSize = 20;

  static const Map<String, String> cuisines = {
    'italian': 'Italian',
    'mexican': 'Mexican',
    'japanese': 'Japanese',
    'indian': 'Indian',
  };
}

class Routes {
  static const home = '/';
  static const login = '/login';
  static const resetPassword = '/reset-password';
  static const details = '/recipe/:id';
}
''', spoon=K(hexs(r, 32)), gk=K(google_key(r)), demo=E(email(r, domain="gmail.com")), demopw=P(pw(r, "!#%&*")))


def d_ansible_playbook(r):
    return "playbooks/mariadb.yml", fill(r'''---
- name: Install and secure MariaDB
  hosts: dbservers
  become: true
  vars:
    mysql_root_password: "«rootpw»"
    app_db: nextcloud
    app_user: nextcloud
    app_password: "«apppw»"
    replication_password: "{{ vault_replication_password }}"

  tasks:
    - name: Install packages
      ansible.builtin.apt:
        name: [mariadb-server, python3-pymysql]
        state: present
        update_cache: true

    - name: Start mariadb
      ansible.builtin.service:
        name: mariadb
        state: started
        enabled: true

    - name: Set root password
      community.mysql.mysql_user:
        name: root
        host_all: true
        password: "{{ mysql_root_password }}"
        login_unix_socket: /run/mysqld/mysqld.sock

    - name: Remove anonymous users
      community.mysql.mysql_user:
        name: ""
        host_all: true
        state: absent
        login_user: root
        login_password: "{{ mysql_root_password }}"

    - name: Create app database
      community.mysql.mysql_db:
        name: "{{ app_db }}"
        state: present
        login_user: root
        login_password: "{{ mysql_root_password }}"

    - name: Create app user
      community.mysql.mysql_user:
        name: "{{ app_user }}"
        password: "{{ app_password }}"
        priv: "{{ app_db }}.*:ALL"
        host: "10.0.0.%"
        state: present
        login_user: root
        login_password: "{{ mysql_root_password }}"
''', rootpw=P(pw(r, "!#%&*")), apppw=P(rand_pw(r, 20, sym="")))


def d_eml_fixture(r):
    fname, frm = person(r)
    frm, to, cc = E(frm), E(work_email(r)), E(work_email(r))
    relay, origin = I(pub4(r)), I(pub4(r))
    return "tests/fixtures/mail/invoice_reply.eml", fill(r'''Return-Path: <«frm»>
Delivered-To: «to»
Received: from mail-relay.«dom» (mail-relay.«dom» [«relay»])
	by mx.«todom» (Postfix) with ESMTPS id 4T8k2L0Q1Zz9rwC
	for <«to»>; Tue, 16 Jan 2024 09:14:27 +0100 (CET)
Received: from [«lan»] (unknown [«origin»])
	by mail-relay.«dom» (Postfix) with ESMTPSA id 9A1B2C3D4E;
	Tue, 16 Jan 2024 08:14:25 +0000 (UTC)
From: «fname» <«frm»>
To: Accounts <«to»>
Cc: «cc»
Subject: Re: Invoice INV-2024-0031
Date: Tue, 16 Jan 2024 08:14:20 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hi,

thanks for the invoice. Our PO number is 4500021877, could you add it and resend?
Payment terms are 30 days as agreed.

Best regards,
«fname»

-- 
«fname» | Procurement | +44 20 7946 0«ext»
''', frm=frm, to=to, dom=company(r), todom=company(r), relay=relay, lan=priv4(r), origin=origin,
        fname=fname, cc=cc, ext=rs(r, DIG, 3))


def d_auth_log(r):
    atk = [I(pub4(r)) for _ in range(4)]
    v6 = I(pub6(r))
    priv = priv4(r)
    return "logs/auth.log", fill(r'''Mar  3 02:11:45 web01 sshd[21877]: Invalid user oracle from «a0» port 51234
Mar  3 02:11:47 web01 sshd[21877]: Failed password for invalid user oracle from «a0» port 51234 ssh2
Mar  3 02:13:02 web01 sshd[21901]: Failed password for root from «a1» port 40022 ssh2
Mar  3 02:20:33 web01 sshd[22010]: Accepted publickey for deploy from «priv» port 55012 ssh2: ED25519 SHA256:«fp»
Mar  3 02:20:33 web01 sshd[22010]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)
Mar  3 02:44:50 web01 sshd[22301]: Did not receive identification string from «a3» port 61002
Mar  3 02:52:09 web01 sshd[22388]: Failed password for invalid user git from «v6» port 47712 ssh2
Mar  3 03:00:01 web01 CRON[22410]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Mar  3 03:00:01 web01 CRON[22410]: pam_unix(cron:session): session closed for user root
Mar  3 03:05:12 web01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx
Mar  3 03:05:40 web01 sshd[22010]: pam_unix(sshd:session): session closed for user deploy
Mar  3 03:10:27 web01 sshd[22501]: Connection from 127.0.0.1 port 39990 on 127.0.0.1 port 22 rdomain ""
Mar  3 03:17:44 web01 fail2ban.actions[811]: NOTICE [sshd] Ban «a1»
Mar  3 04:01:55 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=«a2» DST=«self» PROTO=TCP SPT=44111 DPT=23
Mar  3 04:02:10 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=«lan» DST=224.0.0.251 PROTO=UDP SPT=5353 DPT=5353
Mar  3 04:05:31 web01 systemd[1]: Starting Daily apt upgrade and clean activities...
Mar  3 04:05:44 web01 systemd[1]: apt-daily-upgrade.service: Deactivated successfully.
''', a0=atk[0], a1=atk[1], a2=atk[2], a3=atk[3], v6=v6, priv=priv, fp=mixed(r, B64, 43),
        self=I(pub4(r)), lan=priv4(r))


def d_netrc(r):
    return "dotfiles/.netrc", fill(r'''# ~/.netrc  (chmod 600!)
# used by curl -n, git over https, heroku cli and ftp

machine api.heroku.com
  login «herouser»
  password «heroku»
machine git.heroku.com
  login «herouser»
  password «heroku»

machine github.com
  login «ghuser»
  password «ghtok»

machine ftp.«dom»
  login uploads
  password «ftppw»

machine «nas»
  login admin
  password «naspw»

machine urs.earthdata.nasa.gov login «ghuser» password «nasapw»

default login anonymous password «anon»
''', herouser=E(email(r)), heroku=K("HRKU-AA" + mixed(r, B64U, 58)), ghuser=r.choice(FIRST) + r.choice(LAST),
        ghtok=K(gh_token(r, "gho_")), dom=company(r), ftppw=P(pw(r, "!#%&*")), nas=I(pub4(r)), naspw=P(rand_pw(r, sym="")),
        nasapw=P(human_pw(r, "!#%")), anon=E(email(r)))


def d_pypirc(r):
    return "dotfiles/.pypirc", fill(r'''[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
repository = https://upload.pypi.org/legacy/
username = __token__
password = «pypi»

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = «testpypi»

[private]
repository = http://«ip»:8080/simple/
username = «user»
password = «privpw»

# twine upload -r private dist/*
# old account-based login, disabled since 2FA:
# username = «user»
# password = ***********
''', pypi=K(pypi_token(r)), testpypi=K("pypi-AgENdGVzdC5weXBpLm9yZw" + mixed(r, B64U, 150)), ip=I(pub4(r)),
        user=r.choice(FIRST) + r.choice(LAST), privpw=P(pw(r, "!#%&*")))


def d_wrangler_toml(r):
    return "wrangler.toml", fill(r'''name = "link-preview-worker"
main = "src/index.ts"
compatibility_date = "2024-01-15"
workers_dev = true
account_id = "«acct»"

[vars]
ALLOWED_ORIGINS = "https://«dom»,http://localhost:5173"
CACHE_TTL = "86400"
# TODO: use `wrangler secret put` for these
BROWSERLESS_TOKEN = "«bl»"
UPSTASH_REDIS_REST_URL = "https://eu1-«upname».upstash.io"
UPSTASH_REDIS_REST_TOKEN = "«upstash»"
OPENAI_API_KEY = "«oa»"
ADMIN_PASSWORD = "«adminpw»"

[[kv_namespaces]]
binding = "PREVIEWS"
id = "«kv»"

[[r2_buckets]]
binding = "IMAGES"
bucket_name = "link-previews"

[env.staging]
name = "link-preview-worker-staging"
vars = { ALLOWED_ORIGINS = "*", CACHE_TTL = "60" }

[triggers]
crons = ["0 */6 * * *"]
''', acct=hexs(r, 32), dom=company(r), bl=K(uuid4(r).replace("-", "") + hexs(r, 8)),
        upname=r.choice(["quiet", "brave", "living", "sharp"]) + "-" + r.choice(["otter", "fox", "mole"]) + "-" + rs(r, DIG, 5),
        upstash=K("A" + mixed(r, B64U, 59) + "="), oa=K(openai_key(r)), adminpw=P(pw(r, "!#%&*")), kv=hexs(r, 32))



# ---- hard negatives only ------------------------------------------------------------------


def d_neg_package_lock(r):
    def ent(name, ver):
        return (f'    "node_modules/{name}": {{\n'
                f'      "version": "{ver}",\n'
                f'      "resolved": "https://registry.npmjs.org/{name}/-/{name.split("/")[-1]}-{ver}.tgz",\n'
                f'      "integrity": "sha512-{rs(r, B64, 86)}==",\n'
                f'      "dev": true\n'
                f'    }}')
    pkgs = [("@babel/core", "7.23.7"), ("@types/node", "20.10.6"), ("lodash", "4.17.21"),
            ("esbuild", "0.19.11"), ("picocolors", "1.0.0"), ("semver", "7.5.4"), ("nanoid", "3.3.7")]
    body = ",\n".join(ent(n, v) for n, v in pkgs)
    return "package-lock.json", '''{
  "name": "vite-plugin-svgsprite",
  "version": "1.2.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "vite-plugin-svgsprite",
      "version": "1.2.0",
      "license": "MIT",
      "dependencies": {
        "svgo": "^3.2.0"
      },
      "devDependencies": {
        "@babel/core": "^7.23.7",
        "@types/node": "^20.10.6",
        "esbuild": "^0.19.11",
        "lodash": "^4.17.21"
      }
    },
''' + body + '''
  }
}
'''


def d_neg_netplan(r):
    return "/etc/netplan/01-netcfg.yaml".lstrip("/"), fill(r'''# This file is generated from information provided by the datasource. Changes
# to it will not persist across an instance reboot.
# network: {config: disabled}
network:
  version: 2
  renderer: networkd
  ethernets:
    eno1:
      dhcp4: false
      addresses:
        - «a»/24
        - 2001:db8:«h»::10/64
      routes:
        - to: default
          via: «gw»
      nameservers:
        search: [lan, home.arpa]
        addresses: [127.0.0.53, 1.1.1.1, 8.8.8.8, 2606:4700:4700::1111]
    eno2:
      dhcp4: true
      dhcp4-overrides:
        use-dns: false
    enp3s0:
      addresses: [169.254.10.2/16]
  vlans:
    vlan20:
      id: 20
      link: eno1
      addresses: [10.20.0.1/24]
  bridges:
    br0:
      interfaces: [enp3s0]
      addresses: [100.72.«c».1/24]
      parameters:
        stp: false
# broadcast 192.168.50.255, netmask 255.255.255.0
# multicast test group 239.255.0.1, ssdp 239.255.255.250
# test box in docs: 198.51.100.23 / 203.0.113.77
''', a="192.168.50." + str(r.randint(2, 250)), h=hexs(r, 4), gw="192.168.50.1", c=r.randint(0, 255))


def d_neg_reset_views(r):
    return "accounts/views.py", fill(r'''import getpass
import os

from argon2 import PasswordHasher
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import reverse

from .forms import PasswordResetForm, SetPasswordForm
from .tokens import make_reset_token, check_reset_token

User = get_user_model()
ph = PasswordHasher()

SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
DB_PASSWORD = os.getenv("DB_PASSWORD", "")
ADMIN_PASSWORD = None
REDIS_PASSWORD = settings.REDIS["password"]
PASSWORD_PLACEHOLDER = "********"
RESET_PASSWORD_URL = "accounts:reset_password_confirm"
PASSWORD_LABEL = "Password"
PASSWORD_MIN_LENGTH = 12

# argon2 hash of the break-glass password, verified at login:
BREAK_GLASS_HASH = "$argon2id$v=19$m=65536,t=3,p=4$«salt»$«hash»"


def reset_password_request(request):
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if user:
            token = make_reset_token(user)
            url = request.build_absolute_uri(reverse(RESET_PASSWORD_URL, args=[user.pk, token]))
            user.email_user("Reset your password", f"Follow this link: {url}")
        messages.info(request, "If the address exists, a reset link was sent.")
        return redirect("accounts:login")
    return render(request, "accounts/reset_request.html", {"form": form, "password_label": PASSWORD_LABEL})


def reset_password_confirm(request, uid, token):
    user = User.objects.get(pk=uid)
    if not check_reset_token(user, token):
        messages.error(request, "The reset link is invalid or has expired.")
        return redirect("accounts:reset_password_request")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_password = form.cleaned_data["new_password1"]
        user.set_password(new_password)
        user.save()
        return redirect("accounts:login")
    return render(request, "accounts/reset_confirm.html", {"form": form})


def create_superuser_cli():
    email = input("email: ")
    password = getpass.getpass("password: ")
    confirm = getpass.getpass("password (again): ")
    if password != confirm:
        raise SystemExit("passwords do not match")
    User.objects.create_superuser(email=email, password=password)
''', salt=mixed(r, B64, 22), hash=mixed(r, B64, 43))


def d_neg_env_example(r):
    return ".env.example", r'''# Copy this file to .env and fill in the values.
# Never commit the real .env!

APP_ENV=local
APP_URL=http://localhost:3000

# Database
DB_HOST=127.0.0.1
DB_PORT=5432
DB_NAME=myapp
DB_USER=myapp
DB_PASSWORD=<your-db-password>

# Auth
JWT_SECRET=change-me-to-a-long-random-string
SESSION_SECRET=${SESSION_SECRET}

# AWS (the values below are the placeholders from the AWS docs)
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_KMS_KEY_ARN=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab

# Stripe (publishable key is safe to expose)
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_PUBLISHABLE_KEY=pk_test_TYooMQauvdEDq54NiTphI7jx

# Mail
MAIL_FROM=no-reply@example.com
MAIL_PASSWORD=
SENDGRID_API_KEY=SG.your-key-here

# OpenAI
OPENAI_API_KEY=sk-...your-key...
# GitHub
GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX

# Google reCAPTCHA v2 test keys (always pass)
RECAPTCHA_SITE_KEY=6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI

# Sentry
SENTRY_DSN=https://<key>@o0.ingest.sentry.io/<project>
'''


def d_neg_snmp(r):
    return "monitoring/snmp_poll.py", fill(r'''"""Poll a few SNMP counters from the lab switches and print them.

Tested with net-snmp 5.9.3 and pysnmp 4.4.12 on firmware 8.10.2.4 / 15.2.7.3.
"""
from pysnmp.hlapi import (CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine,
                          UdpTransportTarget, getCmd)

OIDS = {
    "sysDescr": "1.3.6.1.2.1.1.1.0",
    "sysUpTime": "1.3.6.1.2.1.1.3.0",
    "ifInOctets.1": "1.3.6.1.2.1.2.2.1.10.1",
    "ifOutOctets.1": "1.3.6.1.2.1.2.2.1.16.1",
    "ciscoCpu5min": "1.3.6.1.4.1.9.9.109.1.1.1.1.8.1",
}

SWITCHES = {
    "core-sw1": "«s1»",
    "core-sw2": "«s2»",
    "lab-sw": "172.20.«c».2",
    "cgnat-edge": "100.64.«c».1",
    "docs-example": "192.0.2.44",
}

COMMUNITY = "public"
MIN_FIRMWARE = (8, 10, 2, 4)


def parse_version(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split("."))


def poll(host: str) -> dict[str, str]:
    out = {}
    for name, oid in OIDS.items():
        err_ind, err_stat, err_idx, binds = next(getCmd(
            SnmpEngine(), CommunityData(COMMUNITY), UdpTransportTarget((host, 161), timeout=2, retries=1),
            ContextData(), ObjectType(ObjectIdentity(oid))))
        if err_ind or err_stat:
            out[name] = f"error: {err_ind or err_stat.prettyPrint()}"
        else:
            out[name] = str(binds[0][1])
    return out


if __name__ == "__main__":
    assert parse_version("10.0.19045.3693") > MIN_FIRMWARE
    for sw, ip in SWITCHES.items():
        print(sw, ip)
        for k, v in poll(ip).items():
            print(f"  {k:15} {v}")
''', s1=priv4(r), s2=priv4(r), c=r.randint(0, 255))


def d_neg_java_auth(r):
    return "src/main/java/com/acme/portal/web/AuthController.java", fill(r'''package com.acme.portal.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/auth")
public class AuthController {

    @Value("${app.jwt.secret}")
    private String jwtSecret;

    @Value("${spring.mail.password:}")
    private String mailPassword;

    private static final String RESET_PASSWORD_PATH = "/reset-password";
    private static final String PASSWORD_MASK = "••••••••";
    private static final String DEFAULT_ADMIN_HASH = "«bc»";

    private final UserService users;
    private final PasswordEncoder encoder;

    public AuthController(UserService users, PasswordEncoder encoder) {
        this.users = users;
        this.encoder = encoder;
    }

    public record LoginRequest(@Email @NotBlank String email, @NotBlank @Size(min = 8) String password) {}

    @PostMapping("/login")
    public ResponseEntity<TokenResponse> login(@Valid @RequestBody LoginRequest req) {
        return ResponseEntity.ok(users.login(req.email(), req.password()));
    }

    @PostMapping("/forgot-password")
    public ResponseEntity<Void> forgot(@RequestParam("email") @Email String email) {
        users.sendResetMail(email, RESET_PASSWORD_PATH);
        return ResponseEntity.accepted().build();
    }

    @Override
    public String toString() {
        return "AuthController{mailPassword=" + PASSWORD_MASK + "}";
    }
}
''', bc=bcrypt(r).replace("$2b$", "$2a$"))



_DOCS = [
    d_flask_config,
    d_scrapy_settings,
    d_telegram_gpt_bot,
    d_send_report,
    d_django_settings,
    d_pytest_auth,
    d_boto_sync,
    d_slack_notify,
    d_github_sync,
    d_llm_router,
    d_stripe_views,
    d_notebook_openai,
    d_notebook_weather,
    d_mongoose_db,
    d_nodemailer,
    d_angular_env,
    d_discord_bot,
    d_typeorm,
    d_js_fixtures,
    d_package_json,
    d_npmrc,
    d_axios_client,
    d_cypress_env,
    d_twilio_sms,
    d_java_dbconfig,
    d_spring_properties,
    d_kotlin_api,
    d_gradle_kts,
    d_maven_settings,
    d_junit_users,
    d_esp_weather,
    d_firmware_c,
    d_curl_uploader,
    d_secrets_h,
    d_go_main,
    d_go_defaults,
    d_go_telegram,
    d_appsettings,
    d_cs_email,
    d_web_config,
    d_blob_service,
    d_php_config,
    d_wp_config,
    d_laravel_env,
    d_square_php,
    d_rails_database_yml,
    d_rspec_factory,
    d_deploy_sh,
    d_mysql_backup,
    d_iptables,
    d_docker_push,
    d_zshrc,
    d_install_heredoc,
    d_docker_compose,
    d_gh_workflow,
    d_gitlab_ci,
    d_k8s_secret,
    d_ansible_vars,
    d_spring_yml,
    d_reddit_bot_json,
    d_service_account,
    d_alertmanager,
    d_readme_setup,
    d_authors,
    d_qa_snippet,
    d_deploy_md,
    d_student_notes,
    d_dockerfile,
    d_terraform_main,
    d_tfvars,
    d_config_ini,
    d_node_env,
    d_nginx_conf,
    d_makefile,
    d_init_sql,
    d_lua_config,
    d_perl_mail,
    d_r_analysis,
    d_rust_main,
    d_hocon,
    d_swift_constants,
    d_dart_constants,
    d_ansible_playbook,
    d_eml_fixture,
    d_auth_log,
    d_netrc,
    d_pypirc,
    d_wrangler_toml,
    d_neg_package_lock,
    d_neg_netplan,
    d_neg_reset_views,
    d_neg_env_example,
    d_neg_snmp,
    d_neg_java_auth,
]


def testset14_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset14:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t14-{i:02d}/{path}", marked))
    return docs


# --------------------------------------------------------------------------------------------
# self-validation
# --------------------------------------------------------------------------------------------

_RESERVED_EMAIL = re.compile(r"(^|\.)(example\.(com|net|org)|[^.]+\.(example|test|invalid|localhost|local))$", re.I)


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset14_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left"
        assert "«" not in d.text and "»" not in d.text, f"{d.name}: placeholder left"
        prev_end = -1
        for kind, s, e in sorted(d.spans, key=lambda t: t[1]):
            v = d.text[s:e]
            assert 0 <= s < e <= len(d.text), f"{d.name}: span out of range"
            assert v == v.strip(), f"{d.name}: whitespace around {v!r}"
            assert s >= prev_end, f"{d.name}: overlapping spans at {s}"
            prev_end = e
            if kind == "ip_address":
                assert is_public(v), f"{d.name}: non-public ip {v}"
            if kind == "email":
                assert "@" in v, f"{d.name}: bad email {v}"
                dom = v.rsplit("@", 1)[1]
                assert not _RESERVED_EMAIL.search(dom), f"{d.name}: reserved domain {v}"
            # every repeat of the value in the document must be labelled too
            pos = d.text.find(v)
            while pos != -1:
                assert any(ss <= pos and pos + len(v) <= ee for _, ss, ee in d.spans), \
                    f"{d.name}: unlabelled repeat of {kind} {v!r} at {pos}"
                pos = d.text.find(v, pos + 1)
    return docs


if __name__ == "__main__":
    from collections import Counter

    docs = _check()
    counts = Counter(k for d in docs for k, _, _ in d.spans)
    for d in docs:
        c = Counter(k for k, _, _ in d.spans)
        print(f"{d.name:70} lines={d.text.count(chr(10)) + 1:4d} " + " ".join(f"{k}={c[k]}" for k in sorted(c)))
    print(f"documents: {len(docs)}  spans: {sum(counts.values())}  "
          + "  ".join(f"{k}={counts[k]}" for k in ("email", "ip_address", "key", "password")))
    print("negative-only documents:", sum(1 for d in docs if not d.spans))
