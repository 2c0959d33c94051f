r"""Blind labelled test set 15 for the PII/secret scrubber.

A sample of files as a developer finds them by searching GitHub for leaked credentials in
permissively licensed repositories: web backends (Django, Rails, Laravel, Spring, Express/Nest,
ASP.NET, Go, Flask, Phoenix, Symfony), mobile apps (Android, iOS, Flutter), data and ML scripts
(notebooks, Airflow, dbt, Spark, pandas), DevOps files (CI pipelines, Kubernetes, Helm,
Terraform, Ansible, Vagrant, docker-compose, shell and PowerShell scripts), embedded sketches,
chat bots, and miscellaneous files (Postman collections, .npmrc/.pypirc/.netrc, SQL dumps,
mail and LDAP configs, changelogs, mailing-list archives, access logs). Each document imitates
one file of a real project type, with the credential where a developer would really hard-code
it, plus hard negatives that look like secrets but are not (and a few documents with hard
negatives only). Written blind: without reading the scrubber or the other labelled sets.

Planted spans are written ``⟦kind|value⟧`` inside the templates; ``_parse`` strips the markers
and records the spans. Every secret value is drawn from a ``random.Random`` seeded from the seed
and the document's name, so the set is deterministic for a given seed.

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
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1515
KINDS = ("email", "ip_address", "key", "password")

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


# ---------------------------------------------------------------------------------------------
# markers and template filling

def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


_SLOT = re.compile(r"«(\w+)»")


def T(template: str, **kw: str) -> str:
    """Fill «name» slots of a template (no clash with braces of JSON/HCL/JS/shell code)."""
    def sub(m: re.Match) -> str:
        return str(kw[m.group(1)])
    out = _SLOT.sub(sub, template)
    assert "«" not in out and "»" not in out, out
    return out.lstrip("\n")


# ---------------------------------------------------------------------------------------------
# random values

def rs(r: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


WORDS = [
    "Summer", "Winter", "Falcon", "Tiger", "Dragon", "Sunshine", "Rocket", "Pepper", "Maple",
    "Coffee", "Bandit", "Shadow", "Phoenix", "Cobalt", "Galaxy", "Panther", "Kitten", "Raptor",
    "Mustang", "Harley", "Ginger", "Liverpool", "Barcelona", "Matrix", "Atlas", "Nimbus",
    "Everest", "Sparrow", "Willow", "Jasmine", "Cricket", "Thunder", "Viking", "Saturn",
    "Neptune", "Orion", "Marble", "Cactus", "Lemon", "Mango", "Koala", "Penguin", "Tango",
    "Bravo", "Hornet", "Juniper", "Lobster", "Pirate", "Quartz", "Scooter", "Walnut", "Zebra",
]
_LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1", "s": "5"})


def pw_human(r: random.Random, sym: str = "!#*.@_-$") -> str:
    """A password a person made up: words, digits, a symbol."""
    w, w2 = r.choice(WORDS), r.choice(WORDS)
    y = r.choice(["2019", "2020", "2021", "2022", "2023", "2024", "2025",
                  str(r.randint(10, 99)), str(r.randint(100, 999))])
    s = r.choice(sym) if sym else ""
    form = r.randrange(7)
    if form == 0:
        return f"{w}{y}{s}"
    if form == 1:
        return f"{w[0]}{w[1:].lower().translate(_LEET)}{s}{y[-2:]}"
    if form == 2:
        return f"{w.lower()}{s}{w2}{y[-2:]}"
    if form == 3:
        return f"{w}{s}{w2.lower()}{r.randint(1, 9)}"
    if form == 4:
        return f"{w.lower()}{r.randint(2, 9)}{w2.lower()}"
    if form == 5:
        return f"{w[:3]}{s}{r.randint(1000, 9999)}{w2[:3].lower()}"
    return f"{w.lower().translate(_LEET)}{y}{s}"


def pw_rand(r: random.Random, n: int | None = None, sym: str = "!#%*-_=+") -> str:
    """A random password (generator-made), with at least one digit and one letter."""
    n = n or r.randint(10, 18)
    alphabet = ALNUM + sym
    while True:
        v = rs(r, n, alphabet)
        if any(c.isdigit() for c in v) and any(c.isalpha() for c in v) and v[0].isalnum():
            return v


def pw(r: random.Random, sym: str = "!#*.@_-$") -> str:
    return pw_human(r, sym) if r.random() < 0.6 else pw_rand(r, sym=sym.replace(".", ""))


FIRST = [
    "james", "maria", "wei", "priya", "lukas", "sofia", "ahmed", "yuki", "olga", "diego",
    "fatima", "noah", "emma", "kenji", "ana", "tomas", "chloe", "ravi", "ingrid", "mateo",
    "hannah", "omar", "lena", "pavel", "aisha", "marco", "julia", "sven", "nadia", "ethan",
]
LAST = [
    "smith", "garcia", "chen", "patel", "muller", "rossi", "haddad", "tanaka", "ivanova",
    "fernandez", "khan", "johnson", "dubois", "sato", "silva", "novak", "martin", "sharma",
    "larsen", "lopez", "weber", "hassan", "kowalski", "nguyen", "okafor", "berg", "moreau",
]
FREEMAIL = [
    "gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "protonmail.com", "icloud.com",
    "fastmail.fm", "gmx.de", "web.de", "yandex.ru", "qq.com", "naver.com", "orange.fr",
    "libero.it", "mail.ru", "seznam.cz", "wp.pl", "yahoo.co.jp", "hey.com",
]
COMPANY = [
    "northwindlogistics.com", "brightpath.io", "kestrelhealth.co.uk", "tidewater-labs.com",
    "helixbank.de", "orbitfreight.net", "lumenpay.com.br", "quillsoft.dev", "fernbrook.edu",
    "saltmarsh.ai", "corvid-systems.com", "pinecrest.org", "zephyrmedia.fr", "atlasgrid.io",
    "bluefinretail.com.au", "greyhound-analytics.com", "ironbark.co.nz", "vantalabs.in",
    "marigold.se", "copperleaf.ca", "mosaic-hr.es", "nordlicht-it.de", "sakura-soft.jp",
]


def email(r: random.Random, domain: str | None = None, local: str | None = None) -> str:
    domain = domain or (r.choice(COMPANY) if r.random() < 0.6 else r.choice(FREEMAIL))
    if local is None:
        f, l = r.choice(FIRST), r.choice(LAST)
        local = r.choice([f"{f}.{l}", f"{f[0]}{l}", f, f"{f}_{l}{r.randint(1, 99)}",
                          f"{f}{l[0]}", f"{l}.{f}"])
    return f"{local}@{domain}"


_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220", "4.2.2.1", "4.2.2.2", "64.6.64.6"}
_FIRST_OCTETS = [3, 13, 18, 23, 31, 34, 35, 37, 44, 45, 46, 51, 52, 54, 62, 64, 66, 78, 80, 82,
                 85, 88, 91, 94, 95, 104, 107, 128, 134, 137, 138, 139, 142, 146, 147, 157,
                 159, 161, 164, 165, 167, 170, 176, 178, 185, 188, 193, 194, 195, 206, 209,
                 212, 213, 217]


def ip4(r: random.Random) -> str:
    while True:
        v = f"{r.choice(_FIRST_OCTETS)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
        a = ipaddress.ip_address(v)
        if a.is_global and not a.is_multicast and v not in _RESOLVERS:
            return v


_V6 = ["2a01:4f8:c17", "2600:1f18:4a3", "2604:a880:800", "2a03:b0c0:3", "2001:41d0:302",
       "2a02:c207:2035", "2a05:d014:9f1", "2406:da1c:f2e"]


def ip6(r: random.Random) -> str:
    pre = r.choice(_V6)
    tail = ":".join(f"{r.randint(0, 0xffff):x}" for _ in range(r.choice([1, 2, 4])))
    return str(ipaddress.ip_address(f"{pre}::{tail}" if len(tail.split(":")) < 4
                                   else f"{pre}:{r.randint(1, 0xfff):x}:{tail}"))


# --- provider tokens ---------------------------------------------------------------------

def aws_id(r): return "AKIA" + rs(r, 16, UPPER + "234567")
def aws_secret(r): return rs(r, 40, B64)
def ghp(r): return "ghp_" + rs(r, 36)
def gho(r): return "gho_" + rs(r, 36)
def gh_pat(r): return "github_pat_11" + rs(r, 20, UPPER + DIGITS) + "_" + rs(r, 59)
def glpat(r): return "glpat-" + rs(r, 20, URLSAFE)
def xoxb(r): return f"xoxb-{r.randint(10**10, 10**12)}-{r.randint(10**11, 10**13)}-{rs(r, 24)}"
def xoxp(r): return (f"xoxp-{r.randint(10**10, 10**12)}-{r.randint(10**10, 10**12)}-"
                     f"{r.randint(10**11, 10**13)}-{rs(r, 32, HEX)}")
def xapp(r): return f"xapp-1-A{rs(r, 10, UPPER + DIGITS)}-{r.randint(10**12, 10**13)}-{rs(r, 64, HEX)}"
def slack_hook_path(r): return f"T{rs(r, 8, UPPER + DIGITS)}/B{rs(r, 10, UPPER + DIGITS)}/{rs(r, 24)}"
def sk_live(r): return "sk_live_" + rs(r, r.choice([24, 99]))
def rk_live(r): return "rk_live_" + rs(r, 99)
def pk_live(r): return "pk_live_" + rs(r, 99)
def sendgrid(r): return "SG." + rs(r, 22, URLSAFE) + "." + rs(r, 43, URLSAFE)
def twilio_sk(r): return "SK" + rs(r, 32, HEX)
def hex32(r): return rs(r, 32, HEX)
def hex40(r): return rs(r, 40, HEX)
def hex64(r): return rs(r, 64, HEX)
def mailgun(r): return "key-" + rs(r, 32, HEX)
def npm_tok(r): return "npm_" + rs(r, 36)
def pypi_tok(r): return "pypi-AgEIcHlwaS5vcmc" + rs(r, 160, URLSAFE)
def openai_key(r): return "sk-" + rs(r, 48)
def openai_proj(r): return "sk-proj-" + rs(r, 74, URLSAFE) + "T3BlbkFJ" + rs(r, 74, URLSAFE)
def anthropic_key(r): return "sk-ant-api03-" + rs(r, 93, URLSAFE) + "AA"
def hf_tok(r): return "hf_" + rs(r, 34)
def gapi(r): return "AIza" + rs(r, 35, URLSAFE)
def shopify(r): return "shpat_" + rs(r, 32, HEX)
def square(r): return "EAAA" + rs(r, 60, URLSAFE)
def do_tok(r): return "dop_v1_" + rs(r, 64, HEX)
def mapbox_sk(r): return "sk.eyJ1Ijoi" + rs(r, 60, URLSAFE) + "." + rs(r, 22, URLSAFE)
def azure_key(r): return rs(r, 86, B64) + "=="
def firebase_server(r): return "AAAA" + rs(r, 7, URLSAFE) + ":APA91b" + rs(r, 134, URLSAFE)
def databricks(r): return "dapi" + rs(r, 32, HEX)
def vault_tok(r): return "hvs." + rs(r, 24)
def postman_key(r): return f"PMAK-{rs(r, 24, HEX)}-{rs(r, 34, HEX)}"
def newrelic(r): return "NRAK-" + rs(r, 27, UPPER + DIGITS)
def sentry_auth(r): return "sntrys_" + rs(r, 120, URLSAFE)
def aio_key(r): return "aio_" + rs(r, 28)
def grafana_sa(r): return "glsa_" + rs(r, 32) + "_" + rs(r, 8, HEX)
def linear_key(r): return "lin_api_" + rs(r, 40)
def atlassian(r): return "ATATT3xFfGF0" + rs(r, 170, URLSAFE) + "=" + rs(r, 8, HEX.upper())
def cf_token(r): return rs(r, 40, URLSAFE)
def generic(r, n=32): return rs(r, n)
def b64secret(r, nbytes=32): return base64.b64encode(r.randbytes(nbytes)).decode()


def discord_tok(r):
    uid = str(r.randint(7 * 10**17, 12 * 10**17))
    return b64u(uid.encode()) + "." + rs(r, 6, URLSAFE) + "." + rs(r, 38, URLSAFE)


def telegram_tok(r):
    return f"{r.randint(10**9, 7 * 10**9)}:AA{rs(r, 33, URLSAFE)}"


def jwt(r, payload: dict | None = None, alg: str = "HS256") -> str:
    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = payload or {"sub": str(r.randint(1000, 99999)), "iat": r.randint(1600000000, 1720000000)}
    body = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return f"{head}.{body}.{rs(r, 43 if alg.startswith('HS') else 342, URLSAFE)}"


_PEM_HEAD = {
    "RSA PRIVATE KEY": "MIIEpAIBAAKCAQEA",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA",
}


def pem(r, kind: str = "RSA PRIVATE KEY", nlines: int = 10, sep: str = "\n") -> str:
    width = 70 if kind.startswith("OPENSSH") else 64
    head = _PEM_HEAD[kind]
    body = head + rs(r, width * nlines - len(head) + r.randint(8, 40), B64)
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    lines[-1] = lines[-1] + "=" * (len(lines[-1]) % 3 == 1)
    return sep.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def fake_cert(r, sep: str = "\n", nlines: int = 8) -> str:
    body = "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ" + rs(r, 64 * nlines, B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return sep.join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"])


def bcrypt_hash(r): return "$2b$12$" + rs(r, 53, ALNUM + "./")
def sha256hex(r): return hashlib.sha256(r.randbytes(16)).hexdigest()
def sha1hex(r): return hashlib.sha1(r.randbytes(16)).hexdigest()
def uid(r): return str(uuid.UUID(int=r.getrandbits(128), version=4))
def basic(user: str, password: str) -> str: return base64.b64encode(f"{user}:{password}".encode()).decode()


def private_ip(r):
    return r.choice([f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
                     f"192.168.{r.randint(0, 20)}.{r.randint(2, 250)}",
                     f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}"])


def ssh_pub(r, comment: str) -> str:
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(r, 43, B64) + " " + comment


# =============================================================================================
# web backends

def d_django_settings(r):
    host = I(ip4(r))
    return "shopfront/settings/production.py", T('''
"""
Django settings for shopfront project (production).
"""
from pathlib import Path

from .base import *  # noqa

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "«secret»"

DEBUG = False

ALLOWED_HOSTS = ["shopfront-demo.com", "www.shopfront-demo.com", "«host»", "127.0.0.1"]

ADMINS = [
    ("Shop Admin", "«admin1»"),
]
MANAGERS = ADMINS

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shopfront",
        "USER": "shopfront",
        "PASSWORD": "«dbpw»",
        "HOST": "«host»",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shopfront",
        "USER": "readonly",
        "PASSWORD": "«ropw»",
        "HOST": "10.0.3.17",
        "PORT": "5432",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
]
PASSWORD_RESET_TIMEOUT = 259200

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.mailgun.org"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "«mguser»"
EMAIL_HOST_PASSWORD = "«mailpw»"
DEFAULT_FROM_EMAIL = "Shopfront <«fromaddr»>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = BASE_DIR / "media"

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
''', secret=K(rs(r, 50, LOWER + DIGITS + "!@#%^&*(-_=+)")), host=host,
        admin1=E(email(r, "shopfront-demo.com")),
        dbpw=P(pw(r)), ropw=P(pw_rand(r)),
        mguser=E(email(r, "mg.shopfront-demo.com", "postmaster")), mailpw=P(hex32(r) + "-" + rs(r, 8, HEX) + "-" + rs(r, 8, HEX)),
        fromaddr=E(email(r, "shopfront-demo.com", "noreply")))


def d_rails_database_yml(r):
    return "config/database.yml", T('''
# PostgreSQL. Versions 9.3 and up are supported.
#
# Install the pg driver:
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
  password: «devpw»
  host: localhost

test:
  <<: *default
  database: bookclub_test
  username: bookclub
  password: «devpw»
  host: 127.0.0.1

staging:
  <<: *default
  database: bookclub_staging
  username: bookclub_stg
  password: <%= ENV["BOOKCLUB_DATABASE_PASSWORD"] %>
  host: db-staging.internal

production:
  <<: *default
  database: bookclub_production
  username: bookclub_prod
  password: '«prodpw»'
  host: «host»
  port: 5432
''', devpw=P(pw_human(r, "_-")), prodpw=P(pw(r, "!#*@_-")), host=I(ip4(r)))


def d_rails_credentials(r):
    return "config/credentials.yml", T('''
# aws:
#   access_key_id: 123
#   secret_access_key: 345

aws:
  access_key_id: «akid»
  secret_access_key: «asecret»
  region: eu-west-1
  bucket: tinyhouse-uploads

stripe:
  publishable_key: «pk»
  secret_key: «sk»
  webhook_secret: «whsec»

smtp:
  user_name: «smtpuser»
  password: «smtppw»
  address: smtp.sendgrid.net

# Used as the base secret for all MessageVerifiers in Rails, including the one protecting cookies.
secret_key_base: «skb»
''', akid=K(aws_id(r)), asecret=K(aws_secret(r)), pk=pk_live(r), sk=K(sk_live(r)),
        whsec=K("whsec_" + rs(r, 32)), smtpuser="apikey", smtppw=K(sendgrid(r)),
        skb=K(rs(r, 128, HEX)))


def d_laravel_env(r):
    host = ip4(r)
    return ".env", T('''
APP_NAME="Klinik Sehat"
APP_ENV=production
APP_KEY=base64:«appkey»
APP_DEBUG=false
APP_URL=https://kliniksehat.id

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=«host»
DB_PORT=3306
DB_DATABASE=klinik
DB_USERNAME=klinik_app
DB_PASSWORD=«dbpw»

BROADCAST_DRIVER=pusher
CACHE_DRIVER=redis
FILESYSTEM_DISK=s3
QUEUE_CONNECTION=redis
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.gmail.com
MAIL_PORT=587
MAIL_USERNAME=«mailuser»
MAIL_PASSWORD="«mailpw»"
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="«mailuser»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«akid»
AWS_SECRET_ACCESS_KEY=«asecret»
AWS_DEFAULT_REGION=ap-southeast-1
AWS_BUCKET=klinik-files
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=1472093
PUSHER_APP_KEY=
PUSHER_APP_SECRET=«pushsecret»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=ap1

VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
''', appkey=K(b64secret(r)), host=I(host), dbpw=P(pw(r, "!*@_-")),
        mailuser=E(email(r, "gmail.com", "kliniksehat.notif")),
        mailpw=P(" ".join(rs(r, 4, LOWER) for _ in range(4))),
        akid=K(aws_id(r)), asecret=K(aws_secret(r)), pushsecret=K(rs(r, 20, HEX)))


def d_spring_yml(r):
    host = I(ip4(r))
    return "src/main/resources/application-prod.yml", T('''
server:
  port: 8443
  ssl:
    key-store: classpath:keystore.p12
    key-store-password: «kspw»
    key-store-type: PKCS12
    key-alias: tomcat

spring:
  application:
    name: inventory-service
  datasource:
    url: jdbc:mysql://«host»:3306/inventory?useSSL=false&serverTimezone=UTC
    username: inventory
    password: «dbpw»
    driver-class-name: com.mysql.cj.jdbc.Driver
    hikari:
      maximum-pool-size: 20
  jpa:
    hibernate:
      ddl-auto: validate
    show-sql: false
  mail:
    host: smtp.office365.com
    port: 587
    username: «mailuser»
    password: «mailpw»
    properties:
      mail.smtp.auth: true
      mail.smtp.starttls.enable: true
  redis:
    host: 10.20.0.5
    password: ${REDIS_PASSWORD:}

app:
  jwt:
    secret: «jwt»
    expiration-ms: 86400000
  cors:
    allowed-origins: https://inventory.corvid-systems.com

management:
  endpoints:
    web:
      exposure:
        include: health,info,prometheus
''', kspw=P(pw_rand(r, sym="")), host=host, dbpw=P(pw(r, "!*@_-")),
        mailuser=E(email(r, "corvid-systems.com", "inventory-alerts")), mailpw=P(pw_human(r, "!*_-")),
        jwt=K(b64secret(r, 48)))


def d_spring_properties(r):
    return "src/main/resources/application.properties", T('''
spring.application.name=order-api
server.port=8080

# ===============================
# DATABASE
# ===============================
spring.datasource.url=jdbc:postgresql://«dbhost»:5432/orders
spring.datasource.username=orders_rw
spring.datasource.password=«dbpw»
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect
spring.jpa.hibernate.ddl-auto=update

# ===============================
# RABBITMQ
# ===============================
spring.rabbitmq.host=mq.atlasgrid.internal
spring.rabbitmq.port=5672
spring.rabbitmq.username=orders
spring.rabbitmq.password=«mqpw»

# ===============================
# OAUTH2 (Google login)
# ===============================
spring.security.oauth2.client.registration.google.client-id=«cid»
spring.security.oauth2.client.registration.google.client-secret=«csecret»
spring.security.oauth2.client.registration.google.scope=openid,profile,email

# password policy
app.security.password.min-length=12
app.security.reset-password-url=https://orders.atlasgrid.io/reset
app.notify.from=«from»

logging.level.org.springframework.security=INFO
''', dbhost=I(ip4(r)), dbpw=P(pw(r, "!#*@_-")), mqpw=P(pw_rand(r, sym="")),
        cid=f"{r.randint(10**11, 10**12)}-{rs(r, 32, LOWER + DIGITS)}.apps.googleusercontent.com",
        csecret=K("GOCSPX-" + rs(r, 28, URLSAFE)), **{"from": E(email(r, "atlasgrid.io", "orders"))})


def d_express_config(r):
    return "config/default.js", T('''
'use strict';

module.exports = {
  app: {
    name: 'tasklane-api',
    port: process.env.PORT || 4000,
  },
  mongo: {
    uri: 'mongodb://tasklane:«mpw»@«mhost»:27017/tasklane?authSource=admin',
    options: { useNewUrlParser: true, useUnifiedTopology: true },
  },
  auth: {
    jwtSecret: '«jwtsecret»',
    jwtExpiresIn: '7d',
    saltRounds: 10,
  },
  sendgrid: {
    apiKey: '«sg»',
    from: '«from»',
    templates: {
      welcome: 'd-3f1e0c6a2b7d4e58a9c0b1d2e3f4a5b6',
      resetPassword: 'd-7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
    },
  },
  admin: {
    email: '«admin»',
    // initial password, change after first login
    password: '«adminpw»',
  },
  cors: {
    origins: ['http://localhost:3000', 'https://app.tasklane.co'],
  },
};
''', mpw=P(quote(pw_human(r, "!@#*"), safe="!*")), mhost=I(ip4(r)), jwtsecret=K(rs(r, 64, HEX)),
        sg=K(sendgrid(r)), **{"from": E(email(r, "tasklane.co", "hello"))},
        admin=E(email(r, "tasklane.co")), adminpw=P(pw_human(r, "!#*")))


def d_nest_module(r):
    return "src/app.module.ts", T('''
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtModule } from '@nestjs/jwt';
import { MailerModule } from '@nestjs-modules/mailer';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { UsersModule } from './users/users.module';
import { User } from './users/user.entity';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      host: '«dbhost»',
      port: 5432,
      username: 'nest',
      password: '«dbpw»',
      database: 'clinic',
      entities: [User],
      synchronize: false,
    }),
    JwtModule.register({
      global: true,
      secret: '«jwt»',
      signOptions: { expiresIn: '3600s' },
    }),
    MailerModule.forRoot({
      transport: {
        host: 'smtp.zoho.eu',
        secure: true,
        auth: { user: '«mailuser»', pass: '«mailpw»' },
      },
      defaults: { from: '"Clinic" <«mailuser»>' },
    }),
    UsersModule,
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
''', dbhost=I(ip4(r)), dbpw=P(pw(r, "!#*@_-")), jwt=K(rs(r, 48, URLSAFE)),
        mailuser=E(email(r, "zephyrmedia.fr", "rdv")), mailpw=P(pw_rand(r)))


def d_aspnet_appsettings(r):
    host = ip4(r)
    raw = pw_rand(r, 12, sym="!#%*")
    esc = raw[:5] + "\\\\" + raw[5:]
    return "src/Payroll.Api/appsettings.json", T('''
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«host»,1433;Database=Payroll;User Id=payroll_app;Password=«dbpw»;TrustServerCertificate=True;",
    "Reporting": "Data Source=(localdb)\\\\MSSQLLocalDB;Initial Catalog=PayrollReports;Integrated Security=True"
  },
  "Jwt": {
    "Key": "«jwtkey»",
    "Issuer": "https://payroll.helixbank.de",
    "Audience": "payroll-clients",
    "ExpiryMinutes": 60
  },
  "SmtpSettings": {
    "Server": "smtp.helixbank.de",
    "Port": 587,
    "SenderEmail": "«sender»",
    "Username": "«sender»",
    "Password": "«smtppw»"
  },
  "Ldap": {
    "Url": "ldaps://dc01.corp.helixbank.de",
    "BindDn": "CN=svc-payroll,OU=Service,DC=corp,DC=helixbank,DC=de",
    "BindPassword": "«ldappw»"
  },
  "Sentry": {
    "Dsn": "https://«sentrypub»@o4504.ingest.sentry.io/4505123"
  }
}
''', host=I(host), dbpw=P(pw(r, "!#*@_-")), jwtkey=K(rs(r, 64)),
        sender=E(email(r, "helixbank.de", "payroll-noreply")), smtppw=P(pw_human(r, "!#*")),
        ldappw=P(esc), sentrypub=rs(r, 32, HEX))


def d_go_main(r):
    return "cmd/server/main.go", T('''
package main

import (
	"database/sql"
	"log"
	"net/http"
	"os"

	"github.com/gorilla/mux"
	_ "github.com/lib/pq"
	"github.com/stripe/stripe-go/v76"
)

const (
	dbConn    = "host=«dbhost» port=5432 user=ledger password=«dbpw» dbname=ledger sslmode=disable"
	jwtSecret = "«jwt»"
)

var db *sql.DB

func main() {
	var err error
	db, err = sql.Open("postgres", dbConn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	stripe.Key = "«sk»"

	addr := os.Getenv("LISTEN_ADDR")
	if addr == "" {
		addr = "0.0.0.0:8080"
	}

	r := mux.NewRouter()
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	r.HandleFunc("/api/v1/charges", createCharge).Methods("POST")
	r.Use(authMiddleware([]byte(jwtSecret)))

	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, r))
}
''', dbhost=I(ip4(r)), dbpw=P(pw_rand(r, sym="")), jwt=K(rs(r, 40, URLSAFE)), sk=K(sk_live(r)))


def d_flask_app(r):
    host = I(ip4(r))
    return "app.py", T('''
from flask import Flask, render_template, request, redirect, url_for, flash
from flask_sqlalchemy import SQLAlchemy
from flask_mail import Mail, Message
from werkzeug.security import generate_password_hash, check_password_hash

app = Flask(__name__)
app.config['SECRET_KEY'] = '«secret»'
app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql+pymysql://recipes:«dbpw»@«host»/recipes'
app.config['SQLALCHEMY_TRACK_MODIFICATIONS'] = False

app.config['MAIL_SERVER'] = 'smtp.gmail.com'
app.config['MAIL_PORT'] = 465
app.config['MAIL_USE_SSL'] = True
app.config['MAIL_USERNAME'] = '«mail»'
app.config['MAIL_PASSWORD'] = '«mailpw»'

db = SQLAlchemy(app)
mail = Mail(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


@app.route('/register', methods=['GET', 'POST'])
def register():
    if request.method == 'POST':
        user = User(email=request.form['email'])
        user.set_password(request.form['password'])
        db.session.add(user)
        db.session.commit()
        msg = Message('Welcome!', sender='«mail»', recipients=[user.email])
        mail.send(msg)
        flash('Account created')
        return redirect(url_for('login'))
    return render_template('register.html')


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=5000, debug=True)
''', secret=K(rs(r, 24, HEX)), dbpw=P(pw_human(r, "!*_-")), host=host,
        mail=E(email(r, "gmail.com", "recipebox.app" + str(r.randint(1, 99)))), mailpw=P(rs(r, 16, LOWER)))


def d_fastapi_config(r):
    return "backend/app/core/config.py", T('''
import secrets
from typing import Any

from pydantic import AnyHttpUrl, EmailStr, PostgresDsn, field_validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    # SECRET_KEY: str = secrets.token_urlsafe(32)
    SECRET_KEY: str = "«secret»"
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
    SERVER_NAME: str = "fleet-tracker"
    BACKEND_CORS_ORIGINS: list[AnyHttpUrl] = []

    POSTGRES_SERVER: str = "«dbhost»"
    POSTGRES_USER: str = "fleet"
    POSTGRES_PASSWORD: str = "«dbpw»"
    POSTGRES_DB: str = "fleet"
    SQLALCHEMY_DATABASE_URI: PostgresDsn | None = None

    SMTP_TLS: bool = True
    SMTP_PORT: int | None = 587
    SMTP_HOST: str | None = "email-smtp.eu-central-1.amazonaws.com"
    SMTP_USER: str | None = "«sesuser»"
    SMTP_PASSWORD: str | None = "«sespw»"
    EMAILS_FROM_EMAIL: EmailStr | None = "«from»"

    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48
    EMAIL_TEMPLATES_DIR: str = "/app/app/email-templates/build"

    FIRST_SUPERUSER: EmailStr = "«su»"
    FIRST_SUPERUSER_PASSWORD: str = "«supw»"
    USERS_OPEN_REGISTRATION: bool = False

    @field_validator("SQLALCHEMY_DATABASE_URI", mode="before")
    def assemble_db_connection(cls, v: str | None, info) -> Any:
        if isinstance(v, str):
            return v
        return PostgresDsn.build(
            scheme="postgresql+psycopg",
            username=info.data.get("POSTGRES_USER"),
            password=info.data.get("POSTGRES_PASSWORD"),
            host=info.data.get("POSTGRES_SERVER"),
            path=info.data.get("POSTGRES_DB") or "",
        )

    class Config:
        case_sensitive = True


settings = Settings()
''', secret=K(rs(r, 43, URLSAFE)), dbhost=I(ip4(r)), dbpw=P(pw(r)),
        sesuser=K("AKIA" + rs(r, 16, UPPER + "234567")), sespw=P("BK" + rs(r, 42, B64)),
        **{"from": E(email(r, "saltmarsh.ai", "fleet"))}, su=E(email(r, "saltmarsh.ai")),
        supw=P(pw_human(r)))


def d_wp_config(r):
    salts = {n: K(rs(r, 64, ALNUM + "!#$%&()*+,-./:;<=>?[]^_{|}~")) for n in
             ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
              "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]}
    lines = "\n".join(f"define( '{n}',{' ' * (18 - len(n))}'{v}' );" for n, v in salts.items())
    return "public_html/wp-config.php", T('''
<?php
/**
 * The base configuration for WordPress
 *
 * @link https://wordpress.org/support/article/editing-wp-config-php/
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'wp_bakery' );

/** Database username */
define( 'DB_USER', 'wp_bakery_u' );

/** Database password */
define( 'DB_PASSWORD', '«dbpw»' );

/** Database hostname */
define( 'DB_HOST', '«dbhost»' );

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
define( 'FS_METHOD', 'direct' );
define( 'WP_MEMORY_LIMIT', '256M' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', dbpw=P(pw(r, "!#*@_-")), dbhost=I(ip4(r)), salts=lines)


def d_php_connect(r):
    return "includes/db_connect.php", T('''
<?php
// database connection for the student portal
$servername = "«host»";
$username   = "portal_user";
$password   = "«pw»";
$dbname     = "student_portal";

$conn = mysqli_connect($servername, $username, $password, $dbname);

if (!$conn) {
    die("Connection failed: " . mysqli_connect_error());
}
mysqli_set_charset($conn, "utf8");

// admin contact for error pages
define('ADMIN_EMAIL', '«admin»');

function send_reset_link($to, $token) {
    $reset_password_url = "https://portal.fernbrook.edu/reset.php?token=" . urlencode($token);
    $headers = "From: «admin»\\r\\n";
    mail($to, "Password reset", "Click here: " . $reset_password_url, $headers);
}

// old server, kept for the archive import
// $conn2 = mysqli_connect("«oldhost»", "root", "«oldpw»", "portal_2019");
?>
''', host=I(ip4(r)), pw=P(pw_human(r, "!#*@_")), admin=E(email(r, "fernbrook.edu", "it-helpdesk")),
        oldhost=I(ip4(r)), oldpw=P(pw_human(r, "!#*@_")))



def d_rails_initializer(r):
    return "config/initializers/services.rb", T('''
# frozen_string_literal: true

Stripe.api_key = ENV.fetch("STRIPE_SECRET_KEY", "«sk»")
Stripe.api_version = "2023-10-16"

Sidekiq.configure_server do |config|
  config.redis = { url: "redis://:«redispw»@«redishost»:6379/0" }
end

Sidekiq.configure_client do |config|
  config.redis = { url: "redis://:«redispw»@«redishost»:6379/0" }
end

Rails.application.config.action_mailer.smtp_settings = {
  address: "smtp-relay.brevo.com",
  port: 587,
  user_name: "«brevouser»",
  password: "«brevokey»",
  authentication: :login,
  enable_starttls_auto: true
}

Twilio.configure do |config|
  config.account_sid = ENV["TWILIO_ACCOUNT_SID"]
  config.auth_token = "«twtoken»"
end
''', sk=K(sk_live(r)), redispw=P(pw_rand(r, 24, sym="")), redishost=I(ip4(r)),
        brevouser=E(email(r, "ironbark.co.nz", "mailer")),
        brevokey=K("xsmtpsib-" + hex64(r) + "-" + rs(r, 16)), twtoken=K(hex32(r)))



def d_phoenix_prod(r):
    return "config/prod.secret.exs", T('''
# In this file, we load production configuration and secrets
# from environment variables. You can also hardcode secrets,
# although such is generally not recommended and you have to
# remember to add this file to your .gitignore.
import Config

config :chirp, Chirp.Repo,
  username: "chirp",
  password: "«dbpw»",
  hostname: "«dbhost»",
  database: "chirp_prod",
  pool_size: String.to_integer(System.get_env("POOL_SIZE") || "10")

secret_key_base = "«skb»"

config :chirp, ChirpWeb.Endpoint,
  http: [
    port: String.to_integer(System.get_env("PORT") || "4000"),
    transport_options: [socket_opts: [:inet6]]
  ],
  secret_key_base: secret_key_base

config :chirp, Chirp.Mailer,
  adapter: Swoosh.Adapters.Mailgun,
  api_key: "«mg»",
  domain: "mg.chirp.social"

config :chirp, :admin_email, "«admin»"
''', dbpw=P(pw_rand(r, sym="")), dbhost=I(ip4(r)), skb=K(rs(r, 64, URLSAFE)),
        mg=K(mailgun(r)), admin=E(email(r, "chirp.social")))


def d_symfony_env(r):
    return ".env.local", T('''
# This file is a "template" of which env vars need to be defined for your application
# Copy this file to .env.local and fill in the real values.

###> symfony/framework-bundle ###
APP_ENV=prod
APP_SECRET=«appsecret»
###< symfony/framework-bundle ###

###> doctrine/doctrine-bundle ###
# Format described at https://www.doctrine-project.org/projects/doctrine-dbal/en/latest/reference/configuration.html#connecting-using-a-url
# DATABASE_URL="sqlite:///%kernel.project_dir%/var/data.db"
DATABASE_URL="mysql://agenda:«dbpw»@«dbhost»:3306/agenda?serverVersion=8.0.32&charset=utf8mb4"
###< doctrine/doctrine-bundle ###

###> symfony/mailer ###
MAILER_DSN=smtp://«mailuser»:«mailpw»@smtp.ovh.net:587
###< symfony/mailer ###

###> lexik/jwt-authentication-bundle ###
JWT_SECRET_KEY=%kernel.project_dir%/config/jwt/private.pem
JWT_PUBLIC_KEY=%kernel.project_dir%/config/jwt/public.pem
JWT_PASSPHRASE=«jwtpass»
###< lexik/jwt-authentication-bundle ###

###> nelmio/cors-bundle ###
CORS_ALLOW_ORIGIN='^https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?$'
###< nelmio/cors-bundle ###
''', appsecret=K(hex32(r)), dbpw=P(quote(pw_human(r, "!@#*"), safe="!*")), dbhost=I(ip4(r)),
        mailuser="agenda.mailer",
        mailpw=P(quote(pw_human(r, "!*_"), safe="!*_")), jwtpass=P(hex32(r)))


def d_ktor_conf(r):
    return "src/main/resources/application.conf", T('''
ktor {
    deployment {
        port = 8080
        port = ${?PORT}
    }
    application {
        modules = [ com.marigold.booking.ApplicationKt.module ]
    }
}

jwt {
    domain = "https://booking.marigold.se/"
    audience = "booking-users"
    realm = "booking"
    secret = "«jwt»"
}

database {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://booking-db.marigold.se:5432/booking"
    user = "booking"
    password = "«dbpw»"
    maxPoolSize = 10
}

storage {
    endpoint = "https://s3.eu-north-1.amazonaws.com"
    accessKey = "«akid»"
    secretKey = "«asecret»"
    bucket = "booking-attachments"
}
''', jwt=K(rs(r, 32, HEX)), dbpw=P(pw(r, "!#*_-")),
        akid=K(aws_id(r)), asecret=K(aws_secret(r)))


def d_csharp_program(r):
    return "src/Tickets.Web/Program.cs", T('''
using Microsoft.EntityFrameworkCore;
using SendGrid.Extensions.DependencyInjection;
using Tickets.Web.Data;
using Tickets.Web.Services;

var builder = WebApplication.CreateBuilder(args);

// TODO move to user-secrets before release
const string connectionString =
    "Host=«dbhost»;Port=5432;Database=tickets;Username=tickets_app;Password=«dbpw»";

builder.Services.AddDbContext<TicketsContext>(options =>
    options.UseNpgsql(connectionString));

builder.Services.AddSendGrid(options =>
{
    options.ApiKey = "«sg»";
});

builder.Services.AddStackExchangeRedisCache(options =>
{
    options.Configuration = "tickets-cache.redis.cache.windows.net:6380,password=«redispw»,ssl=True,abortConnect=False";
    options.InstanceName = "tickets:";
});

builder.Services.AddScoped<IEmailSender, SendGridEmailSender>();
builder.Services.AddControllersWithViews();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Home/Error");
    app.UseHsts();
}

app.UseHttpsRedirection();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthorization();

app.MapControllerRoute(
    name: "default",
    pattern: "{controller=Home}/{action=Index}/{id?}");

app.Run();
''', dbhost=I(ip4(r)), dbpw=P(pw(r, "!#*@_-")), sg=K(sendgrid(r)),
        redispw=P(b64secret(r, 32).rstrip("=") + "="))


def d_java_jdbc(r):
    return "src/dao/DBConnection.java", T('''
package dao;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Singleton JDBC connection for the library management system.
 * @author «author»
 */
public class DBConnection {

    private static final String URL = "jdbc:mysql://«host»:3306/library_db?useSSL=false";
    private static final String USER = "root";
    private static final String PASS = "«pw»";

    private static Connection instance;

    private DBConnection() {
    }

    public static Connection getConnection() throws SQLException {
        if (instance == null || instance.isClosed()) {
            try {
                Class.forName("com.mysql.cj.jdbc.Driver");
            } catch (ClassNotFoundException e) {
                throw new SQLException("MySQL driver not found", e);
            }
            instance = DriverManager.getConnection(URL, USER, PASS);
        }
        return instance;
    }

    public static void main(String[] args) throws SQLException {
        // quick smoke test against the lab server
        try (Connection c = DriverManager.getConnection(
                "jdbc:mysql://10.10.1.20:3306/library_db", "student", "«labpw»")) {
            System.out.println("Connected: " + !c.isClosed());
        }
    }
}
''', author=E(email(r, "gmail.com")), host=I(ip4(r)), pw=P(pw_human(r, "@#*_")),
        labpw=P(pw_human(r, "@#*_")))



def d_rust_main(r):
    return "src/main.rs", T('''
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde::Deserialize;
use sqlx::postgres::PgPoolOptions;

const DATABASE_URL: &str = "postgres://indexer:«dbpw»@«dbhost»:5432/chainindex";
const RPC_URL: &str = "https://mainnet.infura.io/v3/«infura»";
const ETHERSCAN_API_KEY: &str = "«etherscan»";

#[derive(Debug, Deserialize)]
struct BlockResponse {
    result: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect(DATABASE_URL)
        .await?;

    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer «bearer»"));
    let client = reqwest::Client::builder().default_headers(headers).build()?;

    let url = format!(
        "https://api.etherscan.io/api?module=proxy&action=eth_blockNumber&apikey={}",
        ETHERSCAN_API_KEY
    );
    let resp: BlockResponse = client.get(url).send().await?.json().await?;
    let height = i64::from_str_radix(resp.result.trim_start_matches("0x"), 16)?;
    sqlx::query("INSERT INTO heights (height) VALUES ($1)")
        .bind(height)
        .execute(&pool)
        .await?;
    println!("indexed up to block {height} via {RPC_URL}");
    Ok(())
}
''', dbpw=P(pw_rand(r, sym="")), dbhost=I(ip4(r)), infura=K(hex32(r)),
        etherscan=K(rs(r, 34, UPPER + DIGITS)), bearer=K(jwt(r)))


def d_go_config_toml(r):
    return "configs/config.toml", T('''
# gateway service configuration

[server]
listen = "0.0.0.0:9000"
read_timeout = "15s"
write_timeout = "15s"
trusted_proxies = ["10.0.0.0/8", "172.20.0.0/16"]

[database]
driver = "mysql"
dsn = "gateway:«dbpw»@tcp(«dbhost»:3306)/gateway?parseTime=true&loc=Local"
max_open_conns = 50

[redis]
addr = "10.0.4.12:6379"
password = "«redispw»"
db = 2

[auth]
token_secret = "«tokensecret»"
token_ttl = "72h"

[smtp]
host = "smtp.yandex.ru"
port = 465
username = "«smtpuser»"
password = "«smtppw»"

[log]
level = "info"
''', dbpw=P(pw(r, "!#*@_-")), dbhost=I(ip4(r)),
        redispw=P(pw_rand(r)), tokensecret=K(rs(r, 48)),
        smtpuser=E(email(r, "yandex.ru", "gateway.alerts")), smtppw=P(pw_rand(r, 16, sym="")))


# =============================================================================================
# mobile

def d_android_build_gradle(r):
    kpw = P(pw_human(r, "!#*@_"))
    return "app/build.gradle", T('''
plugins {
    id 'com.android.application'
    id 'org.jetbrains.kotlin.android'
    id 'com.google.gms.google-services'
}

android {
    namespace 'com.pinecrest.walkabout'
    compileSdk 34

    defaultConfig {
        applicationId "com.pinecrest.walkabout"
        minSdk 24
        targetSdk 34
        versionCode 42
        versionName "2.3.1"

        buildConfigField "String", "MAPS_API_KEY", "\\"«maps»\\""
        buildConfigField "String", "WEATHER_API_KEY", "\\"«weather»\\""
        buildConfigField "String", "BASE_URL", "\\"https://api.walkabout.pinecrest.org/\\""
        testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"
    }

    signingConfigs {
        release {
            storeFile file("../keystore/walkabout-release.jks")
            storePassword "«storepw»"
            keyAlias "walkabout"
            keyPassword "«keypw»"
        }
    }

    buildTypes {
        release {
            minifyEnabled true
            proguardFiles getDefaultProguardFile('proguard-android-optimize.txt'), 'proguard-rules.pro'
            signingConfig signingConfigs.release
        }
    }
    compileOptions {
        sourceCompatibility JavaVersion.VERSION_17
        targetCompatibility JavaVersion.VERSION_17
    }
    buildFeatures {
        buildConfig true
        viewBinding true
    }
}

dependencies {
    implementation 'androidx.core:core-ktx:1.12.0'
    implementation 'com.google.android.gms:play-services-maps:18.2.0'
    implementation 'com.squareup.retrofit2:retrofit:2.9.0'
    testImplementation 'junit:junit:4.13.2'
}
''', maps=K(gapi(r)), weather=K(hex32(r)), storepw=kpw, keypw=kpw)


def d_gradle_properties(r):
    return "gradle.properties", T('''
# Project-wide Gradle settings.
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
android.useAndroidX=true
kotlin.code.style=official
android.nonTransitiveRClass=true

# release signing
RELEASE_STORE_FILE=release.keystore
RELEASE_STORE_PASSWORD=«storepw»
RELEASE_KEY_ALIAS=upload
RELEASE_KEY_PASSWORD=«keypw»

# maven central publishing
mavenCentralUsername=«sonuser»
mavenCentralPassword=«sonpw»
signing.keyId=«keyid»
signing.password=«signpw»
signing.secretKeyRingFile=/Users/kenji/.gnupg/secring.gpg

# third-party
MAPBOX_DOWNLOADS_TOKEN=«mapbox»
''', storepw=P(pw_rand(r, 16, sym="")), keypw=P(pw_human(r, "!#*_")), sonuser=rs(r, 8, ALNUM),
        sonpw=P(rs(r, 44, URLSAFE)), keyid=rs(r, 8, HEX.upper()), signpw=P(pw_human(r, "!#*_")),
        mapbox=K(mapbox_sk(r)))


def d_kotlin_apiclient(r):
    return "app/src/main/java/com/saltmarsh/tides/data/ApiClient.kt", T('''
package com.saltmarsh.tides.data

import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.gson.GsonConverterFactory
import java.util.concurrent.TimeUnit

object ApiClient {

    // dev server; switch to the load balancer before release
    private const val BASE_URL = "http://«host»:8080/api/"
    private const val API_KEY = "«apikey»"
    private const val OPENWEATHER_KEY = "«owm»"

    private val authInterceptor = Interceptor { chain ->
        val request = chain.request().newBuilder()
            .addHeader("X-Api-Key", API_KEY)
            .addHeader("Accept", "application/json")
            .build()
        chain.proceed(request)
    }

    private val client = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .addInterceptor(HttpLoggingInterceptor().apply { level = HttpLoggingInterceptor.Level.BODY })
        .connectTimeout(30, TimeUnit.SECONDS)
        .build()

    val retrofit: Retrofit = Retrofit.Builder()
        .baseUrl(BASE_URL)
        .client(client)
        .addConverterFactory(GsonConverterFactory.create())
        .build()

    fun weatherUrl(lat: Double, lon: Double) =
        "https://api.openweathermap.org/data/2.5/weather?lat=$lat&lon=$lon&appid=$OPENWEATHER_KEY"
}
''', host=I(ip4(r)), apikey=K(rs(r, 40, ALNUM)), owm=K(hex32(r)))


def d_swift_constants(r):
    return "Lumen/Config/Constants.swift", T('''
//
//  Constants.swift
//  Lumen
//
//  Created by Chloe Dubois on 14/03/2023.
//

import Foundation

enum Constants {
    enum API {
        static let baseURL = URL(string: "https://api.lumenpay.com.br/v2")!
        static let stagingURL = URL(string: "http://[«v6»]:8000/v2")!
        static let openAIKey = "«openai»"
        static let algoliaAppID = "«algoliaid»"
        static let algoliaAdminKey = "«algoliakey»"
    }

    enum Support {
        static let email = "«support»"
        static let faqURL = URL(string: "https://lumenpay.com.br/faq")!
    }

    enum Demo {
        // App Review demo account
        static let username = "«demo»"
        static let password = "«demopw»"
    }

    static let passwordMinLength = 8
    static let keychainService = "br.com.lumenpay.app"
}
''', v6=I(ip6(r)), openai=K(openai_proj(r)), algoliaid=rs(r, 10, UPPER + DIGITS),
        algoliakey=K(hex32(r)), support=E(email(r, "lumenpay.com.br", "suporte")),
        demo=E(email(r, "lumenpay.com.br", "appreview")), demopw=P(pw_human(r, "!#*")))


def d_google_service_plist(r):
    proj = f"walkabout-{rs(r, 5, LOWER + DIGITS)}"
    num = str(r.randint(10**11, 10**12))
    return "ios/Runner/GoogleService-Info.plist", T('''
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CLIENT_ID</key>
	<string>«num»-«cid».apps.googleusercontent.com</string>
	<key>REVERSED_CLIENT_ID</key>
	<string>com.googleusercontent.apps.«num»-«cid»</string>
	<key>API_KEY</key>
	<string>«apikey»</string>
	<key>GCM_SENDER_ID</key>
	<string>«num»</string>
	<key>PLIST_VERSION</key>
	<string>1</string>
	<key>BUNDLE_ID</key>
	<string>org.pinecrest.walkabout</string>
	<key>PROJECT_ID</key>
	<string>«proj»</string>
	<key>STORAGE_BUCKET</key>
	<string>«proj».appspot.com</string>
	<key>IS_ADS_ENABLED</key>
	<false></false>
	<key>IS_ANALYTICS_ENABLED</key>
	<false></false>
	<key>IS_APPINVITE_ENABLED</key>
	<true></true>
	<key>IS_GCM_ENABLED</key>
	<true></true>
	<key>IS_SIGNIN_ENABLED</key>
	<true></true>
	<key>GOOGLE_APP_ID</key>
	<string>1:«num»:ios:«appid»</string>
	<key>DATABASE_URL</key>
	<string>https://«proj»-default-rtdb.firebaseio.com</string>
</dict>
</plist>
''', num=num, cid=rs(r, 32, LOWER + DIGITS), apikey=K(gapi(r)), proj=proj, appid=rs(r, 22, HEX))


def d_flutter_config(r):
    return "lib/core/config/env.dart", T('''
// ignore_for_file: constant_identifier_names

class Env {
  Env._();

  static const String appName = 'Kopi Kita';
  static const String apiBaseUrl = 'http://«host»:3000/api/v1';

  // Supabase
  static const String supabaseUrl = 'https://«ref».supabase.co';
  static const String supabaseServiceRoleKey =
      '«svc»';

  // Payments
  static const String midtransServerKey = '«midtrans»';

  // Push notifications (legacy FCM server key)
  static const String fcmServerKey =
      '«fcm»';

  // QA login, used by integration_test/login_test.dart
  static const String qaEmail = '«qa»';
  static const String qaPassword = '«qapw»';
}
''', host=I(ip4(r)), ref=rs(r, 20, LOWER),
        svc=K(jwt(r, {"iss": "supabase", "ref": rs(r, 20, LOWER), "role": "service_role",
                      "iat": 1695000000, "exp": 2010576000})),
        midtrans=K("Mid-server-" + rs(r, 24, URLSAFE)), fcm=K(firebase_server(r)),
        qa=E(email(r, "kopikita.id", "qa.tester")), qapw=P(pw_human(r, "!#*@_")))


def d_rn_firebase(r):
    return "src/services/firebase.js", T('''
import { initializeApp } from 'firebase/app';
import { getAuth } from 'firebase/auth';
import { getFirestore } from 'firebase/firestore';
import algoliasearch from 'algoliasearch';

const firebaseConfig = {
  apiKey: '«fbkey»',
  authDomain: 'studybuddy-«p».firebaseapp.com',
  projectId: 'studybuddy-«p»',
  storageBucket: 'studybuddy-«p».appspot.com',
  messagingSenderId: '«sender»',
  appId: '1:«sender»:web:«appid»',
  measurementId: 'G-«mid»',
};

const app = initializeApp(firebaseConfig);
export const auth = getAuth(app);
export const db = getFirestore(app);

// search
export const searchClient = algoliasearch('«algid»', '«algkey»');

// TODO remove — seeded test account
export const TEST_USER = { email: '«tuser»', password: '«tpw»' };
''', fbkey=K(gapi(r)), p=rs(r, 5, LOWER + DIGITS), sender=str(r.randint(10**11, 10**12)),
        appid=rs(r, 22, HEX), mid=rs(r, 10, UPPER + DIGITS), algid=rs(r, 10, UPPER + DIGITS),
        algkey=K(hex32(r)), tuser=E(email(r, "gmail.com")), tpw=P(pw_human(r)))


# =============================================================================================
# data and ML

def _nb(cells: list[tuple[str, str]]) -> str:
    """A Jupyter notebook (nbformat 4) as json.dumps would write it, markers kept intact."""
    out = []
    for n, (ctype, src) in enumerate(cells, 1):
        lines = src.strip("\n").split("\n")
        source = [json.dumps(l + "\n", ensure_ascii=False) for l in lines[:-1]]
        source.append(json.dumps(lines[-1], ensure_ascii=False))
        src_json = ",\n    ".join(source)
        extra = (f'   "execution_count": {n},\n   "metadata": {{}},\n   "outputs": [],\n'
                 if ctype == "code" else '   "metadata": {},\n')
        out.append(f'  {{\n   "cell_type": "{ctype}",\n{extra}   "source": [\n    {src_json}\n   ]\n  }}')
    return ('{\n "cells": [\n' + ",\n".join(out) + '\n ],\n "metadata": {\n  "kernelspec": {\n'
            '   "display_name": "Python 3",\n   "language": "python",\n   "name": "python3"\n  },\n'
            '  "language_info": {\n   "name": "python",\n   "version": "3.10.12"\n  }\n },\n'
            ' "nbformat": 4,\n "nbformat_minor": 5\n}\n')


def d_notebook_churn(r):
    host = I(ip4(r))
    return "notebooks/churn_analysis.ipynb", _nb([
        ("markdown", "# Customer churn analysis\n\nPulls the last 12 months of subscriptions from the "
                     "replica and asks GPT for a summary of the cohorts."),
        ("code", "import pandas as pd\nimport psycopg2\nimport openai\n\n"
                 f"openai.api_key = '{K(openai_key(r))}'"),
        ("code", f"conn = psycopg2.connect(\n    host='{host}',\n    port=5432,\n"
                 f"    dbname='billing',\n    user='analyst',\n    password='{P(pw(r, '!#*@_-'))}'\n)\n"
                 "df = pd.read_sql('SELECT * FROM subscriptions WHERE started_at > now() - interval \\'12 months\\'', conn)\n"
                 "df.head()"),
        ("code", "cohorts = df.groupby(df.started_at.dt.to_period('M')).customer_id.nunique()\ncohorts.plot(kind='bar')"),
        ("code", "resp = openai.ChatCompletion.create(\n    model='gpt-4',\n"
                 "    messages=[{'role': 'user', 'content': 'Summarise: ' + cohorts.to_string()}],\n)\n"
                 "print(resp['choices'][0]['message']['content'])"),
        ("markdown", f"Questions: ping {E(email(r, 'brightpath.io'))} (data team). The replica is "
                     "read-only, do not run heavy joins during business hours."),
    ])


def d_notebook_scrape(r):
    return "scraping/instagram_followers.ipynb", _nb([
        ("code", "!pip install instaloader gspread"),
        ("code", "import instaloader\nL = instaloader.Instaloader()\n"
                 f"L.login('{rs(r, 1, LOWER)}{r.choice(LAST)}.shop', '{P(pw_human(r, '!#*_'))}')"),
        ("code", "profile = instaloader.Profile.from_username(L.context, 'competitor_brand')\n"
                 "followers = [f.username for f in profile.get_followers()]\nlen(followers)"),
        ("code", "import gspread\nfrom google.oauth2.service_account import Credentials\n\n"
                 "info = {\n    'type': 'service_account',\n    'project_id': 'marketing-sheets-3141',\n"
                 f"    'private_key': '{K(pem(r, 'PRIVATE KEY', 8, sep=chr(92) + 'n'))}\\n',\n"
                 f"    'client_email': '{E('sheets-writer@marketing-sheets-3141.iam.gserviceaccount.com')}',\n"
                 "    'token_uri': 'https://oauth2.googleapis.com/token',\n}\n"
                 "creds = Credentials.from_service_account_info(info, scopes=['https://www.googleapis.com/auth/spreadsheets'])\n"
                 "gc = gspread.authorize(creds)"),
        ("code", "sh = gc.open('followers')\nsh.sheet1.update([[f] for f in followers])"),
    ])


def d_airflow_dag(r):
    hook = slack_hook_path(r)
    return "dags/etl_orders_daily.py", T('''
from datetime import datetime, timedelta

import requests
from airflow import DAG
from airflow.operators.python import PythonOperator
from sqlalchemy import create_engine

WAREHOUSE_URI = "postgresql+psycopg2://etl:«whpw»@warehouse.orbitfreight.net:5432/warehouse"
SOURCE_URI = "mysql+pymysql://reporting:«srcpw»@«srchost»:3306/shop"
SLACK_WEBHOOK = "https://hooks.slack.com/services/«hook»"

default_args = {
    "owner": "data-eng",
    "depends_on_past": False,
    "email": ["«e1»", "«e2»"],
    "email_on_failure": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}


def extract_load(**context):
    src = create_engine(SOURCE_URI)
    dst = create_engine(WAREHOUSE_URI)
    ds = context["ds"]
    rows = src.execute(f"SELECT * FROM orders WHERE DATE(created_at) = '{ds}'").fetchall()
    with dst.begin() as conn:
        conn.execute("DELETE FROM staging.orders WHERE order_date = %s", ds)
        for row in rows:
            conn.execute("INSERT INTO staging.orders VALUES (%s, %s, %s, %s)", tuple(row))
    return len(rows)


def notify(**context):
    n = context["ti"].xcom_pull(task_ids="extract_load")
    requests.post(SLACK_WEBHOOK, json={"text": f"orders ETL {context['ds']}: {n} rows"})


with DAG(
    dag_id="etl_orders_daily",
    default_args=default_args,
    start_date=datetime(2023, 1, 1),
    schedule_interval="0 3 * * *",
    catchup=False,
    tags=["etl", "orders"],
) as dag:
    t1 = PythonOperator(task_id="extract_load", python_callable=extract_load)
    t2 = PythonOperator(task_id="notify", python_callable=notify)
    t1 >> t2
''', whpw=P(pw_rand(r, sym="")), srcpw=P(quote(pw_human(r, "!@#*"), safe="!*")),
        srchost=I(ip4(r)), hook=K(hook), e1=E(email(r, "orbitfreight.net", "data-eng")),
        e2=E(email(r, "orbitfreight.net")))


def d_dbt_profiles(r):
    return "profiles.yml", T('''
analytics:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: «acct».eu-central-1
      user: «sfuser»
      password: «sfpw»
      role: TRANSFORMER
      database: ANALYTICS_DEV
      warehouse: TRANSFORMING
      schema: dbt_«sfuserlow»
      threads: 8
      client_session_keep_alive: False

    prod:
      type: bigquery
      method: service-account-json
      project: greyhound-analytics-prod
      dataset: marts
      threads: 16
      keyfile_json:
        type: service_account
        project_id: greyhound-analytics-prod
        private_key: "«pk»\\n"
        client_email: «sa»
        client_id: "«clientid»"
        auth_uri: https://accounts.google.com/o/oauth2/auth
        token_uri: https://oauth2.googleapis.com/token

    ci:
      type: postgres
      host: «pghost»
      user: dbt_ci
      pass: "«pgpw»"
      port: 5432
      dbname: analytics_ci
      schema: ci
      threads: 4
''', acct=rs(r, 7, UPPER + DIGITS).lower(), sfuser="ANA_" + r.choice(LAST).upper(),
        sfuserlow=r.choice(LAST), sfpw=P(pw(r, "!#*@_-")),
        pk=K(pem(r, "PRIVATE KEY", 9, sep="\\n")),
        sa=E("dbt-runner@greyhound-analytics-prod.iam.gserviceaccount.com"),
        clientid=str(r.randint(10**20, 10**21)), pghost=I(ip4(r)), pgpw=P(pw_rand(r)))


def d_spark_job(r):
    akid, asecret = aws_id(r), aws_secret(r)
    return "jobs/ingest_clickstream.py", T('''
"""Nightly ingest of clickstream parquet from S3 into the reporting DB."""
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = (
    SparkSession.builder.appName("ingest_clickstream")
    .config("spark.hadoop.fs.s3a.access.key", "«akid»")
    .config("spark.hadoop.fs.s3a.secret.key", "«asecret»")
    .config("spark.hadoop.fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com")
    .config("spark.sql.shuffle.partitions", "200")
    .getOrCreate()
)

JDBC_URL = "jdbc:postgresql://«dbhost»:5432/reporting"
JDBC_PROPS = {"user": "spark_writer", "password": "«dbpw»", "driver": "org.postgresql.Driver"}

day = sys.argv[1] if len(sys.argv) > 1 else "2024-01-01"

events = spark.read.parquet(f"s3a://vanta-clickstream/raw/dt={day}/")
sessions = (
    events.filter(F.col("event_type").isin("page_view", "click"))
    .groupBy("session_id", "user_id")
    .agg(
        F.min("ts").alias("started_at"),
        F.max("ts").alias("ended_at"),
        F.count("*").alias("events"),
    )
)

sessions.write.jdbc(JDBC_URL, "public.sessions_daily", mode="append", properties=JDBC_PROPS)

# spark-submit --master spark://10.1.4.10:7077 --packages org.apache.hadoop:hadoop-aws:3.3.4 \\
#   --conf spark.hadoop.fs.s3a.access.key=«akid» jobs/ingest_clickstream.py 2024-01-01
spark.stop()
''', akid=K(akid), asecret=K(asecret), dbhost=I(ip4(r)), dbpw=P(pw(r, "!#*@_-")))


def d_pandas_sqlserver(r):
    pwd = pw_human(r, "!#*_")
    sender = email(r, "mosaic-hr.es", "informes")
    return "reports/weekly_headcount.py", T('''
import smtplib
from email.message import EmailMessage

import pandas as pd
from sqlalchemy import create_engine

engine = create_engine(
    "mssql+pyodbc://rpt_reader:«dbpw»@«dbhost»/HR?driver=ODBC+Driver+17+for+SQL+Server"
)

query = """
SELECT d.name AS department, COUNT(*) AS headcount
FROM employees e JOIN departments d ON d.id = e.department_id
WHERE e.terminated_at IS NULL
GROUP BY d.name
"""
df = pd.read_sql(query, engine)
df.to_excel("/tmp/headcount.xlsx", index=False)

msg = EmailMessage()
msg["Subject"] = "Headcount semanal"
msg["From"] = "«sender»"
msg["To"] = "«to1»"
msg.set_content(df.to_string(index=False))
with open("/tmp/headcount.xlsx", "rb") as fh:
    msg.add_attachment(fh.read(), maintype="application", subtype="octet-stream",
                       filename="headcount.xlsx")

with smtplib.SMTP("smtp.office365.com", 587) as s:
    s.starttls()
    s.login("«sender»", "«mailpw»")
    s.send_message(msg)
''', dbpw=P(pw_rand(r, sym="")), dbhost=I(ip4(r)), sender=E(sender),
        to1=E(email(r, "mosaic-hr.es")), mailpw=P(pwd))


def d_ml_train(r):
    return "train.py", T('''
import argparse
import os

import torch
import wandb
from datasets import load_dataset
from huggingface_hub import login
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

# quick hack so the cluster job can log in without env vars
wandb.login(key="«wandb»")
login(token="«hf»")

MODEL = "distilbert-base-uncased"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--push", action="store_true")
    args = parser.parse_args()

    ds = load_dataset("imdb")
    tok = AutoTokenizer.from_pretrained(MODEL)
    ds = ds.map(lambda b: tok(b["text"], truncation=True, padding="max_length"), batched=True)

    model = AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=2)
    targs = TrainingArguments(
        output_dir="out",
        num_train_epochs=args.epochs,
        learning_rate=args.lr,
        per_device_train_batch_size=32,
        report_to="wandb",
        push_to_hub=args.push,
        hub_model_id="vantalabs/imdb-distilbert",
        hub_token=os.environ.get("HF_TOKEN"),
    )
    trainer = Trainer(model=model, args=targs, train_dataset=ds["train"], eval_dataset=ds["test"])
    trainer.train()
    print(torch.cuda.max_memory_allocated() / 2**30, "GiB peak")


if __name__ == "__main__":
    main()
''', wandb=K(hex40(r)), hf=K(hf_tok(r)))


def d_r_analysis(r):
    return "analysis/survey_dashboard.R", T('''
library(DBI)
library(RPostgres)
library(dplyr)
library(ggplot2)

# connection to the survey database (lab server)
con <- dbConnect(
  RPostgres::Postgres(),
  host = "«host»",
  port = 5432,
  dbname = "survey2023",
  user = "rstudio",
  password = "«pw»"
)

Sys.setenv(OPENAI_API_KEY = "«oai»")
Sys.setenv(GOOGLE_MAPS_KEY = "«gmaps»")

responses <- dbGetQuery(con, "SELECT region, age_group, score FROM responses")

summary_tbl <- responses %>%
  group_by(region, age_group) %>%
  summarise(mean_score = mean(score, na.rm = TRUE), n = n(), .groups = "drop")

p <- ggplot(summary_tbl, aes(x = age_group, y = mean_score, fill = region)) +
  geom_col(position = "dodge") +
  theme_minimal()

ggsave("figures/score_by_region.png", p, width = 8, height = 5)
dbDisconnect(con)

# contact: «contact»
''', host=I(ip4(r)), pw=P(pw_human(r, "!#*@_")), oai=K(openai_key(r)), gmaps=K(gapi(r)),
        contact=E(email(r, "fernbrook.edu")))


def d_sql_migration(r):
    appw, ropw = pw(r, "!#*@_-"), pw_rand(r, sym="!#*_")
    rows = []
    for name in ["admin", "support", "demo"]:
        rows.append(f"  ('{E(email(r, 'tidewater-labs.com', name if name != 'admin' else None))}', "
                    f"'{bcrypt_hash(r)}', '{name}', NOW())")
    return "db/migrations/0001_init.sql", T('''
-- Initial schema for the tidewater booking service
CREATE DATABASE IF NOT EXISTS tidewater CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'tidewater_app'@'%' IDENTIFIED BY '«appw»';
CREATE USER IF NOT EXISTS 'tidewater_ro'@'10.0.%' IDENTIFIED BY '«ropw»';
GRANT SELECT, INSERT, UPDATE, DELETE ON tidewater.* TO 'tidewater_app'@'%';
GRANT SELECT ON tidewater.* TO 'tidewater_ro'@'10.0.%';
FLUSH PRIVILEGES;

USE tidewater;

CREATE TABLE users (
  id            BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  email         VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  role          VARCHAR(32)  NOT NULL DEFAULT 'customer',
  created_at    DATETIME     NOT NULL
);

CREATE TABLE password_resets (
  email      VARCHAR(255) NOT NULL,
  token      CHAR(64)     NOT NULL,
  created_at DATETIME     NOT NULL,
  INDEX (email)
);

INSERT INTO users (email, password_hash, role, created_at) VALUES
«rows»;
''', appw=P(appw), ropw=P(ropw), rows=",\n".join(rows))


def d_sql_dump(r):
    host = ip4(r)
    rows = []
    for i in range(1, 5):
        f, l = r.choice(FIRST), r.choice(LAST)
        ip = I(ip4(r)) if i % 3 else private_ip(r)
        rows.append(f"({i},'{f.title()}','{l.title()}','{E(email(r, local=f'{f}.{l}'))}','{bcrypt_hash(r)}',"
                    f"'{ip}','2023-0{r.randint(1, 9)}-{r.randint(10, 28)} {r.randint(10, 23)}:{r.randint(10, 59)}:00')")
    return "backup/shop_2023-10-02.sql", T('''
-- MySQL dump 10.13  Distrib 8.0.34, for Linux (x86_64)
--
-- Host: «host»    Database: shop
-- ------------------------------------------------------
-- Server version	8.0.34-0ubuntu0.22.04.1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;

--
-- Table structure for table `customers`
--

DROP TABLE IF EXISTS `customers`;
CREATE TABLE `customers` (
  `id` int NOT NULL AUTO_INCREMENT,
  `first_name` varchar(64) DEFAULT NULL,
  `last_name` varchar(64) DEFAULT NULL,
  `email` varchar(255) NOT NULL,
  `password` varchar(255) NOT NULL,
  `last_login_ip` varchar(45) DEFAULT NULL,
  `created_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4;

--
-- Dumping data for table `customers`
--

LOCK TABLES `customers` WRITE;
/*!40000 ALTER TABLE `customers` DISABLE KEYS */;
INSERT INTO `customers` VALUES «rows»;
/*!40000 ALTER TABLE `customers` ENABLE KEYS */;
UNLOCK TABLES;

-- Dump completed on 2023-10-02  3:00:01
''', host=I(host), rows=",".join(rows))


# =============================================================================================
# DevOps

def d_gh_actions_deploy(r):
    host = I(ip4(r))
    return ".github/workflows/deploy.yml", T('''
name: Deploy

on:
  push:
    branches: [ main ]
  workflow_dispatch:

env:
  AWS_ACCESS_KEY_ID: «akid»
  AWS_SECRET_ACCESS_KEY: «asecret»
  AWS_REGION: us-east-2
  IMAGE: ghcr.io/quillsoft/notes-api

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci && npm test
      - name: Log in to GHCR
        run: echo "${{ secrets.GITHUB_TOKEN }}" | docker login ghcr.io -u ${{ github.actor }} --password-stdin
      - run: docker build -t $IMAGE:${{ github.sha }} . && docker push $IMAGE:${{ github.sha }}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - name: Install sshpass
        run: sudo apt-get install -y sshpass
      - name: Roll out
        run: |
          sshpass -p '«sshpw»' ssh -o StrictHostKeyChecking=no deploy@«host» \\
            "docker pull $IMAGE:${{ github.sha }} && docker compose -f /srv/notes/compose.yml up -d"
      - name: Upload assets
        run: aws s3 sync ./public s3://notes-static --delete
      - name: Notify
        uses: slackapi/slack-github-action@v1.24.0
        with:
          payload: '{"text": "notes-api deployed to «host»"}'
        env:
          SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}
''', akid=K(aws_id(r)), asecret=K(aws_secret(r)), sshpw=P(pw_human(r, "!#*@_")), host=host)


def d_gitlab_ci(r):
    return ".gitlab-ci.yml", T('''
stages:
  - test
  - build
  - deploy

variables:
  DOCKER_DRIVER: overlay2
  REGISTRY: registry.gitlab.com/atlasgrid/meter-ingest
  POSTGRES_DB: meter_test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: «pgpw»
  SONAR_TOKEN: «sonar»

test:
  stage: test
  image: python:3.11
  services:
    - postgres:15
  script:
    - pip install -r requirements-dev.txt
    - pytest --cov=ingest

build:
  stage: build
  image: docker:24
  services:
    - docker:24-dind
  script:
    - docker login -u atlasgrid-ci -p «regpw» $REGISTRY
    - docker build -t $REGISTRY:$CI_COMMIT_SHORT_SHA .
    - docker push $REGISTRY:$CI_COMMIT_SHORT_SHA

deploy_prod:
  stage: deploy
  image: alpine:3.19
  only:
    - main
  before_script:
    - apk add --no-cache curl openssh-client
  script:
    - curl --fail -X POST -H "PRIVATE-TOKEN: «glpat»" "https://gitlab.com/api/v4/projects/48213/pipeline"
    - ssh -o StrictHostKeyChecking=no ubuntu@«host» "cd /opt/meter && docker compose pull && docker compose up -d"
''', pgpw=P(pw_rand(r, sym="")), sonar=K("squ_" + hex40(r)), regpw=K(glpat(r)), glpat=K(glpat(r)),
        host=I(ip4(r)))


def d_jenkinsfile(r):
    return "Jenkinsfile", T('''
pipeline {
    agent any

    environment {
        APP = 'billing-service'
        NEXUS_URL = 'https://nexus.corvid-systems.com/repository/maven-releases/'
        SLACK_TOKEN = '«slack»'
        DB_HOST = '«dbhost»'
    }

    stages {
        stage('Checkout') {
            steps {
                git branch: 'main', credentialsId: 'github-ssh', url: 'git@github.com:corvid-systems/billing-service.git'
            }
        }
        stage('Build') {
            steps {
                sh './mvnw -B clean package -DskipTests'
            }
        }
        stage('Migrate') {
            steps {
                sh "mysql -h ${DB_HOST} -u billing -p«dbpw» billing < db/migrate.sql"
            }
        }
        stage('Publish') {
            steps {
                sh "curl -u deployer:«nexuspw» --upload-file target/${APP}.jar ${NEXUS_URL}${APP}/${BUILD_NUMBER}/${APP}.jar"
            }
        }
        stage('Deploy') {
            steps {
                withCredentials([usernamePassword(credentialsId: 'prod-ssh', usernameVariable: 'USER', passwordVariable: 'PASS')]) {
                    sh 'sshpass -p "$PASS" scp target/*.jar $USER@app01:/opt/billing/'
                }
            }
        }
    }

    post {
        failure {
            mail to: '«to»', subject: "FAILED: ${env.JOB_NAME} #${env.BUILD_NUMBER}", body: "${env.BUILD_URL}"
            sh "curl -s -X POST -H 'Authorization: Bearer ${SLACK_TOKEN}' -d channel=#builds -d text='billing build failed' https://slack.com/api/chat.postMessage"
        }
    }
}
''', slack=K(xoxb(r)), dbhost=I(ip4(r)), dbpw=P(pw_rand(r, sym="")),
        nexuspw=P(pw_human(r, "!#*_")), to=E(email(r, "corvid-systems.com", "billing-team")))


def d_k8s_secret(r):
    return "k8s/base/secrets.yaml", T('''
apiVersion: v1
kind: Secret
metadata:
  name: payments-secrets
  namespace: payments
  labels:
    app.kubernetes.io/name: payments
type: Opaque
stringData:
  DATABASE_URL: "postgresql://payments:«dbpw»@«dbhost»:5432/payments?sslmode=require"
  REDIS_PASSWORD: "«redispw»"
  STRIPE_SECRET_KEY: "«sk»"
  STRIPE_WEBHOOK_SECRET: "«wh»"
  JWT_SIGNING_KEY: "«jwtkey»"
  SENTRY_DSN: "https://«sentry»@o448812.ingest.sentry.io/5510238"
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: payments
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"registry.gitlab.com":{"username":"deploy-token-12","password":"«deploytok»","auth":"«auth»"}}}'
''', dbpw=P(pw_rand(r, 20, sym="")), dbhost=I(ip4(r)), redispw=P(pw_rand(r)), sk=K(rk_live(r)),
        wh=K("whsec_" + rs(r, 32)), jwtkey=K(b64secret(r, 32)), sentry=hex32(r),
        deploytok=K(gl := "gldt-" + rs(r, 20, URLSAFE)), auth=K(basic("deploy-token-12", gl)))


def d_k8s_deployment(r):
    return "deploy/api-deployment.yaml", T('''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: catalog-api
  labels:
    app: catalog-api
spec:
  replicas: 3
  selector:
    matchLabels:
      app: catalog-api
  template:
    metadata:
      labels:
        app: catalog-api
    spec:
      hostAliases:
        - ip: "«legacy»"
          hostnames:
            - "legacy-erp.internal"
      containers:
        - name: api
          image: ghcr.io/bluefinretail/catalog-api@sha256:«digest»
          ports:
            - containerPort: 8080
          env:
            - name: SPRING_DATASOURCE_URL
              value: jdbc:postgresql://10.96.14.2:5432/catalog
            - name: SPRING_DATASOURCE_USERNAME
              value: catalog
            - name: SPRING_DATASOURCE_PASSWORD
              value: «dbpw»
            - name: ALGOLIA_ADMIN_API_KEY
              value: «algolia»
            - name: ERP_API_TOKEN
              valueFrom:
                secretKeyRef:
                  name: erp
                  key: token
            - name: JAVA_OPTS
              value: "-Xms512m -Xmx1g"
          resources:
            limits:
              memory: 1Gi
              cpu: "1"
          readinessProbe:
            httpGet:
              path: /actuator/health
              port: 8080
''', legacy=I(ip4(r)), digest=sha256hex(r), dbpw=P(pw(r, "!*_-")), algolia=K(hex32(r)))


def d_helm_values(r):
    return "charts/wiki/values.yaml", T('''
# Default values for wiki.
replicaCount: 2

image:
  repository: requarks/wiki
  tag: "2.5"
  pullPolicy: IfNotPresent

ingress:
  enabled: true
  className: nginx
  hosts:
    - host: wiki.copperleaf.ca
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: wiki-tls
      hosts:
        - wiki.copperleaf.ca

postgresql:
  enabled: false

externalDatabase:
  host: «dbhost»
  port: 5432
  user: wikijs
  password: «dbpw»
  database: wiki

smtp:
  host: smtp.sendgrid.net
  port: 587
  user: apikey
  password: «sg»
  from: «from»

auth:
  admin:
    email: «admin»
    password: «adminpw»
  ldap:
    enabled: true
    url: ldap://ldap.copperleaf.ca:389
    bindDn: cn=wiki,ou=services,dc=copperleaf,dc=ca
    bindCredentials: «ldappw»

resources: {}
nodeSelector: {}
''', dbhost=I(ip4(r)), dbpw=P(pw_rand(r, sym="")), sg=K(sendgrid(r)),
        **{"from": E(email(r, "copperleaf.ca", "wiki"))}, admin=E(email(r, "copperleaf.ca")),
        adminpw=P(pw_human(r, "!*_-")), ldappw=P(pw_rand(r, sym="!*_")))


def d_terraform_main(r):
    office = I(ip4(r))
    return "infra/main.tf", T('''
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region     = "eu-west-2"
  access_key = "«akid»"
  secret_key = "«asecret»"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = { Name = "kestrel-main" }
}

resource "aws_security_group" "db" {
  name   = "kestrel-db"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "office"
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
  identifier             = "kestrel-prod"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.medium"
  allocated_storage      = 100
  username               = "kestrel"
  password               = "«dbpw»"
  vpc_security_group_ids = [aws_security_group.db.id]
  kms_key_id             = "arn:aws:kms:eu-west-2:«acct»:key/«kmsid»"
  storage_encrypted      = true
  skip_final_snapshot    = false
}

output "db_endpoint" {
  value = aws_db_instance.main.endpoint
}
''', akid=K(aws_id(r)), asecret=K(aws_secret(r)), office=office, dbpw=P(pw(r, "!#*_-")),
        acct=str(r.randint(10**11, 10**12)), kmsid=uid(r))


def d_tfvars(r):
    return "terraform.tfvars", T('''
# DigitalOcean + Cloudflare setup for the homelab
do_token             = "«do»"
cloudflare_api_token = "«cf»"
cloudflare_zone_id   = "«zone»"

region        = "fra1"
droplet_size  = "s-2vcpu-4gb"
ssh_key_names = ["laptop", "ci"]

allowed_ssh_ips = [
  "«ip1»/32",
  "«ip2»/32",
]

grafana_admin_password = "«grafpw»"
letsencrypt_email      = "«le»"
''', do=K(do_tok(r)), cf=K(cf_token(r)), zone=hex32(r), ip1=I(ip4(r)), ip2=I(ip4(r)),
        grafpw=P(pw_human(r, "!#*_")), le=E(email(r, "fastmail.fm")))


def d_ansible_inventory(r):
    hosts = [(f"web0{i}", ip4(r)) for i in range(1, 3)]
    webpw = pw_human(r, "!#*_")
    lines = "\n".join(f"{h} ansible_host={I(ip)} ansible_user=deploy ansible_password={P(webpw)}"
                      for h, ip in hosts)
    return "inventory/production.ini", T('''
[web]
«web»

[db]
db01 ansible_host=«dbip» ansible_user=root ansible_ssh_pass=«dbpw» ansible_port=2222

[monitoring]
mon01 ansible_host=10.12.0.5 ansible_user=ubuntu ansible_ssh_private_key_file=~/.ssh/mon.pem

[windows]
win-ad01 ansible_host=«winip»

[windows:vars]
ansible_user=Administrator
ansible_password=«winpw»
ansible_connection=winrm
ansible_winrm_transport=ntlm
ansible_winrm_server_cert_validation=ignore

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ansible_become_pass=«becomepw»
''', web=lines, dbip=I(ip4(r)), dbpw=P(pw_rand(r, sym="")), winip=I(ip4(r)),
        winpw=P(pw_rand(r, 14, sym="!#%*")), becomepw=P(pw_human(r, "!#*_")))


def d_ansible_vars(r):
    return "group_vars/all/main.yml", T('''
---
# common settings for all hosts
timezone: Europe/Berlin
ntp_servers:
  - 0.de.pool.ntp.org
  - 1.de.pool.ntp.org

admin_email: «admin»

mysql_root_password: "«rootpw»"
mysql_databases:
  - name: nextcloud
mysql_users:
  - name: nextcloud
    host: "localhost"
    password: "{{ vault_nextcloud_db_password }}"
    priv: "nextcloud.*:ALL"

nextcloud_admin_user: ncadmin
nextcloud_admin_pass: "«ncpw»"
nextcloud_trusted_domains:
  - cloud.nordlicht-it.de
  - «pubip»

smtp_host: mail.nordlicht-it.de
smtp_user: «smtpuser»
smtp_password: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  «vaultblob»

backup_s3_access_key: «akid»
backup_s3_secret_key: «asecret»
''', admin=E(email(r, "nordlicht-it.de", "admin")), rootpw=P(pw_rand(r, sym="")),
        ncpw=P(pw_human(r, "!#*_")), pubip=I(ip4(r)), smtpuser=E(email(r, "nordlicht-it.de", "cloud")),
        vaultblob="\n  ".join(rs(r, 80, HEX) for _ in range(4)),
        akid=K(aws_id(r)), asecret=K(aws_secret(r)))


def d_vagrantfile(r):
    return "Vagrantfile", T('''
# -*- mode: ruby -*-
# vi: set ft=ruby :

Vagrant.configure("2") do |config|
  config.vm.box = "ubuntu/jammy64"
  config.vm.hostname = "devbox"

  config.vm.network "private_network", ip: "192.168.56.10"
  config.vm.network "forwarded_port", guest: 80, host: 8080, host_ip: "127.0.0.1"

  config.ssh.username = "vagrant"
  config.ssh.password = "«sshpw»"
  config.ssh.insert_key = false

  config.vm.provider "virtualbox" do |vb|
    vb.memory = "4096"
    vb.cpus = 2
  end

  config.vm.provision "shell", inline: <<-SHELL
    apt-get update
    apt-get install -y mysql-server nginx
    mysql -e "CREATE USER 'app'@'%' IDENTIFIED BY '«apppw»';"
    mysql -e "GRANT ALL ON app.* TO 'app'@'%'; FLUSH PRIVILEGES;"
    echo "deb http://mirror.hetzner.com/ubuntu/packages jammy main" > /etc/apt/sources.list.d/internal.list
    git config --global user.email "«gitemail»"
  SHELL
end
''', sshpw=P(pw_human(r, "!#*_")), apppw=P(pw_rand(r, sym="")),
        gitemail=E(email(r)))


def d_docker_compose(r):
    return "docker-compose.yml", T('''
version: "3.9"

services:
  db:
    image: postgres:16-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: mastodon
      POSTGRES_PASSWORD: «pgpw»
      POSTGRES_DB: mastodon_production
    volumes:
      - ./postgres:/var/lib/postgresql/data

  redis:
    image: redis:7-alpine
    command: redis-server --requirepass «redispw»
    restart: unless-stopped

  minio:
    image: minio/minio@sha256:«digest»
    command: server /data --console-address ":9001"
    environment:
      MINIO_ROOT_USER: mastoadmin
      MINIO_ROOT_PASSWORD: «miniopw»

  web:
    image: ghcr.io/mastodon/mastodon:v4.2.1
    restart: always
    env_file: .env.production
    environment:
      - SECRET_KEY_BASE=«skb»
      - OTP_SECRET=«otp»
      - SMTP_LOGIN=«smtpuser»
      - SMTP_PASSWORD=«smtppw»
      - DB_PASS=«pgpw»
    command: bundle exec puma -C config/puma.rb
    ports:
      - "127.0.0.1:3000:3000"
    depends_on:
      - db
      - redis

  rabbit:
    image: rabbitmq:3-management
    environment:
      RABBITMQ_DEFAULT_USER: masto
      RABBITMQ_DEFAULT_PASS: «rabbitpw»
''', pgpw=P(pw_rand(r, 24, sym="")), redispw=P(pw_rand(r, sym="")), digest=sha256hex(r),
        miniopw=P(pw_rand(r, 20, sym="")), skb=K(rs(r, 128, HEX)), otp=K(rs(r, 128, HEX)),
        smtpuser=E(email(r, "mastodon.ironbark.co.nz", "notifications")), smtppw=P(pw_human(r, "!*_")),
        rabbitpw=P(pw_human(r, "!*_")))


def d_deploy_sh(r):
    host = I(ip4(r))
    return "scripts/deploy.sh", T('''
#!/usr/bin/env bash
# Deploy the static site + API to the VPS.
# usage: ./scripts/deploy.sh [--skip-build]
set -euo pipefail

SERVER="«host»"
SSH_USER="deploy"
APP_DIR="/var/www/fernbrook-events"
export PGPASSWORD='«pgpw»'
CF_API_TOKEN="«cf»"
CF_ZONE="«zone»"

if [[ "${1:-}" != "--skip-build" ]]; then
  npm ci
  npm run build
fi

echo ">> uploading build to ${SERVER}"
rsync -az --delete dist/ "${SSH_USER}@${SERVER}:${APP_DIR}/public/"
scp .env.production "${SSH_USER}@${SERVER}:${APP_DIR}/.env"

echo ">> running migrations"
psql -h «host» -U events -d events -f db/migrations/latest.sql

echo ">> restarting"
ssh "${SSH_USER}@${SERVER}" "sudo systemctl restart fernbrook-events"

echo ">> purging cache"
curl -s -X POST "https://api.cloudflare.com/client/v4/zones/${CF_ZONE}/purge_cache" \\
  -H "Authorization: Bearer ${CF_API_TOKEN}" \\
  -H "Content-Type: application/json" \\
  --data '{"purge_everything":true}'

read -r -s -p "Admin password for smoke test: " ADMIN_PW
curl -fsS -u "admin:${ADMIN_PW}" "https://events.fernbrook.edu/api/health" > /dev/null && echo "OK"
''', host=host, pgpw=P(pw(r, "!#*@_-")), cf=K(cf_token(r)), zone=hex32(r))


def d_powershell(r):
    host = I(ip4(r))
    return "scripts/Deploy-Website.ps1", T('''
<#
.SYNOPSIS
    Copies the build output to the IIS server and recycles the app pool.
#>
param(
    [string]$Server = "«host»",
    [string]$Site = "IntranetPortal"
)

$ErrorActionPreference = "Stop"

$user = "CORP\\svc_deploy"
$securePass = ConvertTo-SecureString "«pw»" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential($user, $securePass)

$session = New-PSSession -ComputerName $Server -Credential $cred -UseSSL
Copy-Item -Path ".\\publish\\*" -Destination "D:\\inetpub\\$Site" -ToSession $session -Recurse -Force
Invoke-Command -Session $session -ScriptBlock {
    param($s)
    Import-Module WebAdministration
    Restart-WebAppPool -Name $s
} -ArgumentList $Site
Remove-PSSession $session

# tell Teams
$headers = @{ "Authorization" = "Basic «basic»" }
Invoke-RestMethod -Uri "https://status.pinecrest.org/api/deployments" -Method Post -Headers $headers `
    -Body (@{ site = $Site; server = $Server } | ConvertTo-Json) -ContentType "application/json"

# for the manual fallback we prompt instead
# $fallback = Read-Host -Prompt "Fallback password" -AsSecureString
Write-Host "Deployed $Site to $Server"
''', host=host, pw=P(pw_human(r, "!#*@_")), basic=K(basic("deploybot", pw_rand(r, sym=""))))


def d_dockerfile(r):
    npm = npm_tok(r)
    return "Dockerfile", T('''
FROM node:20-alpine@sha256:«digest» AS build
WORKDIR /app

ARG NPM_TOKEN=«npm»
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc \\
 && echo "@quillsoft:registry=https://registry.npmjs.org/" >> .npmrc

COPY package.json package-lock.json ./
RUN npm ci && rm -f .npmrc
COPY . .
RUN npm run build

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production \\
    PORT=3000 \\
    MAPBOX_TOKEN=«mapbox» \\
    GEOCODER_API_KEY=«geo»
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
EXPOSE 3000
HEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/health || exit 1
CMD ["node", "dist/server.js"]
''', digest=sha256hex(r), npm=K(npm), mapbox=K(mapbox_sk(r)), geo=K(hex32(r)))


def d_kubeconfig(r):
    host = I(ip4(r))
    return "ops/kubeconfig-prod.yaml", T('''
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: «ca»
    server: https://«host»:6443
  name: prod
contexts:
- context:
    cluster: prod
    namespace: default
    user: ci-deployer
  name: prod
current-context: prod
preferences: {}
users:
- name: ci-deployer
  user:
    token: «token»
- name: admin
  user:
    client-certificate-data: «cert»
    client-key-data: «clientkey»
''', ca=base64.b64encode(fake_cert(r).encode()).decode(), host=host,
        token=K(jwt(r, {"iss": "kubernetes/serviceaccount",
                        "kubernetes.io/serviceaccount/namespace": "kube-system",
                        "kubernetes.io/serviceaccount/service-account.name": "ci-deployer",
                        "sub": "system:serviceaccount:kube-system:ci-deployer"}, alg="RS256")),
        cert=base64.b64encode(fake_cert(r, nlines=6).encode()).decode(),
        clientkey=K(base64.b64encode(pem(r, "EC PRIVATE KEY", 3).encode()).decode()))


def d_alertmanager(r):
    hook = slack_hook_path(r)
    return "monitoring/alertmanager.yml", T('''
global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.gmail.com:587'
  smtp_from: '«from»'
  smtp_auth_username: '«from»'
  smtp_auth_password: '«smtppw»'
  slack_api_url: 'https://hooks.slack.com/services/«hook»'

route:
  group_by: ['alertname', 'cluster']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 3h
  receiver: team-ops
  routes:
    - matchers: [ severity="critical" ]
      receiver: pager

receivers:
  - name: team-ops
    email_configs:
      - to: '«to1»'
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
  - name: pager
    pagerduty_configs:
      - routing_key: «pd»
    webhook_configs:
      - url: 'http://«hookhost»:9095/alert'
''', **{"from": E(email(r, "gmail.com", "atlasgrid.alerts"))}, smtppw=P(rs(r, 16, LOWER)),
        hook=K(hook), to1=E(email(r, "atlasgrid.io", "oncall")),
        pd=K(hex32(r)), hookhost=I(ip4(r)))


def d_aws_credentials(r):
    return ".aws/credentials", T('''
[default]
aws_access_key_id = «a1»
aws_secret_access_key = «s1»

[prod]
aws_access_key_id = «a2»
aws_secret_access_key = «s2»
region = eu-central-1

[docs]
# values from the AWS docs, for the tutorial
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
''', a1=K(aws_id(r)), s1=K(aws_secret(r)), a2=K(aws_id(r)), s2=K(aws_secret(r)))


def d_azure_local_settings(r):
    acct = "fn" + rs(r, 10, LOWER + DIGITS)
    return "OrderFunctions/local.settings.json", T('''
{
  "IsEncrypted": false,
  "Values": {
    "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«key1»;EndpointSuffix=core.windows.net",
    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
    "ServiceBusConnection": "Endpoint=sb://orders-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=«sbkey»",
    "CosmosDb:Endpoint": "https://orders-db.documents.azure.com:443/",
    "CosmosDb:Key": "«cosmos»",
    "SendGridApiKey": "«sg»",
    "NotificationEmail": "«notify»"
  },
  "ConnectionStrings": {
    "SqlDb": "Server=tcp:orders-sql.database.windows.net,1433;Initial Catalog=orders;User ID=ordersadmin;Password=«sqlpw»;Encrypt=True;"
  }
}
''', acct=acct, key1=K(azure_key(r)), sbkey=K(rs(r, 43, B64) + "="), cosmos=K(azure_key(r)),
        sg=K(sendgrid(r)), notify=E(email(r, "bluefinretail.com.au", "orders")), sqlpw=P(pw(r, "!#*@_-")))


# =============================================================================================
# embedded

def d_esp32_mqtt(r):
    return "src/greenhouse/greenhouse.ino", T('''
#include <WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>

#define DHTPIN 4
#define DHTTYPE DHT22

// WiFi
const char* ssid = "FRITZ!Box 7530 KL";
const char* password = "«wifipw»";

// MQTT broker (VPS)
const char* mqtt_server = "«broker»";
const int mqtt_port = 1883;
const char* mqtt_user = "greenhouse";
const char* mqtt_password = "«mqttpw»";

// ThingSpeak backup channel
const char* thingspeakApiKey = "«ts»";

// static address on the home network
IPAddress local_IP(192, 168, 178, 50);
IPAddress gateway(192, 168, 178, 1);
IPAddress subnet(255, 255, 255, 0);
IPAddress primaryDNS(8, 8, 8, 8);

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);

void setup_wifi() {
  WiFi.config(local_IP, gateway, subnet, primaryDNS);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("ESP32Greenhouse", mqtt_user, mqtt_password)) {
      client.subscribe("greenhouse/vent");
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
  float t = dht.readTemperature();
  float h = dht.readHumidity();
  char payload[64];
  snprintf(payload, sizeof(payload), "{\\"t\\":%.1f,\\"h\\":%.1f}", t, h);
  client.publish("greenhouse/climate", payload);
  delay(30000);
}
''', wifipw=P(pw_human(r, "!#*_")), broker=I(ip4(r)), mqttpw=P(pw_rand(r, sym="")),
        ts=K(rs(r, 16, UPPER + DIGITS)))


def d_esp_secrets_h(r):
    return "include/secrets.h", T('''
#pragma once
#include <pgmspace.h>

#define SECRET
#define THINGNAME "doorbell-01"

const char WIFI_SSID[] = "Maison_Berg";
const char WIFI_PASSWORD[] = "«wifipw»";
const char AWS_IOT_ENDPOINT[] = "«ep»-ats.iot.eu-west-1.amazonaws.com";

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
''', wifipw=P(pw_human(r, "!#*_")), ep=rs(r, 14, LOWER + DIGITS), ca=fake_cert(r, nlines=6),
        crt=fake_cert(r, nlines=6), key=K(pem(r, "RSA PRIVATE KEY", 12)))


def d_rpi_sensor(r):
    return "pi/sensor_upload.py", T('''
#!/usr/bin/env python3
"""Reads the BME280 on the balcony and pushes to MQTT, Adafruit IO and Blynk."""
import time

import board
import paho.mqtt.client as mqtt
import requests
from adafruit_bme280 import basic as adafruit_bme280
from Adafruit_IO import Client

BROKER = "«broker»"
MQTT_USER = "pi-balcony"
MQTT_PASS = "«mqttpw»"

AIO_USERNAME = "sven_weather"
AIO_KEY = "«aio»"
BLYNK_AUTH = "«blynk»"

i2c = board.I2C()
bme = adafruit_bme280.Adafruit_BME280_I2C(i2c, address=0x76)
aio = Client(AIO_USERNAME, AIO_KEY)

client = mqtt.Client(client_id="balcony")
client.username_pw_set(MQTT_USER, MQTT_PASS)
client.connect(BROKER, 1883, 60)
client.loop_start()

while True:
    t, h, p = bme.temperature, bme.humidity, bme.pressure
    client.publish("home/balcony/temperature", f"{t:.2f}")
    client.publish("home/balcony/humidity", f"{h:.1f}")
    aio.send_data("balcony-temp", t)
    requests.get(f"https://blynk.cloud/external/api/update?token={BLYNK_AUTH}&V0={t:.1f}", timeout=5)
    time.sleep(300)
''', broker=I(ip4(r)), mqttpw=P(pw_human(r, "!#*_")), aio=K(aio_key(r)), blynk=K(rs(r, 32, URLSAFE)))


def d_platformio_ini(r):
    return "platformio.ini", T('''
; PlatformIO Project Configuration File
;
;   Build options: build flags, source filter
;   Upload options: custom upload port, speed and extra flags
;
; Please visit documentation for the other options and examples
; https://docs.platformio.org/page/projectconf.html

[env:nodemcuv2]
platform = espressif8266
board = nodemcuv2
framework = arduino
monitor_speed = 115200
lib_deps =
    knolleary/PubSubClient@^2.8
    bblanchon/ArduinoJson@^6.21.3
build_flags =
    -D WIFI_SSID=\\"Kowalski_5G\\"
    -D WIFI_PASS=\\"«wifipw»\\"
    -D OTA_PASSWORD=\\"«otapw»\\"
    -D MQTT_HOST=\\"«mqtthost»\\"

[env:nodemcuv2_ota]
extends = env:nodemcuv2
upload_protocol = espota
upload_port = 192.168.1.77
upload_flags =
    --auth=«otapw»
    --port=8266
''', wifipw=P(pw_human(r, "!#*_")), otapw=P(pw_rand(r, 12, sym="")), mqtthost=I(ip4(r)))



def d_wpa_supplicant(r):
    return "boot/wpa_supplicant.conf", T('''
ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=netdev
update_config=1
country=GB

network={
    ssid="Okafor Family"
    psk="«psk1»"
    key_mgmt=WPA-PSK
    priority=10
}

network={
    ssid="eduroam"
    key_mgmt=WPA-EAP
    eap=PEAP
    identity="«ident»"
    password="«eduroampw»"
    phase2="auth=MSCHAPV2"
    priority=5
}

network={
    ssid="PiHotspot"
    psk=«hexpsk»
    priority=1
}
''', psk1=P(pw_human(r, "!#*_")), ident=E(email(r, "fernbrook.edu")), eduroampw=P(pw_human(r, "!#*_")),
        hexpsk=P(hex64(r)))


# =============================================================================================
# bots

def d_discord_bot(r):
    tok = discord_tok(r)
    return "bot.py", T('''
import discord
from discord.ext import commands
import aiohttp

# TOKEN = "«tok»"  # old token, regenerated
TOKEN = "«tok2»"
OWNER_ID = «owner»
WEATHER_KEY = "«weather»"

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents, owner_id=OWNER_ID)


@bot.event
async def on_ready():
    print(f"Logged in as {bot.user} (ID: {bot.user.id})")


@bot.command()
async def weather(ctx, *, city: str):
    url = f"https://api.weatherapi.com/v1/current.json?key={WEATHER_KEY}&q={city}"
    async with aiohttp.ClientSession() as s:
        async with s.get(url) as resp:
            data = await resp.json()
    await ctx.send(f"{city}: {data['current']['temp_c']}°C, {data['current']['condition']['text']}")


@bot.command()
@commands.is_owner()
async def shutdown(ctx):
    await ctx.send("bye")
    await bot.close()


bot.run(TOKEN)
''', tok=K(tok), tok2=K(discord_tok(r)), owner=str(r.randint(10**17, 10**18)), weather=K(hex32(r)))


def d_discordjs_config(r):
    return "config.json", T('''
{
  "token": "«tok»",
  "clientId": "«cid»",
  "guildId": "«gid»",
  "prefix": "?",
  "mongoURI": "mongodb+srv://musicbot:«mpw»@cluster0.«cl».mongodb.net/musicbot?retryWrites=true&w=majority",
  "spotify": {
    "clientId": "«spid»",
    "clientSecret": "«spsecret»"
  },
  "youtubeApiKey": "«yt»",
  "embedColor": "#5865F2",
  "owners": ["«gid»"]
}
''', tok=K(discord_tok(r)), cid=str(r.randint(10**17, 10**18)), gid=str(r.randint(10**17, 10**18)),
        mpw=P(pw_rand(r, 16, sym="")), cl=rs(r, 5, LOWER + DIGITS), spid=hex32(r), spsecret=K(hex32(r)),
        yt=K(gapi(r)))


def d_telegram_bot(r):
    return "main.py", T('''
import logging

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters
from openai import OpenAI

logging.basicConfig(level=logging.INFO)

BOT_TOKEN = "«tg»"
ADMIN_IDS = {«a1», «a2»}
client = OpenAI(api_key="«oai»")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Привет! Send me a question.")


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": update.message.text}],
    )
    await update.message.reply_text(completion.choices[0].message.content)


def main() -> None:
    app = Application.builder().token(BOT_TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, answer))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
''', tg=K(telegram_tok(r)), a1=r.randint(10**8, 10**10), a2=r.randint(10**8, 10**10), oai=K(openai_proj(r)))


def d_slack_bolt(r):
    return "app.js", T('''
const { App } = require('@slack/bolt');
const { Client } = require('pg');

const app = new App({
  token: '«xoxb»',
  signingSecret: '«signing»',
  socketMode: true,
  appToken: '«xapp»',
});

const db = new Client({
  host: '«dbhost»',
  user: 'standup',
  password: '«dbpw»',
  database: 'standup',
});

app.command('/standup', async ({ command, ack, respond }) => {
  await ack();
  await db.query('INSERT INTO updates (user_id, text) VALUES ($1, $2)', [command.user_id, command.text]);
  await respond(`Thanks <@${command.user_id}>, noted!`);
});

app.message(/^help$/i, async ({ say }) => {
  await say('Use `/standup <what you did>`. Questions: «owner»');
});

(async () => {
  await db.connect();
  await app.start(process.env.PORT || 3000);
  console.log('⚡️ Standup bot is running');
})();
''', xoxb=K(xoxb(r)), signing=K(hex32(r)), xapp=K(xapp(r)), dbhost=I(ip4(r)), dbpw=P(pw(r, "!#*_-")),
        owner=E(email(r, "brightpath.io")))


def d_go_telegram(r):
    return "cmd/notifier/main.go", T('''
package main

import (
	"fmt"
	"log"
	"net/smtp"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const (
	botToken  = "«tg»"
	chatID    = int64(-100«chat»)
	smtpHost  = "«smtphost»"
	smtpUser  = "«smtpuser»"
	smtpPass  = "«smtppw»"
)

func notifyMail(subject, body string) error {
	auth := smtp.PlainAuth("", smtpUser, smtpPass, smtpHost)
	msg := []byte(fmt.Sprintf("Subject: %s\\r\\n\\r\\n%s", subject, body))
	return smtp.SendMail(smtpHost+":587", auth, smtpUser, []string{"«to»"}, msg)
}

func main() {
	bot, err := tgbotapi.NewBotAPI(botToken)
	if err != nil {
		log.Panic(err)
	}
	log.Printf("authorized as %s", bot.Self.UserName)

	msg := tgbotapi.NewMessage(chatID, "backup finished ✅")
	if _, err := bot.Send(msg); err != nil {
		log.Println("telegram failed, falling back to mail:", err)
		_ = notifyMail("backup finished", "see /var/log/backup.log")
	}
}
''', tg=K(telegram_tok(r)), chat=r.randint(10**9, 10**10), smtphost=I(ip4(r)),
        smtpuser=E(email(r, "vantalabs.in", "backup")), smtppw=P(pw_human(r, "!#*_")),
        to=E(email(r, "vantalabs.in")))


# =============================================================================================
# misc

def d_postman_collection(r):
    bearer = jwt(r, {"sub": "svc-qa", "scope": "orders:read orders:write", "exp": 1767225600})
    return "postman/Orders API.postman_collection.json", T('''
{
  "info": {
    "_postman_id": "«pid»",
    "name": "Orders API",
    "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
  },
  "item": [
    {
      "name": "Login",
      "request": {
        "method": "POST",
        "header": [{ "key": "Content-Type", "value": "application/json" }],
        "body": {
          "mode": "raw",
          "raw": "{\\n  \\"email\\": \\"«qa»\\",\\n  \\"password\\": \\"«qapw»\\"\\n}"
        },
        "url": { "raw": "{{baseUrl}}/auth/login", "host": ["{{baseUrl}}"], "path": ["auth", "login"] }
      }
    },
    {
      "name": "List orders",
      "request": {
        "auth": {
          "type": "bearer",
          "bearer": [{ "key": "token", "value": "«bearer»", "type": "string" }]
        },
        "method": "GET",
        "url": { "raw": "{{baseUrl}}/orders?limit=50", "host": ["{{baseUrl}}"], "path": ["orders"] }
      }
    },
    {
      "name": "Legacy export",
      "request": {
        "auth": {
          "type": "basic",
          "basic": [
            { "key": "username", "value": "export", "type": "string" },
            { "key": "password", "value": "«basicpw»", "type": "string" }
          ]
        },
        "method": "GET",
        "url": { "raw": "{{legacyUrl}}/export.csv" }
      }
    }
  ],
  "variable": [
    { "key": "baseUrl", "value": "https://api.orbitfreight.net/v1" },
    { "key": "legacyUrl", "value": "http://«legacy»:8088" },
    { "key": "apiKey", "value": "«apikey»" }
  ]
}
''', pid=uid(r), qa=E(email(r, "orbitfreight.net", "qa")), qapw=P(pw_human(r, "!#*_")),
        bearer=K(bearer), basicpw=P(pw_rand(r, sym="")), legacy=I(ip4(r)), apikey=K(postman_key(r)))


def d_npmrc(r):
    return ".npmrc", T('''
registry=https://registry.npmjs.org/
@quillsoft:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«ghp»
//registry.npmjs.org/:_authToken=«npm»
//nexus.corp.quillsoft.dev/repository/npm-private/:_auth=«auth»
email=«email»
always-auth=true
save-exact=true
''', ghp=K(ghp(r)), npm=K(npm_tok(r)), auth=K(basic("ci-npm", pw_rand(r, sym=""))),
        email=E(email(r, "quillsoft.dev")))


def d_pypirc(r):
    return ".pypirc", T('''
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
username = __token__
password = «testpypi»

[internal]
repository = https://pypi.saltmarsh.ai/simple/
username = release-bot
password = «internalpw»
''', pypi=K(pypi_tok(r)), testpypi=K(pypi_tok(r)), internalpw=P(pw_human(r, "!#*_")))


def d_netrc(r):
    return "dotfiles/.netrc", T('''
machine github.com
  login ravi-sharma
  password «ghp»

machine api.github.com
  login ravi-sharma
  password «ghp»

machine ftp.vantalabs.in
  login rsharma
  password «ftppw»

machine urs.earthdata.nasa.gov login rsharma_geo password «nasapw»
''', ghp=K(gho(r)), ftppw=P(pw_rand(r, sym="")), nasapw=P(pw_human(r, "!#*_")))


def d_sssd_conf(r):
    return "roles/ldap-client/files/sssd.conf", T('''
[sssd]
config_file_version = 2
services = nss, pam, ssh, sudo
domains = corp.helixbank.de

[domain/corp.helixbank.de]
id_provider = ldap
auth_provider = ldap
access_provider = ldap
ldap_uri = ldaps://«ldap1», ldaps://«ldap2»
ldap_search_base = dc=corp,dc=helixbank,dc=de
ldap_default_bind_dn = cn=sssd-reader,ou=service,dc=corp,dc=helixbank,dc=de
ldap_default_authtok_type = password
ldap_default_authtok = «pw»
ldap_tls_reqcert = demand
ldap_tls_cacert = /etc/ssl/certs/helix-ca.pem
ldap_access_filter = (memberOf=cn=linux-users,ou=groups,dc=corp,dc=helixbank,dc=de)
cache_credentials = True
enumerate = False

[pam]
offline_credentials_expiration = 7

[nss]
filter_users = root
''', ldap1=I(ip4(r)), ldap2=I(ip6(r)), pw=P(pw_rand(r, sym="!#%*")))


def d_postfix_sasl(r):
    user = email(r, "gmail.com")
    return "etc/postfix/sasl_passwd", T('''
# /etc/postfix/sasl_passwd -- relay credentials
# after editing: postmap /etc/postfix/sasl_passwd && systemctl reload postfix
[smtp.gmail.com]:587    «user»:«apppw»
[smtp.sendgrid.net]:587 apikey:«sg»
[mail.«dom»]:465      «user2»:«pw2»
''', user=E(user), apppw=P(rs(r, 16, LOWER)), sg=K(sendgrid(r)), dom="marigold.se",
        user2=E(email(r, "marigold.se", "relay")), pw2=P(pw_human(r, "!#*_")))



def d_changelog(r):
    return "CHANGELOG.md", T('''
# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [3.2.0] - 2024-02-11
### Added
- `--proxy` flag for the CLI (thanks «e1»).
- Support for Python 3.12.

### Fixed
- Crash when the config file contained a BOM (#412, reported by «e2»).
- Retina assets now resolve `logo@2x.png` and `logo@3x.png` correctly.

## [3.1.4] - 2023-11-03
### Changed
- Bumped `urllib3` to 2.0.7 and `requests@2.31.0` in the lockfile.
- The default mirror moved from 10.4.0.12 to the CDN.

### Security
- Tokens are no longer written to `debug.log`. Thanks to «e3» for the responsible
  disclosure.

## [3.1.0] - 2023-08-19
### Added
- Windows builds (compatibility tested on 10.0.19045.3324).
- New maintainer: Ahmed Haddad <«e4»>.

## [3.0.0] - 2023-05-01
### Removed
- Dropped Python 3.7. Open an issue if you need a backport.
''', e1=E(email(r, "outlook.com")), e2=E(email(r, "gmx.de")), e3=E(email(r, "protonmail.com")),
        e4=E(email(r, "atlasgrid.io", "ahmed.haddad")), e5=E(email(r, "atlasgrid.io", "support")))


def d_readme(r):
    return "README.md", T('''
# parcel-tracker

Small dashboard that polls carrier APIs and shows where your parcels are.

## Quick start

```bash
git clone https://github.com/tomasnovak/parcel-tracker.git
cd parcel-tracker
cp .env.example .env
docker compose up -d
```

Then open http://localhost:8080 and log in with the demo account:

| user | password |
|------|----------|
| `«demo»` | `«demopw»` |

## Carrier APIs

The 17track key below is a trial key, feel free to use it for testing:

```bash
curl -X POST https://api.17track.net/track/v2.2/gettrackinfo \\
  -H "17token: «track»" \\
  -H "Content-Type: application/json" \\
  -d '[{"number": "RR123456789CN"}]'
```

## Deploy

The public instance runs on a Hetzner box (`«v6»`). Ask «maint» for SSH access.

## License

MIT
''', demo=E(email(r, "seznam.cz", "demo.parcel")), demopw=P(pw_human(r, "!#*_")),
        track=K(rs(r, 32, HEX.upper())), v6=I(ip6(r)), maint=E(email(r, "seznam.cz", "tomas.novak")))


def d_mbox_archive(r):
    (fb, lb), (fc, lc) = [(r.choice(FIRST), r.choice(LAST)) for _ in range(2)]
    a = email(r, "lists.pinecrest.org", "dev")
    b, c = email(r, "gmail.com", f"{fb}.{lb}"), email(r, "copperleaf.ca", f"{fc[0]}{lc}")
    return "archives/dev/2019-March.txt", T('''
From «b»  Tue Mar  5 14:02:11 2019
From: «b» («nb»)
Date: Tue, 5 Mar 2019 15:02:11 +0100
Subject: [dev] build fails on ARM with 0.9.3
Status: O

Hi all,

since 0.9.3 the build fails on my Raspberry Pi (armv7l, gcc 8.3.0):

  error: unknown type name '__int128'

Any ideas? Full log at https://paste.pinecrest.org/8f2a1.

«fb»

From «c»  Tue Mar  5 18:40:55 2019
From: «c» («nc»)
Date: Tue, 5 Mar 2019 12:40:55 -0500
Subject: [dev] build fails on ARM with 0.9.3
Status: O

> since 0.9.3 the build fails on my Raspberry Pi

Known issue, fixed in master (commit 4c1d2e9). A 0.9.4 tarball is on the mirror
at «mirror» until the website is updated. CC'ing «e» who maintains the Debian package.

«fc»

_______________________________________________
dev mailing list
«a»
https://lists.pinecrest.org/mailman/listinfo/dev
''', a=E(a), b=E(b), c=E(c), nb=f"{fb.title()} {lb.title()}", nc=f"{fc.title()} {lc.title()}",
        fb=fb.title(), fc=fc.title(), e=E(email(r, "debian.org", r.choice(FIRST))),
        mirror=I(ip4(r)))


def d_contributors(r):
    names = []
    for _ in range(5):
        f, l = r.choice(FIRST), r.choice(LAST)
        names.append(f"{f.title()} {l.title()} <{E(email(r, local=r.choice([f'{f}.{l}', f'{f[0]}{l}', f])))}>")
    names.insert(3, "Jörg Weiß <" + E("jörg.weiß@straßenbau-köln.de") + ">")
    return "CONTRIBUTORS", T('''
# This is the official list of people who can contribute code to the project.
# Names should be added to this file like so:
#     Name <email address>
#
# Please keep the list sorted by first commit. GitHub handles such as @octo-lena
# go in the PR description, not here.

«names»
''', names="\n".join(names))



def d_access_log(r):
    def line(ip, path, status, ua, user="-"):
        return (f'{ip} - {user} [{r.randint(10, 28)}/Oct/2023:{r.randint(10, 23)}:{r.randint(10, 59)}:'
                f'{r.randint(10, 59)} +0000] "GET {path} HTTP/1.1" {status} {r.randint(200, 9000)} "-" "{ua}"')
    uas = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36",
           "curl/7.81.0", "python-requests/2.31.0",
           "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0_3 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1"]
    ext = [I(ip4(r)) for _ in range(2)] + [I(ip6(r))]
    lines = [
        line(ext[0], "/", 200, uas[0]),
        line("10.0.2.15", "/healthz", 200, "kube-probe/1.27"),
        line(ext[1], "/wp-login.php", 404, uas[1]),
        line("127.0.0.1", "/server-status", 200, "Go-http-client/1.1"),
        line(ext[2], "/api/v1/items?page=2", 200, uas[3], user="api"),
        line("192.168.10.4", "/favicon.ico", 200, uas[0]),
        line(ext[0], f"/newsletter/confirm?token={rs(r, 12, HEX)}", 302, uas[0]),
        line("10.0.2.15", "/healthz", 200, "kube-probe/1.27"),
        line("10.0.2.16", "/metrics", 200, "Prometheus/2.47.0"),
        line(ext[1], "/.git/config", 404, uas[1]),
        line("192.168.10.4", "/static/app.3f2a9c.js", 200, uas[0]),
        line("192.168.10.4", "/static/app.css", 304, uas[0]),
        line("127.0.0.1", "/server-status?auto", 200, "Go-http-client/1.1"),
        line("10.0.2.15", "/healthz", 200, "kube-probe/1.27"),
        line("172.18.0.3", "/api/v1/items?page=1", 200, "python-requests/2.31.0"),
        line(ext[2], "/api/v1/items?page=3", 200, uas[3], user="api"),
        line("10.0.2.16", "/metrics", 200, "Prometheus/2.47.0"),
        line("192.168.10.7", "/robots.txt", 200, uas[2]),
        line("10.0.2.15", "/healthz", 200, "kube-probe/1.27"),
    ]
    return "logs/access.log", "\n".join(lines) + "\n"


def d_maven_settings(r):
    return ".m2/settings.xml", T('''
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.0.0 https://maven.apache.org/xsd/settings-1.0.0.xsd">
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«nexuspw»</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>wlarsen</username>
      <password>«ossrhpw»</password>
    </server>
    <server>
      <id>github</id>
      <username>wlarsen</username>
      <password>«ghpat»</password>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>nexus</id>
      <mirrorOf>*</mirrorOf>
      <url>http://«nexushost»:8081/repository/maven-public/</url>
    </mirror>
  </mirrors>
  <profiles>
    <profile>
      <id>gpg</id>
      <properties>
        <gpg.keyname>«gpgid»</gpg.keyname>
        <gpg.passphrase>«gpgpw»</gpg.passphrase>
      </properties>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>gpg</activeProfile>
  </activeProfiles>
</settings>
''', nexuspw=P(pw_human(r, "!#*_")), ossrhpw=P(pw_rand(r, sym="!#*_-")), ghpat=K(gh_pat(r)),
        nexushost=I(ip4(r)), gpgid=rs(r, 16, HEX.upper()), gpgpw=P(pw_human(r, "!#*_")))


def d_java_test_fixture(r):
    return "src/test/java/com/kestrel/auth/UserServiceTest.java", T('''
package com.kestrel.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

class UserServiceTest {

    private static final String VALID_EMAIL = "«email»";
    private static final String VALID_PASSWORD = "«pw»";
    private static final String STORED_HASH = "«hash»";

    private UserService service;

    @BeforeEach
    void setUp() {
        service = new UserService(new InMemoryUserRepository(), new BCryptPasswordEncoder());
    }

    @Test
    void registersAndAuthenticates() {
        service.register(VALID_EMAIL, VALID_PASSWORD);
        assertThat(service.authenticate(VALID_EMAIL, VALID_PASSWORD)).isTrue();
    }

    @Test
    void rejectsWrongPassword() {
        service.register("«email2»", "«pw2»");
        assertThat(service.authenticate("«email2»", "«pw3»")).isFalse();
    }

    @Test
    void rejectsShortPassword() {
        assertThrows(WeakPasswordException.class, () -> service.register(VALID_EMAIL, "x".repeat(5)));
    }

    @Test
    void matchesLegacyHash() {
        assertThat(new BCryptPasswordEncoder().matches(VALID_PASSWORD, STORED_HASH)).isIn(true, false);
    }
}
''', email=E(email(r, "kestrelhealth.co.uk", "test.user")), pw=P(pw_human(r, "!#*_")),
        hash=bcrypt_hash(r), email2=E(email(r, "kestrelhealth.co.uk")), pw2=P(pw_human(r, "!#*_")),
        pw3=P(pw_human(r, "!#*_")))


def d_vscode_sftp(r):
    return ".vscode/sftp.json", T('''
{
    "name": "Production",
    "host": "«host»",
    "protocol": "sftp",
    "port": 22,
    "username": "u8812345",
    "password": "«pw»",
    "remotePath": "/var/www/html/shop",
    "uploadOnSave": true,
    "ignore": [".vscode", ".git", ".DS_Store", "node_modules"],
    "watcher": {
        "files": "**/*",
        "autoUpload": false,
        "autoDelete": false
    }
}
''', host=I(ip4(r)), pw=P(pw(r, "!#*@_-")))



def d_redis_conf(r):
    return "config/redis.conf", T('''
# Redis configuration for the cache node
bind 127.0.0.1 10.0.1.21
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300

daemonize no
supervised systemd
pidfile /var/run/redis_6379.pid
loglevel notice
logfile /var/log/redis/redis-server.log

save 900 1
save 300 10
dbfilename dump.rdb
dir /var/lib/redis

requirepass «pw»
masterauth «pw»
# replicaof 10.0.1.20 6379

maxmemory 2gb
maxmemory-policy allkeys-lru

rename-command FLUSHALL ""
rename-command CONFIG "CONFIG_«rename»"
''', pw=P(pw_rand(r, 32, sym="")), rename=rs(r, 8, UPPER))




def d_openvpn(r):
    return "vpn/office.ovpn", T('''
client
dev tun
proto udp
remote «remote» 1194
resolv-retry infinite
nobind
persist-key
persist-tun
remote-cert-tls server
cipher AES-256-GCM
auth SHA256
verb 3
auth-user-pass
# route to office LAN
route 192.168.50.0 255.255.255.0

<ca>
«ca»
</ca>
<cert>
«cert»
</cert>
<key>
«key»
</key>
''', remote=I(ip4(r)), ca=fake_cert(r, nlines=5), cert=fake_cert(r, nlines=5),
        key=K(pem(r, "PRIVATE KEY", 10)))


def d_wireguard(r):
    return "wireguard/wg0.conf", T('''
[Interface]
Address = 10.8.0.2/24, fd86:ea04:1115::2/64
PrivateKey = «priv»
DNS = 1.1.1.1, 9.9.9.9
MTU = 1420

[Peer]
# vps-fra
PublicKey = «pub»
PresharedKey = «psk»
Endpoint = «endpoint»:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
''', priv=K(b64secret(r, 32)), pub=b64secret(r, 32), psk=K(b64secret(r, 32)), endpoint=I(ip4(r)))



def d_grafana_ini(r):
    return "grafana/grafana.ini", T('''
[server]
protocol = http
http_port = 3000
domain = grafana.tidewater-labs.com
root_url = %(protocol)s://%(domain)s/

[database]
type = mysql
host = «dbhost»:3306
name = grafana
user = grafana
password = """«dbpw»"""

[security]
admin_user = admin
admin_password = «adminpw»
secret_key = «secret»
disable_gravatar = true

[smtp]
enabled = true
host = smtp.tidewater-labs.com:587
user = «smtpuser»
password = «smtppw»
from_address = «smtpuser»
from_name = Grafana

[auth.github]
enabled = true
client_id = «ghid»
client_secret = «ghsecret»
allowed_organizations = tidewater-labs
''', dbhost=I(ip4(r)), dbpw=P(pw_rand(r, sym="!#*_")), adminpw=P(pw_human(r, "!*_")),
        secret=K(rs(r, 16)), smtpuser=E(email(r, "tidewater-labs.com", "grafana")),
        smtppw=P(pw_rand(r, sym="")), ghid="Iv1." + rs(r, 16, HEX), ghsecret=K(hex40(r)))


def d_docker_config_json(r):
    return ".docker/config.json", T('''
{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "«a1»"
		},
		"«reg»:5000": {
			"auth": "«a2»"
		},
		"ghcr.io": {
			"auth": "«a3»"
		}
	},
	"credsStore": "desktop",
	"currentContext": "default"
}
''', a1=K(basic("lukasweber", pw_human(r, "!#*_"))), reg=I(ip4(r)),
        a2=K(basic("ci", pw_rand(r, sym=""))), a3=K(basic("lukasweber", ghp(r))))


# =============================================================================================
# hard negatives only

def d_env_example(r):
    return ".env.example", T('''
# Copy to .env and fill in. Never commit the real .env!
NODE_ENV=development
PORT=3000

DATABASE_URL=postgres://localhost:5432/app_dev
DB_PASSWORD=
REDIS_URL=redis://127.0.0.1:6379/0

JWT_SECRET=<generate with: openssl rand -hex 32>
SESSION_SECRET=${SESSION_SECRET}
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_PUBLISHABLE_KEY=pk_test_xxxxxxxxxxxxxxxxxxxxxxxx
OPENAI_API_KEY=sk-...
GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
SENDGRID_API_KEY=your-sendgrid-api-key
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

SMTP_HOST=smtp.mailtrap.io
SMTP_USER=
SMTP_PASSWORD=**********

ADMIN_PASSWORD="{{ admin_password }}"
ADMIN_PASSWORD_HASH=«hash»
REQUEST_ID_NAMESPACE=«uuid»
''', hash=bcrypt_hash(r), uuid=uid(r))


def d_netconfig(r):
    return "tools/netconfig.py", T('''
"""Network defaults for the provisioning tool. Nothing here is a real host."""
import ipaddress
import socket

__version__ = "4.12.0.3"
MIN_KERNEL = "5.15.0.91"
FIRMWARE_BUILD = "3.10.2.1"

LAN = ipaddress.ip_network("192.168.1.0/24")
GATEWAY = "192.168.1.1"
NETMASK = "255.255.255.0"
BROADCAST = "192.168.1.255"
WILDCARD = "0.0.0.255"
DOCKER_BRIDGE = "172.17.0.1"
CGNAT_EXAMPLE = "100.64.12.7"
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
LISTEN = ("0.0.0.0", 8000)
LOOPBACK_V6 = "::1"
LINK_LOCAL_V6 = "fe80::1ff:fe23:4567:890a"
ALL_NODES_V6 = "ff02::1"
SSDP_GROUP = ("239.255.255.250", 1900)
MDNS_GROUP = "224.0.0.251"

# public resolvers used as fallbacks
DNS_FALLBACK = ["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "2606:4700:4700::1111"]

# addresses from the documentation ranges (RFC 5737 / RFC 3849) for the unit tests
TEST_NET = ["192.0.2.10", "198.51.100.23", "203.0.113.77", "2001:db8::42"]

# SNMP OIDs
OID_SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
OID_IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"
OID_ENTERPRISE = "1.3.6.1.4.1.2021"


def static_config():
    # Arduino-style tuples, kept for the firmware generator
    return {
        "ip": (192, 168, 1, 50),
        "gateway": (192, 168, 1, 1),
        "subnet": (255, 255, 255, 0),
        "dns": (8, 8, 8, 8),
    }


def resolve(name: str) -> str:
    try:
        return socket.gethostbyname(name)
    except OSError:
        return "127.0.0.1"
''')


def d_auth_forms(r):
    return "accounts/forms.py", T('''
import getpass

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

PASSWORD_MIN_LENGTH = 12
reset_password_url = "/accounts/password/reset/"
DEFAULT_PASSWORD_HASH = "«pbkdf2»"
LEGACY_ARGON2 = "«argon»"


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput,
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password confirmation"), widget=forms.PasswordInput)

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("The two password fields didn't match."))
        password_validation.validate_password(p2)
        return p2


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Old password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput,
                                   min_length=PASSWORD_MIN_LENGTH)


def create_superuser_interactive(User):
    email = input("Email: ")
    password = getpass.getpass("Password: ")
    User.objects.create(email=email, password=make_password(password), is_superuser=True)


def fixture_user(User, password=None):
    return User(email="", password=password or "", is_active=False)
''', pbkdf2="pbkdf2_sha256$600000$" + rs(r, 22) + "$" + b64secret(r, 32),
        argon="$argon2id$v=19$m=65536,t=3,p=4$" + rs(r, 22, B64) + "$" + rs(r, 43, B64))


def d_yarn_lock(r):
    def entry(name, ver, deps=()):
        dep = "".join(f'\n    {json.dumps(d) if d.startswith("@") else d} "^{v}"' for d, v in deps)
        return (f'"{name}@^{ver}":\n  version "{ver}"\n'
                f'  resolved "https://registry.yarnpkg.com/{name}/-/{name.split("/")[-1]}-{ver}.tgz#{sha1hex(r)}"\n'
                f'  integrity sha512-{base64.b64encode(r.randbytes(64)).decode()}'
                + (f"\n  dependencies:{dep}" if deps else "") + "\n")
    body = "\n".join([
        entry("@babel/code-frame", "7.22.13", [("@babel/highlight", "7.22.13"), ("chalk", "2.4.2")]),
        entry("@babel/highlight", "7.22.20", [("chalk", "2.4.2"), ("js-tokens", "4.0.0")]),
        entry("@types/node", "20.8.7"),
        entry("chalk", "2.4.2", [("ansi-styles", "3.2.1"), ("escape-string-regexp", "1.0.5")]),
        entry("js-tokens", "4.0.0"),
        entry("semver", "7.5.4", [("lru-cache", "6.0.0")]),
    ])
    return "yarn.lock", ("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
                         "# yarn lockfile v1\n\n\n" + body)


def d_public_config(r):
    num = str(r.randint(10**11, 10**12))
    return "web/src/config/public.ts", T('''
// Values in this file are PUBLIC and shipped to the browser.
// Secrets live in the server's environment, never here.

export const STRIPE_PUBLISHABLE_KEY = '«pk»';

export const RECAPTCHA_SITE_KEY = '6L«recaptcha»';

export const GOOGLE_OAUTH_CLIENT_ID = '«num»-«cid».apps.googleusercontent.com';

export const SENTRY_DSN = 'https://«sentry»@o«org».ingest.sentry.io/«proj»';

export const GA_MEASUREMENT_ID = 'G-«ga»';

export const FEATURE_FLAGS_CLIENT_KEY = process.env.NEXT_PUBLIC_FLAGS_KEY ?? '';

export const API_TOKEN = import.meta.env.VITE_API_TOKEN;

export const ASSET_CHECKSUM_SHA256 = '«sha»';

export const BUILD_COMMIT = '«commit»';

export const SESSION_ID_EXAMPLE = '«uuid»';

export const ICONS = {
  logo: '/img/logo@2x.png',
  logoRetina: '/img/logo@3x.png',
};
''', pk=pk_live(r), recaptcha=rs(r, 38, URLSAFE), num=num, cid=rs(r, 32, LOWER + DIGITS),
        sentry=hex32(r), org=r.randint(10**5, 10**7), proj=r.randint(10**6, 10**7),
        ga=rs(r, 10, UPPER + DIGITS), sha=sha256hex(r), commit=sha1hex(r), uuid=uid(r))


def d_tf_variables(r):
    acct = str(r.randint(10**11, 10**12))
    return "modules/rds/variables.tf", T('''
variable "db_username" {
  description = "Master username for the RDS instance"
  type        = string
  default     = "app_admin"
}

variable "db_password" {
  description = "Master password. Pass it with TF_VAR_db_password, never commit it."
  type        = string
  sensitive   = true
}

variable "kms_key_arn" {
  description = "KMS key used for storage encryption"
  type        = string
  default     = "arn:aws:kms:eu-central-1:«acct»:key/«kid»"
}

variable "secrets_manager_arn" {
  type    = string
  default = "arn:aws:secretsmanager:eu-central-1:«acct»:secret:rds/master-«suffix»"
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/16", "172.31.0.0/16"]
}

locals {
  master_password = var.db_password
  api_key         = data.aws_ssm_parameter.api_key.value
  tags = {
    Module  = "rds"
    Version = "1.4.2"
  }
}

data "aws_ssm_parameter" "api_key" {
  name            = "/prod/api/key"
  with_decryption = true
}

# example from the AWS docs, used in README:
#   AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
#   AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
''', acct=acct, kid=uid(r), suffix=rs(r, 6))


def d_locales(r):
    return "src/locales/de.json", T('''
{
  "auth": {
    "email": "E-Mail-Adresse",
    "password": "Passwort",
    "password_confirm": "Passwort bestätigen",
    "forgot_password": "Passwort vergessen?",
    "reset_password": "Passwort zurücksetzen",
    "password_hint": "Mindestens 12 Zeichen, davon eine Zahl",
    "password_mismatch": "Die Passwörter stimmen nicht überein",
    "password_placeholder": "••••••••",
    "api_key": "API-Schlüssel",
    "api_key_hint": "Ihren API-Schlüssel finden Sie unter Einstellungen → Entwickler",
    "token_expired": "Ihr Token ist abgelaufen. Bitte melden Sie sich erneut an."
  },
  "settings": {
    "secret": "Geheimnis",
    "show_secret": "Geheimnis anzeigen",
    "two_factor": "Zwei-Faktor-Authentifizierung",
    "recovery_codes": "Wiederherstellungscodes"
  }
}
''')


# =============================================================================================
# assembly and self-check

_DOCS = [
    d_django_settings,
    d_rails_database_yml,
    d_rails_credentials,
    d_laravel_env,
    d_spring_yml,
    d_spring_properties,
    d_express_config,
    d_nest_module,
    d_aspnet_appsettings,
    d_go_main,
    d_flask_app,
    d_fastapi_config,
    d_wp_config,
    d_php_connect,
    d_rails_initializer,
    d_phoenix_prod,
    d_symfony_env,
    d_ktor_conf,
    d_csharp_program,
    d_java_jdbc,
    d_rust_main,
    d_go_config_toml,
    d_android_build_gradle,
    d_gradle_properties,
    d_kotlin_apiclient,
    d_swift_constants,
    d_google_service_plist,
    d_flutter_config,
    d_rn_firebase,
    d_notebook_churn,
    d_notebook_scrape,
    d_airflow_dag,
    d_dbt_profiles,
    d_spark_job,
    d_pandas_sqlserver,
    d_ml_train,
    d_r_analysis,
    d_sql_migration,
    d_sql_dump,
    d_gh_actions_deploy,
    d_gitlab_ci,
    d_jenkinsfile,
    d_k8s_secret,
    d_k8s_deployment,
    d_helm_values,
    d_terraform_main,
    d_tfvars,
    d_ansible_inventory,
    d_ansible_vars,
    d_vagrantfile,
    d_docker_compose,
    d_deploy_sh,
    d_powershell,
    d_dockerfile,
    d_kubeconfig,
    d_alertmanager,
    d_aws_credentials,
    d_azure_local_settings,
    d_esp32_mqtt,
    d_esp_secrets_h,
    d_rpi_sensor,
    d_platformio_ini,
    d_wpa_supplicant,
    d_discord_bot,
    d_discordjs_config,
    d_telegram_bot,
    d_slack_bolt,
    d_go_telegram,
    d_postman_collection,
    d_npmrc,
    d_pypirc,
    d_netrc,
    d_sssd_conf,
    d_postfix_sasl,
    d_changelog,
    d_readme,
    d_mbox_archive,
    d_contributors,
    d_access_log,
    d_maven_settings,
    d_java_test_fixture,
    d_vscode_sftp,
    d_redis_conf,
    d_openvpn,
    d_wireguard,
    d_grafana_ini,
    d_docker_config_json,
    d_env_example,
    d_netconfig,
    d_auth_forms,
    d_yarn_lock,
    d_public_config,
    d_tf_variables,
    d_locales,
]


def testset15_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS, 1):
        r = random.Random(f"testset15:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t15-{i:02d}/{path}", marked))
    return docs


_RESERVED_EMAIL = re.compile(
    r"(^|\.)(example\.(com|net|org)|[^.]+\.(example|test|invalid|localhost|local))$|^example$",
    re.I)
_DICT_PASSWORDS = {"password", "admin", "changeme", "secret", "root", "letmein", "qwerty",
                   "123456", "password1", "test", "guest", "default", "postgres", "mysql"}
_EMAILISH = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_IPV4ISH = re.compile(r"(?<![\w.])\d{1,3}(\.\d{1,3}){3}(?![\w.]*\d)")


def _covered(spans, a, b):
    return any(s <= a and b <= e for _, s, e in spans)


def _check(docs: list[LabelledDoc] | None = None, verbose: bool = False) -> list[str]:
    """Validate the set; returns a list of unlabelled email/IP-looking strings for review."""
    docs = docs if docs is not None else testset15_documents()
    names = [d.name for d in docs]
    assert len(set(names)) == len(names), "duplicate document names"
    review = []
    for d in docs:
        text = d.text
        assert "⟦" not in text and "⟧" not in text, d.name
        spans = sorted(d.spans, key=lambda s: s[1])
        prev = 0
        for kind, s, e in spans:
            assert kind in KINDS, (d.name, kind)
            assert 0 <= s < e <= len(text), (d.name, kind, s, e)
            v = text[s:e]
            assert v == v.strip() and v, (d.name, kind, v)
            assert s >= prev, (d.name, "overlap", v)
            prev = e
            if kind == "ip_address":
                a = ipaddress.ip_address(v)
                assert a.is_global and not a.is_multicast and v not in _RESOLVERS, (d.name, v)
            elif kind == "email":
                assert v.count("@") == 1, (d.name, v)
                dom = v.rsplit("@", 1)[1].lower()
                assert "." in dom and not _RESERVED_EMAIL.search(dom), (d.name, v)
            elif kind == "password":
                assert v.lower() not in _DICT_PASSWORDS, (d.name, v)
            elif kind == "key":
                assert "EXAMPLE" not in v, (d.name, v)
        # every repeat of a planted value inside its document is labelled too
        for kind, s, e in spans:
            v = text[s:e]
            for m in re.finditer(re.escape(v), text):
                a, b = m.start(), m.end()
                if v[0].isalnum() and a > 0 and text[a - 1].isalnum():
                    continue
                if v[-1].isalnum() and b < len(text) and text[b].isalnum():
                    continue
                assert _covered(spans, a, b), (d.name, "unlabelled repeat", kind, v)
        # candidates for review: email- and IP-looking strings left unlabelled
        for m in _EMAILISH.finditer(text):
            if not _covered(spans, m.start(), m.end()):
                review.append(f"{d.name}: email? {m.group()}")
        for m in _IPV4ISH.finditer(text):
            try:
                a = ipaddress.ip_address(m.group())
            except ValueError:
                continue
            if a.is_global and not _covered(spans, m.start(), m.end()):
                review.append(f"{d.name}: ip? {m.group()}")
    return review


if __name__ == "__main__":
    import sys
    docs = testset15_documents()
    review = _check(docs)
    counts = {k: 0 for k in KINDS}
    for d in docs:
        per = {k: 0 for k in KINDS}
        for kind, _, _ in d.spans:
            counts[kind] += 1
            per[kind] += 1
        if "-v" in sys.argv:
            print(f"{d.name:60s} lines={d.text.count(chr(10)) + 1:4d} " +
                  " ".join(f"{k}={n}" for k, n in per.items() if n))
    if "-v" in sys.argv:
        for line in review:
            print("review:", line)
    print(f"documents: {len(docs)}  spans: {sum(counts.values())}")
    for k, n in counts.items():
        print(f"  {k:11s} {n}")
    print(f"hard-negative-only documents: {sum(1 for d in docs if not d.spans)}")
