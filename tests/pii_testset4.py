"""Held-out PII test set #4, written blind (without reading the scrubber or the other test sets).

Ordinary application source as found on GitHub, in many languages (Python/Django/Flask/FastAPI,
JS/TS/React/Node/Next.js, Java/Spring, Kotlin/Android, Swift/iOS, Go, Rust, C#/.NET,
PHP/Laravel/Symfony/WordPress, Ruby/Rails, Scala, Dart/Flutter, C/C++ embedded, shell, SQL,
PowerShell) plus some config, infra and docs. Credentials sit where they sit in real repos:
tests, seeds and fixtures, examples, config modules, client setup code, commented-out code.

Planted spans are written ``⟦kind|value⟧`` and parsed with ``tests.test_pii_labelled._parse``.
Values are drawn from ``random.Random(seed)``.

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
    identifiers (GCP ``private_key_id``, KMS ARNs, Twilio account SIDs), public-by-design ids
    (Stripe publishable keys, reCAPTCHA site keys, OAuth client ids).
password
    Literal passwords in assignments, kwargs, dict/map literals, config files, connection
    strings, CLI invocations, URLs (span = the password part only, as written, percent-encoded
    where it is), test fixtures; a password escaped inside a string literal is spanned as
    written (with its backslashes). Not: reads (env, getpass, input, ``read -s``), None/empty,
    template refs, hashes (bcrypt/argon2/pbkdf2), masked ``****``, UI labels/translations,
    identifiers like ``reset_password_url``.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 4_2024_0917

ALNUM = string.ascii_letters + string.digits
UPNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"

WORDS = (
    "sunflower harbor maple falcon granite velvet copper lantern orchid thunder meadow cobalt "
    "pepper walrus quartz saffron tundra willow ember juniper canyon biscuit rocket marble "
    "pumpkin glacier nectar otter paprika raven sierra tango umber violet zephyr mango kiwi "
    "banjo cactus dolphin espresso fjord gecko hazel igloo jasmine koala lemon nutmeg"
).split()
FIRST = "anna liam sofia noah mia lucas olivia mateo emma arjun chloe kenji priya omar lea "\
        "tomas ines felix hana diego yara ravi nora ezra maya jonas elif".split()
LAST = "schmidt okafor nguyen garcia rossi kowalski tanaka silva murphy novak dubois haddad "\
       "lindqvist moreau petrov castillo brennan ito kaur ferreira".split()
DOMAINS = ("gmail.com outlook.com yahoo.co.uk protonmail.com fastmail.fm icloud.com hey.com "
           "web.de gmx.net orange.fr zoho.in northwind-logistics.com brightforge.io "
           "mail.kestrelbank.co.uk eng.tallgrass.dev corp.helixmed.org lumenstack.ai "
           "quarrytech.co riverbend.edu ops.coralpay.com.br harbourline.co.nz pixelmint.studio "
           "support.orbitcart.shop dev.fennec.app").split()
IDN_EMAILS = ("jürgen.weiß@müller-bau.de", "zoë.lefèvre@café-lumière.fr", "иван.петров@почта.рф",
              "佐藤.健@会社.jp", "josé.núñez@señales.es", "øystein@blåbær.no")
V4_FIRST = [3, 13, 18, 23, 31, 34, 35, 37, 45, 46, 51, 52, 54, 62, 63, 66, 69, 74, 77, 78, 79,
            80, 81, 82, 84, 85, 87, 88, 89, 91, 93, 94, 95, 103, 104, 107, 109, 128, 130, 134,
            137, 138, 139, 141, 142, 143, 144, 145, 146, 147, 151, 152, 154, 157, 158, 159, 161,
            162, 164, 165, 167, 170, 173, 176, 178, 185, 188, 190, 193, 194, 195, 199, 200, 201,
            202, 204, 205, 206, 207, 209, 212, 213, 216, 217, 219, 220, 221, 222, 223]
V6_PREFIX = ["2a01:4f8", "2600:1f18", "2a03:b0c0", "2001:41d0", "2604:a880", "2a05:d014",
             "2406:da1c", "2a02:c207", "2620:10d", "2803:9800", "2a00:1450", "2400:cb00"]


class G:
    """Value generator over a seeded Random."""

    def __init__(self, r: random.Random):
        self.r = r

    def s(self, alphabet: str, n: int) -> str:
        mixed = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
        while True:
            v = "".join(self.r.choice(alphabet) for _ in range(n))
            if not mixed or (any(c.isdigit() for c in v) and any(c.isalpha() for c in v)):
                return v

    def digits(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + "".join(self.r.choice(string.digits) for _ in range(n - 1))

    # ---------------------------------------------------------------- passwords
    def pw(self) -> str:
        r = self.r
        style = r.randrange(6)
        w1, w2 = r.choice(WORDS), r.choice(WORDS)
        if style == 0:
            return f"{w1.capitalize()}{r.choice('!#%*?')}{r.randint(10, 9999)}"
        if style == 1:
            return "-".join(r.sample(WORDS, r.randint(3, 5)))
        if style == 2:
            leet = w1.translate(str.maketrans("aeios", "@310$")).capitalize()
            return f"{leet}{r.randint(1, 99)}{r.choice('!?')}"
        if style == 3:
            return f"{w1}{r.choice('._')}{w2.capitalize()}{r.randint(1970, 2024)}"
        if style == 4:
            return r.choice(string.ascii_letters) + self.s(ALNUM + "!@#%^&*", r.randint(11, 19))
        return f"{w1.capitalize()}{r.randint(1, 9)}{w2}{r.choice('$%&')}{r.randint(10, 99)}"

    def pw_special(self, chars: str = "=#@?&$%") -> str:
        r = self.r
        a, b = r.choice(WORDS), r.choice(WORDS)
        return f"{a.capitalize()}{r.choice(chars)}{r.randint(10, 999)}{r.choice(chars)}{b}"

    def pw_simple(self) -> str:
        """No characters that need escaping anywhere (URLs, shells, INI, conn strings)."""
        r = self.r
        return f"{r.choice(WORDS).capitalize()}{r.randint(100, 9999)}{r.choice(WORDS)}"

    def pw_quoted(self) -> str:
        """A password with a double quote, returned escaped for a "..." literal."""
        r = self.r
        return f'{r.choice(WORDS)}\\"{r.randint(10, 99)}\\"{r.choice(WORDS).capitalize()}!'

    # ---------------------------------------------------------------- emails / IPs
    def email(self) -> str:
        r = self.r
        f, l = r.choice(FIRST), r.choice(LAST)
        local = r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}", f"{f}{r.randint(7, 99)}",
                          f"{f}.{l}+{r.choice(['dev', 'test', 'ci', 'billing'])}", f"{l}.{f}"])
        return f"{local}@{r.choice(DOMAINS)}"

    def idn(self) -> str:
        return self.r.choice(IDN_EMAILS)

    def ip(self) -> str:
        r = self.r
        return f"{r.choice(V4_FIRST)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def ip6(self) -> str:
        r = self.r
        pre = r.choice(V6_PREFIX)
        n = 8 - pre.count(":") - 1
        tail = [format(r.randint(1, 0xFFFF), "x") for _ in range(n)]
        if r.random() < 0.5:
            return f"{pre}:{tail[0]}::{tail[-1]}"
        return f"{pre}:" + ":".join(tail)

    # ---------------------------------------------------------------- keys
    def hexs(self, n: int) -> str:
        return self.s(HEX, n)

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(bytes(self.r.randrange(256) for _ in range(nbytes))).decode()

    def b64url(self, nbytes: int) -> str:
        return base64.urlsafe_b64encode(bytes(self.r.randrange(256) for _ in range(nbytes))).decode().rstrip("=")

    def tok(self, kind: str) -> str:
        s, r = self.s, self.r
        return {
            "ghp": lambda: "ghp_" + s(ALNUM, 36),
            "gho": lambda: "gho_" + s(ALNUM, 36),
            "github_pat": lambda: "github_pat_" + s(ALNUM, 22) + "_" + s(ALNUM, 59),
            "akia": lambda: "AKIA" + s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            "aws_secret": lambda: s(ALNUM + "/+", 40),
            "xoxb": lambda: f"xoxb-{self.digits(12)}-{self.digits(13)}-{s(ALNUM, 24)}",
            "xoxp": lambda: f"xoxp-{self.digits(12)}-{self.digits(12)}-{self.digits(13)}-{self.hexs(32)}",
            "sk_live": lambda: "sk_live_" + s(ALNUM, r.choice([24, 99])),
            "sk_test": lambda: "sk_test_" + s(ALNUM, r.choice([24, 99])),
            "rk_live": lambda: "rk_live_" + s(ALNUM, 99),
            "whsec": lambda: "whsec_" + s(ALNUM, 32),
            "aiza": lambda: "AIza" + s(URLSAFE, 35),
            "openai": lambda: "sk-proj-" + s(URLSAFE, 74) + "T3BlbkFJ" + s(URLSAFE, 74),
            "openai_old": lambda: "sk-" + s(ALNUM, 20) + "T3BlbkFJ" + s(ALNUM, 20),
            "anthropic": lambda: "sk-ant-api03-" + s(URLSAFE, 93) + "AA",
            "sendgrid": lambda: "SG." + s(URLSAFE, 22) + "." + s(URLSAFE, 43),
            "mailgun": lambda: "key-" + self.hexs(32),
            "npm": lambda: "npm_" + s(ALNUM, 36),
            "pypi": lambda: "pypi-AgEIcHlwaS5vcmc" + s(URLSAFE, 140),
            "glpat": lambda: "glpat-" + s(URLSAFE, 20),
            "shpat": lambda: "shpat_" + self.hexs(32),
            "hf": lambda: "hf_" + s(ALNUM, 34),
            "telegram": lambda: self.digits(10) + ":AA" + s(URLSAFE, 33),
            "dop": lambda: "dop_v1_" + self.hexs(64),
            "hvs": lambda: "hvs." + s(URLSAFE, 24),
            "pmak": lambda: "PMAK-" + self.hexs(24) + "-" + self.hexs(34),
            "linear": lambda: "lin_api_" + s(ALNUM, 40),
            "dapi": lambda: "dapi" + self.hexs(32),
            "glsa": lambda: "glsa_" + s(ALNUM, 32) + "_" + self.hexs(8),
            "nrak": lambda: "NRAK-" + s(UPNUM, 27),
            "age": lambda: "AGE-SECRET-KEY-1" + s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
            "doppler": lambda: "dp.st.prd." + s(ALNUM, 43),
            "gocspx": lambda: "GOCSPX-" + s(URLSAFE, 28),
            "groq": lambda: "gsk_" + s(ALNUM, 52),
            "replicate": lambda: "r8_" + s(ALNUM, 37),
            "figma": lambda: "figd_" + s(URLSAFE, 40),
            "discord": lambda: base64.b64encode(self.digits(18).encode()).decode().rstrip("=")
            + "." + s(URLSAFE, 6) + "." + s(URLSAFE, 38),
            "sq0csp": lambda: "sq0csp-" + s(URLSAFE, 43),
            "square": lambda: "EAAA" + s(URLSAFE, 60),
            "mapbox_sk": lambda: "sk.eyJ1IjoiZGV2b3BzIiwiYSI6I" + s(ALNUM, 20) + "." + s(URLSAFE, 22),
            "azure": lambda: self.b64(64),
            "twilio_sk": lambda: "SK" + self.hexs(32),
            "atlassian": lambda: "ATATT3xFfGF0" + s(URLSAFE, 180) + "=" + s(UPNUM, 8),
            "pulumi": lambda: "pul-" + self.hexs(40),
            "tfc": lambda: s(ALNUM, 14) + ".atlasv1." + s(ALNUM, 67),
            "fly": lambda: "fo1_" + s(URLSAFE, 43),
            "resend": lambda: "re_" + s(ALNUM, 8) + "_" + s(ALNUM, 24),
            "postmark": lambda: self.hexs(8) + "-" + self.hexs(4) + "-" + self.hexs(4),  # unused
            "dd": lambda: self.hexs(32),
            "dd_app": lambda: self.hexs(40),
        }[kind]()

    def jwt(self, payload: dict | None = None) -> str:
        header = {"alg": "HS256", "typ": "JWT"}
        payload = payload or {"sub": self.digits(6), "role": self.r.choice(["admin", "user"]),
                              "iat": 1700000000 + self.r.randint(0, 9999999)}
        enc = lambda d: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{enc(header)}.{enc(payload)}.{self.b64url(32)}"

    def pem(self, label: str = "RSA PRIVATE KEY", lines: int = 8, nl: str = "\n") -> str:
        body = self.b64(48 * lines)
        chunks = [body[i:i + 64] for i in range(0, len(body), 64)]
        if label in ("RSA PRIVATE KEY", "PRIVATE KEY"):
            chunks[0] = "MIIE" + chunks[0][4:]
        return nl.join([f"-----BEGIN {label}-----", *chunks, f"-----END {label}-----"])

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


_PH = re.compile(r"«(?:([peik]):)?(\w+)»")
_KIND = {"p": "password", "e": "email", "i": "ip_address", "k": "key"}


def _fill(tpl: str, vals: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        v = vals[m.group(2)]
        return f"⟦{_KIND[m.group(1)]}|{v}⟧" if m.group(1) else v
    return _PH.sub(sub, tpl)


DOCS = []


def doc(fn):
    DOCS.append(fn)
    return fn


# =================================================================================== Python

@doc
def django_settings(g: G):
    v = dict(sk=g.s(string.ascii_lowercase + string.digits + "!#$%^&*(-_=+)", 50), dbpw=g.pw(),
             dbip=g.ip(), mailpw=g.pw_special(), mailuser=g.email(), a1=g.email(), a2=g.idn(),
             host=g.ip(), frm=g.email(), sentry=g.hexs(32))
    return v, "shop/settings/production.py", '''"""Django settings for shop (production)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = "«k:sk»"
DEBUG = False
ALLOWED_HOSTS = ["shop.orbitcart.shop", "«i:host»", "127.0.0.1", "localhost", "10.0.3.17"]
INTERNAL_IPS = ["127.0.0.1", "172.17.0.1"]

ADMINS = [("Ops", "«e:a1»"), ("Jürgen", "«e:a2»")]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop_app",
        "PASSWORD": "«p:dbpw»",
        "HOST": "«i:dbip»",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop_ro",
        "PASSWORD": os.environ.get("REPLICA_PASSWORD", ""),
        "HOST": "10.0.3.18",
    },
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.gmail.com"
EMAIL_HOST_USER = "«e:mailuser»"
EMAIL_HOST_PASSWORD = '«p:mailpw»'
DEFAULT_FROM_EMAIL = "Orbitcart <«e:frm»>"

AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = 259200
# SENTRY_AUTH_TOKEN = "«k:sentry»"
'''


@doc
def flask_conftest(g: G):
    v = dict(e1=g.email(), p1=g.pw(), e2=g.email(), p2=g.pw_special(), e3=g.idn(), p3=g.pw(),
             jwt=g.jwt(), wrong=g.pw_simple())
    return v, "tests/conftest.py", '''import pytest
from app import create_app, db
from app.models import User


@pytest.fixture
def app():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        yield app


@pytest.fixture
def admin(app):
    user = User(email="«e:e1»", is_admin=True)
    user.set_password("«p:p1»")
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def members(app):
    rows = [
        {"email": "«e:e2»", "password": "«p:p2»"},
        {"email": "«e:e3»", "password": "«p:p3»"},
        {"email": "nobody@localhost", "password": None},
    ]
    return [User.create(**row) for row in rows]


def test_login_rejects_bad_password(client, admin):
    resp = client.post("/login", data={"email": admin.email, "password": "«p:wrong»"})
    assert resp.status_code == 401


def test_login_requires_password(client, admin):
    resp = client.post("/login", data={"email": admin.email, "password": ""})
    assert b"Password is required" in resp.data


def test_api_with_token(client):
    headers = {"Authorization": "Bearer «k:jwt»"}
    assert client.get("/api/me", headers=headers).status_code == 200
'''


@doc
def fastapi_tests(g: G):
    v = dict(e1=g.email(), p1=g.pw(), e2=g.email(), p2=g.pw_quoted(), jwtsecret=g.hexs(64),
             hashv="$2b$12$" + g.s(ALNUM + "./", 53))
    return v, "backend/tests/test_auth.py", '''from fastapi.testclient import TestClient
from app.main import app
from app.core import security

JWT_SECRET_KEY = "«k:jwtsecret»"
ALGORITHM = "HS256"

client = TestClient(app)

FAKE_USERS_DB = {
    "johndoe": {
        "username": "johndoe",
        "email": "«e:e1»",
        "hashed_password": "«hashv»",
        "disabled": False,
    }
}


def test_token_flow():
    form = {"username": "«e:e1»", "password": "«p:p1»", "grant_type": "password"}
    r = client.post("/token", data=form)
    assert r.status_code == 200
    assert r.json()["token_type"] == "bearer"


def test_quoted_password_roundtrip():
    body = {"email": "«e:e2»", "password": "«p:p2»"}
    assert client.post("/users/", json=body).status_code == 201


def test_hash_is_not_plain():
    assert security.get_password_hash("x") != "x"
    assert security.verify_password(password="", hashed=FAKE_USERS_DB["johndoe"]["hashed_password"]) is False
'''


@doc
def boto_client(g: G):
    v = dict(akia=g.tok("akia"), sec=g.tok("aws_secret"), akia2=g.tok("akia"), sec2=g.tok("aws_secret"),
             sha=g.hexs(64), bucket_ip=g.ip())
    return v, "scripts/upload_reports.py", '''#!/usr/bin/env python3
"""Upload nightly reports to S3."""
import boto3
import hashlib

# Docs example, do not use: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
s3 = boto3.client(
    "s3",
    region_name="eu-central-1",
    aws_access_key_id="«k:akia»",
    aws_secret_access_key="«k:sec»",
)

# old account, kept for the migration
# legacy = boto3.Session(aws_access_key_id="«k:akia2»", aws_secret_access_key="«k:sec2»")

EXPECTED_SHA256 = "«sha»"
KMS_KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/«uuid»"


def upload(path):
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert digest == EXPECTED_SHA256, "checksum mismatch"
    s3.upload_file(path, "reports-prod", path, ExtraArgs={"SSEKMSKeyId": KMS_KEY_ARN})
    print("uploaded via", "«i:bucket_ip»")
'''.replace("«uuid»", g.uuid())


@doc
def requests_script(g: G):
    v = dict(u=g.email(), p=g.pw(), pp=quote(g.pw_special(), safe=""), proxy=g.ip(), api=g.ip(),
             p3=g.pw_simple(), hf=g.tok("hf"))
    return v, "tools/sync_inventory.py", '''import getpass
import requests
from requests.auth import HTTPBasicAuth

API = "https://«i:api»:8443/v2"
PROXIES = {"https": "http://squid:«p:pp»@«i:proxy»:3128"}


def fetch():
    r = requests.get(f"{API}/items", auth=("«e:u»", "«p:p»"), proxies=PROXIES, timeout=10)
    r.raise_for_status()
    return r.json()


def fetch_interactive():
    pw = getpass.getpass("Password: ")
    return requests.get(f"{API}/items", auth=HTTPBasicAuth("sync", pw))


def fetch_legacy():
    return requests.get("http://10.20.0.5/items", auth=HTTPBasicAuth("sync", "«p:p3»"))


HF_TOKEN = "«k:hf»"
'''


@doc
def sqlalchemy_setup(g: G):
    v = dict(p1=quote(g.pw_special(), safe=""), ip1=g.ip(), p2=g.pw(), ip2=g.ip(), p3=g.pw_simple(),
             ip3=g.ip6(), p4=g.pw_simple())
    return v, "app/db.py", '''import os
import psycopg2
import redis
from sqlalchemy import create_engine

engine = create_engine("postgresql+psycopg2://analytics:«p:p1»@«i:ip1»:5432/warehouse", pool_size=5)
# engine = create_engine("postgresql://analytics:{}@localhost/warehouse".format(os.environ["PGPASSWORD"]))

conn = psycopg2.connect(host="«i:ip2»", dbname="events", user="etl", password="«p:p2»")

cache = redis.Redis(host="«i:ip3»", port=6379, password="«p:p3»", db=0)
local_cache = redis.Redis(host="127.0.0.1", port=6379, password=None)

CELERY_BROKER_URL = "redis://:«p:p4»@10.0.0.12:6379/0"
RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", "redis://localhost:6379/1")
'''


@doc
def notebook_llm(g: G):
    v = dict(oa=g.tok("openai"), ant=g.tok("anthropic"), hf=g.tok("hf"), groq=g.tok("groq"),
             rep=g.tok("replicate"))
    return v, "notebooks/eval_models.py", '''# %%
import os
import openai
from anthropic import Anthropic
from huggingface_hub import login

# %%
openai.api_key = "«k:oa»"
client = Anthropic(api_key="«k:ant»")
login(token="«k:hf»")
os.environ["GROQ_API_KEY"] = "«k:groq»"
os.environ["REPLICATE_API_TOKEN"] = "«k:rep»"

# %%
placeholder = Anthropic(api_key="YOUR_API_KEY_HERE")
from_env = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])
'''


@doc
def python_ipaddress_tests(g: G):
    v = dict(a=g.ip6(), b=g.ip(), c=g.ip6(), d=g.ip())
    return v, "tests/test_netutils.py", '''import ipaddress
import pytest
from netutils import is_public, normalise

PUBLIC = ["«i:a»", "«i:b»", "«i:c»", "«i:d»"]
NOT_PUBLIC = ["::1", "fe80::1c2:3ff:fe4d:5e6f", "fd12:3456:789a::1", "2001:db8::42", "10.1.2.3",
              "192.168.0.254", "172.31.255.1", "100.64.12.7", "169.254.169.254", "224.0.0.251",
              "255.255.255.0", "0.0.0.0", "198.51.100.23", "203.0.113.9", "192.0.2.77"]


@pytest.mark.parametrize("addr", PUBLIC)
def test_public(addr):
    assert is_public(ipaddress.ip_address(addr))


@pytest.mark.parametrize("addr", NOT_PUBLIC)
def test_not_public(addr):
    assert not is_public(ipaddress.ip_address(addr))


def test_resolvers_are_skipped():
    assert normalise(["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) == []


def test_version_is_not_an_address():
    assert normalise(["python 3.11.4.2", "OID 1.3.6.1.4.1.311"]) == []
'''


# =================================================================================== JS / TS

@doc
def node_config(g: G):
    v = dict(mp=quote(g.pw_special(), safe=""), sk=g.tok("sk_live"), jwt=g.b64(48), pk="pk_live_" + g.s(ALNUM, 24),
             whsec=g.tok("whsec"), smtp=g.email(), sp=g.pw())
    return v, "server/config/index.js", '''require('dotenv').config();

module.exports = {
  port: process.env.PORT || 3000,
  mongoUri: process.env.MONGO_URI || 'mongodb+srv://admin:«p:mp»@cluster0.x7k2p.mongodb.net/shop?retryWrites=true',
  jwtSecret: process.env.JWT_SECRET || '«k:jwt»',
  stripe: {
    secretKey: '«k:sk»',
    publishableKey: '«pk»',
    webhookSecret: '«k:whsec»',
  },
  mail: {
    host: 'smtp.zoho.in',
    auth: { user: '«e:smtp»', pass: '«p:sp»' },
  },
  redis: { host: '127.0.0.1', password: process.env.REDIS_PASSWORD },
};
'''


@doc
def jest_api_test(g: G):
    v = dict(e1=g.email(), p1=g.pw(), e2=g.email(), p2=g.pw_special(), p3=g.pw(), e3=g.email())
    return v, "api/__tests__/auth.test.ts", '''import request from 'supertest';
import bcrypt from 'bcryptjs';
import { app } from '../src/app';
import { prisma } from '../src/db';

describe('POST /auth/login', () => {
  beforeAll(async () => {
    await prisma.user.create({
      data: { email: '«e:e1»', passwordHash: await bcrypt.hash('«p:p1»', 10) },
    });
    await prisma.user.create({
      data: { email: "«e:e3»", passwordHash: await bcrypt.hash("«p:p3»", 10) },
    });
  });

  it('logs in', async () => {
    const res = await request(app).post('/auth/login').send({ email: '«e:e1»', password: '«p:p1»' });
    expect(res.status).toBe(200);
  });

  it('rejects a wrong password', async () => {
    const res = await request(app)
      .post('/auth/login')
      .send({ email: `«e:e2»`, password: `«p:p2»` });
    expect(res.status).toBe(401);
  });

  it('rejects an empty password', async () => {
    const res = await request(app).post('/auth/login').send({ email: 'a@b', password: '' });
    expect(res.body.error).toMatch(/password is required/i);
  });
});
'''


@doc
def next_env_and_route(g: G):
    v = dict(sec=g.tok("sk_live"), oa=g.tok("openai_old"), res=g.tok("resend"), aiza=g.tok("aiza"),
             pk="pk_live_" + g.s(ALNUM, 24), site="6L" + g.s(URLSAFE, 38), db=g.pw_simple(), dbip=g.ip())
    return v, "web/app/api/checkout/route.ts", '''import Stripe from 'stripe';
import OpenAI from 'openai';
import { Resend } from 'resend';

// NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=«pk»
// NEXT_PUBLIC_RECAPTCHA_SITE_KEY=«site»
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '«k:sec»', { apiVersion: '2024-06-20' });
const openai = new OpenAI({ apiKey: "«k:oa»" });
const resend = new Resend('«k:res»');

const GEOCODE = `https://maps.googleapis.com/maps/api/geocode/json?key=«k:aiza»&address=`;
const DATABASE_URL = 'mysql://next:«p:db»@«i:dbip»:3306/store';

export async function POST(req: Request) {
  const { items } = await req.json();
  const session = await stripe.checkout.sessions.create({ line_items: items, mode: 'payment' });
  return Response.json({ id: session.id });
}
'''


@doc
def react_component(g: G):
    v = dict(k=g.tok("aiza"), mb=g.tok("mapbox_sk"), e=g.email(), pw=g.pw())
    return v, "src/components/LoginForm.jsx", '''import React, { useState } from 'react';
import logo from '../assets/logo@2x.png';
import { t } from '../i18n';

// const MAPS_API_KEY = "«k:k»";
// mapboxgl.accessToken = '«k:mb»';

export default function LoginForm({ onSubmit }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // demo account for the storybook: «e:e» / «p:pw»
  return (
    <form onSubmit={() => onSubmit({ email, password })}>
      <img src={logo} alt="logo" />
      <label htmlFor="password">{t('password')}</label>
      <input id="password" type="password" placeholder="Enter your password" value={password}
        onChange={(e) => setPassword(e.target.value)} />
      <a href="/forgot-password">Forgot password?</a>
    </form>
  );
}
'''


@doc
def nodemailer_twilio(g: G):
    v = dict(u=g.email(), p=g.pw(), tw=g.hexs(32), sid="AC" + g.hexs(32), sk=g.tok("twilio_sk"),
             tws=g.s(ALNUM, 32), sg=g.tok("sendgrid"), to=g.email())
    return v, "src/notify.ts", '''import nodemailer from 'nodemailer';
import twilio from 'twilio';
import sgMail from '@sendgrid/mail';

export const transporter = nodemailer.createTransport({
  host: 'smtp.fastmail.com',
  port: 465,
  secure: true,
  auth: { user: '«e:u»', pass: '«p:p»' },
});

const accountSid = '«sid»';
const authToken = '«k:tw»';
export const sms = twilio(accountSid, authToken);
export const smsKeyed = twilio('«k:sk»', '«k:tws»', { accountSid });

sgMail.setApiKey('«k:sg»');
export const ALERT_TO = '«e:to»';
'''


@doc
def package_json(g: G):
    v = dict(e=g.email(), e2=g.email(), integ=g.b64(64))
    return v, "package.json", '''{
  "name": "@orbitcart/ui",
  "version": "3.14.2",
  "author": "Mia Tanaka <«e:e»>",
  "contributors": ["Ravi Kaur <«e:e2»>"],
  "repository": "github:orbitcart/ui",
  "dependencies": {
    "react": "^18.2.0",
    "lodash": "npm:lodash@4.17.21",
    "@babel/core": "7.24.0"
  },
  "resolutions": { "minimist@1.2.5": "1.2.8" },
  "_integrity": "sha512-«integ»",
  "engines": { "node": ">=18.17.0" }
}
'''


@doc
def npmrc(g: G):
    v = dict(npm=g.tok("npm"), gh=g.tok("ghp"), integ=g.b64(64))
    return v, ".npmrc", '''registry=https://registry.npmjs.org/
//registry.npmjs.org/:_authToken=«k:npm»
@orbitcart:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=«k:gh»
//registry.internal/:_authToken=${NPM_INTERNAL_TOKEN}
always-auth=true
; integrity sha512-«integ»
'''


@doc
def vue_i18n(g: G):
    v = dict(sup=g.email())
    return v, "src/locales/fr.json", '''{
  "login": {
    "email": "Adresse e-mail",
    "password": "Mot de passe",
    "confirm_password": "Confirmez le mot de passe",
    "forgot": "Mot de passe oublié ?",
    "placeholder": "••••••••",
    "help": "Besoin d'aide ? Écrivez à «e:sup»"
  },
  "settings": { "api_key": "Clé API", "token": "Jeton d'accès" }
}
'''


# =================================================================================== Java / Kotlin / Scala

@doc
def spring_properties(g: G):
    v = dict(ip=g.ip(), p=g.pw_special("=#@"), mu=g.email(), mp=g.pw(), jwt=g.b64(64), ip2=g.ip())
    return v, "src/main/resources/application-prod.properties", '''server.port=8080
server.address=0.0.0.0
spring.datasource.url=jdbc:postgresql://«i:ip»:5432/orders
spring.datasource.username=orders
spring.datasource.password=«p:p»
spring.jpa.hibernate.ddl-auto=validate
spring.mail.host=smtp.office365.com
spring.mail.username=«e:mu»
spring.mail.password=«p:mp»
app.jwt.secret=«k:jwt»
app.jwt.expiration-ms=86400000
management.server.address=127.0.0.1
spring.rabbitmq.host=«i:ip2»
spring.rabbitmq.password=${RABBIT_PASSWORD}
'''


@doc
def spring_yaml_oauth(g: G):
    v = dict(cid=g.digits(12) + "-" + g.s(string.ascii_lowercase + string.digits, 32) + ".apps.googleusercontent.com",
             cs=g.tok("gocspx"), gh=g.hexs(40), ghcid="Iv1." + g.hexs(16), p=g.pw(), ip=g.ip6())
    return v, "src/main/resources/application.yml", '''spring:
  security:
    oauth2:
      client:
        registration:
          google:
            client-id: «cid»
            client-secret: «k:cs»
          github:
            client-id: «ghcid»
            client-secret: «k:gh»
  datasource:
    url: jdbc:mysql://[«i:ip»]:3306/crm
    username: crm
    password: '«p:p»'
  data:
    redis:
      password: ${REDIS_PASSWORD:}
'''


@doc
def junit_test(g: G):
    v = dict(e=g.email(), p=g.pw(), e2=g.email(), p2=g.pw_quoted(), ip=g.ip())
    return v, "src/test/java/com/acme/auth/AuthServiceTest.java", '''package com.acme.auth;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;

@SpringBootTest
class AuthServiceTest {

    @Autowired
    private AuthService authService;

    @BeforeEach
    void setUp() {
        userRepository.save(User.builder().email("«e:e»").password(encoder.encode("«p:p»")).build());
    }

    @Test
    void authenticatesWithValidCredentials() {
        var token = new UsernamePasswordAuthenticationToken("«e:e»", "«p:p»");
        assertThat(authService.authenticate(token)).isNotNull();
    }

    @Test
    void handlesQuotesInPassword() {
        var req = new LoginRequest("«e:e2»", "«p:p2»");
        assertThat(authService.login(req, "«i:ip»").isSuccess()).isTrue();
    }

    @Test
    @Override
    public void rejectsNullPassword() {
        assertThrows(IllegalArgumentException.class, () -> new LoginRequest("x", null));
    }
}
'''


@doc
def java_jdbc(g: G):
    v = dict(ip=g.ip(), p=g.pw(), u=g.email(), mp=g.pw_simple(), aws=g.tok("akia"), sec=g.tok("aws_secret"))
    return v, "src/main/java/com/shop/dao/LegacyOrderDao.java", '''package com.shop.dao;

import java.sql.Connection;
import java.sql.DriverManager;

public class LegacyOrderDao {
    private static final String URL = "jdbc:mysql://«i:ip»:3306/shop?useSSL=true";
    private static final String USER = "shop";
    private static final String PASS = "«p:p»";
    // TODO move to vault
    private static final String SMTP_USER = "«e:u»";
    private static final String SMTP_PASS = "«p:mp»";
    private static final String AWS_KEY = "«k:aws»";
    private static final String AWS_SECRET = "«k:sec»";

    public Connection open() throws Exception {
        return DriverManager.getConnection(URL, USER, PASS);
    }

    public Connection openFromEnv() throws Exception {
        return DriverManager.getConnection(URL, System.getenv("DB_USER"), System.getenv("DB_PASS"));
    }
}
'''


@doc
def kotlin_gradle(g: G):
    v = dict(k=g.tok("aiza"), sp=g.pw(), kp=g.pw_special("#@$"), ip=g.ip(), tok=g.hexs(40))
    return v, "app/build.gradle.kts", '''plugins {
    id("com.android.application")
    kotlin("android")
}

android {
    namespace = "com.fennec.app"
    compileSdk = 34
    defaultConfig {
        applicationId = "com.fennec.app"
        versionName = "2.8.1.4"
        buildConfigField("String", "MAPS_API_KEY", "\\"«k:k»\\"")
        buildConfigField("String", "BASE_URL", "\\"http://«i:ip»:8000/\\"")
        buildConfigField("String", "ANALYTICS_SECRET", "\\"«k:tok»\\"")
    }
    signingConfigs {
        create("release") {
            storeFile = file("release.jks")
            storePassword = "«p:sp»"
            keyAlias = "fennec"
            keyPassword = "«p:kp»"
        }
        create("ci") {
            storePassword = System.getenv("KEYSTORE_PASSWORD")
            keyPassword = project.findProperty("keyPassword") as String?
        }
    }
}
'''


@doc
def kotlin_ktor_test(g: G):
    v = dict(e=g.email(), p=g.pw(), e2=g.idn(), p2=g.pw(), bot=g.tok("telegram"))
    return v, "server/src/test/kotlin/LoginRouteTest.kt", '''import io.ktor.client.request.*
import io.ktor.http.*
import io.ktor.server.testing.*
import kotlin.test.Test
import kotlin.test.assertEquals

class LoginRouteTest {
    private val botToken = "«k:bot»"

    @Test
    fun loginSucceeds() = testApplication {
        val response = client.post("/login") {
            contentType(ContentType.Application.Json)
            setBody(LoginRequest(email = "«e:e»", password = "«p:p»"))
        }
        assertEquals(HttpStatusCode.OK, response.status)
    }

    @Test
    fun unicodeEmail() = testApplication {
        val creds = mapOf("email" to "«e:e2»", "password" to "«p:p2»")
        assertEquals(HttpStatusCode.OK, client.post("/login") { setBody(creds) }.status)
    }
}
'''


@doc
def scala_conf(g: G):
    v = dict(p=g.pw(), sk=g.b64(48), ip=g.ip(), ip2=g.ip(), aw=g.tok("akia"), p2=g.pw_simple())
    return v, "conf/application.conf", '''play.http.secret.key = "«k:sk»"
play.http.secret.key = ${?APPLICATION_SECRET}

db.default.driver = org.postgresql.Driver
db.default.url = "jdbc:postgresql://«i:ip»/catalog"
db.default.username = catalog
db.default.password = "«p:p»"

akka.remote.artery.canonical.hostname = "«i:ip2»"
akka.remote.artery.bind.hostname = "0.0.0.0"

alpakka.s3.aws.credentials {
  provider = static
  access-key-id = "«k:aw»"
  secret-access-key = ${?AWS_SECRET_ACCESS_KEY}
}
slick.dbs.reporting.db.password = "«p:p2»"
'''


# =================================================================================== Swift / Dart

@doc
def swift_client(g: G):
    v = dict(oa=g.tok("openai"), ip=g.ip(), e=g.email(), p=g.pw(), fig=g.tok("figma"))
    return v, "Sources/App/APIClient.swift", '''import Foundation
import UIKit

final class APIClient {
    static let shared = APIClient()
    private let openAIKey = "«k:oa»"
    private let figmaToken = "«k:fig»"
    private let baseURL = URL(string: "https://«i:ip»/v1")!

    @IBOutlet weak var avatar: UIImageView!

    func loadAvatar() {
        avatar.image = UIImage(named: "avatar@3x.png")
    }

    #if DEBUG
    let demoEmail = "«e:e»"
    let demoPassword = "«p:p»"
    #endif

    func login(password: String) async throws {
        guard !password.isEmpty else { throw AuthError.missingPassword }
    }
}
'''


@doc
def swift_xctest(g: G):
    v = dict(e=g.email(), p=g.pw(), p2=g.pw_special(), e2=g.email())
    return v, "Tests/AppTests/KeychainTests.swift", '''import XCTest
@testable import App

final class KeychainTests: XCTestCase {
    override func setUp() {
        super.setUp()
        Keychain.clear()
    }

    func testStoresCredentials() throws {
        let creds = Credentials(username: "«e:e»", password: "«p:p»")
        try Keychain.save(creds)
        XCTAssertEqual(try Keychain.load()?.password, "«p:p»")
    }

    func testSpecialCharacters() throws {
        try Keychain.save(Credentials(username: "«e:e2»", password: "«p:p2»"))
    }

    func testMasked() {
        XCTAssertEqual(Credentials.mask("secret"), "******")
    }
}
'''


@doc
def flutter_app(g: G):
    v = dict(ow=g.hexs(32), ip=g.ip(), e=g.email(), p=g.pw(), ip6=g.ip6(), sq=g.tok("square"))
    return v, "lib/services/api_service.dart", '''import 'package:dio/dio.dart';
import 'package:flutter/foundation.dart';

const openWeatherApiKey = '«k:ow»';
const squareAccessToken = "«k:sq»";

final dio = Dio(BaseOptions(baseUrl: kDebugMode ? 'http://10.0.2.2:8000' : 'https://«i:ip»:8443'));
final dioV6 = Dio(BaseOptions(baseUrl: 'http://[«i:ip6»]:8080/api'));

@immutable
class DemoAccount {
  static const email = '«e:e»';
  static const password = '«p:p»';
}

Future<void> signIn(String email, String password) async {
  if (password.isEmpty) throw ArgumentError('password');
  await dio.post('/login', data: {'email': email, 'password': password});
}
'''


# =================================================================================== Go / Rust

@doc
def go_main(g: G):
    v = dict(p=g.pw_simple(), ip=g.ip(), rip=g.ip(), rp=g.pw(), sl=g.tok("xoxb"), ip6=g.ip6())
    return v, "cmd/worker/main.go", '''package main

import (
	"database/sql"
	"log"
	"os"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
	_ "github.com/go-sql-driver/mysql"
)

const slackToken = "«k:sl»"

func main() {
	db, err := sql.Open("mysql", "worker:«p:p»@tcp(«i:ip»:3306)/jobs?parseTime=true")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	rdb := redis.NewClient(&redis.Options{
		Addr:     "«i:rip»:6379",
		Password: "«p:rp»",
		DB:       0,
	})
	local := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", Password: os.Getenv("REDIS_PASSWORD")})
	_ = local
	api := slack.New(slackToken)
	log.Printf("listening on [%s]:9090", "«i:ip6»")
	_, _ = rdb, api
}
'''


@doc
def go_table_test(g: G):
    v = dict(e1=g.email(), p1=g.pw(), e2=g.email(), p2=g.pw_special(), e3=g.email(), p3=g.pw(),
             ip1=g.ip(), ip2=g.ip6())
    return v, "internal/auth/auth_test.go", '''package auth

import "testing"

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		email    string
		password string
		remote   string
		wantErr  bool
	}{
		{"ok", "«e:e1»", "«p:p1»", "«i:ip1»", false},
		{"symbols", "«e:e2»", "«p:p2»", "«i:ip2»", false},
		{"backtick", "«e:e3»", `«p:p3»`, "10.0.0.9", false},
		{"empty password", "someone", "", "127.0.0.1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.email, tt.password, tt.remote); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() error = %v", err)
			}
		})
	}
}
'''


@doc
def go_grpc(g: G):
    v = dict(ip=g.ip(), tok=g.jwt(), dd=g.tok("dd"), dapp=g.tok("dd_app"), commit=g.hexs(40))
    return v, "pkg/client/client.go", '''package client

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Built from commit «commit»
const (
	datadogAPIKey = "«k:dd»"
	datadogAppKey = "«k:dapp»"
	defaultTarget = "«i:ip»:50051"
)

func Dial(ctx context.Context) (*grpc.ClientConn, context.Context, error) {
	conn, err := grpc.Dial(defaultTarget, grpc.WithInsecure())
	md := metadata.Pairs("authorization", "Bearer «k:tok»")
	return conn, metadata.NewOutgoingContext(ctx, md), err
}
'''


@doc
def rust_main(g: G):
    v = dict(tok=g.tok("github_pat"), ip=g.ip(), p=g.pw_simple(), ip6=g.ip6(), dc=g.tok("discord"), dbip=g.ip())
    return v, "src/main.rs", '''use std::net::{IpAddr, Ipv4Addr, SocketAddr};

const GITHUB_TOKEN: &str = "«k:tok»";
static DISCORD_TOKEN: &str = "«k:dc»";

#[derive(Debug, Clone)]
struct Config {
    upstream: SocketAddr,
    database_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cfg = Config {
        upstream: "«i:ip»:443".parse()?,
        database_url: "postgres://bot:«p:p»@«i:dbip»/bot".to_string(),
    };
    let bind = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0)), 8080);
    let mirror: IpAddr = "«i:ip6»".parse()?;
    let client = reqwest::Client::new();
    client.get("https://api.github.com/user").bearer_auth(GITHUB_TOKEN).send().await?;
    println!("{cfg:?} {bind} {mirror} {}", env!("CARGO_PKG_VERSION"));
    Ok(())
}
'''


# =================================================================================== C# / .NET

@doc
def appsettings(g: G):
    v = dict(ip=g.ip(), p=g.pw_special("#@$%"), jwt=g.b64(48), sg=g.tok("sendgrid"), e=g.email(),
             az=g.tok("azure"), p2=g.pw())
    return v, "src/Api/appsettings.Production.json", '''{
  "ConnectionStrings": {
    "Default": "Server=«i:ip»,1433;Database=Crm;User Id=sa;Password=«p:p»;TrustServerCertificate=True",
    "Storage": "DefaultEndpointsProtocol=https;AccountName=crmfiles;AccountKey=«k:az»;EndpointSuffix=core.windows.net",
    "Cache": "localhost:6379,password=«p:p2»,ssl=False"
  },
  "Jwt": { "Issuer": "crm", "Key": "«k:jwt»" },
  "SendGrid": { "ApiKey": "«k:sg»", "From": "«e:e»" },
  "Logging": { "LogLevel": { "Default": "Information" } },
  "AllowedHosts": "*"
}
'''


@doc
def csharp_program(g: G):
    v = dict(e=g.email(), p=g.pw(), mp=quote(g.pw_special(), safe=""), ip=g.ip(), k=g.tok("dapi"))
    return v, "src/Worker/Program.cs", '''using System.Net;
using System.Net.Mail;
using MongoDB.Driver;

var smtp = new SmtpClient("smtp.office365.com", 587)
{
    EnableSsl = true,
    Credentials = new NetworkCredential("«e:e»", "«p:p»"),
};

var mongo = new MongoClient("mongodb://admin:«p:mp»@«i:ip»:27017/?authSource=admin");
var databricksToken = "«k:k»";
var fromEnv = Environment.GetEnvironmentVariable("SMTP_PASSWORD");

[Obsolete("use Program2")]
static void Legacy() { }
'''


@doc
def xunit_test(g: G):
    v = dict(e=g.email(), p=g.pw(), e2=g.email(), p2=g.pw_special(), hash="AQAAAAIAAYagAAAAE" + g.b64(45))
    return v, "tests/Api.Tests/AccountControllerTests.cs", '''using Xunit;
using Api.Controllers;

public class AccountControllerTests
{
    private const string SeedPasswordHash = "«hash»";

    [Fact]
    public async Task Login_ReturnsToken()
    {
        var req = new LoginRequest { Email = "«e:e»", Password = "«p:p»" };
        var result = await _controller.Login(req);
        Assert.IsType<OkObjectResult>(result);
    }

    [Theory]
    [InlineData("«e:e2»", "«p:p2»")]
    [InlineData("user", "")]
    public async Task Login_Various(string email, string password)
    {
        await _controller.Login(new LoginRequest { Email = email, Password = password });
    }
}
'''


# =================================================================================== PHP

@doc
def laravel_env(g: G):
    v = dict(ak=g.b64(32), dp=g.pw_special("#$@"), mp=g.pw(), e=g.email(), rip=g.ip(), akia=g.tok("akia"),
             sec=g.tok("aws_secret"), ps=g.hexs(20), dbip=g.ip())
    return v, ".env.production", '''APP_NAME=Orbitcart
APP_ENV=production
APP_KEY=base64:«k:ak»
APP_DEBUG=false

DB_CONNECTION=mysql
DB_HOST=«i:dbip»
DB_PORT=3306
DB_DATABASE=orbitcart
DB_USERNAME=orbit
DB_PASSWORD="«p:dp»"

REDIS_HOST=«i:rip»
REDIS_PASSWORD=null

MAIL_MAILER=smtp
MAIL_HOST=smtp.mailgun.org
MAIL_USERNAME=postmaster@mg.orbitcart.shop
MAIL_PASSWORD=«p:mp»
MAIL_FROM_ADDRESS="«e:e»"

AWS_ACCESS_KEY_ID=«k:akia»
AWS_SECRET_ACCESS_KEY=«k:sec»
PUSHER_APP_ID=1583302
PUSHER_APP_SECRET=«k:ps»
VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
'''.replace("MAIL_USERNAME=postmaster@mg.orbitcart.shop", "MAIL_USERNAME=⟦email|postmaster@mg.orbitcart.shop⟧")


@doc
def laravel_seeder(g: G):
    v = dict(e1=g.email(), p1=g.pw(), e2=g.email(), p2=g.pw(), e3=g.idn(), p3=g.pw_special())
    return v, "database/seeders/UserSeeder.php", '''<?php

namespace Database\\Seeders;

use App\\Models\\User;
use Illuminate\\Database\\Seeder;
use Illuminate\\Support\\Facades\\Hash;

class UserSeeder extends Seeder
{
    public function run(): void
    {
        User::create([
            'name' => 'Admin',
            'email' => '«e:e1»',
            'password' => Hash::make('«p:p1»'),
        ]);
        User::create(['name' => 'Editor', 'email' => '«e:e2»', 'password' => bcrypt('«p:p2»')]);
        User::factory()->create(['email' => '«e:e3»', 'password' => "«p:p3»"]);
        User::factory()->count(10)->create(['password' => Hash::make(env('SEED_PASSWORD'))]);
    }
}
'''


@doc
def wp_config(g: G):
    salt = lambda: g.s("".join(c for c in string.printable[:94] if c not in "'\\"), 64)
    v = dict(p=g.pw(), ip=g.ip(), a=salt(), b=salt(), c=salt(), d=salt())
    return v, "wp-config.php", '''<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp_user' );
define( 'DB_PASSWORD', '«p:p»' );
define( 'DB_HOST', '«i:ip»:3306' );
define( 'DB_CHARSET', 'utf8mb4' );

define( 'AUTH_KEY',         '«k:a»' );
define( 'SECURE_AUTH_KEY',  '«k:b»' );
define( 'LOGGED_IN_KEY',    '«k:c»' );
define( 'NONCE_SALT',       '«k:d»' );
define( 'AUTH_SALT',        'put your unique phrase here' );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
'''


@doc
def php_mailer_pdo(g: G):
    v = dict(ip=g.ip(), p=g.pw(), e=g.email(), mp=g.pw_special("@#&"), mg=g.tok("mailgun"))
    return v, "includes/bootstrap.php", '''<?php
use PHPMailer\\PHPMailer\\PHPMailer;

$pdo = new PDO("mysql:host=«i:ip»;dbname=shop;charset=utf8mb4", "root", "«p:p»");
$pdoLocal = new PDO("mysql:host=127.0.0.1;dbname=shop", "root", getenv('DB_PASS'));

$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = 'smtp.gmail.com';
$mail->SMTPAuth = true;
$mail->Username = '«e:e»';
$mail->Password = '«p:mp»';
$mail->Port = 587;

$mailgunKey = '«k:mg»';
$_SESSION['password'] = $_POST['password'] ?? null;
'''


@doc
def symfony_env(g: G):
    v = dict(p=quote(g.pw_special(), safe=""), ip=g.ip(), sg=g.tok("sendgrid"), sec=g.hexs(32), e=g.email(),
             ip2=g.ip())
    return v, ".env.local", '''###> symfony/framework-bundle ###
APP_ENV=prod
APP_SECRET=«k:sec»
###< symfony/framework-bundle ###

###> doctrine/doctrine-bundle ###
DATABASE_URL="postgresql://app:«p:p»@«i:ip»:5432/app?serverVersion=15&charset=utf8"
# DATABASE_URL="mysql://app:!ChangeMe!@127.0.0.1:3306/app?serverVersion=8.0.32"
###< doctrine/doctrine-bundle ###

###> symfony/mailer ###
MAILER_DSN=smtp://apikey:«k:sg»@smtp.sendgrid.net:587
MAILER_FROM=«e:e»
###< symfony/mailer ###
TRUSTED_PROXIES=127.0.0.1,REMOTE_ADDR,«i:ip2»
'''


# =================================================================================== Ruby

@doc
def rails_seeds(g: G):
    v = dict(e1=g.email(), p1=g.pw(), e2=g.email(), p2=g.pw_special(), sk=g.tok("sk_test"), e3=g.email())
    return v, "db/seeds.rb", '''# frozen_string_literal: true

admin = User.find_or_create_by!(email: "«e:e1»") do |u|
  u.password = "«p:p1»"
  u.password_confirmation = "«p:p1»"
  u.admin = true
end

User.create!(email: '«e:e2»', password: '«p:p2»', password_confirmation: '«p:p2»')
User.create!(email: "«e:e3»", password: ENV.fetch("SEED_PASSWORD"), password_confirmation: ENV.fetch("SEED_PASSWORD"))

Stripe.api_key = "«k:sk»"
puts "Seeded #{User.count} users"
'''


@doc
def rails_database_yml(g: G):
    v = dict(p=g.pw(), ip=g.ip(), p2=g.pw_simple(), ip2=g.ip())
    return v, "config/database.yml", '''default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: app_development
  password:

test:
  <<: *default
  database: app_test

production:
  <<: *default
  database: app_production
  host: «i:ip»
  username: app
  password: "«p:p»"

analytics:
  <<: *default
  url: postgres://reader:«p:p2»@«i:ip2»:5432/analytics
  password: <%= ENV["ANALYTICS_DATABASE_PASSWORD"] %>
'''


@doc
def rspec(g: G):
    v = dict(e=g.email(), p=g.pw(), tok=g.tok("shpat"), e2=g.email())
    return v, "spec/requests/sessions_spec.rb", '''require "rails_helper"

RSpec.describe "Sessions", type: :request do
  let(:user) { create(:user, email: "«e:e»", password: "«p:p»") }
  let(:shopify_token) { "«k:tok»" }

  it "signs in" do
    post user_session_path, params: { user: { email: user.email, password: "«p:p»" } }
    expect(response).to redirect_to(root_path)
  end

  it "notifies" do
    expect(UserMailer.welcome("«e:e2»").to).to eq(["«e:e2»"])
  end

  it "rejects blank" do
    post user_session_path, params: { user: { email: user.email, password: "" } }
    expect(flash[:alert]).to eq("Invalid Email or password.")
  end
end
'''


# =================================================================================== C / C++

@doc
def arduino(g: G):
    v = dict(wp=g.pw(), mq=g.ip(), mp=g.pw_simple(), tok=g.hexs(32))
    return v, "firmware/src/main.cpp", '''#include <WiFi.h>
#include <PubSubClient.h>

#define WIFI_SSID "Hausnetz-5G"
#define WIFI_PASS "«p:wp»"
#define BLYNK_AUTH_TOKEN "«k:tok»"

const char* mqtt_server = "«i:mq»";
const char* mqtt_user = "sensor01";
const char* mqtt_password = "«p:mp»";

IPAddress local_IP(192, 168, 1, 184);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);
IPAddress dns(8, 8, 8, 8);

void setup() {
  Serial.begin(115200);
  WiFi.config(local_IP, gateway, subnet, dns);
  WiFi.begin(WIFI_SSID, WIFI_PASS);
}
'''


@doc
def cpp_curl(g: G):
    v = dict(p=g.pw_simple(), ip=g.ip(), k=g.tok("pmak"), p2=g.pw())
    return v, "src/uploader.cpp", '''#include <curl/curl.h>
#include <string>

static const char* kApiKey = "«k:k»";

int upload(const std::string& path) {
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, "ftp://«i:ip»/incoming/");
    curl_easy_setopt(curl, CURLOPT_USERPWD, "uploader:«p:p»");
    curl_easy_setopt(curl, CURLOPT_PROXY, "http://127.0.0.1:8888");
    struct curl_slist* h = curl_slist_append(nullptr, (std::string("X-Api-Key: ") + kApiKey).c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    return curl_easy_perform(curl);
}

// const char* fallback_password = "«p:p2»";
'''


@doc
def c_embedded_config(g: G):
    v = dict(p=g.pw(), ip=g.ip(), ip2=g.ip(), k=g.b64(16))
    return v, "components/net/net_config.h", '''#ifndef NET_CONFIG_H
#define NET_CONFIG_H

#define FW_VERSION        "4.2.1.7"
#define NTP_SERVER        "«i:ip»"
#define SYSLOG_SERVER     "«i:ip2»"
#define FALLBACK_DNS      "1.0.0.1"
#define DEFAULT_GW        "192.168.4.1"
#define AP_PASSWORD       "«p:p»"
#define OTA_PASSWORD      ""
#define AES_SECRET_KEY_B64 "«k:k»"
#define SNMP_SYS_OID      "1.3.6.1.4.1.8072.3.2.10"

#endif
'''


# =================================================================================== shell / SQL / infra

@doc
def deploy_sh(g: G):
    v = dict(p=g.pw_special("#@$&"), ip=g.ip(), sp=g.pw(), ip2=g.ip(), gh=g.tok("ghp"), cp=g.pw_simple(),
             dp=g.pw(), ip3=g.ip())
    return v, "scripts/deploy.sh", '''#!/usr/bin/env bash
set -euo pipefail

export GITHUB_TOKEN=«k:gh»
DB_HOST="«i:ip»"

mysqldump -u root -p'«p:p»' -h "$DB_HOST" shop > /tmp/shop.sql
sshpass -p '«p:sp»' scp /tmp/shop.sql deploy@«i:ip2»:/backups/
curl -fsS -u ci:«p:cp» https://nexus.orbitcart.shop/repository/raw/ -T build.tgz
echo '«p:dp»' | docker login registry.orbitcart.shop -u ci --password-stdin
ssh -i ~/.ssh/deploy ubuntu@«i:ip3» 'sudo systemctl restart app'

read -r -s -p "Vault password: " VAULT_PASS
ansible-vault decrypt --vault-password-file <(echo "$VAULT_PASS") secrets.yml
psql "postgresql://app:${PGPASSWORD}@10.0.0.5/app" -c 'select 1'
'''


@doc
def sql_migration(g: G):
    v = dict(p1=g.pw(), p2=g.pw_special("#@%&"), e1=g.email(), e2=g.email(), h1="$2a$10$" + g.s(ALNUM + "./", 53),
             p3=g.pw_simple(), md5="md5" + g.hexs(32))
    return v, "db/migrations/0007_roles.sql", '''-- roles and service accounts
CREATE USER 'shop_app'@'%' IDENTIFIED BY '«p:p1»';
CREATE USER 'repl'@'10.0.%' IDENTIFIED WITH mysql_native_password BY '«p:p2»';
GRANT SELECT, INSERT, UPDATE ON shop.* TO 'shop_app'@'%';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.0.%';

ALTER ROLE reporting WITH LOGIN PASSWORD '«p:p3»';
ALTER ROLE legacy WITH PASSWORD '«md5»';
ALTER ROLE readonly WITH PASSWORD NULL;

INSERT INTO users (email, password_hash, role) VALUES
  ('«e:e1»', '«h1»', 'admin'),
  ('«e:e2»', '«h1»', 'staff');
'''


@doc
def docker_compose(g: G):
    v = dict(p=g.pw(), rp=g.pw_simple(), mp=g.pw_special("#@&"), sha=g.hexs(64), sha2=g.hexs(64), ip=g.ip(),
             mk=g.b64(32))
    return v, "docker-compose.yml", '''version: "3.9"
services:
  db:
    image: postgres@sha256:«sha»
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: «p:p»
    ports: ["5432:5432"]
  mysql:
    image: mysql:8.0.36
    environment:
      - MYSQL_ROOT_PASSWORD=«p:rp»
      - MYSQL_PASSWORD=${MYSQL_PASSWORD}
  rabbit:
    image: rabbitmq:3.13-management
    environment:
      RABBITMQ_DEFAULT_USER: admin
      RABBITMQ_DEFAULT_PASS: "«p:mp»"
  meili:
    image: getmeili/meilisearch@sha256:«sha2»
    environment:
      MEILI_MASTER_KEY: "«k:mk»"
  app:
    build: .
    extra_hosts:
      - "api.partner.local:«i:ip»"
    dns: [1.1.1.1, 9.9.9.9]
'''


@doc
def k8s_manifests(g: G):
    v = dict(p=g.pw(), tok=g.tok("hvs"), ip1=g.ip(), ip2=g.ip(), ip3=g.ip(), b64p=g.b64(12))
    return v, "deploy/k8s/app.yaml", '''apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
type: Opaque
stringData:
  DB_PASSWORD: "«p:p»"
  VAULT_TOKEN: «k:tok»
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  type: LoadBalancer
  externalIPs:
    - «i:ip1»
  loadBalancerSourceRanges:
    - «i:ip2»/32
    - «i:ip3»/32
    - 10.0.0.0/8
  clusterIP: 10.96.14.2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  NETMASK: "255.255.240.0"
  BROADCAST: "10.0.15.255"
  METADATA_HOST: "169.254.169.254"
  POD_CIDR: "100.64.0.0/10"
'''


@doc
def terraform(g: G):
    v = dict(ak=g.tok("akia"), sk=g.tok("aws_secret"), ip1=g.ip(), ip2=g.ip(), p=g.pw(), do=g.tok("dop"),
             tfc=g.tok("tfc"), arn_uuid=g.uuid())
    return v, "infra/main.tf", '''provider "aws" {
  region     = "eu-west-1"
  access_key = "«k:ak»"
  secret_key = "«k:sk»"
}

provider "digitalocean" {
  token = "«k:do»"
}

resource "aws_security_group_rule" "office_ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["«i:ip1»/32", "«i:ip2»/32", "10.0.0.0/16"]
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  engine_version    = "15.4"
  username          = "app"
  password          = "«p:p»"
  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/«arn_uuid»"
}

resource "aws_db_instance" "replica" {
  password = var.db_password
}

# credentials "app.terraform.io" { token = "«k:tfc»" }
'''


@doc
def ansible_inventory(g: G):
    v = dict(ip1=g.ip(), ip2=g.ip(), ip3=g.ip6(), p1=g.pw(), p2=g.pw_simple())
    return v, "inventory/production.ini", '''[web]
web1 ansible_host=«i:ip1» ansible_user=deploy
web2 ansible_host=«i:ip2» ansible_user=deploy ansible_password=«p:p1»
web3 ansible_host=«i:ip3»

[db]
db1 ansible_host=10.0.1.10 ansible_become_pass={{ vault_become_pass }}

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ansible_become_password=«p:p2»
'''


@doc
def nginx_conf(g: G):
    v = dict(ip1=g.ip(), ip2=g.ip(), ip3=g.ip(), ip4=g.ip6(), up=g.ip())
    return v, "deploy/nginx/site.conf", '''upstream app {
    server «i:up»:8080 max_fails=3;
    server 10.0.2.15:8080 backup;
}

server {
    listen 443 ssl http2;
    server_name shop.orbitcart.shop;
    resolver 8.8.8.8 8.8.4.4 valid=300s;
    set_real_ip_from 10.0.0.0/8;

    location /admin {
        allow «i:ip1»;
        allow «i:ip2»;
        allow «i:ip3»;
        allow «i:ip4»;
        allow 127.0.0.1;
        deny all;
        proxy_pass http://app;
    }
}
'''


@doc
def github_actions(g: G):
    v = dict(t=g.s("TB", 1) + g.s(UPNUM, 10), b="B" + g.s(UPNUM, 10), w=g.s(ALNUM, 24), npm=g.tok("npm"),
             sha=g.hexs(40), pul=g.tok("pulumi"))
    return v, ".github/workflows/release.yml", '''name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@«sha»
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
          # NODE_AUTH_TOKEN: «k:npm»
      - run: pulumi up --yes
        env:
          PULUMI_ACCESS_TOKEN: «k:pul»
      - name: notify
        run: curl -X POST -d '{"text":"released"}' https://hooks.slack.com/services/«k:hook»
'''.replace("«k:hook»", f"⟦key|T{v['t'][1:]}/{v['b']}/{v['w']}⟧")


@doc
def readme_docs(g: G):
    v = dict(e=g.email(), e2=g.email(), oa=g.tok("openai"), lin=g.tok("linear"), ip=g.ip())
    return v, "README.md", '''# orbit-sync

Sync orders between Shopify and the warehouse.

## Install

```bash
npm install orbit-sync@2.3.1
pip install orbit-sync==2.3.1
```

## Configure

```bash
export OPENAI_API_KEY=<your-openai-key>
export LINEAR_API_KEY=${LINEAR_API_KEY}
```

The staging box at «i:ip» is reset every night. Example used while debugging (rotate!):

```bash
OPENAI_API_KEY=«k:oa» LINEAR_API_KEY=«k:lin» npm start
```

Call the API with `curl -H "Authorization: Bearer YOUR_TOKEN" https://api.orbitcart.shop/v1/orders`.

Images use `hero@2x.jpg`; decorators like `@retry` and `@app.get` are documented in docs/.

## Maintainers

- Nora Haddad <«e:e»>
- Security reports: «e:e2»
'''


@doc
def gcp_service_account(g: G):
    proj = "orbit-prod-" + g.digits(6)
    v = dict(pk=g.pem("PRIVATE KEY", 12, "\\n"), pkid=g.hexs(40), cid=g.digits(21),
             ce=f"etl-runner@{proj}.iam.gserviceaccount.com")
    return v, "secrets/gcp-etl.json", '''{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key_id": "«pkid»",
  "private_key": "«k:pk»\\n",
  "client_email": "«e:ce»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token"
}
'''.replace("«proj»", proj)


@doc
def ssh_keys(g: G):
    v = dict(pk=g.pem("OPENSSH PRIVATE KEY", 7), pub="AAAAC3NzaC1lZDI1NTE5AAAAI" + g.s(ALNUM + "+/", 43),
             e=g.email())
    return v, "ops/bastion/README.txt", '''Bastion access
==============

authorized_keys on the bastion:

ssh-ed25519 «pub» «e:e»

Break-glass key (moved to 1Password, delete from repo):

«k:pk»

Host fingerprint: SHA256:«fp»
'''.replace("«fp»", g.b64(32).rstrip("="))


@doc
def tls_bundle(g: G):
    cert = g.pem("CERTIFICATE", 10)
    v = dict(k=g.pem("EC PRIVATE KEY", 3), cert=cert, pub=g.pem("PUBLIC KEY", 5))
    return v, "deploy/tls/server.pem", '''# server certificate + key for the edge proxy
«cert»
«k:k»
# JWT verification key (public)
«pub»
'''


@doc
def pypirc_netrc(g: G):
    v = dict(pypi=g.tok("pypi"), p=g.pw_simple(), e=g.email(), p2=g.pw(), glp=g.tok("glpat"))
    return v, "ops/dotfiles/credentials.txt", '''# ~/.pypirc
[distutils]
index-servers = pypi internal

[pypi]
username = __token__
password = «k:pypi»

[internal]
repository = https://pypi.orbitcart.shop/simple
username = ci
password = «p:p»

# ~/.netrc
machine ftp.orbitcart.shop login «e:e» password «p:p2»
machine gitlab.com login oauth2 password «k:glp»
machine api.github.com login bot password ${GH_TOKEN}
'''


@doc
def helm_values(g: G):
    v = dict(p=g.pw(), p2=g.pw_special("#@"), ip1=g.ip(), ip2=g.ip(), age=g.tok("age"), dop=g.tok("doppler"))
    return v, "charts/app/values-prod.yaml", '''replicaCount: 3
image:
  tag: "1.42.0"
redis:
  auth:
    enabled: true
    password: "«p:p»"
externalDatabase:
  host: db.internal
  password: '«p:p2»'
  existingSecret: ""
ingress:
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: "«i:ip1»/32,«i:ip2»/32,10.0.0.0/8"
sops:
  ageKey: «k:age»
doppler:
  serviceToken: «k:dop»
adminPassword: "********"
'''


@doc
def powershell(g: G):
    v = dict(p=g.pw(), e=g.email(), ip=g.ip(), p2=g.pw_special("#@%"))
    return v, "scripts/Setup-Server.ps1", '''param(
    [string]$ComputerName = "«i:ip»"
)

$secpasswd = ConvertTo-SecureString "«p:p»" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ("«e:e»", $secpasswd)
Invoke-Command -ComputerName $ComputerName -Credential $cred -ScriptBlock { hostname }

$prompted = Get-Credential -Message "Enter password"
$plain = Read-Host -AsSecureString "Password"
net user svc_backup '«p:p2»' /add
'''


@doc
def access_log(g: G):
    v = {f"ip{i}": g.ip() for i in range(5)}
    v.update(ip6=g.ip6(), e=g.email())
    lines = '''«i:ip0» - - [12/Mar/2024:10:01:22 +0000] "GET /api/v1/orders HTTP/1.1" 200 5123 "-" "Mozilla/5.0"
10.0.4.21 - - [12/Mar/2024:10:01:23 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.28"
«i:ip1» - - [12/Mar/2024:10:01:25 +0000] "POST /login HTTP/1.1" 302 0 "-" "curl/8.4.0"
«i:ip2» - «e:e» [12/Mar/2024:10:01:31 +0000] "GET /account HTTP/1.1" 200 912 "-" "Mozilla/5.0"
«i:ip6» - - [12/Mar/2024:10:01:33 +0000] "GET / HTTP/2.0" 200 18012 "-" "Mozilla/5.0"
127.0.0.1 - - [12/Mar/2024:10:01:40 +0000] "GET /metrics HTTP/1.1" 200 3312 "-" "Prometheus/2.50.1"
«i:ip3» - - [12/Mar/2024:10:01:41 +0000] "GET /wp-login.php HTTP/1.1" 404 0 "-" "zgrab/0.x"
«i:ip4» - - [12/Mar/2024:10:01:44 +0000] "GET /.env HTTP/1.1" 404 0 "-" "python-requests/2.31.0"
'''
    return v, "logs/access.log", lines


@doc
def changelog_authors(g: G):
    v = {f"e{i}": g.email() for i in range(4)}
    v["commit"] = g.hexs(40)
    return v, "AUTHORS.md", '''# Authors

* Felix Moreau <«e:e0»>
* Hana Ito <«e:e1»> (docs)
* Omar Nguyen (@omar-ng) <«e:e2»>

Co-authored-by: Priya Kaur <«e:e3»>

Last synced at commit «commit». Thanks to @dependabot and the @orbitcart/core team.
'''


@doc
def jenkinsfile(g: G):
    v = dict(p=g.pw(), ip=g.ip(), gho=g.tok("gho"), nr=g.tok("nrak"), gs=g.tok("glsa"))
    return v, "Jenkinsfile", '''pipeline {
  agent any
  environment {
    NEW_RELIC_API_KEY = "«k:nr»"
    GRAFANA_TOKEN     = '«k:gs»'
    DOCKER_CREDS      = credentials('docker-hub')
  }
  stages {
    stage('Push') {
      steps {
        sh "docker login -u orbitci -p «p:p» registry.orbitcart.shop"
        sh "git push https://x-access-token:«k:gho»@github.com/orbitcart/app.git HEAD:main"
        sh "rsync -az dist/ deploy@«i:ip»:/srv/app/"
        sh 'docker login -u orbitci -p $DOCKER_CREDS_PSW registry.orbitcart.shop'
      }
    }
  }
}
'''


@doc
def firebase_messaging(g: G):
    v = dict(fcm="AAAA" + g.s(URLSAFE, 7) + ":APA91b" + g.s(URLSAFE, 134), jwt=g.jwt({"role": "service_role", "iss": "supabase"}),
             e=g.email(), atl=g.tok("atlassian"))
    return v, "functions/src/push.ts", '''import fetch from 'node-fetch';

const FCM_SERVER_KEY = '«k:fcm»';
const SUPABASE_SERVICE_ROLE_KEY = '«k:jwt»';
const JIRA = { email: '«e:e»', apiToken: '«k:atl»' };

export async function push(token: string, body: string) {
  return fetch('https://fcm.googleapis.com/fcm/send', {
    method: 'POST',
    headers: { Authorization: `key=${FCM_SERVER_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: token, notification: { body } }),
  });
}
'''


@doc
def mixed_tokens_py(g: G):
    v = dict(sl=g.tok("xoxp"), sq=g.tok("sq0csp"), rk=g.tok("rk_live"), fly=g.tok("fly"), tg=g.tok("telegram"),
             b=g.b64(32), cs=g.hexs(64))
    return v, "integrations/clients.py", '''"""Third-party client factories."""
import os

from slack_sdk import WebClient
from square.client import Client as SquareClient
import stripe
import telebot

slack = WebClient(token="«k:sl»")
square = SquareClient(access_token=os.getenv("SQUARE_TOKEN"), environment="production")
SQUARE_APPLICATION_SECRET = "«k:sq»"
stripe.api_key = "«k:rk»"
FLY_API_TOKEN = "«k:fly»"
bot = telebot.TeleBot("«k:tg»")

WEBHOOK_SIGNING_SECRET = "«k:b»"
CLIENT_SECRET = "«k:cs»"
API_KEY = "your-api-key"
API_SECRET = "<API_SECRET>"
TOKEN = "{{ token }}"
ACCESS_TOKEN = "%(access_token)s"
PASSWORD = "changeme"  # placeholder, replaced at deploy time
'''.replace('PASSWORD = "changeme"  # placeholder, replaced at deploy time\n', "")


@doc
def go_config_yaml(g: G):
    v = dict(p=g.pw(), ip=g.ip(), ip2=g.ip6(), k=g.hexs(48), p2=g.pw_special("=#&"))
    return v, "configs/server.yaml", '''server:
  listen: "0.0.0.0:8080"
  public_addr: "«i:ip»"
  public_addr_v6: "«i:ip2»"
database:
  dsn: "host=10.2.0.4 user=api password=«p:p» dbname=api sslmode=require"
  max_open: 20
session:
  secret: «k:k»
smtp:
  password: "«p:p2»"
  password_file: /run/secrets/smtp
metrics:
  basic_auth_password: ""
'''


# =================================================================================== hard negatives only

@doc
def negatives_lockfiles(g: G):
    v = dict(i1=g.b64(64), i2=g.b64(48), sha=g.hexs(64), commit=g.hexs(40), md5=g.hexs(32), u1=g.uuid(), u2=g.uuid(),
             sri=g.b64(48))
    return v, "notes/build-metadata.txt", '''# yarn.lock excerpt
lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz"
  integrity sha512-«i1»

"@babel/core@7.24.0", "@babel/core@^7.12.3":
  integrity sha384-«i2»

# Dockerfile
FROM python:3.12-slim@sha256:«sha»
# commit «commit»
# md5sum: «md5»  dist/app.tar.gz
<script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.min.js"
        integrity="sha384-«sri»" crossorigin="anonymous"></script>

request_id = "«u1»"
tenant_id: «u2»
OID 2.5.4.3 (commonName), 1.2.840.113549.1.1.11 (sha256WithRSAEncryption)
Windows build 10.0.19045.3803, Chrome 122.0.6261.94
AWS docs key: AKIAIOSFODNN7EXAMPLE
Resolvers: 8.8.8.8, 8.8.4.4, 1.1.1.1, 1.0.0.1, 9.9.9.9, 149.112.112.112, 208.67.222.222, 208.67.220.220
IPv6 resolvers: 2001:4860:4860::8888, 2606:4700:4700::1111
Docs ranges: 192.0.2.10, 198.51.100.7, 203.0.113.200, 2001:db8:85a3::8a2e:370:7334
Multicast 239.255.255.250, CGNAT 100.100.3.4, benchmark 198.18.0.1
'''


@doc
def negatives_code(g: G):
    v = {}
    return v, "app/auth/forms.py", '''from django import forms
from django.contrib.auth import password_validation
import getpass, os


class SignupForm(forms.Form):
    email = forms.EmailField(label="Email")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Confirm password", widget=forms.PasswordInput)

    def clean_password2(self):
        password = self.cleaned_data.get("password")
        if password != self.cleaned_data.get("password2"):
            raise forms.ValidationError("Passwords don't match")
        password_validation.validate_password(password)
        return password


PASSWORD_MIN_LENGTH = 12
RESET_PASSWORD_URL = "/accounts/password/reset/"
DB_PASSWORD = os.environ["DB_PASSWORD"]
ADMIN_PASSWORD = getpass.getpass("admin password: ")
SMTP_PASSWORD = input("SMTP password: ")
REDIS_PASSWORD = None
LDAP_PASSWORD = ""
MASKED = {"password": "********", "api_key": "sk_live_****"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
DEFAULT_HASH = "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
JWT_PUBLIC_KEY_PATH = "/etc/keys/jwt.pub"
API_KEY = os.getenv("API_KEY", "")
SECRET_KEY = "{{ django_secret_key }}"
STRIPE_PUBLISHABLE_KEY = "pk_test_TYooMQauvdEDq54NiTphI7jx"


@app.route("/login", methods=["POST"])
@login_required
def login():
    return render_template("login.html", password_hint="Use 12+ characters")
'''


def testset4_documents(seed: int = SEED) -> list[LabelledDoc]:
    """The held-out documents, deterministic for a given seed."""
    r = random.Random(seed)
    out = []
    for fn in DOCS:
        g = G(random.Random(r.getrandbits(64)))
        vals, name, tpl = fn(g)
        out.append(_parse(name, _fill(tpl, vals)))
    return out


def _marked(seed: int = SEED) -> list[str]:
    r = random.Random(seed)
    res = []
    for fn in DOCS:
        vals, _, tpl = fn(G(random.Random(r.getrandbits(64))))
        res.append(_fill(tpl, vals))
    return res


def _check(docs: list[LabelledDoc]) -> dict[str, int]:
    counts = {"email": 0, "ip_address": 0, "key": 0, "password": 0}
    names = set()
    for d in docs:
        assert d.name not in names, d.name
        names.add(d.name)
        assert "⟦" not in d.text and "⟧" not in d.text and "«" not in d.text and "»" not in d.text, d.name
        for kind, s, e in d.spans:
            assert e > s and d.text[s:e].strip() == d.text[s:e], (d.name, d.text[s:e])
            counts[kind] += 1
    for d, marked in zip(docs, _marked()):
        planted = [(m.group(1), m.group(2)) for m in re.finditer(r"⟦(email|ip_address|key|password)\|(.*?)⟧", marked, re.S)]
        assert planted == [(k, d.text[s:e]) for k, s, e in d.spans], d.name
    return counts


if __name__ == "__main__":
    docs = testset4_documents()
    counts = _check(docs)
    print(f"documents: {len(docs)}  (no positives: {sum(not d.spans for d in docs)})")
    for k, n in counts.items():
        print(f"{k:12s} {n}")
    print(f"{'total':12s} {sum(counts.values())}")
