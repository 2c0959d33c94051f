"""Blind labelled test set 21 for the PII/secret scrubber.

About ninety documents that imitate files a developer finds when searching GitHub for leaked
credentials in permissively licensed repositories: web backends (Django, Rails, Laravel, Spring,
Express/Nest, ASP.NET, Go, Flask, FastAPI, WordPress), mobile apps (Android, iOS, Flutter, React
Native), data and ML scripts (notebooks, Airflow, dbt, Spark, pandas, R), DevOps (GitHub Actions,
GitLab CI, Jenkins, Kubernetes, Helm, Terraform, Ansible, Vagrant, docker-compose, shell,
PowerShell, cloud-init), embedded sketches (Arduino/ESP32/ESP8266, Raspberry Pi), chat bots
(Discord, Telegram, Slack) and miscellany (Postman, .npmrc/.pypirc/.netrc, SQL, LDAP and mail
configs, changelogs, READMEs, mailing-list archives, CONTRIBUTORS files, logs). Each document
holds planted secrets written ``⟦kind|value⟧`` in its template plus the hard negatives such
files really contain; six documents hold hard negatives only. Written blind: without looking at
the scrubber or at any other labelled set.

Every secret value (and most negatives) is drawn from a ``random.Random`` seeded from SEED and
the document's function name, so the set is deterministic for a given seed.

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
import textwrap
import urllib.parse
from collections import Counter

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 2121

# ---------------------------------------------------------------------------------------------
# markers and templating
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


def _t(tpl: str, tabs: bool = False, **kw) -> str:
    """Dedent a template and fill its «name» slots (values may carry ⟦⟧ markers)."""
    text = textwrap.dedent(tpl).lstrip("\n")
    if tabs:
        text = "\n".join(
            "\t" * ((len(ln) - len(ln.lstrip(" "))) // 4) + ln.lstrip(" ") for ln in text.split("\n")
        )
    missing = [m.group(1) for m in _SLOT.finditer(text) if m.group(1) not in kw]
    assert not missing, missing
    return _SLOT.sub(lambda m: str(kw[m.group(1)]), text)


# ---------------------------------------------------------------------------------------------
# alphabets and random strings
# ---------------------------------------------------------------------------------------------

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DG = string.digits
AN = string.ascii_letters + DG
HX = "0123456789abcdef"
B64 = AN + "+/"
URLSAFE = AN + "-_"


def _s(r: random.Random, n: int, alpha: str = AN) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def _hex(r: random.Random, n: int) -> str:
    return _s(r, n, HX)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---------------------------------------------------------------------------------------------
# provider tokens
# ---------------------------------------------------------------------------------------------


def aws_akid(r):
    return "AKIA" + _s(r, 16, UP + "234567")


def aws_secret(r):
    return _s(r, 40, B64)


def ghp(r):
    return "ghp_" + _s(r, 36)


def gho(r):
    return "gho_" + _s(r, 36)


def gh_pat(r):
    return "github_pat_11" + _s(r, 20, UP + DG) + "_" + _s(r, 59)


def glpat(r):
    return "glpat-" + _s(r, 20, URLSAFE)


def xoxb(r):
    return f"xoxb-{_s(r, 12, DG)}-{_s(r, 13, DG)}-{_s(r, 24)}"


def xoxp(r):
    return f"xoxp-{_s(r, 12, DG)}-{_s(r, 12, DG)}-{_s(r, 13, DG)}-{_hex(r, 32)}"


def xapp(r):
    return f"xapp-1-A{_s(r, 10, UP + DG)}-{_s(r, 13, DG)}-{_hex(r, 64)}"


def slack_hook(r):
    """The part of a Slack webhook URL after /services/ (the labelled span)."""
    return f"T{_s(r, 8, UP + DG)}/B{_s(r, 10, UP + DG)}/{_s(r, 24)}"


def sk_live(r):
    return "sk_live_" + _s(r, r.choice([24, 99]))


def rk_live(r):
    return "rk_live_" + _s(r, 99)


def pk_live(r):  # publishable: negative
    return "pk_live_" + _s(r, 99)


def sendgrid(r):
    return "SG." + _s(r, 22, URLSAFE) + "." + _s(r, 43, URLSAFE)


def twilio_sk(r):
    return "SK" + _hex(r, 32)


def mailgun(r):
    return "key-" + _hex(r, 32)


def npm_tok(r):
    return "npm_" + _s(r, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmc" + _s(r, 160, URLSAFE)


def openai_key(r):
    return "sk-" + _s(r, 20) + "T3BlbkFJ" + _s(r, 20)


def openai_proj(r):
    return "sk-proj-" + _s(r, 74, URLSAFE) + "T3BlbkFJ" + _s(r, 74, URLSAFE)


def anthropic(r):
    return "sk-ant-api03-" + _s(r, 93, URLSAFE) + "AA"


def hf_tok(r):
    return "hf_" + _s(r, 34, string.ascii_letters)


def aiza(r):
    return "AIza" + _s(r, 35, URLSAFE)


def discord_tok(r):
    uid = str(r.randint(10**17, 13 * 10**17))
    return f"{_b64url(uid.encode())}.{_s(r, 6, URLSAFE)}.{_s(r, 38, URLSAFE)}"


def telegram_tok(r):
    return f"{r.randint(10**9, 7 * 10**9)}:AA{_s(r, 33, URLSAFE)}"


def jwt(r, payload: dict, alg: str = "HS256") -> str:
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = _s(r, 43 if alg == "HS256" else 342, URLSAFE)
    return f"{head}.{body}.{sig}"


def azure_key(r):
    return _s(r, 86, B64) + "=="


def shpat(r):
    return "shpat_" + _hex(r, 32)


def square_tok(r):
    return "EAAA" + _s(r, 60, URLSAFE)


def do_tok(r):
    return "dop_v1_" + _hex(r, 64)


def heroku_tok(r):
    return "HRKU-AA" + _s(r, 58, URLSAFE)


def mapbox_sk(r, user="acme"):
    body = _b64url(json.dumps({"u": user, "a": "cl" + _s(r, 23, LO + DG)}, separators=(",", ":")).encode())
    return f"sk.{body}.{_s(r, 22, URLSAFE)}"


def mapbox_pk(r, user="acme"):  # public token: negative
    body = _b64url(json.dumps({"u": user, "a": "cl" + _s(r, 23, LO + DG)}, separators=(",", ":")).encode())
    return f"pk.{body}.{_s(r, 22, URLSAFE)}"


_PEM_START = {
    "RSA PRIVATE KEY": "MIIEowIBAAKCAQEA",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
}
_PEM_SIZE = {"RSA PRIVATE KEY": (25, 64), "PRIVATE KEY": (26, 64), "EC PRIVATE KEY": (3, 64),
             "OPENSSH PRIVATE KEY": (7, 70)}


def pem(r, label: str = "RSA PRIVATE KEY", sep: str = "\n", lines: int | None = None) -> str:
    n, width = _PEM_SIZE[label]
    n = lines or n
    body = _PEM_START[label] + _s(r, n * width - len(_PEM_START[label]) - r.randint(8, 40), B64)
    rows = [body[i:i + width] for i in range(0, len(body), width)]
    if label in ("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"):
        rows[-1] = rows[-1] + "=" * (len(rows[-1]) % 2)
    return sep.join([f"-----BEGIN {label}-----", *rows, f"-----END {label}-----"])


def pem_cert(r, sep: str = "\n", lines: int = 18) -> str:  # public certificate: negative
    body = "MIID" + _s(r, lines * 64 - 4 - 20, B64)
    rows = [body[i:i + 64] for i in range(0, len(body), 64)]
    return sep.join(["-----BEGIN CERTIFICATE-----", *rows, "-----END CERTIFICATE-----"])


def ssh_pub(r, who: str) -> str:  # public key: negative
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _s(r, 43, B64) + " " + who


# ---------------------------------------------------------------------------------------------
# negatives
# ---------------------------------------------------------------------------------------------


def uuid4(r) -> str:
    h = _hex(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def sha256(r) -> str:
    return _hex(r, 64)


def gitsha(r) -> str:
    return _hex(r, 40)


def bcrypt(r) -> str:
    return "$2b$12$" + _s(r, 53, "./" + AN)


def ip_private(r) -> str:
    return r.choice([
        f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}",
        f"192.168.{r.randint(0, 20)}.{r.randint(2, 254)}",
        f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 254)}",
    ])


RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
             "208.67.222.222", "208.67.220.220", "2001:4860:4860::8888", "2001:4860:4860::8844",
             "2606:4700:4700::1111", "2606:4700:4700::1001"}

# ---------------------------------------------------------------------------------------------
# public addresses
# ---------------------------------------------------------------------------------------------

_FIRST_OCTETS = [3, 5, 13, 18, 23, 31, 34, 35, 37, 45, 46, 47, 50, 51, 52, 54, 62, 64, 66, 68, 69,
                 74, 77, 78, 80, 81, 82, 85, 87, 88, 89, 91, 94, 95, 104, 107, 109, 116, 128, 130,
                 134, 137, 138, 139, 141, 142, 143, 144, 145, 146, 147, 151, 152, 157, 158, 159,
                 161, 162, 164, 165, 167, 168, 170, 173, 176, 178, 185, 188, 190, 193, 194, 195,
                 199, 204, 206, 207, 209, 212, 213, 217]


def ip4(r) -> str:
    while True:
        s = f"{r.choice(_FIRST_OCTETS)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 253)}"
        if ipaddress.ip_address(s).is_global and s not in RESOLVERS:
            return s


_V6_PREFIXES = ["2a01:4f8", "2a01:4f9", "2600:1f18", "2600:1f14", "2a03:b0c0", "2604:a880",
                "2001:41d0", "2a05:d014", "2a02:c207", "2400:6180"]


def ip6(r) -> str:
    while True:
        pre = r.choice(_V6_PREFIXES)
        g = [f"{r.randint(1, 0xffff):x}" for _ in range(3)]
        s = r.choice([f"{pre}:{g[0]}:{g[1]}::{g[2]}", f"{pre}:{g[0]}::{g[1]}",
                      f"{pre}:{g[0]}:{g[1]}:{g[2]}:{r.randint(1, 0xffff):x}:{r.randint(1, 0xffff):x}:{r.randint(1, 0xffff):x}"])
        if ipaddress.ip_address(s).is_global:
            return s


# ---------------------------------------------------------------------------------------------
# people and mailboxes
# ---------------------------------------------------------------------------------------------

FIRST = ["james", "maria", "wei", "anna", "lukas", "sofia", "raj", "olga", "diego", "emma",
         "kenji", "fatima", "noah", "chloe", "ivan", "priya", "tomas", "elif", "marco", "hannah",
         "yusuf", "ingrid", "mateo", "aiko", "pavel", "lena", "omar", "julia", "arjun", "nina",
         "felix", "zoe", "daniel", "sara", "hugo", "mila", "kofi", "lucia", "bjorn", "mei"]
LAST = ["smith", "garcia", "chen", "kowalski", "muller", "rossi", "patel", "ivanova", "silva",
        "dubois", "tanaka", "haddad", "johnson", "martin", "petrov", "sharma", "novak", "yilmaz",
        "bianchi", "schmidt", "ozturk", "larsen", "fernandez", "sato", "horvath", "weber",
        "nasser", "costa", "iyer", "andersen", "bauer", "nguyen", "okafor", "moreau", "lindqvist"]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "protonmail.com", "icloud.com",
             "fastmail.fm", "gmx.de", "web.de", "yandex.ru", "qq.com", "163.com", "mail.ru",
             "orange.fr", "libero.it", "hey.com", "zoho.com", "pm.me"]
CORP = ["brightlane.io", "northwind-labs.com", "kestrelsoft.dev", "fluxhaven.co", "tandemsoft.de",
        "quillhq.com", "orbitalpay.com", "mapleforge.ca", "helixdata.ai", "gridmint.io",
        "copperleaf.net", "bluequarry.com.au", "veloxa.co.uk", "ridgelinehealth.org",
        "sunpeak-energy.com", "tidewater.agency", "lumenfield.app", "hexacore.tech",
        "pinecrest-media.com", "arcadiaretail.fr", "nordbyte.se", "cirrusops.cloud"]


def person(r, domain: str | None = None, style: str | None = None) -> tuple[str, str]:
    f, l = r.choice(FIRST), r.choice(LAST)
    name = f"{f.capitalize()} {l.capitalize()}"
    dom = domain or r.choice(FREE_MAIL + CORP)
    style = style or r.choice(["f.l", "fl", "f", "f_l", "fl99", "f.l"])
    local = {"f.l": f"{f}.{l}", "fl": f"{f[0]}{l}", "f": f, "f_l": f"{f}_{l}",
             "fl99": f"{f}{l}{r.randint(1, 99)}"}[style]
    return name, f"{local}@{dom}"


def email(r, domain: str | None = None, style: str | None = None) -> str:
    return person(r, domain, style)[1]


# ---------------------------------------------------------------------------------------------
# passwords
# ---------------------------------------------------------------------------------------------

WORDS = ["Summer", "Winter", "Falcon", "Maple", "Tiger", "Dragon", "Sunset", "Ocean", "Rocket",
         "Coffee", "Phoenix", "Monkey", "Orange", "Silver", "Thunder", "Galaxy", "Purple",
         "Pepper", "Kitten", "Mustang", "Panther", "Cobalt", "Nimbus", "Quartz", "Harbor",
         "Juniper", "Velvet", "Cactus", "Lemon", "Bravo", "Walrus", "Tundra", "Comet", "Banjo",
         "Marble", "Hornet", "Sparrow", "Kraken", "Waffle", "Zephyr"]
SAFE = "!*-_."          # fine unquoted in env files, YAML values, INI, URLs
QSYM = "!#%&*-_.+=?@^"  # fine inside a quoted string literal of most languages


def _leet(w: str) -> str:
    return w.translate(str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"}))


def pw(r, sym: str = SAFE, style: str | None = None) -> str:
    """A password as people hard-code them: human-made most of the time, sometimes random."""
    style = style or r.choice(["season", "season", "leet", "combo", "combo", "rand", "rand", "mixed"])
    w1, w2 = r.choice(WORDS), r.choice(WORDS)
    if style == "season":
        s = "!" if "!" in sym and r.random() < 0.5 else r.choice(sym)
        return f"{w1}{r.choice([2019, 2020, 2021, 2022, 2023, 2024, 2025])}{s}"
    if style == "leet":
        return f"{w1[0]}{_leet(w1[1:].lower())}{r.choice(sym)}{r.randint(1, 99)}"
    if style == "combo":
        return f"{w1.lower()}{w2.lower()}{r.randint(10, 999)}"
    if style == "mixed":
        return f"{w1}{r.choice(sym)}{w2.lower()}{r.randint(1, 9)}{r.choice(sym)}"
    if style == "long":
        return _s(r, 32)
    # random, starting with an alphanumeric
    n = r.randint(10, 16)
    rest = list(_s(r, n - 4, AN) + r.choice(sym) + r.choice(DG) + r.choice(UP))
    r.shuffle(rest)
    return r.choice(AN) + "".join(rest)


# =============================================================================================
# web backends
# =============================================================================================


def d_django_settings(r):
    sk = "django-insecure-" + _s(r, 50, LO + DG + "!@#$%^&*(-_=+)")
    ip = ip4(r)
    gmail_app_pw = " ".join(_s(r, 4, LO) for _ in range(4))
    n1, a1 = person(r, "shopfront.co.uk")
    n2, a2 = person(r)
    return "shopfront/shopfront/settings.py", _t(r'''
        """
        Django settings for shopfront project.

        Generated by 'django-admin startproject' using Django 4.2.7.

        For more information on this file, see
        https://docs.djangoproject.com/en/4.2/topics/settings/
        """

        from pathlib import Path

        # Build paths inside the project like this: BASE_DIR / 'subdir'.
        BASE_DIR = Path(__file__).resolve().parent.parent

        # SECURITY WARNING: keep the secret key used in production secret!
        SECRET_KEY = '«sk»'

        # SECURITY WARNING: don't run with debug turned on in production!
        DEBUG = True

        ALLOWED_HOSTS = ['127.0.0.1', 'localhost', '«ip»', 'shop.shopfront.co.uk']

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

        MIDDLEWARE = [
            'django.middleware.security.SecurityMiddleware',
            'django.contrib.sessions.middleware.SessionMiddleware',
            'django.middleware.common.CommonMiddleware',
            'django.middleware.csrf.CsrfViewMiddleware',
            'django.contrib.auth.middleware.AuthenticationMiddleware',
            'django.contrib.messages.middleware.MessageMiddleware',
        ]

        ROOT_URLCONF = 'shopfront.urls'
        WSGI_APPLICATION = 'shopfront.wsgi.application'

        DATABASES = {
            'default': {
                'ENGINE': 'django.db.backends.postgresql',
                'NAME': 'shopfront',
                'USER': 'shopfront',
                'PASSWORD': '«dbpw»',
                'HOST': '«ip»',
                'PORT': '5432',
            }
        }

        AUTH_PASSWORD_VALIDATORS = [
            {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
            {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
            {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
        ]

        LANGUAGE_CODE = 'en-gb'
        TIME_ZONE = 'Europe/London'
        USE_I18N = True
        USE_TZ = True

        STATIC_URL = 'static/'
        STATIC_ROOT = BASE_DIR / 'staticfiles'

        AWS_ACCESS_KEY_ID = '«akid»'
        AWS_SECRET_ACCESS_KEY = '«asec»'
        AWS_STORAGE_BUCKET_NAME = 'shopfront-media'
        AWS_S3_REGION_NAME = 'eu-west-2'
        DEFAULT_FILE_STORAGE = 'storages.backends.s3boto3.S3Boto3Storage'

        EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
        EMAIL_HOST = 'smtp.gmail.com'
        EMAIL_PORT = 587
        EMAIL_USE_TLS = True
        EMAIL_HOST_USER = '«mailuser»'
        EMAIL_HOST_PASSWORD = '«mailpw»'
        DEFAULT_FROM_EMAIL = 'Shopfront <«sender»>'

        ADMINS = [('«n1»', '«a1»'), ('«n2»', '«a2»')]
        MANAGERS = ADMINS

        CACHES = {
            'default': {
                'BACKEND': 'django.core.cache.backends.redis.RedisCache',
                'LOCATION': 'redis://127.0.0.1:6379/1',
            }
        }

        DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
        ''', sk=K(sk), ip=I(ip), dbpw=P(pw(r, QSYM)), akid=K(aws_akid(r)), asec=K(aws_secret(r)),
        mailuser=E(email(r, "gmail.com")), mailpw=P(gmail_app_pw),
        sender=E("orders@shopfront.co.uk"), n1=n1, a1=E(a1), n2=n2, a2=E(a2))


def d_rails_database_yml(r):
    dev = pw(r, SAFE, "combo")
    return "config/database.yml", _t(r"""
        # PostgreSQL. Versions 9.3 and up are supported.
        #
        # Install the pg driver:
        #   gem install pg
        # On macOS with Homebrew:
        #   gem install pg -- --with-pg-config=/usr/local/bin/pg_config
        #
        # Configure Using Gemfile
        # gem "pg"
        #
        default: &default
          adapter: postgresql
          encoding: unicode
          # For details on connection pooling, see Rails configuration guide
          # https://guides.rubyonrails.org/configuring.html#database-pooling
          pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
          timeout: 5000

        development:
          <<: *default
          database: bookclub_development
          username: bookclub
          password: «dev»
          host: localhost

        # Warning: The database defined as "test" will be erased and
        # re-generated from your development database when you run "rake".
        # Do not set this db to the same as development or production.
        test:
          <<: *default
          database: bookclub_test
          username: bookclub
          password: «dev»
          host: 127.0.0.1

        staging:
          <<: *default
          database: bookclub_staging
          username: bookclub_app
          password: "«stg»"
          host: «ip»
          port: 5432
          sslmode: require

        production:
          <<: *default
          database: bookclub_production
          username: bookclub_app
          password: <%= ENV["BOOKCLUB_DATABASE_PASSWORD"] %>
          host: <%= ENV["DATABASE_HOST"] %>
        """, dev=P(dev), stg=P(pw(r, "!#%*-_.")), ip=I(ip4(r)))


def d_rails_secrets_yml(r):
    return "config/secrets.yml", _t(r"""
        # Be sure to restart your server when you modify this file.

        # Your secret key is used for verifying the integrity of signed cookies.
        # If you change this key, all old signed cookies will become invalid!

        # Make sure the secret is at least 30 characters and all random,
        # no regular words or you'll be exposed to dictionary attacks.
        # You can use `rails secret` to generate a secure secret key.

        # Make sure the secrets in this file are kept private
        # if you're sharing your code publicly.

        shared:
          stripe_publishable_key: «pk»
          mailer_sender: «sender»
          google_analytics_id: UA-48213377-2

        development:
          secret_key_base: «skb1»
          stripe_secret_key: «sk»
          github_client_id: Iv1.«ghid»
          github_client_secret: «ghsec»

        test:
          secret_key_base: «skb2»
          stripe_secret_key: sk_test_placeholder

        # Do not keep production secrets in the unencrypted secrets file.
        # Instead, either read values from the environment.
        # Or, use `bin/rails secrets:setup` to configure encrypted secrets
        # and move the `production:` environment over there.

        production:
          secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
          stripe_secret_key: <%= ENV["STRIPE_SECRET_KEY"] %>
          github_client_secret: <%= ENV["GITHUB_CLIENT_SECRET"] %>
        """, pk=pk_live(r), sender=E(email(r, "marketbox.app", "f")), skb1=K(_hex(r, 128)),
        sk=K(sk_live(r)), ghid=_hex(r, 16), ghsec=K(_hex(r, 40)), skb2=K(_hex(r, 128)))


def d_laravel_env(r):
    return ".env", _t(r"""
        APP_NAME="Clinic Booking"
        APP_ENV=local
        APP_KEY=«appkey»
        APP_DEBUG=true
        APP_URL=http://clinic.test

        LOG_CHANNEL=stack
        LOG_DEPRECATIONS_CHANNEL=null
        LOG_LEVEL=debug

        DB_CONNECTION=mysql
        DB_HOST=«ip»
        DB_PORT=3306
        DB_DATABASE=clinic_booking
        DB_USERNAME=clinic
        DB_PASSWORD=«dbpw»

        BROADCAST_DRIVER=pusher
        CACHE_DRIVER=file
        FILESYSTEM_DISK=s3
        QUEUE_CONNECTION=database
        SESSION_DRIVER=file
        SESSION_LIFETIME=120

        MEMCACHED_HOST=127.0.0.1

        REDIS_HOST=127.0.0.1
        REDIS_PASSWORD=null
        REDIS_PORT=6379

        MAIL_MAILER=smtp
        MAIL_HOST=smtp.zoho.eu
        MAIL_PORT=587
        MAIL_USERNAME=«mailuser»
        MAIL_PASSWORD=«mailpw»
        MAIL_ENCRYPTION=tls
        MAIL_FROM_ADDRESS="«sender»"
        MAIL_FROM_NAME="${APP_NAME}"

        AWS_ACCESS_KEY_ID=«akid»
        AWS_SECRET_ACCESS_KEY=«asec»
        AWS_DEFAULT_REGION=eu-central-1
        AWS_BUCKET=clinic-booking-uploads
        AWS_USE_PATH_STYLE_ENDPOINT=false

        PUSHER_APP_ID=1587223
        PUSHER_APP_KEY=«pusherkey»
        PUSHER_APP_SECRET=«pushersecret»
        PUSHER_HOST=
        PUSHER_PORT=443
        PUSHER_SCHEME=https
        PUSHER_APP_CLUSTER=eu

        VITE_APP_NAME="${APP_NAME}"
        VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
        VITE_PUSHER_HOST="${PUSHER_HOST}"
        VITE_PUSHER_PORT="${PUSHER_PORT}"
        VITE_PUSHER_SCHEME="${PUSHER_SCHEME}"
        VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
        """, appkey=K("base64:" + base64.b64encode(r.randbytes(32)).decode()), ip=I(ip4(r)),
        dbpw=P(pw(r)), mailuser=E(email(r, "clinicbooking.eu", "f")), mailpw=P(pw(r)),
        akid=K(aws_akid(r)), asec=K(aws_secret(r)), pusherkey=_hex(r, 20), pushersecret=K(_hex(r, 20)),
        sender=E("appointments@clinicbooking.eu"))


def d_spring_application_yml(r):
    return "inventory-service/src/main/resources/application.yml", _t(r"""
        server:
          port: 8081
          servlet:
            context-path: /api

        spring:
          application:
            name: inventory-service
          datasource:
            url: jdbc:mysql://«ip»:3306/inventory?useSSL=false&serverTimezone=UTC&allowPublicKeyRetrieval=true
            username: inventory
            password: «dbpw»
            driver-class-name: com.mysql.cj.jdbc.Driver
            hikari:
              maximum-pool-size: 10
              connection-timeout: 20000
          jpa:
            hibernate:
              ddl-auto: update
            show-sql: true
            properties:
              hibernate:
                dialect: org.hibernate.dialect.MySQL8Dialect
                format_sql: true
          rabbitmq:
            host: 10.0.4.17
            port: 5672
            username: inventory
            password: «rabbitpw»
            virtual-host: /inventory
          mail:
            host: smtp.office365.com
            port: 587
            username: «mailuser»
            password: '«mailpw»'
            properties:
              mail.smtp.auth: true
              mail.smtp.starttls.enable: true

        jwt:
          secret: «jwtsecret»
          expiration: 86400000
          header: Authorization
          prefix: "Bearer "

        management:
          endpoints:
            web:
              exposure:
                include: health,info,prometheus
          endpoint:
            health:
              show-details: always

        logging:
          level:
            root: INFO
            org.hibernate.SQL: DEBUG
            com.northwindlabs.inventory: DEBUG
        """, ip=I(ip4(r)), dbpw=P(pw(r)), rabbitpw=P(pw(r, SAFE, "combo")),
        mailuser=E(email(r, "northwind-labs.com")), mailpw=P(pw(r, "!#%&*")),
        jwtsecret=K(base64.b64encode(r.randbytes(48)).decode()))


def d_spring_properties(r):
    corp = "copperleaf.net"
    return "helpdesk/src/main/resources/application-dev.properties", _t(r"""
        # ===============================
        # = DATA SOURCE
        # ===============================
        spring.datasource.url=jdbc:postgresql://db.dev.«corp»:5432/helpdesk
        spring.datasource.username=helpdesk_app
        spring.datasource.password=«dbpw»
        spring.datasource.driver-class-name=org.postgresql.Driver

        # ===============================
        # = JPA / FLYWAY
        # ===============================
        spring.jpa.show-sql=false
        spring.jpa.hibernate.ddl-auto=validate
        spring.jpa.open-in-view=false
        spring.flyway.enabled=true
        spring.flyway.locations=classpath:db/migration

        # Redis session store
        spring.session.store-type=redis
        spring.data.redis.host=172.20.0.5
        spring.data.redis.port=6379
        spring.data.redis.password=«redispw»

        # OAuth2 (Keycloak)
        spring.security.oauth2.client.registration.keycloak.client-id=helpdesk-web
        spring.security.oauth2.client.registration.keycloak.client-secret=«kcsecret»
        spring.security.oauth2.client.registration.keycloak.scope=openid,profile,email
        spring.security.oauth2.client.registration.keycloak.authorization-grant-type=authorization_code
        spring.security.oauth2.client.provider.keycloak.issuer-uri=https://sso.«corp»/realms/helpdesk

        # LDAP fallback for staff accounts
        spring.ldap.urls=ldap://10.12.0.20:389
        spring.ldap.base=dc=copperleaf,dc=net
        spring.ldap.username=cn=readonly,dc=copperleaf,dc=net
        spring.ldap.password=«ldappw»

        # Uploads
        spring.servlet.multipart.max-file-size=10MB
        spring.servlet.multipart.max-request-size=12MB
        server.error.include-message=always

        app.frontend-url=http://localhost:4200
        app.reset-password-url=http://localhost:4200/reset-password?token=
        app.password-min-length=10
        app.password-reset-token-validity=PT30M
        """, corp=corp, dbpw=P(pw(r, "!#%*-_.")), redispw=P(pw(r, SAFE, "rand")),
        kcsecret=K(_s(r, 32)), ldappw=P(pw(r, SAFE, "leet")))


def d_express_config(r):
    return "config/default.js", _t(r"""
        // config/default.js -- loaded by `config` (node-config)
        // Values can be overridden per environment in config/production.js

        module.exports = {
          app: {
            name: 'tripnote-api',
            port: process.env.PORT || 4000,
            corsOrigins: ['http://localhost:3000', 'https://tripnote.lumenfield.app'],
          },

          mongo: {
            uri: 'mongodb+srv://tripnote:«mongopw»@cluster0.«cl».mongodb.net/tripnote?retryWrites=true&w=majority',
            options: { maxPoolSize: 20, serverSelectionTimeoutMS: 5000 },
          },

          auth: {
            jwtSecret: '«jwt»',
            jwtExpiresIn: '7d',
            refreshTokenTtlDays: 30,
            saltRounds: 10,
            passwordResetTokenTtl: 3600,
          },

          session: {
            secret: '«sess»',
            resave: false,
            saveUninitialized: false,
            cookie: { secure: false, maxAge: 1000 * 60 * 60 * 24 },
          },

          mail: {
            provider: 'sendgrid',
            apiKey: '«sg»',
            from: 'Tripnote <«sender»>',
            templates: {
              welcome: 'd-«t1»',
              passwordReset: 'd-«t2»',
            },
          },

          uploads: {
            bucket: 'tripnote-uploads',
            maxSizeMb: 8,
            allowed: ['image/jpeg', 'image/png', 'image/webp'],
          },
        };
        """, mongopw=P(pw(r, "!*-_.")), cl=_s(r, 5, LO + DG), jwt=K(_s(r, 48)),
        sess=K(_hex(r, 64)), sg=K(sendgrid(r)), t1=_hex(r, 32), t2=_hex(r, 32),
        sender=E("hello@lumenfield.app"))


def d_nest_app_module(r):
    return "src/app.module.ts", _t(r"""
        import { Module } from '@nestjs/common';
        import { ConfigModule } from '@nestjs/config';
        import { TypeOrmModule } from '@nestjs/typeorm';
        import { JwtModule } from '@nestjs/jwt';
        import { ThrottlerModule } from '@nestjs/throttler';
        import { UsersModule } from './users/users.module';
        import { AuthModule } from './auth/auth.module';
        import { OrdersModule } from './orders/orders.module';
        import { User } from './users/entities/user.entity';
        import { Order } from './orders/entities/order.entity';

        @Module({
          imports: [
            ConfigModule.forRoot({ isGlobal: true }),
            ThrottlerModule.forRoot([{ ttl: 60000, limit: 20 }]),
            TypeOrmModule.forRoot({
              type: 'postgres',
              host: '«ip»',
              port: 5432,
              username: 'nest_app',
              password: '«dbpw»',
              database: 'orders',
              entities: [User, Order],
              synchronize: true,
              ssl: { rejectUnauthorized: false },
            }),
            JwtModule.register({
              global: true,
              secret: '«jwt»',
              signOptions: { expiresIn: '1h' },
            }),
            UsersModule,
            AuthModule,
            OrdersModule,
          ],
          controllers: [],
          providers: [],
        })
        export class AppModule {}
        """, ip=I(ip4(r)), dbpw=P(pw(r, QSYM)), jwt=K(_s(r, 40, URLSAFE)))


def d_aspnet_appsettings(r):
    cs_pw = f"{r.choice(WORDS)}\\\\{r.randint(1000, 9999)}{r.choice('!#%')}{_s(r, 3, LO)}"
    return "HotelBooking.Api/appsettings.Development.json", _t(r"""
        {
          "Logging": {
            "LogLevel": {
              "Default": "Information",
              "Microsoft.AspNetCore": "Warning",
              "Microsoft.EntityFrameworkCore.Database.Command": "Information"
            }
          },
          "AllowedHosts": "*",
          "ConnectionStrings": {
            "DefaultConnection": "Server=«ip»,1433;Database=HotelBooking;User Id=hb_app;Password=«cspw»;TrustServerCertificate=True;MultipleActiveResultSets=true",
            "Redis": "localhost:6379,abortConnect=false"
          },
          "Jwt": {
            "Key": "«jwtkey»",
            "Issuer": "https://api.hotelbooking.veloxa.co.uk",
            "Audience": "hotelbooking-clients",
            "ExpiresInMinutes": 60
          },
          "SmtpSettings": {
            "Server": "smtp.sendgrid.net",
            "Port": 587,
            "SenderName": "Hotel Booking",
            "SenderEmail": "«sender»",
            "Username": "apikey",
            "Password": "«sg»"
          },
          "Stripe": {
            "PublishableKey": "«pk»",
            "SecretKey": "«sk»",
            "WebhookSecret": "«whsec»"
          },
          "Serilog": {
            "MinimumLevel": "Information",
            "WriteTo": [
              { "Name": "Console" },
              { "Name": "File", "Args": { "path": "logs/log-.txt", "rollingInterval": "Day" } }
            ]
          },
          "FeatureFlags": {
            "EnableLoyaltyProgram": false,
            "MaxRoomsPerBooking": 4
          }
        }
        """, ip=I(ip4(r)), cspw=P(cs_pw), jwtkey=K(_s(r, 64)), sender=E(email(r, "veloxa.co.uk", "f")),
        sg=K(sendgrid(r)), pk=pk_live(r), sk=K(sk_live(r)), whsec=K("whsec_" + _s(r, 32)))


def d_go_main(r):
    ip = ip4(r)
    return "cmd/billing/main.go", _t(r"""
        package main

        import (
            "database/sql"
            "encoding/json"
            "fmt"
            "log"
            "net/http"
            "os"
            "time"

            "github.com/go-redis/redis/v8"
            _ "github.com/go-sql-driver/mysql"
            "github.com/gorilla/mux"
            "github.com/stripe/stripe-go/v74"
        )

        const (
            dsn       = "billing:«dbpw»@tcp(«ip»:3306)/billing?parseTime=true&charset=utf8mb4"
            redisAddr = "«ip»:6379"
        )

        var (
            db  *sql.DB
            rdb *redis.Client
        )

        // keys for signing customer portal links (TODO: load from Vault)
        const portalSigningKey = `«ecpriv»`

        const portalVerifyKey = `«ecpub»`

        type Invoice struct {
            ID        int64     `json:"id"`
            Customer  string    `json:"customer"`
            AmountDue int64     `json:"amount_due"`
            CreatedAt time.Time `json:"created_at"`
        }

        func main() {
            var err error
            db, err = sql.Open("mysql", dsn)
            if err != nil {
                log.Fatalf("open db: %v", err)
            }
            db.SetConnMaxLifetime(3 * time.Minute)
            db.SetMaxOpenConns(10)
            db.SetMaxIdleConns(10)

            rdb = redis.NewClient(&redis.Options{
                Addr:     redisAddr,
                Password: "«redispw»",
                DB:       0,
            })

            stripe.Key = "«sk»"

            r := mux.NewRouter()
            r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
                fmt.Fprintln(w, "ok")
            })
            r.HandleFunc("/invoices/{id}", getInvoice).Methods("GET")

            addr := ":" + getenv("PORT", "8080")
            log.Printf("listening on %s", addr)
            log.Fatal(http.ListenAndServe(addr, r))
        }

        func getInvoice(w http.ResponseWriter, req *http.Request) {
            id := mux.Vars(req)["id"]
            var inv Invoice
            err := db.QueryRow("SELECT id, customer, amount_due, created_at FROM invoices WHERE id = ?", id).
                Scan(&inv.ID, &inv.Customer, &inv.AmountDue, &inv.CreatedAt)
            if err != nil {
                http.Error(w, "not found", http.StatusNotFound)
                return
            }
            w.Header().Set("Content-Type", "application/json")
            json.NewEncoder(w).Encode(inv)
        }

        func getenv(k, def string) string {
            if v := os.Getenv(k); v != "" {
                return v
            }
            return def
        }
        """, tabs=True, ip=I(ip), dbpw=P(pw(r)), redispw=P(pw(r, SAFE, "rand")), sk=K(sk_live(r)),
        ecpriv=K(pem(r, "EC PRIVATE KEY")),
        ecpub="-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + _s(r, 28, B64) + "\n"
              + _s(r, 56, B64) + "==\n-----END PUBLIC KEY-----")


def d_flask_app(r):
    return "app.py", _t(r"""
        from flask import Flask, render_template, request, redirect, url_for, flash
        from flask_sqlalchemy import SQLAlchemy
        from flask_login import LoginManager, UserMixin, login_user, login_required, logout_user
        from flask_mail import Mail, Message
        from werkzeug.security import generate_password_hash, check_password_hash

        app = Flask(__name__)
        app.config['SECRET_KEY'] = '«sk»'
        app.config['SQLALCHEMY_DATABASE_URI'] = 'postgresql://flaskapp:«dbpw»@«ip»:5432/recipes'
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

            def set_password(self, password):
                self.password_hash = generate_password_hash(password)

            def check_password(self, password):
                return check_password_hash(self.password_hash, password)


        @login_manager.user_loader
        def load_user(user_id):
            return User.query.get(int(user_id))


        @app.route('/')
        def index():
            return render_template('index.html')


        @app.route('/login', methods=['GET', 'POST'])
        def login():
            if request.method == 'POST':
                user = User.query.filter_by(email=request.form['email']).first()
                if user and user.check_password(request.form['password']):
                    login_user(user)
                    return redirect(url_for('index'))
                flash('Invalid email or password')
            return render_template('login.html')


        @app.route('/logout')
        @login_required
        def logout():
            logout_user()
            return redirect(url_for('index'))


        @app.route('/contact', methods=['POST'])
        def contact():
            msg = Message('New contact request', sender=app.config['MAIL_USERNAME'],
                          recipients=['«owner»'])
            msg.body = request.form.get('message', '')
            mail.send(msg)
            flash('Thanks! We will get back to you soon.')
            return redirect(url_for('index'))


        if __name__ == '__main__':
            with app.app_context():
                db.create_all()
            app.run(host='0.0.0.0', port=5000, debug=True)
        """, sk=K(_hex(r, 48)), dbpw=P(pw(r, "!*-_.")), ip=I(ip4(r)),
        mailuser=E(email(r, "gmail.com", "fl99")), mailpw=P(" ".join(_s(r, 4, LO) for _ in range(4))),
        owner=E(email(r, "hotmail.com", "f_l")))


def d_fastapi_config(r):
    return "backend/app/core/config.py", _t(r'''
        from functools import lru_cache
        from typing import List

        from pydantic import AnyHttpUrl, EmailStr
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env", case_sensitive=True, extra="ignore")

            PROJECT_NAME: str = "ledgerly"
            API_V1_STR: str = "/api/v1"
            SECRET_KEY: str = "«sk»"
            # 60 minutes * 24 hours * 8 days = 8 days
            ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
            ALGORITHM: str = "HS256"

            BACKEND_CORS_ORIGINS: List[AnyHttpUrl] = ["http://localhost:5173"]

            POSTGRES_SERVER: str = "localhost"
            POSTGRES_USER: str = "ledgerly"
            POSTGRES_PASSWORD: str = "«dbpw»"
            POSTGRES_DB: str = "ledgerly"

            FIRST_SUPERUSER: EmailStr = "«admin»"
            FIRST_SUPERUSER_PASSWORD: str = "«adminpw»"

            OPENAI_API_KEY: str = "«oai»"
            OPENAI_MODEL: str = "gpt-4o-mini"

            SMTP_HOST: str | None = None
            SMTP_USER: str | None = None
            SMTP_PASSWORD: str | None = None
            EMAILS_FROM_EMAIL: EmailStr | None = None
            EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48

            @property
            def SQLALCHEMY_DATABASE_URI(self) -> str:
                return (
                    f"postgresql+psycopg://{self.POSTGRES_USER}:{self.POSTGRES_PASSWORD}"
                    f"@{self.POSTGRES_SERVER}/{self.POSTGRES_DB}"
                )


        @lru_cache
        def get_settings() -> Settings:
            return Settings()


        settings = get_settings()
        ''', sk=K(_s(r, 43, URLSAFE)), dbpw=P(pw(r, QSYM)), admin=E(email(r, "helixdata.ai", "f.l")),
        adminpw=P(pw(r, QSYM, "season")), oai=K(openai_proj(r)))


def d_wp_config(r):
    salt_alpha = AN + "!@#$%^&*()-_[]{}<>~`+=,.;:/?| "

    def salt():
        return r.choice(AN) + _s(r, 62, salt_alpha) + r.choice(AN)

    names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
             "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
    salts = "\n".join(f"define( '{n}',{' ' * (17 - len(n))}'{K(salt())}' );" for n in names)
    return "public_html/wp-config.php", _t(r"""
        <?php
        /**
         * The base configuration for WordPress
         *
         * The wp-config.php creation script uses this file during the installation.
         * You don't have to use the web site, you can copy this file to "wp-config.php"
         * and fill in the values.
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

        /* SMTP via the WP Mail SMTP plugin */
        define( 'WPMS_ON', true );
        define( 'WPMS_MAILER', 'smtp' );
        define( 'WPMS_SMTP_HOST', 'smtp.hostinger.com' );
        define( 'WPMS_SMTP_PORT', 465 );
        define( 'WPMS_SSL', 'ssl' );
        define( 'WPMS_SMTP_AUTH', true );
        define( 'WPMS_SMTP_USER', '«smtpuser»' );
        define( 'WPMS_SMTP_PASS', '«smtppw»' );

        /* That's all, stop editing! Happy publishing. */

        /** Absolute path to the WordPress directory. */
        if ( ! defined( 'ABSPATH' ) ) {
            define( 'ABSPATH', __DIR__ . '/' );
        }

        /** Sets up WordPress vars and included files. */
        require_once ABSPATH . 'wp-settings.php';
        """, dbpw=P(pw(r, "!#%&*-_.")), ip=I(ip4(r)), salts=salts,
        smtpuser=E("orders@" + r.choice(["rosiesbakery.co.uk", "pan-dulce.mx", "bakehaus.de"])),
        smtppw=P(pw(r, "!#%&*")))


def d_devise_rb(r):
    return "config/initializers/devise.rb", _t(r"""
        # frozen_string_literal: true

        # Assuming you have not yet modified this file, each configuration option below
        # is set to its default value. Note that some are commented out while others
        # are not: uncommented lines are intended to protect your configuration from
        # breaking changes in upgrades (i.e., in the event that future versions of
        # Devise change the default values for those options).
        #
        # Use this hook to configure devise mailer, warden hooks and so forth.
        # Many of these configuration options can be set straight in your model.
        Devise.setup do |config|
          # The secret key used by Devise. Devise uses this key to generate
          # random tokens. Changing this key will render invalid all existing
          # confirmation, reset password and unlock tokens in the database.
          config.secret_key = '«sk»'

          # ==> Mailer Configuration
          # Configure the e-mail address which will be shown in Devise::Mailer,
          # note that it will be overwritten if you use your own mailer class
          # with default "from" parameter.
          config.mailer_sender = '«sender»'

          # ==> ORM configuration
          require 'devise/orm/active_record'

          config.case_insensitive_keys = [:email]
          config.strip_whitespace_keys = [:email]
          config.skip_session_storage = [:http_auth]

          # ==> Configuration for :database_authenticatable
          # For bcrypt, this is the cost for hashing the password and defaults to 12.
          config.stretches = Rails.env.test? ? 1 : 12

          # Set up a pepper to generate the hashed password.
          config.pepper = '«pepper»'

          config.reconfirmable = true
          config.expire_all_remember_me_on_sign_out = true

          # ==> Configuration for :validatable
          # Range for password length.
          config.password_length = 8..128
          config.email_regexp = /\A[^@\s]+@[^@\s]+\z/

          # ==> Configuration for :recoverable
          config.reset_password_within = 6.hours

          config.sign_out_via = :delete

          # ==> OmniAuth
          config.omniauth :github, 'Iv1.«ghid»', '«ghsecret»', scope: 'user:email'
          config.omniauth :google_oauth2,
                          '«gnum»-«gid».apps.googleusercontent.com',
                          '«gsecret»',
                          prompt: 'select_account'

          # ==> Hotwire/Turbo configuration
          config.responder.error_status = :unprocessable_entity
          config.responder.redirect_status = :see_other
        end
        """, sk=K(_hex(r, 128)), sender=E("no-reply@" + r.choice(CORP)), pepper=K(_hex(r, 128)),
        ghid=_hex(r, 16), ghsecret=K(_hex(r, 40)), gnum=_s(r, 12, DG), gid=_s(r, 32, LO + DG),
        gsecret=K("GOCSPX-" + _s(r, 28, URLSAFE)))


def d_java_mailconfig(r):
    return "src/main/java/de/tandemsoft/notify/config/MailConfig.java", _t(r"""
        package de.tandemsoft.notify.config;

        import java.util.Properties;

        import org.springframework.context.annotation.Bean;
        import org.springframework.context.annotation.Configuration;
        import org.springframework.mail.javamail.JavaMailSender;
        import org.springframework.mail.javamail.JavaMailSenderImpl;

        import de.tandemsoft.notify.templates.NotificationTemplates;

        @Configuration
        public class MailConfig {

            private static final String SMTP_HOST = "smtp.gmail.com";
            private static final int SMTP_PORT = 587;
            private static final String SMTP_USER = "«user»";
            private static final String SMTP_PASS = "«apppw»"; // app password, TODO move to vault

            @Bean
            public JavaMailSender javaMailSender() {
                JavaMailSenderImpl mailSender = new JavaMailSenderImpl();
                mailSender.setHost(SMTP_HOST);
                mailSender.setPort(SMTP_PORT);
                mailSender.setUsername(SMTP_USER);
                mailSender.setPassword(SMTP_PASS);

                Properties props = mailSender.getJavaMailProperties();
                props.put("mail.transport.protocol", "smtp");
                props.put("mail.smtp.auth", "true");
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.debug", "false");
                return mailSender;
            }

            @Bean
            public NotificationTemplates notificationTemplates() {
                NotificationTemplates t = new NotificationTemplates();
                t.setFrom("Tandem Notify <«from»>");
                t.setReplyTo("«reply»");
                return t;
            }

            @Override
            public String toString() {
                return "MailConfig{host=" + SMTP_HOST + ", port=" + SMTP_PORT + "}";
            }
        }
        """, user=E(email(r, "gmail.com", "f.l")), apppw=P(_s(r, 16, LO)),
        reply=E("support+notify@tandemsoft.de"),
        **{"from": E("notify@tandemsoft.de")})


def d_knexfile(r):
    return "knexfile.js", _t(r"""
        // Update with your config settings.

        /**
         * @type { Object.<string, import("knex").Knex.Config> }
         */
        module.exports = {

          development: {
            client: 'sqlite3',
            connection: {
              filename: './dev.sqlite3'
            },
            useNullAsDefault: true
          },

          staging: {
            client: 'postgresql',
            connection: {
              host:     '«ip1»',
              database: 'fleet_staging',
              user:     'fleet',
              password: '«pw1»'
            },
            pool: {
              min: 2,
              max: 10
            },
            migrations: {
              tableName: 'knex_migrations'
            }
          },

          production: {
            client: 'postgresql',
            connection: 'postgres://fleet_prod:«pw2»@«ip2»:5432/fleet?sslmode=require',
            pool: {
              min: 2,
              max: 20
            },
            migrations: {
              tableName: 'knex_migrations'
            }
          }

        };
        """, ip1=I(ip4(r)), pw1=P(pw(r, QSYM)), ip2=I(ip4(r)),
        pw2=P(urllib.parse.quote(pw(r, "@#%&!", "mixed"), safe="")))


def d_laravel_database_php(r):
    return "config/database.php", _t(r"""
        <?php

        use Illuminate\Support\Str;

        return [

            /*
            |--------------------------------------------------------------------------
            | Default Database Connection Name
            |--------------------------------------------------------------------------
            */

            'default' => env('DB_CONNECTION', 'mysql'),

            'connections' => [

                'sqlite' => [
                    'driver' => 'sqlite',
                    'url' => env('DATABASE_URL'),
                    'database' => env('DB_DATABASE', database_path('database.sqlite')),
                    'prefix' => '',
                    'foreign_key_constraints' => env('DB_FOREIGN_KEYS', true),
                ],

                'mysql' => [
                    'driver' => 'mysql',
                    'url' => env('DATABASE_URL'),
                    'host' => env('DB_HOST', '«ip1»'),
                    'port' => env('DB_PORT', '3306'),
                    'database' => env('DB_DATABASE', 'eventhub'),
                    'username' => env('DB_USERNAME', 'eventhub'),
                    'password' => env('DB_PASSWORD', '«pw1»'),
                    'unix_socket' => env('DB_SOCKET', ''),
                    'charset' => 'utf8mb4',
                    'collation' => 'utf8mb4_unicode_ci',
                    'prefix' => '',
                    'strict' => true,
                    'engine' => null,
                ],

                'legacy' => [
                    'driver' => 'sqlsrv',
                    'host' => '«ip2»',
                    'port' => '1433',
                    'database' => 'EventHubLegacy',
                    'username' => 'eh_reader',
                    'password' => '«pw2»',
                    'charset' => 'utf8',
                    'prefix' => '',
                ],

            ],

            'migrations' => 'migrations',

            'redis' => [

                'client' => env('REDIS_CLIENT', 'phpredis'),

                'options' => [
                    'cluster' => env('REDIS_CLUSTER', 'redis'),
                    'prefix' => env('REDIS_PREFIX', Str::slug(env('APP_NAME', 'laravel'), '_').'_database_'),
                ],

                'default' => [
                    'url' => env('REDIS_URL'),
                    'host' => env('REDIS_HOST', '127.0.0.1'),
                    'username' => env('REDIS_USERNAME'),
                    'password' => env('REDIS_PASSWORD'),
                    'port' => env('REDIS_PORT', '6379'),
                    'database' => env('REDIS_DB', '0'),
                ],

            ],

        ];
        """, ip1=I(ip4(r)), pw1=P(pw(r, "!#%&*-_.")), ip2=I(ip4(r)), pw2=P(pw(r, "!#%&*-_.", "rand")))


def d_ktor_conf(r):
    return "src/main/resources/application.conf", _t(r"""
        ktor {
            deployment {
                port = 8080
                port = ${?PORT}
            }
            application {
                modules = [ io.gridmint.ApplicationKt.module ]
            }
        }

        jwt {
            domain = "https://auth.gridmint.io/"
            audience = "gridmint-api"
            realm = "gridmint"
            secret = "«jwt»"
        }

        database {
            driver = "org.postgresql.Driver"
            url = "jdbc:postgresql://«ip»:5432/gridmint"
            user = "gridmint"
            password = "«dbpw»"
            password = ${?DB_PASSWORD}
            maxPoolSize = 8
        }

        storage {
            endpoint = "https://fra1.digitaloceanspaces.com"
            region = "fra1"
            accessKey = "«ak»"
            secretKey = "«sk»"
            bucket = "gridmint-exports"
        }

        features {
            rateLimitPerMinute = 120
            exportFormats = ["csv", "parquet"]
        }
        """, jwt=K(_s(r, 44, URLSAFE)), ip=I(ip4(r)), dbpw=P(pw(r, "!#%*-_.")),
        ak=K("DO00" + _s(r, 16, UP + DG)), sk=K(_s(r, 43, B64)))


# =============================================================================================
# mobile apps
# =============================================================================================


def d_android_build_gradle(r):
    return "app/build.gradle", _t(r"""
        plugins {
            id 'com.android.application'
            id 'org.jetbrains.kotlin.android'
            id 'com.google.gms.google-services'
            id 'kotlin-kapt'
        }

        android {
            namespace 'co.fluxhaven.runlog'
            compileSdk 34

            defaultConfig {
                applicationId "co.fluxhaven.runlog"
                minSdk 24
                targetSdk 34
                versionCode 42
                versionName "2.3.1"

                testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"
                buildConfigField "String", "WEATHER_API_KEY", "\"«owm»\""
                buildConfigField "String", "API_BASE_URL", "\"https://api.runlog.fluxhaven.co/v2/\""
                manifestPlaceholders = [MAPS_API_KEY: "«maps»"]
            }

            signingConfigs {
                release {
                    storeFile file("../keystore/runlog-release.jks")
                    storePassword "«sp»"
                    keyAlias "runlog"
                    keyPassword "«kp»"
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
                    buildConfigField "String", "API_BASE_URL", "\"http://10.0.2.2:8080/v2/\""
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
            implementation 'com.google.android.gms:play-services-location:21.1.0'
            implementation 'com.squareup.retrofit2:retrofit:2.9.0'
            implementation 'com.squareup.retrofit2:converter-gson:2.9.0'
            implementation platform('com.google.firebase:firebase-bom:32.7.0')
            implementation 'com.google.firebase:firebase-analytics'
            implementation 'androidx.room:room-runtime:2.6.1'
            kapt 'androidx.room:room-compiler:2.6.1'
            testImplementation 'junit:junit:4.13.2'
            androidTestImplementation 'androidx.test.ext:junit:1.1.5'
            androidTestImplementation 'androidx.test.espresso:espresso-core:3.5.1'
        }
        """, owm=K(_hex(r, 32)), maps=K(aiza(r)), sp=P(pw(r, "!#%&*-_.")), kp=P(pw(r, "!#%&*-_.")))


def d_gradle_properties(r):
    store = pw(r, "!*-_.", "leet")
    token = {"iat": r.randint(1_690_000_000, 1_720_000_000), "url": "https://sentry.io",
             "region_url": "https://us.sentry.io", "org": "kestrelsoft"}
    sentry = "sntrys_" + _b64url(json.dumps(token, separators=(",", ":")).encode()) + "_" + _s(r, 43, URLSAFE)
    return "gradle.properties", _t(r"""
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

        # Release signing
        RELEASE_STORE_FILE=../keystore/release.keystore
        RELEASE_STORE_PASSWORD=«store»
        RELEASE_KEY_ALIAS=upload
        RELEASE_KEY_PASSWORD=«store»

        # Maven Central publishing (com.vanniktech.maven.publish)
        GROUP=dev.kestrelsoft
        VERSION_NAME=1.4.0-SNAPSHOT
        POM_ARTIFACT_ID=kestrel-charts
        mavenCentralUsername=kestrelsoft
        mavenCentralPassword=«maven»
        signing.keyId=«keyid»
        signing.password=«signpw»
        signing.secretKeyRingFile=/Users/ci/.gnupg/secring.gpg

        # Sentry Android Gradle plugin
        sentry.org=kestrelsoft
        sentry.project=kestrel-charts-sample
        sentry.auth.token=«sentry»
        """, store=P(store), maven=P(pw(r, "!*-_.", "rand")), keyid=_s(r, 8, "0123456789ABCDEF"),
        signpw=P(pw(r, "!*-_.", "mixed")), sentry=K(sentry))


def d_kotlin_apiclient(r):
    token = jwt(r, {"sub": "admin", "role": "admin", "iat": r.randint(1_690_000_000, 1_720_000_000)})
    return "app/src/main/java/io/gridmint/app/network/ApiClient.kt", _t(r"""
        package io.gridmint.app.network

        import okhttp3.Interceptor
        import okhttp3.OkHttpClient
        import okhttp3.logging.HttpLoggingInterceptor
        import retrofit2.Retrofit
        import retrofit2.converter.gson.GsonConverterFactory
        import java.util.concurrent.TimeUnit

        object ApiClient {

            private const val BASE_URL = "http://«ip»:8080/api/"
            private const val FALLBACK_URL = "http://[«ip6»]:8080/api/"
            private const val API_KEY = "«apikey»"

            // TODO: remove before release, admin token for the demo build
            private const val ADMIN_TOKEN = "«token»"

            private val authInterceptor = Interceptor { chain ->
                val request = chain.request().newBuilder()
                    .addHeader("X-Api-Key", API_KEY)
                    .addHeader("Authorization", "Bearer $ADMIN_TOKEN")
                    .addHeader("Accept", "application/json")
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

            val retrofit: Retrofit by lazy {
                Retrofit.Builder()
                    .baseUrl(BASE_URL)
                    .client(client)
                    .addConverterFactory(GsonConverterFactory.create())
                    .build()
            }

            val service: GridService by lazy { retrofit.create(GridService::class.java) }
        }
        """, ip=I(ip4(r)), ip6=I(ip6(r)), apikey=K(_s(r, 40)), token=K(token))


def d_swift_appconfig(r):
    return "Pawsitive/Config/AppConfig.swift", _t(r"""
        //
        //  AppConfig.swift
        //  Pawsitive
        //
        //  Created by Mei Nguyen on 14/03/2023.
        //

        import Foundation

        enum AppEnvironment {
            case development, staging, production
        }

        struct AppConfig {
            static let environment: AppEnvironment = .staging

            static var baseURL: URL {
                switch environment {
                case .development: return URL(string: "http://127.0.0.1:3000")!
                case .staging: return URL(string: "http://«ip»:3000")!
                case .production: return URL(string: "https://api.pawsitive.app")!
                }
            }

            // MARK: - Stripe
            static let stripePublishableKey = "«pk»"

            // MARK: - Algolia
            static let algoliaAppID = "«algid»"
            static let algoliaAdminKey = "«algkey»" // FIXME: ship the search-only key instead

            // MARK: - Google
            static let googlePlacesKey = "«places»"

            // MARK: - Misc
            static let supportEmail = "«support»"
            static let placeholderAvatar = "avatar-placeholder@2x.png"
            static let minimumiOSVersion = "15.0"
            static let requestTimeout: TimeInterval = 20
        }
        """, ip=I(ip4(r)), pk=pk_live(r), algid=_s(r, 10, UP + DG), algkey=K(_hex(r, 32)),
        places=K(aiza(r)), support=E("help@pawsitive.app"))


def d_google_service_plist(r):
    num = _s(r, 12, DG)
    cid = _s(r, 32, LO + DG)
    return "ios/Runner/GoogleService-Info.plist", _t(r"""
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
            <string>app.pawsitive.ios</string>
            <key>PROJECT_ID</key>
            <string>pawsitive-7c1e2</string>
            <key>STORAGE_BUCKET</key>
            <string>pawsitive-7c1e2.appspot.com</string>
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
            <string>https://pawsitive-7c1e2-default-rtdb.firebaseio.com</string>
        </dict>
        </plist>
        """, tabs=True, num=num, cid=cid, apikey=K(aiza(r)), appid=_hex(r, 22))


def d_flutter_constants(r):
    sr = jwt(r, {"iss": "supabase", "ref": _s(r, 20, LO), "role": "service_role",
                 "iat": 1700000000, "exp": 2015576000})
    return "lib/config/constants.dart", _t(r"""
        // ignore_for_file: constant_identifier_names

        import 'package:flutter/material.dart';

        class AppConstants {
          AppConstants._();

          static const String appName = 'Harbor Eats';
          static const String supabaseUrl = 'https://«ref».supabase.co';
          // service role so the admin screens can bypass RLS
          static const String supabaseServiceRoleKey =
              '«sr»';

          static const String oneSignalAppId = '«osid»';
          static const String oneSignalRestApiKey = '«osrest»';

          static const String mapboxPublicToken = '«mbpk»';
          static const String mapboxDownloadsToken = '«mbsk»';

          static const String supportEmail = '«support»';
          static const String privacyUrl = 'https://harboreats.app/privacy';

          static const Duration requestTimeout = Duration(seconds: 20);
          static const List<String> supportedLocales = ['en', 'es', 'pt'];

          static const Color primary = Color(0xFF0E7C86);
          static const Color accent = Color(0xFFF4A259);
        }
        """, ref=_s(r, 20, LO), sr=K(sr), osid=uuid4(r),
        osrest=K(base64.b64encode(r.randbytes(36)).decode()), mbpk=mapbox_pk(r, "harboreats"),
        mbsk=K(mapbox_sk(r, "harboreats")), support=E("support@harboreats.app"))


def d_firebase_options(r):
    num = _s(r, 12, DG)
    return "lib/firebase_options.dart", _t(r"""
        // File generated by FlutterFire CLI.
        // ignore_for_file: lines_longer_than_80_chars, avoid_classes_with_only_static_members
        import 'package:firebase_core/firebase_core.dart' show FirebaseOptions;
        import 'package:flutter/foundation.dart'
            show defaultTargetPlatform, kIsWeb, TargetPlatform;

        /// Default [FirebaseOptions] for use with your Firebase apps.
        ///
        /// Example:
        /// ```dart
        /// import 'firebase_options.dart';
        /// // ...
        /// await Firebase.initializeApp(
        ///   options: DefaultFirebaseOptions.currentPlatform,
        /// );
        /// ```
        class DefaultFirebaseOptions {
          static FirebaseOptions get currentPlatform {
            if (kIsWeb) {
              return web;
            }
            switch (defaultTargetPlatform) {
              case TargetPlatform.android:
                return android;
              case TargetPlatform.iOS:
                return ios;
              default:
                throw UnsupportedError(
                  'DefaultFirebaseOptions are not supported for this platform.',
                );
            }
          }

          static const FirebaseOptions web = FirebaseOptions(
            apiKey: '«k1»',
            appId: '1:«num»:web:«w»',
            messagingSenderId: '«num»',
            projectId: 'harbor-eats',
            authDomain: 'harbor-eats.firebaseapp.com',
            storageBucket: 'harbor-eats.appspot.com',
            measurementId: 'G-«mid»',
          );

          static const FirebaseOptions android = FirebaseOptions(
            apiKey: '«k2»',
            appId: '1:«num»:android:«a»',
            messagingSenderId: '«num»',
            projectId: 'harbor-eats',
            storageBucket: 'harbor-eats.appspot.com',
          );

          static const FirebaseOptions ios = FirebaseOptions(
            apiKey: '«k3»',
            appId: '1:«num»:ios:«i»',
            messagingSenderId: '«num»',
            projectId: 'harbor-eats',
            storageBucket: 'harbor-eats.appspot.com',
            iosClientId: '«num»-«cid».apps.googleusercontent.com',
            iosBundleId: 'com.harboreats.app',
          );
        }
        """, num=num, k1=K(aiza(r)), k2=K(aiza(r)), k3=K(aiza(r)), w=_hex(r, 22), a=_hex(r, 22),
        i=_hex(r, 22), mid=_s(r, 10, UP + DG), cid=_s(r, 32, LO + DG))


def d_react_native_config(r):
    return "src/config/index.js", _t(r"""
        import { Platform } from 'react-native';

        // Android emulator reaches the host machine through 10.0.2.2
        const DEV_API = Platform.OS === 'android' ? 'http://10.0.2.2:5000' : 'http://localhost:5000';

        const config = {
          API_URL: __DEV__ ? DEV_API : 'http://«ip»/api',
          SOCKET_URL: __DEV__ ? 'ws://localhost:5001' : 'wss://rt.paystack-demo.shop',
          SENTRY_DSN: 'https://«dsnkey»@o«org».ingest.sentry.io/«proj»',
          GOOGLE_MAPS_API_KEY: '«maps»',
          ONESIGNAL_APP_ID: '«osid»',
          PAYSTACK_PUBLIC_KEY: 'pk_live_«pkhex»',
          PAYSTACK_SECRET_KEY: '«skhex»',
          APP_VERSION: '1.8.0',
          BUILD_NUMBER: 118,
        };

        export const currencies = ['NGN', 'GHS', 'KES', 'ZAR'];

        export const endpoints = {
          login: '/auth/login',
          register: '/auth/register',
          resetPassword: '/auth/reset-password',
          orders: '/orders',
          wallet: '/wallet',
        };

        export default config;
        """, ip=I(ip4(r)), dsnkey=_hex(r, 32),
        org=_s(r, 7, DG), proj=_s(r, 7, DG), maps=K(aiza(r)), osid=uuid4(r), pkhex=_hex(r, 40),
        skhex=K("sk_live_" + _hex(r, 40)))


# =============================================================================================
# data and ML
# =============================================================================================


def d_notebook_churn(r):
    n1, e1 = person(r, r.choice(FREE_MAIL))
    n2, e2 = person(r, r.choice(FREE_MAIL))
    return "notebooks/churn_analysis_q3.ipynb", _t(r"""
        {
         "cells": [
          {
           "cell_type": "markdown",
           "metadata": {},
           "source": [
            "# Churn analysis - Q3\n",
            "Pull cancelled subscriptions from the reporting replica and tag the cancellation reason with the LLM classifier."
           ]
          },
          {
           "cell_type": "code",
           "execution_count": 1,
           "metadata": {},
           "outputs": [],
           "source": [
            "import pandas as pd\n",
            "import psycopg2\n",
            "from openai import OpenAI\n",
            "\n",
            "client = OpenAI(api_key=\"«oai»\")\n",
            "conn = psycopg2.connect(host=\"«ip»\", port=5432, dbname=\"reporting\",\n",
            "                        user=\"analyst\", password=\"«dbpw»\")"
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
               "   customer_id                  email plan  cancelled_at\n",
               "0        10482  «e1»  pro    2023-07-02\n",
               "1        10977  «e2»  team   2023-07-02"
              ]
             },
             "execution_count": 2,
             "metadata": {},
             "output_type": "execute_result"
            }
           ],
           "source": [
            "df = pd.read_sql(\"SELECT customer_id, email, plan, cancelled_at, reason FROM subscriptions WHERE cancelled_at >= '2023-07-01'\", conn)\n",
            "df.head(2)"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": 3,
           "metadata": {},
           "outputs": [],
           "source": [
            "def classify(reason):\n",
            "    resp = client.chat.completions.create(\n",
            "        model=\"gpt-3.5-turbo\",\n",
            "        messages=[{\"role\": \"user\", \"content\": f\"Classify this churn reason: {reason}\"}],\n",
            "    )\n",
            "    return resp.choices[0].message.content.strip()\n",
            "\n",
            "df[\"reason_tag\"] = df[\"reason\"].fillna(\"\").map(classify)"
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
        """, oai=K(openai_key(r)), ip=I(ip4(r)), dbpw=P(pw(r, "!#%&*-_.")), e1=E(e1), e2=E(e2))


def d_airflow_dag(r):
    return "dags/shopify_orders_daily.py", _t(r'''
        """Pull yesterday's Shopify orders into the warehouse and ping #data-alerts."""
        from datetime import datetime, timedelta

        import requests
        from airflow import DAG
        from airflow.models import Connection
        from airflow.operators.python import PythonOperator
        from airflow.providers.postgres.hooks.postgres import PostgresHook
        from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

        default_args = {
            "owner": "data-eng",
            "depends_on_past": False,
            "email": ["«e1»", "«e2»"],
            "email_on_failure": True,
            "email_on_retry": False,
            "retries": 2,
            "retry_delay": timedelta(minutes=5),
        }

        WAREHOUSE = Connection(
            conn_id="warehouse",
            conn_type="postgres",
            host="«ip»",
            login="etl_loader",
            password="«dbpw»",
            schema="analytics",
            port=5432,
        )

        SLACK_WEBHOOK = "https://hooks.slack.com/services/«hook»"
        SHOPIFY_TOKEN = "«shop»"
        SHOP = "harbor-outfitters.myshopify.com"


        def extract_orders(**context):
            ds = context["ds"]
            resp = requests.get(
                f"https://{SHOP}/admin/api/2024-01/orders.json",
                headers={"X-Shopify-Access-Token": SHOPIFY_TOKEN},
                params={"created_at_min": ds, "status": "any", "limit": 250},
                timeout=60,
            )
            resp.raise_for_status()
            return resp.json()["orders"]


        def load_orders(**context):
            orders = context["ti"].xcom_pull(task_ids="extract_orders")
            hook = PostgresHook(postgres_conn_id=WAREHOUSE.conn_id)
            rows = [(o["id"], o["email"], o["total_price"], o["created_at"]) for o in orders]
            hook.insert_rows("raw.shopify_orders", rows, replace=True, replace_index="id")


        with DAG(
            dag_id="shopify_orders_daily",
            default_args=default_args,
            schedule="0 3 * * *",
            start_date=datetime(2024, 1, 1),
            catchup=False,
            tags=["shopify", "ingest"],
        ) as dag:
            extract = PythonOperator(task_id="extract_orders", python_callable=extract_orders)
            load = PythonOperator(task_id="load_orders", python_callable=load_orders)
            notify = SlackWebhookOperator(
                task_id="notify",
                webhook_token=SLACK_WEBHOOK,
                message="shopify_orders_daily finished for {{ ds }}",
            )

            extract >> load >> notify
        ''', e1=E(email(r, "harbor-outfitters.com", "f.l")), e2=E("data-alerts@harbor-outfitters.com"),
        ip=I(ip4(r)), dbpw=P(pw(r, QSYM)), hook=K(slack_hook(r)), shop=K(shpat(r)))


def d_dbt_profiles(r):
    return "profiles.yml", _t(r"""
        # ~/.dbt/profiles.yml -- copied into the repo so CI can find it
        jaffle_shop:
          target: dev
          outputs:
            dev:
              type: postgres
              host: «ip»
              user: dbt_dev
              password: «pw1»
              port: 5432
              dbname: jaffle
              schema: dbt_«who»
              threads: 4
              keepalives_idle: 0

            prod:
              type: snowflake
              account: xy12345.eu-west-1
              user: «sfuser»
              password: "«pw2»"
              role: TRANSFORMER
              database: ANALYTICS
              warehouse: TRANSFORMING
              schema: marts
              threads: 8
              client_session_keep_alive: False

            bq:
              type: bigquery
              method: service-account
              project: jaffle-analytics-381213
              dataset: dbt_ci
              keyfile: /home/runner/.gcp/dbt-ci.json
              threads: 4
              timeout_seconds: 300
              location: EU
              priority: interactive

            ci:
              type: postgres
              host: "{{ env_var('DBT_HOST') }}"
              user: "{{ env_var('DBT_USER') }}"
              password: "{{ env_var('DBT_PASSWORD') }}"
              port: 5432
              dbname: jaffle
              schema: ci
              threads: 4

        config:
          send_anonymous_usage_stats: False
          use_colors: True
        """, ip=I(ip4(r)), pw1=P(pw(r, SAFE, "combo")), who=r.choice(FIRST),
        sfuser=E(email(r, "jaffle-analytics.com", "f.l").upper()), pw2=P(pw(r, "!#%&*-_.")))


def d_pyspark_job(r):
    return "jobs/clickstream_nightly.py", _t(r'''
        """Nightly job: roll raw clickstream from S3 up into sessions in the reporting Postgres."""
        import sys

        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F

        JDBC_URL = "jdbc:postgresql://«ip»:5432/reporting"
        JDBC_PROPS = {
            "user": "spark_writer",
            "password": "«dbpw»",
            "driver": "org.postgresql.Driver",
            "batchsize": "5000",
        }

        spark = (
            SparkSession.builder.appName("clickstream-nightly")
            .config("spark.hadoop.fs.s3a.access.key", "«akid»")
            .config("spark.hadoop.fs.s3a.secret.key", "«asec»")
            .config("spark.hadoop.fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com")
            .config("spark.sql.shuffle.partitions", "200")
            .getOrCreate()
        )


        def main(run_date: str) -> None:
            events = spark.read.parquet(f"s3a://sunpeak-clickstream/events/dt={run_date}/")
            sessions = (
                events.filter(F.col("event_type").isin("page_view", "add_to_cart", "purchase"))
                .groupBy("session_id", "user_id")
                .agg(
                    F.min("ts").alias("started_at"),
                    F.max("ts").alias("ended_at"),
                    F.count("*").alias("events"),
                    F.sum(F.when(F.col("event_type") == "purchase", 1).otherwise(0)).alias("purchases"),
                )
                .withColumn("run_date", F.lit(run_date))
            )
            (
                sessions.repartition(16)
                .write.jdbc(JDBC_URL, "public.daily_sessions", mode="append", properties=JDBC_PROPS)
            )


        if __name__ == "__main__":
            main(sys.argv[1])
            spark.stop()
        ''', ip=I(ip4(r)), dbpw=P(pw(r, QSYM, "rand")), akid=K(aws_akid(r)), asec=K(aws_secret(r)))


def d_pandas_report(r):
    return "scripts/weekly_sales_report.py", _t(r'''
        #!/usr/bin/env python3
        """Weekly sales report -> Excel -> email to the regional managers (cron, Mondays 06:00)."""
        import smtplib
        from datetime import date, timedelta
        from email.message import EmailMessage
        from pathlib import Path

        import pandas as pd
        from sqlalchemy import create_engine

        ENGINE = create_engine("mysql+pymysql://report:«dbpw»@«ip»:3306/erp?charset=utf8mb4")
        RECIPIENTS = ["«e1»", "«e2»"]
        SMTP_USER = "«smtpuser»"
        SMTP_PASS = "«smtppw»"
        OUT_DIR = Path("/srv/reports/weekly")


        def build_report(start: date, end: date):
            q = """
                SELECT r.name AS region, s.sku, SUM(s.qty) AS units, SUM(s.qty * s.unit_price) AS revenue
                FROM sales s JOIN regions r ON r.id = s.region_id
                WHERE s.sold_at BETWEEN %(start)s AND %(end)s
                GROUP BY r.name, s.sku
            """
            df = pd.read_sql(q, ENGINE, params={"start": start, "end": end})
            pivot = df.pivot_table(index="sku", columns="region", values="revenue",
                                   aggfunc="sum", fill_value=0)
            return df, pivot


        def write_excel(df, pivot, end: date) -> Path:
            path = OUT_DIR / f"sales_{end:%Y_%m_%d}.xlsx"
            with pd.ExcelWriter(path) as xl:
                df.to_excel(xl, sheet_name="raw", index=False)
                pivot.to_excel(xl, sheet_name="by_region")
            return path


        def send(path: Path) -> None:
            msg = EmailMessage()
            msg["Subject"] = f"Weekly sales {path.stem}"
            msg["From"] = SMTP_USER
            msg["To"] = ", ".join(RECIPIENTS)
            msg.set_content("Hi all,\n\nthis week's sales report is attached.\n")
            msg.add_attachment(path.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               filename=path.name)
            with smtplib.SMTP("smtp.office365.com", 587) as s:
                s.starttls()
                s.login(SMTP_USER, SMTP_PASS)
                s.send_message(msg)


        if __name__ == "__main__":
            end = date.today() - timedelta(days=1)
            df, pivot = build_report(end - timedelta(days=6), end)
            send(write_excel(df, pivot, end))
        ''', dbpw=P(pw(r, "-_.~")), ip=I(ip4(r)), e1=E(email(r, "sunpeak-energy.com", "f.l")),
        e2=E(email(r, "sunpeak-energy.com", "fl")),
        smtpuser=E("reports@sunpeak-energy.com"), smtppw=P(pw(r, QSYM)))


def d_ml_train(r):
    return "train.py", _t(r'''
        import argparse
        import hashlib
        import os

        import wandb
        from datasets import load_dataset
        from huggingface_hub import login
        from transformers import (AutoModelForSequenceClassification, AutoTokenizer, Trainer,
                                  TrainingArguments)

        # quick hack for the shared GPU box -- TODO read these from env
        WANDB_KEY = "«wandb»"
        HF_TOKEN = "«hf»"

        MODEL_NAME = "distilbert-base-uncased"
        # sha256 of the cleaned reviews tarball; checked before training
        DATA_SHA256 = "«sha»"


        def parse_args():
            p = argparse.ArgumentParser()
            p.add_argument("--data", default="data/reviews_clean.tar.gz")
            p.add_argument("--epochs", type=int, default=3)
            p.add_argument("--lr", type=float, default=5e-5)
            p.add_argument("--push", action="store_true")
            return p.parse_args()


        def verify(path):
            h = hashlib.sha256(open(path, "rb").read()).hexdigest()
            if h != DATA_SHA256:
                raise SystemExit(f"checksum mismatch for {path}: {h}")


        def main():
            args = parse_args()
            verify(args.data)
            wandb.login(key=WANDB_KEY)
            login(token=HF_TOKEN)
            wandb.init(project=os.environ.get("WANDB_PROJECT", "review-sentiment"))

            ds = load_dataset("json", data_files={"train": "data/train.jsonl", "test": "data/test.jsonl"})
            tok = AutoTokenizer.from_pretrained(MODEL_NAME)
            ds = ds.map(lambda b: tok(b["text"], truncation=True, padding="max_length"), batched=True)
            model = AutoModelForSequenceClassification.from_pretrained(MODEL_NAME, num_labels=3)

            targs = TrainingArguments(
                output_dir="out",
                num_train_epochs=args.epochs,
                learning_rate=args.lr,
                per_device_train_batch_size=32,
                evaluation_strategy="epoch",
                report_to=["wandb"],
                push_to_hub=args.push,
                hub_model_id="gridmint/review-sentiment-distilbert",
            )
            trainer = Trainer(model=model, args=targs, train_dataset=ds["train"], eval_dataset=ds["test"])
            trainer.train()
            if args.push:
                trainer.push_to_hub()


        if __name__ == "__main__":
            main()
        ''', wandb=K(_hex(r, 40)), hf=K(hf_tok(r)), sha=sha256(r))


def d_r_analysis(r):
    name, mail = person(r, r.choice(["ucdavis.edu", "wur.nl", "inrae.fr", "csiro.au"]))
    return "analysis/yield_models.R", _t(r"""
        # Field trial yield models
        # Author: «name» <«mail»>
        # Last run: 2023-11-08 with R 4.3.1

        library(DBI)
        library(RPostgres)
        library(dplyr)
        library(lme4)
        library(ggplot2)

        con <- dbConnect(
          RPostgres::Postgres(),
          host     = "«ip»",
          port     = 5432,
          dbname   = "fieldtrials",
          user     = "rstudio",
          password = "«dbpw»"
        )
        # password = rstudioapi::askForPassword("Database password")

        plots <- dbGetQuery(con, "
          SELECT p.plot_id, p.block, p.variety, p.nitrogen_kg_ha, h.yield_t_ha, s.site_name
          FROM plots p
          JOIN harvests h ON h.plot_id = p.plot_id
          JOIN sites s ON s.site_id = p.site_id
          WHERE h.season = 2023
        ")

        dbDisconnect(con)

        plots <- plots %>%
          mutate(variety = factor(variety),
                 block = factor(block),
                 n_scaled = scale(nitrogen_kg_ha))

        m1 <- lmer(yield_t_ha ~ variety * n_scaled + (1 | site_name / block), data = plots)
        summary(m1)

        ggplot(plots, aes(nitrogen_kg_ha, yield_t_ha, colour = variety)) +
          geom_point(alpha = 0.6) +
          geom_smooth(method = "lm", se = FALSE) +
          facet_wrap(~ site_name) +
          theme_minimal()

        ggsave("figures/yield_by_n.png", width = 10, height = 6, dpi = 300)
        """, name=name, mail=E(mail), ip=I(ip4(r)), dbpw=P(pw(r, "!#%&*-_.")))


def d_notebook_kaggle(r):
    return "llm-detect/01_baseline.ipynb", _t(r"""
        {
         "cells": [
          {
           "cell_type": "code",
           "execution_count": null,
           "metadata": {
            "id": "setup"
           },
           "outputs": [],
           "source": [
            "!pip install -q kaggle anthropic scikit-learn\n",
            "!mkdir -p ~/.kaggle\n",
            "!echo '{\"username\":\"«kuser»\",\"key\":\"«kkey»\"}' > ~/.kaggle/kaggle.json\n",
            "!chmod 600 ~/.kaggle/kaggle.json\n",
            "!kaggle competitions download -c llm-detect-ai-generated-text && unzip -q llm-detect-ai-generated-text.zip -d data"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": null,
           "metadata": {},
           "outputs": [],
           "source": [
            "import anthropic\n",
            "import pandas as pd\n",
            "\n",
            "client = anthropic.Anthropic(api_key=\"«ant»\")\n",
            "train = pd.read_csv(\"data/train_essays.csv\")\n",
            "train.generated.value_counts()"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": null,
           "metadata": {},
           "outputs": [],
           "source": [
            "def synth_essay(prompt):\n",
            "    msg = client.messages.create(\n",
            "        model=\"claude-3-haiku-20240307\",\n",
            "        max_tokens=800,\n",
            "        messages=[{\"role\": \"user\", \"content\": prompt}],\n",
            "    )\n",
            "    return msg.content[0].text\n",
            "\n",
            "extra = [synth_essay(p) for p in train.prompt_name.unique()[:20]]"
           ]
          }
         ],
         "metadata": {
          "accelerator": "GPU",
          "colab": {
           "provenance": []
          },
          "kernelspec": {
           "display_name": "Python 3",
           "name": "python3"
          },
          "language_info": {
           "name": "python"
          }
         },
         "nbformat": 4,
         "nbformat_minor": 0
        }
        """, kuser=r.choice(FIRST) + r.choice(LAST) + str(r.randint(1, 99)), kkey=K(_hex(r, 32)),
        ant=K(anthropic(r)))


def d_streamlit_secrets(r):
    sa = r.choice(["streamlit-reader", "dash-sa", "sheets-bot"])
    return ".streamlit/secrets.toml", _t(r"""
        # .streamlit/secrets.toml
        # Local secrets for the stock dashboard (do NOT commit -- oops)

        openai_api_key = "«oai»"

        [connections.postgresql]
        dialect = "postgresql"
        host = "«ip»"
        port = "5432"
        database = "inventory"
        username = "streamlit_ro"
        password = "«dbpw»"

        [gcp_service_account]
        type = "service_account"
        project_id = "stock-dash-402113"
        private_key = "«pem»"
        client_email = "«sa»"
        client_id = "«cid»"
        auth_uri = "https://accounts.google.com/o/oauth2/auth"
        token_uri = "https://oauth2.googleapis.com/token"
        auth_provider_x509_cert_url = "https://www.googleapis.com/oauth2/v1/certs"
        universe_domain = "googleapis.com"

        [app]
        title = "Stock Dashboard"
        refresh_seconds = 300
        low_stock_threshold = 25
        """, oai=K(openai_proj(r)), ip=I(ip4(r)), dbpw=P(pw(r, "!#%&*-_.")),
        pem=K(pem(r, "PRIVATE KEY", sep="\\n")) + "\\n",
        sa=E(f"{sa}@stock-dash-402113.iam.gserviceaccount.com"), cid=_s(r, 21, DG))


def d_gsheets_sync(r):
    key = pem(r, "PRIVATE KEY", sep="\\n")
    return "sync/sheets_to_crm.py", _t(r'''
        """Copy new leads from the sales Google Sheet into the CRM every 15 minutes."""
        import time

        import gspread
        import requests
        from google.oauth2.service_account import Credentials

        SERVICE_ACCOUNT_INFO = {
            "type": "service_account",
            "project_id": "orbitalpay-ops",
            "private_key": "«pem»\n",
            "client_email": "«sa»",
            "client_id": "«cid»",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        }
        SCOPES = ["https://www.googleapis.com/auth/spreadsheets.readonly"]

        CRM_URL = "https://crm.orbitalpay.com/api/v1/leads"
        CRM_TOKEN = "«crm»"


        def fetch_rows():
            creds = Credentials.from_service_account_info(SERVICE_ACCOUNT_INFO, scopes=SCOPES)
            gc = gspread.authorize(creds)
            ws = gc.open("Inbound leads 2024").worksheet("Form responses")
            return ws.get_all_records()


        def push(lead):
            r = requests.post(CRM_URL, json=lead, headers={"Authorization": f"Token {CRM_TOKEN}"}, timeout=20)
            r.raise_for_status()


        def main():
            seen = set()
            while True:
                for row in fetch_rows():
                    if row["Email"] in seen:
                        continue
                    push({"name": row["Name"], "email": row["Email"], "company": row.get("Company")})
                    seen.add(row["Email"])
                time.sleep(900)


        if __name__ == "__main__":
            main()
        ''', pem=K(key), sa=E("crm-sync@orbitalpay-ops.iam.gserviceaccount.com"), cid=_s(r, 21, DG),
        crm=K(_hex(r, 40)))


# =============================================================================================
# DevOps
# =============================================================================================


def d_github_actions(r):
    dbpw = pw(r, SAFE, "combo")
    return ".github/workflows/ci.yml", _t(r"""
        name: CI

        on:
          push:
            branches: [ main ]
          pull_request:
            branches: [ main ]

        env:
          REGISTRY: ghcr.io
          IMAGE_NAME: ${{ github.repository }}
          SONAR_TOKEN: «sonar»
          NODE_VERSION: 20

        jobs:
          test:
            runs-on: ubuntu-latest
            services:
              postgres:
                image: postgres:15
                env:
                  POSTGRES_USER: ci
                  POSTGRES_PASSWORD: «dbpw»
                  POSTGRES_DB: app_test
                ports:
                  - 5432:5432
                options: >-
                  --health-cmd pg_isready
                  --health-interval 10s
                  --health-timeout 5s
                  --health-retries 5
            steps:
              - uses: actions/checkout@v4
              - uses: actions/setup-node@v4
                with:
                  node-version: ${{ env.NODE_VERSION }}
                  cache: npm
              - run: npm ci
              - run: npm test -- --coverage
                env:
                  DATABASE_URL: postgres://ci:«dbpw»@localhost:5432/app_test
              - name: SonarCloud Scan
                uses: SonarSource/sonarcloud-github-action@v2
                env:
                  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}

          docker:
            needs: test
            if: github.ref == 'refs/heads/main'
            runs-on: ubuntu-latest
            permissions:
              contents: write
              packages: write
            steps:
              - uses: actions/checkout@v4
              - name: Log in to GHCR
                uses: docker/login-action@v3
                with:
                  registry: ${{ env.REGISTRY }}
                  username: ${{ github.actor }}
                  password: ${{ secrets.GITHUB_TOKEN }}
              - name: Build and push
                uses: docker/build-push-action@v5
                with:
                  push: true
                  tags: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}:latest
              - name: Tag nightly
                run: |
                  git config user.name "release-bot"
                  git config user.email "«botmail»"
                  git tag -a "nightly-$(date +%Y%m%d)-${GITHUB_SHA::7}" -m "nightly build"
                  git push origin --tags
        """, sonar=K("sqp_" + _hex(r, 40)), dbpw=P(dbpw), botmail=E("release-bot@brightlane.io"))


def d_gitlab_ci(r):
    ip = ip4(r)
    return ".gitlab-ci.yml", _t(r"""
        image: node:20-alpine

        stages:
          - test
          - build
          - deploy

        variables:
          MYSQL_DATABASE: shop_test
          MYSQL_ROOT_PASSWORD: «rootpw»
          RELEASE_TOKEN: «glpat»
          DOCKER_DRIVER: overlay2
          DEPLOY_HOST: «ip»

        cache:
          key: ${CI_COMMIT_REF_SLUG}
          paths:
            - node_modules/

        test:
          stage: test
          services:
            - mysql:8.0
          script:
            - npm ci
            - npm run lint
            - DB_HOST=mysql DB_PASSWORD=$MYSQL_ROOT_PASSWORD npm test

        build:
          stage: build
          image: docker:24
          services:
            - docker:24-dind
          script:
            - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY
            - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .
            - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA
          only:
            - main

        release:
          stage: deploy
          image: curlimages/curl:8.5.0
          script:
            - >
              curl --fail --request POST --header "PRIVATE-TOKEN: ${RELEASE_TOKEN}"
              --data "tag_name=v${CI_PIPELINE_IID}&ref=${CI_COMMIT_SHA}"
              "${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/releases"
          only:
            - main

        deploy_production:
          stage: deploy
          image: alpine:3.19
          before_script:
            - apk add --no-cache openssh-client
            - eval $(ssh-agent -s)
            - echo "$SSH_PRIVATE_KEY" | tr -d '\r' | ssh-add -
            - mkdir -p ~/.ssh && chmod 700 ~/.ssh
            - ssh-keyscan -H $DEPLOY_HOST >> ~/.ssh/known_hosts
          script:
            - ssh deploy@$DEPLOY_HOST "cd /srv/shop && docker compose pull && docker compose up -d"
          environment:
            name: production
            url: http://«ip»
          when: manual
          only:
            - main
        """, rootpw=P(pw(r, SAFE, "rand")), glpat=K(glpat(r)), ip=I(ip))


def d_jenkinsfile(r):
    return "Jenkinsfile", _t(r'''
        pipeline {
            agent any

            environment {
                APP_NAME    = 'ledger-api'
                DEPLOY_IP   = '«ip»'
                SSH_PASS    = '«sshpw»'
                SLACK_HOOK  = 'https://hooks.slack.com/services/«hook»'
                NEXUS_CREDS = credentials('nexus-deployer')
            }

            tools {
                maven 'Maven 3.9'
                jdk 'temurin-17'
            }

            options {
                timestamps()
                buildDiscarder(logRotator(numToKeepStr: '20'))
            }

            stages {
                stage('Checkout') {
                    steps { checkout scm }
                }
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
                        always { junit 'target/surefire-reports/*.xml' }
                    }
                }
                stage('Publish') {
                    steps {
                        sh 'mvn -B deploy -s settings.xml -Dnexus.user=$NEXUS_CREDS_USR -Dnexus.password=$NEXUS_CREDS_PSW'
                    }
                }
                stage('Deploy') {
                    when { branch 'main' }
                    steps {
                        sh """
                            sshpass -p '${SSH_PASS}' scp -o StrictHostKeyChecking=no target/${APP_NAME}.jar deploy@${DEPLOY_IP}:/opt/${APP_NAME}/
                            sshpass -p '${SSH_PASS}' ssh -o StrictHostKeyChecking=no deploy@${DEPLOY_IP} 'sudo systemctl restart ${APP_NAME}'
                        """
                    }
                }
            }

            post {
                success {
                    sh "curl -s -X POST -H 'Content-type: application/json' --data '{\"text\":\"${APP_NAME} deployed\"}' ${SLACK_HOOK}"
                }
                failure {
                    mail to: '«mail»',
                         subject: "FAILED: ${env.JOB_NAME} #${env.BUILD_NUMBER}",
                         body: "See ${env.BUILD_URL}"
                }
            }
        }
        ''', ip=I(ip4(r)), sshpw=P(pw(r, "!#%&*-_.")), hook=K(slack_hook(r)),
        mail=E("backend-team@hexacore.tech"))


def d_k8s_secret(r):
    return "deploy/k8s/payments-api.yaml", _t(r"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: payments-api-secrets
          namespace: payments
          labels:
            app.kubernetes.io/name: payments-api
        type: Opaque
        stringData:
          DATABASE_PASSWORD: «dbpw»
          STRIPE_SECRET_KEY: «rk»
          JWT_SIGNING_KEY: «jwtkey»
          SENDGRID_API_KEY: «sg»
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: payments-api
          namespace: payments
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: payments-api
          template:
            metadata:
              labels:
                app: payments-api
            spec:
              containers:
                - name: api
                  image: ghcr.io/orbitalpay/payments-api@sha256:«digest»
                  ports:
                    - containerPort: 8080
                  env:
                    - name: DATABASE_HOST
                      value: payments-db.payments.svc.cluster.local
                    - name: DATABASE_PASSWORD
                      valueFrom:
                        secretKeyRef:
                          name: payments-api-secrets
                          key: DATABASE_PASSWORD
                  envFrom:
                    - secretRef:
                        name: payments-api-secrets
                  resources:
                    requests:
                      cpu: 100m
                      memory: 256Mi
                    limits:
                      cpu: 500m
                      memory: 512Mi
        """, dbpw=P(pw(r, SAFE, "rand")), rk=K(rk_live(r)),
        jwtkey=K(base64.b64encode(r.randbytes(48)).decode()), sg=K(sendgrid(r)), digest=sha256(r))


def d_k8s_keycloak(r):
    return "k8s/keycloak.yaml", _t(r"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: keycloak
          namespace: auth
          labels:
            app: keycloak
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: keycloak
          template:
            metadata:
              labels:
                app: keycloak
            spec:
              containers:
                - name: keycloak
                  image: quay.io/keycloak/keycloak:24.0.1
                  args: ["start", "--optimized"]
                  env:
                    - name: KEYCLOAK_ADMIN
                      value: admin
                    - name: KEYCLOAK_ADMIN_PASSWORD
                      value: "«adminpw»"
                    - name: KC_DB
                      value: postgres
                    - name: KC_DB_URL
                      value: jdbc:postgresql://10.96.14.20:5432/keycloak
                    - name: KC_DB_USERNAME
                      value: keycloak
                    - name: KC_DB_PASSWORD
                      value: "«dbpw»"
                    - name: KC_HOSTNAME
                      value: sso.ridgelinehealth.org
                    - name: KC_PROXY
                      value: edge
                  ports:
                    - name: http
                      containerPort: 8080
                  readinessProbe:
                    httpGet:
                      path: /health/ready
                      port: 9000
                    initialDelaySeconds: 30
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: keycloak
          namespace: auth
        spec:
          type: ClusterIP
          selector:
            app: keycloak
          ports:
            - name: http
              port: 80
              targetPort: 8080
          externalIPs:
            - «ip»
        """, adminpw=P(pw(r, "!#%&*-_.")), dbpw=P(pw(r, "!#%&*-_.", "rand")), ip=I(ip4(r)))


def d_helm_values(r):
    return "charts/mattermost-stack/values.yaml", _t(r"""
        # Default values for mattermost-stack.
        # This is a YAML-formatted file.
        replicaCount: 2

        image:
          repository: mattermost/mattermost-team-edition
          tag: "9.5.2"
          pullPolicy: IfNotPresent

        ingress:
          enabled: true
          className: nginx
          annotations:
            cert-manager.io/cluster-issuer: letsencrypt-prod
            nginx.ingress.kubernetes.io/proxy-body-size: 50m
          hosts:
            - host: chat.tidewater.agency
              paths:
                - path: /
                  pathType: Prefix
          tls:
            - secretName: chat-tls
              hosts:
                - chat.tidewater.agency

        certManager:
          email: «acme»

        postgresql:
          enabled: true
          auth:
            username: mattermost
            password: «pgpw»
            postgresPassword: «pgadmin»
            database: mattermost
          primary:
            persistence:
              size: 20Gi

        redis:
          enabled: true
          auth:
            enabled: true
            password: «redispw»

        smtp:
          host: smtp.mailgun.org
          port: 587
          username: «smtpuser»
          password: «smtppw»
          from: «from»

        resources:
          limits:
            cpu: "1"
            memory: 2Gi
          requests:
            cpu: 250m
            memory: 512Mi

        nodeSelector: {}
        tolerations: []
        affinity: {}
        """, acme=E(email(r, "tidewater.agency", "f.l")), pgpw=P(pw(r, SAFE)), pgadmin=P(pw(r, SAFE, "rand")),
        redispw=P(pw(r, SAFE, "long")), smtpuser=E("postmaster@mg.tidewater.agency"),
        smtppw=P(pw(r, SAFE, "rand")), **{"from": E("chat-noreply@tidewater.agency")})


def d_terraform_main(r):
    return "infra/main.tf", _t(r"""
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
          region     = "us-east-1"
          access_key = "«akid»"
          secret_key = "«asec»"
        }

        resource "aws_vpc" "main" {
          cidr_block           = "10.20.0.0/16"
          enable_dns_hostnames = true
          tags = { Name = "app-prod" }
        }

        resource "aws_security_group" "bastion" {
          name        = "bastion-ssh"
          description = "SSH from the office and the on-call VPN"
          vpc_id      = aws_vpc.main.id

          ingress {
            description = "office + vpn"
            from_port   = 22
            to_port     = 22
            protocol    = "tcp"
            cidr_blocks = ["«ip1»/32", "«ip2»/32"]
          }

          egress {
            from_port   = 0
            to_port     = 0
            protocol    = "-1"
            cidr_blocks = ["0.0.0.0/0"]
          }
        }

        resource "aws_db_instance" "app" {
          identifier              = "app-prod"
          engine                  = "postgres"
          engine_version          = "15.4"
          instance_class          = "db.t3.medium"
          allocated_storage       = 50
          db_name                 = "app"
          username                = "app_admin"
          password                = "«dbpw»"
          vpc_security_group_ids  = [aws_security_group.bastion.id]
          storage_encrypted       = true
          kms_key_id              = "arn:aws:kms:us-east-1:«acct»:key/«kmsid»"
          backup_retention_period = 7
          skip_final_snapshot     = false
        }

        output "db_endpoint" {
          value = aws_db_instance.app.endpoint
        }
        """, akid=K(aws_akid(r)), asec=K(aws_secret(r)), ip1=I(ip4(r)), ip2=I(ip4(r)),
        dbpw=P(pw(r, "!#%&*-_.")), acct=_s(r, 12, DG), kmsid=uuid4(r))


def d_terraform_tfvars(r):
    return "terraform/environments/prod/terraform.tfvars", _t(r"""
        # terraform.tfvars -- prod (DigitalOcean + Cloudflare)
        # NOTE: keep in sync with the staging file

        project_name         = "lumenfield"
        environment          = "prod"
        do_token             = "«do»"
        cloudflare_api_token = "«cf»"
        cloudflare_zone_id   = "«zone»"

        region        = "ams3"
        droplet_size  = "s-2vcpu-4gb"
        droplet_count = 2
        droplet_image = "ubuntu-22-04-x64"

        ssh_key_fingerprints = [
          "«fp»",
        ]

        admin_ip    = "«ip»"
        db_size     = "db-s-1vcpu-2gb"
        db_password = "«dbpw»"
        domain      = "lumenfield.app"
        alert_email = "«alert»"

        volume_size_gb = 100
        enable_backups = true

        tags = ["lumenfield", "prod", "terraform"]
        """, do=K(do_tok(r)), cf=K(_s(r, 40, URLSAFE)), zone=_hex(r, 32),
        fp=":".join(_hex(r, 2) for _ in range(16)), ip=I(ip4(r)), dbpw=P(pw(r, "!#%&*-_.")),
        alert=E(email(r, "lumenfield.app", "f")))


def d_ansible_inventory(r):
    become = pw(r, SAFE, "season")
    return "inventories/production/hosts.ini", _t(r"""
        # production inventory -- generated 2024-02-11, edit by hand afterwards
        [web]
        web-01 ansible_host=«ip1»
        web-02 ansible_host=«ip2»
        web-03 ansible_host=«ip6»

        [db]
        db-01 ansible_host=«ip3» ansible_port=2222

        [monitoring]
        grafana ansible_host=10.0.3.15

        [web:vars]
        ansible_user=deploy
        ansible_ssh_pass=«become»
        ansible_become_pass=«become»

        [db:vars]
        ansible_user=ubuntu
        ansible_ssh_private_key_file=~/.ssh/db_ed25519
        ansible_become_pass=«dbbecome»

        [all:vars]
        ansible_python_interpreter=/usr/bin/python3
        ntp_servers=0.pool.ntp.org,1.pool.ntp.org
        dns_servers=1.1.1.1,8.8.8.8
        """, ip1=I(ip4(r)), ip2=I(ip4(r)), ip6=I(ip6(r)), ip3=I(ip4(r)), become=P(become),
        dbbecome=P(pw(r, SAFE, "rand")))


def d_ansible_group_vars(r):
    return "group_vars/all.yml", _t(r"""
        ---
        # group_vars/all.yml
        app_name: ledgerly
        app_user: ledgerly
        app_domain: ledgerly.hexacore.tech
        letsencrypt_email: «le»

        mysql_root_password: «rootpw»
        mysql_databases:
          - name: ledgerly
            encoding: utf8mb4
            collation: utf8mb4_unicode_ci
        mysql_users:
          - name: ledgerly
            host: "%"
            password: "{{ vault_mysql_ledgerly_password }}"
            priv: "ledgerly.*:ALL"

        app_secret_key: «appsecret»
        app_env:
          DJANGO_SETTINGS_MODULE: ledgerly.settings.production
          SENTRY_DSN: "https://«dsn»@o«org».ingest.sentry.io/«proj»"
          ALLOWED_HOSTS: "ledgerly.hexacore.tech,127.0.0.1"

        ntp_servers:
          - 0.europe.pool.ntp.org
          - 1.europe.pool.ntp.org
        resolvers:
          - 9.9.9.9
          - 149.112.112.112

        firewall_allowed_tcp_ports: [22, 80, 443]
        firewall_trusted_networks:
          - 10.0.0.0/8
          - «officeip»/32

        backup_s3_bucket: ledgerly-backups
        backup_aws_access_key: «akid»
        backup_aws_secret_key: «asec»
        backup_retention_days: 30

        deploy_user: deploy
        deploy_ssh_private_key: |
          «sshkey»
        """, le=E(email(r, "hexacore.tech", "fl")), rootpw=P(pw(r, SAFE, "mixed")),
        appsecret=K(_s(r, 50, AN + "-_")), dsn=_hex(r, 32), org=_s(r, 6, DG), proj=_s(r, 7, DG),
        officeip=I(ip4(r)), akid=K(aws_akid(r)), asec=K(aws_secret(r)),
        sshkey=K(pem(r, "OPENSSH PRIVATE KEY", sep="\n  ")))


def d_vagrantfile(r):
    root = pw(r, "!#%&*-_.")
    return "Vagrantfile", _t(r"""
        # -*- mode: ruby -*-
        # vi: set ft=ruby :

        Vagrant.configure("2") do |config|
          config.vm.box = "ubuntu/jammy64"
          config.vm.hostname = "lamp-dev"

          config.vm.network "forwarded_port", guest: 80, host: 8080
          config.vm.network "forwarded_port", guest: 3306, host: 33060
          config.vm.network "private_network", ip: "192.168.56.10"

          config.ssh.username = "devops"
          config.ssh.password = "«sshpw»"
          config.ssh.insert_key = false

          config.vm.provider "virtualbox" do |vb|
            vb.name = "lamp-dev"
            vb.memory = "2048"
            vb.cpus = 2
          end

          config.vm.provision "shell", inline: <<-SHELL
            export DEBIAN_FRONTEND=noninteractive
            apt-get update
            apt-get install -y apache2 php libapache2-mod-php php-mysql mysql-server unzip
            mysql -u root -e "ALTER USER 'root'@'localhost' IDENTIFIED WITH mysql_native_password BY '«root»'; FLUSH PRIVILEGES;"
            mysql -u root -p'«root»' -e "CREATE DATABASE IF NOT EXISTS shop; CREATE USER 'shop'@'%' IDENTIFIED BY '«shop»'; GRANT ALL ON shop.* TO 'shop'@'%';"
            sed -i 's/bind-address.*/bind-address = 0.0.0.0/' /etc/mysql/mysql.conf.d/mysqld.cnf
            systemctl restart mysql apache2
          SHELL
        end
        """, sshpw=P(pw(r, SAFE, "combo")), root=P(root), shop=P(pw(r, "!#%*-_.")))


def d_docker_compose(r):
    pg = pw(r, SAFE, "rand")
    return "docker-compose.yml", _t(r"""
        version: "3.9"

        services:
          db:
            image: postgres:16-alpine
            restart: unless-stopped
            environment:
              POSTGRES_USER: umami
              POSTGRES_PASSWORD: «pg»
              POSTGRES_DB: umami
            volumes:
              - pgdata:/var/lib/postgresql/data
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U umami"]
              interval: 5s

          umami:
            image: ghcr.io/umami-software/umami:postgresql-latest
            depends_on:
              db:
                condition: service_healthy
            environment:
              DATABASE_URL: postgresql://umami:«pg»@db:5432/umami
              DATABASE_TYPE: postgresql
              APP_SECRET: «appsecret»
            ports:
              - "3000:3000"

          minio:
            image: minio/minio@sha256:«digest»
            command: server /data --console-address ":9001"
            environment:
              - MINIO_ROOT_USER=minio-root
              - MINIO_ROOT_PASSWORD=«minio»
            ports: ["9000:9000", "9001:9001"]
            volumes:
              - minio:/data

          pgadmin:
            image: dpage/pgadmin4:8.3
            environment:
              PGADMIN_DEFAULT_EMAIL: «pgaemail»
              PGADMIN_DEFAULT_PASSWORD: «pgapw»
            ports:
              - "5050:80"

          rabbitmq:
            image: rabbitmq:3.13-management
            environment:
              RABBITMQ_DEFAULT_USER: app
              RABBITMQ_DEFAULT_PASS: «rabbit»
            ports:
              - "15672:15672"

          datadog:
            image: gcr.io/datadoghq/agent:7
            environment:
              - DD_API_KEY=«ddkey»
              - DD_SITE=datadoghq.eu
              - DD_LOGS_ENABLED=true
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock:ro

        volumes:
          pgdata:
          minio:
        """, pg=P(pg), appsecret=K(_hex(r, 64)), digest=sha256(r), minio=P(pw(r, SAFE, "long")),
        pgaemail=E(email(r, r.choice(FREE_MAIL), "f.l")), pgapw=P(pw(r, SAFE)), rabbit=P(pw(r, SAFE, "combo")),
        ddkey=K(_hex(r, 32)))


def d_deploy_sh(r):
    return "scripts/deploy.sh", _t(r"""
        #!/usr/bin/env bash
        # deploy.sh -- build, upload and restart the API on the production box
        set -euo pipefail

        HOST="«ip»"
        USER="deploy"
        APP_DIR="/var/www/api"
        DB_USER="api"
        DB_PASS='«dbpw»'
        GITHUB_TOKEN="«gh»"
        SLACK_TOKEN="«slack»"

        echo ">> building"
        npm ci --silent
        npm run build

        echo ">> fetching private config"
        curl -sSfL -H "Authorization: token ${GITHUB_TOKEN}" \
          https://raw.githubusercontent.com/brightlane/infra-config/main/api/.env.production \
          -o .env.production

        echo ">> backing up database"
        ssh "${USER}@${HOST}" "mysqldump -u ${DB_USER} -p'${DB_PASS}' api_prod | gzip > ~/backups/api_\$(date +%F).sql.gz"

        echo ">> uploading"
        rsync -az --delete dist/ package.json package-lock.json .env.production "${USER}@${HOST}:${APP_DIR}/"

        echo ">> restarting"
        ssh "${USER}@${HOST}" "cd ${APP_DIR} && npm ci --omit=dev && pm2 reload ecosystem.config.js --env production"

        if [[ "${1:-}" == "--migrate" ]]; then
          read -r -s -p "Admin password for migrations: " ADMIN_PW
          echo
          ssh "${USER}@${HOST}" "cd ${APP_DIR} && ADMIN_PASSWORD='${ADMIN_PW}' npm run migrate"
        fi

        curl -s -X POST https://slack.com/api/chat.postMessage \
          -H "Authorization: Bearer ${SLACK_TOKEN}" \
          --data-urlencode "channel=#deploys" \
          --data-urlencode "text=api deployed to ${HOST} by $(git config user.name)" >/dev/null

        echo ">> done: http://${HOST}/health"
        """, ip=I(ip4(r)), dbpw=P(pw(r, "!#%&*-_.")), gh=K(gh_pat(r)), slack=K(xoxp(r)))


def d_deploy_ps1(r):
    return "build/Deploy-Reporting.ps1", _t(r"""
        <#
        .SYNOPSIS
            Deploys the Reporting web app to the Windows app server.
        .EXAMPLE
            .\Deploy-Reporting.ps1 -Environment Production
        #>
        param(
            [string]$Environment = "Production",
            [switch]$SkipBackup
        )

        $ErrorActionPreference = "Stop"

        $server   = "«ip»"
        $username = "APPSRV01\svc_deploy"
        $password = ConvertTo-SecureString "«pw»" -AsPlainText -Force
        $cred     = New-Object System.Management.Automation.PSCredential ($username, $password)
        # $cred   = Get-Credential -UserName $username -Message "Deploy account"

        $storageConn = "DefaultEndpointsProtocol=https;AccountName=reportingdrops;AccountKey=«azkey»;EndpointSuffix=core.windows.net"
        $container   = "builds"
        $artifact    = "Reporting-$Environment-$(Get-Date -Format yyyyMMdd-HHmm).zip"

        Write-Host "Packaging build output..."
        Compress-Archive -Path .\publish\* -DestinationPath $artifact -Force

        Write-Host "Uploading $artifact to blob storage..."
        $ctx = New-AzStorageContext -ConnectionString $storageConn
        Set-AzStorageBlobContent -File $artifact -Container $container -Blob $artifact -Context $ctx -Force | Out-Null

        Write-Host "Connecting to $server..."
        $session = New-PSSession -ComputerName $server -Credential $cred -UseSSL

        Invoke-Command -Session $session -ScriptBlock {
            param($artifact, $skipBackup)
            Import-Module WebAdministration
            Stop-WebAppPool -Name "Reporting"
            if (-not $skipBackup) {
                Copy-Item "D:\Sites\Reporting" "D:\Backups\Reporting-$(Get-Date -Format yyyyMMdd)" -Recurse
            }
            Expand-Archive -Path "D:\Drops\$artifact" -DestinationPath "D:\Sites\Reporting" -Force
            Start-WebAppPool -Name "Reporting"
        } -ArgumentList $artifact, $SkipBackup.IsPresent

        Remove-PSSession $session
        Write-Host "Done." -ForegroundColor Green
        """, ip=I(ip4(r)), pw=P(pw(r, "!#%&*-_.")), azkey=K(azure_key(r)))


def d_dockerfile(r):
    return "Dockerfile", _t(r"""
        # syntax=docker/dockerfile:1.6
        FROM node:20-bookworm-slim AS build
        LABEL maintainer="«maint»"
        LABEL org.opencontainers.image.source="https://github.com/gridmint/ingest-worker"

        ARG NPM_TOKEN=«npm»
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc \
         && npm ci \
         && rm -f .npmrc
        COPY . .
        RUN npm run build && npm prune --omit=dev

        FROM node:20-bookworm-slim
        ENV NODE_ENV=production \
            PORT=8080 \
            MAPBOX_ACCESS_TOKEN=«mb» \
            INGEST_API_KEY=«ingest»
        WORKDIR /app
        COPY --from=build /app/dist ./dist
        COPY --from=build /app/node_modules ./node_modules
        COPY package.json .
        USER node
        EXPOSE 8080
        HEALTHCHECK --interval=30s --timeout=3s CMD node dist/healthcheck.js || exit 1
        CMD ["node", "dist/index.js"]
        """, maint=E(email(r, "gridmint.io", "f.l")), npm=K(npm_tok(r)), mb=K(mapbox_sk(r, "gridmint")),
        ingest=K(_s(r, 32)))


def d_nginx_conf(r):
    ip1 = ip4(r)
    return "nginx/nginx.conf", _t(r"""
        user www-data;
        worker_processes auto;
        pid /run/nginx.pid;

        events {
            worker_connections 1024;
        }

        http {
            sendfile on;
            tcp_nopush on;
            types_hash_max_size 2048;
            include /etc/nginx/mime.types;
            default_type application/octet-stream;

            resolver 8.8.8.8 1.1.1.1 valid=300s;
            resolver_timeout 5s;

            log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                            '$status $body_bytes_sent "$http_referer" "$http_user_agent"';
            access_log /var/log/nginx/access.log main;

            upstream app_backend {
                least_conn;
                server «ip1»:8000 max_fails=3 fail_timeout=30s;
                server «ip2»:8000 max_fails=3 fail_timeout=30s;
                server 127.0.0.1:8000 backup;
            }

            server {
                listen 80;
                listen [::]:80;
                server_name status.cirrusops.cloud;
                return 301 https://$host$request_uri;
            }

            server {
                listen 443 ssl http2;
                listen [::]:443 ssl http2;
                server_name status.cirrusops.cloud;

                ssl_certificate     /etc/letsencrypt/live/status.cirrusops.cloud/fullchain.pem;
                ssl_certificate_key /etc/letsencrypt/live/status.cirrusops.cloud/privkey.pem;
                ssl_protocols TLSv1.2 TLSv1.3;

                location / {
                    proxy_pass http://app_backend;
                    proxy_set_header Host $host;
                    proxy_set_header X-Real-IP $remote_addr;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                }

                location /admin/ {
                    allow «ip3»;
                    allow «ip6»;
                    allow 10.0.0.0/8;
                    deny all;
                    proxy_pass http://app_backend;
                }

                location /metrics/ {
                    proxy_pass http://«ip4»:9090/;
                    proxy_set_header Authorization "Basic «basic»";
                }
            }
        }
        """, ip1=I(ip1), ip2=I(ip4(r)), ip3=I(ip4(r)), ip6=I(ip6(r)), ip4=I(ip4(r)),
        basic=K(base64.b64encode(f"prometheus:{pw(r, SAFE, 'rand')}".encode()).decode()))


def d_kubeconfig(r):
    ca = base64.b64encode(pem_cert(r, lines=10).encode()).decode()
    crt = base64.b64encode(pem_cert(r, lines=10).encode()).decode()
    key = base64.b64encode(pem(r, "EC PRIVATE KEY").encode()).decode()
    sa = jwt(r, {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "ci",
                 "kubernetes.io/serviceaccount/service-account.name": "ci-bot",
                 "sub": "system:serviceaccount:ci:ci-bot"}, alg="RS256")
    return "k3s/kubeconfig.yaml", _t(r"""
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: «ca»
            server: https://«ip»:6443
          name: k3s-prod
        contexts:
        - context:
            cluster: k3s-prod
            namespace: default
            user: k3s-admin
          name: k3s-prod
        - context:
            cluster: k3s-prod
            namespace: ci
            user: ci-bot
          name: k3s-ci
        current-context: k3s-prod
        kind: Config
        preferences: {}
        users:
        - name: k3s-admin
          user:
            client-certificate-data: «crt»
            client-key-data: «key»
        - name: ci-bot
          user:
            token: «sa»
        """, ca=ca, ip=I(ip4(r)), crt=crt, key=K(key), sa=K(sa))


def d_docker_config_json(r):
    def auth(user, secret):
        return base64.b64encode(f"{user}:{secret}".encode()).decode()
    return "home/.docker/config.json", _t(r"""
        {
            "auths": {
                "https://index.docker.io/v1/": {
                    "auth": "«a1»"
                },
                "registry.gitlab.com": {
                    "auth": "«a2»"
                },
                "ghcr.io": {
                    "auth": "«a3»"
                },
                "«ip»:5000": {
                    "auth": "«a4»"
                }
            },
            "credsStore": "desktop",
            "currentContext": "desktop-linux",
            "HttpHeaders": {
                "User-Agent": "Docker-Client/24.0.7 (linux)"
            },
            "plugins": {
                "-x-cli-hints": {
                    "enabled": "true"
                }
            }
        }
        """, tabs=True, a1=K(auth("pinecrestmedia", pw(r, SAFE))), a2=K(auth("ci-deployer", glpat(r))),
        a3=K(auth("pinecrest-bot", ghp(r))), ip=I(ip4(r)), a4=K(auth("registry", pw(r, SAFE, "rand"))))


def d_alertmanager(r):
    sender = email(r, "gmail.com", "fl99")
    return "monitoring/alertmanager/alertmanager.yml", _t(r"""
        global:
          resolve_timeout: 5m
          smtp_smarthost: 'smtp.gmail.com:587'
          smtp_from: '«sender»'
          smtp_auth_username: '«sender»'
          smtp_auth_password: '«apppw»'
          slack_api_url: 'https://hooks.slack.com/services/«hook»'

        route:
          receiver: team-ops
          group_by: ['alertname', 'cluster']
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          routes:
            - matchers: [severity="critical"]
              receiver: pagerduty-critical
              continue: true
            - matchers: [team="data"]
              receiver: data-email

        receivers:
          - name: team-ops
            slack_configs:
              - channel: '#ops-alerts'
                send_resolved: true
                title: '{{ .CommonLabels.alertname }}'
                text: '{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}'
          - name: pagerduty-critical
            pagerduty_configs:
              - routing_key: «pd»
                severity: critical
          - name: data-email
            email_configs:
              - to: '«data»'
                send_resolved: true

        inhibit_rules:
          - source_matchers: [severity="critical"]
            target_matchers: [severity="warning"]
            equal: ['alertname', 'cluster']
        """, sender=E(sender), apppw=P(_s(r, 16, LO)), hook=K(slack_hook(r)), pd=K(_hex(r, 32)),
        data=E(email(r, "sunpeak-energy.com", "f.l")))


def d_grafana_datasources(r):
    return "grafana/provisioning/datasources/datasources.yaml", _t(r"""
        apiVersion: 1

        datasources:
          - name: Prometheus
            type: prometheus
            access: proxy
            url: http://«ip1»:9090
            isDefault: true
            basicAuth: true
            basicAuthUser: grafana
            secureJsonData:
              basicAuthPassword: «pw1»

          - name: Loki
            type: loki
            access: proxy
            url: http://loki:3100
            jsonData:
              maxLines: 1000

          - name: Postgres (billing)
            type: postgres
            url: «ip2»:5432
            user: grafana_ro
            jsonData:
              database: billing
              sslmode: require
              postgresVersion: 1500
              timescaledb: false
            secureJsonData:
              password: «pw2»

          - name: InfluxDB
            type: influxdb
            access: proxy
            url: http://influxdb:8086
            jsonData:
              version: Flux
              organization: sunpeak
              defaultBucket: telemetry
            secureJsonData:
              token: «influx»
        """, ip1=I(ip4(r)), pw1=P(pw(r, SAFE)), ip2=I(ip4(r)), pw2=P(pw(r, SAFE, "rand")),
        influx=K(_s(r, 86, URLSAFE) + "=="))


def d_systemd_unit(r):
    return "deploy/ledger-worker.service", _t(r"""
        [Unit]
        Description=Ledger worker (queue consumer)
        After=network-online.target redis.service postgresql.service
        Wants=network-online.target

        [Service]
        Type=simple
        User=ledger
        Group=ledger
        WorkingDirectory=/opt/ledger
        Environment=NODE_ENV=production
        Environment=DATABASE_URL=postgres://ledger:«dbpw»@127.0.0.1:5432/ledger
        Environment=REDIS_URL=redis://:«redispw»@127.0.0.1:6379/0
        Environment="MAILGUN_API_KEY=«mg»"
        Environment=MAILGUN_DOMAIN=mg.ledger.hexacore.tech
        Environment=SENTRY_DSN=https://«dsn»@o«org».ingest.sentry.io/«proj»
        ExecStart=/usr/bin/node /opt/ledger/dist/worker.js
        Restart=on-failure
        RestartSec=5
        LimitNOFILE=65536
        StandardOutput=journal
        StandardError=journal

        [Install]
        WantedBy=multi-user.target
        """, dbpw=P(pw(r, "-_.~")), redispw=P(pw(r, "-_.~", "long")), mg=K(mailgun(r)), dsn=_hex(r, 32),
        org=_s(r, 6, DG), proj=_s(r, 7, DG))


def d_cloud_init(r):
    salt = _s(r, 16, AN + "./")
    return "cloud-init/edge-gw.yaml", _t(r"""
        #cloud-config
        hostname: edge-gw-01
        timezone: Europe/Berlin

        users:
          - name: ops
            groups: [sudo, docker]
            shell: /bin/bash
            sudo: ALL=(ALL) NOPASSWD:ALL
            lock_passwd: false
            passwd: $6$rounds=4096$«salt»$«hash»
            ssh_authorized_keys:
              - «pub»

        chpasswd:
          expire: false
          users:
            - name: root
              password: «rootpw»
              type: text

        package_update: true
        packages:
          - docker.io
          - fail2ban
          - wireguard

        write_files:
          - path: /etc/wireguard/wg0.conf
            permissions: '0600'
            content: |
              [Interface]
              PrivateKey = «wgpriv»
              Address = 10.8.0.1/24
              ListenPort = 51820

              [Peer]
              PublicKey = «wgpub»
              AllowedIPs = 10.8.0.2/32
              Endpoint = «ip»:51820
              PersistentKeepalive = 25
          - path: /etc/ssl/private/edge-gw.key
            permissions: '0600'
            content: |
              «tlskey»
          - path: /etc/ssl/certs/edge-gw.crt
            content: |
              «tlscert»
          - path: /etc/edge/agent.env
            permissions: '0640'
            content: |
              AGENT_TOKEN=«agent»
              CONTROL_PLANE=https://cp.cirrusops.cloud

        runcmd:
          - systemctl enable --now wg-quick@wg0
          - systemctl enable --now docker
          - systemctl enable --now fail2ban
        """, salt=salt, hash=_s(r, 86, AN + "./"), pub=ssh_pub(r, "ops@laptop"),
        rootpw=P(pw(r, SAFE, "mixed")), wgpriv=K(_s(r, 43, B64) + "="), wgpub=_s(r, 43, B64) + "=",
        ip=I(ip4(r)), agent=K(_s(r, 48, URLSAFE)),
        tlskey=K(pem(r, "RSA PRIVATE KEY", sep="\n      ")), tlscert=pem_cert(r, sep="\n      ", lines=12))


def d_bitbucket_pipelines(r):
    return "bitbucket-pipelines.yml", _t(r"""
        image: python:3.11

        definitions:
          caches:
            pip: ~/.cache/pip
          services:
            postgres:
              image: postgres:15
              variables:
                POSTGRES_DB: veloxa_test
                POSTGRES_USER: test

        pipelines:
          default:
            - step:
                name: Test
                caches: [pip]
                services: [postgres]
                script:
                  - pip install -r requirements.txt
                  - pytest -q
          branches:
            main:
              - step:
                  name: Deploy static + app
                  deployment: production
                  script:
                    - pipe: atlassian/aws-s3-deploy:1.1.0
                      variables:
                        AWS_ACCESS_KEY_ID: '«akid»'
                        AWS_SECRET_ACCESS_KEY: '«asec»'
                        AWS_DEFAULT_REGION: 'eu-west-1'
                        S3_BUCKET: 'veloxa-static'
                        LOCAL_PATH: 'static'
                    - pipe: atlassian/ssh-run:0.8.0
                      variables:
                        SSH_USER: 'ubuntu'
                        SERVER: '«ip»'
                        COMMAND: 'cd /srv/veloxa && git pull && sudo systemctl restart veloxa'
        """, akid=K(aws_akid(r)), asec=K(aws_secret(r)), ip=I(ip4(r)))


def d_packer_json(r):
    sshpw = pw(r, "!#%&*-_.")
    return "packer/base-image.json", _t(r"""
        {
          "variables": {
            "aws_access_key": "«akid»",
            "aws_secret_key": "«asec»",
            "region": "eu-central-1",
            "ssh_password": "«sshpw»",
            "build_version": "1.14.2"
          },
          "builders": [
            {
              "type": "amazon-ebs",
              "access_key": "{{user `aws_access_key`}}",
              "secret_key": "{{user `aws_secret_key`}}",
              "region": "{{user `region`}}",
              "source_ami_filter": {
                "filters": {
                  "virtualization-type": "hvm",
                  "name": "ubuntu/images/*ubuntu-jammy-22.04-amd64-server-*",
                  "root-device-type": "ebs"
                },
                "owners": ["099720109477"],
                "most_recent": true
              },
              "instance_type": "t3.small",
              "ssh_username": "ubuntu",
              "ami_name": "tandem-base-{{user `build_version`}}-{{timestamp}}"
            }
          ],
          "provisioners": [
            {
              "type": "shell",
              "environment_vars": ["BUILD_PASSWORD={{user `ssh_password`}}"],
              "inline": [
                "sudo apt-get update",
                "sudo apt-get install -y nginx unattended-upgrades",
                "echo \"ubuntu:«sshpw»\" | sudo chpasswd"
              ]
            }
          ]
        }
        """, akid=K(aws_akid(r)), asec=K(aws_secret(r)), sshpw=P(sshpw))


# =============================================================================================
# embedded
# =============================================================================================


def d_esp32_mqtt(r):
    return "greenhouse_monitor/greenhouse_monitor.ino", _t(r"""
        #include <WiFi.h>
        #include <PubSubClient.h>
        #include <DHT.h>

        #define DHTPIN 4
        #define DHTTYPE DHT22
        #define SOIL_PIN 34
        #define PUMP_PIN 26

        const char* ssid = "Greenhouse_2G";
        const char* password = "«wifipw»";

        const char* mqtt_server = "«ip»";
        const int mqtt_port = 1883;
        const char* mqtt_user = "greenhouse";
        const char* mqtt_password = "«mqttpw»";

        // static IP for the greenhouse node
        IPAddress local_IP(192, 168, 1, 184);
        IPAddress gateway(192, 168, 1, 1);
        IPAddress subnet(255, 255, 255, 0);
        IPAddress primaryDNS(8, 8, 8, 8);

        WiFiClient espClient;
        PubSubClient client(espClient);
        DHT dht(DHTPIN, DHTTYPE);
        unsigned long lastMsg = 0;

        void setup_wifi() {
          delay(10);
          Serial.print("Connecting to ");
          Serial.println(ssid);
          if (!WiFi.config(local_IP, gateway, subnet, primaryDNS)) {
            Serial.println("STA failed to configure");
          }
          WiFi.begin(ssid, password);
          while (WiFi.status() != WL_CONNECTED) {
            delay(500);
            Serial.print(".");
          }
          Serial.println();
          Serial.print("IP address: ");
          Serial.println(WiFi.localIP());
        }

        void reconnect() {
          while (!client.connected()) {
            Serial.print("Attempting MQTT connection...");
            String clientId = "ESP32-greenhouse-" + String(random(0xffff), HEX);
            if (client.connect(clientId.c_str(), mqtt_user, mqtt_password)) {
              Serial.println("connected");
              client.subscribe("greenhouse/pump/set");
            } else {
              Serial.print("failed, rc=");
              Serial.print(client.state());
              Serial.println(" try again in 5 seconds");
              delay(5000);
            }
          }
        }

        void callback(char* topic, byte* payload, unsigned int length) {
          String msg;
          for (unsigned int i = 0; i < length; i++) msg += (char)payload[i];
          if (String(topic) == "greenhouse/pump/set") {
            digitalWrite(PUMP_PIN, msg == "ON" ? HIGH : LOW);
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
            float t = dht.readTemperature();
            float h = dht.readHumidity();
            int soil = analogRead(SOIL_PIN);
            char payload[96];
            snprintf(payload, sizeof(payload), "{\"t\":%.1f,\"h\":%.1f,\"soil\":%d}", t, h, soil);
            client.publish("greenhouse/sensors", payload);
          }
        }
        """, wifipw=P(pw(r, "!#%&*-_.", "combo")), ip=I(ip4(r)), mqttpw=P(pw(r, "!#%&*-_.")))


def d_esp8266_blynk(r):
    return "weather_station/weather_station.ino", _t(r"""
        /*
         * NodeMCU weather station: BMP280 -> Blynk app + ThingSpeak channel
         */
        #define BLYNK_TEMPLATE_ID "TMPL«tmpl»"
        #define BLYNK_TEMPLATE_NAME "Weather Station"
        #define BLYNK_AUTH_TOKEN "«blynk»"
        #define BLYNK_PRINT Serial

        #include <ESP8266WiFi.h>
        #include <BlynkSimpleEsp8266.h>
        #include <ESP8266HTTPClient.h>
        #include <Adafruit_BMP280.h>

        char ssid[] = "TP-Link_4F2A";
        char pass[] = "«wifipw»";

        const char* thingspeakHost = "api.thingspeak.com";
        String writeApiKey = "«ts»";

        Adafruit_BMP280 bmp;
        BlynkTimer timer;
        WiFiClient client;

        void sendSensor() {
          float temp = bmp.readTemperature();
          float pres = bmp.readPressure() / 100.0F;
          Blynk.virtualWrite(V0, temp);
          Blynk.virtualWrite(V1, pres);

          HTTPClient http;
          String url = String("http://") + thingspeakHost + "/update?api_key=" + writeApiKey +
                       "&field1=" + String(temp) + "&field2=" + String(pres);
          http.begin(client, url);
          int code = http.GET();
          Serial.printf("ThingSpeak HTTP %d\n", code);
          http.end();
        }

        void setup() {
          Serial.begin(115200);
          if (!bmp.begin(0x76)) {
            Serial.println("BMP280 not found, check wiring");
            while (1) delay(10);
          }
          Blynk.begin(BLYNK_AUTH_TOKEN, ssid, pass);
          timer.setInterval(60000L, sendSensor);
        }

        void loop() {
          Blynk.run();
          timer.run();
        }
        """, tmpl=_s(r, 8, AN), blynk=K(_s(r, 32, URLSAFE)), wifipw=P(pw(r, "!#%&*-_.", "season")),
        ts=K(_s(r, 16, UP + DG)))


def d_rpi_doorbell(r):
    return "doorbell/doorbell.py", _t(r'''
        #!/usr/bin/env python3
        """Doorbell: snap a photo when the button is pressed, mail it and tell Home Assistant."""
        import smtplib
        import time
        from datetime import datetime
        from email.message import EmailMessage

        import paho.mqtt.client as mqtt
        from gpiozero import Button
        from picamera2 import Picamera2

        SMTP_USER = "«smtpuser»"
        SMTP_PASS = "«apppw»"
        NOTIFY = ["«partner»", SMTP_USER]
        MQTT_HOST = "«ip»"
        MQTT_USER = "doorbell"
        MQTT_PASS = "«mqttpw»"

        button = Button(17, bounce_time=0.2)
        cam = Picamera2()
        cam.configure(cam.create_still_configuration())
        cam.start()

        client = mqtt.Client(client_id="doorbell-pi")
        client.username_pw_set(MQTT_USER, MQTT_PASS)
        client.connect(MQTT_HOST, 1883, keepalive=60)
        client.loop_start()


        def mail_photo(path):
            msg = EmailMessage()
            msg["Subject"] = "Someone is at the door"
            msg["From"] = SMTP_USER
            msg["To"] = ", ".join(NOTIFY)
            msg.set_content(f"Doorbell pressed at {datetime.now():%H:%M:%S}")
            with open(path, "rb") as fh:
                msg.add_attachment(fh.read(), maintype="image", subtype="jpeg", filename="door.jpg")
            with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
                s.login(SMTP_USER, SMTP_PASS)
                s.send_message(msg)


        def on_press():
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = f"/home/pi/doorbell/{stamp}.jpg"
            cam.capture_file(path)
            client.publish("home/doorbell/ring", stamp)
            mail_photo(path)


        button.when_pressed = on_press
        print("doorbell ready")
        while True:
            time.sleep(1)
        ''', smtpuser=E(email(r, "gmail.com", "f.l")), apppw=P(_s(r, 16, LO)),
        partner=E(email(r, r.choice(FREE_MAIL), "f")), ip="192.168.1.20", mqttpw=P(pw(r, QSYM)))


# =============================================================================================
# bots
# =============================================================================================


def d_discord_bot(r):
    return "modbot/bot.py", _t(r'''
        import logging

        import asyncpg
        import discord
        from discord.ext import commands

        TOKEN = "«token»"
        DB_DSN = "postgresql://modbot:«dbpw»@localhost:5432/modbot"
        OWNER_IDS = {«o1», «o2»}
        GUILD_ID = «g»

        intents = discord.Intents.default()
        intents.message_content = True
        intents.members = True

        bot = commands.Bot(command_prefix="!", intents=intents, owner_ids=OWNER_IDS)


        @bot.event
        async def on_ready():
            bot.db = await asyncpg.create_pool(DB_DSN)
            print(f"Logged in as {bot.user} (ID: {bot.user.id})")


        @bot.command()
        @commands.has_permissions(kick_members=True)
        async def warn(ctx, member: discord.Member, *, reason: str = "no reason given"):
            await bot.db.execute(
                "INSERT INTO warnings (guild_id, user_id, mod_id, reason) VALUES ($1, $2, $3, $4)",
                ctx.guild.id, member.id, ctx.author.id, reason,
            )
            await ctx.send(f"{member.mention} has been warned: {reason}")


        @bot.command()
        async def warnings(ctx, member: discord.Member):
            rows = await bot.db.fetch(
                "SELECT reason, created_at FROM warnings WHERE guild_id = $1 AND user_id = $2",
                ctx.guild.id, member.id,
            )
            if not rows:
                await ctx.send(f"{member.display_name} has no warnings.")
                return
            lines = [f"{r['created_at']:%Y-%m-%d}: {r['reason']}" for r in rows]
            await ctx.send("\n".join(lines))


        @bot.command()
        @commands.is_owner()
        async def shutdown(ctx):
            await ctx.send("bye")
            await bot.close()


        logging.basicConfig(level=logging.INFO)
        bot.run(TOKEN)
        ''', token=K(discord_tok(r)), dbpw=P(pw(r, "!*-_.")), o1=_s(r, 18, DG), o2=_s(r, 18, DG),
        g=_s(r, 18, DG))


def d_telegram_bot(r):
    return "bot/main.py", _t(r'''
        """Order-status bot for the shop (python-telegram-bot v20)."""
        import logging

        import pymysql
        from telegram import Update
        from telegram.ext import Application, CommandHandler, ContextTypes

        BOT_TOKEN = "«tg»"
        ADMIN_CHAT_IDS = [«c1», «c2»]
        ADMIN_PANEL_PASSWORD = "«panelpw»"

        db = pymysql.connect(host="localhost", user="tgbot", password="«dbpw»",
                             database="orders_bot", autocommit=True)

        logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
        log = logging.getLogger(__name__)


        async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.message.reply_text("Hi! Send /status <order number> to track your order.")


        async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if not context.args:
                await update.message.reply_text("Usage: /status <order number>")
                return
            with db.cursor() as cur:
                cur.execute("SELECT status, updated_at FROM orders WHERE number = %s", (context.args[0],))
                row = cur.fetchone()
            if row is None:
                await update.message.reply_text("Order not found.")
            else:
                await update.message.reply_text(f"Order {context.args[0]}: {row[0]} (since {row[1]:%d.%m %H:%M})")


        async def admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.effective_chat.id not in ADMIN_CHAT_IDS:
                return
            if not context.args or context.args[0] != ADMIN_PANEL_PASSWORD:
                await update.message.reply_text("Wrong password.")
                return
            with db.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM orders WHERE status = 'pending'")
                (pending,) = cur.fetchone()
            await update.message.reply_text(f"{pending} orders pending")


        def main() -> None:
            app = Application.builder().token(BOT_TOKEN).build()
            app.add_handler(CommandHandler("start", start))
            app.add_handler(CommandHandler("status", status))
            app.add_handler(CommandHandler("admin", admin))
            log.info("bot started")
            app.run_polling(allowed_updates=Update.ALL_TYPES)


        if __name__ == "__main__":
            main()
        ''', tg=K(telegram_tok(r)), c1=_s(r, 9, DG), c2="-100" + _s(r, 10, DG),
        panelpw=P(pw(r, QSYM, "leet")), dbpw=P(pw(r, QSYM)))


def d_slack_bolt(r):
    atl = "ATATT3xFfGF0" + _s(r, 180, URLSAFE) + "=" + _s(r, 8, "0123456789ABCDEF")
    return "standup-bot/app.py", _t(r'''
        import re
        from datetime import date

        import requests
        from slack_bolt import App
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app = App(
            token="«xoxb»",
            signing_secret="«signing»",
        )

        JIRA_BASE = "https://copperleaf.atlassian.net"
        JIRA_USER = "standup-bot"
        JIRA_TOKEN = "«jira»"
        TICKET_RE = re.compile(r"\b([A-Z]{2,6}-\d+)\b")


        def jira_summary(key):
            resp = requests.get(f"{JIRA_BASE}/rest/api/3/issue/{key}?fields=summary,status",
                                auth=(JIRA_USER, JIRA_TOKEN), timeout=10)
            if resp.status_code != 200:
                return None
            f = resp.json()["fields"]
            return f"{key}: {f['summary']} ({f['status']['name']})"


        @app.command("/standup")
        def standup(ack, body, say):
            ack()
            text = body.get("text", "")
            tickets = [s for s in (jira_summary(k) for k in TICKET_RE.findall(text)) if s]
            blocks = [
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*Standup {date.today():%a %d %b}* from <@{body['user_id']}>"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": text or "_nothing to report_"}},
            ]
            if tickets:
                blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "\n".join(tickets)}]})
            say(blocks=blocks, text="standup")


        @app.event("app_mention")
        def mention(event, say):
            say(f"Hi <@{event['user']}>! Use `/standup what I did, what I'll do, blockers`.")


        if __name__ == "__main__":
            SocketModeHandler(app, "«xapp»").start()
        ''', xoxb=K(xoxb(r)), signing=K(_hex(r, 32)), jira=K(atl), xapp=K(xapp(r)))


# =============================================================================================
# misc
# =============================================================================================


def d_postman_collection(r):
    return "docs/Fleet API.postman_collection.json", _t(r"""
        {
            "info": {
                "_postman_id": "«pid»",
                "name": "Fleet API",
                "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
                "_exporter_id": "«exp»"
            },
            "item": [
                {
                    "name": "Auth - login",
                    "request": {
                        "method": "POST",
                        "header": [],
                        "body": {
                            "mode": "raw",
                            "raw": "{\n    \"email\": \"«e1»\",\n    \"password\": \"«p1»\"\n}",
                            "options": {
                                "raw": {
                                    "language": "json"
                                }
                            }
                        },
                        "url": {
                            "raw": "{{baseUrl}}/auth/login",
                            "host": ["{{baseUrl}}"],
                            "path": ["auth", "login"]
                        }
                    },
                    "response": []
                },
                {
                    "name": "Vehicles - list",
                    "request": {
                        "auth": {
                            "type": "bearer",
                            "bearer": [
                                {
                                    "key": "token",
                                    "value": "«jwt»",
                                    "type": "string"
                                }
                            ]
                        },
                        "method": "GET",
                        "header": [
                            {
                                "key": "X-Api-Key",
                                "value": "{{apiKey}}"
                            }
                        ],
                        "url": {
                            "raw": "{{baseUrl}}/vehicles?page=1&limit=50",
                            "host": ["{{baseUrl}}"],
                            "path": ["vehicles"],
                            "query": [
                                {"key": "page", "value": "1"},
                                {"key": "limit", "value": "50"}
                            ]
                        }
                    },
                    "response": []
                },
                {
                    "name": "Legacy admin report",
                    "request": {
                        "auth": {
                            "type": "basic",
                            "basic": [
                                {"key": "password", "value": "«p2»", "type": "string"},
                                {"key": "username", "value": "reports", "type": "string"}
                            ]
                        },
                        "method": "GET",
                        "url": "http://«ip»:8080/admin/reports/daily"
                    },
                    "response": []
                }
            ],
            "variable": [
                {"key": "baseUrl", "value": "https://api.fleet.gridmint.io/v1"},
                {"key": "apiKey", "value": "«apikey»"}
            ]
        }
        """, tabs=True, pid=uuid4(r), exp=_s(r, 8, DG), e1=E(email(r, "gridmint.io", "f")),
        p1=P(pw(r, "!#%&*-_.")), jwt=K(jwt(r, {"sub": _s(r, 24, HX), "email": "dispatch", "exp": 1767225600})),
        p2=P(pw(r, "!#%&*-_.", "rand")), ip=I(ip4(r)), apikey=K(_s(r, 40)))


def d_npmrc(r):
    basic = base64.b64encode(f"npm-ci:{pw(r, SAFE, 'rand')}".encode()).decode()
    return ".npmrc", _t(r"""
        # project .npmrc -- CI copies this to $HOME before `npm ci`
        registry=https://registry.npmjs.org/

        # scoped packages live on GitHub Packages
        @fluxhaven:registry=https://npm.pkg.github.com/
        //npm.pkg.github.com/:_authToken=«gh»

        # publishing to the public registry
        //registry.npmjs.org/:_authToken=«npm»

        # legacy Nexus proxy for the old monorepo
        @fluxhaven-legacy:registry=https://nexus.fluxhaven.co/repository/npm-private/
        //nexus.fluxhaven.co/repository/npm-private/:_auth=«basic»
        //nexus.fluxhaven.co/repository/npm-private/:always-auth=true

        email=«mail»
        save-exact=true
        engine-strict=true
        fund=false
        audit-level=moderate
        """, gh=K(ghp(r)), npm=K(npm_tok(r)), basic=K(basic), mail=E(email(r, "fluxhaven.co", "f.l")))


def d_pypirc(r):
    return ".pypirc", _t(r"""
        # ~/.pypirc
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
        repository = https://pypi.helixdata.ai/simple/
        username = ci-publisher
        password = «internal»
        """, pypi=K(pypi_tok(r)), testpypi=K(pypi_tok(r)), internal=P(pw(r, SAFE, "mixed")))


def d_netrc(r):
    her = heroku_tok(r)
    login = email(r, "pinecrest-media.com", "f.l")
    return "dotfiles/.netrc", _t(r"""
        # ~/.netrc -- chmod 600, used by git, curl and the heroku CLI
        machine api.heroku.com
          login «login»
          password «her»
        machine git.heroku.com
          login «login»
          password «her»
        machine github.com
          login pinecrest-deployer
          password «gh»
        machine «ip»
          login backup
          password «bk»
        machine ftp.pinecrest-media.com login webmaster password «ftp»
        macdef init
          binary
          prompt off
          cd /public_html

        """, login=E(login), her=K(her), gh=K(gho(r)), ip=I(ip4(r)), bk=P(pw(r, SAFE, "rand")),
        ftp=P(pw(r, SAFE, "combo")))


def d_sql_dump(r):
    def row(i, mail, role):
        return f"({i},'{E(mail)}','{bcrypt(r)}','{role}','2023-0{r.randint(1, 9)}-1{r.randint(0, 9)} 0{r.randint(0, 9)}:1{r.randint(0, 9)}:0{r.randint(0, 9)}')"
    users = ",".join([row(1, email(r, "quillhq.com", "f.l"), "admin"),
                      row(2, email(r, "quillhq.com", "f.l"), "agent"),
                      row(3, email(r, r.choice(FREE_MAIL), "fl99"), "viewer")])
    return "db/backups/crm_2023-10-02.sql", _t(r"""
        -- MySQL dump 10.13  Distrib 8.0.34, for Linux (x86_64)
        --
        -- Host: localhost    Database: crm
        -- ------------------------------------------------------
        -- Server version	8.0.34-0ubuntu0.22.04.1

        /*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
        /*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
        /*!50503 SET NAMES utf8mb4 */;
        /*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
        /*!40103 SET TIME_ZONE='+00:00' */;
        /*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

        --
        -- Table structure for table `users`
        --

        DROP TABLE IF EXISTS `users`;
        CREATE TABLE `users` (
          `id` int NOT NULL AUTO_INCREMENT,
          `email` varchar(191) NOT NULL,
          `password_hash` varchar(255) NOT NULL,
          `role` enum('admin','agent','viewer') NOT NULL DEFAULT 'viewer',
          `created_at` datetime NOT NULL,
          PRIMARY KEY (`id`),
          UNIQUE KEY `users_email_unique` (`email`)
        ) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

        LOCK TABLES `users` WRITE;
        /*!40000 ALTER TABLE `users` DISABLE KEYS */;
        INSERT INTO `users` VALUES «users»;
        /*!40000 ALTER TABLE `users` ENABLE KEYS */;
        UNLOCK TABLES;

        --
        -- Table structure for table `smtp_settings`
        --

        DROP TABLE IF EXISTS `smtp_settings`;
        CREATE TABLE `smtp_settings` (
          `id` int NOT NULL AUTO_INCREMENT,
          `host` varchar(255) NOT NULL,
          `port` smallint NOT NULL,
          `username` varchar(255) NOT NULL,
          `password` varchar(255) NOT NULL,
          PRIMARY KEY (`id`)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

        LOCK TABLES `smtp_settings` WRITE;
        INSERT INTO `smtp_settings` VALUES (1,'smtp.mailgun.org',587,'«smtpuser»','«smtppw»');
        UNLOCK TABLES;

        --
        -- Users and grants
        --
        CREATE USER 'crm_app'@'localhost' IDENTIFIED BY '«apppw»';
        GRANT SELECT, INSERT, UPDATE, DELETE ON `crm`.* TO 'crm_app'@'localhost';
        CREATE USER 'crm_report'@'%' IDENTIFIED BY '«reportpw»';
        GRANT SELECT ON `crm`.* TO 'crm_report'@'%';
        FLUSH PRIVILEGES;

        /*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
        /*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
        /*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

        -- Dump completed on 2023-10-02  3:00:01
        """, users=users, smtpuser=E("postmaster@mg.quillhq.com"), smtppw=P(pw(r, "!#%*-_.", "rand")),
        apppw=P(pw(r, "!#%*-_.")), reportpw=P(pw(r, "!#%*-_.", "combo")))


def d_sql_migration(r):
    salt = _b64url(r.randbytes(16))
    argon = f"$argon2id$v=19$m=65536,t=3,p=4${salt}${_b64url(r.randbytes(32))}"
    return "src/main/resources/db/migration/V3__seed_settings.sql", _t(r"""
        -- V3__seed_settings.sql
        CREATE TABLE IF NOT EXISTS app_settings (
            key         VARCHAR(100) PRIMARY KEY,
            value       TEXT        NOT NULL,
            is_secret   BOOLEAN     NOT NULL DEFAULT FALSE,
            updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        );

        INSERT INTO app_settings (key, value, is_secret) VALUES
            ('site.name',                   'Quill HQ',            false),
            ('mail.from',                   '«from»',              false),
            ('mail.smtp.host',              'smtp.postmarkapp.com', false),
            ('mail.smtp.password',          '«smtppw»',            true),
            ('payments.stripe.secret',      '«sk»',                true),
            ('payments.stripe.publishable', '«pk»',                false),
            ('payments.square.access_token', '«square»',          true),
            ('uploads.max_mb',              '25',                  false)
        ON CONFLICT (key) DO NOTHING;

        -- read-only role for the reporting replica
        CREATE ROLE reporting LOGIN PASSWORD '«reportpw»';
        GRANT USAGE ON SCHEMA public TO reporting;
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reporting;

        -- default admin (password must be changed on first login)
        INSERT INTO users (id, email, password_hash, must_change_password, created_at)
        VALUES ('«uid»', '«admin»', '«argon»', true, now())
        ON CONFLICT (email) DO NOTHING;
        """, **{"from": E("hello@quillhq.com")}, smtppw=P(pw(r, "!#%*-_.", "rand")), sk=K(sk_live(r)),
        pk=pk_live(r), square=K(square_tok(r)), reportpw=P(pw(r, "!#%*-_.")), uid=uuid4(r), admin=E(email(r, "quillhq.com", "f")),
        argon=argon)


def d_slapd_conf(r):
    return "ldap/slapd.conf", _t(r"""
        # /etc/openldap/slapd.conf -- consumer on ldap2
        include   /etc/openldap/schema/core.schema
        include   /etc/openldap/schema/cosine.schema
        include   /etc/openldap/schema/inetorgperson.schema
        include   /etc/openldap/schema/nis.schema

        pidfile   /var/run/openldap/slapd.pid
        argsfile  /var/run/openldap/slapd.args

        TLSCACertificateFile  /etc/openldap/certs/ca.crt
        TLSCertificateFile    /etc/openldap/certs/ldap2.crt
        TLSCertificateKeyFile /etc/openldap/certs/ldap2.key

        database  mdb
        maxsize   1073741824
        suffix    "dc=ridgelinehealth,dc=org"
        rootdn    "cn=Manager,dc=ridgelinehealth,dc=org"
        # rootpw  {SSHA}«ssha»
        rootpw    «rootpw»
        directory /var/lib/openldap

        index objectClass eq
        index uid,mail eq,sub
        index entryCSN,entryUUID eq

        # replicate from the primary
        syncrepl rid=001
          provider=ldap://«ip»:389
          bindmethod=simple
          binddn="cn=replicator,dc=ridgelinehealth,dc=org"
          credentials=«replpw»
          searchbase="dc=ridgelinehealth,dc=org"
          type=refreshAndPersist
          retry="60 +"
        updateref ldap://«ip»

        access to attrs=userPassword
          by self write
          by anonymous auth
          by * none
        access to *
          by self write
          by users read
          by * none
        """, ssha=base64.b64encode(r.randbytes(24)).decode(), rootpw=P(pw(r, "!#%*-_.")), ip=I(ip4(r)),
        replpw=P(pw(r, "!*-_.", "rand")))


def d_postfix_main_cf(r):
    return "etc/postfix/main.cf", _t(r"""
        # See /usr/share/postfix/main.cf.dist for a commented, more complete version
        smtpd_banner = $myhostname ESMTP $mail_name (Ubuntu)
        biff = no
        append_dot_mydomain = no
        readme_directory = no
        compatibility_level = 3.6

        # TLS parameters
        smtpd_tls_cert_file = /etc/letsencrypt/live/mail.pinecrest-media.com/fullchain.pem
        smtpd_tls_key_file = /etc/letsencrypt/live/mail.pinecrest-media.com/privkey.pem
        smtpd_tls_security_level = may
        smtp_tls_CApath = /etc/ssl/certs
        smtp_tls_security_level = encrypt
        smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache

        myhostname = mail.pinecrest-media.com
        alias_maps = hash:/etc/aliases
        alias_database = hash:/etc/aliases
        myorigin = /etc/mailname
        mydestination = $myhostname, pinecrest-media.com, localhost.localdomain, localhost
        mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 10.0.0.0/16 «ip»/32
        mailbox_size_limit = 0
        recipient_delimiter = +
        inet_interfaces = all
        inet_protocols = all

        # relay everything through SendGrid
        relayhost = [smtp.sendgrid.net]:587
        smtp_sasl_auth_enable = yes
        smtp_sasl_password_maps = static:apikey:«sg»
        smtp_sasl_security_options = noanonymous
        header_size_limit = 4096000

        # old domain: everything goes to the shared inbox
        virtual_alias_domains = pinecrest.tv
        virtual_alias_maps = hash:/etc/postfix/virtual
        # @pinecrest.tv -> «inbox»
        """, ip=I(ip4(r)), sg=K(sendgrid(r)), inbox=E("studio@pinecrest-media.com"))


def d_msmtprc(r):
    g = email(r, "gmail.com", "f.l")
    w = email(r, "arcadiaretail.fr", "f.l")
    return "dotfiles/.msmtprc", _t(r"""
        # ~/.msmtprc  (chmod 600!)
        defaults
        auth           on
        tls            on
        tls_trust_file /etc/ssl/certs/ca-certificates.crt
        logfile        ~/.msmtp.log

        # Gmail (app password)
        account        gmail
        host           smtp.gmail.com
        port           587
        from           «g»
        user           «g»
        password       «gpw»

        # Work (Office 365)
        account        work
        host           smtp.office365.com
        port           587
        from           «w»
        user           «w»
        password       «wpw»

        # Internal relay for the shop notifications, password from pass(1)
        account        relay
        host           mail.arcadiaretail.fr
        port           587
        from           «w»
        user           relay-shop
        passwordeval   "pass show mail/relay-shop"

        account default : gmail
        """, g=E(g), gpw=P(_s(r, 16, LO)), w=E(w), wpw=P(pw(r, "!#%*-_.")))


def d_changelog(r):
    n1, e1 = person(r)
    n2, e2 = person(r)
    n3, e3 = person(r, "kestrelsoft.dev", "f")
    return "CHANGELOG.md", _t(r"""
        # Changelog

        All notable changes to this project will be documented in this file.

        The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
        and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

        ## [Unreleased]

        ## [2.4.0] - 2024-03-18
        ### Added
        - `--dry-run` flag for `synctl sync` (#412, thanks «n1» <«e1»>)
        - IPv6 peers are accepted in `allow_from`
        ### Fixed
        - Crash when the config path contains spaces (#405)
        - Upgraded `axios` to 1.6.8 (CVE-2023-45857)

        ## [2.3.2] - 2024-02-02
        ### Security
        - Tokens are no longer written to the debug log. Reported privately by «n2» (<«e2»>).
        ### Changed
        - Minimum Node.js is now 18.18.0; Windows installer built with WiX 3.11.2.4516

        ## [2.3.1] - 2023-12-11
        ### Fixed
        - Windows path handling in `synctl init` (commit «sha7»)
        - Release tarball checksum (sha256 «sha») was wrong on the GitHub release page

        ## [2.3.0] - 2023-10-30
        ### Added
        - `synctl doctor` command
        - Homebrew tap (`brew install kestrelsoft/tap/synctl`)

        ## [2.0.0] - 2023-06-30
        ### Changed
        - Complete rewrite in TypeScript by «n3» (@«n3h»)
        - Config moved from `~/.synctlrc` to `~/.config/synctl/config.yaml`

        [Unreleased]: https://github.com/kestrelsoft/synctl/compare/v2.4.0...HEAD
        [2.4.0]: https://github.com/kestrelsoft/synctl/compare/v2.3.2...v2.4.0
        [2.3.2]: https://github.com/kestrelsoft/synctl/compare/v2.3.1...v2.3.2
        [2.3.1]: https://github.com/kestrelsoft/synctl/compare/v2.3.0...v2.3.1
        """, n1=n1, e1=E(e1), n2=n2, e2=E(e2), n3=n3, n3h=n3.split()[0].lower(), sha7=gitsha(r)[:7], sha=sha256(r))


def d_readme_leak(r):
    return "README.md", _t(r"""
        # ticket-triage

        Small service that reads new Zendesk tickets, asks an LLM to tag them and posts a summary to Slack.

        ## Quick start

        ```bash
        git clone git@github.com:quillhq/ticket-triage.git
        cd ticket-triage
        cp .env.example .env   # then fill in OPENAI_API_KEY etc.
        docker run -d --name triage-db -e POSTGRES_PASSWORD=«dbpw» -p 5432:5432 postgres:16
        npm install
        npm run dev
        ```

        ## Testing the API by hand

        ```bash
        curl https://api.openai.com/v1/chat/completions \
          -H "Content-Type: application/json" \
          -H "Authorization: Bearer «oai»" \
          -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}]}'
        ```

        The dashboard's default admin login is `«admin»` / `«adminpw»` -- change it after the first start.

        ## Configuration

        | Variable            | Description                                        |
        |---------------------|----------------------------------------------------|
        | `OPENAI_API_KEY`    | your OpenAI key (`sk-...`)                         |
        | `ZENDESK_TOKEN`     | API token from Admin Center > Apps > Zendesk API   |
        | `SLACK_WEBHOOK_URL` | `https://hooks.slack.com/services/XXX/YYY/ZZZ`     |
        | `DATABASE_URL`      | `postgres://user:<password>@host:5432/triage`      |

        ## Contact

        Maintained by the support tooling team -- «team»
        """, dbpw=P(pw(r, SAFE, "combo")), oai=K(openai_proj(r)), admin=E("admin@quillhq.com"),
        adminpw=P(pw(r, SAFE, "season")), team=E("support-tooling@quillhq.com"))


def d_mailing_list(r):
    n1, e1 = person(r, r.choice(CORP), "f.l")
    n2, e2 = person(r, "sraoss.co.jp", "f")
    ip1, ip2 = ip4(r), ip4(r)
    srpw = pw(r, "!#%*-_.")
    return "archives/pgpool-general/2024-March.txt", _t(r"""
        From «e1»  Tue Mar  5 14:22:31 2024
        From: «n1» <«e1»>
        To: «list»
        Date: Tue, 05 Mar 2024 15:22:31 +0100
        Subject: [pgpool-general: 8821] sr_check fails after upgrading to 4.5.0

        Hi all,

        after upgrading from 4.4.4 to 4.5.0 the streaming replication check keeps
        failing with "authentication failed". Relevant part of pgpool.conf:

        backend_hostname0 = '«ip1»'
        backend_port0 = 5432
        backend_hostname1 = '«ip2»'
        backend_port1 = 5432

        sr_check_user = 'pgpool'
        sr_check_password = '«srpw»'
        health_check_password = ''

        pool_passwd has an AES entry for pgpool. Log excerpt:

        2024-03-05 14:10:02.331: sr_check_worker pid 2231: LOG:  failed to connect to PostgreSQL server on "«ip1»:5432"
        2024-03-05 14:10:02.331: sr_check_worker pid 2231: DETAIL:  password authentication failed for user "pgpool"

        Any idea what changed?

        Thanks,
        «n1»


        From «e2»  Wed Mar  6 02:10:55 2024
        From: «n2» <«e2»>
        To: «list»
        Date: Wed, 06 Mar 2024 10:10:55 +0900
        Subject: Re: [pgpool-general: 8822] sr_check fails after upgrading to 4.5.0

        > sr_check_password = '«srpw»'

        Please don't post real passwords to a public list ;-) you may want to change it.

        In 4.5 an empty sr_check_password means "look it up in pool_passwd", but a
        non-empty one is used as is. Also check that pg_hba.conf on both backends
        allows the pgpool host (10.2.0.0/24 in your setup?) with scram-sha-256.

        Best regards,
        --
        «n2»
        SRA OSS LLC
        """, e1=E(e1), n1=n1, e2=E(e2), n2=n2, list=E("pgpool-general@pgpool.net"), ip1=I(ip1),
        ip2=I(ip2), srpw=P(srpw))


def d_contributors(r):
    people = [
        ("Aiko Sato", "aiko.sato@" + r.choice(["nimbus-ci.jp", "gmail.com"])),
        ("Björn Lindqvist", "bjorn@" + r.choice(["lindqvist.se", "nordbyte.se"])),
        ("Chloe Moreau", "chloe.moreau+nimbus@" + r.choice(["protonmail.com", "pm.me"])),
        ("Diego Fernández", "dfernandez@" + r.choice(["cs.uchile.cl", "dcc.uchile.cl"])),
        ("Jürgen Weber", "juergen@" + r.choice(["bücher-weber.de", "müller-it.de"])),
        ("Priya Iyer", "priya.iyer@" + r.choice(["students.iitm.ac.in", "alumni.iitb.ac.in"])),
    ]
    lines = "\n".join(f"{n} <{E(m)}>" for n, m in people)
    return "CONTRIBUTORS", _t(r"""
        # This is the official list of people who can contribute
        # (and typically have contributed) code to the Nimbus repository.
        # The AUTHORS file lists the copyright holders; this file
        # lists people. For example, employees of a company are listed
        # here but not in AUTHORS, because the company holds the copyright.
        #
        # Names should be added to this file only after verifying that
        # the individual or the individual's organization has agreed to
        # the appropriate Contributor License Agreement.
        #
        # Please keep the list sorted. GitHub handles such as @aiko-s or
        # @kofi are not e-mail addresses; use the address you commit with.

        «lines»

        # Bots
        Nimbus Release Bot <«bot»>
        """, lines=lines, bot=E("release-bot@nimbus-ci.jp"))


_UA = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.112 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]


def d_access_log(r):
    pub = [ip4(r), ip4(r), ip4(r), ip6(r)]
    lb = ip_private(r)
    probe = ip_private(r)
    rows = [
        (lb, "GET", "/", 200, _UA[0]),
        (probe, "GET", "/healthz", 200, "kube-probe/1.28"),
        (pub[0], "GET", "/pricing", 200, _UA[0]),
        (pub[0], "GET", "/static/app.3f9c2b.js", 200, _UA[0]),
        (lb, "GET", "/blog/zero-downtime-deploys", 200, _UA[1]),
        (pub[1], "GET", "/wp-login.php", 404, "Mozilla/5.0 zgrab/0.x"),
        (pub[1], "GET", "/.env", 404, "Mozilla/5.0 zgrab/0.x"),
        (probe, "GET", "/healthz", 200, "kube-probe/1.28"),
        (lb, "POST", "/login", 302, _UA[2]),
        ("SEARCH", "GET", None, 200, _UA[3]),
        (lb, "GET", "/favicon.ico", 200, _UA[1]),
        (pub[3], "GET", "/robots.txt", 200, _UA[4]),
        (probe, "GET", "/healthz", 200, "kube-probe/1.28"),
        (lb, "GET", "/api/v1/status", 200, _UA[3]),
        (lb, "GET", "/pricing", 200, _UA[2]),
        (probe, "GET", "/healthz", 200, "kube-probe/1.28"),
        (lb, "GET", "/static/app.3f9c2b.js", 304, _UA[2]),
        (lb, "GET", "/docs/getting-started", 200, _UA[0]),
        (probe, "GET", "/healthz", 200, "kube-probe/1.28"),
        (lb, "HEAD", "/", 200, "Pingdom.com_bot_version_1.4"),
        (lb, "GET", "/api/v1/status", 200, _UA[3]),
    ]
    lines = []
    for i, (ip, method, path, status, ua) in enumerate(rows):
        sec = 14 + i * 7
        stamp = f"[12/Mar/2024:06:{25 + sec // 60:02d}:{sec % 60:02d} +0000]"
        if ip == "SEARCH":
            lines.append(f'{I(pub[2])} - - {stamp} "GET /api/v1/search?q=boots&api_key={K(_s(r, 32))} HTTP/1.1" '
                         f'200 1843 "-" "{ua}"')
            continue
        shown = I(ip) if ip in pub else ip
        lines.append(f'{shown} - - {stamp} "{method} {path} HTTP/1.1" {status} {r.randint(120, 48000)} "-" "{ua}"')
    return "logs/nginx/access.log", "\n".join(lines) + "\n"


def d_auth_log(r):
    bad = [ip4(r), ip4(r), ip6(r)]
    ok = ip_private(r)
    fp = base64.b64encode(r.randbytes(32)).decode().rstrip("=")
    L = [
        f"Mar 12 03:14:07 web-01 sshd[10234]: Invalid user admin from {I(bad[0])} port 51544",
        f"Mar 12 03:14:09 web-01 sshd[10234]: pam_unix(sshd:auth): check pass; user unknown",
        f"Mar 12 03:14:09 web-01 sshd[10234]: Failed password for invalid user admin from {I(bad[0])} port 51544 ssh2",
        f"Mar 12 03:20:42 web-01 sshd[10301]: Failed password for root from {I(bad[1])} port 40112 ssh2",
        f"Mar 12 03:21:02 web-01 fail2ban.actions[812]: NOTICE  [sshd] Ban {I(bad[1])}",
        f"Mar 12 07:02:44 web-01 sshd[11876]: Accepted publickey for deploy from {ok} port 50122 ssh2: ED25519 SHA256:{fp}",
        f"Mar 12 07:02:44 web-01 sshd[11876]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)",
        f"Mar 12 07:05:13 web-01 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
        f"Mar 12 07:05:13 web-01 sudo: pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1001)",
        f"Mar 12 07:05:14 web-01 sudo: pam_unix(sudo:session): session closed for user root",
        f"Mar 12 07:31:09 web-01 sshd[11876]: Received disconnect from {ok} port 50122:11: disconnected by user",
        f"Mar 12 09:41:52 web-01 sshd[12990]: Received disconnect from {I(bad[2])} port 40022:11: Bye Bye [preauth]",
        f"Mar 12 10:02:17 web-01 CRON[13311]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        f"Mar 12 10:02:17 web-01 CRON[13311]: pam_unix(cron:session): session closed for user root",
        f"Mar 12 10:15:00 web-01 systemd-logind[655]: New session 412 of user deploy.",
        f"Mar 12 11:47:33 web-01 sshd[14002]: Connection from 100.72.14.9 port 61822 on 10.0.1.5 port 22 rdomain \"\"",
        f"Mar 12 11:47:34 web-01 sshd[14002]: Accepted publickey for tailscale-admin from 100.72.14.9 port 61822 ssh2: ED25519 SHA256:{fp}",
        f"Mar 12 11:52:10 web-01 sshd[14002]: pam_unix(sshd:session): session closed for user tailscale-admin",
        f"Mar 12 12:00:01 web-01 CRON[14410]: pam_unix(cron:session): session opened for user www-data(uid=33) by (uid=0)",
        f"Mar 12 12:00:02 web-01 CRON[14410]: pam_unix(cron:session): session closed for user www-data",
    ]
    return "logs/auth.log", "\n".join(L) + "\n"


def d_maven_settings(r):
    ip = ip4(r)
    nexus = pw(r, "!#%*-_.")
    return "ci/maven/settings.xml", _t(r"""
        <?xml version="1.0" encoding="UTF-8"?>
        <settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
          <localRepository>${user.home}/.m2/repository</localRepository>

          <servers>
            <server>
              <id>nexus-releases</id>
              <username>deployer</username>
              <password>«nexus»</password>
            </server>
            <server>
              <id>nexus-snapshots</id>
              <username>deployer</username>
              <password>«nexus»</password>
            </server>
            <server>
              <id>ossrh</id>
              <username>veloxa</username>
              <password>${env.OSSRH_PASSWORD}</password>
            </server>
            <server>
              <id>docker-registry</id>
              <username>ci</username>
              <password>«docker»</password>
              <configuration>
                <email>«mail»</email>
              </configuration>
            </server>
          </servers>

          <mirrors>
            <mirror>
              <id>nexus</id>
              <mirrorOf>*</mirrorOf>
              <url>http://«ip»:8081/repository/maven-public/</url>
            </mirror>
          </mirrors>

          <profiles>
            <profile>
              <id>sonar</id>
              <properties>
                <sonar.host.url>http://«ip»:9000</sonar.host.url>
                <sonar.login>«sonar»</sonar.login>
              </properties>
            </profile>
          </profiles>
          <activeProfiles>
            <activeProfile>sonar</activeProfile>
          </activeProfiles>
        </settings>
        """, nexus=P(nexus), docker=P(pw(r, "!#%*-_.", "rand")), mail=E("ci@veloxa.co.uk"), ip=I(ip),
        sonar=K("squ_" + _hex(r, 40)))


def d_package_json(r):
    n1, e1 = person(r, "kestrelsoft.dev", "f")
    n2, e2 = person(r)
    return "package.json", _t(r"""
        {
          "name": "@kestrelsoft/synctl",
          "version": "2.4.0",
          "description": "Sync dotfiles and secrets between machines",
          "author": "«n1» <«e1»> (https://kestrelsoft.dev)",
          "contributors": [
            {
              "name": "«n2»",
              "email": "«e2»",
              "url": "https://github.com/«gh»"
            }
          ],
          "license": "MIT",
          "type": "module",
          "bin": {
            "synctl": "dist/cli.js"
          },
          "files": ["dist", "README.md"],
          "scripts": {
            "build": "tsc -p .",
            "test": "vitest run",
            "lint": "eslint src --ext .ts",
            "release": "np --no-tests",
            "prepare": "husky install"
          },
          "dependencies": {
            "commander": "^11.1.0",
            "keytar": "^7.9.0",
            "yaml": "^2.3.4"
          },
          "devDependencies": {
            "@types/node": "^20.11.5",
            "eslint": "^8.56.0",
            "husky": "^8.0.3",
            "typescript": "^5.3.3",
            "vitest": "^1.2.1"
          },
          "bugs": {
            "url": "https://github.com/kestrelsoft/synctl/issues"
          },
          "engines": {
            "node": ">=18.18.0"
          },
          "packageManager": "pnpm@8.15.1"
        }
        """, n1=n1, e1=E(e1), n2=n2, e2=E(e2), gh=n2.split()[0].lower() + "-" + _s(r, 3, LO))


def d_node_env(r):
    ip = ip4(r)
    dbpw = pw(r, "-_.~", "rand")
    gnum = _s(r, 12, DG)
    return ".env.local", _t(r"""
        # ----- app -----
        NODE_ENV=development
        PORT=3000
        APP_URL=http://localhost:3000

        # ----- database (prisma) -----
        DATABASE_URL="postgresql://marketplace:«dbpw»@«ip»:5432/marketplace?schema=public"
        SHADOW_DATABASE_URL="postgresql://marketplace:«dbpw»@localhost:5432/marketplace_shadow"
        REDIS_URL=redis://default:«redispw»@redis-14821.c250.eu-central-1-1.ec2.cloud.redislabs.com:14821

        # ----- auth -----
        NEXTAUTH_URL=http://localhost:3000
        NEXTAUTH_SECRET=«nas»
        GOOGLE_CLIENT_ID=«gnum»-«gid».apps.googleusercontent.com
        GOOGLE_CLIENT_SECRET=«gsec»

        # ----- payments -----
        STRIPE_SECRET_KEY=«sk»
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=«pk»

        # ----- sms (Twilio) -----
        TWILIO_API_KEY=«twsk»
        TWILIO_AUTH_TOKEN=«twauth»
        TWILIO_FROM_NUMBER=+4915735982214

        # ----- email -----
        EMAIL_SERVER_HOST=smtp.zoho.eu
        EMAIL_SERVER_PORT=465
        EMAIL_SERVER_USER=«mailuser»
        EMAIL_SERVER_PASSWORD=«mailpw»
        EMAIL_FROM="Marketplace <${EMAIL_SERVER_USER}>"

        # ----- misc -----
        NEXT_PUBLIC_RECAPTCHA_SITE_KEY=6L«recap»
        SEED_ADMIN_EMAIL=
        SEED_ADMIN_PASSWORD=«seedpw»
        """, dbpw=P(dbpw), ip=I(ip), redispw=P(_s(r, 32)), nas=K(base64.b64encode(r.randbytes(32)).decode()),
        gnum=gnum, gid=_s(r, 32, LO + DG), gsec=K("GOCSPX-" + _s(r, 28, URLSAFE)), sk=K(sk_live(r)),
        twsk=K(twilio_sk(r)), twauth=K(_hex(r, 32)),
        pk=pk_live(r), mailuser=E(email(r, "zohomail.eu", "f.l")), mailpw=P(pw(r, "!*-_.")),
        recap=_s(r, 38, URLSAFE),
        seedpw=P(pw(r, "!*-_.", "season")))


def d_rails_seeds(r):
    p1 = pw(r, QSYM, "season")
    n1, e1 = person(r, "bookclub.community", "f")
    return "db/seeds.rb", _t(r"""
        # This file should ensure the existence of records required to run the application in every environment
        # (production, development, test). The code here should be idempotent so that it can be executed at any
        # point in every environment. The data can then be loaded with the bin/rails db:seed command.

        puts "Seeding users..."

        admin = User.find_or_create_by!(email: "«e1»") do |u|
          u.name = "«n1»"
          u.password = "«p1»"
          u.password_confirmation = "«p1»"
          u.role = :admin
          u.confirmed_at = Time.current
        end

        [
          { email: "«e2»", name: "Demo Reader", password: "«p2»" },
        ].each do |attrs|
          User.find_or_create_by!(email: attrs[:email]) do |u|
            u.name = attrs[:name]
            u.password = attrs[:password]
            u.password_confirmation = attrs[:password]
            u.role = :member
            u.confirmed_at = Time.current
          end
        end

        puts "Seeding clubs..."
        %w[Classics Sci-Fi Mystery Poetry].each do |genre|
          Club.find_or_create_by!(name: "#{genre} Circle") do |c|
            c.owner = admin
            c.description = "A friendly club for #{genre.downcase} lovers."
          end
        end

        puts "Seeded #{User.count} users and #{Club.count} clubs"
        """, e1=E(e1), n1=n1, p1=P(p1),
        e2=E("demo-reader@bookclub.community"), p2=P(pw(r, QSYM, "combo")))


def d_pytest_conftest(r):
    return "tests/conftest.py", _t(r'''
        import pytest
        from django.contrib.auth import get_user_model
        from rest_framework.test import APIClient

        TEST_USERS = {
            "admin": {"email": "«e1»", "password": "«p1»", "is_staff": True},
            "editor": {"email": "«e2»", "password": "«p2»"},
            "viewer": {"email": "viewer@qa.ridgelinehealth.org", "password": "«p3»"},
        }


        @pytest.fixture
        def api_client():
            return APIClient()


        @pytest.fixture
        def make_user(db):
            def _make(role="viewer", **extra):
                data = {**TEST_USERS[role], **extra}
                is_staff = data.pop("is_staff", False)
                user = get_user_model().objects.create_user(username=data["email"], **data)
                user.is_staff = is_staff
                user.save()
                return user

            return _make


        @pytest.fixture
        def admin_client(api_client, make_user):
            user = make_user("admin")
            api_client.login(username=user.email, password=TEST_USERS["admin"]["password"])
            return api_client


        @pytest.fixture
        def aws_credentials(monkeypatch):
            """Mocked AWS credentials for moto."""
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


        @pytest.fixture
        def legacy_sftp():
            return {"host": "sftp.qa.ridgelinehealth.org", "user": "qa-upload", "password": "«p4»"}
        '''.replace("viewer@qa.ridgelinehealth.org", "«e3»"), e1=E("admin@qa.ridgelinehealth.org"),
        p1=P(pw(r, QSYM)), e2=E(email(r, "qa.ridgelinehealth.org", "f")), p2=P(pw(r, QSYM, "combo")),
        e3=E("viewer@qa.ridgelinehealth.org"), p3=P(pw(r, QSYM, "leet")), p4=P(pw(r, QSYM, "rand")))


def d_db_credentials_setup(r):
    ip1, ip2 = ip4(r), ip4(r)
    return "ops/setup-db-credentials.sh", _t(r"""
        #!/bin/sh
        # Writes ~/.pgpass and ~/.my.cnf for the nightly backup user on the backup host.
        # Run once as the backup user: sh setup-db-credentials.sh
        set -eu

        umask 077

        cat > "$HOME/.pgpass" <<'EOF'
        # hostname:port:database:username:password
        localhost:5432:*:postgres:«pglocal»
        «ip1»:5432:billing:backup:«pgbilling»
        «ip2»:6432:*:pgbouncer_admin:«pgb»
        EOF

        cat > "$HOME/.my.cnf" <<'EOF'
        [client]
        user=backup
        password="«mysql»"
        host=127.0.0.1

        [mysqldump]
        single-transaction
        quick
        routines
        EOF

        chmod 600 "$HOME/.pgpass" "$HOME/.my.cnf"
        echo "credentials written for $(whoami)"

        # sanity checks
        psql -h «ip1» -U backup -d billing -c 'select 1' >/dev/null && echo "billing ok"
        mysql -e 'select version()' >/dev/null && echo "mysql ok"
        """, pglocal=P(pw(r, "!#%*-_.")), ip1=I(ip1), pgbilling=P(pw(r, "!#%*-_.", "rand")), ip2=I(ip2),
        pgb=P(pw(r, "!#%*-_.", "long")), mysql=P(pw(r, "!#%*-_.")))


def d_tomcat_context(r):
    return "src/main/webapp/META-INF/context.xml", _t(r"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Context path="/intranet" reloadable="false">
            <WatchedResource>WEB-INF/web.xml</WatchedResource>
            <WatchedResource>${catalina.base}/conf/web.xml</WatchedResource>

            <Resource name="jdbc/IntranetDB"
                      auth="Container"
                      type="javax.sql.DataSource"
                      driverClassName="oracle.jdbc.OracleDriver"
                      url="jdbc:oracle:thin:@db-ora01.veloxa.co.uk:1521/ORCLPDB1"
                      username="INTRANET_APP"
                      password="«dbpw»"
                      maxTotal="30" maxIdle="10" maxWaitMillis="10000"
                      validationQuery="SELECT 1 FROM DUAL"/>

            <Resource name="mail/Session"
                      auth="Container"
                      type="javax.mail.Session"
                      mail.smtp.host="smtp.office365.com"
                      mail.smtp.port="587"
                      mail.smtp.auth="true"
                      mail.smtp.user="intranet-noreply"
                      password="«mailpw»"
                      mail.smtp.starttls.enable="true"/>

            <Realm className="org.apache.catalina.realm.JNDIRealm"
                   connectionURL="ldap://10.1.0.10:389"
                   connectionName="cn=tomcat,ou=services,dc=veloxa,dc=co,dc=uk"
                   connectionPassword="«ldappw»"
                   userBase="ou=people,dc=veloxa,dc=co,dc=uk"
                   userSearch="(uid={0})"
                   roleBase="ou=groups,dc=veloxa,dc=co,dc=uk"
                   roleName="cn"
                   roleSearch="(member={0})"/>
        </Context>
        """, dbpw=P(pw(r, "!#%*-_.")), mailpw=P(pw(r, "!#%*-_.", "season")),
        ldappw=P(pw(r, "!#%*-_.", "rand")))


# =============================================================================================
# documents with hard negatives only
# =============================================================================================


def d_neg_django_prod_settings(r):
    salt = _s(r, 22, AN)
    return "shopfront/shopfront/settings/production.py", _t(r'''
        """Production settings -- everything secret comes from the environment."""
        import os

        from .base import *  # noqa: F401,F403

        DEBUG = False
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")
        INTERNAL_IPS = ["127.0.0.1", "10.0.2.2"]

        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": os.environ.get("POSTGRES_DB", "shopfront"),
                "USER": os.environ.get("POSTGRES_USER", "shopfront"),
                "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
                "HOST": os.environ.get("POSTGRES_HOST", "10.0.12.4"),
                "PORT": os.environ.get("POSTGRES_PORT", "5432"),
                "CONN_MAX_AGE": 60,
            }
        }

        PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
        AUTH_PASSWORD_VALIDATORS = [
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
             "OPTIONS": {"min_length": 12}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        ]
        PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
        ACCOUNT_PASSWORD_RESET_URL = "/accounts/password/reset/"
        # hash of the break-glass admin password; the plain text is in the team vault
        BREAK_GLASS_PASSWORD_HASH = "pbkdf2_sha256$720000$«salt»$«hash»"

        EMAIL_HOST = os.environ.get("EMAIL_HOST", "smtp.mailgun.org")
        EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER")
        EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
        EMAIL_USE_TLS = True

        AWS_ACCESS_KEY_ID = os.getenv("AWS_ACCESS_KEY_ID")
        AWS_SECRET_ACCESS_KEY = os.getenv("AWS_SECRET_ACCESS_KEY")
        AWS_STORAGE_BUCKET_NAME = "shopfront-media"

        CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://:{os.environ.get('REDIS_PASSWORD', '')}@10.0.12.9:6379/0",
            }
        }

        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        SECURE_HSTS_SECONDS = 31536000
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True
        CSRF_TRUSTED_ORIGINS = ["https://shop.shopfront.co.uk"]

        if os.environ.get("CI"):
            # the CI database runs with trust auth
            DATABASES["default"]["PASSWORD"] = None
        ''', salt=salt, hash=base64.b64encode(r.randbytes(32)).decode())


def d_neg_k8s_dns(r):
    return "cluster/kube-system/dns.yaml", _t(r"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: coredns-custom
          namespace: kube-system
        data:
          Corefile: |
            .:53 {
                errors
                health {
                    lameduck 5s
                }
                ready
                kubernetes cluster.local in-addr.arpa ip6.arpa {
                    pods insecure
                    fallthrough in-addr.arpa ip6.arpa
                    ttl 30
                }
                prometheus :9153
                forward . 1.1.1.1 8.8.8.8 9.9.9.9 {
                    max_concurrent 1000
                }
                cache 30
                loop
                reload
                loadbalance
            }
            corp.internal:53 {
                forward . 10.40.0.2 10.40.0.3
            }
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: egress-no-metadata
          namespace: apps
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
            - to:
                - ipBlock:
                    cidr: 0.0.0.0/0
                    except:
                      - 169.254.169.254/32
                      - 100.64.0.0/10
                      - 224.0.0.0/4
                      - 255.255.255.255/32
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: node-local-dns
          namespace: kube-system
        spec:
          selector:
            matchLabels:
              k8s-app: node-local-dns
          template:
            metadata:
              labels:
                k8s-app: node-local-dns
            spec:
              hostNetwork: true
              dnsPolicy: Default
              containers:
                - name: node-cache
                  image: registry.k8s.io/dns/k8s-dns-node-cache@sha256:«digest»
                  args: ["-localip", "169.254.20.10,10.96.0.10", "-conf", "/etc/Corefile"]
                  env:
                    - name: SSDP_GROUP
                      value: "239.255.255.250"
                    - name: NETMASK
                      value: "255.255.255.0"
                    - name: UPSTREAM_TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: dns-upstream
                          key: token
                  resources:
                    requests:
                      cpu: 25m
                      memory: 5Mi
        """, digest=sha256(r))


def d_neg_package_lock(r):
    def integ():
        return "sha512-" + base64.b64encode(r.randbytes(64)).decode()
    return "web/package-lock.json", _t(r"""
        {
          "name": "tripnote-web",
          "version": "0.9.3",
          "lockfileVersion": 3,
          "requires": true,
          "packages": {
            "": {
              "name": "tripnote-web",
              "version": "0.9.3",
              "dependencies": {
                "@tanstack/react-query": "^5.17.9",
                "axios": "^1.6.5",
                "react": "^18.2.0",
                "react-dom": "^18.2.0"
              },
              "devDependencies": {
                "@vitejs/plugin-react": "^4.2.1",
                "vite": "^5.0.11"
              }
            },
            "node_modules/@babel/code-frame": {
              "version": "7.23.5",
              "resolved": "https://registry.npmjs.org/@babel/code-frame/-/code-frame-7.23.5.tgz",
              "integrity": "«i1»",
              "dev": true,
              "dependencies": {
                "@babel/highlight": "^7.23.4",
                "chalk": "^2.4.2"
              },
              "engines": {
                "node": ">=6.9.0"
              }
            },
            "node_modules/@tanstack/react-query": {
              "version": "5.17.9",
              "resolved": "https://registry.npmjs.org/@tanstack/react-query/-/react-query-5.17.9.tgz",
              "integrity": "«i2»",
              "dependencies": {
                "@tanstack/query-core": "5.17.9"
              },
              "funding": {
                "type": "github",
                "url": "https://github.com/sponsors/tannerlinsley"
              }
            },
            "node_modules/axios": {
              "version": "1.6.5",
              "resolved": "https://registry.npmjs.org/axios/-/axios-1.6.5.tgz",
              "integrity": "«i3»",
              "dependencies": {
                "follow-redirects": "^1.15.4",
                "form-data": "^4.0.0",
                "proxy-from-env": "^1.1.0"
              }
            }
          }
        }
        """, i1=integ(), i2=integ(), i3=integ())


def d_neg_java_service(r):
    return "src/main/java/com/northwindlabs/inventory/user/UserService.java", _t(r"""
        package com.northwindlabs.inventory.user;

        import java.util.Locale;
        import java.util.UUID;

        import org.springframework.beans.factory.annotation.Value;
        import org.springframework.security.core.userdetails.UserDetails;
        import org.springframework.security.core.userdetails.UserDetailsService;
        import org.springframework.security.core.userdetails.UsernameNotFoundException;
        import org.springframework.security.crypto.password.PasswordEncoder;
        import org.springframework.stereotype.Service;
        import org.springframework.transaction.annotation.Transactional;

        @Service
        public class UserService implements UserDetailsService {

            private static final String DEFAULT_ROLE = "ROLE_USER";
            // bcrypt of the bootstrap password; the plain text lives in Vault
            private static final String BOOTSTRAP_HASH = "«bcrypt»";
            static final UUID SYSTEM_USER_ID = UUID.fromString("«uuid»");

            public static final String LABEL_PASSWORD = "Passwort";
            public static final String LABEL_PASSWORD_REPEAT = "Passwort wiederholen";
            public static final String MASKED_PASSWORD = "********";

            private final UserRepository users;
            private final PasswordEncoder passwordEncoder;

            @Value("${app.jwt.secret}")
            private String jwtSecret;

            @Value("${spring.mail.password:}")
            private String mailPassword;

            public UserService(UserRepository users, PasswordEncoder passwordEncoder) {
                this.users = users;
                this.passwordEncoder = passwordEncoder;
            }

            @Override
            public UserDetails loadUserByUsername(String email) throws UsernameNotFoundException {
                return users.findByEmailIgnoreCase(email)
                        .map(UserPrincipal::new)
                        .orElseThrow(() -> new UsernameNotFoundException("No user " + email));
            }

            @Transactional
            public User register(RegisterRequest req) {
                User u = new User();
                u.setId(UUID.randomUUID());
                u.setEmail(req.getEmail().toLowerCase(Locale.ROOT));
                u.setPassword(passwordEncoder.encode(req.getPassword()));
                u.setRole(DEFAULT_ROLE);
                return users.save(u);
            }

            public boolean isBootstrapPassword(String raw) {
                return passwordEncoder.matches(raw, BOOTSTRAP_HASH);
            }

            public String resetPasswordUrl(String token) {
                return "/reset-password?token=" + token;
            }
        }
        """, bcrypt=bcrypt(r).replace("$2b$", "$2a$"), uuid=uuid4(r))


def d_neg_terraform_vars(r):
    return "infra/modules/app/variables.tf", _t(r"""
        # Credentials come from the environment or an assumed role. Example from the AWS docs,
        # do NOT put real keys here:
        #   export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
        #   export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

        variable "db_password" {
          description = "Master password for the RDS instance"
          type        = string
          sensitive   = true
        }

        variable "api_token" {
          description = "Token the bastion agent uses to register itself"
          type        = string
          sensitive   = true
          default     = ""
        }

        variable "allowed_cidrs" {
          description = "CIDRs allowed to reach the bastion (documentation ranges in the example)"
          type        = list(string)
          default     = ["203.0.113.0/24", "198.51.100.17/32"]
        }

        variable "kms_key_arn" {
          description = "KMS key used for RDS and S3 encryption"
          type        = string
          default     = "arn:aws:kms:eu-west-1:«acct»:key/«kms»"
        }

        data "aws_secretsmanager_secret_version" "db" {
          secret_id = "prod/app/db"
        }

        locals {
          db_creds = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)
        }

        resource "aws_db_instance" "this" {
          identifier        = "app-${terraform.workspace}"
          engine            = "postgres"
          instance_class    = "db.t3.small"
          allocated_storage = 20
          username          = local.db_creds["username"]
          password          = var.db_password
          kms_key_id        = var.kms_key_arn
        }

        resource "aws_instance" "bastion" {
          ami           = "ami-0c55b159cbfafe1f0"
          instance_type = "t3.micro"
          private_ip    = "10.20.1.10"
          user_data     = templatefile("${path.module}/userdata.sh", { api_token = var.api_token })
        }

        output "db_password" {
          value     = var.db_password
          sensitive = true
        }
        """, acct=_s(r, 12, DG), kms=uuid4(r))


def d_neg_readme_placeholders(r):
    return "README.md", _t(r"""
        # netwatch

        Tiny SNMP + ping dashboard for small offices. Runs happily on a Raspberry Pi.

        ## Install

        ```bash
        pip install netwatch==1.4.2
        npx netwatch-ui@1.4.2 init
        git clone git@github.com:gridmint/netwatch.git
        ssh pi@netwatch.local 'sudo systemctl restart netwatch'
        ```

        ## Configuration

        ```yaml
        snmp:
          community: "{{ snmp_community }}"
          oids:
            uptime: 1.3.6.1.2.1.1.3.0
            load1: 1.3.6.1.4.1.2021.10.1.3.1
        targets:
          - name: router
            host: 192.168.1.1
          - name: nas
            host: 10.0.0.20
          - name: upstream-dns
            host: 8.8.8.8
          - name: docs-example
            host: 192.0.2.10
        notify:
          slack_webhook: https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX
          api_key: <YOUR_API_KEY>
          openai_key: sk-...your-key-here...
          github_token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
          smtp_password: ${SMTP_PASSWORD}
        ```

        On first start the web UI asks for `Password: ********` and stores it as an argon2 hash.
        In Helm the same value is `password: {{ .Values.notify.smtpPassword }}`.

        The ESP8266 probe firmware uses `IPAddress(192, 168, 1, 2)` as its fallback address and
        reports its build as 1.4.2.0. Screenshots are in `docs/img/dashboard@2x.png`.

        Public identifiers used by the demo page (safe to publish):

        - Stripe publishable key: `pk_live_...` (set `STRIPE_PUBLISHABLE_KEY`)
        - reCAPTCHA site key: `6Lc«recap»`
        - Google OAuth client id: `«gnum»-«gid».apps.googleusercontent.com`
        - Sentry DSN: `https://«dsn»@o«org».ingest.sentry.io/«proj»`

        ## License

        MIT
        """, recap=_s(r, 37, URLSAFE), gnum=_s(r, 12, DG), gid=_s(r, 32, LO + DG), dsn=_hex(r, 32),
        org=_s(r, 6, DG), proj=_s(r, 7, DG))


# =============================================================================================
# the set
# =============================================================================================

_DOCS = [
    # web backends
    d_django_settings, d_rails_database_yml, d_rails_secrets_yml, d_laravel_env,
    d_spring_application_yml, d_spring_properties, d_express_config, d_nest_app_module,
    d_aspnet_appsettings, d_go_main, d_flask_app, d_fastapi_config, d_wp_config, d_devise_rb,
    d_java_mailconfig, d_knexfile, d_laravel_database_php, d_ktor_conf,
    # mobile
    d_android_build_gradle, d_gradle_properties, d_kotlin_apiclient, d_swift_appconfig,
    d_google_service_plist, d_flutter_constants, d_firebase_options, d_react_native_config,
    # data and ML
    d_notebook_churn, d_airflow_dag, d_dbt_profiles, d_pyspark_job, d_pandas_report, d_ml_train,
    d_r_analysis, d_notebook_kaggle, d_streamlit_secrets, d_gsheets_sync,
    # DevOps
    d_github_actions, d_gitlab_ci, d_jenkinsfile, d_k8s_secret, d_k8s_keycloak, d_helm_values,
    d_terraform_main, d_terraform_tfvars, d_ansible_inventory, d_ansible_group_vars, d_vagrantfile,
    d_docker_compose, d_deploy_sh, d_deploy_ps1, d_dockerfile, d_nginx_conf, d_kubeconfig,
    d_docker_config_json, d_alertmanager, d_grafana_datasources, d_systemd_unit, d_cloud_init,
    d_bitbucket_pipelines, d_packer_json,
    # embedded
    d_esp32_mqtt, d_esp8266_blynk, d_rpi_doorbell,
    # bots
    d_discord_bot, d_telegram_bot, d_slack_bolt,
    # misc
    d_postman_collection, d_npmrc, d_pypirc, d_netrc, d_sql_dump, d_sql_migration, d_slapd_conf,
    d_postfix_main_cf, d_msmtprc, d_changelog, d_readme_leak, d_mailing_list, d_contributors,
    d_access_log, d_auth_log, d_maven_settings, d_package_json, d_node_env, d_rails_seeds,
    d_pytest_conftest, d_db_credentials_setup, d_tomcat_context,
    # hard negatives only
    d_neg_django_prod_settings, d_neg_k8s_dns, d_neg_package_lock, d_neg_java_service,
    d_neg_terraform_vars, d_neg_readme_placeholders,
]


def testset21_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset21:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t21-{i:02d}/{path}", marked))
    return docs


# =============================================================================================
# self-validation
# =============================================================================================

KINDS = ("email", "ip_address", "key", "password")
_RESERVED_DOMAIN = re.compile(r"(^|\.)(example\.(com|net|org)|example|test|invalid|localhost|local)$", re.I)


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset21_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    assert len({fn.__name__ for fn in _DOCS}) == len(_DOCS), "a document function is listed twice"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left in text"
        assert "«" not in d.text and "»" not in d.text, f"{d.name}: unfilled template slot"
        prev_end = 0
        for kind, s, e in sorted(d.spans, key=lambda t: t[1]):
            assert kind in KINDS, (d.name, kind)
            assert 0 <= s < e <= len(d.text), (d.name, kind, s, e)
            assert s >= prev_end, f"{d.name}: overlapping spans at {s}"
            prev_end = e
            v = d.text[s:e]
            assert v == v.strip() and v, f"{d.name}: span {v!r} has surrounding whitespace"
            if kind == "ip_address":
                ip = ipaddress.ip_address(v)
                assert ip.is_global and not ip.is_multicast, f"{d.name}: {v} is not a public address"
                assert v not in RESOLVERS, f"{d.name}: {v} is a public resolver"
            elif kind == "email":
                local, _, domain = v.rpartition("@")
                assert local and "." in domain, f"{d.name}: {v!r} is not a mailbox"
                assert not _RESERVED_DOMAIN.search(domain), f"{d.name}: reserved domain in {v}"
            elif kind == "key":
                assert "EXAMPLE" not in v, f"{d.name}: AWS documentation key planted"
                if v.startswith("-----BEGIN"):
                    assert v.endswith("-----") and "PRIVATE KEY" in v, f"{d.name}: bad PEM span"
        # every repeat of a planted value is itself labelled
        for kind, s, e in d.spans:
            v = d.text[s:e]
            for m in re.finditer(re.escape(v), d.text):
                assert any(ss <= m.start() and m.end() <= ee for _, ss, ee in d.spans), \
                    f"{d.name}: unlabelled repeat of {kind} {v!r} at {m.start()}"
    assert sum(1 for d in docs if not d.spans) >= 6, "need at least six negative-only documents"
    return docs


if __name__ == "__main__":
    docs = _check()
    totals = Counter()
    for d in docs:
        c = Counter(k for k, _, _ in d.spans)
        totals.update(c)
        per = ", ".join(f"{k}={c[k]}" for k in KINDS if c[k])
        print(f"{d.name:70s} {len(d.text.splitlines()):4d} lines  {per or '(negatives only)'}")
    print()
    print(f"{len(docs)} documents, {sum(totals.values())} spans:",
          ", ".join(f"{k}={totals[k]}" for k in KINDS))
