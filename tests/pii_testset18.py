"""Blind labelled test set 18 for the PII/secret scrubber.

About 90 documents that imitate files drawn at random from a crawl of permissively licensed GitHub
repositories (The Stack), roughly in proportion to how common each language or file type is, keeping
only files that hold at least one secret or a realistic hard negative: tutorial apps, student
projects, hobby bots, scrapers, IoT sketches, CI configs, test fixtures, docker-compose files,
committed .env files, README setup sections, example configs, log excerpts, mail headers, AUTHORS
and MAINTAINERS lists, server configs and firewall rules. A few documents hold hard negatives only.
Written without looking at the scrubber or at the other labelled sets.

Planted secrets are written ``⟦kind|value⟧`` in the templates; ``_parse`` strips the markers and
records the spans. Every secret value (and most negatives) is drawn from a ``random.Random`` seeded
from the seed and the document's name, so the set is deterministic for a given seed.

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

Run ``python -m tests.pii_testset18`` to self-check the set and print its counts.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import string
import uuid
from collections import Counter
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 1818

# ---------------------------------------------------------------------------------------------
# markers and template filling
# ---------------------------------------------------------------------------------------------


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def _fill(tpl: str, **kw: object) -> str:
    out = tpl
    for k, v in kw.items():
        out = out.replace(f"«{k}»", str(v))
    if "«" in out:
        raise ValueError(f"unfilled placeholder in template: {out[out.index('«'):][:40]!r}")
    return out


# ---------------------------------------------------------------------------------------------
# random material
# ---------------------------------------------------------------------------------------------

_UP = string.ascii_uppercase
_LO = string.ascii_lowercase
_DG = string.digits
_AN = _UP + _LO + _DG
_URL = _AN + "-_"
_B64 = _AN + "+/"
_HX = "0123456789abcdef"


def _rs(r: random.Random, n: int, alpha: str = _AN) -> str:
    return "".join(r.choice(alpha) for _ in range(n))


def _hex(r: random.Random, n: int) -> str:
    return _rs(r, n, _HX)


def _rbytes(r: random.Random, n: int) -> bytes:
    return bytes(r.getrandbits(8) for _ in range(n))


def _b64(r: random.Random, n: int) -> str:
    return base64.b64encode(_rbytes(r, n)).decode()


def _b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _uuid(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


# --- provider tokens -------------------------------------------------------------------------


def aws_id(r):
    return "AKIA" + _rs(r, 16, _UP + "234567")


def aws_secret(r):
    return _rs(r, 40, _B64)


def ghp(r):
    return "ghp_" + _rs(r, 36)


def gho(r):
    return "gho_" + _rs(r, 36)


def github_pat(r):
    return "github_pat_11" + _rs(r, 20, _UP + _DG) + "_" + _rs(r, 59)


def glpat(r):
    return "glpat-" + _rs(r, 20, _URL)


def xoxb(r):
    return f"xoxb-{r.randint(10**10, 10**12)}-{r.randint(10**12, 10**13)}-{_rs(r, 24)}"


def xoxp(r):
    return (f"xoxp-{r.randint(10**10, 10**12)}-{r.randint(10**10, 10**12)}-"
            f"{r.randint(10**12, 10**13)}-{_hex(r, 32)}")


def slack_hook(r):
    return f"T{_rs(r, 8, _UP + _DG)}/B{_rs(r, r.choice([8, 10, 11]), _UP + _DG)}/{_rs(r, 24)}"


def stripe_sk(r, prefix="sk_live_"):
    return prefix + (_rs(r, 24) if r.random() < 0.4 else "51" + _rs(r, 97))


def sendgrid(r):
    return "SG." + _rs(r, 22, _URL) + "." + _rs(r, 43, _URL)


def twilio_sk(r):
    return "SK" + _hex(r, 32)


def mailgun(r):
    return "key-" + _hex(r, 32)


def npm_tok(r):
    return "npm_" + _rs(r, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmc" + _rs(r, 150, _URL)


def openai_key(r):
    if r.random() < 0.5:
        return f"sk-{_rs(r, 20)}T3BlbkFJ{_rs(r, 20)}"
    return f"sk-proj-{_rs(r, 74, _URL)}T3BlbkFJ{_rs(r, 74, _URL)}"


def anthropic_key(r):
    return "sk-ant-api03-" + _rs(r, 93, _URL) + "AA"


def hf_tok(r):
    return "hf_" + _rs(r, 34, _UP + _LO)


def google_key(r):
    return "AIzaSy" + _rs(r, 33, _URL)


def discord_tok(r):
    snowflake = str(r.randint(7 * 10**17, 13 * 10**17)).encode()
    return _b64url(snowflake) + "." + _rs(r, 6, _URL) + "." + _rs(r, 38, _URL)


def telegram_tok(r):
    return f"{r.randint(10**9, 7 * 10**9)}:AA{_rs(r, 33, _URL)}"


_NAMES = ["Jane Doe", "Omar Haddad", "Li Wei", "Priya Nair", "Lukas Becker", "Ana Souza"]


def jwt(r, payload: dict | None = None, alg: str = "HS256") -> str:
    head = _b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    if payload is None:
        iat = r.randint(1_650_000_000, 1_740_000_000)
        payload = {"sub": str(r.randint(1000, 999999)), "name": r.choice(_NAMES),
                   "role": r.choice(["admin", "user", "service"]), "iat": iat,
                   "exp": iat + r.choice([3600, 86400, 604800, 31536000])}
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = _rs(r, 43 if alg.startswith("HS") else 342, _URL)
    return f"{head}.{body}.{sig}"


_PEM_LEAD = {
    "RSA PRIVATE KEY": "MIIEowIBAAKCAQEA",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "EC PRIVATE KEY": "MHcCAQEEI",
    "OPENSSH PRIVATE KEY": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
}


def pem(r, label: str = "RSA PRIVATE KEY", lines: int | None = None, sep: str = "\n") -> str:
    width = 70 if label == "OPENSSH PRIVATE KEY" else 64
    if lines is None:
        lines = {"EC PRIVATE KEY": 3, "OPENSSH PRIVATE KEY": 7}.get(label, r.randint(14, 25))
    lead = _PEM_LEAD[label]
    body = lead + _rs(r, width * lines - len(lead) - r.randint(0, 30), _B64)
    if label == "EC PRIVATE KEY":
        body = body[:width * 2] + body[width * 2:width * 2 + 24] + "=="
    rows = [body[i:i + width] for i in range(0, len(body), width)]
    return f"-----BEGIN {label}-----{sep}" + sep.join(rows) + f"{sep}-----END {label}-----"


def azure_key(r):
    return _b64(r, 64)


def shopify_tok(r, prefix="shpat_"):
    return prefix + _hex(r, 32)


def square_tok(r):
    return "EAAA" + _rs(r, 60, _URL)


def do_tok(r):
    return "dop_v1_" + _hex(r, 64)


def heroku_tok(r):
    return "HRKU-AA" + _rs(r, 58, _URL)


def sonar_tok(r):
    return "squ_" + _hex(r, 40)


def gcp_client_secret(r):
    return "GOCSPX-" + _rs(r, 28, _URL)


def whsec(r):
    return "whsec_" + _rs(r, 32)


def generic_key(r, n: int | None = None, alpha: str = _AN) -> str:
    return _rs(r, n or r.choice([32, 40, 48]), alpha)


# --- passwords -------------------------------------------------------------------------------

_WORDS = ["Summer", "Winter", "Autumn", "Dragon", "Falcon", "Mango", "Pepper", "Rocket", "Tiger",
          "Monkey", "Purple", "Coffee", "Banana", "Phoenix", "Shadow", "Thunder", "Silver", "Maple",
          "Ocean", "Cobalt", "Kitten", "Panda", "Zebra", "Orange", "Galaxy", "Pirate", "Wizard",
          "Nebula", "Cactus", "Lemon", "Jaguar", "Viking", "Bulldog", "Raven", "Saturn", "Mustang",
          "Walrus", "Pickle", "Comet", "Otter", "Bamboo", "Gecko", "Tundra", "Marlin", "Quartz"]
_LEET = str.maketrans({"a": "4", "e": "3", "o": "0", "i": "1"})


def pw_human(r, syms: str = "!@#$%&*?.") -> str:
    w, w2 = r.choice(_WORDS), r.choice(_WORDS)
    sym = r.choice(syms) if syms else ""
    n = r.randint(1, 99)
    year = r.randint(2015, 2025)
    k = r.randrange(7)
    if k == 0:
        out = f"{w}{year}{sym}"
    elif k == 1:
        out = f"{w.lower()}{n}{w2.lower()}"
    elif k == 2:
        out = f"{w[0]}{w[1:].lower().translate(_LEET)}{sym}{r.randint(10, 99)}"
    elif k == 3:
        out = f"{w}_{w2}{r.randint(1, 9)}"
    elif k == 4:
        out = f"{w}{w2}{n}{sym}"
    elif k == 5:
        out = f"{w.lower()}.{w2.lower()}.{n}"
    else:
        out = f"{w[:4]}{sym}{r.randint(100, 9999)}{w2.lower()}"
    return out


def pw_random(r, n: int | None = None, syms: str = "!@#$%^&*") -> str:
    n = n or r.randint(10, 16)
    while True:
        out = _rs(r, n, _AN + syms)
        if any(c.isdigit() for c in out) and any(c.isalpha() for c in out):
            return out


def pw_long(r) -> str:
    return _rs(r, r.randint(24, 32))


def pw(r, syms: str = "!@#$%&*?") -> str:
    return pw_human(r, syms) if r.random() < 0.6 else pw_random(r, syms=syms.replace("?", ""))


# --- people and mailboxes --------------------------------------------------------------------

_FIRST = ["james", "maria", "wei", "fatima", "lukas", "sofia", "arjun", "chloe", "mateo", "aisha",
          "noah", "elena", "kenji", "olga", "david", "amara", "tomasz", "ines", "ryan", "yuki",
          "pedro", "hannah", "ibrahim", "lena", "marco", "zoe", "nikhil", "emma", "sven", "grace"]
_LAST = ["smith", "garcia", "chen", "khan", "muller", "rossi", "patel", "martin", "silva", "okafor",
         "nguyen", "ivanova", "tanaka", "kowalski", "novak", "dubois", "johansson", "murphy",
         "sato", "fernandes", "schmidt", "costa", "wright", "haddad", "berg", "lopez", "kim"]
_FREE = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "protonmail.com", "icloud.com",
         "gmx.de", "web.de", "yandex.ru", "mail.ru", "qq.com", "163.com", "fastmail.com",
         "zoho.com", "free.fr", "libero.it", "btinternet.com", "proton.me", "naver.com"]
_ORGS = ["brightloop.io", "northwind-tech.com", "kestrel.dev", "quantumleaf.ai", "bluefjord.no",
         "greenhaus-solar.de", "tidepool.co", "stackforge.net", "lumenhq.com", "farmlink.co.za",
         "oakridge-analytics.com", "pixelcanopy.studio", "mail.cs.tu-muenchen.de", "hexaware.in",
         "orbital-labs.org", "acmelogistics.co.uk", "corvid.systems", "riverbank.edu.au"]


def _person(r) -> tuple[str, str]:
    return r.choice(_FIRST), r.choice(_LAST)


def display(first: str, last: str) -> str:
    return f"{first.capitalize()} {last.capitalize()}"


def email(r, domain: str | None = None, first: str | None = None, last: str | None = None) -> str:
    f, l = _person(r)
    f, l = first or f, last or l
    k = r.randrange(6)
    local = [f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l}{r.randint(1, 99)}",
             f"{f}{r.randint(70, 2005)}", f"{l}.{f[0]}"][k]
    return f"{local}@{domain or r.choice(_FREE + _ORGS)}"


# --- addresses -------------------------------------------------------------------------------

_DNS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
        "208.67.222.222", "208.67.220.220", "64.6.64.6", "64.6.65.6", "4.2.2.2", "4.2.2.1",
        "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
        "2606:4700:4700::1001", "2620:fe::fe"}
_FIRST_OCTETS = [3, 5, 13, 18, 23, 31, 34, 35, 37, 44, 45, 46, 47, 51, 52, 54, 62, 66, 69, 74, 77,
                 78, 80, 82, 85, 88, 89, 91, 93, 94, 95, 104, 107, 109, 116, 128, 129, 134, 136,
                 138, 139, 141, 142, 143, 144, 146, 147, 151, 152, 157, 158, 159, 161, 162, 163,
                 164, 165, 167, 168, 170, 173, 176, 178, 185, 188, 190, 193, 194, 195, 199, 201,
                 204, 206, 207, 209, 212, 213, 216, 217]


def _is_public(ip: str) -> bool:
    a = ipaddress.ip_address(ip)
    return (a.is_global and not a.is_multicast and not a.is_reserved and not a.is_link_local
            and ip not in _DNS)


def ip4(r) -> str:
    while True:
        ip = f"{r.choice(_FIRST_OCTETS)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}"
        if _is_public(ip):
            return ip


def ip6(r) -> str:
    prefix = r.choice(["2a01:4f8", "2a01:4f9", "2604:a880", "2001:41d0", "2a03:b0c0", "2600:1f18",
                       "2a05:d014", "2406:da1c", "2a02:c207", "2607:5300"])
    return f"{prefix}:{r.randint(1, 0xffff):x}:{r.randint(1, 0xffff):x}::{r.randint(1, 0xff):x}"


def priv4(r) -> str:
    k = r.randrange(3)
    if k == 0:
        return f"192.168.{r.choice([0, 1, 1, 2, 10, 50, 100])}.{r.randint(2, 254)}"
    if k == 1:
        return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 254)}"
    return f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(2, 254)}"


# --- negatives -------------------------------------------------------------------------------


def sha256(r) -> str:
    return _hex(r, 64)


def gitsha(r) -> str:
    return _hex(r, 40)


def bcrypt_hash(r) -> str:
    return "$2b$12$" + _rs(r, 53, "./" + _AN)


def ssh_pub(r, comment: str = "deploy@ci") -> str:
    return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _rs(r, 43, _B64) + " " + comment


def google_client_id(r) -> str:
    return f"{r.randint(10**11, 10**12)}-{_rs(r, 32, _LO + _DG)}.apps.googleusercontent.com"


def recaptcha_site(r) -> str:
    return "6L" + r.choice("cdef") + _rs(r, 37, _URL)


def stripe_pk(r) -> str:
    return "pk_live_51" + _rs(r, 97)


def sentry_dsn(r) -> str:
    return (f"https://{_hex(r, 32)}@o{r.randint(100000, 999999)}.ingest.sentry.io/"
            f"{r.randint(1000000, 9999999)}")



# =============================================================================================
# documents: Python
# =============================================================================================


def d_telegram_weather_bot(r):
    tok = K(telegram_tok(r))
    owm = K(_hex(r, 32))
    admin = r.randint(10**8, 2 * 10**9)
    text = _fill(r'''import logging
import requests
from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

# TODO move these to env vars before pushing!!
BOT_TOKEN = "«tok»"
OWM_API_KEY = "«owm»"
ADMIN_CHAT_ID = «admin»
DEFAULT_CITY = "Lisbon"

logging.basicConfig(
    format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level=logging.INFO
)
log = logging.getLogger(__name__)


def fetch_weather(city: str) -> str:
    url = "https://api.openweathermap.org/data/2.5/weather"
    resp = requests.get(url, params={"q": city, "appid": OWM_API_KEY, "units": "metric"}, timeout=10)
    if resp.status_code != 200:
        return f"Could not find weather for {city} ({resp.status_code})"
    data = resp.json()
    temp = data["main"]["temp"]
    desc = data["weather"][0]["description"]
    return f"{city}: {temp:.1f}°C, {desc}"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await update.message.reply_text("Hi! Send /weather <city> to get the current weather.")


async def weather(update: Update, context: ContextTypes.DEFAULT_TYPE):
    city = " ".join(context.args) if context.args else DEFAULT_CITY
    await update.message.reply_text(fetch_weather(city))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if update.effective_chat.id != ADMIN_CHAT_ID:
        return
    await update.message.reply_text("ok")


if __name__ == "__main__":
    app = ApplicationBuilder().token(BOT_TOKEN).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("weather", weather))
    app.add_handler(CommandHandler("stats", stats))
    log.info("bot started")
    app.run_polling()
''', tok=tok, owm=owm, admin=admin)
    return "weatherbot/bot.py", text


def d_scrapy_settings(r):
    proxy_ip = I(ip4(r))
    proxy_pw = P(pw_random(r, syms=""))
    mongo_pw = P(pw_human(r, syms="!*"))
    contact = E(email(r))
    text = _fill(r'''# Scrapy settings for realestate project
#
# For simplicity, this file contains only settings considered important or
# commonly used. You can find more settings consulting the documentation:
#
#     https://docs.scrapy.org/en/latest/topics/settings.html

BOT_NAME = "realestate"

SPIDER_MODULES = ["realestate.spiders"]
NEWSPIDER_MODULE = "realestate.spiders"

# Crawl responsibly by identifying yourself (and your website) on the user-agent
USER_AGENT = "realestate-research (+mailto:«contact»)"

# Obey robots.txt rules
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
DOWNLOAD_DELAY = 1.5
RANDOMIZE_DOWNLOAD_DELAY = True

# rotating residential proxy (paid plan, expires in March)
HTTP_PROXY = "http://scraper01:«proxy_pw»@«proxy_ip»:3128"
# HTTP_PROXY = "http://127.0.0.1:8118"   # local tor/privoxy for testing

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 110,
    "realestate.middlewares.ProxyMiddleware": 100,
}

ITEM_PIPELINES = {
    "realestate.pipelines.CleanPricePipeline": 200,
    "realestate.pipelines.MongoPipeline": 300,
}

MONGO_URI = "mongodb+srv://scrapy_user:«mongo_pw»@cluster0.x7qkz.mongodb.net/?retryWrites=true&w=majority"
MONGO_DATABASE = "listings"

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 5
AUTOTHROTTLE_MAX_DELAY = 60

HTTPCACHE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
''', contact=contact, proxy_pw=proxy_pw, proxy_ip=proxy_ip, mongo_pw=mongo_pw)
    return "realestate/settings.py", text


def d_flask_factory(r):
    sk = K(_hex(r, 48))
    mail_user = E(email(r, "gmail.com"))
    app_pw = P(_rs(r, 16, _LO))
    db_pw = P(pw_human(r, syms="!*_"))
    text = _fill(r'''import os

from flask import Flask
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import generate_password_hash

db = SQLAlchemy()
mail = Mail()
login_manager = LoginManager()
login_manager.login_view = "auth.login"


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="«sk»",
        SQLALCHEMY_DATABASE_URI="mysql+pymysql://root:«db_pw»@localhost:3306/bookclub",
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        MAIL_SERVER="smtp.gmail.com",
        MAIL_PORT=587,
        MAIL_USE_TLS=True,
        MAIL_USERNAME="«mail_user»",
        MAIL_PASSWORD="«app_pw»",  # gmail app password
        MAIL_DEFAULT_SENDER=("Book Club", "«mail_user»"),
        RECAPTCHA_PUBLIC_KEY="«rc_site»",
        RECAPTCHA_PRIVATE_KEY="«rc_secret»",
    )

    if test_config is not None:
        app.config.update(test_config)

    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)

    from . import auth, books
    app.register_blueprint(auth.bp)
    app.register_blueprint(books.bp)

    @app.cli.command("create-admin")
    def create_admin():
        from .models import User
        pw = os.environ.get("ADMIN_PASSWORD")
        if not pw:
            print("set ADMIN_PASSWORD first")
            return
        u = User(username="owner", password_hash=generate_password_hash(pw))
        db.session.add(u)
        db.session.commit()

    return app
''', sk=sk, mail_user=mail_user, app_pw=app_pw, db_pw=db_pw,
                 rc_site=recaptcha_site(r), rc_secret=K("6L" + r.choice("cdef") + _rs(r, 37, _URL)))
    return "bookclub/__init__.py", text


def d_django_settings(r):
    sk = K("django-insecure-" + _rs(r, 50, _LO + _DG + "!@#%^&*(-_=+)"))
    host = I(ip4(r))
    db_pw = P(pw(r, syms="!#%"))
    smtp_user = E(email(r, "outlook.com"))
    smtp_pw = P(pw_human(r, syms="!#"))
    a1f, a1l = _person(r)
    a2f, a2l = _person(r)
    adm1 = E(email(r, "kestrel.dev", a1f, a1l))
    adm2 = E(email(r, "gmail.com", a2f, a2l))
    text = _fill(r'''"""
Django settings for inventory project.

Generated by 'django-admin startproject' using Django 4.2.7.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = '«sk»'

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = ['localhost', '127.0.0.1', '«host»', 'inventory.kestrel.dev']

ADMINS = [
    ('«a1»', '«adm1»'),
    ('«a2»', '«adm2»'),
]
MANAGERS = ADMINS

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
    'django.contrib.staticfiles',
    'rest_framework',
    'stock',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'inventory',
        'USER': 'inventory',
        'PASSWORD': '«db_pw»',
        'HOST': '«host»',
        'PORT': '5432',
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
    {'NAME': 'django.contrib.auth.password_validation.CommonPasswordValidator'},
]

EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'
EMAIL_HOST = 'smtp-mail.outlook.com'
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = '«smtp_user»'
EMAIL_HOST_PASSWORD = '«smtp_pw»'

LANGUAGE_CODE = 'en-us'
TIME_ZONE = 'UTC'
USE_I18N = True
USE_TZ = True

STATIC_URL = 'static/'
STATIC_ROOT = BASE_DIR / 'staticfiles'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
''', sk=sk, host=host, db_pw=db_pw, smtp_user=smtp_user, smtp_pw=smtp_pw,
                 a1=display(a1f, a1l), a2=display(a2f, a2l), adm1=adm1, adm2=adm2)
    return "inventory/settings.py", text


def d_pytest_auth(r):
    dom = r.choice(_ORGS)
    users = []
    while len(users) < 3:
        u = (email(r, dom), pw(r, syms="!#@"))
        if all(u[0] != o[0] and u[1] != o[1] for o in users):
            users.append(u)
    bh = bcrypt_hash(r)
    text = _fill(r'''import pytest

from app.auth import hash_password, verify_password
from app.models import User

TEST_USERS = [
    {"email": "«e0»", "password": "«p0»", "role": "admin"},
    {"email": "«e1»", "password": "«p1»", "role": "editor"},
    {"email": "«e2»", "password": "«p2»", "role": "viewer"},
]

# hash generated once with bcrypt rounds=12, used to check we stay compatible
LEGACY_HASH = "«bh»"


@pytest.fixture
def users(db_session):
    created = []
    for u in TEST_USERS:
        user = User(email=u["email"], role=u["role"], password_hash=hash_password(u["password"]))
        db_session.add(user)
        created.append(user)
    db_session.commit()
    return created


def test_login_ok(client, users):
    resp = client.post("/auth/login", json={"email": "«e0»", "password": "«p0»"})
    assert resp.status_code == 200
    assert "access_token" in resp.json()


def test_login_wrong_password(client, users):
    resp = client.post("/auth/login", json={"email": "«e1»", "password": ""})
    assert resp.status_code == 401


def test_reset_password_url(client, users):
    resp = client.post("/auth/forgot", json={"email": "«e2»"})
    assert resp.json()["reset_password_url"].startswith("https://")


def test_legacy_hash_still_verifies():
    assert not verify_password("", LEGACY_HASH)
''', e0=E(users[0][0]), e1=E(users[1][0]), e2=E(users[2][0]), p0=P(users[0][1]),
                 p1=P(users[1][1]), p2=P(users[2][1]), bh=bh)
    return "tests/test_auth.py", text


def d_notebook_openai(r):
    ok = K(openai_key(r))
    hf = K(hf_tok(r))
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "# Summarising customer reviews with GPT\n", "\n",
            "Quick experiment for the reviews dashboard. Uses `gpt-3.5-turbo` and a HF sentiment model."]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": [
            "import pandas as pd\n", "import openai\n", "from transformers import pipeline\n"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": [
            "openai.api_key = \"@@OK@@\"\n",
            "HF_TOKEN = \"@@HF@@\"\n",
            "clf = pipeline(\"sentiment-analysis\", model=\"distilbert-base-uncased-finetuned-sst-2-english\", token=HF_TOKEN)"]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [
            {"data": {"text/plain": ["(1250, 4)"]}, "execution_count": 3, "metadata": {},
             "output_type": "execute_result"}], "source": [
            "from sqlalchemy import create_engine\n",
            "engine = create_engine(\"postgresql://analyst:@@PW@@@reviews-db.lumenhq.com:5432/reviews\")\n",
            "df = pd.read_sql(\"SELECT * FROM reviews WHERE created_at > now() - interval '30 days'\", engine)\n",
            "df.shape"]},
        {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [], "source": [
            "def summarise(text):\n",
            "    r = openai.ChatCompletion.create(\n",
            "        model=\"gpt-3.5-turbo\",\n",
            "        messages=[{\"role\": \"user\", \"content\": f\"Summarise: {text}\"}],\n",
            "        temperature=0.2,\n", "    )\n",
            "    return r.choices[0].message.content\n"]},
        {"cell_type": "code", "execution_count": 5, "metadata": {}, "outputs": [
            {"name": "stdout", "output_type": "stream", "text": [
                "Great battery life but the strap broke after two weeks.\n"]}], "source": [
            "print(summarise(df.review[0]))"]},
    ]
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                       "name": "python3"},
                                       "language_info": {"name": "python", "version": "3.10.12"}},
          "nbformat": 4, "nbformat_minor": 5}
    dbpw = P(quote(f"{r.choice(_WORDS)}@{r.randint(1000, 9999)}{r.choice('#!?')}", safe=""))
    text = json.dumps(nb, indent=1).replace("@@OK@@", ok).replace("@@HF@@", hf)
    text = text.replace("@@PW@@", dbpw)
    return "notebooks/review_summaries.ipynb", text + "\n"


def d_fabfile(r):
    web = ip4(r)
    db = ip4(r)
    deploy_pw = pw(r, syms="!#%")
    sudo_pw = pw_human(r, syms="!#")
    text = _fill(r'''from fabric import Connection, task
from invoke import Responder

# servers
WEB = "deploy@«web»"
DB = "root@«db»"

REPO = "git@github.com:studio-nine/shopfront.git"
APP_DIR = "/srv/shopfront"

sudopass = Responder(pattern=r"\[sudo\] password:", response="«sudo_pw»\n")


def _conn(host):
    return Connection(host, connect_kwargs={"password": "«deploy_pw»"})


@task
def deploy(c, branch="main"):
    con = _conn(WEB)
    with con.cd(APP_DIR):
        con.run(f"git fetch origin && git checkout {branch} && git pull")
        con.run("venv/bin/pip install -r requirements.txt -q")
        con.run("venv/bin/python manage.py migrate --noinput")
        con.run("venv/bin/python manage.py collectstatic --noinput")
    con.run("sudo systemctl restart shopfront", pty=True, watchers=[sudopass])


@task
def backup_db(c):
    con = _conn(DB)
    con.run("pg_dump -U shop shop | gzip > /var/backups/shop-$(date +%F).sql.gz")


@task
def logs(c, n=100):
    _conn(WEB).run(f"journalctl -u shopfront -n {n} --no-pager")
''', web=I(web), db=I(db), deploy_pw=P(deploy_pw), sudo_pw=P(sudo_pw))
    return "fabfile.py", text


def d_boto_upload(r):
    kid = K(aws_id(r))
    sec = K(aws_secret(r))
    text = _fill(r'''#!/usr/bin/env python3
"""Upload the nightly exports to S3 and print presigned links."""
import sys
from datetime import datetime
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

# credentials of the "exports-uploader" IAM user
# (the ones in the docs are AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)
s3 = boto3.client(
    "s3",
    region_name="eu-west-1",
    aws_access_key_id="«kid»",
    aws_secret_access_key="«sec»",
)

BUCKET = "acme-nightly-exports"
KMS_KEY = "arn:aws:kms:eu-west-1:«acct»:key/«kms»"


def upload(path: Path) -> str:
    key = f"{datetime.utcnow():%Y/%m/%d}/{path.name}"
    try:
        s3.upload_file(
            str(path), BUCKET, key,
            ExtraArgs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY},
        )
    except ClientError as exc:
        print(f"upload failed for {path}: {exc}", file=sys.stderr)
        raise
    return s3.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=7 * 24 * 3600
    )


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "exports")
    for f in sorted(out.glob("*.csv.gz")):
        print(f.name, upload(f))
''', kid=kid, sec=sec, acct=r.randint(10**11, 10**12 - 1), kms=_uuid(r))
    return "scripts/upload_exports.py", text


def d_mqtt_logger(r):
    broker = I(ip4(r))
    mpw = P(pw(r, syms="!#"))
    local = priv4(r)
    text = _fill(r'''"""Subscribe to the greenhouse sensors and push readings into InfluxDB."""
import json
import time

import paho.mqtt.client as mqtt
from influxdb_client import InfluxDBClient, Point
from influxdb_client.client.write_api import SYNCHRONOUS

BROKER = "«broker»"          # VPS running mosquitto
# BROKER = "«local»"     # raspberry pi at home
PORT = 1883
MQTT_USER = "greenhouse"
MQTT_PASS = "«mpw»"
TOPICS = [("greenhouse/+/temperature", 0), ("greenhouse/+/humidity", 0)]

influx = InfluxDBClient(
    url="http://localhost:8086",
    token="«itok»",
    org="home",
)
write_api = influx.write_api(write_options=SYNCHRONOUS)


def on_connect(client, userdata, flags, rc):
    print("connected with result code", rc)
    client.subscribe(TOPICS)


def on_message(client, userdata, msg):
    _, room, metric = msg.topic.split("/")
    try:
        value = float(json.loads(msg.payload)["value"])
    except (ValueError, KeyError):
        return
    point = Point(metric).tag("room", room).field("value", value)
    write_api.write(bucket="sensors", record=point)


client = mqtt.Client(client_id="influx-bridge")
client.username_pw_set(MQTT_USER, MQTT_PASS)
client.on_connect = on_connect
client.on_message = on_message

while True:
    try:
        client.connect(BROKER, PORT, keepalive=60)
        client.loop_forever()
    except OSError as e:
        print("connection failed:", e)
        time.sleep(10)
''', broker=broker, mpw=mpw, local=local, itok=K(_b64(r, 64).replace("+", "-").replace("/", "_")))
    return "bridge/mqtt_to_influx.py", text


def d_seed_db(r):
    host = I(ip4(r))
    dpw = P(pw_random(r, syms="!#%^"))
    people = [_person(r) for _ in range(3)]
    mails = [email(r, None, f, l) for f, l in people]
    text = _fill(r'''"""Seed the staging database with a few demo customers."""
import psycopg2
from psycopg2.extras import execute_values

conn = psycopg2.connect(
    host="«host»",
    port=5432,
    dbname="crm_staging",
    user="crm",
    password="«dpw»",
    sslmode="require",
)

CUSTOMERS = [
    ("«n0»", "«m0»", "PT", 3),
    ("«n1»", "«m1»", "DE", 1),
    ("«n2»", "«m2»", "US", 7),
]

with conn, conn.cursor() as cur:
    cur.execute("TRUNCATE customers RESTART IDENTITY CASCADE")
    execute_values(
        cur,
        "INSERT INTO customers (name, email, country, tier) VALUES %s",
        CUSTOMERS,
    )
    cur.execute("SELECT count(*) FROM customers")
    print("customers:", cur.fetchone()[0])

conn.close()
''', host=host, dpw=dpw, n0=display(*people[0]), n1=display(*people[1]), n2=display(*people[2]),
                 m0=E(mails[0]), m1=E(mails[1]), m2=E(mails[2]))
    return "scripts/seed_staging.py", text


def d_slack_alerts(r):
    hook = K(slack_hook(r))
    bot = K(xoxb(r))
    text = _fill(r'''import json
import os
import urllib.request

from slack_sdk import WebClient

# incoming webhook for #alerts (posting only)
WEBHOOK_URL = "https://hooks.slack.com/services/«hook»"

# used to verify the slash-command requests
SLACK_SIGNING_SECRET = "«sign»"

# bot token, needed to upload files
slack = WebClient(token="«bot»")
CHANNEL = "C04QF3M9K2L"


def post_alert(title: str, body: str, level: str = "warning") -> None:
    color = {"info": "#439FE0", "warning": "#f2c744", "error": "#d00000"}[level]
    payload = {
        "attachments": [
            {"color": color, "title": title, "text": body, "footer": os.uname().nodename}
        ]
    }
    req = urllib.request.Request(
        WEBHOOK_URL,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=5)


def upload_report(path: str) -> None:
    slack.files_upload_v2(channel=CHANNEL, file=path, title="daily report")


if __name__ == "__main__":
    post_alert("disk usage", "/dev/sda1 at 91%", "error")
''', hook=hook, bot=bot, sign=K(_hex(r, 32)))
    return "monitoring/slack_alerts.py", text


def d_service_account_json(r):
    proj = f"{r.choice(['pantry', 'tracker', 'homelab', 'fleet'])}-{r.randint(100000, 999999)}"
    key = K(pem(r, "PRIVATE KEY", lines=r.randint(20, 26), sep="\\n"))
    sa = E(f"{r.choice(['firebase-adminsdk-x1k9q', 'sheets-writer', 'ci-deployer'])}@{proj}.iam.gserviceaccount.com")
    cid = r.randint(10**20, 10**21)
    text = _fill(r'''{
  "type": "service_account",
  "project_id": "«proj»",
  "private_key": "«key»\n",
  "client_email": "«sa»",
  "client_id": "«cid»",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
''', proj=proj, key=key, sa=sa, cid=cid)
    return "credentials/service-account.json", text


def d_stripe_checkout(r):
    sk = K(stripe_sk(r))
    wh = K(whsec(r))
    pk = stripe_pk(r)
    text = _fill(r'''import stripe
from flask import Flask, jsonify, redirect, request

app = Flask(__name__, static_folder="public", static_url_path="")

# This is your live secret API key.
stripe.api_key = "«sk»"
STRIPE_PUBLISHABLE_KEY = "«pk»"  # safe to expose, used by checkout.js
endpoint_secret = "«wh»"

YOUR_DOMAIN = "https://shop.pixelcanopy.studio"


@app.route("/config")
def config():
    return jsonify(publishableKey=STRIPE_PUBLISHABLE_KEY)


@app.route("/create-checkout-session", methods=["POST"])
def create_checkout_session():
    try:
        session = stripe.checkout.Session.create(
            line_items=[{"price": request.form["price_id"], "quantity": 1}],
            mode="payment",
            success_url=YOUR_DOMAIN + "/success.html",
            cancel_url=YOUR_DOMAIN + "/cancel.html",
        )
    except Exception as e:
        return str(e), 400
    return redirect(session.url, code=303)


@app.route("/webhook", methods=["POST"])
def webhook():
    payload = request.data
    sig_header = request.headers.get("Stripe-Signature")
    try:
        event = stripe.Webhook.construct_event(payload, sig_header, endpoint_secret)
    except (ValueError, stripe.error.SignatureVerificationError):
        return "bad payload", 400
    if event["type"] == "checkout.session.completed":
        print("payment ok:", event["data"]["object"]["id"])
    return jsonify(success=True)


if __name__ == "__main__":
    app.run(port=4242)
''', sk=sk, wh=wh, pk=pk)
    return "server.py", text


def d_conftest_redis(r):
    rpw = P(pw_random(r, n=r.randint(12, 20), syms=""))
    tok = K(jwt(r))
    uid = _uuid(r)
    text = _fill(r'''import pytest
import redis
from fastapi.testclient import TestClient

from app.main import app
from app.deps import get_redis

TEST_REDIS_URL = "redis://:«rpw»@localhost:6380/15"
TEST_DATABASE_URL = "postgresql+asyncpg://app_test:«dbpw»@localhost:5433/app_test"

# long-lived token for the "ci-bot" service user (staging signing key)
CI_TOKEN = "«tok»"
CI_USER_ID = "«uid»"


@pytest.fixture(scope="session")
def redis_client():
    r = redis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    yield r
    r.flushdb()


@pytest.fixture
def client(redis_client):
    app.dependency_overrides[get_redis] = lambda: redis_client
    with TestClient(app) as c:
        c.headers.update({"Authorization": f"Bearer {CI_TOKEN}"})
        yield c
    app.dependency_overrides.clear()


@pytest.fixture
def anon_client():
    with TestClient(app) as c:
        yield c
''', rpw=rpw, tok=tok, uid=uid, dbpw=P(pw(r, syms="_")))
    return "tests/conftest.py", text


def d_ldap_sync(r):
    srv = I(ip4(r))
    bpw = P(pw(r, syms="!#$%"))
    dom = r.choice(_ORGS)
    notify = E(email(r, dom))
    text = _fill(r'''#!/usr/bin/env python3
# Sync active directory users into the wiki's user table.
# Runs from cron on wiki01 every 30 minutes.

import logging
import sqlite3

from ldap3 import ALL, NTLM, SUBTREE, Connection, Server

LDAP_HOST = "«srv»"
BIND_USER = "CORP\\svc_wikisync"
BIND_PASSWORD = "«bpw»"
BASE_DN = "OU=Staff,DC=corp,DC=local"
NOTIFY = "«notify»"

logging.basicConfig(filename="/var/log/wikisync.log", level=logging.INFO)


def fetch_users():
    server = Server(LDAP_HOST, port=636, use_ssl=True, get_info=ALL)
    conn = Connection(server, user=BIND_USER, password=BIND_PASSWORD, authentication=NTLM,
                      auto_bind=True)
    conn.search(
        BASE_DN,
        "(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))",
        search_scope=SUBTREE,
        attributes=["sAMAccountName", "mail", "displayName"],
    )
    for entry in conn.entries:
        yield str(entry.sAMAccountName), str(entry.mail), str(entry.displayName)
    conn.unbind()


def main():
    db = sqlite3.connect("/srv/wiki/data/users.db")
    n = 0
    for login, mail, name in fetch_users():
        db.execute(
            "INSERT INTO users(login, mail, name) VALUES (?, ?, ?) "
            "ON CONFLICT(login) DO UPDATE SET mail=excluded.mail, name=excluded.name",
            (login, mail, name),
        )
        n += 1
    db.commit()
    logging.info("synced %d users", n)


if __name__ == "__main__":
    main()
''', srv=srv, bpw=bpw, notify=notify)
    return "tools/wikisync.py", text


def d_setup_py(r):
    f1, l1 = _person(r)
    f2, l2 = _person(r)
    a = E(email(r, r.choice(_FREE), f1, l1))
    m = E(email(r, r.choice(_ORGS), f2, l2))
    text = _fill(r'''#!/usr/bin/env python
import io
import os

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))

with io.open(os.path.join(here, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

about = {}
with open(os.path.join(here, "tinyqueue", "__version__.py")) as f:
    exec(f.read(), about)

setup(
    name="tinyqueue",
    version=about["__version__"],
    description="A tiny persistent job queue backed by SQLite.",
    long_description=long_description,
    long_description_content_type="text/markdown",
    author="«a_name»",
    author_email="«a»",
    maintainer="«m_name»",
    maintainer_email="«m»",
    url="https://github.com/«gh»/tinyqueue",
    packages=find_packages(exclude=["tests", "tests.*"]),
    python_requires=">=3.8",
    install_requires=["click>=8.0", "attrs>=21.4.0"],
    extras_require={"dev": ["pytest>=7.2.0", "black==23.3.0", "mypy==1.4.1"]},
    entry_points={"console_scripts": ["tq=tinyqueue.cli:main"]},
    license="MIT",
    classifiers=[
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Operating System :: OS Independent",
    ],
)
''', a_name=display(f1, l1), a=a, m_name=display(f2, l2), m=m, gh=f1 + l1[:3])
    return "setup.py", text


# =============================================================================================
# documents: JavaScript / TypeScript
# =============================================================================================


def d_mongoose_db(r):
    mpw = P(pw_random(r, syms=""))
    jwt_secret = K(_rs(r, 64, _HX))
    text = _fill(r'''const mongoose = require('mongoose');
const jwt = require('jsonwebtoken');

// const MONGO_URI = process.env.MONGO_URI;
const MONGO_URI = 'mongodb+srv://devconnector:«mpw»@devconnector.b3xk1.mongodb.net/devconnector?retryWrites=true&w=majority';
const JWT_SECRET = '«jwt_secret»';

const connectDB = async () => {
  try {
    await mongoose.connect(MONGO_URI, {
      useNewUrlParser: true,
      useUnifiedTopology: true,
    });
    console.log('MongoDB Connected...');
  } catch (err) {
    console.error(err.message);
    // Exit process with failure
    process.exit(1);
  }
};

const signToken = (user) =>
  new Promise((resolve, reject) => {
    jwt.sign({ user: { id: user.id } }, JWT_SECRET, { expiresIn: '5 days' }, (err, token) => {
      if (err) return reject(err);
      resolve(token);
    });
  });

const verifyToken = (token) => jwt.verify(token, JWT_SECRET);

module.exports = { connectDB, signToken, verifyToken };
''', mpw=mpw, jwt_secret=jwt_secret)
    return "config/db.js", text


def d_node_dotenv(r):
    host = I(ip4(r))
    dpw = P(pw(r, syms="!#%*"))
    jwt_s = K(_b64(r, 48))
    sk = K(stripe_sk(r))
    sg = K(sendgrid(r))
    mail_from = E(email(r, r.choice(_ORGS)))
    gcs = K(gcp_client_secret(r))
    text = _fill(r'''# ------------------------------------------------------------
# server
# ------------------------------------------------------------
NODE_ENV=development
PORT=5000
CLIENT_URL=http://localhost:3000

# ------------------------------------------------------------
# database
# ------------------------------------------------------------
DB_HOST=«host»
DB_PORT=5432
DB_USER=eventify
DB_PASS=«dpw»
DB_NAME=eventify_dev
REDIS_URL=redis://default:«rpw»@redis-14021.c250.eu-central-1-1.ec2.cloud.redislabs.com:14021

# ------------------------------------------------------------
# auth
# ------------------------------------------------------------
JWT_SECRET=«jwt_s»
JWT_EXPIRES_IN=7d
GOOGLE_CLIENT_ID=«gcid»
GOOGLE_CLIENT_SECRET=«gcs»
GOOGLE_CALLBACK_URL=http://localhost:5000/api/auth/google/callback

# ------------------------------------------------------------
# payments / mail
# ------------------------------------------------------------
STRIPE_SECRET_KEY=«sk»
STRIPE_WEBHOOK_SECRET=
SENDGRID_API_KEY=«sg»
MAIL_FROM=«mail_from»
TWILIO_AUTH_TOKEN=«twa»
''', host=host, dpw=dpw, jwt_s=jwt_s, gcid=google_client_id(r), gcs=gcs, sk=sk, sg=sg,
                 mail_from=mail_from, rpw=P(pw_random(r, n=32, syms="")), twa=K(_hex(r, 32)))
    return "server/.env", text


def d_firebase_ts(r):
    ak = K(google_key(r))
    proj = f"{r.choice(['chatty', 'todo-app', 'recipebox', 'gymlog'])}-{_rs(r, 5, _LO + _DG)}"
    sender = r.randint(10**10, 10**12)
    text = _fill(r'''// Import the functions you need from the SDKs you need
import { initializeApp } from 'firebase/app';
import { getAuth, GoogleAuthProvider } from 'firebase/auth';
import { getFirestore } from 'firebase/firestore';
import { getStorage } from 'firebase/storage';
import { getAnalytics, isSupported } from 'firebase/analytics';

// TODO: Add SDKs for Firebase products that you want to use
// https://firebase.google.com/docs/web/setup#available-libraries

// Your web app's Firebase configuration
const firebaseConfig = {
  apiKey: '«ak»',
  authDomain: '«proj».firebaseapp.com',
  projectId: '«proj»',
  storageBucket: '«proj».appspot.com',
  messagingSenderId: '«sender»',
  appId: '1:«sender»:web:«appid»',
  measurementId: 'G-«mid»',
};

// Initialize Firebase
export const app = initializeApp(firebaseConfig);
export const auth = getAuth(app);
export const db = getFirestore(app);
export const storage = getStorage(app);
export const googleProvider = new GoogleAuthProvider();

isSupported().then((ok) => {
  if (ok) getAnalytics(app);
});
''', ak=ak, proj=proj, sender=sender, appid=_hex(r, 22), mid=_rs(r, 10, _UP + _DG))
    return "src/lib/firebase.ts", text


def d_nodemailer(r):
    user = email(r, r.choice(["zoho.com", "outlook.com", "gmail.com"]))
    mpw = P(pw(r, syms="!#*"))
    to1, to2 = email(r), email(r, r.choice(_ORGS))
    text = _fill(r'''const nodemailer = require('nodemailer');

// create reusable transporter object using the default SMTP transport
const transporter = nodemailer.createTransport({
  host: 'smtp.zoho.com',
  port: 465,
  secure: true, // true for 465, false for other ports
  auth: {
    user: '«user»',
    pass: '«mpw»',
  },
});

async function sendContactForm({ name, email, message }) {
  const info = await transporter.sendMail({
    from: '"Portfolio contact form" <«user»>',
    to: '«to1»',
    cc: '«to2»',
    replyTo: email,
    subject: `New message from ${name}`,
    text: message,
    html: `<p><b>${name}</b> (${email}) wrote:</p><p>${message}</p>`,
  });
  console.log('Message sent: %s', info.messageId);
  return info;
}

module.exports = { sendContactForm };
''', user=E(user), mpw=mpw, to1=E(to1), to2=E(to2))
    return "api/mailer.js", text


def d_package_json(r):
    people = [_person(r) for _ in range(3)]
    mails = [email(r, None, f, l) for f, l in people]
    gh = people[0][0] + people[0][1]
    text = _fill(r'''{
  "name": "@«gh»/react-tiny-carousel",
  "version": "2.3.1",
  "description": "A dependency-free, accessible carousel component for React",
  "main": "dist/index.cjs.js",
  "module": "dist/index.esm.js",
  "types": "dist/index.d.ts",
  "files": [
    "dist"
  ],
  "repository": {
    "type": "git",
    "url": "git+ssh://git@github.com/«gh»/react-tiny-carousel.git"
  },
  "author": "«n0» <«m0»> (https://«gh».dev)",
  "contributors": [
    "«n1» <«m1»>",
    {
      "name": "«n2»",
      "email": "«m2»"
    }
  ],
  "license": "MIT",
  "bugs": {
    "url": "https://github.com/«gh»/react-tiny-carousel/issues"
  },
  "scripts": {
    "build": "rollup -c",
    "test": "jest",
    "lint": "eslint src --ext .ts,.tsx",
    "prepublishOnly": "npm run build"
  },
  "peerDependencies": {
    "react": ">=16.8.0",
    "react-dom": ">=16.8.0"
  },
  "devDependencies": {
    "@rollup/plugin-typescript": "^11.1.2",
    "@testing-library/react": "^14.0.0",
    "@types/react": "^18.2.15",
    "eslint": "^8.45.0",
    "jest": "^29.6.1",
    "rollup": "^3.26.3",
    "typescript": "^5.1.6"
  },
  "packageManager": "pnpm@8.6.10",
  "publishConfig": {
    "access": "public"
  }
}
''', gh=gh, n0=display(*people[0]), m0=E(mails[0]), n1=display(*people[1]), m1=E(mails[1]),
                 n2=display(*people[2]), m2=E(mails[2]))
    return "package.json", text


def d_npmrc(r):
    t1 = K(npm_tok(r))
    t2 = K(ghp(r))
    em = E(email(r))
    text = _fill(r'''registry=https://registry.npmjs.org/
@northwind:registry=https://npm.pkg.github.com
//registry.npmjs.org/:_authToken=«t1»
//npm.pkg.github.com/:_authToken=«t2»
email=«em»
always-auth=true
save-exact=true
engine-strict=true
''', t1=t1, t2=t2, em=em)
    return ".npmrc", text


def d_express_server_ts(r):
    sess = K(_rs(r, 32, _AN + "-_"))
    apw = P(pw(r, syms="!#%"))
    mpw = P(pw_human(r, syms="!"))
    text = _fill(r'''import express, { Request, Response } from 'express';
import session from 'express-session';
import basicAuth from 'express-basic-auth';
import helmet from 'helmet';
import morgan from 'morgan';
import { router as apiRouter } from './routes/api';

const app = express();
const PORT = Number(process.env.PORT) || 8080;

app.use(helmet());
app.use(morgan('tiny'));
app.use(express.json());
app.use(
  session({
    secret: '«sess»',
    resave: false,
    saveUninitialized: false,
    cookie: { secure: process.env.NODE_ENV === 'production', maxAge: 1000 * 60 * 60 * 24 },
  }),
);

// protect the bull-board / admin routes
app.use(
  '/admin',
  basicAuth({
    users: { ops: '«apw»', marketing: '«mpw»' },
    challenge: true,
    realm: 'queue-admin',
  }),
);

app.use('/api', apiRouter);

app.get('/healthz', (_req: Request, res: Response) => {
  res.json({ ok: true, uptime: process.uptime() });
});

app.listen(PORT, '0.0.0.0', () => {
  console.log(`server listening on http://0.0.0.0:${PORT}`);
});
''', sess=sess, apw=apw, mpw=mpw)
    return "src/server.ts", text


def d_cypress_users(r):
    dom = r.choice(_ORGS)
    rows, seen = [], set()
    for role in ("admin", "manager", "member", "suspended"):
        m = email(r, dom)
        while m in seen:
            m = email(r, dom)
        seen.add(m)
        rows.append((role, m, pw(r, syms="!@#$")))
    parts = []
    for role, m, p in rows:
        parts.append(_fill(r'''  "«role»": {
    "email": "«m»",
    "password": "«p»",
    "displayName": "«dn»"
  }''', role=role, m=E(m), p=P(p), dn=role.capitalize() + " Tester"))
    text = "{\n" + ",\n".join(parts) + ',\n  "invalid": {\n    "email": "nobody",\n    "password": ""\n  }\n}\n'
    return "cypress/fixtures/users.json", text


def d_vite_config(r):
    api = ip4(r)
    key = K(_rs(r, 32, _LO + _DG))
    text = _fill(r'''import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import path from 'node:path';

// https://vitejs.dev/config/
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: {
      '@': path.resolve(__dirname, './src'),
    },
  },
  define: {
    // the backend doesn't do CORS yet so we proxy everything in dev
    __API_KEY__: JSON.stringify('«key»'),
    __APP_VERSION__: JSON.stringify('1.4.0'),
  },
  server: {
    host: '0.0.0.0',
    port: 5173,
    proxy: {
      '/api': {
        target: 'http://«api»:8080',
        changeOrigin: true,
        rewrite: (p) => p.replace(/^\/api/, ''),
      },
      '/ws': {
        target: 'ws://«api»:8080',
        ws: true,
      },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
  },
});
''', key=key, api=I(api))
    return "vite.config.ts", text


def d_discord_js(r):
    tok = K(discord_tok(r))
    yt = K(google_key(r))
    owner = r.randint(10**17, 10**18)
    text = _fill(r'''const { Client, GatewayIntentBits, EmbedBuilder } = require('discord.js');
const axios = require('axios');

const client = new Client({
  intents: [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.MessageContent,
  ],
});

const PREFIX = '!';
const OWNER_ID = '«owner»';
const YOUTUBE_KEY = '«yt»';

client.once('ready', () => {
  console.log(`Logged in as ${client.user.tag}!`);
  client.user.setActivity('!yt <query>');
});

client.on('messageCreate', async (message) => {
  if (message.author.bot || !message.content.startsWith(PREFIX)) return;
  const [cmd, ...args] = message.content.slice(PREFIX.length).trim().split(/ +/);

  if (cmd === 'ping') {
    return message.reply(`pong (${client.ws.ping}ms)`);
  }

  if (cmd === 'yt') {
    const q = encodeURIComponent(args.join(' '));
    const { data } = await axios.get(
      `https://www.googleapis.com/youtube/v3/search?part=snippet&type=video&maxResults=1&q=${q}&key=${YOUTUBE_KEY}`,
    );
    if (!data.items.length) return message.reply('nothing found');
    const v = data.items[0];
    const embed = new EmbedBuilder()
      .setTitle(v.snippet.title)
      .setURL(`https://youtu.be/${v.id.videoId}`)
      .setThumbnail(v.snippet.thumbnails.high.url);
    return message.channel.send({ embeds: [embed] });
  }

  if (cmd === 'shutdown' && message.author.id === OWNER_ID) {
    await message.reply('bye');
    process.exit(0);
  }
});

client.login('«tok»');
''', tok=tok, yt=yt, owner=owner)
    return "index.js", text


def d_knexfile(r):
    stg, prod = I(ip4(r)), I(ip4(r))
    p_dev, p_stg, p_prod = P(pw_human(r, syms="!")), P(pw(r, syms="!#%")), P(pw_long(r))
    text = _fill(r'''// Update with your config settings.

/**
 * @type { Object.<string, import("knex").Knex.Config> }
 */
module.exports = {
  development: {
    client: 'postgresql',
    connection: {
      host: '127.0.0.1',
      database: 'tasks_dev',
      user: 'postgres',
      password: '«p_dev»',
    },
    migrations: { directory: './db/migrations' },
    seeds: { directory: './db/seeds' },
  },

  staging: {
    client: 'postgresql',
    connection: {
      host: '«stg»',
      database: 'tasks',
      user: 'tasks_app',
      password: '«p_stg»',
    },
    pool: { min: 2, max: 10 },
    migrations: { tableName: 'knex_migrations', directory: './db/migrations' },
  },

  production: {
    client: 'postgresql',
    connection: `postgres://tasks_app:«p_prod»@«prod»:5432/tasks?ssl=true`,
    pool: { min: 2, max: 20 },
    migrations: { tableName: 'knex_migrations', directory: './db/migrations' },
  },
};
''', stg=stg, prod=prod, p_dev=p_dev, p_stg=p_stg, p_prod=p_prod)
    return "knexfile.js", text


def d_supertest_spec(r):
    tok = K(jwt(r, alg=r.choice(["HS256", "HS512"])))
    user, pwd = "ci-runner", pw_random(r, syms="")
    basic = K(base64.b64encode(f"{user}:{pwd}".encode()).decode())
    text = _fill(r'''import request from 'supertest';
import { describe, it, expect, beforeAll } from 'vitest';
import { createApp } from '../src/app';

const ADMIN_JWT =
  '«tok»';

describe('GET /api/v1/reports', () => {
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    app = await createApp({ database: ':memory:' });
  });

  it('rejects anonymous requests', async () => {
    const res = await request(app).get('/api/v1/reports');
    expect(res.status).toBe(401);
  });

  it('returns reports for an admin token', async () => {
    const res = await request(app)
      .get('/api/v1/reports')
      .set('Authorization', `Bearer ${ADMIN_JWT}`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.items)).toBe(true);
  });

  it('accepts basic auth for the metrics endpoint', async () => {
    const res = await request(app)
      .get('/metrics')
      .set('Authorization', 'Basic «basic»');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_requests_total');
  });
});
''', tok=tok, basic=basic)
    return "test/reports.spec.ts", text



# =============================================================================================
# documents: Java / Kotlin / Android
# =============================================================================================


def d_spring_properties(r):
    host = I(ip4(r))
    dpw = P(pw(r, syms="!#%*"))
    mail = E(email(r, "gmail.com"))
    mpw = P(_rs(r, 16, _LO))
    js = K(_b64(r, 64))
    text = _fill(r'''spring.application.name=library-service
server.port=8081
server.servlet.context-path=/api

# ===============================
# DATASOURCE
# ===============================
spring.datasource.url=jdbc:mysql://«host»:3306/library?useSSL=false&serverTimezone=UTC&allowPublicKeyRetrieval=true
spring.datasource.username=library
spring.datasource.password=«dpw»
spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver

# ===============================
# JPA / HIBERNATE
# ===============================
spring.jpa.hibernate.ddl-auto=update
spring.jpa.show-sql=true
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.MySQL8Dialect

# ===============================
# MAIL
# ===============================
spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=«mail»
spring.mail.password=«mpw»
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true

# ===============================
# SECURITY
# ===============================
app.jwt.secret=«js»
app.jwt.expiration-ms=86400000
app.cors.allowed-origins=http://localhost:4200

management.endpoints.web.exposure.include=health,info
logging.level.org.springframework.security=DEBUG
''', host=host, dpw=dpw, mail=mail, mpw=mpw, js=js)
    return "src/main/resources/application.properties", text


def d_spring_yaml(r):
    pg = I(ip4(r))
    pg_pw = P(pw(r, syms="!#%"))
    redis_pw = P(pw_random(r, n=20, syms=""))
    rabbit = I(ip4(r))
    rabbit_pw = P(pw_human(r, syms="!"))
    text = _fill(r'''server:
  port: 8080
  shutdown: graceful

spring:
  application:
    name: order-service
  profiles:
    active: dev
  datasource:
    url: jdbc:postgresql://«pg»:5432/orders
    username: orders
    password: «pg_pw»
    hikari:
      maximum-pool-size: 10
      connection-timeout: 30000
  jpa:
    open-in-view: false
    hibernate:
      ddl-auto: validate
  flyway:
    enabled: true
    locations: classpath:db/migration
  data:
    redis:
      host: localhost
      port: 6379
      password: «redis_pw»
  rabbitmq:
    host: «rabbit»
    port: 5672
    username: orders
    password: "«rabbit_pw»"
    virtual-host: /orders

eureka:
  client:
    service-url:
      defaultZone: http://localhost:8761/eureka/

management:
  endpoints:
    web:
      exposure:
        include: "health,prometheus"

logging:
  level:
    root: INFO
    com.shopline.orders: DEBUG
''', pg=pg, pg_pw=pg_pw, redis_pw=redis_pw, rabbit=rabbit, rabbit_pw=rabbit_pw)
    return "order-service/src/main/resources/application.yml", text


def d_java_mail(r):
    user = E(email(r, r.choice(["outlook.com", "yahoo.com", "gmx.de"])))
    mpw = P(pw(r, syms="!#%&"))
    text = _fill(r'''package com.hotelbooking.service;

import java.util.Properties;

import javax.mail.Authenticator;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.PasswordAuthentication;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

@Service
public class MailService implements NotificationService {

    private static final String SMTP_HOST = "smtp.office365.com";
    private static final String FROM = "«user»";

    private final Session session;

    public MailService() {
        Properties props = new Properties();
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.host", SMTP_HOST);
        props.put("mail.smtp.port", "587");
        this.session = Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(FROM, "«mpw»");
            }
        });
    }

    @Async
    @Override
    public void sendBookingConfirmation(String to, String guestName, String bookingRef) {
        try {
            Message message = new MimeMessage(session);
            message.setFrom(new InternetAddress(FROM, "Hotel Booking"));
            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
            message.setSubject("Your booking " + bookingRef);
            message.setText("Dear " + guestName + ",\n\nyour booking " + bookingRef
                    + " is confirmed.\n\nKind regards");
            Transport.send(message);
        } catch (MessagingException | java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException("could not send mail", e);
        }
    }
}
''', user=user, mpw=mpw)
    return "src/main/java/com/hotelbooking/service/MailService.java", text


def d_java_jdbc(r):
    host = I(ip4(r))
    base = pw_human(r, syms="")
    esc = P(base[:4] + '\\"' + base[4:] + str(r.randint(0, 9)))
    text = _fill(r'''package dao;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import model.Student;

/**
 * DBMS project - group 7
 * Connection helper for the student registration system.
 */
public class DatabaseConnection {

    private static final String URL = "jdbc:mysql://«host»:3306/student_registration";
    private static final String USER = "group7";
    private static final String PASSWORD = "«esc»";

    private static Connection connection;

    public static Connection getConnection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            try {
                Class.forName("com.mysql.cj.jdbc.Driver");
            } catch (ClassNotFoundException e) {
                System.out.println("MySQL driver not found");
            }
            connection = DriverManager.getConnection(URL, USER, PASSWORD);
        }
        return connection;
    }

    public static List<Student> findByCourse(String courseCode) throws SQLException {
        List<Student> out = new ArrayList<>();
        String sql = "SELECT s.id, s.name, s.email FROM students s "
                + "JOIN enrolments e ON e.student_id = s.id WHERE e.course_code = ?";
        try (PreparedStatement ps = getConnection().prepareStatement(sql)) {
            ps.setString(1, courseCode);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Student(rs.getInt("id"), rs.getString("name"), rs.getString("email")));
                }
            }
        }
        return out;
    }
}
''', host=host, esc=esc)
    return "src/dao/DatabaseConnection.java", text


def d_build_gradle(r):
    npw = P(pw(r, syms="!#%"))
    sonar = K(sonar_tok(r))
    sign_pw = P(pw_human(r, syms="!"))
    text = _fill(r'''plugins {
    id 'java-library'
    id 'maven-publish'
    id 'signing'
    id 'org.sonarqube' version '4.4.1.3373'
}

group = 'io.brightloop'
version = '0.9.2-SNAPSHOT'

java {
    toolchain {
        languageVersion = JavaLanguageVersion.of(17)
    }
    withSourcesJar()
    withJavadocJar()
}

repositories {
    mavenCentral()
    maven {
        url 'https://nexus.brightloop.io/repository/maven-public/'
        credentials {
            username 'ci-deployer'
            password '«npw»'
        }
    }
}

dependencies {
    api 'com.fasterxml.jackson.core:jackson-databind:2.15.2'
    implementation 'org.slf4j:slf4j-api:2.0.7'
    testImplementation 'org.junit.jupiter:junit-jupiter:5.10.0'
}

sonar {
    properties {
        property 'sonar.projectKey', 'brightloop_json-patch'
        property 'sonar.host.url', 'https://sonarcloud.io'
        property 'sonar.login', '«sonar»'
    }
}

ext['signing.keyId'] = '«keyid»'
ext['signing.password'] = '«sign_pw»'
ext['signing.secretKeyRingFile'] = "${rootDir}/secring.gpg"

publishing {
    publications {
        mavenJava(MavenPublication) {
            from components.java
        }
    }
}

tasks.named('test') {
    useJUnitPlatform()
}
''', npw=npw, sonar=sonar, keyid=_rs(r, 8, "0123456789ABCDEF"), sign_pw=sign_pw)
    return "build.gradle", text


def d_kotlin_retrofit(r):
    base = I(ip4(r))
    key = K(_hex(r, 32))
    text = _fill(r'''package com.example.moviebuff.network

import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.logging.HttpLoggingInterceptor
import retrofit2.Retrofit
import retrofit2.converter.gson.GsonConverterFactory
import retrofit2.http.GET
import retrofit2.http.Path
import retrofit2.http.Query

private const val TMDB_API_KEY = "«key»"
private const val BASE_URL = "https://api.themoviedb.org/3/"
// self-hosted cache in front of TMDB while we are over the rate limit
private const val CACHE_URL = "http://«base»:3000/"

interface TmdbService {
    @GET("movie/popular")
    suspend fun popular(@Query("page") page: Int = 1): MovieListResponse

    @GET("movie/{id}")
    suspend fun details(@Path("id") id: Long): MovieDetails
}

object ApiClient {
    private val apiKeyInterceptor = Interceptor { chain ->
        val url = chain.request().url.newBuilder()
            .addQueryParameter("api_key", TMDB_API_KEY)
            .build()
        chain.proceed(chain.request().newBuilder().url(url).build())
    }

    private val client = OkHttpClient.Builder()
        .addInterceptor(apiKeyInterceptor)
        .addInterceptor(HttpLoggingInterceptor().apply { level = HttpLoggingInterceptor.Level.BASIC })
        .build()

    fun service(useCache: Boolean = false): TmdbService = Retrofit.Builder()
        .baseUrl(if (useCache) CACHE_URL else BASE_URL)
        .client(client)
        .addConverterFactory(GsonConverterFactory.create())
        .build()
        .create(TmdbService::class.java)
}
''', base=base, key=key)
    return "app/src/main/java/com/example/moviebuff/network/ApiClient.kt", text


def d_gradle_properties(r):
    maps = K(google_key(r))
    sp = pw(r, syms="!#")
    kp = pw(r, syms="!#")
    text = _fill(r'''# Project-wide Gradle settings.
# IDE (e.g. Android Studio) users:
# Gradle settings configured through the IDE *will override*
# any settings specified in this file.
org.gradle.jvmargs=-Xmx2048m -Dfile.encoding=UTF-8
android.useAndroidX=true
android.enableJetifier=true
kotlin.code.style=official
android.nonTransitiveRClass=true

# Google Maps SDK
MAPS_API_KEY=«maps»

# release signing (upload key)
RELEASE_STORE_FILE=../keystore/upload-keystore.jks
RELEASE_STORE_PASSWORD=«sp»
RELEASE_KEY_ALIAS=upload
RELEASE_KEY_PASSWORD=«kp»
''', maps=maps, sp=P(sp), kp=P(kp))
    return "gradle.properties", text


def d_maven_settings(r):
    p1 = P(pw(r, syms="!#%"))
    tok = K(ghp(r))
    text = _fill(r'''<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">

  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>«p1»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deployment</username>
      <password>«p1»</password>
    </server>
    <server>
      <id>github</id>
      <username>corvid-bot</username>
      <password>«tok»</password>
    </server>
  </servers>

  <mirrors>
    <mirror>
      <id>nexus</id>
      <mirrorOf>*,!github</mirrorOf>
      <url>https://nexus.corvid.systems/repository/maven-public/</url>
    </mirror>
  </mirrors>

  <profiles>
    <profile>
      <id>github</id>
      <repositories>
        <repository>
          <id>github</id>
          <url>https://maven.pkg.github.com/corvid-systems/*</url>
          <snapshots><enabled>true</enabled></snapshots>
        </repository>
      </repositories>
    </profile>
  </profiles>

  <activeProfiles>
    <activeProfile>github</activeProfile>
  </activeProfiles>
</settings>
''', p1=p1, tok=tok)
    return ".mvn/settings.xml", text


# =============================================================================================
# documents: C / C++ / Arduino
# =============================================================================================


def d_esp32_sketch(r):
    wifi = P(pw(r, syms="!#"))
    mq = I(ip4(r))
    mqpw = P(pw_random(r, syms=""))
    ts = K(_rs(r, 16, _UP + _DG))
    text = _fill(r'''#include <WiFi.h>
#include <PubSubClient.h>
#include <HTTPClient.h>
#include <DHT.h>
#include <ArduinoOTA.h>

#define DHTPIN 4
#define DHTTYPE DHT22

const char* ssid = "Vodafone-5G-2F81";
const char* password = "«wifi»";

const char* mqtt_server = "«mq»";
const int   mqtt_port = 1883;
const char* mqtt_user = "esp32";
const char* mqtt_pass = "«mqpw»";

String thingspeakKey = "«ts»";

// static IP so the router doesn't move us around
IPAddress local_IP(192, 168, 1, 184);
IPAddress gateway(192, 168, 1, 1);
IPAddress subnet(255, 255, 255, 0);
IPAddress primaryDNS(8, 8, 8, 8);

DHT dht(DHTPIN, DHTTYPE);
WiFiClient espClient;
PubSubClient client(espClient);

void setup_wifi() {
  if (!WiFi.config(local_IP, gateway, subnet, primaryDNS)) {
    Serial.println("STA Failed to configure");
  }
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
    Serial.print(".");
  }
  Serial.println(WiFi.localIP());
}

void reconnect() {
  while (!client.connected()) {
    if (client.connect("ESP32Client", mqtt_user, mqtt_pass)) {
      client.subscribe("home/livingroom/led");
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
  ArduinoOTA.setHostname("weather-station");
  ArduinoOTA.setPassword("«ota»");
  ArduinoOTA.begin();
}

void loop() {
  ArduinoOTA.handle();
  if (!client.connected()) reconnect();
  client.loop();

  float t = dht.readTemperature();
  float h = dht.readHumidity();
  if (isnan(t) || isnan(h)) return;

  client.publish("home/livingroom/temperature", String(t).c_str());
  client.publish("home/livingroom/humidity", String(h).c_str());

  HTTPClient http;
  http.begin("http://api.thingspeak.com/update?api_key=" + thingspeakKey +
             "&field1=" + String(t) + "&field2=" + String(h));
  http.GET();
  http.end();
  delay(60000);
}
''', wifi=wifi, mq=mq, mqpw=mqpw, ts=ts, ota=P(pw_human(r, syms="#")))
    return "firmware/weather_station/weather_station.ino", text


def d_cpp_curl(r):
    host = I(ip4(r))
    upw = P(pw(r, syms="!#%"))
    tok = K(_rs(r, 48, _AN))
    text = _fill(r'''#include <curl/curl.h>
#include <iostream>
#include <string>

// uploader for the telescope camera frames
static const char* kEndpoint = "https://«host»:8443/frames";
static const char* kUserPwd = "observatory:«upw»";
static const char* kAuthHeader = "Authorization: Bearer «tok»";

static size_t write_cb(void* contents, size_t size, size_t nmemb, void* userp) {
    static_cast<std::string*>(userp)->append(static_cast<char*>(contents), size * nmemb);
    return size * nmemb;
}

bool upload_frame(const std::string& path) {
    CURL* curl = curl_easy_init();
    if (!curl) return false;

    std::string response;
    curl_mime* form = curl_mime_init(curl);
    curl_mimepart* part = curl_mime_addpart(form);
    curl_mime_name(part, "frame");
    curl_mime_filedata(part, path.c_str());

    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, kAuthHeader);

    curl_easy_setopt(curl, CURLOPT_URL, kEndpoint);
    curl_easy_setopt(curl, CURLOPT_USERPWD, kUserPwd);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, form);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);  // self-signed cert on the pier box
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);

    CURLcode res = curl_easy_perform(curl);
    if (res != CURLE_OK) {
        std::cerr << "upload failed: " << curl_easy_strerror(res) << std::endl;
    }
    curl_slist_free_all(headers);
    curl_mime_free(form);
    curl_easy_cleanup(curl);
    return res == CURLE_OK;
}
''', host=host, upw=upw, tok=tok)
    return "src/uploader.cpp", text


def d_config_h(r):
    wifi = P(pw_human(r, syms="!#"))
    srv = I(ip4(r))
    api = K(_hex(r, 32))
    blynk = K(_rs(r, 32, _AN + "-_"))
    text = _fill(r'''#ifndef CONFIG_H
#define CONFIG_H

/* ---- firmware ---------------------------------------------------------- */
#define FW_VERSION        "1.4.2.7"
#define DEVICE_NAME       "plant-monitor-03"

/* ---- wifi -------------------------------------------------------------- */
#define WIFI_SSID         "TP-Link_A3C8"
#define WIFI_PASS         "«wifi»"

/* ---- backend ----------------------------------------------------------- */
#define SERVER_IP         "«srv»"
#define SERVER_PORT       5000
#define API_KEY           "«api»"
#define MQTT_USER         "plant03"
#define MQTT_PASSWORD     "«mqpw»"
#define OTA_PASSWORD      "«ota»"

/* ---- blynk ------------------------------------------------------------- */
#define BLYNK_TEMPLATE_ID   "TMPL«tmpl»"
#define BLYNK_TEMPLATE_NAME "Plant Monitor"
#define BLYNK_AUTH_TOKEN    "«blynk»"

/* ---- sensors ----------------------------------------------------------- */
#define SOIL_PIN          34
#define PUMP_PIN          26
#define DRY_THRESHOLD     2800
#define SLEEP_SECONDS     900

#endif /* CONFIG_H */
''', wifi=wifi, srv=srv, api=api, tmpl=_rs(r, 8, _AN), blynk=blynk,
                 mqpw=P(pw_random(r, syms="")), ota=P(pw(r, syms="#!")))
    return "include/config.h", text


def d_cpp_tls_test(r):
    key = pem(r, "EC PRIVATE KEY")
    lines = key.split("\n")
    key_lit = "\\n\"\n    \"".join(lines)  # C string literal pieces
    cert_body = "MIIB" + _rs(r, 60, _B64)
    text = _fill(r'''#include <gtest/gtest.h>
#include "tls/context.h"

namespace {

// Throwaway test certificate + key for the TLS handshake tests (CN=localhost).
const char* kTestCert =
    "-----BEGIN CERTIFICATE-----\n"
    "«cert1»\n"
    "«cert2»\n"
    "-----END CERTIFICATE-----\n";

const char* kTestKey =
    "«key»\n";

}  // namespace

TEST(TlsContext, LoadsPemPair) {
    tls::Context ctx;
    ASSERT_TRUE(ctx.use_certificate_pem(kTestCert));
    ASSERT_TRUE(ctx.use_private_key_pem(kTestKey));
    EXPECT_TRUE(ctx.check_private_key());
}

TEST(TlsContext, RejectsGarbage) {
    tls::Context ctx;
    EXPECT_FALSE(ctx.use_private_key_pem("not a key"));
}

TEST(TlsContext, HandshakeLoopback) {
    tls::Context server_ctx, client_ctx;
    server_ctx.use_certificate_pem(kTestCert);
    server_ctx.use_private_key_pem(kTestKey);
    client_ctx.set_verify(false);
    auto [a, b] = tls::loopback_pair(server_ctx, client_ctx);
    EXPECT_TRUE(a.handshake());
    EXPECT_TRUE(b.handshake());
}
''', cert1=cert_body, cert2=_rs(r, 64, _B64), key=K(key_lit))
    return "tests/tls_context_test.cc", text


# =============================================================================================
# documents: Go
# =============================================================================================


def d_go_mysql(r):
    host = I(ip4(r))
    dpw = P(pw_random(r, syms="!#%^*"))
    text = _fill(r'''package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

type Album struct {
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Artist string  `json:"artist"`
	Price  float32 `json:"price"`
}

var db *sql.DB

func main() {
	var err error
	dsn := "recordings:«dpw»@tcp(«host»:3306)/recordings?parseTime=true&timeout=5s"
	db, err = sql.Open("mysql", dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetConnMaxLifetime(3 * time.Minute)
	db.SetMaxOpenConns(10)

	if err := db.Ping(); err != nil {
		log.Fatal(err)
	}
	log.Println("connected")

	http.HandleFunc("/albums", listAlbums)
	log.Fatal(http.ListenAndServe(":8080", nil))
}

func listAlbums(w http.ResponseWriter, r *http.Request) {
	rows, err := db.Query("SELECT id, title, artist, price FROM album")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()

	var albums []Album
	for rows.Next() {
		var a Album
		if err := rows.Scan(&a.ID, &a.Title, &a.Artist, &a.Price); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		albums = append(albums, a)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(albums)
}
''', host=host, dpw=dpw)
    return "main.go", text


def d_go_config(r):
    js = K(_rs(r, 48, _AN))
    smtp_user = E(email(r, r.choice(_ORGS)))
    spw = P(pw(r, syms="!#%"))
    text = _fill(r'''package config

import (
	"os"
	"strconv"
	"time"
)

// Config holds all runtime settings. Values below are the defaults for local dev.
type Config struct {
	HTTPAddr        string
	DatabaseURL     string
	JWTSecret       string
	TokenTTL        time.Duration
	SMTPHost        string
	SMTPPort        int
	SMTPUser        string
	SMTPPassword    string
	AllowedOrigins  []string
	StripeKey       string
}

func Load() *Config {
	return &Config{
		HTTPAddr:       getenv("HTTP_ADDR", ":8080"),
		DatabaseURL:    getenv("DATABASE_URL", "postgres://postgres:postgres@localhost:5432/app?sslmode=disable"),
		JWTSecret:      getenv("JWT_SECRET", "«js»"),
		TokenTTL:       24 * time.Hour,
		SMTPHost:       getenv("SMTP_HOST", "smtp.mailgun.org"),
		SMTPPort:       atoi(getenv("SMTP_PORT", "587")),
		SMTPUser:       getenv("SMTP_USER", "«smtp_user»"),
		SMTPPassword:   getenv("SMTP_PASSWORD", "«spw»"),
		AllowedOrigins: []string{"http://localhost:5173"},
		StripeKey:      getenv("STRIPE_KEY", "«sk»"),
	}
}

func getenv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
''', js=js, smtp_user=smtp_user, spw=spw, sk=K(stripe_sk(r, "sk_test_")))
    return "internal/config/config.go", text


def d_go_minio(r):
    ep = I(ip4(r))
    ak = K(_rs(r, 20, _UP + _DG))
    sk = K(_rs(r, 40, _AN))
    text = _fill(r'''package main

import (
	"context"
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func main() {
	dir := flag.String("dir", "./backups", "directory to upload")
	bucket := flag.String("bucket", "db-backups", "target bucket")
	flag.Parse()

	accessKeyID := "«ak»"
	secretAccessKey := "«sk»"

	client, err := minio.New("«ep»:9000", &minio.Options{
		Creds:  credentials.NewStaticV4(accessKeyID, secretAccessKey, ""),
		Secure: false,
	})
	if err != nil {
		log.Fatalln(err)
	}

	ctx := context.Background()
	if ok, _ := client.BucketExists(ctx, *bucket); !ok {
		if err := client.MakeBucket(ctx, *bucket, minio.MakeBucketOptions{}); err != nil {
			log.Fatalln(err)
		}
	}

	entries, err := os.ReadDir(*dir)
	if err != nil {
		log.Fatalln(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		p := filepath.Join(*dir, e.Name())
		info, err := client.FPutObject(ctx, *bucket, e.Name(), p, minio.PutObjectOptions{})
		if err != nil {
			log.Printf("upload %s: %v", p, err)
			continue
		}
		log.Printf("uploaded %s (%d bytes)", info.Key, info.Size)
	}
}
''', ep=ep, ak=ak, sk=sk)
    return "cmd/backup-upload/main.go", text


def d_go_client_test(r):
    tok = K(gho(r))
    pw_ = pw_random(r, syms="")
    basic = K(base64.b64encode(f"metrics:{pw_}".encode()).decode())
    digest = sha256(r)
    text = _fill(r'''package ghclient

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

const testToken = "«tok»"

func TestClientSendsToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "token "+testToken {
			t.Errorf("Authorization = %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"login":"octocat","id":1}`))
	}))
	defer srv.Close()

	c := New(testToken, WithBaseURL(srv.URL))
	u, err := c.CurrentUser()
	if err != nil {
		t.Fatal(err)
	}
	if u.Login != "octocat" {
		t.Fatalf("login = %q", u.Login)
	}
}

func TestMetricsBasicAuth(t *testing.T) {
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Basic «basic»")
	if !checkBasic(req) {
		t.Fatal("expected basic auth to pass")
	}
}

func TestArchiveChecksum(t *testing.T) {
	// sha256 of testdata/release.tar.gz
	const want = "«digest»"
	got, err := fileSHA256("testdata/release.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("sha256 mismatch: %s", got)
	}
}
''', tok=tok, basic=basic, digest=digest)
    return "ghclient/client_test.go", text


# =============================================================================================
# documents: C#
# =============================================================================================


def d_appsettings_json(r):
    host = I(ip4(r))
    spw = P(pw(r, syms="!#%*"))
    jk = K(_b64(r, 32))
    sg = K(sendgrid(r))
    smtp_user = E(email(r, r.choice(_ORGS)))
    smtp_pw = P(pw(r, syms="!#%"))
    text = _fill(r'''{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "DefaultConnection": "Server=«host»,1433;Database=ClinicDb;User Id=sa;Password=«spw»;TrustServerCertificate=True;MultipleActiveResultSets=true"
  },
  "Jwt": {
    "Key": "«jk»",
    "Issuer": "ClinicApi",
    "Audience": "ClinicApp",
    "ExpiresInMinutes": 120
  },
  "SendGrid": {
    "ApiKey": "«sg»",
    "FromName": "Clinic Appointments"
  },
  "Smtp": {
    "Host": "smtp.office365.com",
    "Port": 587,
    "EnableSsl": true,
    "UserName": "«smtp_user»",
    "Password": "«smtp_pw»"
  }
}
''', host=host, spw=spw, jk=jk, sg=sg, smtp_user=smtp_user, smtp_pw=smtp_pw)
    return "ClinicApi/appsettings.Development.json", text


def d_csharp_email(r):
    user = email(r, "gmail.com")
    gpw = P(_rs(r, 16, _LO))
    admin = E(email(r, r.choice(_ORGS)))
    text = _fill(r'''using System.Net;
using System.Net.Mail;
using Microsoft.AspNetCore.Identity.UI.Services;
using Microsoft.AspNetCore.Mvc;

namespace BlogEngine.Services
{
    public class EmailSender : IEmailSender
    {
        private const string AdminAddress = "«admin»";

        public async Task SendEmailAsync(string email, string subject, string htmlMessage)
        {
            using var client = new SmtpClient("smtp.gmail.com", 587)
            {
                EnableSsl = true,
                UseDefaultCredentials = false,
                Credentials = new NetworkCredential("«user»", "«gpw»")
            };

            var message = new MailMessage
            {
                From = new MailAddress("«user»", "BlogEngine"),
                Subject = subject,
                Body = htmlMessage,
                IsBodyHtml = true
            };
            message.To.Add(email);
            message.Bcc.Add(AdminAddress);

            await client.SendMailAsync(message);
        }
    }

    [ApiController]
    [Route("api/[controller]")]
    public class ContactController : ControllerBase
    {
        private readonly IEmailSender _sender;

        public ContactController(IEmailSender sender) => _sender = sender;

        [HttpPost]
        public async Task<IActionResult> Post([FromBody] ContactForm form)
        {
            if (!ModelState.IsValid) return BadRequest(ModelState);
            await _sender.SendEmailAsync("«admin»", $"Contact: {form.Subject}", form.Body);
            return Ok();
        }
    }
}
''', user=E(user), gpw=gpw, admin=admin)
    return "BlogEngine/Services/EmailSender.cs", text


def d_web_config(r):
    host = I(ip4(r))
    dpw = P(pw(r, syms="!#%*"))
    gk = K(google_key(r))
    sm = E(email(r, r.choice(_ORGS)))
    spw = P(pw_human(r, syms="!#"))
    site = recaptcha_site(r)
    secret = K("6L" + r.choice("cdef") + _rs(r, 37, _URL))
    text = _fill(r'''<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="ShopContext"
         connectionString="Data Source=«host»;Initial Catalog=WebShop;User ID=webshop;Password=«dpw»;MultipleActiveResultSets=True"
         providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="webpages:Version" value="3.0.0.0" />
    <add key="ClientValidationEnabled" value="true" />
    <add key="GoogleMapsApiKey" value="«gk»" />
    <add key="RecaptchaSiteKey" value="«site»" />
    <add key="RecaptchaSecretKey" value="«secret»" />
  </appSettings>
  <system.net>
    <mailSettings>
      <smtp from="«sm»" deliveryMethod="Network">
        <network host="smtp.office365.com" port="587" enableSsl="true"
                 userName="«sm»" password="«spw»" />
      </smtp>
    </mailSettings>
  </system.net>
  <system.web>
    <compilation debug="true" targetFramework="4.7.2" />
    <httpRuntime targetFramework="4.7.2" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
  </system.web>
</configuration>
''', host=host, dpw=dpw, gk=gk, site=site, secret=secret, sm=sm, spw=spw)
    return "WebShop/Web.config", text


def d_csharp_tests(r):
    tok = K(jwt(r))
    tpw = pw(r, syms="!#@")
    dom = r.choice(_ORGS)
    em = email(r, dom)
    text = _fill(r'''using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace TodoApi.Tests;

public class AuthTests : IClassFixture<WebApplicationFactory<Program>>
{
    private const string TestEmail = "«em»";
    private const string TestPassword = "«tpw»";
    private const string ExpiredToken =
        "«tok»";

    private readonly HttpClient _client;

    public AuthTests(WebApplicationFactory<Program> factory)
    {
        _client = factory.CreateClient();
    }

    [Fact]
    public async Task Login_ReturnsToken()
    {
        var resp = await _client.PostAsJsonAsync("/auth/login", new { email = TestEmail, password = TestPassword });
        resp.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await resp.Content.ReadFromJsonAsync<LoginResponse>();
        body!.Token.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task ExpiredToken_IsRejected()
    {
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ExpiredToken);
        var resp = await _client.GetAsync("/todos");
        resp.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task EmptyPassword_IsRejected(string? password)
    {
        var resp = await _client.PostAsJsonAsync("/auth/login", new { email = TestEmail, password });
        resp.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
''', em=E(em), tpw=P(tpw), tok=tok)
    return "tests/TodoApi.Tests/AuthTests.cs", text


# =============================================================================================
# documents: PHP
# =============================================================================================


def d_php_config(r):
    host = I(ip4(r))
    dpw = P(pw(r, syms="!#%*"))
    su = E(email(r, r.choice(["gmail.com", "yahoo.com", "hotmail.com"])))
    spw = P(pw_human(r, syms="!#"))
    text = _fill(r'''<?php
// config.php - database + mail settings for the school portal
// (c) 2019 final year project

error_reporting(E_ALL);
ini_set('display_errors', 1);

$db_host = "«host»";
$db_user = "portal";
$db_pass = "«dpw»";
$db_name = "school_portal";

$conn = mysqli_connect($db_host, $db_user, $db_pass, $db_name);
if (!$conn) {
    die("Connection failed: " . mysqli_connect_error());
}
mysqli_set_charset($conn, "utf8mb4");

// mail
$smtp_host = "smtp.gmail.com";
$smtp_port = 587;
$smtp_user = "«su»";
$smtp_pass = "«spw»";

define('SITE_URL', 'http://localhost/school_portal/');
define('UPLOAD_DIR', __DIR__ . '/uploads/');
define('MAX_UPLOAD_MB', 5);

session_start();

function is_logged_in() {
    return isset($_SESSION['user_id']);
}

function require_login() {
    if (!is_logged_in()) {
        header('Location: ' . SITE_URL . 'login.php');
        exit;
    }
}
''', host=host, dpw=dpw, su=su, spw=spw)
    return "includes/config.php", text


def d_laravel_env(r):
    app_key = K("base64:" + _b64(r, 32))
    dpw = P(pw(r, syms="!#%*"))
    mu = E(email(r, r.choice(_ORGS)))
    mpw = P(pw_random(r, syms=""))
    pusher = K(_hex(r, 20))
    kid, sec = K(aws_id(r)), K(aws_secret(r))
    host = I(ip4(r))
    text = _fill(r'''APP_NAME=Laravel
APP_ENV=local
APP_KEY=«app_key»
APP_DEBUG=true
APP_URL=http://localhost

LOG_CHANNEL=stack
LOG_DEPRECATIONS_CHANNEL=null
LOG_LEVEL=debug

DB_CONNECTION=mysql
DB_HOST=«host»
DB_PORT=3306
DB_DATABASE=realty
DB_USERNAME=realty
DB_PASSWORD=«dpw»

BROADCAST_DRIVER=log
CACHE_DRIVER=file
FILESYSTEM_DISK=s3
QUEUE_CONNECTION=sync
SESSION_DRIVER=file
SESSION_LIFETIME=120

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.hostinger.com
MAIL_PORT=465
MAIL_USERNAME=«mu»
MAIL_PASSWORD=«mpw»
MAIL_ENCRYPTION=ssl
MAIL_FROM_ADDRESS="«mu»"
MAIL_FROM_NAME="${APP_NAME}"

AWS_ACCESS_KEY_ID=«kid»
AWS_SECRET_ACCESS_KEY=«sec»
AWS_DEFAULT_REGION=eu-central-1
AWS_BUCKET=realty-listing-photos
AWS_USE_PATH_STYLE_ENDPOINT=false

PUSHER_APP_ID=«pid»
PUSHER_APP_KEY=«pkey»
PUSHER_APP_SECRET=«pusher»
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=eu

VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
''', app_key=app_key, host=host, dpw=dpw, mu=mu, mpw=mpw, kid=kid, sec=sec,
                 pid=r.randint(10**6, 2 * 10**6), pkey=_hex(r, 20), pusher=pusher)
    return ".env", text


def d_wp_config(r):
    host = I(ip4(r))
    dpw = P(pw_random(r, syms="!#%^*()"))
    alpha = _AN + "!#%^&*()-_=+[]{}<>~;:,./?|@`$"
    salts = {n: K(_rs(r, 64, alpha)) for n in
             ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
              "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]}
    salt_lines = "\n".join(f"define( '{n}',{' ' * (17 - len(n))}'{v}' );" for n, v in salts.items())
    text = _fill(r'''<?php
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
define( 'DB_USER', 'wp_bakery' );

/** Database password */
define( 'DB_PASSWORD', '«dpw»' );

/** Database hostname */
define( 'DB_HOST', '«host»:3306' );

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

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

/** Sets up WordPress vars and included files. */
require_once ABSPATH . 'wp-settings.php';
''', dpw=dpw, host=host, salts=salt_lines)
    return "wp-config.php", text


def d_phpmailer(r):
    user = E(email(r, r.choice(_ORGS)))
    mpw = P(pw(r, syms="!#%"))
    to1 = E(email(r))
    to2 = E(email(r))
    text = _fill(r'''<?php
use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\SMTP;
use PHPMailer\PHPMailer\Exception;

require 'vendor/autoload.php';

if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    http_response_code(405);
    exit;
}

$name    = htmlspecialchars($_POST['name'] ?? '');
$email   = filter_var($_POST['email'] ?? '', FILTER_VALIDATE_EMAIL);
$message = htmlspecialchars($_POST['message'] ?? '');

$mail = new PHPMailer(true);

try {
    //Server settings
    $mail->SMTPDebug  = SMTP::DEBUG_OFF;
    $mail->isSMTP();
    $mail->Host       = 'mail.privateemail.com';
    $mail->SMTPAuth   = true;
    $mail->Username   = '«user»';
    $mail->Password   = '«mpw»';
    $mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
    $mail->Port       = 465;

    //Recipients
    $mail->setFrom('«user»', 'Website contact form');
    $mail->addAddress('«to1»', 'Owner');
    $mail->addBCC('«to2»');
    if ($email) {
        $mail->addReplyTo($email, $name);
    }

    //Content
    $mail->isHTML(true);
    $mail->Subject = 'New enquiry from ' . $name;
    $mail->Body    = nl2br($message);
    $mail->AltBody = strip_tags($message);

    $mail->send();
    echo json_encode(['ok' => true]);
} catch (Exception $e) {
    http_response_code(500);
    echo json_encode(['ok' => false, 'error' => $mail->ErrorInfo]);
}
''', user=user, mpw=mpw, to1=to1, to2=to2)
    return "contact.php", text


def d_composer_json(r):
    p1, p2 = _person(r), _person(r)
    m1, m2 = E(email(r, None, *p1)), E(email(r, None, *p2))
    tok = K(ghp(r))
    text = _fill(r'''{
    "name": "«vendor»/slim-invoice",
    "description": "Small invoicing API built on Slim 4",
    "type": "project",
    "license": "MIT",
    "authors": [
        {
            "name": "«n1»",
            "email": "«m1»",
            "role": "Developer"
        },
        {
            "name": "«n2»",
            "email": "«m2»"
        }
    ],
    "require": {
        "php": "^8.1",
        "slim/slim": "^4.11",
        "slim/psr7": "^1.6",
        "php-di/php-di": "^7.0",
        "monolog/monolog": "^3.4",
        "dompdf/dompdf": "^2.0.3"
    },
    "require-dev": {
        "phpunit/phpunit": "^10.3",
        "squizlabs/php_codesniffer": "^3.7.2"
    },
    "autoload": {
        "psr-4": {
            "App\\": "src/"
        }
    },
    "config": {
        "process-timeout": 0,
        "sort-packages": true,
        "github-oauth": {
            "github.com": "«tok»"
        }
    },
    "scripts": {
        "start": "php -S localhost:8080 -t public",
        "test": "phpunit"
    }
}
''', vendor=p1[1], n1=display(*p1), m1=m1, n2=display(*p2), m2=m2, tok=tok)
    return "composer.json", text


# =============================================================================================
# documents: Ruby
# =============================================================================================


def d_rails_database_yml(r):
    host = I(ip4(r))
    p_dev = P(pw_human(r, syms=""))
    p_prod = P(pw_random(r, syms="!#%^"))
    text = _fill(r'''# PostgreSQL. Versions 9.3 and up are supported.
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
  password: «p_dev»
  host: localhost

test:
  <<: *default
  database: recipes_test
  username: recipes
  password: «p_dev»
  host: localhost

production:
  <<: *default
  database: recipes_production
  username: recipes
  password: '«p_prod»'
  host: «host»
  port: 5432
''', host=host, p_dev=p_dev, p_prod=p_prod)
    return "config/database.yml", text


def d_devise_rb(r):
    sender = E(email(r, r.choice(_ORGS)))
    sk = K(_hex(r, 128))
    pepper = K(_hex(r, 64))
    text = _fill(r'''# frozen_string_literal: true

# Use this hook to configure devise mailer, warden hooks and so forth.
# Many of these configuration options can be set straight in your model.
Devise.setup do |config|
  # The secret key used by Devise. Devise uses this key to generate
  # random tokens. Changing this key will render invalid all existing
  # confirmation, reset password and unlock tokens in the database.
  config.secret_key = '«sk»'

  # ==> Controller configuration
  # Configure the parent class to the devise controllers.
  # config.parent_controller = 'DeviseController'

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
  config.stretches = Rails.env.test? ? 1 : 12

  # Set up a pepper to generate the hashed password.
  config.pepper = '«pepper»'

  config.reconfirmable = true
  config.expire_all_remember_me_on_sign_out = true
  config.password_length = 8..128
  config.email_regexp = /\A[^@\s]+@[^@\s]+\z/
  config.reset_password_within = 6.hours
  config.sign_out_via = :delete

  # ==> Navigation configuration
  config.responder.error_status = :unprocessable_entity
  config.responder.redirect_status = :see_other
end
''', sk=sk, sender=sender, pepper=pepper)
    return "config/initializers/devise.rb", text


def d_rake_import(r):
    tok = K(_rs(r, 32, _LO + _DG))
    ftp = I(ip4(r))
    fpw = P(pw(r, syms="!#%"))
    text = _fill(r'''require "net/ftp"
require "csv"
require "httparty"

namespace :catalog do
  FTP_HOST = "«ftp»"
  FTP_USER = "supplier_feed"
  FTP_PASS = "«fpw»"
  PIM_TOKEN = "«tok»"

  desc "Download the supplier price list and import it"
  task import: :environment do
    Net::FTP.open(FTP_HOST) do |ftp|
      ftp.passive = true
      ftp.login(FTP_USER, FTP_PASS)
      ftp.getbinaryfile("pricelist.csv", Rails.root.join("tmp/pricelist.csv").to_s)
    end

    updated = 0
    CSV.foreach(Rails.root.join("tmp/pricelist.csv"), headers: true, col_sep: ";") do |row|
      product = Product.find_by(sku: row["SKU"])
      next unless product

      product.update!(price_cents: (row["Price"].tr(",", ".").to_f * 100).round)
      updated += 1
    end
    puts "updated #{updated} products"
  end

  desc "Push descriptions to the PIM"
  task push: :environment do
    Product.where(updated_at: 1.day.ago..).find_each do |p|
      HTTParty.put(
        "https://pim.farmlink.co.za/api/v2/products/#{p.sku}",
        headers: { "Authorization" => "Token #{PIM_TOKEN}", "Content-Type" => "application/json" },
        body: { description: p.description }.to_json
      )
    end
  end
end
''', tok=tok, ftp=ftp, fpw=fpw)
    return "lib/tasks/catalog.rake", text


def d_factorybot(r):
    em = E(email(r, "fastmail.com"))
    p_ = P(pw(r, syms="!#@"))
    adm = E(email(r, r.choice(_ORGS)))
    ap = P(pw(r, syms="!#@"))
    bh = bcrypt_hash(r)
    text = _fill(r'''FactoryBot.define do
  factory :user do
    sequence(:username) { |n| "user#{n}" }
    email { "«em»" }
    password { "«p_»" }
    password_confirmation { "«p_»" }
    confirmed_at { Time.current }

    trait :admin do
      email { "«adm»" }
      password { "«ap»" }
      password_confirmation { "«ap»" }
      role { :admin }
    end

    trait :legacy do
      # imported from the old PHP app, bcrypt cost 12
      encrypted_password { "«bh»" }
    end

    trait :unconfirmed do
      confirmed_at { nil }
    end
  end

  factory :post do
    association :author, factory: :user
    title { "Hello world" }
    body { "Lorem ipsum dolor sit amet" }
    published_at { 1.day.ago }
  end
end
''', em=em, p_=p_, adm=adm, ap=ap, bh=bh)
    return "spec/factories/users.rb", text


# =============================================================================================
# documents: shell
# =============================================================================================


def d_deploy_sh(r):
    srv = I(ip4(r))
    spw = P(pw(r, syms="!#%"))
    mpw = P(pw_human(r, syms="!#"))
    text = _fill(r'''#!/bin/bash
# quick and dirty deploy for the uni project server
set -e

SERVER=«srv»
USER=root
APP=/var/www/attendance

echo ">> building frontend"
cd frontend && npm ci && npm run build && cd ..

echo ">> syncing files"
sshpass -p '«spw»' rsync -az --delete -e ssh ./backend/ $USER@$SERVER:$APP/backend/
sshpass -p '«spw»' rsync -az --delete -e ssh ./frontend/dist/ $USER@$SERVER:$APP/public/

echo ">> migrating"
sshpass -p '«spw»' ssh $USER@«srv» <<EOF
cd $APP/backend
composer install --no-dev --optimize-autoloader
php artisan migrate --force
mysql -u attendance -p'«mpw»' attendance -e "UPDATE settings SET value=NOW() WHERE name='last_deploy';"
systemctl reload php8.1-fpm
EOF

echo ">> done"
''', srv=srv, spw=spw, mpw=mpw)
    return "scripts/deploy.sh", text


def d_backup_sh(r):
    db = I(ip4(r))
    bk = I(ip4(r))
    dpw = P(pw_random(r, syms="_-"))
    text = _fill(r'''#!/usr/bin/env bash
#
# nightly postgres backup -> offsite box
# crontab: 15 3 * * * /opt/scripts/pg_backup.sh >> /var/log/pg_backup.log 2>&1
#
set -euo pipefail

DB_HOST="«db»"
DB_NAME="ledger"
DB_USER="backup"
export PGPASSWORD="«dpw»"

OFFSITE="backup@«bk»"
OFFSITE_DIR="/data/backups/ledger"
STAMP=$(date +%Y%m%d-%H%M)
OUT="/var/backups/ledger-${STAMP}.dump"

echo "[$(date -Is)] dumping ${DB_NAME} from ${DB_HOST}"
pg_dump -h "$DB_HOST" -U "$DB_USER" -Fc -Z 9 -f "$OUT" "$DB_NAME"

sha256sum "$OUT" > "${OUT}.sha256"
rsync -a -e "ssh -i /root/.ssh/backup_ed25519 -p 2222" "$OUT" "${OUT}.sha256" "${OFFSITE}:${OFFSITE_DIR}/"

# keep two weeks locally
find /var/backups -name 'ledger-*.dump*' -mtime +14 -delete
echo "[$(date -Is)] done"
''', db=db, bk=bk, dpw=dpw)
    return "ops/pg_backup.sh", text


def d_install_sh(r):
    dpw = P(pw_human(r, syms="_"))
    tok = K(_hex(r, 40))
    text = _fill(r'''#!/bin/sh
# Installer for the homelab agent.
# Usage: curl -fsSL https://get.corvid.systems/agent | sh -s -- [--interactive]

set -e

AGENT_VERSION="2.8.1"
INSTALL_DIR="/opt/corvid-agent"
ENROLL_TOKEN="«tok»"
DEFAULT_ADMIN_PASS="«dpw»"

if [ "$1" = "--interactive" ]; then
    printf "Admin password for the local UI: "
    stty -echo
    read -r ADMIN_PASS
    stty echo
    echo
else
    ADMIN_PASS="$DEFAULT_ADMIN_PASS"
fi

arch=$(uname -m)
case "$arch" in
    x86_64) arch=amd64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) echo "unsupported arch $arch"; exit 1 ;;
esac

mkdir -p "$INSTALL_DIR"
curl -fsSL -o /tmp/agent.tgz \
    "https://releases.corvid.systems/agent/${AGENT_VERSION}/agent-linux-${arch}.tgz"
tar -xzf /tmp/agent.tgz -C "$INSTALL_DIR"

curl -fsS -X POST https://api.corvid.systems/v1/enroll \
    -H "X-Enroll-Token: ${ENROLL_TOKEN}" \
    -d "hostname=$(hostname)" -o "$INSTALL_DIR/agent.json"

"$INSTALL_DIR/corvid-agent" set-admin-password "$ADMIN_PASS"
"$INSTALL_DIR/corvid-agent" install-service
echo "corvid-agent ${AGENT_VERSION} installed"
''', tok=tok, dpw=dpw)
    return "install.sh", text


def d_wireguard_setup(r):
    priv = K(_b64(r, 32))
    peer_pub = _b64(r, 32)
    ep = I(ip4(r))
    ep6 = I(ip6(r))
    psk = K(_b64(r, 32))
    text = _fill(r'''#!/usr/bin/env bash
# Bring up the wg0 tunnel to the VPS (laptop side).
set -euo pipefail

sudo tee /etc/wireguard/wg0.conf > /dev/null <<'EOF'
[Interface]
Address = 10.66.66.2/32, fd42:42:42::2/128
PrivateKey = «priv»
DNS = 1.1.1.1, 1.0.0.1
MTU = 1420

[Peer]
PublicKey = «pub»
PresharedKey = «psk»
Endpoint = «ep»:51820
# Endpoint = [«ep6»]:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
EOF

sudo chmod 600 /etc/wireguard/wg0.conf
sudo systemctl enable --now wg-quick@wg0
sleep 2
sudo wg show wg0
curl -s https://ifconfig.me && echo
''', priv=priv, pub=peer_pub, psk=psk, ep=ep, ep6=ep6)
    return "scripts/wg-up.sh", text


def d_bashrc_exports(r):
    gh = K(github_pat(r))
    oa = K(openai_key(r))
    an = K(anthropic_key(r))
    hf = K(hf_tok(r))
    do = K(do_tok(r))
    text = _fill(r'''# ~/.bashrc additions (synced via dotfiles repo)

export EDITOR=nvim
export PATH="$HOME/.local/bin:$HOME/go/bin:$PATH"
export PYENV_ROOT="$HOME/.pyenv"
command -v pyenv >/dev/null && eval "$(pyenv init -)"

alias ll='ls -alF'
alias gs='git status -sb'
alias k=kubectl
alias dc='docker compose'

# tokens
export GITHUB_TOKEN="«gh»"
export OPENAI_API_KEY=«oa»
export ANTHROPIC_API_KEY="«an»"
export HF_TOKEN=«hf»
export DIGITALOCEAN_ACCESS_TOKEN="«do»"
export AWS_ACCESS_KEY_ID=«kid»
export AWS_SECRET_ACCESS_KEY=«sec»
export AWS_DEFAULT_REGION=us-west-2
# export AWS_PROFILE=personal

mkcd() { mkdir -p "$1" && cd "$1"; }

if [ -f ~/.bash_completion.d/kubectl ]; then
  . ~/.bash_completion.d/kubectl
fi
''', gh=gh, oa=oa, an=an, hf=hf, do=do, kid=K(aws_id(r)), sec=K(aws_secret(r)))
    return "dotfiles/bashrc.local", text


def d_docker_run_sh(r):
    ppw = P(pw(r, syms="_%"))
    mk = P(_rs(r, 40, _AN))
    mu = "devminio"
    gpw = P(pw_human(r, syms="!#"))
    text = _fill(r'''#!/bin/bash
# spin up the local dev dependencies without compose

docker network create devnet 2>/dev/null || true

docker run -d --name pg --network devnet \
  -e POSTGRES_USER=dev \
  -e POSTGRES_PASSWORD=«ppw» \
  -e POSTGRES_DB=app \
  -p 5432:5432 \
  -v pgdata:/var/lib/postgresql/data \
  postgres:15-alpine

docker run -d --name minio --network devnet \
  -e MINIO_ROOT_USER=«mu» \
  -e MINIO_ROOT_PASSWORD=«mk» \
  -p 9000:9000 -p 9001:9001 \
  minio/minio server /data --console-address ":9001"

docker run -d --name grafana --network devnet \
  -e GF_SECURITY_ADMIN_PASSWORD='«gpw»' \
  -p 3000:3000 \
  grafana/grafana-oss:10.2.2

echo "postgres: postgres://dev:«ppw»@localhost:5432/app"
''', ppw=ppw, mk=mk, mu=mu, gpw=gpw)
    return "dev/start-deps.sh", text


# =============================================================================================
# documents: YAML / JSON / CI / infra configs
# =============================================================================================


def d_docker_compose(r):
    root = P(pw(r, syms="!#%"))
    mpw = P(pw_human(r, syms="_"))
    rpw = P(pw_random(r, n=24, syms=""))
    gpw = P(pw(r, syms="!#"))
    pga_mail = E(email(r, r.choice(_ORGS)))
    pga_pw = P(pw_human(r, syms="!"))
    meili = K(_rs(r, 32, _AN + "-_"))
    digest = sha256(r)
    text = _fill(r'''version: "3.8"

services:
  db:
    image: mysql:8.0
    restart: unless-stopped
    command: --default-authentication-plugin=mysql_native_password
    environment:
      MYSQL_ROOT_PASSWORD: "«root»"
      MYSQL_DATABASE: marketplace
      MYSQL_USER: marketplace
      MYSQL_PASSWORD: «mpw»
    volumes:
      - db_data:/var/lib/mysql
    ports:
      - "127.0.0.1:3306:3306"

  redis:
    image: redis:7-alpine
    command: ["redis-server", "--appendonly", "yes", "--requirepass", "«rpw»"]
    ports:
      - "6379:6379"

  search:
    image: getmeili/meilisearch:v1.5
    environment:
      - MEILI_MASTER_KEY=«meili»
      - MEILI_ENV=development
    volumes:
      - meili_data:/meili_data

  pgadmin:
    image: dpage/pgadmin4@sha256:«digest»
    environment:
      PGADMIN_DEFAULT_EMAIL: «pga_mail»
      PGADMIN_DEFAULT_PASSWORD: «pga_pw»
    ports:
      - "5050:80"

  grafana:
    image: grafana/grafana:10.1.5
    environment:
      - GF_SECURITY_ADMIN_USER=admin
      - GF_SECURITY_ADMIN_PASSWORD=«gpw»
      - GF_USERS_ALLOW_SIGN_UP=false
    ports:
      - "3001:3000"

  app:
    build: .
    depends_on: [db, redis, search]
    environment:
      DATABASE_URL: mysql://marketplace:«mpw»@db:3306/marketplace
      REDIS_URL: redis://:«rpw»@redis:6379/0
      MEILI_URL: http://search:7700
    ports:
      - "8000:8000"

volumes:
  db_data:
  meili_data:
''', root=root, mpw=mpw, rpw=rpw, gpw=gpw, pga_mail=pga_mail, pga_pw=pga_pw, meili=meili,
                 digest=digest)
    return "docker-compose.yml", text


def d_gh_actions(r):
    host = I(ip4(r))
    hk = K(heroku_tok(r))
    hmail = E(email(r))
    dpw = P(pw(r, syms="!#%"))
    hook = K(slack_hook(r))
    text = _fill(r'''name: deploy

on:
  push:
    branches: [main]
  workflow_dispatch:

env:
  REGISTRY: ghcr.io
  IMAGE_NAME: ${{ github.repository }}

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm test

  deploy-heroku:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: akhileshns/heroku-deploy@v3.12.14
        with:
          heroku_api_key: «hk»
          heroku_app_name: "pollster-api"
          heroku_email: "«hmail»"

  deploy-vps:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - name: ssh deploy
        uses: appleboy/ssh-action@v1.0.0
        with:
          host: «host»
          username: deploy
          password: «dpw»
          port: 22
          script: |
            cd ~/pollster
            git pull --ff-only
            docker compose up -d --build
      - name: notify
        if: always()
        run: |
          curl -X POST -H 'Content-type: application/json' \
            --data '{"text":"pollster deploy: ${{ job.status }}"}' \
            https://hooks.slack.com/services/«hook»
''', host=host, hk=hk, hmail=hmail, dpw=dpw, hook=hook)
    return ".github/workflows/deploy.yml", text


def d_gitlab_ci(r):
    tpw = P(pw_human(r, syms=""))
    sonar = K(sonar_tok(r))
    host = I(ip4(r))
    rpw = K(glpat(r))
    text = _fill(r'''stages:
  - test
  - build
  - deploy

variables:
  POSTGRES_DB: shop_test
  POSTGRES_USER: runner
  POSTGRES_PASSWORD: "«tpw»"
  DATABASE_URL: "postgresql://runner:«tpw»@postgres:5432/shop_test"
  SONAR_HOST_URL: "https://sonar.stackforge.net"
  SONAR_TOKEN: "«sonar»"
  DOCKER_DRIVER: overlay2

test:
  stage: test
  image: python:3.11
  services:
    - postgres:15
  script:
    - pip install -r requirements-dev.txt
    - pytest --cov=shop --cov-report=xml
  artifacts:
    reports:
      coverage_report:
        coverage_format: cobertura
        path: coverage.xml

sonar:
  stage: test
  image: sonarsource/sonar-scanner-cli:latest
  script:
    - sonar-scanner -Dsonar.projectKey=shop -Dsonar.login=$SONAR_TOKEN
  allow_failure: true

build:
  stage: build
  image: docker:24
  services: [docker:24-dind]
  script:
    - docker login -u ci-bot -p «rpw» registry.gitlab.com
    - docker build -t registry.gitlab.com/stackforge/shop:$CI_COMMIT_SHORT_SHA .
    - docker push registry.gitlab.com/stackforge/shop:$CI_COMMIT_SHORT_SHA

deploy:
  stage: deploy
  image: alpine:3.19
  only: [main]
  before_script:
    - apk add --no-cache openssh-client
    - eval $(ssh-agent -s)
    - echo "$SSH_PRIVATE_KEY" | tr -d '\r' | ssh-add -
  script:
    - ssh -o StrictHostKeyChecking=no deploy@«host» "cd /srv/shop && ./update.sh $CI_COMMIT_SHORT_SHA"
''', tpw=tpw, sonar=sonar, host=host, rpw=rpw)
    return ".gitlab-ci.yml", text


def d_k8s_secret(r):
    dpw = P(pw_random(r, syms="!#%^"))
    api = K(sendgrid(r))
    stripe = K(stripe_sk(r, "rk_live_"))
    ppw = P(pw(r, syms="!#"))
    tls_key = K(pem(r, "RSA PRIVATE KEY", lines=r.randint(14, 20), sep="\n    "))
    text = _fill(r'''apiVersion: v1
kind: Secret
metadata:
  name: billing-secrets
  namespace: billing
type: Opaque
stringData:
  DB_USER: billing
  DB_PASSWORD: "«dpw»"
  SENDGRID_API_KEY: «api»
  STRIPE_RESTRICTED_KEY: «stripe»
  RABBITMQ_PASSWORD: '«ppw»'
---
apiVersion: v1
kind: Secret
metadata:
  name: billing-tls
  namespace: billing
type: kubernetes.io/tls
stringData:
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIDazCCAlOgAwIBAgIUZ«c1»
    «c2»
    -----END CERTIFICATE-----
  tls.key: |
    «tls_key»
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: billing-api
  namespace: billing
spec:
  replicas: 2
  selector:
    matchLabels: {app: billing-api}
  template:
    metadata:
      labels: {app: billing-api}
    spec:
      containers:
        - name: api
          image: ghcr.io/lumenhq/billing-api:1.12.0
          envFrom:
            - secretRef:
                name: billing-secrets
          ports:
            - containerPort: 8080
''', dpw=dpw, api=api, stripe=stripe, ppw=ppw, c1=_rs(r, 39, _B64), c2=_rs(r, 64, _B64),
                 tls_key=tls_key)
    return "k8s/billing/secrets.yaml", text


def d_ansible_vars(r):
    hosts = [ip4(r) for _ in range(3)]
    ssh_pw = P(pw(r, syms="!#%"))
    my_pw = P(pw_random(r, syms="!#%^"))
    app_pw = P(pw_human(r, syms="!"))
    admin = E(email(r, r.choice(_ORGS)))
    cf = K(_rs(r, 40, _AN + "-_"))
    text = _fill(r'''---
# group_vars/all.yml
ansible_user: ubuntu
ansible_ssh_pass: "«ssh_pw»"
ansible_become: true
ansible_python_interpreter: /usr/bin/python3

timezone: Europe/Berlin
admin_email: «admin»

web_servers:
  - name: web1
    ip: «h0»
  - name: web2
    ip: «h1»
db_server_ip: «h2»
internal_network: 10.20.0.0/16

mysql_root_password: "«my_pw»"
mysql_databases:
  - name: shop
    encoding: utf8mb4
mysql_users:
  - name: shop
    host: "10.20.%"
    password: "«app_pw»"
    priv: "shop.*:ALL"

letsencrypt_email: "«admin»"
cloudflare_api_token: «cf»
ufw_allowed_ports: [22, 80, 443]
fail2ban_ignoreip: "127.0.0.1/8 10.20.0.0/16"
''', ssh_pw=ssh_pw, admin=admin, h0=I(hosts[0]), h1=I(hosts[1]), h2=I(hosts[2]),
                 my_pw=my_pw, app_pw=app_pw, cf=cf)
    return "ansible/group_vars/all.yml", text


def d_ansible_inventory(r):
    hs = [ip4(r) for _ in range(4)]
    p1 = P(pw(r, syms="!#%"))
    p2 = P(pw_random(r, syms="!#%"))
    text = _fill(r'''# inventory for the lab cluster (managed by hand, sorry)

[control]
k8s-cp1 ansible_host=«h0»

[workers]
k8s-w1 ansible_host=«h1»
k8s-w2 ansible_host=«h2»
k8s-w3 ansible_host=«h3» ansible_port=2222

[local]
nas ansible_host=192.168.10.5 ansible_user=admin ansible_connection=ssh

[cluster:children]
control
workers

[cluster:vars]
ansible_user=root
ansible_password=«p1»
ansible_ssh_common_args='-o StrictHostKeyChecking=no'
k8s_version=1.28.4
pod_cidr=10.244.0.0/16
service_cidr=10.96.0.0/12

[local:vars]
ansible_become_password=«p2»
''', h0=I(hs[0]), h1=I(hs[1]), h2=I(hs[2]), h3=I(hs[3]), p1=p1, p2=p2)
    return "inventory/hosts.ini", text


def d_alertmanager(r):
    frm = E(email(r, r.choice(_ORGS)))
    spw = P(pw(r, syms="!#%"))
    oncall = E(email(r, r.choice(_ORGS)))
    team = E(email(r))
    hook = K(slack_hook(r))
    pd = K(_hex(r, 32))
    text = _fill(r'''global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.fastmail.com:587'
  smtp_from: '«frm»'
  smtp_auth_username: '«frm»'
  smtp_auth_password: '«spw»'
  smtp_require_tls: true
  slack_api_url: 'https://hooks.slack.com/services/«hook»'

route:
  group_by: ['alertname', 'cluster']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  receiver: team-mail
  routes:
    - matchers: [severity="critical"]
      receiver: pagerduty
      continue: true
    - matchers: [severity=~"warning|critical"]
      receiver: slack

receivers:
  - name: team-mail
    email_configs:
      - to: '«oncall», «team»'
        send_resolved: true
  - name: slack
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
        title: '{{ .CommonLabels.alertname }}'
        text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ "\n" }}{{ end }}'
  - name: pagerduty
    pagerduty_configs:
      - routing_key: «pd»

inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: ['alertname', 'instance']
''', frm=frm, spw=spw, hook=hook, oncall=oncall, team=team, pd=pd)
    return "monitoring/alertmanager/alertmanager.yml", text


def d_pgpass(r):
    a, b = ip4(r), ip4(r)
    p1, p2, p3 = pw_random(r, syms="!#%^"), pw(r, syms="!#"), pw_long(r)
    text = _fill(r'''# hostname:port:database:username:password
# chmod 0600 ~/.pgpass
localhost:5432:*:postgres:
«a»:5432:analytics:readonly:«p1»
«a»:5432:analytics:etl:«p2»
«b»:6432:*:replicator:«p3»
*:*:*:backup:«p3»
''', a=I(a), b=I(b), p1=P(p1), p2=P(p2), p3=P(p3))
    return "dotfiles/pgpass", text


def d_bot_config_json(r):
    tok = K(discord_tok(r))
    mpw = P(pw_random(r, syms=""))
    owner_mail = E(email(r))
    wk = K(_hex(r, 32))
    text = _fill(r'''{
  "token": "«tok»",
  "prefix": "?",
  "ownerID": "«oid»",
  "supportServer": "https://discord.gg/«invite»",
  "contactEmail": "«owner_mail»",
  "mongoURL": "mongodb+srv://musicbot:«mpw»@cluster0.«cl».mongodb.net/musicbot",
  "lavalink": {
    "host": "localhost",
    "port": 2333,
    "password": "«lpw»"
  },
  "spotify": {
    "clientID": "«sid»",
    "clientSecret": "«wk»"
  },
  "embedColor": "#5865F2",
  "maxQueue": 200,
  "version": "3.2.0"
}
''', tok=tok, oid=r.randint(10**17, 10**18), invite=_rs(r, 8), owner_mail=owner_mail, mpw=mpw,
                 cl=_rs(r, 5, _LO + _DG), sid=_hex(r, 32), wk=wk, lpw=P(pw_random(r, syms="")))
    return "config.json", text


def d_serverless_yml(r):
    sk = K(stripe_sk(r))
    mpw = P(quote(pw_human(r, syms="@#!"), safe=""))
    tw_sid = K(twilio_sk(r))
    tw_secret = K(_rs(r, 32, _AN))
    text = _fill(r'''service: appointments-api
frameworkVersion: '3'

provider:
  name: aws
  runtime: nodejs18.x
  region: us-east-1
  stage: ${opt:stage, 'dev'}
  memorySize: 256
  timeout: 15
  environment:
    STAGE: ${self:provider.stage}
    MONGODB_URI: mongodb+srv://appointments:«mpw»@cluster0.4h2kd.mongodb.net/appointments
    STRIPE_SECRET: «sk»
    TWILIO_API_KEY: «tw_sid»
    TWILIO_API_SECRET: «tw_secret»
    TWILIO_FROM: '+15005550006'
    JWT_ISSUER: appointments-${self:provider.stage}

functions:
  book:
    handler: src/handlers/book.handler
    events:
      - httpApi:
          path: /appointments
          method: post
  list:
    handler: src/handlers/list.handler
    events:
      - httpApi:
          path: /appointments
          method: get
  reminders:
    handler: src/handlers/reminders.handler
    events:
      - schedule: cron(0 8 * * ? *)

plugins:
  - serverless-offline
  - serverless-dotenv-plugin
''', mpw=mpw, sk=sk, tw_sid=tw_sid, tw_secret=tw_secret)
    return "serverless.yml", text


# =============================================================================================
# documents: Markdown / text
# =============================================================================================


def d_readme_setup(r):
    demo = I(ip4(r))
    dpw = P(pw_human(r, syms="!#"))
    key = K(_hex(r, 32))
    contact = E(email(r))
    upw = P(pw(r, syms="!#"))
    text = _fill(r'''# Library Management System

A simple library management system built with Spring Boot and React for our
Software Engineering course (CS-2201). Students can search the catalogue, reserve
books and see their loans; librarians can manage stock and overdue notices.

![screenshot](docs/screenshot@2x.png)

## Features

- Search by title, author or ISBN
- Reservations with e-mail notifications
- Overdue fines calculation
- Admin dashboard with charts

## Getting started

### Requirements

- Java 17, Maven 3.8+
- Node 18
- MySQL 8

### Setup

1. Clone the repo (it's private until grading is done, use the team token):

   ```bash
   git clone https://«ghtok»@github.com/cs2201-team4/library.git
   ```

   and create the database:

   ```sql
   CREATE DATABASE library;
   CREATE USER 'library'@'localhost' IDENTIFIED BY '«upw»';
   GRANT ALL PRIVILEGES ON library.* TO 'library'@'localhost';
   ```

2. Start the backend:

   ```bash
   cd backend
   ./mvnw spring-boot:run
   ```

3. Start the frontend:

   ```bash
   cd frontend
   npm install
   REACT_APP_BOOKS_API_KEY=«key» npm start
   ```

### Demo

A demo instance runs at http://«demo»:8080 (may be down after the semester).

| user        | password     |
|-------------|--------------|
| librarian   | `«dpw»` |
| student     | ******** (ask us) |

## Team

Questions? Write to «contact» or open an issue.
''', upw=upw, key=key, demo=demo, dpw=dpw, contact=contact, ghtok=K(ghp(r)))
    return "README.md", text


def d_authors(r):
    lines = []
    for _ in range(7):
        f, l = _person(r)
        dom = r.choice(_FREE + _ORGS)
        lines.append(f"{display(f, l)} <{E(email(r, dom, f, l))}>")
    f, l = _person(r)
    tagged = E(f"{f}+oss@{r.choice(['gmail.com', 'fastmail.com'])}")
    idn = E(f"{f}@{r.choice(['münchen-software.de', 'bücherwurm.at', 'café-data.fr'])}")
    ml1 = E(f"maintainers@lists.{r.choice(_ORGS)}")
    mf, ml_ = _person(r)
    m2 = E(email(r, r.choice(_ORGS), mf, ml_))
    text = _fill(r'''# This is the official list of people who can contribute (and typically
# have contributed) code to the gotiny repository.
#
# Names should be added to this file only after verifying that the
# individual or the individual's organization has agreed to the
# appropriate Contributor License Agreement.
#
# Names should be added to this file like so:
#     Individual's name <submission email address>
#     Individual's name <submission email address> <email2> <emailN>
#
# Please keep the list sorted.

«lines»
«tname» <«tagged»> <«idn»>
The gotiny authors (@gotiny-dev on GitHub)

# Maintainers
#
# M: maintainer, L: mailing list, S: status
M: «mname» <«m2»>
L: «ml1»
S: Maintained
''', lines="\n".join(sorted(lines)), tname=display(f, l), tagged=tagged, idn=idn,
                 mname=display(mf, ml_), m2=m2, ml1=ml1)
    return "AUTHORS", text


def d_incident_md(r):
    attackers = [ip4(r) for _ in range(4)]
    own = ip4(r)
    ip6a = ip6(r)
    lan = priv4(r)
    text = _fill(r'''# Incident 2023-11-14: SSH brute force on build01

## Summary

Between 02:10 and 04:55 UTC build01 (`«own»`) received ~38k failed SSH logins.
No login succeeded. Password auth was still enabled on the box because of the
legacy deploy user; it is now disabled.

## Evidence

From `/var/log/auth.log`:

```
Nov 14 02:10:03 build01 sshd[21877]: Failed password for root from «a0» port 51422 ssh2
Nov 14 02:10:05 build01 sshd[21877]: Failed password for root from «a0» port 51422 ssh2
Nov 14 02:31:47 build01 sshd[22410]: Invalid user oracle from «a1» port 40022
Nov 14 02:31:49 build01 sshd[22410]: Failed password for invalid user oracle from «a1» port 40022 ssh2
Nov 14 03:02:11 build01 sshd[23012]: Failed password for invalid user git from «a2» port 33906 ssh2
Nov 14 03:40:59 build01 sshd[23990]: Connection closed by authenticating user root «a3» port 58810 [preauth]
Nov 14 04:02:17 build01 sshd[24411]: Failed password for deploy from «v6» port 60112 ssh2
Nov 14 04:55:02 build01 sshd[25103]: Accepted publickey for ci from «lan» port 50122 ssh2
```

Top sources (`grep "Failed password" auth.log | awk '{print $(NF-3)}' | sort | uniq -c | sort -rn`):

| count | source |
|------:|--------|
| 21304 | «a0» |
|  9881 | «a1» |
|  4410 | «a2» |
|  2215 | «v6» |

## Remediation

```bash
# block the worst offenders right away
iptables -I INPUT -s «a0» -j DROP
iptables -I INPUT -s «a1» -j DROP
iptables -I INPUT -s «a2» -j DROP
ip6tables -I INPUT -s «v6» -j DROP

# only allow ssh from the office and the VPN
iptables -A INPUT -p tcp --dport 22 -s 10.8.0.0/24 -j ACCEPT
iptables -A INPUT -p tcp --dport 22 -j DROP
```

- `PasswordAuthentication no` in `/etc/ssh/sshd_config`
- fail2ban installed, `bantime = 1h`, `maxretry = 5`
- DNS switched to 9.9.9.9 while we were at it (unrelated)
''', own=I(own), a0=I(attackers[0]), a1=I(attackers[1]), a2=I(attackers[2]), a3=I(attackers[3]),
                 v6=I(ip6a), lan=lan)
    return "docs/incidents/2023-11-14-ssh-bruteforce.md", text


def d_bounce_eml(r):
    sender_f, sender_l = _person(r)
    sender = email(r, r.choice(_ORGS), sender_f, sender_l)
    rcpt = email(r, r.choice(["gmail.com", "outlook.com", "yahoo.com"]))
    mx = ip4(r)
    relay = ip4(r)
    relay6 = ip6(r)
    local = priv4(r)
    text = _fill(r'''Return-Path: <«sender»>
Delivered-To: «rcpt»
Received: from mail.«dom» (mail.«dom» [«relay»])
        by mx.«rdom» with ESMTPS id 4f2c9k1a
        for <«rcpt»>; Tue, 07 Mar 2023 09:14:22 +0000
Received: from [«local»] (unknown [«relay6»])
        by mail.«dom» (Postfix) with ESMTPSA id 7B1E21C0A2F
        for <«rcpt»>; Tue, 07 Mar 2023 10:14:20 +0100 (CET)
Received-SPF: pass (domain of «dom» designates «relay» as permitted sender)
Authentication-Results: mx.«rdom»; spf=pass smtp.mailfrom=«dom»; dkim=pass header.d=«dom»
X-Originating-IP: [«mx»]
Date: Tue, 7 Mar 2023 10:14:19 +0100
From: «sname» <«sender»>
To: «rcpt»
Subject: Re: invoice #2023-0117
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hi,

please find the corrected invoice attached. The previous one had the wrong VAT id.

Best regards,
«sname»
''', sender=E(sender), rcpt=E(rcpt), dom=sender.split("@")[1], rdom=rcpt.split("@")[1],
                 relay=I(relay), relay6=I(relay6), local=local, mx=I(mx),
                 sname=display(sender_f, sender_l))
    return "tests/fixtures/mail/reply-with-headers.eml", text


# =============================================================================================
# documents: Swift / Rust / Scala / Dart / Lua / Perl / SQL
# =============================================================================================


def d_swift_constants(r):
    oa = K(openai_key(r))
    maps = K(google_key(r))
    alg_admin = K(_hex(r, 32))
    demo_pw = P(pw(r, syms="!#"))
    text = _fill(r'''//
//  Constants.swift
//  RecipeAI
//
//  Created by Student on 12/03/2024.
//

import Foundation

enum Constants {
    enum API {
        static let openAIKey = "«oa»"
        static let openAIModel = "gpt-4o-mini"
        static let googleMapsKey = "«maps»"
    }

    enum Algolia {
        static let appID = "«appid»"
        /// admin key - only used by the debug "reindex" button, remove before release!
        static let adminKey = "«alg_admin»"
        static let index = "recipes"
    }

    enum Demo {
        static let username = "reviewer"
        static let password = "«demo_pw»"
    }

    static let appVersion = Bundle.main.infoDictionary?["CFBundleShortVersionString"] as? String ?? "1.0"
    static let supportURL = URL(string: "https://recipeai.app/support")!
}
''', oa=oa, maps=maps, appid=_rs(r, 10, _UP + _DG), alg_admin=alg_admin,
                 demo_pw=demo_pw)
    return "RecipeAI/Utilities/Constants.swift", text


def d_rust_main(r):
    sq = K(square_tok(r))
    dpw = P(pw_random(r, syms=""))
    wh = K(_rs(r, 22, _URL))
    text = _fill(r'''use std::env;

use anyhow::{Context, Result};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;

const SQUARE_ACCESS_TOKEN: &str = "«sq»";
const SQUARE_WEBHOOK_SIGNATURE_KEY: &str = "«wh»";
const SQUARE_API: &str = "https://connect.squareup.com/v2";

#[derive(Debug, Deserialize)]
struct Payment {
    id: String,
    status: String,
    amount_money: Money,
}

#[derive(Debug, Deserialize, Serialize)]
struct Money {
    amount: i64,
    currency: String,
}

#[derive(Debug, Deserialize)]
struct ListPayments {
    #[serde(default)]
    payments: Vec<Payment>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let db_url = env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://popup:«dpw»@localhost:5432/popup_shop".to_string());
    let pool = PgPoolOptions::new().max_connections(5).connect(&db_url).await?;

    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {SQUARE_ACCESS_TOKEN}"))?);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("Square-Version", HeaderValue::from_static("2023-12-13"));
    let client = reqwest::Client::builder().default_headers(headers).build()?;

    let list: ListPayments = client
        .get(format!("{SQUARE_API}/payments"))
        .send()
        .await?
        .json()
        .await
        .context("decoding payments")?;

    for p in list.payments.iter().filter(|p| p.status == "COMPLETED") {
        sqlx::query("INSERT INTO sales (square_id, amount, currency) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(&p.id)
            .bind(p.amount_money.amount)
            .bind(&p.amount_money.currency)
            .execute(&pool)
            .await?;
    }
    let _ = SQUARE_WEBHOOK_SIGNATURE_KEY;
    println!("synced {} payments", list.payments.len());
    Ok(())
}
''', sq=sq, dpw=dpw, wh=wh)
    return "src/main.rs", text


def d_scala_conf(r):
    ps = K(_rs(r, 64, _AN))
    dpw = P(pw(r, syms="!#%"))
    mpw = P(pw_human(r, syms="!"))
    key = K(pem(r, "PRIVATE KEY", lines=r.randint(16, 22), sep="\n    "))
    ks = P(pw_random(r, syms=""))
    text = _fill(r'''# This is the main configuration file for the application.
# https://www.playframework.com/documentation/latest/ConfigFile

play.http.secret.key = "«ps»"
play.i18n.langs = ["en", "de"]
play.filters.hosts.allowed = [".lumenhq.com", "localhost:9000"]

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db {
    driver = "org.postgresql.Driver"
    url = "jdbc:postgresql://localhost:5432/timesheets"
    user = "timesheets"
    password = "«dpw»"
    numThreads = 10
  }
}

play.mailer {
  host = "smtp.sendgrid.net"
  port = 587
  tls = yes
  user = "apikey"
  password = "«mpw»"
  mock = no
}

jwt {
  issuer = "timesheets"
  ttl = 12 hours
  # RS256 signing key for the mobile app tokens
  private-key = """«key»"""
}

play.server.https.keyStore {
  path = "conf/keystore.jks"
  type = "JKS"
  password = "«ks»"
}

akka.actor.default-dispatcher.fork-join-executor.parallelism-max = 16
''', ps=ps, dpw=dpw, mpw=mpw, key=key, ks=ks)
    return "conf/application.conf", text


def d_dart_config(r):
    proj = _rs(r, 20, _LO)
    service = K(jwt(r, {"iss": "supabase", "ref": proj, "role": "service_role",
                        "iat": 1690000000 + r.randint(0, 10**7), "exp": 2005000000 + r.randint(0, 10**7)}))
    gk = K(google_key(r))
    os_key = K(_rs(r, 48, _AN))
    tpw = P(pw(r, syms="!#"))
    text = _fill(r'''// lib/config/app_config.dart
import 'package:flutter/foundation.dart';

class AppConfig {
  AppConfig._();

  static const String appName = 'Parkly';
  static const String version = '0.7.3+21';

  // Supabase
  static const String supabaseUrl = 'https://«proj».supabase.co';
  // NOTE: service role key bypasses RLS, only used by the admin build flavour
  static const String supabaseServiceKey =
      '«service»';

  // Google
  static const String placesApiKey = '«gk»';

  // Push notifications (OneSignal REST API)
  static const String oneSignalAppId = '«osapp»';
  static const String oneSignalRestKey = '«os_key»';

  // account used by the integration tests / store review
  static const String testEmailLocalPart = 'review';
  static const String testPassword = '«tpw»';

  static bool get isDebug => kDebugMode;
}
''', proj=proj, service=service, gk=gk, osapp=_uuid(r), os_key=os_key, tpw=tpw)
    return "lib/config/app_config.dart", text


def d_lua_nodemcu(r):
    wifi = P(pw_human(r, syms="!#"))
    mq = I(ip4(r))
    mpw = P(pw_random(r, syms=""))
    key = K(_rs(r, 16, _UP + _DG))
    text = _fill(r'''-- init.lua for the garage door controller (NodeMCU, ESP8266)
local cfg = {
  ssid = "FRITZ!Box 7590 KL",
  pwd = "«wifi»",
  mqtt_host = "«mq»",
  mqtt_port = 1883,
  mqtt_user = "garage",
  mqtt_pass = "«mpw»",
  ts_key = "«key»",
}

local RELAY_PIN = 1
local SENSOR_PIN = 2
gpio.mode(RELAY_PIN, gpio.OUTPUT)
gpio.mode(SENSOR_PIN, gpio.INPUT, gpio.PULLUP)

wifi.setmode(wifi.STATION)
wifi.sta.config({ ssid = cfg.ssid, pwd = cfg.pwd, auto = true })

local m = mqtt.Client("garage-" .. node.chipid(), 120, cfg.mqtt_user, cfg.mqtt_pass)

local function publish_state()
  local state = gpio.read(SENSOR_PIN) == 0 and "closed" or "open"
  m:publish("garage/door/state", state, 0, 1)
  http.get("http://api.thingspeak.com/update?api_key=" .. cfg.ts_key .. "&field1=" .. (state == "open" and 1 or 0))
end

m:on("message", function(client, topic, data)
  if topic == "garage/door/set" and data == "toggle" then
    gpio.write(RELAY_PIN, gpio.HIGH)
    tmr.create():alarm(500, tmr.ALARM_SINGLE, function() gpio.write(RELAY_PIN, gpio.LOW) end)
  end
end)

wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(T)
  print("got ip " .. T.IP)
  m:connect(cfg.mqtt_host, cfg.mqtt_port, false, function(client)
    client:subscribe("garage/door/set", 0)
    tmr.create():alarm(30000, tmr.ALARM_AUTO, publish_state)
  end)
end)
''', wifi=wifi, mq=mq, mpw=mpw, key=key)
    return "init.lua", text


def d_perl_report(r):
    host = I(ip4(r))
    dpw = P(pw(r, syms="!#%"))
    mg = K(mailgun(r))
    to = E(email(r, r.choice(_ORGS)))
    text = _fill(r'''#!/usr/bin/perl
use strict;
use warnings;

use DBI;
use LWP::UserAgent;
use POSIX qw(strftime);

my $dsn  = "DBI:mysql:database=helpdesk;host=«host»;port=3306";
my $dbh  = DBI->connect($dsn, "report", "«dpw»", { RaiseError => 1, AutoCommit => 1 })
    or die "cannot connect: $DBI::errstr";

my $sth = $dbh->prepare(q{
    SELECT status, COUNT(*) FROM tickets
    WHERE created_at >= NOW() - INTERVAL 7 DAY
    GROUP BY status
});
$sth->execute();

my $body = "Tickets in the last 7 days\n\n";
while (my ($status, $n) = $sth->fetchrow_array) {
    $body .= sprintf("%-12s %5d\n", $status, $n);
}
$dbh->disconnect;

my $ua = LWP::UserAgent->new(timeout => 20);
$ua->credentials("api.mailgun.net:443", "MG API", "api", "«mg»");
my $res = $ua->post(
    "https://api.mailgun.net/v3/mg.farmlink.co.za/messages",
    {
        from    => 'Helpdesk <noreply@mg.farmlink.co.za>',
        to      => '«to»',
        subject => "Weekly helpdesk report " . strftime("%Y-%m-%d", localtime),
        text    => $body,
    }
);
die $res->status_line unless $res->is_success;
print "sent\n";
''', host=host, dpw=dpw, mg=mg, to=to)
    # the sender mailbox is real too
    text = text.replace("noreply@mg.farmlink.co.za", E("noreply@mg.farmlink.co.za"))
    return "bin/weekly_report.pl", text


def d_sql_init(r):
    p_app = P(pw(r, syms="!#%"))
    p_ro = P(pw_random(r, syms="!#%"))
    p_pg = P(pw_human(r, syms="!"))
    dom = r.choice(_ORGS)
    u1, u2 = E(email(r, dom)), E(email(r))
    h1, h2 = bcrypt_hash(r), bcrypt_hash(r)
    text = _fill(r'''-- init.sql: executed by the mysql container on first start
CREATE DATABASE IF NOT EXISTS eventhub CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'eventhub'@'%' IDENTIFIED BY '«p_app»';
GRANT SELECT, INSERT, UPDATE, DELETE ON eventhub.* TO 'eventhub'@'%';

CREATE USER IF NOT EXISTS 'grafana_ro'@'10.0.%' IDENTIFIED WITH mysql_native_password BY '«p_ro»';
GRANT SELECT ON eventhub.* TO 'grafana_ro'@'10.0.%';
FLUSH PRIVILEGES;

USE eventhub;

CREATE TABLE users (
    id            BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    email         VARCHAR(255) NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    role          ENUM('admin', 'organiser', 'attendee') NOT NULL DEFAULT 'attendee',
    created_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- seed accounts (hashes are bcrypt, cost 12)
INSERT INTO users (email, password_hash, role) VALUES
    ('«u1»', '«h1»', 'admin'),
    ('«u2»', '«h2»', 'organiser');

-- the reporting replica is postgres; kept here so we don't lose it:
-- ALTER ROLE reporting WITH LOGIN PASSWORD '«p_pg»';
''', p_app=p_app, p_ro=p_ro, u1=u1, u2=u2, h1=h1, h2=h2, p_pg=p_pg)
    return "docker/mysql/init.sql", text


# =============================================================================================
# documents: Dockerfile / Terraform / INI / Apache / Makefile
# =============================================================================================


def d_dockerfile(r):
    npm = K(npm_tok(r))
    pypi = K(pypi_tok(r))
    dpw = P(pw(r, syms="_%"))
    digest = sha256(r)
    text = _fill(r'''# syntax=docker/dockerfile:1.6
FROM node:20-alpine@sha256:«digest» AS web
WORKDIR /web
ARG NPM_TOKEN=«npm»
COPY web/package.json web/package-lock.json ./
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
COPY web/ .
RUN npm run build

FROM python:3.11-slim
LABEL org.opencontainers.image.source="https://github.com/quantumleaf/atlas"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_EXTRA_INDEX_URL=https://__token__:«pypi»@pypi.quantumleaf.ai/simple/ \
    DB_HOST=db \
    DB_USER=atlas \
    DB_PASSWORD=«dpw»

RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=web /web/dist ./atlas/static

RUN useradd -r -u 10001 atlas
USER atlas
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["gunicorn", "atlas.wsgi:application", "-b", "0.0.0.0:8000", "-w", "3"]
''', digest=digest, npm=npm, pypi=pypi, dpw=dpw)
    return "Dockerfile", text


def d_terraform(r):
    kid, sec = K(aws_id(r)), K(aws_secret(r))
    dpw = P(pw_random(r, syms="!#%^*"))
    office, home = I(ip4(r)), I(ip4(r))
    ssh_key = K(pem(r, "OPENSSH PRIVATE KEY"))
    pub = ssh_pub(r, "terraform@laptop")
    dd = K(_hex(r, 32))
    text = _fill(r'''terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    datadog = {
      source = "DataDog/datadog"
    }
  }
}

provider "aws" {
  region     = "eu-central-1"
  access_key = "«kid»"
  secret_key = "«sec»"
}

provider "datadog" {
  api_key = "«dd»"
  app_key = "«ddapp»"
}

resource "aws_key_pair" "deployer" {
  key_name   = "deployer"
  public_key = "«pub»"
}

resource "aws_security_group" "bastion" {
  name = "bastion-ssh"

  ingress {
    description = "office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["«office»/32", "«home»/32"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "main" {
  identifier          = "orders-db"
  engine              = "postgres"
  engine_version      = "15.4"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "orders"
  password            = "«dpw»"
  skip_final_snapshot = true
}

resource "aws_instance" "bastion" {
  ami                    = "ami-0faab6bdbac9486fb"
  instance_type          = "t3.nano"
  key_name               = aws_key_pair.deployer.key_name
  vpc_security_group_ids = [aws_security_group.bastion.id]

  provisioner "remote-exec" {
    inline = ["sudo apt-get update -y"]

    connection {
      type        = "ssh"
      user        = "ubuntu"
      host        = self.public_ip
      private_key = <<-EOT
        «ssh_key»
      EOT
    }
  }
}
''', kid=kid, sec=sec, dd=dd, ddapp=K(_hex(r, 40)), pub=pub, office=office, home=home, dpw=dpw,
                 ssh_key=ssh_key.replace("\n", "\n        "))
    return "infra/main.tf", text


def d_config_ini(r):
    dpw = P(pw(r, syms="!#%"))
    shp = K(shopify_tok(r))
    shs = K(shopify_tok(r, "shpss_"))
    wh = K(_hex(r, 64))
    spw = P(pw_human(r, syms="!#"))
    text = _fill(r'''; settings for the stock sync daemon
; copy to /etc/stocksync/config.ini

[general]
log_level = INFO
interval_minutes = 15
dry_run = false

[database]
host = localhost
port = 5432
name = warehouse
user = stocksync
password = «dpw»

[shopify]
shop = greenhaus-solar.myshopify.com
api_version = 2024-01
access_token = «shp»
api_secret_key = «shs»
webhook_secret = «wh»

[sftp]
host = sftp.greenhaus-solar.de
port = 22
username = stock
password = "«spw»"
remote_dir = /outgoing/stock

[alerts]
smtp_host = localhost
recipients = ops@greenhaus-solar.de
''', dpw=dpw, shp=shp, shs=shs, wh=wh, spw=spw)
    text = text.replace("ops@greenhaus-solar.de", E("ops@greenhaus-solar.de"))
    return "config.ini", text


def d_apache_vhost(r):
    admin = E(email(r, r.choice(_ORGS)))
    a, b = I(ip4(r)), I(ip4(r))
    dpw = P(pw(r, syms="!#%"))
    sec = K(_rs(r, 40, _AN))
    lan = priv4(r)
    text = _fill(r'''<VirtualHost *:80>
    ServerName intranet.oakridge-analytics.com
    Redirect permanent / https://intranet.oakridge-analytics.com/
</VirtualHost>

<VirtualHost *:443>
    ServerName intranet.oakridge-analytics.com
    ServerAdmin «admin»
    DocumentRoot /var/www/intranet/public

    SSLEngine on
    SSLCertificateFile    /etc/letsencrypt/live/intranet.oakridge-analytics.com/fullchain.pem
    SSLCertificateKeyFile /etc/letsencrypt/live/intranet.oakridge-analytics.com/privkey.pem

    SetEnv APP_ENV production
    SetEnv DB_HOST «lan»
    SetEnv DB_PASS "«dpw»"
    SetEnv APP_SECRET «sec»

    <Directory /var/www/intranet/public>
        AllowOverride All
        Options -Indexes +FollowSymLinks
        Require all granted
    </Directory>

    <Location /admin>
        # office + VPN egress only
        Require ip «a» «b» «v6» 10.0.0.0/8
    </Location>

    # grafana lives on the monitoring box (v6 only)
    ProxyPass        /grafana/ http://[«v6»]:3000/
    ProxyPassReverse /grafana/ http://[«v6»]:3000/

    ErrorLog ${APACHE_LOG_DIR}/intranet_error.log
    CustomLog ${APACHE_LOG_DIR}/intranet_access.log combined
</VirtualHost>
''', admin=admin, lan=lan, dpw=dpw, sec=sec, a=a, b=b, v6=I(ip6(r)))
    return "deploy/apache/intranet.conf", text


def d_makefile(r):
    host = I(ip4(r))
    pypi = K(pypi_tok(r))
    dh = P(pw(r, syms="_%"))
    text = _fill(r'''.PHONY: install test lint build publish docker deploy clean

PACKAGE   := geotiler
VERSION   := $(shell python -c "import geotiler; print(geotiler.__version__)")
SERVER    := «host»
TWINE_USERNAME ?= __token__
TWINE_PASSWORD ?= «pypi»
DOCKER_USER := geotiler
DOCKER_PASS := «dh»

install:
	pip install -e ".[dev]"

test:
	pytest -q --cov=$(PACKAGE)

lint:
	ruff check $(PACKAGE) tests
	mypy $(PACKAGE)

build: clean
	python -m build

publish: build
	TWINE_USERNAME=$(TWINE_USERNAME) TWINE_PASSWORD=$(TWINE_PASSWORD) twine upload dist/*

docker:
	docker build -t $(DOCKER_USER)/$(PACKAGE):$(VERSION) .
	echo "$(DOCKER_PASS)" | docker login -u $(DOCKER_USER) --password-stdin
	docker push $(DOCKER_USER)/$(PACKAGE):$(VERSION)

deploy:
	ssh ubuntu@$(SERVER) "docker pull $(DOCKER_USER)/$(PACKAGE):$(VERSION) && docker compose -f /srv/geotiler/compose.yml up -d"

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache
''', host=host, pypi=pypi, dh=dh)
    return "Makefile", text


# =============================================================================================
# documents: hard negatives only
# =============================================================================================


def d_neg_nginx(r):
    ups = [priv4(r) for _ in range(3)]
    text = _fill(r'''upstream app_backend {
    least_conn;
    server «u0»:8000 max_fails=3 fail_timeout=30s;
    server «u1»:8000 max_fails=3 fail_timeout=30s;
    server «u2»:8000 backup;
    keepalive 32;
}

server {
    listen 80;
    listen [::]:80;
    server_name shop.tidepool.co;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name shop.tidepool.co;

    ssl_certificate     /etc/letsencrypt/live/shop.tidepool.co/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/shop.tidepool.co/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;

    resolver 1.1.1.1 8.8.8.8 valid=300s;
    resolver_timeout 5s;

    set_real_ip_from 10.0.0.0/8;
    set_real_ip_from 100.64.0.0/10;
    real_ip_header X-Forwarded-For;

    location /admin/ {
        allow 127.0.0.1;
        allow 192.168.0.0/16;
        deny all;
        auth_basic "Restricted area";
        auth_basic_user_file /etc/nginx/.htpasswd;
        proxy_pass http://app_backend;
    }

    location / {
        proxy_pass http://app_backend;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 60s;
    }

    location ~* \.(png|jpg|svg|woff2)$ {
        expires 30d;
        add_header Cache-Control "public, immutable";
    }
}
''', u0=ups[0], u1=ups[1], u2=ups[2])
    return "nginx/sites-available/shop.conf", text


def d_neg_package_lock(r):
    def integ():
        return "sha512-" + _b64(r, 64)
    text = _fill(r'''{
  "name": "dashboard",
  "version": "0.3.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "dashboard",
      "version": "0.3.0",
      "dependencies": {
        "@tanstack/react-query": "^5.8.4",
        "chart.js": "^4.4.0",
        "react": "^18.2.0"
      }
    },
    "node_modules/@tanstack/query-core": {
      "version": "5.8.3",
      "resolved": "https://registry.npmjs.org/@tanstack/query-core/-/query-core-5.8.3.tgz",
      "integrity": "«i1»",
      "funding": {
        "type": "github",
        "url": "https://github.com/sponsors/tannerlinsley"
      }
    },
    "node_modules/@kurkle/color": {
      "version": "0.3.2",
      "resolved": "https://registry.npmjs.org/@kurkle/color/-/color-0.3.2.tgz",
      "integrity": "«i2»"
    },
    "node_modules/chart.js": {
      "version": "4.4.0",
      "resolved": "https://registry.npmjs.org/chart.js/-/chart.js-4.4.0.tgz",
      "integrity": "«i3»",
      "dependencies": {
        "@kurkle/color": "^0.3.0"
      },
      "engines": {
        "pnpm": ">=7"
      }
    },
    "node_modules/js-tokens": {
      "version": "4.0.0",
      "resolved": "https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz",
      "integrity": "«i4»"
    },
    "node_modules/loose-envify": {
      "version": "1.4.0",
      "resolved": "https://registry.npmjs.org/loose-envify/-/loose-envify-1.4.0.tgz",
      "integrity": "«i5»",
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
      "integrity": "«i6»",
      "dependencies": {
        "loose-envify": "^1.1.0"
      },
      "engines": {
        "node": ">=0.10.0"
      }
    }
  }
}
''', i1=integ(), i2=integ(), i3=integ(), i4=integ(), i5=integ(), i6=integ())
    return "dashboard/package-lock.json", text


def d_neg_netutil_test(r):
    text = _fill(r'''package netutil

import (
	"net"
	"testing"
)

func TestIsPublic(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"192.168.1.254", false},
		{"127.0.0.1", false},
		{"169.254.169.254", false}, // cloud metadata endpoint
		{"100.64.12.7", false},     // CGNAT
		{"192.0.2.15", false},      // TEST-NET-1
		{"198.51.100.23", false},   // TEST-NET-2
		{"203.0.113.99", false},    // TEST-NET-3
		{"224.0.0.251", false},     // mDNS multicast
		{"255.255.255.255", false},
		{"0.0.0.0", false},
		{"::1", false},
		{"fe80::1ff:fe23:4567:890a", false},
		{"fd12:3456:789a:1::1", false},
		{"2001:db8::8a2e:370:7334", false},
	}
	for _, c := range cases {
		if got := IsPublic(net.ParseIP(c.in)); got != c.want {
			t.Errorf("IsPublic(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestDefaultResolvers(t *testing.T) {
	want := []string{"8.8.8.8", "8.8.4.4", "1.1.1.1", "9.9.9.9", "2606:4700:4700::1111"}
	got := DefaultResolvers()
	if len(got) != len(want) {
		t.Fatalf("got %d resolvers", len(got))
	}
}

func TestMaskAndVersion(t *testing.T) {
	m := net.IPv4Mask(255, 255, 255, 0)
	if ones, _ := m.Size(); ones != 24 {
		t.Fatal("bad mask")
	}
	ip := net.IPv4(192, 168, 1, 2)
	if !ip.IsPrivate() {
		t.Fatal("expected private")
	}
	// agent reports its build as a dotted quad; must not be parsed as an address
	if v := ParseAgentVersion("agent/4.12.0.3"); v.String() != "4.12.0.3" {
		t.Fatalf("version = %s", v)
	}
	// sysDescr OID
	if oid := "1.3.6.1.2.1.1.1.0"; !IsOID(oid) {
		t.Fatal("expected OID")
	}
}
''')
    return "internal/netutil/netutil_test.go", text


def d_neg_locales(r):
    text = _fill(r'''{
  "auth": {
    "login": "Anmelden",
    "logout": "Abmelden",
    "email": "E-Mail-Adresse",
    "password": "Passwort",
    "password_placeholder": "••••••••",
    "password_confirm": "Passwort bestätigen",
    "forgot_password": "Passwort vergessen?",
    "reset_password": "Passwort zurücksetzen",
    "reset_password_sent": "Wir haben dir einen Link zum Zurücksetzen geschickt.",
    "password_too_short": "Das Passwort muss mindestens {{min}} Zeichen lang sein.",
    "passwords_do_not_match": "Die Passwörter stimmen nicht überein.",
    "wrong_password": "E-Mail oder Passwort ist falsch.",
    "two_factor_code": "Bestätigungscode",
    "api_key": "API-Schlüssel",
    "api_key_hint": "Den API-Schlüssel findest du unter Einstellungen → Entwickler.",
    "secret": "Geheimnis",
    "token_expired": "Deine Sitzung ist abgelaufen. Bitte melde dich erneut an."
  },
  "settings": {
    "change_password": "Passwort ändern",
    "current_password": "Aktuelles Passwort",
    "new_password": "Neues Passwort",
    "show_password": "Passwort anzeigen",
    "masked": "********",
    "generate_token": "Neues Token erzeugen",
    "revoke_token": "Token widerrufen"
  }
}
''')
    return "src/i18n/locales/de.json", text


def d_neg_example_config(r):
    text = _fill(r'''# config.example.yaml
# Copy to config.yaml and fill in your own values. Never commit config.yaml!

app:
  name: harbor-sync
  env: development
  secret_key: "<generate with: openssl rand -hex 32>"
  instance_id: «uuid»

database:
  host: ${DB_HOST:-localhost}
  port: 5432
  user: harbor
  password: ${DB_PASSWORD}

aws:
  # the example credentials from the AWS docs, replace with your own
  access_key_id: AKIAIOSFODNN7EXAMPLE
  secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  kms_key_arn: arn:aws:kms:us-east-1:«acct»:key/«kms»

stripe:
  publishable_key: «pk»
  secret_key: "{{ vault_stripe_secret_key }}"

github:
  token: YOUR_GITHUB_TOKEN
  oauth_client_id: Iv1.«ghcid»
  oauth_client_secret: <your-client-secret>

google:
  oauth_client_id: «gcid»
  recaptcha_site_key: «site»

sentry:
  dsn: «dsn»

smtp:
  host: smtp.mailtrap.io
  username: ""
  password: null

release:
  commit: «commit»
  checksum_sha256: «sum»
''', uuid=_uuid(r), acct=r.randint(10**11, 10**12 - 1), kms=_uuid(r), pk=stripe_pk(r),
                 ghcid=_hex(r, 16), gcid=google_client_id(r), site=recaptcha_site(r),
                 dsn=sentry_dsn(r), commit=gitsha(r), sum=sha256(r))
    return "config.example.yaml", text



def d_neg_r_analysis(r):
    text = _fill(r'''# analysis.R -- monthly churn report
library(DBI)
library(RPostgres)
library(dplyr)
library(ggplot2)

# credentials come from ~/.Renviron (DB_HOST, DB_USER, DB_PASSWORD)
con <- dbConnect(
  RPostgres::Postgres(),
  host     = Sys.getenv("DB_HOST"),
  port     = 5432,
  dbname   = "analytics",
  user     = Sys.getenv("DB_USER"),
  password = Sys.getenv("DB_PASSWORD")
)

# alternatively: password = rstudioapi::askForPassword("Database password")

churn <- dbGetQuery(con, "
  SELECT date_trunc('month', cancelled_at) AS month, count(*) AS n
  FROM subscriptions
  WHERE cancelled_at IS NOT NULL
  GROUP BY 1 ORDER BY 1
")

dbDisconnect(con)

sessionInfo()$R.version$version.string  # "R version 4.3.1 (2023-06-16)"
packageVersion("ggplot2")                 # '3.4.4'

ggplot(churn, aes(month, n)) +
  geom_col(fill = "#2c7fb8") +
  labs(title = "Cancelled subscriptions per month", x = NULL, y = "count") +
  theme_minimal()

ggsave("churn.png", width = 8, height = 4, dpi = 150)
# md5 of the exported csv, for the audit trail
# md5: «md5»
''', md5=_hex(r, 32))
    return "reports/analysis.R", text


# =============================================================================================
# the set
# =============================================================================================

_DOCS = [
    d_telegram_weather_bot,
    d_scrapy_settings,
    d_flask_factory,
    d_django_settings,
    d_pytest_auth,
    d_notebook_openai,
    d_fabfile,
    d_boto_upload,
    d_mqtt_logger,
    d_seed_db,
    d_slack_alerts,
    d_service_account_json,
    d_stripe_checkout,
    d_conftest_redis,
    d_ldap_sync,
    d_setup_py,
    d_mongoose_db,
    d_node_dotenv,
    d_firebase_ts,
    d_nodemailer,
    d_package_json,
    d_npmrc,
    d_express_server_ts,
    d_cypress_users,
    d_vite_config,
    d_discord_js,
    d_knexfile,
    d_supertest_spec,
    d_spring_properties,
    d_spring_yaml,
    d_java_mail,
    d_java_jdbc,
    d_build_gradle,
    d_kotlin_retrofit,
    d_gradle_properties,
    d_maven_settings,
    d_esp32_sketch,
    d_cpp_curl,
    d_config_h,
    d_cpp_tls_test,
    d_go_mysql,
    d_go_config,
    d_go_minio,
    d_go_client_test,
    d_appsettings_json,
    d_csharp_email,
    d_web_config,
    d_csharp_tests,
    d_php_config,
    d_laravel_env,
    d_wp_config,
    d_phpmailer,
    d_composer_json,
    d_rails_database_yml,
    d_devise_rb,
    d_rake_import,
    d_factorybot,
    d_deploy_sh,
    d_backup_sh,
    d_install_sh,
    d_wireguard_setup,
    d_bashrc_exports,
    d_docker_run_sh,
    d_docker_compose,
    d_gh_actions,
    d_gitlab_ci,
    d_k8s_secret,
    d_ansible_vars,
    d_ansible_inventory,
    d_alertmanager,
    d_pgpass,
    d_bot_config_json,
    d_serverless_yml,
    d_readme_setup,
    d_authors,
    d_incident_md,
    d_bounce_eml,
    d_swift_constants,
    d_rust_main,
    d_scala_conf,
    d_dart_config,
    d_lua_nodemcu,
    d_perl_report,
    d_sql_init,
    d_dockerfile,
    d_terraform,
    d_config_ini,
    d_apache_vhost,
    d_makefile,
    d_neg_nginx,
    d_neg_package_lock,
    d_neg_netutil_test,
    d_neg_locales,
    d_neg_example_config,
    d_neg_r_analysis,
]


def testset18_documents(seed: int = SEED) -> list[LabelledDoc]:
    docs = []
    for i, fn in enumerate(_DOCS):
        r = random.Random(f"testset18:{seed}:{fn.__name__}")
        path, marked = fn(r)
        docs.append(_parse(f"t18-{i:02d}/{path}", marked))
    return docs


_RESERVED_EMAIL_SUFFIXES = (".example", ".test", ".invalid", ".localhost", "example.com",
                            "example.org", "example.net")


def _check(seed: int = SEED) -> list[LabelledDoc]:
    docs = testset18_documents(seed)
    names = [d.name for d in docs]
    assert len(names) == len(set(names)), "duplicate document names"
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text, f"{d.name}: marker left in text"
        assert "«" not in d.text and "»" not in d.text, f"{d.name}: placeholder left in text"
        prev_end = -1
        for kind, s, e in sorted(d.spans, key=lambda t: t[1]):
            v = d.text[s:e]
            assert 0 <= s < e <= len(d.text), f"{d.name}: span out of range"
            assert v == v.strip(), f"{d.name}: span {v!r} has surrounding whitespace"
            assert s >= prev_end, f"{d.name}: overlapping spans at {s}"
            prev_end = e
            if kind == "ip_address":
                assert _is_public(v), f"{d.name}: planted IP {v} is not public"
            if kind == "email":
                dom = v.rsplit("@", 1)[1].lower()
                assert "@" in v and not dom.endswith(_RESERVED_EMAIL_SUFFIXES), \
                    f"{d.name}: reserved email domain {v}"
        # every other occurrence of a planted value must be labelled too (an occurrence that
        # lies inside another planted span, e.g. ``skim@x`` inside ``lukaskim@x``, is covered)
        for kind, s, e in d.spans:
            v = d.text[s:e]
            i = d.text.find(v)
            while i != -1:
                j = i + len(v)
                assert any(a <= i and j <= b for _, a, b in d.spans), \
                    f"{d.name}: unlabelled repeat of {kind} {v[:40]!r} at {i}"
                i = d.text.find(v, i + 1)
    return docs


if __name__ == "__main__":
    docs = _check()
    counts = Counter(k for d in docs for k, _, _ in d.spans)
    for d in docs:
        per = Counter(k for k, _, _ in d.spans)
        print(f"{d.name:70s} {len(d.text.splitlines()):4d} lines  "
              + " ".join(f"{k}={per[k]}" for k in sorted(per)))
    print()
    print(f"documents: {len(docs)}  (negatives only: {sum(1 for d in docs if not d.spans)})")
    print(f"spans: {sum(counts.values())}  " + "  ".join(f"{k}={counts[k]}" for k in sorted(counts)))
    print("ok")
