"""Blind labelled test set 20 for the PII/secret scrubber.

About ninety documents that imitate files drawn at random from a crawl of permissively licensed
GitHub repositories (The Stack), keeping only files that hold at least one secret or a realistic
hard negative: tutorial apps, student projects, hobby bots, scrapers, IoT sketches, CI configs,
test fixtures, docker-compose files, committed .env files, README setup sections, example
configs, Q&A-style snippets, log excerpts, mail headers, AUTHORS lists and server configs, in
roughly the proportions in which their languages and file types occur in such a crawl.  A few
documents hold hard negatives only.  The set was written without looking at the scrubber.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records the spans.  Every secret value is drawn from a ``random.Random`` seeded from ``SEED`` and
the document's name, so the set is deterministic and every seed gives a fresh variant.

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
import urllib.parse

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 2020
KINDS = ("email", "ip_address", "key", "password")

# --------------------------------------------------------------------------------------------
# value generators
# --------------------------------------------------------------------------------------------

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def _s(r: random.Random, n: int, alpha: str = ALNUM) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def _d(r: random.Random, n: int) -> str:
    return str(r.randint(1, 9)) + _s(r, n - 1, DIGITS)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# provider tokens -----------------------------------------------------------------------------

def aws_id(r):
    return r.choice(["AKIA", "AKIA", "AKIA", "ASIA"]) + _s(r, 16, UPPER + "234567")


def aws_secret(r):
    return _s(r, 40, ALNUM + "+/")


def ghp(r):
    return "ghp_" + _s(r, 36)


def gho(r):
    return "gho_" + _s(r, 36)


def github_pat(r):
    return "github_pat_11" + _s(r, 20, UPPER + DIGITS) + "_" + _s(r, 59)


def glpat(r):
    return "glpat-" + _s(r, 20, ALNUM + "_-")


def xoxb(r):
    return f"xoxb-{_d(r, 12)}-{_d(r, 13)}-{_s(r, 24)}"


def xoxp(r):
    return f"xoxp-{_d(r, 12)}-{_d(r, 12)}-{_d(r, 13)}-{_s(r, 32, HEX)}"


def slack_hook(r):
    return f"T{_s(r, 8, UPPER + DIGITS)}/B{_s(r, 10, UPPER + DIGITS)}/{_s(r, 24)}"


def stripe_sk(r, mode="live"):
    return f"sk_{mode}_" + _s(r, r.choice([24, 99]))


def stripe_rk(r):
    return "rk_live_" + _s(r, 99)


def stripe_pk(r, mode="live"):  # publishable: public by design
    return f"pk_{mode}_" + _s(r, 99)


def stripe_whsec(r):
    return "whsec_" + _s(r, 32)


def sendgrid(r):
    return "SG." + _s(r, 22, B64URL) + "." + _s(r, 43, B64URL)


def twilio_sk(r):
    return "SK" + _s(r, 32, HEX)


def hex32(r):
    return _s(r, 32, HEX)


def hex40(r):
    return _s(r, 40, HEX)


def hex64(r):
    return _s(r, 64, HEX)


def mailgun(r):
    return "key-" + _s(r, 32, HEX)


def npm_tok(r):
    return "npm_" + _s(r, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmc" + _s(r, 160, B64URL)


def openai_key(r):
    if r.random() < 0.5:
        return "sk-" + _s(r, 20) + "T3BlbkFJ" + _s(r, 20)
    return "sk-proj-" + _s(r, 74, B64URL) + "T3BlbkFJ" + _s(r, 74, B64URL)


def anthropic_key(r):
    return "sk-ant-api03-" + _s(r, 93, B64URL) + "AA"


def hf_tok(r):
    return "hf_" + _s(r, 34, string.ascii_letters)


def aiza(r):
    return "AIzaSy" + _s(r, 33, B64URL)


def discord_tok(r):
    uid = str(r.randint(7 * 10**17, 13 * 10**17))
    return _b64url(uid.encode()) + "." + _s(r, 6, B64URL) + "." + _s(r, 38, B64URL)


def telegram_tok(r):
    return f"{r.randint(10**9, 7 * 10**9)}:AA{_s(r, 33, B64URL)}"


def jwt(r, payload=None, alg="HS256"):
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = payload or {"sub": str(r.randint(1000, 99999)), "name": r.choice(FIRST).title(),
                          "iat": r.randint(1_600_000_000, 1_720_000_000)}
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = _s(r, 86 if alg.startswith("RS") else 43, B64URL)
    return f"{head}.{body}.{sig}"


_PEM_START = {
    "RSA PRIVATE KEY": "MIIEpAIBAAKCAQEA",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA",
}


def pem(r, label="RSA PRIVATE KEY", sep="\n"):
    n = {"RSA PRIVATE KEY": 25, "EC PRIVATE KEY": 3, "PRIVATE KEY": 26,
         "OPENSSH PRIVATE KEY": 6}[label]
    body = _PEM_START[label] + _s(r, 64 * n - len(_PEM_START[label]) + r.randint(8, 40), B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    if label != "OPENSSH PRIVATE KEY":
        lines[-1] = lines[-1] + "=" * ((4 - len(lines[-1]) % 4) % 4)
    return sep.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def azure_key(r):
    return _s(r, 86, B64) + "=="


def shopify_tok(r):
    return r.choice(["shpat_", "shpca_", "shppa_"]) + hex32(r)


def square_tok(r):
    return "EAAA" + _s(r, 60, B64URL)


def do_tok(r):
    return "dop_v1_" + hex64(r)


def generic_key(r, n=None):
    n = n or r.choice([32, 32, 40, 48, 64])
    return _s(r, n, r.choice([ALNUM, ALNUM, HEX]))


# hard-negative shapes --------------------------------------------------------------------------

def uuid4(r):
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def sha256(r):
    return hashlib.sha256(str(r.random()).encode()).hexdigest()


def sha1(r):
    return hashlib.sha1(str(r.random()).encode()).hexdigest()


def bcrypt_hash(r):
    return "$2b$12$" + _s(r, 53, ALNUM + "./")


def private_ip(r):
    return r.choice([
        f"192.168.{r.randint(0, 5)}.{r.randint(2, 250)}",
        f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
        f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
    ])


# passwords -------------------------------------------------------------------------------------

WORDS = ["Summer", "Winter", "Dragon", "Monkey", "Sunshine", "Falcon", "Tiger", "Purple", "Coffee",
         "Rocket", "Pirate", "Ninja", "Shadow", "Maple", "Ocean", "Thunder", "Banana", "Cookie",
         "Galaxy", "Phoenix", "Matrix", "Soccer", "Viking", "Kitten", "Pepper", "Silver", "Honey",
         "Lucky", "Jupiter", "Mango", "Cobalt", "Walrus", "Biscuit", "Orange", "Panther", "Gizmo",
         "Zelda", "Hunter", "Sparrow", "Marvel", "Lemon", "Fuego", "Kiwi", "Tornado", "Raptor"]
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "t": "7"}


def pw_human(r, sym="!#$%&*?@"):
    w = r.choice(WORDS)
    w2 = r.choice(WORDS)
    s = r.choice(sym) if sym else ""
    style = r.randrange(7)
    if style == 0:
        return f"{w}{r.randint(1990, 2025)}{s}"
    if style == 1:
        return f"{w.lower()}{r.randint(10, 999)}{s}"
    if style == 2:
        leet = "".join(_LEET.get(c, c) if r.random() < 0.6 else c for c in w.lower())
        leet = leet[0].upper() + leet[1:]
        if "$" not in sym:
            leet = leet.replace("$", "5")
        return f"{leet}{s}{r.randint(1, 99)}"
    if style == 3:
        return f"{w}{w2}{r.randint(1, 99)}{s}"
    if style == 4:
        return f"{w.lower()}_{w2.lower()}{r.randint(1, 9)}{s}"
    if style == 5:
        return f"{w.lower()}{r.randint(1, 9)}{r.choice(['go', 'me', 'xx', 'yo', 'zz'])}"
    return f"{w}{r.randint(100, 9999)}{w2[:3].lower()}{s}"


def pw_random(r, n=None, sym="!#%*-_@$"):
    n = n or r.randint(10, 16)
    while True:
        p = _s(r, n, ALNUM + sym)
        if any(c.isdigit() for c in p) and any(c.isalpha() for c in p):
            return p


def _escq(p: str) -> str:
    """Put an escaped double quote in the middle of a password, as written in a JSON string."""
    k = len(p) // 2
    return p[:k] + '\\"' + p[k:]


def pw(r, sym="!#$%&*?@"):
    return pw_human(r, sym) if r.random() < 0.6 else pw_random(r, sym=sym.replace("&", ""))


# emails and addresses --------------------------------------------------------------------------

FIRST = ["james", "maria", "wei", "olga", "rahul", "fatima", "lucas", "sofia", "kenji", "amara",
         "noah", "elena", "mateo", "priya", "jonas", "chloe", "omar", "ines", "tomasz", "yuki",
         "david", "leila", "sven", "ana", "kwame", "julia", "arjun", "hana", "pedro", "nina",
         "ivan", "grace", "felix", "aisha", "marco", "lena", "diego", "sara", "mikko", "zoe"]
LAST = ["smith", "garcia", "chen", "ivanova", "sharma", "haddad", "silva", "rossi", "tanaka",
        "okafor", "miller", "petrova", "lopez", "patel", "weber", "martin", "farouk", "costa",
        "nowak", "sato", "kim", "novak", "berg", "santos", "mensah", "schmidt", "iyer", "park",
        "almeida", "kowalski", "fischer", "oliveira", "nakamura", "dubois", "jensen", "moreau"]
FREEMAIL = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
            "protonmail.com", "icloud.com", "gmx.de", "yandex.ru", "mail.ru", "qq.com", "163.com",
            "web.de", "live.com", "fastmail.com", "hotmail.co.uk", "yahoo.co.in", "naver.com"]
ORGS = ["brightlane.io", "kestrel-labs.com", "northwind-apps.co.uk", "tealforge.dev",
        "quantaloop.ai", "mapleridge.ca", "sunbyte.in", "orbitalcode.net", "ferrowave.de",
        "lumenstack.com", "pixelhaus.nl", "greenpine.org", "coralsoft.com.au", "nimbusworks.io",
        "hexaplanet.fr", "cs.umass.edu", "stud.tu-darmstadt.de", "riverbend-health.org",
        "acmetrading.co.za", "bluegate.com.br", "tinycircuits.tech", "vertexhq.app"]


def email(r, domain=None, local=None):
    f, l = r.choice(FIRST), r.choice(LAST)
    if local is None:
        local = r.choice([f"{f}.{l}", f"{f}{l[0]}", f"{f[0]}{l}", f"{f}_{l}{r.randint(1, 99)}",
                          f"{f}{r.randint(80, 2005)}", f"{l}.{f}", f"{f}"])
    if domain is None:
        domain = r.choice(FREEMAIL) if r.random() < 0.5 else r.choice(ORGS)
    return f"{local}@{domain}"


def org(r):
    return r.choice(ORGS)


_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220", "4.2.2.1", "4.2.2.2", "64.6.64.6",
              "64.6.65.6", "94.140.14.14", "94.140.15.15", "76.76.19.19", "185.228.168.9"}
_FIRST_OCTETS = [3, 13, 18, 23, 31, 34, 35, 37, 45, 46, 47, 51, 52, 54, 62, 66, 69, 74, 77, 78,
                 80, 81, 82, 85, 88, 89, 91, 94, 95, 103, 104, 107, 109, 116, 128, 134, 136, 138,
                 139, 142, 143, 144, 146, 147, 151, 157, 159, 161, 164, 165, 167, 170, 173, 176,
                 178, 181, 185, 188, 190, 193, 194, 195, 200, 202, 206, 207, 209, 212, 213, 217]


def _public(ip: str) -> bool:
    a = ipaddress.ip_address(ip)
    return a.is_global and not a.is_multicast and ip not in _RESOLVERS


def ip4(r):
    while True:
        ip = (f"{r.choice(_FIRST_OCTETS)}.{r.randint(0, 255)}.{r.randint(0, 255)}."
              f"{r.randint(2, 254)}")
        if _public(ip):
            return ip


def ip6(r):
    while True:
        pre = r.choice(["2a01:4f8", "2600:1f18", "2604:a880", "2a03:b0c0", "2406:da18",
                        "2a05:d018", "2001:41d0", "2620:0:2d0", "2a00:1450"])
        groups = [format(r.randint(1, 0xffff), "x") for _ in range(r.randint(1, 3))]
        ip = pre + ":" + ":".join(groups) + "::" + format(r.randint(1, 0xfff), "x")
        if _public(ip):
            return ip


# template filling ------------------------------------------------------------------------------

_PH = re.compile(r"«(?:([eikp]):)?(\w+)»")
_KIND = {"e": "email", "i": "ip_address", "k": "key", "p": "password"}


def _fill(t: str, **v) -> str:
    def sub(m):
        val = str(v[m.group(2)])
        return f"⟦{_KIND[m.group(1)]}|{val}⟧" if m.group(1) else val
    return _PH.sub(sub, t.lstrip("\n"))


# --------------------------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------------------------


def d_flask_config(r):
    t = r'''
import os

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    # TODO: move these to instance/config.py before the demo
    SECRET_KEY = os.environ.get("SECRET_KEY") or "«k:secret»"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or \
        "postgresql://blogapp:«p:dbpw»@localhost:5432/microblog"
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    MAIL_SERVER = "smtp.googlemail.com"
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME = "«e:mailuser»"
    MAIL_PASSWORD = "«p:mailpw»"
    ADMINS = ["«e:admin1»", "«e:mailuser»"]

    POSTS_PER_PAGE = 25
    LANGUAGES = ["en", "es", "de"]
    MS_TRANSLATOR_KEY = os.environ.get("MS_TRANSLATOR_KEY")
    ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")
    REDIS_URL = os.environ.get("REDIS_URL") or "redis://"


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    # reset link template, not a secret
    RESET_PASSWORD_URL = "/auth/reset_password/<token>"


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    LOG_TO_STDOUT = os.environ.get("LOG_TO_STDOUT")
'''
    return "microblog/config.py", _fill(
        t, secret=r.choice([hex32(r), _s(r, 24), "you-will-never-guess-" + _s(r, 12)]),
        dbpw=pw(r, sym="!*-_."), mailuser=email(r, "gmail.com"), mailpw=_s(r, 16, LOWER),
        admin1=email(r))


def d_django_settings(r):
    ip = ip4(r)
    t = r'''
"""
Django settings for shopsite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "«k:secret»"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "«i:ip»", "shop.«dom»"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "store",
    "cart",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

ROOT_URLCONF = "shopsite.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shopdb",
        "USER": "shop_admin",
        "PASSWORD": "«p:dbpw»",
        "HOST": "«i:ip»",
        "PORT": "5432",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.gmail.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "«e:mailuser»"
EMAIL_HOST_PASSWORD = "«p:apppw»"  # gmail app password
DEFAULT_FROM_EMAIL = "Shop <«e:mailuser»>"

ADMINS = [("«name»", "«e:admin»")]

STATIC_URL = "static/"
MEDIA_URL = "/media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''
    a = email(r, org(r))
    return "shopsite/shopsite/settings.py", _fill(
        t, secret="django-insecure-" + _s(r, 50, LOWER + DIGITS + "!@#$%^&*(-_=+)"),
        ip=ip, dom=org(r), dbpw=pw(r), mailuser=email(r, "gmail.com"),
        apppw=_s(r, 16, LOWER), admin=a, name=a.split("@")[0].replace(".", " ").title())


def d_telegram_bot(r):
    t = r'''
import logging
import openai
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, MessageHandler, ContextTypes, filters

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                    level=logging.INFO)

BOT_TOKEN = "«k:tg»"
openai.api_key = "«k:oa»"
ADMIN_CHAT_ID = «chat»
MODEL = "gpt-3.5-turbo"

history = {}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await context.bot.send_message(chat_id=update.effective_chat.id,
                                   text="Hi! Send me a message and I will answer with ChatGPT.")


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE):
    history.pop(update.effective_chat.id, None)
    await update.message.reply_text("Context cleared.")


async def chat(update: Update, context: ContextTypes.DEFAULT_TYPE):
    cid = update.effective_chat.id
    msgs = history.setdefault(cid, [{"role": "system", "content": "You are a helpful bot."}])
    msgs.append({"role": "user", "content": update.message.text})
    try:
        resp = openai.ChatCompletion.create(model=MODEL, messages=msgs[-12:])
    except Exception as e:
        await context.bot.send_message(chat_id=ADMIN_CHAT_ID, text=f"error: {e}")
        return
    answer = resp["choices"][0]["message"]["content"]
    msgs.append({"role": "assistant", "content": answer})
    await update.message.reply_text(answer)


if __name__ == "__main__":
    app = ApplicationBuilder().token(BOT_TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("reset", reset))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, chat))
    app.run_polling()
'''
    return "gpt_telegram_bot/main.py", _fill(t, tg=telegram_tok(r), oa=openai_key(r),
                                            chat=r.randint(10**8, 9 * 10**9))


def d_proxy_scraper(r):
    ip1, ip2 = ip4(r), ip4(r)
    t = r'''
# -*- coding: utf-8 -*-
import random
import time

import requests
from bs4 import BeautifulSoup

LOGIN_URL = "https://www.«site»/account/login"
LIST_URL = "https://www.«site»/listings?page={}"

PROXIES = [
    "http://«puser»:«p:ppw»@«i:ip1»:3128",
    "http://«puser»:«p:ppw»@«i:ip2»:3128",
    # "http://127.0.0.1:8888",  # fiddler
]

HEADERS = {
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Accept-Language": "en-US,en;q=0.9",
}

payload = {
    "email": "«e:login»",
    "password": "«p:loginpw»",
    "remember": "1",
}


def get_session():
    s = requests.Session()
    proxy = random.choice(PROXIES)
    s.proxies = {"http": proxy, "https": proxy}
    s.headers.update(HEADERS)
    r = s.post(LOGIN_URL, data=payload, timeout=20)
    r.raise_for_status()
    return s


def scrape(pages=5):
    s = get_session()
    rows = []
    for p in range(1, pages + 1):
        html = s.get(LIST_URL.format(p), timeout=20).text
        soup = BeautifulSoup(html, "html.parser")
        for card in soup.select("div.listing-card"):
            rows.append({
                "title": card.select_one("h3").get_text(strip=True),
                "price": card.select_one(".price").get_text(strip=True),
            })
        time.sleep(random.uniform(1.5, 4))
    return rows


if __name__ == "__main__":
    for row in scrape():
        print(row)
'''
    return "scraper/scrape_listings.py", _fill(
        t, site=r.choice(["immobiliare-scout.de", "rentfinder.co.uk", "casasbahia-ofertas.com.br"]),
        puser="user" + _d(r, 5), ppw=_s(r, 10, ALNUM), ip1=ip1, ip2=ip2,
        login=email(r), loginpw=pw(r, sym="!#$%*?@"))


def d_pytest_conftest(r):
    e1, e2, e3 = email(r, "gmail.com"), email(r, org(r)), email(r, "outlook.com")
    t = r'''
import pytest
from app import create_app, db
from app.models import User
from app.security import get_password_hash

TEST_USERS = [
    {"email": "«e:e1»", "password": "«p:p1»", "is_admin": True},
    {"email": "«e:e2»", "password": "«p:p2»", "is_admin": False},
]


@pytest.fixture(scope="session")
def app():
    app = create_app("testing")
    with app.app_context():
        db.create_all()
        for u in TEST_USERS:
            db.session.add(User(email=u["email"],
                                hashed_password=get_password_hash(u["password"]),
                                is_admin=u["is_admin"]))
        # legacy row imported from the old system, password is already hashed
        db.session.add(User(email="«e:e3»", hashed_password="«bc»"))
        db.session.commit()
        yield app
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin_token(client):
    resp = client.post("/api/auth/login",
                       json={"email": "«e:e1»", "password": "«p:p1»"})
    assert resp.status_code == 200
    return resp.get_json()["access_token"]


def test_login_wrong_password(client):
    resp = client.post("/api/auth/login", json={"email": "«e:e2»", "password": "«p:wrong»"})
    assert resp.status_code == 401


def test_change_password(client, admin_token):
    resp = client.post("/api/auth/change-password",
                       headers={"Authorization": f"Bearer {admin_token}"},
                       json={"old_password": "«p:p1»", "new_password": "«p:p3»"})
    assert resp.status_code == 204
'''
    return "tests/conftest.py", _fill(t, e1=e1, e2=e2, e3=e3, p1=pw(r, sym="!#$%&*?@"),
                                      p2=pw(r, sym="!#$%&*?@"), p3=pw(r, sym="!#$%&*?@"), wrong=pw_random(r, 9),
                                      bc=bcrypt_hash(r))


def d_notebook(r):
    oa, hf = openai_key(r), hf_tok(r)
    t = r'''
{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# RAG over our PDF docs\n",
    "Quick experiment: embed the manuals with OpenAI, store in Chroma, answer with a local Llama."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "!pip install -q langchain openai chromadb pypdf huggingface_hub"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\n",
    "os.environ[\"OPENAI_API_KEY\"] = \"«k:oa»\"\n",
    "os.environ[\"HUGGINGFACEHUB_API_TOKEN\"] = \"«k:hf»\""
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "Loaded 214 pages\n"
     ]
    }
   ],
   "source": [
    "import psycopg2\n",
    "meta = psycopg2.connect(host=\"localhost\", dbname=\"docs\", user=\"rag\", password=\"«p:dbpw»\")\n",
    "from langchain.document_loaders import PyPDFDirectoryLoader\n",
    "docs = PyPDFDirectoryLoader(\"manuals/\").load()\n",
    "print(f\"Loaded {len(docs)} pages\")"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 4,
   "metadata": {},
   "outputs": [],
   "source": [
    "from langchain.embeddings import OpenAIEmbeddings\n",
    "from langchain.vectorstores import Chroma\n",
    "db = Chroma.from_documents(docs, OpenAIEmbeddings(), persist_directory=\"db\")"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "from huggingface_hub import login\n",
    "login(token=\"«k:hf»\")"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Python 3 (ipykernel)",
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
    return "notebooks/rag_experiment.ipynb", _fill(t, oa=oa, hf=hf, dbpw=pw(r, sym="!#%*?@"))


def d_paramiko(r):
    ip1, ip2 = ip4(r), ip4(r)
    t = r'''
import paramiko
import sys

SERVERS = {
    "web1": {"host": "«i:ip1»", "user": "root", "password": "«p:pw1»"},
    "web2": {"host": "«i:ip2»", "user": "ubuntu", "password": "«p:pw2»"},
    # lab boxes behind the VPN
    "lab": {"host": "«priv»", "user": "pi", "password": None, "key": "~/.ssh/id_ed25519"},
}

COMMANDS = [
    "uptime",
    "df -h /",
    "systemctl is-active nginx",
]


def run(name, cfg):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    if cfg.get("password"):
        client.connect(cfg["host"], username=cfg["user"], password=cfg["password"], timeout=10)
    else:
        client.connect(cfg["host"], username=cfg["user"], key_filename=cfg["key"], timeout=10)
    for cmd in COMMANDS:
        _, out, err = client.exec_command(cmd)
        print(f"[{name}] $ {cmd}\n{out.read().decode().strip()}")
        e = err.read().decode().strip()
        if e:
            print(f"[{name}] stderr: {e}", file=sys.stderr)
    client.close()


if __name__ == "__main__":
    for name, cfg in SERVERS.items():
        try:
            run(name, cfg)
        except Exception as exc:
            print(f"[{name}] failed: {exc}")
'''
    return "ops/check_servers.py", _fill(t, ip1=ip1, ip2=ip2, pw1=pw(r, sym="!#$%&*?@"),
                                         pw2=pw(r, sym="!#$%&*?@"), priv=private_ip(r))


def d_fastapi_auth(r):
    t = r'''
from datetime import datetime, timedelta
from typing import Optional

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from jose import JWTError, jwt
from passlib.context import CryptContext
from pydantic import BaseModel

# to get a string like this run:
# openssl rand -hex 32
SECRET_KEY = "«k:secret»"
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 30

fake_users_db = {
    "«uname»": {
        "username": "«uname»",
        "full_name": "«full»",
        "email": "«e:mail»",
        "hashed_password": "«bc»",
        "disabled": False,
    }
}

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()


class Token(BaseModel):
    access_token: str
    token_type: str


def verify_password(plain_password, hashed_password):
    return pwd_context.verify(plain_password, hashed_password)


def get_password_hash(password):
    return pwd_context.hash(password)


def authenticate_user(db, username: str, password: str):
    user = db.get(username)
    if not user or not verify_password(password, user["hashed_password"]):
        return False
    return user


def create_access_token(data: dict, expires_delta: Optional[timedelta] = None):
    to_encode = data.copy()
    expire = datetime.utcnow() + (expires_delta or timedelta(minutes=15))
    to_encode.update({"exp": expire})
    return jwt.encode(to_encode, SECRET_KEY, algorithm=ALGORITHM)


@app.post("/token", response_model=Token)
async def login(form_data: OAuth2PasswordRequestForm = Depends()):
    user = authenticate_user(fake_users_db, form_data.username, form_data.password)
    if not user:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="Incorrect username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    token = create_access_token({"sub": user["username"]},
                                timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES))
    return {"access_token": token, "token_type": "bearer"}
'''
    f, l = r.choice(FIRST), r.choice(LAST)
    return "backend/app/auth.py", _fill(t, secret=hex64(r), uname=f + l[0], full=f"{f.title()} {l.title()}",
                                        mail=email(r, local=f"{f}.{l}"), bc=bcrypt_hash(r))


def d_tweepy(r):
    t = r'''
import tweepy
import schedule
import time
import random

consumer_key = "«k:ck»"
consumer_secret = "«k:cs»"
access_token = "«k:at»"
access_token_secret = "«k:ats»"
bearer_token = "«k:bt»"

client = tweepy.Client(
    bearer_token=bearer_token,
    consumer_key=consumer_key,
    consumer_secret=consumer_secret,
    access_token=access_token,
    access_token_secret=access_token_secret,
)

QUOTES = [
    "Talk is cheap. Show me the code.",
    "Programs must be written for people to read.",
    "Simplicity is prerequisite for reliability.",
]


def tweet_quote():
    q = random.choice(QUOTES)
    try:
        client.create_tweet(text=q + " #programming")
        print("tweeted:", q)
    except tweepy.TweepyException as e:
        print("failed:", e)


schedule.every().day.at("09:00").do(tweet_quote)

while True:
    schedule.run_pending()
    time.sleep(30)
'''
    uid = _d(r, 19)
    return "quote_bot/bot.py", _fill(
        t, ck=_s(r, 25), cs=_s(r, 50), at=f"{uid}-{_s(r, 30)}", ats=_s(r, 45),
        bt="AAAAAAAAAAAAAAAAAAAAA" + _s(r, 22) + "%3D" + _s(r, 50))


def d_celery_config(r):
    ip = ip4(r)
    t = r'''
# celeryconfig.py
from kombu import Queue

broker_url = "redis://:«p:rpw»@«i:ip»:6379/0"
result_backend = "redis://:«p:rpw»@«i:ip»:6379/1"

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
timezone = "Europe/Berlin"
enable_utc = True

task_queues = (
    Queue("default"),
    Queue("thumbnails"),
    Queue("emails"),
)
task_routes = {
    "media.tasks.make_thumbnail": {"queue": "thumbnails"},
    "accounts.tasks.send_*": {"queue": "emails"},
}

worker_prefetch_multiplier = 1
task_acks_late = True
broker_transport_options = {"visibility_timeout": 3600}

# flower basic auth
flower_basic_auth = ["admin:«p:fpw»"]
'''
    return "worker/celeryconfig.py", _fill(t, ip=ip, rpw=_s(r, 24, ALNUM), fpw=pw(r, sym="!#%*?"))


def d_stripe_checkout(r):
    t = r'''
import os
import stripe
from flask import Flask, jsonify, request, render_template

app = Flask(__name__, static_folder="public", static_url_path="")

# stripe.api_key = os.getenv("STRIPE_SECRET_KEY")
stripe.api_key = "«k:sk»"
STRIPE_PUBLISHABLE_KEY = "«pk»"
endpoint_secret = "«k:wh»"

YOUR_DOMAIN = "http://localhost:4242"


@app.route("/")
def index():
    return render_template("checkout.html", key=STRIPE_PUBLISHABLE_KEY)


@app.route("/create-checkout-session", methods=["POST"])
def create_checkout_session():
    try:
        session = stripe.checkout.Session.create(
            line_items=[{"price": "price_1NqgkB2eZvKYlo2C3i0mQx1f", "quantity": 1}],
            mode="payment",
            success_url=YOUR_DOMAIN + "/success.html",
            cancel_url=YOUR_DOMAIN + "/cancel.html",
        )
    except Exception as e:
        return jsonify(error=str(e)), 400
    return jsonify(url=session.url)


@app.route("/webhook", methods=["POST"])
def webhook():
    payload = request.data
    sig_header = request.headers.get("Stripe-Signature")
    try:
        event = stripe.Webhook.construct_event(payload, sig_header, endpoint_secret)
    except (ValueError, stripe.error.SignatureVerificationError):
        return "", 400
    if event["type"] == "checkout.session.completed":
        print("payment ok:", event["data"]["object"]["id"])
    return jsonify(success=True)


if __name__ == "__main__":
    app.run(port=4242)
'''
    mode = r.choice(["live", "test"])
    return "server.py", _fill(t, sk=stripe_sk(r, mode), pk=stripe_pk(r, mode), wh=stripe_whsec(r))


def d_gcp_service_account(r):
    proj = r.choice(["inventory-bot", "my-first-project", "attendance-app", "iot-dashboard"]) + "-" + _d(r, 6)
    sa = f"{r.choice(['sheets-writer', 'firebase-adminsdk-' + _s(r, 5, LOWER + DIGITS), 'ci-deployer'])}@{proj}.iam.gserviceaccount.com"
    key = pem(r, "PRIVATE KEY", sep="\\n")
    t = r'''
import gspread
from google.oauth2.service_account import Credentials

SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
]

# copied from the downloaded json so the script is a single file on the Pi
SERVICE_ACCOUNT_INFO = {
    "type": "service_account",
    "project_id": "«proj»",
    "private_key": "«k:key»\n",
    "client_email": "«e:sa»",
    "client_id": "«cid»",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    "universe_domain": "googleapis.com",
}

SHEET_ID = "«sheet»"


def append_reading(temp_c: float, humidity: float, ts: str) -> None:
    creds = Credentials.from_service_account_info(SERVICE_ACCOUNT_INFO, scopes=SCOPES)
    gc = gspread.authorize(creds)
    ws = gc.open_by_key(SHEET_ID).sheet1
    ws.append_row([ts, temp_c, humidity], value_input_option="USER_ENTERED")


if __name__ == "__main__":
    import datetime
    append_reading(21.4, 48.0, datetime.datetime.now().isoformat(timespec="seconds"))
'''
    return "sensor_logger/sheets.py", _fill(t, proj=proj, key=key, sa=sa, cid=_d(r, 21),
                                            sheet="1" + _s(r, 43, B64URL))


def d_slack_alerts(r):
    t = r'''
import json
import logging
import traceback
import urllib.request

import sentry_sdk

sentry_sdk.init(
    dsn="https://«dsnkey»@o«org».ingest.sentry.io/«proj»",
    traces_sample_rate=0.2,
)

SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/«k:hook»"
log = logging.getLogger("alerts")


def notify(text: str, channel: str = "#ops-alerts") -> None:
    body = json.dumps({"channel": channel, "text": text, "username": "etl-bot",
                       "icon_emoji": ":rotating_light:"}).encode()
    req = urllib.request.Request(SLACK_WEBHOOK_URL, data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=5)
    except Exception:  # never let alerting break the job
        log.exception("slack notify failed")


def guarded(job):
    def wrapper(*args, **kwargs):
        try:
            return job(*args, **kwargs)
        except Exception as exc:
            sentry_sdk.capture_exception(exc)
            notify(f":x: `{job.__name__}` failed\n```{traceback.format_exc()[-1500:]}```")
            raise
    return wrapper
'''
    return "etl/alerts.py", _fill(t, dsnkey=hex32(r), org=_d(r, 6), proj=_d(r, 7), hook=slack_hook(r))


def d_express_server(r):
    cluster = "cluster0." + _s(r, 5, LOWER + DIGITS)
    t = r'''
const express = require('express');
const mongoose = require('mongoose');
const jwt = require('jsonwebtoken');
const bcrypt = require('bcryptjs');
const nodemailer = require('nodemailer');
const cors = require('cors');

const app = express();
app.use(cors());
app.use(express.json());

const PORT = process.env.PORT || 5000;
const JWT_SECRET = '«k:jwtsecret»';

mongoose
  .connect('mongodb+srv://«dbuser»:«p:dbpw»@«cluster».mongodb.net/todoapp?retryWrites=true&w=majority')
  .then(() => console.log('MongoDB connected'))
  .catch((err) => console.log(err));

const transporter = nodemailer.createTransport({
  service: 'gmail',
  auth: {
    user: '«e:mail»',
    pass: '«p:mailpw»',
  },
});

const User = mongoose.model('User', new mongoose.Schema({
  name: String,
  email: { type: String, unique: true },
  password: String,
}));

app.post('/api/register', async (req, res) => {
  const { name, email, password } = req.body;
  const hashed = await bcrypt.hash(password, 10);
  try {
    const user = await User.create({ name, email, password: hashed });
    await transporter.sendMail({
      from: '"Todo App" <«e:mail»>',
      to: email,
      subject: 'Welcome!',
      text: `Hi ${name}, thanks for signing up.`,
    });
    res.status(201).json({ id: user._id });
  } catch (e) {
    res.status(400).json({ error: 'Email already registered' });
  }
});

app.post('/api/login', async (req, res) => {
  const user = await User.findOne({ email: req.body.email });
  if (!user || !(await bcrypt.compare(req.body.password, user.password))) {
    return res.status(401).json({ error: 'Invalid credentials' });
  }
  const token = jwt.sign({ id: user._id }, JWT_SECRET, { expiresIn: '7d' });
  res.json({ token });
});

app.listen(PORT, () => console.log(`Server running on port ${PORT}`));
'''
    return "server/index.js", _fill(t, jwtsecret=r.choice([generic_key(r), hex64(r)]), dbuser=r.choice(["admin", "todoUser", "dev"]),
                                    dbpw=urllib.parse.quote(f"{r.choice(WORDS)}{r.choice('@#:/')}{r.randint(100, 9999)}", safe=""), cluster=cluster, mail=email(r, "gmail.com"),
                                    mailpw=_s(r, 16, LOWER))


def d_react_env(r):
    t = r'''
# Local env for the dashboard — copied from the team wiki
REACT_APP_API_URL=https://api.«dom»/v2
REACT_APP_MAPBOX_TOKEN=pk.eyJ1Ijoi«mbuser»IiwiYSI6ImNs«mb»In0.«mbsig»
REACT_APP_GOOGLE_MAPS_API_KEY=«k:gmaps»
REACT_APP_OPENWEATHER_KEY=«k:owm»
REACT_APP_SENTRY_DSN=https://«dsn»@o«org».ingest.sentry.io/«proj»
REACT_APP_STRIPE_PUBLISHABLE_KEY=«pk»
REACT_APP_RECAPTCHA_SITE_KEY=6L«rc»
REACT_APP_ALGOLIA_APP_ID=«algid»
REACT_APP_ALGOLIA_ADMIN_KEY=«k:algadmin»
REACT_APP_FEATURE_FLAGS=newCharts,darkMode
GENERATE_SOURCEMAP=false
PORT=3001
BROWSER=none
FAST_REFRESH=true

# analytics
REACT_APP_GA_MEASUREMENT_ID=G-«ga»
REACT_APP_POSTHOG_HOST=https://eu.posthog.com

# build info (overwritten in CI)
REACT_APP_VERSION=$npm_package_version
REACT_APP_BUILD_SHA=«commit»
'''
    return "dashboard/.env.local", _fill(
        t, dom=org(r), mbuser=_s(r, 12, ALNUM), mb=_s(r, 30, ALNUM), mbsig=_s(r, 22, B64URL),
        gmaps=aiza(r), owm=hex32(r), dsn=hex32(r), org=_d(r, 6), proj=_d(r, 7),
        pk=stripe_pk(r), rc=_s(r, 38, B64URL), algid=_s(r, 10, UPPER + DIGITS), algadmin=hex32(r),
        ga=_s(r, 10, UPPER + DIGITS), commit=sha1(r))


def d_knexfile(r):
    ip = ip4(r)
    t = r'''
// Update with your config settings.

/**
 * @type { Object.<string, import("knex").Knex.Config> }
 */
module.exports = {
  development: {
    client: 'mysql2',
    connection: {
      host: '127.0.0.1',
      user: 'root',
      password: '«p:devpw»',
      database: 'library_dev',
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
    connection: 'mysql://library:«p:stpw»@«i:ip»:3306/library_staging',
    pool: { min: 2, max: 10 },
    migrations: { tableName: 'knex_migrations' },
  },

  production: {
    client: 'mysql2',
    connection: {
      host: process.env.DB_HOST,
      user: process.env.DB_USER,
      password: process.env.DB_PASS,
      database: 'library',
    },
    pool: { min: 2, max: 10 },
    migrations: { tableName: 'knex_migrations' },
  },
};
'''
    return "knexfile.js", _fill(t, devpw=pw(r, sym="!#$%*?"), stpw=pw_random(r, sym="-_."), ip=ip)


def d_jest_auth_test(r):
    e1, e2 = email(r, org(r)), email(r)
    tok = jwt(r, {"id": r.randint(1, 500), "email": e1, "role": "admin",
                  "iat": 1700000000, "exp": 1700604800})
    t = r'''
const request = require('supertest');
const app = require('../src/app');
const db = require('../src/db');

const admin = { email: '«e:e1»', password: '«p:p1»' };
const member = { email: '«e:e2»', password: '«p:p2»' };

// token captured from a dev login, signature made with the dev secret
const EXPIRED_TOKEN =
  '«k:tok»';

beforeAll(async () => {
  await db.migrate.latest();
  await db.seed.run();
});

afterAll(() => db.destroy());

describe('POST /auth/login', () => {
  it('returns a token for valid credentials', async () => {
    const res = await request(app).post('/auth/login').send(admin);
    expect(res.statusCode).toBe(200);
    expect(res.body.token).toMatch(/^eyJ/);
  });

  it('rejects a wrong password', async () => {
    const res = await request(app)
      .post('/auth/login')
      .send({ email: member.email, password: member.password + 'x' });
    expect(res.statusCode).toBe(401);
  });

  it('does not leak the password hash', async () => {
    const res = await request(app).post('/auth/login').send(member);
    expect(res.body.user.password).toBeUndefined();
    expect(res.body.user.passwordHash).toBeUndefined();
  });
});

describe('GET /me', () => {
  it('rejects expired tokens', async () => {
    const res = await request(app).get('/me').set('Authorization', `Bearer ${EXPIRED_TOKEN}`);
    expect(res.statusCode).toBe(401);
  });
});
'''
    return "__tests__/auth.test.js", _fill(t, e1=e1, e2=e2, p1=pw(r, sym="!#$%*?@"),
                                           p2=pw(r, sym="!#$%*?@"), tok=tok)


def d_discordjs_bot(r):
    t = r'''
const { Client, GatewayIntentBits, EmbedBuilder } = require('discord.js');
const axios = require('axios');

const client = new Client({
  intents: [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.MessageContent,
  ],
});

const PREFIX = '!';
const CLIENT_ID = '«cid»'; // application id, public
const WEATHER_KEY = '«k:owm»';

client.once('ready', () => {
  console.log(`Logged in as ${client.user.tag}!`);
  client.user.setActivity('!help');
});

client.on('messageCreate', async (message) => {
  if (message.author.bot || !message.content.startsWith(PREFIX)) return;
  const [cmd, ...args] = message.content.slice(PREFIX.length).trim().split(/ +/);

  if (cmd === 'ping') {
    message.reply(`Pong! ${client.ws.ping}ms`);
  } else if (cmd === 'weather') {
    const city = args.join(' ') || 'London';
    try {
      const { data } = await axios.get('https://api.openweathermap.org/data/2.5/weather', {
        params: { q: city, appid: WEATHER_KEY, units: 'metric' },
      });
      const embed = new EmbedBuilder()
        .setTitle(`Weather in ${data.name}`)
        .setDescription(`${data.weather[0].description}, ${data.main.temp}°C`)
        .setColor(0x3498db);
      message.channel.send({ embeds: [embed] });
    } catch {
      message.reply('City not found.');
    }
  } else if (cmd === 'invite') {
    message.reply(`https://discord.com/oauth2/authorize?client_id=${CLIENT_ID}&scope=bot`);
  }
});

client.login('«k:tok»');
'''
    return "index.js", _fill(t, cid=_d(r, 19), owm=hex32(r), tok=discord_tok(r))


def d_package_json(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    t = r'''
{
  "name": "«name»",
  "version": "2.4.1",
  "description": "A tiny, dependency-free «what» for the browser and Node.js",
  "main": "dist/index.cjs",
  "module": "dist/index.mjs",
  "types": "dist/index.d.ts",
  "files": ["dist"],
  "scripts": {
    "build": "tsup src/index.ts --format cjs,esm --dts",
    "test": "vitest run",
    "lint": "eslint src --ext .ts",
    "prepublishOnly": "npm run build"
  },
  "repository": {
    "type": "git",
    "url": "git+https://github.com/«gh»/«name».git"
  },
  "keywords": ["«what»", "typescript"],
  "author": "«author» <«e:mail»> (https://«gh».dev)",
  "contributors": [
    "«c1name» <«e:c1»>",
    {
      "name": "«c2name»",
      "email": "«e:c2»"
    }
  ],
  "license": "MIT",
  "bugs": {
    "url": "https://github.com/«gh»/«name»/issues",
    "email": "«e:bugs»"
  },
  "packageManager": "pnpm@8.15.4",
  "devDependencies": {
    "@types/node": "^20.11.5",
    "eslint": "^8.56.0",
    "tsup": "^8.0.1",
    "typescript": "^5.3.3",
    "vitest": "^1.2.1"
  },
  "engines": {
    "node": ">=16"
  }
}
'''
    c1, c2 = (r.choice(FIRST), r.choice(LAST)), (r.choice(FIRST), r.choice(LAST))
    name = r.choice(["tiny-debounce", "colorjam", "slugify-lite", "qs-mini", "tempo-fmt"])
    return "package.json", _fill(
        t, name=name, what=r.choice(["debounce helper", "color parser", "slug generator", "query-string parser"]),
        gh=f + l, author=f"{f.title()} {l.title()}", mail=email(r, local=f),
        c1name=f"{c1[0].title()} {c1[1].title()}", c1=email(r, local=f"{c1[0]}.{c1[1]}"),
        c2name=f"{c2[0].title()} {c2[1].title()}", c2=email(r, local=f"{c2[0]}{c2[1][0]}"),
        bugs=email(r, f"{name}.dev".replace("-", ""), local="bugs"))


def d_nextjs_openai(r):
    t = r'''
import OpenAI from 'openai';
import type { NextApiRequest, NextApiResponse } from 'next';

// FIXME: read from process.env.OPENAI_API_KEY once Vercel env is set up
const openai = new OpenAI({
  apiKey: '«k:key»',
  organization: 'org-«org»',
});

type Data = { result?: string; error?: string };

const SYSTEM_PROMPT = `You are a friendly cooking assistant. Given a list of ingredients,
suggest one recipe with steps. Keep it under 200 words.`;

export default async function handler(req: NextApiRequest, res: NextApiResponse<Data>) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ error: 'Method not allowed' });
  }
  const ingredients: string = (req.body?.ingredients || '').toString().slice(0, 500);
  if (!ingredients.trim()) {
    return res.status(400).json({ error: 'Please enter some ingredients' });
  }
  try {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0.7,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: `Ingredients: ${ingredients}` },
      ],
    });
    res.status(200).json({ result: completion.choices[0].message.content ?? '' });
  } catch (err: any) {
    console.error(err?.response?.data ?? err);
    res.status(500).json({ error: 'An error occurred during your request.' });
  }
}
'''
    return "pages/api/generate.ts", _fill(t, key=openai_key(r), org=_s(r, 24))


def d_axios_client(r):
    user = r.choice(["api-reader", "integration", "svc_sync"])
    secret = pw_random(r, 20, sym="")
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    t = r'''
import axios, { AxiosInstance } from 'axios';

const BASE_URL = 'https://erp.«dom»/api/v1';

// Basic auth for the ERP read-only user (Postman export)
const erp: AxiosInstance = axios.create({
  baseURL: BASE_URL,
  timeout: 15000,
  headers: {
    Authorization: 'Basic «k:basic»',
    'Content-Type': 'application/json',
  },
});

// second integration: ticketing system
const helpdesk = axios.create({
  baseURL: 'https://«sub».zendesk.com/api/v2',
  headers: { Authorization: `Bearer «k:bearer»` },
});

export interface Invoice {
  id: number;
  number: string;
  total: number;
  currency: string;
  status: 'draft' | 'open' | 'paid';
}

export async function fetchOpenInvoices(page = 1): Promise<Invoice[]> {
  const { data } = await erp.get('/invoices', { params: { status: 'open', page } });
  return data.items;
}

export async function createTicket(subject: string, body: string, requester: string) {
  const { data } = await helpdesk.post('/tickets.json', {
    ticket: { subject, comment: { body }, requester: { email: requester } },
  });
  return data.ticket.id as number;
}

export async function syncOverdue(): Promise<number> {
  let created = 0;
  for (const inv of await fetchOpenInvoices()) {
    if (inv.status === 'open' && inv.total > 0) {
      await createTicket(`Overdue invoice ${inv.number}`, `Total ${inv.total} ${inv.currency}`, '«e:billing»');
      created++;
    }
  }
  return created;
}
'''
    d = org(r)
    return "src/services/erpClient.ts", _fill(t, dom=d, basic=basic, billing="billing@" + d, sub=d.split(".")[0],
                                              bearer=_s(r, 40, ALNUM))


def d_angular_env(r):
    ip = ip4(r)
    t = r'''
// This file can be replaced during build by using the `fileReplacements` array.
// `ng build` replaces `environment.ts` with `environment.prod.ts`.

export const environment = {
  production: false,
  apiUrl: 'http://«i:ip»:8080/api',
  wsUrl: 'ws://«i:ip»:8080/ws',
  firebase: {
    apiKey: '«k:api»',
    authDomain: '«proj».firebaseapp.com',
    databaseURL: 'https://«proj»-default-rtdb.europe-west1.firebasedatabase.app',
    projectId: '«proj»',
    storageBucket: '«proj».appspot.com',
    messagingSenderId: '«sender»',
    appId: '1:«sender»:web:«appid»',
  },
  recaptcha: {
    siteKey: '6L«rc»',
  },
  googleClientId: '«sender»-«gcid».apps.googleusercontent.com',
  defaultLanguage: 'pt-BR',
  version: '1.8.0',
};

/*
 * For easier debugging in development mode, you can import the following file
 * to ignore zone related error stack frames such as `zone.run`, `zoneDelegate.invokeTask`.
 */
// import 'zone.js/plugins/zone-error';  // Included with Angular CLI.
'''
    s = _d(r, 12)
    return "src/environments/environment.ts", _fill(
        t, ip=ip, api=aiza(r), proj=r.choice(["agenda-escolar", "delivery-app", "clinica-vet"]) + "-" + _s(r, 4, LOWER + DIGITS),
        sender=s, appid=_s(r, 22, HEX), rc=_s(r, 38, B64URL), gcid=_s(r, 32, LOWER + DIGITS))


def d_nuxt_config(r):
    t = r'''
// https://nuxt.com/docs/api/configuration/nuxt-config
export default defineNuxtConfig({
  devtools: { enabled: true },
  modules: ['@nuxtjs/tailwindcss', '@pinia/nuxt', '@nuxtjs/algolia'],

  algolia: {
    apiKey: '«searchkey»', // search-only key, safe to expose
    applicationId: '«appid»',
  },

  runtimeConfig: {
    // server-only
    algoliaAdminKey: '«k:admin»',
    mailchimpApiKey: '«k:mc»',
    mailchimpListId: '«listid»',
    public: {
      siteUrl: 'https://«dom»',
      plausibleDomain: '«dom»',
    },
  },

  app: {
    head: {
      title: 'Dev Notes',
      meta: [{ name: 'description', content: 'Notes on web development, by «author»' }],
      link: [{ rel: 'icon', type: 'image/png', href: '/favicon@2x.png' }],
    },
  },

  nitro: {
    prerender: { routes: ['/sitemap.xml', '/rss.xml'] },
  },
});
'''
    return "nuxt.config.ts", _fill(t, searchkey=hex32(r), appid=_s(r, 10, UPPER + DIGITS), admin=hex32(r),
                                   mc=hex32(r) + "-us" + str(r.randint(1, 21)), listid=_s(r, 10, HEX),
                                   dom=org(r), author=r.choice(FIRST).title())


def d_spring_properties(r):
    ip = ip4(r)
    t = r'''
# ===============================
# = SERVER
# ===============================
server.port=8081
server.servlet.context-path=/api

# ===============================
# = DATA SOURCE
# ===============================
spring.datasource.url=jdbc:mysql://«i:ip»:3306/hotel_booking?useSSL=false&serverTimezone=UTC
spring.datasource.username=hotel
spring.datasource.password=«p:dbpw»
spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver

# ===============================
# = JPA / HIBERNATE
# ===============================
spring.jpa.show-sql=true
spring.jpa.hibernate.ddl-auto=update
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.MySQL8Dialect

# ===============================
# = MAIL
# ===============================
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«e:mail»
spring.mail.password=«p:mailpw»
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# ===============================
# = JWT
# ===============================
app.jwt.secret=«k:jwt»
app.jwt.expiration-ms=86400000

# ===============================
# = ACTUATOR
# ===============================
management.endpoints.web.exposure.include=health,info
spring.security.user.name=actuator
spring.security.user.password=${ACTUATOR_PASSWORD}
'''
    return "src/main/resources/application.properties", _fill(
        t, ip=ip, dbpw=pw(r, sym="!#$%*?@"), mail=email(r, "gmail.com"),
        mailpw=_s(r, 16, LOWER), jwt=_s(r, 88, B64))


def d_spring_yaml(r):
    t = r'''
spring:
  application:
    name: order-service
  datasource:
    url: jdbc:postgresql://db:5432/orders
    username: orders
    password: «p:dbpw»
  jpa:
    hibernate:
      ddl-auto: validate
    open-in-view: false
  redis:
    host: redis
    port: 6379
    password: '«p:redispw»'
  rabbitmq:
    host: rabbitmq
    username: guest
    password: ${RABBIT_PASSWORD:}

cloud:
  aws:
    credentials:
      access-key: «k:akid»
      secret-key: «k:secret»
    region:
      static: ap-southeast-1
    stack:
      auto: false

app:
  s3:
    bucket: order-invoices-prod
  kafka:
    topic: orders.v1

management:
  endpoints:
    web:
      exposure:
        include: health,prometheus
  metrics:
    tags:
      application: ${spring.application.name}

logging:
  level:
    root: INFO
    com.example.orders: DEBUG
'''
    return "order-service/src/main/resources/application.yml", _fill(
        t, dbpw=pw_random(r, sym="-_"), redispw=pw(r, sym="!#%*?@"), akid=aws_id(r), secret=aws_secret(r))


def d_java_jdbc_dao(r):
    ip = ip4(r)
    t = r'''
package com.school.dao;

import com.school.model.Student;

import java.sql.*;
import java.util.ArrayList;
import java.util.List;

public class StudentDaoImpl implements StudentDao {

    private static final String URL = "jdbc:mysql://«i:ip»:3306/school_db";
    private static final String USER = "root";
    private static final String PASS = "«p:pw»";

    private Connection getConnection() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASS);
    }

    @Override
    public List<Student> findAll() {
        List<Student> list = new ArrayList<>();
        String sql = "SELECT id, name, email, grade FROM students ORDER BY name";
        try (Connection con = getConnection();
             PreparedStatement ps = con.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                list.add(new Student(rs.getInt("id"), rs.getString("name"),
                        rs.getString("email"), rs.getInt("grade")));
            }
        } catch (SQLException e) {
            e.printStackTrace();
        }
        return list;
    }

    @Override
    public boolean save(Student s) {
        String sql = "INSERT INTO students(name, email, grade) VALUES (?, ?, ?)";
        try (Connection con = getConnection(); PreparedStatement ps = con.prepareStatement(sql)) {
            ps.setString(1, s.getName());
            ps.setString(2, s.getEmail());
            ps.setInt(3, s.getGrade());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            e.printStackTrace();
            return false;
        }
    }

    @Override
    public boolean delete(int id) {
        try (Connection con = getConnection();
             PreparedStatement ps = con.prepareStatement("DELETE FROM students WHERE id = ?")) {
            ps.setInt(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            e.printStackTrace();
            return false;
        }
    }
}
'''
    return "src/main/java/com/school/dao/StudentDaoImpl.java", _fill(t, ip=ip, pw=pw(r, sym="!#%*?@"))


def d_kotlin_constants(r):
    ip = ip4(r)
    t = r'''
package com.«pkg».app.utils

object Constants {
    const val BASE_URL = "http://«i:ip»:8000/api/"
    const val IMAGE_URL = "http://«i:ip»:8000/media/"

    // TMDB
    const val TMDB_API_KEY = "«k:tmdb»"
    const val TMDB_BASE_URL = "https://api.themoviedb.org/3/"

    // YouTube player
    const val YOUTUBE_API_KEY = "«k:yt»"

    const val PREFS_NAME = "movie_prefs"
    const val KEY_TOKEN = "auth_token"
    const val KEY_PASSWORD_VISIBLE = "password_visible"
    const val DATABASE_NAME = "movies.db"
    const val PAGE_SIZE = 20
    const val TIMEOUT_SECONDS = 30L
}
'''
    return "app/src/main/java/com/movieapp/app/utils/Constants.kt", _fill(
        t, pkg="movieapp", ip=ip, tmdb=hex32(r), yt=aiza(r))


def d_junit_users(r):
    es = [email(r) for _ in range(3)]
    t = r'''
package com.acme.accounts;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

class UserServiceTest {

    private UserService service;

    @BeforeEach
    void setUp() {
        service = new UserService(new InMemoryUserRepository(), new BCryptHasher(4));
        service.register("«e:e1»", "«p:p1»");
        service.register("«e:e2»", "«p:p2»");
    }

    @Test
    void loginWithCorrectPassword() {
        assertTrue(service.login("«e:e1»", "«p:p1»").isPresent());
    }

    @Test
    void loginWithWrongPasswordFails() {
        assertFalse(service.login("«e:e2»", "«p:p1»").isPresent());
    }

    @Test
    void duplicateEmailIsRejected() {
        assertThrows(DuplicateEmailException.class,
                () -> service.register("«e:e1»", "«p:p3»"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void weakPasswordsAreRejected(String weak) {
        assertThrows(WeakPasswordException.class, () -> service.register("«e:e3»", weak));
    }

    @Test
    void passwordIsNotStoredInPlainText() {
        User u = service.find("«e:e2»").orElseThrow();
        assertNotEquals("«p:p2»", u.getPasswordHash());
        assertTrue(u.getPasswordHash().startsWith("$2a$"));
    }
}
'''
    return "src/test/java/com/acme/accounts/UserServiceTest.java", _fill(
        t, e1=es[0], e2=es[1], e3=es[2], p1=pw(r, sym="!#%*?@"), p2=pw(r, sym="!#%*?@"), p3=pw(r, sym="!#%*?@"))


def d_pom_settings(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    f2, l2 = r.choice(FIRST), r.choice(LAST)
    t = r'''
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
    <modelVersion>4.0.0</modelVersion>

    <groupId>io.github.«gh»</groupId>
    <artifactId>«art»</artifactId>
    <version>1.3.2</version>
    <packaging>jar</packaging>

    <name>«art»</name>
    <description>Lightweight retry and circuit-breaker utilities for Java 11+</description>
    <url>https://github.com/«gh»/«art»</url>

    <licenses>
        <license>
            <name>Apache License, Version 2.0</name>
            <url>https://www.apache.org/licenses/LICENSE-2.0.txt</url>
        </license>
    </licenses>

    <developers>
        <developer>
            <id>«gh»</id>
            <name>«n1»</name>
            <email>«e:m1»</email>
            <timezone>+1</timezone>
        </developer>
        <developer>
            <id>«gh2»</id>
            <name>«n2»</name>
            <email>«e:m2»</email>
        </developer>
    </developers>

    <scm>
        <connection>scm:git:git://github.com/«gh»/«art».git</connection>
        <developerConnection>scm:git:ssh://git@github.com/«gh»/«art».git</developerConnection>
        <url>https://github.com/«gh»/«art»/tree/main</url>
    </scm>

    <properties>
        <maven.compiler.release>11</maven.compiler.release>
        <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
        <junit.version>5.10.1</junit.version>
    </properties>

    <distributionManagement>
        <repository>
            <id>nexus-releases</id>
            <url>http://«i:nexus»:8081/repository/maven-releases/</url>
        </repository>
    </distributionManagement>

    <dependencies>
        <dependency>
            <groupId>org.junit.jupiter</groupId>
            <artifactId>junit-jupiter</artifactId>
            <version>${junit.version}</version>
            <scope>test</scope>
        </dependency>
    </dependencies>
</project>
'''
    return "pom.xml", _fill(t, gh=f + l, gh2=f2 + l2[0], art=r.choice(["retry4j-lite", "breaker-kit", "resilio"]),
                            n1=f"{f.title()} {l.title()}", m1=email(r, local=f"{f}.{l}"),
                            n2=f"{f2.title()} {l2.title()}", m2=email(r, org(r), local=f"{f2}"), nexus=ip4(r))


def d_maven_settings(r):
    t = r'''
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
  <!-- CI settings, copied into the runner image -->
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«p:p1»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>«p:p1»</password>
    </server>
    <server>
      <id>github</id>
      <username>«ghuser»</username>
      <password>«k:ghp»</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>${env.OSSRH_USERNAME}</username>
      <password>${env.OSSRH_PASSWORD}</password>
    </server>
  </servers>

  <mirrors>
    <mirror>
      <id>nexus</id>
      <mirrorOf>*</mirrorOf>
      <url>https://nexus.«dom»/repository/maven-public/</url>
    </mirror>
  </mirrors>

  <profiles>
    <profile>
      <id>sonar</id>
      <properties>
        <sonar.host.url>https://sonar.«dom»</sonar.host.url>
        <sonar.login>«k:sonar»</sonar.login>
      </properties>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>sonar</activeProfile>
  </activeProfiles>
</settings>
'''
    return ".mvn/settings.xml", _fill(t, p1=pw(r, sym="!#%*?@"), ghuser=r.choice(FIRST) + "-ci", ghp=ghp(r),
                                      dom=org(r), sonar="squ_" + hex40(r))


def d_gradle_properties(r):
    t = r'''
# Project-wide Gradle settings.
# IDE (e.g. Android Studio) users:
# Gradle settings configured through the IDE *will override*
# any settings specified in this file.
# For more details on how to configure your build environment visit
# http://www.gradle.org/docs/current/userguide/build_environment.html
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
org.gradle.parallel=true
org.gradle.caching=true
android.useAndroidX=true
kotlin.code.style=official
android.nonTransitiveRClass=true

# Release signing (keystore lives in ~/keystores, NOT in the repo)
RELEASE_STORE_FILE=../keystores/upload-keystore.jks
RELEASE_STORE_PASSWORD=«p:store»
RELEASE_KEY_ALIAS=upload
RELEASE_KEY_PASSWORD=«p:keypw»

# Versioning
VERSION_NAME=2.7.1
VERSION_CODE=271

# API keys
MAPS_API_KEY=«k:maps»
ONESIGNAL_APP_ID=«uuid»
'''
    st = pw(r, sym="!#%*?@")
    return "gradle.properties", _fill(t, store=st, keypw=st if r.random() < 0.5 else pw(r, sym="!#%*?@"),
                                      maps=aiza(r), uuid=uuid4(r), rc=_s(r, 27))


def d_arduino_mqtt(r):
    ip = ip4(r)
    t = r'''
#include <ESP8266WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>
#include <ArduinoOTA.h>

#define DHTPIN D4
#define DHTTYPE DHT22

// WiFi
const char* ssid = "«ssid»";
const char* password = "«p:wifi»";

// MQTT broker (VPS)
const char* mqtt_server = "«i:ip»";
const int mqtt_port = 1883;
const char* mqtt_user = "sensor01";
const char* mqtt_pass = "«p:mqtt»";

// Blynk (legacy)
char auth[] = "«k:blynk»";

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);
unsigned long lastMsg = 0;

void setup_wifi() {
  delay(10);
  Serial.print("Connecting to ");
  Serial.println(ssid);
  WiFi.mode(WIFI_STA);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println("\nWiFi connected, IP: ");
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    String clientId = "ESP8266-" + String(ESP.getChipId(), HEX);
    if (client.connect(clientId.c_str(), mqtt_user, mqtt_pass)) {
      client.publish("home/livingroom/status", "online", true);
    } else {
      Serial.print("failed, rc=");
      Serial.println(client.state());
      delay(5000);
    }
  }
}

void setup() {
  Serial.begin(115200);
  dht.begin();
  setup_wifi();
  client.setServer(mqtt_server, mqtt_port);
  ArduinoOTA.setHostname("livingroom-sensor");
  ArduinoOTA.setPassword("«p:ota»");
  ArduinoOTA.begin();
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  ArduinoOTA.handle();
  unsigned long now = millis();
  if (now - lastMsg > 30000) {
    lastMsg = now;
    char buf[16];
    dtostrf(dht.readTemperature(), 4, 1, buf);
    client.publish("home/livingroom/temperature", buf);
    dtostrf(dht.readHumidity(), 4, 1, buf);
    client.publish("home/livingroom/humidity", buf);
  }
}
'''
    return "livingroom_sensor/livingroom_sensor.ino", _fill(
        t, ssid=r.choice(["FRITZ!Box 7590 XY", "TP-Link_4F2A", "Vodafone-C0FFEE", "MEO-88A1B0"]),
        wifi=pw(r, sym="!#%*?@"), ip=ip, mqtt=pw_random(r, 12, sym=""), blynk=_s(r, 32, ALNUM + "-_"), ota=pw(r, sym="!#%*?@"))


def d_esp32_firebase(r):
    proj = r.choice(["smart-garden", "plant-monitor", "aquarium-ctrl"]) + "-" + _s(r, 5, LOWER + DIGITS)
    t = r'''
#include <Arduino.h>
#include <WiFi.h>
#include <Firebase_ESP_Client.h>
#include "addons/TokenHelper.h"
#include "addons/RTDBHelper.h"

#define WIFI_SSID "«ssid»"
#define WIFI_PASSWORD "«p:wifi»"

// Insert Firebase project API Key
#define API_KEY "«k:api»"

// Insert Authorized Email and Corresponding Password
#define USER_EMAIL "«e:user»"
#define USER_PASSWORD "«p:upw»"

// Insert RTDB URL
#define DATABASE_URL "https://«proj»-default-rtdb.firebaseio.com/"

FirebaseData fbdo;
FirebaseAuth auth;
FirebaseConfig config;

const int SOIL_PIN = 34;
const int PUMP_PIN = 26;
unsigned long sendDataPrevMillis = 0;

void setup() {
  Serial.begin(115200);
  pinMode(PUMP_PIN, OUTPUT);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  while (WiFi.status() != WL_CONNECTED) {
    Serial.print('.');
    delay(300);
  }
  config.api_key = API_KEY;
  auth.user.email = USER_EMAIL;
  auth.user.password = USER_PASSWORD;
  config.database_url = DATABASE_URL;
  config.token_status_callback = tokenStatusCallback;
  Firebase.begin(&config, &auth);
  Firebase.reconnectWiFi(true);
}

void loop() {
  if (Firebase.ready() && (millis() - sendDataPrevMillis > 15000 || sendDataPrevMillis == 0)) {
    sendDataPrevMillis = millis();
    int moisture = map(analogRead(SOIL_PIN), 4095, 1200, 0, 100);
    Firebase.RTDB.setInt(&fbdo, "/garden/moisture", moisture);
    bool pump = false;
    if (Firebase.RTDB.getBool(&fbdo, "/garden/pump")) {
      pump = fbdo.boolData();
    }
    digitalWrite(PUMP_PIN, pump ? HIGH : LOW);
  }
}
'''
    return "src/main.cpp", _fill(t, ssid=r.choice(["Casa_Silva", "HomeNet-5G", "iPhone de Ana"]),
                                 wifi=pw(r, sym="!#%*?@"), api=aiza(r), user=email(r, "gmail.com"),
                                 upw=pw(r, sym="!#%*?@"), proj=proj)


def d_cpp_mysql(r):
    ip = ip4(r)
    t = r'''
#include <iostream>
#include <memory>
#include <mysql_connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

// Inventory manager - DB helper (group project, CS 2040)
namespace db {

const std::string HOST = "tcp://«i:ip»:3306";
const std::string USER = "inventory";
const std::string PASS = "«p:pw»";
const std::string SCHEMA = "inventory";

std::unique_ptr<sql::Connection> connect() {
    sql::Driver* driver = get_driver_instance();
    std::unique_ptr<sql::Connection> con(driver->connect(HOST, USER, PASS));
    con->setSchema(SCHEMA);
    return con;
}

void listLowStock(int threshold) {
    try {
        auto con = connect();
        std::unique_ptr<sql::PreparedStatement> ps(
            con->prepareStatement("SELECT sku, name, qty FROM items WHERE qty < ? ORDER BY qty"));
        ps->setInt(1, threshold);
        std::unique_ptr<sql::ResultSet> rs(ps->executeQuery());
        while (rs->next()) {
            std::cout << rs->getString("sku") << "\t" << rs->getString("name")
                      << "\t" << rs->getInt("qty") << "\n";
        }
    } catch (sql::SQLException& e) {
        std::cerr << "SQL error " << e.getErrorCode() << ": " << e.what() << std::endl;
    }
}

}  // namespace db

int main() {
    db::listLowStock(5);
    return 0;
}
'''
    return "src/db.cpp", _fill(t, ip=ip, pw=pw(r, sym="!#%*?@"))


def d_c_config_header(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    t = r'''
/*
 * config.h - build-time configuration for weatherd
 *
 * Copyright (c) 2021-2023 «name» <«e:mail»>
 * Contributions by «name2» <«e:mail2»>
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, subject to the MIT license conditions.
 */
#ifndef WEATHERD_CONFIG_H
#define WEATHERD_CONFIG_H

#define WEATHERD_VERSION "0.9.4"

/* Station location */
#define STATION_LAT  52.5200
#define STATION_LON  13.4050

/* OpenWeatherMap One Call 3.0 */
#define OWM_API_KEY  "«k:owm»"
#define OWM_ENDPOINT "https://api.openweathermap.org/data/3.0/onecall"

/* Upload to Weather Underground personal weather station */
#define WU_STATION_ID "IBERLIN«wuid»"
#define WU_API_KEY "«k:wukey»"

/* Poll interval in seconds */
#define POLL_INTERVAL 300

/* Bind address for the local HTTP status page */
#define HTTP_BIND "0.0.0.0"
#define HTTP_PORT 8088

#endif /* WEATHERD_CONFIG_H */
'''
    f2, l2 = r.choice(FIRST), r.choice(LAST)
    return "src/config.h", _fill(t, name=f"{f.title()} {l.title()}", mail=email(r, local=f"{f}"),
                                 name2=f"{f2.title()} {l2.title()}", mail2=email(r, local=f"{f2}.{l2}"),
                                 owm=hex32(r), wuid=_d(r, 3), wukey=hex32(r))


def d_c_libpq(r):
    ip = ip4(r)
    t = r'''
#include <stdio.h>
#include <stdlib.h>
#include <libpq-fe.h>

/* nightly aggregation job for the sensor network (runs on the edge gateway) */

static const char *CONNINFO =
    "host=«i:ip» port=5432 dbname=telemetry user=gateway password=«p:pw» sslmode=require";

static void die(PGconn *conn, const char *what) {
    fprintf(stderr, "%s: %s", what, PQerrorMessage(conn));
    PQfinish(conn);
    exit(1);
}

int main(void) {
    PGconn *conn = PQconnectdb(CONNINFO);
    if (PQstatus(conn) != CONNECTION_OK)
        die(conn, "connect");

    PGresult *res = PQexec(conn,
        "INSERT INTO daily_avg(sensor_id, day, avg_value) "
        "SELECT sensor_id, date_trunc('day', ts), avg(value) FROM readings "
        "WHERE ts >= now() - interval '1 day' GROUP BY 1, 2 "
        "ON CONFLICT (sensor_id, day) DO UPDATE SET avg_value = EXCLUDED.avg_value");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQclear(res);
        die(conn, "aggregate");
    }
    printf("aggregated %s rows\n", PQcmdTuples(res));
    PQclear(res);
    PQfinish(conn);
    return 0;
}
'''
    return "jobs/aggregate.c", _fill(t, ip=ip, pw=pw_random(r, sym="!#%*-_"))


def d_go_mysql(r):
    ip = ip4(r)
    t = r'''
package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

type Product struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

var db *sql.DB

func main() {
	var err error
	db, err = sql.Open("mysql", "shop:«p:pw»@tcp(«i:ip»:3306)/shop?parseTime=true")
	if err != nil {
		log.Fatal(err)
	}
	db.SetConnMaxLifetime(3 * time.Minute)
	db.SetMaxOpenConns(10)

	http.HandleFunc("/products", listProducts)
	log.Println("listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}

func listProducts(w http.ResponseWriter, r *http.Request) {
	rows, err := db.Query("SELECT id, name, price FROM products ORDER BY id LIMIT 100")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()

	var out []Product
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Name, &p.Price); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, p)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
'''
    return "main.go", _fill(t, pw=pw(r, sym="!#%*?"), ip=ip)


def d_go_config(r):
    t = r'''
package config

import (
	"os"
	"strconv"
	"time"
)

type Config struct {
	HTTPAddr      string
	JWTSecret     []byte
	TokenTTL      time.Duration
	RedisAddr     string
	RedisPassword string
	RedisDB       int
	SMTPUser      string
	SMTPPass      string
}

func getenv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

// Load reads the configuration from the environment, falling back to dev defaults.
func Load() *Config {
	db, _ := strconv.Atoi(getenv("REDIS_DB", "0"))
	return &Config{
		HTTPAddr:      getenv("HTTP_ADDR", ":8080"),
		JWTSecret:     []byte(getenv("JWT_SECRET", "«k:jwt»")),
		TokenTTL:      24 * time.Hour,
		RedisAddr:     getenv("REDIS_ADDR", "127.0.0.1:6379"),
		RedisPassword: getenv("REDIS_PASSWORD", "«p:rpw»"),
		RedisDB:       db,
		SMTPUser:      getenv("SMTP_USER", "«e:smtp»"),
		SMTPPass:      getenv("SMTP_PASS", ""),
	}
}
'''
    return "internal/config/config.go", _fill(t, jwt=_s(r, 48, ALNUM), rpw=pw(r, sym="!#%*?@"), smtp=email(r, org(r)))


def d_go_github_test(r):
    tok = r.choice([ghp(r), github_pat(r)])
    t = r'''
package ghsync

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Integration test against the real API; skipped in short mode.
// Token belongs to the throwaway bot account.
const testToken = "«k:tok»"

func TestListReleases(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	c := NewClient(testToken)
	rels, err := c.ListReleases(context.Background(), "golang", "go")
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) == 0 {
		t.Fatal("expected releases")
	}
}

func TestChecksumMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("not the asset"))
	}))
	defer srv.Close()

	c := NewClient("")
	c.BaseURL = srv.URL
	// sha256 of the real v1.4.0 asset
	want := "«sha»"
	if err := c.Download(context.Background(), srv.URL+"/asset", want, t.TempDir()); err == nil {
		t.Fatal("expected checksum mismatch")
	}
}

func TestCommitLink(t *testing.T) {
	got := CommitURL("acme/tool", "«commit»")
	want := "https://github.com/acme/tool/commit/«commit»"
	if got != want {
		t.Errorf("got %s want %s", got, want)
	}
}
'''
    return "ghsync/client_test.go", _fill(t, tok=tok, sha=sha256(r), commit=sha1(r))


def d_go_netutil_neg(r):
    t = r'''
package netutil

import (
	"net"
	"testing"
)

func TestIsPrivate(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"10.0.0.1", true},
		{"10.255.255.254", true},
		{"172.16.5.4", true},
		{"172.31.0.9", true},
		{"192.168.1.1", true},
		{"100.64.0.1", true}, // CGNAT
		{"127.0.0.1", true},
		{"169.254.169.254", true}, // link-local, cloud metadata
		{"::1", true},
		{"fe80::1ff:fe23:4567:890a", true},
		{"fd12:3456:789a:1::1", true},
		{"192.0.2.10", true},    // TEST-NET-1
		{"198.51.100.7", true},  // TEST-NET-2
		{"203.0.113.200", true}, // TEST-NET-3
		{"2001:db8::8a2e:370:7334", true},
		{"0.0.0.0", true},
		{"255.255.255.255", true},
		{"224.0.0.251", true}, // mDNS multicast
	}
	for _, c := range cases {
		ip := net.ParseIP(c.in)
		if ip == nil {
			t.Fatalf("could not parse %q", c.in)
		}
		if got := IsPrivate(ip); got != c.want {
			t.Errorf("IsPrivate(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseCIDR(t *testing.T) {
	for _, s := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"} {
		if _, _, err := net.ParseCIDR(s); err != nil {
			t.Error(err)
		}
	}
	mask := net.IPv4Mask(255, 255, 255, 0)
	if mask.String() != "ffffff00" {
		t.Errorf("mask %s", mask)
	}
}

func TestResolversAreSkipped(t *testing.T) {
	for _, s := range []string{"8.8.8.8", "8.8.4.4", "1.1.1.1", "9.9.9.9"} {
		if !IsWellKnownResolver(net.ParseIP(s)) {
			t.Errorf("%s should be a well-known resolver", s)
		}
	}
}

func TestVersionNotIP(t *testing.T) {
	// OIDs and versions must not parse as addresses
	for _, s := range []string{"1.3.6.1.4.1.311", "2.5.4.3", "v1.22.3"} {
		if net.ParseIP(s) != nil {
			t.Errorf("%s parsed as IP", s)
		}
	}
}
'''
    return "pkg/netutil/private_test.go", _fill(t)


def d_appsettings_json(r):
    ip = ip4(r)
    t = r'''
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«i:ip»,1433;Database=LibraryDb;User Id=sa;Password=«p:pw»;TrustServerCertificate=True;",
    "Redis": "localhost:6379"
  },
  "Jwt": {
    "Key": "«k:jwt»",
    "Issuer": "LibraryApi",
    "Audience": "LibraryClient",
    "DurationInMinutes": 60
  },
  "SendGrid": {
    "ApiKey": "«k:sg»",
    "FromEmail": "«e:from»",
    "FromName": "Library"
  },
  "Smtp": {
    "Host": "smtp.sendgrid.net",
    "Port": 587,
    "User": "apikey",
    "Password": "«p:smtppw»"
  },
  "Cloudinary": {
    "CloudName": "«cloud»",
    "ApiSecret": "«k:cldsecret»"
  },
  "Serilog": {
    "MinimumLevel": "Information",
    "WriteTo": [ { "Name": "Console" } ]
  }
}
'''
    return "LibraryApi/appsettings.Development.json", _fill(
        t, ip=ip, pw=pw(r, sym="!#%*?@"), jwt=_s(r, 44, ALNUM), sg=sendgrid(r),
        **{"from": email(r, org(r), local="no-reply")}, cloud="dx" + _s(r, 7, LOWER + DIGITS),
        cldkey=_d(r, 15), cldsecret=_s(r, 27, B64URL), smtppw=_escq(pw_random(r, 12, sym="!#%*")))


def d_web_config(r):
    ip = ip4(r)
    t = r'''
<?xml version="1.0" encoding="utf-8"?>
<!--
  For more information on how to configure your ASP.NET application, please visit
  https://go.microsoft.com/fwlink/?LinkId=301880
  -->
<configuration>
  <connectionStrings>
    <add name="ShopContext"
         connectionString="Data Source=«i:ip»;Initial Catalog=ShopDB;User ID=shopweb;Password=«p:pw»;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="webpages:Enabled" value="false" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="PayPalClientId" value="«ppid»" />
    <add key="PayPalClientSecret" value="«k:ppsecret»" />
    <add key="StorageConnection" value="DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«k:azkey»;EndpointSuffix=core.windows.net" />
    <add key="RecaptchaSiteKey" value="6L«rc»" />
  </appSettings>
  <system.web>
    <compilation debug="true" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" />
    <machineKey validationKey="«k:vkey»" decryptionKey="«k:dkey»" validation="SHA1" decryption="AES" />
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
'''
    return "ShopWeb/Web.config", _fill(t, ip=ip, pw=pw(r, sym="!#%*?@"), ppid="A" + _s(r, 79, B64URL),
                                       ppsecret="E" + _s(r, 79, B64URL), acct="shopweb" + _s(r, 6, LOWER + DIGITS),
                                       azkey=azure_key(r), rc=_s(r, 38, B64URL),
                                       vkey=_s(r, 128, "0123456789ABCDEF"), dkey=_s(r, 64, "0123456789ABCDEF"))


def d_csharp_blob_test(r):
    acct = "devstore" + _s(r, 6, LOWER + DIGITS)
    t = r'''
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Azure.Storage.Blobs;
using Xunit;

namespace Uploader.Tests
{
    public class BlobUploaderTests
    {
        // Azurite on localhost for the fast tests
        private const string AzuriteConnection = "UseDevelopmentStorage=true";

        // real account used by the nightly integration run
        private const string CloudConnection =
            "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«k:key»;EndpointSuffix=core.windows.net";

        [Fact]
        public async Task UploadsAndReadsBack()
        {
            var uploader = new BlobUploader(new BlobServiceClient(AzuriteConnection), "tests");
            var name = await uploader.UploadAsync("hello.txt", new MemoryStream(Encoding.UTF8.GetBytes("hi")));
            var text = await uploader.ReadTextAsync(name);
            Assert.Equal("hi", text);
        }

        [Fact(Skip = "nightly only")]
        public async Task UploadsToCloud()
        {
            var uploader = new BlobUploader(new BlobServiceClient(CloudConnection), "nightly");
            var name = await uploader.UploadAsync("ping.txt", new MemoryStream(new byte[] { 1, 2, 3 }));
            Assert.False(string.IsNullOrEmpty(name));
        }
    }
}
'''
    return "Uploader.Tests/BlobUploaderTests.cs", _fill(t, acct=acct, key=azure_key(r))


_WP = ALNUM + "!@#$%^&*()-_[]{}<>~`+=,.;:/?|"


def d_wp_config(r):
    ip = ip4(r)
    salts = {n: _s(r, 64, _WP) for n in ["ak", "sak", "lik", "nk", "as", "sas", "lis", "ns"]}
    t = r'''
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
define( 'DB_NAME', 'wp_«site»' );

/** Database username */
define( 'DB_USER', 'wp_«site»_usr' );

/** Database password */
define( 'DB_PASSWORD', '«p:dbpw»' );

/** Database hostname */
define( 'DB_HOST', '«i:ip»:3306' );

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
define( 'AUTH_KEY',         '«k:ak»' );
define( 'SECURE_AUTH_KEY',  '«k:sak»' );
define( 'LOGGED_IN_KEY',    '«k:lik»' );
define( 'NONCE_KEY',        '«k:nk»' );
define( 'AUTH_SALT',        '«k:as»' );
define( 'SECURE_AUTH_SALT', '«k:sas»' );
define( 'LOGGED_IN_SALT',   '«k:lis»' );
define( 'NONCE_SALT',       '«k:ns»' );

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'WP_MEMORY_LIMIT', '256M' );
define( 'FS_METHOD', 'direct' );

/* SMTP plugin */
define( 'WPMS_ON', true );
define( 'WPMS_SMTP_PASS', '«p:smtppw»' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
'''
    return "wp-config.php", _fill(t, site=r.choice(["bakery", "yogastudio", "photoblog"]), dbpw=pw_random(r, 16, sym="!#%*-_@"),
                                  ip=ip, smtppw=pw(r, sym="!#%*?@"), **salts)


def d_laravel_env(r):
    mail = email(r, org(r))
    t = r'''
APP_NAME=Laravel
APP_ENV=local
APP_KEY=base64:«k:appkey»
APP_DEBUG=true
APP_URL=http://localhost

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_PORT=3306
DB_DATABASE=ecommerce
DB_USERNAME=root
DB_PASSWORD=«p:dbpw»

BROADCAST_DRIVER=pusher
CACHE_DRIVER=file
FILESYSTEM_DISK=s3
QUEUE_CONNECTION=sync
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=«p:redispw»
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.hostinger.com
MAIL_PORT=465
MAIL_USERNAME=«e:mail»
MAIL_PASSWORD=«p:mailpw»
MAIL_ENCRYPTION=ssl
MAIL_FROM_ADDRESS="«e:mail»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«k:akid»
AWS_SECRET_ACCESS_KEY=«k:aws»
AWS_DEFAULT_REGION=us-east-1
AWS_BUCKET=ecommerce-product-images
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=«pushid»
PUSHER_APP_KEY=«pushkey»
PUSHER_APP_SECRET=«k:pushsecret»
PUSHER_APP_CLUSTER=ap2

STRIPE_KEY=«pk»
STRIPE_SECRET=«k:sk»

VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
'''
    return ".env", _fill(t, appkey=base64.b64encode(r.randbytes(32)).decode(), dbpw=pw(r, sym="!#%*?@"),
                         mail=mail, mailpw=pw(r, sym="!#%*?@"), akid=aws_id(r), aws=aws_secret(r),
                         pushid=_d(r, 7), pushkey=_s(r, 20, HEX), pushsecret=_s(r, 20, HEX),
                         pk=stripe_pk(r, "test"), sk=stripe_sk(r, "test"), redispw=pw_random(r, 20, sym=""))


def d_phpmailer(r):
    user = email(r, org(r))
    t = r'''
<?php
use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\Exception;

require 'vendor/autoload.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    exit;
}

$name    = htmlspecialchars(trim($_POST['name'] ?? ''));
$email   = filter_var($_POST['email'] ?? '', FILTER_VALIDATE_EMAIL);
$message = htmlspecialchars(trim($_POST['message'] ?? ''));

if (!$name || !$email || !$message) {
    header('Location: contact.html?status=invalid');
    exit;
}

$mail = new PHPMailer(true);

try {
    //Server settings
    $mail->isSMTP();
    $mail->Host       = 'smtp.zoho.eu';
    $mail->SMTPAuth   = true;
    $mail->Username   = '«e:user»';
    $mail->Password   = '«p:pw»';
    $mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
    $mail->Port       = 465;

    //Recipients
    $mail->setFrom('«e:user»', 'Website contact form');
    $mail->addAddress('«e:owner»', '«ownername»');
    $mail->addBCC('«e:bcc»');
    $mail->addReplyTo($email, $name);

    //Content
    $mail->isHTML(true);
    $mail->Subject = 'New message from ' . $name;
    $mail->Body    = nl2br($message);
    $mail->AltBody = $message;

    $mail->send();
    header('Location: contact.html?status=sent');
} catch (Exception $e) {
    error_log("Mailer Error: {$mail->ErrorInfo}");
    header('Location: contact.html?status=error');
}
'''
    f, l = r.choice(FIRST), r.choice(LAST)
    return "contact.php", _fill(t, user=user, pw=pw(r, sym="!#%*?@"), owner=email(r, local=f"{f}.{l}"),
                                ownername=f"{f.title()} {l.title()}", bcc=email(r))


def d_rails_database_yml(r):
    ip = ip4(r)
    t = r'''
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
  database: bookclub_development
  username: bookclub
  password: «p:devpw»
  host: localhost

test:
  <<: *default
  database: bookclub_test
  username: bookclub
  password: «p:devpw»
  host: localhost

staging:
  <<: *default
  database: bookclub_staging
  host: «i:ip»
  username: deploy
  password: "«p:stpw»"

production:
  <<: *default
  database: bookclub_production
  username: bookclub
  password: <%= ENV["BOOKCLUB_DATABASE_PASSWORD"] %>
'''
    return "config/database.yml", _fill(t, devpw=pw(r, sym=""), ip=ip, stpw=pw(r, sym="!%*?@"))


def d_rails_smtp(r):
    user = email(r, "gmail.com")
    t = r'''
require "active_support/core_ext/integer/time"

Rails.application.configure do
  config.cache_classes = false
  config.eager_load = false
  config.consider_all_requests_local = true
  config.server_timing = true

  config.active_storage.service = :local

  # Don't care if the mailer can't send.
  config.action_mailer.raise_delivery_errors = true
  config.action_mailer.perform_caching = false
  config.action_mailer.default_url_options = { host: "localhost", port: 3000 }
  config.action_mailer.delivery_method = :smtp
  config.action_mailer.smtp_settings = {
    address:              "smtp.gmail.com",
    port:                 587,
    domain:               "gmail.com",
    user_name:            "«e:user»",
    password:             "«p:pw»",
    authentication:       "plain",
    enable_starttls_auto: true
  }

  config.active_support.deprecation = :log
  config.active_record.migration_error = :page_load
  config.active_record.verbose_query_logs = true
  config.assets.quiet = true

  # Raises error for missing translations.
  # config.i18n.raise_on_missing_translations = true

  config.action_cable.disable_request_forgery_protection = true
end
'''
    return "config/environments/development.rb", _fill(t, user=user, pw=_s(r, 16, LOWER))


def d_ruby_octokit(r):
    t = r'''
#!/usr/bin/env ruby
# frozen_string_literal: true

# Weekly digest of merged PRs, posted to Slack.
require "octokit"
require "slack-ruby-client"
require "date"

REPOS = %w[acme/api acme/web acme/mobile].freeze

Octokit.configure do |c|
  c.access_token = "«k:gh»"
  c.auto_paginate = true
end

Slack.configure do |config|
  config.token = "«k:slack»"
end

since = (Date.today - 7).iso8601
lines = []

REPOS.each do |repo|
  prs = Octokit.search_issues("repo:#{repo} is:pr is:merged merged:>=#{since}").items
  next if prs.empty?

  lines << "*#{repo}* (#{prs.size})"
  prs.first(15).each do |pr|
    lines << "• <#{pr.html_url}|##{pr.number}> #{pr.title} — #{pr.user.login}"
  end
end

text = lines.empty? ? "No merged PRs this week :zzz:" : lines.join("\n")
Slack::Web::Client.new.chat_postMessage(channel: "#eng-digest", text: text, as_user: true)
puts text
'''
    return "scripts/weekly_digest.rb", _fill(t, gh=r.choice([ghp(r), gho(r)]), slack=xoxb(r))


def d_rails_fixtures(r):
    es = [email(r) for _ in range(3)]
    t = r'''
# Read about fixtures at https://api.rubyonrails.org/classes/ActiveRecord/FixtureSet.html

admin:
  email: «e:e0»
  name: Site Admin
  encrypted_password: <%= Devise::Encryptor.digest(User, "«p:p0»") %>
  role: admin
  confirmed_at: <%= Time.current %>

alice:
  email: «e:e1»
  name: «n1»
  encrypted_password: <%= Devise::Encryptor.digest(User, "«p:p1»") %>
  role: member
  confirmed_at: <%= 2.days.ago %>

unconfirmed:
  email: «e:e2»
  name: «n2»
  encrypted_password: «bc»
  role: member
  confirmed_at:

# Login helper used by the system tests:
#   sign_in_as(users(:alice), password: "«p:p1»")
'''
    return "test/fixtures/users.yml", _fill(t, e0=es[0], e1=es[1], e2=es[2], p0=pw(r), p1=pw(r),
                                            n1=es[1].split("@")[0].title(), n2=es[2].split("@")[0].title(),
                                            bc=bcrypt_hash(r))


def d_deploy_sh(r):
    ip1, ip2 = ip4(r), ip4(r)
    t = r'''
#!/usr/bin/env bash
# deploy.sh - build the frontend and push it to the two web nodes
# usage: ./deploy.sh [branch]
set -euo pipefail

BRANCH="${1:-main}"
APP_DIR=/var/www/portfolio
NODES=("«i:ip1»" "«i:ip2»")
SSH_USER=deploy
SSH_PASS='«p:pw»'   # TODO switch to keys

echo ">> building $BRANCH"
git fetch origin "$BRANCH"
git checkout "$BRANCH"
git pull --ff-only
npm ci
npm run build

for node in "${NODES[@]}"; do
  echo ">> deploying to $node"
  sshpass -p "$SSH_PASS" rsync -az --delete -e "ssh -o StrictHostKeyChecking=no" \
    dist/ "$SSH_USER@$node:$APP_DIR/releases/$(date +%Y%m%d%H%M)/"
  sshpass -p "$SSH_PASS" ssh -o StrictHostKeyChecking=no "$SSH_USER@$node" \
    "ln -sfn \$(ls -d $APP_DIR/releases/* | tail -1) $APP_DIR/current && sudo systemctl reload nginx"
done

# quick smoke test
for node in "${NODES[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$node/")
  echo "$node -> $code"
done

# manual fallback:
#   ssh deploy@«i:ip1»
#   cd /var/www/portfolio && git pull
'''
    return "deploy.sh", _fill(t, ip1=ip1, ip2=ip2, pw=pw(r, sym="!#%*?@"))


def d_backup_sh(r):
    ip = ip4(r)
    t = r'''
#!/bin/bash
#
# Nightly MySQL + Postgres backup, run from root's crontab:
#   15 2 * * * /opt/scripts/backup.sh >> /var/log/backup.log 2>&1
#

DATE=$(date +%F)
DEST=/backups/$DATE
mkdir -p "$DEST"

# --- MySQL (shop) ---
MYSQL_HOST=«i:ip»
mysqldump -h $MYSQL_HOST -u backup -p'«p:mypw»' --single-transaction --routines shop \
  | gzip > "$DEST/shop.sql.gz"

# --- Postgres (analytics, local) ---
export PGPASSWORD="«p:pgpw»"
pg_dump -h localhost -U analytics -Fc analytics > "$DEST/analytics.dump"
unset PGPASSWORD

# --- offsite copy ---
export AWS_ACCESS_KEY_ID=«k:akid»
export AWS_SECRET_ACCESS_KEY=«k:aws»
aws s3 sync "$DEST" "s3://«bucket»/$DATE/" --storage-class STANDARD_IA --only-show-errors

# keep 14 days locally
find /backups -maxdepth 1 -type d -mtime +14 -exec rm -rf {} \;

echo "$(date -Is) backup done: $(du -sh "$DEST" | cut -f1)"
'''
    return "scripts/backup.sh", _fill(t, ip=ip, mypw=pw(r, sym="!#%*?@"), pgpw=pw_random(r, sym="-_."),
                                      akid=aws_id(r), aws=aws_secret(r), bucket=r.choice(["acme-db-backups", "offsite-bk-eu"]))


def d_curl_examples(r):
    t = r'''
#!/bin/sh
# api-examples.sh — handy curl calls for poking the APIs we integrate with.
# Copy the one you need; tokens are the dev workspace ones.

# Create a GitHub issue
curl -s -X POST \
  -H "Accept: application/vnd.github+json" \
  -H "Authorization: Bearer «k:gh»" \
  https://api.github.com/repos/acme-dev/sandbox/issues \
  -d '{"title":"Found a bug","body":"created from curl"}'

# Post to Slack
curl -s -X POST -H 'Content-type: application/json' \
  --data '{"text":"Hello from curl"}' \
  https://hooks.slack.com/services/«k:hook»

# Send an SMS with Twilio (API key auth; account SID comes from the env)
curl -s -X POST "https://api.twilio.com/2010-04-01/Accounts/$TWILIO_ACCOUNT_SID/Messages.json" \
  --data-urlencode "Body=Test message" \
  --data-urlencode "From=+15005550006" \
  --data-urlencode "To=+15005550009" \
  -u «k:sk»:«k:sksecret»

# Mailgun
curl -s --user 'api:«k:mg»' \
  https://api.mailgun.net/v3/mg.«dom»/messages \
  -F from='Dev <«e:from»>' \
  -F to=«e:to» \
  -F subject='Hello' \
  -F text='Testing some Mailgun awesomeness!'

# Trigger the Jenkins deploy job
curl -s -X POST -u ci-bot:«p:jenkpw» "https://jenkins.«dom»/job/deploy-staging/buildWithParameters?BRANCH=main"

# DigitalOcean droplets
curl -s -H "Authorization: Bearer «k:do»" "https://api.digitalocean.com/v2/droplets?page=1&per_page=20"

# placeholder for prod — never commit the real one
curl -s -H "Authorization: Bearer $PROD_API_TOKEN" https://api.«dom»/v1/health
curl -s -H "X-Api-Key: <YOUR_API_KEY>" https://api.«dom»/v1/ping
'''
    d = org(r)
    return "scripts/api-examples.sh", _fill(t, gh=r.choice([ghp(r), github_pat(r)]), hook=slack_hook(r), sk=twilio_sk(r),
                                            sksecret=_s(r, 32, ALNUM), mg=mailgun(r), dom=d,
                                            **{"from": email(r, "mg." + d, local="dev")}, to=email(r), do=do_tok(r), jenkpw=pw_random(r, 14, sym="-_"))


def d_iptables(r):
    ips = [ip4(r) for _ in range(5)]
    net = ip4(r).rsplit(".", 1)[0] + ".0"
    t = r'''
#!/bin/sh
# /etc/firewall.sh — iptables rules for the game server (Minecraft + admin)
IPT=/sbin/iptables

$IPT -F
$IPT -X
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT

# loopback and established
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -s 127.0.0.0/8 ! -i lo -j DROP
$IPT -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT

# SSH only from home and the office
$IPT -A INPUT -p tcp --dport 22 -s «i:home» -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s «i:office» -j ACCEPT
$IPT -A INPUT -p tcp --dport 22 -s 192.168.10.0/24 -j ACCEPT

# Minecraft
$IPT -A INPUT -p tcp --dport 25565 -j ACCEPT
$IPT -A INPUT -p udp --dport 19132 -j ACCEPT

# RCON only from the panel
$IPT -A INPUT -p tcp --dport 25575 -s «i:panel» -j ACCEPT

# known griefers / scanners
$IPT -A INPUT -s «i:bad1» -j DROP
$IPT -A INPUT -s «i:bad2» -j DROP
$IPT -A INPUT -s «i:badnet»/24 -j DROP

# ICMP, rate limited
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/s -j ACCEPT

# DNS out to resolvers
$IPT -A OUTPUT -p udp --dport 53 -d 1.1.1.1 -j ACCEPT
$IPT -A OUTPUT -p udp --dport 53 -d 8.8.8.8 -j ACCEPT

# log the rest
$IPT -A INPUT -m limit --limit 5/min -j LOG --log-prefix "iptables-drop: " --log-level 4

# netmask reference: 255.255.255.0 = /24, 255.255.0.0 = /16
'''
    return "firewall.sh", _fill(t, home=ips[0], office=ips[1], panel=ips[2], bad1=ips[3], bad2=ips[4], badnet=net)


def d_install_env_sh(r):
    t = r'''
#!/usr/bin/env bash
# setup_env.sh — source this before running the pipeline locally
#   source ./setup_env.sh

export PIPELINE_ENV=dev
export HF_HOME="$HOME/.cache/huggingface"

# Hugging Face + W&B
export HF_TOKEN=«k:hf»
export WANDB_API_KEY=«k:wandb»

# Anthropic for the eval judge
export ANTHROPIC_API_KEY="«k:ant»"

# Postgres for the results DB
export PGHOST=localhost
export PGUSER=pipeline
export PGPASSWORD='«p:pgpw»'

# the admin password is prompted, never stored
read -s -p "Admin password: " ADMIN_PASSWORD
echo
export ADMIN_PASSWORD

if [ -z "${OPENAI_API_KEY:-}" ]; then
  echo "warning: OPENAI_API_KEY not set (optional)"
fi

python -c "import torch; print('cuda:', torch.cuda.is_available())"
echo "env ready ($PIPELINE_ENV)"
'''
    return "setup_env.sh", _fill(t, hf=hf_tok(r), wandb=hex40(r), ant=anthropic_key(r), pgpw=pw(r, sym="!#%*?@"))


def d_docker_compose(r):
    t = r'''
version: "3.8"

services:
  db:
    image: postgres:15-alpine@sha256:«sha»
    restart: unless-stopped
    environment:
      POSTGRES_USER: nextcloud
      POSTGRES_PASSWORD: «p:pgpw»
      POSTGRES_DB: nextcloud
    volumes:
      - db:/var/lib/postgresql/data

  redis:
    image: redis:7-alpine
    command: redis-server --requirepass «p:redispw»
    restart: unless-stopped

  app:
    image: nextcloud:27-apache
    restart: unless-stopped
    ports:
      - "8080:80"
    depends_on:
      - db
      - redis
    environment:
      POSTGRES_HOST: db
      POSTGRES_USER: nextcloud
      POSTGRES_PASSWORD: «p:pgpw»
      POSTGRES_DB: nextcloud
      REDIS_HOST: redis
      REDIS_HOST_PASSWORD: «p:redispw»
      NEXTCLOUD_ADMIN_USER: «admin»
      NEXTCLOUD_ADMIN_PASSWORD: «p:adminpw»
      NEXTCLOUD_TRUSTED_DOMAINS: cloud.«dom» 192.168.1.50
      SMTP_HOST: smtp.«dom»
      SMTP_NAME: «e:smtp»
      SMTP_PASSWORD: ${SMTP_PASSWORD}
    volumes:
      - nextcloud:/var/www/html

  mariadb-legacy:
    image: mariadb:10.11
    environment:
      - MYSQL_ROOT_PASSWORD=«p:rootpw»
      - MYSQL_PASSWORD=«p:mypw»
      - MYSQL_DATABASE=legacy
      - MYSQL_USER=legacy

volumes:
  db:
  nextcloud:
'''
    d = org(r)
    return "docker-compose.yml", _fill(t, sha=sha256(r), pgpw=pw_random(r, sym="-_"), redispw=pw_random(r, 20, sym=""),
                                       admin=r.choice(FIRST), adminpw=pw(r, sym="!%*?@"), dom=d,
                                       smtp=email(r, d, local="cloud"), rootpw=pw(r, sym="!%*?@"), mypw=pw_random(r, sym="-_"))


def d_gh_actions(r):
    t = r'''
name: CI

on:
  push:
    branches: [ main ]
  pull_request:
    branches: [ main ]

env:
  REGISTRY: ghcr.io
  IMAGE_NAME: ${{ github.repository }}
  CODECOV_TOKEN: «codecov»

jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:15
        env:
          POSTGRES_PASSWORD: «p:pgpw»
        ports: [ "5432:5432" ]
        options: --health-cmd pg_isready --health-interval 10s --health-timeout 5s --health-retries 5
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt -r requirements-dev.txt
      - run: pytest --cov=app --cov-report=xml
        env:
          DATABASE_URL: postgresql://postgres:«p:pgpw»@localhost:5432/postgres
      - uses: codecov/codecov-action@v3

  docker:
    needs: test
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Log in to Docker Hub
        run: echo "«k:dckr»" | docker login -u «dhuser» --password-stdin
      - name: Log in to GHCR
        uses: docker/login-action@v3
        with:
          registry: ${{ env.REGISTRY }}
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:latest
'''
    return ".github/workflows/ci.yml", _fill(t, codecov=uuid4(r), pgpw=pw_random(r, sym="-_"),
                                             dckr="dckr_pat_" + _s(r, 27, B64URL), dhuser=r.choice(FIRST) + _d(r, 2))


def d_gitlab_ci(r):
    t = r'''
stages:
  - test
  - build
  - deploy

variables:
  DOCKER_DRIVER: overlay2
  MYSQL_DATABASE: app_test
  MYSQL_ROOT_PASSWORD: «p:rootpw»
  SONAR_TOKEN: "«k:sonar»"
  GIT_DEPTH: "10"

test:
  stage: test
  image: php:8.2-cli
  services:
    - mysql:8.0
  script:
    - composer install --no-interaction --prefer-dist
    - cp .env.ci .env
    - php artisan migrate --force
    - vendor/bin/phpunit --coverage-text --colors=never

build:
  stage: build
  image: docker:24
  services: [docker:24-dind]
  script:
    - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA

deploy_staging:
  stage: deploy
  image: alpine:3.19
  before_script:
    - apk add --no-cache openssh-client sshpass
  script:
    - sshpass -p '«p:sshpw»' ssh -o StrictHostKeyChecking=no gitlab@«i:ip» "cd /srv/app && ./update.sh $CI_COMMIT_SHORT_SHA"
  environment:
    name: staging
    url: http://«i:ip»
  only:
    - develop
'''
    return ".gitlab-ci.yml", _fill(t, rootpw=pw_random(r, sym="-_"), sonar="sqp_" + hex40(r), sshpw=pw(r, sym="!#%*?@"), ip=ip4(r))


def d_k8s_secret(r):
    t = r'''
# kubectl apply -f k8s/secrets.yaml
# (should be sealed — see ticket OPS-212)
apiVersion: v1
kind: Secret
metadata:
  name: backend-secrets
  namespace: shop
type: Opaque
stringData:
  DB_USER: shop
  DB_PASSWORD: «p:dbpw»
  RABBITMQ_PASSWORD: "«p:mqpw»"
  STRIPE_SECRET_KEY: «k:sk»
  JWT_PRIVATE_KEY: |
    «k:pem»
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: backend-config
  namespace: shop
data:
  DB_HOST: postgres.shop.svc.cluster.local
  DB_PORT: "5432"
  RABBITMQ_HOST: rabbitmq
  LOG_LEVEL: info
  CORS_ORIGINS: "https://shop.«dom»"
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: shop
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${DOCKER_CONFIG_JSON_B64}
'''
    key = pem(r, "EC PRIVATE KEY").replace("\n", "\n    ")
    return "k8s/secrets.yaml", _fill(t, dbpw=pw_random(r, sym="-_"), mqpw=pw(r, sym="!%*?@"), sk=stripe_sk(r), pem=key, dom=org(r))


def d_ansible_inventory(r):
    ips = [ip4(r) for _ in range(4)]
    t = r'''
# inventory/hosts.ini
[web]
web01 ansible_host=«i:a» ansible_user=ubuntu
web02 ansible_host=«i:b» ansible_user=ubuntu

[db]
db01 ansible_host=«i:c» ansible_user=root ansible_ssh_pass=«p:rootpw»

[monitoring]
mon01 ansible_host=«i:d»

[lab]
pi01 ansible_host=192.168.1.31 ansible_user=pi ansible_ssh_pass=«p:pipw»
pi02 ansible_host=192.168.1.32 ansible_user=pi ansible_ssh_pass=«p:pipw»

[web:vars]
ansible_become=true
ansible_become_pass=«p:becomepw»
nginx_worker_processes=auto

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ansible_ssh_common_args='-o StrictHostKeyChecking=no'
ntp_servers=["0.pool.ntp.org", "1.pool.ntp.org"]
'''
    return "inventory/hosts.ini", _fill(t, a=ips[0], b=ips[1], c=ips[2], d=ips[3], rootpw=pw(r, sym="!#%*?@"),
                                        pipw=pw(r, sym=""), becomepw=pw(r, sym="!#%*?@"))


def d_ansible_vars(r):
    t = r'''
---
# group_vars/all.yml
timezone: Europe/Warsaw
deploy_user: deploy
app_repo: "https://github.com/«gh»/clinic-app.git"
app_version: "v2.3.1"

mysql_root_password: "«p:rootpw»"
mysql_databases:
  - name: clinic
    encoding: utf8mb4
mysql_users:
  - name: clinic
    host: "%"
    password: "«p:apppw»"
    priv: "clinic.*:ALL"

# vault-encrypted values live in group_vars/vault.yml
smtp_password: "{{ vault_smtp_password }}"

letsencrypt_email: «e:le»
newrelic_license_key: «k:nr»
cloudflare_api_token: «k:cf»

users:
  - name: «u1»
    shell: /bin/bash
    groups: [sudo]
    password: "«sha512crypt»"
  - name: ci
    shell: /bin/sh
    groups: []
'''
    return "group_vars/all.yml", _fill(t, gh=r.choice(FIRST) + r.choice(LAST), rootpw=pw(r, sym="!#%*?@"),
                                       apppw=pw_random(r, sym="-_"), le=email(r), nr=_s(r, 36, HEX) + "NRAL",
                                       cf=_s(r, 40, B64URL), u1=r.choice(FIRST),
                                       sha512crypt="$6$" + _s(r, 16, ALNUM + "./") + "$" + _s(r, 86, ALNUM + "./"))


def d_bot_config_json(r):
    t = r'''
{
  "prefix": "?",
  "token": "«k:tok»",
  "clientId": "«cid»",
  "guildId": "«gid»",
  "owners": ["«owner»"],
  "status": {
    "type": "WATCHING",
    "text": "?help | music & moderation"
  },
  "lavalink": {
    "host": "«i:ip»",
    "port": 2333,
    "password": "«p:llpw»",
    "secure": false
  },
  "spotify": {
    "clientId": "«spid»",
    "clientSecret": "«k:spsecret»"
  },
  "mongoURI": "mongodb://musicbot:«p:mpw»@localhost:27017/musicbot?authSource=admin",
  "embedColor": "#5865F2",
  "support": {
    "invite": "https://discord.gg/«inv»",
    "email": "«e:mail»"
  }
}
'''
    return "config.json", _fill(t, tok=discord_tok(r), cid=_d(r, 19), gid=_d(r, 18), owner=_d(r, 18), ip=ip4(r),
                                llpw=pw(r, sym="!#%*?@"), spid=hex32(r), spsecret=hex32(r), mpw=pw_random(r, sym="-_"),
                                inv=_s(r, 8), mail=email(r, "gmail.com"))


def d_travis(r):
    t = r'''
language: node_js
node_js:
  - "18"
  - "20"

services:
  - mongodb
  - redis-server

cache: npm

env:
  global:
    - NODE_ENV=test
    - MONGO_URL=mongodb://localhost:27017/test
    - NPM_TOKEN=«k:npm»
    - DB_PASSWORD=«p:dbpw»
    - secure: "«travis_secure»"

before_install:
  - echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc

script:
  - npm run lint
  - npm test -- --coverage

after_success:
  - npx coveralls < coverage/lcov.info

deploy:
  provider: npm
  email: «e:mail»
  api_key: «k:npm»
  on:
    tags: true
    node_js: "20"
  skip_cleanup: true

notifications:
  email:
    recipients:
      - «e:notify»
    on_success: never
    on_failure: always
'''
    return ".travis.yml", _fill(t, npm=npm_tok(r), travis_secure=_s(r, 340, B64) + "=", mail=email(r), notify=email(r, org(r)), dbpw=pw_random(r, sym="-_"))


def d_prometheus(r):
    ips = [ip4(r) for _ in range(4)]
    t = r'''
global:
  scrape_interval: 15s
  evaluation_interval: 15s
  external_labels:
    monitor: "homelab"

alerting:
  alertmanagers:
    - static_configs:
        - targets: ["alertmanager:9093"]

rule_files:
  - "rules/*.yml"

scrape_configs:
  - job_name: "prometheus"
    static_configs:
      - targets: ["localhost:9090"]

  - job_name: "node"
    static_configs:
      - targets:
          - "«i:a»:9100"
          - "«i:b»:9100"
          - "10.0.0.12:9100"
          - "10.0.0.13:9100"
        labels:
          env: prod

  - job_name: "blackbox"
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets:
          - https://status.«dom»
          - http://[«i:v6»]:8080/health
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - target_label: __address__
        replacement: "blackbox:9115"

  - job_name: "grafana"
    basic_auth:
      username: admin
      password: «p:gpw»
    static_configs:
      - targets: ["«i:c»:3000"]

  - job_name: "pushgateway"
    honor_labels: true
    basic_auth:
      username: prom
      password: '«p:pushpw»'
    static_configs:
      - targets: ["pushgateway:9091"]

  - job_name: "mikrotik"
    static_configs:
      - targets: ["«i:d»"]
    metrics_path: /snmp
    params:
      module: [mikrotik]
'''
    return "prometheus/prometheus.yml", _fill(t, a=ips[0], b=ips[1], c=ips[2], d=ips[3], v6=ip6(r), dom=org(r),
                                              gpw=pw(r, sym="!%*?@"), pushpw=pw_random(r, sym="-_!"))


def d_serverless(r):
    t = r'''
service: image-resizer

frameworkVersion: "3"

provider:
  name: aws
  runtime: nodejs18.x
  region: eu-central-1
  stage: ${opt:stage, 'dev'}
  memorySize: 1024
  timeout: 30
  environment:
    BUCKET: ${self:service}-${sls:stage}-uploads
    TINIFY_KEY: «k:tinify»
    SENTRY_DSN: https://«dsn»@o«org».ingest.sentry.io/«proj»
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [s3:GetObject, s3:PutObject]
          Resource: arn:aws:s3:::${self:service}-${sls:stage}-uploads/*
        - Effect: Allow
          Action: [kms:Decrypt]
          Resource: arn:aws:kms:eu-central-1:«acct»:key/«kmsid»

custom:
  # deploy user for the CI box (temporary)
  deployCredentials:
    accessKeyId: «k:akid»
    secretAccessKey: «k:aws»

functions:
  resize:
    handler: src/handler.resize
    events:
      - s3:
          bucket: ${self:service}-${sls:stage}-uploads
          event: s3:ObjectCreated:*
          rules:
            - prefix: originals/

plugins:
  - serverless-offline
'''
    return "serverless.yml", _fill(t, tinify=_s(r, 32, ALNUM), dsn=hex32(r), org=_d(r, 6), proj=_d(r, 7),
                                   acct=_d(r, 12), kmsid=uuid4(r), akid=aws_id(r), aws=aws_secret(r))


def d_readme_setup(r):
    ip = ip4(r)
    admin = email(r, org(r), local="admin")
    t = r'''
# Inventory Tracker

Small Flask + Vue app we use to track lab equipment loans.

![screenshot](docs/screenshot@2x.png)

## Requirements

- Python 3.10+
- Node 18+
- PostgreSQL 14

## Setup

```bash
git clone git@github.com:«gh»/inventory-tracker.git
cd inventory-tracker
python -m venv .venv && source .venv/bin/activate
pip install -r requirements.txt
cp .env.example .env
flask db upgrade
flask seed
```

To inspect the demo database directly:

```bash
psql "postgresql://inventory:«p:pgpw»@«i:ip»:5432/inventory"
```

The seed command creates an admin account:

| user | password |
|------|----------|
| `«e:admin»` | `«p:adminpw»` |

Please change it after the first login.

## Demo server

A demo instance runs at http://«i:ip»:5000 (login with the account above).
The API can be tried with:

```bash
curl -H "X-API-Key: «k:key»" http://«i:ip»:5000/api/items
```

## Environment variables

| name | description |
|------|-------------|
| `DATABASE_URL` | e.g. `postgresql://user:<password>@localhost/inventory` |
| `SECRET_KEY` | any random string |
| `MAIL_PASSWORD` | SMTP password (leave empty to disable mail) |

## License

MIT © «year» «name»
'''
    f, l = r.choice(FIRST), r.choice(LAST)
    return "README.md", _fill(t, gh=f + l, admin=admin, adminpw=pw(r, sym="!#%*?@"), ip=ip, key=_s(r, 32, ALNUM), pgpw=pw_random(r, sym="-_"),
                              year=r.randint(2019, 2024), name=f"{f.title()} {l.title()}")


def d_authors(r):
    people = []
    for _ in range(5):
        f, l = r.choice(FIRST), r.choice(LAST)
        people.append((f"{f.title()} {l.title()}", email(r, local=r.choice([f, f"{f}.{l}", f"{f[0]}{l}"]))))
    idn = "jürgen@müller-bau.de"
    handle = r.choice(FIRST) + _s(r, 3, DIGITS)
    lines = "\n".join(f"- {n} <⟦email|{e}⟧>" for n, e in people[:3])
    t = r'''
# Authors

Maintainers
-----------

- «n7» <«e:m7»> (lead)
- «n8» <«e:m8»>

Contributors
------------

«lines»
- Jürgen Müller <«e:idn»>
- «handle» <«e:bot»>

Thanks also to everyone who reported issues on the tracker.

If you contributed and are not listed, open a PR adding yourself (name <email>),
keeping the list in order of first contribution. Do not add `@mentions` here;
GitHub handles like @«handle» go in CONTRIBUTING.md.
'''
    return "AUTHORS.md", _fill(t, n7=people[3][0], m7=people[3][1], n8=people[4][0], m8=people[4][1], lines=lines,
                               idn=idn, bot=f"{_d(r, 8)}+{handle}@users.noreply.github.com",
                               proj="Pelican-ish", team=email(r, org(r), local="team"), handle=handle)


def d_qa_snippet(r):
    ip = ip4(r)
    t = r'''
### Can't connect to remote MongoDB from Node — "MongoServerSelectionError: connection timed out"

I'm trying to connect to MongoDB running on my VPS from my local machine. It works from the
server itself (`mongosh` on the box connects fine), but from my laptop it always times out.

Here is my code:

```js
const { MongoClient } = require('mongodb');

const uri = 'mongodb://appuser:«p:pw»@«i:ip»:27017/appdb?authSource=admin';
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });

async function main() {
  await client.connect();
  const count = await client.db('appdb').collection('orders').countDocuments();
  console.log(count);
}
main().catch(console.error).finally(() => client.close());
```

`/etc/mongod.conf`:

```yaml
net:
  port: 27017
  bindIp: 127.0.0.1
security:
  authorization: enabled
```

Error:

```
MongoServerSelectionError: connection timed out
    at Timeout._onTimeout (node_modules/mongodb/lib/sdam/topology.js:278:38)
  reason: TopologyDescription {
    type: 'Unknown',
    servers: Map(1) { '«i:ip»:27017' => [ServerDescription] },
```

I already opened the port with `sudo ufw allow 27017`. What am I missing?

**Answer:** `bindIp: 127.0.0.1` makes mongod listen on loopback only. Set `bindIp: 0.0.0.0`
(or the server's private address), restart mongod, and restrict the port in ufw to your own IP:
`sudo ufw allow from <your-ip> to any port 27017`. Also, rotate that password now that it's
been posted publicly.
'''
    return "questions/mongo-timeout.md", _fill(t, pw=pw(r, sym="!*-_."), ip=ip)


def d_nginx_conf(r):
    up1, up2, allow1 = ip4(r), ip4(r), ip4(r)
    basic = base64.b64encode(f"grafana:{pw_random(r, 14, sym='')}".encode()).decode()
    t = r'''
upstream api_backend {
    least_conn;
    server «i:up1»:8000 max_fails=3 fail_timeout=30s;
    server «i:up2»:8000 max_fails=3 fail_timeout=30s;
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
    server_name «dom» www.«dom»;

    ssl_certificate /etc/letsencrypt/live/«dom»/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/«dom»/privkey.pem;

    client_max_body_size 20m;
    resolver 1.1.1.1 8.8.8.8 valid=300s;

    location / {
        root /var/www/«dom»/dist;
        try_files $uri $uri/ /index.html;
    }

    location /api/ {
        proxy_pass http://api_backend;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }

    location /grafana/ {
        proxy_pass http://10.0.3.7:3000/;
        proxy_set_header Authorization "Basic «k:basic»";
    }

    location /admin/ {
        allow «i:allow1»;
        allow 192.168.0.0/16;
        deny all;
        proxy_pass http://api_backend;
    }

    access_log /var/log/nginx/«dom».access.log;
    error_log /var/log/nginx/«dom».error.log warn;
}
'''
    d = org(r)
    return f"nginx/sites-available/{d}", _fill(t, up1=up1, up2=up2, allow1=allow1, dom=d, basic=basic)


def d_apache_vhost(r):
    ip, ip2 = ip4(r), ip4(r)
    d = org(r)
    t = r'''
# /etc/apache2/sites-available/«dom».conf
<VirtualHost «i:ip»:80>
    ServerName «dom»
    ServerAlias www.«dom»
    ServerAdmin «e:admin»
    Redirect permanent / https://«dom»/
</VirtualHost>

<VirtualHost «i:ip»:443>
    ServerName «dom»
    ServerAdmin «e:admin»
    DocumentRoot /var/www/«dom»/public

    SSLEngine on
    SSLCertificateFile /etc/ssl/certs/«dom».crt
    SSLCertificateKeyFile /etc/ssl/private/«dom».key

    <Directory /var/www/«dom»/public>
        Options -Indexes +FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>

    <Location /server-status>
        SetHandler server-status
        Require ip 127.0.0.1 ::1 «i:ip2»
    </Location>

    RemoteIPHeader X-Forwarded-For
    RemoteIPTrustedProxy 10.0.0.0/8

    ErrorLog ${APACHE_LOG_DIR}/«dom»-error.log
    CustomLog ${APACHE_LOG_DIR}/«dom»-access.log combined
</VirtualHost>
'''
    return f"apache/{d}.conf", _fill(t, ip=ip, ip2=ip2, dom=d, admin=email(r, d, local=r.choice(["webmaster", "admin", "it"])))


def d_dockerfile(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    t = r'''
FROM python:3.11-slim@sha256:«sha» AS base

LABEL maintainer="«name» <«e:mail»>" \
      org.opencontainers.image.source="https://github.com/«gh»/price-watcher"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# build-time args (override with --build-arg)
ARG APP_VERSION=0.4.2
ARG PIP_INDEX_URL

WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# runtime config — TODO move to compose env_file
ENV TELEGRAM_TOKEN=«k:tg» \
    KEEPA_API_KEY=«k:keepa» \
    DB_URL=postgresql://watcher:«p:dbpw»@db:5432/prices \
    CHECK_INTERVAL=900

RUN useradd -m app && chown -R app /app
USER app

EXPOSE 8000
HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "watcher.web:app"]
'''
    return "Dockerfile", _fill(t, sha=sha256(r), name=f"{f.title()} {l.title()}", mail=email(r, local=f"{f}.{l}"),
                               gh=f + l, tg=telegram_tok(r), keepa=_s(r, 64, LOWER + DIGITS), dbpw=pw_random(r, sym="-_"))


def d_terraform(r):
    ip = ip4(r)
    t = r'''
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region     = "us-west-2"
  access_key = "«k:akid»"
  secret_key = "«k:aws»"
}

resource "aws_security_group" "web" {
  name        = "web-sg"
  description = "Allow HTTP/HTTPS and SSH from the office"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["«i:ip»/32"]
  }

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_db_instance" "app" {
  identifier          = "app-db"
  engine              = "postgres"
  engine_version      = "15.4"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "appadmin"
  password            = "«p:dbpw»"
  skip_final_snapshot = true
  kms_key_id          = "arn:aws:kms:us-west-2:«acct»:key/«kmsid»"
}

variable "grafana_admin_password" {
  type      = string
  sensitive = true
  default   = "«p:grafpw»"
}

variable "datadog_api_key" {
  type    = string
  default = "«k:dd»"
}
'''
    return "infra/main.tf", _fill(t, akid=aws_id(r), aws=aws_secret(r), ip=ip, dbpw=pw(r, sym="!#%*?"),
                                  acct=_d(r, 12), kmsid=uuid4(r), dd=hex32(r), grafpw=pw(r, sym="!#%*?@"))


def d_makefile(r):
    ip = ip4(r)
    t = r'''
APP      := ledger
VERSION  := $(shell git describe --tags --always)
REGISTRY := registry.gitlab.com/«grp»/$(APP)
SERVER   := «i:ip»

.PHONY: build test push deploy clean

build:
	go build -ldflags "-X main.version=$(VERSION)" -o bin/$(APP) ./cmd/$(APP)

test:
	go test ./... -race -count=1

docker:
	docker build -t $(REGISTRY):$(VERSION) .

push: docker
	docker login registry.gitlab.com -u «user» -p «k:glpat»
	docker push $(REGISTRY):$(VERSION)

deploy: push
	ssh root@$(SERVER) "docker pull $(REGISTRY):$(VERSION) && docker compose -f /srv/$(APP)/compose.yml up -d"

mysql-shell:
	mysql -h $(SERVER) -u ledger -p'«p:mypw»' ledger_legacy

db-shell:
	PGPASSWORD=«p:pgpw» psql -h $(SERVER) -U ledger ledger

clean:
	rm -rf bin/ dist/
'''
    return "Makefile", _fill(t, grp=r.choice(FIRST) + "-lab", ip=ip, user=r.choice(FIRST), glpat=glpat(r), pgpw=pw_random(r, sym="-_"), mypw=pw(r, sym="!#%*?@"))


def d_node_env(r):
    t = r'''
NODE_ENV=development
PORT=4000

# Database
DATABASE_URL="postgresql://postgres:«p:pgpw»@localhost:5432/saas_dev?schema=public"

# Auth
NEXTAUTH_URL=http://localhost:3000
NEXTAUTH_SECRET=«k:nas»
GOOGLE_CLIENT_ID=«gcid».apps.googleusercontent.com
GOOGLE_CLIENT_SECRET=«k:gcs»
GITHUB_ID=Iv1.«ghid»
GITHUB_SECRET=«k:ghsecret»

# Email
EMAIL_SERVER_USER=«e:smtpuser»
EMAIL_SERVER_PASSWORD=«p:smtppw»
EMAIL_SERVER_HOST=smtp.sendgrid.net
EMAIL_SERVER_PORT=587
EMAIL_FROM=«e:from»

# Payments
STRIPE_SECRET_KEY=«k:sk»
STRIPE_WEBHOOK_SECRET=«k:wh»
NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=«pk»

# Misc
OPENAI_API_KEY=
UPLOADTHING_SECRET=«k:ut»
'''
    d = org(r)
    return ".env.development", _fill(t, pgpw=pw_random(r, sym=""), nas=base64.b64encode(r.randbytes(32)).decode(),
                                     gcid=_d(r, 12) + "-" + _s(r, 32, LOWER + DIGITS), gcs="GOCSPX-" + _s(r, 28, B64URL),
                                     ghid=_s(r, 16, HEX), ghsecret=hex40(r), smtpuser=email(r, d, local="apikey"),
                                     smtppw=pw(r, sym="!#%*?@"), **{"from": email(r, d, local="hello")},
                                     sk=stripe_sk(r, "test"), wh=stripe_whsec(r), pk=stripe_pk(r, "test"), ut="sk_live_" + hex64(r))


def d_rust_client(r):
    t = r'''
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;

const API_BASE: &str = "https://api.anthropic.com/v1";
// TODO: env var
const API_KEY: &str = "«k:ant»";
const DATABASE_URL: &str = "postgres://summarizer:«p:pgpw»@localhost/summaries";

#[derive(Serialize)]
struct Message<'a> {
    role: &'a str,
    content: &'a str,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    max_tokens: u32,
    messages: Vec<Message<'a>>,
}

#[derive(Deserialize)]
struct Content {
    text: String,
}

#[derive(Deserialize)]
struct Response {
    content: Vec<Content>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPoolOptions::new().max_connections(5).connect(DATABASE_URL).await?;

    let mut headers = HeaderMap::new();
    headers.insert("x-api-key", HeaderValue::from_static(API_KEY));
    headers.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let client = reqwest::Client::builder().default_headers(headers).build()?;

    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, body FROM articles WHERE summary IS NULL LIMIT 20")
        .fetch_all(&pool)
        .await?;

    for (id, body) in rows {
        let prompt = format!("Summarize in two sentences:\n\n{}", body);
        let req = Request {
            model: "claude-3-haiku-20240307",
            max_tokens: 200,
            messages: vec![Message { role: "user", content: &prompt }],
        };
        let resp: Response = client.post(format!("{}/messages", API_BASE)).json(&req).send().await?.json().await?;
        let summary = &resp.content[0].text;
        sqlx::query("UPDATE articles SET summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(id)
            .execute(&pool)
            .await?;
        println!("summarized {}", id);
    }
    let _ = AUTHORIZATION;
    Ok(())
}
'''
    return "src/main.rs", _fill(t, ant=anthropic_key(r), pgpw=pw_random(r, sym="-_"))


def d_swift_keys(r):
    t = r'''
//
//  APIKeys.swift
//  WeatherNow
//
//  Created by «name» on 14/03/2023.
//

import Foundation

enum APIKeys {
    static let openWeather = "«k:owm»"
    static let unsplashAccessKey = "«k:unsplash»"
    static let unsplashSecretKey = "«k:unsplashsecret»"
}

enum Endpoints {
    static let baseURL = URL(string: "https://api.openweathermap.org/data/2.5")!
    static let icons = "https://openweathermap.org/img/wn/%@@2x.png"

    static func current(lat: Double, lon: Double) -> URL {
        var c = URLComponents(url: baseURL.appendingPathComponent("weather"), resolvingAgainstBaseURL: false)!
        c.queryItems = [
            URLQueryItem(name: "lat", value: String(lat)),
            URLQueryItem(name: "lon", value: String(lon)),
            URLQueryItem(name: "units", value: "metric"),
            URLQueryItem(name: "appid", value: APIKeys.openWeather),
        ]
        return c.url!
    }
}
'''
    return "WeatherNow/Config/APIKeys.swift", _fill(t, name=r.choice(FIRST).title() + " " + r.choice(LAST).title(),
                                                    owm=hex32(r), unsplash=_s(r, 43, B64URL), unsplashsecret=_s(r, 43, B64URL),
                                                    rc=_s(r, 27))


def d_dart_constants(r):
    t = r'''
// lib/core/constants.dart
class AppConstants {
  AppConstants._();

  static const String appName = 'Kasir Pintar';
  static const String baseUrl = 'https://api.«dom»/v1';

  // Supabase
  static const String supabaseUrl = 'https://«sbref».supabase.co';
  static const String supabaseServiceKey = '«k:service»';

  // Demo account shown on the login screen in debug builds
  static const String demoEmail = '«e:demo»';
  static const String demoPassword = '«p:demopw»';

  static const int pageSize = 20;
  static const Duration timeout = Duration(seconds: 20);

  // strings
  static const String passwordLabel = 'Kata sandi';
  static const String forgotPassword = 'Lupa kata sandi?';
}
'''
    sbref = _s(r, 20, LOWER)
    service = jwt(r, {"iss": "supabase", "ref": sbref, "role": "service_role", "iat": 1690000000, "exp": 2005576000})
    return "lib/core/constants.dart", _fill(t, dom=org(r), sbref=sbref, service=service,
                                            demo=email(r, org(r), local="demo"), demopw=pw(r, sym="!#%*?@"))


def d_scala_conf(r):
    ip = ip4(r)
    t = r'''
# conf/application.conf (Play Framework)
play.http.secret.key = "«k:secret»"
play.i18n.langs = ["en", "fr"]

play.filters.hosts {
  allowed = [".«dom»", "localhost:9000", "«i:ip»:9000"]
}

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://«i:ip»:5432/tasks"
    user = "tasks"
    password = "«p:pw»"
    numThreads = 10
    maxConnections = 10
  }
}

play.mailer {
  host = "smtp.mailgun.org"
  port = 587
  tls = true
  user = "«e:mguser»"
  password = "«p:mgpw»"
  password = ${?MAILER_PASSWORD}
}

akka {
  loglevel = "INFO"
  actor.default-dispatcher.fork-join-executor.parallelism-max = 16
}
'''
    d = org(r)
    return "conf/application.conf", _fill(t, secret=_s(r, 64, ALNUM), dom=d, ip=ip, pw=pw(r, sym="!#%*?@"),
                                          mguser="postmaster@mg." + d, mgpw=hex32(r) + "-" + _s(r, 8, HEX) + "-" + _s(r, 8, HEX))


def d_lua_nodemcu(r):
    ip = ip4(r)
    t = r'''
-- init.lua for the NodeMCU garage door controller
local SSID = "«ssid»"
local WIFI_PWD = "«p:wifi»"

local MQTT_HOST = "«i:ip»"
local MQTT_PORT = 1883
local MQTT_USER = "garage"
local MQTT_PWD = "«p:mqtt»"

local RELAY_PIN = 1
local SENSOR_PIN = 2

gpio.mode(RELAY_PIN, gpio.OUTPUT)
gpio.mode(SENSOR_PIN, gpio.INPUT, gpio.PULLUP)
gpio.write(RELAY_PIN, gpio.LOW)

wifi.setmode(wifi.STATION)
wifi.sta.config({ ssid = SSID, pwd = WIFI_PWD, auto = true })

local m = mqtt.Client("garage-" .. node.chipid(), 120, MQTT_USER, MQTT_PWD)

local function publish_state()
  local state = gpio.read(SENSOR_PIN) == 0 and "closed" or "open"
  m:publish("garage/door/state", state, 1, 1)
end

m:on("message", function(client, topic, data)
  if topic == "garage/door/set" and data == "toggle" then
    gpio.write(RELAY_PIN, gpio.HIGH)
    tmr.create():alarm(500, tmr.ALARM_SINGLE, function() gpio.write(RELAY_PIN, gpio.LOW) end)
  end
end)

wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(T)
  print("got ip " .. T.IP)
  m:connect(MQTT_HOST, MQTT_PORT, false, function(client)
    client:subscribe("garage/door/set", 1)
    publish_state()
    tmr.create():alarm(10000, tmr.ALARM_AUTO, publish_state)
  end, function(client, reason)
    print("mqtt failed: " .. reason)
  end)
end)
'''
    return "init.lua", _fill(t, ssid=r.choice(["NETGEAR47", "Livebox-3A1F", "BTHub6-X9QW"]), wifi=pw(r, sym="!#%*?@"),
                             ip=ip, mqtt=pw_random(r, 12, sym=""))


def d_perl_dbi(r):
    ip = ip4(r)
    t = r'''
#!/usr/bin/perl
use strict;
use warnings;
use DBI;
use Net::SMTP;
use POSIX qw(strftime);

# disk quota report, mailed every Monday
my $dsn  = "DBI:mysql:database=quota;host=«i:ip»;port=3306";
my $user = "quota_ro";
my $pass = '«p:pw»';

my $dbh = DBI->connect($dsn, $user, $pass, { RaiseError => 1, AutoCommit => 1 })
    or die "cannot connect: $DBI::errstr";

my $sth = $dbh->prepare(q{
    SELECT username, used_mb, quota_mb FROM usage
    WHERE used_mb > 0.9 * quota_mb ORDER BY used_mb DESC
});
$sth->execute();

my @lines;
while (my ($u, $used, $quota) = $sth->fetchrow_array) {
    push @lines, sprintf("%-16s %8d / %8d MB", $u, $used, $quota);
}
$dbh->disconnect;
exit 0 unless @lines;

my $to   = '«e:to»';
my $from = '«e:from»';
my $smtp = Net::SMTP->new('mail.«dom»', Timeout => 30) or die "smtp: $!";
$smtp->mail($from);
$smtp->to($to);
$smtp->data();
$smtp->datasend("From: $from\nTo: $to\n");
$smtp->datasend("Subject: Quota report " . strftime("%Y-%m-%d", localtime) . "\n\n");
$smtp->datasend(join("\n", @lines) . "\n");
$smtp->dataend();
$smtp->quit;
'''
    d = org(r)
    return "bin/quota_report.pl", _fill(t, ip=ip, pw=pw(r, sym="!#%*?@$"), to=email(r, d, local="sysadmin"),
                                        **{"from": email(r, d, local="quota-bot")}, dom=d)


def d_r_script(r):
    ip = ip4(r)
    t = r'''
# analysis/pull_survey.R
# Pull the survey responses from the lab DB and the Qualtrics API, then merge.
library(DBI)
library(RPostgres)
library(httr)
library(dplyr)

con <- dbConnect(
  RPostgres::Postgres(),
  host = "«i:ip»",
  port = 5432,
  dbname = "survey",
  user = "analyst",
  password = "«p:pw»"
)

participants <- dbGetQuery(con, "SELECT pid, age, group_id FROM participants WHERE consent = TRUE")
dbDisconnect(con)

qualtrics_token <- "«k:qt»"
survey_id <- "SV_«svid»"

resp <- GET(
  paste0("https://fra1.qualtrics.com/API/v3/surveys/", survey_id, "/responses"),
  add_headers(`X-API-TOKEN` = qualtrics_token)
)
stop_for_status(resp)
answers <- jsonlite::fromJSON(content(resp, "text", encoding = "UTF-8"))$result$responses

merged <- participants %>%
  inner_join(answers, by = c("pid" = "participant_id")) %>%
  mutate(score = rowSums(across(starts_with("Q")), na.rm = TRUE))

write.csv(merged, "data/merged.csv", row.names = FALSE)
summary(merged$score)
'''
    return "analysis/pull_survey.R", _fill(t, ip=ip, pw=pw(r, sym="!#%*?@"), qt=_s(r, 40, ALNUM), svid=_s(r, 15, ALNUM))


def d_sql_dump(r):
    es = [email(r) for _ in range(4)]
    bcs = [bcrypt_hash(r) for _ in range(4)]
    t = r'''
-- MySQL dump 10.13  Distrib 8.0.33, for Linux (x86_64)
--
-- Host: localhost    Database: forum
-- ------------------------------------------------------
-- Server version	8.0.33

CREATE DATABASE IF NOT EXISTS `forum`;
CREATE USER IF NOT EXISTS 'forum_app'@'localhost' IDENTIFIED BY '«p:apppw»';
CREATE USER IF NOT EXISTS 'forum_ro'@'%' IDENTIFIED BY '«p:ropw»';
GRANT SELECT, INSERT, UPDATE, DELETE ON `forum`.* TO 'forum_app'@'localhost';
GRANT SELECT ON `forum`.* TO 'forum_ro'@'%';
FLUSH PRIVILEGES;

USE `forum`;

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `username` varchar(50) NOT NULL,
  `email` varchar(255) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  `created_at` datetime DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `users` WRITE;
INSERT INTO `users` VALUES
(1,'«u0»','«e:e0»','«b0»','2023-01-04 10:22:31'),
(2,'«u1»','«e:e1»','«b1»','2023-01-09 18:02:11'),
(3,'«u2»','«e:e2»','«b2»','2023-02-14 07:45:50');
UNLOCK TABLES;

DROP TABLE IF EXISTS `settings`;
CREATE TABLE `settings` (`name` varchar(64) PRIMARY KEY, `value` text);
INSERT INTO `settings` VALUES
('site_name','Retro Gaming Forum'),
('smtp_user','«e:smtp»'),
('smtp_pass','«p:smtppw»'),
('recaptcha_secret','«k:rcsecret»');
'''
    return "db/forum_dump.sql", _fill(t, apppw=pw(r, sym="!#%*?@"), ropw=pw_random(r, sym="-_"),
                                      e0=es[0], e1=es[1], e2=es[2], e3=es[3],
                                      u0=es[0].split("@")[0], u1=es[1].split("@")[0], u2=es[2].split("@")[0], u3=es[3].split("@")[0],
                                      b0=bcs[0], b1=bcs[1], b2=bcs[2], b3=bcs[3], smtp=email(r, org(r), local="forum"),
                                      smtppw=pw(r, sym="!#%*?@"), rcsecret="6L" + _s(r, 38, B64URL))


def d_mail_headers(r):
    frm, to, cc = email(r, org(r)), email(r), email(r, org(r))
    ip1, ip2 = ip4(r), ip4(r)
    d = frm.split("@")[1]
    t = r'''
Return-Path: <«e:frm»>
Delivered-To: «e:to»
Received: from mail-out.«d» (mail-out.«d» [«i:ip1»])
	by mx.«tod» (Postfix) with ESMTPS id 4T1Xq52bKzz9sVR
	for <«e:to»>; Tue, 16 Jan 2024 09:41:27 +0100 (CET)
Received: from [192.168.178.24] (p5dd3a1f2.dip0.t-ipconnect.de [«i:ip2»])
	by mail-out.«d» (Postfix) with ESMTPSA id 9C0B61A2F3;
	Tue, 16 Jan 2024 09:41:25 +0100 (CET)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=«d»; s=mail2023;
	t=1705394485; bh=«bh»;
	h=Date:From:To:Cc:Subject:From;
	b=«dkimb»
Message-ID: <«msgid»@«d»>
Date: Tue, 16 Jan 2024 09:41:24 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
From: «fromname» <«e:frm»>
To: «e:to»
Cc: «e:cc»
Subject: Re: [PATCH v2 3/5] net: fix use-after-free in tx path
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

On 15.01.24 18:30, «e:to» wrote:
> The skb may be freed by the completion handler before we read its
> length, so cache it first.

Looks good to me.

Reviewed-by: «fromname» <«e:frm»>
'''
    return "mail/patch-review.eml", _fill(t, frm=frm, to=to, cc=cc, ip1=ip1, ip2=ip2, d=d, tod=to.split("@")[1],
                                          bh=base64.b64encode(r.randbytes(32)).decode(),
                                          dkimb=_s(r, 64, B64) + "\n\t " + _s(r, 64, B64) + "\n\t " + _s(r, 40, B64) + "==",
                                          msgid=uuid4(r), fromname=frm.split("@")[0].replace(".", " ").title())


def d_auth_log(r):
    ips = [ip4(r) for _ in range(4)]
    v6 = ip6(r)
    t = r'''
Mar  3 04:12:07 vps-1 sshd[21877]: Invalid user admin from «i:a» port 50412
Mar  3 04:12:09 vps-1 sshd[21881]: Failed password for root from «i:b» port 38814 ssh2
Mar  3 04:12:15 vps-1 sshd[21881]: Connection closed by authenticating user root «i:b» port 38814 [preauth]
Mar  3 04:15:41 vps-1 sshd[21903]: Accepted publickey for deploy from «i:c» port 61022 ssh2: ED25519 SHA256:«fp»
Mar  3 04:15:41 vps-1 sshd[21903]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)
Mar  3 04:16:02 vps-1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart app
Mar  3 04:20:55 vps-1 sshd[21950]: Invalid user oracle from «i:d» port 47110
Mar  3 04:20:58 vps-1 sshd[21950]: Failed password for invalid user oracle from «i:d» port 47110 ssh2
Mar  3 04:31:19 vps-1 sshd[22017]: Accepted password for backup from 10.8.0.6 port 40222 ssh2
Mar  3 04:33:40 vps-1 sshd[22031]: Connection from «i:v6» port 52144 on «i:own6» port 22
Mar  3 04:33:41 vps-1 sshd[22031]: Failed password for root from «i:v6» port 52144 ssh2
Mar  3 04:35:12 vps-1 systemd[1]: Started Session 412 of User deploy.
Mar  3 04:38:27 vps-1 sshd[22060]: Server listening on 0.0.0.0 port 22.
Mar  3 04:38:27 vps-1 sshd[22060]: Server listening on :: port 22.
Mar  3 04:40:00 vps-1 CRON[22101]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Mar  3 05:02:27 vps-1 sshd[22190]: Received disconnect from 127.0.0.1 port 51220:11: disconnected by user
Mar  3 05:10:44 vps-1 systemd-logind[640]: Session 412 logged out. Waiting for processes to exit.
Mar  3 05:10:44 vps-1 systemd-logind[640]: Removed session 412.
Mar  3 05:11:09 vps-1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=100.72.14.3 DST=10.8.0.1 LEN=60 PROTO=TCP SPT=33211 DPT=5432
Mar  3 05:17:01 vps-1 CRON[22240]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)
Mar  3 05:17:01 vps-1 CRON[22240]: pam_unix(cron:session): session closed for user root
Mar  3 05:21:38 vps-1 sudo:   deploy : TTY=pts/1 ; PWD=/srv/app ; USER=root ; COMMAND=/usr/bin/journalctl -u app -n 50
'''
    return "logs/auth.log", _fill(t, a=ips[0], b=ips[1], c=ips[2], d=ips[3], v6=v6, own=ip4(r), own6=ip6(r), fp=_s(r, 43, B64))


def d_dotfiles_install(r):
    t = r'''
#!/usr/bin/env bash
# dotfiles/install.sh — bootstrap a new dev laptop
set -e

cat > ~/.npmrc <<EOF
registry=https://registry.npmjs.org/
@«scope»:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«k:ghp»
//registry.npmjs.org/:_authToken=«k:npm»
save-exact=true
EOF

cat > ~/.pypirc <<EOF
[distutils]
index-servers =
    pypi
    testpypi

[pypi]
username = __token__
password = «k:pypi»

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = ${TEST_PYPI_TOKEN}
EOF

cat > ~/.netrc <<EOF
machine «i:ip» login backup password «p:netrcpw»
machine api.heroku.com login «e:herokumail» password «k:herokukey»
EOF
chmod 600 ~/.netrc ~/.pypirc

echo "«i:ip»:5432:*:replicator:«p:pgpw»" > ~/.pgpass
chmod 600 ~/.pgpass

git config --global user.name "«name»"
git config --global user.email "«e:gitmail»"
git config --global init.defaultBranch main
'''
    f, l = r.choice(FIRST), r.choice(LAST)
    return "dotfiles/install.sh", _fill(
        t, scope=f + l, ghp=ghp(r), npm=npm_tok(r), pypi=pypi_tok(r), ip=ip4(r), netrcpw=pw(r, sym="!#%*?@"),
        herokumail=email(r, local=f"{f}.{l}"), herokukey="HRKU-" + _s(r, 60, B64URL), pgpw=pw_random(r, sym="-_"),
        name=f"{f.title()} {l.title()}", gitmail=f"{_d(r, 8)}+{f}{l}@users.noreply.github.com")


def d_app_ini(r):
    t = r'''
; config.ini — settings for the inventory sync service
; copy to /etc/invsync/config.ini

[general]
log_level = INFO
log_file = /var/log/invsync.log
interval_minutes = 10

[erp]
base_url = https://erp.«dom»/odata
username = invsync
password = «p:erppw»
verify_ssl = true

[shop]
; Shopify admin API
shop = «shop».myshopify.com
access_token = «k:shopify»
api_version = 2024-01

[square]
environment = production
access_token = «k:square»
location_id = L«loc»

[notify]
smtp_host = smtp.«dom»
smtp_user = «e:smtpuser»
smtp_password = «p:smtppw»
recipients = «e:r1», «e:r2»
'''
    d = org(r)
    return "invsync/config.ini", _fill(t, dom=d, erppw=pw(r, sym="!#%*?@"), shop=r.choice(["bikeparts-direct", "tea-garden", "kidsstore"]),
                                       shopify=shopify_tok(r), square=square_tok(r), loc=_s(r, 12, UPPER + DIGITS),
                                       smtpuser=email(r, d, local="invsync"), smtppw=pw(r, sym="!#%*?@"),
                                       r1=email(r, d), r2=email(r))


def d_pyproject_toml(r):
    t = r'''
# settings.toml — dynaconf settings for the crawler
[default]
user_agent = "newsbot/1.3 (+https://github.com/«gh»/newsbot)"
concurrency = 8
request_timeout = 20
output_dir = "data/raw"

[default.database]
url = "postgresql+psycopg://newsbot:«p:dbpw»@localhost:5432/news"
pool_size = 5

[default.reddit]
client_id = "«redditid»"
client_secret = "«k:redditsecret»"
username = "«ruser»"
password = "«p:redditpw»"

[default.newsapi]
api_key = "«k:newsapi»"

[default.telegram]
bot_token = "«k:tg»"
chat_id = -100«chat»

[production]
concurrency = 32
[production.database]
url = "@format {env[DATABASE_URL]}"
'''
    return "settings.toml", _fill(t, gh=r.choice(FIRST) + r.choice(LAST), dbpw=pw_random(r, sym="-_"), redditid=_s(r, 22, B64URL),
                                  redditsecret=_s(r, 30, B64URL), ruser=r.choice(FIRST) + "_bot" + _d(r, 2),
                                  redditpw=pw(r, sym="!#%*?@"), newsapi=hex32(r), tg=telegram_tok(r), chat=_d(r, 10))


def d_helm_values(r):
    t = r'''
# values-staging.yaml for the keycloak + app chart
replicaCount: 2

image:
  repository: ghcr.io/«org»/portal
  tag: "1.12.3"
  pullPolicy: IfNotPresent

ingress:
  enabled: true
  className: nginx
  hosts:
    - host: portal.staging.«dom»
      paths: [{ path: /, pathType: Prefix }]

keycloak:
  auth:
    adminUser: admin
    adminPassword: «p:kcpw»
  postgresql:
    auth:
      username: keycloak
      password: «p:kcdbpw»
      database: keycloak

postgresql:
  auth:
    postgresPassword: "«p:pgpw»"
    existingSecret: ""

redis:
  auth:
    enabled: true
    password: «p:redispw»

app:
  env:
    OIDC_CLIENT_ID: portal
    OIDC_CLIENT_SECRET: «k:oidc»
    SESSION_SECRET: «k:session»
    SMTP_PASSWORD:
      valueFrom:
        secretKeyRef: { name: smtp, key: password }

resources:
  limits: { cpu: 500m, memory: 512Mi }
'''
    return "deploy/helm/values-staging.yaml", _fill(t, org=r.choice(FIRST) + "-corp", dom=org(r), kcpw=pw(r, sym="!%*?@"),
                                                     kcdbpw=pw_random(r, sym="-_"), pgpw=pw_random(r, sym="-_"),
                                                     redispw=pw_random(r, 18, sym=""), oidc=_s(r, 32, ALNUM), session=hex64(r))


# -------------------------------------------------------------------- hard negatives only

def d_neg_password_validation(r):
    t = r'''
import getpass
import os
import re

import pytest

from accounts.forms import PasswordChangeForm
from accounts.validators import validate_password_strength

RESET_PASSWORD_URL = "/accounts/reset_password/{uid}/{token}/"
PASSWORD_MIN_LENGTH = 12
PASSWORD_FIELD_LABEL = "Password"
CONFIRM_PASSWORD_LABEL = "Confirm password"

# password hashes from the fixtures, never plain text
HASHED = {
    "bcrypt": "«bc»",
    "argon2": "$argon2id$v=19$m=65536,t=3,p=4$«argsalt»$«arghash»",
    "pbkdf2": "pbkdf2_sha256$600000$«pbsalt»$«pbhash»=",
}


def get_db_password():
    return os.environ.get("DB_PASSWORD") or getpass.getpass("DB password: ")


def masked(value: str) -> str:
    return "*" * len(value)


def test_masking():
    assert masked("abc") == "***"
    assert "********" == masked("x" * 8)


@pytest.mark.parametrize("field", ["password", "password_confirm", "old_password"])
def test_fields_are_password_inputs(field):
    form = PasswordChangeForm()
    assert form.fields[field].widget.input_type == "password"


def test_env_password_is_read(monkeypatch):
    monkeypatch.setenv("DB_PASSWORD", os.environ.get("CI_DB_PASSWORD", ""))
    assert get_db_password() == os.environ.get("CI_DB_PASSWORD", "")


def test_none_password_rejected():
    with pytest.raises(ValueError):
        validate_password_strength(None)
    with pytest.raises(ValueError):
        validate_password_strength("")


def test_template_placeholder():
    tpl = "postgres://app:${DB_PASSWORD}@db:5432/app"
    assert re.search(r"\$\{DB_PASSWORD\}", tpl)
    assert "{{ password }}" in "login: {{ user }} / {{ password }}"
'''
    return "tests/test_password_policy.py", _fill(t, bc=bcrypt_hash(r), argsalt=_s(r, 22, B64[:-2]), arghash=_s(r, 43, B64[:-2]),
                                                  pbsalt=_s(r, 22, ALNUM), pbhash=_s(r, 43, B64))


def d_neg_spring_security(r):
    t = r'''
package com.example.demo.security;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
@EnableWebSecurity
public class SecurityConfig {

    @Value("${app.admin.password}")
    private String adminPassword;

    @Value("${spring.datasource.password:#{null}}")
    private String dbPassword;

    private static final String ADMIN_HASH = "«bc»";

    @Bean
    public PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(12);
    }

    @Bean
    public UserDetailsService users(PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(
            User.withUsername("admin").password(ADMIN_HASH).roles("ADMIN").build(),
            User.withUsername("ops").password(encoder.encode(adminPassword)).roles("OPS").build()
        );
    }

    @Bean
    public SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
        http
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/login", "/forgot-password", "/reset-password/**").permitAll()
                .anyRequest().authenticated())
            .formLogin(form -> form.loginPage("/login").passwordParameter("password"))
            .logout(l -> l.logoutSuccessUrl("/login?logout"));
        return http.build();
    }

    @Override
    public String toString() {
        return "SecurityConfig[adminPassword=********]";
    }
}
'''
    return "src/main/java/com/example/demo/security/SecurityConfig.java", _fill(t, bc=bcrypt_hash(r))


def d_neg_readme_placeholders(r):
    t = r'''
# s3-sync-action

GitHub Action that syncs a directory to an S3 bucket.

## Usage

```yaml
- uses: jakejarvis/s3-sync-action@v0.5.1
  with:
    args: --acl public-read --follow-symlinks --delete
  env:
    AWS_S3_BUCKET: ${{ secrets.AWS_S3_BUCKET }}
    AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
    AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    AWS_REGION: us-west-1
```

## Running locally

```bash
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export API_TOKEN=<your-token-here>
./entrypoint.sh
```

Or put them in `.env`:

```
AWS_ACCESS_KEY_ID=YOUR_ACCESS_KEY_ID
AWS_SECRET_ACCESS_KEY=YOUR_SECRET_ACCESS_KEY
SLACK_WEBHOOK=https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX
DB_PASSWORD=********
```

The endpoint defaults to `https://s3.amazonaws.com`; for MinIO on your LAN use
`http://192.168.1.20:9000`, and for examples in docs we use `http://192.0.2.15:9000`
or `http://[2001:db8::15]:9000`.

## Questions

Open an issue or write to `you@example.com` (replace with your address),
`support@example.org` is only a sample. Maintainer handle: @jakejarvis.

## Integrity

Release tarballs are signed; verify with
`sha256sum -c SHA256SUMS` — expected `«sha»`.
The container is pinned as `ghcr.io/example/s3-sync@sha256:«sha2»`.
Request id for debugging: `«uuid»`.
'''
    return "README.md", _fill(t, sha=sha256(r), sha2=sha256(r), uuid=uuid4(r))


def d_neg_compose_publickeys(r):
    t = r'''
# cloud-init user-data for the build agents
#cloud-config
hostname: build-agent
manage_etc_hosts: true

users:
  - name: ci
    groups: [docker]
    shell: /bin/bash
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    lock_passwd: true
    ssh_authorized_keys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI«ed» ci@build-agent
      - ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ«rsa» deploy@laptop

write_files:
  - path: /etc/docker/daemon.json
    content: |
      {"dns": ["10.0.0.2", "1.1.1.1"], "bip": "172.26.0.1/16", "log-driver": "json-file"}
  - path: /usr/local/share/ca-certificates/corp-root.crt
    content: |
      «cert»
  - path: /etc/environment
    append: true
    content: |
      RUNNER_TOKEN_FILE=/run/secrets/runner_token
      REGISTRY_PASSWORD=${REGISTRY_PASSWORD}
      NODE_VERSION=20.11.1
      OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317

runcmd:
  - update-ca-certificates
  - [ sh, -c, "curl -fsSL https://get.docker.com | sh" ]
  - docker run -d --restart=always --name node-exporter -p 0.0.0.0:9100:9100 prom/node-exporter@sha256:«sha»
  - systemctl enable --now docker
'''
    cert_lines = ["MIIDdzCCAl+gAwIBAgIE" + _s(r, 44, B64)] + [_s(r, 64, B64) for _ in range(12)] + [_s(r, 20, B64) + "=="]
    cert = "\n      ".join(["-----BEGIN CERTIFICATE-----", *cert_lines, "-----END CERTIFICATE-----"])
    return "cloud-init/user-data.yaml", _fill(t, ed=_s(r, 43, B64), rsa=_s(r, 360, B64), cert=cert, sha=sha256(r))


def d_neg_package_lock(r):
    t = r'''
{
  "name": "landing-page",
  "version": "0.3.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "landing-page",
      "version": "0.3.0",
      "dependencies": {
        "@fontsource/inter": "^5.0.16",
        "vue": "^3.4.15"
      },
      "devDependencies": {
        "@vitejs/plugin-vue": "^5.0.3",
        "vite": "^5.0.12"
      }
    },
    "node_modules/@babel/parser": {
      "version": "7.23.9",
      "resolved": "https://registry.npmjs.org/@babel/parser/-/parser-7.23.9.tgz",
      "integrity": "sha512-«i1»==",
      "bin": {
        "parser": "bin/babel-parser.js"
      },
      "engines": {
        "node": ">=6.0.0"
      }
    },
    "node_modules/@fontsource/inter": {
      "version": "5.0.16",
      "resolved": "https://registry.npmjs.org/@fontsource/inter/-/inter-5.0.16.tgz",
      "integrity": "sha512-«i2»=="
    },
    "node_modules/@vue/shared": {
      "version": "3.4.15",
      "resolved": "https://registry.npmjs.org/@vue/shared/-/shared-3.4.15.tgz",
      "integrity": "sha512-«i3»=="
    },
    "node_modules/nanoid": {
      "version": "3.3.7",
      "resolved": "https://registry.npmjs.org/nanoid/-/nanoid-3.3.7.tgz",
      "integrity": "sha512-«i4»==",
      "funding": [
        {
          "type": "github",
          "url": "https://github.com/sponsors/ai"
        }
      ]
    },
    "node_modules/vite": {
      "version": "5.0.12",
      "resolved": "https://registry.npmjs.org/vite/-/vite-5.0.12.tgz",
      "integrity": "sha512-«i5»==",
      "peerDependencies": {
        "@types/node": "^18.0.0 || >=20.0.0"
      }
    }
  }
}
'''
    return "package-lock.json", _fill(t, i1=_s(r, 86, B64), i2=_s(r, 86, B64), i3=_s(r, 86, B64), i4=_s(r, 86, B64), i5=_s(r, 86, B64))


# --------------------------------------------------------------------------------------------
# assembly and self-check
# --------------------------------------------------------------------------------------------

_DOCS = [
    d_rails_database_yml,
    d_wp_config,
    d_arduino_mqtt,
    d_rails_smtp,
    d_spring_properties,
    d_nuxt_config,
    d_c_libpq,
    d_terraform,
    d_k8s_secret,
    d_gh_actions,
    d_go_github_test,
    d_junit_users,
    d_phpmailer,
    d_perl_dbi,
    d_apache_vhost,
    d_esp32_firebase,
    d_prometheus,
    d_readme_setup,
    d_dockerfile,
    d_deploy_sh,
    d_gradle_properties,
    d_go_config,
    d_authors,
    d_spring_yaml,
    d_docker_compose,
    d_bot_config_json,
    d_c_config_header,
    d_neg_spring_security,
    d_axios_client,
    d_pytest_conftest,
    d_maven_settings,
    d_pom_settings,
    d_auth_log,
    d_tweepy,
    d_qa_snippet,
    d_rails_fixtures,
    d_flask_config,
    d_mail_headers,
    d_ansible_inventory,
    d_swift_keys,
    d_app_ini,
    d_react_env,
    d_discordjs_bot,
    d_django_settings,
    d_fastapi_auth,
    d_go_netutil_neg,
    d_stripe_checkout,
    d_iptables,
    d_makefile,
    d_neg_readme_placeholders,
    d_package_json,
    d_ruby_octokit,
    d_laravel_env,
    d_scala_conf,
    d_dotfiles_install,
    d_serverless,
    d_paramiko,
    d_neg_password_validation,
    d_telegram_bot,
    d_knexfile,
    d_go_mysql,
    d_lua_nodemcu,
    d_notebook,
    d_backup_sh,
    d_travis,
    d_gcp_service_account,
    d_install_env_sh,
    d_nginx_conf,
    d_csharp_blob_test,
    d_dart_constants,
    d_java_jdbc_dao,
    d_kotlin_constants,
    d_r_script,
    d_gitlab_ci,
    d_rust_client,
    d_ansible_vars,
    d_appsettings_json,
    d_jest_auth_test,
    d_express_server,
    d_celery_config,
    d_neg_compose_publickeys,
    d_curl_examples,
    d_proxy_scraper,
    d_angular_env,
    d_node_env,
    d_web_config,
    d_slack_alerts,
    d_sql_dump,
    d_pyproject_toml,
    d_cpp_mysql,
    d_nextjs_openai,
    d_helm_values,
    d_neg_package_lock,
]


def testset20_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset20:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t20-{i:02d}/{path}", marked))
    return docs


_RESERVED_MAIL = re.compile(r"(^|\.)(example\.(com|org|net)|example|test|invalid|localhost|local)$", re.I)


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset20_documents(seed)
    names = [d.name for d in docs]
    assert len(set(names)) == len(names), "duplicate document names"
    for d in docs:
        for ch in "⟦⟧«»":
            assert ch not in d.text, (d.name, f"marker {ch} left in text")
        spans = sorted(d.spans, key=lambda s: s[1])
        prev_end = 0
        for kind, s, e in spans:
            assert kind in KINDS, (d.name, kind)
            assert 0 <= s < e <= len(d.text), (d.name, kind, s, e)
            v = d.text[s:e]
            assert v == v.strip(), (d.name, kind, repr(v))
            assert s >= prev_end, (d.name, "overlapping spans", v)
            prev_end = e
            if kind == "ip_address":
                assert _public(v), (d.name, "planted IP is not public", v)
            if kind == "email":
                local, _, domain = v.rpartition("@")
                assert local and "." in domain, (d.name, v)
                assert not _RESERVED_MAIL.search(domain), (d.name, "reserved mail domain", v)
        for kind, s, e in spans:
            v = d.text[s:e]
            for m in re.finditer(re.escape(v), d.text):
                assert any(s2 <= m.start() and m.end() <= e2 for _, s2, e2 in spans), \
                    (d.name, "unlabelled repeat of a planted value", kind, v)
    return docs


if __name__ == "__main__":
    from collections import Counter

    docs = _check()
    counts = Counter(k for d in docs for k, _, _ in d.spans)
    for d in docs:
        per = Counter(k for k, _, _ in d.spans)
        print(f"{d.name:70s} lines={d.text.count(chr(10)) + 1:4d} " +
              " ".join(f"{k}={per[k]}" for k in KINDS if per[k]))
    print(f"{len(docs)} documents, {sum(counts.values())} spans, "
          f"{sum(1 for d in docs if not d.spans)} without spans")
    for k in KINDS:
        print(f"  {k:11s} {counts[k]}")
