"""Blind labelled test set 17 for the PII/secret scrubber.

About ninety documents, each imitating one real-looking file that a developer might find by
searching GitHub for leaked credentials in permissively licensed repositories: web backends
(Django, Rails, Laravel, Spring, Express/Nest, ASP.NET, Go, Flask, PHP), mobile apps (Android,
iOS, Flutter), data and ML scripts (notebooks, Airflow, dbt, Spark, pandas, R), DevOps (GitHub
Actions, GitLab CI, Jenkins, Kubernetes, Helm, Terraform, Ansible, Vagrant, docker-compose, shell,
PowerShell), embedded sketches (Arduino/ESP32, Raspberry Pi, MicroPython), chat bots (Discord,
Telegram, Slack) and miscellany (Postman, .npmrc/.pypirc/.netrc, SQL, LDAP/mail configs,
changelogs, READMEs, mailing-list archives, CONTRIBUTORS, access logs). The documents carry the
planted secrets plus hard negatives (things that look like secrets but are not); a handful carry
hard negatives only. The set was written without looking at the scrubber.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records the spans. Every secret (and most negatives) is drawn from a ``random.Random`` seeded from
the seed and the document's name, so the set is deterministic for a given seed.

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
import sys

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1717

# ---------------------------------------------------------------------------------------------
# markers and template filling
# ---------------------------------------------------------------------------------------------


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


_SLOT = re.compile(r"«(\w+)»")


def _fill(tpl: str, **kw) -> str:
    """Replace «name» slots; templates are raw strings that start with a newline."""
    used = set()

    def rep(m):
        used.add(m.group(1))
        return str(kw[m.group(1)])

    out = _SLOT.sub(rep, tpl)
    unused = set(kw) - used
    if unused:
        raise KeyError(f"unused template values: {sorted(unused)}")
    return out[1:] if out.startswith("\n") else out


# ---------------------------------------------------------------------------------------------
# value generators
# ---------------------------------------------------------------------------------------------

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LO + DIG
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def rs(r: random.Random, n: int, alpha: str = ALNUM) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def hexs(r, n):
    return rs(r, n, HEX)


def b64_bytes(r, n, url=False):
    raw = bytes(r.getrandbits(8) for _ in range(n))
    return (base64.urlsafe_b64encode if url else base64.b64encode)(raw).decode()


def b64url_nopad(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# --- provider tokens -----------------------------------------------------------------------


def aws_akid(r, prefix="AKIA"):
    return prefix + rs(r, 16, UP + "234567")


def aws_secret(r):
    return rs(r, 40, B64)


def ghp(r, prefix="ghp_"):
    return prefix + rs(r, 36)


def github_pat(r):
    return "github_pat_11" + rs(r, 20, UP + DIG) + "_" + rs(r, 59)


def glpat(r):
    return "glpat-" + rs(r, 20, ALNUM + "-_")


def slack_bot(r):
    return f"xoxb-{rs(r, 11, DIG)}-{rs(r, 13, DIG)}-{rs(r, 24)}"


def slack_user(r):
    return f"xoxp-{rs(r, 11, DIG)}-{rs(r, 12, DIG)}-{rs(r, 13, DIG)}-{hexs(r, 32)}"


def slack_app(r):
    return f"xapp-1-A{rs(r, 10, UP + DIG)}-{rs(r, 13, DIG)}-{hexs(r, 64)}"


def slack_hook_path(r):
    """The part of a Slack webhook URL that is spanned: T.../B.../secret."""
    return f"T{rs(r, 8, UP + DIG)}/B{rs(r, 10, UP + DIG)}/{rs(r, 24)}"


def stripe_sk(r, kind="sk", long=None):
    long = r.random() < 0.5 if long is None else long
    return f"{kind}_live_" + ("51" + rs(r, 97) if long else rs(r, 24))


def stripe_pk(r):
    return "pk_live_51" + rs(r, 97)


def sendgrid(r):
    return "SG." + rs(r, 22, B64URL) + "." + rs(r, 43, B64URL)


def twilio_sk(r):
    return "SK" + hexs(r, 32)


def mailgun(r):
    return "key-" + hexs(r, 32)


def npm_tok(r):
    return "npm_" + rs(r, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmcCJD" + rs(r, r.randint(130, 160), B64URL)


def openai_key(r, proj=None):
    proj = r.random() < 0.5 if proj is None else proj
    if proj:
        return "sk-proj-" + rs(r, 74, B64URL) + "T3BlbkFJ" + rs(r, 74, B64URL)
    return "sk-" + rs(r, 20) + "T3BlbkFJ" + rs(r, 20)


def anthropic_key(r):
    return "sk-ant-api03-" + rs(r, 93, B64URL) + "AA"


def hf_tok(r):
    return "hf_" + rs(r, 34, UP + LO)


def google_key(r):
    return "AIzaSy" + rs(r, 33, B64URL)


def discord_tok(r):
    uid = str(r.randint(10**17, 13 * 10**17))
    return b64url_nopad(uid.encode()) + "." + rs(r, 6, B64URL) + "." + rs(r, 38, B64URL)


def telegram_tok(r):
    return f"{r.randint(10**8, 7 * 10**9)}:AA{rs(r, 33, B64URL)}"


def jwt(r, claims=None, alg="HS256"):
    head = b64url_nopad(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    now = r.randint(1_650_000_000, 1_720_000_000)
    body = claims or {"sub": str(r.randint(1000, 99999)), "name": r.choice(FIRST) + " " + r.choice(LAST),
                      "iat": now}
    body = dict(body)
    body.setdefault("iat", now)
    if r.random() < 0.6:
        body.setdefault("exp", now + r.choice([3600, 86400, 31536000]))
    pl = b64url_nopad(json.dumps(body, separators=(",", ":")).encode())
    sig = rs(r, 43 if alg.startswith("HS") else 342, B64URL)
    return f"{head}.{pl}.{sig}"


_PEM_PREFIX = {
    "RSA PRIVATE KEY": "MIIEpAIBAAKCAQEA",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
}
_PEM_LEN = {"RSA PRIVATE KEY": 1588, "PRIVATE KEY": 1624, "EC PRIVATE KEY": 164,
            "OPENSSH PRIVATE KEY": 400}


def pem(r, kind="RSA PRIVATE KEY", sep="\n", short=False):
    """A private key block; ``sep`` is what separates its lines as written (\\n or a literal \\\\n)."""
    n = _PEM_LEN[kind] // (2 if short and kind in ("RSA PRIVATE KEY", "PRIVATE KEY") else 1)
    body = _PEM_PREFIX[kind] + rs(r, n - len(_PEM_PREFIX[kind]), B64)
    if kind == "EC PRIVATE KEY":
        body = body[:-2] + "=="
    width = 70 if kind == "OPENSSH PRIVATE KEY" else 64
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return sep.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


def azure_account_key(r):
    return rs(r, 86, B64) + "=="


def shopify(r, prefix="shpat_"):
    return prefix + hexs(r, 32)


def square(r):
    return "EAAA" + rs(r, 60, B64URL)


def do_tok(r):
    return "dop_v1_" + hexs(r, 64)


def heroku_tok(r):
    return "HRKU-AA" + rs(r, 58, B64URL)


def vault_tok(r):
    return "hvs.CAESI" + rs(r, 82, B64URL)


def sonar_tok(r):
    return "sqp_" + hexs(r, 40)


def docker_pat(r):
    return "dckr_pat_" + rs(r, 27, B64URL)


def postman_key(r):
    return f"PMAK-{hexs(r, 24)}-{hexs(r, 34)}"


def newrelic_key(r):
    return "NRAK-" + rs(r, 27, UP + DIG)


def mailchimp(r):
    return hexs(r, 32) + "-us" + str(r.randint(2, 21))


def grafana_sa(r):
    return "glsa_" + rs(r, 32) + "_" + hexs(r, 8)


def airtable(r):
    return "pat" + rs(r, 14) + "." + hexs(r, 64)


def linear_key(r):
    return "lin_api_" + rs(r, 40)


def fcm_server_key(r):
    return "AAAA" + rs(r, 7, B64URL) + ":APA91b" + rs(r, 134, B64URL)


def generic_secret(r, n=None):
    n = n or r.choice([32, 40, 48, 64])
    return r.choice([lambda: hexs(r, n), lambda: rs(r, n), lambda: rs(r, n, B64URL)])()


def basic_b64(user: str, pw: str) -> str:
    return base64.b64encode(f"{user}:{pw}".encode()).decode()


# --- passwords -------------------------------------------------------------------------------

_PW_WORDS = ["Summer", "Winter", "Falcon", "Dragon", "Coffee", "Monkey", "Tiger", "Rocket",
             "Pepper", "Shadow", "Purple", "Mustang", "Bailey", "Harley", "Thunder", "Silver",
             "Maple", "Ocean", "Pizza", "Guitar", "Lakers", "Yankees", "Bluebird", "Sunset",
             "Marvel", "Biscuit", "Panther", "Orion", "Nimbus", "Cobalt", "Juniper", "Walrus",
             "Pickle", "Mango", "Gizmo", "Zephyr", "Tango", "Pluto", "Raven", "Sparky", "Bruno",
             "Kiwi", "Lemon", "Apollo", "Barcelona", "Chelsea", "Liverpool", "Ninja", "Hunter"]
_LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1", "s": "5"})

SYM_ANY = "!#$%^&*-_.+=?@~"
SYM_SAFE = "!#%*-_.+=@"      # YAML/JSON/XML/INI friendly
SYM_URL = "-_.~!*"           # legal unencoded in userinfo
SYM_SH = "!#%*-_.+=@^"       # single- or double-quoted shell, .env


def pw_human(r, syms=SYM_SAFE):
    w = r.choice(_PW_WORDS)
    w2 = r.choice(_PW_WORDS)
    s = r.choice(syms)
    y = str(r.choice([r.randint(1970, 2025), r.randint(1, 99), r.randint(100, 9999)]))
    pat = r.randrange(7)
    if pat == 0:
        return f"{w}{y}{s}"
    if pat == 1:
        return f"{w.lower().translate(_LEET).capitalize()}{s}{y}"
    if pat == 2:
        return f"{w.lower()}{r.randint(1, 9)}{w2.lower()[:r.randint(2, 4)]}"
    if pat == 3:
        return f"{w}{s}{w2}{y[-2:]}"
    if pat == 4:
        return f"{w}@{y}" if "@" in syms else f"{w}{s}{y}"
    if pat == 5:
        return f"{w.lower()}_{y}{s}"
    return f"{w[0]}{w[1:].translate(_LEET)}{s}{w2.lower()}{y[-1]}"


def pw_random(r, n=None, syms=SYM_SAFE):
    n = n or r.randint(10, 16)
    while True:
        v = r.choice(UP + LO) + rs(r, n - 1, ALNUM + syms + syms)
        if any(c.isdigit() for c in v) and any(c.isupper() for c in v) and any(c in syms for c in v):
            return v


def pw_long(r, n=None):
    return rs(r, n or r.choice([24, 28, 32]))


def pw(r, syms=SYM_SAFE):
    x = r.random()
    if x < 0.55:
        return pw_human(r, syms)
    if x < 0.9:
        return pw_random(r, syms=syms)
    return pw_long(r)


# --- people, domains, addresses --------------------------------------------------------------

FIRST = ["james", "maria", "wei", "aisha", "lukas", "sofia", "raj", "emma", "kenji", "olga",
         "diego", "fatima", "noah", "chloe", "mateo", "priya", "tomasz", "ines", "omar", "hana",
         "liam", "zoe", "arjun", "elena", "yusuf", "nina", "pablo", "mei", "daniel", "sara",
         "felix", "anya", "ravi", "julia", "kofi", "lena", "hugo", "amara", "ivan", "leila"]
LAST = ["smith", "garcia", "chen", "khan", "muller", "rossi", "patel", "dubois", "tanaka",
        "ivanova", "lopez", "haddad", "nguyen", "kowalski", "silva", "okafor", "jensen", "park",
        "novak", "fischer", "costa", "ahmed", "berg", "moreau", "sato", "kim", "weber", "alves",
        "horvat", "lindqvist", "mensah", "ortiz", "schmidt", "yamamoto", "petrov", "obrien"]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "protonmail.com",
             "icloud.com", "gmx.de", "web.de", "mail.ru", "yandex.ru", "qq.com", "163.com",
             "naver.com", "fastmail.fm", "yahoo.co.jp", "libero.it", "orange.fr", "hotmail.co.uk"]
ORG_DOMAINS = ["brightlane.io", "kestrel-analytics.com", "tidewater-logistics.co.uk",
               "nordhavn.no", "quillstack.dev", "panda-retail.com.br", "fernway.com.au",
               "vintrace.ai", "hollowpeak.io", "medisync-health.com", "orbitpay.co",
               "greenleaf-farms.ca", "stadtwerke-lindau.de", "tinkerbyte.in", "blauwe-vos.nl",
               "mapleridge.edu", "saltmarsh.org", "arcticfox.tech", "lumenhq.app",
               "kobalt-systems.pl", "redkite.studio", "sakura-denki.jp", "ribeira.pt",
               "northpoint-capital.com", "zestcart.shop", "helixbio.eu", "crowsnest.io"]


def person(r):
    return r.choice(FIRST), r.choice(LAST)


def email(r, domain=None, style=None):
    f, l = person(r)
    domain = domain or (r.choice(FREE_MAIL) if r.random() < 0.45 else r.choice(ORG_DOMAINS))
    style = style if style is not None else r.randrange(6)
    local = [f"{f}.{l}", f"{f[0]}{l}", f"{f}{r.randint(1, 99)}", f"{f}_{l}", f"{f}", f"{l}.{f[0]}"][style]
    return f"{local}@{domain}"


def org_domain(r):
    return r.choice(ORG_DOMAINS)


_DNS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
        "208.67.222.222", "208.67.220.220", "4.2.2.2", "4.2.2.1", "64.6.64.6"}
_V4_FIRST = [3, 5, 13, 18, 23, 34, 35, 37, 44, 45, 46, 47, 50, 51, 52, 54, 62, 64, 66, 69, 77,
             78, 80, 81, 82, 85, 87, 88, 89, 91, 94, 95, 103, 104, 107, 109, 128, 134, 135, 138,
             139, 141, 142, 143, 144, 146, 147, 148, 151, 157, 159, 161, 162, 164, 165, 167,
             168, 170, 176, 178, 185, 188, 193, 194, 195, 197, 199, 201, 202, 206, 209, 212,
             213, 217]


def _public(a: str) -> bool:
    ip = ipaddress.ip_address(a)
    if not ip.is_global or ip.is_multicast or ip.is_reserved or a in _DNS:
        return False
    if ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return True


def ipv4(r):
    while True:
        a = f"{r.choice(_V4_FIRST)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if _public(a):
            return a


def ipv6(r):
    pre = r.choice(["2a01:4f8", "2a01:4f9", "2001:41d0", "2604:a880", "2600:1f18", "2a03:b0c0",
                    "2a05:d014", "2406:da18", "2001:19f0", "2400:8901"])
    while True:
        a = f"{pre}:{r.randint(1, 0xffff):x}:{r.randint(0, 0xffff):x}::{r.randint(1, 0xfff):x}"
        if _public(a):
            return str(ipaddress.ip_address(a)) if r.random() < 0.5 else a


def priv_ip(r):
    return r.choice([f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}",
                     f"192.168.{r.randint(0, 20)}.{r.randint(2, 254)}",
                     f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 254)}"])


def uuid(r):
    h = hexs(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def bcrypt_hash(r):
    return "$2b$12$" + rs(r, 53, ALNUM + "./")


def sha256_hex(r):
    return hexs(r, 64)


def git_sha(r):
    return hexs(r, 40)


def pkg_ver(r):
    return f"{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 20)}"



# =============================================================================================
# web backends
# =============================================================================================


def d_django_settings(r):
    sk = "django-insecure-" + rs(r, 50, LO + DIG + "!@#%^&*(-_=+)")
    db_pw = pw(r)
    mail = email(r, "gmail.com")
    mail_pw = rs(r, 16, LO)  # gmail app password
    admins = [email(r, org_domain(r)) for _ in range(2)]
    host = ipv4(r)
    akid, asec = aws_akid(r), aws_secret(r)
    proj = r.choice(["shopfront", "clinic", "eventhub", "recipebox", "fleetdesk"])
    return f"{proj}/{proj}/settings.py", _fill(r'''
"""
Django settings for «proj» project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""
from pathlib import Path
import os

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '«sk»'

DEBUG = False

ALLOWED_HOSTS = ['«host»', 'localhost', '127.0.0.1', '«proj».herokuapp.com']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'storages',
    'core',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': '«proj»_db',
        'USER': '«proj»',
        'PASSWORD': '«db_pw»',
        'HOST': '«host»',
        'PORT': '5432',
    }
}

CACHES = {
    'default': {
        'BACKEND': 'django_redis.cache.RedisCache',
        'LOCATION': 'redis://127.0.0.1:6379/1',
        'OPTIONS': {
            'CLIENT_CLASS': 'django_redis.client.DefaultClient',
            'PASSWORD': '«redis_pw»',
        },
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
]
PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']
PASSWORD_RESET_TIMEOUT = 259200

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_I18N = True
USE_TZ = True

STATIC_URL = 'static/'
STATIC_ROOT = BASE_DIR / 'staticfiles'

# S3 media
AWS_ACCESS_KEY_ID = '«akid»'
AWS_SECRET_ACCESS_KEY = '«asec»'
AWS_STORAGE_BUCKET_NAME = '«proj»-media'
AWS_S3_REGION_NAME = 'eu-west-1'
DEFAULT_FILE_STORAGE = 'storages.backends.s3boto3.S3Boto3Storage'

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.gmail.com'
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = '«mail»'
EMAIL_HOST_PASSWORD = '«mail_pw»'
DEFAULT_FROM_EMAIL = EMAIL_HOST_USER

ADMINS = [('Site Admin', '«a0»'), ('Ops', '«a1»')]
MANAGERS = ADMINS
''', proj=proj, sk=K(sk), host=I(host), db_pw=P(db_pw), akid=K(akid), asec=K(asec),
                                           mail=E(mail), mail_pw=P(mail_pw), a0=E(admins[0]),
                                           a1=E(admins[1]), redis_pw=P(pw_random(r)))


def d_rails_database_yml(r):
    app = r.choice(["storefront", "helpdesk", "bookings", "ledger"])
    prod_pw, stg_pw = pw(r, SYM_SAFE), pw_random(r, syms="-_.")
    host = ipv4(r)
    return "config/database.yml", _fill(r'''
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
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: «app»_development
  username: «app»
  password: <%= ENV['DATABASE_PASSWORD'] %>
  host: localhost

# Warning: The database defined as "test" will be erased and
# re-generated from your development database when you run "rake".
# Do not set this db to the same as development or production.
test:
  <<: *default
  database: «app»_test
  host: 127.0.0.1

staging:
  <<: *default
  database: «app»_staging
  username: «app»_stg
  password: «stg_pw»
  host: 10.20.0.14

production:
  <<: *default
  database: «app»_production
  username: «app»
  password: "«prod_pw»"
  host: «host»
  port: 5432
''', app=app, stg_pw=P(stg_pw), prod_pw=P(prod_pw), host=I(host))


def d_rails_credentials(r):
    skb = hexs(r, 128)
    akid, asec = aws_akid(r), aws_secret(r)
    sk = stripe_sk(r)
    pk = stripe_pk(r)
    smtp_user = "postmaster@mg." + org_domain(r)
    smtp_pw = pw(r)
    gh_secret = hexs(r, 40)
    return "config/credentials.yml", _fill(r'''
# aws:
#   access_key_id: 123
#   secret_access_key: 345

# Used as the base secret for all MessageVerifiers in Rails, including the one protecting cookies.
secret_key_base: «skb»

aws:
  access_key_id: «akid»
  secret_access_key: «asec»
  region: us-east-1
  bucket: uploads-production

stripe:
  publishable_key: «pk»
  secret_key: «sk»

smtp:
  address: smtp.mailgun.org
  port: 587
  user_name: «smtp_user»
  password: «smtp_pw»

github:
  client_id: Iv1.«ghid»
  client_secret: «gh_secret»

active_record_encryption:
  primary_key: «ar1»
  deterministic_key: «ar2»
  key_derivation_salt: «ar3»
''', skb=K(skb), akid=K(akid), asec=K(asec), pk=pk, sk=K(sk), smtp_user=E(smtp_user),
                                           smtp_pw=P(smtp_pw), ghid=hexs(r, 16),
                                           gh_secret=K(gh_secret), ar1=K(rs(r, 32)),
                                           ar2=K(rs(r, 32)), ar3=K(rs(r, 32)))


def d_laravel_env(r):
    app_key = "base64:" + b64_bytes(r, 32)
    db_host = ipv4(r)
    db_pw = pw(r, SYM_SH.replace("#", ""))
    mail_user = email(r, org_domain(r))
    mail_pw = pw_human(r, "!*-_.")
    mail_from = "no-reply@" + mail_user.split("@")[1]
    akid, asec = aws_akid(r), aws_secret(r)
    pusher_secret = hexs(r, 20)
    app = r.choice(["Laravel", "Invoicer", "SchoolPortal"])
    return ".env", _fill(r'''
APP_NAME=«app»
APP_ENV=production
APP_KEY=«app_key»
APP_DEBUG=false
APP_URL=https://«dom»

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=«db_host»
DB_PORT=3306
DB_DATABASE=laravel
DB_USERNAME=forge
DB_PASSWORD=«db_pw»

BROADCAST_DRIVER=log
CACHE_DRIVER=file
FILESYSTEM_DISK=local
QUEUE_CONNECTION=sync
SESSION_DRIVER=file
SESSION_LIFETIME=120

MEMCACHED_HOST=127.0.0.1

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.office365.com
MAIL_PORT=587
MAIL_USERNAME=«mail_user»
MAIL_PASSWORD="«mail_pw»"
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="«mail_from»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«akid»
AWS_SECRET_ACCESS_KEY=«asec»
AWS_DEFAULT_REGION=us-east-1
AWS_BUCKET=
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=«pid»
PUSHER_APP_KEY=
PUSHER_APP_SECRET=«pusher_secret»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=mt1

VITE_APP_NAME="${APP_NAME}"
VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
''', app=app, app_key=K(app_key), dom=mail_user.split("@")[1], db_host=I(db_host),
                         db_pw=P(db_pw), mail_user=E(mail_user), mail_pw=P(mail_pw),
                         mail_from=E(mail_from), akid=K(akid), asec=K(asec),
                         pid=r.randint(1000000, 1999999), pusher_secret=K(pusher_secret))


def d_spring_application_yml(r):
    host = ipv4(r)
    db_pw = pw(r)
    mail = email(r, r.choice(["qq.com", "163.com", "gmail.com"]))
    mail_pw = rs(r, 16, LO)
    jwt_secret = b64_bytes(r, 48)
    redis_pw = pw_random(r)
    svc = r.choice(["order-service", "user-center", "mall-admin", "wms-api"])
    return "src/main/resources/application.yml", _fill(r'''
server:
  port: 8081
  servlet:
    context-path: /api

spring:
  application:
    name: «svc»
  datasource:
    driver-class-name: com.mysql.cj.jdbc.Driver
    url: jdbc:mysql://«host»:3306/«db»?useUnicode=true&characterEncoding=utf8&serverTimezone=Asia/Shanghai&useSSL=false
    username: root
    password: «db_pw»
    hikari:
      maximum-pool-size: 20
      minimum-idle: 5
  redis:
    host: «host»
    port: 6379
    password: '«redis_pw»'
    database: 3
  mail:
    host: smtp.«mhost»
    port: 465
    username: «mail»
    password: «mail_pw»
    properties:
      mail.smtp.ssl.enable: true
  servlet:
    multipart:
      max-file-size: 20MB

mybatis-plus:
  mapper-locations: classpath*:/mapper/**/*.xml
  configuration:
    map-underscore-to-camel-case: true
    log-impl: org.apache.ibatis.logging.stdout.StdOutImpl

jwt:
  header: Authorization
  token-prefix: "Bearer "
  secret: «jwt_secret»
  expiration: 604800

logging:
  level:
    com.example.mall: debug
''', svc=svc, host=I(host), db=svc.replace("-", "_"), db_pw=P(db_pw), redis_pw=P(redis_pw),
                                                       mhost=mail.split("@")[1], mail=E(mail),
                                                       mail_pw=P(mail_pw), jwt_secret=K(jwt_secret))


def d_spring_properties(r):
    host, mq = ipv4(r), ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    mq_pw = pw_human(r, "!#%*-_.+@")
    ks_pw = pw_random(r, 12, "-_.")
    akid, asec = aws_akid(r), aws_secret(r)
    return "src/main/resources/application-prod.properties", _fill(r'''
# ===============================
# = PRODUCTION PROFILE
# ===============================
server.port=8443
server.ssl.enabled=true
server.ssl.key-store=classpath:keystore.p12
server.ssl.key-store-type=PKCS12
server.ssl.key-store-password=«ks_pw»
server.ssl.key-alias=tomcat

# DATA SOURCE
spring.datasource.url=jdbc:postgresql://«host»:5432/inventory
spring.datasource.username=inventory_app
spring.datasource.password=«db_pw»
spring.jpa.hibernate.ddl-auto=validate
spring.jpa.show-sql=false
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect

# Flyway
spring.flyway.enabled=true
spring.flyway.baseline-on-migrate=true

# RabbitMQ
spring.rabbitmq.host=«mq»
spring.rabbitmq.port=5672
spring.rabbitmq.username=inventory
spring.rabbitmq.password=«mq_pw»
spring.rabbitmq.virtual-host=/prod

# AWS
cloud.aws.credentials.access-key=«akid»
cloud.aws.credentials.secret-key=«asec»
cloud.aws.region.static=eu-central-1
cloud.aws.stack.auto=false

# Actuator
management.endpoints.web.exposure.include=health,info,prometheus
management.endpoint.health.show-details=when-authorized

# Security
app.security.password-min-length=10
app.security.password-reset-url=https://inventory.«dom»/reset-password
''', ks_pw=P(ks_pw), host=I(host), db_pw=P(db_pw), mq=I(mq), mq_pw=P(mq_pw), akid=K(akid),
                                                                   asec=K(asec), dom=org_domain(r))


def d_express_config(r):
    mongo_host = ipv4(r)
    mongo_pw = pw(r, SYM_URL)
    sess = rs(r, 48)
    sg = sendgrid(r)
    admin = email(r, org_domain(r))
    return "config/default.js", _fill(r'''
'use strict';

// Default configuration, overridden by config/production.js
module.exports = {
  app: {
    title: 'Tasklist',
    description: 'Full-stack JavaScript with MongoDB, Express, and Node.js',
    port: process.env.PORT || 3000,
  },
  db: {
    uri: 'mongodb://tasklist:«mongo_pw»@«mongo_host»:27017/tasklist?authSource=admin',
    options: {
      useNewUrlParser: true,
      useUnifiedTopology: true,
    },
    debug: process.env.MONGODB_DEBUG || false,
  },
  redis: {
    host: '127.0.0.1',
    port: 6379,
    password: '«redis_pw»',
  },
  sessionSecret: '«sess»',
  sessionCookie: {
    maxAge: 24 * (60 * 60 * 1000),
    httpOnly: true,
    secure: false,
  },
  sessionKey: 'sessionId',
  sessionCollection: 'sessions',
  mailer: {
    from: '«admin»',
    options: {
      service: 'SendGrid',
      auth: {
        user: 'apikey',
        pass: '«sg»',
      },
    },
  },
  uploads: {
    profile: {
      image: {
        dest: './modules/users/client/img/profile/uploads/',
        limits: { fileSize: 1 * 1024 * 1024 },
      },
    },
  },
  shared: {
    owasp: { allowPassphrases: true, maxLength: 128, minLength: 10, minPhraseLength: 20 },
  },
};
''', mongo_pw=P(mongo_pw), mongo_host=I(mongo_host), sess=K(sess), admin=E(admin), sg=K(sg),
                                      redis_pw=P(pw_human(r)))


def d_nest_app_module(r):
    host = ipv4(r)
    db_pw = pw(r)
    jwt_sec = rs(r, 40)
    return "src/app.module.ts", _fill(r'''
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { UsersModule } from './users/users.module';
import { AuthModule } from './auth/auth.module';
import { User } from './users/user.entity';
import { Post } from './posts/post.entity';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      host: '«host»',
      port: 5432,
      username: 'nest',
      password: '«db_pw»',
      database: 'blog',
      entities: [User, Post],
      synchronize: true,
      logging: ['error'],
    }),
    PassportModule.register({ defaultStrategy: 'jwt' }),
    JwtModule.register({
      secret: '«jwt_sec»',
      signOptions: { expiresIn: '7d' },
    }),
    UsersModule,
    AuthModule,
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
''', host=I(host), db_pw=P(db_pw), jwt_sec=K(jwt_sec))


def d_aspnet_appsettings(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    jwt_key = rs(r, 64)
    smtp_user = email(r, "outlook.com")
    smtp_pw = pw_human(r)
    acct = r.choice(["contosofiles", "acmeblobs", "hrportalstore"])
    akey = azure_account_key(r)
    return "src/Api/appsettings.Production.json", _fill(r'''
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«host»,1433;Database=HrPortal;User Id=sa;Password=«db_pw»;TrustServerCertificate=True;MultipleActiveResultSets=true",
    "Redis": "hrportal.redis.cache.windows.net:6380,password=«redis_pw»,ssl=True,abortConnect=False",
    "BlobStorage": "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«akey»;EndpointSuffix=core.windows.net"
  },
  "Jwt": {
    "Key": "«jwt_key»",
    "Issuer": "https://hrportal.azurewebsites.net",
    "Audience": "hrportal-spa",
    "ExpiryMinutes": 60
  },
  "SmtpSettings": {
    "Server": "smtp.office365.com",
    "Port": 587,
    "SenderName": "HR Portal",
    "SenderEmail": "«smtp_user»",
    "Username": "«smtp_user»",
    "Password": "«smtp_pw»",
    "EnableSsl": true
  },
  "IdentityOptions": {
    "Password": {
      "RequiredLength": 8,
      "RequireNonAlphanumeric": true
    }
  },
  "Serilog": {
    "MinimumLevel": "Information",
    "WriteTo": [ { "Name": "Console" } ]
  }
}
''', host=I(host), db_pw=P(db_pw), acct=acct, akey=K(akey), jwt_key=K(jwt_key),
                                                        smtp_user=E(smtp_user), smtp_pw=P(smtp_pw),
                                                        redis_pw=P(rs(r, 43) + "="))


def d_go_main(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    sk = stripe_sk(r)
    jwt_sec = rs(r, 32)
    return "cmd/server/main.go", _fill(r'''
package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/mux"
	_ "github.com/lib/pq"
	"github.com/stripe/stripe-go/v76"
)

var jwtSecret = []byte("«jwt_sec»")

type server struct {
	db     *sql.DB
	router *mux.Router
}

func main() {
	db, err := sql.Open("postgres", "host=«host» port=5432 user=shop password=«db_pw» dbname=shop sslmode=disable")
	if err != nil {
		log.Fatalf("open db: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(25)
	db.SetConnMaxLifetime(5 * time.Minute)

	stripe.Key = "«sk»"

	s := &server{db: db, router: mux.NewRouter()}
	s.routes()

	srv := &http.Server{
		Addr:         "0.0.0.0:8080",
		Handler:      s.router,
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
	}
	log.Println("listening on :8080")
	log.Fatal(srv.ListenAndServe())
}

func (s *server) routes() {
	s.router.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	s.router.HandleFunc("/login", s.handleLogin).Methods("POST")
}

func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": req.Email,
		"exp": time.Now().Add(24 * time.Hour).Unix(),
	})
	signed, _ := token.SignedString(jwtSecret)
	json.NewEncoder(w).Encode(map[string]string{"token": signed})
}
''', jwt_sec=K(jwt_sec), host=I(host), db_pw=P(db_pw), sk=K(sk))


def d_flask_app(r):
    host = ipv4(r)
    db_pw = pw(r, SYM_URL)
    sk = hexs(r, 48)
    mail = email(r, "gmail.com")
    mail_pw = rs(r, 16, LO)
    return "app.py", _fill(r'''
from flask import Flask, render_template, request, redirect, url_for, flash
from flask_sqlalchemy import SQLAlchemy
from flask_mail import Mail, Message
from flask_login import LoginManager, UserMixin, login_user, login_required
from werkzeug.security import generate_password_hash, check_password_hash

app = Flask(__name__)
app.config['SECRET_KEY'] = '«sk»'
app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql+pymysql://flaskuser:«db_pw»@«host»/blogdb'
app.config['SQLALCHEMY_TRACK_MODIFICATIONS'] = False
app.config['MAIL_SERVER'] = 'smtp.gmail.com'
app.config['MAIL_PORT'] = 465
app.config['MAIL_USE_SSL'] = True
app.config['MAIL_USERNAME'] = '«mail»'
app.config['MAIL_PASSWORD'] = '«mail_pw»'

db = SQLAlchemy(app)
mail = Mail(app)
login_manager = LoginManager(app)
login_manager.login_view = 'login'


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(256))

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
    msg = Message('New contact form message', sender=app.config['MAIL_USERNAME'],
                  recipients=['«mail»'])
    msg.body = request.form['message']
    mail.send(msg)
    return redirect(url_for('index'))


if __name__ == '__main__':
    app.run(debug=True)
''', sk=K(sk), db_pw=P(db_pw), host=I(host), mail=E(mail), mail_pw=P(mail_pw))


def d_fastapi_config(r):
    db_pw = pw(r, SYM_URL)
    oa = openai_key(r)
    sk = hexs(r, 64)
    bh = bcrypt_hash(r)
    return "app/core/config.py", _fill(r'''
import secrets
from typing import List, Optional

from pydantic import AnyHttpUrl, PostgresDsn
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    PROJECT_NAME: str = "chat-backend"
    # 60 minutes * 24 hours * 8 days = 8 days
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
    SECRET_KEY: str = "«sk»"
    ALGORITHM: str = "HS256"
    BACKEND_CORS_ORIGINS: List[AnyHttpUrl] = []

    POSTGRES_SERVER: str = "db"
    POSTGRES_USER: str = "postgres"
    POSTGRES_DB: str = "app"
    SQLALCHEMY_DATABASE_URI: Optional[PostgresDsn] = (
        "postgresql+asyncpg://postgres:«db_pw»@db:5432/app"
    )

    OPENAI_API_KEY: str = "«oa»"
    OPENAI_MODEL: str = "gpt-4o-mini"

    FIRST_SUPERUSER: str = "admin"
    FIRST_SUPERUSER_PASSWORD_HASH: str = "«bh»"
    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48
    USERS_OPEN_REGISTRATION: bool = False

    class Config:
        case_sensitive = True
        env_file = ".env"


settings = Settings()


def generate_reset_token() -> str:
    return secrets.token_urlsafe(32)
''', sk=K(sk), db_pw=P(db_pw), oa=K(oa), bh=bh)


def d_wp_config(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@^")
    salt_alpha = ALNUM + "!@#$%^&*()-_[]{}<>~`+=,.;:/?|"
    names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
             "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
    salts = "\n".join(f"define( '{n}',{' ' * (17 - len(n))}'{K(rs(r, 64, salt_alpha))}' );"
                      for n in names)
    return "wp-config.php", _fill(r'''
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
define( 'DB_NAME', 'wp_blog' );

/** Database username */
define( 'DB_USER', 'wp_blog_user' );

/** Database password */
define( 'DB_PASSWORD', '«db_pw»' );

/** Database hostname */
define( 'DB_HOST', '«host»' );

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

/* Add any custom values between this line and the "stop editing" line. */

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', db_pw=P(db_pw), host=I(host), salts=salts)


def d_web_config(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    sg = sendgrid(r)
    smtp_user = email(r, org_domain(r))
    smtp_pw = pw_human(r, "!#%*-_.+@")
    mk = hexs(r, 128)
    return "Web.config", _fill(r'''
<?xml version="1.0" encoding="utf-8"?>
<!--
  For more information on how to configure your ASP.NET application, please visit
  https://go.microsoft.com/fwlink/?LinkId=301880
  -->
<configuration>
  <connectionStrings>
    <add name="DefaultConnection"
         connectionString="Data Source=«host»;Initial Catalog=CRM;User ID=crm_web;Password=«db_pw»;Connect Timeout=30"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="webpages:Enabled" value="false" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="UnobtrusiveJavaScriptEnabled" value="true" />
    <add key="SendGridApiKey" value="«sg»" />
    <add key="SupportMailbox" value="«smtp_user»" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" maxRequestLength="10240" />
    <machineKey validationKey="«mk»" decryptionKey="«dk»" validation="HMACSHA256" decryption="AES" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
  </system.web>
  <system.net>
    <mailSettings>
      <smtp from="«smtp_user»" deliveryMethod="Network">
        <network host="smtp.office365.com" port="587" userName="«smtp_user»" password="«smtp_pw»" enableSsl="true" />
      </smtp>
    </mailSettings>
  </system.net>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" />
        <bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
</configuration>
''', host=I(host), db_pw=P(db_pw), sg=K(sg), smtp_user=E(smtp_user), mk=K(mk),
                               dk=K(hexs(r, 64)), smtp_pw=P(smtp_pw))


def d_java_dao(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    return "src/main/java/com/library/dao/BookDao.java", _fill(r'''
package com.library.dao;

import com.library.model.Book;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

public class BookDao implements Dao<Book> {

    private static final String URL = "jdbc:mysql://«host»:3306/library?useSSL=false&serverTimezone=UTC";
    private static final String USER = "library";
    private static final String PASS = "«db_pw»";

    private Connection getConnection() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASS);
    }

    @Override
    public List<Book> findAll() {
        List<Book> books = new ArrayList<>();
        String sql = "SELECT id, title, author, isbn, year FROM books ORDER BY title";
        try (Connection conn = getConnection();
             PreparedStatement ps = conn.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                books.add(new Book(rs.getLong("id"), rs.getString("title"),
                        rs.getString("author"), rs.getString("isbn"), rs.getInt("year")));
            }
        } catch (SQLException e) {
            e.printStackTrace();
        }
        return books;
    }

    @Override
    public void save(Book book) {
        String sql = "INSERT INTO books (title, author, isbn, year) VALUES (?, ?, ?, ?)";
        try (Connection conn = getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, book.getTitle());
            ps.setString(2, book.getAuthor());
            ps.setString(3, book.getIsbn());
            ps.setInt(4, book.getYear());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RuntimeException("Could not save book", e);
        }
    }

    @Override
    public void delete(long id) {
        try (Connection conn = getConnection();
             PreparedStatement ps = conn.prepareStatement("DELETE FROM books WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }
}
''', host=I(host), db_pw=P(db_pw))


def d_ktor_conf(r):
    host = ipv4(r)
    db_pw = pw(r)
    secret = rs(r, 48)
    return "src/main/resources/application.conf", _fill(r'''
ktor {
    deployment {
        port = 8080
        port = ${?PORT}
    }
    application {
        modules = [ com.notes.ApplicationKt.module ]
    }
}

jwt {
    domain = "https://notes-api.«dom»/"
    audience = "notes-audience"
    realm = "notes app"
    secret = "«secret»"
}

database {
    driverClassName = "org.postgresql.Driver"
    jdbcUrl = "jdbc:postgresql://«host»:5432/notes"
    username = "notes"
    password = "«db_pw»"
    maxPoolSize = 10
    password = ${?DB_PASSWORD}
}

storage {
    uploads = "/var/lib/notes/uploads"
}
''', dom=org_domain(r), secret=K(secret), host=I(host), db_pw=P(db_pw))


# =============================================================================================
# mobile
# =============================================================================================


def d_android_build_gradle(r):
    store_pw = pw(r, "!#%*-_.+@")
    key_pw = pw(r, "!#%*-_.+@")
    maps = google_key(r)
    api = hexs(r, 32)
    pkg = r.choice(["com.fitlog.app", "io.parkspot.android", "com.recipes.kitchen"])
    return "app/build.gradle", _fill(r'''
plugins {
    id 'com.android.application'
    id 'org.jetbrains.kotlin.android'
    id 'com.google.gms.google-services'
    id 'kotlin-kapt'
}

android {
    namespace '«pkg»'
    compileSdk 34

    defaultConfig {
        applicationId "«pkg»"
        minSdk 24
        targetSdk 34
        versionCode 42
        versionName "2.3.1"

        testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"
        buildConfigField "String", "WEATHER_API_KEY", "\"«api»\""
        manifestPlaceholders = [MAPS_API_KEY: "«maps»"]
    }

    signingConfigs {
        release {
            storeFile file("../keystore/release.jks")
            storePassword "«store_pw»"
            keyAlias "upload"
            keyPassword "«key_pw»"
        }
    }

    buildTypes {
        release {
            minifyEnabled true
            shrinkResources true
            proguardFiles getDefaultProguardFile('proguard-android-optimize.txt'), 'proguard-rules.pro'
            signingConfig signingConfigs.release
        }
        debug {
            applicationIdSuffix ".debug"
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
        viewBinding true
        buildConfig true
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
    implementation 'com.google.firebase:firebase-analytics'
    testImplementation 'junit:junit:4.13.2'
    androidTestImplementation 'androidx.test.ext:junit:1.1.5'
}
''', pkg=pkg, api=K(api), maps=K(maps), store_pw=P(store_pw), key_pw=P(key_pw))


def d_android_apiclient(r):
    host = ipv4(r)
    token = jwt(r)
    key = rs(r, 40)
    return "app/src/main/java/com/parkspot/network/ApiClient.kt", _fill(r'''
package com.parkspot.network

import com.parkspot.BuildConfig
import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.gson.GsonConverterFactory
import java.util.concurrent.TimeUnit

object ApiClient {

    // TODO move to BuildConfig before release
    private const val BASE_URL = "http://«host»:8080/api/v2/"
    private const val API_KEY = "«key»"
    private const val DEBUG_TOKEN =
        "«token»"

    private val authInterceptor = Interceptor { chain ->
        val request = chain.request().newBuilder()
            .addHeader("X-Api-Key", API_KEY)
            .addHeader("Authorization", "Bearer $DEBUG_TOKEN")
            .addHeader("Accept", "application/json")
            .build()
        chain.proceed(request)
    }

    private val logging = HttpLoggingInterceptor().apply {
        level = if (BuildConfig.DEBUG) HttpLoggingInterceptor.Level.BODY
        else HttpLoggingInterceptor.Level.NONE
    }

    private val client = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .addInterceptor(logging)
        .connectTimeout(15, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS)
        .build()

    val retrofit: Retrofit by lazy {
        Retrofit.Builder()
            .baseUrl(BASE_URL)
            .client(client)
            .addConverterFactory(GsonConverterFactory.create())
            .build()
    }

    val parkingService: ParkingService by lazy { retrofit.create(ParkingService::class.java) }
}
''', host=I(host), key=K(key), token=K(token))


def d_gradle_properties(r):
    s1, s2 = pw(r, "!#%*-_.+@"), pw(r, "!#%*-_.+@")
    ossrh_pw = pw_random(r, 14, "-_.!")
    gpg_pw = pw_human(r)
    gpr = ghp(r)
    dev = email(r, "gmail.com")
    return "gradle.properties", _fill(r'''
# Project-wide Gradle settings.
# IDE (e.g. Android Studio) users:
# Gradle settings configured through the IDE *will override*
# any settings specified in this file.
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
android.useAndroidX=true
kotlin.code.style=official
android.nonTransitiveRClass=true

VERSION_NAME=1.8.0
GROUP=io.github.«gh_user»
POM_DEVELOPER_ID=«gh_user»
POM_DEVELOPER_EMAIL=«dev»

# Release signing
RELEASE_STORE_FILE=release.keystore
RELEASE_STORE_PASSWORD=«s1»
RELEASE_KEY_ALIAS=release
RELEASE_KEY_PASSWORD=«s2»

# Maven Central
ossrhUsername=«gh_user»
ossrhPassword=«ossrh_pw»
signing.keyId=«gpg_id»
signing.password=«gpg_pw»
signing.secretKeyRingFile=/Users/«gh_user»/.gnupg/secring.gpg

# GitHub Packages
gpr.user=«gh_user»
gpr.key=«gpr»
''', gh_user=dev.split("@")[0].replace(".", ""), dev=E(dev), s1=P(s1), s2=P(s2),
                                     ossrh_pw=P(ossrh_pw), gpg_id=hexs(r, 8).upper(),
                                     gpg_pw=P(gpg_pw), gpr=K(gpr))


def d_swift_constants(r):
    host = ipv4(r)
    sk = stripe_sk(r, long=True)
    pk = stripe_pk(r)
    oa = openai_key(r, proj=False)
    return "MealPlanner/Utilities/Constants.swift", _fill(r'''
//
//  Constants.swift
//  MealPlanner
//
//  Created by Dev on 3/14/24.
//

import Foundation
import UIKit

enum Constants {

    enum API {
        static let baseURL = URL(string: "https://«host»/v1")!
        static let timeout: TimeInterval = 20
        static let openAIKey = "«oa»"
        static let model = "gpt-3.5-turbo"
    }

    enum Stripe {
        static let publishableKey = "«pk»"
        // FIXME: this must live on the server!!
        static let secretKey = "«sk»"
        static let merchantId = "merchant.com.mealplanner"
    }

    enum Storage {
        static let favoritesKey = "favorites.v2"
        static let onboardingSeenKey = "onboardingSeen"
        static let passwordKeychainKey = "com.mealplanner.password"
    }

    enum UI {
        static let cornerRadius: CGFloat = 12
        static let accent = UIColor(red: 0.98, green: 0.45, blue: 0.22, alpha: 1)
    }
}
''', host=I(host), oa=K(oa), pk=pk, sk=K(sk))


def d_flutter_api_service(r):
    host = ipv4(r)
    key = rs(r, 32, LO + DIG)
    test_mail = email(r)
    test_pw = pw_human(r, "!#%*-_.@")
    return "lib/services/api_service.dart", _fill(r'''
import 'dart:convert';

import 'package:flutter/foundation.dart';
import 'package:http/http.dart' as http;

import '../models/product.dart';
import '../models/user.dart';

class ApiService {
  static const String baseUrl = 'http://«host»:5000/api';
  static const String _apiKey = '«key»';

  final http.Client _client;
  String? _token;

  ApiService({http.Client? client}) : _client = client ?? http.Client();

  Map<String, String> get _headers => {
        'Content-Type': 'application/json',
        'x-api-key': _apiKey,
        if (_token != null) 'Authorization': 'Bearer $_token',
      };

  Future<User> login(String email, String password) async {
    final res = await _client.post(
      Uri.parse('$baseUrl/auth/login'),
      headers: _headers,
      body: jsonEncode({'email': email, 'password': password}),
    );
    if (res.statusCode != 200) {
      throw Exception('Login failed: ${res.body}');
    }
    final data = jsonDecode(res.body) as Map<String, dynamic>;
    _token = data['token'] as String;
    return User.fromJson(data['user']);
  }

  /// Quick login used while developing the UI.
  Future<User> debugLogin() {
    assert(kDebugMode);
    return login('«test_mail»', '«test_pw»');
  }

  Future<List<Product>> fetchProducts({int page = 1}) async {
    final res = await _client.get(Uri.parse('$baseUrl/products?page=$page'), headers: _headers);
    final list = jsonDecode(res.body)['items'] as List;
    return list.map((e) => Product.fromJson(e)).toList();
  }
}
''', host=I(host), key=K(key), test_mail=E(test_mail), test_pw=P(test_pw))


def d_react_native_env(r):
    maps = google_key(r)
    sentry_pub = hexs(r, 32)
    oa = openai_key(r)
    rc = "sk_" + rs(r, 27)
    algolia_admin = hexs(r, 32)
    return ".env.production", _fill(r'''
# React Native app (react-native-config)
API_URL=https://api.tripmate.«tld»/v3
APP_ENV=production

GOOGLE_MAPS_API_KEY=«maps»
SENTRY_DSN=https://«sentry_pub»@o«org».ingest.sentry.io/«proj»
OPENAI_API_KEY=«oa»

# RevenueCat (secret key - server only, remove!)
REVENUECAT_SECRET_KEY=«rc»
REVENUECAT_IOS_PUBLIC_KEY=appl_«rc_pub»

ALGOLIA_APP_ID=«algolia_app»
ALGOLIA_SEARCH_KEY=
ALGOLIA_ADMIN_KEY=«algolia_admin»

CODEPUSH_KEY_IOS=
CODEPUSH_KEY_ANDROID=
FEATURE_FLAGS=offline_maps,new_onboarding
''', tld=r.choice(["app", "io", "travel"]), maps=K(maps), sentry_pub=sentry_pub,
                                    org=r.randint(100000, 999999), proj=r.randint(1000000, 4999999),
                                    oa=K(oa), rc=K(rc), rc_pub=rs(r, 21), algolia_app=rs(r, 10, UP + DIG),
                                    algolia_admin=K(algolia_admin))


# =============================================================================================
# data and ML
# =============================================================================================


def d_notebook(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    oa = openai_key(r)
    custs = [email(r) for _ in range(3)]
    rows = "\n".join(
        f'      "{i}  {100230 + i * 7}  {E(c)}  {r.randint(2, 40)}  {r.randint(50, 4000)}.{r.randint(10, 99)}\\n",'
        for i, c in enumerate(custs))
    return "notebooks/01_customer_churn_eda.ipynb", _fill(r'''
{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Customer churn - exploratory analysis\n",
    "Pulls the last 12 months of orders from the reporting replica."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import pandas as pd\n",
    "import numpy as np\n",
    "import psycopg2\n",
    "import openai\n",
    "import matplotlib.pyplot as plt\n",
    "%matplotlib inline"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [],
   "source": [
    "conn = psycopg2.connect(host=\"«host»\", port=5432, dbname=\"reporting\",\n",
    "                        user=\"analyst\", password=\"«db_pw»\")\n",
    "openai.api_key = \"«oa»\""
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
      "   customer_id  email  orders  total_spent\n",
«rows»
      "[3 rows x 4 columns]\n"
     ]
    }
   ],
   "source": [
    "df = pd.read_sql(\"SELECT customer_id, email, orders, total_spent FROM churn_v LIMIT 3\", conn)\n",
    "print(df)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "df.groupby(\"orders\").total_spent.describe()"
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
''', host=I(host), db_pw=P(db_pw), oa=K(oa), rows=rows)


def d_airflow_dag(r):
    host = ipv4(r)
    db_pw = pw(r)
    hook = slack_hook_path(r)
    owners = [email(r, org_domain(r)) for _ in range(2)]
    return "dags/nightly_sales_etl.py", _fill(r'''
"""Nightly ETL: copy yesterday's orders from the shop DB into the warehouse."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Connection
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator
from airflow.utils.session import provide_session

SLACK_WEBHOOK = "https://hooks.slack.com/services/«hook»"

default_args = {
    "owner": "data-eng",
    "depends_on_past": False,
    "email": ["«o0»", "«o1»"],
    "email_on_failure": True,
    "email_on_retry": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}


@provide_session
def ensure_connection(session=None):
    conn = Connection(
        conn_id="shop_db",
        conn_type="postgres",
        host="«host»",
        schema="shop",
        login="etl_reader",
        password="«db_pw»",
        port=5432,
    )
    if not session.query(Connection).filter(Connection.conn_id == conn.conn_id).first():
        session.add(conn)
        session.commit()


def extract_orders(ds, **_):
    src = PostgresHook(postgres_conn_id="shop_db")
    dst = PostgresHook(postgres_conn_id="warehouse")
    rows = src.get_records("SELECT * FROM orders WHERE created_at::date = %s", parameters=[ds])
    dst.insert_rows("staging.orders", rows, replace=True, replace_index="id")


with DAG(
    dag_id="nightly_sales_etl",
    default_args=default_args,
    start_date=datetime(2023, 1, 1),
    schedule="0 3 * * *",
    catchup=False,
    tags=["sales", "etl"],
) as dag:
    setup = PythonOperator(task_id="ensure_connection", python_callable=ensure_connection)
    extract = PythonOperator(task_id="extract_orders", python_callable=extract_orders)
    notify = SlackWebhookOperator(
        task_id="notify_slack",
        slack_webhook_conn_id=None,
        webhook_token=SLACK_WEBHOOK,
        message="nightly_sales_etl finished for {{ ds }}",
    )
    setup >> extract >> notify
''', hook=K(hook), o0=E(owners[0]), o1=E(owners[1]), host=I(host), db_pw=P(db_pw))


def d_dbt_profiles(r):
    sf_pw = pw(r)
    host = ipv4(r)
    pg_pw = pw_random(r)
    user = email(r, org_domain(r)).split("@")[0].upper().replace(".", "_")
    return "profiles.yml", _fill(r'''
# ~/.dbt/profiles.yml  (copied into the repo so CI can find it)
analytics:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: «acct».eu-west-1
      user: «user»
      password: «sf_pw»
      role: TRANSFORMER
      database: ANALYTICS_DEV
      warehouse: TRANSFORMING
      schema: dbt_«lower»
      threads: 8
      client_session_keep_alive: false

    prod:
      type: snowflake
      account: «acct».eu-west-1
      user: DBT_CLOUD
      authenticator: externalbrowser
      role: TRANSFORMER
      database: ANALYTICS
      warehouse: TRANSFORMING
      schema: analytics
      threads: 16

legacy_pg:
  target: prod
  outputs:
    prod:
      type: postgres
      host: «host»
      user: dbt
      password: "«pg_pw»"
      port: 5432
      dbname: legacy
      schema: public
      threads: 4
      keepalives_idle: 0
    ci:
      type: postgres
      host: localhost
      user: dbt
      password: "{{ env_var('DBT_PG_PASSWORD') }}"
      port: 5432
      dbname: legacy_ci
      schema: ci
      threads: 2
''', acct=rs(r, 7, LO + DIG), user=user, lower=user.lower(), sf_pw=P(sf_pw), host=I(host),
                                 pg_pw=P(pg_pw))


def d_spark_job(r):
    host = ipv4(r)
    db_pw = pw(r)
    akid, asec = aws_akid(r), aws_secret(r)
    return "jobs/export_events_to_s3.py", _fill(r'''
#!/usr/bin/env python
# spark-submit --packages org.postgresql:postgresql:42.6.0,org.apache.hadoop:hadoop-aws:3.3.4 \
#     jobs/export_events_to_s3.py --date 2024-03-01
import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def build_spark():
    spark = (
        SparkSession.builder.appName("export-events")
        .config("spark.hadoop.fs.s3a.access.key", "«akid»")
        .config("spark.hadoop.fs.s3a.secret.key", "«asec»")
        .config("spark.hadoop.fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com")
        .config("spark.sql.shuffle.partitions", "64")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    return spark


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", required=True)
    args = parser.parse_args()

    spark = build_spark()
    events = (
        spark.read.format("jdbc")
        .option("url", "jdbc:postgresql://«host»:5432/events")
        .option("dbtable", f"(SELECT * FROM events WHERE day = '{args.date}') t")
        .option("user", "spark_ro")
        .option("password", "«db_pw»")
        .option("driver", "org.postgresql.Driver")
        .option("fetchsize", "10000")
        .load()
    )

    daily = (
        events.withColumn("hour", F.hour("ts"))
        .groupBy("hour", "event_type")
        .agg(F.count("*").alias("n"), F.countDistinct("user_id").alias("users"))
    )
    daily.write.mode("overwrite").parquet(f"s3a://analytics-exports/events/day={args.date}/")
    spark.stop()


if __name__ == "__main__":
    main()
''', akid=K(akid), asec=K(asec), host=I(host), db_pw=P(db_pw))


def d_pandas_report(r):
    host = ipv4(r)
    db_pw = pw(r, SYM_URL)
    sender = email(r, "gmail.com")
    app_pw = rs(r, 16, LO)
    to = [email(r, org_domain(r))]
    return "scripts/weekly_report.py", _fill(r'''
"""Weekly sales report -> Excel -> email. Run from cron every Monday 07:00."""
import smtplib
from datetime import date, timedelta
from email.message import EmailMessage
from io import BytesIO

import pandas as pd
from sqlalchemy import create_engine

ENGINE = create_engine("postgresql://report:«db_pw»@«host»:5432/sales")
SENDER = "«sender»"
RECIPIENTS = ["«to0»"]  # TODO: add the finance list


def load(start, end):
    q = """
        SELECT o.id, o.created_at, c.region, o.total
        FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.created_at >= %(start)s AND o.created_at < %(end)s
    """
    return pd.read_sql(q, ENGINE, params={"start": start, "end": end}, parse_dates=["created_at"])


def build_excel(df):
    buf = BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        df.pivot_table(index="region", values="total", aggfunc=["sum", "count"]).to_excel(xl, "By region")
        df.to_excel(xl, "Raw", index=False)
    return buf.getvalue()


def send(xlsx, week):
    msg = EmailMessage()
    msg["Subject"] = f"Weekly sales report - week of {week}"
    msg["From"] = SENDER
    msg["To"] = ", ".join(RECIPIENTS)
    msg.set_content("Hi all,\n\nPlease find attached this week's sales report.\n")
    msg.add_attachment(xlsx, maintype="application", subtype="vnd.ms-excel", filename=f"sales_{week}.xlsx")
    with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
        s.login(SENDER, "«app_pw»")
        s.send_message(msg)


if __name__ == "__main__":
    end = date.today()
    start = end - timedelta(days=7)
    df = load(start, end)
    send(build_excel(df), start.isoformat())
''', db_pw=P(db_pw), host=I(host), sender=E(sender), to0=E(to[0]),
                                            app_pw=P(app_pw))


def d_r_script(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    oa = openai_key(r)
    author = email(r, r.choice(["ucl.ac.uk", "uni-mannheim.de", "stat.washington.edu"]))
    return "analysis/01_load_survey.R", _fill(r'''
# -----------------------------------------------------------------------------
# 01_load_survey.R
# Load the 2023 panel survey from the lab database and classify open answers.
# Author: «author»
# -----------------------------------------------------------------------------

library(DBI)
library(RPostgres)
library(dplyr)
library(tidyr)
library(httr2)

Sys.setenv(OPENAI_API_KEY = "«oa»")

con <- dbConnect(
  RPostgres::Postgres(),
  host = "«host»",
  port = 5432,
  dbname = "panel",
  user = "rstudio",
  password = "«db_pw»"
)

survey <- tbl(con, "responses_2023") %>%
  filter(wave %in% c(1, 2, 3)) %>%
  collect()

classify <- function(text) {
  req <- request("https://api.openai.com/v1/chat/completions") %>%
    req_auth_bearer_token(Sys.getenv("OPENAI_API_KEY")) %>%
    req_body_json(list(
      model = "gpt-4o-mini",
      messages = list(list(role = "user", content = paste("Classify:", text)))
    ))
  resp <- req_perform(req)
  resp_body_json(resp)$choices[[1]]$message$content
}

survey <- survey %>% mutate(topic = vapply(open_answer, classify, character(1)))
saveRDS(survey, "data/derived/survey_2023.rds")
dbDisconnect(con)
''', author=E(author), oa=K(oa), host=I(host), db_pw=P(db_pw))


def d_train_script(r):
    wb = hexs(r, 40)
    hf = hf_tok(r)
    ck = sha256_hex(r)
    return "train.py", _fill(r'''
#!/usr/bin/env python
"""Fine-tune a small causal LM on our support tickets."""
import hashlib
import os

import torch
import wandb
from datasets import load_dataset
from huggingface_hub import login
from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling,
                          Trainer, TrainingArguments)

DATA_FILE = "data/tickets_2024q1.jsonl"
DATA_SHA256 = "«ck»"  # checksum of the export we trained on
BASE_MODEL = "Qwen/Qwen2.5-0.5B"

wandb.login(key="«wb»")
login(token="«hf»")


def verify(path):
    h = hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert h == DATA_SHA256, f"dataset changed: {h}"


def main():
    verify(DATA_FILE)
    tok = AutoTokenizer.from_pretrained(BASE_MODEL)
    tok.pad_token = tok.eos_token
    ds = load_dataset("json", data_files=DATA_FILE)["train"].train_test_split(test_size=0.02, seed=0)
    ds = ds.map(lambda b: tok(b["text"], truncation=True, max_length=1024), batched=True,
                remove_columns=["text"])
    model = AutoModelForCausalLM.from_pretrained(BASE_MODEL, torch_dtype=torch.bfloat16)
    args = TrainingArguments(
        output_dir="out/ticket-lm",
        per_device_train_batch_size=8,
        gradient_accumulation_steps=4,
        learning_rate=2e-5,
        num_train_epochs=2,
        bf16=True,
        logging_steps=20,
        report_to=["wandb"],
        push_to_hub=True,
        hub_model_id="acme-support/ticket-lm",
    )
    trainer = Trainer(model=model, args=args, train_dataset=ds["train"], eval_dataset=ds["test"],
                      data_collator=DataCollatorForLanguageModeling(tok, mlm=False))
    trainer.train()
    trainer.push_to_hub()


if __name__ == "__main__":
    main()
''', ck=ck, wb=K(wb), hf=K(hf))


def d_sql_dump(r):
    users = [email(r) for _ in range(4)]
    ips = [ipv4(r), ipv4(r), ipv6(r)]
    hashes = [bcrypt_hash(r) for _ in range(4)]
    priv = priv_ip(r)
    rows = [
        f"(1,'{users[0].split('@')[0]}','{E(users[0])}','{hashes[0]}','{I(ips[0])}','2024-01-04 09:12:44')",
        f"(2,'{users[1].split('@')[0]}','{E(users[1])}','{hashes[1]}','{priv}','2024-01-06 17:01:02')",
        f"(3,'{users[2].split('@')[0]}','{E(users[2])}','{hashes[2]}','{I(ips[1])}','2024-02-11 22:45:19')",
        f"(4,'{users[3].split('@')[0]}','{E(users[3])}','{hashes[3]}','{I(ips[2])}','2024-02-12 08:03:57')",
    ]
    return "db/dump-2024-02-14.sql", _fill(r'''
-- MySQL dump 10.13  Distrib 8.0.35, for Linux (x86_64)
--
-- Host: localhost    Database: forum
-- ------------------------------------------------------
-- Server version	8.0.35-0ubuntu0.22.04.1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table `users`
--

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `username` varchar(64) NOT NULL,
  `email` varchar(191) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  `last_login_ip` varchar(45) DEFAULT NULL,
  `last_login_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_email_unique` (`email`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

--
-- Dumping data for table `users`
--

LOCK TABLES `users` WRITE;
/*!40000 ALTER TABLE `users` DISABLE KEYS */;
INSERT INTO `users` VALUES «r0»,«r1»,«r2»,«r3»;
/*!40000 ALTER TABLE `users` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Dumping routines for database 'forum'
--
/*!50003 SET @saved_cs_client      = @@character_set_client */ ;
/*!50003 CREATE*/ /*!50017 DEFINER=`forum`@`localhost`*/ /*!50003 TRIGGER `users_bu` BEFORE UPDATE ON `users` FOR EACH ROW SET NEW.last_login_at = NOW() */;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

-- Dump completed on 2024-02-14  3:00:01
''', r0=rows[0], r1=rows[1], r2=rows[2], r3=rows[3])


# =============================================================================================
# DevOps
# =============================================================================================


def d_gha_workflow(r):
    tok = ghp(r)
    akid, asec = aws_akid(r), aws_secret(r)
    host = ipv4(r)
    return ".github/workflows/deploy.yml", _fill(r'''
name: Build and deploy

on:
  push:
    branches: [ main ]
  workflow_dispatch:

env:
  REGISTRY: ghcr.io
  IMAGE_NAME: ${{ github.repository }}
  AWS_REGION: eu-central-1
  AWS_ACCESS_KEY_ID: «akid»
  AWS_SECRET_ACCESS_KEY: «asec»

jobs:
  build:
    runs-on: ubuntu-22.04
    permissions:
      contents: read
      packages: write
    services:
      postgres:
        image: postgres:15
        env:
          POSTGRES_USER: ci
          POSTGRES_PASSWORD: «ci_pw»
          POSTGRES_DB: app_test
        ports: ["5432:5432"]
        options: --health-cmd pg_isready --health-interval 10s
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm test -- --ci
      - name: Log in to the Container registry
        uses: docker/login-action@v3
        with:
          registry: ${{ env.REGISTRY }}
          username: ${{ github.actor }}
          password: «tok»
      - uses: docker/build-push-action@v5
        with:
          context: .
          push: true
          tags: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:${{ github.sha }}

  deploy:
    needs: build
    runs-on: ubuntu-22.04
    steps:
      - name: Upload static assets
        run: aws s3 sync ./public s3://my-site-assets --delete
      - name: Deploy over SSH
        uses: appleboy/ssh-action@v1.0.3
        with:
          host: «host»
          username: deploy
          key: ${{ secrets.DEPLOY_SSH_KEY }}
          script: |
            cd /srv/app
            docker compose pull
            docker compose up -d --remove-orphans
''', akid=K(akid), asec=K(asec), tok=K(tok), host=I(host), ci_pw=P(pw_random(r, 12, "-_.")))


def d_gitlab_ci(r):
    docker_pw = pw(r, "!%*-_.+@^")
    sonar = sonar_tok(r)
    gl = glpat(r)
    host = ipv4(r)
    ssh_pw = pw_random(r, 12, "-_.!")
    return ".gitlab-ci.yml", _fill(r'''
stages:
  - test
  - build
  - release
  - deploy

variables:
  DOCKER_DRIVER: overlay2
  DOCKER_TLS_CERTDIR: ""
  DOCKER_USER: ciuser
  DOCKER_PASSWORD: "«docker_pw»"
  SONAR_HOST_URL: https://sonar.internal.«dom»
  SONAR_TOKEN: «sonar»
  GIT_DEPTH: "0"

test:
  stage: test
  image: python:3.11-slim
  services:
    - postgres:15-alpine
  variables:
    POSTGRES_DB: billing_test
    POSTGRES_USER: runner
    POSTGRES_PASSWORD: «pg_pw»
    DATABASE_URL: postgresql://runner:«pg_pw»@postgres:5432/billing_test
  script:
    - pip install -r requirements-dev.txt
    - pytest --cov=app --cov-report=xml
    - sonar-scanner -Dsonar.projectKey=billing -Dsonar.login=$SONAR_TOKEN
  coverage: '/TOTAL.*\s+(\d+%)$/'

build:
  stage: build
  image: docker:24.0.7
  services:
    - docker:24.0.7-dind
  script:
    - docker login -u "$DOCKER_USER" -p "$DOCKER_PASSWORD" registry.«dom»
    - docker build -t registry.«dom»/billing:$CI_COMMIT_SHORT_SHA .
    - docker push registry.«dom»/billing:$CI_COMMIT_SHORT_SHA

release:
  stage: release
  image: alpine/git
  script:
    - git tag v$CI_PIPELINE_IID
    - git push https://ci-bot:«gl»@gitlab.com/«grp»/billing.git --tags
  only:
    - main

deploy_prod:
  stage: deploy
  image: alpine:3.19
  before_script:
    - apk add --no-cache openssh-client sshpass
  script:
    - sshpass -p '«ssh_pw»' ssh -o StrictHostKeyChecking=no root@«host» "cd /opt/billing && ./deploy.sh $CI_COMMIT_SHORT_SHA"
  environment:
    name: production
    url: https://billing.«dom»
  when: manual
''', docker_pw=P(docker_pw), dom=org_domain(r), sonar=K(sonar), gl=K(gl),
                                    grp=r.choice(["finops", "acme-corp", "platform"]),
                                    ssh_pw=P(ssh_pw), host=I(host), pg_pw=P(pw_human(r, SYM_URL)))


def d_jenkinsfile(r):
    reg_pw = pw(r, "!%*-_.+@^")
    host = ipv4(r)
    ssh_pw = pw_human(r, "!%*-_.+@^")
    api = hexs(r, 32)
    dom = org_domain(r)
    return "Jenkinsfile", _fill(r'''
pipeline {
    agent any

    environment {
        IMAGE = "registry.«dom»/shop/frontend"
        DEPLOY_HOST = "«host»"
        NEXUS_CREDS = credentials('nexus-credentials')
    }

    options {
        timestamps()
        buildDiscarder(logRotator(numToKeepStr: '20'))
    }

    stages {
        stage('Checkout') {
            steps {
                checkout scm
            }
        }
        stage('Install & test') {
            steps {
                sh 'npm ci'
                sh 'npm run lint'
                sh 'npm test -- --watchAll=false'
            }
        }
        stage('Docker') {
            steps {
                sh "docker build -t ${IMAGE}:${BUILD_NUMBER} ."
                sh "docker login -u jenkins -p '«reg_pw»' registry.«dom»"
                sh "docker push ${IMAGE}:${BUILD_NUMBER}"
            }
        }
        stage('Deploy') {
            when { branch 'master' }
            steps {
                sh """
                    sshpass -p '«ssh_pw»' ssh -o StrictHostKeyChecking=no deploy@${DEPLOY_HOST} \\
                        'docker pull ${IMAGE}:${BUILD_NUMBER} && docker rm -f frontend || true && \\
                         docker run -d --name frontend -p 80:80 ${IMAGE}:${BUILD_NUMBER}'
                """
            }
        }
        stage('Notify') {
            steps {
                sh """curl -s -X POST https://status.«dom»/api/deployments \\
                      -H 'X-API-Key: «api»' \\
                      -H 'Content-Type: application/json' \\
                      -d '{"service":"frontend","build":"${BUILD_NUMBER}"}'"""
            }
        }
    }
    post {
        failure {
            mail to: '«alerts»', subject: "Build failed: ${env.JOB_NAME}", body: "${env.BUILD_URL}"
        }
    }
}
''', dom=dom, host=I(host), reg_pw=P(reg_pw), ssh_pw=P(ssh_pw), api=K(api),
                                alerts=E("ci-alerts@" + dom))


def d_k8s_secret(r):
    db_pw = pw(r, "!#%*-_.+@")
    redis_pw = pw_random(r, 20, "-_")
    api = sendgrid(r)
    jwt_s = rs(r, 48)
    enc_pw = pw_human(r)
    enc_tok = generic_secret(r, 40)
    return "k8s/base/app-secrets.yaml", _fill(r'''
apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
  namespace: shop
  labels:
    app.kubernetes.io/name: shop
    app.kubernetes.io/part-of: shop
type: Opaque
stringData:
  DATABASE_USER: shop
  DATABASE_PASSWORD: "«db_pw»"
  REDIS_PASSWORD: «redis_pw»
  SENDGRID_API_KEY: «api»
  JWT_SECRET: «jwt_s»
---
apiVersion: v1
kind: Secret
metadata:
  name: legacy-admin
  namespace: shop
type: Opaque
data:
  username: «enc_user»
  password: «enc_pw»
  api-token: «enc_tok»
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: shop
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: e30=
''', db_pw=P(db_pw), redis_pw=P(redis_pw), api=K(api), jwt_s=K(jwt_s),
                                        enc_user=base64.b64encode(b"legacy-admin").decode(),
                                        enc_pw=P(base64.b64encode(enc_pw.encode()).decode()),
                                        enc_tok=K(base64.b64encode(enc_tok.encode()).decode()))


def d_k8s_deployment(r):
    ext_db = ipv4(r)
    db_pw = pw(r)
    sk = stripe_sk(r)
    return "deploy/payments-deployment.yaml", _fill(r'''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
  labels:
    app: payments-api
spec:
  replicas: 3
  selector:
    matchLabels:
      app: payments-api
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        app: payments-api
    spec:
      containers:
        - name: api
          image: ghcr.io/«org»/payments-api@sha256:«digest»
          ports:
            - containerPort: 8080
          env:
            - name: DB_HOST
              value: "«ext_db»"
            - name: DB_USER
              value: payments
            - name: DB_PASSWORD
              value: "«db_pw»"
            - name: STRIPE_SECRET_KEY
              value: «sk»
            - name: STRIPE_WEBHOOK_SECRET
              valueFrom:
                secretKeyRef:
                  name: stripe
                  key: webhook-secret
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              memory: 512Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
            initialDelaySeconds: 5
''', org=r.choice(["fintrack", "orbitpay", "paylane"]), digest=sha256_hex(r), ext_db=I(ext_db),
                                              db_pw=P(db_pw), sk=K(sk))


def d_helm_values(r):
    pg_pw, pg_admin = pw(r), pw_random(r, 16, "-_.!")
    redis_pw = pw_long(r)
    smtp_pw = pw_human(r)
    admin = email(r, org_domain(r))
    ext = ipv4(r)
    mg = mailgun(r)
    return "charts/gitea/values-prod.yaml", _fill(r'''
# Production overrides for the gitea chart
replicaCount: 1

image:
  repository: gitea/gitea
  tag: 1.21.4
  pullPolicy: IfNotPresent

ingress:
  enabled: true
  className: nginx
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt-prod
  hosts:
    - host: git.«dom»
      paths:
        - path: /
          pathType: Prefix

gitea:
  admin:
    username: gitea_admin
    password: "«pg_admin»"
    email: «admin»
  config:
    server:
      ROOT_URL: https://git.«dom»
      SSH_DOMAIN: git.«dom»
    mailer:
      ENABLED: true
      PROTOCOL: smtp+starttls
      SMTP_ADDR: smtp.mailgun.org
      SMTP_PORT: 587
      FROM: "Gitea <«gfrom»>"
      USER: «guser»
      PASSWD: "«smtp_pw»"
    mailgun_api_key: «mg»

postgresql:
  enabled: false

externalDatabase:
  host: «ext»
  port: 5432
  database: gitea
  username: gitea
  password: «pg_pw»

redis-cluster:
  enabled: true
  usePassword: true
  password: «redis_pw»

persistence:
  enabled: true
  size: 50Gi
  storageClass: do-block-storage

resources:
  requests:
    cpu: 200m
    memory: 512Mi
''', dom=admin.split("@")[1], gfrom=E("gitea@" + admin.split("@")[1]),
     guser=E("postmaster@mg." + admin.split("@")[1]), pg_admin=P(pg_admin), admin=E(admin), smtp_pw=P(smtp_pw), mg=K(mg),
                                                  ext=I(ext), pg_pw=P(pg_pw), redis_pw=P(redis_pw))


def d_terraform_main(r):
    akid, asec = aws_akid(r), aws_secret(r)
    db_pw = pw(r, "!#%*-_.+")
    cf = rs(r, 40, B64URL)
    office = ipv4(r)
    return "infra/main.tf", _fill(r'''
terraform {
  required_version = ">= 1.5.0"
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
  region     = "us-west-2"
  access_key = "«akid»"
  secret_key = "«asec»"
}

provider "cloudflare" {
  api_token = "«cf»"
}

provider "postgresql" {
  host     = aws_db_instance.main.address
  port     = 5432
  username = "app_admin"
  password = "«db_pw»"
  sslmode  = "require"
}

resource "aws_security_group" "db" {
  name        = "rds-postgres"
  description = "Postgres from office and VPC"
  vpc_id      = aws_vpc.main.id

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
  identifier             = "app-prod"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t3.medium"
  allocated_storage      = 50
  db_name                = "app"
  username               = "app_admin"
  password               = "«db_pw»"
  vpc_security_group_ids = [aws_security_group.db.id]
  kms_key_id             = "arn:aws:kms:us-west-2:«acct»:key/«kms»"
  storage_encrypted      = true
  skip_final_snapshot    = false
}

resource "cloudflare_record" "api" {
  zone_id = var.cloudflare_zone_id
  name    = "api"
  value   = aws_lb.api.dns_name
  type    = "CNAME"
  proxied = true
}
''', akid=K(akid), asec=K(asec), cf=K(cf), office=I(office), db_pw=P(db_pw),
                                  acct=rs(r, 12, DIG), kms=uuid(r))


def d_tfvars(r):
    do = do_tok(r)
    db_pw = pw(r, "!#%*-_.+")
    admin = email(r, org_domain(r))
    ips = [ipv4(r), ipv4(r)]
    ssh_fp = ":".join(hexs(r, 2) for _ in range(16))
    return "terraform/prod.tfvars", _fill(r'''
# DigitalOcean production environment
do_token        = "«do»"
region          = "fra1"
droplet_size    = "s-2vcpu-4gb"
droplet_count   = 3
ssh_fingerprint = "«ssh_fp»"

domain      = "«dom»"
admin_email = "«admin»"

db_cluster_size = "db-s-1vcpu-2gb"
db_user         = "app"
db_password     = "«db_pw»"

# who may reach the bastion
allowed_ssh_cidrs = [
  "«ip0»/32",  # office
  "«ip1»/32",  # vpn exit
  "192.168.0.0/16",
]

tags = {
  project     = "marketplace"
  environment = "prod"
  managed_by  = "terraform"
}
''', do=K(do), ssh_fp=ssh_fp, dom=admin.split("@")[1], admin=E(admin), db_pw=P(db_pw),
                                         ip0=I(ips[0]), ip1=I(ips[1]))


def d_ansible_inventory(r):
    h = [ipv4(r), priv_ip(r), ipv4(r)]
    p1 = pw(r, "!%*-_.+@^")
    p2 = pw(r, "!%*-_.+@^")
    become = pw_human(r, "!%*-_.+@^")
    return "inventory/production.ini", _fill(r'''
# Production inventory
# ansible-playbook -i inventory/production.ini site.yml

[web]
web01 ansible_host=«h0» ansible_user=ubuntu
web02 ansible_host=«h1» ansible_user=ubuntu

[db]
db01 ansible_host=«h2» ansible_user=root ansible_ssh_pass=«p1»

[legacy]
old-mail ansible_host=10.8.0.5 ansible_user=admin ansible_password='«p2»' ansible_port=2222

[web:vars]
ansible_become=true
ansible_become_pass=«become»
nginx_worker_processes=auto

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ntp_servers=['0.pool.ntp.org', '1.pool.ntp.org']
dns_servers=['1.1.1.1', '8.8.8.8']
ansible_ssh_common_args='-o StrictHostKeyChecking=no'

[production:children]
web
db
legacy
''', h0=I(h[0]), h1=h[1], h2=I(h[2]), p1=P(p1), p2=P(p2), become=P(become))


def d_ansible_group_vars(r):
    mysql_root = pw(r)
    app_db_pw = pw_random(r)
    le = email(r, org_domain(r))
    relay = ipv4(r)
    nr = newrelic_key(r)
    return "group_vars/all.yml", _fill(r'''
---
# Common variables for all hosts
timezone: Europe/Amsterdam
deploy_user: deploy
app_name: bookshelf
app_domain: «dom»

letsencrypt_email: «le»
letsencrypt_staging: false

mysql_root_password: «mysql_root»
mysql_databases:
  - name: bookshelf
    encoding: utf8mb4
mysql_users:
  - name: bookshelf
    host: "%"
    password: "«app_db_pw»"
    priv: "bookshelf.*:ALL"
  - name: backup
    host: localhost
    password: "{{ vault_backup_db_password }}"
    priv: "*.*:SELECT,LOCK TABLES"

postfix_relayhost: "[«relay»]:587"
postfix_mynetworks: "127.0.0.0/8 [::1]/128 10.0.0.0/8"

newrelic_license_key: ""
newrelic_api_key: «nr»

firewall_allowed_tcp_ports:
  - 22
  - 80
  - 443
''', dom=le.split("@")[1], le=E(le), mysql_root=P(mysql_root), app_db_pw=P(app_db_pw),
                                       relay=I(relay), nr=K(nr))


def d_vagrantfile(r):
    root_pw = pw(r, "!%*-_.+@^")
    ssh_pw = pw_human(r, "!%*-_.+@^")
    return "Vagrantfile", _fill(r'''
# -*- mode: ruby -*-
# vi: set ft=ruby :

Vagrant.configure("2") do |config|
  config.vm.box = "ubuntu/jammy64"
  config.vm.hostname = "lamp-dev"

  config.vm.network "forwarded_port", guest: 80, host: 8080
  config.vm.network "forwarded_port", guest: 3306, host: 33060
  config.vm.network "private_network", ip: "192.168.56.10"

  config.vm.synced_folder "./www", "/var/www/html", owner: "www-data", group: "www-data"

  config.ssh.username = "vagrant"
  config.ssh.password = "«ssh_pw»"
  config.ssh.insert_key = false

  config.vm.provider "virtualbox" do |vb|
    vb.memory = "2048"
    vb.cpus = 2
    vb.name = "lamp-dev"
  end

  config.vm.provision "shell", inline: <<-SHELL
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -y
    apt-get install -y apache2 php libapache2-mod-php php-mysql mysql-server unzip
    mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY '«root_pw»'; FLUSH PRIVILEGES;"
    mysql -uroot -p'«root_pw»' -e "CREATE DATABASE IF NOT EXISTS app CHARACTER SET utf8mb4;"
    sed -i 's/bind-address.*/bind-address = 0.0.0.0/' /etc/mysql/mysql.conf.d/mysqld.cnf
    systemctl restart mysql apache2
  SHELL
end
''', ssh_pw=P(ssh_pw), root_pw=P(root_pw))


def d_docker_compose(r):
    pg = pw(r, "!%*-_.+@^")
    mysql_root = pw_random(r, 16, "-_.!")
    rabbit = pw_human(r, "!%*-_.+@^")
    pga_mail = email(r, org_domain(r))
    pga_pw = pw(r, "!%*-_.+@^")
    minio = pw_long(r, 24)
    return "docker-compose.yml", _fill(r'''
version: "3.9"

services:
  postgres:
    image: postgres:16-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: «pg»
      POSTGRES_DB: app
    volumes:
      - pgdata:/var/lib/postgresql/data
    ports:
      - "5432:5432"

  mysql:
    image: mysql:8.0
    command: --default-authentication-plugin=mysql_native_password
    environment:
      - MYSQL_ROOT_PASSWORD=«mysql_root»
      - MYSQL_DATABASE=legacy
    ports:
      - "3306:3306"

  rabbitmq:
    image: rabbitmq:3.12-management
    environment:
      RABBITMQ_DEFAULT_USER: app
      RABBITMQ_DEFAULT_PASS: "«rabbit»"
    ports:
      - "5672:5672"
      - "15672:15672"

  pgadmin:
    image: dpage/pgadmin4:8.2
    environment:
      PGADMIN_DEFAULT_EMAIL: «pga_mail»
      PGADMIN_DEFAULT_PASSWORD: '«pga_pw»'
    ports:
      - "5050:80"
    depends_on:
      - postgres

  minio:
    image: minio/minio:RELEASE.2024-01-16T16-07-38Z
    command: server /data --console-address ":9001"
    environment:
      MINIO_ROOT_USER: minioadmin
      MINIO_ROOT_PASSWORD: «minio»
    volumes:
      - miniodata:/data

  app:
    build: .
    env_file: .env
    environment:
      DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@postgres:5432/app
    depends_on: [postgres, rabbitmq, minio]

volumes:
  pgdata:
  miniodata:
''', pg=P(pg), mysql_root=P(mysql_root), rabbit=P(rabbit), pga_mail=E(pga_mail), pga_pw=P(pga_pw),
                                         minio=P(minio))


def d_deploy_sh(r):
    host, backup = ipv4(r), priv_ip(r)
    db_pw = pw(r, "!%*-_.+@^")
    akid, asec = aws_akid(r), aws_secret(r)
    return "scripts/deploy.sh", _fill(r'''
#!/usr/bin/env bash
# Deploy the app to the production box and take a DB backup first.
set -euo pipefail

APP_HOST="«host»"
BACKUP_HOST="«backup»"
APP_DIR=/var/www/app
RELEASE=$(date +%Y%m%d%H%M%S)

export AWS_ACCESS_KEY_ID=«akid»
export AWS_SECRET_ACCESS_KEY=«asec»
export AWS_DEFAULT_REGION=ap-southeast-1

echo "==> Backing up database"
ssh ubuntu@"$APP_HOST" "mysqldump -u app -p'«db_pw»' --single-transaction app | gzip > /tmp/app-$RELEASE.sql.gz"
scp ubuntu@"$APP_HOST":/tmp/app-"$RELEASE".sql.gz .
aws s3 cp app-"$RELEASE".sql.gz s3://app-db-backups/
rsync -az app-"$RELEASE".sql.gz backup@"$BACKUP_HOST":/backups/

echo "==> Building"
npm ci
npm run build

echo "==> Uploading release $RELEASE"
rsync -az --delete dist/ ubuntu@"$APP_HOST":"$APP_DIR"/releases/"$RELEASE"/
ssh ubuntu@"$APP_HOST" <<EOF
  set -e
  ln -sfn $APP_DIR/releases/$RELEASE $APP_DIR/current
  cd $APP_DIR/current
  pm2 reload ecosystem.config.js --env production
  ls -1dt $APP_DIR/releases/* | tail -n +6 | xargs rm -rf
EOF

echo "==> Done: https://app.«dom» (release $RELEASE)"
''', host=I(host), backup=backup, akid=K(akid), asec=K(asec), db_pw=P(db_pw), dom=org_domain(r))


def d_deploy_ps1(r):
    user = "svc-deploy@" + r.choice(["contoso-it", "fabrikamhq", "northwindtraders"]) + ".onmicrosoft.com"
    pw_ = pw(r, "!#%*-_.+@")
    host = ipv4(r)
    api_user = "deploy"
    api_pw = pw_random(r, 14)
    basic = basic_b64(api_user, api_pw)
    return "deploy/Deploy-WebApp.ps1", _fill(r'''
<#
.SYNOPSIS
    Copies the build output to the IIS server and recycles the app pool.
#>
param(
    [string]$Environment = "Production",
    [string]$BuildOutput = ".\publish"
)

$ErrorActionPreference = "Stop"

$server   = "«host»"
$username = "«user»"
$password = ConvertTo-SecureString "«pw_»" -AsPlainText -Force
$cred     = New-Object System.Management.Automation.PSCredential ($username, $password)

Write-Host "Deploying $Environment build to $server..."

$session = New-PSSession -ComputerName $server -Credential $cred -UseSSL
try {
    Invoke-Command -Session $session -ScriptBlock {
        Import-Module WebAdministration
        Stop-WebAppPool -Name "ShopApi"
    }
    Copy-Item -Path "$BuildOutput\*" -Destination "D:\inetpub\ShopApi\" -ToSession $session -Recurse -Force
    Invoke-Command -Session $session -ScriptBlock {
        Start-WebAppPool -Name "ShopApi"
    }
}
finally {
    Remove-PSSession $session
}

# tell the release dashboard
$headers = @{
    "Authorization" = "Basic «basic»"
    "Content-Type"  = "application/json"
}
$body = @{ service = "ShopApi"; environment = $Environment; version = (Get-Date -Format "yyyy.MM.dd.HHmm") } | ConvertTo-Json
Invoke-RestMethod -Uri "https://releases.«dom»/api/v1/deployments" -Method Post -Headers $headers -Body $body

Write-Host "Done." -ForegroundColor Green
''', host=I(host), user=E(user), pw_=P(pw_), basic=K(basic), dom=org_domain(r))


def d_dockerfile(r):
    npm = npm_tok(r)
    maint = email(r)
    key = generic_secret(r, 32)
    return "Dockerfile", _fill(r'''
# syntax=docker/dockerfile:1.6
FROM node:20.11-alpine@sha256:«digest» AS deps
LABEL maintainer="«maint»"
WORKDIR /app

# private packages from the npm org
RUN echo "//registry.npmjs.org/:_authToken=«npm»" > .npmrc
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && rm -f .npmrc

FROM node:20.11-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
ARG NEXT_PUBLIC_API_URL=https://api.«dom»
RUN npm run build

FROM node:20.11-alpine AS runner
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    MAPBOX_SECRET=«key»
RUN addgroup -S app && adduser -S app -G app
COPY --from=build --chown=app:app /app/.next ./.next
COPY --from=build /app/public ./public
COPY --from=build /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
USER app
EXPOSE 3000
HEALTHCHECK --interval=30s CMD wget -qO- http://127.0.0.1:3000/api/health || exit 1
CMD ["npm", "start"]
''', digest=sha256_hex(r), maint=E(maint), npm=K(npm), dom=org_domain(r), key=K(key))


def d_nginx_conf(r):
    ups = [ipv4(r), priv_ip(r)]
    v6 = ipv6(r)
    office = ipv4(r)
    basic = basic_b64("metrics", pw_random(r, 12))
    return "nginx/conf.d/api.conf", _fill(r'''
upstream api_backend {
    least_conn;
    server «u0»:8080 max_fails=3 fail_timeout=30s;
    server «u1»:8080 max_fails=3 fail_timeout=30s;
    server 127.0.0.1:8080 backup;
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
    ssl_protocols TLSv1.2 TLSv1.3;

    resolver 8.8.8.8 1.1.1.1 valid=300s;
    resolver_timeout 5s;

    client_max_body_size 20m;

    location / {
        proxy_pass http://api_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }

    location /admin/ {
        allow «office»;
        allow 10.0.0.0/8;
        deny all;
        proxy_pass http://api_backend;
    }

    location /metrics {
        proxy_pass http://10.0.3.21:9100/metrics;
        proxy_set_header Authorization "Basic «basic»";
    }
}
''', u0=I(ups[0]), u1=ups[1], dom=org_domain(r), v6=I(v6), office=I(office), basic=K(basic))


def d_node_env(r):
    sk = stripe_sk(r)
    whsec = "whsec_" + rs(r, 32)
    sg = sendgrid(r)
    tw_sk, tw_secret = twilio_sk(r), rs(r, 32)
    mg = mailgun(r)
    db_pw = pw(r, SYM_URL)
    dom = org_domain(r)
    return ".env.production", _fill(r'''
NODE_ENV=production
PORT=8080
APP_URL=https://app.«dom»

DATABASE_URL=postgresql://app:«db_pw»@db.«dom»:5432/app?schema=public
REDIS_URL=redis://127.0.0.1:6379

STRIPE_SECRET_KEY=«sk»
STRIPE_WEBHOOK_SECRET=«whsec»
NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=«pk»

SENDGRID_API_KEY=«sg»
EMAIL_FROM="Support <«efrom»>"

TWILIO_API_KEY=«tw_sk»
TWILIO_API_SECRET=«tw_secret»
TWILIO_FROM_NUMBER=+15005550006

MAILGUN_API_KEY=«mg»
MAILGUN_DOMAIN=mg.«dom»

NEXTAUTH_URL=https://app.«dom»
NEXTAUTH_SECRET=
SENTRY_ENVIRONMENT=production
''', dom=dom, efrom=E("support@" + dom), db_pw=P(db_pw), sk=K(sk), whsec=K(whsec), pk=stripe_pk(r), sg=K(sg),
                                     tw_sk=K(tw_sk), tw_secret=K(tw_secret), mg=K(mg))


def d_kubeconfig(r):
    host = ipv4(r)
    token = jwt(r, {"iss": "kubernetes/serviceaccount",
                    "kubernetes.io/serviceaccount/namespace": "ci",
                    "kubernetes.io/serviceaccount/service-account.name": "deployer",
                    "sub": "system:serviceaccount:ci:deployer"}, alg="RS256")
    ca = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM" + rs(r, 200, B64)
    client_key = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFcEFJQkFBS0NBUUVB" + rs(r, 220, B64)
    cert = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURJVENDQWdtZ0F3SUJBZ0lJ" + rs(r, 200, B64)
    return "ops/kubeconfig-prod.yaml", _fill(r'''
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: «ca»
    server: https://«host»:6443
  name: prod-cluster
contexts:
- context:
    cluster: prod-cluster
    namespace: ci
    user: deployer
  name: deployer@prod
- context:
    cluster: prod-cluster
    user: kubernetes-admin
  name: kubernetes-admin@prod
current-context: deployer@prod
preferences: {}
users:
- name: deployer
  user:
    token: «token»
- name: kubernetes-admin
  user:
    client-certificate-data: «cert»
    client-key-data: «client_key»
- name: legacy-basic
  user:
    username: admin
    password: «basic_pw»
''', ca=ca, host=I(host), token=K(token), cert=cert, client_key=K(client_key),
                                              basic_pw=P(pw_random(r, 16, "-_.")))


def d_docker_config_json(r):
    u1, p1 = "ci-" + rs(r, 4, LO), pw(r)
    u2 = email(r, org_domain(r))
    dpat = docker_pat(r)
    return ".docker/config.json", _fill(r'''
{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "«a2»"
		},
		"registry.gitlab.com": {
			"auth": "«a1»"
		},
		"ghcr.io": {}
	},
	"credsStore": "desktop",
	"currentContext": "default",
	"plugins": {
		"-x-cli-hints": {
			"enabled": "true"
		}
	},
	"HttpHeaders": {
		"User-Agent": "Docker-Client/24.0.7 (linux)"
	},
	"email": "«u2»"
}
''', a2=K(basic_b64(u2.split("@")[0], dpat)), a1=K(basic_b64(u1, p1)), u2=E(u2))


def d_grafana_ini(r):
    admin_pw = pw(r)
    smtp_user = email(r, "gmail.com")
    smtp_pw = rs(r, 16, LO)
    sk = rs(r, 20)
    return "grafana/grafana.ini", _fill(r'''
##################### Grafana Configuration #####################
#
# Everything has defaults so you only need to uncomment things you want to
# change

[paths]
data = /var/lib/grafana
logs = /var/log/grafana
plugins = /var/lib/grafana/plugins

[server]
protocol = http
http_port = 3000
domain = grafana.«dom»
root_url = %(protocol)s://%(domain)s/

[database]
type = sqlite3
path = grafana.db

[security]
admin_user = admin
admin_password = «admin_pw»
secret_key = «sk»
disable_gravatar = true
cookie_secure = true

[users]
allow_sign_up = false
default_theme = dark

[auth.anonymous]
enabled = false

[smtp]
enabled = true
host = smtp.gmail.com:587
user = «smtp_user»
# If the password contains # or ; you have to wrap it with triple quotes. Ex """#password;"""
password = «smtp_pw»
from_address = «smtp_user»
from_name = Grafana

[alerting]
enabled = false

[unified_alerting]
enabled = true
''', dom=org_domain(r), admin_pw=P(admin_pw), sk=K(sk), smtp_user=E(smtp_user), smtp_pw=P(smtp_pw))

# =============================================================================================
# embedded
# =============================================================================================


def d_esp32_mqtt(r):
    wifi_pw = pw(r, "!#%*-_.+@")
    broker = ipv4(r)
    mqtt_pw = pw_random(r, 12, "-_.!")
    return "firmware/greenhouse/greenhouse.ino", _fill(r'''
/*
  Greenhouse monitor - ESP32 + DHT22 + soil moisture
  Publishes readings to MQTT every 30 s.
*/
#include <WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>

#define DHTPIN 4
#define DHTTYPE DHT22
#define SOIL_PIN 34

const char* ssid = "Greenhouse_2G";
const char* password = "«wifi_pw»";

const char* mqtt_server = "«broker»";
const int   mqtt_port = 1883;
const char* mqtt_user = "greenhouse";
const char* mqtt_pass = "«mqtt_pw»";

// static IP so the router's DHCP table doesn't fill up
IPAddress local_IP(192, 168, 1, 50);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);
unsigned long lastMsg = 0;

void setup_wifi() {
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
    if (client.connect("greenhouse-esp32", mqtt_user, mqtt_pass)) {
      client.subscribe("greenhouse/cmd");
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
  if (now - lastMsg > 30000) {
    lastMsg = now;
    char payload[96];
    snprintf(payload, sizeof(payload), "{\"t\":%.1f,\"h\":%.1f,\"soil\":%d}",
             dht.readTemperature(), dht.readHumidity(), analogRead(SOIL_PIN));
    client.publish("greenhouse/sensors", payload);
  }
}
''', wifi_pw=P(wifi_pw), broker=I(broker), mqtt_pw=P(mqtt_pw))


def d_esp8266_blynk(r):
    auth = rs(r, 32, B64URL)
    wifi_pw = pw_human(r, "!#%*-_.+@")
    ts = rs(r, 16, UP + DIG)
    return "src/main.cpp", _fill(r'''
// Smart plug with Blynk + ThingSpeak logging (ESP8266, PlatformIO)
#define BLYNK_TEMPLATE_ID "TMPL«tmpl»"
#define BLYNK_TEMPLATE_NAME "Smart Plug"
#define BLYNK_AUTH_TOKEN "«auth»"
#define BLYNK_PRINT Serial

#include <Arduino.h>
#include <ESP8266WiFi.h>
#include <BlynkSimpleEsp8266.h>
#include <ThingSpeak.h>

char ssid[] = "FRITZ!Box 7530 QX";
char pass[] = "«wifi_pw»";

unsigned long channelNumber = «chan»;
const char *writeAPIKey = "«ts»";

const int RELAY_PIN = D1;
const int CURRENT_PIN = A0;
WiFiClient client;
BlynkTimer timer;

BLYNK_WRITE(V0) {
  int value = param.asInt();
  digitalWrite(RELAY_PIN, value ? HIGH : LOW);
}

void sendPower() {
  float amps = analogRead(CURRENT_PIN) * (5.0 / 1023.0) / 0.185;
  float watts = amps * 230.0;
  Blynk.virtualWrite(V1, watts);
  ThingSpeak.setField(1, watts);
  ThingSpeak.writeFields(channelNumber, writeAPIKey);
}

void setup() {
  Serial.begin(115200);
  pinMode(RELAY_PIN, OUTPUT);
  Blynk.begin(BLYNK_AUTH_TOKEN, ssid, pass);
  ThingSpeak.begin(client);
  timer.setInterval(20000L, sendPower);
}

void loop() {
  Blynk.run();
  timer.run();
}
''', tmpl=rs(r, 8, UP + DIG), auth=K(auth), wifi_pw=P(wifi_pw), chan=r.randint(1000000, 2500000),
                                  ts=K(ts))


def d_rpi_doorbell(r):
    broker = ipv4(r)
    mqtt_pw = pw(r)
    sender = email(r, "gmail.com")
    app_pw = rs(r, 16, LO)
    to = email(r)
    return "doorbell/doorbell.py", _fill(r'''
#!/usr/bin/env python3
"""Raspberry Pi doorbell: button press -> photo -> email + MQTT event."""
import smtplib
import time
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import paho.mqtt.client as mqtt
from gpiozero import Button
from picamera2 import Picamera2

BUTTON_PIN = 17
MQTT_HOST = "«broker»"
MQTT_USER = "doorbell"
MQTT_PASS = "«mqtt_pw»"

GMAIL_USER = "«sender»"
GMAIL_APP_PASSWORD = "«app_pw»"
NOTIFY = "«to»"

cam = Picamera2()
cam.configure(cam.create_still_configuration())
cam.start()

client = mqtt.Client(client_id="doorbell-pi")
client.username_pw_set(MQTT_USER, MQTT_PASS)
client.connect(MQTT_HOST, 1883, keepalive=60)
client.loop_start()


def send_photo(path):
    msg = MIMEMultipart()
    msg["Subject"] = "Someone is at the door"
    msg["From"] = GMAIL_USER
    msg["To"] = NOTIFY
    msg.attach(MIMEText(time.strftime("Ring at %H:%M:%S")))
    with open(path, "rb") as f:
        msg.attach(MIMEImage(f.read(), name="door.jpg"))
    with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
        s.login(GMAIL_USER, GMAIL_APP_PASSWORD)
        s.send_message(msg)


def on_press():
    path = f"/home/pi/doorbell/{int(time.time())}.jpg"
    cam.capture_file(path)
    client.publish("home/doorbell/ring", path)
    send_photo(path)


button = Button(BUTTON_PIN, bounce_time=0.2)
button.when_pressed = on_press

print("doorbell ready")
while True:
    time.sleep(1)
''', broker=I(broker), mqtt_pw=P(mqtt_pw), sender=E(sender), app_pw=P(app_pw), to=E(to))


def d_esp_idf_aws_iot(r):
    wifi_pw = pw(r, "!#%*-_.+@")
    key = pem(r, "RSA PRIVATE KEY", sep='\\n"\n"', short=True)
    endpoint = rs(r, 14, LO + DIG) + "-ats.iot.eu-west-1.amazonaws.com"
    cert = "MIIDWTCCAkGgAwIBAgIU" + rs(r, 40, B64)
    return "main/app_config.h", _fill(r'''
/*
 * app_config.h - build-time configuration for the tank-level sensor
 * ESP-IDF v5.1
 */
#pragma once

#define EXAMPLE_ESP_WIFI_SSID      "pumphouse"
#define EXAMPLE_ESP_WIFI_PASS      "«wifi_pw»"
#define EXAMPLE_ESP_MAXIMUM_RETRY  5

#define AWS_IOT_ENDPOINT   "«endpoint»"
#define AWS_IOT_THING_NAME "tank-sensor-01"
#define AWS_IOT_TOPIC      "farm/tank/level"

/* Device certificate (public) */
static const char device_cert_pem[] =
"-----BEGIN CERTIFICATE-----\n"
"«cert»\n"
"-----END CERTIFICATE-----\n";

/* Device private key */
static const char device_key_pem[] =
"«key»\n";

#define SAMPLE_PERIOD_MS  (60 * 1000)
''', wifi_pw=P(wifi_pw), endpoint=endpoint, cert=cert, key=K(key))


# =============================================================================================
# bots
# =============================================================================================


def d_discord_js_config(r):
    tok = discord_tok(r)
    mongo_pw = pw(r, SYM_URL)
    cid = str(r.randint(10**17, 13 * 10**17))
    return "config.json", _fill(r'''
{
  "token": "«tok»",
  "clientId": "«cid»",
  "guildId": "«gid»",
  "prefix": "?",
  "mongoURI": "mongodb+srv://musicbot:«mongo_pw»@cluster0.«cl».mongodb.net/musicbot?retryWrites=true&w=majority",
  "embedColor": "#5865F2",
  "owners": ["«o1»"],
  "lavalink": {
    "host": "localhost",
    "port": 2333,
    "password": "«ll_pw»",
    "secure": false
  },
  "spotify": {
    "clientId": "«sp_id»",
    "clientSecret": "«sp_secret»"
  },
  "features": {
    "autoplay": true,
    "247": false,
    "djRole": "DJ"
  }
}
''', tok=K(tok), cid=cid, gid=r.randint(10**17, 13 * 10**17), mongo_pw=P(mongo_pw),
                                cl=rs(r, 5, LO + DIG), o1=r.randint(10**17, 13 * 10**17),
                                sp_id=hexs(r, 32), sp_secret=K(hexs(r, 32)),
                                ll_pw=P(pw_random(r, 14, "-_.!")))


def d_telegram_bot(r):
    tok = telegram_tok(r)
    oa = openai_key(r)
    admin_ids = [r.randint(10**8, 2 * 10**9) for _ in range(2)]
    return "telegram_bot/main.py", _fill(r'''
import logging
import os

from openai import OpenAI
from telegram import Update
from telegram.ext import (Application, CommandHandler, ContextTypes, MessageHandler,
                          filters)

TOKEN = "«tok»"
ADMIN_IDS = {«a0», «a1»}

client = OpenAI(api_key="«oa»")

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                    level=logging.INFO)
log = logging.getLogger(__name__)
history: dict[int, list[dict]] = {}


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Hi! Send me any question.")


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    history.pop(update.effective_chat.id, None)
    await update.message.reply_text("Conversation cleared.")


async def chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id = update.effective_chat.id
    msgs = history.setdefault(chat_id, [{"role": "system", "content": "You are a helpful assistant."}])
    msgs.append({"role": "user", "content": update.message.text})
    resp = client.chat.completions.create(model="gpt-4o-mini", messages=msgs[-20:])
    answer = resp.choices[0].message.content
    msgs.append({"role": "assistant", "content": answer})
    await update.message.reply_text(answer)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user.id not in ADMIN_IDS:
        return
    await update.message.reply_text(f"{len(history)} active chats")


def main() -> None:
    app = Application.builder().token(TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("reset", reset))
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, chat))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
''', tok=K(tok), a0=admin_ids[0], a1=admin_ids[1], oa=K(oa))


def d_slack_bolt(r):
    xoxb = slack_bot(r)
    signing = hexs(r, 32)
    xapp = slack_app(r)
    return "src/app.js", _fill(r'''
const { App, LogLevel } = require('@slack/bolt');
const { WebClient } = require('@slack/web-api');

// Initializes your app with your bot token and signing secret
const app = new App({
  token: '«xoxb»',
  signingSecret: '«signing»',
  socketMode: true,
  appToken: '«xapp»',
  logLevel: LogLevel.INFO,
});

const STANDUP_CHANNEL = 'C04«ch»';

app.command('/standup', async ({ command, ack, respond }) => {
  await ack();
  await respond({
    response_type: 'in_channel',
    text: `Standup from <@${command.user_id}>: ${command.text}`,
  });
});

app.message(/^(hi|hello|hey)$/i, async ({ message, say }) => {
  await say(`Hey there <@${message.user}>!`);
});

app.event('app_home_opened', async ({ event, client }) => {
  await client.views.publish({
    user_id: event.user,
    view: {
      type: 'home',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Welcome to Standup Bot* :wave:' } }],
    },
  });
});

(async () => {
  await app.start(process.env.PORT || 3000);
  console.log('⚡️ Bolt app is running!');
})();
''', xoxb=K(xoxb), signing=K(signing), xapp=K(xapp), ch=rs(r, 8, UP + DIG))




# =============================================================================================
# misc: package managers, API clients, SQL, mail/LDAP, docs
# =============================================================================================


def d_postman_collection(r):
    host = ipv4(r)
    tok = jwt(r)
    api = rs(r, 40)
    bpw = pw(r)
    return "postman/Orders API.postman_collection.json", _fill(r'''
{
	"info": {
		"_postman_id": "«pid»",
		"name": "Orders API",
		"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
		"_exporter_id": "«exp»"
	},
	"item": [
		{
			"name": "List orders",
			"request": {
				"auth": {
					"type": "bearer",
					"bearer": [
						{
							"key": "token",
							"value": "«tok»",
							"type": "string"
						}
					]
				},
				"method": "GET",
				"header": [],
				"url": {
					"raw": "{{baseUrl}}/orders?status=open",
					"host": ["{{baseUrl}}"],
					"path": ["orders"],
					"query": [{ "key": "status", "value": "open" }]
				}
			},
			"response": []
		},
		{
			"name": "Admin - refund",
			"request": {
				"auth": {
					"type": "basic",
					"basic": [
						{ "key": "password", "value": "«bpw»", "type": "string" },
						{ "key": "username", "value": "ops-admin", "type": "string" }
					]
				},
				"method": "POST",
				"header": [{ "key": "X-API-KEY", "value": "{{apiKey}}", "type": "text" }],
				"body": {
					"mode": "raw",
					"raw": "{\n  \"orderId\": 1042,\n  \"reason\": \"damaged\"\n}",
					"options": { "raw": { "language": "json" } }
				},
				"url": {
					"raw": "{{baseUrl}}/admin/refunds",
					"host": ["{{baseUrl}}"],
					"path": ["admin", "refunds"]
				}
			},
			"response": []
		}
	],
	"variable": [
		{ "key": "baseUrl", "value": "http://«host»:8000/api/v1" },
		{ "key": "apiKey", "value": "«api»" }
	]
}
''', pid=uuid(r), exp=r.randint(10**7, 4 * 10**7), tok=K(tok), bpw=P(bpw), host=I(host), api=K(api))


def d_npmrc(r):
    gh = ghp(r)
    npm = npm_tok(r)
    mail = email(r, org_domain(r))
    nexus_pw = pw(r)
    return ".npmrc", _fill(r'''
# project npm config
registry=https://registry.npmjs.org/
@«scope»:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«gh»
//registry.npmjs.org/:_authToken=«npm»

# internal mirror (old)
; //nexus.«dom»/repository/npm-group/:_auth=${NEXUS_AUTH}
//nexus.«dom»/repository/npm-private/:_auth=«nexus»
//nexus.«dom»/repository/npm-private/:always-auth=true
email=«mail»

save-exact=true
engine-strict=true
fund=false
audit-level=high
legacy-peer-deps=true
''', scope=r.choice(["acme", "hollowpeak", "orbit"]), gh=K(gh), npm=K(npm), dom=mail.split("@")[1],
                             nexus=K(base64.b64encode(f"ci:{nexus_pw}".encode()).decode()),
                             mail=E(mail))


def d_pypirc(r):
    t1, t2 = pypi_tok(r), pypi_tok(r)
    priv_pw = pw(r)
    return ".pypirc", _fill(r'''
[distutils]
index-servers =
    pypi
    testpypi
    internal

[pypi]
username = __token__
password = «t1»

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = «t2»

[internal]
repository = https://pypi.«dom»/simple/
username = release-bot
password = «priv_pw»
''', t1=K(t1), t2=K(t2), dom=org_domain(r), priv_pw=P(priv_pw))


def d_netrc(r):
    gh = ghp(r)
    mail = email(r)
    her = heroku_tok(r)
    ftp = ipv4(r)
    ftp_pw = pw(r, "!#%*-_.+@^")
    return "dotfiles/.netrc", _fill(r'''
machine github.com
  login «ghuser»
  password «gh»

machine api.heroku.com
  login «mail»
  password «her»

machine git.heroku.com
  login «mail»
  password «her»

machine «ftp»
  login webmaster
  password «ftp_pw»
''', ghuser=mail.split("@")[0].replace(".", "-"), gh=K(gh), mail=E(mail), her=K(her), ftp=I(ftp),
                                 ftp_pw=P(ftp_pw))


def d_pg_migration(r):
    p1, p2, p3 = pw(r), pw_random(r), pw_human(r)
    admin = email(r, org_domain(r))
    bh = "$2a$10$" + rs(r, 53, ALNUM + "./")
    return "db/migrations/V7__roles_and_seed.sql", _fill(r'''
-- V7: application roles, read-only reporting role, first admin
BEGIN;

DO $$
BEGIN
   IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_rw') THEN
      CREATE ROLE app_rw WITH LOGIN PASSWORD '«p1»';
   END IF;
END
$$;

CREATE ROLE reporting WITH LOGIN PASSWORD '«p2»' VALID UNTIL '2026-01-01';

GRANT CONNECT ON DATABASE crm TO app_rw, reporting;
GRANT USAGE ON SCHEMA public TO app_rw, reporting;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_rw;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reporting;

CREATE TABLE IF NOT EXISTS app_settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

INSERT INTO app_settings (key, value) VALUES
    ('smtp_host', 'smtp.zoho.eu'),
    ('smtp_user', '«admin»'),
    ('smtp_password', '«p3»'),
    ('password_min_length', '12');

INSERT INTO users (email, password_hash, role, created_at)
VALUES ('«admin»', '«bh»', 'admin', now());

COMMIT;
''', p1=P(p1), p2=P(p2), admin=E(admin), p3=P(p3), bh=bh)


def d_mysql_init(r):
    p1, p2, p3 = pw(r), pw_random(r, 14, "-_.!#%"), pw_human(r)
    master = ipv4(r)
    return "docker/mysql/init/01-users.sql", _fill(r'''
-- Executed by the mysql entrypoint on first start

CREATE DATABASE IF NOT EXISTS `wordpress` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS `matomo` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'wordpress'@'%' IDENTIFIED BY '«p1»';
GRANT ALL PRIVILEGES ON `wordpress`.* TO 'wordpress'@'%';

CREATE USER IF NOT EXISTS 'matomo'@'172.18.%' IDENTIFIED WITH mysql_native_password BY '«p2»';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, DROP, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES
  ON `matomo`.* TO 'matomo'@'172.18.%';

-- read replica
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '«p3»';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';

CHANGE REPLICATION SOURCE TO
  SOURCE_HOST='«master»',
  SOURCE_PORT=3306,
  SOURCE_USER='repl',
  SOURCE_PASSWORD='«p3»',
  SOURCE_AUTO_POSITION=1;

FLUSH PRIVILEGES;
''', p1=P(p1), p2=P(p2), p3=P(p3), master=I(master))


def d_ldap_sync(r):
    host = ipv4(r)
    bind_pw = pw(r)
    notify = email(r, org_domain(r))
    return "tools/ldap_sync.py", _fill(r'''
#!/usr/bin/env python3
"""Sync active employees from the corporate directory into the wiki groups."""
import logging
import sys

import requests
from ldap3 import ALL, SUBTREE, Connection, Server

LDAP_URI = "ldaps://«host»:636"
BIND_DN = "cn=svc-wiki,ou=service,dc=corp,dc=«dc»"
BIND_PW = "«bind_pw»"
BASE_DN = "ou=people,dc=corp,dc=«dc»"
WIKI_API = "https://wiki.«dom»/rest/api/group"
ALERT_TO = "«notify»"

log = logging.getLogger("ldap_sync")


def fetch_users():
    server = Server(LDAP_URI, get_info=ALL, use_ssl=True)
    conn = Connection(server, user=BIND_DN, password=BIND_PW, auto_bind=True)
    conn.search(BASE_DN, "(&(objectClass=inetOrgPerson)(!(employeeType=terminated)))",
                SUBTREE, attributes=["uid", "mail", "departmentNumber"])
    for e in conn.entries:
        yield str(e.uid), str(e.mail), str(e.departmentNumber)
    conn.unbind()


def main():
    logging.basicConfig(level=logging.INFO)
    by_dept = {}
    for uid, mail, dept in fetch_users():
        by_dept.setdefault(dept, []).append(uid)
    for dept, uids in by_dept.items():
        resp = requests.put(f"{WIKI_API}/{dept}/members", json={"users": uids}, timeout=30)
        if resp.status_code >= 400:
            log.error("sync failed for %s: %s (tell %s)", dept, resp.text, ALERT_TO)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
''', host=I(host), dc=r.choice(["local", "io", "net"]), bind_pw=P(bind_pw), dom=notify.split("@")[1],
                                    notify=E(notify))


def d_postfix_main_cf(r):
    relay = ipv4(r)
    user = email(r, org_domain(r))
    spw = pw(r, "!#%*-_.+^")
    me = ipv4(r)
    return "etc/postfix/main.cf", _fill(r'''
# See /usr/share/postfix/main.cf.dist for a commented, more complete version

smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6

# TLS parameters
smtpd_tls_cert_file=/etc/letsencrypt/live/mail.«dom»/fullchain.pem
smtpd_tls_key_file=/etc/letsencrypt/live/mail.«dom»/privkey.pem
smtpd_tls_security_level=may
smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=encrypt
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache

myhostname = mail.«dom»
mydomain = «dom»
myorigin = $mydomain
inet_interfaces = all
inet_protocols = ipv4
smtp_bind_address = «me»
mydestination = $myhostname, localhost.$mydomain, localhost
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 192.168.10.0/24

# relay everything through the provider
relayhost = [«relay»]:587
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = static:«user»:«spw»
smtp_sasl_security_options = noanonymous
smtp_sasl_tls_security_options = noanonymous

mailbox_size_limit = 0
message_size_limit = 52428800
recipient_delimiter = +
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
''', dom=user.split("@")[1], me=I(me), relay=I(relay), user=E(user), spw=P(spw))


def d_changelog(r):
    people = [email(r, style=r.choice([0, 1, 3])) for _ in range(3)]
    gh_noreply = f"{r.randint(1000000, 99999999)}+{r.choice(FIRST)}dev@users.noreply.github.com"
    shas = [git_sha(r)[:7] for _ in range(4)]
    return "CHANGELOG.md", _fill(r'''
# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [3.4.0] - 2024-05-02

### Added
- `--retry-delay` option for the upload command (#412, thanks «p0»)
- Support for Node 22; `npx tinyupload@3.4.0` now works out of the box

### Fixed
- Passwords containing `:` were truncated when read from the config file (#409)
- Crash when `@types/node@18.19.3` was installed alongside (commit «s0»)
- `reset_password_url` was built with the wrong host behind a proxy

### Security
- Bumped `undici` to 5.28.4 (GHSA-m4v8-wqvr-p9f7)

## [3.3.2] - 2024-03-18

### Fixed
- Retina icons (`icon@2x.png`, `icon@3x.png`) were not copied to `dist/`
- Windows paths with spaces (commit «s1», reported by «p1»)

## [3.3.1] - 2024-02-27

### Changed
- Docker image now pinned to `node:20-alpine@sha256:«digest»`
- Default timeout raised from 10s to 30s

### Contributors
- «p2»
- «gh»

## [3.3.0] - 2024-01-09

### Added
- Upload resumption (commit «s2», «s3»)

[3.4.0]: https://github.com/tinyupload/tinyupload/compare/v3.3.2...v3.4.0
[3.3.2]: https://github.com/tinyupload/tinyupload/compare/v3.3.1...v3.3.2
[3.3.1]: https://github.com/tinyupload/tinyupload/compare/v3.3.0...v3.3.1
''', p0=E(people[0]), p1=E(people[1]), p2=E(people[2]), gh=E(gh_noreply), s0=shas[0],
                                 s1=shas[1], s2=shas[2], s3=shas[3], digest=sha256_hex(r))


def d_readme(r):
    host = ipv4(r)
    key = "dk_live_" + rs(r, 32)
    admin = "admin@" + org_domain(r)
    apw = pw_human(r, "!#%*-_.+^")
    support = email(r, admin.split("@")[1], style=0)
    return "README.md", _fill(r'''
# DocketKit

Self-hosted document signing for small teams.

![build](https://github.com/docketkit/docketkit/actions/workflows/ci.yml/badge.svg)

## Quick start

```bash
git clone https://github.com/docketkit/docketkit.git
cd docketkit
cp .env.example .env
docker compose up -d
```

Open http://localhost:8080 and log in with the seeded account:

| email | password |
|-------|----------|
| «admin» | «apw» |
| «viewer» | «vpw» |

## Demo server

A public demo runs at http://«host»/ (reset every night).

## API

```bash
curl -H "Authorization: Bearer «key»" \
     -H "Content-Type: application/json" \
     https://«host»/api/v1/documents
```

Keys look like `dk_live_...`; create one under *Settings -> API keys*. Never commit
`.env`; the `DOCKET_SECRET` there is read with `os.environ["DOCKET_SECRET"]`.

## Development

```bash
python -m venv .venv && . .venv/bin/activate
pip install -e ".[dev]"
pytest -q
```

Requires Python 3.11 and PostgreSQL 14+. Tested on Ubuntu 22.04.4 LTS.

## Support

Questions: «support» - or open an issue.

## License

MIT
''', admin=E(admin), apw=P(apw), viewer=E("viewer@" + admin.split("@")[1]),
                              vpw=P(pw_random(r, 10, "!#%*-_.+^")), host=I(host), key=K(key),
                              support=E(support))


def d_mailing_list(r):
    a, b, c = email(r), email(r, org_domain(r)), email(r, "debian.org")
    ip1, ip2 = ipv4(r), ipv4(r)
    mid = rs(r, 30, ALNUM + "+=_-")
    list_addr = "pkg-python-dev@lists.debian.org"
    return "archive/2023-November/msg00042.txt", _fill(r'''
From «a» Tue Nov 14 09:31:02 2023
Received: from mail-ej1-f47.google.com ([«ip1»])
        by bendel.debian.org (Postfix) with ESMTPS id 4SV1Jk3x7Zz9sN3
        for <«list»>; Tue, 14 Nov 2023 09:31:02 +0000 (UTC)
Received: from [192.168.1.23] (host-«ip2_dash».dynamic.example-isp.net [«ip2»])
        by smtp.gmail.com with ESMTPSA id v12-20020a170906; Tue, 14 Nov 2023 01:30:58 -0800 (PST)
Message-ID: <CA+«mid»@mail.gmail.com>
Date: Tue, 14 Nov 2023 10:30:55 +0100
From: «name» <«a»>
To: «list»
Subject: Re: Bug#1052201: python3-foo: FTBFS with Python 3.12
In-Reply-To: <«irt»@«b_dom»>
Content-Type: text/plain; charset="UTF-8"

Hi,

On Mon, Nov 13, 2023 at 4:12 PM «b» wrote:
> The failure is in test_socket_bind, which hard-codes 127.0.0.1:8000 and
> collides with the buildd's proxy. Upstream fixed it in 2.4.1.

Thanks. I uploaded 2.4.1-1 to unstable; it builds fine in a sid chroot
(sbuild 0.85.2). I also dropped the patch that disabled IPv6 tests since
the buildds now have ::1 configured.

If anyone sees further failures, please Cc «c»
so the team gets the report.

Cheers,
«name»

--
To UNSUBSCRIBE, email to «list_req»
with a subject of "unsubscribe".
''', a=E(a), ip1=I(ip1), list=E(list_addr), ip2_dash=ip2.replace(".", "-"), ip2=I(ip2), mid=mid,
                                                        name=" ".join(w.title() for w in re.split(r"[._\d]+", a.split("@")[0]) if w),
                                                        b=E(b), irt=rs(r, 20, ALNUM), b_dom=b.split("@")[1],
                                                        c=E(c), list_req=E("debian-python-REQUEST@lists.debian.org"))


def d_contributors(r):
    ppl = [person(r) for _ in range(6)]
    names = [f"{f.title()} {l.title()}" for f, l in ppl]
    names[3] = "Jürgen Müller"
    mails = [f"{ppl[0][0]}.{ppl[0][1]}@{r.choice(FREE_MAIL)}",
             f"{ppl[1][0][0]}{ppl[1][1]}@{org_domain(r)}",
             f"{ppl[2][0]}+oss@{r.choice(['gmail.com', 'fastmail.fm'])}",
             "juergen@müller-bäckerei.de",
             f"{r.randint(100000, 9999999)}+{ppl[4][0]}{ppl[4][1]}@users.noreply.github.com",
             f"{ppl[5][1]}@{r.choice(['cs.cmu.edu', 'inf.ethz.ch', 'eecs.mit.edu'])}"]
    lines = "\n".join(f"{n} <{E(m)}>" for n, m in zip(names, mails))
    tf, tl = person(r)
    return "CONTRIBUTORS", _fill(r'''
# This file lists everyone who has contributed code to tinyfs.
# Names are sorted by first contribution. To add yourself, send a PR that
# appends a line in the form:
#     Full Name <address>
#
# Bots (dependabot[bot], renovate[bot]) are not listed.

«lines»

# Translations
«tn1» <«tm1»>  (pt_BR)
Sato Haruki  (ja, no e-mail given)

# Special thanks to the @tinyfs/maintainers team and to everyone who
# reported issues on the tracker.
''', lines=lines, tn1=f"{tf.title()} {tl.title()}", tm1=E(f"{tf}.{tl}@uol.com.br"))


def d_access_log(r):
    ips = [ipv4(r) for _ in range(3)] + [ipv6(r)]
    privs = [priv_ip(r), priv_ip(r), "127.0.0.1"]
    public = [True] * 5 + [False] * 11
    r.shuffle(public)
    paths = ["/", "/wp-login.php", "/api/v1/products?page=2", "/static/app.9f3c1b.js",
             "/.env", "/login", "/robots.txt", "/api/v1/cart", "/favicon.ico"]
    uas = ['"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.112 Safari/537.36"',
           '"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1"',
           '"curl/8.4.0"', '"python-requests/2.31.0"',
           '"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"']
    lines = []
    t = 0
    for i in range(16):
        if not public[i]:
            who = r.choice(privs)
            ip_txt = who
        else:
            who = r.choice(ips)
            ip_txt = I(who)
        t += r.randint(0, 40)
        ts = f"[12/Mar/2024:14:{(t // 60) % 60:02d}:{t % 60:02d} +0000]"
        p = r.choice(paths)
        code = 404 if p in ("/.env", "/wp-login.php") else r.choice([200, 200, 200, 304, 302])
        lines.append(f'{ip_txt} - - {ts} "GET {p} HTTP/1.1" {code} {r.randint(0, 48000)} "-" {r.choice(uas)}')
    return "logs/access.log", "\n".join(lines) + "\n"


def d_csharp_program(r):
    host = ipv4(r)
    db_pw = pw(r, "!#%*-_.+@")
    smtp_user = email(r, org_domain(r))
    smtp_pw = pw_human(r, "!#%*-_.+@")
    acct = r.choice(["invoicearchive", "scanstore01"])
    akey = azure_account_key(r)
    return "InvoiceMailer/Program.cs", _fill(r'''
using System;
using System.Data.SqlClient;
using System.IO;
using System.Net;
using System.Net.Mail;
using Azure.Storage.Blobs;

namespace InvoiceMailer
{
    internal class Program
    {
        const string ConnStr = "Server=«host»;Database=Billing;User Id=billing_job;Password=«db_pw»;Encrypt=False";
        const string BlobConn = "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«akey»;EndpointSuffix=core.windows.net";

        static void Main(string[] args)
        {
            var container = new BlobContainerClient(BlobConn, "invoices");
            using var db = new SqlConnection(ConnStr);
            db.Open();
            var cmd = new SqlCommand("SELECT Id, CustomerEmail, BlobName FROM Invoices WHERE Sent = 0", db);
            using var reader = cmd.ExecuteReader();

            using var smtp = new SmtpClient("smtp.office365.com", 587)
            {
                EnableSsl = true,
                Credentials = new NetworkCredential("«smtp_user»", "«smtp_pw»")
            };

            while (reader.Read())
            {
                var blob = container.GetBlobClient(reader.GetString(2));
                var ms = new MemoryStream();
                blob.DownloadTo(ms);
                ms.Position = 0;

                var mail = new MailMessage("«smtp_user»", reader.GetString(1))
                {
                    Subject = "Your invoice",
                    Body = "Please find your invoice attached."
                };
                mail.Attachments.Add(new Attachment(ms, reader.GetString(2)));
                smtp.Send(mail);
                Console.WriteLine($"sent invoice {reader.GetInt32(0)}");
            }
        }
    }
}
''', host=I(host), db_pw=P(db_pw), acct=acct, akey=K(akey), smtp_user=E(smtp_user),
                                             smtp_pw=P(smtp_pw))


def d_laravel_services(r):
    mg = mailgun(r)
    ses_k, ses_s = aws_akid(r), aws_secret(r)
    sk = stripe_sk(r)
    gh_secret = hexs(r, 40)
    return "config/services.php", _fill(r'''
<?php

return [

    /*
    |--------------------------------------------------------------------------
    | Third Party Services
    |--------------------------------------------------------------------------
    |
    | This file is for storing the credentials for third party services such
    | as Mailgun, Postmark, AWS and more. This file provides the de facto
    | location for this type of information, allowing packages to have
    | a conventional file to locate the various service credentials.
    |
    */

    'mailgun' => [
        'domain' => 'mg.«dom»',
        'secret' => '«mg»',
        'endpoint' => env('MAILGUN_ENDPOINT', 'api.eu.mailgun.net'),
        'scheme' => 'https',
    ],

    'postmark' => [
        'token' => env('POSTMARK_TOKEN'),
    ],

    'ses' => [
        'key' => '«ses_k»',
        'secret' => '«ses_s»',
        'region' => 'eu-west-1',
    ],

    'stripe' => [
        'model' => App\Models\User::class,
        'key' => '«pk»',
        'secret' => '«sk»',
    ],

    'github' => [
        'client_id' => '«gh_id»',
        'client_secret' => '«gh_secret»',
        'redirect' => 'https://«dom»/auth/github/callback',
    ],

];
''', dom=org_domain(r), mg=K(mg), ses_k=K(ses_k), ses_s=K(ses_s), pk=stripe_pk(r), sk=K(sk),
                                        gh_id="Ov23li" + rs(r, 14), gh_secret=K(gh_secret))


def d_pytest_conftest(r):
    users = [email(r, org_domain(r)) for _ in range(3)]
    pws = [pw_human(r), pw_random(r), pw_human(r)]
    return "tests/conftest.py", _fill(r'''
import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import User
from shop.models import Product

ADMIN_EMAIL = "«u0»"
ADMIN_PASSWORD = "«p0»"


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)


@pytest.fixture
def customer(db):
    return User.objects.create_user(
        email="«u1»",
        password="«p1»",
        first_name="Test",
        last_name="Customer",
    )


@pytest.fixture
def inactive_user(db):
    # unusable password: user signed up via SSO only
    return User.objects.create(email="«sso»", password=make_password(None), is_active=False)


@pytest.fixture
def staff_client(client, db):
    User.objects.create_user(email="«u2»", password="«p2»", is_staff=True)
    client.login(email="«u2»", password="«p2»")
    return client


@pytest.fixture
def product(db):
    return Product.objects.create(sku="TSHIRT-M-BLK", name="T-shirt", price_cents=1999)


def test_password_reset_form_renders(client):
    resp = client.get("/accounts/password/reset/")
    assert resp.status_code == 200
    assert b"reset_password_form" in resp.content
''', u0=E(users[0]), p0=P(pws[0]), u1=E(users[1]), p1=P(pws[1]), sso=E("sso-only@" + users[2].split("@")[1]),
                                      u2=E(users[2]), p2=P(pws[2]))


# =============================================================================================
# more services, scripts and keys
# =============================================================================================


def d_go_config_toml(r):
    db_pw = pw(r)
    redis = ipv4(r)
    secret = rs(r, 64, B64URL)
    smtp_user = email(r, org_domain(r))
    smtp_pw = pw_random(r)
    return "configs/config.prod.toml", _fill(r'''
# linkshort production config

[server]
addr = ":8080"
read_timeout = "5s"
write_timeout = "10s"
base_url = "https://«dom»"

[database]
driver = "mysql"
dsn = "linkshort:«db_pw»@tcp(db.internal:3306)/linkshort?parseTime=true&loc=UTC"
max_open_conns = 50
max_idle_conns = 10

[redis]
addr = "«redis»:6379"
password = ""
db = 0

[jwt]
secret = "«secret»"
ttl = "720h"

[smtp]
host = "smtp.zoho.com"
port = 465
username = "«smtp_user»"
password = "«smtp_pw»"
from = "«smtp_user»"

[ratelimit]
requests_per_minute = 120
burst = 40

[log]
level = "info"
format = "json"
''', dom=smtp_user.split("@")[1], db_pw=P(db_pw), redis=I(redis), secret=K(secret),
                                              smtp_user=E(smtp_user), smtp_pw=P(smtp_pw))


def d_celery_config(r):
    host = ipv4(r)
    rpw = pw(r, SYM_URL)
    return "proj/celeryconfig.py", _fill(r'''
"""Celery configuration (imported by proj.celery via app.config_from_object)."""
from datetime import timedelta

from kombu import Exchange, Queue

broker_url = "redis://:«rpw»@«host»:6379/0"
result_backend = "redis://:«rpw»@«host»:6379/1"

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
timezone = "Europe/Warsaw"
enable_utc = True

task_acks_late = True
worker_prefetch_multiplier = 1
task_time_limit = 600
task_soft_time_limit = 540
broker_transport_options = {"visibility_timeout": 3600}

task_queues = (
    Queue("default", Exchange("default"), routing_key="default"),
    Queue("emails", Exchange("emails"), routing_key="emails"),
    Queue("reports", Exchange("reports"), routing_key="reports"),
)
task_default_queue = "default"

task_routes = {
    "proj.tasks.send_email": {"queue": "emails"},
    "proj.tasks.build_report": {"queue": "reports"},
}

beat_schedule = {
    "cleanup-expired-sessions": {
        "task": "proj.tasks.cleanup_sessions",
        "schedule": timedelta(hours=6),
    },
    "nightly-report": {
        "task": "proj.tasks.build_report",
        "schedule": timedelta(days=1),
        "args": ("daily",),
    },
}
''', rpw=P(rpw), host=I(host))


def d_kafka_properties(r):
    b = [ipv4(r), ipv4(r)]
    sasl_pw = pw(r, "!#%*-_.+@")
    ts_pw = pw_random(r, 12, "-_.")
    key_pw = pw_human(r)
    return "config/client-ssl.properties", _fill(r'''
# Kafka client configuration for the orders consumer (prod)
bootstrap.servers=«b0»:9093,«b1»:9093
group.id=orders-consumer-prod
client.id=orders-consumer
auto.offset.reset=earliest
enable.auto.commit=false
max.poll.records=500
session.timeout.ms=45000

security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
    username="orders-consumer" \
    password="«sasl_pw»";

ssl.truststore.location=/etc/kafka/secrets/kafka.client.truststore.jks
ssl.truststore.password=«ts_pw»
ssl.keystore.location=/etc/kafka/secrets/kafka.client.keystore.jks
ssl.keystore.password=«ts_pw»
ssl.key.password=«key_pw»
ssl.endpoint.identification.algorithm=https

key.deserializer=org.apache.kafka.common.serialization.StringDeserializer
value.deserializer=io.confluent.kafka.serializers.KafkaAvroDeserializer
schema.registry.url=https://schema-registry.internal:8081
''', b0=I(b[0]), b1=I(b[1]), sasl_pw=P(sasl_pw), ts_pw=P(ts_pw), key_pw=P(key_pw))


def d_gcp_service_account(r):
    proj = r.choice(["invoice-ocr-prod", "analytics-pipeline-381214", "chatbot-dev-4821"])
    sa = f"{r.choice(['github-deployer', 'bq-loader', 'vision-api'])}@{proj}.iam.gserviceaccount.com"
    key = pem(r, "PRIVATE KEY", sep="\\n")
    cid = str(r.randint(10**20, 10**21 - 1))
    return "credentials/service-account.json", _fill(r'''
{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key": "«key»\n",
  "client_email": "«sa»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/«sa_enc»",
  "universe_domain": "googleapis.com"
}
''', proj=proj, key=K(key), sa=E(sa), cid=cid, sa_enc=E(sa.replace("@", "%40")))


def d_ssh_access_doc(r):
    bastion = ipv4(r)
    inner = priv_ip(r)
    key = pem(r, "OPENSSH PRIVATE KEY")
    pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(r, 43, B64) + " deploy@ci"
    return "ops/bastion-access.md", _fill(r'''
# Bastion access for CI

The deploy job reaches the app servers through the bastion. Add this to
`~/.ssh/config` on the runner:

```
Host bastion
    HostName «bastion»
    User deploy
    IdentityFile ~/.ssh/deploy_ed25519

Host app-*
    ProxyJump bastion
    User deploy

Host app-1
    HostName «inner»
```

Public key (already in `authorized_keys` on the bastion):

```
«pub»
```

Private key for the runner (TEMPORARY - move to the CI secret store!):

```
«key»
```

Test with `ssh -J deploy@«bastion» deploy@«inner» uptime`.
''', bastion=I(bastion), inner=inner, pub=pub, key=K(key))


def d_rails_seeds(r):
    admin = email(r, org_domain(r))
    apw = pw_human(r)
    demo = email(r)
    dpw = pw_random(r)
    return "db/seeds.rb", _fill(r'''
# This file should ensure the existence of records required to run the application in every environment (production,
# development, test). The code here should be idempotent so that it can be executed at any point in every environment.
# The data can then be loaded with the bin/rails db:seed command (or created alongside the database with db:setup).

puts "Seeding roles..."
%w[admin editor viewer].each { |name| Role.find_or_create_by!(name: name) }

puts "Seeding admin..."
User.find_or_create_by!(email: "«admin»") do |user|
  user.name = "Administrator"
  user.password = "«apw»"
  user.password_confirmation = "«apw»"
  user.role = Role.find_by!(name: "admin")
  user.confirmed_at = Time.current
end

if Rails.env.development? || ENV["SEED_DEMO"]
  puts "Seeding demo account..."
  User.find_or_create_by!(email: "«demo»") do |user|
    user.name = "Demo User"
    user.password = "«dpw»"
    user.password_confirmation = "«dpw»"
    user.role = Role.find_by!(name: "viewer")
  end

  20.times do |i|
    Article.find_or_create_by!(slug: "sample-#{i}") do |a|
      a.title = "Sample article #{i}"
      a.body = Faker::Lorem.paragraphs(number: 4).join("\n\n")
      a.author = User.first
    end
  end
end

puts "Done."
''', admin=E(admin), apw=P(apw), demo=E(demo), dpw=P(dpw))


def d_playwright_test(r):
    user = email(r, org_domain(r))
    upw = pw_human(r, "!#%*-_.+@")
    api = rs(r, 40)
    return "e2e/checkout.spec.ts", _fill(r'''
import { test, expect, request } from '@playwright/test';

const USER = {
  email: '«user»',
  password: '«upw»',
};

const ADMIN_API_KEY = '«api»';

test.beforeAll(async () => {
  const ctx = await request.newContext({
    baseURL: process.env.BASE_URL ?? 'http://localhost:3000',
    extraHTTPHeaders: { 'x-admin-key': ADMIN_API_KEY },
  });
  await ctx.post('/api/test/reset-cart', { data: { email: USER.email } });
});

test.describe('checkout', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('My account')).toBeVisible();
  });

  test('can buy a single item', async ({ page }) => {
    await page.goto('/products/classic-tee');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto('/cart');
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.getByPlaceholder('Card number').fill('4242 4242 4242 4242');
    await page.getByPlaceholder('MM / YY').fill('12 / 34');
    await page.getByPlaceholder('CVC').fill('123');
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect(page).toHaveURL(/\/orders\/\d+/);
  });

  test('shows error on wrong password', async ({ page }) => {
    await page.goto('/logout');
    await page.goto('/login');
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password').fill('********');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Invalid email or password')).toBeVisible();
  });
});
''', user=E(user), upw=P(upw), api=K(api))


def d_shop_sync(r):
    shop = shopify(r)
    sq = square(r)
    mc = mailchimp(r)
    notify = email(r, org_domain(r))
    return "scripts/sync_inventory.py", _fill(r'''
"""Keep Square POS stock and the Shopify store in sync; add new customers to Mailchimp."""
import logging

import mailchimp_marketing as MailchimpMarketing
import requests
from square.client import Client

SHOP = "«store».myshopify.com"
SHOPIFY_TOKEN = "«shop»"
SQUARE_ACCESS_TOKEN = "«sq»"
SQUARE_LOCATION_ID = "L«loc»"
MAILCHIMP_KEY = "«mc»"
MAILCHIMP_LIST = "«mclist»"
REPORT_TO = "«notify»"

log = logging.getLogger(__name__)
square = Client(access_token=SQUARE_ACCESS_TOKEN, environment="production")
mc = MailchimpMarketing.Client()
mc.set_config({"api_key": MAILCHIMP_KEY, "server": MAILCHIMP_KEY.split("-")[1]})


def shopify(method, path, **kw):
    url = f"https://{SHOP}/admin/api/2024-01/{path}"
    resp = requests.request(method, url, headers={"X-Shopify-Access-Token": SHOPIFY_TOKEN}, timeout=30, **kw)
    resp.raise_for_status()
    return resp.json()


def sync_stock():
    counts = square.inventory.batch_retrieve_inventory_counts(body={"location_ids": [SQUARE_LOCATION_ID]})
    for c in counts.body.get("counts", []):
        sku = c["catalog_object_id"]
        qty = int(float(c["quantity"]))
        shopify("POST", "inventory_levels/set.json",
                json={"location_id": 1, "inventory_item_id": sku, "available": qty})


def sync_customers():
    for cust in shopify("GET", "customers.json?limit=250")["customers"]:
        if cust.get("accepts_marketing"):
            mc.lists.set_list_member(MAILCHIMP_LIST, cust["email"].lower(),
                                     {"email_address": cust["email"], "status_if_new": "subscribed"})


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sync_stock()
    sync_customers()
    log.info("sync done, report to %s", REPORT_TO)
''', store=r.choice(["tidewater-goods", "zestcart", "panda-retail"]), shop=K(shop), sq=K(sq),
                                             loc=rs(r, 12, UP + DIG), mc=K(mc), mclist=hexs(r, 10),
                                             notify=E(notify))


def d_datadog_yaml(r):
    api = hexs(r, 32)
    app = hexs(r, 40)
    db_pw = pw(r)
    return "datadog/datadog.yaml", _fill(r'''
#########################
## Basic Configuration ##
#########################

## @param api_key - string - required
## The Datadog API key to associate your Agent's data with your organization.
api_key: «api»

## @param app_key - string - optional
app_key: «app»

## @param site - string - optional - default: datadoghq.com
site: datadoghq.eu

hostname: web-prod-03
tags:
  - env:prod
  - team:platform
  - service:storefront

logs_enabled: true
logs_config:
  container_collect_all: true

apm_config:
  enabled: true
  env: prod

process_config:
  process_collection:
    enabled: true

## postgres integration (conf.d/postgres.d/conf.yaml inlined by our ansible role)
integrations:
  postgres:
    instances:
      - host: localhost
        port: 5432
        username: datadog
        password: «db_pw»
        dbname: storefront
        collect_activity_metrics: true
''', api=K(api), app=K(app), db_pw=P(db_pw))


def d_anthropic_agent(r):
    ant = anthropic_key(r)
    oa = openai_key(r)
    tav = "tvly-" + rs(r, 32)
    return "agent/llm.py", _fill(r'''
"""Thin wrapper so the agent can switch between providers."""
from __future__ import annotations

import os
from dataclasses import dataclass

import anthropic
import openai

# local dev keys - DO NOT COMMIT (oops)
ANTHROPIC_API_KEY = "«ant»"
OPENAI_API_KEY = os.getenv("OPENAI_API_KEY", "«oa»")
TAVILY_API_KEY = "«tav»"


@dataclass
class Reply:
    text: str
    input_tokens: int
    output_tokens: int


class LLM:
    def __init__(self, provider: str = "anthropic", model: str | None = None):
        self.provider = provider
        if provider == "anthropic":
            self.client = anthropic.Anthropic(api_key=ANTHROPIC_API_KEY)
            self.model = model or "claude-3-5-sonnet-20240620"
        else:
            self.client = openai.OpenAI(api_key=OPENAI_API_KEY)
            self.model = model or "gpt-4o"

    def chat(self, system: str, messages: list[dict], max_tokens: int = 1024) -> Reply:
        if self.provider == "anthropic":
            msg = self.client.messages.create(model=self.model, system=system, messages=messages,
                                              max_tokens=max_tokens)
            return Reply(msg.content[0].text, msg.usage.input_tokens, msg.usage.output_tokens)
        resp = self.client.chat.completions.create(
            model=self.model, max_tokens=max_tokens,
            messages=[{"role": "system", "content": system}, *messages])
        u = resp.usage
        return Reply(resp.choices[0].message.content, u.prompt_tokens, u.completion_tokens)
''', ant=K(ant), oa=K(oa), tav=K(tav))


def d_makefile(r):
    vault = vault_tok(r)
    dpat = docker_pat(r)
    host = ipv4(r)
    return "Makefile", _fill(r'''
.PHONY: build push deploy secrets lint test

IMAGE      ?= «org»/ledger-api
TAG        ?= $(shell git rev-parse --short HEAD)
VAULT_ADDR ?= https://vault.«dom»:8200
VAULT_TOKEN = «vault»
PROD_HOST  ?= «host»

export VAULT_ADDR VAULT_TOKEN

build:
	docker build -t $(IMAGE):$(TAG) .

push: build
	echo «dpat» | docker login -u «org» --password-stdin
	docker push $(IMAGE):$(TAG)

secrets:
	vault kv get -format=json secret/ledger/prod | jq -r '.data.data | to_entries[] | "\(.key)=\(.value)"' > .env.prod

deploy: push secrets
	scp .env.prod deploy@$(PROD_HOST):/srv/ledger/.env
	ssh deploy@$(PROD_HOST) 'cd /srv/ledger && TAG=$(TAG) docker compose up -d'

lint:
	golangci-lint run ./...

test:
	go test -race -count=1 ./...
''', org=r.choice(["ledgerly", "orbitpay"]), dom=org_domain(r), vault=K(vault), host=I(host),
                             dpat=K(dpat))


def d_release_script(r):
    lin = linear_key(r)
    air = airtable(r)
    gsa = grafana_sa(r)
    pm = postman_key(r)
    return "tools/release-notes.mjs", _fill(r'''
#!/usr/bin/env node
// Collects the issues closed since the last tag, writes release notes, logs the release
// in Airtable and drops a Grafana annotation.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const LINEAR_API_KEY = '«lin»';
const AIRTABLE_TOKEN = '«air»';
const AIRTABLE_BASE = 'app«base»';
const GRAFANA_URL = 'https://grafana.«dom»';
const GRAFANA_TOKEN = '«gsa»';
const POSTMAN_API_KEY = '«pm»';

const lastTag = execSync('git describe --tags --abbrev=0').toString().trim();
const since = execSync(`git log -1 --format=%cI ${lastTag}`).toString().trim();

async function linear(query, variables) {
  const res = await fetch('https://api.linear.app/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: LINEAR_API_KEY },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()).data;
}

const { issues } = await linear(
  `query($since: DateTime!) { issues(filter: { completedAt: { gt: $since } }) { nodes { identifier title } } }`,
  { since },
);
const notes = issues.nodes.map((i) => `- ${i.identifier} ${i.title}`).join('\n');
fs.writeFileSync('RELEASE_NOTES.md', `## Changes since ${lastTag}\n\n${notes}\n`);

await fetch(`https://api.airtable.com/v0/${AIRTABLE_BASE}/Releases`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${AIRTABLE_TOKEN}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ fields: { Tag: lastTag, Notes: notes } }),
});

await fetch(`${GRAFANA_URL}/api/annotations`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${GRAFANA_TOKEN}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ text: `release ${lastTag}`, tags: ['release'] }),
});

// keep the public API collection in sync
execSync(`npx newman run ./postman/collection.json --postman-api-key ${POSTMAN_API_KEY}`, { stdio: 'inherit' });
''', lin=K(lin), air=K(air), base=rs(r, 14), dom=org_domain(r), gsa=K(gsa), pm=K(pm))


def d_escaped_passwords(r):
    # passwords written with escapes inside string literals: spanned as written
    raw1 = pw_human(r, "!#%*-_.+@")
    esc1 = raw1[:3] + "\\\\" + raw1[3:]          # Python literal "abc\\def" -> abc\def
    raw2 = pw_random(r, 12, "!#%*-_.+@")
    esc2 = raw2[:5] + '\\"' + raw2[5:]           # a quote escaped inside a JSON string
    host = ipv4(r)
    user = email(r, org_domain(r))
    return "migrate/legacy_import.py", _fill(r'''
"""One-off import of the old Access/MSSQL data into Postgres (2023-09)."""
import json

import psycopg2
import pyodbc

MSSQL = (
    "DRIVER={ODBC Driver 18 for SQL Server};SERVER=«host»;DATABASE=Legacy;"
    "UID=importer;PWD=«esc1»;TrustServerCertificate=yes"
)

PG = psycopg2.connect(host="localhost", dbname="crm", user="crm", password=None)

# the vendor API wants its credentials as a JSON blob
VENDOR_AUTH = json.loads(r'{"user": "«user»", "pass": "«esc2»"}')


def rows(cursor, sql):
    cursor.execute(sql)
    cols = [c[0] for c in cursor.description]
    for r in cursor.fetchall():
        yield dict(zip(cols, r))


def main():
    src = pyodbc.connect(MSSQL)
    cur = src.cursor()
    with PG, PG.cursor() as out:
        for c in rows(cur, "SELECT CustNo, Name, Email, Phone FROM Customers"):
            out.execute(
                "INSERT INTO customers (legacy_id, name, email, phone) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (legacy_id) DO NOTHING",
                (c["CustNo"], c["Name"], c["Email"], c["Phone"]),
            )
    print("imported")


if __name__ == "__main__":
    main()
''', host=I(host), esc1=P(esc1), user=E(user), esc2=P(esc2))


def d_maven_settings(r):
    nexus_pw = pw(r, "!#%*-_.+@")
    deploy_pw = pw_random(r, 16, "-_.!")
    proxy_pw = pw_human(r, "!#%*-_.+@")
    proxy = ipv4(r)
    return ".mvn/settings.xml", _fill(r'''
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">

  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«deploy_pw»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>«deploy_pw»</password>
    </server>
    <server>
      <id>nexus-public</id>
      <username>ci-reader</username>
      <password>«nexus_pw»</password>
    </server>
    <server>
      <id>github</id>
      <username>${env.GITHUB_ACTOR}</username>
      <password>${env.GITHUB_TOKEN}</password>
    </server>
  </servers>

  <proxies>
    <proxy>
      <id>corp-proxy</id>
      <active>true</active>
      <protocol>http</protocol>
      <host>«proxy»</host>
      <port>3128</port>
      <username>svc_maven</username>
      <password>«proxy_pw»</password>
      <nonProxyHosts>localhost|127.0.0.1|*.corp.local</nonProxyHosts>
    </proxy>
  </proxies>

  <mirrors>
    <mirror>
      <id>nexus-public</id>
      <mirrorOf>*</mirrorOf>
      <url>https://nexus.«dom»/repository/maven-public/</url>
    </mirror>
  </mirrors>
</settings>
''', deploy_pw=P(deploy_pw), nexus_pw=P(nexus_pw), proxy=I(proxy), proxy_pw=P(proxy_pw),
                                           dom=org_domain(r))


def d_pgpass(r):
    prod = ipv4(r)
    p1, p2, p3 = pw(r, "!#%*-_.+@"), pw_random(r, 14, "-_.!"), pw_human(r, "!#%*-_.+@")
    return "ops/dotfiles/.pgpass", _fill(r'''
# hostname:port:database:username:password
# chmod 0600 ~/.pgpass or libpq will ignore this file
localhost:5432:*:postgres:«p1»
«prod»:5432:orders:orders_ro:«p2»
«prod»:5432:orders:orders_admin:«p3»
10.12.0.8:6432:*:pgbouncer:«p2»
''', p1=P(p1), prod=I(prod), p2=P(p2), p3=P(p3))


def d_sftp_config(r):
    host = ipv4(r)
    spw = pw(r, "!#%*-_.+@")
    return ".vscode/sftp.json", _fill(r'''
{
    "name": "Production",
    "host": "«host»",
    "protocol": "sftp",
    "port": 22,
    "username": "www-data",
    "password": "«spw»",
    "remotePath": "/var/www/html/shop",
    "uploadOnSave": true,
    "useTempFile": false,
    "openSsh": false,
    "ignore": [
        ".vscode",
        ".git",
        ".DS_Store",
        "node_modules",
        "vendor",
        "storage/logs"
    ],
    "watcher": {
        "files": "**/*.{php,css,js}",
        "autoUpload": true,
        "autoDelete": false
    },
    "profiles": {
        "staging": {
            "host": "192.168.56.20",
            "username": "vagrant",
            "privateKeyPath": "~/.ssh/id_rsa"
        }
    }
}
''', host=I(host), spw=P(spw))


def d_backup_cron(r):
    db = ipv4(r)
    my_pw = pw(r, "!%*-_.+@^")
    pg_pw = pw_random(r, 14, "-_.")
    return "scripts/backup_databases.sh", _fill(r'''
#!/bin/bash
# Nightly dump of the MySQL shop DB and the Postgres analytics DB.
# /etc/cron.d/backup:  15 1 * * * root /opt/scripts/backup_databases.sh
set -e

DATE=$(date +%Y-%m-%d)
DEST=/var/backups/db/$DATE
mkdir -p "$DEST"

# MySQL (shop)
mysqldump -h «db» -u backup -p«my_pw» --single-transaction --routines --triggers shop \
    | gzip > "$DEST/shop.sql.gz"

# Postgres (analytics)
PGPASSWORD='«pg_pw»' pg_dump -h localhost -U analytics -Fc analytics > "$DEST/analytics.dump"

# verify
for f in "$DEST"/*; do
    if [ ! -s "$f" ]; then
        echo "backup $f is empty" | mail -s "Backup FAILED on $(hostname)" root
        exit 1
    fi
done

# keep 10 days
find /var/backups/db -maxdepth 1 -type d -mtime +10 -exec rm -rf {} +

sha256sum "$DEST"/* > "$DEST/SHA256SUMS"
echo "backup ok: $DEST"
''', db=I(db), my_pw=P(my_pw), pg_pw=P(pg_pw))


# =============================================================================================
# hard negatives only
# =============================================================================================


def d_neg_helm_secret_tpl(r):
    return "charts/app/templates/secret.yaml", _fill(r'''
{{- if not .Values.existingSecret }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
type: Opaque
data:
  DATABASE_PASSWORD: {{ .Values.database.password | b64enc | quote }}
  REDIS_PASSWORD: {{ required "redis.password is required" .Values.redis.password | b64enc | quote }}
  SECRET_KEY: {{ .Values.secretKey | default (randAlphaNum 50) | b64enc | quote }}
  {{- if .Values.smtp.enabled }}
  SMTP_PASSWORD: {{ .Values.smtp.password | b64enc | quote }}
  {{- end }}
  {{- range $k, $v := .Values.extraSecrets }}
  {{ $k }}: {{ $v | b64enc | quote }}
  {{- end }}
{{- end }}
---
# values.yaml excerpt, for reference:
#   database:
#     host: 10.0.12.7
#     password: ""          # set via --set database.password=... or existingSecret
#   redis:
#     password: "${REDIS_PASSWORD}"
#   secretKey: <generate with `openssl rand -hex 32`>
#   smtp:
#     enabled: false
#     password: "********"
''')


def d_neg_auth_utils(r):
    return "app/auth/passwords.py", _fill(r'''
"""Password hashing, reset tokens and the CLI helper for creating users."""
import getpass
import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher

_ph = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)

MIN_PASSWORD_LENGTH = 12
RESET_PASSWORD_URL = "/accounts/reset-password/{token}"
PASSWORD_FIELD = "password"
SECRET_KEY = os.environ["APP_SECRET_KEY"]
API_TOKEN = os.getenv("API_TOKEN", "")

# Example stored hashes (from the test fixtures):
#   argon2:  $argon2id$v=19$m=65536,t=3,p=4$«salt»$«hash»
#   bcrypt:  «bcrypt»
#   django:  pbkdf2_sha256$600000$«dsalt»$«dhash»
# Build artefact digest (sha256): «sha»


def get_password_hash(password: str) -> str:
    return _ph.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    try:
        return _ph.verify(hashed, password)
    except Exception:
        return False


def make_reset_token(user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    sig = hmac.new(SECRET_KEY.encode(), f"{user_id}:{token}".encode(), hashlib.sha256).hexdigest()
    return f"{token}.{sig}"


def prompt_new_password() -> str:
    password = getpass.getpass("New password: ")
    confirm = getpass.getpass("Repeat password: ")
    if password != confirm:
        raise SystemExit("passwords do not match")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return password


def create_user_cli(email: str, password: str | None = None) -> dict:
    password = password or os.environ.get("NEW_USER_PASSWORD") or prompt_new_password()
    return {"email": email, "password_hash": get_password_hash(password), "request_id": "«uuid»"}
''', salt=rs(r, 22, B64[:-2]), hash=rs(r, 43, B64[:-2]), bcrypt=bcrypt_hash(r), dsalt=rs(r, 22),
                                            dhash=rs(r, 43, B64[:-1]) + "=", sha=sha256_hex(r), uuid=uuid(r))


def d_neg_netplan(r):
    return "etc/netplan/01-netcfg.yaml", _fill(r'''
# This file describes the network interfaces available on your system
# For more information, see netplan(5).
network:
  version: 2
  renderer: networkd
  ethernets:
    eno1:
      dhcp4: no
      addresses:
        - 192.168.10.21/24
        - 2001:db8:10::21/64
      routes:
        - to: default
          via: 192.168.10.1
      nameservers:
        search: [corp.lan]
        addresses: [8.8.8.8, 1.1.1.1, 2001:4860:4860::8888]
    eno2:
      dhcp4: no
      addresses: [10.50.0.21/16]
      mtu: 9000
    enp3s0:
      dhcp4: yes
      dhcp4-overrides:
        use-dns: false
  vlans:
    vlan100:
      id: 100
      link: eno1
      addresses: [172.20.100.21/24]
    vlan200:
      id: 200
      link: eno1
      addresses: [100.64.12.21/22]
  bridges:
    br0:
      interfaces: [enp3s0]
      addresses: [169.254.10.1/16]
# docs example for the upstream gateway: 203.0.113.1 / 198.51.100.7
# multicast group for the video wall: 239.255.0.1, netmask 255.255.255.0
# SNMP OID for ifInOctets: 1.3.6.1.2.1.2.2.1.10
# firmware 4.2.10.3 on the switch; kernel 5.15.0.91
''')


def d_neg_package_lock(r):
    deps = ["lodash", "debug", "ms", "ansi-styles", "chalk", "supports-color", "has-flag"]
    blocks = []
    for d in deps:
        v = pkg_ver(r)
        integ = base64.b64encode(bytes(r.getrandbits(8) for _ in range(64))).decode()
        blocks.append(f'''    "node_modules/{d}": {{
      "version": "{v}",
      "resolved": "https://registry.npmjs.org/{d}/-/{d}-{v}.tgz",
      "integrity": "sha512-{integ}",
      "dev": {str(r.random() < 0.5).lower()}
    }}''')
    return "package-lock.json", _fill(r'''
{
  "name": "scheduler",
  "version": "1.4.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "scheduler",
      "version": "1.4.0",
      "license": "MIT",
      "dependencies": {
        "chalk": "^4.1.2",
        "debug": "^4.3.4",
        "lodash": "^4.17.21"
      }
    },
«blocks»
  }
}
''', blocks=",\n".join(blocks))


def d_neg_i18n(r):
    return "src/locales/de.json", _fill(r'''
{
  "auth": {
    "login": "Anmelden",
    "logout": "Abmelden",
    "email": "E-Mail-Adresse",
    "email_placeholder": "max.mustermann@example.com",
    "password": "Passwort",
    "password_repeat": "Passwort wiederholen",
    "password_hint": "Mindestens 12 Zeichen, davon eine Ziffer",
    "forgot_password": "Passwort vergessen?",
    "reset_password": "Passwort zurücksetzen",
    "reset_password_sent": "Wir haben dir eine E-Mail an {{email}} geschickt.",
    "wrong_password": "E-Mail oder Passwort ist falsch",
    "api_key": "API-Schlüssel",
    "api_key_hint": "Beginnt mit sk_live_… und wird nur einmal angezeigt",
    "token_expired": "Dein Token ist abgelaufen"
  },
  "settings": {
    "title": "Einstellungen",
    "secret": "Geheimnis",
    "masked": "••••••••",
    "copy": "Kopieren",
    "regenerate": "Neu erzeugen"
  },
  "contact": {
    "support": "Schreib uns an support@example.org",
    "mention": "Erwähne @support im Chat"
  }
}
''')


def d_neg_env_example(r):
    return ".env.example", _fill(r'''
# Copy to .env and fill in. Never commit the real .env!
APP_ENV=local
APP_SECRET=<generate with: openssl rand -hex 32>
APP_URL=http://localhost:8000

DB_HOST=127.0.0.1
DB_PORT=5432
DB_USER=app
DB_PASSWORD=
DB_PASSWORD_FILE=/run/secrets/db_password

REDIS_URL=redis://localhost:6379/0

# AWS (the values below are the ones from the AWS docs)
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_KMS_KEY_ARN=arn:aws:kms:eu-west-1:111122223333:key/«kms»

STRIPE_PUBLISHABLE_KEY=pk_test_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_SECRET_KEY=sk_test_your_key_here
OPENAI_API_KEY=sk-...
GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX
RECAPTCHA_SITE_KEY=6Lc«recap»
GOOGLE_OAUTH_CLIENT_ID=«gnum»-«gcid».apps.googleusercontent.com
GOOGLE_OAUTH_CLIENT_SECRET=${GOOGLE_OAUTH_CLIENT_SECRET}

SMTP_HOST=smtp.mailtrap.io
SMTP_USER=your-username
SMTP_PASSWORD=your-password-here
MAIL_FROM=noreply@example.com

ADMIN_PASSWORD=${ADMIN_PASSWORD:?set me}
SESSION_ID=«uuid»
# authorized deploy key (public):
DEPLOY_PUBKEY="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ«pub» deploy@ci"
''', kms=uuid(r), recap=rs(r, 37, B64URL), gnum=r.randint(10**11, 10**12 - 1), gcid=rs(r, 32, LO + DIG),
                                 uuid=uuid(r), pub=rs(r, 60, B64))


# =============================================================================================
# assembly and self-check
# =============================================================================================

_DOCS = [fn for name, fn in list(globals().items()) if name.startswith("d_") and callable(fn)]

KINDS = ("email", "ip_address", "key", "password")


def testset17_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS, 1):
        r = random.Random(f"testset17:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t17-{i:02d}/{path}", marked))
    return docs


_RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "example.edu")
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost", ".local")


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset17_documents(seed)
    names = [d.name for d in docs]
    assert len(set(names)) == len(names), "duplicate document names"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left in text"
        assert "«" not in d.text and "»" not in d.text, f"{d.name}: template slot left in text"
        spans = sorted(d.spans, key=lambda s: (s[1], s[2]))
        prev_end = 0
        for kind, s, e in spans:
            assert kind in KINDS, f"{d.name}: bad kind {kind}"
            assert 0 <= s < e <= len(d.text), f"{d.name}: span out of range"
            v = d.text[s:e]
            assert v == v.strip(), f"{d.name}: span with surrounding whitespace {v!r}"
            assert s >= prev_end, f"{d.name}: overlapping spans at {s}"
            prev_end = e
            if kind == "ip_address":
                assert _public(v), f"{d.name}: planted IP {v} is not public"
            if kind == "email":
                addr = v.replace("%40", "@")  # a URL-encoded address is labelled as written
                assert "@" in addr, f"{d.name}: bad email {v}"
                dom = addr.rsplit("@", 1)[1].lower()
                assert "." in dom, f"{d.name}: bad email {v}"
                assert not any(dom == x or dom.endswith("." + x) for x in _RESERVED_DOMAINS), v
                assert not dom.endswith(_RESERVED_TLDS), f"{d.name}: reserved domain in {v}"
        # every repeat of a planted value inside the document is itself labelled
        for kind, s, e in spans:
            v = d.text[s:e]
            i = d.text.find(v)
            while i != -1:
                j = i + len(v)
                assert any(ss <= i and j <= ee for _, ss, ee in spans), \
                    f"{d.name}: unlabelled repeat of {kind} {v[:40]!r} at {i}"
                i = d.text.find(v, i + 1)
    return docs


if __name__ == "__main__":
    docs = _check()
    counts = {k: 0 for k in KINDS}
    for d in docs:
        for kind, _, _ in d.spans:
            counts[kind] += 1
    lines = [d.text.count("\n") + 1 for d in docs]
    neg_only = sum(1 for d in docs if not d.spans)
    print(f"documents: {len(docs)} ({neg_only} with hard negatives only), "
          f"lines {min(lines)}-{max(lines)}")
    print(f"spans: {sum(counts.values())}")
    for k in KINDS:
        print(f"  {k:<11} {counts[k]}")
    if "-v" in sys.argv:
        for d in docs:
            c = {k: sum(1 for s in d.spans if s[0] == k) for k in KINDS}
            print(f"{d.name:<60} {d.text.count(chr(10)) + 1:>4} lines  " +
                  " ".join(f"{k[:2]}={v}" for k, v in c.items()))
