r"""Blind labelled test set 19 for the PII/secret scrubber.

A sample of files as a developer would find them by searching GitHub for leaked credentials in
permissively licensed repositories: web backends (Django, Rails, Laravel, Spring, Express/Nest,
ASP.NET, Go, Flask, FastAPI, PHP), mobile apps (Android, iOS, Flutter), data and ML scripts
(notebooks, Airflow, dbt, Spark, pandas), DevOps files (GitHub Actions, GitLab CI, Jenkins,
Kubernetes, Helm, Terraform, Ansible, Vagrant, docker-compose, shell, PowerShell), embedded
sketches (Arduino/ESP32, Raspberry Pi, MicroPython, ESPHome), chat bots (Discord, Telegram, Slack)
and miscellany (Postman collections, .npmrc/.pypirc/.netrc, SQL dumps and migrations, LDAP and
mail server configs, changelogs, READMEs, mailing-list archives, CONTRIBUTORS files, access logs).
Each document imitates one real-looking file with its credentials where a developer would really
hard-code them, plus hard negatives (things that look like secrets but are not, per the policy);
a few documents hold hard negatives only.  Written blind: without reading the scrubber or the
other sets.

Planted spans are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records (kind, start, end).  Every value is drawn from a ``random.Random`` seeded from the seed
and the document's name, so the set is deterministic for a seed.

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
import urllib.parse
import uuid

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1919

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LO + DIG
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64U = ALNUM + "-_"


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


def _fill(tpl: str, **kw) -> str:
    """Replace «name» placeholders (no brace escaping needed in JSON/HCL/Go templates)."""
    def sub(m):
        return str(kw[m.group(1)])
    out = re.sub(r"«(\w+)»", sub, tpl)
    assert "«" not in out and "»" not in out, tpl[:60]
    return out.lstrip("\n")


def _s(r: random.Random, n: int, alpha: str = ALNUM) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


# ---------------------------------------------------------------------------------------------
# people and mailboxes

FIRST = ["james", "maria", "wei", "priya", "olga", "kofi", "lucas", "sofia", "ahmed", "yuki",
         "liam", "emma", "noah", "aisha", "mateo", "chloe", "ivan", "fatima", "diego", "hannah",
         "ravi", "elena", "tomas", "grace", "omar", "ingrid", "kenji", "zoe", "pablo", "nadia",
         "felix", "amara", "jonas", "mei", "arjun", "lena", "samuel", "rosa", "erik", "leila"]
LAST = ["okafor", "nguyen", "schmidt", "kowalski", "fernandes", "tanaka", "oconnor", "haddad",
        "lindqvist", "moreau", "petrov", "castillo", "brennan", "sato", "mensah", "varga",
        "dubois", "rossi", "novak", "ahmadi", "jensen", "silva", "kim", "murphy", "weber",
        "almeida", "takahashi", "kaur", "horvath", "mueller", "ortega", "banerjee", "lund"]
FREEMAIL = ["gmail.com", "outlook.com", "yahoo.com", "protonmail.com", "fastmail.com",
            "icloud.com", "hotmail.co.uk", "gmx.de", "web.de", "mail.ru", "yandex.ru", "qq.com",
            "naver.com", "live.com", "aol.com", "zoho.com", "hey.com", "pm.me", "laposte.net"]
ORGS = ["tallgrass.io", "quillfeather.dev", "harbourline.co.uk", "oakridge-analytics.com",
        "mercuryfin.com", "brightpath.app", "nordlicht-software.de", "kestrelsoft.com",
        "bluefjord.no", "lumenworks.ca", "pinecrest.edu", "redmaple.com.au", "saltmarsh.ie",
        "veloxa.com.br", "tidewater.ai", "copperleaf.tech", "stonebridge-it.nl", "arcadia-labs.fr",
        "greenhollow.org", "sakura-systems.jp", "vantagepoint.in", "ironbark.co.nz",
        "meridian-health.us", "polaris-robotics.eu", "driftwood.studio", "cinderblock.games"]


def name(r: random.Random) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def email(r: random.Random, dom: str | None = None, who: tuple[str, str] | None = None,
          style: int | None = None) -> str:
    f, l = who or name(r)
    dom = dom or (r.choice(FREEMAIL) if r.random() < 0.45 else r.choice(ORGS))
    style = r.randrange(7) if style is None else style
    local = [f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}", f"{f}{r.randint(1, 99)}", f"{f}",
             f"{f}.{l}+{r.choice(['github', 'dev', 'ci', 'lists', 'npm'])}", f"{l}.{f[0]}"][style]
    return f"{local}@{dom}"


def org(r: random.Random) -> str:
    return r.choice(ORGS)


# ---------------------------------------------------------------------------------------------
# addresses

RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
             "208.67.222.222", "208.67.220.220", "64.6.64.6", "64.6.65.6", "4.2.2.2", "4.2.2.1",
             "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
             "2606:4700:4700::1001"}
DOC_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]


def is_public(a: str) -> bool:
    ip = ipaddress.ip_address(a)
    return (ip.is_global and not ip.is_multicast and not ip.is_reserved
            and not any(ip in n for n in DOC_NETS) and a not in RESOLVERS
            and not (ip.version == 4 and (ip.packed[3] in (0, 255))))


def ipv4(r: random.Random) -> str:
    while True:
        a = f"{r.randint(2, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
        if is_public(a):
            return a


V6_PREFIXES = ["2a01:4f8", "2a03:b0c0", "2600:1f18", "2a00:1450", "2001:41d0", "2604:a880",
               "2a05:d014", "2406:da18", "2a02:c207", "2600:3c03", "2a0e:97c0", "2001:19f0"]


def ipv6(r: random.Random) -> str:
    while True:
        parts = r.choice(V6_PREFIXES).split(":")
        parts += [f"{r.randint(0, 0xffff):x}" for _ in range(2)]
        parts += ["0", "0"] if r.random() < 0.6 else [f"{r.randint(0, 0xfff):x}", "0"]
        parts += [f"{r.randint(1, 0xffff):x}", f"{r.randint(1, 0xffff):x}"]
        a = str(ipaddress.IPv6Address(":".join(parts)))
        if is_public(a):
            return a


def priv4(r: random.Random) -> str:
    return r.choice([
        lambda: f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
        lambda: f"192.168.{r.randint(0, 254)}.{r.randint(2, 250)}",
        lambda: f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
    ])()


def doc4(r: random.Random) -> str:
    return r.choice(["192.0.2", "198.51.100", "203.0.113"]) + f".{r.randint(1, 254)}"


def cgnat(r: random.Random) -> str:
    return f"100.{r.randint(64, 127)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


# ---------------------------------------------------------------------------------------------
# passwords

STEMS = ["Summer", "Winter", "Falcon", "Tigger", "Bluebird", "Mango", "Rocket", "Kestrel",
         "Moonlight", "Pumpkin", "Dragon", "Sunshine", "Maverick", "Coffee", "Pepper", "Orion",
         "Nimbus", "Cobalt", "Juniper", "Phoenix", "Marlin", "Gecko", "Saturn", "Willow",
         "Harbor", "Biscuit", "Tundra", "Copper", "Lantern", "Raven", "Zephyr", "Hunter"]
LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1"})


def pw_h(r: random.Random, syms: str = "!*%?&") -> str:
    """A human-made password: words with digits and symbols."""
    a, b = r.sample(STEMS, 2)
    y = str(r.choice([r.randint(2015, 2025), r.randint(1, 99), r.randint(100, 9999)]))
    s = r.choice(syms) if syms else ""
    return r.choice([
        f"{a}{y}{s}", f"{a.lower()}{y}{b.lower()}", f"{a}{s}{y}", f"{a[0]}{a[1:].translate(LEET)}{y}{s}",
        f"{a}{s}{b}{r.randint(1, 9)}", f"{a.lower()}{r.randint(10, 99)}{s}", f"{a}{b}{y}",
        f"{b.lower()}{s}{a.lower()}{r.randint(1, 99)}",
    ])


def pw_r(r: random.Random, n: int | None = None, syms: str = "!%*-_+=?") -> str:
    """A random password nobody would type but that sits in a password slot."""
    n = n or r.randint(10, 20)
    alpha = ALNUM + syms
    while True:
        v = _s(r, n, alpha)
        if (any(c.isdigit() for c in v) and any(c.isupper() for c in v)
                and any(c.islower() for c in v) and v[0].isalnum()):
            return v


def pw(r: random.Random, syms: str = "!*%?&") -> str:
    return pw_h(r, syms) if r.random() < 0.6 else pw_r(r, syms=syms.replace("&", "") + "-_")


def pw_gapp(r: random.Random) -> str:
    """A Google app password as shown in the UI: four groups of four letters."""
    return " ".join(_s(r, 4, LO) for _ in range(4))


# ---------------------------------------------------------------------------------------------
# provider tokens

def aws_id(r): return r.choice(["AKIA", "AKIA", "AKIA", "ASIA"]) + _s(r, 16, UP + "234567")
def aws_secret(r): return _s(r, 40, B64)
def ghp(r, p="ghp_"): return p + _s(r, 36)
def gh_pat(r): return "github_pat_11" + _s(r, 20, UP + DIG) + "_" + _s(r, 59)
def glpat(r): return "glpat-" + _s(r, 20, B64U)
def xoxb(r): return f"xoxb-{_s(r, 12, DIG)}-{_s(r, 13, DIG)}-{_s(r, 24)}"
def xoxp(r): return f"xoxp-{_s(r, 12, DIG)}-{_s(r, 12, DIG)}-{_s(r, 13, DIG)}-{_s(r, 32, HEX)}"
def xapp(r): return f"xapp-1-A{_s(r, 10, UP + DIG)}-{_s(r, 13, DIG)}-{_s(r, 64, HEX)}"
def slack_hook(r): return f"T{_s(r, 8, UP + DIG)}/B{_s(r, 10, UP + DIG)}/{_s(r, 24)}"
def sk_live(r, p="sk_live_"): return p + _s(r, r.choice([24, 99]))
def whsec(r): return "whsec_" + _s(r, 32)
def sendgrid(r): return "SG." + _s(r, 22, B64U) + "." + _s(r, 43, B64U)
def twilio_sk(r): return "SK" + _s(r, 32, HEX)
def hexs(r, n=32): return _s(r, n, HEX)
def mailgun(r): return "key-" + hexs(r)
def npm(r): return "npm_" + _s(r, 36)
def pypi(r): return "pypi-AgEIcHlwaS5vcmc" + _s(r, r.randint(150, 170), B64U)
def openai_legacy(r): return "sk-" + _s(r, 20) + "T3BlbkFJ" + _s(r, 20)
def openai_proj(r): return "sk-proj-" + _s(r, 74, B64U) + "T3BlbkFJ" + _s(r, 74, B64U)
def anthropic(r): return "sk-ant-api03-" + _s(r, 93, B64U) + "AA"
def hf(r): return "hf_" + _s(r, 34, UP + LO)
def aiza(r): return "AIza" + _s(r, 35, B64U)
def shpat(r, p="shpat_"): return p + hexs(r)
def square(r): return "EAAA" + _s(r, 60, B64U)
def do_token(r): return "dop_v1_" + hexs(r, 64)
def heroku(r): return "HRKU-AA" + _s(r, 58, B64U)
def sonar(r): return "squ_" + hexs(r, 40)
def postman(r): return f"PMAK-{hexs(r, 24)}-{hexs(r, 34)}"
def cf_token(r): return _s(r, 40, B64U)
def azure_key(r): return _s(r, 86, B64) + "=="
def b64key(r, nbytes=32): return base64.b64encode(r.randbytes(nbytes)).decode()
def wg_key(r): return base64.b64encode(r.randbytes(32)).decode()
def gen(r, n=32, alpha=ALNUM): return _s(r, n, alpha)


def telegram(r):
    return f"{r.randint(100000000, 7999999999)}:AA{_s(r, 33, B64U)}"


def discord(r):
    uid = str(r.randint(10**17 * 7, 10**18 + 2 * 10**17))
    first = base64.b64encode(uid.encode()).decode().rstrip("=")
    return f"{first}.{_s(r, 6, B64U)}.{_s(r, 38, B64U)}"


def _b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt(r, payload: dict | None = None, alg: str = "HS256") -> str:
    head = _b64u(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = payload or {"sub": str(r.randint(1000, 99999)), "name": " ".join(name(r)).title(),
                          "iat": r.randint(1600000000, 1730000000)}
    body = _b64u(json.dumps(payload, separators=(",", ":")).encode())
    sig = _b64u(r.randbytes(32 if alg.startswith("HS") else 256))
    return f"{head}.{body}.{sig}"


_PEM = {
    "RSA PRIVATE KEY": ("MIIEpAIBAAKCAQEA", 25),
    "PRIVATE KEY": ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 26),
    "EC PRIVATE KEY": ("MHcCAQEEI", 3),
    "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
                            "QyNTUxOQAAACD", 6),
}


def pem(r, kind: str = "RSA PRIVATE KEY", nl: str = "\n") -> str:
    start, nlines = _PEM[kind]
    body = start + _s(r, 64 * nlines - len(start) + r.randint(8, 40), B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    if len(lines[-1]) < 64 and kind != "OPENSSH PRIVATE KEY":
        lines[-1] = lines[-1][:-1] + "="
    return nl.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


# ---------------------------------------------------------------------------------------------
# negatives

def uid(r) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def sha(r, n=64) -> str:
    return hexs(r, n)


def bcrypt(r) -> str:
    return f"$2b$12${_s(r, 53, ALNUM + './')}"


def ver(r) -> str:
    return f"{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 20)}"


def ssh_pub(r, who: str = "deploy@ci") -> str:
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _s(r, 43, B64) + " " + who



# =============================================================================================
# web backends

def d_django_settings(r):
    dom = org(r)
    mailuser = E(email(r, "gmail.com", style=r.choice([0, 2, 3])))
    pub = I(ipv4(r))
    return "shopfront/shopfront/settings.py", _fill('''
"""
Django settings for shopfront project.

Generated by 'django-admin startproject' using Django 4.2.7.

For more information on this file, see
https://docs.djangoproject.com/en/4.2/topics/settings/
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '«secret»'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = False

ALLOWED_HOSTS = ['shop.«dom»', '«pub»', 'localhost', '127.0.0.1']

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'storages',
    'catalog',
    'orders',
]

ROOT_URLCONF = 'shopfront.urls'
WSGI_APPLICATION = 'shopfront.wsgi.application'

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'shopfront',
        'USER': 'shopfront_app',
        'PASSWORD': '«dbpw»',
        'HOST': '«pub»',
        'PORT': '5432',
    },
    'replica': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'shopfront',
        'USER': 'readonly',
        'PASSWORD': os.environ.get('REPLICA_DB_PASSWORD', ''),
        'HOST': '«priv»',
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
]

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'Europe/Dublin'
USE_TZ = True

STATIC_URL = 'static/'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

# Email
EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp.gmail.com'
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = '«mailuser»'
EMAIL_HOST_PASSWORD = '«mailpw»'
DEFAULT_FROM_EMAIL = 'Shopfront <«mailuser»>'
ADMINS = [('«n1»', '«admin1»'), ('«n2»', '«admin2»')]

# S3 media
AWS_ACCESS_KEY_ID = '«akid»'
AWS_SECRET_ACCESS_KEY = '«asec»'
AWS_STORAGE_BUCKET_NAME = 'shopfront-media'
AWS_S3_REGION_NAME = 'eu-west-1'
''', secret=K("django-insecure-" + _s(r, 50, LO + DIG + "!@#$%^&*(-_=+)")), dom=dom, pub=pub,
        dbpw=P(pw(r)), priv=priv4(r), mailuser=mailuser, mailpw=P(pw_gapp(r)),
        n1="Maria Okafor", admin1=E(email(r, dom, ("maria", "okafor"), 0)),
        n2="Tomas Varga", admin2=E(email(r, dom, ("tomas", "varga"), 1)),
        akid=K(aws_id(r)), asec=K(aws_secret(r)))


def d_rails_database_yml(r):
    return "config/database.yml", _fill('''
# PostgreSQL. Versions 9.3 and up are supported.
#
# Install the pg driver:
#   gem install pg
#
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  timeout: 5000

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
  password: "«stgpw»"
  host: «stghost»
  port: 5432

production:
  <<: *default
  database: bookclub_production
  username: bookclub
  password: <%= ENV["BOOKCLUB_DATABASE_PASSWORD"] %>
  host: «prodhost»
  port: 6432
''', devpw=P(pw_h(r, "")), stgpw=P(pw_r(r, 16)), stghost=I(ipv4(r)), prodhost=priv4(r))


def d_rails_secrets_yml(r):
    return "config/secrets.yml", _fill('''
# Be sure to restart your server when you modify this file.

# Your secret key is used for verifying the integrity of signed cookies.
# If you change this key, all old signed cookies will become invalid!

# Make sure the secret is at least 30 characters and all random,
# no regular words or you'll be exposed to dictionary attacks.
# You can use `rails secret` to generate a secure secret key.

development:
  secret_key_base: «dev»
  stripe_publishable_key: pk_test_«pkt»
  stripe_secret_key: «skt»

test:
  secret_key_base: «test»

# Do not keep production secrets in the unencrypted secrets file.
# Instead, either read values from the environment.
production:
  secret_key_base: «prod»
  stripe_publishable_key: pk_live_«pkl»
  stripe_secret_key: «skl»
  aws:
    access_key_id: «akid»
    secret_access_key: «asec»
    bucket: tickethub-uploads
  mailer_sender: «sender»
''', dev=K(hexs(r, 128)), pkt=_s(r, 24), skt=K(sk_live(r, "sk_test_")), test=K(hexs(r, 128)),
        prod=K(hexs(r, 128)), pkl=_s(r, 24), skl=K(sk_live(r)), akid=K(aws_id(r)),
        asec=K(aws_secret(r)), sender=E("no-reply@" + org(r)))


def d_laravel_env(r):
    dom = org(r)
    return ".env", _fill('''
APP_NAME=Invoicely
APP_ENV=production
APP_KEY=base64:«appkey»
APP_DEBUG=false
APP_URL=https://invoicely.«dom»

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=«dbhost»
DB_PORT=3306
DB_DATABASE=invoicely
DB_USERNAME=invoicely
DB_PASSWORD=«dbpw»

BROADCAST_DRIVER=log
CACHE_DRIVER=redis
FILESYSTEM_DISK=local
QUEUE_CONNECTION=redis
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.mailgun.org
MAIL_PORT=587
MAIL_USERNAME=«mailuser»
MAIL_PASSWORD=«mailpw»
MAIL_ENCRYPTION=tls
MAILGUN_DOMAIN=mg.«dom»
MAILGUN_SECRET=«mgkey»
MAIL_FROM_ADDRESS="billing@«dom»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=
AWS_SECRET_ACCESS_KEY=
AWS_DEFAULT_REGION=us-east-1
AWS_BUCKET=

PUSHER_APP_ID=«pushid»
PUSHER_APP_SECRET=«pushsecret»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=eu

VITE_PUSHER_HOST="${PUSHER_HOST}"
VITE_PUSHER_PORT="${PUSHER_PORT}"
''', appkey=K(b64key(r)), dom=dom, dbhost=I(ipv4(r)), dbpw=P(pw_r(r, 14, "!%*-_+")),
        mailuser=E("postmaster@mg." + dom), mailpw=P(pw_r(r, 18, "")),
        mgkey=K(mailgun(r)), pushid=r.randint(1000000, 1999999), pushsecret=K(hexs(r, 20))).replace(
        "billing@" + dom, E("billing@" + dom))


def d_spring_application_yml(r):
    return "src/main/resources/application-prod.yml", _fill('''
server:
  port: 8443
  ssl:
    enabled: true
    key-store: classpath:keystore.p12
    key-store-password: «kspw»
    key-store-type: PKCS12

spring:
  application:
    name: fleet-tracker
  datasource:
    url: jdbc:mysql://«dbip»:3306/fleet?useSSL=false&serverTimezone=UTC
    username: fleet_svc
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
    password: '«mailpw»'
    properties:
      mail.smtp.auth: true
      mail.smtp.starttls.enable: true
  redis:
    host: «redis»
    port: 6379
    password: ${REDIS_PASSWORD:}

jwt:
  secret: «jwtsecret»
  expiration-ms: 86400000

management:
  endpoints:
    web:
      exposure:
        include: health,info,prometheus

logging:
  level:
    root: INFO
    com.fleettracker: DEBUG
''', kspw=P(pw_h(r, "")), dbip=I(ipv4(r)), dbpw=P(pw_r(r, 18, "!*_-")),
        mailuser=E(email(r, org(r), style=0)), mailpw=P(pw_h(r, "!?#$")), redis=priv4(r),
        jwtsecret=K(b64key(r, 48)))


def d_spring_properties(r):
    return "src/main/resources/application.properties", _fill('''
# ===============================
# = DATA SOURCE
# ===============================
spring.datasource.url=jdbc:postgresql://«db»:5432/library
spring.datasource.username=library
spring.datasource.password=«dbpw»
spring.datasource.driver-class-name=org.postgresql.Driver

# ===============================
# = JPA / HIBERNATE
# ===============================
spring.jpa.show-sql=true
spring.jpa.hibernate.ddl-auto=update
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect

# ===============================
# = RABBITMQ
# ===============================
spring.rabbitmq.host=rabbitmq.«dom»
spring.rabbitmq.port=5672
spring.rabbitmq.username=library
spring.rabbitmq.password=«mqpw»
spring.rabbitmq.virtual-host=/

# ===============================
# = SECURITY
# ===============================
app.security.admin.username=librarian
app.security.admin.password=${ADMIN_PASSWORD}
app.security.password-reset-url=https://library.«dom»/reset-password
app.security.remember-me-key=«remember»

# Actuator
management.endpoint.health.show-details=always
info.app.version=«version»
''', db=I(ipv4(r)), dbpw=P(pw_h(r)), mqpw=P(pw_r(r, 12, "")), dom=org(r),
        remember=K(gen(r, 32)), version=ver(r))


def d_express_config(r):
    return "config/config.js", _fill('''
'use strict';

const path = require('path');

const env = process.env.NODE_ENV || 'development';

const config = {
  development: {
    port: 3000,
    mongoUri: 'mongodb://localhost:27017/marketplace-dev',
    jwtSecret: process.env.JWT_SECRET,
  },
  production: {
    port: process.env.PORT || 8080,
    mongoUri: 'mongodb://marketplace:«mongopw»@«mongo1»:27017,mongo-2.«mongodom»:27017/marketplace?replicaSet=rs0&authSource=admin',
    jwtSecret: '«jwt»',
    jwtExpiresIn: '7d',
  },
};

module.exports = {
  ...config[env],
  root: path.normalize(path.join(__dirname, '/..')),
  sendgrid: {
    apiKey: '«sg»',
    from: '«sender»',
    templates: {
      welcome: 'd-«tpl1»',
      resetPassword: 'd-«tpl2»',
    },
  },
  algolia: {
    appId: '«algoliaid»',
    searchOnlyKey: process.env.ALGOLIA_SEARCH_KEY,
    adminApiKey: '«algoliaadmin»',
    index: 'listings_prod',
  },
  uploads: {
    maxSize: 5 * 1024 * 1024,
    allowed: ['image/png', 'image/jpeg', 'image/webp'],
  },
};
''', mongopw=P(pw_r(r, 16, "-_.~")), mongo1=I(ipv4(r)), mongodom=org(r), jwt=K(hexs(r, 64)),
        sg=K(sendgrid(r)), tpl1=hexs(r), tpl2=hexs(r),
        sender=E(email(r, org(r), style=4)), algoliaid=_s(r, 10, UP + DIG),
        algoliaadmin=K(hexs(r)))


def d_nest_app_module(r):
    return "src/app.module.ts", _fill('''
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtModule } from '@nestjs/jwt';
import { MailerModule } from '@nestjs-modules/mailer';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { UsersModule } from './users/users.module';
import { AuthModule } from './auth/auth.module';
import { User } from './users/user.entity';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRoot({
      type: 'postgres',
      host: '«dbhost»',
      port: 5432,
      username: 'nest',
      password: '«dbpw»',
      database: 'ticketing',
      entities: [User],
      synchronize: false,
    }),
    JwtModule.register({
      global: true,
      secret: '«jwtsecret»',
      signOptions: { expiresIn: '3600s' },
    }),
    MailerModule.forRoot({
      transport: {
        host: 'smtp.sendgrid.net',
        port: 587,
        auth: { user: 'apikey', pass: '«sgkey»' },
      },
      defaults: { from: '"Ticketing" <«sender»>' },
    }),
    UsersModule,
    AuthModule,
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
''', dbhost=I(ipv4(r)), dbpw=P(pw(r)), jwtsecret=K(gen(r, 40, ALNUM + "_-")),
        sgkey=K(sendgrid(r)), sender=E("support@" + org(r)))


def d_aspnet_appsettings(r):
    base = pw_h(r, "!")
    esc = base[:4] + "\\\\" + base[4:]
    return "src/Clinic.Api/appsettings.Production.json", _fill('''
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«sql»,1433;Database=ClinicDb;User Id=clinic_app;Password=«sqlpw»;TrustServerCertificate=True;MultipleActiveResultSets=true",
    "Redis": "cache-prod.redis.cache.windows.net:6380,password=«redispw»,ssl=False,abortConnect=False"
  },
  "JwtSettings": {
    "Issuer": "https://api.«dom»",
    "Audience": "clinic-portal",
    "SecretKey": "«jwt»",
    "ExpiryMinutes": 60
  },
  "SmtpSettings": {
    "Host": "smtp.zoho.eu",
    "Port": 465,
    "EnableSsl": true,
    "UserName": "«smtpuser»",
    "Password": "«smtppw»",
    "FromName": "Clinic Appointments"
  },
  "Serilog": {
    "MinimumLevel": "Information",
    "WriteTo": [
      { "Name": "Console" },
      { "Name": "File", "Args": { "path": "logs/clinic-.log", "rollingInterval": "Day" } }
    ]
  },
  "FeatureFlags": {
    "EnableSmsReminders": false
  }
}
''', sql=I(ipv4(r)), sqlpw=P(pw_r(r, 16, "!*_-")), redispw=P(pw_r(r, 24, "")),
        dom=org(r), jwt=K(gen(r, 64)), smtpuser=E(email(r, "zoho.eu", style=3)), smtppw=P(esc))


def d_go_main(r):
    return "cmd/api/main.go", _fill('''
package main

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-redis/redis/v8"
	_ "github.com/lib/pq"
	"github.com/stripe/stripe-go/v76"
)

const (
	dbConnStr = "host=«dbhost» port=5432 user=orders password=«dbpw» dbname=orders sslmode=require"
	listenAddr = ":8080"
)

func main() {
	stripe.Key = "«stripe»"

	db, err := sql.Open("postgres", dbConnStr)
	if err != nil {
		log.Fatalf("open db: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(25)
	db.SetConnMaxLifetime(5 * time.Minute)

	rdb := redis.NewClient(&redis.Options{
		Addr:     "«redishost»:6379",
		Password: "«redispw»",
		DB:       0,
	})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		log.Printf("redis unavailable: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.Handle("/orders", ordersHandler(db, rdb))

	srv := &http.Server{
		Addr:         listenAddr,
		Handler:      logging(mux),
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
	}
	log.Printf("listening on %s (pid %d)", listenAddr, os.Getpid())
	log.Fatal(srv.ListenAndServe())
}
''', dbhost=I(ipv4(r)), dbpw=P(pw_r(r, 14, "!*_-")), stripe=K(sk_live(r)), redishost=priv4(r),
        redispw=P(pw_h(r, "!")))


def d_flask_app(r):
    return "app.py", _fill('''
import os
from datetime import datetime

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, login_user
from flask_mail import Mail, Message
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash, generate_password_hash

app = Flask(__name__)
app.config['SECRET_KEY'] = '«secret»'
app.config['SQLALCHEMY_DATABASE_URI'] = 'mysql+pymysql://blog:«dbpw»@«dbhost»/blog'
app.config['SQLALCHEMY_TRACK_MODIFICATIONS'] = False
app.config['MAIL_SERVER'] = 'smtp.gmail.com'
app.config['MAIL_PORT'] = 465
app.config['MAIL_USE_SSL'] = True
app.config['MAIL_USERNAME'] = '«mailuser»'
app.config['MAIL_PASSWORD'] = '«mailpw»'

db = SQLAlchemy(app)
mail = Mail(app)
login_manager = LoginManager(app)
login_manager.login_view = 'login'


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(256))
    created = db.Column(db.DateTime, default=datetime.utcnow)

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
                  recipients=['«owner»'])
    msg.body = request.form['message']
    mail.send(msg)
    return redirect(url_for('index'))


if __name__ == '__main__':
    app.run(host='0.0.0.0', port=int(os.environ.get('PORT', 5000)), debug=True)
''', secret=K(gen(r, 24, ALNUM + "!#%")), dbpw=P(pw_h(r, "")), dbhost=I(ipv4(r)),
        mailuser=E(email(r, "gmail.com", style=3)), mailpw=P(pw_gapp(r).replace(" ", "")),
        owner=E(email(r, "outlook.com", style=0)))


def d_fastapi_config(r):
    dom = org(r)
    return "backend/app/core/config.py", _fill('''
import secrets
from typing import Any, Dict, List, Optional, Union

from pydantic import AnyHttpUrl, EmailStr, PostgresDsn, validator
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    # 60 minutes * 24 hours * 8 days = 8 days
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
    SECRET_KEY: str = "«secret»"
    SERVER_NAME: str = "recipes"
    SERVER_HOST: AnyHttpUrl = "https://recipes.«dom»"
    BACKEND_CORS_ORIGINS: List[AnyHttpUrl] = ["http://localhost:3000"]

    PROJECT_NAME: str = "Recipe Box"

    POSTGRES_SERVER: str = "«dbhost»"
    POSTGRES_USER: str = "recipes"
    POSTGRES_PASSWORD: str = "«dbpw»"
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

    OPENAI_API_KEY: str = "«openai»"
    OPENAI_MODEL: str = "gpt-4o-mini"

    SMTP_TLS: bool = True
    SMTP_PORT: Optional[int] = 587
    SMTP_HOST: Optional[str] = "smtp.zoho.com"
    SMTP_USER: Optional[str] = "«sender»"
    SMTP_PASSWORD: Optional[str] = "«smtppw»"
    EMAILS_FROM_EMAIL: Optional[EmailStr] = "«sender»"
    EMAILS_FROM_NAME: Optional[str] = "Recipe Box"
    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48
    EMAIL_TEMPLATES_DIR: str = "/app/app/email-templates/build"

    FIRST_SUPERUSER: EmailStr = "«su»"
    FIRST_SUPERUSER_PASSWORD: str = "«supw»"
    USERS_OPEN_REGISTRATION: bool = False

    class Config:
        case_sensitive = True


settings = Settings()
''', secret=K(_s(r, 43, B64U)), dom=dom, dbhost=I(ipv4(r)), dbpw=P(pw_r(r, 20, "")),
        openai=K(openai_proj(r)), smtppw=P(pw_h(r, "!#")), sender=E("hello@" + dom),
        su=E(email(r, dom, style=0)), supw=P(pw_h(r)))


def d_wp_config(r):
    salts = []
    for _ in range(8):
        v = _s(r, 64, ALNUM + "!#%&()*+,-.:;<=>?@[]^_{|}~ ")
        salts.append(K("x" + v[1:-1] + "y" if " " in (v[0], v[-1]) else v))
    return "wp-config.php", _fill('''
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
define( 'DB_NAME', 'wp_gardenblog' );

/** Database username */
define( 'DB_USER', 'wp_gardenblog' );

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
 */
define( 'AUTH_KEY',         '«s0»' );
define( 'SECURE_AUTH_KEY',  '«s1»' );
define( 'LOGGED_IN_KEY',    '«s2»' );
define( 'NONCE_KEY',        '«s3»' );
define( 'AUTH_SALT',        '«s4»' );
define( 'SECURE_AUTH_SALT', '«s5»' );
define( 'LOGGED_IN_SALT',   '«s6»' );
define( 'NONCE_SALT',       '«s7»' );

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );

/* Add any custom values between this line and the "stop editing" line. */
define( 'FS_METHOD', 'direct' );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', dbpw=P(pw_r(r, 12, "!*-_")), dbhost=I(ipv4(r)), **{f"s{i}": s for i, s in enumerate(salts)})


def d_nextjs_env(r):
    return ".env.local", _fill('''
# Database
DATABASE_URL="postgresql://postgres:«dbpw»@db.«proj».supabase.co:5432/postgres"

# NextAuth
NEXTAUTH_URL=http://localhost:3000
NEXTAUTH_SECRET=«nas»

# OAuth providers
GITHUB_ID=Iv1.«ghid»
GITHUB_SECRET=«ghsecret»
GOOGLE_CLIENT_ID=«gcid».apps.googleusercontent.com
GOOGLE_CLIENT_SECRET=«gcsecret»

# Stripe
NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_«pk»
STRIPE_SECRET_KEY=«sk»
STRIPE_WEBHOOK_SECRET=«wh»

# Resend
RESEND_API_KEY=«resend»
EMAIL_FROM=onboarding@resend.dev
''', dbpw=P(pw_r(r, 16, "")), proj=_s(r, 20, LO), nas=K(b64key(r)), ghid=hexs(r, 16),
        ghsecret=K(hexs(r, 40)), gcid=f"{r.randint(10**11, 10**12 - 1)}-{_s(r, 32, LO + DIG)}",
        gcsecret=K("GOCSPX-" + _s(r, 28, B64U)), pk=_s(r, 99), sk=K(sk_live(r)), wh=K(whsec(r)),
        resend=K("re_" + _s(r, 8) + "_" + _s(r, 24))).replace(
        "onboarding@resend.dev", E("onboarding@resend.dev"))


def d_java_dao(r):
    return "src/main/java/com/acmehr/payroll/dao/EmployeeDao.java", _fill('''
package com.acmehr.payroll.dao;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.acmehr.payroll.model.Employee;

public class EmployeeDao implements Dao<Employee> {

    private static final String URL = "jdbc:oracle:thin:@«db»:1521/PAYROLL";
    private static final String USER = "payroll_rw";
    private static final String PASS = "«dbpw»";

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASS);
    }

    @Override
    public List<Employee> findAll() {
        List<Employee> out = new ArrayList<>();
        String sql = "SELECT id, first_name, last_name, email, salary FROM employees";
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Employee(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getBigDecimal(5)));
            }
        } catch (SQLException e) {
            throw new DaoException("findAll failed", e);
        }
        return out;
    }

    @Override
    public void save(Employee e) {
        String sql = "INSERT INTO employees (first_name, last_name, email, salary) VALUES (?,?,?,?)";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, e.getFirstName());
            ps.setString(2, e.getLastName());
            ps.setString(3, e.getEmail());
            ps.setBigDecimal(4, e.getSalary());
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new DaoException("save failed", ex);
        }
    }

    // Reporting replica, read only
    public Connection reporting() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:oracle:thin:@payroll-rpt.hr.internal:1521/PAYRPT", "report_ro", "«ropw»");
    }
}
''', db=I(ipv4(r)), dbpw=P(pw_h(r, "#!")), ropw=P(pw_r(r, 12, "")))


def d_csharp_mailer(r):
    user = E(email(r, org(r), style=r.choice([0, 1])))
    return "Notifier/Program.cs", _fill('''
using System;
using System.Net;
using System.Net.Mail;
using System.Threading.Tasks;

namespace Notifier
{
    internal class Program
    {
        private const string SmtpHost = "«smtp»";
        private const int SmtpPort = 587;

        static async Task Main(string[] args)
        {
            var to = args.Length > 0 ? args[0] : "«ops»";

            using var client = new SmtpClient(SmtpHost, SmtpPort)
            {
                EnableSsl = true,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential("«user»", "«pw»")
            };

            var message = new MailMessage
            {
                From = new MailAddress("«user»", "Nightly Notifier"),
                Subject = $"Nightly build {DateTime.UtcNow:yyyy-MM-dd}",
                Body = "The nightly build finished. See the dashboard for details.",
                IsBodyHtml = false
            };
            message.To.Add(to);

            try
            {
                await client.SendMailAsync(message);
                Console.WriteLine($"Sent to {to}");
            }
            catch (SmtpException ex)
            {
                Console.Error.WriteLine($"SMTP error: {ex.StatusCode} {ex.Message}");
                Environment.Exit(1);
            }
        }
    }
}
''', smtp=I(ipv4(r)), ops=E(email(r, style=4)), user=user, pw=P(pw_h(r, "!$#")))


def d_rails_initializers(r):
    return "config/initializers/stripe_and_mail.rb", _fill('''
# frozen_string_literal: true

Rails.configuration.stripe = {
  publishable_key: "pk_live_«pk»",
  secret_key: "«sk»"
}

Stripe.api_key = Rails.configuration.stripe[:secret_key]
Stripe.api_version = "2023-10-16"

ActionMailer::Base.delivery_method = :smtp
ActionMailer::Base.smtp_settings = {
  address: "smtp.fastmail.com",
  port: 465,
  domain: "«dom»",
  user_name: "«user»",
  password: "«pw»",
  authentication: :plain,
  ssl: true
}

ActionMailer::Base.default_url_options = { host: "«dom»", protocol: "https" }

Rails.application.config.after_initialize do
  ExceptionNotification.configure do |config|
    config.add_notifier :email, {
      email_prefix: "[«app»] ",
      sender_address: %("Notifier" <«user»>),
      exception_recipients: %w[«rcpt1»]
    }
  end
end
''', pk=_s(r, 99), sk=K(sk_live(r, r.choice(["sk_live_", "rk_live_"]))), dom=(d := org(r)),
        user=E("alerts@" + d), pw=P(_s(r, 16, LO + DIG)), app="pantry",
        rcpt1=E(email(r, d, style=0)))


def d_php_mysqli(r):
    return "includes/db.php", _fill('''
<?php
// Database connection for the legacy admin panel.
// TODO: move credentials to config.ini outside the web root

$servername = "«host»";
$username   = "shop_admin";
$password   = "«pw»";
$dbname     = "shop";

$conn = new mysqli($servername, $username, $password, $dbname);

if ($conn->connect_error) {
    die("Connection failed: " . $conn->connect_error);
}
$conn->set_charset("utf8mb4");

// PDO handle for the newer report pages
try {
    $pdo = new PDO(
        "mysql:host=localhost;dbname=shop_reports;charset=utf8mb4",
        "reports",
        "«pw2»",
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]
    );
} catch (PDOException $e) {
    error_log("PDO: " . $e->getMessage());
    $pdo = null;
}

function esc($conn, $v) {
    return mysqli_real_escape_string($conn, trim($v));
}

function current_user($conn) {
    if (empty($_SESSION['uid'])) {
        return null;
    }
    $stmt = $conn->prepare("SELECT id, email, role FROM users WHERE id = ?");
    $stmt->bind_param("i", $_SESSION['uid']);
    $stmt->execute();
    return $stmt->get_result()->fetch_assoc();
}
?>
''', host=I(ipv4(r)), pw=P(pw_h(r, "")), pw2=P(pw_r(r, 14, "!*")))


def d_rust_main(r):
    return "src/main.rs", _fill('''
use std::net::SocketAddr;

use axum::{routing::get, Router};
use sqlx::postgres::PgPoolOptions;
use tracing::info;

mod handlers;
mod models;

const DATABASE_URL: &str = "postgres://weather:«dbpw»@«dbhost»:5432/weather";
const OWM_API_KEY: &str = "«owm»";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect(DATABASE_URL)
        .await?;

    sqlx::migrate!("./migrations").run(&pool).await?;

    let state = handlers::AppState {
        pool,
        owm_key: OWM_API_KEY.to_string(),
        client: reqwest::Client::new(),
    };

    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/forecast/:city", get(handlers::forecast))
        .with_state(state);

    let addr = SocketAddr::from(([0, 0, 0, 0], 3000));
    info!("listening on {}", addr);
    axum::Server::bind(&addr)
        .serve(app.into_make_service())
        .await?;
    Ok(())
}
''', dbpw=P(pw_r(r, 16, "-_")), dbhost=I(ipv4(r)), owm=K(hexs(r)))


def d_ktor_hocon(r):
    return "src/main/resources/application.conf", _fill('''
ktor {
    deployment {
        port = 8080
        port = ${?PORT}
    }
    application {
        modules = [ com.parcelbox.ApplicationKt.module ]
    }
}

jwt {
    domain = "https://auth.«dom»/"
    audience = "parcelbox-api"
    realm = "parcelbox"
    secret = "«jwtsecret»"
}

database {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://«dbhost»:5432/parcelbox"
    user = "parcelbox"
    password = "«dbpw»"
    maxPoolSize = 8
}

storage {
    endpoint = "https://minio.«dom»:9000"
    accessKey = "parcelbox"
    secretKey = "«minio»"
    bucket = "labels"
}

sentry {
    dsn = "https://«sentrypub»@o«sorg».ingest.sentry.io/«sproj»"
}
''', dom=org(r), jwtsecret=K(gen(r, 48)), dbhost=I(ipv4(r)), dbpw=P(pw(r)), 
        minio=K(gen(r, 40)), sentrypub=hexs(r), sorg=r.randint(100000, 999999),
        sproj=r.randint(1000000, 9999999))


# =============================================================================================
# mobile

def d_android_build_gradle(r):
    store = P(pw_h(r, ""))
    return "app/build.gradle", _fill('''
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
        versionName "«version»"

        testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"
        buildConfigField "String", "MAPS_API_KEY", "\\"«maps»\\""
        buildConfigField "String", "BASE_URL", "\\"http://«api»:8080/api/\\""
    }

    signingConfigs {
        release {
            storeFile file("../keystore/trailmate-release.jks")
            storePassword "«store»"
            keyAlias "trailmate"
            keyPassword "«store»"
        }
    }

    buildTypes {
        release {
            minifyEnabled true
            proguardFiles getDefaultProguardFile('proguard-android-optimize.txt'), 'proguard-rules.pro'
            signingConfig signingConfigs.release
        }
        debug {
            applicationIdSuffix ".debug"
            buildConfigField "String", "BASE_URL", "\\"http://10.0.2.2:8080/api/\\""
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
    testImplementation 'junit:junit:4.13.2'
}
''', version=ver(r), maps=K(aiza(r)), api=I(ipv4(r)), store=store)


def d_gradle_properties(r):
    return "gradle.properties", _fill('''
# Project-wide Gradle settings.
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
android.useAndroidX=true
android.enableJetifier=true
kotlin.code.style=official
android.nonTransitiveRClass=true

# Release signing (react-native)
MYAPP_UPLOAD_STORE_FILE=my-upload-key.keystore
MYAPP_UPLOAD_KEY_ALIAS=my-key-alias
MYAPP_UPLOAD_STORE_PASSWORD=«storepw»
MYAPP_UPLOAD_KEY_PASSWORD=«keypw»

# Maven Central publishing
signing.keyId=«gpgid»
signing.password=«signpw»
signing.secretKeyRingFile=/Users/«user»/.gnupg/secring.gpg
ossrhUsername=«user»
ossrhPassword=«ossrhpw»

# Flipper
FLIPPER_VERSION=0.182.0
newArchEnabled=false
hermesEnabled=true
''', storepw=P(pw_h(r, "")), keypw=P(pw_h(r, "")), gpgid=hexs(r, 8).upper(),
        signpw=P(pw_r(r, 16, "!*")), user=r.choice(FIRST) + r.choice(LAST)[:3],
        ossrhpw=P(pw_h(r, "!")))


def d_kotlin_api_client(r):
    key = K(gen(r, 32, HEX))
    return "app/src/main/java/com/newsly/data/ApiClient.kt", _fill('''
package com.newsly.data

import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.gson.GsonConverterFactory
import java.util.concurrent.TimeUnit

object ApiClient {

    private const val BASE_URL = "https://newsapi.org/v2/"
    private const val API_KEY = "«key»"
    private const val STAGING_URL = "http://«staging»:8000/"

    private val authInterceptor = Interceptor { chain ->
        val request = chain.request().newBuilder()
            .addHeader("X-Api-Key", "«key»")
            .addHeader("User-Agent", "Newsly-Android/«version»")
            .build()
        chain.proceed(request)
    }

    private val logging = HttpLoggingInterceptor().apply {
        level = HttpLoggingInterceptor.Level.BASIC
    }

    private val client = OkHttpClient.Builder()
        .addInterceptor(authInterceptor)
        .addInterceptor(logging)
        .connectTimeout(15, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS)
        .build()

    val service: NewsService by lazy {
        Retrofit.Builder()
            .baseUrl(if (BuildConfig.DEBUG) STAGING_URL else BASE_URL)
            .client(client)
            .addConverterFactory(GsonConverterFactory.create())
            .build()
            .create(NewsService::class.java)
    }
}
''', key=key, staging=I(ipv4(r)), version=ver(r))


def d_android_strings(r):
    return "app/src/main/res/values/strings.xml", _fill('''
<?xml version="1.0" encoding="utf-8"?>
<resources>
    <string name="app_name">PlantPal</string>
    <string name="google_maps_key" templateMergeStrategy="preserve" translatable="false">«maps»</string>
    <string name="facebook_app_id" translatable="false">«fbid»</string>
    <string name="fb_login_protocol_scheme" translatable="false">fb«fbid»</string>
    <string name="facebook_client_token" translatable="false">«fbtoken»</string>
    <string name="default_web_client_id" translatable="false">«cid».apps.googleusercontent.com</string>

    <string name="title_login">Sign in</string>
    <string name="prompt_email">Email</string>
    <string name="prompt_password">Password</string>
    <string name="action_forgot_password">Forgot password?</string>
    <string name="error_invalid_password">Password must be at least 8 characters</string>
    <string name="error_incorrect_password">This password is incorrect</string>
    <string name="hint_confirm_password">Confirm password</string>

    <string name="support_email" translatable="false">«support»</string>
    <string name="about_version">Version %1$s</string>
    <string name="water_reminder">Time to water %1$s!</string>
</resources>
''', maps=K(aiza(r)), fbid=r.randint(10**14, 10**15 - 1), fbtoken=K(hexs(r)),
        cid=f"{r.randint(10**11, 10**12 - 1)}-{_s(r, 32, LO + DIG)}",
        support=E("help@" + org(r)))


def d_ios_config_swift(r):
    return "Sources/Podcasts/Config/AppConfig.swift", _fill('''
//
//  AppConfig.swift
//  Podcasts
//
//  Created by «who» on 14/03/2023.
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
            return URL(string: "http://127.0.0.1:5000/api")!
        case .production:
            return URL(string: "https://«api»/api")!
        }
    }

    // Podcast Index API credentials
    static let podcastIndexKey = "«pikey»"
    static let podcastIndexSecret = "«pisecret»"

    // Episode summaries
    static let anthropicAPIKey = "«ant»"

    static let supportEmail = "«support»"
    static let appStoreID = "«appid»"
}
''', who=" ".join(name(r)).title(), api=I(ipv4(r)), pikey=K(gen(r, 20, UP + DIG)),
        pisecret=K(gen(r, 40, ALNUM + "$^#")), ant=K(anthropic(r)), support=E(email(r, org(r), style=4)), appid=r.randint(10**9, 2 * 10**9))


def d_google_service_plist(r):
    proj = f"podcasts-{r.randint(1000, 9999)}"
    return "Podcasts/GoogleService-Info.plist", _fill('''
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
	<string>com.driftwood.podcasts</string>
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
''', num=r.randint(10**11, 10**12 - 1), cid=_s(r, 32, LO + DIG), key=K(aiza(r)), proj=proj,
        appid=hexs(r, 22))


def d_flutter_constants(r):
    return "lib/core/constants.dart", _fill('''
import 'package:flutter/material.dart';

class AppConstants {
  AppConstants._();

  static const String appName = 'Weatherly';
  static const String baseUrl = 'https://api.openweathermap.org/data/2.5';
  static const String apiKey = '«owm»';

  // Backend for saved cities
  static const String backendUrl = 'http://«backend»:3000';
  static const String backendToken = '«jwt»';

  static const Duration timeout = Duration(seconds: 20);
  static const int maxSavedCities = 10;

  static const Color primary = Color(0xFF1E88E5);
  static const Color accent = Color(0xFFFFC107);

  static const String feedbackEmail = '«mail»';
  static const String privacyUrl = 'https://weatherly.«dom»/privacy';
}

class Assets {
  static const String logo = 'assets/images/logo@2x.png';
  static const String sunny = 'assets/icons/sunny@3x.png';
}
''', owm=K(hexs(r)), backend=I(ipv4(r)), jwt=K(jwt(r, {"sub": uid(r), "role": "app", "iat": 1700000000})),
        mail=E(email(r, style=3)), dom=org(r))


def d_firebase_js(r):
    proj = f"{r.choice(['chatterbox', 'potluck', 'lingo'])}-{r.randint(10000, 99999)}"
    return "src/firebase.js", _fill('''
// Import the functions you need from the SDKs you need
import { initializeApp } from "firebase/app";
import { getAuth, GoogleAuthProvider } from "firebase/auth";
import { getFirestore } from "firebase/firestore";
import { getStorage } from "firebase/storage";
import { initializeAppCheck, ReCaptchaV3Provider } from "firebase/app-check";

// Your web app's Firebase configuration
const firebaseConfig = {
  apiKey: "«key»",
  authDomain: "«proj».firebaseapp.com",
  projectId: "«proj»",
  storageBucket: "«proj».appspot.com",
  messagingSenderId: "«sender»",
  appId: "1:«sender»:web:«appid»",
  measurementId: "G-«mid»"
};

// Initialize Firebase
const app = initializeApp(firebaseConfig);

initializeAppCheck(app, {
  provider: new ReCaptchaV3Provider("6L«site»"),
  isTokenAutoRefreshEnabled: true,
});

export const auth = getAuth(app);
export const googleProvider = new GoogleAuthProvider();
export const db = getFirestore(app);
export const storage = getStorage(app);
export default app;
''', key=K(aiza(r)), proj=proj, sender=r.randint(10**11, 10**12 - 1), appid=hexs(r, 22),
        mid=_s(r, 10, UP + DIG), site=_s(r, 38, B64U))


# =============================================================================================
# data and ML

def _nb(cells: list[tuple[str, list[str], list[str]]]) -> str:
    """Render notebook cells (type, source lines, output lines) as .ipynb JSON text, keeping any
    ⟦⟧ markers inside the strings intact."""
    out = ['{', ' "cells": [']
    for n, (ctype, src, outs) in enumerate(cells):
        out.append('  {')
        out.append(f'   "cell_type": "{ctype}",')
        if ctype == "code":
            out.append(f'   "execution_count": {n + 1},')
        out.append('   "metadata": {},')
        if ctype == "code":
            if outs:
                out.append('   "outputs": [')
                out.append('    {')
                out.append('     "name": "stdout",')
                out.append('     "output_type": "stream",')
                out.append('     "text": [')
                out.extend(f'      {json.dumps(o, ensure_ascii=False)},' for o in outs[:-1])
                out.append(f'      {json.dumps(outs[-1], ensure_ascii=False)}')
                out.append('     ]')
                out.append('    }')
                out.append('   ],')
            else:
                out.append('   "outputs": [],')
        out.append('   "source": [')
        out.extend(f'    {json.dumps(s, ensure_ascii=False)},' for s in src[:-1])
        out.append(f'    {json.dumps(src[-1], ensure_ascii=False)}')
        out.append('   ]')
        out.append('  },' if n < len(cells) - 1 else '  }')
    out += [' ],', ' "metadata": {', '  "kernelspec": {', '   "display_name": "Python 3",',
            '   "language": "python",', '   "name": "python3"', '  },',
            '  "language_info": {"name": "python", "version": "3.10.12"}', ' },',
            ' "nbformat": 4,', ' "nbformat_minor": 5', '}']
    return "\n".join(out) + "\n"


def d_notebook_churn(r):
    pw_ = P(pw_r(r, 14, "-_"))
    host = I(ipv4(r))
    a, b = name(r), name(r)
    return "notebooks/01-churn-exploration.ipynb", _nb([
        ("markdown", ["# Churn exploration\n", "\n", "Pull the last 90 days of subscriptions from the "
                      "analytics replica and look at cancellation reasons."], []),
        ("code", ["import pandas as pd\n", "import numpy as np\n", "import matplotlib.pyplot as plt\n",
                  "from sqlalchemy import create_engine\n", "import openai"], []),
        ("code", [f"engine = create_engine('postgresql+psycopg2://analyst:{pw_}@{host}:5432/analytics')\n",
                  "df = pd.read_sql('SELECT * FROM subscriptions WHERE created_at > now() - interval \\'90 days\\'', engine)\n",
                  "df.shape"], []),
        ("code", ["df.groupby('plan')['cancelled'].mean().sort_values()"], []),
        ("code", ["top = df[df.cancelled].nlargest(3, 'mrr')[['email', 'plan', 'mrr']]\n", "print(top)"],
         ["                          email      plan    mrr\n",
          f"812   {E(email(r, org(r), a, 0))}  business  499.0\n",
          f"1407  {E(email(r, org(r), b, 1))}  business  499.0\n",
          "66    (deleted account)            team  149.0\n"]),
        ("code", [f"openai.api_key = \"{K(openai_legacy(r))}\"\n",
                  "def summarise(reason):\n",
                  "    resp = openai.ChatCompletion.create(model='gpt-3.5-turbo', messages=[{'role': 'user', 'content': reason}])\n",
                  "    return resp.choices[0].message.content"], []),
        ("code", ["df['reason_summary'] = df['cancel_reason'].fillna('').map(summarise)"], []),
    ])


def d_airflow_dag(r):
    alert = E(email(r, org(r), style=0))
    return "dags/etl_orders_daily.py", _fill('''
from datetime import datetime, timedelta

from airflow import DAG, settings
from airflow.models import Connection
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

default_args = {
    "owner": "data-eng",
    "depends_on_past": False,
    "email": ["«alert»", "«alert2»"],
    "email_on_failure": True,
    "email_on_retry": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


def ensure_connection():
    session = settings.Session()
    if not session.query(Connection).filter(Connection.conn_id == "orders_src").first():
        session.add(Connection(
            conn_id="orders_src",
            conn_type="postgres",
            host="«srchost»",
            login="etl_reader",
            password="«srcpw»",
            schema="orders",
            port=5432,
        ))
        session.commit()


def extract_load(**context):
    src = PostgresHook(postgres_conn_id="orders_src")
    dst = PostgresHook(postgres_conn_id="warehouse")
    rows = src.get_records(
        "SELECT id, customer_id, total, created_at FROM orders WHERE created_at::date = %s",
        parameters=(context["ds"],),
    )
    dst.insert_rows("staging.orders", rows, replace=True, replace_index="id")


with DAG(
    dag_id="etl_orders_daily",
    default_args=default_args,
    start_date=datetime(2023, 1, 1),
    schedule="0 3 * * *",
    catchup=False,
    tags=["orders", "etl"],
) as dag:
    setup = PythonOperator(task_id="ensure_connection", python_callable=ensure_connection)
    load = PythonOperator(task_id="extract_load", python_callable=extract_load)
    notify = SlackWebhookOperator(
        task_id="notify",
        webhook_token="https://hooks.slack.com/services/«hook»",
        message="orders ETL for {{ ds }} finished",
        channel="#data-alerts",
    )
    setup >> load >> notify
''', alert=alert, alert2=E(email(r, org(r), style=1)), srchost=I(ipv4(r)), srcpw=P(pw(r)),
        hook=K(slack_hook(r)))


def d_dbt_profiles(r):
    return "profiles.yml", _fill('''
# dbt profiles for the analytics project
# NOTE: copy to ~/.dbt/profiles.yml

analytics:
  target: dev
  outputs:
    dev:
      type: postgres
      host: «pghost»
      user: dbt_dev
      password: «devpw»
      port: 5432
      dbname: analytics
      schema: dbt_«user»
      threads: 4
      keepalives_idle: 0

    prod:
      type: snowflake
      account: «acct».eu-central-1
      user: DBT_PROD
      password: "«prodpw»"
      role: TRANSFORMER
      database: ANALYTICS
      warehouse: TRANSFORMING
      schema: MARTS
      threads: 8
      client_session_keep_alive: False

    ci:
      type: snowflake
      account: «acct».eu-central-1
      user: DBT_CI
      password: "{{ env_var('DBT_CI_PASSWORD') }}"
      role: TRANSFORMER
      database: ANALYTICS_CI
      warehouse: TRANSFORMING
      schema: "dbt_ci_{{ env_var('GITHUB_RUN_ID', 'local') }}"
      threads: 4
''', pghost=I(ipv4(r)), devpw=P(pw_h(r, "")), user=r.choice(FIRST), acct=_s(r, 7, LO + DIG),
        prodpw=P(pw_r(r, 20, "!*%")))


def d_spark_job(r):
    return "jobs/sales_to_lake.py", _fill('''
"""Copy yesterday's sales from the MySQL OLTP database into the S3 data lake as Parquet."""
import sys
from datetime import date, timedelta

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

JDBC_URL = "jdbc:mysql://«db»:3306/sales?zeroDateTimeBehavior=convertToNull"

spark = (
    SparkSession.builder.appName("sales_to_lake")
    .config("spark.hadoop.fs.s3a.access.key", "«akid»")
    .config("spark.hadoop.fs.s3a.secret.key", "«asec»")
    .config("spark.hadoop.fs.s3a.endpoint", "s3.eu-central-1.amazonaws.com")
    .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
    .getOrCreate()
)

day = sys.argv[1] if len(sys.argv) > 1 else (date.today() - timedelta(days=1)).isoformat()

sales = (
    spark.read.format("jdbc")
    .option("url", JDBC_URL)
    .option("dbtable", f"(SELECT * FROM sales WHERE sold_at >= '{day}' AND sold_at < '{day}' + INTERVAL 1 DAY) t")
    .option("user", "spark_ro")
    .option("password", "«dbpw»")
    .option("fetchsize", 10000)
    .load()
)

out = (
    sales.withColumn("day", F.lit(day))
    .withColumn("amount_eur", F.col("amount_cents") / 100)
    .drop("amount_cents")
)

out.write.mode("overwrite").partitionBy("day").parquet("s3a://acme-lake/raw/sales/")
print(f"wrote {out.count()} rows for {day}")
spark.stop()
''', db=I(ipv4(r)), akid=K(aws_id(r)), asec=K(aws_secret(r)), dbpw=P(pw_h(r, "!#")))


def d_pandas_report(r):
    sender = E(email(r, "gmail.com", style=0))
    return "scripts/weekly_report.py", _fill('''
#!/usr/bin/env python3
"""Weekly sales report: query MySQL, build an Excel file, mail it to the team."""
import smtplib
from email.message import EmailMessage
from datetime import date

import pandas as pd
import pymysql

RECIPIENTS = ["«r1»", "«r3»"]

conn = pymysql.connect(
    host="«host»",
    user="report",
    password="«dbpw»",
    database="shop",
    charset="utf8mb4",
)

query = """
SELECT DATE(o.created_at) AS day, p.category, SUM(oi.qty * oi.price) AS revenue
FROM orders o
JOIN order_items oi ON oi.order_id = o.id
JOIN products p ON p.id = oi.product_id
WHERE o.created_at >= CURDATE() - INTERVAL 7 DAY
GROUP BY day, p.category
"""
df = pd.read_sql(query, conn)
pivot = df.pivot_table(index="day", columns="category", values="revenue", aggfunc="sum").fillna(0)
fname = f"sales_{date.today():%Y%m%d}.xlsx"
pivot.to_excel(fname)

msg = EmailMessage()
msg["Subject"] = f"Weekly sales report {date.today():%d.%m.%Y}"
msg["From"] = "«sender»"
msg["To"] = ", ".join(RECIPIENTS)
msg.set_content("Hi all,\\n\\nattached is this week's sales report.\\n")
with open(fname, "rb") as fh:
    msg.add_attachment(fh.read(), maintype="application", subtype="octet-stream", filename=fname)

with smtplib.SMTP_SSL("smtp.gmail.com", 465) as smtp:
    smtp.login("«sender»", "«mailpw»")
    smtp.send_message(msg)
print("sent", fname)
''', r1=E(email(r, "veloxa.com.br", style=0)), r3=E(email(r, "veloxa.com.br", style=1)), host=I(ipv4(r)), dbpw=P(pw_h(r, "")),
        sender=sender, mailpw=P(pw_gapp(r)))


def d_r_script(r):
    return "analysis/load_survey.R", _fill('''
# Load the 2023 survey responses from the lab database and fit the mixed model
library(DBI)
library(RPostgres)
library(dplyr)
library(lme4)

con <- dbConnect(
  RPostgres::Postgres(),
  dbname = "survey",
  host = "«host»",
  port = 5432,
  user = "rstudio",
  password = "«pw»"
)

responses <- dbGetQuery(con, "
  SELECT r.participant_id, r.item, r.score, p.site, p.age_group
  FROM responses r JOIN participants p USING (participant_id)
  WHERE r.wave = 3
")
dbDisconnect(con)

responses <- responses %>%
  filter(!is.na(score)) %>%
  mutate(site = factor(site), age_group = factor(age_group))

m1 <- lmer(score ~ age_group + (1 | site) + (1 | participant_id), data = responses)
summary(m1)

# questions: «who»
write.csv(responses, "data/wave3_clean.csv", row.names = FALSE)
''', host=I(ipv4(r)), pw=P(pw_h(r, "!")), who=E(email(r, "pinecrest.edu", style=1)))


def d_redshift_sql(r):
    return "sql/load_events.sql", _fill('''
-- Nightly load of clickstream events from S3 into Redshift.
-- Run with: psql -h warehouse -U loader -f sql/load_events.sql

BEGIN;

CREATE TEMP TABLE events_stage (LIKE analytics.events);

COPY events_stage
FROM 's3://clickstream-raw/events/dt=2024-02-11/'
CREDENTIALS 'aws_access_key_id=«akid»;aws_secret_access_key=«asec»'
FORMAT AS JSON 'auto'
GZIP
TIMEFORMAT 'auto'
REGION 'us-east-1';

DELETE FROM analytics.events
USING events_stage
WHERE analytics.events.event_id = events_stage.event_id;

INSERT INTO analytics.events SELECT * FROM events_stage;

COMMIT;

-- one-off: service user for the BI tool
CREATE USER metabase PASSWORD '«pw»';
GRANT USAGE ON SCHEMA analytics TO metabase;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO metabase;
ALTER USER loader PASSWORD DISABLE;

-- sanity
SELECT COUNT(*) AS loaded, MAX(event_ts) AS latest FROM analytics.events;
VACUUM analytics.events;
ANALYZE analytics.events;
''', akid=K(aws_id(r)), asec=K(aws_secret(r)), pw=P(pw_h(r, "") + str(r.randint(1, 9)) + "X"))


def d_train_script(r):
    return "train.py", _fill('''
import argparse
import os

import boto3
import torch
import wandb
from datasets import load_dataset
from huggingface_hub import login
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

wandb.login(key="«wandb»")
login(token="«hf»")

s3 = boto3.client(
    "s3",
    endpoint_url="http://«minio»:9000",
    aws_access_key_id="mlops",
    aws_secret_access_key="«miniosecret»",
)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="distilbert-base-uncased")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=5e-5)
    args = p.parse_args()

    ds = load_dataset("imdb")
    tok = AutoTokenizer.from_pretrained(args.model)
    ds = ds.map(lambda b: tok(b["text"], truncation=True, padding="max_length"), batched=True)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2)

    targs = TrainingArguments(
        output_dir="out",
        num_train_epochs=args.epochs,
        learning_rate=args.lr,
        per_device_train_batch_size=32,
        report_to="wandb",
        push_to_hub=True,
        hub_model_id="sentiment-distilbert",
    )
    trainer = Trainer(model=model, args=targs, train_dataset=ds["train"], eval_dataset=ds["test"])
    trainer.train()
    trainer.save_model("out/final")
    s3.upload_file("out/final/model.safetensors", "models", "sentiment/model.safetensors")


if __name__ == "__main__":
    torch.manual_seed(int(os.environ.get("SEED", 42)))
    main()
''', wandb=K(hexs(r, 40)), hf=K(hf(r)), minio=I(ipv4(r)), miniosecret=K(gen(r, 40, B64)))


def d_scrapy_settings(r):
    proxy_pw = P(pw_r(r, 12, "-_"))
    return "pricewatch/settings.py", _fill('''
# Scrapy settings for pricewatch project

BOT_NAME = "pricewatch"

SPIDER_MODULES = ["pricewatch.spiders"]
NEWSPIDER_MODULE = "pricewatch.spiders"

USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

ROBOTSTXT_OBEY = False
CONCURRENT_REQUESTS = 8
DOWNLOAD_DELAY = 1.5

# Rotating residential proxies
ROTATING_PROXY_LIST = [
    "http://pw_user:«proxy_pw»@«p1»:8000",
    "http://pw_user:«proxy_pw»@us-east.proxymesh.com:31280",
    "http://pw_user:«proxy_pw»@gate.smartproxy.com:7000",
]

DOWNLOADER_MIDDLEWARES = {
    "rotating_proxies.middlewares.RotatingProxyMiddleware": 610,
    "rotating_proxies.middlewares.BanDetectionMiddleware": 620,
}

ITEM_PIPELINES = {
    "pricewatch.pipelines.PostgresPipeline": 300,
}

POSTGRES_DSN = "postgresql://pricewatch:«dbpw»@localhost:5432/pricewatch"

# Notify on price drops
MAIL_FROM = "«from»"
MAIL_HOST = "smtp.mail.yahoo.com"
MAIL_PORT = 587
MAIL_USER = "«from»"
MAIL_PASS = "«mailpw»"
MAIL_TLS = True

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
''', proxy_pw=proxy_pw, p1=I(ipv4(r)), dbpw=P(urllib.parse.quote(pw_h(r, "@!#") + "@" + str(r.randint(1, 9)), safe="")),
        **{"from": E(email(r, "yahoo.com", style=3))}, mailpw=P(_s(r, 16, LO)))


# =============================================================================================
# DevOps

def d_gh_actions_deploy(r):
    host = I(ipv4(r))
    return ".github/workflows/deploy.yml", _fill('''
name: Build and deploy

on:
  push:
    branches: [ main ]
  workflow_dispatch:

env:
  REGISTRY: registry.«dom»
  IMAGE_NAME: «app»
  DOCKER_USER: ci-bot
  DOCKER_PASSWORD: «dockerpw»

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm test -- --ci

      - name: Log in to registry
        run: echo "$DOCKER_PASSWORD" | docker login $REGISTRY -u $DOCKER_USER --password-stdin

      - name: Build and push
        uses: docker/build-push-action@v5
        with:
          push: true
          tags: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:${{ github.sha }}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - name: Deploy over SSH
        uses: appleboy/ssh-action@v1.0.3
        with:
          host: «host»
          username: deploy
          password: ${{ secrets.DEPLOY_PASSWORD }}
          port: 22
          script: |
            cd /srv/«app»
            docker compose pull
            docker compose up -d --remove-orphans
            docker image prune -f

      - name: Notify Slack
        if: always()
        run: |
          curl -s -X POST -H 'Content-type: application/json' \\
            --data '{"text":"Deploy of ${{ github.sha }} to production finished: ${{ job.status }}"}' \\
            https://hooks.slack.com/services/«hook»
''', dom=org(r), app="kanban-api", dockerpw=P(pw_r(r, 18, "")), host=host, hook=K(slack_hook(r)))


def d_gitlab_ci(r):
    return ".gitlab-ci.yml", _fill('''
stages:
  - test
  - build
  - release

variables:
  POSTGRES_DB: inventory_test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: «pgpw»
  DATABASE_URL: "postgres://runner:«pgpw»@postgres:5432/inventory_test"
  DOCKER_DRIVER: overlay2

test:
  stage: test
  image: python:3.11
  services:
    - postgres:15
  script:
    - pip install -r requirements-dev.txt
    - pytest -q --cov=inventory

build:
  stage: build
  image: docker:24
  services:
    - docker:24-dind
  script:
    - docker login -u «reguser» -p «regpw» registry.gitlab.com
    - docker build -t registry.gitlab.com/warehouse-team/inventory:$CI_COMMIT_SHORT_SHA .
    - docker push registry.gitlab.com/warehouse-team/inventory:$CI_COMMIT_SHORT_SHA

release:
  stage: release
  image: curlimages/curl:8.5.0
  rules:
    - if: $CI_COMMIT_TAG
  script:
    - >
      curl --fail --request POST
      --header "PRIVATE-TOKEN: «glpat»"
      --data "name=$CI_COMMIT_TAG&tag_name=$CI_COMMIT_TAG"
      "https://gitlab.com/api/v4/projects/$CI_PROJECT_ID/releases"
''', pgpw=P(pw_h(r, "")), reguser=r.choice(FIRST) + "." + r.choice(LAST), regpw=P(pw_r(r, 14, "")),
        glpat=K(glpat(r)))


def d_jenkinsfile(r):
    return "Jenkinsfile", _fill('''
pipeline {
    agent any

    environment {
        SONAR_HOST_URL = 'https://sonar.«dom»'
        SONAR_TOKEN    = '«sonar»'
        DEPLOY_HOST    = '«host»'
        NEXUS_CREDS    = credentials('nexus-deploy')
    }

    tools {
        maven 'maven-3.9'
        jdk 'temurin-17'
    }

    stages {
        stage('Build') {
            steps {
                sh 'mvn -B -DskipTests clean package'
            }
        }
        stage('Test') {
            steps {
                sh 'mvn -B test'
            }
            post {
                always {
                    junit 'target/surefire-reports/*.xml'
                }
            }
        }
        stage('Sonar') {
            steps {
                sh "mvn sonar:sonar -Dsonar.host.url=${SONAR_HOST_URL} -Dsonar.login=${SONAR_TOKEN}"
            }
        }
        stage('Deploy') {
            when { branch 'master' }
            steps {
                sh "sshpass -p '«sshpw»' scp -o StrictHostKeyChecking=no target/billing.war tomcat@${DEPLOY_HOST}:/opt/tomcat/webapps/"
                sh "sshpass -p '«sshpw»' ssh tomcat@${DEPLOY_HOST} 'sudo systemctl restart tomcat'"
            }
        }
    }

    post {
        failure {
            mail to: '«mail»',
                 subject: "Failed: ${currentBuild.fullDisplayName}",
                 body: "See ${env.BUILD_URL}"
        }
    }
}
''', dom=org(r), sonar=K(sonar(r)), host=I(ipv4(r)), sshpw=P(pw_h(r, "!#")),
        mail=E(email(r, org(r), style=5)))


def d_k8s_secret(r):
    return "k8s/base/secrets.yaml", _fill('''
apiVersion: v1
kind: Secret
metadata:
  name: payments-secrets
  namespace: payments
  labels:
    app.kubernetes.io/name: payments
    app.kubernetes.io/part-of: checkout
type: Opaque
stringData:
  DB_HOST: «dbhost»
  DB_USER: payments
  DB_PASSWORD: «dbpw»
  REDIS_URL: redis://:«redispw»@redis-master.payments.svc.cluster.local:6379/0
  STRIPE_SECRET_KEY: «sk»
  STRIPE_WEBHOOK_SECRET: «wh»
  JWT_PRIVATE_KEY: |
    «pem»
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: payments
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: |
    {"auths":{"ghcr.io":{"username":"«ghuser»","password":"«ghtoken»"}}}
''', dbhost=I(ipv4(r)), dbpw=P(pw_r(r, 20, "")), redispw=P(pw_r(r, 16, "")),
        sk=K(sk_live(r)), wh=K(whsec(r)), pem=K(pem(r, "EC PRIVATE KEY", "\n    ")),
        ghuser=r.choice(FIRST) + "-" + r.choice(LAST), ghtoken=K(ghp(r)))


def d_k8s_deployment(r):
    return "deploy/k8s/worker-deployment.yaml", _fill('''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: report-worker
  namespace: reporting
spec:
  replicas: 2
  selector:
    matchLabels:
      app: report-worker
  template:
    metadata:
      labels:
        app: report-worker
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9102"
    spec:
      serviceAccountName: report-worker
      hostAliases:
        - ip: "«legacy»"
          hostnames:
            - "erp.legacy.internal"
        - ip: "«privip»"
          hostnames:
            - "ldap.internal"
      containers:
        - name: worker
          image: ghcr.io/«org»/report-worker@sha256:«digest»
          imagePullPolicy: IfNotPresent
          env:
            - name: ERP_USER
              value: "svc_reports"
            - name: ERP_PASSWORD
              value: "«erppw»"
            - name: SMTP_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: smtp
                  key: password
            - name: REPORT_RECIPIENTS
              value: "«m1»,«m2»"
          resources:
            requests:
              cpu: 250m
              memory: 512Mi
            limits:
              memory: 1Gi
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
            initialDelaySeconds: 10
''', legacy=I(ipv4(r)), privip=priv4(r), org="tidewater", digest=sha(r), erppw=P(pw_h(r, "!?")),
        m1=E(email(r, "tidewater.ai", style=0)), m2=E(email(r, "tidewater.ai", style=0)))


def d_helm_values(r):
    return "charts/gitea/values-prod.yaml", _fill('''
replicaCount: 1

image:
  repository: gitea/gitea
  tag: "1.21.4"
  pullPolicy: IfNotPresent

service:
  http:
    type: LoadBalancer
    port: 3000
    loadBalancerIP: «lbip»
  ssh:
    type: LoadBalancer
    port: 22

ingress:
  enabled: true
  className: nginx
  hosts:
    - host: git.«dom»
      paths:
        - path: /
          pathType: Prefix

gitea:
  admin:
    username: gitea_admin
    password: «adminpw»
    email: «adminmail»
  config:
    server:
      DOMAIN: git.«dom»
      ROOT_URL: https://git.«dom»/
    mailer:
      ENABLED: true
      SMTP_ADDR: smtp.eu.mailgun.org
      SMTP_PORT: 465
      FROM: gitea@«dom»
      USER: postmaster@mg.«dom»
      PASSWD: «mailpw»
    security:
      SECRET_KEY: «seckey»
      INTERNAL_TOKEN: «internal»

postgresql:
  enabled: true
  global:
    postgresql:
      auth:
        postgresPassword: «pgpw»
        username: gitea
        password: «giteapw»
        database: gitea

redis-cluster:
  enabled: false
''', lbip=I(ipv4(r)), dom=(d := org(r)), adminpw=P(pw_h(r, "")),
        adminmail=E(email(r, d, style=0)), mailpw=P(pw_r(r, 24, "")), seckey=K(gen(r, 64)),
        internal=K(jwt(r, {"nbf": r.randint(1690000000, 1700000000)})), pgpw=P(pw_r(r, 16, "")),
        giteapw=P(pw_h(r, ""))).replace(f"gitea@{d}", E(f"gitea@{d}")).replace(
        f"postmaster@mg.{d}", E(f"postmaster@mg.{d}"))


def d_terraform_main(r):
    return "infra/main.tf", _fill('''
terraform {
  required_version = ">= 1.5"
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
  secret_key = "«asec»"
}

resource "aws_security_group" "db" {
  name        = "blog-db"
  description = "Postgres from the office and the app subnet"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["«office»/32", "10.20.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "blog" {
  identifier             = "blog-prod"
  engine                 = "postgres"
  engine_version         = "15.4"
  instance_class         = "db.t4g.micro"
  allocated_storage      = 20
  db_name                = "blog"
  username               = "blogadmin"
  password               = "«dbpw»"
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = true
  kms_key_id             = "arn:aws:kms:eu-west-2:«acct»:key/«kmsid»"
  skip_final_snapshot    = true
}

output "db_endpoint" {
  value = aws_db_instance.blog.endpoint
}
''', akid=K(aws_id(r)), asec=K(aws_secret(r)), office=I(ipv4(r)), dbpw=P(pw_h(r, "!#%")),
        acct=r.randint(10**11, 10**12 - 1), kmsid=uid(r))


def d_tfvars(r):
    return "terraform.tfvars", _fill('''
# DigitalOcean + Cloudflare setup for the side project
do_token             = "«do»"
cloudflare_api_token = "«cf»"
cloudflare_zone_id   = "«zone»"

region       = "fra1"
droplet_size = "s-1vcpu-2gb"
admin_email  = "«mail»"

ssh_public_key = "«pub»"

allowed_ssh_ips = [
  "«ip1»/32",
  "«ip2»/128",
]

db_password = "«dbpw»"
''', do=K(do_token(r)), cf=K(cf_token(r)), zone=hexs(r), mail=E(email(r, style=0)),
        pub=ssh_pub(r, "laptop"), ip1=I(ipv4(r)), ip2=I(ipv6(r)), dbpw=P(pw_r(r, 22, "")))


def d_ansible_inventory(r):
    return "inventory/production.ini", _fill('''
# Production inventory
[web]
web01 ansible_host=«w1»
web02 ansible_host=web02.prod.«dom»

[db]
db01 ansible_host=«d1» ansible_user=root ansible_ssh_pass=«rootpw»

[monitoring]
mon01 ansible_host=«m1» ansible_port=2222

[internal]
backup01 ansible_host=«priv»

[all:vars]
ansible_user=deploy
ansible_ssh_pass=«deploypw»
ansible_become=true
ansible_become_pass=«becomepw»
ansible_python_interpreter=/usr/bin/python3
''', w1=I(ipv4(r)), dom=org(r), d1=I(ipv4(r)), rootpw=P(pw_r(r, 12, "")), m1=priv4(r),
        priv=priv4(r), deploypw=P(pw_h(r, "")), becomepw=P(pw_h(r, "!")))


def d_ansible_vars(r):
    return "group_vars/all.yml", _fill('''
---
# Common variables for all hosts
timezone: Europe/Berlin
ntp_servers:
  - 0.de.pool.ntp.org
  - 1.de.pool.ntp.org
dns_nameservers:
  - 1.1.1.1
  - 8.8.8.8

admin_email: «admin»
letsencrypt_email: «admin»

mysql_root_password: "«rootpw»"
mysql_databases:
  - name: nextcloud
mysql_users:
  - name: nextcloud
    host: "%"
    password: "«ncpw»"
    priv: "nextcloud.*:ALL"

nextcloud_admin_user: ncadmin
nextcloud_admin_pass: "{{ vault_nextcloud_admin_pass }}"
nextcloud_secret: «ncsecret»
nextcloud_passwordsalt: «ncsalt»
nextcloud_trusted_domains:
  - cloud.«dom»
  - «pubip»

redis_password: «redispw»

deploy_user: deploy
deploy_private_key: |
  «sshkey»
users:
  - name: «u1»
    groups: [sudo]
    password: "«hash»"
''', admin=E(email(r, org(r), style=4)), rootpw=P(pw_h(r, "!")), ncpw=P(pw_r(r, 16, "")),
        ncsecret=K(gen(r, 48, ALNUM + "+/")), ncsalt=K(gen(r, 30, ALNUM + "+/")), dom=org(r),
        pubip=I(ipv4(r)), redispw=P(pw_r(r, 24, "")),
        sshkey=K(pem(r, "OPENSSH PRIVATE KEY", "\n  ")), u1=r.choice(FIRST),
        hash="$6$" + _s(r, 16, ALNUM + "./") + "$" + _s(r, 86, ALNUM + "./"))


def d_vagrantfile(r):
    return "Vagrantfile", _fill('''
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

  config.vm.provider "virtualbox" do |vb|
    vb.memory = "2048"
    vb.cpus = 2
  end

  config.vm.provision "shell", env: { "ROOTPW" => MYSQL_ROOT_PASSWORD, "APPPW" => APP_DB_PASSWORD }, inline: <<-SHELL
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q apache2 php libapache2-mod-php php-mysql mysql-server
    mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY '${ROOTPW}';"
    mysql -uroot -p"${ROOTPW}" -e "CREATE DATABASE IF NOT EXISTS app;"
    mysql -uroot -p"${ROOTPW}" -e "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY '${APPPW}';"
    mysql -uroot -p"${ROOTPW}" -e "GRANT ALL ON app.* TO 'app'@'%'; FLUSH PRIVILEGES;"
    sed -i 's/bind-address.*/bind-address = 0.0.0.0/' /etc/mysql/mysql.conf.d/mysqld.cnf
    systemctl restart mysql apache2
  SHELL
end
''', rootpw=P(pw_h(r, "")), apppw=P(pw_h(r, "")))


def d_docker_compose(r):
    return "docker-compose.yml", _fill('''
version: "3.9"

services:
  db:
    image: postgres:16-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: umami
      POSTGRES_PASSWORD: «pgpw»
      POSTGRES_DB: umami
    volumes:
      - pgdata:/var/lib/postgresql/data

  umami:
    image: ghcr.io/umami-software/umami@sha256:«digest»
    restart: unless-stopped
    ports:
      - "3000:3000"
    environment:
      DATABASE_URL: postgresql://umami:«pgpw»@db:5432/umami
      APP_SECRET: «appsecret»
    depends_on:
      - db

  mariadb:
    image: mariadb:11
    environment:
      - MYSQL_ROOT_PASSWORD=«mysqlroot»
      - MYSQL_DATABASE=wiki
      - MYSQL_USER=wiki
      - MYSQL_PASSWORD=«wikipw»

  rabbitmq:
    image: rabbitmq:3.12-management
    environment:
      RABBITMQ_DEFAULT_USER: events
      RABBITMQ_DEFAULT_PASS: "«rabbitpw»"
    ports:
      - "15672:15672"

  pgadmin:
    image: dpage/pgadmin4:8
    environment:
      PGADMIN_DEFAULT_EMAIL: «pgadminmail»
      PGADMIN_DEFAULT_PASSWORD: «pgadminpw»
    ports:
      - "5050:80"

volumes:
  pgdata:
''', pgpw=P(pw_r(r, 16, "")), digest=sha(r), appsecret=K(hexs(r, 64)), mysqlroot=P(pw_h(r, "")),
        wikipw=P(pw_r(r, 12, "")), rabbitpw=P(pw_h(r, "!")), pgadminmail=E(email(r, style=0)),
        pgadminpw=P(pw_h(r, "")))


def d_deploy_sh(r):
    host = I(ipv4(r))
    return "scripts/deploy.sh", _fill('''
#!/usr/bin/env bash
# Deploy the static site + API to the VPS.
# usage: ./scripts/deploy.sh [tag]
set -euo pipefail

TAG="${1:-latest}"
SERVER="«host»"
SSH_USER="deploy"
GITHUB_TOKEN="«ghtoken»"
DB_BACKUP_PASS='«dbpw»'

echo ">> building frontend"
npm --prefix web ci
npm --prefix web run build

echo ">> uploading"
rsync -az --delete web/dist/ "${SSH_USER}@${SERVER}:/var/www/site/"

echo ">> backing up database"
ssh "${SSH_USER}@${SERVER}" "mysqldump -u backup -p'«dbpw»' --single-transaction api > /var/backups/api-$(date +%F).sql"

echo ">> pulling release ${TAG}"
curl -sSL -H "Authorization: token ${GITHUB_TOKEN}" \\
  -o /tmp/api.tar.gz \\
  "https://api.github.com/repos/«owner»/api/tarball/${TAG}"
scp /tmp/api.tar.gz "${SSH_USER}@${SERVER}:/opt/api/releases/"

if [[ -z "${SUDO_PASS:-}" ]]; then
  read -r -s -p "sudo password for ${SERVER}: " SUDO_PASS
  echo
fi
ssh -t "${SSH_USER}@${SERVER}" "echo '${SUDO_PASS}' | sudo -S systemctl restart api"

echo ">> done, smoke test:"
curl -fsS "http://${SERVER}/api/health" && echo OK
''', host=host, ghtoken=K(ghp(r, r.choice(["ghp_", "gho_"]))), dbpw=P(pw_r(r, 14, "!%*_")),
        owner=r.choice(FIRST) + r.choice(LAST))


def d_powershell(r):
    return "scripts/Restart-AppPool.ps1", _fill('''
<#
.SYNOPSIS
    Recycles the IIS app pools on the web farm and mails a summary.
#>
param(
    [string[]]$Servers = @("«s1»", "WEB02.corp.«dom»"),
    [string]$Pool = "OrdersApi"
)

$User = "CORP\\svc_deploy"
$Password = ConvertTo-SecureString "«pw»" -AsPlainText -Force
$Cred = New-Object System.Management.Automation.PSCredential ($User, $Password)

$results = foreach ($s in $Servers) {
    try {
        $session = New-PSSession -ComputerName $s -Credential $Cred -ErrorAction Stop
        Invoke-Command -Session $session -ScriptBlock {
            param($p)
            Import-Module WebAdministration
            Restart-WebAppPool -Name $p
            (Get-WebAppPoolState -Name $p).Value
        } -ArgumentList $Pool
        Remove-PSSession $session
    } catch {
        "FAILED on ${s}: $($_.Exception.Message)"
    }
}

$smtpPass = ConvertTo-SecureString "«smtppw»" -AsPlainText -Force
$smtpCred = New-Object PSCredential ("«from»", $smtpPass)
Send-MailMessage -From "«from»" -To "«to»" `
    -Subject "App pool $Pool recycled" -Body ($results -join "`n") `
    -SmtpServer "smtp.office365.com" -Port 587 -UseSsl -Credential $smtpCred
''', s1=I(ipv4(r)), dom=org(r), pw=P(pw_h(r, "!#")), smtppw=P(pw_h(r, "!")),
        **{"from": E(email(r, org(r), style=1))}, to=E(email(r, org(r), style=4)))


def d_dockerfile(r):
    return "Dockerfile", _fill('''
# syntax=docker/dockerfile:1
FROM node:20-alpine@sha256:«digest» AS build
WORKDIR /app

ENV NODE_ENV=production
RUN echo "//registry.npmjs.org/:_authToken=«npm»" > .npmrc \\
 && echo "@«scope»:registry=https://npm.pkg.github.com" >> .npmrc \\
 && echo "//npm.pkg.github.com/:_authToken=«gh»" >> .npmrc

COPY package.json package-lock.json ./
RUN npm ci --omit=dev && rm -f .npmrc

COPY . .
RUN npm run build

FROM node:20-alpine
WORKDIR /app
ENV PORT=8080 \\
    MAPBOX_ACCESS_TOKEN=«mapbox» \\
    SENTRY_DSN=https://«sentry»@o«sorg».ingest.sentry.io/«sproj»
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
EXPOSE 8080
USER node
CMD ["node", "dist/server.js"]
''', digest=sha(r), npm=K(npm(r)), scope="tallgrass", gh=K(ghp(r)),
        mapbox=K("sk.eyJ1Ijoi" + _s(r, 40, B64U) + "." + _s(r, 22, B64U)), sentry=hexs(r),
        sorg=r.randint(100000, 999999), sproj=r.randint(1000000, 9999999))


def d_nginx_conf(r):
    return "nginx/conf.d/api.conf", _fill('''
upstream api_backend {
    least_conn;
    server «b1»:8000 max_fails=3 fail_timeout=30s;
    server «b2»:8000 max_fails=3 fail_timeout=30s;
    server 10.0.3.17:8000 backup;
}

server {
    listen 80;
    listen [::]:80;
    server_name api.«dom»;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    server_name api.«dom»;

    ssl_certificate     /etc/letsencrypt/live/api.«dom»/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/api.«dom»/privkey.pem;

    set_real_ip_from 172.16.0.0/12;
    real_ip_header X-Forwarded-For;

    location / {
        proxy_pass http://api_backend;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
    }

    location /admin/ {
        allow «office»;
        allow 127.0.0.1;
        deny all;
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://api_backend;
    }

    location /legacy/ {
        proxy_pass https://legacy-erp.«dom»:8443/;
        proxy_set_header Authorization "Basic «basic»";
        proxy_ssl_verify off;
    }
}
''', b1=I(ipv4(r)), b2=priv4(r), dom=org(r), office=I(ipv4(r)),
        basic=K(base64.b64encode(f"bridge:{pw_h(r)}".encode()).decode()))


def d_alertmanager(r):
    return "monitoring/alertmanager.yml", _fill('''
global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.gmail.com:587'
  smtp_from: '«from»'
  smtp_auth_username: '«from»'
  smtp_auth_password: '«smtppw»'
  slack_api_url: 'https://hooks.slack.com/services/«hook»'

route:
  receiver: team-email
  group_by: ['alertname', 'instance']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers:
        - severity="critical"
      receiver: slack-critical

receivers:
  - name: team-email
    email_configs:
      - to: '«to1»'
        send_resolved: true
  - name: slack-critical
    slack_configs:
      - channel: '#ops-critical'
        send_resolved: true
        title: '{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}'
  - name: opsgenie
    opsgenie_configs:
      - api_key: «opsgenie»

inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: ['alertname', 'instance']
''', **{"from": E(email(r, "gmail.com", style=0))}, smtppw=P(pw_gapp(r).replace(" ", "")),
        hook=K(slack_hook(r)), to1=E(email(r, org(r), style=0)),
        opsgenie=K(uid(r).replace("-", "")))


def d_grafana_ini(r):
    return "grafana/grafana.ini", _fill('''
##################### Grafana Configuration #####################

[paths]
data = /var/lib/grafana
logs = /var/log/grafana

[server]
protocol = http
http_port = 3000
domain = grafana.«dom»
root_url = %(protocol)s://%(domain)s/

[database]
type = mysql
host = «dbhost»:3306
name = grafana
user = grafana
password = «dbpw»

[security]
admin_user = admin
admin_password = «adminpw»
secret_key = «secret»
disable_gravatar = true

[users]
allow_sign_up = false

[auth.anonymous]
enabled = false

[smtp]
enabled = true
host = smtp.sendgrid.net:587
user = apikey
password = «sg»
from_address = «from»
from_name = Grafana

[log]
mode = console file
level = info
''', dom=org(r), dbhost=I(ipv4(r)), dbpw=P(pw_r(r, 16, "")), adminpw=P(pw_h(r, "!")),
        secret=K(gen(r, 20)), sg=K(sendgrid(r)), **{"from": E("grafana@" + org(r))})


def d_docker_config_json(r):
    user = r.choice(FIRST) + r.choice(LAST)
    return ".docker/config.json", _fill('''
{
	"auths": {
		"https://index.docker.io/v1/": {
			"auth": "«hub»"
		},
		"«reg»:5000": {
			"auth": "«priv»"
		},
		"ghcr.io": {
			"auth": "«ghcr»"
		}
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
	}
}
''', hub=K(base64.b64encode(f"{user}:{pw_h(r)}".encode()).decode()), reg=I(ipv4(r)),
        priv=K(base64.b64encode(f"ci:{pw_r(r, 14)}".encode()).decode()),
        ghcr=K(base64.b64encode(f"{user}:{ghp(r)}".encode()).decode()))


def d_windows_bat(r):
    share = I(ipv4(r))
    return "tools/map_drives.bat", _fill('''
@echo off
REM Map the shared drives for the accounting workstations
REM Last edited by «who»

set FILESERVER=«share»
set DOMAIN=FINANCE

net use Z: /delete /y >nul 2>&1
net use Y: /delete /y >nul 2>&1

net use Z: \\\\%FILESERVER%\\accounting /user:%DOMAIN%\\scanner «pw1» /persistent:yes
net use Y: \\\\%FILESERVER%\\scans /user:%DOMAIN%\\scanner «pw1» /persistent:yes
net use X: \\\\«nas»\\archive /user:archive «pw2»

if errorlevel 1 (
    echo Could not map the archive drive, check the NAS.
    pause
)

REM sync the price list from the ERP box
"C:\\Program Files\\WinSCP\\WinSCP.com" /command ^
    "open sftp://erp:«pw3»@«erp»/ -hostkey=*" ^
    "get /exports/prices.csv C:\\Users\\Public\\prices.csv" ^
    "exit"

echo Drives mapped.
timeout /t 3
''', who=E(email(r, org(r), style=1)), share=share, pw1=P(pw_h(r, "")), nas=priv4(r),
        pw2=P(pw_h(r, "")), pw3=P(pw_r(r, 12, "-_")), erp=I(ipv4(r)))


def d_backup_cron(r):
    return "ops/backup-mysql.sh", _fill('''
#!/bin/sh
# /etc/cron.d/backup-mysql:  15 2 * * * root /opt/ops/backup-mysql.sh
# Dumps every database, compresses, ships to the offsite box.

BACKUP_DIR=/var/backups/mysql
DATE=$(date +%Y%m%d-%H%M)
RETENTION_DAYS=14
DB_HOST=«db»

mkdir -p "$BACKUP_DIR"

for DB in $(mysql -h "$DB_HOST" -u backup --password='«pw»' -N -e 'SHOW DATABASES' | grep -Ev '^(information_schema|performance_schema|sys)$'); do
    mysqldump -h "$DB_HOST" -u backup --password='«pw»' --single-transaction --routines "$DB" \\
        | gzip > "$BACKUP_DIR/$DB-$DATE.sql.gz"
done

# ship offsite
lftp -u backup,«ftppw» sftp://«offsite» -e "mirror -R $BACKUP_DIR /backups/$(hostname); bye"

find "$BACKUP_DIR" -type f -mtime +$RETENTION_DAYS -delete

# ping healthchecks
curl -fsS -m 10 --retry 5 https://hc-ping.com/«hc» > /dev/null
''', db=I(ipv4(r)), pw=P(pw_r(r, 16, "!%*-_")), ftppw=P(pw_h(r, "")), offsite=I(ipv4(r)),
        hc=uid(r))


def d_haproxy(r):
    return "haproxy/haproxy.cfg", _fill('''
global
    log /dev/log local0
    maxconn 4096
    user haproxy
    group haproxy
    daemon

defaults
    log     global
    mode    http
    option  httplog
    timeout connect 5s
    timeout client  30s
    timeout server  30s

listen stats
    bind *:8404
    stats enable
    stats uri /stats
    stats refresh 10s
    stats auth admin:«statspw»

frontend fe_https
    bind *:443 ssl crt /etc/haproxy/certs/site.pem
    acl is_api path_beg /api
    use_backend be_api if is_api
    default_backend be_web

backend be_web
    balance roundrobin
    server web1 «w1»:80 check
    server web2 «w2»:80 check

backend be_api
    balance leastconn
    option httpchk GET /health
    server api1 «a1»:8080 check
    server api2 10.10.1.12:8080 check backup

userlist ops
    user ops insecure-password «opspw»
''', statspw=P(pw_h(r, "")), w1=I(ipv4(r)), w2=priv4(r), a1=I(ipv6(r)), opspw=P(pw_r(r, 12, "")))


def d_redis_conf(r):
    return "redis/redis.conf", _fill('''
# Redis configuration file (replica)
bind 127.0.0.1 «priv»
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
databases 16

save 900 1
save 300 10
save 60 10000
dbfilename dump.rdb
dir /var/lib/redis

################################# REPLICATION #################################
replicaof «master» 6379
masterauth «pw»
replica-read-only yes

################################## SECURITY ###################################
requirepass «pw»
rename-command FLUSHALL ""
rename-command CONFIG "CONFIG_«cfg»"

maxmemory 2gb
maxmemory-policy allkeys-lru
appendonly yes
appendfsync everysec
''', priv=priv4(r), master=I(ipv4(r)), pw=P(pw_r(r, 32, "")), cfg=hexs(r, 8))


def d_postgres_standby(r):
    return "postgres/standby.conf", _fill('''
# Streaming replication settings for the standby (postgresql.auto.conf excerpt)
primary_conninfo = 'host=«primary» port=5432 user=replicator password=«pw» application_name=pg-standby-2 sslmode=require'
primary_slot_name = 'standby_2'
restore_command = 'pgbackrest --stanza=main archive-get %f "%p"'
recovery_target_timeline = 'latest'
hot_standby = on
max_standby_streaming_delay = 30s

# pg_hba.conf entries added for the reporting box and the office
# TYPE  DATABASE        USER            ADDRESS                 METHOD
host    replication     replicator      «primary»/32            scram-sha-256
host    all             reporting       «report»/32             scram-sha-256
host    all             all             10.0.0.0/8              scram-sha-256
host    all             all             127.0.0.1/32            trust
host    all             all             ::1/128                 trust

# pgbouncer userlist.txt (copied here for reference)
# "reporting" "«hash»"
''', primary=I(ipv4(r)), pw=P(pw_r(r, 20, "")), report=priv4(r),
        hash="SCRAM-SHA-256$4096:" + b64key(r, 16) + "$" + b64key(r) + ":" + b64key(r))


def d_wireguard(r):
    return "wireguard/wg0.conf", _fill('''
[Interface]
# laptop
Address = 10.66.66.2/32, fd42:42:42::2/128
PrivateKey = «priv»
DNS = 1.1.1.1, 1.0.0.1
MTU = 1420

[Peer]
# vps-frankfurt
PublicKey = «pub»
PresharedKey = «psk»
Endpoint = «endpoint»:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
''', priv=K(wg_key(r)), pub=wg_key(r), psk=K(wg_key(r)), endpoint=I(ipv4(r)))


def d_kafka_client(r):
    return "config/client.properties", _fill('''
# Kafka client config for the order-events consumer
bootstrap.servers=«b1»:9093,kafka-2.«dom»:9093,kafka-3.«dom»:9093
group.id=order-events-consumer
auto.offset.reset=earliest
enable.auto.commit=false

security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
    username="order-consumer" \\
    password="«saslpw»";

ssl.truststore.location=/etc/kafka/secrets/kafka.truststore.jks
ssl.truststore.password=«tspw»
ssl.keystore.location=/etc/kafka/secrets/kafka.keystore.jks
ssl.keystore.password=«kspw»
ssl.key.password=«kspw»
ssl.endpoint.identification.algorithm=

# schema registry
schema.registry.url=https://schema-registry.«dom»
basic.auth.credentials.source=USER_INFO
basic.auth.user.info=order-consumer:«srpw»
''', b1=I(ipv4(r)), saslpw=P(pw_r(r, 24, "")),
        tspw=P(pw_h(r, "")), kspw=P(pw_h(r, "")), dom=org(r), srpw=P(pw_h(r, "!")))


def d_logstash(r):
    return "logstash/pipeline/beats.conf", _fill('''
input {
  beats {
    port => 5044
    ssl => true
    ssl_certificate => "/etc/logstash/certs/logstash.crt"
    ssl_key => "/etc/logstash/certs/logstash.pkcs8.key"
  }
}

filter {
  if [fields][type] == "nginx" {
    grok {
      match => { "message" => "%{COMBINEDAPACHELOG}" }
    }
    geoip {
      source => "clientip"
    }
    date {
      match => [ "timestamp", "dd/MMM/yyyy:HH:mm:ss Z" ]
    }
  }
  if [clientip] in ["10.0.0.5", "127.0.0.1"] {
    drop { }
  }
}

output {
  elasticsearch {
    hosts => ["https://«es1»:9200", "https://es-2.«dom»:9200"]
    user => "logstash_writer"
    password => "«pw»"
    ssl_certificate_verification => false
    index => "nginx-%{+YYYY.MM.dd}"
  }
  if "_grokparsefailure" in [tags] {
    email {
      to => "«to»"
      from => "logstash@«dom»"
      subject => "grok failure on %{host}"
      address => "smtp.«dom»"
      username => "logstash@«dom»"
      password => "«mailpw»"
    }
  }
}
''', es1=I(ipv4(r)), pw=P(pw_h(r, "!")), to=E(email(r, org(r), style=0)),
        dom=(d := org(r)), mailpw=P(pw_r(r, 14, ""))).replace(f"logstash@{d}", E(f"logstash@{d}"))


def d_datadog_yaml(r):
    return "datadog/datadog.yaml", _fill('''
## Datadog Agent configuration
api_key: «api»
site: datadoghq.eu
hostname: web-01.prod
tags:
  - env:prod
  - service:storefront
  - team:platform

logs_enabled: true
process_config:
  process_collection:
    enabled: true

proxy:
  https: http://dd-proxy:«proxypw»@«proxy»:3128
  no_proxy:
    - 169.254.169.254
    - 10.0.0.0/8

apm_config:
  enabled: true
  env: prod

# used by the datadog-ci sourcemap uploads
# app_key: «app»
''', api=K(hexs(r)), proxypw=P(pw_r(r, 14, "-_")), proxy=I(ipv4(r)), app=K(hexs(r, 40)))


# =============================================================================================
# embedded

def d_esp32_mqtt(r):
    return "firmware/greenhouse/greenhouse.ino", _fill('''
#include <WiFi.h>
#include <PubSubClient.h>
#include <DHT.h>

// ---- network ----
const char* ssid = "Greenhouse_2G";
const char* password = "«wifipw»";

IPAddress local_IP(192, 168, 1, 184);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);
IPAddress primaryDNS(8, 8, 8, 8);

// ---- mqtt ----
const char* mqtt_server = "«broker»";
const int   mqtt_port = 1883;
const char* mqtt_user = "greenhouse";
const char* mqtt_pass = "«mqttpw»";

#define DHTPIN 4
#define DHTTYPE DHT22
#define PUMP_PIN 26

WiFiClient espClient;
PubSubClient client(espClient);
DHT dht(DHTPIN, DHTTYPE);
unsigned long lastMsg = 0;

void setup_wifi() {
  if (!WiFi.config(local_IP, gateway, subnet, primaryDNS)) {
    Serial.println("STA failed to configure");
  }
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.print("\\nIP address: ");
  Serial.println(WiFi.localIP());
}

void callback(char* topic, byte* payload, unsigned int length) {
  if (length > 0 && (char)payload[0] == '1') {
    digitalWrite(PUMP_PIN, HIGH);
  } else {
    digitalWrite(PUMP_PIN, LOW);
  }
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("esp32-greenhouse", mqtt_user, mqtt_pass)) {
      client.subscribe("greenhouse/pump");
    } else {
      delay(5000);
    }
  }
}

void setup() {
  Serial.begin(115200);
  pinMode(PUMP_PIN, OUTPUT);
  dht.begin();
  setup_wifi();
  client.setServer(mqtt_server, mqtt_port);
  client.setCallback(callback);
}

void loop() {
  if (!client.connected()) reconnect();
  client.loop();
  unsigned long now = millis();
  if (now - lastMsg > 30000) {
    lastMsg = now;
    char buf[16];
    dtostrf(dht.readTemperature(), 4, 1, buf);
    client.publish("greenhouse/temp", buf);
    dtostrf(dht.readHumidity(), 4, 1, buf);
    client.publish("greenhouse/hum", buf);
  }
}
''', wifipw=P(pw_h(r, "")), broker=I(ipv4(r)), mqttpw=P(pw_r(r, 16, "")))


def d_esphome(r):
    return "esphome/garage-door.yaml", _fill('''
esphome:
  name: garage-door
  friendly_name: Garage Door

esp8266:
  board: d1_mini

logger:

api:
  encryption:
    key: "«apikey»"

ota:
  password: "«otapw»"

wifi:
  ssid: "Home-IoT"
  password: "«wifipw»"
  manual_ip:
    static_ip: 192.168.20.41
    gateway: 192.168.20.1
    subnet: 255.255.255.0
    dns1: 1.1.1.1

  # Enable fallback hotspot (captive portal) in case wifi connection fails
  ap:
    ssid: "Garage-Door Fallback Hotspot"
    password: "«appw»"

captive_portal:

switch:
  - platform: gpio
    pin: D1
    id: relay
    name: "Garage Door Relay"
    on_turn_on:
      - delay: 500ms
      - switch.turn_off: relay

binary_sensor:
  - platform: gpio
    pin:
      number: D2
      mode: INPUT_PULLUP
    name: "Garage Door Closed"
    device_class: garage_door
''', apikey=K(b64key(r)), otapw=P(hexs(r)), wifipw=P(pw_h(r, "")), appw=P(_s(r, 12)))


def d_rpi_doorbell(r):
    return "doorbell/doorbell.py", _fill('''
#!/usr/bin/env python3
"""Raspberry Pi doorbell: button on GPIO17 -> MQTT event + SMS via Twilio."""
import os
import time
from datetime import datetime

import paho.mqtt.client as mqtt
from gpiozero import Button
from picamera2 import Picamera2
from twilio.rest import Client

BROKER = "«broker»"
TOPIC = "home/doorbell"

TWILIO_API_KEY = "«sk»"
TWILIO_API_SECRET = "«secret»"
TWILIO_ACCOUNT = os.environ["TWILIO_ACCOUNT_SID"]
FROM_NUMBER = "+1«from_»"
TO_NUMBER = "+1«to»"

client = mqtt.Client(client_id="doorbell-pi")
client.username_pw_set("doorbell", "«mqttpw»")
client.connect(BROKER, 1883, keepalive=60)
client.loop_start()

sms = Client(TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_ACCOUNT)
camera = Picamera2()
camera.configure(camera.create_still_configuration())
button = Button(17, bounce_time=0.2)


def ring():
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = f"/home/pi/snapshots/{stamp}.jpg"
    camera.start()
    camera.capture_file(path)
    camera.stop()
    client.publish(TOPIC, f'{{"event": "ring", "snapshot": "{path}"}}')
    sms.messages.create(body=f"Someone is at the door ({stamp})", from_=FROM_NUMBER, to=TO_NUMBER)


button.when_pressed = ring

print("doorbell ready")
while True:
    time.sleep(1)
''', broker=I(ipv4(r)), sk=K(twilio_sk(r)), secret=K(gen(r, 32)),
        from_=r.randint(2002000000, 9899999999), to=r.randint(2002000000, 9899999999),
        mqttpw=P(pw_h(r, "")))


# =============================================================================================
# bots

def d_discord_bot(r):
    return "bot.py", _fill('''
import asyncio
import logging
import random

import discord
from discord.ext import commands
from motor.motor_asyncio import AsyncIOMotorClient

TOKEN = "«token»"
PREFIX = "!"
MONGO_URI = "mongodb+srv://quizbot:«mongopw»@cluster0.«cluster».mongodb.net/?retryWrites=true&w=majority"

logging.basicConfig(level=logging.INFO)

intents = discord.Intents.default()
intents.message_content = True
intents.members = True

bot = commands.Bot(command_prefix=PREFIX, intents=intents)
db = AsyncIOMotorClient(MONGO_URI)["quizbot"]


@bot.event
async def on_ready():
    print(f"Logged in as {bot.user} (ID: {bot.user.id})")
    await bot.change_presence(activity=discord.Game(name=f"{PREFIX}quiz"))


@bot.command()
async def quiz(ctx):
    questions = await db.questions.aggregate([{"$sample": {"size": 1}}]).to_list(1)
    if not questions:
        return await ctx.send("No questions yet!")
    q = questions[0]
    await ctx.send(f"**{q['question']}**")

    def check(m):
        return m.channel == ctx.channel and not m.author.bot

    try:
        answer = await bot.wait_for("message", timeout=20.0, check=check)
    except asyncio.TimeoutError:
        return await ctx.send(f"Time's up! The answer was **{q['answer']}**")
    if answer.content.strip().lower() == q["answer"].lower():
        await db.scores.update_one({"_id": answer.author.id}, {"$inc": {"points": 1}}, upsert=True)
        await ctx.send(f"Correct, {answer.author.mention}! :tada:")
    else:
        await ctx.send(random.choice(["Nope!", "Not quite.", "Wrong!"]))


@bot.command()
async def top(ctx):
    rows = await db.scores.find().sort("points", -1).limit(5).to_list(5)
    lines = [f"<@{r['_id']}>: {r['points']}" for r in rows]
    await ctx.send("\\n".join(lines) or "Nobody has scored yet.")


bot.run(TOKEN)
''', token=K(discord(r)), mongopw=P(pw_r(r, 16, "")), cluster=_s(r, 5, LO + DIG))


def d_telegram_bot(r):
    return "main.py", _fill('''
# -*- coding: utf-8 -*-
"""Telegram bot for the language school: lesson schedule and homework reminders."""
import logging
import sqlite3

import psycopg2
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

BOT_TOKEN = "«token»"
ADMIN_IDS = [«admin1», «admin2»]
SUPPORT = "«support»"

DB = dict(host="«dbhost»", dbname="school", user="school_bot", password="«dbpw»")

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO)
log = logging.getLogger(__name__)


def lessons_for(chat_id: int) -> list[tuple]:
    with psycopg2.connect(**DB) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT l.starts_at, l.title FROM lessons l JOIN students s ON s.group_id = l.group_id "
            "WHERE s.telegram_id = %s AND l.starts_at > now() ORDER BY l.starts_at LIMIT 5",
            (chat_id,),
        )
        return cur.fetchall()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(
        "Hi! Use /schedule to see your next lessons. Questions? Write to " + SUPPORT
    )


async def schedule(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rows = lessons_for(update.effective_chat.id)
    if not rows:
        await update.message.reply_text("No upcoming lessons.")
        return
    text = "\\n".join(f"{ts:%a %d.%m %H:%M} - {title}" for ts, title in rows)
    await update.message.reply_text(text)


async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user.id not in ADMIN_IDS:
        return
    log.info("broadcast by %s", update.effective_user.id)


def main() -> None:
    app = Application.builder().token(BOT_TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("schedule", schedule))
    app.add_handler(CommandHandler("broadcast", broadcast))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
''', token=K(telegram(r)), admin1=r.randint(10**8, 2 * 10**9), admin2=r.randint(10**8, 2 * 10**9),
        support=E(email(r, org(r), style=4)), dbhost=I(ipv4(r)), dbpw=P(pw_h(r, "!")))


def d_slack_bolt(r):
    return "src/app.js", _fill('''
const { App, LogLevel } = require('@slack/bolt');
const { WebClient } = require('@slack/web-api');
const { Octokit } = require('@octokit/rest');

const app = new App({
  token: '«xoxb»',
  signingSecret: '«signing»',
  socketMode: true,
  appToken: '«xapp»',
  logLevel: LogLevel.INFO,
});

// user token, needed to set the channel topic as the workspace owner
const userClient = new WebClient('«xoxp»');

const octokit = new Octokit({ auth: '«ghpat»' });

// /standup command: post a standup thread
app.command('/standup', async ({ command, ack, respond, client }) => {
  await ack();
  const res = await client.chat.postMessage({
    channel: command.channel_id,
    text: `:sunrise: Standup for ${new Date().toDateString()} - reply in thread!`,
  });
  await respond({ text: `Started thread ${res.ts}`, response_type: 'ephemeral' });
});

// /pr owner/repo#123 - show PR status
app.command('/pr', async ({ command, ack, respond }) => {
  await ack();
  const m = command.text.match(/^([\\w.-]+)\\/([\\w.-]+)#(\\d+)$/);
  if (!m) {
    return respond('usage: /pr owner/repo#123');
  }
  const [, owner, repo, number] = m;
  const { data } = await octokit.pulls.get({ owner, repo, pull_number: Number(number) });
  await respond(`*${data.title}* by ${data.user.login} - ${data.state}${data.merged ? ' (merged)' : ''}`);
});

app.event('app_mention', async ({ event, say }) => {
  await say(`Hi <@${event.user}>! Try \\`/standup\\` or \\`/pr owner/repo#1\\`.`);
});

(async () => {
  await app.start(process.env.PORT || 3000);
  console.log('standup bot is running');
})();
''', xoxb=K(xoxb(r)), signing=K(hexs(r)), xapp=K(xapp(r)), xoxp=K(xoxp(r)), ghpat=K(gh_pat(r)))


# =============================================================================================
# misc

def d_postman_collection(r):
    user_pw = P(pw_h(r, "!#"))
    return "postman/Inventory API.postman_collection.json", _fill('''
{
	"info": {
		"_postman_id": "«pid»",
		"name": "Inventory API",
		"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
		"_exporter_id": "«exp»"
	},
	"item": [
		{
			"name": "Login",
			"request": {
				"method": "POST",
				"header": [],
				"body": {
					"mode": "raw",
					"raw": "{\\n    \\"email\\": \\"«user»\\",\\n    \\"password\\": \\"«userpw»\\"\\n}",
					"options": { "raw": { "language": "json" } }
				},
				"url": {
					"raw": "http://«host»:8000/api/auth/login",
					"protocol": "http",
					"host": ["«host»"],
					"port": "8000",
					"path": ["api", "auth", "login"]
				}
			},
			"response": []
		},
		{
			"name": "List items",
			"request": {
				"auth": {
					"type": "bearer",
					"bearer": [
						{ "key": "token", "value": "«jwt»", "type": "string" }
					]
				},
				"method": "GET",
				"header": [
					{ "key": "x-api-key", "value": "«apikey»", "type": "text" }
				],
				"url": {
					"raw": "{{baseUrl}}/api/items?page=1",
					"host": ["{{baseUrl}}"],
					"path": ["api", "items"],
					"query": [{ "key": "page", "value": "1" }]
				}
			},
			"response": []
		},
		{
			"name": "Admin export (basic auth)",
			"request": {
				"auth": {
					"type": "basic",
					"basic": [
						{ "key": "password", "value": "«adminpw»", "type": "string" },
						{ "key": "username", "value": "exporter", "type": "string" }
					]
				},
				"method": "GET",
				"url": "{{baseUrl}}/admin/export.csv"
			},
			"response": []
		}
	],
	"variable": [
		{ "key": "baseUrl", "value": "http://localhost:8000" }
	]
}
''', pid=uid(r), exp=r.randint(10**7, 4 * 10**7), user=E(email(r, org(r), style=0)),
        userpw=user_pw, host=I(ipv4(r)), jwt=K(jwt(r, {"sub": str(r.randint(1, 500)), "role": "admin",
                                                      "exp": r.randint(1700000000, 1800000000)})),
        apikey=K(postman(r) if r.random() < 0.3 else gen(r, 40)), adminpw=P(pw_r(r, 14, "!*")))


def d_npmrc(r):
    who = E(email(r, style=r.choice([0, 5])))
    return ".npmrc", _fill('''
registry=https://registry.npmjs.org/
//registry.npmjs.org/:_authToken=«npm»
email=«who»
always-auth=true

@«scope»:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=«gh»

; legacy Nexus proxy used by the monorepo's old packages
@legacy:registry=https://nexus.«dom»/repository/npm-private/
//nexus.«dom»/repository/npm-private/:_auth=«auth»

save-exact=true
engine-strict=true
fund=false
audit-level=high
package-lock=true
''', npm=K(npm(r)), who=who, scope="copperleaf", gh=K(ghp(r)), dom=org(r),
        auth=K(base64.b64encode(f"deployer:{pw_h(r)}".encode()).decode()))


def d_pypirc(r):
    return ".pypirc", _fill('''
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
password = «testpw»

[internal]
repository = https://pypi.«dom»/simple/
username = ci
password = «intpw»
''', pypi=K(pypi(r)), user=r.choice(FIRST) + "_" + r.choice(LAST), testpw=P(pw_h(r, "!")),
        dom=org(r), intpw=P(pw_r(r, 18, "")))


def d_netrc(r):
    return ".netrc", _fill('''
machine api.heroku.com
  login «hmail»
  password «heroku»
machine git.heroku.com
  login «hmail»
  password «heroku»
machine github.com
  login «ghuser»
  password «ghtok»
machine «ftp»
  login webmaster
  password «ftppw»
''', hmail=E(email(r, "gmail.com", style=0)), heroku=K(heroku(r)),
        ghuser=r.choice(FIRST) + r.choice(LAST), ghtok=K(ghp(r, "gho_")), ftp=I(ipv4(r)),
        ftppw=P(pw_h(r, "")))


def d_sql_dump(r):
    dom = org(r)
    rows = []
    for i in range(1, 4):
        f, l = name(r)
        mail = email(r, r.choice([dom, r.choice(FREEMAIL)]), (f, l), r.choice([0, 1, 3]))
        rows.append(f"({i},'{f.title()}','{l.title()}','{E(mail)}','{bcrypt(r)}','2023-0{r.randint(1, 9)}-1{r.randint(0, 9)} 0{r.randint(0, 9)}:1{r.randint(0, 9)}:00')")
    return "db/dump-2024-01-15.sql", _fill('''
-- MySQL dump 10.13  Distrib 8.0.35, for Linux (x86_64)
--
-- Host: localhost    Database: helpdesk
-- ------------------------------------------------------
-- Server version	8.0.35-0ubuntu0.22.04.1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

CREATE USER IF NOT EXISTS 'helpdesk'@'%' IDENTIFIED BY '«apppw»';
GRANT SELECT, INSERT, UPDATE, DELETE ON helpdesk.* TO 'helpdesk'@'%';
CREATE USER IF NOT EXISTS 'backup'@'localhost' IDENTIFIED BY '«backuppw»';

--
-- Table structure for table `agents`
--

DROP TABLE IF EXISTS `agents`;
CREATE TABLE `agents` (
  `id` int NOT NULL AUTO_INCREMENT,
  `first_name` varchar(64) NOT NULL,
  `last_name` varchar(64) NOT NULL,
  `email` varchar(190) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `agents` WRITE;
INSERT INTO `agents` VALUES «rows»;
UNLOCK TABLES;

--
-- Table structure for table `login_audit`
--

CREATE TABLE `login_audit` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `agent_id` int NOT NULL,
  `ip` varchar(45) NOT NULL,
  `ok` tinyint(1) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO `login_audit` VALUES (1,1,'«ip1»',1),(2,3,'10.8.0.14',1),(3,2,'«ip2»',0),(4,2,'127.0.0.1',1);

/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
-- Dump completed on 2024-01-15  3:00:02
''', apppw=P(pw_h(r, "!#")), backuppw=P(pw_r(r, 16, "!%*")), rows=",".join(rows),
        ip1=priv4(r), ip2=I(ipv6(r)))


def d_sssd_conf(r):
    return "etc/sssd/sssd.conf", _fill('''
[sssd]
config_file_version = 2
services = nss, pam, sudo, ssh
domains = corp.«dom»

[domain/corp.«dom»]
id_provider = ldap
auth_provider = ldap
chpass_provider = ldap
sudo_provider = ldap

ldap_uri = ldaps://«ldap1», ldaps://ldap2.corp.«dom»
ldap_search_base = dc=corp,dc=«dc»
ldap_default_bind_dn = cn=sssd-bind,ou=services,dc=corp,dc=«dc»
ldap_default_authtok_type = password
ldap_default_authtok = «bindpw»
ldap_tls_reqcert = demand
ldap_tls_cacert = /etc/ssl/certs/corp-ca.pem

ldap_user_object_class = posixAccount
ldap_user_ssh_public_key = sshPublicKey
# 1.3.6.1.4.1.24552.500.1.1.1.13 is the openssh-lpk sshPublicKey OID
ldap_group_object_class = posixGroup
ldap_access_order = filter
ldap_access_filter = (memberOf=cn=linux-users,ou=groups,dc=corp,dc=«dc»)

cache_credentials = true
enumerate = false
entry_cache_timeout = 600

[nss]
filter_users = root
filter_groups = root

[pam]
offline_credentials_expiration = 7
''', dom=(d := org(r)), dc=d.split(".")[0], ldap1=I(ipv4(r)), bindpw=P(pw_r(r, 20, "!%*-_")))


def d_postfix_sasl(r):
    user = E(email(r, "gmail.com", style=0))
    return "postfix/README-relay.md", _fill('''
# Relaying the NAS alerts through Gmail

The NAS only speaks plain SMTP, so Postfix on the Pi relays for it.

`/etc/postfix/main.cf`:

```
relayhost = [smtp.gmail.com]:587
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd
smtp_sasl_security_options = noanonymous
smtp_tls_security_level = encrypt
smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt
mynetworks = 127.0.0.0/8 192.168.1.0/24
inet_interfaces = all
```

`/etc/postfix/sasl_passwd`:

```
[smtp.gmail.com]:587 «user»:«apppw»
```

Then:

```
sudo postmap /etc/postfix/sasl_passwd
sudo chmod 600 /etc/postfix/sasl_passwd /etc/postfix/sasl_passwd.db
sudo systemctl restart postfix
echo "test from pi" | mail -s "relay test" «to»
```

The app password above was created for this Pi only; if it stops working,
check the Google account's security page first.
''', user=user, apppw=P(pw_gapp(r).replace(" ", "")), to=E(email(r, style=0)))


def d_changelog(r):
    a, b = name(r), name(r)
    return "CHANGELOG.md", _fill('''
# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [«v3»] - 2024-03-02

### Fixed
- Retry on `ECONNRESET` when the upstream closes keep-alive sockets (#412, thanks «c1»).
- Windows paths with spaces in `--out-dir` (commit «h1»).

## [«v2»] - 2024-01-19

### Added
- `--proxy` flag; honours `HTTPS_PROXY` as well.
- Node 20 support.

### Changed
- Dropped `request`, now using `undici@5.28.2`.
- Minimum Node version is 18.

### Security
- Bumped `follow-redirects` to 1.15.4 (GHSA-jchw-25xp-jwwc).
  Reported privately by «c2».

## [«v1»] - 2023-11-30

### Added
- Initial public release.
- Binary builds for linux-x64, darwin-arm64 and win-x64 (sha256 sums in `SHA256SUMS`:
  linux-x64 `«sha»`).

[«v3»]: https://github.com/«gh»/fetchr/compare/v«v2»...v«v3»
[«v2»]: https://github.com/«gh»/fetchr/compare/v«v1»...v«v2»
[«v1»]: https://github.com/«gh»/fetchr/releases/tag/v«v1»
''', v1="0.9.0", v2="1.0.0", v3="1.0.1", c1=E(email(r, org(r), a, 5)), h1=hexs(r, 40),
        c2=E(email(r, org(r), b, 0)), sha=sha(r), gh=r.choice(FIRST) + r.choice(LAST))


def d_readme_demo(r):
    dom = org(r)
    return "README.md", _fill('''
# StockSense

Inventory forecasting for small retailers. Flask API + React dashboard.

## Quick start

```bash
git clone https://github.com/stocksense/stocksense.git
cd stocksense
cp .env.example .env        # then fill in YOUR_API_KEY etc.
docker compose up -d
```

Open http://localhost:5173 and log in with the demo account:

| field    | value                 |
|----------|-----------------------|
| email    | «demo» |
| password | «demopw»        |

## API

All endpoints need an API key in the `X-API-Key` header. For the hosted
demo you can use the shared key:

```bash
curl -H "X-API-Key: «key»" \\
     https://demo.«dom»/api/v1/forecast?sku=ABC-123
```

For your own deployment generate one with `flask keys create --name <your-name>`
and replace `<your-api-key>` in the examples.

## Configuration

| variable          | default          | description                  |
|-------------------|------------------|------------------------------|
| `DATABASE_URL`    | `sqlite:///dev.db` | SQLAlchemy URL             |
| `SECRET_KEY`      | *(none)*         | Flask session key            |
| `FORECAST_DAYS`   | `30`             | horizon                      |

## License

MIT © 2024 «author»
''', demo=E("demo@" + dom), demopw=P(pw_h(r, "!")), key=K(gen(r, 32, ALNUM)), dom=dom,
        author=" ".join(name(r)).title())


def d_mbox_archive(r):
    a, b, c = name(r), name(r), name(r)
    ma, mb = E(email(r, "gmail.com", a, 0)), E(email(r, "pinecrest.edu", b, 1))
    return "archives/dev-list/2023-09.txt", _fill('''
Received: from mail-ed1-f54.google.com ([«rip1»])
	by lists.«listdom» with esmtps (TLS1.3) id 1qg0d2-0007Zb-2K;
	Tue, 12 Sep 2023 09:41:07 +0000
From: «an» <«ma»>
To: dev@lists.«listdom»
Subject: [dev] Proposal: drop Python 3.8 in 4.0
Date: Tue, 12 Sep 2023 11:40:51 +0200

Hi all,

3.8 goes EOL next year and it is holding back the typing cleanup. I'd
suggest we drop it for 4.0 and keep 3.x on a maintenance branch.

Thoughts?

«an_first»

Received: from smtp.pinecrest.edu ([«rip2»])
	by lists.«listdom» with esmtp id 1qg4i0-0001Vx-9t; Tue, 12 Sep 2023 14:02:33 +0000
From: «bn» <«mb»>
Subject: Re: [dev] Proposal: drop Python 3.8 in 4.0
Date: Tue, 12 Sep 2023 10:02:19 -0400

On Tue, Sep 12, 2023 at 11:40 AM «an» wrote:
> 3.8 goes EOL next year and it is holding back the typing cleanup.

+1 from me. Our HPC cluster is on 3.10 now anyway. We should say so in the
release notes and in the classifiers.

«bn_first»

From: «cn» <«mc»>
Subject: Re: [dev] Proposal: drop Python 3.8 in 4.0

+1. I can prepare the PR (CI matrix, setup.cfg, tox.ini).

_______________________________________________
dev mailing list -- lists.«listdom»/dev
To unsubscribe send an email to dev-leave@lists.«listdom»
''', ma=ma, mb=mb, mc=E(email(r, org(r), c, 3)),
        an=" ".join(a).title(), an_first=a[0].title(), bn=" ".join(b).title(), bn_first=b[0].title(),
        cn=" ".join(c).title(), rip1=I(ipv4(r)), rip2=I(ipv4(r)), listdom="python-geo.org"
        ).replace("dev@lists.python-geo.org", E("dev@lists.python-geo.org")).replace(
        "dev-leave@lists.python-geo.org", E("dev-leave@lists.python-geo.org"))


def d_contributors(r):
    people = [name(r) for _ in range(5)]
    lines = []
    for i, (f, l) in enumerate(people):
        dom = [None, "gmail.com", org(r), "users.noreply.github.com", None][i]
        if dom == "users.noreply.github.com":
            mail = f"{r.randint(1000000, 99999999)}+{f}{l[:2]}@users.noreply.github.com"
        else:
            mail = email(r, dom, (f, l), r.choice([0, 1, 2, 5]))
        lines.append(f"{f.title()} {l.title()} <{E(mail)}>")
    idn_name, idn = r.choice([("Jürgen Weiß", "jürgen.weiß@bücherwelt.de"),
                              ("René Lefèvre", "rene.lefevre@café-lumière.fr"),
                              ("Søren Nygaard", "søren@fjordvik.dk")])
    idn = E(idn)
    return "CONTRIBUTORS.md", _fill('''
# Contributors

tinyparse is maintained by the people below. If you contributed and are not
listed, please open a PR adding yourself (name and, optionally, email).

## Maintainers

«l0»
«l1»

## Contributors

«l2»
«l3»
Jens Mikkelsen (translations, no email)
«idn_name» <«idn»>

## Thanks

- The fixtures in `tests/data/` come from the W3C test suite.
- Logo by @«handle» (https://github.com/«handle»).
- CI minutes donated by our sponsors; see FUNDING.yml.
''', l0=lines[0], l1=lines[1], l2=lines[2], l3=lines[3], l4=lines[4], idn=idn,
        idn_name=idn_name, handle=r.choice(FIRST) + "draws")


def d_access_log(r):
    lines = []
    agents = ['"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36"',
              '"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"',
              '"curl/8.4.0"', '"python-requests/2.31.0"',
              '"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"']
    paths = ["/", "/login", "/api/v1/products?page=2", "/static/app.3f9c2a.js", "/wp-login.php",
             "/.env", "/favicon.ico", "/api/v1/cart", "/robots.txt"]
    pub = [ipv4(r), ipv4(r), ipv6(r)]
    lb = priv4(r)
    srcs = [lb, I(pub[0]), lb, "127.0.0.1", I(pub[1]), lb, priv4(r), I(pub[2]), lb,
            "127.0.0.1", I(pub[0]), lb, "::1", lb]
    for i, src in enumerate(srcs):
        p = r.choice(paths)
        code = 404 if p in ("/wp-login.php", "/.env") else r.choice([200, 200, 200, 304, 301])
        lines.append(f'{src} - - [14/Feb/2024:0{6 + i // 10}:{i * 2 % 60:02d}:{r.randint(10, 59)} +0000] '
                     f'"GET {p} HTTP/1.1" {code} {r.randint(0, 48000)} "-" {r.choice(agents)}')
    return "logs/access.log", "\n".join(lines) + "\n"


def d_pytest_fixtures(r):
    user = E(email(r, org(r), style=0))
    upw = P(pw_h(r, "!#"))
    return "tests/conftest.py", _fill('''
import pytest
from fastapi.testclient import TestClient

from app.main import app
from app.db import Base, engine, SessionLocal
from app.models import User
from app.security import hash_password

TEST_USER = {"email": "«user»", "password": "«upw»", "full_name": "Test User"}
ADMIN_USER = {"email": "«admin»", "password": "«apw»", "is_admin": True}
EXPIRED_TOKEN = "«jwt»"


@pytest.fixture(scope="session", autouse=True)
def _schema():
    Base.metadata.create_all(bind=engine)
    yield
    Base.metadata.drop_all(bind=engine)


@pytest.fixture()
def db():
    s = SessionLocal()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture()
def user(db):
    u = User(email=TEST_USER["email"], hashed_password=hash_password(TEST_USER["password"]))
    db.add(u)
    db.commit()
    return u


@pytest.fixture()
def client():
    return TestClient(app)


def test_login_ok(client, user):
    r = client.post("/auth/login", data={"username": "«user»", "password": "«upw»"})
    assert r.status_code == 200
    assert r.json()["token_type"] == "bearer"


def test_login_wrong_password(client, user):
    r = client.post("/auth/login", data={"username": "«user»", "password": "not-it"})
    assert r.status_code == 401


def test_expired_token_rejected(client):
    r = client.get("/users/me", headers={"Authorization": f"Bearer {EXPIRED_TOKEN}"})
    assert r.status_code == 401
''', user=user, upw=upw, admin=E(email(r, org(r), style=4)), apw=P(pw_r(r, 14, "!*")),
        jwt=K(jwt(r, {"sub": "1", "exp": 1600000000})))


def d_maven_settings(r):
    return "ci/maven-settings.xml", _fill('''
<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«relpw»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>«relpw»</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>${env.OSSRH_USERNAME}</username>
      <password>${env.OSSRH_TOKEN}</password>
    </server>
    <server>
      <id>gpg.passphrase</id>
      <passphrase>«gpgpw»</passphrase>
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
      <id>sonar</id>
      <properties>
        <sonar.host.url>https://sonar.build.internal</sonar.host.url>
      </properties>
    </profile>
  </profiles>
</settings>
''', relpw=P(pw_h(r, "")), gpgpw=P(pw_h(r, "!")), nexus=I(ipv4(r)))


def d_package_json(r):
    a = name(r)
    return "package.json", _fill('''
{
  "name": "@«scope»/md-lint",
  "version": "«v»",
  "description": "Opinionated Markdown linter with autofix",
  "main": "dist/index.js",
  "bin": { "md-lint": "bin/md-lint.js" },
  "scripts": {
    "build": "tsc -p .",
    "test": "vitest run",
    "lint": "eslint . --ext .ts",
    "release": "npx np@9.2.0 --no-tests",
    "prepare": "husky install"
  },
  "author": "«an» <«am»> (https://«aname».dev)",
  "contributors": [
    "«bn» <«bm»>"
  ],
  "bugs": {
    "url": "https://github.com/«scope»/md-lint/issues",
    "email": "«am»"
  },
  "license": "MIT",
  "dependencies": {
    "chalk": "^5.3.0",
    "commander": "^11.1.0",
    "remark": "^15.0.1",
    "unified": "^11.0.4"
  },
  "devDependencies": {
    "@types/node": "^20.11.5",
    "@typescript-eslint/parser": "^6.19.0",
    "eslint": "^8.56.0",
    "husky": "^8.0.3",
    "typescript": "^5.3.3",
    "vitest": "^1.2.1"
  },
  "engines": { "node": ">=18" },
  "packageManager": "pnpm@8.14.1"
}
''', scope="inkwell", v=ver(r), an=" ".join(a).title(), am=E(email(r, "fastmail.com", a, 0)),
        aname=a[0], bn=" ".join((b := name(r))).title(), bm=E(email(r, org(r), b, 1)))


def d_azure_local_settings(r):
    acct = "fnstore" + _s(r, 6, LO + DIG)
    return "src/Functions/local.settings.json", _fill('''
{
  "IsEncrypted": false,
  "Values": {
    "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«key»;EndpointSuffix=core.windows.net",
    "AzureWebJobsStorage__dev": "UseDevelopmentStorage=true",
    "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
    "CosmosDb__Endpoint": "https://invoices-«acct».documents.azure.com:443/",
    "CosmosDb__Key": "«cosmos»",
    "CosmosDb__Database": "invoices",
    "ServiceBusConnection": "Endpoint=sb://invoices-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=«sas»",
    "APPINSIGHTS_INSTRUMENTATIONKEY": "«ikey»"
  },
  "Host": {
    "LocalHttpPort": 7071,
    "CORS": "*"
  }
}
''', acct=acct, key=K(azure_key(r)), cosmos=K(azure_key(r)), sas=K(b64key(r)), ikey=uid(r))


def d_jwt_keys_js(r):
    pub = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + _s(r, 348, B64) + "IDAQAB"
    publines = "\n".join(pub[i:i + 64] for i in range(0, len(pub), 64))
    return "server/config/keys.js", _fill('''
// RS256 key pair for signing session tokens.
// TODO(«who»): load from the secrets manager before launch!!

const privateKey = `«priv»`;

const publicKey = `-----BEGIN PUBLIC KEY-----
«pub»
-----END PUBLIC KEY-----`;

module.exports = {
  privateKey,
  publicKey,
  algorithm: 'RS256',
  expiresIn: '12h',
  issuer: 'https://auth.«dom»',
};
''', who=r.choice(FIRST), priv=K(pem(r, "PRIVATE KEY")), pub=publines, dom=org(r))


def d_paramiko_deploy(r):
    return "tools/push_config.py", _fill('''
"""Push the rendered router configs to the edge boxes over SSH."""
import io
import sys

import paramiko

HOSTS = ["«h1»", "edge-2.«dom»"]
USER = "netops"

# deploy key for the edge boxes (read-only account on the routers)
KEY = """«pem»
"""


def push(host: str, local: str, remote: str) -> None:
    pkey = paramiko.RSAKey.from_private_key(io.StringIO(KEY))
    ssh = paramiko.SSHClient()
    ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    ssh.connect(host, username=USER, pkey=pkey, timeout=10)
    try:
        sftp = ssh.open_sftp()
        sftp.put(local, remote)
        sftp.close()
        _, out, err = ssh.exec_command("sudo /usr/local/bin/reload-config")
        print(host, out.read().decode().strip(), err.read().decode().strip())
    finally:
        ssh.close()


if __name__ == "__main__":
    cfg = sys.argv[1] if len(sys.argv) > 1 else "build/edge.conf"
    for h in HOSTS:
        push(h, cfg, "/etc/edge/edge.conf")
''', h1=I(ipv4(r)), dom=org(r), pem=K(pem(r, "RSA PRIVATE KEY")))


def d_payments_py(r):
    return "shop/payments/providers.py", _fill('''
"""Payment and storefront provider clients used by the order service."""
from dataclasses import dataclass

import requests
from square.client import Client as SquareClient

SQUARE_ACCESS_TOKEN = "«square»"
SQUARE_LOCATION_ID = "L«loc»"

SHOPIFY_STORE = "bluefjord-outdoor.myshopify.com"
SHOPIFY_ADMIN_TOKEN = "«shpat»"
SHOPIFY_API_SECRET = "«shpss»"
SHOPIFY_API_VERSION = "2024-01"

square = SquareClient(access_token=SQUARE_ACCESS_TOKEN, environment="production")


@dataclass
class Charge:
    order_id: str
    amount_cents: int
    currency: str = "NOK"


def charge_card(charge: Charge, source_id: str, idempotency_key: str) -> dict:
    result = square.payments.create_payment(body={
        "source_id": source_id,
        "idempotency_key": idempotency_key,
        "amount_money": {"amount": charge.amount_cents, "currency": charge.currency},
        "location_id": SQUARE_LOCATION_ID,
        "reference_id": charge.order_id,
    })
    if result.is_error():
        raise RuntimeError(result.errors)
    return result.body["payment"]


def shopify_orders(status: str = "open") -> list[dict]:
    url = f"https://{SHOPIFY_STORE}/admin/api/{SHOPIFY_API_VERSION}/orders.json"
    resp = requests.get(url, params={"status": status},
                        headers={"X-Shopify-Access-Token": SHOPIFY_ADMIN_TOKEN}, timeout=15)
    resp.raise_for_status()
    return resp.json()["orders"]
''', square=K(square(r)), loc=_s(r, 12, UP + DIG), shpat=K(shpat(r)), shpss=K(shpat(r, "shpss_")))


# =============================================================================================
# hard negatives only

def d_neg_auth_service(r):
    return "accounts/services.py", _fill('''
"""Account services: password hashing, resets and API token issuing."""
import getpass
import hashlib
import hmac
import os
import secrets
import uuid
from datetime import datetime, timedelta, timezone

import bcrypt

DB_PASSWORD = os.environ.get("DB_PASSWORD")
SMTP_PASSWORD = os.getenv("SMTP_PASSWORD", "")
SECRET_KEY = os.environ["SECRET_KEY"]
reset_password_url = "/accounts/reset-password/{token}/"
PASSWORD_MIN_LENGTH = 12

# fixture hash for the seeded test account (bcrypt, cost 12)
SEED_USER_HASH = "«bc»"
# pbkdf2 hash format used by the old Django install
LEGACY_HASH = "pbkdf2_sha256$260000$«salt»$«pb»"


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def verify_password(password: str, hashed: str) -> bool:
    return bcrypt.checkpw(password.encode(), hashed.encode())


def new_api_token() -> str:
    return secrets.token_urlsafe(32)


def password_reset_link(user_id: int) -> str:
    token = uuid.uuid4()
    expires = datetime.now(timezone.utc) + timedelta(hours=2)
    return reset_password_url.format(token=token) + f"?exp={int(expires.timestamp())}"


def file_checksum(path: str) -> str:
    # sha256 of the upload, compared with the value the client sent
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(65536), b""):
            h.update(chunk)
    return h.hexdigest()


KNOWN_GOOD_SHA256 = "«sha»"
DEFAULT_TENANT = "«tenant»"


def sign(payload: bytes) -> str:
    return hmac.new(SECRET_KEY.encode(), payload, hashlib.sha256).hexdigest()


def masked(password: str | None) -> str:
    return "********" if password else "(not set)"


if __name__ == "__main__":
    pw = getpass.getpass("New password: ")
    confirm = input("Repeat password: ")
    if pw != confirm:
        raise SystemExit("passwords do not match")
    print(hash_password(pw))
    print("connecting to", os.environ.get("DB_HOST", "127.0.0.1"), "as", getpass.getuser(),
          "password:", masked(DB_PASSWORD))
''', bc=bcrypt(r), salt=_s(r, 22), pb=b64key(r), sha=sha(r), tenant=uid(r))


def d_neg_yarn_lock(r):
    ents = []
    for pkg, v in [("@babel/code-frame", "7.23.5"), ("@babel/core", "7.23.7"),
                   ("ansi-styles", "4.3.0"), ("chalk", "4.1.2"), ("lodash", "4.17.21"),
                   ("minimist", "1.2.8"), ("semver", "7.5.4")]:
        short = pkg.split("/")[-1]
        integ = base64.b64encode(r.randbytes(64)).decode()
        ents.append(f'''"{pkg}@^{v.split('.')[0]}.0.0", "{pkg}@^{v}":
  version "{v}"
  resolved "https://registry.yarnpkg.com/{pkg}/-/{short}-{v}.tgz#{hexs(r, 40)}"
  integrity sha512-{integ}
''')
    return "yarn.lock", _fill('''
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


«body»''', body="\n".join(ents))


def d_neg_netplan(r):
    return "ansible/roles/network/templates/01-netcfg.yaml", _fill('''
# Managed by Ansible - static addressing for the rack-2 hosts.
# Upstream gateway and documentation addresses are the provider's examples.
network:
  version: 2
  renderer: networkd
  ethernets:
    eno1:
      dhcp4: false
      addresses:
        - «p1»/24
        - 2001:db8:«h1»::«h2»/64
      routes:
        - to: default
          via: «gw»
      nameservers:
        search: [rack2.internal]
        addresses: [1.1.1.1, 8.8.8.8, 2606:4700:4700::1111]
    eno2:
      dhcp4: false
      addresses: [«p2»/16]
      routes:
        - to: «cg»/10
          via: 100.64.0.1
    enp3s0:
      link-local: [ipv6]
  vlans:
    vlan40:
      id: 40
      link: eno1
      addresses: [«doc»/24]
# multicast for mDNS: 224.0.0.251, broadcast 255.255.255.255, netmask 255.255.255.0
# metadata service (cloud-init): 169.254.169.254 ; link-local fe80::1%eno1
# firmware 2.4.0.17, build OID 1.3.6.1.4.1.2021.10.1.3.1
''', p1=f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
        h1=f"{r.randint(1, 0xfff):x}", h2=f"{r.randint(1, 0xfff):x}",
        gw=f"10.{r.randint(0, 255)}.0.1", p2=f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 250)}",
        cg=cgnat(r).rsplit(".", 2)[0] + ".0.0", doc=doc4(r))


def d_neg_terraform_vars(r):
    return "modules/app/variables.tf", _fill('''
variable "region" {
  type    = string
  default = "eu-central-1"
}

variable "db_password" {
  description = "Master password for the RDS instance. Set via TF_VAR_db_password."
  type        = string
  sensitive   = true
}

variable "api_token" {
  description = "Token for the monitoring provider, e.g. <YOUR_API_TOKEN>"
  type        = string
  sensitive   = true
  default     = ""
}

variable "kms_key_arn" {
  type    = string
  default = "arn:aws:kms:eu-central-1:«acct»:key/«kms»"
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

locals {
  # From the AWS docs - never a real credential
  example_access_key = "AKIAIOSFODNN7EXAMPLE"
  example_secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  db_url             = "postgres://app:${var.db_password}@${aws_db_instance.main.address}:5432/app"
  image              = "ghcr.io/«org»/api@sha256:«digest»"
}

resource "aws_ssm_parameter" "db_password" {
  name   = "/app/${terraform.workspace}/db_password"
  type   = "SecureString"
  value  = var.db_password
  key_id = var.kms_key_arn
}

output "ssh_hint" {
  value = "ssh ubuntu@${aws_instance.bastion.public_ip} -i ~/.ssh/bastion.pem"
}
''', acct=r.randint(10**11, 10**12 - 1), kms=uid(r), org="meridian", digest=sha(r))


def d_neg_spring_security(r):
    return "src/main/java/com/meridian/portal/config/SecurityConfig.java", _fill('''
package com.meridian.portal.config;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Security configuration. Reviewed in commit «commit».
 * Messages: login.password=Password, login.forgot=Forgot your password?
 */
@Configuration
@EnableWebSecurity
public class SecurityConfig {

    @Value("${jwt.secret}")
    private String jwtSecret;

    @Value("${spring.datasource.password:}")
    private String datasourcePassword;

    private static final String RESET_PASSWORD_PATH = "/account/reset-password";
    private static final String DEFAULT_ORG_ID = "«orgid»";
    private static final String API_KEY_PLACEHOLDER = "YOUR_API_KEY_HERE";

    @Bean
    public PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(12);
    }

    @Bean
    public SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
        http
            .csrf(csrf -> csrf.ignoringRequestMatchers("/api/**"))
            .authorizeHttpRequests(auth -> auth
                .requestMatchers("/login", RESET_PASSWORD_PATH, "/assets/**", "/img/logo@2x.png").permitAll()
                .requestMatchers("/admin/**").hasRole("ADMIN")
                .anyRequest().authenticated())
            .formLogin(form -> form
                .loginPage("/login")
                .usernameParameter("email")
                .passwordParameter("password")
                .defaultSuccessUrl("/dashboard"))
            .logout(l -> l.logoutSuccessUrl("/login?logout"));
        return http.build();
    }

    @Override
    public String toString() {
        return "SecurityConfig{jwtSecret=****, datasourcePassword=****}";
    }
}
''', commit=hexs(r, 40), orgid=uid(r))


def d_neg_env_example(r):
    return ".env.example", _fill('''
# Copy to .env and fill in. Never commit the real .env!

NODE_ENV=development
PORT=3000

# Postgres
DATABASE_URL=postgres://app:<password>@localhost:5432/app
DB_PASSWORD=

# Auth
JWT_SECRET=${JWT_SECRET}
SESSION_SECRET=your-session-secret
GOOGLE_CLIENT_ID=«cid».apps.googleusercontent.com
GOOGLE_CLIENT_SECRET=<google-client-secret>

# Stripe (publishable key is safe to expose)
STRIPE_PUBLISHABLE_KEY=pk_live_«pk»
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx

# reCAPTCHA v2 (site key is public)
RECAPTCHA_SITE_KEY=6L«site»
RECAPTCHA_SECRET_KEY=

# Sentry
SENTRY_DSN=https://«sentry»@o«sorg».ingest.sentry.io/«sproj»

# OpenAI
OPENAI_API_KEY=sk-...

# Mail
SMTP_HOST=localhost
SMTP_PORT=1025
SMTP_USER=
SMTP_PASS=********

# Local MySQL for the legacy importer (see docs/importer.md):
#   mysql -u root -p -e "CREATE USER 'importer'@'localhost' IDENTIFIED BY '$IMPORTER_PW';"
#   ssh deploy@«priv» "sudo systemctl restart importer"
''', cid=f"{r.randint(10**11, 10**12 - 1)}-{_s(r, 32, LO + DIG)}", pk=_s(r, 99),
        site=_s(r, 38, B64U), sentry=hexs(r), sorg=r.randint(100000, 999999),
        sproj=r.randint(1000000, 9999999), priv=priv4(r))


# =============================================================================================
# assembly and self-check

_DOCS = [
    d_django_settings,
    d_rails_database_yml,
    d_rails_secrets_yml,
    d_laravel_env,
    d_spring_application_yml,
    d_spring_properties,
    d_express_config,
    d_nest_app_module,
    d_aspnet_appsettings,
    d_go_main,
    d_flask_app,
    d_fastapi_config,
    d_wp_config,
    d_nextjs_env,
    d_java_dao,
    d_csharp_mailer,
    d_rails_initializers,
    d_php_mysqli,
    d_rust_main,
    d_ktor_hocon,
    d_android_build_gradle,
    d_gradle_properties,
    d_kotlin_api_client,
    d_android_strings,
    d_ios_config_swift,
    d_google_service_plist,
    d_flutter_constants,
    d_firebase_js,
    d_notebook_churn,
    d_airflow_dag,
    d_dbt_profiles,
    d_spark_job,
    d_pandas_report,
    d_r_script,
    d_redshift_sql,
    d_train_script,
    d_scrapy_settings,
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
    d_nginx_conf,
    d_alertmanager,
    d_grafana_ini,
    d_docker_config_json,
    d_windows_bat,
    d_backup_cron,
    d_haproxy,
    d_redis_conf,
    d_postgres_standby,
    d_wireguard,
    d_kafka_client,
    d_logstash,
    d_datadog_yaml,
    d_esp32_mqtt,
    d_esphome,
    d_rpi_doorbell,
    d_discord_bot,
    d_telegram_bot,
    d_slack_bolt,
    d_postman_collection,
    d_npmrc,
    d_pypirc,
    d_netrc,
    d_sql_dump,
    d_sssd_conf,
    d_postfix_sasl,
    d_changelog,
    d_readme_demo,
    d_mbox_archive,
    d_contributors,
    d_access_log,
    d_pytest_fixtures,
    d_maven_settings,
    d_package_json,
    d_azure_local_settings,
    d_jwt_keys_js,
    d_paramiko_deploy,
    d_payments_py,
    d_neg_auth_service,
    d_neg_yarn_lock,
    d_neg_netplan,
    d_neg_terraform_vars,
    d_neg_spring_security,
    d_neg_env_example,
]


def testset19_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset19:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t19-{i:02d}/{path}", marked))
    return docs


_KINDS = ("email", "ip_address", "key", "password")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "example.edu")
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost", ".local")
_DICTIONARY_PASSWORDS = {"password", "admin", "changeme", "secret", "root", "letmein", "qwerty",
                         "123456", "test", "guest", "default", "pass", "welcome"}


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset19_documents(seed)
    names = [d.name for d in docs]
    assert len(set(names)) == len(names), "duplicate document names"
    assert len(set(fn.__name__ for fn in _DOCS)) == len(_DOCS), "duplicate document functions"
    for d in docs:
        t = d.text
        assert "⟦" not in t and "⟧" not in t, f"{d.name}: marker left"
        assert "«" not in t and "»" not in t, f"{d.name}: placeholder left"
        assert not re.search(r"\bAC[0-9a-f]{32}\b", t), f"{d.name}: Twilio account SID"
        assert "private_key_id" not in t, f"{d.name}: GCP private_key_id"
        prev_end, prev = -1, None
        for kind, s, e in sorted(d.spans, key=lambda sp: sp[1]):
            v = t[s:e]
            where = f"{d.name}: {kind} {v!r}"
            assert kind in _KINDS, where
            assert 0 <= s < e <= len(t), where
            assert v and v == v.strip(), f"{where}: whitespace around span"
            assert s >= prev_end, f"{where}: overlaps {prev!r}"
            prev_end, prev = e, v
            if kind == "ip_address":
                assert is_public(v), f"{where}: not a public host address"
            elif kind == "email":
                local, _, dom = v.rpartition("@")
                assert local and "." in dom, where
                dom = dom.lower()
                assert not dom.endswith(_RESERVED_TLDS), where
                assert not any(dom == x or dom.endswith("." + x) for x in _RESERVED_DOMAINS), where
                assert "example" not in dom, where
            elif kind == "password":
                assert v.lower() not in _DICTIONARY_PASSWORDS, f"{where}: dictionary password"
                assert not v.startswith("$2"), f"{where}: hash in password slot"
            elif kind == "key":
                assert "EXAMPLE" not in v, f"{where}: AWS example key"
                assert not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                        v), f"{where}: UUID labelled as key"
                if v.startswith("-----BEGIN"):
                    assert v.endswith("-----") and "-----END" in v, f"{where}: PEM block span"
        # every repeat of a planted value inside its document is itself labelled
        for kind, s, e in d.spans:
            v = t[s:e]
            for m in re.finditer(re.escape(v), t):
                assert any(s2 <= m.start() and m.end() <= e2 for _, s2, e2 in d.spans), (
                    f"{d.name}: unlabelled repeat of {kind} {v!r} at {m.start()}")
        # negatives must not reuse a planted value by accident (covered above) and every
        # document must be of realistic length
        n = t.count("\n") + 1
        assert 12 <= n <= 140, f"{d.name}: {n} lines"
    return docs


if __name__ == "__main__":
    docs = _check()
    counts = {k: 0 for k in _KINDS}
    for d in docs:
        per = {k: 0 for k in _KINDS}
        for kind, _, _ in d.spans:
            counts[kind] += 1
            per[kind] += 1
        lines = d.text.count("\n") + 1
        print(f"{d.name:70s} {lines:4d} lines  " +
              " ".join(f"{k[:2]}={per[k]}" for k in _KINDS))
    print(f"{len(docs)} documents, {sum(counts.values())} spans: " +
          ", ".join(f"{k}={v}" for k, v in counts.items()))
    negative_only = sum(1 for d in docs if not d.spans)
    print(f"{negative_only} documents with hard negatives only")
