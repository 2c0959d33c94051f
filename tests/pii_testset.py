"""A blind, held-out TEST set for PII scrubbing (written without looking at the scrubber or
at any other labelled set), to measure whether the scrubber generalises.

`testset_documents()` returns `LabelledDoc`s built from realistic files of many ecosystems.
Planted spans are written ⟦kind|value⟧ (parsed by `tests.test_pii_labelled._parse`);
everything not marked is, by this policy, NOT PII and counts as a false positive if flagged.
Secret values are generated with a seeded `random.Random`, shaped per provider.
Run `python -m tests.pii_testset` (from the repo root) to print counts and self-check.

Labelling policy (ambiguous cases):

Spans
- password: the value only (no quotes, no key name). URL credentials: the password part only.
- key: the token value. Private key blocks run from `-----BEGIN` to the last dash of the
  `-----END ... PRIVATE KEY-----` line (in JSON, the block with its escaped `\\n`s).
  Slack webhooks: the whole `https://hooks.slack.com/services/...` URL. Laravel APP_KEY: the
  whole `base64:...` value. `Authorization: Bearer <tok>` / `token <tok>`: the token only.
- email / ip_address: the address only, without port, brackets, `/prefix`, `mailto:`.
  A public network written as CIDR (`173.245.48.0/20`) is marked on its address part.

Kinds
- A value with a recognisable provider shape (ghp_, SG., sk_live_, ...) is a `key` even
  when it sits in a password slot (Maven `<password>`, Alertmanager `auth_password`).
- Any other literal in a password slot is a `password`, weak or not (`hunter2`, `postgres`,
  Cisco `password 0 <plain>`, SQL `WITH PASSWORD '<plain>'`, `curl -u user:<plain>`).
- High-entropy literals assigned to secret-like names (secret, token, api_key, signing
  secret, client_secret, SECRET_KEY, secret_key_base, machineKey validation/decryption keys,
  WordPress salts, kubeconfig client-key-data, private_key_id) are `key`s.

Not PII (left unmarked on purpose)
- Password HASHES (bcrypt, argon2, md5-crypt, Cisco type 5/9, htpasswd) are not the
  password and not a key: unmarked. Hashes/digests near sha/md5/digest/checksum/integrity,
  git SHAs, Change-Ids, trace ids, go.sum `h1:` hashes, SRI: unmarked.
- UUIDs/GUIDs (tenant/client ids, request ids, project GUIDs): unmarked.
- Placeholders and references: `<your-api-key>`, YOUR_API_KEY, xxxx.., `changeme`, `...`,
  `********`, `${VAR}`, `$(VAR)`, `{{ var }}`, `%(password)s`, `<%= ENV[..] %>`, env reads,
  getpass/readPassword/Get-Credential, `None`/`""`, AWS documented keys containing EXAMPLE.
- Public material: public keys (ssh-rsa/ed25519 lines, PUBLIC KEY blocks), certificates,
  CA data, Stripe publishable `pk_live_` keys, Firebase `appId`/`messagingSenderId`.
- IPs: private (10/8, 172.16/12, 192.168/16, fd00::/8), loopback, link-local, unspecified,
  the public DNS resolvers, documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
  2001:db8::/32), netmasks (255.255.255.0 etc. are reserved, not hosts), IPv4-mapped
  forms of those. Dotted numbers that are versions (including 4-part versions that would be
  valid public IPv4s, e.g. AssemblyVersion 2.3.1.0, R dev versions 0.3.1.9000), OIDs, SNMP
  OIDs, section numbers, user agents: unmarked. Invalid IPs in parser tests (256.1.1.1,
  1.2.3) are unmarked; a VALID public address in a test fixture IS marked (context does not
  make a routable public address non-PII).
- Email look-alikes: decorators/annotations (@Override), npm scopes and `pkg@version`,
  `actions/checkout@v4`, Go `module@v0.17.0`, `icon@2x.png`, `image@sha256:...`, R's
  `Authors@R`, Perl `@ARGV`/`@{...}`, GitHub @mentions, scp-style remotes and shell prompts
  without a TLD, ssh/akka URIs (`git@github.com:org/repo.git`, `git+ssh://git@github.com/..`,
  `deploy@web-01:~$`, `deploy@<ip>`, `akka://ledger@10.1.0.11`), `you@yourcompany`,
  template addresses (`{{ .Email }}`). Every real-looking address IS marked, including
  noreply/bot/service-account addresses, plus-addressing, subdomains and IDN domains.
  Documentation domains (example.com/.org, .test) are avoided entirely (neither marked nor
  used as negatives), since the spec does not settle them.
- Password-ish identifiers/prose: `get_password_hash`, `password_hash` columns,
  `MIN_PASSWORD_LENGTH = 12`, `PASSWORD_RESET_TIMEOUT = 259200`, HTML `type="password"`,
  `secretKeyRef: key: password`, sshd "Failed password for", `--password-stdin`,
  `passwordField:"password"`, `"password_policy":"min12-upper-digit"`: unmarked.
- Positional arguments that happen to be passwords (`DBI->connect($dsn, $u, $p)`) are only
  used with variables, never literals, so no planted password depends on argument position.
  Obfuscated-but-reversible forms (Cisco type 7, Maven `{...}` encrypted, Ansible vault,
  base64 in k8s `data:`) and provider ids (Twilio AC SIDs, Pusher app keys) are avoided.

Counts (see `python -m tests.pii_testset`): 69 documents (4 with no spans), 339 spans:
email 105, ip_address 87, key 82, password 65.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import string

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 0x7E57_5E7

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"
WORDS = ["Maple", "Falcon", "Orbit", "Cobalt", "Jasper", "Tundra", "Quartz", "Saffron", "Harbor",
         "Velvet", "Cactus", "Nimbus", "Pepper", "Walrus", "Copper", "Lantern", "Meadow", "Rocket",
         "Summit", "Willow", "Bramble", "Glacier", "Hornet", "Juniper", "Kestrel", "Mosaic"]


def _rand(r: random.Random, alphabet: str, n: int) -> str:
    mixed = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
    while True:
        s = "".join(r.choice(alphabet) for _ in range(n))
        if not mixed or (any(c.isdigit() for c in s) and any(c.isalpha() for c in s)):
            return s


def _b64(r: random.Random, nbytes: int, urlsafe=False, pad=True) -> str:
    raw = bytes(r.getrandbits(8) for _ in range(nbytes))
    s = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    return s if pad else s.rstrip("=")


def _pem(r: random.Random, label: str, head: str, nbytes: int, esc: bool = False) -> str:
    body = head + _b64(r, nbytes)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    nl = "\\n" if esc else "\n"
    return nl.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def _jwt(r: random.Random) -> str:
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).decode().rstrip("=")
    iat = r.randint(1_690_000_000, 1_720_000_000)
    header = {"alg": r.choice(["HS256", "RS256"]), "typ": "JWT"}
    payload = {"sub": str(r.randint(10_000, 9_999_999)), "role": r.choice(["admin", "service", "user"]),
               "iat": iat, "exp": iat + r.choice([3600, 86400, 31_536_000])}
    return f"{enc(header)}.{enc(payload)}.{_b64(r, 32, urlsafe=True, pad=False)}"


def _pw(r: random.Random) -> str:
    w = r.sample(WORDS, 2)
    return w[0] + r.choice([w[1], w[1].lower()]) + str(r.randint(1, 9999)) + r.choice("!*.-_+")


def _public_v4(r: random.Random) -> str:
    while True:
        a = ipaddress.IPv4Address(r.getrandbits(32))
        if a.is_global and not a.is_multicast and int(str(a).split(".")[0]) not in (100, 1, 8, 9):
            return str(a)


def _public_v6(r: random.Random) -> str:
    prefix = r.choice(["2a01:4f8", "2a02:c207", "2600:1f18", "2a03:b0c0", "2001:41d0", "2a05:d018"])
    groups = [format(r.getrandbits(16), "x") for _ in range(r.choice([3, 4]))]
    return prefix + ":" + ":".join(groups[:2]) + "::" + ":".join(groups[2:])


def _discord(r: random.Random) -> str:
    uid = str(r.randint(10**17, 2 * 10**17))
    return (base64.b64encode(uid.encode()).decode().rstrip("=") + "." + _rand(r, URLSAFE, 6)
            + "." + _rand(r, URLSAFE, 38))


GEN = {
    # ---- keys
    "akia": lambda r: "AKIA" + _rand(r, UPPER_ALNUM, 16),
    "asia": lambda r: "ASIA" + _rand(r, UPPER_ALNUM, 16),
    "awssec": lambda r: _rand(r, B64, 40),
    "ghp": lambda r: "ghp_" + _rand(r, ALNUM, 36),
    "gho": lambda r: "gho_" + _rand(r, ALNUM, 36),
    "ghs": lambda r: "ghs_" + _rand(r, ALNUM, 36),
    "ghpat": lambda r: "github_pat_11" + _rand(r, UPPER_ALNUM, 20) + "_" + _rand(r, ALNUM, 59),
    "glpat": lambda r: "glpat-" + _rand(r, URLSAFE, 20),
    "xoxb": lambda r: f"xoxb-{r.randint(10**10, 10**11)}-{r.randint(10**12, 10**13)}-{_rand(r, ALNUM, 24)}",
    "xoxp": lambda r: (f"xoxp-{r.randint(10**10, 10**11)}-{r.randint(10**10, 10**11)}-"
                       f"{r.randint(10**12, 10**13)}-{_rand(r, HEX, 32)}"),
    "slackhook": lambda r: ("https://hooks.slack.com/services/T" + _rand(r, UPPER_ALNUM, 8) + "/B"
                            + _rand(r, UPPER_ALNUM, 10) + "/" + _rand(r, ALNUM, 24)),
    "sklive": lambda r: "sk_live_51" + _rand(r, ALNUM, 97),
    "sklive24": lambda r: "sk_live_" + _rand(r, ALNUM, 24),
    "sktest": lambda r: "sk_test_51" + _rand(r, ALNUM, 97),
    "rklive": lambda r: "rk_live_51" + _rand(r, ALNUM, 97),
    "jwt": _jwt,
    "rsa": lambda r: _pem(r, "RSA PRIVATE KEY", "MIIEowIBAAKCAQEA", 700),
    "ec": lambda r: _pem(r, "EC PRIVATE KEY", "MHcCAQEEI", 110),
    "openssh": lambda r: _pem(r, "OPENSSH PRIVATE KEY",
                              "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 300),
    "pkcs8": lambda r: _pem(r, "PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 600),
    "pkcs8json": lambda r: _pem(r, "PRIVATE KEY", "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ",
                                600, esc=True),
    "kubekey": lambda r: base64.b64encode(_pem(r, "RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA", 400).encode()).decode(),
    "azkey": lambda r: _b64(r, 64),
    "azsecret": lambda r: _rand(r, ALNUM, 3) + str(r.randint(0, 9)) + "Q~" + _rand(r, ALNUM + "_-.~", 34),
    "twsk": lambda r: "SK" + _rand(r, HEX, 32),
    "hex20": lambda r: _rand(r, HEX, 20),
    "hex32": lambda r: _rand(r, HEX, 32),
    "hex40": lambda r: _rand(r, HEX, 40),
    "hex48": lambda r: _rand(r, HEX.upper(), 48),
    "hex64": lambda r: _rand(r, HEX, 64),
    "hex128": lambda r: _rand(r, HEX.upper(), 128),
    "sendgrid": lambda r: "SG." + _rand(r, URLSAFE, 22) + "." + _rand(r, URLSAFE, 43),
    "npm": lambda r: "npm_" + _rand(r, ALNUM, 36),
    "mailchimp": lambda r: _rand(r, HEX, 32) + "-us" + str(r.randint(1, 21)),
    "mailgun": lambda r: "key-" + _rand(r, HEX, 32),
    "discord": _discord,
    "gapi": lambda r: "AIza" + _rand(r, URLSAFE, 35),
    "gocspx": lambda r: "GOCSPX-" + _rand(r, URLSAFE, 28),
    "openai": lambda r: "sk-" + _rand(r, ALNUM, 20) + "T3BlbkFJ" + _rand(r, ALNUM, 20),
    "openaiproj": lambda r: "sk-proj-" + _rand(r, URLSAFE, 64) + "T3BlbkFJ" + _rand(r, URLSAFE, 64),
    "hf": lambda r: "hf_" + _rand(r, string.ascii_letters, 34),
    "shpat": lambda r: "shpat_" + _rand(r, HEX, 32),
    "shpss": lambda r: "shpss_" + _rand(r, HEX, 32),
    "square": lambda r: "EAAA" + _rand(r, URLSAFE, 60),
    "sqcsp": lambda r: "sq0csp-" + _rand(r, URLSAFE, 43),
    "telegram": lambda r: f"{r.randint(10**9, 7 * 10**9)}:AA{_rand(r, URLSAFE, 33)}",
    "gen32": lambda r: _rand(r, ALNUM, 32),
    "gen40": lambda r: _rand(r, ALNUM, 40),
    "gen64": lambda r: _rand(r, ALNUM, 64),
    "b64_32": lambda r: _b64(r, 32),
    "b64_48": lambda r: _b64(r, 48),
    "django": lambda r: _rand(r, string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)", 50),
    "wpsalt": lambda r: _rand(r, ALNUM + "!@#%^&*()-_[]{}<>~+=,.;:/?|", 64),
    # ---- passwords
    "pw": _pw,
    "pws": lambda r: _rand(r, ALNUM + "!*-_.^~+", r.randint(14, 20)),
    "pwu": lambda r: _rand(r, ALNUM + "-_.~", r.randint(16, 24)),
    "pwa": lambda r: _rand(r, ALNUM, r.randint(12, 18)),
    # ---- public addresses
    "ip": _public_v4,
    "ip6": _public_v6,
    # ---- negatives (unmarked shapes)
    "uuid": lambda r: "-".join(_rand(r, HEX, n) for n in (8, 4, 4, 4, 12)),
    "UUID": lambda r: "-".join(_rand(r, HEX.upper(), n) for n in (8, 4, 4, 4, 12)),
    "sha7": lambda r: _rand(r, HEX, 7),
    "sha512i": lambda r: "sha512-" + _b64(r, 64),
    "sha384i": lambda r: "sha384-" + _b64(r, 48),
    "sha256b": lambda r: _b64(r, 32),
    "blob": lambda r: _b64(r, 420),
    "pubpem": lambda r: _pem(r, "PUBLIC KEY", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 240),
    "cert": lambda r: _pem(r, "CERTIFICATE", "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa", 600),
    "kubecert": lambda r: base64.b64encode(_pem(r, "CERTIFICATE", "MIIC5zCCAc+gAwIBAgIBADANBgkqhkiG", 300).encode()).decode(),
    "sshrsa": lambda r: "AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + _b64(r, 280, pad=False),
    "ssh25519": lambda r: "AAAAC3NzaC1lZDI1NTE5AAAAI" + _rand(r, B64, 43),
    "bcrypt": lambda r: "$2b$12$" + _rand(r, ALNUM + "./", 53),
    "argon2": lambda r: "$argon2id$v=19$m=65536,t=3,p=4$" + _b64(r, 16, pad=False) + "$" + _b64(r, 32, pad=False),
    "md5crypt": lambda r: "$1$" + _rand(r, ALNUM + "./", 8) + "$" + _rand(r, ALNUM + "./", 22),
    "apr1": lambda r: "$apr1$" + _rand(r, ALNUM + "./", 8) + "$" + _rand(r, ALNUM + "./", 22),
    "ident": lambda r: "".join(r.choice(string.ascii_letters) for _ in range(34)),
}

_SLOT = re.compile(r"«(\w+)(?:\.(\w+))?»")
_SHORT = re.compile(r"⟦([eikp])\|")
_KIND = {"e": "email", "i": "ip_address", "k": "key", "p": "password"}
_MARK = re.compile(r"⟦(email|ip_address|key|password)\|(.*?)⟧", re.S)


def _fill(r: random.Random, template: str) -> str:
    cache: dict[tuple[str, str], str] = {}

    def sub(m):
        gen, tag = m.group(1), m.group(2)
        if tag is None:
            return GEN[gen](r)
        if (gen, tag) not in cache:
            cache[gen, tag] = GEN[gen](r)
        return cache[gen, tag]

    return _SHORT.sub(lambda m: "⟦" + _KIND[m.group(1)] + "|", _SLOT.sub(sub, template))


# ================================================================================= documents
# (name, template). ⟦e|..⟧ ⟦i|..⟧ ⟦k|..⟧ ⟦p|..⟧ are marked spans; «gen» / «gen.tag» are
# generated values (a tag repeats the same value within one document).

TEMPLATES: list[tuple[str, str]] = []


def _t(name: str, template: str) -> None:
    TEMPLATES.append((name, template))


_t("ledgerly/settings.py", r'''"""
Django settings for ledgerly project.

Maintainer: Priya Raghunathan <⟦e|priya.raghunathan@ledgerly.in⟧>
Generated by 'django-admin startproject' using Django 4.2.7.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "⟦k|«django»⟧"

DEBUG = False

ALLOWED_HOSTS = ["ledgerly.in", "www.ledgerly.in", "⟦i|13.235.41.118⟧", "127.0.0.1"]
INTERNAL_IPS = ["127.0.0.1", "10.20.0.4"]

ADMINS = [
    ("Priya Raghunathan", "⟦e|priya.raghunathan@ledgerly.in⟧"),
    ("Ops rota", "⟦e|ops-alerts@ledgerly.in⟧"),
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "ledgerly",
        "USER": "ledgerly_app",
        "PASSWORD": "⟦p|«pw»⟧",
        "HOST": "ledgerly-db.c9akciq32xyz.ap-south-1.rds.amazonaws.com",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "ledgerly",
        "USER": "ledgerly_ro",
        "PASSWORD": os.environ.get("REPLICA_DB_PASSWORD", ""),
        "HOST": "10.20.3.17",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_RESET_TIMEOUT = 259200

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.zoho.in"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "⟦e|no-reply@ledgerly.in⟧"
EMAIL_HOST_PASSWORD = "⟦p|«pws»⟧"
DEFAULT_FROM_EMAIL = "Ledgerly <⟦e|no-reply@ledgerly.in⟧>"
SESSION_COOKIE_AGE = 1209600
''')

_t("setup.py", r'''#!/usr/bin/env python
# -*- coding: utf-8 -*-
from setuptools import find_packages, setup

with open("README.rst", encoding="utf-8") as fh:
    long_description = fh.read()

setup(
    name="tidewatch",
    version="1.4.2.1",
    description="Tide-gauge ingestion and QC toolkit",
    long_description=long_description,
    author="Sebastián Ortega",
    author_email="⟦e|sebastian.ortega@oceanlab.uib.no⟧",
    maintainer="Tidewatch developers",
    maintainer_email="⟦e|tidewatch-dev@googlegroups.com⟧",
    url="https://github.com/oceanlab/tidewatch",
    packages=find_packages(exclude=["tests", "tests.*"]),
    python_requires=">=3.8",
    install_requires=[
        "numpy>=1.21.6",
        "pandas>=1.3.5,<3",
        "urllib3>=1.26.18",
        "netCDF4==1.6.5",
    ],
    classifiers=[
        "Programming Language :: Python :: 3.10",
        "License :: OSI Approved :: BSD License",
    ],
)
''')

_t("web/package.json", r'''{
  "name": "@harborlight/dashboard",
  "version": "3.2.1",
  "description": "Operator dashboard for Harborlight berth scheduling",
  "author": "Lena Fischer <⟦e|lena.fischer@harborlight.de⟧> (https://harborlight.de)",
  "contributors": [
    "Tomasz Wiśniewski <⟦e|t.wisniewski@harborlight.de⟧>",
    { "name": "Amara Okafor", "email": "⟦e|amara.okafor+oss@gmail.com⟧" }
  ],
  "bugs": { "email": "⟦e|bugs@harborlight.de⟧", "url": "https://github.com/harborlight/dashboard/issues" },
  "repository": { "type": "git", "url": "git+ssh://git@github.com/harborlight/dashboard.git" },
  "scripts": {
    "build": "vite build",
    "test": "vitest run",
    "release": "npm publish --access public"
  },
  "dependencies": {
    "@tanstack/react-query": "^5.8.4",
    "react": "18.2.0",
    "date-fns": "~2.30.0"
  },
  "devDependencies": {
    "@types/node": "20.9.0",
    "typescript": "5.2.2",
    "vite": "^4.5.0"
  },
  "engines": { "node": ">=18.17.1" }
}
''')

_t(".npmrc", r'''; per-project npm config
@harborlight:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}
//registry.npmjs.org/:_authToken=⟦k|«npm»⟧
email=⟦e|release-bot@harborlight.de⟧
always-auth=true
save-exact=true
''')

_t("lockfiles (negatives only)", r'''# ---- package-lock.json (excerpt)
    "node_modules/lodash": {
      "version": "4.17.21",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
      "integrity": "«sha512i»"
    },
    "node_modules/@babel/core": {
      "version": "7.23.3",
      "resolved": "https://registry.npmjs.org/@babel/core/-/core-7.23.3.tgz",
      "integrity": "«sha512i»",
      "dependencies": { "@ampproject/remapping": "^2.2.0", "@babel/code-frame": "^7.22.13" }
    },
# ---- yarn.lock (excerpt)
"@types/react@*", "@types/react@^18.2.37":
  version "18.2.37"
  resolved "https://registry.yarnpkg.com/@types/react/-/react-18.2.37.tgz#«hex40»"
  integrity «sha512i»
# ---- go.sum (excerpt)
golang.org/x/net v0.17.0 h1:«sha256b»
golang.org/x/net v0.17.0/go.mod h1:«sha256b»
github.com/jackc/pgx/v5 v5.5.0 h1:«sha256b»
# ---- Cargo.lock (excerpt)
[[package]]
name = "tokio"
version = "1.34.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "«hex64»"
# ---- requirements.txt with hashes
certifi==2023.11.17 \
    --hash=sha256:«hex64» \
    --hash=sha256:«hex64»
pyasn1==0.5.1.post1
# ---- Gemfile.lock
    nokogiri (1.15.5-x86_64-linux)
    racc (1.7.3)
BUNDLED WITH
   2.4.22
''')

_t(".env.production", r'''# Production env for orderflow-api -- DO NOT COMMIT (oops)
NODE_ENV=production
PORT=8080
DATABASE_URL=postgres://orderflow:⟦p|«pwu»⟧@orderflow-prod.cluster-cx7k2.eu-central-1.rds.amazonaws.com:5432/orderflow
REDIS_URL=redis://:⟦p|«pwu»⟧@10.4.12.9:6379/0
STRIPE_SECRET_KEY=⟦k|«sklive»⟧
STRIPE_PUBLISHABLE_KEY=pk_live_51«gen64»
STRIPE_WEBHOOK_SECRET=⟦k|whsec_«gen32»⟧
SENDGRID_API_KEY=⟦k|«sendgrid»⟧
OPENAI_API_KEY=⟦k|«openai»⟧
JWT_SECRET=⟦k|«gen64»⟧
SESSION_SECRET=changeme
ADMIN_EMAIL=⟦e|it-admin@orderflow.app⟧
SUPPORT_INBOX=⟦e|Support@OrderFlow.App⟧
ALLOWED_ORIGINS=https://orderflow.app,https://admin.orderflow.app
TRUSTED_PROXY=⟦i|18.156.74.203⟧
LOG_LEVEL=info
''')

_t(".env.example (negatives only)", r'''# Copy to .env and fill in. Never commit real values.
API_KEY=your-api-key-here
OPENAI_API_KEY=sk-...
DB_PASSWORD=
DB_URL=postgres://app:${DB_PASSWORD}@localhost:5432/app
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
SECRET_KEY=<generate with: openssl rand -hex 32>
SMTP_PASSWORD=********
STRIPE_SECRET_KEY=sk_test_XXXXXXXXXXXXXXXXXXXXXXXX
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/XXXXX/XXXXX/XXXXX
JWT_SECRET=${JWT_SECRET}
ADMIN_PASSWORD=changeme
MIN_PASSWORD_LENGTH=12
PASSWORD_RESET_TTL=3600
TOKEN_EXPIRY_SECONDS=86400
''')

_t("docker-compose.yml", r'''version: "3.9"

services:
  db:
    image: postgres:15.4-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: keycloak
      POSTGRES_PASSWORD: ⟦p|«pw»⟧
      POSTGRES_DB: keycloak
    ports:
      - "127.0.0.1:5432:5432"

  mariadb:
    image: mariadb:10.11.6
    environment:
      - MARIADB_ROOT_PASSWORD=⟦p|hunter2⟧
      - MARIADB_PASSWORD_FILE=/run/secrets/db_password

  keycloak:
    image: quay.io/keycloak/keycloak:22.0.5
    command: start --hostname-strict=false
    environment:
      KC_DB_URL: jdbc:postgresql://db:5432/keycloak
      KC_DB_USERNAME: keycloak
      KC_DB_PASSWORD: ⟦p|«pw»⟧
      KEYCLOAK_ADMIN: admin
      KEYCLOAK_ADMIN_PASSWORD: ${KEYCLOAK_ADMIN_PASSWORD}
    extra_hosts:
      - "ldap.corp.brightwave.io:⟦i|52.58.203.117⟧"
      - "host.docker.internal:host-gateway"

  pgadmin:
    image: dpage/pgadmin4:8.0
    environment:
      - PGADMIN_DEFAULT_EMAIL=⟦e|dba@brightwave.io⟧
      - PGADMIN_DEFAULT_PASSWORD=⟦p|«pwa»⟧

  redis:
    image: redis:7.2.3
    command: redis-server --requirepass "${REDIS_PASSWORD:-}"

secrets:
  db_password:
    file: ./secrets/db_password.txt
''')

_t("Dockerfile", r'''# syntax=docker/dockerfile:1.6
FROM python:3.11.6-slim@sha256:«hex64» AS build
LABEL maintainer="Yusuf Demir <⟦e|yusuf.demir@kumsal.com.tr⟧>"
LABEL org.opencontainers.image.version="2.8.0.4"

ARG NPM_TOKEN
ARG PIP_EXTRA_INDEX_URL
ENV PIP_INDEX_URL=https://ci-reader:⟦p|«pwu»⟧@pypi.kumsal-artifacts.net/simple
ENV HF_TOKEN=⟦k|«hf»⟧
ENV HF_HOME=/opt/hf

RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > /root/.npmrc \
 && pip install --no-cache-dir -r requirements.txt \
 && rm -f /root/.npmrc

RUN --mount=type=secret,id=db_password \
    DB_PASSWORD="$(cat /run/secrets/db_password)" python manage.py migrate

EXPOSE 8000
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "-b", "0.0.0.0:8000", "kumsal.wsgi"]
''')

_t("k8s/payments.yaml", r'''apiVersion: v1
kind: Secret
metadata:
  name: payments-db
  namespace: payments
  uid: «uuid»
type: Opaque
stringData:
  username: payments
  password: ⟦p|«pws»⟧
  api-token: ⟦k|«gen40»⟧
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  annotations:
    deployment.kubernetes.io/revision: "14"
spec:
  replicas: 3
  template:
    spec:
      hostAliases:
        - ip: "⟦i|3.121.18.245⟧"
          hostnames: ["acquirer-gw.partner.net"]
      containers:
        - name: api
          image: ghcr.io/finchpay/payments-api@sha256:«hex64»
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: payments-db
                  key: password
            - name: POD_IP
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
---
apiVersion: v1
kind: Service
metadata:
  name: payments-api
spec:
  type: LoadBalancer
  clusterIP: 10.96.14.201
  loadBalancerIP: ⟦i|34.89.211.30⟧
  loadBalancerSourceRanges:
    - ⟦i|81.2.69.160⟧/32
    - ⟦i|2a01:4f8:c17:e4d1::⟧/64
    - 10.0.0.0/8
  ports:
    - port: 443
      targetPort: 8443
''')

_t("charts/mattermost/ (values.yaml, Chart.yaml)", r'''# Default values for mattermost-team-edition.
image:
  repository: mattermost/mattermost-team-edition
  tag: "9.2.2"
  pullPolicy: IfNotPresent

externalDB:
  enabled: true
  externalDriverType: postgres
  externalConnectionString: "mmuser:⟦p|«pwu»⟧@mm-db.internal.fjordtech.no:5432/mattermost?sslmode=require"

postgresql:
  enabled: false
  auth:
    username: mmuser
    password: ⟦p|«pw»⟧
    existingSecret: ""

smtp:
  server: smtp.office365.com
  port: 587
  username: ⟦e|mattermost@fjordtech.no⟧
  password: "{{ .Values.global.smtpPassword }}"

redis:
  password: ""

service:
  type: LoadBalancer
  externalIPs:
    - ⟦i|195.159.200.14⟧
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-internal: "false"

config:
  MM_SERVICESETTINGS_SITEURL: https://chat.fjordtech.no
  MM_SUPPORTSETTINGS_SUPPORTEMAIL: ⟦e|helpdesk@fjordtech.no⟧
  MM_EMAILSETTINGS_SMTPPASSWORD: ⟦p|«pws»⟧
# ---- charts/mattermost/Chart.yaml
apiVersion: v2
name: mattermost-team-edition
description: Mattermost Team Edition server
type: application
version: 6.6.41
appVersion: "9.2.2.1"
kubeVersion: ">=1.23.0-0"
maintainers:
  - name: Kari Nordmann
    email: ⟦e|kari.nordmann@fjordtech.no⟧
  - name: platform-team
    email: ⟦e|platform@fjordtech.no⟧
dependencies:
  - name: postgresql
    version: 12.12.10
    repository: oci://registry-1.docker.io/bitnamicharts
    condition: postgresql.enabled
''')

_t("inventory/production.ini", r'''# Managed by infra team, contact ⟦e|infra@tallow-labs.co.uk⟧
[web]
web1 ansible_host=⟦i|18.130.94.12⟧ ansible_user=deploy
web2 ansible_host=⟦i|18.133.200.7⟧ ansible_user=deploy
web3 ansible_host=⟦i|2a05:d01c:39b:be00:5d3a:b1f1:8a0c:2b91⟧ ansible_user=deploy

[db]
db1 ansible_host=10.0.4.12
db2 ansible_host=172.31.18.40

[windows]
ad01 ansible_host=⟦i|35.178.62.201⟧ ansible_user=Administrator ansible_password=⟦p|«pw»⟧ ansible_connection=winrm

[all:vars]
ansible_python_interpreter=/usr/bin/python3
ntp_server=0.uk.pool.ntp.org
''')

_t("group_vars/all.yml", r'''---
app_version: "4.1.0.3"
letsencrypt_email: ⟦e|certs@tallow-labs.co.uk⟧
mysql_root_password: "⟦p|«pws»⟧"
app_db_password: "{{ vault_app_db_password }}"
backup_s3_access_key: "⟦k|«akia»⟧"
backup_s3_secret_key: "⟦k|«awssec»⟧"
dns_nameservers:
  - 9.9.9.9
  - 149.112.112.112
ssh_allowed_cidrs:
  - "⟦i|82.132.215.40⟧/32"
  - "10.0.0.0/16"
smtp_relay_password: "{{ lookup('env', 'SMTP_RELAY_PASSWORD') }}"
password_min_length: 14
sshd_password_authentication: "no"
''')

_t("infra/main.tf", r'''terraform {
  required_version = ">= 1.5.7"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.26.0" }
  }
}

provider "aws" {
  region     = "eu-west-2"
  access_key = "⟦k|«akia»⟧"
  secret_key = "⟦k|«awssec»⟧"
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "analytics" {
  identifier        = "analytics-pg"
  engine            = "postgres"
  engine_version    = "15.4"
  instance_class    = "db.t3.medium"
  username          = "analytics"
  password          = "⟦p|«pws»⟧"
  allocated_storage = 100
}

resource "aws_db_instance" "reporting" {
  identifier = "reporting-pg"
  engine     = "postgres"
  username   = "reporting"
  password   = var.db_password
}

resource "aws_instance" "bastion" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.micro"
  private_ip    = "172.31.5.10"
  tags = {
    Name  = "bastion"
    Owner = "⟦e|r.mensah@quillstack.io⟧"
  }
}

resource "aws_security_group_rule" "office_ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["⟦i|86.12.118.74⟧/32", "⟦i|172.32.9.15⟧/32", "10.0.0.0/8"]
}
''')

_t("infra/terraform.tfstate", r'''{
  "version": 4,
  "terraform_version": "1.6.2",
  "serial": 57,
  "lineage": "«uuid»",
  "resources": [
    {
      "mode": "managed",
      "type": "aws_instance",
      "name": "bastion",
      "instances": [
        {
          "attributes": {
            "id": "i-0a9f3c1e5b7d24e68",
            "public_ip": "⟦i|3.10.147.202⟧",
            "private_ip": "172.31.5.10",
            "ipv6_addresses": ["⟦i|2a05:d01c:39b:be00:a01:4c2:9ee1:7f02⟧"],
            "arn": "arn:aws:ec2:eu-west-2:492817365021:instance/i-0a9f3c1e5b7d24e68"
          }
        }
      ]
    },
    {
      "mode": "managed",
      "type": "aws_db_instance",
      "name": "analytics",
      "instances": [
        {
          "attributes": {
            "address": "analytics-pg.cx1y2z3.eu-west-2.rds.amazonaws.com",
            "username": "analytics",
            "password": "⟦p|«pws»⟧",
            "engine_version_actual": "15.4"
          },
          "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]]
        }
      ]
    }
  ]
}
''')

_t("Cargo.toml + config/quiver.toml", r'''[package]
name = "quiver-sync"
version = "0.12.3"
edition = "2021"
authors = ["Ines Carvalho <⟦e|ines.carvalho@quiver.pt⟧>", "Dmitri Volkov <⟦e|dvolkov@quiver.pt⟧>"]
license = "MIT OR Apache-2.0"
rust-version = "1.70.0"

[dependencies]
tokio = { version = "1.34.0", features = ["full"] }
serde = { version = "1.0.193", features = ["derive"] }
sqlx = { version = "0.7.3", features = ["postgres", "runtime-tokio-rustls"] }
# ---- config/quiver.toml
# quiver-sync runtime configuration
[server]
bind = "0.0.0.0:8080"
trusted_proxies = ["⟦i|188.166.91.42⟧", "192.168.0.0/16", "::1"]

[database]
url = "postgresql://quiver:⟦p|«pwu»⟧@pg.quiver.internal:5432/quiver"
max_connections = 20

[upstream]
endpoint = "https://⟦i|159.89.12.207⟧:9443/v2"
api_token = "⟦k|«gen40»⟧"
token_header = "X-Quiver-Token"

[resolver]
nameservers = ["1.1.1.1", "1.0.0.1", "2606:4700:4700::1111"]

[telemetry]
sample_rate = 0.25
''')

_t("src/main.rs", r'''// quiver discord relay
// Author: Dmitri Volkov <⟦e|dvolkov@quiver.pt⟧>
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serenity::prelude::*;

const DISCORD_TOKEN: &str = "⟦k|«discord»⟧";
const FALLBACK_UPSTREAM: &str = "⟦i|167.99.140.33⟧";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)), 3000);
    let bind: SocketAddr = "0.0.0.0:3000".parse()?;
    let token = std::env::var("DISCORD_TOKEN").unwrap_or_else(|_| DISCORD_TOKEN.to_string());
    let mut cache: HashMap<u64, String> = HashMap::new();
    let intents = GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = Client::builder(&token, intents).await?;
    let pg = PgConnectOptions::new().host("pg.quiver.internal").username("relay").password("⟦p|«pwa»⟧");
    tracing::info!(%addr, %bind, upstream = FALLBACK_UPSTREAM, "starting relay v0.12.3");
    client.start().await?;
    Ok(())
}
''')

_t("cmd/notifier/main.go", r'''// Package main runs the shipment notifier.
// Copyright 2023 Kwame Asante <⟦e|kwame@boxtrail.com.gh⟧>. All rights reserved.
package main

import (
	"database/sql"
	"fmt"
	"log"
	"net"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	_ "github.com/lib/pq"
)

const telegramToken = "⟦k|«telegram»⟧"

const dsn = "host=⟦i|41.215.160.84⟧ port=5432 user=notifier password=⟦p|«pwa»⟧ dbname=shipments sslmode=require"

func main() {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	if ip := net.ParseIP("::1"); ip.IsLoopback() {
		log.Println("loopback ok")
	}
	replica := fmt.Sprintf("%s:%s@tcp(%s)/%s", user, pass, host, name)
	_ = replica

	rdb := redis.NewClient(&redis.Options{Addr: "10.40.2.6:6379", Password: "⟦p|«pws»⟧", DB: 0})
	_ = rdb

	bot, _ := tgbotapi.NewBotAPI(telegramToken)
	log.Printf("authorised as %s (go-telegram-bot-api v5.5.1)", bot.Self.UserName)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
''')

_t("src/main/resources/application.properties", r'''spring.application.name=inventory-service
server.port=8443
spring.datasource.url=jdbc:mysql://⟦i|52.28.117.61⟧:3306/inventory?useSSL=true
spring.datasource.username=inventory
spring.datasource.password=⟦p|«pw»⟧
spring.jpa.hibernate.ddl-auto=validate
spring.mail.host=smtp.gmail.com
spring.mail.username=⟦e|inventory.alerts@lindqvist-retail.se⟧
spring.mail.password=⟦p|«pwa»⟧
jwt.secret=⟦k|«gen64»⟧
jwt.expiration-ms=86400000
spring.security.oauth2.client.registration.google.client-id=«hex20».apps.googleusercontent.com
spring.security.oauth2.client.registration.google.client-secret=⟦k|«gocspx»⟧
management.endpoints.web.exposure.include=health,info
info.app.version=3.1.0.7
#---
spring.config.activate.on-profile=staging
spring.datasource.password=${DB_PASSWORD}
spring.mail.password=${MAIL_PASSWORD:}
''')

_t("src/main/java/se/lindqvist/inventory/GeoClient.java", r'''/*
 * Copyright (c) 2022 Lindqvist Retail AB
 *
 * @author Li Wei <⟦e|li.wei@lindqvist-retail.se⟧>
 * @author Johan Berg <⟦e|johan.berg@lindqvist-retail.se⟧>
 */
package se.lindqvist.inventory;

import java.net.InetAddress;
import org.springframework.beans.factory.annotation.Value;

public class GeoClient {
    private static final String API_KEY = "⟦k|«gapi»⟧";
    private static final String GEO_HOST = "⟦i|35.207.88.141⟧";
    private static final int MIN_PASSWORD_LENGTH = 12;

    @Value("${app.secret}")
    private String appSecret;

    @Override
    public String toString() {
        return "GeoClient/2.4.0.1";
    }

    public void connect() throws Exception {
        String password = System.getenv("SMTP_PASSWORD");
        char[] consolePassword = System.console().readPassword("Password: ");
        InetAddress addr = InetAddress.getByName(GEO_HOST);
        InetAddress local = InetAddress.getByName("127.0.0.1");
    }
}
''')

_t("app/build.gradle.kts", r'''plugins {
    id("com.android.application") version "8.1.4"
    kotlin("android") version "1.9.20"
}

android {
    namespace = "no.fjellsti.app"
    compileSdk = 34
    defaultConfig {
        applicationId = "no.fjellsti.app"
        versionCode = 41203
        versionName = "4.12.0.3"
        buildConfigField("String", "MAPS_API_KEY", "\"⟦k|«gapi»⟧\"")
        buildConfigField("String", "SENTRY_ENV", "\"production\"")
    }
    signingConfigs {
        create("release") {
            storeFile = file("../keystore/release.jks")
            storePassword = "⟦p|«pw»⟧"
            keyAlias = "upload"
            keyPassword = "⟦p|«pw»⟧"
        }
        create("ci") {
            storePassword = System.getenv("KEYSTORE_PASSWORD")
            keyPassword = project.findProperty("ciKeyPassword") as String?
        }
    }
}

dependencies {
    implementation("com.squareup.okhttp3:okhttp:4.12.0")
    implementation("androidx.core:core-ktx:1.12.0")
}
''')

_t("firmware/include/config.h", r'''/*
 * config.h - build-time configuration for the Wetterstation sensor node
 *
 * Copyright (c) 2019 Hans Müller <⟦e|hans.mueller@wetter-bäckerei.de⟧>
 * Ported to ESP32 by Jürgen Roth <⟦e|jroth@xn--wetter-bckerei-mlb.de⟧>
 */
#ifndef CONFIG_H
#define CONFIG_H

#define FW_VERSION        "3.10.2.7"
#define WIFI_SSID         "Gartenhaus"
#define WIFI_PASSWORD     "⟦p|«pw»⟧"
#define MQTT_BROKER       "192.168.1.50"
#define MQTT_PORT         1883
#define MQTT_PASSWORD     "⟦p|«pwa»⟧"
#define UPLOAD_SERVER     "⟦i|217.160.0.187⟧"
#define UPLOAD_SERVER_V6  "⟦i|2a01:238:20a:202:1f4::⟧"
/* fallback dns: 8.8.8.8 */
#define NETMASK           "255.255.255.0"
#define GATEWAY           "192.168.1.1"

static const uint8_t kMac[6] = {0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01};
static const char *ota_password = "⟦p|«pws»⟧";
static const char *ota_hash = "«hex32»"; /* md5 of the OTA password, as ArduinoOTA wants */

#endif /* CONFIG_H */
''')

_t("tests/ip_parser_test.cc", r'''// Copyright 2021 The Netkit Authors. Contact ⟦e|netkit-dev@lists.netkit.dev⟧.
#include <gtest/gtest.h>
#include <string>
#include <vector>
#include "netkit/ip.h"

namespace netkit {
namespace {

TEST(ParseV4, AcceptsPublicAddress) {
  auto ip = ParseV4("⟦i|93.184.216.34⟧");
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->ToString(), "⟦i|93.184.216.34⟧");
}

TEST(ParseV4, RejectsOutOfRange) {
  EXPECT_FALSE(ParseV4("256.256.256.256").has_value());
  EXPECT_FALSE(ParseV4("1.2.3").has_value());
  EXPECT_FALSE(ParseV4("999.10.10.10").has_value());
}

TEST(ParseV6, Compressed) {
  const std::vector<std::string> ok = {"::1", "fe80::1ff:fe23:4567:890a", "::",
                                       "2001:db8::ff00:42:8329", "::ffff:192.0.2.128"};
  for (const auto& s : ok) EXPECT_TRUE(ParseV6(s).has_value()) << s;
  EXPECT_TRUE(ParseV6("⟦i|2a00:1450:4009:81f::200e⟧").has_value());
}

TEST(Version, NotAnAddress) {
  EXPECT_EQ(netkit::kVersion, std::string("2.11.0.4"));
  std::chrono::seconds timeout{30};
}

}  // namespace
}  // namespace netkit
''')

_t("Api/appsettings.Production.json", r'''{
  "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } },
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "Default": "Server=tcp:contoso-sql.database.windows.net,1433;Initial Catalog=shop;User ID=sqladmin;Password=⟦p|«pws»⟧;Encrypt=True;TrustServerCertificate=False;",
    "Storage": "DefaultEndpointsProtocol=https;AccountName=contosoprodassets;AccountKey=⟦k|«azkey»⟧;EndpointSuffix=core.windows.net",
    "Dev": "Server=(localdb)\\mssqllocaldb;Database=shop;Trusted_Connection=True;"
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "«uuid»",
    "ClientId": "«uuid»",
    "ClientSecret": "⟦k|«azsecret»⟧"
  },
  "Smtp": { "From": "⟦e|orders@tailspin-outfitters.com⟧", "Host": "smtp.sendgrid.net", "Port": 587 },
  "ApplicationInsights": { "ConnectionString": "InstrumentationKey=«uuid»;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/" },
  "Version": "7.0.14.2"
}
''')

_t("Crm/Data/CrmContext.cs", r'''// <copyright file="CrmContext.cs" company="Tailspin">
// Copyright (c) Tailspin Outfitters. Author: Marisol Reyes (⟦e|marisol.reyes@tailspin-outfitters.com⟧)
// </copyright>
using System;
using System.Data.SqlClient;
using System.Reflection;

[assembly: AssemblyVersion("2.3.1.0")]
[assembly: AssemblyFileVersion("2.3.1.4417")]
[assembly: Guid("«UUID»")]

namespace Tailspin.Crm.Data
{
    public static class CrmContext
    {
        private const string TwilioAuthToken = "⟦k|«hex32»⟧";
        private const string TwilioApiKey = "⟦k|«twsk»⟧";
        private const string TwilioApiSecret = "⟦k|«gen32»⟧";

        public static SqlConnection Open()
        {
            var conn = new SqlConnection("Data Source=⟦i|40.113.76.215⟧;Initial Catalog=crm;User Id=crm_app;Password=⟦p|«pw»⟧;");
            conn.Open();
            return conn;
        }

        public static string AskPassword()
        {
            Console.Write("Password: ");
            var pwd = Console.ReadLine();
            return pwd ?? string.Empty;
        }
    }
}
''')

_t("Web/web.config", r'''<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="ErpDb" connectionString="Server=⟦i|20.52.148.9⟧;Database=erp;User Id=erp_web;Password=⟦p|«pwa»⟧;" providerName="System.Data.SqlClient" />
    <add name="LocalDb" connectionString="Server=.\SQLEXPRESS;Database=erp;Integrated Security=SSPI;" providerName="System.Data.SqlClient" />
  </connectionStrings>
  <appSettings>
    <add key="SendGridApiKey" value="⟦k|«sendgrid»⟧" />
    <add key="MailFrom" value="⟦e|erp-noreply@kestrel-logistik.at⟧" />
    <add key="Version" value="5.0.2.11" />
    <add key="ApiKeyHeader" value="X-Api-Key" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.7.2" />
    <machineKey validationKey="⟦k|«hex128»⟧" decryptionKey="⟦k|«hex48»⟧" validation="HMACSHA256" decryption="AES" />
    <authentication mode="Forms">
      <forms loginUrl="~/Account/Login" timeout="2880" />
    </authentication>
  </system.web>
  <system.webServer>
    <security>
      <ipSecurity allowUnlisted="false">
        <add ipAddress="⟦i|91.115.40.23⟧" allowed="true" />
        <add ipAddress="10.0.0.0" subnetMask="255.0.0.0" allowed="true" />
      </ipSecurity>
    </security>
  </system.webServer>
</configuration>
''')

_t(".m2/settings.xml", r'''<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deployment</username>
      <password>⟦p|«pw»⟧</password>
    </server>
    <server>
      <id>github</id>
      <username>ci-bot</username>
      <password>⟦k|«ghp»⟧</password>
    </server>
    <server>
      <id>ossrh</id>
      <username>${env.OSSRH_USERNAME}</username>
      <password>${env.OSSRH_PASSWORD}</password>
    </server>
  </servers>
  <proxies>
    <proxy>
      <id>corp</id>
      <active>true</active>
      <protocol>http</protocol>
      <host>⟦i|62.153.11.98⟧</host>
      <port>3128</port>
      <username>svc-maven</username>
      <password>⟦p|«pwa»⟧</password>
      <nonProxyHosts>localhost|127.0.0.1|*.corp.local</nonProxyHosts>
    </proxy>
  </proxies>
  <mirrors>
    <mirror><id>central</id><url>https://repo.maven.apache.org/maven2</url><mirrorOf>central</mirrorOf></mirror>
  </mirrors>
</settings>
''')

_t("wp-config.php", r'''<?php
/**
 * The base configuration for WordPress
 *
 * @package WordPress
 * Site owner: Chiara Bianchi <⟦e|chiara@trattoria-bianchi.it⟧>
 */

define( 'DB_NAME', 'wp_trattoria' );
define( 'DB_USER', 'wp_trattoria' );
define( 'DB_PASSWORD', '⟦p|«pw»⟧' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );

define( 'AUTH_KEY',         '⟦k|«wpsalt»⟧' );
define( 'SECURE_AUTH_KEY',  '⟦k|«wpsalt»⟧' );
define( 'LOGGED_IN_SALT',   '⟦k|«wpsalt»⟧' );

define( 'WP_MEMORY_LIMIT', '256M' );
define( 'WPMS_SMTP_PASS', '⟦p|«pwa»⟧' );
define( 'WPMS_MAIL_FROM', '⟦e|prenotazioni@trattoria-bianchi.it⟧' );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
''')

_t("laravel/.env + config/mail.php", r'''APP_NAME=Pasarela
APP_ENV=production
APP_KEY=⟦k|base64:«b64_32»⟧
APP_URL=https://pasarela.mx
DB_CONNECTION=mysql
DB_HOST=⟦i|148.72.64.29⟧
DB_PORT=3306
DB_DATABASE=pasarela
DB_USERNAME=pasarela
DB_PASSWORD=⟦p|«pw»⟧
MAIL_MAILER=smtp
MAIL_HOST=smtp.mailgun.org
MAIL_USERNAME=⟦e|postmaster@mg.pasarela.mx⟧
MAIL_PASSWORD=⟦p|«pwa»⟧
MAIL_FROM_ADDRESS="⟦e|hola@pasarela.mx⟧"
PUSHER_APP_ID=1698342
PUSHER_APP_SECRET=⟦k|«hex20»⟧
-- config/mail.php --
<?php
return [
    'mailers' => [
        'smtp' => [
            'transport' => 'smtp',
            'host' => env('MAIL_HOST', 'smtp.mailgun.org'),
            'username' => env('MAIL_USERNAME'),
            'password' => env('MAIL_PASSWORD'),
        ],
    ],
    'from' => [
        'address' => env('MAIL_FROM_ADDRESS', '⟦e|hola@pasarela.mx⟧'),
        'name' => env('MAIL_FROM_NAME', 'Pasarela'),
    ],
];
''')

_t("config/database.yml", r'''# Rails database configuration
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: storefront_development
  password:

test:
  <<: *default
  database: storefront_test

production:
  <<: *default
  database: storefront_production
  username: storefront
  password: ⟦p|«pws»⟧
  host: ⟦i|54.155.12.88⟧

production_replica:
  <<: *default
  username: storefront_ro
  password: <%= ENV["STOREFRONT_REPLICA_PASSWORD"] %>
  host: 10.0.12.7
''')

_t("config/initializers/stripe.rb + storefront_utils.gemspec", r'''# frozen_string_literal: true
# Maintainer: Olusegun Adeyemi <⟦e|segun@storefront.ng⟧>

Rails.configuration.stripe = {
  publishable_key: "pk_live_51«gen64»",
  secret_key: "⟦k|«rklive»⟧"
}
Stripe.api_key = Rails.configuration.stripe[:secret_key]
Stripe.api_version = "2023-10-16"

Devise.setup do |config|
  config.mailer_sender = "⟦e|accounts@storefront.ng⟧"
  config.stretches = Rails.env.test? ? 1 : 12
  config.password_length = 10..128
  config.secret_key = "⟦k|«hex128»⟧"
end
# ---- storefront_utils.gemspec

require_relative "lib/storefront_utils/version"

Gem::Specification.new do |spec|
  spec.name = "storefront_utils"
  spec.version = StorefrontUtils::VERSION
  spec.authors = ["Olusegun Adeyemi", "Hannah Kim"]
  spec.email = ["⟦e|segun@storefront.ng⟧", "⟦e|hannah.kim@storefront.ng⟧"]
  spec.summary = "Shared helpers for Storefront services"
  spec.homepage = "https://github.com/storefront-ng/storefront_utils"
  spec.required_ruby_version = ">= 3.0.6"
  spec.metadata["rubygems_mfa_required"] = "true"
  spec.add_dependency "activesupport", ">= 7.0.8.1"
  spec.add_development_dependency "rspec", "~> 3.12"
end
''')

_t("Sources/Payments/Config.swift", r'''//
//  Config.swift
//  Kobo Market
//
//  Created by Aiko Tanaka on 2/3/21.
//  Contact: ⟦e|aiko.tanaka@kobo-market.jp⟧
//

import Foundation
import Security

enum Config {
    static let squareAccessToken = "⟦k|«square»⟧"
    static let squareClientSecret = "⟦k|«sqcsp»⟧"
    static let shopifyAdminToken = "⟦k|«shpat»⟧"
    static let apiBase = URL(string: "https://⟦i|153.126.204.71⟧:8443/api")!
    static let minimumOS = "15.0.1"
    static let proxyCredential = URLCredential(user: "svc-ios", password: "⟦p|«pw»⟧", persistence: .forSession)

    static func storePassword(_ password: String, account: String) {
        let query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrAccount as String: account,
            kSecValueData as String: password.data(using: .utf8)!,
        ]
        SecItemAdd(query as CFDictionary, nil)
    }
}
''')

_t("conf/application.conf + build.sbt", r'''# HOCON - Play application config
play.http.secret.key = "⟦k|«gen64»⟧"
play.http.secret.key = ${?APPLICATION_SECRET}

slick.dbs.default {
  profile = "slick.jdbc.PostgresProfile$"
  db.url = "jdbc:postgresql://pg-primary.internal:5432/ledger"
  db.user = "ledger"
  db.password = "⟦p|«pw»⟧"
}
slick.dbs.replica.db.password = ${?REPLICA_DB_PASSWORD}

akka.remote.artery.canonical.hostname = "⟦i|104.248.35.190⟧"
akka.remote.artery.canonical.port = 25520
akka.cluster.seed-nodes = ["akka://ledger@10.1.0.11:25520"]
-- build.sbt --
ThisBuild / organization := "io.tessellate"
ThisBuild / scalaVersion := "2.13.12"
ThisBuild / developers := List(
  Developer("nreddy", "Nikhil Reddy", "⟦e|nikhil.reddy@tessellate.io⟧", url("https://tessellate.io"))
)
libraryDependencies += "com.typesafe.akka" %% "akka-actor-typed" % "2.6.20"
libraryDependencies += "org.postgresql" % "postgresql" % "42.6.0"
''')

_t("config/runtime.exs + mix.exs", r'''import Config

if config_env() == :prod do
  config :beacon, Beacon.Repo,
    username: "beacon",
    password: "⟦p|«pws»⟧",
    hostname: "⟦i|142.93.101.56⟧",
    pool_size: 10

  config :beacon, Beacon.Repo.Replica,
    password: System.get_env("REPLICA_PASSWORD"),
    hostname: "10.114.0.3"

  config :beacon, BeaconWeb.Endpoint,
    secret_key_base: "⟦k|«gen64»⟧",
    http: [ip: {0, 0, 0, 0, 0, 0, 0, 0}, port: 4000]

  config :beacon, Beacon.Mailer,
    adapter: Swoosh.Adapters.Mailgun,
    api_key: "⟦k|«mailgun»⟧",
    domain: "mg.beacon.health"
end
# ---- mix.exs
defmodule Beacon.MixProject do
  use Mix.Project
  @version "1.15.7"
  def project do
    [app: :beacon, version: @version, elixir: "~> 1.15",
     package: [maintainers: ["Zanele Dlamini"], links: %{"Email" => "mailto:⟦e|zanele@beacon.health⟧"}]]
  end
end
''')

_t("bin/nightly_export.pl", r'''#!/usr/bin/perl
# nightly_export.pl -- dump yesterday's orders to the finance SFTP drop
# Author: Bjørn Haugen <⟦e|bjorn.haugen@nordfrakt.no⟧>
use strict;
use warnings;
use 5.010;
use DBI;

our $VERSION = '2.07';

my %cfg = (
    db_host     => '⟦i|185.125.188.54⟧',
    db_user     => 'export',
    db_password => '⟦p|«pw»⟧',
    sftp_host   => 'sftp.finance.nordfrakt.no',
    notify      => '⟦e|okonomi@nordfrakt.no⟧',
);

die "usage: $0 DATE\n" unless @ARGV;
my $dsn = "dbi:Pg:dbname=orders;host=$cfg{db_host};port=5432";
my $dbh = DBI->connect($dsn, $cfg{db_user}, $cfg{db_password}, { RaiseError => 1 });
my @rows = @{ $dbh->selectall_arrayref('SELECT * FROM orders WHERE day = ?', undef, $ARGV[0]) };
printf "%d rows\n", scalar @rows;
''')

_t("DESCRIPTION + R/connect.R", r'''Package: tidyharvest
Type: Package
Title: Tidy Access to the Harvest Survey Warehouse
Version: 0.3.1.9000
Authors@R: c(
    person("Ana", "Silva", email = "⟦e|ana.silva@agro.ufv.br⟧", role = c("aut", "cre")),
    person("Mateus", "Lima", email = "⟦e|mateus.lima@agro.ufv.br⟧", role = "ctb"))
Depends: R (>= 3.5.0)
Imports: DBI (>= 1.1.3), RPostgres
License: MIT + file LICENSE
## ---- R/connect.R
Sys.setenv(GITHUB_PAT = "⟦k|«ghp»⟧")

harvest_connect <- function(interactive = TRUE) {
  pw <- if (interactive) rstudioapi::askForPassword("Warehouse password") else Sys.getenv("HARVEST_PW")
  DBI::dbConnect(RPostgres::Postgres(), host = "⟦i|200.235.139.18⟧", dbname = "harvest",
                 user = "analyst", password = pw)
}

# legacy connection used by the 2019 scripts
legacy <- DBI::dbConnect(RPostgres::Postgres(), host = "10.8.0.21", user = "analyst",
                         password = "⟦p|«pw»⟧")
''')

_t("scripts/deploy.sh", r'''#!/usr/bin/env bash
# deploy.sh -- push a release to the edge boxes
# usage: ./deploy.sh 1.8.0.2
set -euo pipefail

VERSION="${1:-1.8.0.2}"
export AWS_ACCESS_KEY_ID=⟦k|«akia»⟧
export AWS_SECRET_ACCESS_KEY=⟦k|«awssec»⟧
export AWS_DEFAULT_REGION=eu-north-1

EDGE_HOSTS=("⟦i|13.53.118.204⟧" "⟦i|16.171.60.9⟧" "10.30.1.15")

for h in "${EDGE_HOSTS[@]}"; do
  scp "build/edge-${VERSION}.tar.gz" "deploy@${h}:/opt/edge/"
  ssh "deploy@${h}" "sudo systemctl restart edge"
done

ssh deploy@⟦i|13.53.118.204⟧ 'df -h /'
sudo mount -t cifs //fs01.norrsken.local/releases /mnt/releases -o username=svc-release,password=⟦p|«pwa»⟧,vers=3.0

curl -fsS -u jenkins:⟦p|«pwa»⟧ "https://ci.norrsken.se/job/edge/buildWithParameters?VERSION=${VERSION}"
mysql -h 10.30.1.40 -u root --password=⟦p|«pw»⟧ -e "UPDATE releases SET live=1 WHERE version='${VERSION}'"

read -rsp "Registry password: " REGISTRY_PASSWORD
echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.norrsken.se
# deploy@edge-01:~$ systemctl status edge
''')

_t("scripts/Provision-Lab.ps1", r'''<#
.SYNOPSIS
  Provisions the training lab VMs.
.NOTES
  Author: Grzegorz Nowak <⟦e|grzegorz.nowak@szkolenia-it.pl⟧>
  Version: 1.3.0.12
#>
param([string]$LabName = "lab01")

$AdminPassword = '⟦p|«pw»⟧'
$secure = ConvertTo-SecureString $AdminPassword -AsPlainText -Force
$cred = Get-Credential -UserName "LAB\Administrator" -Message "Domain admin"

if ($PSVersionTable.PSVersion -lt [version]"5.1.0.0") { throw "PowerShell 5.1+ required" }

Test-Connection -ComputerName ⟦i|89.64.52.117⟧ -Count 2
New-NetFirewallRule -DisplayName "Trainer" -Direction Inbound -RemoteAddress ⟦i|89.64.52.117⟧,10.0.0.0/8 -Action Allow

$headers = @{ Authorization = "Bearer ⟦k|«gen40»⟧" }
Invoke-RestMethod -Uri "https://api.szkolenia-it.pl/labs/$LabName" -Headers $headers -Method Post
''')

_t("nginx/sites-enabled/api.conf", r'''upstream api_backend {
    least_conn;
    server ⟦i|5.9.87.140⟧:8080 weight=3;
    server ⟦i|5.9.87.141⟧:8080;
    server [⟦i|2a01:4f8:162:3ba1::2⟧]:8080 backup;
    server 127.0.0.1:9000 down;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    server_name api.kettlebell.dev;
    server_tokens off;

    ssl_protocols TLSv1.2 TLSv1.3;
    resolver 1.1.1.1 8.8.8.8 valid=300s;

    set_real_ip_from ⟦i|173.245.48.0⟧/20;
    set_real_ip_from 10.0.0.0/8;
    real_ip_header CF-Connecting-IP;

    location /admin/ {
        allow ⟦i|94.130.24.77⟧;
        allow 192.168.10.0/24;
        deny all;
        proxy_pass http://api_backend;
    }

    add_header Content-Security-Policy "script-src 'self' 'sha256-«sha256b»'";
}
''')

_t("logs/access.log", r'''⟦i|«ip.a»⟧ - - [12/Mar/2024:06:25:11 +0000] "GET /api/v2/items?page=2 HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.112 Safari/537.36"
10.0.3.17 - - [12/Mar/2024:06:25:12 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.28"
⟦i|«ip.b»⟧ - - [12/Mar/2024:06:25:13 +0000] "POST /api/v2/login HTTP/1.1" 401 87 "https://app.kettlebell.dev/" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1"
⟦i|«ip6»⟧ - - [12/Mar/2024:06:25:15 +0000] "GET /static/app.3f9a2c1b.js HTTP/2.0" 200 88421 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"
⟦i|«ip.a»⟧ - - [12/Mar/2024:06:25:19 +0000] "GET /api/v2/items/4.2.1.9 HTTP/1.1" 404 0 "-" "python-requests/2.31.0"
127.0.0.1 - - [12/Mar/2024:06:25:20 +0000] "GET /nginx_status HTTP/1.1" 200 97 "-" "curl/8.5.0"
⟦i|«ip»⟧ - - [12/Mar/2024:06:25:21 +0000] "GET /wp-login.php HTTP/1.1" 404 0 "-" "Mozilla/5.0 zgrab/0.x"
⟦i|«ip»⟧ - - [12/Mar/2024:06:25:24 +0000] "GET /.env HTTP/1.1" 404 0 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
''')

_t("logs/auth.log + mail.log", r'''Mar 12 06:31:02 bastion sshd[21877]: Failed password for invalid user admin from ⟦i|«ip.x»⟧ port 52144 ssh2
Mar 12 06:31:04 bastion sshd[21877]: Failed password for invalid user admin from ⟦i|«ip.x»⟧ port 52144 ssh2
Mar 12 06:31:09 bastion sshd[21880]: Accepted publickey for deploy from ⟦i|«ip»⟧ port 50122 ssh2: ED25519 SHA256:«sha256b»
Mar 12 06:31:09 bastion sshd[21880]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)
Mar 12 06:32:40 bastion sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/apt-get install -y openssl=3.0.2-0ubuntu1.14
Mar 12 06:33:00 bastion kernel: [UFW BLOCK] IN=eth0 OUT= MAC=02:42:ac:11:00:02:02:42:ac:11:00:01:08:00 SRC=⟦i|«ip»⟧ DST=10.0.0.4 LEN=44 TTL=243 PROTO=TCP SPT=48211 DPT=3389
Mar 12 06:35:17 mx1 postfix/smtpd[3011]: connect from mail-ed1-f54.google.com[⟦i|«ip»⟧]
Mar 12 06:35:18 mx1 postfix/qmgr[988]: 4Tv1Xk2Hq9z: from=<⟦e|yamamoto.kenji@gmail.com⟧>, size=4812, nrcpt=1 (queue active)
Mar 12 06:35:18 mx1 postfix/lmtp[3013]: 4Tv1Xk2Hq9z: to=<⟦e|kenji.y@mail.ops.kettlebell.dev⟧>, relay=127.0.0.1[127.0.0.1]:24, status=sent (250 2.0.0 OK)
Mar 12 06:35:20 mx1 postfix/smtpd[3011]: NOQUEUE: reject: RCPT from unknown[⟦i|«ip6»⟧]: 554 5.7.1 Service unavailable
''')

_t("logs/app.jsonl", r'''{"ts":"2024-03-05T10:12:33.412Z","level":"info","msg":"login ok","user":"⟦e|m.osei@kettlebell.dev⟧","ip":"⟦i|«ip»⟧","request_id":"«uuid»","trace_id":"«hex32»","client_version":"5.4.0.12"}
{"ts":"2024-03-05T10:12:35.077Z","level":"warn","msg":"password reset requested","user":"⟦e|lucia.ferrari@libero.it⟧","ip":"⟦i|«ip»⟧","request_id":"«uuid»"}
{"ts":"2024-03-05T10:12:36.901Z","level":"info","msg":"health","ip":"10.0.3.17","request_id":"«uuid»"}
{"ts":"2024-03-05T10:12:40.210Z","level":"error","msg":"upstream timeout","upstream":"⟦i|«ip»⟧:443","attempt":3,"elapsed_ms":30001}
{"ts":"2024-03-05T10:12:41.556Z","level":"info","msg":"config loaded","password_policy":"min12-upper-digit","password_hash_alg":"argon2id","token_ttl":3600}
''')

_t("notebooks/eval_summarisation.ipynb", r'''{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "!pip install -q transformers==4.35.2 datasets==2.15.0 openai==1.3.7\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [],
   "source": [
    "import openai\n",
    "from huggingface_hub import login\n",
    "openai.api_key = \"⟦k|«openaiproj»⟧\"\n",
    "hf_token = \"⟦k|«hf»⟧\"\n",
    "login(token=hf_token)\n"
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
     "text": ["Connected to inference node ⟦i|«ip»⟧ (driver 535.129.03)\n"]
    },
    {
     "data": {"image/png": "«blob»", "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
     "metadata": {},
     "output_type": "display_data"
    }
   ],
   "source": ["plot_rouge(results)  # contact ⟦e|nlp-eval@uni-tuebingen.de⟧ for the data\n"]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.10.12"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
''')

_t("README.md", r'''# pgvector-bench

[![CI](https://github.com/vectorloom/pgvector-bench/actions/workflows/ci.yml/badge.svg)](https://github.com/vectorloom/pgvector-bench/actions)

![logo](docs/img/logo@2x.png)

Tested with PostgreSQL 16.1, pgvector 0.5.1, Node 18.17.1 and Python 3.11.4.

## Quick start

```bash
docker run -d --name pg -e POSTGRES_PASSWORD=⟦p|«pwa»⟧ -p 5432:5432 pgvector/pgvector:pg16
psql postgresql://postgres:⟦p|«pwu»⟧@localhost:5432/postgres -c 'CREATE EXTENSION vector;'
export OPENAI_API_KEY="sk-..."   # your key
export PGPASSWORD="<your-password>"
```

To pull the private fixtures (maintainers only):

```bash
curl -H "Authorization: token ⟦k|«ghpat»⟧" -L https://api.github.com/repos/vectorloom/fixtures/tarball/v2.1.0.3 | tar xz
```

The benchmark host (`⟦i|65.108.74.10⟧`) is reachable from the office VPN only. Examples below use
addresses from RFC 5737 (192.0.2.0/24, 198.51.100.0/24) and RFC 3849 (2001:db8::/32); see
section 4.2.1.3 of the runbook.

## Contact

Questions: ⟦e|maintainers@vectorloom.ai⟧, or ping @octocat-vl on GitHub. Security issues:
<⟦e|security@vectorloom.ai⟧>.
''')

_t("CHANGELOG.md", r'''# Changelog

## [2.10.0.1] - 2024-01-04
### Fixed
- Handle IPv6 zone ids like `fe80::1%eth0` and mapped addresses `::ffff:0:0/96` (#412, «sha7»)
- Bumped lodash from 4.17.20 to 4.17.21 and `@babel/traverse@7.23.2` (CVE-2023-45133)
- Reported by ⟦e|r.okonkwo@protonmail.com⟧ -- thanks!

## [2.10.0] - 2023-12-11
### Changed
- Default bind address is now `127.0.0.1` instead of `0.0.0.0`
- Upgraded to OpenSSL 3.0.12; minimum supported Chrome is 109.0.5414.120
- Merged «hex40» (thanks @mhernandez)
- See RFC 8446 section 4.1.2 and OID 1.2.840.113549.1.1.11 handling notes
''')

_t(".mailmap + AUTHORS + .github/CODEOWNERS", r'''# Canonical author identities
Jane Doe <⟦e|jane.doe@perennial.dev⟧> <⟦e|jdoe@old-laptop.perennial.dev⟧>
Jane Doe <⟦e|jane.doe@perennial.dev⟧> <⟦e|48213+janedoe@users.noreply.github.com⟧>
Rafael Gómez <⟦e|rafael.gomez@perennial.dev⟧> Rafa <⟦e|rafa.g@hotmail.es⟧>
Nguyễn Văn An <⟦e|an.nguyen@perennial.dev⟧> <⟦e|an@perennial.dev⟧>
Perennial Bot <⟦e|bot@ci.perennial.dev⟧> <⟦e|jenkins@build-07.ci.perennial.dev⟧>
# ---- AUTHORS
# This is the list of Perennial's significant contributors.
# Names should be added to this file as: Name <email address>
Jane Doe <⟦e|jane.doe@perennial.dev⟧>
Rafael Gómez <⟦e|rafael.gomez@perennial.dev⟧>
Oksana Shevchenko <⟦e|oksana.shevchenko@ukr.net⟧>
Søren Kierkegaard-Hansen <⟦e|skh@kierkegaard-hansen.dk⟧>
# ---- .github/CODEOWNERS
*                 @perennial/maintainers
/docs/            @perennial/docs ⟦e|docs-team@perennial.dev⟧
*.go              @rgomez @janedoe
/deploy/**/*.yaml ⟦e|sre@perennial.dev⟧
''')

_t("git-log.txt", r'''commit «hex40»
Merge: «sha7» «sha7»
Author: Oksana Shevchenko <⟦e|oksana.shevchenko@ukr.net⟧>
Date:   Tue Jan 9 14:02:51 2024 +0200

    storage: retry on 503 from the object store

    The 0.9.4.2 client did not back off, see issue #881.

    Change-Id: I«hex40»
    Reviewed-on: https://review.perennial.dev/c/perennial/+/23117
    Signed-off-by: Oksana Shevchenko <⟦e|oksana.shevchenko@ukr.net⟧>
    Co-authored-by: Ahmed Farouk <⟦e|ahmed.farouk@perennial.dev⟧>
    Acked-by: Jane Doe <⟦e|jane.doe@perennial.dev⟧>

commit «hex40»
Author: dependabot <⟦e|49699333+dependabot@users.noreply.github.com⟧>
Date:   Mon Jan 8 09:11:02 2024 +0000

    build(deps): bump golang.org/x/crypto@v0.17.0 from 0.14.0 to 0.17.0
''')

_t(".github/workflows/release.yml", r'''name: release
on:
  push:
    tags: ["v*.*.*"]

jobs:
  publish:
    runs-on: ubuntu-22.04
    env:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
      SLACK_WEBHOOK_URL: ⟦k|«slackhook»⟧
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@8f152de45cc393bb48ce5d89d36b731f54556e65 # v4.0.0
        with:
          node-version: 20.9.0
      - uses: docker/login-action@v3
        with:
          username: perennialci
          password: ${{ secrets.DOCKERHUB_TOKEN }}
      - run: |
          git config user.name "Perennial Release Bot"
          git config user.email "⟦e|release-bot@perennial.dev⟧"
          npm ci && npm publish
      - name: notify
        run: |
          curl -X POST -H 'Content-type: application/json' --data '{"text":"released ${{ github.ref_name }}"}' "$SLACK_WEBHOOK_URL"
''')

_t(".gitlab-ci.yml", r'''image: node:20.9.0-bullseye

variables:
  POSTGRES_DB: ci
  POSTGRES_USER: ci
  POSTGRES_PASSWORD: ⟦p|«pwa»⟧
  DOCKER_TLS_CERTDIR: "/certs"

services:
  - postgres:15.4

stages: [test, release]

test:
  stage: test
  script:
    - npm ci
    - npm test -- --coverage

release:
  stage: release
  only: [tags]
  script:
    - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY
    - 'curl --header "PRIVATE-TOKEN: ⟦k|«glpat»⟧" --upload-file dist/app.tgz "https://gitlab.sjoberg.se/api/v4/projects/42/packages/generic/app/${CI_COMMIT_TAG}/app.tgz"'
    - echo "deploying to ⟦i|193.10.5.88⟧"
''')

_t("Makefile", r'''# Makefile for lumen-ingest
VERSION ?= 1.8.0.2
REGISTRY ?= registry.lumen-data.io
DB_PASSWORD ?= ⟦p|«pwa»⟧
REGISTRY_PASSWORD ?= $(shell cat .registry-pass)
STAGING_HOST := ⟦i|51.91.143.206⟧

.PHONY: build migrate deploy

build:
	docker build -t $(REGISTRY)/lumen-ingest:$(VERSION) .

migrate:
	psql "postgresql://lumen:$(DB_PASSWORD)@localhost:5432/lumen" -f migrations/latest.sql

deploy:
	echo "$(REGISTRY_PASSWORD)" | docker login -u ci --password-stdin $(REGISTRY)
	scp build/lumen-$(VERSION).tar.gz deploy@$(STAGING_HOST):/srv/lumen/
''')

_t("db/migrations/0007_users.sql", r'''-- 0007: users and API allow-list (schema v3.2.0.1)
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    email         citext UNIQUE NOT NULL,
    password_hash varchar(255) NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users (id, email, password_hash) VALUES
    ('«uuid»', '⟦e|admin@lumen-data.io⟧', '«bcrypt»'),
    ('«uuid»', '⟦e|t.haddad@lumen-data.io⟧', '«argon2»');

CREATE TABLE api_allow_list (cidr inet NOT NULL, note text);
INSERT INTO api_allow_list VALUES
    ('⟦i|144.76.22.190⟧', 'partner: Ostwind GmbH'),
    ('⟦i|2a02:c207:2044:9182::1⟧', 'partner: Ostwind GmbH (v6)'),
    ('10.0.0.0/8', 'internal'),
    ('203.0.113.0/24', 'docs example');

CREATE ROLE reporting LOGIN;
ALTER ROLE reporting WITH PASSWORD '⟦p|«pw»⟧';
ALTER ROLE legacy_etl PASSWORD NULL;
''')

_t("my.cnf + alembic.ini", r'''[client]
user=root
password=⟦p|«pws»⟧
host=⟦i|37.120.161.92⟧
port=3306

[mysqld]
bind-address = 0.0.0.0
validate_password.length = 12
validate_password.policy = MEDIUM
; ---- alembic.ini
[alembic]
script_location = migrations
sqlalchemy.url = postgresql+psycopg2://alembic:⟦p|«pwu»⟧@⟦i|37.120.161.93⟧/warehouse

[logger_sqlalchemy]
level = WARN
''')

_t("config/kafka-client.properties", r'''# Kafka client config for the clickstream consumer
bootstrap.servers=⟦i|3.72.41.166⟧:9093,⟦i|3.72.41.167⟧:9093,10.2.0.9:9093
security.protocol=SSL
ssl.truststore.location=/etc/kafka/truststore.jks
ssl.truststore.password=⟦p|«pwa»⟧
ssl.keystore.location=/etc/kafka/keystore.jks
ssl.keystore.password=⟦p|«pwa»⟧
ssl.key.password=⟦p|«pw»⟧
ssl.endpoint.identification.algorithm=https
client.id=clickstream-consumer-1.4.0.2
''')

_t("tests/conftest.py", r'''"""Shared fixtures. Owner: ⟦e|qa-platform@meridian-health.org⟧"""
import uuid

import pytest

FAKE_ADMIN_JWT = "⟦k|«jwt»⟧"

TEST_SIGNING_KEY = """⟦k|«rsa»⟧
"""

TEST_VERIFY_KEY = """«pubpem»
"""

EXPECTED_SHA256 = "«hex64»"
REQUEST_ID = uuid.UUID("«uuid»")


@pytest.fixture
def admin(db):
    return User.objects.create(email="⟦e|qa.admin@meridian-health.org⟧", password="⟦p|«pw»⟧", is_staff=True)


@pytest.fixture
def logged_in_client(client, admin):
    client.login(username="qa.admin", password="⟦p|«pw»⟧")
    return client


def test_anonymous_user_has_no_password(db):
    u = User(email="⟦e|anon.patient@meridian-health.org⟧", password=None)
    assert u.get_password_hash() is None
    assert make_user(password="").has_usable_password() is False
''')

_t("scripts/backup_to_s3.py", r'''#!/usr/bin/env python3
"""Nightly backup of the media bucket. Author: Farah Haddad <⟦e|farah.haddad@cedarworks.lb⟧>"""
import getpass
import hashlib
import os

import boto3
import psycopg2
import requests

s3 = boto3.client(
    "s3",
    aws_access_key_id="⟦k|«akia»⟧",
    aws_secret_access_key="⟦k|«awssec»⟧",
    region_name="eu-south-1",
)
sts = boto3.client("sts", aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))
conn = psycopg2.connect(dbname="media", user="backup", password="⟦p|«pw»⟧", host="10.0.0.8")

MONITOR_URL = "https://⟦i|15.161.40.204⟧/push"
md5 = "«hex32»"
token = os.getenv("MONITOR_TOKEN")


def main():
    password = getpass.getpass("Archive password: ")
    digest = hashlib.sha256(password.encode()).hexdigest()
    requests.post(MONITOR_URL, headers={"X-Api-Key": "⟦k|«gen32»⟧"}, json={"ok": True, "digest": digest})
    requests.post(MONITOR_URL, headers={"Authorization": f"Bearer {token}"}, json={"ok": True})


if __name__ == "__main__":
    main()
''')

_t("src/lib/firebase.ts", r'''// Firebase + Mongo bootstrap. Maintainer: Camille Laurent <⟦e|camille.laurent@vitrine.fr⟧>
import { initializeApp } from "firebase/app";
import mongoose from "mongoose";
import type { Config } from "@vitrine/types";

const firebaseConfig = {
  apiKey: "⟦k|«gapi»⟧",
  authDomain: "vitrine-prod.firebaseapp.com",
  projectId: "vitrine-prod",
  storageBucket: "vitrine-prod.appspot.com",
  messagingSenderId: "804215937766",
  appId: "1:804215937766:web:«hex20»",
};

export const app = initializeApp(firebaseConfig);

const OPENAI_KEY = "⟦k|«openai»⟧";
const dbPassword = process.env.DB_PASSWORD ?? "";
export const pool = new Pool({ host: "⟦i|51.15.212.144⟧", user: "vitrine", password: "⟦p|«pw»⟧", max: 10 });

export async function connectMongo(cfg: Config) {
  // @ts-ignore legacy typing
  await mongoose.connect("mongodb+srv://vitrineApp:⟦p|«pwu»⟧@cluster0.x1y2z.mongodb.net/prod?retryWrites=true&w=majority");
  console.log(`Listening on ${cfg.host}:${cfg.port}`);
}
''')

_t("src/validators.test.ts", r'''import { describe, expect, it } from "vitest";
import { isEmail, isIP } from "./validators";

describe("isEmail", () => {
  it("accepts real addresses", () => {
    expect(isEmail("⟦e|hello@vitrine.fr⟧")).toBe(true);
    expect(isEmail("⟦e|first_last-99@sub.mail.vitrine.co.uk⟧")).toBe(true);
    expect(isEmail("⟦e|kontakt@bücherstube-köln.de⟧")).toBe(true);
    expect(isEmail("⟦e|info@магазин-книг.рф⟧")).toBe(true);
  });
  it("rejects non-addresses", () => {
    expect(isEmail("foo@bar")).toBe(false);
    expect(isEmail("@vitrine/types")).toBe(false);
    expect(isEmail("react@18.2.0")).toBe(false);
  });
});

describe("isIP", () => {
  it("accepts", () => {
    expect(isIP("⟦i|151.101.1.69⟧")).toBe(4);
    expect(isIP("⟦i|2a04:4e42:200::645⟧")).toBe(6);
    expect(isIP("10.0.0.1")).toBe(4);
  });
  it("rejects", () => {
    expect(isIP("999.1.1.1")).toBe(0);
    expect(isIP("1.2.3")).toBe(0);
    expect(isIP("12:30:45")).toBe(0);
  });
});
''')

_t("site/index.html", r'''<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="generator" content="Hugo 0.120.4">
  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/css/bootstrap.min.css"
        integrity="«sha384i»" crossorigin="anonymous">
  <style>
    @font-face { font-family: "Inter"; src: url(data:font/woff2;base64,«blob») format("woff2"); }
    @media (min-width: 768px) { .hero { background-image: url("img/hero@2x.jpg"); } }
  </style>
</head>
<body>
  <form method="post" action="/login">
    <input type="email" name="email" placeholder="you@yourcompany" autocomplete="username">
    <input type="password" name="password" placeholder="Password" autocomplete="current-password" minlength="12">
  </form>
  <img alt="logo" src="data:image/png;base64,«blob»">
  <p>Questions? <a href="mailto:⟦e|hola@estudio-nube.es⟧">⟦e|hola@estudio-nube.es⟧</a> or <a href="mailto:{{ .Site.Params.email }}">write us</a>.</p>
  <p>Press: ⟦e|prensa@estudio-nube.es⟧</p>
  <script>window.__CONFIG__ = {"mapsKey": "⟦k|«gapi»⟧", "build": "«sha7»", "version": "1.0.0.5"};</script>
</body>
</html>
''')

_t("dist/vendor.min.js (negatives only)", r'''/*! vendor bundle v2.4.1.0 | (c) 2023 | MIT */
!function(e,t){"object"==typeof exports?module.exports=t():e.Vendor=t()}(this,function(){"use strict";var n="«ident»",r={passwordMinLength:12,passwordField:"password",tokenType:"Bearer",secretName:"vendor-session"};function o(e){return e.replace(/[a-z]+@[a-z]+\.[a-z]{2,}/gi,"[redacted]")}var i="0.0.0.0",a="255.255.255.255",s=[1,2,3,4].join(".");return{n:n,r:r,o:o,i:i,a:a,s:s,sri:"«sha384i»",build:"«hex40»"}});
//# sourceMappingURL=data:application/json;charset=utf-8;base64,«blob»
''')

_t("ssh/ (authorized_keys, known_hosts, config)", r'''# ~/.ssh/authorized_keys
ssh-ed25519 «ssh25519» ⟦e|alice.bergstrom@kolmard.se⟧
ssh-rsa «sshrsa» deploy@ci-runner-03
# ~/.ssh/known_hosts
github.com,⟦i|140.82.121.4⟧ ssh-ed25519 «ssh25519»
|1|«sha256b»|«sha256b» ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB«ident»=
# ~/.ssh/config
Host bastion
    HostName ⟦i|46.101.208.13⟧
    User ec2-user
    IdentityFile ~/.ssh/id_ed25519
Host internal-*
    ProxyJump bastion
    HostName 172.20.1.5
# remote: git@github.com:kolmard/infra.git
''')

_t("deploy/keys (server.key, chain.pem, id_ed25519)", r'''# ---- deploy/tls/server.key
⟦k|«ec»⟧
# ---- deploy/tls/chain.pem
«cert»
«cert»
# ---- deploy/ssh/id_ed25519
⟦k|«openssh»⟧
# ---- deploy/ssh/id_ed25519.pub
ssh-ed25519 «ssh25519» ⟦e|deploy@kolmard.se⟧
# ---- deploy/tls/server.pub
«pubpem»
''')

_t("kubeconfig", r'''apiVersion: v1
kind: Config
current-context: prod
clusters:
  - name: prod
    cluster:
      server: https://⟦i|49.12.105.77⟧:6443
      certificate-authority-data: «kubecert»
  - name: local
    cluster:
      server: https://127.0.0.1:6443
contexts:
  - name: prod
    context: { cluster: prod, user: admin, namespace: default }
users:
  - name: admin
    user:
      client-certificate-data: «kubecert»
      client-key-data: ⟦k|«kubekey»⟧
  - name: ci
    user:
      token: ⟦k|«jwt»⟧
  - name: oidc
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: kubectl
        args: ["oidc-login", "get-token", "--oidc-client-secret=$(OIDC_SECRET)"]
''')

_t("network/edge-rtr01.cfg", r'''! Cisco IOS running-config, edge-rtr01
version 15.2
hostname edge-rtr01
!
enable secret 9 $9$«ident»
username admin privilege 15 password 0 ⟦p|«pwa»⟧
username netops privilege 15 secret 5 «md5crypt»
!
interface GigabitEthernet0/0
 description uplink to transit (noc: ⟦e|noc@transitnet.cz⟧)
 ip address ⟦i|185.8.165.2⟧ 255.255.255.252
 ipv6 address ⟦i|2a01:430:17:1::2⟧/64
!
interface GigabitEthernet0/1
 ip address 10.255.0.1 255.255.255.0
!
ip route 0.0.0.0 0.0.0.0 ⟦i|185.8.165.1⟧
ip name-server 8.8.8.8 8.8.4.4
ntp server ⟦i|195.113.144.201⟧
snmp-server location DC1 row 4.2.1.3
! monitor OID 1.3.6.1.4.1.9.9.13.1.3 (ciscoEnvMonTemperature)
!
line vty 0 4
 login local
''')

_t("monitoring/prometheus.yml + alertmanager.yml", r'''global:
  scrape_interval: 30s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['⟦i|116.203.77.21⟧:9100', '10.1.0.4:9100', '[⟦i|2a01:4f8:1c1c:7b2a::1⟧]:9100']
  - job_name: snmp
    params: { module: [if_mib] }
    metrics_path: /snmp
    # ifInOctets = 1.3.6.1.2.1.2.2.1.10
  - job_name: federate
    scheme: https
    basic_auth:
      username: prom
      password: ⟦p|«pw»⟧
  - job_name: partner
    bearer_token: ⟦k|«gen40»⟧
    bearer_token_file: /etc/prometheus/partner.token
---
route: { receiver: oncall }
receivers:
  - name: oncall
    email_configs:
      - to: ⟦e|oncall@grafit.cz⟧
        from: ⟦e|alertmanager@grafit.cz⟧
        smarthost: smtp.sendgrid.net:587
        auth_username: apikey
        auth_password: ⟦k|«sendgrid»⟧
    slack_configs:
      - api_url: ⟦k|«slackhook»⟧
        channel: "#alerts"
''')

_t("secrets/gcp-sa.json", r'''{
  "type": "service_account",
  "project_id": "lumen-prod-318207",
  "private_key_id": "⟦k|«hex40»⟧",
  "private_key": "⟦k|«pkcs8json»⟧\n",
  "client_email": "⟦e|bq-loader@lumen-prod-318207.iam.gserviceaccount.com⟧",
  "client_id": "104729381625547180342",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}
''')

_t("pip.conf + requirements/prod.txt", r'''# /etc/pip.conf
[global]
index-url = https://deploy:⟦p|«pwu»⟧@nexus.olivine.co.za/repository/pypi/simple
trusted-host = nexus.olivine.co.za
timeout = 60
# requirements/prod.txt
Django==4.2.7
psycopg[binary]==3.1.13
pyasn1-modules==0.3.0
pywin32==306.0.0.1 ; sys_platform == "win32"
git+https://github.com/olivine/olivine-common.git@«hex40»#egg=olivine-common
''')

_t("config/integrations.yaml", r'''# Third-party integrations for the merch storefront
mailchimp:
  api_key: ⟦k|«mailchimp»⟧
  list_id: «hex20»
  reply_to: ⟦e|newsletter@kiwi-merch.co.nz⟧
shopify:
  shop: kiwi-merch.myshopify.com
  access_token: ⟦k|«shpat»⟧
  api_secret: ⟦k|«shpss»⟧
  api_version: "2023-10"
square:
  environment: production
  access_token: ⟦k|«square»⟧
telegram:
  bot_token: ⟦k|«telegram»⟧
  chat_id: -1001876543210
discord:
  bot_token: ⟦k|«discord»⟧
github:
  app_installation_token: ⟦k|«ghs»⟧
  oauth_token: ⟦k|«gho»⟧
openai:
  api_key: "{{ openai_api_key }}"
stripe:
  secret_key: ⟦k|«sklive24»⟧
  restricted_key: ⟦k|«rklive»⟧
  test_secret_key: ⟦k|«sktest»⟧
''')

_t("bots/slack_app.py", r'''"""Standup bot. Owner: Tariq Aziz <⟦e|tariq.aziz@dunecloud.ae⟧>"""
import os

from slack_bolt import App

SLACK_BOT_TOKEN = "⟦k|«xoxb»⟧"
SLACK_USER_TOKEN = "⟦k|«xoxp»⟧"
SLACK_SIGNING_SECRET = "⟦k|«hex32»⟧"
SLACK_APP_TOKEN = os.environ["SLACK_APP_TOKEN"]

app = App(token=SLACK_BOT_TOKEN, signing_secret=SLACK_SIGNING_SECRET)


@app.command("/standup")
def standup(ack, respond, command):
    ack()
    respond(f"Thanks <@{command['user_id']}>, noted.")


def get_password_hash(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(plain_password: str, hashed_password: str) -> bool:
    return pwd_context.verify(plain_password, hashed_password)
''')

_t("docs/configuration.md (negatives only)", r'''# Configuration reference

| Setting            | Example                      | Notes                                   |
|--------------------|------------------------------|-----------------------------------------|
| `api_key`          | `<your-api-key>`             | from the dashboard                      |
| `API_TOKEN`        | `YOUR_API_KEY`               |                                         |
| `secret`           | `xxxxxxxxxxxxxxxxxxxxxxxx`   | 24 chars                                |
| `password`         | `changeme`                   | change on first login!                  |
| `token`            | `{{ token }}`                | Jinja-rendered                          |
| `db.password`      | `${DB_PASSWORD}`             | resolved from the environment           |
| `client_secret`    | `...`                        |                                         |

```ini
[database]
password = %(password)s
dsn = postgresql://%(user)s:%(password)s@%(host)s/app
```

```yaml
password: ${DB_PASSWORD}
aws_access_key_id: AKIAIOSFODNN7EXAMPLE
aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
htpasswd: admin:«apr1»
request_id: «uuid»
tenant_id: «UUID»
sha256: «hex64»
checksum: «hex64»
integrity: «sha512i»
```

The session cookie is signed with `SECRET_KEY`; rotate it with `openssl rand -hex 32`.
Running `python -m app --password-file /run/secrets/pw` is preferred over `--password`.
Servers: `192.0.2.10`, `198.51.100.7`, `203.0.113.254`, `2001:db8:85a3::8a2e:370:7334`,
resolvers `208.67.222.222`, `208.67.220.220`, `2001:4860:4860::8888`, `2001:4860:4860::8844`,
link-local `169.254.169.254` (instance metadata), `fe80::1`, unspecified `0.0.0.0` and `::`.
Supported SNMP OIDs start at `1.3.6.1.2.1`; `2.5.4.3` is the X.500 commonName OID.
''')


# ================================================================================= API

def testset_documents() -> list[LabelledDoc]:
    """The held-out documents, deterministic (seeded)."""
    r = random.Random(SEED)
    return [_parse(name, _fill(r, template)) for name, template in TEMPLATES]


def _planted() -> list[tuple[LabelledDoc, list[tuple[str, str]]]]:
    r = random.Random(SEED)
    out = []
    for name, template in TEMPLATES:
        marked = _fill(r, template)
        out.append((_parse(name, marked), [(m.group(1), m.group(2)) for m in _MARK.finditer(marked)]))
    return out


_NOT_PII_V4 = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
               "208.67.222.222", "208.67.220.220"}


def _check() -> dict[str, int]:
    counts = {"email": 0, "ip_address": 0, "key": 0, "password": 0}
    names = set()
    for doc, planted in _planted():
        assert doc.name not in names, doc.name
        names.add(doc.name)
        assert not re.search("[«»⟦⟧]", doc.text), doc.name
        assert len(doc.spans) == len(planted), doc.name
        for (kind, s, e), (pkind, value) in zip(doc.spans, planted):
            assert kind == pkind and doc.text[s:e] == value, (doc.name, kind, value)
            assert value and value == value.strip(), (doc.name, value)
            counts[kind] += 1
            if kind == "ip_address":
                a = ipaddress.ip_address(value)
                assert a.is_global and not a.is_multicast and value not in _NOT_PII_V4, value
            elif kind == "email":
                assert value.count("@") == 1 and "." in value.split("@")[1], value
            elif kind == "password":
                assert not re.search(r"[\s'\"]", value) and value.lower() not in {"changeme", "password"}, value
            elif kind == "key" and "PRIVATE KEY" not in value:
                assert not re.search(r"\s", value), value
    return counts


if __name__ == "__main__":
    docs = testset_documents()
    counts = _check()
    print(f"{len(docs)} documents, {sum(counts.values())} spans:", counts)
    print("documents without spans:", sum(1 for d in docs if not d.spans))
