r"""Blind labelled test set #12 for the PII/secret scrubber.

About ninety documents that imitate files a developer finds when searching GitHub for leaked
credentials in permissively licensed repositories: web backends (Django, Rails, Laravel, Spring,
Express/Nest, ASP.NET, Go, Flask, FastAPI, PHP), mobile apps (Android, iOS, Flutter), data and
ML scripts (notebooks, Airflow, dbt, Spark, pandas, R), DevOps (GitHub Actions, GitLab CI,
Jenkins, Kubernetes, Helm, Terraform, Ansible, Vagrant, docker-compose, shell, PowerShell),
embedded sketches (Arduino/ESP32, Raspberry Pi, MicroPython), chat bots (Discord, Telegram,
Slack) and miscellaneous files (Postman collections, .npmrc/.pypirc/.netrc, SQL dumps, LDAP and
mail server configs, changelogs, READMEs, mailing-list archives, CONTRIBUTORS files, access
logs). The set was written blind: without reading the scrubber or the other labelled sets.
Planted secrets are written ``⟦kind|value⟧`` in the templates; every value (and most hard
negatives) is drawn from a ``random.Random`` seeded from ``SEED`` and the document's name.

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
import urllib.parse
import uuid

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1212

# ---------------------------------------------------------------------------------------------
# value generators
# ---------------------------------------------------------------------------------------------

UP, LO, DG = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UP + LO + DG
B64 = ALNUM + "+/"
B64U = ALNUM + "-_"
HEX = "0123456789abcdef"


def rs(r: random.Random, n: int, alpha: str = ALNUM) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def hexs(r: random.Random, n: int) -> str:
    return rs(r, n, HEX)


def digits(r: random.Random, n: int) -> str:
    return str(r.randint(1, 9)) + rs(r, n - 1, DG)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def fill(_tpl: str, /, **kw: object) -> str:
    """Replace «name» placeholders (braces stay free for the code in the templates)."""
    return re.sub(r"«(\w+)»", lambda m: str(kw[m.group(1)]), _tpl)


# markers
def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


# --- provider tokens --------------------------------------------------------------------------
def aws_id(r):
    return r.choice(["AKIA", "AKIA", "AKIA", "ASIA"]) + rs(r, 16, UP + "234567")


def aws_secret(r):
    return rs(r, 40, B64)


def ghp(r):
    return "ghp_" + rs(r, 36)


def gho(r):
    return "gho_" + rs(r, 36)


def github_pat(r):
    return "github_pat_11" + rs(r, 20, UP + DG) + "_" + rs(r, 59)


def glpat(r):
    return "glpat-" + rs(r, 20, ALNUM + "-_")


def xoxb(r):
    return f"xoxb-{digits(r, 12)}-{digits(r, 13)}-{rs(r, 24)}"


def xoxp(r):
    return f"xoxp-{digits(r, 12)}-{digits(r, 12)}-{digits(r, 13)}-{hexs(r, 32)}"


def xapp(r):
    return f"xapp-1-A{rs(r, 10, UP + DG)}-{digits(r, 13)}-{hexs(r, 64)}"


def slack_hook(r):
    return f"T{rs(r, 8, UP + DG)}/B{rs(r, 10, UP + DG)}/{rs(r, 24)}"


def sk_live(r):
    return "sk_live_" + (rs(r, 24) if r.random() < 0.5 else "51" + rs(r, 97))


def rk_live(r):
    return "rk_live_" + rs(r, 24)


def pk_live(r):
    return "pk_live_" + rs(r, 24)


def sendgrid(r):
    return "SG." + rs(r, 22, B64U) + "." + rs(r, 43, B64U)


def twilio_sk(r):
    return "SK" + hexs(r, 32)


def mailgun(r):
    return "key-" + hexs(r, 32) if r.random() < 0.5 else f"{hexs(r, 32)}-{hexs(r, 8)}-{hexs(r, 8)}"


def npm_tok(r):
    return "npm_" + rs(r, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmc" + rs(r, r.randint(120, 160), B64U)


def openai_key(r):
    if r.random() < 0.5:
        return "sk-" + rs(r, 48)
    return "sk-proj-" + rs(r, 74, B64U) + "T3BlbkFJ" + rs(r, 74, B64U)


def anthropic_key(r):
    return "sk-ant-api03-" + rs(r, 93, B64U) + "AA"


def hf_tok(r):
    return "hf_" + rs(r, 34, UP + LO)


def google_key(r):
    return "AIzaSy" + rs(r, 33, B64U)


def gocspx(r):
    return "GOCSPX-" + rs(r, 28, B64U)


def discord_tok(r):
    uid = str(r.randint(10**17, 10**18 - 1)).encode()
    return b64u(uid) + "." + rs(r, 6, B64U) + "." + rs(r, 38, B64U)


def telegram_tok(r):
    return f"{r.randint(10**8, 7 * 10**9)}:AA{rs(r, 33, B64U)}"


def jwt(r, payload: dict | None = None, alg: str = "HS256") -> str:
    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = payload or {"sub": str(r.randint(1000, 99999)), "iat": r.randint(1_600_000_000, 1_750_000_000)}
    body = b64u(json.dumps(payload, separators=(",", ":")).encode())
    return f"{head}.{body}.{rs(r, 43 if alg.startswith('HS') else 342, B64U)}"


_PEM_START = {
    "RSA PRIVATE KEY": "MIIEowIBAAKCAQEA",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA",
}
_PEM_LEN = {"RSA PRIVATE KEY": 1592, "EC PRIVATE KEY": 160, "PRIVATE KEY": 1620,
            "OPENSSH PRIVATE KEY": 340}


def pem(r, kind: str = "RSA PRIVATE KEY", sep: str = "\n", width: int = 64) -> str:
    total = _PEM_LEN[kind] + r.randint(-8, 8) * 4
    head = _PEM_START[kind]
    if kind == "OPENSSH PRIVATE KEY":
        width = 70
    body = head + rs(r, total - len(head), B64)
    body = body[: len(body) - 2] + "=="  if r.random() < 0.3 else body
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return sep.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def cert_block(r, sep: str = "\n") -> str:
    body = "MIID" + rs(r, 1100, B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return sep.join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"])


def ssh_pub(r, who: str) -> str:
    return f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{rs(r, 43, B64)} {who}"


def azure_key(r):
    return rs(r, 86, B64) + "=="


def shopify(r, kind="shpat"):
    return f"{kind}_" + hexs(r, 32)


def square_tok(r):
    return "EAAAE" + rs(r, 59, B64U)


def square_secret(r):
    return "sq0csp-" + rs(r, 43, B64U)


def do_tok(r):
    return "dop_v1_" + hexs(r, 64)


def heroku_tok(r):
    return "HRKU-AA" + rs(r, 58, B64U)


def mapbox_sk(r, user):
    return "sk." + b64u(json.dumps({"u": user, "a": rs(r, 25, LO + DG)}).encode()) + "." + rs(r, 22, B64U)


def vault_tok(r):
    return "hvs." + rs(r, 24)


def dapi(r):
    return "dapi" + hexs(r, 32)


def generic_key(r, n=None, alpha=ALNUM):
    return rs(r, n or r.choice([32, 40, 48, 64]), alpha)


def basic_auth(user: str, pw: str) -> str:
    return base64.b64encode(f"{user}:{pw}".encode()).decode()


# --- passwords --------------------------------------------------------------------------------
WORDS = ["Falcon", "Maple", "Sunset", "Tiger", "Orchid", "Rocket", "Winter", "Summer", "Dragon",
         "Cobalt", "Harbor", "Pepper", "Meadow", "Quartz", "Bison", "Lantern", "Nimbus",
         "Saffron", "Velvet", "Juniper", "Otter", "Granite", "Phoenix", "Walrus", "Mango",
         "Thunder", "Copper", "Willow", "Canyon", "Glacier", "Pickle", "Kiwi", "Zephyr",
         "Mustang", "Badger", "Comet", "Ember", "Hazel", "Raven", "Spruce"]
LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1", "s": "5"})


def pw_human(r, sym: str = "!@#$%*?") -> str:
    w1, w2 = r.sample(WORDS, 2)
    k = r.randrange(6)
    if k == 0:
        return f"{w1}{r.randint(2015, 2025)}{r.choice(sym)}"
    if k == 1:
        return f"{w1.lower()}{w2.lower()}{r.randint(10, 99)}"
    if k == 2:
        return f"{w1[0]}{w1[1:].lower().translate(LEET)}{r.choice(sym)}{r.randint(1, 9)}{w2[:3].lower()}"
    if k == 3:
        return f"{w1}{r.choice(sym)}{r.randint(100, 9999)}"
    if k == 4:
        return f"{w1.lower()}_{w2}{r.randint(1, 999)}"
    return f"{w1[:2].lower()}{r.choice(sym)}{w2.translate(LEET)}{r.randint(10, 99)}"


def pw_rand(r, n: int | None = None, sym: str = "!#%*-_.@$^") -> str:
    n = n or r.randint(10, 16)
    while True:
        s = rs(r, n, ALNUM + sym)
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s) and s[0] not in "-.":
            return s


def pw(r, sym: str = "!@#$%*?") -> str:
    return pw_human(r, sym) if r.random() < 0.6 else pw_rand(r, sym=sym.replace("?", "") or "_")


def pw_long(r) -> str:
    return rs(r, r.randint(24, 32))


# --- people and hosts ---------------------------------------------------------------------------
FIRST = ["anna", "bruno", "chen", "diego", "elena", "farah", "gustav", "hiro", "ines", "jonas",
         "kavya", "liam", "mei", "nikolai", "olga", "pedro", "quentin", "rania", "sven", "tomas",
         "uma", "viktor", "wen", "ximena", "yusuf", "zoe", "marta", "arjun", "lena", "oscar"]
LAST = ["albrecht", "barros", "castillo", "dubois", "eriksen", "fischer", "gallo", "haddad",
        "ivanova", "jensen", "kowalski", "lindqvist", "moreau", "nakamura", "okafor", "petrov",
        "quinn", "rossi", "sato", "tanaka", "ueda", "vasquez", "weber", "xu", "yilmaz", "zhang"]
FREEMAIL = ["gmail.com", "outlook.com", "yahoo.com", "protonmail.com", "hotmail.co.uk", "web.de",
            "gmx.de", "icloud.com", "fastmail.fm", "yandex.ru", "naver.com", "qq.com",
            "orange.fr", "libero.it", "mail.ru", "seznam.cz", "wp.pl", "bol.com.br"]
ORGDOM = ["brightwave.io", "northpeak-analytics.com", "kestrelsoft.de", "mail.tallgrass.co",
          "lumenhq.dev", "riverbend-clinic.org", "fjordcloud.no", "sakura-net.co.jp",
          "cafe-olivia.fr", "cs.uni-hohenberg.de", "dev.orbitly.app", "pinecrest.edu",
          "hq.vantapay.com", "quokka.studio", "makerspace-gent.be", "arcturus.ai",
          "lists.tidepool-project.net", "team.hopscotch.tech", "greenfield.coop", "zentro.com.mx"]


def person(r) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def email(r, domain: str | None = None, first: str | None = None, last: str | None = None) -> str:
    f, l = first or r.choice(FIRST), last or r.choice(LAST)
    dom = domain or r.choice(FREEMAIL + ORGDOM)
    local = r.choice([f"{f}.{l}", f"{f[0]}{l}", f, f"{f}_{l}{r.randint(1, 99)}", f"{f}{l[0]}"])
    return f"{local}@{dom}"


RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
             "208.67.222.222", "208.67.220.220", "4.2.2.2", "4.2.2.1", "64.6.64.6",
             "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111"}
_FIRST_OCT = [3, 5, 13, 18, 23, 31, 34, 35, 37, 45, 46, 51, 52, 54, 62, 64, 66, 77, 78, 80, 82,
              85, 88, 91, 94, 95, 103, 104, 109, 116, 128, 134, 138, 139, 141, 142, 144, 146, 152,
              157, 159, 161, 164, 165, 167, 170, 176, 178, 185, 188, 193, 194, 195, 199, 206, 212,
              213, 217]


def pub_ip(r) -> str:
    while True:
        s = f"{r.choice(_FIRST_OCT)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        a = ipaddress.ip_address(s)
        if a.is_global and not a.is_multicast and s not in RESOLVERS:
            return s


def pub_ip6(r) -> str:
    while True:
        pref = r.choice(["2a01:4f8:", "2a03:b0c0:3:", "2600:1f18:", "2604:a880:400:", "2001:41d0:",
                         "2a05:d014:", "2406:da18:", "2a02:c207:"])
        tail = ":".join(format(r.randint(1, 0xFFFF), "x") for _ in range(r.randint(1, 3)))
        s = f"{pref}{tail}::{format(r.randint(1, 0xFF), 'x')}"
        try:
            a = ipaddress.ip_address(s)
        except ValueError:
            continue
        if a.is_global and s not in RESOLVERS:
            return s


def priv_ip(r) -> str:
    k = r.randrange(3)
    if k == 0:
        return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}"
    if k == 1:
        return f"192.168.{r.randint(0, 255)}.{r.randint(2, 254)}"
    return f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 254)}"


def sha256_of(r) -> str:
    return hashlib.sha256(rs(r, 20).encode()).hexdigest()


def sha1_of(r) -> str:
    return hashlib.sha1(rs(r, 20).encode()).hexdigest()


def bcrypt_hash(r) -> str:
    return f"$2b$12${rs(r, 53, ALNUM + './')}"


def a_uuid(r) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


# ---------------------------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------------------------
def d_django_settings(r):
    admin1, admin2 = email(r, "kestrelsoft.de"), email(r)
    return "mysite/settings.py", fill('''\
"""
Django settings for mysite project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "«secret»"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "«ip»", "shop.«dom»"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "storages",
    "orders",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mysite",
        "USER": "mysite",
        "PASSWORD": "«dbpw»",
        "HOST": "«priv»",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "mysite",
        "USER": "readonly",
        "PASSWORD": os.environ.get("REPLICA_DB_PASSWORD", ""),
        "HOST": "«priv2»",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = 259200

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_FILE_STORAGE = "storages.backends.s3boto3.S3Boto3Storage"
AWS_ACCESS_KEY_ID = "«akid»"
AWS_SECRET_ACCESS_KEY = "«asec»"
AWS_STORAGE_BUCKET_NAME = "mysite-media"
AWS_S3_REGION_NAME = "eu-central-1"

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.gmail.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = «a1q»
EMAIL_HOST_PASSWORD = "«mailpw»"

ADMINS = [("Site admin", «a1q»), ("Ops", "«a2»")]
SERVER_EMAIL = «a1q»
''', secret=K("django-insecure-" + rs(r, 50, LO + DG + "!@#%^&*(-_=+)")), ip=I(pub_ip(r)),
        dom=r.choice(ORGDOM), dbpw=P(pw(r)), priv=priv_ip(r), priv2=priv_ip(r),
        akid=K(aws_id(r)), asec=K(aws_secret(r)), a1q='"' + E(admin1) + '"',
        mailpw=P(rs(r, 16, LO)), a2=E(admin2))


def d_rails_database_yml(r):
    host = pub_ip(r)
    return "config/database.yml", fill('''\
# PostgreSQL. Versions 9.3 and up are supported.
#
# Install the pg driver:
#   gem install pg
# On macOS with Homebrew:
#   gem install pg -- --with-pg-config=/usr/local/bin/pg_config
#
default: &default
  adapter: postgresql
  encoding: unicode
  # For details on connection pooling, see Rails configuration guide
  # https://guides.rubyonrails.org/configuring.html#database-pooling
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
  username: bookclub_app
  password: "«stpw»"
  host: «host»
  port: 5432

production:
  <<: *default
  database: bookclub_production
  username: bookclub
  password: <%= ENV["BOOKCLUB_DATABASE_PASSWORD"] %>
  host: <%= ENV["DATABASE_HOST"] %>
''', devpw=P(pw_human(r, "_")), stpw=P(pw(r)), host=I(host))


def d_rails_credentials(r):
    return "config/credentials.yml", fill('''\
# Decrypted with `bin/rails credentials:show` -- DO NOT COMMIT (oops)
# aws:
#   access_key_id: 123
#   secret_access_key: 345

secret_key_base: «skb»

aws:
  access_key_id: «akid»
  secret_access_key: «asec»
  region: us-east-2
  bucket: storefront-uploads-prod

stripe:
  publishable_key: «pk»
  secret_key: «sk»
  webhook_secret: «whsec»

smtp:
  user_name: apikey
  password: «sg»
  address: smtp.sendgrid.net

active_record_encryption:
  primary_key: «arpk»
  deterministic_key: «ardk»
  key_derivation_salt: «arsalt»

devise:
  pepper: «pepper»
''', skb=K(hexs(r, 128)), akid=K(aws_id(r)), asec=K(aws_secret(r)), pk=pk_live(r),
        sk=K(sk_live(r)), whsec=K("whsec_" + rs(r, 32)), sg=K(sendgrid(r)),
        arpk=K(rs(r, 32)), ardk=K(rs(r, 32)), arsalt=K(rs(r, 32)), pepper=K(hexs(r, 128)))


def d_laravel_env(r):
    mail = email(r, "gmail.com")
    return ".env", fill('''\
APP_NAME="Klinik Booking"
APP_ENV=production
APP_KEY=«appkey»
APP_DEBUG=false
APP_URL=https://booking.«dom»

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=«dbhost»
DB_PORT=3306
DB_DATABASE=klinik_booking
DB_USERNAME=klinik
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
MAIL_USERNAME=«mail»
MAIL_PASSWORD=«mailpw»
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="${MAIL_USERNAME}"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«akid»
AWS_SECRET_ACCESS_KEY=«asec»
AWS_DEFAULT_REGION=ap-southeast-1
AWS_BUCKET=klinik-booking-files
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=«pushid»
PUSHER_APP_KEY=
PUSHER_APP_SECRET=«pushsec»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=ap1

VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_HOST="${PUSHER_HOST}"
''', appkey=K("base64:" + base64.b64encode(r.randbytes(32)).decode()), dom=r.choice(ORGDOM),
        dbhost=I(pub_ip(r)), dbpw=P(pw(r, "!*_")), mail=E(mail), mailpw=P(rs(r, 16, LO)),
        akid=K(aws_id(r)), asec=K(aws_secret(r)), pushid=r.randint(1000000, 1999999),
        pushsec=K(hexs(r, 20)))


def d_spring_application_yml(r):
    ip = pub_ip(r)
    mail = email(r, r.choice(ORGDOM))
    return "src/main/resources/application.yml", fill('''\
server:
  port: 8081
  servlet:
    context-path: /api

spring:
  application:
    name: inventory-service
  datasource:
    url: jdbc:postgresql://«ip»:5432/inventory?sslmode=require
    username: inventory_svc
    password: «dbpw»
    driver-class-name: org.postgresql.Driver
    hikari:
      maximum-pool-size: 12
      connection-timeout: 20000
  jpa:
    hibernate:
      ddl-auto: validate
    show-sql: false
  flyway:
    enabled: true
    user: ${FLYWAY_USER:flyway}
    password: ${FLYWAY_PASSWORD}
  mail:
    host: smtp.office365.com
    port: 587
    username: «mail»
    password: '«mailpw»'
    properties:
      mail.smtp.auth: true
      mail.smtp.starttls.enable: true
  redis:
    host: 10.20.0.15
    port: 6379

app:
  jwt:
    secret: «jwt»
    expiration-ms: 86400000
  cors:
    allowed-origins: http://localhost:3000,https://inventory.«dom»

management:
  endpoints:
    web:
      exposure:
        include: health,info,prometheus

logging:
  level:
    root: INFO
    org.hibernate.SQL: WARN
''', ip=I(ip), dbpw=P(pw_human(r, "!_")), mail=E(mail), mailpw=P(pw(r, "!#%*")),
        jwt=K(base64.b64encode(r.randbytes(48)).decode()), dom=r.choice(ORGDOM))


def d_spring_properties(r):
    ip = pub_ip(r)
    return "src/main/resources/application-prod.properties", fill('''\
# ===============================
# = DATA SOURCE
# ===============================
spring.datasource.url=jdbc:mysql://«ip»:3306/hrms?useSSL=false&serverTimezone=UTC
spring.datasource.username=hrms_user
spring.datasource.password=«dbpw»
spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver

# ===============================
# = JPA / HIBERNATE
# ===============================
spring.jpa.show-sql=false
spring.jpa.hibernate.ddl-auto=update
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.MySQL8Dialect

# RabbitMQ
spring.rabbitmq.host=«ip»
spring.rabbitmq.port=5672
spring.rabbitmq.username=hrms
spring.rabbitmq.password=«rmqpw»

# OAuth2 (Google)
spring.security.oauth2.client.registration.google.client-id=«cid».apps.googleusercontent.com
spring.security.oauth2.client.registration.google.client-secret=«csec»
spring.security.oauth2.client.registration.google.scope=openid,profile,email

# File upload
spring.servlet.multipart.max-file-size=10MB
spring.servlet.multipart.max-request-size=10MB

# Actuator
management.endpoint.health.show-details=always
info.app.version=2.4.1.0
''', ip=I(ip), dbpw=P(pw(r, "!#*")), rmqpw=P(pw_rand(r, sym="_-")),
        cid=f"{digits(r, 12)}-{rs(r, 32, LO + DG)}", csec=K(gocspx(r)))


def d_express_config_js(r):
    ip = pub_ip(r)
    user = r.choice(["admin", "appuser", "root", "nodeapp"])
    mpw = pw(r, "-_.!*")
    adm = email(r)
    return "config/default.js", fill('''\
'use strict';

/**
 * Default configuration. Values here are overridden by config/production.js
 * and by environment variables (see custom-environment-variables.json).
 */
module.exports = {
  app: {
    name: 'tasky-api',
    port: process.env.PORT || 4000,
    corsOrigin: ['http://localhost:5173'],
  },
  db: {
    // mongodb+srv for Atlas, plain mongodb for the droplet
    uri: 'mongodb://«user»:«mpw»@«ip»:27017/tasky?authSource=admin',
    options: { maxPoolSize: 20, serverSelectionTimeoutMS: 5000 },
  },
  auth: {
    jwtSecret: '«jwt»',
    jwtExpiresIn: '7d',
    bcryptRounds: 10,
    passwordMinLength: 8,
  },
  mail: {
    provider: 'sendgrid',
    sendgridApiKey: '«sg»',
    from: 'Tasky <«adm»>',
    templates: {
      resetPassword: 'd-«tpl»',
    },
  },
  admin: {
    email: '«adm»',
  },
  logging: {
    level: 'info',
  },
};
''', user=user, mpw=P(mpw), ip=I(ip), jwt=K(rs(r, 64, LO + DG)), sg=K(sendgrid(r)),
        adm=E(adm), tpl=hexs(r, 32))


def d_nest_app_module(r):
    ip = pub_ip(r)
    return "src/app.module.ts", fill('''\
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtModule } from '@nestjs/jwt';
import { ConfigModule } from '@nestjs/config';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { UsersModule } from './users/users.module';
import { AuthModule } from './auth/auth.module';
import { User } from './users/entities/user.entity';
import { Order } from './orders/entities/order.entity';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRoot({
      type: 'postgres',
      host: '«ip»',
      port: 5432,
      username: 'nest',
      password: '«dbpw»',
      database: 'orders',
      entities: [User, Order],
      synchronize: false,
      ssl: { rejectUnauthorized: false },
    }),
    JwtModule.register({
      global: true,
      secret: '«jwt»',
      signOptions: { expiresIn: '3600s' },
    }),
    UsersModule,
    AuthModule,
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
''', ip=I(ip), dbpw=P(pw(r)), jwt=K(hexs(r, 64)))


def d_aspnet_appsettings(r):
    ip = pub_ip(r)
    frm = email(r, r.choice(ORGDOM))
    raw = pw_rand(r, 11, "!#%") 
    raw = raw[:4] + "\\" + raw[4:]
    return "WebApi/appsettings.Production.json", fill('''\
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«ip»,1433;Database=ClinicDb;User Id=sa;Password=«sapw»;TrustServerCertificate=True;",
    "Redis": "localhost:6379,abortConnect=false"
  },
  "Jwt": {
    "Key": "«jwtkey»",
    "Issuer": "https://api.clinic-portal.net",
    "Audience": "clinic-portal",
    "ExpiresMinutes": 60
  },
  "SendGrid": {
    "ApiKey": "«sg»",
    "FromEmail": "«frm»",
    "FromName": "Clinic Portal"
  },
  "Smtp": {
    "Host": "smtp.zoho.eu",
    "Port": 587,
    "User": "«frm»",
    "Password": "«smtppw»"
  },
  "Serilog": {
    "MinimumLevel": "Information",
    "WriteTo": [ { "Name": "Console" } ]
  }
}
''', ip=I(ip), sapw=P(pw(r, "!#*")), jwtkey=K(rs(r, 48)), sg=K(sendgrid(r)), frm=E(frm),
        smtppw=P(raw.replace("\\", "\\\\")))


def d_go_main(r):
    ip = pub_ip(r)
    return "cmd/server/main.go", fill('''\
package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	_ "github.com/lib/pq"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"
)

var jwtKey = []byte("«jwt»")

const dsn = "host=«ip» port=5432 user=payments password=«dbpw» dbname=payments sslmode=disable"

type server struct {
	db *sql.DB
}

func main() {
	stripe.Key = "«sk»"

	db, err := sql.Open("postgres", dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(10)
	db.SetConnMaxLifetime(5 * time.Minute)

	s := &server{db: db}
	http.HandleFunc("/pay", s.handlePay)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	log.Println("listening on :8080")
	log.Fatal(http.ListenAndServe("0.0.0.0:8080", nil))
}

func (s *server) handlePay(w http.ResponseWriter, r *http.Request) {
	tok, err := jwt.Parse(r.Header.Get("X-Token"), func(t *jwt.Token) (interface{}, error) {
		return jwtKey, nil
	})
	if err != nil || !tok.Valid {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	params := &stripe.PaymentIntentParams{
		Amount:   stripe.Int64(2000),
		Currency: stripe.String(string(stripe.CurrencyEUR)),
	}
	pi, err := paymentintent.New(params)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"client_secret": pi.ClientSecret})
}
''', jwt=K(rs(r, 32)), ip=I(ip), dbpw=P(pw_rand(r, sym="_-!")), sk=K(sk_live(r)))


def d_flask_app(r):
    ip = pub_ip(r)
    mail = email(r, "gmail.com")
    return "app.py", fill('''\
from flask import Flask, render_template, request, redirect, url_for, flash
from flask_sqlalchemy import SQLAlchemy
from flask_mail import Mail, Message
from flask_login import LoginManager, UserMixin, login_user, login_required
from werkzeug.security import generate_password_hash, check_password_hash

app = Flask(__name__)
app.config['SECRET_KEY'] = '«sk»'
app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql+pymysql://flaskuser:«dbpw»@«ip»/blog'
app.config['SQLALCHEMY_TRACK_MODIFICATIONS'] = False
app.config['MAIL_SERVER'] = 'smtp.gmail.com'
app.config['MAIL_PORT'] = 465
app.config['MAIL_USE_SSL'] = True
app.config['MAIL_USERNAME'] = '«mail»'
app.config['MAIL_PASSWORD'] = '«mailpw»'

db = SQLAlchemy(app)
mail = Mail(app)
login_manager = LoginManager(app)
login_manager.login_view = 'login'


class User(db.Model, UserMixin):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


@login_manager.user_loader
def load_user(user_id):
    return User.query.get(int(user_id))


@app.route('/login', methods=['GET', 'POST'])
def login():
    if request.method == 'POST':
        user = User.query.filter_by(email=request.form['email']).first()
        if user and user.check_password(request.form['password']):
            login_user(user)
            return redirect(url_for('index'))
        flash('Invalid email or password')
    return render_template('login.html')


@app.route('/contact', methods=['POST'])
def contact():
    msg = Message('New contact form message', sender='«mail»', recipients=['«mail»'])
    msg.body = request.form['message']
    mail.send(msg)
    return redirect(url_for('index'))


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=5000, debug=True)
''', sk=K(hexs(r, 48)), dbpw=P(pw(r, "-_.!*")), ip=I(ip), mail=E(mail), mailpw=P(rs(r, 16, LO)))


def d_wp_config(r):
    ip = pub_ip(r)
    salt = lambda: K(rs(r, 64, ALNUM + "!#$%&()*+,-./:;<=>?@[]^_{|}~ ").strip().replace(" ", "x"))
    return "wp-config.php", fill('''\
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
define( 'DB_USER', 'wp_bakery_usr' );

/** Database password */
define( 'DB_PASSWORD', '«dbpw»' );

/** Database hostname */
define( 'DB_HOST', '«ip»:3306' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 *
 * @since 2.6.0
 */
define( 'AUTH_KEY',         '«s1»' );
define( 'SECURE_AUTH_KEY',  '«s2»' );
define( 'LOGGED_IN_KEY',    '«s3»' );
define( 'NONCE_KEY',        '«s4»' );
/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );
define( 'FS_METHOD', 'direct' );
define( 'WP_MEMORY_LIMIT', '256M' );

/* That's all, stop editing! Happy publishing. */

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

require_once ABSPATH . 'wp-settings.php';
''', dbpw=P(pw(r, "!#*%")), ip=I(ip), s1=salt(), s2=salt(), s3=salt(), s4=salt())


def d_fastapi_config(r):
    su = email(r, r.choice(ORGDOM))
    return "backend/app/core/config.py", fill('''\
import secrets
from typing import Any, Dict, List, Optional, Union

from pydantic import AnyHttpUrl, EmailStr, PostgresDsn, validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    # SECRET_KEY: str = secrets.token_urlsafe(32)
    SECRET_KEY: str = "«sk»"
    # 60 minutes * 24 hours * 8 days = 8 days
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
    SERVER_NAME: str = "recipes"
    BACKEND_CORS_ORIGINS: List[AnyHttpUrl] = []

    PROJECT_NAME: str = "recipes"

    POSTGRES_SERVER: str = "db"
    POSTGRES_USER: str = "postgres"
    POSTGRES_PASSWORD: str = "«pgpw»"
    POSTGRES_DB: str = "recipes"
    SQLALCHEMY_DATABASE_URI: Optional[PostgresDsn] = None

    @validator("SQLALCHEMY_DATABASE_URI", pre=True)
    def assemble_db_connection(cls, v: Optional[str], values: Dict[str, Any]) -> Any:
        if isinstance(v, str):
            return v
        return PostgresDsn.build(
            scheme="postgresql",
            user=values.get("POSTGRES_USER"),
            password=values.get("POSTGRES_PASSWORD"),
            host=values.get("POSTGRES_SERVER"),
            path=f"/{values.get('POSTGRES_DB') or ''}",
        )

    SMTP_TLS: bool = True
    SMTP_PORT: Optional[int] = None
    SMTP_HOST: Optional[str] = None
    SMTP_USER: Optional[str] = None
    SMTP_PASSWORD: Optional[str] = None
    EMAILS_FROM_EMAIL: Optional[EmailStr] = None

    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48
    EMAIL_TEMPLATES_DIR: str = "/app/app/email-templates/build"

    FIRST_SUPERUSER: EmailStr = "«su»"
    FIRST_SUPERUSER_PASSWORD: str = "«supw»"
    USERS_OPEN_REGISTRATION: bool = False

    class Config:
        case_sensitive = True


settings = Settings()
''', sk=K(b64u(r.randbytes(32))), pgpw=P(pw(r)), su=E(su), supw=P(pw_human(r)))


def d_node_env(r):
    user = r.choice(["postgres", "app", "shopper"])
    return ".env.production", fill('''\
NODE_ENV=production
PORT=3000

# Database
DATABASE_URL=postgresql://«user»:«dbpw»@db.«dom»:5432/shop?schema=public

# Auth
SESSION_SECRET=«sess»
NEXTAUTH_URL=https://shop.«dom»
NEXTAUTH_SECRET=«nas»
GOOGLE_CLIENT_ID=«cid».apps.googleusercontent.com
GOOGLE_CLIENT_SECRET=«gsec»

# Payments
STRIPE_PUBLISHABLE_KEY=«pk»
STRIPE_SECRET_KEY=«sk»
STRIPE_WEBHOOK_SECRET=«whsec»

# AI product descriptions
OPENAI_API_KEY=«oai»

# Analytics
NEXT_PUBLIC_GA_ID=G-«ga»
''', user=user, dbpw=P(pw(r, "-_.")), dom=r.choice(ORGDOM), sess=K(hexs(r, 64)),
        nas=K(base64.b64encode(r.randbytes(32)).decode()),
        cid=f"{digits(r, 12)}-{rs(r, 32, LO + DG)}", gsec=K(gocspx(r)), pk=pk_live(r),
        sk=K(sk_live(r)), whsec=K("whsec_" + rs(r, 32)), oai=K(openai_key(r)),
        ga=rs(r, 10, UP + DG))


def d_java_jdbc_dao(r):
    ip = pub_ip(r)
    author = email(r)
    return "src/main/java/com/acme/library/dao/BookDao.java", fill('''\
package com.acme.library.dao;

import com.acme.library.model.Book;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain JDBC data access for books.
 *
 * @author «author»
 */
public class BookDao implements Dao<Book> {

    private static final String URL = "jdbc:mysql://«ip»:3306/library?useSSL=false";
    private static final String USER = "library";
    private static final String PASS = "«dbpw»";

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASS);
    }

    @Override
    public List<Book> findAll() {
        List<Book> books = new ArrayList<>();
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT id, title, isbn FROM books");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                books.add(new Book(rs.getLong("id"), rs.getString("title"), rs.getString("isbn")));
            }
        } catch (SQLException e) {
            e.printStackTrace();
        }
        return books;
    }

    @Override
    public void save(Book b) {
        try (Connection c = DriverManager.getConnection(URL, "root", "«rootpw»");
             PreparedStatement ps = c.prepareStatement("INSERT INTO books(title, isbn) VALUES (?, ?)")) {
            ps.setString(1, b.getTitle());
            ps.setString(2, b.getIsbn());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }
}
''', author=E(author), ip=I(ip), dbpw=P(pw(r, "!#*")), rootpw=P(pw_human(r, "!#")))


def d_csharp_smtp(r):
    frm = email(r, "outlook.com")
    to = email(r, r.choice(ORGDOM))
    return "Notifier/Program.cs", fill('''\
using System;
using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;

namespace Notifier
{
    internal static class Program
    {
        private const string SmtpHost = "smtp-mail.outlook.com";
        private const int SmtpPort = 587;

        private static async Task Main(string[] args)
        {
            var report = args.Length > 0 ? args[0] : "nightly";
            using var client = new SmtpClient(SmtpHost, SmtpPort)
            {
                EnableSsl = true,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential("«frm»", "«pw»")
            };

            var message = new MailMessage
            {
                From = new MailAddress("«frm»", "Build Bot"),
                Subject = $"[{report}] build finished",
                Body = $"The {report} build finished at {DateTime.Now:u}.",
                IsBodyHtml = false
            };
            message.To.Add("«to»");

            try
            {
                await client.SendMailAsync(message);
                Console.WriteLine("sent");
            }
            catch (SmtpException ex)
            {
                Console.Error.WriteLine($"Failed to send: {ex.StatusCode} {ex.Message}");
                Environment.Exit(1);
            }
        }
    }
}
''', frm=E(frm), to=E(to), pw=P(pw(r, "!#$%*")))



def d_rails_seeds(r):
    a, b = email(r, r.choice(ORGDOM)), email(r)
    pa, pb = pw_human(r), pw(r)
    return "db/seeds.rb", fill('''\
# This file should contain all the record creation needed to seed the database with its default values.
# The data can then be loaded with the bin/rails db:seed command.

puts "Seeding roles..."
%w[admin editor viewer].each { |name| Role.find_or_create_by!(name: name) }

puts "Seeding users..."
admin = User.find_or_create_by!(email: "«a»") do |u|
  u.name = "Site Admin"
  u.password = "«pa»"
  u.password_confirmation = "«pa»"
  u.confirmed_at = Time.current
end
admin.roles << Role.find_by(name: "admin") unless admin.has_role?(:admin)

editor = User.find_or_create_by!(email: "«b»") do |u|
  u.name = "Demo Editor"
  u.password = "«pb»"
  u.password_confirmation = "«pb»"
  u.confirmed_at = Time.current
end
editor.roles << Role.find_by(name: "editor")

puts "Seeding categories..."
["Fiction", "Science", "History", "Kids"].each do |title|
  Category.find_or_create_by!(title: title)
end

puts "Seeding books..."
20.times do |i|
  Book.create!(
    title: Faker::Book.title,
    isbn: Faker::Code.isbn,
    category: Category.all.sample,
    published_on: Faker::Date.between(from: 30.years.ago, to: Date.today)
  )
end

puts "Done. Log in as «a»"
''', a=E(a), b=E(b), pa=P(pa), pb=P(pb))


def d_django_tests(r):
    em = email(r, r.choice(FREEMAIL))
    p1, p2 = pw(r), pw_human(r)
    return "accounts/tests/test_views.py", fill('''\
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

User = get_user_model()


class LoginViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_user(
            username="jdoe",
            email="«em»",
            password="«p1»",
        )

    def test_login_page_renders(self):
        resp = self.client.get(reverse("accounts:login"))
        self.assertEqual(resp.status_code, 200)
        self.assertContains(resp, "Forgot password?")

    def test_login_with_valid_credentials(self):
        ok = self.client.login(username="jdoe", password="«p1»")
        self.assertTrue(ok)

    def test_login_with_wrong_password(self):
        resp = self.client.post(
            reverse("accounts:login"),
            {"username": "jdoe", "password": ""},
        )
        self.assertEqual(resp.status_code, 200)
        self.assertFalse(resp.wsgi_request.user.is_authenticated)

    def test_password_change(self):
        self.client.force_login(self.user)
        resp = self.client.post(
            reverse("accounts:password_change"),
            {
                "old_password": "«p1»",
                "new_password1": "«p2»",
                "new_password2": "«p2»",
            },
        )
        self.assertRedirects(resp, reverse("accounts:password_change_done"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password("«p2»"))

    def test_reset_password_url(self):
        reset_password_url = reverse("accounts:password_reset")
        resp = self.client.post(reset_password_url, {"email": "«em»"})
        self.assertEqual(resp.status_code, 302)
''', em=E(em), p1=P(p1), p2=P(p2))



def d_ktor_conf(r):
    ip = pub_ip(r)
    return "src/main/resources/application.conf", fill('''\
ktor {
    deployment {
        port = 8080
        port = ${?PORT}
    }
    application {
        modules = [ com.example.ApplicationKt.module ]
    }
}

jwt {
    domain = "https://jwt-provider-domain/"
    audience = "jwt-audience"
    realm = "ktor sample app"
    secret = "«jwt»"
}

database {
    driverClassName = "org.postgresql.Driver"
    jdbcURL = "jdbc:postgresql://«ip»:5432/notes"
    user = "notes"
    password = "«dbpw»"
    maxPoolSize = 8
}

storage {
    endpoint = "https://fra1.digitaloceanspaces.com"
    accessKey = "«spkey»"
    secretKey = "«spsec»"
    bucket = "notes-attachments"
}
''', jwt=K(rs(r, 40)), ip=I(ip), dbpw=P(pw(r)), spkey=K(rs(r, 20, UP + DG)),
        spsec=K(rs(r, 43, B64)))


def d_android_build_gradle(r):
    spw = pw(r, "!#_")
    return "app/build.gradle", fill('''\
plugins {
    id 'com.android.application'
    id 'org.jetbrains.kotlin.android'
    id 'com.google.gms.google-services'
}

android {
    namespace 'com.trailmate.app'
    compileSdk 34

    defaultConfig {
        applicationId "com.trailmate.app"
        minSdk 24
        targetSdk 34
        versionCode 42
        versionName "3.1.0"

        testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"
        buildConfigField "String", "WEATHER_API_KEY", "\\"«wkey»\\""
        buildConfigField "String", "BASE_URL", "\\"https://api.trailmate.app/v2/\\""
        manifestPlaceholders = [MAPS_API_KEY: "«maps»"]
    }

    signingConfigs {
        release {
            storeFile file("../keystore/trailmate-release.jks")
            storePassword "«spw»"
            keyAlias "trailmate"
            keyPassword "«spw»"
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
    kotlinOptions {
        jvmTarget = '17'
    }
    buildFeatures {
        buildConfig true
        viewBinding true
    }
}

dependencies {
    implementation 'androidx.core:core-ktx:1.12.0'
    implementation 'androidx.appcompat:appcompat:1.6.1'
    implementation 'com.google.android.material:material:1.11.0'
    implementation 'com.google.android.gms:play-services-maps:18.2.0'
    implementation 'com.squareup.retrofit2:retrofit:2.9.0'
    implementation 'com.squareup.retrofit2:converter-gson:2.9.0'
    implementation platform('com.google.firebase:firebase-bom:32.7.0')
    testImplementation 'junit:junit:4.13.2'
    androidTestImplementation 'androidx.test.ext:junit:1.1.5'
}
''', wkey=K(hexs(r, 32)), maps=K(google_key(r)), spw=P(spw))


def d_android_api_client(r):
    ip = pub_ip(r)
    return "app/src/main/java/com/pocketbudget/net/ApiClient.kt", fill('''\
package com.pocketbudget.net

import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.moshi.MoshiConverterFactory
import java.util.concurrent.TimeUnit

object ApiClient {

    // TODO move to local.properties before release
    private const val BASE_URL = "http://«ip»:8000/api/"
    private const val API_KEY = "«apikey»"
    private const val PLAID_SECRET = "«plaid»"

    private val authInterceptor = Interceptor { chain ->
        val request = chain.request().newBuilder()
            .addHeader("X-Api-Key", API_KEY)
            .addHeader("Authorization", "Bearer «bearer»")
            .build()
        chain.proceed(request)
    }

    private val logging = HttpLoggingInterceptor().apply {
        level = HttpLoggingInterceptor.Level.BODY
    }

    private val client = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .addInterceptor(logging)
        .connectTimeout(30, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS)
        .build()

    val retrofit: Retrofit = Retrofit.Builder()
        .baseUrl(BASE_URL)
        .client(client)
        .addConverterFactory(MoshiConverterFactory.create())
        .build()

    inline fun <reified T> create(): T = retrofit.create(T::class.java)
}
''', ip=I(ip), apikey=K(rs(r, 40)), plaid=K(hexs(r, 30)),
        bearer=K(jwt(r, {"user_id": r.randint(1, 5000), "exp": 1924992000})))


def d_gradle_properties(r):
    return "gradle.properties", fill('''\
# Project-wide Gradle settings.
# IDE (e.g. Android Studio) users:
# Gradle settings configured through the IDE *will override*
# any settings specified in this file.
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
android.useAndroidX=true
kotlin.code.style=official
android.nonTransitiveRClass=true

# Release signing
RELEASE_STORE_FILE=release.keystore
RELEASE_STORE_PASSWORD=«sp»
RELEASE_KEY_ALIAS=upload
RELEASE_KEY_PASSWORD=«kp»

# Maps / services
MAPS_API_KEY=«maps»
SENTRY_AUTH_TOKEN=«sentry»

# Maven Central publishing
mavenCentralUsername=«mcu»
mavenCentralPassword=«mcp»
signing.keyId=«keyid»
signing.password=«sigpw»
signing.secretKeyRingFile=/Users/dev/.gnupg/secring.gpg
''', sp=P(pw(r, "!#*")), kp=P(pw_human(r, "!#")), maps=K(google_key(r)),
        sentry=K("sntrys_" + rs(r, 120, B64U)), mcu=rs(r, 8, LO + DG), mcp=P(rs(r, 44, B64U)),
        keyid=hexs(r, 8).upper(), sigpw=P(pw(r, "!#*")))


def d_swift_config(r):
    ip = pub_ip(r)
    return "TravelBuddy/Config/AppConfig.swift", fill('''\
//
//  AppConfig.swift
//  TravelBuddy
//
//  Created by Dev on 14/03/2023.
//

import Foundation

enum Environment {
    case development
    case production
}

struct AppConfig {
    static let environment: Environment = .production

    static var baseURL: URL {
        switch environment {
        case .development:
            return URL(string: "http://localhost:8080")!
        case .production:
            return URL(string: "https://«ip»/api")!
        }
    }

    // Stripe
    static let stripePublishableKey = "«pk»"
    static let stripeSecretKey = "«sk»"

    // Google Places
    static let placesAPIKey = "«gkey»"

    // Amadeus flight search
    static let amadeusClientId = "«amid»"
    static let amadeusClientSecret = "«amsec»"

    static let requestTimeout: TimeInterval = 20
    static let appGroup = "group.com.travelbuddy.shared"
}
''', ip=I(ip), pk=pk_live(r), sk=K(sk_live(r)), gkey=K(google_key(r)), amid=rs(r, 32),
        amsec=K(rs(r, 16)))


def d_google_service_plist(r):
    proj = r.choice(["trailmate", "pocketbudget", "snapnote", "fitloop"]) + "-" + digits(r, 5)
    num = digits(r, 12)
    return "Runner/GoogleService-Info.plist", fill('''\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CLIENT_ID</key>
	<string>«num»-«cid».apps.googleusercontent.com</string>
	<key>REVERSED_CLIENT_ID</key>
	<string>com.googleusercontent.apps.«num»-«cid»</string>
	<key>API_KEY</key>
	<string>«key»</string>
	<key>GCM_SENDER_ID</key>
	<string>«num»</string>
	<key>PLIST_VERSION</key>
	<string>1</string>
	<key>BUNDLE_ID</key>
	<string>com.example.«app»</string>
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
</dict>
</plist>
''', num=num, cid=rs(r, 32, LO + DG), key=K(google_key(r)), app=proj.split("-")[0],
        proj=proj, appid=hexs(r, 22))


def d_flutter_constants(r):
    user = r.choice(["tomasdev", "meiapps", "kavya-codes"])
    support = email(r, r.choice(ORGDOM))
    return "lib/core/constants.dart", fill('''\
import 'package:flutter/material.dart';

class AppConstants {
  AppConstants._();

  static const String appName = 'Recipe Box';
  static const String supportEmail = '«support»';

  // Supabase
  static const String supabaseUrl = 'https://«ref».supabase.co';
  static const String supabaseServiceKey =
      '«svc»';

  // Mapbox (secret token needed for downloads)
  static const String mapboxDownloadsToken = '«mapbox»';

  // Spoonacular
  static const String spoonacularApiKey = '«spoon»';

  static const Duration httpTimeout = Duration(seconds: 15);
  static const int pageSize = 20;

  static const Color primary = Color(0xFF2E7D32);
  static const Color accent = Color(0xFFFFA000);

  static const String iconAsset = 'assets/icons/logo@2x.png';
}
''', support=E(support), ref=rs(r, 20, LO),
        svc=K(jwt(r, {"iss": "supabase", "ref": rs(r, 20, LO), "role": "service_role",
                      "iat": 1690000000, "exp": 2005576000})),
        mapbox=K(mapbox_sk(r, user)), spoon=K(hexs(r, 32)))


def d_firebase_js(r):
    proj = r.choice(["chatterbox", "pantry-pal", "quizzly"]) + "-" + rs(r, 5, LO + DG)
    return "src/firebase.js", fill('''\
// Import the functions you need from the SDKs you need
import { initializeApp } from "firebase/app";
import { getAuth } from "firebase/auth";
import { getFirestore } from "firebase/firestore";
import { getStorage } from "firebase/storage";

// Your web app's Firebase configuration
// For Firebase JS SDK v7.20.0 and later, measurementId is optional
const firebaseConfig = {
  apiKey: "«key»",
  authDomain: "«proj».firebaseapp.com",
  projectId: "«proj»",
  storageBucket: "«proj».appspot.com",
  messagingSenderId: "«sender»",
  appId: "1:«sender»:web:«appid»",
  measurementId: "G-«mid»"
};

// Algolia search (admin key should not be here!)
export const ALGOLIA_APP_ID = "«algid»";
export const ALGOLIA_ADMIN_KEY = "«algadmin»";

// Initialize Firebase
const app = initializeApp(firebaseConfig);
export const auth = getAuth(app);
export const db = getFirestore(app);
export const storage = getStorage(app);
export default app;
''', key=K(google_key(r)), proj=proj, sender=digits(r, 12), appid=hexs(r, 22),
        mid=rs(r, 10, UP + DG), algid=rs(r, 10, UP + DG),
        algadmin=K(hexs(r, 32)))


def d_notebook(r):
    ip = pub_ip(r)
    dbpw = pw(r, "!#*")
    oai = openai_key(r)
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Churn analysis\n", "\n",
                                                               "Pull last quarter's subscriptions and score them."]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": [
            "import pandas as pd\n", "import psycopg2\n", "import openai\n",
            "import matplotlib.pyplot as plt\n", "%matplotlib inline"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": [
            "conn = psycopg2.connect(\n",
            "    host=\"@@IP@@\",\n",
            "    dbname=\"analytics\",\n",
            "    user=\"analyst\",\n",
            "    password=\"@@PW@@\",\n",
            ")\n",
            "df = pd.read_sql(\"SELECT * FROM subscriptions WHERE started_at > now() - interval '90 days'\", conn)\n",
            "df.shape"]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [
            {"data": {"text/plain": ["(48213, 17)"]}, "execution_count": 3, "metadata": {},
             "output_type": "execute_result"}], "source": ["df.describe()"]},
        {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [], "source": [
            "openai.api_key = \"@@OAI@@\"\n",
            "def summarize(text):\n",
            "    resp = openai.chat.completions.create(model=\"gpt-4o-mini\", messages=[{\"role\": \"user\", \"content\": text}])\n",
            "    return resp.choices[0].message.content"]},
        {"cell_type": "code", "execution_count": 5, "metadata": {}, "outputs": [], "source": [
            "df.groupby('plan')['churned'].mean().plot.bar()\n", "plt.show()"]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                       "name": "python3"},
                                        "language_info": {"name": "python", "version": "3.10.12"}},
          "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(nb, indent=1, ensure_ascii=False)
    text = text.replace("@@IP@@", I(ip)).replace("@@PW@@", P(dbpw)).replace("@@OAI@@", K(oai))
    return "notebooks/churn_analysis.ipynb", text + "\n"


def d_airflow_dag(r):
    owner1, owner2 = email(r, r.choice(ORGDOM)), email(r, r.choice(ORGDOM))
    return "dags/daily_sales_etl.py", fill('''\
from datetime import datetime, timedelta

from airflow import DAG, settings
from airflow.models import Connection
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

default_args = {
    "owner": "data-eng",
    "depends_on_past": False,
    "email": ["«o1»", "«o2»"],
    "email_on_failure": True,
    "email_on_retry": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}


def ensure_connection():
    """Create the warehouse connection if it doesn't exist (first deploy only)."""
    session = settings.Session()
    if not session.query(Connection).filter(Connection.conn_id == "warehouse").first():
        conn = Connection(
            conn_id="warehouse",
            conn_type="postgres",
            host="warehouse.internal",
            login="etl",
            password="«whpw»",
            schema="sales",
            port=5432,
        )
        session.add(conn)
        session.commit()


def load_sales(**context):
    hook = PostgresHook(postgres_conn_id="warehouse")
    ds = context["ds"]
    hook.run(f"CALL sales.load_daily('{ds}')")


with DAG(
    dag_id="daily_sales_etl",
    default_args=default_args,
    schedule_interval="0 3 * * *",
    start_date=datetime(2023, 1, 1),
    catchup=False,
    tags=["sales", "etl"],
) as dag:
    init = PythonOperator(task_id="ensure_connection", python_callable=ensure_connection)
    load = PythonOperator(task_id="load_sales", python_callable=load_sales)
    notify = SlackWebhookOperator(
        task_id="notify_slack",
        webhook_token="https://hooks.slack.com/services/«hook»",
        message="daily_sales_etl finished for {{ ds }}",
        channel="#data-alerts",
    )

    init >> load >> notify
''', o1=E(owner1), o2=E(owner2), whpw=P(pw(r)), hook=K(slack_hook(r)))


def d_dbt_profiles(r):
    ip = pub_ip(r)
    acct = rs(r, 7, UP + DG).lower() + ".eu-west-1"
    return "profiles.yml", fill('''\
# ~/.dbt/profiles.yml  (copied into repo for the CI runner)
jaffle_shop:
  target: dev
  outputs:
    dev:
      type: postgres
      host: «ip»
      user: dbt_dev
      password: «devpw»
      port: 5432
      dbname: analytics
      schema: dbt_dev
      threads: 4
      keepalives_idle: 0
      connect_timeout: 10

    prod:
      type: snowflake
      account: «acct»
      user: DBT_PROD
      password: "«sfpw»"
      role: TRANSFORMER
      database: ANALYTICS
      warehouse: TRANSFORMING
      schema: marts
      threads: 8
      client_session_keep_alive: False

    ci:
      type: postgres
      host: "{{ env_var('DBT_HOST') }}"
      user: "{{ env_var('DBT_USER') }}"
      password: "{{ env_var('DBT_PASSWORD') }}"
      port: 5432
      dbname: analytics
      schema: "dbt_ci_{{ env_var('GITHUB_RUN_ID', 'local') }}"
      threads: 4
''', ip=I(ip), devpw=P(pw_human(r, "_")), acct=acct, sfpw=P(pw(r, "!#*%")))


def d_pyspark_job(r):
    ip = pub_ip(r)
    acct = r.choice(["lakeprod", "rawzone", "dlsanalytics"]) + rs(r, 3, LO + DG)
    return "jobs/ingest_orders.py", fill('''\
"""Nightly ingest: JDBC (orders DB) -> ADLS bronze -> S3 export for the partner."""
import sys
from datetime import date

from pyspark.sql import SparkSession, functions as F

RUN_DATE = sys.argv[1] if len(sys.argv) > 1 else date.today().isoformat()

spark = (
    SparkSession.builder.appName("ingest_orders")
    .config("spark.sql.shuffle.partitions", "64")
    .config("spark.hadoop.fs.s3a.access.key", "«akid»")
    .config("spark.hadoop.fs.s3a.secret.key", "«asec»")
    .getOrCreate()
)
spark.conf.set(
    "fs.azure.account.key.«acct».dfs.core.windows.net",
    "«azkey»",
)

orders = (
    spark.read.format("jdbc")
    .option("url", "jdbc:sqlserver://«ip»:1433;databaseName=Orders")
    .option("dbtable", "dbo.Orders")
    .option("user", "spark_reader")
    .option("password", "«dbpw»")
    .option("fetchsize", 10000)
    .load()
    .where(F.col("OrderDate") == F.lit(RUN_DATE))
)

bronze = f"abfss://bronze@«acct».dfs.core.windows.net/orders/dt={RUN_DATE}"
orders.write.mode("overwrite").parquet(bronze)

(
    orders.select("OrderId", "CustomerId", "Total", "Currency")
    .coalesce(1)
    .write.mode("overwrite")
    .option("header", True)
    .csv(f"s3a://partner-exports/orders/{RUN_DATE}/")
)
spark.stop()
''', akid=K(aws_id(r)), asec=K(aws_secret(r)), acct=acct, azkey=K(azure_key(r)), ip=I(ip),
        dbpw=P(pw(r, "!#*")))


def d_pandas_report(r):
    ip, ip2 = pub_ip(r), pub_ip(r)
    author = email(r, r.choice(ORGDOM))
    raw = pw_human(r, "@#!")
    enc = urllib.parse.quote(raw, safe="")
    return "scripts/weekly_report.py", fill('''\
#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
weekly_report.py -- builds the weekly KPI workbook for the ops team.

Author: «author»
Usage:  python weekly_report.py --week 2023-W14
"""
import argparse
import datetime as dt

import pandas as pd
import pymssql
from sqlalchemy import create_engine

PG = create_engine("postgresql+psycopg2://reporting:«enc»@«ip»:5432/ops")


def erp_connection():
    return pymssql.connect(server="«ip2»", user="ERP\\\\reporting", password="«erppw»",
                           database="ERP", port=1433)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--week", default=dt.date.today().strftime("%G-W%V"))
    args = ap.parse_args()

    tickets = pd.read_sql("SELECT * FROM tickets WHERE iso_week = %(w)s", PG, params={"w": args.week})
    with erp_connection() as conn:
        invoices = pd.read_sql("SELECT InvoiceNo, Amount, Customer FROM Invoices", conn)

    summary = (
        tickets.groupby("team")
        .agg(opened=("id", "count"), median_hours=("resolution_hours", "median"))
        .reset_index()
    )
    with pd.ExcelWriter(f"kpi_{args.week}.xlsx") as xl:
        summary.to_excel(xl, sheet_name="tickets", index=False)
        invoices.to_excel(xl, sheet_name="invoices", index=False)
    print(f"wrote kpi_{args.week}.xlsx")


if __name__ == "__main__":
    main()
''', author=E(author), enc=P(enc), ip=I(ip), ip2=I(ip2), erppw=P(pw(r, "!#*")))



def d_r_script(r):
    ip = pub_ip(r)
    who = email(r, "pinecrest.edu")
    return "analysis/01_load_data.R", fill('''\
# -----------------------------------------------------------------------------
# 01_load_data.R
# Pull survey responses from the lab database and cache them as .rds
# Contact: «who»
# -----------------------------------------------------------------------------

library(DBI)
library(RPostgres)
library(dplyr)
library(lubridate)

con <- dbConnect(
  RPostgres::Postgres(),
  host     = "«ip»",
  port     = 5432,
  dbname   = "survey",
  user     = "lab_ro",
  password = "«pw»"
)

responses <- tbl(con, "responses") %>%
  filter(wave %in% c(3, 4)) %>%
  collect() %>%
  mutate(submitted = ymd_hms(submitted_at))

participants <- dbGetQuery(con, "SELECT id, age_group, region FROM participants")

dbDisconnect(con)

dat <- responses %>%
  left_join(participants, by = c("participant_id" = "id"))

saveRDS(dat, "data/derived/responses_w34.rds")
message("Saved ", nrow(dat), " rows")
''', who=E(who), ip=I(ip), pw=P(pw(r, "!#*")))


def d_ml_train(r):
    return "train.py", fill('''\
import os
import argparse

import torch
import wandb
from datasets import load_dataset
from huggingface_hub import login, hf_hub_download
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

# NOTE: remove before pushing
wandb.login(key="«wandb»")
login(token="«hf»")

BASE_MODEL = "distilbert-base-uncased"
# sha256 of the reference checkpoint we compare against
REFERENCE_SHA256 = "«sha»"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--output", default="out/")
    args = p.parse_args()

    ds = load_dataset("imdb")
    tok = AutoTokenizer.from_pretrained(BASE_MODEL)
    ds = ds.map(lambda b: tok(b["text"], truncation=True, padding="max_length"), batched=True)

    model = AutoModelForSequenceClassification.from_pretrained(BASE_MODEL, num_labels=2)
    targs = TrainingArguments(
        output_dir=args.output,
        num_train_epochs=args.epochs,
        learning_rate=args.lr,
        per_device_train_batch_size=32,
        evaluation_strategy="epoch",
        report_to="wandb",
        run_name=f"imdb-{args.lr}",
        push_to_hub=True,
        hub_token=os.environ.get("HF_TOKEN"),
    )
    trainer = Trainer(model=model, args=targs, train_dataset=ds["train"], eval_dataset=ds["test"])
    trainer.train()
    trainer.push_to_hub()


if __name__ == "__main__":
    main()
''', wandb=K(hexs(r, 40)), hf=K(hf_tok(r)), sha=sha256_of(r))


def d_github_actions(r):
    dh_user = r.choice(["mtanaka", "olgap", "brightwaveci"])
    return ".github/workflows/deploy.yml", fill('''\
name: Build and deploy

on:
  push:
    branches: [ main ]
  workflow_dispatch:

env:
  AWS_REGION: eu-west-1
  ECR_REPOSITORY: billing-api
  AWS_ACCESS_KEY_ID: «akid»
  AWS_SECRET_ACCESS_KEY: «asec»

jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm

      - run: npm ci
      - run: npm test -- --ci

      - name: Log in to Docker Hub
        run: echo "«dhpat»" | docker login -u «dhuser» --password-stdin

      - name: Log in to ECR
        uses: aws-actions/amazon-ecr-login@v2

      - name: Build, tag, and push image
        env:
          IMAGE_TAG: ${{ github.sha }}
          REGISTRY: ${{ steps.login-ecr.outputs.registry }}
        run: |
          docker build -t $REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG .
          docker push $REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG

      - name: Deploy
        uses: appleboy/ssh-action@v1.0.3
        with:
          host: ${{ secrets.DEPLOY_HOST }}
          username: deploy
          password: «sshpw»
          script: |
            cd /srv/billing-api && docker compose pull && docker compose up -d

      - name: Notify
        if: always()
        uses: slackapi/slack-github-action@v1.24.0
        with:
          payload: '{"text": "billing-api deploy: ${{ job.status }}"}'
        env:
          SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}
''', akid=K(aws_id(r)), asec=K(aws_secret(r)), dhpat=K("dckr_pat_" + rs(r, 27, B64U)),
        dhuser=dh_user, sshpw=P(pw(r, "!#%*")))


def d_gitlab_ci(r):
    ip = pub_ip(r)
    return ".gitlab-ci.yml", fill('''\
stages:
  - test
  - build
  - deploy

variables:
  POSTGRES_DB: app_test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: "«pgpw»"
  DATABASE_URL: "postgres://runner:«pgpw»@postgres:5432/app_test"
  DOCKER_DRIVER: overlay2
  GITLAB_API_TOKEN: «glpat»

test:
  stage: test
  image: python:3.11-slim
  services:
    - postgres:15
  before_script:
    - pip install -r requirements-dev.txt
  script:
    - pytest -q --cov=app

build:
  stage: build
  image: docker:24
  services:
    - docker:24-dind
  script:
    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA

deploy_production:
  stage: deploy
  image: alpine:3.19
  only:
    - main
  before_script:
    - apk add --no-cache openssh-client sshpass
  script:
    - sshpass -p '«sshpw»' ssh -o StrictHostKeyChecking=no deploy@«ip» "cd /opt/app && ./deploy.sh $CI_COMMIT_SHORT_SHA"
    - 'curl --request POST --header "PRIVATE-TOKEN: $GITLAB_API_TOKEN" "https://gitlab.com/api/v4/projects/$CI_PROJECT_ID/releases"'
  environment:
    name: production
    url: http://«ip»
''', pgpw=P(pw(r, "!_")), glpat=K(glpat(r)), sshpw=P(pw(r, "!#%*")), ip=I(ip))


def d_jenkinsfile(r):
    ip = pub_ip(r)
    return "Jenkinsfile", fill('''\
pipeline {
    agent any

    environment {
        APP = 'warehouse-api'
        NEXUS_URL = 'https://nexus.«dom»/repository/maven-releases/'
        NEXUS_USER = 'deployment'
        NEXUS_PASS = '«nexuspw»'
        SONAR_TOKEN = '«sonar»'
    }

    tools {
        maven 'maven-3.9'
        jdk 'jdk-17'
    }

    stages {
        stage('Checkout') {
            steps {
                checkout scm
            }
        }
        stage('Build') {
            steps {
                sh 'mvn -B clean package -DskipTests'
            }
        }
        stage('Test') {
            steps {
                sh 'mvn -B test'
                junit 'target/surefire-reports/*.xml'
            }
        }
        stage('Sonar') {
            steps {
                sh "mvn sonar:sonar -Dsonar.login=${SONAR_TOKEN}"
            }
        }
        stage('Publish') {
            steps {
                sh "mvn deploy -DaltDeploymentRepository=nexus::default::${NEXUS_URL} -Dnexus.user=${NEXUS_USER} -Dnexus.password=${NEXUS_PASS}"
            }
        }
        stage('Deploy') {
            steps {
                withCredentials([usernamePassword(credentialsId: 'prod-ssh', usernameVariable: 'U', passwordVariable: 'P')]) {
                    sh "sshpass -p \\$P scp target/${APP}.jar \\$U@«ip»:/opt/${APP}/"
                }
                sh "sshpass -p '«sshpw»' ssh root@«ip» 'systemctl restart ${APP}'"
            }
        }
    }

    post {
        failure {
            sh "curl -s -u jenkins:«jtok» -X POST http://ci.internal:8080/job/notify/build"
        }
    }
}
''', ip=I(ip), dom=r.choice(ORGDOM), nexuspw=P(pw(r, "!#*")), sonar=K("squ_" + hexs(r, 40)),
        sshpw=P(pw(r, "!#%*")), jtok=K("11" + hexs(r, 32)))


def d_k8s_secret(r):
    return "k8s/base/secrets.yaml", fill('''\
apiVersion: v1
kind: Secret
metadata:
  name: orders-secrets
  namespace: orders
  labels:
    app.kubernetes.io/name: orders
type: Opaque
stringData:
  DATABASE_PASSWORD: "«dbpw»"
  RABBITMQ_PASSWORD: «rmq»
  STRIPE_API_KEY: «sk»
  JWT_SIGNING_KEY: «jwt»
  SENTRY_DSN: https://«sentrypub»@o«org».ingest.sentry.io/«proj»
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: orders
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: |
    {"auths":{"ghcr.io":{"username":"orders-bot","password":"«ghp»"}}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: orders
spec:
  replicas: 3
  selector:
    matchLabels:
      app: orders
  template:
    metadata:
      labels:
        app: orders
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: orders
          image: ghcr.io/acme/orders@sha256:«digest»
          ports:
            - containerPort: 8080
          envFrom:
            - secretRef:
                name: orders-secrets
          env:
            - name: REDIS_URL
              value: redis://:«redispw»@redis-master.orders.svc.cluster.local:6379/0
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
''', dbpw=P(pw(r, "!#*")), rmq=P(pw_rand(r, sym="_-")), sk=K(rk_live(r)), jwt=K(rs(r, 64)),
        sentrypub=hexs(r, 32), org=digits(r, 6), proj=digits(r, 7), ghp=K(ghp(r)),
        digest=sha256_of(r), redispw=P(pw_rand(r, sym="_-")))


def d_helm_values(r):
    ip = pub_ip(r)
    smtp_user = email(r, r.choice(ORGDOM))
    return "charts/gitea/values-prod.yaml", fill('''\
replicaCount: 1

image:
  repository: gitea/gitea
  tag: 1.21.4
  pullPolicy: IfNotPresent

service:
  http:
    type: LoadBalancer
    port: 3000
    loadBalancerIP: «ip»
  ssh:
    type: LoadBalancer
    port: 22

ingress:
  enabled: false

persistence:
  enabled: true
  size: 50Gi
  storageClass: do-block-storage

gitea:
  admin:
    username: gitea_admin
    password: "«adminpw»"
    email: "«smtp_user»"
  config:
    server:
      DOMAIN: git.«dom»
      ROOT_URL: https://git.«dom»/
    mailer:
      ENABLED: true
      PROTOCOL: smtp+starttls
      SMTP_ADDR: smtp.mailgun.org
      SMTP_PORT: 587
      FROM: "Gitea <«smtp_user»>"
      USER: «smtp_user»
      PASSWD: "«smtppw»"
    security:
      SECRET_KEY: «seckey»
      INTERNAL_TOKEN: «itok»

postgresql:
  enabled: true
  global:
    postgresql:
      auth:
        postgresPassword: «pgpw»
        password: «pgpw2»
        database: gitea
        username: gitea

redis-cluster:
  enabled: false
''', ip=I(ip), adminpw=P(pw(r, "!#*")), smtp_user=E(smtp_user), dom=r.choice(ORGDOM),
        smtppw=P(pw_rand(r, 20, sym="_-")), seckey=K(rs(r, 64)),
        itok=K(jwt(r, {"nbf": r.randint(1_600_000_000, 1_700_000_000)})),
        pgpw=P(pw_rand(r, sym="_")), pgpw2=P(pw_human(r, "_")))


def d_terraform_main(r):
    ip, ip2 = pub_ip(r), pub_ip(r)
    acct = digits(r, 12)
    return "infra/main.tf", fill('''\
terraform {
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
  access_key = "«akid»"
  secret_key = "«asec»"
}

resource "aws_security_group" "db" {
  name   = "reporting-db"
  vpc_id = var.vpc_id

  ingress {
    description = "office"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["«ip»/32", "«ip2»/32", "10.0.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "reporting" {
  identifier             = "reporting"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.medium"
  allocated_storage      = 100
  db_name                = "reporting"
  username               = "reporting_admin"
  password               = "«dbpw»"
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = true
  kms_key_id             = "arn:aws:kms:us-west-2:«acct»:key/«kmsid»"
  skip_final_snapshot    = true
  publicly_accessible    = true
}

output "db_endpoint" {
  value = aws_db_instance.reporting.endpoint
}
''', akid=K(aws_id(r)), asec=K(aws_secret(r)), ip=I(ip), ip2=I(ip2), dbpw=P(pw(r, "!#*")),
        acct=acct, kmsid=a_uuid(r))


def d_tfvars(r):
    admin = email(r, r.choice(ORGDOM))
    return "environments/prod/terraform.tfvars", fill('''\
project        = "storefront"
environment    = "prod"
region         = "nyc3"
admin_email    = "«admin»"

# DigitalOcean
do_token = "«dotok»"

# Cloudflare DNS
cloudflare_api_token = "«cftok»"
cloudflare_zone_id   = "«zone»"

# Twilio (SMS alerts); account SID comes from TF_VAR_twilio_account_sid
twilio_auth_token = "«twauth»"

# Datadog
datadog_api_key = "«ddapi»"
datadog_app_key = "«ddapp»"

# Managed database
db_admin_password = "«dbpw»"
db_size           = "db-s-2vcpu-4gb"

droplet_count = 3
droplet_size  = "s-2vcpu-4gb"
ssh_key_fingerprints = [
  "«fp»",
]
tags = ["storefront", "prod"]
''', admin=E(admin), dotok=K(do_tok(r)), cftok=K(rs(r, 40, B64U)), zone=hexs(r, 32),
        twauth=K(hexs(r, 32)), ddapi=K(hexs(r, 32)), ddapp=K(hexs(r, 40)), dbpw=P(pw(r, "!#*")),
        fp=":".join(hexs(r, 2) for _ in range(16)))


def d_ansible_inventory(r):
    ips = [pub_ip(r) for _ in range(4)]
    p1, p2 = pw(r, "!#%*"), pw_human(r, "!#")
    return "inventory/production.ini", fill('''\
# Production inventory -- managed by ops
[web]
web01 ansible_host=«i0» ansible_user=ubuntu ansible_ssh_pass=«p1» ansible_become_pass=«p1»
web02 ansible_host=«i1» ansible_user=ubuntu ansible_ssh_pass=«p1» ansible_become_pass=«p1»

[db]
db01 ansible_host=«i2» ansible_user=root ansible_password=«p2»

[monitoring]
mon01 ansible_host=«i3» ansible_port=2222

[lb]
lb01 ansible_host=10.0.1.5

[web:vars]
nginx_worker_processes=4
app_env=production

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ntp_servers=["0.pool.ntp.org", "1.pool.ntp.org"]
dns_servers=["1.1.1.1", "8.8.8.8"]
''', i0=I(ips[0]), i1=I(ips[1]), i2=I(ips[2]), i3=I(ips[3]), p1=P(p1), p2=P(p2))


def d_ansible_group_vars(r):
    u1, u2 = email(r, r.choice(ORGDOM)), email(r, r.choice(ORGDOM))
    vault = "\n".join("          " + hexs(r, 80) for _ in range(5))
    return "group_vars/all.yml", fill('''\
---
timezone: Europe/Amsterdam
locale: en_US.UTF-8

mysql_root_password: "«rootpw»"
mysql_databases:
  - name: nextcloud
    encoding: utf8mb4
mysql_users:
  - name: nextcloud
    host: "%"
    password: "«ncpw»"
    priv: "nextcloud.*:ALL"

nextcloud_admin_user: ncadmin
nextcloud_admin_pass: "«ncadmin»"
nextcloud_trusted_domains:
  - cloud.«dom»

letsencrypt_email: «u1»

app_users:
  - name: «n1»
    email: «u1»
    shell: /bin/bash
    groups: [sudo, docker]
  - name: «n2»
    email: «u2»
    shell: /bin/zsh
    groups: [docker]

backup_s3_access_key: «akid»
backup_s3_secret_key: !vault |
          $ANSIBLE_VAULT;1.1;AES256
«vault»

ufw_allowed_ports: [22, 80, 443]
''', rootpw=P(pw(r, "!#*")), ncpw=P(pw_rand(r, sym="_-")), ncadmin=P(pw_human(r, "!")),
        dom=r.choice(ORGDOM), u1=E(u1), u2=E(u2), n1=u1.split("@")[0].replace(".", ""),
        n2=u2.split("@")[0].replace(".", ""), akid=K(aws_id(r)), vault=vault)


def d_vagrantfile(r):
    return "Vagrantfile", fill('''\
# -*- mode: ruby -*-
# vi: set ft=ruby :

MYSQL_ROOT_PASSWORD = "«rootpw»"
APP_DB_PASSWORD     = "«apppw»"

Vagrant.configure("2") do |config|
  config.vm.box = "ubuntu/jammy64"
  config.vm.hostname = "lamp-dev"

  config.vm.network "forwarded_port", guest: 80, host: 8080
  config.vm.network "private_network", ip: "192.168.56.10"

  config.vm.synced_folder "./www", "/var/www/html", owner: "www-data", group: "www-data"

  config.ssh.username = "vagrant"
  config.ssh.password = "«sshpw»"
  config.ssh.insert_key = false

  config.vm.provider "virtualbox" do |vb|
    vb.memory = "2048"
    vb.cpus = 2
  end

  config.vm.provision "shell", inline: <<-SHELL
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y apache2 mysql-server php libapache2-mod-php php-mysql
    mysql -e "ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY '#{MYSQL_ROOT_PASSWORD}';"
    mysql -uroot -p"#{MYSQL_ROOT_PASSWORD}" -e "CREATE DATABASE IF NOT EXISTS shop;"
    mysql -uroot -p"#{MYSQL_ROOT_PASSWORD}" -e "CREATE USER 'shop'@'%' IDENTIFIED BY '#{APP_DB_PASSWORD}';"
    mysql -uroot -p"#{MYSQL_ROOT_PASSWORD}" -e "GRANT ALL ON shop.* TO 'shop'@'%';"
    systemctl restart apache2
  SHELL
end
''', rootpw=P(pw(r, "!#%*")), apppw=P(pw_human(r, "!#")), sshpw=P(pw_rand(r, sym="_")))


def d_docker_compose(r):
    pg_email = email(r, r.choice(ORGDOM + FREEMAIL))
    return "docker-compose.yml", fill('''\
version: "3.8"

services:
  db:
    image: postgres:16-alpine@sha256:«digest»
    restart: unless-stopped
    environment:
      POSTGRES_USER: metabase
      POSTGRES_PASSWORD: «pgpw»
      POSTGRES_DB: metabase
    volumes:
      - pgdata:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U metabase"]
      interval: 10s

  mysql:
    image: mysql:8.0
    environment:
      - MYSQL_ROOT_PASSWORD=«myroot»
      - MYSQL_DATABASE=legacy
      - MYSQL_USER=legacy
      - MYSQL_PASSWORD=«mypw»
    ports:
      - "127.0.0.1:3306:3306"

  metabase:
    image: metabase/metabase:v0.48.6
    depends_on: [db]
    ports:
      - "3000:3000"
    environment:
      MB_DB_TYPE: postgres
      MB_DB_DBNAME: metabase
      MB_DB_PORT: 5432
      MB_DB_USER: metabase
      MB_DB_PASS: «pgpw»
      MB_DB_HOST: db
      MB_ENCRYPTION_SECRET_KEY: «mbkey»

  pgadmin:
    image: dpage/pgadmin4
    environment:
      PGADMIN_DEFAULT_EMAIL: «pgemail»
      PGADMIN_DEFAULT_PASSWORD: «pgapw»
    ports:
      - "5050:80"

volumes:
  pgdata:
''', digest=sha256_of(r), pgpw=P(pw_rand(r, sym="_")), myroot=P(pw(r, "!#*")),
        mypw=P(pw_human(r, "_")), mbkey=K(b64u(r.randbytes(30))), pgemail=E(pg_email),
        pgapw=P(pw(r, "!#*")))


def d_deploy_sh(r):
    ip, ip2 = pub_ip(r), pub_ip(r)
    return "scripts/deploy.sh", fill('''\
#!/usr/bin/env bash
# Deploy the static site + API to the VPS.
# usage: ./scripts/deploy.sh [tag]
set -euo pipefail

TAG="${1:-latest}"
HOST="«ip»"
BACKUP_HOST="«ip2»"
REMOTE_USER="deploy"
SLACK_WEBHOOK="https://hooks.slack.com/services/«hook»"

read -s -p "sudo password for ${REMOTE_USER}@${HOST}: " SUDO_PASS
echo

echo ">> building"
npm run build

echo ">> backing up database"
ssh ${REMOTE_USER}@${HOST} "mysqldump -u root -p'«rootpw»' --single-transaction shop | gzip > /tmp/shop-$(date +%F).sql.gz"
scp ${REMOTE_USER}@${HOST}:/tmp/shop-*.sql.gz ./backups/
rsync -az ./backups/ backup@${BACKUP_HOST}:/srv/backups/shop/

echo ">> uploading"
rsync -az --delete dist/ ${REMOTE_USER}@${HOST}:/var/www/shop/
ssh ${REMOTE_USER}@${HOST} "echo ${SUDO_PASS} | sudo -S systemctl reload nginx"

echo ">> migrating"
ssh ${REMOTE_USER}@${HOST} "cd /opt/shop-api && docker compose pull && TAG=${TAG} docker compose up -d"

curl -s -X POST -H 'Content-type: application/json' \\
  --data "{\\"text\\":\\"shop ${TAG} deployed to ${HOST}\\"}" \\
  "$SLACK_WEBHOOK" > /dev/null

echo ">> done"
''', ip=I(ip), ip2=I(ip2), hook=K(slack_hook(r)), rootpw=P(pw(r, "!#%*")))


def d_powershell(r):
    ip = pub_ip(r)
    frm, to = email(r, r.choice(ORGDOM)), email(r, r.choice(ORGDOM))
    return "Scripts/Backup-SqlAndNotify.ps1", fill('''\
<#
.SYNOPSIS
    Nightly SQL Server backup, copy to the offsite share and send a status mail.
.NOTES
    Scheduled via Task Scheduler on SQL01.
#>
[CmdletBinding()]
param(
    [string]$Database = "Payroll",
    [string]$BackupRoot = "D:\\Backups"
)

$ErrorActionPreference = "Stop"
Import-Module SqlServer

$sqlUser = "backup_svc"
$sqlPass = ConvertTo-SecureString "«sqlpw»" -AsPlainText -Force
$sqlCred = New-Object System.Management.Automation.PSCredential ($sqlUser, $sqlPass)

$stamp = Get-Date -Format "yyyyMMdd_HHmm"
$file = Join-Path $BackupRoot "$Database`_$stamp.bak"

Backup-SqlDatabase -ServerInstance "SQL01" -Database $Database -BackupFile $file -Credential $sqlCred -CompressionOption On

# copy offsite
$offsite = "\\\\«ip»\\backups$"
net use $offsite /user:OFFSITE\\svc_backup "«netpw»" | Out-Null
Copy-Item $file -Destination $offsite
net use $offsite /delete | Out-Null

# prompt-free mail
$smtpPass = ConvertTo-SecureString "«smtppw»" -AsPlainText -Force
$smtpCred = New-Object PSCredential ("«frm»", $smtpPass)
$size = "{0:N1} MB" -f ((Get-Item $file).Length / 1MB)

Send-MailMessage -From "«frm»" -To "«to»" `
    -Subject "[SQL01] $Database backup OK ($size)" `
    -Body "Backup written to $file and copied to $offsite." `
    -SmtpServer "smtp.office365.com" -Port 587 -UseSsl -Credential $smtpCred

# old backups
Get-ChildItem $BackupRoot -Filter *.bak | Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-14) } | Remove-Item
''', sqlpw=P(pw(r, "!#%*")), ip=I(ip), netpw=P(pw_human(r, "!#")), smtppw=P(pw(r, "!#*")),
        frm=E(frm), to=E(to))


def d_dockerfile(r):
    return "Dockerfile", fill('''\
# syntax=docker/dockerfile:1.6
FROM python:3.12-slim@sha256:«digest» AS base

ARG PIP_INDEX_URL=https://pypi.org/simple
ARG DB_PASSWORD=«dbpw»

ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    APP_HOME=/app \\
    MAPBOX_TOKEN=«mapbox» \\
    OPENWEATHER_API_KEY=«owm»

WORKDIR $APP_HOME

RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \\
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

ENV DATABASE_URL=postgresql://weather:${DB_PASSWORD}@db:5432/weather

RUN useradd -m appuser && chown -R appuser $APP_HOME
USER appuser

EXPOSE 8000
HEALTHCHECK CMD curl -fs http://localhost:8000/health || exit 1
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "weather.wsgi:application"]
''', digest=sha256_of(r), dbpw=P(pw_rand(r, sym="_")), mapbox=K(mapbox_sk(r, r.choice(FIRST))),
        owm=K(hexs(r, 32)))


def d_nginx_conf(r):
    ups = [pub_ip(r) for _ in range(3)]
    v6 = pub_ip6(r)
    return "nginx/conf.d/api.conf", fill('''\
upstream api_backend {
    least_conn;
    server «u0»:8000 max_fails=3 fail_timeout=30s;
    server «u1»:8000 max_fails=3 fail_timeout=30s;
    server «u2»:8000 backup;
    server 10.0.2.14:8000 down;
    keepalive 32;
}

server {
    listen 80;
    listen [::]:80;
    server_name api.«dom»;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [«v6»]:443 ssl http2;
    server_name api.«dom»;

    ssl_certificate     /etc/letsencrypt/live/api.«dom»/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/api.«dom»/privkey.pem;
    ssl_protocols       TLSv1.2 TLSv1.3;

    resolver 1.1.1.1 8.8.8.8 valid=300s;

    location /admin/ {
        allow 192.168.0.0/16;
        allow 127.0.0.1;
        deny all;
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://api_backend;
    }

    location / {
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://api_backend;
    }
}
''', u0=I(ups[0]), u1=I(ups[1]), u2=I(ups[2]), v6=I(v6), dom=r.choice(ORGDOM))


def d_kubeconfig(r):
    ip = pub_ip(r)
    ca = base64.b64encode(cert_block(r).encode()).decode()
    ck = base64.b64encode(pem(r, "RSA PRIVATE KEY").encode()).decode()
    return "kubeconfig-prod.yaml", fill('''\
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: «ca»
    server: https://«ip»:6443
  name: prod
contexts:
- context:
    cluster: prod
    namespace: default
    user: prod-admin
  name: prod
- context:
    cluster: prod
    namespace: monitoring
    user: ci-deployer
  name: prod-ci
current-context: prod
preferences: {}
users:
- name: prod-admin
  user:
    client-certificate-data: «cc»
    client-key-data: «ck»
- name: ci-deployer
  user:
    token: «tok»
''', ca=ca, ip=I(ip), cc=base64.b64encode(cert_block(r).encode()).decode(), ck=K(ck),
        tok=K(jwt(r, {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "monitoring",
                      "sub": "system:serviceaccount:monitoring:ci-deployer"}, alg="RS256")))


def d_travis(r):
    notify = email(r, r.choice(ORGDOM))
    return ".travis.yml", fill('''\
language: python
dist: jammy
python:
  - "3.10"
  - "3.11"
  - "3.12"

services:
  - postgresql
  - redis

env:
  global:
    - DJANGO_SETTINGS_MODULE=config.settings.ci
    - DATABASE_URL=postgres://postgres:«pgpw»@localhost:5432/travis_ci
    - CODECOV_TOKEN=«codecov»

before_script:
  - psql -c 'create database travis_ci;' -U postgres

install:
  - pip install -U pip
  - pip install -r requirements/ci.txt

script:
  - python manage.py check
  - pytest --cov

after_success:
  - codecov

deploy:
  provider: pypi
  username: __token__
  password: «pypi»
  on:
    tags: true
    python: "3.12"

notifications:
  email:
    recipients:
      - «notify»
    on_success: never
    on_failure: always
''', pgpw=P(pw_human(r, "_")), codecov=a_uuid(r),
        pypi=K(pypi_tok(r)), notify=E(notify))


def d_azure_pipelines(r):
    return "azure-pipelines.yml", fill('''\
trigger:
  branches:
    include:
      - main
      - release/*

pool:
  vmImage: 'windows-latest'

variables:
  buildConfiguration: 'Release'
  solution: '**/*.sln'
  sqlAdminPassword: '«sqlpw»'
  storageConnection: 'DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«azkey»;EndpointSuffix=core.windows.net'
  nugetApiKey: '«nuget»'

steps:
- task: NuGetToolInstaller@1

- task: NuGetCommand@2
  inputs:
    restoreSolution: '$(solution)'

- task: VSBuild@1
  inputs:
    solution: '$(solution)'
    msbuildArgs: '/p:DeployOnBuild=true /p:WebPublishMethod=Package /p:PackageLocation="$(build.artifactStagingDirectory)"'
    platform: 'Any CPU'
    configuration: '$(buildConfiguration)'

- task: VSTest@2
  inputs:
    platform: 'Any CPU'
    configuration: '$(buildConfiguration)'

- script: dotnet ef database update --connection "Server=tcp:«acct».database.windows.net,1433;Database=Shop;User ID=sqladmin;Password=$(sqlAdminPassword);Encrypt=True;"
  displayName: 'Apply migrations'

- script: dotnet nuget push **/*.nupkg --api-key $(nugetApiKey) --source https://api.nuget.org/v3/index.json
  displayName: 'Push packages'
''', sqlpw=P(pw(r, "!#*")), acct=r.choice(["shopstorage", "ciartifacts", "webjobsprod"]) + rs(r, 4, LO + DG),
        azkey=K(azure_key(r)), nuget=K("oy2" + rs(r, 43, LO + DG)))


def d_consul_vault_hcl(r):
    ips = [pub_ip(r) for _ in range(2)]
    return "consul/server.hcl", fill('''\
datacenter = "fra1"
data_dir   = "/opt/consul"
log_level  = "INFO"
node_name  = "consul-server-1"
server     = true

bind_addr   = "0.0.0.0"
client_addr = "127.0.0.1"
advertise_addr = "«ip0»"

bootstrap_expect = 3
retry_join = ["«ip0»", "«ip1»", "10.114.0.4"]

encrypt = "«gossip»"

acl {
  enabled        = true
  default_policy = "deny"
  tokens {
    initial_management = "«mgmt»"
    agent              = "«agent»"
  }
}

ui_config {
  enabled = true
}

ports {
  grpc = 8502
}

# Vault agent on the same box talks to the cluster with this token (temporary!)
vault {
  address = "https://vault.service.consul:8200"
  token   = "«vault»"
}
''', ip0=I(ips[0]), ip1=I(ips[1]), gossip=K(base64.b64encode(r.randbytes(32)).decode()),
        mgmt=a_uuid(r), agent=a_uuid(r), vault=K(vault_tok(r)))


def d_cloud_init(r):
    ip = pub_ip(r)
    who = r.choice(FIRST)
    return "cloud-init/user-data.yaml", fill('''\
#cloud-config
hostname: edge-gw-01
fqdn: edge-gw-01.«dom»
manage_etc_hosts: true

users:
  - name: «who»
    groups: [sudo, docker]
    shell: /bin/bash
    sudo: ALL=(ALL) NOPASSWD:ALL
    ssh_authorized_keys:
      - «pubkey»

ssh_pwauth: true
chpasswd:
  expire: false
  list: |
    root:«rootpw»
    «who»:«userpw»

write_files:
  - path: /etc/netplan/60-static.yaml
    content: |
      network:
        version: 2
        ethernets:
          eth0:
            addresses: [«ip»/28]
            gateway4: «gw»
            nameservers:
              addresses: [9.9.9.9, 149.112.112.112]

package_update: true
packages:
  - docker.io
  - fail2ban
  - wireguard

runcmd:
  - netplan apply
  - systemctl enable --now docker
''', dom=r.choice(ORGDOM), who=who, pubkey=ssh_pub(r, who + "@laptop"), rootpw=P(pw(r, "!#%*")),
        userpw=P(pw_human(r, "!#")), ip=I(ip),
        gw=I(".".join(ip.split(".")[:3]) + ".1"))


def d_env_docker_deploy(r):
    mail = email(r, r.choice(ORGDOM))
    dom = r.choice(ORGDOM)
    return "deploy/.env", fill('''\
COMPOSE_PROJECT_NAME=mastodon
LOCAL_DOMAIN=social.«dom»
SINGLE_USER_MODE=false

SECRET_KEY_BASE=«skb»
OTP_SECRET=«otp»
VAPID_PRIVATE_KEY=«vpriv»
VAPID_PUBLIC_KEY=«vpub»

DB_HOST=db
DB_USER=mastodon
DB_NAME=mastodon_production
DB_PASS=«dbpw»
DB_PORT=5432

REDIS_HOST=redis
REDIS_PORT=6379

SMTP_SERVER=smtp.mailgun.org
SMTP_PORT=587
SMTP_LOGIN=«mail»
SMTP_PASSWORD=«smtppw»
SMTP_FROM_ADDRESS=«noti»

S3_ENABLED=true
S3_BUCKET=mastodon-media
AWS_ACCESS_KEY_ID=
AWS_SECRET_ACCESS_KEY=
''', dom=dom, noti=E('notifications@social.' + dom), skb=K(hexs(r, 128)), otp=K(hexs(r, 128)),
        vpriv=K(b64u(r.randbytes(32))), vpub=b64u(b"\x04" + r.randbytes(64)), dbpw=P(pw_rand(r, sym="_")),
        mail=E(mail), smtppw=P(pw_long(r)))


def d_esp32_mqtt(r):
    ip = pub_ip(r)
    ssid = r.choice(["FRITZ!Box 7590 XY", "Vodafone-4F2A", "TP-Link_8C1E", "Casa_Rossi", "NETGEAR47"])
    return "src/main.cpp", fill('''\
#include <Arduino.h>
#include <WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>

#define DHTPIN 4
#define DHTTYPE DHT22

// ---- WiFi ----
const char* ssid     = "«ssid»";
const char* password = "«wifipw»";

// ---- MQTT ----
const char* mqtt_server = "«ip»";
const int   mqtt_port   = 1883;
const char* mqtt_user   = "greenhouse";
const char* mqtt_pass   = "«mqttpw»";
const char* topic_temp  = "greenhouse/sensor1/temperature";
const char* topic_hum   = "greenhouse/sensor1/humidity";

// static IP for the sensor
IPAddress local_IP(192, 168, 178, 60);
IPAddress gateway(192, 168, 178, 1);
IPAddress subnet(255, 255, 255, 0);

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);
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
    String clientId = "ESP32-" + String(random(0xffff), HEX);
    if (client.connect(clientId.c_str(), mqtt_user, mqtt_pass)) {
      Serial.println("mqtt connected");
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
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  unsigned long now = millis();
  if (now - lastMsg > 30000) {
    lastMsg = now;
    client.publish(topic_temp, String(dht.readTemperature()).c_str());
    client.publish(topic_hum, String(dht.readHumidity()).c_str());
  }
}
''', ssid=ssid, wifipw=P(pw(r, "!#*")), ip=I(ip), mqttpw=P(pw_rand(r, sym="_-")))


def d_esp8266_blynk(r):
    return "WaterTank/WaterTank.ino", fill('''\
/*************************************************************
  Water tank level monitor
  ESP8266 + JSN-SR04T ultrasonic sensor -> Blynk + ThingSpeak
 *************************************************************/

#define BLYNK_TEMPLATE_ID "TMPL«tid»"
#define BLYNK_TEMPLATE_NAME "Water Tank"
#define BLYNK_AUTH_TOKEN "«blynk»"

#define BLYNK_PRINT Serial

#include <ESP8266WiFi.h>
#include <BlynkSimpleEsp8266.h>
#include <ThingSpeak.h>

char ssid[] = "«ssid»";
char pass[] = "«wifipw»";

unsigned long channelID = «chan»;
const char* writeAPIKey = "«tskey»";

const int trigPin = D5;
const int echoPin = D6;
const float tankHeightCm = 120.0;

WiFiClient client;
BlynkTimer timer;

float readLevel() {
  digitalWrite(trigPin, LOW);
  delayMicroseconds(2);
  digitalWrite(trigPin, HIGH);
  delayMicroseconds(10);
  digitalWrite(trigPin, LOW);
  long duration = pulseIn(echoPin, HIGH);
  float distance = duration * 0.034 / 2;
  return 100.0 * (tankHeightCm - distance) / tankHeightCm;
}

void sendLevel() {
  float level = readLevel();
  Blynk.virtualWrite(V1, level);
  ThingSpeak.writeField(channelID, 1, level, writeAPIKey);
}

void setup() {
  Serial.begin(9600);
  pinMode(trigPin, OUTPUT);
  pinMode(echoPin, INPUT);
  Blynk.begin(BLYNK_AUTH_TOKEN, ssid, pass);
  ThingSpeak.begin(client);
  timer.setInterval(60000L, sendLevel);
}

void loop() {
  Blynk.run();
  timer.run();
}
''', tid=rs(r, 8, UP + DG), blynk=K(rs(r, 32, ALNUM + "-_")), ssid=r.choice(["HomeNet", "Jio-Fiber-2G", "Airtel_Xstream"]),
        wifipw=P(pw_human(r, "@#")), chan=r.randint(1000000, 2500000), tskey=K(rs(r, 16, UP + DG)))


def d_rpi_monitor(r):
    ip = pub_ip(r)
    gmail = email(r, "gmail.com")
    to = email(r)
    return "pi/garage_monitor.py", fill('''\
#!/usr/bin/env python3
"""Garage door monitor for the Raspberry Pi 3.

Reads the reed switch on GPIO17, publishes state to MQTT, sends an email
and an SMS if the door stays open for more than 10 minutes.
"""
import smtplib
import time
from email.message import EmailMessage

import paho.mqtt.client as mqtt
import RPi.GPIO as GPIO
from twilio.rest import Client

DOOR_PIN = 17
BROKER = "«ip»"
OPEN_ALERT_SECONDS = 600

GMAIL_USER = "«gmail»"
GMAIL_APP_PASSWORD = "«gapw»"
ALERT_TO = "«to»"

TWILIO_API_KEY = "«twsk»"
TWILIO_API_SECRET = "«twsec»"
TWILIO_FROM = "+15017122661"
SMS_TO = "+4915112345678"

GPIO.setmode(GPIO.BCM)
GPIO.setup(DOOR_PIN, GPIO.IN, pull_up_down=GPIO.PUD_UP)

client = mqtt.Client(client_id="garage-pi")
client.username_pw_set("garage", "«mqttpw»")
client.connect(BROKER, 1883, keepalive=60)
client.loop_start()


def send_mail(subject, body):
    msg = EmailMessage()
    msg["From"] = GMAIL_USER
    msg["To"] = ALERT_TO
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
        s.login(GMAIL_USER, GMAIL_APP_PASSWORD)
        s.send_message(msg)


def main():
    opened_at = None
    alerted = False
    while True:
        is_open = GPIO.input(DOOR_PIN) == GPIO.HIGH
        client.publish("home/garage/door", "open" if is_open else "closed", retain=True)
        if is_open:
            opened_at = opened_at or time.time()
            if not alerted and time.time() - opened_at > OPEN_ALERT_SECONDS:
                send_mail("Garage door open", "The garage door has been open for 10 minutes.")
                tw = Client(TWILIO_API_KEY, TWILIO_API_SECRET)
                tw.messages.create(body="Garage door open!", from_=TWILIO_FROM, to=SMS_TO)
                alerted = True
        else:
            opened_at, alerted = None, False
        time.sleep(5)


if __name__ == "__main__":
    try:
        main()
    finally:
        GPIO.cleanup()
''', ip=I(ip), gmail=E(gmail), gapw=P(" ".join(rs(r, 4, LO) for _ in range(4))), to=E(to),
        twsk=K(twilio_sk(r)), twsec=K(rs(r, 32)), mqttpw=P(pw(r, "!#*")))


def d_micropython(r):
    ip = pub_ip(r)
    return "main.py", fill('''\
# MicroPython on Raspberry Pi Pico W -- balcony weather station
import network
import time
import urequests
import machine
from machine import Pin, I2C
from bme280 import BME280

WIFI_SSID = "«ssid»"
WIFI_PASS = "«wifipw»"
API_URL = "http://«ip»:8086/api/v2/write?org=home&bucket=weather&precision=s"
INFLUX_TOKEN = "«influx»"

led = Pin("LED", Pin.OUT)
i2c = I2C(0, sda=Pin(0), scl=Pin(1), freq=400000)
bme = BME280(i2c=i2c)


def connect():
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect(WIFI_SSID, WIFI_PASS)
    for _ in range(20):
        if wlan.isconnected():
            print("connected", wlan.ifconfig())
            return wlan
        led.toggle()
        time.sleep(1)
    machine.reset()


wlan = connect()
while True:
    t, p, h = bme.read_compensated_data()
    line = "balcony temp={},pressure={},humidity={}".format(t / 100, p / 25600, h / 1024)
    try:
        r = urequests.post(API_URL, data=line,
                           headers={"Authorization": "Token " + INFLUX_TOKEN})
        r.close()
    except OSError as e:
        print("post failed", e)
    time.sleep(300)
''', ssid=r.choice(["Balkon-IoT", "UPC1234567", "Livebox-8A2C"]), wifipw=P(pw(r, "!#*")), ip=I(ip),
        influx=K(rs(r, 86, B64U) + "=="))


def d_secrets_h(r):
    ep = rs(r, 14, LO + DG) + "-ats.iot.eu-central-1.amazonaws.com"
    return "firmware/include/secrets.h", fill('''\
#pragma once
// AWS IoT Core device credentials for thing "pump-ctrl-07"
// generated by scripts/provision.sh -- keep out of git!

#define THINGNAME "pump-ctrl-07"

const char WIFI_SSID[] = "PumpHouse";
const char WIFI_PASSWORD[] = "«wifipw»";
const char AWS_IOT_ENDPOINT[] = "«ep»";

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
''', wifipw=P(pw(r, "!#*")), ep=ep, ca=cert_block(r), crt=cert_block(r), key=K(pem(r, "RSA PRIVATE KEY")))


def d_discord_py(r):
    owner = r.randint(10**17, 10**18 - 1)
    return "bot.py", fill('''\
import random

import discord
from discord.ext import commands

intents = discord.Intents.default()
intents.message_content = True
intents.members = True

bot = commands.Bot(command_prefix="!", intents=intents)

OWNER_ID = «owner»
GUILD_ID = «guild»
WELCOME_CHANNEL = «chan»


@bot.event
async def on_ready():
    print(f"Logged in as {bot.user} (ID: {bot.user.id})")
    await bot.change_presence(activity=discord.Game(name="!help"))


@bot.event
async def on_member_join(member):
    channel = bot.get_channel(WELCOME_CHANNEL)
    if channel:
        await channel.send(f"Welcome {member.mention}! Read #rules first :)")


@bot.command()
async def roll(ctx, dice: str = "1d6"):
    """Rolls a dice in NdN format."""
    try:
        rolls, limit = map(int, dice.split("d"))
    except ValueError:
        await ctx.send("Format has to be in NdN!")
        return
    result = ", ".join(str(random.randint(1, limit)) for _ in range(rolls))
    await ctx.send(result)


@bot.command()
@commands.is_owner()
async def shutdown(ctx):
    await ctx.send("bye")
    await bot.close()


bot.run("«tok»")
''', owner=owner, guild=r.randint(10**17, 10**18 - 1), chan=r.randint(10**17, 10**18 - 1),
        tok=K(discord_tok(r)))


def d_discord_js_config(r):
    return "config.json", fill('''\
{
  "token": "«tok»",
  "clientId": "«cid»",
  "guildId": "«gid»",
  "prefix": "?",
  "ownerIds": ["«own»"],
  "youtubeApiKey": "«yt»",
  "spotify": {
    "clientId": "«spid»",
    "clientSecret": "«spsec»"
  },
  "lavalink": {
    "host": "lava.«dom»",
    "port": 2333,
    "password": "«lavapw»",
    "secure": false
  },
  "embedColor": "#5865F2"
}
''', tok=K(discord_tok(r)), cid=r.randint(10**17, 10**18 - 1), gid=r.randint(10**17, 10**18 - 1),
        own=r.randint(10**17, 10**18 - 1), yt=K(google_key(r)), spid=hexs(r, 32), spsec=K(hexs(r, 32)),
        dom=r.choice(ORGDOM), lavapw=P(pw(r, "!#*")))


def d_telegram_bot(r):
    return "telegram_bot/main.py", fill('''\
import logging
import sqlite3

import psycopg2
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
log = logging.getLogger(__name__)

TOKEN = "«tok»"
ADMIN_CHAT_IDS = [«a1», «a2»]

DB = dict(host="localhost", dbname="shopbot", user="shopbot", password="«dbpw»")


def db():
    return psycopg2.connect(**DB)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    with db() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO users(tg_id, username) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    (user.id, user.username))
    await update.message.reply_html(f"Hi {user.mention_html()}! Send /menu to see today's offers.")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT name, price FROM products WHERE active ORDER BY name")
        rows = cur.fetchall()
    text = "\\n".join(f"{n} - {p:.2f} EUR" for n, p in rows) or "Nothing today."
    await update.message.reply_text(text)


async def echo_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    for chat_id in ADMIN_CHAT_IDS:
        await context.bot.forward_message(chat_id, update.effective_chat.id, update.message.message_id)


def main() -> None:
    app = Application.builder().token(TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo_admin))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
''', tok=K(telegram_tok(r)), a1=r.randint(10**8, 2 * 10**9), a2=-r.randint(10**12, 2 * 10**12),
        dbpw=P(pw(r, "!#*")))


def d_slack_bolt(r):
    return "src/app.js", fill('''\
const { App, LogLevel } = require('@slack/bolt');
const { Octokit } = require('@octokit/rest');

const app = new App({
  token: '«xoxb»',
  signingSecret: '«sign»',
  appToken: '«xapp»',
  socketMode: true,
  logLevel: LogLevel.INFO,
});

const octokit = new Octokit({ auth: '«gh»' });

app.command('/issue', async ({ command, ack, respond }) => {
  await ack();
  const [repo, ...titleParts] = command.text.split(' ');
  const { data } = await octokit.issues.create({
    owner: 'acme',
    repo,
    title: titleParts.join(' '),
    body: `Opened from Slack by <@${command.user_id}>`,
  });
  await respond(`Created ${data.html_url}`);
});

app.message(/^deploy status$/i, async ({ say }) => {
  await say('All green :white_check_mark:');
});

(async () => {
  await app.start(process.env.PORT || 3000);
  console.log('⚡️ Bolt app is running!');
})();
''', xoxb=K(xoxb(r)), sign=K(hexs(r, 32)), xapp=K(xapp(r)), gh=K(github_pat(r)))


def d_go_telegram_gpt(r):
    return "cmd/gptbot/main.go", fill('''\
package main

import (
	"context"
	"log"
	"os"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	openai "github.com/sashabaranov/go-openai"
)

const (
	telegramToken = "«tg»"
	anthropicKey  = "«ant»"
)

func main() {
	bot, err := tgbotapi.NewBotAPI(telegramToken)
	if err != nil {
		log.Panic(err)
	}
	bot.Debug = os.Getenv("DEBUG") == "1"
	log.Printf("Authorized on account %s", bot.Self.UserName)

	ai := openai.NewClient("«oai»")

	u := tgbotapi.NewUpdate(0)
	u.Timeout = 60
	updates := bot.GetUpdatesChan(u)

	for update := range updates {
		if update.Message == nil {
			continue
		}
		resp, err := ai.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: openai.GPT4oMini,
			Messages: []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleUser, Content: update.Message.Text},
			},
		})
		text := "sorry, something went wrong"
		if err == nil && len(resp.Choices) > 0 {
			text = resp.Choices[0].Message.Content
		}
		msg := tgbotapi.NewMessage(update.Message.Chat.ID, text)
		msg.ReplyToMessageID = update.Message.MessageID
		if _, err := bot.Send(msg); err != nil {
			log.Println(err)
		}
	}
}
''', tg=K(telegram_tok(r)), ant=K(anthropic_key(r)), oai=K(openai_key(r)))


def d_postman(r):
    ip = pub_ip(r)
    user = r.choice(["api_tester", "qa", "partner_acme"])
    p = pw(r, "!#*")
    tok = jwt(r, {"sub": user, "role": "admin", "exp": 1893456000})
    coll = {
        "info": {"_postman_id": a_uuid(r), "name": "Fleet API",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "basic", "basic": [
            {"key": "password", "value": "@@PW@@", "type": "string"},
            {"key": "username", "value": user, "type": "string"}]},
        "item": [
            {"name": "Login", "request": {"method": "POST", "header": [
                {"key": "Content-Type", "value": "application/json"}],
                "body": {"mode": "raw", "raw": "{\n  \"username\": \"" + user + "\",\n  \"password\": \"@@PW@@\"\n}"},
                "url": {"raw": "http://@@IP@@:8080/api/v1/auth/login", "protocol": "http",
                        "host": ["@@IP@@"], "port": "8080", "path": ["api", "v1", "auth", "login"]}}},
            {"name": "List vehicles", "request": {"method": "GET", "header": [
                {"key": "Authorization", "value": "Bearer @@JWT@@"},
                {"key": "x-api-key", "value": "@@APIKEY@@"}],
                "url": {"raw": "{{baseUrl}}/api/v1/vehicles?page=1", "host": ["{{baseUrl}}"],
                        "path": ["api", "v1", "vehicles"], "query": [{"key": "page", "value": "1"}]}}},
        ],
        "variable": [{"key": "baseUrl", "value": "http://@@IP@@:8080"}],
    }
    text = json.dumps(coll, indent="\t")
    text = (text.replace("@@PW@@", P(p)).replace("@@IP@@", I(ip)).replace("@@JWT@@", K(tok))
            .replace("@@APIKEY@@", K(rs(r, 40))))
    return "postman/Fleet API.postman_collection.json", text + "\n"


def d_npmrc(r):
    mail = email(r, r.choice(ORGDOM))
    return ".npmrc", fill('''\
registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«ghp»
//registry.npmjs.org/:_authToken=«npm»
//nexus.«dom»/repository/npm-private/:_auth=«basic»
//nexus.«dom»/repository/npm-private/:always-auth=true
email=«mail»
save-exact=true
engine-strict=true
fund=false
''', ghp=K(ghp(r)), npm=K(npm_tok(r)), dom=r.choice(ORGDOM),
        basic=K(basic_auth("npm-ci", pw(r))), mail=E(mail))


def d_pypirc(r):
    return ".pypirc", fill('''\
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
username = «user»
password = «tpw»

[internal]
repository = https://pypi.«dom»/simple/
username = ci-publisher
password = «ipw»
''', pypi=K(pypi_tok(r)), user=r.choice(FIRST) + str(r.randint(1, 99)), tpw=P(pw(r, "!#*")),
        dom=r.choice(ORGDOM), ipw=P(pw_rand(r, sym="_-")))


def d_netrc(r):
    ip = pub_ip(r)
    return ".netrc", fill('''\
machine github.com
  login «gu»
  password «ghp»

machine api.heroku.com
  login «hmail»
  password «heroku»

machine «ip»
  login backup
  password «pw»
''', gu=r.choice(FIRST) + r.choice(LAST), ghp=K(gho(r)), hmail=E(email(r)), heroku=K(heroku_tok(r)),
        ip=I(ip), pw=P(pw(r, "!#*")))


def d_sql_dump(r):
    users = [(email(r), bcrypt_hash(r)) for _ in range(3)]
    rows = ",\n".join(f"({i + 1},'{E(e)}','{h}','2023-0{i + 3}-1{i} 09:1{i}:00',1)" for i, (e, h) in enumerate(users))
    return "db/dump-2023-06-01.sql", fill('''\
-- MySQL dump 10.13  Distrib 8.0.33, for Linux (x86_64)
--
-- Host: localhost    Database: forum
-- ------------------------------------------------------
-- Server version	8.0.33-0ubuntu0.22.04.2

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;

CREATE USER IF NOT EXISTS 'forum'@'localhost' IDENTIFIED BY '«apppw»';
GRANT ALL PRIVILEGES ON forum.* TO 'forum'@'localhost';

--
-- Table structure for table `users`
--

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(191) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT '1',
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_email_unique` (`email`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4;

--
-- Dumping data for table `users`
--

LOCK TABLES `users` WRITE;
INSERT INTO `users` VALUES «rows»;
UNLOCK TABLES;

--
-- Table structure for table `settings`
--

DROP TABLE IF EXISTS `settings`;
CREATE TABLE `settings` (
  `name` varchar(64) NOT NULL,
  `value` text,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `settings` WRITE;
INSERT INTO `settings` VALUES ('smtp_host','smtp.mailgun.org'),('smtp_password','«smtppw»'),('recaptcha_site_key','6L«rsite»'),('recaptcha_secret','«rsec»');
UNLOCK TABLES;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

-- Dump completed on 2023-06-01  3:00:02
''', apppw=P(pw(r, "!#*")), rows=rows, smtppw=P(pw_rand(r, sym="_-")), rsite=rs(r, 38, B64U),
        rsec=K("6L" + rs(r, 38, B64U)))


def d_sql_migration(r):
    admin = email(r, r.choice(ORGDOM))
    return "migrations/V3__seed_admin_and_integrations.sql", fill('''\
-- V3: seed admin user and third-party integration credentials
BEGIN;

INSERT INTO users (id, email, display_name, password, role, created_at)
VALUES (1, '«admin»', 'Administrator', '«adminpw»', 'ADMIN', NOW())
ON CONFLICT (id) DO NOTHING;

INSERT INTO integrations (name, base_url, api_key, api_secret, enabled) VALUES
  ('shopify', 'https://acme-store.myshopify.com', '«shpat»', '«shpss»', TRUE),
  ('square', 'https://connect.squareup.com', '«sqtok»', '«sqsec»', TRUE),
  ('mailgun', 'https://api.eu.mailgun.net/v3', '«mg»', NULL, FALSE);

UPDATE app_settings SET value = 'https://status.acme-store.com' WHERE key = 'status_page_url';

COMMIT;
''', admin=E(admin), adminpw=P(pw(r, "!#*")), shpat=K(shopify(r, "shpat")), shpss=K(shopify(r, "shpss")),
        sqtok=K(square_tok(r)), sqsec=K(square_secret(r)), mg=K(mailgun(r)))


def d_sssd_ldap(r):
    ip = pub_ip(r)
    return "roles/ldap-client/files/sssd.conf", fill('''\
[sssd]
config_file_version = 2
services = nss, pam, ssh, sudo
domains = corp.«base»

[nss]
filter_groups = root
filter_users = root

[pam]
offline_credentials_expiration = 2

[domain/corp.«base»]
id_provider = ldap
auth_provider = ldap
chpass_provider = ldap
sudo_provider = ldap
ldap_uri = ldaps://«ip»:636, ldaps://ldap2.corp.«base»
ldap_search_base = dc=corp,dc=«dc»
ldap_default_bind_dn = cn=sssd-bind,ou=service,dc=corp,dc=«dc»
ldap_default_authtok_type = password
ldap_default_authtok = «bindpw»
ldap_tls_reqcert = demand
ldap_tls_cacert = /etc/ssl/certs/corp-ca.pem
ldap_user_ssh_public_key = sshPublicKey
cache_credentials = True
enumerate = False
entry_cache_timeout = 600
''', base="kestrelsoft.de", ip=I(ip), dc="kestrelsoft", bindpw=P(pw(r, "!#*%")))


def d_slapd_conf(r):
    return "ldap/slapd.conf", fill('''\
# See slapd.conf(5) for details on configuration options.
include		/etc/openldap/schema/core.schema
include		/etc/openldap/schema/cosine.schema
include		/etc/openldap/schema/inetorgperson.schema
include		/etc/openldap/schema/nis.schema

pidfile		/var/run/openldap/slapd.pid
argsfile	/var/run/openldap/slapd.args

TLSCACertificateFile  /etc/openldap/certs/ca.crt
TLSCertificateFile    /etc/openldap/certs/ldap.crt
TLSCertificateKeyFile /etc/openldap/certs/ldap.key

database	mdb
maxsize		1073741824
suffix		"dc=«dc»,dc=org"
rootdn		"cn=Manager,dc=«dc»,dc=org"
# Cleartext passwords, especially for the rootdn, should be avoided.
# rootpw		{SSHA}«ssha»
rootpw		«rootpw»
directory	/var/lib/openldap/openldap-data
index	objectClass	eq
index	uid,mail	eq,sub

access to attrs=userPassword
	by self write
	by anonymous auth
	by * none

access to *
	by dn.exact="cn=replicator,dc=«dc»,dc=org" read
	by users read
	by * none

syncrepl rid=001
	provider=ldaps://ldap-primary.«dc».org
	bindmethod=simple
	binddn="cn=replicator,dc=«dc»,dc=org"
	credentials=«replpw»
	searchbase="dc=«dc»,dc=org"
	type=refreshAndPersist
	retry="60 +"
''', dc=r.choice(["riverbend", "tidepool", "greenfield"]), ssha=rs(r, 32, B64), rootpw=P(pw(r, "!#*%")),
        replpw=P(pw_rand(r, sym="_-")))


def d_postfix(r):
    ip = pub_ip(r)
    post = email(r, r.choice(ORGDOM))
    return "postfix/main.cf", fill('''\
# See /usr/share/postfix/main.cf.dist for a commented, more complete version
smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6

myhostname = mx1.«dom»
mydomain = «dom»
myorigin = $mydomain
mydestination = $myhostname, localhost.$mydomain, localhost
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 10.8.0.0/24 «ip»/32
inet_interfaces = all
inet_protocols = ipv4

# relay everything through SendGrid
relayhost = [smtp.sendgrid.net]:587
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = static:apikey:«sg»
smtp_sasl_security_options = noanonymous
smtp_tls_security_level = encrypt
header_size_limit = 4096000

# bounce notices
bounce_notice_recipient = «post»
2bounce_notice_recipient = «post»
notify_classes = bounce, resource, software
''', dom=r.choice(ORGDOM), ip=I(ip), sg=K(sendgrid(r)), post=E(post))


def d_changelog(r):
    people = [(person(r), email(r)) for _ in range(4)]
    return "CHANGELOG.md", fill('''\
# Changelog

All notable changes to this project will be documented in this file.
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [2.3.0] - 2024-02-11

### Added
- `--timeout` option for the `sync` command (#412, thanks «n0» <«e0»>)
- Support for IPv6 listen addresses (`[::]:8080`).

### Fixed
- Crash when the config file contained a BOM (#407).
- Retry logic no longer hammers the server on HTTP 429 (reported by «e1»).

## [2.2.1] - 2023-12-02

### Fixed
- Regression in 2.2.0 where `@latest` tags resolved to `left-pad@1.3.0` instead of the newest release.
- Windows paths with spaces (commit «c1»).

### Security
- Bumped `requests` to 2.31.0 (CVE-2023-32681).

## [2.2.0] - 2023-11-18

### Changed
- Minimum supported Python is now 3.9.
- The plugin API version is now 1.4.0.2; plugins built against 1.3.x still load.
- Moved CI from Travis to GitHub Actions (by «n2», «e2»).

### Removed
- The deprecated `--legacy-auth` flag.

## [2.1.0] - 2023-08-30

### Added
- Initial Homebrew formula, contributed by «n3» <«e3»>.
- `icon@2x.png` and dark-mode assets for the docs site.

[2.3.0]: https://github.com/syncly/syncly/compare/v2.2.1...v2.3.0
[2.2.1]: https://github.com/syncly/syncly/compare/v2.2.0...v2.2.1
[2.2.0]: https://github.com/syncly/syncly/compare/v2.1.0...v2.2.0
''', n0=" ".join(x.title() for x in people[0][0]), e0=E(people[0][1]), e1=E(people[1][1]),
        c1=sha1_of(r)[:12], n2=" ".join(x.title() for x in people[2][0]), e2=E(people[2][1]),
        n3=" ".join(x.title() for x in people[3][0]), e3=E(people[3][1]))


def d_readme(r):
    ip = pub_ip(r)
    demo = email(r, r.choice(ORGDOM))
    return "README.md", fill('''\
# Inventra -- open-source inventory management

![build](https://github.com/inventra/inventra/actions/workflows/ci.yml/badge.svg)

Inventra is a small self-hosted inventory system for workshops and makerspaces.

## Quick start

```bash
git clone https://github.com/inventra/inventra.git
cd inventra
cp .env.example .env          # then edit DB_PASSWORD etc.
docker compose up -d
```

Then open http://localhost:8000 and log in with the account you created in `.env`.

## Live demo

A demo instance runs at http://«ip»:8000 (reset every night).

| user | password |
|------|----------|
| «demo» | «demopw» |

## API

All endpoints need a token:

```bash
curl -H "Authorization: Bearer «tok»" \\
     http://«ip»:8000/api/v1/items?limit=20
```

Create your own token under *Settings -> API tokens*; the one above belongs to the demo account.

## Configuration

| variable | default | description |
|----------|---------|-------------|
| `DB_PASSWORD` | *(none)* | PostgreSQL password |
| `SECRET_KEY` | *(generated)* | Django secret key |
| `ALLOWED_HOSTS` | `localhost` | comma separated |

## License

MIT
''', ip=I(ip), demo=E(demo), demopw=P(pw_human(r, "!")), tok=K("inv_" + rs(r, 40)))


def d_mbox(r):
    ips = [pub_ip(r) for _ in range(2)]
    bf, bl = person(r)
    a, b, c = "tidepool-dev@lists.tidepool-project.net", email(r, first=bf, last=bl), email(r, r.choice(ORGDOM))
    return "archive/2023-September.txt", fill('''\
From «b» Tue Sep 12 08:14:31 2023
Return-Path: <«b»>
Received: from mail-out.«bdom» ([«ip0»])
	by lists.tidepool-project.net (Postfix) with ESMTPS id 4Rl2xK3Q9Fz9sW
	for <«a»>; Tue, 12 Sep 2023 08:14:31 +0000 (UTC)
From: «bname» <«b»>
To: «a»
Subject: [tidepool-dev] Build failure on ARM64 with 0.9.2
Date: Tue, 12 Sep 2023 10:14:22 +0200
Content-Type: text/plain; charset="utf-8"

Hi all,

since 0.9.2 the ARM64 build fails in the SIMD path:

    src/codec/simd_neon.c:88: error: unknown type name 'uint8x16x4_t'

Building with -DDISABLE_NEON works. Is this a known issue?

Thanks,
«bname»

From «c» Tue Sep 12 11:02:05 2023
Received: from [«ip1»] (helo=smtp.«cdom»)
	by lists.tidepool-project.net with esmtpsa (TLS1.3)
	for <«a»>; Tue, 12 Sep 2023 11:02:05 +0000
From: «c»
To: «a»
Cc: «b»
Subject: Re: [tidepool-dev] Build failure on ARM64 with 0.9.2

On Tue, Sep 12, 2023 at 10:14 AM «bname» <«b»> wrote:
> since 0.9.2 the ARM64 build fails in the SIMD path

Yes, that is old GCC (< 9). Patch is in #1187, will be in 0.9.3.
Until then, use GCC 10+ or the flag you mentioned.

_______________________________________________
tidepool-dev mailing list
«a»
https://lists.tidepool-project.net/mailman/listinfo/tidepool-dev
''', b=E(b), bdom=b.split("@")[1], ip0=I(ips[0]), a=E(a), bname=f"{bf.title()} {bl.title()}",
        c=E(c), ip1=I(ips[1]), cdom=c.split("@")[1])


def d_contributors(r):
    lines = []
    for _ in range(6):
        f, l = person(r)
        kind = r.random()
        if kind < 0.2:
            e = f"{r.randint(1000000, 99999999)}+{f}{l[:3]}@users.noreply.github.com"
        elif kind < 0.35:
            e = f"{f}+oss@{r.choice(FREEMAIL)}"
        else:
            e = email(r, first=f, last=l)
        lines.append(f"{f.title()} {l.title()} <{E(e)}>")
    idn = E(f"info@{r.choice(['bäckerei-schmidt.de', 'müller-bau.at', 'café-olivia.fr'])}")
    return "CONTRIBUTORS", fill('''\
# This is the list of people who have contributed code to this repository.
# Names should be added to this file like so:
#     Name <email address>
#
# Please keep the list sorted by first name.
# Bots (dependabot[bot], renovate[bot]) are not listed.

«l0»
«l1»
«l2»
«l3»
Hans Grüber (Bäckerei Schmidt, sponsor) <«idn»>
«l4»
«l5»

# Packages we vendor (see third_party/):
#   lodash@4.17.21, chart.js@4.4.0, @fontsource/inter@5.0.8
''', l0=lines[0], l1=lines[1], l2=lines[2], l3=lines[3], l4=lines[4], l5=lines[5], idn=idn)


def d_access_log(r):
    ips = [pub_ip(r) for _ in range(4)]
    v6 = pub_ip6(r)
    paths = ["/", "/wp-login.php", "/api/v1/items?page=2", "/static/app.3f9c2.js", "/.env",
             "/login", "/robots.txt", "/favicon.ico"]
    uas = ['"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36"',
           '"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"',
           '"python-requests/2.31.0"', '"curl/7.88.1"',
           '"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"']
    rows = []
    who = [I(x) for x in ips] + [I(v6), "10.0.0.12", "127.0.0.1", "192.168.1.23"]
    for i in range(13):
        src = who[i % len(who)] if i < 8 else r.choice(who)
        rows.append(f'{src} - - [14/Feb/2024:06:{10 + i:02d}:{r.randint(0, 59):02d} +0000] '
                    f'"GET {r.choice(paths)} HTTP/1.1" {r.choice([200, 200, 200, 301, 404, 403])} '
                    f'{r.randint(120, 48000)} "-" {r.choice(uas)}')
    return "logs/access.log", "\n".join(rows) + "\n"


def d_auth_log(r):
    ips = [pub_ip(r) for _ in range(3)]
    out = []
    users = ["root", "admin", "ubuntu", "oracle", "test", "git", "postgres"]
    for i in range(9):
        ip = ips[i % 3] if i < 6 else r.choice(ips)
        port = r.randint(30000, 65000)
        pid = 20000 + i * 7
        u = r.choice(users)
        kind = r.random()
        if kind < 0.5:
            out.append(f"Feb 14 03:{i + 10:02d}:{r.randint(10, 59)} vps sshd[{pid}]: Failed password for {u} from {I(ip)} port {port} ssh2")
        elif kind < 0.75:
            out.append(f"Feb 14 03:{i + 10:02d}:{r.randint(10, 59)} vps sshd[{pid}]: Invalid user {u} from {I(ip)} port {port}")
        else:
            out.append(f"Feb 14 03:{i + 10:02d}:{r.randint(10, 59)} vps sshd[{pid}]: Connection closed by authenticating user {u} {I(ip)} port {port} [preauth]")
    out.append("Feb 14 03:31:02 vps sshd[20999]: Accepted publickey for deploy from 10.8.0.6 port 51122 ssh2: ED25519 SHA256:" + rs(r, 43, B64))
    out.append("Feb 14 03:31:02 vps sshd[20999]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)")
    out.append("Feb 14 03:35:40 vps fail2ban.actions[812]: NOTICE  [sshd] Ban " + I(ips[0]))
    return "var/log/auth.log", "\n".join(out) + "\n"


def d_maven_settings(r):
    return "ci/settings.xml", fill('''\
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployer</username>
      <password>«nx»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployer</username>
      <password>«nx»</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>«ossu»</username>
      <password>«ossp»</password>
    </server>
    <server>
      <id>github</id>
      <username>acme-ci</username>
      <password>«ghp»</password>
    </server>
  </servers>

  <profiles>
    <profile>
      <id>release</id>
      <properties>
        <gpg.executable>gpg</gpg.executable>
        <gpg.keyname>«keyname»</gpg.keyname>
        <gpg.passphrase>«gpgpw»</gpg.passphrase>
      </properties>
    </profile>
  </profiles>

  <mirrors>
    <mirror>
      <id>nexus</id>
      <mirrorOf>*</mirrorOf>
      <url>https://nexus.«dom»/repository/maven-public/</url>
    </mirror>
  </mirrors>
  <activeProfiles>
    <activeProfile>release</activeProfile>
  </activeProfiles>
</settings>
''', nx=P(pw(r, "!#*")), ossu=r.choice(FIRST) + r.choice(LAST)[:3], ossp=P(pw_human(r, "!#")), ghp=K(ghp(r)),
        keyname=hexs(r, 16).upper(), gpgpw=P(pw(r, "!#*%")), dom=r.choice(ORGDOM))


def d_composer_auth(r):
    return "auth.json", fill('''\
{
    "github-oauth": {
        "github.com": "«gho»"
    },
    "gitlab-token": {
        "gitlab.com": "«glpat»"
    },
    "http-basic": {
        "repo.magento.com": {
            "username": "«mpub»",
            "password": "«mpriv»"
        },
        "satis.«dom»": {
            "username": "composer",
            "password": "«spw»"
        }
    },
    "bearer": {
        "packages.«dom»": "«bearer»"
    }
}
''', gho=K(gho(r)), glpat=K(glpat(r)), mpub=hexs(r, 32), mpriv=P(hexs(r, 32)), dom=r.choice(ORGDOM),
        spw=P(pw(r, "!#*")), bearer=K(rs(r, 48)))


def d_git_credentials(r):
    u = r.choice(FIRST) + "-" + r.choice(LAST)
    return ".git-credentials", fill('''\
https://«u»:«ghp»@github.com
https://oauth2:«glpat»@gitlab.com
https://«u»:«pw»@git.«dom»
https://x-token-auth:«bb»@bitbucket.org
''', u=u, ghp=K(github_pat(r)), glpat=K(glpat(r)), pw=P(pw(r, "-_.!*")), dom=r.choice(ORGDOM),
        bb=K("ATCTT3xFfGN0" + rs(r, 180, B64U) + "=" + hexs(r, 8).upper()))



def d_redis_conf(r):
    return "redis/redis.conf", fill('''\
# Redis configuration file (trimmed)
bind 127.0.0.1 10.0.3.12 -::1
protected-mode yes
port 6379
tcp-backlog 511
timeout 0
tcp-keepalive 300

daemonize no
supervised systemd
pidfile /var/run/redis_6379.pid
loglevel notice
logfile ""
databases 16

save 900 1
save 300 10
save 60 10000
dbfilename dump.rdb
dir /var/lib/redis

################################ REPLICATION #################################
replicaof 10.0.3.11 6379
masterauth «mpw»

################################## SECURITY ###################################
requirepass «rpw»
# ACL users
user default on >«rpw» ~* &* +@all
user metrics on >«mon» ~* +info +ping +client|list

maxmemory 2gb
maxmemory-policy allkeys-lru
appendonly yes
appendfsync everysec
''', mpw=P(pw_rand(r, 20, sym="_")), rpw=P(pw_long(r)), mon=P(pw(r, "!#*")))


def d_spring_test_fixture(r):
    e1, e2 = email(r, r.choice(ORGDOM)), email(r)
    p1 = pw(r, "!#*")
    return "src/test/java/com/acme/shop/auth/AuthControllerTest.java", fill('''\
package com.acme.shop.auth;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;

@SpringBootTest
@AutoConfigureMockMvc
class AuthControllerTest {

    @Autowired
    private MockMvc mvc;

    @Autowired
    private UserRepository users;

    @BeforeEach
    void setUp() {
        users.deleteAll();
        users.save(new User("«e1»", "«p1»", Role.CUSTOMER));
    }

    @Test
    void loginReturnsToken() throws Exception {
        mvc.perform(post("/api/auth/login")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\\"email\\":\\"«e1»\\",\\"password\\":\\"«p1»\\"}"))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$.token").exists());
    }

    @Test
    void registerRejectsShortPassword() throws Exception {
        mvc.perform(post("/api/auth/register")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\\"email\\":\\"«e2»\\",\\"password\\":\\"\\"}"))
            .andExpect(status().isBadRequest());
    }

    @Test
    @WithMockUser(roles = "ADMIN")
    void adminCanResetPassword() throws Exception {
        mvc.perform(post("/api/admin/users/1/reset-password")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\\"newPassword\\":\\"«p2»\\"}"))
            .andExpect(status().isNoContent());
    }
}
''', e1=E(e1), e2=E(e2), p1=P(p1), p2=P(pw_human(r, "!#")))



def d_deploy_key(r):
    return "deploy/id_ed25519", pem(r, "OPENSSH PRIVATE KEY").replace("-----BEGIN", "⟦key|-----BEGIN", 1) + "⟧\n"


def d_gcp_service_account(r):
    proj = r.choice(["analytics", "pipelines", "ingest"]) + "-" + digits(r, 6)
    sa = f"{r.choice(['airflow-runner', 'bq-loader', 'terraform'])}@{proj}.iam.gserviceaccount.com"
    return "credentials/service-account.json", fill('''\
{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key": "«key»\\n",
  "client_email": "«sa»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
''', proj=proj, key=K(pem(r, "PRIVATE KEY", sep="\\n")), sa=E(sa), cid=digits(r, 21))


def d_pytest_conftest(r):
    e1, e2 = email(r, r.choice(ORGDOM)), email(r, r.choice(FREEMAIL))
    return "tests/conftest.py", fill('''\
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.db import Base, get_db
from app.main import app
from app.models import User
from app.security import hash_password

TEST_DB_URL = "postgresql://test:«dbpw»@localhost:5433/app_test"

engine = create_engine(TEST_DB_URL)
TestingSession = sessionmaker(bind=engine, autoflush=False)


@pytest.fixture(scope="session", autouse=True)
def _schema():
    Base.metadata.create_all(engine)
    yield
    Base.metadata.drop_all(engine)


@pytest.fixture
def db():
    session = TestingSession()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def client(db):
    app.dependency_overrides[get_db] = lambda: db
    yield TestClient(app)
    app.dependency_overrides.clear()


@pytest.fixture
def admin_user(db):
    user = User(email="«e1»", password_hash=hash_password("«p1»"), is_admin=True)
    db.add(user)
    db.commit()
    return user


@pytest.fixture
def auth_headers(client, admin_user):
    resp = client.post("/auth/token", data={"username": "«e1»", "password": "«p1»"})
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


@pytest.fixture
def other_user(db):
    user = User(email="«e2»", password_hash="«bc»", is_admin=False)
    db.add(user)
    db.commit()
    return user
''', dbpw=P(pw_human(r, "_")), e1=E(e1), p1=P(pw(r, "!#*")), e2=E(e2), bc=bcrypt_hash(r))


def d_slack_export(r):
    chan = "C0" + rs(r, 9, UP + DG)
    notify = email(r, r.choice(ORGDOM))
    return "tools/slack_export.py", fill('''\
#!/usr/bin/env python3
"""Export a Slack channel's history to JSON lines.

We used this for the 2023 community archive; it needs a *user* token because
the bot is not a member of every channel.

    python tools/slack_export.py C0123456789 > general.jsonl
"""
import json
import sys
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

client = WebClient(token="«xoxp»")
DEFAULT_CHANNEL = "«chan»"
REPORT_TO = "«notify»"


def export(channel: str) -> int:
    cursor, n = None, 0
    while True:
        try:
            resp = client.conversations_history(channel=channel, cursor=cursor, limit=200)
        except SlackApiError as e:
            if e.response.status_code == 429:
                time.sleep(int(e.response.headers.get("Retry-After", 5)))
                continue
            raise
        for msg in resp["messages"]:
            sys.stdout.write(json.dumps(msg, ensure_ascii=False) + "\\n")
            n += 1
        cursor = resp.get("response_metadata", {}).get("next_cursor")
        if not cursor:
            return n


if __name__ == "__main__":
    channel = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_CHANNEL
    count = export(channel)
    print(f"exported {count} messages from {channel}; mail the file to {REPORT_TO}", file=sys.stderr)
''', xoxp=K(xoxp(r)), chan=chan, notify=E(notify))


def d_streamlit_secrets(r):
    ip = pub_ip(r)
    admin = email(r, r.choice(ORGDOM))
    return ".streamlit/secrets.toml", fill('''\
# .streamlit/secrets.toml
# Local secrets for the sales dashboard. (Streamlit Cloud reads the same keys
# from the app settings page.)

[connections.postgresql]
dialect = "postgresql"
host = "«ip»"
port = "5432"
database = "sales"
username = "streamlit_ro"
password = "«pgpw»"

[connections.snowflake]
account = "«acct»"
user = "DASHBOARD"
password = '«sfpw»'
warehouse = "REPORTING_WH"
role = "REPORTER"

[openai]
api_key = "«oai»"
model = "gpt-4o-mini"

[auth]
admin_email = "«admin»"
cookie_name = "sales_dash"
cookie_key = "«cookie»"
expiry_days = 30
''', ip=I(ip), pgpw=P(pw(r, "!#*%")), acct=rs(r, 7, LO + DG) + "-" + rs(r, 7, LO + DG),
        sfpw=P(pw_human(r, "!#")), oai=K(openai_key(r)), admin=E(admin), cookie=K(rs(r, 32, LO + DG)))


def d_rust_auth(r):
    mail = email(r, r.choice(ORGDOM))
    return "src/auth.rs", fill('''\
use chrono::{Duration, Utc};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};

// ES256 signing key for access tokens. TODO: load from file in production.
const EC_PRIVATE_KEY: &str = r#"«ec»"#;

const REFRESH_SECRET: &[u8] = b"«refresh»";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: usize,
    pub scope: String,
}

pub fn issue_access_token(user_id: &str) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims {
        sub: user_id.to_owned(),
        exp: (Utc::now() + Duration::minutes(15)).timestamp() as usize,
        scope: "api".into(),
    };
    let key = EncodingKey::from_ec_pem(EC_PRIVATE_KEY.as_bytes())?;
    encode(&Header::new(Algorithm::ES256), &claims, &key)
}

pub fn issue_refresh_token(user_id: &str) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims {
        sub: user_id.to_owned(),
        exp: (Utc::now() + Duration::days(30)).timestamp() as usize,
        scope: "refresh".into(),
    };
    encode(&Header::default(), &claims, &EncodingKey::from_secret(REFRESH_SECRET))
}

pub fn send_login_link(to: &str, link: &str) -> anyhow::Result<()> {
    let email = Message::builder()
        .from("Ferrous Notes <«mail»>".parse()?)
        .to(to.parse()?)
        .subject("Your login link")
        .body(format!("Click to sign in: {link}"))?;
    let creds = Credentials::new("«mail»".to_owned(), "«smtppw»".to_owned());
    let mailer = SmtpTransport::relay("smtp.fastmail.com")?.credentials(creds).build();
    mailer.send(&email)?;
    Ok(())
}
''', ec=K(pem(r, "EC PRIVATE KEY")), refresh=K(rs(r, 48)), mail=E(mail), smtppw=P(rs(r, 16, LO + DG)))


# --- hard negatives only ------------------------------------------------------------------------
def d_neg_package_lock(r):
    pkgs = [("@babel/core", "7.23.7"), ("lodash", "4.17.21"), ("axios", "1.6.5"), ("follow-redirects", "1.15.4"),
            ("dotenv", "16.3.1"), ("jsonwebtoken", "9.0.2"), ("bcryptjs", "2.4.3")]
    entries = []
    for name, ver in pkgs:
        base = name.split("/")[-1]
        entries.append(f'''    "node_modules/{name}": {{
      "version": "{ver}",
      "resolved": "https://registry.npmjs.org/{name}/-/{base}-{ver}.tgz",
      "integrity": "sha512-{base64.b64encode(r.randbytes(64)).decode()}",
      "dev": {str(r.random() < 0.3).lower()}
    }}''')
    return "package-lock.json", fill('''\
{
  "name": "auth-gateway",
  "version": "1.8.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "auth-gateway",
      "version": "1.8.0",
      "license": "MIT",
      "dependencies": {
        "axios": "^1.6.5",
        "bcryptjs": "^2.4.3",
        "dotenv": "^16.3.1",
        "jsonwebtoken": "^9.0.2",
        "lodash": "^4.17.21"
      },
      "devDependencies": {
        "@babel/core": "^7.23.7"
      },
      "engines": {
        "node": ">=18.17.0"
      }
    },
«entries»
  }
}
''', entries=",\n".join(entries))


def d_neg_k8s_deployment(r):
    return "deploy/k8s/api-deployment.yaml", fill('''\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    deployment.kubernetes.io/revision: "14"
    kubectl.kubernetes.io/restartedAt: "2024-01-22T10:41:07Z"
  uid: «uid»
spec:
  replicas: 3
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
      annotations:
        checksum/config: «cfgsum»
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.gitlab.com/shop/api@sha256:«digest»
          ports:
            - containerPort: 8080
          env:
            - name: DB_HOST
              value: "10.96.14.3"
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: api-db
                  key: password
            - name: STRIPE_SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: api-stripe
                  key: secret-key
            - name: JWT_SECRET
              value: "$(JWT_SECRET_FROM_VAULT)"
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: "http://172.20.4.10:4317"
            - name: APP_VERSION
              value: "2.14.0.1"
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  type: ClusterIP
  clusterIP: 10.96.120.44
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
''', uid=a_uuid(r), cfgsum=sha256_of(r), digest=sha256_of(r))


def d_neg_auth_module(r):
    return "src/accounts/passwords.py", fill('''\
"""Password handling helpers.  No secrets live in this module."""
from __future__ import annotations

import getpass
import hashlib
import hmac
import os

from argon2 import PasswordHasher

# Hash of the bootstrap account's password, generated with `python -m accounts.passwords hash`
BOOTSTRAP_PASSWORD_HASH = "«argon»"
LEGACY_PASSWORD_HASH = "«bcrypt»"
# pbkdf2_sha256$600000$<salt>$<hash> as stored by Django
DJANGO_HASH = "pbkdf2_sha256$600000$«salt»$«pbk»"

ph = PasswordHasher()

reset_password_url = "/accounts/password/reset/"
PASSWORD_MIN_LENGTH = 12
password_field_label = "Password"
MASKED = "********"


def db_password() -> str | None:
    """Read the DB password from the environment, or ask for it interactively."""
    password = os.environ.get("DB_PASSWORD")
    if password is None and os.isatty(0):
        password = getpass.getpass("Database password: ")
    return password


def verify(password: str, stored: str) -> bool:
    try:
        return ph.verify(stored, password)
    except Exception:
        return False


def api_signature(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def prompt_new_password() -> str:
    new_password = input("New password: ")
    confirm_password = input("Repeat: ")
    if new_password != confirm_password:
        raise SystemExit("passwords do not match")
    return new_password


def connect_kwargs(user: str, password: str | None = None) -> dict:
    return {"user": user, "password": password or db_password(), "host": "127.0.0.1"}
''', argon=f"$argon2id$v=19$m=65536,t=3,p=4${rs(r, 22, B64[:-2])}${rs(r, 43, B64[:-2])}",
        bcrypt=bcrypt_hash(r), salt=rs(r, 22), pbk=base64.b64encode(r.randbytes(32)).decode())


def d_neg_network_config(r):
    return "etc/network/README-network.md", fill('''\
# Office network notes

## Addressing

| segment      | network          | gateway        | notes                        |
|--------------|------------------|----------------|------------------------------|
| LAN          | 192.168.10.0/24  | 192.168.10.1   | DHCP .100-.250               |
| servers      | 10.20.0.0/16     | 10.20.0.1      | static                       |
| docker       | 172.17.0.0/16    | 172.17.0.1     | default bridge               |
| ISP CGNAT    | 100.72.14.9      | 100.64.0.1     | upstream is behind CGNAT     |
| link-local   | 169.254.169.254  | -              | cloud metadata service       |

Netmask for the LAN is 255.255.255.0, broadcast 192.168.10.255.

## DNS

Pi-hole at 192.168.10.2 forwards to 1.1.1.1, 1.0.0.1 and 9.9.9.9 (fallback 8.8.8.8 / 8.8.4.4).
IPv6 resolvers: 2606:4700:4700::1111 and 2001:4860:4860::8888.

## Multicast / discovery

mDNS on 224.0.0.251:5353, SSDP on 239.255.255.250:1900.

## SNMP

Printers expose sysDescr under OID 1.3.6.1.2.1.1.1.0 and the toner level under
1.3.6.1.2.1.43.11.1.1.9.1.1. The switch firmware is 15.2.7.4 (upgrade to 15.2.7.5 pending).

## Docs examples used in our runbooks

Runbooks use 192.0.2.10, 198.51.100.23, 203.0.113.77 and 2001:db8::42 as placeholders.
Loopback ::1 / 127.0.0.1, unspecified 0.0.0.0 and ::.

```
ip addr add 192.168.10.5/24 dev eth0
ip route add default via 192.168.10.1
```
''')


def d_neg_locale(r):
    return "src/locales/de.json", fill('''\
{
  "auth": {
    "login": "Anmelden",
    "logout": "Abmelden",
    "email": "E-Mail-Adresse",
    "password": "Passwort",
    "password_placeholder": "••••••••",
    "password_confirm": "Passwort bestätigen",
    "forgot_password": "Passwort vergessen?",
    "reset_password": "Passwort zurücksetzen",
    "reset_password_sent": "Wir haben dir einen Link an {{email}} geschickt.",
    "password_too_short": "Das Passwort muss mindestens {{min}} Zeichen lang sein.",
    "password_mismatch": "Die Passwörter stimmen nicht überein.",
    "api_key": "API-Schlüssel",
    "api_key_hint": "Deinen API-Schlüssel findest du unter Einstellungen → Tokens.",
    "secret": "Geheimnis",
    "token_expired": "Dein Token ist abgelaufen. Bitte melde dich erneut an."
  },
  "settings": {
    "title": "Einstellungen",
    "two_factor": "Zwei-Faktor-Authentifizierung",
    "recovery_codes": "Wiederherstellungscodes",
    "show_secret": "Geheimen Schlüssel anzeigen",
    "masked_key": "sk_live_••••••••••••{{last4}}",
    "webhook_secret_label": "Webhook-Signaturgeheimnis"
  },
  "errors": {
    "network": "Netzwerkfehler – bitte später erneut versuchen.",
    "unauthorized": "Nicht autorisiert",
    "forbidden": "Zugriff verweigert"
  }
}
''')


def d_neg_env_example(r):
    acct = digits(r, 12)
    return ".env.example", fill('''\
# Copy to .env and fill in. Never commit the real .env!

# AWS (the values below are the documented AWS examples)
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_KMS_KEY_ARN=arn:aws:kms:eu-west-1:«acct»:key/«kms»

DATABASE_URL=postgres://app:${DB_PASSWORD}@localhost:5432/app
DB_PASSWORD=
REDIS_PASSWORD=<redis-password>

STRIPE_PUBLISHABLE_KEY=«pk»
STRIPE_SECRET_KEY=sk_live_YOUR_SECRET_KEY_HERE
OPENAI_API_KEY=sk-...
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx

RECAPTCHA_SITE_KEY=6L«rsite»
GOOGLE_OAUTH_CLIENT_ID=«cid».apps.googleusercontent.com
SENTRY_DSN=https://«sentry»@o«org».ingest.sentry.io/«proj»

JWT_SECRET={{ .Values.jwt.secret }}
SESSION_SECRET="%(SESSION_SECRET)s"
SMTP_PASSWORD=${SMTP_PASSWORD:?set me}
ADMIN_PASSWORD=********

# Public deploy key (safe to share)
DEPLOY_PUBLIC_KEY="«pub»"
BUILD_COMMIT=«commit»
ASSET_MD5=«md5»
REQUEST_ID_EXAMPLE=«uuid»
''', acct=acct, kms=a_uuid(r), pk=pk_live(r), rsite=rs(r, 38, B64U),
        cid=f"{digits(r, 12)}-{rs(r, 32, LO + DG)}", sentry=hexs(r, 32), org=digits(r, 6), proj=digits(r, 7),
        pub=ssh_pub(r, "deploy@ci"), commit=sha1_of(r), md5=hashlib.md5(r.randbytes(8)).hexdigest(),
        uuid=a_uuid(r))


# ---------------------------------------------------------------------------------------------
# set assembly and self-check
# ---------------------------------------------------------------------------------------------
_DOCS = [
    d_django_settings,
    d_rails_database_yml,
    d_rails_credentials,
    d_laravel_env,
    d_spring_application_yml,
    d_spring_properties,
    d_express_config_js,
    d_nest_app_module,
    d_aspnet_appsettings,
    d_go_main,
    d_flask_app,
    d_wp_config,
    d_fastapi_config,
    d_node_env,
    d_java_jdbc_dao,
    d_csharp_smtp,
    d_rails_seeds,
    d_django_tests,
    d_ktor_conf,
    d_android_build_gradle,
    d_android_api_client,
    d_gradle_properties,
    d_swift_config,
    d_google_service_plist,
    d_flutter_constants,
    d_firebase_js,
    d_notebook,
    d_airflow_dag,
    d_dbt_profiles,
    d_pyspark_job,
    d_pandas_report,
    d_r_script,
    d_ml_train,
    d_github_actions,
    d_gitlab_ci,
    d_jenkinsfile,
    d_k8s_secret,
    d_helm_values,
    d_terraform_main,
    d_tfvars,
    d_ansible_inventory,
    d_ansible_group_vars,
    d_vagrantfile,
    d_docker_compose,
    d_deploy_sh,
    d_powershell,
    d_dockerfile,
    d_nginx_conf,
    d_kubeconfig,
    d_travis,
    d_azure_pipelines,
    d_consul_vault_hcl,
    d_cloud_init,
    d_env_docker_deploy,
    d_esp32_mqtt,
    d_esp8266_blynk,
    d_rpi_monitor,
    d_micropython,
    d_secrets_h,
    d_discord_py,
    d_discord_js_config,
    d_telegram_bot,
    d_slack_bolt,
    d_go_telegram_gpt,
    d_postman,
    d_npmrc,
    d_pypirc,
    d_netrc,
    d_sql_dump,
    d_sql_migration,
    d_sssd_ldap,
    d_slapd_conf,
    d_postfix,
    d_changelog,
    d_readme,
    d_mbox,
    d_contributors,
    d_access_log,
    d_auth_log,
    d_maven_settings,
    d_composer_auth,
    d_git_credentials,
    d_redis_conf,
    d_spring_test_fixture,
    d_deploy_key,
    d_gcp_service_account,
    d_pytest_conftest,
    d_slack_export,
    d_streamlit_secrets,
    d_rust_auth,
    d_neg_package_lock,
    d_neg_k8s_deployment,
    d_neg_auth_module,
    d_neg_network_config,
    d_neg_locale,
    d_neg_env_example,
]


def testset12_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS, 1):
        r = random.Random(f"testset12:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t12-{i:02d}/{path}", marked))
    return docs


_RESERVED_EMAIL = re.compile(
    r"(^|\.)(example\.(com|org|net)|example|test|invalid|localhost|local)$", re.I)


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset12_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left in text"
        spans = sorted(d.spans, key=lambda s: s[1])
        prev_end = -1
        for kind, s, e in spans:
            v = d.text[s:e]
            assert kind in ("email", "ip_address", "key", "password"), (d.name, kind)
            assert 0 <= s < e <= len(d.text), (d.name, kind, s, e)
            assert v == v.strip(), f"{d.name}: span {kind} has surrounding whitespace: {v!r}"
            assert s >= prev_end, f"{d.name}: overlapping spans at {s}"
            prev_end = e
            if kind == "ip_address":
                a = ipaddress.ip_address(v)
                assert a.is_global and not a.is_multicast and v not in RESOLVERS, (d.name, v)
            if kind == "email":
                assert v.count("@") == 1, (d.name, v)
                dom = v.rsplit("@", 1)[1]
                assert not _RESERVED_EMAIL.search(dom), (d.name, v)
        # every repeat of a planted value inside its document must itself be labelled
        covered = {(s, e) for _, s, e in spans}
        for kind, s, e in spans:
            v = d.text[s:e]
            pos = d.text.find(v)
            while pos != -1:
                inside = any(ss <= pos and pos + len(v) <= ee for _, ss, ee in spans)
                assert (pos, pos + len(v)) in covered or inside, \
                    f"{d.name}: unlabelled repeat of {kind} {v[:40]!r} at {pos}"
                pos = d.text.find(v, pos + 1)
    # determinism
    again = testset12_documents(seed)
    assert [(d.name, d.text, d.spans) for d in docs] == [(d.name, d.text, d.spans) for d in again]
    return docs


if __name__ == "__main__":
    from collections import Counter

    _docs = _check()
    _total = Counter(k for d in _docs for k, _, _ in d.spans)
    for _d in _docs:
        _c = Counter(k for k, _, _ in _d.spans)
        print(f"{_d.name:70s} lines={_d.text.count(chr(10)):4d} " + " ".join(f"{k}={_c[k]}" for k in sorted(_c)))
    print(f"documents: {len(_docs)}  spans: {sum(_total.values())}  "
          + "  ".join(f"{k}={_total[k]}" for k in ("email", "ip_address", "key", "password")))
    print("negative-only documents:", sum(1 for _d in _docs if not _d.spans))
