"""A third, independent, held-out PII test set ("testset2"), written blind.

It was written without reading the scrubber or the two earlier sets, only from the spec, to
measure whether a scrubber generalises to code it has never seen. Do NOT tune against it.
Documents imitate files from public repositories: source in ~25 languages, build/deploy files,
app and server configs, notebooks, docs, changelogs, fixtures, SQL, CSV/TSV, logs, mbox, git
logs, RFC text and packaging metadata. Secret values come from a seeded `random.Random`, shaped
per provider. Planted spans use the `⟦kind|value⟧` syntax of `tests.test_pii_labelled._parse`.

Labelling policy (what is planted, and where a span starts and ends):

* email -- every syntactically valid address on a real TLD (gTLDs, new gTLDs, ccTLDs with
  second levels, subdomains, IDN in Unicode and in punycode), wherever it appears: code, headers,
  git trailers, package metadata, mailto: links (span = the address only, never `mailto:`,
  angle brackets, quotes or a display name). Service-account and role addresses count too.
  Not emails: `user@host` without a TLD (ssh targets, `deploy@build-01`, `root@10.0.0.4`),
  `pkg@1.2.3`, `@scope/pkg`, `icon@2x.png`, decorators/annotations, `image@sha256:...`,
  format strings (`"%s@%s"`, `{user}@{domain}`), regexes. No reserved example domains are used.
* ip_address -- public, globally routable IPv4 and IPv6 host addresses (compressed or full).
  Span = the address only: no port, no brackets, no `/prefix`. Not planted (hard negatives):
  RFC 1918, loopback, link-local, unspecified, CGNAT 100.64/10, multicast, ULA fc00::/7,
  broadcast/netmasks (255.x), the well-known public resolvers (8.8.8.8, 8.8.4.4, 1.1.1.1,
  1.0.0.1, 9.9.9.9, 149.112.112.112, 208.67.222.222, 208.67.220.220, 2001:4860:4860::8888,
  2606:4700:4700::1111), documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
  2001:db8::/32), dotted versions (even four-part ones whose parts are all <= 255, e.g.
  `Standards-Version: 4.6.2.0`), OIDs, invalid dotted quads, MAC addresses, `::` in C++/Rust
  paths and Python classifiers, times.
* key -- provider-shaped credentials (AWS id/secret/session, GCP API keys, Azure storage keys
  and client secrets, GitHub, GitLab, Slack tokens and webhook paths, Stripe secret/restricted/
  webhook secrets, Twilio auth token and API key SID, SendGrid, Mailgun, npm, PyPI, Docker Hub,
  Heroku `HRKU-`, Datadog, New Relic, Sentry DSN *secret* part, Firebase/FCM, Algolia admin
  key, OpenAI, Anthropic, Hugging Face, Telegram, Discord, JWTs) and any high-entropy value
  assigned to a secret-like name (secret, token, api_key, access_key, client_secret, signing /
  encryption key, SECRET_KEY, secret_key_base, APP_KEY, WireGuard PrivateKey/PresharedKey ...).
  Span = the token value only (for Laravel `base64:...` the part after `base64:`; for webhook
  URLs the secret path part). A private key block is one span from `-----BEGIN` to the last dash
  of its END line (also when JSON-escaped with `\\n` or indented in YAML). A provider-shaped
  token in a password slot (`.pypirc`, `.netrc`, `.git-credentials`, SMTP `apikey:` login) is
  labelled `key`, not `password`. Not keys: hashes next to sha/md5/digest/checksum/integrity/
  commit, lockfile hashes, git SHAs, UUIDs (also under `InstrumentationKey`/`TenantId`),
  placeholders, env/template references, public keys, certificates, ssh public keys, AWS's
  documented `...EXAMPLE...` keys, data-URI images, client IDs.
* password -- literal passwords in assignments, keyword/positional arguments of known
  credential APIs, config files, connection strings (`Password=...;`, `password=` query
  params, libpq `password=`), CLI invocations (`-pVALUE`, `-p 'VALUE'`, `--password VALUE`,
  `curl -u user:VALUE`, `chpasswd`), and URL userinfo (`scheme://user:VALUE@host`). Span = the
  value only (no quotes, no key name, no user). Not passwords: identifiers
  (`get_password_hash`, `password_reset_timeout`), reads (`os.environ`, `getenv`, `getpass()`,
  `input()`, `Read-Host`, `read -s`), `None`/`null`/empty, env/template references
  (`${DB_PASS}`, `{{ vault_db_password }}`, `<%= ENV[...] %>`), placeholders (`changeme`,
  `****`, `<password>`), bcrypt/argon2/crypt/apr1/pbkdf2/MySQL `*HEX` hashes, password
  policies, form fields, UI labels and translations of the word "password".

`testset2_documents()` returns the documents; `python -m tests.pii_testset2` prints counts.
"""
from __future__ import annotations

import base64
import json
import random
import re
import string

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 20240611

# ------------------------------------------------------------------------------------ helpers

ALNUM = string.ascii_letters + string.digits
UPNUM = string.ascii_uppercase + string.digits
LOWNUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
B32 = string.ascii_uppercase + "234567"


def E(v: str) -> str:
    return f"⟦email|{v}⟧"


def I(v: str) -> str:  # noqa: E743
    return f"⟦ip_address|{v}⟧"


def K(v: str) -> str:
    return f"⟦key|{v}⟧"


def P(v: str) -> str:
    return f"⟦password|{v}⟧"


_SLOT = re.compile(r"§(\w+)§")


def fill(template: str, **vals: str) -> str:
    used = set()

    def sub(m):
        used.add(m.group(1))
        return vals[m.group(1)]

    out = _SLOT.sub(sub, template)
    unused = set(vals) - used
    assert not unused, unused
    return out


def rs(r: random.Random, alphabet: str, n: int) -> str:
    """n chars of alphabet; mixed letters and digits where the alphabet has both."""
    mixed = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
    while True:
        s = "".join(r.choice(alphabet) for _ in range(n))
        low = s.lower()
        if "xxxx" in low or "example" in low:
            continue
        if not mixed or (any(c.isdigit() for c in s) and any(c.isalpha() for c in s)):
            return s


def hexs(r, n):
    return rs(r, HEX, n)


def b64s(r, nbytes):
    return base64.b64encode(bytes(r.randrange(256) for _ in range(nbytes))).decode()


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def uuid(r):
    h = hexs(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def sha(r, n=64):
    return "".join(r.choice(HEX) for _ in range(n))


# ------------------------------------------------------------------------- provider shapes

def aws_id(r, prefix="AKIA"):
    return prefix + rs(r, B32, 16)


def aws_secret(r):
    return rs(r, B64, 40)


def aws_session(r):
    return "FwoGZXIvYXdzE" + rs(r, B64, 280)


def gh(r, prefix="ghp_"):
    return prefix + rs(r, ALNUM, 36)


def gh_fine(r):
    return "github_pat_11" + rs(r, UPNUM, 20) + "_" + rs(r, ALNUM, 59)


def glpat(r):
    return "glpat-" + rs(r, URLSAFE, 20)


def slack(r, prefix="xoxb"):
    return f"{prefix}-{r.randrange(10**10, 10**12)}-{r.randrange(10**12, 10**13)}-{rs(r, ALNUM, 24)}"


def slack_hook(r):
    return f"T{rs(r, UPNUM, 8)}/B{rs(r, UPNUM, 10)}/{rs(r, ALNUM, 24)}"


def stripe(r, prefix="sk_live_", n=24):
    return prefix + rs(r, ALNUM, n)


def sendgrid(r):
    return "SG." + rs(r, URLSAFE, 22) + "." + rs(r, URLSAFE, 43)


def mailgun(r):
    return "key-" + hexs(r, 32)


def npm_tok(r):
    return "npm_" + rs(r, ALNUM, 36)


def pypi_tok(r):
    return "pypi-AgEIcHlwaS5vcmcCJ" + rs(r, URLSAFE, 160)


def dckr(r):
    return "dckr_pat_" + rs(r, URLSAFE, 27)


def heroku(r):
    return "HRKU-AA" + rs(r, URLSAFE, 58)


def nrak(r):
    return "NRAK-" + rs(r, UPNUM, 27)


def nr_license(r):
    return hexs(r, 36) + "NRAL"


def gcp_key(r):
    return "AIza" + rs(r, URLSAFE, 35)


def azure_storage(r):
    return b64s(r, 64)


def azure_cs(r):
    return rs(r, ALNUM, 3) + "8Q~" + rs(r, ALNUM + "~_.-", 34)


def openai_key(r):
    return "sk-proj-" + rs(r, URLSAFE, 74) + "T3BlbkFJ" + rs(r, URLSAFE, 74)


def openai_legacy(r):
    return "sk-" + rs(r, ALNUM, 20) + "T3BlbkFJ" + rs(r, ALNUM, 20)


def anthropic(r):
    return "sk-ant-api03-" + rs(r, URLSAFE, 93) + "AA"


def hf(r):
    return "hf_" + rs(r, string.ascii_letters, 34)


def telegram(r):
    return f"{r.randrange(10**9, 8 * 10**9)}:AA{rs(r, URLSAFE, 33)}"


def discord(r):
    uid = str(r.randrange(10**17, 10**18 * 2))
    return b64u(uid.encode()) + "." + rs(r, URLSAFE, 6) + "." + rs(r, URLSAFE, 38)


def fcm(r):
    return "AAAA" + rs(r, URLSAFE, 7) + ":APA91b" + rs(r, URLSAFE, 134)


def twilio_sk(r):
    return "SK" + hexs(r, 32)


def jwt(r, claims=None):
    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = claims or {"sub": str(r.randrange(10**6)), "role": r.choice(["admin", "svc", "user"]),
                      "iat": 1700000000 + r.randrange(10**7)}
    return head + "." + b64u(json.dumps(body, separators=(",", ":")).encode()) + "." + rs(r, URLSAFE, 43)


def pem(r, label="RSA PRIVATE KEY", lines=8, indent="", nl="\n", head=""):
    body = [head + rs(r, B64, 64 - len(head))] + [rs(r, B64, 64) for _ in range(lines - 1)]
    body.append(rs(r, B64, r.randrange(20, 60)) + "=")
    sep = nl + indent
    return f"-----BEGIN {label}-----" + sep + sep.join(body) + sep + f"-----END {label}-----"


def pub_pem(r, label="PUBLIC KEY", lines=5):
    return pem(r, label, lines)


def wg_key(r):
    return b64s(r, 32)


def secret(r, n=40):
    return rs(r, ALNUM, n)


# ----------------------------------------------------------------------- people, places, pws

FIRST = ["amara", "bjorn", "chiara", "dmitri", "esther", "farid", "greta", "hiroshi", "ines",
         "jonas", "kavya", "lucas", "mei", "nadia", "oskar", "priya", "quentin", "rosa",
         "soren", "tamar", "ugo", "valentina", "wen", "ximena", "yusuf", "zofia"]
LAST = ["okafor", "lindqvist", "bianchi", "volkov", "mendel", "haddad", "schulz", "tanaka",
        "ferreira", "weber", "iyer", "moreau", "zhang", "petrova", "nilsen", "raman", "dubois",
        "alvarez", "kjaer", "levi", "conti", "ruiz", "liang", "navarro", "demir", "kowalska"]
DOMAINS = ["kestrelworks.io", "mail.northwind-analytics.com", "fjordsoft.no", "brightpath.dev",
           "lumen-lab.ai", "corp.halcyon-systems.co.uk", "greenleaf.com.au", "quokka.tech",
           "byteforge.app", "atelier-noir.fr", "datenwerk.berlin", "pixelmoss.studio",
           "ridgeline.cloud", "tessellate.xyz", "orchard.engineering", "nimbus-ops.net",
           "harborview.org", "mandala-soft.co.in", "sakura-net.co.jp", "stackfield.consulting",
           "eu.mailer.tidewater.systems", "veldt.co.za", "paperkite.design", "lagom.se",
           "cortado.coffee", "kumo.jp", "alpaca-data.pe", "polaris.photography", "gmail.com",
           "outlook.com", "proton.me", "fastmail.fm", "users.noreply.github.com"]
IDN = ["müller-bau.de", "bücherwelt.at", "xn--mller-kva.de", "почта-сервис.рф", "数据.中国",
       "café-lumière.fr", "xn--caf-dma.com", "ñandú.com.ar"]


def email(r, domain=None):
    f, l = r.choice(FIRST), r.choice(LAST)
    local = r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}", f"{f}+{r.choice(['ci', 'git', 'news'])}",
                      f"{f}.{l}{r.randrange(70, 99)}", f"{f.capitalize()}.{l.capitalize()}", f"{l}.{f[0]}"])
    if domain == "noreply":
        return f"{r.randrange(10**6, 10**8)}+{f}{l[:3]}@users.noreply.github.com"
    return f"{local}@{domain or r.choice(DOMAINS)}"


def idn_email(r):
    return f"{r.choice(['info', 'kontakt', 'office', r.choice(FIRST)])}@{r.choice(IDN)}"


def person(r):
    return f"{r.choice(FIRST).capitalize()} {r.choice(LAST).capitalize()}"


_OCT1 = [5, 23, 31, 34, 35, 37, 45, 46, 52, 54, 62, 66, 77, 78, 80, 81, 82, 85, 88, 91, 94, 95,
         104, 109, 116, 128, 138, 141, 142, 144, 145, 146, 151, 152, 155, 157, 159, 161, 163,
         164, 165, 167, 170, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217]


def ip4(r):
    return f"{r.choice(_OCT1)}.{r.randrange(0, 256)}.{r.randrange(0, 256)}.{r.randrange(1, 255)}"


_V6 = ["2a01:4f8", "2a03:b0c0", "2600:1f18", "2a00:1450", "2604:a880", "2001:41d0", "2a05:d014",
       "2620:0:2d0", "2a02:c207", "2406:da1c", "2c0f:f8f0", "2800:3f0"]


def ip6(r, full=False):
    pre = r.choice(_V6)
    groups = pre.split(":")
    if full:
        rest = [f"{r.randrange(0x10000):x}" for _ in range(8 - len(groups))]
        return ":".join(groups + rest)
    return ":".join(groups + [f"{r.randrange(1, 0xffff):x}", f"{r.randrange(1, 0xffff):x}"]) + "::" + f"{r.randrange(1, 0xfff):x}"


WORDS = ["harbor", "falcon", "granite", "meadow", "copper", "velvet", "orbit", "lantern",
         "cobalt", "juniper", "saffron", "tundra", "quartz", "willow", "ember", "glacier",
         "marble", "thistle", "raven", "summit", "pepper", "mosaic", "nebula", "walnut"]


def pw(r, style=None):
    s = r.randrange(5) if style is None else style
    if s == 0:
        return r.choice(WORDS).capitalize() + r.choice("!*.~_-") + str(r.randrange(10, 99999))
    if s == 1:
        return r.choice(ALNUM) + rs(r, ALNUM + "!*-_.~", 15)
    if s == 2:
        return "-".join(r.sample(WORDS, 3)) + "-" + str(r.randrange(10, 99))
    if s == 3:
        return rs(r, ALNUM, r.randrange(10, 14)) + r.choice("!*~")
    return r.choice(WORDS).capitalize() + str(r.randrange(1000, 9999)) + r.choice(WORDS) + r.choice("!*.")


# ================================================================================ documents
# Each builder takes the Random and returns (name, marked text). Templates are raw strings with
# §slot§ holes filled by `fill`, so braces of the target languages need no escaping.

DOCS = []


def doc(fn):
    DOCS.append(fn)
    return fn


@doc
def d_boto_upload(r):
    return "scripts/upload_artifacts.py", fill(r'''#!/usr/bin/env python3
"""Upload build artifacts to S3.

Maintainer: §m1§ -- ping §m2§ for access.
Example (from the AWS docs, not a real key): AKIAIOSFODNN7EXAMPLE /
wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"""
import os
import hashlib
import boto3

__version__ = "3.2.1.4"
ARTIFACT_SHA256 = "§h§"

# TODO(security): move these to the CI vault before 1.0
AWS_ACCESS_KEY_ID = "§a§"
AWS_SECRET_ACCESS_KEY = "§s§"
FALLBACK_SECRET = os.environ.get("AWS_SECRET_ACCESS_KEY")
MIRROR_HOST = "§ip§"   # eu mirror
LOCAL_CACHE = "127.0.0.1"


def client():
    return boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID,
                        aws_secret_access_key=AWS_SECRET_ACCESS_KEY, region_name="eu-west-1")


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()
''', m1=E(email(r)), m2=E(email(r)), h=sha(r), a=K(aws_id(r)), s=K(aws_secret(r)), ip=I(ip4(r)))


@doc
def d_spring_yml(r):
    return "src/main/resources/application-prod.yml", fill(r'''spring:
  datasource:
    url: jdbc:postgresql://§ip§:5432/orders?sslmode=require
    username: orders_svc
    password: §p1§
    hikari:
      maximum-pool-size: 20
  mail:
    host: smtp.office365.com
    port: 587
    username: §e1§
    password: §p2§
  flyway:
    password: ${FLYWAY_PASSWORD:}
management:
  server:
    address: 127.0.0.1
    port: 8081
info:
  app:
    version: 2.7.1.3
app:
  jwt:
    signing-key: §k1§
    expiration-ms: 86400000
  password-policy:
    min-length: 12
    require-digit: true
  security:
    allowed-networks: 10.0.0.0/8, 172.16.0.0/12
''', ip=I(ip4(r)), p1=P(pw(r)), e1=E(email(r)), p2=P(pw(r)), k1=K(secret(r, 64)))


@doc
def d_spring_props(r):
    return "config/application.properties", fill(r'''# Generated by Spring Initializr 3.1.4
server.port=8443
server.ssl.key-store=classpath:keystore.p12
server.ssl.key-store-password=§p1§
server.ssl.key-alias=tomcat
spring.redis.host=§ip1§
spring.redis.password=§p2§
spring.rabbitmq.addresses=amqp://billing:§p3§@§ip2§:5672/prod
spring.security.user.password=${ADMIN_PASSWORD}
stripe.api-key=§k1§
stripe.webhook-secret=§k2§
logging.level.org.hibernate.SQL=DEBUG
spring.jpa.properties.hibernate.dialect=org.hibernate.dialect.PostgreSQLDialect
build.version=1.0.0.27
''', p1=P(pw(r)), ip1=I(ip4(r)), p2=P(pw(r)), p3=P(pw(r)), ip2=I(ip4(r)), k1=K(stripe(r)),
        k2=K(stripe(r, "whsec_", 32)))


@doc
def d_django_settings(r):
    return "mysite/settings/production.py", fill(r'''from .base import *  # noqa

DEBUG = False
SECRET_KEY = '§k1§'
ALLOWED_HOSTS = ["shop.ridgeline.cloud", "10.20.0.15", "127.0.0.1", "[::1]"]

ADMINS = [("Ops", "§e1§"), ("§n§", "§e2§")]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "§p1§",
        "HOST": "§ip1§",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": os.environ.get("REPLICA_PASSWORD", ""),
        "HOST": "10.20.0.31",
    },
}

EMAIL_HOST = "smtp.mailgun.org"
EMAIL_HOST_USER = "§e3§"
EMAIL_HOST_PASSWORD = "§p2§"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
]
PASSWORD_RESET_TIMEOUT = 259200

sentry_sdk.init(dsn="https://§sp§:§k2§@o§org§.ingest.sentry.io/§proj§",
                release="shop@4.1.0")
''', k1=K("django-insecure-" + rs(r, string.ascii_lowercase + string.digits + "!#$%^&*(-_=+)", 50)),
        e1=E(email(r)), n=person(r), e2=E(email(r)), p1=P(pw(r)), ip1=I(ip4(r)),
        e3=E("postmaster@mg." + r.choice(DOMAINS)), p2=P(pw(r)), sp=hexs(r, 32), k2=K(hexs(r, 32)),
        org=str(r.randrange(10**5, 10**6)), proj=str(r.randrange(10**6, 10**7)))


@doc
def d_rails_db(r):
    return "config/database.yml + config/credentials.yml (decrypted)", fill(r'''# config/database.yml
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: blog_development
  password: <%= ENV['BLOG_DATABASE_PASSWORD'] %>

production:
  <<: *default
  database: blog_production
  username: blog
  password: §p1§
  host: §ip1§

# rails credentials:edit  (accidentally committed plaintext copy)
secret_key_base: §k1§
aws:
  access_key_id: §k2§
  secret_access_key: §k3§
smtp:
  user_name: §e1§
  password: "§p2§"
''', p1=P(pw(r)), ip1=I(ip4(r)), k1=K(hexs(r, 128)), k2=K(aws_id(r)), k3=K(aws_secret(r)),
        e1=E(email(r)), p2=P(pw(r)))


@doc
def d_laravel_env(r):
    return ".env", fill(r'''APP_NAME=Laravel
APP_ENV=production
APP_KEY=base64:§k1§
APP_DEBUG=false
APP_URL=https://tickets.brightpath.dev

LOG_CHANNEL=stack

DB_CONNECTION=mysql
DB_HOST=§ip1§
DB_PORT=3306
DB_DATABASE=tickets
DB_USERNAME=tickets
DB_PASSWORD=§p1§

REDIS_HOST=127.0.0.1
REDIS_PASSWORD=null
REDIS_PORT=6379

MAIL_MAILER=smtp
MAIL_HOST=smtp.sendgrid.net
MAIL_USERNAME=§e1§
MAIL_PASSWORD=§p2§
MAIL_ENCRYPTION=tls
MAIL_FROM_ADDRESS="§e2§"

AWS_ACCESS_KEY_ID=§k2§
AWS_SECRET_ACCESS_KEY=§k3§
AWS_DEFAULT_REGION=us-east-1

PUSHER_APP_ID=1532207
PUSHER_APP_KEY=
PUSHER_APP_SECRET=§k4§
''', k1=K(b64s(r, 32)), ip1=I(ip4(r)), p1=P(pw(r)), e1=E(email(r)), p2=P(pw(r)), e2=E(email(r)),
        k2=K(aws_id(r)), k3=K(aws_secret(r)), k4=K(hexs(r, 20)))


@doc
def d_aspnet_appsettings(r):
    return "src/Api/appsettings.Production.json", fill(r'''{
  "Logging": { "LogLevel": { "Default": "Information" } },
  "ConnectionStrings": {
    "Default": "Server=tcp:§ip1§,1433;Initial Catalog=Inventory;User ID=inv_app;Password=§p1§;Encrypt=True;",
    "Cache": "localhost:6379,password=§p2§,ssl=False"
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "§u1§",
    "ClientId": "§u2§",
    "ClientSecret": "§k1§"
  },
  "Storage": {
    "ConnectionString": "DefaultEndpointsProtocol=https;AccountName=invblobs;AccountKey=§k2§;EndpointSuffix=core.windows.net"
  },
  "ApplicationInsights": { "InstrumentationKey": "§u3§" },
  "Smtp": { "From": "§e1§", "Password": "" },
  "Version": "6.2.14.0"
}
''', ip1=I(ip4(r)), p1=P(pw(r, 1)), p2=P(pw(r, 3)), u1=uuid(r), u2=uuid(r), k1=K(azure_cs(r)),
        k2=K(azure_storage(r)), u3=uuid(r), e1=E(email(r)))


@doc
def d_node_config(r):
    return "config/production.js", fill(r''''use strict';
// node-config production overrides
module.exports = {
  port: process.env.PORT || 3000,
  mongo: {
    uri: 'mongodb+srv://api-user:§p1§@cluster0.x7k2q.mongodb.net/prod?retryWrites=true&w=majority',
  },
  redis: { url: 'redis://:§p2§@§ip1§:6379/0' },
  session: { secret: '§k1§', cookieName: 'sid' },
  mail: {
    sendgridKey: '§k2§',
    from: 'Tickets <§e1§>',
  },
  admin: { password: process.env.ADMIN_PASSWORD },
  trustProxy: ['loopback', '10.0.0.0/8', '100.64.0.0/10'],
};
''', p1=P(pw(r)), p2=P(pw(r, 1)), ip1=I(ip4(r)), k1=K(secret(r, 48)), k2=K(sendgrid(r)),
        e1=E(email(r)))


@doc
def d_compose(r):
    return "docker-compose.yml", fill(r'''version: "3.9"
services:
  db:
    image: postgres:15.4-alpine@sha256:§h1§
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: §p1§
    networks: [backend]
  mysql:
    image: mysql:8.0.34
    environment:
      - MYSQL_ROOT_PASSWORD=§p2§
      - MYSQL_PASSWORD=${MYSQL_PASSWORD}
  rabbit:
    image: rabbitmq:3.12-management
    environment:
      RABBITMQ_DEFAULT_USER: events
      RABBITMQ_DEFAULT_PASS: "§p3§"
  web:
    build: .
    ports: ["8000:8000"]
    extra_hosts:
      - "licensing.vendor.net:§ip1§"
      - "host.docker.internal:host-gateway"
    environment:
      DATABASE_URL: postgres://app:§p4§@db:5432/app
      SENTRY_RELEASE: 1.14.2
networks:
  backend:
    ipam:
      config:
        - subnet: 172.28.0.0/16
          gateway: 172.28.0.1
''', h1=sha(r), p1=P(pw(r)), p2=P(pw(r)), p3=P(pw(r)), ip1=I(ip4(r)), p4=P(pw(r)))


@doc
def d_dockerfile(r):
    return "Dockerfile", fill(r'''FROM node:18.17.1-bullseye AS build
LABEL maintainer="§e1§"
ARG NPM_TOKEN=§k1§
ENV NODE_VERSION=18.17.1 YARN_VERSION=1.22.19
WORKDIR /app
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc
RUN curl -fsSL -u deploy:§p1§ https://artifacts.nimbus-ops.net/libs/libvips-8.14.5.tar.gz -o /tmp/vips.tgz \
 && echo "§h1§  /tmp/vips.tgz" | sha256sum -c -
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
EXPOSE 3000
HEALTHCHECK CMD curl -f http://127.0.0.1:3000/health || exit 1
''', e1=E(email(r)), k1=K(npm_tok(r)), p1=P(pw(r)), h1=sha(r))


@doc
def d_k8s_secret(r):
    return "k8s/payments.yaml", fill(r'''apiVersion: v1
kind: Secret
metadata:
  name: payments-credentials
  namespace: payments
type: Opaque
stringData:
  DB_PASSWORD: "§p1§"
  SMTP_PASSWORD: §p2§
data:
  api-token: §k1§
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: payments-config
data:
  LOG_LEVEL: info
  CLUSTER_DNS: 10.96.0.10
  UPSTREAM_GATEWAY: "§ip1§"
  APP_VERSION: "5.0.3.1"
  CHECKSUM_SHA256: "§h1§"
  RESOLVERS: "8.8.8.8 1.1.1.1"
---
apiVersion: v1
kind: Service
metadata:
  name: payments
spec:
  type: LoadBalancer
  loadBalancerIP: §ip2§
  loadBalancerSourceRanges: ["§ip3§/32", "10.0.0.0/8"]
''', p1=P(pw(r)), p2=P(pw(r)), k1=K(b64s(r, 33)), ip1=I(ip4(r)), h1=sha(r), ip2=I(ip4(r)), ip3=I(ip4(r)))


@doc
def d_helm_values(r):
    return "charts/analytics/values.yaml", fill(r'''image:
  repository: ghcr.io/tessellate/analytics
  tag: "2.3.0"
postgresql:
  enabled: true
  auth:
    username: analytics
    password: "§p1§"
    postgresPassword: §p2§
    existingSecret: ""
redis:
  auth:
    existingSecret: analytics-redis
    existingSecretPasswordKey: redis-password
ingress:
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: "§ip1§/32,§ip2§/32,192.168.0.0/16"
alerting:
  slackWebhook: https://hooks.slack.com/services/§k1§
  email: §e1§
service:
  externalIPs: ["§ip3§"]
''', p1=P(pw(r)), p2=P(pw(r)), ip1=I(ip4(r)), ip2=I(ip4(r)), k1=K(slack_hook(r)), e1=E(email(r)),
        ip3=I(ip4(r)))


@doc
def d_terraform(r):
    return "infra/main.tf", fill(r'''terraform {
  required_version = ">= 1.5.7"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.17.0" }
  }
}

provider "aws" {
  region     = "eu-central-1"
  access_key = "§k1§"
  secret_key = "§k2§"
}

resource "aws_db_instance" "main" {
  engine         = "postgres"
  engine_version = "15.4"
  username       = "dbadmin"
  password       = "§p1§"
}

resource "aws_db_instance" "reporting" {
  password = var.reporting_db_password
}

resource "aws_security_group_rule" "office" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["§ip1§/32", "§ip2§/32"]
}

resource "aws_security_group_rule" "egress" {
  cidr_blocks      = ["0.0.0.0/0"]
  ipv6_cidr_blocks = ["::/0"]
}

locals {
  tags = { Owner = "§e1§", CostCenter = "4.2.1.7" }
}
''', k1=K(aws_id(r)), k2=K(aws_secret(r)), p1=P(pw(r)), ip1=I(ip4(r)), ip2=I(ip4(r)), e1=E(email(r)))


@doc
def d_pulumi(r):
    return "infra/index.ts", fill(r'''import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as digitalocean from "@pulumi/digitalocean";

const config = new pulumi.Config();
const dbPassword = config.requireSecret("dbPassword");

const db = new aws.rds.Instance("analytics", {
    engine: "mysql",
    engineVersion: "8.0.35",
    username: "admin",
    password: "§p1§",
    instanceClass: "db.t3.micro",
});

const doProvider = new digitalocean.Provider("do", { token: "§k1§" });
const gh = new github.Provider("gh", { token: "§k2§", owner: "tessellate" });

export const bastion = "§ip1§";
export const internalLb = "10.10.4.2";
''', p1=P(pw(r)), k1=K("dop_v1_" + hexs(r, 64)), k2=K(gh(r)), ip1=I(ip4(r)))


@doc
def d_ansible(r):
    return "ansible/group_vars/db.yml + inventory.ini", fill(r'''# group_vars/db.yml
mysql_root_password: §p1§
mysql_users:
  - name: wordpress
    host: "10.0.%"
    password: "§p2§"
  - name: metrics
    password: "{{ vault_metrics_db_password }}"
ansible_become_pass: §p3§
datadog_api_key: §k1§
datadog_site: datadoghq.eu

# inventory.ini
[db]
db1 ansible_host=§ip1§ ansible_user=ubuntu
db2 ansible_host=§ip2§ ansible_user=ubuntu
db3 ansible_host=10.0.1.5 ansible_user=ubuntu ansible_python_interpreter=/usr/bin/python3.11
''', p1=P(pw(r)), p2=P(pw(r)), p3=P(pw(r)), k1=K(hexs(r, 32)), ip1=I(ip4(r)), ip2=I(ip4(r)))


@doc
def d_chef(r):
    return "cookbooks/app/recipes/default.rb + data_bags/creds/prod.json", fill(r'''# Cookbook:: app  Recipe:: default
# Copyright:: 2023, §n§ <§e1§>
node.default['mysql']['server_root_password'] = '§p1§'
node.default['app']['admin_email'] = '§e2§'
node.default['app']['version'] = '3.0.1.5'

mysql_service 'default' do
  version '8.0'
  bind_address '0.0.0.0'
  initial_root_password node['mysql']['server_root_password']
  action [:create, :start]
end

# data_bags/creds/prod.json
{
  "id": "prod",
  "db_password": "§p2§",
  "github_deploy_token": "§k1§"
}
''', n=person(r), e1=E(email(r)), p1=P(pw(r)), e2=E(email(r)), p2=P(pw(r)), k1=K(gh(r, "ghs_")))


@doc
def d_puppet(r):
    return "manifests/site.pp", fill(r'''node 'db01.lagom.se' {
  class { 'mysql::server':
    root_password           => '§p1§',
    remove_default_accounts => true,
    override_options        => { 'mysqld' => { 'bind-address' => '0.0.0.0' } },
  }
  mysql::db { 'crm':
    user     => 'crm',
    password => '§p2§',
    host     => '§ip1§',
  }
  user { 'deploy':
    ensure   => present,
    password => '$6$rounds=5000$§salt§$§cr§',
  }
  host { 'backup.lagom.se':
    ip => '§ip2§',
  }
}
''', p1=P(pw(r)), p2=P(pw(r)), ip1=I(ip4(r)), salt=rs(r, ALNUM, 16), cr=rs(r, ALNUM + "./", 86),
        ip2=I(ip4(r)))


@doc
def d_vagrant(r):
    return "Vagrantfile", fill(r'''# -*- mode: ruby -*-
Vagrant.configure("2") do |config|
  config.vm.box = "ubuntu/jammy64"
  config.vm.box_version = "20231027.0.0"
  config.vm.network "private_network", ip: "192.168.56.10"
  config.vm.network "forwarded_port", guest: 80, host: 8080, host_ip: "127.0.0.1"
  config.ssh.username = "vagrant"
  config.ssh.password = "§p1§"
  config.vm.provision "shell", inline: <<-SHELL
    echo 'root:§p2§' | chpasswd
    echo "nameserver 9.9.9.9" > /etc/resolv.conf
    curl -s http://§ip1§/bootstrap.sh | bash
  SHELL
end
''', p1=P(pw(r)), p2=P(pw(r)), ip1=I(ip4(r)))


@doc
def d_systemd_cron_supervisor(r):
    return "deploy/{worker.service,crontab,supervisord.conf}", fill(r'''# /etc/systemd/system/worker.service
[Unit]
Description=Queue worker v2.4.0.1
After=network-online.target

[Service]
User=worker
Environment=API_TOKEN=§k1§
Environment="PGPASSWORD=§p1§"
Environment=PGHOST=10.1.2.3
EnvironmentFile=-/etc/default/worker
ExecStart=/opt/worker/bin/worker --broker amqp://worker:§p2§@§ip1§:5672/
Restart=on-failure

# crontab -l (backup@db02)
MAILTO=§e1§
15 3 * * * mysqldump -u backup -p'§p3§' --all-databases | gzip > /backup/all-$(date +\%F).sql.gz
*/5 * * * * /usr/local/bin/healthcheck --target 127.0.0.1:8080

; supervisord.conf
[inet_http_server]
port=127.0.0.1:9001
username=admin
password=§p4§

[program:slackbot]
command=/srv/bot/venv/bin/python -m bot
environment=SLACK_BOT_TOKEN="§k2§",LOG_LEVEL="info"
''', k1=K(secret(r, 40)), p1=P(pw(r)), p2=P(pw(r)), ip1=I(ip4(r)), e1=E(email(r)), p3=P(pw(r)),
        p4=P(pw(r)), k2=K(slack(r)))


@doc
def d_hibernate_log4j(r):
    return "src/main/resources/{hibernate.cfg.xml,log4j.xml}", fill(r'''<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE hibernate-configuration PUBLIC "-//Hibernate/Hibernate Configuration DTD 3.0//EN"
  "http://www.hibernate.org/dtd/hibernate-configuration-3.0.dtd">
<hibernate-configuration>
  <session-factory>
    <property name="hibernate.connection.driver_class">com.mysql.cj.jdbc.Driver</property>
    <property name="hibernate.connection.url">jdbc:mysql://§ip1§:3306/library?useSSL=true</property>
    <property name="hibernate.connection.username">library</property>
    <property name="hibernate.connection.password">§p1§</property>
    <property name="hibernate.c3p0.max_size">20</property>
  </session-factory>
</hibernate-configuration>

<!-- log4j.xml -->
<log4j:configuration xmlns:log4j="http://jakarta.apache.org/log4j/">
  <appender name="MAIL" class="org.apache.log4j.net.SMTPAppender">
    <param name="SMTPHost" value="smtp.fastmail.com"/>
    <param name="SMTPUsername" value="§e1§"/>
    <param name="SMTPPassword" value="§p2§"/>
    <param name="From" value="§e2§"/>
    <param name="To" value="§e3§"/>
    <param name="Subject" value="[library 1.2.0.4] ERROR"/>
  </appender>
</log4j:configuration>
''', ip1=I(ip4(r)), p1=P(pw(r)), e1=E(email(r)), p2=P(pw(r)), e2=E(email(r)), e3=E(email(r)))


@doc
def d_tomcat(r):
    return "conf/{server.xml,context.xml,tomcat-users.xml}", fill(r'''<!-- server.xml -->
<Server port="8005" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol"
               address="0.0.0.0" SSLEnabled="true" maxThreads="150"
               keystoreFile="conf/keystore.jks" keystorePass="§p1§" />
    <Engine name="Catalina" defaultHost="localhost">
      <Valve className="org.apache.catalina.valves.RemoteAddrValve"
             allow="127\.\d+\.\d+\.\d+|::1|0:0:0:0:0:0:0:1|§ipre§" />
    </Engine>
  </Service>
</Server>

<!-- context.xml -->
<Context>
  <Resource name="jdbc/HR" auth="Container" type="javax.sql.DataSource"
            username="hr_app" password="§p2§" driverClassName="oracle.jdbc.OracleDriver"
            url="jdbc:oracle:thin:@//§ip1§:1521/HRPDB" maxTotal="20"/>
</Context>

<!-- tomcat-users.xml -->
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
  <role rolename="manager-gui"/>
  <user username="tomcat" password="&lt;must-be-changed&gt;" roles="manager-gui"/>
  <user username="deployer" password="§p3§" roles="manager-script"/>
</tomcat-users>
''', p1=P(pw(r)), ipre="10\\.0\\.\\d+\\.\\d+", p2=P(pw(r)), ip1=I(ip4(r)), p3=P(pw(r)))


@doc
def d_java_urls(r):
    return "src/main/java/com/acme/etl/Endpoints.java", fill(r'''package com.acme.etl;

/** Connection endpoints for the nightly ETL. @author §n§ (§e1§) */
public final class Endpoints {
    public static final String WAREHOUSE =
        "jdbc:sqlserver://§ip1§:1433;databaseName=dw;user=etl;password=§p1§;encrypt=true";
    public static final String ODBC =
        "Driver={PostgreSQL Unicode};Server=pg.nimbus-ops.net;Port=5432;Database=raw;Uid=etl;Pwd=§p2§;";
    public static final String EVENTS = "mongodb://etl:§p3§@§ip2§:27017,10.4.0.12:27017/events?replicaSet=rs0";
    public static final String CACHE = "rediss://default:§p4§@redis-12345.c1.eu-west-1-2.ec2.cloud.redislabs.com:12345";
    public static final String QUEUE = "amqps://etl:§p5§@rabbit.fjordsoft.no/etl";
    public static final String DIRECTORY = "ldap://§ip3§:389/dc=acme,dc=io";
    public static final String BIND_DN = "cn=etl,ou=services,dc=acme,dc=io";
    public static final String BIND_PASSWORD = "§p6§";
    public static final String LOCAL_PG = "jdbc:postgresql://127.0.0.1:5432/raw?user=etl&password=";
    private Endpoints() {}
}
''', n=person(r), e1=E(email(r)), ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)), p3=P(pw(r)), ip2=I(ip4(r)),
        p4=P(pw(r, 1)), p5=P(pw(r)), ip3=I(ip4(r)), p6=P(pw(r)))


@doc
def d_php_my_pg(r):
    return "server/{php.ini,my.cnf,pg_hba.conf,.pgpass}", fill(r'''; php.ini (excerpt)
memory_limit = 256M
sendmail_from = §e1§
mysqli.default_host = §ip1§
mysqli.default_user = shop
mysqli.default_pw = §p1§
session.hash_function = sha256

# my.cnf
[mysqld]
bind-address = 127.0.0.1
server-id = 2
[client]
user = root
password = §p2§

# pg_hba.conf
# TYPE  DATABASE  USER        ADDRESS            METHOD
local   all       postgres                       peer
host    all       all         127.0.0.1/32       scram-sha-256
host    all       all         10.0.0.0/8         scram-sha-256
host    replication replicator §ip2§/32   scram-sha-256
host    all       all         §ip6§/128 scram-sha-256

# ~/.pgpass
§ip3§:5432:*:replicator:§p4§
localhost:5432:analytics:analyst:§p5§
''', e1=E(email(r)), ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)), ip2=I(ip4(r)), ip6=I(ip6(r)),
        ip3=I(ip4(r)), p4=P(pw(r, 1)), p5=P(pw(r, 3)))


@doc
def d_redis_haproxy(r):
    return "etc/{redis.conf,haproxy.cfg}", fill(r'''# redis.conf
bind 127.0.0.1 ::1
protected-mode yes
port 6379
requirepass §p1§
masterauth §p2§
replicaof §ip1§ 6379

# haproxy.cfg  (HAProxy 2.8.3)
global
    maxconn 4096
userlist admins
    user ops insecure-password §p3§
    user audit password $5$§salt§$§hash§
listen stats
    bind 127.0.0.1:8404
    stats enable
    stats auth admin:§p4§
backend web
    balance roundrobin
    server web1 §ip2§:80 check
    server web2 §ip3§:80 check
    server web3 10.0.3.7:80 check backup
''', p1=P(pw(r, 1)), p2=P(pw(r, 1)), ip1=I(ip4(r)), p3=P(pw(r)), salt=rs(r, ALNUM, 16),
        hash=rs(r, ALNUM + "./", 43), p4=P(pw(r)), ip2=I(ip4(r)), ip3=I(ip4(r)))


@doc
def d_apache(r):
    return "apache/{vhost.conf,.htpasswd}", fill(r'''<VirtualHost *:443>
    ServerName wiki.harborview.org
    ServerAdmin §e1§
    DocumentRoot /var/www/wiki
    <Location /admin>
        AuthType Basic
        AuthName "Restricted"
        AuthUserFile /etc/apache2/.htpasswd
        Require valid-user
        Require ip §ip1§ 203.0.113.0/24 10.0.0.0/8
    </Location>
    ProxyPass /api http://10.2.0.5:8080/api
</VirtualHost>

# .htpasswd (hashes, not passwords)
alice:$apr1$§s1§$§h1§
bob:$2y$10$§h2§
carol:{SHA}§h3§
''', e1=E(email(r)), ip1=I(ip4(r)), s1=rs(r, ALNUM, 8), h1=rs(r, ALNUM + "./", 22),
        h2=rs(r, ALNUM + "./", 53), h3=b64s(r, 20))


@doc
def d_postfix(r):
    u = "postmaster@mg." + r.choice(DOMAINS)
    return "postfix/{main.cf,sasl_passwd}", fill(r'''# main.cf
myhostname = mx1.stackfield.consulting
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128 10.0.0.0/8
relayhost = [smtp.mailgun.org]:587
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd
smtp_tls_security_level = encrypt
compatibility_level = 3.6

# sasl_passwd
[smtp.mailgun.org]:587 §u§:§p1§
[smtp.sendgrid.net]:587 apikey:§k1§
# fallback relay at §ip1§ (old DC)
[§ip2§]:25 §u2§:§p2§
''', u=E(u), p1=P(pw(r)), k1=K(sendgrid(r)), ip1=I(ip4(r)), ip2=I(ip4(r)), u2=E(email(r)), p2=P(pw(r)))


@doc
def d_vpn(r):
    return "vpn/{client.ovpn,wg0.conf,ipsec.secrets}", fill(r'''# client.ovpn (OpenVPN 2.6.6)
client
dev tun
proto udp
remote §ip1§ 1194
remote-random
auth-user-pass creds.txt
<ca>
§ca§
</ca>
<key>
§k1§
</key>

# wg0.conf
[Interface]
Address = 10.8.0.2/24, fd86:ea04:1115::2/64
PrivateKey = §k2§
DNS = 1.1.1.1, 2606:4700:4700::1111
ListenPort = 51820

[Peer]
PublicKey = §pub§
PresharedKey = §k3§
Endpoint = [§ip2§]:51820
AllowedIPs = 0.0.0.0/0, ::/0

# ipsec.secrets
: RSA moonKey.pem
carol : EAP "§p1§"
dave : XAUTH "§p2§"
''', ip1=I(ip4(r)), ca=pub_pem(r, "CERTIFICATE", 6), k1=K(pem(r, "PRIVATE KEY", 6, head="MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")),
        k2=K(wg_key(r)), pub=wg_key(r), k3=K(wg_key(r)), ip2=I(ip6(r)), p1=P(pw(r)), p2=P(pw(r)))


@doc
def d_notebook(r):
    key = openai_legacy(r)
    return "notebooks/01-embeddings.ipynb", fill(r'''{
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {},
   "outputs": [],
   "source": ["!pip install openai==0.28.1 psycopg2-binary==2.9.9\n"]},
  {"cell_type": "code", "execution_count": 2, "metadata": {},
   "outputs": [],
   "source": ["import openai, psycopg2\n",
              "openai.api_key = \"§k1§\"\n",
              "HF_TOKEN = \"§k2§\"\n",
              "conn = psycopg2.connect(host=\"§ip1§\", dbname=\"corpus\", user=\"ml\", password=\"§p1§\")\n"]},
  {"cell_type": "code", "execution_count": 3, "metadata": {},
   "outputs": [{"name": "stdout", "output_type": "stream",
                "text": ["fetched 1204 rows; first author: §e1§\n", "server 15.4 (Debian 15.4-2.pgdg120+1)\n"]}],
   "source": ["rows = fetch(conn)\n"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "name": "python3"},
              "language_info": {"version": "3.11.5"}},
 "nbformat": 4, "nbformat_minor": 5
}
''', k1=K(key), k2=K(hf(r)), ip1=I(ip4(r)), p1=P(pw(r)), e1=E(email(r)))


@doc
def d_readme_tutorial(r):
    return "docs/getting-started.md", fill(r'''# Getting started

You need Python 3.10+ and a GitHub token with `repo` scope:

```bash
export GITHUB_TOKEN=<your-github-token>
export OPENAI_API_KEY=YOUR_API_KEY
pip install tessellate-cli==0.9.4
```

For the staging server (`§ip1§`), Alice left her token in an old revision, which we rotated:

```bash
curl -H "Authorization: token §k1§" https://api.github.com/user
```

Configure the database in `config.yml`:

```yaml
database:
  host: 192.0.2.10      # replace with your host
  password: changeme    # replace me!
  api_key: "${API_KEY}"
```

The resolver defaults to `8.8.4.4`; tests use `198.51.100.7` and `2001:db8::42`.

Questions? Mail [the maintainers](mailto:§e1§) or open an issue.
''', ip1=I(ip4(r)), k1=K(gh(r)), e1=E(email(r)))


@doc
def d_changelog(r):
    return "CHANGELOG.md", fill(r'''# Changelog
All notable changes to this project will be documented in this file.

## [2.4.1.3] - 2023-11-02
### Fixed
- Never log the `password` field of `LoginRequest` (#1432, thanks §e1§).
- `get_password_hash()` now uses argon2id; `PASSWORD_MIN_LENGTH` raised to 12.
- Upgrade urllib3 to 1.26.18 and cryptography to 41.0.5.

## [2.4.1.2] - 2023-09-18
### Security
- Removed a hard-coded API token from `tests/fixtures.py` (reported by §e2§).
- Rotated the leaked deploy key (commit 7c1e9b2f4a3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f).

## [2.4.0.0] - 2023-07-01
### Added
- IPv6 support; binds to `::` and `0.0.0.0` by default.
- New maintainer: §n§ <§e3§>.

[2.4.1.3]: https://github.com/tessellate/cli/compare/v2.4.1.2...v2.4.1.3
''', e1=E(email(r, "noreply")), e2=E(email(r)), n=person(r), e3=E(email(r)))


@doc
def d_conftest(r):
    return "tests/conftest.py", fill(r'''import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import User

STRONG_PASSWORD_REGEX = r"^(?=.*[A-Z])(?=.*\d).{12,}$"


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(email="§e1§", password="§p1§")


@pytest.fixture
def member(db):
    user = User(email="§e2§", password=make_password("§p2§"))
    user.save()
    return user


@pytest.fixture
def legacy_hash():
    return "pbkdf2_sha256$260000$§salt§$§h§="


@pytest.fixture
def anonymous_form():
    return {"email": "", "password": None, "password_confirm": None}
''', e1=E(email(r)), p1=P(pw(r)), e2=E(email(r)), p2=P(pw(r)), salt=rs(r, ALNUM, 22), h=b64s(r, 32)[:-1])


@doc
def d_sql_migration(r):
    return "db/migrate/0042_service_accounts.sql", fill(r'''-- Migration 0042: service accounts (schema version 4.12.0.3)
CREATE USER reporting WITH PASSWORD '§p1§';
ALTER USER etl IDENTIFIED BY '§p2§';
CREATE USER 'repl'@'§ip1§' IDENTIFIED WITH mysql_native_password BY '§p3§';
GRANT SELECT ON crm.* TO 'analyst'@'10.0.%';
INSERT INTO users (email, password_hash, created_at) VALUES
  ('§e1§', '$2b$12$§h1§', now()),
  ('§e2§', '$argon2id$v=19$m=65536,t=3,p=4$§s2§$§h2§', now());
UPDATE settings SET value = '0.0.0.0' WHERE key = 'bind_address';
-- mysql.user authentication_string for root: *§myh§
''', p1=P(pw(r)), p2=P(pw(r)), ip1=I(ip4(r)), p3=P(pw(r)), e1=E(email(r)), h1=rs(r, ALNUM + "./", 53),
        e2=E(email(r)), s2=b64s(r, 16).rstrip("="), h2=b64s(r, 32).rstrip("="), myh=rs(r, "0123456789ABCDEF", 40))


@doc
def d_sql_dump(r):
    rows = []
    for i in range(2):
        rows.append(f"({i + 1},'{E(email(r))}','$2y$10${rs(r, ALNUM + './', 53)}','{I(ip4(r))}','2023-0{i + 3}-1{i} 09:1{i}:00')")
    rows.append(f"(5,'{E(idn_email(r))}','$2y$10${rs(r, ALNUM + './', 53)}','{I(ip6(r))}','2023-08-01 10:00:00')")
    rows.append(f"(6,'{E(email(r))}','$2y$10${rs(r, ALNUM + './', 53)}','192.168.1.20','2023-08-02 10:00:00')")
    return "backups/crm-2023-08-03.sql", fill(r'''-- MySQL dump 10.13  Distrib 8.0.34, for Linux (x86_64)
--
-- Host: 127.0.0.1    Database: crm
-- Server version	8.0.34-0ubuntu0.22.04.1

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `password` varchar(255) NOT NULL,
  `last_login_ip` varchar(45) DEFAULT NULL,
  `last_login_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `users` WRITE;
INSERT INTO `users` VALUES §rows§;
UNLOCK TABLES;

LOCK TABLES `api_tokens` WRITE;
INSERT INTO `api_tokens` (`user_id`,`token`,`scopes`) VALUES (1,'§k1§','read'),(3,'§k2§','read,write');
UNLOCK TABLES;
''', rows=",\n".join(rows), k1=K(secret(r, 48)), k2=K(secret(r, 48)))


@doc
def d_csv(r):
    lines = ["id,name,email,signup_ip,plan,app_version"]
    for i in range(2):
        lines.append(f"{1000 + i},{person(r)},{E(email(r))},{I(ip4(r))},pro,3.{i}.1.0")
    lines.append(f"1005,{person(r)},{E(idn_email(r))},{I(ip6(r))},free,3.5.0.2")
    lines.append(f"1006,{person(r)},{E(email(r))},10.12.0.8,free,3.5.0.2")
    lines.append(f"1007,{person(r)},,100.72.14.3,trial,3.5.0.3")
    return "data/signups.csv", "\n".join(lines) + "\n"


@doc
def d_tsv(r):
    lines = ["timestamp\tactor\taction\tsource_ip\tresult"]
    acts = ["rotate_key", "change_password"]
    for a in acts:
        ip = r.choice([ip6(r, full=True), ip6(r), ip4(r)])
        lines.append(f"2024-01-1{r.randrange(10)}T0{r.randrange(10)}:2{r.randrange(10)}:00Z\t{E(email(r))}\t{a}\t{I(ip)}\tok")
    lines.append("2024-01-19T11:02:00Z\tsystem\tgc\t::1\tok")
    lines.append("2024-01-19T11:03:00Z\tsystem\tprobe\tfe80::1c2b:3ff:fe4a:9d10\tok")
    return "audit/2024-01.tsv", "\n".join(lines) + "\n"


@doc
def d_nginx_log(r):
    ua = ['"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36"',
          '"curl/8.4.0"', '"python-requests/2.31.0"', '"Go-http-client/1.1"']
    lines = []
    for i in range(3):
        lines.append(f'{I(ip4(r))} - - [12/Mar/2024:0{i}:1{i}:4{i} +0000] "GET /api/v1/items?page={i} HTTP/1.1" 200 {r.randrange(200, 9000)} "-" {r.choice(ua)}')
    lines.append(f'{I(ip6(r))} - - [12/Mar/2024:05:00:01 +0000] "POST /login HTTP/2.0" 302 0 "-" {ua[0]}')
    lines.append(f'10.0.0.12 - - [12/Mar/2024:05:00:02 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.28"')
    lines.append(f'127.0.0.1 - - [12/Mar/2024:05:00:03 +0000] "GET /nginx_status HTTP/1.1" 200 97 "-" "Prometheus/2.47.2"')
    lines.append(f'100.64.12.9 - - [12/Mar/2024:05:00:04 +0000] "GET / HTTP/1.1" 301 0 "-" "Mozilla/5.0"')
    return "logs/access.log", "\n".join(lines) + "\n"


@doc
def d_json_log(r):
    tok = jwt(r)
    return "logs/api-2024-02-11.jsonl", fill(r'''{"ts":"2024-02-11T08:00:01Z","level":"info","msg":"login ok","user":"§e1§","remote_addr":"§ip1§","request_id":"§u1§"}
{"ts":"2024-02-11T08:00:02Z","level":"debug","msg":"incoming headers","headers":{"authorization":"Bearer §k1§","x-forwarded-for":"§ip2§, 10.0.0.4"}}
{"ts":"2024-02-11T08:00:03Z","level":"warn","msg":"bad credentials","user":"§e2§","password":"[REDACTED]","trace_id":"§t1§"}
{"ts":"2024-02-11T08:00:04Z","level":"info","msg":"upstream","addr":"[§ip3§]:443","tls":"TLSv1.3","version":"2.11.0.4"}
{"ts":"2024-02-11T08:00:05Z","level":"error","msg":"db connect failed","dsn":"postgres://api:§p1§@db.internal:5432/api"}
''', e1=E(email(r)), ip1=I(ip4(r)), u1=uuid(r), k1=K(tok), ip2=I(ip4(r)), e2=E(email(r)), t1=hexs(r, 32),
        ip3=I(ip6(r)), p1=P(pw(r)))


@doc
def d_mbox(r):
    return "archive/dev-list.mbox", fill(r'''From §e1§  Tue Oct 10 14:02:11 2023
Return-Path: <§e1b§>
Received: from mail-out.halcyon-systems.co.uk (mail-out.halcyon-systems.co.uk [§ip1§])
	by mx.lagom.se (Postfix) with ESMTPS id 4S4pQk1Zx9z9sRm
	for <§e2§>; Tue, 10 Oct 2023 14:02:11 +0000 (UTC)
Received: from build-07 (unknown [10.14.2.7])
	by mail-out.halcyon-systems.co.uk (Postfix) with ESMTP id 91AF2C0012
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=halcyon-systems.co.uk; s=s1;
	bh=§bh§;
	b=§b§
X-Originating-IP: [§ip2§]
From: "§n1§" <§e1c§>
To: §e2b§
Cc: §n2§ <§e3§>
Subject: [PATCH v3 2/7] net: reject 0.0.0.0 and ::ffff:0:0/96 in bind()
Date: Tue, 10 Oct 2023 15:02:05 +0100
MIME-Version: 1.0

Tested on 6.5.0-rc4 and 6.1.55. Reviewed-by: §n2§ <§e3b§>
''', e1=E("s.moreau@halcyon-systems.co.uk"), e1b=E("s.moreau@halcyon-systems.co.uk"),
        ip1=I(ip4(r)), e2=E("dev@lists.lagom.se"), bh=b64s(r, 32), b=b64s(r, 96), ip2=I(ip4(r)),
        n1="Sylvie Moreau", e1c=E("s.moreau@halcyon-systems.co.uk"), e2b=E("dev@lists.lagom.se"),
        n2=person(r), e3=E("maint@" + r.choice(DOMAINS)),
        e3b=E("maint2@" + r.choice(DOMAINS)))


@doc
def d_git_log(r):
    def c():
        return sha(r, 40)
    return "git-log.txt", fill(r'''commit §c1§
Merge: §s1§ §s2§
Author: §n1§ <§e1§>
Date:   Mon Jan 8 10:12:44 2024 +0100

    Merge pull request #812 from feature/ipv6-bind

commit §c2§
Author: §n2§ <§e2§>
Date:   Fri Jan 5 17:03:10 2024 +0000

    Bump version to 1.8.0.2; fix link-local handling for fe80::/10

    Co-authored-by: §n3§ <§e3§>
    Signed-off-by: §n2§ <§e2b§>

commit §c3§
Author: §n4§ <§e4§>
Date:   Thu Jan 4 09:00:00 2024 +0000

    Bump golang.org/x/net from 0.17.0 to 0.19.0
''', c1=c(), s1=c()[:7], s2=c()[:7], n1=person(r), e1=E(email(r)), c2=c(), n2="Wen Liang",
        e2=E("wen.liang@kumo.jp"), n3=person(r), e3=E(email(r, "noreply")), e2b=E("wen.liang@kumo.jp"), c3=c(),
        n4=person(r), e4=E(email(r, "noreply")))


@doc
def d_rfc(r):
    return "docs/rfc-draft-lease-protocol.txt", fill(r'''Internet-Draft            Lease Renewal Protocol              March 2024

3.2.1.  Address Selection

   A client MUST NOT select an address from 0.0.0.0/8, 127.0.0.0/8,
   169.254.0.0/16 or 224.0.0.0/4.  In the examples below, the server
   is 192.0.2.1 and the client 198.51.100.23; IPv6 examples use
   2001:db8::1 and 2001:db8:0:1::23.  The relay listens on ff02::1:2.

   The object identifier for this extension is 1.3.6.1.4.1.53210.2.1.4
   (id-pe-lease), under the arc 2.5.29.17 for subjectAltName.

   Section 4.1.2.3 describes versions 1.0.0.1 through 1.2.0.0.

   Note: an earlier deployment used the public relay §ip1§ and
   §ip2§; implementations MUST NOT hard-code them.

Authors' Addresses

   §n1§
   Ridgeline Networks
   Email: §e1§

   §n2§
   Email: §e2§
''', ip1=I(ip4(r)), ip2=I(ip6(r)), n1=person(r), e1=E(email(r)), n2=person(r), e2=E(idn_email(r)))


@doc
def d_python_packaging(r):
    return "setup.cfg + pyproject.toml", fill(r'''# setup.cfg
[metadata]
name = quokka-geo
version = 2.3.1.post1
author = §n1§
author_email = §e1§
classifiers =
    Programming Language :: Python :: 3.11
    License :: OSI Approved :: MIT License
    Topic :: System :: Networking
[options]
python_requires = >=3.8
install_requires =
    requests>=2.31.0
    dnspython==2.4.2

# pyproject.toml
[tool.poetry]
name = "quokka-geo"
version = "2.3.1"
authors = ["§n1§ <§e1b§>", "§n2§ <§e3§>"]

[[tool.poetry.source]]
name = "internal"
url = "https://ci-bot:§p1§@pypi.quokka.tech/simple/"
priority = "supplemental"
''', n1="Kavya Iyer", e1=E("kavya.iyer@quokka.tech"), e1b=E("kavya.iyer@quokka.tech"),
        n2=person(r), e3=E(idn_email(r)), p1=P(pw(r)))


@doc
def d_js_rust_ruby_pkg(r):
    return "Cargo.toml + package.json + lumen.gemspec", fill(r'''# Cargo.toml
[package]
name = "lumen-ipc"
version = "0.7.3"
edition = "2021"
authors = ["§n1§ <§e1§>", "§n2§ <§e2§>"]
rust-version = "1.70.0"

// package.json
{
  "name": "@lumen/ipc",
  "version": "0.7.3",
  "author": "§n3§ <§e3§> (https://pixelmoss.studio)",
  "dependencies": { "@lumen/core": "^0.7.0", "ws": "8.14.2" },
  "peerDependencies": { "react": ">=18.2.0" },
  "publishConfig": { "registry": "https://npm.pkg.github.com/" }
}

# lumen.gemspec
Gem::Specification.new do |spec|
  spec.name    = "lumen"
  spec.version = "0.7.3.1"
  spec.authors = ["§n1§"]
  spec.email   = ["§e1b§"]
  spec.add_dependency "ffi", "~> 1.15.5"
end
''', n1="Greta Schulz", e1=E("greta@datenwerk.berlin"), n2=person(r), e2=E(email(r)), n3=person(r),
        e3=E(email(r)), e1b=E("greta@datenwerk.berlin"))


@doc
def d_maven(r):
    return "pom.xml + ~/.m2/settings.xml", fill(r'''<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.kestrelworks</groupId>
  <artifactId>kestrel-sdk</artifactId>
  <version>3.1.4.2</version>
  <developers>
    <developer>
      <id>ffer</id>
      <name>§n1§</name>
      <email>§e1§</email>
    </developer>
    <developer>
      <name>§n2§</name>
      <email>§e2§</email>
    </developer>
  </developers>
  <properties><maven.compiler.release>17</maven.compiler.release></properties>
</project>

<!-- settings.xml -->
<settings>
  <servers>
    <server>
      <id>kestrel-releases</id>
      <username>deployer</username>
      <password>§p1§</password>
    </server>
    <server>
      <id>github</id>
      <username>kestrel-ci</username>
      <password>§k1§</password>
    </server>
    <server>
      <id>central</id>
      <username>${env.OSSRH_USER}</username>
      <password>${env.OSSRH_PASSWORD}</password>
    </server>
  </servers>
</settings>
''', n1=person(r), e1=E(email(r)), n2=person(r), e2=E(email(r)), p1=P(pw(r)), k1=K(gh(r)))


@doc
def d_debian(r):
    return "debian/control + debian/changelog", fill(r'''Source: libquill
Section: libs
Priority: optional
Maintainer: §n1§ <§e1§>
Uploaders: §n2§ <§e2§>,
           §n3§ <§e3§>
Build-Depends: debhelper-compat (= 13), libssl-dev (>= 3.0.2), cmake (>= 3.22.1)
Standards-Version: 4.6.2.0
Homepage: https://quill.paperkite.design

libquill (1.4.2.1-1) unstable; urgency=medium

  * New upstream release 1.4.2.1.
  * Drop patch for CVE-2023-1234 (applied upstream).

 -- §n1§ <§e1b§>  Sun, 03 Dec 2023 12:00:00 +0100
''', n1="Søren Kjær", e1=E("soren@kjaer.dk"), n2=person(r), e2=E(email(r)), n3=person(r),
        e3=E(idn_email(r)), e1b=E("soren@kjaer.dk"))


@doc
def d_go(r):
    return "internal/store/store.go", fill(r'''package store

import (
	"database/sql"
	"net"
	"net/http"

	_ "github.com/go-sql-driver/mysql"
	"github.com/stripe/stripe-go/v76"
)

const (
	dsn          = "ledger:§p1§@tcp(§ip1§:3306)/ledger?parseTime=true"
	replicaDSN   = "ledger:@tcp(10.0.2.9:3306)/ledger"
	stripeSecret = "§k1§"
	version      = "1.21.4.1"
)

var trusted = []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("§ip2§")}

func Open() (*sql.DB, error) {
	stripe.Key = stripeSecret
	return sql.Open("mysql", dsn)
}

func Serve() error {
	return http.ListenAndServe("0.0.0.0:8080", nil)
}
''', p1=P(pw(r)), ip1=I(ip4(r)), k1=K(stripe(r, "rk_live_", 99)), ip2=I(ip6(r)))


@doc
def d_rust(r):
    return "src/notify.rs", fill(r'''use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use reqwest::blocking::Client;

const TELEGRAM_TOKEN: &str = "§k1§";
const UPSTREAM: &str = "§ip1§";
const DOCS_ADDR: &str = "203.0.113.77";

pub fn bind_addr() -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)), 3000)
}

pub fn mirror() -> IpAddr {
    "§ip2§".parse().expect("valid address")
}

pub fn push(client: &Client, text: &str) -> reqwest::Result<()> {
    client
        .post(format!("https://api.telegram.org/bot{}/sendMessage", TELEGRAM_TOKEN))
        .basic_auth("relay", Some("§p1§"))
        .form(&[("chat_id", "-1001234567890"), ("text", text)])
        .send()?;
    Ok(())
}
''', k1=K(telegram(r)), ip1=I(ip4(r)), ip2=I(ip6(r)), p1=P(pw(r)))


@doc
def d_c(r):
    return "src/agent.c", fill(r'''/* agent.c -- telemetry agent. Copyright (c) 2022 the agent authors */
#include <arpa/inet.h>
#include <string.h>

#define AGENT_VERSION "4.0.12.1"
#define DB_USER "telemetry"
#define DB_PASS "§p1§"
#define COLLECTOR_ADDR "§ip1§"
#define LOOPBACK "127.0.0.1"

static const char *api_key = "§k1§";
static const unsigned char mac[6] = {0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e}; /* 00:1a:2b:3c:4d:5e */

int collector(struct sockaddr_in *sa) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(4317);
    return inet_pton(AF_INET, COLLECTOR_ADDR, &sa->sin_addr);
}
''', p1=P(pw(r)), ip1=I(ip4(r)), k1=K(hexs(r, 32)))


@doc
def d_cpp(r):
    return "src/uploader.cpp", fill(r'''#include <curl/curl.h>
#include <string>
#include <chrono>

namespace uploader {

static const std::string kSigningSecret = "§k1§";
static const std::string kEndpoint = "https://§ip1§:8443/ingest";
constexpr auto kTimeout = std::chrono::seconds(30);

bool Upload(const std::string& body) {
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, kEndpoint.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, "uploader:§p1§");
    curl_easy_setopt(curl, CURLOPT_PROXY, "http://proxy:§p2§@10.0.0.3:3128");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    auto rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK;
}

}  // namespace uploader
''', k1=K(b64s(r, 32)), ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)))


@doc
def d_csharp(r):
    return "src/Mailer/Mailer.cs", fill(r'''using System;
using System.Net;
using System.Net.Mail;
using System.Reflection;
using SendGrid;

[assembly: AssemblyVersion("1.0.0.0")]
[assembly: AssemblyFileVersion("2.3.7.1")]

namespace Mailer
{
    public class Mailer
    {
        private const string ConnStr = "Data Source=§ip1§;Initial Catalog=Mail;User ID=sa;Password=§p1§;";
        private static readonly Guid TenantId = Guid.Parse("§u1§");

        public SmtpClient Smtp() => new SmtpClient("smtp.outlook.com", 587)
        {
            Credentials = new NetworkCredential("§e1§", "§p2§"),
            EnableSsl = true,
        };

        public SendGridClient Api() => new SendGridClient("§k1§");

        public string Password { get; set; } = string.Empty;
    }
}
''', ip1=I(ip4(r)), p1=P(pw(r)), u1=uuid(r), e1=E(email(r)), p2=P(pw(r)), k1=K(sendgrid(r)))


@doc
def d_firebase_js(r):
    return "src/firebase.js + scripts/reindex.js", fill(r'''// src/firebase.js
import { initializeApp } from "firebase/app";

const firebaseConfig = {
  apiKey: "§k1§",
  authDomain: "petpal-4c2e1.firebaseapp.com",
  projectId: "petpal-4c2e1",
  storageBucket: "petpal-4c2e1.appspot.com",
  messagingSenderId: "893245017734",
  appId: "1:893245017734:web:§appid§",
  measurementId: "G-7QX2LZ4KJD",
};
export const app = initializeApp(firebaseConfig);
export const SUPPORT = "§e1§";

// scripts/reindex.js  (admin key, server side only!)
const algoliasearch = require("algoliasearch");
const client = algoliasearch("Q4ZT7N1KXR", "§k2§");
const FCM_SERVER_KEY = "§k3§";
''', k1=K(gcp_key(r)), appid=hexs(r, 22), e1=E(email(r)), k2=K(hexs(r, 32)), k3=K(fcm(r)))


@doc
def d_nest_ts(r):
    return "src/app.module.ts", fill(r'''import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      host: '§ip1§',
      port: 5432,
      username: 'nest',
      password: '§p1§',
      database: 'nest',
    }),
    JwtModule.register({
      secret: '§k1§',
      signOptions: { expiresIn: '3600s' },
    }),
  ],
})
export class AppModule {
  static readonly passwordMinLength = 12;
  static readonly adminEmailPattern = /^[\w.+-]+@[\w-]+\.[a-z]{2,}$/i;
}
''', ip1=I(ip4(r)), p1=P(pw(r)), k1=K(secret(r, 44)))


@doc
def d_php(r):
    wp = ALNUM + "!#$%^&*()-_=+[]{}|;:,<>?~"
    return "wp-config.php + lib/Mailer.php", fill(r'''<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp_user' );
define( 'DB_PASSWORD', '§p1§' );
define( 'DB_HOST', '§ip1§:3306' );
define( 'AUTH_KEY',         '§k1§' );
define( 'SECURE_AUTH_KEY',  '§k2§' );
define( 'WP_DEBUG', false );

// lib/Mailer.php
$mysqli = new mysqli("§ip2§", "reports", "§p2§", "reports");
$mail = new PHPMailer\PHPMailer\PHPMailer(true);
$mail->Host = 'smtp.gmail.com';
$mail->Username = '§e1§';
$mail->Password = '§p3§';
$mail->setFrom('§e2§', 'Reports');
$hash = password_hash($_POST['password'], PASSWORD_BCRYPT);
if (!password_verify($input, $hash)) { die('bad password'); }
''', p1=P(pw(r)), ip1=I(ip4(r)), k1=K(rs(r, wp, 64)), k2=K(rs(r, wp, 64)), ip2=I(ip4(r)), p2=P(pw(r)),
        e1=E(email(r, "gmail.com")), p3=P(pw(r)), e2=E(email(r)))


@doc
def d_ruby(r):
    return "config/environments/production.rb + lib/tasks/report.rake", fill(r'''Rails.application.configure do
  config.action_mailer.smtp_settings = {
    address: "smtp.fastmail.com",
    port: 587,
    user_name: "§e1§",
    password: "§p1§",
    authentication: :plain,
  }
  config.hosts << "10.0.0.0/8"
end

Stripe.api_key = '§k1§'

namespace :report do
  task send: :environment do
    Net::SMTP.start('§ip1§', 25, 'reports.lagom.se', 'reporter', '§p2§', :login) do |smtp|
      smtp.send_message(body, '§e2§', ENV.fetch('REPORT_TO'))
    end
    client = Octokit::Client.new(access_token: '§k2§')
    client.create_issue('lagom/ops', "Report #{Date.today}")
  end
end
''', e1=E(email(r)), p1=P(pw(r)), k1=K(stripe(r)), ip1=I(ip4(r)), p2=P(pw(r)), e2=E(email(r)),
        k2=K(gh(r, "gho_")))


@doc
def d_swift(r):
    return "Sources/App/APIClient.swift", fill(r'''import Foundation

@available(iOS 15.0, macOS 12.0, *)
final class APIClient {
    static let apiKey = "§k1§"
    static let host = "§ip1§"
    static let fallbackHost = "192.168.1.50"
    static let buildVersion = "2.4.1.7"

    @objc func credential() -> URLCredential {
        URLCredential(user: "ios-app", password: "§p1§", persistence: .forSession)
    }

    func feedbackAddress() -> String { "§e1§" }
}
// Assets: AppIcon@2x.png, AppIcon@3x.png
''', k1=K(secret(r, 40)), ip1=I(ip4(r)), p1=P(pw(r)), e1=E(email(r)))


@doc
def d_dart(r):
    return "lib/services/chat_service.dart + pubspec.yaml", fill(r'''import 'package:http/http.dart' as http;

const String openAiKey = '§k1§';
const String supportEmail = '§e1§';
const String logo = 'assets/images/logo@2x.png';

Future<http.Response> summarize(String text) {
  return http.post(
    Uri.parse('https://api-inference.huggingface.co/models/facebook/bart-large-cnn'),
    headers: {'Authorization': 'Bearer §k2§'},
    body: text,
  );
}

// pubspec.yaml
// name: chat_app
// version: 1.2.3+45
// environment:
//   sdk: '>=3.1.0 <4.0.0'
''', k1=K(openai_key(r)), e1=E(email(r)), k2=K(hf(r)))


@doc
def d_kotlin_gradle(r):
    return "app/build.gradle.kts + app/src/main/java/io/petpal/Net.kt", fill(r'''android {
    namespace = "io.petpal"
    defaultConfig {
        applicationId = "io.petpal"
        versionCode = 2041
        versionName = "2.4.1.0"
        buildConfigField("String", "MAPS_API_KEY", "\"§k1§\"")
        buildConfigField("String", "API_BASE", "\"https://§ip1§/\"")
    }
    signingConfigs {
        create("release") {
            storeFile = file("release.jks")
            storePassword = "§p1§"
            keyAlias = "upload"
            keyPassword = "§p2§"
        }
        create("ci") {
            storePassword = System.getenv("KEYSTORE_PASSWORD")
            keyPassword = providers.gradleProperty("keyPassword").get()
        }
    }
}

// Net.kt
object Net {
    val apiKey: String = BuildConfig.MAPS_API_KEY
    private const val CLIENT_SECRET = "§k2§"
    fun isPrivate(host: String) = host.startsWith("10.") || host == "127.0.0.1"
}
''', k1=K(gcp_key(r)), ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)), k2=K(secret(r, 32)))


@doc
def d_java_ssh(r):
    return "src/main/java/io/kestrel/sync/RemoteSync.java", fill(r'''package io.kestrel.sync;

import com.jcraft.jsch.*;
import java.net.InetAddress;
import java.sql.DriverManager;
import java.util.regex.Pattern;

public class RemoteSync {
    private static final String ACCESS_TOKEN = "§k1§";
    private static final Pattern EMAIL = Pattern.compile("^[\\w.+-]+@[\\w-]+\\.[a-z]{2,}$");
    private static final String DEFAULT_PASSWORD_FIELD = "password";

    @Override
    public String toString() { return "RemoteSync v1.3.0.2"; }

    public void run() throws Exception {
        JSch jsch = new JSch();
        Session session = jsch.getSession("sync", "§ip1§", 22);
        session.setPassword("§p1§");
        session.connect();
        var conn = DriverManager.getConnection("jdbc:mariadb://10.3.0.4:3306/sync", "sync", "§p2§");
        InetAddress archive = InetAddress.getByName("§ip2§");
        char[] fromConsole = System.console().readPassword("Password: ");
    }
}
''', k1=K(gh_fine(r)), ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)), ip2=I(ip6(r)))


@doc
def d_scala(r):
    return "conf/application.conf + build.sbt", fill(r'''# conf/application.conf (Play 2.9.0)
play.http.secret.key = "§k1§"
play.filters.hosts.allowed = [".orchard.engineering", "localhost", "10.0.0.0/8"]
db.default.driver = org.postgresql.Driver
db.default.url = "jdbc:postgresql://§ip1§/orchard"
db.default.username = orchard
db.default.password = "§p1§"
db.analytics.password = ${?ANALYTICS_DB_PASSWORD}
akka.remote.artery.canonical.hostname = "§ip2§"
akka.remote.artery.bind.hostname = "0.0.0.0"

// build.sbt
ThisBuild / version := "1.4.0.2"
libraryDependencies += "org.typelevel" %% "cats-core" % "2.10.0"
ThisBuild / developers := List(
  Developer("zdemir", "§n1§", "§e1§", url("https://github.com/zdemir"))
)
''', k1=K(secret(r, 64)), ip1=I(ip4(r)), p1=P(pw(r)), ip2=I(ip4(r)), n1=person(r), e1=E(email(r)))


@doc
def d_haskell(r):
    return "app/Main.hs + ledger.cabal", fill(r'''{-# LANGUAGE OverloadedStrings #-}
module Main where

import Database.PostgreSQL.Simple
import qualified Data.Map.Strict as Map
import Network.Socket (tupleToHostAddress)

connStr :: ByteString
connStr = "host=§ip1§ port=5432 dbname=ledger user=ledger password=§p1§ sslmode=require"

mysqlInfo :: ConnectInfo
mysqlInfo = defaultConnectInfo { connectHost = "10.0.0.7", connectPassword = "§p2§" }

localhost = tupleToHostAddress (127, 0, 0, 1)

-- ledger.cabal
-- cabal-version: 3.0
-- name:          ledger
-- version:       0.3.1.2
-- maintainer:    §e1§
-- build-depends: base >=4.14 && <4.19, postgresql-simple ==0.6.5.1
''', ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)), e1=E(email(r)))


@doc
def d_lua(r):
    return "lua/gateway.lua + gateway-1.0.2-1.rockspec", fill(r'''-- OpenResty gateway
local redis = require "resty.redis"
local API_SECRET = "§k1§"
local ALLOW = { ["127.0.0.1"] = true, ["§ip1§"] = true, ["§ip2§"] = true }

local function cache()
  local red = redis:new()
  red:set_timeouts(1000, 1000, 1000)
  assert(red:connect("10.0.5.2", 6379))
  assert(red:auth("§p1§"))
  return red
end

if not ALLOW[ngx.var.remote_addr] then return ngx.exit(403) end

-- rockspec
package = "gateway"
version = "1.0.2-1"
description = { maintainer = "§n1§ <§e1§>", license = "MIT" }
''', k1=K(secret(r, 40)), ip1=I(ip4(r)), ip2=I(ip4(r)), p1=P(pw(r)), n1=person(r), e1=E(email(r)))


@doc
def d_perl(r):
    return "lib/Inventory/DB.pm", fill(r'''package Inventory::DB;
use v5.36.0;
use strict;
use warnings;
use DBI;
use LWP::UserAgent;

our $VERSION = '2.01.3.4';
our @ISA = qw(Exporter);

my $dbh = DBI->connect("DBI:mysql:database=inventory;host=§ip1§;port=3306",
                       "inventory", "§p1§", { RaiseError => 1 });

my $ua = LWP::UserAgent->new;
$ua->credentials("feeds.veldt.co.za:443", "Feeds", "inv", "§p2§");
my @hosts = ('192.168.10.4', '192.168.10.5');

1;

=head1 AUTHOR

§n1§ E<lt>§e1§E<gt>

=cut
''', ip1=I(ip4(r)), p1=P(pw(r)), p2=P(pw(r)), n1=person(r), e1=E(email(r)))


@doc
def d_elixir(r):
    return "config/prod.exs + mix.exs", fill(r'''import Config

config :chat, Chat.Repo,
  username: "chat",
  password: "§p1§",
  hostname: "§ip1§",
  database: "chat_prod",
  pool_size: 15

config :chat, Chat.Repo.Replica,
  password: System.get_env("REPLICA_DB_PASSWORD"),
  hostname: "10.2.0.8"

config :chat, ChatWeb.Endpoint,
  secret_key_base: "§k1§",
  http: [ip: {0, 0, 0, 0, 0, 0, 0, 0}, port: 4000]

config :chat, Chat.Mailer, adapter: Swoosh.Adapters.Mailgun, api_key: "§k2§", domain: "mg.cortado.coffee"

# mix.exs
defmodule Chat.MixProject do
  use Mix.Project
  @moduledoc "Chat 1.15.7"
  def project, do: [app: :chat, version: "0.9.0", elixir: "~> 1.15"]
end
''', p1=P(pw(r)), ip1=I(ip4(r)), k1=K(rs(r, ALNUM + "+/", 64)), k2=K(mailgun(r)))


@doc
def d_julia(r):
    return "src/Fetch.jl + Project.toml", fill(r'''module Fetch
using HTTP, JSON3, LibPQ

const GH_TOKEN = "§k1§"
const conn = LibPQ.Connection("host=§ip1§ dbname=stars user=stars password=§p1§")
const token_from_env = get(ENV, "GITHUB_TOKEN", "")

function stars(repo)
    r = HTTP.request("GET", "https://api.github.com/repos/$repo",
                     ["Authorization" => "token $GH_TOKEN"])
    JSON3.read(r.body).stargazers_count
end
end # module

# Project.toml
name = "Fetch"
uuid = "§u§"
authors = ["§n1§ <§e1§>"]
version = "0.4.1"
''', k1=K(gh(r)), ip1=I(ip4(r)), p1=P(pw(r)), u=uuid(r), n1=person(r), e1=E(email(r)))


@doc
def d_r(r):
    return "R/db.R + DESCRIPTION", fill(r'''library(DBI)

con <- dbConnect(RPostgres::Postgres(), host = "§ip1§", dbname = "survey",
                 user = "analyst", password = "§p1§")
con2 <- dbConnect(RPostgres::Postgres(), host = "10.1.1.9",
                  password = Sys.getenv("SURVEY_PW"))
con3 <- dbConnect(RMariaDB::MariaDB(), password = rstudioapi::askForPassword("Database password"))
Sys.setenv(OPENAI_API_KEY = "§k1§")

# DESCRIPTION
# Package: surveytools
# Version: 0.9.1.2
# Authors@R: c(person("§f1§", "§l1§", email = "§e1§", role = c("aut", "cre")),
#              person("§f2§", "§l2§", email = "§e2§", role = "ctb"))
# Depends: R (>= 4.1.0)
''', ip1=I(ip4(r)), p1=P(pw(r)), k1=K(openai_legacy(r)), f1=r.choice(FIRST).capitalize(),
        l1=r.choice(LAST).capitalize(), e1=E(email(r)), f2=r.choice(FIRST).capitalize(),
        l2=r.choice(LAST).capitalize(), e2=E(idn_email(r)))


@doc
def d_bash(r):
    ipa = ip4(r)
    return "scripts/deploy.sh", fill(r'''#!/usr/bin/env bash
set -euo pipefail
# deploy.sh v1.6.0.3 -- questions to §e1§

export AWS_ACCESS_KEY_ID=§k1§
export AWS_SECRET_ACCESS_KEY=§k2§
export AWS_SESSION_TOKEN=§k3§
export DB_PASSWORD="${DB_PASSWORD:?set DB_PASSWORD}"

read -r -s -p "Vault password: " VAULT_PASS
sshpass -p '§p1§' ssh -o StrictHostKeyChecking=no deploy@§ip1§ 'sudo systemctl restart app'
mysql -h §ip2§ -u root -p§p2§ app < migrations/latest.sql
mysql -h 127.0.0.1 -u root -p app < seed.sql
curl -fsS -u "admin:§p3§" -X POST "https://ci.kestrelworks.io/job/app/build"
echo "$DOCKER_PASSWORD" | docker login -u kestrel --password-stdin
ping -c1 8.8.8.8 >/dev/null && echo "network up"
''', e1=E(email(r)), k1=K(aws_id(r, "ASIA")), k2=K(aws_secret(r)), k3=K(aws_session(r)), p1=P(pw(r)),
        ip1=I(ipa), ip2=I(ip4(r)), p2=P(pw(r, 1)), p3=P(pw(r)))


@doc
def d_powershell(r):
    return "scripts/Provision-FileServer.ps1", fill(r'''#Requires -Version 7.2
param([string]$Server = "fs01.corp.local")

$securePw = ConvertTo-SecureString "§p1§" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential("CORP\svc-files", $securePw)
$prompted = Get-Credential -Message "Admin credentials"
$pin = Read-Host -AsSecureString "PIN"

$token = "§k1§"
$headers = @{ Authorization = "Bearer $token"; "PRIVATE-TOKEN" = $token }
Invoke-RestMethod -Uri "https://gitlab.fjordsoft.no/api/v4/projects" -Headers $headers

net use \\fs01\share /user:CORP\svc-files §p2§
Test-Connection §ip1§ -Count 1
Set-DnsClientServerAddress -InterfaceAlias "Ethernet" -ServerAddresses ("10.0.0.2", "1.0.0.1")
$PSVersionTable.PSVersion  # 7.3.9
''', p1=P(pw(r)), k1=K(glpat(r)), p2=P(pw(r)), ip1=I(ip4(r)))


@doc
def d_jenkinsfile(r):
    return "Jenkinsfile", fill(r'''pipeline {
  agent { label 'linux && docker' }
  environment {
    SONAR_TOKEN = '§k1§'
    REGISTRY = 'registry.kestrelworks.io'
    DOCKER_CREDS = credentials('dockerhub')
  }
  stages {
    stage('Build') {
      steps {
        withCredentials([usernamePassword(credentialsId: 'nexus', usernameVariable: 'NEXUS_USER', passwordVariable: 'NEXUS_PASS')]) {
          sh 'mvn -s settings.xml -Dnexus.password=$NEXUS_PASS deploy'
        }
        sh "docker login -u ci -p ${DOCKER_CREDS_PSW} ${REGISTRY}"
        script {
          def nexusPassword = '§p1§'
          sh "curl -u ci:${nexusPassword} https://nexus.kestrelworks.io/service/rest/v1/status"
        }
      }
    }
  }
  post {
    failure {
      mail to: '§e1§', subject: "Build ${env.BUILD_NUMBER} failed", body: "See ${env.BUILD_URL}"
      slackSend(channel: '#ci', tokenCredentialId: 'slack-token')
    }
  }
}
''', k1=K("squ_" + hexs(r, 40)), p1=P(pw(r)), e1=E(email(r)))


@doc
def d_gh_actions(r):
    return ".github/workflows/release.yml", fill(r'''name: release
on:
  push:
    tags: ["v*.*.*"]
jobs:
  publish:
    runs-on: ubuntu-22.04
    env:
      DOCKERHUB_USERNAME: petpal
      DOCKERHUB_TOKEN: §k1§
      HEROKU_API_KEY: §k2§
      NEW_RELIC_API_KEY: ${{ secrets.NEW_RELIC_API_KEY }}
      NEW_RELIC_LICENSE_KEY: §k3§
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20.9.0 }
      - run: |
          git config user.name "release-bot"
          git config user.email "§e1§"
      - uses: docker/login-action@v3
        with:
          username: ${{ env.DOCKERHUB_USERNAME }}
          password: ${{ secrets.DOCKERHUB_PASSWORD }}
''', k1=K(dckr(r)), k2=K(heroku(r)), k3=K(nr_license(r)), e1=E(email(r)))


@doc
def d_dotfiles(r):
    return "home/{.npmrc,.pypirc,.netrc,.git-credentials}", fill(r'''# ~/.npmrc
//registry.npmjs.org/:_authToken=§k1§
//npm.pkg.github.com/:_authToken=${GITHUB_PACKAGES_TOKEN}

# ~/.pypirc
[distutils]
index-servers = pypi testpypi
[pypi]
username = __token__
password = §k2§
[internal]
repository = https://pypi.quokka.tech/
username = uploader
password = §p1§

# ~/.netrc
machine api.heroku.com
  login §e2§
  password §k3§
machine ftp.veldt.co.za login mirror password §p2§

# ~/.git-credentials
https://zdemir:§k4§@github.com
https://oauth2:§k5§@gitlab.com
https://ci:§p3§@git.fjordsoft.no
''', k1=K(npm_tok(r)), k2=K(pypi_tok(r)), p1=P(pw(r)), e2=E(email(r)), k3=K(heroku(r)),
        p2=P(pw(r)), k4=K(gh(r)), k5=K(glpat(r)), p3=P(pw(r)))


@doc
def d_monitoring(r):
    return "monitoring/{datadog.yaml,newrelic.yml,sentry.properties}", fill(r'''# /etc/datadog-agent/datadog.yaml (agent 7.49.1)
api_key: §k1§
app_key: §k2§
site: datadoghq.eu
proxy:
  https: http://dd-proxy:§p1§@§ip1§:3128
  no_proxy: ["127.0.0.1", "169.254.169.254"]

# newrelic.yml
common: &default_settings
  license_key: '§k3§'
  app_name: Orders
production:
  <<: *default_settings
  api_key: §k4§

# sentry.properties
defaults.org=ridgeline
defaults.project=orders
auth.token=§k5§
dsn=https://§pub§:§k6§@sentry.ridgeline.cloud/12
''', k1=K(hexs(r, 32)), k2=K(hexs(r, 40)), p1=P(pw(r)), ip1=I(ip4(r)), k3=K(nr_license(r)), k4=K(nrak(r)),
        k5=K("sntrys_" + rs(r, ALNUM, 64)), pub=hexs(r, 32), k6=K(hexs(r, 32)))


@doc
def d_bots(r):
    return "bots/notifier.py", fill(r'''"""Fan-out notifier: Discord, Telegram, Slack, SMS, mail."""
import discord
import requests
from twilio.rest import Client

DISCORD_BOT_TOKEN = "§k1§"
DISCORD_WEBHOOK = "https://discord.com/api/webhooks/§hid§/§k2§"
TELEGRAM_BOT = "§k3§"
SLACK_USER_TOKEN = "§k4§"
TWILIO_ACCOUNT_SID = os.environ["TWILIO_ACCOUNT_SID"]
TWILIO_AUTH_TOKEN = "§k5§"
TWILIO_API_KEY = "§k6§"
MAILGUN_API_KEY = "§k7§"
SENDER = "§e1§"


def sms(to: str, body: str):
    Client(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN).messages.create(to=to, from_="+15005550006", body=body)


def mail(to: str, body: str):
    return requests.post("https://api.eu.mailgun.net/v3/mg.cortado.coffee/messages",
                         auth=("api", MAILGUN_API_KEY),
                         data={"from": SENDER, "to": to, "text": body})
''', k1=K(discord(r)), hid=str(r.randrange(10**17, 10**18)), k2=K(rs(r, URLSAFE, 68)), k3=K(telegram(r)),
        k4=K(slack(r, "xoxp")), k5=K(hexs(r, 32)), k6=K(twilio_sk(r)), k7=K(mailgun(r)), e1=E(email(r)))


@doc
def d_ml_script(r):
    return "train/finetune.py", fill(r'''import os
import anthropic
import wandb
from huggingface_hub import login

MODEL = "claude-3-5-sonnet-20241022"
BASE = "meta-llama/Llama-2-7b-hf"
REVISION = "§rev§"  # pinned commit

client = anthropic.Anthropic(api_key="§k1§")
login(token="§k2§")
os.environ["WANDB_API_KEY"] = "§k3§"
os.environ["OPENAI_API_KEY"] = "§k4§"
wandb.init(project="ft", config={"lr": 2e-5, "seed": 1234, "torch": "2.1.0"})
hub_token = os.getenv("HF_TOKEN")
''', rev=sha(r, 40), k1=K(anthropic(r)), k2=K(hf(r)), k3=K(hexs(r, 40)), k4=K(openai_key(r)))


@doc
def d_http_tests(r):
    t1, t2 = jwt(r), jwt(r, {"sub": "svc-reports", "scope": "reports:read", "exp": 1893456000})
    return "api.http + test/auth.spec.ts", fill(r'''### api.http (REST Client)
@host = https://§ip1§:8443
@token = §k1§

GET {{host}}/v1/me
Authorization: Bearer {{token}}

###
POST {{host}}/v1/login
Content-Type: application/json

{"email": "§e1§", "password": "§p1§"}

// test/auth.spec.ts
import { verify } from '../src/auth';

const SERVICE_TOKEN = '§k2§';
const MALFORMED = 'not-a-jwt';  // garbage in, error out

it('rejects unsigned tokens', () => {
  expect(() => verify(MALFORMED)).toThrow();
});
''', ip1=I(ip4(r)), k1=K(t1), e1=E(email(r)), p1=P(pw(r)), k2=K(t2))


@doc
def d_gcp_sa(r):
    key = pem(r, "PRIVATE KEY", 9, nl="\\n", head="MIIEvgIBADANBgkqhkiG9w0BAQEFAASC")
    return "secrets/gcp-service-account.json", fill(r'''{
  "type": "service_account",
  "project_id": "petpal-4c2e1",
  "private_key": "§k1§\n",
  "client_email": "§e1§",
  "client_id": "108742953018345672219",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "universe_domain": "googleapis.com"
}
''', k1=K(key), e1=E("ci-deployer@petpal-4c2e1.iam.gserviceaccount.com"))


@doc
def d_private_keys(r):
    return "deploy/keys.yml + id_ed25519 + ec.pem", fill(r'''# deploy/keys.yml
deploy_ssh_key: |
  §k1§
deploy_ssh_pub: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI§pub§ deploy@build-01
tls:
  cert: |
    §cert§
  key: |
    §k2§

# ec.pem
§k3§

# legacy DSA key kept for the 2014 appliance
§k4§
''', k1=K(pem(r, "OPENSSH PRIVATE KEY", 6, indent="  ", head="b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ")),
        pub=rs(r, B64, 43), cert=pem(r, "CERTIFICATE", 6, indent="    "),
        k2=K(pem(r, "RSA PRIVATE KEY", 10, indent="    ", head="MIIEowIBAAKCAQEA")),
        k3=K(pem(r, "EC PRIVATE KEY", 2, head="MHcCAQEEI")), k4=K(pem(r, "DSA PRIVATE KEY", 5, head="MIIBuwIBAAKBgQ")))


# ------------------------------------------------------------------- hard negatives only

@doc
def d_neg_security_utils(r):
    return "app/security/passwords.py", fill(r'''"""Password utilities. Nothing in here is a secret."""
import getpass
import hashlib
import hmac
import os
import secrets

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_AGE_DAYS = 90
PASSWORD_POLICY = "at least 12 characters, one digit, one symbol; not one of the last 5"
DEFAULT_PASSWORD = None
EMPTY_PASSWORD = ""
PLACEHOLDER_PASSWORD = "changeme"
MASKED = "********"
API_KEY = "<your-api-key>"
CLIENT_SECRET = "YOUR_CLIENT_SECRET"
WEBHOOK_SECRET = "${WEBHOOK_SECRET}"
SIGNING_KEY = "{{ signing_key }}"
TOKEN = "xxxxxxxxxxxxxxxxxxxxxxxxxxxx"
AWS_EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
BCRYPT_EXAMPLE = "$2b$12$§bc§"
ARGON2_EXAMPLE = "$argon2id$v=19$m=65536,t=3,p=4$§a1§$§a2§"
SHA512_CRYPT = "$6$§salt§$§crypt§"
MD5_OF_EMPTY = "d41d8cd98f00b204e9800998ecf8427e"
REQUEST_ID = "§u1§"
TENANT_ID = "§u2§"


def get_password_hash(password: str) -> str:
    salt = secrets.token_bytes(16)
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1).hex()


def verify_password(password, password_hash):
    return hmac.compare_digest(get_password_hash(password), password_hash)


def read_password():
    return os.environ.get("APP_PASSWORD") or os.getenv("DB_PASSWORD") or getpass.getpass("Password: ")


def prompt():
    password = input("Enter password: ")
    secret_key = os.environ["SECRET_KEY"]
    api_token = secrets.token_urlsafe(32)
    return password, secret_key, api_token


def reset_password_token_is_expired(token_age_seconds, password_reset_timeout=3600):
    return token_age_seconds > password_reset_timeout

# sha256 of release tarball: §h1§
# checksum: §h2§
''', bc=rs(r, ALNUM + "./", 53), a1=b64s(r, 16).rstrip("="), a2=b64s(r, 32).rstrip("="),
        salt=rs(r, ALNUM, 16), crypt=rs(r, ALNUM + "./", 86), u1=uuid(r), u2=uuid(r), h1=sha(r), h2=sha(r, 40))


@doc
def d_neg_network(r):
    return "docs/network-reference.md", fill(r'''# Network reference

| Purpose              | Address                  |
|----------------------|--------------------------|
| Office LAN           | 192.168.0.0/16, 10.0.0.0/8 |
| Docker bridge        | 172.17.0.1               |
| Carrier-grade NAT    | 100.64.0.0/10 (e.g. 100.127.255.254) |
| Loopback             | 127.0.0.1, ::1           |
| Link-local           | 169.254.169.254, fe80::a00:27ff:fe4e:66a1 |
| Unspecified          | 0.0.0.0, ::              |
| Multicast            | 224.0.0.251 (mDNS), 239.255.255.250 (SSDP), ff02::fb |
| ULA                  | fd12:3456:789a:1::1      |
| Broadcast / mask     | 255.255.255.255, 255.255.255.0 |
| Public DNS           | 8.8.8.8, 8.8.4.4, 1.1.1.1, 1.0.0.1, 9.9.9.9, 149.112.112.112 |
| OpenDNS              | 208.67.222.222, 208.67.220.220 |
| IPv6 DNS             | 2001:4860:4860::8888, 2606:4700:4700::1111 |
| Documentation        | 192.0.2.15, 198.51.100.200, 203.0.113.9, 2001:db8:85a3::8a2e:370:7334 |

Not addresses at all:

* invalid quads: 256.10.10.10, 10.0.0.256, 999.1.1.1, 1.2.3.4.5.6
* versions: OpenSSL 3.0.2.1, Windows 10.0.19045.3693, kernel 6.1.0.13, "version": "4.2.0.1"
* OIDs: 2.5.4.3 (CN), 1.2.840.113549.1.1.11 (sha256WithRSAEncryption), 2.16.840.1.101.3.4.2.1
* MACs: 00:1A:2B:3C:4D:5E, 3c:22:fb:9a:10:0e
* times and ratios: 12:30:45, 16:9, 2024.03.15
* C++ / Rust / Perl paths: std::vector<int>, std::net::Ipv6Addr, Foo::Bar::baz, add::face::beef
* SNMP walk: .1.3.6.1.2.1.1.5.0 = STRING: core-sw-01
''')


@doc
def d_neg_lockfiles(r):
    return "package-lock.json + Cargo.lock + go.sum + poetry.lock", fill(r'''// package-lock.json (excerpt)
"node_modules/@babel/core": {
  "version": "7.23.2",
  "resolved": "https://registry.npmjs.org/@babel/core/-/core-7.23.2.tgz",
  "integrity": "sha512-§i1§"
},
"node_modules/lodash": {
  "version": "4.17.21",
  "integrity": "sha1-§i2§"
}
// yarn.lock
"@types/node@^20.8.0", "@types/node@20.8.10":
  version "20.8.10"

# Cargo.lock
[[package]]
name = "serde"
version = "1.0.190"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "§c1§"

# go.sum
golang.org/x/net v0.19.0 h1:§g1§=
golang.org/x/net v0.19.0/go.mod h1:§g2§=

# poetry.lock
[[package]]
name = "requests"
version = "2.31.0"
files = [
    {file = "requests-2.31.0-py3-none-any.whl", hash = "sha256:§c2§"},
]

# .terraform.lock.hcl
provider "registry.terraform.io/hashicorp/aws" {
  version = "5.17.0"
  hashes = ["h1:§g3§=", "zh:§c3§"]
}

# git lfs pointer
version https://git-lfs.github.com/spec/v1
oid sha256:§c4§
size 1048576

# docker
FROM python:3.12-slim@sha256:§c5§
''', i1=b64s(r, 64), i2=b64s(r, 20), c1=sha(r), g1=b64s(r, 32)[:43], g2=b64s(r, 32)[:43], c2=sha(r),
        g3=b64s(r, 32)[:43], c3=sha(r), c4=sha(r), c5=sha(r))


@doc
def d_neg_public_material(r):
    return "keys/public-material.txt", fill(r'''# authorized_keys
ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ§s1§ alice@workstation
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI§s2§ ci@runner-03

# server public key
§pub§

# CA certificate
§cert§

# PGP
-----BEGIN PGP PUBLIC KEY BLOCK-----

§pgp§
-----END PGP PUBLIC KEY BLOCK-----

# inline image (not a secret)
<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAA§img§" alt="logo"/>

# Google OAuth *client id* (public) and a CSP hash
GOOGLE_CLIENT_ID=108742953018-§cid§.apps.googleusercontent.com
Content-Security-Policy: script-src 'self' 'sha256-§csp§'
''', s1=rs(r, B64, 300), s2=rs(r, B64, 43), pub=pub_pem(r, "PUBLIC KEY", 6), cert=pub_pem(r, "CERTIFICATE", 10),
        pgp=rs(r, B64, 64) + "\n" + rs(r, B64, 64) + "\n=" + rs(r, B64, 4), img=rs(r, B64, 180) + "==",
        cid=rs(r, LOWNUM, 32), csp=b64s(r, 32))


@doc
def d_neg_forms_i18n(r):
    return "web/{login.html,locales/de.json,openapi.yaml,schema.graphql} + src/settings.ts", fill(r'''<!-- login.html -->
<form method="post" action="/login" autocomplete="on">
  <label for="email">E-mail</label>
  <input type="email" id="email" name="email" placeholder="you@company" required>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" minlength="12" placeholder="••••••••">
  <input type="password" name="password_confirmation" autocomplete="new-password">
  <a href="/password/reset">Forgot your password?</a>
</form>

// locales/de.json
{ "password": "Passwort", "password_confirm": "Passwort bestätigen",
  "password_too_short": "Das Passwort muss mindestens 12 Zeichen lang sein.",
  "secret": "Geheimnis", "token_expired": "Sitzung abgelaufen" }

# openapi.yaml
components:
  schemas:
    Login:
      type: object
      properties:
        email: { type: string, format: email }
        password: { type: string, format: password, minLength: 12, example: "string" }
        api_key: { type: string, example: "<API_KEY>" }
  securitySchemes:
    ApiKeyAuth: { type: apiKey, in: header, name: X-API-Key }

# schema.graphql
type Mutation {
  login(email: String!, password: String!): AuthPayload
  changePassword(oldPassword: String!, newPassword: String!): Boolean
}

// src/settings.ts
import { Injectable } from '@angular/core';
import type { Config } from '@lumen/core';

@Injectable({ providedIn: 'root' })
export class Settings {
  // package@version pairs from `npm ls`, not e-mail addresses
  deps = ['react@18.2.0', 'typescript@5.2.2', '@babel/core@7.23.2', 'lodash@4.17.21'];
  retina = 'sprites/icon@2x.png';
  sshTarget = `${user}@${host}`;
  fmt = (u: string, d: string) => u + '@' + d;
  gitRemote = 'ssh://forge@build-01:2222/repo.git';
  version = '10.4.2.1';
  passwordField = 'password';
  secretName = 'db-password';
  tokenHeader = 'X-Auth-Token';
  apiKeyEnv = process.env.API_KEY ?? '';
  hexColor = '#1e90ff';
  buildHash = '§h§';  // git describe: commit hash
  checksum = '§sha§';
  uuid = '§u§';
  longName = 'AbstractSingletonProxyFactoryBeanDefinitionRegistryPostProcessor';
  cssMedia = '@media (min-width: 768px)';
}
''', h=sha(r, 40), sha=sha(r), u=uuid(r))


# ------------------------------------------------------------------------------------ API

def testset2_documents() -> list[LabelledDoc]:
    """The held-out documents, deterministic for SEED (one Random per document)."""
    docs = []
    for i, build in enumerate(DOCS):
        r = random.Random(f"{SEED}:{i}:{build.__name__}")
        name, marked = build(r)
        docs.append(_parse(f"testset2/{name}", marked))
    return docs


def _check(docs: list[LabelledDoc]) -> dict[str, int]:
    counts = {"email": 0, "ip_address": 0, "key": 0, "password": 0}
    for d in docs:
        assert "⟦" not in d.text and "⟧" not in d.text and "§" not in d.text, d.name
        last_end = -1
        for kind, s, e in sorted(d.spans, key=lambda t: t[1]):
            assert s >= last_end, ("overlapping spans", d.name)
            last_end = e
            counts[kind] += 1
            v = d.text[s:e]
            assert v and v == v.strip(), (d.name, kind, v)
            if kind == "key":
                assert "EXAMPLE" not in v and "xxxx" not in v.lower(), (d.name, v)
            if kind == "password":
                assert not v.startswith(("$2", "$argon", "$6$", "${", "{{")), (d.name, v)
    return counts


def _verify_values() -> None:
    """Each span's text equals the value that was planted (re-derive markers independently)."""
    mark = re.compile(r"⟦(email|ip_address|key|password)\|(.*?)⟧", re.S)
    for i, build in enumerate(DOCS):
        r = random.Random(f"{SEED}:{i}:{build.__name__}")
        name, marked = build(r)
        planted = [(m.group(1), m.group(2)) for m in mark.finditer(marked)]
        d = _parse(name, marked)
        got = [(k, d.text[s:e]) for k, s, e in d.spans]
        assert got == planted, name


if __name__ == "__main__":
    documents = testset2_documents()
    _verify_values()
    per_kind = _check(documents)
    negatives_only = sum(1 for d in documents if not d.spans)
    print(f"documents: {len(documents)} ({negatives_only} hard-negative only)")
    print(f"planted spans: {sum(per_kind.values())}")
    for k, n in per_kind.items():
        print(f"  {k:<11} {n}")
