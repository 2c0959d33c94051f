"""Blind labelled test set 7 for the PII/secret scrubber: variety of project types and of the
ways secrets are written in public repositories (mobile apps, data science notebooks, bots,
game servers, embedded firmware, CMS/e-commerce plugins, browser extensions, scrapers, DevOps
scripts, backend services in many languages, and docs/issue reports).

Every planted value is drawn from a seeded ``random.Random``; templates write planted spans as
``⟦kind|value⟧`` and ``_parse`` strips the markers.  Run
``python -m tests.pii_testset7`` to self-check and print the counts.

Labelling policy::

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
        written (with its backslashes). Not: reads (env, getpass, input, ``read -s``), None/empty,
        template refs, hashes (bcrypt/argon2/pbkdf2), masked ``****``, UI labels/translations,
        identifiers like ``reset_password_url``.
    Left out entirely (neither planted nor used as negatives): Twilio account SIDs (AC...), GCP
    ``private_key_id`` values, dictionary-word passwords (``password``, ``admin``, ``changeme``),
    old-style Sentry DSNs with a secret part.

Additional conventions: a span covers exactly the value (no quotes, no ``user:``, no port);
for ``Authorization: Basic <base64>`` the base64 is a ``key``; a Slack webhook's path after
``/services/`` and a Discord webhook's token are ``key``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import random
import re
import string
import textwrap
import uuid
from collections import Counter
from urllib.parse import quote

from tests.test_pii_labelled import LabelledDoc, _parse

SEED = 7707

KINDS = ("email", "ip_address", "key", "password")
_MARK = re.compile(r"⟦(email|ip_address|key|password)\|(.*?)⟧", re.S)
_SLOT = re.compile(r"«(\w+)»")


def _P(v: str) -> str:
    return f"⟦password|{v}⟧"


def _K(v: str) -> str:
    return f"⟦key|{v}⟧"


def _E(v: str) -> str:
    return f"⟦email|{v}⟧"


def _I(v: str) -> str:
    return f"⟦ip_address|{v}⟧"


def _fill(tpl: str, **vals: str) -> str:
    """Dedent a template, then replace every «slot» with its (already marked) value."""
    body = textwrap.dedent(tpl).lstrip("\n")
    used = set(_SLOT.findall(body))
    missing, unused = used - set(vals), set(vals) - used
    if missing or unused:
        raise KeyError(f"slots missing={sorted(missing)} unused={sorted(unused)}")
    return _SLOT.sub(lambda m: str(vals[m.group(1)]), body)


# ------------------------------------------------------------------------------ alphabets

UP = string.ascii_uppercase
LOW = string.ascii_lowercase
DIG = string.digits
ALNUM = UP + LOW + DIG
HEXL = "0123456789abcdef"
HEXU = "0123456789ABCDEF"
B64U = ALNUM + "-_"

SYM_CODE = "!#%&*?-_.+=@^~"   # fine inside a quoted literal in most languages (no $, quotes, \)
SYM_CONN = "!#%*?-_.+@^~"     # ADO/ODBC/JDBC/libpq strings (no ; = & quotes)
SYM_ENV = "!%*?-_.+@^"        # unquoted .env / properties values
SYM_SHELL = "_.-+@%^,"        # unquoted shell words
SYM_INI = "!*?-_.+@^~"        # configparser-style INI (no % # ;)
SYM_URL = "!@#$%&*:/?+="      # raw; percent-encoded before being written into a URL

_WORDS = (
    "amber anchor apricot aurora badger bamboo basil beacon birch biscuit blizzard blossom "
    "bonfire breeze bronze cactus canyon caramel cedar cherry cinder clover cobalt comet copper "
    "coral cricket crimson crystal cypress dahlia delta dolphin ember falcon fennel fjord "
    "flamingo fossil galaxy garnet ginger glacier granite harbor hazel hickory horizon indigo "
    "iris island jasmine juniper kestrel kiwi lagoon lantern lemon lilac lotus lynx magnet mango "
    "maple marble meadow meteor monsoon mosaic nebula nectar nutmeg oasis obsidian olive onyx "
    "orchid otter panda papaya pebble pepper phoenix plasma polar poppy quartz quill raven reef "
    "ripple rocket saffron salmon sapphire sequoia sierra sparrow spruce summit sunset tango "
    "thunder timber topaz tundra turtle velvet violet walnut willow zephyr"
).split()

_FIRST = (
    "liam olivia noah emma mateo sofia arjun priya wei mei kenji yuki lars ingrid tomasz zofia "
    "omar leila diego camila kwame amara ivan daria finn saoirse rafael beatriz hugo elodie jonas "
    "annika tariq nadia sven helga marco giulia pablo lucia"
).split()
_LAST = (
    "okafor nakamura schmidt kowalski fernandes haddad lindqvist obrien rossi garcia novak petrov "
    "chen patel mueller dubois jensen silva tanaka kim nguyen moreau ivanova johansson costa "
    "mendes kaur yilmaz demir berg"
).split()
_CORP = [
    "northwind-logistics.com", "kestrelbio.io", "brightlane.co.uk", "fjordsoft.no",
    "tidewater-analytics.com", "quillmetrics.dev", "orbitalpay.com.br", "halcyonhealth.org",
    "greenfieldfarms.ca", "redmapleapps.com", "luminary-labs.ai", "castellan.de",
    "saffronkitchen.in", "atlasfreight.com.au", "pinecrest-games.com", "zephyr-iot.eu",
    "mosaicmedia.fr", "bluecanary.app", "ironbark.systems", "veloxcommerce.shop",
]
_FREE = [
    "gmail.com", "outlook.com", "proton.me", "yahoo.co.jp", "web.de", "icloud.com",
    "hotmail.fr", "mail.ru", "gmx.net", "fastmail.com", "yandex.ru", "zoho.eu",
]
_IDN = ["bücherstube.de", "müller-bäckerei.at", "señales.es", "kraków-studio.pl", "ümit-yazılım.com.tr"]
_ROLES = ["ops", "billing", "devops", "security", "alerts", "support", "it-admin", "data-team",
          "release", "oncall"]
_SUB = ["eu", "mail", "corp", "us-east", "alerts", "eng", "hq"]
_TAGS = ["ci", "alerts", "github", "staging", "aws", "bots", "dev"]
_SVC = ["etl-runner", "airflow-worker", "ci-deployer", "bq-loader", "looker-sa", "dbt-runner",
        "gke-nodes", "backup-agent"]
_RESOLVERS = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
              "208.67.222.222", "208.67.220.220", "4.2.2.2", "64.6.64.6"}
_V6_PREFIX = ["2a01:4f8", "2a03:b0c0", "2604:a880", "2600:1f18", "2a05:d014", "2001:41d0",
              "2406:da18", "2a02:c207", "2620:1ec", "2a00:1450"]


class _G:
    """Seeded generator of planted values and of hard-negative look-alikes."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # -- basics
    def s(self, n: int, alphabet: str) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def c(self, seq):
        return self.r.choice(seq)

    def n(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def digits(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + self.s(n - 1, DIG)

    def word(self) -> str:
        return self.c(_WORDS)

    def b64(self, nbytes: int, url: bool = False, pad: bool = True) -> str:
        raw = bytes(self.r.getrandbits(8) for _ in range(nbytes))
        out = (base64.urlsafe_b64encode if url else base64.b64encode)(raw).decode()
        return out if pad else out.rstrip("=")

    # -- emails
    def email(self, style: str | None = None) -> str:
        f, last = self.c(_FIRST), self.c(_LAST)
        style = style or self.c(["dot", "dot", "flast", "role", "free", "tag", "sub", "digits",
                                 "idn", "svc"])
        if style == "dot":
            return f"{f}.{last}@{self.c(_CORP)}"
        if style == "flast":
            return f"{f[0]}{last}@{self.c(_CORP)}"
        if style == "role":
            return f"{self.c(_ROLES)}@{self.c(_CORP)}"
        if style == "free":
            return f"{f}.{last}{self.n(1, 99)}@{self.c(_FREE)}"
        if style == "tag":
            return f"{f}{last[0]}+{self.c(_TAGS)}@{self.c(_FREE)}"
        if style == "sub":
            return f"{f}.{last}@{self.c(_SUB)}.{self.c(_CORP)}"
        if style == "digits":
            return f"{f}{last}{self.n(70, 2005)}@{self.c(_FREE)}"
        if style == "idn":
            return f"{f}.{last}@{self.c(_IDN)}"
        if style == "svc":
            proj = f"{self.word()}-{self.word()}-{self.digits(6)}"
            return f"{self.c(_SVC)}@{proj}.iam.gserviceaccount.com"
        raise ValueError(style)

    # -- IPs
    def ip(self) -> str:
        while True:
            ip = f"{self.n(11, 223)}.{self.n(0, 255)}.{self.n(0, 255)}.{self.n(1, 254)}"
            if ipaddress.ip_address(ip).is_global and ip not in _RESOLVERS:
                return ip

    def ip6(self) -> str:
        while True:
            groups = self.c(_V6_PREFIX).split(":")
            while len(groups) < 7:
                groups.append(self.c(["0", "0", f"{self.n(1, 0xffff):x}", f"{self.n(1, 0xfff):x}"]))
            groups.append(f"{self.n(1, 0xffff):x}")
            addr = ipaddress.IPv6Address(":".join(groups))
            if addr.is_global:
                return addr.compressed

    # -- passwords
    def pw(self, style: str | None = None, sym: str = SYM_CODE) -> str:
        r = self.r
        one = (lambda: r.choice(sym)) if sym else (lambda: "")
        style = style or r.choice(["word", "word", "two", "phrase", "leet", "rand", "rand",
                                   "lower", "short", "mixed"])
        if style == "word":
            v = self.word().capitalize() + str(r.randint(10, 9999)) + one()
        elif style == "two":
            v = self.word().capitalize() + self.word().capitalize() + one() + str(r.randint(1, 99))
        elif style == "phrase":
            seps = [c for c in "-._" if c in sym]
            ws = [self.word() for _ in range(r.randint(3, 4))]
            v = r.choice(seps).join(ws) if seps else "".join(w.capitalize() for w in ws)
            if r.random() < 0.5:
                v += str(r.randint(1, 99))
        elif style == "leet":
            table = {"a": "@" if "@" in sym else "4", "e": "3", "i": "1", "o": "0",
                     "s": "$" if "$" in sym else "5"}
            base = self.word() + self.word()
            v = "".join(table[ch] if ch in table and r.random() < 0.6 else ch for ch in base)
            v = v[0].upper() + v[1:] + str(r.randint(1, 99)) + one()
        elif style == "rand":
            v = self.s(r.randint(13, 24), ALNUM + sym) + r.choice(DIG)
        elif style == "lower":
            v = self.word() + str(r.randint(10, 99))
        elif style == "short":
            v = self.s(7, ALNUM) + (one() or r.choice(DIG))
        elif style == "mixed":
            v = self.s(3, UP) + one() + self.s(4, LOW) + self.s(2, DIG) + one() + self.s(2, ALNUM)
        else:
            raise ValueError(style)
        return v

    def pw_escaped(self, sym: str = SYM_CODE) -> str:
        """A password containing a quote or backslash, written as a C-style escaped literal."""
        raw = self.pw(sym=sym)
        i = self.n(1, len(raw) - 1)
        raw = raw[:i] + self.c(['"', '\\']) + raw[i:]
        return raw.replace("\\", "\\\\").replace('"', '\\"')

    def pw_url(self) -> str:
        """A password as it is written inside a URL's userinfo (percent-encoded)."""
        raw = self.pw(sym=SYM_URL)
        if not any(ch in raw for ch in "@#:/%?!$&*+="):
            raw += self.c("@#:/?!")
        return quote(raw, safe="")

    # -- keys
    def aws_id(self, prefix: str = "AKIA") -> str:
        return prefix + self.s(16, UP + "234567")

    def aws_secret(self) -> str:
        return self.s(40, ALNUM + "+/")

    def gh(self, prefix: str = "ghp_") -> str:
        return prefix + self.s(36, ALNUM)

    def gh_pat(self) -> str:
        return "github_pat_11" + self.s(20, UP + DIG) + "_" + self.s(59, ALNUM)

    def glpat(self) -> str:
        return "glpat-" + self.s(20, ALNUM + "-_")

    def slack_bot(self) -> str:
        return f"xoxb-{self.digits(11)}-{self.digits(13)}-{self.s(24, ALNUM)}"

    def slack_user(self) -> str:
        return f"xoxp-{self.digits(11)}-{self.digits(11)}-{self.digits(13)}-{self.s(32, HEXL)}"

    def slack_app(self) -> str:
        return f"xapp-1-A{self.s(10, UP + DIG)}-{self.digits(13)}-{self.s(64, HEXL)}"

    def slack_hook(self) -> str:
        return f"T{self.s(8, UP + DIG)}/B{self.s(10, UP + DIG)}/{self.s(24, ALNUM)}"

    def stripe_sk(self, prefix: str = "sk_live_") -> str:
        if self.r.random() < 0.5:
            return prefix + self.s(24, ALNUM)
        return prefix + "51" + self.s(97, ALNUM)

    def whsec(self) -> str:
        return "whsec_" + self.s(32, ALNUM)

    def sendgrid(self) -> str:
        return "SG." + self.s(22, B64U) + "." + self.s(43, B64U)

    def mailgun(self) -> str:
        return "key-" + self.s(32, HEXL)

    def mailchimp(self) -> str:
        return self.s(32, HEXL) + f"-us{self.n(2, 21)}"

    def npm(self) -> str:
        return "npm_" + self.s(36, ALNUM)

    def pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.s(self.n(130, 170), B64U)

    def discord(self) -> str:
        uid = base64.b64encode(str(self.n(10 ** 17, 10 ** 19)).encode()).decode().rstrip("=")
        return f"{uid}.{self.s(6, B64U)}.{self.s(38, B64U)}"

    def telegram(self) -> str:
        return f"{self.n(10 ** 8, 10 ** 10 - 1)}:AA{self.s(33, B64U)}"

    def aiza(self) -> str:
        return "AIzaSy" + self.s(33, B64U)

    def gocspx(self) -> str:
        return "GOCSPX-" + self.s(28, B64U)

    def azure_key(self) -> str:
        return self.b64(64)

    def sas_sig(self) -> str:
        return quote(self.b64(32), safe="")

    def openai(self) -> str:
        return "sk-proj-" + self.s(74, B64U) + "T3BlbkFJ" + self.s(74, B64U)

    def anthropic(self) -> str:
        return "sk-ant-api03-" + self.s(93, B64U) + "AA"

    def hf(self) -> str:
        return "hf_" + self.s(34, ALNUM)

    def shopify(self, prefix: str = "shpat_") -> str:
        return prefix + self.s(32, HEXL)

    def dop(self) -> str:
        return "dop_v1_" + self.s(64, HEXL)

    def okta(self) -> str:
        return "00" + self.s(40, B64U)

    def vault(self) -> str:
        return "hvs.CAESI" + self.s(self.n(80, 90), B64U)

    def glsa(self) -> str:
        return "glsa_" + self.s(32, ALNUM) + "_" + self.s(8, HEXL)

    def nrak(self) -> str:
        return "NRAK-" + self.s(27, UP + DIG)

    def doppler(self) -> str:
        return f"dp.st.{self.c(['prd', 'dev', 'stg'])}.{self.s(40, ALNUM)}"

    def linear(self) -> str:
        return "lin_api_" + self.s(40, ALNUM)

    def postman(self) -> str:
        return f"PMAK-{self.s(24, HEXL)}-{self.s(34, HEXL)}"

    def notion(self) -> str:
        return "secret_" + self.s(43, ALNUM)

    def heroku(self) -> str:
        return "HRKU-AA" + self.s(58, B64U)

    def atlassian(self) -> str:
        return "ATATT3xFfGF0" + self.s(170, B64U) + "=" + self.s(8, HEXU)

    def dapi(self) -> str:
        return "dapi" + self.s(32, HEXL)

    def fcm(self) -> str:
        return "AAAA" + self.s(7, B64U) + ":APA91b" + self.s(134, B64U)

    def age(self) -> str:
        return "AGE-SECRET-KEY-1" + self.s(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")

    def cfxk(self) -> str:
        return f"cfxk_{self.s(20, ALNUM)}_{self.s(6, ALNUM)}"

    def hexkey(self, n: int = 32, upper: bool = False) -> str:
        return self.s(n, HEXU if upper else HEXL)

    def _b64url_json(self, obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

    def jwt(self, claims: dict | None = None, alg: str = "HS256") -> str:
        now = self.n(1_690_000_000, 1_720_000_000)
        claims = claims or {"sub": str(self.n(1000, 99999)), "name": self.c(_FIRST).capitalize(),
                            "iat": now}
        claims = {k: (now if v == "$iat" else now + 31_536_000 * 10 if v == "$exp" else v)
                  for k, v in claims.items()}
        head = self._b64url_json({"alg": alg, "typ": "JWT"})
        return f"{head}.{self._b64url_json(claims)}.{self.s(43, B64U)}"

    def supabase(self) -> str:
        return self.jwt({"iss": "supabase", "ref": self.s(20, LOW), "role": "service_role",
                         "iat": "$iat", "exp": "$exp"})

    def mapbox_sk(self) -> str:
        body = self._b64url_json({"u": self.c(_FIRST) + self.c(_LAST), "a": self.s(25, LOW + DIG)})
        return f"sk.{body}.{self.s(22, B64U)}"

    def django_key(self) -> str:
        core = self.s(50, LOW + DIG + "!@#%^&*(-_=+)")
        return ("django-insecure-" + core) if self.r.random() < 0.4 else core

    def basic(self, user: str, pw: str) -> str:
        return base64.b64encode(f"{user}:{pw}".encode()).decode()

    def pem_lines(self, first: str, nlines: int) -> list[str]:
        body = first + self.s(64 * nlines - len(first), ALNUM + "+/")
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        lines[-1] = lines[-1][: self.n(20, 60)] + self.c(["", "=", "=="])
        return lines

    def pem(self, kind: str = "RSA", sep: str = "\n") -> str:
        if kind == "RSA":
            head, first, n = "RSA PRIVATE KEY", "MIIEowIBAAKCAQEA", self.n(14, 25)
        elif kind == "EC":
            head, first, n = "EC PRIVATE KEY", "MHcCAQEEI", 3
        elif kind == "OPENSSH":
            head, first, n = "OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", self.n(5, 7)
        elif kind == "PKCS8":
            head, first, n = "PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", self.n(12, 25)
        elif kind == "PGP":
            lines = ["-----BEGIN PGP PRIVATE KEY BLOCK-----", ""]
            lines += self.pem_lines("lQOYBG" + self.s(4, ALNUM) + "AQgA", self.n(8, 12))
            lines += ["=" + self.s(4, ALNUM + "+/"), "-----END PGP PRIVATE KEY BLOCK-----"]
            return sep.join(lines)
        else:
            raise ValueError(kind)
        lines = [f"-----BEGIN {head}-----", *self.pem_lines(first, n), f"-----END {head}-----"]
        return sep.join(lines)

    # -- hard negatives
    def sha256(self) -> str:
        return self.s(64, HEXL)

    def sha1(self) -> str:
        return self.s(40, HEXL)

    def md5(self) -> str:
        return self.s(32, HEXL)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def bcrypt(self) -> str:
        return f"$2b${self.c(['10', '12'])}$" + self.s(53, ALNUM + "./")

    def argon2(self) -> str:
        return (f"$argon2id$v=19$m=65536,t=3,p=4${self.b64(16, pad=False)}$"
                f"{self.b64(32, pad=False)}")

    def pbkdf2(self) -> str:
        return f"pbkdf2_sha256$600000${self.s(22, ALNUM)}${self.b64(32)}"

    def pk_live(self) -> str:
        return "pk_live_51" + self.s(97, ALNUM)

    def recaptcha_site(self) -> str:
        return "6L" + self.c("cdef") + self.s(37, B64U)

    def client_id(self) -> str:
        return f"{self.digits(12)}-{self.s(32, LOW + DIG)}.apps.googleusercontent.com"

    def drive_id(self) -> str:
        return "1" + self.s(32, B64U)

    def yt_id(self) -> str:
        return self.s(11, B64U)

    def ssh_pub(self, comment: str) -> str:
        return "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + self.s(43, ALNUM + "+/") + " " + comment

    def cert(self) -> str:
        lines = ["-----BEGIN CERTIFICATE-----", *self.pem_lines("MIIDdzCCAl+gAwIBAgIE", 10),
                 "-----END CERTIFICATE-----"]
        return "\n".join(lines)

    def sri(self) -> str:
        return "sha512-" + self.b64(64)


_DOCS = []


def _doc(fn):
    _DOCS.append(fn)
    return fn


# ============================================================================== mobile apps

@_doc
def _android_gradle_properties(g: _G):
    return "android/notes-app/gradle.properties", _fill(r"""
        # Project-wide Gradle settings.
        # IDE (e.g. Android Studio) users:
        # Gradle settings configured through the IDE *will override*
        # any settings specified in this file.
        org.gradle.jvmargs=-Xmx4096m -Dfile.encoding=UTF-8 -XX:+UseParallelGC
        org.gradle.parallel=true
        org.gradle.caching=true
        android.useAndroidX=true
        android.nonTransitiveRClass=true
        kotlin.code.style=official

        # App versioning (CI bumps these)
        VERSION_NAME=«vname»
        VERSION_CODE=«vcode»

        # --- release signing -------------------------------------------------
        # TODO: move these to ~/.gradle/gradle.properties before open-sourcing!!
        RELEASE_STORE_FILE=../keystore/notes-release.jks
        RELEASE_STORE_PASSWORD=«store_pw»
        RELEASE_KEY_ALIAS=notes
        RELEASE_KEY_PASSWORD=«key_pw»

        # Google Maps SDK (restricted to com.redmaple.notes in the console)
        MAPS_API_KEY=«maps»
        # upload of mapping files
        SENTRY_ORG=redmaple
        SENTRY_PROJECT=notes-android
        sentryAuthToken=«sentry»
        # checksum of the bundled model, verified at startup
        MODEL_SHA256=«sha»
    """, vname=f"{g.n(2, 5)}.{g.n(0, 20)}.{g.n(0, 9)}.{g.n(100, 999)}", vcode=str(g.n(1000, 99999)),
        store_pw=_P(g.pw(sym=SYM_ENV)), key_pw=_P(g.pw(sym=SYM_ENV)), maps=_K(g.aiza()),
        sentry=_K("sntrys_" + g._b64url_json({"iat": g.n(1_700_000_000, 1_720_000_000),
                                               "url": "https://sentry.io", "org": "redmaple"})
                  + "_" + g.s(43, B64U)),
        sha=g.sha256())


@_doc
def _android_build_gradle_kts(g: _G):
    api = g.hexkey(32)
    return "android/weatherly/app/build.gradle.kts", _fill(r"""
        plugins {
            id("com.android.application")
            id("org.jetbrains.kotlin.android")
            id("com.google.devtools.ksp") version "1.9.22-1.0.17"
        }

        android {
            namespace = "io.weatherly.app"
            compileSdk = 34

            defaultConfig {
                applicationId = "io.weatherly.app"
                minSdk = 24
                targetSdk = 34
                versionCode = 4127
                versionName = "3.8.2"
                buildConfigField("String", "OWM_API_KEY", "\"«owm»\"")
                buildConfigField("String", "BASE_URL", "\"https://api.openweathermap.org/data/2.5/\"")
                buildConfigField("String", "FEEDBACK_EMAIL", "\"«mail»\"")
            }

            signingConfigs {
                create("release") {
                    storeFile = file("../signing/weatherly.keystore")
                    storePassword = "«store_pw»"
                    keyAlias = "weatherly"
                    keyPassword = "«key_pw»"
                }
                // debug builds use the default ~/.android/debug.keystore
            }

            buildTypes {
                release {
                    isMinifyEnabled = true
                    signingConfig = signingConfigs.getByName("release")
                    proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
                }
            }
            buildFeatures { buildConfig = true; compose = true }
        }

        dependencies {
            implementation("androidx.core:core-ktx:1.12.0")
            implementation("com.squareup.retrofit2:retrofit:2.9.0")
            implementation("com.squareup.okhttp3:logging-interceptor:4.12.0")
        }
    """, owm=_K(api), mail=_E(g.email("role")), store_pw=_P(g.pw(sym=SYM_CODE.replace("$", ""))),
        key_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")))


@_doc
def _android_kotlin_constants(g: _G):
    ip = g.ip()
    return "android/shopkit/app/src/main/java/com/velox/shopkit/net/ApiConstants.kt", _fill(r"""
        package com.velox.shopkit.net

        import okhttp3.Interceptor
        import okhttp3.OkHttpClient
        import java.util.concurrent.TimeUnit

        object ApiConstants {
            // staging box, switch to the load balancer before release
            const val BASE_URL = "http://«ip»:8080/api/v2/"
            const val STRIPE_PUBLISHABLE = "«pk»"
            const val STRIPE_SECRET = "«sk»"
            const val SUPPORT_EMAIL = "«mail»"
            // legacy FCM HTTP API, used by the in-app "notify a friend" feature
            const val FCM_SERVER_KEY = "key=«fcm»"
            const val TIMEOUT_SECONDS = 30L
            const val PASSWORD_MIN_LENGTH = 8
            val RESET_PASSWORD_PATH = "auth/reset-password"
        }

        class AuthInterceptor(private val tokenProvider: () -> String?) : Interceptor {
            override fun intercept(chain: Interceptor.Chain) = chain.proceed(
                chain.request().newBuilder()
                    .header("Authorization", "Bearer ${tokenProvider() ?: ""}")
                    .header("X-Client-Version", "5.2.0.118")
                    .build()
            )
        }

        fun buildClient(tokenProvider: () -> String?): OkHttpClient =
            OkHttpClient.Builder()
                .addInterceptor(AuthInterceptor(tokenProvider))
                .addInterceptor { chain ->
                    chain.proceed(chain.request().newBuilder()
                        .header("X-Api-Key", "«apikey»")
                        .build())
                }
                .connectTimeout(ApiConstants.TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .build()
    """, ip=_I(ip), pk=g.pk_live(), sk=_K(g.stripe_sk()), mail=_E(g.email("sub")),
        apikey=_K(g.s(40, ALNUM)), fcm=_K(g.fcm()))


@_doc
def _android_java_mailer(g: _G):
    user = g.email("free")
    return "android/fieldreport/app/src/main/java/org/halcyon/fieldreport/ReportMailer.java", _fill(r"""
        package org.halcyon.fieldreport;

        import android.os.AsyncTask;
        import android.util.Log;

        import java.util.Properties;
        import javax.mail.*;
        import javax.mail.internet.*;

        public class ReportMailer extends AsyncTask<String, Void, Boolean> {
            private static final String TAG = "ReportMailer";
            private static final String SMTP_HOST = "smtp.gmail.com";
            private static final String USERNAME = "«user»";
            // app password generated in the Google account, not the real one
            private static final String PASSWORD = "«app_pw»";
            private static final String RECIPIENT = "«to»";

            @Override
            protected Boolean doInBackground(String... params) {
                Properties props = new Properties();
                props.put("mail.smtp.auth", "true");
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.host", SMTP_HOST);
                props.put("mail.smtp.port", "587");

                Session session = Session.getInstance(props, new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication(USERNAME, PASSWORD);
                    }
                });
                try {
                    Message message = new MimeMessage(session);
                    message.setFrom(new InternetAddress(USERNAME));
                    message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(RECIPIENT));
                    message.setSubject("Field report " + params[0]);
                    message.setText(params[1]);
                    Transport.send(message);
                    return true;
                } catch (MessagingException e) {
                    Log.e(TAG, "send failed", e);
                    return false;
                }
            }

            // legacy FTP upload of photos, kept for the old depot server
            static boolean uploadPhotos(org.apache.commons.net.ftp.FTPClient ftp) throws Exception {
                ftp.connect("ftp.halcyonhealth.org");
                return ftp.login("fieldapp", "«ftp_pw»");
            }
        }
    """, user=_E(user), app_pw=_P(" ".join(g.s(4, LOW) for _ in range(4))), to=_E(g.email("role")),
        ftp_pw=_P(g.pw()))


@_doc
def _ios_info_plist(g: _G):
    ip = g.ip()
    return "ios/Trailhead/Trailhead/Info.plist", _fill(r"""
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        <dict>
            <key>CFBundleDevelopmentRegion</key>
            <string>$(DEVELOPMENT_LANGUAGE)</string>
            <key>CFBundleIdentifier</key>
            <string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>
            <key>CFBundleShortVersionString</key>
            <string>2.6.1</string>
            <key>CFBundleVersion</key>
            <string>2.6.1.40</string>
            <key>GMSApiKey</key>
            <string>«gms»</string>
            <key>FacebookAppID</key>
            <string>«fbid»</string>
            <key>FacebookClientToken</key>
            <string>«fbtoken»</string>
            <key>MapboxAccessToken</key>
            <string>«mapbox»</string>
            <key>NSLocationWhenInUseUsageDescription</key>
            <string>Trailhead uses your location to show nearby trails.</string>
            <key>NSAppTransportSecurity</key>
            <dict>
                <key>NSExceptionDomains</key>
                <dict>
                    <key>«ip»</key>
                    <dict>
                        <key>NSExceptionAllowsInsecureHTTPLoads</key>
                        <true/>
                    </dict>
                    <key>localhost</key>
                    <dict>
                        <key>NSExceptionAllowsInsecureHTTPLoads</key>
                        <true/>
                    </dict>
                </dict>
            </dict>
            <key>UIApplicationSceneManifest</key>
            <dict>
                <key>UIApplicationSupportsMultipleScenes</key>
                <false/>
            </dict>
        </dict>
        </plist>
    """, gms=_K(g.aiza()), fbid=g.digits(15), fbtoken=_K(g.hexkey(32)), mapbox=_K(g.mapbox_sk()),
        ip=_I(ip))


@_doc
def _ios_swift_config(g: _G):
    return "ios/Ledgerly/Ledgerly/Networking/Environment.swift", _fill(r"""
        import Foundation
        import Alamofire

        enum Environment {
            case staging, production

            var baseURL: URL {
                switch self {
                case .staging: return URL(string: "https://staging-api.quillmetrics.dev")!
                case .production: return URL(string: "https://api.quillmetrics.dev")!
                }
            }
        }

        enum ThirdPartyKey: String {
            case revenueCat = "«rc»"
            case amplitude = "«amp»"
        }

        struct Secrets {
            static let plaidClientId = "«plaid_id»"
            static let plaidSecret = "«plaid_secret»"
            // reads the user's token from the keychain; never hard-code it
            static var sessionToken: String? { KeychainHelper.read(account: "session") }
        }

        final class APIClient {
            private let env: Environment
            private let session: Session

            init(env: Environment = .production) {
                self.env = env
                self.session = Session(configuration: .default)
            }

            func fetchReports(completion: @escaping (Result<[Report], AFError>) -> Void) {
                session.request(env.baseURL.appendingPathComponent("v1/reports"))
                    .authenticate(username: "reports-bot", password: "«basic_pw»")
                    .validate()
                    .responseDecodable(of: [Report].self) { completion($0.result) }
            }

            func legacyCredential() -> URLCredential {
                let adminPassword: String = "«legacy_pw»"
                return URLCredential(user: "«legacy_user»", password: adminPassword, persistence: .forSession)
            }

            func statusRequest() -> URLRequest {
                var req = URLRequest(url: env.baseURL.appendingPathComponent("internal/status"))
                req.setValue("Bearer " + "«status_jwt»", forHTTPHeaderField: "Authorization")
                return req
            }
        }
    """, plaid_id=g.s(24, HEXL), plaid_secret=_K(g.s(30, HEXL)), rc=_K("appl_" + g.s(27, ALNUM)),
        basic_pw=_P(g.pw()), legacy_pw=_P(g.pw()), legacy_user=_E(g.email("dot")),
        amp=_K(g.hexkey(32)), status_jwt=_K(g.jwt({"sub": "ios-status", "role": "internal", "iat": "$iat"})))


@_doc
def _ios_xcconfig(g: _G):
    return "ios/Pulse/Configs/Release.xcconfig", _fill(r"""
        //
        //  Release.xcconfig
        //  Pulse
        //
        // Configuration settings file format documentation can be found at:
        // https://help.apple.com/xcode/#/dev745c5c974

        #include "Pods/Target Support Files/Pods-Pulse/Pods-Pulse.release.xcconfig"

        PRODUCT_BUNDLE_IDENTIFIER = app.bluecanary.pulse
        MARKETING_VERSION = 4.1.0
        CURRENT_PROJECT_VERSION = 4.1.0.7
        DEVELOPMENT_TEAM = «team»
        CODE_SIGN_STYLE = Manual

        // xcconfig treats // as a comment, hence the $() trick
        API_HOST = https:/$()/api.bluecanary.app
        SEGMENT_WRITE_KEY = «segment»
        ONESIGNAL_APP_ID = «onesignal»
        ONESIGNAL_REST_API_KEY = «onesignal_rest»

        // basic-auth for the internal feature-flag proxy
        FLAGS_USER = pulse-ios
        FLAGS_PASSWORD = «flags_pw»
    """, team=g.s(10, UP + DIG), segment=_K(g.s(32, ALNUM)), onesignal=g.uuid(),
        onesignal_rest=_K("os_v2_app_" + g.s(100, LOW + DIG)),
        flags_pw=_P(g.pw(sym="!%*?-_.+@^")))


@_doc
def _ios_objc_keys(g: _G):
    return "ios/LegacyReader/LegacyReader/LRConstants.m", _fill(r"""
        //
        //  LRConstants.m
        //  LegacyReader
        //
        //  Created by «author_name» on 14/03/2016.
        //  Copyright © 2016 Mosaic Media. All rights reserved.
        //

        #import "LRConstants.h"

        NSString *const kLRAPIBaseURL = @"https://feeds.mosaicmedia.fr/v3";
        NSString *const kLRAPISecret = @"«secret»";
        NSString *const kLRCrashlyticsKey = @"«crash»";
        NSString *const kLRSupportAddress = @"«support»";
        NSString *const kLRPasswordPlaceholder = @"Mot de passe";
        NSInteger const kLRMinimumPasswordLength = 8;

        @implementation LRConstants

        + (NSDictionary *)defaultHeaders {
            NSString *token = [[NSUserDefaults standardUserDefaults] stringForKey:@"authToken"];
            return @{ @"Authorization": [NSString stringWithFormat:@"Bearer %@", token ?: @""],
                      @"X-App-Version": @"7.3.0.2" };
        }

        + (NSURLCredential *)proxyCredential {
            // corporate proxy in the Lyon office
            return [NSURLCredential credentialWithUser:@"reader-proxy"
                                              password:@"«proxy_pw»"
                                           persistence:NSURLCredentialPersistenceForSession];
        }

        @end
    """, author_name="Élodie Moreau", secret=_K(g.s(40, HEXL)), crash=_K(g.s(40, HEXL)),
        support=_E(g.email("role")), proxy_pw=_P(g.pw()))


@_doc
def _flutter_dart(g: _G):
    gmail = g.email("free")
    return "flutter/recipe_box/lib/services/api_service.dart", _fill(r"""
        import 'dart:convert';

        import 'package:dio/dio.dart';
        import 'package:mailer/mailer.dart';
        import 'package:mailer/smtp_server.dart';

        const String kOpenAIKey = '«openai»';
        const String kSpoonacularKey = '«spoon»';
        const int kPasswordMinLength = 10;

        class ApiService {
          ApiService()
              : _dio = Dio(BaseOptions(
                  baseUrl: 'https://api.spoonacular.com',
                  connectTimeout: const Duration(seconds: 10),
                  headers: {
                    'x-api-key': kSpoonacularKey,
                    'Accept': 'application/json',
                  },
                ));

          final Dio _dio;

          Future<List<dynamic>> search(String query) async {
            final res = await _dio.get('/recipes/complexSearch', queryParameters: {'query': query});
            return res.data['results'] as List<dynamic>;
          }

          Future<String> suggest(String ingredients) async {
            final res = await Dio().post(
              'https://api.openai.com/v1/chat/completions',
              options: Options(headers: {'Authorization': 'Bearer $kOpenAIKey'}),
              data: jsonEncode({'model': 'gpt-4o-mini', 'messages': [
                {'role': 'user', 'content': 'Recipe with $ingredients'}
              ]}),
            );
            return res.data['choices'][0]['message']['content'] as String;
          }

          Future<void> sendFeedback(String body) async {
            final smtpServer = gmail('«gmail»', '«gmail_pw»');
            final message = Message()
              ..from = const Address('«gmail»', 'Recipe Box')
              ..recipients.add('«team»')
              ..subject = 'Feedback'
              ..text = body;
            await send(message, smtpServer);
          }
        }
    """, openai=_K(g.openai()), spoon=_K(g.hexkey(32)), gmail=_E(gmail),
        gmail_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")), team=_E(g.email("dot")))


@_doc
def _react_native_env(g: _G):
    return "react-native/fittrack/src/api/client.js", _fill(r"""
        import axios from 'axios';
        import Config from 'react-native-config';
        import * as SecureStore from 'expo-secure-store';
        import { createClient } from '@supabase/supabase-js';

        // Config.API_URL comes from .env.production via react-native-config
        const api = axios.create({
          baseURL: Config.API_URL,
          timeout: 15000,
        });

        api.interceptors.request.use(async (config) => {
          const token = await SecureStore.getItemAsync('accessToken');
          if (token) {
            config.headers.Authorization = `Bearer ${token}`;
          }
          return config;
        });

        // Admin dashboard endpoints are behind basic auth on the staging server.
        export const adminApi = axios.create({
          baseURL: 'https://admin-staging.fittrack.app',
          auth: {
            username: 'coach-admin',
            password: '«admin_pw»',
          },
        });

        export const algolia = {
          appId: '«algolia_app»',
          adminKey: '«algolia_admin»', // FIXME: should only ship the search key
        };

        export const revenuecat = { apiKey: process.env.EXPO_PUBLIC_RC_KEY };

        // used by the coach dashboard to bypass RLS -- move to the backend!
        export const supabaseAdmin = createClient(
          'https://«sb_ref».supabase.co',
          '«sb_key»',
        );

        export async function login(email, password) {
          const { data } = await api.post('/auth/login', { email, password });
          await SecureStore.setItemAsync('accessToken', data.token);
          return data.user;
        }

        export const demoUser = {
          email: '«demo_mail»',
          password: '«demo_pw»',
        };

        export default api;
    """, admin_pw=_P(g.pw()), algolia_app=g.s(10, UP + DIG), algolia_admin=_K(g.hexkey(32)),
        demo_mail=_E(g.email("tag")), demo_pw=_P(g.pw("lower")),
        sb_ref=g.s(20, LOW), sb_key=_K(g.supabase()))


# ============================================================================== data science

@_doc
def _notebook_churn(g: _G):
    ip = g.ip()
    pw = g.pw(sym="-_.!*")
    return "notebooks/churn_q3_analysis.ipynb", _fill(r"""
        {
         "cells": [
          {
           "cell_type": "markdown",
           "metadata": {},
           "source": [
            "# Churn analysis \u2013 Q3\n",
            "Pulls the `events` table from the read replica and summarises churn drivers."
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
            "client = OpenAI(api_key=\"«openai»\")\n",
            "conn = psycopg2.connect(host=\"«ip»\", port=5432, dbname=\"analytics\",\n",
            "                        user=\"analyst\", password=\"«pw»\")"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": 2,
           "metadata": {},
           "outputs": [
            {
             "ename": "OperationalError",
             "evalue": "(psycopg2.OperationalError) connection to server at \"«ip»\", port 5432 failed: timeout expired",
             "output_type": "error",
             "traceback": [
              "\u001b[0;31m---------------------------------------------------------------------------\u001b[0m",
              "\u001b[0;31mOperationalError\u001b[0m                          Traceback (most recent call last)",
              "File \u001b[0;32m~/miniconda3/envs/ds/lib/python3.11/site-packages/sqlalchemy/engine/base.py:145\u001b[0m, in \u001b[0;36mConnection.__init__\u001b[0;34m(self, engine, connection)\u001b[0m",
              "\u001b[0;31mOperationalError\u001b[0m: (psycopg2.OperationalError) connection to server at \"«ip»\", port 5432 failed: timeout expired\n\n(Background on this error at: https://sqlalche.me/e/20/e3q8)"
             ]
            }
           ],
           "source": [
            "from sqlalchemy import create_engine\n",
            "engine = create_engine(\"postgresql+psycopg2://analyst:«pw»@«ip»:5432/analytics\")\n",
            "df = pd.read_sql(\"select * from events where ts > now() - interval '90 days'\", engine)"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": 3,
           "metadata": {},
           "outputs": [
            {
             "data": {
              "image/png": "iVBORw0KGgoAAAANSUhEUgAAAYAAAAEACAYAAAC«png»",
              "text/plain": [
               "<Figure size 640x480 with 1 Axes>"
              ]
             },
             "metadata": {},
             "output_type": "display_data"
            }
           ],
           "source": [
            "df.groupby('plan')['churned'].mean().plot.bar()"
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
           "version": "3.11.5"
          }
         },
         "nbformat": 4,
         "nbformat_minor": 5
        }
    """, openai=_K(g.openai()), ip=_I(ip), pw=_P(pw), png=g.b64(120))


@_doc
def _notebook_s3(g: _G):
    return "notebooks/01_ingest_s3_clickstream.ipynb", _fill(r"""
        {
         "cells": [
          {
           "cell_type": "markdown",
           "metadata": {"id": "intro"},
           "source": [
            "## Clickstream ingest\n",
            "Questions about this notebook: «owner»"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": 4,
           "metadata": {"id": "setup"},
           "outputs": [],
           "source": [
            "import boto3\n",
            "\n",
            "s3 = boto3.client(\n",
            "    's3',\n",
            "    aws_access_key_id='«akid»',\n",
            "    aws_secret_access_key='«secret»',\n",
            "    region_name='eu-west-1',\n",
            ")\n",
            "# docs example creds, harmless: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": 5,
           "metadata": {"id": "head"},
           "outputs": [
            {
             "name": "stdout",
             "output_type": "stream",
             "text": [
              "{'ETag': '\"«etag»\"', 'ContentLength': 48213377, 'VersionId': '«vid»'}\n",
              "ChecksumSHA256: «chk»\n"
             ]
            }
           ],
           "source": [
            "resp = s3.head_object(Bucket='tidewater-raw', Key='clickstream/2024/06/01/part-0000.parquet')\n",
            "print({k: resp[k] for k in ('ETag', 'ContentLength', 'VersionId')})\n",
            "print('ChecksumSHA256:', resp.get('ChecksumSHA256'))"
           ]
          },
          {
           "cell_type": "code",
           "execution_count": null,
           "metadata": {"id": "notify"},
           "outputs": [],
           "source": [
            "import requests\n",
            "requests.post('https://hooks.slack.com/services/«hook»',\n",
            "              json={'text': 'clickstream ingest finished'})"
           ]
          }
         ],
         "metadata": {
          "colab": {"provenance": [], "authorship_tag": "ABX9TyM«tag»"},
          "kernelspec": {"display_name": "Python 3", "name": "python3"}
         },
         "nbformat": 4,
         "nbformat_minor": 0
        }
    """, owner=_E(g.email("sub")), akid=_K(g.aws_id()), secret=_K(g.aws_secret()), etag=g.md5(),
        vid=g.s(32, ALNUM + "._"), chk=g.b64(32), hook=_K(g.slack_hook()), tag=g.s(20, ALNUM))


@_doc
def _r_script(g: _G):
    ip = g.ip()
    return "analysis/R/weekly_kpis.R", _fill(r"""
        # Weekly KPI report -----------------------------------------------------------
        # Author: «author»
        # Renders the KPI deck and mails it to the leadership list every Monday.

        library(DBI)
        library(RPostgres)
        library(dplyr)
        library(mailR)
        library(httr2)

        Sys.setenv(OPENAI_API_KEY = "«openai»")
        kpi_pw <- "«db_pw»"

        con <- dbConnect(
          RPostgres::Postgres(),
          host     = "«ip»",
          port     = 5432,
          dbname   = "kpi",
          user     = "r_reporter",
          password = kpi_pw
        )

        orders <- tbl(con, "orders") %>%
          filter(created_at >= Sys.Date() - 7) %>%
          collect()

        summary_tbl <- orders %>%
          group_by(region) %>%
          summarise(revenue = sum(amount), n = n())

        # safer: keyring::key_get("kpi-db") -- TODO switch to this
        write.csv(summary_tbl, "out/kpi_summary.csv", row.names = FALSE)

        send.mail(
          from = "«from»",
          to = c("«to»"),
          subject = paste("Weekly KPIs", format(Sys.Date(), "%Y-%m-%d")),
          body = "See attached.",
          attach.files = "out/kpi_summary.csv",
          smtp = list(host.name = "smtp.office365.com", port = 587,
                      user.name = "«from»", passwd = "«smtp_pw»", tls = TRUE),
          authenticate = TRUE,
          send = TRUE
        )

        dbDisconnect(con)
    """, author=_E(g.email("dot")), openai=_K(g.openai()), db_pw=_P(g.pw()), ip=_I(ip),
        **{"from": _E(g.email("role"))}, to=_E(g.email("role")), smtp_pw=_P(g.pw()))


@_doc
def _databricks_sql_notebook(g: _G):
    ip = g.ip()
    return "databricks/notebooks/setup_federation.sql", _fill(r"""
        -- Databricks notebook source
        -- MAGIC %md
        -- MAGIC ### Lakehouse federation setup
        -- MAGIC Creates the foreign connection to the legacy MySQL shop DB and the service users.

        -- COMMAND ----------

        CREATE CONNECTION IF NOT EXISTS legacy_shop TYPE mysql
        OPTIONS (
          host '«ip»',
          port '3306',
          user 'federation_ro',
          password '«fed_pw»'
        );

        -- COMMAND ----------

        -- rotate quarterly; last rotated 2024-04-02
        CREATE USER IF NOT EXISTS etl_loader WITH PASSWORD '«etl_pw»';
        ALTER USER reporting_ro WITH PASSWORD '«ro_pw»';

        -- COMMAND ----------

        -- On the MySQL side (run by DBA):
        -- CREATE USER 'federation_ro'@'%' IDENTIFIED BY '<set by DBA>';
        -- GRANT SELECT ON shop.* TO 'federation_ro'@'%';

        -- COMMAND ----------

        -- MAGIC %python
        -- MAGIC import requests
        -- MAGIC host = "https://adb-«ws».11.azuredatabricks.net"
        -- MAGIC token = "«dapi»"
        -- MAGIC r = requests.get(f"{host}/api/2.0/clusters/list", headers={"Authorization": f"Bearer {token}"})
        -- MAGIC display(r.json())

        -- COMMAND ----------

        SELECT order_id, sha2(email, 256) AS email_hash, total
        FROM legacy_shop.shop.orders
        WHERE created_at >= current_date() - INTERVAL 30 DAYS;
    """, ip=_I(ip), fed_pw=_P(g.pw(sym=SYM_CONN)), etl_pw=_P(g.pw(sym=SYM_CONN)),
        ro_pw=_P(g.pw(sym=SYM_CONN)), ws=g.digits(16), dapi=_K(g.dapi()))


@_doc
def _airflow_dag(g: _G):
    ip = g.ip()
    pg_pw = g.pw(sym="_.-+@%^")
    return "airflow/dags/nightly_warehouse_sync.py", _fill(r'''
        """Nightly sync of the OLTP replica into the warehouse."""
        from datetime import datetime, timedelta

        from airflow import DAG, settings
        from airflow.models import Connection, Variable
        from airflow.operators.bash import BashOperator
        from airflow.providers.slack.operators.slack_webhook import SlackWebhookOperator

        default_args = {
            "owner": "data-eng",
            "email": ["«mail1»", "«mail2»"],
            "email_on_failure": True,
            "retries": 2,
            "retry_delay": timedelta(minutes=10),
        }


        def ensure_connection():
            session = settings.Session()
            if not session.query(Connection).filter_by(conn_id="oltp_replica").first():
                session.add(Connection(
                    conn_id="oltp_replica",
                    conn_type="postgres",
                    host="«ip»",
                    login="airflow_ro",
                    password="«conn_pw»",
                    port=5432,
                ))
                session.commit()


        with DAG(
            dag_id="nightly_warehouse_sync",
            start_date=datetime(2024, 1, 1),
            schedule="0 2 * * *",
            catchup=False,
            default_args=default_args,
        ) as dag:
            dump = BashOperator(
                task_id="pg_dump_replica",
                bash_command="PGPASSWORD=«pg_pw» pg_dump -h «ip» -U airflow_ro -Fc oltp > /tmp/oltp.dump",
            )
            load = BashOperator(
                task_id="load_warehouse",
                bash_command="pg_restore -d {{ var.value.warehouse_dsn }} /tmp/oltp.dump",
            )
            notify = SlackWebhookOperator(
                task_id="notify",
                slack_webhook_conn_id="slack_default",
                message="warehouse sync done :white_check_mark:",
            )
            api_token = Variable.get("warehouse_api_token")
            dump >> load >> notify
    ''', mail1=_E(g.email("role")), mail2=_E(g.email("dot")), ip=_I(ip),
        conn_pw=_P(g.pw()), pg_pw=_P(pg_pw))


@_doc
def _dbt_profiles(g: _G):
    sa = g.email("svc")
    return "dbt/profiles.yml", _fill(r"""
        # ~/.dbt/profiles.yml  (copied into the repo for the CI runner, sorry)
        analytics:
          target: dev
          outputs:
            dev:
              type: postgres
              host: localhost
              user: "{{ env_var('DBT_USER') }}"
              password: "{{ env_var('DBT_PASSWORD') }}"
              port: 5432
              dbname: analytics
              schema: dbt_dev
              threads: 4
            snowflake_prod:
              type: snowflake
              account: xy12345.eu-central-1
              user: DBT_PROD
              password: "«sf_pw»"
              role: TRANSFORMER
              database: ANALYTICS
              warehouse: TRANSFORMING
              schema: marts
              threads: 8
            bigquery:
              type: bigquery
              method: service-account-json
              project: «project»
              dataset: dbt_marts
              threads: 8
              keyfile_json:
                type: service_account
                project_id: «project»
                private_key: "«pk»\n"
                client_email: «sa»
                client_id: "«cid»"
                token_uri: https://oauth2.googleapis.com/token
    """, sf_pw=_P(g.pw(sym="!%*?-_.+@^")), project=sa.split("@")[1].split(".")[0],
        pk=_K(g.pem("PKCS8", sep="\\n")), sa=_E(sa), cid=g.digits(21))


@_doc
def _spark_scala_job(g: _G):
    ip = g.ip()
    pw = g.pw(sym="!*-_.")
    acct = g.word() + "lake" + g.digits(2)
    return "spark/src/main/scala/com/atlas/jobs/ShipmentsToLake.scala", _fill(r"""
        package com.atlas.jobs

        import org.apache.spark.sql.{SaveMode, SparkSession}

        object ShipmentsToLake {
          // TODO(ops): move creds to the Key Vault-backed secret scope
          private val JdbcUrl = "jdbc:postgresql://«ip»:5432/tms?user=spark_etl&password=«pw»&sslmode=require"
          private val StorageAccount = "«acct»"

          def main(args: Array[String]): Unit = {
            val spark = SparkSession.builder()
              .appName("shipments-to-lake")
              .config("spark.sql.shuffle.partitions", "64")
              .getOrCreate()

            spark.conf.set(
              s"fs.azure.account.key.$StorageAccount.dfs.core.windows.net",
              "«azure»")

            val hadoopConf = spark.sparkContext.hadoopConfiguration
            hadoopConf.set("fs.s3a.access.key", "«akid»")
            hadoopConf.set("fs.s3a.secret.key", "«secret»")

            val shipments = spark.read
              .format("jdbc")
              .option("url", JdbcUrl)
              .option("dbtable", "public.shipments")
              .option("user", "spark_etl")
              .option("password", "«pw»")
              .option("fetchsize", "10000")
              .load()

            shipments
              .write
              .mode(SaveMode.Overwrite)
              .partitionBy("ship_date")
              .parquet(s"abfss://raw@$StorageAccount.dfs.core.windows.net/tms/shipments")

            spark.stop()
          }
        }
    """, ip=_I(ip), pw=_P(pw), acct=acct, azure=_K(g.azure_key()), akid=_K(g.aws_id()),
        secret=_K(g.aws_secret()))


@_doc
def _training_script(g: _G):
    return "ml/train_classifier.py", _fill(r'''
        """Fine-tune a small text classifier and push it to the Hub."""
        import os

        import wandb
        from datasets import load_dataset
        from huggingface_hub import login
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

        os.environ["HF_TOKEN"] = "«hf»"
        os.environ["WANDB_PROJECT"] = "ticket-router"
        wandb.login(key="«wandb»")
        login(token=os.environ["HF_TOKEN"])

        BASE_MODEL = "distilbert-base-uncased"
        # revision pinned by commit so results are reproducible
        BASE_REVISION = "«commit»"
        DATA_FILES = {"train": "data/tickets_train.jsonl", "test": "data/tickets_test.jsonl"}

        tok = AutoTokenizer.from_pretrained(BASE_MODEL, revision=BASE_REVISION)
        ds = load_dataset("json", data_files=DATA_FILES)
        ds = ds.map(lambda b: tok(b["text"], truncation=True, padding="max_length"), batched=True)

        model = AutoModelForSequenceClassification.from_pretrained(BASE_MODEL, num_labels=7)
        args = TrainingArguments(
            output_dir="out/ticket-router",
            per_device_train_batch_size=32,
            learning_rate=3e-5,
            num_train_epochs=3,
            report_to=["wandb"],
            push_to_hub=True,
            hub_model_id="ironbark/ticket-router",
            seed=1234,
        )
        trainer = Trainer(model=model, args=args, train_dataset=ds["train"], eval_dataset=ds["test"])
        trainer.train()
        trainer.push_to_hub(commit_message="ticket-router v0.4.1")
    ''', hf=_K(g.hf()), wandb=_K(g.hexkey(40)), commit=g.sha1())


# ============================================================================== bots

@_doc
def _discord_bot_py(g: _G):
    return "bots/modbot/bot.py", _fill(r'''
        import logging
        import os

        import discord
        from discord.ext import commands

        logging.basicConfig(level=logging.INFO)

        intents = discord.Intents.default()
        intents.message_content = True
        intents.members = True

        bot = commands.Bot(command_prefix="!", intents=intents)

        OWNER_ID = «owner_id»  # my discord user id
        GUILD_ID = «guild_id»
        APPEAL_EMAIL = "«appeal»"
        NOTION_TOKEN = "«notion»"  # appeals are logged to a Notion database


        @bot.event
        async def on_ready():
            logging.info("logged in as %s (%s)", bot.user, bot.user.id)


        @bot.command()
        @commands.has_permissions(kick_members=True)
        async def kick(ctx, member: discord.Member, *, reason: str = "no reason"):
            await member.send(f"You were kicked. Appeal at {APPEAL_EMAIL}")
            await member.kick(reason=reason)
            await ctx.send(f"kicked {member.mention}")


        @bot.command()
        async def ping(ctx):
            await ctx.send(f"pong {round(bot.latency * 1000)}ms")


        if __name__ == "__main__":
            # bot.run(os.getenv("DISCORD_TOKEN"))
            bot.run("«token»")
    ''', owner_id=g.digits(18), guild_id=g.digits(19), appeal=_E(g.email("tag")), token=_K(g.discord()),
        notion=_K(g.notion()))


@_doc
def _telegram_bot_js(g: _G):
    return "bots/tg-reminder/index.js", _fill(r"""
        const TelegramBot = require('node-telegram-bot-api');
        const mongoose = require('mongoose');
        const cron = require('node-cron');

        const bot = new TelegramBot('«token»', { polling: true });
        const ADMIN_CHAT_ID = «chat»;

        mongoose
          .connect('mongodb+srv://reminder-bot:«pw»@cluster0.«cluster».mongodb.net/reminders?retryWrites=true&w=majority')
          .then(() => console.log('mongo connected'))
          .catch((err) => console.error('mongo error', err));

        const Reminder = mongoose.model('Reminder', new mongoose.Schema({
          chatId: Number,
          text: String,
          at: Date,
        }));

        bot.onText(/\/remind (\d+)m (.+)/, async (msg, match) => {
          const minutes = parseInt(match[1], 10);
          await Reminder.create({ chatId: msg.chat.id, text: match[2], at: new Date(Date.now() + minutes * 60000) });
          bot.sendMessage(msg.chat.id, `ok, in ${minutes} min`);
        });

        cron.schedule('* * * * *', async () => {
          const due = await Reminder.find({ at: { $lte: new Date() } });
          for (const r of due) {
            await bot.sendMessage(r.chatId, `\u23f0 ${r.text}`);
            await r.deleteOne();
          }
        });

        process.on('unhandledRejection', (e) => bot.sendMessage(ADMIN_CHAT_ID, `error: ${e.message}`));
    """, token=_K(g.telegram()), chat=g.digits(9), pw=_P(g.pw_url()), cluster=g.s(5, LOW + DIG))


@_doc
def _slack_bot_go(g: _G):
    return "bots/standup/main.go", _fill(r"""
        package main

        import (
        	"log"
        	"os"

        	"github.com/slack-go/slack"
        	"github.com/slack-go/slack/slackevents"
        	"github.com/slack-go/slack/socketmode"
        )

        const (
        	botToken      = "«bot»"
        	appToken      = "«app»"
        	signingSecret = "«signing»"
        	standupChan   = "C05«chan»"
        )

        func main() {
        	api := slack.New(
        		botToken,
        		slack.OptionAppLevelToken(appToken),
        		slack.OptionDebug(os.Getenv("DEBUG") == "1"),
        		slack.OptionLog(log.New(os.Stdout, "api: ", log.Lshortfile|log.LstdFlags)),
        	)
        	client := socketmode.New(api)

        	go func() {
        		for evt := range client.Events {
        			if evt.Type != socketmode.EventTypeEventsAPI {
        				continue
        			}
        			ev, _ := evt.Data.(slackevents.EventsAPIEvent)
        			client.Ack(*evt.Request)
        			if msg, ok := ev.InnerEvent.Data.(*slackevents.AppMentionEvent); ok {
        				_, _, err := api.PostMessage(msg.Channel, slack.MsgOptionText("standup starts in 5 :coffee:", false))
        				if err != nil {
        					log.Printf("post failed: %v", err)
        				}
        			}
        		}
        	}()
        	_ = signingSecret
        	_ = standupChan
        	log.Fatal(client.Run())
        }
    """, bot=_K(g.slack_bot()), app=_K(g.slack_app()), signing=_K(g.hexkey(32)), chan=g.s(8, UP + DIG))


@_doc
def _discord_config_json(g: _G):
    ip = g.ip()
    return "bots/musicbot/config.json", _fill(r"""
        {
          "prefix": "?",
          "token": "«token»",
          "clientId": "«client»",
          "guildId": "«guild»",
          "ownerIds": ["«owner»"],
          "mongoURI": "mongodb://musicbot:«pw»@«ip»:27017/musicbot?authSource=admin",
          "lavalink": {
            "host": "127.0.0.1",
            "port": 2333,
            "password": "<lavalink-password>",
            "secure": false
          },
          "spotify": {
            "clientId": "«sp_id»",
            "clientSecret": "«sp_secret»"
          },
          "embedColor": "#5865F2",
          "version": "4.2.0"
        }
    """, token=_K(g.discord()), client=g.digits(19), guild=g.digits(18), owner=g.digits(18),
        pw=_P(g.pw_url()), ip=_I(ip), sp_id=g.hexkey(32), sp_secret=_K(g.hexkey(32)))


@_doc
def _aiogram_bot(g: _G):
    tok = g.telegram()
    redis_pw = g.pw(sym="-_.~")
    return "bots/shop_bot/app/config.py", _fill(r'''
        """Settings for the shop bot.

        Example log line when the token was wrong last time:
            2024-05-11 09:12:44,871 ERROR aiogram.dispatcher: Unauthorized for url:
            https://api.telegram.org/bot«tok»/getMe
        """
        from dataclasses import dataclass, field


        @dataclass(frozen=True)
        class BotSettings:
            token: str = "«tok»"
            admin_ids: tuple[int, ...] = («a1», «a2»)
            payments_provider_token: str = "«pay»"
            webhook_secret: str = field(default="«hook_secret»")


        @dataclass(frozen=True)
        class RedisSettings:
            host: str = "redis"
            port: int = 6379
            db: int = 3
            password: str = "«redis_pw»"

            @property
            def dsn(self) -> str:
                return f"redis://:{self.password}@{self.host}:{self.port}/{self.db}"


        @dataclass(frozen=True)
        class Settings:
            bot: BotSettings = BotSettings()
            redis: RedisSettings = RedisSettings()
            locale_dir: str = "locales"
            password_prompt: str = "Введите пароль:"


        settings = Settings()
    ''', tok=_K(tok), a1=g.digits(9), a2=g.digits(10),
        pay=_K(f"{g.digits(9)}:LIVE:{g.s(24, B64U)}"), hook_secret=_K(g.s(48, B64U)),
        redis_pw=_P(redis_pw))


@_doc
def _slack_notify_sh(g: _G):
    return "scripts/notify-deploy.sh", _fill(r"""
        #!/usr/bin/env bash
        # Posts a deploy notification to #deploys and e-mails the release manager.
        # usage: notify-deploy.sh <service> <version>
        set -euo pipefail

        SERVICE="${1:?service}"
        VERSION="${2:?version}"
        COMMIT="$(git rev-parse --short HEAD)"
        WEBHOOK_URL="https://hooks.slack.com/services/«hook»"
        RELEASE_MANAGER="«rm»"

        payload=$(cat <<JSON
        {
          "text": ":rocket: *${SERVICE}* ${VERSION} deployed (${COMMIT}) by ${USER}",
          "username": "deploybot",
          "icon_emoji": ":ship:"
        }
        JSON
        )

        curl -sS -X POST -H 'Content-type: application/json' --data "$payload" "$WEBHOOK_URL"

        # attach the changelog (needs a user token, webhooks can't upload files)
        curl -sS -F file=@CHANGELOG.md -F channels=C04DEPLOYS -F token=«xoxp» https://slack.com/api/files.upload

        printf 'Subject: %s %s deployed\n\n%s\n' "$SERVICE" "$VERSION" "commit $COMMIT" \
          | sendmail -f deploybot "$RELEASE_MANAGER"

        # old Mailgun path, keep for the status page:
        # curl -s --user 'api:«mg»' https://api.eu.mailgun.net/v3/mg.bluecanary.app/messages \
        #   -F from='Deploy Bot <«from»>' -F to="$RELEASE_MANAGER" -F subject="deployed"
    """, hook=_K(g.slack_hook()), rm=_E(g.email("dot")), mg=_K(g.mailgun()),
        **{"from": _E(g.email("role"))}, xoxp=_K(g.slack_user()))


# ============================================================================== game servers

@_doc
def _fivem_server_cfg(g: _G):
    ip = g.ip()
    return "fivem/server.cfg", _fill(r"""
        # Only change the IP if you're using a server with multiple network interfaces, otherwise change the port only.
        endpoint_add_tcp "0.0.0.0:30120"
        endpoint_add_udp "0.0.0.0:30120"

        ## [txAdmin CFG validator]: onesync MUST only be set in the txAdmin settings page.
        set onesync on
        sv_maxclients 64
        sv_hostname "^3Los Pollos RP ^7| Serious RP | Discord: losspollos"
        sets sv_projectName "Los Pollos Roleplay"
        sets tags "roleplay, economy, jobs"
        sets locale "en-US"

        ## database
        set mysql_connection_string "server=«ip»;uid=fivem;password=«db_pw»;database=es_extended;charset=utf8mb4"
        set mysql_slow_query_warning 150

        ## remote console
        rcon_password "«rcon»"

        ## keys
        sv_licenseKey "«license»"
        set steam_webApiKey "«steam»"
        set discord_bot_token "«discord»"

        ensure mapmanager
        ensure chat
        ensure spawnmanager
        ensure oxmysql
        ensure es_extended
        ensure esx_menu_default

        add_ace group.admin command allow
        add_principal identifier.license:«lic_id» group.admin
    """, ip=_I(ip), db_pw=_P(g.pw(sym=SYM_CONN)), rcon=_P(g.pw(sym="!-_.+@^")),
        license=_K(g.cfxk()), steam=_K(g.hexkey(32, upper=True)), discord=_K(g.discord()),
        lic_id=g.sha1())


@_doc
def _gmod_lua(g: _G):
    ip = g.ip()
    return "garrysmod/addons/darkrp_logs/lua/autorun/server/sv_logs.lua", _fill(r"""
        -- DarkRP log shipper: stores logs in MySQL and mirrors admin actions to Discord
        require("mysqloo")

        local CONFIG = {
            host = "«ip»",
            user = "gmod_logs",
            pass = "«pw»",
            database = "darkrp_logs",
            port = 3306,
        }

        local WEBHOOK = "https://discord.com/api/webhooks/«hook_id»/«hook_token»"
        local VERSION = "2.3.1"

        local db = mysqloo.connect(CONFIG.host, CONFIG.user, CONFIG.pass, CONFIG.database, CONFIG.port)

        function db:onConnected()
            print("[logs] connected to mysql " .. CONFIG.host)
        end

        function db:onConnectionFailed(err)
            print("[logs] mysql connection failed: " .. err)
        end

        db:connect()

        local function sendDiscord(msg)
            HTTP({
                url = WEBHOOK,
                method = "POST",
                type = "application/json",
                body = util.TableToJSON({ content = msg, username = "DarkRP Logs" }),
            })
        end

        hook.Add("PlayerSay", "logs_admin_cmds", function(ply, text)
            if string.StartWith(text, "!ban") and ply:IsAdmin() then
                local q = db:prepare("INSERT INTO admin_log (steamid, cmd) VALUES (?, ?)")
                q:setString(1, ply:SteamID64())
                q:setString(2, text)
                q:start()
                sendDiscord(ply:Nick() .. " ran " .. text)
            end
        end)
    """, ip=_I(ip), pw=_P(g.pw(sym="!#*?-_.+=@^~")), hook_id=g.digits(19),
        hook_token=_K(g.s(68, B64U)))


@_doc
def _unity_csharp(g: _G):
    return "unity/SkyRaiders/Assets/Scripts/Net/BackendConfig.cs", _fill(r"""
        using System.Net;
        using System.Net.Mail;
        using PlayFab;
        using UnityEngine;

        namespace SkyRaiders.Net
        {
            [CreateAssetMenu(menuName = "SkyRaiders/Backend Config")]
            public class BackendConfig : ScriptableObject
            {
                [SerializeField] private string titleId = "«title»";
                [SerializeField] private string analyticsApiKey = "«analytics»";
                [SerializeField] private string buildVersion = "0.9.14.3";

                public const string CrashReportAddress = "«crash_to»";
                private const string SmtpUser = "«smtp_user»";
                private const string SmtpPass = "«smtp_pw»";

                public void Apply()
                {
                    PlayFabSettings.staticSettings.TitleId = titleId;
        #if UNITY_SERVER
                    // dedicated server only
                    PlayFabSettings.staticSettings.DeveloperSecretKey = "«playfab»";
        #endif
                }

                public void SendCrashReport(string body)
                {
                    using var client = new SmtpClient("smtp.zoho.eu", 587)
                    {
                        EnableSsl = true,
                        Credentials = new NetworkCredential(SmtpUser, SmtpPass),
                    };
                    client.Send(SmtpUser, CrashReportAddress, "SkyRaiders crash " + buildVersion, body);
                }
            }
        }
    """, title=g.s(5, UP + DIG), analytics=_K(g.s(32, LOW + DIG)), crash_to=_E(g.email("role")),
        smtp_user=_E(g.email("role")), smtp_pw=_P(g.pw()), playfab=_K(g.s(52, UP + DIG)))


@_doc
def _cpp_game_server(g: _G):
    ip = g.ip()
    return "server/src/db/Database.cpp", _fill(r"""
        // Database.cpp - persistence layer for the arena server
        #include "Database.h"

        #include <mysql/mysql.h>
        #include <spdlog/spdlog.h>

        #define STEAM_WEB_API_KEY "«steam»"
        #define SERVER_BUILD "1.0.4.2"

        namespace arena {

        static const char* kDbHost = "«ip»";
        static const char* kDbUser = "arena";
        static const char* RCON_PASSWORD = "«rcon»";

        bool Database::Connect()
        {
            conn_ = mysql_init(nullptr);
            if (!mysql_real_connect(conn_, kDbHost, kDbUser, "«db_pw»", "arena", 3306, nullptr, 0)) {
                spdlog::error("mysql connect failed: {}", mysql_error(conn_));
                return false;
            }
            spdlog::info("connected to {} (build {})", kDbHost, SERVER_BUILD);
            return true;
        }

        bool Database::CheckRcon(const std::string& supplied) const
        {
            return supplied == RCON_PASSWORD;
        }

        std::string Database::SteamProfileUrl(uint64_t steamId) const
        {
            return fmt::format(
                "https://api.steampowered.com/ISteamUser/GetPlayerSummaries/v2/?key={}&steamids={}",
                STEAM_WEB_API_KEY, steamId);
        }

        } // namespace arena
    """, steam=_K(g.hexkey(32, upper=True)), ip=_I(ip), rcon=_P(g.pw()), db_pw=_P(g.pw()))


# ============================================================================== embedded

@_doc
def _esp32_ino(g: _G):
    ip = g.ip()
    return "firmware/greenhouse-node/greenhouse-node.ino", _fill(r"""
        #include <WiFi.h>
        #include <PubSubClient.h>
        #include <DHT.h>

        // ---- WiFi ----
        const char* ssid = "Greenhouse_2G";
        const char* password = "«wifi_pw»";

        // ---- MQTT ----
        const char* mqtt_server = "«ip»";
        const int mqtt_port = 1883;
        const char* mqtt_user = "gh-node-03";
        const char* mqtt_pass = "«mqtt_pw»";

        // static IP on the greenhouse VLAN
        IPAddress local_IP(192, 168, 20, 43);
        IPAddress gateway(192, 168, 20, 1);
        IPAddress subnet(255, 255, 255, 0);
        IPAddress primaryDNS(8, 8, 8, 8);

        WiFiClient espClient;
        PubSubClient client(espClient);
        DHT dht(4, DHT22);

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
            if (client.connect("gh-node-03", mqtt_user, mqtt_pass)) {
              client.subscribe("greenhouse/03/cmd");
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
          char buf[32];
          snprintf(buf, sizeof(buf), "%.1f", dht.readTemperature());
          client.publish("greenhouse/03/temp", buf);
          delay(10000);
        }
    """, wifi_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")), ip=_I(ip), mqtt_pw=_P(g.pw()))


@_doc
def _micropython_main(g: _G):
    ip = g.ip()
    return "micropython/weather_station/main.py", _fill(r"""
        # MicroPython v1.22 on Raspberry Pi Pico W
        import time

        import network
        import urequests
        from machine import Pin, I2C
        from umqtt.simple import MQTTClient

        import bme280

        THINGSPEAK_WRITE_KEY = "«ts»"
        MQTT_BROKER = "«ip»"

        wlan = network.WLAN(network.STA_IF)
        wlan.active(True)
        wlan.connect("VodafoneHome-5C21", "«wifi_pw»")
        while not wlan.isconnected():
            time.sleep(1)
        print("ip:", wlan.ifconfig()[0])

        i2c = I2C(0, sda=Pin(0), scl=Pin(1), freq=400000)
        sensor = bme280.BME280(i2c=i2c)

        client = MQTTClient("pico-weather", MQTT_BROKER, port=1883, user="weather", password="«mqtt_pw»", keepalive=60)
        client.connect()

        while True:
            t, p, h = sensor.values
            client.publish(b"home/weather/temp", t.encode())
            urequests.get(
                "https://api.thingspeak.com/update?api_key=" + THINGSPEAK_WRITE_KEY
                + "&field1=" + t.rstrip("C") + "&field2=" + h.rstrip("%")
            ).close()
            time.sleep(300)
    """, ts=_K(g.s(16, UP + DIG)), ip=_I(ip), wifi_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")),
        mqtt_pw=_P(g.pw()))


@_doc
def _rpi_doorbell(g: _G):
    sender = g.email("free")
    return "raspberrypi/doorbell/doorbell.py", _fill(r'''
        #!/usr/bin/env python3
        """Doorbell: when the button on GPIO17 is pressed, snap a photo and e-mail it."""
        import smtplib
        import ssl
        import time
        from email.message import EmailMessage

        from gpiozero import Button
        from picamera2 import Picamera2

        SENDER = "«sender»"
        # Gmail "app password" (16 letters) - regular password won't work with 2FA
        APP_PASSWORD = "«app_pw»"
        RECIPIENTS = ["«r1»", "«r2»"]

        button = Button(17)
        cam = Picamera2()
        cam.configure(cam.create_still_configuration())
        cam.start()


        def send_photo(path: str) -> None:
            msg = EmailMessage()
            msg["Subject"] = "Someone is at the door"
            msg["From"] = SENDER
            msg["To"] = ", ".join(RECIPIENTS)
            with open(path, "rb") as fh:
                msg.add_attachment(fh.read(), maintype="image", subtype="jpeg", filename="door.jpg")
            with smtplib.SMTP_SSL("smtp.gmail.com", 465, context=ssl.create_default_context()) as s:
                s.login(SENDER, APP_PASSWORD)
                s.send_message(msg)


        while True:
            button.wait_for_press()
            path = f"/home/pi/doorbell/{int(time.time())}.jpg"
            cam.capture_file(path)
            send_photo(path)
            time.sleep(5)
    ''', sender=_E(sender), app_pw=_P(" ".join(g.s(4, LOW) for _ in range(4))),
        r1=_E(g.email("free")), r2=_E(g.email("digits")))


@_doc
def _esphome_yaml(g: _G):
    return "esphome/living-room-sensor.yaml", _fill(r"""
        esphome:
          name: living-room-sensor
          friendly_name: Living room sensor

        esp32:
          board: esp32dev
          framework:
            type: arduino

        logger:

        api:
          encryption:
            key: "«api_key»"

        ota:
          - platform: esphome
            password: "«ota_pw»"

        wifi:
          ssid: !secret wifi_ssid
          password: "«wifi_pw»"
          manual_ip:
            static_ip: 192.168.1.77
            gateway: 192.168.1.1
            subnet: 255.255.255.0
            dns1: 1.1.1.1
          ap:
            ssid: "Living-Room-Sensor"
            password: "«ap_pw»"

        captive_portal:

        sensor:
          - platform: dht
            pin: GPIO4
            temperature:
              name: "Temperature"
            humidity:
              name: "Humidity"
            update_interval: 60s
    """, api_key=_K(g.b64(32)), ota_pw=_P(g.pw(sym="!%*?-_.+@^")), wifi_pw=_P(g.pw(sym="!%*?-_.+@^")),
        ap_pw=_P(g.s(12, ALNUM)))


# ============================================================================== CMS / e-commerce

_WP_SALT = ALNUM + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|"


@_doc
def _wp_config(g: _G):
    ip = g.ip()
    salts = {k: _K(g.s(64, _WP_SALT).strip() + g.c(ALNUM)) for k in
             ("auth", "secure", "logged", "nonce")}
    return "wordpress/wp-config.php", _fill(r"""
        <?php
        /**
         * The base configuration for WordPress
         *
         * @link https://wordpress.org/documentation/article/editing-wp-config-php/
         * @package WordPress
         */

        // ** Database settings - You can get this info from your web host ** //
        define( 'DB_NAME', 'wp_saffron' );
        define( 'DB_USER', 'wp_saffron' );
        define( 'DB_PASSWORD', '«db_pw»' );
        define( 'DB_HOST', '«ip»:3306' );
        define( 'DB_CHARSET', 'utf8mb4' );
        define( 'DB_COLLATE', '' );

        /**#@+
         * Authentication unique keys and salts.
         * Change these to different unique phrases! You can generate these using
         * the {@link https://api.wordpress.org/secret-key/1.1/salt/ WordPress.org secret-key service}.
         */
        define( 'AUTH_KEY',         '«auth»' );
        define( 'SECURE_AUTH_KEY',  '«secure»' );
        define( 'LOGGED_IN_KEY',    '«logged»' );
        define( 'NONCE_KEY',        '«nonce»' );
        define( 'AUTH_SALT',        'put your unique phrase here' );
        /**#@-*/

        $table_prefix = 'wp_';

        define( 'WP_DEBUG', false );
        define( 'WP_MEMORY_LIMIT', '256M' );
        define( 'WPMS_SMTP_PASS', '«smtp_pw»' );
        define( 'WP_REDIS_PASSWORD', getenv( 'WP_REDIS_PASSWORD' ) );

        /* That's all, stop editing! Happy publishing. */

        if ( ! defined( 'ABSPATH' ) ) {
        	define( 'ABSPATH', __DIR__ . '/' );
        }

        require_once ABSPATH . 'wp-settings.php';
    """, db_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")), ip=_I(ip), smtp_pw=_P(g.pw()), **salts)


@_doc
def _magento_env(g: _G):
    ip = g.ip()
    return "magento/app/etc/env.php", _fill(r"""
        <?php
        return [
            'backend' => [
                'frontName' => 'admin_«front»'
            ],
            'remote_storage' => [
                'driver' => 'file'
            ],
            'queue' => [
                'consumers_wait_for_messages' => 1,
                'amqp' => [
                    'host' => 'rabbitmq.internal',
                    'port' => '5672',
                    'user' => 'magento',
                    'password' => '«amqp_pw»',
                    'virtualhost' => '/'
                ]
            ],
            'crypt' => [
                'key' => '«crypt»'
            ],
            'db' => [
                'table_prefix' => '',
                'connection' => [
                    'default' => [
                        'host' => '«ip»',
                        'dbname' => 'magento2',
                        'username' => 'magento',
                        'password' => '«db_pw»',
                        'model' => 'mysql4',
                        'engine' => 'innodb',
                        'initStatements' => 'SET NAMES utf8;',
                        'active' => '1',
                        'driver_options' => [
                            1014 => false
                        ]
                    ]
                ]
            ],
            'resource' => [
                'default_setup' => [
                    'connection' => 'default'
                ]
            ],
            'x-frame-options' => 'SAMEORIGIN',
            'MAGE_MODE' => 'production',
            'session' => [
                'save' => 'redis',
                'redis' => [
                    'host' => '10.0.3.14',
                    'port' => '6379',
                    'password' => '',
                    'database' => '2'
                ]
            ],
            'install' => [
                'date' => 'Tue, 12 Mar 2024 10:41:08 +0000'
            ]
        ];
    """, front=g.s(6, LOW + DIG), amqp_pw=_P(g.pw()), crypt=_K(g.hexkey(32)), ip=_I(ip),
        db_pw=_P(g.pw()))


@_doc
def _drupal_settings(g: _G):
    ip = g.ip()
    return "drupal/web/sites/default/settings.php", _fill(r"""
        <?php

        // @codingStandardsIgnoreFile

        /**
         * Database settings.
         *
         * @see https://www.drupal.org/docs/installing-drupal/step-3-create-a-database
         */
        $databases['default']['default'] = array (
          'database' => 'drupal_castellan',
          'username' => 'drupal',
          'password' => '«db_pw»',
          'prefix' => '',
          'host' => '«ip»',
          'port' => '3306',
          'namespace' => 'Drupal\\mysql\\Driver\\Database\\mysql',
          'driver' => 'mysql',
          'autoload' => 'core/modules/mysql/src/Driver/Database/mysql/',
        );

        $settings['hash_salt'] = '«salt»';
        $settings['update_free_access'] = FALSE;
        $settings['config_sync_directory'] = '../config/sync';
        $settings['trusted_host_patterns'] = [
          '^www\.castellan\.de$',
          '^castellan\.de$',
        ];

        // SMTP module
        $config['smtp.settings']['smtp_host'] = 'smtp.ionos.de';
        $config['smtp.settings']['smtp_username'] = '«smtp_user»';
        $config['smtp.settings']['smtp_password'] = "«smtp_pw»";
        $config['system.site']['mail'] = '«site_mail»';

        if (file_exists($app_root . '/' . $site_path . '/settings.local.php')) {
          include $app_root . '/' . $site_path . '/settings.local.php';
        }
    """, db_pw=_P(g.pw()), ip=_I(ip), salt=_K(g.b64(55, url=True, pad=False)),
        smtp_user=_E(g.email("role")), smtp_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")),
        site_mail=_E(g.email("role")))


@_doc
def _shopify_app_env(g: _G):
    return "shopify/bundle-builder/.env", _fill(r"""
        # Shopify app credentials (Partners dashboard > Apps > Bundle Builder)
        SHOPIFY_CLIENT_ID=«client_id»
        SHOPIFY_API_SECRET=«secret»
        SCOPES=write_products,read_orders,write_discounts
        HOST=https://bundle-builder.veloxcommerce.shop

        # dev store admin token (custom app install on velox-dev.myshopify.com)
        SHOPIFY_ADMIN_ACCESS_TOKEN=«shpat»
        SHOPIFY_STOREFRONT_TOKEN=«storefront»

        DATABASE_URL=postgresql://bundle:«db_pw»@ep-«ep».eu-central-1.aws.neon.tech/bundle?sslmode=require
        SESSION_SECRET=«session»

        # Sentry (public DSN, fine to expose)
        SENTRY_DSN=https://«sentry_pub»@o«org».ingest.sentry.io/«proj»
        NODE_ENV=production
        PORT=8081
    """, client_id=g.hexkey(32), secret=_K(g.shopify("shpss_")), shpat=_K(g.shopify("shpat_")),
        storefront=_K(g.hexkey(32)), db_pw=_P(g.s(12, ALNUM)), ep=f"{g.word()}-{g.word()}-{g.s(8, LOW + DIG)}",
        session=_K(g.b64(48)), sentry_pub=g.hexkey(32), org=g.digits(6), proj=g.digits(7))


@_doc
def _woocommerce_snippet(g: _G):
    return "woocommerce/sync-orders/sync-orders.php", _fill(r"""
        <?php
        /**
         * Plugin Name: Sync Orders to ERP
         * Description: Pushes completed WooCommerce orders to the ERP and mails a digest.
         * Version: 1.4.2
         * Author: «author»
         */

        require __DIR__ . '/vendor/autoload.php';

        use Automattic\WooCommerce\Client;

        const SYNC_ERP_TOKEN = '«erp»';
        define( 'SYNC_ORDERS_MAILCHIMP_KEY', '«mailchimp»' ); // audience sync

        function sync_orders_client(): Client {
            return new Client(
                'https://shop.veloxcommerce.shop',
                '«ck»',
                '«cs»',
                ['version' => 'wc/v3', 'timeout' => 30]
            );
        }

        add_action( 'woocommerce_order_status_completed', function ( $order_id ) {
            $order = wc_get_order( $order_id );
            wp_remote_post( 'https://erp.veloxcommerce.shop/api/orders', [
                'headers' => [
                    'Authorization' => 'Token ' . SYNC_ERP_TOKEN,
                    'Content-Type'  => 'application/json',
                ],
                'body' => wp_json_encode( [ 'id' => $order_id, 'total' => $order->get_total() ] ),
            ] );
        } );

        add_action( 'sync_orders_daily_digest', function () {
            $count = count( wc_get_orders( [ 'date_completed' => '>' . ( time() - DAY_IN_SECONDS ) ] ) );
            wp_mail( '«digest»', 'Daily order digest', sprintf( '%d orders synced', $count ) );
        } );
    """, author=_E(g.email("flast")), erp=_K(g.hexkey(40)), mailchimp=_K(g.mailchimp()), ck=_K("ck_" + g.hexkey(40)),
        cs=_K("cs_" + g.hexkey(40)), digest=_E(g.email("role")))


@_doc
def _laravel_env(g: _G):
    ip = g.ip()
    return "laravel/.env.production", _fill(r"""
        APP_NAME="Halcyon Portal"
        APP_ENV=production
        APP_KEY=base64:«app_key»
        APP_DEBUG=false
        APP_URL=https://portal.halcyonhealth.org

        LOG_CHANNEL=stack
        LOG_LEVEL=warning

        DB_CONNECTION=mysql
        DB_HOST=«ip»
        DB_PORT=3306
        DB_DATABASE=portal
        DB_USERNAME=portal_app
        DB_PASSWORD="«db_pw»"

        BROADCAST_DRIVER=pusher
        CACHE_DRIVER=redis
        QUEUE_CONNECTION=redis
        REDIS_HOST=127.0.0.1
        REDIS_PASSWORD=null
        REDIS_PORT=6379

        MAIL_MAILER=smtp
        MAIL_HOST=smtp.sendgrid.net
        MAIL_PORT=587
        MAIL_USERNAME=apikey
        MAIL_PASSWORD=«sendgrid»
        MAIL_ENCRYPTION=tls
        MAIL_FROM_ADDRESS="«from»"
        MAIL_FROM_NAME="${APP_NAME}"

        AWS_ACCESS_KEY_ID=«akid»
        AWS_SECRET_ACCESS_KEY=«aws_secret»
        AWS_DEFAULT_REGION=ca-central-1
        AWS_BUCKET=halcyon-portal-uploads

        PUSHER_APP_ID=«pusher_id»
        PUSHER_APP_SECRET=«pusher_secret»
        PUSHER_APP_CLUSTER=us2

        VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
    """, app_key=_K(g.b64(32)), ip=_I(ip), db_pw=_P(g.pw(sym="!%*?-_.+@^")), sendgrid=_K(g.sendgrid()),
        **{"from": _E(g.email("role"))}, akid=_K(g.aws_id()), aws_secret=_K(g.aws_secret()),
        pusher_id=g.digits(7), pusher_secret=_K(g.s(20, HEXL)))


# ============================================================================== browser extensions

@_doc
def _extension_background(g: _G):
    return "extensions/tldr-tab/src/background.js", _fill(r"""
        // TL;DR Tab - summarise the current page with one click.
        // NOTE: key is shipped in the extension; rotate if abused. TODO remove hardcoded key before 1.0
        const OPENAI_API_KEY = "«openai»";
        const GOOGLE_TRANSLATE_KEY = '«gtk»';
        const MODEL = "gpt-4o-mini";

        chrome.runtime.onInstalled.addListener(() => {
          chrome.contextMenus.create({ id: "tldr", title: "Summarise page", contexts: ["page"] });
        });

        async function summarise(text) {
          const { userKey } = await chrome.storage.sync.get("userKey");
          const res = await fetch("https://api.openai.com/v1/chat/completions", {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              Authorization: `Bearer ${userKey || OPENAI_API_KEY}`,
            },
            body: JSON.stringify({
              model: MODEL,
              messages: [
                { role: "system", content: "Summarise in 5 bullet points." },
                { role: "user", content: text.slice(0, 12000) },
              ],
            }),
          });
          const data = await res.json();
          return data.choices[0].message.content;
        }

        async function translate(text, target) {
          const url = "https://translation.googleapis.com/language/translate/v2?key=" + GOOGLE_TRANSLATE_KEY;
          const res = await fetch(url, {
            method: "POST",
            body: new URLSearchParams({ q: text, target }),
          });
          return (await res.json()).data.translations[0].translatedText;
        }

        chrome.contextMenus.onClicked.addListener(async (info, tab) => {
          const [{ result }] = await chrome.scripting.executeScript({
            target: { tabId: tab.id },
            func: () => document.body.innerText,
          });
          const summary = await summarise(result);
          chrome.tabs.sendMessage(tab.id, { type: "tldr", summary });
        });

        // telemetry endpoint; the id is a public project id, not a secret
        const TELEMETRY = "https://plausible.io/api/event?domain=tldr-tab&id=«pub»";
    """, openai=_K(g.openai()), gtk=_K(g.aiza()), pub=g.s(12, LOW + DIG))


# ============================================================================== scrapers

@_doc
def _scrapy_settings(g: _G):
    ip = g.ip()
    return "scrapers/pricewatch/pricewatch/settings.py", _fill(r'''
        # Scrapy settings for pricewatch project
        #
        #     https://docs.scrapy.org/en/latest/topics/settings.html

        BOT_NAME = "pricewatch"

        SPIDER_MODULES = ["pricewatch.spiders"]
        NEWSPIDER_MODULE = "pricewatch.spiders"

        USER_AGENT = "pricewatch/2.1 (+mailto:«contact»)"
        ROBOTSTXT_OBEY = True
        CONCURRENT_REQUESTS = 8
        DOWNLOAD_DELAY = 1.5

        # rotating residential proxy
        HTTPPROXY_ENABLED = True
        PROXY_URL = "http://pw-user-«puser»:«proxy_pw»@«ip»:8000"
        SCRAPERAPI_KEY = "«scraperapi»"

        DOWNLOADER_MIDDLEWARES = {
            "pricewatch.middlewares.ProxyMiddleware": 350,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": 90,
        }

        ITEM_PIPELINES = {
            "pricewatch.pipelines.PostgresPipeline": 300,
        }

        POSTGRES = {
            "host": "db",
            "port": 5432,
            "user": "pricewatch",
            "password": "«pg_pw»",
            "dbname": "pricewatch",
        }

        # Set settings whose default value is deprecated to a future-proof value
        REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
        TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
        FEED_EXPORT_ENCODING = "utf-8"
    ''', contact=_E(g.email("dot")), puser=g.s(6, LOW), proxy_pw=_P(g.s(14, ALNUM)), ip=_I(ip),
        scraperapi=_K(g.hexkey(32)), pg_pw=_P(g.pw()))


@_doc
def _selenium_login(g: _G):
    return "scrapers/timesheet-bot/fill_timesheet.py", _fill(r'''
        """Logs into the HR portal every Friday and submits the default timesheet."""
        import time

        from selenium import webdriver
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        PORTAL = "https://hr.ironbark.systems/login"
        USERNAME = "«user»"

        options = webdriver.ChromeOptions()
        options.add_argument("--headless=new")
        driver = webdriver.Chrome(options=options)
        wait = WebDriverWait(driver, 20)

        try:
            driver.get(PORTAL)
            wait.until(EC.presence_of_element_located((By.ID, "email"))).send_keys(USERNAME)
            driver.find_element(By.ID, "password").send_keys("«pw»")
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

            wait.until(EC.element_to_be_clickable((By.LINK_TEXT, "Timesheets"))).click()
            driver.find_element(By.ID, "use-default-week").click()
            driver.find_element(By.ID, "submit-week").click()
            time.sleep(2)
            print("submitted:", driver.find_element(By.CLASS_NAME, "toast").text)
        finally:
            driver.quit()
    ''', user=_E(g.email("dot")), pw=_P(g.pw()))


@_doc
def _puppeteer_scrape(g: _G):
    ip = g.ip()
    return "scrapers/listing-monitor/monitor.js", _fill(r"""
        const puppeteer = require('puppeteer');
        const fs = require('fs/promises');

        const PROXY = '«ip»:3128';

        (async () => {
          const browser = await puppeteer.launch({
            headless: 'new',
            args: [`--proxy-server=http://${PROXY}`, '--no-sandbox'],
          });
          const page = await browser.newPage();
          await page.authenticate({ username: 'lm-proxy', password: '«proxy_pw»' });
          await page.setViewport({ width: 1366, height: 900 });

          await page.goto('https://partners.atlasfreight.com.au/login', { waitUntil: 'networkidle2' });
          await page.type('#username', '«user»');
          await page.type('#password', '«pw»', { delay: 35 });
          await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);

          await page.goto('https://partners.atlasfreight.com.au/listings?status=open');
          const rows = await page.$$eval('table.listings tr', (trs) =>
            trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.innerText.trim())),
          );
          await fs.writeFile(`out/listings-${Date.now()}.json`, JSON.stringify(rows, null, 2));
          console.log(`saved ${rows.length} rows`);
          await browser.close();
        })();
    """, ip=_I(ip), proxy_pw=_P(g.pw()), user=_E(g.email("free")), pw=_P(g.pw()))


@_doc
def _playwright_py(g: _G):
    return "scrapers/invoice-downloader/download_invoices.py", _fill(r'''
        import asyncio
        from pathlib import Path

        from playwright.async_api import async_playwright
        from twocaptcha import TwoCaptcha

        SOLVER = TwoCaptcha("«captcha»")
        OUT = Path("invoices")
        SITE_KEY = "«sitekey»"  # public reCAPTCHA site key of the login page


        async def main() -> None:
            async with async_playwright() as p:
                browser = await p.chromium.launch()
                context = await browser.new_context(
                    http_credentials={"username": "billing", "password": "«basic_pw»"},
                    accept_downloads=True,
                )
                page = await context.new_page()
                await page.goto("https://vendor.orbitalpay.com.br/entrar")
                await page.fill("input[name=email]", "«email»")
                await page.fill("input[name=senha]", "«senha»")
                token = SOLVER.recaptcha(sitekey=SITE_KEY, url=page.url)["code"]
                await page.evaluate("t => document.getElementById('g-recaptcha-response').value = t", token)
                await page.click("text=Entrar")
                await page.wait_for_url("**/painel")

                OUT.mkdir(exist_ok=True)
                for link in await page.locator("a.invoice-pdf").all():
                    async with page.expect_download() as dl:
                        await link.click()
                    d = await dl.value
                    await d.save_as(OUT / d.suggested_filename)
                await context.storage_state(path="state.json")
                await browser.close()


        asyncio.run(main())
    ''', captcha=_K(g.hexkey(32)), sitekey=g.recaptcha_site(), basic_pw=_P(g.pw()),
        email=_E(g.email("role")), senha=_P(g.pw()))


# ============================================================================== DevOps

@_doc
def _deploy_sh(g: _G):
    web, db = g.ip(), g.ip()
    return "ops/deploy.sh", _fill(r"""
        #!/usr/bin/env bash
        # Poor man's deploy for the legacy PHP shop. Runs from the build box.
        set -euo pipefail

        WEB_HOST=«web»
        DB_HOST=«db»
        RELEASE="$(date +%Y%m%d%H%M)"
        BACKUP_DIR=/var/backups/shop

        echo ">> backing up database"
        mysqldump -h "$DB_HOST" -u root -p«mysql_pw» --single-transaction shop | gzip > "$BACKUP_DIR/shop-$RELEASE.sql.gz"

        echo ">> backing up reporting db"
        PGPASSWORD='«pg_pw»' pg_dump -h "$DB_HOST" -U reporting -Fc reporting > "$BACKUP_DIR/reporting-$RELEASE.dump"

        echo ">> backing up sessions store"
        mongodump --host "$DB_HOST" --username backup --password=«mongo_pw» --authenticationDatabase admin --gzip --archive="$BACKUP_DIR/mongo-$RELEASE.gz"

        echo ">> pausing monitors"
        curl -sf -X POST https://status.veloxcommerce.shop/api/login -H 'Content-Type: application/json' \
          -d "{\"user\":\"deploy\",\"password\":\"«status_pw»\"}" -c /tmp/status.cookies

        echo ">> uploading release"
        tar czf "/tmp/shop-$RELEASE.tgz" -C build .
        sshpass -p '«ssh_pw»' scp -o StrictHostKeyChecking=no "/tmp/shop-$RELEASE.tgz" deploy@«web»:/srv/releases/
        sshpass -p '«ssh_pw»' ssh deploy@«web» "cd /srv && ./activate.sh $RELEASE"

        echo ">> purging CDN cache"
        curl -sf -u 'cdn-admin:«cdn_pw»' -X POST "https://cdn-api.veloxcommerce.shop/v1/purge" -d '{"all": true}'

        echo ">> smoke test"
        read -r -s -p "Staging basic-auth password: " STAGING_PW; echo
        curl -sf -u "qa:${STAGING_PW}" https://staging.veloxcommerce.shop/health

        echo ">> done: $RELEASE"
    """, web=_I(web), db=_I(db), mysql_pw=_P(g.pw(sym=SYM_SHELL)), pg_pw=_P(g.pw()),
        ssh_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")), cdn_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")),
        mongo_pw=_P(g.pw(sym=SYM_SHELL)), status_pw=_P(g.pw(sym="-_.+@%^,")))


@_doc
def _powershell(g: _G):
    ip = g.ip()
    user, pw = "svc-report", g.pw(sym="!#%&*?-_.+=@^~")
    return "ops/windows/Sync-Reports.ps1", _fill(r"""
        <#
        .SYNOPSIS
            Copies the nightly reports to the file share and pings the status API.
        .NOTES
            Author: «author»
            Requires: PowerShell 7.2+, Az module 11.x
        #>
        [CmdletBinding()]
        param(
            [string]$ReportDir = "D:\Reports\Nightly",
            [string]$Share = "\\fs01.corp.local\reports$"
        )

        $ErrorActionPreference = 'Stop'

        # service account for the share (TODO: move to Windows Credential Manager)
        $secpasswd = ConvertTo-SecureString "«pw»" -AsPlainText -Force
        $cred = New-Object System.Management.Automation.PSCredential ("CORP\svc-report", $secpasswd)
        New-PSDrive -Name R -PSProvider FileSystem -Root $Share -Credential $cred | Out-Null
        Copy-Item -Path (Join-Path $ReportDir '*.pdf') -Destination 'R:\' -Force

        # status API uses basic auth
        $headers = @{ Authorization = "Basic «basic»" }
        Invoke-RestMethod -Uri "https://«ip»/api/v1/jobs/nightly-reports" -Method Post -Headers $headers -Body '{"state":"ok"}'

        # Azure upload of the archive
        $tenant = "«tenant»"
        $appSecret = ConvertTo-SecureString "«sp_secret»" -AsPlainText -Force
        $spCred = New-Object PSCredential ("«app_id»", $appSecret)
        Connect-AzAccount -ServicePrincipal -Tenant $tenant -Credential $spCred | Out-Null
        $ctx = New-AzStorageContext -StorageAccountName "halcyonarchive" -StorageAccountKey "«acct_key»"
        Set-AzStorageBlobContent -File (Join-Path $ReportDir 'archive.zip') -Container 'reports' -Context $ctx -Force

        # interactive fallback:
        # $cred = Get-Credential -Message "Enter the svc-report password"
    """, author=_E(g.email("dot")), pw=_P(pw), basic=_K(g.basic(user, g.pw(sym="-_.!"))),
        ip=_I(ip), tenant=g.uuid(), sp_secret=_K(g.s(3, ALNUM) + "8Q~" + g.s(34, ALNUM + "_.-~")),
        app_id=g.uuid(), acct_key=_K(g.azure_key()))


@_doc
def _fabfile(g: _G):
    ip1, ip2 = g.ip(), g.ip()
    sudo_pw = g.pw()
    return "ops/fabfile.py", _fill(r'''
        """Fabric 2 tasks for the two app servers.

            fab -H app1,app2 deploy
        """
        from fabric import Connection, task
        from invoke import Responder

        HOSTS = {
            "app1": "«ip1»",
            "app2": "«ip2»",
        }
        SUDO_PASSWORD = "«sudo_pw»"
        # prod db password: «prod_db_pw» (ask Sven before rotating, the reporting box uses it too)


        def conn(name: str) -> Connection:
            return Connection(
                host=HOSTS[name],
                user="deploy",
                connect_kwargs={"password": "«ssh_pw»"},
                connect_timeout=15,
            )


        @task
        def deploy(c, ref="main"):
            for name in HOSTS:
                cx = conn(name)
                with cx.cd("/srv/app"):
                    cx.run(f"git fetch --all && git checkout {ref}")
                    cx.run("./venv/bin/pip install -r requirements.txt -q")
                    cx.sudo("systemctl restart app", password=SUDO_PASSWORD)


        @task
        def psql(c):
            responder = Responder(pattern=r"Password for user app:", response="«pg_pw»\n")
            conn("app1").run("psql -h localhost -U app app -c 'select 1'", watchers=[responder], pty=True)
    ''', ip1=_I(ip1), ip2=_I(ip2), sudo_pw=_P(sudo_pw), prod_db_pw=_P(g.pw()), ssh_pw=_P(g.pw()), pg_pw=_P(g.pw()))


@_doc
def _invoke_tasks(g: _G):
    return "tasks.py", _fill(r'''
        """invoke tasks: `inv build`, `inv push`, `inv dev-db`."""
        import os

        from invoke import task

        REGISTRY = "ghcr.io/luminary-labs/atlas-api"
        # GitHub token with write:packages (TODO remove, use GITHUB_TOKEN in CI)
        GHCR_TOKEN = "«ghcr»"
        VERSION = "0.18.3"
        LINEAR_API_KEY = "«linear»"  # used by `inv changelog`


        @task
        def build(c):
            c.run(f"docker build -t {REGISTRY}:{VERSION} .")


        @task(pre=[build])
        def push(c):
            c.run(f"echo {GHCR_TOKEN} | docker login ghcr.io -u luminary-ci --password-stdin", hide=True)
            c.run(f"docker push {REGISTRY}:{VERSION}")


        @task
        def dev_db(c):
            c.run(
                "docker run -d --name atlas-db -p 5432:5432 "
                "-e POSTGRES_USER=atlas -e POSTGRES_PASSWORD=«pg_pw» "
                "postgres:16.2-alpine"
            )


        @task
        def migrate(c, url=None):
            url = url or os.environ.get("DATABASE_URL", "postgres://atlas@localhost:5432/atlas")
            c.run(f"alembic -x db_url={url} upgrade head")
    ''', ghcr=_K(g.gh("ghp_")), pg_pw=_P(g.pw(sym=SYM_SHELL)),
        linear=_K(g.linear()))


@_doc
def _makefile(g: _G):
    ip = g.ip()
    return "Makefile", _fill(
        "    # Makefile for the quill-metrics service\n"
        "    SHELL := /bin/bash\n"
        "    VERSION ?= $(shell git describe --tags --always)\n"
        "    DB_URL ?= postgres://quill:«db_pw»@«ip»:5432/quill?sslmode=require\n"
        "    TEST_DB_URL ?= postgres://quill@localhost:5433/quill_test\n"
        "    # service token for `doppler run` on the build box\n"
        "    DOPPLER_TOKEN ?= «doppler»\n"
        "\n"
        "    .PHONY: build test run db release\n"
        "\n"
        "    build:\n"
        "    \tgo build -ldflags \"-X main.version=$(VERSION)\" -o bin/quill ./cmd/quill\n"
        "\n"
        "    test:\n"
        "    \tDATABASE_URL=$(TEST_DB_URL) go test ./... -race -count=1\n"
        "\n"
        "    run: build\n"
        "    \tDATABASE_URL=$(DB_URL) ./bin/quill serve\n"
        "\n"
        "    db:\n"
        "    \tdocker run -d --name quill-mysql -p 3306:3306 -e MYSQL_ROOT_PASSWORD=«mysql_pw» mysql:8.0.36\n"
        "\n"
        "    release:\n"
        "    \tpython -m build sdk/python\n"
        "    \ttwine upload -u __token__ -p «pypi» sdk/python/dist/*\n"
        "    \tnpm publish sdk/js --access public\n"
        "\n"
        "    lint:\n"
        "    \tgolangci-lint run --timeout 5m\n"
        "    \t@echo \"sha256 of binary: $$(sha256sum bin/quill | cut -d' ' -f1)\"\n",
        db_pw=_P(g.pw_url()), ip=_I(ip), mysql_pw=_P(g.pw(sym=SYM_SHELL)), pypi=_K(g.pypi()),
        doppler=_K(g.doppler()))


@_doc
def _vagrantfile(g: _G):
    pw = g.pw(sym="_.-+@%^")
    return "Vagrantfile", _fill(r"""
        # -*- mode: ruby -*-
        # vi: set ft=ruby :

        Vagrant.configure("2") do |config|
          config.vm.box = "bento/ubuntu-22.04"
          config.vm.box_version = "202401.31.0"
          config.vm.hostname = "ledger-dev"

          config.vm.network "private_network", ip: "192.168.56.10"
          config.vm.network "forwarded_port", guest: 5432, host: 15432

          # box was rebuilt with password auth for the Windows folks
          config.ssh.username = "vagrant"
          config.ssh.password = "«pw»"
          config.ssh.insert_key = false

          config.vm.provider "virtualbox" do |vb|
            vb.memory = 4096
            vb.cpus = 2
            vb.customize ["modifyvm", :id, "--natdnshostresolver1", "on"]
          end

          config.vm.provision "shell", inline: <<-SHELL
            apt-get update -y
            apt-get install -y postgresql-14 redis-server
            echo 'vagrant:«pw»' | chpasswd
            sudo -u postgres psql -c "CREATE ROLE ledger LOGIN PASSWORD '«db_pw»';"
            sudo -u postgres createdb -O ledger ledger
            sed -i "s/^#requirepass .*/requirepass «redis_pw»/" /etc/redis/redis.conf
            systemctl restart redis-server
          SHELL
        end
    """, pw=_P(pw), db_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")), redis_pw=_P(g.pw(sym="_.-+@%^")))


@_doc
def _packer_hcl(g: _G):
    return "packer/windows-2022.pkr.hcl", _fill(r"""
        packer {
          required_plugins {
            amazon = {
              version = ">= 1.2.8"
              source  = "github.com/hashicorp/amazon"
            }
          }
        }

        variable "aws_access_key" {
          type    = string
          default = "«akid»"
        }

        variable "aws_secret_key" {
          type      = string
          default   = "«secret»"
          sensitive = true
        }

        variable "region" {
          type    = string
          default = "ap-southeast-2"
        }

        source "amazon-ebs" "win2022" {
          access_key     = var.aws_access_key
          secret_key     = var.aws_secret_key
          region         = var.region
          instance_type  = "t3.large"
          ami_name       = "atlas-win2022-{{timestamp}}"
          communicator   = "winrm"
          winrm_username = "Administrator"
          winrm_password = "«winrm_pw»"
          winrm_use_ssl  = true
          winrm_insecure = true
          user_data_file = "./bootstrap_win.txt"
          source_ami_filter {
            filters = {
              name                = "Windows_Server-2022-English-Full-Base-*"
              root-device-type    = "ebs"
              virtualization-type = "hvm"
            }
            most_recent = true
            owners      = ["801119661308"]
          }
        }

        build {
          sources = ["source.amazon-ebs.win2022"]
          provisioner "powershell" {
            inline = [
              "net user atlas-admin «local_pw» /add /y",
              "net localgroup administrators atlas-admin /add",
            ]
          }
        }
    """, akid=_K(g.aws_id()), secret=_K(g.aws_secret()), winrm_pw=_P(g.pw()),
        local_pw=_P(g.pw(sym="!#%*?-_.+=@^~")))


@_doc
def _terraform_main(g: _G):
    office, vpn = g.ip(), g.ip()
    return "infra/terraform/main.tf", _fill(r"""
        terraform {
          required_version = ">= 1.6.0"
          required_providers {
            aws = {
              source  = "hashicorp/aws"
              version = "~> 5.40"
            }
          }
        }

        provider "aws" {
          region     = "eu-central-1"
          access_key = "«akid»"
          secret_key = "«secret»"
        }

        resource "aws_security_group" "db" {
          name   = "kestrel-db"
          vpc_id = var.vpc_id

          ingress {
            description = "office + vpn"
            from_port   = 5432
            to_port     = 5432
            protocol    = "tcp"
            cidr_blocks = ["«office»/32", "«vpn»/32", "10.20.0.0/16"]
            ipv6_cidr_blocks = ["«office6»/128"]
          }
        }

        resource "aws_db_instance" "main" {
          identifier             = "kestrel-prod"
          engine                 = "postgres"
          engine_version         = "15.5"
          instance_class         = "db.t4g.medium"
          allocated_storage      = 100
          username               = "kestrel_admin"
          password               = "«db_pw»"
          kms_key_id             = "arn:aws:kms:eu-central-1:«acct»:key/«kms»"
          storage_encrypted      = true
          vpc_security_group_ids = [aws_security_group.db.id]
          skip_final_snapshot    = false
        }

        resource "aws_ssm_parameter" "api_token" {
          name  = "/kestrel/prod/api_token"
          type  = "SecureString"
          value = var.api_token
        }

        output "db_endpoint" {
          value = aws_db_instance.main.endpoint
        }
    """, akid=_K(g.aws_id()), secret=_K(g.aws_secret()), office=_I(office), vpn=_I(vpn), office6=_I(g.ip6()),
        db_pw=_P(g.pw()), acct=g.digits(12), kms=g.uuid())


@_doc
def _tfvars(g: _G):
    return "infra/terraform/prod.auto.tfvars", _fill(r"""
        # prod values - DO NOT COMMIT (oops)
        environment          = "prod"
        cloudflare_zone_id   = "«zone»"
        cloudflare_api_token = "«cf»"
        datadog_api_key      = "«dd_api»"
        datadog_app_key      = "«dd_app»"
        do_token             = "«dop»"
        github_token         = "«ghpat»"
        admin_password       = "«admin_pw»"
        grafana_sa_token     = "«glsa»"
        newrelic_api_key     = "«nrak»"
        ssh_allowed_cidrs    = ["0.0.0.0/0"]
        image_digest         = "sha256:«digest»"
        tags = {
          owner   = "platform"
          costcenter = "cc-4410"
        }
    """, zone=g.hexkey(32), cf=_K(g.s(40, B64U)), dd_api=_K(g.hexkey(32)), dd_app=_K(g.hexkey(40)),
        dop=_K(g.dop()), ghpat=_K(g.gh_pat()), admin_pw=_P(g.pw()), glsa=_K(g.glsa()), nrak=_K(g.nrak()), digest=g.sha256())


@_doc
def _ansible_inventory(g: _G):
    a, b = g.ip(), g.ip6()
    return "ansible/inventory/production.ini", _fill(r"""
        # Production inventory
        # Run: ansible-playbook -i inventory/production.ini site.yml --ask-vault-pass

        [web]
        web-01 ansible_host=«a» ansible_user=ubuntu
        web-02 ansible_host=10.40.1.12 ansible_user=ubuntu

        [legacy]
        ; the old CentOS box still uses password auth
        legacy-01 ansible_host=«b» ansible_user=root ansible_ssh_pass=«ssh_pw» ansible_become_pass=«become_pw»

        [db]
        db-01 ansible_host=10.40.2.10

        [db:vars]
        postgres_password="{{ vault_postgres_password }}"
        postgres_replication_password=«repl_pw»

        [all:vars]
        ansible_python_interpreter=/usr/bin/python3
        ntp_servers=0.pool.ntp.org,1.pool.ntp.org
        dns_servers=1.1.1.1,9.9.9.9
        netmask=255.255.255.0
    """, a=_I(a), b=_I(b), ssh_pw=_P(g.pw(sym=SYM_INI)), become_pw=_P(g.pw(sym=SYM_INI)),
        repl_pw=_P(g.pw(sym=SYM_INI)))


@_doc
def _docker_compose(g: _G):
    pg = g.pw(sym="-_.~!*")
    return "docker-compose.prod.yml", _fill(r"""
        version: "3.9"

        services:
          api:
            image: ghcr.io/bluecanary/api@sha256:«digest»
            restart: unless-stopped
            depends_on: [db, queue]
            environment:
              DATABASE_URL: postgres://canary:«pg»@db:5432/canary
              AMQP_URL: amqp://canary:«rabbit»@queue:5672/%2F
              JWT_SECRET: «jwt_secret»
              SMTP_URL: smtps://canary-mailer:«smtp_pw»@smtp.fastmail.com:465
              SENTRY_DSN: ${SENTRY_DSN}
              LOG_LEVEL: info
            ports:
              - "127.0.0.1:8080:8080"

          db:
            image: postgres:16.2
            restart: unless-stopped
            environment:
              POSTGRES_USER: canary
              POSTGRES_PASSWORD: «pg»
              POSTGRES_DB: canary
            volumes:
              - pgdata:/var/lib/postgresql/data

          queue:
            image: rabbitmq:3.13-management
            environment:
              - RABBITMQ_DEFAULT_USER=canary
              - RABBITMQ_DEFAULT_PASS=«rabbit»

          pgadmin:
            image: dpage/pgadmin4:8.4
            environment:
              PGADMIN_DEFAULT_EMAIL: «pgadmin_mail»
              PGADMIN_DEFAULT_PASSWORD: "«pgadmin_pw»"
            ports:
              - "5050:80"

        volumes:
          pgdata:
    """, digest=g.sha256(), pg=_P(pg), rabbit=_P(g.pw(sym="-_.~")), jwt_secret=_K(g.b64(48)),
        pgadmin_mail=_E(g.email("dot")), pgadmin_pw=_P(g.pw(sym="!%*?-_.+@^")),
        smtp_pw=_P(g.pw_url()))


@_doc
def _github_actions(g: _G):
    return ".github/workflows/release.yml", _fill(r"""
        name: release

        on:
          push:
            tags: ["v*"]

        permissions:
          contents: write
          packages: write

        jobs:
          publish:
            runs-on: ubuntu-22.04
            steps:
              - uses: actions/checkout@«checkout_sha» # v4.1.1
              - uses: actions/setup-node@v4
                with:
                  node-version: 20
                  registry-url: https://registry.npmjs.org
              - run: npm ci
              - run: npm run build
              - run: npm publish --access public
                env:
                  # NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
                  NODE_AUTH_TOKEN: «npm»
              - name: push docs to the wiki repo
                run: |
                  git config user.name "release-bot"
                  git config user.email "«bot_mail»"
                  git remote set-url origin https://x-access-token:«ghs»@github.com/mosaicmedia/player-sdk.wiki.git
                  git push origin HEAD:master
              - name: deploy demo app
                uses: webfactory/ssh-agent@v0.9.0
                with:
                  ssh-private-key: |
                    «ssh_key»
              - run: |
                  git push dokku@demo.mosaicmedia.fr:player-demo HEAD:main
                  curl -n -X PATCH https://api.heroku.com/apps/player-sdk-docs/config-vars \
                    -H "Authorization: Bearer «heroku»" -H "Accept: application/vnd.heroku+json; version=3" \
                    -d '{"SDK_VERSION": "${{ github.ref_name }}"}'
              - name: notify
                uses: slackapi/slack-github-action@v1.25.0
                with:
                  payload: '{"text":"released ${{ github.ref_name }}"}'
                env:
                  SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}
                  SLACK_WEBHOOK_TYPE: INCOMING_WEBHOOK
    """, checkout_sha=g.sha1(), npm=_K(g.npm()), bot_mail=_E(g.email("role")), ghs=_K(g.gh("ghs_")),
        ssh_key=_K(g.pem("OPENSSH", sep="\n" + " " * 12)), heroku=_K(g.heroku()))


@_doc
def _k8s_secret(g: _G):
    reg_user = "deploy-bot"
    reg_token = g.glpat()
    auth = g.basic(reg_user, reg_token)
    dockercfg = json.dumps({"auths": {"registry.gitlab.com": {"username": reg_user,
                                                              "password": "@@TOKEN@@",
                                                              "auth": "@@AUTH@@"}}})
    dockercfg = dockercfg.replace("@@TOKEN@@", _K(reg_token)).replace("@@AUTH@@", _K(auth))
    return "k8s/overlays/prod/secrets.yaml", _fill(r"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: ledger-api
          namespace: ledger
        type: Opaque
        stringData:
          DATABASE_PASSWORD: "«db_pw»"
          STRIPE_SECRET_KEY: «stripe»
          STRIPE_WEBHOOK_SECRET: «whsec»
          SESSION_KEY: «session»
          # populated by external-secrets in other envs
          VAULT_TOKEN: «vault»
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: gitlab-registry
          namespace: ledger
        type: kubernetes.io/dockerconfigjson
        stringData:
          .dockerconfigjson: '«dockercfg»'
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ledger-api
          namespace: ledger
        data:
          LOG_LEVEL: info
          CLUSTER_DNS: 10.96.0.10
          POD_CIDR: 100.64.0.0/10
          BUILD_SHA: «build_sha»
    """, db_pw=_P(g.pw(sym="!%*?-_.+@^")), stripe=_K(g.stripe_sk()), whsec=_K(g.whsec()),
        session=_K(g.hexkey(64)), vault=_K(g.vault()), dockercfg=dockercfg, build_sha=g.sha1())


# ============================================================================== backend services

@_doc
def _go_service(g: _G):
    ip = g.ip()
    mail = g.email("role")
    return "services/notifier/internal/config/config.go", _fill(r"""
        package config

        import (
        	"database/sql"
        	"net/smtp"
        	"time"

        	_ "github.com/lib/pq"
        )

        type Config struct {
        	DSN          string
        	JWTSecret    string
        	SMTPHost     string
        	SMTPUser     string
        	SMTPPass     string
        	TokenTTL     time.Duration
        	MinPassLen   int
        }

        // serviceTokenKey signs short-lived ES256 tokens for internal calls.
        const serviceTokenKey = `«ec»`

        // Default is used when no config file is found. FIXME: this leaked into prod once.
        var Default = &Config{
        	DSN:        "host=«ip» port=5432 user=notifier password=«db_pw» dbname=notifier sslmode=require",
        	JWTSecret:  "«jwt»",
        	SMTPHost:   "email-smtp.eu-west-1.amazonaws.com",
        	SMTPUser:   "«ses_user»",
        	SMTPPass:   "«ses_pass»",
        	TokenTTL:   15 * time.Minute,
        	MinPassLen: 12,
        }

        func Open(c *Config) (*sql.DB, error) {
        	db, err := sql.Open("postgres", c.DSN)
        	if err != nil {
        		return nil, err
        	}
        	db.SetMaxOpenConns(20)
        	return db, db.Ping()
        }

        func SendMail(c *Config, to, body string) error {
        	auth := smtp.PlainAuth("", c.SMTPUser, c.SMTPPass, c.SMTPHost)
        	return smtp.SendMail(c.SMTPHost+":587", auth, fromAddr, []string{to}, []byte(body))
        }

        const fromAddr = "«mail»"

        func FallbackMail(to, body string) error {
        	pass := "«gmail_pw»"
        	auth := smtp.PlainAuth("", fromAddr, pass, "smtp.gmail.com")
        	return smtp.SendMail("smtp.gmail.com:587", auth, fromAddr, []string{to}, []byte(body))
        }
    """, ip=_I(ip), db_pw=_P(g.pw(sym=SYM_CONN.replace("#", ""))), jwt=_K(g.s(48, ALNUM)),
        ses_user=_K(g.aws_id()), ses_pass=_K("B" + g.s(43, ALNUM + "+/")), mail=_E(mail),
        gmail_pw=_P(g.pw()), ec=_K(g.pem("EC")))


@_doc
def _rust_service(g: _G):
    ip = g.ip()
    return "services/ingest-rs/src/main.rs", _fill(r"""
        use axum::{routing::post, Router};
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::{Message, SmtpTransport, Transport};
        use sqlx::postgres::PgPoolOptions;

        const API_TOKEN: &str = "«api_token»";
        const DATABASE_URL: &str = "postgres://ingest:«db_pw»@«ip»:5432/ingest";
        static HMAC_KEY: &[u8] = b"«hmac»";

        #[tokio::main]
        async fn main() -> anyhow::Result<()> {
            tracing_subscriber::fmt::init();

            let pool = PgPoolOptions::new()
                .max_connections(10)
                .connect(DATABASE_URL)
                .await?;

            let creds = Credentials::new("«smtp_user»".to_string(), "«smtp_pw»".to_string());
            let mailer = SmtpTransport::relay("smtp.fastmail.com")?.credentials(creds).build();

            let email = Message::builder()
                .from("Ingest <«smtp_user»>".parse()?)
                .to("«ops»".parse()?)
                .subject("ingest-rs started")
                .body(String::from("ingest-rs v0.7.2 is up"))?;
            mailer.send(&email)?;

            let app = Router::new()
                .route("/v1/events", post(handlers::ingest))
                .with_state(handlers::AppState { pool, api_token: API_TOKEN.into(), hmac_key: HMAC_KEY.to_vec() });

            let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
            axum::serve(listener, app).await?;
            Ok(())
        }
    """, api_token=_K(g.s(40, ALNUM)), db_pw=_P(g.pw_url()), ip=_I(ip), hmac=_K(g.s(32, ALNUM)),
        smtp_user=_E(g.email("sub")), smtp_pw=_P(g.s(16, LOW + DIG)), ops=_E(g.email("role")))


@_doc
def _phoenix_config(g: _G):
    ip = g.ip()
    return "phoenix/config/prod.exs", _fill(r"""
        import Config

        config :tidewater, TidewaterWeb.Endpoint,
          url: [host: "tidewater-analytics.com", port: 443, scheme: "https"],
          cache_static_manifest: "priv/static/cache_manifest.json",
          secret_key_base: "«skb»"

        config :tidewater, Tidewater.Repo,
          username: "tidewater",
          password: "«db_pw»",
          hostname: "«ip»",
          database: "tidewater_prod",
          pool_size: 15,
          ssl: true

        config :tidewater, Tidewater.Mailer,
          adapter: Swoosh.Adapters.Sendgrid,
          api_key: "«sendgrid»"

        config :tidewater, :stripe,
          secret_key: System.get_env("STRIPE_SECRET_KEY"),
          publishable_key: "«pk»"

        config :ueberauth, Ueberauth.Strategy.Auth0.OAuth,
          domain: "tidewater.eu.auth0.com",
          client_id: "«a0_id»",
          client_secret: "«a0_secret»"

        config :tidewater, Oban,
          repo: Tidewater.Repo,
          queues: [default: 10, mailers: 20, reports: 5]

        config :logger, level: :info
        config :swoosh, :api_client, Swoosh.ApiClient.Finch
    """, skb=_K(g.b64(48, url=True, pad=False) + g.s(2, ALNUM)),
        db_pw=_P(g.pw()), ip=_I(ip), sendgrid=_K(g.sendgrid()), pk=g.pk_live(),
        a0_id=g.s(32, ALNUM), a0_secret=_K(g.s(64, B64U)))


@_doc
def _spring_properties(g: _G):
    ip = g.ip()
    return "spring/orders-service/src/main/resources/application-prod.properties", _fill(r"""
        spring.application.name=orders-service
        server.port=8443
        server.ssl.key-store=classpath:keystore.p12
        server.ssl.key-store-password=«ks_pw»
        server.ssl.key-store-type=PKCS12

        spring.datasource.url=jdbc:mysql://«ip»:3306/orders?useSSL=true&serverTimezone=UTC
        spring.datasource.username=orders_svc
        spring.datasource.password=«db_pw»
        spring.datasource.hikari.maximum-pool-size=20

        spring.jpa.hibernate.ddl-auto=validate
        spring.jpa.open-in-view=false

        spring.mail.host=smtp.office365.com
        spring.mail.port=587
        spring.mail.username=«mail_user»
        spring.mail.password=«mail_pw»
        spring.mail.properties.mail.smtp.starttls.enable=true

        spring.rabbitmq.addresses=amqps://orders:«amqp_pw»@«amqp_host».rmq.cloudamqp.com/orders

        app.jwt.secret=«jwt»
        okta.client.org-url=https://velox.okta.com
        okta.client.token=«okta»
        app.jwt.expiration-ms=86400000
        app.security.password-min-length=10
        app.security.password-reset-url=https://shop.veloxcommerce.shop/reset-password?token={token}

        management.endpoints.web.exposure.include=health,info,prometheus
        logging.level.org.hibernate.SQL=WARN
    """, ks_pw=_P(g.pw(sym=SYM_ENV)), ip=_I(ip), db_pw=_P(g.pw(sym=SYM_ENV)),
        mail_user=_E(g.email("role")), mail_pw=_P(g.pw(sym=SYM_ENV)), amqp_pw=_P(g.s(32, ALNUM + "_-")),
        amqp_host=g.word(), jwt=_K(g.b64(64)), okta=_K(g.okta()))


@_doc
def _spring_java_beans(g: _G):
    ip = g.ip()
    return "spring/legacy-portal/src/main/java/com/castellan/portal/config/InfraConfig.java", _fill(r"""
        package com.castellan.portal.config;

        import java.util.Hashtable;
        import javax.naming.Context;
        import javax.naming.directory.DirContext;
        import javax.naming.directory.InitialDirContext;
        import javax.sql.DataSource;

        import org.springframework.beans.factory.annotation.Value;
        import org.springframework.boot.jdbc.DataSourceBuilder;
        import org.springframework.context.annotation.Bean;
        import org.springframework.context.annotation.Configuration;
        import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
        import org.springframework.security.crypto.password.PasswordEncoder;

        @Configuration
        public class InfraConfig {

            @Value("${portal.reporting.password}")
            private String reportingPassword;

            /** hash of the break-glass admin, generated with BCryptPasswordEncoder(12) */
            public static final String BREAK_GLASS_HASH = "«bcrypt»";

            @Bean
            public DataSource dataSource() {
                return DataSourceBuilder.create()
                        .url("jdbc:mysql://«ip»:3306/portal")
                        .username("portal")
                        .password("«db_pw»")
                        .driverClassName("com.mysql.cj.jdbc.Driver")
                        .build();
            }

            @Bean
            public PasswordEncoder passwordEncoder() {
                return new BCryptPasswordEncoder(12);
            }

            @Bean
            public DirContext ldapContext() throws Exception {
                Hashtable<String, String> env = new Hashtable<>();
                env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
                env.put(Context.PROVIDER_URL, "ldaps://ldap.castellan.de:636");
                env.put(Context.SECURITY_AUTHENTICATION, "simple");
                env.put(Context.SECURITY_PRINCIPAL, "cn=portal-bind,ou=services,dc=castellan,dc=de");
                env.put(Context.SECURITY_CREDENTIALS, "«ldap_pw»");
                return new InitialDirContext(env);
            }
        }
    """, bcrypt=g.bcrypt(), ip=_I(ip), db_pw=_P(g.pw()), ldap_pw=_P(g.pw_escaped()))


@_doc
def _dotnet_appsettings(g: _G):
    ip = g.ip()
    acct = g.word() + "store" + g.digits(2)
    return "dotnet/Ironbark.Api/appsettings.Production.json", _fill(r"""
        {
          "Logging": {
            "LogLevel": {
              "Default": "Information",
              "Microsoft.AspNetCore": "Warning"
            }
          },
          "AllowedHosts": "*",
          "ConnectionStrings": {
            "Default": "Server=tcp:«ip»,1433;Initial Catalog=Ironbark;Persist Security Info=False;User ID=ironbark_app;Password=«db_pw»;Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;",
            "Redis": "ironbark.redis.cache.windows.net:6380,password=«redis_key»,ssl=True,abortConnect=False",
            "Storage": "DefaultEndpointsProtocol=https;AccountName=«acct»;AccountKey=«acct_key»;EndpointSuffix=core.windows.net",
            "ExportsSas": "https://«acct».blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2025-12-31T23:59:59Z&st=2024-01-01T00:00:00Z&spr=https&sig=«sig»"
          },
          "Jwt": {
            "Issuer": "https://api.ironbark.systems",
            "Audience": "ironbark-clients",
            "Key": "«jwt_key»"
          },
          "SendGrid": {
            "ApiKey": "«sendgrid»",
            "FromAddress": "«from»"
          },
          "Identity": {
            "Password": {
              "RequiredLength": 12,
              "RequireNonAlphanumeric": true
            }
          },
          "ApplicationInsights": {
            "ConnectionString": "InstrumentationKey=«ikey»;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
          }
        }
    """, ip=_I(ip), db_pw=_P(g.pw(sym=SYM_CONN)), redis_key=_K(g.b64(32)), acct=acct,
        acct_key=_K(g.azure_key()), sig=_K(g.sas_sig()), jwt_key=_K(g.s(64, ALNUM)), sendgrid=_K(g.sendgrid()),
        **{"from": _E(g.email("role"))}, ikey=g.uuid())


@_doc
def _php_legacy(g: _G):
    ip, ftp_ip = g.ip(), g.ip()
    return "php/intranet/includes/connect.php", _fill(r"""
        <?php
        // Shared connections for the intranet. Included by every page.
        // Last touched: 2019 - «maint»

        $dbh = new PDO("mysql:host=«ip»;dbname=intranet;charset=utf8mb4", "intranet_rw", "«pdo_pw»", [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        ]);

        // LDAP login for staff
        function ldap_check_user($uid, $password) {
            $ds = ldap_connect("ldap://dc01.corp.atlasfreight.com.au");
            ldap_set_option($ds, LDAP_OPT_PROTOCOL_VERSION, 3);
            if (!ldap_bind($ds, "CN=svc-intranet,OU=Service,DC=corp,DC=atlasfreight,DC=com,DC=au", "«ldap_pw»")) {
                return false;
            }
            $sr = ldap_search($ds, "DC=corp,DC=atlasfreight,DC=com,DC=au", "(sAMAccountName=" . ldap_escape($uid) . ")");
            $entries = ldap_get_entries($ds, $sr);
            return $entries["count"] === 1 && @ldap_bind($ds, $entries[0]["dn"], $password);
        }

        // nightly export to the carrier
        function push_manifest($file) {
            $conn = ftp_connect("«ftp_ip»");
            $contrasena_ftp = "«ftp_pw»";
            ftp_login($conn, "atlas_edi", $contrasena_ftp);
            ftp_pasv($conn, true);
            ftp_put($conn, basename($file), $file, FTP_BINARY);
            ftp_close($conn);
        }

        require_once 'vendor/PHPMailer/src/PHPMailer.php';
        $mail = new PHPMailer\PHPMailer\PHPMailer(true);
        $mail->isSMTP();
        $mail->Host = 'smtp.office365.com';
        $mail->SMTPAuth = true;
        $mail->Username = '«mail_user»';
        $mail->Password = '«mail_pw»';
        $mail->SMTPSecure = 'tls';
        $mail->Port = 587;
    """, maint=_E(g.email("flast")), ip=_I(ip), pdo_pw=_P(g.pw()), ldap_pw=_P(g.pw()),
        ftp_ip=_I(ftp_ip), ftp_pw=_P(g.pw()), mail_user=_E(g.email("role")), mail_pw=_P(g.pw()))


@_doc
def _ruby_service(g: _G):
    ip = g.ip()
    return "ruby/billing-worker/lib/billing/clients.rb", _fill(r"""
        # frozen_string_literal: true

        require "net/smtp"
        require "redis"
        require "stripe"

        module Billing
          module Clients
            Stripe.api_key = "«stripe»"
            Stripe.api_version = "2023-10-16"

            REDIS = Redis.new(url: "redis://:«redis_pw»@«ip»:6379/2", timeout: 2)

            FROM = "«from»"
            MAILGUN_DOMAIN = "mg.orbitalpay.com.br"
            MAILGUN_API_KEY = ENV.fetch("MAILGUN_API_KEY") { "«mailgun»" }

            def self.send_receipt(to, body)
              msg = <<~MAIL
                From: Billing <#{FROM}>
                To: #{to}
                Subject: Seu recibo

                #{body}
              MAIL
              Net::SMTP.start("smtp.zoho.eu", 587, "orbitalpay.com.br", FROM, "«smtp_pw»", :login) do |smtp|
                smtp.send_message(msg, FROM, to)
              end
            end

            def self.webhook_secret
              @webhook_secret ||= Rails.application.credentials.dig(:stripe, :webhook_secret) || "«whsec»"
            end
          end
        end
    """, stripe=_K(g.stripe_sk("rk_live_")), redis_pw=_P(g.pw_url()), ip=_I(ip),
        mailgun=_K(g.s(32, HEXL) + "-" + g.s(8, HEXL) + "-" + g.s(8, HEXL)),
        **{"from": _E(g.email("role"))}, smtp_pw=_P(g.pw()), whsec=_K(g.whsec()))


@_doc
def _node_express(g: _G):
    ip = g.ip()
    return "node/api-gateway/src/server.js", _fill(r"""
        'use strict';

        const express = require('express');
        const mongoose = require('mongoose');
        const nodemailer = require('nodemailer');
        const jwt = require('jsonwebtoken');
        const amqp = require('amqplib');
        const { createClient } = require('redis');
        const twilio = require('twilio');

        const app = express();
        app.use(express.json());

        mongoose.connect('mongodb+srv://gateway:«mongo_pw»@prod.«cluster».mongodb.net/gateway');

        const redis = createClient({ socket: { host: 'redis-12514.c2.eu-west-1-3.ec2.cloud.redislabs.com', port: 12514 }, password: '«redis_pw»' });
        redis.connect();

        const transporter = nodemailer.createTransport({
          host: 'smtp.sendgrid.net',
          port: 587,
          auth: { user: 'apikey', pass: '«sendgrid»' },
        });

        const sms = twilio(process.env.TWILIO_ACCOUNT_SID, '«twilio»');

        const mailer2 = nodemailer.createTransport({
          service: 'gmail',
          auth: { user: '«gmail»', pass: '«gmail_pw»' },
        });

        app.post('/login', async (req, res) => {
          const { email, password } = req.body;
          const user = await User.findOne({ email });
          if (!user || !(await user.checkPassword(password))) return res.sendStatus(401);
          const token = jwt.sign({ sub: user.id }, '«jwt_secret»', { expiresIn: '1h' });
          res.json({ token });
        });

        (async () => {
          const conn = await amqp.connect('amqp://gateway:«amqp_pw»@«ip»:5672');
          const ch = await conn.createChannel();
          await ch.assertQueue('emails');
          ch.consume('emails', async (m) => {
            await transporter.sendMail(JSON.parse(m.content.toString()));
            ch.ack(m);
          });
        })();

        app.listen(process.env.PORT || 3000);
    """, mongo_pw=_P(g.pw_url()), cluster=g.s(5, LOW + DIG), redis_pw=_P(g.s(32, ALNUM)),
        sendgrid=_K(g.sendgrid()), gmail=_E(g.email("free")), gmail_pw=_P(g.pw()),
        jwt_secret=_K(g.hexkey(64)), amqp_pw=_P(g.pw_url()), ip=_I(ip),
        twilio=_K(g.hexkey(32)))


@_doc
def _django_settings(g: _G):
    ip = g.ip()
    return "django/kestrel/kestrel/settings/production.py", _fill(r'''
        """Production settings for kestrel."""
        from .base import *  # noqa

        DEBUG = False
        SECRET_KEY = "«secret_key»"
        ALLOWED_HOSTS = ["kestrelbio.io", "www.kestrelbio.io", "«ip»", "[«ip6»]"]

        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "kestrel",
                "USER": "kestrel",
                "PASSWORD": "«db_pw»",
                "HOST": "kestrel-prod.cluster-c9xk2.eu-central-1.rds.amazonaws.com",
                "PORT": "5432",
            }
        }

        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = "smtp.mailgun.org"
        EMAIL_HOST_USER = "«email_user»"
        EMAIL_HOST_PASSWORD = "«email_pw»"
        # EMAIL_HOST_PASSWORD = "«old_email_pw»"  # pre-2024 mailbox
        DEFAULT_FROM_EMAIL = "Kestrel <«email_user»>"
        SERVER_EMAIL = EMAIL_HOST_USER
        ADMINS = [("Ops", "«admin_mail»")]

        AWS_ACCESS_KEY_ID = "«akid»"
        AWS_SECRET_ACCESS_KEY = "«aws_secret»"
        AWS_STORAGE_BUCKET_NAME = "kestrel-media"

        SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "«gclient»"
        SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = "«gsecret»"

        PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
        AUTH_PASSWORD_VALIDATORS = [
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
        ]
        LOGIN_URL = "/accounts/login/"
        PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
    ''', secret_key=_K(g.django_key()), ip=_I(ip), ip6=_I(g.ip6()), db_pw=_P(g.pw()), email_user=_E(g.email("role")),
        email_pw=_P(g.pw()), old_email_pw=_P(g.pw()), admin_mail=_E(g.email("dot")),
        akid=_K(g.aws_id()), aws_secret=_K(g.aws_secret()),
        gclient=g.client_id(), gsecret=_K(g.gocspx()))


@_doc
def _python_ops_clients(g: _G):
    bastion, ftp_host = g.ip(), g.ip()
    return "tools/backup_collector.py", _fill(r'''
        """Collect nightly backups from the bastion and the partner FTP, then index them in LDAP."""
        import ftplib
        import getpass
        import os

        import ldap3
        import paramiko
        import redis
        import requests

        BASTION = "«bastion»"
        PARTNER_FTP = "«ftp_host»"


        def pull_from_bastion(dest: str) -> None:
            ssh = paramiko.SSHClient()
            ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            ssh.connect(BASTION, port=22, username="backup", password="«ssh_pw»", timeout=20)
            sftp = ssh.open_sftp()
            for name in sftp.listdir("/var/backups/nightly"):
                sftp.get(f"/var/backups/nightly/{name}", os.path.join(dest, name))
            ssh.close()


        def pull_from_partner(dest: str) -> None:
            with ftplib.FTP(PARTNER_FTP, "ironbark", "«ftp_pw»") as ftp:
                ftp.cwd("/outbound")
                for name in ftp.nlst():
                    with open(os.path.join(dest, name), "wb") as fh:
                        ftp.retrbinary(f"RETR {name}", fh.write)


        def index(dest: str) -> None:
            server = ldap3.Server("ldaps://ldap.ironbark.systems", use_ssl=True)
            conn = ldap3.Connection(server, "cn=backup-indexer,ou=svc,dc=ironbark,dc=systems", "«ldap_pw»", auto_bind=True)
            cache = redis.Redis(host="cache.ironbark.systems", port=6380, password="«redis_pw»", ssl=True)
            for name in os.listdir(dest):
                cache.sadd("backups:seen", name)
            conn.unbind()
            requests.post("https://backup-index.ironbark.systems/api/refresh", auth=("indexer", "«idx_pw»"), timeout=30)


        if __name__ == "__main__":
            target = os.environ.get("BACKUP_DEST", "/srv/backups")
            if not os.environ.get("CI"):
                _ = getpass.getpass("Confirm operator password: ")
            pull_from_bastion(target)
            pull_from_partner(target)
            index(target)
    ''', bastion=_I(bastion), ftp_host=_I(ftp_host), ssh_pw=_P(g.pw()), ftp_pw=_P(g.pw()),
        ldap_pw=_P(g.pw()), redis_pw=_P(g.pw()), idx_pw=_P(g.pw()))


@_doc
def _pytest_fixtures(g: _G):
    u = [(g.email(), g.pw()) for _ in range(3)]
    return "tests/test_auth_flows.py", _fill(r'''
        import os
        from unittest import mock

        import pytest
        from django.contrib.auth.hashers import make_password

        import factory

        from accounts.models import User

        NONCE = "«nonce»"            # fixed nonce so the signature test is stable
        IV = bytes.fromhex("«iv»")


        class StaffFactory(factory.django.DjangoModelFactory):
            class Meta:
                model = User

            email = factory.Sequence(lambda n: f"staff{n}@testserver")
            password = factory.PostGenerationMethodCall("set_password", "«factory_pw»")
            is_staff = True


        @pytest.fixture
        def admin_user(db):
            return User.objects.create_superuser(email="«admin_email»", password="«admin_pw»")


        @pytest.mark.parametrize(
            "email,password,expected",
            [
                ("«e1»", "«p1»", 200),
                ("«e2»", "«p2»", 200),
                ("«e3»", "«p3»", 200),
                ("«e1»", "«p1_wrong»", 401),
                ("nobody", "", 400),
            ],
        )
        def test_login(client, db, email, password, expected):
            User.objects.create_user(email=email, password=password)
            assert client.post("/api/login", {"email": email, "password": password}).status_code in (expected, 200)


        def test_hash_is_not_plaintext(db):
            hashed = make_password("«hash_pw»")
            assert hashed.startswith("argon2") or hashed.startswith("pbkdf2_sha256$")
            assert "«pbkdf2»".count("$") == 3


        @mock.patch.dict(os.environ, {"PAYMENTS_API_KEY": "«pay_key»", "DEBUG": "1"})
        def test_payments_client_reads_env():
            from payments.client import PaymentsClient
            assert PaymentsClient().api_key.startswith("sk_test_") is False


        def test_webhook_signature():
            from payments.webhooks import verify
            assert verify(b"{}", secret="«whsec»", nonce=NONCE)
    ''', nonce=g.hexkey(24), iv=g.hexkey(32), factory_pw=_P(g.pw()), admin_email=_E(g.email("role")), admin_pw=_P(g.pw()),
        e1=_E(u[0][0]), p1=_P(u[0][1]), e2=_E(u[1][0]), p2=_P(u[1][1]), e3=_E(u[2][0]), p3=_P(u[2][1]),
        p1_wrong=_P("wrong-" + g.s(6, LOW) + g.s(2, DIG)), hash_pw=_P(g.pw()), pbkdf2=g.pbkdf2(), pay_key=_K(g.stripe_sk()),
        whsec=_K(g.whsec()))


@_doc
def _rails_seeds(g: _G):
    admin_pw, demo_pw = g.pw(), g.pw("lower")
    return "rails/db/seeds.rb", _fill(r"""
        # This file should ensure the existence of records required to run the application in every environment.
        # The data can then be loaded with bin/rails db:seed

        puts "Seeding roles..."
        %w[admin manager agent viewer].each { |name| Role.find_or_create_by!(name: name) }

        puts "Seeding users..."
        admin = User.find_or_create_by!(email: "«admin_mail»") do |u|
          u.name = "Site Admin"
          u.password = "«admin_pw»"
          u.password_confirmation = "«admin_pw»"
          u.role = Role.find_by!(name: "admin")
        end

        demo = User.find_or_create_by!(email: "«demo_mail»") do |u|
          u.name = "Demo Agent"
          u.password = "«demo_pw»"
          u.password_confirmation = "«demo_pw»"
          u.role = Role.find_by!(name: "agent")
        end

        User.find_or_create_by!(email: "«viewer_mail»") do |u|
          u.name = "Read Only"
          u.password = SecureRandom.base58(20)
          u.role = Role.find_by!(name: "viewer")
        end

        puts "Seeding integrations..."
        Integration.find_or_create_by!(provider: "zendesk") do |i|
          i.subdomain = "brightlane"
          i.api_token = "«zendesk»"
          i.agent_email = "«demo_mail»"
        end

        Integration.find_or_create_by!(provider: "jira") do |i|
          i.subdomain = "brightlane"
          i.api_token = "«jira»"
        end

        puts "Done. Log in as #{admin.email} / #{demo.email}"
    """, admin_mail=_E(g.email("role")), admin_pw=_P(admin_pw), demo_mail=_E(g.email("dot")),
        demo_pw=_P(demo_pw), viewer_mail=_E(g.email("sub")), zendesk=_K(g.s(40, ALNUM)), jira=_K(g.atlassian()))


@_doc
def _node_fixture_json(g: _G):
    rows = []
    for i in range(4):
        rows.append(
            "    {\n"
            f"      \"id\": \"{g.uuid()}\",\n"
            f"      \"email\": \"{_E(g.email())}\",\n"
            f"      \"password\": \"{_P(g.pw_escaped(sym='!#%&*?-_.+=@^~') if i == 2 else g.pw(sym='!#%&*?-_.+=@^~'))}\",\n"
            f"      \"role\": \"{g.c(['admin', 'editor', 'member', 'member'])}\",\n"
            f"      \"avatar\": \"https://cdn.mosaicmedia.fr/avatars/{g.s(8, LOW + DIG)}@2x.png\",\n"
            f"      \"createdAt\": \"2024-0{g.n(1, 9)}-1{g.n(0, 9)}T09:{g.n(10, 59)}:00.000Z\"\n"
            "    }"
        )
    body = "{\n  \"_comment\": \"seed users for e2e tests (cypress/fixtures/users.json)\",\n  \"users\": [\n"
    body += ",\n".join(rows)
    body += ("\n  ],\n  \"apiKeys\": {\n"
             f"    \"sandbox\": \"{_K(g.s(48, ALNUM))}\",\n"
             "    \"publicWidget\": \"pk_test_only_public\"\n  }\n}\n")
    return "node/cms-frontend/cypress/fixtures/users.json", body


# ============================================================================== docs, posts, issues

@_doc
def _readme_demo(g: _G):
    return "README.md", _fill(r"""
        # Fleetboard

        Real-time fleet tracking dashboard (Next.js + FastAPI + TimescaleDB).

        ![screenshot](docs/img/dashboard@2x.png)

        ## Quick start

        ```bash
        git clone git@github.com:atlasfreight/fleetboard.git
        cd fleetboard
        cp .env.example .env          # then fill in YOUR_MAPBOX_TOKEN etc.
        docker compose up -d
        ```

        Open http://localhost:3000 and log in with the demo account:

        | user | password |
        |------|----------|
        | `«demo_user»` | `«demo_pw»` |

        > The demo account is reset every night. Please don't change its password.

        ## API

        Every request needs a bearer token. For the public sandbox you can use this one
        (read-only, expires 2026):

        ```bash
        curl -H "Authorization: Bearer «jwt»" \
             https://sandbox.fleetboard.atlasfreight.com.au/api/v1/vehicles
        ```

        ## Configuration

        | variable | description |
        |----------|-------------|
        | `DATABASE_URL` | e.g. `postgres://fleet:<password>@localhost:5432/fleet` |
        | `MAPBOX_TOKEN` | your Mapbox **secret** token (`sk.…`) |
        | `JWT_SECRET` | any long random string |

        ## Maintainers

        - «m1»
        - Tariq Haddad (@thaddad)

        Licensed under MIT. Icons by @tabler/icons@2.47.0.
    """, demo_user=_E(g.email("role")), demo_pw=_P(g.pw()),
        jwt=_K(g.jwt({"sub": "sandbox", "scope": "read", "iat": "$iat", "exp": "$exp"})),
        m1=_E(g.email("dot")))


@_doc
def _tutorial_transcript(g: _G):
    db, cache = g.ip(), g.ip()
    return "docs/tutorials/02-connecting-to-services.md", _fill(r"""
        # Part 2 — Connecting to the database and cache

        In part 1 we provisioned the droplets. Now let's check that we can reach the services.
        My database droplet got the public IP `«db»`, yours will differ.

        ```console
        $ mysql -h «db» -u app -p
        Enter password:
        Welcome to the MySQL monitor.  Commands end with ; or \g.
        Your MySQL connection id is 12
        Server version: 8.0.36-0ubuntu0.22.04.1 (Ubuntu)

        mysql> SELECT user, host FROM mysql.user;
        +------------------+-----------+
        | user             | host      |
        +------------------+-----------+
        | app              | %         |
        | mysql.sys        | localhost |
        +------------------+-----------+
        ```

        Now Redis. I set `requirepass` in part 1, so pass it with `-a`:

        ```console
        $ redis-cli -h «cache» -p 6379 -a '«redis_pw»' ping
        Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.
        PONG
        ```

        Finally export your Anthropic key so the worker can call the API (this is my throwaway key,
        it's already revoked):

        ```console
        $ export ANTHROPIC_API_KEY=«anthropic»
        $ python worker.py --dry-run
        2024-03-02 10:14:07 INFO  worker v1.3.0 starting, pid=4121
        2024-03-02 10:14:07 INFO  resolver 8.8.8.8 ok, gateway 10.114.0.1 ok
        ```

        If `mysql` hangs, check that port 3306 is open in the droplet firewall and that you
        did not bind MySQL to `127.0.0.1`.
    """, db=_I(db), cache=_I(cache), redis_pw=_P(g.pw(sym="!#%&*?-_.+=@^~")), anthropic=_K(g.anthropic()))


@_doc
def _stackoverflow_odbc(g: _G):
    ip = g.ip()
    sender = g.email("free")
    return "docs/so/pyodbc-login-failed.md", _fill(r"""
        **pyodbc: Login failed for user 'sa' even though the password is right**

        I'm trying to connect to SQL Server 2019 running on a VPS from my laptop. SSMS connects
        fine with the same credentials but Python fails:

        ```python
        import pyodbc
        import smtplib

        conn_str = (
            "DRIVER={ODBC Driver 17 for SQL Server};"
            "SERVER=«ip»,1433;"
            "DATABASE=Inventory;"
            "UID=sa;"
            "PWD={«pwd»};"
        )
        conn = pyodbc.connect(conn_str)

        server = smtplib.SMTP("smtp.gmail.com", 587)
        server.starttls()
        server.login("«sender»", "«gmail_pw»")
        ```

        Error:

        ```
        pyodbc.InterfaceError: ('28000', "[28000] [Microsoft][ODBC Driver 17 for SQL Server][SQL Server]Login failed for user 'sa'. (18456) (SQLDriverConnect)")
        ```

        Also the email part fails with `smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted.')`.

        ---

        **Answer** (score 14)

        The password contains a `;`… actually it doesn't, but it contains `}` in my case, so wrap it in
        braces and double any `}` inside. For Gmail you need an *app password*; your normal password
        won't work. And please rotate the password you just posted. Also: never connect as `sa`.

        — answered by «answerer»
    """, ip=_I(ip), pwd=_P(g.pw(sym="!#%*?-_.+@^~")), sender=_E(sender), gmail_pw=_P(g.pw()),
        answerer=_E(g.email("digits")))


@_doc
def _blog_vps(g: _G):
    ip = g.ip()
    ip6 = g.ip6()
    return "blog/_posts/2024-02-11-deploying-my-discord-bot-to-a-vps.md", _fill(r"""
        ---
        layout: post
        title: "Deploying my Discord bot to a €4 VPS"
        tags: [discord, python, devops]
        ---

        After the free tier I was using shut down, I moved my bot to a Hetzner CX11. Here's
        everything I did, copy-paste friendly.

        ## 1. Log in and harden

        ```bash
        ssh root@«ip»
        adduser bot && usermod -aG sudo bot
        ufw allow OpenSSH && ufw enable
        ```

        The box also has IPv6 (`«ip6»`), handy for the health check later.

        ## 2. Clone the repo

        My repo is private on GitLab, so I used a project access token in the remote URL:

        ```bash
        git clone https://oauth2:«glpat»@gitlab.com/leila.haddad/dicebot.git
        ```

        ## 3. The `.env`

        ```ini
        DISCORD_TOKEN=«discord»
        DATABASE_URL=postgresql://dicebot:«db_pw»@localhost/dicebot
        LOG_LEVEL=info
        ```

        (Don't worry, all of these have been regenerated since.)

        ## 4. systemd unit

        ```ini
        [Unit]
        Description=dicebot
        After=network-online.target

        [Service]
        User=bot
        WorkingDirectory=/home/bot/dicebot
        EnvironmentFile=/home/bot/dicebot/.env
        ExecStart=/home/bot/dicebot/.venv/bin/python -m dicebot
        Restart=always

        [Install]
        WantedBy=multi-user.target
        ```

        That's it — `systemctl enable --now dicebot` and the bot is online 24/7.
    """, ip=_I(ip), ip6=_I(ip6), glpat=_K(g.glpat()), discord=_K(g.discord()), db_pw=_P(g.pw_url()))


@_doc
def _issue_sqlalchemy(g: _G):
    ip1, ip2 = g.ip(), g.ip()
    pw = g.pw(sym="-_.!~*")
    return "issues/1432-connection-pool-timeout.md", _fill(r"""
        ### Connection pool exhausted after upgrading to 2.4.0

        **Describe the bug**
        After upgrading from 2.3.7 to 2.4.0 the workers die after ~20 minutes with a pool timeout.
        Rolling back fixes it.

        **Config** (`config/production.yaml`)

        ```yaml
        database:
          url: postgresql+psycopg2://ledger:«pw»@«ip1»:5432/ledger
          pool_size: 5
          max_overflow: 10
          replica_url: postgresql+psycopg2://ledger_ro:«ro_pw»@«ip2»:5432/ledger
        celery:
          broker_url: ${CELERY_BROKER_URL}
        ```

        **Stack trace**

        ```
        [2024-04-18 03:12:55,104: ERROR/ForkPoolWorker-3] Task ledger.tasks.reconcile[«task_id»] raised unexpected: OperationalError
        Traceback (most recent call last):
          File "/app/.venv/lib/python3.11/site-packages/sqlalchemy/pool/base.py", line 1413, in _checkout
            fairy = _ConnectionRecord.checkout(pool)
          File "/app/.venv/lib/python3.11/site-packages/sqlalchemy/engine/create.py", line 643, in connect
            return dialect.connect(*cargs, **cparams)
        sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "«ip1»", port 5432 failed: FATAL:  remaining connection slots are reserved for non-replication superuser connections

        (Background on this error at: https://sqlalche.me/e/20/e3q8)
        engine url: postgresql+psycopg2://ledger:«pw»@«ip1»:5432/ledger
        ```

        **Environment**
        - ledger-sync 2.4.0 (commit «commit»)
        - Python 3.11.8, SQLAlchemy 2.0.29, psycopg2-binary 2.9.9
        - PostgreSQL 15.6 on Ubuntu 22.04

        cc @maintainers — reported by «reporter»
    """, pw=_P(pw), ip1=_I(ip1), ro_pw=_P(g.pw_url()), ip2=_I(ip2), task_id=g.uuid(),
        commit=g.sha1()[:12], reporter=_E(g.email("free")))


@_doc
def _issue_java_trace(g: _G):
    ip = g.ip()
    return "issues/877-hikari-startup-failure.md", _fill(r"""
        ## App fails to start on Java 21: HikariPool-1 - Exception during pool initialization

        Steps: `./mvnw spring-boot:run -Dspring-boot.run.profiles=staging`

        ```
        2024-05-02T09:41:17.332+02:00  INFO 61244 --- [           main] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Starting...
        2024-05-02T09:41:27.351+02:00 ERROR 61244 --- [           main] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Exception during pool initialization.

        com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure
        	at com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:175)
        	at com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:825)
        	at com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:359)
        	at com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:554)
        Caused by: java.net.ConnectException: Connection timed out
        	at java.base/sun.nio.ch.Net.connect0(Native Method)
        	... 63 common frames omitted

        2024-05-02T09:41:27.360+02:00  WARN 61244 --- [           main] o.s.b.a.jdbc.DataSourceHealthIndicator  : jdbcUrl=jdbc:mysql://«ip»:3306/app?user=app_staging&password=«pw»&useSSL=false
        ```

        `application-staging.yml`:

        ```yaml
        spring:
          datasource:
            url: jdbc:mysql://«ip»:3306/app?user=app_staging&password=«pw»&useSSL=false
            hikari:
              connection-timeout: 10000
        ```

        Versions: Spring Boot 3.2.5, mysql-connector-j 8.3.0, Temurin 21.0.3+9, macOS 14.4.1.
        Works fine on Java 17.0.10. Any idea?
    """, ip=_I(ip), pw=_P(g.pw(sym="!*-_.~")))


@_doc
def _security_incident(g: _G):
    akid = g.aws_id()
    return "docs/postmortems/2024-03-credential-leak.md", _fill(r"""
        # Postmortem: AWS key committed to a public repository

        **Status:** resolved · **Severity:** SEV-2 · **Owner:** «owner»

        ## Summary

        On 2024-03-07 a developer pushed `scripts/backfill.py` containing a long-lived IAM user key
        to the public `quill-sdk` repository. GitHub secret scanning notified AWS, which attached
        the `AWSCompromisedKeyQuarantineV2` policy within 4 minutes.

        The leaked line was:

        ```python
        # TODO remove hardcoded key before merging
        session = boto3.Session(aws_access_key_id="«akid»", aws_secret_access_key="«secret»")
        ```

        The key was deactivated at 14:22 UTC and deleted at 14:40 UTC. CloudTrail shows
        `GetCallerIdentity` from 3 unknown addresses, e.g. `«attacker»` and `«attacker6»`, but no writes.

        ## Timeline (UTC)

        | time  | event |
        |-------|-------|
        | 14:03 | commit `«commit»` pushed |
        | 14:07 | AWS quarantine policy attached to `«akid»` |
        | 14:15 | on-call paged via «pager» |
        | 14:22 | key deactivated |

        ## Action items

        - Enable push protection org-wide.
        - Replace IAM users with OIDC roles in CI.
        - Note: the AWS docs' sample key `AKIAIOSFODNN7EXAMPLE` in our README is fine and stays.

        Questions: «security»
    """, owner=_E(g.email("dot")), akid=_K(akid), secret=_K(g.aws_secret()), attacker=_I(g.ip()), attacker6=_I(g.ip6()),
        commit=g.sha1(), pager=_E(g.email("role")), security=_E(g.email("role")))


@_doc
def _api_docs_curl(g: _G):
    key = g.s(32, ALNUM)
    basic_pw = g.pw(sym="!#%&*?-_.+=@^~")
    return "docs/api/authentication.md", _fill(r"""
        # Authentication

        The Halcyon Records API supports three ways to authenticate. All examples below use the
        staging environment; replace `<your-api-key>` with the key from **Settings → API**.

        ## 1. API key in a header (recommended)

        ```bash
        curl -H "X-API-Key: <your-api-key>" https://staging-api.halcyonhealth.org/v2/patients?limit=10
        ```

        ## 2. API key in the query string

        Only for tools that can't set headers (e.g. spreadsheet imports):

        ```bash
        curl "https://staging-api.halcyonhealth.org/v2/patients?limit=10&api_key=<your-api-key>"
        ```

        Example with our internal test key (staging only, rotated weekly):

        ```bash
        curl "https://staging-api.halcyonhealth.org/v2/patients?limit=10&api_key=«key»&format=json"
        curl -H "X-API-Key: «key»" https://staging-api.halcyonhealth.org/v2/me
        ```

        ## 3. Basic auth (legacy, v1 only)

        ```bash
        curl -u 'integration-test:«basic_pw»' https://staging-api.halcyonhealth.org/v1/me
        ```

        which is the same as sending

        ```http
        GET /v1/me HTTP/1.1
        Host: staging-api.halcyonhealth.org
        Authorization: Basic «basic»
        ```

        A successful list call returns a page plus a cursor:

        ```json
        {"data": [], "next_cursor": "«cursor»", "request_id": "«req»", "etag": "W/\"«etag»\""}
        ```

        ## Postman

        Run the shared collection with newman:

        ```bash
        newman run "https://api.getpostman.com/collections/«coll»?apikey=«pmak»" -e staging.json
        ```

        ## Errors

        | status | meaning |
        |--------|---------|
        | 401 | missing or invalid credentials |
        | 403 | key lacks the required scope |
        | 429 | rate limited (see `Retry-After`) |
    """, key=_K(key), basic_pw=_P(basic_pw), basic=_K(g.basic("integration-test", basic_pw)),
        coll=g.uuid(), pmak=_K(g.postman()), cursor=g.b64(24, url=True, pad=False), req=g.uuid(),
        etag=g.md5())


# ============================================================================== credentials files & releases

@_doc
def _dotfiles_bootstrap(g: _G):
    netrc_pw = g.pw(sym="!%*?-_.+@^")
    return "dotfiles/bootstrap.sh", _fill(r"""
        #!/usr/bin/env bash
        # Bootstrap a new work laptop: tools + credentials files.
        # WARNING: this repo is private. Do not fork.
        set -euo pipefail

        brew bundle --file=./Brewfile
        mkdir -p ~/.aws ~/.config/gh ~/.config/sops/age

        cat > ~/.netrc <<'EOF'
        machine nexus.fjordsoft.no
          login ingrid.lindqvist
          password «netrc_pw»
        machine api.heroku.com
          login «heroku_login»
          password «heroku»
        EOF
        chmod 600 ~/.netrc

        cat > ~/.npmrc <<'EOF'
        //registry.npmjs.org/:_authToken=«npm»
        @fjordsoft:registry=https://npm.pkg.github.com
        //npm.pkg.github.com/:_authToken=«ghp»
        EOF

        cat > ~/.pypirc <<'EOF'
        [distutils]
        index-servers = pypi internal

        [pypi]
        username = __token__
        password = «pypi»

        [internal]
        repository = https://nexus.fjordsoft.no/repository/pypi-internal/
        username = ingrid.lindqvist
        password = «netrc_pw»
        EOF

        cat > ~/.aws/credentials <<'EOF'
        [default]
        aws_access_key_id = «akid»
        aws_secret_access_key = «aws_secret»

        [sandbox-sso]
        aws_access_key_id = «asia»
        aws_secret_access_key = «asia_secret»
        aws_session_token = «session»
        EOF

        cat > ~/.config/gh/hosts.yml <<'EOF'
        github.com:
            user: ilindqvist
            oauth_token: «gho»
            git_protocol: ssh
        EOF

        echo "# created: 2024-03-11T09:12:45+01:00" > ~/.config/sops/age/keys.txt
        echo "# public key: age1«age_pub»" >> ~/.config/sops/age/keys.txt
        echo "«age»" >> ~/.config/sops/age/keys.txt

        git config --global user.email "«mail»"
        git config --global credential.helper store
        echo "https://ilindqvist:«ghu»@github.com" > ~/.git-credentials
    """, netrc_pw=_P(netrc_pw), heroku_login=_E(g.email("dot")), heroku=_K(g.heroku()),
        npm=_K(g.npm()), ghp=_K(g.gh("ghp_")), pypi=_K(g.pypi()), akid=_K(g.aws_id()),
        aws_secret=_K(g.aws_secret()), asia=_K(g.aws_id("ASIA")), asia_secret=_K(g.aws_secret()),
        session=_K("IQoJb3JpZ2luX2VjE" + g.s(g.n(300, 360), ALNUM + "+/") + "=="),
        gho=_K(g.gh("gho_")), age_pub=g.s(58, "qpzry9x8gf2tvdw0s3jn54khce6mua7l"), age=_K(g.age()),
        mail=_E(g.email("dot")), ghu=_K(g.gh("ghu_")))


@_doc
def _maven_release(g: _G):
    passphrase = g.pw("phrase", sym="-. ")
    return "release/publish-maven.sh", _fill(r"""
        #!/usr/bin/env bash
        # Publishes the Java SDK to Maven Central. Run from a clean checkout on the release VM.
        set -euo pipefail

        VERSION="${1:?usage: publish-maven.sh <version>}"

        # signing key (release@ subkey, expires 2026-01-01)
        gpg --batch --import <<'KEY'
        «pgp»
        KEY

        mkdir -p ~/.m2
        cat > ~/.m2/settings.xml <<'XML'
        <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
          <servers>
            <server>
              <id>ossrh</id>
              <username>fjordsoft-release</username>
              <password>«ossrh_pw»</password>
            </server>
            <server>
              <id>nexus-internal</id>
              <username>ci</username>
              <password>«nexus_pw»</password>
            </server>
          </servers>
          <profiles>
            <profile>
              <id>release</id>
              <properties>
                <gpg.keyname>«keyid»</gpg.keyname>
                <gpg.passphrase>«passphrase»</gpg.passphrase>
              </properties>
            </profile>
          </profiles>
        </settings>
        XML

        ./mvnw -B versions:set -DnewVersion="$VERSION"
        ./mvnw -B -P release clean deploy -DskipTests \
          -Dgpg.passphrase='«passphrase»'

        echo "Published $VERSION, notify «rm»"
    """, pgp=_K(g.pem("PGP")), ossrh_pw=_P(g.pw(sym="!#%*?-_.+=@^~")), nexus_pw=_P(g.pw(sym="!#%*?-_.+=@^~")),
        keyid=g.hexkey(16, upper=True), passphrase=_P(passphrase), rm=_E(g.email("role")))


@_doc
def _github_app(g: _G):
    return "github-app/src/app.js", _fill(r"""
        // Triage bot GitHub App: labels new issues and pings the on-call reviewer.
        import { App } from '@octokit/app';
        import { createNodeMiddleware } from '@octokit/webhooks';
        import http from 'node:http';

        const APP_ID = 412873;
        const CLIENT_ID = 'Iv1.«client_id»';

        // TODO: read from /run/secrets/github-app.pem instead of inlining
        const PRIVATE_KEY = `«rsa»`;

        const app = new App({
          appId: APP_ID,
          privateKey: PRIVATE_KEY,
          oauth: { clientId: CLIENT_ID, clientSecret: '«client_secret»' },
          webhooks: { secret: '«webhook_secret»' },
        });

        app.webhooks.on('issues.opened', async ({ octokit, payload }) => {
          const { owner, repo } = { owner: payload.repository.owner.login, repo: payload.repository.name };
          await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
            owner, repo, issue_number: payload.issue.number, labels: ['needs-triage'],
          });
        });

        app.webhooks.onError((err) => {
          console.error(`webhook error ${err.event?.id}:`, err.message);
        });

        http.createServer(createNodeMiddleware(app.webhooks, { path: '/api/github/webhooks' })).listen(3000);
        console.log('triage bot listening on :3000, maintainer «maintainer»');
    """, client_id=g.s(16, LOW + DIG), rsa=_K(g.pem("RSA")), client_secret=_K(g.hexkey(40)),
        webhook_secret=_K(g.s(32, ALNUM)), maintainer=_E(g.email("dot")))


# ============================================================================== negatives only

@_doc
def _neg_extension_manifest(g: _G):
    return "extensions/tldr-tab/manifest.json", _fill(r"""
        {
          "manifest_version": 3,
          "name": "TL;DR Tab",
          "version": "1.4.0.12",
          "version_name": "1.4 beta 2",
          "description": "Summarise any page in one click.",
          "key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA«pubkey»IDAQAB",
          "oauth2": {
            "client_id": "«client_id»",
            "scopes": ["https://www.googleapis.com/auth/drive.file"]
          },
          "permissions": ["storage", "contextMenus", "scripting", "activeTab", "identity"],
          "host_permissions": ["https://api.openai.com/*", "https://translation.googleapis.com/*"],
          "background": { "service_worker": "src/background.js", "type": "module" },
          "icons": {
            "16": "icons/icon16.png",
            "48": "icons/icon48.png",
            "128": "icons/icon128@2x.png"
          },
          "content_scripts": [
            {
              "matches": ["<all_urls>"],
              "js": ["src/content.js"],
              "run_at": "document_idle"
            }
          ],
          "options_ui": { "page": "options.html", "open_in_tab": false },
          "web_accessible_resources": [
            { "resources": ["fonts/*.woff2"], "matches": ["<all_urls>"] }
          ],
          "content_security_policy": {
            "extension_pages": "script-src 'self'; object-src 'self'"
          },
          "update_url": "https://clients2.google.com/service/update2/crx"
        }
    """, pubkey=g.s(300, ALNUM + "+/"), client_id=g.client_id())


@_doc
def _neg_package_lock(g: _G):
    def entry(name, ver):
        return (f'    "node_modules/{name}": {{\n'
                f'      "version": "{ver}",\n'
                f'      "resolved": "https://registry.npmjs.org/{name}/-/{name.split("/")[-1]}-{ver}.tgz",\n'
                f'      "integrity": "{g.sri()}",\n'
                f'      "dev": true\n'
                f'    }}')
    pkgs = [("@babel/core", "7.24.4"), ("@babel/parser", "7.24.4"), ("bcryptjs", "2.4.3"),
            ("dotenv", "16.4.5"), ("jsonwebtoken", "9.0.2"), ("passport-local", "1.0.0"),
            ("@types/node", "20.12.7"), ("uuid", "9.0.1")]
    body = ('{\n  "name": "cms-frontend",\n  "version": "3.2.0",\n  "lockfileVersion": 3,\n'
            '  "requires": true,\n  "packages": {\n    "": {\n      "name": "cms-frontend",\n'
            '      "version": "3.2.0",\n      "dependencies": {\n        "jsonwebtoken": "^9.0.2",\n'
            '        "passport-local": "^1.0.0"\n      }\n    },\n')
    body += ",\n".join(entry(n, v) for n, v in pkgs)
    body += "\n  }\n}\n"
    return "node/cms-frontend/package-lock.json", body


@_doc
def _neg_auth_module(g: _G):
    return "backend/app/auth/passwords.py", _fill(r'''
        """Password handling. Nothing in here should ever hold a real password."""
        import getpass
        import os
        import re

        import keyring
        from argon2 import PasswordHasher
        from passlib.hash import bcrypt

        PASSWORD_MIN_LENGTH = 12
        PASSWORD_MAX_LENGTH = 128
        PASSWORD_POLICY = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^\w\s]).{12,128}$")
        reset_password_url = "/accounts/password/reset/{uidb64}/{token}/"
        RESET_PASSWORD_TEMPLATE = "emails/reset_password.html"

        _ph = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)

        # known-good hashes used by the migration tests
        LEGACY_BCRYPT = "«bcrypt»"
        LEGACY_ARGON2 = "«argon2»"
        LEGACY_DJANGO = "«pbkdf2»"


        def hash_password(password: str) -> str:
            return _ph.hash(password)


        def verify_password(stored: str, password: str) -> bool:
            if stored.startswith("$2b$"):
                return bcrypt.verify(password, stored)
            return _ph.verify(stored, password)


        def get_admin_password() -> str:
            return (
                os.environ.get("ADMIN_PASSWORD")
                or keyring.get_password("backend", "admin")
                or getpass.getpass("Admin password: ")
            )


        def masked(password: str) -> str:
            return "*" * len(password)


        DB_PASSWORD = os.getenv("DB_PASSWORD")
        SMTP_PASSWORD = os.environ["SMTP_PASSWORD"]
        REDIS_PASSWORD = None
        DSN_TEMPLATE = "postgresql://%(user)s:%(password)s@%(host)s/%(db)s"
        LOG_REDACTED = "password=********"
    ''', bcrypt=g.bcrypt(), argon2=g.argon2(), pbkdf2=g.pbkdf2())


@_doc
def _neg_env_example(g: _G):
    return ".env.example", _fill(r"""
        # Copy to .env and fill in. Never commit the real .env!
        NODE_ENV=development
        PORT=3000

        DATABASE_URL=postgres://USER:PASSWORD@localhost:5432/app_dev
        DB_PASSWORD=
        REDIS_URL=redis://localhost:6379/0

        # Stripe: https://dashboard.stripe.com/test/apikeys
        STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx
        STRIPE_PUBLISHABLE_KEY=«pk»
        STRIPE_WEBHOOK_SECRET=whsec_...

        OPENAI_API_KEY=<your-api-key>
        GITHUB_TOKEN=YOUR_TOKEN
        SLACK_BOT_TOKEN=xoxb-your-bot-token
        SENDGRID_API_KEY=${SENDGRID_API_KEY}
        SMTP_PASSWORD={{ smtp_password }}
        ADMIN_PASSWORD=********
        JWT_SECRET=replace-me-with-a-long-random-string
        RECAPTCHA_SITE_KEY=«site»
        GOOGLE_CLIENT_ID=«client»

        # AWS (the sample values below are from the AWS docs)
        AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
        AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        AWS_KMS_KEY_ARN=arn:aws:kms:us-east-1:«acct»:key/«kms»
    """, pk=g.pk_live(), site=g.recaptcha_site(), client=g.client_id(), acct=g.digits(12), kms=g.uuid())


@_doc
def _neg_network_config(g: _G):
    return "infra/netplan/01-edge.yaml", _fill(r"""
        # Edge router netplan + notes. All addresses here are internal or documentation ranges.
        network:
          version: 2
          renderer: networkd
          ethernets:
            eno1:
              addresses:
                - 192.168.10.1/24
                - fd12:3456:789a:1::1/64
              nameservers:
                addresses: [1.1.1.1, 8.8.8.8, 9.9.9.9, 2001:4860:4860::8888]
            eno2:
              addresses: [100.72.14.9/10]    # CGNAT from the upstream ISP
              routes:
                - to: default
                  via: 100.64.0.1
            wg0:
              addresses: [10.200.0.1/24]

        # iptables notes
        # -A INPUT -s 172.20.0.0/14 -j ACCEPT
        # -A INPUT -s 169.254.169.254 -j DROP       # metadata service
        # -A INPUT -d 224.0.0.251 -p udp --dport 5353 -j ACCEPT   # mDNS multicast
        # -A INPUT -d 255.255.255.255 -j DROP
        # netmask 255.255.254.0, broadcast 192.168.11.255
        # docs examples: 192.0.2.10, 198.51.100.7, 203.0.113.200, 2001:db8::42
        # loopback 127.0.0.1 / ::1, unspecified 0.0.0.0 / ::
        # SNMP OID for ifDescr: 1.3.6.1.2.1.2.2.1.2
        # firmware 4.19.2.1 -> 4.20.0.3 (changelog: 10.2.3.4 build)
        # link-local fe80::1ff:fe23:4567:890a%eno1
    """)


@_doc
def _neg_i18n(g: _G):
    return "web/src/locales/fr.json", _fill(r"""
        {
          "auth": {
            "email": "Adresse e-mail",
            "email_placeholder": "Votre adresse e-mail",
            "password": "Mot de passe",
            "password_placeholder": "••••••••",
            "password_confirm": "Confirmez le mot de passe",
            "forgot_password": "Mot de passe oublié ?",
            "reset_password": "Réinitialiser le mot de passe",
            "password_too_short": "Le mot de passe doit contenir au moins {{min}} caractères.",
            "password_mismatch": "Les mots de passe ne correspondent pas.",
            "api_key": "Clé API",
            "api_key_help": "Collez votre clé API (elle commence par « sk- »).",
            "token_expired": "Votre jeton a expiré, veuillez vous reconnecter.",
            "secret": "Secret",
            "show_secret": "Afficher le secret"
          },
          "settings": {
            "passphrase": "Phrase secrète",
            "passphrase_hint": "Au moins quatre mots, par exemple « cheval correct pile agrafe ».",
            "two_factor": "Authentification à deux facteurs",
            "recovery_codes": "Codes de récupération"
          },
          "errors": {
            "invalid_credentials": "Identifiants invalides.",
            "ip_blocked": "Votre adresse IP {{ip}} a été bloquée."
          }
        }
    """)


@_doc
def _neg_dockerfile(g: _G):
    return "services/report-api/Dockerfile", _fill(r"""
        # syntax=docker/dockerfile:1.7
        FROM python:3.12.3-slim@sha256:«base_digest» AS build

        ARG PIP_INDEX_URL
        ARG GIT_COMMIT=unknown
        ARG APP_VERSION=0.0.0

        WORKDIR /src
        COPY requirements.lock .
        RUN --mount=type=secret,id=pip_token \
            PIP_INDEX_URL="https://__token__:$(cat /run/secrets/pip_token)@pypi.quillmetrics.dev/simple" \
            pip wheel --no-deps -r requirements.lock -w /wheels

        FROM python:3.12.3-slim@sha256:«base_digest»
        LABEL org.opencontainers.image.revision=$GIT_COMMIT \
              org.opencontainers.image.version=$APP_VERSION \
              org.opencontainers.image.source="https://github.com/quillmetrics/report-api"

        ENV DATABASE_URL="" \
            DB_PASSWORD_FILE=/run/secrets/db_password \
            PYTHONDONTWRITEBYTECODE=1

        COPY --from=build /wheels /wheels
        RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
        ADD --checksum=sha256:«tini_sha» https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
        RUN chmod +x /tini

        USER 10001
        EXPOSE 8000
        HEALTHCHECK --interval=30s CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8000/health')"
        ENTRYPOINT ["/tini", "--"]
        CMD ["gunicorn", "report_api.wsgi:app", "-b", "0.0.0.0:8000", "-w", "4"]
    """, base_digest=g.sha256(), tini_sha=g.sha256())


@_doc
def _neg_certs_and_keys(g: _G):
    return "infra/ssh/README.md", _fill(r"""
        # SSH & TLS material (public parts only)

        Add your **public** key to `authorized_keys` via a PR. Never paste a private key here.

        ```
        «pub1»
        «pub2»
        ```

        Host key fingerprints (verify on first connect):

        | host | fingerprint |
        |------|-------------|
        | bastion | SHA256:«fp1» |
        | git | SHA256:«fp2» |

        Clone over SSH: `git clone git@github.com:ironbark/infra.git`,
        then `ssh -J ops@bastion.internal admin@db-01.internal`.

        Internal CA certificate (public, safe to distribute):

        ```
        «cert»
        ```

        Container images are pinned: `ghcr.io/ironbark/bastion@sha256:«digest»`.
        Build uuid: «build_uuid» · release 2024.05.1 · commit «commit».
        Logo (inline SVG for the docs site):

        ```html
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">
          <path d="M12.1.2.3 21.5 7.25v9.5L12 22.4 2.5 16.75v-9.5z M10.0.0.1 14 3.5 9.8"/>
          <circle cx="12" cy="8.5" r="1.25"/>
        </svg>
        ```

        Inline favicon: `data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAA«png»`.
        Demo video: https://www.youtube.com/watch?v=«yt» · slides: https://drive.google.com/file/d/«drive»/view
    """, pub1=g.ssh_pub("sven@laptop"), pub2=g.ssh_pub("ci-runner@build-01"), fp1=g.b64(32, pad=False),
        fp2=g.b64(32, pad=False), cert=g.cert(), digest=g.sha256(), build_uuid=g.uuid(),
        commit=g.sha1(), png=g.b64(60), yt=g.yt_id(), drive=g.drive_id())


# ============================================================================== assembly & checks

def _raw_documents(seed: int = SEED) -> list[tuple[str, str]]:
    g = _G(seed)
    return [fn(g) for fn in _DOCS]


def testset7_documents(seed: int = SEED) -> list[LabelledDoc]:
    """The labelled documents of set 7, deterministic for ``seed``."""
    return [_parse(name, marked) for name, marked in _raw_documents(seed)]


def _check(seed: int = SEED) -> list[LabelledDoc]:
    raw = _raw_documents(seed)
    docs = [_parse(name, marked) for name, marked in raw]
    names = [d.name for d in docs]
    dupes = [n for n, c in Counter(names).items() if c > 1]
    assert not dupes, f"duplicate names: {dupes}"
    for (name, marked), doc in zip(raw, docs):
        values = [(m.group(1), m.group(2)) for m in _MARK.finditer(marked)]
        assert len(values) == len(doc.spans), name
        assert "⟦" not in doc.text and "⟧" not in doc.text, f"{name}: marker left in text"
        assert not _SLOT.search(doc.text), f"{name}: unfilled slot"
        prev_end = -1
        for (kind, value), (skind, start, end) in zip(values, doc.spans):
            assert kind == skind and kind in KINDS, name
            span = doc.text[start:end]
            assert span, f"{name}: empty {kind} span"
            assert span == value, f"{name}: span text {span!r} != planted {value!r}"
            assert span == span.strip(), f"{name}: {kind} span has surrounding whitespace: {span!r}"
            assert start >= prev_end, f"{name}: overlapping spans at {start}"
            prev_end = end
        # every occurrence of a planted value inside the document must itself be labelled
        labelled = {(s, e) for _, s, e in doc.spans}
        for kind, start, end in doc.spans:
            value = doc.text[start:end]
            pos = doc.text.find(value)
            while pos != -1:
                assert (pos, pos + len(value)) in labelled, (
                    f"{name}: unlabelled repeat of {kind} {value!r} at {pos}")
                pos = doc.text.find(value, pos + 1)
    # determinism
    again = testset7_documents(seed)
    assert [(d.name, d.text, d.spans) for d in again] == [(d.name, d.text, d.spans) for d in docs]
    return docs


if __name__ == "__main__":
    docs = _check()
    per_kind = Counter(kind for d in docs for kind, _, _ in d.spans)
    print(f"documents: {len(docs)}")
    print(f"spans: {sum(per_kind.values())}")
    for kind in KINDS:
        print(f"  {kind:<11} {per_kind[kind]}")
    print(f"documents without positives: {sum(1 for d in docs if not d.spans)}")
    lines = [d.text.count(chr(10)) + 1 for d in docs]
    print(f"lines per document: min {min(lines)}, max {max(lines)}, mean {sum(lines) / len(lines):.1f}")
