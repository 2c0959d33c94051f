r"""Blind labelled test set 11 for the PII/secret scrubber.

About 90 documents, each imitating one file drawn from a crawl of permissively licensed GitHub
repositories (The Stack) that holds at least one secret or a realistic hard negative: ordinary
code, configs, CI files, notebooks, READMEs, logs and mail headers in many languages, with
credentials hard-coded where a developer would really put them, plus look-alikes that must not
be flagged.  A handful of documents hold hard negatives only.  Written without looking at the
scrubber or at the other labelled sets.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records the spans.  Every secret value (and most negatives) is drawn from a ``random.Random``
seeded from ``SEED`` and the document's name, so the set is deterministic.

Labelling policy (the scrubber's authors follow this same policy; label exactly by it):

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
from collections import Counter
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1111

# --------------------------------------------------------------------------------------------
# value generators
# --------------------------------------------------------------------------------------------

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
SYM_SAFE = "!*-_.+^"
SYM_ANY = "!@#$%^&*()-_=+.?~"

_SLOT = re.compile(r"«(\w+)»")


def _t(tpl: str, **kw) -> str:
    """Fill ``«name»`` slots (plain text, so braces in code need no escaping)."""
    return _SLOT.sub(lambda m: str(kw[m.group(1)]), tpl)


def _s(r: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _hex(r, n):
    return _s(r, n, HEX)


def _digits(r, n):
    return str(r.randint(1, 9)) + _s(r, n - 1, DIG)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _rbytes(r, n):
    return bytes(r.getrandbits(8) for _ in range(n))


# ---- people / mailboxes --------------------------------------------------------------------

FIRST = ["james", "maria", "wei", "olga", "ahmed", "lucas", "sofia", "kenji", "priya", "tomasz",
         "emma", "diego", "fatima", "noah", "yuki", "andrei", "chloe", "mateo", "hana", "oliver",
         "leila", "marco", "ingrid", "raj", "nadia", "pablo", "erik", "amara", "jonas", "mei",
         "samuel", "zeynep", "victor", "laura", "felix", "anya", "omar", "greta", "ivan", "julia"]
LAST = ["smith", "garcia", "chen", "ivanova", "hassan", "silva", "rossi", "tanaka", "patel",
        "nowak", "johnson", "fernandez", "khan", "muller", "sato", "popescu", "dubois", "lopez",
        "kim", "walker", "haddad", "bianchi", "larsen", "sharma", "petrova", "moreno", "berg",
        "okafor", "schmidt", "wong", "cohen", "yilmaz", "novak", "martin", "fischer", "kowalski",
        "orlov", "nguyen", "andersson", "costa"]
FREEMAIL = ["gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "yahoo.com",
            "protonmail.com", "icloud.com", "gmx.de", "web.de", "yandex.ru", "mail.ru", "qq.com",
            "163.com", "naver.com", "orange.fr", "libero.it", "hotmail.co.uk", "yahoo.co.jp",
            "proton.me", "fastmail.com", "seznam.cz", "wp.pl", "uol.com.br"]
ORGDOM = ["brightlane.io", "kestrel-labs.com", "northwind-tech.co.uk", "quillsoft.dev",
          "tidewater.systems", "bluecanyon.app", "orbitfleet.com", "larchmont.ai",
          "saltmarsh.net", "copperleaf.org", "nimbuscart.shop", "fernhill-studio.de",
          "vantapoint.co", "hollowbrook.tech", "pinegrove.edu", "redquarry.com.au",
          "driftwood.agency", "cs.uni-lindenau.de", "eng.mapleridge.ca", "mail.kavosh.ir"]


def _person(r):
    return r.choice(FIRST), r.choice(LAST)


def _email(r, domain=None, first=None, last=None, style=None):
    f, l = first or r.choice(FIRST), last or r.choice(LAST)
    domain = domain or r.choice(FREEMAIL + ORGDOM)
    style = style if style is not None else r.randrange(7)
    local = [f"{f}.{l}", f"{f[0]}{l}", f"{f}{l}{r.randint(1, 99)}", f"{f}_{l}",
             f"{f}", f"{l}.{f[0]}", f"{f}{r.randint(1970, 2005)}"][style % 7]
    return f"{local}@{domain}"


def _handle(r):
    f, l = _person(r)
    return r.choice([f"{f}{l}", f"{f}-{l}", f"{f[0]}{l}{r.randint(1, 99)}", f"{l}{f[:2]}"])


# ---- passwords -----------------------------------------------------------------------------

WORDS = ["sunflower", "dragon", "falcon", "tiger", "rocket", "panther", "winter", "summer",
         "autumn", "coffee", "pizza", "guitar", "ninja", "shadow", "phoenix", "galaxy", "thunder",
         "ocean", "maple", "cobalt", "purple", "kitty", "silver", "golden", "jupiter", "bandit",
         "viking", "tango", "raptor", "mustang", "cheetah", "boston", "berlin", "madrid", "lisbon",
         "pumpkin", "snowball", "biscuit", "marley", "charlie", "buster", "mango", "banana",
         "orion", "zelda", "pikachu", "gandalf", "hunter", "soccer", "hockey", "yankees",
         "liverpool", "barcelona", "cricket", "dolphin", "penguin", "sparrow", "willow"]
LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})


def _pw_h(r, syms="!*.-_"):
    """A human-made password: words with digits and a symbol."""
    w = r.choice(WORDS)
    w2 = r.choice(WORDS)
    sym = r.choice(syms) if syms else ""
    year = str(r.randint(1975, 2025))
    n = str(r.randint(1, 999))
    p = r.randrange(9)
    if p == 0:
        out = f"{w.capitalize()}{year}{sym}"
    elif p == 1:
        out = f"{w.translate(LEET).capitalize()}{sym}{n}"
    elif p == 2:
        out = f"{w}{n}{w2[:3]}"
    elif p == 3:
        out = f"{w.capitalize()}{sym}{w2.capitalize()}{r.randint(1, 99)}"
    elif p == 4:
        out = f"{r.choice(FIRST).capitalize()}{sym}{year}"
    elif p == 5:
        out = f"{w}{w2}{n}"
    elif p == 6:
        out = f"{w[:4].capitalize()}{n}{sym}{w2[:4]}"
    elif p == 7:
        out = f"{w.translate(LEET)}{year[2:]}{sym}"
    else:
        out = f"{w.upper()[:5]}{sym}{n}{w2}"
    if not any(c.isdigit() for c in out):
        out += str(r.randint(10, 99))
    return out


def _pw_r(r, n=None, syms=SYM_SAFE):
    """A random password somebody generated (first char always a letter)."""
    n = n or r.randint(10, 18)
    alpha = ALNUM * 3 + syms
    while True:
        out = r.choice(string.ascii_letters) + _s(r, n - 1, alpha)
        if any(c.isdigit() for c in out) and any(c.isupper() for c in out):
            return out


def _pw(r, syms="!*.-_"):
    return _pw_h(r, syms) if r.random() < 0.6 else _pw_r(r, syms=syms or "_")


# ---- IP addresses --------------------------------------------------------------------------

RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
             "208.67.222.222", "208.67.220.220", "4.2.2.1", "4.2.2.2", "64.6.64.6", "64.6.65.6",
             "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
             "2606:4700:4700::1001", "2620:fe::fe", "2620:fe::9"}
_V4_FIRST = [3, 5, 13, 18, 23, 31, 34, 35, 37, 45, 46, 51, 52, 54, 62, 64, 66, 68, 77, 78, 80,
             81, 82, 85, 87, 88, 89, 91, 94, 95, 103, 104, 107, 109, 116, 128, 134, 135, 136, 137,
             138, 139, 141, 142, 143, 144, 146, 147, 152, 157, 159, 161, 162, 164, 165, 167, 168,
             170, 172, 173, 176, 178, 185, 188, 193, 194, 195, 198, 199, 203, 206, 207, 209, 212,
             213, 217]
_V6_PREFIX = ["2a01:4f8", "2a03:b0c0", "2600:3c00", "2604:a880", "2a05:d014", "2001:41d0",
              "2600:1f18", "2406:da18", "2a02:c207", "2607:f8b0", "2a00:1450", "2400:6180"]


def _is_public(s: str) -> bool:
    ip = ipaddress.ip_address(s)
    return (ip.is_global and not ip.is_multicast and not ip.is_reserved
            and not ip.is_loopback and not ip.is_link_local and str(ip) not in RESOLVERS
            and not (ip.version == 4 and ip.packed[3] in (0, 255)))


def _ip4(r):
    while True:
        s = f"{r.choice(_V4_FIRST)}.{r.randint(1, 254)}.{r.randint(0, 255)}.{r.randint(2, 253)}"
        if _is_public(s):
            return s


def _ip6(r):
    while True:
        p = r.choice(_V6_PREFIX)
        groups = [format(r.randint(0, 0xFFFF), "x") for _ in range(r.choice([2, 3, 6]))]
        if len(groups) == 6:
            s = p + ":" + ":".join(groups)
        else:
            s = p + ":" + ":".join(groups) + "::" + format(r.randint(1, 0xFF), "x")
        s = str(ipaddress.ip_address(s))
        if _is_public(s):
            return s


def _priv4(r):
    return r.choice([f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
                     f"192.168.{r.randint(0, 9)}.{r.randint(2, 250)}",
                     f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}"])


# ---- keys / tokens -------------------------------------------------------------------------

def aws_id(r):
    return "AKIA" + _s(r, 16, UP + "234567")


def aws_secret(r):
    while True:
        v = _s(r, 40, B64)
        if "EXAMPLE" not in v:
            return v


def ghp(r, prefix="ghp_"):
    return prefix + _s(r, 36)


def gh_pat(r):
    return "github_pat_11" + _s(r, 20, UP + DIG) + "_" + _s(r, 59)


def glpat(r):
    return "glpat-" + _s(r, 20, URLSAFE)


def xoxb(r):
    return f"xoxb-{_digits(r, 12)}-{_digits(r, 13)}-{_s(r, 24)}"


def xoxp(r):
    return f"xoxp-{_digits(r, 12)}-{_digits(r, 12)}-{_digits(r, 13)}-{_hex(r, 32)}"


def slack_hook(r):
    return f"T{_s(r, 8, UP + DIG)}/B{_s(r, 10, UP + DIG)}/{_s(r, 24)}"


def stripe_sk(r, prefix="sk_live_"):
    return prefix + ("51" + _s(r, 97) if r.random() < 0.5 else _s(r, 24))


def sendgrid(r):
    return "SG." + _s(r, 22, URLSAFE) + "." + _s(r, 43, URLSAFE)


def twilio_sk(r):
    return "SK" + _hex(r, 32)


def mailgun(r):
    return "key-" + _hex(r, 32) if r.random() < 0.5 else f"{_hex(r, 32)}-{_hex(r, 8)}-{_hex(r, 8)}"


def npm_tok(r):
    return "npm_" + _s(r, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmcCJ" + _s(r, 150, URLSAFE)


def openai_key(r):
    if r.random() < 0.5:
        return "sk-" + _s(r, 20) + "T3BlbkFJ" + _s(r, 20)
    return "sk-proj-" + _s(r, 74, URLSAFE) + "T3BlbkFJ" + _s(r, 74, URLSAFE)


def anthropic_key(r):
    return "sk-ant-api03-" + _s(r, 93, URLSAFE) + "AA"


def hf_tok(r):
    return "hf_" + _s(r, 34, string.ascii_letters)


def gkey(r):
    return "AIzaSy" + _s(r, 33, URLSAFE)


def discord_tok(r):
    uid = str(r.randint(10**17, 13 * 10**17))
    return _b64url(uid.encode()) + "." + _s(r, 6, URLSAFE) + "." + _s(r, 38, URLSAFE)


def telegram_tok(r):
    return f"{r.randint(1000000000, 7999999999)}:AA{_s(r, 33, URLSAFE)}"


def jwt(r, payload=None):
    head = {"alg": "HS256", "typ": "JWT"}
    payload = payload or {"sub": str(r.randint(1000, 99999)), "iat": r.randint(1600000000, 1720000000)}
    return (_b64url(json.dumps(head, separators=(",", ":")).encode()) + "."
            + _b64url(json.dumps(payload, separators=(",", ":")).encode()) + "."
            + _b64url(_rbytes(r, 32)))


_PEM_HEAD = {
    "RSA": ("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA", 25),
    "EC": ("EC PRIVATE KEY", "MHcCAQEEI", 3),
    "PKCS8": ("PRIVATE KEY", "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ", 26),
    "OPENSSH": ("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 5),
}


def pem_lines(r, kind="RSA", nlines=None):
    label, prefix, n = _PEM_HEAD[kind]
    n = nlines or n
    width = 70 if kind == "OPENSSH" else 64
    body = prefix + _s(r, width * n - len(prefix) - r.randint(5, 40), B64)
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    if kind != "OPENSSH":
        lines[-1] = lines[-1][:-2] + "=="
    return [f"-----BEGIN {label}-----"] + lines + [f"-----END {label}-----"]


def pem(r, kind="RSA", sep="\n", nlines=None):
    return sep.join(pem_lines(r, kind, nlines))


def cert_lines(r, label="CERTIFICATE", n=12):
    body = "MIID" + _s(r, 64 * n - 20, B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return [f"-----BEGIN {label}-----"] + lines + [f"-----END {label}-----"]


def azure_key(r):
    return _s(r, 86, B64) + "=="


def b64_secret(r, nbytes=32):
    return base64.b64encode(_rbytes(r, nbytes)).decode()


# ---- negatives -----------------------------------------------------------------------------

def uuid4(r):
    h = _hex(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def bcrypt_hash(r):
    return "$2b$12$" + _s(r, 53, ALNUM + "./")


def argon2_hash(r):
    return ("$argon2id$v=19$m=65536,t=3,p=4$" + _s(r, 22, ALNUM + "+/") + "$"
            + _s(r, 43, ALNUM + "+/"))


def ssh_pub(r, comment):
    if r.random() < 0.5:
        return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _s(r, 43, B64) + " " + comment
    return "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + _s(r, 500, B64) + "= " + comment


def kms_arn(r, region="us-east-1"):
    return f"arn:aws:kms:{region}:{_digits(r, 12)}:key/{uuid4(r)}"


# ============================================================================================
# Python
# ============================================================================================

def d_flask_config(r):
    user = r.choice(["flaskapp", "blog_user", "webapp"])
    mail = _email(r, "gmail.com")
    return "config.py", _t(r'''import os
from datetime import timedelta

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "⟦key|«sk»⟧"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or \
        "postgresql://«user»:⟦password|«dbpw»⟧@localhost:5432/microblog"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=7)

    # mail settings (gmail, "less secure apps" must be on)
    MAIL_SERVER = "smtp.gmail.com"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = "⟦email|«mail»⟧"
    MAIL_PASSWORD = "⟦password|«mailpw»⟧"
    # MAIL_PASSWORD = "⟦password|«oldpw»⟧"  # old one, revoked?
    ADMINS = ["⟦email|«mail»⟧"]

    POSTS_PER_PAGE = 25
    LANGUAGES = ["en", "es"]
    MS_TRANSLATOR_KEY = os.environ.get("MS_TRANSLATOR_KEY")
    ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")


config = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
''', sk=_hex(r, 48), user=user, dbpw=_pw(r), mail=mail, mailpw=_s(r, 16, LO), oldpw=_pw_h(r, "!*"))


def d_telegram_weather_bot(r):
    return "bot.py", _t(r'''#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Simple weather bot for our group chat."""
import logging

import requests
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

TOKEN = "⟦key|«tg»⟧"
OWM_API_KEY = "⟦key|«owm»⟧"  # openweathermap.org
ADMIN_IDS = [«a1», «a2»]

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                    level=logging.INFO)
logger = logging.getLogger(__name__)


def get_weather(city: str) -> str:
    url = "https://api.openweathermap.org/data/2.5/weather"
    resp = requests.get(url, params={"q": city, "appid": OWM_API_KEY, "units": "metric"}, timeout=10)
    if resp.status_code != 200:
        return f"Could not find weather for {city} :("
    data = resp.json()
    temp = data["main"]["temp"]
    desc = data["weather"][0]["description"]
    return f"{city.title()}: {temp:.1f}°C, {desc}"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Hi! Send /weather <city>")


async def weather(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not context.args:
        await update.message.reply_text("Usage: /weather <city>")
        return
    await update.message.reply_text(get_weather(" ".join(context.args)))


async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user.id not in ADMIN_IDS:
        return
    logger.info("broadcast by %s", update.effective_user.id)


def main() -> None:
    app = Application.builder().token(TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("weather", weather))
    app.add_handler(CommandHandler("broadcast", broadcast))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
''', tg=telegram_tok(r), owm=_hex(r, 32), a1=_digits(r, 9), a2=_digits(r, 10))


def d_scraper_login(r):
    mail = _email(r)
    proxies = [_ip4(r) for _ in range(3)]
    return "scraper/login_scraper.py", _t(r'''import time
import random
import csv

import requests
from bs4 import BeautifulSoup

LOGIN_URL = "https://portal.«site».com/account/login"
DATA_URL = "https://portal.«site».com/reports/monthly"

payload = {
    "email": "⟦email|«mail»⟧",
    "password": "⟦password|«pw»⟧",
    "remember_me": "on",
}

PROXIES = [
    "http://⟦ip_address|«p0»⟧:3128",
    "http://⟦ip_address|«p1»⟧:8080",
    "http://⟦ip_address|«p2»⟧:80",
]

HEADERS = {
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
    "Accept-Language": "en-US,en;q=0.9",
}


def get_session():
    s = requests.Session()
    proxy = random.choice(PROXIES)
    s.proxies = {"http": proxy, "https": proxy}
    s.headers.update(HEADERS)
    page = s.get(LOGIN_URL)
    soup = BeautifulSoup(page.text, "html.parser")
    token = soup.find("input", {"name": "csrf_token"})["value"]
    s.post(LOGIN_URL, data={**payload, "csrf_token": token})
    return s


def scrape(session):
    rows = []
    r = session.get(DATA_URL)
    soup = BeautifulSoup(r.text, "html.parser")
    for tr in soup.select("table#report tbody tr"):
        cells = [td.get_text(strip=True) for td in tr.find_all("td")]
        rows.append(cells)
        time.sleep(random.uniform(0.5, 1.5))
    return rows


if __name__ == "__main__":
    sess = get_session()
    data = scrape(sess)
    with open("report.csv", "w", newline="") as f:
        csv.writer(f).writerows(data)
    print(f"saved {len(data)} rows")
''', site=r.choice(["vendorhub", "supplierzone", "tradeplus"]), mail=mail, pw=_pw_h(r),
        p0=proxies[0], p1=proxies[1], p2=proxies[2])


def d_boto3_upload(r):
    return "scripts/upload_to_s3.py", _t(r'''"""Upload the nightly exports to S3 and encrypt them with our KMS key."""
import sys
import glob
import os.path

import boto3
from botocore.exceptions import ClientError

AWS_ACCESS_KEY_ID = "⟦key|«akid»⟧"
AWS_SECRET_ACCESS_KEY = "⟦key|«secret»⟧"
REGION = "«region»"
BUCKET = "«bucket»"
KMS_KEY_ID = "«kms»"

# the docs use AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, don't copy those

s3 = boto3.client(
    "s3",
    region_name=REGION,
    aws_access_key_id=AWS_ACCESS_KEY_ID,
    aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
)


def upload(path, key=None):
    key = key or os.path.basename(path)
    try:
        s3.upload_file(
            path, BUCKET, f"exports/{key}",
            ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY_ID},
        )
    except ClientError as e:
        print(f"failed: {path}: {e}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    files = sorted(glob.glob(sys.argv[1] if len(sys.argv) > 1 else "out/*.csv.gz"))
    ok = sum(upload(f) for f in files)
    print(f"{ok}/{len(files)} uploaded to s3://{BUCKET}/exports/")
''', akid=aws_id(r), secret=aws_secret(r), region=r.choice(["eu-west-1", "us-east-2", "ap-south-1"]),
        bucket=r.choice(["acme-nightly-exports", "data-dumps-prod", "reports-archive-2023"]),
        kms=kms_arn(r))


def d_django_settings(r):
    admins = [_person(r) for _ in range(2)]
    dom = r.choice(ORGDOM)
    ip = _ip4(r)
    return "mysite/settings.py", _t(r'''"""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '⟦key|django-insecure-«dj»⟧'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ['⟦ip_address|«ip»⟧', 'localhost', '127.0.0.1', '.«dom»']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'rest_framework',
    'shop',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.mysql',
        'NAME': 'shopdb',
        'USER': 'shop',
        'PASSWORD': '⟦password|«dbpw»⟧',
        'HOST': '127.0.0.1',
        'PORT': '3306',
    }
}

CACHES = {
    'default': {
        'BACKEND': 'django.core.cache.backends.redis.RedisCache',
        'LOCATION': 'redis://:⟦password|«redispw»⟧@127.0.0.1:6379/1',
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
]
PASSWORD_RESET_TIMEOUT = 259200

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.«dom»'
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = '⟦email|noreply@«dom»⟧'
EMAIL_HOST_PASSWORD = '⟦password|«mailpw»⟧'
DEFAULT_FROM_EMAIL = 'Shop <⟦email|noreply@«dom»⟧>'

ADMINS = [('«n0»', '⟦email|«e0»⟧'), ('«n1»', '⟦email|«e1»⟧')]
MANAGERS = ADMINS

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'Europe/Berlin'
USE_I18N = True
USE_TZ = True

STATIC_URL = 'static/'
STATIC_ROOT = BASE_DIR / 'staticfiles'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
''', dj=_s(r, 50, LO + DIG + "!@#%^&*(-_=+)"), ip=ip, dom=dom, dbpw=_pw(r), mailpw=_pw_r(r), redispw=_pw_r(r, 24, ""),
        n0=" ".join(x.capitalize() for x in admins[0]), e0=_email(r, dom, *admins[0], style=0),
        n1=" ".join(x.capitalize() for x in admins[1]), e1=_email(r, None, *admins[1]))


def d_pytest_auth(r):
    users = [_person(r) for _ in range(3)]
    em = [_email(r, r.choice(ORGDOM), *u) for u in users]
    pws = [_pw_h(r, "!@#."), _pw_h(r, "!@#."), _pw_r(r, 12, "!#%")]
    tok = jwt(r, {"sub": em[0], "role": "admin", "exp": 1893456000})
    return "tests/test_auth.py", _t(r'''import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.security import get_password_hash, verify_password

client = TestClient(app)

USERS = [
    {"email": "⟦email|«e0»⟧", "password": "⟦password|«p0»⟧", "is_admin": True},
    {"email": "⟦email|«e1»⟧", "password": "⟦password|«p1»⟧", "is_admin": False},
    {"email": "⟦email|«e2»⟧", "password": "⟦password|«p2»⟧", "is_admin": False},
]

# token captured from staging, still valid until 2030
ADMIN_TOKEN = "⟦key|«tok»⟧"

# bcrypt of a throwaway value, only used to check verify_password() rejects it
STORED_HASH = "«bh»"


@pytest.fixture(scope="module")
def registered():
    for u in USERS:
        client.post("/auth/register", json=u)
    yield USERS


def test_login_ok(registered):
    u = registered[1]
    resp = client.post("/auth/login", data={"username": u["email"], "password": u["password"]})
    assert resp.status_code == 200
    assert resp.json()["token_type"] == "bearer"


def test_login_wrong_password(registered):
    resp = client.post("/auth/login", data={"username": USERS[0]["email"], "password": ""})
    assert resp.status_code == 401


def test_hash_roundtrip():
    h = get_password_hash("⟦password|«p2»⟧")
    assert verify_password("⟦password|«p2»⟧", h)
    assert not verify_password("nope", STORED_HASH)


def test_admin_endpoint():
    resp = client.get("/admin/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert resp.status_code == 200


def test_reset_password_url_is_signed():
    resp = client.post("/auth/forgot", json={"email": USERS[2]["email"]})
    assert "reset_password_url" in resp.json()
''', e0=em[0], e1=em[1], e2=em[2], p0=pws[0], p1=pws[1], p2=pws[2], tok=tok, bh=bcrypt_hash(r))


def d_paramiko_deploy(r):
    ip1, ip2 = _ip4(r), _ip4(r)
    return "deploy/remote.py", _t(r'''import paramiko
import getpass
import sys

SERVERS = {
    "web1": {"host": "⟦ip_address|«ip1»⟧", "user": "deploy", "password": "⟦password|«pw1»⟧"},
    "web2": {"host": "⟦ip_address|«ip2»⟧", "user": "deploy", "password": "⟦password|«pw2»⟧"},
    # staging box on the office LAN
    "staging": {"host": "«lan»", "user": "pi", "password": None},
}

COMMANDS = [
    "cd /srv/app && git pull --ff-only",
    "/srv/app/venv/bin/pip install -r /srv/app/requirements.txt",
    "sudo systemctl restart gunicorn",
]


def run(name, cfg):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    password = cfg["password"] or getpass.getpass(f"password for {cfg['user']}@{cfg['host']}: ")
    client.connect(cfg["host"], username=cfg["user"], password=password, timeout=15)
    for cmd in COMMANDS:
        stdin, stdout, stderr = client.exec_command(cmd)
        code = stdout.channel.recv_exit_status()
        print(f"[{name}] {cmd} -> {code}")
        if code != 0:
            print(stderr.read().decode(), file=sys.stderr)
            break
    client.close()


if __name__ == "__main__":
    targets = sys.argv[1:] or ["web1", "web2"]
    for t in targets:
        run(t, SERVERS[t])
''', ip1=ip1, ip2=ip2, pw1=_pw(r), pw2=_pw_r(r, 14, "!*"), lan=_priv4(r))


def d_notebook_mongo(r):
    user = r.choice(["admin_user", "dbUser", "analyst"])
    pw = _pw_r(r, 16, "")
    cluster = _s(r, 5, LO + DIG)
    hf = hf_tok(r)
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [
                "# Sentiment analysis on product reviews\n", "\n",
                "Pull reviews from Atlas, embed them and classify."]},
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": [
                "import pandas as pd\n", "from pymongo import MongoClient\n",
                "from transformers import pipeline\n", "from huggingface_hub import login"]},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": [
                "client = MongoClient(\"mongodb+srv://" + user + ":@@PW@@@cluster0." + cluster
                + ".mongodb.net/?retryWrites=true&w=majority\")\n",
                "db = client[\"shop\"]\n",
                "reviews = pd.DataFrame(list(db.reviews.find({}, {\"_id\": 0, \"text\": 1, \"stars\": 1})))\n",
                "reviews.shape"]},
            {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [
                {"name": "stdout", "output_type": "stream", "text": [
                    "Token is valid (permission: read).\n",
                    "Your token has been saved to /root/.cache/huggingface/token\n",
                    "Login successful\n"]}], "source": ["login(token=\"@@HF@@\")"]},
            {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [], "source": [
                "clf = pipeline(\"sentiment-analysis\", model=\"distilbert-base-uncased-finetuned-sst-2-english\")\n",
                "reviews[\"label\"] = [r[\"label\"] for r in clf(reviews.text.tolist()[:500])]"]},
            {"cell_type": "code", "execution_count": 5, "metadata": {}, "outputs": [
                {"data": {"text/plain": ["POSITIVE    331\n", "NEGATIVE    169\n",
                                         "Name: label, dtype: int64"]},
                 "execution_count": 5, "metadata": {}, "output_type": "execute_result"}],
             "source": ["reviews.label.value_counts()"]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python", "version": "3.10.12"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    text = json.dumps(nb, indent=1, ensure_ascii=False)
    text = text.replace("@@PW@@", f"⟦password|{pw}⟧").replace("@@HF@@", f"⟦key|{hf}⟧")
    return "notebooks/reviews_sentiment.ipynb", text


def d_slack_alerts(r):
    return "monitoring/alerts.py", _t(r'''"""Post alerts to #ops-alerts. Falls back to the bot token when the webhook fails."""
import json
import socket
import urllib.request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

WEBHOOK_URL = "https://hooks.slack.com/services/⟦key|«hook»⟧"
SLACK_BOT_TOKEN = "⟦key|«bot»⟧"
SLACK_USER_TOKEN = "⟦key|«user»⟧"  # only for search.messages, bots can't call it
CHANNEL = "#ops-alerts"

client = WebClient(token=SLACK_BOT_TOKEN)


def _webhook(text):
    body = json.dumps({"text": text}).encode()
    req = urllib.request.Request(WEBHOOK_URL, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status == 200


def alert(title, detail, level="warning"):
    emoji = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}[level]
    text = f"{emoji} *{title}* on `{socket.gethostname()}`\n{detail}"
    try:
        if _webhook(text):
            return
    except Exception:
        pass
    try:
        client.chat_postMessage(channel=CHANNEL, text=text)
    except SlackApiError as e:
        print("slack error:", e.response["error"])


if __name__ == "__main__":
    alert("disk usage", "/var is at 91%", "critical")
''', hook=slack_hook(r), bot=xoxb(r), user=xoxp(r))


def d_stripe_checkout(r):
    return "payments/stripe_views.py", _t(r'''import stripe
from flask import Blueprint, jsonify, request, render_template

bp = Blueprint("payments", __name__)

stripe.api_key = "⟦key|«sk»⟧"
STRIPE_PUBLISHABLE_KEY = "pk_live_«pk»"
ENDPOINT_SECRET = "⟦key|whsec_«wh»⟧"

PRICES = {"basic": "price_1N«p1»", "pro": "price_1N«p2»"}


@bp.route("/checkout")
def checkout():
    return render_template("checkout.html", key=STRIPE_PUBLISHABLE_KEY)


@bp.route("/create-checkout-session", methods=["POST"])
def create_checkout_session():
    plan = request.json.get("plan", "basic")
    session = stripe.checkout.Session.create(
        mode="subscription",
        line_items=[{"price": PRICES[plan], "quantity": 1}],
        success_url=request.host_url + "success?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=request.host_url + "cancel",
    )
    return jsonify(id=session.id)


@bp.route("/webhook", methods=["POST"])
def webhook():
    payload = request.data
    sig = request.headers.get("Stripe-Signature")
    try:
        event = stripe.Webhook.construct_event(payload, sig, ENDPOINT_SECRET)
    except (ValueError, stripe.error.SignatureVerificationError):
        return "bad signature", 400
    if event["type"] == "checkout.session.completed":
        sess = event["data"]["object"]
        print("paid:", sess["customer_email"], sess["amount_total"])
    return "", 200
''', sk=stripe_sk(r), pk="51" + _s(r, 97), wh=_s(r, 32), p1=_s(r, 22), p2=_s(r, 22))


def d_llm_compare(r):
    return "compare_models.py", _t(r'''"""Ask the same question to Claude and Gemini and print both answers side by side."""
import textwrap

import anthropic
import google.generativeai as genai

ANTHROPIC_API_KEY = "⟦key|«ant»⟧"
GOOGLE_API_KEY = "⟦key|«g»⟧"

claude = anthropic.Anthropic(api_key=ANTHROPIC_API_KEY)
genai.configure(api_key=GOOGLE_API_KEY)
gemini = genai.GenerativeModel("gemini-pro")

QUESTION = "Explain the difference between a process and a thread in two paragraphs."


def ask_claude(q):
    msg = claude.messages.create(
        model="claude-3-haiku-20240307",
        max_tokens=600,
        messages=[{"role": "user", "content": q}],
    )
    return msg.content[0].text


def ask_gemini(q):
    return gemini.generate_content(q).text


def side_by_side(a, b, width=60):
    la = textwrap.wrap(a, width)
    lb = textwrap.wrap(b, width)
    for i in range(max(len(la), len(lb))):
        left = la[i] if i < len(la) else ""
        right = lb[i] if i < len(lb) else ""
        print(f"{left:<{width}} | {right}")


if __name__ == "__main__":
    side_by_side(ask_claude(QUESTION), ask_gemini(QUESTION))
''', ant=anthropic_key(r), g=gkey(r))


def d_conftest_redis(r):
    ip = _ip4(r)
    pw = _pw_r(r, 20, "")
    return "tests/conftest.py", _t(r'''import os

import pytest
import redis

from app import create_app
from app.extensions import db as _db

# shared CI redis (the GitHub runners can't reach the VPN one)
REDIS_URL = os.getenv("TEST_REDIS_URL", "redis://:⟦password|«pw»⟧@⟦ip_address|«ip»⟧:6379/3")


@pytest.fixture(scope="session")
def app():
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:",
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "test",
            "SERVER_NAME": "localhost.localdomain",
        }
    )
    with app.app_context():
        _db.create_all()
        yield app
        _db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cache():
    r = redis.Redis(host="⟦ip_address|«ip»⟧", port=6379, db=3, password="⟦password|«pw»⟧")
    yield r
    r.flushdb()


@pytest.fixture
def auth_headers(client):
    resp = client.post("/api/login", json={"username": "tester", "password": os.environ.get("TEST_PW", "")})
    return {"Authorization": "Bearer " + resp.get_json()["access_token"]}
''', ip=ip, pw=pw)


def d_airflow_dag(r):
    ip = _ip4(r)
    return "dags/sync_crm.py", _t(r'''from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Connection
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
import requests

default_args = {
    "owner": "data-eng",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "email_on_failure": True,
    "email": ["⟦email|«alert»⟧"],
}

HUBSPOT_TOKEN = "⟦key|pat-na1-«hs»⟧"
SHOPIFY_STORE = "«store».myshopify.com"
SHOPIFY_ADMIN_TOKEN = "⟦key|shpat_«shp»⟧"

warehouse = Connection(
    conn_id="warehouse",
    conn_type="postgres",
    host="⟦ip_address|«ip»⟧",
    schema="analytics",
    login="airflow",
    password="⟦password|«pw»⟧",
    port=5432,
)


def pull_contacts(**ctx):
    url = "https://api.hubapi.com/crm/v3/objects/contacts"
    headers = {"Authorization": f"Bearer {HUBSPOT_TOKEN}"}
    out, after = [], None
    while True:
        params = {"limit": 100, **({"after": after} if after else {})}
        data = requests.get(url, headers=headers, params=params, timeout=30).json()
        out.extend(data["results"])
        after = data.get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    ctx["ti"].xcom_push(key="contacts", value=out)


def load_contacts(**ctx):
    rows = ctx["ti"].xcom_pull(key="contacts")
    hook = PostgresHook(connection=warehouse)
    hook.insert_rows("crm.contacts", [(c["id"], c["properties"].get("email")) for c in rows],
                     replace=True, replace_index="id")


with DAG("sync_crm", start_date=datetime(2023, 1, 1), schedule="@hourly",
         default_args=default_args, catchup=False) as dag:
    pull = PythonOperator(task_id="pull_contacts", python_callable=pull_contacts)
    load = PythonOperator(task_id="load_contacts", python_callable=load_contacts)
    pull >> load
''', alert=_email(r, r.choice(ORGDOM)), hs=f"{uuid4(r)}", ip=ip, pw=_pw(r),
        store=r.choice(["cozy-candle-co", "urban-sprout", "mossandpine"]), shp=_hex(r, 32))


# ============================================================================================
# JavaScript / TypeScript
# ============================================================================================

def d_express_config(r):
    mail = _email(r, "gmail.com")
    return "server/config/index.js", _t(r'''const path = require('path');

module.exports = {
  port: process.env.PORT || 5000,
  env: process.env.NODE_ENV || 'development',

  // MongoDB Atlas
  mongoURI:
    process.env.MONGO_URI ||
    'mongodb+srv://«dbuser»:⟦password|«dbpw»⟧@cluster0.«cl».mongodb.net/mern-shop?retryWrites=true&w=majority',

  jwtSecret: '⟦key|«jwt»⟧',
  jwtExpire: '30d',

  // nodemailer
  smtp: {
    host: 'smtp.gmail.com',
    port: 465,
    secure: true,
    auth: {
      user: '⟦email|«mail»⟧',
      pass: '⟦password|«mailpw»⟧',
    },
  },
  fromName: 'MERN Shop',
  fromEmail: '⟦email|«mail»⟧',

  cloudinary: {
    cloud_name: '«cloud»',
    api_key: process.env.CLOUDINARY_API_KEY,
    api_secret: '⟦key|«cloudsec»⟧',
  },

  paypalClientId: process.env.PAYPAL_CLIENT_ID,
  uploadDir: path.join(__dirname, '..', '..', 'uploads'),
  maxFileUpload: 1000000,
};
''', dbuser=r.choice(["brad", "shopadmin", "devuser"]), dbpw=_pw_r(r, 12, ""), cl=_s(r, 5, LO + DIG),
        jwt=_s(r, 32, LO + DIG), mail=mail, mailpw=_s(r, 16, LO), cloud=r.choice(['dkx8shop', 'mern-shop']),
        cloudkey=_digits(r, 15), cloudsec=_s(r, 27, URLSAFE))


def d_firebase_ts(r):
    proj = r.choice(["chat-app", "todo-pwa", "recipe-box", "fit-tracker"]) + "-" + _s(r, 5, LO + DIG)
    return "src/lib/firebase.ts", _t(r'''import { initializeApp, getApps, type FirebaseApp } from 'firebase/app';
import { getAuth, GoogleAuthProvider } from 'firebase/auth';
import { getFirestore, connectFirestoreEmulator } from 'firebase/firestore';
import { getStorage } from 'firebase/storage';

const firebaseConfig = {
  apiKey: '⟦key|«k»⟧',
  authDomain: '«proj».firebaseapp.com',
  projectId: '«proj»',
  storageBucket: '«proj».appspot.com',
  messagingSenderId: '«sender»',
  appId: '1:«sender»:web:«appid»',
  measurementId: 'G-«mid»',
};

let app: FirebaseApp;
if (!getApps().length) {
  app = initializeApp(firebaseConfig);
} else {
  app = getApps()[0];
}

export const auth = getAuth(app);
export const db = getFirestore(app);
export const storage = getStorage(app);
export const googleProvider = new GoogleAuthProvider();
googleProvider.setCustomParameters({ prompt: 'select_account' });

if (import.meta.env.DEV && import.meta.env.VITE_USE_EMULATORS === 'true') {
  connectFirestoreEmulator(db, '127.0.0.1', 8080);
}

export default app;
''', k=gkey(r), proj=proj, sender=_digits(r, 12), appid=_hex(r, 22), mid=_s(r, 10, UP + DIG))


def d_package_json(r):
    a, b, c = _person(r), _person(r), _person(r)
    return "package.json", _t(r'''{
  "name": "@«scope»/react-datepicker-lite",
  "version": "2.4.1",
  "description": "A tiny, accessible date picker for React",
  "main": "dist/index.cjs.js",
  "module": "dist/index.esm.js",
  "types": "dist/index.d.ts",
  "files": ["dist"],
  "author": "«an» <⟦email|«ae»⟧> (https://«gh».github.io)",
  "contributors": [
    "«bn» <⟦email|«be»⟧>",
    {
      "name": "«cn»",
      "email": "⟦email|«ce»⟧"
    }
  ],
  "license": "MIT",
  "repository": {
    "type": "git",
    "url": "git+https://github.com/«gh»/react-datepicker-lite.git"
  },
  "bugs": {
    "url": "https://github.com/«gh»/react-datepicker-lite/issues",
    "email": "⟦email|«ae»⟧"
  },
  "scripts": {
    "build": "rollup -c",
    "test": "jest",
    "lint": "eslint src --ext .ts,.tsx",
    "storybook": "npx storybook@7.6.7 dev -p 6006",
    "prepublishOnly": "npm run build"
  },
  "peerDependencies": {
    "react": ">=17.0.0",
    "react-dom": ">=17.0.0"
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
  "resolutions": {
    "semver": "7.5.4"
  },
  "packageManager": "pnpm@8.14.0"
}
''', scope=_handle(r), an=" ".join(x.capitalize() for x in a), ae=_email(r, None, *a),
        bn=" ".join(x.capitalize() for x in b), be=_email(r, None, *b),
        cn=" ".join(x.capitalize() for x in c), ce=_email(r, r.choice(ORGDOM), *c), gh=_handle(r))


def d_typeorm_config(r):
    ip = _ip4(r)
    return "src/config/typeorm.config.ts", _t(r'''import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { ConfigService } from '@nestjs/config';
import { User } from '../users/user.entity';
import { Order } from '../orders/order.entity';
import { Product } from '../products/product.entity';

export const typeOrmConfig: TypeOrmModuleOptions = {
  type: 'postgres',
  host: '⟦ip_address|«ip»⟧',
  port: 5432,
  username: 'nest_app',
  password: '⟦password|«pw»⟧',
  database: 'nest_shop',
  entities: [User, Order, Product],
  synchronize: true,
  logging: ['error'],
};

export const typeOrmAsyncConfig = {
  inject: [ConfigService],
  useFactory: async (config: ConfigService): Promise<TypeOrmModuleOptions> => ({
    type: 'postgres',
    host: config.get<string>('DB_HOST', 'localhost'),
    port: config.get<number>('DB_PORT', 5432),
    username: config.get<string>('DB_USERNAME'),
    password: config.get<string>('DB_PASSWORD'),
    database: config.get<string>('DB_NAME'),
    entities: [__dirname + '/../**/*.entity{.ts,.js}'],
    migrations: [__dirname + '/../migrations/*{.ts,.js}'],
    synchronize: false,
  }),
};
''', ip=ip, pw=_pw(r, "!@#$*"))


def d_npmrc(r):
    mail = _email(r)
    return ".npmrc", _t(r'''registry=https://registry.npmjs.org/
@«scope»:registry=https://npm.pkg.github.com/
//registry.npmjs.org/:_authToken=⟦key|«npm»⟧
//npm.pkg.github.com/:_authToken=⟦key|«gh»⟧
email=⟦email|«mail»⟧
always-auth=true
save-exact=true
engine-strict=true
fund=false
audit-level=high
# //registry.npmjs.org/:_authToken=${NPM_TOKEN}
strict-peer-dependencies=false
auto-install-peers=true
shamefully-hoist=false
link-workspace-packages=deep
prefer-workspace-packages=true
''', scope=_handle(r), npm=npm_tok(r), gh=ghp(r), mail=mail)


def d_jest_fixtures(r):
    users = [_person(r) for _ in range(4)]
    dom = r.choice(ORGDOM)
    em = [_email(r, dom if i % 2 else None, *u) for i, u in enumerate(users)]
    pw = [_pw_h(r, "!@#$"), _pw_h(r, "!@#$"), _pw_r(r, 12, "!@#"), _pw_h(r, "")]
    return "test/fixtures/users.js", _t(r'''// Seed users for the integration tests. Do NOT use in production.
const bcrypt = require('bcryptjs');

const rawUsers = [
  {
    firstName: '«f0»',
    lastName: '«l0»',
    email: '⟦email|«e0»⟧',
    password: '⟦password|«p0»⟧',
    role: 'admin',
  },
  {
    firstName: '«f1»',
    lastName: '«l1»',
    email: '⟦email|«e1»⟧',
    password: '⟦password|«p1»⟧',
    role: 'editor',
  },
  {
    firstName: '«f2»',
    lastName: '«l2»',
    email: '⟦email|«e2»⟧',
    password: '⟦password|«p2»⟧',
    role: 'user',
  },
  {
    firstName: '«f3»',
    lastName: '«l3»',
    email: '⟦email|«e3»⟧',
    password: '⟦password|«p3»⟧',
    role: 'user',
    disabled: true,
  },
];

// what the API returns for a user: password is always masked
const publicUser = (u) => ({ ...u, password: '********' });

const hashed = async () =>
  Promise.all(rawUsers.map(async (u) => ({ ...u, password: await bcrypt.hash(u.password, 10) })));

// precomputed so the unit tests don't pay for bcrypt
const PRECOMPUTED_HASH = '«bh»';

module.exports = { rawUsers, publicUser, hashed, PRECOMPUTED_HASH };
''', f0=users[0][0].capitalize(), l0=users[0][1].capitalize(), f1=users[1][0].capitalize(),
        l1=users[1][1].capitalize(), f2=users[2][0].capitalize(), l2=users[2][1].capitalize(),
        f3=users[3][0].capitalize(), l3=users[3][1].capitalize(),
        e0=em[0], e1=em[1], e2=em[2], e3=em[3], p0=pw[0], p1=pw[1], p2=pw[2], p3=pw[3],
        bh=bcrypt_hash(r))


def d_react_env(r):
    return ".env", _t(r'''# Frontend env — Create React App only exposes REACT_APP_* vars
REACT_APP_API_URL=https://api.«dom»/v1
REACT_APP_GOOGLE_MAPS_API_KEY=⟦key|«gm»⟧
REACT_APP_STRIPE_PUBLISHABLE_KEY=pk_test_«pk»
REACT_APP_RECAPTCHA_SITE_KEY=6Lc«rc»
REACT_APP_GOOGLE_CLIENT_ID=«gcid»-«gcs».apps.googleusercontent.com
REACT_APP_MAPBOX_TOKEN=pk.eyJ1Ijoi«mbu»IiwiYSI6ImNs«mb1»In0.«mb2»
REACT_APP_TMDB_API_KEY=⟦key|«tmdb»⟧
REACT_APP_OPENAI_KEY=⟦key|«oai»⟧
REACT_APP_SENTRY_DSN=https://«sentry»@o«org».ingest.sentry.io/«sproj»
REACT_APP_VERSION=$npm_package_version
GENERATE_SOURCEMAP=false
PORT=3001
''', dom=r.choice(ORGDOM), gm=gkey(r), pk="51" + _s(r, 97), rc=_s(r, 37, URLSAFE),
        gcid=_digits(r, 12), gcs=_s(r, 32, LO + DIG), mbu=_b64url(_handle(r).encode())[:-1],
        mb1=_s(r, 30, URLSAFE), mb2=_s(r, 22, URLSAFE), tmdb=_hex(r, 32), oai=openai_key(r),
        sentry=_hex(r, 32), org=_digits(r, 6), sproj=_digits(r, 7))


def d_axios_client(r):
    user = r.choice(["api_reader", "integration", "svc-sync"])
    basic = base64.b64encode(f"{user}:{_pw_r(r, 14, '')}".encode()).decode()
    return "src/api/client.ts", _t(r'''import axios, { AxiosInstance } from 'axios';

const API_BASE = 'https://api.«dom»/v2';

// long-lived service token issued by the backend team (expires 2027)
const SERVICE_TOKEN =
  '⟦key|«jwt»⟧';

export const api: AxiosInstance = axios.create({
  baseURL: API_BASE,
  timeout: 10000,
  headers: {
    Authorization: `Bearer ${SERVICE_TOKEN}`,
    'Content-Type': 'application/json',
    'X-Request-Id': '«reqid»',
  },
});

// legacy reporting endpoint still uses basic auth
export const legacy = axios.create({
  baseURL: 'https://reports.«dom»',
  headers: { Authorization: 'Basic ⟦key|«basic»⟧' },
});

api.interceptors.response.use(
  (res) => res,
  (err) => {
    if (err.response?.status === 401) {
      console.warn('token rejected, redirecting to login');
      window.location.assign('/login');
    }
    return Promise.reject(err);
  },
);

export async function fetchProjects(page = 1) {
  const { data } = await api.get('/projects', { params: { page, per_page: 50 } });
  return data;
}
''', dom=r.choice(ORGDOM), jwt=jwt(r, {"iss": "auth-service", "sub": "svc-frontend", "scope": "read:all",
                                       "exp": 1819584000}), reqid=uuid4(r), basic=basic)


def d_knexfile(r):
    ip = _ip4(r)
    return "knexfile.js", _t(r'''// Update with your config settings.
module.exports = {
  development: {
    client: 'mysql2',
    connection: {
      host: '127.0.0.1',
      user: 'root',
      password: '⟦password|«dev»⟧',
      database: 'inventory_dev',
    },
    migrations: { directory: './db/migrations' },
    seeds: { directory: './db/seeds' },
  },

  test: {
    client: 'sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  },

  staging: {
    client: 'mysql2',
    connection: 'mysql://inv:⟦password|«stg»⟧@⟦ip_address|«ip»⟧:3306/inventory',
    pool: { min: 2, max: 10 },
  },

  production: {
    client: 'mysql2',
    connection: {
      host: process.env.DB_HOST,
      user: process.env.DB_USER,
      password: process.env.DB_PASSWORD,
      database: 'inventory',
    },
    pool: { min: 2, max: 20 },
    migrations: { tableName: 'knex_migrations' },
  },
};
''', dev=_pw_h(r, "!*"), stg=_pw_r(r, 14, "-_"), ip=ip)


def d_postman_collection(r):
    mail = _email(r, r.choice(ORGDOM))
    coll = {
        "info": {"_postman_id": uuid4(r), "name": "Inventory API",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Login", "request": {
                "method": "POST",
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": {"mode": "raw", "raw": "{\n  \"email\": \"@@EMAIL@@\",\n  \"password\": \"@@PW@@\"\n}"},
                "url": {"raw": "{{baseUrl}}/auth/login", "host": ["{{baseUrl}}"], "path": ["auth", "login"]}}},
            {"name": "List items", "request": {
                "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "@@JWT@@", "type": "string"}]},
                "method": "GET", "header": [],
                "url": {"raw": "{{baseUrl}}/items?page=1", "host": ["{{baseUrl}}"], "path": ["items"],
                        "query": [{"key": "page", "value": "1"}]}}},
            {"name": "Create item", "request": {
                "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
                "method": "POST", "header": [],
                "body": {"mode": "raw", "raw": "{\n  \"sku\": \"AB-1001\",\n  \"qty\": 4\n}"},
                "url": {"raw": "{{baseUrl}}/items", "host": ["{{baseUrl}}"], "path": ["items"]}}},
        ],
        "variable": [{"key": "baseUrl", "value": "http://localhost:8080/api"},
                     {"key": "token", "value": ""}],
    }
    text = json.dumps(coll, indent="\t")
    text = (text.replace("@@EMAIL@@", f"⟦email|{mail}⟧")
            .replace("@@PW@@", f"⟦password|{_pw_h(r, '!#')}⟧")
            .replace("@@JWT@@", f"⟦key|{jwt(r, {'id': r.randint(1, 500), 'email': mail, 'iat': 1700000000})}⟧"))
    return "postman/Inventory API.postman_collection.json", text


# ============================================================================================
# Java / Kotlin / Scala
# ============================================================================================

def d_java_jdbc_dao(r):
    ip = _ip4(r)
    return "src/main/java/com/library/dao/BookDAO.java", _t(r'''package com.library.dao;

import com.library.model.Book;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

public class BookDAO implements GenericDAO<Book> {

    private static final String URL = "jdbc:mysql://⟦ip_address|«ip»⟧:3306/library?useSSL=false&serverTimezone=UTC";
    private static final String USER = "library_app";
    private static final String PASS = "⟦password|«pw»⟧";

    private Connection getConnection() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASS);
    }

    @Override
    public List<Book> findAll() {
        List<Book> books = new ArrayList<>();
        String sql = "SELECT id, title, author, isbn, year FROM books ORDER BY title";
        try (Connection con = getConnection();
             PreparedStatement ps = con.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                books.add(new Book(rs.getInt("id"), rs.getString("title"),
                        rs.getString("author"), rs.getString("isbn"), rs.getInt("year")));
            }
        } catch (SQLException e) {
            e.printStackTrace();
        }
        return books;
    }

    @Override
    public boolean insert(Book b) {
        String sql = "INSERT INTO books (title, author, isbn, year) VALUES (?, ?, ?, ?)";
        try (Connection con = getConnection(); PreparedStatement ps = con.prepareStatement(sql)) {
            ps.setString(1, b.getTitle());
            ps.setString(2, b.getAuthor());
            ps.setString(3, b.getIsbn());
            ps.setInt(4, b.getYear());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            System.err.println("insert failed: " + e.getMessage());
            return false;
        }
    }

    @Override
    public boolean delete(int id) {
        try (Connection con = getConnection();
             PreparedStatement ps = con.prepareStatement("DELETE FROM books WHERE id = ?")) {
            ps.setInt(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            return false;
        }
    }
}
''', ip=ip, pw=_pw(r, "!#*"))


def d_spring_properties(r):
    mail = _email(r, "gmail.com")
    ip = _ip4(r)
    return "src/main/resources/application.properties", _t(r'''spring.application.name=task-manager
server.port=8081
server.servlet.context-path=/api

# ===============================
# DATABASE
# ===============================
spring.datasource.url=jdbc:postgresql://⟦ip_address|«ip»⟧:5432/taskdb
spring.datasource.username=taskuser
spring.datasource.password=⟦password|«dbpw»⟧
spring.datasource.driver-class-name=org.postgresql.Driver
spring.jpa.hibernate.ddl-auto=update
spring.jpa.show-sql=true
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect

# ===============================
# MAIL
# ===============================
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=⟦email|«mail»⟧
spring.mail.password=⟦password|«mailpw»⟧
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# ===============================
# JWT
# ===============================
app.jwt.secret=⟦key|«jwt»⟧
app.jwt.expiration-ms=86400000
app.jwt.refresh-expiration-ms=604800000

# ===============================
# RABBITMQ / OAUTH2
# ===============================
spring.rabbitmq.host=localhost
spring.rabbitmq.username=tasks
spring.rabbitmq.password=⟦password|«rabbit»⟧
spring.security.oauth2.client.registration.github.client-id=Iv1.«ghid»
spring.security.oauth2.client.registration.github.client-secret=⟦key|«ghsec»⟧
spring.security.oauth2.client.registration.github.scope=read:user,user:email

# ===============================
# MISC
# ===============================
spring.servlet.multipart.max-file-size=10MB
management.endpoints.web.exposure.include=health,info
logging.level.org.springframework.security=DEBUG
app.cors.allowed-origins=http://localhost:3000,http://localhost:4200
app.password.reset-url=http://localhost:3000/reset-password
''', ip=ip, dbpw=_pw_r(r, 12, ""), mail=mail, mailpw=_s(r, 16, LO), jwt=b64_secret(r, 48),
        rabbit=_pw_h(r, "!*"), ghid=_hex(r, 16), ghsec=_hex(r, 40))


def d_javamail_sender(r):
    mail = _email(r, r.choice(ORGDOM))
    # a password with a double quote in it, escaped inside the Java literal
    base = _pw_r(r, 8, "")
    pw_java = base[:4] + '\\"' + base[4:] + "!" + str(r.randint(10, 99))
    to = _email(r)
    return "src/main/java/com/acme/notify/MailService.java", _t(r'''package com.acme.notify;

import java.util.Properties;
import javax.mail.Authenticator;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.PasswordAuthentication;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

public final class MailService {

    private static final String SMTP_HOST = "smtp.office365.com";
    private static final String FROM = "⟦email|«mail»⟧";
    private static final String SUPPORT = "⟦email|«to»⟧";

    private final Session session;

    public MailService() {
        Properties props = new Properties();
        props.put("mail.smtp.host", SMTP_HOST);
        props.put("mail.smtp.port", "587");
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        session = Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(FROM, "⟦password|«pw»⟧");
            }
        });
    }

    public void send(String to, String subject, String body) throws MessagingException {
        Message msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress(FROM));
        msg.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
        msg.setRecipients(Message.RecipientType.BCC, InternetAddress.parse(SUPPORT));
        msg.setSubject(subject);
        msg.setText(body);
        Transport.send(msg);
    }

    public static void main(String[] args) throws Exception {
        new MailService().send(args[0], "Test", "Hello from MailService");
        System.out.println("sent");
    }
}
''', mail=mail, to=to, pw=pw_java)


def d_maven_settings(r):
    a = _person(r)
    return "ci/settings.xml", _t(r'''<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <servers>
    <server>
      <id>ossrh</id>
      <username>«handle»</username>
      <password>⟦password|«ossrh»⟧</password>
    </server>
    <server>
      <id>github</id>
      <username>«handle»</username>
      <password>⟦key|«ghp»⟧</password>
    </server>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>${env.NEXUS_PASSWORD}</password>
    </server>
  </servers>

  <profiles>
    <profile>
      <id>ossrh</id>
      <activation>
        <activeByDefault>true</activeByDefault>
      </activation>
      <properties>
        <gpg.executable>gpg</gpg.executable>
        <gpg.keyname>«gpgid»</gpg.keyname>
        <gpg.passphrase>⟦password|«gpgpw»⟧</gpg.passphrase>
        <developer.email>⟦email|«mail»⟧</developer.email>
      </properties>
    </profile>
  </profiles>
</settings>
''', handle=_handle(r), ossrh=_pw_r(r, 16, "-_"), ghp=ghp(r), gpgid=_hex(r, 16).upper(),
        gpgpw=_pw_h(r, "!*"), mail=_email(r, None, *a))


def d_android_constants(r):
    ip = _ip4(r)
    return "app/src/main/java/com/example/foodapp/util/Constants.java", _t(r'''package com.example.foodapp.util;

public class Constants {

    private Constants() {}

    // backend (DigitalOcean droplet)
    public static final String BASE_URL = "http://⟦ip_address|«ip»⟧:8000/api/";
    public static final String IMAGE_URL = "http://⟦ip_address|«ip»⟧:8000/media/";

    // Google Places / Maps
    public static final String PLACES_API_KEY = "⟦key|«g»⟧";

    // Spoonacular recipe api
    public static final String SPOONACULAR_KEY = "⟦key|«sp»⟧";

    // FCM legacy server key (used by the admin screen to send pushes)
    public static final String FCM_SERVER_KEY = "⟦key|«fcm»⟧";

    // OneSignal
    public static final String ONESIGNAL_APP_ID = "«os»";

    public static final int TIMEOUT_SECONDS = 30;
    public static final String PREF_NAME = "food_app_prefs";
    public static final String KEY_TOKEN = "auth_token";
    public static final String KEY_PASSWORD = "user_password";
    public static final String KEY_REMEMBER = "remember_me";
    public static final String DB_NAME = "food.db";
    public static final int DB_VERSION = 3;
}
''', ip=ip, g=gkey(r), sp=_hex(r, 32), os=uuid4(r),
        fcm="AAAA" + _s(r, 7, URLSAFE) + ":APA91b" + _s(r, 134, URLSAFE))


def d_junit_jwt(r):
    mail = _email(r, r.choice(ORGDOM))
    return "src/test/java/com/shop/security/JwtUtilTest.java", _t(r'''package com.shop.security;

import static org.junit.jupiter.api.Assertions.*;

import io.jsonwebtoken.ExpiredJwtException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.util.ReflectionTestUtils;

class JwtUtilTest {

    private static final String SECRET = "⟦key|«sec»⟧";
    private static final String EXPIRED =
            "⟦key|«exp»⟧";

    private static final String USER = "⟦email|«mail»⟧";

    private JwtUtil jwtUtil;

    @BeforeEach
    void setUp() {
        jwtUtil = new JwtUtil();
        ReflectionTestUtils.setField(jwtUtil, "secret", SECRET);
        ReflectionTestUtils.setField(jwtUtil, "expirationMs", 3_600_000L);
    }

    @Test
    void generatesAndParsesToken() {
        String token = jwtUtil.generateToken(USER);
        assertEquals(USER, jwtUtil.getUsername(token));
        assertTrue(jwtUtil.validate(token));
    }

    @Test
    void rejectsExpiredToken() {
        assertThrows(ExpiredJwtException.class, () -> jwtUtil.getUsername(EXPIRED));
    }

    @Test
    void rejectsGarbage() {
        assertFalse(jwtUtil.validate("not.a.token"));
    }

    @Test
    void loginWithWrongPassword() {
        var req = new LoginRequest(USER, "⟦password|«pw»⟧");
        assertNotNull(req.getPassword());
    }
}
''', sec=_s(r, 64, ALNUM), exp=jwt(r, {"sub": "user1", "iat": 1600000000, "exp": 1600003600}),
        mail=mail, pw=_pw_h(r, "!#"))


def d_kotlin_gradle(r):
    return "app/build.gradle.kts", _t(r'''plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("com.google.gms.google-services")
    kotlin("kapt")
}

android {
    namespace = "com.«pkg».weather"
    compileSdk = 34

    defaultConfig {
        applicationId = "com.«pkg».weather"
        minSdk = 24
        targetSdk = 34
        versionCode = 17
        versionName = "1.6.2"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"

        buildConfigField("String", "WEATHER_API_KEY", "\"⟦key|«wk»⟧\"")
        buildConfigField("String", "MAPS_KEY", "\"⟦key|«mk»⟧\"")
        buildConfigField("String", "BASE_URL", "\"https://api.weatherapi.com/v1/\"")
    }

    signingConfigs {
        create("release") {
            storeFile = file("../keystore/release.jks")
            storePassword = "⟦password|«sp»⟧"
            keyAlias = "upload"
            keyPassword = "⟦password|«kp»⟧"
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
    buildFeatures { compose = true; buildConfig = true }
    composeOptions { kotlinCompilerExtensionVersion = "1.5.7" }
}

dependencies {
    implementation("androidx.core:core-ktx:1.12.0")
    implementation("androidx.activity:activity-compose:1.8.2")
    implementation(platform("androidx.compose:compose-bom:2023.10.01"))
    implementation("com.squareup.retrofit2:retrofit:2.9.0")
    implementation("com.squareup.retrofit2:converter-gson:2.9.0")
    implementation("com.google.android.gms:play-services-location:21.0.1")
    kapt("com.google.dagger:hilt-compiler:2.48.1")
    testImplementation("junit:junit:4.13.2")
}
''', pkg=_handle(r).replace("-", ""), wk=_hex(r, 31), mk=gkey(r), sp=_pw_h(r, "!*"), kp=_pw_h(r, "!*"))


def d_scala_hocon(r):
    ip1, ip2 = _ip4(r), _ip4(r)
    return "conf/application.conf", _t(r'''# https://www.playframework.com/documentation/latest/Configuration
play.http.secret.key = "⟦key|«sk»⟧"
play.http.secret.key = ${?APPLICATION_SECRET}

play.i18n.langs = ["en", "de"]
play.filters.hosts.allowed = [".«dom»", "localhost:9000"]

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://⟦ip_address|«ip1»⟧:5432/orders"
    user = "play"
    password = "⟦password|«pw»⟧"
    numThreads = 10
    connectionTimeout = 5s
  }
}

akka {
  loglevel = "INFO"
  actor.provider = cluster
  remote.artery {
    canonical.hostname = "⟦ip_address|«ip2»⟧"
    canonical.port = 25520
    bind.hostname = "0.0.0.0"
  }
  cluster {
    seed-nodes = [
      "akka://orders@⟦ip_address|«ip2»⟧:25520"
    ]
    downing-provider-class = "akka.cluster.sbr.SplitBrainResolverProvider"
  }
}

mailer {
  host = "smtp.sendgrid.net"
  port = 587
  user = "apikey"
  password = "⟦key|«sg»⟧"
  from = "⟦email|orders@«dom»⟧"
}
''', sk=_s(r, 48, ALNUM), dom=r.choice(ORGDOM), ip1=ip1, ip2=ip2, pw=_pw(r), sg=sendgrid(r))


# ============================================================================================
# C / C++ / Arduino
# ============================================================================================

def d_esp8266_mqtt(r):
    ip = _ip4(r)
    return "weather_station/weather_station.ino", _t(r'''#include <ESP8266WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>
#include "ThingSpeak.h"

#define BLYNK_TEMPLATE_ID "TMPL«tmpl»"
#define BLYNK_AUTH_TOKEN "⟦key|«blynk»⟧"

// ---- WiFi ----
const char* ssid = "«ssid»";
const char* password = "⟦password|«wifipw»⟧";

// ---- MQTT ----
const char* mqtt_server = "⟦ip_address|«ip»⟧";
const int   mqtt_port = 1883;
const char* mqtt_user = "esp_ws";
const char* mqtt_pass = "⟦password|«mqttpw»⟧";

// ---- ThingSpeak ----
unsigned long channelID = «chan»;
const char* writeAPIKey = "⟦key|«tsk»⟧";

// static IP on the home network
IPAddress local_IP(192, 168, 1, 184);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);

#define DHTPIN D4
#define DHTTYPE DHT22
DHT dht(DHTPIN, DHTTYPE);

WiFiClient espClient;
PubSubClient client(espClient);
unsigned long lastMsg = 0;

void setup_wifi() {
  delay(10);
  Serial.print("Connecting to ");
  Serial.println(ssid);
  WiFi.config(local_IP, gateway, subnet);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("ESP8266WeatherStation", mqtt_user, mqtt_pass)) {
      client.subscribe("ws/cmd");
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
  ThingSpeak.begin(espClient);
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  unsigned long now = millis();
  if (now - lastMsg > 60000) {
    lastMsg = now;
    float t = dht.readTemperature();
    float h = dht.readHumidity();
    client.publish("ws/temp", String(t).c_str());
    client.publish("ws/hum", String(h).c_str());
    ThingSpeak.setField(1, t);
    ThingSpeak.setField(2, h);
    ThingSpeak.writeFields(channelID, writeAPIKey);
  }
}
''', ssid=r.choice(["FRITZ!Box 7530 XY", "TP-Link_4F2A", "Vodafone-3C8E", "NETGEAR42"]),
        wifipw=_pw_r(r, 16, ""), ip=ip, mqttpw=_pw_h(r, "!*"), chan=_digits(r, 7),
        tsk=_s(r, 16, UP + DIG), tmpl=_s(r, 8, ALNUM), blynk=_s(r, 32, URLSAFE))


def d_c_libcurl(r):
    ip = _ip4(r)
    return "src/uploader.c", _t(r'''/*
 * uploader.c - push the measurement files to the lab FTP server
 *
 * gcc -Wall -O2 uploader.c -o uploader -lcurl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>

#define FTP_URL   "ftp://⟦ip_address|«ip»⟧/incoming/"
#define FTP_LOGIN "labupload:⟦password|«pw»⟧"

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *stream)
{
    return fread(ptr, size, nmemb, (FILE *)stream);
}

static int upload(const char *path)
{
    CURL *curl;
    CURLcode res;
    struct stat st;
    char url[512];
    FILE *fp = fopen(path, "rb");

    if (!fp) {
        perror(path);
        return 1;
    }
    fstat(fileno(fp), &st);
    const char *base = strrchr(path, '/');
    snprintf(url, sizeof url, "%s%s", FTP_URL, base ? base + 1 : path);

    curl = curl_easy_init();
    if (!curl) {
        fclose(fp);
        return 1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_USERPWD, FTP_LOGIN);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, fp);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
    curl_easy_setopt(curl, CURLOPT_FTP_CREATE_MISSING_DIRS, CURLFTP_CREATE_DIR);

    res = curl_easy_perform(curl);
    if (res != CURLE_OK)
        fprintf(stderr, "upload of %s failed: %s\n", path, curl_easy_strerror(res));
    curl_easy_cleanup(curl);
    fclose(fp);
    return res != CURLE_OK;
}

int main(int argc, char **argv)
{
    int i, failed = 0;
    curl_global_init(CURL_GLOBAL_ALL);
    for (i = 1; i < argc; i++)
        failed += upload(argv[i]);
    curl_global_cleanup();
    printf("%d/%d files uploaded\n", argc - 1 - failed, argc - 1);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
''', ip=ip, pw=_pw_r(r, 12, "!*"))


def d_qt_database(r):
    ip = _ip4(r)
    return "src/databasemanager.cpp", _t(r'''#include "databasemanager.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QDebug>
#include <QSettings>

DatabaseManager::DatabaseManager(QObject *parent) : QObject(parent)
{
}

bool DatabaseManager::open()
{
    m_db = QSqlDatabase::addDatabase("QMYSQL");
    m_db.setHostName("⟦ip_address|«ip»⟧");
    m_db.setPort(3306);
    m_db.setDatabaseName("pos_system");
    m_db.setUserName("pos_client");
    m_db.setPassword("⟦password|«pw»⟧");

    if (!m_db.open()) {
        qWarning() << "DB error:" << m_db.lastError().text();
        // fall back to the local copy
        m_db = QSqlDatabase::addDatabase("QSQLITE", "local");
        m_db.setDatabaseName(QSettings().value("localDbPath", "pos.sqlite").toString());
        return m_db.open();
    }
    return true;
}

QList<Product> DatabaseManager::products()
{
    QList<Product> out;
    QSqlQuery q(m_db);
    q.prepare("SELECT id, barcode, name, price FROM products WHERE active = 1");
    if (!q.exec()) {
        qWarning() << q.lastError();
        return out;
    }
    while (q.next()) {
        Product p;
        p.id = q.value(0).toInt();
        p.barcode = q.value(1).toString();
        p.name = q.value(2).toString();
        p.price = q.value(3).toDouble();
        out.append(p);
    }
    return out;
}

bool DatabaseManager::checkLogin(const QString &user, const QString &passwordHash)
{
    QSqlQuery q(m_db);
    q.prepare("SELECT 1 FROM cashiers WHERE login = ? AND password_hash = ?");
    q.addBindValue(user);
    q.addBindValue(passwordHash);
    return q.exec() && q.next();
}
''', ip=ip, pw=_pw(r, "!#*"))


def d_c_config_h(r):
    ip = _ip4(r)
    return "firmware/include/config.h", _t(r'''#ifndef CONFIG_H
#define CONFIG_H

/* ---------------------------------------------------------------
 * Build-time configuration for the greenhouse controller.
 * Copy to config.h and edit. (yes I know, it's committed...)
 * --------------------------------------------------------------- */

#define FW_VERSION          "2.3.1.0"
#define HW_REVISION         4

#define WIFI_SSID           "«ssid»"
#define WIFI_PASS           "⟦password|«wifi»⟧"

#define API_HOST            "⟦ip_address|«ip»⟧"
#define API_PORT            8443
#define API_KEY             "⟦key|«api»⟧"
#define DEVICE_SECRET       "⟦key|«dev»⟧"

#define OTA_PASSWORD        "⟦password|«ota»⟧"

/* fallback when DHCP fails */
#define STATIC_IP           IPAddress(192, 168, 4, 20)
#define STATIC_GW           IPAddress(192, 168, 4, 1)
#define STATIC_MASK         IPAddress(255, 255, 255, 0)
#define NTP_SERVER          "pool.ntp.org"
#define DNS_PRIMARY         "1.1.1.1"

#define SENSOR_INTERVAL_MS  15000
#define PUMP_MAX_ON_MS      120000
#define SOIL_DRY_THRESHOLD  620

#endif /* CONFIG_H */
''', ssid=r.choice(["Greenhouse", "Garden-AP", "HomeNet-2G"]), wifi=_pw_h(r, "!*"), ip=ip,
        api=_s(r, 32, ALNUM), dev=_hex(r, 40), ota=_pw_r(r, 10, ""))


def d_aws_iot_secrets_h(r):
    endpoint = _s(r, 14, LO + DIG) + "-ats.iot." + r.choice(["eu-west-1", "us-east-1"]) + ".amazonaws.com"
    ca = cert_lines(r, n=6)
    cert = cert_lines(r, n=8)
    key = pem_lines(r, "RSA", nlines=12)
    q = lambda ls: "\n".join(ls)
    return "src/secrets.h", _t(r'''#include <pgmspace.h>

#define SECRET
#define THINGNAME "«thing»"

const char WIFI_SSID[] = "«ssid»";
const char WIFI_PASSWORD[] = "⟦password|«wifi»⟧";
const char AWS_IOT_ENDPOINT[] = "«ep»";

// Amazon Root CA 1
static const char AWS_CERT_CA[] PROGMEM = R"EOF(
«ca»
)EOF";

// Device Certificate
static const char AWS_CERT_CRT[] PROGMEM = R"KEY(
«cert»
)KEY";

// Device Private Key
static const char AWS_CERT_PRIVATE[] PROGMEM = R"KEY(
⟦key|«key»⟧
)KEY";
''', thing=r.choice(["esp32_plant_1", "door_sensor", "ESP32_TEMP"]), ssid=r.choice(["Livebox-1A2B", "Home_5G"]),
        wifi=_pw_r(r, 14, ""), ep=endpoint, ca=q(ca), cert=q(cert), key=q(key))




# ============================================================================================
# Go
# ============================================================================================

def d_go_mysql_main(r):
    ip = _ip4(r)
    return "cmd/api/main.go", _t(r'''package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/gorilla/mux"
)

const dsn = "gouser:⟦password|«pw»⟧@tcp(⟦ip_address|«ip»⟧:3306)/todos?parseTime=true"

type Todo struct {
	ID        int       `json:"id"`
	Title     string    `json:"title"`
	Done      bool      `json:"done"`
	CreatedAt time.Time `json:"created_at"`
}

type server struct {
	db *sql.DB
}

func (s *server) listTodos(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.Query("SELECT id, title, done, created_at FROM todos ORDER BY id DESC")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out []Todo
	for rows.Next() {
		var t Todo
		if err := rows.Scan(&t.ID, &t.Title, &t.Done, &t.CreatedAt); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, t)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func main() {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(10)
	db.SetConnMaxLifetime(3 * time.Minute)
	if err := db.Ping(); err != nil {
		log.Fatalf("ping: %v", err)
	}
	s := &server{db: db}
	r := mux.NewRouter()
	r.HandleFunc("/todos", s.listTodos).Methods("GET")
	log.Println("listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", r))
}
''', ip=ip, pw=_pw_r(r, 14, "!*-"))


def d_go_config_test(r):
    ip = _ip4(r)
    return "config/config_test.go", _t(r'''package config

import (
	"os"
	"path/filepath"
	"testing"
)

const sampleYAML = `
server:
  addr: ":8080"
  read_timeout: 5s
database:
  host: ⟦ip_address|«ip»⟧
  port: 5432
  user: svc
  password: "⟦password|«pw»⟧"
  sslmode: require
auth:
  jwt_secret: ⟦key|«jwt»⟧
  token_ttl: 24h
smtp:
  user: ⟦email|«mail»⟧
  password: ${SMTP_PASSWORD}
`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(sampleYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SMTP_PASSWORD", "")
	cfg, err := Load(p)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Database.Host != "⟦ip_address|«ip»⟧" {
		t.Errorf("host = %q", cfg.Database.Host)
	}
	if cfg.Database.Password != "⟦password|«pw»⟧" {
		t.Errorf("password not parsed")
	}
	if cfg.SMTP.Password != "" {
		t.Errorf("expected empty smtp password, got %q", cfg.SMTP.Password)
	}
}

func TestValidateRejectsShortSecret(t *testing.T) {
	cfg := &Config{Auth: Auth{JWTSecret: "short"}}
	if err := cfg.Validate(); err == nil {
		t.Fatal("expected error for short jwt secret")
	}
}
''', ip=ip, pw=_pw_h(r, "!#*"), jwt=_s(r, 40, ALNUM), mail=_email(r, r.choice(ORGDOM)))


def d_go_redis_sendgrid(r):
    ip = _ip4(r)
    return "pkg/mailer/mailer.go", _t(r'''package mailer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

var rdb = redis.NewClient(&redis.Options{
	Addr:     "⟦ip_address|«ip»⟧:6379",
	Password: "⟦password|«pw»⟧",
	DB:       2,
})

var sg = sendgrid.NewSendClient("⟦key|«sg»⟧")

type Job struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	HTML    string `json:"html"`
}

// Worker pops jobs from the queue and sends them.
func Worker(ctx context.Context) error {
	from := mail.NewEmail("Support", "⟦email|«from»⟧")
	for {
		res, err := rdb.BLPop(ctx, 5*time.Second, "mail:queue").Result()
		if err == redis.Nil {
			continue
		} else if err != nil {
			return err
		}
		var j Job
		if err := json.Unmarshal([]byte(res[1]), &j); err != nil {
			continue
		}
		msg := mail.NewSingleEmail(from, j.Subject, mail.NewEmail("", j.To), "", j.HTML)
		resp, err := sg.Send(msg)
		if err != nil || resp.StatusCode >= 300 {
			fmt.Printf("send to %s failed: %v %v\n", j.To, err, resp)
			rdb.RPush(ctx, "mail:dead", res[1])
		}
	}
}
''', ip=ip, pw=_pw_r(r, 24, ""), sg=sendgrid(r), **{"from": _email(r, r.choice(ORGDOM))})


# ============================================================================================
# C#
# ============================================================================================

def d_appsettings_json(r):
    ip = _ip4(r)
    dom = r.choice(ORGDOM)
    return "src/WebApi/appsettings.json", _t(r'''{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=⟦ip_address|«ip»⟧,1433;Database=InventoryDb;User Id=sa;Password=⟦password|«pw»⟧;TrustServerCertificate=True;",
    "Redis": "cache.«dom»:6380,password=⟦password|«redispw»⟧,ssl=True,abortConnect=False"
  },
  "Jwt": {
    "Key": "⟦key|«jwt»⟧",
    "Issuer": "https://api.«dom»",
    "Audience": "https://app.«dom»",
    "ExpiryMinutes": 120
  },
  "SendGrid": {
    "ApiKey": "⟦key|«sg»⟧",
    "FromEmail": "⟦email|no-reply@«dom»⟧",
    "FromName": "Inventory"
  },
  "Stripe": {
    "PublishableKey": "pk_live_«pk»",
    "SecretKey": "⟦key|«rk»⟧"
  },
  "Admin": {
    "Email": "⟦email|«admin»⟧",
    "InitialPassword": "⟦password|«apw»⟧"
  },
  "Serilog": {
    "MinimumLevel": "Information",
    "WriteTo": [ { "Name": "Console" }, { "Name": "File", "Args": { "path": "logs/log-.txt", "rollingInterval": "Day" } } ]
  }
}
''', ip=ip, pw=_pw(r, "!#*"), jwt=_s(r, 48, ALNUM), dom=dom, sg=sendgrid(r),
        admin=_email(r, dom, style=0), apw=_pw_h(r, "!#*"),
        redispw=b64_secret(r, 32), pk="51" + _s(r, 97), rk=stripe_sk(r, "rk_live_"))


def d_cs_smtp(r):
    mail = _email(r, r.choice(["gmail.com", "outlook.com"]))
    # C# verbatim-less string with an escaped backslash in the password
    base = _pw_r(r, 10, "")
    pw = base[:5] + "\\\\" + base[5:]
    return "Services/EmailSender.cs", _t(r'''using System;
using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.Extensions.Logging;

namespace BookStore.Services
{
    public class EmailSender : IEmailSender
    {
        private readonly ILogger<EmailSender> _logger;

        private const string Host = "smtp.office365.com";
        private const int Port = 587;
        private const string From = "⟦email|«mail»⟧";

        public EmailSender(ILogger<EmailSender> logger)
        {
            _logger = logger;
        }

        public async Task SendEmailAsync(string email, string subject, string htmlMessage)
        {
            using var client = new SmtpClient(Host, Port)
            {
                EnableSsl = true,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential(From, "⟦password|«pw»⟧")
            };

            var message = new MailMessage(From, email, subject, htmlMessage) { IsBodyHtml = true };
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
''', mail=mail, pw=pw)


def d_cs_blob_storage(r):
    acct = r.choice(["prodmediastore", "mycompanyfiles", "invoicesblob01"])
    return "src/Infrastructure/BlobStorageService.cs", _t(r'''using System.IO;
using System.Threading.Tasks;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Contoso.Infrastructure
{
    public class BlobStorageService
    {
        // TODO: move to Key Vault
        private const string ConnectionString =
            "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=⟦key|«ak»⟧;EndpointSuffix=core.windows.net";

        // local dev uses Azurite:
        // "UseDevelopmentStorage=true"

        private readonly BlobContainerClient _container;

        public BlobStorageService(string containerName = "uploads")
        {
            var service = new BlobServiceClient(ConnectionString);
            _container = service.GetBlobContainerClient(containerName);
            _container.CreateIfNotExists(PublicAccessType.None);
        }

        public async Task<string> UploadAsync(Stream content, string fileName, string contentType)
        {
            var blob = _container.GetBlobClient(fileName);
            await blob.UploadAsync(content, new BlobHttpHeaders { ContentType = contentType });
            return blob.Uri.ToString();
        }

        public async Task<Stream> DownloadAsync(string fileName)
        {
            var blob = _container.GetBlobClient(fileName);
            var result = await blob.DownloadStreamingAsync();
            return result.Value.Content;
        }

        public Task DeleteAsync(string fileName) =>
            _container.GetBlobClient(fileName).DeleteIfExistsAsync();
    }
}
''', acct=acct, ak=azure_key(r))


def d_web_config(r):
    ip = _ip4(r)
    return "Web.config", _t(r'''<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <configSections>
    <section name="entityFramework" type="System.Data.Entity.Internal.ConfigFile.EntityFrameworkSection, EntityFramework, Version=6.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089" requirePermission="false" />
  </configSections>
  <connectionStrings>
    <add name="DefaultConnection"
         connectionString="Data Source=⟦ip_address|«ip»⟧;Initial Catalog=HelpDesk;User ID=helpdesk_web;Password=⟦password|«pw»⟧;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="SmtpUser" value="⟦email|«mail»⟧" />
    <add key="SmtpPassword" value="⟦password|«smtp»⟧" />
    <add key="RecaptchaSiteKey" value="6Le«rc»" />
    <add key="RecaptchaSecretKey" value="⟦key|6Le«rcs»⟧" />
  </appSettings>
  <system.web>
    <compilation debug="true" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" maxRequestLength="20480" />
    <machineKey validationKey="⟦key|«vk»⟧"
                decryptionKey="⟦key|«dk»⟧"
                validation="HMACSHA256" decryption="AES" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
  </system.web>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" />
        <bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
</configuration>
''', ip=ip, pw=_pw_r(r, 14, "!*"), mail=_email(r, r.choice(ORGDOM)), smtp=_pw_h(r, "!*"),
        rc=_s(r, 37, URLSAFE), rcs=_s(r, 37, URLSAFE), vk=_hex(r, 128).upper(), dk=_hex(r, 64).upper())


def d_cs_nunit(r):
    users = [_person(r) for _ in range(2)]
    em = [_email(r, None, *u) for u in users]
    return "tests/Api.Tests/AccountControllerTests.cs", _t(r'''using System.Net;
using System.Net.Http.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.Testing;
using NUnit.Framework;

namespace Api.Tests
{
    [TestFixture]
    public class AccountControllerTests
    {
        private WebApplicationFactory<Program> _factory = null!;

        private static readonly object[] ValidLogins =
        {
            new object[] { "⟦email|«e0»⟧", "⟦password|«p0»⟧" },
            new object[] { "⟦email|«e1»⟧", "⟦password|«p1»⟧" },
        };

        [OneTimeSetUp]
        public void Setup() => _factory = new WebApplicationFactory<Program>();

        [OneTimeTearDown]
        public void TearDown() => _factory.Dispose();

        [TestCaseSource(nameof(ValidLogins))]
        public async Task Login_WithValidCredentials_ReturnsToken(string email, string password)
        {
            var client = _factory.CreateClient();
            var resp = await client.PostAsJsonAsync("/api/account/login", new { email, password });
            Assert.That(resp.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        [TestCase("")]
        [TestCase("   ")]
        public async Task Login_WithEmptyPassword_IsRejected(string password)
        {
            var client = _factory.CreateClient();
            var resp = await client.PostAsJsonAsync("/api/account/login",
                new { email = "⟦email|«e0»⟧", password });
            Assert.That(resp.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        [Test]
        public async Task Register_ReturnsCreated()
        {
            var client = _factory.CreateClient();
            var resp = await client.PostAsJsonAsync("/api/account/register", new
            {
                Email = "⟦email|«e2»⟧",
                Password = "⟦password|«p2»⟧",
                ConfirmPassword = "⟦password|«p2»⟧",
            });
            Assert.That(resp.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
    }
}
''', e0=em[0], e1=em[1], e2=_email(r, r.choice(ORGDOM)), p0=_pw_h(r, "!@#"), p1=_pw_h(r, "!@#"),
        p2=_pw_r(r, 12, "!@#$"))


# ============================================================================================
# PHP
# ============================================================================================

def d_php_db(r):
    ip = _ip4(r)
    return "includes/db.php", _t(r'''<?php
// Database connection
// $servername = "localhost";
$servername = "⟦ip_address|«ip»⟧";
$username = "«user»";
$password = '⟦password|«pw»⟧';
// $password = "⟦password|«oldpw»⟧";
$dbname = "«db»";

$conn = mysqli_connect($servername, $username, $password, $dbname);

if (!$conn) {
    die("Connection failed: " . mysqli_connect_error());
}
mysqli_set_charset($conn, "utf8mb4");

function escape($conn, $value) {
    return mysqli_real_escape_string($conn, trim($value));
}

function get_user_by_email($conn, $email) {
    $stmt = mysqli_prepare($conn, "SELECT id, name, password_hash FROM users WHERE email = ?");
    mysqli_stmt_bind_param($stmt, "s", $email);
    mysqli_stmt_execute($stmt);
    $res = mysqli_stmt_get_result($stmt);
    return mysqli_fetch_assoc($res);
}

function check_login($conn, $email, $password) {
    $user = get_user_by_email($conn, $email);
    if ($user && password_verify($password, $user['password_hash'])) {
        $_SESSION['user_id'] = $user['id'];
        return true;
    }
    return false;
}
?>
''', ip=ip, user=r.choice(["u48213_shop", "webuser", "college_db"]), pw=_pw(r, "!#$*"),
        db=r.choice(["student_portal", "shop", "hotel_booking"]), oldpw=_pw_h(r, "!*"))


def d_laravel_env(r):
    dom = r.choice(ORGDOM)
    mail = _email(r, "gmail.com")
    return ".env", _t(r'''APP_NAME=Laravel
APP_ENV=local
APP_KEY=⟦key|base64:«appkey»⟧
APP_DEBUG=true
APP_URL=http://localhost

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=laravel_blog
DB_USERNAME=root
DB_PASSWORD=⟦password|«dbpw»⟧

BROADCAST_DRIVER=pusher
CACHE_DRIVER=file
FILESYSTEM_DISK=local
QUEUE_CONNECTION=sync
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.gmail.com
MAIL_PORT=587
MAIL_USERNAME=⟦email|«mail»⟧
MAIL_PASSWORD=⟦password|«mailpw»⟧
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="⟦email|hello@«dom»⟧"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=⟦key|«akid»⟧
AWS_SECRET_ACCESS_KEY=⟦key|«asec»⟧
AWS_DEFAULT_REGION=us-east-1
AWS_BUCKET=«bucket»
AWS_USE_PATH_STYLE_ENDPOINT=false

MAILGUN_DOMAIN=mg.«dom»
MAILGUN_SECRET=⟦key|«mg»⟧
STRIPE_KEY=pk_test_«spk»
STRIPE_SECRET=⟦key|«ssk»⟧

PUSHER_APP_ID=«pid»
PUSHER_APP_KEY=
PUSHER_APP_SECRET=⟦key|«psec»⟧
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=mt1

VITE_APP_NAME="${APP_NAME}"
VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
''', appkey=b64_secret(r, 32), dbpw=_pw_r(r, 12, ""), mail=mail, mailpw=_s(r, 16, LO), dom=dom,
        akid=aws_id(r), asec=aws_secret(r), bucket=r.choice(["laravel-blog-media", "blog-uploads"]),
        pid=_digits(r, 7), psec=_hex(r, 20), mg=mailgun(r), spk="51" + _s(r, 97),
        ssk=stripe_sk(r, "sk_test_"))


def d_phpmailer_contact(r):
    dom = r.choice(ORGDOM)
    return "contact.php", _t(r'''<?php
use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\Exception;

require 'vendor/autoload.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    header('Location: index.html');
    exit;
}

$name    = htmlspecialchars($_POST['name'] ?? '');
$email   = filter_var($_POST['email'] ?? '', FILTER_VALIDATE_EMAIL);
$message = htmlspecialchars($_POST['message'] ?? '');

if (!$email || !$message) {
    http_response_code(400);
    echo 'Please fill in all fields.';
    exit;
}

$mail = new PHPMailer(true);
try {
    $mail->isSMTP();
    $mail->Host       = 'mail.«dom»';
    $mail->SMTPAuth   = true;
    $mail->Username   = '⟦email|contact@«dom»⟧';
    $mail->Password   = '⟦password|«pw»⟧';
    $mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
    $mail->Port       = 465;

    $mail->setFrom('⟦email|contact@«dom»⟧', 'Website contact form');
    $mail->addAddress('⟦email|«owner»⟧', '«ownername»');
    $mail->addBCC('⟦email|«bcc»⟧');
    $mail->addReplyTo($email, $name);

    $mail->isHTML(true);
    $mail->Subject = 'New message from ' . $name;
    $mail->Body    = nl2br($message);
    $mail->AltBody = strip_tags($message);

    $mail->send();
    header('Location: thanks.html');
} catch (Exception $e) {
    error_log("Mailer Error: {$mail->ErrorInfo}");
    http_response_code(500);
    echo 'Message could not be sent.';
}
''', dom=dom, pw=_pw_h(r, "!#*"), owner=_email(r, "gmail.com"), ownername=" ".join(x.capitalize() for x in _person(r)),
        bcc=_email(r, dom))


def d_wp_config(r):
    salt = lambda: _s(r, 64, "".join(c for c in string.printable[:94] if c not in "'\\"))
    return "wp-config.php", _t(r'''<?php
/**
 * The base configuration for WordPress
 *
 * @link https://wordpress.org/documentation/article/editing-wp-config-php/
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', '«db»' );

/** Database username */
define( 'DB_USER', '«user»' );

/** Database password */
define( 'DB_PASSWORD', '⟦password|«pw»⟧' );

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
define( 'AUTH_KEY',         '⟦key|«s1»⟧' );
define( 'SECURE_AUTH_KEY',  '⟦key|«s2»⟧' );
define( 'LOGGED_IN_KEY',    '⟦key|«s3»⟧' );
define( 'NONCE_KEY',        '⟦key|«s4»⟧' );
define( 'AUTH_SALT',        '⟦key|«s5»⟧' );
define( 'SECURE_AUTH_SALT', '⟦key|«s6»⟧' );
define( 'LOGGED_IN_SALT',   '⟦key|«s7»⟧' );
define( 'NONCE_SALT',       '⟦key|«s8»⟧' );

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'FS_METHOD', 'ftpext' );
define( 'FTP_HOST', 'localhost' );
define( 'FTP_USER', '«user»' );
define( 'FTP_PASS', '⟦password|«ftp»⟧' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', db=r.choice(["wp_blog", "wordpress_db", "u9231_wp"]), user=r.choice(["wp_user", "u9231_wp"]),
        pw=_pw_r(r, 16, "!*^-_"), s1=salt(), s2=salt(), s3=salt(), s4=salt(), s5=salt(), s6=salt(),
        s7=salt(), s8=salt(), ftp=_pw_h(r, "!*"))


# ============================================================================================
# Ruby
# ============================================================================================

def d_rails_database_yml(r):
    ip = _ip4(r)
    return "config/database.yml", _t(r'''# PostgreSQL. Versions 9.3 and up are supported.
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: recipes_development
  username: recipes
  password: ⟦password|«dev»⟧
  host: localhost

test:
  <<: *default
  database: recipes_test
  username: recipes
  password: ⟦password|«dev»⟧
  host: localhost

staging:
  <<: *default
  database: recipes_staging
  username: recipes_stg
  password: "⟦password|«stg»⟧"
  host: ⟦ip_address|«ip»⟧
  port: 5432

production:
  <<: *default
  database: recipes_production
  username: recipes
  password: <%= ENV["RECIPES_DATABASE_PASSWORD"] %>
  host: <%= ENV.fetch("DATABASE_HOST", "db") %>
''', dev=_pw_h(r, ""), stg=_pw_r(r, 16, "!*"), ip=ip)


def d_rails_initializers(r):
    dom = r.choice(ORGDOM)
    return "config/initializers/services.rb", _t(r'''# frozen_string_literal: true

Rails.configuration.stripe = {
  publishable_key: "pk_live_«pk»",
  secret_key: "⟦key|«sk»⟧"
}
Stripe.api_key = Rails.configuration.stripe[:secret_key]

Rails.application.config.x.square = {
  environment: "production",
  access_token: "⟦key|«sq»⟧",
  location_id: "L«loc»"
}

# Twilio for SMS notifications
TWILIO_API_KEY    = "⟦key|«tsk»⟧"
TWILIO_API_SECRET = "⟦key|«tsec»⟧"
TWILIO_AUTH_TOKEN = "⟦key|«tauth»⟧"
TWILIO_FROM       = "+1«phone»"

Rails.application.configure do
  config.action_mailer.delivery_method = :smtp
  config.action_mailer.default_url_options = { host: "«dom»", protocol: "https" }
  config.action_mailer.smtp_settings = {
    address:              "smtp.mailgun.org",
    port:                 587,
    domain:               "mg.«dom»",
    user_name:            "⟦email|postmaster@mg.«dom»⟧",
    password:             "⟦password|«mgpw»⟧",
    authentication:       "plain",
    enable_starttls_auto: true
  }
end

Sidekiq.configure_server do |config|
  config.redis = { url: ENV.fetch("REDIS_URL", "redis://localhost:6379/1") }
end
''', pk="51" + _s(r, 97), sk=stripe_sk(r), tsk=twilio_sk(r), tsec=_s(r, 32), tauth=_hex(r, 32),
        phone=_digits(r, 10), dom=dom, mgpw=_pw_r(r, 20, ""),
        sq="EAAA" + _s(r, 60, URLSAFE), loc=_s(r, 12, UP + DIG))


def d_rspec_factory(r):
    a, b = _person(r), _person(r)
    return "spec/factories/users.rb", _t(r'''# frozen_string_literal: true

FactoryBot.define do
  factory :user do
    sequence(:email) { |n| "user#{n}@#{Faker::Internet.domain_name}" }
    name { Faker::Name.name }
    password { "⟦password|«p0»⟧" }
    password_confirmation { password }
    confirmed_at { Time.current }

    trait :admin do
      role { :admin }
    end

    trait :unconfirmed do
      confirmed_at { nil }
    end
  end

  # real accounts used by the acceptance specs against staging
  factory :staging_admin, class: "User" do
    email { "⟦email|«ae»⟧" }
    name { "«an»" }
    password { "⟦password|«p1»⟧" }
    role { :admin }
  end

  factory :staging_editor, class: "User" do
    email { "⟦email|«be»⟧" }
    name { "«bn»" }
    password { "⟦password|«p2»⟧" }
    role { :editor }
    encrypted_password { "«bh»" }
  end
end
''', p0=_pw_h(r, "!*"), ae=_email(r, r.choice(ORGDOM), *a), an=" ".join(x.capitalize() for x in a),
        p1=_pw_r(r, 14, "!*"), be=_email(r, None, *b), bn=" ".join(x.capitalize() for x in b),
        p2=_pw_h(r, "!*"), bh=bcrypt_hash(r))


# ============================================================================================
# Shell
# ============================================================================================

def d_deploy_sh(r):
    ip = _ip4(r)
    return "scripts/deploy.sh", _t(r'''#!/usr/bin/env bash
# Quick and dirty deploy to the VPS. Run from repo root.
set -euo pipefail

HOST=⟦ip_address|«ip»⟧
USER=deploy
SSHPASS='⟦password|«sshpw»⟧'
APP_DIR=/var/www/«app»
BRANCH=${1:-main}

echo ">> building frontend"
npm ci && npm run build

echo ">> syncing to $USER@$HOST:$APP_DIR"
export SSHPASS
sshpass -e rsync -az --delete --exclude node_modules ./ "$USER@$HOST:$APP_DIR/"

echo ">> migrating"
sshpass -p '⟦password|«sshpw»⟧' ssh -o StrictHostKeyChecking=no deploy@⟦ip_address|«ip»⟧ <<EOF
cd $APP_DIR
git checkout $BRANCH
mysql -u «app» -p'⟦password|«dbpw»⟧' «app»_prod < db/migrations/latest.sql
pm2 reload ecosystem.config.js --env production
EOF

echo ">> notifying"
curl -s -X POST -H "Authorization: Bearer ⟦key|«tok»⟧" \
  -H "Content-Type: application/json" \
  -d "{\"text\": \"«app» deployed from $BRANCH\"}" \
  https://api.«svc».io/v1/events > /dev/null

echo "done."
''', ip=ip, sshpw=_pw(r, "!*.-"), app=r.choice(["shopfront", "bookclub", "portfolio"]),
        dbpw=_pw_r(r, 12, ""), tok=_s(r, 40, ALNUM), svc=r.choice(["deploybot", "releasehub"]))


def d_backup_sh(r):
    ip = _ip4(r)
    return "backup/pg_backup.sh", _t(r'''#!/bin/bash
#
# nightly postgres backup -> s3
# crontab: 30 2 * * * /opt/backup/pg_backup.sh >> /var/log/pg_backup.log 2>&1
#
DATE=$(date +%Y-%m-%d_%H%M)
BACKUP_DIR=/opt/backup/dumps
DB_HOST=⟦ip_address|«ip»⟧
DB_NAME=«db»
DB_USER=backup

export PGPASSWORD="⟦password|«pgpw»⟧"
export AWS_ACCESS_KEY_ID=⟦key|«akid»⟧
export AWS_SECRET_ACCESS_KEY=⟦key|«asec»⟧
export AWS_DEFAULT_REGION=eu-central-1

mkdir -p "$BACKUP_DIR"
FILE="$BACKUP_DIR/${DB_NAME}_${DATE}.sql.gz"

echo "[$(date)] dumping $DB_NAME from $DB_HOST"
pg_dump -h "$DB_HOST" -U "$DB_USER" -d "$DB_NAME" --no-owner | gzip > "$FILE"
if [ ${PIPESTATUS[0]} -ne 0 ]; then
    echo "[$(date)] pg_dump failed" >&2
    exit 1
fi

sha256sum "$FILE" > "$FILE.sha256"
aws s3 cp "$FILE" "s3://«bucket»/postgres/" --storage-class STANDARD_IA
aws s3 cp "$FILE.sha256" "s3://«bucket»/postgres/"

# keep 7 days locally
find "$BACKUP_DIR" -type f -mtime +7 -delete
echo "[$(date)] done: $(du -h "$FILE" | cut -f1)"
''', ip=ip, db=r.choice(["crm", "wiki", "erp_prod"]), pgpw=_pw(r, "!*.-"), akid=aws_id(r),
        asec=aws_secret(r), bucket=r.choice(["acme-db-backups", "backups-eu-central"]))


def d_iptables(r):
    ips = [_ip4(r) for _ in range(5)]
    ip6 = _ip6(r)
    return "firewall/iptables.sh", _t(r'''#!/bin/sh
# Firewall for the game server. Re-run after every reboot (or use iptables-persistent).

IPT=/sbin/iptables
IPT6=/sbin/ip6tables
WAN=eth0

# flush
$IPT -F
$IPT -X
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT

# loopback + established
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -s 127.0.0.0/8 ! -i lo -j DROP
$IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT

# ssh only from home and the office
$IPT -A INPUT -p tcp --dport 22 -s ⟦ip_address|«h»⟧ -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s ⟦ip_address|«o»⟧/32 -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s 10.8.0.0/24 -j ACCEPT   # openvpn clients

# game + query ports
$IPT -A INPUT -p udp --dport 27015 -j ACCEPT
$IPT -A INPUT -p tcp --dport 27015 -j ACCEPT

# rcon only from the panel
$IPT -A INPUT -p tcp --dport 27020 -s ⟦ip_address|«panel»⟧ -j ACCEPT

# known abusers
$IPT -A INPUT -s ⟦ip_address|«b1»⟧ -j DROP
$IPT -A INPUT -s ⟦ip_address|«b2»⟧ -j DROP

# drop broadcast / multicast noise
$IPT -A INPUT -d 255.255.255.255 -j DROP
$IPT -A INPUT -d 224.0.0.0/4 -j DROP
$IPT -A INPUT -s 169.254.0.0/16 -j DROP

# icmp
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/s -j ACCEPT

# ipv6: ssh from home prefix only
$IPT6 -A INPUT -p tcp --dport 22 -s ⟦ip_address|«h6»⟧ -j ACCEPT
$IPT6 -A INPUT -p ipv6-icmp -j ACCEPT
$IPT6 -A INPUT -s fe80::/10 -j ACCEPT
$IPT6 -P INPUT DROP

echo "firewall loaded"
''', h=ips[0], o=ips[1], panel=ips[2], b1=ips[3], b2=ips[4], h6=ip6)


def d_zshrc(r):
    return "dotfiles/.zshrc", _t(r'''# Path to your oh-my-zsh installation.
export ZSH="$HOME/.oh-my-zsh"
ZSH_THEME="robbyrussell"
plugins=(git docker kubectl fzf zsh-autosuggestions)
source $ZSH/oh-my-zsh.sh

export EDITOR=nvim
export PATH="$HOME/.local/bin:$HOME/go/bin:$PATH"
export GOPATH="$HOME/go"

# pyenv
export PYENV_ROOT="$HOME/.pyenv"
command -v pyenv >/dev/null || export PATH="$PYENV_ROOT/bin:$PATH"
eval "$(pyenv init -)"

# nvm
export NVM_DIR="$HOME/.nvm"
[ -s "$NVM_DIR/nvm.sh" ] && \. "$NVM_DIR/nvm.sh"

# tokens (TODO: move to pass)
export HOMEBREW_GITHUB_API_TOKEN=⟦key|«brew»⟧
export GITHUB_TOKEN="⟦key|«gh»⟧"
export OPENAI_API_KEY="⟦key|«oai»⟧"
export HF_TOKEN=⟦key|«hf»⟧
export DIGITALOCEAN_ACCESS_TOKEN=⟦key|dop_v1_«do»⟧
# export ANTHROPIC_API_KEY=$(pass show anthropic)

alias k=kubectl
alias gs="git status -sb"
alias gl="git log --oneline --graph --decorate -20"
alias dc="docker compose"
alias serve="python3 -m http.server 8000"
alias myip="curl -s https://ifconfig.me"

mkcd() { mkdir -p "$1" && cd "$1"; }
''', brew=ghp(r), gh=gh_pat(r), oai=openai_key(r), hf=hf_tok(r), do=_hex(r, 64))


def d_docker_login_sh(r):
    return "ci/push-image.sh", _t(r'''#!/usr/bin/env bash
set -e

IMAGE=«ns»/«app»
TAG=$(git rev-parse --short HEAD)
REGISTRY=registry.gitlab.com

echo "building $IMAGE:$TAG"
docker build -t "$IMAGE:$TAG" -t "$IMAGE:latest" .

# docker hub
docker login -u «ns» -p ⟦password|«hubpw»⟧
docker push "$IMAGE:$TAG"
docker push "$IMAGE:latest"

# gitlab mirror
echo "⟦key|«gl»⟧" | docker login "$REGISTRY" -u «ns» --password-stdin
docker tag "$IMAGE:$TAG" "$REGISTRY/$IMAGE:$TAG"
docker push "$REGISTRY/$IMAGE:$TAG"

# helm chart -> chartmuseum
helm package chart/ --app-version "$TAG"
curl --fail -u «ns»:⟦password|«cmpw»⟧ --data-binary "@«app»-0.1.0.tgz" https://charts.«dom»/api/charts

# github release with the chart attached
export GH_TOKEN=⟦key|«gho»⟧
gh release create "v$TAG" "«app»-0.1.0.tgz" --generate-notes

# read the prod password interactively instead
# read -s -p "prod registry password: " PROD_PW
echo "pushed $IMAGE:$TAG"
''', ns=_handle(r).lower(), app=r.choice(["api-gateway", "imgproxy", "worker"]), hubpw=_pw_r(r, 14, "-_"),
        gl=glpat(r), cmpw=_pw_h(r, "-_"), dom=r.choice(ORGDOM), gho=ghp(r, "gho_"))


# ============================================================================================
# YAML / JSON / CI / containers / infra
# ============================================================================================

def d_docker_compose(r):
    mail = _email(r)
    return "docker-compose.yml", _t(r'''version: "3.8"

services:
  db:
    image: mysql:8.0@sha256:«dig»
    restart: unless-stopped
    environment:
      MYSQL_ROOT_PASSWORD: ⟦password|«root»⟧
      MYSQL_DATABASE: wordpress
      MYSQL_USER: wp
      MYSQL_PASSWORD: ⟦password|«wp»⟧
    volumes:
      - db_data:/var/lib/mysql
    networks:
      - backend

  wordpress:
    image: wordpress:6.4-php8.2-apache
    depends_on:
      - db
    ports:
      - "8080:80"
    environment:
      WORDPRESS_DB_HOST: db:3306
      WORDPRESS_DB_USER: wp
      WORDPRESS_DB_PASSWORD: ⟦password|«wp»⟧
      WORDPRESS_DB_NAME: wordpress
    volumes:
      - ./wp-content:/var/www/html/wp-content
    networks:
      - backend
      - frontend

  phpmyadmin:
    image: phpmyadmin:5.2
    depends_on:
      - db
    ports:
      - "8081:80"
    environment:
      PMA_HOST: db
      PMA_USER: root
      PMA_PASSWORD: ⟦password|«root»⟧
    networks:
      - backend

  redis:
    image: redis:7-alpine
    command: redis-server --requirepass ⟦password|«redis»⟧ --appendonly yes
    networks:
      - backend

  datadog:
    image: gcr.io/datadoghq/agent:7
    environment:
      DD_API_KEY: ⟦key|«dd»⟧
      DD_SITE: datadoghq.eu
      DD_LOGS_ENABLED: "true"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro

  pgadmin:
    image: dpage/pgadmin4
    environment:
      PGADMIN_DEFAULT_EMAIL: ⟦email|«mail»⟧
      PGADMIN_DEFAULT_PASSWORD: ⟦password|«pga»⟧
    ports:
      - "5050:80"

volumes:
  db_data: {}

networks:
  backend:
    ipam:
      config:
        - subnet: 172.28.0.0/16
  frontend:
''', dig=_hex(r, 64), root=_pw_r(r, 14, "_"), wp=_pw_h(r, ""), mail=mail, pga=_pw_h(r, ""),
        redis=_pw_r(r, 20, ""), dd=_hex(r, 32))


def d_gh_actions(r):
    return ".github/workflows/deploy.yml", _t(r'''name: Build and deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  IMAGE: ghcr.io/${{ github.repository }}
  SLACK_WEBHOOK: https://hooks.slack.com/services/⟦key|«hook»⟧

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
          node-version: 20
          cache: npm
      - run: npm ci && npm test

      - name: Log in to Docker Hub
        uses: docker/login-action@v3
        with:
          username: «hub»
          password: ⟦key|dckr_pat_«dckr»⟧

      - name: Log in to GHCR
        uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}

      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: ${{ env.IMAGE }}:${{ github.sha }},«hub»/app:latest

  publish-sdk:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          registry-url: https://registry.npmjs.org
      - run: npm publish --access public
        working-directory: sdk
        env:
          NODE_AUTH_TOKEN: ⟦key|«npm»⟧

  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - name: Deploy over SSH
        uses: appleboy/ssh-action@v1.0.3
        with:
          host: ${{ secrets.DEPLOY_HOST }}
          username: deploy
          key: ${{ secrets.DEPLOY_KEY }}
          script: |
            docker pull ${{ env.IMAGE }}:${{ github.sha }}
            docker compose -f /srv/app/docker-compose.yml up -d

      - name: Notify Slack
        if: always()
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data '{"text":"deploy ${{ job.status }}: ${{ github.sha }}"}' "$SLACK_WEBHOOK"
''', hook=slack_hook(r), hub=_handle(r).lower(), dckr=_s(r, 27, URLSAFE), npm=npm_tok(r))


def d_gitlab_ci(r):
    ip = _ip4(r)
    return ".gitlab-ci.yml", _t(r'''stages:
  - test
  - build
  - deploy

variables:
  POSTGRES_DB: app_test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: ⟦password|«pgpw»⟧
  DATABASE_URL: "postgresql://runner:⟦password|«pgpw»⟧@postgres:5432/app_test"
  SONAR_TOKEN: "⟦key|«sonar»⟧"
  DEPLOY_HOST: "⟦ip_address|«ip»⟧"
  HEROKU_API_KEY: ⟦key|«heroku»⟧
  DOCKER_DRIVER: overlay2

test:
  stage: test
  image: python:3.11-slim
  services:
    - postgres:15
  before_script:
    - pip install -r requirements-dev.txt
  script:
    - pytest --cov=app --cov-report=xml
    - sonar-scanner -Dsonar.login=$SONAR_TOKEN
  artifacts:
    reports:
      coverage_report:
        coverage_format: cobertura
        path: coverage.xml

build:
  stage: build
  image: docker:24
  services: [docker:24-dind]
  script:
    - docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA

deploy:
  stage: deploy
  image: alpine:3.19
  only: [main]
  before_script:
    - apk add --no-cache openssh-client sshpass
  script:
    - dpl --provider=heroku --app=$HEROKU_APP --api-key=$HEROKU_API_KEY
    - sshpass -p "⟦password|«sshpw»⟧" ssh -o StrictHostKeyChecking=no root@$DEPLOY_HOST "cd /opt/app && docker compose pull && docker compose up -d"
''', pgpw=_pw_r(r, 12, ""), sonar="sqp_" + _hex(r, 40), ip=ip, sshpw=_pw(r, "!*"), heroku="HRKU-AA" + _s(r, 58, URLSAFE))


def d_k8s_secret(r):
    return "k8s/base/secrets.yaml", _t(r'''apiVersion: v1
kind: Secret
metadata:
  name: api-secrets
  namespace: «ns»
  labels:
    app.kubernetes.io/name: api
type: Opaque
stringData:
  DATABASE_PASSWORD: "⟦password|«dbpw»⟧"
  REDIS_PASSWORD: "⟦password|«rpw»⟧"
  JWT_SIGNING_KEY: "⟦key|«jwt»⟧"
  STRIPE_SECRET_KEY: "⟦key|«sk»⟧"
  SENTRY_DSN: "https://«sentry»@o«org».ingest.sentry.io/«sproj»"
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: «ns»
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: |
    {"auths":{"ghcr.io":{"username":"«user»","password":"⟦key|«gh»⟧"}}}
---
apiVersion: v1
kind: Secret
metadata:
  name: api-tls
  namespace: «ns»
type: kubernetes.io/tls
stringData:
  tls.crt: |
    «crt»
  tls.key: |
    ⟦key|«eckey»⟧
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: «ns»
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: api
          image: ghcr.io/«user»/api:1.8.3
          envFrom:
            - secretRef:
                name: api-secrets
          ports:
            - containerPort: 8000
''', ns=r.choice(["prod", "shop", "default"]), dbpw=_pw_r(r, 20, ""), rpw=_pw_r(r, 16, "-_"),
        jwt=b64_secret(r, 48), sk=stripe_sk(r), sentry=_hex(r, 32), org=_digits(r, 6),
        sproj=_digits(r, 7), user=_handle(r).lower(), gh=ghp(r),
        crt="\n    ".join(cert_lines(r, n=10)), eckey=pem(r, "EC", sep="\n    "))


def d_bot_config_json(r):
    mail = _email(r)
    return "config.json", _t(r'''{
  "prefix": "?",
  "token": "⟦key|«tok»⟧",
  "clientId": "«cid»",
  "guildId": "«gid»",
  "ownerIds": ["«oid»"],
  "mongoURI": "mongodb://botuser:⟦password|«pw»⟧@⟦ip_address|«ip»⟧:27017/modbot?authSource=admin",
  "youtubeApiKey": "⟦key|«yt»⟧",
  "embedColor": "#5865F2",
  "supportEmail": "⟦email|«mail»⟧",
  "logChannel": "«lc»",
  "antiSpam": {
    "enabled": true,
    "maxMessages": 5,
    "interval": 3000
  }
}
''', tok=discord_tok(r), cid=_digits(r, 18), gid=_digits(r, 18), oid=_digits(r, 18), pw=_pw_h(r, "-_"),
        ip=_ip4(r), yt=gkey(r), mail=mail, lc=_digits(r, 19))


def d_ansible_inventory(r):
    ips = [_ip4(r) for _ in range(3)]
    vault = "\n".join("          " + _hex(r, 80) for _ in range(4))
    return "inventory/group_vars/all.yml", _t(r'''---
# inventory/hosts.yml references these
all:
  children:
    webservers:
      hosts:
        web-01:
          ansible_host: ⟦ip_address|«w1»⟧
        web-02:
          ansible_host: ⟦ip_address|«w2»⟧
    dbservers:
      hosts:
        db-01:
          ansible_host: ⟦ip_address|«d1»⟧
          ansible_port: 2222
  vars:
    ansible_user: ubuntu
    ansible_become: true
    ansible_become_pass: "⟦password|«become»⟧"
    ansible_python_interpreter: /usr/bin/python3

    mysql_root_password: "⟦password|«root»⟧"
    mysql_app_user: app
    mysql_app_password: "{{ vault_mysql_app_password }}"

    postgres_users:
      - name: app
        password: "⟦password|«pgapp»⟧"
        db: app_production
      - name: metabase
        password: "{{ vault_metabase_db_password }}"

    # key the servers use to pull from GitHub
    deploy_ssh_key: |
      ⟦key|«sshkey»⟧
    deploy_ssh_pubkey: "«sshpub»"

    letsencrypt_email: ⟦email|«mail»⟧
    ntp_servers:
      - 0.pool.ntp.org
      - 1.pool.ntp.org
    dns_nameservers:
      - 1.1.1.1
      - 8.8.8.8

    app_secret_key: !vault |
          $ANSIBLE_VAULT;1.1;AES256
«vault»
''', w1=ips[0], w2=ips[1], d1=ips[2], become=_pw(r, "!*"), root=_pw_r(r, 16, "-_"),
        mail=_email(r, r.choice(ORGDOM)), vault=vault, pgapp=_pw_r(r, 18, "-_"),
        sshkey=pem(r, "OPENSSH", sep="\n      "), sshpub=ssh_pub(r, "deploy@ci"))


def d_helm_values(r):
    ip1, ip2 = _ip4(r), _ip4(r)
    return "charts/mastodon/values-prod.yaml", _t(r'''image:
  repository: ghcr.io/mastodon/mastodon
  tag: v4.2.3
  pullPolicy: IfNotPresent

mastodon:
  createAdmin:
    enabled: true
    username: «admin»
    email: ⟦email|«mail»⟧
  local_domain: «dom»
  s3:
    enabled: true
    access_key: ⟦key|«akid»⟧
    access_secret: ⟦key|«asec»⟧
    bucket: «bucket»
    endpoint: https://s3.eu-central-003.backblazeb2.com
  secrets:
    secret_key_base: ⟦key|«skb»⟧
    otp_secret: ⟦key|«otp»⟧
    vapid:
      private_key: ⟦key|«vapid»⟧
      public_key: «vapidpub»
  smtp:
    server: smtp.mailgun.org
    port: 587
    login: ⟦email|postmaster@mg.«dom»⟧
    password: ⟦password|«smtp»⟧
    from_address: ⟦email|notifications@«dom»⟧

ingress:
  enabled: true
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: "⟦ip_address|«ip1»⟧/32,⟦ip_address|«ip2»⟧/32"
  hosts:
    - host: «dom»
      paths:
        - path: /

postgresql:
  enabled: true
  auth:
    username: mastodon
    password: ⟦password|«pg»⟧
    existingSecret: ""

redis:
  enabled: true
  auth:
    password: ⟦password|«redis»⟧
''', admin=_handle(r), mail=_email(r), dom=r.choice(ORGDOM), akid="00" + _hex(r, 23), asec="K003" + _s(r, 27, ALNUM + "+/"),
        bucket=r.choice(["masto-media", "social-files"]), skb=_hex(r, 128), otp=_hex(r, 128),
        vapid=_s(r, 43, URLSAFE) + "=", vapidpub="B" + _s(r, 86, URLSAFE) + "=", smtp=_pw_r(r, 20, ""),
        ip1=ip1, ip2=ip2, pg=_pw_r(r, 18, ""), redis=_pw_r(r, 18, ""))


def d_serverless_yml(r):
    return "serverless.yml", _t(r'''service: image-resizer

frameworkVersion: "3"

provider:
  name: aws
  runtime: nodejs18.x
  region: eu-west-1
  memorySize: 1024
  timeout: 20
  environment:
    BUCKET: ${self:custom.bucket}
    CLOUDINARY_URL: cloudinary://«cn»:⟦key|«cs»⟧@«cloud»
    MAILCHIMP_API_KEY: ⟦key|«mc»⟧
    SLACK_TOKEN: ⟦key|«slack»⟧
    AIRTABLE_TOKEN: ⟦key|«at»⟧
    AIRTABLE_BASE: app«base»
    STAGE: ${sls:stage}
    KMS_KEY_ARN: «kms»
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [s3:GetObject, s3:PutObject]
          Resource: arn:aws:s3:::${self:custom.bucket}/*
        - Effect: Allow
          Action: [kms:Decrypt]
          Resource: «kms»

custom:
  bucket: image-resizer-${sls:stage}-uploads

functions:
  resize:
    handler: src/handler.resize
    events:
      - s3:
          bucket: ${self:custom.bucket}
          event: s3:ObjectCreated:*
          rules:
            - prefix: originals/

plugins:
  - serverless-esbuild
''', cn=_digits(r, 15), cs=_s(r, 27, URLSAFE), cloud=r.choice(["dx3fh2k", "my-cloud", "shopimgs"]),
        mc=_hex(r, 32) + "-us" + str(r.randint(2, 21)), slack=xoxb(r), kms=kms_arn(r, "eu-west-1"),
        at="pat" + _s(r, 14) + "." + _hex(r, 64), base=_s(r, 14))


def d_vscode_sftp(r):
    ip = _ip4(r)
    return ".vscode/sftp.json", _t(r'''{
    "name": "production",
    "host": "⟦ip_address|«ip»⟧",
    "protocol": "sftp",
    "port": 22,
    "username": "«user»",
    "password": "⟦password|«pw»⟧",
    "remotePath": "/home/«user»/public_html",
    "uploadOnSave": true,
    "useTempFile": false,
    "openSsh": false,
    "ignore": [
        ".vscode",
        ".git",
        ".DS_Store",
        "node_modules"
    ],
    "profiles": {
        "staging": {
            "host": "«lan»",
            "username": "dev",
            "password": "",
            "remotePath": "/var/www/staging"
        }
    },
    "watcher": {
        "files": "dist/**/*.{js,css}",
        "autoUpload": true,
        "autoDelete": false
    }
}
''', ip=ip, user=r.choice(["cpanel_mk", "u72611", "webmaster"]), pw=_pw(r, "!#*"), lan=_priv4(r))


def d_dockerfile(r):
    a = _person(r)
    return "Dockerfile", _t(r'''FROM python:3.11-slim@sha256:«dig» AS base

LABEL maintainer="«an» <⟦email|«ae»⟧>"
LABEL org.opencontainers.image.source="https://github.com/«gh»/scraper-api"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# TODO: pass these at runtime
ENV SCRAPER_API_KEY=⟦key|«api»⟧ \
    DB_URL=postgresql://scraper:⟦password|«pw»⟧@db:5432/scraper \
    PROXY_LIST=http://⟦ip_address|«p1»⟧:3128,http://⟦ip_address|«p2»⟧:3128

WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential libpq-dev curl \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --extra-index-url https://ci:⟦password|«idxpw»⟧@pypi.«dom»/simple/ -r requirements.txt \
    && pip install gunicorn==21.2.0

COPY . .

RUN useradd -m -u 1000 app && chown -R app:app /app
USER app

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://127.0.0.1:8000/health || exit 1
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "api.wsgi:app"]
''', dig=_hex(r, 64), an=" ".join(x.capitalize() for x in a), ae=_email(r, None, *a), gh=_handle(r),
        api=_s(r, 32, ALNUM), pw=_pw_r(r, 14, "-_"), p1=_ip4(r), p2=_ip4(r),
        idxpw=_pw_r(r, 16, ""), dom=r.choice(ORGDOM))


def d_terraform_main(r):
    ip1, ip2 = _ip4(r), _ip4(r)
    return "infra/main.tf", _t(r'''terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.30"
    }
  }
}

provider "aws" {
  region     = "us-west-2"
  access_key = "⟦key|«akid»⟧"
  secret_key = "⟦key|«asec»⟧"
}

provider "cloudflare" {
  api_token = "⟦key|«cf»⟧"
}

resource "aws_security_group" "db" {
  name        = "db-sg"
  description = "Postgres access"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "office"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["⟦ip_address|«ip1»⟧/32", "⟦ip_address|«ip2»⟧/32"]
  }

  ingress {
    description = "vpc"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "main" {
  identifier             = "app-db"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  db_name                = "app"
  username               = "app_admin"
  password               = "⟦password|«dbpw»⟧"
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = true
  kms_key_id             = "«kms»"
  skip_final_snapshot    = true
}

resource "cloudflare_record" "api" {
  zone_id = "«zone»"
  name    = "api"
  value   = aws_db_instance.main.address
  type    = "CNAME"
  proxied = false
}

provider "mysql" {
  endpoint = "legacy-db.internal:3306"
  username = "terraform"
  password = "⟦password|«mysqlpw»⟧"
}

variable "github_token" {
  type      = string
  sensitive = true
}

output "db_endpoint" {
  value = aws_db_instance.main.endpoint
}
''', akid=aws_id(r), asec=aws_secret(r), ip1=ip1, ip2=ip2, dbpw=_pw_r(r, 16, "!*-_"),
        kms=kms_arn(r, "us-west-2"), cf=_s(r, 40, URLSAFE), zone=_hex(r, 32), mysqlpw=_pw_h(r, "!*"))


# ============================================================================================
# more configs and scripts
# ============================================================================================

def d_probot_env(r):
    return ".env", _t(r'''# The ID of your GitHub App
APP_ID=«appid»
WEBHOOK_SECRET=⟦key|«wh»⟧

# Use `trace` to get verbose logging or `info` to show less
LOG_LEVEL=debug

# Go to https://smee.io/new set this to the URL that you are redirected to.
WEBHOOK_PROXY_URL=https://smee.io/«smee»

PRIVATE_KEY="⟦key|«key»⟧\n"

GITHUB_CLIENT_ID=Iv1.«cid»
GITHUB_CLIENT_SECRET=⟦key|«csec»⟧

DATABASE_URL=postgres://probot:⟦password|«pgpw»⟧@localhost:5432/stale_bot
REDIS_URL=redis://default:⟦password|«redispw»⟧@redis-«rport».c«rc».us-east-1-2.ec2.cloud.redislabs.com:«rport»

SENTRY_DSN=https://«sentry»@o«org».ingest.sentry.io/«sproj»
# NODE_ENV=production
''', appid=r.randint(100000, 999999), wh=_hex(r, 40), smee=_s(r, 16), key=pem(r, "RSA", sep="\\n"),
        cid=_hex(r, 16), csec=_hex(r, 40), pgpw=_pw_r(r, 14, ""), redispw=_s(r, 32), rport=r.randint(10000, 19999),
        rc=r.randint(1, 300), sentry=_hex(r, 32), org=_digits(r, 6), sproj=_digits(r, 7))


def d_warehouse_py(r):
    ip = _ip4(r)
    raw = _pw_r(r, 6, "") + "@" + str(r.randint(10, 99)) + "/" + r.choice(WORDS)
    enc = quote(raw, safe="")
    return "etl/warehouse.py", _t(r'''"""Connections for the nightly ETL: Postgres (source), SQL Server (finance), Snowflake (target)."""
import os
from urllib.parse import quote_plus

import pyodbc
import snowflake.connector
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import serialization
from sqlalchemy import create_engine, text

# the password has an "@" and a "/" in it, so it must be percent-encoded in the URL
PG_PASSWORD = "⟦password|«raw»⟧"
PG_URL = "postgresql+psycopg2://analytics:⟦password|«enc»⟧@⟦ip_address|«ip»⟧:5432/shop"
# PG_URL = f"postgresql+psycopg2://analytics:{quote_plus(PG_PASSWORD)}@{os.environ['PG_HOST']}:5432/shop"

FINANCE_CONN = (
    "DRIVER={ODBC Driver 18 for SQL Server};"
    "SERVER=finance-sql.corp.local,1433;DATABASE=Ledger;"
    "UID=etl_reader;PWD=⟦password|«mssql»⟧;Encrypt=yes;TrustServerCertificate=yes"
)

SNOWFLAKE_ACCOUNT = "«acct»"
SNOWFLAKE_USER = "ETL_SERVICE"
SNOWFLAKE_PRIVATE_KEY = b"""⟦key|«p8»⟧
"""


def pg_engine():
    return create_engine(PG_URL, pool_pre_ping=True)


def finance_conn():
    return pyodbc.connect(FINANCE_CONN)


def snowflake_conn():
    pkey = serialization.load_pem_private_key(SNOWFLAKE_PRIVATE_KEY, password=None, backend=default_backend())
    pkb = pkey.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    return snowflake.connector.connect(
        account=SNOWFLAKE_ACCOUNT,
        user=SNOWFLAKE_USER,
        private_key=pkb,
        warehouse="ETL_WH",
        database="RAW",
        schema="SHOP",
    )


def row_counts():
    with pg_engine().connect() as c:
        return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("orders", "customers")}
''', raw=raw, enc=enc, ip=ip, mssql=_pw_h(r, "!*#"), acct=_s(r, 7, UP + DIG) + "-" + _s(r, 7, UP + DIG),
        p8=pem(r, "PKCS8"))


def d_powershell_deploy(r):
    ip = _ip4(r)
    sec = _s(r, 3, ALNUM) + "8Q~" + _s(r, 34, ALNUM + "_.~-")
    return "scripts/Deploy-WebApp.ps1", _t(r'''<#
.SYNOPSIS
    Builds the solution and deploys it to the Azure Web App, then runs the DB migration.
.EXAMPLE
    .\Deploy-WebApp.ps1 -Environment prod
#>
param(
    [ValidateSet("dev", "prod")]
    [string]$Environment = "dev",
    [string]$ResourceGroup = "rg-contoso-$Environment",
    [string]$WebApp = "contoso-web-$Environment"
)

$ErrorActionPreference = "Stop"

# service principal "github-deployer"
$TenantId     = "«tenant»"
$ClientId     = "«client»"
$ClientSecret = "⟦key|«sec»⟧"

$secure = ConvertTo-SecureString $ClientSecret -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential($ClientId, $secure)
Connect-AzAccount -ServicePrincipal -Credential $cred -Tenant $TenantId | Out-Null

Write-Host "Publishing $WebApp ..." -ForegroundColor Cyan
dotnet publish .\src\Contoso.Web\Contoso.Web.csproj -c Release -o .\publish
Compress-Archive -Path .\publish\* -DestinationPath .\publish.zip -Force
Publish-AzWebApp -ResourceGroupName $ResourceGroup -Name $WebApp -ArchivePath .\publish.zip -Force

Write-Host "Migrating database ..." -ForegroundColor Cyan
Invoke-Sqlcmd -ServerInstance "⟦ip_address|«ip»⟧,1433" -Database "Contoso" `
    -Username "deploy" -Password "⟦password|«sqlpw»⟧" `
    -InputFile .\db\migrate.sql

# build agent local account (first run only)
if (-not (Get-LocalUser -Name "builder" -ErrorAction SilentlyContinue)) {
    $pw = ConvertTo-SecureString "⟦password|«localpw»⟧" -AsPlainText -Force
    New-LocalUser -Name "builder" -Password $pw -FullName "Build Agent" -PasswordNeverExpires
}

# for manual runs: $pw = Read-Host -AsSecureString "Password for builder"
Write-Host "Done." -ForegroundColor Green
''', tenant=uuid4(r), client=uuid4(r), sec=sec, ip=ip, sqlpw=_pw_r(r, 14, "!*"), localpw=_pw_h(r, "!#"))


def d_streamlit_secrets(r):
    return ".streamlit/secrets.toml", _t(r'''# Streamlit secrets -- this file should be in .gitignore!
# https://docs.streamlit.io/develop/concepts/connections/secrets-management

OPENAI_API_KEY = "⟦key|«oai»⟧"
MAPBOX_TOKEN = "pk.eyJ1Ijoi«mbu»IiwiYSI6ImNs«mb1»In0.«mb2»"

[connections.postgresql]
dialect = "postgresql"
host = "⟦ip_address|«ip»⟧"
port = "5432"
database = "dashboards"
username = "streamlit"
password = "⟦password|«pw»⟧"

[auth]
cookie_name = "sales_dash"
cookie_key = "⟦key|«ck»⟧"
cookie_expiry_days = 30
admins = ["⟦email|«admin»⟧"]

[s3]
bucket = "sales-dash-exports"
region = "eu-west-2"
''', oai=openai_key(r), mbu=_s(r, 12, ALNUM), mb1=_s(r, 28, URLSAFE), mb2=_s(r, 22, URLSAFE),
        ip=_ip4(r), pw=_pw(r, "!*#"), ck=_s(r, 32, ALNUM), admin=_email(r, r.choice(ORGDOM)))


# ============================================================================================
# Markdown / text / logs / mail
# ============================================================================================

def d_readme_setup(r):
    mail = _email(r, r.choice(ORGDOM))
    return "README.md", _t(r'''# Expense Tracker

A small Flask + React app to track shared expenses between roommates.

![screenshot](docs/screenshot@2x.png)

## Features

- Split bills evenly or by percentage
- Monthly summaries by email
- Receipt OCR via Google Vision

## Getting started

```bash
git clone https://github.com/«gh»/expense-tracker.git
cd expense-tracker
python -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt
```

Create a `.env` file in the project root:

```env
FLASK_ENV=development
SECRET_KEY=your-secret-key-here
GOOGLE_VISION_API_KEY=<YOUR_API_KEY>
SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy
```

For the demo deployment we use these (please don't abuse them 🙏):

```env
GOOGLE_VISION_API_KEY=⟦key|«gk»⟧
SENDGRID_API_KEY=⟦key|«sg»⟧
```

Then run:

```bash
flask db upgrade
flask run
```

## Demo

A live demo runs at http://⟦ip_address|«ip»⟧:5000 — log in with

| email | password |
|-------|----------|
| `⟦email|«mail»⟧` | `⟦password|«pw»⟧` |
| `⟦email|«mail2»⟧` | `⟦password|«pw2»⟧` |

## Contributing

PRs welcome! Please run `pre-commit run --all-files` before pushing.

## License

MIT © «year» «gh»
''', gh=_handle(r), gk=gkey(r), sg=sendgrid(r), ip=_ip4(r), mail=mail, pw=_pw_h(r, "!*"), mail2=_email(r, r.choice(ORGDOM)), pw2=_pw_r(r, 10, ""),
        year=r.randint(2019, 2024))


def d_authors(r):
    people = [_person(r) for _ in range(7)]
    lines = []
    for i, p in enumerate(people):
        name = " ".join(x.capitalize() for x in p)
        if i in (3, 5):
            lines.append(f"{name} (@{_handle(r)})")
        else:
            dom = r.choice(FREEMAIL + ORGDOM)
            lines.append(f"{name} <⟦email|{_email(r, dom, *p)}⟧>")
    idf, idl = r.choice(['jürgen', 'sören', 'björn']), r.choice(['köhler', 'weiß'])
    idn = f"{idf.capitalize()} {idl.capitalize()} <⟦email|{idf}.{idl}@{r.choice(['müller-it.de', 'bücherwelt.de'])}⟧>"
    pf, pl = _person(r)
    plus = f"{pf.capitalize()} {pl.capitalize()} <⟦email|{pf}+oss@{r.choice(['gmail.com', 'fastmail.com'])}⟧>"
    return "AUTHORS", _t(r'''# This is the list of significant contributors to «proj».
#
# This does not necessarily list everyone who has contributed code,
# especially since many employees of one corporation may be contributing.
# To see the full list of contributors, see the revision history in
# source control, or https://github.com/«org»/«proj»/graphs/contributors
#
# Names should be added to this file as:
#     Name <email address>
# or, for people who prefer not to publish an address, their GitHub handle.

«l0»
«l1»
«l2»
«l3»
«l4»
«l5»
«l6»
«idn»
«plus»
''', proj=r.choice(["fastjsonl", "tinyraft", "pgsync"]), org=_handle(r), l0=lines[0], l1=lines[1],
        l2=lines[2], l3=lines[3], l4=lines[4], l5=lines[5], l6=lines[6],
        idn=idn, plus=plus)


def d_mail_headers(r):
    dom = r.choice(ORGDOM)
    sender = _person(r)
    frm = _email(r, dom, *sender, style=0)
    to = [_email(r, dom) for _ in range(2)]
    cc = _email(r, "gmail.com")
    ip1, ip2 = _ip4(r), _ip4(r)
    return "tests/data/bounce_report.eml", _t(r'''Return-Path: <⟦email|«frm»⟧>
Delivered-To: ⟦email|«to0»⟧
Received: from mail-«mx».«dom» (mail-«mx».«dom» [⟦ip_address|«ip1»⟧])
        by mx.«dom» (Postfix) with ESMTPS id 4T8kLq2v0Zz9sQ1
        for <⟦email|«to0»⟧>; Tue, 13 Feb 2024 09:41:07 +0100 (CET)
Received: from [192.168.1.23] (unknown [⟦ip_address|«ip2»⟧])
        by mail-«mx».«dom» (Postfix) with ESMTPSA id 7F1A22C0195; Tue, 13 Feb 2024 09:41:05 +0100 (CET)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=«dom»; s=mail2023;
        t=1707813667; bh=«bh»;
        h=Date:From:To:Cc:Subject;
        b=«dkimb»
From: «fname» «lname» <⟦email|«frm»⟧>
To: ⟦email|«to0»⟧, ⟦email|«to1»⟧
Cc: ⟦email|«cc»⟧
Subject: Re: Q1 invoice numbers
Date: Tue, 13 Feb 2024 09:41:02 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
X-Mailer: Thunderbird 115.7.0
X-Spam-Status: No, score=-2.9 required=5.0 tests=ALL_TRUSTED,BAYES_00

Hi,

the numbers for January are in the shared sheet now. Ping me if anything
looks off.

Thanks,
«fname»
''', frm=frm, to0=to[0], to1=to[1], cc=cc, dom=dom, mx=r.randint(1, 9), ip1=ip1, ip2=ip2,
        bh=base64.b64encode(_rbytes(r, 32)).decode(), dkimb=base64.b64encode(_rbytes(r, 96)).decode(),
        fname=sender[0].capitalize(), lname=sender[1].capitalize())


def d_auth_log(r):
    ips = [_ip4(r) for _ in range(5)]
    ip6 = _ip6(r)
    host = r.choice(["vps-7f3a", "ubuntu-s-1vcpu", "srv01"])
    pid = r.randint(10000, 90000)
    return "docs/incident-2024-03/auth.log.excerpt", _t(r'''Mar 14 03:12:44 «host» sshd[«p1»]: Invalid user oracle from ⟦ip_address|«i0»⟧ port 53214
Mar 14 03:12:44 «host» sshd[«p1»]: Failed password for invalid user oracle from ⟦ip_address|«i0»⟧ port 53214 ssh2
Mar 14 03:15:02 «host» sshd[«p2»]: Failed password for root from ⟦ip_address|«i1»⟧ port 40122 ssh2
Mar 14 03:15:07 «host» sshd[«p2»]: error: maximum authentication attempts exceeded for root from ⟦ip_address|«i1»⟧ port 40122 ssh2 [preauth]
Mar 14 03:20:19 «host» sshd[«p3»]: Accepted publickey for deploy from ⟦ip_address|«i2»⟧ port 61002 ssh2: ED25519 SHA256:«fp»
Mar 14 03:20:19 «host» sshd[«p3»]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)
Mar 14 03:22:51 «host» sshd[«p4»]: Did not receive identification string from ⟦ip_address|«i3»⟧ port 44711
Mar 14 03:25:30 «host» sshd[«p5»]: Failed password for invalid user admin from ⟦ip_address|«i6»⟧ port 50022 ssh2
Mar 14 03:31:08 «host» sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx
Mar 14 03:40:12 «host» sshd[«p6»]: Accepted password for backup from 10.0.3.17 port 51522 ssh2
Mar 14 03:41:55 «host» sshd[«p7»]: Failed password for root from ⟦ip_address|«i4»⟧ port 33290 ssh2
Mar 14 03:50:00 «host» CRON[«p8»]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Mar 14 04:02:13 «host» sshd[«p9»]: Connection from 127.0.0.1 port 39876 on 127.0.0.1 port 22 rdomain ""
Mar 14 04:05:47 «host» fail2ban.actions[812]: NOTICE [sshd] Ban ⟦ip_address|«i1»⟧
''', host=host, i0=ips[0], i1=ips[1], i2=ips[2], i3=ips[3], i4=ips[4], i6=ip6,
        p1=pid, p2=pid + 7, p3=pid + 31, p4=pid + 40, p5=pid + 52, p6=pid + 90, p7=pid + 121,
        p8=pid + 150, p9=pid + 233, fp=_s(r, 43, B64))


# ============================================================================================
# server configs / build files
# ============================================================================================

def d_nginx_conf(r):
    ips = [_ip4(r) for _ in range(4)]
    basic = base64.b64encode(f"metrics:{_pw_r(r, 16, '')}".encode()).decode()
    dom = r.choice(ORGDOM)
    return "deploy/nginx/«dom».conf".replace("«dom»", dom), _t(r'''upstream app_backend {
    least_conn;
    server ⟦ip_address|«u1»⟧:8000 max_fails=3 fail_timeout=30s;
    server ⟦ip_address|«u2»⟧:8000 max_fails=3 fail_timeout=30s;
    server 127.0.0.1:8000 backup;
    keepalive 32;
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

    resolver 1.1.1.1 8.8.8.8 valid=300s;
    client_max_body_size 25m;

    location / {
        proxy_pass http://app_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }

    location /admin/ {
        allow ⟦ip_address|«a1»⟧;
        allow ⟦ip_address|«a2»⟧;
        allow 10.0.0.0/8;
        deny all;
        proxy_pass http://app_backend;
    }

    location /metrics {
        # scraped by the hosted prometheus
        proxy_set_header Authorization "Basic ⟦key|«basic»⟧";
        proxy_pass http://127.0.0.1:9100/metrics;
    }

    location /static/ {
        alias /srv/app/static/;
        expires 30d;
        access_log off;
    }
}
''', u1=ips[0], u2=ips[1], a1=ips[2], a2=ips[3], basic=basic, dom=dom)


def d_apache_vhost(r):
    dom = r.choice(ORGDOM)
    ip, ip2 = _ip4(r), _ip4(r)
    return "apache/sites-available/intranet.conf", _t(r'''<VirtualHost ⟦ip_address|«ip»⟧:443>
    ServerName intranet.«dom»
    ServerAdmin ⟦email|«admin»⟧
    DocumentRoot /var/www/intranet/public

    SSLEngine on
    SSLCertificateFile      /etc/ssl/certs/intranet.crt
    SSLCertificateKeyFile   /etc/ssl/private/intranet.key

    <Directory /var/www/intranet/public>
        Options -Indexes +FollowSymLinks
        AllowOverride All
        <RequireAny>
            Require ip 10.20.0.0/16
            Require ip 192.168.50
            Require ip ⟦ip_address|«ip2»⟧
        </RequireAny>
    </Directory>

    <Location /server-status>
        SetHandler server-status
        Require local
    </Location>

    # mod_proxy to the legacy Tomcat
    ProxyPreserveHost On
    ProxyPass        /hr/ ajp://127.0.0.1:8009/hr/ secret=⟦key|«ajp»⟧
    ProxyPassReverse /hr/ ajp://127.0.0.1:8009/hr/

    ErrorLog ${APACHE_LOG_DIR}/intranet_error.log
    CustomLog ${APACHE_LOG_DIR}/intranet_access.log combined
    LogLevel warn
</VirtualHost>
''', ip=ip, dom=dom, admin=_email(r, dom, style=0), ip2=ip2, ajp=_s(r, 32, ALNUM))


def d_makefile(r):
    ip = _ip4(r)
    return "Makefile", _t(r'''APP      := «app»
VERSION  := $(shell git describe --tags --always --dirty)
LDFLAGS  := -s -w -X main.version=$(VERSION)
REMOTE   := root@⟦ip_address|«ip»⟧
DB_DSN   := postgres://«app»:⟦password|«pw»⟧@localhost:5432/«app»?sslmode=disable
CF_TOKEN ?= ⟦key|«cf»⟧
export VAULT_ADDR  = https://vault.«dom»:8200
export VAULT_TOKEN = ⟦key|«vault»⟧

.PHONY: all build test lint migrate deploy purge clean

all: build

build:
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o bin/$(APP) ./cmd/$(APP)

test:
	go test -race -count=1 ./...

lint:
	golangci-lint run ./...

migrate:
	migrate -path db/migrations -database "$(DB_DSN)" up

deploy: build
	scp bin/$(APP) $(REMOTE):/usr/local/bin/$(APP).new
	ssh $(REMOTE) 'mv /usr/local/bin/$(APP).new /usr/local/bin/$(APP) && systemctl restart $(APP)'

purge:
	curl -s -X POST "https://api.cloudflare.com/client/v4/zones/«zone»/purge_cache" \
		-H "Authorization: Bearer $(CF_TOKEN)" \
		-H "Content-Type: application/json" \
		--data '{"purge_everything":true}'

clean:
	rm -rf bin/ dist/
''', app=r.choice(["linkshort", "pastebin", "statuspage"]), ip=ip, pw=_pw_r(r, 12, ""),
        cf=_s(r, 40, URLSAFE), zone=_hex(r, 32), dom=r.choice(ORGDOM), vault="hvs." + _s(r, 91, URLSAFE))


def d_gradle_properties(r):
    mail = _email(r)
    return "gradle.properties", _t(r'''# Project-wide Gradle settings.
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
org.gradle.parallel=true
org.gradle.caching=true
android.useAndroidX=true
kotlin.code.style=official
android.nonTransitiveRClass=true

GROUP=io.github.«gh»
VERSION_NAME=0.9.4
POM_DEVELOPER_ID=«gh»
POM_DEVELOPER_EMAIL=⟦email|«mail»⟧

# Maven Central publishing
mavenCentralUsername=«gh»
mavenCentralPassword=⟦password|«mc»⟧
signing.keyId=«kid»
signing.password=⟦password|«sp»⟧
signing.secretKeyRingFile=/Users/«gh»/.gnupg/secring.gpg

# release keystore
RELEASE_STORE_PASSWORD=⟦password|«store»⟧
RELEASE_KEY_PASSWORD=⟦password|«store»⟧
RELEASE_KEY_ALIAS=release
''', gh=_handle(r).lower(), mail=mail, mc=_pw_r(r, 14, "-_"), kid=_hex(r, 8).upper(),
        sp=_pw_h(r, "!*"), store=_pw_h(r, "!*"))


def d_odoo_ini(r):
    ip = _ip4(r)
    return "config/odoo.conf", _t(r'''[options]
; This is the password that allows database operations:
admin_passwd = ⟦password|«master»⟧
db_host = ⟦ip_address|«ip»⟧
db_port = 5432
db_user = odoo
db_password = ⟦password|«dbpw»⟧
db_maxconn = 64
dbfilter = ^%d$
list_db = False

addons_path = /opt/odoo/addons,/opt/odoo/custom-addons
data_dir = /var/lib/odoo
logfile = /var/log/odoo/odoo.log
log_level = info

http_port = 8069
longpolling_port = 8072
proxy_mode = True
workers = 4
max_cron_threads = 1
limit_memory_hard = 2684354560
limit_memory_soft = 2147483648
limit_time_cpu = 600
limit_time_real = 1200

email_from = ⟦email|«mail»⟧
smtp_server = smtp.«dom»
smtp_port = 587
smtp_ssl = True
smtp_user = ⟦email|«mail»⟧
smtp_password = ⟦password|«smtp»⟧
''', master=_pw_r(r, 16, ""), ip=ip, dbpw=_pw(r, "!*"), dom=r.choice(ORGDOM),
        mail=_email(r, r.choice(ORGDOM)), smtp=_pw_h(r, "!*"))


def d_pypirc(r):
    return ".pypirc", _t(r'''[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
username = __token__
password = ⟦key|«pypi»⟧

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = ⟦key|«tpypi»⟧

[private]
repository = https://nexus.«dom»/repository/pypi-internal/
username = «user»
password = ⟦password|«pw»⟧
''', pypi=pypi_tok(r), tpypi="pypi-AgENdGVzdC5weXBpLm9yZw" + _s(r, 150, URLSAFE), dom=r.choice(ORGDOM),
        user=_handle(r), pw=_pw(r, "!*"))


# ============================================================================================
# other languages
# ============================================================================================

def d_swift_constants(r):
    ip = _ip4(r)
    return "MovieNight/Utilities/Constants.swift", _t(r'''//
//  Constants.swift
//  MovieNight
//
//  Created by «an» on 3/14/23.
//

import Foundation

enum Constants {
    enum API {
        static let baseURL = URL(string: "https://api.themoviedb.org/3")!
        static let imageBase = "https://image.tmdb.org/t/p/w500"
        static let tmdbKey = "⟦key|«tmdb»⟧"
        static let tmdbReadToken = "⟦key|«tmdbjwt»⟧"
    }

    enum Backend {
        // our own API on the droplet
        static let host = "⟦ip_address|«ip»⟧"
        static let port = 3000
        static var url: URL { URL(string: "http://\(host):\(port)")! }
    }

    enum OpenAI {
        // used by the "describe this movie" feature
        static let apiKey = "⟦key|«rc»⟧"
    }

    enum UserDefaultsKeys {
        static let onboardingDone = "onboardingDone"
        static let savedPassword = "savedPassword"
        static let lastSync = "lastSync"
    }

    static let supportEmail = "⟦email|«mail»⟧"
    static let appStoreID = "«asid»"
}
''', an=" ".join(x.capitalize() for x in _person(r)), tmdb=_hex(r, 32),
        tmdbjwt=jwt(r, {"aud": _hex(r, 32), "sub": _hex(r, 24), "scopes": ["api_read"], "version": 1}),
        ip=ip, rc=openai_key(r), mail=_email(r), asid=_digits(r, 10))


def d_rust_client(r):
    ip = _ip4(r)
    return "src/client.rs", _t(r'''use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::blocking::Client;
use serde::Deserialize;

const BASE_URL: &str = "https://⟦ip_address|«ip»⟧:9200";
const ES_USER: &str = "elastic";
const ES_PASSWORD: &str = "⟦password|«pw»⟧";
const API_TOKEN: &str = "⟦key|«tok»⟧";

#[derive(Debug, Deserialize)]
pub struct Hit {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_source")]
    pub source: serde_json::Value,
}

pub struct SearchClient {
    http: Client,
}

impl SearchClient {
    pub fn new() -> Result<Self> {
        let http = Client::builder()
            .timeout(Duration::from_secs(10))
            .danger_accept_invalid_certs(true)
            .build()
            .context("building http client")?;
        Ok(Self { http })
    }

    pub fn search(&self, index: &str, query: &str) -> Result<Vec<Hit>> {
        let body = serde_json::json!({ "query": { "match": { "content": query } }, "size": 20 });
        let resp: serde_json::Value = self
            .http
            .post(format!("{BASE_URL}/{index}/_search"))
            .basic_auth(ES_USER, Some(ES_PASSWORD))
            .json(&body)
            .send()?
            .error_for_status()?
            .json()?;
        let hits = serde_json::from_value(resp["hits"]["hits"].clone())?;
        Ok(hits)
    }

    pub fn notify(&self, msg: &str) -> Result<()> {
        self.http
            .post("https://api.pushover.net/1/messages.json")
            .form(&[("token", API_TOKEN), ("user", &std::env::var("PUSHOVER_USER")?), ("message", msg)])
            .send()?;
        Ok(())
    }
}
''', ip=ip, pw=_pw_r(r, 20, "*_-"), tok=_s(r, 30, LO + DIG))


def d_dart_constants(r):
    ip = _ip4(r)
    proj = _s(r, 20, LO)
    return "lib/core/constants.dart", _t(r'''class AppConstants {
  AppConstants._();

  static const String appName = 'Grocery Go';

  // Supabase
  static const String supabaseUrl = 'https://«proj».supabase.co';
  static const String supabaseServiceRoleKey =
      '⟦key|«jwt»⟧';

  // Local dev backend
  static const String apiBaseUrl = 'http://⟦ip_address|«ip»⟧:8080/api/v1';

  // OneSignal
  static const String oneSignalAppId = '«os»';

  // Google sign in
  static const String googleWebClientId = '«gcid»-«gcs».apps.googleusercontent.com';

  static const String prefsTokenKey = 'access_token';
  static const String prefsPasswordKey = 'remember_password';
  static const int pageSize = 20;
  static const Duration timeout = Duration(seconds: 15);
}
''', proj=proj, jwt=jwt(r, {"iss": "supabase", "ref": proj, "role": "service_role",
                              "iat": 1690000000, "exp": 2005576000}),
        ip=ip, os=uuid4(r), gcid=_digits(r, 12), gcs=_s(r, 32, LO + DIG))


def d_lua_openresty(r):
    ip = _ip4(r)
    return "lua/rate_limit.lua", _t(r'''-- rate_limit.lua: per-API-key rate limiting in front of the upstream
local redis = require "resty.redis"
local cjson = require "cjson.safe"

local _M = {}

local REDIS_HOST = "⟦ip_address|«ip»⟧"
local REDIS_PORT = 6379
local REDIS_PASSWORD = "⟦password|«pw»⟧"
local LIMIT = 120          -- requests
local WINDOW = 60          -- seconds

local function connect()
    local red = redis:new()
    red:set_timeouts(200, 200, 200)
    local ok, err = red:connect(REDIS_HOST, REDIS_PORT)
    if not ok then
        return nil, err
    end
    local res, aerr = red:auth(REDIS_PASSWORD)
    if not res then
        return nil, aerr
    end
    return red
end

function _M.check()
    local key = ngx.var.http_x_api_key
    if not key or key == "" then
        ngx.status = 401
        ngx.say(cjson.encode({ error = "missing api key" }))
        return ngx.exit(401)
    end
    local red, err = connect()
    if not red then
        ngx.log(ngx.ERR, "redis: ", err)
        return   -- fail open
    end
    local bucket = "rl:" .. ngx.md5(key) .. ":" .. math.floor(ngx.time() / WINDOW)
    local count = red:incr(bucket)
    if count == 1 then
        red:expire(bucket, WINDOW)
    end
    red:set_keepalive(10000, 100)
    if count > LIMIT then
        ngx.header["Retry-After"] = WINDOW
        return ngx.exit(429)
    end
end

return _M
''', ip=ip, pw=_pw_r(r, 18, ""))


def d_perl_dbi(r):
    ip = _ip4(r)
    dom = r.choice(ORGDOM)
    return "bin/nightly_report.pl", _t(r'''#!/usr/bin/perl
use strict;
use warnings;
use DBI;
use Net::SMTP;
use POSIX qw(strftime);

my $dsn  = "DBI:mysql:database=helpdesk;host=⟦ip_address|«ip»⟧;port=3306";
my $user = "report";
my $pass = '⟦password|«pw»⟧';

my $dbh = DBI->connect($dsn, $user, $pass, { RaiseError => 1, AutoCommit => 1 })
    or die "Cannot connect: $DBI::errstr";

my $sth = $dbh->prepare(q{
    SELECT status, COUNT(*) FROM tickets
    WHERE created_at >= CURDATE() - INTERVAL 1 DAY
    GROUP BY status
});
$sth->execute();

my $body = "Ticket summary for " . strftime("%Y-%m-%d", localtime) . "\n\n";
while (my ($status, $n) = $sth->fetchrow_array) {
    $body .= sprintf("%-12s %5d\n", $status, $n);
}
$dbh->disconnect;

my $from = '⟦email|helpdesk@«dom»⟧';
my @to   = ('⟦email|«t1»⟧', 'oncall');

my $smtp = Net::SMTP->new("mail.«dom»", Port => 587, Timeout => 30) or die "smtp: $!";
$smtp->starttls();
$smtp->auth('⟦email|helpdesk@«dom»⟧', '⟦password|«smtp»⟧');
$smtp->mail($from);
$smtp->to(@to);
$smtp->data();
$smtp->datasend("From: $from\n");
$smtp->datasend("To: " . join(", ", @to) . "\n");
$smtp->datasend("Subject: Nightly helpdesk report\n\n");
$smtp->datasend($body);
$smtp->dataend();
$smtp->quit;
''', ip=ip, pw=_pw(r, "!*#"), dom=dom, t1=_email(r, dom), smtp=_pw_h(r, "!*"))


def d_r_script(r):
    ip = _ip4(r)
    return "analysis/fetch_tweets.R", _t(r'''# Collect tweets about the election and store them in MySQL
library(rtweet)
library(DBI)
library(RMySQL)
library(dplyr)

token <- create_token(
  app = "election_sentiment_«n»",
  consumer_key = "⟦key|«ck»⟧",
  consumer_secret = "⟦key|«cs»⟧",
  access_token = "⟦key|«at»⟧",
  access_secret = "⟦key|«as»⟧"
)

con <- dbConnect(
  RMySQL::MySQL(),
  dbname = "twitter",
  host = "⟦ip_address|«ip»⟧",
  port = 3306,
  user = "rstudio",
  password = "⟦password|«pw»⟧"
)

terms <- c("#election2024", "#vote", "ballot")

for (q in terms) {
  tw <- search_tweets(q, n = 5000, include_rts = FALSE, lang = "en", token = token)
  out <- tw %>%
    select(status_id, created_at, screen_name, text, favorite_count, retweet_count) %>%
    mutate(query = q)
  dbWriteTable(con, "tweets", as.data.frame(out), append = TRUE, row.names = FALSE)
  message(sprintf("%s: %d tweets", q, nrow(out)))
  Sys.sleep(60)
}

# pw <- rstudioapi::askForPassword("Database password")
dbDisconnect(con)
''', n=r.randint(1, 99), ck=_s(r, 25), cs=_s(r, 50), at=f"{_digits(r, 19)}-{_s(r, 40)}",
        **{"as": _s(r, 45)}, ip=ip, pw=_pw_h(r, "!*"))


def d_seed_sql(r):
    users = [_person(r) for _ in range(4)]
    dom = r.choice(ORGDOM)
    em = [_email(r, dom if i < 2 else None, *u) for i, u in enumerate(users)]
    return "db/seed.sql", _t(r'''-- Seed data for local development
-- mysql -u root -p < db/seed.sql

CREATE DATABASE IF NOT EXISTS hotel CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE hotel;

CREATE USER IF NOT EXISTS 'hotel_app'@'localhost' IDENTIFIED BY '⟦password|«app»⟧';
CREATE USER IF NOT EXISTS 'hotel_ro'@'%' IDENTIFIED BY '⟦password|«ro»⟧';
GRANT SELECT, INSERT, UPDATE, DELETE ON hotel.* TO 'hotel_app'@'localhost';
GRANT SELECT ON hotel.* TO 'hotel_ro'@'%';
FLUSH PRIVILEGES;

CREATE TABLE IF NOT EXISTS staff (
  id INT AUTO_INCREMENT PRIMARY KEY,
  full_name VARCHAR(100) NOT NULL,
  email VARCHAR(150) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role ENUM('manager', 'reception', 'housekeeping') NOT NULL DEFAULT 'reception'
);

INSERT INTO staff (full_name, email, password_hash, role) VALUES
  ('«n0»', '⟦email|«e0»⟧', '«h0»', 'manager'),
  ('«n1»', '⟦email|«e1»⟧', '«h1»', 'reception'),
  ('«n2»', '⟦email|«e2»⟧', '«h2»', 'reception'),
  ('«n3»', '⟦email|«e3»⟧', '«h3»', 'housekeeping');

-- plain text demo login for the guest portal (TODO hash this)
INSERT INTO guests (email, password) VALUES ('⟦email|«ge»⟧', '⟦password|«gpw»⟧');

SELECT user, host FROM mysql.user WHERE user LIKE 'hotel%';
''', app=_pw_r(r, 14, "!*"), ro=_pw_h(r, "!*"),
        n0=" ".join(x.capitalize() for x in users[0]), n1=" ".join(x.capitalize() for x in users[1]),
        n2=" ".join(x.capitalize() for x in users[2]), n3=" ".join(x.capitalize() for x in users[3]),
        e0=em[0], e1=em[1], e2=em[2], e3=em[3], h0=bcrypt_hash(r), h1=bcrypt_hash(r), h2=bcrypt_hash(r),
        h3=bcrypt_hash(r), ge=_email(r), gpw=_pw_h(r, "!*"))


def d_colab_notebook(r):
    oai = openai_key(r)
    nb = {
        "nbformat": 4, "nbformat_minor": 0,
        "metadata": {"colab": {"provenance": []}, "kernelspec": {"name": "python3", "display_name": "Python 3"},
                     "accelerator": "GPU"},
        "cells": [
            {"cell_type": "markdown", "metadata": {"id": _s(r, 12, URLSAFE)},
             "source": ["# RAG over my course notes\n", "Uses LangChain + Chroma. Run all cells."]},
            {"cell_type": "code", "execution_count": None, "metadata": {"id": _s(r, 12, URLSAFE)}, "outputs": [],
             "source": ["!pip install -q langchain==0.1.0 chromadb==0.4.22 openai==1.6.1 pypdf"]},
            {"cell_type": "code", "execution_count": None, "metadata": {"id": _s(r, 12, URLSAFE)}, "outputs": [],
             "source": ["import os\n", "# os.environ[\"OPENAI_API_KEY\"] = getpass.getpass()\n",
                        "os.environ[\"OPENAI_API_KEY\"] = \"@@OAI@@\"\n",
                        "os.environ[\"PINECONE_API_KEY\"] = \"@@PC@@\""]},
            {"cell_type": "code", "execution_count": None, "metadata": {"id": _s(r, 12, URLSAFE)}, "outputs": [],
             "source": ["from langchain.document_loaders import PyPDFDirectoryLoader\n",
                        "from langchain.text_splitter import RecursiveCharacterTextSplitter\n",
                        "from langchain.embeddings import OpenAIEmbeddings\n",
                        "from langchain.vectorstores import Chroma\n", "\n",
                        "docs = PyPDFDirectoryLoader('/content/drive/MyDrive/notes').load()\n",
                        "chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100).split_documents(docs)\n",
                        "db = Chroma.from_documents(chunks, OpenAIEmbeddings())"]},
            {"cell_type": "code", "execution_count": 7, "metadata": {"id": _s(r, 12, URLSAFE)},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": [
                 "Retrying langchain.embeddings.openai.embed_with_retry in 4.0 seconds as it raised RateLimitError.\n",
                 "412 chunks indexed\n"]}],
             "source": ["print(len(chunks), 'chunks indexed')"]},
        ],
    }
    text = json.dumps(nb, indent=2)
    text = text.replace("@@OAI@@", f"⟦key|{oai}⟧").replace("@@PC@@", f"⟦key|pcsk_{_s(r, 5)}_{_s(r, 60)}⟧")
    return "RAG_course_notes.ipynb", text


# ============================================================================================
# hard negatives only
# ============================================================================================

def d_neg_go_ip_test(r):
    return "pkg/netutil/ip_test.go", _t(r'''package netutil

import (
	"net"
	"testing"
)

func TestIsPublic(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.254", false},
		{"192.168.100.1", false},
		{"127.0.0.1", false},
		{"169.254.169.254", false}, // cloud metadata endpoint
		{"100.64.0.1", false},      // CGNAT
		{"0.0.0.0", false},
		{"255.255.255.255", false},
		{"224.0.0.251", false}, // mDNS
		{"192.0.2.10", false},  // TEST-NET-1
		{"198.51.100.7", false},
		{"203.0.113.200", false},
		{"::1", false},
		{"fe80::1ff:fe23:4567:890a", false},
		{"fd12:3456:789a::1", false},
		{"2001:db8::8a2e:370:7334", false},
	}
	for _, c := range cases {
		if got := IsPublic(net.ParseIP(c.in)); got != c.want {
			t.Errorf("IsPublic(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseVersion(t *testing.T) {
	// four-part versions must not be mistaken for addresses
	for _, v := range []string{"1.2.3.4", "10.0.19045.3803", "4.8.1.0"} {
		if _, err := ParseVersion(v); err != nil {
			t.Errorf("ParseVersion(%q): %v", v, err)
		}
	}
}

func TestOIDNotIP(t *testing.T) {
	oid := "1.3.6.1.4.1.«pen».1.2"
	if net.ParseIP(oid) != nil {
		t.Fatalf("%s parsed as IP", oid)
	}
}

func TestResolvers(t *testing.T) {
	want := []string{"8.8.8.8", "8.8.4.4", "1.1.1.1", "9.9.9.9", "2606:4700:4700::1111"}
	got := DefaultResolvers()
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
}
''', pen=r.randint(1000, 60000))


def d_neg_package_lock(r):
    def integ():
        return "sha512-" + base64.b64encode(_rbytes(r, 64)).decode()
    return "package-lock.json", _t(r'''{
  "name": "landing-page",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "landing-page",
      "version": "1.0.0",
      "dependencies": {
        "react": "^18.2.0",
        "react-dom": "^18.2.0"
      },
      "devDependencies": {
        "vite": "^5.0.10"
      }
    },
    "node_modules/js-tokens": {
      "version": "4.0.0",
      "resolved": "https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz",
      "integrity": "«i1»"
    },
    "node_modules/loose-envify": {
      "version": "1.4.0",
      "resolved": "https://registry.npmjs.org/loose-envify/-/loose-envify-1.4.0.tgz",
      "integrity": "«i2»",
      "dependencies": {
        "js-tokens": "^3.0.0 || ^4.0.0"
      },
      "bin": {
        "loose-envify": "cli.js"
      }
    },
    "node_modules/react": {
      "version": "18.2.0",
      "resolved": "https://registry.npmjs.org/react/-/react-18.2.0.tgz",
      "integrity": "«i3»",
      "dependencies": {
        "loose-envify": "^1.1.0"
      },
      "engines": {
        "node": ">=0.10.0"
      }
    },
    "node_modules/@esbuild/linux-x64": {
      "version": "0.19.11",
      "resolved": "https://registry.npmjs.org/@esbuild/linux-x64/-/linux-x64-0.19.11.tgz",
      "integrity": "«i4»",
      "cpu": ["x64"],
      "dev": true,
      "optional": true,
      "os": ["linux"],
      "engines": {
        "node": ">=12"
      }
    },
    "node_modules/scheduler": {
      "version": "0.23.0",
      "resolved": "https://registry.npmjs.org/scheduler/-/scheduler-0.23.0.tgz",
      "integrity": "«i5»",
      "dependencies": {
        "loose-envify": "^1.1.0"
      }
    }
  }
}
''', i1=integ(), i2=integ(), i3=integ(), i4=integ(), i5=integ())


def d_neg_password_utils(r):
    return "app/core/security.py", _t(r'''"""Password hashing and token helpers."""
from __future__ import annotations

import getpass
import os
import secrets
from datetime import datetime, timedelta, timezone

from jose import jwt
from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["argon2", "bcrypt"], deprecated="auto")

SECRET_KEY = os.environ["SECRET_KEY"]
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30
PASSWORD_MIN_LENGTH = 12
RESET_PASSWORD_URL = "/auth/reset-password?token={token}"

# known hashes used by the migration from the old PHP app
LEGACY_ADMIN_HASH = "«bh»"
ARGON_SAMPLE = "«ah»"
DJANGO_SAMPLE = "pbkdf2_sha256$600000$«salt»$«dk»"


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(plain_password: str, hashed_password: str) -> bool:
    return pwd_context.verify(plain_password, hashed_password)


def create_access_token(subject: str, expires_delta: timedelta | None = None) -> str:
    expire = datetime.now(timezone.utc) + (expires_delta or timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES))
    return jwt.encode({"exp": expire, "sub": subject}, SECRET_KEY, algorithm=ALGORITHM)


def generate_reset_password_token() -> str:
    return secrets.token_urlsafe(32)


def prompt_admin_password() -> str:
    password = getpass.getpass("New admin password: ")
    confirm = getpass.getpass("Repeat: ")
    if password != confirm:
        raise SystemExit("passwords do not match")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise SystemExit(f"password must be at least {PASSWORD_MIN_LENGTH} characters")
    return password


def mask(value: str | None) -> str:
    return "********" if value else ""


DEFAULT_SETTINGS = {
    "smtp_password": None,
    "db_password": os.getenv("DB_PASSWORD", ""),
    "redis_password": "{{ redis_password }}",
    "api_key": "<YOUR_API_KEY>",
    "webhook_secret": "${WEBHOOK_SECRET}",
}
''', bh=bcrypt_hash(r), ah=argon2_hash(r), salt=_s(r, 22, ALNUM), dk=base64.b64encode(_rbytes(r, 32)).decode())


def d_neg_i18n(r):
    return "src/locales/fr.json", r'''{
  "auth": {
    "login": "Se connecter",
    "logout": "Se déconnecter",
    "email": "Adresse e-mail",
    "password": "Mot de passe",
    "password_confirm": "Confirmer le mot de passe",
    "forgot_password": "Mot de passe oublié ?",
    "reset_password": "Réinitialiser le mot de passe",
    "password_hint": "Au moins 12 caractères, dont un chiffre",
    "password_mismatch": "Les mots de passe ne correspondent pas",
    "wrong_password": "Mot de passe incorrect",
    "api_key": "Clé API",
    "api_key_placeholder": "sk-xxxxxxxxxxxxxxxxxxxxxxxx",
    "token": "Jeton d'accès",
    "secret": "Secret du client"
  },
  "settings": {
    "title": "Paramètres",
    "change_password": "Changer le mot de passe",
    "current_password": "Mot de passe actuel",
    "new_password": "Nouveau mot de passe",
    "two_factor": "Authentification à deux facteurs",
    "masked": "••••••••",
    "contact": "Contactez-nous via @support sur Twitter"
  },
  "errors": {
    "network": "Erreur réseau, veuillez réessayer",
    "ip_blocked": "Votre adresse IP (127.0.0.1) a été bloquée",
    "version": "Version 2.10.4.1 requise"
  }
}
'''


def d_neg_ci_refs(r):
    return ".github/workflows/release.yml", _t(r'''name: Release

on:
  push:
    tags: ["v*.*.*"]

permissions:
  contents: write
  id-token: write

jobs:
  release:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
        with:
          fetch-depth: 0
      - uses: actions/setup-go@v5
        with:
          go-version: "1.21"
      - uses: sigstore/cosign-installer@v3.3.0
      - name: Configure AWS credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::«acct»:role/github-release
          aws-region: us-east-1
      - name: GoReleaser
        uses: goreleaser/goreleaser-action@v5
        with:
          version: latest
          args: release --clean
        env:
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
          HOMEBREW_TAP_TOKEN: ${{ secrets.HOMEBREW_TAP_TOKEN }}
          COSIGN_PASSWORD: ${{ secrets.COSIGN_PASSWORD }}
          AWS_KMS_KEY: «kms»
      - name: Docker
        run: |
          echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin
          docker pull ghcr.io/«org»/base@sha256:«dig»
        env:
          DOCKERHUB_USER: ${{ vars.DOCKERHUB_USER }}
          DOCKERHUB_TOKEN: ${{ secrets.DOCKERHUB_TOKEN }}
      - name: Checksums
        run: |
          sha256sum dist/*.tar.gz > dist/checksums.txt
          echo "commit: ${{ github.sha }}"
          echo "built from «commit»"
''', acct=_digits(r, 12), kms=kms_arn(r), org=_handle(r).lower(), dig=_hex(r, 64), commit=_hex(r, 40))


def d_neg_codeowners_sentry(r):
    return "web/src/instrument.ts", _t(r'''// CODEOWNERS: @«org»/frontend @«h1»
import * as Sentry from '@sentry/react';
import { BrowserTracing } from '@sentry/tracing';

// DSNs are public by design: they only allow *sending* events.
Sentry.init({
  dsn: 'https://«pub»@o«org_id».ingest.sentry.io/«proj»',
  integrations: [new BrowserTracing()],
  release: `web@${import.meta.env.VITE_APP_VERSION}`,
  environment: import.meta.env.MODE,
  tracesSampleRate: 0.2,
  ignoreErrors: ['ResizeObserver loop limit exceeded'],
});

export const STRIPE_PK = 'pk_live_«pk»';
export const RECAPTCHA_SITE_KEY = '6Lf«rc»';
export const GOOGLE_CLIENT_ID = '«gcid»-«gcs».apps.googleusercontent.com';
export const MAPBOX_PUBLIC_TOKEN = 'pk.eyJ1Ijoi«mbu»IiwiYSI6Im«mb1»In0.«mb2»';
export const API_KEY = import.meta.env.VITE_API_KEY ?? '';
export const BUILD = { commit: '«commit»', uuid: '«uuid»' };

/**
 * @param {string} icon e.g. logo@2x.png
 * @returns the retina variant
 */
export function retina(icon: string): string {
  return icon.replace(/\.png$/, '@2x.png');
}

// install with: npm i @sentry/react@7.91.0 @sentry/tracing@7.91.0
''', org=_handle(r).lower(), h1=_handle(r), pub=_hex(r, 32), org_id=_digits(r, 6), proj=_digits(r, 7),
        pk="51" + _s(r, 97), rc=_s(r, 37, URLSAFE), gcid=_digits(r, 12), gcs=_s(r, 32, LO + DIG),
        mbu=_s(r, 12, ALNUM), mb1=_s(r, 28, URLSAFE), mb2=_s(r, 22, URLSAFE), commit=_hex(r, 40),
        uuid=uuid4(r))


# ============================================================================================
# the set
# ============================================================================================

_DOCS = [
    d_flask_config,
    d_telegram_weather_bot,
    d_scraper_login,
    d_boto3_upload,
    d_django_settings,
    d_pytest_auth,
    d_paramiko_deploy,
    d_notebook_mongo,
    d_slack_alerts,
    d_stripe_checkout,
    d_llm_compare,
    d_conftest_redis,
    d_airflow_dag,
    d_express_config,
    d_firebase_ts,
    d_package_json,
    d_typeorm_config,
    d_npmrc,
    d_jest_fixtures,
    d_react_env,
    d_axios_client,
    d_knexfile,
    d_postman_collection,
    d_java_jdbc_dao,
    d_spring_properties,
    d_javamail_sender,
    d_maven_settings,
    d_android_constants,
    d_junit_jwt,
    d_kotlin_gradle,
    d_scala_hocon,
    d_esp8266_mqtt,
    d_c_libcurl,
    d_qt_database,
    d_c_config_h,
    d_aws_iot_secrets_h,
    d_go_mysql_main,
    d_go_config_test,
    d_go_redis_sendgrid,
    d_appsettings_json,
    d_cs_smtp,
    d_cs_blob_storage,
    d_web_config,
    d_cs_nunit,
    d_php_db,
    d_laravel_env,
    d_phpmailer_contact,
    d_wp_config,
    d_rails_database_yml,
    d_rails_initializers,
    d_rspec_factory,
    d_deploy_sh,
    d_backup_sh,
    d_iptables,
    d_zshrc,
    d_docker_login_sh,
    d_docker_compose,
    d_gh_actions,
    d_gitlab_ci,
    d_k8s_secret,
    d_bot_config_json,
    d_ansible_inventory,
    d_helm_values,
    d_serverless_yml,
    d_vscode_sftp,
    d_dockerfile,
    d_terraform_main,
    d_probot_env,
    d_warehouse_py,
    d_powershell_deploy,
    d_streamlit_secrets,
    d_readme_setup,
    d_authors,
    d_mail_headers,
    d_auth_log,
    d_nginx_conf,
    d_apache_vhost,
    d_makefile,
    d_gradle_properties,
    d_odoo_ini,
    d_pypirc,
    d_swift_constants,
    d_rust_client,
    d_dart_constants,
    d_lua_openresty,
    d_perl_dbi,
    d_r_script,
    d_seed_sql,
    d_colab_notebook,
    d_neg_go_ip_test,
    d_neg_package_lock,
    d_neg_password_utils,
    d_neg_i18n,
    d_neg_ci_refs,
    d_neg_codeowners_sentry,
]


def testset11_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset11:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t11-{i:02d}/{path}", marked))
    return docs


# --------------------------------------------------------------------------------------------
# self-validation
# --------------------------------------------------------------------------------------------

_KINDS = ("email", "ip_address", "key", "password")
_RESERVED_EMAIL = re.compile(
    r"(^|\.)(example\.(com|net|org)|example|test|invalid|localhost|local)$", re.I)
_DICT_PASSWORDS = {"password", "admin", "changeme", "secret", "root", "test", "postgres",
                   "123456", "letmein", "qwerty", "welcome", "default", "guest", "user"}
_EMAIL_SHAPE = re.compile(r"^[^\s@<>\"',;]+@[^\s@<>\"',;]+\.[^\s@<>\"',;.]{2,}$")


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset11_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    for d in docs:
        t = d.text
        for ch in "⟦⟧«»":
            assert ch not in t, f"{d.name}: leftover marker {ch!r}"
        spans = sorted(d.spans, key=lambda s: s[1])
        for kind, s, e in spans:
            v = t[s:e]
            assert kind in _KINDS, (d.name, kind)
            assert 0 <= s < e <= len(t), (d.name, kind, s, e)
            assert v.strip() == v and v, f"{d.name}: whitespace around {kind} {v!r}"
            if kind == "ip_address":
                assert _is_public(v), f"{d.name}: not a public address {v!r}"
            elif kind == "email":
                assert _EMAIL_SHAPE.match(v), f"{d.name}: odd email {v!r}"
                dom = v.rsplit("@", 1)[1]
                assert not _RESERVED_EMAIL.search(dom), f"{d.name}: reserved domain {v!r}"
            elif kind == "key":
                assert "EXAMPLE" not in v, f"{d.name}: example key {v!r}"
                assert len(v) >= 16, f"{d.name}: short key {v!r}"
            elif kind == "password":
                assert v.lower() not in _DICT_PASSWORDS, f"{d.name}: dictionary password {v!r}"
                assert not v.startswith(("$2", "$argon", "pbkdf2")), f"{d.name}: hash as password"
        for (k1, s1, e1), (k2, s2, e2) in zip(spans, spans[1:]):
            assert e1 <= s2, f"{d.name}: overlapping spans {t[s1:e1]!r} / {t[s2:e2]!r}"
        # every repeat of a planted value is itself labelled
        for kind, s, e in spans:
            v = t[s:e]
            pos = t.find(v)
            while pos != -1:
                end = pos + len(v)
                assert any(ss <= pos and end <= ee for _, ss, ee in spans), \
                    f"{d.name}: unlabelled repeat of {kind} {v!r} at {pos}"
                pos = t.find(v, pos + 1)
    return docs


if __name__ == "__main__":
    docs = _check()
    counts = Counter(k for d in docs for k, _, _ in d.spans)
    for d in docs:
        c = Counter(k for k, _, _ in d.spans)
        lines = d.text.count("\n") + 1
        print(f"{d.name:70s} {lines:4d} lines  " + " ".join(f"{k}={c[k]}" for k in _KINDS if c[k]))
    print()
    print(f"{len(docs)} documents, {sum(counts.values())} spans, "
          f"{sum(1 for d in docs if not d.spans)} with hard negatives only")
    for k in _KINDS:
        print(f"  {k:11s} {counts[k]}")
